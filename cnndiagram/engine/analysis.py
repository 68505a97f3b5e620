"""Engine stage: walks the network once, applying each layer's rules, and keeps the results.

Counts come in three kinds, kept apart because papers, PyTorch and Keras each quote a
different sum: learned and trained (`trainable`), learned but frozen, and running
statistics, which are never learned (BatchNorm's mean and variance, PyTorch's buffers).
`trainable` and `non_trainable` are Keras' split (frozen and running both non-trainable);
`learnable` is PyTorch's `parameters()` (trained and frozen), the count papers quote.

`analyze` computes numbers only (shapes, parameters, MACs, receptive fields), which
is what large networks and the benchmarks need; formulas are built on request by
`Analysis.formulas`, from the same rules.
"""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING, NamedTuple

from cnndiagram.engine.formulas import Formula, sum_formula
from cnndiagram.engine.ops import op_for
from cnndiagram.engine.registry import Ctx, Formulas, RuleError
from cnndiagram.errors import LimitError, ShapeError
from cnndiagram.ir import BlockKind, Layer, Network
from cnndiagram.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from fractions import Fraction


class ReceptiveField(NamedTuple):
    """Per spatial axis: how many input positions one output value sees, and the step between
    neighbouring outputs measured in input positions (a fraction after upsampling)."""

    size: tuple[int, ...]
    jump: tuple[int | Fraction, ...]


class LayerResult(NamedTuple):
    """One statement's numbers. `layer` is None for the input. `running` is the part of
    `non_trainable` that is running statistics; the rest of it is frozen learnable weights."""

    number: int
    name: str
    kind: str
    layer: Layer | None
    input_shape: tuple[int, ...] | None
    output_shape: tuple[int, ...]
    trainable: int
    non_trainable: int
    macs: int
    receptive_field: ReceptiveField | None
    #: Names of the layers read, and their shapes (several for a merge; none for the input).
    inputs: tuple[str, ...] = ()
    input_shapes: tuple[tuple[int, ...], ...] = ()
    running: int = 0

    @property
    def params(self) -> int:
        """Every stored number: learnable parameters and running statistics."""
        return self.trainable + self.non_trainable

    @property
    def learnable(self) -> int:
        """What PyTorch's `parameters()` counts: trained and frozen weights."""
        return self.params - self.running

    @property
    def frozen(self) -> int:
        """Learnable weights that training leaves as they are (`frozen`, `trainable=false`)."""
        return self.non_trainable - self.running

    @property
    def activations(self) -> int:
        """Values in the output tensor (per sample)."""
        return prod(self.output_shape)


