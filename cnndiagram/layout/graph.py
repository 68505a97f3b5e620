"""Layout stage, graph style: the network as a Graphviz graph, and that graph as a scene.

Each drawn column (the same columns as the block figure, folding included) becomes a
node. Two graphs come from the same columns:
- `build_graph`: the DOT users can keep and lay out themselves, with HTML-like table
  labels; all text goes through one escaping function, and node ids are generated
  (`n0`, `n1`...), so no user text is ever a DOT identifier;
- `graph_scene`: Graphviz only places things. Nodes are fixed-size boxes measured with
  the shipped font and edge labels fixed-size cells; Graphviz returns their positions
  and the edge splines (`-Tjson`), and the scene draws every box and text itself. So the
  graph style goes through the same backends as the others (SVG, PNG, ...) with the
  shipped fonts, and never depends on the fonts Graphviz happens to find.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, NamedTuple

from cnndiagram.engine.analysis import Analysis
from cnndiagram.engine.formulas import group_digits
from cnndiagram.errors import CnnDiagramError
from cnndiagram.escapes.xml import xml_escape
from cnndiagram.layout.columns import Column, build_columns
from cnndiagram.layout.graphviz import run_graphviz
from cnndiagram.layout.measure import Texts
from cnndiagram.layout.scene import Group, Line, Point, Polygon, Primitive, Scene, Text
from cnndiagram.layout.text import TYPEFACES, Typeface, ascent, clean, descent, text_width
from cnndiagram.layout.theme import THEMES, Theme, luminance
from cnndiagram.notation import describe_network, format_shape
from cnndiagram.options import FigureOptions

if TYPE_CHECKING:
    import pydot

ROWS = ("size", "formulas", "params", "macs", "rf", "repeat")
#: Segments each cubic Bézier piece of an edge is drawn with.
CURVE_STEPS = 8


def _cell(text: str) -> str:
    return f"<tr><td>{xml_escape(text)}</td></tr>"


def _totals(analysis: Analysis) -> str:
    """The learnable parameters (as a sum when it is short), then running statistics."""
    terms = [result.learnable for result in analysis.layers if result.learnable]
    total = group_digits(analysis.learnable_params, "unicode")
    if 1 < len(terms) <= 8:
        total = " + ".join(group_digits(term, "unicode") for term in terms) + f" = {total}"
    totals = f"{total} learnable parameters"
    if analysis.frozen_params:
        totals += f", of which {group_digits(analysis.frozen_params, 'unicode')} frozen"
    if analysis.running_params:
        running = group_digits(analysis.running_params, "unicode")
        totals += f" (+ {running} running statistics, not learned)"
    return totals


def _heading(analysis: Analysis, options: FigureOptions) -> tuple[str | None, str | None]:
    title = analysis.network.title if options.title is None else options.title
    face = TYPEFACES[options.font]
    return (clean(title, face) if title else None), (_totals(analysis) if options.totals else None)


def _text_on(fill: str) -> str:
    return "#ffffff" if luminance(fill) < 0.3 else "#1a1a1a"


def _edge_size(analysis: Analysis, column: Column) -> str:
    shape = column.result.output_shape
    return format_shape(shape, analysis.network.channels_last, unicode=True)


def _new_graph(options: FigureOptions, theme: Theme) -> pydot.Dot:
    import pydot

    f = options.font_size
    # the DOT names a family its users may have installed, not the embedded copy
    family = TYPEFACES[options.font].fallbacks.split(",")[0].strip("' ")
    graph = pydot.Dot(
        "network",
        graph_type="digraph",
        rankdir=options.direction.value,
        bgcolor=theme.background or "transparent",
        fontname=family,
        fontcolor=theme.text,
        nodesep="0.3",
        ranksep="0.35",
    )
    graph.set_node_defaults(shape="plain", fontname=family, fontsize=f"{f:g}", fontcolor=theme.text)
    graph.set_edge_defaults(
        color=theme.arrow,
        fontname=family,
        fontsize=f"{0.85 * f:g}",
        fontcolor=theme.muted,
        arrowsize="0.6",
    )
    return graph


def build_graph(analysis: Analysis, options: FigureOptions) -> pydot.Dot:
    """The DOT users keep: `graph.to_string()` is its text, labels and all."""
    import pydot

    theme = THEMES[options.theme]
    columns = build_columns(analysis, options)
    graph = _new_graph(options, theme)
    title, totals = _heading(analysis, options)
    heading = [f"<b>{xml_escape(title)}</b>"] if title else []
    if totals:
        heading.append(xml_escape(totals))
    if heading:
        graph.set("label", f"<{'<br/>'.join(heading)}>")
        graph.set("labelloc", "t")
        graph.set("labeljust", "l")
    for index, column in enumerate(columns):
        fill = theme.fills[column.category]
        head = [f"<b>{xml_escape(line)}</b>" for line in column.rows["name"]]
        head += [xml_escape(line) for line in column.rows.get("label", [])]
        body = [_cell(line) for key in ROWS for line in column.rows.get(key, [])]
        table = (
            f'<table border="1" cellborder="0" cellspacing="0" cellpadding="3" '
            f'color="{theme.stroke}" bgcolor="{fill}">'
            f'<tr><td><font color="{_text_on(fill)}">{"<br/>".join(head)}</font></td></tr>'
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
                edge.set("label", f"<{xml_escape(_edge_size(analysis, columns[source]))}>")
            graph.add_edge(edge)
    return graph


class _Card(NamedTuple):
    """A node's text, measured: bold head lines on the category colour, rows below."""

    head: tuple[tuple[str, bool], ...]
    body: tuple[str, ...]
    width: float
    head_height: float
    height: float


