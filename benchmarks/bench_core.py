"""Benchmarks of the core (issue targets: summary as a whole process < 0.08 s; the engine on a
10,000-layer chain < 0.1 s, growing linearly). Run: python benchmarks/bench_core.py"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cnndiagram.engine.analysis import analyze
from cnndiagram.ir import Input, Layer, Network
from cnndiagram.report import json_text

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(command: list[str], runs: int = 21) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def chain(layers: int) -> Network:
    """conv 3x3 same -> batchnorm -> relu, repeated: shapes stay 64x56x56."""
    conv = Layer(
        "c",
        "conv",
        (
            ("filters", 64),
            ("kernel", 3),
            ("stride", 1),
            ("pad", 1),
            ("dilation", 1),
            ("groups", 1),
            ("bias", False),
            ("act", "linear"),
            ("trainable", True),
        ),
    )
    bn = Layer("b", "batchnorm", (("affine", True), ("running_stats", True), ("trainable", True)))
    relu = Layer("r", "relu", ())
    pattern = [conv, bn, relu]
    body = tuple(
        Layer(f"{pattern[i % 3].kind}{i}", pattern[i % 3].kind, pattern[i % 3].args)
        for i in range(layers)
    )
    return Network(Input((64, 56, 56)), body)


def time_engine(layers: int, runs: int = 7) -> float:
    network = chain(layers)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        analyze(network)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    script = Path(sys.executable).with_name("cnndiagram")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cnndiagram.cli"]
    whole = median_seconds([*command, "summary", "samples/seed.cnn", "--format", "json"])
    bare = median_seconds([sys.executable, "-c", "pass"])
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"bare interpreter start:                          {bare * 1000:7.1f} ms")
    print(
        f"summary samples/seed.cnn --format json (process): {whole * 1000:7.1f} ms  "
        "(target < 80 ms)"
    )
    for layers in (1_000, 2_000, 5_000, 10_000):
        seconds = time_engine(layers)
        print(
            f"engine, {layers:>6,}-layer chain: {seconds * 1000:7.1f} ms  "
            f"({seconds / layers * 1e6:5.2f} us/layer)"
        )
    start = time.perf_counter()
    json_text(analyze(chain(10_000)))
    print(
        f"engine + JSON report with formulas, 10,000 layers: "
        f"{(time.perf_counter() - start) * 1000:7.1f} ms"
    )


if __name__ == "__main__":
    main()
