"""Four well-known networks written in plain torch.nn, as torchvision builds them.

torchvision is not needed: each model follows torchvision's source (GoogLeNet without the
auxiliary classifiers, MobileNetV2, ShuffleNetV2 x1.0, MobileNetV3-Small), so its
`parameters()` count is torchvision's (6,624,904, 3,504,872, 2,278,604 and 2,542,856).
`tools/torch_fixtures.py` records their counts beside the sample specs that describe them.
"""

from __future__ import annotations

import torch
from torch import nn


def _basic(c_in: int, c_out: int, k: int, stride: int = 1, pad: int = 0) -> nn.Sequential:
    """GoogLeNet's BasicConv2d: convolution without bias, batch norm (eps 0.001), ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, k, stride, pad, bias=False),
        nn.BatchNorm2d(c_out, eps=0.001),
        nn.ReLU(inplace=True),
    )


class _Inception(nn.Module):
    def __init__(self, c_in: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, pp: int):
        super().__init__()
        self.b1 = _basic(c_in, c1, 1)
        self.b2 = nn.Sequential(_basic(c_in, c3r, 1), _basic(c3r, c3, 3, pad=1))
        # torchvision's "5x5" branch has a 3x3 kernel (a known deviation it keeps)
        self.b3 = nn.Sequential(_basic(c_in, c5r, 1), _basic(c5r, c5, 3, pad=1))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), _basic(c_in, pp, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


def googlenet() -> nn.Module:
    return nn.Sequential(
        _basic(3, 64, 7, 2, 3),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        _basic(64, 64, 1),
        _basic(64, 192, 3, pad=1),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        _Inception(192, 64, 96, 128, 16, 32, 32),
        _Inception(256, 128, 128, 192, 32, 96, 64),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        _Inception(480, 192, 96, 208, 16, 48, 64),
        _Inception(512, 160, 112, 224, 24, 64, 64),
        _Inception(512, 128, 128, 256, 24, 64, 64),
        _Inception(512, 112, 144, 288, 32, 64, 64),
        _Inception(528, 256, 160, 320, 32, 128, 128),
        nn.MaxPool2d(2, 2, ceil_mode=True),
        _Inception(832, 256, 160, 320, 32, 128, 128),
        _Inception(832, 384, 192, 384, 48, 128, 128),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(1024, 1000),
    )


def _cbr(c_in: int, c_out: int, k: int, stride: int, groups: int, act: type[nn.Module] | None):
    layers: list[nn.Module] = [
        nn.Conv2d(c_in, c_out, k, stride, (k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
    ]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class _V2Block(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int, t: int) -> None:
        super().__init__()
        hidden = c_in * t
        layers: list[nn.Module] = []
        if t != 1:
            layers.append(_cbr(c_in, hidden, 1, 1, 1, nn.ReLU6))
        layers += [_cbr(hidden, hidden, 3, stride, hidden, nn.ReLU6)]
        layers += [_cbr(hidden, c_out, 1, 1, 1, None)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) if self.residual else self.body(x)


def mobilenet_v2() -> nn.Module:
    layers: list[nn.Module] = [_cbr(3, 32, 3, 2, 1, nn.ReLU6)]
    c_in = 32
    for t, c, n, s in [
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    ]:
        for i in range(n):
            layers.append(_V2Block(c_in, c, s if i == 0 else 1, t))
            c_in = c
    layers += [_cbr(320, 1280, 1, 1, 1, nn.ReLU6), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    layers += [nn.Dropout(0.2), nn.Linear(1280, 1000)]
    return nn.Sequential(*layers)


def _shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class _ShuffleUnit(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        half = c_out // 2
        self.stride = stride
        if stride > 1:
            self.branch1 = nn.Sequential(
                _cbr(c_in, c_in, 3, stride, c_in, None), _cbr(c_in, half, 1, 1, 1, nn.ReLU)
            )
        self.branch2 = nn.Sequential(
            _cbr(c_in if stride > 1 else half, half, 1, 1, 1, nn.ReLU),
            _cbr(half, half, 3, stride, half, None),
            _cbr(half, half, 1, 1, 1, nn.ReLU),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), 1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), 1)
        return _shuffle(out, 2)


def shufflenet_v2() -> nn.Module:
    layers: list[nn.Module] = [_cbr(3, 24, 3, 2, 1, nn.ReLU), nn.MaxPool2d(3, 2, 1)]
    c_in = 24
    for repeats, c in [(4, 116), (8, 232), (4, 464)]:
        layers.append(_ShuffleUnit(c_in, c, 2))
        layers += [_ShuffleUnit(c, c, 1) for _ in range(repeats - 1)]
        c_in = c
    layers += [_cbr(464, 1024, 1, 1, 1, nn.ReLU), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    layers.append(nn.Linear(1024, 1000))
    return nn.Sequential(*layers)


def _divisible(value: float, divisor: int = 8) -> int:
    """torchvision's _make_divisible: the nearest multiple of 8, never 10% below."""
    out = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return out + divisor if out < 0.9 * value else out


