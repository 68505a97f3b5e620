"""Derives the engine's reference values from PyTorch itself and writes them as test fixtures.

Run with PyTorch installed (CPU build is enough)::

    pip install torch==2.13.0
    python tools/torch_fixtures.py            # rewrites tests/fixtures/torch_*.json

For every generated layer configuration the script builds the equivalent torch module,
runs a forward pass on a zero tensor with batch size 1 and records the output shape
(without the batch dimension), the parameter count (`parameters()`, our trainable
count) and the running statistics (`running_mean`/`running_var` buffers, our
non-trainable count), or the fact that PyTorch rejected the configuration. Keras-only
semantics are reproduced with torch's own ops: TensorFlow's 'same' padding as an
explicit asymmetric `F.pad`, depthwise and separable convolutions as grouped ones.
The tests read the JSON; they never import torch.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from torch_networks import MODERN_NETWORKS

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
Case = tuple[str, tuple[int, ...], Callable[[], nn.Module]]


def axes(values: tuple[int, ...] | int) -> str:
    if isinstance(values, int):
        return str(values)
    if len(set(values)) == 1 and random.random() < 0.5:
        return str(values[0])
    return "x".join(map(str, values))


class TfSamePad(nn.Module):
    """TensorFlow's 'same' padding for a window (k, s, d) per axis: extra padding at the end."""

    def __init__(
        self,
        kernel: tuple[int, ...],
        stride: tuple[int, ...],
        dilation: tuple[int, ...],
        value: float = 0.0,
    ) -> None:
        super().__init__()
        self.kernel, self.stride, self.dilation, self.value = kernel, stride, dilation, value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads: list[int] = []
        for n, k, s, d in reversed(list(zip(x.shape[2:], self.kernel, self.stride, self.dilation))):
            total = max((math.ceil(n / s) - 1) * s + d * (k - 1) + 1 - n, 0)
            pads += [total // 2, total - total // 2]
        return F.pad(x, pads, value=self.value)


def conv_module(rank: int) -> type[nn.Module]:
    return {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[rank]


def random_input(rank: int) -> tuple[int, ...]:
    channels = random.choice([1, 2, 3, 4, 6, 8, 12, 16])
    low, high = {1: (1, 40), 2: (1, 24), 3: (1, 10)}[rank]
    return (channels, *(random.randint(low, high) for _ in range(rank)))


def per_axis(rank: int, low: int, high: int) -> tuple[int, ...]:
    if random.random() < 0.6:
        return (random.randint(low, high),) * rank
    return tuple(random.randint(low, high) for _ in range(rank))


def gen_conv(rank: int) -> Case:
    shape = random_input(rank)
    c = shape[0]
    groups = random.choice([1, 1, 1, 2, c]) if random.random() < 0.3 else 1
    filters = random.choice([1, 2, 4, 6, 8, 16, 32]) * (groups if random.random() < 0.8 else 1)
    k = per_axis(rank, 1, 5)
    s = per_axis(rank, 1, 3)
    d = per_axis(rank, 1, 2) if random.random() < 0.3 else (1,) * rank
    bias = random.random() < 0.8
    mode = random.choice(["int", "int", "same", "valid"])
    p = per_axis(rank, 0, 2) if mode == "int" else None
    args = [str(filters), axes(k)]
    if s != (1,) * rank or random.random() < 0.2:
        args.append(f"stride={axes(s)}")
    if mode == "int":
        args.append(f"pad={axes(p)}")  # type: ignore[arg-type]
    else:
        args.append(mode)
    if d != (1,) * rank:
        args.append(f"dilation={axes(d)}")
    if groups != 1:
        args.append(f"groups={groups}")
    if not bias:
        args.append("bias=false")

    def build() -> nn.Module:
        conv = conv_module(rank)
        if mode == "same":
            return nn.Sequential(TfSamePad(k, s, d), conv(c, filters, k, s, 0, d, groups, bias))
        return conv(c, filters, k, s, p if mode == "int" else 0, d, groups, bias)

    return f"conv({', '.join(args)})", shape, build


def gen_deconv(rank: int) -> Case:
    shape = random_input(rank)
    c = shape[0]
    groups = random.choice([1, 1, 2, c]) if random.random() < 0.3 else 1
    filters = random.choice([1, 2, 4, 8, 16]) * groups
    k = per_axis(rank, 1, 5)
    s = per_axis(rank, 1, 3)
    d = per_axis(rank, 1, 2) if random.random() < 0.3 else (1,) * rank
    p = per_axis(rank, 0, 2)
    op = per_axis(rank, 0, 2) if random.random() < 0.3 else (0,) * rank
    bias = random.random() < 0.8
    args = [str(filters), axes(k), f"stride={axes(s)}", f"pad={axes(p)}"]
    if op != (0,) * rank:
        args.append(f"output_pad={axes(op)}")
    if d != (1,) * rank:
        args.append(f"dilation={axes(d)}")
    if groups != 1:
        args.append(f"groups={groups}")
    if not bias:
        args.append("bias=false")
    module = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[rank]
    return (
        f"deconv({', '.join(args)})",
        shape,
        lambda: module(c, filters, k, s, p, op, groups, bias, d),
    )


def gen_dwconv(rank: int, separable: bool) -> Case:
    shape = random_input(rank)
    c = shape[0]
    dm = random.choice([1, 1, 2, 3])
    k = per_axis(rank, 1, 5)
    s = per_axis(rank, 1, 2)
    mode = random.choice(["same", "valid", "int"])
    p = per_axis(rank, 0, 1) if mode == "int" else (0,) * rank
    bias = random.random() < 0.8
    filters = random.choice([4, 8, 16])
    args = [str(filters)] if separable else []
    args += [axes(k), f"stride={axes(s)}", f"pad={axes(p)}" if mode == "int" else mode]
    if dm != 1:
        args.append(f"depth_multiplier={dm}")
    if not bias:
        args.append("bias=false")
    conv = conv_module(rank)

    def build() -> nn.Module:
        ones = (1,) * rank
        pad: list[nn.Module] = [TfSamePad(k, s, ones)] if mode == "same" else []
        depthwise = conv(c, c * dm, k, s, p, 1, c, bias and not separable)
        layers: list[nn.Module] = [*pad, depthwise]
        if separable:
            layers.append(conv(c * dm, filters, 1, 1, 0, 1, 1, bias))
        return nn.Sequential(*layers)

    kind = "sepconv" if separable else "dwconv"
    return f"{kind}({', '.join(args)})", shape, build


def gen_pool(rank: int, kind: str) -> Case:
    shape = random_input(rank)
    k = per_axis(rank, 1, 4)
    s = per_axis(rank, 1, 4) if random.random() < 0.5 else None
    d = per_axis(rank, 1, 2) if kind == "maxpool" and random.random() < 0.3 else (1,) * rank
    mode = random.choice(["int", "int", "same", "valid"])
    p = per_axis(rank, 0, 2) if mode == "int" else (0,) * rank
    ceil = random.random() < 0.3 and mode != "same"
    args = [axes(k)]
    if s is not None:
        args.append(f"stride={axes(s)}")
    args.append(f"pad={axes(p)}" if mode == "int" else mode)
    if d != (1,) * rank:
        args.append(f"dilation={axes(d)}")
    if ceil:
        args.append("ceil")
    stride = s if s is not None else k

    def build() -> nn.Module:
        if kind == "maxpool":
            module = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}[rank]
            pool = module(k, stride, p, d, ceil_mode=ceil)
            fill = -math.inf
        else:
            module = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}[rank]
            pool = module(k, stride, p, ceil_mode=ceil)
            fill = 0.0
        if mode == "same":
            return nn.Sequential(TfSamePad(k, stride, d, fill), pool)
        return pool

    return f"{kind}({', '.join(args)})", shape, build


