"""Importer: Keras 3 models from their saved configuration, without Keras installed.

A `.keras` archive is a zip holding `config.json`; `model.to_json()` writes the same
configuration as text. Sequential and Functional models are read (inbound nodes give the
graph; `Add`, `Multiply` and `Concatenate` are merges), nested models are flattened into
their layers, and Keras' own rules are kept where they differ from PyTorch's: `padding=
"same"`, `channels_last` (sizes are shown HWC, as Keras shows them), frozen layers
(`trainable: false`) as non-trainable; a nested model is a block of its layers. Only the
configuration is read; weights are not.
What the engine cannot express exactly (a `Dense` on a rank-3 input, a normalisation over
an axis other than the channels) is refused with the layer's name, never guessed.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from typing import Any

from cnndiagram.errors import SpecError
from cnndiagram.importers.modules import nest
from cnndiagram.ir import Input, Layer, Network
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.source import Source
from cnndiagram.spec.build import build_layer

ACTIVATIONS = {
    "relu": "relu",
    "relu6": "relu6",
    "elu": "elu",
    "selu": "selu",
    "gelu": "gelu",
    "silu": "silu",
    "swish": "silu",
    "sigmoid": "sigmoid",
    "hard_sigmoid": "hardsigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
    "softplus": "softplus",
    "hard_swish": "hardswish",
    "hard_silu": "hardswish",
    "linear": "linear",
    None: "linear",
}


def is_keras_config(text: str) -> bool:
    """Keras' JSON (`model.to_json()`), told apart from cnndiagram's own JSON by content."""
    head = text.lstrip()[:4096]
    return head.startswith("{") and '"class_name"' in head and '"config"' in head


def read_keras_archive(path: str, limits: Limits = DEFAULT_LIMITS) -> Network:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > limits.max_file_size:
                raise SpecError(
                    f"{path}: config.json is larger than {limits.max_file_size:,} bytes",
                    hint="raise the limit with --max-file-size",
                )
            text = archive.read(info).decode("utf-8")
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: not a Keras archive with a config.json ({error})") from None
    return read_keras(Source(text, path), limits)


def read_keras(source: Source, limits: Limits = DEFAULT_LIMITS) -> Network:
    try:
        config = json.loads(source.text)
    except (ValueError, RecursionError) as error:
        raise SpecError(f"{source.name}: not valid JSON ({error})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise SpecError(f"{source.name}: not a Keras model configuration")
    reader = _Reader(source, limits)
    reader.model(config, prefix="")
    if reader.input is None or not reader.layers:
        raise SpecError(f"{source.name}: the model has no input or no layers")
    network = Network(
        reader.input,
        nest(reader.layers, reader.containers),
        config.get("config", {}).get("name"),
        channels_last=reader.channels_last,
        source=source,
    )
    _check_dense(network, limits)
    return network


def _check_dense(network: Network, limits: Limits) -> None:
    """Keras applies `Dense` to the last axis of a feature map; the engine's `dense` flattens
    it. Such a model is refused, naming the layer, rather than counted as something else."""
    from cnndiagram.engine.analysis import analyze

    for result in analyze(network, limits).layers:
        if result.kind == "dense" and result.input_shape and len(result.input_shape) > 1:
            raise SpecError(
                f"{network.source.name if network.source else 'model'}: layer "
                f"'{result.name}': Dense on a feature map acts on its last axis in Keras, "
                "which the engine does not model",
                hint="a Flatten or a global pooling before it is what CNNs usually have",
            )


Handler = Callable[["_Reader", str, dict[str, Any], tuple[str, ...]], str]


class _Reader:
    def __init__(self, source: Source, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.input: Input | None = None
        self.layers: list[Layer] = []
        self.containers: list[list[str]] = []  # per layer: the nested models holding it
        self.nesting: list[str] = []
        self.channels_last = True
        self.outputs: dict[str, str] = {}  # Keras layer name -> our last layer of it

    def fail(self, name: str, message: str) -> SpecError:
        return SpecError(f"{self.source.name}: layer '{name}': {message}")

    # -- models ---------------------------------------------------------------------------

    def model(self, config: dict[str, Any], prefix: str) -> str:
        kind = config.get("class_name")
        body = config.get("config", {})
        layers = body.get("layers")
        if not isinstance(layers, list):
            raise SpecError(f"{self.source.name}: model '{body.get('name')}' lists no layers")
        if kind == "Sequential":
            previous: str | None = None
            for layer in layers:
                previous = self.layer(layer, prefix, (previous,) if previous else ())
            if previous is None:
                raise SpecError(f"{self.source.name}: an empty Sequential model")
            return previous
        last = None
        for layer in layers:
            last = self.layer(layer, prefix, self.inbound(layer, prefix))
        outputs = body.get("output_layers") or []
        if outputs and isinstance(outputs[0], list):
            return self.outputs[prefix + outputs[0][0]]
        assert last is not None
        return last

    def inbound(self, layer: dict[str, Any], prefix: str) -> tuple[str, ...]:
        nodes = layer.get("inbound_nodes") or []
        if not nodes:
            return ()
        if len(nodes) > 1:
            raise self.fail(layer.get("name", "?"), "a layer used more than once (shared weights)")
        found: list[str] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                if value.get("class_name") == "__keras_tensor__":
                    history = value["config"]["keras_history"]
                    found.append(self.outputs[prefix + history[0]])
                    return
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(nodes[0].get("args", []))
        return tuple(found)

    # -- layers ---------------------------------------------------------------------------

    def layer(self, layer: dict[str, Any], prefix: str, inputs: tuple[str, ...]) -> str:
        cls = layer.get("class_name")
        config = layer.get("config", {})
        name = prefix + str(config.get("name") or layer.get("name") or cls)
        if cls in ("Sequential", "Functional", "Model"):
            inner_prefix = name + "."
            if cls == "Sequential" and inputs:
                # a nested Sequential reads what its caller gives it
                self.outputs[inner_prefix + "__input__"] = inputs[0]
            self.nesting.append(name)
            last = self.nested(layer, inner_prefix, inputs)
            self.nesting.pop()
            self.outputs[name] = last
            return last
        if cls == "InputLayer":
            return self.input_layer(name, config)
        handler = HANDLERS.get(str(cls))
        if handler is None:
            raise self.fail(name, f"{cls} is not a Keras layer the reader knows")
        if not inputs:
            raise self.fail(name, "it reads no earlier layer")
        data_format = config.get("data_format")
        if data_format == "channels_first":
            raise self.fail(name, "data_format='channels_first' is not supported yet")
        try:
            out = handler(self, name, config, inputs)
        except SpecError as error:
            if error.message.startswith(f"{self.source.name}: layer "):
                raise
            raise self.fail(name, error.message) from None
        if config.get("trainable") is False and self.layers and self.layers[-1].name == out:
            self.freeze(name)
        self.outputs[name] = out
        return out

    def nested(self, layer: dict[str, Any], prefix: str, inputs: tuple[str, ...]) -> str:
        body = layer.get("config", {})
        layers = body.get("layers") or []
        if layer.get("class_name") == "Sequential":
            previous = inputs[0] if inputs else None
            for item in layers:
                if item.get("class_name") == "InputLayer":
                    continue
                previous = self.layer(item, prefix, (previous,) if previous else ())
            assert previous is not None
            return previous
        # a nested Functional model: its input layers stand for what the caller gives it
        given = list(inputs)
        for item in layers:
            if item.get("class_name") == "InputLayer" and given:
                self.outputs[prefix + item["config"]["name"]] = given.pop(0)
                continue
            self.layer(item, prefix, self.inbound(item, prefix))
        outputs = body.get("output_layers") or []
        return self.outputs[prefix + outputs[0][0]]

    def input_layer(self, name: str, config: dict[str, Any]) -> str:
        shape = config.get("batch_shape") or config.get("batch_input_shape")
        if not isinstance(shape, list) or len(shape) < 2:
            raise self.fail(name, "the input has no batch_shape")
        dims = shape[1:]
        if any(not isinstance(d, int) or d < 1 for d in dims):
            raise self.fail(name, f"the input shape {dims} has unknown sizes")
        if self.input is not None:
            raise self.fail(name, "a second input: the reader follows one-input models")
        stored = (dims[-1], *dims[:-1]) if len(dims) > 1 else tuple(dims)
        self.input = Input(tuple(stored), name)
        self.outputs[name] = name
        return name

    def add(self, kind: str, name: str, inputs: tuple[str, ...], **args: Any) -> str:
        try:
            layer = build_layer(kind, name, inputs, limits=self.limits, **args)
        except SpecError as error:
            raise self.fail(name, error.message) from None
        if len(self.layers) >= self.limits.max_layers:
            raise SpecError(
                f"{self.source.name}: more than {self.limits.max_layers:,} layers",
                hint="raise the limit with --max-layers",
            )
        self.layers.append(layer)
        self.containers.append(list(self.nesting))
        return name

    def freeze(self, name: str) -> None:
        last = self.layers[-1]
        if any(key == "trainable" for key, _ in last.args):
            args = tuple((k, False if k == "trainable" else v) for k, v in last.args)
            self.layers[-1] = Layer(last.name, last.kind, args, last.span, last.inputs)

    def activated(
        self, kind: str, name: str, config: dict[str, Any], inputs: tuple[str, ...], **args: Any
    ) -> str:
        act = config.get("activation")
        if act not in ACTIVATIONS:
            raise self.fail(name, f"activation {act!r} is not one the reader knows")
        return self.add(kind, name, inputs, act=ACTIVATIONS[act], **args)


def _axes(value: Any) -> Any:
    """Keras writes per-axis lists (`[3, 3]`); equal ones read as one number, as a spec
    writes them, so labels show only what differs from the defaults."""
    if isinstance(value, list) and value and all(v == value[0] for v in value):
        return value[0]
    return tuple(value) if isinstance(value, list) else value


def _pad(config: dict[str, Any]) -> str:
    padding = config.get("padding", "valid")
    if padding not in ("valid", "same"):
        raise SpecError(f"padding {padding!r} is not supported")
    return str(padding)


def _conv(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    return r.activated(
        "conv",
        name,
        c,
        inputs,
        filters=c["filters"],
        kernel=_axes(c["kernel_size"]),
        stride=_axes(c.get("strides", 1)),
        pad=_pad(c),
        dilation=_axes(c.get("dilation_rate", 1)),
        groups=c.get("groups", 1),
        bias=c.get("use_bias", True),
    )


def _deconv(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    return r.activated(
        "deconv",
        name,
        c,
        inputs,
        filters=c["filters"],
        kernel=_axes(c["kernel_size"]),
        stride=_axes(c.get("strides", 1)),
        pad=_pad(c),
        dilation=_axes(c.get("dilation_rate", 1)),
        bias=c.get("use_bias", True),
    )


def _sepconv(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    return r.activated(
        "sepconv",
        name,
        c,
        inputs,
        filters=c["filters"],
        kernel=_axes(c["kernel_size"]),
        stride=_axes(c.get("strides", 1)),
        pad=_pad(c),
        dilation=_axes(c.get("dilation_rate", 1)),
        depth_multiplier=c.get("depth_multiplier", 1),
        bias=c.get("use_bias", True),
    )


def _dwconv(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    return r.activated(
        "dwconv",
        name,
        c,
        inputs,
        kernel=_axes(c["kernel_size"]),
        stride=_axes(c.get("strides", 1)),
        pad=_pad(c),
        dilation=_axes(c.get("dilation_rate", 1)),
        depth_multiplier=c.get("depth_multiplier", 1),
        bias=c.get("use_bias", True),
    )


def _dense(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    return r.activated("dense", name, c, inputs, units=c["units"], bias=c.get("use_bias", True))


def _pool(kind: str) -> Handler:
    def handler(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
        return r.add(
            kind,
            name,
            inputs,
            size=_axes(c["pool_size"]),
            stride=_axes(c.get("strides")),
            pad=_pad(c),
        )

    return handler


def _global(kind: str) -> Handler:
    def handler(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
        return r.add(kind, name, inputs, keepdims=bool(c.get("keepdims", False)))

    return handler


def _simple(kind: str, **fixed: Any) -> Handler:
    def handler(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
        return r.add(kind, name, inputs, **fixed)

    return handler


def _dropout(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    return r.add("dropout", name, inputs, rate=c.get("rate", 0.5))


def _channel_axis(c: dict[str, Any]) -> bool:
    """Whether a layer's `axis` is the channels (last; 3 is the channels of an image)."""
    return c.get("axis", -1) in (-1, [-1], 3, [3])


