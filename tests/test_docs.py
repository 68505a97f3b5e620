"""The examples in the documentation are specs that work."""

from __future__ import annotations

import re

import pytest

from cnndiagram.engine.analysis import analyze
from cnndiagram.source import Source
from cnndiagram.spec.load import load_spec, parse_source

from conftest import ROOT

DOCS = [ROOT / "README.md", ROOT / "docs" / "spec-language.md"]
BLOCKS = [
    (path.name, number, language, code)
    for path in DOCS
    for number, (language, code) in enumerate(
        re.findall(r"```(\w*)\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    )
]
SPECS = [
    (n, i, lang, code)
    for n, i, lang, code in BLOCKS
    if lang in ("", "cnn") and code.lstrip().startswith(("input(", "title", "# "))
]
YAML = [(n, i, lang, code) for n, i, lang, code in BLOCKS if lang == "yaml"]


def test_the_docs_have_examples() -> None:
    assert len(SPECS) >= 3
    assert len(YAML) >= 2


@pytest.mark.parametrize(("doc", "number", "language", "code"), SPECS)
def test_dsl_examples_analyse(doc: str, number: int, language: str, code: str) -> None:
    analyze(load_spec(code, expr=True))


@pytest.mark.parametrize(("doc", "number", "language", "code"), YAML)
def test_yaml_examples_analyse(doc: str, number: int, language: str, code: str) -> None:
    if not code.lstrip().startswith(("title", "input", "#")):
        code = "input: 3x32x32\n" + code
    analyze(parse_source(Source(code, "example.yaml")))
