"""Engine stage: formulas as data, evaluated exactly and rendered as ASCII, Unicode or LaTeX.

Shape and parameter rules build small expression trees; one renderer per notation
turns them into text. The ASCII form is valid Python (with `floor`, `ceil` and `max`
from the standard library) that evaluates to the number it states: the tests check
this for every layer of every sample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple, Union

Notation = Literal["ascii", "unicode", "latex"]
Op = Literal["+", "-", "*", "/", "//"]
Fn = Literal["floor", "ceil", "max"]


class Num(NamedTuple):
    value: int


class Bin(NamedTuple):
    op: Op
    left: Expr
    right: Expr


class Call(NamedTuple):
    """`floor(a/b)` and `ceil(a/b)` (exact integer division) or `max(a, b)`."""

    fn: Fn
    args: tuple[Expr, ...]


Expr = Union[Num, Bin, Call]
Term = Union[Expr, int]


def _expr(term: Term) -> Expr:
    return Num(term) if isinstance(term, int) else term


def add(*terms: Term) -> Expr:
    """A sum; long sums are built as a balanced tree (printed the same, since a + (b + c)
    needs no brackets), so rendering and evaluating stay shallow for 10,000 terms."""
    if len(terms) > 8:
        half = len(terms) // 2
        return Bin("+", add(*terms[:half]), add(*terms[half:]))
    out = _expr(terms[0])
    for term in terms[1:]:
        out = Bin("+", out, _expr(term))
    return out


def sub(left: Term, right: Term) -> Expr:
    return Bin("-", _expr(left), _expr(right))


def mul(*terms: Term) -> Expr:
    out = _expr(terms[0])
    for term in terms[1:]:
        out = Bin("*", out, _expr(term))
    return out


def div(left: Term, right: Term) -> Expr:
    """Exact division (the divisor is known to divide); ASCII writes it as `//`."""
    return Bin("//", _expr(left), _expr(right))


def floor_div(left: Term, right: Term) -> Expr:
    return Call("floor", (Bin("/", _expr(left), _expr(right)),))


def ceil_div(left: Term, right: Term) -> Expr:
    return Call("ceil", (Bin("/", _expr(left), _expr(right)),))


def maximum(left: Term, right: Term) -> Expr:
    return Call("max", (_expr(left), _expr(right)))


def product(values: tuple[int, ...]) -> Expr:
    return mul(*values)


def evaluate(expr: Expr) -> int:
    """Exact integer value; `floor`/`ceil` of a quotient use integer division, never floats."""
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Call):
        if expr.fn == "max":
            return max(evaluate(arg) for arg in expr.args)
        quotient = expr.args[0]
        assert isinstance(quotient, Bin) and quotient.op == "/"
        num, den = evaluate(quotient.left), evaluate(quotient.right)
        return num // den if expr.fn == "floor" else -(-num // den)
    left, right = evaluate(expr.left), evaluate(expr.right)
    if expr.op == "+":
        return left + right
    if expr.op == "-":
        return left - right
    if expr.op == "*":
        return left * right
    if left % right:
        raise ValueError(f"{left}/{right} is not exact")
    return left // right


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "//": 2}
_SYMBOLS: dict[Notation, dict[str, str]] = {
    "ascii": {"+": " + ", "-": " - ", "*": "*", "/": "/", "//": "//"},
    "unicode": {"+": " + ", "-": " \u2212 ", "*": "\u00b7", "/": "/", "//": "/"},
    "latex": {"+": " + ", "-": " - ", "*": " \\cdot ", "/": "/", "//": "/"},
}


def group_digits(value: int, notation: Notation) -> str:
    """Thousands separators for display: a comma in ASCII text, a thin space, LaTeX's `{,}`."""
    text = f"{value:,}"
    if notation == "unicode":
        return text.replace(",", "\u2009").replace("-", "\u2212")
    return text.replace(",", "{,}") if notation == "latex" else text


def render(expr: Expr, notation: Notation = "ascii", *, group: bool = False) -> str:
    """The expression as text; `group` adds thousands separators (ASCII then stops being
    Python)."""
    symbols = _SYMBOLS[notation]

    def number(value: int) -> str:
        if group:
            return group_digits(value, notation)
        if value < 0 and notation == "unicode":
            return f"\u2212{-value}"
        return str(value)

    def go(node: Expr, context: int) -> str:
        if isinstance(node, Num):
            return number(node.value)
        if isinstance(node, Call):
            return call(node)
        prec = _PRECEDENCE[node.op]
        # Right operands of - and / need brackets at equal precedence: a - (b - c), a/(b*c).
        left = go(node.left, prec)
        right = go(node.right, prec + (1 if node.op in ("-", "/", "//", "*") else 0))
        if notation == "latex" and node.op == "/":
            text = f"\\frac{{{go(node.left, 0)}}}{{{go(node.right, 0)}}}"
        else:
            text = f"{left}{symbols[node.op]}{right}"
        if prec < context:
            return f"\\left({text}\\right)" if notation == "latex" else f"({text})"
        return text

    def call(node: Call) -> str:
        if node.fn == "max":
            inner = ", ".join(go(arg, 0) for arg in node.args)
            return f"\\max({inner})" if notation == "latex" else f"max({inner})"
        inner = go(node.args[0], 0)
        if notation == "ascii":
            return f"{node.fn}({inner})"
        if notation == "unicode":
            return f"\u230a{inner}\u230b" if node.fn == "floor" else f"\u2308{inner}\u2309"
        low, high = ("lfloor", "rfloor") if node.fn == "floor" else ("lceil", "rceil")
        return f"\\left\\{low} {inner} \\right\\{high}"

    return go(expr, 0)


class Formula(NamedTuple):
    """`label: expression = result`, e.g. `H: 28 - 5 + 1 = 24` or `(5*5*1 + 1)*32 = 832`."""

    expr: Expr
    result: int
    label: str | None = None

    def text(self, notation: Notation = "ascii", *, label: bool = True, group: bool = False) -> str:
        """Without `group` the ASCII text is a Python expression equal to the stated result."""
        head = f"{self.label}: " if self.label and label else ""
        tail = group_digits(self.result, notation) if group else str(self.result)
        if isinstance(self.expr, Num) and self.expr.value == self.result:
            return head + tail
        return f"{head}{render(self.expr, notation, group=group)} = {tail}"

    def __str__(self) -> str:
        return self.text()


def formula(expr: Expr, label: str | None = None) -> Formula:
    """A formula whose result is computed from its own expression, so the two cannot disagree."""
    return Formula(expr, evaluate(expr), label)


def sum_formula(values: list[int]) -> Formula:
    """`832 + 9248 + 205056 + 2570 = 217706`: the total as the sum of the non-zero terms."""
    terms = [value for value in values if value] or [0]
    return formula(add(*terms))


FormulaFactory = Callable[[], Formula]
