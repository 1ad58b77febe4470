#!/usr/bin/env python3
"""Times every implicit-GEMM Conv tile (and split-K count) on every prepared one-Conv layer model, next
to what src/ops/conv/conv_tiling.cc picks, so its choices can be checked against measurements.

Each row is a layer model prepared by `bench/suite.py --prepare DIR` (its large weights are filled
here with the same seeded values the suite uses). For each row: `webconv bench` with the chosen tile,
then once per tile with WEBCONV_CONV_TILE set and once per split count (--splits) with
WEBCONV_CONV_SPLITS set; GPU time is the median of the dispatch timestamps.
Layers that do not take the implicit GEMM (depthwise, first layers) are reported and skipped. The runs set
WEBCONV_QUAD_GEMM=0: the sweep is of the workgroup-memory GEMM's tiles, also on a software adapter.

  python3 bench/tile_sweep.py --models DIR --webconv DIR/webconv --adapter gpu \\
      --filter '^(transnetv2|resnet50)' --json OUT.json

Prints one line per row: the chosen tile and its time, the fastest variant and its time, and their
ratio (> 1: a better choice exists), then the sum over rows for both.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import onnx_weights  # noqa: E402

# Tiles that the kernel generator accepts (ConvTilingProblem) within 48 KiB of workgroup memory:
# the model's candidates plus shapes it does not consider (taller K slices, 8x8 blocks on narrow
# tiles, 256-thread tiles).
DEFAULT_TILES = [
    "t128x128k16_r8x8", "t128x64k16_r8x8", "t64x64k16_r8x4", "t64x64k8_r8x4", "t128x32k16_r8x4", "t256x16k16_r8x4",
    "t64x32k16_r4x4", "t128x16k16_r8x4", "t32x32k16_r4x4", "t64x16k16_r4x4",
    "t64x64k32_r8x4", "t128x64k32_r8x8", "t128x32k32_r8x4", "t64x64k16_r4x4", "t64x128k16_r8x8",
    "t256x32k16_r8x8", "t32x64k16_r4x8", "t128x16k16_r4x4", "t256x64k16_r8x8",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", required=True, help="a directory written by bench/suite.py --prepare")
    p.add_argument("--webconv", required=True, help="the webconv binary")
    p.add_argument("--filter", default="^(transnetv2|resnet50)", help="rows whose name matches (re.search)")
    p.add_argument("--tiles", default=",".join(DEFAULT_TILES), help="comma-separated tile names")
    p.add_argument("--kinds", default="conv",
                   help="manifest row kinds to sweep, comma-separated (conv; model forces the tile on every layer)")
    p.add_argument("--splits", default="", help="comma-separated split-K counts to time with the chosen tile")
    p.add_argument("--adapter", help="passed to webconv as --adapter")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--timeout", type=int, default=120, help="seconds per webconv call")
    p.add_argument("--work", help="where filled models go (default: a temp dir)")
    p.add_argument("--json", metavar="OUT", help="every measurement as JSON")
    return p.parse_args()


def bench(a, model, env_set, shape=None):
    cmd = [a.webconv, "bench", model, "--runs", str(a.runs), "--warmup", str(a.warmup), "--json", "--per-kernel",
           "--backend", "webgpu"]
    if a.adapter:
        cmd += ["--adapter", a.adapter]
    if shape:
        cmd += ["--shape", shape]
    env = dict(os.environ)
    env.pop("WEBCONV_CONV_TILE", None)
    env.pop("WEBCONV_CONV_SPLITS", None)
    # The tiles are the workgroup-memory GEMM's: on a software adapter with four-lane subgroups the chosen
    # kernel would otherwise be the quad kernel (src/ops/quad_gemm.h), which has no tile.
    env["WEBCONV_QUAD_GEMM"] = "0"
    env.update(env_set)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        err = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        return {"error": err}
    j = json.loads(lines[-1])
    kernels = [k["kernels"] for k in j.get("kernels", [])]
    return {"gpu_ms": j["gpu_median_ms"], "gflop": j["gflop"], "kernels": kernels}


def tiles_of(kernels):
    """The implicit-GEMM tiles (with their split-K suffix) among a run's kernel names, in order, once each."""
    found = []
    for k in kernels:
        for m in re.finditer(r"_igemm_(t\d+x\d+k\d+_r\d+x\d+(_splitk\d+)?)", k):
            if m.group(1) not in found:
                found.append(m.group(1))
    return found


def tile_of(kernels):
    found = tiles_of(kernels)
    return found[0] if found else None


def main():
    a = parse_args()
    with open(os.path.join(a.models, "manifest.json")) as f:
        rows = [r for r in json.load(f)["rows"]
                if r["kind"] in a.kinds.split(",") and re.search(a.filter, r["name"])]
    variants = [(t, {"WEBCONV_CONV_TILE": t}) for t in a.tiles.split(",") if t]
    variants += [("splits%s" % v, {"WEBCONV_CONV_SPLITS": v}) for v in a.splits.split(",") if v]
    work = a.work or tempfile.mkdtemp(prefix="tile-sweep-")
    os.makedirs(work, exist_ok=True)
    results, sum_chosen, sum_best = [], 0.0, 0.0
    print("%-48s %-26s %9s  %-18s %9s  %6s" % ("row", "chosen", "ms", "fastest", "ms", "gain"))
    for r in rows:
        path = os.path.join(work, r["model"])
        if not os.path.exists(path):
            onnx_weights.fill(os.path.join(a.models, "models", r["model"]), path)
        base = bench(a, path, {}, r.get("shape"))
        chosen = tile_of(base.get("kernels", []))
        entry = {"name": r["name"], "flops": r.get("flops"), "chosen": chosen, "chosen_ms": base.get("gpu_ms"),
                 "error": base.get("error"), "tiles": {}, "ran": {}}
        results.append(entry)
        if chosen is None:
            print("%-48s %s" % (r["name"], base.get("error") or "not an implicit GEMM: " + ",".join(base["kernels"])))
            continue
        for name, env_set in variants:
            m = bench(a, path, env_set, r.get("shape"))
            entry["tiles"][name] = m.get("gpu_ms", m.get("error"))
            entry["ran"][name] = tiles_of(m.get("kernels", []))  # the tiles (and splits) the variant ran
        timed = {t: v for t, v in entry["tiles"].items() if isinstance(v, float)}
        best = min(timed, key=timed.get) if timed else chosen
        best_ms = min(timed.get(best, base["gpu_ms"]), base["gpu_ms"])
        if base["gpu_ms"] <= best_ms:
            best = chosen
        sum_chosen += base["gpu_ms"]
        sum_best += best_ms
        print("%-48s %-26s %9.4f  %-18s %9.4f  %6.2f" % (r["name"], chosen, base["gpu_ms"], best, best_ms,
                                                         base["gpu_ms"] / best_ms), flush=True)
    if sum_best > 0:
        print("sum over rows: chosen %.4f ms, fastest per row %.4f ms (%.2fx)" % (sum_chosen, sum_best,
                                                                                  sum_chosen / sum_best))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"runs": a.runs, "warmup": a.warmup, "tiles": [n for n, _ in variants], "rows": results}, f, indent=1)


if __name__ == "__main__":
    main()
