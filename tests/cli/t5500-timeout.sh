#!/bin/sh
# Hubs that stop answering, on 127.0.0.1 (tests/cli/hub-stall.py): one that
# accepts and never answers (git://, http://, https://), one whose connect
# never completes (git://, ssh://), and relays to a real git daemon that
# stall mid-fetch or mid-push. Each time ruta gives up after --timeout
# seconds (or RUTA_TIMEOUT) with exit 5 and a message saying it timed out;
# nothing of the replica changes, and the next sync with a working hub
# takes everything. Bad values are usage errors. No assertion is about how
# long anything took: each ruta runs under `timeout`, so that without its
# own it fails here instead of hanging.
STALL=$(cd "$(dirname "$0")" && pwd)/hub-stall.py
. "$(dirname "$0")/lib.sh"

command -v python3 > /dev/null || skip_all "no python3 for the stalling hubs"
command -v timeout > /dev/null || skip_all "no timeout(1) to guard the stalled syncs"

# Under `make check`, LeakSanitizer lists the libgit2 leaks that
# tests/lsan.supp suppresses after every connection to a hub: the one-line
# messages checked here are ruta's alone.
if [ -n "${RUTA_SAN:-}" ]; then
	LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}print_suppressions=0"
	export LSAN_OPTIONS
fi

PIDS=
trap 'kill $PIDS 2>/dev/null; cd / && rm -rf "$TRASH"' EXIT

# serve MODE NAME [TARGET]: a hub-stall.py server; its port in $PORT
serve() {
	python3 "$STALL" "$1" "$2.port" ${3:+"$3"} 2> "$2.log" &
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$2.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$2.port" ] || { echo "Bail out! hub-stall.py $1 did not start: $(cat "$2.log")"; exit 1; }
	PORT=$(cat "$2.port")
}

# guarded ARGS...: ruta, killed if it is still waiting after two minutes
guarded() { timeout 120 "$RUTA" "$@"; }

# unchanged DIR: the replica's database and git files, as a digest
unchanged() {
	{ db_hash "$1"; find "$1/git" -type f ! -name '*.lock' | sort | xargs sha256sum; } | sha256sum
}

# stalls N WHERE NAME CMD...: CMD exits 5 saying the hub timed out after N s WHERE
stalls() {
	_s=$1 _w=$2 _name=$3
	shift 3
	run guarded "$@"
	is "$rc" 5 "$_name: exit 5, the hub is out of reach"
	expect_stderr "hub '[^']+' timed out after $_s s while $_w; the work stays here, safe: try again later" \
		"$_name: the message names the hub and says it timed out after $_s s $_w"
	one_line_error 5 "$_name: one-line message"
}

setup_hub
must ruta -C north sync
must ruta -C south sync

# ---- a hub that accepts and never answers -----------------------------------------
serve silent silent
SILENT=$PORT
BEFORE=$(unchanged south)
HASH=$(ruta -C south state-hash)
stalls 1 "waiting for it to answer" "git:// silent" \
	-C south sync --timeout 1 --hub "git://127.0.0.1:$SILENT/hub.git"
expect_stderr "git://127.0.0.1:$SILENT/hub.git" "the message names that hub"
is "$(ruta -C south state-hash)" "$HASH" "the CRM is as it was"
is "$(unchanged south)" "$BEFORE" "the database and the git files are as they were"

stalls 1 "waiting for it to answer" "http:// silent" \
	-C south pull --timeout 1 --hub "http://127.0.0.1:$SILENT/hub.git"
# libgit2's TLS stream runs on ruta's: a server silent after the hello
stalls 1 "waiting for it to answer" "https:// silent" \
	-C south pull --timeout 1 --hub "https://127.0.0.1:$SILENT/hub.git"
is "$(unchanged south)" "$BEFORE" "still nothing changed"

# the variable, when no --timeout is given; --timeout beats it
export RUTA_TIMEOUT
RUTA_TIMEOUT=1
stalls 1 "waiting for it to answer" "RUTA_TIMEOUT=1" \
	-C south pull --hub "git://127.0.0.1:$SILENT/hub.git"
RUTA_TIMEOUT=3600
stalls 2 "waiting for it to answer" "--timeout 2 beats RUTA_TIMEOUT" \
	-C south pull --timeout 2 --hub "git://127.0.0.1:$SILENT/hub.git"
RUTA_TIMEOUT=bad
stalls 1 "waiting for it to answer" "with --timeout, RUTA_TIMEOUT is not read" \
	-C south pull --timeout 1 --hub "git://127.0.0.1:$SILENT/hub.git"
unset RUTA_TIMEOUT

# an audit's fetch, too
stalls 1 "waiting for it to answer" "audit verify" \
	-C hq audit verify --timeout 1 --hub "git://127.0.0.1:$SILENT/hub.git"
stalls 1 "waiting for it to answer" "audit report" \
	-C hq audit report --format json --timeout 1 --hub "git://127.0.0.1:$SILENT/hub.git"
is "$out" "" "no report is written"