def gen_misc(rank: int) -> Case:
    shape = random_input(rank)
    c = shape[0]
    choice = random.choice(
        [
            "adaptive",
            "global",
            "globalkeep",
            "batchnorm",
            "groupnorm",
            "layernorm",
            "layernorm_nobias",
            "instancenorm",
            "lrn",
            "prelu",
            "prelu_c",
            "upsample",
            "zeropad",
            "crop",
            "flatten",
            "dense",
            "dropout",
            "relu",
            "reshape",
        ]
    )
    if choice == "adaptive":
        out = per_axis(rank, 1, 6)
        kind = random.choice(["avg", "max"])
        modules = {
            "avg": {1: nn.AdaptiveAvgPool1d, 2: nn.AdaptiveAvgPool2d, 3: nn.AdaptiveAvgPool3d},
            "max": {1: nn.AdaptiveMaxPool1d, 2: nn.AdaptiveMaxPool2d, 3: nn.AdaptiveMaxPool3d},
        }
        return f"adaptive{kind}pool({axes(out)})", shape, lambda: modules[kind][rank](out)
    if choice == "global":
        pool = {1: nn.AdaptiveAvgPool1d, 2: nn.AdaptiveAvgPool2d, 3: nn.AdaptiveAvgPool3d}[rank]
        return "globalavgpool", shape, lambda: nn.Sequential(pool(1), nn.Flatten())
    if choice == "globalkeep":
        pool = {1: nn.AdaptiveMaxPool1d, 2: nn.AdaptiveMaxPool2d, 3: nn.AdaptiveMaxPool3d}[rank]
        return "globalmaxpool(keepdims)", shape, lambda: pool(1)
    if choice == "batchnorm":
        affine, stats = random.random() < 0.8, random.random() < 0.8
        module = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[rank]
        spec = f"batchnorm(affine={str(affine).lower()}, running_stats={str(stats).lower()})"
        return spec, shape, lambda: module(c, affine=affine, track_running_stats=stats)
    if choice == "groupnorm":
        groups = random.choice([g for g in (1, 2, 3, 4) if c % g == 0] + [3])
        return f"groupnorm({groups})", shape, lambda: nn.GroupNorm(groups, c)
    if choice in ("layernorm", "layernorm_nobias"):
        bias = choice == "layernorm"
        spec = "layernorm" if bias else "layernorm(bias=false)"
        return spec, shape, lambda: nn.LayerNorm(list(shape), bias=bias)
    if choice == "instancenorm":
        affine, stats = random.random() < 0.5, random.random() < 0.5
        module = {1: nn.InstanceNorm1d, 2: nn.InstanceNorm2d, 3: nn.InstanceNorm3d}[rank]
        spec = f"instancenorm(affine={str(affine).lower()}, running_stats={str(stats).lower()})"
        return spec, shape, lambda: module(c, affine=affine, track_running_stats=stats)
    if choice == "lrn":
        return "lrn(5)", shape, lambda: nn.LocalResponseNorm(5)
    if choice == "prelu":
        return "prelu", shape, nn.PReLU
    if choice == "prelu_c":
        return "prelu(channelwise=true)", shape, lambda: nn.PReLU(c)
    if choice == "upsample":
        scale = per_axis(rank, 1, 3)
        return f"upsample({axes(scale)})", shape, lambda: nn.Upsample(scale_factor=scale)
    if choice in ("zeropad", "crop"):
        pairs = [(random.randint(0, 3), random.randint(0, 3)) for _ in range(rank)]
        if random.random() < 0.4:
            pairs = [(pairs[0][0], pairs[0][0])] * rank
            text = str(pairs[0][0])
        else:
            text = "x".join(f"[{a},{b}]" for a, b in pairs)
        flat = [v for pair in reversed(pairs) for v in pair]
        if choice == "zeropad":
            return f"zeropad({text})", shape, lambda: _Pad(flat)
        return f"crop({text})", shape, lambda: _Pad([-v for v in flat])
    if choice == "flatten":
        return "flatten", shape, nn.Flatten
    if choice == "dense":
        units = random.choice([1, 10, 64, 100])
        bias = random.random() < 0.8
        spec = f"dense({units})" if bias else f"dense({units}, bias=false)"
        return (
            spec,
            shape,
            lambda: nn.Sequential(nn.Flatten(), nn.Linear(math.prod(shape), units, bias)),
        )
    if choice == "dropout":
        return "dropout(0.25)", shape, lambda: nn.Dropout(0.25)
    if choice == "relu":
        act = random.choice(
            [
                "relu",
                "gelu",
                "sigmoid",
                "tanh",
                "elu",
                "selu",
                "silu",
                "softplus",
                "hardswish",
                "leakyrelu(0.2)",
                "softmax",
            ]
        )
        modules = {
            "relu": nn.ReLU,
            "gelu": nn.GELU,
            "sigmoid": nn.Sigmoid,
            "tanh": nn.Tanh,
            "elu": nn.ELU,
            "selu": nn.SELU,
            "silu": nn.SiLU,
            "softplus": nn.Softplus,
            "hardswish": nn.Hardswish,
            "leakyrelu(0.2)": lambda: nn.LeakyReLU(0.2),
            "softmax": lambda: nn.Softmax(dim=1),
        }
        return act, shape, modules[act]
    # reshape: a random factorisation of the element count, sometimes with -1
    total = math.prod(shape)
    dims = [total]
    for _ in range(random.randint(1, 3)):
        last = dims[-1]
        divisors = [f for f in range(2, min(last, 64) + 1) if last % f == 0]
        if not divisors:
            break
        f = random.choice(divisors)
        dims[-1:] = [f, last // f]
    shown = list(dims)
    if random.random() < 0.4:
        shown[random.randrange(len(shown))] = -1
    return f"reshape({'x'.join(map(str, shown))})", shape, lambda: _Reshape(dims)


class _Pad(nn.Module):
    def __init__(self, pads: list[int]) -> None:
        super().__init__()
        self.pads = pads

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x, self.pads)


