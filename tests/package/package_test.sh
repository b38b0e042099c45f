#!/usr/bin/env bash
# The Debian package, without root and without systemd: scripts/package.sh builds it; its
# contents, conffile and maintainer scripts are checked; it is unpacked into a temporary root
# where the real postinst runs (DPKG_ROOT, with the commands that need root recorded instead of
# run); the unit's ExecStart starts from that root and /readyz must answer 200; a second build
# unpacked over it ("upgrade") must keep the database and the secret key.
#   tests/package/package_test.sh CCTEAMS_BINARY SOURCE_DIR
set -euo pipefail

binary="$(realpath "${1:?usage: package_test.sh CCTEAMS_BINARY SOURCE_DIR}")"
source_dir="$(realpath "${2:?usage: package_test.sh CCTEAMS_BINARY SOURCE_DIR}")"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [ -f "$work/server.log" ]; then
    echo "--- server log" >&2
    tail -n 40 "$work/server.log" >&2
  fi
  exit 1
}
ok() { echo "ok: $*"; }

# Polls a condition (a command) every 0.1 s until it holds or the deadline (seconds) passes.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# ---- build: two versions, the second one plays the upgrade ----
"$source_dir/scripts/package.sh" --binary "$binary" --out "$work/v1" --version 0.0.1 >"$work/pkg1.log"
"$source_dir/scripts/package.sh" --binary "$binary" --out "$work/v2" --version 0.0.2 >"$work/pkg2.log"
arch="$(dpkg --print-architecture)"
deb1="$work/v1/ccteams_0.0.1_${arch}.deb"
deb2="$work/v2/ccteams_0.0.2_${arch}.deb"
{ [ -f "$deb1" ] && [ -f "$deb2" ]; } || fail "package.sh did not write ccteams_<version>_${arch}.deb"
[ "$(tail -n 1 "$work/pkg1.log")" = "$deb1" ] || fail "package.sh's last line is not the .deb path"
ok "package.sh built $(basename "$deb1") and $(basename "$deb2")"

# ---- contents ----
dpkg-deb -c "$deb1" | awk '{print $1, $2, $6}' >"$work/contents"
expect_entry() {  # mode owner path
  grep -qxF -- "$1 $2 $3" "$work/contents" || fail "package lacks '$3' as $1 $2: $(grep -F " $3" "$work/contents" || echo missing)"
}
expect_entry -rwxr-xr-x root/root ./usr/bin/ccteams
expect_entry -rw-r--r-- root/root ./lib/systemd/system/ccteams.service
expect_entry -rw-r----- root/root ./etc/ccteams/ccteams.toml
expect_entry -rw-r--r-- root/root ./usr/share/ccteams/web/sign-in.html
expect_entry -rw-r--r-- root/root ./usr/share/ccteams/web/admin.html
expect_entry -rw-r--r-- root/root ./usr/share/ccteams/web/openapi.json
expect_entry -rw-r--r-- root/root ./usr/share/doc/ccteams/operations.md
if grep -q 'secret.key\|\.db' "$work/contents"; then fail "the package ships a key or a database"; fi
ok "files: binary, unit, configuration (0640), web console, docs; no key, no database"

