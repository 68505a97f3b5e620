"""`summary --detail blocks|stages`: one row per unit, in every table format. The rows'
counts add up to the network's, each row's sum evaluates to its count, the plain table fits
100 columns at `stages` for every sample (and loses nothing when it wraps), and `layers`
is the per-layer table, unchanged.

Golden files: tests/golden/reports/<sample>.stages.<ext>; rewrite them after a reviewed
change with `pytest tests/test_unit_report.py --update-golden`."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from cnndiagram.engine.analysis import Analysis, analyze
from cnndiagram.errors import OptionError
from cnndiagram.escapes.terminal import CONTROLS
from cnndiagram.loading import load_network
from cnndiagram.options import OPTION_TABLE, TABLE_DETAILS, Detail
from cnndiagram.report import REPORT_FORMATS, TEXT_WIDTH, report, shown_in, text_footer
from cnndiagram.unit_report import UNIT_COLUMNS, UnitRow, summary_report, unit_rows
from cnndiagram.units import units

from conftest import ROOT, SAMPLES, check_golden, cli
from markdown_checks import render_markdown
from test_reports import hostile

GOLDEN = Path(__file__).resolve().parent / "golden" / "reports"
#: Every sample, in every format the loaders read (the `.py` one too).
SAMPLE_FILES = sorted(path for path in SAMPLES.iterdir() if path.is_file())
LEVELS = (Detail.BLOCKS, Detail.STAGES)


def analysis_of(path: Path) -> Analysis:
    return analyze(load_network(path))


def _evaluate(formula: str) -> int:
    """An ASCII formula `expression = result`: the expression's value, checked to be digits
    and operators only before Python evaluates it."""
    expression, result = formula.rsplit(" = ", 1) if " = " in formula else (formula, formula)
    assert re.fullmatch(r"[\d +*/()]+", expression), formula
    value = eval(expression, {"__builtins__": {}})  # digits and operators only, checked above
    assert value == int(result), formula
    return int(value)


# -- the counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda path: path.name)
def test_the_rows_add_up_to_the_network(sample: Path, level: Detail) -> None:
    analysis = analysis_of(sample)
    data = json.loads(summary_report(analysis, "json", level))
    rows = data["units"]
    assert sum(row["learnable"] for row in rows) == analysis.learnable_params
    assert sum(row["running"] for row in rows) == analysis.running_params
    assert sum(row["params"] for row in rows) == analysis.total_params
    for row in rows:
        # Each row's sum is honest: it evaluates to the row's learnable count.
        assert _evaluate(row["formulas"]["learnable"]) == row["learnable"]
        assert sum(row["instances"]) == row["learnable"]
        assert len(row["instances"]) == row["repeats"]
    # The units cut the layers in order, every layer once.
    assert [name for row in rows for name in row["layers"]] == [
        layer["name"] for layer in data["layers"]
    ]
    assert data["detail"] == str(level)
    assert data["learnable_params"] == analysis.learnable_params


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda path: path.name)
def test_csv_gives_one_row_per_unit_of_the_header_width(sample: Path, level: Detail) -> None:
    analysis = analysis_of(sample)
    text = summary_report(analysis, "csv", level)
    header, *body = list(csv.reader(io.StringIO(text)))
    assert header == [column.key for column in shown_in(UNIT_COLUMNS, "csv")]
    made = units(analysis, level)
    assert [len(row) for row in body] == [len(header)] * len(made)
    records = list(csv.DictReader(io.StringIO(text)))
    for record, unit in zip(records, made):
        assert record["name"] == unit.name
        assert int(record["repeats"]) == unit.repeats
        assert int(record["learnable"]) == unit.learnable
        assert int(record["running"]) == unit.running
        assert _evaluate(record["learnable_formula"]) == unit.learnable
    assert sum(int(record["learnable"]) for record in records) == analysis.learnable_params


# -- the plain table ----------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda path: path.name)
def test_the_stages_table_fits_100_columns(sample: Path) -> None:
    analysis = analysis_of(sample)
    text = summary_report(analysis, "table", Detail.STAGES)
    widest = max(text.splitlines(), key=len)
    assert len(widest) <= TEXT_WIDTH, widest
    # The totals are the per-layer table's own, to the letter.
    assert text.endswith("\n\n" + "\n".join(text_footer(analysis)) + "\n")
    assert text.endswith(report(analysis, "table").split("\n\n")[-1])


def _read_back(text: str, title: bool) -> list[list[str]]:
    """The cells of a plain table of units, each wrapped cell joined back into one line: a
    row begins where the name column has text; the columns are where the rule's dashes are."""
    lines = text.split("\n\n")[1 if title else 0].splitlines()
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[1])]
    rows: list[list[list[str]]] = []
    for line in lines[2:]:
        # The last column is right-aligned and a line is stripped: pad it to the rule.
        padded = line.ljust(spans[-1][1])
        cells = [padded[start:end].strip() for start, end in spans]
        if cells[0]:
            rows.append([[cell] if cell else [] for cell in cells])
        else:
            for pieces, cell in zip(rows[-1], cells):
                pieces.extend([cell] if cell else [])
    return [[" ".join(parts) for parts in row] for row in rows]


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda path: path.name)
def test_wrapped_cells_read_back_as_written(sample: Path, level: Detail) -> None:
    analysis = analysis_of(sample)
    text = summary_report(analysis, "table", level)
    columns = shown_in(UNIT_COLUMNS, "table")
    expected = [[column.text(row) for column in columns] for row in unit_rows(analysis, level)]
    assert _read_back(text, bool(analysis.network.title)) == expected


