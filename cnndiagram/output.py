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
    import tempfile  # only when writing a file: it costs several ms of start-up

    directory = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(prefix=".cnndiagram-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
