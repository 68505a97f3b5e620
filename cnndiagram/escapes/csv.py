r"""Escaping for CSV cells: text that a spreadsheet shows as text, never runs as a formula.

Excel, LibreOffice Calc and Google Sheets evaluate a cell whose first character is `=`, `+`,
`-` or `@`, so a layer named `=HYPERLINK("http://x", "y")` would become a live link (or, in
old Excel, a DDE command). OWASP's CSV Injection advice, followed here: prefix every cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return with a single quote, which the
spreadsheet takes as "this is text" and hides. NUL (which OWASP ASVS 5.0, requirement 1.2.10,
adds) and line feed are prefixed too: neither has a place at the start of a name. Quoting of
commas, quotes and newlines is the `csv` module's job (RFC 4180); this only decides the first
character. Apply it to text cells only: a number (a negative count is not user text) is
written as a number.

>>> escape_csv_cell('=HYPERLINK("http://x","y")')
'\'=HYPERLINK("http://x","y")'
>>> [escape_csv_cell(text) for text in ("+1", "-2", "@SUM(A1)", "\tx", "\rx", "conv2d1", "")]
["'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", 'conv2d1', '']
>>> escape_csv_cell("a=b"), escape_csv_cell("'quoted")
('a=b', "'quoted")
"""

from __future__ import annotations

#: The first characters a spreadsheet reads as the start of a formula (OWASP, CSV Injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def escape_csv_cell(text: str) -> str:
    """`text` with a leading `'` when a spreadsheet would otherwise evaluate it."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
