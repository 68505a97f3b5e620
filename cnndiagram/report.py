"""Report stage: an `Analysis` as text tables (plain, Markdown, CSV, LaTeX), JSON, or a worked
derivation in Markdown (`explain`), the way the seed answer derives 217,706 by hand.

Every format draws its per-layer columns from one table, `COLUMNS`: a column says what it is
called, how its value comes from a layer's result, how it aligns and which formats show it, so
the formats cannot drift apart (CSV once had a value without a header). Each format then
writes a cell in its own syntax, escaped by `cnndiagram.escapes` according to the column's
`CellKind`: user text is escaped, engine arithmetic is a code span in Markdown and math in
LaTeX, numbers are numbers. The writers take any columns and rows (`text_table`,
`markdown_table`, `csv_table`, `latex_table`, `json_entry`), so the tables of units
(`cnndiagram.unit_report`) are written by the same code.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeAlias, TypeVar

from cnndiagram.engine.analysis import Analysis, LayerResult
from cnndiagram.engine.formulas import Formula, Notation, group_digits
from cnndiagram.engine.ops import op_for
from cnndiagram.engine.registry import Formulas
from cnndiagram.escapes.latex import escape_latex
from cnndiagram.ir import display_shape
from cnndiagram.notation import (
    TIMES,
    describe,
    format_count,
    format_shape,
    size_lines,
)

if TYPE_CHECKING:
    from fractions import Fraction

REPORT_FORMATS = ("table", "markdown", "csv", "json", "latex", "explain")


def size_text(formulas: tuple[Formula, ...], notation: Notation = "ascii") -> str:
    """`size_lines` on one line."""
    return "; ".join(size_lines(formulas, notation))


def total_line(analysis: Analysis, notation: Notation = "ascii") -> str:
    """Every stored number as the sum of the layers' counts: `832 + 9,248 + ... = 217,706`
    (running statistics included: the sum of the parameters column)."""
    return analysis.total_formula().text(notation, group=True)


#: Past this many terms a sum is no use to a reader: the total is given alone.
MAX_TERMS = 10


class Totals(NamedTuple):
    """The counts under a table, each format writing them in its own syntax: the learnable
    parameters (PyTorch's `parameters()`, what papers quote) as a sum of `terms` when there
    are few enough, the frozen part of them, and the running statistics, not learned."""

    terms: tuple[int, ...] | None
    learnable: int
    frozen: int
    running: int

    def sum_text(self, notation: Notation) -> str:
        """`832 + 9,248 + ... = 217,706`, or the number alone."""
        total = group_digits(self.learnable, notation)
        if self.terms is None or len(self.terms) < 2:
            return total
        return " + ".join(group_digits(term, notation) for term in self.terms) + f" = {total}"


def totals_of(analysis: Analysis) -> Totals:
    terms = tuple(result.learnable for result in analysis.layers if result.learnable)
    return Totals(
        terms if len(terms) <= MAX_TERMS else None,
        analysis.learnable_params,
        analysis.frozen_params,
        analysis.running_params,
    )


def _running_line(totals: Totals) -> str | None:
    if not totals.running:
        return None
    return f"+ {format_count(totals.running)} running statistics, not learned"


def _frozen_note(totals: Totals) -> str:
    return f" (of which {format_count(totals.frozen)} frozen)" if totals.frozen else ""


def sum_terms(text: str) -> list[str]:
    """The terms of a sum written out, split at its ` + ` operators outside brackets
    (`6*(45,440 + 66,240)//2` is one term); the `= total` stays with the last."""
    terms = [""]
    depth = 0
    for piece in text.split(" + "):
        if depth:
            terms[-1] += " + " + piece
        else:
            terms.append(piece)
        depth += piece.count("(") - piece.count(")")
    return terms[1:]


def wrap_at_operators(text: str, width: int, indent: str = "") -> list[str]:
    """`text` broken after its ` + ` operators into lines of at most `width` characters
    (where a term allows), continuation lines indented; the `= total` stays with the last
    term. A sum in brackets is broken only when it is too long for a line of its own."""
    terms: list[str] = []
    for term in sum_terms(text):
        terms += term.split(" + ") if len(indent) + len(term) > width else [term]
    lines = [terms[0]]
    for index, term in enumerate(terms[1:], 2):
        # A line that another follows ends in ` +`: that counts towards its width too.
        ending = 0 if index == len(terms) else 2
        if len(lines[-1]) + 3 + len(term) + ending <= width:
            lines[-1] += " + " + term
        else:
            lines[-1] += " +"
            lines.append(indent + term)
    return lines


# -- the columns --------------------------------------------------------------------------------


class Row(NamedTuple):
    """One layer's result with its formulas, built once per row for all of its cells."""

    analysis: Analysis
    result: LayerResult
    formulas: Formulas


class Align(Enum):
    """A column's alignment; the values are LaTeX's column letters."""

    LEFT = "l"
    RIGHT = "r"


class CellKind(Enum):
    """What a cell holds, which decides how each syntax writes and escapes it."""

    NUMBER = "number"  # an integer: written as it is, never escaped
    TEXT = "text"  # may hold user text (names, titles): escaped for every syntax
    SHAPE = "shape"  # tensor dimensions: `32x24x24`, math in LaTeX
    FORMULA = "formula"  # the engine's arithmetic: a code span in Markdown, math in LaTeX


#: A cell's value in the data formats (CSV flattens lists and writes null as empty).
Data: TypeAlias = int | str | list[int] | list[str] | dict[str, Any] | None

#: The formats that draw on `COLUMNS`: the human-readable tables and the data formats.
#: (`explain` is prose; it takes single columns by key.)
TABLES = frozenset({"table", "markdown", "latex"})
DATA = frozenset({"csv", "json"})
ALL = TABLES | DATA


#: What a column reads its values from: a layer's `Row`, or a unit's (`unit_report.UnitRow`).
R = TypeVar("R")


class Column(Generic[R]):
    """One column of the reports, reading rows of type `R`. Immutable and written out by
    hand, as the IR's classes are: a NamedTuple cannot be generic on Python 3.10, and a
    dataclass costs start-up time that the summary command would pay for it alone.

    `key` names it in CSV's header and JSON (at `json_path` when nested there); `header`
    names it in the human-readable tables. `data` gives its value for CSV and JSON; `shown`
    gives its text in the tables, in ASCII or LaTeX notation, and defaults to `data` written
    plainly. `wrap`: the plain table may break its cells over lines to fit its width.
    """

    __slots__ = (
        "align",
        "data",
        "formats",
        "header",
        "json_path",
        "key",
        "kind",
        "share",
        "shown",
        "wrap",
    )
    key: str
    kind: CellKind
    data: Callable[[R], Data]
    formats: frozenset[str]
    header: str
    align: Align
    shown: Callable[[R, Notation], str] | None
    json_path: tuple[str, ...]
    share: float  # LaTeX: the fraction of the line width the column takes
    wrap: bool

    def __init__(
        self,
        key: str,
        kind: CellKind,
        data: Callable[[R], Data],
        formats: frozenset[str],
        header: str = "",
        align: Align = Align.LEFT,
        shown: Callable[[R, Notation], str] | None = None,
        json_path: tuple[str, ...] = (),
        share: float = 0.0,
        wrap: bool = False,
    ) -> None:
        put = object.__setattr__
        put(self, "key", key)
        put(self, "kind", kind)
        put(self, "data", data)
        put(self, "formats", formats)
        put(self, "header", header)
        put(self, "align", align)
        put(self, "shown", shown)
        put(self, "json_path", json_path)
        put(self, "share", share)
        put(self, "wrap", wrap)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Column is immutable")

    def __repr__(self) -> str:
        return f"Column({self.key!r})"

    def text(self, row: R, notation: Notation = "ascii") -> str:
        """The cell as a table shows it, before the format's escaping."""
        if self.shown is not None:
            return self.shown(row, notation)
        return str(self.flat(row, notation))

    def flat(self, row: R, notation: Notation = "ascii") -> int | str:
        """The value as one field: a list joined (`32x24x24`, `H: ...; W: ...`), null empty."""
        value = self.data(row)
        if value is None:
            return ""
        if isinstance(value, list):
            return _JOINERS[self.kind, notation].join(str(item) for item in value)
        if isinstance(value, dict):
            raise TypeError(f"column {self.key} has no flat form")  # a JSON-only column
        return value


_JOINERS: dict[tuple[CellKind, Notation], str] = {
    (CellKind.SHAPE, "ascii"): TIMES["ascii"],
    (CellKind.SHAPE, "latex"): r" \times ",
    (CellKind.FORMULA, "ascii"): "; ",
    (CellKind.TEXT, "ascii"): ", ",
}


def dims(analysis: Analysis, shape: tuple[int, ...] | None) -> list[int] | None:
    """Shapes in the spec's own layout (channels last when it says so)."""
    if shape is None:
        return None
    return list(display_shape(shape, analysis.network.channels_last))


def _label(row: Row, notation: Notation = "ascii") -> str:
    """The layer's kind and hyperparameters, and where it reads from when that is not the
    row above: `add <- conv2, stem` (typeset output gets `3×3` for `3x3`)."""
    result = row.result
    if result.layer is None:
        return "input"
    rank = len(result.input_shape or ()) - 1
    label = describe(result.layer, rank, unicode=notation != "ascii")
    if notation == "latex":  # digits grouped with a comma, as the table's other numbers
        label = label.replace("\u2009", ",")
    previous = row.analysis.layers[result.number - 1].name
    if len(result.inputs) > 1 or (result.inputs and result.inputs[0] != previous):
        arrow = "<-" if notation == "ascii" else "\u2190"
        label += f" {arrow} {', '.join(result.inputs)}"
    return label


def _param_shown(row: Row, notation: Notation) -> str:
    """The parameter formula with grouped digits, or the bare count when there is none."""
    formula = row.formulas.params
    if formula is not None:
        return formula.text(notation, group=True)
    count = format_count(row.result.params)
    return count.replace(",", "{,}") if notation == "latex" else count


def _jump(value: int | Fraction) -> int | float:
    """A whole jump as an integer, a fractional one (after upsampling) as a decimal."""
    if isinstance(value, int):
        return value
    return int(value) if value.denominator == 1 else round(float(value), 6)


def _receptive_field(row: Row) -> dict[str, Any] | None:
    rf = row.result.receptive_field
    if rf is None:
        return None
    return {"size": list(rf.size), "jump": [_jump(jump) for jump in rf.jump]}


# The order is CSV's and JSON's; the tables show their subset in the same order.
COLUMNS: tuple[Column[Row], ...] = (
    Column(
        "index",
        CellKind.NUMBER,
        lambda row: row.result.number,
        TABLES | {"csv"},
        header="#",
        align=Align.RIGHT,
        share=0.06,
    ),
    Column("name", CellKind.TEXT, lambda row: row.result.name, ALL, header="name", share=0.16),
    Column("kind", CellKind.TEXT, lambda row: row.result.kind, DATA),
    Column("inputs", CellKind.TEXT, lambda row: list(row.result.inputs), frozenset({"json"})),
    Column(
        "layer",
        CellKind.TEXT,
        _label,
        TABLES | {"csv"},
        header="layer",
        shown=_label,
        share=0.21,
    ),
    Column(
        "input_shape", CellKind.SHAPE, lambda row: dims(row.analysis, row.result.input_shape), DATA
    ),
    Column(
        "output_shape",
        CellKind.SHAPE,
        lambda row: dims(row.analysis, row.result.output_shape),
        ALL,
        header="size",
        share=0.12,
    ),
    Column("params", CellKind.NUMBER, lambda row: row.result.params, DATA),
    Column("trainable", CellKind.NUMBER, lambda row: row.result.trainable, DATA),
    Column("non_trainable", CellKind.NUMBER, lambda row: row.result.non_trainable, DATA),
    Column("learnable", CellKind.NUMBER, lambda row: row.result.learnable, DATA),
    Column("running", CellKind.NUMBER, lambda row: row.result.running, DATA),
    Column(
        "output_formula",
        CellKind.FORMULA,
        lambda row: [str(formula) for formula in row.formulas.output],
        ALL,
        header="size formula",
        share=0.25,
        shown=lambda row, notation: size_text(row.formulas.output, notation),
        json_path=("formulas", "output"),
    ),
    Column(
        "param_formula",
        CellKind.FORMULA,
        lambda row: None if row.formulas.params is None else str(row.formulas.params),
        ALL,
        header="parameters",
        share=0.20,
        align=Align.RIGHT,
        shown=_param_shown,
        json_path=("formulas", "params"),
    ),
    Column("macs", CellKind.NUMBER, lambda row: row.result.macs, DATA),
    Column("activations", CellKind.NUMBER, lambda row: row.result.activations, frozenset({"csv"})),
    Column("receptive_field", CellKind.SHAPE, _receptive_field, frozenset({"json"})),
)

_BY_KEY = {column.key: column for column in COLUMNS}


def columns_for(fmt: str) -> tuple[Column[Row], ...]:
    """The columns a format shows, in order."""
    return shown_in(COLUMNS, fmt)


def shown_in(columns: Sequence[Column[R]], fmt: str) -> tuple[Column[R], ...]:
    """Those of `columns` that `fmt` shows, in order."""
    return tuple(column for column in columns if fmt in column.formats)


def _rows(analysis: Analysis) -> Iterator[Row]:
    for result in analysis.layers:
        yield Row(analysis, result, analysis.formulas(result))


# -- plain table --------------------------------------------------------------------------------


def table(analysis: Analysis) -> str:
    """Aligned plain text for a terminal; control characters in names are shown as escapes."""
    return text_table(
        analysis.network.title, columns_for("table"), list(_rows(analysis)), text_footer(analysis)
    )


#: The plain table's totals wrap to this many columns, and so do the tables of units.
TEXT_WIDTH = 100


def text_table(
    title: str | None,
    columns: Sequence[Column[R]],
    rows: Sequence[R],
    footer: list[str],
    width: int | None = None,
) -> str:
    """`rows` under `columns`, aligned, then `footer`. With a `width`, the columns that may
    wrap are narrowed until the table fits it (text before formulas, neither below its
    longest word or term), and their cells continue on the lines below."""
    from cnndiagram.escapes.terminal import escape_controls

    headers = [column.header for column in columns]
    cells = [[escape_controls(column.text(row)) for column in columns] for row in rows]
    widths = [
        max(len(cell) for cell in (header, *(row[i] for row in cells)))
        for i, header in enumerate(headers)
    ]
    if width is not None:
        widths = _fit(columns, headers, cells, widths, width)

    def line(texts: list[str]) -> str:
        out = [
            text.rjust(w) if column.align is Align.RIGHT else text.ljust(w)
            for text, w, column in zip(texts, widths, columns)
        ]
        return "  ".join(out).rstrip()

    lines = [escape_controls(title), ""] if title else []
    lines.append(line(headers))
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        parts = [_wrap(cell, column, w) for cell, column, w in zip(row, columns, widths)]
        height = max(len(part) for part in parts)
        for i in range(height):
            lines.append(line([part[i] if i < len(part) else "" for part in parts]))
    lines.append("")
    lines += footer
    return "\n".join(lines) + "\n"


def text_footer(analysis: Analysis) -> list[str]:
    """The plain table's lines under it: the learnable total, the running statistics (not
    learned) and the multiply-accumulates."""
    return [
        *_table_totals(totals_of(analysis)),
        f"multiply-accumulates: {format_count(analysis.total_macs)}",
    ]


def _pieces(text: str, column: Column[Any]) -> list[str]:
    """What a cell of a wrapping column cannot be broken inside: a formula's term (with the
    ` +` that ends its line), or a word with the signs before it and the count after it
    (`-> maxpool`, `@ 256`, `ReLU x2`: a line never ends in a sign, nor begins with a
    count)."""
    if column.kind is CellKind.FORMULA:
        terms = text.split(" + ")
        return [term + " +" for term in terms[:-1]] + terms[-1:]
    words: list[str] = []
    signs = ""
    for word in text.split():
        if words and not signs and _COUNT.fullmatch(word):
            words[-1] += " " + word
            continue
        joined = f"{signs} {word}" if signs else word
        signs = "" if any(char.isalnum() for char in joined) else joined
        if not signs:
            words.append(joined)
    return [*words, signs] if signs else words


#: A count of equal parts, as `_terms` writes it in ASCII or typeset (`x2`, `×2`).
_COUNT = re.compile("[x\u00d7][0-9]+")


def _wrap(text: str, column: Column[Any], width: int) -> list[str]:
    """A cell as the lines of a column `width` wide: a formula after its operators, text
    between its words."""
    if len(text) <= width or not column.wrap:
        return [text]
    if column.kind is CellKind.FORMULA:
        return wrap_at_operators(text, width)
    lines: list[str] = []
    for word in _pieces(text, column):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _fit(
    columns: Sequence[Column[Any]],
    headers: list[str],
    cells: list[list[str]],
    widths: list[int],
    width: int,
) -> list[int]:
    """Column widths for a table at most `width` wide (or as near as its words allow): of
    the ways to share the room left among the wrapping columns, the one with the fewest
    lines, and of those, the fewest lines of formulas (a wrapped sum is the harder read)."""
    wrapping = [i for i, column in enumerate(columns) if column.wrap]
    room = width - sum(w for i, w in enumerate(widths) if i not in wrapping)
    room -= 2 * (len(widths) - 1)
    if not wrapping or sum(widths[i] for i in wrapping) <= room:
        return list(widths)
    floors = {
        i: max(
            len(headers[i]),
            *(len(piece) for row in cells for piece in _pieces(row[i], columns[i])),
        )
        for i in wrapping
    }
    best: tuple[tuple[int, int], list[int]] | None = None
    *firsts, last = wrapping
    for chosen in itertools.product(*(range(floors[i], widths[i] + 1) for i in firsts)):
        rest = min(room - sum(chosen), widths[last])
        if rest < floors[last]:
            continue
        trial = list(widths)
        for i, w in zip(wrapping, (*chosen, rest)):
            trial[i] = w
        heights = [[len(_wrap(row[i], columns[i], trial[i])) for i in wrapping] for row in cells]
        formula_lines = sum(
            h
            for row in heights
            for h, i in zip(row, wrapping)
            if columns[i].kind is CellKind.FORMULA
        )
        score = (sum(max(row) for row in heights), formula_lines)
        if best is None or score < best[0]:
            best = (score, trial)
    if best is None:  # even the longest words do not fit: as narrow as they allow
        return [floors.get(i, w) for i, w in enumerate(widths)]
    return best[1]


def _table_totals(totals: Totals) -> list[str]:
    head = "learnable parameters: "
    text = head + totals.sum_text("ascii") + _frozen_note(totals)
    lines = wrap_at_operators(text, TEXT_WIDTH, " " * len(head))
    running = _running_line(totals)
    return [*lines, running] if running else lines


# -- markdown -----------------------------------------------------------------------------------


def markdown(analysis: Analysis) -> str:
    """A GFM table; names are escaped, formulas are code spans, so both render as written."""
    return markdown_table(
        analysis.network.title,
        columns_for("markdown"),
        list(_rows(analysis)),
        markdown_footer(analysis),
    )


def markdown_table(
    title: str | None, columns: Sequence[Column[R]], rows: Sequence[R], footer: list[str]
) -> str:
    """`rows` under `columns` as a GFM table, with the `footer` lines (Markdown) under it."""
    from cnndiagram.escapes.markdown import code_span, escape_markdown

    def cell(column: Column[R], row: R) -> str:
        text = column.text(row)
        if column.kind is CellKind.FORMULA:
            return code_span(text, table_cell=True)
        return escape_markdown(text)

    def rule(column: Column[R]) -> str:
        dashes = "-" * (len(column.header) + 1)
        return f"{dashes}:" if column.align is Align.RIGHT else f":{dashes}"

    lines = []
    if title:
        lines += [f"### {escape_markdown(title)}", ""]
    lines.append("| " + " | ".join(column.header for column in columns) + " |")
    lines.append("|" + "|".join(rule(column) for column in columns) + "|")
    for row in rows:
        lines.append("| " + " | ".join(cell(column, row) for column in columns) + " |")
    lines += footer
    return "\n".join(lines) + "\n"


def markdown_footer(analysis: Analysis) -> list[str]:
    """The learnable total as a code span, and the running statistics, under a table."""
    from cnndiagram.escapes.markdown import code_span

    totals = totals_of(analysis)
    lines = [
        "",
        f"**Learnable parameters:** {code_span(totals.sum_text('ascii'))}{_frozen_note(totals)}",
    ]
    running = _running_line(totals)
    if running:
        lines += ["", "\\" + running]  # `+ ` would begin a list
    return lines


# -- csv ----------------------------------------------------------------------------------------


def csv_text(analysis: Analysis) -> str:
    """One header row and one row per layer, of the same width (RFC 4180 quoting)."""
    return csv_table(columns_for("csv"), list(_rows(analysis)))


def csv_table(columns: Sequence[Column[R]], rows: Sequence[R]) -> str:
    """One header row (the columns' keys) and one row per row, of the same width.

    A text cell that a spreadsheet would evaluate gets a leading `'`, and its control
    characters are shown as escapes (CSV goes to stdout by default, and so each row is one
    line); numbers stay numbers. JSON is the interface that keeps names exactly.
    """
    import csv
    import io

    from cnndiagram.escapes.csv import escape_csv_cell
    from cnndiagram.escapes.terminal import escape_controls

    def cell(column: Column[R], row: R) -> int | str:
        value = column.flat(row)
        if isinstance(value, int):
            return value
        # The prefix is decided on the text as written (a leading tab is a trigger), before
        # the tab becomes a visible `\t`.
        return escape_controls(escape_csv_cell(value))

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.key for column in columns])
    for row in rows:
        writer.writerow([cell(column, row) for column in columns])
    return buffer.getvalue()


