#!/bin/sh
# bench_fresh.sh - how long a NEW replica takes to become usable from a hub
# that holds N real changesets, and how long head office takes to catch up
# on them.
#
# For each N: a bare hub, head office `hq` and team `north` (init, keys
# endorse, first sync), as in bench_sync.sh. Then north makes N real signed
# changesets, one small edit each (new accounts, contacts, opportunities,
# calls, stage moves, field edits), through the library (gen_history: edit +
# ruta_changeset_seal in a loop). `ruta -C north export --all --out -` writes
# them as one bundle, which becomes a git fast-import stream: one commit per
# changeset on refs/heads/ruta/<north id> of the hub, each tree holding just
# changesets/<id>/<id>-<seq>.json and .json.sig with the exact bytes ruta's
# push writes, commit times strictly increasing, the message ruta writes.
# North's own git/ gets the same branch, so its next push continues from it.
# The commits are NOT signed (no gpgsig header): ruta pull checks each
# changeset's signature, chain and trust, never commit signatures, so this
# changes nothing for what is measured; stock `git verify-commit` would
# refuse them.
#
# Then, timed:
#   - head office pulls the N changesets (`ruta -C hq pull`, hub by path);
#   - a brand-new replica (init --root-key --hub, then `ruta pull`) over
#     `git daemon` on 127.0.0.1: replays every changeset (--no-snapshot when
#     this ruta has snapshots); its state hash must equal head office's;
#   - if this ruta has `ruta snapshot publish` (`ruta snapshot --help`
#     succeeds): head office publishes a snapshot (timed), and a second
#     brand-new replica's first `ruta pull`, over git daemon too, must start
#     from it and reach head office's state hash. Otherwise "snapshot: not
#     available".
# Last, untimed: north edits once more and syncs; the hub must take exactly
# that one changeset, and head office must pull it (the generated history is
# one ruta itself would continue).
#
#   RUTA=build/ruta sh bench/bench_fresh.sh [N ...]      (default: 1000 100000)
#   GEN=build/bench/gen_history (default: next to RUTA, in bench/)
#   PULL_LIMIT=300: a pull still running after that many seconds is stopped
#   and shown as ">300000 ms"; if it was head office's, head office then
#   takes north's changesets with `ruta apply` (untimed) and the bench goes
#   on
set -eu
RUTA=${RUTA:-build/ruta}
case $RUTA in /*) ;; *) RUTA=$(pwd)/$RUTA ;; esac
GEN=${GEN:-$(dirname "$RUTA")/bench/gen_history}
case $GEN in /*) ;; *) GEN=$(pwd)/$GEN ;; esac
SIZES=${*:-1000 100000}
PULL_LIMIT=${PULL_LIMIT:-300}
[ -x "$GEN" ] || { echo "bench_fresh: no $GEN (make $GEN)" >&2; exit 1; }
BASE=$(mktemp -d "${TMPDIR:-/tmp}/ruta-bench-fresh.XXXXXX")
DAEMON_PID=""
stop_daemon() {
	if [ -n "$DAEMON_PID" ]; then
		kill "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=""
	fi
}
trap 'stop_daemon; rm -rf "$BASE"' EXIT
trap 'exit 1' INT TERM

now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
fail() {
	echo "bench_fresh: N=$N: $*" >&2
	for f in "$W/out" "$W/err"; do [ -s "$f" ] && tail -5 "$f" >&2; done
	exit 1
}

# Runs a command with its output in $W/out and $W/err; prints the ms taken.
timed() {
	t0=$(now_ms)
	"$@" >"$W/out" 2>"$W/err" || fail "failed ($?): $*"
	echo $(( $(now_ms) - t0 ))
}

# The same for a pull, which gives up after PULL_LIMIT seconds: then it
# prints ">" and the limit in ms.
timed_pull() {
	t0=$(now_ms)
	rc=0
	timeout "$PULL_LIMIT" "$@" >"$W/out" 2>"$W/err" || rc=$?
	if [ $rc = 124 ]; then
		echo ">$((PULL_LIMIT * 1000))"
		return 0
	fi
	[ $rc = 0 ] || fail "failed ($rc): $*"
	echo $(( $(now_ms) - t0 ))
}

json_int() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$W/out"; }

# `ruta snapshot` is new: a ruta without it says it is not a command (exit 2).
if "$RUTA" snapshot --help >/dev/null 2>&1; then SNAPSHOT=1; else SNAPSHOT=0; fi

# A bundle (stdin) to a git fast-import stream (stdout): one commit per own
# changeset above AFTER on refs/heads/ruta/ID, the first on top of FROM (if
# any), commit times START, START+1, ... (see sync.c commit_own and
# transport.c ruta_git__commit for what ruta writes).
to_fast_import() {
	perl -e '
		use strict;
		my ($id, $from, $t, $after) = @ARGV;
		binmode STDIN; binmode STDOUT;
		my $head = <STDIN>;
		die "not a ruta bundle\n" unless defined $head && $head eq "ruta-bundle 1\n";
		my ($seq, $json, $n) = (0, undef, 0);
		while (defined(my $h = <STDIN>)) {
			my ($name, $len) = $h =~ /^(\S+) (\d+)\n\z/ or die "bad entry header\n";
			my $data = "";
			read(STDIN, $data, $len + 1) == $len + 1 or die "short bundle\n";
			chop $data;
			if ($name =~ /^\Q$id\E-(\d+)\.json\z/) {
				($seq, $json) = ($1 + 0, $data);
			} elsif ($name =~ /^\Q$id\E-(\d+)\.json\.sig\z/ && defined $json && $1 == $seq) {
				next if $seq <= $after;
				my $file = sprintf("changesets/%s/%s-%08d.json", $id, $id, $seq);
				my $msg = "ruta: $id changesets $seq to $seq\n";
				print "commit refs/heads/ruta/$id\n";
				print "author $id <$id\@ruta> $t +0000\n";
				print "committer $id <$id\@ruta> $t +0000\n";
				print "data ", length($msg), "\n$msg";
				print "from $from\n" if $n == 0 && $from ne "";
				print "deleteall\n";   # a commit holds only its own sync
				print "M 100644 inline $file\ndata ", length($json), "\n$json\n";
				print "M 100644 inline $file.sig\ndata ", length($data), "\n$data\n";
				$t++;
				$n++;
				undef $json;
			}
		}
		print STDERR "$n\n";
	' "$@"
}

echo "fresh: a new replica's first pull from a hub of N real signed changesets (one commit each), over git daemon on 127.0.0.1"
for N in $SIZES; do
	W="$BASE/$N"
	mkdir -p "$W"
	cd "$W"
	git init -q --bare hub.git
	"$RUTA" init hq --head-office --hub "$W/hub.git" >/dev/null 2>&1
	"$RUTA" -C hq keys export-pub --root > root.pub
	"$RUTA" init north --team north --root-key root.pub --hub "$W/hub.git" >/dev/null 2>&1
	"$RUTA" -C north keys export-pub > north.pub
	"$RUTA" -C hq keys endorse north.pub --team north >/dev/null 2>&1
	"$RUTA" -C hq sync >/dev/null 2>&1
	"$RUTA" -C north sync >/dev/null 2>&1
	ID=$(cut -d' ' -f3 north.pub)
	fromsnap=

	# 1. N changesets at north, then one commit each on the hub
	seal=$(timed "$GEN" north "$N")
	split=$(sed -n 's/.*: \(edits [0-9.]* s\), \(seals [0-9.]* s\)$/\1 + \2/p' "$W/out")
	t0=$(now_ms)
	from=$(git --git-dir=hub.git rev-parse -q --verify "refs/heads/ruta/$ID" || true)
	after=0
	start=$(( $(date +%s) - N - 60 ))
	if [ -n "$from" ]; then
		after=$(git --git-dir=hub.git ls-tree -r --name-only "$from" |
			sed -n 's/.*-0*\([0-9][0-9]*\)\.json$/\1/p' | sort -n | tail -1)
		last=$(git --git-dir=hub.git log -1 --format=%ct "$from")
		[ "$start" -gt "$last" ] || start=$(( last + 1 ))
	fi
	"$RUTA" -C north export --all --out - 2>"$W/err" |
		to_fast_import "$ID" "$from" "$start" "${after:-0}" 2>"$W/count" |
		git --git-dir=hub.git fast-import --quiet || fail "building the hub history"
	made=$(cat "$W/count")
	[ "$made" -eq "$N" ] || fail "the hub got $made commits, not $N"
	# north's own record of its branch, and of what the hub has
	git --git-dir=north/git fetch -q "$W/hub.git" \
		"+refs/heads/ruta/$ID:refs/heads/ruta/$ID" "+refs/heads/ruta/$ID:refs/hub/ruta/$ID"
	hub=$(( $(now_ms) - t0 ))

	# 2. head office catches up (north holds the same CRM: the reference)
	REF=$("$RUTA" -C north state-hash)
	catchup=$(timed_pull "$RUTA" -C hq pull --json)
	case $catchup in
	'>'*)	# stopped: head office catches up another way, untimed (apply north's
		# bundle, then mark north's branch as seen, as bench_sync.sh does), so
		# that the snapshot can still be measured
		"$RUTA" -C north export --all --out - 2>/dev/null |
			"$RUTA" -C hq apply - >"$W/out" 2>"$W/err" || fail "head office's apply of north's bundle"
		sqlite3 hq/ruta.db "INSERT OR REPLACE INTO ruta_meta VALUES ('hub_seen:$W/hub.git#ruta/$ID', '$(git --git-dir=hub.git rev-parse "ruta/$ID")')" ;;
	*)	[ "$(json_int applied)" = "$N" ] || fail "head office applied $(json_int applied) changesets, not $N" ;;
	esac
	[ "$("$RUTA" -C hq state-hash)" = "$REF" ] || fail "head office's state differs from north's"

	# 3. a brand-new replica over git daemon
	port=$((30000 + ($$ + 7919) % 20000))
	git daemon --reuseaddr --base-path="$W" --export-all --listen=127.0.0.1 --port=$port \
		--pid-file="$W/daemon.pid" --detach "$W"
	i=0   # the detached daemon writes its pid file a moment later
	while [ ! -s "$W/daemon.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$W/daemon.pid" ] || fail "git daemon did not start on port $port"
	DAEMON_PID=$(cat "$W/daemon.pid")
	sleep 0.5
	URL="git://127.0.0.1:$port/hub.git"
	"$RUTA" init new --team new --root-key root.pub --hub "$URL" >/dev/null 2>&1
	if [ "$SNAPSHOT" = 1 ]; then REPLAY=--no-snapshot; else REPLAY=; fi
	fresh=$(timed_pull "$RUTA" -C new pull $REPLAY --json)
	case $fresh in
	'>'*) ;;
	*)	[ "$(json_int applied)" = "$N" ] || fail "the new replica applied $(json_int applied) changesets, not $N"
		[ "$("$RUTA" -C new state-hash)" = "$REF" ] || fail "the new replica's state differs from head office's" ;;
	esac

	# 4. the same from a snapshot, when this ruta can publish one
	if [ "$SNAPSHOT" = 0 ]; then
		snap="snapshot: not available"
	else
		publish=$(timed "$RUTA" -C hq snapshot publish --json)
		records=$(json_int published)
		[ "${records:-0}" -gt 0 ] || fail "head office published no snapshot"
		"$RUTA" init new2 --team new2 --root-key root.pub --hub "$URL" >/dev/null 2>&1
		fromsnap=$(timed_pull "$RUTA" -C new2 pull --json)
		case $fromsnap in
		'>'*) ;;
		*)	[ "$(json_int started_from)" = "$records" ] ||
				fail "the new replica did not start from the snapshot of $records records"
			[ "$("$RUTA" -C new2 state-hash)" = "$REF" ] ||
				fail "the replica made from the snapshot differs from head office" ;;
		esac
		snap="snapshot of $records records: published in $publish ms, new replica's first pull from it $fromsnap ms"
	fi
	stop_daemon

	# 5. untimed: north's next sync continues the generated branch
	"$RUTA" -C north account add --name 'After the bench' >/dev/null
	timed "$RUTA" -C north sync --json >/dev/null
	[ "$(json_int pushed)" = 1 ] || fail "north's next sync pushed $(json_int pushed) changesets, not 1"
	timed "$RUTA" -C hq pull --json >/dev/null
	[ "$(json_int applied)" = 1 ] || fail "head office's next pull applied $(json_int applied), not 1"

	printf '  N=%-7s head office catching up on %s changesets %8s ms   new replica first pull %8s ms   %s   (generated in %s s: %s at north, %s s onto the hub)\n' \
		"$N" "$N" "$catchup" "$fresh" "$snap" "$(secs $((seal + hub)))" "$split" "$(secs "$hub")"
	case $catchup$fresh${fromsnap:-} in *'>'*) echo "    ('>': stopped after PULL_LIMIT=$PULL_LIMIT s)" ;; esac
	cd "$BASE"
	rm -rf "$W"
done
