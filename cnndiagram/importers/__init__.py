"""Importers: model definitions in other tools' formats, read into the network IR.

Each importer makes layers through `cnndiagram.spec.build.build_layer`, so a layer it
reads is checked exactly like spec text, and every number comes from the engine. None of
them runs the file it reads.
"""
