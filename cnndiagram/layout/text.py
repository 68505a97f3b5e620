"""Layout stage: text measurement from the shipped fonts' advance widths.

The figure's typefaces (subsets of DejaVu Sans and of STIX General without kerning or
ligatures, built by tools/build_font.py) are measured here from small JSON tables, so
laying out a figure imports no font library; the SVG and PDF embed the same fonts and
the PNG rasteriser loads them, so every renderer advances text exactly as measured.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import NamedTuple

# os.path rather than pathlib: this module is on the start-up path of every figure.
FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fonts")


class Typeface(NamedTuple):
    """One shipped typeface: its files, its metrics table, and the names it goes by."""

    key: str  # the `--font` value
    family: str  # the family name inside the font files (what rasterisers match)
    embedded_family: str  # the name an SVG declares its embedded copy under
    fallbacks: str  # CSS families for renderers that do not load the embedded font
    stem: str  # file names: {stem}-cnn.ttf, {stem}-Bold-cnn.ttf and .woff2
    metrics_file: str

    def files(self, web: bool = False) -> dict[bool, str]:
        extension = "woff2" if web else "ttf"
        return {
            False: os.path.join(FONT_DIR, f"{self.stem}-cnn.{extension}"),
            True: os.path.join(FONT_DIR, f"{self.stem}-Bold-cnn.{extension}"),
        }


TYPEFACES = {
    face.key: face
    for face in (
        # An embedded family name of its own, so an SVG pasted into an HTML page never
        # replaces that page's own DejaVu Sans (its other glyphs, its kerning).
        Typeface(
            "sans",
            "DejaVu Sans",
            "cnndiagram DejaVu Sans",
            "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif",
            "DejaVuSans",
            "metrics.json",
        ),
        Typeface(
            "serif",
            "cnndiagram Serif",
            "cnndiagram Serif",
            "'STIX Two Text', STIXGeneral, 'Times New Roman', Times, serif",
            "Serif",
            "metrics-serif.json",
        ),
    )
}
SANS = TYPEFACES["sans"]


class FontMetrics(NamedTuple):
    units_per_em: int
    ascender: int
    descender: int
    missing: int
    advances: dict[int, int]


@lru_cache(maxsize=4)
def _metrics(face: Typeface = SANS) -> dict[bool, FontMetrics]:
    with open(os.path.join(FONT_DIR, face.metrics_file), encoding="utf-8") as handle:
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


def supported(char: str, bold: bool = False, face: Typeface = SANS) -> bool:
    return ord(char) in _metrics(face)[bold].advances


def clean(text: str, face: Typeface = SANS) -> str:
    """Characters the font lacks become '?', so what is drawn is what was measured; control
    characters (a name may hold anything) become spaces."""
    advances = _metrics(face)[False].advances
    return "".join(
        " "
        if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0
        else char
        if ord(char) in advances
        else "?"
        for char in text
    )


@lru_cache(maxsize=1 << 16)
def text_width(text: str, size: float, bold: bool = False, face: Typeface = SANS) -> float:
    """The advance width of `text` (a pure function of its arguments, so measured once: a
    figure measures the same rows again for every wrap width it tries)."""
    metrics = _metrics(face)[bold]
    advances = metrics.advances
    missing = metrics.missing
    units = sum(advances.get(ord(char), missing) for char in text)
    return units * size / metrics.units_per_em


def ascent(size: float, bold: bool = False, face: Typeface = SANS) -> float:
    metrics = _metrics(face)[bold]
    return metrics.ascender * size / metrics.units_per_em


def descent(size: float, bold: bool = False, face: Typeface = SANS) -> float:
    metrics = _metrics(face)[bold]
    return -metrics.descender * size / metrics.units_per_em
