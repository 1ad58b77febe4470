#!/usr/bin/env python3
"""Writes the three one-Conv models of the grouped-Conv probe (NOTES.md, "Branch Convs as one grouped
Conv"): a plain grouped Conv (group 4, 3x1x1, dilation 2 along D, same-size pads) of each shape of
TransNetV2's temporal convs taken four at a time. Random weights (seed 1). Usage: make_grouped_probe.py OUTDIR
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

SHAPES = {"g4_128to64_27x48": (128, 64, 100, 27, 48), "g4_256to128_13x24": (256, 128, 100, 13, 24),
          "g4_512to256_6x12": (512, 256, 100, 6, 12)}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(1)
    for name, (cin, cout, d, h, w) in SHAPES.items():
        weight = rng.standard_normal((cout, cin // 4, 3, 1, 1)).astype(np.float32) * 0.1
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, cin, d, h, w])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
        node = helper.make_node("Conv", ["x", "w"], ["y"], group=4, dilations=[2, 1, 1], pads=[2, 0, 0, 2, 0, 0],
                                name="temporal")
        graph = helper.make_graph([node], name, [x], [y], [numpy_helper.from_array(weight, "w")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        save(model, os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main()
