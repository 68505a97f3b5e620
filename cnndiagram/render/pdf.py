"""Render stage: a `Scene` as a one-page vector PDF, written directly.

Shapes are PDF paths, text is real text in the shipped font (embedded, so every viewer
and printer draws the glyphs the layout measured, and `pdftotext` finds the numbers),
and nothing is rasterised. One scene unit is one point, so the page has the figure's
physical size. The writer is small and has no dependency; it is deterministic by
construction (no dates, fixed object order, ids derived from the content), which the
SVG-to-PDF converters tried here were not.

Fonts are Type 0 (CID-keyed TrueType, Identity encoding): text is written as glyph ids,
with a ToUnicode map so it can be searched and copied.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from cnndiagram.escapes.number import number
from cnndiagram.layout.scene import Group, Line, Polygon, Primitive, Scene, Text
from cnndiagram.layout.text import TYPEFACES
from cnndiagram.render.svg import arrow_head
from cnndiagram.render.truetype import FontFacts, read_font

if TYPE_CHECKING:
    from cnndiagram.options import OutputOptions


def _rgb(colour: str) -> str:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return f"{number(red)} {number(green)} {number(blue)}"


def _text_string(text: str) -> str:
    """A PDF text string (document information) as UTF-16 with a byte-order mark."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class _Page:
    """The content stream of one page, with y turned to point up."""

    def __init__(self, height: float) -> None:
        self.height = height
        self.ops: list[str] = []
        self.glyphs: dict[bool, set[int]] = {False: set(), True: set()}
        self.opacities: dict[float, str] = {}  # fill opacity -> graphics state name

    def point(self, x: float, y: float) -> str:
        return f"{number(x)} {number(self.height - y)}"

    def path(self, points: tuple[tuple[float, float], ...], close: bool) -> str:
        first, *rest = points
        out = [f"{self.point(*first)} m"] + [f"{self.point(*p)} l" for p in rest]
        return " ".join(out + (["h"] if close else []))

    def draw(self, item: Primitive, fonts: dict[bool, FontFacts]) -> None:
        if isinstance(item, Group):
            for child in item.items:
                self.draw(child, fonts)
        elif isinstance(item, Polygon):
            state = ""
            if item.opacity < 1:
                name = self.opacities.setdefault(item.opacity, f"A{len(self.opacities)}")
                state = f"/{name} gs "
            self.ops.append(
                f"q {state}{_rgb(item.fill)} rg {_rgb(item.stroke)} RG "
                f"{number(item.stroke_width)} w 1 j {self.path(item.points, True)} B Q"
            )
        elif isinstance(item, Line):
            dash = f"[{' '.join(map(number, item.dash))}] 0 d " if item.dash else ""
            self.ops.append(
                f"q {_rgb(item.stroke)} RG {number(item.width)} w 1 j {dash}"
                f"{self.path(item.points, False)} S Q"
            )
            if item.arrow:
                head = self.path(arrow_head(item), True)
                self.ops.append(f"q {_rgb(item.stroke)} rg {head} f Q")
        else:
            self.text(item, fonts[item.bold])

    def text(self, item: Text, font: FontFacts) -> None:
        left = item.box()[0]
        ids = [font.glyphs.get(ord(char), 0) for char in item.text]
        self.glyphs[item.bold].update(ids)
        run = "".join(f"{glyph:04X}" for glyph in ids)
        resource = "F2" if item.bold else "F1"
        self.ops.append(
            f"BT /{resource} {number(item.size)} Tf {_rgb(item.fill)} rg "
            f"1 0 0 1 {self.point(left, item.y)} Tm <{run}> Tj ET"
        )


