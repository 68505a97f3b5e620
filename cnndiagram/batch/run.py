"""Batch run: many specs rendered in one process, or spread over N worker processes.

One process pays its start-up (about 130 ms) once for the whole batch, and loads its
font and text measurements once; `-j N` spreads the specs over N worker processes
(forkserver, or spawn where there is none: never a fork of a running process). Every
output is drawn by the same code whatever N is, so the bytes do not depend on it, and
results come back in the order the specs were given, so neither do the messages.
"""

from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from cnndiagram.batch.names import output_names, unique_specs
from cnndiagram.batch.stamp import (
    STAMP_NAME,
    digest_of,
    read_stamp,
    render_key,
    spec_bytes,
    stamp_text,
)
from cnndiagram.errors import CnnDiagramError, OptionError, OutputError
from cnndiagram.limits import Limits
from cnndiagram.loading import SourceFormat
from cnndiagram.options import FigureOptions, OutputOptions, Style

if TYPE_CHECKING:
    from cnndiagram.diagram import Diagram

#: Exit status of a spec whose rendering raised something unexpected (a bug of ours).
INTERNAL_ERROR = 70


class Settings(NamedTuple):
    """What every spec of a batch is read and drawn with."""

    spec_format: SourceFormat | None
    input_shape: tuple[int, ...] | None
    limits: Limits
    figure: FigureOptions
    output: OutputOptions
    debug: bool = False


class Job(NamedTuple):
    """One spec and the outputs of it that need writing: (format name, path) pairs."""

    spec: str
    outputs: tuple[tuple[str, str], ...]


class Outcome(NamedTuple):
    """What became of one spec. `written` pairs each path with the SHA-256 of its bytes."""

    spec: str
    written: tuple[tuple[str, str], ...] = ()
    fresh: tuple[str, ...] = ()  # outputs already up to date, not rewritten
    error: str | None = None  # the message, located as a single spec's would be
    exit_code: int = 0
    warnings: tuple[str, ...] = ()  # "note: ..." and "warning: ..." lines, as one spec prints

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def fatal(self) -> bool:
        """A usage error or a missing dependency: every other spec would fail alike."""
        return self.failed and self.exit_code not in (1, INTERNAL_ERROR)


class Result(NamedTuple):
    outcomes: tuple[Outcome, ...]  # in the order of the specs, up to a fatal one
    stopped: Outcome | None  # the fatal outcome the batch stopped at, if any


def check_formats(formats: Sequence[str], figure: FigureOptions) -> None:
    """Formats no spec could be written in fail before any work, as a single spec's do."""
    if "dot" in formats and figure.style != Style.GRAPH:
        raise OptionError("DOT output is the graph style's: use --style graph")


# -- rendering one spec -------------------------------------------------------------------------

#: The batch's spec files, set in each worker process: no output may be written over one.
_INPUTS: tuple[str, ...] = ()


def _init_worker(inputs: tuple[str, ...]) -> None:
    """Ctrl-C reaches the whole process group: the command handles it (stops the batch,
    exit status 130) and the workers finish their spec quietly instead of each printing a
    traceback."""
    import signal

    global _INPUTS  # noqa: PLW0603 -- a worker's process-wide setting, from its initializer
    _INPUTS = inputs
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def render_job(job: Job, settings: Settings) -> Outcome:
    """Draws every output of one spec before writing any (each atomically), so a spec that
    fails leaves none of its outputs half-done or out of step with each other."""
    from cnndiagram.diagram import Diagram
    from cnndiagram.loading import load_network
    from cnndiagram.output import protect_inputs, write_output

    try:
        with protect_inputs(_INPUTS):
            network = load_network(
                job.spec,
                fmt=settings.spec_format,
                limits=settings.limits,
                input_shape=settings.input_shape,
            )
            diagram = Diagram(network, limits=settings.limits, **settings.figure._asdict())
            output = settings.output._asdict()
            drawn = [(path, diagram.to_bytes(fmt, **output)) for fmt, path in job.outputs]
            written = []
            for path, data in drawn:
                write_output(path, data)
                written.append((path, hashlib.sha256(data).hexdigest()))
    except CnnDiagramError as error:
        return Outcome(job.spec, error=error.format(), exit_code=error.exit_code)
    except Exception as error:
        message = f"{job.spec}: internal error: {type(error).__name__}: {error}"
        if settings.debug:
            message = traceback.format_exc() + message
        return Outcome(job.spec, error=message, exit_code=INTERNAL_ERROR)
    note, warning = detail_note(diagram), fit_warning(diagram)
    said = ([f"note: {note}"] if note else []) + ([f"warning: {warning}"] if warning else [])
    return Outcome(job.spec, written=tuple(written), warnings=tuple(said))


