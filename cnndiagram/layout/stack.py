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
#: Room between skip lines in the margin (at the tightest: 0.6 em, still 4 units apart at
#: the smallest font), and between a line's pieces (in em).
_SKIP_SPACING, _TIGHT_SPACING, _PIECE_GAP = 0.8, 0.6, 1.2
#: Room between two stacks side by side, and above them for the arrow from one to the next
#: (in em).
_GUTTER, _TURN = 2.4, 1.4


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


class _Measured(NamedTuple):
    """A stack's columns measured: slabs, skip levels and their spacing, where blocks and
    text stand within a stack, every column's lines and height, and the key."""

    blocks: list[Block]
    levels: dict[tuple[int, int], int]
    spacing: float
    margin_lines: float
    axis: float
    text_x: float
    texts: list[list[list[Piece]]]
    heights: list[float]
    key: list[str]


def _measure(sheet: Sheet, width: float | None, parts: int) -> _Measured:
    m, f = sheet.m, sheet.m.f
    tight = (sheet.options.compact or 1.0) <= TIGHT
    # At the tightest, narrower slabs leave the text more of the page's width.
    blocks = [slab(block, f, 0.4 if tight else 0.6) for block in sheet.blocks]
    levels = _levels(sheet.columns, sheet.where)
    spacing = (_TIGHT_SPACING if tight else _SKIP_SPACING) * f
    margin_lines = (max(levels.values()) + 1) * spacing if levels else 0.0
    # Within a stack: the centre of every block's front face, and the text's start past the
    # deepest top face (both from the stack's left edge).
    axis = margin_lines + max(block.w / 2 for block in blocks)
    text_x = max(axis + block.w / 2 + block.ox for block in blocks) + (0.9 if tight else 1.2) * f
    if width is None:
        limit = 2.0 * m.max_line
    else:
        inner = (width - 2 * m.margin - (parts - 1) * _GUTTER * f) / parts
        limit = max(12 * f, inner - text_x)
    count = len(sheet.columns)
    lines, key = move_to_key(
        sheet.columns,
        [row_lines(column, m, limit) for column in sheet.columns],
        [limit] * count,
        m,
        sheet.options.compact or 1.0,
    )
    texts = [_text_lines(lines[index], m.f, m.face, limit) for index in range(count)]
    heights = [max(len(text) * m.line, block.h - block.oy) for text, block in zip(texts, blocks)]
    return _Measured(blocks, levels, spacing, margin_lines, axis, text_x, texts, heights, key)


def stack(sheet: Sheet, y: float, width: float | None, parts: int = 1) -> Stacked:
    """Every column from `y` down, within `width` (units, margins included) when given; in
    `parts` stacks side by side (a slide, wider than tall), cut where only the arrow from
    one column to the next crosses, of heights as equal as the cuts allow (fewer stacks
    when there are not enough such places)."""
    m, f = sheet.m, sheet.m.f
    count = len(sheet.columns)
    parts = max(1, min(parts, count))
    got = _measure(sheet, width, parts)
    sheet = sheet._replace(blocks=got.blocks)
    # the arrow's run between two blocks, shorter at the tightest
    gap = (0.6 if (sheet.options.compact or 1.0) <= TIGHT else 1.0) * f
    starts = _cuts(sheet.columns, got.heights, gap, parts)
    if len(starts) > 1:
        y += _TURN * f  # room above the stacks for the arrow into the next one
    top = bottom = y
    place = Placed([], [], [], [])
    items: list[Primitive] = []
    left = right = m.margin
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else count
        y = top
        right = left + got.text_x
        axis = left + got.axis
        edges = (left, left + got.margin_lines, got.spacing)
        for index in range(start, end):
            block, height, text = got.blocks[index], got.heights[index], got.texts[index]
            block_height = block.h - block.oy
            mid = y + (height - block_height) / 2 - block.oy + block.h / 2
            place.tops.append(mid - block.h / 2 + block.oy)
            place.mids.append(mid)
            place.axes.append(axis)
            place.bottoms.append(y + height)
            shapes = column_shapes(sheet, index, axis - block.w / 2, axis, mid)
            text_top = y + (height - len(text) * m.line) / 2
            rows, line_right = _draw_text(sheet, text, left + got.text_x, text_top)
            right = max(right, line_right)
            feed = _feeds(sheet, index, place, got.levels, edges, top, gap)
            column = sheet.columns[index]
            label = ": ".join([column.result.name, *column.rows["label"][:1]])
            items.append(Group(column.id, (*feed, *shapes, *rows), label))
            y += height + gap
        bottom = max(bottom, y - gap)
        left = right + _GUTTER * f
    if len(starts) > 1:
        bottom += _TURN * f  # room below the stacks for the arrow out of one
    return Stacked(items, bottom + 0.6 * f, right - m.margin, got.key)


