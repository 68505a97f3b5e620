"""Spec stage: a network back to canonical `.cnn` text, for round trips and `cnndiagram fmt`.

Canonical form: the blocks written back as `residual`, `parallel` and `repeat` statements
(a repeat once, however many iterations it has); chains joined by `->` up to 100
characters a line, a block on one line when it fits, else its bodies indented; a layer's
name written only where the automatic one (`conv3`) would differ or something reads it
by name, and inside a named block without the block's prefix (`conv1`, not `s.conv1`);
positional arguments for the required ones, keyword arguments only where they differ from
the defaults. Reading the text back gives the same network, blocks included.

Blocks the spec defined (`def`) are written back as they were written, after the input,
and each call as a call (`b: name(args)`, required arguments positionally, the others
where they differ from their defaults).

A block the language cannot express (which only a network built in code can have: a
repeat whose iterations differ, a residual whose merge is not an `add`...) is written
as its layers, and then every block is, so the text always reads back as the same layers.
An imported model's `module` blocks are written as their layers, its residual blocks as
`residual` statements.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Union

from cnndiagram.catalog import ACTIVATIONS, KINDS, MERGES, Kind
from cnndiagram.ir import ArgValue, Block, BlockKind, Definition, Layer, Network, display_shape
from cnndiagram.spec.raw import RawBlock, RawItem, RawParam, RawRef, RawValue

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_RESERVED = {"title", "true", "false", "null"}
WIDTH = 100
_INDENT = "  "


_QUOTED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def quote(text: str) -> str:
    """A DSL string literal for arbitrary text: control, formatting and bidi characters are
    written as `\\uXXXX`, so the output is plain text that reads back to the same name.

    >>> print(quote('a"b\\\x00\u202e\u00e9'))
    "a\\"b\\\\\\u0000\\u202eé"
    """
    out = []
    for char in text:
        if char in _QUOTED:
            out.append(_QUOTED[char])
        elif _invisible(char):
            code = ord(char)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _invisible(char: str) -> bool:
    import unicodedata

    code = ord(char)
    return (
        code < 0x20
        or 0x7F <= code < 0xA0
        or unicodedata.category(char) in ("Cf", "Zl", "Zp", "Cs", "Co", "Cn")
    )


def _name(name: str) -> str:
    return name if _IDENT.match(name) and name.lower() not in _RESERVED else quote(name)


def format_value(value: ArgValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if len(value) == 1 and isinstance(value[0], int):
        return f"[{value[0]}]"
    parts = [
        f"[{format_value(item[0])}, {format_value(item[1])}]"
        if isinstance(item, tuple)
        else format_value(item)
        for item in value
    ]
    return "x".join(parts)


def _raw_value(value: RawValue) -> str:
    if value.kind == "seq":
        assert isinstance(value.value, tuple)
        items = value.value
        if len(items) == 1 and items[0].kind != "seq":
            return f"[{_raw_value(items[0])}]"
        return "x".join(
            f"[{', '.join(map(_raw_value, item.value))}]"
            if item.kind == "seq" and isinstance(item.value, tuple)
            else _raw_value(item)
            for item in items
        )
    if value.kind == "string":
        return quote(str(value.value))
    if value.kind == "bool":
        return "true" if value.value else "false"
    if value.kind == "null":
        return "null"
    if value.kind == "float":
        return repr(value.value)
    return str(value.value)


def _raw_items(items: tuple[RawItem, ...]) -> str:
    out = []
    for item in items:
        if isinstance(item, RawRef):
            out.append("@" + _name(item.name))
            continue
        head = f"{_name(item.name)}: {item.kind}" if item.name is not None else item.kind
        args = [
            f"{arg.key}={_raw_value(arg.value)}" if arg.key else _raw_value(arg.value)
            for arg in item.args
        ]
        text = head + (f"({', '.join(args)})" if args else "")
        if isinstance(item, RawBlock):
            text += " { " + " | ".join(_raw_items(body) for body in item.bodies) + " }"
            if item.shortcut is not None:
                text += " shortcut { " + _raw_items(item.shortcut) + " }"
        out.append(text)
    return " -> ".join(out)


def definition_text(name: str, params: tuple[RawParam, ...], body: tuple[RawItem, ...]) -> str:
    """A definition read from YAML, TOML or JSON as the DSL writes it, for `fmt`."""
    written = [
        param.name if param.default is None else f"{param.name}={_raw_value(param.default)}"
        for param in params
    ]
    return f"def {name}({', '.join(written)}) {{ {_raw_items(body)} }}"


def _flag(kind: Kind, name: str, value: ArgValue) -> str | None:
    """The bare word that sets argument `name` to `value` (`nobias`, `relu`), if there is one."""
    words = [flag for flag, arg, _ in kind.flags if arg == name]
    if isinstance(value, str):
        words.append(value)
    for word in words:
        found = kind.flag(word)
        if found is not None and found == (name, value) and type(found[1]) is type(value):
            return word
    return None


def _args(layer: Layer) -> list[str]:
    kind = KINDS[layer.kind]
    parts = []
    for arg in kind.args:
        value = layer.arg(arg.name)
        if arg.required:
            parts.append(format_value(value))
        elif value != arg.default or type(value) is not type(arg.default):
            parts.append(_flag(kind, arg.name, value) or f"{arg.name}={format_value(value)}")
    return parts


def format_layer(layer: Layer) -> str:
    """One layer as a named statement, merges with the names they read."""
    inputs = [_name(name) for name in layer.inputs] if layer.kind in MERGES else []
    args = [*inputs, *_args(layer)]
    return f"{_name(layer.name)}: {layer.kind}" + (f"({', '.join(args)})" if args else "")


def format_network(network: Network) -> str:
    try:
        return _Writer(network, blocks=True).text()
    except _Inexpressible:
        return _Writer(network, blocks=False).text()


# -- the plan: layers grouped into the blocks they came from ------------------------------------


class _Inexpressible(Exception):
    """The network's blocks cannot be written as block statements."""


