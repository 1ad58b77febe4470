#!/usr/bin/python3
"""Writes small models the CLI contract tests use: unsupported ops, malformed attributes, a cycle.

    /usr/bin/python3 tools/models/make_test_models.py OUT_DIR
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def save(model, path):
    # Written without onnx.checker: some of these models are invalid on purpose.
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def model(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "t", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def main(out):
    os.makedirs(out, exist_ok=True)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    # Two unsupported nodes: run stops at the first, inspect lists both.
    save(model([helper.make_node("Relu", ["x"], ["a"], name="ok_relu"),
                helper.make_node("FancyUnknownOp", ["a"], ["b"], name="mystery_1"),
                helper.make_node("AnotherMissingOp", ["b"], ["y"], name="mystery_2")], [x], [y]),
         os.path.join(out, "unsupported.onnx"))
    # Transpose with a perm of the wrong length.
    save(model([helper.make_node("Transpose", ["x"], ["y"], name="bad_perm", perm=[1, 0, 2])], [x], [y]),
         os.path.join(out, "bad_attribute.onnx"))
    # A cycle: a -> b -> a.
    save(model([helper.make_node("Relu", ["b"], ["a"], name="cyc_a"),
                helper.make_node("Relu", ["a"], ["b"], name="cyc_b"),
                helper.make_node("Add", ["x", "a"], ["y"], name="use")], [x], [y]),
         os.path.join(out, "cycle.onnx"))
    # Broadcasting that cannot work: [2,3] + [4].
    w = numpy_helper.from_array(np.ones(4, np.float32), "w")
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="bad_bcast")], [x], [y], [w]),
         os.path.join(out, "bad_broadcast.onnx"))
    # An input consumed by an undefined name.
    save(model([helper.make_node("Add", ["x", "nowhere"], ["y"], name="dangling")], [x], [y]),
         os.path.join(out, "undefined_input.onnx"))
    # Invalid Conv attributes and shapes: each must end in exit 3 naming the node.
    x4 = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 6, 5, 5])
    y4 = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    def conv_model(fname, w_shape, **attrs):
        w = numpy_helper.from_array(np.ones(w_shape, np.float32), "w")
        save(model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv_17", **attrs)], [x4], [y4], [w]),
             os.path.join(out, fname))
    conv_model("conv_channels.onnx", [4, 4, 3, 3], group=2)          # 6 != 4 x 2
    conv_model("conv_pads_length.onnx", [4, 6, 3, 3], pads=[1, 1, 1])
    conv_model("conv_negative_pads.onnx", [4, 6, 3, 3], pads=[1, -1, 1, 1])
    conv_model("conv_kernel_shape.onnx", [4, 6, 3, 3], kernel_shape=[5, 5])
    conv_model("conv_output_below_1.onnx", [4, 6, 7, 7])               # 7x7 kernel on 5x5, no pads
    # A zero Pad in front of a Conv: folded away at load.
    pads = numpy_helper.from_array(np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64), "pads")
    w = numpy_helper.from_array(np.random.default_rng(5).standard_normal((4, 6, 3, 3)).astype(np.float32), "w")
    save(model([helper.make_node("Pad", ["x", "pads"], ["x_padded"], name="zero_pad", mode="constant"),
                helper.make_node("Conv", ["x_padded", "w"], ["y"], name="conv_after_pad")], [x4], [y4], [pads, w]),
         os.path.join(out, "pad_conv.onnx"))
    # Not a model at all.
    with open(os.path.join(out, "garbage.onnx"), "wb") as f:
        f.write(b"\xff\xff\xff\xff not a protobuf")
    print(f"wrote test models to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