# ---- a connect that never completes: git:// and ssh:// -----------------------------
serve backlog backlog
stalls 1 connecting "git:// connect" -C south pull --timeout 1 --hub "git://127.0.0.1:$PORT/hub.git"
stalls 1 connecting "ssh:// connect" -C south pull --timeout 1 --hub "ssh://git@127.0.0.1:$PORT/hub.git"
is "$(unchanged south)" "$BEFORE" "nothing changed"

# ---- a closed port: refused at once, not a timeout ------------------------------------
python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' > closed.port
run guarded -C south sync --timeout 1 --hub "git://127.0.0.1:$(cat closed.port)/hub.git"
is "$rc" 5 "a closed port exits 5"
expect_stderr "cannot be reached: .*refused" "and says the connection was refused"
printf '%s\n' "$err" | grep -q "timed out" && fail "a refusal is not called a timeout" ||
	pass "a refusal is not called a timeout"

# ---- a real hub behind relays that stall mid-transfer -----------------------------------
DPORT=$((20000 + ($$ + 7) % 20000))
git_daemon $DPORT daemon.pid --enable=receive-pack
trap 'kill $PIDS "$(cat "$TRASH/daemon.pid")" 2>/dev/null; cd / && rm -rf "$TRASH"' EXIT
HUB="git://127.0.0.1:$DPORT/hub.git"

# a working hub is not cut short by a short timeout
ok ruta -C north account add --name 'Fast hub'
ok guarded -C north sync --timeout 1 --hub "$HUB" --json
is "$(jget "$out" .pushed)" 1 "with --timeout 1 a working hub takes the push"

# A fetch that stalls once the pack has begun: nothing of it is taken in.
ok ruta -C north account add --name 'Behind a stalled fetch'
ok ruta -C north sync --hub "$HUB"
serve cut-fetch cutfetch "$DPORT"
BEFORE=$(unchanged south)
HASH=$(ruta -C south state-hash)
stalls 1 "waiting for it to answer" "a fetch cut mid-pack" \
	-C south pull --timeout 1 --hub "git://127.0.0.1:$PORT/hub.git"
grep -q "connection: upload-pack" cutfetch.log
_report $? "the relay passed the request on to the daemon"
is "$(ruta -C south state-hash)" "$HASH" "the CRM is as it was"
is "$(unchanged south)" "$BEFORE" "the database and the git files are as they were"
ok guarded -C south sync --hub "$HUB" --json
is "$(jget "$out" .pulled)" 2 "the next sync with the working hub takes both changesets"

# A push that stalls after the hub listed its refs: the work is committed
# here first, the hub gets nothing, and the next sync sends it.
ok ruta -C north account add --name 'Behind a stalled push'
TIP=$(git --git-dir=hub.git rev-parse "ruta/$NORTH")
serve cut-push cutpush "$DPORT"
stalls 1 "waiting for it to answer" "a push cut before the hub answers" \
	-C north sync --timeout 1 --hub "git://127.0.0.1:$PORT/hub.git"
grep -q "connection: receive-pack" cutpush.log
_report $? "the relay saw the push begin"
is "$(git --git-dir=hub.git rev-parse "ruta/$NORTH")" "$TIP" "the hub got nothing"
is "$(unexported north)" 0 "the work is sealed into a changeset here"
isnt "$(git --git-dir=north/git rev-parse "ruta/$NORTH")" "$TIP" \
	"and committed on the replica's own branch, waiting"
ok guarded -C north sync --hub "$HUB" --json
is "$(jget "$out" .pushed)" 1 "the next sync pushes it"
ok guarded -C south sync --hub "$HUB"
ok guarded -C hq sync --hub "$HUB"
ok guarded -C north sync --hub "$HUB"
is "$(ruta -C south state-hash)" "$(ruta -C north state-hash)" "south has all of north's work"
is "$(ruta -C hq state-hash)" "$(ruta -C north state-hash)" "and so has head office"

# ---- bad values: usage errors naming the option -------------------------------------------
for v in abc -1 0 1.5 10s 3601 99999 ''; do
	expect_exit 2 ruta -C north sync --timeout "$v"
	expect_stderr "^ruta: --timeout must be a whole number of seconds from 1 to 3600, not '$v'" \
		"--timeout '$v' is refused, naming the option"
done
expect_exit 2 ruta -C north pull --timeout
expect_stderr "'--timeout'" "a --timeout without a value is named"
for c in push pull; do
	expect_exit 2 ruta -C north $c --timeout x
done
RUTA_TIMEOUT=soon
export RUTA_TIMEOUT
expect_exit 2 ruta -C north sync
unset RUTA_TIMEOUT
expect_stderr "^ruta: RUTA_TIMEOUT must be a whole number of seconds from 1 to 3600, not 'soon'" \
	"a bad RUTA_TIMEOUT is refused, naming the variable"
expect_exit 2 ruta -C hq audit verify --timeout 0
expect_stderr "--timeout must be" "audit verify checks its --timeout too"
expect_exit 2 ruta -C hq audit verify --timeout
expect_stderr "--timeout needs a number of seconds" "and names a missing value"
ok ruta -C north sync --help
expect_stdout "--timeout SECONDS" "sync --help shows --timeout"

done_testing
