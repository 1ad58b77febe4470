#!/usr/bin/env bash
# Compile cost of kernel choices on the device machine: each model of DIR's manifest (bench/cold.py
# --prepare) run cold in fresh processes (persistent cache off, NVIDIA's shader disk cache off) under
# each environment variant, printing the median compile time, pipelines compiled, first result and the
# warm GPU time, so that a cheaper-to-compile kernel choice is weighed against what it costs in steady
# state. With WEBCONV_SERIAL_COMPILE=1 and WEBCONV_COMPILE_TRACE=1 the trace lines give each pipeline's
# own compile time.
# Run (device; carry .device and .devdata):
#   bench/device_compile_variants.sh .devdata/cold .devdata/webconv [REPEAT] -- 'LABEL:VAR=V VAR2=V2' ...
# A variant with no assignments ('default:') runs the binary as it is.
set -u
source bench/device_env.sh
export __GL_SHADER_DISK_CACHE=0 WEBCONV_PIPELINE_CACHE=0
dir=$1 webconv=$2
shift 2
repeat=2
if [ $# -gt 0 ] && [ "$1" != "--" ]; then repeat=$1; shift; fi
[ "${1:-}" = "--" ] && shift
work=/tmp/webconv-variant-models
names=$(python3 -c "import json,sys; print(' '.join(r['model'] for r in json.load(open(sys.argv[1]))))" "$dir/manifest.json")
fill_models "$dir" "$work" $names
out=${OUT:-/tmp}/compile-variants.txt
python3 - "$dir/manifest.json" "$work" "$webconv" "$repeat" "$@" <<'PY' | tee "$out"
import json, os, statistics, subprocess, sys
manifest, work, webconv, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
variants = []
for v in sys.argv[5:]:
    label, _, assigns = v.partition(":")
    variants.append((label, dict(a.split("=", 1) for a in assigns.split())))
med = lambda xs: statistics.median(xs) if xs else float("nan")
print(f"{'model':<30} {'variant':<16} {'compile ms':>10} {'pipes':>6} {'first result':>12} {'gpu ms':>8} {'wall ms':>8}")
for row in json.load(open(manifest)):
    shape = row["input"] + "=" + ",".join(map(str, row["dims"]))
    for label, env in variants:
        rs = []
        for _ in range(repeat):
            cmd = [webconv, "bench", f"{work}/{row['model']}", "--json", "--shape", shape, "--runs", "10",
                   "--warmup", "2", "--adapter", "gpu"]
            r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env})
            if env.get("WEBCONV_COMPILE_TRACE") and r.stderr:
                print(r.stderr.strip())
            lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
            if r.returncode != 0 or not lines:
                print(f"{row['model']:<30} {label:<16} failed (exit {r.returncode}): {r.stderr.strip()[-300:]}")
                continue
            rs.append(json.loads(lines[-1]))
        if not rs:
            continue
        ph = [r["phases"] for r in rs]
        print(f"{row['model']:<30} {label:<16} {med([p['compile_ms'] for p in ph]):10.1f} "
              f"{ph[0]['pipelines_compiled']:>6} {med([p['first_result_ms'] for p in ph]):12.1f} "
              f"{med([r.get('gpu_median_ms') or float('nan') for r in rs]):8.3f} "
              f"{med([r.get('wall_median_ms') or float('nan') for r in rs]):8.3f}", flush=True)
PY
