# Sourced by the bench/device_*.sh scripts on the device machine: .device/env.sh, then the one step it
# skips on a machine that is still warm from an earlier call. env.sh unpacks ONNX Runtime's
# libonnxruntime.so.1 into .device/anchor only when it unpacks node; every call carries a fresh .device,
# so on a warm machine the library is missing and every ONNX Runtime run fails ("libonnxruntime.so.1:
# cannot open shared object file").
source .device/env.sh
ort_lib=.device/anchor/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1
if [ -f .device/anchor/libonnxruntime.so.1.xz ] && [ ! -f "$ort_lib" ]; then
  xz -dc .device/anchor/libonnxruntime.so.1.xz > "$ort_lib"
fi
export WEBCONV_DAWN_LIB=/tmp/device-lib/libwebgpu_wrapper.so

# fill_models DIR WORK NAME...: each prepared model DIR/models/NAME copied to WORK/NAME with its large
# initializers filled by seeded random values (bench/onnx_weights.py); skipped when already there.
fill_models() {
  local dir=$1 work=$2 name
  shift 2
  mkdir -p "$work"
  for name in "$@"; do
    [ -f "$work/$name" ] || python3 -c "import sys; sys.path.insert(0, 'bench'); import onnx_weights; \
onnx_weights.fill('$dir/models/$name', '$work/$name')"
  done
}

# bench_line LABEL VARIANT JSON: one aligned line from a `webconv bench --json` result (GPU and wall
# medians, dispatches), for the A/B scripts' tables.
bench_line() {
  python3 -c "import json,sys; j=json.loads(sys.argv[1] or '{}'); \
print('%-28s %-13s gpu %8.3f ms  wall %8.3f ms  dispatches %s' % (sys.argv[2], sys.argv[3], \
j.get('gpu_median_ms', float('nan')), j.get('wall_median_ms', float('nan')), j.get('dispatches')))" \
    "$3" "$1" "$2"
}
