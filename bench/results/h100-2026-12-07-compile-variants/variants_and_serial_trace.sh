source bench/device_env.sh >/dev/null 2>&1
bash bench/device_compile_variants.sh .devdata/cold .devdata/webconv 2 -- 'default:' 'uniform:WEBCONV_CONV_SIZES=uniform' 'l64x16:WEBCONV_CONV_TILE=t64x16k16_r4x4 WEBCONV_CONV_SIZES=uniform' 'l32x32:WEBCONV_CONV_TILE=t32x32k16_r4x4 WEBCONV_CONV_SIZES=uniform' 'h64x64u:WEBCONV_CONV_TILE=t64x64k8_r8x4 WEBCONV_CONV_SIZES=uniform' 2>&1 | grep -v "^run trace" | cut -c1-160
echo "== serial compile trace (backbone, mobilenetv3)"
for m in transnetv2_backbone_T100.onnx:frames=1,3,100,27,48 mobilenetv3.onnx:x=1,3,48,192; do
  f=${m%%:*}; s=${m#*:}
  WEBCONV_PIPELINE_CACHE=0 __GL_SHADER_DISK_CACHE=0 WEBCONV_SERIAL_COMPILE=1 WEBCONV_COMPILE_TRACE=1 .devdata/webconv bench /tmp/webconv-variant-models/$f --shape $s --runs 2 --warmup 0 --json --adapter gpu 2>&1 | grep "compile trace" | cut -c1-140
done
