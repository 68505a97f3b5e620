"""The PowerPoint backend: one slide of native, editable shapes drawn from the scene, every
text in a text box where the layout measured it, one group shape per scene group, and the
same bytes for the same input."""

from __future__ import annotations

import io
import os
import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pptx
import pytest
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn

from cnndiagram.diagram import Diagram
from cnndiagram.layout.scene import Group, Line, Polygon, Scene, Text, walk
from cnndiagram.options import OutputOptions
from cnndiagram.render.pptx import (
    EMU_PER_POINT,
    MARGIN,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    ZIP_TIME,
    Frame,
    PptxBackend,
    office_font,
    office_width,
    plain,
)

from conftest import SAMPLES, cli

CASES = [
    ("seed.cnn", {"style": "blocks"}),
    ("seed.cnn", {"style": "flat"}),
    ("seed.cnn", {"style": "graph"}),
    ("seed.cnn", {"style": "blocks", "font": "serif", "theme": "print"}),
    ("seed.cnn", {"style": "blocks", "page": "slide"}),
    ("resnet18.cnn", {"style": "blocks"}),
    ("resnet18.cnn", {"style": "graph"}),
    ("resnet18.cnn", {"style": "blocks", "page": "slide"}),
    ("inception.cnn", {"style": "blocks"}),
    ("inception.cnn", {"style": "flat", "font": "serif"}),
]
ALIGN = {"start": PP_ALIGN.LEFT, "middle": PP_ALIGN.CENTER, "end": PP_ALIGN.RIGHT}


def _open(data: bytes) -> Any:
    return pptx.Presentation(io.BytesIO(data))


def _leaves(shapes: Any) -> Iterator[Any]:
    """Every shape in document order, groups opened (the groups themselves too)."""
    for shape in shapes:
        yield shape
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _leaves(shape.shapes)


def _groups(items: tuple[Any, ...]) -> list[Group]:
    out = []
    for item in items:
        if isinstance(item, Group):
            out.append(item)
            out += _groups(item.items)
    return out


def _texts(scene: Scene) -> list[Text]:
    return [item for _, item in walk(scene.items) if isinstance(item, Text) and item.text.strip()]


@pytest.mark.parametrize(("sample", "options"), CASES)
def test_one_slide_of_editable_shapes(sample: str, options: dict[str, str]) -> None:
    diagram = Diagram(SAMPLES / sample, **options)
    scene = diagram.scene
    presentation = _open(diagram.to_bytes("pptx"))
    assert (presentation.slide_width, presentation.slide_height) == (SLIDE_WIDTH, SLIDE_HEIGHT)
    assert len(presentation.slides) == 1
    slide = presentation.slides[0]
    shapes = list(_leaves(slide.shapes))
    assert all(shape.shape_type != MSO_SHAPE_TYPE.PICTURE for shape in shapes)
    assert slide._element.findall(".//" + qn("p:pic")) == []
    assert not any(
        part.partname.startswith("/ppt/media") for part in presentation.part.package.iter_parts()
    )

    groups = [shape for shape in shapes if shape.shape_type == MSO_SHAPE_TYPE.GROUP]
    scene_groups = _groups(scene.items)
    assert len(groups) == len(scene_groups)
    assert [group.name for group in groups] == [g.label or g.id for g in scene_groups]

    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            continue
        assert shape.left >= 0 and shape.left + shape.width <= SLIDE_WIDTH, shape.name
        assert shape.top >= 0 and shape.top + shape.height <= SLIDE_HEIGHT, shape.name

    polygons = [item for _, item in walk(scene.items) if isinstance(item, Polygon)]
    freeforms = [shape for shape in shapes if shape.shape_type == MSO_SHAPE_TYPE.FREEFORM]
    lines = [item for _, item in walk(scene.items) if isinstance(item, Line)]
    connectors = [shape for shape in shapes if shape.shape_type == MSO_SHAPE_TYPE.LINE]
    assert len(freeforms) + len(connectors) == len(polygons) + len(lines)
    assert len(connectors) == sum(len(line.points) == 2 for line in lines)
    arrows = slide._element.findall(".//" + qn("a:tailEnd"))
    assert len(arrows) == sum(line.arrow for line in lines)
    assert all(end.get("type") == "triangle" for end in arrows)


