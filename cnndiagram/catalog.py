"""Vocabulary shared by the spec readers, the engine and layout: every layer kind and its facts.

Each `Kind` states its arguments and aliases, and how reports and figures treat it:
category, letter, label, folding, an example.

A new layer kind is one `Kind` entry here plus one rule set registered in `engine/`
(tests/test_catalog.py checks that both registries name the same kinds, and that every
kind states every fact; nothing downstream falls back to a default).
"""

from __future__ import annotations

import enum
from typing import Literal, NamedTuple

from cnndiagram.ir import ArgValue


class ArgType(enum.Enum):
    """How a raw value is checked and normalised (see `spec/validate.py`)."""

    POS_INT = "a positive integer"
    NONNEG_INT = "a non-negative integer"
    COUNT = "a non-negative integer (a count, not bounded by --max-dim)"
    AXES = "a positive integer or per-axis values such as 3x3"
    AXES0 = "a non-negative integer or per-axis values such as 1x1"
    PADDING = "a non-negative integer, per-axis values, 'same' or 'valid'"
    PAIRS = "an integer, per-axis values, or per-axis [before, after] pairs"
    SHAPE = "a shape such as 1x28x28"
    RESHAPE = "a shape such as 32x7x7 (one dimension may be -1)"
    RATE = "a number in [0, 1)"
    NUMBER = "a finite number"
    POSITIVE = "a positive finite number"
    SCALE = "a positive number or per-axis values such as 2x1.5"
    MOMENTUM = "a number in [0, 1], or null for a cumulative average"
    BOOL = "true or false"
    CHOICE = "one of the listed words"


ACTIVATIONS = (
    "relu",
    "relu6",
    "leakyrelu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "sigmoid",
    "tanh",
    "softmax",
    "softplus",
    "hardswish",
    "hardsigmoid",
    "mish",
    "linear",
)

#: How activations are written in labels: an activation kind's head, or an `act` argument.
ACTIVATION_LABELS = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "leakyrelu": "LeakyReLU",
    "elu": "ELU",
    "selu": "SELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
    "softplus": "softplus",
    "hardswish": "hard-swish",
    "hardsigmoid": "hard-sigmoid",
    "mish": "Mish",
    "linear": "linear",
}

_ACT_ALIASES = {
    "swish": "silu",
    "leaky_relu": "leakyrelu",
    "identity": "linear",
    "none": "linear",
    "hard_swish": "hardswish",
    "hard_sigmoid": "hardsigmoid",
}


class Arg(NamedTuple):
    """One argument of a kind; `default` None on an optional one means "derived" (pool stride)."""

    name: str
    type: ArgType
    default: ArgValue = None
    required: bool = False
    positional: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    word_aliases: tuple[tuple[str, str], ...] = ()

    def word(self, raw: str) -> str | None:
        """The canonical choice for `raw`, or None when it is not one."""
        low = raw.lower()
        if low in self.choices:
            return low
        return dict(self.word_aliases).get(low)


class Category(enum.Enum):
    """What a layer does, as figures sort it: one legend entry and one fill colour per theme
    (`layout/theme.py` keys its colours by category, never by kind). The order here is the
    legend's order."""

    INPUT = "input"
    CONVOLUTION = "convolution"
    POOLING = "pooling"
    UPSAMPLING = "upsampling"
    RESHAPING = "reshaping"
    MERGE = "merge"
    DENSE = "dense"
    NORM_ACT = "normalisation & activation"
    OPAQUE = "no rule (sizes from the model)"


#: The circled sign a figure draws for a merge in place of a tensor (a residual's sum).
Junction = Literal["+", "\u00d7"]


