"""A coverage-guided fuzzing target for longer runs than the test suite's hypothesis budget.

    pip install "cnndiagram[fuzz]"          # atheris (Linux x86_64 wheels)
    python tools/fuzz_atheris.py -max_total_time=3600 corpus/

Each input is tried as a spec in every reader (DSL, YAML, TOML, JSON) and as a nolearn /
Lasagne file; whatever reads is analysed, reported in every format, formatted and drawn.
Anything but a result or the project's own error (`CnnDiagramError`) is a finding:
atheris stops and writes the input as `crash-*`. Keep each finding as a test case in
tests/ (tests/invalid/ for messages, tests/test_hostile_input.py for the rest).
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from cnndiagram.diagram import Diagram
    from cnndiagram.engine.analysis import analyze
    from cnndiagram.errors import CnnDiagramError
    from cnndiagram.importers.lasagne import read_lasagne
    from cnndiagram.report import REPORT_FORMATS, report
    from cnndiagram.source import Source
    from cnndiagram.spec.format import format_network
    from cnndiagram.spec.load import SpecFormat, parse_source

FORMATS: tuple[SpecFormat, ...] = ("dsl", "yaml", "toml", "json")


def one(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    for fmt in FORMATS:
        try:
            network = parse_source(Source(text, f"fuzz.{fmt}"), fmt)
            analysis = analyze(network)
            for name in REPORT_FORMATS:
                report(analysis, name)
            format_network(network)
            Diagram(analysis).to_svg()
        except CnnDiagramError:
            pass
    with contextlib.suppress(CnnDiagramError):
        analyze(read_lasagne(Source(text, "fuzz.py")))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one)
    atheris.Fuzz()
