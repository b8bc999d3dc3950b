#!/bin/sh
# bench_sync.sh - what one sync costs as the hub's history grows, and what a
# new replica's first pull costs.
#
# For each history size N, the hub gets N commits on team north's branch
# (built with git fast-import: making them through ruta would take hours),
# and north and head office already hold that history, as long-running
# replicas would. Then north makes one changeset: we time `ruta sync` at
# north and `ruta pull` at head office (median of 3). Last, a brand-new
# replica pulls from the hub with the N commits. The goal is no growth with
# N for the first two; the third is the new-device case.
#
#   RUTA=build/ruta sh bench/bench_sync.sh [N ...]      (default: 1000 100000)
#
# A new replica's first pull over a path hub copies every commit through
# libgit2's local transport, which grows fast (127 s at 10,000 here); it is
# measured only up to FRESH_MAX commits (default 10000).
set -eu
RUTA=${RUTA:-build/ruta}
case $RUTA in /*) ;; *) RUTA=$(pwd)/$RUTA ;; esac
SIZES=${*:-1000 100000}
BASE=$(mktemp -d "${TMPDIR:-/tmp}/ruta-bench-sync.XXXXXX")
trap 'rm -rf "$BASE"' EXIT

now_ms() { date +%s%3N; }
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# N commits on refs/heads/$2, each holding one small file, one second apart.
history() {
	n=$1 branch=$2 id=$3
	awk -v n="$n" -v b="$branch" -v id="$id" 'BEGIN {
		for (i = 1; i <= n; i++) {
			data = sprintf("{\"bulk\":%d}\n", i)
			printf "commit refs/heads/%s\n", b
			printf "committer %s <%s@ruta> %d +0000\n", id, id, 1700000000 + i
			printf "data 5\nbulk\n"
			printf "deleteall\n"   # each commit holds only its own file, as ruta commits do
			printf "M 100644 inline history/%s-%d.txt\ndata %d\n%s\n", id, i, length(data), data
		}
	}' | git --git-dir="$4" fast-import --quiet
}

timed() {
	t0=$(now_ms)
	"$@" >/dev/null 2>&1
	echo $(( $(now_ms) - t0 ))
}

echo "sync: one changeset on top of N commits of history (ms, median of 3), libgit2 + bare hub by path"
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
	t0=$(now_ms)
	history "$N" "ruta/$ID" "$ID" "$W/hub.git"
	build=$(( $(now_ms) - t0 ))
	# long-running replicas already hold the history
	git --git-dir=north/git fetch -q "$W/hub.git" "+refs/heads/ruta/$ID:refs/heads/ruta/$ID"
	git --git-dir=hq/git fetch -q "$W/hub.git" "+refs/heads/ruta/$ID:refs/hub/ruta/$ID"
	sqlite3 hq/ruta.db "INSERT OR REPLACE INTO ruta_meta VALUES ('hub_seen:$W/hub.git#ruta/$ID', '$(git --git-dir=hub.git rev-parse "ruta/$ID")')"
	s1=""; p1=""
	for k in 1 2 3; do
		"$RUTA" -C north account add --name "Bench $k" >/dev/null
		s1="$s1 $(timed "$RUTA" -C north sync)"
		p1="$p1 $(timed "$RUTA" -C hq pull)"
	done
	fresh="-"
	daemon="-"
	if [ "$N" -le "${FRESH_MAX:-10000}" ]; then
		fresh=$(timed sh -c "'$RUTA' init new --team new --root-key root.pub --hub '$W/hub.git' && '$RUTA' -C new pull")
	fi
	# the same over git daemon on loopback, the smart protocol a real hub speaks
	if [ "$N" -le "${DAEMON_MAX:-100000}" ]; then
		port=$((30000 + $$ % 20000))
		git daemon --reuseaddr --base-path="$W" --export-all --listen=127.0.0.1 --port=$port \
			--pid-file="$W/daemon.pid" --detach "$W"
		sleep 0.5
		daemon=$(timed sh -c "'$RUTA' init new2 --team new2 --root-key root.pub --hub 'git://127.0.0.1:$port/hub.git' && '$RUTA' -C new2 pull")
		kill "$(cat "$W/daemon.pid")" 2>/dev/null || true
	fi
	[ "$("$RUTA" -C hq state-hash)" = "$("$RUTA" -C north state-hash)" ] || { echo "bench: replicas differ" >&2; exit 1; }
	printf '  N=%-7s north sync %5s ms   head office pull %5s ms   new replica first pull: by path %6s ms, over git daemon %6s ms   (history built in %s ms)\n' \
		"$N" "$(median3 $s1)" "$(median3 $p1)" "$fresh" "$daemon" "$build"
	cd "$BASE"
	rm -rf "$W"
done
