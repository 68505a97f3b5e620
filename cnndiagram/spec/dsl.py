"""Spec stage: the hand-written parser for the compact `.cnn` language.

Grammar (informal; the reference is docs/spec-language.md)::

    spec      := sep* (item (sep+ item)*)? sep*
    sep       := newline | ';' | '->' | '→' | '-'
    item      := 'title' STRING | 'def' NAME '(' [param (',' param)*] ')' '{' body '}'
                 | '@' name | block | statement          # title and def: top level only
    param     := NAME ['=' value]
    block     := [name ':'] ('residual' | 'parallel' | 'repeat') ['(' args ')'] '{' body '}'
                 ['shortcut' '{' body '}']            # shortcut: residual only
    body      := sep* (item (sep+ item)*)? sep* ('|' body)*   # '|': parallel branches
    statement := [name ':'] KIND ['(' [arg (',' arg)*] [','] ')']
    arg       := IDENT '=' value | value
    value     := atom (('x' | '×') atom)*            # per-axis values: 5x5, 1x28x28
    atom      := INTEGER | FLOAT | IDENT | STRING | '[' [value (',' value)*] ']'

The parser keeps integer offsets and lets `Source` compute lines and columns only
when an error is raised.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cnndiagram.catalog import BLOCKS
from cnndiagram.errors import SpecError
from cnndiagram.limits import too_many_digits
from cnndiagram.source import Source, Span
from cnndiagram.spec.raw import (
    RawArg,
    RawBlock,
    RawDef,
    RawItem,
    RawKind,
    RawParam,
    RawRef,
    RawSpec,
    RawStatement,
    RawValue,
)

_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_CHARS = _IDENT_START | frozenset("0123456789.")
_DIGITS = frozenset("0123456789")
_DIM_SEPARATORS = frozenset("x×")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}
_WORDS: dict[str, tuple[RawKind, bool | None]] = {
    "true": ("bool", True),
    "false": ("bool", False),
    "null": ("null", None),
}
_MAX_NESTING = 8


class RawBlockStart(NamedTuple):
    kind: str
    open_at: int


class _Parser:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        self.pos = 0
        self.depth = 0

    # -- errors -------------------------------------------------------------------------------

    def error(self, message: str, start: int | None = None, end: int | None = None) -> SpecError:
        start = self.pos if start is None else start
        end = start + 1 if end is None else end
        return SpecError(message, source=self.source, span=Span(start, end))

    def found(self) -> str:
        """Describes the text at the cursor for 'expected X, found Y' messages."""
        if self.pos >= len(self.text):
            return "the end of the spec"
        char = self.text[self.pos]
        if char == "\n":
            return "the end of the line"
        if char in _IDENT_START:
            end = self.pos
            while end < len(self.text) and self.text[end] in _IDENT_CHARS:
                end += 1
            return f"'{self.text[self.pos : end]}'"
        return f"'{char}'"

    # -- whitespace and separators ----------------------------------------------------------

    def skip_blank(self, newlines: bool) -> None:
        """Skips spaces and comments; newlines too inside brackets, where they do not separate."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\ufeff" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def skip_separators(self) -> bool:
        """Consumes any run of separators; tells whether there was one."""
        seen = False
        while True:
            self.skip_blank(newlines=False)
            if self.pos >= len(self.text):
                return seen
            if self.text.startswith("->", self.pos):
                self.pos += 2
            elif self.text[self.pos] in "\n;-→":
                self.pos += 1
            else:
                return seen
            seen = True

    # -- top level -----------------------------------------------------------------------------

    def parse(self) -> RawSpec:
        self.title: str | None = None
        self.title_span: Span | None = None
        self.defs: list[RawDef] = []
        (items,) = self.parse_body(block=None)
        return RawSpec(self.title, tuple(items), self.title_span, tuple(self.defs))

    def parse_body(self, block: RawBlockStart | None) -> list[list[RawItem]]:
        """Items up to the end (top level) or up to `}` (in a block); in `parallel { }`, `|`
        starts the next branch."""
        bodies: list[list[RawItem]] = [[]]
        text = self.text
        self.skip_separators()
        while self.pos < len(text):
            char = text[self.pos]
            if block is not None and char == "}":
                break
            if block is not None and char == "|":
                if block.kind != "parallel":
                    raise self.error("'|' separates branches only inside parallel { ... }")
                self.pos += 1
                bodies.append([])
                self.skip_separators()
                continue
            if block is None and self.at_title():
                self.parse_title()
            elif self.at_def():
                if block is not None:
                    raise self.error(
                        "def is allowed only at the top level, not inside a block",
                        self.pos,
                        self.pos + 3,
                    )
                self.defs.append(self.parse_def())
            else:
                bodies[-1].append(self.parse_item())
            if (
                not self.skip_separators()
                and self.pos < len(text)
                and not (block is not None and text[self.pos] in "}|")
            ):
                raise self.error(
                    f"expected '->', ';' or a new line after a layer, found {self.found()}"
                )
        if block is not None and self.pos >= len(text):
            raise self.error(f"unclosed '{{' of {block.kind}: expected '}}'", block.open_at)
        return bodies

    def parse_title(self) -> None:
        start = self.pos
        if self.title is not None:
            raise self.error("the title is given twice", start, start + 5)
        self.pos += 5
        self.skip_blank(newlines=False)
        title_start = self.pos
        self.title = self.parse_string()
        self.title_span = Span(title_start, self.pos)

    def at_title(self) -> bool:
        if not self.text.startswith("title", self.pos):
            return False
        after = self.pos + 5
        while after < len(self.text) and self.text[after] in " \t":
            after += 1
        return after < len(self.text) and self.text[after] in "\"'"

    def at_def(self) -> bool:
        """`def` followed by a name: `def` alone, or `def: conv(...)`, is a layer's name."""
        if not self.text.startswith("def", self.pos):
            return False
        after = self.pos + 3
        if after >= len(self.text) or self.text[after] not in " \t":
            return False
        while after < len(self.text) and self.text[after] in " \t":
            after += 1
        return after < len(self.text) and self.text[after] in _IDENT_START

    def parse_def(self) -> RawDef:
        start = self.pos
        self.pos += 3
        self.skip_blank(newlines=False)
        name_start = self.pos
        name = self.parse_ident()
        name_span = Span(name_start, self.pos)
        self.skip_blank(newlines=False)
        if not self.text.startswith("(", self.pos):
            raise self.error(
                f"expected '(' and the parameters of block '{name}', found {self.found()}"
            )
        params: list[RawParam] = []
        for arg in self.parse_args():
            if arg.key is not None:
                assert arg.key_span is not None
                params.append(RawParam(arg.key, arg.key_span, arg.value))
            elif arg.value.kind == "word":
                if params and params[-1].default is not None:
                    raise self.error(
                        f"parameter '{arg.value.value}' without a default follows one with a "
                        "default",
                        arg.value.span.start,
                        arg.value.span.end,
                    )
                params.append(RawParam(str(arg.value.value), arg.value.span, None))
            else:
                raise self.error(
                    f"a parameter is a name (optionally name=default), not {arg.value.describe()}",
                    arg.value.span.start,
                    arg.value.span.end,
                )
        self.skip_blank(newlines=True)
        if not self.text.startswith("{", self.pos):
            raise self.error(f"expected '{{' to open the body of '{name}', found {self.found()}")
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise self.error(f"blocks nested more than {_MAX_NESTING} deep")
        open_at = self.pos
        self.pos += 1
        (body,) = self.parse_body(RawBlockStart("def", open_at))
        self.pos += 1
        self.depth -= 1
        if not body:
            raise self.error(f"block '{name}' has an empty body", open_at, self.pos)
        span = Span(start, self.pos)
        return RawDef(
            name, name_span, tuple(params), tuple(body), span, self.text[start : self.pos]
        )

    def parse_item(self) -> RawItem:
        start = self.pos
        if self.text[self.pos] == "@":
            self.pos += 1
            if self.pos < len(self.text) and self.text[self.pos] in "\"'":
                name = self.parse_string()
            elif self.pos < len(self.text) and self.text[self.pos] in _IDENT_START:
                name = self.parse_ident()
            else:
                raise self.error(f"expected a layer name after '@', found {self.found()}")
            return RawRef(name, Span(start, self.pos))
        statement = self.parse_statement()
        if statement.kind not in BLOCKS:
            return statement
        return self.parse_block(statement)

    def parse_block(self, head: RawStatement) -> RawBlock:
        """`head` was read as a statement (`[name:] residual(args)`); its body follows."""
        self.skip_blank(newlines=True)
        if not self.text.startswith("{", self.pos):
            raise self.error(f"expected '{{' to open the body of {head.kind}, found {self.found()}")
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise self.error(f"blocks nested more than {_MAX_NESTING} deep")
        start = RawBlockStart(head.kind, self.pos)
        self.pos += 1
        bodies = self.parse_body(start)
        self.pos += 1  # the closing brace
        shortcut: tuple[RawItem, ...] | None = None
        if head.kind == "residual":
            after = self.pos
            self.skip_blank(newlines=True)
            if self.text.startswith("shortcut", self.pos):
                self.pos += len("shortcut")
                self.skip_blank(newlines=True)
                if not self.text.startswith("{", self.pos):
                    raise self.error(f"expected '{{' after 'shortcut', found {self.found()}")
                inner = RawBlockStart("shortcut", self.pos)
                self.pos += 1
                (short,) = self.parse_body(inner)
                self.pos += 1
                shortcut = tuple(short)
            else:
                self.pos = after
        self.depth -= 1
        return RawBlock(
            head.kind,
            head.kind_span,
            head.name,
            head.name_span,
            head.args,
            tuple(tuple(body) for body in bodies),
            shortcut,
            Span(head.span.start, self.pos),
        )

    def parse_statement(self) -> RawStatement:
        start = self.pos
        name: str | None = None
        name_span: Span | None = None
        if self.text[self.pos] in "\"'":
            name = self.parse_string()
            name_span = Span(start, self.pos)
            self.skip_blank(newlines=False)
            if not self.text.startswith(":", self.pos):
                raise self.error(f"expected ':' after the layer name, found {self.found()}")
        elif self.text[self.pos] not in _IDENT_START:
            raise self.error(f"expected a layer such as conv(32, 3), found {self.found()}")
        else:
            ident = self.parse_ident()
            ident_end = self.pos
            self.skip_blank(newlines=False)
            if self.text.startswith(":", self.pos):
                name, name_span = ident, Span(start, ident_end)
            else:
                self.pos = ident_end
        if name is not None:
            self.pos += 1
            self.skip_blank(newlines=False)
            if self.pos >= len(self.text) or self.text[self.pos] not in _IDENT_START:
                raise self.error(f"expected a layer kind after '{name}:', found {self.found()}")
            kind_start = self.pos
            kind = self.parse_ident()
        else:
            kind_start, kind = start, ident
        kind_span = Span(kind_start, kind_start + len(kind))
        args: tuple[RawArg, ...] = ()
        after_kind = self.pos
        self.skip_blank(newlines=False)
        if self.text.startswith("(", self.pos):
            args = self.parse_args()
        else:
            self.pos = after_kind
        return RawStatement(kind, kind_span, name, name_span, args, Span(start, self.pos))

    def parse_ident(self) -> str:
        start = self.pos
        text = self.text
        while self.pos < len(text) and text[self.pos] in _IDENT_CHARS:
            self.pos += 1
        return text[start : self.pos]

    # -- arguments -----------------------------------------------------------------------------

    def parse_args(self) -> tuple[RawArg, ...]:
        open_at = self.pos
        self.pos += 1
        args: list[RawArg] = []
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                raise self.error("unclosed '(': expected ')'", open_at)
            if self.text[self.pos] == ")":
                self.pos += 1
                return tuple(args)
            args.append(self.parse_arg())
            arg_end = self.pos
            self.skip_blank(newlines=True)
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif not self.text.startswith(")", self.pos):
                if self.pos >= len(self.text) or "\n" in self.text[arg_end : self.pos]:
                    # A new line where ',' or ')' belongs: most likely a forgotten ')'.
                    raise self.error(
                        "unclosed '(': expected ')' before the end of the line", open_at
                    )
                raise self.error(f"expected ',' or ')' between arguments, found {self.found()}")

    def parse_arg(self) -> RawArg:
        start = self.pos
        if self.text[self.pos] in _IDENT_START:
            ident = self.parse_ident()
            key_end = self.pos
            self.skip_blank(newlines=True)
            if self.text.startswith("=", self.pos):
                self.pos += 1
                self.skip_blank(newlines=True)
                if self.pos >= len(self.text) or self.text[self.pos] in ",)":
                    raise self.error(f"expected a value after '{ident}=', found {self.found()}")
                return RawArg(ident, Span(start, key_end), self.parse_value())
            self.pos = start
        return RawArg(None, None, self.parse_value())

    # -- values --------------------------------------------------------------------------------

    def parse_value(self) -> RawValue:
        start = self.pos
        first = self.parse_atom()
        items = [first]
        while self.dim_separator_follows(items[-1]):
            self.skip_blank(newlines=False)
            self.pos += 1
            self.skip_blank(newlines=False)
            items.append(self.parse_atom())
        if len(items) == 1:
            return first
        for item in items:
            if item.kind not in ("int", "float", "seq"):
                raise self.error(
                    f"per-axis values must be numbers, found {item.describe()}",
                    item.span.start,
                    item.span.end,
                )
        return RawValue("seq", tuple(items), Span(start, self.pos))

    def dim_separator_follows(self, previous: RawValue) -> bool:
        """`x` joins axes only after a number or a bracket and before a number or a bracket."""
        if previous.kind not in ("int", "float", "seq"):
            return False
        at = self.pos
        text = self.text
        while at < len(text) and text[at] in " \t":
            at += 1
        if at >= len(text) or text[at] not in _DIM_SEPARATORS:
            return False
        at += 1
        while at < len(text) and text[at] in " \t":
            at += 1
        return at < len(text) and (text[at] in _DIGITS or text[at] in "[-+")

    def parse_atom(self) -> RawValue:
        if self.pos >= len(self.text):
            raise self.error("expected a value, found the end of the spec")
        start = self.pos
        char = self.text[self.pos]
        if char in _DIGITS or char in "+-.":
            return self.parse_number()
        if char in "\"'":
            return RawValue("string", self.parse_string(), Span(start, self.pos))
        if char == "[":
            return self.parse_list()
        if char == "@":  # a layer reference in a merge: add(@a, @b) is add(a, b)
            self.pos += 1
            if self.pos < len(self.text) and self.text[self.pos] in "\"'":
                return RawValue("string", self.parse_string(), Span(start, self.pos))
            if self.pos < len(self.text) and self.text[self.pos] in _IDENT_START:
                return RawValue("word", self.parse_ident(), Span(start, self.pos))
            raise self.error(f"expected a layer name after '@', found {self.found()}")
        if char in _IDENT_START:
            word = self.parse_ident()
            special = _WORDS.get(word.lower())
            if special is not None:
                return RawValue(special[0], special[1], Span(start, self.pos))
            return RawValue("word", word, Span(start, self.pos))
        raise self.error(f"expected a value, found {self.found()}")

    def parse_number(self) -> RawValue:
        start = self.pos
        text = self.text
        if text[self.pos] in "+-":
            self.pos += 1
        digits_start = self.pos
        while self.pos < len(text) and (text[self.pos] in _DIGITS or text[self.pos] == "_"):
            self.pos += 1
        is_float = False
        if (
            self.pos < len(text)
            and text[self.pos] == "."
            and (self.pos + 1 < len(text) and text[self.pos + 1] in _DIGITS)
        ):
            is_float = True
            self.pos += 1
            while self.pos < len(text) and text[self.pos] in _DIGITS:
                self.pos += 1
        if self.pos == digits_start:
            raise self.error(f"expected a number, found {self.found()}", start)
        if self.pos < len(text) and text[self.pos] in "eE":
            at = self.pos + 1
            if at < len(text) and text[at] in "+-":
                at += 1
            if at < len(text) and text[at] in _DIGITS:
                is_float = True
                self.pos = at
                while self.pos < len(text) and text[self.pos] in _DIGITS:
                    self.pos += 1
        literal = text[start : self.pos]
        if self.pos < len(text) and text[self.pos] in _IDENT_CHARS and text[self.pos] not in "xX":
            end = self.pos
            while end < len(text) and text[end] in _IDENT_CHARS:
                end += 1
            raise self.error(f"malformed number '{text[start:end]}'", start, end)
        if not is_float:
            problem = too_many_digits(literal)
            if problem:
                raise self.error(problem, start, self.pos)
        try:
            if is_float:
                return RawValue("float", float(literal), Span(start, self.pos))
            return RawValue("int", int(literal), Span(start, self.pos))
        except ValueError:
            raise self.error(f"malformed number '{literal}'", start, self.pos) from None

    def parse_string(self) -> str:
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text) or text[self.pos] == "\n":
                raise self.error("unterminated string", start, self.pos)
            char = text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(out)
            if char == "\\":
                escaped = text[self.pos + 1 : self.pos + 2]
                if escaped in ("u", "U"):
                    # \uXXXX, \UXXXXXXXX: any character by its code point, so every name can
                    # be written as plain text
                    width = 4 if escaped == "u" else 8
                    digits = text[self.pos + 2 : self.pos + 2 + width]
                    valid = re.fullmatch(f"[0-9a-fA-F]{{{width}}}", digits) is not None
                    code = int(digits, 16) if valid else -1
                    if not 0 <= code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                        raise self.error(
                            f"\\{escaped} needs {width} hexadecimal digits of a character, "
                            + ("e.g. \\u00e9" if width == 4 else "e.g. \\U0001f600"),
                            self.pos,
                            self.pos + 2 + width,
                        )
                    out.append(chr(code))
                    self.pos += 2 + width
                    continue
                if escaped not in _ESCAPES:
                    raise self.error(
                        "unknown escape in string "
                        "(use \\\\, \\\", \\', \\n, \\t, \\uXXXX or \\UXXXXXXXX)",
                        self.pos,
                        self.pos + 2,
                    )
                out.append(_ESCAPES[escaped])
                self.pos += 2
            else:
                out.append(char)
                self.pos += 1

    def parse_list(self) -> RawValue:
        start = self.pos
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise self.error(f"lists nested more than {_MAX_NESTING} deep")
        self.pos += 1
        items: list[RawValue] = []
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                raise self.error("unclosed '[': expected ']'", start)
            if self.text[self.pos] == "]":
                self.pos += 1
                self.depth -= 1
                return RawValue("seq", tuple(items), Span(start, self.pos))
            items.append(self.parse_value())
            self.skip_blank(newlines=True)
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif not self.text.startswith("]", self.pos):
                raise self.error(f"expected ',' or ']' in a list, found {self.found()}")


def parse_dsl(source: Source) -> RawSpec:
    """Parses `.cnn` text; raises `SpecError` located in `source` on the first syntax error."""
    return _Parser(source).parse()


def parse_value_text(text: str, source: Source, span: Span) -> RawValue:
    """Parses a value written as a string inside YAML/TOML/JSON (`"5x5"`), located at `span`."""
    parser = _Parser(Source(text, source.name))
    try:
        value = parser.parse_value()
        parser.skip_blank(newlines=True)
        if parser.pos != len(text):
            raise parser.error(f"unexpected {parser.found()} in the value")
    except SpecError as error:
        raise SpecError(f"in {text!r}: {error.message}", source=source, span=span) from None
    return _relocate(value, span)


def _relocate(value: RawValue, span: Span) -> RawValue:
    if value.kind == "seq":
        assert isinstance(value.value, tuple)
        return RawValue("seq", tuple(_relocate(item, span) for item in value.value), span)
    return RawValue(value.kind, value.value, span)
