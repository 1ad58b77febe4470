#!/usr/bin/python3
"""webconv's benchmark suite: every distinct Conv layer of TransNetV2 (T=100), ResNet-50 and
MobileNetV2 as single-Conv models, plus whole networks, timed on webconv (GPU timestamps and wall time),
ONNX Runtime's WebGPU EP (wall time, same run) and optionally PyTorch cuDNN, judged against the FP32
ceiling (or copy bandwidth for depthwise rows). See NOTES.md "Benchmark suite".

  here, a smoke run on SwiftShader:
    bench/suite.py --quick --webconv build/webconv --ort bench/ort_bench.mjs --json out.json
  prepare for the device (models with large weights stripped, the stripped binary; see device_suite.sh):
    bench/suite.py --prepare DIR --webconv build/webconv
  on the device:
    bench/suite.py --models DIR --webconv DIR/webconv --ort .device/ort-bench.mjs --torch --json OUT.json

Rows whose runner fails keep an "error" and the run goes on; the exit code is 1 when any row failed.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_weights  # noqa: E402
import report  # noqa: E402
import svg_plot  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--webconv", default=os.path.join(ROOT, "build", "webconv"), help="the webconv binary")
    p.add_argument("--ort", help="ONNX Runtime timing script (ort-bench.mjs); without it, no ORT column")
    p.add_argument("--ort-ep", default="webgpu", help="ONNX Runtime execution provider (default webgpu)")
    p.add_argument("--torch", action="store_true", help="PyTorch cuDNN column (when torch and CUDA are there)")
    p.add_argument("--json", metavar="OUT", help="write every row and the settings as JSON")
    p.add_argument("--plot", metavar="OUT.svg", help="write the per-layer TFLOP/s plot")
    p.add_argument("--filter", metavar="REGEX", help="only rows whose name matches (re.search)")
    p.add_argument("--quick", action="store_true", help="tiny rows only (a smoke run on a CPU adapter)")
    p.add_argument("--prepare", metavar="DIR", help="write stripped models + manifest (+ stripped binary) and stop")
    p.add_argument("--models", metavar="DIR", help="run the rows prepared in DIR instead of generating them")
    p.add_argument("--work", metavar="DIR", help="where models are generated or filled (default: a temp dir)")
    p.add_argument("--runs", type=int, help="timed runs per row (default 20, --quick 3)")
    p.add_argument("--warmup", type=int, help="warm-up runs per row (default 3, --quick 1)")
    p.add_argument("--adapter", help="passed to webconv as --adapter (e.g. gpu)")
    p.add_argument("--backend", default="webgpu", choices=["webgpu", "cpu"],
                   help="webconv's backend (default webgpu; cpu is the fast CPU backend, to compare with --ort-ep cpu)")
    p.add_argument("--fp32-peak", type=float, default=51.5, help="FP32 ceiling, TFLOP/s (default 51.5)")
    p.add_argument("--bw-peak", type=float, default=2700.0, help="copy bandwidth ceiling, GB/s (default 2700)")
    p.add_argument("--timeout", type=int, help="seconds per runner call (default 600, --quick 60)")
    a = p.parse_args()
    return a


def apply_defaults(a):
    """Run counts and time limits: small for --quick rows (also when the prepared manifest is quick)."""
    a.runs = a.runs or (3 if a.quick else 20)
    a.warmup = a.warmup if a.warmup is not None else (1 if a.quick else 3)
    a.timeout = a.timeout or (60 if a.quick else 600)


def generate(out_dir, quick):
    """Rows and notes, with every model written to out_dir (needs the onnx package)."""
    import models
    os.makedirs(out_dir, exist_ok=True)
    rows = models.layer_rows(out_dir, quick)
    whole, notes = models.whole_models(out_dir, quick)
    return rows + whole, notes


def prepare(a):
    d = a.prepare
    mdir = os.path.join(d, "models")
    if os.path.isdir(mdir):
        shutil.rmtree(mdir)
    with tempfile.TemporaryDirectory() as tmp:
        rows, notes = generate(tmp, a.quick)
        os.makedirs(mdir)
        for f in sorted({r["model"] for r in rows}):
            onnx_weights.strip(os.path.join(tmp, f), os.path.join(mdir, f))
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump({"quick": a.quick, "rows": rows, "notes": notes}, f, indent=1)
    if a.webconv and os.path.exists(a.webconv):
        subprocess.run(["strip", "-o", os.path.join(d, "webconv"), a.webconv], check=True)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
    print(f"prepared {len(rows)} rows in {d} ({size / 2**20:.1f} MiB)")
    for n in notes:
        print("note:", n)


def load_rows(a, work):
    """Rows from --models (filling stripped weights into `work`) or freshly generated into `work`."""
    if not a.models:
        rows, notes = generate(work, a.quick)
        return selected(a, rows), notes
    with open(os.path.join(a.models, "manifest.json")) as f:
        man = json.load(f)
    a.quick = a.quick or bool(man.get("quick"))
    rows = selected(a, man["rows"])
    os.makedirs(work, exist_ok=True)
    for name in sorted({r["model"] for r in rows}):  # only what the selected rows use
        onnx_weights.fill(os.path.join(a.models, "models", name), os.path.join(work, name))
    return rows, man.get("notes", [])


def selected(a, rows):
    return [r for r in rows if re.search(a.filter, r["name"])] if a.filter else rows


class Progress:
    """A one-line progress bar on stderr (a line per row when stderr is not a terminal)."""

    def __init__(self, total):
        self.total, self.start, self.tty = total, time.time(), sys.stderr.isatty()

    def show(self, done, name):
        width = 30
        fill = int(width * done / max(self.total, 1))
        el = int(time.time() - self.start)
        line = f"[{'#' * fill}{'.' * (width - fill)}] {done}/{self.total} {el // 60}m{el % 60:02d}s {name}"
        sys.stderr.write(("\r" + line[:120].ljust(120)) if self.tty else line + "\n")
        sys.stderr.flush()

    def end(self):
        if self.tty:
            sys.stderr.write("\n")


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def run_webconv(a, r, path):
    cmd = [a.webconv, "bench", path, "--json", "--runs", str(a.runs), "--warmup", str(a.warmup),
           "--backend", a.backend]
    if r.get("shape"):
        cmd += ["--shape", r["shape"]]
    if a.adapter:
        cmd += ["--adapter", a.adapter]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
    j = last_json(p.stdout) if p.returncode == 0 else None
    if not j:
        last = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return {"webconv_error": f"exit {p.returncode}: {last}"}
    return {"webconv_gpu_ms": j.get("gpu_median_ms"), "webconv_wall_ms": j.get("wall_median_ms"),
            "webconv_wall_min_ms": j.get("wall_min_ms"), "webconv_wall_max_ms": j.get("wall_max_ms"),
            "webconv_gpu_min_ms": j.get("gpu_min_ms"), "webconv_gpu_max_ms": j.get("gpu_max_ms"),
            "webconv_gflop": j.get("gflop"), "adapter": j.get("adapter")}


def no_vulkan_driver():
    """True when no Vulkan driver manifest is installed (webconv then picks SwiftShader by itself)."""
    dirs = ("/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d")
    return not any(os.path.isdir(d) and os.listdir(d) for d in dirs)


def ort_env(adapter):
    """ONNX Runtime's environment: the repository's node_modules, and SwiftShader's Vulkan driver when
    webconv ran on SwiftShader (ONNX Runtime's Dawn does not look for it on its own)."""
    env = dict(os.environ)
    if "NODE_PATH" not in env and os.path.isdir(os.path.join(ROOT, "node_modules")):
        env["NODE_PATH"] = os.path.join(ROOT, "node_modules")
    icd = env.get("WEBCONV_SWIFTSHADER_ICD", SWIFTSHADER_ICD)
    software = "swiftshader" in adapter.lower() if adapter else no_vulkan_driver()
    if software and "VK_ICD_FILENAMES" not in env and "VK_DRIVER_FILES" not in env and os.path.exists(icd):
        env["VK_ICD_FILENAMES"] = icd
    return env


def run_ort(a, r, path, adapter):
    cmd = ["node", a.ort, path, "--ep", a.ort_ep, "--runs", str(a.runs), "--warmup", str(a.warmup)]
    if r.get("shape"):
        cmd += ["--shape", r["shape"]]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout, env=ort_env(adapter))
    try:
        j = last_json(p.stdout)
    except ValueError:
        j = None
    if p.returncode != 0 or not j or "median_ms" not in j:
        lines = p.stderr.strip().splitlines()
        # Node prints an uncaught exception's source line, the error, its stack and then its version:
        # report the error line, not the last one.
        errors = [ln.strip() for ln in lines if re.match(r"\s*\w*Error\b", ln)]
        why = (j or {}).get("error") or (errors or lines or ["no output"])[0 if errors else -1]
        return {"ort_error": f"exit {p.returncode}: {why}"[:300]}
    return {"ort_ms": j["median_ms"], "ort_min_ms": j.get("min_ms"), "ort_max_ms": j.get("max_ms")}