class _Node:
    """One block statement: its parts (a residual's body and shortcut, parallel branches,
    a repeat's iterations), each a list of layer indices and nested nodes, and the layers
    the block adds itself (the merge, a residual's activation)."""

    def __init__(self, block: Block) -> None:
        self.block = block
        self.parts: list[list[_Item]] = []
        self.own: list[int] = []


_Item = Union[int, _Node]


def _path(layer: Layer) -> list[tuple[object, Block, int | None]]:
    """The layer's blocks, outermost first, as (grouping key, block, part below it). The
    iterations of one repeat share a key, their part is the iteration (from 0)."""
    if layer.block is None:
        return []
    # An imported model's module blocks have no statement: their layers are written as if
    # they stood in the block around the module, in the module's part of it.
    below = layer.part
    kept: list[tuple[Block, int | None]] = []
    for block in reversed(layer.block.path()):
        if block.kind is not BlockKind.MODULE:
            kept.append((block, below))
        below = block.part
    out: list[tuple[object, Block, int | None]] = []
    for block, part in reversed(kept):
        if block.kind is BlockKind.REPEAT:
            if part != 0 or block.index is None:
                raise _Inexpressible
            key: object = (block.id, block.name, block.count, block.parent, block.part)
            out.append((key, block, block.index - 1))
        else:
            out.append((block, block, part))
    return out


def _order(part: int | None) -> float:
    return float("inf") if part is None else part


class _Open(NamedTuple):
    key: object
    node: _Node
    part: list[int | None]  # the part being filled (a list, so it can move on)


