#!/bin/sh
# libruta as others get it: the shared library exports exactly the functions
# ruta.h declares, `make install` lays out a library that pkg-config finds,
# and the embedding example builds against it and works.
top=$(cd "$(dirname "$0")/../.." && pwd)   # before lib.sh moves to a temporary directory
. "$(dirname "$0")/lib.sh"

build=$(dirname "$RUTA")

declared=$(sed -n 's/^RUTA_EXTERN([^)]*) \(ruta_[a-z0-9_]*\)(.*/\1/p' "$top/include/ruta.h" | sort)
exported=$(nm -D --defined-only "$build/libruta.so" | awk '{print $3}' | sort)
is "$exported" "$declared" "the shared library exports exactly the functions ruta.h declares"
case $(echo "$declared" | wc -l) in
	[3-9][0-9]) pass "ruta.h declares the API ($(echo "$declared" | wc -l) functions)" ;;
	*) fail "ruta.h declares the API (found $(echo "$declared" | wc -l))" ;;
esac

# The tool is built from the public header alone: no internal symbol is used,
# every libruta symbol it calls is one ruta.h declares, and it includes no
# header of src/lib (its own quoted headers are all in src/cli).
internal=$(nm -u "$build/src/cli/"*.o | awk '{print $2}' | grep '^ruta_' | grep '__' || true)
is "$internal" "" "the ruta tool calls no internal (ruta_x__y) function"
used=$(nm -u "$build/src/cli/"*.o | awk '{print $2}' | grep '^ruta_' | sort -u)
undeclared=$(echo "$used" | grep -vxF "$declared" || true)
is "$undeclared" "" "every libruta function the ruta tool calls is declared in ruta.h"
case $(echo "$used" | wc -l) in
	[3-9][0-9]) pass "the ruta tool calls the library ($(echo "$used" | wc -l) functions)" ;;
	*) fail "the ruta tool calls the library (found $(echo "$used" | wc -l))" ;;
esac
foreign=$(cd "$top/src/cli" && sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' *.c *.h |
	sort -u | while read -r h; do test -f "$h" || test "$h" = ruta.h || echo "$h"; done)
is "$foreign" "" "src/cli includes no header but its own (and <ruta.h>)"
lib_inc=$(cd "$top/src/lib" && for h in *.h; do
	grep -l "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]$h[>\"]" ../cli/*.[ch] | sed "s|^../||;s|\$|: $h|"; done)
is "$lib_inc" "" "src/cli includes no src/lib header by <name> either"
cli_cc=$(make -s -n -B -C "$top" BUILD="$build" "$build/src/cli/main.o" | grep -- ' -c ')
case "$cli_cc" in
	*-Isrc/lib*|'') fail "the Makefile compiles src/cli without -Isrc/lib: $cli_cc" ;;
	*-Iinclude*) pass "the Makefile compiles src/cli with include/ only, not src/lib" ;;
	*) fail "the Makefile compiles src/cli with -Iinclude: $cli_cc" ;;
esac

make -s -C "$top" install BUILD="$build" DESTDIR="$PWD/inst" PREFIX=/usr >/dev/null 2>&1
ok test -x inst/usr/bin/ruta
ok test -f inst/usr/include/ruta.h
ok test -f inst/usr/lib/libruta.a
ok test -f inst/usr/share/man/man1/ruta-opp.1
export PKG_CONFIG_SYSROOT_DIR="$PWD/inst" PKG_CONFIG_PATH="$PWD/inst/usr/lib/pkgconfig"
is "$(pkg-config --modversion ruta)" "0.1.0" "pkg-config finds the installed ruta.pc"
# $RUTA_SAN: the sanitizer flags of a `make check` build, which its library needs.
ok cc -std=c11 -Wall -Wextra -Werror ${RUTA_SAN:-} -o embed "$top/examples/embed.c" \
	$(pkg-config --cflags --libs ruta)
LD_LIBRARY_PATH="$PWD/inst/usr/lib" ./embed app >out 2>err
is "$?" "0" "the embedding example runs against the installed library"
ok grep -q 'i activity.kind = visit' out
ok grep -q 'u activity.status = held' out
is "$(jget "$(LD_LIBRARY_PATH="$PWD/inst/usr/lib" inst/usr/bin/ruta -C app status --json)" .records)" "2" \
	"the installed ruta reads what the example wrote"
make -s -C "$top" uninstall BUILD="$build" DESTDIR="$PWD/inst" PREFIX=/usr >/dev/null 2>&1
ok test ! -e inst/usr/lib/libruta.so
ok test ! -e inst/usr/bin/ruta

done_testing
