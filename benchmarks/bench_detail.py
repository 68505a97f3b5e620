"""Benchmarks of levels of detail (issue targets, whole process on these 2-core machines):
ResNet-50 to SVG with `--page textwidth` (auto tries levels) at most 1.5x the same net drawn
at `--detail layers` without a page, measured paired in one run; DenseNet-121 under 1 s; and
the layout linear in layers: a 10,000-layer chain to SVG at most 11x a 1,000-layer chain.
Run: python benchmarks/bench_detail.py"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_figure import chain_spec  # noqa: E402 - the same chain as the figure benchmark


def paired_ms(commands: list[list[str]], runs: int) -> list[float]:
    """Median wall time of each command, run in turns so that load hits them alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for index, command in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(
                command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
            )
            times[index].append(time.perf_counter() - start)
    return [statistics.median(t) * 1000 for t in times]


def in_process_ms(spec: str, runs: int) -> float:
    """Analysis, layout and SVG of inline spec text, in this process (no start-up)."""
    from cnndiagram.diagram import Diagram

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        Diagram(spec, detail="layers", max_width=1600).to_svg()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    script = Path(sys.executable).with_name("cnndiagram")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "cnndiagram.cli"]
    out = Path(tempfile.mkdtemp())
    resnet = "samples/resnet50.cnn"
    layers_ms, page_ms, dense_ms = paired_ms(
        [
            [*cli, "render", resnet, "--detail", "layers", "-o", str(out / "a.svg")],
            [*cli, "render", resnet, "--page", "textwidth", "-o", str(out / "b.svg")],
            [*cli, "render", "samples/densenet121.cnn", "-o", str(out / "c.svg")],
        ],
        11,
    )
    print(f"ResNet-50 -> SVG, --detail layers:       {layers_ms:7.1f} ms")
    print(
        f"ResNet-50 -> SVG, --page textwidth:      {page_ms:7.1f} ms"
        f"  ({page_ms / layers_ms:.2f} x, target <= 1.5 x)"
    )
    print(f"DenseNet-121 -> SVG (auto):              {dense_ms:7.1f} ms  (target < 1000 ms)")
    small = in_process_ms(chain_spec(1000), 5)
    large = in_process_ms(chain_spec(10000), 3)
    print(f"1,000-layer chain -> SVG, in process:    {small:7.1f} ms")
    print(
        f"10,000-layer chain -> SVG, in process:   {large:7.1f} ms"
        f"  ({large / small:.1f} x, target <= 11 x)"
    )


if __name__ == "__main__":
    main()
