"""Report stage: an `Analysis` as text tables (plain, Markdown, CSV, LaTeX), JSON, or a worked
derivation in Markdown (`explain`), the way the seed answer derives 217,706 by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cnndiagram.engine.analysis import Analysis, LayerResult
from cnndiagram.engine.formulas import Formula, Notation
from cnndiagram.engine.ops import op_for
from cnndiagram.ir import display_shape
from cnndiagram.notation import (
    describe,
    format_count,
    format_shape,
    size_lines,
)

REPORT_FORMATS = ("table", "markdown", "csv", "json", "latex", "explain")


def _shape(analysis: Analysis, shape: tuple[int, ...] | None, unicode: bool = False) -> str:
    if shape is None:
        return ""
    return format_shape(shape, analysis.network.channels_last, unicode)


def _label(analysis: Analysis, result: LayerResult, unicode: bool = False) -> str:
    """The layer's kind and hyperparameters, and where it reads from when that is not the
    row above: `add <- conv2, stem`."""
    if result.layer is None:
        return "input"
    rank = len(result.input_shape or ()) - 1
    label = describe(result.layer, rank, unicode)
    previous = analysis.layers[result.number - 1].name
    if len(result.inputs) > 1 or (result.inputs and result.inputs[0] != previous):
        arrow = "\u2190" if unicode else "<-"
        label += f" {arrow} {', '.join(result.inputs)}"
    return label


def size_text(formulas: tuple[Formula, ...], notation: Notation = "ascii") -> str:
    """`size_lines` on one line."""
    return "; ".join(size_lines(formulas, notation))


def _param_text(analysis: Analysis, result: LayerResult, group: bool = True) -> str:
    formula = analysis.formulas(result).params
    if formula is None:
        return format_count(result.params) if group else str(result.params)
    return formula.text(group=group)


def total_line(analysis: Analysis, notation: Notation = "ascii") -> str:
    """`832 + 9,248 + 205,056 + 2,570 = 217,706`."""
    return analysis.total_formula().text(notation, group=True)


def _split_line(analysis: Analysis) -> str | None:
    if not analysis.non_trainable_params:
        return None
    return (
        f"trainable: {format_count(analysis.trainable_params)}, "
        f"non-trainable: {format_count(analysis.non_trainable_params)}"
    )


# -- plain table --------------------------------------------------------------------------------


def table(analysis: Analysis) -> str:
    headers = ("#", "name", "layer", "size", "size formula", "parameters")
    rows = []
    for result in analysis.layers:
        formulas = analysis.formulas(result)
        rows.append(
            (
                str(result.number),
                result.name,
                _label(analysis, result),
                _shape(analysis, result.output_shape),
                size_text(formulas.output),
                _param_text(analysis, result),
            )
        )
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]
    right = {0, 5}

    def line(cells: tuple[str, ...]) -> str:
        out = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(out).rstrip()

    lines = []
    if analysis.network.title:
        lines += [analysis.network.title, ""]
    lines.append(line(headers))
    lines.append("  ".join("-" * w for w in widths))
    lines += [line(row) for row in rows]
    lines.append("")
    lines.append(f"total parameters: {total_line(analysis)}")
    split = _split_line(analysis)
    if split:
        lines.append(split)
    lines.append(f"multiply-accumulates: {format_count(analysis.total_macs)}")
    return "\n".join(lines) + "\n"


# -- markdown and csv ---------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown(analysis: Analysis) -> str:
    lines = []
    if analysis.network.title:
        lines += [f"### {_md(analysis.network.title)}", ""]
    lines.append("| # | name | layer | size | size formula | parameters |")
    lines.append("|--:|:-----|:------|:-----|:-------------|-----------:|")
    for result in analysis.layers:
        formulas = analysis.formulas(result)
        cells = (
            str(result.number),
            _md(result.name),
            _md(_label(analysis, result)),
            _shape(analysis, result.output_shape),
            _md(size_text(formulas.output)),
            _md(_param_text(analysis, result)),
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"**Total parameters:** {total_line(analysis)}")
    split = _split_line(analysis)
    if split:
        lines += ["", f"({split})"]
    return "\n".join(lines) + "\n"


def csv_text(analysis: Analysis) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "index",
            "name",
            "kind",
            "layer",
            "input_shape",
            "output_shape",
            "params",
            "trainable",
            "non_trainable",
            "macs",
            "output_formula",
            "param_formula",
        ]
    )
    for result in analysis.layers:
        formulas = analysis.formulas(result)
        writer.writerow(
            [
                result.number,
                result.name,
                result.kind,
                _label(analysis, result),
                _shape(analysis, result.input_shape),
                _shape(analysis, result.output_shape),
                result.params,
                result.trainable,
                result.non_trainable,
                result.macs,
                result.activations,
                "; ".join(str(f) for f in formulas.output),
                str(formulas.params) if formulas.params else "",
            ]
        )
    return buffer.getvalue()


# -- json ---------------------------------------------------------------------------------------


def _jump(value: Any) -> int | float:
    if isinstance(value, int):
        return value
    return int(value) if value.denominator == 1 else round(float(value), 6)


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The documented machine interface (see docs/json.md); shapes in the spec's layout."""
    channels_last = analysis.network.channels_last

    def dims(shape: tuple[int, ...] | None) -> list[int] | None:
        return None if shape is None else list(display_shape(shape, channels_last))

    layers = []
    for result in analysis.layers:
        formulas = analysis.formulas(result)
        rf = result.receptive_field
        layers.append(
            {
                "name": result.name,
                "kind": result.kind,
                "inputs": list(result.inputs),
                "input_shape": dims(result.input_shape),
                "output_shape": dims(result.output_shape),
                "params": result.params,
                "trainable": result.trainable,
                "non_trainable": result.non_trainable,
                "formulas": {
                    "output": [str(f) for f in formulas.output],
                    "params": str(formulas.params) if formulas.params else None,
                },
                "macs": result.macs,
                "receptive_field": None
                if rf is None
                else {"size": list(rf.size), "jump": [_jump(j) for j in rf.jump]},
            }
        )
    return {
        "title": analysis.network.title,
        "input_shape": dims(analysis.input_shape),
        "output_shape": dims(analysis.output_shape),
        "total_params": analysis.total_params,
        "trainable_params": analysis.trainable_params,
        "non_trainable_params": analysis.non_trainable_params,
        "total_macs": analysis.total_macs,
        "layers": layers,
    }


