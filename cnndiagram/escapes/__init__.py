"""Escaping, shared by every output stage: one small module of pure functions per syntax.

`terminal` (control characters as visible escapes), `markdown` (CommonMark/GFM text and code
spans), `csv` (spreadsheet formula injection), `latex` (text mode) and `json` (the controls
`json.dumps` leaves raw). They import nothing else from cnndiagram, so layout, render and
report may all use them without crossing a stage.
"""
