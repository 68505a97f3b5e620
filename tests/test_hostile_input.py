"""Hostile spec text: each reader refuses it with one located, short, printable message, before
it costs time, memory or Python's recursion limit; arbitrary bytes never raise anything else."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnndiagram.errors import MESSAGE_CHARS, CnnDiagramError, LimitError, SpecError
from cnndiagram.ir import Network
from cnndiagram.limits import DEFAULT_LIMITS, MAX_DEPTH, MAX_INT_DIGITS, MAX_KEYS, Limits
from cnndiagram.source import EXCERPT_WIDTH, Source, Span
from cnndiagram.spec.load import SpecFormat, load_spec, parse_source

from conftest import cli

FORMATS: tuple[SpecFormat, ...] = ("dsl", "yaml", "toml", "json")


def error_of(text: str, fmt: SpecFormat, limits: Limits = DEFAULT_LIMITS) -> CnnDiagramError:
    with pytest.raises(CnnDiagramError) as caught:
        parse_source(Source(text, f"net.{fmt}"), fmt, limits)
    return caught.value


def where(error: CnnDiagramError) -> tuple[int, int]:
    assert error.source is not None and error.span is not None, error.format()
    return error.source.line_col(error.span.start)


# -- nesting ------------------------------------------------------------------------------------

DEEP = {
    "yaml flow": ("yaml", "[" * 10_000 + "]" * 10_000),
    "yaml block": (
        "yaml",
        "input: 1x8x8\nlayers:\n" + "".join("  " * i + "- residual:\n" for i in range(300)),
    ),
    "yaml mappings": ("yaml", "".join("  " * i + "a:\n" for i in range(5_000))),
    "toml arrays": ("toml", "a = " + "[" * 10_000 + "]" * 10_000),
    "toml unclosed": ("toml", "a = " + "[" * 10_000),
    "toml inline tables": ("toml", "a = " + "{b = " * 5_000 + "1" + "}" * 5_000),
    "toml table header": ("toml", "[" + ".".join(["a"] * 5_000) + "]\n"),
    "toml dotted key": ("toml", ".".join(["a"] * 5_000) + " = 1\n"),
    "json": ("json", '{"a": ' * 5_000 + "1" + "}" * 5_000),
}


@pytest.mark.parametrize("case", DEEP, ids=list(DEEP))
def test_nesting_stops_at_the_documented_depth(case: str) -> None:
    fmt, text = DEEP[case]
    error = error_of(text, fmt)  # type: ignore[arg-type]
    assert error.message == f"{fmt.upper()} nested more than {MAX_DEPTH} deep"
    where(error)
    assert len(error.format()) < 1000


def test_nesting_to_the_limit_is_read() -> None:
    # A mapping with one list inside the next, MAX_DEPTH collections in all.
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    error = error_of(text, "yaml")
    assert error.message.startswith("unknown top-level key 'a'")


# -- sizes --------------------------------------------------------------------------------------

BIG = "9" * 5_000
INTEGERS = {
    "yaml": f"input: {BIG}\n",
    "toml": f'title = "x"\ninput = {BIG}\n',
    "json": f'{{"input": {BIG}}}',
    "dsl": f"input({BIG})",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_integers_past_cpython_limit_are_located_errors(fmt: SpecFormat) -> None:
    text = INTEGERS[fmt]
    error = error_of(text, fmt)
    assert error.message == f"an integer of 5,000 digits; at most {MAX_INT_DIGITS} are read"
    assert error.span is not None and text[error.span.start] == "9"


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("toml", f'title = "{BIG}"  # {BIG}\ninput = "1x8x8"\n'),
        ("toml", f"input = \"1x8x8\"\ntitle = '''{BIG}'''\n"),
        ("yaml", f"input: 1x8x8\ntitle: '{BIG}'\n"),
        ("json", f'{{"input": "1x8x8", "title": "{BIG}"}}'),
    ],
)
def test_long_digit_strings_are_not_integers(fmt: SpecFormat, text: str) -> None:
    assert isinstance(parse_source(Source(text, "net"), fmt), Network)


def test_hex_integers_count_their_digits_too() -> None:
    error = error_of("input = 0x" + "f" * 200, "toml")
    assert error.message == f"an integer of 200 digits; at most {MAX_INT_DIGITS} are read"


def test_a_long_yaml_list_fails_fast_on_the_layer_limit() -> None:
    text = "input: 1x8x8\nlayers:\n" + "  - relu\n" * 400_000  # 3.6 MB
    started = time.perf_counter()
    error = error_of(text, "yaml")
    elapsed = time.perf_counter() - started
    assert isinstance(error, LimitError)
    assert error.hint == "raise the limit with --max-layers"
    assert where(error) == (10_003, 5)  # the first entry past 10,000
    assert elapsed < 5, elapsed  # parsing the whole file took 30 s


@pytest.mark.parametrize("fmt", ["yaml", "toml", "json"])
def test_lists_scale_with_max_layers(fmt: SpecFormat) -> None:
    layers = ["relu"] * 30
    text = {
        "yaml": "input: 1x8x8\nlayers: [" + ", ".join(layers) + "]\n",
        "toml": 'input = "1x8x8"\nlayers = [' + ", ".join(f'"{x}"' for x in layers) + "]\n",
        "json": json.dumps({"input": "1x8x8", "layers": layers}),
    }[fmt]
    error = error_of(text, fmt, Limits(max_layers=20))
    assert isinstance(error, LimitError)
    assert (
        error.message == "a list of more than 20 entries, more than the 20 layers a spec may have"
    )
    assert parse_source(Source(text, "net"), fmt, Limits(max_layers=40)).layers


def test_values_in_all_scale_with_max_layers() -> None:
    # No list holds more than 4 entries, the whole holds over 4 x 16 values.
    inner = "{residual: [relu, relu, relu, relu]}"
    text = "input: 1x8x8\nlayers:\n" + f"  - residual: [{', '.join([inner] * 4)}]\n" * 4
    error = error_of(text, "yaml", Limits(max_layers=4))
    assert isinstance(error, LimitError)
    assert error.message == (
        "the spec holds more than 64 values, over 16 for each of the 4 layers it may have"
    )
    assert error.hint == "raise the limit with --max-layers"
    assert parse_source(Source(text, "net.yaml"), "yaml", Limits(max_layers=1000)).layers


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_mapping_of_too_many_keys_is_refused(fmt: SpecFormat) -> None:
    members = {f"k{i}": 1 for i in range(MAX_KEYS + 1)}
    text = json.dumps({"input": "1x8x8", "layers": [{"conv": members}]})
    error = error_of(text, fmt)
    assert (
        error.message
        == f"a mapping of more than {MAX_KEYS} keys; no part of a spec takes that many"
    )
    assert error.source is not None and error.span is not None
    assert error.source.text[error.span.start :].startswith(f'"k{MAX_KEYS}"')


# -- JSON strings -------------------------------------------------------------------------------


def test_json_combines_surrogate_pairs_as_json_dumps_writes_them() -> None:
    text = json.dumps({"title": "net \U0001f600", "input": "1x8x8", "layers": ["relu"]})
    assert "\\ud83d\\ude00" in text
    assert parse_source(Source(text, "net.json")).title == "net \U0001f600"


@pytest.mark.parametrize(
    "escape", ["\\ud83d", "\\ude00", "\\ud83d\\u0041", "\\ud83d\\ud83d", "\\ude00\\ud83d"]
)
def test_json_refuses_lone_surrogates_where_they_are(escape: str) -> None:
    text = f'{{"input": "1x8x8", "title": "a{escape}"}}'
    error = error_of(text, "json")
    assert error.message.startswith("lone surrogate \\ud")
    assert error.span is not None
    assert error.span.start in (text.index("\\u"), text.index("\\u") + 6)
    assert error.span.end - error.span.start == 6


# -- locations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ('input = "1x8x8"\nlayers = [', (2, 11)),
        ('input = "1x8x8"\nlayers = [\n', (2, 11)),
        ('input = "1x8x8"\ntitle = "', (2, 10)),
        ('input = "1x8x8"\ntitle = """\n\n', (3, 1)),
    ],
)
def test_toml_errors_at_the_end_of_the_file_point_at_its_last_line(
    text: str, position: tuple[int, int]
) -> None:
    error = error_of(text, "toml")
    assert where(error) == position, error.format()
    assert "(at " not in error.message


