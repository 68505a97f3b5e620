"""Spec stage: YAML, TOML and JSON read into one located tree, so one validator serves all three.

JSON is parsed here (the standard library keeps no positions); YAML goes through
PyYAML's safe composer with anchors, aliases and custom tags refused; TOML through
tomllib, with positions recovered from `[[layers]]` headers and `key =` lines.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from typing import Any, Union

from cnndiagram.errors import SpecError
from cnndiagram.source import Source, Span

Scalar = Union[str, int, float, bool, None]


@dataclass(frozen=True)
class Node:
    """A value with its span. Mappings keep key spans and refuse duplicate keys."""

    value: Scalar | list[Node] | dict[str, tuple[Span, Node]]
    span: Span


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
_MAX_DEPTH = 32


class _Json:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        self.pos = 0

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
        if depth > _MAX_DEPTH:
            raise self.error(f"JSON nested more than {_MAX_DEPTH} deep")
        if self.pos >= len(self.text):
            raise self.error("expected a JSON value, found the end of the file")
        char = self.text[self.pos]
        start = self.pos
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
                    digits = self.text[self.pos + 2 : self.pos + 6]
                    if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                        raise self.error("bad \\u escape")
                    out.append(chr(int(digits, 16)))
                    self.pos += 6
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


def parse_json(source: Source) -> Node:
    return _Json(source).parse()


# -- YAML ---------------------------------------------------------------------------------------

_YAML_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
}


def parse_yaml(source: Source) -> Node:
    """Safe YAML only: no anchors or aliases (billion-laughs), no tags beyond the core types."""
    import yaml

    def offset(mark: Any) -> int:
        return int(mark.index) if mark is not None else 0

    try:
        for event in yaml.parse(source.text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise SpecError(
                    "YAML anchors and aliases are not supported; write the value out",
                    source=source,
                    span=Span(offset(event.start_mark), offset(event.end_mark)),
                )
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!" and tag not in _YAML_TAGS:
                raise SpecError(
                    f"YAML tag '{tag}' is not supported",
                    source=source,
                    span=Span(offset(event.start_mark), offset(event.end_mark)),
                )
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise SpecError(
            f"invalid YAML: {problem}", source=source, span=Span(offset(mark), offset(mark) + 1)
        ) from None
    except yaml.YAMLError as error:
        raise SpecError(f"invalid YAML: {error}", source=source) from None
    if root is None:
        return Node({}, Span(0, 0))
    constructor = yaml.SafeLoader("")

    def convert(node: yaml.Node) -> Node:
        span = Span(offset(node.start_mark), offset(node.end_mark))
        if isinstance(node, yaml.MappingNode):
            members: dict[str, tuple[Span, Node]] = {}
            for key_node, value_node in node.value:
                key = convert(key_node)
                if not isinstance(key.value, str):
                    raise SpecError("mapping keys must be strings", source=source, span=key.span)
                if key.value in members:
                    raise SpecError(f"duplicate key '{key.value}'", source=source, span=key.span)
                members[key.value] = (key.span, convert(value_node))
            return Node(members, span)
        if isinstance(node, yaml.SequenceNode):
            return Node([convert(item) for item in node.value], span)
        if node.tag not in _YAML_TAGS:  # e.g. PyYAML's '=' value tag: keep the text
            return Node(str(node.value), span)
        value = constructor.construct_object(node)  # a core scalar: str, int, float, bool, None
        assert value is None or isinstance(value, (str, int, float, bool))
        return Node(value, span)

    return convert(root)


# -- TOML ---------------------------------------------------------------------------------------


def parse_toml(source: Source) -> Node:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib

    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        span = None
        if match:
            line, col = int(match.group(1)), int(match.group(2))
            lines = source.text.split("\n")
            start = sum(len(text) + 1 for text in lines[: line - 1]) + col - 1
            span = Span(start, start + 1)
            message = message[: match.start()].strip()
        raise SpecError(f"invalid TOML: {message}", source=source, span=span) from None
    return _TomlLocator(source).node(data, Span(0, 0), ())


class _TomlLocator:
    """Finds approximate spans for tomllib's plain values: the `key =` line inside the right
    `[[layers]]` table, else the table header, else the start of the file."""

    def __init__(self, source: Source) -> None:
        self.text = source.text
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
        if isinstance(value, dict):
            members = {}
            for key, item in value.items():
                key_span = self.key_span(str(key), path)
                child_path = (*path, str(key))
                members[str(key)] = (key_span, self.node(item, key_span, child_path))
            return Node(members, self.header_span(path) or span)
        if isinstance(value, list):
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
