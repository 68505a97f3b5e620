"""Importer: nolearn and Lasagne network definitions, read with `ast` and never executed.

Three styles are followed, as written in practice:
- nolearn: `NeuralNet(layers=[('conv2d1', layers.Conv2DLayer), ...], conv2d1_num_filters=32)`
  or `layers=[(Conv2DLayer, {'num_filters': 32}), ...]`; each layer reads the one before
  it unless `<name>_incoming(s)` says otherwise;
- plain Lasagne chains: `l = Conv2DLayer(l_in, num_filters=32, filter_size=5)`, also with
  `net['conv1'] = ConvLayer(net['input'], 64, 3, pad=1)` dictionaries and import aliases;
- wrappers: `batch_norm(layer)` (the layer loses its bias, the nonlinearity moves after
  the normalisation, as Lasagne does), `dropout(...)`, `prelu(layer)`.

Values are literals, tuples, module-level constants, simple arithmetic, and Lasagne's
nonlinearities. Anything the reader cannot follow without running the code (a loop that
builds layers, a value computed at run time) is a located error that says so; shapes the
file computes (`X.shape[1]`) come from `--input`. Lasagne's own rules are followed: dense
layers flatten their input, `pad='full'|'same'`, `ignore_border=False` pooling.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, NamedTuple

from cnndiagram.errors import SpecError
from cnndiagram.ir import Input, Layer, Network
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.source import Source, Span
from cnndiagram.spec.build import build_layer

#: Lasagne nonlinearity -> (activation kind, slope for leaky ones).
NONLINEARITIES: dict[str, tuple[str, float | None]] = {
    "rectify": ("relu", None),
    "leaky_rectify": ("leakyrelu", 0.01),
    "very_leaky_rectify": ("leakyrelu", 1 / 3),
    "elu": ("elu", None),
    "selu": ("selu", None),
    "softmax": ("softmax", None),
    "sigmoid": ("sigmoid", None),
    "tanh": ("tanh", None),
    "softplus": ("softplus", None),
    "linear": ("linear", None),
    "identity": ("linear", None),
}
#: Positional parameters after `incoming`, per Lasagne class.
CONV = ("num_filters", "filter_size", "stride", "pad", "untie_biases", "W", "b", "nonlinearity")
POOL = ("pool_size", "stride", "pad", "ignore_border")
SIGNATURES: dict[str, tuple[str, ...]] = {
    "InputLayer": ("shape", "input_var"),
    "Conv1DLayer": CONV,
    "Conv2DLayer": CONV,
    "Conv3DLayer": CONV,
    "Conv2DDNNLayer": CONV,
    "Conv3DDNNLayer": CONV,
    "Conv2DCCLayer": CONV,
    "Conv2DMMLayer": CONV,
    "DilatedConv2DLayer": ("num_filters", "filter_size", "dilation", "pad", "untie_biases"),
    "TransposedConv2DLayer": ("num_filters", "filter_size", "stride", "crop", "untie_biases"),
    "Deconv2DLayer": ("num_filters", "filter_size", "stride", "crop", "untie_biases"),
    "DenseLayer": ("num_units", "W", "b", "nonlinearity", "num_leading_axes"),
    "NINLayer": ("num_units", "untie_biases", "W", "b", "nonlinearity"),
    "MaxPool1DLayer": POOL,
    "MaxPool2DLayer": POOL,
    "MaxPool3DLayer": POOL,
    "MaxPool2DDNNLayer": POOL,
    "MaxPool3DDNNLayer": POOL,
    "MaxPool2DCCLayer": POOL,
    "Pool1DLayer": (*POOL, "mode"),
    "Pool2DLayer": (*POOL, "mode"),
    "Pool3DLayer": (*POOL, "mode"),
    "Pool2DDNNLayer": (*POOL, "mode"),
    "GlobalPoolLayer": ("pool_function",),
    "DropoutLayer": ("p", "rescale", "shared_axes"),
    "BatchNormLayer": ("axes", "epsilon", "alpha", "beta", "gamma", "mean", "inv_std"),
    "NonlinearityLayer": ("nonlinearity",),
    "FlattenLayer": ("outdim",),
    "ReshapeLayer": ("shape",),
    "ElemwiseSumLayer": ("coeffs", "cropping"),
    "ConcatLayer": ("axis", "cropping"),
    "PadLayer": ("width", "val", "batch_ndim"),
    "Upscale2DLayer": ("scale_factor", "mode"),
    "LocalResponseNormalization2DLayer": ("alpha", "k", "beta", "n"),
    "ParametricRectifierLayer": ("alpha", "shared_axes"),
}
MERGING = {"ElemwiseSumLayer", "ConcatLayer"}
#: Statements whose bodies are read in order (a network is often built inside a function).
BLOCKS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.If, ast.With, ast.Try)
WRAPPERS = {"batch_norm", "dropout", "prelu", "BatchNormDNNLayer"}


class _Unknown(NamedTuple):
    """A value the reader cannot know without running the code (`X.shape[1]`)."""

    node: ast.AST


class _Call(NamedTuple):
    """A Lasagne layer constructor or wrapper call, with its arguments still as nodes."""

    cls: str
    node: ast.Call
    args: dict[str, ast.expr]


class Reader:
    """Walks one file's statements in order, building layers as their calls appear."""

    def __init__(self, source: Source, input_shape: tuple[int, ...] | None, limits: Limits) -> None:
        self.source = source
        self.input_shape = input_shape
        self.limits = limits
        self.lines = [0]
        for line in source.text.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.aliases: dict[str, str] = {}  # imported name -> Lasagne name
        self.constants: dict[str, Any] = {}
        self.variables: dict[str, str] = {}  # Python variable (or dict key) -> layer name
        self.input: Input | None = None
        self.layers: list[Layer] = []
        self.names: set[str] = set()
        self.counts: dict[str, int] = {}

    # -- locations and errors -------------------------------------------------------

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        start = self.lines[min(line, len(self.lines)) - 1] + getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", line) or line
        end = self.lines[min(end_line, len(self.lines)) - 1] + (
            getattr(node, "end_col_offset", 0) or 0
        )
        return Span(start, max(end, start + 1))

    def error(self, message: str, node: ast.AST, hint: str | None = None) -> SpecError:
        return SpecError(message, source=self.source, span=self.span(node), hint=hint)

    # -- values -------------------------------------------------------------------------

    def name_of(self, node: ast.expr) -> str | None:
        """The Lasagne name a callable or value refers to (`layers.Conv2DLayer`, an alias)."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            return node.attr
        return None

    def value(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.value(item) for item in node.elts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = self.value(node.operand)
            return -operand if isinstance(operand, (int, float)) else _Unknown(node)
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left), self.value(node.right)
            operators: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
                ast.Add: lambda a, b: a + b,
                ast.Sub: lambda a, b: a - b,
                ast.Mult: lambda a, b: a * b,
                ast.FloorDiv: lambda a, b: a // b,
            }
            operate = operators.get(type(node.op))
            numbers = (int, float)
            divides_by_zero = isinstance(node.op, ast.FloorDiv) and right == 0
            if operate and isinstance(left, numbers) and isinstance(right, numbers):
                return _Unknown(node) if divides_by_zero else operate(left, right)
            return _Unknown(node)
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        name = self.name_of(node)
        if name in NONLINEARITIES:
            return ("nonlinearity", name)
        if isinstance(node, ast.Call):
            called = self.name_of(node.func)
            if called == "LeakyRectify":
                slope = self.value(node.args[0]) if node.args else 0.01
                return ("leaky", slope)
            return ("call", called)
        return _Unknown(node)

    def known(self, node: ast.expr, what: str) -> Any:
        value = self.value(node)
        if isinstance(value, _Unknown) or (
            isinstance(value, tuple) and any(isinstance(v, _Unknown) for v in value)
        ):
            raise self.error(
                f"{what} is computed when the code runs; the reader does not run it",
                node,
                hint="give the value in the file, or the input shape with --input",
            )
        return value

    # -- statements ---------------------------------------------------------------------

    def read(self, tree: ast.Module) -> Network:
        self.statements(tree.body)
        if self.input is None:
            raise SpecError(
                "no Lasagne InputLayer and no nolearn NeuralNet(layers=[...]) found",
                source=self.source,
                hint="the file must build a network: InputLayer(shape=(None, 1, 28, 28)) ...",
            )
        if not self.layers:
            raise SpecError("the network has an input and no layers", source=self.source)
        return Network(self.input, tuple(self.layers), source=self.source)

    def statements(self, body: list[ast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for alias in statement.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.aliases[local] = alias.name.rsplit(".", 1)[-1]
            elif isinstance(statement, BLOCKS):
                self.statements(statement.body)
            elif isinstance(statement, (ast.For, ast.While, ast.AsyncFor)):
                if self.builds_layers(statement):
                    raise self.error(
                        "layers are built in a loop; the reader follows definitions without "
                        "running them, so it cannot tell how many there are",
                        statement,
                        hint="write the layers out, or describe the network in a .cnn spec",
                    )
            elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return)):
                self.assignment(statement)

    def builds_layers(self, node: ast.AST) -> bool:
        return any(
            isinstance(sub, ast.Call) and self.layer_class(sub) is not None
            for sub in ast.walk(node)
        )

    def layer_class(self, call: ast.Call) -> str | None:
        name = self.name_of(call.func)
        if name in SIGNATURES or name in WRAPPERS or name == "NeuralNet":
            return name
        if name and name.endswith("Layer") and name[0].isupper():
            return name
        return None

    def assignment(self, statement: ast.stmt) -> None:
        value = getattr(statement, "value", None)
        if value is None:
            return
        targets: list[ast.expr] = (
            list(statement.targets)
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else []
        )
        if isinstance(value, ast.Call) and self.layer_class(value) == "NeuralNet":
            self.nolearn(value)
            return
        if isinstance(value, ast.Call) and self.layer_class(value) is not None:
            key = self.target_key(targets[0]) if targets else None
            name = self.layer_call(value, key)
            for target in targets:
                target_key = self.target_key(target)
                if target_key is not None:
                    self.variables[target_key] = name
            return
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            constant = self.value(value)
            if not isinstance(constant, _Unknown):
                self.constants[targets[0].id] = constant

    def target_key(self, target: ast.expr) -> str | None:
        if isinstance(target, ast.Name):
            return target.id
        if (
            isinstance(target, ast.Subscript)
            and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str)
        ):
            return f"{self.name_of(target.value)}[{target.slice.value!r}]"
        return None

    def preferred_name(self, key: str | None) -> str | None:
        if key is None:
            return None
        if "[" in key:
            return key.split("[", 1)[1][1:-2]
        return None

    def incoming(self, node: ast.expr) -> str:
        """The layer an `incoming` argument names: a variable, a dict entry, or a nested call."""
        if isinstance(node, ast.Call) and self.layer_class(node) is not None:
            return self.layer_call(node, None)
        key = self.target_key(node)
        if key is not None and key in self.variables:
            return self.variables[key]
        raise self.error(
            "this is not a layer defined earlier in the file",
            node,
            hint="each layer's first argument must be a layer assigned above it",
        )

    # -- layers ---------------------------------------------------------------------------

    def arguments(self, call: ast.Call, cls: str) -> dict[str, ast.expr]:
        names = ("incoming", *SIGNATURES.get(cls, ()))
        if cls in MERGING:
            names = ("incomings", *SIGNATURES[cls])
        elif cls == "InputLayer":
            names = SIGNATURES[cls]
        found: dict[str, ast.expr] = {}
        for index, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred) or index >= len(names):
                raise self.error(f"too many positional arguments for {cls}", arg)
            found[names[index]] = arg
        for keyword in call.keywords:
            if keyword.arg is None:
                raise self.error("**arguments cannot be followed without running the code", call)
            found[keyword.arg] = keyword.value
        return found

    def fresh(self, wanted: str | None, kind: str) -> str:
        if wanted and wanted not in self.names:
            self.names.add(wanted)
            return wanted
        while True:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            name = f"{kind}{self.counts[kind]}"
            if name not in self.names:
                self.names.add(name)
                return name

    def add(
        self, kind: str, wanted: str | None, inputs: tuple[str, ...], node: ast.AST, **args: Any
    ) -> str:
        name = self.fresh(wanted, kind)
        try:
            layer = build_layer(kind, name, inputs, limits=self.limits, **args)
        except SpecError as error:
            raise self.error(error.message, node, error.hint) from None
        if len(self.layers) >= self.limits.max_layers:
            raise SpecError(
                f"the network has more than {self.limits.max_layers:,} layers",
                source=self.source,
                span=self.span(node),
                hint="raise the limit with --max-layers",
            )
        self.layers.append(Layer(layer.name, layer.kind, layer.args, self.span(node), inputs))
        return name

    def layer_call(self, call: ast.Call, key: str | None) -> str:
        cls = self.layer_class(call)
        assert cls is not None
        if cls in WRAPPERS:
            return self.wrapper(cls, call, key)
        args = self.arguments(call, cls)
        wanted = self.known(args["name"], "the name") if "name" in args else None
        wanted = wanted or self.preferred_name(key)
        return self.layer(cls, call, args, wanted if isinstance(wanted, str) else None)

    def wrapper(self, cls: str, call: ast.Call, key: str | None) -> str:
        if not call.args:
            raise self.error(f"{cls}() needs the layer it wraps", call)
        inner = call.args[0]
        if cls == "dropout":
            source = self.incoming(inner)
            rate = self.known(call.args[1], "p") if len(call.args) > 1 else 0.5
            for keyword in call.keywords:
                if keyword.arg == "p":
                    rate = self.known(keyword.value, "p")
            return self.add("dropout", self.preferred_name(key), (source,), call, rate=rate)
        if not (isinstance(inner, ast.Call) and self.layer_class(inner) is not None):
            raise self.error(
                f"{cls}() is read when it wraps the layer's constructor call, "
                f"as in {cls}(Conv2DLayer(...))",
                inner,
            )
        inner_cls = self.layer_class(inner)
        assert inner_cls is not None
        args = self.arguments(inner, inner_cls)
        wanted = self.known(args["name"], "the name") if "name" in args else None
        nonlinearity = args.pop("nonlinearity", None)
        if cls == "prelu":
            name = self.layer(inner_cls, inner, args, wanted, linear=True)
            return self.add("prelu", self.preferred_name(key), (name,), call, channelwise=True)
        # batch_norm: the layer's bias goes (the normalisation's shift replaces it) and its
        # nonlinearity moves after the normalisation, named as Lasagne names them.
        name = self.layer(inner_cls, inner, args, wanted, linear=True, no_bias=True)
        bn_name = f"{wanted}_bn" if isinstance(wanted, str) else self.preferred_name(key)
        last = self.add("batchnorm", bn_name, (name,), call)
        act = self.activation(nonlinearity, "rectify") if inner_cls != "NonlinearityLayer" else None
        if act and act[0] != "linear":
            label = f"{bn_name}_nonlin" if bn_name else None
            last = self.activation_layer(act, label, last, call)
        return last

    def activation(self, node: ast.expr | None, default: str) -> tuple[str, float | None]:
        if node is None:
            return NONLINEARITIES[default]
        value = self.value(node)
        if value is None:
            return ("linear", None)
        if isinstance(value, tuple) and value[:1] == ("nonlinearity",):
            return NONLINEARITIES[value[1]]
        if isinstance(value, tuple) and value[:1] == ("leaky",):
            return ("leakyrelu", float(value[1]))
        raise self.error(
            "this nonlinearity is not one the reader knows",
            node,
            hint="known: " + ", ".join(sorted(NONLINEARITIES)) + ", LeakyRectify(a)",
        )

    def activation_layer(
        self, act: tuple[str, float | None], wanted: str | None, source: str, node: ast.AST
    ) -> str:
        kind, slope = act
        extra = {"slope": slope} if slope is not None else {}
        return self.add(kind, wanted, (source,), node, **extra)

    def layer(
        self,
        cls: str,
        call: ast.Call,
        args: dict[str, ast.expr],
        wanted: str | None,
        *,
        linear: bool = False,
        no_bias: bool = False,
    ) -> str:
        """One Lasagne layer (and the activation layer Lasagne folds into it, when the
        activation cannot be written as the layer's own `act`)."""
        if cls == "InputLayer":
            return self.input_layer(call, args, wanted)
        known = {key: value for key, value in args.items() if key not in ("incoming", "incomings")}
        handler = HANDLERS.get(cls)
        if handler is None:
            raise self.error(
                f"{cls} is not a Lasagne layer the reader knows",
                call,
                hint="known: " + ", ".join(sorted(SIGNATURES)),
            )
        if cls in MERGING:
            node = args.get("incomings")
            if not isinstance(node, (ast.List, ast.Tuple)):
                raise self.error(f"{cls} needs a list of incoming layers", call)
            inputs = tuple(self.incoming(item) for item in node.elts)
        else:
            if "incoming" not in args:
                raise self.error(f"{cls} needs its incoming layer", call)
            inputs = (self.incoming(args["incoming"]),)
        return handler(Ctx(self, call, known, inputs, wanted, linear, no_bias))

    def input_layer(self, call: ast.Call, args: dict[str, ast.expr], wanted: str | None) -> str:
        if self.input is not None:
            raise self.error("a second InputLayer: the reader follows one-input networks", call)
        if "shape" not in args:
            raise self.error("InputLayer needs its shape", call)
        self.input = self.make_input(args["shape"], wanted or "input")
        self.names.add(self.input.name)
        return self.input.name

    def make_input(self, node: ast.expr, name: str) -> Input:
        shape = self.value(node)
        if not isinstance(shape, tuple) or len(shape) < 2:
            raise self.error("the input shape must be a tuple such as (None, 1, 28, 28)", node)
        dims = shape[1:]
        if any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in dims):
            if self.input_shape is None:
                raise self.error(
                    "the input shape is computed when the code runs",
                    node,
                    hint="give it with --input, e.g. --input 1x28x28",
                )
            dims = self.input_shape
        elif self.input_shape is not None:
            dims = self.input_shape
        return Input(tuple(int(d) for d in dims), name, self.span(node))

    # -- nolearn --------------------------------------------------------------------------

    def nolearn(self, call: ast.Call) -> None:
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        layers = keywords.get("layers")
        if not isinstance(layers, (ast.List, ast.Tuple)):
            raise self.error("NeuralNet(layers=[...]) needs its list of layers written out", call)
        previous: str | None = None
        for index, entry in enumerate(layers.elts):
            cls, wanted, params = self.nolearn_entry(entry, index, keywords)
            if cls == "InputLayer":
                shape = params.get("shape") or keywords.get(f"{wanted}_shape")
                if shape is None:
                    raise self.error("the input layer needs its shape (input_shape=...)", entry)
                self.input = self.make_input(shape, wanted)
                self.names.add(wanted)
                previous = wanted
                continue
            if cls in MERGING and "incomings" not in params:
                raise self.error(f"{cls} needs '{wanted}_incomings'", entry)
            if "incoming" not in params and cls not in MERGING and previous is not None:
                params["incoming"] = ast.Constant(value=previous)
            for key in ("incoming", "incomings"):
                if key in params:
                    params[key] = self.by_name(params[key])
            previous = self.layer(cls, _located(entry), params, wanted)
        if self.input is None:
            raise self.error("the layers have no InputLayer", layers)
        # nolearn's last layer is the output: drawn as the network's output layer
        last = self.layers[-1] if self.layers else None
        if last is not None and last.kind == "dense":
            self.layers[-1] = Layer(last.name, "output", last.args, last.span, last.inputs)

    def nolearn_entry(
        self, entry: ast.expr, index: int, keywords: dict[str, ast.expr]
    ) -> tuple[str, str, dict[str, ast.expr]]:
        """One item of `layers=[...]`: its class, its name, and its parameters, either
        `(name, Class)` with `name_param=` keywords or `(Class, {param: ...})`."""
        if not (isinstance(entry, ast.Tuple) and len(entry.elts) == 2):
            raise self.error("each layer is a (name, LayerClass) or (LayerClass, {...})", entry)
        first, second = entry.elts
        params: dict[str, ast.expr] = {}
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            wanted, cls = first.value, self.name_of(second)
            for key, value in keywords.items():
                if key.startswith(wanted + "_"):
                    params[key[len(wanted) + 1 :]] = value
        else:
            cls = self.name_of(first)
            if not isinstance(second, ast.Dict):
                raise self.error("the layer's parameters must be a {...} literal", second)
            for key_node, value in zip(second.keys, second.values):
                if not (isinstance(key_node, ast.Constant) and isinstance(key_node.value, str)):
                    raise self.error("parameter names must be strings", value)
                params[key_node.value] = value
            named = params.pop("name", None)
            given = self.known(named, "the name") if named is not None else None
            # nolearn's own rule: the class name in lower case without "layer", and its index
            wanted = (
                given
                if isinstance(given, str)
                else f"{(cls or 'layer').lower().replace('layer', '')}{index}"
            )
        if cls not in SIGNATURES:
            raise self.error(f"{cls} is not a Lasagne layer the reader knows", entry)
        return cls, wanted, params

    def by_name(self, node: ast.expr) -> ast.expr:
        """nolearn names incoming layers by string: made into references the reader knows."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.variables[f"\0{node.value}"] = node.value
            return ast.copy_location(ast.Name(id=f"\0{node.value}", ctx=ast.Load()), node)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.by_name(item) for item in node.elts]
            return ast.copy_location(ast.List(elts=items, ctx=ast.Load()), node)
        return node


def _located(node: ast.expr) -> ast.Call:
    """A stand-in call node that carries `node`'s position, for error messages."""
    call = ast.Call(func=ast.Name(id="nolearn", ctx=ast.Load()), args=[], keywords=[])
    return ast.copy_location(call, node)


