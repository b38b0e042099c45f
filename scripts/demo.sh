#!/usr/bin/env bash
# Installs what ccteams needs, builds it and starts the demo. Arguments go to `ccteams demo`
# (e.g. --port 8080 --password pw). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release ccteams
exec ./build/ccteams demo "$@"
