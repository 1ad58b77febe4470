#!/usr/bin/python3
"""The fast CPU backend against ONNX Runtime's CPU EP on the same machine, in one run: TransNetV2's
backbone at T=16 (1x3x16x27x48) and a MobileNetV3-small-style classifier at 48x192 (TransNetV2 at T=100,
whole and trained, is timed end to end by bench/shots.py --backends cpu --ort-eps cpu). Rounds alternate webconv and ONNX Runtime so that a
noisy machine slows both alike; each round is `webconv bench --backend cpu` and bench/ort_bench.mjs
--ep cpu with the same run counts. Prints per model the min and median of each round's median, and
ONNX Runtime's time over webconv's (>1: webconv faster). --ref adds the float64 reference (slow).

  bench/cpu_backend.py [--webconv build/webconv] [--rounds 3] [--runs 20] [--ref] [--json OUT]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
PY = "/usr/bin/python3"


def make_models(work):
    rows = []
    tn = os.path.join(work, "transnetv2_backbone_T16.onnx")
    subprocess.run([PY, os.path.join(ROOT, "tools/models/make_transnetv2.py"), "--frames", "16", "--backbone-only",
                    tn], check=True, capture_output=True)
    rows.append(("transnetv2_backbone_T16", tn, "frames=1,3,16,27,48"))
    mn = os.path.join(work, "mobilenetv3_48x192.onnx")
    subprocess.run([PY, os.path.join(ROOT, "tools/models/make_mobilenetv3.py"), mn], check=True, capture_output=True)
    rows.append(("mobilenetv3_48x192", mn, None))
    return rows


def webconv_ms(a, path, shape, backend, runs):
    cmd = [a.webconv, "bench", path, "--backend", backend, "--runs", str(runs), "--warmup", "3", "--json"]
    if shape:
        cmd += ["--shape", shape]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])["wall_median_ms"]


def ort_ms(path, shape, runs):
    env = dict(os.environ)
    env.setdefault("NODE_PATH", os.path.join(ROOT, "node_modules"))
    cmd = ["node", os.path.join(HERE, "ort_bench.mjs"), path, "--ep", "cpu", "--runs", str(runs), "--warmup", "3"]
    if shape:
        cmd += ["--shape", shape]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])["median_ms"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--webconv", default=os.path.join(ROOT, "build", "webconv"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--ref", action="store_true", help="also time the float64 reference (one round, 3 runs)")
    ap.add_argument("--json", metavar="OUT")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="webconv_cpu_bench_")
    results = []
    print(f"machine: {os.cpu_count()} cores; webconv {a.webconv}; {a.rounds} rounds of {a.runs} runs (medians)")
    print(f"{'model':<26} {'webconv cpu ms':>22} {'ORT cpu EP ms':>22} {'ORT/webconv':>12}"
          + (f" {'ref ms':>10}" if a.ref else ""))
    for name, path, shape in make_models(work):
        runs = a.runs
        wc, ort = [], []
        for _ in range(a.rounds):
            wc.append(webconv_ms(a, path, shape, "cpu", runs))
            ort.append(ort_ms(path, shape, runs))
        row = {"model": name, "webconv_cpu_ms": wc, "ort_cpu_ms": ort,
               "ratio_of_medians": statistics.median(ort) / statistics.median(wc)}
        line = (f"{name:<26} {min(wc):9.2f} / {statistics.median(wc):9.2f}   {min(ort):9.2f} / "
                f"{statistics.median(ort):9.2f}   {row['ratio_of_medians']:11.2f}x")
        if a.ref:
            row["ref_ms"] = webconv_ms(a, path, shape, "ref", 3)
            line += f" {row['ref_ms']:10.1f}"
        print(line, flush=True)
        results.append(row)
    print("(min / median over rounds; ratio: ORT's median over webconv's)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"cores": os.cpu_count(), "rounds": a.rounds, "runs": a.runs, "rows": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
