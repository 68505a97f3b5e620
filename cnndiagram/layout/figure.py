"""Layout stage: places columns (a block and its rows of text) into bands and builds the scene.

Both styles share this placement: `blocks` draws each tensor as a cuboid (height from
the first spatial size, oblique depth from the second, thickness from the channels;
vectors as thin bars) with the kernel projected from the input block; `flat` draws
lettered boxes in a row, like the seed answer's I-C-P-C-P-H-O figure. Text rows are
aligned across the columns of a band; long networks wrap into bands that fit
`max_width`, joined by a connector routed through the gaps.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from cnndiagram.engine.analysis import Analysis
from cnndiagram.engine.formulas import group_digits
from cnndiagram.layout.columns import Column, build_columns
from cnndiagram.layout.options import FigureOptions
from cnndiagram.layout.scene import Group, Line, Polygon, Primitive, Scene, Text
from cnndiagram.layout.text import ascent, clean, descent, text_width
from cnndiagram.layout.theme import CATEGORY_ORDER, THEMES, Theme, luminance, shade
from cnndiagram.notation import format_shape

ROWS = ("name", "label", "size", "formulas", "params", "macs", "rf")
WINDOWED = frozenset({"conv", "sepconv", "dwconv", "deconv", "maxpool", "avgpool"})


class Block(NamedTuple):
    """Front face `w` x `h`, receding by (`ox`, `oy`); `flat` boxes have no depth."""

    w: float
    h: float
    ox: float
    oy: float

    @property
    def extent(self) -> float:
        return self.w + self.ox


class Metrics(NamedTuple):
    """Sizes derived from the font size, so the whole figure scales with it."""

    f: float
    margin: float
    gap: float
    line: float
    band_gap: float
    max_line: float

    @classmethod
    def of(cls, f: float) -> Metrics:
        return cls(f, 2.0 * f, 1.8 * f, 1.4 * f, 2.6 * f, 15.0 * f)


def _log_size(n: int, mode: str, largest: int, f: float) -> float:
    """Screen length of a spatial size: clamped so 224 and 7 both read well."""
    low, high = 1.3 * f, 12.5 * f
    if mode == "linear":
        value = high * n / max(largest, 1)
    elif mode == "sqrt":
        value = 0.85 * f * math.sqrt(n)
    else:
        value = 1.3 * f + 1.55 * f * math.log2(max(n, 1))
    return max(low, min(high, value))


def _thickness(channels: int, f: float) -> float:
    return max(0.35 * f, min(4.5 * f, 0.35 * f + 0.36 * f * math.log2(max(channels, 1))))


def block_for(column: Column, options: FigureOptions, largest: int) -> Block:
    f = options.font_size
    if options.style == "flat":
        side = 2.6 * f
        return Block(side, side, 0.0, 0.0)
    shape = column.result.output_shape
    rank = len(shape) - 1
    mode = options.block_scale
    if rank == 0:
        height = max(1.6 * f, min(13.5 * f, 1.2 * f * math.log2(shape[0] + 1)))
        depth = 0.45 * f
        return Block(0.7 * f, height, 0.8 * depth, -0.55 * depth)
    height = _log_size(shape[-2] if rank >= 2 else shape[1], mode, largest, f)
    depth = 0.5 * _log_size(shape[-1], mode, largest, f) if rank >= 2 else 0.45 * f
    return Block(_thickness(shape[0], f), height, 0.8 * depth, -0.55 * depth)


class _Texts:
    """Builds measured `Text` primitives in one place."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme

    def make(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        bold: bool = False,
        anchor: str = "middle",
        fill: str | None = None,
        role: str = "",
    ) -> Text:
        return Text(
            x,
            y,
            text,
            size,
            text_width(text, size, bold),
            ascent(size, bold),
            descent(size, bold),
            fill or self.theme.text,
            anchor,
            bold,
            role,
        )


