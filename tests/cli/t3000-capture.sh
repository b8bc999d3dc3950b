#!/bin/sh
# Capture: every write, by ruta or by any program using plain SQLite on the
# file, lands in the change log with op, field, value, an HLC and its base.
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 c/ruta.db "$1"; }
# logq WHERE: "op|field|value|hlc|base" of the matching changes, by seq.
logq() {
	jsql "$(ruta -C c log --local --json)" "SELECT e.value->>'op', e.value->>'field',
		CASE json_type(e.value, '\$.value') WHEN 'null' THEN 'null' ELSE e.value->>'value' END,
		e.value->>'hlc', e.value->>'base' FROM j, json_each(j.doc) e WHERE $1
		ORDER BY e.value->>'seq'"
}
field() { printf '%s\n' "$1" | cut -d'|' -f"$2"; }
nlog() { jlen "$(ruta -C c log --local --json)"; }
ZERO=0000000000000000

ok ruta init c --team east
ok ruta -C c log --local --json
is "$out" "[]" "a new replica has an empty change log"

# ---- changes made with ruta ------------------------------------------------------
a=$(ruta -C c account add --name Acme)
ok ruta -C c status --json
is "$(jget "$out" .unexported)" 9 \
	"status right after an add counts its 9 changes (4 fields, 5 of its lifecycle history row)"
isnt "$(jget "$out" .last_hlc)" "$ZERO" "... and shows a non-zero last hlc (no log --local needed)"
is "$(sql "SELECT count(*) FROM ruta_change WHERE ver IS NULL")" 0 \
	"opening the replica stamped every captured change (ruta-status(1))"
ok ruta -C c log --local --json
log1=$out
is "$(jsql "$log1" "SELECT group_concat(e.value->>'op' || ':' || (e.value->>'field'), ' ')
	FROM j, json_each(j.doc) e WHERE e.value->>'table' = 'account'")" \
	'i:created_at i:name i:lifecycle i:team' "an added account logs each non-empty field as an insert"
is "$(jsql "$log1" "SELECT group_concat(e.value->>'op' || ':' || (e.value->>'field'), ' ')
	FROM j, json_each(j.doc) e WHERE e.value->>'table' = 'account_lifecycle_history'")" \
	'i:created_at i:account_id i:to_lifecycle i:at i:replica' \
	"... and its first lifecycle history row, after it"
is "$(jsql "$log1" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'record' = '$a'
	AND e.value->>'table' = 'account'")" 4 "... all for that account"
is "$(jsql "$log1" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'hlc' = '$ZERO'
	OR e.value->>'hlc' NOT GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'")" 0 \
	"every change has a non-zero 16-hex-digit hlc"
is "$(jsql "$log1" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'base' <> '$ZERO'")" 0 \
	"the fields of a new record have base 0"
is "$(jsql "$log1" "SELECT e.value->>'value' FROM j, json_each(j.doc) e WHERE e.value->>'field' = 'name'")" \
	Acme "the logged value is the field's value"
ok ruta -C c log --local --json
is "$out" "$log1" "reading the log twice gives the same log (stamping is not captured)"
ok ruta -C c status --json
is "$(jget "$out" .unexported)" 9 "status counts the 9 changes"
is "$(jget "$out" .last_hlc)" "$(jsql "$log1" "SELECT max(e.value->>'hlc') FROM j, json_each(j.doc) e")" \
	"status shows the last hlc"
ruta -C c account list >/dev/null 2>&1
ruta -C c account show "$a" >/dev/null 2>&1
is "$(nlog)" 9 "reading records logs nothing"
ok ruta -C c log --local
expect_stdout '^SEQ +HLC +TIME +OP +TABLE +RECORD +FIELD +VALUE +BASE$' "log --local prints a header"
expect_stdout "^1 +[0-9a-f]{16} +[0-9-]+T[0-9:.]+Z\+[0-9]+ +i +account +$a +created_at " \
	"log --local prints one row per change"

name_hlc=$(field "$(logq "e.value->>'field' = 'name'")" 4)

