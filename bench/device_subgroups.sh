#!/usr/bin/env bash
# On the device machine: the direct Conv's optional subgroup taps (WEBCONV_CONV_SUBGROUPS=1) against the
# plain kernel, in one run: (1) the direct kernel's differential tests on the GPU; (2) GPU time of the
# depthwise layer models and MobileNetV2 per setting (median of 20 after 3 warm-ups, settings
# alternating, two rounds).
#
# Prepare (here): DIR as for bench/device_suite.sh, plus the conv test binary stripped to DIR/conv_tests.
# Run (device; carry .device and DIR):  bench/device_subgroups.sh DIR
# Results: $OUT/subgroup_tests.txt, subgroup_layers.txt
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
out=${OUT:-$dir/results}
work=/tmp/webconv-subgroup-models
mkdir -p "$out" "$work"
"$dir/conv_tests" --gtest_filter='ConvDirect.*' 2>&1 | grep -v '^\[ RUN\|^\[       OK' | tee "$out/subgroup_tests.txt"
models=$(cd "$dir/models" && ls dw2d_*.onnx dw3d_*.onnx mobilenetv2.dw*.onnx mobilenetv2.onnx)
# shellcheck disable=SC2086
fill_models "$dir" "$work" $models
{
  for round in 1 2; do
    for m in $models; do
      for sg in 0 1; do
        j=$(WEBCONV_CONV_SUBGROUPS=$sg "$dir/webconv" bench "$work/$m" --runs 20 --warmup 3 --adapter gpu --json \
          2>/dev/null | grep '^{' | tail -1)
        python3 -c "import json,sys; j=json.loads(sys.argv[1] or '{}'); \
print('%-42s subgroups=%s gpu %8.4f ms' % (sys.argv[2], sys.argv[3], j.get('gpu_median_ms', float('nan'))))" \
          "$j" "$m" "$sg"
      done
    done
  done
} | tee "$out/subgroup_layers.txt"
