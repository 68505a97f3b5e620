"""Properties that must hold for any spec: checked with hypothesis on random networks and text."""

from __future__ import annotations

import json
import math

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cnndiagram.engine.analysis import analyze
from cnndiagram.engine.formulas import evaluate
from cnndiagram.engine.windows import transposed_expr, transposed_size, window_expr, window_size
from cnndiagram.errors import CnnDiagramError, ShapeError
from cnndiagram.ir import BlockKind, block_structure, display_shape, stored_shape
from cnndiagram.spec.format import format_network
from cnndiagram.spec.load import SpecFormat, load_spec

from strategies import BlockSpec, block_spec, dag_spec_text, def_spec_text, spec_text, to_toml

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def analyse(text: str):  # type: ignore[no-untyped-def]
    try:
        return analyze(load_spec(text, expr=True))
    except ShapeError:
        assume(False)
        raise


@SETTINGS
@given(spec_text())
def test_formulas_evaluate_to_their_results(text: str) -> None:
    analysis = analyse(text)
    for result in analysis.layers:
        formulas = analysis.formulas(result)
        for formula in formulas.output:
            assert evaluate(formula.expr) == formula.result
            expression, stated = str(formula).split(": ")[-1].rsplit(" = ", 1)
            assert eval(expression, {"floor": math.floor, "ceil": math.ceil}) == int(stated)
        # spatial axes by their labels; `C` (chunk) states the channels
        labelled = [f.result for f in formulas.output if f.label and f.label != "C"]
        channels = [f.result for f in formulas.output if f.label == "C"]
        assert channels in ([], [result.output_shape[0]])
        if labelled:
            assert labelled == list(result.output_shape[1:])
        if formulas.params is not None:
            assert formulas.params.result == result.params
            assert eval(str(formulas.params).rsplit(" = ", 1)[0]) == result.params
        else:
            assert result.params == 0


@SETTINGS
@given(spec_text())
def test_totals_and_chaining(text: str) -> None:
    analysis = analyse(text)
    assert analysis.total_params == sum(r.params for r in analysis.layers)
    assert analysis.total_params == analysis.trainable_params + analysis.non_trainable_params
    assert analysis.total_formula().result == analysis.total_params
    for before, after in zip(analysis.layers, analysis.layers[1:]):
        assert after.input_shape == before.output_shape
    for result in analysis.layers:
        assert all(d >= 1 for d in result.output_shape)


@SETTINGS
@given(spec_text())
def test_format_round_trips(text: str) -> None:
    network = load_spec(text, expr=True)
    canonical = format_network(network)
    again = load_spec(canonical, expr=True)
    assert again == network
    assert block_structure(again) == block_structure(network)
    assert format_network(again) == canonical


@given(st.lists(st.integers(1, 9), min_size=1, max_size=4).map(tuple), st.booleans())
def test_channels_last_order_round_trips(shape: tuple[int, ...], channels_last: bool) -> None:
    shown = display_shape(shape, channels_last)
    assert stored_shape(shown, channels_last) == shape
    # the channel axis is stored first and shown last, unless there is nothing to move
    assert shown[-1 if channels_last and len(shape) > 1 else 0] == shape[0]
    assert sorted(shown) == sorted(shape)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_arbitrary_text_gives_a_network_or_a_located_error(text: str) -> None:
    try:
        analyze(load_spec("input(3x16x16)\n" + text, expr=True))
    except CnnDiagramError as error:
        assert error.message
        assert "\n" not in error.message
        error.format()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="()[],:;=->x0123456789 abcdefinputconvrelu\n\"'#._", max_size=60))
def test_spec_like_text_never_crashes(text: str) -> None:
    for fmt in ("dsl", "yaml", "json", "toml"):
        try:
            analyze(load_spec(text, expr=True, fmt=fmt))  # type: ignore[arg-type]
        except CnnDiagramError as error:
            error.format()


