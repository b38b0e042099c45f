#!/usr/bin/env bash
# Rebuilds the queue audio shipped in assets/audio/ (greeting.wav, music-on-hold.wav) from
# scratch: speech from espeak-ng, music synthesised by scripts/make-audio.py. Nothing
# copyrighted goes in. Needs python3 and, for the spoken greeting, Debian's espeak-ng
# (`apt-get install espeak-ng`; without it the greeting is a chime).
#   scripts/make-audio.sh [output-dir]     (default: assets/audio)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v espeak-ng >/dev/null; then
  echo "make-audio.sh: espeak-ng missing; install it with: apt-get install espeak-ng" >&2
fi
exec python3 scripts/make-audio.py "${1:-assets/audio}"
