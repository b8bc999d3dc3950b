#!/bin/sh
# make.sh - regenerates the bad-input corpus: fixtures/, cases/ and controls/.
#
#   sh tests/data/corpus/make.sh            (RUTA=path/to/ruta to pick a binary)
#
# Builds a small world with the real ruta - head office hq, teams north,
# south, east (revoked after its changeset 1), nomad (endorsed for 2020
# only), west (never endorsed) and rogue (another head office, whose root
# key head office never pinned) - exchanges some data, saves the receiving
# replicas as SQL dumps, then lets cases.py write every hostile input
# (byte surgery in python3, valid signatures made by stock ssh-keygen).
#
# Needs: ruta, sqlite3, ssh-keygen, python3, gzip. Only sh, sqlite3 and gzip
# are needed to run the corpus (tests/cli/t4100-corpus.sh).
# Every run makes new replica ids and new keys: commit what it writes as a whole.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
RUTA=${RUTA:-$here/../../../build/ruta}
case $RUTA in /*) ;; *) RUTA=$PWD/$RUTA ;; esac
[ -x "$RUTA" ] || { echo "make.sh: no ruta binary at $RUTA (make all)" >&2; exit 1; }
for tool in sqlite3 ssh-keygen python3 gzip; do
	command -v "$tool" >/dev/null || { echo "make.sh: needs $tool" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ruta-corpus.XXXXXX")
trap '[ -n "${KEEP:-}" ] && echo "make.sh: kept $work" >&2 || rm -rf "$work"' EXIT
cd "$work"
TZ=UTC LC_ALL=C
export TZ LC_ALL
unset RUTA_DIR

r() { "$RUTA" "$@"; }
quiet() { _out=$("$@" 2>&1) || { printf 'make.sh: failed: %s\n%s\n' "$*" "$_out" >&2; exit 1; }; }
idof() { sed -n 's/.*"id":"\([^"]*\)".*/\1/p'; }

# ---- the world -----------------------------------------------------------------
quiet r init hq --head-office --country ES
r -C hq keys export-pub --root >root.pub
for t in north south east west nomad; do
	quiet r init "$t" --team "$t" --root-key root.pub --country ES
	r -C "$t" keys export-pub >"$t.pub"
done
quiet r init rogue --head-office --country ES          # someone else's head office

quiet r -C hq keys endorse north.pub --team north                               # trust v2
quiet r -C hq keys endorse south.pub --team south                               # v3
quiet r -C hq keys endorse east.pub --team east                                 # v4
quiet r -C hq keys endorse nomad.pub --team nomad --valid-after 2020-01-01T00:00:00Z \
	--valid-before 2021-01-01T00:00:00Z                                         # v5
mkdir -p out/t5 out/s1 out/s2 out/s3 out/s4 out/e1 out/e2 out/w1 out/hq out/n1
quiet r -C hq export --out out/t5
for t in north south east west nomad; do quiet r -C "$t" apply out/t5; done

# south: four changesets
acme=$(r -C south account add --name "Acme Iberia SL" --region Madrid --employees 12 --json | idof)
quiet r -C south export --out out/s1
quiet r -C south account edit "$acme" --region Toledo
quiet r -C south contact add --first-name Ana --last-name Ruiz --email ana@acme.example --account "$acme"
quiet r -C south export --out out/s2
quiet r -C south account edit "$acme" --employees 40
quiet r -C south export --out out/s3
quiet r -C south account edit "$acme" --sector retail
quiet r -C south export --out out/s4

# east: two changesets; head office revokes east after the first
quiet r -C east account add --name "Levante Foods" --region Valencia
quiet r -C east export --out out/e1
quiet r -C east account add --name "Levante Foods 2" --region Alicante
quiet r -C east export --out out/e2
# west: never endorsed
quiet r -C west account add --name "Galicia Pesca" --region Vigo
quiet r -C west export --out out/w1

quiet r -C hq apply out/s1
quiet r -C hq apply out/e1
quiet r -C hq keys revoke east                                                  # v6
quiet r -C hq account add --name "Head office key account" --region Madrid
quiet r -C hq export --out out/hq                                               # trust v6 + hq 1

# north: trust v6, south 1, east 1, hq 1, then its own changeset 1
mkdir -p out/north-in
cp out/hq/* out/s1/*.json out/s1/*.json.sig out/e1/*.json out/e1/*.json.sig out/north-in/
quiet r -C north apply out/north-in
quiet r -C north account add --name "Norte Agro" --region Bilbao
quiet r -C north export --out out/n1

# ---- fixtures -------------------------------------------------------------------
rm -rf "$here/fixtures" "$here/cases" "$here/controls"
mkdir -p "$here/fixtures"
dump() {
	sqlite3 "$1/ruta.db" .dump
	echo "PRAGMA user_version = $(sqlite3 "$1/ruta.db" 'PRAGMA user_version');"
	echo "PRAGMA journal_mode = WAL;"
}
for t in hq north; do
	dump "$t" >"$here/fixtures/$t.sql"
	r -C "$t" state-hash >"$here/fixtures/$t.state"
done
for t in hq north south east west nomad rogue; do
	mkdir -p "$here/fixtures/$t/keys"
	cp "$t"/keys/* "$here/fixtures/$t/keys/"
	chmod 600 "$here/fixtures/$t"/keys/*.key
done

python3 "$here/cases.py" "$work" "$here"
echo "make.sh: wrote $(ls "$here/cases" | wc -l) cases to $here/cases"