class _Entry:
    """A catalogue constant. Entries are hand-written slotted classes rather than NamedTuples
    for the reason `ir.py` gives: they are built at every start-up, and generating a
    NamedTuple class costs about as much as building the whole table of kinds."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        names = [name for cls in type(self).__mro__ for name in getattr(cls, "__slots__", ())]
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({fields})"


class Label(_Entry):
    """How reports and figures name a layer (`notation.describe`): `head` (`conv`, `ReLU`), then
    the value of the argument `arg` (`conv 3x3`, `dense 256`), then the arguments that differ
    from their defaults (`stride 2`, `no bias`).

    `short` is what a column calls the layer once it is folded into the layer before
    (`conv 5x5, 32, BN`); None: its full label. `factor`: `arg` is a scale factor, written
    `\u00d72` in typeset text when it is one number.
    """

    __slots__ = ("arg", "factor", "head", "short")
    head: str
    arg: str | None
    short: str | None
    factor: bool

    def __init__(
        self, head: str, arg: str | None = None, *, short: str | None = None, factor: bool = False
    ) -> None:
        put = object.__setattr__
        put(self, "head", head)
        put(self, "arg", arg)
        put(self, "short", short)
        put(self, "factor", factor)


class _Signature(_Entry):
    """What the validator reads of a kind or a block: its arguments in order, the bare words
    (`flags`) that set one of them, and an example for messages about a missing one."""

    __slots__ = ("args", "example", "flags", "name", "summary")
    name: str
    args: tuple[Arg, ...]
    summary: str
    example: str
    flags: tuple[tuple[str, str, ArgValue], ...]

    def __init__(
        self,
        name: str,
        args: tuple[Arg, ...],
        summary: str,
        example: str,
        flags: tuple[tuple[str, str, ArgValue], ...],
    ) -> None:
        put = object.__setattr__
        put(self, "name", name)
        put(self, "args", args)
        put(self, "summary", summary)
        put(self, "example", example)
        put(self, "flags", flags)

    def arg(self, name: str) -> Arg | None:
        for arg in self.args:
            if name == arg.name or name in arg.aliases:
                return arg
        return None

    def flag(self, word: str) -> tuple[str, ArgValue] | None:
        low = word.lower()
        for flag, arg, value in self.flags:
            if low == flag:
                return arg, value
        act = self.arg("act")
        if act is not None:
            canonical = act.word(low)
            if canonical is not None:
                return "act", canonical
        return None


class Kind(_Signature):
    """A layer kind and every fact about it; the keyword-only facts without defaults must be
    stated, so a kind that misses one fails at import.

    `summary` for `cnndiagram kinds`; `example`, a statement that works, for error
    messages; `category` for the legend and the colour; `letter` for the flat style's box;
    `folds`: with folding on, it joins the column of the layer it follows (it keeps the
    shape and has no tensor worth drawing); `label`; `has_params`: its engine rule counts
    parameters; `window`: the argument sizing the window a figure draws on the input's
    face; `junction`: drawn as that circled sign rather than as a tensor.
    """

    __slots__ = (
        "aliases",
        "category",
        "folds",
        "has_params",
        "junction",
        "label",
        "letter",
        "window",
    )
    category: Category
    letter: str
    folds: bool
    label: Label
    aliases: tuple[str, ...]
    has_params: bool
    window: str | None
    junction: Junction | None

    def __init__(
        self,
        name: str,
        args: tuple[Arg, ...],
        *,
        summary: str,
        example: str,
        category: Category,
        letter: str,
        folds: bool,
        label: Label,
        aliases: tuple[str, ...] = (),
        has_params: bool = False,
        flags: tuple[tuple[str, str, ArgValue], ...] = (),
        window: str | None = None,
        junction: Junction | None = None,
    ) -> None:
        super().__init__(name, args, summary, example, flags)
        put = object.__setattr__
        put(self, "category", category)
        put(self, "letter", letter)
        put(self, "folds", folds)
        put(self, "label", label)
        put(self, "aliases", aliases)
        put(self, "has_params", has_params)
        put(self, "window", window)
        put(self, "junction", junction)


class Block(_Signature):
    """A block of the spec language (`residual`, `parallel`, `repeat`): not a layer, so it has
    arguments and words like a kind but nothing a figure or an engine rule would need."""

    __slots__ = ()

    def __init__(
        self,
        name: str,
        args: tuple[Arg, ...],
        *,
        summary: str,
        example: str,
        flags: tuple[tuple[str, str, ArgValue], ...] = (),
    ) -> None:
        super().__init__(name, args, summary, example, flags)


def _act(default: str = "linear") -> Arg:
    return Arg(
        "act",
        ArgType.CHOICE,
        default,
        aliases=("activation", "nonlinearity"),
        choices=ACTIVATIONS,
        word_aliases=tuple(_ACT_ALIASES.items()),
    )


_TRAINABLE = Arg("trainable", ArgType.BOOL, True)
_BIAS = Arg("bias", ArgType.BOOL, True, aliases=("use_bias",))
_STRIDE = Arg("stride", ArgType.AXES, 1, aliases=("strides", "s"))
_PAD = Arg("pad", ArgType.PADDING, 0, aliases=("padding", "p"))
_DILATION = Arg("dilation", ArgType.AXES, 1, aliases=("dilation_rate", "d"))
_GROUPS = Arg("groups", ArgType.POS_INT, 1, aliases=("g",))
_KERNEL = Arg("kernel", ArgType.AXES, required=True, positional=True, aliases=("kernel_size", "k"))
_FILTERS = Arg(
    "filters", ArgType.POS_INT, required=True, positional=True, aliases=("out_channels", "n")
)
_DM = Arg("depth_multiplier", ArgType.POS_INT, 1, aliases=("dm",))
_PAD_FLAGS = (("same", "pad", "same"), ("valid", "pad", "valid"))
_CONV_FLAGS = (*_PAD_FLAGS, ("nobias", "bias", False), ("frozen", "trainable", False))
_POOL_SIZE = Arg(
    "size", ArgType.AXES, required=True, positional=True, aliases=("pool_size", "kernel", "k")
)
# Positional after the window, as in PyTorch's MaxPool2d(kernel_size, stride, padding).
_POOL_STRIDE = Arg("stride", ArgType.AXES, None, positional=True, aliases=("strides", "s"))
_POOL_PAD = Arg("pad", ArgType.PADDING, 0, positional=True, aliases=("padding", "p"))
_CEIL = Arg("ceil", ArgType.BOOL, False, aliases=("ceil_mode",))
_AFFINE = Arg("affine", ArgType.BOOL, True, aliases=("elementwise_affine",))
_NORM_FLAGS = (("frozen", "trainable", False),)
# Accepted as PyTorch writes them (BatchNorm2d(64, eps=1e-3, momentum=0.01)); they change no
# count and no shape, so labels never show them. Defaults are PyTorch's.
_EPS = Arg("eps", ArgType.POSITIVE, 1e-5, aliases=("epsilon",))
_MOMENTUM = Arg("momentum", ArgType.MOMENTUM, 0.1)
_UNITS = Arg("units", ArgType.POS_INT, required=True, positional=True, aliases=("out_features",))

_C = Category


def _activation(
    name: str,
    aliases: tuple[str, ...] = (),
    args: tuple[Arg, ...] = (),
    summary: str | None = None,
    example: str | None = None,
) -> Kind:
    """An element-wise activation, headed in labels as it is written there (`ReLU`) and
    folded into the layer before it; without arguments its example is its name."""
    return Kind(
        name,
        args,
        summary=summary or ACTIVATION_LABELS[name],
        example=example or name,
        category=_C.NORM_ACT,
        letter="A",
        folds=True,
        label=Label(ACTIVATION_LABELS[name]),
        aliases=aliases,
    )


def _conv(
    name: str,
    args: tuple[Arg, ...],
    aliases: tuple[str, ...],
    summary: str,
    example: str,
    category: Category = _C.CONVOLUTION,
    letter: str = "C",
) -> Kind:
    """A convolution: its kernel is drawn on the input's face and heads its label."""
    return Kind(
        name,
        args,
        summary=summary,
        example=example,
        category=category,
        letter=letter,
        folds=False,
        label=Label(name, "kernel"),
        aliases=aliases,
        has_params=True,
        flags=_CONV_FLAGS,
        window="kernel",
    )


