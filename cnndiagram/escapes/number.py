"""Number formatting for drawing formats (SVG, PDF, TikZ): one formatter, so output is
deterministic.

>>> number(1.0), number(-0.0), number(2.345), number(-1.005), number(12.5)
('1', '0', '2.35', '-1', '12.5')
"""

from __future__ import annotations


def number(value: float, digits: int = 2) -> str:
    """Fixed precision (2 decimals unless asked), trailing zeros stripped, never `-0`:
    deterministic output."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
