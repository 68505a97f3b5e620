"""The figure API: a `Diagram` lays a network out once and writes it in any output format.

    from cnndiagram import Diagram, render
    Diagram("samples/seed.cnn").save("seed.svg")
    render("I(1x28x28)-C(32,5)-P(2)-H(256)-O(10)", "seed.png", style="flat", scale=2)

Options are the ones declared in `cnndiagram.options` (figure options such as `style`,
`theme`, `annotate`; output options such as `scale`, `dpi`, `transparent`); formats come
from the registry in `cnndiagram.render.formats`. In Jupyter a `Diagram` shows itself
inline (`_repr_svg_`, fitted to a slide when no page is given).
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from cnndiagram.engine.analysis import Analysis, analyze
from cnndiagram.errors import OptionError
from cnndiagram.ir import Network
from cnndiagram.layout.scene import Scene
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.options import (
    PAGES,
    Detail,
    FigureOptions,
    Style,
    figure_options,
    output_options,
    split_options,
)
from cnndiagram.render.formats import format_for_path, output_format

if TYPE_CHECKING:
    from cnndiagram.layout.page import Fit

Spec = Network | Analysis | str | os.PathLike[str]


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a figure is computed. Analysis, layout and
    backends build millions of small immutable tuples that form no cycles (reference
    counting frees them); the collector's repeated scans of them are wasted work that grows
    faster than the network (a fifth of a 10,000-layer render). Restored as it was found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analysis(spec: Spec, limits: Limits) -> Analysis:
    with _no_cycle_collection():
        return _analyse(spec, limits)


def _analyse(spec: Spec, limits: Limits) -> Analysis:
    if isinstance(spec, Analysis):
        return spec
    if isinstance(spec, Network):
        return analyze(spec, limits)
    from cnndiagram.loading import load_network

    if (
        isinstance(spec, str)
        and not os.path.exists(spec)
        and ("(" in spec or "\n" in spec or "->" in spec)
    ):
        return analyze(load_network(spec, expr=True, limits=limits), limits)
    return analyze(load_network(spec, limits=limits), limits)


class Diagram:
    """A laid-out figure of one network.

    `spec` is a spec file path, spec text (anything with a parenthesis, a new line or
    `->` that is not an existing path), a `Network` or an `Analysis`; `options` are the
    figure options of `cnndiagram.options` (style, theme, font_size, title, annotate,
    fold, max_width, block_scale, legend, totals, collapse, layout, direction,
    edge_labels).
    """

    def __init__(self, spec: Spec, *, limits: Limits = DEFAULT_LIMITS, **options: Any) -> None:
        self.options = figure_options(**options)
        self.analysis = _analysis(spec, limits)
        self._scene: Scene | None = None
        #: How the figure was fitted to `page` (set when the scene is laid out with a page).
        self.fit: Fit | None = None
        #: The level of detail drawn (`auto` resolved; set when the scene is laid out).
        self.detail: Detail = self.options.detail
        #: The font size the figure was drawn at to keep within `max_width`, if it had to be
        #: smaller than asked (set when the scene is laid out).
        self.narrowed: float | None = None
        self._inline: Diagram | None = None  # the notebook's slide-sized figure, made once

    @property
    def scene(self) -> Scene:
        """The one scene every backend draws (laid out on first use)."""
        if self._scene is None:
            draw: Callable[[Analysis, FigureOptions], Scene]
            if self.options.style == Style.GRAPH:
                from cnndiagram.layout.graph import graph_scene as draw
            else:
                from cnndiagram.layout.figure import layout as draw
            from cnndiagram.layout.detail import draw_at_detail

            with _no_cycle_collection():
                choice = draw_at_detail(self.analysis, self.options, draw)
            self._scene, self.fit, self.detail = choice.scene, choice.fit, choice.detail
            self.narrowed = choice.font_size
        return self._scene

    def to_bytes(self, fmt: str, **output: Any) -> bytes:
        """The figure in format `fmt` (a name from `cnndiagram.render.formats.FORMATS`)."""
        entry = output_format(fmt)
        options = output_options(**output)
        if not entry.draws_scene:
            return self.to_dot(transparent=options.transparent).encode("utf-8")
        scene = self.scene
        with _no_cycle_collection():
            return entry.backend().write(scene, options)

    def to_svg(self, **output: Any) -> str:
        return self.to_bytes("svg", **output).decode("utf-8")

    def to_png(self, **output: Any) -> bytes:
        return self.to_bytes("png", **output)

    def to_dot(self, *, transparent: bool = False) -> str:
        """The graph style's DOT text, with its labels (what Graphviz would lay out)."""
        from cnndiagram.layout.graph import build_graph

        if self.options.style != Style.GRAPH:
            raise OptionError("DOT output is the graph style's: use --style graph")
        graph = build_graph(self.analysis, self.options)
        if transparent:
            graph.set("bgcolor", "transparent")
        return str(graph.to_string())

    def save(self, path: str | os.PathLike[str], fmt: str | None = None, **output: Any) -> None:
        """Writes atomically; the format comes from `fmt` or the extension (`-`: SVG on stdout)."""
        from cnndiagram.output import write_output

        target = os.fspath(path)
        entry = format_for_path(target, fmt)
        write_output(target, self.to_bytes(entry.name, **output))

    def _repr_svg_(self) -> str:
        """Jupyter's inline figure. One drawn without a page is fitted to the `slide` preset
        (960x540 pt, text at least 14 pt): a long network wraps into rows a notebook can
        show, instead of a 20,000-unit row scaled down to unreadable text."""
        if self.options.page is not None:
            return self.to_svg()
        if self._inline is None:
            options = self.options._replace(page=PAGES["slide"])
            self._inline = Diagram(self.analysis, **options._asdict())
        return self._inline.to_svg()


def render(
    spec: Spec,
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    **options: Any,
) -> Diagram:
    """Lays out `spec` and writes it to `path` in the format of `fmt` or of its extension;
    `options` are any figure and output options. Returns the `Diagram`."""
    target = os.fspath(path)
    entry = format_for_path(target, fmt)  # a bad name fails before any work is done
    figure, output = split_options(options)
    diagram = Diagram(spec, limits=limits, **figure._asdict())
    diagram.save(target, entry.name, **output._asdict())
    return diagram
