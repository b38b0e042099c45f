#!/bin/sh
# ctest entry for the web console's browser tests: run.sh CCTEAMS_BINARY SCREENSHOT_DIR.
# Fails (never skips) with the fix when Node.js, the npm packages or Chromium are missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "FAIL: Node.js ('node') is not on PATH; run scripts/install-deps.sh (apt-get install -y nodejs npm)" >&2
  exit 1
fi
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
  echo "FAIL: /usr/bin/chromium is missing; run scripts/install-deps.sh (apt-get install -y chromium)" >&2
  exit 1
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  echo "FAIL: playwright-core is not installed; run 'npm ci' in $here (scripts/install-deps.sh does)" >&2
  exit 1
fi
cd "$here"
CCTEAMS_BINARY="$1" SCREENSHOT_DIR="$2" exec node --test --test-concurrency=1 --test-timeout=90000 \
  i18n_check.mjs console_test.mjs admin_test.mjs admin_config_test.mjs teams_test.mjs api_docs_test.mjs \
  supervisor_test.mjs desktop_test.mjs i18n_test.mjs screens_en_test.mjs screens_zh_test.mjs
