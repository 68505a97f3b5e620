r"""Escaping for Markdown (CommonMark, GFM tables, and the MkDocs/MyST extensions): user text
that renders as written and can never become HTML, a link or emphasis.

Text is placed inside a table cell or after a heading marker, never at the start of a line,
so only inline syntax needs neutralising. `<`, `>` and `&` become entities (raw HTML and
autolinks need `<`, entities `&`); the other characters that start inline syntax get a
backslash, which CommonMark allows before any ASCII punctuation: `\` and backticks (escapes,
code), `*` and `_` (emphasis), `[` and `]` (links and images, footnotes), `|` (table cells),
`~` (GFM strikethrough), `$` (math on GitHub, MyST and pymdownx), `{` and `}` (MyST roles and
Jinja in mkdocs-macros) and `#` (a heading's closing sequence). Control characters are shown
as escapes first (`terminal.escape_controls`), since Markdown is read in terminals too, and so
a newline can never end a cell or start a block. Left as they are: a bare URL (GitHub links
it, showing the same text) and `:name:` (GitHub shows an emoji), which add no markup.

>>> print(escape_markdown("<script>alert(1)</script> <img src=x onerror=alert(1)>"))
&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;
>>> print(escape_markdown("[click](javascript:alert(1)) **b** _e_ `c` a|b ~~s~~ $x$ #"))
\[click\](javascript:alert(1)) \*\*b\*\* \_e\_ \`c\` a\|b \~\~s\~\~ \$x\$ \#
>>> print(escape_markdown("a\\b &amp; {{ x }} :smile: \x1b[2J\nnext"))
a\\b &amp;amp; \{\{ x \}\} :smile: \\x1b\[2J\\nnext
>>> print(escape_markdown("conv 5x5, 32, ReLU <- b1, b2"))
conv 5x5, 32, ReLU &lt;- b1, b2
>>> print(escape_markdown("  two spaces each side  "), escape_markdown(" "))
&#32;&#32;two spaces each side&#32;&#32; &#32;
>>> print(code_span("(5*5*1 + 1)*32 = 832"))
`(5*5*1 + 1)*32 = 832`
>>> print(code_span("a `b` c"), code_span("`a"), code_span(" a "))
``a `b` c`` `` `a `` `  a  `
>>> print(code_span("x|y", table_cell=True))
`x\|y`
>>> code_span("")
''
"""

from __future__ import annotations

import re

from cnndiagram.escapes.terminal import escape_controls

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BACKSLASHED = frozenset("\\`*_[]|~${}#")
_BACKTICKS = re.compile("`+")


def escape_markdown(text: str) -> str:
    """User text (a name, a title, a label) as literal inline Markdown text.

    White space at either end is written as character references (`&#32;`): table cells and
    headings are trimmed before their text is parsed, and a reference is decoded after that.
    """
    out = []
    for char in escape_controls(text):
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char in _BACKSLASHED:
            out.append("\\" + char)
        else:
            out.append(char)
    escaped = "".join(out)
    body = escaped.strip()
    if body == escaped:
        return escaped
    start = escaped.index(body) if body else len(escaped)
    end = start + len(body)
    return _entities(escaped[:start]) + body + _entities(escaped[end:])


def _entities(spaces: str) -> str:
    return "".join(f"&#{ord(char)};" for char in spaces)


def code_span(text: str, *, table_cell: bool = False) -> str:
    """`text` as an inline code span, shown verbatim in a fixed-width font.

    For text the tool generates (formulas), where backslashes would show: inside a code span
    nothing is interpreted, so only the fence matters. It is one backtick longer than the
    longest run inside. CommonMark strips one space at each end when there is one at both, so a
    text that starts or ends with a backtick (which would merge with the fence) or with spaces
    at both ends gets one more space at each end. In a GFM table a `|` ends the cell even
    inside a code span, and there `\\|` is the escape (`table_cell=True`).
    """
    if not text:
        return ""  # two backticks alone are not an empty code span but literal text
    text = escape_controls(text)
    if table_cell:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text[0] == text[-1] == " " and text.strip()):
        text = f" {text} "
    return f"{fence}{text}{fence}"
