#!/usr/bin/python3
"""Assembles the fuzzers' seed corpora from Debian's ONNX test data, the bundled model and generated
.npy files.

    /usr/bin/python3 fuzz/make_seed_corpus.py OUT_DIR

writes OUT_DIR/onnx_loader, OUT_DIR/session and OUT_DIR/tensor_io. Every model goes to onnx_loader;
session gets a spread of them (each is run on the CPU backend, so fewer keep a short run useful);
tensor_io gets .pb tensors and .npy files, each prefixed with the byte the target uses to pick its
parser (0: TensorProto, 1: .npy). The committed regression corpus (fuzz/regressions/) is added too,
including the models under regressions/cli/.
"""
import hashlib
import io
import os
import shutil
import sys

import numpy as np

TESTDATA = "/usr/share/libonnx-testdata/data"


def put(folder, data, name=None):
    os.makedirs(folder, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def npy_bytes(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array)
    else:
        np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


def main(out):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    for t in ("onnx_loader", "session", "tensor_io"):
        shutil.rmtree(os.path.join(out, t), ignore_errors=True)
    models, tensors = [], []
    for dirpath, _, files in os.walk(TESTDATA):
        for f in files:
            p = os.path.join(dirpath, f)
            if f.endswith(".onnx"):
                models.append(p)
            elif f.endswith(".pb"):
                tensors.append(p)
    models.sort()
    tensors.sort()
    default = os.path.join(root, "models", "small_mlp.onnx")
    if os.path.exists(default):
        models.append(default)
    for i, p in enumerate(models):
        with open(p, "rb") as f:
            data = f.read()
        if len(data) > 256 * 1024:
            continue
        put(os.path.join(out, "onnx_loader"), data)
        if i % 4 == 0 or "/simple/" in p or p == default:
            put(os.path.join(out, "session"), data)
    for p in tensors[::8]:
        with open(p, "rb") as f:
            data = f.read()
        if len(data) <= 64 * 1024:
            put(os.path.join(out, "tensor_io"), b"\0" + data)
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((2, 3)).astype(np.float32), np.arange(5, dtype=np.int64),
              np.array(3.5, np.float64), np.zeros((0, 4), np.float16), np.ones((2, 2, 2), np.bool_),
              np.arange(6, dtype=np.uint8).reshape(3, 2)]
    for a in arrays:
        put(os.path.join(out, "tensor_io"), b"\1" + npy_bytes(a))
    put(os.path.join(out, "tensor_io"), b"\1" + npy_bytes(arrays[0], version=(2, 0)))
    # Headers NumPy refuses (a key twice, fortran_order not a bool, an unclosed dict, an unknown key) and
    # data followed by trailing bytes: the parser must refuse or warn, never read them its own way.
    good = npy_bytes(arrays[1])
    for old, new in ((b"'shape': (5,)", b"'shape': (5,), 'shape': (4,)"), (b"False", b"'yes'"),
                     (b"}", b" "), (b"'shape'", b"'extra': 1, 'shape'")):
        put(os.path.join(out, "tensor_io"), b"\1" + good.replace(old, new, 1))
    put(os.path.join(out, "tensor_io"), b"\1" + good + b"trailing")
    # Models whose indices are a graph input (index bounds checked at run time) and small versions of
    # the parse-time amplification files (many tiny entries).
    sys.path.insert(0, os.path.join(here, "hostile"))
    import extra_cases  # noqa: E402 - the hostile corpus's builders
    for op, d, idx, upd, attrs, _ in extra_cases.INDEX_OPS:
        data = extra_cases.index_model(op, d, idx, upd, attrs, rng)
        put(os.path.join(out, "onnx_loader"), data)
        put(os.path.join(out, "session"), data)
    for data in extra_cases.amplification_models(200).values():
        put(os.path.join(out, "onnx_loader"), data)
    cli = os.path.join(here, "regressions", "cli")
    for f in sorted(os.listdir(cli)) if os.path.isdir(cli) else []:
        if f.endswith(".onnx"):
            with open(os.path.join(cli, f), "rb") as fh:
                data = fh.read()
            put(os.path.join(out, "onnx_loader"), data, "regression-" + f)
            put(os.path.join(out, "session"), data, "regression-" + f)
    for t in ("onnx_loader", "session", "tensor_io"):
        reg = os.path.join(here, "regressions", t)
        if os.path.isdir(reg):
            for f in sorted(os.listdir(reg)):
                with open(os.path.join(reg, f), "rb") as fh:
                    put(os.path.join(out, t), fh.read(), "regression-" + f)
        print(f"{t}: {len(os.listdir(os.path.join(out, t)))} seeds")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
