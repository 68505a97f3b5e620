"""Every scene format (svg, png, pdf, pptx, tikz) of the seed and ResNet-50 as a whole
process, paired against SVG:
the runs alternate format by format, so machine load hits each alike. Run:
python benchmarks/bench_outputs.py

Issue target: pdf, pptx and tikz each within 1.5x of SVG for the seed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cnndiagram.render.formats import FORMATS

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15


def once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    script = Path(sys.executable).with_name("cnndiagram")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "cnndiagram.cli"]
    out = Path(tempfile.mkdtemp())
    for sample, style in (("samples/seed.cnn", "blocks"), ("samples/resnet50.cnn", "blocks")):
        formats = [entry for entry in FORMATS.values() if entry.draws_scene]
        times: dict[str, list[float]] = {entry.name: [] for entry in formats}
        for _ in range(ROUNDS):
            for entry in formats:
                target = out / f"figure{entry.extensions[0]}"
                command = [*cli, "render", sample, "--style", style, "-o", str(target)]
                times[entry.name].append(once(command))
        svg = statistics.median(times["svg"])
        print(f"{sample} ({style}), median of {ROUNDS}:")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"  {name:<5} {median * 1000:7.1f} ms  {median / svg:5.2f}x SVG")


if __name__ == "__main__":
    main()
