"""Layout stage, graph style: the network as a Graphviz graph, built through pydot's API.

Each drawn column (the same columns as the block figure, folding included) becomes a
node whose HTML-like label is a small table: name, kind with hyperparameters, output
size, formulas. All text goes through one escaping function for HTML-like labels; node
ids are generated (`n0`, `n1`...), so no user text is ever a DOT identifier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnndiagram.engine.analysis import Analysis
from cnndiagram.engine.formulas import group_digits
from cnndiagram.escape import xml_escape
from cnndiagram.layout.columns import build_columns
from cnndiagram.layout.options import FigureOptions
from cnndiagram.layout.text import FAMILY, clean
from cnndiagram.layout.theme import THEMES, luminance
from cnndiagram.notation import format_shape

if TYPE_CHECKING:
    import pydot

ROWS = ("size", "formulas", "params", "macs", "rf", "repeat")


def _cell(text: str) -> str:
    return f"<tr><td>{xml_escape(text)}</td></tr>"


def build_graph(analysis: Analysis, options: FigureOptions) -> pydot.Dot:
    """A pydot graph of the network; `graph.to_string()` is its DOT text."""
    import pydot

    theme = THEMES[options.theme]
    f = options.font_size
    columns = build_columns(analysis, options)
    graph = pydot.Dot(
        "network",
        graph_type="digraph",
        rankdir=options.direction,
        bgcolor=theme.background or "transparent",
        fontname=FAMILY,
        fontcolor=theme.text,
        nodesep="0.3",
        ranksep="0.35",
    )
    graph.set_node_defaults(shape="plain", fontname=FAMILY, fontsize=f"{f:g}", fontcolor=theme.text)
    graph.set_edge_defaults(
        color=theme.arrow,
        fontname=FAMILY,
        fontsize=f"{0.85 * f:g}",
        fontcolor=theme.muted,
        arrowsize="0.6",
    )
    title = analysis.network.title if options.title is None else options.title
    terms = sum(1 for result in analysis.layers if result.params)
    totals = (
        analysis.total_formula().text("unicode", group=True)
        if terms <= 8
        else group_digits(analysis.total_params, "unicode")
    ) + " parameters"
    if analysis.non_trainable_params:
        totals += (
            f" (trainable {group_digits(analysis.trainable_params, 'unicode')}, "
            f"non-trainable {group_digits(analysis.non_trainable_params, 'unicode')})"
        )
    heading = [f"<b>{xml_escape(clean(title))}</b>"] if title else []
    if options.totals:
        heading.append(xml_escape(totals))
    if heading:
        graph.set("label", f"<{'<br/>'.join(heading)}>")
        graph.set("labelloc", "t")
        graph.set("labeljust", "l")
    for index, column in enumerate(columns):
        fill = theme.fills[column.category]
        text = "#ffffff" if luminance(fill) < 0.3 else "#1a1a1a"
        head = [f"<b>{xml_escape(line)}</b>" for line in column.rows["name"]]
        head += [xml_escape(line) for line in column.rows.get("label", [])]
        body = [_cell(line) for key in ROWS for line in column.rows.get(key, [])]
        table = (
            f'<table border="1" cellborder="0" cellspacing="0" cellpadding="3" '
            f'color="{theme.stroke}" bgcolor="{fill}">'
            f'<tr><td><font color="{text}">{"<br/>".join(head)}</font></td></tr>'
            + (
                f'<tr><td bgcolor="{theme.background or "#ffffff"}">'
                f'<table border="0" cellspacing="0" cellpadding="1">{"".join(body)}</table>'
                "</td></tr>"
                if body
                else ""
            )
            + "</table>"
        )
        graph.add_node(pydot.Node(f"n{index}", label=f"<{table}>"))
        for source in column.sources:
            edge = pydot.Edge(f"n{source}", f"n{index}")
            if options.edge_labels:
                shape = columns[source].result.output_shape
                size = format_shape(shape, analysis.network.channels_last, unicode=True)
                edge.set("label", f"<{xml_escape(size)}>")
            graph.add_edge(edge)
    return graph
