"""Spec stage: the YAML/TOML/JSON schema, read from a located tree into the shared `RawSpec`.

Schema (docs/spec-language.md has examples)::

    title: "optional title"
    input: 1x28x28                  # or [1, 28, 28], or {shape: ..., channels_last: true}
    layers:
      - conv: {filters: 32, kernel: 5, act: relu}     # kind as the key, named arguments
      - maxpool: 2                                   # a single positional argument
      - conv: [32, 3]                                # positional arguments
      - {kind: dense, units: 256, name: fc1}         # kind as a field
      - flatten                                      # a kind with no arguments
      - "C(32, 3)"                                   # a DSL statement
      - {conv: [8, 1], inputs: [fc1]}                # read another layer than the previous
      - {add: null, inputs: [a, b]}                  # merges name what they read
      - {residual: [...layers], shortcut: [...], act: relu}
      - {parallel: [[...branch], [...branch]], merge: concat}
      - {repeat: 3, layers: [...]}
      - {bconv: [64, 3], name: b1}                   # a call of a block defined below
    defs:                                            # blocks called by name, as the DSL's def
      bconv:
        params: [c, k, {stride: 1}]                  # a name, or {name: default}
        layers: ["conv(c, k, stride=stride)", batchnorm, relu]

Strings in argument values are read with the DSL's value syntax, so "5x5", "same"
and "relu" mean what they mean in a `.cnn` file.
"""

from __future__ import annotations

from cnndiagram.catalog import BLOCKS, MERGES, lookup_kind
from cnndiagram.errors import SpecError
from cnndiagram.source import Source, Span
from cnndiagram.spec.dsl import parse_dsl, parse_value_text
from cnndiagram.spec.raw import (
    RawArg,
    RawBlock,
    RawDef,
    RawItem,
    RawParam,
    RawRef,
    RawSpec,
    RawStatement,
    RawValue,
)
from cnndiagram.spec.tree import Node

_TOP_KEYS = ("title", "input", "layers", "defs")


