"""CLI stage: click wiring only. Options become API calls; errors become exit statuses here.

Exit statuses: 0 success, 1 invalid spec or shape error, 2 usage error, 3 missing optional
dependency, 70 internal error (run with --debug for the traceback).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

import click

from cnndiagram import __version__
from cnndiagram.errors import CnnDiagramError, ModelWarning
from cnndiagram.escapes.terminal import escape_controls
from cnndiagram.limits import DEFAULT_LIMITS, Limits
from cnndiagram.source import clip

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cnndiagram.batch.run import Outcome
    from cnndiagram.loading import SourceFormat

INTERNAL_ERROR = 70
F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns every `CnnDiagramError` into one message on stderr and its exit status, and
    builds the commands listed in `lazy` only when they are invoked or listed."""

    lazy: ClassVar[dict[str, Callable[[], click.Command]]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(self.lazy[cmd_name](), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("always", ModelWarning)
            warnings.showwarning = functools.partial(_show_warning, warnings.showwarning)
            return self.run(ctx)

    def run(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            if sys.stdout is not None:
                sys.stdout.flush()  # a broken pipe raises here, not at interpreter exit
            return result
        except CnnDiagramError as error:
            _tell(error.format())
            ctx.exit(error.exit_code)
        except BrokenPipeError:
            # The reader went away (`| head -1`): exit quietly, as head expects. Whatever is
            # still buffered for stdout is flushed into /dev/null at exit, not into a
            # second "Exception ignored" BrokenPipeError.
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno() if sys.stdout is not None else 1)
            os.close(null)
            ctx.exit(1)
        except (click.exceptions.Exit, click.Abort):
            raise
        except click.ClickException as error:
            # It echoes the user's words: control characters shown as escapes. (click 8.5
            # types `message` as Final; the instance attribute is still what `show` prints.)
            vars(error)["message"] = escape_controls(error.message)
            raise
        except KeyboardInterrupt:
            _tell("interrupted")
            ctx.exit(130)
        except Exception as error:
            if (
                isinstance(error, OSError)
                and error.filename is None
                and error.errno in _STREAM_ERRNOS
            ):
                _tell(f"error: cannot write to stdout: {error.strerror}")  # `kinds > /dev/full`
                ctx.exit(1)
            if ctx.meta.get("debug"):
                raise
            _tell(
                escape_controls(clip(f"internal error: {type(error).__name__}: {error}", 300))
                + "\n"
                "please report it with the spec that caused it; --debug shows the traceback"
            )
            ctx.exit(INTERNAL_ERROR)


#: Errors of a write to a stream (no file name: files are opened by name and report it).
_STREAM_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EBADF})


def _show_warning(
    fallback: Callable[..., None],
    message: Warning | str,
    category: type[Warning],
    *args: Any,
    **kwargs: Any,
) -> None:
    """A `ModelWarning` as one `warning:` line (the model's names escaped); others as
    Python shows them."""
    if issubclass(category, ModelWarning):
        _tell(escape_controls(f"warning: {message}"))
    else:
        fallback(message, category, *args, **kwargs)


