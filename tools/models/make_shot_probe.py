#!/usr/bin/python3
"""Writes a "shot probe": a tiny model with TransNetV2's interface (frames in, one value per frame out)
whose outputs are a known function of the frames, for testing `webconv shots` end to end against a
direct reimplementation of the reference protocol (tests/shots/shots_e2e_test.py).

For each frame t of a window: m[t] = mean of its pixels / 255; d[t] = |m[t] - m[t-1]|, with m[-1] = 0
at the window's start (so the first frame of every window differs from the rest, and any mistake in
which predictions are kept shows). Outputs:
    single:   10 * d - 1          a logit (no Sigmoid: the detector must apply it)
    many_hot: Sigmoid(20 * d - 2) a probability, named as TransNetV2's all-frames head

    /usr/bin/python3 tools/models/make_shot_probe.py OUT.onnx [--frames T|dynamic] [--layout nthwc|ncthw]
        [--dtype uint8|float32] [--height 27] [--width 48]
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper

from graph_builder import GraphBuilder


def build(frames, layout, dtype, height, width):
    b = GraphBuilder(seed=0)
    t_dim = "T" if frames == "dynamic" else int(frames)
    elem = TensorProto.UINT8 if dtype == "uint8" else TensorProto.FLOAT
    if layout == "nthwc":
        shape, spatial = [1, t_dim, height, width, 3], [2, 3, 4]
    else:
        shape, spatial = [1, 3, t_dim, height, width], [1, 3, 4]
    x = "frames"
    if dtype == "uint8":
        x = b.node("Cast", [x], "to_float", to=TensorProto.FLOAT)
    m = b.node("ReduceMean", [x], "frame_mean", axes=spatial, keepdims=0)           # [1, T]
    m = b.node("Mul", [m, b.const(np.array(1 / 255, np.float32), "inv255")], "scale")
    m3 = b.node("Unsqueeze", [m, b.const(np.array([1], np.int64), "axis")], "as_1d")  # [1, 1, T]
    kernel = b.const(np.array([[[-1.0, 1.0]]], np.float32), "diff_w")              # m[t] - m[t-1]
    d = b.node("Conv", [m3, kernel], "diff", pads=[1, 0], kernel_shape=[2])
    d = b.node("Abs", [d], "abs")
    d = b.node("Transpose", [d], "per_frame", perm=[0, 2, 1])                       # [1, T, 1]
    single = b.node("Add", [b.node("Mul", [d, b.const(np.array(10, np.float32), "k1")], "gain1"),
                            b.const(np.array(-1, np.float32), "b1")], "single")
    all_logit = b.node("Add", [b.node("Mul", [d, b.const(np.array(20, np.float32), "k2")], "gain2"),
                               b.const(np.array(-2, np.float32), "b2")], "all_logit")
    many = b.node("Sigmoid", [all_logit], "many_hot")
    outputs = [helper.make_tensor_value_info(single, TensorProto.FLOAT, [1, t_dim, 1]),
               helper.make_tensor_value_info(many, TensorProto.FLOAT, [1, t_dim, 1])]
    inp = helper.make_tensor_value_info("frames", elem, shape)
    graph = helper.make_graph(b.nodes, "shot_probe", [inp], outputs, b.inits)
    model = helper.make_model(graph, producer_name="webconv tools/models/make_shot_probe.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--frames", default="8")
    p.add_argument("--layout", choices=["nthwc", "ncthw"], default="nthwc")
    p.add_argument("--dtype", choices=["uint8", "float32"], default="uint8")
    p.add_argument("--height", type=int, default=27)
    p.add_argument("--width", type=int, default=48)
    a = p.parse_args()
    onnx.save(build(a.frames, a.layout, a.dtype, a.height, a.width), a.out)
    print(f"wrote {a.out} (shot probe, T={a.frames}, {a.layout}, {a.dtype}, {a.height}x{a.width})")


if __name__ == "__main__":
    main()
