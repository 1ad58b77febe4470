"""Hostile cases beyond damaged bytes, written beside the corrupted models (make_corrupt_models.py).

  index     a Gather / GatherElements / GatherND / ScatterND / ScatterElements whose indices are a graph
            input, with two index files: one in range (negatives included) and one with out-of-range
            values. The runner gives both to the CPU and WebGPU backends: in range they must write the same
            bytes; out of range both must fail (exit 3) with the same message.
  amplify   files of a few MB that declare millions of tiny entries (initializers, nodes, attributes,
            value_info, node inputs): parsing must stay within a memory bound and finish quickly.
  outdir    a valid model run into an output folder whose files are traps: a symbolic link to a victim
            file, a hard link to the model, a fifo, a folder, a file that is not .npy, a full disk. No
            trap may change the victim or the model, or leave a partial or temporary file.
Each function writes its files into `out` and returns MANIFEST lines: name, mode, description.
"""
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

# ---- index bounds ------------------------------------------------------------------------------

INDEX_OPS = [
    # op, data shape, indices shape, updates shape (None: a gather), attributes, valid range per entry
    ("Gather", (5, 3), (2, 4), None, {"axis": 0}, [5]),
    ("Gather", (2, 7), (6,), None, {"axis": 1}, [7]),
    ("GatherElements", (4, 3), (4, 3), None, {"axis": 0}, [4]),
    ("GatherND", (3, 4, 2), (5, 2), None, {}, [3, 4]),
    ("ScatterND", (6, 2), (3, 1), (3, 2), {}, [6]),
    ("ScatterElements", (3, 5), (2, 5), (2, 5), {"axis": 0}, [3]),
]


def index_model(op, data_shape, idx_shape, upd_shape, attrs, rng):
    f32 = TensorProto.FLOAT
    inits = [numpy_helper.from_array(rng.standard_normal(data_shape).astype(np.float32), "data")]
    inputs = ["data", "idx"]
    if upd_shape is not None:
        inits.append(numpy_helper.from_array(rng.standard_normal(upd_shape).astype(np.float32), "upd"))
        inputs.append("upd")
    g = helper.make_graph([helper.make_node(op, inputs, ["y"], name=f"{op.lower()}_node", **attrs)], "index",
                          [helper.make_tensor_value_info("idx", TensorProto.INT64, list(idx_shape))],
                          [helper.make_tensor_value_info("y", f32, None)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m.SerializeToString()


def _indices(op, idx_shape, ranges, rng, in_range):
    n = int(np.prod(idx_shape))
    m = len(ranges)
    if in_range and op == "ScatterND":  # distinct rows, so that the result is defined
        vals = rng.permutation(ranges[0])[:n] - rng.integers(0, 2) * ranges[0]
    elif in_range and op == "ScatterElements":  # distinct targets along the axis in every column
        cols = [rng.permutation(ranges[0])[:idx_shape[0]] for _ in range(idx_shape[1])]
        vals = np.stack(cols, axis=1).reshape(-1)
    else:
        vals = np.array([rng.integers(-ranges[k % m], ranges[k % m]) for k in range(n)])
    if not in_range:
        k = int(rng.integers(0, n))
        size = ranges[k % m]
        vals[k] = rng.choice([size, size + 3, -size - 1, 2**31 - 1, -(2**31)])
    return vals.astype(np.int64).reshape(idx_shape)


def index_cases(out, rng):
    lines = []
    for i, (op, d, s, u, attrs, ranges) in enumerate(INDEX_OPS):
        name = f"index{i:02d}_{op}.onnx"
        with open(os.path.join(out, name), "wb") as f:
            f.write(index_model(op, d, s, u, attrs, rng))
        np.save(os.path.join(out, name + ".inrange.npy"), _indices(op, s, ranges, rng, True))
        np.save(os.path.join(out, name + ".outofrange.npy"), _indices(op, s, ranges, rng, False))
        lines.append(f"{name}\tindex\tindex: {op} data {list(d)} indices {list(s)}")
    return lines


# ---- parse-time amplification ------------------------------------------------------------------

def _varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def _field(number, payload):
    """A length-delimited field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _model(graph_payload):
    opset = _field(8, bytes([0x10, 13]))  # opset_import { version: 13 }
    return bytes([0x08, 8]) + opset + _field(7, graph_payload)  # ir_version 8, graph


AMPLIFY_COUNT = 4_000_000


def amplification_models(n):
    """Models of `n` tiny entries each, by the kind of entry."""
    empty = lambda number: _varint(number << 3 | 2) + b"\x00"  # noqa: E731 - one empty entry
    return {
        "initializers": _model(empty(5) * n),                         # GraphProto.initializer
        "nodes": _model(empty(1) * n),                                # GraphProto.node
        "value_info": _model(empty(13) * n),                          # GraphProto.value_info
        "attributes": _model(_field(1, empty(5) * n)),                # one NodeProto, its attributes
        "node_inputs": _model(_field(1, empty(1) * n)),               # one NodeProto, empty input names
        "dims": _model(_field(5, bytes([0x08, 0x01]) * n)),           # one TensorProto with n dims
    }


def amplification_cases(out):
    n = AMPLIFY_COUNT
    lines = []
    for what, data in amplification_models(n).items():
        name = f"amplify_{what}.onnx"
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        lines.append(f"{name}\tamplify\tamplify: {n} tiny {what} in {len(data)} bytes")
    return lines


# ---- output folders ----------------------------------------------------------------------------

OUTDIR_TRAPS = ["symlink", "hardlink_model", "fifo", "folder", "not_npy", "full_disk", "npy_replaced"]


def outdir_cases(out, bases):
    """Valid models, run by the runner into trapped output folders (one trap per case)."""
    lines = []
    names = sorted(bases)
    for i, trap in enumerate(OUTDIR_TRAPS):
        base = names[i % len(names)]
        name = f"outdir{i:02d}_{base}.onnx"
        with open(os.path.join(out, name), "wb") as f:
            f.write(bases[base])
        lines.append(f"{name}\toutdir:{trap}\toutdir: {trap}")
    return lines
