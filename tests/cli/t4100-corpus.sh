#!/bin/sh
# The bad-input corpus (tests/data/corpus, made by its make.sh): broken and
# hostile changesets, signatures, trust files and bundles (its README.md says
# how a case is written). Each case says the exit code, the verdict (refused,
# waiting, duplicate, skipped, or rejected: a bundle refused before any entry
# is read) and messages that stderr, or the reason kept for a held input,
# must match. After each one the replica's CRM content, and its whole
# database but the quarantine and the waiting room, are exactly as before; a
# refused input is kept with its reason, a waiting one is held; stderr
# carries no control bytes. The controls, the cases' bases, must apply.
CORPUS=$(cd "$(dirname "$0")/../data/corpus" 2>/dev/null && pwd)
. "$(dirname "$0")/lib.sh"

[ -n "$CORPUS" ] && [ -d "$CORPUS/cases" ] || skip_all "no corpus in tests/data/corpus (run its make.sh)"

# ---- the receiving replicas, restored once from their dumps --------------------------

restore() {
	mkdir -p "$2" && cp -R "$CORPUS/fixtures/$1/keys" "$2/" && chmod 700 "$2/keys" &&
		chmod 600 "$2"/keys/*.key && sqlite3 "$2/ruta.db" <"$CORPUS/fixtures/$1.sql" >/dev/null
}
for sql in "$CORPUS"/fixtures/*.sql; do
	f=$(basename "$sql" .sql)
	restore "$f" "$TRASH/fixture-$f" || { echo "Bail out! cannot restore fixture $f"; exit 1; }
	is "$("$RUTA" -C "$TRASH/fixture-$f" state-hash 2>&1)" "$(cat "$CORPUS/fixtures/$f.state")" \
		"fixture $f restores to the state it was saved with"
done
rm -f "$TRASH"/fixture-*/ruta.db-wal "$TRASH"/fixture-*/ruta.db-shm

# content DIR: a digest of the whole database but for the quarantine and the waiting room
content() {
	sqlite3 "$1/ruta.db" .dump | grep -Ev \
		"^INSERT INTO \"?(ruta_quarantine|ruta_pending)\"? |^INSERT INTO \"?sqlite_sequence\"? VALUES\('(ruta_quarantine|ruta_pending)'" |
		sha256sum | cut -d' ' -f1
}

apply_stdin() { "$RUTA" -C "$1" apply - <"$2"; }

# run_case DIR KIND: KIND is "case" (nothing may change) or "control" (must apply).
run_case() {
	_c=$1 _kind=$2
	_name=${_c##*/}
	about= want_exit= verdict= messages= receiver=north input= gens= wq= ww=
	while IFS= read -r line || [ -n "$line" ]; do
		val=${line#* }
		case $line in
		"about "*) about=$val ;;
		"exit "*) want_exit=$val ;;
		"verdict "*) verdict=$val ;;
		"message "*) messages="$messages$val
" ;;
		"receiver "*) receiver=$val ;;
		"input "*) input=$val ;;
		"generate "*) gens="$gens$val;" ;;
		"quarantined "*) wq=$val ;;
		"waiting "*) ww=$val ;;
		esac
	done <"$_c/expect"
	case $verdict in
	refused) : "${wq:=1}" "${ww:=0}" ;;
	waiting) : "${wq:=0}" "${ww:=1}" ;;
	duplicate | skipped | rejected | applied) : "${wq:=0}" "${ww:=0}" ;;
	*) fail "$_name: unknown verdict '$verdict'"; return ;;
	esac

	R=$TRASH/r IN=$TRASH/in
	rm -rf "$R" "$IN"
	cp -R "$TRASH/fixture-$receiver" "$R" && cp -R "$_c" "$IN" || { fail "$_name: setup"; return; }
	for gz in "$IN"/*.gz; do
		[ -e "$gz" ] && gunzip "$gz"
	done
	while [ -n "$gens" ]; do
		g=${gens%%;*} gens=${gens#*;}
		head -c "${g#* }" /dev/zero | tr '\0' '{' >"$IN/${g%% *}"
	done
	h0=$("$RUTA" -C "$R" state-hash 2>&1)
	d0=$(content "$R")

	case $input in
	"bundle "*) run apply_stdin "$R" "$IN/${input#bundle }" ;;
	"file "*) run "$RUTA" -C "$R" apply "$IN/${input#file }" ;;
	*) run "$RUTA" -C "$R" apply "$IN" ;;
	esac
	_t="$_name ($about)"
	_err=$err
	is "$rc" "$want_exit" "$_t: exit $want_exit" || diag "stderr: $_err"
	# The reasons of what is held (a waiting input's is not on stderr)
	st=$("$RUTA" -C "$R" status --json 2>&1)
	held=$(jsql "$st" "SELECT (doc->>'quarantined') || ' ' || (doc->>'waiting') FROM j UNION ALL
		SELECT (e.value->>'state') || ' ' || (e.value->>'name') || ': ' || (e.value->>'reason')
		FROM j, json_each(j.doc, '\$.held') e" 2>&1)
	counts=$(printf '%s\n' "$held" | head -n 1)
	held=$(printf '%s\n' "$held" | sed 1d)
	while IFS= read -r m; do
		[ -n "$m" ] || continue
		printf '%s\n%s\n' "$_err" "$held" | grep -Eq -- "$m"
		_report $? "$_name: $verdict, stderr or held reason matches /$m/" ||
			diag "stderr: $_err" "held: $held"
	done <<MESSAGES
$messages
MESSAGES
	if LC_ALL=C tr -d '\n\t' <"$TRASH/.tap/err" | LC_ALL=C grep -qa '[[:cntrl:]]'; then
		fail "$_name: no control bytes on stderr"
		diag "stderr: $(LC_ALL=C tr -d '\n\t' <"$TRASH/.tap/err" | od -c | head -n 8)"
	else
		pass "$_name: no control bytes on stderr"
	fi
	is "$counts" "$wq $ww" \
		"$_name: quarantined $wq, waiting $ww"
	[ "$_kind" = control ] && return
	is "$("$RUTA" -C "$R" state-hash 2>&1)" "$h0" "$_name: state hash unchanged"
	is "$(content "$R")" "$d0" "$_name: database unchanged but for the quarantine and the waiting room"
}

n=0
for c in "$CORPUS"/cases/*/; do
	run_case "${c%/}" case
	n=$((n + 1))
done
cmp_ok "$n" -ge 100 "the corpus has at least 100 cases ($n)"
for c in "$CORPUS"/controls/*/; do
	[ -d "$c" ] && run_case "${c%/}" control
done

done_testing
