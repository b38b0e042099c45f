#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the store tests (docs/postgresql.md, "Tests").
#   eval "$(scripts/pg-test-cluster.sh start)"   # prints the exports below
#   scripts/pg-test-cluster.sh stop [dir]        # dir defaults to $CCTEAMS_TEST_PG_DIR
#   scripts/pg-test-cluster.sh down|up [dir]     # the server stopped / started again, folder kept
# start: initdb in a fresh short mktemp folder, then a server on a Unix socket in that folder
# only (listen_addresses='': no TCP port, so no free-port race with other builds), fsync off
# (-F: the data is thrown away). Prints
#   export CCTEAMS_TEST_PG_DIR=<folder>
#   export CCTEAMS_TEST_PG_DSN='host=<folder> port=5432 user=postgres dbname=postgres'
# Tests create a database of their own per test in it. As root, the server runs as the
# `postgres` user (initdb refuses root); otherwise as the calling user.
# stop: stops the server at once and removes the folder.
set -euo pipefail

bindir="$(pg_config --bindir)"  # /usr/lib/postgresql/15/bin on Debian: not on PATH
port=5432                       # names the socket file only

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

server_start() {
  as_owner "$bindir/pg_ctl" -D "$1/data" -l "$1/log" -w \
    -o "-p $port -k $1 -c listen_addresses='' -F -c max_connections=200" start >/dev/null
}

start() {
  # Short: a Unix socket path must fit in 107 bytes.
  local dir
  dir="$(mktemp -d /tmp/ccpg.XXXXXX)"
  chmod 0755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync \
    --no-instructions >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
  server_start "$dir" || { cat "$dir/log" >&2; rm -rf "$dir"; exit 1; }
  echo "export CCTEAMS_TEST_PG_DIR=$dir"
  echo "export CCTEAMS_TEST_PG_DSN='host=$dir port=$port user=postgres dbname=postgres'"
}

cluster_dir() {
  local dir="${1:-${CCTEAMS_TEST_PG_DIR:-}}"
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    echo "pg-test-cluster: no cluster folder given (argument or CCTEAMS_TEST_PG_DIR)" >&2
    exit 2
  fi
  echo "$dir"
}

# The tests of a database outage (tests/cluster_three_test.cpp) take the server down and up
# again on their own cluster: clients see their connections end and new ones refused.
down() {
  local dir
  dir="$(cluster_dir "${1:-}")"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

up() {
  local dir
  dir="$(cluster_dir "${1:-}")"
  server_start "$dir" || { cat "$dir/log" >&2; exit 1; }
}

stop() {
  local dir
  dir="$(cluster_dir "${1:-}")"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "${1:-}" ;;
  down) shift; down "${1:-}" ;;
  up) shift; up "${1:-}" ;;
  *) echo "usage: $0 start|stop|down|up [dir]" >&2; exit 2 ;;
esac
