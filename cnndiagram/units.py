"""Units stage (above the engine, below layout and reports): a network seen at a level of detail.

Papers draw a large network as a handful of units with the numbers that matter on each:
ResNet-50 as a stem, four stages of ×3/×4/×6/×3 bottlenecks and a head. `units` groups an
analysis into such units, the same way for figures and for tables:

- `layers`: every layer is a unit of its own.
- `blocks`: every block of the spec (a `residual`, a `parallel`, one iteration of a
  `repeat` whose body is plain layers) is one unit; layers outside blocks stay units.
- `stages`: every top-level block is a unit, a `repeat` drawn once for all its
  iterations; a named block starts a stage and the unnamed blocks after it at the same
  spatial size join it. Layers outside blocks form stages from the network itself, as
  papers' `conv2_x`, `conv3_x` do: a layer that changes the spatial size (or the rank)
  starts a new stage, except a pooling layer, which ends the stage it closes.

Counts are the honest sums of the unit's layers; `instances` keeps one learnable count per
repetition, so a badge can say `2·19 360` only when both repetitions have 19,360. A unit's
description and its parameter sum are written as figures write them (`×`, `→`, `·`, thin
spaces) or in the plain-text tables' ASCII (`x`, `->`, `@`, commas), from the same units.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Hashable, Iterable
from typing import NamedTuple

from cnndiagram.catalog import KINDS, Category
from cnndiagram.engine.analysis import Analysis, LayerResult
from cnndiagram.engine.formulas import Formula, Notation, add, div, formula, mul
from cnndiagram.ir import Block, BlockKind
from cnndiagram.notation import describe, format_count
from cnndiagram.options import Detail


class Marks(NamedTuple):
    """The signs a description is written with: `times` between a window's axes and before a
    count of equal parts (`×2`), `then` between consecutive parts, `width` before a block's
    output width (`residual 3×3, 3×3 · 64`), `more` for the parts left out."""

    unicode: bool  # digits grouped with thin spaces, and `describe`'s typeset labels
    times: str
    then: str
    width: str
    more: str


#: As the figures write descriptions.
UNICODE = Marks(True, "\u00d7", " \u2192 ", " \u00b7 ", "\u2026")
#: As the plain-text tables write them, in ASCII like every other cell there: `@` reads as
#: "at width", as in `conv 32@5x5` (a `*` would read as a product).
ASCII = Marks(False, "x", " -> ", " @ ", "...")

#: Categories that name a unit: the first layer of one of these gives its colour and letter.
_MAIN = (Category.CONVOLUTION, Category.DENSE, Category.POOLING)


class Unit(NamedTuple):
    """Consecutive layers drawn and counted as one.

    `layers` are all of its layers in network order (every repetition); `repeats` how many
    repetitions it stands for and `instances` the learnable parameters of each, in order.
    `output` is the layer whose tensor leaves the unit; `inputs` the names of the layers
    outside the unit that it reads, in order.
    """

    name: str
    description: str
    layers: tuple[LayerResult, ...]
    output: LayerResult
    inputs: tuple[str, ...]
    repeats: int
    instances: tuple[int, ...]
    block: Block | None

    @property
    def trainable(self) -> int:
        return sum(result.trainable for result in self.layers)

    @property
    def non_trainable(self) -> int:
        return sum(result.non_trainable for result in self.layers)

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def learnable(self) -> int:
        """PyTorch's `parameters()` of the unit's layers: trained and frozen."""
        return sum(result.learnable for result in self.layers)

    @property
    def frozen(self) -> int:
        return sum(result.frozen for result in self.layers)

    @property
    def running(self) -> int:
        """Running statistics of the unit's layers: stored, not learned."""
        return sum(result.running for result in self.layers)

    @property
    def single(self) -> bool:
        """A unit of one layer: drawn and listed as that layer."""
        return len(self.layers) == 1

    @property
    def representative(self) -> LayerResult:
        """The layer whose kind gives the unit its colour and letter."""
        for category in _MAIN:
            for result in self.layers:
                if KINDS[result.kind].category is category:
                    return result
        return self.layers[0]


#: The units of the last few analyses, by identity: fitting a figure to a page lays it out
#: a dozen times at a level, each needing the same units (the analysis is immutable; it is
#: held here, so its id is not reused while it is remembered).
_REMEMBERED: dict[tuple[int, Detail], tuple[Analysis, tuple[Unit, ...]]] = {}
_REMEMBER = 8


