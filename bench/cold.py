#!/usr/bin/env python3
"""Cold start: process start to the first result, webconv against ONNX Runtime, each run in a fresh process.

Each model is run as a new `webconv bench MODEL --json` process (its "phases" say where the time went)
and a new Node process of bench/ort_cold.mjs (InferenceSession.create + first run), several times, and
the medians are printed side by side with their ratio. webconv variants, each its own fresh process:
  cold         the persistent pipeline cache off (what a first-ever start costs)
  cache-warm   a second process over a cache folder that a first process filled
  serial       as cold, with pipelines created one by one (WEBCONV_SERIAL_COMPILE=1)
  base         as cold, with another webconv binary (--base), e.g. the build before a change
  quick, tuned as cold, with the first run's tier forced (WEBCONV_FIRST_RUN; cold lets webconv choose)
  browser      the browser build (web/dist) under Node with Dawn's dawn.node as navigator.gpu
               (bench/web_bench.mjs; --web-bench, --web-dist and --webgpu say where they are)
  browser-quick, browser-tuned   as browser, with the session option firstRun forced
On NVIDIA, set __GL_SHADER_DISK_CACHE=0 so the driver's own shader cache does not hide compile time
(bench/device_cold.sh does).

  bench/cold.py --prepare DIR [--quick]     write the models (large weights stripped) and a manifest
  bench/cold.py --models DIR --webconv W [--base W0] [--ort bench/ort_cold.mjs] [--repeat N] [--json OUT]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import onnx_weights  # noqa: E402


def build_models(out_dir, quick):
    """(file, input name, dims) per model. Needs python3-onnx (runs where models are generated).
    Full: TransNetV2 (backbone and whole model) at T=100, MobileNetV3-small at 48x192, DBNet at 960x960.
    Quick: the quick suite's whole models (bench/models.py quick_models: TransNetV2's backbone at
    1x3x2x8x8 and the builders' --tiny presets) and the default demo model (whole TransNetV2, T=8)."""
    import onnx
    sys.path.insert(0, os.path.join(ROOT, "tools", "models"))
    import make_transnetv2
    rows = []
    shapes = ([(True, "transnetv2_backbone", (2, 8, 8)), (False, "transnetv2", (8, 27, 48))] if quick else
              [(True, "transnetv2_backbone", (100, 27, 48)), (False, "transnetv2", (100, 27, 48))])
    for backbone, name, (t, h, w) in shapes:
        m = make_transnetv2.build(t, "torch", backbone, 2020, height=h, width=w)
        f = f"{name}_T{t}_{h}x{w}.onnx"
        onnx.save(m, os.path.join(out_dir, f))
        rows.append((f, "frames", [1, 3, t, h, w]))
    for builder in (("resnet", "mobilenetv2", "mobilenetv3") if quick else ("mobilenetv3", "dbnet")):
        script = os.path.join(ROOT, "tools", "models", f"make_{builder}.py")
        if not os.path.exists(script):
            print(f"note: {builder} skipped, {script} is not present")
            continue
        f = f"{builder}.onnx"
        cmd = [sys.executable, script, os.path.join(out_dir, f)] + (["--tiny"] if quick else [])
        subprocess.run(cmd, check=True, capture_output=True)
        m = onnx.load(os.path.join(out_dir, f))
        inits = {i.name for i in m.graph.initializer}
        inp = [i for i in m.graph.input if i.name not in inits][0]
        rows.append((f, inp.name, [d.dim_value for d in inp.type.tensor_type.shape.dim]))
    return rows


