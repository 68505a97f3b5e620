"""The Sphinx extension, through real `sphinx-build` runs of a small documentation tree: a
spec file, an inline spec and a broken spec; HTML, LaTeX (compiled by pdflatex), an edited
spec rebuilt without -E, -W, and a parallel build."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES

pytest.importorskip("sphinx")

CONF = 'extensions = ["cnndiagram.sphinx"]\nproject = "nets"\n'
INDEX = """\
Networks
========

.. cnndiagram:: nets/seed.cnn
   :style: flat
   :caption: The seed network, from a file.
   :name: fig-seed
   :summary: table

See :ref:`fig-seed` and :numref:`fig-seed`.

.. cnndiagram::
   :font-size: 9
   :alt: A small <network> & more
   :width: 60%

   input(3x32x32)
   conv(16, 3, pad=1) -> relu
   dense(10)

.. cnndiagram:: nets/bad.cnn

.. cnndiagram::

   input(3x32x32)
   conv(16, 3, pad=1, foo=2)

.. cnndiagram:: /nets/seed.cnn
   :theme: nope
"""
# Where the directives above stand (1-based lines of INDEX).
BAD_FILE_LINE = INDEX.splitlines().index(".. cnndiagram:: nets/bad.cnn") + 1
BAD_INLINE_LINE = INDEX.splitlines().index("   conv(16, 3, pad=1, foo=2)") + 1
BAD_OPTION_LINE = INDEX.splitlines().index(".. cnndiagram:: /nets/seed.cnn") + 1
BAD_SPEC = "input(1x28x28)\nconv(32, 5)\nconx(3)\n"


def make_project(root: Path) -> Path:
    source = root / "src"
    (source / "nets").mkdir(parents=True)
    (source / "conf.py").write_text(CONF + "numfig = True\n", encoding="utf-8")
    (source / "index.rst").write_text(INDEX, encoding="utf-8")
    shutil.copy(SAMPLES / "seed.cnn", source / "nets" / "seed.cnn")
    (source / "nets" / "bad.cnn").write_text(BAD_SPEC, encoding="utf-8")
    return source


def sphinx_build(source: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", *args, str(source), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def figures(out: Path, ext: str) -> dict[str, bytes]:
    directory = out / "_images" if ext == "svg" else out
    return {path.name: path.read_bytes() for path in directory.glob(f"cnndiagram-*.{ext}")}


@pytest.fixture(scope="module")
def html_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("sphinx")
    source = make_project(root)
    done = sphinx_build(source, root / "html", "-b", "html", "-d", str(root / "doctrees"))
    assert done.returncode == 0, done.stderr
    return source, root / "html", done.stderr


def test_html_gets_svg_images_with_the_alt_text(html_build: tuple[Path, Path, str]) -> None:
    _, out, _ = html_build
    page = (out / "index.html").read_text(encoding="utf-8")
    svgs = figures(out, "svg")
    assert len(svgs) == 2  # the two good figures; the bad ones are left out
    assert all(data.startswith(b"<svg") for data in svgs.values())
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) == 2
    # The file's figure: its alt text is the figure's own description.
    assert 'alt="Seed network (MNIST): 7 layers, 217,706 parameters in total.' in images[0]
    # The inline one: the given alt text, escaped; the width as given.
    assert 'alt="A small &lt;network&gt; &amp; more"' in images[1]
    assert "width: 60%" in images[1]
    sources = [re.search(r'src="_images/([^"]+)"', image) for image in images]
    assert sorted(match.group(1) for match in sources if match) == sorted(svgs)


def test_html_caption_name_and_summary(html_build: tuple[Path, Path, str]) -> None:
    _, out, _ = html_build
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<figure class="align-center" id="fig-seed">', page)
    assert "The seed network, from a file." in page
    assert 'href="#fig-seed"' in page  # :ref: resolved
    assert "Fig. 1" in page  # :numref: numbered the captioned figure
    table = page[page.index('<table class="cnndiagram-summary') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr") == 8  # a header and seven layers
    assert "conv2d1" in table and "(5*5*1 + 1)*32 = 832" in re.sub(r"<[^>]+>", "", table)
    assert "832 + 9,248 + 205,056 + 2,570 = 217,706" in re.sub(r"<[^>]+>", "", page)


def test_a_bad_spec_is_a_located_warning(html_build: tuple[Path, Path, str]) -> None:
    source, _, stderr = html_build
    index = source / "index.rst"
    bad = source / "nets" / "bad.cnn"
    assert (
        f"{index}:{BAD_FILE_LINE}: WARNING: cnndiagram: {bad}:3:1: error: unknown layer kind "
        "'conx' (did you mean 'conv'?)"
    ) in stderr
    # An inline spec is located in the document itself, at the column of the argument.
    column = INDEX.splitlines()[BAD_INLINE_LINE - 1].index("foo") + 1
    assert f"{index}:{BAD_INLINE_LINE}:{column}: error: unknown argument 'foo' for conv" in stderr
    assert f"{index}:{BAD_OPTION_LINE}: WARNING: cnndiagram: error: --theme: unknown theme" in (
        stderr
    )
    assert "Traceback" not in stderr
    assert stderr.count("WARNING") == 3


def test_warnings_fail_the_build_under_w(tmp_path: Path) -> None:
    source = make_project(tmp_path)
    done = sphinx_build(source, tmp_path / "html", "-b", "html", "-W")
    assert done.returncode != 0
    assert "unknown layer kind 'conx'" in done.stderr
    # Fixed, the same tree builds cleanly under -W.
    (source / "nets" / "bad.cnn").write_text(
        BAD_SPEC.replace("conx(3)", "maxpool(2)"), encoding="utf-8"
    )
    text = INDEX.replace(", foo=2", "").replace(":theme: nope", ":theme: dark")
    (source / "index.rst").write_text(text, encoding="utf-8")
    done = sphinx_build(source, tmp_path / "html2", "-b", "html", "-W")
    assert done.returncode == 0, done.stderr
    assert len(figures(tmp_path / "html2", "svg")) == 5


def test_a_figure_too_big_for_its_page_is_drawn_with_a_warning_each_build(
    tmp_path: Path,
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(CONF, encoding="utf-8")
    page = "Tight\n=====\n\n.. cnndiagram:: seed.cnn\n   :page: 80x60pt\n"
    (source / "index.rst").write_text(page, encoding="utf-8")
    shutil.copy(SAMPLES / "seed.cnn", source / "seed.cnn")
    args = ("-b", "html", "-d", str(tmp_path / "doctrees"))
    for build in ("first", "cached"):
        # -E reads the page again; the second build reuses the figure drawn by the first.
        done = sphinx_build(source, tmp_path / "html", *args, "-E")
        assert done.returncode == 0, done.stderr
        warnings = [line for line in done.stderr.splitlines() if "WARNING" in line]
        assert len(warnings) == 1, (build, done.stderr)
        assert "index.rst:4" in warnings[0]
        assert "does not fit the 80x60pt page (80 x 60 pt)" in warnings[0]
        assert len(figures(tmp_path / "html", "svg")) == 1
    cache = tmp_path / "doctrees" / "images" / "cnndiagram"
    assert len(list(cache.glob("*.svg.warning"))) == 1
    # -W fails on it; suppress_warnings silences exactly this kind.
    assert sphinx_build(source, tmp_path / "w", "-b", "html", "-W").returncode != 0
    conf = CONF + 'suppress_warnings = ["cnndiagram.fit"]\n'
    (source / "conf.py").write_text(conf, encoding="utf-8")
    done = sphinx_build(source, tmp_path / "quiet", "-b", "html", "-W")
    assert done.returncode == 0, done.stderr


def test_an_edited_spec_is_redrawn_without_e_and_others_are_cached(tmp_path: Path) -> None:
    source = make_project(tmp_path)
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    args = ("-b", "html", "-d", str(doctrees))
    assert sphinx_build(source, out, *args).returncode == 0
    cache = doctrees / "images" / "cnndiagram"
    before = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert len(before) == 2
    seed = source / "nets" / "seed.cnn"
    seed.write_text(seed.read_text().replace("dense(256", "dense(128"), encoding="utf-8")
    done = sphinx_build(source, out, *args)
    assert done.returncode == 0, done.stderr
    after = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    new = set(after) - set(before)
    assert len(new) == 1  # the edited spec's figure, under a new name
    # The inline figure was not drawn again: same file, same modification time.
    kept = set(before) & set(after)
    assert len(kept) == 2 and all(after[name] == before[name] for name in kept)
    page = (out / "index.html").read_text(encoding="utf-8")
    (name,) = new
    assert f'src="_images/{name}"' in page
    assert "(32*5*5 + 1)*128 = 102,528" in re.sub(r"<[^>]+>", "", page)
    assert "dense (dense) 128" in (out / "_images" / name).read_text(encoding="utf-8")


def test_latex_gets_pdf_figures_that_pdflatex_compiles(tmp_path: Path) -> None:
    source = make_project(tmp_path)
    out = tmp_path / "latex"
    done = sphinx_build(source, out, "-b", "latex")
    assert done.returncode == 0, done.stderr
    pdfs = figures(out, "pdf")
    assert len(pdfs) == 2 and all(data.startswith(b"%PDF-") for data in pdfs.values())
    tex = (out / "nets.tex").read_text(encoding="utf-8")
    for name in pdfs:
        assert f"\\sphinxincludegraphics{{{{{name.removesuffix('.pdf')}}}.pdf}}" in tex or (
            f"{{{{{name.removesuffix('.pdf')}}}.pdf}}" in tex
        )
    assert "217{,}706" in tex or "217,706" in tex
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing; .ci/run installs it")
        return
    compiled = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "nets.tex"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    assert (out / "nets.pdf").read_bytes().startswith(b"%PDF-")


def test_a_parallel_build_draws_the_same_figures(tmp_path: Path) -> None:
    source = make_project(tmp_path)
    index = (source / "index.rst").read_text(encoding="utf-8")
    pages = [f"page{n}" for n in range(6)]
    for page in pages:
        spec = "nets/seed.cnn" if int(page[-1]) % 2 else "/nets/seed.cnn"
        body = f"{page}\n=====\n\n.. cnndiagram:: {spec}\n   :annotate: size\n"
        (source / f"{page}.rst").write_text(body, encoding="utf-8")
    toctree = "\n.. toctree::\n\n" + "".join(f"   {page}\n" for page in pages)
    (source / "index.rst").write_text(index + toctree, encoding="utf-8")
    serial = sphinx_build(source, tmp_path / "serial", "-b", "html", "-d", str(tmp_path / "d1"))
    parallel = sphinx_build(
        source, tmp_path / "parallel", "-b", "html", "-j", "auto", "-d", str(tmp_path / "d2")
    )
    assert serial.returncode == 0 and parallel.returncode == 0, parallel.stderr
    # Every page shares one figure file; both builds made the same bytes.
    assert figures(tmp_path / "serial", "svg") == figures(tmp_path / "parallel", "svg")
    assert len(figures(tmp_path / "parallel", "svg")) == 3
    for page in pages:
        assert "<img " in (tmp_path / "parallel" / f"{page}.html").read_text(encoding="utf-8")


def test_the_directive_options_come_from_the_option_table() -> None:
    from cnndiagram.options import OPTIONS
    from cnndiagram.sphinx import CnnDiagramDirective, directive_name

    spec = CnnDiagramDirective.option_spec
    assert {directive_name(option) for option in OPTIONS} <= set(spec)
    assert {"caption", "name", "alt", "align", "width", "summary"} <= set(spec)
    # A switch alone means true.
    assert spec["collapse"](None) == "true" and spec["fold"]("false") == "false"


def test_importing_cnndiagram_does_not_import_sphinx() -> None:
    code = (
        "import sys, cnndiagram; cnndiagram.analyze(cnndiagram.load_spec('samples/seed.cnn'));"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'docutils')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_projects_own_docs_build_cleanly_with_every_sample(tmp_path: Path) -> None:
    out = tmp_path / "html"
    done = sphinx_build(ROOT / "docs", out, "-b", "html", "-W", "-d", str(tmp_path / "doctrees"))
    assert done.returncode == 0, done.stderr
    gallery = (out / "gallery.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    samples = sorted(
        path.name for path in SAMPLES.iterdir() if path.is_file() and path.name != "README.md"
    )
    # Every sample is drawn: the seed on the front page, the others in the gallery.
    assert samples and all(f"samples/{name}" in gallery + index for name in samples)
    images = re.findall(r'<img alt="[^"]+" class="cnndiagram" src="_images/([^"]+)"', gallery)
    # One figure for each sample but the seed, and ResNet-50 twice (flat, and at text width).
    assert len(images) == len(samples)
    assert all((out / "_images" / name).read_bytes().startswith(b"<svg") for name in images)
    assert "832 + 9,248 + 205,056 + 2,570 = 217,706" in re.sub(r"<[^>]+>", "", index)


def test_myst_pages_take_the_directive_and_locate_inline_errors(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        'extensions = ["myst_parser", "cnndiagram.sphinx"]\n', encoding="utf-8"
    )
    page = (
        "# Nets\n\n"
        "```{cnndiagram}\n:caption: A good one.\n\ninput(3x8x8)\nconv(4, 3)\n```\n\n"
        "```{cnndiagram}\n:caption: A bad one.\n\ninput(3x8x8)\nconv(4, 3, foo=1)\n```\n"
    )
    (source / "index.md").write_text(page, encoding="utf-8")
    done = sphinx_build(source, tmp_path / "html", "-b", "html")
    assert done.returncode == 0, done.stderr
    lines = page.splitlines()
    fence = len(lines) - lines[::-1].index("```{cnndiagram}")
    bad = lines.index("conv(4, 3, foo=1)") + 1
    index = source / "index.md"
    assert f"{index}:{fence}: WARNING: cnndiagram: {index}:{bad}:12: error: unknown argument" in (
        done.stderr
    )
    assert len(figures(tmp_path / "html", "svg")) == 1
