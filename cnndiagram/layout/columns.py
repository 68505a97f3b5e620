"""Layout stage: what each column of a figure says, before anything is placed.

One column per drawn tensor. With folding on, shape-preserving layers without a tensor
worth drawing (activations, dropout, normalisation) join the column of the layer they
follow: named in its label, their parameters listed under its own.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.catalog import ACTIVATION_LABELS, KINDS, Category
from cnndiagram.engine.analysis import Analysis, LayerResult
from cnndiagram.engine.formulas import Bin, Formula, evaluate, group_digits
from cnndiagram.ir import Block
from cnndiagram.layout.text import TYPEFACES, Typeface, clean
from cnndiagram.notation import describe, format_shape, size_lines
from cnndiagram.options import Detail, FigureOptions
from cnndiagram.units import Unit, generated_name, unit_params, units


class Column(NamedTuple):
    """One drawn tensor: its layer (and the layers folded into it), its text rows, and the
    columns it reads (`sources`, by index)."""

    id: str
    result: LayerResult
    category: Category
    letter: str
    rows: dict[str, list[str]]
    members: tuple[str, ...]
    params: int
    sources: tuple[int, ...] = ()
    #: The layers read by the column's layers, its own included (sources are found from them).
    reads: tuple[str, ...] = ()
    #: Text rows wrap at this fraction of the usual width (units of many layers are narrower,
    #: so that a stage-level figure stays one row where it can).
    wrap: float = 1.0


def _label(result: LayerResult) -> str:
    if result.layer is None:
        return "input"
    return describe(result.layer, len(result.input_shape or ()) - 1, unicode=True)


def _fold_label(result: LayerResult) -> str:
    return KINDS[result.kind].label.short or _label(result)


def _param_lines(analysis: Analysis, result: LayerResult, prefix: str = "") -> list[str]:
    """The layer's parameter formula. A normalisation's running statistics are not learned
    and not in the figure's total: its formula is of the learned part, the statistics said
    apart (`2·64 = 128 (+ 128 not learned)`), so the figure's counts add up to its total."""
    formula = analysis.formulas(result).params
    if formula is None:
        return [f"{prefix}{group_digits(result.params, 'unicode')}"] if result.params else []
    expr = formula.expr
    if (
        result.running
        and isinstance(expr, Bin)
        and expr.op == "+"
        and evaluate(expr.right) == result.running
    ):
        learned = Formula(expr.left, result.learnable).text("unicode", group=True)
        running = group_digits(result.running, "unicode")
        return [f"{prefix}{learned} (+ {running} not learned)"]
    return [prefix + formula.text("unicode", group=True)]


def build_columns(analysis: Analysis, options: FigureOptions) -> list[Column]:
    """Columns at `options.detail`: one per layer (folded, collapsed as `options` say) at
    `layers` (and at `auto`, which `layout.detail` resolves before drawing), else one per unit
    of `cnndiagram.units` (a unit of one layer drawn as that layer, folding as at `layers`)."""
    detail = options.detail
    if detail in (Detail.LAYERS, Detail.AUTO):
        return _layer_columns(analysis, options)
    face = TYPEFACES[options.font]
    made = units(analysis, detail)
    singles = {unit.layers[0].name for unit in made if unit.single}
    columns = _layer_columns(analysis, options, keep=singles)
    column_of = {member: i for i, column in enumerate(columns) for member in column.members}
    out: list[Column] = []
    index: dict[int, int] = {}  # a column of `columns` -> its place in `out`
    for unit in made:
        if unit.single:
            old = column_of.get(unit.layers[0].name)
            if old is not None and old not in index:
                index[old] = len(out)
                out.append(columns[old])
            continue
        out.append(_unit_column(analysis, unit, options, face, len(out)))
    owner: dict[str, int] = {}
    for place, column in enumerate(out):
        for member in column.members:
            owner[member] = place
    return [
        column._replace(sources=tuple(dict.fromkeys(owner[name] for name in _reads(column))))
        for column in out
    ]


#: See `Column.wrap`.
UNIT_WRAP = 0.72


def _reads(column: Column) -> tuple[str, ...]:
    """The layers outside the column that it reads."""
    inside = set(column.members)
    return tuple(name for name in column.reads if name not in inside)


