#!/usr/bin/python3
"""Writes the small convolutional model the WebAssembly core's browser test runs on WebGPU:
Conv(3->8, 3x3, pad 1) + Relu, MaxPool 2x2, Conv(8->4, 3x3, stride 2, group 2) + bias, on x[1,3,12,12].
Weights are seeded random, so the file is the same on every run. With --large-neg it writes instead
y = Neg(x) on x[rows, 1000] (rows symbolic): inputs large enough to take the staged upload path. With
--gpu-io, the same Conv model plus flat = Reshape(y, shape) (shape an int64 input, which the plan reads on
the host) and arg = ArgMax(flat, axis 1) (int64): the outputs and inputs of tests/web/gpu_buffers.mjs.

    /usr/bin/python3 tests/web_core/make_conv_model.py [--large-neg | --gpu-io] OUT.onnx
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def main(path, gpu_io=False):
    rng = np.random.default_rng(7)
    w1 = numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.3, "w1")
    b1 = numpy_helper.from_array(rng.standard_normal(8).astype(np.float32) * 0.1, "b1")
    w2 = numpy_helper.from_array(rng.standard_normal((4, 4, 3, 3)).astype(np.float32) * 0.3, "w2")
    b2 = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32) * 0.1, "b2")
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv_1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu_1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool_1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["y"], name="conv_2", strides=[2, 2], group=2,
                         pads=[1, 1, 1, 1]),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 3, 3])
    inputs, outputs = [x], [y]
    if gpu_io:
        nodes += [helper.make_node("Reshape", ["y", "shape"], ["flat"], name="reshape"),
                  helper.make_node("ArgMax", ["flat"], ["arg"], name="argmax", axis=1)]
        inputs.append(helper.make_tensor_value_info("shape", TensorProto.INT64, [2]))
        outputs += [helper.make_tensor_value_info("flat", TensorProto.FLOAT, None),
                    helper.make_tensor_value_info("arg", TensorProto.INT64, None)]
    g = helper.make_graph(nodes, "small_conv", inputs, outputs, [w1, b1, w2, b2])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def large_neg(path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", 1000])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", 1000])
    g = helper.make_graph([helper.make_node("Neg", ["x"], ["y"], name="neg")], "large_neg", [x], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


if __name__ == "__main__":
    if sys.argv[1] == "--large-neg":
        large_neg(sys.argv[2])
    elif sys.argv[1] == "--gpu-io":
        main(sys.argv[2], gpu_io=True)
    else:
        main(sys.argv[1])
