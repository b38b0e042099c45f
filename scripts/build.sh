#!/usr/bin/env bash
# Configures and builds one flavour of ccteams.
#   scripts/build.sh [release|asan|tsan] [ninja targets…]
# release -> build/, asan -> build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer),
# tsan -> build-tsan/ (ThreadSanitizer at -O1, as TSan is slow at -O0; its target is tsan_tests).
# Warnings are errors when CI=true or CCTEAMS_WERROR=ON.
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:-release}"
shift || true
werror="${CCTEAMS_WERROR:-OFF}"
if [ "${CI:-}" = "true" ]; then werror=ON; fi

case "$flavour" in
  release) dir=build; extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  # Line tables only (-g1) in the sanitizer builds: their reports need file and line, and full
  # debug information of Boost-heavy code costs a large share of the compile time.
  asan) dir=build-asan; extra=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1"
                               -DCCTEAMS_SANITIZE=address -DCCTEAMS_BENCH=OFF) ;;
  tsan) dir=build-tsan; extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo
                               -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
                               -DCCTEAMS_SANITIZE=thread -DCCTEAMS_BENCH=OFF) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan or tsan)" >&2; exit 2 ;;
esac

# Relative paths in ccache's hash: a fresh clone elsewhere (CI) reuses what was compiled here.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B "$dir" -G Ninja -DCCTEAMS_WERROR="$werror" "${extra[@]}" >/dev/null
jobs="$(nproc)"
ninja -C "$dir" -j "$jobs" "$@"
