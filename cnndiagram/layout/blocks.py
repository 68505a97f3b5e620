"""Layout stage: the shapes of one column: a tensor cuboid, a lettered box, a merge node.

A cuboid's front face is `thickness(C)` wide and `size(H)` high and recedes obliquely by
`size(W)/2` (log, sqrt or linear mapping, clamped so 224 and 7 both read well); vectors
are thin bars; a convolution or pooling window is drawn on the side face of its input.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from cnndiagram.catalog import KINDS
from cnndiagram.layout.columns import Column
from cnndiagram.layout.scene import Line, Polygon, Primitive
from cnndiagram.layout.theme import Theme, shade
from cnndiagram.options import FigureOptions

#: Kinds drawn as a circled junction rather than a tensor (the catalogue's `junction`).
MERGE_NODES = frozenset(name for name, kind in KINDS.items() if kind.junction is not None)


class Block(NamedTuple):
    """Front face `w` x `h`, receding by (`ox`, `oy`); `flat` boxes have no depth."""

    w: float
    h: float
    ox: float
    oy: float

    @property
    def extent(self) -> float:
        return self.w + self.ox


def _log_size(n: int, mode: str, largest: int, f: float) -> float:
    """Screen length of a spatial size: clamped so 224 and 7 both read well."""
    low, high = 1.3 * f, 12.5 * f
    if mode == "linear":
        value = high * n / max(largest, 1)
    elif mode == "sqrt":
        value = 0.85 * f * math.sqrt(n)
    else:
        value = 1.3 * f + 1.55 * f * math.log2(max(n, 1))
    return max(low, min(high, value))


def _thickness(channels: int, f: float) -> float:
    return max(0.35 * f, min(4.5 * f, 0.35 * f + 0.36 * f * math.log2(max(channels, 1))))


def block_for(column: Column, options: FigureOptions, largest: int) -> Block:
    f = options.font_size
    if column.result.kind in MERGE_NODES:
        return Block(1.7 * f, 1.7 * f, 0.0, 0.0)
    if options.style == "flat":
        side = 2.6 * f
        return Block(side, side, 0.0, 0.0)
    shape = column.result.output_shape
    rank = len(shape) - 1
    mode = options.block_scale
    # Compaction lowers blocks above the smallest size, so sizes still read in order.
    compact = options.compact or 1.0
    if rank == 0:
        height = max(1.6 * f, min(13.5 * f, 1.2 * f * math.log2(shape[0] + 1)))
        height = 1.6 * f + (height - 1.6 * f) * compact
        depth = 0.45 * f
        return Block(0.7 * f, height, 0.8 * depth, -0.55 * depth)
    height = _lower(_log_size(shape[-2] if rank >= 2 else shape[1], mode, largest, f), f, compact)
    depth = (
        0.5 * _lower(_log_size(shape[-1], mode, largest, f), f, compact) if rank >= 2 else 0.45 * f
    )
    return Block(_thickness(shape[0], f), height, 0.8 * depth, -0.55 * depth)


def _lower(size: float, f: float, compact: float) -> float:
    low = 1.3 * f  # `_log_size`'s smallest
    return low + (size - low) * compact


def cuboid(x: float, mid: float, block: Block, fill: str, theme: Theme) -> list[Primitive]:
    """Front, top and right faces of a box whose front face is centred on `mid`."""
    top, bottom = mid - block.h / 2, mid + block.h / 2
    left, right = x, x + block.w
    ox, oy = block.ox, block.oy
    stroke = theme.stroke
    width = 0.6
    front = Polygon(
        ((left, top), (right, top), (right, bottom), (left, bottom)), fill, stroke, width
    )
    if not ox:
        return [front]
    top_face = Polygon(
        ((left, top), (left + ox, top + oy), (right + ox, top + oy), (right, top)),
        shade(fill, 1.35),
        stroke,
        width,
    )
    side = Polygon(
        ((right, top), (right + ox, top + oy), (right + ox, bottom + oy), (right, bottom)),
        shade(fill, 0.78),
        stroke,
        width,
    )
    return [front, top_face, side]


def kernel_patch(
    x: float, mid: float, block: Block, column: Column, prev: Column, theme: Theme
) -> Polygon | None:
    """A window on the input block's side face, projected to the output block."""
    layer = column.result.layer
    window = KINDS[column.result.kind].window
    if layer is None or window is None:
        return None
    kernel = layer.arg(window)
    in_shape = prev.result.output_shape
    if len(in_shape) < 2:
        return None
    k = kernel if isinstance(kernel, int) else kernel[-1] if isinstance(kernel, tuple) else 1
    assert isinstance(k, int)
    ku = min(0.6, max(0.22, k / in_shape[-1]))
    kv = min(0.6, max(0.22, k / (in_shape[-2] if len(in_shape) > 2 else in_shape[1])))
    right = x + block.w
    bottom = mid + block.h / 2

    def at(u: float, v: float) -> tuple[float, float]:
        return (right + u * block.ox, bottom - v * block.h + u * block.oy)

    u0, v0 = 0.5 - ku / 2, 0.55 - kv / 2
    corners = (at(u0, v0), at(u0 + ku, v0), at(u0 + ku, v0 + kv), at(u0, v0 + kv))
    return Polygon(corners, theme.kernel, theme.kernel, 0.6, 0.25)


def merge_node(
    centre: float, mid: float, block: Block, kind: str, fill: str, theme: Theme
) -> list[Primitive]:
    """A circled + (add) or x (multiply), the paper-style junction of a residual block."""
    radius = block.w / 2
    steps = 24
    ring = tuple(
        (
            centre + radius * math.cos(2 * math.pi * i / steps),
            mid + radius * math.sin(2 * math.pi * i / steps),
        )
        for i in range(steps)
    )
    arm = radius * 0.55
    if KINDS[kind].junction == "\u00d7":
        arm *= 0.75
        strokes = [
            ((centre - arm, mid - arm), (centre + arm, mid + arm)),
            ((centre - arm, mid + arm), (centre + arm, mid - arm)),
        ]
    else:
        strokes = [
            ((centre - arm, mid), (centre + arm, mid)),
            ((centre, mid - arm), (centre, mid + arm)),
        ]
    return [
        Polygon(ring, fill, theme.stroke, 0.8),
        *(Line(stroke, theme.text, 1.2) for stroke in strokes),
    ]