def _unit_column(
    analysis: Analysis, unit: Unit, options: FigureOptions, face: Typeface, place: int
) -> Column:
    """One column for a unit of several layers: its name, what it does, its output size and
    its parameters as the honest sum of its layers (per repetition when repeated)."""
    first, last = unit.layers[0], unit.output
    main = unit.representative
    kind = KINDS[main.kind]
    badge = f" \u00d7{unit.repeats}" if unit.repeats > 1 else ""
    rows: dict[str, list[str]] = {
        "name": [clean(unit.name, face) + badge],
        "label": [clean(unit.description, face)],
    }
    if "size" in options.annotate:
        rows["size"] = [
            format_shape(last.output_shape, analysis.network.channels_last, unicode=True)
        ]
    if "params" in options.annotate:
        rows["params"] = [unit_params(unit)]
    if "macs" in options.annotate:
        macs = sum(result.macs for result in unit.layers)
        rows["macs"] = [f"MACs {group_digits(macs, 'unicode')}"] if macs else []
    result = LayerResult(
        last.number,
        unit.name,
        main.kind,
        None,
        first.input_shape,
        last.output_shape,
        unit.trainable,
        unit.non_trainable,
        sum(result.macs for result in unit.layers),
        last.receptive_field,
        unit.inputs,
        (),
        unit.running,
    )
    return Column(
        f"unit-{place}",
        result,
        kind.category,
        kind.letter,
        rows,
        tuple(result.name for result in unit.layers),
        unit.params,
        (),
        unit.inputs,
        UNIT_WRAP,
    )


def _layer_columns(
    analysis: Analysis, options: FigureOptions, keep: set[str] | None = None
) -> list[Column]:
    """Columns in the network's order (only of the layers in `keep`, when given). With
    `fold`, a foldable layer joins the column before it when it reads only that column's
    output and nothing else reads that output; with
    `collapse`, iterations after the first of a `repeat` are left out and the first carries
    a badge with the stage's total."""
    channels_last = analysis.network.channels_last
    face = TYPEFACES[options.font]
    readers: dict[str, int] = {}
    for result in analysis.layers:
        for name in result.inputs:
            readers[name] = readers.get(name, 0) + 1
    column_of: dict[str, int] = {}
    columns: list[Column] = []
    # Per repeat (its id, shared by its iterations): its first column and its first iteration.
    badges: dict[str, tuple[int, Block]] = {}
    for result in analysis.layers:
        if keep is not None and result.layer is not None and result.name not in keep:
            continue
        layer = result.layer
        repeat = layer.repeat() if options.collapse and layer is not None else None
        if repeat is not None and repeat.index != 1:
            column_of[result.name] = column_of.get(result.inputs[0], len(columns) - 1)
            continue
        kind = KINDS[result.kind]
        last = columns[-1] if columns else None
        if (
            options.fold
            and last is not None
            and kind.folds
            and len(result.inputs) == 1
            and result.inputs[0] == last.members[-1]
            and readers.get(result.inputs[0], 0) == 1
            and generated_name(result)  # a layer the user named stays in sight
            and (KINDS[last.result.kind].junction is None or result.kind in ACTIVATION_LABELS)
        ):
            columns[-1] = _fold(analysis, last, result, face)
            column_of[result.name] = len(columns) - 1
            continue
        label = clean(_label(result), face)
        name = clean(result.name, face)
        rows: dict[str, list[str]] = {"name": [name], "label": [label] if label != name else []}
        merge = kind.junction is not None
        if "size" in options.annotate:
            rows["size"] = [format_shape(result.output_shape, channels_last, unicode=True)]
        if "formulas" in options.annotate:
            rows["formulas"] = size_lines(analysis.formulas(result).output, "unicode")
        if "params" in options.annotate and not merge:
            rows["params"] = _param_lines(analysis, result) or ["0"]
        if "macs" in options.annotate:
            rows["macs"] = [f"MACs {group_digits(result.macs, 'unicode')}"] if result.macs else []
        if "rf" in options.annotate:
            rf = result.receptive_field
            rows["rf"] = [f"RF {format_shape(rf.size, unicode=True)}"] if rf and rf.size else []
        if repeat is not None and repeat.id not in badges:
            badges[repeat.id] = (len(columns), repeat)
        sources = tuple(
            dict.fromkeys(column_of[name] for name in result.inputs if name in column_of)
        )
        column_of[result.name] = len(columns)
        columns.append(
            Column(
                f"layer-{result.number}",
                result,
                kind.category,
                kind.letter,
                rows,
                (result.name,),
                result.params,
                sources,
                result.inputs,
            )
        )
    stage_params, first_layers = _iterations(analysis) if badges else ({}, {})
    for stage, (index, repeat) in badges.items():
        rows = dict(columns[index].rows)
        label = clean(_repeat_label(repeat, first_layers[stage]), face)
        assert repeat.count is not None  # every repeat iteration knows how many there are
        rows["repeat"] = [
            f"\u00d7{repeat.count} repeats of {label}",
            *_badge_sum(stage_params[stage]),
        ]
        columns[index] = columns[index]._replace(rows=rows)
    return columns


