#!/usr/bin/env bash
# On the device machine: the implicit GEMM with one workgroup-memory stage per K slice against two
# (WEBCONV_CONV_STAGES=1 / 2), in one run: (1) the tile tests on the GPU (every tile in both forms);
# (2) whole-model GPU time per setting (median of 20 after 3 warm-ups, settings alternating, two rounds);
# (3) TransNetV2 T=100 per node (minimum of 3 repetitions); (4) optionally, with SWEEP=1, every model
# candidate tile in both forms on every TransNetV2 and ResNet-50 layer (bench/tile_sweep.py).
#
# Prepare (here): DIR as for bench/device_suite.sh, plus the conv test binary stripped to DIR/conv_tests
#   (strip -o DIR/conv_tests build/tests/conv/conv_tests).
# Run (device; carry .device and DIR):  bench/device_stages.sh DIR
# Results: $OUT/stages_tests.txt, stages_models.txt, stages_nodes.txt [, stages_tiles.txt/.json]
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
out=${OUT:-$dir/results}
work=/tmp/webconv-stages-models
mkdir -p "$out" "$work"
fill_models "$dir" "$work" resnet.onnx mobilenetv2.onnx transnetv2_backbone.onnx tcn1d.onnx unet3d.onnx

"$dir/conv_tests" --gtest_filter='ConvTiles.*' 2>&1 | tail -n 30 | tee "$out/stages_tests.txt"

row() {  # label model [shape]
  local label=$1 model=$2 shape=${3:-}
  for stages in 1 2; do
    local args=(bench "$work/$model" --runs 20 --warmup 3 --adapter gpu --json)
    [ -n "$shape" ] && args+=(--shape "$shape")
    local j
    j=$(WEBCONV_CONV_STAGES=$stages "$dir/webconv" "${args[@]}" 2>/dev/null | grep '^{' | tail -1)
    python3 -c "import json,sys; j=json.loads(sys.argv[1] or '{}'); \
print('%-18s stages=%s gpu %8.3f ms  wall %8.3f ms' % (sys.argv[2], sys.argv[3], \
j.get('gpu_median_ms', float('nan')), j.get('wall_median_ms', float('nan'))))" "$j" "$label" "$stages"
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
} | tee "$out/stages_models.txt"

python3 bench/node_sweep.py --webconv "$dir/webconv" --model "$work/transnetv2_backbone.onnx" \
  --shape frames=1,3,100,27,48 --variants WEBCONV_CONV_STAGES=1,WEBCONV_CONV_STAGES=2 \
  --runs 10 --reps 3 | tee "$out/stages_nodes.txt"

if [ "${SWEEP:-0}" = 1 ]; then
  tiles=t128x64k16_r8x8,t128x32k16_r8x4,t64x64k16_r4x4,t64x64k16_r8x4,t64x32k16_r4x4,t32x32k16_r4x4
  tiles=$tiles,t64x16k16_r4x4,t128x16k16_r4x4
  tiles=$tiles,$(echo "$tiles" | sed 's/\(r[0-9]*x[0-9]*\)/\1_s2/g')
  python3 bench/tile_sweep.py --models "$dir" --webconv "$dir/webconv" --adapter gpu \
    --filter '^(transnetv2\.(spatial|temporal_d[18])|resnet50)' --tiles "$tiles" \
    --work /tmp/webconv-tile-models --json "$out/stages_tiles.json" | tee "$out/stages_tiles.txt"
fi
