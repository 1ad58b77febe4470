#!/usr/bin/python3
"""Writes a small 3-D U-Net (seeded random weights, NOT trained) as ONNX.

Encoder (each level: 3x3x3 Conv, BatchNormalization, Relu, pads 1):
  level 0 at the input size D x H x W (any sizes, odd allowed)
  level 1 after a 3x3x3 stride-2 Conv (pads 1): ceil(n / 2) per axis
  level 2 (bottleneck) after a 2x2x2 MaxPool (stride 2): level 1's sizes must be even
Decoder:
  up to level 1: ConvTranspose 2x2x2 stride 2, Concat with level 1's skip on channels, conv block
  up to level 0: ConvTranspose 3x3x3 stride 2 pads 1 with output_padding (n % 2 == 0 ? 1 : 0 per axis) so the
                 result has level 0's size again (odd and even sizes give different output_padding per axis),
                 Concat with level 0's skip, conv block
Head: 1x1x1 Conv to the classes, then Softmax over channels (axis 1), or Sigmoid with --sigmoid. Opset 13.

    /usr/bin/python3 tools/models/make_unet3d.py OUT.onnx [--tiny] [--seed 1] [--batch 1] [--size D,H,W]
        [--in-channels 1] [--channels C] [--classes 3] [--sigmoid]

Defaults (for benchmarks): input 1x1x64x64x64, 16 base channels (32 at level 1, 64 at the bottleneck),
3 classes with Softmax.
--tiny (for tests): input 1x1x8x8x7 (odd W: per-axis output_padding 1,1,0), 4 base channels.
--size and --channels override either.
"""
import argparse

import onnx

from graph_builder import GraphBuilder


def conv_block(b, x, cin, cout):
    x = b.conv(x, cin, cout, (3, 3, 3), 1, pads=[1] * 6)
    return b.relu(b.batchnorm(x, cout))


def build(seed, batch, size, in_channels, c, classes, sigmoid):
    b = GraphBuilder(seed)
    level1 = [-(-n // 2) for n in size]
    if any(n % 2 for n in level1):
        raise ValueError(f"level 1 sizes {level1} must be even for the 2x2x2 MaxPool")
    skip0 = conv_block(b, "volume", in_channels, c)
    x = b.relu(b.conv(skip0, c, 2 * c, (3, 3, 3), 2, pads=[1] * 6, prefix="down_conv"))
    skip1 = conv_block(b, x, 2 * c, 2 * c)
    x = b.node("MaxPool", [skip1], "maxpool", kernel_shape=[2, 2, 2], strides=[2, 2, 2])
    x = conv_block(b, x, 2 * c, 4 * c)
    x = b.conv_transpose(x, 4 * c, 2 * c, (2, 2, 2), (2, 2, 2))
    x = b.node("Concat", [x, skip1], "skip_concat", axis=1)
    x = conv_block(b, x, 4 * c, 2 * c)
    out_pad = [1 - n % 2 for n in size]
    x = b.conv_transpose(x, 2 * c, c, (3, 3, 3), (2, 2, 2), pads=[1] * 6, output_padding=out_pad)
    x = b.node("Concat", [x, skip0], "skip_concat", axis=1)
    x = conv_block(b, x, 2 * c, c)
    x = b.conv(x, c, classes, (1, 1, 1), 1, prefix="head")
    x = b.node("Sigmoid", [x], "sigmoid") if sigmoid else b.node("Softmax", [x], "softmax", axis=1)
    seg = b.rename_output(x, "segmentation")
    return b.model(f"unet3d_{'x'.join(map(str, size))}", [("volume", [batch, in_channels] + list(size))], [seg], 13,
                   "webconv tools/models/make_unet3d.py",
                   f"3-D U-Net, base {c} channels, input {batch}x{in_channels}x{'x'.join(map(str, size))}, "
                   f"{classes} classes ({'sigmoid' if sigmoid else 'softmax'}), seed {seed}: random weights, not trained")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--tiny", action="store_true", help="the small test configuration")
    p.add_argument("--size", help="D,H,W of the input")
    p.add_argument("--in-channels", type=int, default=1)
    p.add_argument("--channels", type=int, help="base channels (doubled per level)")
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--sigmoid", action="store_true", help="Sigmoid instead of the channel Softmax")
    a = p.parse_args()
    size = [int(s) for s in (a.size or ("8,8,7" if a.tiny else "64,64,64")).split(",")]
    channels = a.channels or (4 if a.tiny else 16)
    if len(size) != 3 or min(size) < 1:
        p.error("--size needs three positive sizes D,H,W")
    try:
        model = build(a.seed, a.batch, size, a.in_channels, channels, a.classes, a.sigmoid)
    except ValueError as e:
        p.error(str(e))
    onnx.save(model, a.out)
    print(f"wrote {a.out} ({model.doc_string})")


if __name__ == "__main__":
    main()
