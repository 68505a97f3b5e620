r"""The TikZ backend, compiled as a user would: figures `\input` into an ordinary article and
typeset by a real pdflatex in Computer Modern and in Times, then every word's box read back
with pdfplumber: no two words overlap and every word is on the page, in either font."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cnndiagram.diagram import Diagram
from cnndiagram.escapes.latex import escape_latex_ascii
from cnndiagram.escapes.number import number
from cnndiagram.render.tikz import render_tikz

from conftest import SAMPLES, cli
from test_papers import need

pdfplumber = pytest.importorskip("pdfplumber")

PAGE = ["--page", "7x9in"]
FIGURES = {
    "seed": ["seed.cnn", *PAGE],
    "resnet": ["resnet18.cnn", "--collapse", *PAGE, "--min-font", "3", "--max-width", "1400"],
    "graph": ["seed.cnn", "--style", "graph", *PAGE],
    "flat": ["seed.cnn", "--style", "flat", *PAGE],
    "hostile": ["hostile.json", *PAGE],
}
#: Names and a title that try every way out of LaTeX text: commands, specials, a catcode
#: change, a shell escape, ligatures, characters pdflatex has no glyph for, controls.
HOSTILE = {
    "title": "\\input{/etc/passwd} \\write18{touch pwned} 100% $x$ & #1 ~ ^^5c",
    "input": "1x28x28",
    "layers": [
        {"kind": "conv", "filters": 8, "kernel": 5, "name": "\\catcode`\\@=11 {a}_b^c"},
        {"kind": "maxpool", "size": 2, "name": "--- `q' ''d'' <|> é ø ß 中 😀 \x07"},
        {"kind": "dense", "units": 10, "name": "\\def\\x{y}\\x \\\\ \\end{document}"},
    ],
}
ARTICLE = r"""\documentclass{article}
\usepackage[letterpaper,margin=0.5in]{geometry}
\usepackage{tikz}
%(fonts)s
\pagestyle{empty}
\begin{document}
%(body)s
\end{document}
"""
FONTS = {"cm": "", "times": r"\usepackage{mathptmx}"}


def pdflatex(folder: Path, name: str) -> Path:
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", name],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    log = (folder / name).with_suffix(".log").read_text(encoding="latin-1")
    assert run.returncode == 0, log[-3000:]
    assert "Missing character" not in log and "Unicode character" not in log
    return (folder / name).with_suffix(".pdf")


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each figure written by the CLI, as a user makes it."""
    need("pdflatex")
    folder = tmp_path_factory.mktemp("tikz")
    (folder / "hostile.json").write_text(json.dumps(HOSTILE), encoding="utf-8")
    for name, (sample, *options) in FIGURES.items():
        spec = folder / sample if sample == "hostile.json" else SAMPLES / sample
        result = cli("render", str(spec), *options, "-o", str(folder / f"{name}.tex"))
        assert result.returncode == 0, result.stderr
    return folder


def _overlap(a: dict[str, Any], b: dict[str, Any], slack: float = 0.05) -> bool:
    return (
        a["x0"] < b["x1"] - slack
        and b["x0"] < a["x1"] - slack
        and a["top"] < b["bottom"] - slack
        and b["top"] < a["bottom"] - slack
    )


def _words(page: Any) -> list[dict[str, Any]]:
    """Words with a box from the baseline: pdfplumber's vertical extent comes from each
    font's declared descent, which for TeX's math symbol font (-0.96 em) would put a floor
    bracket's box almost an em below its line; ascent 0.75 em, descent 0.25 em instead."""
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False, extra_attrs=["size"])
    for word in words:
        size = word["size"]
        chars = [
            c
            for c in page.chars
            if word["x0"] - 0.01 <= c["x0"]
            and c["x1"] <= word["x1"] + 0.01
            and word["top"] - 0.01 <= c["top"]
            and c["bottom"] <= word["bottom"] + 0.01
        ]
        baseline = min(page.height - c["matrix"][5] for c in chars) if chars else word["bottom"]
        word["top"], word["bottom"] = baseline - 0.75 * size, baseline + 0.25 * size
    return words


