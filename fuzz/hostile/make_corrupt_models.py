#!/usr/bin/python3
"""Writes a seeded corpus of corrupted ONNX models for the hostile-input test.

    /usr/bin/python3 fuzz/hostile/make_corrupt_models.py OUT_DIR [--seed N] [--count N]

The bases are a few small valid models built here (Conv, pools, ConvTranspose, Pad, Gemm, Reshape,
Resize, Expand with initializers), the bundled default model, and a few of Debian's ONNX backend test
models. Each case applies one kind of damage:
  bitflip     1-8 random bit flips
  truncate    the file cut at a random byte
  length      a length-delimited field's length varint replaced by a huge value
  varint      a varint rewritten to 10 bytes of 0xff (-1 or 2^64-1)
  dims        an initializer's or input's dims inflated (2^31, 2^40, 2^62, -1, 0, rank 100)
  attr        an integer attribute set to an extreme value, or an int list made long or empty
  graph       a node input renamed to an undefined value, an output duplicated, or a node made to
              read its own output (a cycle)
Then the cases of extra_cases.py: runtime index bounds (index), parse-time amplification (amplify) and
trapped output folders (outdir).
The seed is printed; the same seed writes the same corpus. A file MANIFEST lists each case with its
damage, and marks the cases the runner also sends to the WebGPU backend.
"""
import argparse
import os
import random
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import extra_cases

TESTDATA = "/usr/share/libonnx-testdata/data/node"
TESTDATA_MODELS = ["test_conv_with_strides_padding", "test_maxpool_2d_pads", "test_convtranspose_pads",
                   "test_resize_upsample_scales_linear", "test_expand_dim_changed", "test_slice",
                   "test_constantofshape_int_zeros", "test_reshape_reduced_dims"]


