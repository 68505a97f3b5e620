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

#: Every character `escape_controls` rewrites: category Cc (C0, DEL and C1), the line and
#: paragraph separators, and the Bidi_Control characters (marks, embeddings, overrides,
#: isolates).
CONTROLS = frozenset(
    [chr(code) for code in range(0x20)]
    + [chr(code) for code in range(0x7F, 0xA0)]
    + list("\u2028\u2029\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


# A translation table rather than a regular expression: str.translate runs in C, and
# building the table costs less at start-up than compiling a pattern.
_VISIBLE = {ord(char): _visible(char) for char in CONTROLS}


def escape_controls(text: str) -> str:
    """`text` with every control character written as a visible escape (`\\x1b`, `\\n`, ...).

    The result holds no character that `str.splitlines` splits at, so it stays on one line.
    """
    if text.isprintable():  # the usual case; isprintable is False for every character above
        return text
    return text.translate(_VISIBLE)
