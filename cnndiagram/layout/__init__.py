"""Layout stage: an `Analysis` becomes a `Scene` of measured primitives that backends draw."""
