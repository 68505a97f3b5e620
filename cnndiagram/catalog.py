"""Vocabulary shared by the spec readers and the engine: layer kinds, their arguments and aliases.

A new layer kind is one `Kind` entry here plus one rule set in `engine/ops.py`
(a test checks that both registries name the same kinds).
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from cnndiagram.ir import ArgValue


class ArgType(enum.Enum):
    """How a raw value is checked and normalised (see `spec/validate.py`)."""

    POS_INT = "a positive integer"
    NONNEG_INT = "a non-negative integer"
    AXES = "a positive integer or per-axis values such as 3x3"
    AXES0 = "a non-negative integer or per-axis values such as 1x1"
    PADDING = "a non-negative integer, per-axis values, 'same' or 'valid'"
    PAIRS = "an integer, per-axis values, or per-axis [before, after] pairs"
    SHAPE = "a shape such as 1x28x28"
    RESHAPE = "a shape such as 32x7x7 (one dimension may be -1)"
    RATE = "a number in [0, 1)"
    NUMBER = "a finite number"
    BOOL = "true or false"
    CHOICE = "one of the listed words"


ACTIVATIONS = (
    "relu",
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
    "linear",
)

#: How activations are written in labels.
ACTIVATION_LABELS = {
    "relu": "ReLU",
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
    "linear": "linear",
    "prelu": "PReLU",
}

_ACT_ALIASES = {"swish": "silu", "leaky_relu": "leakyrelu", "identity": "linear", "none": "linear"}


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


class Kind(NamedTuple):
    """A layer kind: its arguments in order and the bare words that set one of them."""

    name: str
    args: tuple[Arg, ...]
    aliases: tuple[str, ...] = ()
    summary: str = ""
    has_params: bool = False
    flags: tuple[tuple[str, str, ArgValue], ...] = ()

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
_POOL_STRIDE = Arg("stride", ArgType.AXES, None, aliases=("strides", "s"))
_CEIL = Arg("ceil", ArgType.BOOL, False, aliases=("ceil_mode",))
_AFFINE = Arg("affine", ArgType.BOOL, True, aliases=("elementwise_affine",))
_NORM_FLAGS = (("frozen", "trainable", False),)
_UNITS = Arg("units", ArgType.POS_INT, required=True, positional=True, aliases=("out_features",))

_KINDS: tuple[Kind, ...] = (
    Kind(
        "input",
        (
            Arg("shape", ArgType.SHAPE, required=True, positional=True),
            Arg("channels_last", ArgType.BOOL, False),
        ),
        aliases=("I", "inputs"),
        summary="the input tensor",
        flags=(
            ("channels_last", "channels_last", True),
            ("channels_first", "channels_last", False),
        ),
    ),
    Kind(
        "conv",
        (_FILTERS, _KERNEL, _STRIDE, _PAD, _DILATION, _GROUPS, _BIAS, _act(), _TRAINABLE),
        aliases=("C", "conv1d", "conv2d", "conv3d", "convolution"),
        summary="convolution",
        has_params=True,
        flags=_CONV_FLAGS,
    ),
    Kind(
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
        aliases=(
            "convtranspose",
            "convtranspose1d",
            "convtranspose2d",
            "convtranspose3d",
            "conv2dtranspose",
            "conv1dtranspose",
            "conv3dtranspose",
            "transposedconv",
        ),
        summary="transposed convolution",
        has_params=True,
        flags=_CONV_FLAGS,
    ),
    Kind(
        "sepconv",
        (_FILTERS, _KERNEL, _STRIDE, _PAD, _DILATION, _DM, _BIAS, _act(), _TRAINABLE),
        aliases=("separableconv", "separableconv1d", "separableconv2d"),
        summary="depthwise-separable convolution",
        has_params=True,
        flags=_CONV_FLAGS,
    ),
    Kind(
        "dwconv",
        (_KERNEL, _STRIDE, _PAD, _DILATION, _DM, _BIAS, _act(), _TRAINABLE),
        aliases=("depthwiseconv", "depthwiseconv1d", "depthwiseconv2d"),
        summary="depthwise convolution",
        has_params=True,
        flags=_CONV_FLAGS,
    ),
    Kind(
        "maxpool",
        (_POOL_SIZE, _POOL_STRIDE, _PAD, _DILATION, _CEIL),
        aliases=(
            "P",
            "maxpool1d",
            "maxpool2d",
            "maxpool3d",
            "maxpooling1d",
            "maxpooling2d",
            "maxpooling3d",
            "max_pool",
        ),
        summary="max pooling",
        flags=(*_PAD_FLAGS, ("ceil", "ceil", True)),
    ),
    Kind(
        "avgpool",
        (_POOL_SIZE, _POOL_STRIDE, _PAD, _CEIL),
        aliases=(
            "avgpool1d",
            "avgpool2d",
            "avgpool3d",
            "averagepooling1d",
            "averagepooling2d",
            "averagepooling3d",
            "avg_pool",
        ),
        summary="average pooling",
        flags=(*_PAD_FLAGS, ("ceil", "ceil", True)),
    ),
    Kind(
        "globalavgpool",
        (Arg("keepdims", ArgType.BOOL, False),),
        aliases=(
            "gap",
            "globalaveragepooling1d",
            "globalaveragepooling2d",
            "globalaveragepooling3d",
        ),
        summary="global average pooling",
        flags=(("keepdims", "keepdims", True),),
    ),
    Kind(
        "globalmaxpool",
        (Arg("keepdims", ArgType.BOOL, False),),
        aliases=("gmp", "globalmaxpooling1d", "globalmaxpooling2d", "globalmaxpooling3d"),
        summary="global max pooling",
        flags=(("keepdims", "keepdims", True),),
    ),
    Kind(
        "adaptiveavgpool",
        (Arg("out", ArgType.AXES, required=True, positional=True, aliases=("output_size",)),),
        aliases=("adaptiveavgpool1d", "adaptiveavgpool2d", "adaptiveavgpool3d"),
        summary="adaptive average pooling",
    ),
    Kind(
        "adaptivemaxpool",
        (Arg("out", ArgType.AXES, required=True, positional=True, aliases=("output_size",)),),
        aliases=("adaptivemaxpool1d", "adaptivemaxpool2d", "adaptivemaxpool3d"),
        summary="adaptive max pooling",
    ),
    Kind(
        "dense",
        (_UNITS, _BIAS, _act(), _TRAINABLE),
        aliases=("H", "fc", "linear", "fullyconnected", "hidden"),
        summary="fully connected",
        has_params=True,
        flags=(("nobias", "bias", False), ("frozen", "trainable", False)),
    ),
    Kind(
        "output",
        (_UNITS, _BIAS, _act("softmax"), _TRAINABLE),
        aliases=("O",),
        summary="fully connected output",
        has_params=True,
        flags=(("nobias", "bias", False), ("frozen", "trainable", False)),
    ),
    Kind("flatten", (), aliases=("F",), summary="flatten"),
    Kind(
        "dropout",
        (Arg("rate", ArgType.RATE, 0.5, positional=True, aliases=("p",)),),
        aliases=("D", "dropout1d", "dropout2d", "dropout3d", "spatialdropout"),
        summary="dropout",
    ),
    Kind(
        "batchnorm",
        (
            _AFFINE,
            Arg("running_stats", ArgType.BOOL, True, aliases=("track_running_stats",)),
            _TRAINABLE,
        ),
        aliases=("N", "bn", "batchnorm1d", "batchnorm2d", "batchnorm3d", "batchnormalization"),
        summary="batch normalisation",
        has_params=True,
        flags=_NORM_FLAGS,
    ),
    Kind(
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
            _TRAINABLE,
        ),
        aliases=("gn", "groupnormalization"),
        summary="group normalisation",
        has_params=True,
        flags=_NORM_FLAGS,
    ),
    Kind(
        "layernorm",
        (
            Arg("over", ArgType.CHOICE, "all", choices=("all", "channels")),
            _AFFINE,
            _BIAS,
            _TRAINABLE,
        ),
        aliases=("ln", "layernormalization"),
        summary="layer normalisation",
        has_params=True,
        flags=(("all", "over", "all"), ("channels", "over", "channels"), *_NORM_FLAGS),
    ),
    Kind(
        "instancenorm",
        (
            Arg("affine", ArgType.BOOL, False),
            Arg("running_stats", ArgType.BOOL, False, aliases=("track_running_stats",)),
            _TRAINABLE,
        ),
        aliases=("instancenorm1d", "instancenorm2d", "instancenorm3d"),
        summary="instance normalisation",
        has_params=True,
        flags=(("affine", "affine", True), *_NORM_FLAGS),
    ),
    Kind(
        "lrn",
        (Arg("size", ArgType.POS_INT, required=True, positional=True),),
        aliases=("localresponsenorm",),
        summary="local response normalisation",
    ),
    Kind(
        "prelu",
        (Arg("channelwise", ArgType.BOOL, False), _TRAINABLE),
        summary="parametric ReLU",
        has_params=True,
        flags=(("channelwise", "channelwise", True), ("frozen", "trainable", False)),
    ),
    Kind(
        "leakyrelu",
        (Arg("slope", ArgType.NUMBER, 0.01, positional=True, aliases=("negative_slope", "alpha")),),
        summary="leaky ReLU",
    ),
    Kind(
        "elu",
        (Arg("alpha", ArgType.NUMBER, 1.0, positional=True),),
        summary="ELU",
    ),
    *(
        Kind(name, (), aliases=aliases, summary=ACTIVATION_LABELS[name])
        for name, aliases in (
            ("relu", ()),
            ("selu", ()),
            ("gelu", ()),
            ("silu", ("swish",)),
            ("sigmoid", ()),
            ("tanh", ()),
            ("softmax", ()),
            ("softplus", ()),
            ("hardswish", ()),
        )
    ),
    Kind(
        "upsample",
        (
            Arg(
                "scale",
                ArgType.AXES,
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
        aliases=("upsampling1d", "upsampling2d", "upsampling3d", "upsampling"),
        summary="upsampling",
        flags=tuple(
            (m, "mode", m) for m in ("nearest", "linear", "bilinear", "bicubic", "trilinear")
        ),
    ),
    Kind(
        "zeropad",
        (Arg("pad", ArgType.PAIRS, required=True, positional=True, aliases=("padding", "p")),),
        aliases=(
            "zeropadding1d",
            "zeropadding2d",
            "zeropadding3d",
            "zeropad1d",
            "zeropad2d",
            "zeropad3d",
        ),
        summary="zero padding",
    ),
    Kind(
        "crop",
        (Arg("crop", ArgType.PAIRS, required=True, positional=True, aliases=("cropping",)),),
        aliases=("cropping1d", "cropping2d", "cropping3d"),
        summary="cropping",
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
        aliases=("view",),
        summary="reshape",
    ),
)

#: Kinds that combine several inputs; their positional arguments name the layers they read.
MERGES = ("add", "multiply", "concat")
_MERGE_KINDS = (
    Kind("add", (), aliases=("sum",), summary="element-wise sum"),
    Kind("multiply", (), aliases=("mul", "product"), summary="element-wise product"),
    Kind(
        "concat",
        (Arg("axis", ArgType.CHOICE, "channels", choices=("channels",)),),
        aliases=("concatenate", "cat"),
        summary="concatenation along the channels",
    ),
)
_KINDS = (*_KINDS, *_MERGE_KINDS)

KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}

#: Blocks of the spec language; they expand to layers (see spec/validate.py).
BLOCKS: dict[str, Kind] = {
    "residual": Kind("residual", (_act(),), summary="body + shortcut, summed"),
    "parallel": Kind(
        "parallel",
        (Arg("merge", ArgType.CHOICE, "concat", choices=MERGES),),
        summary="branches from one input, merged",
        flags=tuple((merge, "merge", merge) for merge in MERGES),
    ),
    "repeat": Kind(
        "repeat",
        (Arg("n", ArgType.POS_INT, required=True, positional=True, aliases=("times",)),),
        summary="the body n times in a row",
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
