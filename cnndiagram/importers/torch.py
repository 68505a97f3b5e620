"""Importer: a PyTorch `nn.Module`, traced with torch.fx, to the network IR.

`torch.fx.symbolic_trace` records the module's forward pass as a graph without running it
on data: module calls (`layer1.0.conv1`), functional operations (`torch.cat`, `x + y`,
`torch.flatten`, `F.relu`, `x.view(x.size(0), -1)`) and Python loops over blocks (unrolled
by the trace) all appear as nodes. Each node becomes a layer made through `build_layer`,
named after the module path or the operation, so every number comes from the engine. The
trace is cross-checked against the module itself: learnable parameters must equal
`sum(p.numel() for p in module.parameters())`, and the output shape of a run on the meta
device (no weights touched, no memory for activations) must equal the engine's.

This module imports torch, so it is imported only when a torch model is asked for (the
`--torch package.module:factory` option, or `cnndiagram.from_torch`).
"""

from __future__ import annotations

import operator
from typing import Any

from cnndiagram.catalog import lookup_kind
from cnndiagram.errors import MissingDependencyError, SpecError
from cnndiagram.ir import Input, Layer, Network
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.spec.build import build_layer

ACTIVATION_MODULES = {
    "ReLU": "relu",
    "ReLU6": "relu6",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "GELU": "gelu",
    "SiLU": "silu",
    "ELU": "elu",
    "SELU": "selu",
    "Softplus": "softplus",
    "Hardswish": "hardswish",
    "Hardsigmoid": "hardsigmoid",
    "Mish": "mish",
}
ACTIVATION_FUNCTIONS = {
    "relu": "relu",
    "relu6": "relu6",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "gelu": "gelu",
    "silu": "silu",
    "elu": "elu",
    "selu": "selu",
    "softplus": "softplus",
    "hardswish": "hardswish",
    "hardsigmoid": "hardsigmoid",
    "mish": "mish",
}


def _torch() -> Any:
    try:
        import torch
        import torch.fx
    except ImportError:
        raise MissingDependencyError(
            "reading a PyTorch module needs torch", hint='pip install "cnndiagram[torch]"'
        ) from None
    return torch


