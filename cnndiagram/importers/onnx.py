"""Importer: an ONNX model file, read with the `onnx` package, to the network IR.

Each operator node becomes a layer made through `build_layer`, so shapes and counts come
from the engine; the file's own sizes are the cross-check. Parameters are the file's
floating-point initializers read as weights (convolution and dense weights and biases,
BatchNorm's four vectors, PReLU slopes...), each counted once by name however many nodes
use it: an eval export has BatchNorm folded into the convolutions and may share one zero
bias between them, so its count is the file's, not the training model's. Constants that
feed shape arithmetic or a Clip's bounds are not parameters. Exporters' habits are read
back: ReLU6 as `Clip(0, 6)`, `view(x.size(0), -1)` as Shape-Gather-Concat-Reshape (folded
by `onnx_values`), symbolic dimensions (`batch`, `h`, `w`) for which `--input` gives the
shape. An operator with no rule becomes an `opaque` layer with the shape ONNX shape
inference gives and its initializers' count, and all of them are named in one warning.

`onnx` is imported only when an ONNX file is read (the `[onnx]` extra).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from math import prod
from typing import Any

from cnndiagram.catalog import lookup_kind
from cnndiagram.errors import MissingDependencyError, ModelWarning, SpecError
from cnndiagram.importers.onnx_values import MAX_VALUES, attr, fold, reshape_target
from cnndiagram.ir import ArgValue, Input, Layer, Network
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.spec.build import build_layer

#: ONNX's floating-point element types (FLOAT, FLOAT16, DOUBLE, BFLOAT16): weights.
_FLOATS = frozenset({1, 10, 11, 16})
#: Element-wise activations by ONNX operator, with the attributes they take.
_ACTIVATIONS = {
    "Relu": "relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Softmax": "softmax",
    "Selu": "selu",
    "Softplus": "softplus",
    "HardSwish": "hardswish",
    "Gelu": "gelu",
    "Mish": "mish",
}
#: Operators that change no shape and have no parameters, read as no layer at all
#: (a Cast of a feature map, an Identity).
_PASS = frozenset({"Identity", "Cast"})
#: Elementwise arithmetic: with a learned tensor they carry parameters; with a scalar
#: (HardSwish spelled out as x * (x + 3) / 6) they are part of an activation's formula.
_ARITHMETIC = frozenset({"Add", "Sub", "Mul", "Div", "Pow"})
#: Graph names exporters write whatever the model: the file's name says more.
_EXPORTER_TITLES = frozenset({"main_graph", "torch_jit", "torch-jit-export", "tf2onnx"})


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise MissingDependencyError(
            "reading an ONNX file needs the onnx package", hint='pip install "cnndiagram[onnx]"'
        ) from None
    return onnx


def _shown(shape: tuple[int, ...] | list[int]) -> str:
    return "x".join(map(str, shape))


class _Reader:
    def __init__(self, model: Any, path: str, limits: Limits) -> None:
        self.model = model
        self.graph = model.graph
        self.path = path
        self.limits = limits
        self.inits: dict[str, Any] = {t.name: t for t in self.graph.initializer}
        self.values: dict[str, Any] = {}  # tensor -> numpy value, when known and small
        self.origin: dict[str, str] = {}  # tensor -> the initializer it is an Identity of
        self.features: dict[str, str] = {}  # tensor -> our layer name
        self.shapes: dict[str, tuple[int, ...]] = {}  # our layer name -> shape, no batch
        self.layers: list[Layer] = []
        self.containers: list[list[str]] = []  # per layer: the modules holding it
        self.taken: set[str] = set()
        self.claimed: dict[str, str] = {}  # initializer -> the layer that counted it
        self.opaque: list[str] = []
        self.shared: list[str] = []
        self.mismatched: list[str] = []
        self.skip: set[int] = set()  # nodes already read with the one before (MatMul + Add)
        self.consumers: dict[str, list[Any]] = {}
        self.scopes: dict[str, int] = {}
        self.inferred: dict[str, tuple[int, ...] | None] | None = None
        self.input: Input | None = None

    # -- errors and names ---------------------------------------------------------------

    def fail(self, node: Any, message: str, hint: str | None = None) -> SpecError:
        return SpecError(f"{self.path}: node '{node.name}' ({node.op_type}): {message}", hint=hint)

    def wanted(self, node: Any) -> str:
        """A layer name from the node's: torch's exporter writes the module path as scopes
        (`/layer1/layer1.0/conv1/Conv`), read back as `layer1.0.conv1`; an operation of a
        module that holds others (the residual add) is `layer1.0.add`."""
        name, op = str(node.name), str(node.op_type).lower()
        if not name.startswith("/"):
            return name or op
        scope = _scope(name)
        if not scope:
            return op
        if self.scopes.get(scope, 0) > 1:
            return f"{scope}.{op}"
        return scope

    def unique(self, wanted: str) -> str:
        name, n = wanted, 1
        while name in self.taken or name == "input":
            n += 1
            name = f"{wanted}_{n}"
        self.taken.add(name)
        return name

    # -- tensors ------------------------------------------------------------------------

    def value(self, tensor: str) -> Any | None:
        """A constant's value, if it is small enough to be shape arithmetic."""
        if not tensor:
            return None
        if tensor in self.values:
            return self.values[tensor]
        init = self.inits.get(self.origin.get(tensor, tensor))
        if init is None or prod(init.dims) > MAX_VALUES:
            return None
        from onnx import numpy_helper

        array = numpy_helper.to_array(init)
        self.values[tensor] = array
        return array

    def constant(self, tensor: str) -> bool:
        return tensor in self.values or self.origin.get(tensor, tensor) in self.inits

    def feature(self, node: Any, tensor: str) -> str:
        if tensor not in self.features:
            raise self.fail(node, f"reads '{tensor}', which is not a tensor the reader knows")
        return self.features[tensor]

    def shape(self, node: Any, tensor: str) -> tuple[int, ...]:
        return self.shapes[self.feature(node, tensor)]

    def weight(self, tensor: str) -> Any | None:
        """The initializer behind `tensor` (through Identity nodes), if it is one."""
        return self.inits.get(self.origin.get(tensor, tensor))

    def ints(self, node: Any, tensor: str, what: str) -> list[int]:
        value = self.value(tensor)
        if value is None:
            raise self.fail(node, f"its {what} are computed in a way the reader cannot follow")
        return [int(v) for v in value.reshape(-1)]

    # -- layers -------------------------------------------------------------------------

    def emit(
        self,
        node: Any,
        kind: str,
        reads: list[str],
        *,
        output: str | None = None,
        weights: tuple[str, ...] = (),
        wanted: str | None = None,
        **args: Any,
    ) -> str:
        """One layer for `node`, reading the feature tensors `reads`; `weights` are its
        initializers, checked against the engine's count and counted once by name."""
        from cnndiagram.engine.ops import op_for
        from cnndiagram.engine.registry import Ctx, RuleError

        base = wanted or self.wanted(node)
        names = [self.feature(node, tensor) for tensor in reads]
        name = self.unique(base)
        try:
            layer = build_layer(
                kind, name, names, location=f"{self.path}: node {node.name}", **args
            )
        except SpecError as error:
            raise self.fail(node, error.message) from None
        in_shapes = tuple(self.shapes[n] for n in names)
        try:
            ctx = Ctx(layer, in_shapes[0], False, in_shapes)
            out = op_for(layer.kind).shape(ctx)
            counted = sum(op_for(layer.kind).params(ctx, out))
        except RuleError as error:
            raise self.fail(node, str(error)) from None
        layer = self.claim(node, layer, out, counted, weights)
        if len(self.layers) >= self.limits.max_layers:
            raise SpecError(f"{self.path}: more than {self.limits.max_layers:,} layers")
        self.layers.append(layer)
        self.containers.append(self.modules(node, base))
        self.shapes[name] = out
        self.features[output if output is not None else node.output[0]] = name
        return name

    def modules(self, node: Any, wanted: str) -> list[str]:
        """The modules holding the node's layer, outermost first, from torch's scopes: all
        of the scope for an operation of a module that holds others, else all but the
        module that is the layer itself."""
        if not str(node.name).startswith("/"):
            return []
        scope = _scope(node.name)
        if not scope:
            return []
        parents = _parents(scope)
        return parents[:-1] if wanted == scope else parents

    def claim(
        self,
        node: Any,
        layer: Layer,
        out: tuple[int, ...],
        counted: int,
        weights: tuple[str, ...],
    ) -> Layer:
        """The file's count for the layer's initializers against the engine's; a tensor an
        earlier layer already counted is shared, and the layer counts only what is its own."""
        tensors = [self.weight(t) for t in weights if t]
        floats = [t for t in tensors if t is not None and t.data_type in _FLOATS]
        size = sum(prod(t.dims) for t in floats)
        if layer.kind != "opaque" and size != counted:
            self.mismatched.append(
                f"{layer.name} (the file holds {size:,} values, the engine counts {counted:,})"
            )
        shared = [t for t in floats if t.name in self.claimed]
        for tensor in floats:
            self.claimed.setdefault(tensor.name, layer.name)
        if not shared:
            return layer
        owners = sorted({self.claimed[t.name] for t in shared})
        self.shared.append(f"{layer.name} (with {', '.join(owners)})")
        own = size - sum(prod(t.dims) for t in shared)
        args = dict(layer.args)
        bias = (
            weights[1] if layer.kind in ("conv", "deconv", "dense") and len(weights) > 1 else None
        )
        if bias and [t.name for t in shared] == [self.origin.get(bias, bias)] and args.get("bias"):
            # Only the bias is shared (an eval export's folded zero biases are one tensor):
            # the layer is still a convolution, without a bias of its own to count.
            return _with(layer, bias=False)
        return build_layer(
            "opaque", layer.name, layer.inputs, out=out, params=own, location=self.path
        )

    def opaque_layer(self, node: Any, reads: list[str], outputs: list[str] | None = None) -> None:
        """A node the engine has no rule for: the file's shape for each output, the count
        of the initializers it reads (once by name), listed in the warning."""
        outputs = [o for o in (outputs if outputs is not None else node.output) if o]
        weights = tuple(t for t in node.input if t and self.weight(t) is not None)
        for i, output in enumerate(outputs):
            shape = self.inferred_shape(node, output)
            self.emit_opaque(node, reads, output, shape, weights if i == 0 else (), i)

    def emit_opaque(
        self,
        node: Any,
        reads: list[str],
        output: str,
        shape: tuple[int, ...],
        weights: tuple[str, ...] = (),
        index: int = 0,
    ) -> None:
        tensors = [self.weight(t) for t in weights]
        fresh = [
            t
            for t in tensors
            if t is not None and t.data_type in _FLOATS and t.name not in self.claimed
        ]
        base = self.wanted(node) if index == 0 else f"{self.wanted(node)}.{index}"
        # An opaque layer reads one tensor (the first): the others' layers stay in the
        # network and in its counts, drawn as branches that end there.
        self.emit(
            node,
            "opaque",
            (reads or [node.input[0]])[:1],
            output=output,
            weights=weights,
            wanted=base,
            out=shape,
            params=sum(prod(t.dims) for t in fresh),
        )
        self.opaque.append(f"{self.layers[-1].name} ({node.op_type})")

    def inferred_shape(self, node: Any, tensor: str) -> tuple[int, ...]:
        """ONNX's own shape inference for one tensor (run once, with the batch set to 1 and
        the input's sizes filled in), without the batch."""
        if self.inferred is None:
            self.inferred = self.infer()
        dims = self.inferred.get(tensor)
        if not dims or dims[0] != 1 or len(dims) > 5:
            raise self.fail(
                node,
                "the engine has no rule for this operator and the file gives no usable shape "
                f"for its output '{tensor}'",
                hint="an opaque layer needs its output shape: a batch first, 1 to 4 more sizes",
            )
        return dims[1:]

    def infer(self) -> dict[str, tuple[int, ...] | None]:
        onnx = _onnx()
        assert self.input is not None
        graph_input = next(i for i in self.graph.input if i.name not in self.inits)
        dims = graph_input.type.tensor_type.shape.dim
        for dim, size in zip(dims, (1, *self.input.shape)):
            dim.dim_value = size
        try:
            inferred = onnx.shape_inference.infer_shapes(self.model, data_prop=True)
        except Exception:  # onnx raises its own InferenceError and others; no shapes, then
            return {}
        out: dict[str, tuple[int, ...] | None] = {}
        for info in (*inferred.graph.value_info, *inferred.graph.output):
            shape = info.type.tensor_type.shape
            sizes = [d.dim_value if d.HasField("dim_value") else None for d in shape.dim]
            out[info.name] = None if None in sizes else tuple(int(s) for s in sizes if s)
        return out

    # -- the graph ----------------------------------------------------------------------

    def read(self, input_shape: tuple[int, ...] | None) -> None:
        self.read_input(input_shape)
        for node in self.graph.node:
            for tensor in node.input:
                self.consumers.setdefault(tensor, []).append(node)
            if node.name.startswith("/") and node.op_type != "Constant":
                scope = _scope(node.name)
                for parent in _parents(scope):
                    self.scopes[parent] = self.scopes.get(parent, 0) + 1
        for index, node in enumerate(self.graph.node):
            if index not in self.skip:
                self.read_node(index, node)

    def read_input(self, input_shape: tuple[int, ...] | None) -> None:
        inputs = [i for i in self.graph.input if i.name not in self.inits]
        if len(inputs) != 1:
            raise SpecError(
                f"{self.path}: the graph has {len(inputs)} inputs; one-input models only"
            )
        graph_input = inputs[0]
        dims = [
            d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
            for d in graph_input.type.tensor_type.shape.dim
        ]
        shown = "x".join(map(str, dims))
        if len(dims) < 2 or len(dims) > 5:
            raise SpecError(
                f"{self.path}: the input '{graph_input.name}' is {shown or 'of unknown shape'}; "
                "a batch and 1 to 4 more dimensions are what the reader takes"
            )
        rest = dims[1:]
        if input_shape is None:
            if not all(isinstance(d, int) and d > 0 for d in rest):
                raise SpecError(
                    f"{self.path}: the input '{graph_input.name}' is {shown}, with symbolic sizes",
                    hint=f"give them with --input, e.g. --input {_example(rest)}",
                )
            shape = tuple(int(d) for d in rest)
        else:
            fixed = [d for d in rest if isinstance(d, int) and d > 0]
            agrees = len(input_shape) == len(rest) and all(
                not (isinstance(d, int) and d > 0) or d == s for d, s in zip(rest, input_shape)
            )
            if not agrees:
                raise SpecError(
                    f"{self.path}: --input {_shown(input_shape)} does not fit the file's input "
                    f"{shown}" + (" (its fixed sizes must be kept)" if fixed else "")
                )
            shape = tuple(input_shape)
        self.input = Input(shape, "input")
        self.features[graph_input.name] = "input"
        self.shapes["input"] = shape
        self.taken.add("input")

    def read_node(self, index: int, node: Any) -> None:
        op = node.op_type
        if op == "Constant":
            self.read_constant(node)
            return
        if op == "Shape" and node.input[0] in self.features:
            import numpy as np

            self.values[node.output[0]] = np.array((1, *self.shape(node, node.input[0])))
            return
        live = [t for t in node.input if t and t in self.features]
        if not live:
            self.fold(node)
            return
        handler = _HANDLERS.get(op)
        if handler is None:
            self.opaque_layer(node, live)
            return
        handler(self, index, node)

    def read_constant(self, node: Any) -> None:
        from onnx import numpy_helper

        tensor = attr(node, "value")
        if tensor is None:
            for key in ("value_float", "value_int", "value_floats", "value_ints"):
                if attr(node, key) is not None:
                    import numpy as np

                    self.values[node.output[0]] = np.array(attr(node, key))
                    return
            return
        if tensor.data_type in _FLOATS and tensor.dims:
            # Some exporters store weights as Constant nodes: they count as initializers,
            # under the name of the tensor the node makes.
            tensor.name = node.output[0]
            self.inits[node.output[0]] = tensor
        if prod(tensor.dims) <= MAX_VALUES:
            self.values[node.output[0]] = numpy_helper.to_array(tensor)

    def fold(self, node: Any) -> None:
        if node.op_type == "Identity" and node.input[0] in self.inits | self.origin.keys():
            self.origin[node.output[0]] = self.origin.get(node.input[0], node.input[0])
            return
        values = [self.value(t) if t else None for t in node.input]
        if any(v is None for v, t in zip(values, node.input) if t):
            return  # an input the reader does not know: no value, and none needed so far
        out = fold(node, values)
        if out is not None:
            self.values[node.output[0]] = out


