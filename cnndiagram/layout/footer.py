"""Layout stage: what stands under the columns: the total as a sum, and the legend."""

from __future__ import annotations

from collections.abc import Sequence

from cnndiagram.catalog import Category
from cnndiagram.engine.analysis import Analysis
from cnndiagram.engine.formulas import group_digits
from cnndiagram.layout.columns import Column
from cnndiagram.layout.measure import Metrics, Texts
from cnndiagram.layout.scene import Line, Polygon, Primitive
from cnndiagram.layout.text import ascent, descent, text_width
from cnndiagram.layout.theme import Theme
from cnndiagram.options import FigureOptions


def totals(analysis: Analysis, m: Metrics, limit: float, options: FigureOptions) -> list[str]:
    total = analysis.total_formula().text("unicode", group=True) + " parameters"
    lines = [total]
    if text_width(total, m.f, face=m.face) > limit:
        terms = total.split(" + ")
        lines = [terms[0]]
        for term in terms[1:]:
            candidate = f"{lines[-1]} + {term}"
            if text_width(candidate, m.f, face=m.face) <= limit:
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


def legend(
    columns: list[Column],
    theme: Theme,
    texts: Texts,
    m: Metrics,
    y: float,
    limit: float,
    links: Sequence[tuple[str, tuple[float, ...]]] = (),
) -> tuple[list[Primitive], float]:
    """The colour of every category drawn, then the line styles of the skips drawn (`links`:
    name and dash pattern)."""
    present = {column.category for column in columns}
    entries: list[tuple[str, Category | tuple[float, ...]]] = [
        (category.value, category) for category in Category if category in present
    ]
    entries += [(name, dash) for name, dash in links]
    items: list[Primitive] = []
    x = m.margin
    swatch = 0.9 * m.f
    line_height = 1.6 * m.f
    for name, what in entries:
        wide = swatch if isinstance(what, Category) else 2.2 * swatch
        width = wide + 0.4 * m.f + text_width(name, m.f, face=m.face) + 1.4 * m.f
        if x > m.margin and x + width - 1.4 * m.f > m.margin + limit:
            x = m.margin
            y += line_height
        top = y + (line_height - swatch) / 2
        if isinstance(what, Category):
            items.append(
                Polygon(
                    ((x, top), (x + swatch, top), (x + swatch, top + swatch), (x, top + swatch)),
                    theme.fills[what],
                    theme.stroke,
                    0.6,
                )
            )
        else:
            middle = top + swatch / 2
            items.append(Line(((x, middle), (x + wide, middle)), theme.arrow, 0.9, dash=what))
        baseline = top + swatch / 2 + (ascent(m.f, face=m.face) - descent(m.f, face=m.face)) / 2
        items.append(
            texts.make(
                x + wide + 0.4 * m.f,
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