def _tell(message: str) -> None:
    """One message on stderr; a closed or full stderr cannot be told anything more."""
    with contextlib.suppress(OSError):
        click.echo(message, err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="cnndiagram")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Exact tensor sizes, parameter counts and their formulas for any CNN.

    SPEC is a .cnn file (or .yaml/.yml/.toml/.json), '-' for stdin, or use -e to give
    the spec inline: cnndiagram summary -e "I(1x28x28)-C(32,5)-P(2)-H(256)-O(10)"
    """
    ctx.meta["debug"] = debug


def _limit(flag: str, default: int, help_text: str) -> Callable[[F], F]:
    return click.option(
        flag, type=click.IntRange(1), default=default, show_default=True, help=help_text
    )


def spec_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """SPEC, -e/--expr, --spec-format, --input and the size limits, shared by every command
    that reads a spec; the command receives them together as one `SpecArgs`."""
    return _spec_options(func, many=False)


def specs_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """As `spec_options`, for commands that also take several SPECs (a batch)."""
    return _spec_options(func, many=True)


def _spec_options(func: Callable[..., Any], *, many: bool) -> Callable[..., Any]:
    options = [
        click.argument("specs", nargs=-1, metavar="[SPEC]...")
        if many
        else click.argument("spec", required=False, metavar="SPEC"),
        click.option("-e", "--expr", help='The spec itself, e.g. "I(1x28x28)-C(32,5)-O(10)".'),
        click.option(
            "--spec-format",
            type=click.Choice(["dsl", "yaml", "toml", "json", "lasagne", "keras", "onnx"]),
            help="Read SPEC in this format instead of guessing from its extension "
            "(.py files are nolearn/Lasagne definitions, read without running them; "
            ".keras archives and model.to_json() files are Keras models; .onnx files "
            "are ONNX models).",
        ),
        click.option(
            "--input",
            "input_shape",
            metavar="SHAPE",
            help="The input shape (channels first, e.g. 1x28x28) for model files that "
            "compute theirs when they run or leave sizes symbolic (ONNX), and for --torch.",
        ),
        click.option(
            "--torch",
            "torch_factory",
            metavar="MODULE:FACTORY",
            help="Import MODULE (this runs its code) and trace the nn.Module that FACTORY() "
            "returns, with --input as its input shape.",
        ),
        _limit("--max-layers", DEFAULT_LIMITS.max_layers, "Refuse specs with more layers."),
        _limit("--max-dim", DEFAULT_LIMITS.max_dim, "Refuse any size or dimension above this."),
        _limit(
            "--max-file-size",
            DEFAULT_LIMITS.max_file_size,
            "Refuse spec files larger than this many bytes.",
        ),
    ]

    @functools.wraps(func)
    def command(**kwargs: Any) -> Any:
        from cnndiagram.output import protect_inputs

        spec = kwargs.pop("spec", None)
        specs = tuple(kwargs.pop("specs", ())) or ((spec,) if spec is not None else ())
        fields = {key: kwargs.pop(key) for key in SpecArgs._fields if key != "specs"}
        spec_args = SpecArgs(specs=specs, **fields)
        with protect_inputs(specs):
            return func(spec_args, **kwargs)

    for option in reversed(options):
        command = option(command)
    return command


class SpecArgs(NamedTuple):
    """Where the spec (or the specs of a batch) comes from and the limits it is read under."""

    specs: tuple[str, ...]
    expr: str | None
    spec_format: str | None
    input_shape: str | None
    torch_factory: str | None
    max_layers: int
    max_dim: int
    max_file_size: int

    @property
    def limits(self) -> Limits:
        return Limits(self.max_layers, self.max_dim, self.max_file_size)

    @property
    def spec(self) -> str | None:
        """The one SPEC of a command on one spec (several are a usage error here)."""
        if len(self.specs) > 1:
            raise click.UsageError("give one SPEC")
        return self.specs[0] if self.specs else None

    @property
    def batch(self) -> bool:
        return len(self.specs) > 1

    def check_batch(self) -> None:
        """Specs of a batch are files: no -e, --torch or stdin among them."""
        if self.expr is not None or self.torch_factory is not None:
            raise click.UsageError("-e/--expr and --torch are for one spec, not a batch")
        if "-" in self.specs:
            raise click.UsageError("'-' (stdin) can only be the one SPEC, not part of a batch")
        if not self.specs:
            raise click.UsageError("missing SPEC: the spec or model files of the batch")

    @property
    def source_format(self) -> SourceFormat | None:
        from cnndiagram.loading import SOURCE_FORMATS

        return next((f for f in SOURCE_FORMATS if f == self.spec_format), None)

    def load(self) -> Any:
        from cnndiagram.loading import load_network

        if self.torch_factory is not None:
            return self.load_torch()
        if self.spec is not None and self.expr is not None:
            raise click.UsageError("give either SPEC or -e/--expr, not both")
        if self.spec is None and self.expr is None:
            raise click.UsageError("missing SPEC (a file, '-' for stdin) or -e/--expr")
        fmt = self.source_format
        text = self.expr if self.expr is not None else self.spec
        assert text is not None
        return load_network(
            text,
            expr=self.expr is not None,
            fmt=fmt,
            limits=self.limits,
            input_shape=_shape(self.input_shape, self.max_dim),
        )

    def load_torch(self) -> Any:
        """The one place where user code runs, and only because --torch asked for it."""
        import importlib

        from cnndiagram.errors import SpecError
        from cnndiagram.importers.torch import from_torch

        assert self.torch_factory is not None
        if self.spec is not None or self.expr is not None:
            raise click.UsageError("give either --torch or SPEC/-e, not both")
        shape = _shape(self.input_shape, self.max_dim)
        if shape is None:
            raise click.UsageError("--torch needs --input, the input shape (e.g. 3x224x224)")
        module_name, _, factory_name = self.torch_factory.partition(":")
        if not module_name or not factory_name.isidentifier():
            raise click.BadParameter(
                f"{self.torch_factory!r} is not MODULE:FACTORY", param_hint="--torch"
            )
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # as `python -m` would find the user's module
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise SpecError(f"--torch: cannot import {module_name}: {error}") from None
        factory = getattr(module, factory_name, None)
        if not callable(factory):
            raise SpecError(f"--torch: {module_name} has no callable {factory_name}")
        return from_torch(factory(), shape, limits=self.limits)


def _shape(text: str | None, max_dim: int) -> tuple[int, ...] | None:
    if text is None:
        return None
    parts = text.lower().replace("×", "x").split("x")
    if not all(part.strip().isdigit() for part in parts) or len(parts) > 4:
        raise click.BadParameter(
            f"{text!r} is not a shape such as 1x28x28 (channels first)", param_hint="--input"
        )
    shape = tuple(int(part) for part in parts)
    if any(dim < 1 or dim > max_dim for dim in shape):
        raise click.BadParameter(f"every size must be from 1 to {max_dim:,}", param_hint="--input")
    return shape


#: `summary --detail`: the levels of `options.TABLE_DETAILS`, the figure's `--detail` but
#: `auto`. Named here so that a summary of layers never imports the option table (nor the
#: units); tests/test_unit_report.py holds the two equal.
TABLE_LEVELS = ("layers", "blocks", "stages")


@main.command()
@specs_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown", "csv", "json", "latex", "explain"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Write to this file (atomically) instead of stdout.",
)
@click.option(
    "--detail",
    type=click.Choice(TABLE_LEVELS),
    default="layers",
    show_default=True,
    help="One row per layer; per block of the spec (a residual, a parallel, one iteration "
    "of a repeat); or per stage (each repeat once, with its xn), as render --detail draws "
    "them. Blocks and stages give each unit's description, output size, learnable "
    "parameters as the sum of its parts, and what it stores that is not learned.",
)
@click.pass_context
def summary(ctx: click.Context, source: SpecArgs, fmt: str, output: str, detail: str) -> None:
    """Print every layer's size and parameters with the formulas behind them, or a table of
    the network's blocks or stages (--detail).

    With several SPECs, one document: a heading per spec ('==> SPEC <==' above a table,
    '# `SPEC`' in Markdown, '% SPEC' in LaTeX), one CSV table with a first 'spec' column, or
    one JSON array of the per-spec documents, each with a first field "spec". A spec that
    fails is reported (located) and left out, the others are still summarised, and the
    exit status is 1.
    """
    from cnndiagram.output import write_output

    if detail != "layers":  # the units, and the option table, are loaded only for them
        from cnndiagram.unit_report import check_detail

        check_detail(fmt, detail)  # `-f explain --detail stages` fails before any work
    if source.batch:
        from cnndiagram.batch.summary import summarize_batch

        source.check_batch()
        text, outcomes = summarize_batch(
            source.specs,
            fmt,
            detail=detail,
            spec_format=source.source_format,
            input_shape=_shape(source.input_shape, source.max_dim),
            limits=source.limits,
            debug=bool(ctx.meta.get("debug")),
            on_outcome=_BatchReporter(len(source.specs), progress=False),
        )
        write_output(output, text)
        ctx.exit(_batch_status(outcomes, len(source.specs)))

    from cnndiagram.engine.analysis import analyze

    analysis = analyze(source.load(), source.limits)
    if detail == "layers":
        from cnndiagram.report import report

        write_output(output, report(analysis, fmt))
    else:
        from cnndiagram.unit_report import summary_report

        write_output(output, summary_report(analysis, fmt, detail))


@main.command()
@spec_options
@click.option("-o", "--output", default="-", show_default=True, help="Write to this file.")
def fmt(source: SpecArgs, output: str) -> None:
    """Print the spec in canonical .cnn form (names, defaults and layout normalised)."""
    from cnndiagram.output import write_output
    from cnndiagram.spec.format import format_network

    write_output(output, format_network(source.load()))


def figure_flags(func: Callable[..., Any]) -> Callable[..., Any]:
    """The click options of every figure and output option, generated from the one table in
    `cnndiagram.options`; values reach the command as text or flags and are checked there."""
    from cnndiagram.options import OPTIONS

    for option in reversed(OPTIONS):
        if option.flag:
            names = (
                f"{option.cli_flag}/--no-{option.cli_flag[2:]}"
                if option.negatable
                else option.cli_flag
            )
            decorator = click.option(
                names,
                option.name,
                is_flag=True,
                default=option.default,
                show_default=option.negatable,
                help=option.help,
            )
        elif option.choices:
            decorator = click.option(
                option.cli_flag,
                option.name,
                type=click.Choice(list(option.choices)),
                default=str(option.default),
                show_default=True,
                help=option.help,
            )
        else:
            default = option.default
            if isinstance(default, tuple):
                default = ",".join(str(item) for item in default)
            decorator = click.option(
                option.cli_flag,
                option.name,
                default=default,
                show_default=default is not None,
                metavar=option.metavar or None,
                help=option.help,
            )
        func = decorator(func)
    return func


def _format_list(names: tuple[str, ...]) -> Callable[..., tuple[str, ...] | None]:
    """The callback reading `svg` or `svg,png,pdf`: names of the format registry, in the
    order given, each once; anything else is a usage error naming the formats."""

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        chosen: list[str] = []
        for item in value.split(","):
            name = item.strip().lower()
            if name not in names:
                raise click.BadParameter(f"{item.strip()!r} is not one of {', '.join(names)}")
            if name not in chosen:
                chosen.append(name)
        return tuple(chosen)

    return parse


def render_command() -> click.Command:
    """The render command, built when it is asked for: its options come from the option
    table and the format registry, which the other commands never need to import."""
    from cnndiagram.batch.stamp import STAMP_NAME
    from cnndiagram.render.formats import FORMAT_NAMES, FORMATS

    @click.command("render")
    @specs_options
    @click.option(
        "-o",
        "--output",
        help="The figure file of one SPEC; its extension names the format. '-' writes SVG to "
        "stdout.",
    )
    @click.option(
        "-d",
        "--outdir",
        metavar="OUTDIR",
        help="Render every SPEC into OUTDIR (created if missing) as OUTDIR/<spec stem>.<ext> "
        "for each --format (default svg); specs with the same stem are named by their whole "
        "file name (seed.cnn.svg, seed.yaml.svg).",
    )
    @click.option(
        "-f",
        "--format",
        "fmt",
        metavar="[" + "|".join(FORMAT_NAMES) + "][,...]",
        callback=_format_list(FORMAT_NAMES),
        help="Output format (default: from the extension of -o; with -d, svg), or several "
        "separated by commas with -d: "
        + "; ".join(f"{entry.name}: {entry.description}" for entry in FORMATS.values())
        + ".",
    )
    @click.option(
        "-j",
        "--jobs",
        type=click.IntRange(0),
        help="With -d: render in this many worker processes (0: one per CPU) [default: 1, "
        "this process]. The outputs are the same bytes whatever the number.",
    )
    @click.option(
        "--force",
        is_flag=True,
        help=f"With -d: render every output, even those up to date (the stamp "
        f"OUTDIR/{STAMP_NAME} records the spec, options and version each was written from).",
    )
    @figure_flags
    @click.pass_context
    def render(
        ctx: click.Context,
        /,
        source: SpecArgs,
        output: str | None,
        outdir: str | None,
        fmt: tuple[str, ...] | None,
        jobs: int | None,
        force: bool,
        **options: Any,
    ) -> None:
        """Draw the network as an annotated figure (SVG, PNG, PDF, PPTX, TikZ, or DOT for the
        graph style).

        With -d OUTDIR, draw every SPEC (spec or model files) into OUTDIR with the same
        options, skipping outputs already up to date; a spec that fails is reported
        (located) and the others are still drawn; the last line counts the failures
        ('2 of 40 failed') and the exit status is 1. A progress bar shows on a terminal.
        -o takes exactly one SPEC and cannot be combined with -d.
        """
        if outdir is not None:
            if output is not None:
                raise click.UsageError("give either -o (one figure) or -d OUTDIR, not both")
            ctx.exit(_render_batch(ctx, source, outdir, fmt or ("svg",), jobs, force, options))
        if output is None:
            raise click.UsageError(
                "missing -o/--output (the figure of one SPEC) or -d/--outdir (any number)"
            )
        if source.batch:
            raise click.UsageError("-o writes one figure; give -d OUTDIR to render several SPECs")
        if jobs is not None or force:
            raise click.UsageError("-j and --force are for -d OUTDIR")
        if fmt is not None and len(fmt) > 1:
            raise click.UsageError("-o writes one format; give -d OUTDIR for several")
        _render_one(source, output, fmt[0] if fmt else None, options)

    return render


def _render_one(source: SpecArgs, output: str, fmt: str | None, options: dict[str, Any]) -> None:
    from cnndiagram.batch.run import detail_note, fit_warning
    from cnndiagram.diagram import render as render_figure
    from cnndiagram.render.formats import format_for_path

    format_for_path(output, fmt)  # an unknown extension is a usage error before any work
    diagram = render_figure(source.load(), output, fmt=fmt, limits=source.limits, **options)
    note = detail_note(diagram)
    if note is not None:
        click.echo(f"note: {note}", err=True)
    warning = fit_warning(diagram)
    if warning is not None:
        click.echo(f"warning: {warning}", err=True)


def _render_batch(
    ctx: click.Context,
    source: SpecArgs,
    outdir: str,
    formats: tuple[str, ...],
    jobs: int | None,
    force: bool,
    options: dict[str, Any],
) -> int:
    """The batch's exit status: 0, 1 when any spec failed, or the fatal error's own."""
    from cnndiagram.batch.names import unique_specs
    from cnndiagram.batch.run import Settings, render_batch
    from cnndiagram.options import split_options

    source.check_batch()
    figure, output = split_options(options)  # a bad option value fails before any work
    specs = unique_specs(source.specs)
    settings = Settings(
        source.source_format,
        _shape(source.input_shape, source.max_dim),
        source.limits,
        figure,
        output,
        debug=bool(ctx.meta.get("debug")),
    )
    reporter = _BatchReporter(len(specs), progress=_is_terminal(sys.stderr))
    try:
        result = render_batch(
            specs,
            outdir,
            formats,
            settings,
            force=force,
            workers=(os.cpu_count() or 1) if jobs == 0 else (jobs or 1),
            on_outcome=reporter,
        )
    finally:
        reporter.close()
    if reporter.progress and result.stopped is None:
        written = sum(len(outcome.written) for outcome in result.outcomes)
        fresh = sum(len(outcome.fresh) for outcome in result.outcomes)
        _tell(f"{len(specs)} specs: {written} files written, {fresh} up to date")
    return _batch_status(result.outcomes, len(specs))


def _columns(stream: Any) -> int:
    """The width of the terminal `stream` shows on (80 when it does not say)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


