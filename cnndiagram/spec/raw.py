"""Spec stage: the syntax tree every reader produces before the one shared validator runs.

The DSL parser and the YAML/TOML/JSON readers all emit `RawSpec`, so checking of
kinds, arguments, types and ranges happens in exactly one place (`validate.py`).
"""

from __future__ import annotations

from typing import Literal, NamedTuple, Union

from cnndiagram.source import Span

RawKind = Literal["int", "float", "bool", "word", "string", "seq", "null"]
RawPayload = Union[int, float, bool, str, None, tuple["RawValue", ...]]


class RawValue(NamedTuple):
    """A value as written, with its span; `seq` holds per-axis values (`5x5`, `[1, 2]`)."""

    kind: RawKind
    value: RawPayload
    span: Span

    def describe(self) -> str:
        """How the value reads in an error message."""
        if self.kind == "seq":
            assert isinstance(self.value, tuple)
            return "[" + ", ".join(item.describe() for item in self.value) + "]"
        if self.kind == "string":
            return repr(self.value)
        if self.kind == "bool":
            return "true" if self.value else "false"
        if self.kind == "null":
            return "null"
        return str(self.value)


class RawArg(NamedTuple):
    """`key=value`, or a positional value when `key` is None."""

    key: str | None
    key_span: Span | None
    value: RawValue


class RawStatement(NamedTuple):
    """`[name:] kind[(args)]` as written."""

    kind: str
    kind_span: Span
    name: str | None
    name_span: Span | None
    args: tuple[RawArg, ...]
    span: Span


class RawRef(NamedTuple):
    """`@name`: the following statement reads `name` instead of the previous layer."""

    name: str
    span: Span


class RawBlock(NamedTuple):
    """`[name:] residual|parallel|repeat[(args)] { ... }`; `bodies` holds one body, or one per
    parallel branch; `shortcut` is a residual's projection body (None: identity)."""

    kind: str
    kind_span: Span
    name: str | None
    name_span: Span | None
    args: tuple[RawArg, ...]
    bodies: tuple[tuple[RawItem, ...], ...]
    shortcut: tuple[RawItem, ...] | None
    span: Span


RawItem = Union[RawStatement, RawRef, RawBlock]


class RawParam(NamedTuple):
    """A parameter of a user-defined block: `c`, or `stride=1` with its default."""

    name: str
    span: Span
    default: RawValue | None


class RawDef(NamedTuple):
    """`def name(params) { body }`: a block defined once and called by name, as a layer is.
    `text` is the definition as written, which `fmt` writes back."""

    name: str
    name_span: Span
    params: tuple[RawParam, ...]
    body: tuple[RawItem, ...]
    span: Span
    text: str


class RawSpec(NamedTuple):
    title: str | None
    statements: tuple[RawItem, ...]
    title_span: Span | None = None
    defs: tuple[RawDef, ...] = ()
