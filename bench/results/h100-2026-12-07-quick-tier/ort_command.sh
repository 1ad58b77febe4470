# The second call on the same warm machine (carry .device/anchor .device/env.sh .device/gl), about a minute
# after first_run_tiers.sh, on the models it filled into /tmp/coldwork:
source .device/env.sh; export __GL_SHADER_DISK_CACHE=0; for r in "transnetv2_backbone_T100_27x48.onnx frames=1,3,100,27,48" "transnetv2_T100_27x48.onnx frames=1,3,100,27,48" "mobilenetv3.onnx x=1,3,48,192" "dbnet.onnx x=1,3,960,960"; do set -- $r; for i in 1 2 3; do timeout 40 node bench/ort_cold.mjs /tmp/coldwork/$1 --ep webgpu --shape $2 --runs 3 2>&1 | tail -1; done; done
