"""Render stage: a `Scene` as SVG text.

Real `<text>` (selectable, searchable), in the shipped font embedded as a subset so a
browser without DejaVu Sans still draws every glyph where the layout measured it. The
output holds no scripts, no event attributes and no external references; ids are
prefixed per document (a hash of its content), so several figures can share a page.
"""

from __future__ import annotations

import base64
import math
import zlib
from typing import TYPE_CHECKING

from cnndiagram.escapes.number import number
from cnndiagram.escapes.xml import xml_escape
from cnndiagram.layout.scene import Group, Line, Polygon, Primitive, Scene
from cnndiagram.layout.text import SANS, TYPEFACES, Typeface

if TYPE_CHECKING:
    from cnndiagram.options import OutputOptions


def _points(points: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{number(x)},{number(y)}" for x, y in points)


def arrow_head(line: Line) -> tuple[tuple[float, float], ...]:
    """Triangle at the end of a polyline, pointing along its last segment."""
    (x0, y0), (x1, y1) = line.points[-2], line.points[-1]
    angle = math.atan2(y1 - y0, x1 - x0)
    length, half = 3.0 + 2.2 * line.width, 1.5 + 1.2 * line.width
    bx, by = x1 - length * math.cos(angle), y1 - length * math.sin(angle)
    nx, ny = -math.sin(angle) * half, math.cos(angle) * half
    return ((x1, y1), (bx + nx, by + ny), (bx - nx, by - ny))


def font_faces(face: Typeface = SANS) -> str:
    """CSS embedding the shipped font subset (regular and bold)."""
    return _font_face(face, False) + _font_face(face, True)


def _font_face(face: Typeface, bold: bool) -> str:
    """The embedded copy is declared under a family name of its own (`embedded_family`), so an
    SVG pasted into an HTML page can never replace that page's own fonts."""
    with open(face.files(web=True)[bold], "rb") as handle:
        data = base64.b64encode(handle.read()).decode("ascii")
    weight = "bold" if bold else "normal"
    return (
        f"@font-face{{font-family:'{face.embedded_family}';font-weight:{weight};"
        f"src:url(data:font/woff2;base64,{data}) format('woff2')}}"
    )


def _item(item: Primitive, prefix: str, out: list[str]) -> None:
    if isinstance(item, Group):
        out.append(f'<g id="{prefix}{xml_escape(item.id)}">')
        if item.label:
            out.append(f"<title>{xml_escape(item.label)}</title>")
        for child in item.items:
            _item(child, prefix, out)
        out.append("</g>")
    elif isinstance(item, Polygon):
        opacity = f' fill-opacity="{number(item.opacity)}"' if item.opacity < 1 else ""
        out.append(
            f'<polygon points="{_points(item.points)}" fill="{item.fill}"{opacity} '
            f'stroke="{item.stroke}" stroke-width="{number(item.stroke_width)}" '
            'stroke-linejoin="round"/>'
        )
    elif isinstance(item, Line):
        dash = f' stroke-dasharray="{" ".join(map(number, item.dash))}"' if item.dash else ""
        out.append(
            f'<polyline points="{_points(item.points)}" fill="none" stroke="{item.stroke}" '
            f'stroke-width="{number(item.width)}"{dash} stroke-linejoin="round"/>'
        )
        if item.arrow:
            out.append(f'<polygon points="{_points(arrow_head(item))}" fill="{item.stroke}"/>')
    else:
        anchor = "" if item.anchor == "start" else f' text-anchor="{item.anchor}"'
        weight = ' font-weight="bold"' if item.bold else ""
        role = f' class="{item.role}"' if item.role else ""
        out.append(
            f'<text x="{number(item.x)}" y="{number(item.y)}" font-size="{number(item.size)}"'
            f'{anchor}{weight} fill="{item.fill}"{role}>{xml_escape(item.text)}</text>'
        )


def render_svg(
    scene: Scene,
    *,
    embed_font: bool = True,
    scale: float = 1.0,
    transparent: bool = False,
    physical: bool = True,
) -> str:
    """The scene as a standalone SVG document; `scale` sets the intrinsic size only. A scene
    fitted to a page gets its size in points (`physical`), else in pixels."""
    face = TYPEFACES[scene.typeface]
    # A content hash, not a counter or a random id: the same figure gets the same ids.
    key = f"{scene.title}\n{scene.description}\n{scene.width}".encode()
    digest = f"{zlib.crc32(key):08x}"
    prefix = f"cnn{digest}-"
    width, height = number(scene.width * scale), number(scene.height * scale)
    if physical and scene.points_per_unit is not None:
        unit = scene.points_per_unit * scale
        width, height = f"{number(scene.width * unit)}pt", f"{number(scene.height * unit)}pt"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {number(scene.width)} {number(scene.height)}" role="img" '
        f'aria-labelledby="{prefix}title {prefix}desc" xml:space="preserve" '
        f"font-family=\"'{face.embedded_family}', {face.fallbacks}\" "
        'style="font-kerning:none;font-variant-ligatures:none;text-rendering:geometricPrecision">',
        f'<title id="{prefix}title">{xml_escape(scene.title)}</title>',
        f'<desc id="{prefix}desc">{xml_escape(scene.description)}</desc>',
    ]
    if embed_font:
        out.append(f"<style>{font_faces(face)}</style>")
    if scene.background and not transparent:
        out.append(f'<rect width="100%" height="100%" fill="{scene.background}"/>')
    for item in scene.items:
        _item(item, prefix, out)
    out.append("</svg>")
    return "\n".join(out) + "\n"


class SvgBackend:
    """The SVG format of the backend registry (`render/formats.py`)."""

    def write(self, scene: Scene, options: OutputOptions) -> bytes:
        svg = render_svg(scene, embed_font=options.embed_font, transparent=options.transparent)
        return svg.encode("utf-8")
