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
