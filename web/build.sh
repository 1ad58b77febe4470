#!/usr/bin/env bash
# Builds the WebAssembly core with Emscripten and assembles the web package (web_abi.md):
#   DIR/webconv-core.mjs, DIR/webconv.wasm   the core (CMake target webconv_core in build-web/)
#   DIR/webconv.mjs, webconv.d.ts, package.json   the JS API (copied from web/src/ when present)
#   DIR/...                                  everything under web/static/, verbatim (the demo page)
#   DIR/demo/default.onnx, clip.npy, clip.truth.txt   the built-in demo (generated into models/ first
#                                            when missing, as scripts/demo.sh does)
#   DIR/demo/transnetv2.onnx                 the trained TransNetV2 of the video panel (models/transnetv2/)
# Usage: web/build.sh [--out DIR]   (default web/dist; the build tree is build-web/, or $WEBCONV_WEB_BUILD_DIR)
# Installs nothing: scripts/setup.sh installs emscripten and node-acorn.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/web/dist
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    *) echo "usage: web/build.sh [--out DIR]" >&2; exit 2 ;;
  esac
done
build=${WEBCONV_WEB_BUILD_DIR:-$root/build-web}

if ! command -v em++ >/dev/null || ! command -v emcmake >/dev/null; then
  echo "web/build.sh: em++/emcmake not found: install Emscripten (scripts/setup.sh installs Debian's emscripten)" >&2
  exit 1
fi
# Debian's emscripten finds its JS tools (acorn) through NODE_PATH.
export NODE_PATH=${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs

start=$(date +%s)
emcmake cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWEBCONV_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target webconv_core

# The demo model and clip, generated exactly as scripts/demo_run.sh does when they are missing.
py=/usr/bin/python3
models=$root/models
if [ ! -f "$models/default.onnx" ]; then
  "$py" "$root/tools/models/make_default.py" "$models/default.onnx"
fi
if [ ! -f "$models/clip.npy" ] || [ ! -f "$models/clip.truth.txt" ]; then
  frames=$("$py" -c "import onnx,sys; print(onnx.load(sys.argv[1]).graph.input[0].type.tensor_type.shape.dim[2].dim_value)" "$models/default.onnx")
  "$py" "$root/tools/models/make_clip.py" "$models/clip.npy" --frames "$frames" --truth "$models/clip.truth.txt"
fi

# The trained TransNetV2 for the page's video panel, built from the repository's float16 weights.
if [ ! -f "$models/transnetv2.onnx" ] || [ "$root/models/transnetv2/weights.f16.npz" -nt "$models/transnetv2.onnx" ]; then
  "$py" "$root/tools/models/make_transnetv2_trained.py" "$models/transnetv2.onnx"
fi

mkdir -p "$out/demo"
cp "$build/web/webconv.mjs" "$out/webconv-core.mjs"
cp "$build/web/webconv.wasm" "$out/webconv.wasm"
for f in webconv.mjs webconv.d.ts shots.mjs shots.d.ts package.json; do
  if [ -f "$root/web/src/$f" ]; then cp "$root/web/src/$f" "$out/$f"; fi
done
cp "$root/LICENSE" "$out/LICENSE"
if [ -d "$root/web/static" ]; then cp -R "$root/web/static/." "$out/"; fi
cp "$models/default.onnx" "$models/clip.npy" "$models/clip.truth.txt" "$models/transnetv2.onnx" "$out/demo/"

echo "web/build.sh: wrote $out in $(($(date +%s) - start)) s"
(cd "$out" && find . -type f -printf '%s\t%p\n' | sort -k2 | awk -F'\t' '{printf "  %10d  %s\n", $1, $2}')
