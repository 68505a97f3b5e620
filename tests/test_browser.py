"""The SVG in a real browser: headless Chromium draws every text where the layout measured it.

CI installs Chromium (.ci/run); elsewhere the test runs when a Chromium is on PATH (or
named by CNNDIAGRAM_CHROMIUM) and is skipped otherwise. With CI=true a missing
browser fails the run instead, so a missing install step cannot hide.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cnndiagram.diagram import Diagram
from cnndiagram.layout.scene import Text, walk

from conftest import SAMPLES

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
{svg}
<pre id="out"></pre>
<script>
document.fonts.ready.then(() => {{
  const svg = document.querySelector("svg");
  const origin = svg.getBoundingClientRect();
  const boxes = [...svg.querySelectorAll("text")].map(t => {{
    const b = t.getBBox();
    return [t.textContent, b.x, b.y, b.width, b.height];
  }});
  // the embedded faces (regular and bold), under the figure's own family name
  const loaded = document.fonts.size === 2 &&
                 [...document.fonts].every(f => f.status === "loaded" &&
                                                f.family.startsWith("cnndiagram"));
  document.getElementById("out").textContent = JSON.stringify({{boxes, loaded}});
}});
</script></body></html>"""


def chromium() -> str:
    for name in (
        os.environ.get("CNNDIAGRAM_CHROMIUM"),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ):
        if name and shutil.which(name):
            return str(shutil.which(name))
    if os.environ.get("CI"):
        pytest.fail("CI must install Chromium for the browser test (see .ci/run)")
    pytest.skip("no Chromium on PATH (set CNNDIAGRAM_CHROMIUM); CI runs this test")


def browser_boxes(svg: str, tmp_path: Path) -> dict[str, object]:
    page = tmp_path / "page.html"
    page.write_text(PAGE.format(svg=svg), encoding="utf-8")
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    match = re.search(r'<pre id="out">(.*?)</pre>', result.stdout, re.S)
    assert match and match.group(1), f"no result from Chromium: {result.stderr[-2000:]}"
    text = match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("sample", "options"),
    [
        ("seed.cnn", {}),
        ("vgg16.cnn", {"max_width": 900, "style": "flat"}),
        ("audio1d.yaml", {"annotate": "size,formulas,params,macs,rf", "fold": False}),
        ("inception.cnn", {}),
        ("resnet50.cnn", {"collapse": True, "max_width": 1600}),
        ("unet.cnn", {"layout": "u"}),
        ("seed.cnn", {"font": "serif"}),
        ("resnet18.cnn", {"font": "serif", "style": "graph", "edge_labels": True}),
    ],
)
def test_text_lands_where_measured(sample: str, options: dict[str, object], tmp_path: Path) -> None:
    diagram = Diagram(SAMPLES / sample, **options)
    texts = [item for _, item in walk(diagram.scene.items) if isinstance(item, Text)]
    result = browser_boxes(diagram.to_svg(), tmp_path)
    assert result["loaded"], "the embedded font did not load"
    boxes = result["boxes"]
    assert isinstance(boxes, list)
    assert len(boxes) == len(texts)
    for text, (content, x, y, width, height) in zip(texts, boxes):
        left, top, _, bottom = text.box()
        assert content == text.text
        assert abs(x - left) <= 1.5, (text.text, x, left)
        assert abs(width - text.width) <= 1.5, (text.text, width, text.width)
        # Chromium's box spans the font's ascent and descent around the baseline.
        assert abs((y + height) - bottom) <= 2.0, (text.text, y + height, bottom)
        assert abs(y - top) <= 2.0, (text.text, y, top)
