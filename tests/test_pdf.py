"""PDF: vector, text as real text in the embedded font, the figure's size, reproducible, and
drawn like the PNG (checked with poppler's own tools, as a user or a journal would)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from cnndiagram.diagram import Diagram
from cnndiagram.spec.format import quote

from conftest import SAMPLES, cli

SEED = SAMPLES / "seed.cnn"
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".cnn", ".yaml", ".json"))


def poppler(tool: str, *args: str) -> str:
    """Runs a poppler-utils tool; CI installs them, so there a missing tool fails the test."""
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} (poppler-utils) is missing; .ci/run installs it")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    result = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Syntax Error" not in result.stderr and "Syntax Warning" not in result.stderr
    return result.stdout


@pytest.fixture
def seed_pdf(tmp_path: Path) -> Path:
    target = tmp_path / "seed.pdf"
    result = cli("render", str(SEED), "-o", str(target))
    assert result.returncode == 0, result.stderr
    return target


def test_fonts_are_embedded_subsets(seed_pdf: Path) -> None:
    rows = poppler("pdffonts", str(seed_pdf)).splitlines()[2:]
    assert len(rows) == 2  # regular and bold
    for row in rows:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert "+DejaVuSans" in name
        assert (emb, sub, uni) == ("yes", "yes", "yes")


def test_no_raster_images_and_the_numbers_are_text(seed_pdf: Path) -> None:
    assert poppler("pdfimages", "-list", str(seed_pdf)).splitlines()[2:] == []
    text = poppler("pdftotext", str(seed_pdf), "-")
    for expected in ("(5·5·1 + 1)·32 = 832", "H, W: 28 − 5 + 1 = 24", "⌊24/2⌋"):
        assert expected in text
    # pdftotext writes the thin space that groups digits as a plain space
    assert re.search(r"= 217\s706 learnable parameters", text)


def test_page_size_is_the_figure_size(seed_pdf: Path) -> None:
    info = poppler("pdfinfo", str(seed_pdf))
    scene = Diagram(SEED).scene
    line = next(row for row in info.splitlines() if row.startswith("Page size:"))
    width, height = (float(v) for v in line.split()[2:5:2])
    assert width == pytest.approx(scene.width, abs=0.01)
    assert height == pytest.approx(scene.height, abs=0.01)
    assert "Title:           Seed network (MNIST)" in info


@pytest.mark.parametrize("style", ["blocks", "flat", "graph"])
def test_the_pdf_page_looks_like_the_png(style: str, tmp_path: Path) -> None:
    diagram = Diagram(SAMPLES / "resnet18.cnn", style=style, max_width=1600, detail="layers")
    pdf = tmp_path / "figure.pdf"
    pdf.write_bytes(diagram.to_bytes("pdf"))
    poppler("pdftoppm", "-png", "-r", "72", "-singlefile", str(pdf), str(tmp_path / "page"))
    page = Image.open(tmp_path / "page.png").convert("L")
    png = Image.open(io.BytesIO(diagram.to_png(scale=1))).convert("L")
    assert abs(page.width - png.width) <= 1 and abs(page.height - png.height) <= 1
    size = (min(page.width, png.width), min(page.height, png.height))
    difference = ImageChops.difference(page.crop((0, 0, *size)), png.crop((0, 0, *size)))
    # Two rasterisers antialias differently; the same drawing differs by a few levels only.
    assert ImageStat.Stat(difference).mean[0] < 4.0
    assert ImageStat.Stat(png).stddev[0] > 10  # not blank


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_is_a_valid_reproducible_pdf(sample: Path, tmp_path: Path) -> None:
    data = Diagram(sample).to_bytes("pdf")
    assert data.startswith(b"%PDF-1.7") and data.endswith(b"%%EOF\n")
    assert Diagram(sample).to_bytes("pdf") == data
    target = tmp_path / "figure.pdf"
    target.write_bytes(data)
    assert "Pages:           1" in poppler("pdfinfo", str(target))


def test_hostile_titles_stay_text(tmp_path: Path) -> None:
    hostile = ") /JavaScript (app.alert(1)) \\ <script> \u202e"
    spec = f"title {quote(hostile)}\ninput(1x8x8)\n{quote(hostile)}: conv(2, 3)"
    target = tmp_path / "x.pdf"
    target.write_bytes(Diagram(spec).to_bytes("pdf"))
    assert b"/JavaScript" not in target.read_bytes()
    info = poppler("pdfinfo", str(target))
    assert hostile.strip() in info
    assert "<script>" in poppler("pdftotext", str(target), "-")
