"""Engine stage: rules of the convolution family (conv, deconv, sepconv, dwconv).

Parameter counts follow PyTorch's `Conv*d` / `ConvTranspose*d` and Keras'
`SeparableConv*D` / `DepthwiseConv*D`:

* conv:    weight filters * (C_in/groups) * prod(kernel), bias filters
* deconv:  weight C_in * (filters/groups) * prod(kernel), bias filters
* sepconv: depthwise prod(kernel) * C_in * dm, pointwise C_in * dm * filters, bias filters
* dwconv:  weight prod(kernel) * C_in * dm, bias C_in * dm
"""

from __future__ import annotations

from math import prod

from cnndiagram.engine.formulas import Expr, Formula, add, div, formula, mul, render
from cnndiagram.engine.registry import Ctx, Formulas, Op, RfStep, RuleError, register
from cnndiagram.engine.windows import (
    Pad,
    transposed_expr,
    transposed_size,
    window_expr,
    window_size,
)


def _geometry(ctx: Ctx, kernel_key: str = "kernel") -> tuple[tuple[int, ...], ...]:
    ctx.require_spatial()
    kernel = ctx.axes(kernel_key)
    # A stride left unset (pooling's default) steps by the whole window.
    stride = ctx.axes("stride", ctx.args[kernel_key])
    dilation = ctx.axes("dilation", 1)
    return kernel, stride, dilation


def sizes(ctx: Ctx, kernel_key: str = "kernel", ceil: bool = False) -> tuple[int, ...]:
    """Sliding-window output size per axis; fails with the formula when a window does not fit."""
    kernel, stride, dilation = _geometry(ctx, kernel_key)
    pads = ctx.pads()
    out = []
    for axis, n in enumerate(ctx.spatial):
        k, s, p, d = kernel[axis], stride[axis], pads[axis], dilation[axis]
        size = window_size(n, k, s, p, d, ceil)
        if size < 1:
            expr = render(window_expr(n, k, s, p, d, ceil))
            raise RuleError(
                f"output {ctx.axis_name(axis)} {expr} = {size} < 1: the kernel of {k} "
                f"(dilation {d}) does not fit the {n} input positions"
            )
        out.append(size)
    return tuple(out)


def size_formulas(ctx: Ctx, ceil: bool = False, kernel_key: str = "kernel") -> tuple[Formula, ...]:
    kernel, stride, dilation = _geometry(ctx, kernel_key)
    pads = ctx.pads()
    return tuple(
        formula(window_expr(n, kernel[i], stride[i], pads[i], dilation[i], ceil), ctx.axis_label(i))
        for i, n in enumerate(ctx.spatial)
    )


def window_rf(ctx: Ctx, kernel_key: str = "kernel") -> RfStep:
    kernel, stride, dilation = _geometry(ctx, kernel_key)
    return tuple((dilation[i] * (kernel[i] - 1) + 1, stride[i]) for i in range(len(ctx.spatial)))


def _groups(ctx: Ctx, filters: int) -> int:
    groups = ctx.integer("groups")
    if ctx.channels % groups:
        raise RuleError(f"groups={groups} must divide the {ctx.channels} input channels")
    if filters % groups:
        raise RuleError(f"groups={groups} must divide the {filters} filters")
    return groups


def _per_filter(ctx: Ctx, kernel: tuple[int, ...], groups: int) -> Expr:
    channels: Expr | int = ctx.channels if groups == 1 else div(ctx.channels, groups)
    return mul(*kernel, channels)


# -- conv ---------------------------------------------------------------------------------------


def _conv_shape(ctx: Ctx) -> tuple[int, ...]:
    filters = ctx.integer("filters")
    _groups(ctx, filters)
    return (filters, *sizes(ctx))


