"""Layout stage: places columns (a block and its rows of text) and builds the scene.

Both styles share this placement: `blocks` draws tensors as cuboids, `flat` as lettered
boxes (the seed answer's I-C-P-C-P-H-O figure). Columns stand at their rank (longest
path from the input) and lane (0 for the main path, then parallel branches and
projection shortcuts); text rows are aligned across a band. Consecutive ranks are joined
by arrows, kernel projections or elbows through the gaps; longer edges (residual
shortcuts, U-Net skips) are arcs over the blocks, each at its own level. Long networks
wrap into bands that fit `max_width` where a single edge joins them.

`layout` runs the stages in order: `_sheet` measures the columns and plans them, then the
title, `_bands` (per band: `_lanes` stacks the lanes, each column is placed in its cell and
drawn with the lines into it, from `feeds.py`), the totals and the legend.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.engine.analysis import Analysis
from cnndiagram.layout.blocks import block_for
from cnndiagram.layout.columns import build_columns
from cnndiagram.layout.feeds import LINK_STYLES, Band, Cell, Feeds
from cnndiagram.layout.footer import legend, totals
from cnndiagram.layout.key import key_lines, move_to_key
from cnndiagram.layout.measure import (
    Metrics,
    Texts,
    column_text_width,
    row_lines,
    row_size,
    wrap_limit,
)
from cnndiagram.layout.placement import plan
from cnndiagram.layout.scene import Group, Primitive, Scene, Text
from cnndiagram.layout.sheet import ROWS, Sheet, column_shapes
from cnndiagram.layout.stack import stack, stackable
from cnndiagram.layout.text import TYPEFACES, ascent, clean, descent, text_width
from cnndiagram.layout.theme import THEMES
from cnndiagram.notation import describe_network
from cnndiagram.options import Arrangement, FigureOptions


class Lane(NamedTuple):
    """One lane of a band, stacked from the top: room for its arcs, its blocks, its text rows."""

    arc_top: float
    mid: float
    rows_top: float
    heights: dict[str, float]  # per row: the height of the column with most lines in this lane


def layout(analysis: Analysis, options: FigureOptions | None = None) -> Scene:
    """The whole figure as a scene: title, bands of columns, totals and legend."""
    sheet = _sheet(analysis, options or FigureOptions())
    m, f = sheet.m, sheet.m.f
    items: list[Primitive] = []
    y = m.margin
    title = analysis.network.title if sheet.options.title is None else sheet.options.title
    title = clean(title or "", m.face)
    content_width = max(sum(sheet.slot[r] for r in band) for band in sheet.where.bands) - m.gap
    if title:
        head, y = _title(sheet, title, y)
        items.append(Group("figure-title", (head,)))
        content_width = max(content_width, head.width)
    if _stacked(sheet):
        stacked = stack(sheet, y, sheet.options.max_width, sheet.options.stacks or 1)
        items += stacked.items
        y, content_width = stacked.y, max(stacked.width, head.width if title else 0.0)
        sheet = sheet._replace(key=stacked.key)
    else:
        bands, y = _bands(sheet, y)
        items += bands
    # The lines under the figure wrap at its width, or at least at 30 em (20 for the
    # legend) unless a narrower width was asked for.
    least = 30 * f
    if sheet.options.max_width is not None:
        least = max(min(least, sheet.options.max_width - 2 * m.margin), 12 * f)
    if sheet.key:
        key, y = _key(sheet, y, max(content_width, least))
        items.append(key)
    if sheet.options.totals:
        footer, y, content_width = _totals(sheet, analysis, y, max(content_width, least))
        items.append(footer)
    if sheet.options.legend:
        key, y, content_width = _legend(sheet, y, content_width, min(least, 20 * f))
        items.append(key)
    width = content_width + 2 * m.margin
    height = y + m.margin - 0.4 * f
    return Scene(
        round(width, 2),
        round(height, 2),
        sheet.theme.background,
        tuple(items),
        title or "Network diagram",
        describe_network(analysis),
        sheet.m.face.key,
    )


def _sheet(analysis: Analysis, options: FigureOptions) -> Sheet:
    """Columns with their blocks and text measured, placed in ranks, lanes and bands."""
    theme = THEMES[options.theme]
    m = Metrics.of(options.font_size, TYPEFACES[options.font], options.compact or 1.0)
    columns = build_columns(analysis, options)
    largest = max((d for c in columns for d in c.result.output_shape[1:]), default=1)
    blocks = [block_for(column, options, largest) for column in columns]
    limits = [wrap_limit(column, m, block.extent) for column, block in zip(columns, blocks)]
    lines, key = move_to_key(
        columns,
        [row_lines(column, m, limit) for column, limit in zip(columns, limits)],
        limits,
        m,
        options.compact or 1.0,
    )
    widths = [
        max(block.extent, column_text_width(line, m.f, m.face)) + m.gap
        for block, line in zip(blocks, lines)
    ]
    # A stack has one band: the width it is given is its text's.
    available = None
    if options.max_width is not None and options.layout != Arrangement.STACK:
        available = max(options.max_width - 2 * m.margin, 1)
    where = plan(columns, widths, available, options.layout == "u")
    slot = dict.fromkeys(where.rank, 0.0)
    for index, width in enumerate(widths):
        slot[where.rank[index]] = max(slot[where.rank[index]], width)
    return Sheet(columns, blocks, lines, where, slot, m, options, theme, Texts(theme, m.face), key)


def _stacked(sheet: Sheet) -> bool:
    return sheet.options.layout == Arrangement.STACK and stackable(sheet.where)


def _title(sheet: Sheet, title: str, y: float) -> tuple[Text, float]:
    """The title at `y`, and the y below it."""
    m, f = sheet.m, sheet.m.f
    size = 1.45 * f
    head = sheet.texts.make(
        m.margin,
        y + ascent(size, True, m.face),
        title,
        size,
        bold=True,
        anchor="start",
        role="title",
    )
    y += ascent(size, True, m.face) + descent(size, True, m.face) + 1.2 * f
    return head, y


def _bands(sheet: Sheet, y: float) -> tuple[list[Primitive], float]:
    """Every band of columns from `y` down, each column drawn with the lines into it; and
    the y below the last band."""
    m, f, where = sheet.m, sheet.m.f, sheet.where
    feeds = Feeds(sheet.columns, sheet.blocks, where, m, sheet.options.style, sheet.theme)
    items: list[Primitive] = []
    cells: dict[int, Cell] = {}
    turn: float | None = None  # where the connector from the band above turns down
    in_band: dict[int, list[int]] = {}
    band_of = {r: b for b, band in enumerate(where.bands) for r in band}
    for index, rank in enumerate(where.rank):
        in_band.setdefault(band_of[rank], []).append(index)
    for number, band in enumerate(where.bands):
        members = in_band.get(number, [])
        x = m.margin
        slot_x = {}
        for r in band:
            slot_x[r] = x
            x += sheet.slot[r]
        lanes, bottom = _lanes(sheet, members, y)
        arrivals = Band(y, {lane: row.arc_top for lane, row in lanes.items()}, turn)
        for index in members:
            lane = lanes[where.lane[index]]
            cells[index] = _cell(sheet, index, slot_x[where.rank[index]], lane)
            feed = feeds.into(index, cells, arrivals)
            items.append(_column(sheet, index, cells[index], lane, feed))
        turn = x - m.gap / 2
        y = bottom - 1.4 * f + m.band_gap
    y -= m.band_gap - 0.6 * f
    return items, y


def _lanes(sheet: Sheet, members: list[int], top: float) -> tuple[dict[int, Lane], float]:
    """The lanes of the band holding `members`, stacked from `top`; and where the band ends.
    Arcs over a lane get a level each, so its space above grows with the highest level."""
    where, blocks, lines, f = sheet.where, sheet.blocks, sheet.lines, sheet.m.f
    arc_gap = 0.95 * f
    lanes: dict[int, Lane] = {}
    for lane in sorted({where.lane[i] for i in members}):
        in_lane = [i for i in members if where.lane[i] == lane]
        levels = [
            level
            for edge, level in where.levels.items()
            if edge[1] in members and where.regions[edge] == lane
        ]
        arc_top = top
        if levels:
            top += (max(levels) + 1) * arc_gap + 0.4 * f
        above = max(blocks[i].h / 2 - blocks[i].oy for i in in_lane)
        below = max(blocks[i].h / 2 for i in in_lane)
        mid = top + above
        rows_top = mid + below + 0.9 * f
        heights = {
            key: max((len(lines[i].get(key, [])) for i in in_lane), default=0) * sheet.m.line
            for key in ROWS
        }
        lanes[lane] = Lane(arc_top, mid, rows_top, heights)
        top = rows_top + sum(heights.values()) + 1.4 * f
    return lanes, top


def _cell(sheet: Sheet, index: int, slot_left: float, lane: Lane) -> Cell:
    """A column centred in its rank's slot, on its lane's midline."""
    slot = sheet.slot[sheet.where.rank[index]]
    centre = slot_left + (slot - sheet.m.gap) / 2
    return Cell(
        centre - sheet.blocks[index].extent / 2, centre, lane.mid, slot_left, slot_left + slot
    )


def _column(sheet: Sheet, index: int, cell: Cell, lane: Lane, feed: list[Primitive]) -> Group:
    """One column as a group: the lines into it, its block and its rows of text."""
    column = sheet.columns[index]
    shapes = column_shapes(sheet, index, cell.left, cell.centre, cell.mid)
    rows = _column_rows(sheet, index, cell.centre, lane)
    label = ": ".join([column.result.name, *column.rows["label"][:1]])
    return Group(column.id, (*feed, *shapes, *rows), label)


def _column_rows(sheet: Sheet, index: int, centre: float, lane: Lane) -> list[Primitive]:
    out: list[Primitive] = []
    m, theme = sheet.m, sheet.theme
    row_y = lane.rows_top
    for key in ROWS:
        size, bold = row_size(key, m.f)
        colour = theme.text if key in ("name", "label", "size", "repeat") else theme.muted
        for n, value in enumerate(sheet.lines[index].get(key, [])):
            baseline = row_y + n * m.line + ascent(size, bold, m.face)
            out.append(
                sheet.texts.make(centre, baseline, value, size, bold=bold, fill=colour, role=key)
            )
        row_y += lane.heights[key]
    return out


#: The totals are set this much larger than the columns' text (and wrapped for it).
TOTALS_SIZE = 1.05


def _totals(
    sheet: Sheet, analysis: Analysis, y: float, content_width: float
) -> tuple[Group, float, float]:
    """The totals lines at `y`; the y below them and the content width grown to fit them."""
    m, f = sheet.m, sheet.m.f
    footer: list[Primitive] = []
    size = f * TOTALS_SIZE
    for line in totals(analysis, m, content_width / TOTALS_SIZE, sheet.options):
        total = sheet.texts.make(
            m.margin, y + ascent(size, face=m.face), line, size, anchor="start", role="totals"
        )
        footer.append(total)
        content_width = max(content_width, total.width)
        y += m.line * 1.05
    y += 0.5 * f
    return Group("totals", tuple(footer)), y, content_width


def _key(sheet: Sheet, y: float, width: float) -> tuple[Group, float]:
    """The numbered formulas at `y`, wrapped to the bands' width; the y below them."""
    m, f = sheet.m, sheet.m.f
    lines = key_lines(sheet.key, m, width)
    # Side by side, filled down then across, when no entry had to wrap: a key costs height.
    spacing = 2.0 * f
    widest = max(text_width(line, f, face=m.face) for line in lines)
    across = 1
    if len(lines) == len(sheet.key):
        across = max(1, min(len(lines) // 2, int((width + spacing) // (widest + spacing))))
    down = -(-len(lines) // across)
    entries: list[Primitive] = []
    for number, line in enumerate(lines):
        row, column = number % down, number // down
        entries.append(
            sheet.texts.make(
                m.margin + column * (widest + spacing),
                y + row * m.line + ascent(f, face=m.face),
                line,
                f,
                anchor="start",
                fill=sheet.theme.muted,
                role="key",
            )
        )
    return Group("key", tuple(entries)), y + down * m.line + 0.5 * f


def _links(sheet: Sheet) -> list[tuple[str, tuple[float, ...]]]:
    """The styles of the skipping and rejoining lines the figure draws, for the legend."""
    where = sheet.where
    kinds = {
        sheet.columns[target].result.kind
        for target, column in enumerate(sheet.columns)
        for source in column.sources
        if where.rank[target] - where.rank[source] > 1
        or where.first_of[where.rank[source]] != where.first_of[where.rank[target]]
    }
    return [style for kind, style in LINK_STYLES.items() if kind in kinds]


def _legend(
    sheet: Sheet, y: float, content_width: float, least: float
) -> tuple[Group, float, float]:
    """The colour key at `y`; the y below it and the content width grown to fit it."""
    m = sheet.m
    key, y = legend(
        sheet.columns, sheet.theme, sheet.texts, m, y, max(content_width, least), _links(sheet)
    )
    right = max(item.box()[2] for item in key if isinstance(item, Text))
    return Group("legend", tuple(key)), y, max(content_width, right - m.margin)