def _step(f: float, face: Typeface) -> float:
    """Line pitch in a card: 1.25 em, or more for a face whose glyphs reach further."""
    extent = ascent(f, True, face) + descent(f, True, face)
    return max(1.25 * f, 1.05 * extent)


def _card(column: Column, f: float, face: Typeface) -> _Card:
    head = tuple((line, True) for line in column.rows["name"])
    head += tuple((line, False) for line in column.rows.get("label", []))
    body = tuple(line for key in ROWS for line in column.rows.get(key, []))
    pad, step = 0.3 * f, _step(f, face)
    widths = [text_width(line, f, bold, face) for line, bold in head]
    widths += [text_width(line, f, face=face) for line in body]
    width = max(widths, default=0.0) + 2 * pad + 2
    head_height = len(head) * step + 2 * pad
    height = head_height + (len(body) * step + 2 * pad if body else 0.0)
    return _Card(head, body, width, head_height, height)


def _inches(points: float) -> str:
    return f"{points / 72:.4f}"


def _placement_graph(
    analysis: Analysis, options: FigureOptions, columns: list[Column], cards: list[_Card]
) -> pydot.Dot:
    """Boxes of the measured sizes and empty fixed-size edge labels: Graphviz places them."""
    import pydot

    f = options.font_size
    graph = _new_graph(options, THEMES[options.theme])
    for index, card in enumerate(cards):
        node = pydot.Node(f"n{index}", shape="box", fixedsize="true", label="", margin="0")
        node.set("width", _inches(card.width))
        node.set("height", _inches(card.height))
        graph.add_node(node)
        for source in columns[index].sources:
            edge = pydot.Edge(f"n{source}", f"n{index}")
            if options.edge_labels:
                size = 0.85 * f
                # room around the text, so Graphviz keeps every spline off the label
                label = _edge_size(analysis, columns[source])
                width = math.ceil(text_width(label, size, face=TYPEFACES[options.font]) + size)
                height = math.ceil(2.0 * size)
                edge.set(
                    "label",
                    '<<table border="0" cellborder="0" cellspacing="0" cellpadding="0"><tr>'
                    f'<td fixedsize="true" width="{width}" height="{height}"></td>'
                    "</tr></table>>",
                )
            graph.add_edge(edge)
    return graph


def _pair(text: str) -> Point:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def _bezier(points: list[Point]) -> list[Point]:
    """A Graphviz spline (1 + 3n control points) as a polyline."""
    out = [points[0]]
    for i in range(0, len(points) - 3, 3):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[i : i + 4]
        for step in range(1, CURVE_STEPS + 1):
            t = step / CURVE_STEPS
            u = 1 - t
            out.append(
                (
                    u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                    u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
                )
            )
    return out


def _edge_points(pos: str) -> list[Point]:
    """The drawn path of an edge: its spline, then the arrow tip (`e,x,y`) it points at."""
    tip: Point | None = None
    start: Point | None = None
    spline: list[Point] = []
    for token in pos.split(";", maxsplit=1)[0].split():
        if token.startswith("e,"):
            tip = _pair(token[2:])
        elif token.startswith("s,"):
            start = _pair(token[2:])
        else:
            spline.append(_pair(token))
    points = _bezier(spline) if len(spline) >= 4 else spline
    return ([start] if start else []) + points + ([tip] if tip else [])


class _Placed(NamedTuple):
    width: float
    height: float
    centres: dict[str, Point]
    edges: list[tuple[str, str, list[Point], Point | None]]


