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


# Fixed limits of the spec readers. They have no flag: each sits far above what any valid
# spec needs and below what the readers (recursive, like the validator after them) or CPython
# can take, so raising them could only turn a clear message into a crash.

#: Nesting of lists and mappings in YAML, TOML and JSON (Python's recursion limit is 1,000;
#: a spec with blocks nested 8 deep, the DSL's limit, needs about 20).
MAX_DEPTH = 32
#: Keys in one YAML/TOML/JSON mapping: no layer takes more than a dozen arguments.
MAX_KEYS = 64
#: Digits of one integer literal in any reader. Sizes above `--max-dim` are refused anyway;
#: this keeps conversion cheap and far below CPython's 4,300-digit limit for `int(str)`.
MAX_INT_DIGITS = 100


def too_many_digits(literal: str) -> str | None:
    """Why an integer literal (sign, base prefix and `_` aside) is refused, or None."""
    digits = len(literal.lstrip("+-").replace("_", ""))
    if literal.lstrip("+-")[:2].lower() in ("0x", "0o", "0b"):
        digits -= 2
    if digits <= MAX_INT_DIGITS:
        return None
    return f"an integer of {digits:,} digits; at most {MAX_INT_DIGITS} are read"


#: Values (scalars, lists, mappings) a YAML/TOML/JSON spec may hold for each layer it may have
#: (`--max-layers`): a layer written out in full, `{conv: {filters: 8, kernel: [3, 3]}}`,
#: holds 9.
VALUES_PER_LAYER = 16