def build_bases(root):
    """Small valid models with weights as initializers, serialized."""
    rng = np.random.default_rng(7)
    f32 = TensorProto.FLOAT

    def model(nodes, inputs, outputs, inits, opset=13):
        g = helper.make_graph(nodes, "base", inputs, outputs,
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8
        return m.SerializeToString()

    x = helper.make_tensor_value_info("x", f32, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", f32, None)
    out = {}
    out["convnet"] = model(
        [helper.make_node("Pad", ["x", "pads"], ["p"], name="pad0", mode="constant"),
         helper.make_node("Conv", ["p", "w", "b"], ["c"], name="conv0", kernel_shape=[3, 3], strides=[1, 1]),
         helper.make_node("Relu", ["c"], ["r"], name="relu0"),
         helper.make_node("MaxPool", ["r"], ["m"], name="pool0", kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("Reshape", ["m", "shape"], ["f"], name="flat0"),
         helper.make_node("Gemm", ["f", "gw", "gb"], ["y"], name="fc0", transB=1)],
        [x], [y],
        {"pads": np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64),
         "w": rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "b": np.zeros(4, np.float32),
         "shape": np.array([1, -1], np.int64),
         "gw": rng.standard_normal((5, 64)).astype(np.float32), "gb": np.zeros(5, np.float32)})
    x3 = helper.make_tensor_value_info("x", f32, [1, 2, 4, 4, 4])
    out["conv3d_pool"] = model(
        [helper.make_node("Conv", ["x", "w"], ["c"], name="conv3d", pads=[0, 1, 1, 0, 1, 1], group=2),
         helper.make_node("AveragePool", ["c"], ["y"], name="avg3d", kernel_shape=[2, 2, 2],
                          ceil_mode=1, count_include_pad=0)],
        [x3], [y], {"w": rng.standard_normal((2, 1, 3, 3, 3)).astype(np.float32)})
    xt = helper.make_tensor_value_info("x", f32, [1, 2, 3, 3])
    out["convtranspose"] = model(
        [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="deconv", strides=[2, 2],
                          output_padding=[1, 1], pads=[0, 1, 1, 0])],
        [xt], [y], {"w": rng.standard_normal((2, 3, 3, 3)).astype(np.float32)})
    xs = helper.make_tensor_value_info("x", f32, [1, 1, 2, 2])
    out["resize_expand"] = model(
        [helper.make_node("Resize", ["x", "", "scales"], ["r"], name="up", mode="nearest"),
         helper.make_node("Expand", ["r", "eshape"], ["e"], name="expand"),
         helper.make_node("Transpose", ["e"], ["t"], name="perm", perm=[0, 1, 3, 2]),
         helper.make_node("Slice", ["t", "starts", "ends"], ["y"], name="slice")],
        [xs], [y],
        {"scales": np.array([1, 1, 2, 2], np.float32), "eshape": np.array([2, 1, 1, 1], np.int64),
         "starts": np.array([0, 1], np.int64), "ends": np.array([4, 4], np.int64)})
    default = os.path.join(root, "models", "small_mlp.onnx")
    if os.path.exists(default):
        with open(default, "rb") as f:
            out["default"] = f.read()
    for name in TESTDATA_MODELS:
        path = os.path.join(TESTDATA, name, "model.onnx")
        if os.path.exists(path):
            with open(path, "rb") as f:
                out[name] = f.read()
    return out


# ---- byte-level damage -------------------------------------------------------------------------

def read_varint(b, i):
    v, shift = 0, 0
    while i < len(b) and shift < 70:
        c = b[i]
        v |= (c & 0x7F) << shift
        i += 1
        if c < 0x80:
            return v, i
        shift += 7
    return None, i


def length_fields(b, start=0, end=None, depth=0, out=None):
    """Offsets of the length varints of length-delimited fields, recursing into those that parse as
    messages (a best-effort walk: a payload that is really a string simply fails to parse)."""
    out = [] if out is None else out
    end = len(b) if end is None else end
    i = start
    while i < end:
        tag, j = read_varint(b, i)
        if tag is None or tag >> 3 == 0:
            return out
        wire = tag & 7
        if wire == 0:
            _, j = read_varint(b, j)
        elif wire == 1:
            j += 8
        elif wire == 5:
            j += 4
        elif wire == 2:
            n, k = read_varint(b, j)
            if n is None or k + n > end:
                return out
            out.append((j, k))
            if depth < 6:
                length_fields(b, k, k + n, depth + 1, out)
            j = k + n
        else:
            return out
        i = j
    return out


def bitflip(b, rng):
    b = bytearray(b)
    for _ in range(rng.randint(1, 8)):
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b), "bitflip"


def truncate(b, rng):
    n = rng.randrange(len(b))
    return b[:n], f"truncate at {n}"


def inflate_length(b, rng):
    fields = length_fields(b)
    if not fields:
        return bitflip(b, rng)
    start, end = rng.choice(fields)
    big = rng.choice([len(b), len(b) * 2, 2**31, 2**32 + 1, 2**62, 2**64 - 1])
    enc = bytearray()
    v = big
    while True:
        c = v & 0x7F
        v >>= 7
        enc.append(c | (0x80 if v else 0))
        if not v:
            break
    return b[:start] + bytes(enc) + b[end:], f"length at {start} -> {big}"


def inflate_varint(b, rng):
    b = bytearray(b)
    i = rng.randrange(len(b))
    b[i:i + 1] = b"\xff" * 9 + b"\x01"
    return bytes(b), f"varint at {i} -> 0xff*9"


# ---- structural damage (through python3-onnx) ---------------------------------------------------

BIG_DIMS = [2**31, 2**32, 2**40, 2**62, -1, -(2**40), 0, 3**39]


