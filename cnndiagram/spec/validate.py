"""Spec stage: the one validator that turns any reader's `RawSpec` into a checked `Network`.

Kinds, argument names, types, ranges and names are checked here and nowhere else, so
the DSL and the YAML/TOML/JSON forms accept exactly the same networks and report the
same errors.
"""

from __future__ import annotations

import math

from cnndiagram.catalog import (
    ACTIVATIONS,
    KINDS,
    Arg,
    ArgType,
    Block,
    Kind,
    kind_words,
    lookup_kind,
)
from cnndiagram.errors import LimitError, SpecError
from cnndiagram.ir import ArgValue, Network
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.source import Source, Span
from cnndiagram.spec.raw import RawArg, RawSpec, RawStatement, RawValue

_MAX_AXES = 3
_MAX_SHAPE_RANK = 4
#: The largest parameter count an `opaque` layer may state: a thousand times the largest
#: models trained today.
MAX_COUNT = 10**15
_ORDINALS = ("first", "second", "third", "fourth", "fifth")


def suggest(word: str, candidates: list[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or an empty string."""
    import difflib  # only on the error path

    folded = {candidate.lower(): candidate for candidate in candidates}
    match = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean '{folded[match[0]]}'?)" if match else ""


class Validator:
    def __init__(self, source: Source, limits: Limits) -> None:
        self.source = source
        self.limits = limits

    def error(
        self,
        message: str,
        span: Span | None,
        hint: str | None = None,
        cls: type[SpecError] = SpecError,
    ) -> SpecError:
        """Every fault found here is raised through this method (`spec/build.py` relocates them)."""
        return cls(message, source=self.source, span=span, hint=hint)

    def first_given(self, span: Span) -> str:
        """Where an argument given twice was first given, for the message."""
        return f" (first at column {self.source.line_col(span.start)[1]})"

    # -- the network ---------------------------------------------------------------------------

    def kind(self, statement: RawStatement) -> Kind:
        kind = lookup_kind(statement.kind)
        if kind is None:
            raise self.error(
                f"unknown layer kind '{statement.kind}'{suggest(statement.kind, kind_words())}",
                statement.kind_span,
                hint="`cnndiagram kinds` lists every layer kind",
            )
        return kind

    # -- arguments -----------------------------------------------------------------------------

    def args(self, statement: RawStatement, kind: Kind | Block) -> tuple[tuple[str, ArgValue], ...]:
        given: dict[str, tuple[ArgValue, Span]] = {}
        positional = [arg for arg in kind.args if arg.positional]
        next_positional = 0
        seen_keyword = False
        for raw in statement.args:
            if raw.key is None:
                flag = kind.flag(str(raw.value.value)) if raw.value.kind == "word" else None
                if flag is not None:
                    arg_name, value = flag
                    self.put(given, arg_name, value, raw.value.span, kind)
                    continue
                if raw.value.kind == "word" and isinstance(kind, Kind):
                    elsewhere = self.word_elsewhere(kind, raw)
                    if elsewhere is not None:
                        raise elsewhere
                if seen_keyword:
                    raise self.error(
                        "a positional argument cannot follow a keyword argument", raw.value.span
                    )
                if next_positional >= len(positional):
                    raise self.too_many(kind, raw, positional)
                arg = positional[next_positional]
                next_positional += 1
            else:
                seen_keyword = True
                found = kind.arg(raw.key)
                if found is None:
                    raise self.unknown_arg(kind, raw)
                arg = found
            self.put(given, arg.name, self.convert(arg, raw.value, kind), raw.value.span, kind)
        out: list[tuple[str, ArgValue]] = []
        for arg in kind.args:
            if arg.name in given:
                out.append((arg.name, given[arg.name][0]))
            elif arg.required:
                raise self.error(
                    f"{kind.name} needs its '{arg.name}' argument, e.g. {kind.example}",
                    statement.span,
                )
            else:
                out.append((arg.name, arg.default))
        return tuple(out)

    def put(
        self,
        given: dict[str, tuple[ArgValue, Span]],
        name: str,
        value: ArgValue,
        span: Span,
        kind: Kind | Block,
    ) -> None:
        if name in given:
            raise self.error(
                f"argument '{name}' of {kind.name} is given twice"
                f"{self.first_given(given[name][1])}",
                span,
            )
        given[name] = (value, span)

    def word_elsewhere(self, kind: Kind, raw: RawArg) -> SpecError | None:
        """A bare word that is no flag of `kind` but names something else: a layer kind
        (`conv(16, 3, batchnorm)`: a layer of its own) or a flag of other kinds
        (`dense(10, same)`). None for any other word."""
        word = str(raw.value.value)
        span = raw.value.span
        found = lookup_kind(word)
        if found is not None and found.name != "input":
            what = "an activation" if found.name in ACTIVATIONS else "a layer kind"
            return self.error(
                f"'{word}' is {what}, not a flag of {kind.name}; "
                f"write {kind.name}(...) -> {found.name}",
                span,
            )
        owners = [other.name for other in KINDS.values() if other.flag(word) is not None]
        if owners:
            shown = ", ".join(owners[:4]) + (", ..." if len(owners) > 4 else "")
            return self.error(f"'{word}' is a flag of {shown}, not of {kind.name}", span)
        return None

    def unknown_word(self, kind: Kind | Block, raw: RawArg) -> SpecError:
        """A bare word that sets nothing here: what it is elsewhere, or else the closest word
        among the kinds, this kind's flags and the activations."""
        word = str(raw.value.value)
        span = raw.value.span
        flags = sorted({flag for flag, _, _ in kind.flags})
        takes_act = kind.arg("act") is not None
        if isinstance(kind, Kind):
            elsewhere = self.word_elsewhere(kind, raw)
            if elsewhere is not None:
                return elsewhere
            candidates = [*flags, *kind_words(), *ACTIVATIONS]
        else:
            candidates = flags
        known = flags + (["an activation"] if takes_act else [])
        listed = f"; known words: {', '.join(known)}" if known else ""
        return self.error(
            f"'{word}' is not a flag of {kind.name}{suggest(word, candidates)}{listed}", span
        )

    def too_many(self, kind: Kind | Block, raw: RawArg, positional: list[Arg]) -> SpecError:
        names = ", ".join(arg.name for arg in positional)
        count = len(positional)
        if raw.value.kind == "word":
            return self.unknown_word(kind, raw)
        if count == 0:
            return self.error(f"{kind.name} takes no positional arguments", raw.value.span)
        ordinal = _ORDINALS[count] if count < len(_ORDINALS) else f"#{count + 1}"
        return self.error(
            f"{kind.name} takes {count} positional argument{'s' if count > 1 else ''} "
            f"({names}); a {ordinal} one was given",
            raw.value.span,
        )

    def unknown_arg(self, kind: Kind | Block, raw: RawArg) -> SpecError:
        assert raw.key is not None
        known = [arg.name for arg in kind.args]
        aliases = [alias for arg in kind.args for alias in arg.aliases if len(alias) > 2]
        hint = f"{kind.name} takes: {', '.join(known)}" if known else None
        if not known:
            return self.error(f"{kind.name} takes no arguments", raw.key_span)
        return self.error(
            f"unknown argument '{raw.key}' for {kind.name}{suggest(raw.key, known + aliases)}",
            raw.key_span,
            hint,
        )

    # -- values --------------------------------------------------------------------------------

    def convert(self, arg: Arg, raw: RawValue, kind: Kind | Block) -> ArgValue:
        kind_type = arg.type
        where = f"'{arg.name}' of {kind.name}"
        if raw.kind == "null":
            if kind_type is ArgType.MOMENTUM:
                return None  # PyTorch's momentum=None: a cumulative moving average
            if arg.default is None and not arg.required:
                return None
            raise self.expected(where, arg, raw)
        if kind_type is ArgType.POS_INT:
            return self.integer(raw, 1, where, arg)
        if kind_type is ArgType.NONNEG_INT:
            return self.integer(raw, 0, where, arg)
        if kind_type is ArgType.COUNT:
            return self.count(raw, where, arg)
        if kind_type in (ArgType.AXES, ArgType.AXES0):
            return self.axes(raw, 1 if kind_type is ArgType.AXES else 0, where, arg)
        if kind_type is ArgType.PADDING:
            if raw.kind in ("word", "string"):
                word = str(raw.value).lower()
                if word in ("same", "valid"):
                    return word
                raise self.expected(where, arg, raw)
            return self.axes(raw, 0, where, arg)
        if kind_type is ArgType.PAIRS:
            return self.pairs(raw, where, arg)
        if kind_type in (ArgType.SHAPE, ArgType.RESHAPE):
            return self.shape(raw, where, arg)
        if kind_type is ArgType.SCALE:
            return self.scale(raw, where, arg)
        if kind_type in (ArgType.POSITIVE, ArgType.MOMENTUM):
            number = self.number(raw, where, arg)
            if kind_type is ArgType.POSITIVE and number <= 0.0:
                raise self.error(f"{where} must be positive, got {raw.describe()}", raw.span)
            if kind_type is ArgType.MOMENTUM and not 0.0 <= number <= 1.0:
                raise self.error(f"{where} must be in [0, 1], got {raw.describe()}", raw.span)
            return number
        if kind_type in (ArgType.RATE, ArgType.NUMBER):
            if raw.kind not in ("int", "float"):
                raise self.expected(where, arg, raw)
            assert isinstance(raw.value, (int, float))
            number = float(raw.value)
            if not math.isfinite(number):
                raise self.error(f"{where} must be a finite number, not {raw.value}", raw.span)
            if kind_type is ArgType.RATE and not 0.0 <= number < 1.0:
                raise self.error(f"{where} must be in [0, 1), got {raw.describe()}", raw.span)
            return number
        if kind_type is ArgType.BOOL:
            if raw.kind != "bool":
                raise self.expected(where, arg, raw)
            return bool(raw.value)
        if kind_type is ArgType.CHOICE:
            choice = arg.word(str(raw.value)) if raw.kind in ("word", "string") else None
            if choice is None:
                choices = ", ".join(arg.choices)
                raise self.error(
                    f"{where} must be one of {choices}; got {raw.describe()}"
                    f"{suggest(str(raw.value), list(arg.choices))}",
                    raw.span,
                )
            return choice
        raise AssertionError(kind_type)

    def number(self, raw: RawValue, where: str, arg: Arg) -> float:
        if raw.kind not in ("int", "float"):
            raise self.expected(where, arg, raw)
        assert isinstance(raw.value, (int, float))
        number = float(raw.value)
        if not math.isfinite(number):
            raise self.error(f"{where} must be a finite number, not {raw.value}", raw.span)
        return number

    def scale(self, raw: RawValue, where: str, arg: Arg) -> ArgValue:
        """A scale factor per axis, as PyTorch's `scale_factor`: an integer stays one, a
        whole float becomes one (2.0 is 2, so `fmt` writes it back the same)."""
        items = self.items(raw, where, arg, _MAX_AXES) if raw.kind == "seq" else (raw,)
        out: list[ArgValue] = []
        for item in items:
            if item.kind == "int":
                out.append(self.integer(item, 1, where, arg))
                continue
            number = self.number(item, where, arg)
            if number <= 0.0:
                raise self.error(f"{where} must be positive, got {item.describe()}", item.span)
            if number > self.limits.max_dim:
                raise self.error(
                    f"{where} is {number:g}, over the limit of {self.limits.max_dim:,}",
                    item.span,
                    hint="raise the limit with --max-dim",
                    cls=LimitError,
                )
            out.append(int(number) if number.is_integer() else number)
        return tuple(out) if raw.kind == "seq" else out[0]

    def expected(self, where: str, arg: Arg, raw: RawValue) -> SpecError:
        return self.error(f"{where} must be {arg.type.value}; got {raw.describe()}", raw.span)

    def integer(self, raw: RawValue, minimum: int, where: str, arg: Arg) -> int:
        if raw.kind != "int":
            raise self.expected(where, arg, raw)
        value = raw.value
        assert isinstance(value, int)
        if value < minimum:
            bound = "positive" if minimum == 1 else "non-negative"
            raise self.error(f"{where} must be {bound}; got {value}", raw.span)
        if value > self.limits.max_dim:
            raise self.error(
                f"{where} is {value:,}, over the limit of {self.limits.max_dim:,}",
                raw.span,
                hint="raise the limit with --max-dim",
                cls=LimitError,
            )
        return value

    def count(self, raw: RawValue, where: str, arg: Arg) -> int:
        """A parameter count as a model file states it: larger than any dimension may be,
        but still bounded, so a typo cannot make a total no report can print."""
        if raw.kind != "int":
            raise self.expected(where, arg, raw)
        value = raw.value
        assert isinstance(value, int)
        if not 0 <= value <= MAX_COUNT:
            raise self.error(f"{where} must be from 0 to {MAX_COUNT:,}; got {value}", raw.span)
        return value

    def axes(self, raw: RawValue, minimum: int, where: str, arg: Arg) -> ArgValue:
        if raw.kind != "seq":
            return self.integer(raw, minimum, where, arg)
        items = self.items(raw, where, arg, _MAX_AXES)
        return tuple(self.integer(item, minimum, where, arg) for item in items)

    def items(self, raw: RawValue, where: str, arg: Arg, most: int) -> tuple[RawValue, ...]:
        assert isinstance(raw.value, tuple)
        if not 1 <= len(raw.value) <= most:
            raise self.error(
                f"{where} must have 1 to {most} values, got {len(raw.value)}", raw.span
            )
        return raw.value

    def pairs(self, raw: RawValue, where: str, arg: Arg) -> ArgValue:
        if raw.kind != "seq":
            return self.integer(raw, 0, where, arg)
        out: list[ArgValue] = []
        for item in self.items(raw, where, arg, _MAX_AXES):
            if item.kind == "seq":
                assert isinstance(item.value, tuple)
                if len(item.value) != 2:
                    raise self.error(
                        f"{where}: a [before, after] pair needs 2 values, got {len(item.value)}",
                        item.span,
                    )
                before, after = (self.integer(v, 0, where, arg) for v in item.value)
                out.append((before, after))
            else:
                out.append(self.integer(item, 0, where, arg))
        return tuple(out)

    def shape(self, raw: RawValue, where: str, arg: Arg) -> ArgValue:
        items = self.items(raw, where, arg, _MAX_SHAPE_RANK) if raw.kind == "seq" else (raw,)
        if arg.type is ArgType.SHAPE:
            return tuple(self.integer(item, 1, where, arg) for item in items)
        dims: list[int] = []
        inferred = False
        for item in items:
            if item.kind == "int" and item.value == -1:
                if inferred:
                    raise self.error(f"{where}: only one dimension can be -1", item.span)
                inferred = True
                dims.append(-1)
            else:
                dims.append(self.integer(item, 1, where, arg))
        return tuple(dims)


def validate(raw: RawSpec, source: Source, limits: Limits = DEFAULT_LIMITS) -> Network:
    """Checks a parsed spec against the catalogue and expands its blocks and references into a
    network; raises a located `SpecError` at the first fault."""
    from cnndiagram.spec.expand import expand

    return expand(raw, Validator(source, limits))
