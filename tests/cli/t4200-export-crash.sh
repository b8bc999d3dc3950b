#!/bin/sh
# Sealing a changeset is atomic with marking its changes exported: killing
# `ruta export` at any moment neither loses a change nor exports one twice.
# Thirty exports are killed at random points; afterwards head office applies
# every changeset in order and holds exactly the team's CRM.
. "$(dirname "$0")/lib.sh"

ok ruta init hq --head-office
ruta -C hq keys export-pub --root > root.pub
ok ruta init north --team north --root-key root.pub
ruta -C north keys export-pub > north.pub
ok ruta -C hq keys endorse north.pub --team north
mkdir stick
ok ruta -C hq export --out stick
ok ruta -C north apply stick

# Enough work that an export takes a while: 300 accounts, edited each round.
sqlite3 north/ruta.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
	INSERT INTO account(name, city) SELECT 'Account ' || i, 'c0' FROM n"
killed=0
round=1
while [ $round -le 30 ]; do
	sqlite3 north/ruta.db "UPDATE account SET city = 'c$round', employees = $round"
	"$RUTA" -C north export --out stick >/dev/null 2>&1 &
	pid=$!
	# somewhere between not started and done
	sleep "0.0$(od -An -N1 -tu1 /dev/urandom | tr -d ' ' | cut -c1)"
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	round=$((round + 1))
done
diag "killed $killed of 30 exports mid-way"

# A last export finishes what the killed ones left; nothing is left behind.
ok ruta -C north export --out stick
ok ruta -C north status --json
is "$(jget "$out" .unexported)" 0 "every captured change is in a changeset"
seqs=$(jget "$out" .own_seq)
is "$(sqlite3 north/ruta.db 'SELECT count(*) FROM ruta_change WHERE seq > (SELECT exported_seq FROM ruta_sync_state)')" 0 \
	"the export mark covers the whole log"
is "$(sqlite3 north/ruta.db 'SELECT count(*) FROM ruta_changeset WHERE written = 0')" 0 \
	"every sealed changeset was written out"
is "$(ls stick/north-*.json | wc -l)" "$seqs" "one file per changeset, none missing"

# Head office applies them all, in order, none twice, none refused.
ok ruta -C hq apply stick --json
is "$(jget "$out" .applied)" "$seqs" "head office applies every changeset"
is "$(jget "$out" .refused)" 0 "none is refused"
is "$(jget "$out" .waiting)" 0 "none waits: the chain has no gap"
is "$(ruta -C hq state-hash)" "$(ruta -C north state-hash)" "head office holds exactly north's CRM"
is "$(sqlite3 hq/ruta.db "SELECT count(*) FROM account WHERE city = 'c30' AND employees = 30")" 300 \
	"the last round's edits arrived"

done_testing
