"""One registry of output formats: every interface resolves formats through it, every scene
format draws every style, and the graph style has a scene of its own (Graphviz places the
measured boxes; the backends draw them with the shipped fonts)."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pptx
import pytest
from PIL import Image
from pptx.enum.shapes import MSO_SHAPE_TYPE

from cnndiagram.diagram import Diagram
from cnndiagram.errors import CnnDiagramError, OptionError
from cnndiagram.escapes.latex import escape_latex_ascii
from cnndiagram.layout.graph import _read_layout, graph_scene
from cnndiagram.layout.scene import Group, Text, walk
from cnndiagram.options import Style, figure_options
from cnndiagram.render.formats import FORMATS, format_for_path, output_format

from conftest import SAMPLES, cli
from layout_checks import problems

SEED = "I(1x28x28)-C(32,5)-P(2)-C(32,3)-P(2)-H(256)-O(10)"
PROGRAMS = ["graphviz-pure"] + (["dot"] if shutil.which("dot") else [])
MAGIC = {
    "svg": b"<svg",
    "png": b"\x89PNG\r\n\x1a\n",
    "pdf": b"%PDF-1.7",
    "pptx": b"PK\x03\x04",
    "tikz": b"% ",
    "dot": b"digraph network {",
}


def test_extensions_and_names_resolve_through_the_registry() -> None:
    for entry in FORMATS.values():
        assert output_format(entry.name.upper()) is entry
        for extension in entry.extensions:
            assert format_for_path(f"figure{extension.upper()}") is entry
    assert format_for_path("-").name == "svg"
    assert format_for_path("x.gif", "png").name == "png"
    with pytest.raises(OptionError, match=r"unknown output format 'gif'; the formats are svg"):
        output_format("gif")
    with pytest.raises(OptionError) as caught:
        format_for_path("figure.gif")
    assert caught.value.exit_code == 2


def _drawn_text(name: str, data: bytes) -> Counter[str]:
    """The characters of the text a file holds, read back the way its users' tools do."""
    if name == "svg":
        root = ET.fromstring(data)
        texts = [e.text or "" for e in root.iter("{http://www.w3.org/2000/svg}text")]
    elif name == "pdf":
        with pdfplumber.open(io.BytesIO(data)) as document:
            texts = [char["text"] for char in document.pages[0].chars]
    elif name == "pptx":
        slide = pptx.Presentation(io.BytesIO(data)).slides[0]
        texts = [s.text_frame.text for s in _pptx_shapes(slide.shapes) if s.has_text_frame]
    else:
        raise AssertionError(name)
    return Counter("".join(texts).replace(" ", "").replace("\u2009", ""))


def _pptx_shapes(shapes: Any) -> Iterator[Any]:
    for shape in shapes:
        yield shape
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _pptx_shapes(shape.shapes)


@pytest.mark.parametrize("style", [style.value for style in Style])
@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("sample", ["seed.cnn", "resnet18.cnn"])
def test_every_format_writes_every_style_it_can(sample: str, style: str, name: str) -> None:
    diagram = Diagram(SAMPLES / sample, style=style)
    entry = FORMATS[name]
    if not entry.draws_scene and style != "graph":
        with pytest.raises(OptionError, match="DOT output is the graph style's"):
            diagram.to_bytes(name)
        return
    data = diagram.to_bytes(name, scale=1)
    assert data.startswith(MAGIC[name])
    assert diagram.to_bytes(name, scale=1) == data  # reproducible
    texts = [item.text for _, item in walk(diagram.scene.items) if isinstance(item, Text)]
    if name in ("svg", "pdf", "pptx"):  # every text of the scene, and nothing else
        assert _drawn_text(name, data) == Counter(
            "".join(texts).replace(" ", "").replace("\u2009", "")
        )
    elif name == "tikz":  # every text a node, escaped
        tex = data.decode("ascii")
        assert tex.count("\\cnnfit{") == sum(bool(text.strip()) for text in texts)
        assert all(escape_latex_ascii(text) in tex for text in texts)
    elif name == "png":
        image = Image.open(io.BytesIO(data))
        assert image.size == (round(diagram.scene.width), round(diagram.scene.height))
        low, high = image.convert("L").getextrema()
        assert low < 64 and high > 192  # drawn, not blank
    else:
        assert name == "dot" and b"->" in data


