"""Benchmarks of the importers as whole processes (issue targets: a `.keras`/JSON summary
within 2x of the `.cnn` summary of the same network; ONNX dominated by `import onnx`).
Run: python benchmarks/bench_import.py

Keras JSON/.cnn at load 0 on the project's 2-core machine: seed 1.25, VGG16 1.21, ResNet50
1.16, MobileNetV2 1.33, DenseNet121 1.32, EfficientNetB0 1.36 (306 ms against 225 ms);
InceptionV3, with no sample spec, 285 ms.
Measured earlier with other jobs running (load average 8):
Keras JSON/.cnn 1.16 (seed), 1.37 (VGG16), 1.31 (ResNet50); `import onnx` 8.2 s as a
process, an ONNX summary 0.2 s beyond it. At load 1.3, `import onnx` took 2.2-2.4 s, of
which 1.85 s is `ml_dtypes` (imported by onnx for its float8 types, `python -X importtime
-c "import onnx"`): well over a second, so the ONNX reader is the slow one. Reading the
protobuf without the onnx package (a small wire-format reader for the graph, the
initializers' dims and the attributes) would remove it; it is not done yet.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERAS = ROOT / "tests" / "fixtures" / "keras"
ONNX = ROOT / "tests" / "fixtures" / "onnx"

#: (what, Keras model file, the same network as a spec, or None where samples/ has none);
#: the Keras ResNet50 has biases in its convolutions where torchvision's has none, otherwise
#: the same layers; MobileNetV2, DenseNet121 and EfficientNetB0 learn as many parameters as
#: the torchvision samples.
PAIRS = (
    ("seed", KERAS / "seed.json", ROOT / "samples" / "seed.cnn"),
    ("VGG16", KERAS / "vgg16.json", ROOT / "samples" / "vgg16.cnn"),
    ("ResNet50", KERAS / "resnet50.json", ROOT / "samples" / "resnet50.cnn"),
    ("MobileNetV2", KERAS / "mobilenetv2.json", ROOT / "samples" / "mobilenetv2.cnn"),
    ("DenseNet121", KERAS / "densenet121.json", ROOT / "samples" / "densenet121.cnn"),
    ("EfficientNetB0", KERAS / "efficientnetb0.json", ROOT / "samples" / "efficientnet_b0.cnn"),
    ("InceptionV3", KERAS / "inceptionv3.json", None),
    ("residual (.keras archive)", KERAS / "residual.keras", None),
)


def median_seconds(command: list[str], runs: int = 11) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    script = Path(sys.executable).with_name("cnndiagram")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cnndiagram.cli"]
    summary = [*command, "summary", "--format", "json"]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    bare = median_seconds([sys.executable, "-c", "pass"])
    print(f"bare interpreter start: {bare * 1000:7.1f} ms")
    for what, model, spec in PAIRS:
        keras = median_seconds([*summary, str(model)])
        if spec is None:
            print(f"{what:<26} keras {keras * 1000:7.1f} ms")
            continue
        cnn = median_seconds([*summary, str(spec)])
        print(
            f"{what:<26} keras {keras * 1000:7.1f} ms   .cnn {cnn * 1000:7.1f} ms   "
            f"ratio {keras / cnn:4.2f} (target <= 2)"
        )
    imported = median_seconds([sys.executable, "-c", "import onnx"], runs=5)
    print(f"import onnx (process):    {imported * 1000:7.1f} ms")
    for name, shape in (("resnet18_folded", "3x224x224"), ("mobilenet_relu6", "3x224x224")):
        seconds = median_seconds([*summary, str(ONNX / f"{name}.onnx"), "--input", shape], runs=5)
        print(
            f"summary {name}.onnx:  {seconds * 1000:7.1f} ms "
            f"({(seconds - imported) * 1000:6.1f} ms beyond import onnx)"
        )
    cnn = median_seconds([*summary, str(ROOT / "samples" / "resnet18.cnn")], runs=5)
    print(f"summary resnet18.cnn:     {cnn * 1000:7.1f} ms (for comparison)")


if __name__ == "__main__":
    main()
