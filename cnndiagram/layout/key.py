"""Layout stage: the numbered key under a compact figure, for formulas too wide for their
column.

A parameter sum such as `75 008 + 2·70 400 = 215 808` may only break at its operators and
keeps `= result` with its last term, so in a column narrowed to fit a page its last piece
can be the widest thing in the column, or a long sum the tallest. Rather than let it widen
the column (and the figure past the page) or shrink the text, the column shows the result
with a mark (`215 808 [1]`) and the whole formula moves to a numbered line under the figure
(`[1] layer1 ×3: 75 008 + 2·70 400 = 215 808`): never dropped, still evaluable.
"""

from __future__ import annotations

from cnndiagram.layout.columns import Column
from cnndiagram.layout.measure import Metrics, split_line
from cnndiagram.layout.text import text_width

#: Only rows of counts move; size formulas break at their operators and stay.
MOVABLE = ("params",)
#: A formula that wraps to more lines than this moves too: it would make its row the
#: tallest of the figure.
MAX_LINES = 2
#: Formulas move only when the figure is this compact (a page asked for it).
KEY_COMPACT = 0.65


def move_to_key(
    columns: list[Column],
    lines: list[dict[str, list[str]]],
    limits: list[float],
    m: Metrics,
    compact: float,
) -> tuple[list[dict[str, list[str]]], list[str]]:
    """The columns' lines with over-wide formulas replaced by their marked results, and the
    key's entries in drawing order."""
    if compact > KEY_COMPACT:
        return lines, []
    key: list[str] = []
    out = []
    for column, rows, limit in zip(columns, lines, limits):
        changed = dict(rows)
        for row in MOVABLE:
            original = column.rows.get(row)
            if not original:
                continue
            kept: list[str] = []
            for line in original:
                pieces = split_line(line, limit, m.f, row, m.face)
                too_wide = any(text_width(piece, m.f, face=m.face) > limit for piece in pieces)
                if " = " not in line or not (too_wide or len(pieces) > MAX_LINES):
                    kept += pieces
                    continue
                key.append(f"[{len(key) + 1}] {column.rows['name'][0]}: {line}")
                kept.append(f"{line.rsplit(' = ', 1)[1]} [{len(key)}]")
            changed[row] = kept
        out.append(changed)
    return out, key


def key_lines(key: list[str], m: Metrics, limit: float) -> list[str]:
    """The key's entries wrapped at their operators to `limit`."""
    return [piece for entry in key for piece in split_line(entry, limit, m.f, "params", m.face)]
