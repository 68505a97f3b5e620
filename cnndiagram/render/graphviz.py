"""Render stage: runs Graphviz on DOT text. A system `dot` when present, else the
`graphviz-pure` executable that the package depends on (a plain pip install brings it);
`CNNDIAGRAM_DOT` names another one."""

from __future__ import annotations

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


def run_graphviz(dot: str, fmt: str = "svg", timeout: float = 120.0) -> bytes:
    program = find_graphviz()
    try:
        result = subprocess.run(
            [program, f"-T{fmt}"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CnnDiagramError(f"Graphviz took more than {timeout:g} s") from None
    except OSError as error:
        raise MissingDependencyError(f"cannot run Graphviz ({program}): {error}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CnnDiagramError(
            f"Graphviz ({os.path.basename(program)}) failed: "
            + (message[0] if message else f"exit status {result.returncode}")
        )
    return result.stdout
