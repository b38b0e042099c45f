#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cpp) with clang-14, AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs each for a bounded time from its seed corpus.
#   scripts/fuzz.sh [seconds per target (default 60)] [target...]
# Targets: sip sdp rtp (the SIP stack), http (a request as the server reads it), ws (WebSocket
# frames after the upgrade), graph (every
# Graph and Entra decoder), token (JWKS, validation tokens, access-token claims), decrypt (rich
# notifications), config (ccteams.toml), odata (the emulator's query options).
# New inputs that reach new code go to build-fuzz/corpus-<target> (kept between runs; the
# seeds in fuzz/corpus/<target> are only read); a crash, a sanitizer report or a broken
# invariant stops the run with a non-zero status and leaves the input in build-fuzz/.
# Needs clang-14 (Debian's clang-14 package ships libFuzzer's runtime).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
all_targets=(sip sdp rtp http ws graph token decrypt config odata)
if [ "${#targets[@]}" -eq 0 ]; then targets=("${all_targets[@]}"); fi
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
       -DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL -DSPDLOG_SHARED_LIB -DFMT_SHARED
       -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1  # as CMake's target: Debian's libtomlplusplus
       -DBOOST_ENABLE_ASSERT_HANDLER             # fuzz/boost_assert.cpp: Boost's asserts crash
       -fsanitize=address,undefined -fno-sanitize-recover=undefined)
libs=(-lboost_json -lssl -lcrypto -ltomlplusplus -lspdlog -lfmt)

# What each target's harness reaches, beyond itself (compiled once, coverage instrumented,
# into one archive the linker takes only what a target needs from).
sources_for() {
  case "$1" in
    sip|sdp|rtp) ls src/core/sip/*.cpp | grep -v '_test\.cpp$' ;;
    http) echo src/adapters/http/http_message.cpp src/adapters/http/http_types.cpp \
               src/adapters/http/error_mapping.cpp src/adapters/http/message_codes.cpp \
               src/core/time.cpp ;;
    graph|token|decrypt)
      echo src/adapters/graph/graph_decode.cpp src/adapters/graph/json_reader.cpp \
           src/adapters/graph/notification_json.cpp src/adapters/graph/presence_json.cpp \
           src/adapters/graph/subscription_json.cpp src/adapters/graph/token_json.cpp \
           src/adapters/graph/token_claims.cpp src/adapters/graph/users_json.cpp \
           src/adapters/graph/validation_token.cpp src/adapters/graph/notification_crypto.cpp \
           src/adapters/graph/notification_crypto_keyring.cpp \
           src/adapters/crypto/jwt.cpp src/adapters/crypto/encoding.cpp \
           src/adapters/crypto/openssl_util.cpp src/adapters/crypto/rsa_key.cpp \
           src/adapters/crypto/tls_cert.cpp src/adapters/crypto/secret_box.cpp \
           src/adapters/http/http_types.cpp src/core/time.cpp ;;
    ws) echo src/adapters/http/http_types.cpp src/adapters/http/error_mapping.cpp \
             src/adapters/http/message_codes.cpp src/core/time.cpp ;;
    config) echo src/cli/config.cpp src/adapters/http/client_address.cpp src/core/e164.cpp \
                 src/app/cluster/lease_timings.cpp src/cli/sip_config.cpp \
                 src/adapters/telephony/trunk_sources.cpp src/core/telephony/call_routing.cpp ;;
    odata) echo src/emulator/odata.cpp src/emulator/odata_filter.cpp src/emulator/encoding.cpp ;;
    *) echo "fuzz.sh: unknown target $1 (targets: ${all_targets[*]})" >&2; return 1 ;;
  esac
}

sources=(fuzz/boost_assert.cpp)
for t in "${targets[@]}"; do
  list=$(sources_for "$t")
  for src in $list; do sources+=("$src"); done
done
objects=()
for src in $(printf '%s\n' "${sources[@]}" | sort -u); do
  obj="$out/obj/$(echo "${src%.cpp}" | tr / _).o"
  "${launcher[@]}" "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  objects+=("$obj")
done
rm -f "$out/libfuzzdeps.a"
ar rcs "$out/libfuzzdeps.a" "${objects[@]}"

status=0
for t in "${targets[@]}"; do
  bin="$out/${t}_fuzz"
  "${launcher[@]}" "$cxx" "${flags[@]}" -fsanitize=fuzzer -c "fuzz/${t}_fuzz.cpp" -o "$bin.o"
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$bin.o" "$out/libfuzzdeps.a" "${libs[@]}" -o "$bin"
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