# -- json ---------------------------------------------------------------------------------------


def json_entry(columns: Sequence[Column[R]], row: R) -> dict[str, Any]:
    """One row as a JSON object: each column's value at its key (or `json_path`)."""
    entry: dict[str, Any] = {}
    for column in columns:
        *parents, key = column.json_path or (column.key,)
        place = entry
        for parent in parents:
            place = place.setdefault(parent, {})
        place[key] = column.data(row)
    return entry


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The documented machine interface (see docs/json.md); shapes in the spec's layout."""
    columns = columns_for("json")
    layers = [json_entry(columns, row) for row in _rows(analysis)]
    channels_last = analysis.network.channels_last
    return {
        "title": analysis.network.title,
        "input_shape": list(display_shape(analysis.input_shape, channels_last)),
        "output_shape": list(display_shape(analysis.output_shape, channels_last)),
        "total_params": analysis.total_params,
        "trainable_params": analysis.trainable_params,
        "non_trainable_params": analysis.non_trainable_params,
        "learnable_params": analysis.learnable_params,
        "frozen_params": analysis.frozen_params,
        "running_params": analysis.running_params,
        "total_macs": analysis.total_macs,
        "layers": layers,
    }


def json_text(analysis: Analysis) -> str:
    """`to_dict` as JSON text, with every control character escaped (`\\u009b`)."""
    return json_dump(to_dict(analysis))


