"""Spec stage: blocks, references and merges expanded into a network of named layers.

`residual { body } [shortcut { proj }]` becomes the body, the (projection) shortcut and an
`add` of the two; `parallel(concat) { a | b }` becomes the branches and a merge;
`repeat(n) { body }` becomes n copies, whose explicit names get `.1`, `.2`... A call of
a block the spec defines (`b: name(args)`) becomes its body with the arguments in place of
the parameters; a name at the call names the body's last layer and prefixes the others
(`b.conv1`). A name on a block prefixes its layers the same way: `s.conv1` in
`s: residual {...}` (whose merge is `s`), `layer1.0.conv1` in the first iteration of
`layer1: repeat(n) {...}` (counted from 0, as PyTorch names `layer1.0.conv1`; `@layer1`
reads the last iteration's output). A statement reads the previous one unless `@name` says
otherwise; a merge reads the layers it names. References can only point upwards, so the
result has no cycles; a layer whose output nobody reads (a branch that does not reach the
output) is an error.
"""

from __future__ import annotations

from cnndiagram.catalog import ACTIVATIONS, BLOCKS, KINDS, MERGES, kind_words, lookup_kind
from cnndiagram.errors import LimitError, SpecError
from cnndiagram.ir import (
    ArgValue,
    Block,
    BlockKind,
    Definition,
    Input,
    Layer,
    Network,
    stored_shape,
)
from cnndiagram.source import Span
from cnndiagram.spec.raw import (
    RawArg,
    RawBlock,
    RawDef,
    RawItem,
    RawRef,
    RawSpec,
    RawStatement,
    RawValue,
)
from cnndiagram.spec.validate import Validator, suggest

#: Words a block or a parameter may not be called: the language's own.
_RESERVED = frozenset({"def", "input", "title", "shortcut", "true", "false", "null"})

#: Where expanded layers go: the innermost block (None at the top level) and which of its
#: bodies (`Layer.part`; None for the layers the block adds itself).
_Place = tuple[Block | None, int | None]
_TOP: _Place = (None, None)


