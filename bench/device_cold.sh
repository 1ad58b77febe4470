#!/usr/bin/env bash
# Cold start on the device machine (bench/cold.py): every model of DIR's manifest in fresh processes,
# webconv (persistent cache off, cache warm, serial compiles, and --base when given) next to ONNX
# Runtime's WebGPU EP, with NVIDIA's shader disk cache off so the driver compiles every shader.
# Prepare (here, from the project root):
#   /usr/bin/python3 bench/cold.py --prepare .devdata/cold && strip -o .devdata/webconv build/webconv
#   ../shared/device/prepare.sh node_modules/bun-webgpu-linux-x64/libwebgpu_wrapper.so   # once: .device/
#   bench/pack_dawn_node.sh          # once: .device/webgpu (dawn.node, for the browser build's rows)
#   web/build.sh && mkdir -p .devdata/dist && cp web/dist/webconv*.mjs web/dist/webconv.wasm .devdata/dist/
# Run (device; carry .device and .devdata):  bench/device_cold.sh .devdata/cold .devdata/webconv [BASE] [cold.py options]
#   e.g. the first-run tiers of both builds: ... --variants quick,tuned,browser-quick,browser-tuned
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
# The browser build under dawn.node (bench/pack_dawn_node.sh packed it; web/dist or .devdata/dist carried).
web=()
if [ -f .device/webgpu/dawn.node.xz ]; then
  mkdir -p /tmp/webgpu/dist/linux-x64
  cp .device/webgpu/index.js .device/webgpu/package.json /tmp/webgpu/
  [ -f /tmp/webgpu/dist/linux-x64/dawn.node ] || xz -dc .device/webgpu/dawn.node.xz > /tmp/webgpu/dist/linux-x64/dawn.node
  dist=web/dist
  [ -f "$dist/webconv.mjs" ] || dist=.devdata/dist
  web=(--web-bench bench/web_bench.mjs --web-dist "$dist" --webgpu /tmp/webgpu)
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | tee "$out/cold.txt"
# ONNX Runtime's column when its anchor was carried whole (a call carrying only .device/anchor/node.xz, for
# the browser build's node, has none).
ort=()
[ -f .device/anchor/libonnxruntime.so.1.xz ] && ort=(--ort bench/ort_cold.mjs)
python3 bench/cold.py --models "$dir" --webconv "$webconv" "${base[@]}" "${web[@]}" "${ort[@]}" --adapter gpu \
  --json "$out/cold.json" "$@" | tee -a "$out/cold.txt"