def test_resnet50_stages_are_the_papers_table(update_golden: bool) -> None:
    text = summary_report(analysis_of(SAMPLES / "resnet50.cnn"), "table", "stages")
    check_golden(GOLDEN / "resnet50.stages.table.txt", text, update_golden)
    assert "layer3 x6  residual 1x1, 3x3, 1x1" in text
    assert "1,512,448 + 5*1,117,184 = 7,098,368       20,480" in text


def test_readme_shows_the_resnet50_stages_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "$ cnndiagram summary samples/resnet50.cnn --detail stages" in readme
    assert (GOLDEN / "resnet50.stages.table.txt").read_text(encoding="utf-8") in readme


# -- the other formats --------------------------------------------------------------------------

GOLDEN_FORMATS = {"table": ".table.txt", "markdown": ".markdown.md", "csv": ".csv", "latex": ".tex"}


@pytest.mark.parametrize("fmt", GOLDEN_FORMATS)
def test_golden_resnet18_stages(fmt: str, update_golden: bool) -> None:
    text = summary_report(analysis_of(SAMPLES / "resnet18.cnn"), fmt, "stages")
    check_golden(GOLDEN / f"resnet18.stages{GOLDEN_FORMATS[fmt]}", text, update_golden)


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
@pytest.mark.parametrize("sample", ["seed.cnn", "resnet18.cnn"])
def test_layers_is_the_per_layer_report_unchanged(sample: str, fmt: str) -> None:
    analysis = analysis_of(SAMPLES / sample)
    assert summary_report(analysis, fmt) == report(analysis, fmt)
    assert summary_report(analysis, fmt, "layers") == report(analysis, fmt)


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda path: path.name)
def test_markdown_renders_every_unit_cell_as_written(sample: Path, level: Detail) -> None:
    analysis = analysis_of(sample)
    html = render_markdown(summary_report(analysis, "markdown", level))
    assert set(html.tags) <= {"h3", "p", "strong", "table", "thead", "tbody", "tr", "th", "td"} | {
        "code"
    }
    columns = shown_in(UNIT_COLUMNS, "markdown")
    cells = [cell for cell, tag in zip(html.cells, html.block_tags) if tag in ("th", "td")]
    table = [cells[i : i + len(columns)] for i in range(0, len(cells), len(columns))]
    assert table[0] == [column.header for column in columns]
    rows = unit_rows(analysis, level)
    assert table[1:] == [[column.text(row) for column in columns] for row in rows]


def test_latex_rows_typeset_the_signs_as_math() -> None:
    text = summary_report(analysis_of(SAMPLES / "resnet50.cnn"), "latex", "stages")
    layer1 = next(line for line in text.splitlines() if line.startswith("layer1 "))
    assert layer1.startswith(r"layer1 $\times$3 & residual 1$\times$1, 3$\times$3, 1$\times$1 ")
    assert r"$\cdot$ 256 + projection" in layer1
    assert r"$75{,}008 + 2 \cdot 70{,}400 = 215{,}808$ & 2,816 \\" in layer1
    assert not re.search(r"[^\x00-\x7f]", text.split("\n", 1)[1])  # ASCII after the title


def test_hostile_names_stay_inside_their_cells_at_every_level() -> None:
    analysis = hostile()
    for level in LEVELS:
        table = summary_report(analysis, "table", level)
        assert not any(CONTROLS.intersection(line) for line in table.splitlines())
        markdown = summary_report(analysis, "markdown", level)
        assert "<" not in markdown
        assert set(render_markdown(markdown).tags) <= {"h3", "p", "strong", "table"} | {
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "code",
        }
        latex = summary_report(analysis, "latex", level)
        assert not any(CONTROLS.intersection(line) for line in latex.splitlines())
        assert latex.count(r"\begin{") == 1 and latex.count(r"\end{") == 1
        assert "\\input" not in latex.split("\n", 1)[1]
        data = json.loads(summary_report(analysis, "json", level))
        assert [name for unit in data["units"] for name in unit["layers"]][1:] == [
            layer["name"] for layer in data["layers"]
        ][1:]


