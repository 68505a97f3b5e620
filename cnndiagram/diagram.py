"""The figure API: a `Diagram` lays a network out once and writes it as SVG or PNG.

    from cnndiagram import Diagram, render
    Diagram("samples/seed.cnn").save("seed.svg")
    render("I(1x28x28)-C(32,5)-P(2)-H(256)-O(10)", "seed.png", style="flat", scale=2)

In Jupyter a `Diagram` shows itself inline (`_repr_svg_`).
"""

from __future__ import annotations

import os
from typing import Any

from cnndiagram.engine.analysis import Analysis, analyze
from cnndiagram.errors import SpecError
from cnndiagram.ir import Network
from cnndiagram.layout import ANNOTATIONS, BLOCK_SCALES, DIRECTIONS, LAYOUTS, STYLES
from cnndiagram.layout.options import FigureOptions
from cnndiagram.layout.scene import Scene
from cnndiagram.layout.theme import THEMES
from cnndiagram.limits import DEFAULT_LIMITS, DEFAULT_MAX_PIXELS, Limits

OUTPUT_FORMATS = ("svg", "png", "dot")


def figure_options(**options: Any) -> FigureOptions:
    """Checked `FigureOptions` from keyword arguments (`style="flat"`, `annotate="size,rf"`)."""
    known = set(FigureOptions._fields)
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"unknown figure option {unknown[0]!r}; known: {', '.join(sorted(known))}")
    annotate = options.get("annotate")
    if isinstance(annotate, str):
        options["annotate"] = tuple(a.strip() for a in annotate.split(",") if a.strip())
    result = FigureOptions(**options)
    for value, allowed, what in (
        (result.style, STYLES, "style"),
        (result.theme, tuple(THEMES), "theme"),
        (result.block_scale, BLOCK_SCALES, "block scale"),
        (result.layout, LAYOUTS, "layout"),
        (result.direction, DIRECTIONS, "direction"),
    ):
        if value not in allowed:
            raise SpecError(f"unknown {what} '{value}'; choose from {', '.join(allowed)}")
    for name in result.annotate:
        if name not in ANNOTATIONS:
            raise SpecError(f"unknown annotation '{name}'; choose from {', '.join(ANNOTATIONS)}")
    if not 4 <= result.font_size <= 72:
        raise SpecError(f"font size {result.font_size:g} is outside 4 to 72")
    if result.max_width is not None and result.max_width < 100:
        raise SpecError(f"max width {result.max_width:g} is below 100")
    return result


def _analysis(spec: Network | Analysis | str | os.PathLike[str], limits: Limits) -> Analysis:
    if isinstance(spec, Analysis):
        return spec
    if isinstance(spec, Network):
        return analyze(spec, limits)
    from cnndiagram.spec.load import load_spec

    if (
        isinstance(spec, str)
        and not os.path.exists(spec)
        and ("(" in spec or "\n" in spec or "->" in spec)
    ):
        return analyze(load_spec(spec, expr=True, limits=limits), limits)
    return analyze(load_spec(spec, limits=limits), limits)


