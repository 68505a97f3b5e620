"""Layout stage: sizes that follow from the font size, measured text, and how text rows of a
column are broken into lines."""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.layout.columns import Column
from cnndiagram.layout.scene import Text
from cnndiagram.layout.text import SANS, Typeface, ascent, descent, text_width
from cnndiagram.layout.theme import Theme

#: The compaction at and below which a figure is set as tight as it reads.
TIGHT = 0.5


class Metrics(NamedTuple):
    """Sizes derived from the font size, so the whole figure scales with it."""

    f: float
    margin: float
    gap: float
    line: float
    band_gap: float
    max_line: float
    face: Typeface = SANS

    @classmethod
    def of(cls, f: float, face: Typeface = SANS, compact: float = 1.0) -> Metrics:
        # Rows are 1.4 em apart, or further for a face whose glyphs reach further (the
        # bold name row is the tallest). Compaction narrows the lines text wraps at, and
        # at its tightest (`TIGHT`) sets the rows 1.25 em apart, as small print is set
        # (7 on 8.75 pt), never closer than the tallest glyphs reach.
        extent = ascent(1.05 * f, True, face) + descent(1.05 * f, True, face)
        tight = compact <= TIGHT
        line = max(1.25 * f, 1.02 * extent) if tight else max(1.4 * f, 1.1 * extent)
        # A page's own margins frame a figure set for it: at the tightest, 1 em is enough.
        margin = 1.0 * f if tight else 2.0 * f
        return cls(f, margin, 1.8 * f, line, 2.6 * f, 15.0 * f * compact, face)


class Texts:
    """Builds measured `Text` primitives in one place."""

    def __init__(self, theme: Theme, face: Typeface = SANS) -> None:
        self.theme = theme
        self.face = face

    def make(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        bold: bool = False,
        anchor: str = "middle",
        fill: str | None = None,
        role: str = "",
    ) -> Text:
        return Text(
            x,
            y,
            text,
            size,
            text_width(text, size, bold, self.face),
            ascent(size, bold, self.face),
            descent(size, bold, self.face),
            fill or self.theme.text,
            anchor,
            bold,
            role,
        )


#: Where a line may break, by row: labels after a comma or an arrow, or before a ` + ` or
#: ` · ` (`+ projection`, `· 256` lead their line); formulas after an operator outside
#: brackets, never between the last term and its `= result`.
_LABEL_BREAKS = (", ", " \u2192 ", " | ", " + ", " \u00b7 ")
_LEADING = (" + ", " \u00b7 ")
_FORMULA_BREAKS = (" + ", " \u2212 ", " - ")
_OPEN, _CLOSE = "([\u230a\u2308", ")]\u230b\u2309"


def _pieces(line: str, key: str) -> list[str]:
    """The line cut after every place it may break (the separator stays with the piece
    before it, so joining the pieces gives the line back)."""
    breaks = _LABEL_BREAKS if key == "label" else _FORMULA_BREAKS
    result = line
    tail = ""
    if key != "label" and " = " in line:
        result, total = line.rsplit(" = ", 1)
        tail = " = " + total
    pieces: list[str] = []
    start = depth = 0
    i = 0
    while i < len(result):
        char = result[i]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif depth == 0:
            for sep in breaks:
                if result.startswith(sep, i):
                    # A leading separator opens the next piece (its space ends this one).
                    cut = i + 1 if key == "label" and sep in _LEADING else i + len(sep)
                    pieces.append(result[start:cut])
                    start = cut
                    i = i + len(sep) - 1
                    break
        i += 1
    pieces.append(result[start:] + tail)
    return pieces


def split_line(line: str, limit: float, f: float, key: str, face: Typeface = SANS) -> list[str]:
    """Breaks an over-long line where it may break (see `_pieces`), filling each line."""
    if text_width(line, f, face=face) <= limit:
        return [line]
    out: list[str] = []
    current = ""
    for piece in _pieces(line, key):
        candidate = current + piece
        if current and text_width(candidate.rstrip(), f, face=face) > limit:
            out.append(current.rstrip())
            current = piece
        else:
            current = candidate
    out.append(current.rstrip())
    return out


def wrap_limit(column: Column, m: Metrics, extent: float) -> float:
    """The width a column's text wraps at: its usual line width, or the width the column
    takes anyway (its block, its name, a size that cannot break), so no text wraps in a
    column that would hold it on one line. Counts do not set it: they may move into the
    key (`layout.key`)."""
    limit = m.max_line * column.wrap
    fixed = [
        text_width(piece, *row_size(key, m.f), m.face)
        for key, lines in column.rows.items()
        if key != "params"
        for line in lines
        for piece in split_line(line, limit, m.f, key, m.face)
    ]
    return max([limit, extent, *fixed])


def row_lines(column: Column, m: Metrics, limit: float) -> dict[str, list[str]]:
    return {
        key: [
            piece
            for line in lines
            for piece in split_line(
                line, limit if key != "name" else m.max_line * column.wrap, m.f, key, m.face
            )
        ]
        for key, lines in column.rows.items()
    }


def row_size(key: str, f: float) -> tuple[float, bool]:
    return (f * 1.05, True) if key == "name" else (f, False)


def column_text_width(lines: dict[str, list[str]], f: float, face: Typeface = SANS) -> float:
    widths = [0.0]
    for key, values in lines.items():
        size, bold = row_size(key, f)
        widths += [text_width(value, size, bold, face) for value in values]
    return max(widths)
