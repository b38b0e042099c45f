#!/usr/bin/env bash
# Installs the Debian 12 packages ccteams needs to build, test and run.
# Safe to run twice: apt-get skips what is already installed, and the package
# lists are refreshed only when they are missing or older than a day.
set -euo pipefail

with_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) with_browser=1 ;;
    *) echo "install-deps: unknown option '$arg' (known: --browser)" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates curl openssl
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev sqlite3 libpq-dev postgresql-15
  libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev libsodium-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  dpkg-dev binutils
  prometheus
  clang-14 libclang-rt-14-dev
  sip-tester baresip-core
)
# clang-14 and libclang-rt-14-dev (libFuzzer, ASan and UBSan runtimes): scripts/fuzz.sh.
# sip-tester (SIPp) and baresip-core (baresip without its GUI and video recommends): the SIP
# server's interoperability tests (src/adapters/sip/sipp/, sip_server_sipp_test.cpp).
# postgresql-15 (server binaries, not started: its default cluster stays unused) and libpq-dev:
# the PostgreSQL store and its tests (scripts/pg-test-cluster.sh).
# dpkg-dev (dpkg-shlibdeps) and binutils (strip): scripts/package.sh. prometheus: its promtool
# tests ops/prometheus/alerts.yml (Debian ships promtool only in the server's package; where
# services start on install, stop it with: systemctl disable --now prometheus).
# Node.js runs the Graph JS client test. By command, not package: a machine may already have a
# Node.js build that bundles npm (and conflicts with Debian's npm package).
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# fonts-wqy-microhei: the console's Simplified Chinese screens render (and are screenshotted) with glyphs.
if [ "$with_browser" -eq 1 ]; then packages+=(chromium fonts-wqy-microhei); fi

# The npm packages of the JS tests, pinned by their package-lock.json: tests/js (the Graph JS
# client test) always, tests/browser (playwright-core, driving Debian's chromium) with --browser.
# npm ci runs only when node_modules is missing or was installed from another lock file.
install_npm_dir() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/$1"
  local stamp="$dir/node_modules/.ccteams-lock"
  if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "install-deps: $1 npm packages present"
    return
  fi
  echo "install-deps: npm ci in $1"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$dir/package-lock.json" "$stamp"
}
install_js_test_packages() {
  install_npm_dir tests/js
  if [ "$with_browser" -eq 1 ]; then install_npm_dir tests/browser; fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  install_js_test_packages
  exit 0
fi

lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_js_test_packages
