"""Options (shared, below layout and render): every figure and output option declared once.

`OPTIONS` is the one table: the CLI generates its click options from it, the API
(`Diagram`, `render`) checks keyword arguments through it, and a documentation
directive can derive its option spec from it. Values arrive as Python values (API) or
text (CLI, directives); `parse_option` turns either into the typed value or raises an
`OptionError` (exit status 2, a usage problem, not a spec problem).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from cnndiagram.errors import OptionError
from cnndiagram.limits import DEFAULT_MAX_PIXELS


class Word(str, enum.Enum):
    """A closed-set option value that prints as its word (`str(Style.FLAT) == "flat"`)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Style(Word):
    """How the network is drawn: 3D blocks, lettered boxes (I-C-P-H-O), or a Graphviz graph."""

    BLOCKS = "blocks"
    FLAT = "flat"
    GRAPH = "graph"


class ThemeName(Word):
    LIGHT = "light"
    DARK = "dark"
    PRINT = "print"


class BlockScale(Word):
    """How tensor sizes map to block sizes."""

    LOG = "log"
    SQRT = "sqrt"
    LINEAR = "linear"


class Arrangement(Word):
    """Where the columns go: one row (wrapped at `max_width`), a U (encoder down, decoder
    up), or a stack (top to bottom, text beside each block: narrow pages)."""

    ROW = "row"
    U = "u"
    STACK = "stack"


class Direction(Word):
    """Graph style: top to bottom or left to right."""

    TB = "TB"
    LR = "LR"


class FontName(Word):
    """The shipped typeface the figure is measured and drawn in."""

    SANS = "sans"  # DejaVu Sans
    SERIF = "serif"  # STIX General, a Times-like face for papers


class Detail(Word):
    """How much of the network a figure or table shows: every layer, every block drawn as one
    unit, or stages (each top-level block or repeat once, with its ×n); `auto` is the finest
    level that fits the page."""

    LAYERS = "layers"
    BLOCKS = "blocks"
    STAGES = "stages"
    AUTO = "auto"


#: The levels a summary table takes (`summary --detail`, default `layers`): `auto` chooses
#: the finest level whose figure fits its page, and a table has no page to fit.
TABLE_DETAILS = (Detail.LAYERS, Detail.BLOCKS, Detail.STAGES)


class Annotation(Word):
    """A row under each block."""

    SIZE = "size"
    FORMULAS = "formulas"
    PARAMS = "params"
    MACS = "macs"
    RF = "rf"


DEFAULT_ANNOTATIONS = (Annotation.SIZE, Annotation.FORMULAS, Annotation.PARAMS)


class Page(NamedTuple):
    """A page (or a column, or a slide) in points; the figure is fitted inside it."""

    width: float
    height: float
    min_font: float  # the smallest text at print size, in points, unless --min-font says
    name: str


#: Presets: a column and the text width of a two-column paper, and a 16:9 slide.
PAGES = {
    "column": Page(252.0, 360.0, 7.0, "column"),
    "textwidth": Page(504.0, 360.0, 7.0, "textwidth"),
    "slide": Page(960.0, 540.0, 14.0, "slide"),
}
#: Points per unit.
UNITS = {"pt": 1.0, "bp": 1.0, "in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "px": 0.75}


def _page(value: Any) -> Page | None:
    """`column`, `textwidth`, `slide`, or `WxH` with a unit (`pt`, `in`, `mm`, `cm`, `px`) on
    either number or after both (`3.5x5in`, `90mmx60mm`); points when none is given."""
    if value is None or isinstance(value, Page):
        return value
    text = str(value).strip().lower()
    if text in PAGES:
        return PAGES[text]
    import re

    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)\s*x\s*(\d+(?:\.\d+)?)\s*([a-z]*)", text)
    if match is None:
        raise OptionError(
            f"unknown page {value!r}; give column, textwidth, slide, or a size such as "
            "504x360pt, 6.5x4in or 170x120mm"
        )
    width, first, height, second = match.groups()
    units = [u for u in (first, second) if u]
    for unit in units:
        if unit not in UNITS:
            raise OptionError(f"unknown unit {unit!r} in page {value!r}; use pt, in, mm, cm or px")
    width_unit = UNITS[first or second or "pt"]
    height_unit = UNITS[second or first or "pt"]
    page = Page(float(width) * width_unit, float(height) * height_unit, 7.0, text)
    if not (36 <= page.width <= 14400 and 36 <= page.height <= 14400):
        raise OptionError(f"page {value!r} must be from 0.5 in to 200 in on each side")
    return page