def _conv_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    filters, groups = ctx.integer("filters"), ctx.integer("groups")
    weights = filters * (ctx.channels // groups) * prod(ctx.axes("kernel"))
    return weights + (filters if ctx.flag("bias") else 0), 0


def _conv_param_formula(ctx: Ctx, filters: int) -> Expr:
    per_filter = _per_filter(ctx, ctx.axes("kernel"), ctx.integer("groups"))
    if ctx.flag("bias"):
        return mul(add(per_filter, 1), filters)
    return mul(per_filter, filters)


def _conv_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    return Formulas(size_formulas(ctx), formula(_conv_param_formula(ctx, ctx.integer("filters"))))


def _conv_macs(ctx: Ctx, out: tuple[int, ...]) -> int:
    groups = ctx.integer("groups")
    return prod(out) * (ctx.channels // groups) * prod(ctx.axes("kernel"))


register(
    "conv",
    op=Op(
        shape=_conv_shape,
        params=_conv_params,
        formulas=_conv_formulas,
        macs=_conv_macs,
        rf=lambda ctx, out: window_rf(ctx),
        rule="out = floor((in + 2p - d(k - 1) - 1)/s) + 1 per spatial axis (same: ceil(in/s))",
        param_rule="(k_1*...*k_n*C_in/groups + 1)*filters: one kernel per filter over its "
        "group's input channels, plus one bias per filter",
        param_rule_nobias="k_1*...*k_n*C_in/groups*filters: one kernel per filter over its "
        "group's input channels, and no bias",
    ),
)


# -- deconv -------------------------------------------------------------------------------------


def _deconv_axes(ctx: Ctx) -> list[tuple[int, int, int, Pad, int, int]]:
    kernel, stride, dilation = _geometry(ctx)
    pads = ctx.pads()
    output_pad = ctx.axes("output_pad", 0)
    axes = []
    for i, n in enumerate(ctx.spatial):
        k, s, p, d, op = kernel[i], stride[i], pads[i], dilation[i], output_pad[i]
        if op and op >= s and op >= d:
            raise RuleError(
                f"output_pad {op} must be smaller than the stride ({s}) or the dilation ({d})"
            )
        if op and p == "same":
            p = (d * (k - 1) + 1) // 2  # Keras' padding for 'same' with output_padding
        axes.append((n, k, s, p, op, d))
    return axes


def _deconv_shape(ctx: Ctx) -> tuple[int, ...]:
    filters = ctx.integer("filters")
    _groups(ctx, filters)
    out = []
    for i, (n, k, s, p, op, d) in enumerate(_deconv_axes(ctx)):
        size = transposed_size(n, k, s, p, op, d)
        if size < 1:
            expr = render(transposed_expr(n, k, s, p, op, d))
            raise RuleError(f"output {ctx.axis_name(i)} {expr} = {size} < 1")
        out.append(size)
    return (filters, *out)


def _deconv_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    sizes_ = tuple(
        formula(transposed_expr(*axis), ctx.axis_label(i))
        for i, axis in enumerate(_deconv_axes(ctx))
    )
    return Formulas(sizes_, formula(_conv_param_formula(ctx, ctx.integer("filters"))))


def _deconv_macs(ctx: Ctx, out: tuple[int, ...]) -> int:
    # Every input position scatters one kernel into each filter of its group.
    groups = ctx.integer("groups")
    return (
        prod(ctx.spatial)
        * ctx.channels
        * (ctx.integer("filters") // groups)
        * prod(ctx.axes("kernel"))
    )


def _deconv_rf(ctx: Ctx, out: tuple[int, ...]) -> RfStep:
    from fractions import Fraction

    return tuple(
        (-(-(d * (k - 1) + 1) // s), Fraction(1, s)) for _, k, s, _, _, d in _deconv_axes(ctx)
    )


register(
    "deconv",
    op=Op(
        shape=_deconv_shape,
        params=_conv_params,
        formulas=_deconv_formulas,
        macs=_deconv_macs,
        rf=_deconv_rf,
        rule="out = (in - 1)*s - 2p + d(k - 1) + output_pad + 1 per spatial axis "
        "(same: in*s; valid: in*s + max(d(k - 1) + 1 - s, 0))",
        param_rule="(k_1*...*k_n*C_in/groups + 1)*filters, the same count as the convolution "
        "it transposes",
        param_rule_nobias="k_1*...*k_n*C_in/groups*filters, the same count as the convolution "
        "it transposes, and no bias",
    ),
)


# -- sepconv and dwconv -------------------------------------------------------------------------


def _sep_shape(ctx: Ctx) -> tuple[int, ...]:
    return (ctx.integer("filters"), *sizes(ctx))


def _sep_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    mid = ctx.channels * ctx.integer("depth_multiplier")
    filters = ctx.integer("filters")
    count = prod(ctx.axes("kernel")) * mid + mid * filters
    return count + (filters if ctx.flag("bias") else 0), 0


def _sep_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    kernel, dm, filters = (
        ctx.axes("kernel"),
        ctx.integer("depth_multiplier"),
        ctx.integer("filters"),
    )
    mid: tuple[int, ...] = (ctx.channels, dm) if dm > 1 else (ctx.channels,)
    expr = add(mul(*kernel, *mid), mul(*mid, filters))
    if ctx.flag("bias"):
        expr = add(expr, filters)
    return Formulas(size_formulas(ctx), formula(expr))


def _sep_macs(ctx: Ctx, out: tuple[int, ...]) -> int:
    mid = ctx.channels * ctx.integer("depth_multiplier")
    positions = prod(out[1:])
    return positions * mid * prod(ctx.axes("kernel")) + positions * mid * ctx.integer("filters")


register(
    "sepconv",
    op=Op(
        shape=_sep_shape,
        params=_sep_params,
        formulas=_sep_formulas,
        macs=_sep_macs,
        rf=lambda ctx, out: window_rf(ctx),
        rule="the depthwise step sets the size: out = floor((in + 2p - d(k - 1) - 1)/s) + 1",
        param_rule="k_1*...*k_n*C_in*dm depthwise + C_in*dm*filters pointwise + filters biases",
        param_rule_nobias="k_1*...*k_n*C_in*dm depthwise + C_in*dm*filters pointwise, and no bias",
    ),
)


def _dw_shape(ctx: Ctx) -> tuple[int, ...]:
    return (ctx.channels * ctx.integer("depth_multiplier"), *sizes(ctx))


def _dw_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    mid = ctx.channels * ctx.integer("depth_multiplier")
    return prod(ctx.axes("kernel")) * mid + (mid if ctx.flag("bias") else 0), 0


def _dw_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    kernel, dm = ctx.axes("kernel"), ctx.integer("depth_multiplier")
    mid: tuple[int, ...] = (ctx.channels, dm) if dm > 1 else (ctx.channels,)
    per_channel: Expr = add(mul(*kernel), 1) if ctx.flag("bias") else mul(*kernel)
    return Formulas(size_formulas(ctx), formula(mul(per_channel, *mid)))


register(
    "dwconv",
    op=Op(
        shape=_dw_shape,
        params=_dw_params,
        formulas=_dw_formulas,
        macs=lambda ctx, out: prod(out) * prod(ctx.axes("kernel")),
        rf=lambda ctx, out: window_rf(ctx),
        rule="out = floor((in + 2p - d(k - 1) - 1)/s) + 1 per spatial axis; "
        "channels C_in*depth_multiplier",
        param_rule="(k_1*...*k_n + 1)*C_in*dm: one kernel and one bias per output channel",
        param_rule_nobias="k_1*...*k_n*C_in*dm: one kernel per output channel, and no bias",
    ),
)
