#!/bin/sh
# ruta blame: for each field of a record, who set it, when, in which
# changeset, and the values it overrode in conflicts (open and closed); the
# same document on every replica once they have synced; a version from
# before a replica's history (its snapshot) says so.
. "$(dirname "$0")/lib.sh"

setup_hub
ok ruta -C north sync
ok ruta -C south sync

# newest_changeset DIR: the hash of the last changeset DIR sealed itself
newest_changeset() {
	db "$1" "SELECT hash FROM ruta_changeset WHERE replica = (SELECT value FROM ruta_meta
		WHERE key = 'replica_id') ORDER BY seq DESC LIMIT 1"
}
# field DOC NAME KEY: a key of one field's entry in a blame document
field() {
	jsql "$1" "SELECT CASE json_type(f.value, '\$.$3') WHEN 'null' THEN 'null'
		ELSE json_extract(f.value, '\$.$3') END FROM j, json_each(j.doc, '\$.fields') f
		WHERE f.value->>'field' = '$2'"
}
# overrode DOC NAME: the values a field overrode as value/replica/open lines
overrode() {
	jsql "$1" "SELECT o.value->>'value' || '/' || coalesce(o.value->>'replica', 'null') || '/' ||
		CASE json_type(o.value, '\$.open') WHEN 'true' THEN 'open' ELSE 'closed' END
		FROM j, json_each(j.doc, '\$.fields') f, json_each(f.value, '\$.overridden') o
		WHERE f.value->>'field' = '$2'"
}

ok ruta -C north account add --name 'Acme S.L.' --city Madrid
ACME=$out
ok ruta -C north opp add --account "$ACME" --name Fleet --amount 12000.00 --currency EUR
FLEET=$out
ok ruta -C north sync
CS_ADD=$(newest_changeset north)
sync_all

# Two teams edit: one field each, one field both (city), one left open (amount).
ok ruta -C south account edit "$ACME" --phone '+34 911 234 567'
ok ruta -C north account edit "$ACME" --city Sevilla
ok ruta -C south account edit "$ACME" --city Bilbao
ok ruta -C north opp edit "$FLEET" --amount 15000.00
ok ruta -C south opp edit "$FLEET" --amount 11000.00
ok ruta -C north sync
run ruta -C south sync
CS_SOUTH=$(newest_changeset south)
sync_all
CITY=$(ruta -C hq conflicts list --json | jq -r '.conflicts[] | select(.field == "city") | .id')
isnt "$CITY" "" "the city is in conflict at head office"
ok ruta -C hq resolve "$CITY" --take Valencia
run ruta -C hq sync
CS_HQ=$(newest_changeset hq)
sync_all

# The same document everywhere.
ok ruta -C hq blame account "$ACME" --json
DOC=$out
for r in north south; do
	ok ruta -C $r blame account "$ACME" --json
	[ -n "$DOC" ] && [ "$out" = "$DOC" ]
	_report $? "$r prints head office's blame of the account, byte for byte"
	ok ruta -C $r blame opp "$FLEET" --json
	HQOPP=$(ruta -C hq blame opp "$FLEET" --json)
	[ -n "$HQOPP" ] && [ "$out" = "$HQOPP" ]
	_report $? "$r prints head office's blame of the opp, byte for byte"
done
is "$(jget "$DOC" .schema)" 1 "the document is schema 1"
is "$(jget "$DOC" .record)" "$ACME" "it names the record by its full id"
is "$(jget "$DOC" .type)" account "and its type"
case $DOC in *'"changeset":'*'"field":'*'"hlc":'*'"overridden":'*'"replica":'*'"value":'*)
	pass "keys are sorted" ;; *) fail "keys are sorted" ;; esac

