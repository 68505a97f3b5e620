"""Render stage: a `Scene` as PNG, rasterised by resvg from the scene's own SVG.

resvg is a pip-installed, self-contained renderer (no system libraries). It draws no
text without a font, so the shipped font files are loaded explicitly: every glyph is
drawn even on a machine with no fonts at all. The pixel size is checked against a
documented limit before anything is allocated.
"""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING, Any

from cnndiagram.errors import CnnDiagramError, LimitError, MissingDependencyError
from cnndiagram.layout.scene import Scene
from cnndiagram.layout.text import SANS, TYPEFACES, Typeface
from cnndiagram.limits import DEFAULT_MAX_PIXELS
from cnndiagram.render.svg import render_svg

if TYPE_CHECKING:
    from cnndiagram.options import OutputOptions


def _png_with_dpi(png: bytes, dpi: float) -> bytes:
    """Inserts a pHYs chunk so viewers and LaTeX know the intended physical size."""
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    end_of_ihdr = 8 + 8 + 13 + 4
    return png[:end_of_ihdr] + chunk + png[end_of_ihdr:]


def _resvg() -> tuple[Any, Any]:
    """resvg's `render` and `usvg`. The package's `__init__` only adds a version string, read
    through importlib.metadata at a cost of ~25 ms per process; loading its extension module
    directly skips that. Any surprise falls back to the ordinary import."""
    import importlib.machinery
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("resvg")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("resvg")
        folder = next(iter(spec.submodule_search_locations))
        suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
        name = next(
            f for f in sorted(os.listdir(folder)) if f.startswith("_resvg") and f.endswith(suffixes)
        )
        path = os.path.join(folder, name)
        loader = importlib.machinery.ExtensionFileLoader("resvg._resvg", path)
        module_spec = importlib.util.spec_from_file_location("resvg._resvg", path, loader=loader)
        assert module_spec is not None
        module = importlib.util.module_from_spec(module_spec)
        loader.exec_module(module)
        return module.render, module.usvg
    except (ImportError, OSError, StopIteration, AssertionError):
        pass
    try:
        from resvg import render, usvg
    except ImportError:
        raise MissingDependencyError(
            "PNG output needs the 'resvg' package", hint="pip install resvg"
        ) from None
    return render, usvg


def render_png(
    scene: Scene,
    *,
    scale: float = 2.0,
    dpi: float | None = None,
    transparent: bool = False,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> bytes:
    """PNG bytes at `scale` pixels per SVG unit (2 gives sharp text on high-density screens)."""
    _check_pixels(round(scene.width * scale), round(scene.height * scale), max_pixels)
    svg = render_svg(scene, embed_font=False, scale=scale, transparent=transparent, physical=False)
    face = TYPEFACES[scene.typeface]
    return rasterise(svg, dpi if dpi is not None else 96.0 * scale, max_pixels, face)


class PngBackend:
    """The PNG format of the backend registry (`render/formats.py`)."""

    def write(self, scene: Scene, options: OutputOptions) -> bytes:
        scale, dpi = options.pixel_scale, options.pixel_dpi
        if scene.points_per_unit is not None and options.scale is None:
            # A figure with a physical size: pixels from the resolution (300 dpi unless given).
            dpi = options.dpi or 300.0
            scale = scene.points_per_unit * dpi / 72
        return render_png(
            scene,
            scale=scale,
            dpi=dpi,
            transparent=options.transparent,
            max_pixels=options.max_pixels,
        )


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise LimitError(
            f"the PNG would be {width:,} x {height:,} = {width * height:,} pixels, over the "
            f"limit of {max_pixels:,}",
            hint="lower --scale or raise the limit with --max-pixels",
        )


def rasterise(
    svg: str, dpi: float, max_pixels: int = DEFAULT_MAX_PIXELS, face: Typeface = SANS
) -> bytes:
    """One of our SVGs to PNG at its intrinsic size, with the shipped font it is set in."""
    render, usvg = _resvg()
    options = usvg.Options.default()
    for path in face.files().values():
        options.load_font_file(path)
    options.font_family = face.family
    try:
        tree = usvg.Tree.from_str(svg, options)
    except Exception as error:  # resvg reports malformed SVG as a plain exception
        raise CnnDiagramError(f"cannot rasterise the SVG: {error}") from None
    width, height = tree.int_size()
    _check_pixels(width, height, max_pixels)
    png = bytes(render(tree, (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)))
    return _png_with_dpi(png, dpi)