def _read_layout(data: bytes) -> _Placed:
    """Positions from Graphviz's JSON, y flipped to point down; anything unexpected in what
    the external program printed is one clear error, never a traceback."""
    try:
        graph = json.loads(data.decode("utf-8"))
        left, bottom, right, top = (float(v) for v in graph["bb"].split(","))
        flip = top  # Graphviz's y grows upwards from the bottom of its bounding box

        def down(point: Point) -> Point:
            return point[0] - left, flip - point[1]

        names = {}
        centres = {}
        for obj in graph.get("objects", []):
            names[obj["_gvid"]] = obj["name"]
            centres[obj["name"]] = down(_pair(obj["pos"]))
        edges = []
        for edge in graph.get("edges", []):
            points = [down(p) for p in _edge_points(edge["pos"])]
            label = down(_pair(edge["lp"])) if "lp" in edge else None
            edges.append((names[edge["tail"]], names[edge["head"]], points, label))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise CnnDiagramError(
            f"Graphviz printed a layout that cannot be read ({type(error).__name__}: "
            f"{str(error)[:120]})"
        ) from None
    return _Placed(right - left, top - bottom, centres, edges)


def _rect(x0: float, y0: float, x1: float, y1: float, fill: str, stroke: str) -> Polygon:
    return Polygon(((x0, y0), (x1, y0), (x1, y1), (x0, y1)), fill, stroke)


def _centred(middle: float, size: float, face: Typeface) -> float:
    """The baseline that centres a line of text of `size` on `middle`."""
    return middle + (ascent(size, face=face) - descent(size, face=face)) / 2


def _draw_card(
    column: Column, card: _Card, centre: Point, f: float, theme: Theme, texts: Texts
) -> tuple[Primitive, ...]:
    cx, cy = centre
    x0, y0 = cx - card.width / 2, cy - card.height / 2
    x1, y1 = x0 + card.width, y0 + card.height
    fill = theme.fills[column.category]
    pad, step = 0.3 * f, _step(f, texts.face)
    items: list[Primitive] = [_rect(x0, y0, x1, y0 + card.head_height, fill, theme.stroke)]
    if card.body:
        items.append(
            _rect(x0, y0 + card.head_height, x1, y1, theme.background or "#ffffff", theme.stroke)
        )
    baseline = _centred(y0 + pad + step / 2, f, texts.face)
    for line, bold in card.head:
        items.append(texts.make(cx, baseline, line, f, bold=bold, fill=_text_on(fill)))
        baseline += step
    baseline = _centred(y0 + card.head_height + pad + step / 2, f, texts.face)
    for line in card.body:
        items.append(texts.make(cx, baseline, line, f))
        baseline += step
    return tuple(items)


def graph_scene(analysis: Analysis, options: FigureOptions) -> Scene:
    """The graph style as a scene: Graphviz places the measured boxes, the scene draws them."""
    theme = THEMES[options.theme]
    face = TYPEFACES[options.font]
    texts = Texts(theme, face)
    f = options.font_size
    columns = build_columns(analysis, options)
    cards = [_card(column, f, face) for column in columns]
    dot = _placement_graph(analysis, options, columns, cards).to_string()
    placed = _read_layout(run_graphviz(dot, "json"))

    margin = f
    items: list[Primitive] = []
    top = margin
    title, totals = _heading(analysis, options)
    heading: list[Text] = []
    for line, bold in ((title, True), (totals, False)):
        if line:
            heading.append(texts.make(margin, top + f, line, f, bold=bold, anchor="start"))
            top += 1.4 * f
    if heading:
        top += 0.6 * f
    items.extend(heading)

    def shift(point: Point) -> Point:
        return point[0] + margin, point[1] + top

    for tail, _head, points, label in placed.edges:
        if len(points) >= 2:
            items.append(Line(tuple(shift(p) for p in points), theme.arrow, 1.0, arrow=True))
        if label is not None and options.edge_labels:
            source = columns[int(tail[1:])]
            lx, ly = shift(label)
            size = 0.85 * f
            items.append(
                texts.make(
                    lx,
                    _centred(ly, size, face),
                    _edge_size(analysis, source),
                    size,
                    fill=theme.muted,
                )
            )
    for index, (column, card) in enumerate(zip(columns, cards)):
        centre = shift(placed.centres[f"n{index}"])
        drawn = _draw_card(column, card, centre, f, theme, texts)
        items.append(Group(column.id, drawn, " ".join(column.rows["name"])))

    widths = [placed.width + 2 * margin] + [t.box()[2] + margin for t in heading]
    return Scene(
        max(widths),
        top + placed.height + margin,
        theme.background,
        tuple(items),
        title or "Network diagram",
        describe_network(analysis),
        face.key,
    )
