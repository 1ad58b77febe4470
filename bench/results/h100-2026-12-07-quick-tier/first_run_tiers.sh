#!/usr/bin/env bash
set -u
source bench/device_env.sh
export __GL_SHADER_DISK_CACHE=0 WEBCONV_PIPELINE_CACHE=0
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 - <<'PY'
import json, os, subprocess, sys
sys.path.insert(0, "bench")
import onnx_weights
os.makedirs("/tmp/coldwork", exist_ok=True)
for r in json.load(open(".devdata/cold/manifest.json")):
    m = "/tmp/coldwork/" + r["model"]
    if not os.path.exists(m):
        onnx_weights.fill(".devdata/cold/models/" + r["model"], m)
    shape = r["input"] + "=" + ",".join(map(str, r["dims"]))
    for tier in ("tuned", "quick", "tuned", "quick", "quick-only"):
        p = subprocess.run([".devdata/webconv", "bench", m, "--json", "--shape", shape, "--runs", "10", "--warmup", "1",
                            "--adapter", "gpu", "--first-run", tier], capture_output=True, text=True, timeout=60)
        try:
            j = json.loads(p.stdout); ph = j["phases"]
            print("%-34s %-10s first result %7.1f ms  device %6.1f  compile %6.1f (%s)  first run %6.1f  settle %s  gpu %7.3f  wall %7.3f" % (
                r["model"], tier, ph["first_result_ms"], ph["device_ms"], ph["compile_ms"], ph["pipelines_compiled"],
                ph["first_run_ms"], ph.get("settle_ms"), j.get("gpu_median_ms") or -1, j.get("wall_median_ms") or -1), flush=True)
        except Exception:
            print(r["model"], tier, "failed", p.stderr[-300:], flush=True)
PY
