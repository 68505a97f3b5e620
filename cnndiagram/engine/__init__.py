"""Engine stage: pure functions from a `Network` to shapes, parameters, MACs and formulas."""
