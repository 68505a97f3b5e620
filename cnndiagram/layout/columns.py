"""Layout stage: what each column of a figure says, before anything is placed.

One column per drawn tensor. With folding on, shape-preserving layers without a tensor
worth drawing (activations, dropout, normalisation) join the column of the layer they
follow: named in its label, their parameters listed under its own.
"""

from __future__ import annotations

from typing import NamedTuple

from cnndiagram.catalog import ACTIVATIONS
from cnndiagram.engine.analysis import Analysis, LayerResult
from cnndiagram.engine.formulas import group_digits
from cnndiagram.layout.options import FigureOptions
from cnndiagram.layout.text import clean
from cnndiagram.layout.theme import category
from cnndiagram.notation import describe, format_shape
from cnndiagram.report import size_lines

FOLDABLE = (frozenset(ACTIVATIONS) - {"linear"}) | {
    "prelu",
    "dropout",
    "batchnorm",
    "groupnorm",
    "layernorm",
    "instancenorm",
    "lrn",
}
SHORT = {
    "batchnorm": "BN",
    "groupnorm": "GN",
    "layernorm": "LN",
    "instancenorm": "IN",
    "lrn": "LRN",
    "prelu": "PReLU",
}
#: The seed figure's letters (I-C-P-C-P-H-O), extended to every kind.
LETTERS = {
    "input": "I",
    "conv": "C",
    "sepconv": "C",
    "dwconv": "C",
    "deconv": "T",
    "maxpool": "P",
    "avgpool": "P",
    "globalavgpool": "P",
    "globalmaxpool": "P",
    "adaptiveavgpool": "P",
    "adaptivemaxpool": "P",
    "dense": "H",
    "output": "O",
    "flatten": "F",
    "reshape": "R",
    "dropout": "D",
    "batchnorm": "N",
    "groupnorm": "N",
    "layernorm": "N",
    "instancenorm": "N",
    "lrn": "N",
    "upsample": "U",
    "zeropad": "Z",
    "crop": "Z",
}


class Column(NamedTuple):
    id: str
    result: LayerResult
    category: str
    letter: str
    rows: dict[str, list[str]]
    members: tuple[str, ...]
    params: int


def _label(result: LayerResult) -> str:
    if result.layer is None:
        return "input"
    return describe(result.layer, len(result.input_shape or ()) - 1, unicode=True)


def _fold_label(result: LayerResult) -> str:
    if result.kind == "dropout":
        return _label(result)
    return SHORT.get(result.kind) or _label(result)


def _param_lines(analysis: Analysis, result: LayerResult, prefix: str = "") -> list[str]:
    formula = analysis.formulas(result).params
    if formula is None:
        return [f"{prefix}{group_digits(result.params, 'unicode')}"] if result.params else []
    return [prefix + formula.text("unicode", group=True)]


def build_columns(analysis: Analysis, options: FigureOptions) -> list[Column]:
    channels_last = analysis.network.channels_last
    columns: list[Column] = []
    for result in analysis.layers:
        if options.fold and columns and result.kind in FOLDABLE:
            last = columns[-1]
            merged = {key: list(lines) for key, lines in last.rows.items()}
            addition = clean(_fold_label(result))
            if merged["label"]:
                merged["label"][-1] += ", " + addition
            else:
                merged["label"] = [addition]
            if "params" in merged:
                extra = _param_lines(analysis, result, SHORT.get(result.kind, result.kind) + ": ")
                if extra:
                    if merged["params"] == ["0"]:
                        merged["params"] = []
                    merged["params"] += extra
            columns[-1] = last._replace(
                rows=merged,
                members=(*last.members, result.name),
                params=last.params + result.params,
            )
            continue
        cat = category(result.kind)
        label = clean(_label(result))
        name = clean(result.name)
        rows: dict[str, list[str]] = {"name": [name], "label": [label] if label != name else []}
        if "size" in options.annotate:
            rows["size"] = [format_shape(result.output_shape, channels_last, unicode=True)]
        if "formulas" in options.annotate:
            rows["formulas"] = size_lines(analysis.formulas(result).output, "unicode")
        if "params" in options.annotate:
            rows["params"] = _param_lines(analysis, result) or ["0"]
        if "macs" in options.annotate:
            rows["macs"] = [f"MACs {group_digits(result.macs, 'unicode')}"] if result.macs else []
        if "rf" in options.annotate:
            rf = result.receptive_field
            rows["rf"] = [f"RF {format_shape(rf.size, unicode=True)}"] if rf and rf.size else []
        columns.append(
            Column(
                f"layer-{result.number}",
                result,
                cat,
                LETTERS.get(result.kind, "A"),
                rows,
                (result.name,),
                result.params,
            )
        )
    return columns
