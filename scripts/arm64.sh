#!/bin/sh
# The arm64 cross build, end to end (make arm64):
#   1. the cross compiler and qemu-user on the host (scripts/deps.sh arm64);
#   2. a sysroot of Debian's arm64 packages, downloaded with apt-get download
#      into build-arm64/debs and unpacked with dpkg -x into build-arm64/sysroot,
#      never installed (the arm64 -dev packages conflict with the native ones);
#   3. libruta, ruta and the unit tests built with aarch64-linux-gnu-gcc;
#   4. every unit test, and a short ruta session, run under qemu-aarch64.
# libc, libgcc and libstdc++ come from the cross toolchain (/usr/aarch64-linux-gnu).
# The first run adds arm64 to dpkg's foreign architectures and runs apt-get
# update: that changes apt's configuration, and says so.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
out=build-arm64
debs=$root/$out/debs
sys=$root/$out/sysroot
triplet=aarch64-linux-gnu
start=$(date +%s)

# 1. Host tools.
sh scripts/deps.sh arm64
qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
[ -n "$qemu" ] || { echo "arm64: no qemu-aarch64 on PATH" >&2; exit 1; }

# 2. The sysroot.
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "arm64: adding arm64 to dpkg's architectures (dpkg --add-architecture arm64):" \
    "apt-get update will fetch arm64 package lists too; nothing arm64 is installed" >&2
  $sudo dpkg --add-architecture arm64
fi
if ! ls /var/lib/apt/lists/*_binary-arm64_Packages* >/dev/null 2>&1; then
  echo "arm64: no arm64 package lists yet: apt-get update" >&2
  $sudo apt-get update -qq >&2
fi

# What linking and running needs: the -dev packages, the libraries they name,
# and everything those depend on, resolved with apt-cache. The C library and
# the compiler's runtime are the cross toolchain's, so they are not followed.
roots="libsqlite3-dev libgit2-dev libjansson-dev libsodium-dev libcmocka-dev"
toolchain=" libc6 libc6-dev libgcc-s1 gcc-12-base libstdc++6 linux-libc-dev "
seen=" "
todo=$roots
# apt-cache takes seconds a call over both architectures' lists: the answer
# is kept until apt-get update brings new ones.
resolved=$debs/.packages
mkdir -p "$debs"
if [ -s "$resolved" ] && [ -z "$(find /var/lib/apt/lists -name '*_binary-arm64_Packages*' \
    -newer "$resolved")" ]; then
  todo=""
  seen=" $(tr '\n' ' ' < "$resolved")"
fi
while [ -n "$todo" ]; do
  next=""
  for p in $todo; do seen="$seen$p "; done
  # shellcheck disable=SC2046
  for d in $(apt-cache depends --no-recommends --no-suggests --no-conflicts \
      --no-breaks --no-replaces --no-enhances $(for p in $todo; do echo "$p:arm64"; done) |
      sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \([^<][^ ]*\)$/\2/p' | sed 's/:arm64$//' | sort -u); do
    case "$seen$next $toolchain" in *" $d "*) continue ;; esac
    next="$next $d"
  done
  todo=$next
done
pkgs=$(echo "$seen" | tr ' ' '\n' | sed '/^$/d' | sort)
echo "$pkgs" > "$resolved"
mkdir -p "$sys"
missing=""
for p in $pkgs; do
  ls "$debs/${p}_"*.deb >/dev/null 2>&1 || missing="$missing $p:arm64"
done
if [ -n "$missing" ]; then
  echo "arm64: downloading:$missing" >&2
  # As root, apt would warn that its _apt user cannot write here.
  sandbox=""
  [ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"
  # shellcheck disable=SC2086
  (cd "$debs" && apt-get download -qq $sandbox $missing >&2)
fi
# Unpacked again only when the set of packages changed.
list=$(cd "$debs" && for p in $pkgs; do ls "${p}_"*.deb; done)
if [ "$list" != "$(cat "$sys/.debs" 2>/dev/null)" ]; then
  rm -rf "$sys" && mkdir -p "$sys"
  for f in $list; do dpkg -x "$debs/$f" "$sys"; done
  echo "$list" > "$sys/.debs"
fi
echo "arm64: sysroot of $(echo "$list" | wc -l) packages in $out/sysroot" >&2

# 3. The build: the Makefile's pkg-config calls read the sysroot's .pc files.
PKG_CONFIG_LIBDIR=$sys/usr/lib/$triplet/pkgconfig:$sys/usr/share/pkgconfig
PKG_CONFIG_SYSROOT_DIR=$sys
export PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
libs=$sys/usr/lib/$triplet:$sys/lib/$triplet
units=$(for t in tests/unit/test_*.c; do t=${t#tests/unit/}; echo "$out/tests/${t%.c}"; done)
# shellcheck disable=SC2086
make --no-print-directory -j"$(nproc 2>/dev/null || echo 2)" BUILD=$out CC=$triplet-gcc \
  CFLAGS="-I$sys/usr/include -I$sys/usr/include/$triplet" \
  LDFLAGS="-L$sys/usr/lib/$triplet -L$sys/lib/$triplet -Wl,-rpath-link,$sys/usr/lib/$triplet -Wl,-rpath-link,$sys/lib/$triplet" \
  all $units
built=$(date +%s)

# 4. The tests under qemu. Host programs the tests start (sh, git, ssh-keygen,
# faketime) run natively; the host's loader skips the arm64 libraries.
QEMU_LD_PREFIX=/usr/$triplet
LD_LIBRARY_PATH=$libs
export QEMU_LD_PREFIX LD_LIBRARY_PATH
run() { "$qemu" "$@"; }
passed=0
failed=""
for t in $units; do
  echo "# $t (qemu-aarch64)"
  t0=$(date +%s)
  if run "$t"; then passed=$((passed + 1)); else failed="$failed ${t##*/}"; fi
  echo "# ${t##*/}: $(($(date +%s) - t0))s"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
smoke=ok
{
  run $out/ruta --version &&
  run $out/ruta init "$tmp/r" --head-office --country ES >/dev/null &&
  run $out/ruta -C "$tmp/r" account add --name "Ferreteria Sol" >/dev/null &&
  run $out/ruta -C "$tmp/r" state-hash
} || smoke=failed
end=$(date +%s)
total=$(echo "$units" | wc -l)
echo "arm64: $(file -b $out/ruta | cut -d, -f1-2)"
echo "arm64: $passed of $total unit suites passed under qemu-aarch64; ruta session: $smoke"
echo "arm64: $((built - start))s to the build, $((end - built))s of tests under qemu, $((end - start))s in all"
[ -z "$failed" ] || { echo "arm64: failed:$failed" >&2; exit 1; }
[ "$smoke" = ok ] || exit 1