def _pool(name: str, args: tuple[Arg, ...], aliases: tuple[str, ...], summary: str) -> Kind:
    """A windowed pooling: its window is drawn on the input's face and heads its label."""
    return Kind(
        name,
        args,
        summary=summary,
        example=f"{name}(2)",
        category=_C.POOLING,
        letter="P",
        folds=False,
        label=Label(name, "size"),
        aliases=aliases,
        flags=(*_PAD_FLAGS, ("ceil", "ceil", True)),
        window="size",
    )


def _global_pool(name: str, aliases: tuple[str, ...], summary: str) -> Kind:
    return Kind(
        name,
        (Arg("keepdims", ArgType.BOOL, False),),
        summary=summary,
        example=name,
        category=_C.POOLING,
        letter="P",
        folds=False,
        label=Label(name),
        aliases=aliases,
        flags=(("keepdims", "keepdims", True),),
    )


def _adaptive_pool(name: str, summary: str) -> Kind:
    return Kind(
        name,
        (Arg("out", ArgType.AXES, required=True, positional=True, aliases=("output_size",)),),
        summary=summary,
        example=f"{name}(1x1)",
        category=_C.POOLING,
        letter="P",
        folds=False,
        label=Label(name, "out"),
        aliases=tuple(f"{name}{rank}d" for rank in (1, 2, 3)),
    )


