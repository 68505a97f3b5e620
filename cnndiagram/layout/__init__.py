"""Layout stage: an `Analysis` becomes a `Scene` of measured primitives that backends draw.

Its options are declared in `cnndiagram.options`, so the CLI can offer them without loading
any layout code.
"""