class Diagram:
    """A laid-out figure of one network.

    `spec` is a spec file path, spec text (anything with a parenthesis, a new line or
    `->` that is not an existing path), a `Network` or an `Analysis`; `options` are the
    `FigureOptions` fields (style, theme, font_size, title, annotate, fold, max_width,
    block_scale, legend, totals).
    """

    def __init__(
        self,
        spec: Network | Analysis | str | os.PathLike[str],
        *,
        limits: Limits = DEFAULT_LIMITS,
        **options: Any,
    ) -> None:
        self.options = figure_options(**options)
        self.analysis = _analysis(spec, limits)
        self._scene: Scene | None = None

    @property
    def scene(self) -> Scene:
        if self._scene is None:
            from cnndiagram.layout.figure import layout

            self._scene = layout(self.analysis, self.options)
        return self._scene

    def to_svg(self, *, embed_font: bool = True, transparent: bool = False) -> str:
        if self.options.style == "graph":
            return self._graph_svg(embed_font, transparent)
        from cnndiagram.render.svg import render_svg

        return render_svg(self.scene, embed_font=embed_font, transparent=transparent)

    def to_dot(self, *, transparent: bool = False) -> str:
        """The graph style's DOT text (what Graphviz lays out)."""
        from cnndiagram.layout.graph import build_graph

        if self.options.style != "graph":
            raise SpecError("DOT output is the graph style's: use --style graph")
        options = self.options
        graph = build_graph(self.analysis, options)
        if transparent:
            graph.set("bgcolor", "transparent")
        return str(graph.to_string())

    def _graph_svg(self, embed_font: bool, transparent: bool) -> str:
        from cnndiagram.escape import xml_escape
        from cnndiagram.notation import describe_network
        from cnndiagram.render.graphviz import run_graphviz
        from cnndiagram.render.svg import font_faces

        svg = run_graphviz(self.to_dot(transparent=transparent)).decode("utf-8")
        start = svg.index("<svg")
        end = svg.index(">", start) + 1
        title = self.analysis.network.title or "Network diagram"
        extra = (
            f"<title>{xml_escape(title)}</title>"
            f"<desc>{xml_escape(describe_network(self.analysis))}</desc>"
        )
        if embed_font:
            extra += f"<style>{font_faces()}</style>"
        return svg[:start] + svg[start:end] + "\n" + extra + svg[end:]

    def to_png(
        self,
        *,
        scale: float = 2.0,
        dpi: float | None = None,
        transparent: bool = False,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> bytes:
        from cnndiagram.render.png import rasterise, render_png

        if self.options.style == "graph":
            svg = self._graph_svg(False, transparent)
            return rasterise(_zoom(svg, scale), dpi or 96.0 * scale, max_pixels)
        return render_png(
            self.scene, scale=scale, dpi=dpi, transparent=transparent, max_pixels=max_pixels
        )

    def save(self, path: str | os.PathLike[str], fmt: str | None = None, **render: Any) -> None:
        """Writes atomically; the format comes from `fmt` or the extension (`-`: SVG on stdout)."""
        from cnndiagram.output import write_output

        target = os.fspath(path)
        fmt = fmt or output_format(target)
        data: str | bytes
        if fmt == "png":
            data = self.to_png(**render)
        elif fmt == "dot":
            data = self.to_dot(transparent=bool(render.get("transparent")))
        else:
            data = self.to_svg(**render)
        write_output(target, data)

    def _repr_svg_(self) -> str:
        return self.to_svg()


def _zoom(svg: str, scale: float) -> str:
    """Graphviz's SVG sized in pixels at `scale` (it writes points: 1 pt = 4/3 px)."""
    import re

    def pixels(match: re.Match[str]) -> str:
        value = float(match.group(2)) * (4 / 3 if match.group(3) == "pt" else 1.0) * scale
        return f'{match.group(1)}="{value:.2f}"'

    head_end = svg.index(">", svg.index("<svg"))
    head = re.sub(r'\b(width|height)="([\d.]+)(pt|px)?"', pixels, svg[:head_end])
    return head + svg[head_end:]


def output_format(path: str) -> str:
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if path == "-":
        return "svg"
    if extension not in OUTPUT_FORMATS:
        raise SpecError(
            f"cannot tell the output format of '{path}'; use a .svg, .png or .dot name or --format"
        )
    return extension


def render(
    spec: Network | Analysis | str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    scale: float | None = None,
    dpi: float | None = None,
    transparent: bool = False,
    embed_font: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    limits: Limits = DEFAULT_LIMITS,
    **options: Any,
) -> Diagram:
    """Lays out `spec` and writes it to `path` as SVG, PNG or DOT; returns the `Diagram`."""
    diagram = Diagram(spec, limits=limits, **options)
    target = os.fspath(path)
    fmt = fmt or output_format(target)
    if fmt == "png":
        zoom = scale if scale is not None else (dpi / 96.0 if dpi else 2.0)
        diagram.save(
            target, "png", scale=zoom, dpi=dpi, transparent=transparent, max_pixels=max_pixels
        )
    elif fmt == "dot":
        diagram.save(target, "dot", transparent=transparent)
    else:
        diagram.save(target, "svg", embed_font=embed_font, transparent=transparent)
    return diagram
