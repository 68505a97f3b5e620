"""Hypothesis strategies shared by the property tests: random valid-looking spec texts."""

from __future__ import annotations

import json

from hypothesis import assume
from hypothesis import strategies as st


def _axes(draw: st.DrawFn, rank: int, low: int, high: int) -> str:
    if draw(st.booleans()):
        return str(draw(st.integers(low, high)))
    return "x".join(str(draw(st.integers(low, high))) for _ in range(rank))


@st.composite
def layer_text(draw: st.DrawFn, rank: int) -> str:
    name = draw(st.sampled_from(["", "", "", "n: ", '"odd <name> & \\"q\\"": ']))
    kinds = [
        "conv",
        "maxpool",
        "avgpool",
        "batchnorm",
        "relu",
        "dropout",
        "dense",
        "prelu",
        "deconv",
        "upsample",
        "zeropad",
        "layernorm",
        "dwconv",
        "sepconv",
        "flatten",
        "globalavgpool",
        "adaptivemaxpool",
        "instancenorm",
        "relu6",
        "hardsigmoid",
        "mish",
        "chunk",
        "channelshuffle",
        "upsample_fractional",
        "pool_positional",
    ]
    kind = draw(st.sampled_from(kinds))
    if kind == "conv":
        extra = draw(
            st.sampled_from(
                [
                    "",
                    ", stride=2",
                    ", pad=1",
                    ", same",
                    ", dilation=2",
                    ", bias=false, relu",
                    ", stride=2, same",
                ]
            )
        )
        body = f"conv({draw(st.integers(1, 16))}, {_axes(draw, rank, 1, 3)}{extra})"
    elif kind in ("maxpool", "avgpool"):
        extra = draw(st.sampled_from(["", ", stride=1", ", ceil", ", pad=1", ", same"]))
        body = f"{kind}({_axes(draw, rank, 2, 3)}{extra})"
    elif kind == "deconv":
        body = f"deconv({draw(st.integers(1, 8))}, {_axes(draw, rank, 1, 3)}, stride=2)"
    elif kind == "dense":
        body = f"dense({draw(st.integers(1, 64))}{draw(st.sampled_from(['', ', relu']))})"
    elif kind == "dropout":
        body = f"dropout({draw(st.sampled_from(['0', '0.1', '0.5']))})"
    elif kind == "upsample":
        body = f"upsample({_axes(draw, rank, 1, 2)})"
    elif kind == "zeropad":
        body = f"zeropad({_axes(draw, rank, 0, 2)})"
    elif kind == "dwconv":
        body = f"dwconv({_axes(draw, rank, 1, 3)}, depth_multiplier={draw(st.integers(1, 2))})"
    elif kind == "sepconv":
        body = f"sepconv({draw(st.integers(1, 8))}, {_axes(draw, rank, 1, 3)}, same)"
    elif kind == "adaptivemaxpool":
        body = f"adaptivemaxpool({draw(st.integers(1, 3))})"
    elif kind == "prelu":
        body = draw(
            st.sampled_from(["prelu", "prelu(channelwise=true)", "prelu(frozen)", "prelu(1)"])
        )
    elif kind == "batchnorm":
        body = draw(
            st.sampled_from(
                [
                    "batchnorm",
                    "N",
                    "batchnorm(affine=false)",
                    "bn(frozen)",
                    "batchnorm(eps=0.001, momentum=0.01)",
                    "batchnorm(momentum=null)",
                ]
            )
        )
    elif kind == "chunk":
        body = draw(st.sampled_from(["chunk(1, 0)", "chunk(2, 0)", "chunk(2, 1)"]))
    elif kind == "channelshuffle":
        body = draw(st.sampled_from(["channelshuffle(1)", "channelshuffle(2)"]))
    elif kind == "upsample_fractional":
        body = f"upsample({draw(st.sampled_from(['1.5', '2.5', '0.5']))})"
    elif kind == "pool_positional":
        body = f"maxpool({draw(st.sampled_from(['2, 1', '3, 2, 1', '2, 2, 0, ceil']))})"
    else:
        body = kind
    return name + body


@st.composite
def spec_text(draw: st.DrawFn, max_layers: int = 8) -> str:
    rank = draw(st.integers(1, 3))
    channels = draw(st.integers(1, 8))
    size = {1: (8, 64), 2: (4, 32), 3: (3, 10)}[rank]
    dims = [str(draw(st.integers(*size))) for _ in range(rank)]
    title = draw(st.sampled_from(["", 'title "A <net> & co"\n']))
    layers = draw(st.lists(layer_text(rank), min_size=1, max_size=max_layers))
    separator = draw(st.sampled_from(["\n", " -> ", "; ", "-"]))
    assume(sum(line.startswith("n: ") for line in layers) <= 1)
    assume(sum(line.startswith('"odd') for line in layers) <= 1)
    return title + f"input({channels}x{'x'.join(dims)})" + separator + separator.join(layers)


