#!/usr/bin/env bash
# Runs every libFuzzer target of a WEBCONV_FUZZ build for a bounded time, from a fresh seed corpus.
# Usage: fuzz/run_fuzzers.sh BUILD_DIR [SECONDS_EACH] [TARGET...]
#   SECONDS_EACH defaults to 60 (env WEBCONV_FUZZ_SECONDS overrides); targets default to all.
# The targets run side by side. A crash, leak, timeout or out-of-memory stops that target, keeps the
# input under BUILD_DIR/fuzz-artifacts/<target>/, and makes this script exit 1: fix it, then copy the
# input to fuzz/regressions/<target>/ so that ctest replays it from then on.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run_fuzzers.sh BUILD_DIR [SECONDS_EACH] [TARGET...]}" && pwd)
seconds=${2:-${WEBCONV_FUZZ_SECONDS:-60}}
shift $(( $# >= 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(onnx_loader session tensor_io)

corpus=$build/fuzz-corpus
/usr/bin/python3 "$here/make_seed_corpus.py" "$corpus"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pids=()
for t in "${targets[@]}"; do
  art=$build/fuzz-artifacts/$t
  mkdir -p "$art"
  # -timeout: one input taking longer is a hang. -rss_limit_mb / -malloc_limit_mb: a single input
  # may not allocate more than 2 GiB, so an allocation driven by a file's numbers is caught.
  "$build/fuzz/fuzz_$t" "$corpus/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 \
    -malloc_limit_mb=2048 -artifact_prefix="$art/" -print_final_stats=1 >"$build/fuzz-$t.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  if wait "${pids[$i]}"; then
    echo "fuzz $t: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz-$t.log" | grep -o '[0-9]*$') runs in ${seconds} s)"
  else
    status=1
    echo "fuzz $t: FAILED; log: $build/fuzz-$t.log; inputs: $(ls "$build/fuzz-artifacts/$t" | tr '\n' ' ')"
    grep -m5 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$build/fuzz-$t.log" || true
  fi
done
exit $status
