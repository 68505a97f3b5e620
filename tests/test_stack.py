"""The stacked arrangement (`--layout stack`): one column per line, top to bottom."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

from cnndiagram import Diagram
from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import ShapeError
from cnndiagram.layout.figure import layout
from cnndiagram.layout.scene import Group, Line, Polygon, Scene, Text, walk
from cnndiagram.loading import load_network
from cnndiagram.options import PAGES, Arrangement, Detail, FigureOptions

from conftest import SAMPLES
from layout_checks import crossings, line_crossings, problems
from strategies import spec_text

STACK = FigureOptions(layout=Arrangement.STACK)


def _columns(scene: Scene) -> list[Group]:
    """The groups of drawn columns, in drawing order (every group with a block in it)."""
    return [
        item
        for item in scene.items
        if isinstance(item, Group)
        and item.id != "legend"
        and any(isinstance(p, Polygon) for p in item.items)
    ]


def _front(group: Group) -> tuple[float, float, float, float]:
    """The block's front face (the first polygon of a cuboid): left, top, right, bottom."""
    face = next(p for p in group.items if isinstance(p, Polygon))
    xs, ys = [x for x, _ in face.points], [y for _, y in face.points]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        *((name, Detail.STAGES) for name in ("resnet50", "unet", "densenet121", "vgg16", "seed")),
        *((name, Detail.BLOCKS) for name in ("resnet50", "densenet121", "efficientnet_b0")),
        *((name, Detail.LAYERS) for name in ("vgg16", "unet", "seed", "alexnet")),
    ],
)
def test_a_stack_runs_down_with_text_beside_every_block(name: str, detail: Detail) -> None:
    analysis = analyze(load_network(SAMPLES / f"{name}.cnn"))
    options = STACK._replace(detail=detail)
    scene = layout(analysis, options)
    assert problems(scene) == []
    columns = _columns(scene)
    fronts = [_front(group) for group in columns]
    # One axis: every front face centred on it, each below the one before.
    centres = {round((left + right) / 2, 6) for left, _, right, _ in fronts}
    assert len(centres) == 1
    assert all(a[3] < b[1] for a, b in itertools.pairwise(fronts))
    # The text of each column starts right of every block, on the block's own line.
    blocks_right = max(
        x
        for group in columns
        for _, p in walk(group.items)
        if isinstance(p, Polygon)
        for x, _ in p.points
    )
    for group, (_, top, _, bottom) in zip(columns, fronts):
        texts = [p for p in group.items if isinstance(p, Text)]
        assert texts and min(t.box()[0] for t in texts) > blocks_right
        assert min(t.box()[1] for t in texts) < bottom
        assert max(t.box()[3] for t in texts) > top


def test_unet_skips_run_in_the_left_margin_from_each_encoder_stage_to_its_decoder() -> None:
    analysis = analyze(load_network(SAMPLES / "unet.cnn"))
    scene = layout(analysis, STACK._replace(detail=Detail.STAGES))
    columns = _columns(scene)
    fronts = [_front(group) for group in columns]
    left_edge = min(left for left, _, _, _ in fronts)
    skips = [
        (line, index)
        for index, group in enumerate(columns)
        for line in group.items
        if isinstance(line, Line) and len(line.points) == 4
    ]
    assert len(skips) == 4  # the four concatenations of the encoder's features
    runs = set()
    for line, index in skips:
        start, (x1, _), (x2, _), end = line.points
        assert x1 == x2 < left_edge  # down the margin, clear of every block
        runs.add(x1)
        assert line.arrow
        # It leaves a block above and arrives at the block of its own column.
        _, top, _, bottom = fronts[index]
        assert top <= end[1] <= bottom
        assert any(t <= start[1] <= b for _, t, _, b in fronts[:index])
    assert len(runs) == 4  # nested, each at its own level


def test_a_network_with_parallel_lanes_is_drawn_as_a_row() -> None:
    analysis = analyze(load_network(SAMPLES / "inception.cnn"))
    options = FigureOptions(detail=Detail.LAYERS)
    row = layout(analysis, options)
    assert layout(analysis, options._replace(layout=Arrangement.STACK)) == row


@pytest.mark.parametrize(
    "name",
    [
        "resnet50.cnn",
        "vgg16.cnn",
        "resnet18.cnn",
        # set tight (1.25 em rows, 1 em margins, narrower slabs, the footer's total alone)
        "densenet121.cnn",
        "efficientnet_b0.cnn",
        "googlenet.cnn",
    ],
)
def test_a_column_page_takes_a_stack_when_no_row_fits(name: str) -> None:
    diagram = Diagram(SAMPLES / name, page="column")
    scene = diagram.scene
    assert diagram.fit is not None and diagram.fit.fits
    page = PAGES["column"]
    assert diagram.fit.width <= page.width + 1e-3
    assert diagram.fit.height <= page.height + 1e-3
    sizes = [item.size for _, item in walk(scene.items) if isinstance(item, Text)]
    assert diagram.fit.scale * min(sizes) >= page.min_font - 1e-6
    assert problems(scene) == []
    fronts = [_front(group) for group in _columns(scene)]
    assert all(a[3] < b[1] for a, b in itertools.pairwise(fronts))  # stacked, not a row


