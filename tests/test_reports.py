"""Summary reports: golden files for every format, the column definitions the formats share,
each format read back by a real parser, and hostile names and titles in each syntax.

Golden files: tests/golden/reports/<sample>.<format>.<ext>, every format of samples/seed.cnn
and of samples/resnet18.cnn (branches, merges, non-trainable counts). A change in a report
fails `test_golden` with the file's name. Once the new output is the intended one, rewrite
the files with

    PYTHONPATH=$PWD python -m pytest tests/test_reports.py --update-golden

and read `git diff tests/golden/reports` before committing: the diff is the review.
"""

from __future__ import annotations

import csv
import io
import json
import re
from math import prod
from pathlib import Path

import pytest
from click import Choice

from cnndiagram.cli import summary
from cnndiagram.engine.analysis import Analysis, analyze
from cnndiagram.engine.ops import op_for
from cnndiagram.escapes.csv import FORMULA_TRIGGERS
from cnndiagram.escapes.terminal import CONTROLS, escape_controls
from cnndiagram.report import (
    ALL,
    COLUMNS,
    REPORT_FORMATS,
    CellKind,
    Row,
    columns_for,
    report,
)
from cnndiagram.spec.load import load_spec

from conftest import ROOT, SAMPLES, check_golden
from markdown_checks import Rendered, render_markdown

GOLDEN = Path(__file__).resolve().parent / "golden" / "reports"
GOLDEN_SAMPLES = ("seed.cnn", "resnet18.cnn")
TABLE_TAGS = {"h3", "p", "strong", "table", "thead", "tbody", "tr", "th", "td", "code"}
SUFFIXES = {
    "table": ".table.txt",
    "markdown": ".markdown.md",
    "csv": ".csv",
    "json": ".json",
    "latex": ".tex",
    "explain": ".explain.md",
}
SPEC_SAMPLES = sorted(
    path for path in SAMPLES.glob("*.*") if path.suffix in (".cnn", ".yaml", ".toml", ".json")
)


def analysis_of(path: Path) -> Analysis:
    return analyze(load_spec(path))


def rows_of(analysis: Analysis) -> list[Row]:
    return [Row(analysis, result, analysis.formulas(result)) for result in analysis.layers]


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
@pytest.mark.parametrize("sample", GOLDEN_SAMPLES)
def test_golden(sample: str, fmt: str, update_golden: bool) -> None:
    path = GOLDEN / (Path(sample).stem + SUFFIXES[fmt])
    check_golden(path, report(analysis_of(SAMPLES / sample), fmt), update_golden)


def test_readme_shows_the_seed_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (GOLDEN / "seed.table.txt").read_text(encoding="utf-8") in readme


# -- the column definitions ---------------------------------------------------------------------


def test_the_cli_offers_every_report_format() -> None:
    option = next(param for param in summary.params if param.name == "fmt")
    assert isinstance(option.type, Choice)
    assert tuple(option.type.choices) == REPORT_FORMATS
    assert set(REPORT_FORMATS) == ALL | {"explain"}


def test_columns_are_defined_once_and_completely() -> None:
    keys = [column.key for column in COLUMNS]
    assert len(keys) == len(set(keys))
    for column in COLUMNS:
        assert column.formats <= ALL, column.key
        if column.formats & {"table", "markdown", "latex"}:
            assert column.header, column.key
    headers = ["#", "name", "layer", "size", "size formula", "parameters"]
    for fmt in ("table", "markdown", "latex"):
        assert [column.header for column in columns_for(fmt)] == headers


def test_unknown_format_is_refused_with_the_list() -> None:
    with pytest.raises(ValueError, match="choose one of table, markdown, csv, json"):
        report(analysis_of(SAMPLES / "seed.cnn"), "pdf")


# -- CSV and Markdown read back -----------------------------------------------------------------


@pytest.mark.parametrize("sample", SPEC_SAMPLES, ids=lambda path: path.name)
def test_csv_rows_have_the_header_width(sample: Path) -> None:
    analysis = analysis_of(sample)
    text = report(analysis, "csv")
    table = list(csv.reader(io.StringIO(text)))
    header, body = table[0], table[1:]
    assert header == [column.key for column in columns_for("csv")]
    assert [len(row) for row in body] == [len(header)] * len(analysis.layers)
    assert len(text.splitlines()) == len(table)
    for record, result in zip(csv.DictReader(io.StringIO(text)), analysis.layers):
        assert record["name"] == result.name
        assert int(record["params"]) == result.params
        assert int(record["macs"]) == result.macs
        assert int(record["activations"]) == prod(result.output_shape)
        formula = analysis.formulas(result).params
        assert record["param_formula"] == ("" if formula is None else str(formula))


