"""Batch stage: many specs in one command, above the figure API (`cnndiagram.diagram`).

`names` picks each spec's output name in OUTDIR, `stamp` decides what is up to date,
`run` renders (in this process or in worker processes) and `summary` joins the reports
of several specs into one document.
"""