class _BatchReporter:
    """Tells each spec's warnings and failure on stderr as it comes; on a terminal, a
    progress line under them (never wider than the terminal, so `\r` can redraw it),
    redrawn after each spec and cleared at the end."""

    def __init__(self, total: int, *, progress: bool) -> None:
        self.total = total
        self.done = 0
        self.progress = progress
        self._draw("")

    def __call__(self, outcome: Outcome) -> None:
        from cnndiagram.escapes.terminal import escape_controls

        self.done += 1
        if self.progress:
            self._clear()
        for warning in outcome.warnings:
            _tell(f"{escape_controls(outcome.spec)}: {warning}")
        if outcome.error is not None:
            _tell(outcome.error)
        self._draw(escape_controls(outcome.spec))

    def _draw(self, name: str) -> None:
        if not self.progress:
            return
        width = 24
        filled = width * self.done // max(self.total, 1)
        bar = f"[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total}"
        room = _columns(sys.stderr) - len(bar) - 2
        if name and room > 1:
            bar += " " + clip(name, room)
        with contextlib.suppress(OSError):
            click.echo(bar, err=True, nl=False)

    def close(self) -> None:
        if self.progress:
            self._clear()

    def _clear(self) -> None:
        with contextlib.suppress(OSError):
            click.echo("\r\x1b[K", err=True, nl=False)


