"""Presentation helpers shared by reports and figures: shapes, counts and short layer labels.

One place for number and shape formatting, so a table, a JSON file and a figure
never disagree on how `32x24x24` or `205,056` is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnndiagram.catalog import ACTIVATION_LABELS, KINDS, ArgType, Kind
from cnndiagram.engine.formulas import Formula, Notation

if TYPE_CHECKING:
    from cnndiagram.engine.analysis import Analysis
from cnndiagram.ir import ArgValue, Layer, display_shape

TIMES = {"ascii": "x", "unicode": "\u00d7"}


def format_shape(shape: tuple[int, ...], channels_last: bool = False, unicode: bool = False) -> str:
    """`32x24x24`; typeset (`unicode`) with `×` and digits grouped as every other number on a
    figure (`4 096`, `1 024×14×14`)."""
    if not unicode:
        return "x".join(str(d) for d in display_shape(shape, channels_last))
    return TIMES["unicode"].join(format_count(d, True) for d in display_shape(shape, channels_last))


def format_count(value: int, unicode: bool = False) -> str:
    """`205,056` in text; `205 056` with a thin space in typeset output."""
    text = f"{value:,}"
    return text.replace(",", "\u2009") if unicode else text


def _axes(value: ArgValue, rank: int, unicode: bool) -> str:
    times = TIMES["unicode" if unicode else "ascii"]
    if isinstance(value, tuple):
        return times.join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return times.join([shown] * max(rank, 1))


def _head(kind: Kind, args: dict[str, ArgValue], rank: int, unicode: bool) -> str:
    """The label's head word and the value of the argument the catalogue shows with it."""
    label = kind.label
    if label.arg is None:
        return label.head
    value = args[label.arg]
    arg = kind.arg(label.arg)
    assert arg is not None, f"{kind.name}'s label shows '{label.arg}', which it does not take"
    if label.factor and unicode and isinstance(value, (int, float)):
        return f"{label.head} \u00d7{value:g}"
    if arg.type in (ArgType.RATE, ArgType.NUMBER):
        assert isinstance(value, (int, float))
        return f"{label.head} {value:g}"
    if arg.type in (ArgType.AXES, ArgType.AXES0, ArgType.SCALE):
        return f"{label.head} {_axes(value, rank, unicode)}"
    if unicode and isinstance(value, int) and not isinstance(value, bool):
        return f"{label.head} {format_count(value, True)}"
    return f"{label.head} {value}"


def _all_ones(value: object) -> bool:
    values = value if isinstance(value, tuple) else (value,)
    return all(v == 1 for v in values)


def describe(layer: Layer, rank: int, unicode: bool = False, brief: bool = False) -> str:
    """A short label with the hyperparameters that differ from the defaults:
    `conv 5x5, 32, ReLU`, `maxpool 2x2`, `dense 256`, `dropout 0.5`. `brief` is for a
    unit of many layers: the stride as `/2` after the window, no padding, bias or activation."""
    args = dict(layer.args)
    kind = KINDS[layer.kind]
    defaults = {arg.name: arg.default for arg in kind.args}
    parts: list[str] = []
    head = _head(kind, args, rank, unicode)
    if brief and kind.name.startswith("adaptive") and _all_ones(args.get("out")):
        head = "global " + kind.name.removeprefix("adaptive")  # as papers write it
    if "filters" in args:
        filters = args["filters"]
        if unicode and isinstance(filters, int) and not isinstance(filters, bool):
            parts.append(format_count(filters, True))
        else:
            parts.append(str(filters))
    for key in ("stride", "pad", "dilation", "groups", "depth_multiplier", "output_pad"):
        if key not in args or args[key] == defaults.get(key) or key == kind.label.arg:
            continue  # the label's own argument is already in its head (`groupnorm 8`)
        value = args[key]
        if value is None or (key == "stride" and value == args.get("size")):
            continue
        if brief and key == "stride" and not isinstance(value, str):
            head += "/" + _axes(value, 1, unicode)
            continue
        if brief and key in ("pad", "output_pad"):
            continue
        if isinstance(value, str):
            parts.append(value)
        else:
            parts.append(f"{key.replace('_', ' ')} {_axes(value, 1, unicode)}")
    if args.get("ceil"):
        parts.append("ceil")
    if args.get("bias") is False and not brief:
        parts.append("no bias")
    if args.get("scale") is False and not brief:
        parts.append("no scale")
    act = args.get("act")
    if act and act != "linear" and not brief:
        parts.append(ACTIVATION_LABELS[str(act)])
    if args.get("trainable") is False:
        parts.append("frozen")
    return ", ".join([head, *parts])


def size_lines(formulas: tuple[Formula, ...], notation: Notation = "ascii") -> list[str]:
    """Per-axis formulas, axes with the same arithmetic merged: `H, W: 28 - 5 + 1 = 24`."""
    group = notation != "ascii"
    bodies: dict[str, list[str]] = {}
    unlabelled = []
    for formula in formulas:
        body = formula.text(notation, label=False, group=group)
        if formula.label:
            bodies.setdefault(body, []).append(formula.label)
        else:
            unlabelled.append(body)
    return [f"{', '.join(labels)}: {body}" for body, labels in bodies.items()] + unlabelled


def describe_network(analysis: Analysis) -> str:
    """A plain-text description for screen readers (the SVG's `<desc>`)."""
    channels_last = analysis.network.channels_last
    parts = []
    for result in analysis.layers:
        shape = format_shape(result.output_shape, channels_last, unicode=True)
        kind = "input" if result.layer is None else result.kind
        params = f", {result.params:,} parameters" if result.params else ""
        parts.append(f"{result.name} ({kind}) {shape}{params}")
    title = analysis.network.title or "A network"
    return (
        f"{title}: {len(analysis.layers)} layers, {analysis.total_params:,} parameters in "
        f"total. " + "; ".join(parts) + "."
    )
