#!/usr/bin/env bash
# Cold start on the device machine (bench/cold.py): every model of DIR's manifest in fresh processes,
# webconv (persistent cache off, cache warm, serial compiles, and --base when given) next to ONNX
# Runtime's WebGPU EP, with NVIDIA's shader disk cache off so the driver compiles every shader.
# Prepare (here, from the project root):
#   /usr/bin/python3 bench/cold.py --prepare .devdata/cold && strip -o .devdata/webconv build/webconv
#   ../shared/device/prepare.sh node_modules/bun-webgpu-linux-x64/libwebgpu_wrapper.so   # once: .device/
# Run (device; carry .device and .devdata):  bench/device_cold.sh .devdata/cold .devdata/webconv [BASE] [cold.py options]
# Results: $OUT/cold.txt and $OUT/cold.json.
set -u
source bench/device_env.sh
export __GL_SHADER_DISK_CACHE=0
dir=$1 webconv=$2
shift 2
base=()
if [ $# -gt 0 ] && [ -x "$1" ]; then base=(--base "$1"); shift; fi
out=${OUT:-$dir/results}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | tee "$out/cold.txt"
python3 bench/cold.py --models "$dir" --webconv "$webconv" "${base[@]}" --ort bench/ort_cold.mjs --adapter gpu \
  --json "$out/cold.json" "$@" | tee -a "$out/cold.txt"
