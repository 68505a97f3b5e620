"""The paper in docs/papers.md, compiled as a user would: the figures and the table made with
the commands it shows, then the document it shows, with a real pdflatex."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, cli

DOC = ROOT / "docs" / "papers.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing; .ci/run installs it")
        pytest.skip(f"{tool} is not installed")


def compile_latex(directory: Path, name: str, runs: int = 1) -> str:
    """`name` in `directory` through pdflatex as a user would run it; its log, after the
    run succeeded."""
    need("pdflatex")
    stem = Path(name).stem
    for _ in range(runs):
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        log = (directory / f"{stem}.log").read_text(encoding="latin-1")
        assert run.returncode == 0, log[-3000:]
    return log


def test_the_papers_page_compiles_with_pdflatex(tmp_path: Path) -> None:
    need("pdflatex")
    need("pdffonts")
    for line in blocks("sh")[0].strip().splitlines():
        words = shlex.split(line)
        assert words[0] == "cnndiagram"
        words = [str(ROOT / w) if w.startswith("samples/") else w for w in words]
        words = [str(tmp_path / w) if w.endswith((".pdf", ".tex")) else w for w in words]
        result = cli(*words[1:])
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""  # each figure fits its page: no warning
    (tmp_path / "paper.tex").write_text(blocks("latex")[0], encoding="utf-8")
    log = compile_latex(tmp_path, "paper.tex", runs=2)  # the second resolves the references
    # the figures are made for the column and the text width: they fit, unscaled
    assert "Overfull" not in log and "Float too large" not in log, log[-3000:]
    assert "undefined" not in log
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "paper.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" for row in fonts), fonts
    assert any("cnndiagramSerif" in row for row in fonts)
    assert any("DejaVuSans" in row for row in fonts)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "paper.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "(5·5·1 + 1)·32 = 832" in text  # the figure's formulas are text in the paper
    assert "217" in text and "706" in text
    # The TikZ route: the figure's labels are set in the paper's own font (Computer Modern
    # bold for the layer names), not in the figure's embedded one.
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(tmp_path / "paper.pdf") as paper:
        fonts = {
            word["fontname"].split("+")[-1]
            for page in paper.pages
            for word in page.extract_words(extra_attrs=["fontname"])
            if word["text"] == "conv2d1"
        }
    assert any(name.startswith("CMBX") for name in fonts), fonts
    assert any("DejaVu" in name for name in fonts), fonts  # and the PDF route's


def test_the_slide_command_makes_an_editable_deck(tmp_path: Path) -> None:
    pptx = pytest.importorskip("pptx")
    command = shlex.split(blocks("sh")[1].strip())
    command = [str(ROOT / w) if w.startswith("samples/") else w for w in command]
    command = [str(tmp_path / w) if w.endswith(".pptx") else w for w in command]
    result = cli(*command[1:])
    assert result.returncode == 0, result.stderr
    deck = pptx.Presentation(str(tmp_path / "resnet18.pptx"))
    assert len(deck.slides) == 1
    shapes = list(deck.slides[0].shapes)
    assert shapes and all(shape.shape_type != 13 for shape in shapes)  # 13: a picture
