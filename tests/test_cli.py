"""The command line as users run it: real processes, exit statuses, stderr, files left behind."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cnndiagram.cli import main
from cnndiagram.render.formats import FORMATS

from conftest import SAMPLES, cli

SEED = "I(1x28x28)-C(32,5)-P(2)-C(32,3)-P(2)-H(256)-O(10)"


def test_summary_of_the_seed_sample() -> None:
    result = cli("summary", "samples/seed.cnn")
    assert result.returncode == 0, result.stderr
    assert "832 + 9,248 + 205,056 + 2,570 = 217,706" in result.stdout
    assert result.stderr == ""


def test_inline_expression_and_stdin_agree() -> None:
    inline = cli("summary", "-e", SEED, "--format", "json")
    piped = cli("summary", "-", "--format", "json", stdin=SEED)
    assert inline.returncode == piped.returncode == 0
    assert json.loads(inline.stdout) == json.loads(piped.stdout)
    assert json.loads(inline.stdout)["total_params"] == 217_706


def test_every_format_runs_on_every_sample() -> None:
    runner = CliRunner()
    for sample in sorted(SAMPLES.glob("*.*")):
        if sample.suffix not in (".cnn", ".yaml", ".toml", ".json"):
            continue
        for fmt in ("table", "markdown", "csv", "json", "latex", "explain"):
            result = runner.invoke(main, ["summary", str(sample), "-f", fmt])
            assert result.exit_code == 0, (sample.name, fmt, result.output)
            assert result.output.strip()


def test_bad_spec_exits_1_with_one_located_message_and_no_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "bad.cnn"
    spec.write_text("input(1x28x28)\nconv(32, 5)\nmaxpol(2)\n")
    out = tmp_path / "out.json"
    result = cli("summary", str(spec), "-f", "json", "-o", str(out))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{spec}:3:1: error: unknown layer kind 'maxpol'")
    assert "did you mean 'maxpool'?" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [spec]


def test_shape_error_exits_1() -> None:
    result = cli("summary", "-e", "I(1x4x4)-C(8,5)")
    assert result.returncode == 1
    assert "conv1: output height 4 - 5 + 1 = 0 < 1" in result.stderr
    assert "<expr>:1:10" in result.stderr


def test_usage_errors_exit_2() -> None:
    assert cli("summary").returncode == 2
    assert cli("summary", "samples/seed.cnn", "-e", SEED).returncode == 2
    assert cli("summary", "samples/seed.cnn", "-f", "pdf").returncode == 2


def test_missing_file_is_a_clean_error() -> None:
    result = cli("summary", "no/such/file.cnn")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: cannot read no/such/file.cnn: No such file or directory"


def test_limits_are_flags(tmp_path: Path) -> None:
    big = "input(3x8x8)\n" + "relu\n" * 50
    assert cli("summary", "-", "--max-layers", "10", stdin=big).returncode == 1
    assert "--max-layers" in cli("summary", "-", "--max-layers", "10", stdin=big).stderr
    assert cli("summary", "-", "--max-layers", "100", stdin=big).returncode == 0
    result = cli("summary", "-", "--max-file-size", "10", stdin=big)
    assert result.returncode == 1 and "--max-file-size" in result.stderr


def test_binary_and_non_utf8_input(tmp_path: Path) -> None:
    spec = tmp_path / "x.cnn"
    spec.write_bytes(b"input(1x28x28)\n\xff\xfe conv")
    result = cli("summary", str(spec))
    assert result.returncode == 1
    assert f"{spec}:2:1: error: the file is not valid UTF-8 text" in result.stderr


def test_output_file_written_atomically(tmp_path: Path) -> None:
    out = tmp_path / "seed.md"
    result = cli("summary", "samples/seed.cnn", "-f", "markdown", "-o", str(out))
    assert result.returncode == 0
    assert "217,706" in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["seed.md"]


def test_version_help_and_kinds() -> None:
    assert cli("--version").stdout.startswith("cnndiagram, version ")
    for command in ("summary", "fmt", "kinds"):
        assert cli(command, "--help").returncode == 0
    kinds = cli("kinds").stdout
    assert "conv(filters, kernel, stride=1" in kinds
    assert "(also C," in kinds


def test_fmt_is_canonical_and_idempotent() -> None:
    first = cli("fmt", "-e", SEED)
    assert first.returncode == 0
    second = cli("fmt", "-", stdin=first.stdout)
    assert second.stdout == first.stdout
    assert first.stdout.splitlines() == [
        "input(1x28x28)",
        "conv(32, 5) -> maxpool(2) -> conv(32, 3) -> maxpool(2) -> dense(256) -> output(10)",
    ]


def test_output_is_reproducible() -> None:
    runs = {cli("summary", "samples/vgg16.cnn", "-f", "json").stdout for _ in range(2)}
    assert len(runs) == 1


def test_render_svg_png_and_stdout(tmp_path: Path) -> None:
    svg, png = tmp_path / "seed.svg", tmp_path / "seed.png"
    assert cli("render", "samples/seed.cnn", "-o", str(svg)).returncode == 0
    assert svg.read_text().startswith("<svg ")
    result = cli("render", "samples/seed.cnn", "-o", str(png), "--style", "flat", "--dpi", "150")
    assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = cli("render", "-e", SEED, "-o", "-", "--theme", "dark", "--title", "T")
    assert out.returncode == 0
    assert out.stdout.startswith("<svg ") and "<title id=" in out.stdout
    forced = tmp_path / "figure.out"
    assert cli("render", "-e", SEED, "-o", str(forced), "--format", "png").returncode == 0
    assert forced.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.out", "seed.png", "seed.svg"]


def test_render_errors_leave_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "x.png"
    result = cli(
        "render", "samples/vgg16.cnn", "-o", str(target), "--scale", "16", "--max-pixels", "1000"
    )
    assert result.returncode == 1
    assert "error: the PNG would be" in result.stderr and "--max-pixels" in result.stderr
    bad = cli("render", "-e", "I(1x4x4)-C(8,5)", "-o", str(tmp_path / "y.svg"))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    unknown = cli("render", "-e", SEED, "-o", str(tmp_path / "z.gif"))
    assert unknown.returncode == 2  # a usage error, like click's own
    assert "cannot tell the output format" in unknown.stderr
    for entry in FORMATS.values():
        assert f"{entry.name} ({', '.join(entry.extensions)})" in unknown.stderr
    assert list(tmp_path.iterdir()) == []
    usage = cli("render", "-e", SEED, "-o", "x.svg", "--annotate", "size,colour")
    assert usage.returncode == 2 and "unknown annotation 'colour'" in usage.stderr
