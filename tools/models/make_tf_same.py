#!/usr/bin/python3
"""Writes a TensorFlow-converted-style 2-D network (seeded random weights, NOT trained) as ONNX.

TF's padding='same' becomes auto_pad=SAME_UPPER in a tf2onnx export. With stride 2 on an even size, or an
even kernel, the padding it implies is asymmetric (begin != end): the case this model exists to cover.
Layers (input N x C x S x S, S even by default):
  stem:   3x3 stride-2 Conv SAME (pads 0/1 on even S), Relu
  pool:   3x3 stride-2 MaxPool SAME (pads 0/1 again)
  block:  3x3 Conv SAME, Relu, 4x4 Conv SAME (even kernel: pads 1/2 at stride 1), Add with the block input, Relu
  down:   3x3 stride-2 Conv SAME, Relu, 3x3 Conv SAME; shortcut 1x1 stride-2 Conv SAME; Add, Relu
  head:   5x5 stride-2 Conv SAME (pads 1/2 on even sizes), output "features" (a feature map, so every
          border pixel is compared, not a pooled summary)
--explicit-pads writes the twin: the same weights (same seed), with the pads each SAME_UPPER resolves to at
this input size spelled out as explicit begin/end pads. Both compute the same function. Opset 13.

    /usr/bin/python3 tools/models/make_tf_same.py OUT.onnx [--tiny] [--seed 1] [--batch 1] [--size S]
        [--channels C] [--explicit-pads]

Defaults (for benchmarks): input 1x3x224x224, 32 channels in the stem (64 after the downsampling).
--tiny (for tests): input 1x3x32x32, 8 channels. --size and --channels override either.
"""
import argparse

import onnx

from graph_builder import GraphBuilder, same_pads


class Net:
    def __init__(self, seed, explicit):
        self.b = GraphBuilder(seed)
        self.explicit = explicit

    def padding(self, size, kernel, stride):
        """Conv/pool padding attributes for one square layer at input size `size`, and its output size."""
        out = -(-size // stride)
        if not self.explicit:
            return {"auto_pad": "SAME_UPPER"}, out
        begin, end = same_pads(size, kernel, stride)
        return {"pads": [begin, begin, end, end]}, out

    def conv(self, x, size, cin, cout, kernel, stride=1):
        attrs, out = self.padding(size, kernel, stride)
        return self.b.conv(x, cin, cout, kernel, stride, pads=attrs.get("pads"), auto_pad=attrs.get("auto_pad")), out

    def maxpool(self, x, size, kernel, stride):
        attrs, out = self.padding(size, kernel, stride)
        return self.b.node("MaxPool", [x], "maxpool", kernel_shape=[kernel, kernel], strides=[stride, stride],
                           **attrs), out


def build(seed, batch, size, channels, explicit):
    net = Net(seed, explicit)
    b = net.b
    c = channels
    x, s = net.conv("images", size, 3, c, 3, 2)
    x = b.relu(x)
    x, s = net.maxpool(x, s, 3, 2)
    # Residual block at constant size.
    y, _ = net.conv(x, s, c, c, 3)
    y, _ = net.conv(b.relu(y), s, c, c, 4)
    x = b.relu(b.add(y, x, "residual"))
    # Downsampling block with a strided 1x1 shortcut.
    y, s2 = net.conv(x, s, c, 2 * c, 3, 2)
    y, _ = net.conv(b.relu(y), s2, 2 * c, 2 * c, 3)
    shortcut, _ = net.conv(x, s, c, 2 * c, 1, 2)
    x = b.relu(b.add(y, shortcut, "residual"))
    x, _ = net.conv(x, s2, 2 * c, 2 * c, 5, 2)
    features = b.rename_output(x, "features")
    style = "explicit pads" if explicit else "auto_pad=SAME_UPPER"
    return b.model(f"tf_same_s{size}", [("images", [batch, 3, size, size])], [features], 13,
                   "webconv tools/models/make_tf_same.py",
                   f"TF-style network ({style}), input {batch}x3x{size}x{size}, seed {seed}: random weights, not trained")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--tiny", action="store_true", help="the small test configuration")
    p.add_argument("--size", type=int, help="input height and width (even gives asymmetric pads)")
    p.add_argument("--channels", type=int)
    p.add_argument("--explicit-pads", action="store_true", help="the twin with SAME's pads written out")
    a = p.parse_args()
    size = a.size or (32 if a.tiny else 224)
    channels = a.channels or (8 if a.tiny else 32)
    model = build(a.seed, a.batch, size, channels, a.explicit_pads)
    onnx.save(model, a.out)
    print(f"wrote {a.out} ({model.doc_string})")


if __name__ == "__main__":
    main()