@st.composite
def block_text(draw: st.DrawFn, depth: int = 0) -> str:
    """A residual, parallel or repeat block (or a plain layer) on a 2D tensor."""
    choice = draw(
        st.sampled_from(
            ["layer", "residual", "projection", "parallel", "repeat"] if depth < 2 else ["layer"]
        )
    )
    width = draw(st.sampled_from([4, 8]))
    if choice == "layer":
        return draw(
            st.sampled_from(
                [
                    f"conv({width}, 3, pad=1)",
                    "relu",
                    "N",
                    "dropout(0.1)",
                    "maxpool(2, stride=1)",
                    f"conv({width}, 1)",
                ]
            )
        )
    if choice == "residual":
        inner = draw(block_text(depth + 1))
        return f"residual(relu) {{ conv(C, 3, pad=1) -> {inner} -> conv(C, 1) }}"
    if choice == "projection":
        stride = draw(st.sampled_from([1, 2]))
        return (
            f"residual {{ conv({width}, 3, stride={stride}, pad=1) -> N }} "
            f"shortcut {{ conv({width}, 1, stride={stride}) }}"
        )
    if choice == "parallel":
        merge = draw(st.sampled_from(["concat", "add"]))
        count = draw(st.integers(2, 3))
        branches = [
            f"conv({width}, 1)"
            + (" -> " + f"conv({width}, 3, pad=1)" if draw(st.booleans()) else "")
            for _ in range(count)
        ]
        return f"parallel({merge}) {{ {' | '.join(branches)} }}"
    inner = draw(block_text(depth + 1))
    return f"repeat({draw(st.integers(1, 3))}) {{ {inner} }}"


@st.composite
def dag_spec_text(draw: st.DrawFn) -> str:
    channels = draw(st.sampled_from([4, 8]))
    blocks = draw(st.lists(block_text(), min_size=1, max_size=5))
    # residual bodies keep the channel count written as C: resolve it from the running width
    text = f"input({channels}x12x12)\nconv(8, 3, pad=1)\n" + "\n".join(blocks)
    return text.replace("conv(C,", "conv(8,")


# -- one random block structure, written as .cnn text and as YAML/TOML/JSON data --------------

#: Layer and block names: ones the automatic naming also produces, and names only quotes
#: allow. A block's name is a layer name too (it names the block's output), so each is used once.
LAYER_NAMES = [
    "a",
    "b",
    "x",
    "conv1",
    "relu2",
    "add1",
    "batchnorm3",
    "s:one",
    'odd <n> & "q"',
    "stage",
    'r "q" | {x}',
]
#: (.cnn text, the same layer as a YAML/TOML/JSON mapping without its name)
LAYERS: list[tuple[str, dict[str, object]]] = [
    ("conv(8, 1)", {"kind": "conv", "filters": 8, "kernel": 1}),
    (
        "conv(8, 3, pad=1, nobias)",
        {"kind": "conv", "filters": 8, "kernel": 3, "pad": 1, "bias": False},
    ),
    ("relu", {"kind": "relu"}),
    ("N", {"kind": "batchnorm"}),
    ("dropout(0.1)", {"kind": "dropout", "rate": 0.1}),
    ("maxpool(2, stride=1)", {"kind": "maxpool", "size": 2, "stride": 1}),
]