def _norm(
    name: str,
    args: tuple[Arg, ...],
    aliases: tuple[str, ...],
    summary: str,
    example: str,
    label: Label,
    flags: tuple[tuple[str, str, ArgValue], ...] = _NORM_FLAGS,
) -> Kind:
    """A learnable normalisation: folded into the layer before it, its parameters listed."""
    return Kind(
        name,
        args,
        summary=summary,
        example=example,
        category=_C.NORM_ACT,
        letter="N",
        folds=True,
        label=label,
        aliases=aliases,
        has_params=True,
        flags=flags,
    )


def _margin(name: str, arg: Arg, aliases: tuple[str, ...], summary: str) -> Kind:
    return Kind(
        name,
        (arg,),
        summary=summary,
        example=f"{name}(1)",
        category=_C.RESHAPING,
        letter="Z",
        folds=False,
        label=Label(name),
        aliases=aliases,
    )


def _merge(
    name: str,
    args: tuple[Arg, ...],
    aliases: tuple[str, ...],
    summary: str,
    junction: Junction | None,
) -> Kind:
    """A merge; its positional arguments name the layers it reads (`add(a, b)`)."""
    return Kind(
        name,
        args,
        summary=summary,
        example=f"{name}(a, b)",
        category=_C.MERGE,
        letter="A",
        folds=False,
        label=Label(name),
        aliases=aliases,
        junction=junction,
    )