def test_a_tight_stack_gives_the_total_alone_where_its_sum_would_wrap() -> None:
    diagram = Diagram(SAMPLES / "densenet121.cnn", page="column")
    footer = [
        item.text for _, item in walk(diagram.scene.items) if getattr(item, "role", "") == "totals"
    ]
    assert footer[0].replace("\u2009", " ") == "7 978 856 learnable parameters in the stages above"
    counts = [
        int(text.rsplit(" = ", 1)[-1].replace("\u2009", "").replace(" ", ""))
        for _, item in walk(diagram.scene.items)
        if isinstance(item, Text) and item.role == "params"
        for text in [item.text]
    ]
    assert sum(counts) == 7_978_856  # the terms it stands for are all on the figure
    assert "global avgpool" in " ".join(
        item.text for _, item in walk(diagram.scene.items) if isinstance(item, Text)
    )


def test_a_stack_is_wrapped_to_the_width_it_is_given() -> None:
    analysis = analyze(load_network(SAMPLES / "efficientnet_b0.cnn"))
    free = layout(analysis, STACK._replace(detail=Detail.STAGES))
    for width in (340.0, 420.0):  # narrower, `adaptiveavgpool 1×1 →` cannot break
        narrow = layout(analysis, STACK._replace(detail=Detail.STAGES, max_width=width))
        assert narrow.width <= width + 1e-6 < free.width
        assert problems(narrow) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=spec_text())
def test_random_specs_stack_cleanly(text: str) -> None:
    try:
        analysis = analyze(load_network(text, expr=True))
    except ShapeError:
        assume(False)
        return
    for options in (STACK, STACK._replace(style="flat", max_width=300.0)):
        assert problems(layout(analysis, options)) == []


def test_the_cli_takes_the_stack(tmp_path: Path) -> None:
    from conftest import cli

    out = tmp_path / "r.svg"
    done = cli(
        "render", "samples/unet.cnn", "--layout", "stack", "--detail", "stages", "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("<svg")


@pytest.mark.parametrize("name", ["densenet121", "efficientnet_b0", "googlenet"])
def test_a_slide_takes_stacks_side_by_side_when_one_stack_is_too_tall(name: str) -> None:
    from cnndiagram.layout.theme import THEMES

    diagram = Diagram(SAMPLES / f"{name}.cnn", page="slide")
    scene = diagram.scene
    page = PAGES["slide"]
    assert diagram.fit is not None and diagram.fit.fits, diagram.fit
    assert diagram.fit.width <= page.width + 1e-3 and diagram.fit.height <= page.height + 1e-3
    sizes = [item.size for _, item in walk(scene.items) if isinstance(item, Text)]
    assert diagram.fit.scale * min(sizes) >= page.min_font - 1e-6
    assert problems(scene) == []
    assert crossings(scene, THEMES["light"].kernel) == []
    assert line_crossings(scene, THEMES["light"].kernel) == []
    fronts = [_front(group) for group in _columns(scene)]
    # Two or more stacks: the columns run down, then start again at the top further right,
    # every stack's blocks to the right of everything in the stack before.
    restarts = [i for i, (a, b) in enumerate(itertools.pairwise(fronts), 1) if b[1] < a[3]]
    assert restarts
    for cut in restarts:
        assert fronts[cut][0] > max(right for _, _, right, _ in fronts[:cut])
    # One arrow joins the stacks: from the last block of one to the first of the next.
    into = [item for item in _columns(scene)[restarts[0]].items if isinstance(item, Line)]
    assert len(into) == 1 and len(into[0].points) == 6


def test_stacks_are_cut_only_where_one_arrow_crosses() -> None:
    analysis = analyze(load_network(SAMPLES / "unet.cnn"))
    unet = layout(analysis, STACK._replace(detail=Detail.STAGES, stacks=3))
    # Every place between two U-Net stages is spanned by a skip: the input alone can go.
    fronts = [_front(group) for group in _columns(unet)]
    assert [i for i, (a, b) in enumerate(itertools.pairwise(fronts), 1) if b[1] < a[3]] == [1]
    assert problems(unet) == []
    chain = analyze(load_network(SAMPLES / "vgg16.cnn"))
    three = layout(chain, STACK._replace(detail=Detail.LAYERS, stacks=3))
    fronts = [_front(group) for group in _columns(three)]
    restarts = [i for i, (a, b) in enumerate(itertools.pairwise(fronts), 1) if b[1] < a[3]]
    assert len(restarts) == 2
    assert problems(three) == []
    # As tall as each other as the cuts allow: the tallest stack within one column of the rest.
    bottoms = [fronts[i - 1][3] for i in [*restarts, len(fronts)]]
    assert max(bottoms) - min(bottoms) < 0.5 * (max(bottoms) - fronts[0][1])


def test_the_cli_takes_stacks_side_by_side(tmp_path: Path) -> None:
    from conftest import cli

    out = tmp_path / "v.svg"
    args = ["render", "samples/vgg16.cnn", "--layout", "stack", "--stacks", "2", "-o", str(out)]
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("<svg")
    bad = cli(*args[:-2], "--stacks", "0", "-o", str(out))
    assert bad.returncode == 2 and "stacks" in bad.stderr