def _split(line: str, limit: float, f: float, key: str) -> list[str]:
    """Breaks an over-long formula before its ` = ` and an over-long label after a `, `."""
    if text_width(line, f) <= limit:
        return [line]
    if key != "label":
        if " = " in line:
            head, tail = line.rsplit(" = ", 1)
            return [head, f"= {tail}"]
        return [line]
    parts = line.split(", ")
    out = [parts[0]]
    for part in parts[1:]:
        candidate = f"{out[-1]}, {part}"
        if text_width(candidate, f) <= limit:
            out[-1] = candidate
        else:
            out[-1] += ","
            out.append(part)
    return out


def _row_lines(column: Column, m: Metrics) -> dict[str, list[str]]:
    return {
        key: [piece for line in lines for piece in _split(line, m.max_line, m.f, key)]
        for key, lines in column.rows.items()
    }


def _row_size(key: str, f: float) -> tuple[float, bool]:
    return (f * 1.05, True) if key == "name" else (f, False)


def _text_width(lines: dict[str, list[str]], f: float) -> float:
    widths = [0.0]
    for key, values in lines.items():
        size, bold = _row_size(key, f)
        widths += [text_width(value, size, bold) for value in values]
    return max(widths)


def _bands(widths: list[float], available: float | None) -> list[list[int]]:
    bands: list[list[int]] = [[]]
    used = 0.0
    for index, width in enumerate(widths):
        if available is not None and bands[-1] and used + width > available:
            bands.append([])
            used = 0.0
        bands[-1].append(index)
        used += width
    return bands


def _cuboid(x: float, mid: float, block: Block, fill: str, theme: Theme) -> list[Primitive]:
    """Front, top and right faces of a box whose front face is centred on `mid`."""
    top, bottom = mid - block.h / 2, mid + block.h / 2
    left, right = x, x + block.w
    ox, oy = block.ox, block.oy
    stroke = theme.stroke
    width = 0.6
    front = Polygon(
        ((left, top), (right, top), (right, bottom), (left, bottom)), fill, stroke, width
    )
    if not ox:
        return [front]
    top_face = Polygon(
        ((left, top), (left + ox, top + oy), (right + ox, top + oy), (right, top)),
        shade(fill, 1.35),
        stroke,
        width,
    )
    side = Polygon(
        ((right, top), (right + ox, top + oy), (right + ox, bottom + oy), (right, bottom)),
        shade(fill, 0.78),
        stroke,
        width,
    )
    return [front, top_face, side]


def _kernel_patch(
    x: float, mid: float, block: Block, column: Column, prev: Column, theme: Theme
) -> Polygon | None:
    """A window on the input block's side face, projected to the output block."""
    layer = column.result.layer
    if layer is None or column.result.kind not in WINDOWED:
        return None
    args = dict(layer.args)
    kernel = args.get("kernel", args.get("size"))
    in_shape = prev.result.output_shape
    if len(in_shape) < 2:
        return None
    k = kernel if isinstance(kernel, int) else kernel[-1] if isinstance(kernel, tuple) else 1
    assert isinstance(k, int)
    ku = min(0.6, max(0.22, k / in_shape[-1]))
    kv = min(0.6, max(0.22, k / (in_shape[-2] if len(in_shape) > 2 else in_shape[1])))
    right = x + block.w
    bottom = mid + block.h / 2

    def at(u: float, v: float) -> tuple[float, float]:
        return (right + u * block.ox, bottom - v * block.h + u * block.oy)

    u0, v0 = 0.5 - ku / 2, 0.55 - kv / 2
    corners = (at(u0, v0), at(u0 + ku, v0), at(u0 + ku, v0 + kv), at(u0, v0 + kv))
    return Polygon(corners, theme.kernel, theme.kernel, 0.6, 0.25)


