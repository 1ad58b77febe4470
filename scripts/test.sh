#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
# The WebAssembly core and web package (web/dist), which the `browser` tests load.
"$root/web/build.sh"
status=0
(cd "$root/build" && ctest --output-on-failure -j"$(nproc)" "$@") || status=1
# Hostile input under ASan/UBSan: bounded fuzzing, regression replay, corrupted-model corpus.
# WEBCONV_SKIP_HOSTILE=1 skips it (e.g. for a quick local run of the main suite).
if [ "${WEBCONV_SKIP_HOSTILE:-0}" != 1 ]; then
  "$root/scripts/hostile.sh" "$root/build-asan" || status=1
fi
exit $status
