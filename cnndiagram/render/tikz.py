r"""Render stage: a `Scene` as a TikZ picture, typeset by LaTeX in the document's own font.

`-o fig.tex` writes a `tikzpicture` that `\input{fig.tex}` places in any document loading
`tikz`; `--standalone` wraps it in a complete `standalone`-class document. One scene unit
is one PostScript point, `bp` (or `points_per_unit` of them when `--page` fitted the
figure), as in the PDF backend and the page sizes, the y axis
points down as in the scene, and the picture's bounding box is the scene's rectangle, so it
takes exactly the figure's size on the page. Shapes are drawn as the scene gives them
(arrowheads are the same triangles the SVG and PDF draw), colours are `definecolor`s named
after their value.

Text is not in the shipped font but in whatever font the document uses, at the size the
layout gave it. That font is narrower or wider than the one the layout measured, so each
text node is anchored where the scene anchors it (left, centre or right of its baseline)
and set by `\cnnfit{<measured width>}{<text>}`, which scales the text down to the measured
width when it is wider: a text never leaves the box the layout kept free for it, so no two
can collide in any font. Heights are safe already (the layout's line boxes hold the taller
TeX fonts' ascenders and descenders).

User text is escaped by `escapes.latex.escape_latex_ascii`: the output is ASCII, every
special character is literal, and no user text can form a command (so never `\input`,
`\write18` or a catcode change). A character that neither ASCII nor that table covers is
`\cnnchar{<hex code>}`, a `?` unless the document defines `\cnnchar` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnndiagram.escapes.latex import escape_latex, escape_latex_ascii
from cnndiagram.escapes.number import number
from cnndiagram.layout.scene import Group, Line, Polygon, Primitive, Scene, Text
from cnndiagram.render.svg import arrow_head

if TYPE_CHECKING:
    from cnndiagram.options import OutputOptions

#: The picture's own macros, defined (once per document) by its first lines. `\cnnfit`
#: measures its text in the node's font and scales it (keeping its baseline and aspect) only
#: when it is wider than the first argument.
PREAMBLE = r"""\providecommand{\cnnchar}[1]{?}%
\ifdefined\cnnfitbox\else\newsavebox{\cnnfitbox}\fi%
\providecommand{\cnnfit}[2]{\sbox{\cnnfitbox}{#2}%
\ifdim\wd\cnnfitbox>#1\relax\resizebox{#1}{!}{\usebox{\cnnfitbox}}\else\usebox{\cnnfitbox}\fi}%"""

_ANCHORS = {"start": "base west", "middle": "base", "end": "base east"}


def _colour(value: str) -> str:
    """The xcolor name of `#rrggbb` (or `#rgb`): named by its value, so the same colour has
    the same name in every figure and the output does not depend on drawing order."""
    digits = value.lstrip("#").upper()
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return f"cnn{digits}"


def _path(points: tuple[tuple[float, float], ...], close: bool) -> str:
    coordinates = " -- ".join(f"({number(x)},{number(y)})" for x, y in points)
    return coordinates + (" -- cycle" if close else "")


def _comment(text: str) -> str:
    """User text for a `%` comment: escaped, so a line break cannot end the comment, and
    ASCII (`?` for any other character), as the whole file is."""
    return escape_latex(text).encode("ascii", "replace").decode("ascii")


class _Picture:
    """The lines of one picture; lengths other than coordinates are in PostScript points
    (`bp`, 72 per inch, as `--page` measures; TeX's `pt` is 72.27 per inch)."""

    def __init__(self, unit: float) -> None:
        self.unit = unit
        self.lines: list[str] = []
        self.colours: set[str] = set()

    def pt(self, value: float) -> str:
        return f"{number(value * self.unit, 3)}bp"

    def colour(self, value: str) -> str:
        self.colours.add(value)
        return _colour(value)

    def draw(self, item: Primitive) -> None:
        if isinstance(item, Group):
            # The id and label are user text: escaped, so a newline cannot end the comment.
            self.lines.append(f"\\begin{{scope}} % {_comment(item.label or item.id)}")
            for child in item.items:
                self.draw(child)
            self.lines.append("\\end{scope}")
        elif isinstance(item, Polygon):
            opacity = f", fill opacity={number(item.opacity, 3)}" if item.opacity < 1 else ""
            self.lines.append(
                f"\\filldraw[fill={self.colour(item.fill)}, draw={self.colour(item.stroke)}, "
                f"line width={self.pt(item.stroke_width)}{opacity}] "
                f"{_path(item.points, True)};"
            )
        elif isinstance(item, Line):
            dash = ""
            if item.dash:
                pattern = item.dash if len(item.dash) % 2 == 0 else item.dash * 2
                steps = " ".join(
                    f"on {self.pt(on)} off {self.pt(off)}"
                    for on, off in zip(pattern[::2], pattern[1::2])
                )
                dash = f", dash pattern={steps}"
            self.lines.append(
                f"\\draw[draw={self.colour(item.stroke)}, line width={self.pt(item.width)}"
                f"{dash}] {_path(item.points, False)};"
            )
            if item.arrow:
                head = _path(arrow_head(item), True)
                self.lines.append(f"\\fill[{self.colour(item.stroke)}] {head};")
        else:
            self.text(item)

    def text(self, item: Text) -> None:
        content = escape_latex_ascii(item.text.translate({9: " ", 10: " ", 13: " "}))
        if not content.strip():
            return
        size = item.size * self.unit
        font = f"\\fontsize{{{number(size, 3)}bp}}{{{number(size * 1.2, 3)}bp}}\\selectfont"
        if item.bold:
            font += "\\bfseries"
        self.lines.append(
            f"\\node[anchor={_ANCHORS.get(item.anchor, 'base west')}, inner sep=0pt, "
            f"outer sep=0pt, text={self.colour(item.fill)}, font={font}] "
            f"at ({number(item.x)},{number(item.y)}) "
            f"{{\\cnnfit{{{self.pt(item.width)}}}{{{content}}}}};"
        )


def render_tikz(scene: Scene, *, standalone: bool = False, transparent: bool = False) -> str:
    """The scene as a `tikzpicture` (or, `standalone`, a complete document holding it)."""
    unit = scene.points_per_unit or 1.0
    picture = _Picture(unit)
    if scene.background and not transparent:
        picture.lines.append(
            f"\\fill[{picture.colour(scene.background)}] "
            f"(0,0) rectangle ({number(scene.width)},{number(scene.height)});"
        )
    for item in scene.items:
        picture.draw(item)
    colours = [
        f"\\definecolor{{{_colour(value)}}}{{HTML}}{{{_colour(value)[3:]}}}"
        for value in sorted(picture.colours, key=_colour)
    ]
    scale = number(unit, 6)
    body = [
        f"% {_comment(scene.title)}",
        "% made by cnndiagram; needs \\usepackage{tikz}",
        PREAMBLE,
        f"\\begin{{tikzpicture}}[x={scale}bp, y=-{scale}bp, line join=round]",
        *colours,
        f"\\useasboundingbox (0,0) rectangle ({number(scene.width)},{number(scene.height)});",
        *picture.lines,
        "\\end{tikzpicture}%",
    ]
    if standalone:
        body = [
            "\\documentclass{standalone}",
            "\\usepackage{tikz}",
            "\\begin{document}",
            *body,
            "\\end{document}",
        ]
    return "\n".join(body) + "\n"


class TikzBackend:
    """The TikZ format of the backend registry (`render/formats.py`)."""

    def write(self, scene: Scene, options: OutputOptions) -> bytes:
        tex = render_tikz(scene, standalone=options.standalone, transparent=options.transparent)
        return tex.encode("ascii")
