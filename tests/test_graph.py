"""Graph style: the network as a Graphviz graph, with every text escaped, through whichever
Graphviz is available (the package's own graphviz-pure, and a system `dot` where installed)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cnndiagram.diagram import Diagram
from cnndiagram.errors import MissingDependencyError
from cnndiagram.layout.graphviz import find_graphviz
from cnndiagram.spec.format import quote

from conftest import SAMPLES, cli

SVG = "{http://www.w3.org/2000/svg}"
PROGRAMS = ["graphviz-pure"] + (["dot"] if shutil.which("dot") else [])
HOSTILE = "<script>alert(1)</script>\"&'{}|\\"


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("sample", ["inception.cnn", "resnet18.cnn", "seed.cnn"])
def test_graph_svg_and_png(program: str, sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNDIAGRAM_DOT", program)
    diagram = Diagram(SAMPLES / sample, style="graph", edge_labels=True)
    root = ET.fromstring(diagram.to_svg())
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for result in diagram.analysis.layers:
        if result.kind not in ("relu", "batchnorm"):  # folded into the layer before them
            assert result.name in texts
    assert root.find(f"{SVG}desc") is not None
    png = diagram.to_png(scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_dot_text_escapes_names_and_never_uses_them_as_ids() -> None:
    spec = f"title {quote(HOSTILE)}\ninput(1x8x8)\n{quote(HOSTILE)}: conv(2, 3)"
    dot = Diagram(spec, style="graph").to_dot()
    assert "<script>" not in dot
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;{}|\\" in dot
    nodes = [
        line.split(" ", 1)[0]
        for line in dot.splitlines()
        if line.startswith("n") and " [label=" in line
    ]
    assert nodes == ["n0", "n1"]
    svg = Diagram(spec, style="graph").to_svg()
    texts = {t.text for t in ET.fromstring(svg).iter(f"{SVG}text")}
    assert HOSTILE in texts


def test_cli_writes_dot_svg_and_png(tmp_path: Path) -> None:
    for suffix in ("dot", "svg", "png"):
        target = tmp_path / f"net.{suffix}"
        result = cli(
            "render",
            "samples/inception.cnn",
            "--style",
            "graph",
            "--direction",
            "LR",
            "-o",
            str(target),
        )
        assert result.returncode == 0, result.stderr
        assert target.stat().st_size > 500
    assert (tmp_path / "net.dot").read_text().startswith("digraph network {")


def test_dot_output_needs_the_graph_style(tmp_path: Path) -> None:
    result = cli(
        "render",
        "samples/seed.cnn",
        "-o",
        str(tmp_path / "x.dot"),
    )
    assert result.returncode == 2
    assert "DOT output is the graph style's" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_graphviz_is_a_clear_error_with_exit_3(tmp_path: Path) -> None:
    env = {"CNNDIAGRAM_DOT": "no-such-graphviz", "PATH": "/usr/bin:/bin"}
    result = cli(
        "render", "samples/seed.cnn", "--style", "graph", "-o", str(tmp_path / "x.svg"), env=env
    )
    assert result.returncode == 3
    assert "CNNDIAGRAM_DOT names 'no-such-graphviz'" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNNDIAGRAM_DOT", "no-such-graphviz")
        with pytest.raises(MissingDependencyError):
            find_graphviz()


def test_graph_is_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNDIAGRAM_DOT", "graphviz-pure")
    first = Diagram(SAMPLES / "resnet18.cnn", style="graph").to_svg()
    assert Diagram(SAMPLES / "resnet18.cnn", style="graph").to_svg() == first
