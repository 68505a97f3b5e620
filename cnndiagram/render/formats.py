"""Render stage: the one registry of output formats, by name and file extension.

Every interface (the CLI, `Diagram`, `render()`, documentation directives) resolves a
format here. A scene format names the module and class of its `Backend`, imported only
when that format is written, so listing the formats costs nothing at start-up. A new
output format is one backend module plus one entry below.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, NamedTuple, Protocol

from cnndiagram.errors import OptionError

if TYPE_CHECKING:
    from cnndiagram.layout.scene import Scene
    from cnndiagram.options import OutputOptions


class Backend(Protocol):
    """Draws a scene and nothing else: no network, no engine, no layout decisions."""

    def write(self, scene: Scene, options: OutputOptions) -> bytes: ...


class OutputFormat(NamedTuple):
    name: str
    extensions: tuple[str, ...]
    description: str
    media_type: str
    #: "module:Class" of the backend, or "" for DOT, which is the graph style's own text
    #: (what Graphviz lays out) rather than a drawing of the scene.
    backend_path: str
    binary: bool

    @property
    def draws_scene(self) -> bool:
        return bool(self.backend_path)

    def backend(self) -> Backend:
        module, _, name = self.backend_path.partition(":")
        backend: Backend = getattr(importlib.import_module(module), name)()
        return backend


FORMATS: dict[str, OutputFormat] = {
    entry.name: entry
    for entry in (
        OutputFormat(
            "svg",
            (".svg",),
            "SVG with selectable text and the font embedded",
            "image/svg+xml",
            "cnndiagram.render.svg:SvgBackend",
            binary=False,
        ),
        OutputFormat(
            "png",
            (".png",),
            "PNG at --scale pixels per unit, --dpi recorded",
            "image/png",
            "cnndiagram.render.png:PngBackend",
            binary=True,
        ),
        OutputFormat(
            "pdf",
            (".pdf",),
            "vector PDF, one page of the figure's size, font embedded",
            "application/pdf",
            "cnndiagram.render.pdf:PdfBackend",
            binary=True,
        ),
        OutputFormat(
            "pptx",
            (".pptx",),
            "PowerPoint slide of editable shapes and text boxes",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "cnndiagram.render.pptx:PptxBackend",
            binary=True,
        ),
        OutputFormat(
            "tikz",
            (".tex",),
            "TikZ picture to \\input, text in the document's font (--standalone: a document)",
            "application/x-tex",
            "cnndiagram.render.tikz:TikzBackend",
            binary=False,
        ),
        OutputFormat(
            "dot",
            (".dot", ".gv"),
            "Graphviz DOT text (graph style)",
            "text/vnd.graphviz",
            "",
            binary=False,
        ),
    )
}
FORMAT_NAMES = tuple(FORMATS)


def _listing() -> str:
    return ", ".join(f"{entry.name} ({', '.join(entry.extensions)})" for entry in FORMATS.values())


def output_format(name: str) -> OutputFormat:
    """The format called `name` (case-insensitive); an unknown one is a usage error."""
    entry = FORMATS.get(name.lower().lstrip("."))
    if entry is None:
        raise OptionError(f"unknown output format {name!r}; the formats are {_listing()}")
    return entry


def format_for_path(path: str, name: str | None = None) -> OutputFormat:
    """The format given by `name`, else by `path`'s extension (`-`, stdout, is SVG)."""
    if name:
        return output_format(name)
    if path == "-":
        return FORMATS["svg"]
    extension = os.path.splitext(path)[1].lower()
    for entry in FORMATS.values():
        if extension in entry.extensions:
            return entry
    raise OptionError(
        f"cannot tell the output format of {path!r} from its extension; "
        f"the formats are {_listing()} (or give --format)"
    )