class _Reshape(nn.Module):
    def __init__(self, dims: list[int]) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(1, *self.dims)


def measure(shape: tuple[int, ...], build: Callable[[], nn.Module]) -> dict[str, Any]:
    try:
        module = build()
        module.eval()
        with torch.no_grad():
            out = module(torch.zeros(1, *shape))
    except (RuntimeError, ValueError) as error:
        return {"error": str(error).splitlines()[0]}
    if 0 in out.shape:
        # torch returns an empty tensor (cropping everything); the engine rejects that layer.
        return {"error": f"empty output {list(out.shape[1:])}"}
    trainable = sum(p.numel() for p in module.parameters())
    running = sum(
        b.numel()
        for name, b in module.named_buffers()
        if name.split(".")[-1] in ("running_mean", "running_var")
    )
    return {"output_shape": list(out.shape[1:]), "trainable": trainable, "non_trainable": running}


def layer_cases(count: int) -> list[dict[str, Any]]:
    random.seed(20261125)
    generators: list[Callable[[], Case]] = []
    for rank in (1, 2, 3):
        generators += [lambda r=rank: gen_conv(r)] * 4
        generators += [lambda r=rank: gen_deconv(r)] * 2
        generators += [lambda r=rank: gen_dwconv(r, False), lambda r=rank: gen_dwconv(r, True)]
        generators += [lambda r=rank: gen_pool(r, "maxpool"), lambda r=rank: gen_pool(r, "avgpool")]
        generators += [lambda r=rank: gen_misc(r)] * 4
    cases = []
    seen = set()
    while len(cases) < count:
        spec_layer, shape, build = random.choice(generators)()
        spec = f"input({'x'.join(map(str, shape))}) -> {spec_layer}"
        if spec in seen:
            continue
        seen.add(spec)
        cases.append({"spec": spec, **measure(shape, build)})
    return cases