def prepare(d, quick):
    os.makedirs(os.path.join(d, "models"), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        rows = build_models(tmp, quick)
        for f, _, _ in rows:
            onnx_weights.strip(os.path.join(tmp, f), os.path.join(d, "models", f))
    with open(os.path.join(d, "manifest.json"), "w") as fh:
        json.dump([{"model": f, "input": n, "dims": dims} for f, n, dims in rows], fh, indent=1)
    print(f"prepared {len(rows)} models in {d}")


def run_json(cmd, env, timeout):
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    wall = (time.monotonic() - t0) * 1e3
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {(r.stderr or r.stdout).strip()[-400:]}")
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("{")][-1]
    j = json.loads(line)
    j["process_ms"] = wall
    return j


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--prepare", metavar="DIR")
    p.add_argument("--quick", action="store_true", help="small shapes (TransNetV2 T=8, --tiny builders)")
    p.add_argument("--models", metavar="DIR")
    p.add_argument("--webconv", default=os.path.join(ROOT, "build", "webconv"))
    p.add_argument("--base", help="another webconv binary, timed cold as 'base'")
    p.add_argument("--ort", help="bench/ort_cold.mjs; without it, no ONNX Runtime column")
    p.add_argument("--ort-ep", default="webgpu")
    p.add_argument("--node", default="node")
    p.add_argument("--repeat", type=int, default=3, help="fresh processes per variant (median)")
    p.add_argument("--runs", type=int, default=5, help="warm runs after the first, per process")
    p.add_argument("--adapter", help="passed to webconv as --adapter")
    p.add_argument("--variants", default="cold,cache-warm,serial,base,browser")
    p.add_argument("--web-bench", help="bench/web_bench.mjs; without it, no browser variant")
    p.add_argument("--web-dist", default=os.path.join(ROOT, "web", "dist"))
    p.add_argument("--webgpu", help="the folder of npm's webgpu package (dawn.node)")
    p.add_argument("--work", help="where filled models go (default: a temp dir)")
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--json", metavar="OUT")
    a = p.parse_args()
    if a.prepare:
        prepare(a.prepare, a.quick)
        return 0
    if not a.models:
        p.error("--prepare DIR or --models DIR")
    with open(os.path.join(a.models, "manifest.json")) as fh:
        manifest = json.load(fh)
    work = a.work or tempfile.mkdtemp(prefix="webconv-cold-")
    os.makedirs(work, exist_ok=True)
    variants = a.variants.split(",")
    if not a.base:
        variants = [v for v in variants if v != "base"]
    if not a.web_bench:
        variants = [v for v in variants if not v.startswith("browser")]
    results = []
    print(f"{'model':<26} {'variant':<11} {'first result':>12} {'load':>7} {'device':>7} {'compile':>8} "
          f"{'pipes':>7} {'upload':>7} {'1st run':>8} {'warm':>8}   ORT {a.ort_ep} cold / ratio")
    for row in manifest:
        model = os.path.join(work, row["model"])
        if not os.path.exists(model):
            onnx_weights.fill(os.path.join(a.models, "models", row["model"]), model)
        shape = f"{row['input']}=" + ",".join(map(str, row["dims"]))
        ort = None
        if a.ort:
            ort_runs = []
            for _ in range(a.repeat):
                try:
                    ort_runs.append(run_json([a.node, a.ort, model, "--ep", a.ort_ep, "--shape", shape,
                                              "--runs", str(a.runs)], os.environ.copy(), a.timeout))
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    print(f"  ORT failed: {e}")
                    break
            if ort_runs:
                ort = {k: median([r.get(k) for r in ort_runs]) for k in
                       ("create_ms", "first_run_ms", "first_result_ms", "warm_median_ms", "process_ms")}
        for v in variants:
            binary = a.base if v == "base" else a.webconv
            env = os.environ.copy()
            cache = tempfile.mkdtemp(prefix="webconv-cache-")
            env["WEBCONV_CACHE_DIR"] = cache
            if v in ("cold", "serial", "base", "quick", "tuned"):
                env["WEBCONV_PIPELINE_CACHE"] = "0"
            if v in ("quick", "tuned"):
                env["WEBCONV_FIRST_RUN"] = v
            if v == "serial":
                env["WEBCONV_SERIAL_COMPILE"] = "1"
            cmd = [binary, "bench", model, "--json", "--shape", shape, "--runs", str(a.runs), "--warmup", "1"]
            if a.adapter:
                cmd += ["--adapter", a.adapter]
            if v.startswith("browser"):
                cmd = [a.node, a.web_bench, model, "--shape", shape, "--runs", str(a.runs), "--dist", a.web_dist,
                       "--first-run", v.split("-", 1)[1] if "-" in v else "auto"]
                if a.webgpu:
                    cmd += ["--webgpu", a.webgpu]
            runs = []
            try:
                for _ in range(a.repeat):
                    if v == "cache-warm":
                        shutil.rmtree(cache, ignore_errors=True)
                        os.makedirs(cache)
                        run_json(cmd, env, a.timeout)  # fills the cache
                    runs.append(run_json(cmd, env, a.timeout))
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                print(f"  {row['model']} {v} failed: {e}")
                continue
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            ph = [r.get("phases", {}) for r in runs]
            m = {k: median([x.get(k) for x in ph]) for k in
                 ("first_result_ms", "load_ms", "device_ms", "bind_ms", "plan_ms", "compile_ms", "pipelines",
                  "pipelines_compiled", "upload_ms", "program_ms", "first_run_ms", "warm_run_ms", "disk_hits",
                  "disk_misses", "disk_stores", "disk_rejected", "settle_ms", "tuned_ready_ms")}
            for k in ("upload_ms", "submit_wait_ms", "readback_ms"):
                m["warm_" + k] = median([r.get("wall_parts", {}).get(k) for r in runs])
            if m["first_result_ms"] is None:  # a binary without phases: the process's own wall time
                m["first_result_ms"] = median([r["process_ms"] for r in runs])
            m["wall_median_ms"] = median([r.get("wall_median_ms") for r in runs])
            m["gpu_median_ms"] = median([r.get("gpu_median_ms") for r in runs])
            res = {"model": row["model"], "variant": v, "webconv": m, "ort": ort, "repeat": a.repeat}
            results.append(res)

            def f(x, w=7, d=1):
                return f"{x:>{w}.{d}f}" if isinstance(x, (int, float)) else f"{'-':>{w}}"
            ratio = ""
            if ort and ort.get("first_result_ms"):
                ratio = f"   {ort['first_result_ms']:8.1f} ms  webconv/ORT {m['first_result_ms'] / ort['first_result_ms']:.2f}"
            pipes = f"{int(m['pipelines_compiled'] or 0)}/{int(m['pipelines'] or 0)}" if m["pipelines"] else "-"
            print(f"{row['model']:<26} {v:<11} {f(m['first_result_ms'], 9)} ms {f(m['load_ms'])} "
                  f"{f(m['device_ms'])} {f(m['compile_ms'], 8)} {pipes:>7} {f(m['upload_ms'])} "
                  f"{f(m['first_run_ms'], 8)} {f(m['wall_median_ms'], 8, 2)}{ratio}", flush=True)
        if ort:
            print(f"{'':<26} {'ORT':<11} {ort['first_result_ms']:9.1f} ms   create {ort['create_ms']:.1f}, "
                  f"first run {ort['first_run_ms']:.1f}, warm {ort['warm_median_ms']}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"results": results, "repeat": a.repeat}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
