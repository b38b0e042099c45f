#!/usr/bin/env bash
# Installs what ccteams needs, builds it three times and runs each build's suites. This is
# exactly what CI runs (.ci/run). Exit status non-zero on any failure.
#   release      every CTest test: unit, adapters, emulator, integration, browser, package, ops
#   asan         AddressSanitizer + UBSan: unit_tests, adapters_tests, emulator_tests only
#   tsan         ThreadSanitizer: tsan_tests, the concurrency tests only (CMakeLists.txt lists them)
#   fuzz         the libFuzzer targets (SIP, SDP, RTP, HTTP requests, WebSocket frames, Graph decoders, tokens,
#                notification decryption, configuration, OData), 5 s each (scripts/fuzz.sh)
# Each sanitizer build builds only the test binaries it runs; README.md ("The suites and where
# each runs") says why.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stages=()
# Runs one stage and records its wall time (printed at the end, and as it ends).
stage() {
  local name="$1"; shift
  local t0; t0=$(date +%s)
  "$@"
  local took=$(( $(date +%s) - t0 ))
  stages+=("$name: ${took} s")
  echo "=== $name took ${took} s"
}

summary=()
failed=0

# The release build and every CTest test (ctest -j, one process per test).
run_release() {
  stage "build (release)" ./scripts/build.sh release
  local log="build/ctest.log"
  local t0; t0=$(date +%s)
  set +e
  (cd build && ctest --output-on-failure --timeout 300 -j "$(nproc)") 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  stages+=("test (release): $(( $(date +%s) - t0 )) s")
  summary+=("release: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
  if [ "$rc" -ne 0 ]; then failed=1; fi
}

# One gtest binary, as two shards side by side (the machine's two cores), in one stage.
# Usage: run_gtest <flavour> <dir> <binary> [gtest filter]
run_gtest() {
  local flavour="$1" dir="$2" bin="$3" filter="${4:-*}"
  local shards; shards="$(nproc)"
  local t0; t0=$(date +%s)
  local pids=() rc=0 i
  for (( i = 0; i < shards; i++ )); do
    GTEST_TOTAL_SHARDS="$shards" GTEST_SHARD_INDEX="$i" \
      "$dir/$bin" --gtest_brief=1 --gtest_filter="$filter" >"$dir/$bin.shard$i.log" 2>&1 &
    pids+=("$!")
  done
  for (( i = 0; i < shards; i++ )); do
    if ! wait "${pids[$i]}"; then rc=1; cat "$dir/$bin.shard$i.log"; fi
  done
  local ran=0 bad=0 n
  for (( i = 0; i < shards; i++ )); do
    n=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' "$dir/$bin.shard$i.log")
    ran=$(( ran + ${n:-0} ))
    n=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below:.*/\1/p' "$dir/$bin.shard$i.log")
    bad=$(( bad + ${n:-0} ))
  done
  if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi  # a crash or a sanitizer report
  stages+=("test ($flavour $bin): $(( $(date +%s) - t0 )) s")
  summary+=("$flavour $bin: ${bad} tests failed out of ${ran}")
  echo "=== $flavour $bin: $ran tests, $bad failed"
  if [ "$rc" -ne 0 ]; then failed=1; fi
}

run_asan() {
  stage "build (asan)" ./scripts/build.sh asan unit_tests adapters_tests emulator_tests
  local bin
  for bin in unit_tests adapters_tests emulator_tests; do run_gtest asan build-asan "$bin"; done
}

run_tsan() {
  # tsan_tests: the concurrency tests only (their files are listed in CMakeLists.txt).
  stage "build (tsan)" ./scripts/build.sh tsan tsan_tests
  # Third-party code only (each entry says why); a race in ccteams is fixed, not suppressed.
  export TSAN_OPTIONS="suppressions=$PWD/scripts/tsan.supp halt_on_error=1 second_deadlock_stack=1"
  run_gtest tsan build-tsan tsan_tests
}

# Every fuzz target (scripts/fuzz.sh: clang-14, ASan + UBSan) for a few seconds each:
# a smoke run from the seed corpus and what earlier runs found, not a fuzzing campaign.
run_fuzz() {
  local t0; t0=$(date +%s)
  local rc=0
  ./scripts/fuzz.sh 5 || rc=1
  stages+=("fuzz (10 targets, 5 s each): $(( $(date +%s) - t0 )) s")
  summary+=("fuzz: ${rc} tests failed out of 1")
  if [ "$rc" -ne 0 ]; then failed=1; fi
}

stage "install" ./scripts/install-deps.sh --browser   # chromium + playwright-core for the console test
# The store tests run against SQLite and PostgreSQL: a throw-away cluster for this run, stopped
# whatever happens (a test binary without CCTEAMS_TEST_PG_DSN fails its PostgreSQL tests). The
# exports reach every suite below, ctest's integration_tests too (`serve` on PostgreSQL, which
# is skipped without them).
pg_env="$(./scripts/pg-test-cluster.sh start)"
eval "$pg_env"
trap './scripts/pg-test-cluster.sh stop "$CCTEAMS_TEST_PG_DIR"' EXIT
run_release
run_asan
run_tsan
run_fuzz

echo "=== summary ($(( $(date +%s) - start )) s)"
printf '%s\n' "${stages[@]}"
printf '%s\n' "${summary[@]}"
passed_total=0; failed_total=0
for line in "${summary[@]}"; do
  if [[ "$line" =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
    failed_total=$(( failed_total + BASH_REMATCH[1] ))
    passed_total=$(( passed_total + BASH_REMATCH[2] - BASH_REMATCH[1] ))
  fi
done
echo "${passed_total} passed, ${failed_total} failed"
exit "$failed"
