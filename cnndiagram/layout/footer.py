"""Layout stage: what stands under the columns: the total as a sum, and the legend."""

from __future__ import annotations

from collections.abc import Sequence

from cnndiagram.catalog import Category
from cnndiagram.engine.analysis import Analysis
from cnndiagram.engine.formulas import group_digits
from cnndiagram.layout.columns import Column
from cnndiagram.layout.measure import TIGHT, Metrics, Texts
from cnndiagram.layout.scene import Line, Polygon, Primitive
from cnndiagram.layout.text import ascent, descent, text_width
from cnndiagram.layout.theme import Theme
from cnndiagram.options import Detail, FigureOptions
from cnndiagram.units import units

#: More terms than this and the footer sum is of no use to a reader: the total stands alone.
MAX_TERMS = 10
#: At the tightest compaction a sum over more lines than this gives way to its total.
TIGHT_LINES = 2


def totals(analysis: Analysis, m: Metrics, limit: float, options: FigureOptions) -> list[str]:
    """The learnable parameters, the count papers quote (PyTorch's `parameters()`), as a sum
    of the layers' counts wrapped at its operators (or alone, past `MAX_TERMS` terms); then
    what is frozen, and running statistics on a line of their own, since they are not
    learned."""
    terms, per = _terms(analysis, options.detail, options.collapse)
    total = group_digits(analysis.learnable_params, "unicode")
    noun = {Detail.BLOCKS: "block", Detail.STAGES: "stage"}.get(options.detail, "layer")
    lines = []
    if 1 < len(terms) <= MAX_TERMS:
        sum_text = " + ".join(group_digits(term, "unicode") for term in terms)
        lines = wrap_sum(f"{sum_text} = {total} learnable parameters{per}", m, limit)
        if len(lines) > TIGHT_LINES and (options.compact or 1.0) <= TIGHT and not per:
            # Set tight for a page, the terms are the counts drawn beside every unit.
            head, tail = f"{total} learnable parameters", f"in the {noun}s above"
            one = f"{head} {tail}"
            lines = [one] if text_width(one, m.f, face=m.face) <= limit else [head, tail]
    if not lines:
        detail = f" (per {noun}: see the summary)" if len(terms) > MAX_TERMS else ""
        lines = [f"{total} learnable parameters{detail}"]
    if analysis.frozen_params:
        lines.append(f"of which {group_digits(analysis.frozen_params, 'unicode')} frozen")
    if analysis.running_params:
        running = group_digits(analysis.running_params, "unicode")
        lines.append(f"+ {running} running statistics, not learned")
    if "macs" in options.annotate:
        lines.append(f"{group_digits(analysis.total_macs, 'unicode')} multiply-accumulates")
    return lines


def _terms(analysis: Analysis, detail: Detail, collapse: bool) -> tuple[list[int], str]:
    """The learnable counts the footer sums: of the drawn units at `blocks` and `stages`, of
    the layers at `layers` while they are few (a collapsed repeat, drawn once with its
    badge, is one term: its total), else of the stages (and then it says so)."""
    if detail in (Detail.BLOCKS, Detail.STAGES):
        return [unit.learnable for unit in units(analysis, detail) if unit.learnable], ""
    drawn: dict[str, int] = {}
    for result in analysis.layers:
        repeat = result.layer.repeat() if collapse and result.layer is not None else None
        key = f"repeat {repeat.id}" if repeat is not None else f"layer {result.name}"
        drawn[key] = drawn.get(key, 0) + result.learnable
    terms = [count for count in drawn.values() if count]
    if len(terms) <= MAX_TERMS:
        return terms, ""
    stages = [unit.learnable for unit in units(analysis, Detail.STAGES) if unit.learnable]
    return stages, " (sum per stage)"


def wrap_sum(text: str, m: Metrics, limit: float) -> list[str]:
    """A sum broken after its ` + ` operators to fit `limit`, the `= total` kept with the
    last term, so each line but the last ends with the operator that continues it."""
    if text_width(text, m.f, face=m.face) <= limit:
        return [text]
    terms = text.split(" + ")
    lines = [terms[0]]
    for term in terms[1:]:
        candidate = f"{lines[-1]} + {term}"
        if text_width(candidate, m.f, face=m.face) <= limit:
            lines[-1] = candidate
        else:
            lines[-1] += " +"
            lines.append(term)
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
