"""Size limits that turn absurd input into a clear error instead of a hang or a huge allocation.

Each limit has a CLI flag of the same name that raises it (`--max-layers`, `--max-dim`,
`--max-file-size`); the README documents the defaults.
"""

from __future__ import annotations

from typing import NamedTuple


class Limits(NamedTuple):
    #: Statements in one spec.
    max_layers: int = 10_000
    #: Any single size: an argument such as filters or units, or one dimension of a tensor.
    max_dim: int = 16_777_216
    #: Bytes of spec text read from a file or stdin.
    max_file_size: int = 4 * 1024 * 1024


DEFAULT_LIMITS = Limits()


#: Pixels in one PNG (width x height); `--max-pixels` raises it.
DEFAULT_MAX_PIXELS = 100_000_000
