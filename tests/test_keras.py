"""Keras 3 models read from their configuration, without Keras installed: parameter counts
equal Keras' own (tools/keras_fixtures.py wrote them with real Keras), archives and JSON
agree, and what the engine cannot model is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import SpecError
from cnndiagram.importers.keras import is_keras_config, read_keras
from cnndiagram.ir import display_shape
from cnndiagram.loading import load_network
from cnndiagram.notation import describe
from cnndiagram.source import Source
from cnndiagram.spec.format import format_network
from cnndiagram.spec.load import load_spec

from conftest import FIXTURES, SAMPLES, cli

KERAS = FIXTURES / "keras"
COUNTS: dict[str, list[int]] = json.loads((KERAS / "counts.json").read_text())
#: keras.applications models: each layer's output shape as Keras reports it (HWC, no batch).
SHAPES: dict[str, dict[str, list[int]]] = json.loads((KERAS / "shapes.json").read_text())
#: Layers the reader leaves out: they learn nothing and keep their input's shape.
LEFT_OUT = {"Rescaling"}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_equal_keras_own(name: str) -> None:
    result = analyze(load_network(KERAS / f"{name}.json"))
    assert [result.trainable_params, result.non_trainable_params] == COUNTS[name]


def test_the_applications_have_counts_and_shapes() -> None:
    applications = {
        "vgg16",
        "resnet50",
        "mobilenetv2",
        "densenet121",
        "efficientnetb0",
        "inceptionv3",
    }
    assert set(SHAPES) == applications and applications <= set(COUNTS)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shapes_equal_keras_own(name: str) -> None:
    network = load_network(KERAS / f"{name}.json")
    ours = {
        result.name: list(display_shape(result.output_shape, network.channels_last))
        for result in analyze(network).layers
    }
    assert network.channels_last and set(ours) <= set(SHAPES[name])
    kinds = {
        item["config"]["name"]: item["class_name"]
        for item in json.loads((KERAS / f"{name}.json").read_text())["config"]["layers"]
    }
    for layer, shape in SHAPES[name].items():
        if layer in ours:
            assert ours[layer] == shape, layer
        else:
            assert kinds[layer] in LEFT_OUT, layer


def test_batchnorm_may_learn_its_shift_or_its_scale_alone() -> None:
    # InceptionV3's BatchNormalization(scale=False): C learned shifts + 2C running statistics.
    for change, label in (({"scale": False}, "no scale"), ({"center": False}, "no bias")):
        network = read_keras(Source(mutate("residual", change, "stem_bn"), "model.json"))
        result = analyze(network)
        assert [result.trainable_params, result.non_trainable_params] == [8530 - 16, 32]
        bn = next(r for r in result.layers if r.name == "stem_bn")
        assert (bn.trainable, bn.running) == (16, 32)
        assert describe(bn.layer, 2) == f"batchnorm, {label}"


def test_normalization_statistics_are_weights_unless_the_model_states_them() -> None:
    # Keras' Normalization adapts a mean and a variance per channel and counts its samples.
    result = analyze(load_network(KERAS / "efficientnetb0.json"))
    norm = next(r for r in result.layers if r.name == "normalization")
    assert (norm.kind, norm.trainable, norm.running) == ("standardize", 0, 2 * 3 + 1)
    stated = {"mean": [0.485, 0.456, 0.406], "variance": [0.05, 0.05, 0.05]}
    network = read_keras(Source(mutate("efficientnetb0", stated, "normalization"), "m.json"))
    assert analyze(network).non_trainable_params == COUNTS["efficientnetb0"][1] - 7


def test_a_keras_archive_reads_like_its_json() -> None:
    archive = load_network(KERAS / "residual.keras")
    assert archive == load_network(KERAS / "residual.json")
    result = cli("summary", str(KERAS / "residual.keras"))
    assert result.returncode == 0 and "image" in result.stdout


def test_keras_names_and_channels_last_are_kept() -> None:
    network = load_network(KERAS / "residual.json")
    assert network.channels_last
    assert network.input.name == "image" and network.input.shape == (3, 32, 32)
    names = [layer.name for layer in network.layers]
    assert names[:3] == ["stem", "stem_bn", "stem_relu"]
    merge = next(layer for layer in network.layers if layer.name == "add")
    assert merge.kind == "add" and merge.inputs == ("stem_relu", "b")
    table = cli("summary", str(KERAS / "residual.json")).stdout
    assert "32x32x16" in table  # shown HWC, as Keras shows them


def test_our_own_json_specs_are_not_taken_for_keras() -> None:
    text = (SAMPLES / "c3d.json").read_text()
    assert not is_keras_config(text)
    assert load_network(SAMPLES / "c3d.json") == load_spec(SAMPLES / "c3d.json")


def test_an_imported_model_formats_to_an_editable_spec() -> None:
    network = load_network(KERAS / "residual.json")
    spec = format_network(network)
    again = load_spec(spec, expr=True)
    assert analyze(again).total_params == analyze(network).total_params
    assert [layer.name for layer in again.layers] == [layer.name for layer in network.layers]


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_an_application_formats_to_a_spec_with_its_counts(name: str) -> None:
    network = load_network(KERAS / f"{name}.json")
    again = analyze(load_spec(format_network(network), expr=True))
    assert [again.trainable_params, again.non_trainable_params] == COUNTS[name]


def test_a_nested_model_is_a_block_of_its_layers() -> None:
    network = load_network(KERAS / "nested.json")
    inner = [layer for layer in network.layers if layer.name.startswith("block.")]
    assert len(inner) == 2
    assert {layer.block.label for layer in inner if layer.block is not None} == {"block"}
    assert all(layer.block is None for layer in network.layers if layer not in inner)
    again = load_spec(format_network(network), expr=True)
    assert analyze(again).total_params == analyze(network).total_params


def mutate(name: str, change: dict[str, object], layer: str) -> str:
    config = json.loads((KERAS / f"{name}.json").read_text())
    for item in config["config"]["layers"]:
        if item["config"]["name"] == layer:
            item["config"].update(change)
            if "class_name" in change:
                item["class_name"] = change["class_name"]
    return json.dumps(config)


@pytest.mark.parametrize(
    ("name", "layer", "change", "message"),
    [
        ("seed", "flatten", {"class_name": "Identity"}, "Identity is not a Keras layer"),
        ("residual", "stem_bn", {"axis": 1}, "BatchNormalization over an axis other than"),
        ("efficientnetb0", "normalization", {"axis": None}, "Normalization over an axis"),
        ("seed", "conv2d1", {"data_format": "channels_first"}, "channels_first"),
        ("seed", "conv2d2", {"padding": "causal"}, "padding 'causal' is not supported"),
        ("seed", "dense", {"activation": "mystery"}, "activation 'mystery'"),
    ],
)
def test_what_the_engine_cannot_model_is_refused_by_name(
    name: str, layer: str, change: dict[str, object], message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        read_keras(Source(mutate(name, change, layer), "model.json"))
    assert message in caught.value.format()
    assert caught.value.format().startswith("error: model.json")


def test_dense_on_a_feature_map_is_refused() -> None:
    config = json.loads((KERAS / "seed.json").read_text())
    config["config"]["layers"] = [
        item for item in config["config"]["layers"] if item["class_name"] != "Flatten"
    ]
    with pytest.raises(SpecError, match="Dense on a feature map acts on its last axis"):
        read_keras(Source(json.dumps(config), "model.json"))


def test_no_keras_is_imported(tmp_path: Path) -> None:
    probe = "import sys, cnndiagram.cli; " + (
        "from cnndiagram.loading import load_network; "
        f"load_network({str(KERAS / 'vgg16.json')!r}); "
        "assert 'keras' not in sys.modules and 'torch' not in sys.modules"
    )
    import subprocess
    import sys

    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0
