#!/usr/bin/env bash
# Where a cold first result waits, per pipeline, on the device machine: each model of DIR's manifest
# (bench/cold.py --prepare) run once cold (persistent cache off, NVIDIA's shader disk cache off) with
# WEBCONV_COMPILE_TRACE=1, which prints each pipeline's WGSL size, its creation time on the calling thread
# and by when its compile had finished, then the steps of the first runs.
# Run (device; carry .device and .devdata):  bench/device_compile_trace.sh .devdata/cold .devdata/webconv
# The output is also written to $OUT/trace-<binary name>.txt.
set -u
source bench/device_env.sh
export __GL_SHADER_DISK_CACHE=0 WEBCONV_PIPELINE_CACHE=0 WEBCONV_COMPILE_TRACE=1
dir=$1 webconv=$2
work=/tmp/webconv-trace-models
names=$(python3 -c "import json,sys; print(' '.join(r['model'] for r in json.load(open(sys.argv[1]))))" "$dir/manifest.json")
fill_models "$dir" "$work" $names
out=${OUT:-/tmp}/trace-$(basename "$webconv").txt
python3 - "$dir/manifest.json" "$work" "$webconv" <<'PY' | tee "$out"
import json, subprocess, sys
manifest, work, webconv = sys.argv[1:4]
for row in json.load(open(manifest)):
    shape = row["input"] + "=" + ",".join(map(str, row["dims"]))
    cmd = [webconv, "bench", f"{work}/{row['model']}", "--json", "--shape", shape, "--runs", "3", "--warmup", "1",
           "--adapter", "gpu"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    print(f"== {row['model']} (exit {r.returncode})")
    print(r.stderr.strip())
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if lines:
        print("phases:", json.dumps(json.loads(lines[-1]).get("phases")))
PY
