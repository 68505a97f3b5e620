"""The MkDocs routes: real `mkdocs build`s of tiny sites whose pages hold ```cnndiagram fences,
or whose docs hold spec files the plugin draws beside them."""

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


def mkdocs_build(
    root: Path, *args: str, path: tuple[Path, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, (ROOT, *path)))}
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


# -- the plugin: `plugins: [cnndiagram]` draws the docs' spec files ------------------------------

HOSTILE = 'input(3x8x8)\n"</text><script>alert(1)</script>": dense(2)\n'


@pytest.fixture(scope="module")
def entry_point(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ...]:
    """A directory for PYTHONPATH holding a distribution that registers the plugin, as the
    package's own `mkdocs.plugins` entry point does once installed: MkDocs finds plugins by
    entry point only, and the tests run from the source tree."""
    root = tmp_path_factory.mktemp("entry-point")
    info = root / "cnndiagram_mkdocs_test-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cnndiagram-mkdocs-test\nVersion: 0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[mkdocs.plugins]\ncnndiagram = cnndiagram.mkdocs_plugin:CnnDiagramPlugin\n",
        encoding="utf-8",
    )
    return (root,)


def plugin_site(root: Path, plugin: str, files: dict[str, str]) -> Path:
    """A site whose `mkdocs.yml` lists the plugin with `plugin` (YAML, indented under it)."""
    (root / "mkdocs.yml").write_text(
        f"site_name: nets\nplugins:\n  - cnndiagram:\n{plugin}", encoding="utf-8"
    )
    for name, text in files.items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(text, encoding="utf-8")
    return root


def expected_svg(spec: Path, **options: str) -> bytes:
    from cnndiagram.diagram import Diagram
    from cnndiagram.loading import load_network

    return Diagram(load_network(spec), **options).to_bytes("svg")


