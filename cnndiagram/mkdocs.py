"""Documentation stage (MkDocs): ```` ```cnndiagram ```` fences drawn as inline SVG figures.

A `pymdownx.superfences` custom fence, configured in `mkdocs.yml`::

    markdown_extensions:
      - pymdownx.superfences:
          custom_fences:
            - name: cnndiagram
              class: cnndiagram
              validator: !!python/name:cnndiagram.mkdocs.fence_validator
              format: !!python/name:cnndiagram.mkdocs.fence_format

The fence's body is a spec (DSL, or YAML/TOML/JSON); options on its first line are the figure
and output options of `cnndiagram.options.OPTIONS` (```` ```cnndiagram style="flat" font_size="9"
````, `-` or `_` alike) and `caption="..."`. A bad spec or option becomes a visible error block
on the page and a warning in MkDocs' log (which `mkdocs build --strict` turns into a failure),
never a crash of the build.
"""

from __future__ import annotations

import logging
from typing import Any

from cnndiagram.errors import CnnDiagramError
from cnndiagram.escapes.xml import xml_escape
from cnndiagram.options import OPTION_TABLE

#: Under `mkdocs.`, so MkDocs counts the warnings (and `--strict` fails on them).
log = logging.getLogger("mkdocs.plugins.cnndiagram")
#: The name a fence's spec is reported under; its lines are the fence body's.
FENCE_NAME = "cnndiagram fence"


def fence_validator(
    language: str, inputs: dict[str, str], options: dict[str, str], attrs: dict[str, str], md: Any
) -> bool:
    """Takes every option on the fence's first line; unknown ones are reported when the fence
    is drawn, on the page, rather than silently turning it into a code block."""
    for key, value in inputs.items():
        options[key.replace("-", "_")] = value
    return True


def fence_format(
    source: str, language: str, class_name: str, options: dict[str, str], md: Any, **kwargs: Any
) -> str:
    """The figure as a `<figure>` holding the SVG inline (its title and description give the
    alt text), or an error block naming the fence line and column."""
    figure_options = dict(options)
    caption = figure_options.pop("caption", None)
    classes = " ".join(
        filter(None, ["cnndiagram", class_name if class_name != "cnndiagram" else ""])
    )
    try:
        svg = draw_svg(source, figure_options)
    except CnnDiagramError as error:
        message = error.format()
        log.warning("cnndiagram: %s", message)
        return (
            f'<div class="cnndiagram-error admonition failure">'
            f'<p class="admonition-title">cnndiagram could not draw this figure</p>'
            f"<pre><code>{xml_escape(message)}</code></pre></div>"
        )
    figcaption = f"<figcaption>{xml_escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="{xml_escape(classes)}">{svg}{figcaption}</figure>'


def draw_svg(source: str, options: dict[str, str]) -> str:
    """The spec text drawn as SVG with `options` (names of the option table)."""
    from cnndiagram.diagram import Diagram
    from cnndiagram.errors import OptionError
    from cnndiagram.options import split_options
    from cnndiagram.source import Source
    from cnndiagram.spec.load import format_for, parse_source

    unknown = sorted(name for name in options if name not in OPTION_TABLE)
    if unknown:
        known = ", ".join(sorted([*OPTION_TABLE, "caption"]))
        raise OptionError(f"unknown option {unknown[0]!r} on the fence; known: {known}")
    figure, output = split_options(options)
    network = parse_source(Source(source, FENCE_NAME), format_for("", source.lstrip()))
    return Diagram(network, **figure._asdict()).to_svg(**output._asdict())
