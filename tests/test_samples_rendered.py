"""The figures committed in samples/figures/ are what the code draws today
(regenerate with `python tools/render_samples.py` after reviewing a change)."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from render_samples import FIGURES, GRAPHVIZ, figures

FIGURE_SET = figures()


@pytest.mark.parametrize("stem", sorted(FIGURE_SET))
def test_committed_figure_is_current(stem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNDIAGRAM_DOT", GRAPHVIZ)
    svg = FIGURES / f"{stem}.svg"
    png = FIGURES / f"{stem}.png"
    assert svg.read_text(encoding="utf-8") == FIGURE_SET[stem].to_svg(), (
        f"{svg.name} is stale: run python tools/render_samples.py"
    )
    if FIGURE_SET[stem].options.style != "graph":
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_sample_has_a_figure() -> None:
    # model files (samples/seed_nolearn.py) are there to be read, as the seed's spec is drawn
    samples = {p.stem for p in (ROOT / "samples").iterdir() if p.is_file() and p.suffix != ".py"}
    drawn = {stem.split("-")[0] for stem in FIGURE_SET}
    assert samples <= drawn