def _iterations(
    analysis: Analysis,
) -> tuple[dict[str, dict[int, int]], dict[str, list[LayerResult]]]:
    """Per repeat (by id): the learnable parameters of each iteration, and the layers of
    its first iteration."""
    counts: dict[str, dict[int, int]] = {}
    first: dict[str, list[LayerResult]] = {}
    for result in analysis.layers:
        repeat = result.layer.repeat() if result.layer is not None else None
        if repeat is None:
            continue
        assert repeat.index is not None  # every repeat iteration knows its number
        per = counts.setdefault(repeat.id, {})
        per[repeat.index] = per.get(repeat.index, 0) + result.learnable
        if repeat.index == 1:
            first.setdefault(repeat.id, []).append(result)
    return counts, first


#: A badge lists at most this many different counts; past it, only the stage's total.
MAX_BADGE_TERMS = 4


def _badge_sum(counts: dict[int, int]) -> list[str]:
    """The stage's learnable parameters as the sum of its iterations' counts: `3·18 = 54`
    only when every iteration has the same count, else each different count with how often
    it occurs (`1 792 + 36 928 = 38 720`), so the sum is true as written."""
    total = sum(counts.values())
    if not total:
        return ["no parameters"]
    ordered: dict[int, int] = {}
    for index in sorted(counts):
        ordered[counts[index]] = ordered.get(counts[index], 0) + 1
    shown = group_digits(total, "unicode")
    if len(ordered) > MAX_BADGE_TERMS:
        return [f"{shown} parameters in all ({len(ordered)} different counts)"]
    terms = [
        group_digits(count, "unicode")
        if times == 1
        else f"{times}\u00b7{group_digits(count, 'unicode')}"
        for count, times in ordered.items()
    ]
    if len(terms) == 1 and list(ordered.values()) == [1]:
        return [f"{shown} parameters"]
    if len(terms) <= 2:
        return [f"{' + '.join(terms)} = {shown} parameters"]
    return [f"{' + '.join(terms[:2])} +", f"{' + '.join(terms[2:])} = {shown} parameters"]


def _repeat_label(repeat: Block, first: list[LayerResult]) -> str:
    """The user's name of the repeat, else what one iteration is: its one block (`residual
    block`), its one kind of layer (`conv 1×1, 4`), or how many layers it has. The
    generated id (`repeat1`) means nothing to a reader and is never shown."""
    if repeat.name is not None:
        return repeat.name
    inner = {
        block.path()[len(repeat.path())]
        for result in first
        if result.layer is not None
        and (block := result.layer.block) is not None
        and block != repeat
    }
    if len(inner) == 1 and all(
        result.layer is not None and result.layer.block != repeat for result in first
    ):
        block = next(iter(inner))
        return block.name or f"a {block.kind.value} block"
    labels = {_label(result) for result in first if not KINDS[result.kind].folds}
    if len(labels) == 1:
        return next(iter(labels))
    return f"{len(first)} layers"


def _fold(analysis: Analysis, last: Column, result: LayerResult, face: Typeface) -> Column:
    merged = {key: list(lines) for key, lines in last.rows.items()}
    addition = clean(_fold_label(result), face)
    if merged["label"]:
        merged["label"][-1] += ", " + addition
    else:
        merged["label"] = [addition]
    if "params" in merged:
        short = KINDS[result.kind].label.short or result.kind
        extra = _param_lines(analysis, result, short + ": ")
        if extra:
            if merged["params"] == ["0"]:
                merged["params"] = []
            merged["params"] += extra
    return last._replace(
        rows=merged,
        members=(*last.members, result.name),
        params=last.params + result.params,
        reads=(*last.reads, *result.inputs),
    )