class Analysis(NamedTuple):
    network: Network
    layers: tuple[LayerResult, ...]

    @property
    def total_params(self) -> int:
        return sum(result.params for result in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(result.trainable for result in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(result.non_trainable for result in self.layers)

    @property
    def learnable_params(self) -> int:
        """The count papers quote and PyTorch's `parameters()` gives."""
        return sum(result.learnable for result in self.layers)

    @property
    def frozen_params(self) -> int:
        return sum(result.frozen for result in self.layers)

    @property
    def running_params(self) -> int:
        """Running statistics (BatchNorm's mean and variance): stored, never learned."""
        return sum(result.running for result in self.layers)

    @property
    def total_macs(self) -> int:
        return sum(result.macs for result in self.layers)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.layers[0].output_shape

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.layers[-1].output_shape

    def formulas(self, result: LayerResult) -> Formulas:
        """Output-size and parameter formulas of one layer, built from its rules on request."""
        if result.layer is None or result.input_shape is None:
            return Formulas()
        ctx = Ctx(result.layer, result.input_shape, self.network.channels_last, result.input_shapes)
        return op_for(result.kind).formulas(ctx, result.output_shape)

    def result(self, name: str) -> LayerResult:
        for result in self.layers:
            if result.name == name:
                return result
        raise KeyError(name)

    def total_formula(self) -> Formula:
        """`832 + 9248 + 205056 + 2570 = 217706`: every stored number, running statistics too."""
        return sum_formula([result.params for result in self.layers])

    def learnable_formula(self) -> Formula:
        """The learnable parameters as the sum of the layers' counts."""
        return sum_formula([result.learnable for result in self.layers])

    # Jupyter looks its display methods up on the object itself. They hand the analysis to
    # the notebook writer of the report stage, imported when a notebook asks; the one import
    # from this stage upwards, allowed by name in the import-linter contract.
    def _repr_html_(self) -> str:
        """The summary table as HTML, folded by block for large networks."""
        from cnndiagram.notebook import analysis_html

        return analysis_html(self)

    def _repr_markdown_(self) -> str:
        """The summary table as Markdown."""
        from cnndiagram.notebook import analysis_markdown

        return analysis_markdown(self)


def analyze(network: Network, limits: Limits = DEFAULT_LIMITS) -> Analysis:
    """Shapes, parameter counts, MACs and receptive fields of every layer, in order.

    Raises `ShapeError` (located at the layer's statement) when a layer cannot take its input.
    """
    shape = network.input.shape
    rank = len(shape) - 1
    rf: ReceptiveField | None = ReceptiveField((1,) * rank, (1,) * rank) if rank else None
    results = [LayerResult(0, network.input.name, "input", None, None, shape, 0, 0, 0, rf)]
    channels_last = network.channels_last
    max_dim = limits.max_dim
    shapes = {network.input.name: shape}
    fields = {network.input.name: rf}
    previous = network.input.name
    for index, layer in enumerate(network.layers, start=1):
        op = op_for(layer.kind)
        names = layer.inputs or (previous,)
        in_shapes = tuple(shapes[name] for name in names)
        shape = in_shapes[0]
        ctx = Ctx(layer, shape, channels_last, in_shapes)
        rf = fields[names[0]] if len(names) == 1 else _merge_rf([fields[n] for n in names])
        try:
            out = op.shape(ctx)
            # Rules return (learned, running statistics).
            trainable, running = op.params(ctx, out)
            macs = op.macs(ctx, out)
            step = op.rf(ctx, out) if rf is not None else None
        except RuleError as error:
            raise ShapeError(
                f"{layer.name}: {error}{_defined_in(layer, network)}",
                source=network.source,
                span=layer.span,
            ) from None
        for dim in out:
            if dim > max_dim:
                shown = "x".join(map(str, out))
                raise LimitError(
                    f"{layer.name}: output {shown} has a dimension of {dim:,}, over the limit "
                    f"of {max_dim:,}",
                    source=network.source,
                    span=layer.span,
                    hint="raise the limit with --max-dim",
                )
        frozen = trainable if ctx.args.get("trainable") is False else 0
        trainable -= frozen
        if step is None:
            rf = None
        elif step and rf is not None:
            rf = _grow(rf, step)
        results.append(
            LayerResult(
                index,
                layer.name,
                layer.kind,
                layer,
                shape,
                out,
                trainable,
                frozen + running,
                macs,
                rf,
                names,
                in_shapes,
                running,
            )
        )
        shapes[layer.name] = out
        fields[layer.name] = rf
        previous = layer.name
    return Analysis(network, tuple(results))


def _defined_in(layer: Layer, network: Network) -> str:
    """Where a layer made by a call of a defined block comes from: its span is the call's,
    so the message names each definition, innermost first, with its line."""
    lines = {definition.name: definition.line for definition in network.definitions}
    notes = []
    block = layer.block
    while block is not None:
        if block.kind is BlockKind.CALL and block.definition in lines:
            notes.append(
                f" (in block '{block.definition}' defined at line {lines[block.definition]})"
            )
        block = block.parent
    return "".join(notes)


def _merge_rf(fields: list[ReceptiveField | None]) -> ReceptiveField | None:
    """A merge sees what its widest input sees."""
    if any(field is None for field in fields):
        return None
    known = [field for field in fields if field is not None]
    if len({len(field.size) for field in known}) != 1:
        return None
    sizes = tuple(max(sizes) for sizes in zip(*(field.size for field in known)))
    jumps = tuple(max(jumps) for jumps in zip(*(field.jump for field in known)))
    return ReceptiveField(sizes, jumps)


def _grow(rf: ReceptiveField, step: tuple[tuple[int, int | Fraction], ...]) -> ReceptiveField:
    # size_out = size_in + (window - 1)*jump_in; jump_out = jump_in*multiplier
    sizes = []
    jumps = []
    for size, jump, (window, multiplier) in zip(rf.size, rf.jump, step):
        grown = size + (window - 1) * jump
        sizes.append(grown if isinstance(grown, int) else -(-grown.numerator // grown.denominator))
        jumps.append(jump * multiplier)
    return ReceptiveField(tuple(sizes), tuple(jumps))
