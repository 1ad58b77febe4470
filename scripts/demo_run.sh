#!/usr/bin/env bash
# The demo after setup (scripts/demo.sh runs it; tests/demo runs it at a small T): generates the
# TransNetV2-architecture model (random weights) and the synthetic clip when needed, runs the model on
# the clip with WebGPU and with the float64 reference, and prints the adapter, the run time, per-frame
# probabilities next to the clip's ground truth, and the max error between the two backends. Then the
# trained TransNetV2 finds the shots of a generated video through `webconv shots`, scored against its truth.
# Exits non-zero if a step fails, WebGPU disagrees with the reference, or a transition is missed.
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
echo "   (on WebGPU with a hardware GPU, else on the fast CPU backend) and agrees with the float64 reference;"
echo "   they say nothing about where the cuts are."
[ "$frames" -eq 100 ] ||
  echo "   TransNetV2's own window is 100 frames; this demo uses $frames to keep the float64 reference quick."
rm -rf "$out/run" "$out/reference"
mkdir -p "$out"
echo
echo "== webconv run (default backend: WebGPU on a hardware GPU, else the fast CPU backend) =="
"$wc" run "$model" --input frames="$clip" --output-dir "$out/run" | tee "$out/run.txt"
backend=$(sed -n 's/^backend: \([a-z]*\).*/\1/p' "$out/run.txt")
backend=${backend:-webgpu}
echo
echo "== float64 reference (CPU) =="
"$wc" run "$model" --input frames="$clip" --backend ref --output-dir "$out/reference"
echo
echo "== per-frame transition probabilities (random weights: the values mean nothing) =="
result=$(cd "$out/run" && ls -- *.npy)
status=0
"$py" "$root/scripts/demo_report.py" "$out/run/$result" "$out/reference/$result" "$truth" --label "$backend" || status=$?

# Shots: the trained TransNetV2 (models/transnetv2.onnx, built from the repository's float16 weights) on a
# generated video with known cuts and a fade, through `webconv shots`, scored against the truth.
shots_model=$dir/transnetv2.onnx
if [ ! -f "$shots_model" ] || [ "$root/models/transnetv2/weights.f16.npz" -nt "$shots_model" ]; then
  "$py" "$root/tools/models/make_transnetv2_trained.py" "$shots_model"
fi
video=$out/shots_demo.mp4
"$py" "$root/tools/video/make_video.py" "$video" --frames 150 --shots 4 --fades 1 --seed 1 >/dev/null
echo
echo "== Shots: webconv shots on a generated 150-frame video (trained TransNetV2, backend $backend) =="
"$wc" shots "$video" --model "$shots_model" --json > "$out/shots_demo.json"
"$py" - "$out/shots_demo.json" "$video.truth.json" <<'PYEOF' || status=1
import json, sys
got, truth = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print(f"{got['frames']} frames at {got['fps']:g} fps; scenes (first-last frame):")
for a, b in got["scenes"]:
    print(f"  {a:4d}-{b:4d}  {a / got['fps']:6.2f}-{(b + 1) / got['fps']:6.2f} s")
found = [s[1] for s in got["scenes"][:-1]]  # a scene ends on its transition's first (cut: last old) frame
near = lambda f, span: span[0] - 2 <= f <= span[1] + 2  # tolerance 2 frames, as TransNetV2's evaluation
print("truth:")
spans = []
for t in truth["transitions"]:
    if t["kind"] == "cut":
        span, what = (t["frame"] - 1, t["frame"] - 1), f"hard cut: frame {t['frame']} starts a new shot"
    else:
        span, what = (t["first"], t["last"]), f"{t['kind']} over frames {t['first']}-{t['last']}"
    spans.append(span)
    print(f"  {what}: {'found' if any(near(f, span) for f in found) else 'MISSED'}")
ok = sum(any(near(f, span) for f in found) for span in spans)
extra = sum(not any(near(f, span) for span in spans) for f in found)
print(f"{ok} of {len(spans)} transitions found, {extra} false (tolerance 2 frames)")
sys.exit(0 if ok == len(spans) and extra == 0 else 1)
PYEOF
ms=$((($(date +%s%N) - start_ns) / 1000000))
printf 'demo time after setup: %d.%01d s (model and clip generation, %s run, float64 reference run, shots)\n' \
  $((ms / 1000)) $((ms % 1000 / 100)) "$backend"
exit $status
