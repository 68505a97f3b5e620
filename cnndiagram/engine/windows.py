"""Engine stage: per-axis size rules of sliding windows (convolution, pooling, transposed conv).

Each rule comes in two forms: a fast integer function used by the engine, and a
formula builder used when the derivation is shown. Property tests check that the two
agree and that the integer rule equals a brute-force count of window positions.

PyTorch's rules (torch.nn docs), per spatial axis with input n, kernel k, stride s,
padding p, dilation d:

* convolution and pooling: ``out = floor((n + 2p - d(k-1) - 1)/s) + 1``
* pooling with ``ceil_mode``: ``ceil`` instead of ``floor``, minus one when the last
  window would start in the right padding, i.e. when ``(out - 1)s >= n + p``
* transposed convolution: ``out = (n - 1)s - 2p + d(k-1) + output_padding + 1``

``same`` and ``valid`` follow TensorFlow/Keras: ``same`` gives ``ceil(n/s)`` (any odd
padding goes at the end), ``valid`` is ``p = 0``; for transposed convolution
``same`` gives ``n*s`` and ``valid`` gives ``n*s + max(d(k-1) + 1 - s, 0)``.
"""

from __future__ import annotations

from cnndiagram.engine.formulas import (
    Expr,
    add,
    ceil_div,
    floor_div,
    maximum,
    mul,
    sub,
)

#: Labels of the spatial axes, by spatial rank.
AXIS_LABELS = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
AXIS_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}

Pad = int | str  # an explicit per-side padding, or "same" / "valid"


def window_size(n: int, k: int, s: int, p: Pad, d: int, ceil: bool = False) -> int:
    """Output length of a convolution or pooling window sliding over `n` positions."""
    if p == "same":
        return -(-n // s)
    pad = 0 if p == "valid" else int(p)
    if not ceil:
        return (n + 2 * pad - d * (k - 1) - 1) // s + 1
    out = _ceil_raw(n, k, s, pad, d)
    return out - 1 if (out - 1) * s >= n + pad else out


def window_expr(n: int, k: int, s: int, p: Pad, d: int, ceil: bool = False) -> Expr:
    """The same rule as `window_size`, as the simplest formula that is still the rule."""
    if p == "same":
        return ceil_div(n, s)
    pad = 0 if p == "valid" else int(p)
    grown: Expr = add(n, mul(2, pad)) if pad else add(n)
    if ceil:
        expr = add(ceil_div(sub(grown, _dilated_k(k, d)), s), 1)
        if (_ceil_raw(n, k, s, pad, d) - 1) * s >= n + pad:
            # PyTorch drops a last window that would start inside the right padding.
            expr = sub(expr, 1)
        return expr
    if s == 1 and d == 1:
        return add(sub(grown, k), 1)
    if s == 1:
        return sub(grown, mul(d, sub(k, 1)))
    if d == 1 and not pad and s == k:
        return floor_div(n, k)
    if d == 1:
        return add(floor_div(sub(grown, k), s), 1)
    return add(floor_div(sub(sub(grown, mul(d, sub(k, 1))), 1), s), 1)


def _ceil_raw(n: int, k: int, s: int, pad: int, d: int) -> int:
    """Ceil-mode size before PyTorch's correction."""
    return -(-(n + 2 * pad - d * (k - 1) - 1) // s) + 1


def _dilated_k(k: int, d: int) -> Expr:
    """The dilated kernel extent d(k-1) + 1, written as plain k when d = 1."""
    return add(mul(d, sub(k, 1)), 1) if d > 1 else add(k)


def transposed_size(n: int, k: int, s: int, p: Pad, op: int, d: int) -> int:
    """Output length of a transposed convolution."""
    if p == "same":
        return n * s
    if p == "valid" and not op:
        return n * s + max(d * (k - 1) + 1 - s, 0)
    pad = 0 if p == "valid" else int(p)
    return (n - 1) * s - 2 * pad + d * (k - 1) + op + 1


def transposed_expr(n: int, k: int, s: int, p: Pad, op: int, d: int) -> Expr:
    if p == "same":
        return mul(n, s)
    if p == "valid" and not op:
        return add(mul(n, s), maximum(sub(_dilated_k(k, d), s), 0))
    pad = 0 if p == "valid" else int(p)
    expr: Expr = mul(sub(n, 1), s)
    if pad:
        expr = sub(expr, mul(2, pad))
    expr = add(expr, mul(d, sub(k, 1)) if d > 1 else sub(k, 1))
    if op:
        expr = add(expr, op)
    return add(expr, 1)