@pytest.mark.parametrize(("sample", "options"), CASES)
def test_every_text_is_a_text_box_where_it_was_measured(
    sample: str, options: dict[str, str]
) -> None:
    diagram = Diagram(SAMPLES / sample, **options)
    scene = diagram.scene
    frame = Frame.fit(scene)
    slide = _open(diagram.to_bytes("pptx")).slides[0]
    boxes = [
        shape for shape in _leaves(slide.shapes) if shape.shape_type == MSO_SHAPE_TYPE.TEXT_BOX
    ]
    texts = _texts(scene)
    assert [box.text_frame.text for box in boxes] == [plain(text.text) for text in texts]
    for box, text in zip(boxes, texts):
        left, top, right, bottom = text.box()
        assert (box.left, box.top) == (frame.x(left), frame.y(top))
        assert box.width == frame.length(right - left)
        assert box.height == frame.length(bottom - top)
        body = box.text_frame
        assert body.word_wrap is False and body.auto_size == MSO_AUTO_SIZE.NONE
        assert (body.margin_left, body.margin_right, body.margin_top, body.margin_bottom) == (
            0,
            0,
            0,
            0,
        )
        paragraph = body.paragraphs[0]
        assert paragraph.alignment == ALIGN[text.anchor]
        (run,) = paragraph.runs
        assert run.font.name == office_font(scene.typeface).family
        assert bool(run.font.bold) == text.bold
        assert str(run.font.color.rgb) == text.fill.lstrip("#").upper()
        # the scaled size, or smaller where Arial would be wider than the measured box
        size = run.font.size
        assert size <= frame.length(text.size) + 127  # font sizes are whole centipoints
        assert office_width(text.text, size, text.bold, scene.typeface) <= box.width + 127
        if office_width(text.text, text.size, text.bold, scene.typeface) <= text.width:
            assert abs(size - frame.length(text.size)) <= 127


def test_the_seed_numbers_and_formulas_are_editable_text() -> None:
    diagram = Diagram(SAMPLES / "seed.cnn")
    slide = _open(diagram.to_bytes("pptx")).slides[0]
    texts = [shape.text_frame.text for shape in _leaves(slide.shapes) if shape.has_text_frame]
    total = f"{diagram.analysis.learnable_params:,}".replace(",", "\u2009")
    assert any(f"= {total} learnable parameters" in text for text in texts)
    formulas = [text.text for text in _texts(diagram.scene) if text.role == "formulas"]
    assert formulas and all(formula in texts for formula in formulas)
    for result in diagram.analysis.layers:
        assert any(result.name == text for text in texts)


@pytest.mark.parametrize("page", ["column", "textwidth", "slide"])
def test_a_figure_fitted_to_a_page_keeps_its_print_size_when_the_slide_holds_it(
    page: str,
) -> None:
    scene = Diagram(SAMPLES / "seed.cnn", page=page).scene
    assert scene.points_per_unit is not None
    printed = scene.points_per_unit * EMU_PER_POINT
    fits = scene.width * printed <= SLIDE_WIDTH and scene.height * printed <= SLIDE_HEIGHT
    frame = Frame.fit(scene)
    if fits:
        assert frame.scale == printed
    else:  # scaled down to fit, inside the margin
        assert frame.scale < printed
        assert scene.width * frame.scale <= SLIDE_WIDTH - 2 * MARGIN + 1
        assert scene.height * frame.scale <= SLIDE_HEIGHT - 2 * MARGIN + 1
    assert abs(frame.left * 2 + scene.width * frame.scale - SLIDE_WIDTH) < 1  # centred
    assert abs(frame.top * 2 + scene.height * frame.scale - SLIDE_HEIGHT) < 1


def test_title_and_description_go_into_the_document() -> None:
    diagram = Diagram(SAMPLES / "seed.cnn")
    presentation = _open(diagram.to_bytes("pptx"))
    assert presentation.core_properties.title == diagram.scene.title
    notes = presentation.slides[0].notes_slide.notes_text_frame.text
    assert notes == diagram.scene.description


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"seed{seed}.pptx"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = cli("render", str(SAMPLES / "seed.cnn"), "-o", str(target), env=env)
        assert result.returncode == 0, result.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(io.BytesIO(outputs[0])) as archive:
        assert {info.date_time for info in archive.infolist()} == {ZIP_TIME}
        core = archive.read("docProps/core.xml").decode()
    assert "dcterms:created" not in core and "dcterms:modified" not in core
    assert "<cp:revision>1</cp:revision>" in core


def test_the_background_follows_the_theme_unless_transparent() -> None:
    diagram = Diagram(SAMPLES / "seed.cnn", theme="dark")
    slide = _open(diagram.to_bytes("pptx")).slides[0]
    assert str(slide.background.fill.fore_color.rgb) == diagram.scene.background.lstrip("#").upper()
    transparent = _open(diagram.to_bytes("pptx", transparent=True)).slides[0]
    assert transparent._element.find(".//" + qn("p:bg")) is None


