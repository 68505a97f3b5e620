"""Shared helper below layout and render: escaping and number formatting, one place each.

>>> xml_escape('<script>alert("x")</script> & \\'q\\'')
'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;'
>>> number(1.0), number(-0.0), number(2.345), number(-1.005), number(12.5)
('1', '0', '2.35', '-1', '12.5')
"""

from __future__ import annotations

_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def xml_escape(text: str) -> str:
    """Text safe inside XML elements and quoted attributes; drops characters XML forbids."""
    out = []
    for char in text:
        code = ord(char)
        if (
            (code < 0x20 and char not in "\t\n\r")
            or 0xD800 <= code <= 0xDFFF
            or code in (0xFFFE, 0xFFFF)
        ):
            continue
        out.append(_XML.get(char, char))
    return "".join(out)


def number(value: float, digits: int = 2) -> str:
    """Fixed precision (2 decimals unless asked), trailing zeros stripped, never `-0`:
    deterministic output."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
