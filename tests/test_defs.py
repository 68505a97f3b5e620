"""Blocks the spec defines (`def name(params) { body }`) and calls by name, as layers."""

from __future__ import annotations

import pytest

from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import LimitError, ShapeError, SpecError
from cnndiagram.ir import BlockKind, block_structure
from cnndiagram.limits import Limits
from cnndiagram.spec.format import format_network
from cnndiagram.spec.load import SpecFormat, load_spec

from conftest import SAMPLES, run

BCONV = (
    "def bconv(c, k, stride=1, pad=0) { conv(c, k, stride=stride, pad=pad, nobias) -> N -> relu }"
)


def test_a_call_is_its_body_with_the_arguments() -> None:
    called = run(f"input(3x32x32)\n{BCONV}\nbconv(16, 3, pad=1) -> bconv(8, k=1, stride=2)")
    written = run(
        "input(3x32x32)\nconv(16, 3, pad=1, nobias) -> N -> relu\n"
        "conv(8, 1, stride=2, nobias) -> N -> relu"
    )
    assert called.network == written.network  # same layers, same automatic names
    assert called.total_params == written.total_params == 3 * 3 * 3 * 16 + 64 + 16 * 8 + 32


def test_a_name_at_the_call_names_the_last_layer_and_prefixes_the_others() -> None:
    network = load_spec(
        f"input(3x32x32)\n{BCONV}\nstem: bconv(16, 3)\nb: bconv(8, 1)\n@stem -> side: conv(8, 1)\n"
        "add(b, side)",
        expr=True,
    )
    names = [layer.name for layer in network.layers]
    assert names[:6] == [
        "stem.conv1",
        "stem.batchnorm1",
        "stem",
        "b.conv1",
        "b.batchnorm1",
        "b",
    ]
    assert network.layers[6].inputs == ("stem",)  # @stem reads the block's output


def test_every_call_is_a_block_of_the_tree() -> None:
    network = load_spec(SAMPLES / "googlenet.cnn")
    calls = {layer.block.path()[0] for layer in network.layers if layer.block is not None}
    inceptions = [block for block in calls if block.definition == "inception"]
    assert [block.name for block in sorted(inceptions, key=lambda b: b.id)] == [
        "inception3a",
        "inception3b",
        "inception4a",
        "inception4b",
        "inception4c",
        "inception4d",
        "inception4e",
        "inception5a",
        "inception5b",
    ]
    assert all(block.kind is BlockKind.CALL for block in calls)
    first = next(block for block in inceptions if block.name == "inception3a")
    assert dict(first.args) == {"c1": 64, "c3r": 96, "c3": 128, "c5r": 16, "c5": 32, "pp": 32}
    conv = next(layer for layer in network.layers if layer.name == "inception3a.conv2")
    assert conv.block is not None
    chain = [(block.kind, block.definition) for block in conv.block.path()]
    assert chain == [
        (BlockKind.CALL, "inception"),
        (BlockKind.PARALLEL, None),
        (BlockKind.CALL, "bconv"),
    ]
    assert network.layers[-1].name == "fc"


def test_googlenet_counts_match_torchvision() -> None:
    analysis = analyze(load_spec(SAMPLES / "googlenet.cnn"))
    assert analysis.trainable_params == 6_624_904  # torchvision, aux_logits=False
    assert analysis.output_shape == (1000,)
    text = (SAMPLES / "googlenet.cnn").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 30


@pytest.mark.parametrize("sample", ["googlenet", "mobilenetv2", "shufflenetv2", "mobilenetv3small"])
def test_fmt_keeps_definitions_and_calls(sample: str) -> None:
    network = load_spec(SAMPLES / f"{sample}.cnn")
    text = format_network(network)
    assert text.count("def ") == len(network.definitions) > 0
    again = load_spec(text, expr=True)
    assert again == network
    assert block_structure(again) == block_structure(network)
    assert format_network(again) == text
    for definition in network.definitions:
        assert definition.text in text


def test_blocks_call_blocks_and_keywords_override_defaults() -> None:
    spec = (
        f"input(3x16x16)\n{BCONV}\n"
        "def pair(c, stride=1) { bconv(c, 3, stride=stride, pad=1) -> bconv(c, 1) }\n"
        "p: pair(8, stride=2)"
    )
    analysis = run(spec)
    assert analysis.output_shape == (8, 8, 8)
    names = [layer.name for layer in analysis.network.layers]
    assert names == [
        "p.conv1",
        "p.batchnorm1",
        "p.relu1",
        "p.conv2",
        "p.batchnorm2",
        "p",
    ]


def test_a_parameter_can_stand_for_a_layer_or_a_flag() -> None:
    spec = "input(3x8x8)\ndef c(n, act=relu) { conv(n, 1) -> act }\nc(4) -> c(4, act=hardswish)"
    kinds = [layer.kind for layer in load_spec(spec, expr=True).layers]
    assert kinds == ["conv", "relu", "conv", "hardswish"]


