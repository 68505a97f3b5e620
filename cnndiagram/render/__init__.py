"""Render stage: backends that draw a `Scene` (SVG, PNG) and know nothing of networks."""