def structural(b, rng, kind):
    from onnx import ModelProto
    m = ModelProto()
    try:
        m.ParseFromString(b)
    except Exception:  # noqa: BLE001 - python3-onnx raises DecodeError subclasses
        return bitflip(b, rng)
    g = m.graph
    what = kind
    if kind == "dims":
        choices = [("init", t) for t in g.initializer] + [("input", v) for v in g.input]
        if not choices:
            return bitflip(b, rng)
        where, obj = rng.choice(choices)
        if where == "init":
            if rng.random() < 0.2:
                obj.dims.extend([1] * 100)
                what = f"dims: initializer '{obj.name}' rank +100"
            else:
                k = rng.randrange(len(obj.dims)) if obj.dims else None
                v = rng.choice(BIG_DIMS)
                if k is None:
                    obj.dims.append(v)
                else:
                    obj.dims[k] = v
                what = f"dims: initializer '{obj.name}' dim {k} -> {v}"
        else:
            dims = obj.type.tensor_type.shape.dim
            if rng.random() < 0.2 or not dims:
                for _ in range(100):
                    dims.add().dim_value = 1
                what = f"dims: input '{obj.name}' rank +100"
            else:
                k = rng.randrange(len(dims))
                v = rng.choice(BIG_DIMS)
                dims[k].dim_value = v
                what = f"dims: input '{obj.name}' dim {k} -> {v}"
    elif kind == "attr":
        attrs = [(n, a) for n in g.node for a in n.attribute if a.type in (2, 7)]
        if not attrs:
            return bitflip(b, rng)
        node, a = rng.choice(attrs)
        v = rng.choice([0, -1, -(2**31), 2**31, 2**40, 2**62, -(2**63), 2**63 - 1, 1000])
        if a.type == 2:
            a.i = v
            what = f"attr: {node.name}.{a.name} = {v}"
        elif rng.random() < 0.3:
            del a.ints[:]
            a.ints.extend([v] * rng.choice([0, 1, 7, 100000]))
            what = f"attr: {node.name}.{a.name} = [{v}] * {len(a.ints)}"
        elif a.ints:
            a.ints[rng.randrange(len(a.ints))] = v
            what = f"attr: {node.name}.{a.name} element = {v}"
    elif kind == "graph":
        if not g.node:
            return bitflip(b, rng)
        node = rng.choice(g.node)
        choice = rng.randrange(3)
        if choice == 0 and node.input:
            node.input[rng.randrange(len(node.input))] = "no_such_value"
            what = f"graph: {node.name} reads an undefined value"
        elif choice == 1 and len(g.node) > 1:
            other = rng.choice([n for n in g.node if n is not node])
            other.output[0] = node.output[0]
            what = f"graph: output '{node.output[0]}' defined twice"
        else:
            node.input.append(node.output[0])
            what = f"graph: {node.name} reads its own output"
    return m.SerializeToString(), what


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--count", type=int, default=120)
    ap.add_argument("--webgpu-every", type=int, default=15, help="every Nth case also runs on WebGPU")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"hostile corpus seed {seed} (replay with --seed {seed})")
    rng = random.Random(seed)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    bases = build_bases(root)
    os.makedirs(args.out, exist_ok=True)
    kinds = ["bitflip", "truncate", "length", "varint", "dims", "dims", "attr", "attr", "graph"]
    manifest = [f"# seed {seed}"]
    for i in range(args.count):
        base_name = sorted(bases)[i % len(bases)]
        base = bases[base_name]
        kind = rng.choice(kinds)
        if kind == "bitflip":
            data, what = bitflip(base, rng)
        elif kind == "truncate":
            data, what = truncate(base, rng)
        elif kind == "length":
            data, what = inflate_length(base, rng)
        elif kind == "varint":
            data, what = inflate_varint(base, rng)
        else:
            data, what = structural(base, rng, kind)
        name = f"case{i:03d}_{base_name}.onnx"
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        gpu = "webgpu" if args.webgpu_every > 0 and i % args.webgpu_every == 0 else "cpu"
        manifest.append(f"{name}\t{gpu}\t{what}")
    manifest += extra_cases.index_cases(args.out, np.random.default_rng(seed))
    manifest += extra_cases.amplification_cases(args.out)
    own = {k: v for k, v in bases.items() if not k.startswith("test_")}  # run on random inputs
    manifest += extra_cases.outdir_cases(args.out, own)
    with open(os.path.join(args.out, "MANIFEST"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print(f"wrote {args.count} corrupted models from {len(bases)} bases, and {len(manifest) - 1 - args.count} "
          f"index, amplification and output-folder cases, to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
