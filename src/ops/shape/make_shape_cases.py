#!/usr/bin/python3
"""Writes ONNX backend-test case folders for the shape family's opset forms that the ONNX suite leaves
out (Reshape's shape attribute before opset 5, Squeeze/Unsqueeze axes attributes before 13, Flatten
before 11, Constant's value_* forms, ConstantOfShape's value types) and for view chains whose aliased
buffers feed kernels, for `webconv test-onnx` on both backends. Expected outputs come from numpy.

usage: make_shape_cases.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

NP_TO_ONNX = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64,
              np.dtype(np.int32): TensorProto.INT32, np.dtype(np.bool_): TensorProto.BOOL,
              np.dtype(np.uint8): TensorProto.UINT8}


def write_case(root, name, opset, nodes, feeds, results, initializers=()):
    d = os.path.join(root, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    vi = lambda n, v: helper.make_tensor_value_info(n, NP_TO_ONNX[v.dtype], list(v.shape))
    graph = helper.make_graph(nodes, name, [vi(n, v) for n, v in feeds], [vi(n, v) for n, v in results],
                              initializer=[numpy_helper.from_array(v, n) for n, v in initializers])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(model, os.path.join(d, "model.onnx"))
    for i, (n, v) in enumerate(feeds):
        onnx.save_tensor(numpy_helper.from_array(v, n), os.path.join(d, "test_data_set_0", f"input_{i}.pb"))
    for i, (n, v) in enumerate(results):
        onnx.save_tensor(numpy_helper.from_array(v, n), os.path.join(d, "test_data_set_0", f"output_{i}.pb"))


def main():
    root = sys.argv[1]
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    node = helper.make_node

    # Reshape with the shape attribute (opsets 1-4), 0 and -1 included.
    for opset in (1, 4):
        write_case(root, f"reshape{opset}_attr", opset, [node("Reshape", ["x"], ["y"], shape=[0, -1, 2])],
                   [("x", x)], [("y", x.reshape(2, 6, 2))])
    # allowzero=1 keeps a 0 literally (an empty input).
    e = np.zeros((0, 3), dtype=np.float32)
    write_case(root, "reshape14_allowzero_empty", 14, [node("Reshape", ["x", "s"], ["y"], allowzero=1)],
               [("x", e)], [("y", e.reshape(3, 0))], [("s", np.array([3, 0], dtype=np.int64))])
    # Reshape of an int64 and a bool tensor (storage words of other types).
    xi = np.arange(24, dtype=np.int64).reshape(2, 3, 4) - 12
    write_case(root, "reshape13_int64", 13, [node("Reshape", ["x", "s"], ["y"])], [("x", xi)],
               [("y", xi.reshape(4, 6))], [("s", np.array([4, -1], dtype=np.int64))])
    xb = xi % 3 == 0
    write_case(root, "reshape13_bool", 13, [node("Reshape", ["x", "s"], ["y"])], [("x", xb)],
               [("y", xb.reshape(24))], [("s", np.array([-1], dtype=np.int64))])

    # Flatten before opset 11 (non-negative axes only) and of a scalar.
    write_case(root, "flatten9_axis0", 9, [node("Flatten", ["x"], ["y"], axis=0)], [("x", x)],
               [("y", x.reshape(1, 24))])
    write_case(root, "flatten1_axis3", 1, [node("Flatten", ["x"], ["y"], axis=3)], [("x", x)],
               [("y", x.reshape(24, 1))])
    s = np.array(5.0, dtype=np.float32)
    write_case(root, "flatten13_scalar", 13, [node("Flatten", ["x"], ["y"], axis=0)], [("x", s)],
               [("y", s.reshape(1, 1))])

    # Squeeze/Unsqueeze with axes attributes (opsets 1 and 11), without axes, and as inputs (13).
    u = rng.standard_normal((1, 3, 1, 2, 1)).astype(np.float32)
    write_case(root, "squeeze1_all", 1, [node("Squeeze", ["x"], ["y"])], [("x", u)], [("y", u.reshape(3, 2))])
    write_case(root, "squeeze11_negative", 11, [node("Squeeze", ["x"], ["y"], axes=[-1, 0])], [("x", u)],
               [("y", u.reshape(3, 1, 2))])
    write_case(root, "squeeze13_no_axes", 13, [node("Squeeze", ["x"], ["y"])], [("x", u)],
               [("y", u.reshape(3, 2))])
    write_case(root, "squeeze13_axes_input", 13, [node("Squeeze", ["x", "a"], ["y"])], [("x", u)],
               [("y", u.reshape(3, 2, 1))], [("a", np.array([2, 0], dtype=np.int64))])
    write_case(root, "unsqueeze1_attr", 1, [node("Unsqueeze", ["x"], ["y"], axes=[0, 4])], [("x", x)],
               [("y", x.reshape(1, 2, 3, 4, 1))])
    write_case(root, "unsqueeze11_negative", 11, [node("Unsqueeze", ["x"], ["y"], axes=[-1, 1])], [("x", x)],
               [("y", x.reshape(2, 1, 3, 4, 1))])
    write_case(root, "unsqueeze13_scalar", 13, [node("Unsqueeze", ["x", "a"], ["y"])], [("x", s)],
               [("y", s.reshape(1, 1))], [("a", np.array([0, 1], dtype=np.int64))])

    # Shape before opset 15, and an empty slice (start after end).
    write_case(root, "shape1", 1, [node("Shape", ["x"], ["y"])], [("x", x)],
               [("y", np.array([2, 3, 4], dtype=np.int64))])
    write_case(root, "shape15_empty_slice", 15, [node("Shape", ["x"], ["y"], start=2, end=1)], [("x", x)],
               [("y", np.zeros([0], dtype=np.int64))])

    # Size at its first opset, of a scalar, of an empty tensor and of a bool tensor, and a Size whose
    # (folded) value reaches a kernel.
    write_case(root, "size1", 1, [node("Size", ["x"], ["y"])], [("x", x)], [("y", np.array(24, dtype=np.int64))])
    write_case(root, "size13_scalar", 13, [node("Size", ["x"], ["y"])], [("x", s)],
               [("y", np.array(1, dtype=np.int64))])
    write_case(root, "size13_empty", 13, [node("Size", ["x"], ["y"])], [("x", np.zeros((2, 0, 3), np.float32))],
               [("y", np.array(0, dtype=np.int64))])
    write_case(root, "size13_bool", 13, [node("Size", ["x"], ["y"])], [("x", xb)],
               [("y", np.array(xb.size, dtype=np.int64))])
    write_case(root, "size13_scales_input", 13,
               [node("Size", ["x"], ["n"]), node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT),
                node("Mul", ["x", "nf"], ["y"])], [("x", x)], [("y", x * np.float32(x.size))])

    # Constant forms, each added to a fed tensor so the constant reaches a kernel.
    def constant_case(name, opset, attrs, value):
        z = np.zeros(value.shape, dtype=value.dtype)
        write_case(root, name, opset, [node("Constant", [], ["c"], **attrs), node("Add", ["z", "c"], ["y"])],
                   [("z", z)], [("y", value)])
    constant_case("constant12_value_float", 12, {"value_float": 2.5}, np.array(2.5, dtype=np.float32))
    constant_case("constant12_value_floats", 12, {"value_floats": [1.0, -2.0, 3.5]},
                  np.array([1.0, -2.0, 3.5], dtype=np.float32))
    constant_case("constant13_value_int", 13, {"value_int": -7}, np.array(-7, dtype=np.int64))
    constant_case("constant13_value_ints", 13, {"value_ints": [4, -5, 6]},
                  np.array([4, -5, 6], dtype=np.int64))
    ci = np.array([[1, -2], [3, 2147483647]], dtype=np.int32)
    constant_case("constant9_int32_tensor", 9, {"value": numpy_helper.from_array(ci)}, ci)
    write_case(root, "constant1_identity", 1,
               [node("Constant", [], ["c"], value=numpy_helper.from_array(x)),
                node("Identity", ["c"], ["y"])], [], [("y", x)])

    # ConstantOfShape with each value type the GPU holds, and an empty shape (a scalar).
    for name, v in [("float", np.array([-1.25], dtype=np.float32)), ("int64", np.array([-3], dtype=np.int64)),
                    ("int32", np.array([2147483647], dtype=np.int32)), ("bool", np.array([True])),
                    ("uint8", np.array([255], dtype=np.uint8))]:
        write_case(root, f"constantofshape_{name}", 9,
                   [node("ConstantOfShape", ["s"], ["y"], value=numpy_helper.from_array(v))],
                   [("s", np.array([2, 3], dtype=np.int64))], [("y", np.full((2, 3), v[0], dtype=v.dtype))])
    write_case(root, "constantofshape_scalar_default", 9, [node("ConstantOfShape", ["s"], ["y"])],
               [("s", np.zeros([0], dtype=np.int64))], [("y", np.array(0, dtype=np.float32))])

    # Views whose aliased buffers feed kernels, end as outputs, or alias a graph input directly.
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 6)).astype(np.float32)
    nodes = [node("Reshape", ["a", "s"], ["r"]), node("Add", ["r", "b"], ["sum"]),
             node("Unsqueeze", ["sum", "ax"], ["u"]), node("Flatten", ["u"], ["f"], axis=1),
             node("Squeeze", ["f", "ax"], ["y"]), node("Identity", ["a"], ["ida"])]
    write_case(root, "view_chain13", 13, nodes, [("a", a), ("b", b)],
               [("y", (a.reshape(4, 6) + b).reshape(24)), ("ida", a)],
               [("s", np.array([4, 6], dtype=np.int64)), ("ax", np.array([0], dtype=np.int64))])


if __name__ == "__main__":
    main()
