"""Pages in physical units: a figure fitted to `--page` is no larger than the page when it
fits, its smallest text at print size is never below `--min-font`, and every output
carries that physical size."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cnndiagram.diagram import Diagram
from cnndiagram.errors import OptionError
from cnndiagram.layout.page import smallest_text
from cnndiagram.options import PAGES, parse_option

from conftest import SAMPLES, cli

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".cnn", ".yaml", ".json"))


@pytest.mark.parametrize(
    ("text", "width", "height"),
    [
        ("column", 252, 360),
        ("textwidth", 504, 360),
        ("slide", 960, 540),
        ("6.5x4in", 468, 288),
        ("170x120mm", 481.89, 340.16),
        ("90mmx6cm", 255.12, 170.08),
        ("500x300", 500, 300),
        ("640x480px", 480, 360),
    ],
)
def test_pages_parse_to_points(text: str, width: float, height: float) -> None:
    page = parse_option("page", text)
    assert page.width == pytest.approx(width, abs=0.01)
    assert page.height == pytest.approx(height, abs=0.01)
    assert page.min_font == (14.0 if text == "slide" else 7.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a4", "unknown page 'a4'; give column, textwidth, slide, or a size"),
        ("5x5furlong", "unknown unit 'furlong'"),
        ("1x1", "must be from 0.5 in to 200 in"),
    ],
)
def test_bad_pages_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        parse_option("page", text)
    result = cli("render", str(SAMPLES / "seed.cnn"), "--page", text, "-o", "unused.svg")
    assert result.returncode == 2 and message in result.stderr


def check_fit(diagram: Diagram) -> None:
    scene, fit, page = diagram.scene, diagram.fit, diagram.options.page
    assert fit is not None and page is not None and scene.points_per_unit is not None
    minimum = diagram.options.min_font or page.min_font
    assert smallest_text(scene) * scene.points_per_unit >= minimum - 1e-6
    assert fit.width == pytest.approx(scene.width * scene.points_per_unit)
    if fit.fits:
        assert fit.width <= page.width + 1e-3 and fit.height <= page.height + 1e-3


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_fits_or_keeps_its_text_readable(sample: Path, page: str) -> None:
    check_fit(Diagram(sample, page=page))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.floats(72, 1500),
    height=st.floats(72, 1500),
    minimum=st.floats(4, 16),
    sample=st.sampled_from(["seed.cnn", "lenet5.cnn", "resnet18.cnn", "inception.cnn"]),
    style=st.sampled_from(["blocks", "flat", "graph"]),
)
def test_any_page_fits_or_keeps_the_minimum_font(
    width: float, height: float, minimum: float, sample: str, style: str
) -> None:
    diagram = Diagram(
        SAMPLES / sample, page=f"{width:.1f}x{height:.1f}pt", min_font=minimum, style=style
    )
    check_fit(diagram)


def test_outputs_carry_the_physical_size(tmp_path: Path) -> None:
    diagram = Diagram(SAMPLES / "seed.cnn", page="textwidth")
    assert diagram.scene.points_per_unit is not None
    fit = diagram.fit
    assert fit is not None and fit.fits
    svg = diagram.to_svg()
    match = re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert match and float(match.group(1)) == pytest.approx(fit.width, abs=0.01)
    assert float(match.group(2)) == pytest.approx(fit.height, abs=0.01)
    pdf = diagram.to_bytes("pdf")
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box and float(box.group(1)) == pytest.approx(fit.width, abs=0.01)
    png = diagram.to_png()
    image = Image.open(io.BytesIO(png))
    assert image.width == pytest.approx(fit.width / 72 * 300, abs=1.5)
    assert image.height == pytest.approx(fit.height / 72 * 300, abs=1.5)
    at = png.index(b"pHYs") + 4
    assert struct.unpack(">IIB", png[at : at + 9])[0] == round(300 / 0.0254)


def test_a_page_too_small_warns_once_and_still_writes(tmp_path: Path) -> None:
    target = tmp_path / "r.pdf"
    page = ("--page", "200x150pt")  # no level of DenseNet-121 fits it at 7 pt
    result = cli("render", str(SAMPLES / "densenet121.cnn"), *page, "-o", str(target))
    assert result.returncode == 0
    assert result.stderr.count("warning:") == 1
    expected = "does not fit the 200x150pt page (200 x 150 pt) with text of at least 7.0 pt"
    assert expected in result.stderr
    assert target.stat().st_size > 1000
    fits = cli("render", str(SAMPLES / "seed.cnn"), "--page", "textwidth", "-o", str(target))
    assert fits.returncode == 0 and fits.stderr == ""
