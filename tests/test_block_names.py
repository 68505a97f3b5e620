"""Names on `residual`, `parallel` and `repeat` blocks propagate to their layers, as a name
on a call of a `def` block does (issue 9, item 4)."""

from __future__ import annotations

import re

import pytest

from cnndiagram import Diagram
from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import SpecError
from cnndiagram.ir import block_structure
from cnndiagram.layout.scene import Text, walk
from cnndiagram.options import Detail
from cnndiagram.spec.format import format_network
from cnndiagram.spec.load import load_spec
from cnndiagram.units import generated_name, units

from conftest import ROOT, SAMPLES, run


def names(spec: str) -> list[str]:
    return [layer.name for layer in load_spec(spec, expr=True).layers]


def round_trip(spec: str) -> str:
    """The canonical text of `spec`, checked to read back as the same network."""
    network = load_spec(spec, expr=True)
    text = format_network(network)
    again = load_spec(text, expr=True)
    assert again == network, text
    assert block_structure(again) == block_structure(network), text
    assert format_network(again) == text
    return text


def test_a_named_residual_prefixes_its_layers_and_names_its_add() -> None:
    spec = "input(4x8x8)\ns: residual(relu) { conv(4, 3, pad=1) -> relu -> x: conv(4, 1) }"
    assert names(spec) == ["s.conv1", "s.relu1", "s.x", "s", "s.relu2"]


def test_a_named_parallel_prefixes_its_branches_and_names_its_merge() -> None:
    spec = "input(4x8x8)\np: parallel(concat) { conv(2, 1) | conv(2, 1) -> relu | }"
    network = load_spec(spec, expr=True)
    assert [layer.name for layer in network.layers] == ["p.conv1", "p.conv2", "p.relu1", "p"]
    assert network.layers[-1].inputs == ("p.conv1", "p.relu1", "input")


def test_a_named_repeat_counts_its_iterations_from_zero_as_pytorch() -> None:
    spec = "input(4x8x8)\nlayer1: repeat(2) { residual(relu) { conv(4, 3, pad=1) -> N } }"
    assert names(spec) == [
        "layer1.0.conv1",
        "layer1.0.batchnorm1",
        "layer1.0.add1",
        "layer1.0.relu1",
        "layer1.1.conv1",
        "layer1.1.batchnorm1",
        "layer1.1.add1",
        "layer1.1.relu1",
    ]


def test_named_blocks_nest() -> None:
    spec = (
        "input(4x8x8)\nlayer1: repeat(2) { conv(4, 1) -> "
        "se: parallel(multiply) { | globalavgpool(keepdims) -> conv(4, 1) -> sigmoid } }"
    )
    assert names(spec)[:5] == [
        "layer1.0.conv1",
        "layer1.0.se.globalavgpool1",
        "layer1.0.se.conv1",
        "layer1.0.se.sigmoid1",
        "layer1.0.se",
    ]
    assert names(spec)[5] == "layer1.1.conv1"
    inner = "input(4x8x8)\na: repeat(2) { b: repeat(2) { conv(4, 1) } }"
    assert names(inner) == ["a.0.b.0.conv1", "a.0.b.1.conv1", "a.1.b.0.conv1", "a.1.b.1.conv1"]


def test_names_written_inside_are_prefixed_and_read_in_their_iteration() -> None:
    network = load_spec(
        "input(4x8x8)\nlayer1: repeat(3) { c1: conv(4, 3, pad=1) -> y: relu -> add(c1, y) }",
        expr=True,
    )
    adds = [layer for layer in network.layers if layer.kind == "add"]
    assert [layer.name for layer in adds] == ["layer1.0.add1", "layer1.1.add1", "layer1.2.add1"]
    assert [layer.inputs[0] for layer in adds] == ["layer1.0.c1", "layer1.1.c1", "layer1.2.c1"]


def test_generated_names_are_not_read_by_name() -> None:
    # `relu1` above is the automatic name of the iteration's ReLU, which no `@` reaches
    with pytest.raises(SpecError, match="unknown layer name 'relu1'"):
        load_spec(
            "input(4x8x8)\nr: repeat(2) { c: conv(4, 1) -> relu -> add(c, relu1) }", expr=True
        )


def test_an_unnamed_block_leaves_the_names_as_they_were() -> None:
    assert names("input(4x8x8)\nconv(4, 1) -> residual { conv(4, 1) } -> conv(4, 1)") == [
        "conv1",
        "conv2",
        "add1",
        "conv3",
    ]
    assert names("input(4x8x8)\nrepeat(2) { r: conv(4, 1) -> relu }") == [
        "r.1",
        "relu1",
        "r.2",
        "relu2",
    ]


def test_unnamed_repeats_inside_a_named_block_keep_their_suffixes() -> None:
    spec = "input(4x8x8)\ns: residual { repeat(2) { r: conv(4, 1) -> relu } }"
    assert names(spec) == ["s.r.1", "s.relu1", "s.r.2", "s.relu2", "s"]