class Ctx(NamedTuple):
    """What a layer handler reads: the call, its arguments by Lasagne's names, the layers it
    reads, the name it asked for, and what a wrapper changed (`linear`: the nonlinearity
    moved out; `no_bias`: `batch_norm` took the bias)."""

    reader: Reader
    call: ast.Call
    args: dict[str, ast.expr]
    inputs: tuple[str, ...]
    wanted: str | None
    linear: bool
    no_bias: bool


Handler = Callable[[Ctx], str]


def _get(reader: Reader, args: dict[str, ast.expr], key: str, default: Any) -> Any:
    return reader.known(args[key], key) if key in args else default


def _bias(reader: Reader, args: dict[str, ast.expr], no_bias: bool) -> bool:
    if no_bias:
        return False
    return not ("b" in args and reader.value(args["b"]) is None)


def _finish(
    reader: Reader,
    kind: str,
    call: ast.Call,
    args: dict[str, ast.expr],
    inputs: tuple[str, ...],
    wanted: str | None,
    linear: bool,
    values: dict[str, Any],
    default_act: str = "rectify",
) -> str:
    act = ("linear", None) if linear else reader.activation(args.get("nonlinearity"), default_act)
    kind_name, slope = act
    if slope is None and kind_name != "linear":
        return reader.add(kind, wanted, inputs, call, act=kind_name, **values)
    name = reader.add(kind, wanted, inputs, call, **values)
    if kind_name != "linear":
        return reader.activation_layer(act, None, name, call)
    return name


