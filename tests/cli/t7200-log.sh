#!/bin/sh
# ruta log: the changesets a replica holds, newest first, each with its
# signature re-checked against the trust file in force and a summary; the
# filters --record, --replica and --since, alone and together; the same
# document on every replica once they have synced; statuses that change
# with the trust file (a revoked replica, a key not endorsed yet).
. "$(dirname "$0")/lib.sh"

setup_hub
ok ruta -C north sync
ok ruta -C south sync

# A replica with no changeset lists nothing.
ok ruta -C north log
is "$out" "" "no changeset yet: nothing listed"
ok ruta -C north log --json
is "$out" '{"changesets":[],"record":null,"schema":1}' "and an empty list as JSON"

# ids DIR [OPTIONS]: the changesets `log --json` lists, as replica#seq
ids() {
	_d=$1; shift
	ruta -C "$_d" log --json "$@" | jq -r '[.changesets[] | .replica + "#" + (.seq | tostring)] | join(" ")'
}
# hash DIR REPLICA SEQ, hlc_max DIR REPLICA SEQ: as stored
hash() { db "$1" "SELECT hash FROM ruta_changeset WHERE replica = '$2' AND seq = $3"; }
hlc_max() { printf '%016x' "$(db "$1" "SELECT hlc_max FROM ruta_changeset WHERE replica = '$2' AND seq = $3")"; }

# North adds Acme and Ana; south adds Beta; south changes Acme's phone;
# head office makes Acme a client. One changeset each, in that order.
ok ruta -C north account add --name 'Acme S.L.' --city Madrid
ACME=$out
ok ruta -C north contact add --account "$ACME" --first-name Ana --last-name 'Pérez' --email ana@acme.es
ANA=$out
ok ruta -C north sync
ok ruta -C south account add --name 'Beta S.A.'
BETA=$out
ok ruta -C south sync
sync_all
ok ruta -C south account edit "$ACME" --phone '+34 911 234 567'
ok ruta -C south sync
ok ruta -C hq account edit "$ACME" --lifecycle client
ok ruta -C hq sync
sync_all
ALL="$HQ#1 $SOUTH#2 $SOUTH#1 $NORTH#1"

is "$(ids hq)" "$ALL" "head office lists every changeset, newest first"
ok ruta -C hq log --json
DOC=$out
jq -e '.schema == 1 and (.changesets | length) == 4' >/dev/null 2>&1 <<EOF
$DOC
EOF
_report $? "log --json is one JSON object, schema 1, with the four changesets"
for r in north south; do
	ok ruta -C $r log --json
	[ -n "$DOC" ] && [ "$out" = "$DOC" ]
	_report $? "$r prints head office's log, byte for byte"
done
is "$(printf '%s' "$DOC" | jq -r '[.changesets[].signature] | unique | join(" ")')" good \
	"every accepted changeset's signature is good"
is "$(printf '%s' "$DOC" | jq -r '.changesets[3].hash')" "$(hash hq "$NORTH" 1)" \
	"an entry's hash is the changeset's SHA-256"
is "$(printf '%s' "$DOC" | jq -r '.changesets[3].key')" \
	"$(db hq "SELECT fingerprint FROM ruta_key WHERE principal = '$NORTH'")" \
	"its key is the fingerprint the trust file gives north"
is "$(printf '%s' "$DOC" | jq -r '.changesets[3] | .principal + " " + .team')" "$NORTH north" \
	"and it belongs to north, team north"
is "$(printf '%s' "$DOC" | jq -r '.changesets[2].hlc_max')" "$(hlc_max hq "$SOUTH" 1)" \
	"hlc_max is the stored one, as 16 hex digits"
is "$(printf '%s' "$DOC" | jq -r '.changesets[3].summary.counts | to_entries |
	map(.key + ":" + (.value.created | tostring)) | join(" ")')" \
	"account:1 account_lifecycle_history:1 contact:1 contact_email:1" \
	"north's changeset created an account (and its first lifecycle row), a contact and an email"