@pytest.mark.parametrize("font", list(FONTS))
def test_figures_input_into_an_article_never_overlap(figures: Path, font: str) -> None:
    body = "\n\\clearpage\n".join(
        f"\\noindent\\input{{{name}.tex}}\\par\n% {name}" for name in FIGURES
    )
    source = ARTICLE % {"fonts": FONTS[font], "body": body}
    (figures / f"article-{font}.tex").write_text(source, encoding="ascii")
    pdf = pdflatex(figures, f"article-{font}.tex")
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) == len(FIGURES)
        for name, page in zip(FIGURES, document.pages):
            words = _words(page)
            assert len(words) > 10, name
            for word in words:
                assert word["x0"] >= 0 and word["x1"] <= page.width, (name, word["text"])
                assert word["top"] >= 0 and word["bottom"] <= page.height, (name, word["text"])
            for index, word in enumerate(words):
                for other in words[index + 1 :]:
                    assert not _overlap(word, other), (name, word["text"], other["text"])
            fonts = {char["fontname"].split("+")[-1] for char in page.chars}
            if font == "times":  # the document's font, not the figure's
                assert any(name.startswith(("NimbusRom", "Times", "ptm")) for name in fonts), fonts
            else:
                assert any(name.startswith("CMR") for name in fonts), fonts
        seed = document.pages[0].extract_text()
    flat = re.sub(r"\s+", "", seed)
    for count in ("832", "9248", "205056", "2570", "217706"):
        assert count in flat
    assert "(5·5·1+1)·32=832" in flat
    assert "1×28×28" in flat and "⌊24/2⌋=12" in flat
    for layer in ("conv2d1", "maxpool2", "dense", "output"):
        assert layer in seed


def test_text_wider_in_the_document_font_stays_in_its_measured_box(figures: Path) -> None:
    r"""A document font much wider than the measured one (Courier, bold, at the figure's
    sizes): every word stays inside the box the layout measured for its text, on its
    baseline, so no two can collide."""
    source = ARTICLE % {
        "fonts": r"\renewcommand{\familydefault}{pcr}\renewcommand{\mddefault}{b}",
        "body": r"\noindent\input{seed.tex}",
    }
    (figures / "article-wide.tex").write_text(source, encoding="ascii")
    with pdfplumber.open(pdflatex(figures, "article-wide.tex")) as document:
        page = document.pages[0]
        words = _words(page)
    scene = Diagram(SAMPLES / "seed.cnn", page="7x9in").scene
    unit = scene.points_per_unit or 1.0
    texts = [text for text in _scene_texts(scene) if text.text.strip()]
    # where the picture's origin landed on the page, from one label
    (label,) = [text for text in texts if text.text == "conv2d1"]
    (word,) = [word for word in words if word["text"] == "conv2d1"]
    left, _, right, _ = label.box()
    dx = (word["x0"] + word["x1"]) / 2 - (left + right) / 2 * unit
    dy = word["bottom"] - 0.25 * word["size"] - label.y * unit
    wider = 0
    for word in words:
        baseline = word["bottom"] - 0.25 * word["size"] - dy
        holders = [
            text
            for text in texts
            if abs(text.y * unit - baseline) < 0.5
            and text.box()[0] * unit - 0.3 <= word["x0"] - dx
            and word["x1"] - dx <= text.box()[2] * unit + 0.3
        ]
        assert holders, word["text"]
        wider += all(word["size"] < holder.size * unit * 0.98 for holder in holders)
    assert wider > 5  # Courier is wider: many texts were scaled down to fit
    for index, word in enumerate(words):
        for other in words[index + 1 :]:
            assert not _overlap(word, other), (word["text"], other["text"])


