"""Output files as the file system really behaves: special files are written to, never replaced;
a command never writes over its own input; every OS error is one message and exit status 1 with
no temporary file left behind; a reader that goes away (`| head -1`) ends the run quietly."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from cnndiagram.errors import OutputError
from cnndiagram.output import protect_inputs, write_output

from conftest import ROOT, cli

SPEC = "input(1x8x8)\nconv(2, 3)\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run_process(args: list[str], **options: Any) -> subprocess.CompletedProcess[Any]:
    """A process whose exit status the test itself checks."""
    return subprocess.run(args, check=options.pop("check", False), **options)


def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "net.cnn"
    path.write_text(SPEC)
    return path


def table() -> str:
    """What `summary` prints for SPEC, from the command itself."""
    result = cli("summary", "-e", SPEC)
    assert result.returncode == 0, result.stderr
    return result.stdout


def entries(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_regular_file_is_replaced_atomically_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o600)
    write_output(str(target), "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert entries(tmp_path) == ["out.txt"]


def test_a_link_stays_a_link_and_its_file_is_written(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real.name)
    write_output(str(link), "new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert entries(tmp_path) == ["link.txt", "real.txt"]


def test_a_fifo_receives_the_output_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    # A daemon: should the command never open the FIFO, the test fails instead of hanging.
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("summary", "-e", SPEC, "-o", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert received == [table().encode()]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert entries(tmp_path) == ["pipe"]


@pytest.mark.skipif(not IS_ROOT, reason="making a device node needs root")
def test_a_character_device_is_written_to_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    result = cli("summary", "-e", SPEC, "-o", str(null))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert entries(tmp_path) == ["null"]


def test_dev_null_stays_a_device() -> None:
    before = os.stat("/dev/null")
    result = cli("summary", "-e", SPEC, "-o", "/dev/null")
    assert result.returncode == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.parametrize("target", ["/dev/stdout", "/proc/self/fd/1"])
def test_paths_naming_stdout_write_to_it(target: str) -> None:
    if not os.path.exists(target):
        pytest.skip(f"{target} does not exist here")
    result = cli("summary", "-e", SPEC, "-o", target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == table()


def test_a_file_named_as_stdout_is_appended_to_not_replaced(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    log.write_text("kept\n")
    with log.open("a") as stdout:
        run_process(
            [sys.executable, "-m", "cnndiagram.cli", "summary", "-e", SPEC, "-o", "/dev/stdout"],
            stdout=stdout,
            cwd=ROOT,
            check=True,
        )
    assert log.read_text() == "kept\n" + table()


@pytest.mark.parametrize("command", ["summary", "fmt", "render"])
def test_the_command_never_writes_over_its_input(tmp_path: Path, command: str) -> None:
    spec = spec_file(tmp_path)
    os.link(spec, tmp_path / "hard.cnn")
    extra = ["--format", "svg"] if command == "render" else []
    for target in (str(spec), f"{tmp_path}/./net.cnn", str(tmp_path / "hard.cnn")):
        result = cli(command, str(spec), "-o", target, *extra)
        assert result.returncode == 1, result.stderr
        assert result.stderr == f"error: cannot write {target}: it is an input of this command\n"
    assert spec.read_text() == SPEC
    assert entries(tmp_path) == ["hard.cnn", "net.cnn"]


def test_stdin_and_stdout_that_are_the_input_file_are_refused(tmp_path: Path) -> None:
    spec = spec_file(tmp_path)
    command = [sys.executable, "-m", "cnndiagram.cli", "summary"]
    with spec.open("rb") as stdin:
        result = run_process(
            [*command, "-", "-o", str(spec)], stdin=stdin, capture_output=True, cwd=ROOT
        )
    assert result.returncode == 1
    assert b"it is an input of this command" in result.stderr
    with spec.open("a") as stdout:  # `summary net.cnn >> net.cnn`
        result = run_process([*command, str(spec)], stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr == b"error: cannot write to stdout: it is an input of this command\n"
    assert spec.read_text() == SPEC


def test_protection_ends_with_its_block(tmp_path: Path) -> None:
    spec = spec_file(tmp_path)
    with protect_inputs([str(spec)]), pytest.raises(OutputError):
        write_output(str(spec), "x")
    write_output(str(spec), "x")
    assert spec.read_text() == "x"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("missing/x.txt", "No such file or directory"),
        (".", "Is a directory"),
        ("net.cnn/x.txt", "Not a directory"),
        ("a" * 256, "File name too long"),
    ],
)
def test_os_errors_are_one_message_and_exit_1(tmp_path: Path, target: str, reason: str) -> None:
    spec_file(tmp_path)
    result = run_process(
        [sys.executable, "-m", "cnndiagram.cli", "summary", "net.cnn", "-o", target],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1
    assert result.stderr == f"error: cannot write {target}: {reason}\n"
    assert entries(tmp_path) == ["net.cnn"]


def test_a_legal_254_byte_name_is_written(tmp_path: Path) -> None:
    # The temporary name beside it must stay within the 255 bytes a name may have.
    target = tmp_path / ("é" * 127)  # 254 bytes of UTF-8
    write_output(str(target), "x")
    assert target.read_text() == "x"
    assert entries(tmp_path) == [target.name]


# A read-only directory cannot stop root, which runs these tests here and in CI; sysfs is a
# directory even root cannot write into, and exercises the same error path.
@pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="needs Linux sysfs")
def test_a_directory_even_root_cannot_write_is_a_message() -> None:
    result = cli("summary", "-e", SPEC, "-o", "/sys/cnndiagram-test.txt")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot write /sys/cnndiagram-test.txt: ")
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_no_space_on_a_device_or_on_stdout_is_a_message() -> None:
    result = cli("summary", "-e", SPEC, "-o", "/dev/full")
    assert (result.returncode, result.stderr) == (
        1,
        "error: cannot write /dev/full: No space left on device\n",
    )
    for command in (["summary", "-e", SPEC], ["kinds"]):
        with open("/dev/full", "w") as full:
            done = run_process(
                [sys.executable, "-m", "cnndiagram.cli", *command],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        assert done.returncode == 1, command
        assert done.stderr.endswith("No space left on device\n"), done.stderr
        assert "Exception ignored" not in done.stderr
        assert "Traceback" not in done.stderr


def run_closed(fd: int, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line with descriptor `fd` closed (`>&-`, `<&-`), stderr captured."""
    return run_process(
        [sys.executable, "-m", "cnndiagram.cli", *args],
        stdin=subprocess.DEVNULL if fd != 0 else None,
        stdout=subprocess.DEVNULL if fd != 1 else None,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        preexec_fn=lambda: os.close(fd),  # after the fork, before Python starts
    )


