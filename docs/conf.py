"""Sphinx configuration of cnndiagram's own documentation: the pages in this folder (Markdown,
read by MyST) and a gallery of the samples drawn by the package's own directive.

Build: sphinx-build -b html docs docs/_build/html (or -b latex); the test suite builds it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The checkout's package, not whichever cnndiagram might be installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cnndiagram

project = "cnndiagram"
release = version = cnndiagram.__version__
extensions = ["myst_parser", "cnndiagram.sphinx"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
numfig = True
# docs/json.md annotates its JSON with comments, which the JSON lexer refuses.
suppress_warnings = ["misc.highlighting_failure"]
html_title = f"cnndiagram {release}"
latex_documents = [("index", "cnndiagram.tex", "cnndiagram", "cnndiagram developers", "manual")]
