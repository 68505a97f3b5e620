"""Spec stage: blocks, references and merges expanded into a network of named layers.

`residual { body } [shortcut { proj }]` becomes the body, the (projection) shortcut and an
`add` of the two; `parallel(concat) { a | b }` becomes the branches and a merge;
`repeat(n) { body }` becomes n copies, whose explicit names get `.1`, `.2`... A
statement reads the previous one unless `@name` says otherwise; a merge reads the layers
it names. References can only point upwards, so the result has no cycles; a layer whose
output nobody reads (a branch that does not reach the output) is an error.
"""

from __future__ import annotations

from cnndiagram.catalog import BLOCKS, MERGES, lookup_kind
from cnndiagram.errors import LimitError, SpecError
from cnndiagram.ir import ArgValue, Block, BlockKind, Input, Layer, Network, stored_shape
from cnndiagram.source import Span
from cnndiagram.spec.raw import RawBlock, RawItem, RawRef, RawSpec, RawStatement
from cnndiagram.spec.validate import Validator, suggest

#: Where expanded layers go: the innermost block (None at the top level) and which of its
#: bodies (`Layer.part`; None for the layers the block adds itself).
_Place = tuple[Block | None, int | None]
_TOP: _Place = (None, None)


class _Proto:
    """A layer before it has its final name."""

    __slots__ = ("args", "block", "explicit", "inputs", "kind", "name_span", "part", "span")

    def __init__(
        self,
        kind: str,
        args: tuple[tuple[str, ArgValue], ...],
        explicit: str | None,
        name_span: Span | None,
        inputs: list[int],
        place: _Place,
        span: Span,
    ) -> None:
        self.kind, self.args, self.explicit, self.name_span = kind, args, explicit, name_span
        self.inputs, self.span = inputs, span
        self.block, self.part = place


