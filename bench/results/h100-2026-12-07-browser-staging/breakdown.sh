source .device/env.sh >/dev/null 2>&1
mkdir -p /tmp/device-bin && { [ -x /tmp/device-bin/node ] || { xz -dc .devdata/node.xz > /tmp/device-bin/node && chmod +x /tmp/device-bin/node; }; }
export PATH=/tmp/device-bin:$PATH
mkdir -p /tmp/webgpu/dist/linux-x64 && cp .device/webgpu/index.js .device/webgpu/package.json /tmp/webgpu/ && { [ -f /tmp/webgpu/dist/linux-x64/dawn.node ] || xz -dc .device/webgpu/dawn.node.xz > /tmp/webgpu/dist/linux-x64/dawn.node; }
echo "== browser breakdown"
for m in dbnet.onnx:x=1,3,960,960 mobilenetv3.onnx:x=1,3,48,192; do
  f=${m%%:*}; s=${m#*:}
  WC_T=1 node bench/web_bench.mjs /tmp/webconv-variant-models/$f --shape $s --runs 6 --dist .devdata/distp --webgpu /tmp/webgpu 2>&1 | grep -E "^(T|R|W) |wall_median" | tail -9 | cut -c1-300
done
