#!/bin/sh
# Tags on accounts, contacts and opportunities are add-wins sets through a
# real hub: a tag added on one replica while another removes it stays, the
# same tag added on two replicas shows once, a removal that saw every add
# removes it everywhere; bad tags are refused with nothing written;
# merge-records gives the kept record the other's tags; a snapshot carries
# them to a new replica; a schema-3 replica migrates and keeps its state
# hash. docs/merge.md §2.14.
DATA=$(cd "$(dirname "$0")/../data" && pwd)
. "$(dirname "$0")/lib.sh"

setup_hub
ok ruta -C north sync
ok ruta -C south sync

# tags_on REPLICA TYPE ID: the record's tags as a compact JSON array
tags_on() { ruta -C "$1" "$2" show "$3" --json | jq -c .tags; }
# tags_everywhere TYPE ID WANT WHAT: every replica shows exactly WANT
tags_everywhere() {
	for r in hq north south; do
		is "$(tags_on $r "$1" "$2")" "$3" "$4: $r shows $3"
	done
}

# ---- adding, showing, normal form ------------------------------------------------------
ok ruta -C north account add --name 'Acme S.L.' --tag VIP --tag ' Key   Account '
ACME=$out
is "$(tags_on north account "$ACME")" '["key account","vip"]' \
	"tags at add: trimmed, one space, lower case, sorted"
ok ruta -C north account show "$ACME"
is "$(printf '%s\n' "$out" | grep -c '^tag ')" 2 "show prints one tag line per tag"
ok ruta -C north contact add --first-name Ana --last-name Ruiz --account "$ACME"
ANA=$out
ok ruta -C north opp add --account "$ACME" --name Fleet --amount 12000.00 --currency EUR
FLEET=$out
ok ruta -C north opp edit "$FLEET" --tag Urgent --tag 'Ștefan & Co'
is "$(tags_on north opp "$FLEET")" '["urgent","ștefan & co"]' "opp tags: Romanian capitals folded too"
is "$(tags_on north contact "$ANA")" '[]' "a record without tags shows an empty array"
sync_all
tags_everywhere account "$ACME" '["key account","vip"]' "synced"
tags_everywhere opp "$FLEET" '["urgent","ștefan & co"]' "synced"

# ---- add wins: a tag added on north while south removes it stays -------------------------
ok ruta -C north account edit "$ACME" --tag vip
ok ruta -C south account edit "$ACME" --untag VIP
is "$(tags_on south account "$ACME")" '["key account"]' "south removed vip locally"
ok ruta -C north account edit "$ACME" --tag madrid
ok ruta -C south account edit "$ACME" --tag bilbao
ok ruta -C north sync
ok ruta -C south sync
sync_all
tags_everywhere account "$ACME" '["bilbao","key account","madrid","vip"]' \
	"north's add against south's concurrent removal"
same_everywhere "after add against remove"
is "$(ruta -C hq conflicts list --json | jq '[.conflicts[] | select(.table | test("tag"))] | length')" 0 \
	"tags make no conflicts"

# ---- the same tag added on both sides shows once ---------------------------------------
ok ruta -C north contact edit "$ANA" --tag Feria
ok ruta -C south contact edit "$ANA" --tag feria
sync_all
tags_everywhere contact "$ANA" '["feria"]' "the same tag from two replicas"
is "$(db hq "SELECT count(*) FROM contact_tag WHERE contact_id = '$ANA' AND deleted_at IS NULL")" 2 \
	"two rows hold it"
ok ruta -C hq contact show "$ANA"
is "$(printf '%s\n' "$out" | grep -c '^tag ')" 1 "show prints it once"
same_everywhere "after the same tag twice"

# ---- a removal that saw every add removes it everywhere -----------------------------------
ok ruta -C hq contact edit "$ANA" --untag FERIA
sync_all
tags_everywhere contact "$ANA" '[]' "removed after every add was seen"
is "$(db north "SELECT count(*) FROM contact_tag WHERE contact_id = '$ANA' AND deleted_at IS NULL")" 0 \
	"both rows are tombstones"
same_everywhere "after the removal"

