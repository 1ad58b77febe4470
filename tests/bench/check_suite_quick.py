#!/usr/bin/python3
"""Runs `bench/suite.py --quick` (three tiny Conv rows and four tiny whole models: TransNetV2's
backbone, ResNet, MobileNetV2, MobileNetV3) and checks what it wrote: every row timed with positive numbers,
the derived figures consistent with the raw ones, the suite's FLOP count equal to webconv's, the ONNX
Runtime column present when onnxruntime-node is installed (its ratio to webconv printed for each whole
model), and the SVG plot drawn with one bar per layer row.

    check_suite_quick.py --webconv PATH --out DIR
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)


def positive(r, key):
    v = r.get(key)
    check(isinstance(v, (int, float)) and v > 0 and math.isfinite(v), f"{r['name']}: {key} = {v!r}, want > 0")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--webconv", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    out_json, out_svg = os.path.join(a.out, "suite.json"), os.path.join(a.out, "suite.svg")
    for f in (out_json, out_svg):
        if os.path.exists(f):
            os.remove(f)
    have_ort = shutil.which("node") and os.path.isdir(os.path.join(ROOT, "node_modules", "onnxruntime-node"))
    cmd = [sys.executable, os.path.join(ROOT, "bench", "suite.py"), "--quick", "--webconv", a.webconv,
           "--json", out_json, "--plot", out_svg, "--work", os.path.join(a.out, "models")]
    if have_ort:
        cmd += ["--ort", os.path.join(ROOT, "bench", "ort_bench.mjs")]
    else:
        print("note: node or node_modules/onnxruntime-node missing: the ONNX Runtime column is not checked")
    print("+", " ".join(cmd), flush=True)
    t0 = time.time()
    rc = subprocess.run(cmd).returncode
    print(f"suite took {time.time() - t0:.1f} s, exit {rc}")
    check(rc == 0, f"suite exit code {rc}")
    with open(out_json) as f:
        res = json.load(f)
    rows, meta = res["rows"], res["meta"]
    models = [r for r in rows if r["kind"] == "model"]
    check(len(rows) == 7 and len(models) == 4, f"{len(rows)} rows ({len(models)} models), want 3 layers + 4 models")
    check(meta["quick"] and meta["runs"] >= 1, "meta: quick and runs")
    for r in rows:
        for key in ("webconv_wall_ms", "webconv_wall_min_ms", "webconv_wall_max_ms", "flops", "bytes", "tflops",
                    "fp32_share", "gbps", "bw_share"):
            positive(r, key)
        errors = {k: v for k, v in r.items() if k.endswith("_error")}
        check(not errors, f"{r['name']}: {errors}")
        if any(k.endswith("_error") for k in r) or r.get("tflops") is None:
            continue
        check(r["webconv_wall_min_ms"] <= r["webconv_wall_ms"] <= r["webconv_wall_max_ms"],
              f"{r['name']}: wall min <= median <= max")
        # The suite's own FLOP count (bench/conv_shapes.py) and webconv's agree.
        check(abs(r["webconv_gflop"] * 1e9 - r["flops"]) <= 1e-5 * r["flops"] + 1,
              f"{r['name']}: webconv counts {r['webconv_gflop']} GFLOP, the suite {r['flops'] / 1e9}")
        t = r["webconv_gpu_ms"] or r["webconv_wall_ms"]
        check(abs(r["tflops"] - r["flops"] / (t * 1e9)) <= 1e-9 * r["tflops"], f"{r['name']}: tflops")
        check(r["target"] == ("bandwidth" if r["kind"] == "depthwise" else "flops"), f"{r['name']}: target")
        if r["webconv_gpu_ms"] is not None:
            positive(r, "webconv_gpu_ms")
        if have_ort:
            positive(r, "ort_ms")
            positive(r, "ort_over_webconv")
            check(abs(r["ort_over_webconv"] - r["ort_ms"] / r["webconv_wall_ms"]) <= 1e-9 * r["ort_over_webconv"],
                  f"{r['name']}: ort_over_webconv")
    check(sum(r["kind"] == "depthwise" for r in rows) == 1, "one depthwise row")
    with open(out_svg) as f:
        svg = f.read()
    check(svg.startswith("<svg") and svg.rstrip().endswith("</svg>"), "SVG document")
    # The plot draws the per-layer rows only (whole models are not one Conv).
    layers = len(rows) - len(models)
    check(svg.count("<title>") == layers, f"{svg.count('<title>')} bars in the plot, want {layers}")
    for r in rows:
        print(f"{r['name']}: webconv GPU {r.get('webconv_gpu_ms')} ms, wall {r.get('webconv_wall_ms')} ms; "
              f"ORT {r.get('ort_ms')} ms; ORT/webconv {r.get('ort_over_webconv')}")
    # The whole-model comparison with ONNX Runtime's WebGPU EP, both on the same adapter in this run.
    for r in models:
        print(f"whole model {r['name']} on {r.get('adapter')}: webconv wall {r.get('webconv_wall_ms')} ms, "
              f"ONNX Runtime WebGPU EP {r.get('ort_ms')} ms, ORT/webconv = {r.get('ort_over_webconv')}")
    for f in FAILURES:
        print("FAIL:", f)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
