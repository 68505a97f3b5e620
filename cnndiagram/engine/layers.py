"""Engine stage: rules of dense, reshaping, channel, resampling, padding and activation layers.

`dense` and `output` flatten a multi-dimensional input first (Lasagne's `DenseLayer`,
as in the seed question), so their weights are (prod(input) + 1) * units, written as
the input's dimensions: (32*5*5 + 1)*256.
"""

from __future__ import annotations

import math
from math import prod
from typing import TYPE_CHECKING

from cnndiagram.catalog import ACTIVATIONS
from cnndiagram.engine.formulas import Expr, add, div, evaluate, floor_div, formula, mul, sub
from cnndiagram.engine.registry import KEEP, Ctx, Formulas, Op, RfStep, RuleError, register
from cnndiagram.ir import stored_shape

if TYPE_CHECKING:
    from fractions import Fraction  # imported when needed: only upsampling uses fractions


def _none_rf(ctx: Ctx, out: tuple[int, ...]) -> RfStep:
    return None


def _features(ctx: Ctx) -> Expr:
    """The flattened input size as the product of its dimensions, in the spec's order."""
    return mul(*ctx.display_dims())


# -- dense and output ---------------------------------------------------------------------------


def _dense_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    units = ctx.integer("units")
    return (prod(ctx.shape) + (1 if ctx.flag("bias") else 0)) * units, 0


def _dense_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    units = ctx.integer("units")
    if ctx.flag("bias"):
        return Formulas(params=formula(mul(add(_features(ctx), 1), units)))
    return Formulas(params=formula(mul(_features(ctx), units)))


_DENSE = Op(
    shape=lambda ctx: (ctx.integer("units"),),
    params=_dense_params,
    formulas=_dense_formulas,
    macs=lambda ctx, out: prod(ctx.shape) * ctx.integer("units"),
    rf=_none_rf,
    rule="out = units; a multi-dimensional input is flattened first",
    param_rule="(n_in + 1)*units: one weight from every input to every unit, plus one bias "
    "per unit",
    param_rule_nobias="n_in*units: one weight from every input to every unit, and no bias",
)
register("dense", "output", op=_DENSE)


# -- flatten and reshape ------------------------------------------------------------------------


def _flatten_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    if len(ctx.shape) == 1:
        return Formulas()
    return Formulas((formula(_features(ctx)),))


register(
    "flatten",
    op=Op(
        shape=lambda ctx: (prod(ctx.shape),),
        formulas=_flatten_formulas,
        rf=_none_rf,
        rule="out = the product of the input's dimensions",
    ),
)


def _target(ctx: Ctx) -> tuple[int, ...]:
    value = ctx.args["shape"]
    assert isinstance(value, tuple)
    return stored_shape(tuple(int(v) for v in value if isinstance(v, int)), ctx.channels_last)


def _target_out(ctx: Ctx) -> tuple[int, ...]:
    value = ctx.args["out"]
    assert isinstance(value, tuple)
    return stored_shape(tuple(int(v) for v in value if isinstance(v, int)), ctx.channels_last)