def dsl_name(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class BlockSpec:
    """One network as `.cnn` text and as the data a YAML/TOML/JSON file holds."""

    def __init__(self, dsl: str, data: dict[str, object]) -> None:
        self.dsl, self.data = dsl, data

    def __repr__(self) -> str:
        return f"BlockSpec({self.dsl!r})"


class _Builder:
    """Draws items that every layer of which reaches the output: chains, merges of named
    layers, references to the stem, and blocks, nested up to three deep."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.free = list(LAYER_NAMES)

    def name(self, chance: bool = True) -> str | None:
        if not self.free or (chance and not self.draw(st.booleans())):
            return None
        name = self.draw(st.sampled_from(self.free))
        self.free.remove(name)
        return name

    def layer(self, name: str | None, inputs: list[str] | None = None) -> tuple[str, object]:
        text, data = self.draw(st.sampled_from(LAYERS))
        entry = dict(data)
        if name is not None:
            entry["name"] = name
            text = f"{dsl_name(name)}: {text}"
        if inputs is not None:
            entry["inputs"] = inputs
            text = f"@{dsl_name(inputs[0])} -> {text}"
        return text, entry

    def items(self, depth: int, size: int) -> tuple[list[str], list[object]]:
        texts: list[str] = []
        data: list[object] = []
        for _ in range(self.draw(st.integers(1, size))):
            text, entry = self.item(depth)
            texts.append(text)
            data += entry
        return texts, data

    def item(self, depth: int) -> tuple[str, list[object]]:
        choices = ["layer", "merge", "ref"]
        if depth < 3:
            choices += ["residual", "parallel", "repeat"]
        choice = self.draw(st.sampled_from(choices))
        if choice == "layer":
            text, entry = self.layer(self.name())
            return text, [entry]
        if choice in ("merge", "ref"):
            first, second = self.name(chance=False), self.name(chance=False)
            if first is None or second is None:
                text, entry = self.layer(None)
                return text, [entry]
            one, one_data = self.layer(first)
            two, two_data = self.layer(second, ["stem"] if choice == "ref" else None)
            kind = self.draw(st.sampled_from(["add", "multiply", "concat"]))
            merge_name = self.name()
            merge: dict[str, object] = {"kind": kind, "inputs": [first, second]}
            text = f"{kind}({dsl_name(first)}, {dsl_name(second)})"
            if merge_name is not None:
                merge["name"] = merge_name
                text = f"{dsl_name(merge_name)}: {text}"
            return f"{one} -> {two} -> {text}", [one_data, two_data, merge]
        name = self.name()
        head = f"{dsl_name(name)}: " if name is not None else ""
        block: dict[str, object] = {} if name is None else {"name": name}
        if choice == "residual":
            act = self.draw(st.sampled_from([None, "relu", "leakyrelu"]))
            body, body_data = self.items(depth + 1, 3)
            block["residual"] = body_data
            text = f"{head}residual{f'({act})' if act else ''} {{ {' -> '.join(body)} }}"
            if act:
                block["act"] = act
            if self.draw(st.booleans()):
                short, short_data = self.items(depth + 1, 2)
                block["shortcut"] = short_data
                text += f" shortcut {{ {' -> '.join(short)} }}"
            return text, [block]
        if choice == "parallel":
            merge = self.draw(st.sampled_from(["concat", "add", "multiply"]))
            branches, bodies = [], []
            for _ in range(self.draw(st.integers(2, 3))):
                texts, items = self.items(depth + 1, 2) if self.draw(st.booleans()) else ([], [])
                branches.append(" -> ".join(texts))
                bodies.append(items)
            block.update(parallel=bodies, merge=merge)
            return f"{head}parallel({merge}) {{ {' | '.join(branches)} }}", [block]
        times = self.draw(st.integers(1, 3))
        body, body_data = self.items(depth + 1, 3)
        block.update(repeat=times, layers=body_data)
        return f"{head}repeat({times}) {{\n{chr(10).join(body)}\n}}", [block]


@st.composite
def block_spec(draw: st.DrawFn) -> BlockSpec:
    """A network of blocks with named layers, merges and references inside them."""
    builder = _Builder(draw)
    texts, data = builder.items(0, 5)
    stem_text, stem = builder.layer("stem")
    title = draw(st.sampled_from([None, "Blocks: a | b"]))
    dsl = "\n".join(["input(8x8x8)", stem_text, *texts]) + "\n"
    spec: dict[str, object] = {"input": "8x8x8", "layers": [stem, *data]}
    if title is not None:
        dsl = f"title {dsl_name(title)}\n{dsl}"
        spec = {"title": title, **spec}
    return BlockSpec(dsl, spec)


def to_toml(value: object, top: bool = True) -> str:
    """TOML for block-spec data (no nulls, bare keys): top-level keys, inline tables below."""
    if top:
        assert isinstance(value, dict)
        return "".join(f"{key} = {to_toml(item, False)}\n" for key, item in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_toml(item, False) for item in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{key} = {to_toml(item, False)}" for key, item in value.items()) + "}"


# -- user-defined blocks: definitions and calls -------------------------------------------------


@st.composite
def def_spec_text(draw: st.DrawFn) -> str:
    """Definitions (one calling the other) and calls with positional and keyword arguments,
    named or not, at the top level, in a repeat and in a parallel branch."""
    act = draw(st.sampled_from(["relu", "relu6", "hardswish", "mish"]))
    body = draw(
        st.sampled_from(
            [
                "conv(c, k, stride=stride, pad=pad) -> N -> act",
                "conv(c, k, pad=pad, act) -> dropout(0.1)",
                "residual { conv(c, 1) -> act }",
                "parallel(concat) { | conv(c, k, pad=pad) }",
            ]
        )
    )
    inner = f"def unit(c, k=1, stride=1, pad=0, act={act}) {{ {body} }}"
    outer = "def pair(c, k=3) { unit(c, k, pad=1) -> unit(c, act=relu6) }"

    def call() -> str:
        name = draw(st.sampled_from(["", "", "b: ", "stage: "]))
        width = draw(st.sampled_from([4, 8]))
        args = draw(
            st.sampled_from(
                [
                    f"unit({width})",
                    f"unit({width}, 3, pad=1)",
                    f"unit(c={width}, k=1)",
                    f"unit({width}, act=mish)",
                    f"pair({width})",
                    f"pair({width}, k=1)",
                ]
            )
        )
        return name + args

    calls = [call() for _ in range(draw(st.integers(1, 4)))]
    assume(sum(c.startswith("b: ") for c in calls) <= 1)
    assume(sum(c.startswith("stage: ") for c in calls) <= 1)
    wrapped = draw(st.sampled_from(["{}", "repeat(2) {{ {} }}", "parallel(concat) {{ {} | }}"]))
    calls[-1] = wrapped.format(calls[-1].split(": ")[-1])
    order = draw(st.booleans())
    defs = [inner, outer] if order else [outer, inner]
    return "input(8x12x12)\n" + "\n".join(defs) + "\nconv(8, 1)\n" + "\n".join(calls)
