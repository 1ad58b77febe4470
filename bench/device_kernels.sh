#!/usr/bin/env bash
# On the device machine, in one call: the depthwise strip kernel, the first-layer kernel and the fused
# AveragePool against the previous build (same run, same models), every strip height of the depthwise
# kernel, then the suite rows they touch (MobileNetV2's layers, the first layers, whole models).
#
# Prepare (here, from the project root; DIR = build-bench/suite-device):
#   cmake --build build-perf -j2 --target webconv
#   /usr/bin/python3 bench/suite.py --prepare DIR --webconv build-perf/webconv
#   strip -o DIR/webconv_base BASELINE/webconv             # the build before these kernels
#   /usr/bin/python3 bench/make_conv_layers.py /tmp/layers && cp /tmp/layers/dw*.onnx DIR/models/
#   ../shared/device/prepare.sh node_modules/bun-webgpu-linux-x64/libwebgpu_wrapper.so   # once: .device/
# Run (device; carry .device and DIR):  bench/device_kernels.sh DIR
# Results: $OUT/ab.jsonl (every webconv bench line), $OUT/ab.txt (the A/B table), and the suite's
# $OUT/suite.{txt,json,svg}, $OUT/ceilings.txt.
set -u
source bench/device_env.sh  # .device/env.sh, and ONNX Runtime on a warm machine
dir=$1
out=${OUT:-$dir/results}
work=/tmp/webconv-bench-models
mkdir -p "$out" "$work"
new="$dir/webconv"
old="$dir/webconv_base"
v1="$dir/webconv_v1"  # optional: an intermediate build to compare in the same run

echo "== suite: MobileNetV2 layers, first layers, whole models (fills the models into $work)"
python3 bench/suite.py --models "$dir" --webconv "$new" --adapter gpu --ort .device/ort-bench.mjs --torch \
  --timeout 120 --work "$work" --json "$out/suite.json" --plot "$out/suite.svg" \
  --filter '^(mobilenetv2|model|resnet50\.conv1|transnetv2\.spatial_1x3x3_3to)' | tee "$out/suite.txt"

echo "== correctness on the GPU against float64"
for m in "$dir"/models/dw*.onnx "$work"/mobilenetv2.conv1*.onnx "$work"/resnet50.conv1*.onnx \
         "$work"/transnetv2.spatial_1x3x3_3to32*.onnx "$work"/mobilenetv2.dw3x3s2_96*.onnx; do
  [ -f "$m" ] || continue
  echo "$(basename "$m"): $("$new" check "$m" --adapter gpu 2>&1 | tail -1)"
done
"$new" check "$work/transnetv2_backbone.onnx" --adapter gpu --shape frames=1,3,16,27,48 2>&1 | tail -2

bench() {  # label binary model [shape] -- appends one JSON line tagged with the label
  local label=$1 bin=$2 model=$3 shape=${4:-}
  local args=(bench "$model" --runs 20 --warmup 3 --adapter gpu --json)
  [ -n "$shape" ] && args+=(--shape "$shape")
  local line
  line=$("$bin" "${args[@]}" 2>/dev/null | grep '^{' | tail -1)
  echo "{\"label\": \"$label\", \"model\": \"$(basename "$model")\", \"shape\": \"$shape\", \"r\": ${line:-null}}" \
    >>"$out/ab.jsonl"
}
echo "== A/B: previous build vs this one; depthwise strip heights"
for m in "$dir"/models/dw*.onnx "$work"/mobilenetv2.dw*.onnx; do
  [ -f "$m" ] || continue
  bench base "$old" "$m"
  [ -x "$v1" ] && bench v1 "$v1" "$m"
  bench new "$new" "$m"
  case $(basename "$m") in  # every strip height on the large planes only (the call has 10 minutes)
    dw*|*_at_112*|*_at_56*) for r in 1 2 4 8; do WEBCONV_CONV_STRIP_ROWS=$r bench "strip$r" "$new" "$m"; done ;;
  esac
  case $(basename "$m") in  # output depths per thread for the 3-D layer
    dw3d*) for d in 1 2 4; do WEBCONV_CONV_STRIP_DEPTHS=$d bench "depth$d" "$new" "$m"; done ;;
  esac
done
for m in "$work"/mobilenetv2.conv1*.onnx "$work"/resnet50.conv1*.onnx "$work"/transnetv2.spatial_1x3x3_3to32*.onnx; do
  [ -f "$m" ] || continue
  bench base "$old" "$m"
  [ -x "$v1" ] && bench v1 "$v1" "$m"
  bench new "$new" "$m"
done
for t in 16 100; do
  bench base "$old" "$work/transnetv2_backbone.onnx" "frames=1,3,$t,27,48"
  bench new "$new" "$work/transnetv2_backbone.onnx" "frames=1,3,$t,27,48"
  WEBCONV_NO_FUSION=1 bench nofusion "$new" "$work/transnetv2_backbone.onnx" "frames=1,3,$t,27,48"
done
for m in mobilenetv2 resnet; do
  bench base "$old" "$work/$m.onnx"
  bench new "$new" "$work/$m.onnx"
done
"$new" bench "$work/transnetv2_backbone.onnx" --runs 20 --adapter gpu --per-kernel --shape frames=1,3,100,27,48 \
  >"$out/tn100_per_kernel.txt" 2>&1
python3 - "$out/ab.jsonl" <<'PY' | tee "$out/ab.txt"
import json, sys
rows = {}
for line in open(sys.argv[1]):
    j = json.loads(line)
    r = j["r"] or {}
    rows.setdefault((j["model"], j["shape"]), {})[j["label"]] = (r.get("gpu_median_ms"), r.get("wall_median_ms"))
labels = ["base", "v1", "new", "strip1", "strip2", "strip4", "strip8", "depth1", "depth2", "depth4", "nofusion"]
labels = [l for l in labels if any(l in v for v in rows.values())]
print(f"{'model':<48} {'shape':<20} " + " ".join(f"{l:>16}" for l in labels) + "   (GPU ms / wall ms, median of 20)")
for (m, s), v in rows.items():
    cells = [("%.4f/%.3f" % v[l]) if l in v and v[l][0] is not None else "-" for l in labels]
    print(f"{m[:48]:<48} {s:<20} " + " ".join(f"{c:>16}" for c in cells))
PY
echo "== ceilings"
python3 .device/cudnn-transnet.py | tee "$out/ceilings.txt"
