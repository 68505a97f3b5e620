"""`build_layer`: Python values make the layers spec text makes, and fail with its errors."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

import cnndiagram
from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import LimitError, SpecError
from cnndiagram.ir import Input, Layer, Network
from cnndiagram.source import Source
from cnndiagram.spec import build
from cnndiagram.spec.build import build_layer
from cnndiagram.spec.load import load_spec, parse_source

from conftest import SAMPLES

INPUT = "input(8x16x16)\n"
#: Two layers a merge can read.
MERGE_INPUT = INPUT + "a: conv(8, 1)\n@input\nb: conv(8, 1)\n"
WHERE = "model.onnx: node Conv_3"

#: (statement, kind as an importer spells it, inputs, arguments as Python values)
SAME: list[tuple[str, str, tuple[str, ...], dict[str, Any]]] = [
    (
        "c: conv(32, 3x3, stride=2, pad=same, relu)",
        "conv",
        ("input",),
        {"filters": 32, "kernel": (3, 3), "stride": 2, "pad": "same", "act": "relu"},
    ),
    (
        "c: conv(16, 5, pad=2, nobias, swish)",
        "Conv2d",
        ("input",),
        {
            "out_channels": 16,
            "kernel_size": 5,
            "padding": 2,
            "use_bias": False,
            "activation": "swish",
        },
    ),
    (
        "c: conv(8, 3, dilation=2x1, groups=2, frozen)",
        "conv2d",
        ("input",),
        {"filters": 8, "kernel": "3", "dilation_rate": [2, 1], "g": 2, "trainable": False},
    ),
    (
        "d: deconv(8, 2, stride=2, output_pad=1)",
        "ConvTranspose2d",
        ("input",),
        {"out_channels": 8, "kernel_size": 2, "strides": 2, "output_padding": 1},
    ),
    (
        "s: sepconv(16, 3x3, depth_multiplier=2)",
        "SeparableConv2D",
        ("input",),
        {"filters": 16, "kernel_size": "3x3", "dm": 2},
    ),
    ("w: dwconv(3x1, frozen)", "dwconv", ("input",), {"kernel": [3, 1], "trainable": False}),
    (
        "p: maxpool(3, stride=2, ceil)",
        "MaxPool2d",
        ("input",),
        {"kernel": 3, "stride": 2, "ceil_mode": True},
    ),
    (
        "p: avgpool(2, pad=valid)",
        "AveragePooling2D",
        ("input",),
        {"pool_size": 2, "padding": "valid"},
    ),
    ("g: globalavgpool(keepdims)", "GlobalAveragePooling2D", ("input",), {"keepdims": True}),
    ("a: adaptiveavgpool(1x1)", "AdaptiveAvgPool2d", ("input",), {"output_size": (1, 1)}),
    ("bn: batchnorm", "BatchNorm2d", ("input",), {}),
    ("gn: groupnorm(4, affine=false)", "GroupNorm", ("input",), {"num_groups": 4, "affine": False}),
    ("ln: layernorm(channels)", "LayerNorm", ("input",), {"over": "channels"}),
    ("i: instancenorm(affine)", "InstanceNorm2d", ("input",), {"affine": True}),
    ("n: lrn(5)", "LocalResponseNorm", ("input",), {"size": 5}),
    ("r: relu", "ReLU", ("input",), {}),
    ("l: leakyrelu(0.1)", "LeakyReLU", ("input",), {"negative_slope": 0.1}),
    ("e: elu(alpha=2)", "elu", ("input",), {"alpha": 2}),
    ("pr: prelu(channelwise)", "PReLU", ("input",), {"channelwise": True}),
    ("dr: dropout(0.25)", "Dropout", ("input",), {"p": 0.25}),
    ("u: upsample(2, bilinear)", "Upsample", ("input",), {"scale_factor": 2, "mode": "bilinear"}),
    ("z: zeropad([1,2]x[0,1])", "ZeroPad2d", ("input",), {"padding": ((1, 2), (0, 1))}),
    ("cr: crop(1)", "Cropping2D", ("input",), {"cropping": 1}),
    ("f: flatten", "Flatten", "input", {}),
    ("v: reshape(32x-1)", "view", ("input",), {"shape": (32, -1)}),
    (
        "h: dense(64, tanh, nobias)",
        "Linear",
        ("input",),
        {"out_features": 64, "act": "tanh", "bias": False},
    ),
    ("o: output(10)", "output", ("input",), {"units": 10}),
    ("m: add(a, b)", "add", ("a", "b"), {}),
    ("m: multiply(a, b)", "mul", ("a", "b"), {}),
    ("m: concat(b, a)", "concatenate", ("b", "a"), {"axis": "channels"}),
]


def _text_layer(statement: str, inputs: tuple[str, ...] | str) -> Layer:
    prefix = MERGE_INPUT if len(inputs) == 2 else INPUT
    return load_spec(prefix + statement, expr=True).layers[-1]


@pytest.mark.parametrize(("statement", "kind", "inputs", "args"), SAME, ids=[s[0] for s in SAME])
def test_python_values_make_the_layer_the_text_makes(
    statement: str, kind: str, inputs: tuple[str, ...], args: dict[str, Any]
) -> None:
    name = statement.split(":", maxsplit=1)[0]
    built = build_layer(kind, name, inputs, location=WHERE, **args)
    expected = _text_layer(statement, inputs)
    assert built == expected
    # Equality skips positions; the kind, argument order and types must match too.
    assert (built.kind, built.args, built.inputs) == (expected.kind, expected.args, expected.inputs)
    assert [type(value) for _, value in built.args] == [type(value) for _, value in expected.args]
    assert built.span is None


#: (statement, kind, inputs, arguments) that the DSL and `build_layer` both refuse.
REFUSED: list[tuple[str, str, tuple[str, ...], dict[str, Any]]] = [
    ("conv(kernel=3)", "conv", ("input",), {"kernel": 3}),
    ("conv(32, 3, strde=2)", "conv", ("input",), {"filters": 32, "kernel": 3, "strde": 2}),
    ("conv(32, 3, stride=true)", "conv", ("input",), {"filters": 32, "kernel": 3, "stride": True}),
    ("conv(0, 3)", "conv", ("input",), {"filters": 0, "kernel": 3}),
    ("conv(8, 1x2x3x4)", "conv", ("input",), {"filters": 8, "kernel": (1, 2, 3, 4)}),
    ("conv(8, 3, act=foo)", "conv", ("input",), {"filters": 8, "kernel": 3, "act": "foo"}),
    ("conv(100000000, 3)", "conv", ("input",), {"filters": 100_000_000, "kernel": 3}),
    ("dense(2.5)", "dense", ("input",), {"units": 2.5}),
    ("dropout(1.5)", "dropout", ("input",), {"rate": 1.5}),
    ("upsample(2, mode=bilinearr)", "upsample", ("input",), {"scale": 2, "mode": "bilinearr"}),
    ("zeropad([1,2,3]x[0,1])", "zeropad", ("input",), {"pad": ((1, 2, 3), (0, 1))}),
    ("reshape(1x-1x-1)", "reshape", ("input",), {"shape": (1, -1, -1)}),
    ("relu(x=1)", "relu", ("input",), {"x": 1}),
    ("convv(8, 3)", "convv", ("input",), {"filters": 8, "kernel": 3}),
    ("m: add(a)", "add", ("a",), {}),
    ('"": conv(8, 1)', "conv", ("input",), {"filters": 8, "kernel": 1}),
]


def _text_error(statement: str, inputs: tuple[str, ...]) -> SpecError:
    prefix = MERGE_INPUT if inputs == ("a",) else INPUT
    with pytest.raises(SpecError) as caught:
        load_spec(prefix + statement, expr=True)
    return caught.value


@pytest.mark.parametrize(
    ("statement", "kind", "inputs", "args"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_refused_values_give_the_texts_error_at_the_callers_location(
    statement: str, kind: str, inputs: tuple[str, ...], args: dict[str, Any]
) -> None:
    expected = _text_error(statement, inputs)
    name = statement.split(":", maxsplit=1)[0].strip('"') if ":" in statement else "layer"
    with pytest.raises(SpecError) as caught:
        build_layer(kind, name, inputs, location=WHERE, **args)
    error = caught.value
    assert type(error) is type(expected)
    assert (error.message, error.hint) == (expected.message, expected.hint)
    head = f"{WHERE}: error: {expected.message}"
    assert error.format() == head + (f"\nhint: {expected.hint}" if expected.hint else "")
    assert error.location() == WHERE


@pytest.mark.parametrize(
    ("yaml", "kind", "args"),
    [
        ("dropout: .nan", "dropout", {"rate": float("nan")}),
        ("{maxpool: {size: 2, stride: 3x3x}}", "maxpool", {"size": 2, "stride": "3x3x"}),
        (
            "{conv: {filters: 8, kernel: '3', act: swishh}}",
            "conv",
            {"filters": 8, "kernel": "3", "act": "swishh"},
        ),
    ],
)
def test_values_text_cannot_write_fail_as_in_yaml(
    yaml: str, kind: str, args: dict[str, Any]
) -> None:
    # NaN and strings holding values have no DSL spelling; YAML reads them as Python does.
    with pytest.raises(SpecError) as caught:
        parse_source(Source(f"input: 8x16x16\nlayers:\n  - {yaml}\n", "t.yaml"))
    expected = caught.value
    with pytest.raises(SpecError) as caught:
        build_layer(kind, "layer", "input", location=WHERE, **args)
    assert (caught.value.message, caught.value.hint) == (expected.message, expected.hint)


def test_without_a_location_the_error_stands_alone() -> None:
    with pytest.raises(SpecError) as caught:
        build_layer("conv", "c", "input", kernel=3)
    assert caught.value.format() == ("error: conv needs its 'filters' argument, e.g. conv(32, 3x3)")


def test_an_argument_given_under_two_names() -> None:
    expected = _text_error("conv(8, 3, kernel=3)", ("input",))
    with pytest.raises(SpecError) as caught:
        build_layer("conv", "c", "input", location=WHERE, filters=8, kernel=3, k=3)
    # The text's message points at the first column; values from Python have none.
    assert caught.value.message == "argument 'kernel' of conv is given twice"
    assert expected.message.startswith(caught.value.message + " (first at column ")


def test_limits_apply_as_to_text() -> None:
    layer = build_layer(
        "dense", "h", "input", units=100_000_000, limits=cnndiagram.Limits(max_dim=10**9)
    )
    assert layer.arg("units") == 100_000_000
    with pytest.raises(LimitError):
        build_layer("dense", "h", "input", units=100_000_000)


@pytest.mark.parametrize(
    ("kind", "inputs", "args", "message"),
    [
        ("input", ("x",), {"shape": (1, 28, 28)}, "input is not a layer"),
        (
            "conv",
            ("a", "b"),
            {"filters": 8, "kernel": 1},
            "'conv' reads one layer; 'inputs' names 2",
        ),
        ("conv", (), {"filters": 8, "kernel": 1}, "'inputs' is empty"),
        ("conv", ("",), {"filters": 8, "kernel": 1}, "'inputs' must be layer names"),
        ("conv", ("input",), {"filters": 8, "kernel": object()}, "got a value of type object"),
        ("conv", ("input",), {"filters": 8, "kernel": "3x"}, "in '3x': "),
    ],
)
def test_what_only_python_values_can_get_wrong(
    kind: str, inputs: tuple[str, ...], args: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        build_layer(kind, "layer", inputs, location=WHERE, **args)
    assert message in caught.value.message
    assert caught.value.format().startswith(f"{WHERE}: error: ")


def test_numpy_numbers_are_numbers() -> None:
    numpy = pytest.importorskip("numpy")
    layer = build_layer(
        "conv", "c", "input", filters=numpy.int64(8), kernel=(numpy.int32(3), 3), act="relu"
    )
    assert layer == build_layer("conv", "c", "input", filters=8, kernel=(3, 3), act="relu")
    assert type(layer.arg("filters")) is int
    rate = build_layer("dropout", "d", "input", rate=numpy.float32(0.5)).arg("rate")
    assert type(rate) is float and rate == 0.5


def test_a_network_of_built_layers_is_the_seed() -> None:
    seed = load_spec(SAMPLES / "seed.cnn")
    layers = (
        build_layer("Conv2d", "conv2d1", "input", out_channels=32, kernel_size="5x5", act="relu"),
        build_layer("MaxPool2d", "maxpool1", "conv2d1", pool_size=[2, 2]),
        build_layer(
            "Conv2d", "conv2d2", "maxpool1", out_channels=32, kernel_size=(3, 3), act="relu"
        ),
        build_layer("MaxPool2d", "maxpool2", "conv2d2", k=(2, 2)),
        build_layer("Linear", "dense", "maxpool2", out_features=256, act="relu"),
        build_layer("output", "output", "dense", units=10),
    )
    network = Network(Input((1, 28, 28)), layers, "Seed network (MNIST)")
    assert network == seed
    assert analyze(network).total_params == analyze(seed).total_params


def test_the_package_exports_build_layer_and_its_example_holds() -> None:
    assert cnndiagram.build_layer is build_layer
    assert "build_layer" in cnndiagram.__all__
    results = doctest.testmod(build, raise_on_error=True)
    assert results.attempted == 1
