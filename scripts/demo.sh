#!/usr/bin/env bash
# Sets everything up, then runs the bundled default model on WebGPU and checks it against the float64
# reference. Usage: scripts/demo.sh [MODEL]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
model=${1:-$root/models/default.onnx}
"$root/build/webconv" run "$model" --output-dir "$root/build/demo_out"
"$root/build/webconv" check "$model"
