"""The seed question's network: every size, count and formula of the accepted answer."""

from __future__ import annotations

import json
import math

from cnndiagram.engine.analysis import analyze
from cnndiagram.report import json_text, table
from cnndiagram.spec.load import load_spec

from conftest import SAMPLES, run

SEED_SIZES = [(1, 28, 28), (32, 24, 24), (32, 12, 12), (32, 10, 10), (32, 5, 5), (256,), (10,)]
SEED_PARAMS = [0, 832, 0, 9248, 0, 205056, 2570]


def test_seed_sample_sizes_and_parameters() -> None:
    analysis = analyze(load_spec(SAMPLES / "seed.cnn"))
    assert [r.output_shape for r in analysis.layers] == SEED_SIZES
    assert [r.params for r in analysis.layers] == SEED_PARAMS
    assert analysis.total_params == 217_706
    assert [r.name for r in analysis.layers] == [
        "input",
        "conv2d1",
        "maxpool1",
        "conv2d2",
        "maxpool2",
        "dense",
        "output",
    ]


def test_seed_alias_form_matches_the_sample() -> None:
    short = run("I(1x28x28)-C(32,5)-P(2)-C(32,3)-P(2)-H(256)-O(10)")
    assert [r.output_shape for r in short.layers] == SEED_SIZES
    assert [r.params for r in short.layers] == SEED_PARAMS


def test_seed_formulas_are_the_answers() -> None:
    analysis = run("I(1x28x28)-C(32,5)-P(2)-C(32,3)-P(2)-H(256)-O(10)")
    params = [analysis.formulas(r).params for r in analysis.layers]
    assert [str(p) for p in params if p] == [
        "(5*5*1 + 1)*32 = 832",
        "(3*3*32 + 1)*32 = 9248",
        "(32*5*5 + 1)*256 = 205056",
        "(256 + 1)*10 = 2570",
    ]
    conv = analysis.formulas(analysis.layers[1]).output
    assert [str(f) for f in conv] == ["H: 28 - 5 + 1 = 24", "W: 28 - 5 + 1 = 24"]
    assert str(analysis.total_formula()) == "832 + 9248 + 205056 + 2570 = 217706"


def test_seed_table_has_the_total_line() -> None:
    text = table(analyze(load_spec(SAMPLES / "seed.cnn")))
    assert "832 + 9,248 + 205,056 + 2,570 = 217,706" in text
    for size in ("32x24x24", "32x12x12", "32x10x10", "32x5x5"):
        assert size in text


def test_seed_json_schema() -> None:
    data = json.loads(json_text(analyze(load_spec(SAMPLES / "seed.cnn"))))
    assert set(data) == {
        "title",
        "input_shape",
        "output_shape",
        "total_params",
        "trainable_params",
        "non_trainable_params",
        "learnable_params",
        "frozen_params",
        "running_params",
        "total_macs",
        "layers",
    }
    assert data["total_params"] == 217_706
    assert data["input_shape"] == [1, 28, 28]
    assert data["output_shape"] == [10]
    assert len(data["layers"]) == 7
    conv = data["layers"][1]
    assert set(conv) == {
        "name",
        "kind",
        "inputs",
        "input_shape",
        "output_shape",
        "params",
        "trainable",
        "non_trainable",
        "learnable",
        "running",
        "formulas",
        "macs",
        "receptive_field",
    }
    assert conv["inputs"] == ["input"]
    assert data["layers"][0]["inputs"] == []
    assert conv["formulas"] == {
        "output": ["H: 28 - 5 + 1 = 24", "W: 28 - 5 + 1 = 24"],
        "params": "(5*5*1 + 1)*32 = 832",
    }
    assert conv["receptive_field"] == {"size": [5, 5], "jump": [1, 1]}
    assert data["layers"][5]["receptive_field"] is None
    assert conv["macs"] == 24 * 24 * 32 * 5 * 5
    for layer in data["layers"]:
        for text in [*layer["formulas"]["output"], layer["formulas"]["params"] or "0 = 0"]:
            expression, result = text.split(": ")[-1].rsplit(" = ", 1)
            assert eval(expression, {"floor": math.floor, "ceil": math.ceil}) == int(result)


def test_every_sample_format_gives_the_same_network() -> None:
    dsl = load_spec(SAMPLES / "seed.cnn")
    assert load_spec(SAMPLES / "seed.yaml") == dsl
    assert load_spec(SAMPLES / "seed.toml") == dsl
