"""Blocks as data: the IR carries the block tree, figures read it, and `fmt` writes blocks
back, so a formatted sample is about as short as the original and draws the same figure."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnndiagram.diagram import Diagram
from cnndiagram.engine.analysis import analyze
from cnndiagram.ir import BlockKind, block_structure
from cnndiagram.layout.scene import Text, walk
from cnndiagram.spec.format import format_network, quote
from cnndiagram.spec.load import load_spec

from conftest import SAMPLES

SPECS = sorted(SAMPLES.glob("*.cnn"))
ALL = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".cnn", ".yaml", ".json", ".toml"))


def code_lines(text: str) -> int:
    lines = [line.strip() for line in text.splitlines()]
    return sum(1 for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize("sample", SPECS, ids=lambda p: p.name)
def test_fmt_keeps_blocks_and_stays_short(sample: Path) -> None:
    original = sample.read_text(encoding="utf-8")
    formatted = format_network(load_spec(sample))
    assert code_lines(formatted) <= 1.5 * code_lines(original), formatted


@pytest.mark.parametrize("sample", ALL, ids=lambda p: p.name)
@pytest.mark.parametrize("collapse", [False, True])
def test_fmt_output_draws_the_same_figure(sample: Path, collapse: bool) -> None:
    network = load_spec(sample)
    again = load_spec(format_network(network), expr=True)
    assert again == network
    assert block_structure(again) == block_structure(network)
    assert format_network(again) == format_network(network)
    first = Diagram(network, collapse=collapse, max_width=1600).to_svg()
    assert Diagram(again, collapse=collapse, max_width=1600).to_svg() == first


def badges(spec: str) -> list[str]:
    scene = Diagram(spec, collapse=True).scene
    return [
        item.text
        for _, item in walk(scene.items)
        if isinstance(item, Text) and ("repeats of" in item.text or "parameters" in item.text)
    ]


def test_repeats_whose_names_share_a_suffix_get_their_own_badges() -> None:
    spec = (
        'input(1x8x8) -> "s:one": repeat(2) { conv(4, 3, pad=1) } '
        '-> "t:one": repeat(2) { conv(8, 3, pad=1) } -> dense(2)'
    )
    texts = badges(spec)
    assert "×2 repeats of s:one" in texts and "×2 repeats of t:one" in texts
    analysis = analyze(load_spec(spec, expr=True))
    by_block: dict[str, int] = {}
    for result in analysis.layers:
        layer = result.layer
        block = layer.repeat() if layer is not None else None
        if block is not None and block.name is not None:
            by_block[block.name] = by_block.get(block.name, 0) + result.params
    # the badges carry each repeat's own total, from the engine
    assert by_block == {"s:one": 40 + 148, "t:one": 296 + 584}
    assert any(text.endswith(f"= {by_block['s:one']} parameters") for text in texts)
    assert any(text.endswith(f"= {by_block['t:one']} parameters") for text in texts)


def test_the_ir_carries_the_block_tree() -> None:
    network = load_spec(SAMPLES / "resnet18.cnn")
    kinds = {layer.block.kind for layer in network.layers if layer.block is not None}
    assert BlockKind.RESIDUAL in kinds
    for layer in network.layers:
        if layer.block is not None:
            path = layer.block.path()
            assert path[-1] is layer.block
            assert all(inner.parent is outer for outer, inner in itertools.pairwise(path))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40))
def test_any_name_survives_fmt_as_plain_text(name: str) -> None:
    """fmt quotes and escapes every character the reader needs (a NUL, a bidi override),
    so its output is plain printable text that reads back to the same name."""
    assume(name.strip())
    network = load_spec(f"input(1x8x8)\n{quote(name)}: conv(2, 3)", expr=True)
    text = format_network(network)
    assert "\x00" not in text and "\u202e" not in text and "\r" not in text
    assert load_spec(text, expr=True) == network
    assert network.layers[0].name == name
