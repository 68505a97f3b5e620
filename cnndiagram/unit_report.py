"""Report stage at a level of detail: the summary with one row per unit, as papers give
ResNet-50 as a table of stages rather than of its 176 layers.

The rows are the units of `cnndiagram.units` (the ones `render --detail blocks|stages`
draws); the columns are declared once, in `UNIT_COLUMNS`, and written by the report's own
writers, so a table of units escapes, aligns and typesets as the table of layers does. A
unit's parameters are its honest sum (`unit_formula`: `75,008 + 2*70,400 = 215,808`, which
evaluates to its learnable count), beside the running statistics it stores, not learned;
the totals under the table are the table of layers' own. The plain table fits
`TEXT_WIDTH` columns: descriptions, then sums, continue on the next line when they must.

`summary_report` is the entry point for every level: `layers` is `report.report`'s table,
unchanged.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from cnndiagram.engine.analysis import Analysis
from cnndiagram.engine.formulas import Formula, Notation
from cnndiagram.errors import OptionError
from cnndiagram.notation import TIMES, format_count
from cnndiagram.options import TABLE_DETAILS, Detail, parse_option
from cnndiagram.report import (
    ALL,
    DATA,
    REPORT_FORMATS,
    TABLES,
    TEXT_WIDTH,
    Align,
    CellKind,
    Column,
    csv_table,
    dims,
    json_dump,
    json_entry,
    latex_footer,
    latex_table,
    markdown_footer,
    markdown_table,
    report,
    shown_in,
    text_footer,
    text_table,
    to_dict,
)
from cnndiagram.units import ASCII, Unit, unit_description, unit_formula, units


class UnitRow(NamedTuple):
    """One unit with its parameter formula, built once per row for all of its cells."""

    analysis: Analysis
    unit: Unit
    formula: Formula


def _name(row: UnitRow, notation: Notation) -> str:
    """The unit's name with its repetitions, as the figure's badge: `layer2 ×4`."""
    unit = row.unit
    times = TIMES["ascii" if notation == "ascii" else "unicode"]
    return unit.name + (f" {times}{unit.repeats}" if unit.repeats > 1 else "")


def _description(row: UnitRow, notation: Notation) -> str:
    """What the unit does, in the table's notation: ASCII (`conv 3x3, 64 x2 -> maxpool
    2x2`) as the layers' labels are in text, typeset for LaTeX (whose escaping turns `×`,
    `→` and `·` into math signs), digits grouped with a comma as its other numbers."""
    if notation == "ascii":
        return unit_description(row.unit, ASCII)
    text = row.unit.description
    return text.replace("\u2009", ",") if notation == "latex" else text


def _learnable_shown(row: UnitRow, notation: Notation) -> str:
    return row.formula.text(notation, group=True)


# The order is CSV's and JSON's; the tables show their subset in the same order.
UNIT_COLUMNS: tuple[Column[UnitRow], ...] = (
    Column(
        "name",
        CellKind.TEXT,
        lambda row: row.unit.name,
        ALL,
        header="name",
        shown=_name,
        share=0.16,
    ),
    Column("repeats", CellKind.NUMBER, lambda row: row.unit.repeats, DATA),
    Column(
        "description",
        CellKind.TEXT,
        lambda row: _description(row, "ascii"),
        ALL,
        header="description",
        shown=_description,
        share=0.30,
        wrap=True,
    ),
    Column(
        "layers",
        CellKind.TEXT,
        lambda row: [result.name for result in row.unit.layers],
        frozenset({"json"}),
    ),
    Column("layer_count", CellKind.NUMBER, lambda row: len(row.unit.layers), frozenset({"csv"})),
    Column("inputs", CellKind.TEXT, lambda row: list(row.unit.inputs), frozenset({"json"})),
    Column(
        "output_shape",
        CellKind.SHAPE,
        lambda row: dims(row.analysis, row.unit.output.output_shape),
        ALL,
        header="size",
        share=0.12,
    ),
    Column("params", CellKind.NUMBER, lambda row: row.unit.params, DATA),
    Column("trainable", CellKind.NUMBER, lambda row: row.unit.trainable, DATA),
    Column("non_trainable", CellKind.NUMBER, lambda row: row.unit.non_trainable, DATA),
    Column("learnable", CellKind.NUMBER, lambda row: row.unit.learnable, DATA),
    Column("instances", CellKind.NUMBER, lambda row: list(row.unit.instances), frozenset({"json"})),
    Column(
        "learnable_formula",
        CellKind.FORMULA,
        lambda row: str(row.formula),
        ALL,
        header="learnable",
        align=Align.RIGHT,
        shown=_learnable_shown,
        json_path=("formulas", "learnable"),
        share=0.28,
        wrap=True,
    ),
    Column(
        "running",
        CellKind.NUMBER,
        lambda row: row.unit.running,
        ALL,
        header="not learned",
        align=Align.RIGHT,
        shown=lambda row, notation: format_count(row.unit.running),
        share=0.12,
    ),
    Column(
        "macs",
        CellKind.NUMBER,
        lambda row: sum(result.macs for result in row.unit.layers),
        DATA,
    ),
)


def unit_rows(analysis: Analysis, detail: Detail) -> list[UnitRow]:
    """The rows of the table at `detail` (`blocks` or `stages`), the input first."""
    return [UnitRow(analysis, unit, unit_formula(unit)) for unit in units(analysis, detail)]


def table_level(detail: Detail | str) -> Detail:
    """The level of detail a summary takes: `layers`, `blocks` or `stages` (`auto` fits a
    figure to its page, and a table has none); anything else is an `OptionError`."""
    try:
        level: Detail | None = parse_option("detail", detail)
    except OptionError:
        level = None
    if level not in TABLE_DETAILS:
        names = ", ".join(str(choice) for choice in TABLE_DETAILS)
        raise OptionError(f"--detail: a summary takes {names}, not {str(detail)!r}")
    assert level is not None
    return level


def check_detail(fmt: str, detail: Detail | str) -> Detail:
    """The level of `table_level`, in a format that has one row per layer or per unit:
    `explain` derives layer by layer."""
    level = table_level(detail)
    if fmt == "explain" and level is not Detail.LAYERS:
        raise OptionError(
            f"--detail {level}: explain derives every layer; choose a table format "
            "(table, markdown, csv, json, latex)"
        )
    return level


def units_dict(analysis: Analysis, detail: Detail) -> dict[str, Any]:
    """The JSON document of docs/json.md with the level and its units added (the layers
    stay, so that a reader of the per-layer document reads this one too)."""
    columns = shown_in(UNIT_COLUMNS, "json")
    data = to_dict(analysis)
    data["detail"] = str(detail)
    data["units"] = [json_entry(columns, row) for row in unit_rows(analysis, detail)]
    return data


def summary_dict(analysis: Analysis, detail: Detail | str = Detail.LAYERS) -> dict[str, Any]:
    """The JSON document at `detail`: `report.to_dict` for layers, `units_dict` else."""
    level = table_level(detail)
    return to_dict(analysis) if level is Detail.LAYERS else units_dict(analysis, level)


def summary_report(analysis: Analysis, fmt: str = "table", detail: Detail | str = "layers") -> str:
    """The analysis in one of `REPORT_FORMATS`, one row per layer (`layers`, the table of
    `report.report`), per block of the spec (`blocks`) or per stage (`stages`)."""
    if fmt not in REPORT_FORMATS:
        return report(analysis, fmt)  # which refuses it, naming the formats
    level = check_detail(fmt, detail)
    if level is Detail.LAYERS:
        return report(analysis, fmt)
    if fmt == "json":
        return json_dump(units_dict(analysis, level))
    rows = unit_rows(analysis, level)
    title = analysis.network.title
    columns = shown_in(UNIT_COLUMNS, fmt)
    if fmt == "csv":
        return csv_table(columns, rows)
    if fmt == "markdown":
        return markdown_table(title, columns, rows, markdown_footer(analysis))
    if fmt == "latex":
        return latex_table(title, columns, rows, latex_footer(analysis))
    assert fmt in TABLES
    return text_table(title, columns, rows, text_footer(analysis), width=TEXT_WIDTH)