def _plan(network: Network) -> list[_Item]:
    """Layers (by index from 1; 0 is the input) grouped into block nodes, in order; raises
    `_Inexpressible` when a block's layers are not one run, part after part."""
    top: list[_Item] = []
    stack: list[_Open] = []
    closed: set[object] = set()

    def close(depth: int) -> None:
        closed.update(entry.key for entry in stack[depth:])
        del stack[depth:]

    def put(item: _Item) -> None:
        if not stack:
            top.append(item)
            return
        node, part = stack[-1].node, stack[-1].part[0]
        if part is None:
            if not isinstance(item, int):
                raise _Inexpressible  # a block among the layers a block adds itself
            node.own.append(item)
            return
        while len(node.parts) <= part:
            node.parts.append([])
        node.parts[part].append(item)

    for index, layer in enumerate(network.layers, start=1):
        path = _path(layer)
        depth = 0
        while depth < min(len(stack), len(path)) and stack[depth].key == path[depth][0]:
            entry, part = stack[depth], path[depth][2]
            if entry.part[0] != part:
                close(depth + 1)
                repeat = entry.node.block.kind is BlockKind.REPEAT
                if _order(part) <= _order(entry.part[0]) or (
                    repeat and part != (entry.part[0] or 0) + 1
                ):
                    raise _Inexpressible
                entry.part[0] = part
                depth += 1
                break
            depth += 1
        close(depth)
        for key, block, part in path[depth:]:
            if key in closed:
                raise _Inexpressible
            if block.kind is BlockKind.REPEAT and part != 0:
                raise _Inexpressible
            node = _Node(block)
            put(node)
            stack.append(_Open(key, node, [part]))
        put(index)
    return top


# -- writing -------------------------------------------------------------------------------------


class _Ref(NamedTuple):
    """`@name`, or a merge's input: the layer read, resolved to a name when written."""

    target: int


class _Stmt(NamedTuple):
    layer: int
    refs: tuple[_Ref, ...]  # a merge's inputs


class _Call(NamedTuple):
    """A call of a defined block: written as one statement, its layers made by the reader."""

    node: _Node
    last: int


class _Blk(NamedTuple):
    node: _Node
    bodies: tuple[tuple[_Elem, ...], ...]  # residual: body (+ shortcut); parallel: branches;
    # repeat: one per iteration


_Elem = Union[_Ref, _Stmt, _Blk, _Call]


class _Names(NamedTuple):
    """The names under which a layer read by name is found where it is read (quoted as
    written), best first: a repeat is written once only if every iteration can use one."""

    options: tuple[str, ...]


#: A statement or `@name` as written, in pieces: text, and names still to be chosen.
_Atom = tuple[Union[str, _Names], ...]


class _Draft(NamedTuple):
    """A block as written: `head { body | body ... } [shortcut { ... }]`."""

    head: str
    bodies: tuple[tuple[_Piece, ...], ...]
    shortcut: tuple[_Piece, ...] | None


_Piece = Union[_Atom, _Draft]


class _Text(NamedTuple):
    """A block as finally written, names chosen."""

    head: str
    bodies: tuple[tuple[_Out, ...], ...]
    shortcut: tuple[_Out, ...] | None


_Out = Union[str, _Text]


def _unify(a: _Piece, b: _Piece) -> _Piece | None:
    """What two iterations have in common: the same text, with names that suit both."""
    if isinstance(a, _Draft) and isinstance(b, _Draft):
        if a.head != b.head or len(a.bodies) != len(b.bodies):
            return None
        bodies = []
        for x, y in zip(a.bodies, b.bodies):
            body = _unify_all(x, y)
            if body is None:
                return None
            bodies.append(body)
        if a.shortcut is None or b.shortcut is None:
            return _Draft(a.head, tuple(bodies), None) if a.shortcut == b.shortcut else None
        shortcut = _unify_all(a.shortcut, b.shortcut)
        return None if shortcut is None else _Draft(a.head, tuple(bodies), shortcut)
    if isinstance(a, _Draft) or isinstance(b, _Draft) or len(a) != len(b):
        return None
    pieces: list[str | _Names] = []
    for p, q in zip(a, b):
        if isinstance(p, _Names) and isinstance(q, _Names):
            names = tuple(name for name in p.options if name in q.options)
            if not names:
                return None
            pieces.append(_Names(names))
        elif p == q:
            pieces.append(p)
        else:
            return None
    return tuple(pieces)


