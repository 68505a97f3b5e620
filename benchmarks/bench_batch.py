"""Benchmark of batch rendering (issue target: every sample spec to SVG in one command at
least 4x faster than one process per spec). Wall time, median of several rounds, each
into a fresh directory (so nothing is skipped as up to date).

Run: python benchmarks/bench_batch.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(path for path in (ROOT / "samples").iterdir() if path.is_file())
COMMAND = [sys.executable, "-m", "cnndiagram.cli", "render"]


def run(args: list[str]) -> None:
    subprocess.run([*COMMAND, *args], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)


def one_process(outdir: Path, jobs: int = 1) -> None:
    run([*map(str, SAMPLES), "-d", str(outdir), "-j", str(jobs)])


def process_per_spec(outdir: Path) -> None:
    # Named as the batch names them, so both write the same files.
    for spec in SAMPLES:
        run([str(spec), "-o", str(outdir / f"{spec.name}.svg")])


def median_seconds(task: Callable[[Path], None], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            task(Path(folder))
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"{len(SAMPLES)} sample specs to SVG, median of {rounds} rounds (wall time):")
    separate = median_seconds(process_per_spec, rounds)
    batch = median_seconds(one_process, rounds)
    workers = median_seconds(lambda outdir: one_process(outdir, jobs=2), rounds)
    print(f"  one process per spec          {separate:7.3f} s")
    print(f"  render SPEC... -d OUT         {batch:7.3f} s   {separate / batch:4.1f}x faster")
    print(f"  render SPEC... -d OUT -j 2    {workers:7.3f} s   {separate / workers:4.1f}x faster")
    print(f"  target: at least 4x; {'met' if separate / batch >= 4 else 'NOT met'}")


if __name__ == "__main__":
    main()
