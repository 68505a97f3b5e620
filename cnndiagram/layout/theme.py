"""Layout stage: themes as data, and the layer categories that pick a block's colour.

The light palette is taken from Paul Tol's colour-blind-safe schemes and chosen so
neighbouring categories (input, convolution, pooling, dense) also differ in lightness,
which keeps them apart in greyscale print; every block is labelled with its kind too.
"""

from __future__ import annotations

from typing import NamedTuple

CATEGORIES = {
    "input": "input",
    "conv": "convolution",
    "sepconv": "convolution",
    "dwconv": "convolution",
    "deconv": "upsampling",
    "upsample": "upsampling",
    "maxpool": "pooling",
    "avgpool": "pooling",
    "globalavgpool": "pooling",
    "globalmaxpool": "pooling",
    "adaptiveavgpool": "pooling",
    "adaptivemaxpool": "pooling",
    "dense": "dense",
    "output": "dense",
    "flatten": "reshaping",
    "reshape": "reshaping",
    "zeropad": "reshaping",
    "crop": "reshaping",
    "add": "merge",
    "multiply": "merge",
    "concat": "merge",
}
CATEGORY_ORDER = (
    "input",
    "convolution",
    "pooling",
    "upsampling",
    "reshaping",
    "merge",
    "dense",
    "normalisation & activation",
)


def category(kind: str) -> str:
    return CATEGORIES.get(kind, "normalisation & activation")


class Theme(NamedTuple):
    name: str
    background: str | None
    text: str
    muted: str
    stroke: str
    arrow: str
    kernel: str
    fills: dict[str, str]


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
            "input": "#dddddd",
            "convolution": "#77aadd",
            "pooling": "#ffaabb",
            "upsampling": "#99ddff",
            "reshaping": "#eedd88",
            "merge": "#bbcc33",
            "dense": "#cc6677",
            "normalisation & activation": "#aa4499",
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
            "input": "#bbbbbb",
            "convolution": "#77aadd",
            "pooling": "#ffaabb",
            "upsampling": "#99ddff",
            "reshaping": "#eedd88",
            "merge": "#bbcc33",
            "dense": "#ee8866",
            "normalisation & activation": "#cc99cc",
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
            "input": "#ffffff",
            "convolution": "#d0d0d0",
            "pooling": "#a0a0a0",
            "upsampling": "#e8e8e8",
            "reshaping": "#f4f4f4",
            "merge": "#ffffff",
            "dense": "#707070",
            "normalisation & activation": "#888888",
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
