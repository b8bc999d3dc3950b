#!/bin/sh
# ruta opp: money, stages and their probabilities, history, win and lose.
. "$(dirname "$0")/lib.sh"
setup_replicas

acc=$(ruta -C r account add --name Acme)
acc2=$(ruta -C r account add --name Other)
history() { db r "SELECT coalesce(from_stage, '-') || '>' || to_stage FROM opportunity_stage_history
	WHERE opportunity_id = '$1' ORDER BY rowid" | tr '\n' ' '; }

# ---- add ---------------------------------------------------------------------
ok ruta -C r opp add --account "$acc" --name 'Fleet renewal' --amount 12000.00 --currency EUR --json
o=$(jget "$out" .id)
is "$(jget "$out" .amount_minor)" 1200000 "12000.00 EUR is stored as 1200000 minor units"
is "$(jget "$out" .amount)" 12000.00 "... and shown as 12000.00"
is "$(jget "$out" .currency)" EUR "currency EUR"
is "$(jget "$out" .stage)" qualification "a new opportunity is in qualification"
is "$(jget "$out" .probability)" 10 "... with its probability 10"
is "$(jget "$out" .probability_manual)" 0 "... which follows the stage"
is "$(jget "$out" .closed_at)" null "... and is not closed"
is "$(jget "$out" .account_id)" "$acc" "the account is linked"
is "$(db r "SELECT amount_minor || ' ' || currency FROM opportunity WHERE id='$o'")" '1200000 EUR' \
	"the row holds integer minor units"
is "$(history "$o")" '->qualification ' "creation is the first stage history row"

ok ruta -C r opp add --account "$acc" --name Small --amount 0.5 --currency EUR --json
is "$(jget "$out" .amount_minor)" 50 "0.5 EUR is 50 minor units"
ok ruta -C r opp add --account "$acc" --name Yen --amount 1500 --currency JPY --json
is "$(jget "$out" .amount_minor)" 1500 "JPY has no minor units: 1500 is 1500"
ok ruta -C r opp add --account "$acc2" --name 'No amount' --json
is "$(jget "$out" .amount_minor)" null "an amount is optional"
ok ruta -C r opp add --account "$acc2" --name 'Won at once' --stage won --json
is "$(jget "$out" .probability)" 100 "add --stage won: probability 100"
isnt "$(jget "$out" .closed_at)" null "add --stage won: closed_at is set"
ok ruta -C r opp rm "$(jget "$out" .id)"
refused r 1 "lost opportunity needs a lost reason" ruta -C r opp add --account "$acc" --name X --stage lost
ok ruta -C r opp add --account "$acc2" --name Later --stage needs --json
later=$(jget "$out" .id)
is "$(jget "$out" .stage)" needs "add --stage needs starts there"
is "$(jget "$out" .probability)" 25 "... with needs' probability 25"

# ---- move: probability follows the stage -----------------------------------------
ok ruta -C r opp move "$o" --stage needs --json
is "$(jget "$out" .stage)" needs "moved to needs"
is "$(jget "$out" .probability)" 25 "needs has probability 25"
is "$(history "$o")" '->qualification qualification>needs ' "the move is in the stage history"
is "$(db r "SELECT count(*) FROM opportunity_stage_history WHERE opportunity_id='$o'
	AND from_stage='qualification' AND to_stage='needs' AND replica IS NOT NULL AND at IS NOT NULL")" 1 \
	"the history row has from, to, when and which replica"
ok ruta -C r opp move "$o" --stage needs
is "$(history "$o")" '->qualification qualification>needs ' "moving to the same stage adds no history"
ok ruta -C r opp move "$o" --stage offer_sent
expect_stderr "opportunity $o moved \(stage now offer_sent\)" "move says where it left the opportunity"
is "$(db r "SELECT probability FROM opportunity WHERE id='$o'")" 50 "offer_sent: probability 50"

# A probability typed by hand stays when the stage moves; clearing it resumes.
ok ruta -C r opp edit "$o" --probability 40 --json
is "$(jget "$out" .probability)" 40 "edit --probability 40"
is "$(jget "$out" .probability_manual)" 1 "... marks the probability manual"
ok ruta -C r opp move "$o" --stage negotiation --json
is "$(jget "$out" .stage)" negotiation "moved to negotiation"
is "$(jget "$out" .probability)" 40 "a manual probability stays when moving"
ok ruta -C r opp edit "$o" --probability '' --json
is "$(jget "$out" .probability)" 75 "clearing the probability takes the stage's again (75)"
is "$(jget "$out" .probability_manual)" 0 "... and it follows the stage again"

# ---- filters -----------------------------------------------------------------------
ok ruta -C r opp list --stage negotiation --json
is "$(jsql "$out" "SELECT group_concat(e.value->>'id') FROM j, json_each(j.doc) e")" "$o" \
	"opp list --stage negotiation lists just that opportunity"
ok ruta -C r opp list --stage needs --json
is "$(jsql "$out" "SELECT group_concat(e.value->>'id') FROM j, json_each(j.doc) e")" "$later" \
	"opp list --stage needs"
ok ruta -C r opp list --stage won --json
is "$out" "[]" "no won opportunities yet"
ok ruta -C r opp list --account "$acc2" --json
is "$(jlen "$out")" 2 "opp list --account"
ok ruta -C r opp list
expect_stdout '^ID +NAME +STAGE +AMOUNT +CURRENCY +PROBABILITY' "opp list has a header"
expect_stdout "^$o +Fleet renewal +negotiation +12000\.00 +EUR +75" "opp list shows the amount in units"

# ---- win ---------------------------------------------------------------------------
ok ruta -C r opp win "$later" --json
is "$(jget "$out" .stage)" won "win: stage won"
is "$(jget "$out" .probability)" 100 "win: probability 100"
isnt "$(jget "$out" .closed_at)" null "win: closed_at is set"
is "$(history "$later")" '->needs needs>won ' "win is in the stage history"
ok ruta -C r opp list --stage won --json
is "$(jsql "$out" "SELECT group_concat(e.value->>'id') FROM j, json_each(j.doc) e")" "$later" \
	"opp list --stage won"

# A won deal is certain, whatever probability was typed before.
ok ruta -C r opp add --account "$acc" --name Manual --amount 1 --currency EUR
m=$out
ok ruta -C r opp edit "$m" --probability 30
ok ruta -C r opp win "$m" --json
is "$(jget "$out" .probability)" 100 "winning sets probability 100 even over a manual one"
ok ruta -C r opp add --account "$acc" --name 'Manual lost' --amount 1 --currency EUR
ml=$out
ok ruta -C r opp edit "$ml" --probability 60
ok ruta -C r opp lose "$ml" --reason timing --json
is "$(jget "$out" .probability)" 0 "losing sets probability 0 even over a manual one"

# ---- lose -------------------------------------------------------------------------
refused r 1 "moving to 'lost' needs a reason.*opp lose" ruta -C r opp move "$o" --stage lost
refused r 2 "needs --reason" ruta -C r opp lose "$o"
refused r 1 "'nope' is not a lost reason" ruta -C r opp lose "$o" --reason nope
ok ruta -C r opp lose "$o" --reason price --note 'went with the cheaper bid' --json
is "$(jget "$out" .stage)" lost "lose: stage lost"
is "$(jget "$out" .lost_reason)" price "lose: lost_reason price"
is "$(jget "$out" .lost_note)" 'went with the cheaper bid' "lose: the note"
isnt "$(jget "$out" .closed_at)" null "lose: closed_at is set"
is "$(jget "$out" .probability)" 0 "lose: probability 0"
is "$(db r "SELECT lost_reason FROM opportunity WHERE id='$o'")" price "the lost reason is in the row"
is "$(history "$o")" \
	'->qualification qualification>needs needs>offer_sent offer_sent>negotiation negotiation>lost ' \
	"every move is in the stage history"

# Reopening clears what closing set.
ok ruta -C r opp move "$o" --stage negotiation --json
is "$(jget "$out" .closed_at)" null "reopening clears closed_at"
is "$(jget "$out" .lost_reason)" null "reopening clears the lost reason"
is "$(jget "$out" .probability)" 75 "reopened at negotiation: 75"

# ---- refusals: nothing written -----------------------------------------------------
refused r 1 "stage.*'foo'" ruta -C r opp add --account "$acc" --name X --stage foo
refused r 1 "'foo' is not a stage" ruta -C r opp move "$o" --stage foo
refused r 2 "--stage CODE" ruta -C r opp move "$o"
refused r 1 "amount.*'-5'" ruta -C r opp add --account "$acc" --name X --amount -5 --currency EUR
refused r 1 "amount.*'abc'" ruta -C r opp add --account "$acc" --name X --amount abc --currency EUR
refused r 1 "amount.*'1,000\.00'" ruta -C r opp add --account "$acc" --name X --amount 1,000.00 --currency EUR
refused r 1 "amount.*'1\.234'.*decimals" ruta -C r opp add --account "$acc" --name X --amount 1.234 --currency EUR
refused r 1 "amount.*'1500\.5'.*JPY" ruta -C r opp add --account "$acc" --name X --amount 1500.5 --currency JPY
refused r 1 "amount.*'99999999999999999999'.*too large" \
	ruta -C r opp add --account "$acc" --name X --amount 99999999999999999999 --currency EUR
refused r 1 "amount.*needs a currency" ruta -C r opp add --account "$acc" --name X --amount 15
refused r 1 "currency.*'XXX'" ruta -C r opp add --account "$acc" --name X --amount 1 --currency XXX
refused r 1 "currency.*'eur'" ruta -C r opp add --account "$acc" --name X --amount 1 --currency eur
refused r 1 "amount.*'-1'" ruta -C r opp edit "$o" --amount -1
refused r 1 "expected_close.*'2026-02-30'" ruta -C r opp add --account "$acc" --name X --expected-close 2026-02-30
refused r 1 "expected_close.*'2026-2-3'" ruta -C r opp edit "$o" --expected-close 2026-2-3
refused r 1 "probability.*'101'" ruta -C r opp edit "$o" --probability 101
refused r 1 "probability.*'-1'" ruta -C r opp edit "$o" --probability -1
refused r 1 "account" ruta -C r opp add --name 'No account'
refused r 1 "name" ruta -C r opp add --account "$acc"
refused r 1 "stage changes only with 'ruta opp move'" ruta -C r opp edit "$o" --stage won
refused r 1 "lost_reason changes only with 'ruta opp lose'" ruta -C r opp edit "$o" --lost-reason price
refused r 1 "closed_at is set by ruta" ruta -C r opp edit "$o" --closed-at 2026-01-01T00:00:00Z
refused r 2 "opportunity has no field 'frist_name'" ruta -C r opp edit "$o" --frist-name X
refused r 2 "unknown option '--frobnicate'" ruta -C r opp win "$o" --frobnicate x
refused r 1 "no opportunity has the id 'ZZZZZZ'" ruta -C r opp move ZZZZZZ --stage needs
refused r 1 "no opportunity has the id 'ZZZZZZ'" ruta -C r opp win ZZZZZZ

# Amount and currency are one unit: changing the currency alone would change
# what the amount means (12000.00 EUR must not become 1200000 JPY).
refused r 1 "currency" ruta -C r opp edit "$o" --currency JPY
ok ruta -C r opp edit "$o" --amount 9000 --currency RON --json
is "$(jget "$out" .amount_minor) $(jget "$out" .currency)" '900000 RON' \
	"amount and currency change together"

# Deleted opportunities do not move.
ok ruta -C r opp rm "$m"
refused r 1 "opportunity $m was deleted" ruta -C r opp move "$m" --stage needs
refused r 1 "opportunity $m was deleted" ruta -C r opp lose "$m" --reason price
refused r 1 "opportunity $m was deleted" ruta -C r opp edit "$m" --name X

done_testing
