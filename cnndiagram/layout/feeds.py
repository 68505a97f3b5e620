"""Layout stage: the lines that bring each column its inputs, one function per kind of edge.

Where the source stands in the plan decides how a line runs:
- `_wrap`: the band connector, from the last column of the band above along the gap
  between the bands and down the left margin into the first rank of this band;
- `_skip_from_above`: a longer edge from the band above, branching off the connector in
  the left margin and running over the blocks at its arc level;
- `_arc`: an edge spanning two ranks or more within a band, over the blocks at its level;
- `_rejoin`: from a lane below back up into the column it merges with (a projection
  shortcut into its (+), a branch into its concatenation), along its own lane and up the
  gap just before that column, arriving from below on a connector of its own, so it never
  crosses the blocks, kernel windows and text of the lanes above;
- `_elbow`: to the next rank in another lane, through the gap between the two;
- `_next`: to the next rank in the same lane, a straight arrow or, from one cuboid to
  another, the window of the kernel projected onto the output block.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.layout.blocks import Block, kernel_patch
from cnndiagram.layout.columns import Column
from cnndiagram.layout.measure import Metrics
from cnndiagram.layout.placement import Plan
from cnndiagram.layout.scene import Line, Primitive
from cnndiagram.layout.theme import Theme

Point = tuple[float, float]

#: Lines into one column that run side by side stay this far apart (units), so they read as
#: separate lines (GoogLeNet's four branches into one concatenation).
SPACING = 4.0

#: How a line that skips ranks or rejoins from a lane below is drawn, by the kind of layer it
#: runs into: a residual's sum, a concatenation, a gate (squeeze-and-excitation, attention).
#: Solid, dashed and dotted survive greyscale printing; the legend names each one present.
LINK_STYLES: dict[str, tuple[str, tuple[float, ...]]] = {
    "add": ("skip into a sum", ()),
    "concat": ("concatenated", (5.0, 3.0)),
    "multiply": ("gate", (1.2, 2.4)),
}


class Cell(NamedTuple):
    """Where one column ended up: its block's left edge, its centre and its lane's midline."""

    left: float
    centre: float
    mid: float
    slot_left: float
    slot_right: float  # right end of its rank's slot (gap included)


class Band(NamedTuple):
    """The band being laid out, as the lines arriving in it see it."""

    top: float
    arc_top: dict[int, float]  # per lane: the top of the space its arcs run in
    turn: float | None  # where the connector from the band above turns down (None: first band)


class Edge(NamedTuple):
    """One input of a column, with the cells of both ends."""

    source: int
    target: int
    number: int  # which input of the target: parallel lines into one column stay apart
    src: Cell
    dst: Cell


def _top(cell: Cell, block: Block) -> Point:
    """Where a line from above meets a block: the back edge of its top face."""
    return (cell.left + block.ox + block.w / 2, cell.mid - block.h / 2 + block.oy)


class Feeds(NamedTuple):
    """What the lines of one figure are drawn from: its columns, their blocks and the plan."""

    columns: list[Column]
    blocks: list[Block]
    where: Plan
    m: Metrics
    style: str
    theme: Theme

    def into(self, index: int, cells: dict[int, Cell], band: Band) -> list[Primitive]:
        """The lines that bring column `index` its inputs (drawn with the column they feed);
        `cells` holds the columns placed so far, `index` included."""
        out: list[Primitive] = []
        for number, source in enumerate(self.columns[index].sources):
            if source in cells:
                edge = Edge(source, index, number, cells[source], cells[index])
                out += self._edge(edge, cells, band)
        return out

    def _edge(self, edge: Edge, cells: dict[int, Cell], band: Band) -> list[Primitive]:
        where = self.where
        first_rank = where.bands_first(edge.target)
        if where.rank[edge.source] < first_rank:
            if where.rank[edge.target] == first_rank:
                return [self._wrap(edge, band)]
            first_mid = min(c.mid for i, c in cells.items() if where.rank[i] >= first_rank)
            return [self._skip_from_above(edge, band, first_mid)]
        if where.rank[edge.target] - where.rank[edge.source] > 1:
            if where.lane[edge.source] > where.lane[edge.target] and self._lane_free(edge):
                return [self._rejoin(edge)]
            return [self._arc(edge, band)]
        if where.lane[edge.source] != where.lane[edge.target]:
            return [self._elbow(edge)]
        return self._next(edge)

    # -- the kinds of edge -----------------------------------------------------------------------

    def _wrap(self, edge: Edge, band: Band) -> Line:
        m = self.m
        between = band.top - m.band_gap / 2
        assert band.turn is not None  # a column whose source lies in the band above
        turn = band.turn
        return self._arrow(
            (
                self._start(edge),
                (turn, edge.src.mid),
                (turn, between),
                (m.margin / 2, between),
                (m.margin / 2, edge.dst.mid),
                self._entry(edge),
            )
        )

    def _skip_from_above(self, edge: Edge, band: Band, first_mid: float) -> Line:
        """`first_mid`: the midline of the band's first rank, where the connector comes in."""
        margin = self.m.margin / 2
        arc_y = self._arc_y(edge, band)
        points = ((margin, first_mid), (margin, arc_y), *self._arrival(edge, arc_y))
        return self._arrow(points, self._dash(edge))

    def _arc(self, edge: Edge, band: Band) -> Line:
        arc_y = self._arc_y(edge, band)
        first: tuple[Point, ...] = (
            (_top(edge.src, self.blocks[edge.source]),)
            if self.where.lane[edge.source] == self._region(edge)
            else (self._start(edge), (self._gap_x(edge), edge.src.mid))
        )
        points = (*first, (first[-1][0], arc_y), *self._arrival(edge, arc_y))
        return self._arrow(points, self._dash(edge))

    def _lane_free(self, edge: Edge) -> bool:
        """No column stands in the source's lane between the two ends."""
        where = self.where
        lane, low, high = where.lane[edge.source], where.rank[edge.source], where.rank[edge.target]
        return not any(
            where.lane[i] == lane and low < where.rank[i] < high for i in range(len(self.columns))
        )

    def _rejoin(self, edge: Edge) -> Line:
        cell, block = edge.dst, self.blocks[edge.target]
        up_x = cell.slot_left - self.m.gap / 2 + self._spread(edge)
        if block.ox == 0 and block.w == block.h:  # a circled merge node: its lower left
            radius = block.w / 2
            end = (cell.centre - 0.72 * radius, cell.mid + 0.72 * radius)
            below = cell.mid + radius + 0.35 * self.m.f
            points = ((up_x, below), (end[0] - 1.0, end[1] + 1.0))
        else:  # a block: the lower half of its front face
            y = cell.mid + block.h / 4
            points = ((up_x, y), (cell.left - 2.0, y))
        return self._arrow((self._start(edge), (up_x, edge.src.mid), *points), self._dash(edge))

    def _elbow(self, edge: Edge) -> Line:
        gap_x = self._gap_x(edge)
        return self._arrow(
            (self._start(edge), (gap_x, edge.src.mid), (gap_x, edge.dst.mid), self._entry(edge))
        )

    def _next(self, edge: Edge) -> list[Primitive]:
        src, cell = edge.src, edge.dst
        src_block, block = self.blocks[edge.source], self.blocks[edge.target]
        theme = self.theme
        patch = None
        if self.style == "blocks" and edge.number == 0 and src_block.ox:
            patch = kernel_patch(
                src.left,
                src.mid,
                src_block,
                self.columns[edge.target],
                self.columns[edge.source],
                theme,
            )
        if patch is not None and block.ox:
            target = (cell.left + block.w * 0.45, cell.mid)
            corners = patch.points
            return [
                patch,
                Line((corners[1], target), theme.kernel, 0.5),
                Line((corners[2], target), theme.kernel, 0.5),
            ]
        return [self._arrow((self._start(edge), self._entry(edge)))]

    # -- shared geometry -------------------------------------------------------------------------

    def _arrow(self, points: tuple[Point, ...], dash: tuple[float, ...] = ()) -> Line:
        return Line(points, self.theme.arrow, 0.9, arrow=True, dash=dash)

    def _dash(self, edge: Edge) -> tuple[float, ...]:
        style = LINK_STYLES.get(self.columns[edge.target].result.kind)
        return style[1] if style is not None else ()

    def _start(self, edge: Edge) -> Point:
        """Just right of the source block, where a line leaves it."""
        return (edge.src.left + self.blocks[edge.source].extent + 2.0, edge.src.mid)

    def _entry(self, edge: Edge) -> Point:
        """Just left of the target block, where an arrowhead ends."""
        return (edge.dst.left - 2.0, edge.dst.mid)

    def _gap_x(self, edge: Edge) -> float:
        """Where a line turns in the gap after the source's slot, spread apart per input."""
        return edge.src.slot_right - self.m.gap / 2 + self._spread(edge)

    def _spread(self, edge: Edge) -> float:
        """How far from the middle of a gap this input's vertical runs: the inputs of one
        column side by side, `SPACING` apart (closer if the gap is too narrow for them),
        centred in the gap so that none reaches into a column's text."""
        count = len(self.columns[edge.target].sources)
        if count < 2:
            return 0.0
        step = min(SPACING, (self.m.gap - 4.0) / (count - 1))
        return step * (edge.number - (count - 1) / 2)

    def _region(self, edge: Edge) -> int:
        return self.where.regions[(edge.source, edge.target)]

    def _arc_y(self, edge: Edge, band: Band) -> float:
        """The height of an arc: its level within the space above the lane it runs over."""
        level = self.where.levels[(edge.source, edge.target)]
        return band.arc_top[self._region(edge)] + (level + 0.5) * 0.95 * self.m.f

    def _arrival(self, edge: Edge, arc_y: float) -> tuple[Point, ...]:
        """The end of an arc: straight down onto the block when the arc runs above its lane,
        else down the gap before it."""
        cell, block = edge.dst, self.blocks[edge.target]
        if self.where.lane[edge.target] == self._region(edge):
            end = _top(cell, block) if block.ox else (cell.centre, cell.mid - block.h / 2)
            return ((end[0], arc_y), (end[0], end[1] - 1.5))
        into = cell.slot_left - self.m.gap / 2 + self._spread(edge)
        return ((into, arc_y), (into, cell.mid), self._entry(edge))
