"""Levels of detail: units of a network (layers, blocks, stages), their honest counts, and
figures at each level, `auto` included."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings

from cnndiagram import Diagram
from cnndiagram.engine.analysis import Analysis, analyze
from cnndiagram.errors import ShapeError
from cnndiagram.layout.detail import CANVAS_HEIGHT, CANVAS_WIDTH
from cnndiagram.layout.feeds import LINK_STYLES
from cnndiagram.layout.scene import Line, Text, walk
from cnndiagram.layout.theme import THEMES
from cnndiagram.loading import load_network
from cnndiagram.options import PAGES, Detail
from cnndiagram.units import repetition_sum, sources, unit_params, units

from conftest import SAMPLES, cli, run
from layout_checks import crossings, line_crossings, problems
from strategies import dag_spec_text

SPECS = sorted(p for p in SAMPLES.iterdir() if p.suffix in {".cnn", ".yaml", ".toml", ".json"})
LEVELS = (Detail.LAYERS, Detail.BLOCKS, Detail.STAGES)


def _sample(name: str) -> Analysis:
    return analyze(load_network(SAMPLES / name))


def _check_partition(analysis: Analysis, level: Detail) -> None:
    made = units(analysis, level)
    flat = [result.name for unit in made for result in unit.layers]
    assert flat == [result.name for result in analysis.layers], "units cut the network in order"
    assert sum(unit.params for unit in made) == analysis.total_params
    assert sum(unit.trainable for unit in made) == analysis.trainable_params
    for index, (unit, reads) in enumerate(zip(made, sources(made))):
        assert all(source < index for source in reads)
        inside = {result.name for result in unit.layers}
        assert not inside & set(unit.inputs)
        assert sum(unit.instances) == unit.trainable
        assert len(unit.instances) == unit.repeats
        assert unit.output is unit.layers[-1]


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_units_partition_every_sample(path: object, level: Detail) -> None:
    assert hasattr(path, "name")
    _check_partition(analyze(load_network(path)), level)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(dag_spec_text())
def test_units_partition_random_networks(spec: str) -> None:
    try:
        analysis = run(spec)
    except ShapeError:
        assume(False)  # a drawn network whose shapes do not match: nothing to group
        return
    for level in LEVELS:
        _check_partition(analysis, level)


def test_layers_level_is_one_unit_per_layer() -> None:
    analysis = _sample("resnet18.cnn")
    assert [u.name for u in units(analysis, Detail.LAYERS)] == [r.name for r in analysis.layers]


def test_resnet50_stages_are_the_papers() -> None:
    made = units(_sample("resnet50.cnn"), Detail.STAGES)
    assert [(u.name, u.repeats) for u in made] == [
        ("input", 1),
        ("stem", 1),
        ("layer1", 3),
        ("layer2", 4),
        ("layer3", 6),
        ("layer4", 3),
        ("head", 1),
    ]
    layer1 = made[2]
    assert layer1.instances == (75_008, 70_400, 70_400)
    assert layer1.description == "residual 1\u00d71, 3\u00d73, 1\u00d71 \u00b7 256 + projection"
    assert unit_params(layer1) == "75\u2009008 + 2\u00b770\u2009400 = 215\u2009808"


def test_resnet50_blocks_are_its_bottlenecks() -> None:
    made = units(_sample("resnet50.cnn"), Detail.BLOCKS)
    residuals = [u for u in made if u.description.startswith("residual")]
    assert len(residuals) == 16
    assert sum(u.description.endswith("projection") for u in residuals) == 4


def test_stages_without_blocks_follow_the_spatial_size() -> None:
    made = units(_sample("vgg16.cnn"), Detail.STAGES)
    assert [u.description for u in made[1:6]] == [
        f"conv 3\u00d73, {c} \u00d7{n} \u2192 maxpool 2\u00d72"
        for c, n in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
    ]
    assert [u.output.output_shape for u in made[1:3]] == [(64, 112, 112), (128, 56, 56)]
    assert made[-1].description.startswith("adaptiveavgpool 7\u00d77 \u2192 flatten")


def test_badges_are_honest() -> None:
    """`n·k` only when every repetition has k; otherwise the distinct counts."""
    analysis = run("I(3x8x8)-s: repeat(3) { conv(4,1) }-dense(2)")
    stage = next(u for u in units(analysis, Detail.STAGES) if u.repeats == 3)
    assert stage.instances == (16, 20, 20)
    assert unit_params(stage) == "16 + 2\u00b720 = 56"
    assert repetition_sum((5, 5, 5)) == "3\u00b75 = 15"
    assert repetition_sum((7,)) == "7"


def _value(text: str) -> Fraction:
    text = text.replace("\u2009", "").replace("\u00b7", "*").replace("\u00d7", "*")
    text = text.replace("\u2212", "-")
    assert re.fullmatch(r"[\d\s+*()/-]+", text), text
    value = eval(text, {"__builtins__": {}})  # digits and operators only, checked above
    return Fraction(value)


def _sums(scene_texts: list[str]) -> list[tuple[str, str]]:
    """`a + b = c` lines (joined when a sum wraps onto the next line)."""
    out = []
    pending = ""
    for text in scene_texts:
        line = f"{pending} {text}".strip() if pending else text
        if re.search(r"[+\u00b7]\s*$", line):
            pending = line
            continue
        pending = ""
        if " = " in line and not re.search(r"[A-Za-z\u230a\u2308:]", line.split(" = ")[0]):
            left, right = line.rsplit(" = ", 1)
            right = right.removesuffix(" parameters")
            # a normalisation's running statistics, said apart from its learned count
            right = re.sub(r" \(\+ [\d\u2009]+ not learned\)$", "", right)
            out.append((left, right))
    return out


@pytest.mark.parametrize("level", LEVELS[1:], ids=str)
@pytest.mark.parametrize(
    "name", ["resnet18.cnn", "resnet50.cnn", "vgg16.cnn", "unet.cnn", "inception.cnn"]
)
def test_every_sum_on_a_unit_figure_evaluates(name: str, level: Detail) -> None:
    scene = Diagram(SAMPLES / name, detail=level, totals=False).scene
    texts = [item.text for _, item in walk(scene.items) if isinstance(item, Text)]
    sums = _sums(texts)
    assert sums or name == "inception.cnn"
    for left, right in sums:
        assert _value(left) == _value(right), f"{left} = {right}"
    assert problems(scene) == []


@pytest.mark.parametrize("name", ["seed.cnn", "lenet5.cnn", "alexnet.cnn"])
def test_auto_keeps_small_networks_whole(name: str) -> None:
    auto = Diagram(SAMPLES / name)
    layers = Diagram(SAMPLES / name, detail="layers")
    assert auto.to_svg() == layers.to_svg()
    assert auto.detail is Detail.LAYERS


@pytest.mark.parametrize("name", ["resnet50.cnn", "resnet18.cnn", "unet.cnn"])
def test_auto_fits_the_default_canvas(name: str) -> None:
    diagram = Diagram(SAMPLES / name)
    scene = diagram.scene
    assert scene.width <= CANVAS_WIDTH
    assert scene.height <= CANVAS_HEIGHT
    assert problems(scene) == []


@pytest.mark.parametrize("page", ["textwidth", "column", "slide"])
def test_auto_on_a_page_takes_the_finest_level_that_fits(page: str) -> None:
    chosen = Diagram(SAMPLES / "resnet50.cnn", page=page)
    scene = chosen.scene
    assert chosen.fit is not None
    assert chosen.detail is not Detail.LAYERS
    finer = LEVELS[: LEVELS.index(chosen.detail)]
    for level in finer:
        trial = Diagram(SAMPLES / "resnet50.cnn", page=page, detail=level)
        trial.scene  # noqa: B018 - laying the figure out sets its fit
        assert trial.fit is not None
        assert not trial.fit.fits, f"{level} fits {page} but {chosen.detail} was chosen"
    minimum = PAGES[page].min_font
    sizes = [item.size for _, item in walk(scene.items) if isinstance(item, Text)]
    assert chosen.fit.scale * min(sizes) >= minimum - 1e-6


def test_the_cli_says_which_level_it_chose(tmp_path: object) -> None:
    out = f"{tmp_path}/r.svg"
    result = cli("render", "samples/resnet50.cnn", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "--detail" in result.stderr
    quiet = cli("render", "samples/seed.cnn", "-o", out)
    assert quiet.stderr == ""


def test_detail_is_a_checked_option() -> None:
    result = cli("render", "samples/seed.cnn", "--detail", "bricks", "-o", "-")
    assert result.returncode == 2
    assert "'layers', 'blocks', 'stages', 'auto'" in result.stderr


ROUTED = ["resnet18.cnn", "resnet50.cnn", "inception.cnn", "unet.cnn", "densenet121.cnn"]


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("name", ROUTED)
def test_no_line_crosses_a_block_or_a_kernel_window(name: str, level: Detail) -> None:
    diagram = Diagram(SAMPLES / name, detail=level, max_width=1600, totals=False)
    assert crossings(diagram.scene, THEMES[diagram.options.theme].kernel) == []


@pytest.mark.parametrize("level", [Detail.LAYERS, Detail.BLOCKS], ids=str)
@pytest.mark.parametrize("name", [*ROUTED, "mobilenetv3small.cnn", "efficientnet_b0.cnn"])
def test_nested_arcs_nest_instead_of_crossing(name: str, level: Detail) -> None:
    diagram = Diagram(SAMPLES / name, detail=level, max_width=1600, totals=False)
    assert line_crossings(diagram.scene, THEMES[diagram.options.theme].kernel) == []


def test_a_gate_inside_a_residual_runs_under_the_residual_arc() -> None:
    spec = (
        "I(16x16x16)-residual { conv(32,1) -> parallel(multiply) { | globalavgpool(keepdims)"
        " -> conv(8,1,relu) -> conv(32,1) -> hardsigmoid } -> conv(16,1) }-dense(10)"
    )
    scene = Diagram(spec, detail="layers").scene
    arcs = [
        item for _, item in walk(scene.items) if isinstance(item, Line) and len(item.points) > 2
    ]
    tops = {item.dash != (): min(y for _, y in item.points) for item in arcs}
    assert tops[True] > tops[False]  # the dotted gate below the solid residual arc
    assert line_crossings(scene, THEMES["light"].kernel) == []


def test_skips_are_drawn_by_what_they_join_and_the_legend_says_how() -> None:
    scene = Diagram(SAMPLES / "densenet121.cnn", detail="layers", max_width=1600).scene
    dashes = {item.dash for _, item in walk(scene.items) if isinstance(item, Line)}
    assert LINK_STYLES["concat"][1] in dashes
    legend = [t.text for g, t in walk(scene.items) if g == "legend" and isinstance(t, Text)]
    assert "concatenated" in legend
    residual = Diagram(SAMPLES / "resnet18.cnn", detail="layers").scene
    legend = [t.text for g, t in walk(residual.items) if g == "legend" and isinstance(t, Text)]
    assert "skip into a sum" in legend and "concatenated" not in legend


@pytest.mark.parametrize("width", [300, 500])
@pytest.mark.parametrize("level", ["layers", "auto"])
@pytest.mark.parametrize("name", ["seed.cnn", "alexnet.cnn", "resnet50.cnn", "inception.cnn"])
def test_max_width_is_a_hard_bound(name: str, level: str, width: int) -> None:
    """Where rows cannot be cut narrow enough (a residual block, a wide label), the text is
    set smaller, and the figure says so."""
    diagram = Diagram(SAMPLES / name, max_width=width, detail=level, collapse=True)
    scene = diagram.scene
    assert scene.width <= width
    assert problems(scene) == []
    one_row = Diagram(SAMPLES / name, detail=diagram.detail, collapse=True).scene
    if one_row.width <= width:
        assert diagram.narrowed is None


def test_a_narrowed_figure_is_noted(tmp_path: object) -> None:
    result = cli("render", "samples/resnet18.cnn", "--max-width", "250", "-o", f"{tmp_path}/r.svg")
    assert result.returncode == 0
    assert "to keep within --max-width 250" in result.stderr
