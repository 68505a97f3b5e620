"""Typefaces: each shipped face measures what every backend draws (the metrics tables equal
the font files' own advances), covers the symbols the figures write, and is embedded under
a family name of its own."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageChops

from cnndiagram.diagram import Diagram
from cnndiagram.layout.text import TYPEFACES, Typeface, _metrics
from cnndiagram.options import FontName
from cnndiagram.render.truetype import read_font

from conftest import SAMPLES
from layout_checks import problems

FACES = list(TYPEFACES.values())
#: Every character the layout writes itself (formulas, sizes, digit groups, badges).
SYMBOLS = "×·−⌊⌋⌈⌉²³\u2009→≤≥0123456789()+=,.: αβγ"


def test_every_font_option_has_a_typeface() -> None:
    assert sorted(TYPEFACES) == sorted(str(name) for name in FontName)


@pytest.mark.parametrize("face", FACES, ids=lambda face: face.key)
@pytest.mark.parametrize("bold", [False, True])
def test_metrics_are_the_font_files_own_advances(face: Typeface, bold: bool) -> None:
    font = read_font(face.files()[bold])
    metrics = _metrics(face)[bold]
    assert metrics.units_per_em == font.units_per_em
    assert metrics.advances  # not empty
    for code, advance in metrics.advances.items():
        assert font.advances[font.glyphs[code]] == advance, chr(code)


@pytest.mark.parametrize("face", FACES, ids=lambda face: face.key)
def test_the_regular_face_covers_every_symbol_of_the_figures(face: Typeface) -> None:
    advances = _metrics(face)[False].advances
    assert [char for char in SYMBOLS if ord(char) not in advances] == []


@pytest.mark.parametrize("sample", ["seed.cnn", "resnet18.cnn", "inception.cnn", "unet.cnn"])
@pytest.mark.parametrize("style", ["blocks", "flat", "graph"])
def test_serif_figures_lay_out_cleanly(sample: str, style: str) -> None:
    diagram = Diagram(SAMPLES / sample, style=style, font="serif", max_width=1600)
    assert diagram.scene.typeface == "serif"
    assert problems(diagram.scene) == []


def test_serif_svg_embeds_its_own_family() -> None:
    root = ET.fromstring(Diagram(SAMPLES / "seed.cnn", font="serif").to_svg())
    assert (root.get("font-family") or "").startswith("'cnndiagram Serif', ")
    style = next(root.iter("{http://www.w3.org/2000/svg}style")).text or ""
    assert style.count("font-family:'cnndiagram Serif'") == 2


def test_serif_png_is_drawn_in_the_serif_face() -> None:
    sans = Image.open(io.BytesIO(Diagram(SAMPLES / "seed.cnn").to_png(scale=1)))
    serif = Image.open(io.BytesIO(Diagram(SAMPLES / "seed.cnn", font="serif").to_png(scale=1)))
    assert serif.getbbox() is not None
    if sans.size == serif.size:
        assert ImageChops.difference(sans.convert("L"), serif.convert("L")).getbbox() is not None


def test_serif_pdf_embeds_the_serif_subsets() -> None:
    data = Diagram(SAMPLES / "seed.cnn", font="serif").to_bytes("pdf")
    assert b"+cnndiagramSerif-Regular" in data and b"+cnndiagramSerif-Bold" in data
    assert b"DejaVu" not in data
