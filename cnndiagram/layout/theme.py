"""Layout stage: themes as data, each with a fill colour for every layer category.

Colours are keyed by the catalogue's `Category`, never by kind: a new kind picks its
category there and gets its colour and legend entry from it.

The light palette is taken from Paul Tol's colour-blind-safe schemes and chosen so
neighbouring categories (input, convolution, pooling, dense) also differ in lightness,
which keeps them apart in greyscale print; every block is labelled with its kind too.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.catalog import Category


class Theme(NamedTuple):
    name: str
    background: str | None
    text: str
    muted: str
    stroke: str
    arrow: str
    kernel: str
    fills: dict[Category, str]


THEMES = {
    "light": Theme(
        "light",
        "#ffffff",
        "#1a1a1a",
        "#555555",
        "#333333",
        "#666666",
        "#1a1a1a",
        {
            Category.INPUT: "#dddddd",
            Category.CONVOLUTION: "#77aadd",
            Category.POOLING: "#ffaabb",
            Category.UPSAMPLING: "#99ddff",
            Category.RESHAPING: "#eedd88",
            Category.MERGE: "#bbcc33",
            Category.DENSE: "#cc6677",
            Category.NORM_ACT: "#aa4499",
            Category.OPAQUE: "#bbbbbb",
        },
    ),
    "dark": Theme(
        "dark",
        "#1e1e1e",
        "#eeeeee",
        "#bbbbbb",
        "#111111",
        "#bbbbbb",
        "#ffffff",
        {
            Category.INPUT: "#bbbbbb",
            Category.CONVOLUTION: "#77aadd",
            Category.POOLING: "#ffaabb",
            Category.UPSAMPLING: "#99ddff",
            Category.RESHAPING: "#eedd88",
            Category.MERGE: "#bbcc33",
            Category.DENSE: "#ee8866",
            Category.NORM_ACT: "#cc99cc",
            Category.OPAQUE: "#888888",
        },
    ),
    "print": Theme(
        "print",
        "#ffffff",
        "#000000",
        "#333333",
        "#000000",
        "#000000",
        "#000000",
        {
            Category.INPUT: "#ffffff",
            Category.CONVOLUTION: "#d0d0d0",
            Category.POOLING: "#a0a0a0",
            Category.UPSAMPLING: "#e8e8e8",
            Category.RESHAPING: "#f4f4f4",
            Category.MERGE: "#ffffff",
            Category.DENSE: "#707070",
            Category.NORM_ACT: "#888888",
            Category.OPAQUE: "#bcbcbc",
        },
    ),
}


def shade(colour: str, factor: float) -> str:
    """Lighter (factor > 1, towards white) or darker (< 1) version of `#rrggbb`."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    if factor >= 1:
        mixed = [round(c + (255 - c) * (factor - 1)) for c in channels]
    else:
        mixed = [round(c * factor) for c in channels]
    return "#" + "".join(f"{max(0, min(255, c)):02x}" for c in mixed)


def luminance(colour: str) -> float:
    """WCAG relative luminance, to pick readable text on a fill."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
