"""Source stage: spec text with a name, turning offsets into line, column and a caret excerpt.

Positions are kept as integer offsets while parsing (cheap) and converted to
line/column only when an error is reported, as tomli does.

>>> clip("abcdef", 4)
'abc…'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

#: Source characters an excerpt shows around the column of an error.
EXCERPT_WIDTH = 100


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the cut marked with `…`."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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

    def excerpt(self, span: Span, shown: Callable[[str], str] = str) -> str:
        """The line holding `span.start` with a caret run under the span. A long line is
        shown as a window of `EXCERPT_WIDTH` characters around the column, cut ends marked
        `…`, so a one-line spec of megabytes gives two short lines, not two huge ones.
        `shown` rewrites the text for display (errors pass terminal escaping); the carets
        are placed on the rewritten text, so they still point at the span."""
        start = max(0, min(span.start, len(self.text)))
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", start)
        if line_end < 0:
            line_end = len(self.text)
        window_start, window_end = line_start, line_end
        if line_end - line_start > EXCERPT_WIDTH:
            # A third of the window before the column, the rest after it.
            window_start = max(line_start, start - EXCERPT_WIDTH // 3)
            window_end = min(line_end, window_start + EXCERPT_WIDTH)
            window_start = max(line_start, window_end - EXCERPT_WIDTH)
        end = max(start, min(span.end, window_end))

        def show(a: int, b: int) -> str:
            return shown(self.text[a:b].replace("\t", " "))

        before, marked = show(window_start, start), show(start, end)
        after = show(end, window_end)
        lead = "…" if window_start > line_start else ""
        tail = "…" if window_end < line_end else ""
        line_no = self.text.count("\n", 0, start) + 1
        gutter = f"{line_no} | "
        pad = " " * (len(gutter) - 2) + "| "
        caret = " " * (len(lead) + len(before)) + "^" * max(1, len(marked))
        return f"{gutter}{lead}{before}{marked}{after}{tail}\n{pad}{caret}"
