"""Every layer kind against values PyTorch itself computed (tools/torch_fixtures.py)."""

from __future__ import annotations

import json
import re

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
    # A channel formula (chunk's `C: 16//2 = 8`) states the first dimension.
    channel = [f.result for f in formulas.output if f.label == "C"]
    assert channel in ([], [layer.output_shape[0]])
    shown = [f.result for f in formulas.output if f.label != "C"]
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


MODERN = json.loads((FIXTURES / "torch_modern.json").read_text())["cases"]


def test_modern_fixtures_cover_the_new_layers_and_refusals() -> None:
    specs = [case["spec"] for case in MODERN]
    for word in (
        "relu6",
        "hardsigmoid",
        "mish",
        "chunk(",
        "channelshuffle(",
        "prelu(",
        "lrn(",
        "eps=",
        "adaptiveavgpool(",
    ):
        assert any(word in spec for spec in specs), word
    # fractional, per-axis upsampling and a positional pooling stride
    assert any(re.search(r"upsample\(\d+\.\d+\)", spec) for spec in specs)
    assert any(re.search(r"upsample\([\d.]+x[\d.]+", spec) for spec in specs)
    assert any(re.search(r"pool\(\d+, \d+", spec) for spec in specs)
    refused = [case["spec"] for case in MODERN if "error" in case]
    for word in ("prelu(", "lrn(", "channelshuffle(", "upsample("):
        assert any(word in spec for spec in refused), word


@pytest.mark.parametrize("case", MODERN, ids=[case["spec"] for case in MODERN])
def test_modern_layer_matches_pytorch(case: dict) -> None:
    test_layer_matches_pytorch(case)