def _scope(name: str) -> str:
    """`/layer1/layer1.0/conv1/Conv` -> `layer1.0.conv1`: each scope segment is a module
    name, written in full (`layer1.0`) or relative to the one before (`conv1`)."""
    parts = [p for p in name.split("/") if p][:-1]
    path: list[str] = []
    for previous, part in zip(["", *parts], parts):
        # A container's child is written `features.4` under `features`: its index is new.
        path.append(
            part[len(previous) + 1 :] if previous and part.startswith(previous + ".") else part
        )
    return ".".join(path)


def _parents(scope: str) -> list[str]:
    parts = scope.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _example(dims: list[Any]) -> str:
    fill = iter((224, 224, 224))
    return "x".join(str(d) if isinstance(d, int) and d > 0 else str(next(fill, 1)) for d in dims)


def _with(layer: Layer, **changes: ArgValue) -> Layer:
    args = tuple((key, changes.get(key, value)) for key, value in layer.args)
    return Layer(layer.name, layer.kind, args, inputs=layer.inputs)


def _one(values: list[int]) -> int | tuple[int, ...]:
    return values[0] if len(set(values)) == 1 else tuple(values)


def _pads(node: Any, rank: int) -> tuple[list[int], list[int]] | str:
    """A window's padding: per-axis (before, after) lists, or 'same' / 'valid'."""
    auto = attr(node, "auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        return "same"  # both give ceil(n/s); they differ only in where the odd pixel goes
    if auto == "VALID":
        return "valid"
    pads = list(attr(node, "pads", [0] * (2 * rank)))
    return pads[:rank], pads[rank:]


Handler = Callable[[_Reader, int, Any], None]
_HANDLERS: dict[str, Handler] = {}


def _handles(*ops: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for op in ops:
            _HANDLERS[op] = handler
        return handler

    return register


@_handles("Conv", "ConvTranspose")
def _conv(r: _Reader, index: int, node: Any) -> None:
    weight = r.weight(node.input[1])
    shape = r.shape(node, node.input[0])
    if weight is None or len(weight.dims) != len(shape) + 1:
        r.opaque_layer(node, [node.input[0]])
        return
    rank = len(shape) - 1
    kernel = list(attr(node, "kernel_shape", weight.dims[2:]))
    group = int(attr(node, "group", 1))
    pads = _pads(node, rank)
    x = node.input[0]
    if isinstance(pads, tuple) and pads[0] != pads[1]:
        if node.op_type == "ConvTranspose":
            r.opaque_layer(node, [x])
            return
        # Asymmetric zero padding (TensorFlow's 'same' in an export): an explicit pad first.
        pad_out = f"{node.output[0]}#pad"
        r.emit(
            node,
            "zeropad",
            [x],
            output=pad_out,
            wanted=f"{r.wanted(node)}.pad",
            pad=tuple((b, a) for b, a in zip(*pads)),
        )
        x, pads = pad_out, ([0] * rank, [0] * rank)
    pad: Any = pads if isinstance(pads, str) else _one(pads[0])
    common = {
        "kernel": _one(kernel),
        "stride": _one(list(attr(node, "strides", [1] * rank))),
        "pad": pad,
        "dilation": _one(list(attr(node, "dilations", [1] * rank))),
        "groups": group,
        "bias": len(node.input) > 2 and bool(node.input[2]),
    }
    weights = tuple(node.input[1:3])
    if node.op_type == "Conv":
        r.emit(node, "conv", [x], weights=weights, filters=int(weight.dims[0]), **common)
        return
    if attr(node, "output_shape") is not None:
        r.opaque_layer(node, [x])
        return
    output_pad = list(attr(node, "output_padding", [0] * rank))
    r.emit(
        node,
        "deconv",
        [x],
        weights=weights,
        filters=int(weight.dims[1]) * group,
        output_pad=_one(output_pad),
        **common,
    )


@_handles("Gemm")
def _gemm(r: _Reader, index: int, node: Any) -> None:
    weight = r.weight(node.input[1])
    if weight is None or attr(node, "transA", 0) or len(weight.dims) != 2:
        r.opaque_layer(node, [node.input[0]])
        return
    units = weight.dims[0] if attr(node, "transB", 0) else weight.dims[1]
    has_bias = len(node.input) > 2 and bool(node.input[2])
    r.emit(
        node,
        "dense",
        [node.input[0]],
        weights=tuple(node.input[1:3]),
        units=int(units),
        bias=has_bias,
    )


@_handles("MatMul")
def _matmul(r: _Reader, index: int, node: Any) -> None:
    weight = r.weight(node.input[1])
    shape = r.shape(node, node.input[0])
    if weight is None or len(weight.dims) != 2 or len(shape) != 1:
        r.opaque_layer(node, [node.input[0]])
        return
    # A Linear layer exported as MatMul then Add of its bias: one dense layer.
    users = r.consumers.get(node.output[0], [])
    bias = None
    if len(users) == 1 and users[0].op_type == "Add":
        other = [t for t in users[0].input if t != node.output[0]]
        candidate = r.weight(other[0]) if other else None
        if candidate is not None and prod(candidate.dims) == weight.dims[1]:
            bias = other[0]
            r.skip.add(list(r.graph.node).index(users[0]))
    r.emit(
        node,
        "dense",
        [node.input[0]],
        output=users[0].output[0] if bias else None,
        weights=(node.input[1], bias or ""),
        units=int(weight.dims[1]),
        bias=bias is not None,
    )


@_handles("MaxPool", "AveragePool", "LpPool")
def _pool(r: _Reader, index: int, node: Any) -> None:
    shape = r.shape(node, node.input[0])
    rank = len(shape) - 1
    pads = _pads(node, rank)
    dilation = list(attr(node, "dilations", [1] * rank))
    if (
        node.op_type == "LpPool"
        or (isinstance(pads, tuple) and pads[0] != pads[1])
        or (node.op_type == "AveragePool" and set(dilation) != {1})
    ):
        r.opaque_layer(node, [node.input[0]], node.output[:1])
        return
    kernel = list(attr(node, "kernel_shape"))
    args: dict[str, Any] = {
        "size": _one(kernel),
        "stride": _one(list(attr(node, "strides", [1] * rank))),
        "pad": pads if isinstance(pads, str) else _one(pads[0]),
        "ceil": bool(attr(node, "ceil_mode", 0)),
    }
    if node.op_type == "MaxPool":
        args["dilation"] = _one(dilation)
    r.emit(node, "maxpool" if node.op_type == "MaxPool" else "avgpool", [node.input[0]], **args)


@_handles("GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceMax")
def _global_pool(r: _Reader, index: int, node: Any) -> None:
    shape = r.shape(node, node.input[0])
    kind = (
        "globalavgpool" if node.op_type in ("GlobalAveragePool", "ReduceMean") else "globalmaxpool"
    )
    keep = True
    if node.op_type.startswith("Reduce"):
        axes = attr(node, "axes")
        if axes is None and len(node.input) > 1 and node.input[1]:
            axes = r.ints(node, node.input[1], "axes")
        rank = len(shape) + 1
        wanted = set(range(2, rank))
        if axes is None or {a + rank if a < 0 else a for a in axes} != wanted or not wanted:
            r.opaque_layer(node, [node.input[0]])
            return
        keep = bool(attr(node, "keepdims", 1))
    r.emit(node, kind, [node.input[0]], keepdims=keep)


@_handles("BatchNormalization")
def _batchnorm(r: _Reader, index: int, node: Any) -> None:
    r.emit(node, "batchnorm", [node.input[0]], weights=tuple(node.input[1:5]))


@_handles("InstanceNormalization")
def _instancenorm(r: _Reader, index: int, node: Any) -> None:
    r.emit(node, "instancenorm", [node.input[0]], weights=tuple(node.input[1:3]), affine=True)


@_handles("LRN")
def _lrn(r: _Reader, index: int, node: Any) -> None:
    r.emit(node, "lrn", [node.input[0]], size=int(attr(node, "size")))


@_handles(*_ACTIVATIONS, "LeakyRelu", "Elu", "HardSigmoid", "Clip", "PRelu")
def _activation(r: _Reader, index: int, node: Any) -> None:
    op = node.op_type
    x = [node.input[0]]
    if op in _ACTIVATIONS:
        kind: str | None = _ACTIVATIONS[op]
        args: dict[str, Any] = {}
    elif op == "LeakyRelu":
        kind, args = "leakyrelu", {"slope": float(attr(node, "alpha", 0.01))}
    elif op == "Elu":
        kind, args = "elu", {"alpha": float(attr(node, "alpha", 1.0))}
    elif op == "HardSigmoid":
        # PyTorch's Hardsigmoid is relu6(x + 3)/6: alpha 1/6, beta 1/2 (ONNX's default
        # alpha is 0.2, Keras' older hard_sigmoid).
        torch_like = abs(attr(node, "alpha", 0.2) - 1 / 6) < 1e-6
        kind, args = ("hardsigmoid" if torch_like else None), {}
    elif op == "PRelu":
        slope = r.weight(node.input[1])
        channels = r.shape(node, node.input[0])[0]
        size = prod(slope.dims) if slope is not None else 0
        if size not in (1, channels):
            r.opaque_layer(node, x)
            return
        r.emit(node, "prelu", x, weights=(node.input[1],), channelwise=size == channels > 1)
        return
    else:
        kind, args = _clip(r, node), {}
    if kind is None or lookup_kind(kind) is None:
        # No kind for it (a Clip to other bounds; ReLU6 before the catalogue has it): the
        # shape is the input's, there are no parameters, and the warning names it.
        r.emit_opaque(node, x, node.output[0], r.shape(node, node.input[0]))
        return
    r.emit(node, kind, x, **args)


def _clip(r: _Reader, node: Any) -> str | None:
    """ReLU6 is exported as Clip(0, 6), ReLU as Clip(0, inf): bounds from the node's
    inputs (opset 11 and later) or its attributes."""
    bounds = []
    for i, key in ((1, "min"), (2, "max")):
        if len(node.input) > i and node.input[i]:
            value = r.value(node.input[i])
            bounds.append(None if value is None else float(value.reshape(-1)[0]))
        else:
            bounds.append(attr(node, key))
    low, high = bounds
    if low == 0 and high == 6:
        return "relu6"
    if low == 0 and (high is None or high == float("inf")):
        return "relu"
    return None


@_handles("Dropout")
def _dropout(r: _Reader, index: int, node: Any) -> None:
    rate = attr(node, "ratio", 0.5)
    if len(node.input) > 1 and node.input[1]:
        value = r.value(node.input[1])
        rate = float(value.reshape(-1)[0]) if value is not None else 0.5
    r.emit(node, "dropout", [node.input[0]], output=node.output[0], rate=float(rate))


@_handles(*_PASS)
def _pass(r: _Reader, index: int, node: Any) -> None:
    r.features[node.output[0]] = r.feature(node, node.input[0])


@_handles(*_ARITHMETIC)
def _arithmetic(r: _Reader, index: int, node: Any) -> None:
    live = [t for t in node.input if t in r.features]
    op = node.op_type
    if len(live) == 2 and op in ("Add", "Mul"):
        r.emit(node, "add" if op == "Add" else "multiply", live)
        return
    if len(live) == 1:
        other = next((t for t in node.input if t != live[0]), "")
        weight = r.weight(other)
        learned = weight is not None and weight.data_type in _FLOATS and prod(weight.dims) > 1
        if not learned:
            # Arithmetic with a scalar (x / 6, x + 3) keeps the shape and holds no
            # parameter: it is part of a formula the layers around it draw.
            value = r.value(other)
            if value is None or value.size == 1:
                r.features[node.output[0]] = r.feature(node, live[0])
                return
    r.opaque_layer(node, live)


@_handles("Concat")
def _concat(r: _Reader, index: int, node: Any) -> None:
    live = [t for t in node.input if t]
    rank = len(r.shape(node, live[0])) + 1
    axis = int(attr(node, "axis", 1))
    axis = axis + rank if axis < 0 else axis
    if not all(t in r.features for t in live) or axis == 0:
        raise r.fail(node, "a concatenation along the batch or with a constant")
    if len(live) == 1:
        r.features[node.output[0]] = r.feature(node, live[0])
        return
    if axis == 1:
        r.emit(node, "concat", live)
        return
    shapes = [r.shape(node, t) for t in live]
    out = list(shapes[0])
    out[axis - 1] = sum(s[axis - 1] for s in shapes)
    r.emit_opaque(node, live, node.output[0], tuple(out))


@_handles("Split")
def _split(r: _Reader, index: int, node: Any) -> None:
    shape = r.shape(node, node.input[0])
    rank = len(shape) + 1
    axis = int(attr(node, "axis", 0))
    axis = axis + rank if axis < 0 else axis
    if axis == 0:
        raise r.fail(node, "a split along the batch")
    total = shape[axis - 1]
    count = len(node.output)
    if len(node.input) > 1 and node.input[1]:
        sizes = r.ints(node, node.input[1], "split sizes")
    elif attr(node, "split") is not None:
        sizes = list(attr(node, "split"))
    else:
        part = -(-total // count)  # equal parts, the last one smaller (opset 18)
        sizes = [min(part, total - i * part) for i in range(count)]
    for i, (output, size) in enumerate(zip(node.output, sizes)):
        out = list(shape)
        out[axis - 1] = size
        r.emit_opaque(node, [node.input[0]], output, tuple(out), index=i)


@_handles("Flatten", "Reshape", "Squeeze", "Unsqueeze")
def _reshape(r: _Reader, index: int, node: Any) -> None:
    shape = r.shape(node, node.input[0])
    full = (1, *shape)
    op = node.op_type
    if op == "Flatten":
        axis = int(attr(node, "axis", 1))
        axis = axis + len(full) if axis < 0 else axis
        dims = [prod(full[:axis]), prod(full[axis:])]
    elif op == "Reshape":
        target = r.ints(node, node.input[1], "target shape")
        try:
            dims = reshape_target(full, target, bool(attr(node, "allowzero", 0)))
        except ValueError as error:
            raise r.fail(node, f"cannot reshape {_shown(shape)}: {error}") from None
    else:
        axes = attr(node, "axes")
        if axes is None and len(node.input) > 1 and node.input[1]:
            axes = r.ints(node, node.input[1], "axes")
        dims = list(full)
        if op == "Squeeze":
            rank = len(full)
            drop = {a + rank if a < 0 else a for a in axes} if axes else set(range(rank))
            dims = [d for i, d in enumerate(full) if not (i in drop and d == 1 and i > 0)]
        else:
            rank = len(full) + len(axes or [])
            for axis in sorted(a + rank if a < 0 else a for a in axes or []):
                dims.insert(axis, 1)
    if not dims or dims[0] != 1 or len(dims) > 5 or len(dims) < 2:
        raise r.fail(node, f"the result {_shown(dims)} moves values into or out of the batch axis")
    rest = tuple(dims[1:])
    if rest == shape:
        r.features[node.output[0]] = r.feature(node, node.input[0])
    elif len(rest) == 1:
        r.emit(node, "flatten", [node.input[0]])
    else:
        r.emit(node, "reshape", [node.input[0]], shape=rest)


@_handles("Transpose")
def _transpose(r: _Reader, index: int, node: Any) -> None:
    shape = r.shape(node, node.input[0])
    perm = list(attr(node, "perm", reversed(range(len(shape) + 1))))
    if perm[0] != 0:
        raise r.fail(node, "a transpose that moves the batch axis")
    if perm == sorted(perm):
        r.features[node.output[0]] = r.feature(node, node.input[0])
        return
    full = (1, *shape)
    r.emit_opaque(node, [node.input[0]], node.output[0], tuple(full[p] for p in perm[1:]))


@_handles("Resize", "Upsample")
def _resize(r: _Reader, index: int, node: Any) -> None:
    shape = r.shape(node, node.input[0])
    full = (1, *shape)
    scales: list[float] | None = None
    if node.op_type == "Upsample":
        if len(node.input) > 1 and node.input[1]:
            value = r.value(node.input[1])
            scales = None if value is None else [float(s) for s in value.reshape(-1)]
        else:
            scales = list(attr(node, "scales", []))
    else:
        for i in (2, 1):  # scales (opset 11+), or the second input in opset 10
            if len(node.input) > i and node.input[i]:
                value = r.value(node.input[i])
                if value is not None and value.size == len(full) and value.dtype.kind == "f":
                    scales = [float(s) for s in value.reshape(-1)]
                    break
        if scales is None and len(node.input) > 3 and node.input[3]:
            sizes = r.ints(node, node.input[3], "output sizes")
            scales = [s / n for s, n in zip(sizes, full)]
    if scales is None or len(scales) != len(full):
        r.opaque_layer(node, [node.input[0]])
        return
    spatial = scales[2:]
    if scales[:2] != [1.0, 1.0] or not all(s == int(s) and s >= 1 for s in spatial):
        out = tuple(int(n * s) for n, s in zip(shape, scales[1:]))  # ONNX: floor(n * scale)
        r.emit_opaque(node, [node.input[0]], node.output[0], out)
        return
    mode = str(attr(node, "mode", "nearest"))
    rank = len(shape) - 1
    mode = {
        "nearest": "nearest",
        "linear": {1: "linear", 2: "bilinear", 3: "trilinear"}.get(rank, "linear"),
        "cubic": "bicubic",
    }.get(mode, "nearest")
    r.emit(node, "upsample", [node.input[0]], scale=_one([int(s) for s in spatial]), mode=mode)


@_handles("Pad")
def _pad(r: _Reader, index: int, node: Any) -> None:
    shape = r.shape(node, node.input[0])
    rank = len(shape) + 1
    if len(node.input) > 1 and node.input[1]:
        pads = r.ints(node, node.input[1], "pads")
    else:
        pads = list(attr(node, "pads", []))
    axes = list(range(rank))
    if len(node.input) > 3 and node.input[3]:
        axes = [a + rank if a < 0 else a for a in r.ints(node, node.input[3], "axes")]
    before, after = [0] * rank, [0] * rank
    for axis, b, a in zip(axes, pads[: len(axes)], pads[len(axes) :]):
        before[axis], after[axis] = b, a
    full = (1, *shape)
    out = tuple(n + b + a for n, b, a in zip(full, before, after))[1:]
    if (
        attr(node, "mode", "constant") != "constant"
        or before[:2] != [0, 0]
        or after[:2] != [0, 0]
        or min(before + after) < 0
    ):
        r.emit_opaque(node, [node.input[0]], node.output[0], out)
        return
    if out == shape:
        r.features[node.output[0]] = r.feature(node, node.input[0])
        return
    r.emit(node, "zeropad", [node.input[0]], pad=tuple(zip(before[2:], after[2:])))


def read_onnx(
    path: str | os.PathLike[str],
    input_shape: tuple[int, ...] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Network:
    """The network of the ONNX file at `path`; `input_shape` (channels first, no batch)
    fills in its symbolic sizes. Warns (`ModelWarning`) about opaque layers, shared
    initializers and counts that disagree with the file."""
    return read_onnx_tensors(path, input_shape, limits)[0]


def read_onnx_tensors(
    path: str | os.PathLike[str],
    input_shape: tuple[int, ...] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Network, dict[str, str]]:
    """`read_onnx`, and which layer holds each of the graph's feature tensors (by tensor
    name), for comparing the engine's shapes with ONNX shape inference."""
    onnx = _onnx()
    name = os.fspath(path)
    try:
        model = onnx.load(name, load_external_data=False)
    except FileNotFoundError:
        raise SpecError(f"{name}: no such file") from None
    except Exception as error:  # protobuf's DecodeError and others: not a model file
        raise SpecError(f"{name}: not an ONNX model ({type(error).__name__})") from None
    if not model.graph.node:
        raise SpecError(f"{name}: not an ONNX model with a graph")
    reader = _Reader(model, name, limits)
    reader.read(input_shape)
    assert reader.input is not None
    if not reader.layers:
        raise SpecError(f"{name}: the graph has no layers")
    _warn(reader)
    title = model.graph.name
    if not title or title in _EXPORTER_TITLES:
        title = os.path.splitext(os.path.basename(name))[0]
    from cnndiagram.importers.modules import nest

    layers = nest(reader.layers, reader.containers)
    renamed = {old.name: new.name for old, new in zip(reader.layers, layers)}
    tensors = {tensor: renamed.get(layer, layer) for tensor, layer in reader.features.items()}
    return Network(reader.input, layers, title), tensors


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:12])
    return shown + (f" and {len(items) - 12} more" if len(items) > 12 else "")


def _warn(reader: _Reader) -> None:
    if reader.opaque:
        warnings.warn(
            ModelWarning(
                f"{reader.path}: {len(reader.opaque)} operation"
                f"{'s have' if len(reader.opaque) > 1 else ' has'} no engine rule, kept as "
                f"opaque layers with the file's shapes and counts: {_listing(reader.opaque)}"
            ),
            stacklevel=3,
        )
    if reader.shared:
        warnings.warn(
            ModelWarning(
                f"{reader.path}: {len(reader.shared)} layer"
                f"{'s share' if len(reader.shared) > 1 else ' shares'} initializers with "
                f"earlier layers, counted once: {_listing(reader.shared)}"
            ),
            stacklevel=3,
        )
    if reader.mismatched:
        warnings.warn(
            ModelWarning(
                f"{reader.path}: the file's weights disagree with the engine for "
                f"{_listing(reader.mismatched)}"
            ),
            stacklevel=3,
        )
