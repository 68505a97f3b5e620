"""Batches on the command line: `render SPEC... -d OUTDIR` and `summary SPEC...`, run as users
run them (real processes), with a broken spec among good ones and model files among specs."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cnndiagram.batch.stamp import STAMP_NAME

from conftest import FIXTURES, ROOT, SAMPLES, cli

BAD = "input(1x28x28)\nconv(32, 5)\nmaxpol(2)\n"
MAGIC = {".svg": b"<svg", ".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-"}


def specs(tmp_path: Path) -> list[Path]:
    """A DSL spec, a YAML spec, a Keras model.to_json() file, a nolearn definition and a
    spec with an unknown layer kind on line 3."""
    folder = tmp_path / "specs"
    folder.mkdir()
    paths = [
        folder / "lenet5.cnn",
        folder / "seed.yaml",
        folder / "keras_seed.json",
        folder / "nolearn.py",
        folder / "bad.cnn",
    ]
    shutil.copy(SAMPLES / "lenet5.cnn", paths[0])
    shutil.copy(SAMPLES / "seed.yaml", paths[1])
    shutil.copy(FIXTURES / "keras" / "seed.json", paths[2])
    shutil.copy(SAMPLES / "seed_nolearn.py", paths[3])
    paths[4].write_text(BAD)
    return paths


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_batch_renders_every_good_spec_and_reports_the_bad_one(tmp_path: Path) -> None:
    paths = [FIXTURES / "keras" / "residual.keras", *specs(tmp_path)]
    out = tmp_path / "out"
    result = cli("render", *map(str, paths), "-d", str(out), "-f", "svg,png,pdf")
    assert result.returncode == 1
    assert result.stdout == ""  # no progress bar: stderr is not a terminal
    bad = paths[-1]
    assert result.stderr == (
        f"{bad}:3:1: error: unknown layer kind 'maxpol' (did you mean 'maxpool'?)\n"
        "3 | maxpol(2)\n"
        "  | ^^^^^^\n"
        "hint: `cnndiagram kinds` lists every layer kind\n"
        "1 of 6 failed\n"
    )
    stems = ["keras_seed", "lenet5", "nolearn", "residual", "seed"]
    expected = sorted([f"{stem}{ext}" for stem in stems for ext in MAGIC] + [STAMP_NAME])
    assert sorted(os.listdir(out)) == expected  # nothing of bad.cnn, no temporary file
    for name, data in files(out).items():
        if name == STAMP_NAME:
            continue
        assert data.startswith(MAGIC[Path(name).suffix]), name
        if name.endswith(".svg"):
            assert ET.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"
    # Each output is what the single-spec command writes for the same spec.
    single = tmp_path / "single.svg"
    assert cli("render", str(paths[1]), "-o", str(single)).returncode == 0
    assert (out / "lenet5.svg").read_bytes() == single.read_bytes()
    assert cli("render", str(paths[0]), "-o", str(single)).returncode == 0
    assert (out / "residual.svg").read_bytes() == single.read_bytes()
    stamp = json.loads((out / STAMP_NAME).read_text())
    assert sorted(stamp["outputs"]) == [name for name in expected if name != STAMP_NAME]


def test_up_to_date_outputs_are_skipped_until_their_spec_or_file_changes(tmp_path: Path) -> None:
    paths = specs(tmp_path)[:2]
    out = tmp_path / "out"
    assert cli("render", *map(str, paths), "-d", str(out), "-f", "svg,png").returncode == 0
    first = {path.name: path.stat().st_ino for path in out.iterdir()}
    before = files(out)

    os.utime(paths[0], (1, 2_000_000_000))  # touched, same bytes: still up to date
    again = cli("render", *map(str, paths), "-d", str(out), "-f", "svg,png")
    assert (again.returncode, again.stderr) == (0, "")
    assert {path.name: path.stat().st_ino for path in out.iterdir()} == first  # not rewritten

    paths[0].write_text(paths[0].read_text().replace("output(10)", "output(12)"))
    (out / "seed.png").write_bytes(b"edited by hand")  # not what was written: drawn again
    assert cli("render", *map(str, paths), "-d", str(out), "-f", "svg,png").returncode == 0
    now = {path.name: path.stat().st_ino for path in out.iterdir()}
    changed = sorted(name for name in now if now[name] != first[name])
    assert changed == [STAMP_NAME, "lenet5.png", "lenet5.svg", "seed.png"]
    assert b"output 12" in (out / "lenet5.svg").read_bytes()
    assert (out / "seed.png").read_bytes() == before["seed.png"]

    forced = cli("render", *map(str, paths), "-d", str(out), "-f", "svg,png", "--force")
    assert forced.returncode == 0
    rewritten = {path.name: path.stat().st_ino for path in out.iterdir()}
    assert all(rewritten[name] != now[name] for name in now if name != STAMP_NAME)
    assert files(out)["seed.svg"] == before["seed.svg"]  # the same bytes again


def test_an_option_change_renders_again(tmp_path: Path) -> None:
    paths = specs(tmp_path)[:2]
    out = tmp_path / "out"
    assert cli("render", *map(str, paths), "-d", str(out)).returncode == 0
    light = files(out)
    assert cli("render", *map(str, paths), "-d", str(out), "--theme", "dark").returncode == 0
    dark = files(out)
    assert sorted(dark) == sorted(light) == sorted([STAMP_NAME, "lenet5.svg", "seed.svg"])
    assert all(dark[name] != light[name] for name in light)
    # Back to the defaults: drawn again, byte for byte the first figures.
    assert cli("render", *map(str, paths), "-d", str(out)).returncode == 0
    assert files(out) == light


def test_worker_processes_write_the_same_bytes(tmp_path: Path) -> None:
    paths = [*specs(tmp_path), SAMPLES / "inception.cnn", SAMPLES / "audio1d.yaml"]
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = cli("render", *map(str, paths), "-d", str(out), "-f", "svg,png", "-j", jobs)
        assert result.returncode == 1
        assert result.stderr.endswith("1 of 7 failed\n")
        outputs.append((files(out), result.stderr))
    assert outputs[0] == outputs[1]  # outputs, stamp and messages alike
    assert len(outputs[0][0]) == 6 * 2 + 1


def test_specs_with_the_same_stem(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(SAMPLES / "seed.cnn", tmp_path / "a" / "x.cnn")
    shutil.copy(SAMPLES / "seed.yaml", tmp_path / "b" / "x.yaml")
    shutil.copy(SAMPLES / "lenet5.cnn", tmp_path / "b" / "x.cnn")
    out = tmp_path / "out"
    # Different extensions: named by the whole file name.
    named = cli(
        "render", str(tmp_path / "a" / "x.cnn"), str(tmp_path / "b" / "x.yaml"), "-d", str(out)
    )
    assert named.returncode == 0, named.stderr
    assert sorted(os.listdir(out)) == [STAMP_NAME, "x.cnn.svg", "x.yaml.svg"]
    # The same file name twice: a usage error before any work.
    clash = tmp_path / "clash"
    result = cli(
        "render", str(tmp_path / "a" / "x.cnn"), str(tmp_path / "b" / "x.cnn"), "-d", str(clash)
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {tmp_path}/a/x.cnn and {tmp_path}/b/x.cnn would both write x.cnn.* in "
        "OUTDIR; rename one, or render them into separate directories\n"
    )
    assert not clash.exists()
    # One file given twice (a glob and a name) is rendered once.
    twice = cli("render", str(SAMPLES / "seed.cnn"), "samples/seed.cnn", "-d", str(clash))
    assert twice.returncode == 0, twice.stderr
    assert sorted(os.listdir(clash)) == [STAMP_NAME, "seed.svg"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["samples/seed.cnn", "samples/lenet5.cnn", "-o", "x.svg"], "-o writes one figure"),
        (["samples/seed.cnn", "-o", "x.svg", "-d", "out"], "either -o"),
        (["-e", "I(1x8x8)-C(4,3)", "-d", "out"], "-e/--expr and --torch are for one spec"),
        (["samples/seed.cnn", "-", "-d", "out"], "'-' (stdin)"),
        (["samples/seed.cnn", "-o", "x.svg", "-j", "2"], "-j and --force are for -d"),
        (["samples/seed.cnn", "-o", "x.svg", "-f", "svg,png"], "-o writes one format"),
        (["samples/seed.cnn", "-d", "out", "-f", "svg,gif"], "'gif' is not one of"),
        (["samples/seed.cnn", "-d", "out", "-f", "dot"], "DOT output is the graph style's"),
        (["samples/seed.cnn", "-d", "out", "--scale", "nan"], "--scale"),
        (["samples/seed.cnn"], "missing -o/--output"),
    ],
)
def test_usage_errors_exit_2_before_any_work(tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(tmp_path / arg) if arg in ("out", "x.svg") else arg for arg in args]
    result = cli("render", *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_optional_dependency_stops_the_batch_with_exit_3(tmp_path: Path) -> None:
    # resvg (PNG) stands for any optional dependency: PowerPoint output needs none now.
    fake = tmp_path / "hide" / "resvg"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('resvg is not installed')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake.parent), str(ROOT)])}
    out = tmp_path / "out"
    samples = [str(SAMPLES / "seed.cnn"), str(SAMPLES / "lenet5.cnn")]
    result = cli("render", *samples, "-d", str(out), "-f", "svg,png", env=env)
    assert result.returncode == 3, result.stderr
    assert result.stderr.count("PNG output needs the 'resvg' package") == 1
    assert "failed" not in result.stderr
    assert sorted(os.listdir(out)) == []  # the spec's SVG was drawn, never written alone


def test_the_progress_bar_shows_on_a_terminal_only(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "cnndiagram.cli", "render", "samples/seed.cnn"]
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        process = subprocess.run(
            [*command, "samples/lenet5.cnn", "-d", str(tmp_path / "out")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=follower,
            check=False,
        )
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the other end is closed and everything was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert process.returncode == 0
    text = shown.decode()
    assert "[############------------] 1/2 samples/seed.cnn" in text
    assert "[########################] 2/2 samples/lenet5.cnn" in text
    assert text.endswith("\r\x1b[K2 specs: 2 files written, 0 up to date\r\n")


def test_summary_of_several_specs_in_every_format(tmp_path: Path) -> None:
    paths = [str(path) for path in specs(tmp_path)]
    good = [path for path in paths if not path.endswith("bad.cnn")]
    seed = cli("summary", paths[1], "-f", "json")
    single = json.loads(seed.stdout)

    table = cli("summary", *paths)
    assert table.returncode == 1
    assert table.stderr.startswith(f"{paths[-1]}:3:1: error: unknown layer kind 'maxpol'")
    assert table.stderr.endswith("\n1 of 5 failed\n")
    headings = [line for line in table.stdout.splitlines() if line.startswith("==> ")]
    assert headings == [f"==> {path} <==" for path in good]
    assert table.stdout.count("learnable parameters:") == 4

    markdown = cli("summary", *good, "-f", "markdown")
    assert markdown.returncode == 0
    assert [line for line in markdown.stdout.splitlines() if line.startswith("# ")] == [
        f"# `{path}`" for path in good
    ]
    explain = cli("summary", *good, "-f", "explain")
    assert explain.stdout.startswith(f"# `{good[0]}`\n\n# LeNet-5: 61,706 learnable parameters\n")
    latex = cli("summary", *good, "-f", "latex")
    assert latex.stdout.count("\\begin{longtable}") == 4
    assert f"% {good[1]}\n% Seed network (MNIST)\n" in latex.stdout

    rows = list(csv.reader(io.StringIO(cli("summary", *good, "-f", "csv").stdout)))
    assert rows[0][:3] == ["spec", "index", "name"]
    assert [row[0] for row in rows[1:]].count(paths[1]) == len(single["layers"])
    assert {row[0] for row in rows[1:]} == set(good)

    out = tmp_path / "all.json"
    documents = cli("summary", *paths, "-f", "json", "-o", str(out))
    assert documents.returncode == 1
    array = json.loads(out.read_text())
    assert [document["spec"] for document in array] == good
    assert array[1] == {"spec": paths[1], **single}
    # The Keras model and the nolearn definition are the seed network too.
    assert [document["total_params"] for document in array] == [61_706] + [217_706] * 3


def test_an_interrupted_batch_stops_quietly_and_trusts_nothing_it_wrote(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    for index in range(16):
        shutil.copy(SAMPLES / "resnet50.cnn", folder / f"r{index:02}.cnn")
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "cnndiagram.cli",
        "render",
        *map(str, sorted(folder.iterdir())),
    ]
    process = subprocess.Popen(
        [*command, "-d", str(out), "-j", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
    )
    try:
        deadline = time.monotonic() + 120
        while not (out / "r00.svg").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    *before, last = stderr.decode().splitlines()
    assert last == "interrupted"
    # Nothing but the notes of specs drawn before it (the level of detail): no traceback
    # from any worker.
    assert all(": note: " in line for line in before), before
    names = os.listdir(out)
    assert STAMP_NAME not in names  # what it wrote is drawn again next time
    assert all(name.endswith(".svg") for name in names)  # no temporary file left
    assert len(names) < 16


def test_figure_options_apply_to_every_spec_with_their_warnings(tmp_path: Path) -> None:
    samples = [str(SAMPLES / "seed.cnn"), str(SAMPLES / "vgg16.cnn")]
    out = tmp_path / "out"
    options = ["--page", "column", "--font", "serif"]
    result = cli("render", *samples, "-d", str(out), *options)
    assert result.returncode == 0
    expected = []
    for sample in samples:
        single = tmp_path / "single.svg"
        alone = cli("render", sample, "-o", str(single), *options)
        assert alone.returncode == 0
        assert (out / f"{Path(sample).stem}.svg").read_bytes() == single.read_bytes()
        expected += [f"{sample}: {line}" for line in alone.stderr.splitlines()]
    assert expected  # VGG-16 is drawn at a coarser level, with a note
    assert result.stderr.splitlines() == expected


def test_a_spec_from_a_pipe_is_read_once_and_always_drawn(tmp_path: Path) -> None:
    fifo = tmp_path / "piped.cnn"
    os.mkfifo(fifo)
    text = (SAMPLES / "lenet5.cnn").read_bytes()

    def feed() -> None:
        with open(fifo, "wb") as pipe:  # waits for the batch to open it, as a reader would
            pipe.write(text)

    writer = threading.Thread(target=feed, daemon=True)  # a failure cannot hang the run
    writer.start()
    out = tmp_path / "out"
    specs = [str(fifo), str(SAMPLES / "seed.cnn")]
    result = subprocess.run(  # with a timeout: a spec drained before it is read would hang
        [sys.executable, "-m", "cnndiagram.cli", "render", *specs, "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    writer.join(timeout=60)
    assert (result.returncode, result.stderr) == (0, "")
    assert b"LeNet-5" in (out / "piped.svg").read_bytes()
    stamp = json.loads((out / STAMP_NAME).read_text())
    assert sorted(stamp["outputs"]) == ["seed.svg"]  # a pipe has no bytes to compare later
