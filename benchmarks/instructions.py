"""Start-up cost in instructions (valgrind's callgrind), which, unlike wall time on a shared
2-core machine, is the same from run to run. Run: python benchmarks/instructions.py

Compare each command with the bare interpreter and with `import click`, the floor of any
click application.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


#: Without cached bytecode every run would count compiling the package too (sessions here set
#: PYTHONDONTWRITEBYTECODE); the counts are of a user's warm start-up.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def instructions(command: list[str]) -> int:
    subprocess.run(command, capture_output=True, cwd=ROOT, env=ENV, check=True)  # warm up
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
        check=True,
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    assert match, result.stderr[-500:]
    return int(match.group(1))


def main() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    script = Path(sys.executable).with_name("cnndiagram")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "cnndiagram.cli"]
    rows = [
        ("bare interpreter", [sys.executable, "-c", "pass"]),
        ("import click", [sys.executable, "-c", "import click"]),
        ("summary seed --format json", [*cli, "summary", "samples/seed.cnn", "-f", "json"]),
        ("render seed -> SVG", [*cli, "render", "samples/seed.cnn", "-o", "/tmp/cnn-i.svg"]),
        ("render seed -> PNG", [*cli, "render", "samples/seed.cnn", "-o", "/tmp/cnn-i.png"]),
    ]
    for label, command in rows:
        print(f"{label:<30} {instructions(command) / 1e6:8.1f} M instructions")


if __name__ == "__main__":
    main()
