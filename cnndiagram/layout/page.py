"""Layout stage: fitting a figure to a page in physical units, text never below a minimum.

A figure fits a page when, scaled to the page, it is no wider and no taller than the page.
Its smallest text, at that scale, must be at least the minimum font size. The search
tries the figure as one row first, then the scale that a given wrap width implies: the
wider the rows, the smaller the scale, so the largest scale whose wrapped figure is short
enough is found by bisection (a handful of layouts, each linear in layers). Before more
rows, narrower columns and lower blocks are tried (`FigureOptions.compact`), and after
every row a stack (`layout.stack`), which suits pages taller than they are wide.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

from cnndiagram.engine.analysis import Analysis
from cnndiagram.layout.scene import Scene, Text, walk
from cnndiagram.options import Arrangement, FigureOptions, Page, Style

Draw = Callable[[Analysis, FigureOptions], Scene]
#: Bisection steps between the smallest and the largest scale: 3% of the range is enough.
STEPS = 5


class Fit(NamedTuple):
    """How a figure was fitted: its scale (points per unit) and whether it fits the page."""

    scale: float
    fits: bool
    width: float  # points
    height: float
    smallest_text: float  # points at print size


def smallest_text(scene: Scene) -> float:
    sizes = [item.size for _, item in walk(scene.items) if isinstance(item, Text)]
    return min(sizes, default=12.0)


def _scale(scene: Scene, page: Page, low: float, high: float) -> float:
    return max(low, min(page.width / scene.width, page.height / scene.height, high))


def _fits(scene: Scene, page: Page, scale: float) -> bool:
    slack = 1e-3
    return scene.width * scale <= page.width + slack and scene.height * scale <= page.height + slack


#: The compactions a page tries when `--compact` is not given, least first: narrower
#: columns and lower blocks before more rows, which cost more height than they save width.
COMPACTIONS = (1.0, 0.8, 0.65, 0.5)
#: The most stacks side by side a page wider than tall is given.
MAX_STACKS = 3


def fit_to_page(analysis: Analysis, options: FigureOptions, draw: Draw) -> tuple[Scene, Fit]:
    """The figure drawn to fit `options.page`, with its physical size recorded in the scene:
    at the given compaction, or the least of `COMPACTIONS` that fits; as a row, else (when
    the arrangement was left to it) as a stack; else whichever overflows the page least."""
    arrangements = [options.layout]
    if options.layout == Arrangement.ROW and options.style != Style.GRAPH:
        arrangements.append(Arrangement.STACK)  # a page taller than any row fits
    compactions = COMPACTIONS if options.compact is None else (options.compact,)
    page = options.page
    assert page is not None
    tried: list[tuple[Scene, Fit]] = []
    text: float | None = None  # the smallest text, in units, once a layout has measured it
    for layout in arrangements:
        stacks: tuple[int | None, ...] = (options.stacks,)
        if layout == Arrangement.STACK and options.stacks is None:
            # A page wider than tall holds stacks side by side.
            stacks = tuple(range(1, MAX_STACKS + 1)) if page.width > page.height else (1,)
        for parts in stacks:
            arranged = options._replace(layout=layout, stacks=parts)
            if len(compactions) > 1:
                # The tightest is the smallest: if it cannot fit at the smallest allowed
                # text, no compaction of this arrangement can (two layouts, no bisection).
                tightest = arranged._replace(compact=compactions[-1])
                probe = _fit(analysis, tightest, draw, bisect=False, text=text)
                text = text or probe[1].smallest_text / probe[1].scale
                if not probe[1].fits:
                    tried.append(probe)
                    continue
            for compact in compactions:
                scene, fit = _fit(analysis, arranged._replace(compact=compact), draw, text=text)
                text = text or fit.smallest_text / fit.scale
                if fit.fits:
                    return scene, fit
                tried.append((scene, fit))
    # None fits: the one that overflows its page least.
    return min(
        tried, key=lambda pair: max(pair[1].width / page.width, pair[1].height / page.height)
    )


def _fit(
    analysis: Analysis,
    options: FigureOptions,
    draw: Draw,
    *,
    bisect: bool = True,
    text: float | None = None,
) -> tuple[Scene, Fit]:
    """The figure at the largest scale that fits the page, found by bisection; or (without
    `bisect`) at the smallest, enough to tell whether it can fit. A stack whose smallest
    `text` is known (from the row) is not first laid out unwrapped: it is always wrapped."""
    page = options.page
    assert page is not None
    minimum = options.min_font or page.min_font
    scene: Scene | None = None
    if text is None or options.layout != Arrangement.STACK:
        scene = draw(analysis, options._replace(page=None))
        text = smallest_text(scene)
    low = minimum / text  # below this scale, text would be smaller than the minimum
    high = max(1.0, low)  # grow a figure only as far as its text needs
    best = scene
    scale = low if scene is None else _scale(scene, page, low, high)
    if scene is None or (not _fits(scene, page, scale) and options.style != Style.GRAPH):
        # Wrapping into rows trades width for height: bisect the scale whose wrap fits.
        def wrapped(at: float) -> Scene:
            width = page.width / at
            if options.max_width is not None:
                width = min(width, options.max_width)
            return draw(analysis, options._replace(page=None, max_width=max(width, 100.0)))

        lo, hi = low, high
        candidate = wrapped(lo)
        if scene is None and smallest_text(candidate) != text:
            return _fit(analysis, options, draw, bisect=bisect)  # its text is not as given
        if _fits(candidate, page, lo):
            best, scale = candidate, lo
            for _ in range(STEPS if bisect else 0):
                middle = (lo + hi) / 2
                trial = wrapped(middle)
                if _fits(trial, page, middle):
                    best, scale, lo = trial, middle, middle
                else:
                    hi = middle
            scale = _scale(best, page, scale, high)
        else:
            best, scale = candidate, low
    assert best is not None
    # rounded up, so the smallest text is never a hair below the minimum
    scale = math.ceil(scale * 1e6) / 1e6
    fitted = best._replace(points_per_unit=scale)
    return fitted, Fit(
        scale,
        _fits(best, page, scale),
        best.width * scale,
        best.height * scale,
        smallest_text(best) * scale,
    )
