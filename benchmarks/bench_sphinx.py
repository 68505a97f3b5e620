"""A Sphinx HTML build of one page holding every spec in samples/, as a user runs it: a
fresh `sphinx-build` process, cold (no doctrees, no cached figures) and warm (the page
edited, so it is read again, with every figure already drawn). Run:
python benchmarks/bench_sphinx.py [-j N]

Issue target: the cold build under 5 s on the project's 2-core machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5
#: Spec files and model files the samples hold (figures/ holds pictures of them).
SPEC_EXTENSIONS = (".cnn", ".yaml", ".toml", ".json", ".py")


def page(samples: list[Path], source: Path) -> str:
    lines = ["Samples", "=======", ""]
    for sample in samples:
        # Relative to the page: an absolute path would be relative to the source directory.
        path = os.path.relpath(sample, source)
        lines += [f".. cnndiagram:: {path}", f"   :caption: {sample.name}", ""]
    return "\n".join(lines)


def build(source: Path, out: Path, doctrees: Path, jobs: str) -> tuple[float, float]:
    """Wall time and the CPU time (user + system) of the build's processes: on a loaded
    machine the wall time grows, the CPU time much less."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sphinx", "-q", "-j", jobs, "-b", "html"]
    before = os.times()
    start = time.perf_counter()
    subprocess.run([*command, "-d", str(doctrees), str(source), str(out)], check=True, env=env)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-j", "--jobs", default="1", help="sphinx-build -j (default 1)")
    jobs = parser.parse_args().jobs
    samples = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in SPEC_EXTENSIONS)
    cold: list[tuple[float, float]] = []
    warm: list[tuple[float, float]] = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as work:
            source = Path(work, "src")
            source.mkdir()
            (source / "conf.py").write_text('extensions = ["cnndiagram.sphinx"]\n')
            index = source / "index.rst"
            index.write_text(page(samples, source))
            out, doctrees = Path(work, "html"), Path(work, "doctrees")
            cold.append(build(source, out, doctrees, jobs))
            index.write_text(page(samples, source) + "\nEdited.\n")
            warm.append(build(source, out, doctrees, jobs))
            drawn = len(list(out.joinpath("_images").glob("cnndiagram-*.svg")))
            assert drawn == len(samples), f"{drawn} figures for {len(samples)} samples"
    print(f"{len(samples)} sample specs on one page, sphinx-build -j {jobs}, median of {ROUNDS}:")
    for name, runs in (("cold (every figure drawn)", cold), ("warm (re-read, cached)", warm)):
        wall = statistics.median(run[0] for run in runs)
        cpu = statistics.median(run[1] for run in runs)
        print(f"  {name:<26} {wall:5.2f} s wall, {cpu:5.2f} s CPU")


if __name__ == "__main__":
    main()
