"""Layout stage: where each column goes in a branching network, before any coordinate.

Columns get a rank (the longest path from the input, so every edge points right) and a
lane (0 for the main path; parallel branches and projection shortcuts take the next free
lanes). Long networks are cut into bands only where a single edge joins consecutive
ranks, so no connection has to jump between bands except the one the connector draws.
Edges spanning more than one rank become arcs over the blocks, each at its own level.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.layout.columns import Column


class Plan(NamedTuple):
    rank: list[int]
    lane: list[int]
    bands: list[list[int]]  # ranks, per band
    levels: dict[tuple[int, int], int]  # arc level of each skip edge (source, target)
    regions: dict[tuple[int, int], int]  # the lane above which each skip edge runs
    first_of: dict[int, int]  # per rank: the first rank of its band

    def bands_first(self, column: int) -> int:
        """The first rank of the band that holds `column`."""
        return self.first_of[self.rank[column]]


def _resolution_level(column: Column, largest: int) -> int:
    """How many halvings the column's spatial size is below the network's largest one."""
    shape = column.result.output_shape
    if len(shape) < 2:
        return 0
    size = max(shape[1:])
    level = 0
    while size * 2 <= largest:
        size *= 2
        level += 1
    return level


def assign(columns: list[Column], u_shape: bool = False) -> tuple[list[int], list[int]]:
    """Ranks and lanes. In the U layout a column's lane is its resolution level, so an
    encoder goes down, a decoder comes back up and their skips run level."""
    rank: list[int] = []
    lane: list[int] = []
    taken: set[tuple[int, int]] = set()
    largest = max((max(c.result.output_shape[1:], default=0) for c in columns), default=1)
    for column in columns:
        r = 1 + max((rank[s] for s in column.sources), default=-1)
        if u_shape:
            preferred = _resolution_level(column, largest)
        else:
            preferred = lane[column.sources[0]] if column.sources else 0
        while (r, preferred) in taken:
            preferred += 1
        taken.add((r, preferred))
        rank.append(r)
        lane.append(preferred)
    return rank, lane


def edges(columns: list[Column]) -> list[tuple[int, int]]:
    return [(source, target) for target, c in enumerate(columns) for source in c.sources]


def cut_points(columns: list[Column], rank: list[int], lane: list[int]) -> set[int]:
    """Ranks r after which a band may end: every edge that crosses leaves one column of rank r
    in lane 0 (the band connector carries that tensor on, and its skips branch off it)."""
    top = max(rank, default=0)
    sources: dict[int, set[int]] = {r: set() for r in range(top)}
    for source, target in edges(columns):
        for r in range(rank[source], rank[target]):
            sources[r].add(source)
    return {
        r
        for r, across in sources.items()
        if len(across) == 1 and rank[next(iter(across))] == r and lane[next(iter(across))] == 0
    }


def pack(widths: dict[int, float], cuts: set[int], available: float | None) -> list[list[int]]:
    """Ranks into bands no wider than `available` where the cut points allow."""
    ranks = sorted(widths)
    if available is None:
        return [ranks]
    bands: list[list[int]] = [[]]
    used = 0.0
    for r in ranks:
        if bands[-1] and used + widths[r] > available:
            allowed = [i for i, q in enumerate(bands[-1]) if q in cuts]
            if allowed:
                keep = allowed[-1] + 1
                moved = bands[-1][keep:]
                bands[-1] = bands[-1][:keep]
                bands.append(moved)
                used = sum(widths[q] for q in moved)
        bands[-1].append(r)
        used += widths[r]
    return [band for band in bands if band]


def arc_levels(
    columns: list[Column], rank: list[int], lane: list[int], bands: list[list[int]]
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """Skip edges (spanning two ranks or more, or arriving from the band above) run above the
    higher of their two lanes, stacked so that overlapping ones get different levels."""
    band_of = {r: b for b, band in enumerate(bands) for r in band}
    first = {b: band[0] for b, band in enumerate(bands)}
    levels: dict[tuple[int, int], int] = {}
    regions: dict[tuple[int, int], int] = {}
    placed: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    skips = []
    for source, target in edges(columns):
        band = band_of[rank[target]]
        crosses = band_of[rank[source]] != band
        if crosses and rank[target] == first[band]:
            continue  # the band connector itself
        if crosses or rank[target] - rank[source] > 1:
            low = first[band] if crosses else rank[source]
            region = lane[target] if crosses else min(lane[source], lane[target])
            skips.append((rank[target] - low, low, source, target, (band, region)))
    for _, low, source, target, key in sorted(skips):
        high = rank[target]
        used = {level for a, b, level in placed.get(key, []) if a <= high and low <= b}
        level = 0
        while level in used:
            level += 1
        levels[(source, target)] = level
        regions[(source, target)] = key[1]
        placed.setdefault(key, []).append((low, high, level))
    # Levels count from the top of an arc space: the shortest arcs, placed first, take the
    # lowest lines, nearest the blocks, so an arc inside another (a squeeze-excitation gate
    # inside a residual block) runs under it instead of crossing it.
    highest = {key: max(level for _, _, level in spans) for key, spans in placed.items()}
    for _, _, source, target, key in skips:
        levels[(source, target)] = highest[key] - levels[(source, target)]
    return levels, regions


def plan(
    columns: list[Column],
    column_widths: list[float],
    available: float | None,
    u_shape: bool = False,
) -> Plan:
    rank, lane = assign(columns, u_shape)
    widths: dict[int, float] = {}
    for index, width in enumerate(column_widths):
        widths[rank[index]] = max(widths.get(rank[index], 0.0), width)
    bands = pack(widths, cut_points(columns, rank, lane), available)
    levels, regions = arc_levels(columns, rank, lane, bands)
    first_of = {r: band[0] for band in bands for r in band}
    return Plan(rank, lane, bands, levels, regions, first_of)
