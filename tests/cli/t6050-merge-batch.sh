#!/bin/sh
# Many records of one table and the same fields in one changeset are
# written by one statement (src/lib/batch.c), yet each merges as it would
# alone: sequential edits are written, concurrent ones open conflicts, an
# edit of a record deleted here is kept and flagged, a new record is
# created, and a bad value is refused naming its record, with nothing
# written.
. "$(dirname "$0")/lib.sh"

setup_hub
ok ruta -C north sync
ok ruta -C south sync

# sector_at REPLICA N: the sector of north's account number N at REPLICA
sector_at() { db "$1" "SELECT sector FROM account WHERE name = printf('Acc %02d', $2)"; }
# id_of N: the id of account number N
id_of() { db north "SELECT id FROM account WHERE name = printf('Acc %02d', $1)"; }
# open_on REPLICA N FIELD: the policy of the open conflict on that field, if any
open_on() {
	ruta -C "$1" conflicts list --json | jq -r --arg r "$(id_of "$2")" --arg f "$3" \
		'.conflicts[] | select(.record == $r and .field == $f) | .policy'
}

# Twelve accounts from north, made by a writer ruta captures.
ok sqlite3 north/ruta.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
	WHERE i < 12) INSERT INTO account(name, sector) SELECT printf('Acc %02d', i), 'retail' FROM n"
sync_all
is "$(db south "SELECT count(*) FROM account WHERE name LIKE 'Acc %'")" 12 "south has the twelve"

# Meanwhile south changes accounts 1 to 3 and deletes 4 ...
for n in 1 2 3; do ok ruta -C south account edit "$(id_of $n)" --sector wine; done
ok ruta -C south account rm "$(id_of 4)"
# ... and north moves all twelve to another sector, renames 10 to 12 in the
# same changeset (another shape), and adds one.
ok sqlite3 north/ruta.db "UPDATE account SET sector = 'transport' WHERE name LIKE 'Acc %'"
ok sqlite3 north/ruta.db "UPDATE account SET legal_name = name || ' S.L.'
	WHERE name IN ('Acc 10', 'Acc 11', 'Acc 12')"
ok ruta -C north account add --name 'Acc 13' --sector transport
ok ruta -C south sync
run ruta -C north sync
is "$(db north "SELECT count(*) FROM ruta_changeset WHERE replica = '$NORTH'")" 2 \
	"north's edits went out in one changeset"
run ruta -C south sync
is "$rc" 3 "south's sync leaves conflicts open"

for n in 5 6 7 8 9 10 11 12; do
	is "$(sector_at south $n)" transport "account $n: north's edit, a sequential one, is written"
done
is "$(db south "SELECT count(*) FROM account WHERE legal_name = name || ' S.L.'")" 3 \
	"the other shape's three are written"
is "$(sector_at south 13)" transport "the new account is created"
for n in 1 2 3; do
	is "$(open_on south $n sector)" last-writer-wins "account $n: the concurrent edit opens a conflict"
	is "$(ruta -C south conflicts list --json | jq -r --arg r "$(id_of $n)" \
		'[.conflicts[] | select(.record == $r) | .heads[].value] | sort | join(",")')" \
		transport,wine "... with both values"
done
is "$(open_on south 4 deleted_at)" delete-vs-edit "the edit of the account deleted here is flagged"
is "$(ruta -C south conflicts list --json | jq '.conflicts | length')" 4 "and nothing else is open"
sync_all
same_everywhere "after a changeset of many records"

# More records of one shape than one statement takes (1,024), one of them
# near the end edited at south too.
ok sqlite3 north/ruta.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
	WHERE i < 1100) INSERT INTO account(name, region) SELECT printf('Big %04d', i), 'Rioja' FROM n"
sync_all
LATE=$(db south "SELECT id FROM account WHERE name LIKE 'Big %' ORDER BY id LIMIT 1 OFFSET 1060")
ok ruta -C south account edit "$LATE" --region Galicia
run ruta -C south sync
ok sqlite3 north/ruta.db "UPDATE account SET region = 'Madrid' WHERE name LIKE 'Big %'"
run ruta -C north sync
run ruta -C south sync
is "$(db south "SELECT count(*) FROM account WHERE name LIKE 'Big %' AND id <> '$LATE'
	AND region = 'Madrid'")" 1099 "all of north's sequential edits are written"
is "$(ruta -C south conflicts list --json | jq -r --arg r "$LATE" \
	'[.conflicts[] | select(.record == $r) | .heads[].value] | sort | join(",")')" Galicia,Madrid \
	"the concurrent one opens a conflict"
sync_all
same_everywhere "after a changeset of 1,100 records of one shape"

# A bad value in a record that a batch writes: refused, naming the record.
ok sqlite3 north/ruta.db "UPDATE account SET email = lower(replace(name, ' ', '')) || '@example.com'
	WHERE name BETWEEN 'Acc 05' AND 'Acc 09'"
mkdir stick
ok ruta -C north export --out stick --json
CS=stick/$(cs_file "$NORTH" "$(jget "$out" .seq)")
ok test -f "$CS"
# the middle one of the five records, as they are sorted by id
MID=$(jq -r '.records[2].id' "$CS")
MAIL=$(db north "SELECT email FROM account WHERE id = '$MID'")
sed "s/\"$MAIL\"/\"not-an-email\"/" "$CS" > bad.json && mv bad.json "$CS"
ok grep -q not-an-email "$CS"
sign_cs north/keys/replica.key "$CS"
BEFORE=$(ruta -C south state-hash)
run ruta -C south apply stick
is "$rc" 1 "a changeset with a value the schema refuses is refused"
expect_stderr "record 2: applying refused by the schema: CHECK constraint failed" \
	"the message names the record and the rule"
is "$(ruta -C south state-hash)" "$BEFORE" "nothing of it is written"
is "$(db south "SELECT count(*) FROM account WHERE email IS NOT NULL")" 0 \
	"not even the records before the bad one"
done_testing
