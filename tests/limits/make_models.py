#!/usr/bin/python3
"""Writes the models the limits CLI tests use.

    /usr/bin/python3 tests/limits/make_models.py OUT_DIR

two_shape_errors.onnx: two Adds whose operands cannot be broadcast, on separate branches, so that
`inspect` must report both and `run` the first, each naming the file, the node and the op.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def main(out):
    os.makedirs(out, exist_ok=True)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    ya = helper.make_tensor_value_info("ya", TensorProto.FLOAT, None)
    yb = helper.make_tensor_value_info("yb", TensorProto.FLOAT, None)
    w4 = numpy_helper.from_array(np.ones(4, np.float32), "w4")
    w5 = numpy_helper.from_array(np.ones(5, np.float32), "w5")
    g = helper.make_graph([helper.make_node("Add", ["x", "w4"], ["a"], name="bad_a"),
                           helper.make_node("Relu", ["a"], ["ya"], name="after_a"),
                           helper.make_node("Add", ["x", "w5"], ["yb"], name="bad_b")],
                          "t", [x], [ya, yb], [w4, w5])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    with open(os.path.join(out, "two_shape_errors.onnx"), "wb") as f:
        f.write(m.SerializeToString())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
