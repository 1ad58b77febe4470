#!/usr/bin/env bash
# On the device machine: the implicit GEMM's optional f16 tiles (WEBCONV_CONV_F16=tiles) against
# f32, in one run: (1) its differential tests (ConvF16, ConvTiles) on the GPU; (2) accuracy
# of whole models against float64 (`webconv check`); (3) whole-model GPU time per setting (median of 20
# after 3 warm-ups, settings alternating); (4) TransNetV2 T=100 per node (minimum of 3 repetitions).
#
# Prepare (here): DIR as for bench/device_suite.sh, plus the conv test binary stripped to DIR/conv_tests
#   (strip -o DIR/conv_tests build/tests/conv/conv_tests).
# Run (device; carry .device and DIR):  bench/device_f16.sh DIR
# Results: $OUT/f16_tests.txt, f16_check.txt, f16_models.txt, f16_nodes.txt
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
out=${OUT:-$dir/results}
work=/tmp/webconv-f16-models
mkdir -p "$out" "$work"
fill_models "$dir" "$work" resnet.onnx mobilenetv2.onnx transnetv2_backbone.onnx tcn1d.onnx unet3d.onnx
settings="off tiles"

"$dir/conv_tests" --gtest_filter='ConvF16.*:ConvTiles.*' 2>&1 | tee "$out/f16_tests.txt"

for f16 in $settings; do
  for m in "transnetv2_backbone.onnx --shape frames=1,3,16,27,48" resnet.onnx; do
    echo "== WEBCONV_CONV_F16=$f16 check $m"
    # shellcheck disable=SC2086
    WEBCONV_CONV_F16=$f16 "$dir/webconv" check "$work"/$m --adapter gpu 2>&1 | grep -v '^  why'
  done
done | tee "$out/f16_check.txt"

row() {  # label model [shape]
  local label=$1 model=$2 shape=${3:-}
  for f16 in $settings; do
    local args=(bench "$work/$model" --runs 20 --warmup 3 --adapter gpu --json)
    [ -n "$shape" ] && args+=(--shape "$shape")
    local j
    j=$(WEBCONV_CONV_F16=$f16 "$dir/webconv" "${args[@]}" 2>/dev/null | grep '^{' | tail -1)
    python3 -c "import json,sys; j=json.loads(sys.argv[1] or '{}'); \
print('%-18s f16=%-6s gpu %8.3f ms  wall %8.3f ms' % (sys.argv[2], sys.argv[3], \
j.get('gpu_median_ms', float('nan')), j.get('wall_median_ms', float('nan'))))" "$j" "$label" "$f16"
  done
}
{
  for rep in 1 2; do
    row transnetv2_T100 transnetv2_backbone.onnx frames=1,3,100,27,48
    row transnetv2_T16 transnetv2_backbone.onnx frames=1,3,16,27,48
    row resnet50 resnet.onnx
    row tcn1d tcn1d.onnx
    row unet3d unet3d.onnx
  done
} | tee "$out/f16_models.txt"

python3 bench/node_sweep.py --webconv "$dir/webconv" --model "$work/transnetv2_backbone.onnx" \
  --shape frames=1,3,100,27,48 --variants none,WEBCONV_CONV_F16=tiles \
  --runs 10 --reps 3 | tee "$out/f16_nodes.txt"
