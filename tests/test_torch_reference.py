"""Every layer kind against values PyTorch itself computed (tools/torch_fixtures.py)."""

from __future__ import annotations

import json

import pytest

from cnndiagram.engine.analysis import analyze
from cnndiagram.engine.formulas import evaluate
from cnndiagram.errors import ShapeError
from cnndiagram.spec.load import load_spec

from conftest import FIXTURES, ROOT, run

LAYERS = json.loads((FIXTURES / "torch_layers.json").read_text())["cases"]
NETWORKS = json.loads((FIXTURES / "torch_networks.json").read_text())["networks"]


def test_fixtures_cover_every_kind_with_parameters_and_errors() -> None:
    kinds = {case["spec"].split("-> ")[1].split("(")[0] for case in LAYERS}
    for kind in (
        "conv",
        "deconv",
        "sepconv",
        "dwconv",
        "maxpool",
        "avgpool",
        "dense",
        "batchnorm",
        "groupnorm",
        "layernorm",
        "instancenorm",
        "prelu",
        "upsample",
        "zeropad",
        "crop",
        "reshape",
        "adaptiveavgpool",
        "globalavgpool",
    ):
        assert kind in kinds
    assert sum("error" in case for case in LAYERS) > 50
    assert len(LAYERS) >= 500


@pytest.mark.parametrize("case", LAYERS, ids=[case["spec"] for case in LAYERS])
def test_layer_matches_pytorch(case: dict) -> None:
    if "error" in case:
        with pytest.raises(ShapeError):
            run(case["spec"])
        return
    analysis = run(case["spec"])
    layer = analysis.layers[-1]
    assert list(layer.output_shape) == case["output_shape"]
    assert layer.trainable == case["trainable"]
    assert layer.non_trainable == case["non_trainable"]
    formulas = analysis.formulas(layer)
    for formula in formulas.output:
        assert evaluate(formula.expr) == formula.result
    shown = [f.result for f in formulas.output]
    if shown and len(shown) == len(layer.output_shape) - 1:
        assert shown == list(layer.output_shape[1:])
    if formulas.params is not None:
        assert formulas.params.result == layer.params


@pytest.mark.parametrize("net", NETWORKS, ids=[net["name"] for net in NETWORKS])
def test_network_totals_match_pytorch(net: dict) -> None:
    analysis = analyze(load_spec(ROOT / net["spec"]))
    assert analysis.trainable_params == net["trainable"]
    assert analysis.non_trainable_params == net["non_trainable"]
    assert list(analysis.output_shape) == net["output_shape"]


DAGS = json.loads((FIXTURES / "torch_dags.json").read_text())["cases"]


def test_dag_fixtures_cover_valid_and_rejected_merges() -> None:
    assert len(DAGS) >= 100
    assert 20 < sum("error" in case for case in DAGS) < len(DAGS) - 20


@pytest.mark.parametrize("case", DAGS, ids=[case["spec"] for case in DAGS])
def test_branching_block_matches_pytorch(case: dict) -> None:
    if "error" in case:
        with pytest.raises(ShapeError, match=r"(add|concat|multiply)\d*: (add|concat|multiply)\("):
            run(case["spec"])
        return
    analysis = run(case["spec"])
    assert list(analysis.output_shape) == case["output_shape"]
    assert analysis.trainable_params == case["trainable"]
