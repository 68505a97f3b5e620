"""IR stage: the network as immutable data, produced by the spec readers and consumed by the engine.

Shapes are stored channels-first without the batch dimension: ``(C, H, W)`` for an
image, ``(C, L)`` for a sequence, ``(C, D, H, W)`` for a volume and ``(N,)`` for a
feature vector. `Network.channels_last` only changes how shapes are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from cnndiagram.source import Source, Span

#: A validated argument value: a number, a flag, a word from a closed set, or per-axis values.
ArgValue = Union[int, float, bool, str, None, tuple["ArgValue", ...]]


@dataclass(frozen=True)
class Layer:
    """One layer of a catalogued kind with validated arguments.

    `args` holds every argument of the kind (defaults filled in), in catalogue order.
    `inputs` names the layers it reads, in order (one, or several for a merge); the
    spec readers always fill it. `group` is the path of spec blocks the layer came from
    (`residual:add3`, `repeat:stage2:1:3`), which figures use to draw and collapse blocks.
    """

    name: str
    kind: str
    args: tuple[tuple[str, ArgValue], ...]
    span: Span | None = field(default=None, compare=False)
    inputs: tuple[str, ...] = ()
    group: tuple[str, ...] = field(default=(), compare=False)

    def arg(self, key: str) -> ArgValue:
        for name, value in self.args:
            if name == key:
                return value
        raise KeyError(f"{self.kind} has no argument {key!r}")


@dataclass(frozen=True)
class Input:
    """The input tensor, channels-first, without the batch dimension."""

    shape: tuple[int, ...]
    name: str = "input"
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Network:
    """Layers in an order where every layer comes after the layers it reads (a DAG fed by
    one input); the last layer is the output."""

    input: Input
    layers: tuple[Layer, ...]
    title: str | None = None
    channels_last: bool = False
    #: The text the network was read from, so later stages can point errors at a line.
    source: Source | None = field(default=None, compare=False, repr=False)
