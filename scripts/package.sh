#!/usr/bin/env bash
# Builds the Debian package ccteams_<version>_<arch>.deb with dpkg-deb (no root needed).
#   scripts/package.sh [--binary PATH] [--out DIR] [--version V]
# --binary: the ccteams executable to package (default build/ccteams, built with
#           ./scripts/build.sh release ccteams when missing); it is stripped in the package.
# --out:    where the .deb goes (default dist/).
# --version: the package version. Default: the project version in CMakeLists.txt
#           (project(ccteams VERSION x.y.z)), the same one `ccteams --version` prints.
# Prints the path of the .deb on its last line. The package's files are in packaging/deb/;
# /etc/ccteams/ccteams.toml is made here from docs/ccteams.example.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=""
out="dist"
version=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    *) echo "package.sh: unknown option '$1' (known: --binary, --out, --version)" >&2; exit 2 ;;
  esac
done

if [ -z "$version" ]; then
  version="$(sed -n 's/^project(ccteams VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)"
  [ -n "$version" ] || { echo "package.sh: no project version in CMakeLists.txt" >&2; exit 1; }
fi
if ! [[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]]; then
  echo "package.sh: --version '$version' is not a Debian version" >&2
  exit 2
fi
if [ -z "$binary" ]; then
  binary=build/ccteams
  [ -x "$binary" ] || ./scripts/build.sh release ccteams
fi
[ -x "$binary" ] || { echo "package.sh: $binary is not an executable" >&2; exit 1; }
arch="$(dpkg --print-architecture)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pkg="$work/pkg"
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/ccteams" "$pkg/usr/share/doc/ccteams" \
  "$pkg/etc/ccteams" "$pkg/lib/systemd/system"

# The binary, without its debug information (hundreds of MB in a RelWithDebInfo build).
strip --strip-debug --strip-unneeded -o "$pkg/usr/bin/ccteams" "$binary"
chmod 0755 "$pkg/usr/bin/ccteams"
# The web console: files on disk, found through CCTEAMS_WEB_ROOT (set in the unit).
cp -r web "$pkg/usr/share/ccteams/web"
# The queue audio ([media] greeting and music_on_hold default to these; docs/telephony.md).
cp -r assets/audio "$pkg/usr/share/ccteams/audio"
install -m 0644 packaging/deb/ccteams.service "$pkg/lib/systemd/system/ccteams.service"
install -m 0644 docs/operations.md docs/ccteams.example.toml "$pkg/usr/share/doc/ccteams/"
for script in postinst prerm postrm; do
  install -m 0755 "packaging/deb/$script" "$pkg/DEBIAN/$script"
done

# /etc/ccteams/ccteams.toml: the documented example with the packaged service's choices. Each
# line replaced must be in the example exactly once, so an edit there that would slip past
# this script stops the build instead.
config="$pkg/etc/ccteams/ccteams.toml"
cp docs/ccteams.example.toml "$config"
replace_line() {
  local from="$1" to="$2" count
  count="$(grep -cxF -- "$from" "$config" || true)"
  if [ "$count" != 1 ]; then
    echo "package.sh: docs/ccteams.example.toml must hold this line once (found $count):" >&2
    echo "  $from" >&2
    exit 1
  fi
  FROM="$from" TO="$to" awk '$0 == ENVIRON["FROM"] { print ENVIRON["TO"]; next } { print }' \
    "$config" >"$config.new"
  mv "$config.new" "$config"
}
replace_line '# ccteams serve --config ccteams.toml' \
'# /etc/ccteams/ccteams.toml, read by ccteams.service (ccteams serve --config /etc/ccteams/ccteams.toml).
# Made from /usr/share/doc/ccteams/ccteams.example.toml; operations.md beside it explains each part.
# After a change: systemctl restart ccteams (ccteams refuses to start on a bad value, naming it).'
replace_line 'public_url = "https://cc.example.com"   # how browsers and Microsoft Graph reach us; https gives Secure cookies' \
'# public_url = "https://cc.example.com"   # SET THIS: how browsers and Microsoft Graph reach us; https gives Secure cookies'
replace_line 'key_env = "CCTEAMS_SECRET_KEY"         # the name of an environment variable holding it (default)' \
'key_env = ""                           # packaged: no environment variable, the key file below decides'
replace_line '# key_file = "/etc/ccteams/secret.key" # or a file (mode 0600) holding it' \
'key_file = "/etc/ccteams/secret.key"   # made once by the package (ccteams:ccteams, 0600); never replaced'
grep -qxF 'path = "/var/lib/ccteams/ccteams.db"   # WAL mode; the folder must exist and be writable; a new database file (and its -wal, -shm) is created 0600' \
  "$config" || { echo "package.sh: store.path in the example is not under /var/lib/ccteams" >&2; exit 1; }
chmod 0640 "$config"
echo "/etc/ccteams/ccteams.toml" >"$pkg/DEBIAN/conffiles"

# Shared libraries the binary links, as dpkg-shlibdeps reads them (it wants a debian/control).
install -d "$work/shlibs/debian"
printf 'Source: ccteams\n\nPackage: ccteams\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlibs="$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$pkg/usr/bin/ccteams" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')"
[ -n "$shlibs" ] || { echo "package.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

size_kib="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
cat >"$pkg/DEBIAN/control" <<EOF
Package: ccteams
Version: $version
Architecture: $arch
Maintainer: ccteams maintainers <ccteams@localhost>
Section: net
Priority: optional
Installed-Size: $size_kib
Depends: adduser, $shlibs
Description: contact center with a Microsoft Teams connector
 ccteams routes customer contacts to agents, keeps every agent's state in step
 with their Microsoft Teams presence both ways, and lets agents reach the
 company's experts in Teams. The package runs it as the ccteams.service unit
 (user ccteams, data in /var/lib/ccteams, configuration in /etc/ccteams).
EOF

mkdir -p "$out"
deb="$out/ccteams_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
