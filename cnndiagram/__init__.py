"""cnndiagram: exact tensor sizes, parameter counts and their formulas for any CNN.

Public API::

    import cnndiagram
    net = cnndiagram.load_spec("samples/seed.cnn")  # or load_spec("I(1x28x28)-...", expr=True)
    result = cnndiagram.analyze(net)
    print(result.total_params)                               # 217706
    print(cnndiagram.summary(result, "table"))
    cnndiagram.render("samples/seed.cnn", "seed.svg")      # or .png; see Diagram for options
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = [
    "Analysis",
    "CnnDiagramError",
    "Diagram",
    "Limits",
    "Network",
    "ShapeError",
    "SpecError",
    "__version__",
    "analyze",
    "build_layer",
    "from_torch",
    "load_spec",
    "render",
    "summary",
]

if TYPE_CHECKING:
    from cnndiagram.diagram import Diagram, render
    from cnndiagram.engine.analysis import Analysis, analyze
    from cnndiagram.errors import CnnDiagramError, ShapeError, SpecError
    from cnndiagram.importers.torch import from_torch
    from cnndiagram.ir import Network
    from cnndiagram.limits import Limits
    from cnndiagram.spec.build import build_layer
    from cnndiagram.spec.load import load_spec

_LAZY = {
    "Analysis": "cnndiagram.engine.analysis",
    "analyze": "cnndiagram.engine.analysis",
    "from_torch": "cnndiagram.importers.torch",
    "CnnDiagramError": "cnndiagram.errors",
    "ShapeError": "cnndiagram.errors",
    "SpecError": "cnndiagram.errors",
    "Network": "cnndiagram.ir",
    "Limits": "cnndiagram.limits",
    "load_spec": "cnndiagram.spec.load",
    "build_layer": "cnndiagram.spec.build",
    "Diagram": "cnndiagram.diagram",
    "render": "cnndiagram.diagram",
}


def summary(analysis: Analysis, fmt: str = "table", detail: str = "layers") -> str:
    """The analysis as `table`, `markdown`, `csv`, `json`, `latex` or `explain` text, with a
    row per layer, or per block or stage of the network (`detail="blocks"`, `"stages"`)."""
    from cnndiagram.unit_report import summary_report

    return summary_report(analysis, fmt, detail)


def __getattr__(name: str) -> Any:
    # Importing the package stays cheap; each name loads its module on first use.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cnndiagram' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