def _unify_all(a: tuple[_Piece, ...], b: tuple[_Piece, ...]) -> tuple[_Piece, ...] | None:
    if len(a) != len(b):
        return None
    out = []
    for x, y in zip(a, b):
        common = _unify(x, y)
        if common is None:
            return None
        out.append(common)
    return tuple(out)


def _final(piece: _Piece) -> _Out:
    if isinstance(piece, _Draft):
        shortcut = None if piece.shortcut is None else tuple(map(_final, piece.shortcut))
        return _Text(piece.head, tuple(tuple(map(_final, b)) for b in piece.bodies), shortcut)
    return "".join(part if isinstance(part, str) else part.options[0] for part in piece)


class _Writer:
    def __init__(self, network: Network, blocks: bool) -> None:
        self.network = network
        self.strict = blocks
        self.layers = (None, *network.layers)
        self.names = [network.input.name, *(layer.name for layer in network.layers)]
        self.index = {name: i for i, name in enumerate(self.names)}
        #: Per layer, what the reader puts around a name written in its place (`_context`).
        self.context = [("", "")] + [
            _context(layer.block.path()) if blocks and layer.block is not None else ("", "")
            for layer in network.layers
        ]
        #: Names written on a block rather than on the layer it names: a named block's merge,
        #: a labelled call's last layer.
        self.own_name: dict[int, str] = {}
        #: The layers that a named repeat's name reads (its last layer): (local, full) names.
        self.aliases: dict[int, list[tuple[str, str]]] = {}
        self.repeat_end: dict[int, int] = {}  # per repeat node (by id), the layer it ends at
        self.forced: dict[int, bool] = {}  # True: must be named; False: must not be
        self.referenced: set[int] = set()
        #: Layers of labelled calls: named under the label by the reader, never written.
        self.hidden: set[int] = set()
        self.definitions = {d.name: d for d in network.definitions}
        plan: list[_Item] = _plan(network) if blocks else list(range(1, len(self.names)))
        self.elems, _ = self.walk(plan, 0)

    def layer(self, index: int) -> Layer:
        layer = self.layers[index]
        assert layer is not None  # index 0, the input, is never a statement
        return layer

    def find(self, name: str) -> int:
        if name not in self.index:
            raise _Inexpressible
        return self.index[name]

    # -- structure: which layer each statement reads, and where a reference is needed --------

    def walk(self, items: list[_Item], current: int) -> tuple[list[_Elem], int]:
        out: list[_Elem] = []
        for item in items:
            if isinstance(item, int):
                layer = self.layer(item)
                if layer.kind in MERGES:
                    refs = tuple(self.ref(self.find(name)) for name in layer.inputs)
                    out.append(_Stmt(item, refs))
                else:
                    if len(layer.inputs) != 1:
                        raise _Inexpressible
                    if self.find(layer.inputs[0]) != current:
                        out.append(self.ref(self.find(layer.inputs[0])))
                    out.append(_Stmt(item, ()))
                current = item
            elif item.block.kind is BlockKind.CALL:
                call, current = self.call(item, current)
                out.extend(call)
            else:
                block, current = self.block(item, current)
                out.append(block)
        return out, current

    def call(self, node: _Node, current: int) -> tuple[list[_Elem], int]:
        block = node.block
        if not self.strict or block.definition not in self.definitions:
            raise _Inexpressible
        layers = sorted(_indices(node))
        first = self.layer(layers[0])
        if len(first.inputs) != 1:
            raise _Inexpressible
        out: list[_Elem] = []
        if self.find(first.inputs[0]) != current:
            out.append(self.ref(self.find(first.inputs[0])))
        last = layers[-1]
        for index in layers:
            if block.name is None:
                self.forced[index] = False  # made by the reader with the automatic names
            elif index != last:
                self.hidden.add(index)
        if block.name is not None:
            if self.names[last] != block.name:
                raise _Inexpressible
            self.forced[last] = True
            self.own_name[last] = _block_local(block)
        out.append(_Call(node, last))
        return out, last

    def ref(self, target: int) -> _Ref:
        if target not in self.aliases:  # the name of a repeat reads it without its own
            self.referenced.add(target)
        return _Ref(target)

    def body(self, items: list[_Item], start: int, end: int) -> tuple[_Elem, ...]:
        """A residual's or parallel's body, ending at the layer the merge reads."""
        elems, current = self.walk(items, start)
        if current != end:
            elems.append(self.ref(end))
        return tuple(elems)

    def block(self, node: _Node, start: int) -> tuple[_Blk, int]:
        block = node.block
        kind = block.kind
        if kind is BlockKind.REPEAT:
            if block.count is None or len(node.parts) != block.count:
                raise _Inexpressible
            iterations = []
            current = start
            for items in node.parts:
                elems, current = self.walk(items, current)
                iterations.append(tuple(elems))
            if block.name is not None:
                # `@name` after the repeat reads its last layer (`_Expander.repeat`)
                self.aliases.setdefault(current, []).append((_block_local(block), block.name))
                self.repeat_end[id(node)] = current
            return _Blk(node, tuple(iterations)), current
        if not node.own:
            raise _Inexpressible
        merge = self.layer(node.own[0])
        # A named block names its merge; an unnamed one leaves it the automatic name.
        if block.name is not None:
            if block.name != merge.name:
                raise _Inexpressible
            self.own_name[node.own[0]] = _block_local(block)
        self.forced[node.own[0]] = block.name is not None
        ends = [self.find(name) for name in merge.inputs]
        if kind is BlockKind.RESIDUAL:
            if (
                merge.kind != "add"
                or len(ends) != 2
                or len(node.parts) > 2
                or not self.residual_act(node, merge)
            ):
                raise _Inexpressible
            parts = [*node.parts, [], []]
            if not parts[0] and ends[0] == start:
                raise _Inexpressible  # the language needs a body that is not the input
            bodies = [self.body(parts[0], start, ends[0])]
            if parts[1] or ends[1] != start:
                bodies.append(self.body(parts[1], start, ends[1]))
        else:
            default = tuple((arg.name, arg.default) for arg in KINDS[merge.kind].args)
            if (
                merge.kind not in MERGES
                or merge.args != default
                or len(ends) < 2
                or len(node.parts) > len(ends)
                or len(node.own) != 1
            ):
                raise _Inexpressible
            parts = [*node.parts, *([[]] * (len(ends) - len(node.parts)))]
            bodies = [self.body(part, start, end) for part, end in zip(parts, ends)]
        return _Blk(node, tuple(bodies)), node.own[-1]

    def residual_act(self, node: _Node, merge: Layer) -> bool:
        """Whether the layers after the add are what `residual(act)` makes: none, or one
        activation with its default arguments reading the add."""
        if len(node.own) == 1:
            return True
        if len(node.own) != 2:
            return False
        act = self.layer(node.own[1])
        self.forced[node.own[1]] = False
        default = tuple((arg.name, arg.default) for arg in KINDS[act.kind].args)
        return (
            act.kind in ACTIVATIONS
            and act.kind != "linear"
            and act.args == default
            and act.inputs == (merge.name,)
        )

    # -- names ---------------------------------------------------------------------------------

    def local(self, index: int) -> str | None:
        """The name as written in its place (without the prefix of the named blocks around
        it and the `.i` of the unnamed repeats), if it can be."""
        if index in self.own_name:
            return self.own_name[index]
        name = self.names[index]
        prefix, suffix = self.context[index]
        if not name.startswith(prefix) or not name.endswith(suffix):
            return None
        return name[len(prefix) : len(name) - len(suffix)] or None

    def choose_names(self) -> list[bool]:
        """Which layers get their name written: as few as reproduce every name when the
        spec is read back. The reader names the others `<kind><n>`, counting per kind and
        skipping taken names (`_Expander.names`); a layer is left unnamed when that gives
        its name, assuming that every later layer that may be named is, and the later
        names the counting skipped then stay written."""
        count = len(self.names)
        written = [True] * count
        must: list[bool | None] = [None] * count
        for index in range(1, count):
            if index in self.forced:
                must[index] = self.forced[index]
            elif self.context[index][1] and self.strict:
                # Inside a repeat: named in the spec (`r` gives `r.1`) or not at all.
                must[index] = self.local(index) is not None
            if index in self.referenced:
                if must[index] is False:
                    raise _Inexpressible
                must[index] = True
        totals: dict[str, int] = {}
        for index in range(count):
            kind = "input" if index == 0 else self.layer(index).kind
            totals[kind] = totals.get(kind, 0) + 1
        taken = {self.names[0]} | {
            self.names[i] for i in range(1, count) if must[i] is not False and i not in self.hidden
        }
        taken.update(full for names in self.aliases.values() for _, full in names)
        # Counted per prefix, as the reader counts (`b.conv1`, `layer1.0.conv1`).
        counters: dict[tuple[str, str], int] = {}
        locked: set[int] = set()
        for index in range(1, count):
            name, kind = self.names[index], self.layer(index).kind
            if must[index] is True or index in locked or index in self.hidden:
                continue
            taken.discard(name)
            prefix = self.context[index][0]
            counter = counters.get((prefix, kind), 0)
            bare = kind in ("input", "output") and totals[kind] == 1 and not prefix
            candidate = kind if bare else ""
            skipped = []
            while not candidate or candidate in taken:
                if candidate:
                    skipped.append(candidate)
                counter += 1
                candidate = f"{prefix}{kind}{counter}"
            taken.add(name)
            if candidate != name:
                if must[index] is False:
                    raise _Inexpressible
                continue
            counters[prefix, kind] = counter
            written[index] = False
            locked.update(i for i in map(self.index.get, skipped) if i is not None and i > index)
        return written

    # -- text ----------------------------------------------------------------------------------

    def text(self) -> str:
        self.written = self.choose_names()
        self.scopes: list[dict[str, int]] = [{}]
        self.full: dict[str, int] = {}
        network = self.network
        lines = []
        if network.title is not None:
            lines.append(f"title {quote(network.title)}")
        shape = display_shape(network.input.shape, network.channels_last)
        dims = "x".join(map(str, shape)) if len(shape) > 1 else f"{shape[0]}"
        flag = ", channels_last" if network.channels_last else ""
        name = network.input.name
        head = "" if name == "input" else f"{_name(name)}: "
        lines.append(f"{head}input({dims}{flag})")
        for definition in network.definitions:
            lines.extend(definition.text.split("\n"))
        self.register(0, None)
        _lines(tuple(map(_final, self.render(self.elems))), 0, lines)
        return "\n".join(lines) + "\n"

    def register(self, index: int, local: str | None) -> None:
        """What the reader records when a named layer is added (`_Expander.add`)."""
        name = self.names[index]
        if name in self.full and self.strict:
            raise _Inexpressible
        self.full[name] = index
        self.scopes[-1][local or name] = index

    def resolve(self, target: int) -> _Names:
        """The names that the reader's lookup (`_Expander.lookup`) finds as `target` here:
        a named repeat's first, then the layer's own when it is written."""
        aliases = [name for pair in self.aliases.get(target, []) for name in pair]
        if self.strict and not self.written[target] and not aliases:
            raise _Inexpressible
        own = (self.local(target), self.names[target]) if self.written[target] else ()
        options = []
        for name in dict.fromkeys((*aliases, *own)):
            if name is None:
                continue
            found = next((scope[name] for scope in reversed(self.scopes) if name in scope), None)
            if found is None:
                found = self.full.get(name)
            if found == target:
                options.append(_name(name))
        if not options:
            if self.strict:
                raise _Inexpressible
            options.append(_name(self.names[target]))
        return _Names(tuple(options))

    def statement(self, index: int, inputs: list[_Names]) -> _Atom:
        name = self.local(index) if self.written[index] else None
        if self.written[index] and name is None:
            if self.strict:
                raise _Inexpressible
            name = self.names[index]
        layer = self.layer(index)
        if self.written[index]:
            self.register(index, name)
        head = f"{_name(name)}: {layer.kind}" if name is not None else layer.kind
        args: list[str | _Names] = [*inputs, *_args(layer)]
        if not args:
            return (head,)
        pieces: list[str | _Names] = [head + "("]
        for k, arg in enumerate(args):
            if k:
                pieces.append(", ")
            pieces.append(arg)
        pieces.append(")")
        return tuple(pieces)

    def render(self, elems: tuple[_Elem, ...] | list[_Elem]) -> tuple[_Piece, ...]:
        out: list[_Piece] = []
        for elem in elems:
            if isinstance(elem, _Ref):
                out.append(("@", self.resolve(elem.target)))
            elif isinstance(elem, _Stmt):
                inputs = [self.resolve(ref.target) for ref in elem.refs]
                out.append(self.statement(elem.layer, inputs))
            elif isinstance(elem, _Call):
                out.append(self.render_call(elem))
            else:
                out.append(self.render_block(elem))
        return tuple(out)

    def render_call(self, elem: _Call) -> _Atom:
        block = elem.node.block
        assert block.definition is not None
        definition = self.definitions[block.definition]
        head = block.definition
        if block.name is not None:
            local = self.local(elem.last)
            if local is None:
                raise _Inexpressible
            self.register(elem.last, local)
            head = f"{_name(local)}: {head}"
        args = _call_args(definition, block.args)
        return (f"{head}({', '.join(args)})",)

    def render_block(self, elem: _Blk) -> _Draft:
        node = elem.node
        block = node.block
        kind = block.kind
        prefix = ""
        local = _block_local(block) if block.name is not None else None
        if local is not None:
            prefix = _name(local) + ": "
        if kind is BlockKind.REPEAT:
            common: tuple[_Piece, ...] | None = None
            for body in elem.bodies:
                self.scopes.append({})
                text = self.render(body)
                self.scopes.pop()
                common = text if common is None else _unify_all(common, text)
                if common is None:
                    raise _Inexpressible  # the iterations differ
            assert common is not None  # a repeat has at least one iteration
            if block.name is not None and local is not None:
                if block.name in self.full and self.strict:
                    raise _Inexpressible
                self.full[block.name] = self.repeat_end[id(node)]
                self.scopes[-1][local] = self.repeat_end[id(node)]
            return _Draft(f"{prefix}repeat({len(elem.bodies)})", (common,), None)
        if local is not None:
            self.scopes.append({})  # names inside a named block are its own
        bodies = [self.render(body) for body in elem.bodies]
        if local is not None:
            self.scopes.pop()
        merge = self.layer(node.own[0])
        self.statement(node.own[0], [])
        if kind is BlockKind.RESIDUAL:
            act = f"({self.layer(node.own[1]).kind})" if len(node.own) == 2 else ""
            shortcut = bodies[1] if len(bodies) > 1 else None
            return _Draft(f"{prefix}residual{act}", (bodies[0],), shortcut)
        return _Draft(f"{prefix}parallel({merge.kind})", tuple(bodies), None)


