"""The MkDocs route: a real `mkdocs build` of a tiny site whose pages hold ```cnndiagram fences."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES

pytest.importorskip("mkdocs")
pytest.importorskip("pymdownx")

CONFIG = """\
site_name: nets
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: cnndiagram
          class: cnndiagram
          validator: !!python/name:cnndiagram.mkdocs.fence_validator
          format: !!python/name:cnndiagram.mkdocs.fence_format
"""
BAD = "input(1x28x28)\nconv(32, 5)\nconx(3)\n"


def make_site(root: Path, body: str) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (root / "docs" / "index.md").write_text(body, encoding="utf-8")
    return root


def mkdocs_build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def test_fences_become_inline_svg_figures_and_errors_visible_blocks(tmp_path: Path) -> None:
    seed = (SAMPLES / "seed.cnn").read_text(encoding="utf-8")
    body = (
        "# Nets\n\n"
        f'```cnndiagram style="flat" caption="The <seed> network"\n{seed}```\n\n'
        "Between the figures.\n\n"
        f"```cnndiagram\n{BAD}```\n\n"
        '```cnndiagram theme="nope"\ninput(3x8x8)\ndense(2)\n```\n\n'
        "```python\nprint('a plain fence stays code')\n```\n"
    )
    site = make_site(tmp_path, body)
    done = mkdocs_build(site)
    assert done.returncode == 0, done.stderr
    page = (site / "site" / "index.html").read_text(encoding="utf-8")
    (figure,) = re.findall(r'<figure class="cnndiagram">.*?</figure>', page, re.S)
    assert figure.count("<svg ") == 1 and "<title" in figure
    assert ">Seed network (MNIST)</title>" in figure
    assert "217,706 parameters in total" in figure  # the description: the alt text
    assert "<figcaption>The &lt;seed&gt; network</figcaption>" in figure
    errors = re.findall(r'<div class="cnndiagram-error.*?</div>', page, re.S)
    assert len(errors) == 2
    assert "cnndiagram fence:3:1: error: unknown layer kind &#39;conx&#39;" in errors[0]
    assert "--theme: unknown theme &#39;nope&#39;" in errors[1]
    assert "a plain fence stays code" in page
    assert "Between the figures." in page
    assert done.stderr.count("WARNING") == 2
    assert "cnndiagram fence:3:1: error: unknown layer kind 'conx'" in done.stderr
    # --strict turns the warnings into a failed build, as for any MkDocs warning.
    strict = mkdocs_build(site, "--strict")
    assert strict.returncode != 0


def test_unknown_fence_options_are_reported_not_ignored(tmp_path: Path) -> None:
    site = make_site(tmp_path, '```cnndiagram colour="red"\ninput(3x8x8)\ndense(2)\n```\n')
    done = mkdocs_build(site)
    assert done.returncode == 0
    page = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "unknown option &#39;colour&#39; on the fence" in page
    assert "<svg" not in page


def test_fence_format_escapes_and_uses_the_option_table() -> None:
    from cnndiagram.mkdocs import fence_format, fence_validator

    options: dict[str, str] = {}
    assert fence_validator("cnndiagram", {"font-size": "9", "annotate": "size"}, options, {}, None)
    assert options == {"font_size": "9", "annotate": "size"}
    html = fence_format(
        'title "<b>x</b>"\ninput(1x8x8)\ndense(2)\n', "cnndiagram", "", options, None
    )
    assert "<title" in html and "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
