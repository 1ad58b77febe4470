#!/usr/bin/python3
"""Writes ONNX backend-style case folders for MatMul and Gemm on awkward shapes.

Each case is DIR/<name>/model.onnx plus test_data_set_0/input_*.pb and output_*.pb, so that
`webconv test-onnx DIR --backend webgpu|cpu` runs them all. Expected outputs are computed with numpy in
float64 (int64 for integer types) and cast once to the output type.

Covered: M, N, K over {1, 3, 7, 33, 65, 130} (every M x N pair, every K against every M and N), batch
broadcast, 1-D operands, each tile variant the WebGPU kernel picks, integer types, and Gemm with every
transA / transB / alpha / beta / C-shape combination, the opset < 7 `broadcast` form and C omitted.

Values: most cases draw multiples of 1/8 in [-1, 1] (with dyadic alpha/beta), so every product and
partial sum is exact in float32 and any summation order gives the float64 answer bit for bit: a
failure then means wrong indexing, never rounding. Every third case instead draws positive values,
where float32 accumulation is checked against float64 without cancellation.

Cases needing a type the WebGPU backend cannot hold (float16, float64, uint64) are listed in
DIR/manifest.txt as webgpu skips; pass it with --manifest.

Usage (Debian's python3 with python3-onnx 1.12 and numpy):
  /usr/bin/python3 tools/models/make_matmul_cases.py OUT_DIR [--seed N]
"""

import argparse
import itertools
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZES = [1, 3, 7, 33, 65, 130]
GPU_UNSUPPORTED = {np.float16: "float16", np.float64: "float64", np.uint64: "uint64"}
ONNX_TYPE = {
    np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE, np.float16: TensorProto.FLOAT16,
    np.int32: TensorProto.INT32, np.int64: TensorProto.INT64, np.uint32: TensorProto.UINT32,
    np.uint64: TensorProto.UINT64,
}


class Writer:
    def __init__(self, out_dir, seed):
        self.out_dir = out_dir
        self.rng = np.random.default_rng(seed)
        self.count = 0
        self.names = set()
        self.manifest = []

    def values(self, shape, dtype):
        """Operand values: exact dyadic (two cases in three) or positive, as the docstring explains."""
        if np.issubdtype(dtype, np.integer):
            lo = 0 if np.issubdtype(dtype, np.unsignedinteger) else -20
            return self.rng.integers(lo, 21, size=shape).astype(dtype)
        if self.count % 3 == 2:
            return self.rng.uniform(0.5, 1.0, size=shape).astype(dtype)
        return (self.rng.integers(-8, 9, size=shape) / 8.0).astype(dtype)

    def write(self, name, opset, node, inputs, expected, initializers=()):
        """inputs: list of (name, array) fed at run time; initializers: (name, array) baked in."""
        assert name not in self.names, name
        self.names.add(name)
        self.count += 1
        dtype = expected.dtype.type
        def info(n, a):
            return helper.make_tensor_value_info(n, ONNX_TYPE[a.dtype.type], list(a.shape))
        graph = helper.make_graph(
            [node], name, [info(n, a) for n, a in inputs], [info("Y", expected)],
            initializer=[numpy_helper.from_array(a, n) for n, a in initializers])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  producer_name="make_matmul_cases")
        model.ir_version = 7 if opset < 13 else 8
        onnx.checker.check_model(model)
        case = os.path.join(self.out_dir, name)
        data = os.path.join(case, "test_data_set_0")
        os.makedirs(data)
        onnx.save(model, os.path.join(case, "model.onnx"))
        for i, (n, a) in enumerate(inputs):
            onnx.save_tensor(numpy_helper.from_array(a, n), os.path.join(data, "input_%d.pb" % i))
        onnx.save_tensor(numpy_helper.from_array(expected, "Y"), os.path.join(data, "output_0.pb"))
        if dtype in GPU_UNSUPPORTED:
            self.manifest.append("%s@webgpu skip %s is not held on the GPU" % (name, GPU_UNSUPPORTED[dtype]))


def wide(a):
    return a.astype(np.int64) if np.issubdtype(a.dtype, np.integer) else a.astype(np.float64)


def shape_tag(shape):
    return "x".join(str(d) for d in shape) if shape else "scalar"


def matmul_case(w, a_shape, b_shape, dtype=np.float32, opset=13, tag="", b_const=False):
    a, b = w.values(a_shape, dtype), w.values(b_shape, dtype)
    expected = np.matmul(wide(a), wide(b)).astype(dtype)
    name = "mm_%s_%s_%s%s" % (np.dtype(dtype).name, shape_tag(a_shape), shape_tag(b_shape), tag)
    node = helper.make_node("MatMul", ["A", "B"], ["Y"])
    inputs = [("A", a)] if b_const else [("A", a), ("B", b)]
    w.write(name + ("_bconst" if b_const else "") + "_op%d" % opset, opset, node, inputs, expected,
            [("B", b)] if b_const else ())


