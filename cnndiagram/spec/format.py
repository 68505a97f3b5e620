"""Spec stage: a network back to canonical `.cnn` text, for round trips and `cnndiagram fmt`.

Canonical form: one statement per line, every layer named, positional arguments for the
required ones, keyword arguments only where they differ from the defaults.
"""

from __future__ import annotations

import re

from cnndiagram.catalog import KINDS, MERGES
from cnndiagram.ir import ArgValue, Layer, Network, display_shape

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_RESERVED = {"title", "true", "false", "null"}


def quote(text: str) -> str:
    """A DSL string literal for arbitrary text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\t", "\\t") + '"'


def _name(name: str) -> str:
    return name if _IDENT.match(name) and name.lower() not in _RESERVED else quote(name)


def format_value(value: ArgValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if len(value) == 1 and isinstance(value[0], int):
        return f"[{value[0]}]"
    parts = [
        f"[{format_value(item[0])}, {format_value(item[1])}]"
        if isinstance(item, tuple)
        else format_value(item)
        for item in value
    ]
    return "x".join(parts)


def format_layer(layer: Layer) -> str:
    kind = KINDS[layer.kind]
    parts = [_name(name) for name in layer.inputs] if layer.kind in MERGES else []
    for arg in kind.args:
        value = layer.arg(arg.name)
        if arg.required:
            parts.append(format_value(value))
        elif value != arg.default or type(value) is not type(arg.default):
            parts.append(f"{arg.name}={format_value(value)}")
    args = f"({', '.join(parts)})" if parts else ""
    return f"{_name(layer.name)}: {layer.kind}{args}"


def format_network(network: Network) -> str:
    lines = []
    if network.title is not None:
        lines.append(f"title {quote(network.title)}")
    shape = display_shape(network.input.shape, network.channels_last)
    dims = "x".join(map(str, shape)) if len(shape) > 1 else f"{shape[0]}"
    flag = ", channels_last" if network.channels_last else ""
    lines.append(f"{_name(network.input.name)}: input({dims}{flag})")
    previous = network.input.name
    for layer in network.layers:
        if layer.kind not in MERGES and layer.inputs and layer.inputs[0] != previous:
            lines.append(f"@{_name(layer.inputs[0])}")
        lines.append(format_layer(layer))
        previous = layer.name
    return "\n".join(lines) + "\n"