def test_hostile_names_survive_as_text() -> None:
    hostile = "<script>alert(1)</script>"
    spec = f'title "\\"&\' <b>"\ninput(1x8x8)\n"{hostile}": conv(2, 3)\n"\\"&\'": dense(3)'
    diagram = Diagram(spec, title="<t> \"q\" 'a' \x07bell\x1b\tend")
    presentation = _open(diagram.to_bytes("pptx"))
    slide = presentation.slides[0]
    texts = {shape.text_frame.text for shape in _leaves(slide.shapes) if shape.has_text_frame}
    assert hostile in texts
    assert "\"&'" in texts
    title = presentation.core_properties.title
    assert title == plain(diagram.scene.title) and title.startswith("<t> \"q\" 'a'")
    assert "bell" in title and "\x07" not in title and "\x1b" not in title
    names = [shape.name for shape in _leaves(slide.shapes)]
    assert any(hostile in name for name in names)


def test_a_scene_with_forbidden_characters_dashes_and_opacity() -> None:
    """A hand-built scene: what no layout makes today must still be written faithfully."""
    text = "a\x00b\x1b\ud800c\ufffe\nd"
    scene = Scene(
        200,
        100,
        "#ffffff",
        (
            Group(
                "g",
                (
                    Polygon(((0, 0), (50, 0), (50, 40)), "#ff0000", "#000000", 1, opacity=0.25),
                    Line(((0, 60), (100, 60), (100, 90)), "#00ff00", 2, arrow=True, dash=(4, 2, 1)),
                    Text(10, 80, text, 11, 40, 10, 3, "#0000ff"),
                ),
                label="bad\x01 label\n",
            ),
        ),
        "title\x02",
        "description\x03",
    )
    presentation = _open(PptxBackend().write(scene, OutputOptions()))
    slide = presentation.slides[0]
    shapes = list(_leaves(slide.shapes))
    assert [shape.name for shape in shapes if shape.shape_type == MSO_SHAPE_TYPE.GROUP] == [
        "bad label "
    ]
    (box,) = [shape for shape in shapes if shape.shape_type == MSO_SHAPE_TYPE.TEXT_BOX]
    assert box.text_frame.text == "abc d" == plain(text)
    assert presentation.core_properties.title == "title"
    alpha = slide._element.find(".//" + qn("a:alpha"))
    assert alpha is not None and alpha.get("val") == "25000"
    # an odd dash list repeats (as in SVG); lengths are relative to the 2-unit line width
    stops = slide._element.findall(".//" + qn("a:ds"))
    assert [(stop.get("d"), stop.get("sp")) for stop in stops] == [
        ("200000", "100000"),
        ("50000", "200000"),
        ("100000", "50000"),
    ]
    ln = slide._element.find(".//" + qn("a:custDash")).getparent()
    children = [child.tag.split("}")[1] for child in ln]
    assert children == ["solidFill", "custDash", "round", "tailEnd"]  # the schema's order


def test_the_cli_writes_a_pptx(tmp_path: Path) -> None:
    target = tmp_path / "seed.pptx"
    result = cli("render", str(SAMPLES / "seed.cnn"), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(target) and len(_open(target.read_bytes()).slides) == 1
    assert "pptx" in cli("render", "--help").stdout


def test_python_pptx_is_not_needed_to_write_one(tmp_path: Path) -> None:
    """The backend writes PresentationML itself: with python-pptx unimportable, the CLI still
    writes the file (python-pptx here only reopens it)."""
    fake = tmp_path / "pptx"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('python-pptx is not installed')\n")
    target = tmp_path / "seed.pptx"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
    }
    result = cli("render", str(SAMPLES / "seed.cnn"), "-o", str(target), env=env)
    assert result.returncode == 0, result.stderr
    assert len(_open(target.read_bytes()).slides) == 1


def test_every_part_is_well_formed_and_every_relationship_resolves() -> None:
    data = Diagram(SAMPLES / "resnet18.cnn", title="<&\"'>").to_bytes("pptx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every entry's CRC-32 and size check out
        names = set(archive.namelist())
        types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
        overrides = {o.get("PartName", "").lstrip("/") for o in types}
        for name in names:
            root = ElementTree.fromstring(archive.read(name))  # raises if malformed
            if not name.endswith(".rels"):
                assert name in overrides or name == "[Content_Types].xml", name
                continue
            folder = posixpath.dirname(posixpath.dirname(name))
            for relation in root:
                target = posixpath.normpath(posixpath.join(folder, relation.get("Target", "")))
                assert target in names, (name, target)
    ids = [shape.shape_id for shape in _leaves(_open(data).slides[0].shapes)]
    assert len(ids) == len(set(ids))  # every shape id once