class _Chunk(nn.Module):
    """`torch.chunk(x, n, dim=1)[index]`: one of n slices along the channels."""

    def __init__(self, chunks: int, index: int) -> None:
        super().__init__()
        self.chunks, self.index = chunks, index

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.chunk(x, self.chunks, 1)[self.index]


def scale_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def gen_modern(rank: int) -> Case:
    """The layers and arguments of modern CNNs: ReLU6, hard-sigmoid, Mish, channel split and
    shuffle, fractional upsampling, PReLU(n), PyTorch's positional pooling stride and padding,
    eps and momentum on normalisation, and local response normalisation on a vector."""
    shape = random_input(rank) if rank else (random.choice([4, 10, 64]),)
    c = shape[0]
    choice = random.choice(
        ["act", "chunk", "shuffle", "upsample", "upsample", "prelu", "pool", "norm", "lrn"]
    )
    if rank == 0 or choice == "act":
        name = random.choice(["relu6", "hardsigmoid", "mish", "hardswish", "lrn", "prelu"])
        if name == "lrn":
            return "lrn(3)", shape, lambda: nn.LocalResponseNorm(3)
        if name == "prelu":
            n = random.choice([1, c, c + 1])
            return f"prelu({n})", shape, lambda: nn.PReLU(n)
        modules = {
            "relu6": nn.ReLU6,
            "hardsigmoid": nn.Hardsigmoid,
            "mish": nn.Mish,
            "hardswish": nn.Hardswish,
        }
        return name, shape, modules[name]
    if choice == "chunk":
        n = random.choice([d for d in (1, 2, 3, 4) if c % d == 0])
        index = random.randrange(n + (1 if random.random() < 0.15 else 0))
        return f"chunk({n}, {index})", shape, lambda: _Chunk(n, index)
    if choice == "shuffle":
        groups = random.choice([1, 2, 3, 4])
        return f"channelshuffle({groups})", shape, lambda: nn.ChannelShuffle(groups)
    if choice == "upsample":
        pick = [0.5, 0.75, 1.25, 1.5, 1.7, 2, 2.5, 3, 1.15, 0.3]
        scale = tuple(random.choice(pick) for _ in range(rank))
        if random.random() < 0.5:
            scale = (scale[0],) * rank
        text = scale_text(scale[0]) if len(set(scale)) == 1 else "x".join(map(scale_text, scale))
        factors = tuple(float(v) for v in scale)
        return f"upsample({text})", shape, lambda: nn.Upsample(scale_factor=factors)
    if choice == "prelu":
        n = random.choice([1, c, c + 1 if c > 1 else 2])
        return f"prelu({n})", shape, lambda: nn.PReLU(n)
    if choice == "pool":
        kind = random.choice(["maxpool", "avgpool"])
        k = random.randint(1, 4)
        stride = random.randint(1, 3)
        pad = random.randint(0, 2) if random.random() < 0.5 else None
        args = f"{k}, {stride}" + ("" if pad is None else f", {pad}")
        table = {
            "maxpool": {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d},
            "avgpool": {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d},
        }
        module = table[kind][rank]
        return f"{kind}({args})", shape, lambda: module(k, stride, pad or 0)
    if choice == "norm":
        eps = random.choice([1e-5, 1e-3, 0.001, 1e-6])
        momentum = random.choice([0.1, 0.01, 0.9])
        kind = random.choice(["batchnorm", "instancenorm"])
        if kind == "batchnorm":
            module = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[rank]
            spec = f"batchnorm(eps={eps!r}, momentum={momentum!r})"
            return spec, shape, lambda: module(c, eps=eps, momentum=momentum)
        module = {1: nn.InstanceNorm1d, 2: nn.InstanceNorm2d, 3: nn.InstanceNorm3d}[rank]
        spec = f"instancenorm(affine=true, eps={eps!r}, momentum={momentum!r})"
        return spec, shape, lambda: module(c, eps=eps, momentum=momentum, affine=True)
    out = tuple(random.randint(1, 3) for _ in range(rank))
    adaptive = {1: nn.AdaptiveAvgPool1d, 2: nn.AdaptiveAvgPool2d, 3: nn.AdaptiveAvgPool3d}[rank]
    return f"adaptiveavgpool({'x'.join(map(str, out))})", shape, lambda: adaptive(out)