def _cbn(c_in: int, c_out: int, k: int, stride: int, groups: int, act: type[nn.Module] | None):
    layers: list[nn.Module] = [
        nn.Conv2d(c_in, c_out, k, stride, (k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out, eps=0.001, momentum=0.01),
    ]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class _SqueezeExcitation(nn.Module):
    def __init__(self, c: int, squeeze: int) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Conv2d(c, squeeze, 1), nn.Conv2d(squeeze, c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = nn.functional.adaptive_avg_pool2d(x, 1)
        scale = nn.functional.hardsigmoid(self.fc2(nn.functional.relu(self.fc1(scale))))
        return x * scale


class _V3Block(nn.Module):
    def __init__(self, c_in: int, k: int, exp: int, c_out: int, se: bool, act: str, stride: int):
        super().__init__()
        activation = nn.Hardswish if act == "HS" else nn.ReLU
        layers: list[nn.Module] = []
        if exp != c_in:
            layers.append(_cbn(c_in, exp, 1, 1, 1, activation))
        layers.append(_cbn(exp, exp, k, stride, exp, activation))
        if se:
            layers.append(_SqueezeExcitation(exp, _divisible(exp // 4)))
        layers.append(_cbn(exp, c_out, 1, 1, 1, None))
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) if self.residual else self.body(x)


def mobilenet_v3_small() -> nn.Module:
    config = [
        (16, 3, 16, 16, True, "RE", 2),
        (16, 3, 72, 24, False, "RE", 2),
        (24, 3, 88, 24, False, "RE", 1),
        (24, 5, 96, 40, True, "HS", 2),
        (40, 5, 240, 40, True, "HS", 1),
        (40, 5, 240, 40, True, "HS", 1),
        (40, 5, 120, 48, True, "HS", 1),
        (48, 5, 144, 48, True, "HS", 1),
        (48, 5, 288, 96, True, "HS", 2),
        (96, 5, 576, 96, True, "HS", 1),
        (96, 5, 576, 96, True, "HS", 1),
    ]
    layers: list[nn.Module] = [_cbn(3, 16, 3, 2, 1, nn.Hardswish)]
    layers += [_V3Block(*row) for row in config]
    layers += [_cbn(96, 576, 1, 1, 1, nn.Hardswish), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    layers += [nn.Linear(576, 1024), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(1024, 1000)]
    return nn.Sequential(*layers)


#: (name, sample spec, input shape, model)
MODERN_NETWORKS = [
    ("googlenet", "samples/googlenet.cnn", (3, 224, 224), googlenet),
    ("mobilenetv2", "samples/mobilenetv2.cnn", (3, 224, 224), mobilenet_v2),
    ("shufflenetv2", "samples/shufflenetv2.cnn", (3, 224, 224), shufflenet_v2),
    ("mobilenetv3small", "samples/mobilenetv3small.cnn", (3, 224, 224), mobilenet_v3_small),
]