def test_nul_bytes_are_located(tmp_path: Path) -> None:
    path = tmp_path / "net.cnn"
    path.write_bytes(b"input(1x8x8)\nconv(2,\x00 3)\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert where(caught.value) == (2, 8)
    assert caught.value.format().splitlines()[1:] == ["2 | conv(2,\\x00 3)", "  |        ^^^^"]


def test_yaml_characters_it_refuses_are_located() -> None:
    error = error_of("input: 1x8x8\ntitle: a\x07b\n", "yaml")
    assert error.message == (
        "invalid YAML: unacceptable character #x0007: special characters are not allowed"
    )
    assert where(error) == (2, 9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("input: !!int abc", "'abc' is not a YAML int"),
        ("input: !!float abc", "'abc' is not a YAML float"),
        ("input: !!bool maybe", "'maybe' is not a YAML bool"),
        ("input: !!map abc", "YAML tag '!!map' on a single value"),
    ],
)
def test_yaml_core_tags_on_bad_values_are_located_errors(text: str, message: str) -> None:
    error = error_of(text, "yaml")
    assert error.message == message
    assert where(error) == (1, 8)


def test_an_expression_with_bytes_that_are_not_utf8_is_refused() -> None:
    text = "input(1x8x8) -> relu" + b"\xff".decode("utf-8", "surrogateescape")
    with pytest.raises(SpecError) as caught:
        load_spec(text, expr=True)
    assert caught.value.message == "the expression is not valid UTF-8 text"
    assert where(caught.value) == (1, 21)