def _pair(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return value[0] if all(v == value[0] for v in value) else tuple(value)
    return value


class _Reader:
    def __init__(self, module: Any, shape: tuple[int, ...], limits: Limits) -> None:
        self.module = module
        self.shape = shape
        self.limits = limits
        self.layers: list[Layer] = []
        self.names: dict[Any, str] = {}  # fx node -> our layer name
        self.taken: set[str] = set()
        self.input: Input | None = None
        self.shapes: dict[str, tuple[int, ...]] | None = None
        self.unknown: list[str] = []
        self.containers: list[list[str]] = []  # per layer: the modules holding it

    def fail(self, where: str, message: str) -> SpecError:
        return SpecError(f"torch: {where}: {message}")

    def name(self, wanted: str) -> str:
        name, n = wanted, 1
        while name in self.taken:
            n += 1
            name = f"{wanted}_{n}"
        self.taken.add(name)
        return name

    def add(self, node: Any, kind: str, wanted: str, inputs: list[Any], **args: Any) -> None:
        reads = tuple(self.source(i, node) for i in inputs)
        name = self.name(wanted)
        try:
            layer = build_layer(kind, name, reads, location=f"torch: {wanted}", **args)
        except SpecError as error:
            raise self.fail(wanted, error.message) from None
        if len(self.layers) >= self.limits.max_layers:
            raise SpecError(f"torch: more than {self.limits.max_layers:,} layers")
        self.layers.append(layer)
        self.names[node] = name
        stack = node.meta.get("nn_module_stack") or {}
        paths = [str(v[0]) if isinstance(v, tuple) else str(k) for k, v in stack.items()]
        if node.op == "call_module" and paths and paths[-1] == node.target:
            paths = paths[:-1]  # the module that is the layer itself
        self.containers.append(paths)

    def source(self, value: Any, node: Any) -> str:
        if value not in self.names:
            raise self.fail(str(node.name), f"reads {value!r}, which is not a tensor of the model")
        return self.names[value]

    def alias(self, node: Any, value: Any) -> None:
        self.names[node] = self.source(value, node)

    # -- nodes ---------------------------------------------------------------------------

    def read(self, graph: Any) -> None:
        for node in graph.nodes:
            if node.op == "placeholder":
                if self.input is not None:
                    raise self.fail(node.name, "a second input: one-input models only")
                self.input = Input(self.shape, "input")
                self.names[node] = "input"
                self.taken.add("input")
            elif node.op == "call_module":
                self.call_module(node)
            elif node.op in ("call_function", "call_method"):
                self.call_function(node)
            elif node.op == "output":
                continue
            elif node.op == "get_attr":
                raise self.fail(node.name, "a parameter used directly in forward()")

    def call_module(self, node: Any) -> None:
        sub = self.module.get_submodule(node.target)
        cls = type(sub).__name__
        where = str(node.target)
        x = node.args[:1]
        if cls in ("Conv1d", "Conv2d", "Conv3d"):
            padding = sub.padding if isinstance(sub.padding, str) else _pair(sub.padding)
            if sub.padding_mode != "zeros":
                padding = _pair(sub.padding)
            self.add(
                node,
                "conv",
                where,
                list(x),
                filters=sub.out_channels,
                kernel=_pair(sub.kernel_size),
                stride=_pair(sub.stride),
                pad=padding,
                dilation=_pair(sub.dilation),
                groups=sub.groups,
                bias=sub.bias is not None,
            )
        elif cls in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"):
            self.add(
                node,
                "deconv",
                where,
                list(x),
                filters=sub.out_channels,
                kernel=_pair(sub.kernel_size),
                stride=_pair(sub.stride),
                pad=_pair(sub.padding),
                output_pad=_pair(sub.output_padding),
                dilation=_pair(sub.dilation),
                groups=sub.groups,
                bias=sub.bias is not None,
            )
        elif cls == "Linear":
            self.add(
                node, "dense", where, list(x), units=sub.out_features, bias=sub.bias is not None
            )
        elif cls in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"):
            self.add(
                node,
                "batchnorm",
                where,
                list(x),
                affine=sub.affine,
                running_stats=sub.track_running_stats,
            )
        elif cls in ("MaxPool1d", "MaxPool2d", "MaxPool3d"):
            self.add(
                node,
                "maxpool",
                where,
                list(x),
                size=_pair(sub.kernel_size),
                stride=_pair(sub.stride),
                pad=_pair(sub.padding),
                dilation=_pair(sub.dilation),
                ceil=bool(sub.ceil_mode),
            )
        elif cls in ("AvgPool1d", "AvgPool2d", "AvgPool3d"):
            self.add(
                node,
                "avgpool",
                where,
                list(x),
                size=_pair(sub.kernel_size),
                stride=_pair(sub.stride),
                pad=_pair(sub.padding),
                ceil=bool(sub.ceil_mode),
            )
        elif cls in ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"):
            self.add(node, "adaptiveavgpool", where, list(x), out=_pair(sub.output_size))
        elif cls in ("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"):
            self.add(node, "adaptivemaxpool", where, list(x), out=_pair(sub.output_size))
        elif cls in ACTIVATION_MODULES and lookup_kind(ACTIVATION_MODULES[cls]) is not None:
            self.add(node, ACTIVATION_MODULES[cls], where, list(x))
        elif cls == "LeakyReLU":
            self.add(node, "leakyrelu", where, list(x), slope=sub.negative_slope)
        elif cls == "Softmax":
            self.add(node, "softmax", where, list(x))
        elif cls in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d"):
            self.add(node, "dropout", where, list(x), rate=sub.p)
        elif cls == "Flatten":
            if sub.start_dim != 1 or sub.end_dim != -1:
                raise self.fail(where, "Flatten other than Flatten(1, -1) is not supported")
            self.add(node, "flatten", where, list(x))
        elif cls == "Identity":
            self.alias(node, node.args[0])
        elif cls == "GroupNorm":
            self.add(node, "groupnorm", where, list(x), groups=sub.num_groups, affine=sub.affine)
        elif cls == "Upsample" and sub.scale_factor is not None:
            self.add(
                node, "upsample", where, list(x), scale=_pair(sub.scale_factor), mode=str(sub.mode)
            )
        else:
            learned = sum(p.numel() for p in sub.parameters())
            buffers = sum(
                b.numel() for n, b in sub.named_buffers() if not n.endswith("num_batches_tracked")
            )
            self.opaque(node, where, cls, list(x), learned, buffers)

    def call_function(self, node: Any) -> None:
        torch = _torch()
        target = node.target
        name = getattr(target, "__name__", str(target))
        where = str(node.name)
        args = list(node.args)
        if node.op == "call_method" and name in ("size", "dim"):
            self.names[node] = "__shape__"
            return
        nodes = [a for a in _flat([*args, *node.kwargs.values()]) if isinstance(a, torch.fx.Node)]
        if nodes and all(self.names.get(a) == "__shape__" for a in nodes):
            self.names[node] = "__shape__"  # arithmetic on sizes (`n, c, h, w = x.size()`)
            return
        if target in (operator.add, torch.add) or name == "add":
            tensors = [a for a in args if a in self.names]
            if len(tensors) == 2:
                self.add(node, "add", where, tensors)
                return
        if target in (operator.mul, torch.mul) or name == "mul":
            tensors = [a for a in args if a in self.names]
            if len(tensors) == 2:
                self.add(node, "multiply", where, tensors)
                return
        if target is torch.cat or name in ("cat", "concat"):
            tensors, dim = args[0], node.kwargs.get("dim", args[1] if len(args) > 1 else 0)
            if dim != 1:
                self.opaque(node, where, "cat", list(tensors))
                return
            self.add(node, "concat", where, list(tensors))
            return
        if target is torch.flatten or name == "flatten":
            start = node.kwargs.get("start_dim", args[1] if len(args) > 1 else 0)
            if start == 0:
                raise self.fail(where, "flatten from dimension 0 mixes the batch into the features")
            if start != 1:
                self.add(node, "reshape", where, args[:1], shape=self.traced(node, where))
                return
            self.add(node, "flatten", where, args[:1])
            return
        if node.op == "call_method" and name in ("view", "reshape"):
            rest = args[1:]
            if len(rest) == 2 and rest[1] == -1:
                self.add(node, "flatten", where, args[:1])
                return
            # Any other target (a channel shuffle's view(n, g, c // g, h, w)): the sizes are
            # computed from the input's, so the trace's shape is the target.
            self.add(node, "reshape", where, args[:1], shape=self.traced(node, where))
            return
        # An activation the catalogue has no kind for is left to the opaque layer below,
        # with its traced shape and no parameters (relu6, hardsigmoid and mish have kinds).
        if name in ACTIVATION_FUNCTIONS and lookup_kind(ACTIVATION_FUNCTIONS[name]) is not None:
            self.add(node, ACTIVATION_FUNCTIONS[name], where, args[:1])
            return
        if name in ("dropout", "contiguous"):
            self.alias(node, args[0])
            return
        if name == "adaptive_avg_pool2d":
            self.add(node, "adaptiveavgpool", where, args[:1], out=_pair(args[1]))
            return
        tensors = [a for a in _flat(args) if a in self.names]
        if not tensors:
            raise self.fail(where, f"the operation {name} reads no tensor of the model")
        self.opaque(node, where, name, tensors)

    def traced(self, node: Any, where: str) -> tuple[int, ...]:
        """The node's output shape (no batch) from a run of the module on the meta device
        (shape propagation through a second trace: no weights touched, no memory used)."""
        if self.shapes is None:
            self.shapes = _propagate(self.module, self.shape)
        shape = self.shapes.get(str(node.name))
        if shape is None or not 1 <= len(shape) <= 4:
            raise self.fail(where, "its output is not one tensor with a batch and 1 to 4 sizes")
        return shape

    def opaque(
        self,
        node: Any,
        where: str,
        what: str,
        inputs: list[Any],
        params: int = 0,
        buffers: int = 0,
    ) -> None:
        """What the engine has no rule for: the traced shape and the exact counts, stated."""
        out = self.traced(node, where)
        self.add(node, "opaque", where, inputs[:1], out=out, params=params, buffers=buffers)
        self.unknown.append(f"{self.names[node]} ({what})")


def _flat(values: Any) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, (list, tuple)):
            out.extend(_flat(value))
        else:
            out.append(value)
    return out


