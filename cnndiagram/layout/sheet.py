"""Layout stage: one figure's columns measured and planned (the `Sheet` every arrangement
draws from), and how a column's block is drawn wherever an arrangement puts it."""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.layout.blocks import MERGE_NODES, Block, cuboid, merge_node
from cnndiagram.layout.columns import Column
from cnndiagram.layout.measure import Metrics, Texts
from cnndiagram.layout.placement import Plan
from cnndiagram.layout.scene import Primitive
from cnndiagram.layout.text import ascent, descent
from cnndiagram.layout.theme import Theme, luminance
from cnndiagram.options import FigureOptions

ROWS = ("name", "label", "size", "formulas", "params", "macs", "rf", "repeat")


class Sheet(NamedTuple):
    """One figure's columns, measured and planned: what every stage after planning reads."""

    columns: list[Column]
    blocks: list[Block]
    lines: list[dict[str, list[str]]]  # per column: its text rows broken into lines
    where: Plan
    slot: dict[int, float]  # per rank: the width of its widest column, gap included
    m: Metrics
    options: FigureOptions
    theme: Theme
    texts: Texts
    key: list[str]  # formulas moved under the figure (`layout.key`), numbered in order


def column_shapes(
    sheet: Sheet, index: int, left: float, centre: float, mid: float
) -> list[Primitive]:
    """A column's block (a cuboid, a merge node, or a lettered box) at its place."""
    column, block, theme = sheet.columns[index], sheet.blocks[index], sheet.theme
    fill = theme.fills[column.category]
    if column.result.kind in MERGE_NODES:
        return merge_node(centre, mid, block, column.result.kind, fill, theme)
    shapes = cuboid(left, mid, block, fill, theme)
    if sheet.options.style == "flat":
        size = 1.25 * sheet.options.font_size
        colour = "#ffffff" if luminance(fill) < 0.3 else "#1a1a1a"
        baseline = mid + (ascent(size, True, sheet.m.face) - descent(size, True, sheet.m.face)) / 2
        shapes.append(
            sheet.texts.make(
                centre, baseline, column.letter, size, bold=True, fill=colour, role="letter"
            )
        )
    return shapes