def gemm_expected(a, b, c, alpha, beta, trans_a, trans_b, dtype):
    aw, bw = wide(a), wide(b)
    aw = aw.T if trans_a else aw
    bw = bw.T if trans_b else bw
    if np.issubdtype(dtype, np.integer) and float(alpha).is_integer() and float(beta).is_integer():
        y = int(alpha) * (aw @ bw)
        if c is not None and beta != 0:
            y = y + int(beta) * wide(c)
        return y.astype(dtype)
    y = np.float64(alpha) * (aw @ bw).astype(np.float64)
    if c is not None and beta != 0:
        y = y + np.float64(beta) * c.astype(np.float64)
    # Integer types truncate toward zero, as numpy's cast does.
    return y.astype(dtype)


def num_tag(v):
    return ("m" if v < 0 else "") + str(abs(v)).replace(".", "p")


def gemm_case(w, m, n, k, trans_a, trans_b, alpha, beta, c_shape, dtype=np.float32, opset=13,
              broadcast=None, empty_c_name=False, consts=()):
    a = w.values((k, m) if trans_a else (m, k), dtype)
    b = w.values((n, k) if trans_b else (k, n), dtype)
    c = None if c_shape is None else w.values(c_shape, dtype)
    expected = gemm_expected(a, b, c, alpha, beta, trans_a, trans_b, dtype)
    attrs = {"transA": int(trans_a), "transB": int(trans_b), "alpha": float(alpha), "beta": float(beta)}
    if broadcast is not None:
        attrs["broadcast"] = broadcast
    node_inputs = ["A", "B"] + (["C"] if c is not None else [""] if empty_c_name else [])
    node = helper.make_node("Gemm", node_inputs, ["Y"], **attrs)
    feeds = [(nm, v) for nm, v in (("A", a), ("B", b), ("C", c)) if v is not None and nm not in consts]
    inits = [(nm, v) for nm, v in (("A", a), ("B", b), ("C", c)) if v is not None and nm in consts]
    c_tag = "noc" if c is None else "c" + shape_tag(c_shape)
    name = "gemm_%s_m%d_n%d_k%d_ta%d_tb%d_a%s_b%s_%s" % (
        np.dtype(dtype).name, m, n, k, trans_a, trans_b, num_tag(alpha), num_tag(beta), c_tag)
    if broadcast is not None:
        name += "_bc%d" % broadcast
    if empty_c_name:
        name += "_emptyname"
    if consts:
        name += "_const" + "".join(consts)
    w.write(name + "_op%d" % opset, opset, node, feeds, expected, inits)


def matmul_cases(w):
    # Every M x N pair; K cycles so that each K meets each M and each N.
    for i, m in enumerate(SIZES):
        for j, n in enumerate(SIZES):
            matmul_case(w, (m, SIZES[(i + j) % len(SIZES)]), (SIZES[(i + j) % len(SIZES)], n))
    # 1-D operands: the promoted dim is removed from the output.
    for a_shape, b_shape in [((7,), (7, 5)), ((3, 7), (7,)), ((7,), (7,)), ((130,), (130,)),
                             ((2, 3, 7), (7,)), ((7,), (2, 7, 5)), ((130,), (130, 65)), ((65, 33), (33,)),
                             ((1,), (1, 1))]:
        matmul_case(w, a_shape, b_shape)
    # Batch broadcast, including batch dims of 1 on either side and a 2-D operand against a batch.
    for a_shape, b_shape in [((2, 1, 5, 7), (3, 7, 4)), ((3, 1, 7, 33), (1, 5, 33, 130)),
                             ((4, 33, 65), (65, 7)), ((7, 3), (2, 3, 3, 65)), ((1, 1, 3, 4), (2, 1, 4, 5)),
                             ((2, 3, 65, 1), (1, 1, 130)), ((5, 1, 1, 2, 3), (1, 4, 1, 3, 2)),
                             ((2, 2, 2, 2, 2, 2, 3, 1), (1, 2, 1, 2, 1, 2, 1, 3))]:
        matmul_case(w, a_shape, b_shape)
    # Shapes that select each WebGPU tile (kernel.cc's ChooseTiles): thin (M <= 8), small, medium (>= 256
    # workgroups of 64 x 64) and large (>= 256 workgroups of 128 x 128).
    for a_shape, b_shape in [((8, 300), (300, 129)), ((9, 64), (64, 64)), ((130, 130), (130, 130)),
                             ((16, 257, 33), (33, 259)), ((64, 130, 33), (64, 33, 130))]:
        matmul_case(w, a_shape, b_shape)
    # Weights as an initializer (the usual Linear layout); other types and older opsets.
    matmul_case(w, (3, 33, 65), (65, 7), b_const=True)
    matmul_case(w, (7, 33), (33, 3), opset=1)
    matmul_case(w, (7, 33), (33, 3), opset=9)
    for dtype in (np.int32, np.int64, np.uint32):
        matmul_case(w, (3, 7), (7, 5), dtype=dtype, opset=9)
        matmul_case(w, (2, 1, 33, 5), (3, 5, 65), dtype=dtype)
        matmul_case(w, (7,), (7, 130), dtype=dtype)
    for dtype in (np.float16, np.float64, np.uint64):
        matmul_case(w, (2, 1, 5, 7), (3, 7, 4), dtype=dtype)