def detail_note(diagram: Diagram) -> str | None:
    """Which level `--detail auto` drew, when it is not every layer, and the smaller text a
    figure needed to keep within `--max-width`."""
    said = []
    options = diagram.options
    if options.detail == "auto" and diagram.detail != "layers":
        page = options.page
        where = f"the {page.name} page" if page is not None else "the default canvas"
        if page is None and options.max_width is not None:
            where = f"--max-width {options.max_width:g}"
        said.append(f"drawn at --detail {diagram.detail}: a finer level does not fit {where}")
    if diagram.narrowed is not None and options.max_width is not None:
        said.append(
            f"text set at {diagram.narrowed:.1f} instead of {options.font_size:g} to keep "
            f"within --max-width {options.max_width:g}"
        )
    return "; ".join(said) or None


def fit_warning(diagram: Diagram) -> str | None:
    """The warning for a figure that could not be fitted to its page, if it was not."""
    fit, page = diagram.fit, diagram.options.page
    if fit is None or fit.fits or page is None:
        return None
    return (
        f"the figure does not fit the {page.name} page ({page.width:.0f} x {page.height:.0f} "
        f"pt) with text of at least {fit.smallest_text:.1f} pt; it is {fit.width:.0f} x "
        f"{fit.height:.0f} pt"
    )


def _render_in_workers(
    jobs: Sequence[Job], specs: Sequence[str], settings: Settings, workers: int
) -> Iterator[Outcome]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["cnndiagram.batch.run", "cnndiagram.diagram"])
    executor = ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        initializer=_init_worker,
        initargs=(tuple(specs),),
    )
    try:
        yield from executor.map(render_job, jobs, [settings] * len(jobs))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


# -- the batch ----------------------------------------------------------------------------------


class _Plan(NamedTuple):
    """Per spec: its job (None when every output is up to date) and its fresh outputs;
    for every output path, the key it is stamped with (see `render_key`)."""

    specs: tuple[tuple[str, Job | None, tuple[str, ...]], ...]
    keys: dict[str, str]


def _plan(
    specs: Sequence[str],
    names: Sequence[str],
    extensions: Sequence[tuple[str, str]],
    outdir: str,
    stamp: dict[str, dict[str, str]],
    settings: Settings,
    force: bool,
) -> _Plan:
    planned = []
    keys: dict[str, str] = {}
    for spec, name in zip(specs, names, strict=True):
        data = spec_bytes(spec, settings.limits)
        stale: list[tuple[str, str]] = []
        fresh: list[str] = []
        for fmt, extension in extensions:
            file = name + extension
            path = os.path.join(outdir, file)
            if data is not None:
                keys[path] = render_key(data, spec, fmt, settings)
            recorded = stamp.get(file, {})
            if (
                not force
                and path in keys
                and recorded.get("key") == keys[path]
                and recorded.get("sha256") == digest_of(path)
            ):
                fresh.append(path)
            else:
                stale.append((fmt, path))
        planned.append((spec, Job(spec, tuple(stale)) if stale else None, tuple(fresh)))
    return _Plan(tuple(planned), keys)


def render_batch(
    specs: Sequence[str],
    outdir: str,
    formats: Sequence[str],
    settings: Settings,
    *,
    force: bool = False,
    workers: int = 1,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
) -> Result:
    """Renders `specs` into `outdir` (created if missing) as `<name>.<ext>` for each of
    `formats` (see `output_names`), skipping up-to-date outputs unless `force`;
    `on_outcome` hears of each spec in the order given. Goes on past failed specs; stops
    at a fatal one (a missing dependency). The stamp is updated at the end."""
    from cnndiagram.output import protect_inputs, write_output
    from cnndiagram.render.formats import output_format

    specs = unique_specs(specs)
    names = output_names(specs)
    entries = [output_format(fmt) for fmt in formats]
    check_formats([entry.name for entry in entries], settings.figure)
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create {outdir}: {error.strerror or error}") from None
    stamp = read_stamp(outdir)
    before = stamp_text(stamp)
    extensions = [(entry.name, entry.extensions[0]) for entry in entries]
    plan = _plan(specs, names, extensions, outdir, stamp, settings, force)
    jobs = [job for _, job, _ in plan.specs if job is not None]

    outcomes: list[Outcome] = []
    stopped: Outcome | None = None
    with protect_inputs(specs):
        rendered: Iterator[Outcome] = (
            _render_in_workers(jobs, specs, settings, workers)
            if workers > 1 and len(jobs) > 1
            else (render_job(job, settings) for job in jobs)
        )
        try:
            for spec, job, fresh in plan.specs:
                outcome = Outcome(spec, fresh=fresh)
                if job is not None:
                    outcome = next(rendered)._replace(fresh=fresh)
                outcomes.append(outcome)
                on_outcome(outcome)
                for path, digest in outcome.written:
                    if path in plan.keys:
                        record = {"key": plan.keys[path], "sha256": digest}
                        stamp[os.path.basename(path)] = record
                if outcome.fatal:
                    stopped = outcome
                    break
        finally:
            close = getattr(rendered, "close", None)
            if close is not None:
                close()  # stops the workers of a batch that stopped early
        # Not after an interrupt: outputs it wrote are then rendered again, never trusted.
        if stamp_text(stamp) != before:
            write_output(os.path.join(outdir, STAMP_NAME), stamp_text(stamp))
    return Result(tuple(outcomes), stopped)