def layout(analysis: Analysis, options: FigureOptions | None = None) -> Scene:
    """The whole figure as a scene: title, bands of columns, totals and legend."""
    options = options or FigureOptions()
    theme = THEMES[options.theme]
    m = Metrics.of(options.font_size)
    f = m.f
    texts = _Texts(theme)
    columns = build_columns(analysis, options)
    spatial = [d for c in columns for d in c.result.output_shape[1:]] or [1]
    blocks = [block_for(column, options, max(spatial)) for column in columns]
    lines = [_row_lines(column, m) for column in columns]
    widths = [max(block.extent, _text_width(line, f)) + m.gap for block, line in zip(blocks, lines)]
    available = None if options.max_width is None else max(options.max_width - 2 * m.margin, 1)
    bands = _bands(widths, available)

    items: list[Primitive] = []
    y = m.margin
    title = analysis.network.title if options.title is None else options.title
    title = clean(title or "")
    content_width = max(sum(widths[i] for i in band) for band in bands) - m.gap
    if title:
        size = 1.45 * f
        head = texts.make(
            m.margin, y + ascent(size, True), title, size, bold=True, anchor="start", role="title"
        )
        items.append(Group("figure-title", (head,)))
        content_width = max(content_width, head.width)
        y += ascent(size, True) + descent(size, True) + 1.2 * f

    previous_end: tuple[float, float, float] | None = None  # block right, mid, turn x
    for band in bands:
        above = max(blocks[i].h / 2 - blocks[i].oy for i in band)
        below = max(blocks[i].h / 2 for i in band)
        mid = y + above
        rows_top = mid + below + 0.9 * f
        row_heights = {
            key: max((len(lines[i].get(key, [])) for i in band), default=0) * m.line for key in ROWS
        }
        x = m.margin
        lefts: dict[int, float] = {}
        for position, index in enumerate(band):
            column, block = columns[index], blocks[index]
            centre = x + (widths[index] - m.gap) / 2
            left = lefts[index] = centre - block.extent / 2
            fill = theme.fills[column.category]
            group: list[Primitive] = _cuboid(left, mid, block, fill, theme)
            if options.style == "flat":
                letter_fill = "#ffffff" if luminance(fill) < 0.3 else "#1a1a1a"
                size = 1.25 * f
                baseline = mid + (ascent(size, True) - descent(size, True)) / 2
                group.append(
                    texts.make(
                        centre,
                        baseline,
                        column.letter,
                        size,
                        bold=True,
                        fill=letter_fill,
                        role="letter",
                    )
                )
            row_y = rows_top
            for key in ROWS:
                size, bold = _row_size(key, f)
                colour = theme.text if key in ("name", "label", "size") else theme.muted
                for n, value in enumerate(lines[index].get(key, [])):
                    baseline = row_y + n * m.line + ascent(size, bold)
                    group.append(
                        texts.make(centre, baseline, value, size, bold=bold, fill=colour, role=key)
                    )
                row_y += row_heights[key]
            feed = _feed(
                position,
                band,
                lefts,
                blocks,
                columns,
                index,
                previous_end,
                mid,
                y,
                m,
                options,
                theme,
            )
            label = ": ".join([column.result.name, *column.rows["label"][:1]])
            items.append(Group(column.id, (*feed, *group), label))
            x += widths[index]
        last = band[-1]
        previous_end = (lefts[last] + blocks[last].extent + 2.0, mid, x - m.gap / 2)
        y = rows_top + sum(row_heights.values()) + m.band_gap

    y -= m.band_gap - 0.6 * f
    footer: list[Primitive] = []
    if options.totals:
        for line in _totals(analysis, m, max(content_width, 30 * f), options):
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
        legend, y = _legend(columns, theme, texts, m, y, max(content_width, 20 * f))
        items.append(Group("legend", tuple(legend)))
        right = max(item.box()[2] for item in legend if isinstance(item, Text))
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


