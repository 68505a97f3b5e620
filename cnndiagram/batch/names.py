"""Batch names: which file in OUTDIR each spec of a batch writes, decided before any work."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from cnndiagram.errors import OptionError


def unique_specs(specs: Iterable[str]) -> list[str]:
    """`specs` without repeats of one file (a shell glob and a name that overlap), in order;
    files are told apart by device and inode, as `os.path.samefile` does."""
    seen: set[object] = set()
    kept = []
    for spec in specs:
        try:
            info = os.stat(spec)
            identity: object = (info.st_dev, info.st_ino)
        except OSError:
            identity = os.path.abspath(spec)  # unreadable: the loader reports it
        if identity not in seen:
            seen.add(identity)
            kept.append(spec)
    return kept


def output_names(specs: Sequence[str]) -> list[str]:
    """The name (without extension) each spec's outputs get in OUTDIR: its stem, or its
    whole file name when another spec of the batch has the same stem (`seed.cnn` and
    `seed.yaml` write `seed.cnn.svg` and `seed.yaml.svg`). Names that still clash (`a/x.cnn`
    and `b/x.cnn`) are a usage error, before any work: nothing is silently overwritten.
    Names are compared case-insensitively, for file systems that do."""
    if "-" in specs:
        raise OptionError("'-' (stdin) has no name to write in OUTDIR; use -o for one spec")
    files = [os.path.basename(spec) for spec in specs]
    stems = [os.path.splitext(name)[0] for name in files]
    counts: dict[str, int] = {}
    for stem in stems:
        counts[stem.casefold()] = counts.get(stem.casefold(), 0) + 1
    names = [
        file if counts[stem.casefold()] > 1 else stem
        for file, stem in zip(files, stems, strict=True)
    ]
    owners: dict[str, str] = {}
    for spec, name in zip(specs, names, strict=True):
        other = owners.setdefault(name.casefold(), spec)
        if other != spec:
            raise OptionError(
                f"{other} and {spec} would both write {name}.* in OUTDIR; "
                "rename one, or render them into separate directories"
            )
    return names