# ---- changes made with the sqlite3 tool ------------------------------------------------
sql "UPDATE account SET region = 'North' WHERE id = '$a'"
r1=$(logq "e.value->>'field' = 'region'")
is "$(field "$r1" 1-3)" 'u|region|North' "sqlite3 UPDATE: captured as u region North"
isnt "$(field "$r1" 4)" "$ZERO" "... with a non-zero hlc"
is "$(field "$r1" 5)" "$ZERO" "... and base 0 (the field was never set)"
h1=$(field "$r1" 4)

sql "UPDATE account SET region = 'South' WHERE id = '$a'"
r2=$(logq "e.value->>'field' = 'region'" | sed -n 2p)
is "$(field "$r2" 1-3)" 'u|region|South' "a second sqlite3 UPDATE is captured"
is "$(field "$r2" 5)" "$h1" "its base is the hlc of the first edit of the field"
cmp_ok "$(hlc_int "$(field "$r2" 4)")" -gt "$(hlc_int "$h1")" "its hlc is above its base"
h2=$(field "$r2" 4)
is "$(sql "SELECT printf('%016x', region__v) FROM account WHERE id = '$a'")" "$h2" \
	"the row's region__v holds the field's current version"

n=$(nlog)
sql "UPDATE account SET region = 'South' WHERE id = '$a'"
is "$(nlog)" "$n" "an UPDATE to the same value logs nothing"
sql "UPDATE account SET region = 'South', city = NULL WHERE id = '$a'"
is "$(nlog)" "$n" "an UPDATE of NULL to NULL logs nothing"

sql "UPDATE account SET name = 'ACME' WHERE id = '$a'"
rn=$(logq "e.value->>'field' = 'name' AND e.value->>'op' = 'u'")
is "$(field "$rn" 1-3)" 'u|name|ACME' "Acme -> ACME (a case-only change) is captured"
is "$(field "$rn" 5)" "$name_hlc" "its base is the hlc the name got when the account was added"

sql "UPDATE account SET employees = 12 WHERE id = '$a'"
is "$(jsql "$(ruta -C c log --local --json)" "SELECT json_type(e.value, '\$.value') FROM j,
	json_each(j.doc) e WHERE e.value->>'field' = 'employees'")" integer "an integer value stays an integer"
sql "UPDATE account SET region = NULL WHERE id = '$a'"
r3=$(logq "e.value->>'field' = 'region'" | sed -n 3p)
is "$(field "$r3" 1-3)" 'u|region|null' "setting a field to NULL is captured with value null"
is "$(field "$r3" 5)" "$h2" "... based on the previous version"

# An INSERT gets its id from the column DEFAULT: a ULID, as ruta makes them.
sql "INSERT INTO account(name) VALUES ('Bare')"
bare=$(sql "SELECT id FROM account WHERE name = 'Bare'")
case $bare in
[0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z]????????????????)
	pass "an INSERT without id gets a ULID from the DEFAULT" ;;
*) fail "an INSERT without id gets a ULID from the DEFAULT"; diag "id: $bare" ;;
esac
is "${#bare}" 26 "the ULID has 26 characters"
is "$(logq "e.value->>'record' = '$bare'" | cut -d'|' -f1-3 | tr '\n' ' ')" \
	"i|created_at|$(sql "SELECT created_at FROM account WHERE id = '$bare'") i|name|Bare i|lifecycle|lead " \
	"sqlite3 INSERT: each non-empty field is captured, defaults included"
ok ruta -C c account show "$bare" --json
is "$(jget "$out" .name) $(jget "$out" .lifecycle)" 'Bare lead' "ruta reads the row a foreign program inserted"

# A DELETE becomes a tombstone.
sql "DELETE FROM account WHERE id = '$bare'"
is "$(sql "SELECT count(*) FROM account WHERE id = '$bare'")" 1 "sqlite3 DELETE: the row stays"
del=$(sql "SELECT deleted_at FROM account WHERE id = '$bare'")
isnt "$del" "" "... with deleted_at set"
is "$(logq "e.value->>'record' = '$bare' AND e.value->>'op' = 'd'" | cut -d'|' -f1-3)" \
	"d|deleted_at|$del" "the DELETE is logged as op d of deleted_at"