def _table_rows(html: Rendered) -> list[list[str]]:
    """The rendered table's header and body rows, as the text of their cells."""
    width = len(columns_for("markdown"))
    cells = [cell for cell, tag in zip(html.cells, html.block_tags) if tag in ("th", "td")]
    return [cells[i : i + width] for i in range(0, len(cells), width)]


def _plain_cells(analysis: Analysis, fmt: str) -> list[list[str]]:
    """What each cell says, before a syntax writes it: the same for every table format."""
    return [[column.text(row) for column in columns_for(fmt)] for row in rows_of(analysis)]


@pytest.mark.parametrize("sample", SPEC_SAMPLES, ids=lambda path: path.name)
def test_markdown_renders_every_cell_as_written(sample: Path) -> None:
    analysis = analysis_of(sample)
    html = render_markdown(report(analysis, "markdown"))
    assert "em" not in html.tags
    assert set(html.tags) <= TABLE_TAGS
    header, *body = _table_rows(html)
    assert header == [column.header for column in columns_for("markdown")]
    assert body == _plain_cells(analysis, "markdown")


def test_markdown_of_the_seed_renders_the_formulas_of_the_question() -> None:
    html = render_markdown(report(analysis_of(SAMPLES / "seed.cnn"), "markdown"))
    assert "(5*5*1 + 1)*32 = 832" in html.cells
    assert "(32*5*5 + 1)*256 = 205,056" in html.cells


@pytest.mark.parametrize("sample", SPEC_SAMPLES, ids=lambda path: path.name)
def test_explain_renders_rules_and_formulas_as_written(sample: Path) -> None:
    analysis = analysis_of(sample)
    html = render_markdown(report(analysis, "explain"))
    assert set(html.tags) <= {"h1", "h2", "p", "ul", "li", "code"}
    text = "\n".join(html.cells)
    for result in analysis.layers[1:]:
        assert result.layer is not None
        rule = op_for(result.kind).stated_param_rule(dict(result.layer.args))
        formula = analysis.formulas(result).params
        if formula is None:
            assert f"Parameters: 0 ({rule})." in text
        else:
            assert f"Parameters, {rule}: {formula}." in text


# -- hostile names and titles -------------------------------------------------------------------

CONTROL_PAYLOAD = "\x1b]0;pwned\x07\x1b[2J\x08\r\x9b\u202e"
TITLE = (
    f"T <script>alert(1)</script> {CONTROL_PAYLOAD} *x* | $y$ % \\end{{tabular}}\n\\input{{x}} #"
)
NAMES = (
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://x","y")',
    "-1",
    "a|b`c`*d*_e_ [l](javascript:x) \\ {f} ~g~ &amp; 50% $m$ #h",
    '+x, "q"\n@y',
    f"\tz {CONTROL_PAYLOAD}",
)


