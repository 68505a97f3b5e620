"""Layout stage: choosing the level of detail (`--detail auto`), the finest that fits.

With a page, a level fits when `fit_to_page` finds a scale at which the figure is inside
the page with text at least the minimum font size. Without one, the figure must fit the
default canvas at its own size (no shrinking): small networks keep their full one-row
figure, a large one wraps into rows or, if it would still be too tall, is drawn at a coarser
level; the graph style, drawn top to bottom as tall as it needs, stays at `layers`. A
level that draws the same columns as a finer one (a network without blocks has the same
`blocks` as `layers`) is not tried again; a level whose one-row figure, shrunk to the
smallest allowed text, has more area than the page (and so has its stack) cannot fit and
is rejected after a layout or two instead of a bisection.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.engine.analysis import Analysis
from cnndiagram.layout.page import COMPACTIONS, Draw, Fit, fit_to_page, smallest_text
from cnndiagram.layout.scene import Scene, Text, bounds, walk
from cnndiagram.options import Arrangement, Detail, FigureOptions, Style
from cnndiagram.units import units

#: The default canvas of `auto` without `--page`, in figure units (about CSS pixels): about
#: a 16:12 screen at the default font size. The seed (926 x 332) and LeNet-5 (1143 x 331)
#: stay as they are; ResNet-50's 10,643-unit row does not.
CANVAS_WIDTH = 1600.0
CANVAS_HEIGHT = 1200.0
LEVELS = (Detail.LAYERS, Detail.BLOCKS, Detail.STAGES)


class Choice(NamedTuple):
    scene: Scene
    fit: Fit | None  # how it was fitted to the page; None without a page
    detail: Detail  # the level drawn
    fits: bool
    #: The font size the figure was drawn at, when smaller than asked so that it keeps
    #: within `--max-width` (a band that cannot be cut, a wide label); else None.
    font_size: float | None = None


def draw_at_detail(analysis: Analysis, options: FigureOptions, draw: Draw) -> Choice:
    """The figure at `options.detail`, `auto` resolved; fitted to `options.page` if given;
    never wider than `options.max_width`."""
    draw = _remembered(draw)
    choice = _choose(analysis, options, draw)
    limit = options.max_width
    if limit is None or options.page is not None or options.style == Style.GRAPH:
        return choice
    scene, size = choice.scene, options.font_size
    for _ in range(8):  # the width is nearly proportional to the font size: a few steps
        if scene.width <= limit + 1e-6:
            break
        size *= limit / scene.width * 0.995
        scene = draw(analysis, options._replace(detail=choice.detail, font_size=size))
    if size == options.font_size:
        return choice
    return choice._replace(scene=scene, font_size=size)


def _remembered(draw: Draw) -> Draw:
    """`draw` that lays a figure out once per set of options: the levels, arrangements and
    compactions tried ask for some layouts more than once (a probe and then the fit)."""
    done: dict[tuple[int, FigureOptions], Scene] = {}

    def remembered(analysis: Analysis, options: FigureOptions) -> Scene:
        key = (id(analysis), options)
        if key not in done:
            done[key] = draw(analysis, options)
        return done[key]

    return remembered


def _choose(analysis: Analysis, options: FigureOptions, draw: Draw) -> Choice:
    if options.detail != Detail.AUTO:
        return _attempt(analysis, options, draw, final=True)
    tried: list[int] = []
    choice: Choice | None = None
    for level in LEVELS:
        count = len(units(analysis, level))
        if tried and count == tried[-1]:
            continue  # the same columns as the finer level already tried
        tried.append(count)
        choice = _attempt(analysis, options._replace(detail=level), draw, final=level is LEVELS[-1])
        if choice.fits:
            return choice
    assert choice is not None
    if choice.detail != LEVELS[-1]:
        choice = _attempt(analysis, options._replace(detail=LEVELS[-1]), draw, final=True)
    return choice


def _attempt(analysis: Analysis, options: FigureOptions, draw: Draw, *, final: bool) -> Choice:
    page = options.page
    if page is not None:
        if not final:
            # As compact as fitting may make it: a level rejected here could not fit at all.
            tightest = options._replace(page=None, compact=options.compact or COMPACTIONS[-1])
            one_row = draw(analysis, tightest)
            minimum = options.min_font or page.min_font
            if _area(one_row, minimum) > page.width * page.height:
                # A stack can take less room than a row (no row of text as tall as the
                # tallest column's): rejected when neither could fit.
                may_stack = options.layout == Arrangement.ROW and options.style != Style.GRAPH
                if (
                    not may_stack
                    or _text_area(
                        draw(analysis, tightest._replace(layout=Arrangement.STACK)), minimum
                    )
                    > page.width * page.height
                ):
                    return Choice(one_row, None, options.detail, fits=False)
        scene, fit = fit_to_page(analysis, options, draw)
        return Choice(scene, fit, options.detail, fit.fits)
    scene = draw(analysis, options)
    if options.style == Style.GRAPH:
        return Choice(scene, None, options.detail, True)  # a graph is as tall as it needs
    if options.max_width is not None:
        fits = scene.width <= options.max_width + 1e-6 and scene.height <= CANVAS_HEIGHT
        return Choice(scene, None, options.detail, fits or final)
    if _on_canvas(scene):
        return Choice(scene, None, options.detail, True)
    if not final and scene.width * scene.height > CANVAS_WIDTH * CANVAS_HEIGHT:
        return Choice(scene, None, options.detail, fits=False)  # rows only add to the area
    wrapped = draw(analysis, options._replace(max_width=CANVAS_WIDTH))
    return Choice(wrapped, None, options.detail, _on_canvas(wrapped))


def _area(scene: Scene, minimum: float) -> float:
    """The scene's area in square points with its smallest text at `minimum` points."""
    scale = minimum / smallest_text(scene)
    return scene.width * scene.height * scale * scale


def _text_area(scene: Scene, minimum: float) -> float:
    """The least area a stack's text can be packed in (stacks side by side included), in
    square points with its smallest text at `minimum` points: every group's lines, from
    the stack's left edge (its blocks) to their right end."""
    boxes: dict[str, list[float]] = {}
    for group, item in walk(scene.items):
        if isinstance(item, Text):
            _, top, right, bottom = bounds(item)
            box = boxes.setdefault(group, [right, top, bottom])
            box[0], box[1], box[2] = max(box[0], right), min(box[1], top), max(box[2], bottom)
    scale = minimum / smallest_text(scene)
    return sum(right * (bottom - top) for right, top, bottom in boxes.values()) * scale**2


def _on_canvas(scene: Scene) -> bool:
    return scene.width <= CANVAS_WIDTH + 1e-6 and scene.height <= CANVAS_HEIGHT + 1e-6