class _Proto:
    """A layer before it has its final name."""

    __slots__ = (
        "args",
        "block",
        "explicit",
        "inputs",
        "kind",
        "name_span",
        "part",
        "prefix",
        "span",
    )

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
        #: The names of the labelled calls and named blocks it was made in (`b.`,
        #: `layer1.0.`): automatic names count apart under each.
        self.prefix = ""


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
        self.defs: dict[str, RawDef] = {}
        self.calling: list[str] = []
        self.prefix = ""
        #: The outermost call being expanded: its layers are located there.
        self.call_site: Span | None = None

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
        definitions = tuple(self.define(item) for item in raw.defs)
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
        return Network(network_input, layers, raw.title, channels_last, self.source, definitions)

    # -- user-defined blocks ---------------------------------------------------------------------

    def define(self, definition: RawDef) -> Definition:
        """Checks a `def` and records it: its name must be new, and no parameter may be
        called as a kind, a flag or an activation is, since inside the body a word would
        then mean two things."""
        name = definition.name
        if lookup_kind(name) is not None or name in BLOCKS or name.lower() in _RESERVED:
            raise self.error(
                f"'{name}' is a word of the language (a layer kind or a block); a defined "
                "block needs a name of its own",
                definition.name_span,
            )
        if name in self.defs:
            line = self.source.line_col(self.defs[name].span.start)[0]
            raise self.error(
                f"block '{name}' is defined twice (first on line {line})", definition.name_span
            )
        seen: set[str] = set()
        for param in definition.params:
            what = _word_meaning(param.name)
            if what is not None:
                raise self.error(
                    f"parameter '{param.name}' of block '{name}' has the name of {what}",
                    param.span,
                    hint="give the parameter another name",
                )
            if param.name in seen:
                raise self.error(
                    f"parameter '{param.name}' of block '{name}' is given twice", param.span
                )
            seen.add(param.name)
        self.defs[name] = definition
        line = self.source.line_col(definition.span.start)[0]
        params = tuple(
            (param.name, None if param.default is None else _plain(param.default))
            for param in definition.params
        )
        return Definition(name, params, definition.text, line)

    def bind(self, definition: RawDef, call: RawStatement) -> dict[str, RawValue]:
        """The call's arguments by parameter: positional ones first, then keywords, then
        the defaults."""
        params = definition.params
        names = [param.name for param in params]
        bound: dict[str, RawValue] = {}
        spans: dict[str, Span] = {}
        keyword = False
        for arg in call.args:
            if arg.key is None:
                if keyword:
                    raise self.error(
                        "a positional argument cannot follow a keyword argument", arg.value.span
                    )
                if len(bound) >= len(params):
                    raise self.error(
                        f"block '{definition.name}' takes {len(params)} argument"
                        f"{'s' if len(params) != 1 else ''} ({', '.join(names)}); one more "
                        "was given",
                        arg.value.span,
                    )
                key = names[len(bound)]
            else:
                keyword = True
                key = arg.key
                if key not in names:
                    raise self.error(
                        f"unknown argument '{key}' for block '{definition.name}'"
                        f"{suggest(key, names)}",
                        arg.key_span,
                        hint=f"{definition.name} takes: {', '.join(names)}" if names else None,
                    )
                if key in bound:
                    line_col = self.source.line_col(spans[key].start)
                    raise self.error(
                        f"argument '{key}' of block '{definition.name}' is given twice "
                        f"(first at column {line_col[1]})",
                        arg.key_span,
                    )
            bound[key] = arg.value
            spans[key] = arg.value.span
        for param in params:
            if param.name not in bound:
                if param.default is None:
                    line = self.source.line_col(definition.span.start)[0]
                    raise self.error(
                        f"block '{definition.name}' needs its '{param.name}' argument "
                        f"(defined at line {line}: {definition.name}({', '.join(names)}))",
                        call.span,
                    )
                bound[param.name] = param.default
        return bound

    def call(self, call: RawStatement, current: int, place: _Place, suffix: str) -> int:
        definition = self.defs[call.kind]
        if definition.name in self.calling:
            chain = " -> ".join([*self.calling, definition.name])
            raise self.error(
                f"block '{definition.name}' calls itself ({chain}); blocks cannot recurse",
                call.kind_span,
            )
        bound = self.bind(definition, call)
        body = _substitute(definition.body, bound)
        over = _over_budget(body, self.limits.max_layers)
        if over is not None:
            raise LimitError(
                f"expanding block '{definition.name}' takes more than "
                f"{self.limits.max_layers:,} steps",
                source=self.source,
                span=call.span,
                hint="raise the limit with --max-layers",
            )
        count = self.block_counts[definition.name] = self.block_counts.get(definition.name, 0) + 1
        label = self.prefix + call.name + suffix if call.name else None
        node = Block(
            BlockKind.CALL,
            label,
            f"{definition.name}{count}",
            place[0],
            place[1] or 0,
            definition=definition.name,
            args=tuple((param.name, _plain(bound[param.name])) for param in definition.params),
        )
        saved = self.prefix, self.call_site
        if label is not None:
            self.prefix = label + "."
        if self.call_site is None:
            self.call_site = call.span
        self.scopes.append({})
        self.calling.append(definition.name)
        first = len(self.protos)
        try:
            last = self.run(body, current, (node, 0), "")
        except SpecError as error:
            line = self.source.line_col(definition.span.start)[0]
            raise type(error)(
                f"{error.message} (in block '{definition.name}' defined at line {line})",
                source=self.source,
                span=call.span,
                hint=error.hint,
            ) from None
        finally:
            self.calling.pop()
            self.scopes.pop()
            self.prefix, self.call_site = saved
        if last < first:
            raise self.error(
                f"block '{definition.name}' makes no layer here: its body only reads others",
                call.span,
            )
        if label is not None and call.name is not None:
            proto = self.protos[last]
            if label in self.full_names and self.full_names[label] != last:
                other = self.protos[self.full_names[label]]
                line = self.source.line_col(other.span.start)[0]
                raise self.error(
                    f"duplicate layer name '{label}' (first used on line {line})",
                    call.name_span,
                )
            if proto.explicit is None:
                proto.explicit, proto.name_span = label, call.name_span
            self.full_names[label] = last
            self.scopes[-1][call.name] = last
        return last

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
            elif item.kind in self.defs:
                current = self.call(item, current, place, suffix)
            else:
                current = self.statement(item, current, place, suffix)
        return current

    def statement(self, statement: RawStatement, current: int, place: _Place, suffix: str) -> int:
        if self.defs and lookup_kind(statement.kind) is None:
            words = [*kind_words(), *self.defs]
            raise self.error(
                f"unknown layer kind '{statement.kind}'{suggest(statement.kind, words)}",
                statement.kind_span,
                hint="`cnndiagram kinds` lists every layer kind; blocks defined here: "
                + ", ".join(self.defs),
            )
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
        explicit = self.prefix + statement.name + suffix if statement.name is not None else None
        proto = _Proto(
            kind.name, args, explicit, statement.name_span, inputs, place, statement.span
        )
        return self.add(proto, statement.name)

    def block(self, block: RawBlock, current: int, place: _Place, suffix: str) -> int:
        kind = BLOCKS[block.kind]
        head = RawStatement(
            block.kind, block.kind_span, block.name, block.name_span, block.args, block.span
        )
        args = dict(self.check.args(head, kind))
        count = self.block_counts[block.kind] = self.block_counts.get(block.kind, 0) + 1
        # An empty block name (`name: ""` in YAML) is no name: figures label the block by its id.
        label = (self.prefix + block.name + suffix) if block.name else None
        outer, part = place[0], place[1] or 0
        block_id = f"{block.kind}{count}"
        if block.kind == "repeat":
            times = int(args["n"])  # type: ignore[arg-type]
            return self.repeat(block, times, current, place, suffix, label)
        node = Block(BlockKind(block.kind), label, block_id, outer, part)
        saved, depth = self.prefix, len(self.scopes)
        if label is not None:
            # A named block prefixes its layers as a labelled call does (`s.conv1`), and
            # names written inside it are its own: `@x` inside reads its `x`.
            self.prefix = label + "."
            self.scopes.append({})
            suffix = ""
        try:
            return self.branches(block, args, node, current, suffix, label)
        finally:
            self.prefix = saved
            del self.scopes[depth:]  # left open by an error in the body

    def repeat(
        self,
        block: RawBlock,
        times: int,
        current: int,
        place: _Place,
        suffix: str,
        label: str | None,
    ) -> int:
        """The body `times` times in a row, each iteration a scope of its own. A named repeat
        prefixes every layer with its name and the iteration, counted from 0 as PyTorch's
        `layer1.0.conv1` is; an unnamed one gives the names written inside `.1`, `.2`... The
        name then reads the last iteration's output, as a call's name does."""
        count = self.block_counts["repeat"]
        saved = self.prefix
        for i in range(1, times + 1):
            iteration = Block(
                BlockKind.REPEAT, label, f"repeat{count}", place[0], place[1] or 0, i, times
            )
            self.scopes.append({})
            if label is not None:
                self.prefix = f"{label}.{i - 1}."
            try:
                current = self.run(
                    block.bodies[0],
                    current,
                    (iteration, 0),
                    "" if label is not None else f"{suffix}.{i}",
                )
            finally:
                self.scopes.pop()
                self.prefix = saved
        if label is not None and block.name is not None:
            if label in self.full_names:
                other = self.protos[self.full_names[label]]
                line = self.source.line_col(other.span.start)[0]
                raise self.error(
                    f"duplicate layer name '{label}' (first used on line {line})",
                    block.name_span,
                )
            self.full_names[label] = current
            self.scopes[-1][block.name] = current
        return current

    def branches(
        self,
        block: RawBlock,
        args: dict[str, ArgValue],
        node: Block,
        current: int,
        suffix: str,
        label: str | None,
    ) -> int:
        """A residual's or parallel's layers; the merge of a named block (`label`) is added
        after the block's scope is closed, so that its name is found outside."""
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
            merged = self.merge("add", (), block, [body, short], inner, suffix, label)
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
        return self.merge(merge, merge_args, block, outs, inner, suffix, label)

    def merge(
        self,
        kind: str,
        args: tuple[tuple[str, ArgValue], ...],
        block: RawBlock,
        inputs: list[int],
        place: _Place,
        suffix: str,
        label: str | None,
    ) -> int:
        """The block's merge, which a name on the block names: a residual's `add`, before
        its activation, so `@s` reads what it read before names prefixed layers."""
        explicit: str | None = label
        if label is not None:
            self.scopes.pop()
        else:
            explicit = self.prefix + block.name + suffix if block.name is not None else None
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
        proto.prefix = self.prefix
        if self.call_site is not None:
            proto.span = self.call_site  # errors about a defined block's layers point at its call
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
        inside = [full for full in self.full_names if full.endswith("." + name)]
        if name in self.declared and self.declared[name].start < span.start and inside:
            # written above, but inside a named block: outside it the name has its prefix
            line = self.source.line_col(self.declared[name].start)[0]
            raise self.error(
                f"unknown layer name '{name}': the '{name}' of line {line} is inside a named "
                f"block, and outside it is called '{inside[-1]}'",
                span,
                hint="a name on a block prefixes the names inside it",
            )
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
        # Counted per labelled call or named block: `b.conv1`, `b.conv2` inside `b: name(...)`.
        counters: dict[tuple[str, str], int] = {}
        names = []
        for proto in self.protos:
            if proto.explicit is not None:
                names.append(proto.explicit)
                continue
            bare = proto.kind in ("input", "output") and totals[proto.kind] == 1
            candidate = proto.kind if bare and not proto.prefix else ""
            key = (proto.prefix, proto.kind)
            while not candidate or candidate in taken:
                counters[key] = counters.get(key, 0) + 1
                candidate = f"{proto.prefix}{proto.kind}{counters[key]}"
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


