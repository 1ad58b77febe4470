#!/usr/bin/env bash
# The main command: installs what is missing and builds (scripts/setup.sh), then runs the bundled
# default model (TransNetV2 architecture, random weights, generated into models/) on a synthetic clip
# with WebGPU and checks it against the float64 reference (scripts/demo_run.sh).
#
# Usage: scripts/demo.sh            the TransNetV2 demo
#        scripts/demo.sh MODEL      run MODEL on WebGPU (seeded random inputs) and `webconv check` it
# Environment: WEBCONV_BUILD_DIR (default build), WEBCONV_DEMO_FRAMES (default: make_default.py's T).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WEBCONV_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" "$build"
if [ $# -gt 0 ]; then
  "$build/webconv" run "$1" --output-dir "$build/demo_out"
  exec "$build/webconv" check "$1"
fi
exec "$root/scripts/demo_run.sh" "$build/webconv" "$root/models" "$build/demo_out" "${WEBCONV_DEMO_FRAMES:-}"