def _batch_status(outcomes: Sequence[Outcome], total: int) -> int:
    """Exit status of a batch: a fatal failure's own (already told), else 1 after the count
    line when any spec failed (70 when one failed in a way that is our bug), else 0."""
    from cnndiagram.batch.run import INTERNAL_ERROR

    fatal = next((outcome for outcome in outcomes if outcome.fatal), None)
    if fatal is not None:
        return fatal.exit_code
    failed = [outcome for outcome in outcomes if outcome.failed]
    if not failed:
        return 0
    _tell(f"{len(failed)} of {total} failed")
    if any(outcome.exit_code == INTERNAL_ERROR for outcome in failed):
        return INTERNAL_ERROR
    return 1


@main.command()
def kinds() -> None:
    """List the layer kinds, their aliases and arguments, and the blocks."""
    from cnndiagram.catalog import BLOCKS, KINDS, MERGES

    for kind in KINDS.values():
        args = ", ".join(
            arg.name if arg.required else f"{arg.name}={_default(arg.default)}" for arg in kind.args
        )
        if kind.name in MERGES:
            args = ", ".join(filter(None, ["a, b, ...", args]))
        aliases = f"  (also {', '.join(kind.aliases)})" if kind.aliases else ""
        click.echo(f"{kind.name}({args}){aliases}")
        click.echo(f"    {kind.summary}")
    click.echo("")
    click.echo("blocks:")
    click.echo("residual(act) { body } [shortcut { projection }]")
    click.echo(f"    {BLOCKS['residual'].summary}")
    click.echo("parallel(concat|add|multiply) { branch | branch | ... }")
    click.echo(f"    {BLOCKS['parallel'].summary}")
    click.echo("repeat(n) { body }")
    click.echo(f"    {BLOCKS['repeat'].summary}")
    click.echo("def name(param, param=default, ...) { body }")
    click.echo("    a block of your own, called by name as a layer: name(args)")
    click.echo("@name")
    click.echo("    the next statement reads the layer called name")


def _default(value: object) -> str:
    if value is None:
        return "auto"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_Group.lazy["render"] = render_command

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
