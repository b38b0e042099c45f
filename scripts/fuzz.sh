#!/usr/bin/env bash
# Builds the SIP stack's libFuzzer targets (fuzz/*_fuzz.cpp) with clang-14, AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs each for a bounded time from its seed corpus.
#   scripts/fuzz.sh [seconds per target (default 60)] [target...]   targets: sip sdp rtp
# New inputs that reach new code go to build-fuzz/corpus-<target> (kept between runs; the
# seeds in fuzz/corpus/<target> are only read); a crash, a sanitizer report or a broken
# invariant stops the run with a non-zero status and leaves the input in build-fuzz/.
# Needs clang-14 (Debian's clang-14 package ships libFuzzer's runtime).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then targets=(sip sdp rtp); fi
cxx="${FUZZ_CXX:-clang++-14}"
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz.sh: $cxx not found (apt-get install clang-14)" >&2
  exit 2
fi
launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(ccache); fi
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

out=build-fuzz
mkdir -p "$out/obj"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Isrc
       -fsanitize=address,undefined -fno-sanitize-recover=undefined)

# The pure SIP core, compiled once for every target (coverage instrumented, no main).
objects=()
for src in src/core/sip/*.cpp; do
  case "$src" in *_test.cpp) continue ;; esac
  obj="$out/obj/$(basename "${src%.cpp}").o"
  "${launcher[@]}" "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  objects+=("$obj")
done

status=0
for t in "${targets[@]}"; do
  bin="$out/${t}_fuzz"
  "${launcher[@]}" "$cxx" "${flags[@]}" -fsanitize=fuzzer -c "fuzz/${t}_fuzz.cpp" -o "$bin.o"
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$bin.o" "${objects[@]}" -o "$bin"
  mkdir -p "$out/corpus-$t"
  dict=()
  if [ -f "fuzz/$t.dict" ]; then dict=(-dict="fuzz/$t.dict"); fi
  echo "=== fuzz $t for ${seconds} s"
  set +e
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
      -print_final_stats=1 -artifact_prefix="$out/${t}-" "${dict[@]}" \
      "$out/corpus-$t" "fuzz/corpus/$t" 2>"$out/${t}.log"
  rc=$?
  set -e
  grep -E '^stat::number_of_executed_units|^stat::new_units_added|^Done [0-9]+ runs' "$out/${t}.log" || true
  if [ "$rc" -ne 0 ]; then
    status=1
    tail -60 "$out/${t}.log"
    echo "=== fuzz $t FAILED (exit $rc); the input is in $out/${t}-*" >&2
  fi
done
exit "$status"
