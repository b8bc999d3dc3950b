#!/bin/sh
# Installs what building and testing ruta needs on Debian, and says what it installs.
#   sh scripts/deps.sh        what building, the demo and the benchmarks need
#   sh scripts/deps.sh test   that and what only the tests need (make test, make check)
#   sh scripts/deps.sh arm64  that and the arm64 cross compiler and qemu-user (make arm64)
set -eu
# openssh-server: only its sshd binary, which the ssh hub test starts itself
# on 127.0.0.1 with its own configuration (tests/cli/t5200-ssh.sh). jq: the merge test
# (t6000) picks conflicts out of `ruta conflicts list --json` with it. time:
# GNU time (/usr/bin/time), whose max RSS bench/bench_footprint.sh reports.
pkgs="build-essential pkg-config libsqlite3-dev libgit2-dev libjansson-dev libsodium-dev
libcmocka-dev sqlite3 git openssh-client openssh-server faketime perl jq time"
# chromium: the audit report test (t7300) renders the report's page headless.
# Large, so only for the tests. python3: the http hub test (t5400) serves
# git http-backend with it.
case "${1:-}" in
"") ;;
test) pkgs="$pkgs chromium python3" ;;
# The cross build (scripts/arm64.sh): the arm64 libraries themselves are
# unpacked into its sysroot, never installed.
arm64) pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user" ;;
*) echo "usage: sh scripts/deps.sh [test|arm64]" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
case " $missing " in
*" openssh-server "*)
  # Installing the package would start a system sshd listening on port 22.
  # Debian's service (systemd unit and init script) does not start while
  # this file exists; the test runs sshd directly and ignores it.
  echo "deps: openssh-server is for the tests only: its service stays off" \
    "(delete /etc/ssh/sshd_not_to_be_run to run it)" >&2
  $sudo mkdir -p /etc/ssh
  $sudo touch /etc/ssh/sshd_not_to_be_run
  ;;
esac
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
