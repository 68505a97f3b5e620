"""ONNX files through the `onnx` package: totals equal the file's initializers (once by
name), shapes equal ONNX shape inference's, exporters' habits are read back, and what the
engine has no rule for is an opaque layer named in one warning. The fixtures were exported
from plain torch models by tools/onnx_fixtures.py; these tests never import torch."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from cnndiagram.catalog import lookup_kind
from cnndiagram.diagram import Diagram
from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import ModelWarning, SpecError
from cnndiagram.ir import BlockKind
from cnndiagram.loading import load_network
from cnndiagram.options import Detail
from cnndiagram.spec.format import format_network
from cnndiagram.spec.load import load_spec
from cnndiagram.units import units

from conftest import FIXTURES, ROOT, cli

if os.environ.get("CI"):
    import onnx  # CI installs onnx (the test extra): a missing one fails here
else:
    onnx = pytest.importorskip("onnx")

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from cnndiagram.importers.onnx import read_onnx, read_onnx_tensors

DIR = FIXTURES / "onnx"
EXPECTED: dict[str, Any] = json.loads((DIR / "expected.json").read_text(encoding="utf-8"))


def quiet(path: Path | str, shape: tuple[int, ...] | None = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return read_onnx_tensors(path, shape)


def inferred(path: Path, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    model = onnx.load(str(path))
    for dim, size in zip(model.graph.input[0].type.tensor_type.shape.dim, (1, *shape)):
        dim.dim_value = size
    model = onnx.shape_inference.infer_shapes(model, data_prop=True)
    out = {}
    for info in (*model.graph.value_info, *model.graph.output):
        dims = [d.dim_value for d in info.type.tensor_type.shape.dim]
        if dims and all(dims):
            out[info.name] = tuple(dims[1:])
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_totals_are_the_files_and_shapes_are_onnx_shape_inferences(name: str) -> None:
    expected = EXPECTED[name]
    shape = tuple(expected["input"])
    network, tensors = quiet(DIR / f"{name}.onnx", shape)
    result = analyze(network)
    assert result.total_params == expected["file_parameters"]
    assert result.output_shape == tuple(expected["output"])
    shapes = {r.name: r.output_shape for r in result.layers}
    truth = inferred(DIR / f"{name}.onnx", shape)
    compared = 0
    for tensor, layer in tensors.items():
        if tensor in truth:
            assert shapes[layer] == truth[tensor], (tensor, layer)
            compared += 1
    # ONNX's inference loses the sizes after the channel shuffle's computed Reshape and the
    # computed pads of F.pad, which the reader folds; the output, equal to torch's, checks
    # those. Every other layer is compared.
    assert compared >= (15 if name == "mixed" else len(network.layers))


def test_a_training_export_keeps_batchnorm_and_counts_like_torch() -> None:
    expected = EXPECTED["resnet18_training"]
    result = analyze(quiet(DIR / "resnet18_training.onnx", (3, 64, 64))[0])
    assert result.trainable_params == expected["torch_parameters"]
    assert result.non_trainable_params == expected["torch_buffers"]
    assert [r.kind for r in result.layers].count("batchnorm") == 20


def test_an_eval_export_has_batchnorm_folded_and_its_shared_zero_biases_counted_once() -> None:
    expected = EXPECTED["resnet18_folded"]
    path = DIR / "resnet18_folded.onnx"
    with pytest.warns(ModelWarning, match=r"16 layers share initializers") as caught:
        network = read_onnx(path, (3, 64, 64))
    assert len(caught) == 1
    result = analyze(network)
    kinds = [layer.kind for layer in network.layers]
    assert "batchnorm" not in kinds and kinds.count("conv") == 20
    # The export folds BatchNorm's four vectors into the convolutions' weights and biases.
    assert (
        result.total_params
        == expected["file_parameters"]
        != (expected["torch_parameters"] + expected["torch_buffers"])
    )
    model = onnx.load(str(path))
    assert result.total_params == sum(
        numpy_helper.to_array(t).size for t in model.graph.initializer
    )


def test_module_paths_name_the_layers() -> None:
    network = quiet(DIR / "resnet18_training.onnx", (3, 64, 64))[0]
    names = [layer.name for layer in network.layers]
    assert names[:4] == ["conv1", "bn1", "relu", "maxpool"]
    assert "layer2.0.downsample.0" in names
    # A residual module's add is the merge of its residual block, named after it.
    assert "layer1.0" in names and "layer1.0.add" not in names
    mobile = [layer.name for layer in quiet(DIR / "mobilenet_relu6.onnx", (3, 32, 32))[0].layers]
    assert "features.4.conv.3" in mobile


def test_modules_are_blocks_and_residual_modules_are_residual_blocks() -> None:
    network = quiet(DIR / "resnet18_training.onnx", (3, 64, 64))[0]
    blocks = {layer.block for layer in network.layers if layer.block is not None}
    residuals = sorted(b.label for b in blocks if b.kind is BlockKind.RESIDUAL)
    assert residuals == [f"layer{i}.{j}" for i in range(1, 5) for j in (0, 1)]
    down = next(layer for layer in network.layers if layer.name == "layer2.0.downsample.0")
    assert down.block is not None and down.block.part == 1  # the shortcut
    assert [(b.kind, b.label) for b in down.block.path()] == [
        (BlockKind.MODULE, "layer2"),
        (BlockKind.RESIDUAL, "layer2.0"),
        (BlockKind.MODULE, "layer2.0.downsample"),
    ]
    assert format_network(network).count("residual") == 8
    mobile = quiet(DIR / "mobilenet_relu6.onnx", (3, 32, 32))[0]
    assert format_network(mobile).count("residual") == 2


def test_every_level_of_detail_draws_an_imported_model() -> None:
    analysis = analyze(quiet(DIR / "resnet18_training.onnx", (3, 64, 64))[0])
    blocks = [unit.name for unit in units(analysis, Detail.BLOCKS)]
    assert [name for name in blocks if name.startswith("layer") and name.count(".") == 1] == [
        f"layer{i}.{j}" for i in range(1, 5) for j in (0, 1)
    ]
    stages = [unit.name for unit in units(analysis, Detail.STAGES)]
    assert stages == ["input", "stem", "layer1", "layer2", "layer3", "layer4", "head"]
    for detail in ("layers", "blocks", "stages", "auto"):
        assert Diagram(analysis.network, detail=detail).to_svg().startswith("<svg")


def test_relu6_is_a_clip_from_0_to_6() -> None:
    network = quiet(DIR / "mobilenet_relu6.onnx", (3, 32, 32))[0]
    clips = [layer for layer in network.layers if layer.name.endswith((".2", ".5"))]
    assert len(clips) == 10
    # The catalogue's relu6 where it has one; else an opaque layer of the same shape.
    expected = "relu6" if lookup_kind("relu6") is not None else "opaque"
    assert {layer.kind for layer in clips} == {expected}


def test_symbolic_sizes_need_input() -> None:
    path = DIR / "resnet18_folded.onnx"
    with pytest.raises(SpecError, match="batchx3xhxw, with symbolic sizes") as error:
        read_onnx(path)
    assert error.value.hint == "give them with --input, e.g. --input 3x224x224"
    with pytest.raises(SpecError, match=r"--input 1x64x64 does not fit the file's input batchx3"):
        read_onnx(path, (1, 64, 64))
    # A bigger input is a different network, with the same weights.
    network = quiet(path, (3, 224, 224))[0]
    assert analyze(network).total_params == EXPECTED["resnet18_folded"]["file_parameters"]


def test_cli_reads_onnx_by_extension_and_prints_warnings_as_lines() -> None:
    result = cli("summary", str(DIR / "mixed.onnx"))
    assert result.returncode == 0, result.stderr
    assert "= 3,826" in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ")
    assert "transpose (Transpose)" in lines[0] and "split (Split)" in lines[0]
    missing = cli("summary", str(DIR / "resnet18_folded.onnx"))
    assert missing.returncode == 1 and "--input 3x224x224" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_missing_onnx_package_is_exit_status_3(tmp_path: Path) -> None:
    blocked = tmp_path / "onnx"
    blocked.mkdir()
    (blocked / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    result = cli("summary", str(DIR / "mixed.onnx"), env=env)
    assert result.returncode == 3
    assert 'pip install "cnndiagram[onnx]"' in result.stderr


def test_fmt_of_an_import_reads_back_with_the_same_numbers() -> None:
    for name, shape in (("resnet18_training", (3, 64, 64)), ("mixed", (3, 16, 16))):
        network = quiet(DIR / f"{name}.onnx", shape)[0]
        text = format_network(network)
        again = load_spec(text, expr=True)
        first, second = analyze(network), analyze(again)
        assert [r.output_shape for r in first.layers] == [r.output_shape for r in second.layers]
        assert [r.params for r in first.layers] == [r.params for r in second.layers]
        assert first.trainable_params == second.trainable_params


# -- graphs built here, with onnx.helper ------------------------------------------------------


def weight(name: str, *dims: int) -> TensorProto:
    return numpy_helper.from_array(np.zeros(dims, dtype=np.float32), name)


def model(nodes: list[Any], inits: list[Any], shape: list[Any], tmp_path: Path) -> Path:
    graph = helper.make_graph(
        nodes,
        "built",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        initializer=inits,
    )
    path = tmp_path / "built.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_an_initializer_shared_by_two_layers_is_counted_once(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["a"], name="first", pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["a", "w", "b"], ["y"], name="second", pads=[1, 1, 1, 1]),
    ]
    path = model(nodes, [weight("w", 4, 4, 3, 3), weight("b", 4)], [1, 4, 8, 8], tmp_path)
    with pytest.warns(ModelWarning, match=r"1 layer shares initializers .*second \(with first\)"):
        network = read_onnx(path)
    result = analyze(network)
    assert result.total_params == 4 * 4 * 9 + 4
    assert [layer.kind for layer in network.layers] == ["conv", "opaque"]
    assert result.output_shape == (4, 8, 8)


def test_matmul_and_its_bias_add_are_one_dense_layer(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], name="flat"),
        helper.make_node("MatMul", ["f", "w"], ["m"], name="fc"),
        helper.make_node("Add", ["m", "b"], ["y"], name="fc_bias"),
    ]
    path = model(nodes, [weight("w", 48, 5), weight("b", 5)], [1, 3, 4, 4], tmp_path)
    network = read_onnx(path)
    assert [layer.kind for layer in network.layers] == ["flatten", "dense"]
    assert analyze(network).total_params == 48 * 5 + 5


def test_weights_in_constant_nodes_count_as_initializers(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Constant", [], ["w"], name="wc", value=weight("", 6, 3, 3, 3)),
        helper.make_node("Constant", [], ["b"], name="bc", value=weight("", 6)),
        helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv"),
    ]
    graph = helper.make_graph(
        nodes,
        "built",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    path = tmp_path / "constants.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    result = analyze(read_onnx(path))
    assert [r.kind for r in result.layers] == ["input", "conv"]
    assert result.total_params == 6 * 27 + 6 and result.output_shape == (6, 6, 6)


def test_asymmetric_padding_and_explicit_pads_are_exact(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", strides=[2, 2], pads=[0, 0, 1, 1]),
        helper.make_node("Clip", ["c", "lo", "hi"], ["y"], name="clip"),
    ]
    inits = [
        weight("w", 8, 3, 3, 3),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "lo"),
        numpy_helper.from_array(np.array(6.0, dtype=np.float32), "hi"),
    ]
    path = model(nodes, inits, [1, 3, 9, 9], tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        network, tensors = read_onnx_tensors(path)
    result = analyze(network)
    assert [layer.kind for layer in network.layers][:2] == ["zeropad", "conv"]
    assert result.result(tensors["c"]).output_shape == inferred(path, (3, 9, 9))["c"] == (8, 4, 4)
    # The bounds are constants, not parameters.
    assert result.total_params == 8 * 3 * 9


def test_an_operator_without_a_rule_is_opaque_with_inferred_shape(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("SpaceToDepth", ["x"], ["s"], name="s2d", blocksize=2),
        helper.make_node("Conv", ["s", "w"], ["y"], name="conv"),
    ]
    path = model(nodes, [weight("w", 2, 12, 1, 1)], [1, 3, 8, 8], tmp_path)
    with pytest.warns(ModelWarning, match=r"1 operation has no engine rule.*s2d \(SpaceToDepth\)"):
        network = read_onnx(path)
    result = analyze(network)
    assert result.layers[1].kind == "opaque" and result.layers[1].output_shape == (12, 4, 4)
    assert result.output_shape == (2, 4, 4)


def test_an_operator_without_rule_or_shape_is_a_located_error(tmp_path: Path) -> None:
    nodes = [helper.make_node("Mystery", ["x"], ["y"], name="odd", domain="example.com")]
    graph = helper.make_graph(
        nodes,
        "built",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    built = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("example.com", 1)],
    )
    path = tmp_path / "odd.onnx"
    onnx.save(built, str(path))
    with pytest.raises(SpecError, match=r"node 'odd' \(Mystery\): the engine has no rule"):
        read_onnx(path)


def test_weights_that_disagree_with_the_engine_are_a_warning_naming_the_layer(
    tmp_path: Path,
) -> None:
    # The weight says 2 input channels; the input has 3: the engine counts for 3.
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3])]
    path = model(nodes, [weight("w", 4, 2, 3, 3)], [1, 3, 8, 8], tmp_path)
    with pytest.warns(ModelWarning, match=r"disagree with the engine for conv \(the file holds 72"):
        read_onnx(path)


def test_a_file_that_is_not_onnx_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"\x00\xffnot a protobuf at all")
    with pytest.raises(SpecError, match="not an ONNX model"):
        load_network(path)
