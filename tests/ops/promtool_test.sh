#!/usr/bin/env bash
# The Prometheus rules in ops/prometheus: valid (promtool check rules) and each alert firing on
# the recorded series of alerts_test.yml, and only there (promtool test rules).
#   tests/ops/promtool_test.sh SOURCE_DIR
set -euo pipefail
rules_dir="${1:?usage: promtool_test.sh SOURCE_DIR}/ops/prometheus"
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool is missing: run ./scripts/install-deps.sh (Debian's prometheus package)" >&2
  exit 1
fi
cd "$rules_dir"
promtool check rules alerts.yml
promtool test rules alerts_test.yml
