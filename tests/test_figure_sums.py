"""Every `expression = number` a figure shows is true: the SVG of every sample, collapsed and
not, is parsed, each formula, badge and total read back from its text elements (lines
continued at an operator joined), its number format undone, and the expression evaluated.
The collapse badges and the headline total are also compared with the counts themselves."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cnndiagram import Diagram
from cnndiagram.engine.analysis import analyze
from cnndiagram.loading import load_network

from conftest import SAMPLES, run

SVG = "{http://www.w3.org/2000/svg}"
FIGURE_SAMPLES = sorted(path for path in SAMPLES.iterdir() if path.is_file())
#: A line ending with one of these goes on in the next text element.
CONTINUES = ("+", "\u2212", "\u00b7", "\u00d7", "(", "/")
_ARITHMETIC = re.compile(r"[0-9+\-*/(). ,]|floor|ceil|max")


def texts(svg: str) -> list[str]:
    """The figure's text elements in document order (rows of a column are in order)."""
    root = ET.fromstring(svg)
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def statements(lines: list[str]) -> list[str]:
    """Text lines joined where a formula was wrapped: after an operator, before `= `."""
    out: list[str] = []
    for line in lines:
        if out and (out[-1].endswith(CONTINUES) or line.startswith("= ")):
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def python(expression: str) -> str:
    """A figure's arithmetic as Python: thin-space digit groups, `·`, `×`, `−`, `⌊ ⌋`, `⌈ ⌉`."""
    text = re.sub(r"(?<=\d)\u2009(?=\d)", "", expression)
    for old, new in (
        ("\u00b7", "*"),
        ("\u00d7", "*"),
        ("\u2212", "-"),
        ("\u230a", "floor("),
        ("\u230b", ")"),
        ("\u2308", "ceil("),
        ("\u2309", ")"),
    ):
        text = text.replace(old, new)
    leftover = _ARITHMETIC.sub("", text)
    assert not leftover, f"not arithmetic: {expression!r} ({leftover!r})"
    return text


def claims(svg: str) -> list[tuple[str, int, int]]:
    """Each `expression = number` on the figure: its text, the stated and the true value."""
    found = []
    for line in statements(texts(svg)):
        if " = " not in line:
            continue
        expression, stated = line.split(": ")[-1].rsplit(" = ", 1)
        number = re.match(r"\u2212?\d[\d\u2009]*", stated)
        assert number is not None, f"{line!r} does not state a number"
        value = int(python(number.group()))
        actual = eval(python(expression), {"floor": math.floor, "ceil": math.ceil, "max": max})
        found.append((line, value, actual))
    return found


@pytest.mark.parametrize(
    ("detail", "collapse"),
    [("layers", False), ("layers", True), ("blocks", False), ("stages", False), ("auto", False)],
    ids=["layers", "collapsed", "blocks", "stages", "auto"],
)
@pytest.mark.parametrize("sample", FIGURE_SAMPLES, ids=lambda path: path.name)
def test_every_expression_on_a_figure_evaluates_to_its_number(
    sample: Path, detail: str, collapse: bool
) -> None:
    diagram = Diagram(load_network(sample), collapse=collapse, detail=detail)
    found = claims(diagram.to_svg())
    # every layer's formulas are on a figure of layers; a unit may show a bare count
    assert found or detail != "layers", "no formula on the figure"
    wrong = [line for line, stated, actual in found if stated != actual]
    assert not wrong, wrong


def test_the_headline_is_the_learnable_count_and_running_statistics_are_apart() -> None:
    network = load_network(SAMPLES / "resnet18.cnn")
    lines = texts(Diagram(network, detail="blocks").to_svg())
    assert "11\u2009689\u2009512 learnable parameters (per block: see the summary)" in lines
    assert "+ 9\u2009600 running statistics, not learned" in lines
    assert not any("11\u2009699\u2009112" in line for line in lines)  # the sum with them
    # at the layers level, more than ten layers are summed per stage (stem, four stages, head)
    lines = statements(texts(Diagram(network, detail="layers").to_svg()))
    headline = next(line for line in lines if "learnable parameters" in line)
    assert headline.endswith("= 11\u2009689\u2009512 learnable parameters (sum per stage)")
    assert len(headline.split(" + ")) == 6


def test_frozen_layers_are_learnable_but_said_to_be_frozen() -> None:
    spec = "I(1x8x8)-C(4,3,frozen)-N-F-H(10)"
    analysis = run(spec)
    assert (analysis.learnable_params, analysis.frozen_params) == (40 + 8 + 1450, 40)
    assert (analysis.trainable_params, analysis.non_trainable_params) == (8 + 1450, 40 + 8)
    lines = texts(Diagram(spec, detail="layers").to_svg())
    assert "40 + 8 + 1\u2009450 = 1\u2009498 learnable parameters" in lines
    assert "of which 40 frozen" in lines
    assert "+ 8 running statistics, not learned" in lines


