"""Engine stage: the registry mapping each layer kind to its rules (shape, parameters, formulas).

Rules receive a `Ctx` (the layer, its arguments and its input shape) and stay pure:
no I/O, no global state. A rule that cannot accept its input raises `RuleError`,
which `analysis.py` turns into a located `ShapeError` naming the layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple, Union

from cnndiagram.engine.formulas import Formula
from cnndiagram.engine.windows import AXIS_LABELS, AXIS_NAMES, Pad
from cnndiagram.ir import ArgValue, Layer, display_shape

if TYPE_CHECKING:
    from fractions import Fraction  # created lazily: only upsampling layers need fractions

#: A receptive-field step per spatial axis: (window, jump multiplier). Empty: unchanged.
#: None: the layer mixes every position (dense, flatten), so no receptive field follows.
RfStep = Union[tuple[tuple[int, Union[int, "Fraction"]], ...], None]

KEEP: RfStep = ()


class RuleError(Exception):
    """A layer cannot take its input; the message is completed with the layer's name."""


class Ctx:
    """What a rule sees: one layer, its arguments by name and its input shape (channels first)."""

    __slots__ = ("args", "channels_last", "inputs", "layer", "shape")

    def __init__(
        self,
        layer: Layer,
        shape: tuple[int, ...],
        channels_last: bool,
        inputs: tuple[tuple[int, ...], ...] = (),
    ) -> None:
        self.layer = layer
        self.args: dict[str, ArgValue] = dict(layer.args)
        self.shape = shape
        self.channels_last = channels_last
        #: Every input shape, for merges; `shape` is the first.
        self.inputs = inputs or (shape,)

    @property
    def channels(self) -> int:
        return self.shape[0]

    @property
    def spatial(self) -> tuple[int, ...]:
        return self.shape[1:]

    def display_dims(self, shape: tuple[int, ...] | None = None) -> tuple[int, ...]:
        """Dimensions in the order the spec writes them (channels last when asked)."""
        return display_shape(self.shape if shape is None else shape, self.channels_last)

    def integer(self, key: str) -> int:
        value = self.args[key]
        assert isinstance(value, int)
        return value

    def flag(self, key: str) -> bool:
        return bool(self.args[key])

    def require_spatial(self, what: str = "") -> int:
        """The spatial rank; a rule on a plain vector fails with a message saying what to add."""
        rank = len(self.shape) - 1
        if rank < 1:
            raise RuleError(
                f"{what or self.layer.kind} needs an input with spatial dimensions "
                f"(CxL, CxHxW or CxDxHxW), but its input is a vector of {self.shape[0]}"
            )
        return rank

    def axes(self, key: str, default: ArgValue = None) -> tuple[int, ...]:
        """A per-axis argument broadcast to the spatial rank (`3` means 3x3 on an image)."""
        value = self.args.get(key)
        if value is None:
            value = default
        rank = len(self.shape) - 1
        if isinstance(value, int):
            return (value,) * rank
        assert isinstance(value, tuple)
        if len(value) != rank:
            shown = "x".join(str(v) for v in value)
            raise RuleError(
                f"{key} {shown} has {len(value)} values but the input has {rank} spatial "
                f"dimension{'s' if rank > 1 else ''}"
            )
        return tuple(int(v) for v in value if isinstance(v, int))

    def pads(self, key: str = "pad") -> tuple[Pad, ...]:
        value = self.args[key]
        if isinstance(value, str):
            return (value,) * (len(self.shape) - 1)
        return self.axes(key)

    def axis_label(self, index: int) -> str:
        return AXIS_LABELS[len(self.shape) - 1][index]

    def axis_name(self, index: int) -> str:
        return AXIS_NAMES[len(self.shape) - 1][index]


class Formulas(NamedTuple):
    """Per-axis output-size formulas and the parameter formula (None when it has none)."""

    output: tuple[Formula, ...] = ()
    params: Formula | None = None


def _no_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    return 0, 0


def _no_macs(ctx: Ctx, out: tuple[int, ...]) -> int:
    return 0


def _same_shape(ctx: Ctx) -> tuple[int, ...]:
    return ctx.shape


def _no_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    return Formulas()


def _keep_rf(ctx: Ctx, out: tuple[int, ...]) -> RfStep:
    return KEEP


class Op(NamedTuple):
    """The rules of one layer kind. `rule` and `param_rule` state the general formula in words.
    `params` gives (learned parameters, running statistics); freezing is the engine's."""

    shape: Callable[[Ctx], tuple[int, ...]] = _same_shape
    params: Callable[[Ctx, tuple[int, ...]], tuple[int, int]] = _no_params
    formulas: Callable[[Ctx, tuple[int, ...]], Formulas] = _no_formulas
    macs: Callable[[Ctx, tuple[int, ...]], int] = _no_macs
    rf: Callable[[Ctx, tuple[int, ...]], RfStep] = _keep_rf
    rule: str = "the output has the shape of the input"
    param_rule: str = "no learnable parameters"
    notes: tuple[str, ...] = ()
    param_rule_nobias: str = ""  # the rule of a layer with bias=false, for kinds with a bias
    param_rule_noscale: str = ""  # the rule with scale=false (a batchnorm learning its shift)

    def stated_param_rule(self, args: Mapping[str, ArgValue]) -> str:
        """`param_rule`, or the rule without bias when the layer has none (a convolution
        before a BatchNorm usually has none: "plus one bias per filter" would be false), or
        without scale (InceptionV3's batchnorms in Keras learn only their shift)."""
        no_bias, no_scale = args.get("bias") is False, args.get("scale") is False
        if self.param_rule_nobias and no_bias and not no_scale:
            return self.param_rule_nobias
        if self.param_rule_noscale and no_scale and not no_bias:
            return self.param_rule_noscale
        return self.param_rule


REGISTRY: dict[str, Op] = {}


def register(*kinds: str, op: Op) -> None:
    for kind in kinds:
        if kind in REGISTRY:
            raise AssertionError(f"{kind} registered twice")
        REGISTRY[kind] = op
