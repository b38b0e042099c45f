#!/usr/bin/env bash
# The emulator stands apart (DESIGN.md, layers): it is Microsoft's side and shares no code with
# ours. Follows every #include "…" from src/emulator, through the headers it reaches and the
# .cpp beside each of them, and fails naming the path when one leads outside src/emulator and
# the HTTP server library (src/adapters/http, its api/ excluded), whose only header from
# elsewhere may be core/result.hpp (the error values, standard library only).
#   tests/layers/emulator_layers_test.sh <source dir>
set -euo pipefail
root="${1:?usage: emulator_layers_test.sh <source dir>}"
cd "$root/src"

allowed() {
  case "$1" in
    emulator/*) return 0 ;;
    adapters/http/api/*) return 1 ;;
    adapters/http/*) return 0 ;;
    core/result.hpp) return 0 ;;
    *) return 1 ;;
  esac
}

declare -A seen=()
queue=()
for f in emulator/*.hpp emulator/*.cpp; do
  seen["$f"]=1
  queue+=("$f")
done

failures=0
while [ "${#queue[@]}" -gt 0 ]; do
  file="${queue[0]}"
  queue=("${queue[@]:1}")
  while IFS= read -r inc; do
    if ! allowed "$inc"; then
      echo "emulator_layers: $file includes \"$inc\": the emulator and the HTTP server library" \
           "may use only emulator/, adapters/http/ (not api/) and core/result.hpp" >&2
      failures=$((failures + 1))
      continue
    fi
    for next in "$inc" "${inc%.hpp}.cpp"; do
      if [ -f "$next" ] && [ -z "${seen[$next]:-}" ]; then
        seen["$next"]=1
        queue+=("$next")
      fi
    done
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done

if [ "$failures" -gt 0 ]; then
  echo "emulator_layers: $failures forbidden include(s)" >&2
  exit 1
fi
echo "emulator_layers: ${#seen[@]} files checked, none reaches our side"
