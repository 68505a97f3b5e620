"""Importer helper: the block tree from the module paths a model's layers came from.

A torch module's layers carry their module path (`layer1.0.conv1` sits in `layer1` and
`layer1.0`), and so do the nodes of torch's ONNX exports (`/layer1/layer1.0/conv1/Conv`).
Every module holding two layers or more becomes a block, so figures and `fmt` show the
structure. A module whose layers are what the spec's `residual` makes (a body and a
shortcut from one input, summed by an `add`, perhaps one activation after it) is a
residual block named after the module, which `fmt` writes back as `residual {...}` (a
layer in it without a path of its own, a functional `relu`, takes the module's, since the
block's name prefixes the names inside it); any other module is a `module` block, a named
group that `fmt` writes as its layers.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnndiagram.catalog import ACTIVATIONS, KINDS
from cnndiagram.ir import Block, BlockKind, Layer


class _Group:
    """One module's layers (indices into the layer list, one run) and what they form."""

    def __init__(self, path: str, members: list[int]) -> None:
        self.path = path
        self.members = members
        self.parts: dict[int, int | None] = {}  # residual: each member's part
        self.merge: int | None = None
        self.after: int | None = None  # a residual's activation: drawn after the block
        self.block: Block | None = None

    @property
    def residual(self) -> bool:
        return self.merge is not None


def nest(layers: Sequence[Layer], containers: Sequence[Sequence[str]]) -> tuple[Layer, ...]:
    """`layers` with their blocks; `containers[i]` lists the modules holding layer i,
    outermost first (a module's own layer is not its container)."""
    groups: dict[str, _Group] = {}
    for index, paths in enumerate(containers):
        for path in paths:
            groups.setdefault(path, _Group(path, [])).members.append(index)
    kept = [
        group
        for group in groups.values()
        if len(group.members) > 1 and group.members[-1] - group.members[0] == len(group.members) - 1
    ]
    kept.sort(key=lambda group: (group.members[0], -len(group.members)))
    names = {layer.name: i for i, layer in enumerate(layers)}
    out = list(layers)
    for group in kept:
        _residual(group, out, names)
    innermost: list[_Group | None] = [None] * len(layers)
    counters = {BlockKind.RESIDUAL: 0, BlockKind.MODULE: 0}
    for group in kept:
        parent = innermost[group.members[0]]
        part = _part_in(parent, group) if parent is not None else 0
        if part is _SPLIT:
            continue  # the module straddles its residual parent's body and shortcut
        kind = BlockKind.RESIDUAL if group.residual else BlockKind.MODULE
        counters[kind] += 1
        # A residual's name is its merge layer's, so it must not be another layer's.
        name = group.path if kind is BlockKind.MODULE or group.path not in names else None
        group.block = Block(
            kind,
            name,
            f"{kind.value}{counters[kind]}",
            parent.block if parent is not None else None,
            part if isinstance(part, int) else 0,
        )
        for index in group.members:
            innermost[index] = group
    renamed: dict[str, str] = {}
    for group in kept:
        if group.block is not None and group.residual and group.block.name is not None:
            assert group.merge is not None
            renamed[out[group.merge].name] = group.block.name
    # A named block prefixes the names written inside it (`s.conv1`), so a layer of a
    # residual module that has no path of its own (a functional `F.relu` called in its
    # forward, named `relu` by the trace) takes the module's path, innermost module first.
    for group in sorted(kept, key=lambda group: len(group.members)):
        block = group.block
        if block is None or not group.residual or block.name is None:
            continue
        for index in group.members:
            name = renamed.get(out[index].name, out[index].name)
            longer = f"{block.name}.{name}"
            if index in (group.merge, group.after) or name.startswith(block.name + "."):
                continue
            if longer not in names and longer not in renamed.values():
                renamed[out[index].name] = longer
    result = []
    for index, layer in enumerate(out):
        holder = innermost[index]
        block = holder.block if holder is not None else None
        within: int | None = None
        if holder is not None:
            within = holder.parts.get(index, 0) if holder.residual else 0
        if holder is not None and index == holder.after and block is not None:
            # The activation after a residual's add stands after the block, in the block
            # around it: the spec's residual(act) would not keep its name.
            within = block.part if block.parent is not None else None
            block = block.parent
        result.append(
            Layer(
                renamed.get(layer.name, layer.name),
                layer.kind,
                layer.args,
                layer.span,
                tuple(renamed.get(name, name) for name in layer.inputs),
                block,
                within,
            )
        )
    return tuple(result)


_SPLIT = object()


def _part_in(parent: _Group, child: _Group) -> object:
    """Which body of its parent holds the child module: 0 in a module; in a residual, the
    part all its layers share (`_SPLIT` when they do not)."""
    if not parent.residual:
        return 0
    parts = {parent.parts.get(index) for index in child.members}
    if len(parts) != 1 or None in parts:
        return _SPLIT
    return parts.pop()


def _residual(group: _Group, layers: list[Layer], names: dict[str, int]) -> None:
    """Marks the group as a residual when its layers are one: reads from a single outside
    layer, an `add` of two chains from it, and at most one activation after the add. The
    add's inputs are put body first (the add is commutative; the counts do not change)."""
    members = set(group.members)
    outside = {
        name
        for index in group.members
        for name in layers[index].inputs
        if names.get(name) not in members
    }
    if len(outside) != 1:
        return
    last = group.members[-1]
    merge = last
    if layers[last].kind in ACTIVATIONS and layers[last].kind != "linear":
        act = layers[last]
        defaults = tuple((arg.name, arg.default) for arg in KINDS[act.kind].args)
        if act.args != defaults or len(group.members) < 3:
            return
        merge = last - 1
        if act.inputs != (layers[merge].name,):
            return
    add = layers[merge]
    if add.kind != "add" or len(add.inputs) != 2:
        return
    sides = [_ancestors(name, layers, names, members) for name in add.inputs]
    rest = members - {merge, last}
    if sides[0] & sides[1] or sides[0] | sides[1] != rest:
        return
    if not sides[0]:
        if not sides[1]:
            return
        sides.reverse()
        layers[merge] = Layer(
            add.name, add.kind, add.args, add.span, add.inputs[::-1], add.block, add.part
        )
    group.merge = merge
    for part, side in enumerate(sides):
        for index in side:
            group.parts[index] = part
    group.parts[merge] = None
    if last != merge:
        group.after = last


def _ancestors(
    name: str, layers: list[Layer], names: dict[str, int], members: set[int]
) -> set[int]:
    """The group's layers that `name` is computed from, itself included."""
    found: set[int] = set()
    stack = [name]
    while stack:
        index = names.get(stack.pop())
        if index is None or index not in members or index in found:
            continue
        found.add(index)
        stack.extend(layers[index].inputs)
    return found
