"""Names of the units of a figure or table at `blocks` and `stages`: generated names say what
a unit is, and never take a name the user gave to another unit."""

from __future__ import annotations

from cnndiagram.engine.analysis import analyze
from cnndiagram.loading import load_network
from cnndiagram.options import Detail
from cnndiagram.units import units

SPEC = """
def bnr(c) { conv(c, 3, pad=1, nobias) -> N -> relu }
input(3x32x32)
bnr(16) -> bnr(16) -> maxpool(2)
bnr(32) -> bnr(32) -> maxpool(2)
head: conv(64, 1)
flatten -> dense(10)
"""


def test_unnamed_calls_are_named_by_their_definition() -> None:
    names = [unit.name for unit in units(analyze(load_network(SPEC, expr=True)), Detail.BLOCKS)]
    assert [name for name in names if name.startswith("bnr")] == [
        "bnr 1",
        "bnr 2",
        "bnr 3",
        "bnr 4",
    ]
    assert not any(name.startswith("call") for name in names)


def test_a_generated_head_never_takes_a_name_the_user_gave() -> None:
    names = [unit.name for unit in units(analyze(load_network(SPEC, expr=True)), Detail.STAGES)]
    assert names.count("head") == 1, names
