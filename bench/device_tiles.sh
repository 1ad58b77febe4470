#!/usr/bin/env bash
# On the device machine: every implicit-GEMM tile on every TransNetV2 and ResNet-50 layer
# (bench/tile_sweep.py), to check the tile model of src/ops/conv/conv_tiling.cc against measurements.
#
# Prepare (here, from the project root; DIR = build-bench/suite-device):
#   cmake --build build -j2 --target webconv
#   /usr/bin/python3 bench/suite.py --prepare DIR --webconv build/webconv
#   ../shared/device/prepare.sh node_modules/bun-webgpu-linux-x64/libwebgpu_wrapper.so   # once: .device/
# Run (device; carry .device and DIR):  bench/device_tiles.sh DIR [FILTER [tile_sweep.py options]]
#   e.g. bench/device_tiles.sh DIR '^resnet50' --tiles '' --splits 1,2,4,8,16   (split-K counts only)
# Results: $OUT/tiles.txt (chosen vs fastest tile per row) and $OUT/tiles.json (every time).
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
filter=${2:-'^(transnetv2\.(spatial|temporal_d[18])|resnet50)'}
shift $(( $# < 2 ? $# : 2 ))
out=${OUT:-$dir/results}
mkdir -p "$out"
python3 bench/tile_sweep.py --models "$dir" --webconv "$dir/webconv" --adapter gpu --filter "$filter" \
  --work /tmp/webconv-tile-models --json "$out/tiles.json" "$@" | tee "$out/tiles.txt"
