"""Error text is a contract: every malformed spec in tests/invalid/ gives exactly the message in
its `.err` file (located, with the line and a caret). `pytest --update-golden` rewrites them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import CnnDiagramError
from cnndiagram.spec.load import load_spec

from conftest import check_golden

INVALID = Path(__file__).resolve().parent / "invalid"
CASES = sorted(p for p in INVALID.iterdir() if p.suffix != ".err")


def error_text(path: Path) -> str:
    with pytest.raises(CnnDiagramError) as caught:
        analyze(load_spec(path.relative_to(INVALID.parent.parent)))
    return caught.value.format() + "\n"


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_invalid_spec_message(
    path: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(INVALID.parent.parent)
    text = error_text(path)
    first = text.splitlines()[0]
    assert first.startswith(f"tests/invalid/{path.name}")
    assert ": error: " in first
    check_golden(path.with_suffix(path.suffix + ".err"), text, update_golden)


def test_every_located_error_has_a_caret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID.parent.parent)
    for path in CASES:
        text = error_text(path)
        if path.name != "empty.cnn":
            assert "^" in text, path.name
