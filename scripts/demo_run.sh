#!/usr/bin/env bash
# The demo after setup (scripts/demo.sh runs it; tests/demo runs it at a small T): generates the
# TransNetV2-architecture model (random weights) and the synthetic clip when needed, runs the model on
# the clip with WebGPU and with the float64 reference, and prints the adapter, the run time, per-frame
# probabilities next to the clip's ground truth, and the max error between the two backends.
# Exits non-zero if a step fails or WebGPU disagrees with the reference.
#
# Usage: scripts/demo_run.sh WEBCONV MODEL_DIR OUT_DIR [FRAMES]
#   MODEL_DIR gets default.onnx, clip.npy and clip.truth.txt; FRAMES defaults to make_default.py's T.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wc=$1 dir=$2 out=$3 want=${4:-}
py=/usr/bin/python3
start_ns=$(date +%s%N)
model=$dir/default.onnx clip=$dir/clip.npy truth=$dir/clip.truth.txt
frames_of() {
  "$py" -c "import onnx,sys; print(onnx.load(sys.argv[1]).graph.input[0].type.tensor_type.shape.dim[2].dim_value)" "$1"
}

# The model (about 30 MB) is generated, deterministically, when missing, older than its generators, or
# built for another frame count.
if [ ! -f "$model" ] || [ "$root/tools/models/make_default.py" -nt "$model" ] ||
   [ "$root/tools/models/make_transnetv2.py" -nt "$model" ] ||
   { [ -n "$want" ] && [ "$(frames_of "$model")" != "$want" ]; }; then
  "$py" "$root/tools/models/make_default.py" "$model" ${want:+--frames "$want"}
fi
frames=$(frames_of "$model")
"$py" "$root/tools/models/make_clip.py" "$clip" --frames "$frames" --truth "$truth"

echo
echo "== TransNetV2 architecture (shot-boundary detection), T=$frames frames of 48x27 RGB =="
echo "   NOTE: the weights are RANDOM, NOT TRAINED. The probabilities show that the model runs end to end"
echo "   on WebGPU and agrees with the float64 reference; they say nothing about where the cuts are."
[ "$frames" -eq 100 ] ||
  echo "   TransNetV2's own window is 100 frames; this demo uses $frames to stay fast on a CPU-emulated GPU."
rm -rf "$out/webgpu" "$out/reference"
echo
echo "== WebGPU =="
"$wc" run "$model" --input frames="$clip" --output-dir "$out/webgpu"
echo
echo "== float64 reference (CPU) =="
"$wc" run "$model" --input frames="$clip" --backend cpu --output-dir "$out/reference"
echo
echo "== per-frame transition probabilities (random weights: the values mean nothing) =="
result=$(cd "$out/webgpu" && ls -- *.npy)
status=0
"$py" "$root/scripts/demo_report.py" "$out/webgpu/$result" "$out/reference/$result" "$truth" || status=$?
ms=$((($(date +%s%N) - start_ns) / 1000000))
printf 'demo time after setup: %d.%01d s (model and clip generation, WebGPU run, float64 reference run)\n' \
  $((ms / 1000)) $((ms % 1000 / 100))
exit $status