def _context(path: tuple[Block, ...]) -> tuple[str, str]:
    """The prefix and suffix that the reader (`_Expander`) puts around a name written inside
    the blocks `path`, outermost first: a named block or call absorbs what is around it and
    prefixes its name (`s.`; a named repeat with the iteration from 0, `layer1.0.`); an
    unnamed repeat appends its iteration from 1 (`.2`). An imported model's modules are no
    statements and add nothing."""
    prefix, suffix = "", ""
    for block in path:
        if block.kind is BlockKind.MODULE:
            continue
        if block.name is not None:
            prefix, suffix = block.name + ".", ""
            if block.kind is BlockKind.REPEAT and block.index is not None:
                prefix += f"{block.index - 1}."
        elif block.kind is BlockKind.REPEAT and block.index is not None:
            suffix += f".{block.index}"
    return prefix, suffix


def _block_local(block: Block) -> str:
    """A named block's name as written in its place; `_Inexpressible` when the name does not
    carry what the reader would put around it."""
    assert block.name is not None
    prefix, suffix = _context(block.path()[:-1])
    name = block.name
    if not name.startswith(prefix) or not name.endswith(suffix):
        raise _Inexpressible
    local = name[len(prefix) : len(name) - len(suffix)]
    if not local:
        raise _Inexpressible
    return local