_KINDS: tuple[Kind, ...] = (
    Kind(
        "input",
        (
            Arg("shape", ArgType.SHAPE, required=True, positional=True),
            Arg("channels_last", ArgType.BOOL, False),
        ),
        summary="the input tensor",
        example="input(1x28x28)",
        category=_C.INPUT,
        letter="I",
        folds=False,
        label=Label("input"),
        aliases=("I", "inputs"),
        flags=(
            ("channels_last", "channels_last", True),
            ("channels_first", "channels_last", False),
        ),
    ),
    _conv(
        "conv",
        (_FILTERS, _KERNEL, _STRIDE, _PAD, _DILATION, _GROUPS, _BIAS, _act(), _TRAINABLE),
        ("C", "conv1d", "conv2d", "conv3d", "convolution"),
        "convolution",
        "conv(32, 3x3)",
    ),
    _conv(
        "deconv",
        (
            _FILTERS,
            _KERNEL,
            _STRIDE,
            _PAD,
            Arg("output_pad", ArgType.AXES0, 0, aliases=("output_padding",)),
            _DILATION,
            _GROUPS,
            _BIAS,
            _act(),
            _TRAINABLE,
        ),
        (
            "convtranspose",
            "convtranspose1d",
            "convtranspose2d",
            "convtranspose3d",
            "conv2dtranspose",
            "conv1dtranspose",
            "conv3dtranspose",
            "transposedconv",
        ),
        "transposed convolution",
        "deconv(16, 2, stride=2)",
        # It grows the tensor, so figures group it with upsampling; T for transposed.
        category=_C.UPSAMPLING,
        letter="T",
    ),
    _conv(
        "sepconv",
        (_FILTERS, _KERNEL, _STRIDE, _PAD, _DILATION, _DM, _BIAS, _act(), _TRAINABLE),
        ("separableconv", "separableconv1d", "separableconv2d"),
        "depthwise-separable convolution",
        "sepconv(64, 3x3)",
    ),
    _conv(
        "dwconv",
        (_KERNEL, _STRIDE, _PAD, _DILATION, _DM, _BIAS, _act(), _TRAINABLE),
        ("depthwiseconv", "depthwiseconv1d", "depthwiseconv2d"),
        "depthwise convolution",
        "dwconv(3x3)",
    ),
    _pool(
        "maxpool",
        (_POOL_SIZE, _POOL_STRIDE, _POOL_PAD, _DILATION, _CEIL),
        (
            "P",
            "maxpool1d",
            "maxpool2d",
            "maxpool3d",
            "maxpooling1d",
            "maxpooling2d",
            "maxpooling3d",
            "max_pool",
        ),
        "max pooling",
    ),
    _pool(
        "avgpool",
        (_POOL_SIZE, _POOL_STRIDE, _POOL_PAD, _CEIL),
        (
            "avgpool1d",
            "avgpool2d",
            "avgpool3d",
            "averagepooling1d",
            "averagepooling2d",
            "averagepooling3d",
            "avg_pool",
        ),
        "average pooling",
    ),
    _global_pool(
        "globalavgpool",
        ("gap", "globalaveragepooling1d", "globalaveragepooling2d", "globalaveragepooling3d"),
        "global average pooling",
    ),
    _global_pool(
        "globalmaxpool",
        ("gmp", "globalmaxpooling1d", "globalmaxpooling2d", "globalmaxpooling3d"),
        "global max pooling",
    ),
    _adaptive_pool("adaptiveavgpool", "adaptive average pooling"),
    _adaptive_pool("adaptivemaxpool", "adaptive max pooling"),
    Kind(
        "dense",
        (_UNITS, _BIAS, _act(), _TRAINABLE),
        summary="fully connected",
        example="dense(256)",
        category=_C.DENSE,
        letter="H",  # H for hidden, as in the seed figure's I-C-P-C-P-H-O
        folds=False,
        label=Label("dense", "units"),
        aliases=("H", "fc", "linear", "fullyconnected", "hidden"),
        has_params=True,
        flags=(("nobias", "bias", False), ("frozen", "trainable", False)),
    ),
    Kind(
        "output",
        (_UNITS, _BIAS, _act("softmax"), _TRAINABLE),
        summary="fully connected output",
        example="output(10)",
        category=_C.DENSE,
        letter="O",
        folds=False,
        label=Label("output", "units"),
        aliases=("O",),
        has_params=True,
        flags=(("nobias", "bias", False), ("frozen", "trainable", False)),
    ),
    Kind(
        "flatten",
        (),
        summary="flatten",
        example="flatten",
        category=_C.RESHAPING,
        letter="F",
        folds=False,
        label=Label("flatten"),
        aliases=("F",),
    ),
    Kind(
        "dropout",
        (Arg("rate", ArgType.RATE, 0.5, positional=True, aliases=("p",)),),
        summary="dropout",
        example="dropout(0.5)",
        category=_C.NORM_ACT,
        letter="D",
        folds=True,
        label=Label("dropout", "rate"),
        aliases=("D", "dropout1d", "dropout2d", "dropout3d", "spatialdropout"),
    ),
    _norm(
        "batchnorm",
        (
            _AFFINE,
            # Keras' BatchNormalization(scale=False) learns the shift alone (InceptionV3's
            # convolutions), center=False the scale alone; PyTorch's affine sets both.
            Arg("scale", ArgType.BOOL, True),
            Arg("bias", ArgType.BOOL, True, aliases=("center",)),
            Arg("running_stats", ArgType.BOOL, True, aliases=("track_running_stats",)),
            _EPS,
            _MOMENTUM,
            _TRAINABLE,
        ),
        ("N", "bn", "batchnorm1d", "batchnorm2d", "batchnorm3d", "batchnormalization"),
        "batch normalisation",
        "batchnorm",
        Label("batchnorm", short="BN"),
    ),
    _norm(
        "groupnorm",
        (
            Arg(
                "groups",
                ArgType.POS_INT,
                required=True,
                positional=True,
                aliases=("num_groups", "g"),
            ),
            _AFFINE,
            _EPS,
            _MOMENTUM,
            _TRAINABLE,
        ),
        ("gn", "groupnormalization"),
        "group normalisation",
        "groupnorm(8)",
        Label("groupnorm", "groups", short="GN"),
    ),
    _norm(
        "layernorm",
        (
            Arg("over", ArgType.CHOICE, "all", choices=("all", "channels")),
            _AFFINE,
            _BIAS,
            _EPS,
            _MOMENTUM,
            _TRAINABLE,
        ),
        ("ln", "layernormalization"),
        "layer normalisation",
        "layernorm",
        Label("layernorm", short="LN"),
        flags=(("all", "over", "all"), ("channels", "over", "channels"), *_NORM_FLAGS),
    ),
    _norm(
        "instancenorm",
        (
            Arg("affine", ArgType.BOOL, False),
            Arg("running_stats", ArgType.BOOL, False, aliases=("track_running_stats",)),
            _EPS,
            _MOMENTUM,
            _TRAINABLE,
        ),
        ("instancenorm1d", "instancenorm2d", "instancenorm3d"),
        "instance normalisation",
        "instancenorm",
        Label("instancenorm", short="IN"),
        flags=(("affine", "affine", True), *_NORM_FLAGS),
    ),
    Kind(
        "standardize",
        # Keras' Normalization: (x - mean) / sqrt(variance) per channel, with statistics
        # that `adapt()` sets (weights) or that the model states (constants, adapted=false).
        (Arg("adapted", ArgType.BOOL, True),),
        summary="standardisation by a fixed mean and variance per channel (Keras' Normalization)",
        example="standardize",
        category=_C.NORM_ACT,
        letter="N",
        folds=True,
        label=Label("standardize", short="Std"),
        aliases=("normalization", "standardization"),
        has_params=True,
    ),
    Kind(
        "lrn",
        (Arg("size", ArgType.POS_INT, required=True, positional=True),),
        summary="local response normalisation",
        example="lrn(5)",
        category=_C.NORM_ACT,
        letter="N",
        folds=True,
        label=Label("lrn", "size", short="LRN"),
        aliases=("localresponsenorm",),
    ),
    Kind(
        "prelu",
        (
            # PyTorch's PReLU(num_parameters): 1, or one slope per channel; None: 1, or the
            # channels with channelwise=true.
            Arg("n", ArgType.POS_INT, None, positional=True, aliases=("num_parameters",)),
            Arg("channelwise", ArgType.BOOL, False),
            _TRAINABLE,
        ),
        summary="parametric ReLU",
        example="prelu",
        category=_C.NORM_ACT,
        letter="A",
        folds=True,
        label=Label("prelu", short="PReLU"),
        has_params=True,
        flags=(("channelwise", "channelwise", True), ("frozen", "trainable", False)),
    ),
    _activation(
        "leakyrelu",
        args=(
            Arg(
                "slope", ArgType.NUMBER, 0.01, positional=True, aliases=("negative_slope", "alpha")
            ),
        ),
        summary="leaky ReLU",
        example="leakyrelu(0.2)",
    ),
    _activation(
        "elu", args=(Arg("alpha", ArgType.NUMBER, 1.0, positional=True),), example="elu(1.0)"
    ),
    *(
        _activation(name, aliases)
        for name, aliases in (
            ("relu", ()),
            ("selu", ()),
            ("gelu", ()),
            ("silu", ("swish",)),
            ("sigmoid", ()),
            ("tanh", ()),
            ("softmax", ()),
            ("softplus", ()),
            ("hardswish", ("hard_swish",)),
            ("relu6", ()),
            ("hardsigmoid", ("hard_sigmoid",)),
            ("mish", ()),
        )
    ),
    Kind(
        "chunk",
        (
            Arg("chunks", ArgType.POS_INT, required=True, positional=True, aliases=("n",)),
            Arg("index", ArgType.NONNEG_INT, required=True, positional=True, aliases=("i",)),
        ),
        summary="the index-th of n equal slices along the channels (torch.chunk)",
        example="chunk(2, 0)",
        category=_C.RESHAPING,
        letter="K",
        folds=False,
        label=Label("chunk", "chunks"),
    ),
    Kind(
        "channelshuffle",
        (Arg("groups", ArgType.POS_INT, required=True, positional=True, aliases=("g",)),),
        summary="channel shuffle: channels regrouped across groups (nn.ChannelShuffle)",
        example="channelshuffle(2)",
        category=_C.RESHAPING,
        letter="X",
        folds=False,
        label=Label("channelshuffle", "groups"),
        aliases=("shuffle",),
    ),
    Kind(
        "upsample",
        (
            Arg(
                "scale",
                ArgType.SCALE,
                required=True,
                positional=True,
                aliases=("scale_factor", "size"),
            ),
            Arg(
                "mode",
                ArgType.CHOICE,
                "nearest",
                choices=("nearest", "linear", "bilinear", "bicubic", "trilinear"),
            ),
        ),
        summary="upsampling",
        example="upsample(2)",
        category=_C.UPSAMPLING,
        letter="U",
        folds=False,
        label=Label("upsample", "scale", factor=True),
        aliases=("upsampling1d", "upsampling2d", "upsampling3d", "upsampling"),
        flags=tuple(
            (m, "mode", m) for m in ("nearest", "linear", "bilinear", "bicubic", "trilinear")
        ),
    ),
    _margin(
        "zeropad",
        Arg("pad", ArgType.PAIRS, required=True, positional=True, aliases=("padding", "p")),
        (
            "zeropadding1d",
            "zeropadding2d",
            "zeropadding3d",
            "zeropad1d",
            "zeropad2d",
            "zeropad3d",
        ),
        "zero padding",
    ),
    _margin(
        "crop",
        Arg("crop", ArgType.PAIRS, required=True, positional=True, aliases=("cropping",)),
        ("cropping1d", "cropping2d", "cropping3d"),
        "cropping",
    ),
    Kind(
        "reshape",
        (
            Arg(
                "shape",
                ArgType.RESHAPE,
                required=True,
                positional=True,
                aliases=("dims", "target_shape"),
            ),
        ),
        summary="reshape",
        example="reshape(32x7x7)",
        category=_C.RESHAPING,
        letter="R",
        folds=False,
        label=Label("reshape"),
        aliases=("view",),
    ),
    Kind(
        "opaque",
        (
            Arg("out", ArgType.SHAPE, required=True, positional=True, aliases=("shape",)),
            Arg("params", ArgType.COUNT, 0),
            Arg("buffers", ArgType.COUNT, 0),
        ),
        # What an importer makes of an operation the engine has no rule for: the model
        # file's (or the trace's) output shape and exact counts, stated rather than derived.
        summary="a layer with no rule: output shape and parameter counts as given",
        example="opaque(16x8x8, params=120)",
        category=_C.OPAQUE,
        letter="X",
        folds=False,
        label=Label("opaque"),
        has_params=True,
    ),
    _merge("add", (), ("sum",), "element-wise sum", "+"),
    _merge("multiply", (), ("mul", "product"), "element-wise product", "\u00d7"),
    _merge(
        "concat",
        (Arg("axis", ArgType.CHOICE, "channels", choices=("channels",)),),
        ("concatenate", "cat"),
        "concatenation along the channels",
        None,
    ),
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}