def main():
    a = parse_args()
    if a.prepare:
        prepare(a)
        return 0
    if not os.path.exists(a.webconv):
        sys.exit(f"suite: webconv binary '{a.webconv}' not found (give --webconv PATH)")
    if a.ort and not os.path.exists(a.ort):
        sys.exit(f"suite: ONNX Runtime script '{a.ort}' not found")
    tmp = None
    work = a.work
    if not work:
        tmp = tempfile.TemporaryDirectory(prefix="webconv-bench-")
        work = tmp.name
    rows, notes = load_rows(a, work)
    apply_defaults(a)
    torch = None
    if a.torch:
        import torch_runner
        if torch_runner.available():
            torch = torch_runner.Runner(a.runs, a.warmup)
        else:
            notes.append("--torch: torch with CUDA is not available here; no cuDNN column")
    progress = Progress(len(rows))
    failed = 0
    for i, r in enumerate(rows):
        progress.show(i, r["name"])
        path = os.path.join(work, r["model"])
        try:
            r.update(run_webconv(a, r, path))
            if a.ort:
                r.update(run_ort(a, r, path, r.get("adapter")))
            if torch:
                ms = torch.row(r)
                if ms is not None:
                    r["cudnn_ms"] = ms
        except subprocess.TimeoutExpired as e:
            r["webconv_error" if "webconv_wall_ms" not in r else "ort_error"] = f"timed out after {e.timeout} s"
        except Exception as e:  # noqa: BLE001 (one row's failure must not end the run)
            r["run_error"] = f"{type(e).__name__}: {e}"[:300]
        report.derive(r, a.fp32_peak, a.bw_peak)
        failed += any(k.endswith("_error") for k in r)
    progress.show(len(rows), "done")
    progress.end()
    adapter = next((r["adapter"] for r in rows if r.get("adapter")), "unknown")
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "adapter": adapter, "webconv": a.webconv, "ort_script": a.ort, "ort_ep": a.ort_ep if a.ort else None,
            "torch": bool(torch), "torch_device": torch.device_name if torch else None, "runs": a.runs,
            "warmup": a.warmup, "fp32_peak_tflops": a.fp32_peak, "bw_peak_gbps": a.bw_peak, "quick": a.quick,
            "notes": notes}
    print(report.table(rows, meta))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=1)
    if a.plot:
        svg_plot.write(a.plot, rows, a.fp32_peak, f"webconv per-layer Conv throughput on {adapter}")
    if tmp:
        tmp.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
