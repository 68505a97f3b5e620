"""Spec stage: from a path, stdin or an inline expression to a validated `Network`."""

from __future__ import annotations

import os
import re
import sys
from typing import Literal

from cnndiagram.errors import LimitError, SpecError
from cnndiagram.ir import Network
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.source import Source, Span

_SURROGATE = re.compile("[\ud800-\udfff]")
SpecFormat = Literal["dsl", "yaml", "toml", "json"]
_EXTENSIONS: dict[str, SpecFormat] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
}


def format_for(name: str, text: str) -> SpecFormat:
    """By extension; text without one (stdin, `-e`) is JSON when it opens with `{`, else DSL."""
    extension = os.path.splitext(name)[1].lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    if extension == "" and text.lstrip().startswith("{"):
        return "json"
    return "dsl"


def parse_source(
    source: Source, fmt: SpecFormat | None = None, limits: Limits = DEFAULT_LIMITS
) -> Network:
    """Reads spec text in any supported format into a checked network."""
    from cnndiagram.spec.validate import validate

    fmt = fmt or format_for(source.name, source.text)
    if fmt == "dsl":
        from cnndiagram.spec.dsl import parse_dsl

        raw = parse_dsl(source)
    else:
        from cnndiagram.spec.mapping import read_mapping
        from cnndiagram.spec.tree import parse_json, parse_toml, parse_yaml

        parser = {"yaml": parse_yaml, "toml": parse_toml, "json": parse_json}[fmt]
        raw = read_mapping(parser(source, limits), source)
    return validate(raw, source, limits)


def read_source(path: str, limits: Limits = DEFAULT_LIMITS) -> Source:
    """The text at `path` (`-` for stdin), refusing oversized or non-UTF-8 input."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            if sys.stdin is None:  # started with descriptor 0 closed
                raise SpecError("cannot read <stdin>: it is closed")
            data = sys.stdin.buffer.read(limits.max_file_size + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(limits.max_file_size + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise SpecError(f"cannot read {name}: {reason}") from None
    if len(data) > limits.max_file_size:
        raise LimitError(
            f"{name} is larger than the limit of {limits.max_file_size:,} bytes",
            hint="raise the limit with --max-file-size",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = data[: error.start].decode("utf-8", "replace")
        source = Source(prefix, name)
        raise SpecError(
            "the file is not valid UTF-8 text",
            source=source,
            span=Span(len(prefix), len(prefix) + 1),
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise SpecError(
            "the file contains NUL bytes; is it a binary file?",
            source=Source(text, name),
            span=Span(nul, nul + 1),
        )
    return Source(text, name)


def load_spec(
    spec: str | os.PathLike[str],
    *,
    expr: bool = False,
    fmt: SpecFormat | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Network:
    """A network from a file path (`-` for stdin) or, with `expr=True`, from spec text itself."""
    if expr:
        text = str(spec)
        source = Source(text, "<expr>")
        # Bytes of the command line that are not UTF-8 reach Python as lone surrogates
        # (PEP 383); no reader could name them and no output could encode them.
        bad = _SURROGATE.search(text)
        if bad:
            raise SpecError(
                "the expression is not valid UTF-8 text",
                source=source,
                span=Span(bad.start(), bad.end()),
            )
        if len(text.encode("utf-8")) > limits.max_file_size:
            raise LimitError(
                f"the expression is larger than the limit of {limits.max_file_size:,} bytes",
                hint="raise the limit with --max-file-size",
            )
        return parse_source(source, fmt, limits)
    return parse_source(read_source(os.fspath(spec), limits), fmt, limits)