class _Expander:
    def __init__(self, validator: Validator) -> None:
        self.check = validator
        self.source = validator.source
        self.limits = validator.limits
        self.protos: list[_Proto] = []
        self.scopes: list[dict[str, int]] = [{}]
        self.full_names: dict[str, int] = {}
        self.block_counts: dict[str, int] = {}
        self.declared: dict[str, Span] = {}

    def error(self, message: str, span: Span | None, hint: str | None = None) -> SpecError:
        return SpecError(message, source=self.source, span=span, hint=hint)

    # -- the whole spec --------------------------------------------------------------------------

    def network(self, raw: RawSpec) -> Network:
        items = raw.statements
        if not items:
            raise self.error(
                "the spec has no layers; it must start with an input such as input(1x28x28)",
                Span(0, 0),
            )
        first = items[0]
        if not isinstance(first, RawStatement) or self.check.kind(first).name != "input":
            kind = first.kind if isinstance(first, (RawStatement, RawBlock)) else "@" + first.name
            span = first.kind_span if isinstance(first, (RawStatement, RawBlock)) else first.span
            raise self.error(
                f"the spec must start with an input such as input(1x28x28), found '{kind}'", span
            )
        input_args = dict(self.check.args(first, self.check.kind(first)))
        self.declared = _declared(items)
        # The input is always reachable by its name, `input` unless the spec names it.
        self.add(_Proto("input", (), first.name or "input", first.name_span, [], _TOP, first.span))
        self.check_budget(items[1:])
        last = self.run(items[1:], 0, _TOP, "")
        names = self.names()
        self.check_used(names, last)
        shape = input_args["shape"]
        assert isinstance(shape, tuple)
        channels_last = bool(input_args["channels_last"])
        dims = stored_shape(tuple(int(dim) for dim in shape if isinstance(dim, int)), channels_last)
        layers = tuple(
            Layer(
                names[i],
                proto.kind,
                proto.args,
                proto.span,
                tuple(names[j] for j in proto.inputs),
                proto.block,
                proto.part,
            )
            for i, proto in enumerate(self.protos)
            if i
        )
        network_input = Input(dims, names[0], first.span)
        return Network(network_input, layers, raw.title, channels_last, self.source)

    # -- budget ----------------------------------------------------------------------------------

    def check_budget(self, items: tuple[RawItem, ...]) -> None:
        """Refuses, before any work, a spec whose expansion would take more steps than the
        layer limit allows: every statement, `@` reference and repeat iteration is a step,
        so nested or empty `repeat` bodies cannot run for ever without making a layer."""
        limit = self.limits.max_layers
        over = _over_budget(items, limit)
        if over is not None:
            raise LimitError(
                f"expanding the spec takes more than {limit:,} steps "
                "(one per layer, @ reference and repeat iteration)",
                source=self.source,
                span=over,
                hint="raise the limit with --max-layers",
            )

    # -- items -----------------------------------------------------------------------------------

    def run(self, items: tuple[RawItem, ...], current: int, place: _Place, suffix: str) -> int:
        """Expands `items` reading from `current`; returns the index of the last layer."""
        for item in items:
            if isinstance(item, RawRef):
                current = self.lookup(item.name, item.span)
            elif isinstance(item, RawBlock):
                current = self.block(item, current, place, suffix)
            else:
                current = self.statement(item, current, place, suffix)
        return current

    def statement(self, statement: RawStatement, current: int, place: _Place, suffix: str) -> int:
        kind = self.check.kind(statement)
        if kind.name == "input":
            raise self.error(
                "only one input is allowed, and it must come first", statement.kind_span
            )
        inputs = [current]
        if kind.name in MERGES:
            refs = [arg for arg in statement.args if arg.key is None]
            if len(refs) < 2:
                raise self.error(
                    f"{kind.name} needs the names of at least two layers, e.g. {kind.name}(a, b)",
                    statement.span,
                )
            inputs = []
            for ref in refs:
                if ref.value.kind not in ("word", "string"):
                    raise self.error(
                        f"{kind.name} takes layer names, not {ref.value.describe()}",
                        ref.value.span,
                    )
                inputs.append(self.lookup(str(ref.value.value), ref.value.span))
            statement = statement._replace(args=tuple(a for a in statement.args if a.key))
        args = self.check.args(statement, kind)
        explicit = statement.name + suffix if statement.name is not None else None
        return self.add(
            _Proto(kind.name, args, explicit, statement.name_span, inputs, place, statement.span),
            statement.name,
        )

    def block(self, block: RawBlock, current: int, place: _Place, suffix: str) -> int:
        kind = BLOCKS[block.kind]
        head = RawStatement(
            block.kind, block.kind_span, block.name, block.name_span, block.args, block.span
        )
        args = dict(self.check.args(head, kind))
        count = self.block_counts[block.kind] = self.block_counts.get(block.kind, 0) + 1
        # An empty block name (`name: ""` in YAML) is no name: figures label the block by its id.
        name = (block.name + suffix) if block.name else None
        outer, part = place[0], place[1] or 0
        block_id = f"{block.kind}{count}"
        if block.kind == "repeat":
            times = int(args["n"])  # type: ignore[arg-type]
            for i in range(1, times + 1):
                iteration = Block(BlockKind.REPEAT, name, block_id, outer, part, i, times)
                self.scopes.append({})
                current = self.run(block.bodies[0], current, (iteration, 0), f"{suffix}.{i}")
                self.scopes.pop()
            return current
        node = Block(BlockKind(block.kind), name, block_id, outer, part)
        inner: _Place = (node, None)
        if block.kind == "residual":
            body = self.run(block.bodies[0], current, (node, 0), suffix)
            if body == current:
                raise self.error(
                    "a residual block needs at least one layer in its body", block.kind_span
                )
            short = current
            if block.shortcut is not None:
                short = self.run(block.shortcut, current, (node, 1), suffix)
            merged = self.merge("add", (), block, [body, short], inner, suffix)
            act = args["act"]
            if act != "linear":
                act_kind = lookup_kind(str(act))
                assert act_kind is not None
                act_args = self.check.args(
                    RawStatement(str(act), block.kind_span, None, None, (), block.span), act_kind
                )
                merged = self.add(
                    _Proto(act_kind.name, act_args, None, None, [merged], inner, block.span)
                )
            return merged
        if len(block.bodies) < 2:
            raise self.error(
                "parallel needs at least two branches separated by '|'", block.kind_span
            )
        outs = [
            self.run(branch, current, (node, k), suffix) for k, branch in enumerate(block.bodies)
        ]
        merge = str(args["merge"])
        merge_args: tuple[tuple[str, ArgValue], ...] = (
            (("axis", "channels"),) if merge == "concat" else ()
        )
        return self.merge(merge, merge_args, block, outs, inner, suffix)

    def merge(
        self,
        kind: str,
        args: tuple[tuple[str, ArgValue], ...],
        block: RawBlock,
        inputs: list[int],
        place: _Place,
        suffix: str,
    ) -> int:
        explicit = block.name + suffix if block.name is not None else None
        return self.add(
            _Proto(kind, args, explicit, block.name_span, inputs, place, block.span), block.name
        )

    # -- names -----------------------------------------------------------------------------------

    def add(self, proto: _Proto, local: str | None = None) -> int:
        if len(self.protos) > self.limits.max_layers:
            raise LimitError(
                f"the spec expands to more than {self.limits.max_layers:,} layers",
                source=self.source,
                span=proto.span,
                hint="raise the limit with --max-layers",
            )
        index = len(self.protos)
        if proto.explicit is not None:
            if not proto.explicit.strip():
                raise self.error("a layer name cannot be empty", proto.name_span)
            if proto.explicit in self.full_names:
                first = self.protos[self.full_names[proto.explicit]]
                line = self.source.line_col(first.span.start)[0]
                raise self.error(
                    f"duplicate layer name '{proto.explicit}' (first used on line {line})",
                    proto.name_span,
                )
            self.full_names[proto.explicit] = index
            self.scopes[-1][local or proto.explicit] = index
        self.protos.append(proto)
        return index

    def lookup(self, name: str, span: Span) -> int:
        found = self.find(name)
        # YAML/JSON `inputs` may write a reference as in the DSL (`@a`); a layer whose own
        # name starts with '@' is found first, by that exact name.
        if found is None and name.startswith("@") and len(name) > 1:
            found = self.find(name[1:])
            name = name[1:] if found is not None else name
        if found is not None:
            return found
        if name in self.declared:
            line = self.source.line_col(self.declared[name].start)[0]
            raise self.error(
                f"'{name}' is defined below, on line {line}; a layer can read only layers "
                "defined above it",
                span,
            )
        known = list(self.full_names)
        raise self.error(
            f"unknown layer name '{name}'{suggest(name, known)}",
            span,
            hint="a layer can read only named layers defined above it",
        )

    def find(self, name: str) -> int | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return self.full_names.get(name)

    def names(self) -> list[str]:
        """Explicit names as given; the others `<kind><n>` (`input`, `output` bare when single)."""
        taken = set(self.full_names)
        totals: dict[str, int] = {}
        for proto in self.protos:
            totals[proto.kind] = totals.get(proto.kind, 0) + 1
        counters: dict[str, int] = {}
        names = []
        for proto in self.protos:
            if proto.explicit is not None:
                names.append(proto.explicit)
                continue
            candidate = (
                proto.kind if proto.kind in ("input", "output") and totals[proto.kind] == 1 else ""
            )
            while not candidate or candidate in taken:
                counters[proto.kind] = counters.get(proto.kind, 0) + 1
                candidate = f"{proto.kind}{counters[proto.kind]}"
            taken.add(candidate)
            names.append(candidate)
        return names

    def check_used(self, names: list[str], last: int) -> None:
        if last != len(self.protos) - 1:
            proto = self.protos[-1]
            raise self.error(
                f"'{names[-1]}' is never used: the spec ends by naming '{names[last]}', so "
                f"no layer reads '{names[-1]}'",
                proto.span,
            )
        read = {i for proto in self.protos for i in proto.inputs}
        for index, proto in enumerate(self.protos[:-1]):
            if index not in read:
                raise self.error(
                    f"'{names[index]}' is never used: no layer reads its output, so it does not "
                    "reach the output (the last layer)",
                    proto.span,
                    hint="merge the branch with add(...) or concat(...), or remove it",
                )