[ "$(dpkg-deb -f "$deb1" Package)" = ccteams ] || fail "Package is not ccteams"
[ "$(dpkg-deb -f "$deb2" Version)" = 0.0.2 ] || fail "Version is not the one asked for"
[ "$(dpkg-deb -f "$deb1" Architecture)" = "$arch" ] || fail "Architecture is not $arch"
depends="$(dpkg-deb -f "$deb1" Depends)"
for dep in adduser libssl3 libsqlite3-0 libsodium23; do
  [[ "$depends" == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done
ok "control: Package, Version, Architecture, Depends ($depends)"

dpkg-deb -e "$deb1" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/ccteams/ccteams.toml ] \
  || fail "conffiles is not exactly /etc/ccteams/ccteams.toml: $(cat "$work/control/conffiles")"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "$script is missing or not executable"
  sh -n "$work/control/$script" || fail "$script does not parse (sh -n)"
  grep -q '/run/systemd/system' "$work/control/$script" || fail "$script does not guard systemd calls"
done
ok "conffile /etc/ccteams/ccteams.toml; postinst, prerm, postrm parse with sh -n"

# ---- the unit ----
dpkg-deb --fsys-tarfile "$deb1" | tar -xOf - ./lib/systemd/system/ccteams.service >"$work/unit"
for line in User=ccteams Group=ccteams ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
  NoNewPrivileges=yes CapabilityBoundingSet= StateDirectory=ccteams StateDirectoryMode=0700 \
  Restart=on-failure StandardError=journal Environment=CCTEAMS_WEB_ROOT=/usr/share/ccteams/web \
  'ExecStart=/usr/bin/ccteams serve --config /etc/ccteams/ccteams.toml'; do
  grep -qxF -- "$line" "$work/unit" || fail "the unit lacks '$line'"
done
ok "unit: ccteams user, hardening, StateDirectory 0700, restart on failure, journal"

# ---- unpack into a temporary root and run the real postinst there ----
root="$work/root"
mkdir -p "$root"
dpkg-deb -x "$deb1" "$root"
# adduser, getent, chown and chgrp need root or a real ccteams user: stubs record their calls.
stubs="$work/stubs"
mkdir -p "$stubs"
for cmd in adduser chown chgrp; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$cmd" "$work" >"$stubs/$cmd"
done
printf '#!/bin/sh\n[ -f "%s/user-exists" ]\n' "$work" >"$stubs/getent"
chmod +x "$stubs"/*
run_postinst() {
  DPKG_ROOT="$root" PATH="$stubs:$PATH" sh "$1/postinst" configure "${2:-}" \
    || fail "postinst configure ${2:-} failed"
}
run_postinst "$work/control"
grep -q '^adduser --system --group .* ccteams$' "$work/calls" || fail "postinst did not add the ccteams system user"
touch "$work/user-exists"
key="$root/etc/ccteams/secret.key"
[ -f "$key" ] || fail "postinst did not create /etc/ccteams/secret.key"
[ "$(stat -c %a "$key")" = 600 ] || fail "secret.key has mode $(stat -c %a "$key"), not 600"
grep -qxF "chown ccteams:ccteams $key.dpkg-new" "$work/calls" || fail "postinst did not give the key to ccteams"
[ "$(stat -c %a "$root/var/lib/ccteams")" = 700 ] || fail "/var/lib/ccteams is not 0700"
key_sum="$(sha256sum <"$key")"
ok "postinst: adds the ccteams user, creates the key 0600 owned by ccteams, /var/lib/ccteams 0700"

# The packaged configuration with the root's paths, a free port on loopback.
config="$work/ccteams.toml"
sed -e "s#\"/var/lib/ccteams#\"$root/var/lib/ccteams#" -e "s#\"/etc/ccteams#\"$root/etc/ccteams#" \
  -e 's/^host = .*/host = "127.0.0.1"/' -e 's/^port = .*/port = 0/' \
  "$root/etc/ccteams/ccteams.toml" >"$config"
grep -q "^key_file = \"$root/etc/ccteams/secret.key\"" "$config" || fail "the packaged config does not use the key file"
grep -q "^path = \"$root/var/lib/ccteams/ccteams.db\"" "$config" || fail "the packaged store is not in /var/lib/ccteams"

# The unit's ExecStart and Environment, with /usr and /etc paths moved into the root.
in_root() { sed -e "s#/usr/#$root/usr/#g" -e "s#/etc/ccteams/ccteams.toml#$config#g"; }
exec_start="$(sed -n 's/^ExecStart=//p' "$work/unit" | in_root)"
web_root="$(sed -n 's/^Environment=CCTEAMS_WEB_ROOT=//p' "$work/unit" | in_root)"
read -r -a command_line <<<"$exec_start"

port=""
start_server() {
  : >"$work/server.log"
  # The key comes from the file only; no variable from the caller's environment may win.
  env -u CCTEAMS_SECRET_KEY CCTEAMS_WEB_ROOT="$web_root" "${command_line[@]}" >"$work/server.log" 2>&1 &
  server_pid=$!
  port_known() {
    port="$(sed -n 's/.*serving on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -n 1)"
    [ -n "$port" ] || { kill -0 "$server_pid" 2>/dev/null || fail "ccteams serve exited"; return 1; }
  }
  wait_for 60 port_known || fail "ccteams serve did not say where it listens"
  ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; }
  wait_for 60 ready || fail "/readyz did not answer 200"
}
stop_server() {
  kill -TERM "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=""
  [ "$rc" = 0 ] || fail "ccteams serve exited $rc after SIGTERM"
}
login_status() {
  curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/auth/login" \
    -H 'Content-Type: application/json' -d '{"username":"alice","password":"correct horse"}'
}

