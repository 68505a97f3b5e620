"""Escaping and number formatting, shared by every output stage: one small module of pure
functions per syntax.

`xml` (SVG, HTML-like labels, Office XML), `number` (the one number formatter of the
drawing formats), `terminal` (control characters as visible escapes), `markdown`
(CommonMark/GFM text and code spans), `csv` (spreadsheet formula injection), `latex` (text
mode) and `json` (the controls `json.dumps` leaves raw). They import nothing else from
cnndiagram, so layout, render and report may all use them without crossing a stage.
"""
