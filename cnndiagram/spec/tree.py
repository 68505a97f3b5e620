"""Spec stage: YAML, TOML and JSON read into one located tree, so one validator serves all three.

JSON is parsed here (the standard library keeps no positions); YAML is built from PyYAML's
safe event stream with anchors, aliases and custom tags refused; TOML goes through tomllib,
with positions recovered from `[[layers]]` headers and `key =` lines.

Every reader builds under one `_Budget`: nesting depth, keys per mapping and digits per
integer have fixed limits (`cnndiagram.limits`), entries per list and values in all scale
with `--max-layers`. Each is checked as the tree grows, so hostile input is refused before
it costs time, memory or Python's recursion limit.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from typing import Any, Union

from cnndiagram.errors import LimitError, SpecError
from cnndiagram.limits import (
    DEFAULT_LIMITS,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_KEYS,
    VALUES_PER_LAYER,
    Limits,
    too_many_digits,
)
from cnndiagram.source import Source, Span

Scalar = Union[str, int, float, bool, None]


@dataclass(frozen=True)
class Node:
    """A value with its span. Mappings keep key spans and refuse duplicate keys."""

    value: Scalar | list[Node] | dict[str, tuple[Span, Node]]
    span: Span


class _Budget:
    """What one reader may build from one source; each check raises a located error."""

    def __init__(self, source: Source, limits: Limits, syntax: str) -> None:
        self.source = source
        self.syntax = syntax
        self.max_items = limits.max_layers
        self.max_values = limits.max_layers * VALUES_PER_LAYER
        self.values = 0

    def value(self, span: Span) -> None:
        """Counts one more value (a scalar, list or mapping)."""
        self.values += 1
        if self.values > self.max_values:
            raise LimitError(
                f"the spec holds more than {self.max_values:,} values, over "
                f"{VALUES_PER_LAYER} for each of the {self.max_items:,} layers it may have",
                source=self.source,
                span=span,
                hint="raise the limit with --max-layers",
            )

    def depth(self, depth: int, span: Span) -> None:
        if depth > MAX_DEPTH:
            raise SpecError(
                f"{self.syntax} nested more than {MAX_DEPTH} deep", source=self.source, span=span
            )

    def items(self, count: int, span: Span) -> None:
        """Every entry of a list is at least one layer, an input name or an axis."""
        if count > self.max_items:
            raise LimitError(
                f"a list of more than {self.max_items:,} entries, more than the "
                f"{self.max_items:,} layers a spec may have",
                source=self.source,
                span=span,
                hint="raise the limit with --max-layers",
            )

    def keys(self, count: int, span: Span) -> None:
        if count > MAX_KEYS:
            raise SpecError(
                f"a mapping of more than {MAX_KEYS} keys; no part of a spec takes that many",
                source=self.source,
                span=span,
            )

    def integer(self, literal: str, span: Span) -> None:
        """Refuses an integer literal too long to convert cheaply (or at all: CPython refuses
        decimal strings over 4,300 digits)."""
        problem = too_many_digits(literal)
        if problem:
            raise SpecError(problem, source=self.source, span=span)


# -- JSON ---------------------------------------------------------------------------------------

_JSON_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")


class _Json:
    def __init__(self, source: Source, budget: _Budget) -> None:
        self.source = source
        self.text = source.text
        self.pos = 0
        self.budget = budget

    def error(self, message: str, start: int | None = None) -> SpecError:
        at = self.pos if start is None else start
        return SpecError(message, source=self.source, span=Span(at, at + 1))

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n\ufeff":
            self.pos += 1

    def found(self) -> str:
        return f"'{self.text[self.pos]}'" if self.pos < len(self.text) else "the end of the file"

    def parse(self) -> Node:
        self.skip()
        node = self.value(0)
        self.skip()
        if self.pos < len(self.text):
            raise self.error(f"unexpected {self.found()} after the JSON document")
        return node

    def value(self, depth: int) -> Node:
        self.budget.depth(depth, Span(self.pos, self.pos + 1))
        if self.pos >= len(self.text):
            raise self.error("expected a JSON value, found the end of the file")
        char = self.text[self.pos]
        start = self.pos
        self.budget.value(Span(start, start + 1))
        if char == "{":
            return self.obj(depth)
        if char == "[":
            self.pos += 1
            items: list[Node] = []
            self.skip()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return Node(items, Span(start, self.pos))
            while True:
                self.skip()
                items.append(self.value(depth + 1))
                self.budget.items(len(items), items[-1].span)
                self.skip()
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                elif self.text.startswith("]", self.pos):
                    self.pos += 1
                    return Node(items, Span(start, self.pos))
                else:
                    raise self.error(f"expected ',' or ']' in an array, found {self.found()}")
        if char == '"':
            return Node(self.string(), Span(start, self.pos))
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return Node(value, Span(start, self.pos))
        match = _JSON_NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            literal = match.group(0)
            if match.group(1) or match.group(2):
                number = float(literal)
                if not math.isfinite(number):
                    raise self.error(f"number {literal} is out of range", start)
                return Node(number, Span(start, self.pos))
            self.budget.integer(literal, Span(start, self.pos))
            return Node(int(literal), Span(start, self.pos))
        raise self.error(f"expected a JSON value, found {self.found()}")

    def obj(self, depth: int) -> Node:
        start = self.pos
        self.pos += 1
        members: dict[str, tuple[Span, Node]] = {}
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return Node(members, Span(start, self.pos))
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                raise self.error(f"expected a quoted key, found {self.found()}")
            key_start = self.pos
            key = self.string()
            key_span = Span(key_start, self.pos)
            if key in members:
                raise SpecError(f"duplicate key '{key}'", source=self.source, span=key_span)
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise self.error(f"expected ':' after the key, found {self.found()}")
            self.pos += 1
            self.skip()
            members[key] = (key_span, self.value(depth + 1))
            self.budget.keys(len(members), key_span)
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return Node(members, Span(start, self.pos))
            else:
                raise self.error(f"expected ',' or '}}' in an object, found {self.found()}")

    def string(self) -> str:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated string", start)
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(out)
            if char == "\\":
                escaped = self.text[self.pos + 1 : self.pos + 2]
                if escaped == "u":
                    out.append(self.code_point())
                    continue
                if escaped not in _JSON_ESCAPES:
                    raise self.error("bad escape in string")
                out.append(_JSON_ESCAPES[escaped])
                self.pos += 2
            elif char < " ":
                raise self.error("control character in string")
            else:
                out.append(char)
                self.pos += 1

    def unit(self, at: int) -> int | None:
        """The UTF-16 code unit of the `\\uXXXX` escape at `at`, None if there is none."""
        if not self.text.startswith("\\u", at) or not _HEX4.fullmatch(self.text, at + 2, at + 6):
            return None
        return int(self.text[at + 2 : at + 6], 16)

    def code_point(self) -> str:
        """One `\\u` escape, or two when they are a UTF-16 surrogate pair: `json.dumps` writes
        an emoji as `\\ud83d\\ude00`. A surrogate alone is no character and is refused (it
        could not be written out as UTF-8)."""
        start = self.pos
        high = self.unit(start)
        if high is None:
            raise self.error("bad \\u escape")
        self.pos += 6
        if not 0xD800 <= high <= 0xDFFF:
            return chr(high)
        low = self.unit(self.pos) if high <= 0xDBFF else None
        if low is None or not 0xDC00 <= low <= 0xDFFF:
            raise SpecError(
                f"lone surrogate \\u{high:04x} in a string: a \\ud800-\\udbff escape must be "
                "followed by a \\udc00-\\udfff one",
                source=self.source,
                span=Span(start, start + 6),
            )
        self.pos += 6
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def parse_json(source: Source, limits: Limits = DEFAULT_LIMITS) -> Node:
    return _Json(source, _Budget(source, limits, "JSON")).parse()


# -- YAML ---------------------------------------------------------------------------------------

_YAML_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
}


class _Open:
    """A YAML list or mapping whose end event has not come yet."""

    __slots__ = ("key", "members", "seq", "start")

    def __init__(self, start: int, seq: list[Node] | None) -> None:
        self.start = start
        self.seq = seq
        self.members: dict[str, tuple[Span, Node]] = {}
        self.key: Node | None = None


def parse_yaml(source: Source, limits: Limits = DEFAULT_LIMITS) -> Node:
    """Safe YAML only: no anchors or aliases (billion-laughs), no tags beyond the core types.

    The tree is built from the event stream in one pass with an explicit stack, not with
    PyYAML's recursive composer: nesting cannot reach Python's recursion limit, and the budget
    stops a long file at the first value over a limit instead of after parsing all of it."""
    import yaml

    try:
        loader = yaml.SafeLoader(source.text)
        try:
            return _YamlBuilder(source, _Budget(source, limits, "YAML"), loader).build()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        at = _yaml_offset(mark)
        raise SpecError(f"invalid YAML: {problem}", source=source, span=Span(at, at + 1)) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        at = int(error.position)
        raise SpecError(
            f"invalid YAML: unacceptable character #x{int(error.character):04x}: {error.reason}",
            source=source,
            span=Span(at, at + 1),
        ) from None


def _yaml_offset(mark: Any) -> int:
    return int(mark.index) if mark is not None else 0


class _YamlBuilder:
    def __init__(self, source: Source, budget: _Budget, loader: Any) -> None:
        self.source = source
        self.budget = budget
        self.loader = loader
        self.stack: list[_Open] = []
        self.root: Node | None = None

    def build(self) -> Node:
        import yaml

        seen_document = False
        while self.loader.check_event():
            event: Any = self.loader.get_event()
            self.check(event)
            if isinstance(event, yaml.ScalarEvent):
                self.add(self.scalar(event))
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                start = _yaml_offset(event.start_mark)
                self.budget.value(Span(start, start + 1))
                self.budget.depth(len(self.stack) + 1, Span(start, start + 1))
                seq: list[Node] | None = [] if isinstance(event, yaml.SequenceStartEvent) else None
                self.stack.append(_Open(start, seq))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                done = self.stack.pop()
                span = Span(done.start, _yaml_offset(event.end_mark))
                self.add(Node(done.members if done.seq is None else done.seq, span))
            elif isinstance(event, yaml.DocumentStartEvent):
                if seen_document:
                    at = _yaml_offset(event.start_mark)
                    raise SpecError(
                        "invalid YAML: expected a single document in the stream, but found "
                        "another document",
                        source=self.source,
                        span=Span(at, at + 1),
                    )
                seen_document = True
        return self.root if self.root is not None else Node({}, Span(0, 0))

    def check(self, event: Any) -> None:
        import yaml

        span = Span(_yaml_offset(event.start_mark), _yaml_offset(event.end_mark))
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise SpecError(
                "YAML anchors and aliases are not supported; write the value out",
                source=self.source,
                span=span,
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and tag not in _YAML_TAGS:
            raise SpecError(f"YAML tag '{tag}' is not supported", source=self.source, span=span)

    def add(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        if parent.seq is not None:
            parent.seq.append(node)
            self.budget.items(len(parent.seq), node.span)
        elif parent.key is None:
            if not isinstance(node.value, str):
                raise SpecError("mapping keys must be strings", source=self.source, span=node.span)
            if node.value in parent.members:
                raise SpecError(f"duplicate key '{node.value}'", source=self.source, span=node.span)
            parent.key = node
        else:
            key = parent.key
            assert isinstance(key.value, str)
            parent.members[key.value] = (key.span, node)
            parent.key = None
            self.budget.keys(len(parent.members), key.span)

    def scalar(self, event: Any) -> Node:
        """A scalar resolved and constructed as PyYAML's safe loader would, with its errors
        (`!!int abc`, `!!bool maybe`) located instead of escaping as Python exceptions."""
        import yaml

        span = Span(_yaml_offset(event.start_mark), _yaml_offset(event.end_mark))
        self.budget.value(span)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag not in _YAML_TAGS:  # e.g. PyYAML's '=' value tag, or a timestamp: keep the text
            return Node(str(event.value), span)
        kind = tag.rsplit(":", 1)[1]
        if kind in ("seq", "map"):
            raise SpecError(f"YAML tag '!!{kind}' on a single value", source=self.source, span=span)
        if kind == "int":
            self.budget.integer(event.value, span)
            if event.tag in (None, "!") and _YAML11_INT.match(str(event.value)):
                # YAML 1.1 reads these in another base than the DSL and YAML 1.2 would
                raise SpecError(
                    f"'{event.value}' is ambiguous: YAML 1.1 reads a leading 0 as octal and "
                    "a ':' as base 60",
                    source=self.source,
                    span=span,
                    hint="write the number in decimal, without leading zeros or ':'",
                )
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.loader.yaml_constructors[tag](self.loader, node)
        except (ValueError, KeyError):  # int(), float() and the table of YAML booleans
            raise SpecError(
                f"'{event.value}' is not a YAML {kind}", source=self.source, span=span
            ) from None
        assert value is None or isinstance(value, (str, int, float, bool))
        return Node(value, span)


#: Integers YAML 1.1 reads in base 8 (`010`) or base 60 (`1:30`), where a reader of the spec
#: (and YAML 1.2, and the DSL) sees a decimal number.
_YAML11_INT = re.compile(r"[-+]?(0[0-7_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)\Z")


# -- TOML ---------------------------------------------------------------------------------------


# What the TOML pre-scan looks at: strings and comments (skipped whole, so brackets and digits
# inside them do not count; an unterminated one runs to the end of its line or of the text),
# brackets, and integer literals of more than MAX_INT_DIGITS digits (decimal, hex, octal or
# binary runs not joined to a key, a float or a date).
_TOML_SCAN = re.compile(
    r'"""(?:[^\\]|\\.)*?(?:"""|\Z)'
    r"|'''.*?(?:'''|\Z)"
    r'|"(?:[^"\\\n]|\\.)*"?'
    r"|'[^'\n]*'?"
    r"|#[^\n]*"
    r"|[\[{\]}]"
    r"|(?<![\w.:+-])[+-]?"
    rf"(?:0[xob](?P<based>[0-9a-fA-F_]{{{MAX_INT_DIGITS + 1},}})"
    rf"|(?P<decimal>[0-9_]{{{MAX_INT_DIGITS + 1},}}))"
    r"(?![\w.:-])",
    re.DOTALL,
)


def _scan_toml(source: Source, budget: _Budget) -> None:
    """Checks what tomllib cannot be trusted with before it runs: arrays and inline tables
    nested deeper than MAX_DEPTH (tomllib recurses on them until RecursionError) and integer
    literals too long to convert (tomllib's int() raises a bare ValueError past 4,300
    digits). Nesting by dotted keys and table headers is checked on the parsed tree."""
    depth = 0
    for match in _TOML_SCAN.finditer(source.text):
        char = match.group(0)[0]
        if char in "[{":
            depth += 1
            budget.depth(depth, Span(match.start(), match.end()))
        elif char in "]}":
            depth = max(0, depth - 1)
        elif match.group("based") or match.group("decimal"):
            budget.integer(match.group(0), Span(match.start(), match.end()))


def parse_toml(source: Source, limits: Limits = DEFAULT_LIMITS) -> Node:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib

    budget = _Budget(source, limits, "TOML")
    _scan_toml(source, budget)
    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if match:
            line, col = int(match.group(1)), int(match.group(2))
            lines = source.text.split("\n")
            start = sum(len(text) + 1 for text in lines[: line - 1]) + col - 1
            message = message[: match.start()].strip()
        else:
            # "(at end of document)": the end of the last line (a final newline ends that
            # line, it does not start another one).
            start = len(source.text) - (1 if source.text.endswith("\n") else 0)
            message = message.replace("(at end of document)", "at the end of the file").strip()
        raise SpecError(
            f"invalid TOML: {message}", source=source, span=Span(start, start + 1)
        ) from None
    return _TomlLocator(source, budget).node(data, Span(0, 0), ())


class _TomlLocator:
    """Finds approximate spans for tomllib's plain values: the `key =` line inside the right
    `[[layers]]` table, else the table header, else the start of the file."""

    def __init__(self, source: Source, budget: _Budget) -> None:
        self.text = source.text
        self.budget = budget
        self.headers = [
            m.start() for m in re.finditer(r"(?m)^[ \t]*\[\[\s*layers\s*\]\]", self.text)
        ]

    def region(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        if len(path) >= 2 and path[0] == "layers" and isinstance(path[1], int):
            index = path[1]
            if index < len(self.headers):
                end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.text)
                return self.headers[index], end
        return 0, len(self.text)

    def key_span(self, key: str, path: tuple[str | int, ...]) -> Span:
        start, end = self.region(path)
        pattern = re.compile(
            rf"(?m)^[ \t]*\"?{re.escape(key)}\"?[ \t]*=|[{{,][ \t]*{re.escape(key)}[ \t]*="
        )
        match = pattern.search(self.text, start, end)
        if match is None:
            return Span(start, start + 1)
        at = self.text.index(key, match.start())
        return Span(at, at + len(key))

    def node(self, value: object, span: Span, path: tuple[str | int, ...]) -> Node:
        # Dotted keys and table headers nest without brackets (`a.a.a = 1`); tomllib builds
        # them without recursion, this walk recurses, so depth is checked before going down.
        self.budget.value(span)
        self.budget.depth(len(path), span)
        if isinstance(value, dict):
            self.budget.keys(len(value), self.header_span(path) or span)
            members = {}
            for key, item in value.items():
                key_span = self.key_span(str(key), path)
                child_path = (*path, str(key))
                members[str(key)] = (key_span, self.node(item, key_span, child_path))
            return Node(members, self.header_span(path) or span)
        if isinstance(value, list):
            # Over the limit, a `[[layers]]` list is located at its first header too many.
            extra = (
                self.header_span(("layers", self.budget.max_items)) if path == ("layers",) else None
            )
            self.budget.items(len(value), extra or span)
            items = [self.node(item, span, (*path, i)) for i, item in enumerate(value)]
            return Node(items, span)
        if isinstance(value, (str, int, float, bool)):
            return Node(value, span)
        return Node(str(value), span)  # dates and times: reported as unexpected strings later

    def header_span(self, path: tuple[str | int, ...]) -> Span | None:
        if len(path) == 2 and path[0] == "layers" and isinstance(path[1], int):
            start, _ = self.region(path)
            return Span(start, start + 1) if path[1] < len(self.headers) else None
        return None
