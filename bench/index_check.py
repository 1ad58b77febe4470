#!/usr/bin/python3
"""What the WebGPU check of runtime indices costs: the same Gather models run by a webconv without the
check (BASE, the anchor) and with it, alternating, in one process each per round.

    /usr/bin/python3 bench/index_check.py --prepare DIR
    /usr/bin/python3 bench/index_check.py --models DIR --webconv W --base W0 [--rounds 5] [--runs 200]

Models (indices are a graph input, in range, read from DIR/*.idx.npy):
  gather_small   data [1000, 16], 64 indices: a run is mostly the host round trip, so the check's extra
                 write and read of its word show up here if anywhere;
  gather_large   data [10000, 128] (5 MB), 65536 indices, 32 MB out: bandwidth-bound.
Prints, per model, the median over rounds of each binary's median wall and GPU milliseconds and the
ratio checked / base.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

MODELS = {"gather_small": ((1000, 16), 64), "gather_large": ((10000, 128), 65536)}


def prepare(out):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(3)
    for name, (shape, count) in MODELS.items():
        data = numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), "data")
        g = helper.make_graph([helper.make_node("Gather", ["data", "idx"], ["y"], name="gather", axis=0)], name,
                              [helper.make_tensor_value_info("idx", TensorProto.INT64, [count])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [data])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        onnx.save(m, os.path.join(out, name + ".onnx"))
        np.save(os.path.join(out, name + ".idx.npy"), rng.integers(-shape[0], shape[0], count).astype(np.int64))
    print(f"wrote {len(MODELS)} models to {out}")


def bench(webconv, model, runs):
    idx = model[:-len(".onnx")] + ".idx.npy"
    p = subprocess.run([webconv, "bench", model, "--input", f"idx={idx}", "--runs", str(runs), "--json"],
                       capture_output=True, text=True, check=True)
    r = json.loads(p.stdout)
    return r.get("wall_median_ms", r["median_ms"]), r["median_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prepare")
    ap.add_argument("--models")
    ap.add_argument("--webconv")
    ap.add_argument("--base")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=200)
    a = ap.parse_args()
    if a.prepare:
        return prepare(a.prepare)
    print(f"{'model':14} {'base wall':>10} {'checked':>10} {'ratio':>6}   {'base GPU':>9} {'checked':>9} {'ratio':>6}")
    for name in MODELS:
        model = os.path.join(a.models, name + ".onnx")
        got = {"base": [], "new": []}
        for _ in range(a.rounds):
            got["base"].append(bench(a.base, model, a.runs))
            got["new"].append(bench(a.webconv, model, a.runs))
        bw, nw = (statistics.median(r[0] for r in got[k]) for k in ("base", "new"))
        bg, ng = (statistics.median(r[1] for r in got[k]) for k in ("base", "new"))
        print(f"{name:14} {bw:10.4f} {nw:10.4f} {nw / bw:6.3f}   {bg:9.4f} {ng:9.4f} {ng / bg:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