def gemm_cases(w):
    triples = list(itertools.product(SIZES, SIZES, SIZES))
    pick = w.rng.permutation(len(triples))
    combos = itertools.product([0, 1], [0, 1], [1.0, -1.25], [1.0, 0.5, 0.0],
                               [None, (), (1,), ("N",), (1, "N"), ("M", 1), ("M", "N"), (1, 1)])
    for i, (ta, tb, alpha, beta, c_shape) in enumerate(combos):
        m, n, k = triples[pick[i % len(triples)]]
        if c_shape is not None:
            c_shape = tuple(m if d == "M" else n if d == "N" else d for d in c_shape)
        gemm_case(w, m, n, k, ta, tb, alpha, beta, c_shape)
    # Opset forms: C required before 11, `broadcast` before 7 (0: C is exactly (M, N)).
    gemm_case(w, 7, 33, 65, 0, 1, 1.0, 1.0, (33,), opset=6, broadcast=1)
    gemm_case(w, 7, 33, 65, 1, 0, 0.5, 2.0, (7, 33), opset=6, broadcast=0)
    gemm_case(w, 3, 5, 4, 0, 0, 1.0, 1.0, (1,), opset=1, broadcast=1)
    gemm_case(w, 65, 3, 130, 0, 1, 1.0, 1.0, (1, 3), opset=7)
    gemm_case(w, 65, 3, 130, 0, 0, 1.0, 1.0, (3,), opset=9)
    gemm_case(w, 33, 7, 65, 1, 1, 2.0, 1.0, None, opset=11)
    gemm_case(w, 33, 7, 65, 0, 0, 1.0, 1.0, None, opset=11, empty_c_name=True)
    # Linear layer: constant weight (transB) and bias; transposed problems on the medium and large tiles.
    gemm_case(w, 65, 130, 33, 0, 1, 1.0, 1.0, (130,), consts=("B", "C"))
    gemm_case(w, 257, 300, 65, 1, 1, 0.5, -1.25, (257, 1))
    gemm_case(w, 1025, 1030, 7, 1, 0, 2.0, 0.5, (1030,))
    gemm_case(w, 1930, 1925, 5, 1, 1, -1.25, 0.5, (1930, 1))
    for dtype in (np.int32, np.int64, np.uint32):
        gemm_case(w, 33, 7, 65, 0, 1, 2.0, 3.0, (7,), dtype=dtype, opset=9)
        gemm_case(w, 7, 5, 3, 1, 0, 1.0, 1.0, (7, 1), dtype=dtype)
    gemm_case(w, 7, 5, 3, 0, 0, 0.5, 1.0, (5,), dtype=np.int32)
    for dtype in (np.float16, np.float64, np.uint64):
        gemm_case(w, 7, 5, 3, 1, 1, 0.5, 2.0, (1, 5), dtype=dtype)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out_dir")
    p.add_argument("--seed", type=int, default=20240611)
    args = p.parse_args()
    print("seed: %d" % args.seed)
    if os.path.isdir(args.out_dir):
        shutil.rmtree(args.out_dir)
    os.makedirs(args.out_dir)
    w = Writer(args.out_dir, args.seed)
    matmul_cases(w)
    gemm_cases(w)
    with open(os.path.join(args.out_dir, "manifest.txt"), "w") as f:
        f.write("# Written by make_matmul_cases.py: types the WebGPU backend does not hold.\n")
        f.write("".join(line + "\n" for line in w.manifest))
    print("wrote %d cases to %s (%d webgpu skips in manifest.txt)" % (w.count, args.out_dir, len(w.manifest)))


if __name__ == "__main__":
    sys.exit(main())
