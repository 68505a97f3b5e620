"""Engine stage: rules of merge layers (add, multiply, concat), which read several inputs.

`add` and `multiply` need identical shapes (no broadcasting, as in a ResNet or an
attention gate); `concat` joins along the channels, so every other dimension must agree:
C_out = C_1 + ... + C_n.
"""

from __future__ import annotations

from cnndiagram.engine.formulas import add, formula
from cnndiagram.engine.registry import Ctx, Formulas, Op, RuleError, register


def _shown(ctx: Ctx, shape: tuple[int, ...]) -> str:
    return "x".join(map(str, ctx.display_dims(shape)))


def _call(ctx: Ctx) -> str:
    return f"{ctx.layer.kind}({', '.join(ctx.layer.inputs)})"


def _same_shape(ctx: Ctx) -> tuple[int, ...]:
    shapes = ctx.inputs
    if len(set(shapes)) > 1:
        shown = " vs ".join(_shown(ctx, shape) for shape in shapes)
        raise RuleError(f"{_call(ctx)}: the shapes must be equal: {shown}")
    return shapes[0]


register(
    "add",
    "multiply",
    op=Op(
        shape=_same_shape,
        rule="out = the common shape of the inputs, combined element by element",
        param_rule="no learnable parameters",
    ),
)


def _concat_shape(ctx: Ctx) -> tuple[int, ...]:
    shapes = ctx.inputs
    if len({len(shape) for shape in shapes}) > 1 or len({shape[1:] for shape in shapes}) > 1:
        shown = " vs ".join(_shown(ctx, shape) for shape in shapes)
        raise RuleError(f"{_call(ctx)}: all sizes but the channels must match: {shown}")
    return (sum(shape[0] for shape in shapes), *shapes[0][1:])


register(
    "concat",
    op=Op(
        shape=_concat_shape,
        formulas=lambda ctx, out: Formulas(
            (formula(add(*(shape[0] for shape in ctx.inputs)), "C"),)
        ),
        rule="out channels = the sum of the inputs' channels; other sizes unchanged",
        param_rule="no learnable parameters",
    ),
)