def spec_error(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        analyze(load_spec(text, expr=True))
    return caught.value.format()


def test_an_error_in_a_body_is_located_at_the_call_with_the_definition() -> None:
    text = spec_error("input(3x8x8)\ndef b(c) { conv(c, 3, strid=2) }\nconv(4, 1)\nx: b(4)\n")
    first = text.splitlines()[0]
    assert first.startswith("<expr>:4:1: error: unknown argument 'strid' for conv")
    assert first.endswith("(in block 'b' defined at line 2)")
    assert "4 | x: b(4)" in text


def test_a_shape_error_in_a_body_is_located_at_the_call() -> None:
    with pytest.raises(ShapeError) as caught:
        run(
            "input(3x8x8)\ndef inner(k) { conv(4, k) }\n"
            "def outer(k) {\n  inner(1) -> inner(k)\n}\n"
            "o: outer(40)"
        )
    first = caught.value.format().splitlines()[0]
    # the call's name names its last layer, the second inner call's conv
    assert first.startswith("<expr>:6:1: error: o: output height 8 - 40 + 1 = -31 < 1")
    assert first.endswith(
        "(in block 'inner' defined at line 2) (in block 'outer' defined at line 3)"
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("def a(c) { b(c) }\ndef b(c) { a(c) }\na(3)", "block 'a' calls itself (a -> b -> a)"),
        ("def f(relu) { conv(8, 1) }\nf(1)", "parameter 'relu' of block 'f' has the name of"),
        ("def f(same) { conv(8, 1) }\nf(1)", "has the name of a flag of conv ('same')"),
        ("def f(hidden) { conv(8, 1) }\nf(1)", "has the name of a layer kind ('dense')"),
        ("def conv2d(c) { conv(c, 1) }\nconv2d(1)", "'conv2d' is a word of the language"),
        ("def f(c) { conv(c, 1) }\nf()", "block 'f' needs its 'c' argument"),
        ("def f(c) { conv(c, 1) }\nf(1, 2)", "block 'f' takes 1 argument (c); one more"),
        ("def f(c) { conv(c, 1) }\nf(d=1)", "unknown argument 'd' for block 'f'"),
        ("def f(c) { conv(c, 1) }\nf(c=1, c=2)", "argument 'c' of block 'f' is given twice"),
        ("def f(c) { conv(c, 1) }\ndef f(c) { conv(c, 1) }\nf(1)", "defined twice"),
        ("def f(c=1, d) { conv(c, 1) }\nf(1)", "parameter 'd' without a default follows"),
        ("def f(c) { }\nf(1)", "block 'f' has an empty body"),
        ("repeat(2) { def f(c) { conv(c, 1) } }", "def is allowed only at the top level"),
        ("def f(c) { conv(c, 1) }\nff(1)", "unknown layer kind 'ff' (did you mean 'f'?)"),
        ("def f(c) { @input }\nf(1)", "block 'f' makes no layer here"),
    ],
)
def test_definition_and_call_errors(spec: str, message: str) -> None:
    assert message in spec_error("input(3x8x8)\n" + spec)


def test_the_expansion_budget_covers_calls() -> None:
    spec = "input(3x8x8)\ndef f(n) { repeat(n) { relu } }\nf(100000)"
    with pytest.raises(LimitError) as caught:
        load_spec(spec, expr=True, limits=Limits(max_layers=1000))
    assert "expanding block 'f' takes more than 1,000 steps" in caught.value.message
    nested = (
        "input(3x8x8)\ndef a() { relu -> relu }\ndef b() { a -> a }\ndef c() { b -> b }\n"
        "def d() { c -> c }\nd -> d -> d"
    )
    with pytest.raises(LimitError):
        load_spec(nested, expr=True, limits=Limits(max_layers=20))
    assert len(load_spec(nested, expr=True).layers) == 48


DSL = (
    "input(3x16x16)\ndef bconv(c, k, stride=1) { conv(c, k, stride=stride, nobias) -> batchnorm }\n"
    "stem: bconv(8, 3) -> relu6 -> bconv(4, 1, stride=2)\n"
)
STRUCTURED: dict[SpecFormat, str] = {
    "yaml": (
        "input: 3x16x16\ndefs:\n  bconv:\n    params: [c, k, {stride: 1}]\n"
        '    layers: ["conv(c, k, stride=stride, nobias)", batchnorm]\n'
        "layers:\n  - {bconv: [8, 3], name: stem}\n  - relu6\n"
        "  - {bconv: {c: 4, k: 1, stride: 2}}\n"
    ),
    "toml": (
        'input = "3x16x16"\nlayers = [{bconv = [8, 3], name = "stem"}, "relu6", '
        "{bconv = {c = 4, k = 1, stride = 2}}]\n\n[defs.bconv]\n"
        'params = ["c", "k", {stride = 1}]\nlayers = ["conv(c, k, stride=stride, nobias)", '
        '"batchnorm"]\n'
    ),
    "json": (
        '{"input": "3x16x16", "defs": {"bconv": {"params": ["c", "k", {"stride": 1}], '
        '"layers": ["conv(c, k, stride=stride, nobias)", "batchnorm"]}}, '
        '"layers": [{"bconv": [8, 3], "name": "stem"}, "relu6", '
        '{"bconv": {"c": 4, "k": 1, "stride": 2}}]}'
    ),
}


@pytest.mark.parametrize("fmt", sorted(STRUCTURED))
def test_definitions_in_yaml_toml_and_json_mean_the_same(fmt: SpecFormat) -> None:
    expected = load_spec(DSL, expr=True)
    network = load_spec(STRUCTURED[fmt], expr=True, fmt=fmt)
    assert network == expected
    assert block_structure(network) == block_structure(expected)
    text = format_network(network)
    assert "def bconv(c, k, stride=1) { conv(c, k, stride=stride, nobias) -> batchnorm }" in text
    assert load_spec(text, expr=True) == expected
