"""`summary -f latex` in a standard article, compiled with a real pdflatex for every sample:
the table fits the text width (no overfull box, not even ResNet-50's 160 rows, which run
over several pages), needs only the packages its comment line names, and has the totals."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cnndiagram.engine.analysis import analyze
from cnndiagram.loading import load_network
from cnndiagram.report import report

from conftest import SAMPLES
from test_papers import compile_latex, need

TABLE_SAMPLES = sorted(path for path in SAMPLES.iterdir() if path.is_file())


def document(table: str) -> str:
    """A plain article that loads what the table's first line asks for, and nothing else."""
    packages = re.search(r"^% needs \\usepackage\{([a-z,]+)\}$", table, re.M)
    assert packages is not None, table.splitlines()[:2]
    return "\n".join(
        [
            r"\documentclass{article}",
            rf"\usepackage{{{packages.group(1)}}}",
            r"\begin{document}",
            r"\input{table.tex}",
            r"\end{document}",
        ]
    )


@pytest.mark.parametrize("sample", TABLE_SAMPLES, ids=lambda path: path.name)
def test_latex_table_compiles_within_the_text_width(sample: Path, tmp_path: Path) -> None:
    need("pdftotext")
    analysis = analyze(load_network(sample))
    table = report(analysis, "latex")
    (tmp_path / "table.tex").write_text(table, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(document(table), encoding="utf-8")
    log = compile_latex(tmp_path, "doc.tex")
    assert "Overfull" not in log and "Float too large" not in log, log[-3000:]
    assert "Missing character" not in log and "Unicode character" not in log
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "doc.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total = f"{analysis.learnable_params:,}"
    assert f"learnable parameters: {total}" in " ".join(text.split()) or total in text
    if analysis.running_params:
        assert f"{analysis.running_params:,} running statistics, not learned" in text