def test_hostile_names_are_literal_text(figures: Path) -> None:
    tex = (figures / "hostile.tex").read_text(encoding="ascii")  # ASCII: no inputenc needed
    normal = (figures / "seed.tex").read_text(encoding="ascii")
    # Every control word in the file is one the backend writes for any figure, or one of
    # the escapes' own: none is spelt by user text.
    allowed = set(re.findall(r"\\[A-Za-z@]+", normal)) | set(
        re.findall(r"\\[A-Za-z@]+", escape_latex_ascii(r"\{}$&#^_%~<>|×·−⌊⌋ é ø ß 中 ²"))
    )
    assert set(re.findall(r"\\[A-Za-z@]+", tex)) <= allowed
    assert re.findall(r"\\(?:input|write|catcode|def)(?![A-Za-z])|\\end\{doc", tex) == []
    assert "^^" not in tex
    source = ARTICLE % {"fonts": "", "body": r"\noindent\input{hostile.tex}"}
    (figures / "article-hostile.tex").write_text(source, encoding="ascii")
    with pdfplumber.open(pdflatex(figures, "article-hostile.tex")) as document:
        text = re.sub(r"\s+", "", document.pages[0].extract_text())
    # What Computer Modern's OT1 glyphs are called: curly quotes, accents for ^ and ~ (and
    # a rule, no glyph, for _).
    text = text.translate(
        str.maketrans({"\u2018": "`", "\u2019": "'", "\u02c6": "^", "\u02dc": "~"})
    )
    assert r"\input{/etc/passwd}\write18{touchpwned}100%$x$&#1~^^5c" in text
    assert r"\catcode`\@=11{a}" in text and "b^c" in text
    assert "<|>" in text and "øß" in text
    assert r"\def\x{y}\x\\\end{document}" in text
    assert "---`q'''d''" in text  # no ligature: three hyphens, separate quotes
    assert not (figures / "pwned").exists()


def test_standalone_compiles_on_its_own(tmp_path: Path) -> None:
    need("pdflatex")
    target = tmp_path / "seed.tex"
    result = cli("render", str(SAMPLES / "seed.cnn"), "--standalone", "-o", str(target))
    assert result.returncode == 0, result.stderr
    tex = target.read_text(encoding="ascii")
    assert tex.startswith("\\documentclass{standalone}") and tex.rstrip().endswith(
        "\\end{document}"
    )
    pdf = pdflatex(tmp_path, "seed.tex")
    scene = Diagram(SAMPLES / "seed.cnn").scene
    with pdfplumber.open(pdf) as document:
        (page,) = document.pages
        # the page is the figure's bounding box: one point per unit without --page
        assert abs(page.width - scene.width) < 0.5 and abs(page.height - scene.height) < 0.5
        assert "217" in page.extract_text()


@pytest.mark.parametrize(
    "options", [{}, {"page": "column"}, {"style": "graph", "theme": "dark"}, {"font": "serif"}]
)
def test_the_picture_follows_the_scene(options: dict[str, str]) -> None:
    scene = Diagram(SAMPLES / "seed.cnn", **options).scene
    tex = render_tikz(scene)
    unit = scene.points_per_unit or 1.0
    assert f"[x={number(unit, 6)}bp, y=-{number(unit, 6)}bp" in tex
    assert tex == render_tikz(scene)  # deterministic
    assert tex.isascii()
    colours = set(re.findall(r"\\definecolor\{(cnn[0-9A-F]{6})\}\{HTML\}\{([0-9A-F]{6})\}", tex))
    assert all(name == f"cnn{value}" for name, value in colours)
    assert scene.background is not None
    assert f"cnn{scene.background.lstrip('#').upper()}" in {name for name, _ in colours}
    assert (
        "\\fill[cnn" not in render_tikz(scene, transparent=True).split("\\useasboundingbox")[1][:60]
    )
    nodes = re.findall(r"\\cnnfit\{([0-9.]+)bp\}", tex)
    texts = [t for t in _scene_texts(scene) if t.text.strip()]
    assert len(nodes) == len(texts)
    for measured, text in zip(nodes, texts):
        assert abs(float(measured) - text.width * unit) < 0.01


def _scene_texts(scene: Any) -> list[Any]:
    from cnndiagram.layout.scene import Text, walk

    return [item for _, item in walk(scene.items) if isinstance(item, Text)]
