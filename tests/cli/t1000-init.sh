#!/bin/sh
# ruta init: head office and team replicas, their keys, and every refusal.
. "$(dirname "$0")/lib.sh"

# key_of FILE: the "type base64" of an OpenSSH public key line (no comment).
key_of() { awk '{ print $1, $2 }' "$1"; }
# tree_hash DIR: a digest of every file's name, mode and content under DIR.
tree_hash() {
	(cd "$1" && find . -type f | sort | while read -r f; do
		printf '%s %s ' "$f" "$(stat -c %a "$f")"
		sha256sum <"$f"
	done) | sha256sum | cut -d' ' -f1
}

# ---- head office -----------------------------------------------------------
ok ruta init hq --head-office --country ES
hq_id=$out
expect_stdout '^hq-[0-9a-z]{10}$' "init prints the replica id (hq-...)"
expect_stderr "created head office's replica in 'hq'" "init says what it created"
for f in ruta.db keys/replica.key keys/replica.pub keys/root.key keys/root.pub; do
	test -f "hq/$f"
	is $? 0 "head office has $f"
done
is "$(stat -c %a hq/keys/replica.key)" 600 "replica.key is mode 0600"
is "$(stat -c %a hq/keys/root.key)" 600 "root.key is mode 0600"
is "$(stat -c %a hq/keys)" 700 "keys/ is mode 0700"
is "$(ssh-keygen -y -f hq/keys/replica.key 2>/dev/null | awk '{ print $1, $2 }')" \
	"$(key_of hq/keys/replica.pub)" "ssh-keygen -y on replica.key gives replica.pub"
is "$(ssh-keygen -y -f hq/keys/root.key 2>/dev/null | awk '{ print $1, $2 }')" \
	"$(key_of hq/keys/root.pub)" "ssh-keygen -y on root.key gives root.pub"
isnt "$(key_of hq/keys/root.pub)" "$(key_of hq/keys/replica.pub)" "the root key is not the replica key"
case $(key_of hq/keys/replica.pub) in ssh-ed25519\ AAAA*) pass "replica.pub is ssh-ed25519" ;;
*) fail "replica.pub is ssh-ed25519" ;; esac

ok ruta -C hq status --json
is "$(jget "$out" .id)" "$hq_id" "status shows the id init printed"
is "$(jget "$out" .head_office)" true "head office: head_office is true"
is "$(jget "$out" .team)" null "head office has no team"
is "$(db hq "SELECT value FROM ruta_meta WHERE key='country'")" ES "country ES is kept"

ok ruta -C hq keys export-pub
is "$out" "$(cat hq/keys/replica.pub)" "keys export-pub prints keys/replica.pub"
ok ruta -C hq keys export-pub --root
is "$out" "$(cat hq/keys/root.pub)" "keys export-pub --root prints keys/root.pub"
printf '%s\n' "$out" >root.pub
expect_exit 2 ruta -C hq keys export-pub --frobnicate
expect_exit 2 ruta -C hq keys
expect_exit 2 ruta -C hq keys frobnicate

# ---- a team ------------------------------------------------------------------
ok ruta init r --team north --root-key root.pub --hub /srv/hub.git --country es --json
is "$(jget "$out" .team)" north "--json: team"
is "$(jget "$out" .head_office)" false "--json: head_office false"
is "$(jget "$out" .dir)" r "--json: dir"
r_id=$(jget "$out" .id)
case $r_id in north-??????????) pass "a team's id starts with its name" ;;
*) fail "a team's id starts with its name"; diag "id: $r_id" ;; esac
is "$(stat -c %a r/keys/replica.key)" 600 "team replica.key is mode 0600"
test -e r/keys/root.key
isnt $? 0 "a team has no root key"
is "$(ssh-keygen -y -f r/keys/replica.key 2>/dev/null | awk '{ print $1, $2 }')" \
	"$(key_of r/keys/replica.pub)" "ssh-keygen -y on the team key gives replica.pub"
is "$(db r "SELECT value FROM ruta_meta WHERE key='root_key'" | awk 'NR == 1 { print $1, $2 }')" \
	"$(key_of root.pub)" "the root key is pinned"
is "$(db r "SELECT instr(value, char(10)) FROM ruta_meta WHERE key='root_key'")" 0 \
	"the pinned root key is one clean line (no newline kept from the file)"
is "$(db r "SELECT value FROM ruta_meta WHERE key='country'")" ES "--country es is kept as ES"
is "$(db r "SELECT value FROM ruta_meta WHERE key='hub_url'")" /srv/hub.git "--hub is kept"
ok ruta -C r keys export-pub
is "$out" "$(cat r/keys/replica.pub)" "team: keys export-pub prints replica.pub"
ok ruta -C r keys export-pub --root
is "$(printf '%s\n' "$out" | awk '{ print $1, $2 }')" "$(key_of root.pub)" \
	"team: keys export-pub --root prints the pinned root key"

