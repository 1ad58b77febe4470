#!/usr/bin/python3
"""Writes ONNX backend-test case folders for Cast and CastLike between the types the WebGPU backend
holds (float32, int8..int64, uint8..uint32, bool), for `webconv test-onnx` on both backends.

The expected outputs follow webconv's documented rules (src/ops/cast/convert.h), computed here with
numpy independently of the C++ code: float -> integer truncates toward zero, NaN gives 0, and values
beyond the target's range saturate; integer -> integer wraps; -> bool is "nonzero"; -> float rounds to
nearest even. The ONNX suite has no case for these pairs (its Cast cases need float16/float64/bfloat16).

int64 travels through 32-bit GPU words, so int64 inputs, and inputs feeding an int64 output, stay within
int32's range.

usage: make_cast_cases.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TYPES = {
    "float32": (np.float32, TensorProto.FLOAT, "FLOAT"),
    "int8": (np.int8, TensorProto.INT8, "INT8"),
    "uint8": (np.uint8, TensorProto.UINT8, "UINT8"),
    "int16": (np.int16, TensorProto.INT16, "INT16"),
    "uint16": (np.uint16, TensorProto.UINT16, "UINT16"),
    "int32": (np.int32, TensorProto.INT32, "INT32"),
    "uint32": (np.uint32, TensorProto.UINT32, "UINT32"),
    "int64": (np.int64, TensorProto.INT64, "INT64"),
    "bool": (np.bool_, TensorProto.BOOL, "BOOL"),
}

FLOATS = [0.0, -0.0, 0.4, -0.6, 1.5, -1.5, 2.5, 126.9, 127.5, 128.0, -128.9, -129.0, 255.9, 256.0, -1.0,
          32767.7, 32768.0, -32769.0, 65535.5, 65536.0, 16777217.0, 2147483520.0, 2147483648.0, -2147483648.0,
          -2147483904.0, 4294967040.0, 4294967296.0, 1e20, -1e20, np.inf, -np.inf, np.nan, 1e-30, 3.999]
INTS = [0, 1, -1, 2, 127, 128, -128, -129, 255, 256, 32767, 32768, -32769, 65535, 65536, 16777216,
        16777217, 16777219, 33554435, 2147483647, -2147483648, -2147483647, 123456789, -987654321,
        2147483648, 3000000001, 4294967295]


def source_values(src, dst):
    if src == "float32":
        v = np.array(FLOATS, dtype=np.float64)
        if dst == "int64":  # keep int64 results within the 32-bit words the GPU stores
            v = v[np.isnan(v) | ((v > -2147483649.0) & (v < 2147483648.0))]
        return v.astype(np.float32)
    if src == "bool":
        return np.array([True, False, True, True, False], dtype=np.bool_)
    info = np.iinfo(TYPES[src][0])
    lo, hi = info.min, info.max
    if src == "int64" or (dst == "int64" and src == "uint32"):
        lo, hi = max(lo, -2**31), min(hi, 2**31 - 1)
    v = [x for x in INTS if lo <= x <= hi]
    return np.array(v, dtype=np.int64).astype(TYPES[src][0])


def expected(x, dst):
    np_dst = TYPES[dst][0]
    if dst == "bool":
        return x != 0  # NaN != 0 is True
    if x.dtype == np.float32 and dst != "float32":
        info = np.iinfo(np_dst)
        t = np.trunc(x.astype(np.float64))
        t = np.where(np.isnan(t), 0.0, t)
        out = np.empty(t.shape, dtype=np_dst)
        for i, v in enumerate(t):
            out[i] = info.max if v > info.max else info.min if v < info.min else int(v)
        return out
    if dst == "float32":
        if x.dtype == np.float32:
            return x.copy()
        # Every source here is within 2^53, so int -> float64 is exact and -> float32 rounds once.
        return x.astype(np.float64).astype(np.float32)
    # integer -> integer: two's-complement wraparound
    bits = np.dtype(np_dst).itemsize * 8
    out = []
    for v in x.astype(np.int64).tolist():
        w = v & ((1 << bits) - 1)
        if np.issubdtype(np_dst, np.signedinteger) and w >= 1 << (bits - 1):
            w -= 1 << bits
        out.append(w)
    return np.array(out, dtype=np_dst)


def write_case(root, name, nodes, inputs, outputs, opset, feeds, results):
    d = os.path.join(root, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    graph = helper.make_graph(nodes, name, inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(model, os.path.join(d, "model.onnx"))
    for i, (n, v) in enumerate(feeds):
        onnx.save_tensor(numpy_helper.from_array(v, n), os.path.join(d, "test_data_set_0", f"input_{i}.pb"))
    for i, (n, v) in enumerate(results):
        onnx.save_tensor(numpy_helper.from_array(v, n), os.path.join(d, "test_data_set_0", f"output_{i}.pb"))


def main():
    root = sys.argv[1]
    for src in TYPES:
        for dst in TYPES:
            x = source_values(src, dst)
            y = expected(x, dst)
            n = len(x)
            vi_x = helper.make_tensor_value_info("x", TYPES[src][1], [n])
            vi_y = helper.make_tensor_value_info("y", TYPES[dst][1], [n])
            # Cast-13 (`to` as a number) and Cast-5 (`to` as a name, the pre-opset-6 form).
            node = helper.make_node("Cast", ["x"], ["y"], to=TYPES[dst][1])
            write_case(root, f"cast_{src}_to_{dst}", [node], [vi_x], [vi_y], 13, [("x", x)], [("y", y)])
            node = helper.make_node("Cast", ["x"], ["y"], to=TYPES[dst][2])
            write_case(root, f"cast5_{src}_to_{dst}", [node], [vi_x], [vi_y], 5, [("x", x)], [("y", y)])
            like = np.zeros([2], dtype=TYPES[dst][0])
            vi_l = helper.make_tensor_value_info("like", TYPES[dst][1], [2])
            node = helper.make_node("CastLike", ["x", "like"], ["y"])
            write_case(root, f"castlike_{src}_to_{dst}", [node], [vi_x, vi_l], [vi_y], 15,
                       [("x", x), ("like", like)], [("y", y)])
    # int -> float32 -> int32 chains compare exactly, so they check the rounding of large integers (ties
    # included) that the float tolerance of a single Cast would hide.
    for src in ["int32", "uint32", "int64"]:
        x = source_values(src, "int32")
        y = expected(expected(x, "float32"), "int32")
        n = len(x)
        nodes = [helper.make_node("Cast", ["x"], ["f"], to=TensorProto.FLOAT),
                 helper.make_node("Cast", ["f"], ["y"], to=TensorProto.INT32)]
        write_case(root, f"cast_roundtrip_{src}_float32", nodes,
                   [helper.make_tensor_value_info("x", TYPES[src][1], [n])],
                   [helper.make_tensor_value_info("y", TensorProto.INT32, [n])], 13, [("x", x)], [("y", y)])


if __name__ == "__main__":
    main()
