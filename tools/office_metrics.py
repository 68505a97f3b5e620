"""Builds the PowerPoint backend's advance widths of the Office fonts, office-metrics.json.

    pip install fonttools
    python tools/office_metrics.py [FONT_DIR]   # default: /usr/share/fonts/truetype/liberation2

PowerPoint files cannot carry the figure's fonts, so the PPTX backend sets its text in a
font every Office installation has (Arial for the sans typeface, Times New Roman for the
serif one) and needs that font's advance widths to keep every label inside the box the
layout measured with the shipped font. They are read from Liberation Sans and Liberation
Serif 2 (SIL Open Font Licence), metric-compatible with Arial and Times New Roman by
design: the same advance width for every character those have. Only characters of the
shipped subsets are listed; a character missing here is one the Office font lacks (Office
draws it from a fallback font), which the backend measures with the shipped font instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "cnndiagram" / "fonts"
#: typeface key -> (the shipped metrics, the Office family, its metric-compatible files)
OFFICE = {
    "sans": ("metrics.json", "Arial", "LiberationSans"),
    "serif": ("metrics-serif.json", "Times New Roman", "LiberationSerif"),
}


def table(source: Path, subset: dict[str, int]) -> dict[str, object]:
    font = TTFont(source)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    advances = {
        code: hmtx[cmap[int(code)]][0]
        for code in sorted(subset, key=int)
        if int(code) in cmap and cmap[int(code)] != ".notdef"
    }
    return {"units_per_em": font["head"].unitsPerEm, "advances": advances}


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/liberation2")
    out: dict[str, object] = {}
    for key, (metrics, family, stem) in OFFICE.items():
        shipped = json.loads((FONTS / metrics).read_text())
        out[key] = {
            "family": family,
            "regular": table(folder / f"{stem}-Regular.ttf", shipped["regular"]["advances"]),
            "bold": table(folder / f"{stem}-Bold.ttf", shipped["bold"]["advances"]),
        }
    target = FONTS / "office-metrics.json"
    target.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"{target.name}: {target.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