def test_cli_format_choices_are_the_registry(tmp_path: Path) -> None:
    result = cli("render", "--help")
    for name in FORMATS:
        assert name in result.stdout
    bad = cli("render", "-e", SEED, "--format", "gif", "-o", str(tmp_path / "x"))
    assert bad.returncode == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize(
    "sample", ["seed.cnn", "inception.cnn", "resnet18.cnn", "resnet50.cnn", "unet.cnn"]
)
@pytest.mark.parametrize("extra", [{}, {"direction": "LR", "edge_labels": True}])
def test_graph_scene_is_clean(
    program: str, sample: str, extra: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CNNDIAGRAM_DOT", program)
    diagram = Diagram(SAMPLES / sample, style="graph", **extra)  # type: ignore[arg-type]
    scene = graph_scene(diagram.analysis, diagram.options)
    assert problems(scene) == []
    groups = [item for item in scene.items if isinstance(item, Group)]
    names = [name for group in groups for name in group.label.split()]
    for result in diagram.analysis.layers:
        if result.name in names:
            continue
        # folded layers (activations, normalisation) are written in the label of their block
        assert result.kind in ("relu", "batchnorm", "dropout", "softmax")
    texts = [item.text for _, item in walk(scene.items) if isinstance(item, Text)]
    assert any("parameters" in text for text in texts)


def test_graph_svg_is_ours_with_the_shipped_font() -> None:
    svg = Diagram(SEED, style="graph").to_svg()
    root = ET.fromstring(svg)
    assert "@font-face" in svg and "Graphviz" not in svg
    assert root.get("viewBox") is not None
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert (
        "conv 5×5, 32" in texts
        and "832 + 9\u2009248 + 205\u2009056 + 2\u2009570 = 217\u2009706 learnable parameters"
        in texts
    )


def test_graphviz_output_is_parsed_never_passed_through() -> None:
    for garbage in (b"<script>alert(1)</script>", b"\xff\xfe", b'{"bb": 3}', b"{}"):
        with pytest.raises(CnnDiagramError, match="Graphviz printed a layout that cannot be read"):
            _read_layout(garbage)


def test_a_graphviz_that_prints_garbage_is_a_clean_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake-dot"
    fake.write_text("#!/bin/sh\ncat >/dev/null\nprintf '<script>alert(1)</script>'\n")
    fake.chmod(0o755)
    target = tmp_path / "x.svg"
    result = cli(
        "render",
        "-e",
        SEED,
        "--style",
        "graph",
        "-o",
        str(target),
        env={"CNNDIAGRAM_DOT": str(fake)},
    )
    assert result.returncode == 1
    assert "Graphviz printed a layout that cannot be read" in result.stderr
    assert "Traceback" not in result.stderr and not target.exists()


def test_a_graphviz_that_hangs_is_stopped(tmp_path: Path) -> None:
    fake = tmp_path / "slow-dot"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    env = {"CNNDIAGRAM_DOT": str(fake), "CNNDIAGRAM_DOT_TIMEOUT": "0.5"}
    result = cli("render", "-e", SEED, "--style", "graph", "-o", str(tmp_path / "x.svg"), env=env)
    assert result.returncode == 1
    assert "Graphviz took more than 0.5 s" in result.stderr
    assert "CNNDIAGRAM_DOT_TIMEOUT" in result.stderr


def test_graph_scene_options_are_typed() -> None:
    options = figure_options(style="graph", direction="LR")
    assert Diagram(SEED, **options._asdict()).options == options


def test_the_embedded_font_has_a_family_name_of_its_own() -> None:
    """Pasted inline into an HTML page, the figure must not replace the page's DejaVu Sans."""
    root = ET.fromstring(Diagram(SEED).to_svg())
    family = root.get("font-family") or ""
    assert family.startswith("'cnndiagram DejaVu Sans', 'DejaVu Sans'")
    style = next(root.iter("{http://www.w3.org/2000/svg}style")).text or ""
    assert style.count("font-family:'cnndiagram DejaVu Sans'") == 2
    assert "font-family:'DejaVu Sans'" not in style