@settings(max_examples=400, deadline=None)
@given(
    n=st.integers(1, 30),
    k=st.integers(1, 7),
    s=st.integers(1, 4),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
    ceil=st.booleans(),
)
def test_window_size_equals_brute_force_count(
    n: int, k: int, s: int, p: int, d: int, ceil: bool
) -> None:
    extent = d * (k - 1) + 1
    padded = n + 2 * p
    if ceil:
        # PyTorch's ceil mode: a window may overhang the right edge by less than a stride, but
        # no window may start inside the right padding (pooling requires pad <= k/2).
        assume(p <= k // 2 and padded >= extent)
        starts = [x for x in range(0, padded + s, s) if x <= padded - extent + s - 1 and x < n + p]
        assert window_size(n, k, s, p, d, ceil=True) == len(starts)
    else:
        expected = len([x for x in range(0, padded) if x % s == 0 and x + extent <= padded])
        assume(expected >= 1)
        assert window_size(n, k, s, p, d) == expected
    assert evaluate(window_expr(n, k, s, p, d, ceil)) == window_size(n, k, s, p, d, ceil)
    same = window_size(n, k, s, "same", d)
    assert same == math.ceil(n / s)
    assert evaluate(window_expr(n, k, s, "same", d)) == same


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 20),
    k=st.integers(1, 6),
    s=st.integers(1, 4),
    p=st.integers(0, 2),
    op=st.integers(0, 2),
    d=st.integers(1, 3),
)
def test_transposed_size_scatter_count(n: int, k: int, s: int, p: int, op: int, d: int) -> None:
    # Scatter every input position's kernel onto a line, then trim the padding.
    full = (n - 1) * s + d * (k - 1) + 1 + op
    assert transposed_size(n, k, s, p, op, d) == full - 2 * p
    assert evaluate(transposed_expr(n, k, s, p, op, d)) == transposed_size(n, k, s, p, op, d)


@SETTINGS
@given(dag_spec_text())
def test_branching_specs_round_trip_and_chain(text: str) -> None:
    network = load_spec(text, expr=True)
    canonical = format_network(network)
    again = load_spec(canonical, expr=True)
    assert again == network
    assert block_structure(again) == block_structure(network)
    try:
        analysis = analyze(network)
    except ShapeError:
        assume(False)
        return
    shapes = {r.name: r.output_shape for r in analysis.layers}
    for result in analysis.layers[1:]:
        assert result.input_shapes == tuple(shapes[name] for name in result.inputs)
        for formula in analysis.formulas(result).output:
            assert evaluate(formula.expr) == formula.result
    assert analysis.total_params == sum(r.params for r in analysis.layers)


@SETTINGS
@given(block_spec())
def test_blocks_round_trip_through_fmt(spec: BlockSpec) -> None:
    network = load_spec(spec.dsl, expr=True)
    canonical = format_network(network)
    again = load_spec(canonical, expr=True)
    assert again == network
    assert block_structure(again) == block_structure(network), canonical
    assert format_network(again) == canonical


@SETTINGS
@given(block_spec())
def test_structured_formats_build_the_same_block_tree(spec: BlockSpec) -> None:
    network = load_spec(spec.dsl, expr=True)
    texts: dict[SpecFormat, str] = {
        "json": json.dumps(spec.data),
        "yaml": yaml.safe_dump(spec.data, sort_keys=False),
        "toml": to_toml(spec.data),
    }
    for fmt, text in texts.items():
        other = load_spec(text, expr=True, fmt=fmt)
        assert other == network, fmt
        assert block_structure(other) == block_structure(network), fmt


def test_resnet50_is_written_in_well_under_60_lines() -> None:
    from conftest import SAMPLES

    lines = [
        line
        for line in (SAMPLES / "resnet50.cnn").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(lines) < 45


@SETTINGS
@given(def_spec_text())
def test_definitions_and_calls_round_trip(text: str) -> None:
    network = load_spec(text, expr=True)
    canonical = format_network(network)
    assert canonical.count("def ") == 2
    again = load_spec(canonical, expr=True)
    assert again == network
    assert block_structure(again) == block_structure(network)
    assert format_network(again) == canonical
    calls = {
        block
        for layer in network.layers
        if layer.block is not None
        for block in layer.block.path()
        if block.kind is BlockKind.CALL
    }
    assert calls and all(block.definition in ("unit", "pair") for block in calls)
