"""The layers and PyTorch argument habits of modern CNNs, beyond the torch fixtures."""

from __future__ import annotations

import pytest

from cnndiagram.engine.ops import op_for
from cnndiagram.errors import ShapeError, SpecError
from cnndiagram.notation import describe
from cnndiagram.spec.format import format_network
from cnndiagram.spec.load import load_spec

from conftest import cli, run


def test_pooling_takes_stride_and_padding_positionally() -> None:
    assert load_spec("input(3x9x9) -> maxpool(3, 2)", expr=True) == load_spec(
        "input(3x9x9) -> maxpool(3, stride=2)", expr=True
    )
    assert run("input(3x9x9) -> avgpool(3, 2, 1)").output_shape == (3, 5, 5)
    with pytest.raises(SpecError, match="argument 'stride' of maxpool is given twice"):
        load_spec("input(3x9x9) -> maxpool(3, 2, stride=2)", expr=True)


def test_eps_and_momentum_change_no_count_and_are_shown_nowhere() -> None:
    plain = run("input(8x4x4) -> batchnorm")
    tuned = run("input(8x4x4) -> batchnorm(eps=1e-3, momentum=0.01)")
    assert tuned.total_params == plain.total_params == 32
    layer = tuned.network.layers[0]
    assert describe(layer, 2) == "batchnorm"
    assert "eps=0.001, momentum=0.01" in format_network(tuned.network)
    assert (
        load_spec("input(8x4x4) -> instancenorm(momentum=null)", expr=True)
        .layers[0]
        .arg("momentum")
        is None
    )
    for spec, message in [
        ("batchnorm(eps=0)", "'eps' of batchnorm must be positive"),
        ("groupnorm(2, eps=-1e-5)", "'eps' of groupnorm must be positive"),
        ("layernorm(momentum=1.5)", "'momentum' of layernorm must be in [0, 1]"),
        ("batchnorm(momentum=fast)", "'momentum' of batchnorm must be a number in [0, 1]"),
    ]:
        with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("]", r"\]")):
            load_spec(f"input(8x4x4) -> {spec}", expr=True)


def test_fractional_upsampling_floors_as_pytorch_does() -> None:
    analysis = run("input(3x7x7) -> upsample(1.5) -> upsample(2x1.5)")
    assert [r.output_shape for r in analysis.layers[1:]] == [(3, 10, 10), (3, 20, 15)]
    formulas = analysis.formulas(analysis.layers[2])
    assert [str(f) for f in formulas.output] == ["H: 10*2 = 20", "W: floor(10*3/2) = 15"]
    # 100*1.15 is 114.99999999999999 in doubles: PyTorch gives 114, and no formula with the
    # exact 23/20 is shown for that axis, since it would say 115
    odd = run("input(1x100x20) -> upsample(1.15)")
    assert odd.output_shape == (1, 114, 23)
    assert [f.label for f in odd.formulas(odd.layers[1]).output] == ["W"]
    assert load_spec("input(3x7x7) -> upsample(2.0)", expr=True).layers[0].arg("scale") == 2
    with pytest.raises(ShapeError, match=r"scale 0\.1 leaves nothing of the height of 7"):
        run("input(3x7x7) -> upsample(0.1)")
    with pytest.raises(SpecError, match="'scale' of upsample must be positive"):
        load_spec("input(3x7x7) -> upsample(-1.5)", expr=True)


def test_prelu_counts_one_slope_or_one_per_channel() -> None:
    assert run("input(8x4x4) -> prelu").total_params == 1
    assert run("input(8x4x4) -> prelu(8)").total_params == 8
    assert run("input(8x4x4) -> prelu(num_parameters=1)").total_params == 1
    with pytest.raises(ShapeError, match="3 slopes for 8 channels"):
        run("input(8x4x4) -> prelu(3)")
    with pytest.raises(ShapeError, match="channelwise=true means 8 slopes, but n is 1"):
        run("input(8x4x4) -> prelu(1, channelwise)")


def test_keras_normalisations_count_what_keras_keeps() -> None:
    # BatchNormalization(scale=False) learns a shift per channel; its running mean and
    # variance stay. Normalization keeps a mean, a variance and a sample count.
    analysis = run("input(8x4x4) -> batchnorm(scale=false) -> batchnorm(center=false)")
    for result in analysis.layers[1:]:
        assert (result.trainable, result.running) == (8, 16)
        assert str(analysis.formulas(result).params) == "8 + 2*8 = 24"
    shift, scale = (
        op_for("batchnorm").stated_param_rule(dict(r.layer.args)) for r in analysis.layers[1:]
    )
    assert shift.startswith("C learned (a shift") and scale.startswith("C learned (a scale")
    assert run("input(8x4x4) -> batchnorm(scale=false, bias=false)").total_params == 16
    adapted = run("input(3x4x4) -> standardize")
    assert (adapted.trainable_params, adapted.non_trainable_params) == (0, 7)
    assert str(adapted.formulas(adapted.layers[1]).params) == "2*3 + 1 = 7"
    assert run("input(3x4x4) -> normalization(adapted=false)").total_params == 0


def test_chunk_and_channel_shuffle() -> None:
    analysis = run("input(12x4x4) -> chunk(3, 2) -> channelshuffle(2)")
    assert [r.output_shape for r in analysis.layers[1:]] == [(4, 4, 4), (4, 4, 4)]
    assert str(analysis.formulas(analysis.layers[1]).output[0]) == "C: 12//3 = 4"
    with pytest.raises(ShapeError, match="index 3 is not one of the 3 chunks"):
        run("input(12x4x4) -> chunk(3, 3)")
    with pytest.raises(ShapeError, match="3 groups do not divide the 8 channels"):
        run("input(8x4x4) -> channelshuffle(3)")


def test_adaptive_pooling_per_axis() -> None:
    assert run("input(8x7x9) -> adaptiveavgpool(1x1)").output_shape == (8, 1, 1)
    assert run("input(8x7x9) -> adaptivemaxpool(2x3)").output_shape == (8, 2, 3)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "conv(8, 3, batchnorm)",
            "'batchnorm' is a layer kind, not a flag of conv; write conv(...) -> batchnorm",
        ),
        (
            "maxpool(2, relu6)",
            "'relu6' is an activation, not a flag of maxpool; write maxpool(...) -> relu6",
        ),
        ("dense(10, ceil)", "'ceil' is a flag of maxpool, avgpool, not of dense"),
        (
            "conv(8, 3, hardsigmod)",
            "'hardsigmod' is not a flag of conv (did you mean 'hardsigmoid'?)",
        ),
    ],
)
def test_a_misplaced_word_is_named_for_what_it_is(statement: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(f"input(3x8x8) -> {statement}", expr=True)
    assert caught.value.message.startswith(message)


def test_kinds_lists_the_new_layers_and_def() -> None:
    out = cli("kinds").stdout
    for line in ("relu6()", "hardsigmoid()", "mish()", "chunk(chunks, index)"):
        assert line in out
    assert "channelshuffle(groups)" in out
    assert "prelu(n=auto, channelwise=false, trainable=true)" in out
    assert "def name(param, param=default, ...) { body }" in out
