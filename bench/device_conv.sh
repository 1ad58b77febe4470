#!/usr/bin/env bash
# On the device machine: the WebGPU Conv kernels, per layer and in the TransNetV2 backbone.
#   prepare (here): /usr/bin/python3 bench/make_conv_layers.py DIR
#                   /usr/bin/python3 tools/models/make_transnetv2.py DIR/tn_bb.onnx --backbone-only --dynamic-frames
#                   strip -o DIR/webconv build/webconv
#   run (device):   bench/device_conv.sh DIR      (carry .device and DIR); JSON lines go to $OUT/conv.jsonl
set -u
source ${DEVICE_ENV:-.device/env.sh}
export WEBCONV_DAWN_LIB=/tmp/device-lib/libwebgpu_wrapper.so
dir=$1
wc="$dir/webconv"
log=${OUT:-/tmp}/conv.jsonl
echo "== correctness on the GPU against float64"
"$wc" check "$dir/tn_bb.onnx" --adapter gpu --shape frames=1,3,16,27,48 2>&1 | tail -3
for m in "$dir"/c*.onnx "$dir"/dw*.onnx; do
  [ -f "$m" ] || continue
  "$wc" check "$m" --adapter gpu 2>&1 | tail -1
done
for t in 16 100; do
  "$wc" bench "$dir/tn_bb.onnx" --runs 20 --adapter gpu --json --per-kernel --shape frames=1,3,$t,27,48 >>"$log"
done
for m in "$dir"/c*.onnx "$dir"/dw*.onnx; do
  [ -f "$m" ] || continue
  "$wc" bench "$m" --runs 20 --adapter gpu --json >>"$log"
done
python3 - "$log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except Exception:
        continue
    print(r.get("model", "?"), r.get("shape", ""), "gpu_median_ms", r.get("gpu_median_ms"), "GFLOP/s", round(r.get("gpu_gflops_per_s") or 0))
PY
