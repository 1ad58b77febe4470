#!/usr/bin/env bash
# The first run's tiers on the device machine (runtime FirstRun): every model of DIR's manifest cold in fresh
# processes with the tuned tier and with the quick tier (bench/cold.py --variants tuned,quick; NVIDIA's shader
# disk cache off, webconv's pipeline cache off), then each tier's warm GPU and wall time (quick-only keeps the
# quick kernels), then a compile trace of the quick tier on the TransNetV2 backbone and DBNet. With --ort, ONNX
# Runtime's WebGPU EP cold in the same call (needs .device/anchor unpacked: see bench/device_cold.sh).
# Prepare (here, from the project root):
#   /usr/bin/python3 bench/cold.py --prepare .devdata/cold && strip -o .devdata/webconv build/webconv
#   ../shared/device/prepare.sh node_modules/bun-webgpu-linux-x64/libwebgpu_wrapper.so $(ldd build/webconv |
#     awk '/dnnl|openblas|gomp|gfortran|OpenCL|quadmath/ {print $3}')      # once: .device/
# Run (device; carry .device/lib .device/gl .device/env.sh .devdata/cold .devdata/webconv):
#   bench/device_first_run.sh .devdata/cold .devdata/webconv [--ort]
# Results: $OUT/cold.txt, $OUT/cold.json, $OUT/tiers.txt.
set -u
source bench/device_env.sh
export __GL_SHADER_DISK_CACHE=0
dir=$1 webconv=$2
ort=()
[ "${3:-}" = "--ort" ] && ort=(--ort bench/ort_cold.mjs)
out=${OUT:-$dir/results}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | tee "$out/cold.txt"
python3 bench/cold.py --models "$dir" --webconv "$webconv" "${ort[@]}" --adapter gpu --variants tuned,quick \
  --repeat 3 --runs 5 --work /tmp/coldwork --json "$out/cold.json" | tee -a "$out/cold.txt"
echo "== warm, each tier (GPU timestamps, wall), 20 runs"
python3 - "$webconv" "$dir" <<'PY' | tee "$out/tiers.txt"
import json, os, subprocess, sys
w, d = sys.argv[1], sys.argv[2]
for r in json.load(open(os.path.join(d, "manifest.json"))):
    shape = r["input"] + "=" + ",".join(map(str, r["dims"]))
    for tier in ("tuned", "quick-only"):
        env = dict(os.environ, WEBCONV_PIPELINE_CACHE="0")
        p = subprocess.run([w, "bench", "/tmp/coldwork/" + r["model"], "--json", "--shape", shape, "--runs", "20",
                            "--warmup", "2", "--adapter", "gpu", "--first-run", tier], env=env, capture_output=True,
                           text=True)
        try:
            j = json.loads(p.stdout)
            ph = j["phases"]
            print("%-34s %-10s gpu %8.3f ms  wall %8.3f ms  dispatches %4s  compile %6.1f ms (%s pipelines)  "
                  "first run %7.1f ms" % (r["model"], tier, j.get("gpu_median_ms") or -1, j.get("wall_median_ms") or -1,
                                           j.get("dispatches"), ph["compile_ms"], ph["pipelines_compiled"],
                                           ph["first_run_ms"]))
        except (ValueError, KeyError):
            print(r["model"], tier, "failed:", p.stderr[-500:])
PY
echo "== compile trace, quick tier: TransNetV2 backbone and DBNet"
for f in transnetv2_backbone_T100_27x48.onnx dbnet.onnx; do
  shape=$(python3 -c "import json; r=[r for r in json.load(open('$dir/manifest.json')) if r['model']=='$f']; \
print(r[0]['input'] + '=' + ','.join(map(str, r[0]['dims'])) if r else '')")
  [ -n "$shape" ] || continue
  WEBCONV_PIPELINE_CACHE=0 WEBCONV_COMPILE_TRACE=1 "$webconv" bench "/tmp/coldwork/$f" --shape "$shape" --runs 2 \
    --warmup 1 --adapter gpu --first-run quick 2>&1 | grep -E "compile trace|first result|compile " | head -40
done
