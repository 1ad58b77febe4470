#!/usr/bin/python3
"""Writes a MobileNetV3-small-style classifier (seeded random weights, NOT trained) as ONNX.

The layer table of the MobileNetV3 paper's small variant (Table 2), as torchvision builds it: stem 3x3
stride-2 Conv, BatchNormalization, HardSwish; 11 bneck blocks: 1x1 expansion Conv (left out where the
expansion equals the input width), BatchNormalization, activation; depthwise 3x3 or 5x5 Conv (stride 2 in
the blocks that downsample), BatchNormalization, activation; squeeze-excite where the table has it
(GlobalAveragePool, 1x1 Conv, Relu, 1x1 Conv, HardSigmoid(alpha 1/6, beta 0.5), Mul broadcast over the
map); 1x1 projection Conv, BatchNormalization; residual Add where stride is 1 and widths match. Then a 1x1
Conv to 6x the last width, BatchNormalization, HardSwish, GlobalAveragePool, Flatten, Gemm, HardSwish,
Gemm (transB=1) to the classes. Activations are Relu or HardSwish per the table. BatchNormalization is
left unfused, as exporters write it. Opset 14 (HardSwish).

    /usr/bin/python3 tools/models/make_mobilenetv3.py OUT.onnx [--tiny] [--seed 1] [--batch 1]
        [--height H] [--width W] [--width-mult M] [--classes K] [--features]

Defaults (for benchmarks): a text-line shaped 1x3x48x192 input, width multiplier 1.0, 1000 classes; the
stride-2 blocks take 48x192 to 2x6 (padded Convs round up). --tiny (for tests): 32x96, width multiplier
0.25, 10 classes. --features adds the last block's feature map as a second output "features".
make_dbnet.py builds its backbone with backbone() from here.
"""
import argparse

import numpy as np
import onnx

from graph_builder import GraphBuilder

# (kernel, expansion, out, squeeze-excite, activation, stride): MobileNetV3-small, paper Table 2.
SMALL = ((3, 16, 16, True, "relu", 2), (3, 72, 24, False, "relu", 2), (3, 88, 24, False, "relu", 1),
         (5, 96, 40, True, "hswish", 2), (5, 240, 40, True, "hswish", 1), (5, 240, 40, True, "hswish", 1),
         (5, 120, 48, True, "hswish", 1), (5, 144, 48, True, "hswish", 1), (5, 288, 96, True, "hswish", 2),
         (5, 576, 96, True, "hswish", 1), (5, 576, 96, True, "hswish", 1))
STEM, HEAD_HIDDEN = 16, 1024
OPSET = 14


def make_divisible(v, divisor=8):
    """torchvision's channel rounding: nearest multiple of 8, at least 8, never more than 10% below v."""
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


