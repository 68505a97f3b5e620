"""The escaping modules, one per syntax: their doctests, and properties checked against a real
parser where there is one (Markdown through markdown-it, CSV through `csv`, JSON through
`json`): whatever the text, it comes back as written, or as the visible form of its control
characters, and never as markup."""

from __future__ import annotations

import csv
import doctest
import importlib
import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnndiagram.escapes.csv import FORMULA_TRIGGERS, escape_csv_cell
from cnndiagram.escapes.json import escape_json_controls
from cnndiagram.escapes.latex import escape_latex, escape_latex_ascii
from cnndiagram.escapes.markdown import code_span, escape_markdown
from cnndiagram.escapes.terminal import CONTROLS, escape_controls

from markdown_checks import render_markdown

MODULES = ["terminal", "markdown", "csv", "latex", "json", "xml", "number"]

#: Text with every kind of character the escapers care about, mixed with ordinary ones.
HOSTILE = st.text(
    st.one_of(
        st.sampled_from(list("\\`*_[]()<>&|~$#{}:!=+-@'\" \t\r\n\x00\x07\x08\x1b\x7f\x9b")),
        st.sampled_from(["\u2028", "\u2029", "\u202e", "\u2066", "\xa0", "\u3000", "é", "中"]),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"cnndiagram.escapes.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


# -- terminal -----------------------------------------------------------------------------------


@given(HOSTILE)
def test_terminal_text_has_no_control_character_and_one_line(text: str) -> None:
    shown = escape_controls(text)
    assert not CONTROLS.intersection(shown)
    assert len(shown.splitlines()) <= 1
    assert escape_controls(shown) == shown


def test_terminal_escapes_each_control_class() -> None:
    assert escape_controls("\x1b]0;pwned\x07\x1b[2J") == r"\x1b]0;pwned\x07\x1b[2J"
    assert escape_controls("a\x00b\x08c\rd\x85e\x9bf") == r"a\x00b\x08c\rd\x85e\x9bf"
    assert escape_controls("\u202egnp.exe") == r"\u202egnp.exe"
    assert escape_controls("Réseau ← 5×5 \\x1b") == "Réseau ← 5×5 \\x1b"


# -- markdown -----------------------------------------------------------------------------------


@given(HOSTILE)
def test_markdown_text_renders_as_written_in_a_table_cell(text: str) -> None:
    html = render_markdown(f"| a | b |\n|:--|--:|\n| {escape_markdown(text)} | x |\n")
    assert html.tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert html.cells[2:] == [escape_controls(text), "x"]


@given(HOSTILE)
def test_markdown_text_renders_as_written_in_a_heading(text: str) -> None:
    html = render_markdown(f"### {escape_markdown(text)}\n")
    assert html.tags == ["h3"]
    assert html.cells == [escape_controls(text)]


@given(HOSTILE)
def test_markdown_code_span_renders_as_written(text: str) -> None:
    html = render_markdown(f"see {code_span(text)} here\n")
    assert html.tags == (["p", "code"] if text else ["p"])
    assert html.cells == [f"see {escape_controls(text)} here"]


@given(HOSTILE)
def test_markdown_code_span_in_a_table_cell(text: str) -> None:
    html = render_markdown(f"| a |\n|:--|\n| {code_span(text, table_cell=True)} |\n")
    assert html.tags[-1] == ("code" if text else "td")
    assert html.cells[1] == escape_controls(text)


def test_markdown_payloads_never_reach_the_output_raw() -> None:
    for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"):
        escaped = escape_markdown(payload)
        assert "<" not in escaped
        assert ">" not in escaped
        assert render_markdown(f"### {escaped}\n").tags == ["h3"]
    assert render_markdown(escape_markdown("[x](javascript:alert(1))")).tags == ["p"]
    assert render_markdown(escape_markdown("![x](http://x/y.png)")).tags == ["p"]


# -- csv ----------------------------------------------------------------------------------------


@given(HOSTILE)
def test_csv_cells_never_start_a_formula(text: str) -> None:
    cell = escape_csv_cell(text)
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert cell in (text, "'" + text)
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell, 1])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [cell, "1"]


def test_csv_prefixes_each_trigger_and_nothing_else() -> None:
    for trigger in ("=", "+", "-", "@", "\t", "\r"):
        assert escape_csv_cell(f"{trigger}1+1") == f"'{trigger}1+1"
    for text in ("conv2d1", "1-2", " =1", "a@b", ""):
        assert escape_csv_cell(text) == text


# -- latex --------------------------------------------------------------------------------------

_LATEX_COMMANDS = re.compile(
    r"\\text(backslash|asciitilde|asciicircum|less|greater|bar)\{\}|\\[&%$#_{}]"
    r"|\$\\(times|leftarrow|rightarrow|cdot)\$|\\dots\{\}"
)


@given(HOSTILE)
def test_latex_text_has_no_active_character_and_one_line(text: str) -> None:
    escaped = escape_latex(text)
    rest = _LATEX_COMMANDS.sub("", escaped)
    assert not set(rest) & set("\\{}$&#^_%~<>|")
    assert not CONTROLS.intersection(escaped)
    assert len(escaped.splitlines()) <= 1


#: Every command `escape_latex_ascii` writes: the specials' escapes, math symbols, accents
#: and letters, and the fallback `\cnnchar{<hex>}`; and the groups that stop ligatures.
_ASCII_COMMANDS = re.compile(
    r"\\text(backslash|asciitilde|asciicircum|less|greater|bar|superscript|endash|emdash)"
    r"|\\[&%$#_{},]|\\(times|cdot|lfloor|rfloor|lceil|rceil|leftarrow|rightarrow|leq|geq"
    r"|approx|surd|Sigma|pm|dots|ss|ae|AE|oe|OE|o|O|aa|AA|i|l|L)(?![A-Za-z])"
    r"|\\cnnchar\{[0-9A-F]{4,6}\}|\\char`\\\"|\\[`'^~=u.\"rHvck]\{"
)


@given(HOSTILE)
def test_latex_ascii_text_is_ascii_and_spells_no_other_command(text: str) -> None:
    escaped = escape_latex_ascii(text)
    assert escaped.isascii()
    assert "\\" not in _ASCII_COMMANDS.sub("", escaped)  # no other command
    assert "^^" not in escaped and "%" not in escaped.replace("\\%", "")
    assert len(escaped.splitlines()) <= 1


def test_latex_ascii_maps_the_figures_symbols_to_math() -> None:
    assert escape_latex_ascii("5×5 · 3−1 ⌊x⌋ ⌈y⌉ 2² a\u2009b") == (
        r"5$\times$5 $\cdot$ 3$-$1 $\lfloor$x$\rfloor$ $\lceil$y$\rceil$ 2\textsuperscript{2} a\,b"
    )
    assert escape_latex_ascii("naïve Ça 😀") == r"na{\"{\i}}ve {\c{C}}a \cnnchar{1F600}"


def test_latex_title_stays_inside_its_comment() -> None:
    line = "% " + escape_latex("t\n\\end{tabular}\r\\input{/etc/passwd}\u2028x")
    assert line.splitlines() == [line]
    assert "\\end{" not in line
    assert "\\input{" not in line


# -- json ---------------------------------------------------------------------------------------


@given(st.dictionaries(HOSTILE, HOSTILE, max_size=3))
def test_json_keeps_the_value_and_escapes_every_control(value: dict[str, str]) -> None:
    text = escape_json_controls(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value
    assert not CONTROLS.intersection(text.replace("\n", ""))
