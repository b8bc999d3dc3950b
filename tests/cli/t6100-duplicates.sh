#!/bin/sh
# Duplicates: two teams create the same account and the same contact offline
# (written differently); after a sync head office lists exactly those groups,
# a switchboard number is no evidence, merge-records joins them, and after
# the next syncs every replica holds the same CRM with no duplicates left.
# Bad input is refused with one clear line and changes nothing.
. "$(dirname "$0")/lib.sh"

# ids sorted, as a JSON array: ids "B" "A" -> ["A","B"]
ids() { printf '%s\n' "$@" | LC_ALL=C sort | sed 's/.*/"&"/' | paste -sd, | sed 's/.*/[&]/'; }

git init -q --bare hub.git
ok ruta init hq --head-office --country ES --hub "$PWD/hub.git"
ruta -C hq keys export-pub --root > root.pub
ok ruta init north --team north --root-key root.pub --country ES --hub "$PWD/hub.git"
ok ruta init south --team south --root-key root.pub --country ES --hub "$PWD/hub.git"
ruta -C north keys export-pub > north.pub
ruta -C south keys export-pub > south.pub
ok ruta -C hq keys endorse north.pub --team north
ok ruta -C hq keys endorse south.pub --team south
ok ruta -C hq sync
ok ruta -C north sync
ok ruta -C south sync

# ---- offline, both teams meet the same company and the same person --------------
ok ruta -C north account add --name 'Transportes Acme S.L.' --tax-id ES:B12345674 --region Madrid
NA=$out
ok ruta -C north contact add --first-name Ana --last-name Ruiz --email ana@acme.es \
	--phone '612 345 678' --account "$NA"
NC=$out
ok ruta -C south account add --name 'ACME transportes' --tax-id 'esb-1234567-4' \
	--street 'Gran Via 1' --city Madrid --postal-code 28013
SA=$out
ok ruta -C south contact add --last-name Ruiz --title CFO --email ' ANA@Acme.ES ' \
	--phone '699 111 222' --account "$SA"
SC=$out
ok ruta -C south opp add --account "$SA" --contact "$SC" --name 'Fleet renewal' \
	--amount 12000.00 --currency EUR
OPP=$out
# Five people reached through one switchboard: a shared number, not one person.
for who in Gil Sanz Mora; do
	ruta -C north contact add --last-name "$who" --phone '910 000 000' >/dev/null
done
for who in Vidal Pardo; do
	ruta -C south contact add --last-name "$who" --phone '+34 910 000 000' >/dev/null
done
# Alone, north has three of them: few enough to count as evidence.
ok ruta -C north duplicates --json
is "$(jlen "$out" .groups) $(jget "$out" .groups[0].keys)" \
	'1 [{"kind":"phone","value":"+34910000000"}]' \
	"north alone: three contacts sharing a phone are a group (3 is the threshold)"
is "$(jget "$out" .ignored)" '[]' "north alone ignores nothing"

ok ruta -C north sync
ok ruta -C south sync
ok ruta -C hq sync
expect_stderr "2 groups of records look like duplicates: see 'ruta duplicates'" \
	"the sync that brings them says so"
ok ruta -C north sync

# ---- head office sees exactly those groups ------------------------------------------
ok ruta -C hq duplicates --json
DUPS=$out
is "$(jget "$DUPS" .schema)" 1 "duplicates --json: schema 1"
is "$(jlen "$DUPS" .groups)" 2 "two groups: the account and the contact"
is "$(jget "$DUPS" .groups[0].table)" account "accounts come first"
is "$(jget "$DUPS" .groups[0].records)" "$(ids "$NA" "$SA")" \
	"the two accounts, ids sorted"
is "$(jget "$DUPS" .groups[0].keys)" '[{"kind":"tax_id","value":"ES:B12345674"}]' \
	"they share the tax id, normalized (ES:B12345674 = esb-1234567-4)"
is "$(jget "$DUPS" .groups[1].table)" contact "then contacts"
is "$(jget "$DUPS" .groups[1].records)" "$(ids "$NC" "$SC")" \
	"the two contacts, ids sorted"
is "$(jget "$DUPS" .groups[1].keys)" '[{"kind":"email","value":"ana@acme.es"}]' \
	"they share the email, normalized (case and blanks aside)"
