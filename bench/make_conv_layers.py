#!/usr/bin/env python3
"""Writes single-Conv ONNX models for per-layer WebGPU Conv measurements (bench/device_conv.sh).

Random weights; each model's file name says its shape. Usage: make_conv_layers.py OUTDIR
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

# name: (input shape, output channels, kernel, pads, group)
LAYERS = {
    "c2d_3x3_256": ((1, 256, 56, 56), 256, (3, 3), [1, 1, 1, 1], 1),
    "c2d_1x1_512": ((1, 512, 56, 56), 512, (1, 1), [0, 0, 0, 0], 1),
    "c2d_3x3_64": ((1, 64, 112, 112), 64, (3, 3), [1, 1, 1, 1], 1),
    "c3d_3x3x3_64": ((1, 64, 16, 56, 56), 64, (3, 3, 3), [1, 1, 1, 1, 1, 1], 1),
    "c3d_1x1x1_128": ((1, 128, 16, 28, 28), 128, (1, 1, 1), [0] * 6, 1),
    "dw2d_3x3_256": ((1, 256, 112, 112), 256, (3, 3), [1, 1, 1, 1], 256),
    "dw3d_3x3x3_128": ((1, 128, 16, 56, 56), 128, (3, 3, 3), [1, 1, 1, 1, 1, 1], 128),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    for name, (xs, m, k, pads, group) in LAYERS.items():
        w = (rng.standard_normal((m, xs[1] // group) + k) * 0.05).astype(np.float32)
        node = helper.make_node("Conv", ["x", "w"], ["y"], pads=pads, group=group, kernel_shape=list(k))
        graph = helper.make_graph([node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, xs)],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                                  [numpy_helper.from_array(w, "w")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        save(model, os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main()