# ---- list --tag --------------------------------------------------------------------------
ok ruta -C north account add --name 'Beta S.A.' --tag bilbao
BETA=$out
ok ruta -C south account list --tag MADRID --json
is "$(printf '%s' "$out" | jq -c '[.[].id]')" "[\"$ACME\"]" "account list --tag: only tagged accounts"
ok ruta -C north account list --tag bilbao --json
is "$(printf '%s' "$out" | jq -c '[.[].id] | sort')" "$(printf '["%s","%s"]' "$ACME" "$BETA" | jq -c sort)" \
	"account list --tag: both with bilbao"
ok ruta -C north opp list --tag urgent --json
is "$(printf '%s' "$out" | jq -c '[.[].id]')" "[\"$FLEET\"]" "opp list --tag"
ok ruta -C north contact list --tag feria --json
is "$out" "[]" "contact list --tag: a removed tag matches nothing"
expect_exit 2 ruta -C north activity list --tag vip
refused north 1 "tag.*','" ruta -C north account list --tag 'a,b'

# ---- bad tags are refused, nothing written ----------------------------------------------------
refused north 1 "account tag: 'a,b' contains ','" ruta -C north account edit "$ACME" --tag 'a,b'
refused north 1 "account tag: '' is not a tag: it is empty" ruta -C north account edit "$ACME" --tag ''
refused north 1 "account tag: '   ' is not a tag" ruta -C north account edit "$ACME" --tag '   '
refused north 1 "contact tag: .*control character" ruta -C north contact edit "$ANA" --tag "$(printf 'a\tb')"
refused north 1 "opportunity tag: .*too long" ruta -C north opp edit "$FLEET" \
	--tag aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
refused north 1 "must start with a letter or a digit" ruta -C north account edit "$ACME" --tag -vip
refused north 1 "U\+00A0" ruta -C north account edit "$ACME" --tag "$(printf 'a\302\240b')"
refused north 1 "has no tag 'vipp' \(its tags: bilbao, key account, madrid, vip\)" \
	ruta -C north account edit "$ACME" --untag vipp
refused north 1 "contact tag: 'x;y'" ruta -C north contact add --last-name Gil --tag 'x;y'
# all or nothing: a good field and a good tag beside a bad tag are not written either
refused north 1 "account tag: 'b\|c'" ruta -C north account edit "$ACME" --city Leon --tag ok --tag 'b|c'
refused north 2 "activity has no field 'tag'" ruta -C north activity add --kind call --tag vip
run sqlite3 north/ruta.db "INSERT INTO account_tag(account_id, tag) VALUES ('$ACME', 'VIP')"
isnt "$rc" 0 "the table's CHECK refuses a tag in capitals from another program"
is "$(tags_on north account "$ACME")" '["bilbao","key account","madrid","vip"]' \
	"a foreign writer cannot store a tag out of its normal form"

# ---- merge-records moves the other record's tags --------------------------------------------------
ok ruta -C north sync
ok ruta -C hq sync
ok ruta -C hq account edit "$BETA" --tag 'beta only' --tag vip
ok ruta -C hq merge-records "$ACME" "$BETA"
expect_stdout "^  moved tag beta only to $ACME\$" "merge-records says which tags moved"
expect_stdout "^  dropped tag vip: $ACME has it already\$" "and which KEEP had"
is "$(tags_on hq account "$ACME")" '["beta only","bilbao","key account","madrid","vip"]' \
	"merge-records: KEEP has the union"
is "$(tags_on hq account "$BETA")" '[]' "merge-records: OTHER keeps none"
is "$(db hq "SELECT count(*) FROM account_tag WHERE account_id = '$ACME' AND tag = 'vip' AND deleted_at IS NULL")" 1 \
	"a tag KEEP had already is not added again"
ok ruta -C north contact add --first-name Ana --last-name Ruiz --tag buyer --tag feria
ANA2=$out
ok ruta -C north contact edit "$ANA" --tag feria
ok ruta -C north merge-records "$ANA" "$ANA2"
is "$(tags_on north contact "$ANA")" '["buyer","feria"]' "merge-records of contacts too"
sync_all
tags_everywhere account "$ACME" '["beta only","bilbao","key account","madrid","vip"]' "merge synced"
tags_everywhere contact "$ANA" '["buyer","feria"]' "contact merge synced"
same_everywhere "after merge-records"
is "$(ruta -C hq conflicts list --json | jq '.conflicts | length')" 0 "no conflict anywhere"

