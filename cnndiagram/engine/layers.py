"""Engine stage: rules of dense, reshaping, resampling, padding and activation layers.

`dense` and `output` flatten a multi-dimensional input first (Lasagne's `DenseLayer`,
as in the seed question), so their weights are (prod(input) + 1) * units, written as
the input's dimensions: (32*5*5 + 1)*256.
"""

from __future__ import annotations

from math import prod

from cnndiagram.catalog import ACTIVATIONS
from cnndiagram.engine.formulas import Expr, add, div, formula, mul, sub
from cnndiagram.engine.registry import KEEP, Ctx, Formulas, Op, RfStep, RuleError, register
from cnndiagram.ir import stored_shape


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

register("dropout", op=Op(param_rule="no learnable parameters: units are dropped at random"))
register("lrn", op=Op(param_rule="no learnable parameters: fixed constants"))
for _name in ACTIVATIONS:
    if _name != "linear":
        register(_name, op=Op(param_rule="no learnable parameters"))


def _prelu_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    return (ctx.channels if ctx.flag("channelwise") else 1), 0


register(
    "prelu",
    op=Op(
        params=_prelu_params,
        formulas=lambda ctx, out: Formulas(
            params=formula(add(ctx.channels if ctx.flag("channelwise") else 1))
        ),
        param_rule="one learned slope, or one per channel with channelwise=true",
    ),
)


# -- upsampling, padding, cropping --------------------------------------------------------------


def _upsample_shape(ctx: Ctx) -> tuple[int, ...]:
    ctx.require_spatial()
    return (ctx.channels, *(n * s for n, s in zip(ctx.spatial, ctx.axes("scale"))))


def _upsample_rf(ctx: Ctx, out: tuple[int, ...]) -> RfStep:
    from fractions import Fraction

    return tuple((1, Fraction(1, s)) for s in ctx.axes("scale"))


register(
    "upsample",
    op=Op(
        shape=_upsample_shape,
        formulas=lambda ctx, out: Formulas(
            tuple(
                formula(mul(n, s), ctx.axis_label(i))
                for i, (n, s) in enumerate(zip(ctx.spatial, ctx.axes("scale")))
            )
        ),
        rf=_upsample_rf,
        rule="out = in*scale per spatial axis",
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
