"""Documentation stage (MkDocs): a plugin that draws every spec file of the docs beside it.

    plugins:
      - cnndiagram:
          specs: ["*.cnn", "nets/*.yaml"]    # gitignore-style, as `exclude_docs`; default *.cnn
          formats: [svg]                      # any of svg, png, pdf
          options: {style: flat, page: textwidth}
          copy_specs: false

`docs/nets/resnet50.cnn` gets a generated `nets/resnet50.cnn.svg` (one file per format), so
a page writes `![ResNet-50](nets/resnet50.cnn.svg)`. Only `.cnn` files are specs by default:
a `.yaml` or `.json` file in the docs is as likely to be something else, so those are drawn
only where `specs` says. `options` are the figure and output options of
`cnndiagram.options.OPTIONS` (`-` or `_` alike), checked when the configuration is read, so a
wrong one is a configuration error naming it. A bad spec is a warning located at its
file:line:col (`mkdocs build --strict` fails on it) and gets no figure, so a page showing it
gets MkDocs' own warning about a missing target. Spec files stay out of the site unless
`copy_specs` is true; they are in `docs_dir`, so `mkdocs serve` rebuilds when one changes,
and figures whose spec, options and format did not change are reused from the last build.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from pathspec.gitignore import GitIgnoreSpec

from cnndiagram import __version__
from cnndiagram.errors import CnnDiagramError, OptionError
from cnndiagram.options import FigureOptions, OutputOptions, split_options

#: The fence's logger: under `mkdocs.`, so MkDocs counts the warnings (and `--strict` fails).
log = logging.getLogger("mkdocs.plugins.cnndiagram")
#: Image formats a page can show; the other backends (TikZ, PowerPoint) are not for sites.
FORMATS = ("svg", "png", "pdf")

Checked = tuple[FigureOptions, OutputOptions]


class FigureOptionsOption(base.BaseConfigOption[Checked]):
    """A mapping of option-table names to values, checked by the code every front end uses."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> Checked:
        if not isinstance(value, dict):
            raise base.ValidationError(
                f"expected a mapping of figure options, not {type(value).__name__}"
            )
        named = {str(key).replace("-", "_"): item for key, item in value.items()}
        try:
            return split_options(named)
        except OptionError as error:
            raise base.ValidationError(error.message) from None


class SpecPatterns(base.BaseConfigOption[GitIgnoreSpec]):
    """A list of gitignore-style patterns, as MkDocs' `exclude_docs` takes (there as lines)."""

    def __init__(self, default: list[str]) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> GitIgnoreSpec:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise base.ValidationError("expected a list of patterns such as ['*.cnn']")
        try:
            return GitIgnoreSpec.from_lines(value)
        except ValueError as error:  # pathspec's own message names the pattern
            raise base.ValidationError(str(error)) from None


class CnnDiagramConfig(base.Config):
    specs = SpecPatterns(default=["*.cnn"])
    formats = c.ListOfItems(c.Choice(FORMATS), default=["svg"])
    options = FigureOptionsOption()
    copy_specs = c.Type(bool, default=False)


class CnnDiagramPlugin(BasePlugin[CnnDiagramConfig]):
    """Adds `<spec>.<format>` beside each spec file while MkDocs collects the docs' files."""

    def __init__(self) -> None:
        # Defining `on_startup` keeps this instance across `mkdocs serve` rebuilds, so the
        # figures drawn last time (by digest) are there to reuse.
        self._drawn: dict[str, bytes] = {}

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self._drawn = {}

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        specs = [
            file
            for file in files
            if file.abs_src_path is not None  # another plugin's in-memory file: not ours
            and file.inclusion is not InclusionLevel.EXCLUDED
            and self.config.specs.match_file(file.src_uri)
        ]
        drawn: dict[str, bytes] = {}
        for spec in sorted(specs, key=lambda file: file.src_uri):
            if not self.config.copy_specs:
                files.remove(spec)
            for fmt in self.config.formats:
                data = self._figure(spec, fmt, drawn)
                if data is None:
                    break  # one warning per spec, not one per format
                name = f"{spec.src_uri}.{fmt}"
                replace(files, File.generated(config, name, content=data, inclusion=spec.inclusion))
        self._drawn = drawn  # only what this build used: a deleted spec's figures go
        return files

    def _figure(self, spec: File, fmt: str, drawn: dict[str, bytes]) -> bytes | None:
        """The spec drawn in `fmt`, reused when nothing it depends on changed; None (and a
        warning) for a spec that cannot be read or drawn."""
        name = display_name(spec.abs_src_path or spec.src_uri)
        figure, output = self.config.options
        try:
            key = digest(read_bytes(spec, name), name, fmt, (figure, output))
            drawn[key] = self._drawn.get(key) or draw(name, fmt, figure, output)
        except CnnDiagramError as error:
            log.warning("cnndiagram: %s", error.format())
            return None
        return drawn[key]


def replace(files: Files, figure: File) -> None:
    """A figure replaces a file of its name in the docs: the spec is its source."""
    stale = files.get_file_from_path(figure.src_uri)
    if stale is not None:
        log.info("cnndiagram: %s is drawn from its spec, not copied", figure.src_uri)
        files.remove(stale)
    files.append(figure)


def display_name(path: str) -> str:
    """The spec's path from the working directory (`docs/nets/bad.cnn`), as a compiler names
    a file, so messages are short and open in an editor; absolute when there is none (another
    drive on Windows)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def read_bytes(spec: File, name: str) -> bytes:
    try:
        return spec.content_bytes
    except OSError as error:
        raise CnnDiagramError(f"cannot read {name}: {error.strerror}") from None


def digest(data: bytes, name: str, fmt: str, options: Checked) -> str:
    """What a figure is drawn from and with, and by which version."""
    key = "\0".join([__version__, name, fmt, repr(options)]).encode("utf-8", "surrogatepass")
    return hashlib.sha256(key + b"\0" + data).hexdigest()


def draw(path: str, fmt: str, figure: FigureOptions, output: OutputOptions) -> bytes:
    """The spec file at `path` (any format the loader reads, by its extension) in `fmt`."""
    from cnndiagram.diagram import Diagram
    from cnndiagram.loading import load_network

    network = load_network(path)
    return Diagram(network, **figure._asdict()).to_bytes(fmt, **output._asdict())
