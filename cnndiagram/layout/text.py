"""Layout stage: text measurement from the shipped font's advance widths.

The figure's font (a DejaVu Sans subset without kerning or ligatures, built by
tools/build_font.py) is measured here from a small JSON table, so laying out a figure
imports no font library; the SVG embeds the same font and the PNG rasteriser loads
it, so every renderer advances text exactly as measured.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import NamedTuple

# os.path rather than pathlib: this module is on the start-up path of every figure.
FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fonts")
FONT_FILES = {
    False: os.path.join(FONT_DIR, "DejaVuSans-cnn.ttf"),
    True: os.path.join(FONT_DIR, "DejaVuSans-Bold-cnn.ttf"),
}
WEB_FONT_FILES = {
    False: os.path.join(FONT_DIR, "DejaVuSans-cnn.woff2"),
    True: os.path.join(FONT_DIR, "DejaVuSans-Bold-cnn.woff2"),
}
FAMILY = "DejaVu Sans"


class FontMetrics(NamedTuple):
    units_per_em: int
    ascender: int
    descender: int
    missing: int
    advances: dict[int, int]


@lru_cache(maxsize=1)
def _metrics() -> dict[bool, FontMetrics]:
    with open(os.path.join(FONT_DIR, "metrics.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    out = {}
    for bold, key in ((False, "regular"), (True, "bold")):
        font = data[key]
        out[bold] = FontMetrics(
            font["units_per_em"],
            font["ascender"],
            font["descender"],
            font["missing"],
            {int(code): advance for code, advance in font["advances"].items()},
        )
    return out


def supported(char: str, bold: bool = False) -> bool:
    return ord(char) in _metrics()[bold].advances


def clean(text: str) -> str:
    """Characters the font lacks become '?', so what is drawn is what was measured; control
    characters (a name may hold anything) become spaces."""
    advances = _metrics()[False].advances
    return "".join(
        " "
        if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0
        else char
        if ord(char) in advances
        else "?"
        for char in text
    )


def text_width(text: str, size: float, bold: bool = False) -> float:
    metrics = _metrics()[bold]
    advances = metrics.advances
    missing = metrics.missing
    units = sum(advances.get(ord(char), missing) for char in text)
    return units * size / metrics.units_per_em


def ascent(size: float, bold: bool = False) -> float:
    metrics = _metrics()[bold]
    return metrics.ascender * size / metrics.units_per_em


def descent(size: float, bold: bool = False) -> float:
    metrics = _metrics()[bold]
    return -metrics.descender * size / metrics.units_per_em