def test_a_block_name_reads_the_block_output_from_outside() -> None:
    network = load_spec(
        "input(4x8x8)\ns: residual(relu) { conv(4, 3, pad=1) }\n"
        "layer1: repeat(2) { c: conv(4, 1) -> relu }\n"
        "p: parallel(add) { conv(4, 1) | conv(4, 1) }\n"
        "@s -> a: conv(4, 1)\n@layer1 -> b: conv(4, 1)\n@layer1.0.c -> d: conv(4, 1)\n"
        "concat(p, a, b, d)",
        expr=True,
    )
    by_name = {layer.name: layer for layer in network.layers}
    assert by_name["a"].inputs == ("s",)  # the residual's add, before its activation
    assert by_name["b"].inputs == ("layer1.1.relu1",)  # the repeat's last layer
    assert by_name["d"].inputs == ("layer1.0.c",)
    assert network.layers[-1].inputs == ("p", "a", "b", "d")


def test_names_inside_a_named_block_are_its_own() -> None:
    # two blocks may both name a layer `x`: each reads its own
    network = load_spec(
        "input(4x8x8)\nx: conv(4, 1)\n"
        "s: residual { x: conv(4, 1) -> y: relu -> add(x, y) }\n"
        "t: residual { x: conv(4, 1) -> z: relu -> @x -> w: N -> add(z, w) }\n"
        "concat(t, x)",
        expr=True,
    )
    by_name = {layer.name: layer for layer in network.layers}
    assert by_name["s.add1"].inputs == ("s.x", "s.y")
    assert by_name["t.w"].inputs == ("t.x",)
    assert by_name["t.add1"].inputs == ("t.z", "t.w")
    assert network.layers[-1].inputs == ("t", "x")  # outside, `x` is the top level's
    with pytest.raises(SpecError, match=re.escape("outside it is called 's.y'")):
        load_spec("input(4x8x8)\ns: residual { y: conv(4, 1) }\n@y -> conv(4, 1)", expr=True)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "input(4x8x8)\nstage: repeat(2) { conv(4, 1) }\nstage: repeat(2) { conv(4, 1) }",
            "duplicate layer name 'stage' (first used on line 2)",
        ),
        (
            "input(4x8x8)\nx: conv(4, 1)\nx: repeat(2) { conv(4, 1) }",
            "duplicate layer name 'x' (first used on line 2)",
        ),
        (
            "input(4x8x8)\ns: residual { conv(4, 1) }\ns: residual { conv(4, 1) }",
            "duplicate layer name 's' (first used on line 2)",
        ),
    ],
)
def test_a_block_name_is_a_layer_name_used_once(spec: str, message: str) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        load_spec(spec, expr=True)


def test_def_calls_and_named_blocks_prefix_alike() -> None:
    spec = (
        "input(4x8x8)\ndef unit(c) { conv(c, 3, pad=1) -> N -> relu }\n"
        "layer1: repeat(2) { b: unit(4) -> s: residual { unit(4) } }"
    )
    assert names(spec)[:8] == [
        "layer1.0.b.conv1",
        "layer1.0.b.batchnorm1",
        "layer1.0.b",
        "layer1.0.s.conv1",
        "layer1.0.s.batchnorm1",
        "layer1.0.s.relu1",
        "layer1.0.s",
        "layer1.1.b.conv1",
    ]


@pytest.mark.parametrize(
    "spec",
    [
        "input(4x8x8)\ns: residual(relu) { conv(4, 3, pad=1) -> relu -> x: conv(4, 1) }",
        "input(4x8x8)\np: parallel(concat) { conv(2, 1) | conv(2, 1) -> relu | }",
        "input(4x8x8)\nlayer1: repeat(3) { c1: conv(4, 3, pad=1) -> y: relu -> add(c1, y) }",
        "input(4x8x8)\nlayer1: repeat(2) { conv(4, 1) -> "
        "se: parallel(multiply) { | globalavgpool(keepdims) -> conv(4, 1) -> sigmoid } }",
        "input(4x8x8)\na: repeat(2) { b: repeat(2) { conv(4, 1) } -> repeat(2) { r: relu } }",
        "input(4x8x8)\nx: conv(4, 1)\ns: residual { x: conv(4, 1) -> y: relu -> add(x, y) }\n"
        "t: residual { x: conv(4, 1) -> z: relu -> @x -> w: N -> add(z, w) }\nconcat(t, x)",
        "input(4x8x8)\ns: residual(relu) { conv(4, 3, pad=1) }\n"
        "layer1: repeat(2) { c: conv(4, 1) -> relu }\n"
        "p: parallel(add) { conv(4, 1) | conv(4, 1) }\n"
        "@s -> a: conv(4, 1)\n@layer1 -> b: conv(4, 1)\n@layer1.0.c -> d: conv(4, 1)\n"
        "concat(p, a, b, d)",
        "input(4x8x8)\nconv1: conv(4, 1) -> s: residual { conv(4, 1) } -> conv(4, 1) -> output(3)",
    ],
)
def test_fmt_round_trips_named_blocks(spec: str) -> None:
    round_trip(spec)