def _word_meaning(word: str) -> str | None:
    """What a word already means in a layer's arguments: a kind, an activation, a flag."""
    if word.lower() in _RESERVED or word in BLOCKS:
        return f"a word of the language ('{word}')"
    found = lookup_kind(word)
    if found is not None:
        return f"a layer kind ('{found.name}')"
    if word.lower() in ACTIVATIONS:
        return f"an activation ('{word.lower()}')"
    owners = [kind.name for kind in KINDS.values() if kind.flag(word) is not None]
    if owners:
        return f"a flag of {owners[0]} ('{word}')"
    block_flags = [block.name for block in BLOCKS.values() if block.flag(word) is not None]
    if block_flags:
        return f"a flag of {block_flags[0]} ('{word}')"
    return None


def _plain(value: RawValue) -> ArgValue:
    """A call's argument as data: numbers, bools and words as they are, per-axis as tuples."""
    if value.kind == "seq":
        assert isinstance(value.value, tuple)
        return tuple(_plain(item) for item in value.value)
    assert not isinstance(value.value, tuple)
    return value.value


def _substitute(items: tuple[RawItem, ...], bound: dict[str, RawValue]) -> tuple[RawItem, ...]:
    """A body with every parameter, used as an argument value, replaced by its value."""

    def value(raw: RawValue) -> RawValue:
        if raw.kind == "word" and isinstance(raw.value, str) and raw.value in bound:
            return bound[raw.value]
        if raw.kind == "seq":
            assert isinstance(raw.value, tuple)
            return raw._replace(value=tuple(value(item) for item in raw.value))
        return raw

    def args(raw: tuple[RawArg, ...]) -> tuple[RawArg, ...]:
        return tuple(arg._replace(value=value(arg.value)) for arg in raw)

    out: list[RawItem] = []
    for item in items:
        if isinstance(item, RawStatement):
            kind = bound.get(item.kind)
            statement = item
            if kind is not None and kind.kind == "word" and isinstance(kind.value, str):
                # a parameter in a layer's place: `-> act` with act=relu is `-> relu`
                statement = item._replace(kind=kind.value)
            out.append(statement._replace(args=args(item.args)))
        elif isinstance(item, RawBlock):
            shortcut = None if item.shortcut is None else _substitute(item.shortcut, bound)
            bodies = tuple(_substitute(body, bound) for body in item.bodies)
            out.append(item._replace(args=args(item.args), bodies=bodies, shortcut=shortcut))
        else:
            out.append(item)
    return tuple(out)


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