#: Kinds that combine several inputs; their positional arguments name the layers they read.
MERGES = tuple(kind.name for kind in _KINDS if kind.category is Category.MERGE)

#: Blocks of the spec language; they expand to layers (see spec/expand.py).
BLOCKS: dict[str, Block] = {
    "residual": Block(
        "residual", (_act(),), summary="body + shortcut, summed", example="residual(...)"
    ),
    "parallel": Block(
        "parallel",
        (Arg("merge", ArgType.CHOICE, "concat", choices=MERGES),),
        summary="branches from one input, merged",
        example="parallel(...)",
        flags=tuple((merge, "merge", merge) for merge in MERGES),
    ),
    "repeat": Block(
        "repeat",
        (Arg("n", ArgType.POS_INT, required=True, positional=True, aliases=("times",)),),
        summary="the body n times in a row",
        example="repeat(...)",
    ),
}


def _fold(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


_LOOKUP: dict[str, str] = {}
for _kind in _KINDS:
    for _alias in _kind.aliases:
        if len(_alias) == 1:
            _LOOKUP[_alias] = _kind.name
        else:
            _LOOKUP[_fold(_alias)] = _kind.name
    _LOOKUP[_fold(_kind.name)] = _kind.name


def lookup_kind(name: str) -> Kind | None:
    """The kind a spec word names: an exact one-letter alias (I, C, P...) or a case-folded name."""
    if len(name) == 1:
        found = _LOOKUP.get(name)
        return KINDS[found] if found else None
    found = _LOOKUP.get(_fold(name))
    return KINDS[found] if found else None


def kind_words() -> list[str]:
    """Every canonical kind name, for 'did you mean' suggestions."""
    return list(KINDS)
