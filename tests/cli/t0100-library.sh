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

# The tool is built from the public header alone: no internal symbol is used.
internal=$(nm -u "$build/src/cli/"*.o | awk '{print $2}' | grep '^ruta_' | grep '__' || true)
is "$internal" "" "the ruta tool calls no internal (ruta_x__y) function"

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
