"""Layout stage: places columns (a block and its rows of text) and builds the scene.

Both styles share this placement: `blocks` draws tensors as cuboids, `flat` as lettered
boxes (the seed answer's I-C-P-C-P-H-O figure). Columns stand at their rank (longest
path from the input) and lane (0 for the main path, then parallel branches and
projection shortcuts); text rows are aligned across a band. Consecutive ranks are joined
by arrows, kernel projections or elbows through the gaps; longer edges (residual
shortcuts, U-Net skips) are arcs over the blocks, each at its own level. Long networks
wrap into bands that fit `max_width` where a single edge joins them.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.engine.analysis import Analysis
from cnndiagram.layout.blocks import (
    MERGE_NODES,
    Block,
    block_for,
    cuboid,
    kernel_patch,
    merge_node,
)
from cnndiagram.layout.columns import Column, build_columns
from cnndiagram.layout.footer import legend, totals
from cnndiagram.layout.measure import (
    Metrics,
    Texts,
    column_text_width,
    row_lines,
    row_size,
)
from cnndiagram.layout.placement import Plan, plan
from cnndiagram.layout.scene import Group, Line, Primitive, Scene, Text
from cnndiagram.layout.text import ascent, clean, descent
from cnndiagram.layout.theme import THEMES, Theme, luminance
from cnndiagram.notation import describe_network
from cnndiagram.options import FigureOptions

ROWS = ("name", "label", "size", "formulas", "params", "macs", "rf", "repeat")


class Cell(NamedTuple):
    """Where one column ended up: its block's left edge, its centre and its lane's midline."""

    left: float
    centre: float
    mid: float
    slot_left: float
    slot_right: float  # right end of its rank's slot (gap included)


def layout(analysis: Analysis, options: FigureOptions | None = None) -> Scene:
    """The whole figure as a scene: title, bands of columns, totals and legend."""
    options = options or FigureOptions()
    theme = THEMES[options.theme]
    m = Metrics.of(options.font_size)
    f = m.f
    texts = Texts(theme)
    columns = build_columns(analysis, options)
    spatial = [d for c in columns for d in c.result.output_shape[1:]] or [1]
    blocks = [block_for(column, options, max(spatial)) for column in columns]
    lines = [row_lines(column, m) for column in columns]
    widths = [
        max(block.extent, column_text_width(line, f)) + m.gap for block, line in zip(blocks, lines)
    ]
    available = None if options.max_width is None else max(options.max_width - 2 * m.margin, 1)
    where = plan(columns, widths, available, options.layout == "u")
    slot = dict.fromkeys(where.rank, 0.0)
    for index, width in enumerate(widths):
        slot[where.rank[index]] = max(slot[where.rank[index]], width)

    items: list[Primitive] = []
    y = m.margin
    title = analysis.network.title if options.title is None else options.title
    title = clean(title or "")
    content_width = max(sum(slot[r] for r in band) for band in where.bands) - m.gap
    if title:
        size = 1.45 * f
        head = texts.make(
            m.margin, y + ascent(size, True), title, size, bold=True, anchor="start", role="title"
        )
        items.append(Group("figure-title", (head,)))
        content_width = max(content_width, head.width)
        y += ascent(size, True) + descent(size, True) + 1.2 * f

    cells: dict[int, Cell] = {}
    connector: tuple[int, float] | None = None  # last column of the band above, its turn x
    arc_gap = 0.95 * f
    for band in where.bands:
        members = [i for i in range(len(columns)) if where.rank[i] in band]
        top = y
        arc_top: dict[int, float] = {}
        x = m.margin
        slot_x = {}
        for r in band:
            slot_x[r] = x
            x += slot[r]
        lanes = sorted({where.lane[i] for i in members})
        lane_mid: dict[int, float] = {}
        lane_rows: dict[int, tuple[float, dict[str, float]]] = {}
        for lane in lanes:
            in_lane = [i for i in members if where.lane[i] == lane]
            levels = [
                level
                for edge, level in where.levels.items()
                if edge[1] in members and where.regions[edge] == lane
            ]
            arc_top[lane] = top
            if levels:
                top += (max(levels) + 1) * arc_gap + 0.4 * f
            above = max(blocks[i].h / 2 - blocks[i].oy for i in in_lane)
            below = max(blocks[i].h / 2 for i in in_lane)
            lane_mid[lane] = top + above
            rows_top = lane_mid[lane] + below + 0.9 * f
            heights = {
                key: max((len(lines[i].get(key, [])) for i in in_lane), default=0) * m.line
                for key in ROWS
            }
            lane_rows[lane] = (rows_top, heights)
            top = rows_top + sum(heights.values()) + 1.4 * f
        for index in members:
            r = where.rank[index]
            column, block = columns[index], blocks[index]
            centre = slot_x[r] + (slot[r] - m.gap) / 2
            mid = lane_mid[where.lane[index]]
            cells[index] = Cell(
                centre - block.extent / 2, centre, mid, slot_x[r], slot_x[r] + slot[r]
            )
            group = _column_shapes(column, block, cells[index], options, theme, texts)
            rows_top, heights = lane_rows[where.lane[index]]
            group += _column_rows(lines[index], centre, rows_top, heights, m, theme, texts)
            feed = _feeds(
                index, columns, blocks, cells, where, connector, y, arc_top, m, options, theme
            )
            label = ": ".join([column.result.name, *column.rows["label"][:1]])
            items.append(Group(column.id, (*feed, *group), label))
        last = max(members, key=lambda i: (where.rank[i], -where.lane[i]))
        connector = (last, x - m.gap / 2)
        y = top - 1.4 * f + m.band_gap

    y -= m.band_gap - 0.6 * f
    footer: list[Primitive] = []
    if options.totals:
        for line in totals(analysis, m, max(content_width, 30 * f), options):
            size = f * 1.05
            total = texts.make(
                m.margin, y + ascent(size), line, size, anchor="start", role="totals"
            )
            footer.append(total)
            content_width = max(content_width, total.width)
            y += m.line * 1.05
        items.append(Group("totals", tuple(footer)))
        y += 0.5 * f
    if options.legend:
        key, y = legend(columns, theme, texts, m, y, max(content_width, 20 * f))
        items.append(Group("legend", tuple(key)))
        right = max(item.box()[2] for item in key if isinstance(item, Text))
        content_width = max(content_width, right - m.margin)
    width = content_width + 2 * m.margin
    height = y + m.margin - 0.4 * f
    return Scene(
        round(width, 2),
        round(height, 2),
        theme.background,
        tuple(items),
        title or "Network diagram",
        describe_network(analysis),
    )


def _column_shapes(
    column: Column, block: Block, cell: Cell, options: FigureOptions, theme: Theme, texts: Texts
) -> list[Primitive]:
    fill = theme.fills[column.category]
    if column.result.kind in MERGE_NODES:
        return merge_node(cell.centre, cell.mid, block, column.result.kind, fill, theme)
    shapes = cuboid(cell.left, cell.mid, block, fill, theme)
    if options.style == "flat":
        size = 1.25 * options.font_size
        colour = "#ffffff" if luminance(fill) < 0.3 else "#1a1a1a"
        baseline = cell.mid + (ascent(size, True) - descent(size, True)) / 2
        shapes.append(
            texts.make(
                cell.centre, baseline, column.letter, size, bold=True, fill=colour, role="letter"
            )
        )
    return shapes


def _column_rows(
    lines: dict[str, list[str]],
    centre: float,
    rows_top: float,
    heights: dict[str, float],
    m: Metrics,
    theme: Theme,
    texts: Texts,
) -> list[Primitive]:
    out: list[Primitive] = []
    row_y = rows_top
    for key in ROWS:
        size, bold = row_size(key, m.f)
        colour = theme.text if key in ("name", "label", "size", "repeat") else theme.muted
        for n, value in enumerate(lines.get(key, [])):
            baseline = row_y + n * m.line + ascent(size, bold)
            out.append(texts.make(centre, baseline, value, size, bold=bold, fill=colour, role=key))
        row_y += heights[key]
    return out


def _top(cell: Cell, block: Block) -> tuple[float, float]:
    """Where a line from above meets a block: the back edge of its top face."""
    return (cell.left + block.ox + block.w / 2, cell.mid - block.h / 2 + block.oy)


def _arrival(
    cell: Cell,
    block: Block,
    onto: bool,
    arc_y: float,
    entry: tuple[float, float],
    m: Metrics,
    number: int,
) -> tuple[tuple[float, float], ...]:
    """The end of an arc: straight down onto the block when the arc runs above its lane,
    else down the gap before it."""
    if onto:
        end = _top(cell, block) if block.ox else (cell.centre, cell.mid - block.h / 2)
        return ((end[0], arc_y), (end[0], end[1] - 1.5))
    into = cell.slot_left - m.gap / 2 - 2.5 * number
    return ((into, arc_y), (into, cell.mid), entry)


def _feeds(
    index: int,
    columns: list[Column],
    blocks: list[Block],
    cells: dict[int, Cell],
    where: Plan,
    connector: tuple[int, float] | None,
    band_top: float,
    arc_top: dict[int, float],
    m: Metrics,
    options: FigureOptions,
    theme: Theme,
) -> list[Primitive]:
    """The lines that bring a column its inputs (drawn with the column they feed)."""
    out: list[Primitive] = []
    cell, block = cells[index], blocks[index]
    entry = (cell.left - 2.0, cell.mid)
    for number, source in enumerate(columns[index].sources):
        if source not in cells:
            continue
        src, src_block = cells[source], blocks[source]
        start = (src.left + src_block.extent + 2.0, src.mid)
        gap_x = src.slot_right - m.gap / 2 + 2.5 * number
        span = where.rank[index] - where.rank[source]
        first_rank = where.bands_first(index)
        from_above = where.rank[source] < first_rank
        if from_above and where.rank[index] == first_rank:
            between = band_top - m.band_gap / 2
            assert connector is not None
            turn = connector[1]
            out.append(
                Line(
                    (
                        start,
                        (turn, src.mid),
                        (turn, between),
                        (m.margin / 2, between),
                        (m.margin / 2, cell.mid),
                        entry,
                    ),
                    theme.arrow,
                    0.9,
                    arrow=True,
                )
            )
            continue
        if from_above:
            # a skip from the band above branches off the connector in the left margin
            region = where.regions[(source, index)]
            arc_y = arc_top[region] + (where.levels[(source, index)] + 0.5) * 0.95 * m.f
            first_mid = min(c.mid for i, c in cells.items() if where.rank[i] >= first_rank)
            down = _arrival(cell, block, where.lane[index] == region, arc_y, entry, m, number)
            out.append(
                Line(
                    ((m.margin / 2, first_mid), (m.margin / 2, arc_y), *down),
                    theme.arrow,
                    0.9,
                    arrow=True,
                )
            )
            continue
        elif span > 1:
            region = where.regions[(source, index)]
            arc_y = arc_top[region] + (where.levels[(source, index)] + 0.5) * 0.95 * m.f
            first = (
                (_top(src, src_block),)
                if where.lane[source] == region
                else (start, (gap_x, src.mid))
            )
            last = _arrival(cell, block, where.lane[index] == region, arc_y, entry, m, number)
            points = (*first, (first[-1][0], arc_y), *last)
            out.append(Line(points, theme.arrow, 0.9, arrow=True))
        elif where.lane[source] != where.lane[index]:
            out.append(
                Line(
                    (start, (gap_x, src.mid), (gap_x, cell.mid), entry),
                    theme.arrow,
                    0.9,
                    arrow=True,
                )
            )
        else:
            patch = None
            if options.style == "blocks" and number == 0 and src_block.ox:
                patch = kernel_patch(
                    src.left, src.mid, src_block, columns[index], columns[source], theme
                )
            if patch is not None and block.ox:
                target = (cell.left + block.w * 0.45, cell.mid)
                corners = patch.points
                out += [
                    patch,
                    Line((corners[1], target), theme.kernel, 0.5),
                    Line((corners[2], target), theme.kernel, 0.5),
                ]
            else:
                out.append(Line((start, entry), theme.arrow, 0.9, arrow=True))
    return out
