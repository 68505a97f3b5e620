"""The spec language: syntax forms, aliases, flags and the structured formats."""

from __future__ import annotations

import pytest

from cnndiagram.errors import SpecError
from cnndiagram.spec.load import load_spec

from conftest import run


def test_separators_comments_and_layout_are_equivalent() -> None:
    forms = [
        "input(3x32x32) -> conv(8, 3) -> relu -> maxpool(2)",
        "input(3x32x32); conv(8, 3); relu; maxpool(2)",
        "input(3x32x32)-conv(8,3)-relu-maxpool(2)",
        "input(3x32x32) \u2192 conv(8, 3) \u2192 relu \u2192 maxpool(2)",
        "# a comment\ninput(3x32x32)  # trailing\n\nconv(\n  8,\n  3,\n)\nrelu\n->\nmaxpool(2)\n",
        "I(3\u00d732\u00d732) - C(8, 3) - relu - P(2)",
    ]
    networks = [load_spec(text, expr=True) for text in forms]
    assert all(network == networks[0] for network in networks)


def test_per_axis_values_flags_and_keywords() -> None:
    analysis = run("input(3x32x16) -> conv(8, 5x3, stride=2x1, pad=2x1, nobias)")
    layer = analysis.layers[1]
    assert layer.output_shape == (8, 16, 16)
    assert layer.params == 8 * 3 * 5 * 3
    same = run("input(3x31x31) -> conv(8, 3, stride=2, same, relu)").layers[1]
    assert same.output_shape == (8, 16, 16)


def test_names_quoted_names_and_defaults() -> None:
    analysis = run(
        'input(1x8x8) -> c: conv(4, 3) -> "my <pool> & co": maxpool(2) -> conv(4, 3)'
        " -> dense(10) -> output(2)"
    )
    assert [r.name for r in analysis.layers] == [
        "input",
        "c",
        "my <pool> & co",
        "conv1",
        "dense1",
        "output",
    ]


def test_title_and_channels_last() -> None:
    network = load_spec('title "T"\ninput(28x28x3, channels_last) -> conv(8, 3)', expr=True)
    assert network.title == "T"
    assert network.channels_last
    assert network.input.shape == (3, 28, 28)
    from cnndiagram.engine.analysis import analyze
    from cnndiagram.report import to_dict

    data = to_dict(analyze(network))
    assert data["input_shape"] == [28, 28, 3]
    assert data["layers"][1]["output_shape"] == [26, 26, 8]


def test_vector_input_and_frozen_layers() -> None:
    analysis = run("input(784) -> dense(100, frozen) -> batchnorm -> output(10)")
    assert analysis.layers[1].trainable == 0
    assert analysis.layers[1].non_trainable == 78_500
    assert analysis.layers[2].trainable == 200
    assert analysis.layers[2].non_trainable == 200


def test_keras_layernorm_and_global_pool_options() -> None:
    analysis = run(
        "input(16x8x8) -> layernorm -> layernorm(channels) -> globalavgpool(keepdims)"
        " -> globalmaxpool"
    )
    assert analysis.layers[1].params == 2 * 16 * 8 * 8
    assert analysis.layers[2].params == 2 * 16
    assert analysis.layers[3].output_shape == (16, 1, 1)
    assert analysis.layers[4].output_shape == (16,)


def test_huge_networks_use_exact_integers() -> None:
    analysis = run("input(16000000) -> dense(16000000) -> dense(16000000)")
    assert analysis.total_params == 2 * (16_000_000 + 1) * 16_000_000


def test_structured_forms() -> None:
    yaml_text = """
title: t
input: {shape: [3, 32, 32]}
layers:
  - conv: {filters: 8, kernel: [3, 3], act: relu}
  - "maxpool(2)"
  - {kind: dense, units: 10, name: head}
  - flatten
"""
    from cnndiagram.source import Source
    from cnndiagram.spec.load import parse_source

    network = parse_source(Source(yaml_text, "x.yaml"))
    assert [layer.name for layer in network.layers] == ["conv1", "maxpool1", "head", "flatten1"]
    json_text = (
        '{"input": [3, 32, 32], "layers": [{"conv": [8, 3]}, {"maxpool": 2}, '
        '{"dense": {"units": 10}}]}'
    )
    assert load_spec(json_text, expr=True).layers[0].arg("kernel") == 3


def test_reading_a_spec_never_executes_it(tmp_path: pytest.TempPathFactory) -> None:
    for text in ("__import__('os').system('touch pwned')", "input(1x2x2) -> eval(1)"):
        with pytest.raises(SpecError):
            load_spec(text, expr=True)


def test_long_networks_report_and_draw_without_deep_recursion() -> None:
    from cnndiagram.diagram import Diagram
    from cnndiagram.report import report

    spec = "input(4x8x8)\n" + "conv(4, 1)\n" * 3000
    analysis = run(spec)
    assert analysis.total_params == 3000 * 20
    assert analysis.total_formula().result == 60_000
    assert "learnable parameters: 60,000\n" in report(analysis, "table")
    assert Diagram(analysis, max_width=2000, detail="layers").to_svg().count("<g id=") > 3000


def test_ir_is_immutable_and_compares_without_positions() -> None:
    from cnndiagram.ir import Block, BlockKind, Layer
    from cnndiagram.source import Span

    block = Block(BlockKind.RESIDUAL, "r", "residual1")
    a = Layer("c", "conv", (("filters", 8),), Span(0, 4), ("input",), block, 0)
    b = Layer("c", "conv", (("filters", 8),), Span(9, 12), ("input",))
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        block.name = "s"  # type: ignore[misc]
    assert a != Layer("c", "conv", (("filters", 8),), None, ("other",))
    with pytest.raises(AttributeError):
        a.name = "d"  # type: ignore[misc]
    assert repr(a).startswith("Layer(name='c', kind='conv'")


@pytest.mark.parametrize("number", ["010", "-07", "1:30", "2:05:00"])
def test_yaml_numbers_another_base_would_read_are_refused(number: str) -> None:
    text = f"input: 1x8x8\nlayers:\n  - conv: {{filters: {number}, kernel: 3}}\n"
    with pytest.raises(SpecError) as caught:
        load_spec(text, expr=True, fmt="yaml")
    message = caught.value.format()
    assert f"'{number}' is ambiguous: YAML 1.1 reads a leading 0 as octal" in message
    assert message.startswith("<expr>:3:21: error:")
    ok = load_spec(text.replace(number, "10"), expr=True, fmt="yaml")
    assert ok.layers[0].arg("filters") == 10


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_inputs_name_layers_whose_names_start_with_at(fmt: str) -> None:
    import json

    data = {
        "input": "1x8x8",
        "layers": [
            {"conv": {"filters": 4, "kernel": 3, "pad": 1}, "name": "@a"},
            {"conv": {"filters": 4, "kernel": 3, "pad": 1}, "name": "b"},
            {"add": {}, "inputs": ["@a", "@b"]},
        ],
    }
    text = json.dumps(data)  # JSON is YAML too
    network = load_spec(text, expr=True, fmt=fmt)  # type: ignore[arg-type]
    assert network.layers[-1].inputs == ("@a", "b")
