"""Importer helper: the small constant computations ONNX exporters leave in a graph.

Exporters compute shapes at run time: `x.view(x.size(0), -1)` becomes Shape, Gather,
Unsqueeze and Concat feeding a Reshape; `F.pad` builds its pads with ConstantOfShape,
Slice and Transpose. The reader needs those values (a Reshape's target, a Pad's pads), so
nodes whose inputs are all known are evaluated here, with numpy on small integer and float
arrays (numpy comes with onnx). Shapes are given with a batch of 1, the size every
analysis assumes. An operator not listed gives no value; the reader says so only if a
layer needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import prod
from typing import Any

#: Constants larger than this are weights, never shape arithmetic: they are not evaluated.
MAX_VALUES = 4096


def _attr(node: Any, name: str, default: Any = None) -> Any:
    for attribute in node.attribute:
        if attribute.name == name:
            from onnx import helper

            value = helper.get_attribute_value(attribute)
            return value.decode() if isinstance(value, bytes) else value
    return default


def attr(node: Any, name: str, default: Any = None) -> Any:
    """A node's attribute as a Python value (strings decoded), or `default`."""
    return _attr(node, name, default)


def _axes(node: Any, values: Sequence[Any], rank: int) -> list[int] | None:
    """`axes` as an attribute (older opsets) or as the second input (opset 13 and later)."""
    axes = _attr(node, "axes")
    if axes is None and len(values) > 1 and values[1] is not None:
        axes = [int(a) for a in values[1].reshape(-1)]
    if axes is None:
        return None
    return [int(a) + rank if int(a) < 0 else int(a) for a in axes]


def reshape_target(shape: tuple[int, ...], target: Sequence[int], allowzero: bool) -> list[int]:
    """ONNX Reshape's output dimensions: 0 copies the input's size (unless `allowzero`),
    one -1 takes what is left. Raises ValueError when the counts cannot agree."""
    dims = [
        shape[i] if d == 0 and not allowzero and i < len(shape) else int(d)
        for i, d in enumerate(target)
    ]
    total = prod(shape)
    if dims.count(-1) > 1:
        raise ValueError("more than one -1")
    if -1 in dims:
        known = prod(d for d in dims if d != -1)
        if known == 0 or total % known:
            raise ValueError(f"{total:,} values cannot be split by {known:,}")
        dims[dims.index(-1)] = total // known
    if prod(dims) != total:
        raise ValueError(f"{total:,} values cannot be {'x'.join(map(str, dims))}")
    return dims


def _gather(node: Any, v: list[Any]) -> Any:
    import numpy as np

    return np.take(v[0], v[1], axis=int(_attr(node, "axis", 0)))


def _unsqueeze(node: Any, v: list[Any]) -> Any:
    import numpy as np

    raw = _attr(node, "axes")
    if raw is None:
        raw = [int(a) for a in v[1].reshape(-1)]
    rank = v[0].ndim + len(raw)
    out = v[0]
    for axis in sorted(int(a) + rank if int(a) < 0 else int(a) for a in raw):
        out = np.expand_dims(out, axis)
    return out


def _squeeze(node: Any, v: list[Any]) -> Any:
    import numpy as np

    axes = _axes(node, v, v[0].ndim)
    return np.squeeze(v[0], axis=tuple(axes) if axes is not None else None)


def _concat(node: Any, v: list[Any]) -> Any:
    import numpy as np

    return np.concatenate(v, axis=int(_attr(node, "axis", 0)))


def _cast(node: Any, v: list[Any]) -> Any:
    from onnx import helper

    return v[0].astype(helper.tensor_dtype_to_np_dtype(int(_attr(node, "to"))))


def _constant_of_shape(node: Any, v: list[Any]) -> Any:
    import numpy as np
    from onnx import numpy_helper

    value = _attr(node, "value")
    fill = numpy_helper.to_array(value).reshape(-1)[0] if value is not None else np.float32(0)
    shape = [int(d) for d in v[0].reshape(-1)]
    if prod(shape) > MAX_VALUES:
        raise ValueError("too large to evaluate")
    return np.full(shape, fill)


def _reshape(node: Any, v: list[Any]) -> Any:
    dims = reshape_target(v[0].shape, [int(d) for d in v[1]], bool(_attr(node, "allowzero", 0)))
    return v[0].reshape(dims)


def _slice(node: Any, v: list[Any]) -> Any:
    data = v[0]
    starts, ends = [int(x) for x in v[1]], [int(x) for x in v[2]]
    axes = [int(x) for x in v[3]] if len(v) > 3 and v[3] is not None else list(range(len(starts)))
    steps = [int(x) for x in v[4]] if len(v) > 4 and v[4] is not None else [1] * len(starts)
    index = [slice(None)] * data.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        index[axis] = slice(start, end, step)
    return data[tuple(index)]


def _transpose(node: Any, v: list[Any]) -> Any:
    perm = _attr(node, "perm")
    return v[0].transpose(perm) if perm is not None else v[0].T


def _range(node: Any, v: list[Any]) -> Any:
    import numpy as np

    return np.arange(v[0].item(), v[1].item(), v[2].item())


def _where(node: Any, v: list[Any]) -> Any:
    import numpy as np

    return np.where(v[0], v[1], v[2])


def _binary(fn: str) -> Callable[[Any, list[Any]], Any]:
    def run(node: Any, v: list[Any]) -> Any:
        import numpy as np

        a, b = v
        if fn == "Div" and np.issubdtype(a.dtype, np.integer):
            return np.floor_divide(a, b)  # ONNX integer division truncates; shapes are >= 0
        return getattr(np, _NUMPY[fn])(a, b)

    return run


_NUMPY = {
    "Add": "add",
    "Sub": "subtract",
    "Mul": "multiply",
    "Div": "divide",
    "Equal": "equal",
    "Less": "less",
    "Greater": "greater",
    "Max": "maximum",
    "Min": "minimum",
}

FOLDERS: dict[str, Callable[[Any, list[Any]], Any]] = {
    "Gather": _gather,
    "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze,
    "Concat": _concat,
    "Cast": _cast,
    "ConstantOfShape": _constant_of_shape,
    "Reshape": _reshape,
    "Slice": _slice,
    "Transpose": _transpose,
    "Range": _range,
    "Where": _where,
    "Identity": lambda node, v: v[0],
    "Floor": lambda node, v: __import__("numpy").floor(v[0]),
    "Ceil": lambda node, v: __import__("numpy").ceil(v[0]),
    "Neg": lambda node, v: -v[0],
    **{name: _binary(name) for name in _NUMPY},
}


def fold(node: Any, values: list[Any]) -> Any | None:
    """The value of `node`'s first output from its inputs' values, or None when the
    operator is not one evaluated here or the values do not fit it."""
    run = FOLDERS.get(node.op_type)
    if run is None:
        return None
    try:
        out = run(node, values)
    except (ValueError, TypeError, IndexError, KeyError):
        return None
    return out if getattr(out, "size", MAX_VALUES + 1) <= MAX_VALUES else None
