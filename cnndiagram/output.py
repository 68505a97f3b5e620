"""Output stage: atomic writes, so a failed run never leaves a half-written file behind."""

from __future__ import annotations

import os
import sys


def write_output(path: str, data: str | bytes) -> None:
    """Writes to `path` (or stdout for `-`) through a temporary file renamed into place."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    directory, name = os.path.split(os.path.abspath(path))
    # A name of our own beside the target (same file system, so the rename is atomic);
    # O_EXCL refuses to follow or reuse anything already there. tempfile would cost ~5 ms
    # of start-up for the same thing.
    temp = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