def modern_cases(count: int) -> list[dict[str, Any]]:
    random.seed(20261202)
    cases = []
    seen = set()
    while len(cases) < count:
        spec_layer, shape, build = gen_modern(random.choice([0, 1, 1, 2, 2, 2, 3]))
        spec = f"input({'x'.join(map(str, shape))}) -> {spec_layer}"
        if spec in seen:
            continue
        seen.add(spec)
        try:
            result = measure(shape, build)
        except IndexError as error:  # torch.chunk(...)[index] past the last slice
            result = {"error": str(error)}
        cases.append({"spec": spec, **result})
    return cases


NETWORKS: list[tuple[str, str, tuple[int, ...], Callable[[], nn.Sequential]]] = [
    (
        "seed",
        "samples/seed.cnn",
        (1, 28, 28),
        lambda: nn.Sequential(
            nn.Conv2d(1, 32, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(800, 256),
            nn.ReLU(),
            nn.Linear(256, 10),
            nn.Softmax(1),
        ),
    ),
    (
        "lenet5",
        "samples/lenet5.cnn",
        (1, 32, 32),
        lambda: nn.Sequential(
            nn.Conv2d(1, 6, 5),
            nn.Tanh(),
            nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5),
            nn.Tanh(),
            nn.AvgPool2d(2),
            nn.Conv2d(16, 120, 5),
            nn.Tanh(),
            nn.Flatten(),
            nn.Linear(120, 84),
            nn.Tanh(),
            nn.Linear(84, 10),
        ),
    ),
    (
        "alexnet",
        "samples/alexnet.cnn",
        (3, 224, 224),
        lambda: nn.Sequential(
            nn.Conv2d(3, 64, 11, 4, 2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.AdaptiveAvgPool2d(6),
            nn.Flatten(),
            nn.Dropout(),
            nn.Linear(9216, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Linear(4096, 1000),
        ),
    ),
    (
        "vgg16",
        "samples/vgg16.cnn",
        (3, 224, 224),
        lambda: nn.Sequential(
            *[
                m
                for c_in, c_out, pool in [
                    (3, 64, 0),
                    (64, 64, 1),
                    (64, 128, 0),
                    (128, 128, 1),
                    (128, 256, 0),
                    (256, 256, 0),
                    (256, 256, 1),
                    (256, 512, 0),
                    (512, 512, 0),
                    (512, 512, 1),
                    (512, 512, 0),
                    (512, 512, 0),
                    (512, 512, 1),
                ]
                for m in (
                    [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU()]
                    + ([nn.MaxPool2d(2)] if pool else [])
                )
            ],
            nn.AdaptiveAvgPool2d(7),
            nn.Flatten(),
            nn.Linear(25088, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, 1000),
        ),
    ),
    (
        "audio1d",
        "samples/audio1d.yaml",
        (1, 16000),
        lambda: nn.Sequential(
            nn.Conv1d(1, 128, 80, 4),
            nn.BatchNorm1d(128),
            nn.ReLU(),
            nn.MaxPool1d(4),
            nn.Conv1d(128, 128, 3),
            nn.BatchNorm1d(128),
            nn.ReLU(),
            nn.MaxPool1d(4),
            nn.Conv1d(128, 256, 3),
            nn.BatchNorm1d(256),
            nn.ReLU(),
            nn.MaxPool1d(4),
            nn.Conv1d(256, 512, 3),
            nn.BatchNorm1d(512),
            nn.ReLU(),
            nn.MaxPool1d(4),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
            nn.Linear(512, 35),
        ),
    ),
    (
        "c3d",
        "samples/c3d.json",
        (3, 16, 112, 112),
        lambda: nn.Sequential(
            nn.Conv3d(3, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool3d((1, 2, 2)),
            nn.Conv3d(64, 128, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool3d(2),
            nn.Conv3d(128, 256, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool3d(2),
            nn.Conv3d(256, 256, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool3d(2),
            nn.Flatten(),
            nn.Linear(256 * 2 * 7 * 7, 1024),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(1024, 101),
        ),
    ),
]


class Residual(nn.Module):
    """body(x) + shortcut(x), then an optional activation: torchvision's BasicBlock/Bottleneck."""

    def __init__(self, body: nn.Module, shortcut: nn.Module | None = None, relu: bool = True):
        super().__init__()
        self.body, self.shortcut = body, shortcut or nn.Identity()
        self.act = nn.ReLU() if relu else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.body(x) + self.shortcut(x))


class Gate(nn.Module):
    """x * gate(x): squeeze-and-excitation style, which broadcasts C x 1 x 1 over C x H x W."""

    def __init__(self, body: nn.Module, gate: nn.Module) -> None:
        super().__init__()
        self.body, self.gate = body, gate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return y * self.gate(y)


class Concat(nn.Module):
    def __init__(self, *branches: nn.Module) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


def conv_bn(c_in: int, c_out: int, k: int, stride: int = 1, pad: int = 0) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, k, stride, pad, bias=False), nn.BatchNorm2d(c_out)]


def basic(c_in: int, c_out: int, stride: int) -> nn.Module:
    body = nn.Sequential(
        *conv_bn(c_in, c_out, 3, stride, 1), nn.ReLU(), *conv_bn(c_out, c_out, 3, 1, 1)
    )
    short = (
        nn.Sequential(*conv_bn(c_in, c_out, 1, stride)) if stride != 1 or c_in != c_out else None
    )
    return Residual(body, short)


def bottleneck(c_in: int, width: int, stride: int) -> nn.Module:
    body = nn.Sequential(
        *conv_bn(c_in, width, 1),
        nn.ReLU(),
        *conv_bn(width, width, 3, stride, 1),
        nn.ReLU(),
        *conv_bn(width, width * 4, 1),
    )
    out = width * 4
    short = nn.Sequential(*conv_bn(c_in, out, 1, stride)) if stride != 1 or c_in != out else None
    return Residual(body, short)


def resnet(block: str, counts: list[int]) -> nn.Module:
    layers: list[nn.Module] = [*conv_bn(3, 64, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    c_in = 64
    for stage, count in enumerate(counts):
        width = 64 * 2**stage
        for i in range(count):
            stride = 2 if stage and not i else 1
            if block == "basic":
                layers.append(basic(c_in, width, stride))
                c_in = width
            else:
                layers.append(bottleneck(c_in, width, stride))
                c_in = width * 4
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, 1000))


class UNet(nn.Module):
    """The padded U-Net of samples/unet.cnn (as the common PyTorch implementations build it)."""

    def __init__(self) -> None:
        super().__init__()

        def double(c_in: int, c_out: int) -> nn.Module:
            return nn.Sequential(
                *conv_bn(c_in, c_out, 3, 1, 1),
                nn.ReLU(),
                *conv_bn(c_out, c_out, 3, 1, 1),
                nn.ReLU(),
            )

        widths = [64, 128, 256, 512, 1024]
        self.down = nn.ModuleList(
            [double(3, 64)] + [double(widths[i], widths[i + 1]) for i in range(4)]
        )
        self.ups = nn.ModuleList(
            [nn.ConvTranspose2d(widths[i + 1], widths[i], 2, 2) for i in reversed(range(4))]
        )
        self.dec = nn.ModuleList([double(widths[i + 1], widths[i]) for i in reversed(range(4))])
        self.head = nn.Conv2d(64, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        skips.pop()
        for up, dec in zip(self.ups, self.dec):
            x = dec(torch.cat([skips.pop(), up(x)], dim=1))
        return self.head(x)


def inception() -> nn.Module:
    def conv(c_in: int, c_out: int, k: int, pad: int = 0) -> list[nn.Module]:
        return [nn.Conv2d(c_in, c_out, k, padding=pad), nn.ReLU()]

    return Concat(
        nn.Sequential(*conv(192, 64, 1)),
        nn.Sequential(*conv(192, 96, 1), *conv(96, 128, 3, 1)),
        nn.Sequential(*conv(192, 16, 1), *conv(16, 32, 5, 2)),
        nn.Sequential(nn.MaxPool2d(3, 1, 1), *conv(192, 32, 1)),
    )


class DenseLayer(nn.Module):
    """torchvision's _DenseLayer: BN-ReLU-conv 1x1 (4 x growth)-BN-ReLU-conv 3x3 (growth),
    concatenated to its input."""

    def __init__(self, c_in: int, growth: int = 32) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(c_in),
            nn.ReLU(),
            nn.Conv2d(c_in, 4 * growth, 1, bias=False),
            nn.BatchNorm2d(4 * growth),
            nn.ReLU(),
            nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.body(x)], dim=1)


def densenet121() -> nn.Module:
    layers: list[nn.Module] = [*conv_bn(3, 64, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    c = 64
    for index, count in enumerate([6, 12, 24, 16]):
        for _ in range(count):
            layers.append(DenseLayer(c))
            c += 32
        if index < 3:
            layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c // 2, 1, bias=False)]
            layers.append(nn.AvgPool2d(2))
            c //= 2
    layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers, nn.Linear(c, 1000))


class MBConv(nn.Module):
    """torchvision's EfficientNet MBConv: expansion, depthwise convolution, squeeze-and-
    excitation on the expanded features (squeezed to a quarter of the block's input), and
    projection; a residual when the shape is kept."""

    def __init__(self, c_in: int, c_out: int, expand: int, k: int, stride: int) -> None:
        super().__init__()
        wide = c_in * expand
        parts: list[nn.Module] = []
        if expand != 1:
            parts += [nn.Conv2d(c_in, wide, 1, bias=False), nn.BatchNorm2d(wide), nn.SiLU()]
        parts += [
            nn.Conv2d(wide, wide, k, stride, k // 2, groups=wide, bias=False),
            nn.BatchNorm2d(wide),
            nn.SiLU(),
        ]
        self.body = nn.Sequential(*parts)
        squeeze = max(1, c_in // 4)
        self.gate = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(wide, squeeze, 1),
            nn.SiLU(),
            nn.Conv2d(squeeze, wide, 1),
            nn.Sigmoid(),
        )
        self.project = nn.Sequential(nn.Conv2d(wide, c_out, 1, bias=False), nn.BatchNorm2d(c_out))
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        y = self.project(y * self.gate(y))
        return x + y if self.residual else y


def efficientnet_b0() -> nn.Module:
    stages = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3)]
    stages += [(6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
    layers: list[nn.Module] = [*conv_bn(3, 32, 3, 2, 1), nn.SiLU()]
    c = 32
    for expand, k, stride, c_out, count in stages:
        for i in range(count):
            layers.append(MBConv(c, c_out, expand, k, stride if i == 0 else 1))
            c = c_out
    layers += [*conv_bn(c, 1280, 1), nn.SiLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers, nn.Dropout(0.2), nn.Linear(1280, 1000))


DAG_NETWORKS: list[tuple[str, str, tuple[int, ...], Callable[[], nn.Module]]] = [
    ("resnet18", "samples/resnet18.cnn", (3, 224, 224), lambda: resnet("basic", [2, 2, 2, 2])),
    ("resnet50", "samples/resnet50.cnn", (3, 224, 224), lambda: resnet("bottleneck", [3, 4, 6, 3])),
    ("inception", "samples/inception.cnn", (192, 28, 28), inception),
    ("unet", "samples/unet.cnn", (3, 256, 256), UNet),
    ("densenet121", "samples/densenet121.cnn", (3, 224, 224), densenet121),
    ("efficientnet_b0", "samples/efficientnet_b0.cnn", (3, 224, 224), efficientnet_b0),
]


def dag_cases(count: int) -> list[dict[str, Any]]:
    """Random residual and concat blocks: shapes through merges, and merges torch rejects."""
    random.seed(7)
    cases = []
    while len(cases) < count:
        c = random.choice([4, 8, 16])
        n = random.randint(6, 20)
        shape = (c, n, n)
        f = random.choice([c, c, 2 * c])
        s = random.choice([1, 1, 2])
        k = random.choice([1, 3, 5])
        p = random.choice([0, k // 2, k // 2])
        proj = random.random() < 0.5
        if random.random() < 0.15:
            g = random.choice([f, 1, 2 * f])  # 1 broadcasts; 2f cannot
            spec = (
                f"input({c}x{n}x{n}) -> y: conv({f}, {k}, stride={s}, pad={p}) -> "
                f"globalavgpool(keepdims) -> g: conv({g}, 1) -> multiply(y, g)"
            )

            def build(c=c, f=f, k=k, s=s, p=p, g=g) -> nn.Module:
                return Gate(
                    nn.Conv2d(c, f, k, s, p),
                    nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(f, g, 1)),
                )
        elif random.random() < 0.6:
            short = f"shortcut {{ conv({f}, 1, stride={s}) }}" if proj else ""
            spec = (
                f"input({c}x{n}x{n}) -> residual {{ conv({f}, {k}, stride={s}, pad={p}) }} {short}"
            )

            def build(c=c, f=f, k=k, s=s, p=p, proj=proj) -> nn.Module:
                return Residual(
                    nn.Conv2d(c, f, k, s, p), nn.Conv2d(c, f, 1, s) if proj else None, relu=False
                )
        else:
            k2 = random.choice([1, 3])
            spec = (
                f"input({c}x{n}x{n}) -> parallel(concat) {{ conv({f}, {k}, stride={s}, pad={p})"
                f" | conv(4, {k2}, stride={s}, pad={k2 // 2}) }}"
            )

            def build(c=c, f=f, k=k, s=s, p=p, k2=k2) -> nn.Module:
                return Concat(nn.Conv2d(c, f, k, s, p), nn.Conv2d(c, 4, k2, s, k2 // 2))

        cases.append({"spec": spec, **measure(shape, build)})
    return cases


def network_cases() -> list[dict[str, Any]]:
    """Whole networks (the samples) written out as torch modules, compared by totals."""
    out = []
    for name, spec, shape, build in [*NETWORKS, *DAG_NETWORKS, *MODERN_NETWORKS]:
        module = build()
        module.eval()
        with torch.no_grad():
            result = module(torch.zeros(1, *shape))
        trainable = sum(p.numel() for p in module.parameters())
        running = sum(
            b.numel()
            for n, b in module.named_buffers()
            if n.split(".")[-1] in ("running_mean", "running_var")
        )
        out.append(
            {
                "name": name,
                "spec": spec,
                "trainable": trainable,
                "non_trainable": running,
                "output_shape": list(result.shape[1:]),
            }
        )
    return out


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 800
    cases = layer_cases(count)
    (OUT / "torch_layers.json").write_text(
        json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n"
    )
    errors = sum("error" in case for case in cases)
    print(f"wrote {len(cases)} layer cases ({errors} rejected by torch)")
    dags = dag_cases(120)
    (OUT / "torch_dags.json").write_text(
        json.dumps({"torch": torch.__version__, "cases": dags}, indent=1) + "\n"
    )
    print(f"wrote {len(dags)} branching cases ({sum('error' in c for c in dags)} rejected)")
    modern = modern_cases(300)
    (OUT / "torch_modern.json").write_text(
        json.dumps({"torch": torch.__version__, "cases": modern}, indent=1) + "\n"
    )
    print(f"wrote {len(modern)} modern-layer cases ({sum('error' in c for c in modern)} rejected)")
    nets = network_cases()
    (OUT / "torch_networks.json").write_text(
        json.dumps({"torch": torch.__version__, "networks": nets}, indent=1) + "\n"
    )
    print(f"wrote {len(nets)} networks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
