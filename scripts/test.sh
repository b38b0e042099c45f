#!/usr/bin/env bash
# Installs what ccteams needs, builds it twice (release, and ASan+UBSan) and runs every test
# in both builds. This is exactly what CI runs (.ci/run). Exit status non-zero on any failure.
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
stage "install" ./scripts/install-deps.sh --browser   # chromium + playwright-core for the console test

summary=()
failed=0
run_suite() {
  local flavour="$1" dir="$2"
  echo "=== build ($flavour)"
  stage "build ($flavour)" ./scripts/build.sh "$flavour"
  echo "=== test ($flavour)"
  local log="$dir/ctest.log"
  local t0; t0=$(date +%s)
  set +e
  (cd "$dir" && ctest --output-on-failure --timeout 300 -j "$(nproc)") 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  stages+=("test ($flavour): $(( $(date +%s) - t0 )) s")
  summary+=("$flavour: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
  if [ "$rc" -ne 0 ]; then failed=1; fi
}

run_suite release build
run_suite asan build-asan

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
