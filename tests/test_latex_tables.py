"""`summary -f latex` in a standard article, compiled with a real pdflatex for every sample
at every level of detail (`--detail layers|blocks|stages`): the table fits the text width
(no overfull box, not even ResNet-50's 160 rows, which run over several pages), needs only
the packages its comment line names, sets no character from a bitmap font, and has the
totals."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cnndiagram.engine.analysis import analyze
from cnndiagram.loading import load_network
from cnndiagram.options import TABLE_DETAILS, Detail
from cnndiagram.unit_report import summary_report, unit_rows

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


@pytest.mark.parametrize("detail", TABLE_DETAILS, ids=str)
@pytest.mark.parametrize("sample", TABLE_SAMPLES, ids=lambda path: path.name)
def test_latex_table_compiles_within_the_text_width(
    sample: Path, detail: Detail, tmp_path: Path
) -> None:
    need("pdftotext")
    analysis = analyze(load_network(sample))
    table = summary_report(analysis, "latex", detail)
    (tmp_path / "table.tex").write_text(table, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(document(table), encoding="utf-8")
    log = compile_latex(tmp_path, "doc.tex")
    assert "Overfull" not in log and "Float too large" not in log, log[-3000:]
    assert "Missing character" not in log and "Unicode character" not in log
    # Every glyph from the article's Type 1 fonts: a sign missing from them would be drawn
    # from a bitmap font that METAFONT makes on the fly (TS1's `→` or `·`, say).
    # (The log names each font file it embeds, `tcrm1000.600pk` for such a one, on lines
    # it breaks at 79 characters.)
    assert not re.search(r"\.\d+pk>", log.replace("\n", "")), log[-3000:]
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
    if detail is not Detail.LAYERS:
        flat = " ".join(text.split())
        for row in unit_rows(analysis, detail):
            assert f"{row.unit.learnable:,}" in flat
