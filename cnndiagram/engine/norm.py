"""Engine stage: rules of normalisation layers.

Counts follow PyTorch, split the way Keras reports them: learned scale and shift
(gamma, beta) are trainable; running mean and variance are non-trainable.

* batchnorm:    2C trainable (affine) + 2C non-trainable (running statistics)
* groupnorm:    2C trainable (affine); the groups must divide C
* layernorm:    2*prod(shape) over all per-sample dimensions (PyTorch's LayerNorm(shape)),
                or 2C over the channels only (Keras' default axis); 1x without bias
* instancenorm: like batchnorm, but PyTorch's defaults are affine=false, running_stats=false
"""

from __future__ import annotations

from math import prod

from cnndiagram.engine.formulas import Expr, add, formula, mul
from cnndiagram.engine.registry import Ctx, Formulas, Op, RuleError, register


def _two_c(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    channels = ctx.channels
    trainable = 2 * channels if ctx.flag("affine") else 0
    running = 2 * channels if ctx.args.get("running_stats") else 0
    return trainable, running


def _two_c_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    terms: list[Expr] = []
    if ctx.flag("affine"):
        terms.append(mul(2, ctx.channels))
    if ctx.args.get("running_stats"):
        terms.append(mul(2, ctx.channels))
    return Formulas(params=formula(add(*terms)) if terms else None)


register(
    "batchnorm",
    op=Op(
        params=_two_c,
        formulas=_two_c_formulas,
        param_rule="2*C learned (scale and shift per channel) + 2*C non-trainable running "
        "mean and variance",
    ),
)


def _instance_shape(ctx: Ctx) -> tuple[int, ...]:
    ctx.require_spatial()
    return ctx.shape


register(
    "instancenorm",
    op=Op(
        shape=_instance_shape,
        params=_two_c,
        formulas=_two_c_formulas,
        param_rule="none by default; 2*C with affine=true, + 2*C non-trainable with "
        "running_stats=true",
    ),
)


def _group_shape(ctx: Ctx) -> tuple[int, ...]:
    groups = ctx.integer("groups")
    if ctx.channels % groups:
        raise RuleError(f"{groups} groups do not divide the {ctx.channels} channels")
    return ctx.shape


register(
    "groupnorm",
    op=Op(
        shape=_group_shape,
        params=_two_c,
        formulas=_two_c_formulas,
        param_rule="2*C learned (scale and shift per channel)",
    ),
)


def _layer_dims(ctx: Ctx) -> tuple[int, ...]:
    return ctx.display_dims() if ctx.args["over"] == "all" else (ctx.channels,)


def _layer_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    if not ctx.flag("affine"):
        return 0, 0
    return (2 if ctx.flag("bias") else 1) * prod(_layer_dims(ctx)), 0


def _layer_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    if not ctx.flag("affine"):
        return Formulas()
    dims = _layer_dims(ctx)
    return Formulas(params=formula(mul(2, *dims) if ctx.flag("bias") else mul(*dims)))


register(
    "layernorm",
    op=Op(
        params=_layer_params,
        formulas=_layer_formulas,
        param_rule="2*n learned (scale and shift per normalised value): n = every per-sample "
        "value, or C with over=channels",
        param_rule_nobias="n learned (a scale per normalised value, no shift): n = every "
        "per-sample value, or C with over=channels",
    ),
)
