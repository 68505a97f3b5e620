"""Writes Keras 3 model configurations and Keras' own parameter counts as fixtures, so the
tests check the Keras importer against real Keras without Keras installed.

    pip install torch==2.13.0 keras && KERAS_BACKEND=torch python tools/keras_fixtures.py

Each model is saved as `tests/fixtures/keras/<name>.json` (`model.to_json()`), one as a
`.keras` archive (its weights stripped: only `config.json` and the metadata are read), and
`counts.json` holds `{name: [trainable, non_trainable]}` as `model.summary()` counts them.
For the keras.applications models, `shapes.json` holds `{name: {layer: [dims...]}}`: each
layer's output shape as Keras reports it (channels last, the batch dimension dropped).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # the backend is chosen above, before the import
from keras import layers

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras"


def seed() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 5, activation="relu", name="conv2d1"),
            layers.MaxPooling2D(2, name="maxpool1"),
            layers.Conv2D(32, 3, activation="relu", name="conv2d2"),
            layers.MaxPooling2D(2, name="maxpool2"),
            layers.Flatten(name="flatten"),
            layers.Dense(256, activation="relu", name="dense"),
            layers.Dense(10, activation="softmax", name="output"),
        ],
        name="seed",
    )


def residual() -> keras.Model:
    inputs = keras.Input((32, 32, 3), name="image")
    x = layers.Conv2D(16, 3, padding="same", use_bias=False, name="stem")(inputs)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    y = layers.Conv2D(16, 3, padding="same", name="a")(x)
    y = layers.ReLU(name="a_relu")(y)
    y = layers.Conv2D(16, 3, padding="same", name="b")(y)
    x = layers.Add(name="add")([x, y])
    z = layers.Conv2D(8, 1, strides=2, padding="same", name="side")(x)
    w = layers.MaxPooling2D(3, strides=2, padding="same", name="pool")(x)
    x = layers.Concatenate(name="concat")([z, w])
    x = layers.SeparableConv2D(32, 3, depth_multiplier=2, padding="same", name="sep")(x)
    x = layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2, name="dw")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(0.2, name="drop")(x)
    outputs = layers.Dense(10, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name="residual")


def frozen() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((64, 64, 3)),
            layers.Rescaling(1 / 255, name="rescale"),
            layers.ZeroPadding2D(((1, 2), (0, 1)), name="pad"),
            layers.Conv2D(8, 3, strides=2, name="c1"),
            layers.BatchNormalization(name="bn", trainable=False),
            layers.LeakyReLU(0.1, name="leaky"),
            layers.Conv2DTranspose(4, 3, strides=2, padding="same", name="up"),
            layers.UpSampling2D(2, name="upsample"),
            layers.AveragePooling2D(4, name="avg"),
            layers.Flatten(name="flat"),
            layers.Dense(5, name="fc"),
        ],
        name="frozen",
    )
    model.get_layer("c1").trainable = False
    return model


def one_d() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((100, 2)),
            layers.Conv1D(16, 5, padding="same", activation="relu", name="c1"),
            layers.MaxPooling1D(2, name="p1"),
            layers.Conv1D(32, 3, dilation_rate=2, name="c2"),
            layers.GlobalMaxPooling1D(name="gmp"),
            layers.Dense(3, name="out"),
        ],
        name="audio",
    )


def three_d() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((8, 16, 16, 1)),
            layers.Conv3D(4, 3, padding="same", activation="relu", name="c1"),
            layers.MaxPooling3D(2, name="p1"),
            layers.Conv3D(8, (1, 3, 3), name="c2"),
            layers.Flatten(name="flat"),
            layers.Dense(2, name="out"),
        ],
        name="video",
    )


def nested() -> keras.Model:
    block = keras.Sequential(
        [layers.Conv2D(8, 3, padding="same", name="inner_conv"), layers.ReLU(name="inner_relu")],
        name="block",
    )
    inputs = keras.Input((16, 16, 3))
    x = block(inputs)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(4, name="out")(x)
    return keras.Model(inputs, outputs, name="nested")


def applications() -> dict[str, keras.Model]:
    apps = keras.applications
    return {
        "vgg16": apps.VGG16(weights=None),
        "resnet50": apps.ResNet50(weights=None),
        "mobilenetv2": apps.MobileNetV2(weights=None),
        "densenet121": apps.DenseNet121(weights=None),
        "efficientnetb0": apps.EfficientNetB0(weights=None),
        "inceptionv3": apps.InceptionV3(weights=None),
    }


def counts(model: keras.Model) -> list[int]:
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    fixed = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    return [trainable, fixed]


def shapes(model: keras.Model) -> dict[str, list[int]]:
    """Each layer's output shape without the batch dimension, as `model.summary()` shows it."""
    return {layer.name: list(layer.output.shape[1:]) for layer in model.layers}


def strip(model: keras.Model) -> bytes:
    """A `.keras` archive with its weights left out: the importer reads config.json only."""
    buffer = io.BytesIO()
    model.save(OUT / "_tmp.keras")
    with zipfile.ZipFile(OUT / "_tmp.keras") as source, zipfile.ZipFile(buffer, "w") as out:
        for name in ("config.json", "metadata.json"):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            out.writestr(info, source.read(name))
    (OUT / "_tmp.keras").unlink()
    return buffer.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    models = {
        "seed": seed(),
        "residual": residual(),
        "frozen": frozen(),
        "audio": one_d(),
        "video": three_d(),
        "nested": nested(),
    }
    apps = applications()
    models.update(apps)
    table = {}
    for name, model in models.items():
        (OUT / f"{name}.json").write_text(
            json.dumps(json.loads(model.to_json()), sort_keys=True) + "\n", encoding="utf-8"
        )
        table[name] = counts(model)
        print(f"{name}: trainable {table[name][0]:,}, non-trainable {table[name][1]:,}")
    (OUT / "residual.keras").write_bytes(strip(models["residual"]))
    (OUT / "counts.json").write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    sizes = {name: shapes(model) for name, model in apps.items()}
    (OUT / "shapes.json").write_text(json.dumps(sizes) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