# ---- a snapshot carries the tag rows, tombstones too ---------------------------------------------
ok ruta -C hq snapshot publish
ok ruta init east --team east --root-key root.pub --hub "$PWD/hub.git"
ruta -C east keys export-pub > east.pub
ok ruta -C hq keys endorse east.pub --team east
ok ruta -C hq sync
ok ruta -C east sync
expect_stderr "started from head office's snapshot" "east started from the snapshot"
is "$(tags_on east account "$ACME")" '["beta only","bilbao","key account","madrid","vip"]' \
	"east has the tags from the snapshot"
is "$(db east "SELECT count(*) FROM contact_tag WHERE deleted_at IS NOT NULL")" \
	"$(db hq "SELECT count(*) FROM contact_tag WHERE deleted_at IS NOT NULL")" "and the tombstones"
is "$(ruta -C east state-hash)" "$(ruta -C hq state-hash)" "east has head office's CRM"

# ---- a schema-3 replica migrates ----------------------------------------------------------------
# tests/data/migrate/v3.sql: 'sqlite3 ruta.db .dump' of a head office made by
# ruta at schema 3 (one account, contact and opportunity); its state hash
# then was the one below.
mkdir -p old/keys && sqlite3 old/ruta.db < "$DATA/migrate/v3.sql"
is "$(db old 'PRAGMA user_version')" 3 "the old replica is at schema 3"
ok ruta -C old state-hash
is "$out" ba0b7bd90794bd70db7e4528300d9a3640f884631cc911d9796f83a5a12857ba \
	"migrated: the state hash is the one ruta at schema 3 printed"
is "$(db old 'PRAGMA user_version')" 11 "opening migrated it to the latest schema (11)"
ok ruta -C old account edit 01M8215NSZ6F --tag migrated
is "$(tags_on old account 01M8215NSZ6FQHBZYQKMETMFM1)" '["migrated"]' "the migrated replica takes tags"
is "$(db old "SELECT count(*) FROM ruta_change WHERE tbl = 'account_tag' AND col = 'tag' AND val = 'migrated'")" 1 \
	"and captures them"
ok ruta -C old contact edit 01M8215NV3RK --tag a --untag a
ok ruta -C old opp list --tag migrated --json
is "$out" "[]" "list --tag on a migrated replica"

# ---- accounts made before migration 9 in the funnel --------------------------------------------
# They have no lifecycle history: one counts as a new prospect in the month
# it was created if it is not a lead now, and once its lifecycle changes,
# by its history (a first row from prospect or later: since created_at).
ACC=01M8215NSZ6FQHBZYQKMETMFM1
np() { ruta -C "$1" report funnel --period "$2" --format json >np.json && jget "$(cat np.json)" .total.new_prospects; }
mkdir -p old2/keys && sqlite3 old2/ruta.db < "$DATA/migrate/v3.sql"
sqlite3 old2/ruta.db "UPDATE account SET lifecycle = 'prospect' WHERE id = '$ACC'"
is "$(np old 2026-11) $(np old2 2026-11)" "0 1" \
	"no history: a lead is no new prospect, a prospect counts in the month it was created"
is "$(db old2 "SELECT count(*) FROM account_lifecycle_history")" 0 "(and migrating made no history)"
if command -v faketime >/dev/null 2>&1; then
	ok ruta_at '2026-12-05 10:00:00' -C old account edit "$ACC" --lifecycle prospect
	ok ruta_at '2026-12-05 10:00:00' -C old2 account edit "$ACC" --lifecycle client
	is "$(np old 2026-11) $(np old 2026-12)" "0 1" "the old lead counts when it becomes a prospect"
	is "$(np old2 2026-11) $(np old2 2026-12)" "1 0" \
		"the old prospect that becomes a client still counts when it was created, not again"
else
	skip "faketime is not installed (scripts/deps.sh test)"
fi

done_testing