# -- the option ---------------------------------------------------------------------------------


def test_the_option_is_the_figures_with_the_tables_levels() -> None:
    from click import Choice

    from cnndiagram.cli import summary

    option = next(param for param in summary.params if param.name == "detail")
    assert isinstance(option.type, Choice)
    assert tuple(option.type.choices) == tuple(str(level) for level in TABLE_DETAILS)
    assert set(option.type.choices) < set(OPTION_TABLE["detail"].choices)
    assert option.default == "layers"
    assert option.opts == [OPTION_TABLE["detail"].cli_flag]


def test_a_summary_of_layers_imports_neither_the_units_nor_the_option_table() -> None:
    """docs/dependencies.md: `summary` never loads the option table (start-up is paid by
    every command); only a level other than `layers` loads it, with the units."""
    import subprocess
    import sys

    probe = (
        "import sys, contextlib, io\n"
        "from cnndiagram.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['summary', 'samples/seed.cnn', *sys.argv[1:]], standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m in "
        "('cnndiagram.options', 'cnndiagram.units', 'cnndiagram.unit_report')))\n"
    )

    def loaded(*args: str) -> str:
        run = subprocess.run(
            [sys.executable, "-c", probe, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert loaded() == "[]"
    assert loaded("-f", "json") == "[]"
    assert loaded("--detail", "stages") == (
        "['cnndiagram.options', 'cnndiagram.unit_report', 'cnndiagram.units']"
    )


@pytest.mark.parametrize(
    ("detail", "fmt", "message"),
    [
        ("auto", "table", "a summary takes layers, blocks, stages, not 'auto'"),
        ("cubes", "table", "a summary takes layers, blocks, stages, not 'cubes'"),
        ("stages", "explain", "--detail stages: explain derives every layer"),
    ],
)
def test_levels_a_table_cannot_take_are_option_errors(detail: str, fmt: str, message: str) -> None:
    with pytest.raises(OptionError) as caught:
        summary_report(analysis_of(SAMPLES / "seed.cnn"), fmt, detail)
    assert message in caught.value.message
    assert caught.value.exit_code == 2


def test_the_cli_prints_stages_and_refuses_explain_at_stages() -> None:
    result = cli("summary", "samples/resnet50.cnn", "--detail", "stages")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GOLDEN / "resnet50.stages.table.txt").read_text(encoding="utf-8")
    refused = cli("summary", "samples/seed.cnn", "-f", "explain", "--detail", "blocks")
    assert refused.returncode == 2
    assert "explain derives every layer" in refused.stderr
    assert cli("summary", "samples/seed.cnn", "--detail", "auto").returncode == 2


def test_a_batch_summarises_every_spec_at_the_level(tmp_path: Path) -> None:
    out = tmp_path / "nets.json"
    result = cli(
        "summary",
        "samples/seed.cnn",
        "samples/resnet18.cnn",
        "--detail",
        "stages",
        "-f",
        "json",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    documents = json.loads(out.read_text(encoding="utf-8"))
    assert [document["spec"] for document in documents] == [
        "samples/seed.cnn",
        "samples/resnet18.cnn",
    ]
    assert [unit["name"] for unit in documents[1]["units"]] == [
        "input",
        "stem",
        "layer1",
        "layer2",
        "layer3",
        "layer4",
        "head",
    ]
    table = cli("summary", "samples/seed.cnn", "samples/resnet18.cnn", "--detail", "stages")
    assert "==> samples/resnet18.cnn <==\nResNet-18\n\nname " in table.stdout
    rows = list(
        csv.reader(
            io.StringIO(
                cli(
                    "summary",
                    "samples/seed.cnn",
                    "samples/lenet5.cnn",
                    "--detail",
                    "blocks",
                    "-f",
                    "csv",
                ).stdout
            )
        )
    )
    assert rows[0][:3] == ["spec", "name", "repeats"]
    assert {row[0] for row in rows[1:]} == {"samples/seed.cnn", "samples/lenet5.cnn"}


def test_unit_rows_carry_their_formula() -> None:
    analysis = analysis_of(SAMPLES / "densenet121.cnn")
    block = next(row for row in unit_rows(analysis, Detail.STAGES) if row.unit.repeats == 24)
    assert isinstance(block, UnitRow)
    assert str(block.formula) == "24*(70400 + 166080)//2 = 2837760"
    assert block.formula.text("latex", group=True) == (
        r"24 \cdot \left(70{,}400 + 166{,}080\right)/2 = 2{,}837{,}760"
    )
