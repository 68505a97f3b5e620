"""Layout stage: an `Analysis` becomes a `Scene` of measured primitives that backends draw.

The closed sets of figure options live here, so the CLI can offer them without loading
any layout code.
"""

STYLES = ("blocks", "flat", "graph")
DIRECTIONS = ("TB", "LR")
ANNOTATIONS = ("size", "formulas", "params", "macs", "rf")
DEFAULT_ANNOTATIONS = ("size", "formulas", "params")
BLOCK_SCALES = ("log", "sqrt", "linear")
LAYOUTS = ("row", "u")