def _untied(reader: Reader, args: dict[str, ast.expr]) -> None:
    if "untie_biases" in args and reader.value(args["untie_biases"]) is True:
        raise reader.error(
            "untie_biases=True (one bias per output position) is not supported",
            args["untie_biases"],
        )


def _pad(reader: Reader, args: dict[str, ast.expr], key: str, kernel: Any) -> Any:
    """Lasagne's padding words: 'valid' 0, 'full' kernel - 1, 'same' kernel // 2."""
    pad = _get(reader, args, key, 0)
    sizes = kernel if isinstance(kernel, tuple) else (kernel,)
    if pad == "valid":
        return 0
    if pad == "full":
        return tuple(k - 1 for k in sizes) if isinstance(kernel, tuple) else kernel - 1
    if pad == "same":
        return tuple(k // 2 for k in sizes) if isinstance(kernel, tuple) else kernel // 2
    return pad


def _conv(c: Ctx) -> str:
    reader, call, args, inputs, wanted, linear, no_bias = (
        c.reader,
        c.call,
        c.args,
        c.inputs,
        c.wanted,
        c.linear,
        c.no_bias,
    )
    _untied(reader, args)
    kernel = _get(reader, args, "filter_size", None)
    if kernel is None or "num_filters" not in args:
        raise reader.error("a convolution needs num_filters and filter_size", call)
    values = {
        "filters": _get(reader, args, "num_filters", None),
        "kernel": kernel,
        "stride": _get(reader, args, "stride", 1),
        "pad": _pad(reader, args, "pad", kernel),
        "dilation": _get(reader, args, "dilation", 1),
        "bias": _bias(reader, args, no_bias),
    }
    return _finish(reader, "conv", call, args, inputs, wanted, linear, values)


def _deconv(c: Ctx) -> str:
    reader, call, args, inputs, wanted, linear, no_bias = (
        c.reader,
        c.call,
        c.args,
        c.inputs,
        c.wanted,
        c.linear,
        c.no_bias,
    )
    _untied(reader, args)
    kernel = _get(reader, args, "filter_size", None)
    values = {
        "filters": _get(reader, args, "num_filters", None),
        "kernel": kernel,
        "stride": _get(reader, args, "stride", 1),
        "pad": _pad(reader, args, "crop", kernel),
        "bias": _bias(reader, args, no_bias),
    }
    return _finish(reader, "deconv", call, args, inputs, wanted, linear, values)


def _dense(c: Ctx) -> str:
    reader, call, args, inputs, wanted, linear, no_bias = (
        c.reader,
        c.call,
        c.args,
        c.inputs,
        c.wanted,
        c.linear,
        c.no_bias,
    )
    if _get(reader, args, "num_leading_axes", 1) != 1:
        raise reader.error("num_leading_axes other than 1 is not supported", call)
    values = {"units": _get(reader, args, "num_units", None), "bias": _bias(reader, args, no_bias)}
    return _finish(reader, "dense", call, args, inputs, wanted, linear, values)


def _nin(c: Ctx) -> str:
    reader, call, args, inputs, wanted, linear, no_bias = (
        c.reader,
        c.call,
        c.args,
        c.inputs,
        c.wanted,
        c.linear,
        c.no_bias,
    )
    _untied(reader, args)
    values = {
        "filters": _get(reader, args, "num_units", None),
        "kernel": 1,
        "bias": _bias(reader, args, no_bias),
    }
    return _finish(reader, "conv", call, args, inputs, wanted, linear, values)


def _pool(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    mode = _get(reader, args, "mode", "max")
    kind = {"max": "maxpool", "average_inc_pad": "avgpool", "average_exc_pad": "avgpool"}.get(mode)
    if kind is None:
        raise reader.error(f"pooling mode {mode!r} is not one Lasagne has", args["mode"])
    size = _get(reader, args, "pool_size", None)
    stride = _get(reader, args, "stride", None)
    pad = _get(reader, args, "pad", 0)
    ignore_border = _get(reader, args, "ignore_border", True)
    values: dict[str, Any] = {"size": size, "stride": stride, "pad": pad}
    if not ignore_border:
        # Lasagne's ignore_border=False keeps the partial window at the end, as ceil mode
        # does; it allows no padding.
        if pad not in (0, (0, 0), (0, 0, 0), (0,)):
            raise reader.error("ignore_border=False with padding is refused by Lasagne", call)
        values["ceil"] = True
    return reader.add(kind, wanted, inputs, call, **values)


def _global_pool(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    function = reader.name_of(args["pool_function"]) if "pool_function" in args else "mean"
    kinds = {"mean": "globalavgpool", "max": "globalmaxpool"}
    if function not in kinds:
        raise reader.error("GlobalPoolLayer is read with T.mean or T.max", args["pool_function"])
    return reader.add(kinds[function], wanted, inputs, call)


def _simple(kind: str, **fixed: Any) -> Handler:
    def handler(c: Ctx) -> str:
        return c.reader.add(kind, c.wanted, c.inputs, c.call, **fixed)

    return handler


def _dropout(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    return reader.add("dropout", wanted, inputs, call, rate=_get(reader, args, "p", 0.5))


def _batchnorm(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    shift = not ("beta" in args and reader.value(args["beta"]) is None)
    scale = not ("gamma" in args and reader.value(args["gamma"]) is None)
    if shift != scale:
        raise reader.error("a BatchNormLayer without only one of beta and gamma", call)
    return reader.add("batchnorm", wanted, inputs, call, affine=shift)


def _nonlinearity(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    act = reader.activation(args.get("nonlinearity"), "rectify")
    return reader.activation_layer(act, wanted, inputs[0], call)


def _flatten(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    if _get(reader, args, "outdim", 2) != 2:
        raise reader.error("FlattenLayer is read with outdim=2 (batch, features)", call)
    return reader.add("flatten", wanted, inputs, call)


def _concat(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    if _get(reader, args, "axis", 1) != 1:
        raise reader.error("ConcatLayer is read along axis 1, the channels", call)
    return reader.add("concat", wanted, inputs, call)


def _sum(c: Ctx) -> str:
    reader, call, inputs, wanted = c.reader, c.call, c.inputs, c.wanted
    return reader.add("add", wanted, inputs, call)


def _upscale(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    return reader.add("upsample", wanted, inputs, call, scale=_get(reader, args, "scale_factor", 2))


def _pad_layer(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    if _get(reader, args, "val", 0) != 0:
        raise reader.error("PadLayer is read with val=0 (zero padding)", call)
    return reader.add("zeropad", wanted, inputs, call, pad=_get(reader, args, "width", None))


def _lrn(c: Ctx) -> str:
    reader, call, args, inputs, wanted = c.reader, c.call, c.args, c.inputs, c.wanted
    return reader.add("lrn", wanted, inputs, call, size=_get(reader, args, "n", 5))


def _prelu(c: Ctx) -> str:
    reader, call, inputs, wanted = c.reader, c.call, c.inputs, c.wanted
    return reader.add("prelu", wanted, inputs, call, channelwise=True)


HANDLERS: dict[str, Handler] = {
    **{name: _conv for name, signature in SIGNATURES.items() if signature[:1] == ("num_filters",)},
    "TransposedConv2DLayer": _deconv,
    "Deconv2DLayer": _deconv,
    "DenseLayer": _dense,
    "NINLayer": _nin,
    **{name: _pool for name in SIGNATURES if "Pool" in name and name != "GlobalPoolLayer"},
    "GlobalPoolLayer": _global_pool,
    "DropoutLayer": _dropout,
    "BatchNormLayer": _batchnorm,
    "NonlinearityLayer": _nonlinearity,
    "FlattenLayer": _flatten,
    "ElemwiseSumLayer": _sum,
    "ConcatLayer": _concat,
    "PadLayer": _pad_layer,
    "Upscale2DLayer": _upscale,
    "LocalResponseNormalization2DLayer": _lrn,
    "ParametricRectifierLayer": _prelu,
}


def read_lasagne(
    source: Source, input_shape: tuple[int, ...] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Network:
    """The network a nolearn or Lasagne file defines, read without running it."""
    try:
        tree = ast.parse(source.text, filename=source.name)
    except SyntaxError as error:
        line, column = error.lineno or 1, error.offset or 1
        lines = source.text.splitlines(keepends=True)
        offset = sum(len(text) for text in lines[: line - 1]) + column - 1
        raise SpecError(
            f"the file is not valid Python: {error.msg}",
            source=source,
            span=Span(offset, offset + 1),
        ) from None
    except (ValueError, RecursionError, MemoryError) as error:
        # a NUL byte (ValueError) or nesting too deep for the parser: point at the NUL, or
        # at the start when there is none
        at = max(source.text.find("\0"), 0)
        raise SpecError(
            f"the file cannot be read as Python: {error}", source=source, span=Span(at, at + 1)
        ) from None
    return Reader(source, input_shape, limits).read(tree)
