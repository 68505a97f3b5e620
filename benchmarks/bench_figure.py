"""Benchmarks of figures (issue targets, whole process on these 2-core machines): seed network
to SVG < 0.1 s and to PNG < 0.16 s; VGG-16 to PNG at 2x < 0.5 s; a 1,000-layer chain to SVG
< 1 s, growing linearly. Run: python benchmarks/bench_figure.py"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_ms(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def chain_spec(layers: int) -> str:
    body = "\n".join(f"conv({16 + i % 3 * 16}, 3, pad=1)" for i in range(layers))
    return f'title "{layers}-layer chain"\ninput(16x32x32)\n{body}\n'


def graph_split() -> str:
    """The graph style's scene as a whole (in process) against the Graphviz run inside it."""
    from cnndiagram.diagram import Diagram
    from cnndiagram.layout import graphviz

    spent = []
    run = graphviz.run_graphviz

    def timed(dot: str, fmt: str = "json") -> bytes:
        start = time.perf_counter()
        try:
            return run(dot, fmt)
        finally:
            spent.append(time.perf_counter() - start)

    graphviz.run_graphviz = timed  # the graph module looks it up on its own import
    from cnndiagram.layout import graph

    graph.run_graphviz = timed
    start = time.perf_counter()
    Diagram(ROOT / "samples/resnet50.cnn", style="graph").to_svg()
    total = time.perf_counter() - start
    program = Path(graphviz.find_graphviz()).name
    return f"  in process: {total * 1000:.1f} ms, of which {program}: {sum(spent) * 1000:.1f} ms"


def main() -> None:
    script = Path(sys.executable).with_name("cnndiagram")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "cnndiagram.cli"]
    out = Path(tempfile.mkdtemp())
    bare = median_ms([sys.executable, "-c", "pass"], 21)
    print(f"bare interpreter start:           {bare:7.1f} ms")
    seed = "samples/seed.cnn"
    for label, args, target in (
        ("seed -> SVG", ["render", seed, "-o", str(out / "s.svg")], 100),
        ("seed -> PNG (2x)", ["render", seed, "-o", str(out / "s.png")], 160),
        (
            "VGG-16 -> PNG (2x)",
            ["render", "samples/vgg16.cnn", "-o", str(out / "v.png"), "--scale", "2"],
            500,
        ),
    ):
        print(f"{label:<33} {median_ms([*cli, *args], 21):7.1f} ms  (target < {target} ms)")
    # PowerPoint, written by the package itself (no python-pptx); the target is a
    # whole process within 1.5 times the SVG's
    svg_ms = median_ms([*cli, "render", seed, "-o", str(out / "s.svg")], 21)
    pptx_ms = median_ms([*cli, "render", seed, "-o", str(out / "s.pptx")], 21)
    print(
        f"{'seed -> PPTX':<33} {pptx_ms:7.1f} ms  "
        f"({pptx_ms / svg_ms:.2f} x the SVG, target < 1.5 x)"
    )
    resnet = ["render", "samples/resnet50.cnn", "-o", str(out / "r.svg")]
    print(
        f"{'ResNet-50 -> SVG (blocks)':<33} {median_ms([*cli, *resnet], 11):7.1f} ms  "
        "(target < 500 ms)"
    )
    graph = ["render", "samples/resnet50.cnn", "--style", "graph", "-o", str(out / "g.svg")]
    print(f"{'ResNet-50 -> SVG (graph, total)':<33} {median_ms([*cli, *graph], 5):7.1f} ms")
    print(graph_split())
    for layers in (250, 500, 1000):
        spec = out / f"chain{layers}.cnn"
        spec.write_text(chain_spec(layers))
        ms = median_ms([*cli, "render", str(spec), "-o", str(out / "c.svg")], 5)
        print(
            f"{layers:>5}-layer chain -> SVG          {ms:7.1f} ms  "
            f"({ms / layers:5.2f} ms/layer{', target < 1000 ms' if layers == 1000 else ''})"
        )


if __name__ == "__main__":
    main()
