"""Quality checks of a laid-out scene, shared by the figure tests."""

from __future__ import annotations

from cnndiagram.layout.scene import Line, Polygon, Scene, Text, bounds, walk

TOLERANCE = 0.5


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return (
        a[0] < b[2] - TOLERANCE
        and b[0] < a[2] - TOLERANCE
        and a[1] < b[3] - TOLERANCE
        and b[1] < a[3] - TOLERANCE
    )


def _segment_hits_box(
    p: tuple[float, float], q: tuple[float, float], box: tuple[float, float, float, float]
) -> bool:
    """Liang-Barsky clipping: does segment pq pass through the (shrunk) box?"""
    left, top, right, bottom = (
        box[0] + TOLERANCE,
        box[1] + TOLERANCE,
        box[2] - TOLERANCE,
        box[3] - TOLERANCE,
    )
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for edge_p, edge_q in (
        (-dx, p[0] - left),
        (dx, right - p[0]),
        (-dy, p[1] - top),
        (dy, bottom - p[1]),
    ):
        if edge_p == 0:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def problems(scene: Scene) -> list[str]:
    """Every overlap or clipping problem of the scene, as readable lines (empty: all good)."""
    found = []
    items = walk(scene.items)
    texts = [(group, item) for group, item in items if isinstance(item, Text)]
    shapes = [(group, item) for group, item in items if isinstance(item, Polygon)]
    lines = [(group, item) for group, item in items if isinstance(item, Line)]
    for group, item in items:
        left, top, right, bottom = bounds(item)
        if (
            left < -TOLERANCE
            or top < -TOLERANCE
            or right > scene.width + TOLERANCE
            or (bottom > scene.height + TOLERANCE)
        ):
            found.append(f"outside the canvas: {group} {type(item).__name__} {bounds(item)}")
    for i, (group_a, a) in enumerate(texts):
        for group_b, b in texts[i + 1 :]:
            if _overlap(a.box(), b.box()):
                found.append(f"texts overlap: {a.text!r} ({group_a}) and {b.text!r} ({group_b})")
        for group_b, shape in shapes:
            if group_b != group_a and _overlap(a.box(), bounds(shape)):
                found.append(f"text {a.text!r} ({group_a}) overlaps a shape of {group_b}")
        for group_b, line in lines:
            for p, q in zip(line.points, line.points[1:]):
                if _segment_hits_box(p, q, a.box()):
                    found.append(f"a line of {group_b} crosses text {a.text!r} ({group_a})")
                    break
    return found


def _near(point: tuple[float, float], box: tuple[float, float, float, float], pad: float) -> bool:
    return box[0] - pad <= point[0] <= box[2] + pad and box[1] - pad <= point[1] <= box[3] + pad


def _segments_cross(
    a: tuple[tuple[float, float], tuple[float, float]],
    b: tuple[tuple[float, float], tuple[float, float]],
) -> bool:
    """Proper crossing of two segments (touching ends do not count)."""

    def side(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    (p1, p2), (q1, q2) = a, b
    d1, d2 = side(q1, q2, p1), side(q1, q2, p2)
    d3, d4 = side(p1, p2, q1), side(p1, p2, q2)
    return d1 * d2 < -1e-6 and d3 * d4 < -1e-6


def crossings(scene: Scene, kernel: str) -> list[str]:
    """Lines that cross a block (any polygon: cuboid faces, merge nodes, kernel windows) or a
    kernel projection line (stroke `kernel`) that they do not start or end at."""
    found = []
    items = walk(scene.items)
    shapes = [(group, bounds(item)) for group, item in items if isinstance(item, Polygon)]
    lines = [(group, item) for group, item in items if isinstance(item, Line)]
    wedges = [
        (group, (p, q))
        for group, item in lines
        if item.stroke == kernel
        for p, q in zip(item.points, item.points[1:])
    ]
    for group, line in lines:
        if line.stroke == kernel or group == "legend":
            continue
        ends = (line.points[0], line.points[-1])
        for p, q in zip(line.points, line.points[1:]):
            for other, box in shapes:
                if other == "legend" or any(_near(end, box, 3.0) for end in ends):
                    continue
                if _segment_hits_box(p, q, box):
                    found.append(f"a line of {group} crosses a shape of {other} at {box}")
            for other, wedge in wedges:
                if _segments_cross((p, q), wedge):
                    found.append(f"a line of {group} crosses a kernel window line of {other}")
    return found


def line_crossings(scene: Scene, kernel: str) -> list[str]:
    """Pairs of lines (kernel projections and the legend left out) that properly cross: an
    arc nested inside another must run under it, never through it."""
    items = walk(scene.items)
    lines = [
        (group, item)
        for group, item in items
        if isinstance(item, Line) and item.stroke != kernel and group != "legend"
    ]
    segments = [
        (number, group, (p, q))
        for number, (group, item) in enumerate(lines)
        for p, q in zip(item.points, item.points[1:])
    ]
    found = []
    for a, (number_a, group_a, segment_a) in enumerate(segments):
        for number_b, group_b, segment_b in segments[a + 1 :]:
            if number_a != number_b and _segments_cross(segment_a, segment_b):
                found.append(f"a line of {group_a} crosses a line of {group_b}")
    return found
