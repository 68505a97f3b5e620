"""Layout stage: the options of a figure, with their defaults, shared by the API and the CLI."""

from __future__ import annotations

from typing import NamedTuple

STYLES = ("blocks", "flat")
ANNOTATIONS = ("size", "formulas", "params", "macs", "rf")
DEFAULT_ANNOTATIONS = ("size", "formulas", "params")
BLOCK_SCALES = ("log", "sqrt", "linear")


class FigureOptions(NamedTuple):
    style: str = "blocks"
    theme: str = "light"
    font_size: float = 11.0
    title: str | None = None  # None: the spec's title; "" hides it
    annotate: tuple[str, ...] = DEFAULT_ANNOTATIONS
    fold: bool = True
    max_width: float | None = None  # wrap the layers into rows to fit this width
    block_scale: str = "log"
    legend: bool = True
    totals: bool = True
