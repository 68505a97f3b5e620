"""nolearn and Lasagne definitions, read without running them: the seed's own network, the
dictionary and chain styles, wrappers, and every case the reader refuses, located.

Lasagne needs Theano, which does not install on current Pythons, so the expected numbers
here follow Lasagne's documented rules (its `conv_output_length` and `pool_output_length`,
written out below) rather than fixtures from a Lasagne run."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import CnnDiagramError, SpecError
from cnndiagram.importers.lasagne import read_lasagne
from cnndiagram.loading import load_network
from cnndiagram.source import Source
from cnndiagram.spec.load import load_spec

from conftest import SAMPLES, cli

CASES = Path(__file__).resolve().parent / "lasagne"


def summary(path: Path, *args: str) -> str:
    result = cli("summary", str(path), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_seed_nolearn_file_gives_the_seed_table() -> None:
    ours = analyze(load_network(SAMPLES / "seed_nolearn.py"))
    spec = analyze(load_spec(SAMPLES / "seed.cnn"))
    assert ours.total_params == spec.total_params == 217_706
    assert [(r.name, r.output_shape, r.params) for r in ours.layers] == [
        (r.name, r.output_shape, r.params) for r in spec.layers
    ]
    table = summary(SAMPLES / "seed_nolearn.py")
    assert table == summary(SAMPLES / "seed.cnn").split("\n", 2)[2]  # all but the title


def test_the_dictionary_style_with_aliases_and_lasagne_padding() -> None:
    result = analyze(load_network(CASES / "vgg_dict.py"))
    rows = {r.name: (r.output_shape, r.params) for r in result.layers}
    assert rows["conv1_1"] == ((16, 32, 32), (3 * 3 * 3 + 1) * 16)
    assert rows["conv2_1"] == ((32, 16, 16), (3 * 3 * 16 + 1) * 32)  # pad='same': 3 // 2
    # ignore_border=False keeps the last partial window (Lasagne's pool_output_length)
    assert rows["pool2"][0] == (32, 8, 8)
    assert rows["fc6"] == ((128,), (32 * 8 * 8 + 1) * 128)  # a dense layer flattens
    assert rows["fc7"][1] == (128 + 1) * 10
    assert [r.kind for r in result.layers][-1] == "softmax"


def test_batch_norm_moves_the_nonlinearity_and_drops_the_bias() -> None:
    result = analyze(load_network(CASES / "resnet_chain.py"))
    names = [r.name for r in result.layers]
    assert names[:4] == ["input", "stem", "stem_bn", "stem_bn_nonlin"]
    rows = {r.name: r for r in result.layers}
    assert rows["stem"].params == 3 * 3 * 3 * 16  # no bias: the normalisation's shift
    assert rows["stem_bn"].layer is not None and rows["stem_bn"].layer.kind == "batchnorm"
    assert rows["b_bn"].layer is not None
    assert "b_bn_nonlin" not in rows  # nonlinearity=None: nothing after the normalisation
    assert rows["add1"].layer is not None and rows["add1"].layer.inputs == (
        "b_bn",
        "stem_bn_nonlin",
    )
    assert rows["concat1"].output_shape == (24, 32, 32)
    # beta and gamma are learnt (2C), the running mean and inv_std are not (2C)
    assert result.non_trainable_params == 3 * 2 * 16
    assert result.trainable_params == 432 + 2304 * 2 + 136 + 250 + 3 * 2 * 16


def test_nolearn_dictionary_entries_are_named_as_nolearn_names_them() -> None:
    result = analyze(load_network(CASES / "nolearn_dicts.py"))
    assert [r.name for r in result.layers] == [
        "input0",
        "conv2d1",
        "maxpool2d2",
        "dropout3",
        "dense4",
        "out",
    ]
    assert result.layers[-1].layer is not None and result.layers[-1].layer.kind == "output"
    assert result.total_params == 80 + (8 * 14 * 14 + 1) * 64 + (64 + 1) * 10


def test_the_file_is_never_run(tmp_path: Path) -> None:
    marker = Path("/tmp/cnndiagram-was-executed")
    marker.unlink(missing_ok=True)
    table = summary(CASES / "side_effect.py")
    assert "(4 + 1)*2 = 10" in table
    assert not marker.exists()


@pytest.mark.parametrize(
    ("name", "where", "message", "hint"),
    [
        ("loop.py", "4:1", "layers are built in a loop", "write the layers out"),
        ("computed.py", "5:25", "the input shape is computed when the code runs", "--input"),
    ],
)
def test_what_cannot_be_followed_is_a_located_error(
    name: str, where: str, message: str, hint: str
) -> None:
    result = cli("summary", str(CASES / name))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{CASES / name}:{where}: error: {message}")
    assert "^" in result.stderr and hint in result.stderr
    assert "Traceback" not in result.stderr


def test_input_gives_the_shape_the_file_computes() -> None:
    table = summary(CASES / "computed.py", "--input", "20")
    assert "(20 + 1)*100 = 2,100" in table


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "from lasagne.layers import *\nl = InputLayer((None, 3))\nl = FancyLayer(l)\n",
            "FancyLayer is not a Lasagne layer the reader knows",
        ),
        (
            "l = InputLayer((None, 3))\nl = DenseLayer(m, 4)\n",
            "this is not a layer defined earlier in the file",
        ),
        (
            "l = InputLayer((None, 3))\nl = DenseLayer(l, 4, nonlinearity=my_act)\n",
            "this nonlinearity is not one the reader knows",
        ),
        (
            "l = InputLayer((None, 3, 8, 8))\nl = Conv2DLayer(l, 4, 3, untie_biases=True)\n",
            "untie_biases=True (one bias per output position) is not supported",
        ),
        (
            "l = InputLayer((None, 3, 8, 8))\nl = Conv2DLayer(l, 4, 9)\n",
            "the kernel of 9 (dilation 1) does not fit the 8 input positions",
        ),
        ("def f(:\n", "the file is not valid Python"),
        ("x = 1\n", "no Lasagne InputLayer and no nolearn NeuralNet"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(CnnDiagramError) as caught:
        analyze(read_lasagne(Source(text, "net.py")))
    assert message in caught.value.format()
    assert caught.value.format().startswith("net.py")


def lasagne_pool_length(size: int, pool: int, stride: int, ignore_border: bool) -> int:
    """Lasagne's `pool_output_length` (lasagne/layers/pool.py), padding 0."""
    if ignore_border:
        return (size - pool + 1 + stride - 1) // stride
    if stride >= pool:
        return (size + stride - 1) // stride
    return max(0, (size - pool + stride - 1) // stride) + 1


@pytest.mark.parametrize("ignore_border", [True, False])
def test_pool_sizes_follow_lasagnes_rule(ignore_border: bool) -> None:
    for size in range(1, 25):
        for pool in range(1, min(size, 6) + 1):
            for stride in range(1, 6):
                text = (
                    f"l = InputLayer((None, 1, {size}))\n"
                    f"l = MaxPool1DLayer(l, {pool}, stride={stride}, "
                    f"ignore_border={ignore_border})\n"
                )
                expected = lasagne_pool_length(size, pool, stride, ignore_border)
                result = analyze(read_lasagne(Source(text, "p.py")))
                assert result.layers[-1].output_shape == (1, expected), (size, pool, stride)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_network_or_a_located_error(text: str) -> None:
    try:
        read_lasagne(Source(text, "any.py"))
    except SpecError as error:
        assert error.format().startswith("any.py")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "l = Conv2DLayer(l, 4, 3, pad=1)",
                "l = batch_norm(Conv2DLayer(l, 4, 3, pad='same'))",
                "l = MaxPool2DLayer(l, 2)",
                "l = DropoutLayer(l)",
                "l = DenseLayer(l, 8)",
                "l = NonlinearityLayer(l)",
                "for i in range(2):\n    l = DenseLayer(l, 2)",
            ]
        ),
        max_size=6,
    )
)
def test_random_chains_read_or_refuse_cleanly(lines: list[str]) -> None:
    text = "l = InputLayer((None, 3, 16, 16))\n" + "\n".join(lines) + "\n"
    try:
        analyze(read_lasagne(Source(text, "chain.py")))
    except CnnDiagramError as error:
        assert error.format().startswith("chain.py")
