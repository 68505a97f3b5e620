"""Engine stage: the complete rule registry, importing every rule module once."""

from __future__ import annotations

from cnndiagram.engine import conv, layers, merge, norm, pool  # noqa: F401  (they register rules)
from cnndiagram.engine.registry import REGISTRY, Op


def op_for(kind: str) -> Op:
    return REGISTRY[kind]
