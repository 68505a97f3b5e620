"""Spec stage: reading spec text (compact DSL or YAML/TOML/JSON) into the network IR."""