def json_dump(data: Any) -> str:
    """JSON text for a report (UTF-8, indented), with every control character escaped."""
    import json

    from cnndiagram.escapes.json import escape_json_controls

    return escape_json_controls(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


# -- latex --------------------------------------------------------------------------------------


def latex(analysis: Analysis) -> str:
    """A `longtable` as wide as the text (its header repeated on every page), in booktabs
    rules, with the totals wrapped under it; the first lines name the packages it needs."""
    return latex_table(
        analysis.network.title, columns_for("latex"), list(_rows(analysis)), latex_footer(analysis)
    )


def latex_table(
    title: str | None, columns: Sequence[Column[R]], rows: Sequence[R], footer: list[str]
) -> str:
    """`rows` under `columns` as a `longtable` of the line width, `footer` (LaTeX) under it."""

    def cell(column: Column[R], row: R) -> str:
        text = column.text(row, "latex")
        if column.kind in (CellKind.SHAPE, CellKind.FORMULA):
            return _math(text)
        return breakable(escape_latex(text))

    shares = {column.key: column.share for column in columns}
    # Words cannot wrap (and a size should not): those columns grow to their longest word,
    # and the formula columns (which break after their operators) share what is left.
    flexible = [column.key for column in columns if column.kind is CellKind.FORMULA]
    for column in columns:
        if column.key not in flexible:
            pieces = (piece for row in rows for piece in _unbreakable(str(column.text(row))))
            longest = max(map(len, pieces), default=1)
            shares[column.key] = max(shares[column.key], _share_of(longest))
    left = 1.0 - sum(share for key, share in shares.items() if key not in flexible)
    scale = left / sum(shares[key] for key in flexible)
    for key in flexible:
        shares[key] *= scale
    return longtable(
        title,
        [(column.header, column.align, shares[column.key]) for column in columns],
        [[cell(column, row) for column in columns] for row in rows],
        footer,
    )


def latex_footer(analysis: Analysis) -> list[str]:
    """The totals under a LaTeX table, as lines of LaTeX."""
    return _latex_totals(totals_of(analysis))


#: The text width of a standard article (10 pt) and an average character of the table's
#: `\small` Computer Modern, in points: enough to size a column of names, not to set it.
ARTICLE_WIDTH = 345.0
SMALL_CHAR = 4.8


def _share_of(chars: int) -> float:
    """The share of the article's width that `chars` characters need, with the gaps."""
    return (chars * SMALL_CHAR + 6.0) / ARTICLE_WIDTH


def _unbreakable(text: str) -> list[str]:
    import re

    return re.split(r"[\s._/-]+", text)


def breakable(text: str) -> str:
    r"""Escaped text that may break after `.`, `_`, `-` and `/`, as long module paths
    (`layer1.0.downsample.1`) must to fit a narrow column; no hyphen is added."""
    import re

    return re.sub(r"(\.|\\_|-|/)(?=\S)", r"\1\\allowbreak{}", text)


def _math(text: str) -> str:
    r"""Inline math that may break after its operators: `\left( \right)` would make each
    bracket one unbreakable box, so brackets are plain (they hold no fractions)."""
    if not text:
        return ""
    # A floored or ceiled fraction is one box as wide as its numerator: written on one line,
    # `⌊(224 + 2·1 − 3)/2⌋`, it may break after its operators like the rest.
    text = _ONE_LINE.sub(r"\\\1 (\2)/\3 \\\4", text)
    if "\\frac" not in text:
        text = text.replace("\\left(", "(").replace("\\right)", ")")
    return f"${text}$"


_ONE_LINE = re.compile(
    r"\\left\\(lfloor|lceil) \\frac\{([^{}]*)\}\{([^{}]*)\} \\right\\(rfloor|rceil)"
)


def _latex_totals(totals: Totals) -> list[str]:
    lines = [f"learnable parameters: ${totals.sum_text('latex')}${_frozen_note(totals)}"]
    running = _running_line(totals)
    if running:
        lines.append(running.replace(",", "{,}"))
    return lines


#: LaTeX packages the tables use, named in their first lines.
LATEX_PACKAGES = ("booktabs", "longtable", "array")


def longtable(
    title: str | None,
    columns: list[tuple[str, Align, float]],
    rows: list[list[str]],
    footer: list[str],
) -> str:
    """A table of `rows` (cells already LaTeX) under `columns` (header, alignment, share of
    the line width, the shares summing to 1), with `footer` lines as wide as the table.

    Every column is a paragraph column, so long labels and formulas wrap instead of
    running past the margin (a `tabular` of ResNet-50 was 3,757 pt too wide); with `@{}` at
    both ends and the gaps taken from the shares, the table is exactly `\\linewidth` wide.
    """
    from cnndiagram.escapes.latex import escape_latex

    def fraction(share: float) -> float:
        """Rounded down, so that the rounded shares never add up to more than the line."""
        return int(share * 1000) / 1000

    def spec(align: Align, share: float) -> str:
        ragged = r"\raggedleft" if align is Align.RIGHT else r"\raggedright"
        width = rf"\dimexpr {fraction(share):.3f}\linewidth-2\tabcolsep\relax"
        return rf">{{{ragged}\arraybackslash}}p{{{width}}}"

    # A header word may be a little wider than a column squeezed by long names: set it in a
    # box of no width, aligned as its column, so it can never make an overfull line.
    header = (
        " & ".join(
            rf"\makebox[0pt][{align.value}]{{{escape_latex(name)}}}" for name, align, _ in columns
        )
        + r" \\"
    )
    span = len(columns)
    lines = [f"% {escape_latex(title)}"] if title else []
    lines.append(f"% needs \\usepackage{{{','.join(LATEX_PACKAGES)}}}")
    lines += [
        r"\begingroup",
        r"\small",
        r"\setlength{\tabcolsep}{3pt}",
        rf"\begin{{longtable}}{{@{{}}{''.join(spec(a, s) for _, a, s in columns)}@{{}}}}",
        r"\toprule",
        header,
        r"\midrule",
        r"\endfirsthead",
        r"\toprule",
        header,
        r"\midrule",
        r"\endhead",
        r"\bottomrule",
        r"\endlastfoot",
    ]
    lines += [" & ".join(row) + r" \\" for row in rows]
    lines.append(r"\midrule")
    # As wide as the columns it spans (their shares of the line, less the two outer gaps
    # the shares leave), so it never widens the table.
    spanned = sum(fraction(share) for _, _, share in columns)
    width = rf"\dimexpr {spanned:.3f}\linewidth-2\tabcolsep\relax"
    wide = rf"@{{}}>{{\raggedright\arraybackslash}}p{{{width}}}@{{}}"
    lines += [rf"\multicolumn{{{span}}}{{{wide}}}{{{text}}} \\" for text in footer]
    lines += [r"\end{longtable}", r"\endgroup"]
    return "\n".join(lines) + "\n"


# -- explain ------------------------------------------------------------------------------------


def explain(analysis: Analysis) -> str:
    """The worked derivation in Markdown, layer by layer, ending with the total as a sum.

    Its cells come from the same columns as the tables; names, labels and the rules' prose
    are escaped, formulas are code spans.
    """
    from cnndiagram.escapes.markdown import code_span, escape_markdown

    title = analysis.network.title or "Network"
    total = format_count(analysis.learnable_params)
    lines = [f"# {escape_markdown(title)}: {total} learnable parameters", ""]
    lines.append(
        "Each layer's output size follows from its input size and hyperparameters; each "
        "layer's parameter count follows from its input channels (or features) and its "
        "size. Layer by layer:"
    )
    for row in _rows(analysis):
        lines.append("")
        lines += _explain_input(row) if row.result.layer is None else _explain_layer(row)
    totals = totals_of(analysis)
    lines += ["", "## Total", ""]
    lines.append(
        f"{code_span(totals.sum_text('ascii'))} learnable parameters{_frozen_note(totals)}, "
        "what PyTorch's `parameters()` counts and papers quote."
    )
    if totals.running:
        lines.append(
            f"They are stored with {format_count(totals.running)} running statistics "
            f"(BatchNorm's mean and variance), which are not learned: "
            f"{format_count(analysis.total_params)} numbers in all."
        )
    lines.append("")
    lines.append(
        f"Multiply-accumulates per sample: {format_count(analysis.total_macs)} "
        "(one per weight use; bias additions, pooling and activations not counted)."
    )
    return "\n".join(lines) + "\n"


def _explain_heading(row: Row) -> str:
    from cnndiagram.escapes.markdown import escape_markdown

    return f"## {row.result.number}. {escape_markdown(_BY_KEY['name'].text(row))}"


def _explain_input(row: Row) -> list[str]:
    shape = row.result.output_shape
    lines = [f"{_explain_heading(row)}: input {_BY_KEY['output_shape'].text(row)}", ""]
    channels = shape[0]
    if len(shape) == 1:
        lines.append(f"A vector of {channels} features. No parameters.")
    else:
        lines.append(
            f"{channels} channel{'s' if channels != 1 else ''} of "
            f"{format_shape(shape[1:])} values. No parameters."
        )
    return lines


def _explain_inputs(row: Row) -> str:
    """`- Input: 64x56x56.`, or for a merge every input with its name and shape."""
    from cnndiagram.escapes.markdown import escape_markdown

    result = row.result
    if len(result.inputs) < 2:
        return f"- Input: {_BY_KEY['input_shape'].text(row)}."
    channels_last = row.analysis.network.channels_last
    shown = [
        f"{escape_markdown(name)} ({format_shape(shape, channels_last)})"
        for name, shape in zip(result.inputs, result.input_shapes)
    ]
    return f"- Inputs ({len(shown)}): {', '.join(shown)}."


def _explain_kinds(result: LayerResult) -> list[str]:
    """What of a layer's count is trained, frozen, or running statistics, when not all of it
    is trained."""
    parts = []
    if result.trainable and result.trainable != result.params:
        parts.append(f"{format_count(result.trainable)} are learned")
    if result.frozen:
        parts.append(f"{format_count(result.frozen)} are learnable but frozen (not trained)")
    if result.running:
        parts.append(f"{format_count(result.running)} are running statistics, not learned")
    if not parts:
        return []
    if len(parts) == 1 and result.frozen == result.params:
        return [f"  All {format_count(result.params)} are learnable but frozen (not trained)."]
    return [f"  Of these, {' and '.join(parts)}."]


def _explain_layer(row: Row) -> list[str]:
    """One layer's derivation: its sizes and count, each by its rule, with the formulas."""
    from cnndiagram.escapes.markdown import code_span, escape_markdown

    result = row.result
    op = op_for(result.kind)
    shape = _BY_KEY["output_shape"].text(row)
    lines = [
        f"{_explain_heading(row)}: {escape_markdown(_BY_KEY['layer'].text(row))} \u2192 "
        f"{shape}, {format_count(result.params)} parameters",
        "",
        _explain_inputs(row),
    ]
    rule = escape_markdown(op.rule)
    size_formula = _BY_KEY["output_formula"].text(row)
    if size_formula:
        lines.append(
            f"- Output size, by the rule {rule}: {code_span(size_formula)}, giving {shape}."
        )
    else:
        lines.append(f"- Output: {shape} ({rule}).")
    assert result.layer is not None  # the input has its own derivation
    param_rule = escape_markdown(op.stated_param_rule(dict(result.layer.args)))
    param_formula = _BY_KEY["param_formula"].data(row)
    if isinstance(param_formula, str):
        lines.append(f"- Parameters, {param_rule}: {code_span(param_formula)}.")
        lines += _explain_kinds(result)
    else:
        lines.append(f"- Parameters: 0 ({param_rule}).")
    lines.append(f"- Output activations: {format_count(result.activations)} values.")
    if result.macs:
        lines.append(f"- Multiply-accumulates: {format_count(result.macs)}.")
    rf = result.receptive_field
    if rf is not None and rf.size:
        lines.append(f"- Receptive field: {format_shape(rf.size)} input positions.")
    return lines


RENDERERS: dict[str, Callable[[Analysis], str]] = {
    "table": table,
    "markdown": markdown,
    "csv": csv_text,
    "json": json_text,
    "latex": latex,
    "explain": explain,
}


def report(analysis: Analysis, fmt: str = "table") -> str:
    """The analysis in one of `REPORT_FORMATS`."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(RENDERERS)}")
    return renderer(analysis)
