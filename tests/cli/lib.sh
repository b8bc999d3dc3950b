# lib.sh - a small TAP library for ruta's end-to-end CLI tests (POSIX sh).
#
# Each tests/cli/tNNNN-*.sh sources this file, then:
#
#   ok ruta init r --team north                 # the command exits 0
#   expect_exit 2 ruta bogus                    # ... exits exactly 2
#   expect_stderr "'bogus' is not a ruta command"   # grep -E on its stderr
#   is "$(jget "$out" .stage)" needs "moved to needs"
#   refused r 1 "email.*'bad'" ruta -C r contact add --last-name X --email bad
#   done_testing                                # prints the plan 1..N
#
# Every test file runs in its own temporary directory, which is also $HOME
# and the current directory, and is removed on exit. RUTA_DIR is unset,
# TZ=UTC and LC_ALL=C. $RUTA is the binary under test (make cli-test sets it).
# After `run`, `ok` or `expect_exit`: $rc, $out and $err hold the exit code,
# stdout and stderr of the command.

: "${RUTA:=$(cd "$(dirname "$0")/../.." && pwd)/build/ruta}"
case $RUTA in /*) ;; *) RUTA=$PWD/$RUTA ;; esac   # the tests cd elsewhere
unset RUTA_DIR
TZ=UTC
LC_ALL=C
export TZ LC_ALL RUTA

if [ ! -x "$RUTA" ]; then
	echo "Bail out! no ruta binary at '$RUTA' (run 'make all', or set RUTA)"
	exit 1
fi

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/ruta-cli.XXXXXX") || {
	echo "Bail out! cannot make a temporary directory"
	exit 1
}
trap 'cd / && rm -rf "$TRASH"' EXIT
trap 'exit 130' INT TERM HUP
HOME=$TRASH
export HOME
mkdir "$TRASH/.tap"
cd "$TRASH" || exit 1

_n=0
_failed=0
rc=0
out=
err=

# ---- running commands ------------------------------------------------------

ruta() { "$RUTA" "$@"; }

# ruta_at TIME ARGS...: ruta with the clock set to TIME (faketime).
# faketime works by LD_PRELOAD, which an ASan build (make check) must be told
# to accept ahead of its own runtime.
ruta_at() {
	_t=$1; shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime "$_t" "$RUTA" "$@"
}

# run CMD...: runs CMD, keeps its exit code, stdout and stderr.
run() {
	"$@" >"$TRASH/.tap/out" 2>"$TRASH/.tap/err"
	rc=$?
	out=$(cat "$TRASH/.tap/out")
	err=$(cat "$TRASH/.tap/err")
	_cmd=$*
	return 0
}

# must CMD...: a setup step, not a test: the file bails out if it fails.
must() {
	run "$@"
	[ "$rc" -eq 0 ] || { echo "Bail out! setup failed: $* (exit $rc): $err"; exit 1; }
}

# ---- reporting ---------------------------------------------------------------

# Diagnostics go to stderr so that prove shows them without -v.
diag() { printf '%s\n' "$*" | sed 's/^/# /' >&2; }

_report() {
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
		diag "failed test '$2'"
	fi
	return "$1"
}

_diag_run() {
	diag "command: $_cmd"
	diag "exit code: $rc"
	[ -n "$out" ] && diag "stdout: $(printf '%s' "$out" | head -c 600)"
	[ -n "$err" ] && diag "stderr: $err"
	return 0
}

pass() { _report 0 "$1"; }
fail() { _report 1 "$1"; }
# skip REASON: one test that was not run.
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $1"; }

# ok CMD...: passes when CMD exits 0.
ok() {
	run "$@"
	_report "$([ "$rc" -eq 0 ]; echo $?)" "$*" || _diag_run
}

# expect_exit N CMD...: passes when CMD exits exactly N.
expect_exit() {
	_want=$1
	shift
	run "$@"
	_report "$([ "$rc" -eq "$_want" ]; echo $?)" "exit $_want: $*" || _diag_run
}

# expect_stderr PATTERN [NAME]: the last command's stderr matches PATTERN (grep -E).
expect_stderr() {
	printf '%s\n' "$err" | grep -Eq -- "$1"
	_report $? "${2:-stderr matches /$1/}" || diag "stderr: $err"
}

# expect_stdout PATTERN [NAME]: the last command's stdout matches PATTERN (grep -E).
expect_stdout() {
	printf '%s\n' "$out" | grep -Eq -- "$1"
	_report $? "${2:-stdout matches /$1/}" || diag "stdout: $out"
}

# is GOT WANT NAME
is() {
	[ "$1" = "$2" ]
	_report $? "$3" || { diag "got:      '$1'"; diag "expected: '$2'"; }
}

# isnt GOT UNWANTED NAME
isnt() {
	[ "$1" != "$2" ]
	_report $? "$3" || diag "got '$1', which it should not be"
}

# cmp_ok A OP B NAME: integer comparison, OP one of -eq -ne -lt -le -gt -ge.
cmp_ok() {
	case $2 in
	-eq | -ne | -lt | -le | -gt | -ge) test "$1" "$2" "$3" 2>/dev/null ;;
	*) false ;;
	esac
	_report $? "$4" || diag "expected $1 $2 $3"
}

# one_line_error CODE [NAME]: stderr is one "ruta: ..." line; a usage error
# (2) may add one "see 'ruta ... --help'" line.
one_line_error() {
	_lines=$(printf '%s\n' "$err" | wc -l)
	_second=$(printf '%s\n' "$err" | sed -n 2p)
	case "$err" in
	"ruta: "*) _ok=0 ;;
	*) _ok=1 ;;
	esac
	if [ "$_lines" -gt 1 ]; then
		if [ "$1" -eq 2 ] && [ "$_lines" -eq 2 ]; then
			case "$_second" in "see 'ruta "*) ;; *) _ok=1 ;; esac
		else
			_ok=1
		fi
	fi
	_report $_ok "${2:-one-line message}" || diag "stderr: $err"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -gt 0 ] && diag "$_failed of $_n tests failed"
	[ "$_failed" -gt 254 ] && _failed=254
	exit "$_failed"
}

# ---- JSON ----------------------------------------------------------------------
# Parsed by SQLite's JSON functions (no jq needed). The document goes to
# sqlite3 on stdin, so it may be of any size.

# _jdoc JSON: a statement that makes the temporary table j(doc).
_jdoc() {
	printf "CREATE TEMP TABLE j AS SELECT '"
	printf '%s' "$1" | sed "s/'/''/g"
	printf "' AS doc;\n"
}

# jget JSON PATH: one value; PATH like .emails[0].email ("" for the whole).
# Strings print raw, null as "null", booleans as true/false, objects and
# arrays as compact JSON; a path that does not exist prints nothing.
jget() {
	{
		_jdoc "$1"
		printf "SELECT CASE json_type(doc, '\$%s') WHEN 'true' THEN 'true'" "$2"
		printf " WHEN 'false' THEN 'false' WHEN 'null' THEN 'null'"
		printf " ELSE json_extract(doc, '\$%s') END FROM j;\n" "$2"
	} | sqlite3 -batch
}

# jsql JSON SQL: runs SQL over the document, which is table j(doc):
#   jsql "$log" "SELECT e.value->>'hlc' FROM j, json_each(j.doc) e
#                WHERE e.value->>'field' = 'region'"
jsql() { { _jdoc "$1"; printf '%s;\n' "$2"; } | sqlite3 -batch; }

# jlen JSON [PATH]: the length of an array.
jlen() { jsql "$1" "SELECT json_array_length(doc, '\$${2:-}') FROM j"; }

# ---- replicas -------------------------------------------------------------------

# db DIR SQL: runs SQL on a replica's database with the sqlite3 tool.
db() { sqlite3 "$1/ruta.db" "$2"; }

# db_hash DIR: a digest of the database's whole content.
db_hash() { sqlite3 "$1/ruta.db" .dump | sha256sum | cut -d' ' -f1; }

# unexported DIR: how many captured changes are waiting to be exported.
unexported() { jget "$("$RUTA" -C "$1" status --json 2>/dev/null)" .unexported; }

# hlc_int HEX: a 16-hex-digit HLC as a decimal integer.
hlc_int() { printf '%d' "0x$1"; }

# setup_replicas: head office in hq/ (root key in root.pub) and team north
# in r/, both with country ES. Bails out if that fails.
setup_replicas() {
	{ "$RUTA" init hq --head-office --country ES &&
		"$RUTA" -C hq keys export-pub --root >root.pub &&
		"$RUTA" init r --team north --root-key root.pub --country ES; } >/dev/null 2>&1 || {
		echo "Bail out! cannot create the test replicas"
		exit 1
	}
}


# setup_hub: hub_replicas north south, both teams' keys endorsed, and head
# office synced once. $HQ, $NORTH and $SOUTH are their replica ids.
setup_hub() {
	hub_replicas north south
	for _t in north south; do must ruta -C hq keys endorse $_t.pub --team $_t; done
	NORTH=$(cut -d' ' -f3 north.pub)
	SOUTH=$(cut -d' ' -f3 south.pub)
	must ruta -C hq sync
}

# refused DIR CODE PATTERN CMD...: CMD exits CODE, prints one line on stderr
# matching PATTERN (grep -E), and the database in DIR is left exactly as it
# was, as is its count of unexported changes. Four tests.
refused() {
	_dir=$1 _code=$2 _pat=$3
	shift 3
	"$RUTA" -C "$_dir" log --local >/dev/null 2>&1   # stamp what is pending first
	_before=$(db_hash "$_dir")
	_unexp=$(unexported "$_dir")
	expect_exit "$_code" "$@"
	_short=$(printf '%s' "$*" | sed 's/^ruta -C [^ ]* //' | cut -c1-60)
	_report "$(printf '%s\n' "$err" | head -n 1 | grep -Eq -- "$_pat"; echo $?)" \
		"$_short: message matches /$_pat/" || diag "stderr: $err"
	one_line_error "$_code" "$_short: one-line message"
	_after=$(db_hash "$_dir")
	_unexp2=$(unexported "$_dir")
	_report "$([ "$_before" = "$_after" ] && [ "$_unexp" = "$_unexp2" ]; echo $?)" \
		"$_short: nothing written" || diag "database changed (unexported $_unexp -> $_unexp2)"
}

# sync_all: everyone syncs twice over, whatever the exit (3 while conflicts are open)
sync_all() {
	for _r in north south hq north south; do ruta -C $_r sync >/dev/null 2>&1; done
}
# same_everywhere WHAT: state hash and open conflicts are equal on all three
same_everywhere() {
	_h=$(ruta -C hq state-hash) _c=$(ruta -C hq conflicts list --json)
	for _r in north south; do
		is "$(ruta -C $_r state-hash)" "$_h" "$1: $_r has head office's CRM"
		is "$(ruta -C $_r conflicts list --json)" "$_c" "$1: $_r has head office's open conflicts"
	done
}

# hub_replicas TEAM...: a bare hub.git, head office in hq/ (root key in
# root.pub, its id in $HQ) and a replica of each TEAM in TEAM/ (its public
# key in TEAM.pub), all with that hub, none endorsed or synced. Bails out if
# that fails.
hub_replicas() {
	git init -q --bare hub.git
	must ruta init hq --head-office --hub "$PWD/hub.git"
	HQ=$(cut -d' ' -f3 hq/keys/replica.pub)
	ruta -C hq keys export-pub --root > root.pub
	for _t in "$@"; do
		must ruta init "$_t" --team "$_t" --root-key root.pub --hub "$PWD/hub.git"
		ruta -C "$_t" keys export-pub > "$_t.pub"
	done
}

# git_daemon PORT PIDFILE [OPTION]...: `git daemon` serving this directory's
# repositories on 127.0.0.1:PORT, detached (OPTION: --enable=receive-pack to
# take pushes), once it has written PIDFILE. The caller's trap kills it.
git_daemon() {
	_port=$1 _pidf=$2
	shift 2
	git daemon --reuseaddr --base-path="$PWD" --export-all "$@" \
		--listen=127.0.0.1 --port="$_port" --pid-file="$PWD/$_pidf" --detach "$PWD"
	_i=0
	while [ ! -s "$_pidf" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	sleep 0.3
}

# ---- hubs rewritten with git plumbing ------------------------------------------
# For tests that tamper with a copy of a hub (commit-tree needs an author and
# a committer: the test sets GIT_AUTHOR_* and GIT_COMMITTER_*).

# g HUB ARGS...: git on a bare hub.
g() { _h=$1; shift; git --git-dir="$_h" "$@"; }

# nth HUB BRANCH N: the Nth commit of a branch, from its root (1).
nth() { g "$1" rev-list --reverse "$2" | sed -n "${3}p"; }

# tree_of HUB COMMIT: its tree.
tree_of() { g "$1" rev-parse "$2^{tree}"; }

# make_tree HUB DIR NAME BLOB [NAME BLOB]...: a tree with the files under DIR
# (one or two levels: "trust", "changesets/ID").
make_tree() {
	_h=$1 _dir=$2
	shift 2
	_t=$({ while [ $# -gt 1 ]; do printf '100644 blob %s\t%s\n' "$2" "$1"; shift 2; done; } |
		g "$_h" mktree)
	case $_dir in
	*/*) _t=$(printf '040000 tree %s\t%s\n' "$_t" "${_dir#*/}" | g "$_h" mktree)
		_dir=${_dir%%/*} ;;
	esac
	printf '040000 tree %s\t%s\n' "$_t" "$_dir" | g "$_h" mktree
}

# blob HUB FILE: the file as a blob.
blob() { g "$1" hash-object -w "$2"; }

# stack HUB BRANCH BASE KEY TREE...: commits TREEs one on another from BASE
# ("" for none), each signed with the secret KEY as git commit -S does, and
# points BRANCH at the last.
stack() {
	_h=$1 _b=$2 _p=$3 _k=$4
	shift 4
	for _t in "$@"; do
		_p=$(g "$_h" -c gpg.format=ssh -c user.signingkey="$_k" commit-tree -S \
			${_p:+-p "$_p"} -m tampered "$_t") || return 1
	done
	g "$_h" update-ref "refs/heads/$_b" "$_p"
}

# sign_cs KEY FILE: FILE.sig, an SSHSIG over FILE made with KEY as ruta signs
# a changeset.
sign_cs() {
	rm -f "$2.sig"
	ssh-keygen -q -Y sign -f "$1" -n ruta-changeset -O hashalg=sha256 "$2" 2>/dev/null
}

# on_top HUB REPLICA KEY FILE: commits FILE and its .sig on the tip of the
# replica's branch of HUB.git, signed with KEY.
on_top() {
	_f=$(basename "$4")
	stack "$1.git" "ruta/$2" "$(g "$1.git" rev-parse "ruta/$2")" "$3" \
		"$(make_tree "$1.git" "changesets/$2" "$_f" "$(blob "$1.git" "$4")" \
			"$_f.sig" "$(blob "$1.git" "$4.sig")")"
}

# fresh NAME: a copy of the untouched hub.
fresh() { rm -rf "$1.git" && cp -r hub.git "$1.git"; }

# cs_file REPLICA SEQ: a changeset's file name.
cs_file() { printf '%s-%08d.json' "$1" "$2"; }