class FigureOptions(NamedTuple):
    """What the layout draws. Build it through `figure_options` to have the values checked."""

    style: Style = Style.BLOCKS
    theme: ThemeName = ThemeName.LIGHT
    font_size: float = 11.0
    title: str | None = None  # None: the spec's title; "" hides it
    annotate: tuple[Annotation, ...] = DEFAULT_ANNOTATIONS
    fold: bool = True
    max_width: float | None = None  # wrap the layers into rows to fit this width
    block_scale: BlockScale = BlockScale.LOG
    legend: bool = True
    totals: bool = True
    collapse: bool = False  # draw each repeated stage once, with a badge and its total
    detail: Detail = Detail.AUTO  # see `Detail`; `auto` keeps small networks at `layers`
    layout: Arrangement = Arrangement.ROW
    #: A stack cut into this many stacks side by side (None: 1, or with a page wider than
    #: tall as many as it takes to fit, up to `MAX_STACKS`).
    stacks: int | None = None
    direction: Direction = Direction.TB
    edge_labels: bool = False  # graph style: tensor sizes on the edges
    font: FontName = FontName.SANS
    page: Page | None = None  # fit the figure into this page, text at least `min_font`
    min_font: float | None = None  # points; None: the page's own (7, or 14 on a slide)
    #: Narrower columns and lower blocks (1: the usual proportions). None: 1, or with a page
    #: the least compaction that fits it (tried before a figure is wrapped into more rows).
    compact: float | None = None


class OutputOptions(NamedTuple):
    """How a backend writes the scene; each backend reads the fields that concern it."""

    scale: float | None = None  # PNG pixels per unit; None: dpi/96, or 2
    dpi: float | None = None
    transparent: bool = False
    embed_font: bool = True
    max_pixels: int = DEFAULT_MAX_PIXELS
    standalone: bool = False  # TikZ: a complete document rather than a picture to \input

    @property
    def pixel_scale(self) -> float:
        if self.scale is not None:
            return self.scale
        return self.dpi / 96.0 if self.dpi else 2.0

    @property
    def pixel_dpi(self) -> float:
        """The resolution recorded in a raster file: the given one, or 96 per pixel scale."""
        return self.dpi if self.dpi is not None else 96.0 * self.pixel_scale


class Option(NamedTuple):
    """One option: its field, where it belongs, how text becomes its value, and its help."""

    name: str  # the field of FigureOptions or OutputOptions
    target: type[FigureOptions] | type[OutputOptions]
    parse: Callable[[Any], Any]
    help: str
    choices: tuple[str, ...] = ()  # closed sets, for help texts and completion
    flag: bool = False  # a switch (--x/--no-x, or a plain flag when `negatable` is False)
    negatable: bool = True
    metavar: str = ""

    @property
    def default(self) -> Any:
        return self.target._field_defaults[self.name]

    @property
    def cli_flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def _enum(kind: type[enum.Enum], what: str) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(str(member.value) for member in kind)
            raise OptionError(f"unknown {what} {value!r}; choose from {names}") from None

    return parse