def _feed(
    position: int,
    band: list[int],
    lefts: dict[int, float],
    blocks: list[Block],
    columns: list[Column],
    index: int,
    previous_end: tuple[float, float, float] | None,
    mid: float,
    band_top: float,
    m: Metrics,
    options: FigureOptions,
    theme: Theme,
) -> list[Primitive]:
    """How a column is fed: a kernel projection, an arrow, or the connector from the band
    above (routed right of the last column's text, through the gap between the bands and
    down the left margin)."""
    left = lefts[index]
    entry = (left - 2.0, mid)
    if position == 0:
        if previous_end is None:
            return []
        start_x, start_y, turn_x = previous_end
        between = band_top - m.band_gap / 2
        return [
            Line(
                (
                    (start_x, start_y),
                    (turn_x, start_y),
                    (turn_x, between),
                    (m.margin / 2, between),
                    (m.margin / 2, mid),
                    entry,
                ),
                theme.arrow,
                0.9,
                arrow=True,
            )
        ]
    prev = band[position - 1]
    if options.style == "blocks":
        patch = _kernel_patch(lefts[prev], mid, blocks[prev], columns[index], columns[prev], theme)
        if patch:
            corners = patch.points
            target = (left + blocks[index].w * 0.45, mid)
            return [
                patch,
                Line((corners[1], target), theme.kernel, 0.5),
                Line((corners[2], target), theme.kernel, 0.5),
            ]
    start = lefts[prev] + blocks[prev].extent + 2.0
    return [Line(((start, mid), entry), theme.arrow, 0.9, arrow=True)]


def _totals(analysis: Analysis, m: Metrics, limit: float, options: FigureOptions) -> list[str]:
    total = analysis.total_formula().text("unicode", group=True) + " parameters"
    lines = [total]
    if text_width(total, m.f) > limit:
        terms = total.split(" + ")
        lines = [terms[0]]
        for term in terms[1:]:
            candidate = f"{lines[-1]} + {term}"
            if text_width(candidate, m.f) <= limit:
                lines[-1] = candidate
            else:
                lines[-1] += " +"
                lines.append(term)
    if analysis.non_trainable_params:
        lines.append(
            f"trainable {group_digits(analysis.trainable_params, 'unicode')} \u00b7 "
            f"non-trainable {group_digits(analysis.non_trainable_params, 'unicode')}"
        )
    if "macs" in options.annotate:
        lines.append(f"{group_digits(analysis.total_macs, 'unicode')} multiply-accumulates")
    return lines


def _legend(
    columns: list[Column], theme: Theme, texts: _Texts, m: Metrics, y: float, limit: float
) -> tuple[list[Primitive], float]:
    present = {column.category for column in columns}
    entries = [name for name in CATEGORY_ORDER if name in present]
    items: list[Primitive] = []
    x = m.margin
    swatch = 0.9 * m.f
    line_height = 1.6 * m.f
    for name in entries:
        width = swatch + 0.4 * m.f + text_width(name, m.f) + 1.4 * m.f
        if x > m.margin and x + width - 1.4 * m.f > m.margin + limit:
            x = m.margin
            y += line_height
        top = y + (line_height - swatch) / 2
        items.append(
            Polygon(
                ((x, top), (x + swatch, top), (x + swatch, top + swatch), (x, top + swatch)),
                theme.fills[name],
                theme.stroke,
                0.6,
            )
        )
        baseline = top + swatch / 2 + (ascent(m.f) - descent(m.f)) / 2
        items.append(
            texts.make(
                x + swatch + 0.4 * m.f,
                baseline,
                name,
                m.f,
                anchor="start",
                fill=theme.muted,
                role="legend",
            )
        )
        x += width
    return items, y + line_height


def describe_network(analysis: Analysis) -> str:
    """A plain-text description for screen readers (the SVG's `<desc>`)."""
    channels_last = analysis.network.channels_last
    parts = []
    for result in analysis.layers:
        shape = format_shape(result.output_shape, channels_last, unicode=True)
        kind = "input" if result.layer is None else result.kind
        params = f", {result.params:,} parameters" if result.params else ""
        parts.append(f"{result.name} ({kind}) {shape}{params}")
    title = analysis.network.title or "A network"
    return (
        f"{title}: {len(analysis.layers)} layers, {analysis.total_params:,} parameters in "
        f"total. " + "; ".join(parts) + "."
    )