def test_fmt_writes_block_names_not_the_names_they_give() -> None:
    text = round_trip(
        "input(4x8x8)\ns: residual(relu) { conv(4, 3, pad=1) -> N }\n"
        "layer1: repeat(2) { c1: conv(4, 3, pad=1) -> y: relu -> add(c1, y) }\n"
        "@s -> side: conv(4, 1) -> add(layer1, side)"
    )
    assert text == (
        "input(4x8x8)\n"
        "s: residual(relu) { conv(4, 3, pad=1) -> batchnorm }\n"
        "layer1: repeat(2) { c1: conv(4, 3, pad=1) -> y: relu -> add(c1, y) } -> @s"
        " -> side: conv(4, 1)\n"
        "add(layer1, side)\n"
    )


def test_fmt_of_resnet18_writes_no_prefixed_name() -> None:
    text = format_network(load_spec(SAMPLES / "resnet18.cnn"))
    assert "layer1: repeat(2)" in text and "layer2: residual(relu)" in text
    assert "layer1.0" not in text and "layer2." not in text


@pytest.mark.parametrize(
    ("kind", "name", "generated"),
    [
        ("conv", "conv12", True),
        ("conv", "layer1.0.conv1", True),
        ("relu", "s.relu2", True),
        ("conv", "inception3a.conv2", True),
        ("relu", "layer1.0.se.relu", True),
        ("batchnorm", "bn1", False),
        ("conv", "layer1.0.c1", False),
        ("conv", "layer1.0.conv1x", False),
    ],
)
def test_generated_names_under_a_prefix(kind: str, name: str, generated: bool) -> None:
    args = "(4, 1)" if kind == "conv" else ""
    network = load_spec(f'input(4x8x8)\n"{name}": {kind}{args}', expr=True)
    result = analyze(network).layers[1]
    assert generated_name(result) is generated


def test_figures_name_units_by_the_blocks() -> None:
    analysis = analyze(load_spec(SAMPLES / "resnet18.cnn"))
    blocks = [unit.name for unit in units(analysis, Detail.BLOCKS)]
    assert blocks[5:8] == ["layer1.0", "layer1.1", "layer2"]
    stages = [unit.name for unit in units(analysis, Detail.STAGES)]
    assert "layer1" in stages and not any(name.startswith("layer1.") for name in stages)
    scene = Diagram(SAMPLES / "resnet18.cnn", detail="blocks").scene
    texts = {item.text for _, item in walk(scene.items) if isinstance(item, Text)}
    assert {"layer1.0", "layer1.1", "layer2"} <= texts
    assert not any("layer1.0.conv" in text for text in texts)
    staged = Diagram(SAMPLES / "resnet18.cnn", detail="stages").scene
    texts = {item.text for _, item in walk(staged.items) if isinstance(item, Text)}
    assert "layer1 \u00d72" in texts


def test_layers_figure_folds_the_generated_names_under_a_block() -> None:
    scene = Diagram(SAMPLES / "resnet18.cnn", detail="layers").scene
    texts = {item.text for _, item in walk(scene.items) if isinstance(item, Text)}
    assert "layer1.0.conv1" in texts
    assert "layer1.0.batchnorm1" not in texts  # folded into its convolution, as `batchnorm1` was
    assert "layer1.0.relu1" not in texts


def test_the_documented_example_gives_the_documented_names() -> None:
    doc = (ROOT / "docs" / "spec-language.md").read_text(encoding="utf-8")
    section = doc[doc.index("* **Names on blocks**") :]
    spec = re.search(r"```\n(.*?)```", section, re.S)
    assert spec is not None
    analysis = run(spec.group(1))
    got = [result.name for result in analysis.layers]
    for name in (
        "layer1.0.c1",
        "layer1.0.batchnorm1",
        "layer1.0.relu1",
        "layer1.0.c2",
        "layer1.0.add1",
        "layer1.0.relu2",
        "layer1.1.c1",
        "layer1.0.se",
        "layer1.0.se.globalavgpool1",
        "layer1.0.se.conv1",
        "layer1.0.se.sigmoid1",
        "s.conv1",
        "s.batchnorm1",
        "s",
    ):
        assert name in got
        assert f"`{name}`" in section
    assert got.index("layer1.0.relu2") == got.index("layer1.1.c1") - 1
    assert {result.name: result for result in analysis.layers}["side"].inputs == ("layer1.1.relu2",)
