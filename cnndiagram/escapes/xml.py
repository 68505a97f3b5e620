"""Escaping for XML (SVG, Graphviz's HTML-like labels, Office XML).

>>> xml_escape('<script>alert("x")</script> & \\'q\\'')
'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;'
>>> xml_chars("a\\x00b\\x1bc\\td\\ufffe")
'abc\\td'
"""

from __future__ import annotations

import re

_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
# XML 1.0 allows tab, newline and carriage return of the C0 controls, and no surrogates,
# U+FFFE or U+FFFF; a parser refuses a document holding any of them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_chars(text: str) -> str:
    """`text` without the characters XML forbids, for XML libraries that escape the rest
    themselves (lxml, ElementTree) but refuse, or mangle, those."""
    return _FORBIDDEN.sub("", text)


def xml_escape(text: str) -> str:
    """Text safe inside XML elements and quoted attributes; drops characters XML forbids."""
    return "".join(_XML.get(char, char) for char in xml_chars(text))
