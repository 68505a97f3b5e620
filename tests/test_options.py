"""Options declared once: the CLI's flags, the API's keywords and their checks all come from
`cnndiagram.options.OPTIONS`, and a bad value is a usage error (exit 2), not a spec error."""

from __future__ import annotations

import re

import pytest

from cnndiagram.diagram import Diagram, render
from cnndiagram.errors import OptionError, SpecError
from cnndiagram.options import (
    OPTIONS,
    FigureOptions,
    OutputOptions,
    Style,
    figure_options,
    output_options,
    parse_option,
)

from conftest import cli

SEED = "I(1x28x28)-C(32,5)-P(2)-C(32,3)-P(2)-H(256)-O(10)"


def test_every_field_of_both_option_objects_is_declared_once() -> None:
    declared = [option.name for option in OPTIONS]
    assert len(declared) == len(set(declared))
    assert sorted(declared) == sorted(FigureOptions._fields + OutputOptions._fields)


def test_the_cli_offers_every_declared_option_with_its_help() -> None:
    result = cli("render", "--help")
    assert result.returncode == 0
    flat = " ".join(result.stdout.split())
    for option in OPTIONS:
        assert option.cli_flag in result.stdout
        assert " ".join(option.help.split())[:30] in flat
        if option.flag and option.negatable:
            assert f"--no-{option.cli_flag[2:]}" in result.stdout
        for choice in option.choices:
            assert re.search(rf"{re.escape(option.cli_flag)} \[[^]]*\b{choice}\b", result.stdout)


def test_defaults_live_in_the_option_objects_only() -> None:
    assert figure_options() == FigureOptions()
    assert output_options() == OutputOptions()
    for option in OPTIONS:
        default = option.default
        assert parse_option(option.name, default) == default


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("theme", "sepia", "--theme: unknown theme 'sepia'; choose from light, dark, print"),
        ("style", "cubes", "--style: unknown style 'cubes'; choose from blocks, flat, graph"),
        ("annotate", "size,colour", "unknown annotation 'colour'"),
        ("font_size", "nan", "--font-size: the font size must be from 4 to 72, not 'nan'"),
        ("font_size", 3, "the font size must be from 4 to 72, not 3"),
        ("max_width", 99, "--max-width: the maximum width must be at least 100, not 99"),
        ("scale", float("inf"), "the scale must be from 0.1 to 16"),
        ("dpi", "x", "--dpi: the resolution must be a number, not 'x'"),
        ("max_pixels", 1.5, "the pixel limit must be a whole number"),
        ("fold", "maybe", "--fold: expected true or false, not 'maybe'"),
    ],
)
def test_bad_values_are_option_errors_with_exit_status_2(
    name: str, value: object, message: str
) -> None:
    with pytest.raises(OptionError) as caught:
        parse_option(name, value)
    assert message in caught.value.message
    assert caught.value.exit_code == 2
    assert not isinstance(caught.value, SpecError)


def test_text_values_parse_to_typed_values() -> None:
    options = figure_options(style="flat", annotate="size, rf", fold="no", font_size="9")
    assert options.style is Style.FLAT
    assert [str(a) for a in options.annotate] == ["size", "rf"]
    assert options.fold is False and options.font_size == 9.0
    assert str(options.style) == "flat" and f"{options.style}" == "flat"


def test_api_keywords_are_checked_through_the_same_table() -> None:
    with pytest.raises(OptionError, match="unknown option 'colour'"):
        Diagram(SEED, colour="red")
    with pytest.raises(OptionError, match="'scale' is an output option"):
        Diagram(SEED, scale=2)
    with pytest.raises(OptionError, match="unknown theme"):
        render(SEED, "unused.svg", theme="sepia")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scale", "nan"), "the scale must be from 0.1 to 16, not 'nan'"),
        (("--dpi", "nan"), "the resolution must be from 10 to 2400, not 'nan'"),
        (("--font-size", "100"), "the font size must be from 4 to 72"),
        (("--theme", "sepia"), "Invalid value for '--theme'"),
        (("--max-pixels", "0"), "the pixel limit must be at least 1"),
    ],
)
def test_cli_option_errors_exit_2_and_write_nothing(
    args: tuple[str, ...], message: str, tmp_path: object
) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "x.png"
    result = cli("render", "-e", SEED, "-o", str(target), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists()
