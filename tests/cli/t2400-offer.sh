#!/bin/sh
# ruta offer: drafts, sending, answers, revisions; a sent offer never changes.
. "$(dirname "$0")/lib.sh"
setup_replicas

acc=$(ruta -C r account add --name Acme)
opp=$(ruta -C r opp add --account "$acc" --name Deal --amount 12000 --currency RON)
bare=$(ruta -C r opp add --account "$acc" --name 'No money')

# ---- a draft -----------------------------------------------------------------
ok ruta -C r offer add --opp "$opp" --number N-2026-014 --total 11500.00 --valid-until 2026-12-31 --json
f=$(jget "$out" .id)
is "$(jget "$out" .type)" offer "--json: type offer"
is "$(jget "$out" .status)" draft "a new offer is a draft"
is "$(jget "$out" .revision)" 1 "revision 1"
is "$(jget "$out" .total_minor)" 1150000 "11500.00 is 1150000 minor units"
is "$(jget "$out" .currency)" RON "the currency is taken from the opportunity"
is "$(jget "$out" .opportunity_id)" "$opp" "the opportunity is linked"
is "$(jget "$out" .valid_until)" 2026-12-31 "valid_until"
is "$(db r "SELECT total_minor || ' ' || currency || ' ' || status FROM offer WHERE id='$f'")" \
	'1150000 RON draft' "the row is in the database"

ok ruta -C r offer edit "$f" --total 11000 --description 'ten vans' --json
is "$(jget "$out" .total_minor)" 1100000 "a draft's total can change"
is "$(jget "$out" .description)" 'ten vans' "a draft's description can change"

ok ruta -C r offer add --opp "$opp"
empty=$out
refused r 1 "offer $empty has no total" ruta -C r offer send "$empty"
refused r 1 "offer $empty is still a draft; edit it" ruta -C r offer revise "$empty"
refused r 1 "offer $empty is draft; only a sent offer can be accepted" ruta -C r offer accept "$empty"

# ---- send: frozen ----------------------------------------------------------------
ok ruta -C r offer send "$f" --json
is "$(jget "$out" .status)" sent "send: status sent"
isnt "$(jget "$out" .sent_at)" null "send: sent_at is set"
refused r 1 "offer $f is sent.*cannot change.*revise" ruta -C r offer edit "$f" --total 10000
refused r 1 "offer $f is sent.*revise" ruta -C r offer edit "$f" --description 'nine vans'
refused r 1 "offer $f is sent already" ruta -C r offer send "$f"
is "$(db r "SELECT total_minor FROM offer WHERE id='$f'")" 1100000 "the sent total is unchanged"

# Not even plain SQL changes a sent offer.
before=$(db_hash r)
sqlite3 r/ruta.db "UPDATE offer SET total_minor = 1 WHERE id='$f'" 2>/dev/null
isnt $? 0 "sqlite3 UPDATE of a sent offer's total fails"
is "$(db_hash r)" "$before" "... and changes nothing"

# ---- answers ------------------------------------------------------------------------
ok ruta -C r offer accept "$f" --json
is "$(jget "$out" .status)" accepted "accept: status accepted"
isnt "$(jget "$out" .decided_at)" null "accept: decided_at is set"
refused r 1 "offer $f is accepted; only a sent offer can be rejected" ruta -C r offer reject "$f"

# ---- revise: a new draft ----------------------------------------------------------
ok ruta -C r offer revise "$f" --json
is "$(printf '%s\n' "$out" | wc -l)" 1 "revise --json prints one JSON object"
f2=$(printf '%s\n' "$out" | tail -n 1)
f2=$(jget "$f2" .id)
isnt "$f2" "$f" "revise makes a new offer"
ok ruta -C r offer show "$f2" --json
is "$(jget "$out" .revision)" 2 "the revision is 2"
is "$(jget "$out" .status)" draft "the revision is a draft"
is "$(jget "$out" .revises)" "$f" "it points at the offer it revises"
is "$(jget "$out" .number)" N-2026-014 "it keeps the number"
is "$(jget "$out" .total_minor) $(jget "$out" .currency)" '1100000 RON' "it keeps the total and currency"
is "$(jget "$out" .sent_at)" null "it is not sent"
is "$(db r "SELECT status FROM offer WHERE id='$f'")" accepted "the original is unchanged"
ok ruta -C r offer edit "$f2" --total 10500 --json
is "$(jget "$out" .total_minor)" 1050000 "the new revision can be edited"
ok ruta -C r offer send "$f2"
ok ruta -C r offer reject "$f2" --json
is "$(jget "$out" .status)" rejected "reject: status rejected"
ok ruta -C r offer revise "$f2"
f3=$(printf '%s\n' "$out" | head -n 1)
is "$(db r "SELECT revision FROM offer WHERE id='$f3'")" 3 "revising revision 2 gives revision 3"

ok ruta -C r offer list --opp "$opp" --json
is "$(jlen "$out")" 4 "offer list --opp lists the four offers"
ok ruta -C r offer list --status draft --json
is "$(jsql "$out" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'status' <> 'draft'")" 0 \
	"offer list --status draft"

# Other answers.
for pair in expire:expired withdraw:withdrawn; do
	verb=${pair%:*}
	x=$(ruta -C r offer add --opp "$opp" --total 1)
	ruta -C r offer send "$x" 2>/dev/null
	ok ruta -C r offer "$verb" "$x" --json
	is "$(jget "$out" .status)" "${pair#*:}" "offer $verb: status ${pair#*:}"
done

# ---- refusals: nothing written ------------------------------------------------------
refused r 1 "total.*'-1'" ruta -C r offer add --opp "$opp" --total -1
refused r 1 "total.*'1\.234'" ruta -C r offer add --opp "$opp" --total 1.234
refused r 1 "total.*needs a currency" ruta -C r offer add --opp "$bare" --total 100
refused r 1 "valid_until.*'2026-02-30'" ruta -C r offer add --opp "$opp" --valid-until 2026-02-30
refused r 1 "opp" ruta -C r offer add --total 100 --currency EUR
refused r 1 "opp" ruta -C r offer add --total 100
refused r 1 "no opportunity has the id 'ZZZZZZ'" ruta -C r offer add --opp ZZZZZZ --total 1
refused r 1 "status changes only with 'ruta offer send" ruta -C r offer edit "$empty" --status sent
refused r 1 "revision is set by ruta" ruta -C r offer edit "$empty" --revision 5
refused r 2 "offer has no field 'frist_name'" ruta -C r offer edit "$empty" --frist-name X
refused r 1 "no offer has the id 'ZZZZZZ'" ruta -C r offer send ZZZZZZ
gone=$(ruta -C r opp add --account "$acc" --name Gone --amount 1 --currency EUR)
ok ruta -C r opp rm "$gone"
refused r 1 "opportunity $gone was deleted" ruta -C r offer add --opp "$gone" --total 1
ok ruta -C r offer rm "$empty"
is "$(db r "SELECT deleted_at IS NOT NULL FROM offer WHERE id='$empty'")" 1 "offer rm leaves a tombstone"
refused r 1 "offer $empty was deleted" ruta -C r offer send "$empty"

done_testing
