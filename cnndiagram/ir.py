"""IR stage: the network as immutable data, produced by the spec readers and consumed by the engine.

Shapes are stored channels-first without the batch dimension: ``(C, H, W)`` for an
image, ``(C, L)`` for a sequence, ``(C, D, H, W)`` for a volume and ``(N,)`` for a
feature vector. `Network.channels_last` only changes how shapes are shown.

Blocks (`residual`, `parallel`, `repeat`) are kept as a tree of `Block` values: each layer
points at the innermost block it came from, each block at its parent, so figures can draw
and collapse them and `fmt` can write them back.

The classes are immutable value objects written out by hand rather than dataclasses:
they are on the start-up path of every command, and generating dataclass methods costs
about a millisecond each there. Source positions (`span`, `source`) and block membership
(`Layer.block`, `Layer.part`) do not take part in equality, so a network compares equal to
the same layers built without blocks; `block_structure` compares the block trees.
"""

from __future__ import annotations

import enum
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


class BlockKind(enum.Enum):
    """The spec's block statements, and the call of a block the user defined (`def`), whose
    definition's name is in `Block.definition`. `MODULE` is an imported model's module
    (`layer1`, `layer1.0`) that is none of the others: a named group, with no statement of
    its own in the spec language."""

    RESIDUAL = "residual"
    PARALLEL = "parallel"
    REPEAT = "repeat"
    MODULE = "module"
    CALL = "call"


class Block(_Frozen):
    """One expanded block statement, or one iteration of a `repeat`.

    `name` is the name written before the block, under the names of the named blocks and
    calls around it and with the `.i` suffixes of the unnamed repeats (`layer1.0.se`,
    `b.2`); a residual's or parallel's name is also its merge layer's, and every layer
    inside is named under it (`se.conv1`). None for an unnamed block.
    `id` is generated, `<kind><n>` in expansion order, and unique among a network's blocks
    except that the iterations of one repeat share it: they differ by `index` (1 to
    `count`; both None for other kinds). `parent` is the enclosing block and `part` which
    of its bodies holds this one: 0 for a residual's body, a repeat's body, a call's body or
    the first parallel branch, 1 for a residual's shortcut or the second branch, and so on.
    A call names its `definition` and its `args`, every parameter's value in the
    definition's order, as written (words and layer names as strings). Equality covers
    every field, the parent chain included.
    """

    __slots__ = ("args", "count", "definition", "id", "index", "kind", "name", "parent", "part")
    _compared = ("kind", "name", "id", "index", "count", "part", "parent", "definition", "args")
    kind: BlockKind
    name: str | None
    id: str
    parent: Block | None
    part: int
    index: int | None
    count: int | None
    definition: str | None
    args: tuple[tuple[str, ArgValue], ...]

    def __init__(
        self,
        kind: BlockKind,
        name: str | None,
        id: str,
        parent: Block | None = None,
        part: int = 0,
        index: int | None = None,
        count: int | None = None,
        definition: str | None = None,
        args: tuple[tuple[str, ArgValue], ...] = (),
    ) -> None:
        put = object.__setattr__
        put(self, "kind", kind)
        put(self, "name", name)
        put(self, "id", id)
        put(self, "parent", parent)
        put(self, "part", part)
        put(self, "index", index)
        put(self, "count", count)
        put(self, "definition", definition)
        put(self, "args", args)

    @property
    def label(self) -> str:
        """How figures name the block: its name, else its id."""
        return self.id if self.name is None else self.name

    def path(self) -> tuple[Block, ...]:
        """The blocks from the outermost down to this one."""
        chain: list[Block] = []
        block: Block | None = self
        while block is not None:
            chain.append(block)
            block = block.parent
        return tuple(reversed(chain))


class Layer(_Frozen):
    """One layer of a catalogued kind with validated arguments.

    `args` holds every argument of the kind (defaults filled in), in catalogue order.
    `inputs` names the layers it reads, in order (one, or several for a merge); the
    spec readers always fill it. `block` is the innermost block the layer came from (None
    outside blocks) and `part` which of that block's bodies holds it, numbered as
    `Block.part`; None for the layers a block adds itself (the merge of a residual or
    parallel block, and a residual's activation).
    """

    __slots__ = ("args", "block", "inputs", "kind", "name", "part", "span")
    _compared = ("name", "kind", "args", "inputs")
    name: str
    kind: str
    args: tuple[tuple[str, ArgValue], ...]
    span: Span | None
    inputs: tuple[str, ...]
    block: Block | None
    part: int | None

    def __init__(
        self,
        name: str,
        kind: str,
        args: tuple[tuple[str, ArgValue], ...],
        span: Span | None = None,
        inputs: tuple[str, ...] = (),
        block: Block | None = None,
        part: int | None = None,
    ) -> None:
        put = object.__setattr__
        put(self, "name", name)
        put(self, "kind", kind)
        put(self, "args", args)
        put(self, "span", span)
        put(self, "inputs", inputs)
        put(self, "block", block)
        put(self, "part", part)

    def repeat(self) -> Block | None:
        """The iteration of the innermost `repeat` the layer came from, if any."""
        block = self.block
        while block is not None and block.kind is not BlockKind.REPEAT:
            block = block.parent
        return block

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


class Definition(_Frozen):
    """A block the spec defines (`def name(params) { body }`): its parameters with their
    defaults (None: required), the definition's text as written, which `fmt` writes back,
    and its line, for messages about the layers it makes."""

    __slots__ = ("line", "name", "params", "text")
    _compared = ("name", "params", "text")
    name: str
    params: tuple[tuple[str, ArgValue], ...]
    text: str
    line: int

    def __init__(
        self, name: str, params: tuple[tuple[str, ArgValue], ...], text: str, line: int
    ) -> None:
        put = object.__setattr__
        put(self, "name", name)
        put(self, "params", params)
        put(self, "text", text)
        put(self, "line", line)


class Network(_Frozen):
    """Layers in an order where every layer comes after the layers it reads (a DAG fed by
    one input); the last layer is the output. `source` is the text it was read from, so
    later stages can point errors at a line. `definitions` are the blocks the spec defined,
    in order; like block membership they are not compared (the layers say what the
    network is)."""

    __slots__ = ("channels_last", "definitions", "input", "layers", "source", "title")
    _compared = ("input", "layers", "title", "channels_last")
    input: Input
    layers: tuple[Layer, ...]
    title: str | None
    channels_last: bool
    source: Source | None
    definitions: tuple[Definition, ...]

    def __init__(
        self,
        input: Input,
        layers: tuple[Layer, ...],
        title: str | None = None,
        channels_last: bool = False,
        source: Source | None = None,
        definitions: tuple[Definition, ...] = (),
    ) -> None:
        put = object.__setattr__
        put(self, "input", input)
        put(self, "layers", layers)
        put(self, "title", title)
        put(self, "channels_last", channels_last)
        put(self, "source", source)
        put(self, "definitions", definitions)


def block_structure(network: Network) -> tuple[tuple[Block | None, int | None], ...]:
    """Each layer's innermost block and part, in order. Block equality includes the parent
    chain, so two networks with equal layers have the same block tree exactly when their
    structures are equal."""
    return tuple((layer.block, layer.part) for layer in network.layers)