def json_text(analysis: Analysis) -> str:
    import json

    return json.dumps(to_dict(analysis), indent=2, ensure_ascii=False) + "\n"


# -- latex --------------------------------------------------------------------------------------

_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def latex_escape(text: str) -> str:
    """Untrusted text (names, titles) as literal LaTeX text."""
    return "".join(_LATEX_ESCAPES.get(char, char) for char in text)


def latex(analysis: Analysis) -> str:
    """A booktabs table; needs `\\usepackage{booktabs}` and `\\usepackage{amsmath}`."""
    lines = [
        r"\begin{tabular}{rlllll}",
        r"\toprule",
        r"\# & name & layer & size & size formula & parameters \\",
        r"\midrule",
    ]
    for result in analysis.layers:
        formulas = analysis.formulas(result)
        dims = display_shape(result.output_shape, analysis.network.channels_last)
        size = " \\times ".join(str(d) for d in dims)
        size_formula = size_text(formulas.output, "latex")
        param = (
            formulas.params.text("latex", group=True)
            if formulas.params
            else (format_count(result.params).replace(",", "{,}"))
        )
        lines.append(
            f"{result.number} & {latex_escape(result.name)} & "
            f"{latex_escape(_label(analysis, result))} & ${size}$ & "
            + (f"${size_formula}$" if size_formula else "")
            + f" & ${param}$ \\\\"
        )
    lines.append(r"\midrule")
    lines.append(rf"\multicolumn{{6}}{{r}}{{total: ${total_line(analysis, 'latex')}$}} \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if analysis.network.title:
        lines.insert(0, f"% {latex_escape(analysis.network.title)}")
    return "\n".join(lines) + "\n"


# -- explain ------------------------------------------------------------------------------------


def explain(analysis: Analysis) -> str:
    """The worked derivation, layer by layer, ending with the total as a sum."""
    title = analysis.network.title or "Network"
    total = format_count(analysis.total_params)
    lines = [f"# {_md(title)}: {total} parameters", ""]
    lines.append(
        "Each layer's output size follows from its input size and hyperparameters; each "
        "layer's parameter count follows from its input channels (or features) and its "
        "size. Layer by layer:"
    )
    for result in analysis.layers:
        lines.append("")
        shape = _shape(analysis, result.output_shape)
        if result.layer is None:
            lines.append(f"## {result.number}. {_md(result.name)}: input {shape}")
            lines.append("")
            channels = result.output_shape[0]
            if len(result.output_shape) == 1:
                lines.append(f"A vector of {channels} features. No parameters.")
            else:
                lines.append(
                    f"{channels} channel{'s' if channels != 1 else ''} of "
                    f"{format_shape(result.output_shape[1:])} values. No parameters."
                )
            continue
        op = op_for(result.kind)
        formulas = analysis.formulas(result)
        label = _label(analysis, result)
        lines.append(
            f"## {result.number}. {_md(result.name)}: {_md(label)} \u2192 {shape}, "
            f"{format_count(result.params)} parameters"
        )
        lines.append("")
        input_shape = _shape(analysis, result.input_shape)
        lines.append(f"- Input: {input_shape}.")
        sizes = size_text(formulas.output)
        if sizes:
            lines.append(f"- Output size, by the rule {op.rule}: `{sizes}`, giving {shape}.")
        else:
            lines.append(f"- Output: {shape} ({op.rule}).")
        if formulas.params is not None:
            lines.append(f"- Parameters, {op.param_rule}: `{formulas.params}`.")
            if result.non_trainable:
                lines.append(
                    f"  Of these, {format_count(result.trainable)} are trainable and "
                    f"{format_count(result.non_trainable)} are not."
                )
        else:
            lines.append(f"- Parameters: 0 ({op.param_rule}).")
        lines.append(f"- Output activations: {format_count(result.activations)} values.")
        if result.macs:
            lines.append(f"- Multiply-accumulates: {format_count(result.macs)}.")
        rf = result.receptive_field
        if rf is not None and rf.size:
            lines.append(f"- Receptive field: {format_shape(rf.size)} input positions.")
    lines += ["", "## Total", "", f"`{total_line(analysis)}` parameters"]
    split = _split_line(analysis)
    if split:
        lines.append(f"({split}).")
    lines.append("")
    lines.append(
        f"Multiply-accumulates per sample: {format_count(analysis.total_macs)} "
        "(one per weight use; bias additions, pooling and activations not counted)."
    )
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[Analysis], str]] = {
    "table": table,
    "markdown": markdown,
    "csv": csv_text,
    "json": json_text,
    "latex": latex,
    "explain": explain,
}


def report(analysis: Analysis, fmt: str = "table") -> str:
    return RENDERERS[fmt](analysis)
