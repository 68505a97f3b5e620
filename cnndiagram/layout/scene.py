"""Layout stage: the scene model shared by every backend.

A scene is a flat, ordered list of immutable primitives in one coordinate system
(SVG user units, y down). Groups carry an id and the primitives of one layer, so
backends can keep them together (an SVG `<g>`) and tests can tell which text belongs
to which block.
"""

from __future__ import annotations

from typing import NamedTuple, Union

Point = tuple[float, float]


class Polygon(NamedTuple):
    points: tuple[Point, ...]
    fill: str
    stroke: str
    stroke_width: float = 1.0
    opacity: float = 1.0


class Line(NamedTuple):
    """A polyline; `arrow` puts an arrowhead at its last point."""

    points: tuple[Point, ...]
    stroke: str
    width: float = 1.0
    arrow: bool = False
    dash: tuple[float, ...] = ()


class Text(NamedTuple):
    """A run of text on one baseline. `width`, `ascent` and `descent` are measured with the
    font that draws it, so its extent is known without a renderer."""

    x: float
    y: float
    text: str
    size: float
    width: float
    ascent: float
    descent: float
    fill: str
    anchor: str = "start"  # start | middle | end
    bold: bool = False
    role: str = ""

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the text's ink-independent extent."""
        left = self.x - (
            self.width / 2
            if self.anchor == "middle"
            else self.width
            if self.anchor == "end"
            else 0.0
        )
        return (left, self.y - self.ascent, left + self.width, self.y + self.descent)


class Group(NamedTuple):
    """Primitives that belong together (one layer's block and labels)."""

    id: str
    items: tuple[Primitive, ...]
    label: str = ""


Primitive = Union[Polygon, Line, Text, Group]


class Scene(NamedTuple):
    width: float
    height: float
    background: str | None
    items: tuple[Primitive, ...]
    title: str
    description: str
    typeface: str = "sans"  # a key of layout.text.TYPEFACES: the font every text is in
    #: The figure's physical size: points per unit when it was fitted to a page (`--page`);
    #: None when it has none (SVG in pixels, PDF one point per unit).
    points_per_unit: float | None = None


def walk(items: tuple[Primitive, ...], group: str = "") -> list[tuple[str, Primitive]]:
    """Every primitive with the id of the group it is in (empty at the top level)."""
    out: list[tuple[str, Primitive]] = []
    for item in items:
        if isinstance(item, Group):
            out += walk(item.items, item.id)
        else:
            out.append((group, item))
    return out


def bounds(item: Primitive) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a primitive (stroke widths included for shapes)."""
    if isinstance(item, Text):
        return item.box()
    if isinstance(item, Group):
        boxes = [bounds(child) for child in item.items]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    xs = [p[0] for p in item.points]
    ys = [p[1] for p in item.points]
    pad = (item.stroke_width if isinstance(item, Polygon) else item.width) / 2
    box = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
    if isinstance(item, Line) and item.arrow:
        # the arrowhead, at the last point only: a line down a narrow margin stays in it
        x, y = item.points[-1]
        head = max(pad + 4.0, 3.0 + 2.2 * item.width)  # as long as the backends draw it
        box = (
            min(box[0], x - head),
            min(box[1], y - head),
            max(box[2], x + head),
            max(box[3], y + head),
        )
    return box
