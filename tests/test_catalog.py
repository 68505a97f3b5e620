"""The catalogue states every fact about every kind, and agrees with the engine's registry."""

from __future__ import annotations

import pytest

from cnndiagram.catalog import BLOCKS, KINDS, MERGES, ArgType, Category, Kind
from cnndiagram.engine.ops import REGISTRY, Op
from cnndiagram.layout.theme import THEMES
from cnndiagram.spec.load import load_spec

from conftest import run

LAYER_KINDS = [kind for kind in KINDS.values() if kind.category is not Category.INPUT]
#: Two layers a merge's example (`add(a, b)`) can read.
MERGE_PREFIX = "input(8x16x16)\na: conv(8, 1)\n@input\nb: conv(8, 1)\n"


def test_every_kind_has_an_engine_rule_and_every_rule_a_kind() -> None:
    # The input is the network's own (analysis starts from its shape), not a layer with a rule.
    assert set(REGISTRY) == {kind.name for kind in LAYER_KINDS}
    assert [kind.name for kind in KINDS.values() if kind.category is Category.INPUT] == ["input"]


@pytest.mark.parametrize("kind", LAYER_KINDS, ids=lambda kind: kind.name)
def test_has_params_agrees_with_the_engine_rule(kind: Kind) -> None:
    counts = REGISTRY[kind.name].params is not Op._field_defaults["params"]
    assert kind.has_params == counts


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=lambda kind: kind.name)
def test_every_kind_states_every_fact(kind: Kind) -> None:
    assert kind.summary
    assert isinstance(kind.category, Category)
    assert len(kind.letter) == 1 and kind.letter.isupper(), kind.letter
    assert isinstance(kind.folds, bool)
    assert kind.label.head
    arg_names = [arg.name for arg in kind.args]
    if kind.label.arg is not None:
        assert kind.label.arg in arg_names
    if kind.label.factor:
        shown = kind.arg(str(kind.label.arg))
        assert shown is not None and shown.type in (ArgType.AXES, ArgType.SCALE)
    if kind.label.short is not None:
        assert kind.folds, "only a folded layer goes by its short name"
    if kind.window is not None:
        window = kind.arg(kind.window)
        assert window is not None and window.name == kind.window
        assert window.type is ArgType.AXES
    if kind.junction is not None:
        assert kind.category is Category.MERGE
    assert (kind.name in MERGES) == (kind.category is Category.MERGE)


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=lambda kind: kind.name)
def test_every_example_is_a_statement_of_its_kind(kind: Kind) -> None:
    if kind.category is Category.INPUT:
        network = load_spec(f"{kind.example}\nflatten", expr=True)
        assert network.input.shape
        return
    prefix = MERGE_PREFIX if kind.name in MERGES else "input(8x16x16)\n"
    network = load_spec(prefix + kind.example, expr=True)
    assert network.layers[-1].kind == kind.name


@pytest.mark.parametrize("kind", [k for k in KINDS.values() if k.folds], ids=lambda k: k.name)
def test_folding_kinds_keep_the_shape(kind: Kind) -> None:
    # A folded layer shares the column (and the drawn tensor) of the layer before it.
    analysis = run(f"input(8x6x6)\n{kind.example}")
    assert analysis.layers[-1].output_shape == analysis.layers[-1].input_shape == (8, 6, 6)


def test_every_theme_colours_exactly_the_categories() -> None:
    for theme in THEMES.values():
        assert set(theme.fills) == set(Category), theme.name


def test_block_examples_name_their_block() -> None:
    for name, block in BLOCKS.items():
        assert block.name == name
        assert block.summary
        assert block.example.startswith(name)