def units(analysis: Analysis, detail: Detail) -> list[Unit]:
    """The analysis at `detail` (`layers`, `blocks` or `stages`; not `auto`, which the
    layout resolves by trying these). The input is always the first unit."""
    if detail == Detail.AUTO:
        raise ValueError("units() takes a concrete level; the layout resolves 'auto'")
    key = (id(analysis), detail)
    known = _REMEMBERED.get(key)
    if known is not None and known[0] is analysis:
        return list(known[1])
    made = _units(analysis, detail)
    if len(_REMEMBERED) >= _REMEMBER:
        del _REMEMBERED[next(iter(_REMEMBERED))]
    _REMEMBERED[key] = (analysis, tuple(made))
    return made


def _units(analysis: Analysis, detail: Detail) -> list[Unit]:
    head, *rest = analysis.layers
    groups: list[list[LayerResult]]
    if detail == Detail.LAYERS:
        groups = [[result] for result in rest]
    elif detail == Detail.BLOCKS:
        holders = _holders(rest)
        groups = _group(rest, lambda result: _block_key(result, None, holders))
    else:
        groups = _stages(_group(rest, _stage_key))
    namer = _Namer()
    made = [_unit(group, namer) for group in [[head], *groups]]
    return _stem_and_head(made) if detail == Detail.STAGES else made


def _stem_and_head(made: list[Unit]) -> list[Unit]:
    """What papers call the stem (the plain stage before the first stage of blocks) and the
    head (the last stage, when it is plain and ends in a feature vector), unless the user
    named them."""
    out = list(made)

    taken = {unit.name for unit in made}  # a user's `head:` keeps its name, alone

    def rename(index: int, name: str) -> None:
        unit = made[index]
        generated = re.fullmatch(r"stage \d+", unit.name) is not None
        free = name not in taken
        if 0 < index < len(made) and unit.block is None and not unit.single and generated and free:
            out[index] = unit._replace(name=name)

    blocked = [i for i, unit in enumerate(made) if unit.block is not None]
    if blocked:
        rename(blocked[0] - 1, "stem")
    if len(made[-1].output.output_shape) == 1:
        rename(len(made) - 1, "head")
    return _renumber(out)


def _renumber(made: list[Unit]) -> list[Unit]:
    """Generated stage names numbered again in drawing order, without the gaps the stem and
    head leave."""
    number = 0
    out = []
    for unit in made:
        if re.fullmatch(r"stage \d+", unit.name):
            number += 1
            out.append(unit._replace(name=f"stage {number}"))
        else:
            out.append(unit)
    return out


def sources(made: list[Unit]) -> list[tuple[int, ...]]:
    """Per unit, the indices of the units it reads, in order."""
    owner = {result.name: index for index, unit in enumerate(made) for result in unit.layers}
    return [tuple(dict.fromkeys(owner[name] for name in unit.inputs)) for unit in made]


# -- grouping ---------------------------------------------------------------------------------


def _group(
    results: Iterable[LayerResult], key: Callable[[LayerResult], Hashable]
) -> list[list[LayerResult]]:
    """Layers with the same key, in order of their first layer (a block's layers are
    consecutive, so this keeps the network's order)."""
    groups: dict[Hashable, list[LayerResult]] = {}
    for result in results:
        groups.setdefault(key(result), []).append(result)
    return list(groups.values())


def _path(result: LayerResult) -> tuple[Block, ...]:
    block = result.layer.block if result.layer is not None else None
    return () if block is None else block.path()


def _block_key(
    result: LayerResult, within: Block | None = None, holders: frozenset[Block] = frozenset()
) -> Hashable:
    """The outermost block (below `within`) that is not a repeat (a residual in a repeat is
    one unit per iteration) nor one of `holders`, an imported model's modules that hold
    other blocks (their residuals are the units, and the layers between them units of
    their own); else the innermost repeat iteration; else the layer itself."""
    path = _path(result)
    if within is not None and within in path:
        path = path[path.index(within) + 1 :]
    for block in path:
        if block.kind is BlockKind.MODULE and block in holders:
            continue
        if block.kind is not BlockKind.REPEAT:
            return block
    repeats = [block for block in path if block.kind is BlockKind.REPEAT]
    return repeats[-1] if repeats else ("layer", result.name)


def _holders(results: Iterable[LayerResult]) -> frozenset[Block]:
    """The module blocks that hold other blocks."""
    return frozenset(
        block.parent
        for result in results
        for block in _path(result)
        if block.parent is not None and block.parent.kind is BlockKind.MODULE
    )


