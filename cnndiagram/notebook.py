"""Report stage (notebooks): an `Analysis` as the HTML that Jupyter shows for it.

The columns are the summary table's (`report.COLUMNS`); every name and label is XML-escaped,
formulas are `<code>`. A network of more than `FOLD_LAYERS` layers is folded: the layers of
each outermost block (a stage: a `repeat` with all its iterations, a residual or parallel
block) are a `<details>` element whose summary line gives the block's name, layer count,
output size and parameters, so the table opens as one line per stage.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnndiagram.engine.analysis import Analysis, LayerResult
from cnndiagram.escapes.xml import xml_escape
from cnndiagram.notation import format_count, format_shape
from cnndiagram.report import Align, CellKind, Column, Row, columns_for, total_line

#: Above this many layers the table is folded by block.
FOLD_LAYERS = 40
_STYLE = "text-align:right"


def _cells(columns: tuple[Column, ...], row: Row, tag: str = "td") -> str:
    out = []
    for column in columns:
        text = xml_escape(column.text(row))
        if column.kind is CellKind.FORMULA and text:
            text = f"<code>{text}</code>"
        style = f' style="{_STYLE}"' if column.align is Align.RIGHT else ""
        out.append(f"<{tag}{style}>{text}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _head(columns: tuple[Column, ...]) -> str:
    cells = "".join(
        f'<th style="{_STYLE}">{xml_escape(c.header)}</th>'
        if c.align is Align.RIGHT
        else f"<th>{xml_escape(c.header)}</th>"
        for c in columns
    )
    return f"<thead><tr>{cells}</tr></thead>"


def _groups(analysis: Analysis) -> Iterator[tuple[str | None, list[LayerResult]]]:
    """Runs of layers by outermost block: (label, layers), label None outside blocks."""
    key: object = None
    label: str | None = None
    run: list[LayerResult] = []
    for result in analysis.layers:
        block = result.layer.block if result.layer is not None else None
        top = block.path()[0] if block is not None else None
        this = None if top is None else top.id  # a repeat's iterations share their id
        if run and this != key:
            yield label, run
            run = []
        if not run:
            key = this
            label = None
            if top is not None:
                label = top.label
                if top.count is not None:
                    label += f" \u00d7{top.count}"
        run.append(result)
    if run:
        yield label, run


def analysis_html(analysis: Analysis) -> str:
    """The summary table as an HTML fragment, with the totals and the learnable split."""
    columns = columns_for("markdown")
    head = _head(columns)

    def rows(results: list[LayerResult]) -> str:
        return "".join(
            _cells(columns, Row(analysis, result, analysis.formulas(result))) for result in results
        )

    parts = ['<div class="cnndiagram-summary">']
    if analysis.network.title:
        parts.append(f"<p><strong>{xml_escape(analysis.network.title)}</strong></p>")
    fold = len(analysis.layers) > FOLD_LAYERS
    if not fold:
        parts.append(f"<table>{head}<tbody>{rows(list(analysis.layers))}</tbody></table>")
    else:
        for label, results in _groups(analysis):
            if label is None:
                parts.append(f"<table>{head}<tbody>{rows(results)}</tbody></table>")
                continue
            params = sum(result.params for result in results)
            shape = format_shape(results[-1].output_shape, analysis.network.channels_last)
            plural = "s" if len(results) != 1 else ""
            parts.append(
                f"<details><summary><strong>{xml_escape(label)}</strong>: {len(results)} "
                f"layer{plural}, output {shape}, {format_count(params)} parameters</summary>"
                f"<table>{head}<tbody>{rows(results)}</tbody></table></details>"
            )
    total = format_count(analysis.total_params)
    learnable = format_count(analysis.trainable_params)
    frozen = format_count(analysis.non_trainable_params)
    parts.append(
        f"<p><strong>Total parameters: {total}</strong> ({learnable} learnable, {frozen} not "
        f"learned); multiply-accumulates: {format_count(analysis.total_macs)}</p>"
    )
    if not fold:
        parts.append(f"<p><code>{xml_escape(total_line(analysis))}</code></p>")
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def analysis_markdown(analysis: Analysis) -> str:
    """The summary as Markdown (`summary -f markdown`), for front ends that prefer it."""
    from cnndiagram.report import markdown

    return markdown(analysis)
