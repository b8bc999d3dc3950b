#!/bin/sh
# A sent offer does not change: an edit made on another replica while the
# offer was still a draft there, without seeing the send, leaves the sent
# offer as it was sent and becomes a new revision (a draft that revises it,
# with the edit and the sent values for the rest), flagged for review. Every
# replica makes the same revision whichever arrives first, the send or the
# edit; the revision can then be resolved and sent like any offer.
. "$(dirname "$0")/lib.sh"

setup_hub
for r in hq north south; do ruta -C $r sync >/dev/null 2>&1; done

# offer_row REPLICA ID: what the offer shows there
offer_row() {
	db "$1" "SELECT number, revision, status, total_minor, currency, valid_until, description,
		coalesce(revises, '-') FROM offer WHERE id = '$2'"
}
# revision_of REPLICA ID: the offer that revises ID there
revision_of() { db "$1" "SELECT id FROM offer WHERE revises = '$2'"; }
ok ruta -C north account add --name 'Acme S.L.'
ACME=$out
ok ruta -C north opp add --account "$ACME" --name Fleet --amount 12000.00 --currency EUR
FLEET=$out
ok ruta -C north offer add --opp "$FLEET" --number N-1 --total 11500.00 \
	--valid-until 2026-12-31 --description 'twelve vans'
OF1=$out
ok ruta -C north offer add --opp "$FLEET" --number N-2 --total 8000.00 \
	--valid-until 2027-01-31 --description 'eight vans'
OF2=$out
ok ruta -C north offer add --opp "$FLEET" --number N-3 --total 5000.00 --currency EUR
OF3=$out
sync_all
same_everywhere "the drafts"

# ---- the send arrives first ---------------------------------------------------------
# North sends OF1 and pushes; south, offline, changes the draft's total and
# then syncs: south gets the send after its edit, head office and north get
# the edit after the send.
ok ruta -C north offer send "$OF1"
ok ruta -C north sync
ok ruta -C south offer edit "$OF1" --total 10900.00 --description 'twelve vans, grey'
expect_exit 3 ruta -C south sync
expect_stderr "2 conflicts open" "south's sync: the revision's two fields are flagged"
expect_exit 3 ruta -C hq sync
expect_exit 3 ruta -C north sync
sync_all
same_everywhere "send first"
SENT1="N-1|1|sent|1150000|EUR|2026-12-31|twelve vans|-"
for r in hq north south; do
	is "$(offer_row $r "$OF1")" "$SENT1" "send first: $r shows OF1 exactly as north sent it"
done
REV1=$(revision_of hq "$OF1")
isnt "$REV1" "" "send first: head office made a revision of OF1"
for r in north south; do
	is "$(revision_of $r "$OF1")" "$REV1" "send first: $r made the same revision"
done
is "$(offer_row hq "$REV1")" "N-1|2|draft|1090000|EUR|2026-12-31|twelve vans, grey|$OF1" \
	"send first: the revision is a draft with south's total and description, the rest as sent"
is "$(db hq "SELECT count(*) FROM offer WHERE revises = '$OF1'")" 1 \
	"send first: one revision, no more"
# flagged: one conflict per field south changed, naming what was sent and what was typed
ok ruta -C hq conflicts list --json --record "$REV1"
is "$(jlen "$out" .conflicts)" 2 "send first: both of south's fields are listed"
is "$(jget "$out" .conflicts[0].policy)" sent-offer "send first: the policy is sent-offer"
is "$(jget "$out" .conflicts[0].review)" true "send first: flagged for review"
is "$(jget "$out" .conflicts[1].field)" total_minor "send first: the total is listed"
is "$(jget "$out" .conflicts[1].chosen)" 1090000 "send first: the revision shows south's total"
is "$(jget "$out" '.conflicts[1].heads[0].value')" 1150000 "send first: the sent total is a head"
is "$(jget "$out" '.conflicts[1].heads[1].value')" 1090000 "send first: south's total is a head"
is "$(jget "$out" '.conflicts[1].heads[1].replica')" "$SOUTH" "send first: made by south"
is "$(jget "$out" .conflicts[0].chosen)" "twelve vans, grey" "send first: south's description"
expect_exit 1 ruta -C hq conflicts list --json --record "$OF1"
expect_stderr "no open conflict" "send first: the sent offer itself is in no conflict"
# nothing typed was lost: north's sent values on OF1, south's on the revision,
# and the send's changeset carries what was sent
is "$(db hq "SELECT count(*) FROM ruta_changeset WHERE instr(body, '\"total_minor\":[1150000,') > 0
	AND instr(body, '\"sent_at\":[\"') > 0")" 1 "send first: the send's changeset carries the sent total"

