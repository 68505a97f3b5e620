"""Layout stage: what each column of a figure says, before anything is placed.

One column per drawn tensor. With folding on, shape-preserving layers without a tensor
worth drawing (activations, dropout, normalisation) join the column of the layer they
follow: named in its label, their parameters listed under its own.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.catalog import ACTIVATION_LABELS, KINDS, Category
from cnndiagram.engine.analysis import Analysis, LayerResult
from cnndiagram.engine.formulas import group_digits
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
    formula = analysis.formulas(result).params
    if formula is None:
        return [f"{prefix}{group_digits(result.params, 'unicode')}"] if result.params else []
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
    stage_params: dict[str, int] = {}
    # Per repeat (its id, shared by its iterations): its first column and its first iteration.
    badges: dict[str, tuple[int, Block]] = {}
    for result in analysis.layers:
        if keep is not None and result.layer is not None and result.name not in keep:
            continue
        layer = result.layer
        repeat = layer.repeat() if options.collapse and layer is not None else None
        if repeat is not None:
            stage_params[repeat.id] = stage_params.get(repeat.id, 0) + result.params
            if repeat.index != 1:
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
    for stage, (index, repeat) in badges.items():
        total, count = stage_params[stage], repeat.count
        assert count is not None  # every repeat iteration knows how many there are
        rows = dict(columns[index].rows)
        rows["repeat"] = [
            f"\u00d7{count} repeats of {repeat.label}",
            f"{count}\u00b7{group_digits(total // count, 'unicode')} = "
            f"{group_digits(total, 'unicode')} parameters",
        ]
        columns[index] = columns[index]._replace(rows=rows)
    return columns


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
