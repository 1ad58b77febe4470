#!/usr/bin/env bash
# On the device machine: the sibling-Conv and branch-Conv merges (ir/rewrite_siblings.cc,
# ir/rewrite_branches.cc) measured against the same build with each turned off, alternating in one run,
# on the TransNetV2 backbone (T=100 and T=16) and the other whole models, with per-node times at T=100;
# then every GEMM tile forced in turn on TransNetV2 T=100 (per-node times, to check the tile model's
# choice for the merged Convs); the H100-vs-float64 check; ONNX Runtime's WebGPU EP and PyTorch cuDNN
# on the same backbone.
#
# Prepare (here): DIR as for bench/device_suite.sh (bench/suite.py --prepare DIR --webconv DIR/webconv).
# Run (device; carry .device and DIR):  bench/device_siblings.sh DIR [--tiles-only | --transnet-only]
# (--transnet-only: the TransNetV2 rows, per-node times and anchors, no other models, no tile sweep)
# Results: $OUT/siblings_ab.txt, $OUT/per_kernel_*.txt, $OUT/siblings_tiles.txt, $OUT/anchors.txt
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
out=${OUT:-$dir/results}
work=/tmp/webconv-siblings
mkdir -p "$out" "$work"
fill_models "$dir" "$work" transnetv2_backbone.onnx resnet.onnx mobilenetv2.onnx tcn1d.onnx unet3d.onnx
wc="$dir/webconv"
tn="$work/transnetv2_backbone.onnx"
# Every tile forced on every GEMM Conv of TransNetV2 T=100, then split counts with the 128x128 tile;
# one file of per-node lines (GPU median of 10) headed by the variant.
tile_sweep() {
  local tile splits
  for tile in t128x128k16_r8x8 t64x128k16_r8x8 t128x64k16_r8x8 t256x64k16_r8x8 t64x64k8_r8x4 t64x64k16_r8x4 \
              t64x64k16_r4x4 t128x32k16_r8x4 t64x32k16_r4x4; do
    echo "== WEBCONV_CONV_TILE=$tile"
    WEBCONV_CONV_TILE=$tile "$wc" bench "$tn" --runs 10 --warmup 2 --adapter gpu --per-kernel \
      --shape frames=1,3,100,27,48 2>&1 | grep -E 'GPU time|conv_'
  done
  for splits in 1 2 4 8; do
    echo "== WEBCONV_CONV_TILE=t128x128k16_r8x8 WEBCONV_CONV_SPLITS=$splits"
    WEBCONV_CONV_TILE=t128x128k16_r8x8 WEBCONV_CONV_SPLITS=$splits "$wc" bench "$tn" --runs 10 --warmup 2 \
      --adapter gpu --per-kernel --shape frames=1,3,100,27,48 2>&1 | grep -E 'GPU time|conv_'
  done
}
if [ "${2:-}" = --tiles-only ]; then
  tile_sweep > "$out/siblings_tiles.txt"
  exit
fi
{
  echo "== webconv check on the H100 against float64, T=16 (both merges)"
  "$wc" check "$tn" --adapter gpu --shape frames=1,3,16,27,48 2>&1 | tail -3
} | tee "$out/siblings_check.txt"
# Settings, alternating: both merges (the default), branches apart (WEBCONV_NO_BRANCH_MERGE=1), and
# siblings apart too (WEBCONV_NO_SIBLING_MERGE=1, which leaves no slice readers for the branch merge).
run_setting() {  # setting webconv-args...
  case $1 in
    merged) shift; "$wc" "$@" ;;
    no_branch) shift; WEBCONV_NO_BRANCH_MERGE=1 "$wc" "$@" ;;
    separate) shift; WEBCONV_NO_BRANCH_MERGE=1 WEBCONV_NO_SIBLING_MERGE=1 "$wc" "$@" ;;
  esac
}
row() {  # label model [shape]
  local label=$1 model=$2 shape=${3:-}
  for setting in merged no_branch separate merged no_branch separate; do
    local args=(bench "$work/$model" --runs 20 --warmup 3 --adapter gpu --json)
    [ -n "$shape" ] && args+=(--shape "$shape")
    local j
    j=$(run_setting $setting "${args[@]}" 2>/dev/null | grep '^{' | tail -1)
    bench_line "$label" "$setting" "$j"
  done
}
{
  row transnetv2_T100 transnetv2_backbone.onnx frames=1,3,100,27,48
  row transnetv2_T16 transnetv2_backbone.onnx frames=1,3,16,27,48
  [ "${2:-}" = --transnet-only ] || {
    row resnet50 resnet.onnx
    row mobilenetv2 mobilenetv2.onnx
    row tcn1d tcn1d.onnx
    row unet3d unet3d.onnx
  }
} | tee "$out/siblings_ab.txt"
for setting in merged no_branch separate; do
  run_setting $setting bench "$tn" --runs 20 --warmup 3 --adapter gpu --per-kernel --shape frames=1,3,100,27,48 \
    > "$out/per_kernel_$setting.txt" 2>&1
done
[ "${2:-}" = --transnet-only ] || tile_sweep > "$out/siblings_tiles.txt"
{
  echo "== ONNX Runtime 1.30 WebGPU EP, T=100"
  node .device/ort-bench.mjs "$tn" --ep webgpu --runs 10 --shape frames=1,3,100,27,48
  echo "== PyTorch cuDNN FP32 and ceilings"
  python3 .device/cudnn-transnet.py
} 2>&1 | tee "$out/anchors.txt"
