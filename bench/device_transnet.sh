#!/usr/bin/env bash
# On the device machine (../shared/device/README.md): the TransNetV2 backbone (1x3xTx27x48, random
# weights from tools/models/make_transnetv2.py) on webconv, against ONNX Runtime 1.30's WebGPU EP and
# PyTorch cuDNN FP32, measured in the same run.
#   prepare (here): /usr/bin/python3 tools/models/make_transnetv2.py DIR/tn_bb.onnx --backbone-only --dynamic-frames
#                   strip -o DIR/webconv build/webconv;  ../shared/device/prepare.sh node_modules/bun-webgpu-linux-x64/libwebgpu_wrapper.so
#   run (device):   bench/device_transnet.sh DIR      (carry .device and DIR)
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
wc="$dir/webconv"
model="$dir/tn_bb.onnx"
echo "== correctness: webconv check (H100 vs float64 reference), T=16"
"$wc" check "$model" --adapter gpu --shape frames=1,3,16,27,48
for t in 16 100; do
  echo "== webconv bench, T=$t (GPU timestamps)"
  "$wc" bench "$model" --runs 20 --adapter gpu --json --shape frames=1,3,$t,27,48
  echo "== ONNX Runtime 1.30 WebGPU EP, T=$t"
  node .device/ort-bench.mjs "$model" --ep webgpu --runs 10 --shape frames=1,3,$t,27,48
done
echo "== PyTorch cuDNN FP32 and ceilings"
python3 .device/cudnn-transnet.py