def test_closed_stdout_and_stdin_are_messages() -> None:
    result = run_closed(1, "summary", "-e", SPEC)
    assert (result.returncode, result.stderr) == (
        1,
        "error: cannot write to stdout: it is closed\n",
    )
    result = run_closed(0, "summary", "-")
    assert (result.returncode, result.stderr) == (1, "error: cannot read <stdin>: it is closed\n")


LONG = "input(1x8x8)" + " -> relu" * 3000  # a table larger than a pipe's 64 KiB buffer


@pytest.mark.parametrize(
    "command",
    [
        f"summary -e '{LONG}' | head -1",
        f"fmt -e '{LONG}' | head -1",
        "summary -e 'input(1x8x8)' | true",
        "kinds | true",
        "fmt -e 'input(1x8x8)' -o /dev/stdout | true",
    ],
)
def test_a_reader_that_goes_away_ends_the_run_quietly(command: str) -> None:
    # head exits after one line, true before reading at all: the writes meet a closed pipe.
    result = run_process(
        ["bash", "-o", "pipefail", "-c", f"{sys.executable} -m cnndiagram.cli {command}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.stderr == ""
    assert result.returncode in (0, 1)  # 0 only if the pipe happened to take everything


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.svg"
    target.write_text("old")
    temporary: list[str] = []

    def failing_replace(source: str, destination: str) -> None:  # the rename is the last step
        temporary.append(source)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OutputError, match=r"cannot write .*out\.svg: Permission denied"):
        write_output(str(target), "new")
    monkeypatch.undo()
    assert Path(temporary[0]).parent == tmp_path
    assert Path(temporary[0]).name.startswith(".out.svg.")
    assert target.read_text() == "old"
    assert entries(tmp_path) == ["out.svg"]


def test_an_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int, data: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(str(tmp_path / "out.svg"), "new")
    monkeypatch.undo()
    assert entries(tmp_path) == []


def test_other_special_files_are_refused(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(OutputError, match="not a regular file, a character device or a FIFO"):
            write_output(str(path), "x")
    assert stat.S_ISSOCK(path.lstat().st_mode)
