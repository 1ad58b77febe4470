#!/usr/bin/python3
"""Writes a TransNetV2-architecture model (seeded random weights, NOT trained) as ONNX.

The architecture follows soCzech/TransNetV2 (backbone of 3 stacks x 2 dilated DCNN blocks with 4
(2+1)-D branches each, frame-similarity branch, per-frame head), as webconv's issue tracker describes
it. Two export styles:
  torch: explicit pads on every Conv ([0,1,1,0,1,1] and [d,0,0,d,0,0])
  tf:    auto_pad=SAME_UPPER on every Conv, including the dilated temporal ones (the tf2onnx form)
Both compute the same function.

    /usr/bin/python3 tools/models/make_transnetv2.py OUT.onnx [--frames T] [--style torch|tf]
        [--backbone-only [--dynamic-frames]] [--seed N] [--height 27] [--width 48]

--height/--width change the frame size from TransNetV2's 27x48 (at least 8 each: three 2x2 pools follow);
small frames keep tests fast on a CPU-emulated GPU.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper

from graph_builder import GraphBuilder

FILTERS = (16, 32, 64)
DILATIONS = (1, 2, 4, 8)
BN_EPS = 1e-3


class Builder(GraphBuilder):
    def __init__(self, rng, style):
        super().__init__(rng=rng)
        self.style = style

    def conv(self, x, cin, cout, kernel, dilation, pads):
        fan_in = cin * int(np.prod(kernel))
        w = (self.rng.standard_normal((cout, cin) + kernel) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        attrs = {"kernel_shape": list(kernel), "dilations": list(dilation)}
        if self.style == "tf":
            attrs["auto_pad"] = "SAME_UPPER"
        else:
            attrs["pads"] = pads
        return self.node("Conv", [x, self.const(w, "w")], "conv", **attrs)

    def batchnorm(self, x, c):
        r = self.rng
        scale = (1 + 0.1 * r.standard_normal(c)).astype(np.float32)
        bias = (0.1 * r.standard_normal(c)).astype(np.float32)
        mean = (0.1 * r.standard_normal(c)).astype(np.float32)
        var = (1 + 0.2 * r.random(c)).astype(np.float32)
        ins = [x] + [self.const(a, p) for a, p in ((scale, "bn_scale"), (bias, "bn_bias"), (mean, "bn_mean"),
                                                   (var, "bn_var"))]
        return self.node("BatchNormalization", ins, "bn", epsilon=BN_EPS)

    def dcnn_block(self, x, cin, filters, relu):
        branches = []
        for d in DILATIONS:
            # (2+1)-D pair: spatial 1x3x3 to 2F channels, then temporal 3x1x1 (dilated) to F channels.
            s = self.conv(x, cin, 2 * filters, (1, 3, 3), (1, 1, 1), [0, 1, 1, 0, 1, 1])
            branches.append(self.conv(s, 2 * filters, filters, (3, 1, 1), (d, 1, 1), [d, 0, 0, d, 0, 0]))
        x = self.node("Concat", branches, "concat", axis=1)
        x = self.batchnorm(x, 4 * filters)
        return self.node("Relu", [x], "relu") if relu else x

    def stack(self, x, cin, filters):
        first = self.dcnn_block(x, cin, filters, relu=True)
        second = self.dcnn_block(first, 4 * filters, filters, relu=False)
        x = self.node("Relu", [second], "relu")
        x = self.node("Add", [x, first], "shortcut")
        return self.node("AveragePool", [x], "pool", kernel_shape=[1, 2, 2], strides=[1, 2, 2])

    def linear(self, x, cin, cout, bias=True):
        w = (self.rng.standard_normal((cin, cout)) * np.sqrt(1.0 / cin)).astype(np.float32)
        y = self.node("MatMul", [x, self.const(w, "fc_w")], "matmul")
        if bias:
            b = (0.1 * self.rng.standard_normal(cout)).astype(np.float32)
            y = self.node("Add", [y, self.const(b, "fc_b")], "fc_bias")
        return y


def build(frames, style, backbone_only, seed, dynamic=False, height=27, width=48):
    b = Builder(np.random.default_rng(seed), style)
    h3, w3 = height // 8, width // 8  # frame size after the three 2x2 average pools
    x, cin, stack_outputs = "frames", 3, []
    for f in FILTERS:
        x = b.stack(x, cin, f)
        stack_outputs.append((x, 4 * f))
        cin = 4 * f
    outputs = []
    if backbone_only:
        t_out = "T" if dynamic else frames
        outputs.append(helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, 256, t_out, h3, w3]))
    else:
        # Frame similarity: spatial means of every stack, projected, L2-normalized, compared frame to frame.
        means = [b.node("ReduceMean", [s], "spatial_mean", axes=[3, 4], keepdims=0) for s, _ in stack_outputs]
        feats = b.node("Concat", means, "concat_means", axis=1)                 # [1, 448, T]
        feats = b.node("Transpose", [feats], "per_frame", perm=[0, 2, 1])      # [1, T, 448]
        proj = b.linear(feats, sum(c for _, c in stack_outputs), 128, bias=False)
        norm = b.node("ReduceL2", [proj], "l2", axes=[2], keepdims=1)
        norm = b.node("Max", [norm, b.const(np.array(1e-12, np.float32), "eps")], "l2_eps")
        unit = b.node("Div", [proj, norm], "normalize")
        unit_t = b.node("Transpose", [unit], "unit_t", perm=[0, 2, 1])
        sim = b.node("MatMul", [unit, unit_t], "similarity")                   # [1, T, T]
        sim = b.node("Relu", [b.linear(sim, frames, 128)], "sim_relu")
        # Head: backbone features per frame, with the similarity features, to one probability per frame.
        per_frame = b.node("Transpose", [x], "frame_major", perm=[0, 2, 3, 4, 1])  # [1, T, 3, 6, 256]
        shape = b.const(np.array([1, frames, 256 * h3 * w3], np.int64), "shape")
        per_frame = b.node("Reshape", [per_frame, shape], "flatten_frame")
        h = b.node("Concat", [per_frame, sim], "concat_head", axis=2)
        h = b.node("Relu", [b.linear(h, 256 * h3 * w3 + 128, 1024)], "fc1_relu")
        logits = b.linear(h, 1024, 1)
        prob = b.node("Sigmoid", [logits], "probabilities")
        outputs.append(helper.make_tensor_value_info(prob, TensorProto.FLOAT, [1, frames, 1]))
    t_dim = "T" if backbone_only and dynamic else frames
    inp = helper.make_tensor_value_info("frames", TensorProto.FLOAT, [1, 3, t_dim, height, width])
    graph = helper.make_graph(b.nodes, f"transnetv2_{style}_t{frames}", [inp], outputs, b.inits)
    model = helper.make_model(graph, producer_name="webconv tools/models/make_transnetv2.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    frame_size = "" if (height, width) == (27, 48) else f", frames {height}x{width}"
    model.doc_string = (f"TransNetV2 architecture, {style} export style, T={frames}{frame_size}, seed {seed}: "
                        "random weights, not trained")
    # `webconv shots` warns about a model carrying this: its scenes mean nothing.
    onnx.helper.set_model_props(model, {"webconv.weights": "random (not trained)"})
    onnx.checker.check_model(model)
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--style", choices=["torch", "tf"], default="torch")
    p.add_argument("--backbone-only", action="store_true")
    p.add_argument("--seed", type=int, default=2020)
    p.add_argument("--dynamic-frames", action="store_true", help="backbone only: T is a symbolic dim")
    p.add_argument("--height", type=int, default=27, help="frame height (TransNetV2: 27)")
    p.add_argument("--width", type=int, default=48, help="frame width (TransNetV2: 48)")
    a = p.parse_args()
    if a.dynamic_frames and not a.backbone_only:
        p.error("--dynamic-frames needs --backbone-only (the head's weights depend on T)")
    if min(a.height, a.width) < 8:
        p.error("--height and --width must be at least 8 (three 2x2 pools)")
    onnx.save(build(a.frames, a.style, a.backbone_only, a.seed, a.dynamic_frames, a.height, a.width), a.out)
    print(f"wrote {a.out} (TransNetV2 {a.style} style, T={a.frames}, seed {a.seed}; random weights, not trained)")


if __name__ == "__main__":
    main()
