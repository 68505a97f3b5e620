"""Source stage: spec text with a name, turning offsets into line, column and a caret excerpt.

Positions are kept as integer offsets while parsing (cheap) and converted to
line/column only when an error is reported, as tomli does.

>>> visible("a\\x1b]0;pwned\\x07b\\u202e")
'a\\\\x1b]0;pwned\\\\x07b\\\\u202e'
>>> clip("abcdef", 4)
'abc…'
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: Characters a terminal acts on instead of showing (C0 and C1 controls, DEL), bidirectional
#: overrides that reorder what is shown (Trojan Source), line separators, and the lone
#: surrogates that undecodable command-line bytes turn into.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

#: Source characters an excerpt shows around the column of an error.
EXCERPT_WIDTH = 100


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """`text` with every control character shown as an escape (`\\x1b`), so names, titles
    and file names in a message cannot move the cursor, retitle or clear the terminal."""
    return _INVISIBLE.sub(_escape, text)


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

    def excerpt(self, span: Span) -> str:
        """The line holding `span.start` with a caret run under the span. A long line is
        shown as a window of `EXCERPT_WIDTH` characters around the column, cut ends marked
        `…`, so a one-line spec of megabytes gives two short lines, not two huge ones;
        control characters are shown as escapes and the carets still point at them."""
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
            return visible(self.text[a:b].replace("\t", " "))

        before, marked = show(window_start, start), show(start, end)
        after = show(end, window_end)
        lead = "…" if window_start > line_start else ""
        tail = "…" if window_end < line_end else ""
        line_no = self.text.count("\n", 0, start) + 1
        gutter = f"{line_no} | "
        pad = " " * (len(gutter) - 2) + "| "
        caret = " " * (len(lead) + len(before)) + "^" * max(1, len(marked))
        return f"{gutter}{lead}{before}{marked}{after}{tail}\n{pad}{caret}"