@pytest.mark.parametrize(
    ("spec", "badge"),
    [
        # every iteration the same: n·k
        ("I(4x8x8)-r: repeat(3) { conv(4,1) -> conv(4,1) }-dense(2)", "3\u00b740 = 120"),
        # the first differs: each different count, with how often it occurs
        ("I(3x8x8)-s: repeat(3) { conv(4,1) }-dense(2)", "16 + 2\u00b720 = 56"),
        ("I(3x32x32)-v: repeat(2) { conv(64,3,pad=1) }", "1\u2009792 + 36\u2009928 = 38\u2009720"),
    ],
)
def test_collapse_badges_sum_the_true_counts(spec: str, badge: str) -> None:
    lines = statements(texts(Diagram(spec, collapse=True, detail="layers").to_svg()))
    assert any(line.startswith(badge) for line in lines), lines
    analysis = analyze(load_network(spec, expr=True))
    stated = int(python(badge.rsplit(" = ", 1)[1]))
    block = [r.learnable for r in analysis.layers if r.layer is not None and r.layer.repeat()]
    assert stated == sum(block)


def test_a_collapsed_repeat_is_one_term_of_the_footer_sum() -> None:
    spec = "I(3x8x8)-conv(4,1)-s: repeat(3) { conv(4,1) }-conv(4,1)-dense(2)"
    lines = statements(texts(Diagram(spec, collapse=True, detail="layers").to_svg()))
    footer = next(line for line in lines if line.endswith("learnable parameters"))
    # the drawn columns: conv1, the repeat once with its badge (3·20), conv2, dense1
    assert footer == "16 + 60 + 20 + 514 = 610 learnable parameters"
    assert "3\u00b720 = 60 parameters" in lines
    drawn = statements(texts(Diagram(spec, detail="layers").to_svg()))
    assert "16 + 20 + 20 + 20 + 20 + 514 = 610 learnable parameters" in drawn


def test_badges_never_show_generated_names() -> None:
    specs = [
        "I(3x8x8)-repeat(3) { conv(4,1) }-dense(2)",
        "I(3x8x8)-repeat(2) { residual { conv(3,3,pad=1) -> N } }",
        "I(3x8x8)-repeat(2) { conv(4,1) -> maxpool(2) }",
    ]
    shown = []
    for spec in specs:
        lines = texts(Diagram(spec, collapse=True, detail="layers").to_svg())
        badge = next(line for line in lines if " repeats of " in line)
        assert not re.search(r"\b(repeat|residual|parallel)\d", badge), badge
        shown.append(badge)
    assert shown == [
        "\u00d73 repeats of conv 1\u00d71, 4",
        "\u00d72 repeats of a residual block",
        "\u00d72 repeats of 2 layers",
    ]


@pytest.mark.parametrize("page", ["textwidth", "column"])
@pytest.mark.parametrize("sample", FIGURE_SAMPLES, ids=lambda path: path.name)
def test_formulas_moved_into_the_key_evaluate_and_match_their_marks(
    sample: Path, page: str
) -> None:
    """On a page, a sum too wide for its narrowed column is shown as its result with a
    mark (`215 808 [1]`) and written out under the figure (`[1] layer1 ×3: ... = 215 808`)."""
    lines = texts(Diagram(load_network(sample), page=page).to_svg())
    wrong = [line for line, stated, actual in claims("".join(_svg_of(lines))) if stated != actual]
    assert not wrong, wrong
    marks = {}
    for line in lines:
        found = re.fullmatch(r"(.+) \[(\d+)\]", line)
        if found:
            marks[int(found.group(2))] = found.group(1)
    entries = {}
    for line in statements(lines):
        found = re.match(r"\[(\d+)\] .+: .+ = (.+)$", line)
        if found:
            entries[int(found.group(1))] = found.group(2)
    assert marks == entries
    assert sorted(marks) == list(range(1, len(marks) + 1))  # numbered in drawing order


def _svg_of(lines: list[str]) -> list[str]:
    """Text lines back as SVG text elements, so `claims` reads them as it reads a figure."""
    from xml.sax.saxutils import escape

    body = "".join(f"<text>{escape(line)}</text>" for line in lines)
    return [f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>']


def test_the_resnet50_key_holds_the_stage_sums() -> None:
    lines = statements(
        texts(
            Diagram(
                load_network(SAMPLES / "resnet50.cnn"), page="textwidth", detail="stages"
            ).to_svg()
        )
    )
    assert "215\u2009808 [1]" in lines
    assert "[1] layer1 \u00d73: 75\u2009008 + 2\u00b770\u2009400 = 215\u2009808" in lines


@pytest.mark.parametrize("name", ["resnet18", "efficientnet_b0", "unet"])
def test_the_counts_of_a_figure_of_layers_add_up_to_its_learnable_total(name: str) -> None:
    from cnndiagram.layout.scene import Text, walk

    network = load_network(SAMPLES / f"{name}.cnn")
    diagram = Diagram(network, detail="layers")
    rows = statements(
        [
            item.text
            for _, item in walk(diagram.scene.items)
            if isinstance(item, Text) and item.role == "params"
        ]
    )
    learned = 0
    for row in rows:
        head, _, note = row.partition(" (+ ")
        stated = head.rsplit(" = ", 1)[-1].split(": ")[-1]
        learned += int(python(stated))
        # a normalisation's running statistics are said apart, never counted in
        assert not note or note.endswith(" not learned)"), row
    assert learned == analyze(network).learnable_params
