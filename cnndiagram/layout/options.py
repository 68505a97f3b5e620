"""Layout stage: the options of a figure, with their defaults, shared by the API and the CLI."""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.layout import DEFAULT_ANNOTATIONS


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
    collapse: bool = False  # draw each repeated stage once, with a badge and its total
    layout: str = "row"  # row | u (encoder down, decoder up: for U-Nets)
    direction: str = "TB"  # graph style: TB (top to bottom) or LR
    edge_labels: bool = False  # graph style: tensor sizes on the edges
