"""Hypothesis strategies shared by the property tests: random valid-looking spec texts."""

from __future__ import annotations

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
        body = draw(st.sampled_from(["prelu", "prelu(channelwise=true)", "prelu(frozen)"]))
    elif kind == "batchnorm":
        body = draw(st.sampled_from(["batchnorm", "N", "batchnorm(affine=false)", "bn(frozen)"]))
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
