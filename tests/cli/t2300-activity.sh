#!/bin/sh
# ruta activity: planned calls, meetings and visits; held, not held, cancelled.
. "$(dirname "$0")/lib.sh"
setup_replicas

acc=$(ruta -C r account add --name Acme)
opp=$(ruta -C r opp add --account "$acc" --name Deal)

# ---- add ---------------------------------------------------------------------
ok ruta -C r activity add --kind visit --account "$acc" --opp "$opp" \
	--start 2026-11-23T10:00 --end 2026-11-23T11:00 --subject 'demo of the new range' --json
v=$(jget "$out" .id)
is "$(jget "$out" .kind)" visit "kind visit"
is "$(jget "$out" .status)" planned "a new activity is planned"
is "$(jget "$out" .planned_start)" 2026-11-23T10:00:00Z "--start is stored as ISO-8601 UTC"
is "$(jget "$out" .planned_end)" 2026-11-23T11:00:00Z "--end is stored as ISO-8601 UTC"
is "$(jget "$out" .account_id)" "$acc" "the account is linked"
is "$(jget "$out" .opportunity_id)" "$opp" "the opportunity is linked"
is "$(jget "$out" .held_start)" null "nothing is held yet"
is "$(db r "SELECT status || ' ' || planned_start FROM activity WHERE id='$v'")" \
	'planned 2026-11-23T10:00:00Z' "the row is in the database"

ok ruta -C r activity add --kind call --start 2026-11-23T10:00+02:00 --json
is "$(jget "$out" .planned_start)" 2026-11-23T08:00:00Z "a time with an offset is converted to UTC"
ok ruta -C r activity add --kind meeting --start '2026-11-23T10:00:30Z' --json
is "$(jget "$out" .planned_start)" 2026-11-23T10:00:30Z "seconds and Z are kept"

# ---- held: defaults to the planned times ---------------------------------------
ok ruta -C r activity held "$v" --json
is "$(jget "$out" .status)" held "held: status held"
is "$(jget "$out" .held_start)" 2026-11-23T10:00:00Z "held without times takes the planned start"
is "$(jget "$out" .held_end)" 2026-11-23T11:00:00Z "... and the planned end"
refused r 1 "activity $v is held already" ruta -C r activity held "$v"
refused r 1 "activity $v is held already" ruta -C r activity cancel "$v"
refused r 1 "activity $v is held already" ruta -C r activity not-held "$v" --reason late

ok ruta -C r activity add --kind visit --start 2026-11-24T09:00 --end 2026-11-24T10:00
v2=$out
ok ruta -C r activity held "$v2" --start 2026-11-24T09:20 --end 2026-11-24T10:40 --json
is "$(jget "$out" .held_start) $(jget "$out" .held_end)" \
	'2026-11-24T09:20:00Z 2026-11-24T10:40:00Z' "held --start --end records the real times"
is "$(jget "$out" .planned_start)" 2026-11-24T09:00:00Z "the planned start stays"

ok ruta -C r activity add --kind call
v3=$out
ok ruta -C r activity held "$v3" --json
isnt "$(jget "$out" .held_start)" null "held with no plan and no times: held now"

# ---- not held, cancelled ----------------------------------------------------------
ok ruta -C r activity add --kind visit --start 2026-11-25T09:00
nh=$out
refused r 2 "say why it was not held: --reason" ruta -C r activity not-held "$nh"
refused r 2 "say why it was not held: --reason" ruta -C r activity not-held "$nh" --reason ''
ok ruta -C r activity not-held "$nh" --reason 'client absent' --json
is "$(jget "$out" .status)" not_held "not-held: status not_held"
is "$(jget "$out" .not_held_reason)" 'client absent' "not-held: the reason"
refused r 1 "activity $nh is not_held already" ruta -C r activity held "$nh"

ok ruta -C r activity add --kind meeting --start 2026-11-26T09:00
cx=$out
ok ruta -C r activity cancel "$cx" --json
is "$(jget "$out" .status)" cancelled "cancel: status cancelled"
refused r 1 "activity $cx is cancelled already" ruta -C r activity cancel "$cx"
refused r 1 "activity $cx is cancelled already" ruta -C r activity held "$cx"

ok ruta -C r activity list --status planned --json
is "$(jsql "$out" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'status' <> 'planned'")" 0 \
	"activity list --status planned shows only planned ones"
is "$(jlen "$out")" 2 "two activities are still planned"
ok ruta -C r activity list --opp "$opp" --json
is "$(jsql "$out" "SELECT group_concat(e.value->>'id') FROM j, json_each(j.doc) e")" "$v" \
	"activity list --opp"

# ---- refusals: nothing written ----------------------------------------------------
ok ruta -C r activity add --kind visit --start 2026-11-27T09:00 --end 2026-11-27T10:00
p=$out
refused r 1 "kind.*'party'" ruta -C r activity add --kind party
refused r 1 "kind" ruta -C r activity add --subject 'no kind'
refused r 1 "start.*'2026-02-30T10:00'" ruta -C r activity add --kind call --start 2026-02-30T10:00
refused r 1 "start.*'2026-11-23T25:00'" ruta -C r activity add --kind call --start 2026-11-23T25:00
refused r 1 "start.*'yesterday'" ruta -C r activity add --kind call --start yesterday
refused r 1 "end.*'2026-11-23T10:00:99'" ruta -C r activity edit "$p" --end 2026-11-23T10:00:99
refused r 1 "start.*'2026-11-23T10'" ruta -C r activity held "$p" --start 2026-11-23T10
refused r 1 "end 2026-11-27T09:05:00Z is before its start 2026-11-27T09:30:00Z" \
	ruta -C r activity held "$p" --start 2026-11-27T09:30 --end 2026-11-27T09:05
refused r 1 "status changes only with 'ruta activity held" ruta -C r activity edit "$p" --status held
refused r 1 "held_start changes only with 'ruta activity held'" \
	ruta -C r activity edit "$p" --held-start 2026-11-27T09:00
refused r 1 "no opportunity has the id 'ZZZZZ'" ruta -C r activity add --kind call --opp ZZZZZ
refused r 2 "activity has no field 'frist_name'" ruta -C r activity add --kind call --frist-name X
refused r 2 "unknown option '--frobnicate'" ruta -C r activity held "$p" --frobnicate x
refused r 1 "no activity has the id 'ZZZZZZ'" ruta -C r activity held ZZZZZZ
# An end before the start makes no sense, planned or held.
refused r 1 "end.*before.*start" \
	ruta -C r activity add --kind visit --start 2026-11-23T11:00 --end 2026-11-23T10:00
ok ruta -C r activity add --kind call
np=$out
refused r 1 "end.*before.*start" ruta -C r activity held "$np" --end 2000-01-01T10:00

gone=$(ruta -C r opp add --account "$acc" --name Gone)
ok ruta -C r opp rm "$gone"
refused r 1 "opportunity $gone was deleted" ruta -C r activity add --kind call --opp "$gone"
ok ruta -C r activity rm "$p"
refused r 1 "activity $p was deleted" ruta -C r activity held "$p"

done_testing