def _quoted(text: str) -> str:
    """A quoted name in the spec language (docs/spec-language.md)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def hostile() -> Analysis:
    img, hyperlink, minus, punctuation, plus, tab = (_quoted(name) for name in NAMES)
    spec = "\n".join(
        [
            f"title {_quoted(TITLE)}",
            "input(1x8x8)",
            f"{img}: conv(2, 3)",
            f"{hyperlink}: relu",
            f"{minus}: conv(2, 1)",
            f"{punctuation}: add(@{img}, @{minus})",
            f"{plus}: flatten",
            f"{tab}: dense(3)",
        ]
    )
    analysis = analyze(load_spec(spec, expr=True))
    assert analysis.network.title == TITLE
    assert tuple(result.name for result in analysis.layers[1:]) == NAMES
    return analysis


def test_hostile_table_shows_controls_as_escapes() -> None:
    analysis = hostile()
    lines = report(analysis, "table").splitlines()
    assert not any(CONTROLS.intersection(line) for line in lines)
    assert lines[0] == escape_controls(TITLE)
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x08\\r\\x9b\\u202e" in lines[0]
    assert len(lines) == 2 + 2 + len(analysis.layers) + 3
    for line, name in zip(lines[5:], NAMES):
        assert escape_controls(name) in line


def test_hostile_markdown_renders_as_written_without_html() -> None:
    analysis = hostile()
    text = report(analysis, "markdown")
    assert "<" not in text
    assert not CONTROLS.intersection(text.replace("\n", ""))
    html = render_markdown(text)
    assert set(html.tags) <= TABLE_TAGS
    assert html.cells[0] == escape_controls(TITLE)
    assert _table_rows(html)[1:] == [
        [escape_controls(cell) for cell in row] for row in _plain_cells(analysis, "markdown")
    ]


def test_hostile_explain_renders_as_written_without_html() -> None:
    analysis = hostile()
    text = report(analysis, "explain")
    assert "<" not in text
    assert not CONTROLS.intersection(text.replace("\n", ""))
    html = render_markdown(text)
    assert set(html.tags) <= {"h1", "h2", "p", "ul", "li", "code"}
    headings = [cell for cell, tag in zip(html.cells, html.block_tags) if tag in ("h1", "h2")]
    assert headings[0] == f"{escape_controls(TITLE)}: 245 learnable parameters"
    for heading, result in zip(headings[2:], analysis.layers[1:]):
        assert heading.startswith(f"{result.number}. {escape_controls(result.name)}: ")


def test_hostile_csv_defuses_formulas_and_keeps_its_shape() -> None:
    analysis = hostile()
    text = report(analysis, "csv")
    assert len(text.splitlines()) == 1 + len(analysis.layers)
    assert not CONTROLS.intersection(text.replace("\n", ""))
    records = list(csv.DictReader(io.StringIO(text)))
    names = [record["name"] for record in records[1:]]
    assert names == [
        "<img src=x onerror=alert(1)>",
        '\'=HYPERLINK("http://x","y")',
        "'-1",
        "a|b`c`*d*_e_ [l](javascript:x) \\ {f} ~g~ &amp; 50% $m$ #h",
        '\'+x, "q"\\n@y',
        "'\\tz \\x1b]0;pwned\\x07\\x1b[2J\\x08\\r\\x9b\\u202e",
    ]
    for record in records:
        assert not any(value.startswith(FORMULA_TRIGGERS) for value in record.values())
        for column in columns_for("csv"):
            if column.kind is CellKind.NUMBER:
                assert int(record[column.key]) >= 0


_UNESCAPED = re.compile(r"(?<!\\)[&%]")


def test_hostile_latex_keeps_every_name_inside_its_cell() -> None:
    analysis = hostile()
    lines = report(analysis, "latex").splitlines()
    assert not any(CONTROLS.intersection(line) for line in lines)
    assert lines[0].startswith("% T \\textless{}script")
    assert lines[1] == r"% needs \usepackage{booktabs,longtable,array}"
    assert lines[5].startswith(r"\begin{longtable}")
    body = "\n".join(lines[2:])
    assert body.count(r"\begin{") == 1
    assert body.count(r"\end{") == 1
    assert "\\input" not in body
    first = lines.index(r"\endlastfoot") + 1
    rows = lines[first : first + len(analysis.layers)]
    for row, result in zip(rows, analysis.layers):
        assert row.startswith(f"{result.number} & ")
        assert len(_UNESCAPED.findall(row)) == len(columns_for("latex")) - 1
        unbraced = re.sub(r"\\[{}]", "", row)
        assert unbraced.count("{") == unbraced.count("}")


def test_hostile_json_keeps_names_exactly_and_escapes_controls() -> None:
    text = report(hostile(), "json")
    assert not {char for char in CONTROLS if ord(char) >= 0x7F}.intersection(text)
    data = json.loads(text)
    assert data["title"] == TITLE
    assert tuple(layer["name"] for layer in data["layers"][1:]) == NAMES


# -- explain: what each layer's count is ---------------------------------------------------------


def test_explain_states_no_bias_for_layers_without_one() -> None:
    text = report(analysis_of(SAMPLES / "resnet18.cnn"), "explain")
    conv1 = text.split("## 1. conv1")[1].split("## 2.")[0]
    assert "and no bias: `7*7*3*64 = 9408`" in conv1
    assert "plus one bias" not in conv1
    fc = text.split("## 69. fc")[1]
    assert "plus one bias per unit: `(512 + 1)*1000 = 513000`" in fc


def test_explain_lists_every_input_of_a_merge() -> None:
    text = report(analysis_of(SAMPLES / "inception.cnn"), "explain")
    merge = text.split("inception3a: concat")[1]
    assert (
        "- Inputs (4): inception3a.b1 (64x28x28), inception3a.conv1 (128x28x28), "
        "inception3a.conv2 (32x28x28), inception3a.conv3 (32x28x28)."
    ) in merge


def test_explain_tells_learned_frozen_and_running_apart() -> None:
    analysis = analyze(load_spec("I(1x8x8)-C(4,3,frozen)-N-F-H(10)", expr=True))
    text = report(analysis, "explain")
    assert "All 40 are learnable but frozen (not trained)." in text
    assert "Of these, 8 are learned and 8 are running statistics, not learned." in text
    assert text.startswith("# Network: 1,498 learnable parameters")
    assert "`40 + 8 + 1,450 = 1,498` learnable parameters (of which 40 frozen)" in text
    table = report(analysis, "table")
    assert "learnable parameters: 40 + 8 + 1,450 = 1,498 (of which 40 frozen)\n" in table
    assert "\n+ 8 running statistics, not learned\n" in table


def test_table_totals_give_the_learnable_count_papers_quote() -> None:
    lines = report(analysis_of(SAMPLES / "resnet50.cnn"), "table").splitlines()
    assert "learnable parameters: 25,557,032" in lines
    assert "+ 53,120 running statistics, not learned" in lines
