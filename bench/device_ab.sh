#!/usr/bin/env bash
# On the device machine: whole models timed by two webconv builds in the same run, alternating, so a
# change to kernels or their choice is measured against the build before it (GPU timestamps, median
# of 20 after 3 warm-ups; wall time too).
#
# Prepare (here): DIR as for bench/device_suite.sh, plus the previous build stripped to DIR/webconv_base.
# Run (device; carry .device and DIR):  bench/device_ab.sh DIR
# Results: $OUT/ab_models.txt
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
out=${OUT:-$dir/results}
work=/tmp/webconv-ab-models
mkdir -p "$out" "$work"
fill_models "$dir" "$work" resnet.onnx mobilenetv2.onnx transnetv2_backbone.onnx tcn1d.onnx unet3d.onnx
row() {  # label model [shape]
  local label=$1 model=$2 shape=${3:-}
  for bin in webconv_base webconv; do
    local args=(bench "$work/$model" --runs 20 --warmup 3 --adapter gpu --json)
    [ -n "$shape" ] && args+=(--shape "$shape")
    local j
    j=$("$dir/$bin" "${args[@]}" 2>/dev/null | grep '^{' | tail -1)
    bench_line "$label" "$bin" "$j"
  done
}
{
  row transnetv2_T100 transnetv2_backbone.onnx frames=1,3,100,27,48
  row transnetv2_T16 transnetv2_backbone.onnx frames=1,3,16,27,48
  row resnet50 resnet.onnx
  row mobilenetv2 mobilenetv2.onnx
  row tcn1d tcn1d.onnx
  row unet3d unet3d.onnx
} | tee "$out/ab_models.txt"
