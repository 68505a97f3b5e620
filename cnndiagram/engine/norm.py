"""Engine stage: rules of normalisation layers.

Counts follow PyTorch, split the way Keras reports them: learned scale and shift
(gamma, beta) are trainable; running mean and variance are non-trainable.

* batchnorm:    2C trainable (affine) + 2C non-trainable (running statistics); C trainable
                with only one of scale and shift (Keras' scale=False or center=False)
* standardize:  2C + 1 non-trainable (Keras' Normalization: mean, variance and the count of
                samples `adapt()` saw), none when the statistics are constants of the model
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


def _affine_parts(ctx: Ctx) -> int:
    """How many of scale and shift a batchnorm learns per channel (Keras can drop either)."""
    if not ctx.flag("affine"):
        return 0
    return int(ctx.args.get("scale") is not False) + int(ctx.args.get("bias") is not False)


def _batch_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    running = 2 * ctx.channels if ctx.args.get("running_stats") else 0
    return _affine_parts(ctx) * ctx.channels, running


def _batch_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    terms: list[Expr] = []
    parts = _affine_parts(ctx)
    if parts:
        terms.append(mul(2, ctx.channels) if parts == 2 else mul(ctx.channels))
    if ctx.args.get("running_stats"):
        terms.append(mul(2, ctx.channels))
    return Formulas(params=formula(add(*terms)) if terms else None)


register(
    "batchnorm",
    op=Op(
        params=_batch_params,
        formulas=_batch_formulas,
        param_rule="2*C learned (scale and shift per channel) + 2*C non-trainable running "
        "mean and variance",
        param_rule_nobias="C learned (a scale per channel, no shift) + 2*C non-trainable "
        "running mean and variance",
        param_rule_noscale="C learned (a shift per channel, no scale) + 2*C non-trainable "
        "running mean and variance",
    ),
)


def _standardize_params(ctx: Ctx, out: tuple[int, ...]) -> tuple[int, int]:
    # Keras' Normalization keeps, besides a mean and a variance per channel, the count of
    # samples `adapt()` saw as a weight of its own: 2C + 1, none of them trainable.
    return 0, (2 * ctx.channels + 1 if ctx.flag("adapted") else 0)


def _standardize_formulas(ctx: Ctx, out: tuple[int, ...]) -> Formulas:
    if not ctx.flag("adapted"):
        return Formulas()
    return Formulas(params=formula(add(mul(2, ctx.channels), 1)))


register(
    "standardize",
    op=Op(
        params=_standardize_params,
        formulas=_standardize_formulas,
        param_rule="no learnable parameters; 2*C + 1 non-trainable statistics when adapted "
        "(a mean and a variance per channel and the count of samples they came from), none "
        "when the model states them as constants",
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