def _reshape_shape(ctx: Ctx) -> tuple[int, ...]:
    dims = _target(ctx)
    total = prod(ctx.shape)
    known = prod(d for d in dims if d != -1)
    shown_in = "x".join(map(str, ctx.display_dims()))
    shown_out = "x".join(map(str, ctx.display_dims(dims)))
    if -1 in dims:
        if total % known:
            raise RuleError(
                f"cannot reshape {shown_in} ({total:,} values) into {shown_out}: "
                f"{total:,} is not divisible by {known:,}"
            )
        return tuple(total // known if d == -1 else d for d in dims)
    if known != total:
        raise RuleError(
            f"cannot reshape {shown_in} ({total:,} values) into {shown_out} ({known:,} values)"
        )
    return dims


def _reshape_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    dims = _target(ctx)
    if -1 not in dims:
        return Formulas()
    known = [d for d in ctx.display_dims(dims) if d != -1]
    return Formulas((formula(div(_features(ctx), mul(*known))),))


register(
    "reshape",
    op=Op(
        shape=_reshape_shape,
        formulas=_reshape_formulas,
        rf=_none_rf,
        rule="out = the given dimensions (a -1 takes what is left); the value count is kept",
    ),
)


# -- identity-shaped layers ---------------------------------------------------------------------


def _lrn_shape(ctx: Ctx) -> tuple[int, ...]:
    # PyTorch's LocalResponseNorm needs a channel axis and at least one more (3D input with
    # the batch); it refuses a feature vector.
    ctx.require_spatial()
    return ctx.shape


register("dropout", op=Op(param_rule="no learnable parameters: units are dropped at random"))
register(
    "lrn",
    op=Op(shape=_lrn_shape, param_rule="no learnable parameters: fixed constants"),
)
for _name in ACTIVATIONS:
    if _name != "linear":
        register(_name, op=Op(param_rule="no learnable parameters"))


def _prelu_count(ctx: Ctx) -> int:
    """PyTorch's `num_parameters`: 1 (one shared slope) or the channel count; anything else
    fails in PyTorch's forward pass ("Mismatch of parameter numbers and input channel size")."""
    count = ctx.args.get("n")
    channels = ctx.channels
    if count is None:
        return channels if ctx.flag("channelwise") else 1
    assert isinstance(count, int)
    if ctx.flag("channelwise") and count != channels:
        raise RuleError(f"channelwise=true means {channels} slopes, but n is {count}")
    if count not in (1, channels):
        raise RuleError(
            f"{count} slopes for {channels} channels: PyTorch's PReLU takes 1 or one per "
            f"channel ({channels})"
        )
    return count


def _prelu_shape(ctx: Ctx) -> tuple[int, ...]:
    _prelu_count(ctx)
    return ctx.shape


register(
    "prelu",
    op=Op(
        shape=_prelu_shape,
        params=lambda ctx, out: (_prelu_count(ctx), 0),
        formulas=lambda ctx, out: Formulas(params=formula(add(_prelu_count(ctx)))),
        param_rule="one learned slope, or one per channel (n = C, or channelwise=true)",
    ),
)


# -- channel split and shuffle ------------------------------------------------------------------


def _chunk_shape(ctx: Ctx) -> tuple[int, ...]:
    chunks, index = ctx.integer("chunks"), ctx.integer("index")
    if index >= chunks:
        raise RuleError(f"index {index} is not one of the {chunks} chunks (0 to {chunks - 1})")
    if ctx.channels % chunks:
        # torch.chunk would make the last slice smaller; the layer is meant as an equal split.
        raise RuleError(f"{chunks} chunks do not divide the {ctx.channels} channels")
    return (ctx.channels // chunks, *ctx.spatial)


register(
    "chunk",
    op=Op(
        shape=_chunk_shape,
        formulas=lambda ctx, out: Formulas(
            (formula(div(ctx.channels, ctx.integer("chunks")), "C"),)
        ),
        rule="C_out = C/n (n must divide C); the spatial size is kept",
    ),
)


def _shuffle_shape(ctx: Ctx) -> tuple[int, ...]:
    ctx.require_spatial()  # nn.ChannelShuffle wants at least 3 dimensions with the batch
    groups = ctx.integer("groups")
    if ctx.channels % groups:
        raise RuleError(f"{groups} groups do not divide the {ctx.channels} channels")
    return ctx.shape


register(
    "channelshuffle",
    op=Op(
        shape=_shuffle_shape,
        rule="the output has the shape of the input: its channels are reordered across groups",
    ),
)


# -- upsampling, padding, cropping --------------------------------------------------------------


def _scales(ctx: Ctx) -> tuple[int | float, ...]:
    """The scale factor per spatial axis (one value stands for every axis)."""
    value = ctx.args["scale"]
    rank = ctx.require_spatial()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (value,) * rank
    assert isinstance(value, tuple)
    if len(value) != rank:
        shown = "x".join(str(v) for v in value)
        raise RuleError(
            f"scale {shown} has {len(value)} values but the input has {rank} spatial "
            f"dimension{'s' if rank > 1 else ''}"
        )
    return tuple(v for v in value if isinstance(v, (int, float)))


def _upsampled(n: int, scale: int | float) -> int:
    """PyTorch's size rule: floor(in*scale), computed as it does, in double precision."""
    return n * scale if isinstance(scale, int) else math.floor(float(n) * scale)


def _upsample_shape(ctx: Ctx) -> tuple[int, ...]:
    out = []
    for axis, (n, s) in enumerate(zip(ctx.spatial, _scales(ctx))):
        size = _upsampled(n, s)
        if size < 1:
            raise RuleError(f"scale {s:g} leaves nothing of the {ctx.axis_name(axis)} of {n}")
        out.append(size)
    return (ctx.channels, *out)


def _ratio(scale: int | float) -> Fraction:
    from fractions import Fraction

    # The scale as written (1.5 is 3/2), not the binary float's exact value.
    return Fraction(scale) if isinstance(scale, int) else Fraction(repr(scale))


def _upsample_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    shown = []
    for i, (n, s) in enumerate(zip(ctx.spatial, _scales(ctx))):
        ratio = _ratio(s)
        if ratio.denominator == 1:
            expr = mul(n, ratio.numerator)
        else:
            expr = floor_div(mul(n, ratio.numerator), ratio.denominator)
        if evaluate(expr) != out[i + 1]:
            # floor(in*scale) in doubles differs from the exact product (in*1.15 for some
            # sizes): no formula, rather than one that does not equal the size.
            continue
        shown.append(formula(expr, ctx.axis_label(i)))
    return Formulas(tuple(shown))


def _upsample_rf(ctx: Ctx, out: tuple[int, ...]) -> RfStep:
    return tuple((1, 1 / _ratio(s)) for s in _scales(ctx))


register(
    "upsample",
    op=Op(
        shape=_upsample_shape,
        formulas=_upsample_formulas,
        rf=_upsample_rf,
        rule="out = floor(in*scale) per spatial axis (PyTorch's rule; in*scale for an integer "
        "scale)",
    ),
)


def _pairs(ctx: Ctx, key: str) -> tuple[tuple[int, int], ...]:
    rank = ctx.require_spatial()
    value = ctx.args[key]
    if isinstance(value, int):
        return ((value, value),) * rank
    assert isinstance(value, tuple)
    if rank == 1 and len(value) == 2 and all(isinstance(v, int) for v in value):
        value = (value,)  # one axis: [before, after], as Keras' ZeroPadding1D reads (1, 2)
    if len(value) != rank:
        raise RuleError(
            f"{key} has {len(value)} values but the input has {rank} spatial "
            f"dimension{'s' if rank > 1 else ''}"
        )
    out = []
    for item in value:
        if isinstance(item, int):
            out.append((item, item))
        else:
            assert isinstance(item, tuple)
            before, after = item
            assert isinstance(before, int) and isinstance(after, int)
            out.append((before, after))
    return tuple(out)


def _margin_expr(n: int, before: int, after: int, sign: int) -> Expr:
    grow = mul(2, before) if before == after else add(before, after)
    return add(n, grow) if sign > 0 else sub(n, grow)


def _margin_shape(key: str, sign: int) -> Op:
    def shape(ctx: Ctx) -> tuple[int, ...]:
        out = []
        for axis, (n, (before, after)) in enumerate(zip(ctx.spatial, _pairs(ctx, key))):
            size = n + sign * (before + after)
            if size < 1:
                raise RuleError(
                    f"cropping {before} + {after} from the {ctx.axis_name(axis)} of {n} "
                    "leaves nothing"
                )
            out.append(size)
        return (ctx.channels, *out)

    def formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
        return Formulas(
            tuple(
                formula(_margin_expr(n, before, after, sign), ctx.axis_label(i))
                for i, (n, (before, after)) in enumerate(zip(ctx.spatial, _pairs(ctx, key)))
            )
        )

    verb = "out = in + before + after" if sign > 0 else "out = in - before - after"
    return Op(shape=shape, formulas=formulas, rf=lambda ctx, out: KEEP, rule=verb)


register("zeropad", op=_margin_shape("pad", +1))
register("crop", op=_margin_shape("crop", -1))


# -- opaque: what an importer found no rule for -------------------------------------------------


def _opaque_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    return ctx.integer("params"), ctx.integer("buffers")


def _opaque_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    learned, fixed = ctx.integer("params"), ctx.integer("buffers")
    if not learned and not fixed:
        return Formulas()
    return Formulas(params=formula(add(learned, fixed) if fixed else add(learned)))


register(
    "opaque",
    op=Op(
        shape=_target_out,
        params=_opaque_params,
        formulas=_opaque_formulas,
        rf=_none_rf,
        rule="out = the shape the model file (or the trace) gives; the engine has no rule",
        param_rule="as given: the model's own count (learned, plus buffers such as running "
        "statistics)",
    ),
)
