"""Output stage: writing a result where it was asked for, without clobbering what must survive.

A regular file, or a path where nothing is yet, is replaced atomically: the bytes go to a
temporary file beside it, which is renamed over it, so a failed run leaves the old file or
nothing. Anything else that takes bytes (a character device such as /dev/null or a terminal,
a FIFO, /dev/stdout, /proc/self/fd/N) is written to directly and never replaced by a
regular file. A file the running command reads (see `protect_inputs`) is never written.
Every OS error becomes one `OutputError` naming the path, with no temporary file left.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from cnndiagram.errors import OutputError

#: (device, inode) of the files the running command reads; see `protect_inputs`.
_INPUTS: ContextVar[frozenset[tuple[int, int]]] = ContextVar("inputs", default=frozenset())

#: Bytes of the target's name kept in the temporary name: file systems allow 255 bytes per
#: name, so a legal 254-byte target must not get a longer temporary name.
_TEMP_STEM_BYTES = 64
#: Fresh random names tried before giving up on a directory full of our own names.
_TEMP_ATTEMPTS = 16


@contextmanager
def protect_inputs(paths: Iterable[str]) -> Iterator[None]:
    """While active, `write_output` refuses to write over the regular files at `paths` (`-`:
    whatever file stdin is), however they are named: `summary -o net.cnn net.cnn` is an
    error, not a lost spec. Files are told apart by device and inode, as `os.path.samefile`
    does, so a hard link or another spelling of the path is refused too."""
    found = set(_INPUTS.get())
    for path in paths:
        try:
            info = os.fstat(0) if path == "-" else os.stat(path)
        except OSError:
            continue  # unreadable or absent: the reader reports it
        if stat.S_ISREG(info.st_mode):
            found.add((info.st_dev, info.st_ino))
    token = _INPUTS.set(frozenset(found))
    try:
        yield
    finally:
        _INPUTS.reset(token)


def write_output(path: str, data: str | bytes) -> None:
    """Writes `data` (text as UTF-8) to `path`, or to stdout for `-`.

    Raises `OutputError` for every failure except a broken pipe on stdout, which stays a
    `BrokenPipeError`: the reader went away (`| head -1`), the CLI exits quietly on it."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path == "-":
        _write_stdout(payload, "to stdout")
        return
    try:
        info: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        info = None  # nothing there yet (or a dangling link): created below
    except OSError as error:
        raise _error(path, error) from None
    if info is not None:
        if (info.st_dev, info.st_ino) in _INPUTS.get():
            raise OutputError(f"cannot write {path}: it is an input of this command")
        if _is_stdout(info):  # /dev/stdout, /proc/self/fd/1: even a socket or `>>` file
            _write_stdout(payload, path)
            return
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"cannot write {path}: Is a directory")
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            _write_straight(path, payload)
            return
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                f"cannot write {path}: not a regular file, a character device or a FIFO"
            )
    _replace(path, payload, info)


def _error(path: str, error: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {error.strerror or error}")


def _stdout_fd() -> int | None:
    """The descriptor behind `sys.stdout`, None when it has none (a test's captured stream)."""
    try:
        return sys.stdout.fileno() if sys.stdout is not None else None
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation, a closed stream
        return None


def _is_stdout(info: os.stat_result) -> bool:
    fd = _stdout_fd()
    if fd is None:
        return False
    try:
        own = os.fstat(fd)
    except OSError:
        return False
    return (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino)


def _write_stdout(payload: bytes, name: str) -> None:
    """Straight to the descriptor after flushing what was printed before, so a failure (no
    space, a closed stream) leaves nothing buffered for the interpreter to retry and fail on
    again at exit."""
    if sys.stdout is None:  # started with descriptor 1 closed
        raise OutputError(f"cannot write {name}: it is closed")
    fd = _stdout_fd()
    try:
        sys.stdout.flush()
        if fd is None:
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()
            return
        own = os.fstat(fd)
        if (own.st_dev, own.st_ino) in _INPUTS.get():  # `summary net.cnn >> net.cnn`
            raise OutputError(f"cannot write {name}: it is an input of this command")
        _write_all(fd, payload)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _error(name, error) from None


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def _write_straight(path: str, payload: bytes) -> None:
    """Into a device or FIFO as it is (opening a FIFO waits for its reader, as `>` does)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as error:
        raise _error(path, error) from None
    try:
        _write_all(fd, payload)
    except OSError as error:
        raise _error(path, error) from None
    finally:
        os.close(fd)


def _replace(path: str, payload: bytes, info: os.stat_result | None) -> None:
    """Through a temporary file in the target's directory (the same file system, so the
    rename is atomic). A symbolic link stays a link: the file it points to is replaced.
    The replaced file keeps its permission bits."""
    target = os.path.realpath(path)
    temp: str | None = None
    try:
        fd, temp = _create_temp(target)
        try:
            if info is not None:
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
            _write_all(fd, payload)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except OSError as error:
        _discard(temp)
        raise _error(path, error) from None
    except BaseException:  # KeyboardInterrupt included: never leave the temporary file
        _discard(temp)
        raise


def _create_temp(target: str) -> tuple[int, str]:
    """A new file of our own beside `target`: O_EXCL refuses to follow or reuse anything
    already there; the random part keeps threads of one process apart. (tempfile would cost
    ~5 ms of start-up for the same thing.)"""
    directory, name = os.path.split(target)
    stem = os.fsdecode(os.fsencode(name)[:_TEMP_STEM_BYTES])
    attempts = 0
    while True:
        temp = os.path.join(directory, f".{stem}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), temp
        except FileExistsError:
            attempts += 1
            if attempts == _TEMP_ATTEMPTS:
                raise


def _discard(temp: str | None) -> None:
    # Already gone, or the directory turned read-only: nothing more can be done.
    if temp is not None:
        with suppress(OSError):
            os.unlink(temp)
