r"""Escaping for JSON text: control characters that `json.dumps` leaves raw, as `\u` escapes.

`json.dumps(..., ensure_ascii=False)` escapes C0 controls, quotes and backslashes, but writes
DEL, the C1 controls (U+009B is an 8-bit CSI), the line and paragraph separators and the
bidirectional controls as they are, and JSON output is often read on a terminal. Those can
only stand inside JSON strings, where `\uXXXX` means the same character: the value a JSON
parser reads back is unchanged.

>>> import json
>>> text = json.dumps({"name": "a\x9b2J\u2028\u202eb\x1b"}, ensure_ascii=False)
>>> print(escape_json_controls(text))
{"name": "a\u009b2J\u2028\u202eb\u001b"}
>>> json.loads(escape_json_controls(text)) == json.loads(text)
True
>>> escape_json_controls('{"name": "Réseau ← 中"}')
'{"name": "Réseau ← 中"}'
"""

from __future__ import annotations

from cnndiagram.escapes.terminal import CONTROLS

# json.dumps writes C0 inside strings as escapes already, and outside them only its own
# structural new lines; what is left can stand only inside a string.
_ESCAPED = {ord(char): f"\\u{ord(char):04x}" for char in CONTROLS if ord(char) >= 0x7F}


def escape_json_controls(text: str) -> str:
    """JSON text (as `json.dumps` writes it) with the remaining controls as `\\u` escapes."""
    if text.isascii() and "\x7f" not in text:
        return text
    return text.translate(_ESCAPED)
