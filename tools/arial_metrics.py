"""Builds the PowerPoint backend's Arial advance widths, cnndiagram/fonts/arial-metrics.json.

    pip install fonttools
    python tools/arial_metrics.py [FONT_DIR]   # default: /usr/share/fonts/truetype/liberation2

PowerPoint files cannot carry the figure's font, so the PPTX backend sets its text in Arial
and needs Arial's advance widths to keep every label inside the box the layout measured
with DejaVu Sans. They are read from Liberation Sans 2 (SIL Open Font Licence), which is
metric-compatible with Arial by design: the same advance width for every character Arial
has. Only characters of the shipped DejaVu Sans subset are listed; a character missing
here is one Arial lacks (Office draws it from a fallback font), which the backend measures
with DejaVu Sans's width instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "cnndiagram" / "fonts"


def table(source: Path, subset: dict[str, int]) -> dict[str, object]:
    font = TTFont(source)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    advances = {
        code: hmtx[cmap[int(code)]][0]
        for code in sorted(subset, key=int)
        if int(code) in cmap and cmap[int(code)] != ".notdef"
    }
    return {
        "units_per_em": font["head"].unitsPerEm,
        "ascender": font["hhea"].ascent,
        "descender": font["hhea"].descent,
        "advances": advances,
    }


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/liberation2")
    shipped = json.loads((FONTS / "metrics.json").read_text())
    metrics = {
        "regular": table(folder / "LiberationSans-Regular.ttf", shipped["regular"]["advances"]),
        "bold": table(folder / "LiberationSans-Bold.ttf", shipped["bold"]["advances"]),
    }
    target = FONTS / "arial-metrics.json"
    target.write_text(json.dumps(metrics, separators=(",", ":")) + "\n")
    print(f"{target.name}: {target.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
