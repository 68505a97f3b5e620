r"""Escaping for terminals: control characters in user text shown as visible escapes.

A name or title reaches a terminal through the table, `explain` and error messages. Raw, a
control character acts instead of showing: ESC starts a sequence that can retitle or clear
the terminal, CR and BS overwrite what was printed, BEL rings, NUL and C1 characters (U+0080 to
U+009F; U+009B is an 8-bit CSI) are read as controls by some terminals. Line and paragraph
separators and the bidirectional controls of CVE-2021-42574 ("Trojan Source") split or
reorder what is shown. Each such character becomes a Python-style escape; every other
character, the backslash included, is kept as it is (the text is shown, not made reversible).

>>> print(escape_controls("\x1b]0;pwned\x07\x1b[2J"))
\x1b]0;pwned\x07\x1b[2J
>>> print(escape_controls("a\tb\r\nc\x00d\x08e\x9bf\x7f"))
a\tb\r\nc\x00d\x08e\x9bf\x7f
>>> print(escape_controls("user \u202eexe.txt\u2028"))
user \u202eexe.txt\u2028
>>> print(escape_controls("conv 5x5, 32, ReLU \u2190 b1; 5\u00d75 \u00e9\u4e2d \\x1b"))
conv 5x5, 32, ReLU ← b1; 5×5 é中 \x1b
"""

from __future__ import annotations

import re

#: The controls past C0 (U+0000 to U+001F), as a regular-expression class body: DEL and C1
#: (with C0, Unicode's category Cc), the line and paragraph separators, and the Bidi_Control
#: characters (marks, embeddings, overrides, isolates).
CONTROLS_PAST_C0 = r"\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"

#: Every character `escape_controls` rewrites.
CONTROLS = re.compile(rf"[\x00-\x1f{CONTROLS_PAST_C0}]")

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every control character written as a visible escape (`\\x1b`, `\\n`, ...).

    The result holds no character that `str.splitlines` splits at, so it stays on one line.
    """
    if text.isprintable():  # the usual case; isprintable is False for every character above
        return text
    return CONTROLS.sub(_escape, text)
