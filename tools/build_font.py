"""Builds the figure's font assets from DejaVu Sans (Bitstream Vera licence, permissive).

    pip install fonttools brotli
    python tools/build_font.py [FONT_DIR]   # default: /usr/share/fonts/truetype/dejavu

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


def build(source: Path, name: str) -> dict[str, object]:
    codepoints = [c for low, high in RANGES for c in range(low, high + 1)]
    options = subset.Options()
    options.layout_features = []  # no kerning, no ligatures: advances are the whole story
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
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


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/truetype/dejavu")
    OUT.mkdir(exist_ok=True)
    metrics = {
        "regular": build(folder / "DejaVuSans.ttf", "DejaVuSans-cnn"),
        "bold": build(folder / "DejaVuSans-Bold.ttf", "DejaVuSans-Bold-cnn"),
    }
    (OUT / "metrics.json").write_text(json.dumps(metrics, separators=(",", ":")) + "\n")
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
