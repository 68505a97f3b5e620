"""The escaping module's examples are its specification: run them as tests."""

from __future__ import annotations

import doctest

from cnndiagram import escape


def test_escape_examples_hold() -> None:
    result = doctest.testmod(escape)
    assert result.attempted == 3
    assert result.failed == 0