def _annotations(value: Any) -> tuple[Annotation, ...]:
    """`"size,rf"` or an iterable of names; parsed once, here, at the edge."""
    items = value.split(",") if isinstance(value, str) else list(value)
    parse = _enum(Annotation, "annotation")
    return tuple(parse(item.strip() if isinstance(item, str) else item) for item in items if item)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    words = {"true": True, "yes": True, "on": True, "1": True}
    words |= {"false": False, "no": False, "off": False, "0": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise OptionError(f"expected true or false, not {value!r}")


def _number(
    what: str, low: float, high: float, *, optional: bool = False, integer: bool = False
) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if value is None and optional:
            return None
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            raise OptionError(f"{what} must be a number, not {value!r}") from None
        if not math.isfinite(number) or not low <= number <= high:
            bound = f"at least {low:g}" if math.isinf(high) else f"from {low:g} to {high:g}"
            raise OptionError(f"{what} must be {bound}, not {value!r}")
        if integer:
            if number != int(number):
                raise OptionError(f"{what} must be a whole number, not {value!r}")
            return int(number)
        return number

    return parse


def _title(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise OptionError(f"a title must be text, not {value!r}")


def _choices(kind: type[enum.Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in kind)


_FIG, _OUT = FigureOptions, OutputOptions
OPTIONS: tuple[Option, ...] = (
    Option(
        "style",
        _FIG,
        _enum(Style, "style"),
        "3D blocks, lettered boxes (I-C-P-H-O) for slides, or a graph.",
        _choices(Style),
    ),
    Option(
        "theme",
        _FIG,
        _enum(ThemeName, "theme"),
        "Colours; 'print' is black and white.",
        _choices(ThemeName),
    ),
    Option("title", _FIG, _title, "Title above the figure (default: the spec's; '' for none)."),
    Option(
        "annotate",
        _FIG,
        _annotations,
        "Rows under each block, from size,formulas,params,macs,rf.",
        metavar="ROWS",
    ),
    Option(
        "fold",
        _FIG,
        _bool,
        "Fold activations, dropout and normalisation into the layer they follow.",
        flag=True,
    ),
    Option(
        "max_width",
        _FIG,
        _number("the maximum width", 100, math.inf, optional=True),
        "Wrap the layers into rows to fit this width (SVG units, about pixels).",
        metavar="UNITS",
    ),
    Option(
        "font_size",
        _FIG,
        _number("the font size", 4, 72),
        "Base font size; everything scales with it.",
        metavar="UNITS",
    ),
    Option(
        "block_scale",
        _FIG,
        _enum(BlockScale, "block scale"),
        "How tensor sizes map to block sizes.",
        _choices(BlockScale),
    ),
    Option("legend", _FIG, _bool, "A legend of the layer kinds under the figure.", flag=True),
    Option("totals", _FIG, _bool, "The parameter totals under the figure.", flag=True),
    Option(
        "collapse",
        _FIG,
        _bool,
        "Draw each repeat(n) stage once, with an xn badge and the stage's total.",
        flag=True,
        negatable=False,
    ),
    Option(
        "detail",
        _FIG,
        _enum(Detail, "level of detail"),
        "Every layer, every block as one unit, or stages (each repeat once, with its xn); "
        "auto: the finest level that fits the page (or the default canvas).",
        _choices(Detail),
    ),
    Option(
        "layout",
        _FIG,
        _enum(Arrangement, "layout"),
        "'u': encoder down, decoder up (U-Nets); 'stack': top to bottom, text beside each "
        "block (narrow pages; with --page, a figure no row fits is stacked).",
        _choices(Arrangement),
    ),
    Option(
        "stacks",
        _FIG,
        _number("the number of stacks", 1, 8, optional=True, integer=True),
        "With --layout stack: that many stacks side by side, cut where one arrow joins "
        "them [default: 1; with a page wider than tall, as many as it takes, up to 3].",
        metavar="N",
    ),
    Option(
        "direction",
        _FIG,
        _enum(Direction, "direction"),
        "Graph style: top to bottom or left to right.",
        _choices(Direction),
    ),
    Option(
        "edge_labels",
        _FIG,
        _bool,
        "Graph style: tensor sizes on the edges.",
        flag=True,
        negatable=False,
    ),
    Option(
        "font",
        _FIG,
        _enum(FontName, "font"),
        "Typeface: DejaVu Sans, or a Times-like serif (STIX) for papers; both are embedded.",
        _choices(FontName),
    ),
    Option(
        "page",
        _FIG,
        _page,
        "Fit the figure into a page: column (252x360pt), textwidth (504x360pt), slide "
        "(960x540pt) or WxH in pt, in, mm or cm. Outputs get that physical size.",
        metavar="PAGE",
    ),
    Option(
        "min_font",
        _FIG,
        _number("the minimum font size", 1, 72, optional=True),
        "With --page: the smallest text at print size, in points [default: 7; 14 on a slide].",
        metavar="PT",
    ),
    Option(
        "compact",
        _FIG,
        _number("the compaction", 0.4, 1, optional=True),
        "Column proportions, 0.4 to 1: text wraps at this fraction of its usual width and "
        "blocks are drawn this much lower [default: 1; with --page, the least that fits].",
        metavar="FACTOR",
    ),
    Option(
        "scale",
        _OUT,
        _number("the scale", 0.1, 16, optional=True),
        "PNG pixels per SVG unit [default: 2, or --dpi/96].",
        metavar="FACTOR",
    ),
    Option(
        "dpi",
        _OUT,
        _number("the resolution", 10, 2400, optional=True),
        "PNG resolution recorded in the file (and the scale, if --scale is not given).",
        metavar="DPI",
    ),
    Option("transparent", _OUT, _bool, "No background.", flag=True, negatable=False),
    Option(
        "embed_font",
        _OUT,
        _bool,
        "Embed the font subset in the SVG, so browsers without it draw the same.",
        flag=True,
    ),
    Option(
        "max_pixels",
        _OUT,
        _number("the pixel limit", 1, math.inf, integer=True),
        "Refuse PNGs with more pixels than this.",
        metavar="N",
    ),
    Option(
        "standalone",
        _OUT,
        _bool,
        "TikZ: a complete standalone-class document instead of a picture to \\input.",
        flag=True,
        negatable=False,
    ),
)
OPTION_TABLE: dict[str, Option] = {option.name: option for option in OPTIONS}


def parse_option(name: str, value: Any) -> Any:
    """The typed value of option `name`; an `OptionError` names the option and what it takes."""
    option = OPTION_TABLE.get(name)
    if option is None:
        known = ", ".join(sorted(OPTION_TABLE))
        raise OptionError(f"unknown option {name!r}; known: {known}")
    try:
        return option.parse(value)
    except OptionError as error:
        raise OptionError(f"{option.cli_flag}: {error.message}") from None


def split_options(values: Mapping[str, Any]) -> tuple[FigureOptions, OutputOptions]:
    """Checked figure and output options from one mapping of option names to values."""
    figure: dict[str, Any] = {}
    output: dict[str, Any] = {}
    for name, value in values.items():
        parsed = parse_option(name, value)
        (figure if OPTION_TABLE[name].target is FigureOptions else output)[name] = parsed
    return FigureOptions(**figure), OutputOptions(**output)


def _only(values: Mapping[str, Any], target: type[Any], other: str) -> None:
    for name in values:
        option = OPTION_TABLE.get(name)
        if option is not None and option.target is not target:
            raise OptionError(f"{name!r} is {other} option, not one of {target.__name__}")


def figure_options(**values: Any) -> FigureOptions:
    """Checked `FigureOptions` from keyword arguments (`style="flat"`, `annotate="size,rf"`)."""
    _only(values, FigureOptions, "an output")
    return split_options(values)[0]


def output_options(**values: Any) -> OutputOptions:
    """Checked `OutputOptions` from keyword arguments (`scale=2`, `transparent=True`)."""
    _only(values, OutputOptions, "a figure")
    return split_options(values)[1]