ok ruta -C c account list --json
is "$(jsql "$out" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'id' = '$bare'")" 0 \
	"the deleted account is not listed"
n=$(nlog)
sql "DELETE FROM account WHERE id = '$bare'"
is "$(nlog)" "$n" "deleting a tombstone again logs nothing"

# ruta's own edit continues the same chain of versions.
ok ruta -C c account edit "$a" --region East
r4=$(logq "e.value->>'field' = 'region'" | sed -n 4p)
is "$(field "$r4" 1-3)" 'u|region|East' "ruta edit: u region East"
is "$(field "$r4" 5)" "$(field "$r3" 4)" "its base is the hlc of the sqlite3 edit before it"
ok ruta -C c account rm "$a"
is "$(logq "e.value->>'record' = '$a' AND e.value->>'op' = 'd'" | cut -d'|' -f1,2)" 'd|deleted_at' \
	"ruta rm is logged as op d"

# Domain rules hold for plain SQL too, and are captured.
o=$(ruta -C c opp add --account "$bare" --name X 2>/dev/null)
is "$o" "" "no opportunity on a deleted account"
b=$(ruta -C c account add --name Live)
o=$(ruta -C c opp add --account "$b" --name Deal)
sql "UPDATE opportunity SET stage = 'needs' WHERE id = '$o'"
is "$(sql "SELECT from_stage || '>' || to_stage FROM opportunity_stage_history
	WHERE opportunity_id = '$o' ORDER BY rowid DESC LIMIT 1")" 'qualification>needs' \
	"a stage set with sqlite3 gets its stage history row"
is "$(sql "SELECT probability FROM opportunity WHERE id = '$o'")" 25 "... and the stage's probability"
is "$(logq "e.value->>'record' = '$o' AND e.value->>'op' = 'u' AND e.value->>'field' IN ('stage', 'probability')" |
	cut -d'|' -f2,3 | tr '\n' ' ')" 'probability|10 stage|needs probability|25 ' \
	"the stage and the probability it implies are captured"

# What SQL may not do: refused by the schema, nothing logged.
ruta -C c log --local >/dev/null 2>&1
before=$(db_hash c)
for stmt in "UPDATE account SET lifecycle = 'vip' WHERE id = '$b'" \
		"UPDATE account SET id = 'X' WHERE id = '$b'" \
		"UPDATE opportunity SET stage = 'lost' WHERE id = '$o'" \
		"UPDATE opportunity SET stage = 'nowhere' WHERE id = '$o'" \
		"UPDATE opportunity_stage_history SET to_stage = 'won'" \
		"DELETE FROM opportunity_stage_history" \
		"INSERT INTO account(name, phone) VALUES ('P', '612 345 678')"; do
	sql "$stmt" 2>/dev/null
	isnt $? 0 "sqlite3 refuses: $stmt"
done
is "$(db_hash c)" "$before" "refused SQL leaves the database as it was"

# ---- the whole log: ordered by seq, hlc strictly increasing --------------------------
ok ruta -C c log --local --json
all=$out
is "$(jsql "$all" "SELECT count(*) FROM (SELECT e.value->>'seq' AS s,
	lag(e.value->>'seq') OVER (ORDER BY e.key) AS p FROM j, json_each(j.doc) e) WHERE p IS NOT NULL AND s <> p + 1")" 0 \
	"log --local lists changes in seq order, without gaps"
is "$(jsql "$all" "SELECT count(*) FROM (SELECT e.value->>'hlc' AS h,
	lag(e.value->>'hlc') OVER (ORDER BY e.value->>'seq') AS p FROM j, json_each(j.doc) e) WHERE p IS NOT NULL AND h <= p")" 0 \
	"hlc strictly increases along seq"
is "$(jget "$(ruta -C c status --json)" .unexported)" "$(jlen "$all")" "status counts every logged change"

done_testing
