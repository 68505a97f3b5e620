"""Documentation stage (Sphinx): a `cnndiagram` directive that draws a spec where a page says so.

    extensions = ["cnndiagram.sphinx"]

    .. cnndiagram:: nets/seed.cnn
       :style: flat
       :caption: The seed network.
       :name: fig-seed
       :summary: table

The argument is a spec file, relative to the document (an absolute path is relative to the
source directory, as for `literalinclude`); without one the directive's content is the spec.
Its options are the figure and output options of `cnndiagram.options.OPTIONS` (`:font-size:`
for `font_size`; a switch alone means true), plus `:caption:`, `:name:`, `:alt:` (default:
the figure's own description), `:align:`, `:width:`, `:summary: table|markdown` and
`:spec-format:`.

Reading checks the options, reads and analyses the spec (a bad one is a warning located at
the spec's file:line:col and at the directive, and the page is built without the figure),
registers the spec file as a dependency and leaves a placeholder. Writing draws each
placeholder in the format the builder takes, SVG for HTML, PDF for LaTeX and PNG otherwise,
into the build's image directory under a name hashed from the spec text, the options and
cnndiagram's version, so a figure already drawn is reused, and puts a standard image node
in its place, which every builder writes and copies as it does any image. Nothing here is
shared between documents, so parallel reads and writes (`-j auto`) are safe. A figure that
does not fit its `:page:` even at the coarsest level of detail is drawn anyway and gives a
warning with its achieved size (`suppress_warnings = ["cnndiagram.fit"]` silences it).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from cnndiagram import __version__
from cnndiagram.errors import CnnDiagramError
from cnndiagram.loading import SOURCE_FORMATS
from cnndiagram.options import OPTIONS, Option, split_options

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

    from cnndiagram.engine.analysis import Analysis
    from cnndiagram.ir import Network

logger = logging.getLogger(__name__)

#: The image format each kind of builder gets: vector where the output can hold it.
FORMATS = {"html": "svg", "latex": "pdf"}
MEDIA_TYPES = {"svg": "image/svg+xml", "pdf": "application/pdf", "png": "image/png"}
SUMMARIES = ("table", "markdown")


def _switch(argument: str | None) -> str:
    """A switch option: alone it means true; `:fold: false` turns a default-on one off."""
    return "true" if argument is None or not argument.strip() else argument.strip()


def directive_name(option: Option) -> str:
    return option.name.replace("_", "-")


def _option_spec() -> dict[str, Callable[[str], Any]]:
    """Every option of the one table, checked later by `split_options` so the directive's
    messages are the CLI's; then the directive's own options."""
    spec: dict[str, Callable[[str], Any]] = {
        directive_name(option): _switch if option.flag else directives.unchanged_required
        for option in OPTIONS
    }
    spec.update(
        caption=directives.unchanged_required,
        name=directives.unchanged,
        alt=directives.unchanged,
        align=lambda arg: directives.choice(arg, ("left", "center", "right")),
        width=directives.length_or_percentage_or_unitless,
        summary=lambda arg: directives.choice(arg, SUMMARIES),
        class_=directives.class_option,
    )
    spec["class"] = spec.pop("class_")
    spec["spec-format"] = lambda arg: directives.choice(arg, SOURCE_FORMATS)
    return spec


def warn(error: CnnDiagramError, location: Any) -> None:
    """A Sphinx warning at the directive holding the error's own location and excerpt;
    `suppress_warnings = ["cnndiagram.spec"]` silences it, `-W` fails the build on it."""
    logger.warning(
        "cnndiagram: %s", error.format(), location=location, type="cnndiagram", subtype="spec"
    )


class cnndiagram_figure(nodes.General, nodes.Inline, nodes.Element):
    """A figure to draw at write time: where its spec is, and its options as written."""


class CnnDiagramDirective(SphinxDirective):
    """`.. cnndiagram:: [spec file]` with an inline spec as content when there is no file."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = _option_spec()

    def run(self) -> list[nodes.Node]:
        figure_options = {
            option.name: self.options[directive_name(option)]
            for option in OPTIONS
            if directive_name(option) in self.options
        }
        from cnndiagram.engine.analysis import analyze
        from cnndiagram.notation import describe_network

        try:
            split_options(figure_options)  # checked here, so the warning names the directive
            network, path, text = self._load()
            analysis = analyze(network)
        except CnnDiagramError as error:
            warn(error, self.get_location())
            return []
        placeholder = cnndiagram_figure(
            self.block_text,
            path=path,
            text=text,
            spec_format=self.options.get("spec-format", ""),
            options=figure_options,
            digest=_digest(text, path, figure_options, self.options.get("spec-format", "")),
            alt=self.options.get("alt") or describe_network(analysis),
            width=self.options.get("width", ""),
            classes=self.options.get("class", []),
        )
        self.set_source_info(placeholder)
        result: list[nodes.Node]
        if "caption" in self.options:
            figure = nodes.figure("", placeholder, align=self.options.get("align", "center"))
            self.set_source_info(figure)
            caption_nodes, messages = self.parse_inline(self.options["caption"], lineno=self.lineno)
            caption = nodes.caption(self.options["caption"], "", *caption_nodes)
            self.set_source_info(caption)
            figure += caption
            self.add_name(figure)
            result = [figure, *messages]
        else:
            if "align" in self.options:
                placeholder["align"] = self.options["align"]
            self.add_name(placeholder)
            result = [placeholder]
        if "summary" in self.options:
            result += _summary(analysis, self.options["summary"], self)
        return result

    def _load(self) -> tuple[Network, str, str]:
        """The network, the absolute path of its file ("" for an inline spec) and the text the
        figure's name is hashed from (the file's bytes, hex-digested, for a file)."""
        fmt = self.options.get("spec-format")
        if self.arguments:
            if self.content:
                raise CnnDiagramError("give a spec file or an inline spec as content, not both")
            relative, path = self.env.relfn2path(self.arguments[0], self.env.docname)
            # Noted before reading: a page whose spec is broken is rebuilt when it is fixed.
            self.env.note_dependency(relative)
            try:
                data = Path(path).read_bytes()
            except OSError as error:
                raise CnnDiagramError(f"cannot read {path}: {error.strerror}") from None
            network = _load_file(path, fmt)
            return network, path, hashlib.sha256(data).hexdigest()
        if not self.content:
            raise CnnDiagramError("give a spec file as the argument or the spec as content")
        text = self._inline_text()
        source, _ = self.get_source_info()
        network = _load_inline(text, source, fmt)
        return network, "", text

    def _inline_text(self) -> str:
        """The content where it stands in the document: blank lines above it and its
        indentation kept, so a spec error's line and column are the document's own."""
        first = self.content.offset(0)  # docutils: the content's 0-based line in its source
        indent = ""
        if first >= self.lineno:
            line = first + 1
            raw = self.block_text.splitlines()[first - self.lineno + 1 :]
            indents = [len(item) - len(item.lstrip()) for item in raw if item.strip()]
            indent = " " * min(indents, default=0)
        else:
            # MyST numbers the content from 0; it follows the fence line and the options.
            line = self.lineno + self.content_offset + 1
        body = "\n".join(indent + item if item.strip() else "" for item in self.content)
        return "\n" * (line - 1) + body + "\n"


