"""Figures: layout quality on every sample and on random specs, safe and reproducible output."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from cnndiagram.diagram import Diagram, render
from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import CnnDiagramError, LimitError, ShapeError
from cnndiagram.layout.figure import layout
from cnndiagram.layout.scene import Text, walk
from cnndiagram.options import FigureOptions
from cnndiagram.render.svg import render_svg
from cnndiagram.spec.load import load_spec

from conftest import SAMPLES, check_golden
from layout_checks import problems
from strategies import dag_spec_text, spec_text

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".cnn", ".yaml", ".json"))
SVG = "{http://www.w3.org/2000/svg}"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
@pytest.mark.parametrize(
    "options",
    [
        FigureOptions(),
        FigureOptions(style="flat"),
        FigureOptions(fold=False, annotate=("size", "formulas", "params", "macs", "rf")),
        FigureOptions(max_width=600, theme="print"),
        FigureOptions(theme="dark", font_size=8, block_scale="sqrt"),
        FigureOptions(layout="stack", detail="stages", max_width=360),
    ],
    ids=["default", "flat", "unfolded-all-rows", "wrapped-print", "small-dark-sqrt", "stack"],
)
def test_samples_lay_out_without_overlap_or_clipping(sample: Path, options: FigureOptions) -> None:
    scene = layout(analyze(load_spec(sample)), options)
    assert problems(scene) == []


def test_wrapping_respects_max_width() -> None:
    analysis = analyze(load_spec(SAMPLES / "vgg16.cnn"))
    wide = layout(analysis)
    assert wide.width > 3000
    for limit in (500, 800, 1200):
        scene = layout(analysis, FigureOptions(max_width=limit))
        assert scene.width <= limit
        assert problems(scene) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=spec_text(),
    style=st.sampled_from(["blocks", "flat"]),
    fold=st.booleans(),
    max_width=st.sampled_from([None, 400.0, 900.0]),
    annotate=st.sampled_from(
        [("size",), ("size", "formulas", "params"), ("size", "formulas", "params", "macs", "rf")]
    ),
)
def test_random_specs_lay_out_cleanly(
    text: str, style: str, fold: bool, max_width: float | None, annotate: tuple[str, ...]
) -> None:
    try:
        analysis = analyze(load_spec(text, expr=True))
    except ShapeError:
        assume(False)
        return
    options = FigureOptions(style=style, fold=fold, max_width=max_width, annotate=annotate)
    scene = layout(analysis, options)
    assert problems(scene) == []
    ET.fromstring(render_svg(scene))


def test_svg_is_well_formed_accessible_and_inert() -> None:
    svg = Diagram(SAMPLES / "seed.cnn").to_svg()
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Seed network (MNIST)"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "217,706 parameters" in desc and "conv2d1 (conv) 32×24×24" in desc
    for element in root.iter():
        assert not element.tag.endswith(("script", "foreignObject", "image", "use", "a"))
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            assert "href" not in name
            assert "http" not in value or name == "xmlns"
    style = root.find(f"{SVG}style").text or ""  # type: ignore[union-attr]
    assert "url(data:font/woff2;base64," in style
    assert "http" not in style


def test_hostile_names_are_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    spec = f'title "\\"&\' <b>"\ninput(1x8x8)\n"{hostile}": conv(2, 3)\n"\\"&\'": dense(3)'
    diagram = Diagram(spec)
    svg = diagram.to_svg()
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = ET.fromstring(svg)
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert hostile in texts
    assert "\"&'" in texts
    assert root.find(f"{SVG}title").text == "\"&' <b>"  # type: ignore[union-attr]


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    outputs = []
    for run in range(2):
        svg, png = tmp_path / f"a{run}.svg", tmp_path / f"a{run}.png"
        render(SAMPLES / "alexnet.cnn", svg)
        render(SAMPLES / "alexnet.cnn", png)
        outputs.append((svg.read_bytes(), png.read_bytes()))
    assert outputs[0] == outputs[1]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_size_dpi_transparency_and_content() -> None:
    diagram = Diagram(SAMPLES / "seed.cnn")
    scene = diagram.scene
    png = diagram.to_png(scale=2)
    assert _png_size(png) == (round(scene.width * 2), round(scene.height * 2))
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    assert image.info.get("dpi", (0, 0))[0] == pytest.approx(192, abs=1)
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # antialiased, not blank
    assert image.getpixel((1, 1)) == (255, 255, 255, 255)
    clear = Image.open(io.BytesIO(diagram.to_png(scale=1, transparent=True))).convert("RGBA")
    assert clear.getpixel((1, 1))[3] == 0
    dpi = Diagram(SAMPLES / "seed.cnn").to_png(scale=1, dpi=300)
    assert Image.open(io.BytesIO(dpi)).info["dpi"][0] == pytest.approx(300, abs=1)


def test_png_text_is_drawn_without_system_fonts() -> None:
    # The text rows of the PNG hold dark pixels: the shipped font was used.
    diagram = Diagram("I(1x28x28)-C(32,5)-O(10)", legend=False, totals=False, title="")
    image = Image.open(io.BytesIO(diagram.to_png(scale=2))).convert("L")
    texts = [item for _, item in walk(diagram.scene.items) if isinstance(item, Text)]
    for text in texts:
        left, top, right, bottom = (round(v * 2) for v in text.box())
        crop = image.crop((left, top, right, bottom))
        assert crop.getextrema()[0] < 100, text.text


def test_pixel_limit_is_checked_before_rendering(tmp_path: Path) -> None:
    target = tmp_path / "big.png"
    with pytest.raises(LimitError) as caught:
        render(SAMPLES / "vgg16.cnn", target, scale=16, max_pixels=1_000_000)
    assert "--max-pixels" in caught.value.format()
    assert list(tmp_path.iterdir()) == []


def test_bad_options_are_clean_errors() -> None:
    with pytest.raises(CnnDiagramError, match="unknown style 'fancy'"):
        Diagram(SAMPLES / "seed.cnn", style="fancy")
    with pytest.raises(CnnDiagramError, match="unknown annotation 'colour'"):
        Diagram(SAMPLES / "seed.cnn", annotate="size,colour")
    with pytest.raises(CnnDiagramError, match="output format"):
        render(SAMPLES / "seed.cnn", "figure.gif")


def test_jupyter_repr_and_text_measurement_agree() -> None:
    diagram = Diagram(SAMPLES / "lenet5.cnn")
    # Inline, a figure without a page is fitted to a slide; one with a page keeps it.
    assert diagram._repr_svg_() == Diagram(SAMPLES / "lenet5.cnn", page="slide").to_svg()
    assert diagram._repr_svg_() != diagram.to_svg()
    column = Diagram(SAMPLES / "lenet5.cnn", page="column")
    assert column._repr_svg_() == column.to_svg()
    text = next(item for _, item in walk(diagram.scene.items) if isinstance(item, Text))
    assert text.width > 0 and text.ascent > 0


def test_seed_svg_golden(update_golden: bool) -> None:
    svg = Diagram(SAMPLES / "seed.cnn").to_svg(embed_font=False)
    check_golden(GOLDEN / "seed.svg", svg, update_golden)


DAG_SAMPLES = ["resnet18.cnn", "resnet50.cnn", "inception.cnn", "unet.cnn"]


@pytest.mark.parametrize("sample", DAG_SAMPLES)
@pytest.mark.parametrize(
    "options",
    [
        FigureOptions(layout="u"),
        FigureOptions(collapse=True, max_width=900),
        FigureOptions(style="flat", collapse=True),
        FigureOptions(fold=False, max_width=1200),
    ],
    ids=["u", "collapsed-wrapped", "flat-collapsed", "unfolded"],
)
def test_branching_samples_lay_out_cleanly(sample: str, options: FigureOptions) -> None:
    scene = layout(analyze(load_spec(SAMPLES / sample)), options)
    assert problems(scene) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=dag_spec_text(),
    style=st.sampled_from(["blocks", "flat"]),
    options=st.sampled_from(
        [{}, {"collapse": True}, {"layout": "u"}, {"max_width": 500.0}, {"fold": False}]
    ),
)
def test_random_dags_lay_out_cleanly(text: str, style: str, options: dict[str, object]) -> None:
    try:
        analysis = analyze(load_spec(text, expr=True))
    except ShapeError:
        assume(False)
        return
    scene = layout(analysis, FigureOptions(style=style, **options))  # type: ignore[arg-type]
    assert problems(scene) == []


def test_residual_figure_has_merge_nodes_and_arcs() -> None:
    scene = layout(analyze(load_spec(SAMPLES / "resnet18.cnn")))
    groups = {item.id: item for item in scene.items if hasattr(item, "id")}
    add = next(g for g in groups.values() if g.label.startswith("add1"))
    circles = [p for p in add.items if hasattr(p, "points") and len(p.points) == 24]
    assert circles, "the add node is drawn as a circle"
    arcs = [i for i in add.items if hasattr(i, "arrow") and i.arrow and len(i.points) >= 4]
    assert arcs, "the identity shortcut arrives as an arc"


def test_collapse_draws_each_stage_once() -> None:
    analysis = analyze(load_spec(SAMPLES / "resnet50.cnn"))
    full = layout(analysis)
    collapsed = layout(analysis, FigureOptions(collapse=True))
    count = sum(1 for item in full.items if str(getattr(item, "id", "")).startswith("layer-"))
    fewer = sum(1 for item in collapsed.items if str(getattr(item, "id", "")).startswith("layer-"))
    assert fewer < count * 0.6
    texts = [t.text for _, t in walk(collapsed.items) if isinstance(t, Text)]
    assert "\u00d75 repeats of a residual block" in texts  # never the generated id
    assert not any("repeat3" in t for t in texts)
    # the learnable parameters of the five equal repetitions (BatchNorm's running statistics
    # are not learned)
    assert "5\u00b71\u2009117\u2009184 = 5\u2009585\u2009920 parameters" in texts