# ---- the edit arrives first ---------------------------------------------------------
# South changes OF2's draft and pushes; head office takes the edit in while
# OF2 is a draft. North, offline, sends OF2 as it had it, then syncs: north
# gets the edit after its send, head office the send after the edit.
ok ruta -C south offer edit "$OF2" --total 7600.00 --valid-until 2027-02-28
expect_exit 3 ruta -C south sync
expect_exit 3 ruta -C hq sync
is "$(offer_row hq "$OF2")" "N-2|1|draft|760000|EUR|2027-02-28|eight vans|-" \
	"edit first: head office has south's edit on the draft"
ok ruta -C north offer send "$OF2"
expect_exit 3 ruta -C north sync
expect_exit 3 ruta -C hq sync
sync_all
same_everywhere "edit first"
SENT2="N-2|1|sent|800000|EUR|2027-01-31|eight vans|-"
for r in hq north south; do
	is "$(offer_row $r "$OF2")" "$SENT2" "edit first: $r shows OF2 exactly as north sent it"
done
REV2=$(revision_of hq "$OF2")
isnt "$REV2" "" "edit first: head office made a revision of OF2"
for r in north south; do
	is "$(revision_of $r "$OF2")" "$REV2" "edit first: $r made the same revision"
done
is "$(offer_row hq "$REV2")" "N-2|2|draft|760000|EUR|2027-02-28|eight vans|$OF2" \
	"edit first: the revision has south's total and date, the rest as sent"
ok ruta -C hq conflicts list --json --record "$REV2"
is "$(jlen "$out" .conflicts)" 2 "edit first: both of south's fields are listed"
is "$(jget "$out" .conflicts[0].chosen)" 760000 "edit first: the revision shows south's total"
is "$(jget "$out" .conflicts[1].chosen)" 2027-02-28 "edit first: and south's date"

# ---- sent and answered in one changeset, arriving after the edit --------------------
ok ruta -C south offer edit "$OF3" --number N-3b
expect_exit 3 ruta -C south sync
expect_exit 3 ruta -C hq sync
ok ruta -C north offer send "$OF3"
ok ruta -C north offer accept "$OF3"
expect_exit 3 ruta -C north sync
expect_exit 3 ruta -C hq sync
sync_all
same_everywhere "sent and accepted at once"
for r in hq north south; do
	is "$(offer_row $r "$OF3")" "N-3|1|accepted|500000|EUR|||-" \
		"sent and accepted at once: $r shows OF3 as north sent it"
done
REV3=$(revision_of hq "$OF3")
is "$(offer_row south "$REV3")" "N-3b|2|draft|500000|EUR|||$OF3" \
	"sent and accepted at once: the revision has south's number"

# ---- a sent offer stays refused to local edits, and is revised once ----------------
refused north 1 "a sent offer cannot change|is sent" ruta -C north offer edit "$OF1" --total 1.00
refused south 1 "was revised already, as $REV1" ruta -C south offer revise "$OF1"

# ---- the revision is a draft like any other: decided, then sent ---------------------
ok ruta -C hq resolve --all --type offer
sync_all
same_everywhere "resolved"
is "$(ruta -C south conflicts list --json)" '{"conflicts":[],"schema":1}' \
	"resolved: no conflict open anywhere"
ok ruta -C south offer edit "$REV1" --total 10800.00
ok ruta -C south offer send "$REV1"
sync_all
same_everywhere "the revision sent"
for r in hq north south; do
	is "$(offer_row $r "$REV1")" "N-1|2|sent|1080000|EUR|2026-12-31|twelve vans, grey|$OF1" \
		"the revision sent: $r shows it as south sent it"
	is "$(offer_row $r "$OF1")" "$SENT1" "the revision sent: $r still shows OF1 as sent"
done
is "$(db hq "SELECT count(*) FROM offer WHERE revises = '$REV1'")" 0 \
	"the revision sent: no revision of it was needed"

done_testing