def _indices(node: _Node) -> list[int]:
    """Every layer of a block node, nested blocks included."""
    out = list(node.own)
    for part in node.parts:
        for item in part:
            out.extend([item] if isinstance(item, int) else _indices(item))
    return out


def _call_value(value: ArgValue) -> str:
    if isinstance(value, str):
        return value if _IDENT.match(value) and value.lower() not in _RESERVED else quote(value)
    return format_value(value)


def _call_args(definition: Definition, args: tuple[tuple[str, ArgValue], ...]) -> list[str]:
    """Required parameters positionally, the others by name where they differ from their
    defaults."""
    defaults = dict(definition.params)
    out = []
    for name, value in args:
        default = defaults.get(name)
        if default is None:
            out.append(_call_value(value))
        elif value != default or type(value) is not type(default):
            out.append(f"{name}={_call_value(value)}")
    return out


# -- lines ---------------------------------------------------------------------------------------


def _inline(item: _Out) -> str:
    if isinstance(item, str):
        return item
    segments = ["{"]
    for k, body in enumerate(item.bodies):
        if k:
            segments.append("|")
        if body:
            segments.append(" -> ".join(map(_inline, body)))
    segments.append("}")
    text = f"{item.head} {' '.join(segments)}"
    if item.shortcut is not None:
        text += " shortcut { " + " -> ".join(map(_inline, item.shortcut)) + " }"
    return text


