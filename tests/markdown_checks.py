"""Markdown read back the way documentation sites read it: rendered by markdown-it, then the
HTML taken apart into its tags and the text of each block."""

from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt

#: The elements whose text is collected, one entry each, in document order.
BLOCKS = ("td", "th", "h1", "h2", "h3", "p", "li")


class Rendered(HTMLParser):
    """The tags of rendered HTML, and the text of each block with references decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.cells: list[str] = []
        self.block_tags: list[str] = []
        self.inside = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in BLOCKS:
            self.cells.append("")
            self.block_tags.append(tag)
            self.inside += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.inside -= 1

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.cells[-1] += data


def render_markdown(text: str) -> Rendered:
    """CommonMark with raw HTML allowed (as MkDocs, MyST and GitHub's parser take it), plus
    GFM's tables and strikethrough."""
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    rendered = Rendered()
    rendered.feed(parser.render(text))
    rendered.close()
    return rendered
