#!/usr/bin/python3
"""Writes a MobileNetV2-style network (seeded random weights, NOT trained) as ONNX.

Stem: 3x3 stride-2 Conv, BatchNormalization, ReLU6. Inverted residual blocks: 1x1 expansion Conv (factor t,
left out when t = 1), BatchNormalization, ReLU6; depthwise 3x3 Conv (group = channels, stride s in a stage's
first block), BatchNormalization, ReLU6; 1x1 linear projection Conv, BatchNormalization; residual Add where
stride is 1 and channels match. Last 1x1 Conv, BatchNormalization, ReLU6, then GlobalAveragePool, Flatten,
Gemm (transB=1). ReLU6 is Clip with min/max as inputs (the opset 11+ form), opset 13.

--hardswish (opset 14): the hard-swish activations of MobileNetV3 instead of ReLU6, in both spellings
exporters write: the HardSwish op (opset 14) inside the blocks, and x * HardSigmoid(x) (alpha 1/6, beta 0.5)
in the stem and the last Conv.

    /usr/bin/python3 tools/models/make_mobilenetv2.py OUT.onnx [--full | --tiny] [--seed 1] [--batch 1]
        [--size S] [--hardswish] [--features]

Presets:
  --full (the default, for benchmarks): the published MobileNetV2 1.0 shapes: 224x224, stem 32, stages
      (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1), last
      Conv 1280, 1000 classes (about 0.3 GMAC per image).
  --tiny (for tests): 32x32, stem 8, stages (1,8,1,1) (6,12,2,2) (6,16,2,2), last Conv 32, 10 classes.
--size overrides the preset's input height and width.
--features adds the last block's feature map as a second output "features".
"""
import argparse

import numpy as np
import onnx

from graph_builder import GraphBuilder

TINY = dict(stem=8, stages=((1, 8, 1, 1), (6, 12, 2, 2), (6, 16, 2, 2)), last=32, classes=10, size=32)
FULL = dict(stem=32, stages=((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                             (6, 160, 3, 2), (6, 320, 1, 1)), last=1280, classes=1000, size=224)


class Net:
    def __init__(self, seed, hardswish):
        self.b = GraphBuilder(seed)
        self.hardswish = hardswish
        self.clip_min = self.b.const(np.array(0, np.float32), "relu6_min")
        self.clip_max = self.b.const(np.array(6, np.float32), "relu6_max")

    def act(self, x, outer=False):
        b = self.b
        if not self.hardswish:
            return b.node("Clip", [x, self.clip_min, self.clip_max], "relu6")
        if outer:
            gate = b.node("HardSigmoid", [x], "hsigmoid", alpha=1.0 / 6, beta=0.5)
            return b.node("Mul", [x, gate], "hswish_mul")
        return b.node("HardSwish", [x], "hswish")

    def conv_bn(self, x, cin, cout, kernel, stride=1, group=1, act=True, outer=False):
        pad = kernel // 2
        x = self.b.conv(x, cin, cout, kernel, stride, pads=[pad] * 4, group=group, bias=False)
        x = self.b.batchnorm(x, cout)
        return self.act(x, outer) if act else x

    def inverted_residual(self, x, cin, cout, expand, stride):
        hidden = cin * expand
        y = self.conv_bn(x, cin, hidden, 1) if expand != 1 else x
        y = self.conv_bn(y, hidden, hidden, 3, stride, group=hidden)
        y = self.conv_bn(y, hidden, cout, 1, act=False)
        return self.b.add(y, x, "residual") if (stride == 1 and cin == cout) else y


def build(seed, batch, size, cfg, hardswish, features_output):
    net = Net(seed, hardswish)
    b = net.b
    x = net.conv_bn("images", 3, cfg["stem"], 3, 2, outer=True)
    c = cfg["stem"]
    for t, cout, n, s in cfg["stages"]:
        for i in range(n):
            x = net.inverted_residual(x, c, cout, t, s if i == 0 else 1)
            c = cout
    features = x
    x = net.conv_bn(x, c, cfg["last"], 1, outer=True)
    logits = b.rename_output(b.gemm_head(x, cfg["last"], cfg["classes"]), "logits")
    outputs = [logits, b.rename_output(features, "features")] if features_output else [logits]
    act = "hard-swish" if hardswish else "ReLU6"
    return b.model(f"mobilenetv2_s{size}", [("images", [batch, 3, size, size])], outputs, 14 if hardswish else 13,
                   "webconv tools/models/make_mobilenetv2.py",
                   f"MobileNetV2-style ({act}), stem {cfg['stem']}, input {batch}x3x{size}x{size}, seed {seed}: "
                   "random weights, not trained")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, default=None, help="input height and width (default: the preset's)")
    p.add_argument("--hardswish", action="store_true", help="HardSwish / x*HardSigmoid(x) instead of ReLU6 (opset 14)")
    p.add_argument("--features", action="store_true", help="also output the last block's feature map")
    preset = p.add_mutually_exclusive_group()
    preset.add_argument("--full", action="store_true", help="the published MobileNetV2 1.0 shapes (the default)")
    preset.add_argument("--tiny", action="store_true", help="the small test configuration")
    a = p.parse_args()
    cfg = TINY if a.tiny else FULL
    model = build(a.seed, a.batch, a.size or cfg["size"], cfg, a.hardswish, a.features)
    onnx.save(model, a.out)
    print(f"wrote {a.out} ({model.doc_string})")


if __name__ == "__main__":
    main()
