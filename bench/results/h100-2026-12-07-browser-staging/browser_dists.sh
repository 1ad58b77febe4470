source .device/env.sh >/dev/null 2>&1
mkdir -p /tmp/device-bin && { [ -x /tmp/device-bin/node ] || { xz -dc .devdata/node.xz > /tmp/device-bin/node && chmod +x /tmp/device-bin/node; }; }
export PATH=/tmp/device-bin:$PATH
mkdir -p /tmp/webgpu/dist/linux-x64 && cp .device/webgpu/index.js .device/webgpu/package.json /tmp/webgpu/ && { [ -f /tmp/webgpu/dist/linux-x64/dawn.node ] || xz -dc .device/webgpu/dawn.node.xz > /tmp/webgpu/dist/linux-x64/dawn.node; }
ls /tmp/webconv-variant-models/ || { source bench/device_env.sh; fill_models .devdata/cold /tmp/webconv-variant-models transnetv2_backbone_T100.onnx transnetv2_T100.onnx mobilenetv3.onnx dbnet.onnx; }
echo "model dist wall_median_ms gpu_median_ms (3 processes, alternating)"
for m in transnetv2_backbone_T100.onnx:frames=1,3,100,27,48 transnetv2_T100.onnx:frames=1,3,100,27,48 mobilenetv3.onnx:x=1,3,48,192 dbnet.onnx:x=1,3,960,960; do
  f=${m%%:*}; s=${m#*:}
  for rep in 1 2 3; do for d in dist distp dist2; do
    j=$(node bench/web_bench.mjs /tmp/webconv-variant-models/$f --shape $s --runs 20 --dist .devdata/$d --webgpu /tmp/webgpu 2>/dev/null | tail -1)
    python3 -c "import json,sys; j=json.loads(sys.argv[1]); print(sys.argv[2], sys.argv[3], j.get('wall_median_ms'), j.get('gpu_median_ms'))" "$j" $f $d
  done; done
done