def test_the_plugin_draws_each_spec_beside_it_with_the_options(
    tmp_path: Path, entry_point: tuple[Path, ...]
) -> None:
    seed = (SAMPLES / "seed.cnn").read_text(encoding="utf-8")
    site = plugin_site(
        tmp_path,
        "      formats: [svg, png]\n      options: {style: flat, font-size: 9}\n",
        {
            "index.md": "# Nets\n\n![The seed network](nets/seed.cnn.svg)\n",
            "nets/seed.cnn": seed,
            "nets/seed.yaml": (SAMPLES / "seed.yaml").read_text(encoding="utf-8"),
        },
    )
    done = mkdocs_build(site, "--strict", path=entry_point)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    out = site / "site" / "nets"
    svg = (out / "seed.cnn.svg").read_bytes()
    # The figure the API draws with the same options: flat boxes at font size 9, not blocks.
    assert svg == expected_svg(SAMPLES / "seed.cnn", style="flat", font_size="9")
    assert svg != expected_svg(SAMPLES / "seed.cnn", font_size="9")
    assert (out / "seed.cnn.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # Specs stay out of the site; a .yaml file is not taken for a spec unless `specs` says.
    assert not (out / "seed.cnn").exists()
    assert (out / "seed.yaml").exists() and not (out / "seed.yaml.svg").exists()
    page = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert '<img alt="The seed network" src="nets/seed.cnn.svg"' in page
    # Reproducible: a second build writes the same bytes.
    again = mkdocs_build(site, path=entry_point)
    assert again.returncode == 0, again.stderr
    assert (out / "seed.cnn.svg").read_bytes() == svg


def test_specs_patterns_and_copy_specs(tmp_path: Path, entry_point: tuple[Path, ...]) -> None:
    site = plugin_site(
        tmp_path,
        '      specs: ["*.cnn", "nets/*.yaml"]\n      copy_specs: true\n',
        {
            "index.md": "# Nets\n",
            "seed.cnn": (SAMPLES / "seed.cnn").read_text(encoding="utf-8"),
            "nets/seed.yaml": (SAMPLES / "seed.yaml").read_text(encoding="utf-8"),
            "other/config.yaml": "not: a spec\n",
        },
    )
    done = mkdocs_build(site, "--strict", path=entry_point)
    assert done.returncode == 0, done.stderr
    out = site / "site"
    assert (out / "nets" / "seed.yaml.svg").read_bytes() == expected_svg(SAMPLES / "seed.yaml")
    assert (out / "seed.cnn.svg").exists()
    assert (out / "seed.cnn").exists() and (out / "nets" / "seed.yaml").exists()
    assert (out / "other" / "config.yaml").exists()
    assert not (out / "other" / "config.yaml.svg").exists()


def test_a_bad_spec_is_a_located_warning_and_gets_no_figure(
    tmp_path: Path, entry_point: tuple[Path, ...]
) -> None:
    site = plugin_site(
        tmp_path,
        "      formats: [svg, pdf]\n",
        {
            "index.md": "# Nets\n\n![good](nets/good.cnn.svg)\n\n![bad](nets/bad.cnn.svg)\n",
            "nets/good.cnn": "input(3x8x8)\ndense(2)\n",
            "nets/bad.cnn": BAD,
        },
    )
    done = mkdocs_build(site, path=entry_point)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (
        "WARNING -  cnndiagram: docs/nets/bad.cnn:3:1: error: unknown layer kind 'conx'"
        in done.stderr
    )
    assert "3 | conx(3)\n  | ^^^^" in done.stderr
    # One warning for the spec whatever the formats, and MkDocs' own for the missing image.
    assert done.stderr.count("cnndiagram:") == 1
    assert "contains a link 'nets/bad.cnn.svg', but the target is not found" in done.stderr
    out = site / "site" / "nets"
    assert sorted(path.name for path in out.iterdir()) == ["good.cnn.pdf", "good.cnn.svg"]
    assert (out / "good.cnn.pdf").read_bytes().startswith(b"%PDF-")
    strict = mkdocs_build(site, "--strict", path=entry_point)
    assert strict.returncode != 0
    assert "docs/nets/bad.cnn:3:1: error" in strict.stderr


def test_names_from_the_spec_are_escaped_in_the_figure(
    tmp_path: Path, entry_point: tuple[Path, ...]
) -> None:
    import xml.etree.ElementTree as ET

    site = plugin_site(tmp_path, "      options: {style: flat}\n", {"evil.cnn": HOSTILE})
    done = mkdocs_build(site, "--strict", path=entry_point)
    assert done.returncode == 0, done.stderr
    svg = (site / "site" / "evil.cnn.svg").read_text(encoding="utf-8")
    assert "<script" not in svg
    assert "&lt;/text&gt;&lt;script&gt;" in svg
    names = [element.text or "" for element in ET.fromstring(svg).iter()]
    assert any("</text><script>alert(1)</script>" in text for text in names)


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        ("      options: {colour: red}\n", "unknown option 'colour'; known: annotate,"),
        ("      options: {style: round}\n", "--style: unknown style 'round'; choose from"),
        ("      options: [flat]\n", "expected a mapping of figure options, not list"),
        ("      formats: [tikz]\n", "Expected one of: ('svg', 'png', 'pdf')"),
        ('      specs: ["!"]\n', "Invalid git pattern: '!'"),
    ],
    ids=["unknown", "bad-value", "not-a-mapping", "format", "pattern"],
)
def test_bad_plugin_options_are_configuration_errors(
    tmp_path: Path, entry_point: tuple[Path, ...], plugin: str, message: str
) -> None:
    site = plugin_site(tmp_path, plugin, {"index.md": "# Nets\n"})
    done = mkdocs_build(site, path=entry_point)
    assert done.returncode != 0
    assert "Aborted with a configuration error!" in done.stdout
    assert "ERROR   -  Config value 'plugins': Plugin 'cnndiagram' option" in done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_plugin_setting_is_reported(
    tmp_path: Path, entry_point: tuple[Path, ...]
) -> None:
    site = plugin_site(tmp_path, "      colour: red\n", {"index.md": "# Nets\n"})
    done = mkdocs_build(site, path=entry_point)
    assert done.returncode == 0
    assert "Plugin 'cnndiagram' option 'colour': Unrecognised configuration name" in done.stderr
    assert mkdocs_build(site, "--strict", path=entry_point).returncode != 0


def test_the_plugin_reuses_figures_whose_spec_did_not_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process, as `mkdocs serve` keeps the plugin between rebuilds (it has `on_startup`)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from cnndiagram import mkdocs_plugin

    site = plugin_site(tmp_path, "", {"index.md": "# Nets\n", "a.cnn": "input(3x8x8)\ndense(2)\n"})
    (site / "mkdocs.yml").write_text("site_name: nets\nplugins: []\n", encoding="utf-8")
    config = load_config(str(site / "mkdocs.yml"))
    plugin = mkdocs_plugin.CnnDiagramPlugin()
    errors, warnings = plugin.load_config({"options": {"style": "flat"}})
    assert (errors, warnings) == ([], [])
    config.plugins["cnndiagram"] = plugin  # registers its events, as MkDocs does
    drawn: list[str] = []

    def draw(path: str, *args: object, **kwargs: object) -> bytes:
        drawn.append(Path(path).name)
        return b"<svg/>"

    monkeypatch.setattr(mkdocs_plugin, "draw", draw)
    config.plugins.on_startup(command="serve", dirty=False)
    for _ in range(2):
        files = config.plugins.on_files(get_files(config), config=config)
        figure = files.get_file_from_path("a.cnn.svg")
        assert figure is not None and figure.content_bytes == b"<svg/>"
        assert files.get_file_from_path("a.cnn") is None
    assert drawn == ["a.cnn"]
    (site / "docs" / "a.cnn").write_text("input(3x8x8)\ndense(3)\n", encoding="utf-8")
    config.plugins.on_files(get_files(config), config=config)
    assert drawn == ["a.cnn", "a.cnn"]
