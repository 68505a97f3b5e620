"""IR stage: the network as immutable data, produced by the spec readers and consumed by the engine.

Shapes are stored channels-first without the batch dimension: ``(C, H, W)`` for an
image, ``(C, L)`` for a sequence, ``(C, D, H, W)`` for a volume and ``(N,)`` for a
feature vector. `Network.channels_last` only changes how shapes are shown.

The classes are immutable value objects written out by hand rather than dataclasses:
they are on the start-up path of every command, and generating dataclass methods costs
about a millisecond each there. Source positions (`span`, `source`) and block paths
(`group`) do not take part in equality, so the same network read from YAML or from a
`.cnn` file compares equal.
"""

from __future__ import annotations

from typing import Any, Union

from cnndiagram.source import Source, Span

#: A validated argument value: a number, a flag, a word from a closed set, or per-axis values.
ArgValue = Union[int, float, bool, str, None, tuple["ArgValue", ...]]


def display_shape(shape: tuple[int, ...], channels_last: bool) -> tuple[int, ...]:
    """Channels-first storage in the order the spec writes it: `(C, H, W)` as `(H, W, C)`
    when channels last. A feature vector `(N,)` has no channel axis to move."""
    if channels_last and len(shape) > 1:
        return (*shape[1:], shape[0])
    return shape


def stored_shape(dims: tuple[int, ...], channels_last: bool) -> tuple[int, ...]:
    """The inverse of `display_shape`: dimensions as the spec writes them, channels first."""
    if channels_last and len(dims) > 1:
        return (dims[-1], *dims[:-1])
    return dims


class _Frozen:
    __slots__ = ()
    _compared: tuple[str, ...] = ()

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._compared)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Frozen)
            and type(other) is type(self)
            and (self._key() == other._key())
        )

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._compared)
        return f"{type(self).__name__}({fields})"


class Layer(_Frozen):
    """One layer of a catalogued kind with validated arguments.

    `args` holds every argument of the kind (defaults filled in), in catalogue order.
    `inputs` names the layers it reads, in order (one, or several for a merge); the
    spec readers always fill it. `group` is the path of spec blocks the layer came from
    (`residual:add3`, `repeat:stage2:1:3`), which figures use to draw and collapse blocks.
    """

    __slots__ = ("args", "group", "inputs", "kind", "name", "span")
    _compared = ("name", "kind", "args", "inputs")
    name: str
    kind: str
    args: tuple[tuple[str, ArgValue], ...]
    span: Span | None
    inputs: tuple[str, ...]
    group: tuple[str, ...]

    def __init__(
        self,
        name: str,
        kind: str,
        args: tuple[tuple[str, ArgValue], ...],
        span: Span | None = None,
        inputs: tuple[str, ...] = (),
        group: tuple[str, ...] = (),
    ) -> None:
        put = object.__setattr__
        put(self, "name", name)
        put(self, "kind", kind)
        put(self, "args", args)
        put(self, "span", span)
        put(self, "inputs", inputs)
        put(self, "group", group)

    def arg(self, key: str) -> ArgValue:
        for name, value in self.args:
            if name == key:
                return value
        raise KeyError(f"{self.kind} has no argument {key!r}")


class Input(_Frozen):
    """The input tensor, channels-first, without the batch dimension."""

    __slots__ = ("name", "shape", "span")
    _compared = ("shape", "name")
    shape: tuple[int, ...]
    name: str
    span: Span | None

    def __init__(
        self, shape: tuple[int, ...], name: str = "input", span: Span | None = None
    ) -> None:
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "span", span)


class Network(_Frozen):
    """Layers in an order where every layer comes after the layers it reads (a DAG fed by
    one input); the last layer is the output. `source` is the text it was read from, so
    later stages can point errors at a line."""

    __slots__ = ("channels_last", "input", "layers", "source", "title")
    _compared = ("input", "layers", "title", "channels_last")
    input: Input
    layers: tuple[Layer, ...]
    title: str | None
    channels_last: bool
    source: Source | None

    def __init__(
        self,
        input: Input,
        layers: tuple[Layer, ...],
        title: str | None = None,
        channels_last: bool = False,
        source: Source | None = None,
    ) -> None:
        put = object.__setattr__
        put(self, "input", input)
        put(self, "layers", layers)
        put(self, "title", title)
        put(self, "channels_last", channels_last)
        put(self, "source", source)