# The first admin, as docs/operations.md tells the operator, then the service.
echo "correct horse" | env -u CCTEAMS_SECRET_KEY "$root/usr/bin/ccteams" user add --config "$config" \
  --org Acme --username alice --password-stdin >"$work/user-add.log" 2>&1 \
  || fail "ccteams user add failed: $(cat "$work/user-add.log")"
start_server
ok "the unit's command line serves from the root: /readyz 200 on port $port"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/sign-in.html")" = 200 ] \
  || fail "the console (sign-in.html) is not served from /usr/share/ccteams/web"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/openapi.json")" = 200 ] \
  || fail "GET /api/v1/openapi.json is not 200: the package lacks web/openapi.json"
[ "$(login_status)" = 200 ] || fail "alice cannot sign in"
grep -q '"level"' "$work/server.log" || fail "the packaged config does not log JSON lines to stderr"
ok "console and OpenAPI document served from the packaged web files; alice signs in; JSON logs on stderr"
stop_server
[ "$(stat -c %a "$root/var/lib/ccteams/ccteams.db")" = 600 ] || fail "the database is not 0600"

# ---- upgrade: the second build over the first; postinst again with the old version ----
dpkg-deb -x "$deb2" "$root"
dpkg-deb -e "$deb2" "$work/control2"
: >"$work/calls"
run_postinst "$work/control2" 0.0.1
[ "$(sha256sum <"$key")" = "$key_sum" ] || fail "the upgrade replaced the secret key"
[ "$(stat -c %a "$key")" = 600 ] || fail "the upgrade changed the key's mode"
if grep -q '^adduser' "$work/calls"; then fail "the upgrade added the user again"; fi
if grep -qF "$key" "$work/calls"; then fail "the upgrade touched the key: $(cat "$work/calls")"; fi
start_server
[ "$(login_status)" = 200 ] || fail "alice cannot sign in after the upgrade (data lost)"
stop_server
ok "upgrade to 0.0.2: key unchanged (0600), user not re-added, alice's account still there"

# ---- purge removes the data and the key; plain removal does not ----
DPKG_ROOT="$root" PATH="$stubs:$PATH" sh "$work/control2/postrm" remove || fail "postrm remove failed"
{ [ -f "$key" ] && [ -f "$root/var/lib/ccteams/ccteams.db" ]; } || fail "remove deleted the key or the data"
DPKG_ROOT="$root" PATH="$stubs:$PATH" sh "$work/control2/postrm" purge || fail "postrm purge failed"
{ [ ! -e "$key" ] && [ ! -e "$root/var/lib/ccteams" ]; } || fail "purge left the key or the data"
ok "postrm: remove keeps data and key, purge deletes both"
echo "package test passed"
