#!/bin/sh
# Killing `ruta sync` at random points, fifty times in a row, loses nothing
# and applies nothing twice: afterwards every replica holds the same CRM, and
# every changeset a team made is on the hub exactly once.
. "$(dirname "$0")/lib.sh"

setup_hub
sqlite3 north/ruta.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
	INSERT INTO account(name, city) SELECT 'North ' || i, 'n0' FROM n"
sqlite3 south/ruta.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
	INSERT INTO account(name, city) SELECT 'South ' || i, 's0' FROM n"

killed=0
round=1
while [ $round -le 50 ]; do
	t=north
	[ $((round % 2)) -eq 0 ] && t=south
	sqlite3 $t/ruta.db "UPDATE account SET city = '$t$round' WHERE name LIKE '${t}%' COLLATE NOCASE"
	"$RUTA" -C $t sync >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$(od -An -N1 -tu1 /dev/urandom | tr -d ' ' | cut -c1)"
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	round=$((round + 1))
done
diag "killed $killed of 50 syncs mid-way"
cmp_ok "$killed" -gt 5 "many syncs were really killed mid-way"

# Two quiet rounds finish whatever the killed syncs left.
for pass in 1 2; do
	for r in north south hq; do ok ruta -C $r sync; done
done
HQ=$(ruta -C hq state-hash)
is "$(ruta -C north state-hash)" "$HQ" "north holds head office's CRM"
is "$(ruta -C south state-hash)" "$HQ" "south holds head office's CRM"
is "$(sqlite3 hq/ruta.db "SELECT count(*) FROM account WHERE city = 'north49' OR city = 'south50'")" 400 \
	"the last edits of both teams arrived"
for t in north south; do
	id=$(cut -d' ' -f3 $t.pub)
	own=$(jget "$(ruta -C $t status --json)" .own_seq)
	is "$(jget "$(ruta -C $t status --json)" .unexported)" 0 "$t exported everything"
	on_hub=$(git --git-dir=hub.git log --format=%H "ruta/$id" | while read -r c; do
		git --git-dir=hub.git ls-tree -r --name-only "$c"; done | grep -c '\.json$')
	is "$on_hub" "$own" "$t's $own changesets are on the hub, each once"
	is "$(sqlite3 hq/ruta.db "SELECT count(*) FROM ruta_changeset WHERE replica = '$id'")" "$own" \
		"head office applied each of $t's changesets once"
done
is "$(sqlite3 hq/ruta.db 'SELECT count(*) FROM ruta_quarantine')" 0 "nothing was refused"

# A sync killed while creating the replica's git repository, as older ruta
# could leave it: HEAD not yet written, its lock still there.
ok ruta init east --team east --root-key root.pub --hub "$PWD/hub.git"
git init -q --bare east/git
rm east/git/HEAD
: > east/git/HEAD.lock
ok ruta -C east sync
is "$(ruta -C east state-hash)" "$HQ" "a half-made git repository is completed and syncs"

done_testing
