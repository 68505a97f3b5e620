"""Notebook stage (beside the figure API, above the reports): the HTML Jupyter shows for an
`Analysis`.

The columns are the summary table's (`report.COLUMNS`); every name and label is XML-escaped,
formulas are `<code>`. A network of more than `FOLD_LAYERS` layers is folded at the `stages`
level of detail (`cnndiagram.units`: the stem, each stage with its repeats, the head): each
stage of several layers is a `<details>` element whose summary line gives its name, its
description, layer count, output size and parameters, so the table opens as one line per
stage and each expands to its layers.
"""

from __future__ import annotations

from cnndiagram.engine.analysis import Analysis, LayerResult
from cnndiagram.escapes.xml import xml_escape
from cnndiagram.notation import format_count, format_shape
from cnndiagram.options import Detail
from cnndiagram.report import Align, CellKind, Column, Row, columns_for, total_line
from cnndiagram.units import units

#: Above this many layers the table is folded by stage.
FOLD_LAYERS = 40
_STYLE = "text-align:right"


def _cells(columns: tuple[Column[Row], ...], row: Row, tag: str = "td") -> str:
    out = []
    for column in columns:
        text = xml_escape(column.text(row))
        if column.kind is CellKind.FORMULA and text:
            text = f"<code>{text}</code>"
        style = f' style="{_STYLE}"' if column.align is Align.RIGHT else ""
        out.append(f"<{tag}{style}>{text}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _head(columns: tuple[Column[Row], ...]) -> str:
    cells = "".join(
        f'<th style="{_STYLE}">{xml_escape(c.header)}</th>'
        if c.align is Align.RIGHT
        else f"<th>{xml_escape(c.header)}</th>"
        for c in columns
    )
    return f"<thead><tr>{cells}</tr></thead>"


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
        for unit in units(analysis, Detail.STAGES):
            if unit.single:
                parts.append(f"<table>{head}<tbody>{rows(list(unit.layers))}</tbody></table>")
                continue
            shape = format_shape(unit.output.output_shape, analysis.network.channels_last)
            times = f" \u00d7{unit.repeats}" if unit.repeats > 1 else ""
            parts.append(
                f"<details><summary><strong>{xml_escape(unit.name)}</strong>: "
                f"{xml_escape(unit.description)}{times}; {len(unit.layers)} layers, output "
                f"{shape}, {format_count(unit.params)} parameters</summary>"
                f"<table>{head}<tbody>{rows(list(unit.layers))}</tbody></table></details>"
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
