#!/usr/bin/python3
"""Real-model check: webconv (WebGPU and the float64 CPU reference) against ONNX Runtime's CPU EP.

Builds a model with one of tools/models/make_*.py, makes seeded random inputs (standard normal, seed
printed; WEBCONV_SEED overrides), runs `webconv run --backend webgpu`, `webconv run --backend cpu` and
tests/models/ort_run.mjs, and requires for every output

    max |webconv - ort| <= 1e-3 * max |ort|      (within 1e-3 of the output's scale)

for both webconv backends, printing the numbers either way. Exits 1 on any failure.

--ort-refuses REGEX: ONNX Runtime must refuse MODEL with a message matching REGEX (e.g. auto_pad=SAME with
dilation, which its CPU EP rejects though the spec allows it). The oracle is then a twin built by the same builder with the same seed plus
--twin-args (e.g. explicit pads), run through ONNX Runtime. --twin-args without --ort-refuses adds the twin
as a second oracle. Either way webgpu is also checked against the float64 reference on MODEL itself.

    check_model.py --webconv BIN --workdir DIR --name NAME [--ort-refuses REGEX] [--twin-args "ARGS"]
        -- BUILDER.py [BUILDER ARGS...]        (the builder gets OUT.onnx and --seed prepended)
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import time

import numpy as np
import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORT_RUN = os.path.join(ROOT, "tests", "models", "ort_run.mjs")
TOLERANCE = 1e-3
DTYPES = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.INT64: np.int64, onnx.TensorProto.INT32: np.int32}


def run(cmd, what, expect_code=0):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    dt = time.monotonic() - t0
    print(f"[{dt:7.2f} s] {what}: {' '.join(shlex.quote(c) for c in cmd)}", flush=True)
    if p.returncode != expect_code:
        print(p.stdout)
        sys.exit(f"FAIL: {what} exited {p.returncode}, expected {expect_code}")
    return p.stdout


def make_inputs(model_path, seed, out_dir):
    """Standard-normal float inputs (integers in [0, 10)), one .npy per graph input that is not an initializer."""
    model = onnx.load(model_path, load_external_data=False)
    inits = {i.name for i in model.graph.initializer}
    rng = np.random.default_rng(seed)
    args = []
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        shape = [d.dim_value for d in tt.shape.dim]
        if any(d <= 0 for d in shape):
            sys.exit(f"FAIL: input '{vi.name}' has a symbolic or zero dim {shape}; build the model with fixed sizes")
        dtype = DTYPES.get(tt.elem_type)
        if dtype is None:
            sys.exit(f"FAIL: input '{vi.name}' has element type {tt.elem_type}, not handled here")
        data = rng.standard_normal(shape) if dtype == np.float32 else rng.integers(0, 10, shape)
        path = os.path.join(out_dir, f"input_{len(args)}.npy")
        np.save(path, data.astype(dtype))
        args += ["--input", f"{vi.name}={path}"]
        print(f"input '{vi.name}': {np.dtype(dtype).name}{shape}")
    return args, [o.name for o in model.graph.output]


def load_outputs(out_dir, names):
    result = {}
    for n in names:
        file = "".join(c if (c.isalnum() or c in "._-") else "_" for c in n)
        if not file or file[0] == ".":
            file = "_" + file
        path = os.path.join(out_dir, file + ".npy")
        if not os.path.exists(path):
            sys.exit(f"FAIL: output '{n}' was not written to {path}")
        result[n] = np.load(path)
    return result


def compare(label, got, want):
    """True when max|got - want| <= TOLERANCE * max|want| for every output; prints the numbers."""
    ok = True
    for name, w in want.items():
        g = got[name]
        if g.shape != w.shape:
            print(f"FAIL {label} '{name}': shape {list(g.shape)} != {list(w.shape)}")
            ok = False
            continue
        w64, g64 = w.astype(np.float64), g.astype(np.float64)
        if not np.all(np.isfinite(g64)) or not np.all(np.isfinite(w64)):
            print(f"FAIL {label} '{name}': non-finite values (got {np.sum(~np.isfinite(g64))}, "
                  f"want {np.sum(~np.isfinite(w64))})")
            ok = False
            continue
        scale = float(np.max(np.abs(w64))) if w64.size else 0.0
        err = float(np.max(np.abs(g64 - w64))) if w64.size else 0.0
        bound = TOLERANCE * scale
        passed = err <= bound and scale > 0
        where = np.unravel_index(int(np.argmax(np.abs(g64 - w64))), w64.shape) if w64.size else ()
        print(f"{'ok  ' if passed else 'FAIL'} {label} '{name}' {list(w.shape)}: max abs diff {err:.3e}, "
              f"scale max|ref| {scale:.3e}, bound {bound:.3e} (ratio {err / scale if scale else float('inf'):.2e})"
              + ("" if passed else f"; worst at {tuple(int(i) for i in where)}: got {g64[where]:.6e}, "
                 f"want {w64[where]:.6e}" + ("; reference is all zero" if scale == 0 else "")))
        ok = ok and passed
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--webconv", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--seed", type=int, default=None, help="input and weight seed (default: WEBCONV_SEED or 1)")
    p.add_argument("--node", default="node")
    p.add_argument("--ort-refuses", metavar="REGEX", default=None)
    p.add_argument("--twin-args", default=None)
    p.add_argument("builder", nargs=argparse.REMAINDER)
    a = p.parse_args()
    builder = a.builder[1:] if a.builder and a.builder[0] == "--" else a.builder
    if not builder:
        p.error("give the builder script and its arguments after --")
    if a.ort_refuses is not None and a.twin_args is None:
        p.error("--ort-refuses needs --twin-args (the oracle is the twin)")
    seed = a.seed if a.seed is not None else int(os.environ.get("WEBCONV_SEED", "1"))
    print(f"{a.name}: seed {seed} (weights and inputs; WEBCONV_SEED={seed} replays)")
    work = os.path.join(a.workdir, a.name)
    os.makedirs(work, exist_ok=True)
    t_start = time.monotonic()

    model = os.path.join(work, "model.onnx")
    run(["/usr/bin/python3", builder[0], model, "--seed", str(seed)] + builder[1:], "build")
    inputs, outputs = make_inputs(model, seed, work)

    results = {}
    for backend in ("webgpu", "cpu"):
        out = os.path.join(work, backend)
        run([a.webconv, "run", model, "--backend", backend, "--output-dir", out] + inputs, f"webconv {backend}")
        results[backend] = load_outputs(out, outputs)

    oracles = {}
    ort_out = os.path.join(work, "ort")
    if a.ort_refuses is not None:
        msg = run([a.node, ORT_RUN, model, "--output-dir", ort_out] + inputs, "ort (must refuse)", expect_code=3)
        refusal = [line for line in msg.splitlines() if line.startswith("ort refused:")]
        if not refusal or not re.search(a.ort_refuses, refusal[0]):
            print(msg)
            sys.exit(f"FAIL: ONNX Runtime refused the model, but not with a message matching '{a.ort_refuses}'")
        print(f"ok   ONNX Runtime refuses the model as expected: {refusal[0]}")
    else:
        run([a.node, ORT_RUN, model, "--output-dir", ort_out] + inputs, "ort cpu")
        oracles["ort"] = load_outputs(ort_out, outputs)
    if a.twin_args is not None:
        twin = os.path.join(work, "twin.onnx")
        run(["/usr/bin/python3", builder[0], twin, "--seed", str(seed)] + builder[1:] + shlex.split(a.twin_args),
            "build twin")
        twin_out = os.path.join(work, "ort_twin")
        run([a.node, ORT_RUN, twin, "--output-dir", twin_out] + inputs, "ort cpu on twin")
        oracles["ort(twin)"] = load_outputs(twin_out, outputs)

    ok = True
    for oracle, want in oracles.items():
        for backend in ("webgpu", "cpu"):
            ok = compare(f"webconv {backend} vs {oracle}", results[backend], want) and ok
    ok = compare("webconv webgpu vs float64 reference", results["webgpu"], results["cpu"]) and ok
    print(f"{a.name}: {'passed' if ok else 'FAILED'} in {time.monotonic() - t_start:.1f} s (seed {seed})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
