"""Engine stage: rules of merge layers (add, multiply, concat), which read several inputs.

`add` and `multiply` follow PyTorch's broadcasting: shapes are aligned from the last
dimension and each pair of sizes must be equal or 1 (a ResNet's add has equal shapes; a
squeeze-and-excitation gate multiplies C x H x W by C x 1 x 1). `concat` joins along the
channels, so every other dimension must agree: C_out = C_1 + ... + C_n.
"""

from __future__ import annotations

from cnndiagram.engine.formulas import add, formula
from cnndiagram.engine.registry import Ctx, Formulas, Op, RuleError, register


def _shown(ctx: Ctx, shape: tuple[int, ...]) -> str:
    return "x".join(map(str, ctx.display_dims(shape)))


def _call(ctx: Ctx) -> str:
    return f"{ctx.layer.kind}({', '.join(ctx.layer.inputs)})"


def _broadcast(ctx: Ctx) -> tuple[int, ...]:
    shapes = ctx.inputs
    rank = max(len(shape) for shape in shapes)
    padded = [(1,) * (rank - len(shape)) + shape for shape in shapes]
    out = []
    for sizes in zip(*padded):
        wide = {size for size in sizes if size != 1}
        if len(wide) > 1:
            shown = " vs ".join(_shown(ctx, shape) for shape in shapes)
            raise RuleError(
                f"{_call(ctx)}: the shapes must be equal (or 1 where they differ): {shown}"
            )
        out.append(wide.pop() if wide else 1)
    return tuple(out)


register(
    "add",
    "multiply",
    op=Op(
        shape=_broadcast,
        rule="out = the inputs' common shape (sizes of 1 broadcast), element by element",
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
