"""PyTorch modules traced with torch.fx: counts and output shapes equal the module's own
(`parameters()`, buffers, a run on the meta device), functional operations appear as
layers, and `--torch MODULE:FACTORY` runs user code only because it is asked to."""

from __future__ import annotations

import os
import warnings

import pytest

from cnndiagram.catalog import lookup_kind
from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import ModelWarning
from cnndiagram.ir import BlockKind
from cnndiagram.spec.format import format_network
from cnndiagram.spec.load import load_spec

from conftest import ROOT, cli

if os.environ.get("CI"):
    import torch  # CI installs torch (the test extra): a missing one fails here
else:
    torch = pytest.importorskip("torch")

import torch_models

from cnndiagram.importers.torch import from_torch

CASES = [
    (torch_models.seed, (1, 28, 28)),
    (torch_models.net, (3, 32, 32)),
    (torch_models.functional, (3, 16, 16)),
]


@pytest.mark.parametrize(("factory", "shape"), CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_counts_and_shapes_equal_the_module(factory: object, shape: tuple[int, ...]) -> None:
    module = factory()  # type: ignore[operator]
    result = analyze(from_torch(module, shape))
    assert result.trainable_params == sum(p.numel() for p in module.parameters())
    buffers = sum(
        b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")
    )
    assert result.non_trainable_params == buffers
    with torch.no_grad():
        out = module.to("meta")(torch.empty((1, *shape), device="meta"))
    assert result.layers[-1].output_shape == tuple(out.shape[1:])


def test_the_seed_in_torch_is_the_seed() -> None:
    assert analyze(from_torch(torch_models.seed(), (1, 28, 28))).total_params == 217_706


def test_functional_operations_are_layers_and_module_paths_are_names() -> None:
    network = from_torch(torch_models.net(), (3, 32, 32))
    kinds = [layer.kind for layer in network.layers]
    assert kinds.count("add") == 3 and "concat" in kinds and "flatten" in kinds
    names = [layer.name for layer in network.layers]
    assert "layers.1.down.0" in names and "layers.0.conv1" in names
    gate = from_torch(torch_models.functional(), (3, 16, 16))
    assert "multiply" in [layer.kind for layer in gate.layers]


class Odd(torch.nn.Module):
    """Modules and operations the engine has no rule for, and a channel shuffle's view."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.shuffle = torch.nn.PixelShuffle(2)
        self.norm = torch.nn.LayerNorm([4, 16, 16])
        self.fc = torch.nn.Linear(4 * 16 * 16, 5)

    def forward(self, x):
        x = self.norm(self.shuffle(self.conv(x)))
        n, c, h, w = x.size()
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        x = torch.roll(x, 1, dims=2)
        return self.fc(torch.flatten(x, 1))


def test_what_the_engine_has_no_rule_for_is_opaque_with_traced_shape_and_exact_count() -> None:
    module = Odd()
    with pytest.warns(ModelWarning) as caught:
        network = from_torch(module, (3, 8, 8))
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "4 modules or operations have no engine rule" in message
    assert "shuffle (PixelShuffle)" in message and "norm (LayerNorm)" in message
    assert "transpose (transpose)" in message and "roll (roll)" in message
    result = analyze(network)
    assert result.total_params == sum(p.numel() for p in module.parameters())
    norm = result.result("norm")
    assert (norm.kind, norm.output_shape, norm.params) == ("opaque", (4, 16, 16), 2 * 4 * 16 * 16)
    # The view of the shuffle is a reshape the engine checks: 4 values split into 2x2.
    assert result.result("view").kind == "reshape"
    assert result.result("view").output_shape == (2, 2, 16, 16)


def test_cli_imports_the_factory_only_when_asked() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)])}
    result = cli("summary", "--torch", "torch_models:seed", "--input", "1x28x28", env=env)
    assert result.returncode == 0, result.stderr
    assert "= 217,706" in result.stdout
    missing = cli("summary", "--torch", "torch_models:seed", env=env)
    assert missing.returncode == 2 and "--torch needs --input" in missing.stderr


def test_relu6_is_the_catalogues_or_an_opaque_layer_until_it_has_one() -> None:
    module = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU6(), torch.nn.Hardsigmoid(), torch.nn.Flatten()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        result = analyze(from_torch(module, (3, 8, 8)))
    kinds = [r.kind for r in result.layers[2:4]]
    expected = [k if lookup_kind(k) is not None else "opaque" for k in ("relu6", "hardsigmoid")]
    assert kinds == expected
    assert result.total_params == sum(p.numel() for p in module.parameters())
    assert result.output_shape == (8 * 6 * 6,)


def test_module_paths_are_blocks_and_residual_modules_are_residual_blocks() -> None:
    network = from_torch(torch_models.net(), (3, 32, 32))
    blocks = {layer.block for layer in network.layers if layer.block is not None}
    residuals = sorted(b.label for b in blocks if b.kind is BlockKind.RESIDUAL)
    assert residuals == ["layers.0", "layers.1", "layers.2"]
    down = next(layer for layer in network.layers if layer.name == "layers.1.down.0")
    assert down.block is not None
    assert [(b.kind, b.label) for b in down.block.path()] == [
        (BlockKind.RESIDUAL, "layers.1"),
        (BlockKind.MODULE, "layers.1.down"),
    ]
    assert down.block.part == 1  # the shortcut
    text = format_network(network)
    assert text.count("residual") == 3
    again = analyze(load_spec(text, expr=True))
    first = analyze(network)
    assert [r.output_shape for r in again.layers] == [r.output_shape for r in first.layers]
    assert [r.params for r in again.layers] == [r.params for r in first.layers]
