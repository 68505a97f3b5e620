"""Render stage: a `Scene` as one PowerPoint slide of native, editable shapes (python-pptx).

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

Fonts: a PPTX file cannot carry the figure's font (PowerPoint's own embedding is not
something python-pptx writes, and viewers other than PowerPoint ignore it), so the text is
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

import io
import json
import os
import zipfile
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from cnndiagram.errors import MissingDependencyError
from cnndiagram.escapes.xml import xml_chars
from cnndiagram.layout.scene import Group, Line, Polygon, Primitive, Scene, Text
from cnndiagram.layout.text import FONT_DIR, SANS, TYPEFACES, text_width

try:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_CONNECTOR
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
    from pptx.oxml.ns import qn
    from pptx.oxml.xmlchemy import OxmlElement
    from pptx.util import Emu
except ImportError:
    # Raised when the registry loads this backend, that is only when a PPTX is asked for.
    raise MissingDependencyError(
        "PowerPoint output needs the 'python-pptx' package",
        hint='pip install "cnndiagram[pptx]"',
    ) from None

if TYPE_CHECKING:
    from pptx.dml.line import LineFormat
    from pptx.oxml.xmlchemy import BaseOxmlElement
    from pptx.shapes.autoshape import Shape
    from pptx.shapes.base import BaseShape
    from pptx.shapes.shapetree import SlideShapes

    from cnndiagram.options import OutputOptions

#: The 16:9 slide of PowerPoint's "Widescreen" size, in EMU (914,400 per inch).
SLIDE_WIDTH, SLIDE_HEIGHT = 12_192_000, 6_858_000
MARGIN = 228_600  # a quarter of an inch on every side
EMU_PER_POINT = 12_700
#: DrawingML line ends come in three sizes, multiples of the line width (ECMA-376 leaves
#: the factors to the application: 2, 3 and 5 in LibreOffice, which also takes a line at
#: least 0.7 mm wide for the purpose, so hairlines keep a visible arrowhead).
END_SIZES = {"sm": 2.0, "med": 3.0, "lg": 5.0}
END_BASE = 25_200  # 0.7 mm in EMU
#: Every zip entry's time (the earliest a zip can record): the same input, the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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

    def x(self, value: float) -> Emu:
        return Emu(round(self.left + value * self.scale))

    def y(self, value: float) -> Emu:
        return Emu(round(self.top + value * self.scale))

    def length(self, value: float) -> Emu:
        return Emu(round(value * self.scale))


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


def _colour(value: str) -> RGBColor:
    """`#rrggbb` (the scene's only colour form) as python-pptx's colour."""
    red, green, blue = (int(value[i : i + 2], 16) for i in (1, 3, 5))
    colour: RGBColor = RGBColor(red, green, blue)  # type: ignore[no-untyped-call]  # python-pptx leaves RGBColor untyped
    return colour


def _without_style(shape: BaseShape) -> None:
    """python-pptx gives freeforms and connectors a `p:style` pointing into the template's
    theme (its effect styles add shadows); every property here is set explicitly instead."""
    element = shape._element
    for style in element.findall(qn("p:style")):
        element.remove(style)


def _stroke(
    line: LineFormat,
    colour: str,
    width: float,
    frame: Frame,
    *,
    dash: tuple[float, ...] = (),
    arrow: bool = False,
) -> None:
    line.color.rgb = _colour(colour)
    line.width = Emu(max(frame.length(width), 1))
    ln: BaseOxmlElement = line._ln  # made by setting the width
    # CT_LineProperties is a sequence: fill, dash, join, head end, tail end.
    if dash:
        pattern = dash if len(dash) % 2 == 0 else dash * 2  # SVG repeats an odd list
        custom = OxmlElement("a:custDash")
        for on, off in zip(pattern[::2], pattern[1::2]):
            # lengths in thousandths of a percent of the line width
            stop = OxmlElement("a:ds")
            stop.set("d", str(max(round(on / width * 100_000), 1)))
            stop.set("sp", str(max(round(off / width * 100_000), 1)))
            custom.append(stop)
        ln.append(custom)
    ln.append(OxmlElement("a:round"))  # stroke-linejoin="round", as the SVG draws it
    if arrow:
        # the sizes nearest to the SVG arrowhead's (`svg.arrow_head`)
        end = OxmlElement("a:tailEnd")
        end.set("type", "triangle")
        end.set("w", end_size(frame.length(3.0 + 2.4 * width), frame.length(width)))
        end.set("len", end_size(frame.length(3.0 + 2.2 * width), frame.length(width)))
        ln.append(end)


def end_size(length: int, width: int) -> str:
    """The DrawingML line-end size ("sm", "med", "lg") nearest to `length` EMU on a line
    `width` EMU wide."""
    base = max(width, END_BASE)
    return min(END_SIZES, key=lambda size: abs(END_SIZES[size] * base - length))


def _polygon(shapes: SlideShapes, item: Polygon, frame: Frame) -> BaseShape:
    points = [(frame.x(x), frame.y(y)) for x, y in item.points]
    builder = shapes.build_freeform(points[0][0], points[0][1], scale=1.0)
    builder.add_line_segments(points[1:], close=True)
    shape: Shape = builder.convert_to_shape()
    _without_style(shape)
    shape.fill.solid()
    shape.fill.fore_color.rgb = _colour(item.fill)
    if item.opacity < 1:
        alpha = OxmlElement("a:alpha")
        alpha.set("val", str(round(item.opacity * 100_000)))
        colour = shape._element.spPr.find(qn("a:solidFill")).find(qn("a:srgbClr"))
        colour.append(alpha)
    _stroke(shape.line, item.stroke, item.stroke_width, frame)
    return shape


def _line(shapes: SlideShapes, item: Line, frame: Frame) -> BaseShape:
    points = [(frame.x(x), frame.y(y)) for x, y in item.points]
    if len(points) == 2:
        (x0, y0), (x1, y1) = points
        connector = shapes.add_connector(MSO_CONNECTOR.STRAIGHT, x0, y0, x1, y1)
        _without_style(connector)
        _stroke(connector.line, item.stroke, item.width, frame, dash=item.dash, arrow=item.arrow)
        return connector
    builder = shapes.build_freeform(points[0][0], points[0][1], scale=1.0)
    builder.add_line_segments(points[1:], close=False)
    shape: Shape = builder.convert_to_shape()
    _without_style(shape)
    shape.fill.background()
    _stroke(shape.line, item.stroke, item.width, frame, dash=item.dash, arrow=item.arrow)
    return shape


_ALIGN = {"start": PP_ALIGN.LEFT, "middle": PP_ALIGN.CENTER, "end": PP_ALIGN.RIGHT}


def _text(shapes: SlideShapes, item: Text, frame: Frame, typeface: str) -> BaseShape | None:
    text = plain(item.text)
    if not text.strip():
        return None
    left, top, right, _ = item.box()
    box = shapes.add_textbox(
        frame.x(left),
        frame.y(top),
        max(frame.length(right - left), Emu(1)),
        max(frame.length(item.ascent + item.descent), Emu(1)),
    )
    body = box.text_frame
    body.word_wrap = False
    body.auto_size = MSO_AUTO_SIZE.NONE
    body.margin_left = body.margin_right = body.margin_top = body.margin_bottom = Emu(0)
    body.vertical_anchor = MSO_ANCHOR.TOP
    paragraph = body.paragraphs[0]
    paragraph.alignment = _ALIGN.get(item.anchor, PP_ALIGN.LEFT)
    paragraph.line_spacing = Emu(max(frame.length(item.ascent + item.descent), 1))
    run = paragraph.add_run()
    run.text = text
    # An Office font instead of the measured one: never wider than the box the layout made.
    wide = office_width(text, item.size, item.bold, typeface)
    run.font.size = Emu(frame.length(item.size * min(1.0, item.width / max(wide, 1e-9))))
    run.font.name = office_font(typeface).family
    run.font.bold = item.bold
    run.font.color.rgb = _colour(item.fill)
    return box


def _draw(
    shapes: SlideShapes, items: tuple[Primitive, ...], frame: Frame, typeface: str
) -> list[BaseShape]:
    """The items drawn on the slide, in order; a group's shapes are drawn first and then
    moved into its group shape at once (python-pptx recomputes a group's extents after each
    shape added to it, which is quadratic in the group's size)."""
    drawn: list[BaseShape | None] = []
    for item in items:
        if isinstance(item, Group):
            group = shapes.add_group_shape(_draw(shapes, item.items, frame, typeface))
            group.name = plain(item.label or item.id) or "group"
            drawn.append(group)
        elif isinstance(item, Polygon):
            drawn.append(_polygon(shapes, item, frame))
        elif isinstance(item, Line):
            drawn.append(_line(shapes, item, frame))
        else:
            drawn.append(_text(shapes, item, frame, typeface))
    return [shape for shape in drawn if shape is not None]


def _reproducible(data: bytes) -> bytes:
    """The same zip with every entry's time, system and attributes fixed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def render_pptx(scene: Scene, *, transparent: bool = False) -> bytes:
    """The scene as a one-slide presentation (bytes of a .pptx file)."""
    presentation = Presentation()
    presentation.slide_width = Emu(SLIDE_WIDTH)
    presentation.slide_height = Emu(SLIDE_HEIGHT)
    blank = next(layout for layout in presentation.slide_layouts if layout.name == "Blank")
    slide = presentation.slides.add_slide(blank)
    if scene.background and not transparent:
        slide.background.fill.solid()
        slide.background.fill.fore_color.rgb = _colour(scene.background)
    _draw(slide.shapes, scene.items, Frame.fit(scene), scene.typeface)
    slide.notes_slide.notes_text_frame.text = plain(scene.description)

    core = presentation.core_properties
    core.title = plain(scene.title)
    core.comments = ""  # the template's "generated using python-pptx"
    core.author = ""
    core.last_modified_by = "cnndiagram"
    core.revision = 1
    for name in ("dcterms:created", "dcterms:modified", "cp:lastPrinted"):
        for date in core._element.findall(qn(name)):
            core._element.remove(date)

    out = io.BytesIO()
    presentation.save(out)
    return _reproducible(out.getvalue())


class PptxBackend:
    """The PowerPoint format of the backend registry (`render/formats.py`)."""

    def write(self, scene: Scene, options: OutputOptions) -> bytes:
        return render_pptx(scene, transparent=options.transparent)
