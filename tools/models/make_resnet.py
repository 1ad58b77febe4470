#!/usr/bin/python3
"""Writes a ResNet-style 2-D network (bottleneck blocks; seeded random weights, NOT trained) as ONNX.

Stem: Conv (stride 2), BatchNormalization, Relu (then a 3x3 stride-2 MaxPool in the ResNet-50 preset).
Stages of bottleneck blocks: 1x1 -> 3x3 -> 1x1 Convs, each followed by BatchNormalization (Relu after the
first two), the 3x3 having stride 2 in the first block of every stage but the first (ResNet v1.5
placement); a projection shortcut (1x1 Conv + BatchNormalization, strided like the block) where channels or
size change, else the identity; residual Add, Relu. Head: GlobalAveragePool, Flatten, Gemm (transB=1).
Opset 13.

    /usr/bin/python3 tools/models/make_resnet.py OUT.onnx [--resnet50 | --tiny] [--seed 1] [--batch 1]
        [--size S] [--width W] [--blocks B,B,...] [--classes K] [--features]

Presets (the size options override single values):
  --resnet50 (the default, for benchmarks): the real ResNet-50 layer shapes: 224x224 input, 7x7 stride-2
      stem with 64 channels and a 3x3 stride-2 MaxPool, stages of 3, 4, 6, 3 blocks with widths 64, 128,
      256, 512 (expansion 4), 1000 classes (about 4.1 GMAC per image).
  --tiny (for tests): 32x32 input, 3x3 stride-2 stem with 8 channels, no MaxPool, two stages of 2 and 1
      blocks with widths 8 and 16 (32 and 64 output channels), 10 classes.
--width sets the stem channels and the first stage's width (later stages double it).
--features adds the last stage's feature map as a second output "features" (the tests check it too: the
pooled "logits" alone would average a wrong border pixel away).
"""
import argparse

import onnx

from graph_builder import GraphBuilder

EXPANSION = 4


def conv_bn(b, x, cin, cout, kernel, stride, relu):
    pad = kernel // 2
    x = b.conv(x, cin, cout, kernel, stride, pads=[pad] * 4, bias=False)
    x = b.batchnorm(x, cout)
    return b.relu(x) if relu else x


def bottleneck(b, x, cin, width, stride):
    cout = width * EXPANSION
    y = conv_bn(b, x, cin, width, 1, 1, relu=True)
    y = conv_bn(b, y, width, width, 3, stride, relu=True)
    y = conv_bn(b, y, width, cout, 1, 1, relu=False)
    shortcut = x if (cin == cout and stride == 1) else conv_bn(b, x, cin, cout, 1, stride, relu=False)
    return b.relu(b.add(y, shortcut, "residual")), cout


def build(seed, batch, size, stem, widths, blocks, classes, resnet50_stem, features_output):
    b = GraphBuilder(seed)
    if resnet50_stem:
        x = conv_bn(b, "images", 3, stem, 7, 2, relu=True)
        x = b.node("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    else:
        x = conv_bn(b, "images", 3, stem, 3, 2, relu=True)
    c = stem
    for stage, (width, count) in enumerate(zip(widths, blocks)):
        for i in range(count):
            x, c = bottleneck(b, x, c, width, 2 if (i == 0 and stage > 0) else 1)
    features = x
    logits = b.rename_output(b.gemm_head(x, c, classes), "logits")
    outputs = [logits, b.rename_output(features, "features")] if features_output else [logits]
    kind = f"ResNet-style, {'7x7 stem + MaxPool' if resnet50_stem else '3x3 stem'}, widths {list(widths)}, " \
        f"blocks {list(blocks)}"
    return b.model(f"resnet_s{size}", [("images", [batch, 3, size, size])], outputs, 13,
                   "webconv tools/models/make_resnet.py",
                   f"{kind}, input {batch}x3x{size}x{size}, seed {seed}: random weights, not trained")


PRESETS = {
    "resnet50": dict(size=224, width=64, blocks="3,4,6,3", classes=1000, resnet50_stem=True),
    "tiny": dict(size=32, width=8, blocks="2,1", classes=10, resnet50_stem=False),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    preset = p.add_mutually_exclusive_group()
    preset.add_argument("--resnet50", action="store_true", help="the real ResNet-50 layer shapes (the default)")
    preset.add_argument("--tiny", action="store_true", help="the small test configuration")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, help="input height and width")
    p.add_argument("--width", type=int, help="stem channels and first stage width (doubling per stage)")
    p.add_argument("--blocks", help="bottleneck blocks per stage, comma-separated")
    p.add_argument("--classes", type=int)
    p.add_argument("--features", action="store_true", help="also output the last stage's feature map")
    a = p.parse_args()
    cfg = dict(PRESETS["tiny" if a.tiny else "resnet50"])
    cfg.update({k: v for k, v in (("size", a.size), ("width", a.width), ("blocks", a.blocks),
                                  ("classes", a.classes)) if v is not None})
    blocks = [int(s) for s in cfg["blocks"].split(",")]
    if not blocks or min(blocks) < 1 or min(cfg["size"], cfg["width"], cfg["classes"], a.batch) < 1:
        p.error("--blocks, --size, --width, --classes and --batch must be positive")
    widths = [cfg["width"] * 2**i for i in range(len(blocks))]
    model = build(a.seed, a.batch, cfg["size"], cfg["width"], widths, blocks, cfg["classes"], cfg["resnet50_stem"],
                  a.features)
    onnx.save(model, a.out)
    print(f"wrote {a.out} ({model.doc_string})")


if __name__ == "__main__":
    main()
