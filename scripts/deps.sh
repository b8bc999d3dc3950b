#!/bin/sh
# Installs what building and testing ruta needs on Debian, and says what it installs.
set -eu
pkgs="build-essential pkg-config libsqlite3-dev libgit2-dev libjansson-dev libsodium-dev
libcmocka-dev sqlite3 git openssh-client faketime perl"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
