"""Spec stage: one layer from Python values, checked by the same validator as spec text.

Importers (a torch module, an ONNX node) hold values, not text. `build_layer` puts them
through the spec's own checks, so a layer they make is exactly the layer the equivalent
statement makes: aliases accepted, values normalised, defaults filled in, and the same
`SpecError` messages, located by the caller's string ("model.onnx: node Conv_3")
instead of a line and column. Names are checked here one layer at a time; whether they
are unique and read layers defined earlier is a question for the whole network.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

from cnndiagram.catalog import MERGES, Category
from cnndiagram.errors import SpecError
from cnndiagram.ir import Layer
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.source import Source, Span
from cnndiagram.spec.dsl import parse_value_text
from cnndiagram.spec.raw import RawArg, RawStatement, RawValue
from cnndiagram.spec.validate import Validator

#: Values from Python have no place in a text; the validator still wants a span.
_NOWHERE = Span(0, 0)


class _Located(Validator):
    """The spec validator, its errors located by a caller's string: no line, column or caret."""

    def __init__(self, location: str | None, limits: Limits) -> None:
        super().__init__(Source("", location or ""), limits)
        # An error's `source` with no text prints as its name alone (`CnnDiagramError.format`).
        self.where = Source("", location) if location else None

    def error(
        self,
        message: str,
        span: Span | None,
        hint: str | None = None,
        cls: type[SpecError] = SpecError,
    ) -> SpecError:
        return cls(message, source=self.where, span=None, hint=hint)

    def first_given(self, span: Span) -> str:
        return ""  # no column to point at: Python gave both spellings as keywords

    def value(self, value: object, key: str, kind: str) -> RawValue:
        """A Python value as the readers would have produced it from text; strings are read
        with the DSL's value syntax, as in YAML, so "3x3", "same" and "relu" mean what they
        mean in a spec."""
        if isinstance(value, bool):
            return RawValue("bool", value, _NOWHERE)
        if isinstance(value, numbers.Integral):  # numpy and torch integers too
            return RawValue("int", int(value), _NOWHERE)
        if isinstance(value, numbers.Real):
            return RawValue("float", float(value), _NOWHERE)
        if value is None:
            return RawValue("null", None, _NOWHERE)
        if isinstance(value, str):
            try:
                return parse_value_text(value, self.source, _NOWHERE)
            except SpecError as error:
                raise self.error(error.message, None) from None
        if isinstance(value, (tuple, list)):
            return RawValue("seq", tuple(self.value(item, key, kind) for item in value), _NOWHERE)
        raise self.error(
            f"argument '{key}' of {kind} must be a number, a bool, a word, None or a sequence "
            f"of those; got a value of type {type(value).__name__}",
            None,
        )


def build_layer(
    kind: str,
    name: str,
    inputs: str | Iterable[str],
    *,
    location: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    **args: object,
) -> Layer:
    """The layer `name: kind(**args)` reading `inputs` (one name, or several for a merge),
    validated like spec text; raises `SpecError` located at `location`.

    Arguments go by name or alias (`out_channels=32, kernel_size=3`), kinds by any spelling
    the spec accepts (`Conv2d`); the value types are those a spec can write: numbers,
    bools, words, None and (nested) sequences for per-axis values.

    >>> build_layer("Conv2d", "conv1", "input", out_channels=8, kernel_size=(3, 3)).args[:3]
    (('filters', 8), ('kernel', (3, 3)), ('stride', 1))
    """
    check = _Located(location, limits)
    raw_args = tuple(RawArg(key, _NOWHERE, check.value(v, key, kind)) for key, v in args.items())
    statement = RawStatement(kind, _NOWHERE, name, None, raw_args, _NOWHERE)
    found = check.kind(statement)
    if found.category is Category.INPUT:
        raise check.error(
            "input is not a layer: a network's input is its Input (shape and name)", None
        )
    reads = (inputs,) if isinstance(inputs, str) else tuple(inputs)
    if not all(isinstance(read, str) and read for read in reads):
        raise check.error("'inputs' must be layer names", None)
    if found.name in MERGES:
        if len(reads) < 2:
            raise check.error(
                f"{found.name} needs the names of at least two layers, e.g. {found.name}(a, b)",
                None,
            )
    elif not reads:
        raise check.error("'inputs' is empty", None)
    elif len(reads) != 1:
        raise check.error(f"'{kind}' reads one layer; 'inputs' names {len(reads)}", None)
    values = check.args(statement, found)
    if not name.strip():
        raise check.error("a layer name cannot be empty", None)
    return Layer(name, found.name, values, inputs=reads)
