#!/bin/sh
# The hybrid logical clock: versions only grow on a replica, whatever the
# wall clock does (faketime sets it years back and years ahead).
. "$(dirname "$0")/lib.sh"
command -v faketime >/dev/null 2>&1 || skip_all "faketime is not installed"

sql() { sqlite3 c/ruta.db "$1"; }
sql_at() { faketime "$1" sqlite3 c/ruta.db "$2"; }
# region_changes: "hlc|base|value" of each region change of account $a, by seq.
region_changes() {
	jsql "$(ruta -C c log --local --json)" "SELECT e.value->>'hlc', e.value->>'base', e.value->>'value'
		FROM j, json_each(j.doc) e WHERE e.value->>'field' = 'region' AND e.value->>'record' = '$a'
		ORDER BY e.value->>'seq'"
}
nth() { region_changes | sed -n "$1p" | cut -d'|' -f"$2"; }
ms() { echo $(($(hlc_int "$1") >> 16)); }   # the wall-clock part, in ms
now_ms=$(($(date +%s) * 1000))
ms_2030=1893456000000                          # 2030-01-01T00:00:00Z

ok ruta init c --team east
a=$(ruta -C c account add --name Acme)

# The faketime tool works here (else the rest proves nothing).
is "$(faketime '2020-01-01 00:00:00' date -u +%Y)" 2020 "faketime sets the clock back"

# ---- real time, then a clock years back ------------------------------------------------
ok ruta -C c account edit "$a" --region Now
h1=$(nth 1 1)
cmp_ok "$(ms "$h1")" -ge "$((now_ms - 86400000))" "an edit at the real time has the real time in its hlc"
cmp_ok "$(ms "$h1")" -le "$((now_ms + 86400000))" "... not far in the future either"

sql_at '2020-01-01 00:00:00' "UPDATE account SET region = 'Past' WHERE id = '$a'"
h2=$(nth 2 1)
is "$(nth 2 3)" Past "an edit made with the clock in 2020 is captured"
cmp_ok "$(sql "SELECT t FROM ruta_change WHERE val = 'Past'")" -lt 1609459200000 \
	"the capture trigger saw the 2020 clock (so the test really went back)"
cmp_ok "$(hlc_int "$h2")" -gt "$(hlc_int "$h1")" "its hlc is still above the earlier one"
cmp_ok "$(ms "$h2")" -ge "$(ms "$h1")" "the hlc did not go back to 2020"
is "$(nth 2 2)" "$h1" "its base is the earlier edit"

ok ruta_at '2020-01-01 00:00:00' -C c account edit "$a" --region 'Past again'
h3=$(nth 3 1)
cmp_ok "$(hlc_int "$h3")" -gt "$(hlc_int "$h2")" "ruta run with the clock in 2020 still moves the hlc up"
is "$(nth 3 2)" "$h2" "... based on the version it overwrote"

# ---- a clock years ahead, then the real time -----------------------------------------
ok ruta_at '2030-01-01 00:00:00' -C c account edit "$a" --region Future
h4=$(nth 4 1)
cmp_ok "$(ms "$h4")" -ge "$ms_2030" "an edit with the clock in 2030 carries 2030 in its hlc"
ok ruta -C c account edit "$a" --region 'Back to now'
h5=$(nth 5 1)
cmp_ok "$(hlc_int "$h5")" -gt "$(hlc_int "$h4")" "the next edit at the real time stays above it"
is "$(nth 5 2)" "$h4" "... and overwrites it (base)"
sql "UPDATE account SET region = 'SQL now' WHERE id = '$a'"
h6=$(nth 6 1)
cmp_ok "$(hlc_int "$h6")" -gt "$(hlc_int "$h5")" "an sqlite3 edit at the real time stays above it too"

# A different field, edited with the clock far back, is still newer than all.
sql_at '2001-01-01 00:00:00' "UPDATE account SET city = 'Old town' WHERE id = '$a'"
ok ruta -C c log --local --json
hc=$(jsql "$out" "SELECT e.value->>'hlc' FROM j, json_each(j.doc) e WHERE e.value->>'field' = 'city'")
cmp_ok "$(hlc_int "$hc")" -gt "$(hlc_int "$h6")" "a 2001 edit of another field gets a later hlc than every earlier change"

# ---- the whole log ------------------------------------------------------------------
ok ruta -C c log --local --json
log=$out
is "$(jsql "$log" "SELECT count(*) FROM (SELECT e.value->>'seq' AS s, lag(e.value->>'seq')
	OVER (ORDER BY e.key) AS p FROM j, json_each(j.doc) e) WHERE p IS NOT NULL AND s <= p")" 0 \
	"log --local is ordered by seq"
# The rows stamping adds for the rest of the city's address block share the
# city's version (docs/merge.md §2.15): every other row has one of its own.
own="e.value->>'field' NOT IN ('street', 'postal_code', 'country')"
is "$(jsql "$log" "SELECT count(*) FROM (SELECT e.value->>'hlc' AS h, lag(e.value->>'hlc')
	OVER (ORDER BY e.value->>'seq') AS p FROM j, json_each(j.doc) e WHERE $own) WHERE p IS NOT NULL AND h <= p")" 0 \
	"hlc strictly increases along seq, through every clock jump"
is "$(jget "$(ruta -C c status --json)" .last_hlc)" \
	"$(jsql "$log" "SELECT e.value->>'hlc' FROM j, json_each(j.doc) e ORDER BY e.value->>'seq' DESC LIMIT 1")" \
	"status shows the last hlc issued"

# Many changes in one millisecond: one statement, distinct increasing versions.
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
	INSERT INTO account(name) SELECT 'Bulk ' || i FROM n"
ok ruta -C c log --local --json
is "$(jsql "$out" "SELECT count(DISTINCT e.value->>'hlc') = count(*) FROM j, json_each(j.doc) e WHERE $own")" 1 \
	"50 rows inserted in one statement get distinct versions"

done_testing