is "$(jget "$DUPS" .ignored)" '[{"kind":"phone","records":5,"value":"+34910000000"}]' \
	"the switchboard number five contacts share is listed as ignored, not as a group"
ok ruta -C north duplicates --json
is "$out" "$DUPS" "north prints the same document as head office"

ok ruta -C hq duplicates
expect_stdout "^GROUP +TABLE +RECORD +NAME +SHARED" "the human list has a header"
expect_stdout "^1 +account +[0-9A-Z]+ +.*tax_id ES:B12345674" "group 1: the accounts and their tax id"
expect_stdout "Transportes Acme S\.L\." "records show with their names"
expect_stdout "^2 +contact +[0-9A-Z]+ +Ana Ruiz +email ana@acme\.es" "group 2: the contacts and their email"
expect_stdout "phone +\+34910000000 +5 records" "and the ignored switchboard with its count"

# A third contact sharing south's phone joins the group transitively.
ok ruta -C hq contact add --last-name Ruiz --first-name 'A.' --phone '+34699111222'
HC=$out
ok ruta -C hq duplicates --json
is "$(jget "$out" .groups[1].records)" "$(ids "$NC" "$SC" "$HC")" \
	"A~B by email and B~C by phone make one group A, B, C"
is "$(jget "$out" .groups[1].keys)" \
	'[{"kind":"email","value":"ana@acme.es"},{"kind":"phone","value":"+34699111222"}]' \
	"with both shared keys, sorted"
ok ruta -C hq contact rm "$HC"
ok ruta -C hq duplicates --json
is "$out" "$DUPS" "a deleted contact is no longer evidence"

# ---- bad input: one line, exit 1, nothing written ----------------------------------
# refuse_merge PATTERN KEEP OTHER: refused (4 tests) and the state hash unchanged.
refuse_merge() {
	_h=$(ruta -C hq state-hash)
	refused hq 1 "$1" ruta -C hq merge-records "$2" "$3"
	is "$(ruta -C hq state-hash)" "$_h" "merge-records $2 $3: state hash unchanged"
}
refuse_merge "no account or contact has the id 'ZZZZZZZZ'" "$NC" ZZZZZZZZ
refuse_merge "no account or contact has the id 'ZZZZZZZZ'" ZZZZZZZZ "$NC"
refuse_merge "$NC is a contact and $SA is an account: only two accounts or two contacts" \
	"$NC" "$SA"
refuse_merge "contact $NC cannot be merged into itself" "$NC" "$NC"
refuse_merge "contact $HC was deleted" "$HC" "$NC"
refuse_merge "contact $HC was deleted" "$NC" "$HC"
expect_exit 2 ruta -C hq merge-records "$NC"
expect_stderr "give the record to keep and the one to merge" "one id is a usage error"
expect_exit 2 ruta -C hq merge-records "$NC" "$SC" "$NA"
expect_exit 2 ruta -C hq duplicates --frobnicate
ok ruta -C hq duplicates --help
expect_stdout "^examples:" "duplicates --help starts with examples"
ok ruta -C hq merge-records --help
expect_stdout "ruta -C hq merge-records 01KBX3F7 01KBX9Q2" "merge-records --help has examples"
ok ruta help merge-records
expect_stdout "^usage: ruta merge-records KEEP OTHER" "ruta help merge-records"

# ---- merge the contacts, then the accounts -----------------------------------------
ok ruta -C hq log --local
U0=$(unexported hq)
ok ruta -C hq merge-records "$NC" "$SC" --json
M=$out
is "$(jget "$M" .id)" "$NC" "--json: id is the record kept"
is "$(jget "$M" .merged)" "$SC" "--json: merged names the other"
is "$(jget "$M" .type)" contact "--json: type contact"
is "$(jsql "$M" "SELECT e.value->>'id' || ' ' || (e.value->>'field') FROM j,
	json_each(j.doc, '\$.repointed') e")" "$OPP contact_id" "the opportunity was re-pointed"
is "$(jsql "$M" "SELECT e.value->>'value' FROM j, json_each(j.doc, '\$.moved') e")" \
	+34699111222 "the other contact's phone moved over"
