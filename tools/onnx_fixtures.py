"""Exports small plain-torch models to ONNX as the importer's test fixtures, with their counts.

Run with PyTorch and onnx installed (CPU build is enough)::

    pip install torch==2.13.0 onnx
    python tools/onnx_fixtures.py     # rewrites tests/fixtures/onnx/*.onnx and expected.json

Widths are tiny so every file stays far below 200 KB, but each model keeps the structure
real exports have: a ResNet-18-like with its BatchNorm folded into the convolutions (an
eval export), the same exported in training mode (BatchNorm kept), a MobileNet-like whose
ReLU6 becomes `Clip(0, 6)`, and a model with concat, split, a channel shuffle, a
`view(x.size(0), -1)`, resizing, padding and the hard activations. The batch and the
spatial sizes are symbolic (`dynamic_axes`), as exporters write them for deployment, so
the tests pass `--input`. `expected.json` records what the tests compare against:
torch's own parameter and buffer counts, the file's initializer total (what the importer
must report: folded files count the folded weights), and torch's output shape.
The tests read the files; they never import torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "onnx"


class Basic(nn.Module):
    def __init__(self, c_in: int, c: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.downsample: nn.Module | None = None
        if stride != 1 or c_in != c:
            self.downsample = nn.Sequential(
                nn.Conv2d(c_in, c, 1, stride, bias=False), nn.BatchNorm2d(c)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet18(nn.Module):
    """torchvision's resnet18, with widths 4, 8, 16, 24 (for 64, 128, 256, 512)."""

    def __init__(self, widths: tuple[int, ...] = (4, 8, 16, 24), classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        c_in = widths[0]
        for i, c in enumerate(widths, start=1):
            stride = 1 if i == 1 else 2
            setattr(self, f"layer{i}", nn.Sequential(Basic(c_in, c, stride), Basic(c, c)))
            c_in = c
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(c_in, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class Inverted(nn.Module):
    def __init__(self, c_in: int, c: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = c_in * expand
        self.use_res = stride == 1 and c_in == c
        self.conv = nn.Sequential(
            nn.Conv2d(c_in, hidden, 1, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, c, 1, bias=False),
            nn.BatchNorm2d(c),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNet(nn.Module):
    """A MobileNetV2-like: inverted residuals with depthwise convolutions and ReLU6."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6()),
            Inverted(8, 8, 1, 1),
            Inverted(8, 12, 2, 4),
            Inverted(12, 12, 1, 4),
            Inverted(12, 16, 2, 4),
            nn.Sequential(nn.Conv2d(16, 64, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU6()),
        )
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


class Mixed(nn.Module):
    """Concat, split, a channel shuffle, view(x.size(0), -1), resizing, padding, the hard
    activations, a leaky ReLU and both poolings: the operators beyond convolutions."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.left = nn.Conv2d(8, 8, 3, padding=1)
        self.right = nn.Conv2d(8, 8, 1)
        self.act = nn.Hardswish()
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(16, 16, 1), nn.Hardsigmoid())
        self.pool = nn.MaxPool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.tail = nn.Conv2d(16, 8, 3, stride=2)
        self.leaky = nn.LeakyReLU(0.1)
        self.avg = nn.AvgPool2d(2)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.stem(x))
        a, b = torch.split(x, 8, dim=1)
        x = torch.cat([self.left(a), torch.sigmoid(self.right(b))], dim=1)
        n, c, h, w = x.shape
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)  # channel shuffle
        x = x * self.gate(x)
        x = self.up(self.pool(x))
        x = F.pad(x, (1, 1, 1, 1))
        x = self.avg(self.leaky(self.tail(x)))
        return torch.tanh(self.fc(x.view(x.size(0), -1)))


MODELS: dict[str, tuple[type[nn.Module], tuple[int, ...], bool]] = {
    # name: (model, input shape without the batch, exported in training mode)
    "resnet18_folded": (ResNet18, (3, 64, 64), False),
    "resnet18_training": (ResNet18, (3, 64, 64), True),
    "mobilenet_relu6": (MobileNet, (3, 32, 32), False),
    "mixed": (Mixed, (3, 16, 16), False),
}


def export(name: str, model: nn.Module, shape: tuple[int, ...], training: bool) -> Path:
    path = OUT / f"{name}.onnx"
    dynamic = {"input": {0: "batch", 2: "h", 3: "w"}, "output": {0: "batch"}}
    if name == "mixed":
        dynamic = {"input": {0: "batch"}, "output": {0: "batch"}}  # its view needs h and w
    torch.onnx.export(
        model,
        (torch.zeros((1, *shape)),),
        str(path),
        input_names=["input"],
        output_names=["output"],
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
        training=torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL,
        do_constant_folding=not training,
    )
    return path


def file_count(path: Path) -> int:
    """Every floating-point initializer's size, once by name: what the importer reports."""
    graph = onnx.load(str(path)).graph
    return sum(
        numpy_helper.to_array(t).size
        for t in graph.initializer
        if t.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16)
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    expected: dict[str, Any] = {}
    for name, (cls, shape, training) in MODELS.items():
        model = cls()
        model.train(training)
        path = export(name, model, shape, training)
        model.eval()
        with torch.no_grad():
            out = model(torch.zeros((1, *shape)))
        buffers = sum(
            b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")
        )
        expected[name] = {
            "input": list(shape),
            "output": list(out.shape[1:]),
            "torch_parameters": sum(p.numel() for p in model.parameters()),
            "torch_buffers": buffers,
            "file_parameters": file_count(path),
            "bytes": path.stat().st_size,
        }
        assert path.stat().st_size < 200_000, (name, path.stat().st_size)
    (OUT / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(expected, indent=2))


if __name__ == "__main__":
    main()