class _Reader:
    def __init__(self, source: Source) -> None:
        self.source = source

    def error(self, message: str, span: Span | None) -> SpecError:
        return SpecError(message, source=self.source, span=span)

    def spec(self, root: Node) -> RawSpec:
        if not isinstance(root.value, dict):
            raise self.error(
                "the file must be a mapping with 'input' and 'layers' (and optionally 'title')",
                root.span,
            )
        for key, (key_span, _) in root.value.items():
            if key not in _TOP_KEYS:
                from cnndiagram.spec.validate import suggest

                raise self.error(
                    f"unknown top-level key '{key}'{suggest(key, list(_TOP_KEYS))}; "
                    "expected title, input, layers and defs",
                    key_span,
                )
        title: str | None = None
        title_span: Span | None = None
        if "title" in root.value:
            title_span, title_node = root.value["title"]
            if not isinstance(title_node.value, str):
                raise self.error("'title' must be a string", title_node.span)
            title = title_node.value
        if "input" not in root.value:
            raise self.error("the file has no 'input' (e.g. input: 1x28x28)", root.span)
        statements: list[RawItem] = [self.input(*root.value["input"])]
        if "layers" in root.value:
            layers_span, layers = root.value["layers"]
            if not isinstance(layers.value, list):
                raise self.error("'layers' must be a list of layers", layers_span)
            for item in layers.value:
                statements += self.item(item)
        defs: list[RawDef] = []
        if "defs" in root.value:
            defs_span, defs_node = root.value["defs"]
            if not isinstance(defs_node.value, dict):
                raise self.error(
                    "'defs' must map block names to {params: [...], layers: [...]}", defs_span
                )
            for name, (name_span, node) in defs_node.value.items():
                defs.append(self.definition(name, name_span, node))
        return RawSpec(title, tuple(statements), title_span, tuple(defs))

    def definition(self, name: str, name_span: Span, node: Node) -> RawDef:
        """`name: {params: [c, {stride: 1}], layers: [...]}`, the DSL's
        `def name(c, stride=1) { ... }`."""
        from cnndiagram.spec.format import definition_text

        if not isinstance(node.value, dict) or "layers" not in node.value:
            raise self.error(
                f"block '{name}' must be a mapping with 'layers' (and optionally 'params')",
                node.span,
            )
        members = dict(node.value)
        unknown = set(members) - {"params", "layers"}
        if unknown:
            key = sorted(unknown)[0]
            raise self.error(
                f"unknown key '{key}' in block '{name}'; expected params and layers",
                members[key][0],
            )
        params: list[RawParam] = []
        if "params" in members:
            params_node = members["params"][1]
            entries = params_node.value if isinstance(params_node.value, list) else None
            if entries is None:
                raise self.error("'params' must be a list of names", params_node.span)
            for entry in entries:
                if isinstance(entry.value, str):
                    if params and params[-1].default is not None:
                        raise self.error(
                            f"parameter '{entry.value}' without a default follows one with "
                            "a default",
                            entry.span,
                        )
                    params.append(RawParam(entry.value, entry.span, None))
                elif isinstance(entry.value, dict) and len(entry.value) == 1:
                    ((key, (key_span, default)),) = entry.value.items()
                    params.append(RawParam(key, key_span, self.value(default)))
                else:
                    raise self.error("a parameter is a name, or {name: default}", entry.span)
        body = self.body(members["layers"][1])
        if not body:
            raise self.error(f"block '{name}' has an empty body", node.span)
        text = definition_text(name, tuple(params), body)
        return RawDef(name, name_span, tuple(params), body, node.span, text)

    def input(self, key_span: Span, node: Node) -> RawStatement:
        if isinstance(node.value, dict):
            return self.statement("input", key_span, None, None, node, node.span)
        return RawStatement(
            "input", key_span, None, None, (RawArg(None, None, self.value(node)),), node.span
        )

    def item(self, node: Node) -> list[RawItem]:
        """One entry of a `layers` list: a layer (maybe with `inputs`) or a block."""
        if isinstance(node.value, dict):
            keys = set(node.value) - {"name"}
            block = keys & set(BLOCKS)
            if block:
                return [self.block(node, block.pop())]
            if "inputs" in node.value:
                members = dict(node.value)
                inputs_span, inputs = members.pop("inputs")
                names = self.names(inputs, inputs_span)
                statement = self.layer(Node(members, node.span))
                kind = lookup_kind(statement.kind)
                if kind is not None and kind.name in MERGES:
                    refs = tuple(
                        RawArg(None, None, RawValue("word", name, span)) for name, span in names
                    )
                    return [statement._replace(args=refs + statement.args)]
                if len(names) != 1:
                    raise self.error(
                        f"'{statement.kind}' reads one layer; 'inputs' names {len(names)}",
                        inputs_span,
                    )
                return [RawRef(names[0][0], names[0][1]), statement]
        return [self.layer(node)]

    def names(self, node: Node, span: Span) -> list[tuple[str, Span]]:
        values = node.value if isinstance(node.value, list) else [node]
        out = []
        for value in values:
            if not isinstance(value.value, str):
                raise self.error("'inputs' must be layer names", value.span)
            out.append((value.value, value.span))
        if not out:
            raise self.error("'inputs' is empty", span)
        return out

    def block(self, node: Node, kind: str) -> RawBlock:
        """`{residual: [...], shortcut: [...], act: relu}`, `{parallel: [[...], [...]],
        merge: concat}` or `{repeat: 3, layers: [...]}`, each with an optional `name`."""
        assert isinstance(node.value, dict)
        members = dict(node.value)
        name: str | None = None
        name_span: Span | None = None
        if "name" in members:
            name_span, name_node = members.pop("name")
            if not isinstance(name_node.value, str):
                raise self.error("a block 'name' must be a string", name_node.span)
            name = name_node.value
        kind_span, head = members.pop(kind)
        shortcut: tuple[RawItem, ...] | None = None
        bodies: tuple[tuple[RawItem, ...], ...]
        if kind == "repeat":
            args = [RawArg(None, None, self.value(head))]
            if "layers" not in members:
                raise self.error("repeat needs 'layers': the body to repeat", node.span)
            bodies = (self.body(members.pop("layers")[1]),)
        elif kind == "parallel":
            if not isinstance(head.value, list) or not all(
                isinstance(branch.value, list) for branch in head.value
            ):
                raise self.error("parallel must be a list of branches (lists of layers)", head.span)
            bodies = tuple(self.body(branch) for branch in head.value)
            args = []
        else:
            bodies = (self.body(head),)
            args = []
            if "shortcut" in members:
                shortcut = self.body(members.pop("shortcut")[1])
        args += [
            RawArg(key, key_span, self.value(value)) for key, (key_span, value) in members.items()
        ]
        return RawBlock(kind, kind_span, name, name_span, tuple(args), bodies, shortcut, node.span)

    def body(self, node: Node) -> tuple[RawItem, ...]:
        if not isinstance(node.value, list):
            raise self.error("a block body must be a list of layers", node.span)
        items: list[RawItem] = []
        for entry in node.value:
            items += self.item(entry)
        return tuple(items)

    def layer(self, node: Node) -> RawStatement:
        if isinstance(node.value, str):
            return self.dsl_statement(node)
        if not isinstance(node.value, dict):
            raise self.error(
                "a layer must be a mapping such as {conv: {filters: 32, kernel: 3}} or a "
                "string such as 'conv(32, 3)'",
                node.span,
            )
        members = dict(node.value)
        name: str | None = None
        name_span: Span | None = None
        if "name" in members:
            name_span, name_node = members.pop("name")
            if not isinstance(name_node.value, (str, int)) or isinstance(name_node.value, bool):
                raise self.error("a layer 'name' must be a string", name_node.span)
            name = str(name_node.value)
        if "kind" in members:
            _, kind_node = members.pop("kind")
            if not isinstance(kind_node.value, str):
                raise self.error("'kind' must be a layer kind such as conv", kind_node.span)
            rest = Node(members, node.span)
            return self.statement(kind_node.value, kind_node.span, name, name_span, rest, node.span)
        if len(members) != 1:
            keys = ", ".join(members) or "nothing"
            raise self.error(
                f"a layer needs exactly one kind key (or a 'kind' field); found {keys}",
                node.span,
            )
        ((kind, (kind_span, args)),) = members.items()
        return self.statement(kind, kind_span, name, name_span, args, node.span)

    def dsl_statement(self, node: Node) -> RawStatement:
        assert isinstance(node.value, str)
        inner = Source(node.value, self.source.name)
        try:
            raw = parse_dsl(inner)
        except SpecError as error:
            raise self.error(f"in {node.value!r}: {error.message}", node.span) from None
        statement = raw.statements[0] if len(raw.statements) == 1 else None
        if not isinstance(statement, RawStatement) or raw.title is not None:
            raise self.error("a layer string must hold exactly one layer", node.span)
        args = tuple(
            RawArg(arg.key, node.span if arg.key else None, _relocate(arg.value, node.span))
            for arg in statement.args
        )
        return RawStatement(
            statement.kind,
            node.span,
            statement.name,
            node.span if statement.name else None,
            args,
            node.span,
        )

    def statement(
        self,
        kind: str,
        kind_span: Span,
        name: str | None,
        name_span: Span | None,
        args: Node,
        span: Span,
    ) -> RawStatement:
        raw_args: list[RawArg]
        if isinstance(args.value, dict):
            raw_args = [
                RawArg(key, key_span, self.value(value))
                for key, (key_span, value) in args.value.items()
            ]
        elif isinstance(args.value, list):
            raw_args = [RawArg(None, None, self.value(item)) for item in args.value]
        elif args.value is None:
            raw_args = []
        else:
            raw_args = [RawArg(None, None, self.value(args))]
        return RawStatement(kind, kind_span, name, name_span, tuple(raw_args), span)

    def value(self, node: Node) -> RawValue:
        value = node.value
        if isinstance(value, bool):
            return RawValue("bool", value, node.span)
        if isinstance(value, int):
            return RawValue("int", value, node.span)
        if isinstance(value, float):
            return RawValue("float", value, node.span)
        if value is None:
            return RawValue("null", None, node.span)
        if isinstance(value, str):
            return parse_value_text(value, self.source, node.span)
        if isinstance(value, list):
            return RawValue("seq", tuple(self.value(item) for item in value), node.span)
        raise self.error("expected a value, found a mapping", node.span)


def _relocate(value: RawValue, span: Span) -> RawValue:
    if value.kind == "seq":
        assert isinstance(value.value, tuple)
        return RawValue("seq", tuple(_relocate(item, span) for item in value.value), span)
    return RawValue(value.kind, value.value, span)


def read_mapping(root: Node, source: Source) -> RawSpec:
    """The structured schema to the shared syntax tree; the validator does the rest."""
    return _Reader(source).spec(root)
