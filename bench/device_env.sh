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
