#!/usr/bin/env bash
# Installs what webconv needs on Debian 12 (only what is missing), then configures and builds.
# Usage: scripts/setup.sh [BUILD_DIR]   (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

# Debian packages: toolchain, test frameworks, ONNX test data and its parser (the loader's oracle),
# Chromium for SwiftShader's Vulkan ICD (the GPU on machines without one) and the Vulkan loader.
# clang and its runtime libraries (ASan, UBSan, libFuzzer) build the sanitizer and fuzz targets (scripts/hostile.sh).
# emscripten (3.1.6) and node-acorn build the browser build (web/build.sh); chromium runs its tests.
# ffmpeg (its ffmpeg and ffprobe programs) decodes video for `webconv shots` (src/shots/video.h says why).
# OpenBLAS (native) and Eigen (WebAssembly) are the fast CPU backend's GEMM (src/cpu/gemm.h); oneDNN its
# native convolution (src/cpu/convolution.h).
pkgs=(cmake g++ make pkg-config libgtest-dev libgmock-dev libbenchmark-dev python3 python3-onnx python3-numpy
      libonnx-testdata chromium libvulkan1 nodejs npm xz-utils clang libclang-rt-14-dev emscripten node-acorn
      ffmpeg libopenblas-dev libeigen3-dev libdnnl-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A node/npm from another source (e.g. /usr/local) serves as well as Debian's.
if command -v npm >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done; missing=("${tmp[@]}")
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Pinned npm packages (package-lock.json): Dawn's prebuilt libwebgpu_wrapper.so, and ONNX Runtime
# (onnxruntime-node, the real-model tests' oracle; its CPU EP binary for linux x64 is in the tarball).
# playwright-core drives Debian's chromium in the browser tests; onnxruntime-web is their anchor;
# typescript type-checks the JS package's declarations.
# --ignore-scripts: nothing may download at install time.
if [ ! -f "$root/node_modules/bun-webgpu-linux-x64/libwebgpu_wrapper.so" ] ||
   [ ! -f "$root/node_modules/onnxruntime-node/package.json" ] ||
   [ ! -f "$root/node_modules/onnxruntime-web/package.json" ] ||
   [ ! -f "$root/node_modules/playwright-core/package.json" ] ||
   [ ! -f "$root/node_modules/typescript/package.json" ]; then
  (cd "$root" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"

# The trained TransNetV2 that `webconv shots` uses by default, built from the repository's float16 weights.
if [ ! -f "$root/models/transnetv2.onnx" ] || [ "$root/models/transnetv2/weights.f16.npz" -nt "$root/models/transnetv2.onnx" ]; then
  /usr/bin/python3 "$root/tools/models/make_transnetv2_trained.py" "$root/models/transnetv2.onnx"
fi
