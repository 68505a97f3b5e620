"""Layout stage: runs Graphviz, the graph style's placement engine, on DOT text.

A system `dot` when present, else the `graphviz-pure` executable that the package depends
on (a plain pip install brings it); `CNNDIAGRAM_DOT` names another one."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sysconfig

from cnndiagram.errors import CnnDiagramError, MissingDependencyError


def _resolve(program: str) -> str | None:
    found = shutil.which(program)
    if found:
        return found
    # a virtualenv's scripts are not on PATH when the API is used without activating it
    beside = os.path.join(sysconfig.get_path("scripts"), program)
    return beside if os.path.exists(beside) else None


def find_graphviz() -> str:
    named = os.environ.get("CNNDIAGRAM_DOT")
    for candidate in [named] if named else ["dot", "graphviz-pure"]:
        found = _resolve(candidate)
        if found:
            return found
    if named:
        raise MissingDependencyError(f"CNNDIAGRAM_DOT names '{named}', which is not found")
    raise MissingDependencyError(
        "the graph style needs Graphviz, and neither 'dot' nor 'graphviz-pure' was found",
        hint="pip install graphviz-pure (or apt-get install graphviz)",
    )


#: Seconds Graphviz may take (`CNNDIAGRAM_DOT_TIMEOUT` changes it), and the most it may print:
#: a program that hangs or floods is stopped with a clear error instead of being waited on.
DEFAULT_TIMEOUT = 60.0
MAX_OUTPUT = 64 * 1024 * 1024


def _timeout() -> float:
    text = os.environ.get("CNNDIAGRAM_DOT_TIMEOUT")
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise CnnDiagramError(
            f"CNNDIAGRAM_DOT_TIMEOUT must be a positive number of seconds, not {text!r}"
        )
    return value


def run_graphviz(dot: str, fmt: str = "json") -> bytes:
    """Graphviz's output for `dot` in format `fmt`, read in full before it is used."""
    program = find_graphviz()
    timeout = _timeout()
    try:
        result = subprocess.run(
            [program, f"-T{fmt}"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CnnDiagramError(
            f"Graphviz took more than {timeout:g} s",
            hint="set CNNDIAGRAM_DOT_TIMEOUT to allow more seconds",
        ) from None
    except OSError as error:
        raise MissingDependencyError(f"cannot run Graphviz ({program}): {error}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CnnDiagramError(
            f"Graphviz ({os.path.basename(program)}) failed: "
            + (message[0] if message else f"exit status {result.returncode}")
        )
    if len(result.stdout) > MAX_OUTPUT:
        raise CnnDiagramError(
            f"Graphviz printed {len(result.stdout):,} bytes, more than a layout needs "
            f"({MAX_OUTPUT:,} at most)"
        )
    return result.stdout