is "$(printf '%s' "$DOC" | jq -r '.changesets[0].summary.records[0] |
	.table + " " + .label + " " + .op + " " + (.fields | join(","))')" \
	"account Acme S.L. changed lifecycle" "head office's changed Acme's lifecycle"

# For people.
ok ruta -C hq log
expect_stdout "^changeset $(hash hq "$HQ" 1 | cut -c1-12)  $HQ  seq 1\$" "the hash is shortened to 12 digits"
expect_stdout "^signature good\$" "the signature status is shown"
expect_stdout "^key       SHA256:[^ ]+  $NORTH \\(team north\\)\$" "with the key's replica and team"
# (a range: the lifecycle change and the history row it appends)
expect_stdout "^time      20[0-9-]+T[0-9:.]+Z\\+[0-9]+( \\.\\. [^ ]+)?  hlc ([0-9a-f]{16}\\.\\.)?$(hlc_max hq "$HQ" 1)\$" \
	"and its time and version"
expect_stdout '^    account "Acme S\.L\.": lifecycle$' "a change names the record and its fields"
expect_stdout '^    contact "Ana Pérez" created$' "a new record is named and said new"
is "$(printf '%s\n' "$out" | grep '^changeset' | awk '{print $3 "#" $5}' | tr '\n' ' ')" "$ALL " \
	"in the same order"

# --record: an id or a prefix; the record's own rows count.
is "$(ids hq --record "$(printf %.12s "$ACME")")" "$HQ#1 $SOUTH#2 $NORTH#1" \
	"--record with a prefix lists the changesets that changed Acme"
is "$(ids hq --record "$ANA")" "$NORTH#1" "--record of Ana lists north's only"
is "$(ids hq --record "$BETA")" "$SOUTH#1" "--record of Beta lists south's first only"
ok ruta -C hq contact edit "$ANA" --remove-email ana@acme.es
ok ruta -C hq sync
is "$(ids hq --record "$ANA")" "$HQ#2 $NORTH#1" "dropping Ana's email touches Ana"
run ruta -C hq log --record 01ZZZZZZZZZZZZ
is "$rc:$out" "0:" "an id no record has: nothing listed, exit 0"
expect_stderr "^ruta: note: no record on this replica has the id '01ZZZZZZZZZZZZ'" "and a note says so"
ALL="$HQ#2 $ALL"
BEFORE=$(db_hash hq)

# --replica: an id, or its name.
is "$(ids hq --replica south)" "$SOUTH#2 $SOUTH#1" "--replica south lists south's changesets"
is "$(ids hq --replica "$SOUTH")" "$SOUTH#2 $SOUTH#1" "--replica with the full id too"
is "$(ids hq --replica sout)" "" "a name is whole, not a prefix"
run ruta -C hq log --replica west
is "$rc:$out:$err" "0::" "a replica with no changeset: nothing, exit 0"

# --since: at or after, by version or time.
S2=$(hlc_max hq "$SOUTH" 2)
is "$(ids hq --since "$S2")" "$HQ#2 $HQ#1 $SOUTH#2" "--since an hlc_max includes that changeset"
is "$(ids hq --since "$(printf '%016x' $(( $(hlc_int "$S2") + 1 )))")" "$HQ#2 $HQ#1" \
	"and one version later excludes it"
TODAY=$(printf '%s' "$DOC" | jq -r '.changesets[3].time_min' | cut -c1-10)
is "$(ids hq --since "$TODAY")" "$ALL" "--since today's date lists everything"
is "$(ids hq --since 2000-01-01T00:00:00Z)" "$ALL" "--since a time long ago too"
is "$(ids hq --since 9999-12-31)" "" "--since a day far ahead lists nothing"

# Filters together.
is "$(ids hq --replica south --record "$ACME")" "$SOUTH#2" "--replica and --record together"
is "$(ids hq --record "$ACME" --since "$S2")" "$HQ#1 $SOUTH#2" "--record and --since together"
is "$(ids hq --replica north --since "$S2")" "" "--replica and --since: none of north's is that recent"
is "$(db_hash hq)" "$BEFORE" "listing changed nothing in the replica"

