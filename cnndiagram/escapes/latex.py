r"""Escaping for LaTeX text mode: names and titles typeset as written, never read as markup.

All ten special characters are replaced (`\ { } $ & # ^ _ % ~`), and `< > |`, which the
default OT1 font encoding prints as other glyphs (¡ ¿ —). Control characters become visible
escapes first (`terminal.escape_controls`): TeX refuses most of them, and a newline or
carriage return would end a `%` comment line, so that what follows it in a title became
document text (or a blank line a paragraph break, which a tabular cell does not allow).

>>> print(escape_latex(r"50% of $x_1^2$ & #3 {a} ~b \ c"))
50\% of \$x\_1\textasciicircum{}2\$ \& \#3 \{a\} \textasciitilde{}b \textbackslash{} c
>>> print(escape_latex("<a|b>"))
\textless{}a\textbar{}b\textgreater{}
>>> print("% " + escape_latex("title\n\\end{tabular}\r\\input{x}"))
% title\textbackslash{}n\textbackslash{}end\{tabular\}\textbackslash{}r\textbackslash{}input\{x\}
>>> escape_latex("conv2d1"), escape_latex("Réseau 1")
('conv2d1', 'Réseau 1')
"""

from __future__ import annotations

from cnndiagram.escapes.terminal import escape_controls

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def escape_latex(text: str) -> str:
    """Untrusted text (a name, a title, a label) as literal LaTeX text, on one line."""
    return "".join(_ESCAPES.get(char, char) for char in escape_controls(text))
