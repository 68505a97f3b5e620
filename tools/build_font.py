"""Builds the figure's font assets: DejaVu Sans (Bitstream Vera licence, permissive) for the
sans typeface and STIX General (SIL OFL 1.1) for the serif one.

    apt-get install fonts-dejavu-core fonts-stix && pip install fonttools brotli
    python tools/build_font.py [sans] [serif]   # default: both

Fonts from another Debian release differ in small ways; rebuild only the face you change,
since every committed figure depends on its bytes.

STIX General is a Times-like face with every symbol the figures use (× · − ⌊ ⌋ ⌈ ⌉ ² ³);
its subset is renamed "cnndiagram Serif", as the OFL asks of modified versions, its CFF
outlines are converted to TrueType ones (so every backend embeds both faces alike), and a
thin space (U+2009, which STIX lacks) is added as an empty glyph of a fifth of an em.

Writes into cnndiagram/fonts/:

* `DejaVuSans-cnn.ttf`, `DejaVuSans-Bold-cnn.ttf`: subsets used by the PNG rasteriser;
* `DejaVuSans-cnn.woff2`, `DejaVuSans-Bold-cnn.woff2`: the same subsets, embedded in SVGs
  so browsers without the font draw the text exactly where the layout measured it;
* `metrics.json`: advance widths per character and vertical metrics, which is all the
  layout needs to measure text (no font library is imported at run time).

Kerning and ligature tables are dropped, so every renderer advances text by the plain
advance widths that the layout summed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parent.parent / "cnndiagram" / "fonts"
RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1: × · ² ³ ¹ and accented letters
    (0x100, 0x17F),  # Latin Extended-A
    (0x391, 0x3C9),  # Greek
    (0x2009, 0x2009),  # thin space
    (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    (0x2070, 0x209C),  # superscripts and subscripts
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus
    (0x2264, 0x2265),  # ≤ ≥
    (0x2308, 0x230B),  # ceiling and floor brackets
    (0x22C5, 0x22C5),  # dot operator
]


def _truetype_outlines(font: TTFont) -> None:
    """CFF (cubic) outlines to glyf (quadratic), as fontTools' otf2ttf recipe does."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["head"].glyphDataFormat = 0
    font["maxp"].tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(font["maxp"], field, 0)
    font["maxp"].maxZones = 1
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["post"].glyphOrder = None
    font.sfntVersion = "\x00\x01\x00\x00"


def _add_thin_space(font: TTFont) -> None:
    if 0x2009 in font.getBestCmap():
        return
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    name = "uni2009"
    font.setGlyphOrder([*font.getGlyphOrder(), name])
    font["glyf"].glyphs[name] = TTGlyphPen(None).glyph()
    font["glyf"].glyphOrder = font.getGlyphOrder()
    font["hmtx"][name] = (font["head"].unitsPerEm // 5, 0)
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[0x2009] = name
    font["maxp"].numGlyphs = len(font.getGlyphOrder())


def _rename(font: TTFont, family: str, style: str) -> None:
    names = font["name"]
    postscript = f"{family.replace(' ', '')}-{style}"
    for record in list(names.names):
        if record.nameID in (16, 17, 18, 21, 22):
            names.removeNames(nameID=record.nameID)
    for name_id, value in ((1, family), (2, style), (3, postscript), (4, f"{family} {style}")):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    names.setName(postscript, 6, 3, 1, 0x409)
    names.setName(postscript, 6, 1, 0, 0)
    if "CFF " in font:
        font["CFF "].cff.fontNames = [postscript]


def build(source: Path, name: str, rename: tuple[str, str] | None = None) -> dict[str, object]:
    codepoints = [c for low, high in RANGES for c in range(low, high + 1)]
    options = subset.Options()
    options.layout_features = []  # no kerning, no ligatures: advances are the whole story
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    if rename:
        _rename(font, *rename)
    if "CFF " in font:
        _truetype_outlines(font)
    if "glyf" in font:
        _add_thin_space(font)
    if rename:
        # The full font's line metrics make room for glyphs the subset does not have (STIX's
        # integrals): the subset's own extent is what its text boxes are.
        font["head"].recalcBBoxes = True
        font.recalcBBoxes = True
        font["glyf"].compile(font)
        font["head"].yMax = max(g.yMax for g in font["glyf"].glyphs.values() if hasattr(g, "yMax"))
        font["head"].yMin = min(g.yMin for g in font["glyf"].glyphs.values() if hasattr(g, "yMin"))
        font["hhea"].ascent, font["hhea"].descent = font["head"].yMax, font["head"].yMin
    font.flavor = None
    font.save(OUT / f"{name}.ttf")
    font.flavor = "woff2"
    font.save(OUT / f"{name}.woff2")
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    advances = {str(code): hmtx[glyph][0] for code, glyph in sorted(cmap.items())}
    return {
        "units_per_em": font["head"].unitsPerEm,
        "ascender": font["hhea"].ascent,
        "descender": font["hhea"].descent,
        "missing": hmtx[".notdef"][0],
        "advances": advances,
    }


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
STIX = Path("/usr/share/fonts/opentype/stix")


def main() -> int:
    faces = sys.argv[1:] or ["sans", "serif"]
    OUT.mkdir(exist_ok=True)
    if "sans" in faces:
        build_sans()
    if "serif" in faces:
        build_serif()
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size:,} bytes")
    return 0


def build_sans() -> None:
    metrics = {
        "regular": build(DEJAVU / "DejaVuSans.ttf", "DejaVuSans-cnn"),
        "bold": build(DEJAVU / "DejaVuSans-Bold.ttf", "DejaVuSans-Bold-cnn"),
    }
    (OUT / "metrics.json").write_text(json.dumps(metrics, separators=(",", ":")) + "\n")


def build_serif() -> None:
    serif = {
        "regular": build(
            STIX / "STIXGeneral-Regular.otf", "Serif-cnn", ("cnndiagram Serif", "Regular")
        ),
        "bold": build(
            STIX / "STIXGeneral-Bold.otf", "Serif-Bold-cnn", ("cnndiagram Serif", "Bold")
        ),
    }
    (OUT / "metrics-serif.json").write_text(json.dumps(serif, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
