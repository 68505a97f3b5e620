"""Batch summary: the reports of several specs joined into one document of their format.

Text formats get one heading per spec, naming it as it was given: `==> SPEC <==` above a
table (as `head` does), a level-1 heading with SPEC as a code span above Markdown and
explanations, a `% SPEC` comment above LaTeX. CSV stays one table, with a first `spec`
column. JSON is one array of the per-spec documents of docs/json.md, each with a first
field `"spec"`. Failed specs are left out of the document and reported; the others are
still summarised. Every spec is summarised at the same level of detail.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cnndiagram.batch.run import INTERNAL_ERROR, Outcome
from cnndiagram.errors import CnnDiagramError
from cnndiagram.limits import Limits
from cnndiagram.loading import SourceFormat

if TYPE_CHECKING:
    from cnndiagram.options import Detail


def summarize_batch(
    specs: Sequence[str],
    fmt: str,
    *,
    detail: Detail | str = "layers",
    spec_format: SourceFormat | None = None,
    input_shape: tuple[int, ...] | None = None,
    limits: Limits,
    debug: bool = False,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
) -> tuple[str, tuple[Outcome, ...]]:
    """The joined report of every spec that could be read, and what became of each spec
    (told to `on_outcome` in order). Stops at a fatal failure, as rendering does."""
    from cnndiagram.engine.analysis import analyze
    from cnndiagram.loading import load_network

    parts: list[tuple[str, Any]] = []
    outcomes: list[Outcome] = []
    for spec in specs:
        try:
            network = load_network(spec, fmt=spec_format, limits=limits, input_shape=input_shape)
            parts.append((spec, analyze(network, limits)))
            outcome = Outcome(spec)
        except CnnDiagramError as error:
            outcome = Outcome(spec, error=error.format(), exit_code=error.exit_code)
        except Exception as error:
            message = f"{spec}: internal error: {type(error).__name__}: {error}"
            if debug:
                message = traceback.format_exc() + message
            outcome = Outcome(spec, error=message, exit_code=INTERNAL_ERROR)
        outcomes.append(outcome)
        on_outcome(outcome)
        if outcome.fatal:
            break
    return join_reports(parts, fmt, detail), tuple(outcomes)


def join_reports(
    parts: Sequence[tuple[str, Any]], fmt: str, detail: Detail | str = "layers"
) -> str:
    """`parts` (spec name, its `Analysis`) as one document in report format `fmt`, a row
    per layer or per unit at `detail`."""
    from cnndiagram.escapes.terminal import escape_controls

    report = _reporter(detail)
    if fmt == "json":
        return _json(parts, detail)
    if fmt == "csv":
        return _csv(parts, detail)
    sections = []
    for spec, analysis in parts:
        if fmt in ("markdown", "explain"):
            from cnndiagram.escapes.markdown import code_span

            heading = f"# {code_span(spec)}\n\n"
        elif fmt == "latex":
            heading = f"% {escape_controls(spec)}\n"  # one comment line, whatever the name holds
        else:
            heading = f"==> {escape_controls(spec)} <==\n"
        sections.append(heading + report(analysis, fmt))
    return "\n".join(sections)


def _reporter(detail: Detail | str) -> Callable[[Any, str], str]:
    """The report function of the level: the units (and the option table) are imported only
    when a level other than `layers` asks for them."""
    if detail == "layers":
        from cnndiagram.report import report

        return report
    from cnndiagram.unit_report import summary_report

    return lambda analysis, fmt: summary_report(analysis, fmt, detail)


def _json(parts: Sequence[tuple[str, Any]], detail: Detail | str) -> str:
    from cnndiagram.report import json_dump, to_dict

    if detail == "layers":
        documents = [{"spec": spec, **to_dict(analysis)} for spec, analysis in parts]
    else:
        from cnndiagram.unit_report import summary_dict

        documents = [{"spec": spec, **summary_dict(analysis, detail)} for spec, analysis in parts]
    return json_dump(documents)


def _csv(parts: Sequence[tuple[str, Any]], detail: Detail | str) -> str:
    """The per-spec tables under one header, each row led by its spec (escaped as any
    text cell of the report is: a spreadsheet must not run a file name as a formula)."""
    import csv
    import io

    from cnndiagram.escapes.csv import escape_csv_cell
    from cnndiagram.escapes.terminal import escape_controls

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for index, (spec, analysis) in enumerate(parts):
        header, *rows = csv.reader(io.StringIO(_reporter(detail)(analysis, "csv")))
        if index == 0:
            writer.writerow(["spec", *header])
        cell = escape_controls(escape_csv_cell(spec))
        writer.writerows([cell, *row] for row in rows)
    return buffer.getvalue()