# Who set what, where.
is "$(field "$DOC" name replica)" "$NORTH" "the name was set by north"
is "$(field "$DOC" name changeset)" "$CS_ADD" "in the changeset that added the account"
is "$(field "$DOC" name value)" "Acme S.L." "its value is shown"
is "$(field "$DOC" phone replica)" "$SOUTH" "the phone was set by south"
is "$(field "$DOC" phone changeset)" "$CS_SOUTH" "in south's changeset"
is "$(field "$DOC" city replica)" "$HQ" "the city was set by head office's resolution"
is "$(field "$DOC" city changeset)" "$CS_HQ" "in head office's changeset"
is "$(field "$DOC" city value)" "Valencia" "to the value head office took"
case $(field "$DOC" city at) in 20[0-9][0-9]-[0-1][0-9]-*T*Z+*) pass "and reads as a UTC time and counter" ;;
	*) fail "and reads as a UTC time and counter" ;; esac
is "$(overrode "$DOC" city | sort | tr '\n' ' ')" "Bilbao/$SOUTH/closed Sevilla/$NORTH/closed " \
	"the city lists both values it overrode in the closed conflict, with their makers"
is "$(jsql "$DOC" "SELECT json_array_length(f.value, '\$.overridden') FROM j,
	json_each(j.doc, '\$.fields') f WHERE f.value->>'field' = 'name'")" 0 \
	"a field never in conflict overrode nothing"

# An open conflict: the value shown and the other head.
ok ruta -C south blame opp "$FLEET" --json
OPP=$out
SHOWN=$(field "$OPP" amount_minor value)
case $SHOWN in 1500000) OTHER="1100000/$SOUTH/open" ;; 1100000) OTHER="1500000/$NORTH/open" ;;
	*) OTHER=none ;; esac
is "$(overrode "$OPP" amount_minor)" "$OTHER" "the amount lists the other head of its open conflict"

# For people.
ok ruta -C north blame account "${ACME%????????????????}"
expect_stdout "^account $ACME\$" "a shortened id names the whole record"
expect_stdout "^city +'Valencia'  set by $HQ at 20[0-9-]+T[0-9:.]+Z\\+[0-9]+ in changeset $(printf %.12s "$CS_HQ")\$" \
	"each field says its value, maker, time and changeset"
expect_stdout "^    overrode 'Sevilla'  set by $NORTH at 20.* \\(closed conflict\\)\$" \
	"and the values it overrode"
ok ruta -C hq blame opp "$FLEET"
expect_stdout "^    overrode '1[15]00000'  set by (north|south)-[^ ]+ at 20.* \\(open conflict\\)\$" \
	"an open conflict's other head is listed"

# Unknown records and bad calls.
run ruta -C hq blame account 01ZZZZZZZZZZZZZZZZZZZZZZZZ
is "$rc" 1 "an unknown record exits 1"
expect_stderr "^ruta: no account has the id '01ZZZZZZZZZZZZZZZZZZZZZZZZ'" "and names the id"
one_line_error 1
run ruta -C hq blame contact "$ACME"
is "$rc" 1 "an account's id is no contact"
expect_stderr "no contact has the id '$ACME'" "and says so"
run ruta -C hq blame planet "$ACME"
is "$rc" 1 "an unknown type exits 1"
expect_stderr "'planet' is not a record type" "and says which types there are"
run ruta -C hq blame account
is "$rc:$(printf '%s\n' "$err" | grep -c "give the record's type and id")" 2:1 \
	"no id is a usage error that says what to give"
ok ruta blame --help
expect_stdout "ruta blame account\\|contact\\|opp" "blame --help shows its usage"

# A replica started from head office's snapshot cannot tell who set what before it.
expect_exit 3 ruta -C hq snapshot publish
ok ruta init fresh --team fresh --root-key root.pub --hub "$PWD/hub.git"
ruta -C fresh keys export-pub > fresh.pub
ok ruta -C hq keys endorse fresh.pub --team fresh
expect_exit 3 ruta -C hq sync
expect_exit 3 ruta -C fresh pull
ok ruta -C fresh blame account "$ACME" --json
is "$(field "$out" name replica)/$(field "$out" name changeset)" "null/null" \
	"a version from before its history has no maker nor changeset"
is "$(field "$out" name value)" "Acme S.L." "but its value and time"
ok ruta -C fresh blame account "$ACME"
expect_stdout "^name +'Acme S.L.'  set by \\(before this replica's history\\) at 20" \
	"and says so for people"

done_testing
