source bench/device_env.sh >/dev/null 2>&1
fill_models .devdata/cold /tmp/webconv-variant-models transnetv2_backbone_T100.onnx transnetv2_T100.onnx mobilenetv3.onnx dbnet.onnx
echo "native: model wall_median_ms gpu_median_ms"
for m in transnetv2_backbone_T100.onnx:frames=1,3,100,27,48 transnetv2_T100.onnx:frames=1,3,100,27,48 mobilenetv3.onnx:x=1,3,48,192 dbnet.onnx:x=1,3,960,960; do
  f=${m%%:*}; s=${m#*:}
  for rep in 1 2 3; do
    j=$(.devdata/webconv bench /tmp/webconv-variant-models/$f --shape $s --runs 20 --warmup 3 --json --adapter gpu 2>/dev/null | grep '^{' | tail -1)
    python3 -c "import json,sys; j=json.loads(sys.argv[1]); print(sys.argv[2], 'native', j.get('wall_median_ms'), j.get('gpu_median_ms'))" "$j" $f
  done
done