# -- message size and control characters -------------------------------------------------------


def test_excerpts_of_long_lines_are_a_window_around_the_column() -> None:
    text = "input(1x8x8) -> " + "relu -> " * 5_000 + "conv(2, 3, bad=1)"
    error = error_of(text, "dsl")
    message = error.format()
    assert len(message) < 600
    line, caret = message.splitlines()[1:3]
    assert line.startswith("1 | …") and line.endswith("bad=1)")
    assert len(line) <= len("1 | …") + EXCERPT_WIDTH
    assert line[caret.index("^") : caret.rindex("^") + 1] == "bad"


def test_short_lines_are_shown_whole() -> None:
    source = Source("input(1x8x8)\n" + "c" * EXCERPT_WIDTH + "\n", "net.cnn")
    assert source.excerpt(Span(20, 22)) == (
        "2 | " + "c" * EXCERPT_WIDTH + "\n  | " + " " * 7 + "^^"
    )


def test_messages_are_clipped() -> None:
    error = SpecError("x" * 5_000, hint="h" * 5_000, source=Source("a", "n" * 5_000))
    text = error.format()
    assert len(text) < 800
    head, hint = text.splitlines()
    assert head.startswith("…nnn") and head.endswith("x…")
    assert len(head) < MESSAGE_CHARS + 200
    assert hint.startswith("hint: hhh") and hint.endswith("h…")


TERMINAL = "\x1b]0;pwned\x07\x1b[2J\r\x08\x01\x9b\u202e"


def test_control_characters_in_messages_are_shown_as_escapes() -> None:
    text = f'input(1x8x8) -> conv(2, 3, "{TERMINAL}"=1)'
    error = error_of(text, "dsl")
    error.source = Source(text, f"net{TERMINAL}.cnn")
    error.hint = TERMINAL
    formatted = error.format()
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", formatted)
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\r\\x08\\x01\\x9b\\u202e" in formatted
    # The caret still points at the start of the offending text in the escaped line.
    line, caret = formatted.splitlines()[1:3]
    assert line[caret.index("^")] == text[error.span.start if error.span else 0]


def test_control_characters_from_the_command_line_are_escaped() -> None:
    result = cli("summary", f"no{TERMINAL}such.cnn")
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\\x1b]0;pwned" in result.stderr
    result = cli("summary", "-e", "input(1x8x8)", "-f", f"x{TERMINAL}")
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\\x1b]0;pwned" in result.stderr


# -- any input ----------------------------------------------------------------------------------

#: Characters that mean something to one of the readers, so random text gets past the first
#: token often enough to reach the nesting, number and string code.
SYNTAX = "()[]{},:;=->x0123456789 .\n\t\"'#\\@!&*|~+_eEuU" + "abcdefinputconvrelulayers"
TEXT = st.text(alphabet=st.one_of(st.sampled_from(SYNTAX), st.characters()), max_size=120)
HOSTILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_outcome(read: Callable[[], Network]) -> None:
    """A network, or the project's own error: short and printable (no raw control
    characters but the line breaks between its parts). Anything else fails the test."""
    try:
        assert isinstance(read(), Network)
    except CnnDiagramError as error:
        text = error.format()
        assert len(text) < 1500
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text)


@HOSTILE
@given(text=TEXT, fmt=st.sampled_from(FORMATS))
def test_any_text_gives_a_network_or_a_project_error(text: str, fmt: SpecFormat) -> None:
    check_outcome(lambda: parse_source(Source(text, f"net.{fmt}"), fmt))


@HOSTILE
@given(data=st.binary(max_size=120), fmt=st.sampled_from(FORMATS))
def test_any_bytes_give_a_network_or_a_project_error(data: bytes, fmt: SpecFormat) -> None:
    with tempfile.NamedTemporaryFile("wb", suffix=f".{fmt}", delete=False) as handle:
        handle.write(data)
    try:
        check_outcome(lambda: load_spec(handle.name, fmt=fmt))
    finally:
        os.unlink(handle.name)


@HOSTILE
@given(
    prefix=st.sampled_from(["", "input: 1x8x8\nlayers:\n  - ", 'input = "1x8x8"\nx = ', '{"a": ']),
    nested=st.integers(0, 60),
    middle=TEXT,
    fmt=st.sampled_from(FORMATS),
)
def test_nested_and_truncated_text_gives_a_project_error(
    prefix: str, nested: int, middle: str, fmt: SpecFormat
) -> None:
    opener = {"dsl": "repeat(2) {", "yaml": "[", "toml": "[", "json": "["}[fmt]
    text = prefix + opener * nested + middle
    check_outcome(lambda: parse_source(Source(text, f"net.{fmt}"), fmt))