is "$(jsql "$M" "SELECT e.value->>'value' FROM j, json_each(j.doc, '\$.dropped') e")" \
	'ANA@Acme.ES' "its email, which keep has, was dropped rather than doubled"
is "$(jget "$M" .filled)" '["title"]' "keep's empty title was filled"
cmp_ok "$(unexported hq)" -gt "$U0" "the merge is captured as local changes"
ok ruta -C hq log --local --json
is "$(jsql "$out" "SELECT e.value->>'value' FROM j, json_each(j.doc) e
	WHERE e.value->>'record' = '$SC' AND e.value->>'field' = 'merged_into'")" "$NC" \
	"the log holds other's merged_into"

ok ruta -C hq contact show "$NC" --json
is "$(jget "$out" .title)" CFO "keep has the title now"
is "$(jsql "$out" "SELECT group_concat(e.value->>'phone', ' ') FROM j,
	json_each(j.doc, '\$.phones') e")" '+34612345678 +34699111222' "keep has both phones"
is "$(jsql "$out" "SELECT count(*) || ' ' || sum(e.value->>'primary') FROM j,
	json_each(j.doc, '\$.phones') e")" '2 1' "... and still one primary phone"
is "$(jlen "$out" .emails)" 1 "keep has its one email, not two"
is "$(jget "$out" .first_name)" Ana "keep's own fields stay"
ok ruta -C hq contact show "$SC"
expect_stdout "^merged_into +$NC\$" "contact show prints merged_into"
expect_stdout "^deleted_at +[0-9]" "and the tombstone"
ok ruta -C hq opp show "$OPP" --json
is "$(jget "$out" .contact_id)" "$NC" "the opportunity points at keep"
is "$(db hq "SELECT count(*) FROM contact_phone WHERE contact_id = '$SC' AND deleted_at IS NULL")" 0 \
	"other has no live phone left"
refuse_merge "contact $SC was merged into $NC already" "$NC" "$SC"
refuse_merge "contact $SC was merged into $NC already; merge into $NC instead" "$SC" "$NC"

ok ruta -C hq merge-records "$NA" "$SA"
expect_stdout "^merged account $SA into $NA" "the human report says what was merged"
expect_stdout "re-pointed opp $OPP \(Fleet renewal\): account_id now $NA" "... what was re-pointed"
expect_stdout "filled from $SA: city, postal_code, street" "... and which empty fields were filled"
ok ruta -C hq account show "$NA" --json
is "$(jget "$out" .street)|$(jget "$out" .city)|$(jget "$out" .postal_code)" \
	'Gran Via 1|Madrid|28013' "keep had no address: it takes other's as a block"
is "$(jget "$out" .region)" Madrid "keep's own region stays"
is "$(jget "$out" .name)" 'Transportes Acme S.L.' "keep's name stays"
ok ruta -C hq account show "$SA"
expect_stdout "^merged_into +$NA\$" "account show prints merged_into"
ok ruta -C hq opp show "$OPP" --json
is "$(jget "$out" .account_id)" "$NA" "the opportunity belongs to keep's account"
ok ruta -C hq duplicates
expect_stdout "^no likely duplicates$" "no duplicates left at head office"

# ---- sync: everyone converges, and nobody sees duplicates --------------------------
ok ruta -C hq sync
ok ruta -C north sync
ok ruta -C south sync
ok ruta -C hq sync
ok ruta -C north sync
HQ=$(ruta -C hq state-hash)
is "$(ruta -C north state-hash)" "$HQ" "north converged with head office"
is "$(ruta -C south state-hash)" "$HQ" "south converged with head office"
for r in hq north south; do
	ok ruta -C $r duplicates --json
	is "$(jget "$out" .groups)" '[]' "$r: duplicates --json lists no group"
	ok ruta -C $r duplicates
	expect_stdout "^no likely duplicates$" "$r: ruta duplicates says so"
done
ok ruta -C south contact show "$SC" --json
is "$(jget "$out" .merged_into)" "$NC" "south sees its contact merged into north's"
ok ruta -C south opp show "$OPP" --json
is "$(jget "$out" .contact_id) $(jget "$out" .account_id)" "$NC $NA" \
	"south's opportunity now points at the kept contact and account"
is "$(unexported hq)" 0 "the merge went out with head office's sync"

done_testing
