"""Renders every sample to samples/figures/ (SVG and PNG), the figures the README shows.

    python tools/render_samples.py

tests/test_samples_rendered.py checks that the committed SVGs match what the code draws.
"""

from __future__ import annotations

import os
from pathlib import Path

from cnndiagram.diagram import Diagram

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIGURES = SAMPLES / "figures"

#: Per sample: figure options chosen for a README page about 1,200 units wide (every layer
#: drawn), and the large networks as a paper's text width gets them (`--page textwidth`,
#: the level of detail chosen by `auto`).
FIGURE_OPTIONS: dict[str, dict[str, object]] = {
    "seed.cnn": {},
    "seed.cnn:flat": {"style": "flat"},
    "lenet5.cnn": {},
    "alexnet.cnn": {"max_width": 1400},
    "vgg16.cnn": {"max_width": 1200, "detail": "layers"},
    "vgg16.cnn:textwidth": {"page": "textwidth"},
    "audio1d.yaml": {"max_width": 1200},
    "c3d.json": {"max_width": 1400},
    "resnet18.cnn": {"max_width": 1600, "detail": "layers"},
    "resnet18.cnn:textwidth": {"page": "textwidth"},
    "resnet50.cnn:textwidth": {"page": "textwidth"},
    "densenet121.cnn:textwidth": {"page": "textwidth"},
    "resnet18.cnn:graph": {"style": "graph"},
    "resnet50.cnn": {"max_width": 1600, "collapse": True, "detail": "layers"},
    "resnet50.cnn:graph": {"style": "graph", "collapse": True, "direction": "LR"},
    "inception.cnn": {},
    "inception.cnn:graph": {"style": "graph", "direction": "LR", "edge_labels": True},
    "unet.cnn": {"layout": "u", "detail": "layers"},
    "unet.cnn:textwidth": {"page": "textwidth"},
    "unet.cnn:graph": {"style": "graph", "direction": "LR"},
    "googlenet.cnn": {"max_width": 1600},
    "mobilenetv2.cnn": {"max_width": 1600, "collapse": True},
    "shufflenetv2.cnn": {"max_width": 1600, "collapse": True},
    "mobilenetv3small.cnn": {"max_width": 1600},
    "googlenet.cnn:textwidth": {"page": "textwidth"},
    "efficientnet_b0.cnn:textwidth": {"page": "textwidth"},
    "efficientnet_b0.cnn:column": {"page": "column"},
    "resnet50.cnn:column": {"page": "column"},
    "resnet50.cnn:slide": {"page": "slide"},
}
#: Graph-style figures come from the Graphviz that ships with the package, so the
#: committed files are the same on every machine (a system `dot` may be another version).
GRAPHVIZ = "graphviz-pure"
PNG_SCALE = 1.5


def figures() -> dict[str, Diagram]:
    out = {}
    for key, options in FIGURE_OPTIONS.items():
        name, _, variant = key.partition(":")
        stem = Path(name).stem + (f"-{variant}" if variant else "")
        out[stem] = Diagram(SAMPLES / name, **options)  # type: ignore[arg-type]
    return out


def main() -> int:
    os.environ["CNNDIAGRAM_DOT"] = GRAPHVIZ
    FIGURES.mkdir(exist_ok=True)
    for stem, diagram in figures().items():
        diagram.save(FIGURES / f"{stem}.svg")
        if diagram.options.style == "graph":
            continue  # graph-style figures are kept as SVG only, to keep the repository small
        # Big figures at 1x keep the repository small; the SVGs are exact at any size.
        area = diagram.scene.width * diagram.scene.height
        diagram.save(FIGURES / f"{stem}.png", scale=PNG_SCALE if area < 2_500_000 else 1.0)
    for path in sorted(FIGURES.iterdir()):
        print(f"{path.name}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
