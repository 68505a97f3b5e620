"""Batch stamp: what an output was written from, kept in OUTDIR/.cnndiagram-batch.json.

An output is up to date when the stamp records that it was written from a spec with the
same bytes, in the same format, with the same options, limits and cnndiagram version, and
the file still holds the bytes written then. Times are never compared: touching a spec
changes nothing; editing it, changing an option or upgrading cnndiagram renders again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from typing import TYPE_CHECKING

from cnndiagram import __version__

if TYPE_CHECKING:
    from cnndiagram.batch.run import Settings
    from cnndiagram.limits import Limits

STAMP_NAME = ".cnndiagram-batch.json"


def read_stamp(outdir: str) -> dict[str, dict[str, str]]:
    """The stamp's entries (output file name -> key and digest); none when it is missing
    or unreadable, which only means that everything is rendered again."""
    try:
        with open(os.path.join(outdir, STAMP_NAME), "rb") as file:
            data = json.loads(file.read())
        outputs = data["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(outputs, dict):
        return {}
    return {
        name: entry
        for name, entry in outputs.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("sha256"), str)
    }


def stamp_text(entries: dict[str, dict[str, str]]) -> str:
    """The stamp as deterministic JSON (sorted, so the same renders give the same file)."""
    document = {"cnndiagram": __version__, "outputs": entries}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=True) + "\n"


def render_key(spec_bytes: bytes, spec: str, fmt: str, settings: Settings) -> str:
    """What an output depends on: the spec's bytes and extension (which picks its reader),
    the format, every option, the limits and the version. The spec's path is not part of
    it: the figure never shows it."""
    parts = {
        "version": __version__,
        "spec": hashlib.sha256(spec_bytes).hexdigest(),
        "extension": os.path.splitext(spec)[1].lower(),
        "spec_format": settings.spec_format,
        "input_shape": settings.input_shape,
        "limits": list(settings.limits),
        "format": fmt,
        "figure": settings.figure._asdict(),
        "output": settings.output._asdict(),
    }
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_of(path: str) -> str | None:
    """SHA-256 of a regular file's bytes; None for anything else (a FIFO is never opened,
    which would wait for a writer) or when it cannot be read."""
    data = _regular_file_bytes(path)
    return None if data is None else hashlib.sha256(data).hexdigest()


def spec_bytes(spec: str, limits: Limits) -> bytes | None:
    """A spec file's bytes for its key; None for a pipe or device (`<(generate)`), which
    reading here would drain before the loader sees it: such a spec is always drawn."""
    return _regular_file_bytes(spec, limits.max_file_size + 1)


def _regular_file_bytes(path: str, limit: int = -1) -> bytes | None:
    # Never open anything else: opening a FIFO to look at it would let its writer write
    # and go, and what it wrote would be gone when the loader opens it. O_NONBLOCK and the
    # fstat cover a file replaced by a FIFO between the stat and the open.
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None  # the loader or the writer reports it
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read(limit)
    except OSError:
        return None
    finally:
        os.close(fd)