class Blocks:
    """The layers of MobileNetV3 on a GraphBuilder (make_dbnet.py uses these too)."""

    def __init__(self, b):
        self.b = b

    def act(self, x, kind):
        if kind == "relu":
            return self.b.relu(x)
        return self.b.node("HardSwish", [x], "hswish") if kind == "hswish" else x

    def conv_bn(self, x, cin, cout, kernel, stride=1, group=1, act=None):
        pad = kernel // 2
        x = self.b.conv(x, cin, cout, kernel, stride, pads=[pad] * 4, group=group, bias=False)
        return self.act(self.b.batchnorm(x, cout), act)

    def squeeze_excite(self, x, c):
        b, squeeze = self.b, make_divisible(c // 4)
        s = b.node("GlobalAveragePool", [x], "se_pool")
        s = b.relu(b.conv(s, c, squeeze, 1, prefix="se_reduce"))
        s = b.conv(s, squeeze, c, 1, prefix="se_expand")
        s = b.node("HardSigmoid", [s], "se_gate", alpha=1.0 / 6, beta=0.5)
        return b.node("Mul", [x, s], "se_scale")

    def bneck(self, x, cin, kernel, expand, cout, se, act, stride):
        y = self.conv_bn(x, cin, expand, 1, act=act) if expand != cin else x
        y = self.conv_bn(y, expand, expand, kernel, stride, group=expand, act=act)
        if se:
            y = self.squeeze_excite(y, expand)
        y = self.conv_bn(y, expand, cout, 1)
        return self.b.add(y, x, "residual") if (stride == 1 and cin == cout) else y


def backbone(blocks, x, width_mult):
    """Stem, the 11 bnecks and the last 1x1 Conv. Returns (last bneck's map, last Conv's map, its channels,
    levels): levels are the (map, channels) pairs at strides 4, 8, 16 and 32 (the last Conv's map for 32), the
    maps each stride-2 bneck after the first starts from, as DBNet's FPN takes them."""
    c = make_divisible(STEM * width_mult)
    x = blocks.conv_bn(x, 3, c, 3, 2, act="hswish")
    stride, levels = 2, []
    for kernel, expand, cout, se, act, s in SMALL:
        if s == 2 and stride >= 4:
            levels.append((x, c))
        stride *= s
        expand, cout = make_divisible(expand * width_mult), make_divisible(cout * width_mult)
        x = blocks.bneck(x, c, kernel, expand, cout, se, act, s)
        c = cout
    last = 6 * c
    y = blocks.conv_bn(x, c, last, 1, act="hswish")
    levels.append((y, last))
    return x, y, last, levels


def build(seed, batch, height, width, width_mult, classes, features_output):
    b = GraphBuilder(seed)
    blocks = Blocks(b)
    features, x, c, _ = backbone(blocks, "x", width_mult)
    hidden = make_divisible(HEAD_HIDDEN * width_mult)
    x = b.node("GlobalAveragePool", [x], "gap")
    x = b.node("Flatten", [x], "flatten", axis=1)
    x = b.node("Gemm", [x, b.const(b.weight((hidden, c), c), "fc1_w"),
                        b.const((0.1 * b.rng.standard_normal(hidden)).astype(np.float32), "fc1_b")], "fc1", transB=1)
    x = blocks.act(x, "hswish")
    x = b.node("Gemm", [x, b.const(b.weight((classes, hidden), hidden, gain=1.0), "fc2_w"),
                        b.const((0.1 * b.rng.standard_normal(classes)).astype(np.float32), "fc2_b")], "fc2", transB=1)
    logits = b.rename_output(x, "logits")
    outputs = [logits, b.rename_output(features, "features")] if features_output else [logits]
    return b.model(f"mobilenetv3_small_{height}x{width}", [("x", [batch, 3, height, width])], outputs, OPSET,
                   "webconv tools/models/make_mobilenetv3.py",
                   f"MobileNetV3-small-style, width x{width_mult}, input {batch}x3x{height}x{width}, {classes} "
                   f"classes, seed {seed}: random weights, not trained")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--tiny", action="store_true", help="the small test configuration (32x96, width x0.25)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--height", type=int)
    p.add_argument("--width", type=int)
    p.add_argument("--width-mult", type=float, help="channel multiplier (default 1.0, --tiny 0.25)")
    p.add_argument("--classes", type=int)
    p.add_argument("--features", action="store_true", help="also output the last block's feature map")
    a = p.parse_args()
    cfg = dict(height=32, width=96, width_mult=0.25, classes=10) if a.tiny else \
        dict(height=48, width=192, width_mult=1.0, classes=1000)
    cfg.update({k: v for k, v in (("height", a.height), ("width", a.width), ("width_mult", a.width_mult),
                                  ("classes", a.classes)) if v is not None})
    if min(cfg["height"], cfg["width"], cfg["classes"], a.batch) < 1 or cfg["width_mult"] <= 0:
        p.error("--height, --width, --classes, --batch and --width-mult must be positive")
    model = build(a.seed, a.batch, cfg["height"], cfg["width"], cfg["width_mult"], cfg["classes"], a.features)
    onnx.save(model, a.out)
    print(f"wrote {a.out} ({model.doc_string})")


if __name__ == "__main__":
    main()
