"""The pipeline under hypothesis: any generated network, with hostile names and titles,
gives every report, `fmt` text and figure format, or the project's own error; and every
output parses in its own syntax. The examples are bounded so CI runs them in seconds;
`tools/fuzz_atheris.py` runs the same check for as long as one likes."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnndiagram.diagram import Diagram
from cnndiagram.engine.analysis import analyze
from cnndiagram.errors import CnnDiagramError
from cnndiagram.report import REPORT_FORMATS, report
from cnndiagram.spec.format import format_network, quote
from cnndiagram.spec.load import load_spec

from markdown_checks import render_markdown
from strategies import dag_spec_text, spec_text

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE = st.text(
    st.one_of(
        st.sampled_from(list("<>&\"'\\{}$%#^_~|*`[]\x00\x1b\x07\r\n\t\u202e=+-@")),
        st.characters(exclude_categories=["Cs"]),
    ),
    min_size=1,
    max_size=20,
)


def named(text: str, title: str, name: str) -> str:
    """The spec with a hostile title, and a hostile name on its first layer."""
    lines = text.splitlines()
    body = [line for line in lines if not line.startswith("title ")]
    body.insert(0, f"title {quote(title)}")
    for index, line in enumerate(body):
        if index > 1 and line.strip() and not line.startswith(("@", "#")) and ":" not in line:
            body[index] = f"{quote(name)}: {line}"
            break
    return "\n".join(body) + "\n"


def check_outputs(text: str) -> None:
    try:
        network = load_spec(text, expr=True)
        analysis = analyze(network)
    except CnnDiagramError as error:
        assert error.format()  # the project's own error, printable
        return
    for fmt in REPORT_FORMATS:
        out = report(analysis, fmt)
        if fmt == "json":
            json.loads(out)
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(out)))
            assert len({len(row) for row in rows}) == 1
        elif fmt in ("markdown", "explain"):
            rendered = render_markdown(out)
            assert "script" not in rendered.tags and "img" not in rendered.tags
        elif fmt == "latex":
            assert "\\input" not in out.replace("\\textbackslash{}input", "")
    again = load_spec(format_network(network), expr=True)
    assert again == network
    for style in ("blocks", "graph"):
        diagram = Diagram(analysis, style=style)
        root = ET.fromstring(diagram.to_svg())
        assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
        assert diagram.to_bytes("pdf").startswith(b"%PDF-")


@SETTINGS
@given(spec_text(), HOSTILE, HOSTILE)
def test_chains_with_hostile_names_give_parsable_outputs(spec: str, title: str, name: str) -> None:
    check_outputs(named(spec, title, name))


@SETTINGS
@given(dag_spec_text(), HOSTILE)
def test_branching_networks_give_parsable_outputs(spec: str, title: str) -> None:
    check_outputs(named(spec, title, "x"))