def _load_inline(text: str, name: str, fmt: str | None) -> Network:
    """Spec text under the document's name; the model formats read it as `-e` text."""
    from cnndiagram.loading import SOURCE_FORMATS, load_network
    from cnndiagram.source import Source
    from cnndiagram.spec.load import SpecFormat, format_for, parse_source

    spec_formats: tuple[SpecFormat, ...] = ("dsl", "yaml", "toml", "json")
    spec_format = next((known for known in spec_formats if known == fmt), None)
    if fmt is not None and spec_format is None:
        model = next(known for known in SOURCE_FORMATS if known == fmt)
        return load_network(text, expr=True, fmt=model)
    return parse_source(Source(text, name), spec_format or format_for("", text.lstrip()))


def _load_file(path: str, fmt: str | None) -> Network:
    from cnndiagram.loading import SOURCE_FORMATS, load_network

    return load_network(path, fmt=next((known for known in SOURCE_FORMATS if known == fmt), None))


def _digest(text: str, path: str, options: dict[str, str], spec_format: str) -> str:
    """The figure's name: what it is drawn from and with, and by which version."""
    key = "\0".join(
        [__version__, path, spec_format, text, *(f"{k}={v}" for k, v in sorted(options.items()))]
    )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


# -- the summary under the figure --------------------------------------------------------------


def _summary(analysis: Analysis, kind: str, directive: SphinxDirective) -> list[nodes.Node]:
    """The summary table as a docutils table (`table`), or its Markdown parsed into the page
    (`markdown`: with MyST, as a `.md` page would show it; a table where MyST is missing)."""
    if kind == "markdown":
        parsed = _markdown_nodes(analysis, directive)
        if parsed is not None:
            return parsed
    return [summary_table(analysis)]


def summary_table(analysis: Analysis) -> nodes.Element:
    """The report's table columns as docutils nodes: names are text nodes, which every
    writer escapes for its own syntax; formulas are literals; the totals follow."""
    from cnndiagram.report import Align, CellKind, Row, columns_for, total_line

    columns = columns_for("markdown")
    table = nodes.table(classes=["cnndiagram-summary"])
    group = nodes.tgroup(cols=len(columns))
    table += group
    for _ in columns:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    head += _row([nodes.Text(column.header) for column in columns])
    group += head
    body = nodes.tbody()
    for result in analysis.layers:
        row = Row(analysis, result, analysis.formulas(result))
        cells: list[nodes.Node] = []
        for column in columns:
            text = column.text(row)
            cells.append(
                nodes.literal(text, text) if column.kind is CellKind.FORMULA else nodes.Text(text)
            )
        body += _row(cells, [column.align is Align.RIGHT for column in columns])
    group += body
    container = nodes.container(classes=["cnndiagram-summary"])
    if analysis.network.title:
        container += nodes.rubric(analysis.network.title, analysis.network.title)
    container += table
    total = total_line(analysis)
    paragraph = nodes.paragraph()
    paragraph += nodes.strong("Total parameters:", "Total parameters:")
    paragraph += nodes.Text(" ")
    paragraph += nodes.literal(total, total)
    if analysis.non_trainable_params:
        paragraph += nodes.Text(
            f" (trainable: {analysis.trainable_params:,}, "
            f"non-trainable: {analysis.non_trainable_params:,})"
        )
    container += paragraph
    return container