def _propagate(module: Any, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Every traced node's output shape without the batch, by node name (a trace of a copy
    names its nodes as the first trace did)."""
    import copy

    torch = _torch()
    from torch.fx.passes.shape_prop import ShapeProp

    meta = torch.fx.symbolic_trace(copy.deepcopy(module).to("meta"))
    with torch.no_grad():
        ShapeProp(meta).propagate(torch.empty((1, *shape), device="meta"))
    out = {}
    for node in meta.graph.nodes:
        found = node.meta.get("tensor_meta")
        if found is not None and hasattr(found, "shape") and len(found.shape) > 1:
            out[str(node.name)] = tuple(int(d) for d in found.shape[1:])
    return out


def from_torch(
    module: Any, input_shape: tuple[int, ...], *, limits: Limits = DEFAULT_LIMITS
) -> Network:
    """The network of `module` for an input of `input_shape` (channels first, no batch)."""
    torch = _torch()
    try:
        graph = torch.fx.symbolic_trace(module).graph
    except Exception as error:  # torch.fx raises many kinds (TraceError, TypeError, ...)
        raise SpecError(
            f"torch: the module cannot be traced ({type(error).__name__}: {str(error)[:200]})",
            hint="control flow that depends on the data cannot be traced",
        ) from None
    reader = _Reader(module, tuple(input_shape), limits)
    reader.read(graph)
    assert reader.input is not None
    if reader.unknown:
        import warnings

        from cnndiagram.errors import ModelWarning

        count = len(reader.unknown)
        what = "modules or operations have" if count > 1 else "module or operation has"
        shown = ", ".join(reader.unknown[:12]) + (f" and {count - 12} more" if count > 12 else "")
        warnings.warn(
            ModelWarning(
                f"torch: {count} {what} "
                "no engine rule, kept as opaque layers with the traced shapes and exact "
                f"counts: {shown}"
            ),
            stacklevel=2,
        )
    from cnndiagram.importers.modules import nest

    layers = nest(reader.layers, reader.containers)
    network = Network(reader.input, layers, type(module).__name__)
    _cross_check(module, network, input_shape, limits)
    return network


def _cross_check(
    module: Any, network: Network, input_shape: tuple[int, ...], limits: Limits
) -> None:
    """The engine's counts and output shape against the module's own: a disagreement is an
    error naming both, never a silent difference."""
    import copy

    from cnndiagram.engine.analysis import analyze

    torch = _torch()
    analysis = analyze(network, limits)
    learnable = sum(p.numel() for p in module.parameters())
    buffers = sum(
        b.numel() for name, b in module.named_buffers() if not name.endswith("num_batches_tracked")
    )
    if (analysis.learnable_params, analysis.running_params) != (learnable, buffers):
        raise SpecError(
            f"torch: the engine counts {analysis.learnable_params:,} learnable parameters and "
            f"{analysis.running_params:,} running statistics; the module has "
            f"{learnable:,} parameters and {buffers:,} buffer values"
        )
    meta = copy.deepcopy(module).to("meta")
    with torch.no_grad():
        out = meta(torch.empty((1, *input_shape), device="meta"))
    shape = tuple(out.shape[1:])
    if shape != analysis.layers[-1].output_shape:
        raise SpecError(
            f"torch: the module's output is {'x'.join(map(str, shape))}, the engine's "
            f"{'x'.join(map(str, analysis.layers[-1].output_shape))}"
        )
