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

SourceFormat = Literal["dsl", "yaml", "toml", "json", "lasagne"]
SOURCE_FORMATS: tuple[SourceFormat, ...] = ("dsl", "yaml", "toml", "json", "lasagne")
#: Extensions of model definitions (spec extensions are the spec readers' own).
MODEL_EXTENSIONS: dict[str, SourceFormat] = {".py": "lasagne"}


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
