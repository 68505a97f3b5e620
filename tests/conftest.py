"""Shared test helpers and the `--update-golden` flag that rewrites reviewed golden files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cnndiagram.engine.analysis import Analysis, analyze
from cnndiagram.spec.load import load_spec

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command line as a real process, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "cnndiagram.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=env,
    )


def run(spec: str) -> Analysis:
    """Analyse inline spec text."""
    return analyze(load_spec(spec, expr=True))


def check_golden(path: Path, actual: str, update: bool) -> None:
    if update or not path.exists():
        if not update:
            pytest.fail(f"golden file {path.name} is missing; run pytest --update-golden")
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path.name} differs; review and run pytest --update-golden"
