"""Rich display in Jupyter: a notebook executed by nbclient on a real IPython kernel, and the
HTML of an analysis (escaping, totals, folding by block)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cnndiagram.engine.analysis import analyze
from cnndiagram.spec.load import load_spec

from conftest import ROOT, SAMPLES, run

HOSTILE = 'title "<script>alert(1)</script>"\ninput(1x8x8)\n"<b>&x": dense(4)\n'


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match is not None, text[:300]
    return float(match.group(1).replace(",", ""))


def outputs(cell: Any) -> dict[str, Any]:
    (result,) = [out for out in cell.outputs if out.output_type == "execute_result"]
    data: dict[str, Any] = result.data
    return data


def test_a_notebook_shows_analyses_as_tables_and_diagrams_at_slide_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        "import cnndiagram",
        f"cnndiagram.analyze(cnndiagram.load_spec({str(SAMPLES / 'seed.cnn')!r}))",
        f"cnndiagram.analyze(cnndiagram.load_spec({str(SAMPLES / 'resnet50.cnn')!r}))",
        f"cnndiagram.Diagram({str(SAMPLES / 'vgg16.cnn')!r})",
        f"cnndiagram.analyze(cnndiagram.load_spec({HOSTILE!r}, expr=True))",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel is a process of its own
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3")
    client.execute(cwd=str(tmp_path))
    seed = outputs(notebook.cells[1])
    assert {"text/html", "text/markdown", "text/plain"} <= set(seed)
    html = seed["text/html"]
    assert html.count("<tr>") == 8  # header and seven layers
    assert "<td>conv2d1</td>" in html and "<code>(5*5*1 + 1)*32 = 832</code>" in html
    assert "Total parameters: 217,706</strong> (217,706 learnable, 0 not learned)" in html
    assert seed["text/markdown"].startswith("### Seed network (MNIST)")
    resnet = outputs(notebook.cells[2])["text/html"]
    # Folded by stage: the stem, four stages and the head; the input is a row of its own.
    assert resnet.count("<details>") == 6
    assert "<strong>layer3</strong>: residual 1×1, 3×3, 1×1 · 1\u2009024 + projection ×6;" in resnet
    total = analyze(load_spec(SAMPLES / "resnet50.cnn")).total_params
    assert f"Total parameters: {total:,}</strong>" in resnet
    assert re.search(r"\([\d,]+ learnable, [\d,]+ not learned\)", resnet)
    figure = outputs(notebook.cells[3])
    svg = figure["image/svg+xml"]
    width = number(r'width="([\d.]+)pt"', svg)
    assert width <= 960.5  # fitted to the slide preset, not one 5,000-unit row
    hostile = outputs(notebook.cells[4])["text/html"]
    assert "<script>" not in hostile and "<b>" not in hostile
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile and "&lt;b&gt;&amp;x" in hostile


def test_the_html_gives_totals_and_the_split_of_frozen_counts() -> None:
    analysis = run("input(3x8x8)\nconv(4, 3) -> N\nfrozen: dense(2, trainable=false)\n")
    html = analysis._repr_html_()
    learnable = f"{analysis.trainable_params:,}"
    frozen = f"{analysis.non_trainable_params:,}"
    assert analysis.non_trainable_params > 0
    assert f"({learnable} learnable, {frozen} not learned)" in html
    assert "<details>" not in html  # small networks are not folded


def test_large_networks_fold_by_stage_with_subtotals() -> None:
    analysis = analyze(load_spec(SAMPLES / "resnet18.cnn"))
    assert len(analysis.layers) > 40
    html = analysis._repr_html_()
    summaries = re.findall(r"<summary>(.*?)</summary>", html)
    assert [re.findall(r"<strong>(\w+)</strong>", s)[0] for s in summaries] == [
        "stem",
        "layer1",
        "layer2",
        "layer3",
        "layer4",
        "head",
    ]
    assert summaries[1] == (
        "<strong>layer1</strong>: residual 3×3, 3×3 · 64 ×2; 14 layers, output 64x56x56, "
        "148,480 parameters"
    )
    # The stages' subtotals and the input's row (no parameters) give the total.
    folded = sum(number(r"([\d,]+) parameters", summary) for summary in summaries)
    assert folded == analysis.total_params
    # Every layer is still in the table, inside its stage.
    assert html.count("<tr><td") == len(analysis.layers)
