"""Loading: any network source (spec text or file, or a model definition another tool
wrote) to a `Network`, chosen by the file's extension or an explicit format.

This is the one place that knows every reader, above the spec readers and the importers,
so neither has to know the other.
"""

from __future__ import annotations

import os
from typing import Literal

from cnndiagram.ir import Network
from cnndiagram.limits import DEFAULT_LIMITS, Limits

SourceFormat = Literal["dsl", "yaml", "toml", "json", "lasagne", "keras", "onnx"]
SOURCE_FORMATS: tuple[SourceFormat, ...] = (
    "dsl",
    "yaml",
    "toml",
    "json",
    "lasagne",
    "keras",
    "onnx",
)
#: Extensions of model definitions (spec extensions are the spec readers' own). A `.json`
#: file is a Keras model when its content says so (`model.to_json()`).
MODEL_EXTENSIONS: dict[str, SourceFormat] = {".py": "lasagne", ".keras": "keras", ".onnx": "onnx"}


def load_network(
    spec: str | os.PathLike[str],
    *,
    expr: bool = False,
    fmt: SourceFormat | None = None,
    limits: Limits = DEFAULT_LIMITS,
    input_shape: tuple[int, ...] | None = None,
) -> Network:
    """A network from a path (`-` for stdin) or, with `expr`, from the text itself.
    `input_shape` (channels first, no batch) is for model files that compute theirs."""
    from cnndiagram.spec.load import load_spec, read_source

    path = os.fspath(spec)
    if fmt is None and not expr:
        fmt = MODEL_EXTENSIONS.get(os.path.splitext(path)[1].lower())
    if fmt == "onnx":
        from cnndiagram.importers.onnx import read_onnx

        if expr or path == "-":
            from cnndiagram.errors import SpecError

            raise SpecError("an ONNX model is read from a file, not from -e or stdin")
        return read_onnx(path, input_shape, limits)
    if fmt == "keras" and not expr and path.lower().endswith(".keras"):
        from cnndiagram.importers.keras import read_keras_archive

        _no_input(input_shape)
        return read_keras_archive(path, limits)
    if fmt in (None, "json", "keras") and not expr and path.lower().endswith(".json"):
        from cnndiagram.importers.keras import is_keras_config, read_keras

        source = read_source(path, limits)
        if fmt == "keras" or (fmt is None and is_keras_config(source.text)):
            _no_input(input_shape)
            return read_keras(source, limits)
    if fmt == "keras":
        from cnndiagram.importers.keras import read_keras
        from cnndiagram.source import Source

        _no_input(input_shape)
        return read_keras(Source(path, "<expr>") if expr else read_source(path, limits), limits)
    if fmt == "lasagne":
        from cnndiagram.importers.lasagne import read_lasagne
        from cnndiagram.source import Source

        source = Source(path, "<expr>") if expr else read_source(path, limits)
        return read_lasagne(source, input_shape, limits)
    network = load_spec(spec, expr=expr, fmt=fmt, limits=limits)
    if input_shape is not None and input_shape != network.input.shape:
        from cnndiagram.errors import SpecError

        raise SpecError(
            f"--input {'x'.join(map(str, input_shape))} is for model files that compute their "
            "input shape; this spec gives its own",
            source=network.source,
            span=network.input.span,
        )
    return network


def _no_input(input_shape: tuple[int, ...] | None) -> None:
    if input_shape is not None:
        from cnndiagram.errors import SpecError

        raise SpecError(
            "--input is for model files that compute their input shape; a Keras model gives its own"
        )
