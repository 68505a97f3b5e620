"""Source stage: spec text with a name, turning offsets into line, column and a caret excerpt.

Positions are kept as integer offsets while parsing (cheap) and converted to
line/column only when an error is reported, as tomli does.
"""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """A half-open range of character offsets into one source text."""

    start: int
    end: int


class Source(NamedTuple):
    """The text of one spec and the name it is reported under (a path, `<stdin>`, `<expr>`)."""

    text: str
    name: str

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of `offset` (columns count characters, not bytes)."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        line_start = self.text.rfind("\n", 0, offset) + 1
        return line, offset - line_start + 1

    def excerpt(self, span: Span) -> str:
        """The line holding `span.start` with a caret run under the span (clipped to that line)."""
        start = max(0, min(span.start, len(self.text)))
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", start)
        if line_end < 0:
            line_end = len(self.text)
        line_text = self.text[line_start:line_end].replace("\t", " ")
        line_no, col = self.line_col(start)
        width = max(1, min(span.end, line_end) - start)
        gutter = f"{line_no} | "
        pad = " " * (len(gutter) - 2) + "| "
        return f"{gutter}{line_text}\n{pad}{' ' * (col - 1)}{'^' * width}"