def _lines(items: tuple[_Out, ...], depth: int, out: list[str]) -> None:
    """Chains joined by `->` while they fit in `WIDTH`; a block too wide for the rest of the
    line starts a new one, and one too wide for a line of its own gets a line per body."""
    indent = _INDENT * depth
    line = ""
    for item in items:
        text = _inline(item)
        joined = f"{line} -> {text}" if line else text
        if len(indent) + len(joined) <= WIDTH:
            line = joined
            continue
        if line:
            out.append(indent + line)
        if isinstance(item, str) or len(indent) + len(text) <= WIDTH:
            line = text
            continue
        line = ""
        _block_lines(item, depth, out)
    if line:
        out.append(indent + line)


def _block_lines(item: _Text, depth: int, out: list[str]) -> None:
    """A block on lines of its own. A body that is a single block opens on the same line
    (`repeat(2) { residual(relu) {` ... `} }`), as the samples write it."""
    indent = _INDENT * depth
    heads = [item.head]
    while len(item.bodies) == 1 and item.shortcut is None and len(item.bodies[0]) == 1:
        inner = item.bodies[0][0]
        if isinstance(inner, str) or len(indent + _INDENT + _inline(inner)) <= WIDTH:
            break
        item = inner
        heads.append(item.head)
    out.append(indent + " { ".join(heads) + " {")
    for k, body in enumerate(item.bodies):
        start = len(out)
        _lines(body, depth + 1, out)
        if k:
            # a parallel branch after the first opens with `|`, in the indentation's place
            if len(out) == start:
                out.append(indent + "|")
            else:
                out[start] = indent + "| " + out[start][len(indent) + len(_INDENT) :]
    close = " }" * (len(heads) - 1)
    if item.shortcut is None:
        out.append(indent + "}" + close)
        return
    short = f"{indent}}} shortcut {{ {' -> '.join(map(_inline, item.shortcut))} }}{close}"
    if len(short) <= WIDTH:
        out.append(short)
        return
    out.append(f"{indent}}} shortcut {{")
    _lines(item.shortcut, depth + 1, out)
    out.append(indent + "}" + close)