class Placed(NamedTuple):
    """Per column drawn so far: its block's top face's back edge, its middle, the stack's
    axis it stands on, and the bottom of its line of the stack."""

    tops: list[float]
    mids: list[float]
    axes: list[float]
    bottoms: list[float]


def _cuts(columns: list[Column], heights: list[float], gap: float, parts: int) -> list[int]:
    """The first column of every stack: at most `parts` stacks, each cut before a column fed
    by the one before it alone and skipped over by no other edge, so that one arrow joins
    two stacks; the tallest stack as short as such cuts make it."""
    count = len(columns)
    if parts <= 1:
        return [0]
    spans = [0] * (count + 1)  # how many edges cross the cut before each column
    for target, column in enumerate(columns):
        for source in column.sources:
            spans[source + 1] += 1
            spans[target + 1] -= 1
    crossing = 0
    allowed: set[int] = set()
    for index in range(1, count):
        crossing += spans[index]
        if crossing == 1 and columns[index].sources == (index - 1,):
            allowed.add(index)
    if not allowed:
        return [0]

    def greedy(limit: float) -> list[int]:
        starts, used, last = [0], 0.0, None
        for index in range(count):
            if index > starts[-1] and used + heights[index] > limit and last is not None:
                starts.append(last)
                used = sum(heights[last:index]) + gap * (index - last)
                last = None
            used += heights[index] + gap
            if index + 1 in allowed:
                last = index + 1
        return starts

    total = sum(heights) + gap * count
    low, high = max(heights), total
    best = greedy(high)
    for _ in range(30):  # bisect the tallest stack's height
        middle = (low + high) / 2
        trial = greedy(middle)
        if len(trial) <= parts and _tallest(trial, heights, gap) <= middle + gap:
            best, high = trial, middle
        else:
            low = middle
    return best if len(best) <= parts else [0]


def _tallest(starts: list[int], heights: list[float], gap: float) -> float:
    ends = [*starts[1:], len(heights)]
    return max(sum(heights[a:b]) + gap * (b - a) for a, b in zip(starts, ends))


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
    place: Placed,
    levels: dict[tuple[int, int], int],
    edges: tuple[float, float, float],
    top: float,
    gap: float,
) -> list[Primitive]:
    """The lines into column `index`: down the axis from the column above, along the left
    margin from further up, or (the first of a stack) from the foot of the stack before,
    up the gutter and over the top."""
    where, blocks, theme, f = sheet.where, sheet.blocks, sheet.theme, sheet.m.f
    out: list[Primitive] = []
    target = blocks[index]
    axis = place.axes[index]
    # the stack's left edge, the inner side of its skip lines, and their spacing
    left, inner, spacing = edges
    for source in sheet.columns[index].sources:
        if (source, index) in levels:
            x = inner - (levels[(source, index)] + 0.5) * spacing
            kind = sheet.columns[index].result.kind
            dash = LINK_STYLES[kind][1] if kind in LINK_STYLES else ()
            start = (axis - blocks[source].w / 2 - 1.5, place.mids[source])
            end = (axis - target.w / 2 - 2.0, place.mids[index])
            points = (start, (x, start[1]), (x, end[1]), end)
            out.append(Line(points, theme.arrow, 0.9, arrow=True, dash=dash))
        elif where.rank[index] - where.rank[source] != 1:
            continue
        elif place.axes[source] != axis:
            below = place.mids[source] + blocks[source].h / 2 + 1.5
            foot = place.bottoms[source] + _TURN * f / 2
            # the gutter: midway between the stack before (its text included) and this one
            turn_x = left - _GUTTER * f / 2
            over = top - _TURN * f / 2
            route = (
                (place.axes[source], below),
                (place.axes[source], foot),
                (turn_x, foot),
                (turn_x, over),
                (axis, over),
                (axis, place.tops[index] - 1.5),
            )
            out.append(Line(route, theme.arrow, 0.9, arrow=True))
        else:
            below = place.mids[source] + blocks[source].h / 2 + 1.5
            land = place.tops[index] - 1.5  # the back edge of its top face
            out.append(Line(((axis, below), (axis, land)), theme.arrow, 0.9, arrow=True))
    return out
