#!/usr/bin/env bash
# The trained TransNetV2 on the held-out synthetic set, through `webconv shots` on the device's GPU, next
# to the histogram baseline (tools/train/evaluate.py), at several thresholds.
# Prepare (here): DIR/webconv (stripped build), DIR/ffmpeg.xz and ffprobe.xz (bench/device_shots.sh says
# how), DIR/transnetv2.onnx.xz (tools/models/make_transnetv2_trained.py, xz), DIR/videos/ (tools/train/synth.py);
# a slim copy of .device with only gl/, lib/ and env.sh (paths rewritten) as .devslim.
# Run (device; carry .devslim and DIR):  bench/device_eval.sh DIR
set -u
source .devslim/env.sh
export WEBCONV_DAWN_LIB=/tmp/device-lib/libwebgpu_wrapper.so __GL_SHADER_DISK_CACHE=0
dir=$1
out=${OUT:-$dir/results}
mkdir -p "$out" /tmp/ff
for p in ffmpeg ffprobe; do [ -x /tmp/ff/$p ] || { xz -dc "$dir/$p.xz" > /tmp/ff/$p && chmod +x /tmp/ff/$p; }; done
export PATH=/tmp/ff:$PATH
xz -dc "$dir/transnetv2.onnx.xz" > /tmp/transnetv2.onnx
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | tee "$out/eval.txt"
# WebGPU against the float64 reference on one clip (DIR/check_frames.npy, uint8 [1, 100, 27, 48, 3]).
[ -f "$dir/check_frames.npy" ] && "$dir/webconv" check /tmp/transnetv2.onnx --input "frames=$dir/check_frames.npy" 2>&1 | tail -4 | tee -a "$out/eval.txt"
for t in 0.5 0.3 0.7 0.1; do
  echo "threshold $t" | tee -a "$out/eval.txt"
  extra=(); [ "$t" = 0.5 ] && extra=(--baseline)
  python3 tools/train/evaluate.py "$dir"/videos/*.mp4 --webconv "$dir/webconv" --model /tmp/transnetv2.onnx \
    --threshold "$t" "${extra[@]}" --json "$out/eval-$t.json" 2>&1 | tee -a "$out/eval.txt"
done
# One video's speed, first process (cold) and the JSON webconv prints.
"$dir/webconv" shots "$dir/videos/synth_1000.mp4" --model /tmp/transnetv2.onnx --no-pipeline-cache 2>&1 | tail -12 | tee -a "$out/eval.txt"
