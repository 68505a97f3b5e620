r"""Escaping for LaTeX text mode: names and titles typeset as written, never read as markup.

All ten special characters are replaced (`\ { } $ & # ^ _ % ~`), and `< > |`, which the
default OT1 font encoding prints as other glyphs (¡ ¿ —); `×`, `←`, `→` and `·`, which text
fonts lack (pdflatex would set them from a bitmap TS1 font, or stop), become math signs, and
`…` becomes `\dots`. Control characters become visible escapes first
(`terminal.escape_controls`): TeX refuses most of them, and a newline or carriage return
would end a `%` comment line, so that what follows it in a title became
document text (or a blank line a paragraph break, which a tabular cell does not allow).

>>> print(escape_latex(r"50% of $x_1^2$ & #3 {a} ~b \ c"))
50\% of \$x\_1\textasciicircum{}2\$ \& \#3 \{a\} \textasciitilde{}b \textbackslash{} c
>>> print(escape_latex("<a|b>"))
\textless{}a\textbar{}b\textgreater{}
>>> print("% " + escape_latex("title\n\\end{tabular}\r\\input{x}"))
% title\textbackslash{}n\textbackslash{}end\{tabular\}\textbackslash{}r\textbackslash{}input\{x\}
>>> escape_latex("conv2d1"), escape_latex("Réseau 1"), escape_latex("conv 3\u00d73")
('conv2d1', 'Réseau 1', 'conv 3$\\times$3')
>>> print(escape_latex("residual 3\u00d73 \u00b7 64 \u2192 dense \u2026"))
residual 3$\times$3 $\cdot$ 64 $\rightarrow$ dense \dots{}
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
    # Not in the default text fonts (pdflatex stops at it): typeset as the math sign.
    "\u00d7": r"$\times$",
    "\u2190": r"$\leftarrow$",
    "\u2192": r"$\rightarrow$",
    "\u00b7": r"$\cdot$",
    "\u2026": r"\dots{}",
}


def escape_latex(text: str) -> str:
    """Untrusted text (a name, a title, a label) as literal LaTeX text, on one line."""
    return "".join(_ESCAPES.get(char, char) for char in escape_controls(text))


#: Characters the figures draw that pdflatex's default fonts have only in math mode, or
#: under another name: written as that command, so the text needs no input encoding and
#: takes the symbols from the document's own math fonts.
_SYMBOLS = {
    "\u00d7": r"$\times$",
    "\u00b7": r"$\cdot$",
    "\u22c5": r"$\cdot$",
    "\u2212": r"$-$",
    "\u230a": r"$\lfloor$",
    "\u230b": r"$\rfloor$",
    "\u2308": r"$\lceil$",
    "\u2309": r"$\rceil$",
    "\u2190": r"$\leftarrow$",
    "\u2192": r"$\rightarrow$",
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u2248": r"$\approx$",
    "\u221a": r"$\surd$",
    "\u2211": r"$\Sigma$",
    "\u00b1": r"$\pm$",
    "\u2026": r"\dots{}",
    "\u2013": r"\textendash{}",
    "\u2014": r"\textemdash{}",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u00a0": "~",
    "\u2009": r"\,",
    "\u202f": r"\,",
    "\u00df": r"\ss{}",
    "\u00e6": r"\ae{}",
    "\u00c6": r"\AE{}",
    "\u0153": r"\oe{}",
    "\u0152": r"\OE{}",
    "\u00f8": r"\o{}",
    "\u00d8": r"\O{}",
    "\u00e5": r"\aa{}",
    "\u00c5": r"\AA{}",
    "\u0131": r"\i{}",
    "\u0142": r"\l{}",
    "\u0141": r"\L{}",
    # The literal characters TeX would join into a ligature (-- ``) or read as a quote.
    "-": "-{}",
    "`": r"{`}",
    "'": r"{'}",
    '"': r"{\char`\"}",
    "!": "!{}",
    "?": "?{}",
    ",": ",{}",
}
_SUPERSCRIPTS = {"\u00b9": "1", "\u00b2": "2", "\u00b3": "3"}
_SUPERSCRIPTS |= {chr(0x2070 + digit): str(digit) for digit in (0, 4, 5, 6, 7, 8, 9)}
_SUBSCRIPTS = {chr(0x2080 + digit): str(digit) for digit in range(10)}
#: Combining accents (after NFD) and the text-mode accent commands every font encoding has.
_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0327": "c",
    "\u0328": "k",
}


def _ascii(char: str) -> str:
    """One character of already escaped text as ASCII LaTeX."""
    if char in _SYMBOLS:
        return _SYMBOLS[char]
    if char.isascii():
        return char
    if char in _SUPERSCRIPTS:
        return rf"\textsuperscript{{{_SUPERSCRIPTS[char]}}}"
    if char in _SUBSCRIPTS:
        return rf"$_{{{_SUBSCRIPTS[char]}}}$"
    import unicodedata

    parts = unicodedata.normalize("NFD", char)
    base, marks = parts[0], parts[1:]
    if base.isascii() and base.isalpha() and len(marks) == 1 and marks in _ACCENTS:
        letter = r"\i" if base == "i" else base
        return rf"{{\{_ACCENTS[marks]}{{{letter}}}}}"
    return rf"\cnnchar{{{ord(char):04X}}}"


def escape_latex_ascii(text: str) -> str:
    r"""Untrusted text as literal LaTeX text in plain ASCII, which pdflatex sets in any font
    without an input encoding: `escape_latex`, then each non-ASCII character the figures use
    as a command (`×` as `$\times$`, `²` as `\textsuperscript{2}`, accented letters as
    accent commands), and any other as `\cnnchar{XXXX}` (its code point in hex, digits only),
    a macro the output defines (a `?` unless the document defines it first, for example
    as `\symbol{"#1}` under LuaLaTeX). Characters TeX would join (`--`, quotes) are kept apart.

    >>> print(escape_latex_ascii("(5·5·1 + 1)·32 = 832"))
    (5$\cdot$5$\cdot$1 + 1)$\cdot$32 = 832
    >>> print(escape_latex_ascii("⌊(28−5)/2⌋ + 1, 3×3²"))
    $\lfloor$(28$-$5)/2$\rfloor$ + 1,{} 3$\times$3\textsuperscript{2}
    >>> print(escape_latex_ascii("Réseau--中 \\input{x}"))
    R{\'{e}}seau-{}-{}\cnnchar{4E2D} \textbackslash{}input\{x\}
    """
    return "".join(_ascii(char) for char in escape_latex(text))