def _row(cells: list[nodes.Node], right: list[bool] | None = None) -> nodes.row:
    row = nodes.row()
    for index, cell in enumerate(cells):
        entry = nodes.entry(classes=["text-right"] if right and right[index] else [])
        entry += nodes.paragraph("", "", cell)
        row += entry
    return row


def _markdown_nodes(analysis: Analysis, directive: SphinxDirective) -> list[nodes.Node] | None:
    """The report's Markdown (what `summary -f markdown` prints) parsed by MyST."""
    try:
        from myst_parser.mdit_to_docutils.base import make_document
        from myst_parser.parsers.docutils_ import Parser
    except ImportError:
        return None
    from cnndiagram.report import markdown

    text = markdown(analysis)
    if analysis.network.title:
        text = text.split("\n", 2)[2]  # the `###` title: a rubric here, as in the table
    # Without a Sphinx environment in its settings, MyST reports through docutils alone.
    document = make_document(parser_cls=Parser)
    Parser().parse(text, document)
    for node in document.findall(nodes.Element):
        directive.set_source_info(node)
    parsed: list[nodes.Node] = []
    if analysis.network.title:
        parsed.append(nodes.rubric(analysis.network.title, analysis.network.title))
    return [*parsed, *document.children]


# -- writing: the figures ----------------------------------------------------------------------


class DrawFigures(SphinxPostTransform):
    """Each placeholder becomes an image of the builder's format, drawn once per digest."""

    default_priority = 50  # before Sphinx's own image post-transforms (100 and later)

    def run(self, **kwargs: Any) -> None:
        fmt = FORMATS.get(self.app.builder.format, "png")
        directory = Path(self.env.doctreedir, "images", "cnndiagram")
        for placeholder in list(self.document.findall(cnndiagram_figure)):
            image = self._image(placeholder, fmt, directory)
            placeholder.replace_self(image if image is not None else [])

    def _image(self, node: cnndiagram_figure, fmt: str, directory: Path) -> nodes.image | None:
        target = directory / f"cnndiagram-{node['digest']}.{fmt}"
        # What drawing said about the page, kept beside the figure so that a build reusing
        # the figure says it again (a warning that only the first build gives is lost).
        said = target.with_suffix(f".{fmt}.warning")
        if not target.exists():
            try:
                data, warning = draw(
                    node["path"], node["text"], node["spec_format"], node["options"], fmt
                )
            except CnnDiagramError as error:  # the spec changed on disk after reading
                warn(error, node)
                return None
            directory.mkdir(parents=True, exist_ok=True)
            from cnndiagram.output import write_output

            # Atomic: a parallel writer sees all or nothing; the warning first, so a figure
            # on disk always has its warning beside it.
            if warning:
                write_output(os.fspath(said), warning.encode("utf-8"))
            write_output(os.fspath(target), data)
        if said.exists():
            message = said.read_text(encoding="utf-8")
            logger.warning(
                "cnndiagram: %s", message, location=node, type="cnndiagram", subtype="fit"
            )
        path = os.fspath(target)
        image = nodes.image(
            node.rawsource,
            uri=path,
            candidates={MEDIA_TYPES[fmt]: path},
            alt=node["alt"],
            classes=["cnndiagram", *node["classes"]],
            ids=node["ids"],
            names=node["names"],
        )
        for key in ("width", "align"):
            if node.get(key):
                image[key] = node[key]
        image.source, image.line = node.source, node.line
        self.env.images.add_file(self.env.current_document.docname, path)
        return image


def draw(
    path: str, text: str, spec_format: str, options: dict[str, str], fmt: str
) -> tuple[bytes, str | None]:
    """The figure's bytes in `fmt`, from a spec file (`path`) or inline text, and the
    warning the command line gives when it does not fit its `:page:`."""
    from cnndiagram.batch.run import fit_warning
    from cnndiagram.diagram import Diagram

    figure, output = split_options(options)
    fmt_name = spec_format or None
    network = _load_file(path, fmt_name) if path else _load_inline(text, "<inline>", fmt_name)
    diagram = Diagram(network, **figure._asdict())
    return diagram.to_bytes(fmt, **output._asdict()), fit_warning(diagram)


def setup(app: Sphinx) -> ExtensionMetadata:
    """Registers the directive, its placeholder node and the post-transform that draws it."""
    app.add_node(cnndiagram_figure)
    app.add_directive("cnndiagram", CnnDiagramDirective)
    app.add_post_transform(DrawFigures)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