class _Writer:
    """Numbered objects, written in order, and the cross-reference table that finds them."""

    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def reserve(self) -> int:
        self.objects.append(b"")
        return len(self.objects)

    def put(self, number_: int, body: str | bytes) -> int:
        self.objects[number_ - 1] = body.encode("latin-1") if isinstance(body, str) else body
        return number_

    def add(self, body: str | bytes) -> int:
        return self.put(self.reserve(), body)

    def stream(self, data: bytes, extra: str = "") -> int:
        packed = zlib.compress(data, 9)
        head = f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n"
        return self.add(head.encode("latin-1") + packed + b"\nendstream")

    def finish(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for index, body in enumerate(self.objects, start=1):
            offsets.append(len(out))
            out += f"{index} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.objects) + 1}\n0000000000 65535 f \n".encode()
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode()
        digest = f"{zlib.crc32(bytes(out)):08X}" * 4
        out += (
            f"trailer\n<< /Size {len(self.objects) + 1} /Root {root} 0 R /Info {info} 0 R "
            f"/ID [<{digest}> <{digest}>] >>\nstartxref\n{xref}\n%%EOF\n"
        ).encode()
        return bytes(out)


def _widths(font: FontFacts, glyphs: set[int]) -> str:
    """The W array: each used glyph's advance in thousandths of an em, from hmtx."""
    table = font.advances
    scale = 1000 / font.units_per_em
    return " ".join(f"{glyph} [{number(table[glyph] * scale)}]" for glyph in sorted(glyphs))


def _to_unicode(font: FontFacts, glyphs: set[int]) -> bytes:
    reverse: dict[int, int] = {}
    for code, glyph in sorted(font.glyphs.items()):
        reverse.setdefault(glyph, code)
    used = [glyph for glyph in sorted(glyphs) if glyph in reverse]
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(used), 100):  # at most 100 entries per block
        chunk = used[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{glyph:04X}> <{reverse[glyph]:04X}>" for glyph in chunk]
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(lines).encode("ascii")


def _font(writer: _Writer, font: FontFacts, glyphs: set[int]) -> int:
    """Objects of one embedded font; its subset tag comes from the glyphs it carries."""
    seed = zlib.crc32(",".join(map(str, sorted(glyphs))).encode() + font.postscript_name.encode())
    tag = "".join(chr(65 + (seed >> (5 * i)) % 26) for i in range(6))
    name = f"{tag}+{font.postscript_name}"
    scale = 1000 / font.units_per_em
    bbox = " ".join(number(v * scale) for v in font.bbox)
    file = writer.stream(font.data, f" /Length1 {len(font.data)}")
    descriptor = writer.add(
        f"<< /Type /FontDescriptor /FontName /{name} /Flags 32 /FontBBox [{bbox}] "
        f"/ItalicAngle 0 /Ascent {number(font.ascent * scale)} "
        f"/Descent {number(font.descent * scale)} /CapHeight {number(font.cap_height * scale)} "
        f"/StemV 80 /FontFile2 {file} 0 R >>"
    )
    cid = writer.add(
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {descriptor} 0 R /W [{_widths(font, glyphs)}] /CIDToGIDMap /Identity >>"
    )
    unicode = writer.stream(_to_unicode(font, glyphs))
    return writer.add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
        f"/DescendantFonts [{cid} 0 R] /ToUnicode {unicode} 0 R >>"
    )


def render_pdf(scene: Scene, *, transparent: bool = False) -> bytes:
    files = TYPEFACES[scene.typeface].files()
    fonts = {bold: read_font(path) for bold, path in files.items()}
    page = _Page(scene.height)
    unit = scene.points_per_unit or 1.0
    if unit != 1.0:
        page.ops.append(f"{number(unit, 6)} 0 0 {number(unit, 6)} 0 0 cm")
    if scene.background and not transparent:
        page.ops.append(
            f"q {_rgb(scene.background)} rg 0 0 {number(scene.width)} {number(scene.height)} re f Q"
        )
    for item in scene.items:
        page.draw(item, fonts)

    writer = _Writer()
    catalog, pages, page_object = writer.reserve(), writer.reserve(), writer.reserve()
    content = writer.stream("\n".join(page.ops).encode("ascii"))
    used = {
        key: _font(writer, fonts[bold], page.glyphs[bold])
        for bold, key in ((False, "F1"), (True, "F2"))
        if page.glyphs[bold]
    }
    resources = " ".join(f"/{key} {ref} 0 R" for key, ref in used.items())
    states = " ".join(
        f"/{name} << /ca {number(opacity)} >>" for opacity, name in page.opacities.items()
    )
    state = f" /ExtGState << {states} >>" if states else ""
    writer.put(catalog, f"<< /Type /Catalog /Pages {pages} 0 R >>")
    writer.put(pages, f"<< /Type /Pages /Kids [{page_object} 0 R] /Count 1 >>")
    writer.put(
        page_object,
        f"<< /Type /Page /Parent {pages} 0 R "
        f"/MediaBox [0 0 {number(scene.width * unit)} {number(scene.height * unit)}] "
        f"/Resources << /Font << {resources} >>{state} >> /Contents {content} 0 R >>",
    )
    info = writer.add(
        f"<< /Title {_text_string(scene.title)} /Subject {_text_string(scene.description)} "
        "/Producer (cnndiagram) >>"
    )
    return writer.finish(catalog, info)


class PdfBackend:
    """The PDF format of the backend registry (`render/formats.py`)."""

    def write(self, scene: Scene, options: OutputOptions) -> bytes:
        return render_pdf(scene, transparent=options.transparent)