def _stage_key(result: LayerResult) -> Hashable:
    """The top-level block, a repeat with all its iterations; else the layer itself."""
    path = _path(result)
    if not path:
        return ("layer", result.name)
    top = path[0]
    return ("repeat", top.id) if top.kind is BlockKind.REPEAT else top


def _top(group: list[LayerResult]) -> Block | None:
    path = _path(group[0])
    return path[0] if path else None


def _spatial(shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape[1:] if len(shape) > 1 else ()


def _stages(items: list[list[LayerResult]]) -> list[list[LayerResult]]:
    """Top-level items (blocks and single layers) into stages; see the module docstring."""
    stages: list[list[LayerResult]] = []
    kind: str | None = None  # of the open stage: "block" or "plain"; None: closed
    exits = _exits(items)
    for index, item in enumerate(items):
        if index - 1 in exits:
            kind = None  # a later stage reads the open stage's last tensor: it ends there
        top = _top(item)
        if top is not None and _layer_like(top, item):
            top = None  # a call of a few plain layers (`bconv`) builds stages as they do
        first = item[0]
        changes = first.input_shape is None or _spatial(first.input_shape) != _spatial(
            item[-1].output_shape
        )
        if top is not None:
            # A named block starts a stage; unnamed blocks and repeats at the same size join
            # it, as do further calls of the same definition (GoogLeNet's inception 4a-4e).
            joins = top.name is None or _same_calls(stages[-1] if stages else [], top)
            if kind == "block" and not changes and joins:
                stages[-1] += item
            else:
                stages.append(list(item))
            kind = "block"
        else:
            pooling = KINDS[first.kind].category is Category.POOLING
            vector = len(item[-1].output_shape) == 1
            if kind == "plain" and (pooling or vector or not changes):
                stages[-1] += item
                # A pooling layer ends the stage of convolutions it closes, unless it pools
                # everything (a global pooling), which leads into the classifier after it.
                pooled = all(d == 1 for d in _spatial(item[-1].output_shape))
                if pooling and changes and _convolves(stages[-1]) and not pooled:
                    kind = None
            else:
                stages.append(list(item))
                kind = "plain"
    return stages


def _exits(items: list[list[LayerResult]]) -> set[int]:
    """The items whose output is read beyond the next item (U-Net's encoder features, read
    again by the decoder). A stage ends at such an item: the lines of a unit leave from its
    last layer, so a stage going on past it would show the skip leaving the wrong tensor."""
    where = {result.name: index for index, item in enumerate(items) for result in item}
    exits: set[int] = set()
    for index, item in enumerate(items):
        for result in item:
            for source in result.inputs:
                origin = where.get(source)
                if origin is not None and index > origin + 1 and source == items[origin][-1].name:
                    exits.add(origin)
    return exits


def _layer_like(top: Block, item: list[LayerResult]) -> bool:
    """A call whose definition is plain layers, no blocks of its own."""
    return top.kind is BlockKind.CALL and all(len(_path(result)) == 1 for result in item)


def _same_calls(stage: list[LayerResult], top: Block) -> bool:
    """Whether `top` calls the definition that every top-level block of `stage` calls."""
    if top.kind is not BlockKind.CALL:
        return False
    tops = {_path(result)[0] if _path(result) else None for result in stage}
    return all(
        block is not None and block.kind is BlockKind.CALL and block.definition == top.definition
        for block in tops
    )


def _convolves(stage: list[LayerResult]) -> bool:
    return any(KINDS[result.kind].category is Category.CONVOLUTION for result in stage)


# -- naming and describing --------------------------------------------------------------------


class _Namer:
    """Generated names, numbered per kind without gaps in drawing order (`stage 3`)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, what: str) -> str:
        self.counts[what] = self.counts.get(what, 0) + 1
        return f"{what} {self.counts[what]}"


def _block_name(block: Block) -> str | None:
    """The user's name of the block, or of the nearest named enclosing block with the
    repeat iterations in between, as the layers inside are named: from 0 right after a named
    repeat (`layer1.0`, like `layer1.0.conv1`), from 1 for an unnamed one (`s.2`, like `r.2`)."""
    suffix = ""
    current: Block | None = block
    while current is not None:
        if current.name is not None:
            if current is not block and current.kind is BlockKind.REPEAT:
                assert current.index is not None  # every repeat iteration knows its number
                return f"{current.name}.{current.index - 1}{suffix}"
            return current.name + suffix
        if current.kind is BlockKind.REPEAT and current.index is not None:
            suffix = f".{current.index}{suffix}"
        current = current.parent
    return None


def generated_name(result: LayerResult) -> bool:
    """Whether the layer's name looks like one the spec reader made up: `conv12`, or the
    same under the name of a block or call and a repeat's iteration (`layer1.0.conv1`,
    `s.relu2`, `inception3a.conv2`)."""
    pattern = r"(?:.+\.)?" + re.escape(result.kind) + r"\d*"
    return re.fullmatch(pattern, result.name) is not None


def _stage_name(group: list[LayerResult]) -> str | None:
    """A stage of plain layers is named by its first layer when that is the only layer the
    user named (`transition1: N -> relu -> conv(128, 1) -> avgpool(2)`); a stage whose
    layers all have names of their own (VGG's conv1_1, conv1_2, pool1) gets a generated one."""
    named = [result for result in group if not generated_name(result)]
    return group[0].name if len(named) == 1 and named[0] is group[0] else None


def _rank(result: LayerResult) -> int:
    return len(result.input_shape or result.output_shape) - 1


def _terms(results: Iterable[LayerResult], marks: Marks) -> list[str]:
    """The layers' labels, foldable layers joined to the one before (`conv 3×3, 64, BN,
    ReLU`), runs of equal labels merged (`conv 3×3, 64 ×2`)."""
    labels: list[str] = []
    for result in results:
        if result.layer is None:
            continue
        kind = KINDS[result.kind]
        if kind.junction is not None:
            continue
        text = describe(result.layer, _rank(result), unicode=marks.unicode, brief=True)
        if kind.folds and labels:
            labels[-1] += ", " + (kind.label.short or text)
        else:
            labels.append((kind.label.short or text) if kind.folds else text)
    merged: list[tuple[str, int]] = []
    for label in labels:
        if merged and merged[-1][0] == label:
            merged[-1] = (label, merged[-1][1] + 1)
        else:
            merged.append((label, 1))
    return [label if n == 1 else f"{label} {marks.times}{n}" for label, n in merged]


def _per_instance(group: list[LayerResult]) -> tuple[list[LayerResult], list[int]]:
    """The first repetition's layers, and the learnable parameters of every repetition: the
    top-level blocks (each iteration of a repeat) that the group is made of, or the whole
    group when it holds layers outside blocks or is one block."""
    parts: dict[Block, list[LayerResult]] = {}
    for result in group:
        path = _path(result)
        if not path:
            return group, [sum(r.learnable for r in group)]
        parts.setdefault(path[0], []).append(result)
    pieces = list(parts.values())
    return pieces[0], [sum(r.learnable for r in piece) for piece in pieces]


def _kernels(results: Iterable[LayerResult], marks: Marks) -> list[str]:
    out = []
    for result in results:
        kind = KINDS[result.kind]
        if result.layer is None or kind.category is not Category.CONVOLUTION or not kind.window:
            continue
        size = result.layer.arg(kind.window)
        rank = _rank(result)
        axes = size if isinstance(size, tuple) else (size,) * max(rank, 1)
        out.append(marks.times.join(map(str, axes)))
    return out


def _width(channels: int, marks: Marks) -> str:
    """A width as `describe` writes a layer's: `1 024` typeset, `1024` in ASCII."""
    return format_count(channels, True) if marks.unicode else str(channels)


def _describe(
    shown: list[LayerResult], block: Block | None, channels: int, marks: Marks = UNICODE
) -> str:
    """`residual 1×1, 3×3, 1×1 · 256`, `parallel: 4 branches · 256`, `conv 3×3, 64 ×2 →
    maxpool 2×2`: what the unit does, in a line; `channels` is the unit's output width."""
    width = _width(channels, marks)
    if block is not None and block.kind is BlockKind.RESIDUAL:
        body = [
            r for r in shown if r.layer is not None and r.layer.block == block and r.layer.part == 0
        ]
        inner = [r for r in shown if r.layer is not None and r.layer.part is not None]
        kernels = _kernels(body, marks) or _kernels(inner, marks)
        projection = any(
            r.layer is not None and r.layer.block == block and r.layer.part == 1 for r in shown
        )
        head = "residual " + ", ".join(kernels) if kernels else "residual"
        return f"{head}{marks.width}{width}" + (" + projection" if projection else "")
    if block is not None and block.kind is BlockKind.PARALLEL:
        return _describe_parallel(shown, block, channels, marks)
    if block is not None and block.kind is BlockKind.CALL:
        # a block the spec defined is described by its definition's name
        return f"{block.definition}{marks.width}{width}"
    # The blocks directly inside this one (each deeper than it, so this recursion ends).
    holders = _holders(shown)
    groups = _group(shown, lambda result: _block_key(result, block, holders))

    def is_block(group: list[LayerResult]) -> bool:
        return len(group) > 1 and _enclosing(group) not in (None, block)

    inner_blocks = [g for g in groups if is_block(g)]
    if inner_blocks and len(inner_blocks) * 2 >= len(groups):
        # Each block by what it is, at its own width; the plain layers between by theirs.
        parts = [
            _describe(g, _described(g), g[-1].output_shape[0], marks)
            if is_block(g)
            else marks.then.join(_terms(g, marks))
            for g in groups
        ]
        parts = [part for part in parts if part]
        merged: list[tuple[str, int]] = []
        for part in parts:
            if merged and merged[-1][0] == part:
                merged[-1] = (part, merged[-1][1] + 1)
            else:
                merged.append((part, 1))
        text = [p if n == 1 else f"{p} {marks.times}{n}" for p, n in merged]
        if len(text) <= 3:
            return marks.then.join(text)
        return f"{len(inner_blocks)} blocks{marks.width}{width}"
    terms = _terms(shown, marks)
    if len(terms) > 3:
        terms = [*terms[:2], marks.more, terms[-1]]
    return marks.then.join(terms)


def _describe_parallel(shown: list[LayerResult], block: Block, channels: int, marks: Marks) -> str:
    """`parallel concat: identity | 1×1, 3×3 · 96`: each branch by its convolutions' windows
    (or its first layer, or `identity` when it is empty), then the merged width."""
    parts: dict[int, list[LayerResult]] = {}
    merge = ""
    for result in shown:
        layer = result.layer
        if layer is None:
            continue
        if layer.block == block and layer.part is None:
            merge = result.kind
            continue
        path = _path(result)
        inner = path[path.index(block) + 1] if block in path[:-1] else None
        part = inner.part if inner is not None else layer.part
        if part is not None:
            parts.setdefault(part, []).append(result)
    count = max(parts, default=-1) + 1
    branches = []
    for part in range(max(count, 2 if merge else 1)):
        members = parts.get(part, [])
        kernels = _kernels(members, marks)
        if not members:
            branches.append("identity")
        elif kernels:
            branches.append(", ".join(kernels))
        else:
            terms = _terms(members, marks)
            branches.append(terms[0] if terms else members[0].kind)
    head = f"parallel {merge}:" if merge else "parallel:"
    return f"{head} {' | '.join(branches)}{marks.width}{_width(channels, marks)}"


def _enclosing(group: list[LayerResult]) -> Block | None:
    """The smallest block holding every layer of the group, if one does."""
    shared = set(_path(group[0]))
    for result in group[1:]:
        shared &= set(_path(result))
    for candidate in reversed(_path(group[0])):
        if candidate in shared:
            return candidate
    return None


def _span_name(tops: list[Block]) -> str | None:
    """A stage of several named calls by its first and last names, as papers write
    `inception (4a–4e)`: `inception4a–e`, the shared beginning written once."""
    first, last = tops[0].name, tops[-1].name
    if any(block.kind is not BlockKind.CALL or block.name is None for block in tops):
        return None
    if first is None or last is None or first == last:
        return None
    shared = next(
        (i for i, (a, b) in enumerate(zip(first, last)) if a != b), min(len(first), len(last))
    )
    return f"{first}\u2013{last[shared:]}" if shared >= 3 else f"{first}\u2013{last}"


def _described(shown: list[LayerResult]) -> Block | None:
    """The block that says what the layers are: the smallest holding them all, or the
    innermost call of a defined block around it (`inception · 256`, not the `parallel`
    that is the definition's body)."""
    block = _enclosing(shown)
    if block is None:
        return None
    calls = [outer for outer in block.path() if outer.kind is BlockKind.CALL]
    return calls[-1] if calls else block


def _description(group: list[LayerResult], marks: Marks) -> str:
    """What the layers of a unit do, in a line: a single layer by its full label, several
    by `_describe` of their first repetition."""
    if len(group) == 1:
        result = group[0]
        if result.layer is None:
            return "input"
        return describe(result.layer, _rank(result), unicode=marks.unicode)
    shown, _ = _per_instance(group)
    return _describe(shown, _described(shown), group[-1].output_shape[0], marks)


def unit_description(unit: Unit, marks: Marks = UNICODE) -> str:
    """The unit's description written with `marks`: `unit.description` with `UNICODE`,
    `conv 7x7/2, 64, BN, ReLU -> maxpool 3x3/2` with `ASCII`."""
    return unit.description if marks is UNICODE else _description(list(unit.layers), marks)


def _kind_word(block: Block) -> str:
    """What an unnamed block is called: its kind (`residual 3`), or for a call the name of
    the definition it calls (`bnr 2`, not `call 2`)."""
    if block.kind is BlockKind.CALL and block.definition:
        return str(block.definition)
    return block.kind.value


def _unit(group: list[LayerResult], namer: _Namer) -> Unit:
    names = {result.name for result in group}
    inputs = tuple(
        dict.fromkeys(name for result in group for name in result.inputs if name not in names)
    )
    output = group[-1]
    description = _description(group, UNICODE)
    if len(group) == 1:
        result = group[0]
        return Unit(
            result.name, description, (result,), output, inputs, 1, (result.learnable,), None
        )
    block = _enclosing(group) or _top(group)  # a stage of several blocks: its first
    _, instances = _per_instance(group)
    stage = len(instances) > 1 or block is None or block.kind is BlockKind.REPEAT
    tops = list(dict.fromkeys(path[0] for path in map(_path, group) if path))
    spanned = _span_name(tops) if len(instances) > 1 and len(tops) > 1 else None
    name = (
        spanned
        or (_block_name(block) if block is not None else _stage_name(group))
        or namer("stage" if stage or block is None else _kind_word(block))
    )
    return Unit(
        name, description, tuple(group), output, inputs, len(instances), tuple(instances), block
    )


#: A unit's parameters are written as the sum of its layers' (or of its
#: repetitions' distinct runs) up to this many terms.
MAX_TERMS = 4


def _runs(values: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive equal values as (value, how many)."""
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and runs[-1][0] == value:
            runs[-1] = (value, runs[-1][1] + 1)
        else:
            runs.append((value, 1))
    return runs


def _run_sum(runs: list[tuple[int, int]]) -> Formula:
    """`75 008 + 2·70 400 = 215 808`: each run as its value, or how many times its value."""
    return formula(add(*(value if n == 1 else mul(n, value) for value, n in runs)))


def repetition_formula(instances: tuple[int, ...]) -> Formula:
    """The learnable parameters of n repetitions, honestly: `3·70 400 = 211 200` when all are
    equal; every distinct run when there are a few (`75 008 + 2·70 400 = 215 808`); an
    arithmetic series as one (`24·(70 400 + 166 080)/2 = 2 837 760`, DenseNet's dense layers,
    each wider by the growth rate); else the total alone (the table lists each). A formula
    (data, evaluated exactly), so that every notation writes the same arithmetic."""
    runs = _runs(instances)
    total = sum(instances)
    if len(instances) == 1:
        return Formula(add(total), total)
    if len(runs) <= MAX_TERMS:
        return _run_sum(runs)
    steps = {b - a for a, b in itertools.pairwise(instances)}
    if len(steps) == 1:
        return formula(div(mul(len(instances), add(instances[0], instances[-1])), 2))
    return Formula(add(total), total)


def repetition_sum(instances: tuple[int, ...], notation: Notation = "unicode") -> str:
    """`repetition_formula` as text, digits grouped."""
    return repetition_formula(instances).text(notation, group=True)


def unit_formula(unit: Unit) -> Formula:
    """The learnable parameters of a unit: per repetition when repeated, else the sum of its
    layers' when short, else the total alone (the `summary` table at the `layers` level
    lists every layer's). It evaluates to `unit.learnable`."""
    if unit.repeats > 1:
        return repetition_formula(unit.instances)
    terms = [result.learnable for result in unit.layers if result.learnable]
    total = sum(terms)
    runs = _runs(terms)
    if len(terms) > 1 and len(runs) <= MAX_TERMS:
        return _run_sum(runs)
    return Formula(add(total), total)


def unit_params(unit: Unit, notation: Notation = "unicode") -> str:
    """The parameters row of a unit (`unit_formula`) as text, digits grouped: as the figures
    write it, or in a table's ASCII or LaTeX."""
    return unit_formula(unit).text(notation, group=True)
