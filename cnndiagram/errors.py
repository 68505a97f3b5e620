"""Errors shared by every stage; each carries its exit status and, where known, a source location.

Exit statuses (documented in the README): 0 success, 1 invalid spec or shape error,
2 usage error (click's own), 3 missing optional dependency, 70 internal error.
"""

from __future__ import annotations

from cnndiagram.escapes.terminal import escape_controls
from cnndiagram.source import Source, Span, clip

#: Characters of the message text, the file name and the hint in `format`: with the excerpt's
#: window, a message stays a few hundred characters whatever the spec holds.
MESSAGE_CHARS = 300
NAME_CHARS = 160
HINT_CHARS = 200


class CnnDiagramError(Exception):
    """Base of every error the tool reports to users as one clean message."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        source: Source | None = None,
        span: Span | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.span = span
        self.hint = hint

    def located(self, source: Source) -> CnnDiagramError:
        """Attach the source if the raiser only knew the span."""
        if self.source is None:
            self.source = source
        return self

    def location(self) -> str | None:
        """`file:line:col`, `file` alone, or None when nothing is known."""
        if self.source is None:
            return None
        if self.span is None:
            return self.source.name
        line, col = self.source.line_col(self.span.start)
        return f"{self.source.name}:{line}:{col}"

    def format(self) -> str:
        """The message users see: `file:line:col: error: text`, the line, a caret, a hint.

        Every part is clipped (a long file name keeps its end) and shows control characters
        as escapes: the text comes from the spec and its name, which may be hostile."""
        where = self.location()
        if where is not None and len(where) > NAME_CHARS:
            where = "…" + where[len(where) - NAME_CHARS + 1 :]
        message = clip(self.message, MESSAGE_CHARS)
        head = f"{where}: error: {message}" if where else f"error: {message}"
        parts = [escape_controls(head)]
        if self.source is not None and self.span is not None and self.source.text:
            parts.append(self.source.excerpt(self.span, escape_controls))
        if self.hint:
            parts.append(escape_controls(f"hint: {clip(self.hint, HINT_CHARS)}"))
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.format()


class SpecError(CnnDiagramError):
    """The spec text cannot be read: syntax, unknown names, wrong types or values."""


class ShapeError(CnnDiagramError):
    """The spec reads well but a layer cannot accept its input tensor."""


class LimitError(SpecError):
    """A documented size limit was exceeded; the hint names the flag that raises it."""


class OutputError(CnnDiagramError):
    """An output file or stream cannot be written: a missing directory, no permission, no
    space, a closed stream, or a path that names one of the command's own inputs."""


class OptionError(CnnDiagramError):
    """An option (CLI flag, API keyword, directive option) has a value it does not take, or an
    output format cannot be told: a usage problem, with click's usage exit status."""

    exit_code = 2


class MissingDependencyError(CnnDiagramError):
    """An optional package or program needed for the requested output is not installed."""

    exit_code = 3


class ModelWarning(UserWarning):
    """A model file was read, with something the user should know: layers kept opaque,
    weights shared between layers, or sizes in the file that disagree with the engine.
    The CLI prints it as one `warning:` line; API callers get a Python warning."""