ok ruta init r2 --team north
refused r2 1 "root" ruta -C r2 keys export-pub --root
is "$out" "" "a team without a pinned root key prints nothing for --root"
isnt "$(jget "$(ruta -C r2 status --json)" .id)" "$r_id" "two inits of one team get different ids"
isnt "$(key_of r2/keys/replica.pub)" "$(key_of r/keys/replica.pub)" "... and different keys"

mkdir empty
ok ruta init empty --team east
test -f empty/ruta.db
is $? 0 "init accepts an existing empty directory"

# ---- refusals ---------------------------------------------------------------
# An existing replica is never overwritten.
before=$(tree_hash r)
expect_exit 1 ruta init r --team north --root-key root.pub
expect_stderr "^ruta: 'r' already holds a replica" "refuses an existing replica, naming it"
is "$(tree_hash r)" "$before" "the existing replica's files are untouched"
expect_exit 1 ruta init hq --head-office
is "$(key_of hq/keys/root.pub)" "$(key_of root.pub)" "head office's root key is untouched"

mkdir full
echo keep >full/notes.txt
expect_exit 1 ruta init full --team north
expect_stderr "'full' is not empty" "refuses a non-empty directory"
is "$(ls -A full)" notes.txt "the non-empty directory is untouched"
echo x >afile
expect_exit 1 ruta init afile --team north
expect_stderr "'afile' exists and is not a directory"
is "$(cat afile)" x "the file is untouched"

for bad in 'North' 'north!' '-north' 'a_b' 'abcdefghijabcdefghijabcdefghijabc' ''; do
	expect_exit 1 ruta init bad --team "$bad"
	expect_stderr "team name '$bad' is not allowed" "team name '$bad' refused, named"
	test -e bad
	isnt $? 0 "no directory left behind for team '$bad'"
done
ok ruta init ok32 --team abcdefghijabcdefghijabcdefghijab
is "$(jget "$(ruta -C ok32 status --json)" .team)" abcdefghijabcdefghijabcdefghijab "a 32-character team name is fine"

expect_exit 2 ruta init nobody
expect_stderr "--team NAME or --head-office" "neither --team nor --head-office is a usage error"
test -e nobody
isnt $? 0 "no directory left behind without a role"
expect_exit 1 ruta init both --team north --head-office
expect_stderr "either head office or a team" "--team with --head-office refused"
test -e both
isnt $? 0 "no directory left behind for both roles"
expect_exit 2 ruta init --team north
expect_stderr "give one directory" "init without a directory"
expect_exit 2 ruta init a b --team north
expect_exit 2 ruta init x --team
expect_exit 2 ruta init x --team north --frobnicate
expect_stderr "'--frobnicate'"
test -e x
isnt $? 0 "no directory left behind after a usage error"

expect_exit 1 ruta init hub --team north --hub ''
expect_stderr "hub url is empty" "an empty --hub is refused"
test -e hub
isnt $? 0 "no directory left behind for an empty hub"
expect_exit 1 ruta init cc --team north --country XX
expect_stderr "country: 'XX' is not a country code" "a bad country is named"
test -e cc
isnt $? 0 "no directory left behind for a bad country"

# The root key must be a real ssh-ed25519 public key.
echo 'this is not a key' >garbage.pub
expect_exit 1 ruta init g --team north --root-key garbage.pub
expect_stderr "root key 'garbage.pub'.*not an ssh-ed25519 public key" "a garbage root key is refused, named"
test -e g
isnt $? 0 "no directory left behind for a garbage root key"
mkdir g2
expect_exit 1 ruta init g2 --team north --root-key garbage.pub
is "$(ls -A g2)" "" "an empty directory given stays empty after a refused init"
sed 's/AAAA/BBBB/' root.pub >mangled.pub
expect_exit 1 ruta init g3 --team north --root-key mangled.pub
test -e g3
isnt $? 0 "no directory left behind for a mangled root key"
expect_exit 1 ruta init g4 --team north --root-key missing.pub
expect_stderr "missing.pub" "a missing root key file is named"
test -e g4
isnt $? 0 "no directory left behind for a missing root key"
ok ruta init g5 --team north --root-key hq/keys/root.pub
is "$(db g5 "SELECT value FROM ruta_meta WHERE key='root_key'" | awk 'NR == 1 { print $1, $2 }')" \
	"$(key_of root.pub)" "the root key file from head office's keys/ works too"

# Files a replica opens are checked too.
mkdir notreplica
echo junk >notreplica/ruta.db
expect_exit 1 ruta -C notreplica status
expect_stderr "ruta: " "a junk ruta.db is refused with a message"

done_testing
