#!/usr/bin/env bash
# The benchmark suite (bench/suite.py) on the device machine (../shared/device/README.md): every
# distinct Conv layer of TransNetV2 (T=100), ResNet-50 and MobileNetV2 plus whole networks, on webconv
# (GPU timestamps and wall time), ONNX Runtime 1.30's WebGPU EP (wall time) and PyTorch cuDNN FP32,
# all in the same run; then the FP32 SGEMM and copy ceilings (.device/cudnn-transnet.py).
#
# Prepare (here, from the project root). Models are written with their large float weights stripped
# (about 1.5 MiB for all of them); the device refills them with seeded random values before timing, so
# webconv and ONNX Runtime load the very same files. The device needs no onnx or numpy package.
#   cmake --build build-bench -j2 --target webconv
#   /usr/bin/python3 bench/suite.py --prepare build-bench/suite-device --webconv build-bench/webconv
#   ../shared/device/prepare.sh node_modules/bun-webgpu-linux-x64/libwebgpu_wrapper.so   # once: makes .device/
# Run (device; carry .device and build-bench/suite-device):
#   bench/device_suite.sh build-bench/suite-device                                   # all 77 rows
#   a device command may take at most 10 minutes; if all rows do not fit, run two subsets (suite.py options):
#   bench/device_suite.sh build-bench/suite-device --filter '^(transnetv2|model)'
#   bench/device_suite.sh build-bench/suite-device --filter '^(resnet50|mobilenetv2)'
# Results: $OUT/suite.txt (the table), $OUT/suite.json (every row), $OUT/suite.svg (per-layer plot),
# $OUT/ceilings.txt. Without $OUT they go to DIR/results.
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
shift
out=${OUT:-$dir/results}
mkdir -p "$out"
python3 bench/suite.py --models "$dir" --webconv "$dir/webconv" --adapter gpu --ort .device/ort-bench.mjs --torch \
  --timeout 120 --work /tmp/webconv-bench-models --json "$out/suite.json" --plot "$out/suite.svg" "$@" | tee "$out/suite.txt"
status=${PIPESTATUS[0]}
echo "== PyTorch cuDNN on the TransNetV2 backbone, FP32 SGEMM and copy ceilings"
python3 .device/cudnn-transnet.py | tee "$out/ceilings.txt"
exit "$status"
