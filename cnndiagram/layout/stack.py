"""Layout stage: the stacked arrangement, one column per line from top to bottom with its
text beside its block, for pages taller than they are wide (a paper's column), where no
row of columns fits at a readable size.

A row spends its height on every column's text and its width on the widest line of each;
a stack spends one or two lines of text per column and the page's width on the longest.
Blocks lie on their side, spatial size across and channels down, with a shallow depth, so
each is a slab no taller than its lines of text and sizes still read in order down the
page. Consecutive columns are joined by arrows down the blocks' axis; longer edges
(U-Net's skips, a residual's shortcut at `--detail layers`) run in the left margin, each
at its own level (the shortest innermost), in the line style of the layer they run into.
Only single-lane plans stack: parallel branches need the row's lanes.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.layout.blocks import Block
from cnndiagram.layout.columns import Column
from cnndiagram.layout.feeds import LINK_STYLES
from cnndiagram.layout.key import move_to_key
from cnndiagram.layout.measure import TIGHT, row_lines, row_size
from cnndiagram.layout.placement import Plan
from cnndiagram.layout.scene import Group, Line, Primitive
from cnndiagram.layout.sheet import Sheet, column_shapes
from cnndiagram.layout.text import Typeface, ascent, text_width

#: Pieces of one line of text: (text, row key); the row key decides the font and colour.
Piece = tuple[str, str]
#: Rows that share a line with the row before them when both fit: a name and what the
#: column is (or, with nothing to say what it is, its size), a size and its formula or else
#: its parameter count.
_JOINS = {"label": "name", "size": "name", "formulas": "size", "params": "size"}
#: Room between skip lines in the margin, and between a line's pieces (in em).
_SKIP_SPACING, _PIECE_GAP = 0.8, 1.2


def stackable(where: Plan) -> bool:
    """Whether the plan is one lane: every column follows the one before it."""
    return all(lane == 0 for lane in where.lane)


def slab(block: Block, f: float, across: float = 0.6) -> Block:
    """A block on its side: its height `across` (a fraction), its thickness down, a shallow
    depth."""
    if block.ox == 0 and block.oy == 0:
        return block  # a merge node or a lettered box reads the same either way
    return Block(
        across * block.h, max(0.35 * f, 0.55 * block.w), across * block.ox, 0.35 * block.oy
    )


class Stacked(NamedTuple):
    """The stacked columns as drawn: their items, the y below them, the width they take,
    and the formulas they moved into the key."""

    items: list[Primitive]
    y: float
    width: float
    key: list[str]


def stack(sheet: Sheet, y: float, width: float | None) -> Stacked:
    """Every column from `y` down, within `width` (units, margins included) when given."""
    m, f = sheet.m, sheet.m.f
    count = len(sheet.columns)
    tight = (sheet.options.compact or 1.0) <= TIGHT
    # At the tightest, narrower slabs leave the text more of the page's width.
    blocks = [slab(block, f, 0.45 if tight else 0.6) for block in sheet.blocks]
    sheet = sheet._replace(blocks=blocks)
    levels = _levels(sheet.columns, sheet.where)
    margin_lines = (max(levels.values()) + 1) * _SKIP_SPACING * f if levels else 0.0
    # The centre of every block's front face; the text starts past the deepest top face.
    axis = m.margin + margin_lines + max(block.w / 2 for block in blocks)
    text_x = max(axis + block.w / 2 + block.ox for block in blocks) + 1.2 * f
    limit = 2.0 * m.max_line if width is None else max(12 * f, width - m.margin - text_x)
    lines, key = move_to_key(
        sheet.columns,
        [row_lines(column, m, limit) for column in sheet.columns],
        [limit] * count,
        m,
        sheet.options.compact or 1.0,
    )
    tops: list[float] = []
    mids: list[float] = []
    items: list[Primitive] = []
    right = text_x
    # the arrow's run between two blocks, shorter at the tightest
    gap = (0.6 if tight else 1.0) * f
    for index in range(count):
        block = blocks[index]
        text = _text_lines(lines[index], m.f, m.face, limit)
        text_height = len(text) * m.line
        block_height = block.h - block.oy
        height = max(text_height, block_height)
        mid = y + (height - block_height) / 2 - block.oy + block.h / 2
        tops.append(mid - block.h / 2 + block.oy)
        mids.append(mid)
        shapes = column_shapes(sheet, index, axis - block.w / 2, axis, mid)
        rows, line_right = _draw_text(sheet, text, text_x, y + (height - text_height) / 2)
        right = max(right, line_right)
        feed = _feeds(sheet, index, axis, mids, tops, levels, m.margin + margin_lines)
        column = sheet.columns[index]
        label = ": ".join([column.result.name, *column.rows["label"][:1]])
        items.append(Group(column.id, (*feed, *shapes, *rows), label))
        y += height + gap
    return Stacked(items, y - gap + 0.6 * f, right - m.margin, key)


def _levels(columns: list[Column], where: Plan) -> dict[tuple[int, int], int]:
    """A level per edge that skips a column (0 nearest the blocks): overlapping edges
    differ, shorter ones inside longer ones."""
    skips = sorted(
        (where.rank[target] - where.rank[source], where.rank[source], source, target)
        for target, column in enumerate(columns)
        for source in column.sources
        if where.rank[target] - where.rank[source] > 1
    )
    placed: list[tuple[int, int, int]] = []
    levels: dict[tuple[int, int], int] = {}
    for span, low, source, target in skips:
        high = low + span
        used = {level for a, b, level in placed if a < high and low < b}
        level = next(n for n in range(len(placed) + 1) if n not in used)
        levels[(source, target)] = level
        placed.append((low, high, level))
    return levels


def _text_lines(
    rows: dict[str, list[str]], f: float, face: Typeface, limit: float
) -> list[list[Piece]]:
    """The column's rows as lines of pieces, a row sharing the line of the row before it
    (`_JOINS`) when both fit in `limit`."""
    out: list[list[Piece]] = []
    previous = ""
    for key, values in rows.items():
        if not values:
            continue
        first, *rest = values
        joined = out[-1] if out and _JOINS.get(key) == previous else None
        if joined is not None and len(rows[previous]) == 1:
            wide = sum(_width(piece, f, face) for piece in joined) + _PIECE_GAP * f
            if wide + _width((first, key), f, face) <= limit:
                joined.append((first, key))
                out += [[(value, key)] for value in rest]
                previous = key
                continue
        out += [[(value, key)] for value in values]
        previous = key
    return out


def _width(piece: Piece, f: float, face: Typeface) -> float:
    size, bold = row_size(piece[1], f)
    return text_width(piece[0], size, bold, face)


def _draw_text(
    sheet: Sheet, text: list[list[Piece]], x: float, top: float
) -> tuple[list[Primitive], float]:
    """The lines from `top`, left-aligned at `x`; and the right end of the longest."""
    m, theme = sheet.m, sheet.theme
    out: list[Primitive] = []
    right = x
    for number, line in enumerate(text):
        left = x
        for value, key in line:
            size, bold = row_size(key, m.f)
            colour = theme.text if key in ("name", "label", "size", "repeat") else theme.muted
            baseline = top + number * m.line + ascent(size, bold, m.face)
            item = sheet.texts.make(
                left, baseline, value, size, bold=bold, fill=colour, anchor="start", role=key
            )
            out.append(item)
            left += item.width + _PIECE_GAP * m.f
        right = max(right, left - _PIECE_GAP * m.f)
    return out, right


def _feeds(
    sheet: Sheet,
    index: int,
    axis: float,
    mids: list[float],
    tops: list[float],
    levels: dict[tuple[int, int], int],
    inner: float,
) -> list[Primitive]:
    """The lines into column `index`: down the axis from the column above, or along the
    left margin from further up."""
    where, blocks, theme, f = sheet.where, sheet.blocks, sheet.theme, sheet.m.f
    out: list[Primitive] = []
    target = blocks[index]
    for source in sheet.columns[index].sources:
        if (source, index) in levels:
            x = inner - (levels[(source, index)] + 0.5) * _SKIP_SPACING * f
            kind = sheet.columns[index].result.kind
            dash = LINK_STYLES[kind][1] if kind in LINK_STYLES else ()
            start = (axis - blocks[source].w / 2 - 1.5, mids[source])
            end = (axis - target.w / 2 - 2.0, mids[index])
            points = (start, (x, start[1]), (x, end[1]), end)
            out.append(Line(points, theme.arrow, 0.9, arrow=True, dash=dash))
        elif where.rank[index] - where.rank[source] == 1:
            below = mids[source] + blocks[source].h / 2 + 1.5
            land = tops[index] - 1.5  # the back edge of its top face
            out.append(Line(((axis, below), (axis, land)), theme.arrow, 0.9, arrow=True))
    return out