def _declared(items: tuple[RawItem, ...]) -> dict[str, Span]:
    """Every name written in the spec (blocks included), to tell a forward reference from a typo."""
    out: dict[str, Span] = {}
    for item in items:
        if isinstance(item, RawRef):
            continue
        if item.name is not None and item.name_span is not None:
            out.setdefault(item.name, item.name_span)
        if isinstance(item, RawBlock):
            for body in (*item.bodies, item.shortcut or ()):
                for name, span in _declared(body).items():
                    out.setdefault(name, span)
    return out


def _repeat_count(block: RawBlock) -> int:
    """The count a `repeat` asks for, as written (validation proper happens on expansion)."""
    for arg in block.args:
        if arg.key in (None, "n") and arg.value.kind == "int" and isinstance(arg.value.value, int):
            return max(arg.value.value, 1)
    return 1


def _over_budget(items: tuple[RawItem, ...], limit: int) -> Span | None:
    """Where the expansion of `items` passes `limit` steps, or None when it stays within.
    Counting stops as soon as the limit is passed, so huge counts cost nothing."""

    def cost(body: tuple[RawItem, ...]) -> tuple[int, Span | None]:
        total = 0
        for item in body:
            if isinstance(item, RawBlock):
                inner = 0
                for part in (*item.bodies, item.shortcut or ()):
                    steps, where = cost(part)
                    if where is not None:
                        return limit + 1, where
                    inner += steps
                if item.kind == "repeat":
                    inner = max(inner, 1) * _repeat_count(item)
                total += inner + 2
                if total > limit:
                    return total, item.kind_span
            else:
                total += 1
                if total > limit:
                    return total, item.span
        return total, None

    return cost(items)[1]


def expand(raw: RawSpec, validator: Validator) -> Network:
    return _Expander(validator).network(raw)
