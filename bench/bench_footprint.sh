#!/bin/sh
# bench_footprint.sh - how small ruta is (docs/internals.md, "Footprint"):
#
#   1. size: build/libruta.so.0.*, libruta.a and the ruta binary, as built
#      and stripped (`strip --strip-unneeded` of a copy);
#   2. peak memory (max RSS, GNU time's %M) applying about 1,000,000 field
#      changes: team north makes them (gen_history DIR N SEED FIELDS: N
#      changesets of about FIELDS changes each) as C x F for each C x F in
#      SHAPES (default "1000x1000 100x10000"), then head office runs
#      `ruta apply DIR` on the exported files, north pushes them with
#      `ruta sync`, and a brand-new replica takes them with `ruta pull`, both
#      over git daemon on 127.0.0.1;
#   3. bytes on the wire per field change of a typical day: north makes one
#      day's work (about DAY_FIELDS field changes, one changeset) and syncs, head office
#      pulls; every byte between ruta and git daemon, both ways, is counted
#      by a relay in between (perl), with the connections made;
#   4. a sync when nothing changed: north syncs again with nothing new; the
#      connections it makes (through the same relay) and the files of its
#      replica directory it changes (size, mtime or content).
#
#   RUTA=build/ruta sh bench/bench_footprint.sh
#   GEN=build/bench/gen_history (default: next to RUTA, in bench/)
#   SHAPES="1000x1000 100x10000"   DAY_FIELDS=150 (field changes of the day)
set -eu
RUTA=${RUTA:-build/ruta}
case $RUTA in /*) ;; *) RUTA=$(pwd)/$RUTA ;; esac
GEN=${GEN:-$(dirname "$RUTA")/bench/gen_history}
case $GEN in /*) ;; *) GEN=$(pwd)/$GEN ;; esac
LIBDIR=$(dirname "$RUTA")
SHAPES=${SHAPES:-1000x1000 100x10000}
DAY=${DAY_FIELDS:-150}
[ -x "$GEN" ] || { echo "bench_footprint: no $GEN (make $GEN)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_footprint: no /usr/bin/time (sh scripts/deps.sh)" >&2; exit 1; }
BASE=$(mktemp -d "${TMPDIR:-/tmp}/ruta-bench-footprint.XXXXXX")
DAEMON_PID="" RELAY_PID=""
stop() {
	for p in $RELAY_PID $DAEMON_PID; do kill "$p" 2>/dev/null || true; done
	RELAY_PID="" DAEMON_PID=""
}
trap 'stop; rm -rf "$BASE"' EXIT
trap 'exit 1' INT TERM

fail() {
	echo "bench_footprint: $*" >&2
	[ -s "$BASE/err" ] && tail -5 "$BASE/err" >&2
	exit 1
}
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
size() { wc -c <"$1" | tr -d ' '; }
json_int() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$BASE/out"; }

# Max RSS in KB of a command; its output in $BASE/out and $BASE/err.
peak() {
	/usr/bin/time -o "$BASE/rss" -f %M "$@" >"$BASE/out" 2>"$BASE/err" || fail "failed: $*"
	tail -1 "$BASE/rss"
}

# A relay from 127.0.0.1:$1 to 127.0.0.1:$2 that appends one line per
# connection to $3 when it closes: "CONN SENT RECEIVED" (bytes from the
# client to the server, and back).
relay() {
	perl -e '
		use strict; use IO::Socket::INET; use IO::Select;
		my ($lport, $dport, $log) = @ARGV;
		$SIG{CHLD} = "IGNORE";
		my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $lport,
			Listen => 16, ReuseAddr => 1) or die "relay: listen $lport: $!\n";
		my $n = 0;
		while (my $c = $l->accept) {
			$n++;
			next if fork;   # the parent goes back to accepting
			close $l;
			my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $dport)
				or die "relay: connect $dport: $!\n";
			my %to = ($c => $s, $s => $c);
			my %n = ($c => 0, $s => 0);
			my $sel = IO::Select->new($c, $s);
			my $open = 2;
			while ($open && (my @r = $sel->can_read)) {
				for my $h (@r) {
					my $got = sysread($h, my $buf, 65536);
					if (!$got) {   # one side done: pass the end on
						$sel->remove($h);
						shutdown($to{$h}, 1);
						$open--;
						next;
					}
					$n{$h} += $got;
					my $off = 0;
					while ($off < $got) {
						my $w = syswrite($to{$h}, $buf, $got - $off, $off);
						die "relay: write: $!\n" unless defined $w;
						$off += $w;
					}
				}
			}
			open(my $f, ">>", $log) or die; print $f "$n $n{$c} $n{$s}\n"; close $f;
			exit 0;
		}
	' "$@"
}

# The relay's log, once every connection made so far has closed:
# "CONNECTIONS SENT RECEIVED". $1: the connections expected at least.
wire() {
	i=0
	while [ $i -lt 50 ]; do
		c=$(wc -l <"$BASE/wire" 2>/dev/null | tr -d ' ' || echo 0)
		[ "${c:-0}" -ge "$1" ] && break
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.2   # a connection the command made beyond those
	awk '{ n++; s += $2; r += $3 } END { printf "%d %d %d\n", n, s, r }' "$BASE/wire" 2>/dev/null
}

# The files under $1 with size, mtime and checksum.
files() { (cd "$1" && find . -type f -exec stat -c '%n %s %.9Y' {} + | sort) ; }

# 1. size
echo "footprint: sizes in bytes, as built / stripped (strip --strip-unneeded)"
for f in "$LIBDIR"/libruta.so.0.* "$LIBDIR"/libruta.a "$RUTA"; do
	[ -f "$f" ] || fail "no $f (make)"
	cp "$f" "$BASE/stripped"
	strip --strip-unneeded "$BASE/stripped"
	printf '  %-20s %9s / %9s\n' "$(basename "$f")" "$(size "$f")" "$(size "$BASE/stripped")"
done
rm -f "$BASE/stripped"

# A hub served by git daemon (receive-pack on) through the relay; head office
# `hq` and team `north` made and endorsed over it, as in bench_sync.sh.
setup() {
	W=$1
	mkdir -p "$W"
	cd "$W"
	git init -q --bare hub.git
	dport=$((30000 + ($$ + 4409) % 15000))
	RPORT=$((dport + 15000))
	git daemon --reuseaddr --base-path="$W" --export-all --enable=receive-pack \
		--listen=127.0.0.1 --port=$dport --pid-file="$W/daemon.pid" --detach "$W"
	i=0   # the detached daemon writes its pid file a moment later
	while [ ! -s "$W/daemon.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$W/daemon.pid" ] || fail "git daemon did not start on port $dport"
	DAEMON_PID=$(cat "$W/daemon.pid")
	relay $RPORT $dport "$BASE/wire" 2>"$BASE/relay.err" &
	RELAY_PID=$!
	sleep 0.5
	URL="git://127.0.0.1:$RPORT/hub.git"
	"$RUTA" init hq --head-office --hub "$URL" >/dev/null 2>&1 || fail "init hq"
	"$RUTA" -C hq keys export-pub --root > root.pub
	"$RUTA" init north --team north --root-key root.pub --hub "$URL" >/dev/null 2>&1
	"$RUTA" -C north keys export-pub > north.pub
	"$RUTA" -C hq keys endorse north.pub --team north >/dev/null 2>&1
	"$RUTA" -C hq sync >/dev/null 2>&1 || fail "hq's first sync"
	"$RUTA" -C north sync >/dev/null 2>&1 || fail "north's first sync"
	"$RUTA" -C hq pull >/dev/null 2>&1 || fail "hq's first pull"
}

# 2. peak memory
echo "footprint: peak memory (max RSS) taking in about 1,000,000 field changes"
for shape in $SHAPES; do
	C=${shape%x*} F=${shape#*x}
	setup "$BASE/m$shape"
	"$GEN" north "$C" 1 "$F" >"$BASE/out" 2>"$BASE/err" || fail "gen_history north $C 1 $F"
	fields=$(sed -n 's/.*changesets (\([0-9]*\) field changes).*/\1/p' "$BASE/out")
	mkdir out
	"$RUTA" -C north export --out "$W/out" >/dev/null 2>"$BASE/err" || fail "export"
	bytes=$(cat out/* | wc -c | tr -d ' ')
	C=$(ls out | grep -c '\.json$')   # a seal makes no changeset over 10,000 field changes
	apply=$(peak "$RUTA" -C hq apply "$W/out" --json)
	[ "$(json_int applied)" = "$C" ] || fail "head office applied $(json_int applied) changesets, not $C"
	push=$(peak "$RUTA" -C north sync --json)
	[ "$(json_int pushed)" = "$C" ] || fail "north pushed $(json_int pushed) changesets, not $C"
	"$RUTA" init new --team new --root-key root.pub --hub "$URL" >/dev/null 2>&1
	pull=$(peak "$RUTA" -C new pull --no-snapshot --json)
	[ "$(json_int applied)" = "$C" ] || fail "the new replica applied $(json_int applied) changesets, not $C"
	[ "$("$RUTA" -C new state-hash)" = "$("$RUTA" -C hq state-hash)" ] || fail "the new replica differs from head office"
	printf '  %5s changesets x %5s = %7s field changes (%s MB of signed JSON): apply DIR %6s MB   north sync (push) %6s MB   new replica pull %6s MB\n' \
		"$C" "$F" "$fields" "$(mb $((bytes / 1024)))" "$(mb "$apply")" "$(mb "$push")" "$(mb "$pull")"
	stop
	cd "$BASE"
	rm -rf "$W"
done

# 3. a typical day on the wire, and 4. a sync with nothing new
setup "$BASE/day"
"$GEN" north 1 2 "$DAY" >"$BASE/out" 2>"$BASE/err" || fail "gen_history north 1 2 $DAY"
fields=$(sed -n 's/.*changesets (\([0-9]*\) field changes).*/\1/p' "$BASE/out")
: >"$BASE/wire"
"$RUTA" -C north sync --json >"$BASE/out" 2>"$BASE/err" || fail "north's sync of the day"
[ "$(json_int pushed)" = 1 ] || fail "north pushed $(json_int pushed) changesets, not 1"
set -- $(wire 1)
push_n=$1 push_s=$2 push_r=$3
: >"$BASE/wire"
"$RUTA" -C hq pull --json >"$BASE/out" 2>"$BASE/err" || fail "head office's pull of the day"
[ "$(json_int applied)" = 1 ] || fail "head office applied $(json_int applied) changesets, not 1"
set -- $(wire 1)
pull_n=$1 pull_s=$2 pull_r=$3
per() { awk -v b="$1" -v n="$fields" 'BEGIN { printf "%.1f", b / n }'; }
echo "footprint: a day's sync of one changeset of $fields field changes over git daemon (bytes on the wire, both ways)"
printf '  north sync (push)  %d connections, %6d B sent + %6d B received = %6d B, %s B per field change\n' \
	"$push_n" "$push_s" "$push_r" $((push_s + push_r)) "$(per $((push_s + push_r)))"
printf '  head office pull   %d connections, %6d B sent + %6d B received = %6d B, %s B per field change\n' \
	"$pull_n" "$pull_s" "$pull_r" $((pull_s + pull_r)) "$(per $((pull_s + pull_r)))"

files north >"$BASE/before"
: >"$BASE/wire"
"$RUTA" -C north sync --json >"$BASE/out" 2>"$BASE/err" || fail "north's sync with nothing new"
set -- $(wire 1)
files north >"$BASE/after"
changed=$(diff "$BASE/before" "$BASE/after" | sed -n 's/^> \.\/\([^ ]*\) .*/\1/p' | tr '\n' ' ')
echo "footprint: a sync with nothing new (north, right after the day's sync)"
printf '  %d connections, %d B sent + %d B received; files of the replica changed: %s\n' \
	"$1" "$2" "$3" "${changed:-none}"
stop
