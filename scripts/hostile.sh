#!/usr/bin/env bash
# Hostile input under the sanitizers: builds the CLI and the fuzz targets with clang, ASan and UBSan
# (only what this needs, not the gtest suites), runs each libFuzzer target for a bounded time, then
# ctest replays the committed regression inputs and runs the seeded corrupted-model corpus (label
# `hostile`) through `webconv inspect` and `webconv run`.
# Usage: scripts/hostile.sh [BUILD_DIR]   (default: build-asan)
#   WEBCONV_FUZZ_SECONDS  seconds per fuzz target (default 60; 0 skips fuzzing)
#   WEBCONV_HOSTILE_SEED  seed of the corrupted-model corpus (default: fresh, printed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-asan}
seconds=${WEBCONV_FUZZ_SECONDS:-60}
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

start=$(date +%s)
# -O1 with line tables only: the usual sanitizer build, much quicker to compile than -O2 -g.
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DWEBCONV_SANITIZE=ON -DWEBCONV_FUZZ=ON \
  -DWEBCONV_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target webconv fuzz_onnx_loader fuzz_session fuzz_tensor_io \
  fuzz_replay_onnx_loader fuzz_replay_session fuzz_replay_tensor_io
built=$(date +%s)
echo "hostile: sanitizer build took $((built - start)) s"

status=0
if [ "$seconds" -gt 0 ]; then
  "$root/fuzz/run_fuzzers.sh" "$build" "$seconds" || status=1
fi
fuzzed=$(date +%s)
echo "hostile: fuzzing took $((fuzzed - built)) s"
# ctest's summary stays the last thing printed.
(cd "$build" && ctest --output-on-failure -j"$(nproc)") || status=1
exit $status