# Bad values: exit 2, the option named with the form it takes.
refused hq 2 "^ruta: --since: '2026-13-01' is not a date \\(YYYY-MM-DD\\), a UTC time \\(YYYY-MM-DDTHH:MM:SSZ\\) or an hlc \\(16 hex digits\\)" \
	ruta -C hq log --since 2026-13-01
refused hq 2 "^ruta: --since: 'yesterday' is not a date" ruta -C hq log --since yesterday
refused hq 2 "^ruta: --since: '2026-11-22 10:00' is not" ruta -C hq log --since '2026-11-22 10:00'
refused hq 2 "^ruta: --replica: 'a/b' is not a replica id or name" ruta -C hq log --replica a/b
refused hq 2 "^ruta: --record: 'x y' is not a record id" ruta -C hq log --record 'x y'
refused hq 2 "^ruta: '--since' needs a value" ruta -C hq log --since
refused hq 2 "^ruta: --local lists the changes not exported yet; it takes no --record, --replica or --since" \
	ruta -C hq log --local --replica north
refused hq 2 "^ruta: unknown option '--author'" ruta -C hq log --author north

# --local is as it was.
ok ruta -C north account edit "$ACME" --region Norte
ok ruta -C north log --local --json
is "$(printf '%s' "$out" | jq -r '.[] | select(.field == "region") | .value')" Norte \
	"--local still lists the captured change"

# Trust changes, statuses change. North's next changeset reaches south;
# head office, which never applied it, revokes north.
ok ruta -C north sync
N2=$(hash north "$NORTH" 2)
ok ruta -C south sync
is "$(ruta -C south log --json --replica north | jq -r '[.changesets[].signature] | join(" ")')" \
	"good good" "south accepted north's second changeset"
ok ruta -C hq keys revoke north
expect_exit 4 ruta -C hq sync
ok ruta -C south sync
ok ruta -C south log --json --replica north
is "$(printf '%s' "$out" | jq -r '[.changesets[] | .hash[0:12] + ":" + .signature] | join(" ")')" \
	"$(printf %.12s "$N2"):revoked $(printf %.12s "$(hash south "$NORTH" 1)"):good" \
	"after the revocation south holds north's second changeset, now revoked, and its first, good"
is "$(printf '%s' "$out" | jq -r '.changesets[0].reason')" \
	"replica $NORTH was revoked after its changeset 1; changeset 2 is refused" \
	"the reason is what a replica receiving it now would say"
ok ruta -C south log --replica north
expect_stdout "^signature revoked: replica $NORTH was revoked after its changeset 1" \
	"the text view says revoked and why"
is "$(ids hq --replica north)" "$NORTH#1" "head office never took the revoked one in"
ok ruta -C north sync
is "$(ruta -C north log --json --replica north | jq -r '[.changesets[].signature] | join(" ")')" \
	"revoked good" "north itself sees its own second changeset revoked"

# A team's own changesets before head office endorses its key.
ok ruta init west --team west --root-key root.pub --hub "$PWD/hub.git"
ok ruta -C west account add --name 'Gamma S.L.'
mkdir out
ok ruta -C west export --out out
ok ruta -C west log --json
is "$(printf '%s' "$out" | jq -r '.changesets[0] | .signature + " " + (.principal | tostring)')" \
	"unknown-key null" "its own changeset, by a key no trust file endorses yet, is unknown-key"
ok ruta -C west log
expect_stdout '^key       SHA256:[^ ]+  unknown$' "the text view says the key's owner is unknown"
ruta -C west keys export-pub > west.pub
ok ruta -C hq keys endorse west.pub --team west
ok ruta -C hq sync
run ruta -C west sync
is "$(ruta -C west log --json --replica west | jq -r '.changesets[0].signature')" good \
	"once the trust file endorsing it arrives, the same changeset is good"

# Help.
ok ruta log --help
expect_stdout '^usage: ruta log \[--record ID\] \[--replica R\] \[--since T\] \[--json\]' \
	"log --help shows the usage"
expect_stdout '^examples:' "and examples"
ok ruta help log
expect_stdout '^usage: ruta log' "ruta help log too"

done_testing