def _batchnorm(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    # center is Keras' shift (beta), scale its gamma; either may be off on its own
    center, scale = bool(c.get("center", True)), bool(c.get("scale", True))
    if not _channel_axis(c):
        raise r.fail(name, "BatchNormalization over an axis other than the channels")
    if not (center or scale):
        return r.add("batchnorm", name, inputs, affine=False)
    return r.add("batchnorm", name, inputs, scale=scale, bias=center)


def _normalization(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    if not _channel_axis(c):
        raise r.fail(name, "Normalization over an axis other than the channels")
    # A mean and a variance written in the configuration are constants, not weights.
    return r.add("standardize", name, inputs, adapted=c.get("mean") is None)


def _activation(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    act = c.get("activation")
    if act not in ACTIVATIONS:
        raise r.fail(name, f"activation {act!r} is not one the reader knows")
    return r.add(ACTIVATIONS[act], name, inputs)


def _leaky(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    return r.add("leakyrelu", name, inputs, slope=c.get("negative_slope", c.get("alpha", 0.3)))


def _relu(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    if c.get("max_value") == 6.0 and not c.get("negative_slope"):
        return r.add("relu6", name, inputs)
    if c.get("max_value") is not None or c.get("negative_slope") or c.get("threshold"):
        raise r.fail(name, "ReLU with max_value, negative_slope or threshold is not supported")
    return r.add("relu", name, inputs)


def _concat(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    if c.get("axis", -1) not in (-1, 3):
        raise r.fail(name, "Concatenate along an axis other than the channels")
    return r.add("concat", name, inputs)


def _flatten(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    return r.add("flatten", name, inputs)


def _reshape(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    # Keras' target shape has no batch dimension and is channels last, as the engine's
    # reshape reads it in a channels-last network (a squeeze-excite gate's 1x1xC).
    return r.add("reshape", name, inputs, shape=tuple(c["target_shape"]))


def _zeropad(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    padding = c.get("padding", 1)
    if isinstance(padding, list) and all(isinstance(p, list) for p in padding):
        padding = tuple(tuple(p) for p in padding)
    elif isinstance(padding, list):
        padding = tuple(padding)
    return r.add("zeropad", name, inputs, pad=padding)


def _upsample(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    size = c.get("size", 2)
    return r.add("upsample", name, inputs, scale=tuple(size) if isinstance(size, list) else size)


def _rescale(r: _Reader, name: str, c: dict[str, Any], inputs: tuple[str, ...]) -> str:
    # Rescaling learns nothing and keeps the shape: the layers after it read its input
    return inputs[0]


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(("Conv1D", "Conv2D", "Conv3D"), _conv),
    **dict.fromkeys(("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"), _deconv),
    **dict.fromkeys(("SeparableConv1D", "SeparableConv2D"), _sepconv),
    **dict.fromkeys(("DepthwiseConv1D", "DepthwiseConv2D"), _dwconv),
    "Dense": _dense,
    **dict.fromkeys(("MaxPooling1D", "MaxPooling2D", "MaxPooling3D"), _pool("maxpool")),
    **dict.fromkeys(("AveragePooling1D", "AveragePooling2D", "AveragePooling3D"), _pool("avgpool")),
    **dict.fromkeys(
        ("GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"),
        _global("globalavgpool"),
    ),
    **dict.fromkeys(
        ("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D"),
        _global("globalmaxpool"),
    ),
    "Flatten": _flatten,
    **dict.fromkeys(
        ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"), _dropout
    ),
    "BatchNormalization": _batchnorm,
    "Activation": _activation,
    "ReLU": _relu,
    "LeakyReLU": _leaky,
    "Softmax": _simple("softmax"),
    "ELU": _simple("elu"),
    "Add": _simple("add"),
    "Multiply": _simple("multiply"),
    "Concatenate": _concat,
    **dict.fromkeys(("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"), _zeropad),
    **dict.fromkeys(("UpSampling1D", "UpSampling2D", "UpSampling3D"), _upsample),
    "Rescaling": _rescale,
    "Normalization": _normalization,
    "Reshape": _reshape,
}
