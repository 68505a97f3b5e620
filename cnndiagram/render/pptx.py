"""Render stage: a `Scene` as one PowerPoint slide of native, editable shapes.

The slide is 16:9 (13.333 x 7.5 in, the `--page slide` preset). A scene fitted to a page
that the slide holds is centred at its print size; any other is scaled to fit inside a
margin, centred, its aspect kept. Nothing is a picture: polygons are freeforms with the
figure theme's fill and stroke, two-point lines are straight connectors and longer
polylines open freeforms, an arrow is the line's own DrawingML line end (so it follows the
line when it is edited), and every text is a text box at the position the layout
measured: no autofit, no wrapping, no insets, its top at the baseline minus the measured
ascent, its line height the measured ascent plus descent, aligned left, centred or right
as its anchor says. Each group of the scene (a layer's block with its labels, the legend,
the totals) is a group shape named after it, so it moves as one.

The slide's PresentationML is written here directly, as text (the package around it is
`render/ooxml.py`): python-pptx, which an earlier version used, took most of a PPTX
export's time in its own import. python-pptx stays in the tests, which reopen every file.

Fonts: a PPTX file cannot carry the figure's font (PowerPoint's own embedding is not
portable, and viewers other than PowerPoint ignore it), so the text is
set in a font every Office installation has: Arial for the sans typeface, Times New Roman
for the serif one (LibreOffice and most other viewers show their metric-compatible
Liberation Sans and Serif). Arial is narrower than the measured DejaVu Sans for almost
every string, but not for every character (some capitals, `J`, `_`), and Times New Roman
differs from STIX in both directions, so each text is measured again with the Office
font's advance widths (`fonts/office-metrics.json`, built by tools/office_metrics.py) and
its size reduced where it would overflow its measured box. Both lack `⌊ ⌋ ⌈ ⌉` (Arial
also `⋅` and some super- and subscripts); Office draws those from a fallback font (Cambria
Math or Segoe UI Symbol), and they are measured with the shipped font's widths.

The scene's title is the presentation's title (core properties), its description the
slide's notes. The file is byte-for-byte reproducible: no creation or modification dates,
a fixed revision, and every zip entry stamped with one fixed time.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from cnndiagram.escapes.xml import xml_chars, xml_escape
from cnndiagram.layout.scene import Group, Line, Polygon, Primitive, Scene, Text
from cnndiagram.layout.text import FONT_DIR, SANS, TYPEFACES, text_width
from cnndiagram.render.ooxml import NS, TREE_ROOT, ZIP_TIME, package

if TYPE_CHECKING:
    from cnndiagram.options import OutputOptions

__all__ = ["ZIP_TIME", "Frame", "PptxBackend", "office_font", "office_width", "plain"]

#: The 16:9 slide of PowerPoint's "Widescreen" size, in EMU (914,400 per inch).
SLIDE_WIDTH, SLIDE_HEIGHT = 12_192_000, 6_858_000
MARGIN = 228_600  # a quarter of an inch on every side
EMU_PER_POINT = 12_700
EMU_PER_CENTIPOINT = 127  # font sizes and line spacing are whole hundredths of a point
#: DrawingML line ends come in three sizes, multiples of the line width (ECMA-376 leaves
#: the factors to the application: 2, 3 and 5 in LibreOffice, which also takes a line at
#: least 0.7 mm wide for the purpose, so hairlines keep a visible arrowhead).
END_SIZES = {"sm": 2.0, "med": 3.0, "lg": 5.0}
END_BASE = 25_200  # 0.7 mm in EMU


class Frame(NamedTuple):
    """Scene units to slide EMU: one scale for both axes, the scene centred."""

    scale: float
    left: float
    top: float

    @classmethod
    def fit(cls, scene: Scene) -> Frame:
        width, height = max(scene.width, 1.0), max(scene.height, 1.0)
        scale = min((SLIDE_WIDTH - 2 * MARGIN) / width, (SLIDE_HEIGHT - 2 * MARGIN) / height)
        if scene.points_per_unit is not None:
            # Fitted to a page (`--page`): its print size, text at least the minimum font,
            # whenever the slide holds it (a page the size of the slide needs no margin).
            printed = scene.points_per_unit * EMU_PER_POINT
            if width * printed <= SLIDE_WIDTH and height * printed <= SLIDE_HEIGHT:
                scale = printed
        return cls(scale, (SLIDE_WIDTH - width * scale) / 2, (SLIDE_HEIGHT - height * scale) / 2)

    def x(self, value: float) -> int:
        return round(self.left + value * self.scale)

    def y(self, value: float) -> int:
        return round(self.top + value * self.scale)

    def length(self, value: float) -> int:
        return round(value * self.scale)


class OfficeFont(NamedTuple):
    """The font every Office has that stands in for one shipped typeface."""

    family: str
    units_per_em: dict[bool, int]
    advances: dict[bool, dict[int, int]]


@lru_cache(maxsize=1)
def office_fonts() -> dict[str, OfficeFont]:
    """By typeface key (`layout.text.TYPEFACES`)."""
    with open(os.path.join(FONT_DIR, "office-metrics.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    weights = ((False, "regular"), (True, "bold"))
    return {
        key: OfficeFont(
            font["family"],
            {bold: font[weight]["units_per_em"] for bold, weight in weights},
            {
                bold: {int(code): advance for code, advance in font[weight]["advances"].items()}
                for bold, weight in weights
            },
        )
        for key, font in data.items()
    }


def office_font(typeface: str) -> OfficeFont:
    fonts = office_fonts()
    return fonts.get(typeface, fonts["sans"])


def office_width(text: str, size: float, bold: bool = False, typeface: str = "sans") -> float:
    """The advance width of `text` in the Office font for `typeface`; characters that font
    lacks count with the shipped font's width, the fallback font Office draws them with
    being unknown."""
    font = office_font(typeface)
    face = TYPEFACES.get(typeface, SANS)
    units_per_em, advances = font.units_per_em[bold], font.advances[bold]
    width = 0.0
    for char in text:
        advance = advances.get(ord(char))
        if advance is None:
            width += text_width(char, size, bold, face)
        else:
            width += advance * size / units_per_em
    return width


def plain(text: str) -> str:
    """User text as one line that XML can hold: forbidden characters dropped, and tabs and
    line breaks as spaces (what an SVG with `xml:space="preserve"` draws for them)."""
    return xml_chars(text).translate({9: " ", 10: " ", 13: " "})


def _rgb(value: str, alpha: float = 1.0) -> str:
    """A solid fill of `#rrggbb` (the scene's only colour form)."""
    opacity = f'<a:alpha val="{round(alpha * 100_000)}"/>' if alpha < 1 else ""
    return f'<a:solidFill><a:srgbClr val="{value[1:7].upper()}">{opacity}</a:srgbClr></a:solidFill>'


def end_size(length: int, width: int) -> str:
    """The DrawingML line-end size ("sm", "med", "lg") nearest to `length` EMU on a line
    `width` EMU wide."""
    base = max(width, END_BASE)
    return min(END_SIZES, key=lambda size: abs(END_SIZES[size] * base - length))


def _stroke(
    colour: str, width: float, frame: Frame, *, dash: tuple[float, ...] = (), arrow: bool = False
) -> str:
    """`a:ln`; CT_LineProperties is a sequence: fill, dash, join, head end, tail end."""
    out = [f'<a:ln w="{max(frame.length(width), 1)}">', _rgb(colour)]
    if dash:
        pattern = dash if len(dash) % 2 == 0 else dash * 2  # SVG repeats an odd list
        out.append("<a:custDash>")
        for on, off in zip(pattern[::2], pattern[1::2]):
            # lengths in thousandths of a percent of the line width
            d, sp = max(round(on / width * 100_000), 1), max(round(off / width * 100_000), 1)
            out.append(f'<a:ds d="{d}" sp="{sp}"/>')
        out.append("</a:custDash>")
    out.append("<a:round/>")  # stroke-linejoin="round", as the SVG draws it
    if arrow:
        # the sizes nearest to the SVG arrowhead's (`svg.arrow_head`)
        w = end_size(frame.length(3.0 + 2.4 * width), frame.length(width))
        length = end_size(frame.length(3.0 + 2.2 * width), frame.length(width))
        out.append(f'<a:tailEnd type="triangle" w="{w}" len="{length}"/>')
    out.append("</a:ln>")
    return "".join(out)


Box = tuple[int, int, int, int]  # left, top, right, bottom in EMU


class _Slide:
    """The shape tree of the slide: XML fragments with numbered ids, and each one's box."""

    def __init__(self, frame: Frame, typeface: str) -> None:
        self.frame = frame
        self.typeface = typeface
        self.next_id = 2  # 1 is the shape tree itself

    def _name(self, kind: str) -> tuple[int, str]:
        number = self.next_id
        self.next_id += 1
        return number, f'id="{number}" name="{kind} {number - 1}"'

    def freeform(
        self, points: tuple[tuple[float, float], ...], close: bool, style: str
    ) -> tuple[str, Box]:
        """A custom geometry shape through `points`, placed at their bounding box."""
        frame = self.frame
        emu = [(frame.x(x), frame.y(y)) for x, y in points]
        left, top = min(p[0] for p in emu), min(p[1] for p in emu)
        right, bottom = max(p[0] for p in emu), max(p[1] for p in emu)
        width, height = right - left, bottom - top
        (x0, y0), *rest = emu
        path = [f'<a:moveTo><a:pt x="{x0 - left}" y="{y0 - top}"/></a:moveTo>']
        path += [f'<a:lnTo><a:pt x="{x - left}" y="{y - top}"/></a:lnTo>' for x, y in rest]
        if close:
            path.append("<a:close/>")
        _, names = self._name("Freeform")
        xml = (
            f"<p:sp><p:nvSpPr><p:cNvPr {names}/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr>"
            f'<a:xfrm><a:off x="{left}" y="{top}"/><a:ext cx="{width}" cy="{height}"/></a:xfrm>'
            "<a:custGeom><a:avLst/><a:gdLst/><a:ahLst/><a:cxnLst/>"
            '<a:rect l="l" t="t" r="r" b="b"/>'
            f'<a:pathLst><a:path w="{width}" h="{height}">{"".join(path)}</a:path></a:pathLst>'
            f"</a:custGeom>{style}</p:spPr></p:sp>"
        )
        return xml, (left, top, right, bottom)

    def polygon(self, item: Polygon) -> tuple[str, Box]:
        style = _rgb(item.fill, item.opacity) + _stroke(item.stroke, item.stroke_width, self.frame)
        return self.freeform(item.points, True, style)

    def line(self, item: Line) -> tuple[str, Box]:
        stroke = _stroke(item.stroke, item.width, self.frame, dash=item.dash, arrow=item.arrow)
        if len(item.points) != 2:
            return self.freeform(item.points, False, "<a:noFill/>" + stroke)
        frame = self.frame
        (x0, y0), (x1, y1) = ((frame.x(x), frame.y(y)) for x, y in item.points)
        # A straight connector is its box's diagonal; flips say which one, and which end
        # (the tail, with the arrow) is the line's last point.
        flips = (' flipH="1"' if x1 < x0 else "") + (' flipV="1"' if y1 < y0 else "")
        left, top, right, bottom = min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
        _, names = self._name("Connector")
        xml = (
            f"<p:cxnSp><p:nvCxnSpPr><p:cNvPr {names}/><p:cNvCxnSpPr/><p:nvPr/></p:nvCxnSpPr>"
            f'<p:spPr><a:xfrm{flips}><a:off x="{left}" y="{top}"/>'
            f'<a:ext cx="{right - left}" cy="{bottom - top}"/></a:xfrm>'
            f'<a:prstGeom prst="line"><a:avLst/></a:prstGeom>{stroke}</p:spPr></p:cxnSp>'
        )
        return xml, (left, top, right, bottom)

    def text(self, item: Text) -> tuple[str, Box] | None:
        text = plain(item.text)
        if not text.strip():
            return None
        frame = self.frame
        left, top, right, _ = item.box()
        x, y = frame.x(left), frame.y(top)
        width = max(frame.length(right - left), 1)
        height = max(frame.length(item.ascent + item.descent), 1)
        # An Office font instead of the measured one: never wider than the box the layout made.
        wide = office_width(text, item.size, item.bold, self.typeface)
        size = frame.length(item.size * min(1.0, item.width / max(wide, 1e-9)))
        align = {"middle": "ctr", "end": "r"}.get(item.anchor, "l")
        family = xml_escape(office_font(self.typeface).family)
        _, names = self._name("TextBox")
        xml = (
            f'<p:sp><p:nvSpPr><p:cNvPr {names}/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
            f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{width}" cy="{height}"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/></p:spPr>'
            '<p:txBody><a:bodyPr wrap="none" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t">'
            f'<a:noAutofit/></a:bodyPr><a:lstStyle/><a:p><a:pPr algn="{align}"><a:lnSpc>'
            f'<a:spcPts val="{height // EMU_PER_CENTIPOINT}"/></a:lnSpc></a:pPr>'
            f'<a:r><a:rPr lang="en-US" sz="{size // EMU_PER_CENTIPOINT}" '
            f'b="{int(item.bold)}" dirty="0">{_rgb(item.fill)}<a:latin typeface="{family}"/>'
            f"</a:rPr><a:t>{xml_escape(text)}</a:t></a:r></a:p></p:txBody></p:sp>"
        )
        return xml, (x, y, x + width, y + height)

    def group(self, item: Group) -> tuple[str, Box]:
        """A group shape named after the scene group; its child frame equals its frame (the
        children keep their slide coordinates)."""
        number, _ = self._name("Group")
        children = self.draw(item.items)
        boxes = [box for _, box in children]
        if boxes:
            left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
            right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
        else:
            left = top = right = bottom = 0
        name = xml_escape(plain(item.label or item.id) or "group")
        place = (
            f'<a:off x="{left}" y="{top}"/><a:ext cx="{right - left}" cy="{bottom - top}"/>'
            f'<a:chOff x="{left}" y="{top}"/><a:chExt cx="{right - left}" cy="{bottom - top}"/>'
        )
        xml = (
            f'<p:grpSp><p:nvGrpSpPr><p:cNvPr id="{number}" name="{name}"/><p:cNvGrpSpPr/>'
            f"<p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm>{place}</a:xfrm></p:grpSpPr>"
            f"{''.join(xml for xml, _ in children)}</p:grpSp>"
        )
        return xml, (left, top, right, bottom)

    def draw(self, items: tuple[Primitive, ...]) -> list[tuple[str, Box]]:
        drawn: list[tuple[str, Box] | None] = []
        for item in items:
            if isinstance(item, Group):
                drawn.append(self.group(item))
            elif isinstance(item, Polygon):
                drawn.append(self.polygon(item))
            elif isinstance(item, Line):
                drawn.append(self.line(item))
            else:
                drawn.append(self.text(item))
        return [shape for shape in drawn if shape is not None]


def render_pptx(scene: Scene, *, transparent: bool = False) -> bytes:
    """The scene as a one-slide presentation (bytes of a .pptx file)."""
    slide = _Slide(Frame.fit(scene), scene.typeface)
    shapes = "".join(xml for xml, _ in slide.draw(scene.items))
    background = ""
    if scene.background and not transparent:
        background = f"<p:bg><p:bgPr>{_rgb(scene.background)}<a:effectLst/></p:bgPr></p:bg>"
    xml = (
        f"<p:sld {NS}><p:cSld>{background}<p:spTree>{TREE_ROOT}{shapes}</p:spTree></p:cSld>"
        "<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"
    )
    return package(
        xml,
        notes=plain(scene.description),
        title=plain(scene.title),
        font=office_font(scene.typeface).family,
        width=SLIDE_WIDTH,
        height=SLIDE_HEIGHT,
    )


class PptxBackend:
    """The PowerPoint format of the backend registry (`render/formats.py`)."""

    def write(self, scene: Scene, options: OutputOptions) -> bytes:
        return render_pptx(scene, transparent=options.transparent)
