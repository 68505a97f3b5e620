"""Engine stage: rules of pooling layers (window, global and adaptive pooling).

Window pooling uses the convolution size rule with the stride defaulting to the
window size, plus PyTorch's `ceil_mode` and its check that padding is at most half
the window. Global pooling gives C (Keras) or C x 1 x 1 with `keepdims` (PyTorch's
adaptive pooling to 1). Adaptive pooling to `out` gives C x out; PyTorch's window i
spans [floor(i*in/out), ceil((i+1)*in/out)).
"""

from __future__ import annotations

from cnndiagram.engine.conv import size_formulas, sizes, window_rf
from cnndiagram.engine.registry import Ctx, Formulas, Op, RfStep, RuleError, register


def _check_pad(ctx: Ctx) -> None:
    pads = ctx.pads()
    for axis, (k, p) in enumerate(zip(ctx.axes("size"), pads)):
        if isinstance(p, int) and p > k // 2:
            raise RuleError(
                f"padding {p} along the {ctx.axis_name(axis)} is more than half the "
                f"window of {k} (PyTorch requires pad <= kernel/2)"
            )


def _pool_shape(ctx: Ctx) -> tuple[int, ...]:
    rank = ctx.require_spatial()
    _check_pad(ctx)
    if ctx.layer.kind == "avgpool" and rank == 3:
        # PyTorch's AvgPool3d (only it) also rejects a window larger than the input, padding
        # not counted (pool3d_shape_check: "input image ... smaller than kernel size").
        for axis, (n, k) in enumerate(zip(ctx.spatial, ctx.axes("size"))):
            if n < k:
                raise RuleError(
                    f"the window of {k} is larger than the {ctx.axis_name(axis)} of {n} "
                    "(PyTorch's AvgPool3d needs the input, without padding, at least as "
                    "large as its window)"
                )
    return (ctx.channels, *sizes(ctx, "size", ctx.flag("ceil")))


def _pool_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    return Formulas(size_formulas(ctx, ctx.flag("ceil"), "size"))


def _pool_rf(ctx: Ctx, out: tuple[int, ...]) -> RfStep:
    return window_rf(ctx, "size")


_POOL = Op(
    shape=_pool_shape,
    formulas=_pool_formulas,
    rf=_pool_rf,
    rule="out = floor((in + 2p - d(k - 1) - 1)/s) + 1 per spatial axis, stride defaulting to "
    "the window (ceil instead of floor with ceil=true; same: ceil(in/s))",
    param_rule="no learnable parameters: the window's maximum or mean is fixed",
)
register("maxpool", "avgpool", op=_POOL)


def _global_shape(ctx: Ctx) -> tuple[int, ...]:
    rank = ctx.require_spatial()
    return (ctx.channels, *(1,) * rank) if ctx.flag("keepdims") else (ctx.channels,)


def _global_rf(ctx: Ctx, out: tuple[int, ...]) -> RfStep:
    if not ctx.flag("keepdims"):
        return None
    return tuple((n, n) for n in ctx.spatial)


register(
    "globalavgpool",
    "globalmaxpool",
    op=Op(
        shape=_global_shape,
        rf=_global_rf,
        rule="one value per channel: out = C (C x 1 x ... with keepdims)",
        param_rule="no learnable parameters",
    ),
)


def _adaptive_shape(ctx: Ctx) -> tuple[int, ...]:
    ctx.require_spatial()
    return (ctx.channels, *ctx.axes("out"))


def _widest_window(n: int, out: int) -> int:
    if out > 4096:  # bound the scan; the widest window is at most ceil(n/out) + 1
        return -(-n // out) + 1
    return max(-(-(i + 1) * n // out) - (i * n) // out for i in range(out))


def _adaptive_rf(ctx: Ctx, out: tuple[int, ...]) -> RfStep:
    from fractions import Fraction

    return tuple(
        (_widest_window(n, o), Fraction(n, o)) for n, o in zip(ctx.spatial, ctx.axes("out"))
    )


register(
    "adaptiveavgpool",
    "adaptivemaxpool",
    op=Op(
        shape=_adaptive_shape,
        rf=_adaptive_rf,
        rule="out = the requested size per spatial axis; window i spans "
        "[floor(i*in/out), ceil((i+1)*in/out))",
        param_rule="no learnable parameters",
    ),
)
