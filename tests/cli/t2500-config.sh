#!/bin/sh
# ruta stage and lost-reason: the defaults; head office may change them, teams not.
. "$(dirname "$0")/lib.sh"
setup_replicas

# ---- the defaults every replica starts with ------------------------------------
for dir in hq r; do
	ok ruta -C $dir stage list --json
	is "$(jsql "$out" "SELECT group_concat(e.value->>'id' || ':' || (e.value->>'probability') || ':'
		|| (e.value->>'is_closed') || (e.value->>'is_won'), ' ') FROM j, json_each(j.doc) e")" \
		'qualification:10:00 needs:25:00 offer_sent:50:00 negotiation:75:00 won:100:11 lost:0:10' \
		"$dir: default stages in pipeline order, with probability, closed and won"
	ok ruta -C $dir lost-reason list --json
	is "$(jsql "$out" "SELECT group_concat(e.value->>'id', ' ') FROM j, json_each(j.doc) e")" \
		'competitor no_budget no_decision other price timing' "$dir: default lost reasons"
done
is "$(unexported r)" 0 "the defaults are not changes to export"
ok ruta -C r stage show NEEDS --json
is "$(jget "$out" .id)" needs "a stage code is case-insensitive"
refused r 1 "'neg'" ruta -C r stage show neg
refused r 1 "no stage has the id 'negotiatio'" ruta -C r stage show negotiatio

# ---- head office changes them ----------------------------------------------------
ok ruta -C hq stage add trial --label 'Trial' --seq 35 --probability 60 --json
is "$(jget "$out" .id) $(jget "$out" .probability) $(jget "$out" .active)" 'trial 60 1' \
	"head office adds a stage"
ok ruta -C hq stage list --json
is "$(jsql "$out" "SELECT group_concat(e.value->>'id', ' ') FROM j, json_each(j.doc) e")" \
	'qualification needs offer_sent trial negotiation won lost' "the new stage sits at its seq"
ok ruta -C hq stage edit trial --probability 65 --label 'Paid trial' --json
is "$(jget "$out" .probability) $(jget "$out" .label)" '65 Paid trial' "head office edits a stage"
ok ruta -C hq log --local --json
is "$(jsql "$out" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'table' = 'stage'
	AND e.value->>'record' = 'trial'")" 9 "the new stage (7 fields) and its edit (2) are captured"

acc=$(ruta -C hq account add --name Acme)
opp=$(ruta -C hq opp add --account "$acc" --name Deal)
ok ruta -C hq opp move "$opp" --stage trial --json
is "$(jget "$out" .stage) $(jget "$out" .probability)" 'trial 65' "an opportunity moves to the new stage"

ok ruta -C hq lost-reason add delivery --label 'Delivery time' --json
is "$(jget "$out" .id) $(jget "$out" .label)" 'delivery Delivery time' "head office adds a lost reason"
ok ruta -C hq lost-reason edit delivery --label 'Late delivery' --json
is "$(jget "$out" .label)" 'Late delivery' "head office edits a lost reason"
ok ruta -C hq opp lose "$opp" --reason delivery --json
is "$(jget "$out" .lost_reason)" delivery "an opportunity is lost for the new reason"

# Retired codes are not offered any more.
ok ruta -C hq lost-reason edit timing --active no
o2=$(ruta -C hq opp add --account "$acc" --name Deal2)
refused hq 1 "'timing' is not a lost reason" ruta -C hq opp lose "$o2" --reason timing
ok ruta -C hq stage edit negotiation --active no
refused hq 1 "'negotiation' is not an active stage" ruta -C hq opp move "$o2" --stage negotiation
ok ruta -C hq stage rm needs
is "$(db hq "SELECT deleted_at IS NOT NULL FROM stage WHERE id='needs'")" 1 "stage rm leaves a tombstone"
refused hq 1 "stage needs was deleted" ruta -C hq opp add --account "$acc" --name X --stage needs
refused hq 1 "needs" ruta -C hq opp move "$o2" --stage needs

# ---- bad values at head office -----------------------------------------------------
refused hq 1 "stage code 'Trial2' is not allowed" ruta -C hq stage add Trial2 --label X --seq 1 --probability 5
refused hq 1 "stage code '2x' is not allowed" ruta -C hq stage add 2x --label X --seq 1 --probability 5
refused hq 1 "stage 'trial' exists already" ruta -C hq stage add trial --label X --seq 1 --probability 5
refused hq 1 "probability.*'101'" ruta -C hq stage add t3 --label X --seq 1 --probability 101
refused hq 1 "label" ruta -C hq stage add t4 --seq 1 --probability 5
refused hq 1 "seq.*'-1'" ruta -C hq stage edit trial --seq -1
refused hq 1 "is_won.*'sometimes'" ruta -C hq stage edit trial --is-won sometimes
refused hq 2 "give the code" ruta -C hq stage add --label X --seq 1 --probability 5
refused hq 2 "stage has no field 'colour'" ruta -C hq stage add t5 --label X --seq 1 --probability 5 --colour red
refused hq 1 "lost reason 'price' exists already" ruta -C hq lost-reason add price --label Price

# ---- a team may not ----------------------------------------------------------------
refused r 1 "only head office changes stages; this replica is team 'north'" \
	ruta -C r stage add trial --label Trial --seq 35 --probability 60
refused r 1 "only head office changes stages" ruta -C r stage edit needs --probability 30
refused r 1 "only head office changes stages" ruta -C r stage rm needs
refused r 1 "only head office changes lost reasons" ruta -C r lost-reason add delivery --label Delivery
refused r 1 "only head office changes lost reasons" ruta -C r lost-reason edit price --label Cost
refused r 1 "only head office changes lost reasons" ruta -C r lost-reason rm price
is "$(db r "SELECT probability FROM stage WHERE id='needs'")" 25 "the team's stages are unchanged"

done_testing
