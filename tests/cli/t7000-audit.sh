#!/bin/sh
# ruta audit verify: a hub verified from the pinned root key alone. An
# untouched hub verifies good with the right figures; then each tampering,
# made with stock git plumbing (hash-object, mktree, commit-tree, update-ref)
# on a fresh copy of the hub, is reported by name and place, with exit 4.
. "$(dirname "$0")/lib.sh"

setup_hub

# north's changesets 1 to 4, one commit each; south's 1; head office's 1.
must ruta -C north account add --name 'Acme S.L.' --city Madrid
ACME=$out
must ruta -C north sync
must ruta -C south sync
must ruta -C south account edit "$ACME" --city Sevilla
must ruta -C south sync
for n in 40 41 42; do
	must ruta -C north account edit "$ACME" --employees $n
	must ruta -C north sync
done
must ruta -C hq sync
must ruta -C hq account edit "$ACME" --lifecycle prospect
must ruta -C hq sync

# ---- helpers: rewriting hub commits with git plumbing ---------------------------

GIT_AUTHOR_NAME=mallory GIT_AUTHOR_EMAIL=mallory@example.org
GIT_COMMITTER_NAME=mallory GIT_COMMITTER_EMAIL=mallory@example.org
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

# audit HUB: audit verify of that hub at head office, JSON in $out.
audit() { run ruta -C hq audit verify --hub "$PWD/$1.git" --json; }

# problem KIND PATTERN NAME: the report has a problem of KIND whose message matches.
problem() {
	_got=$(jsql "$out" "SELECT p.value->>'kind' || ' ' || coalesce(p.value->>'commit', '') ||
		' ' || coalesce(p.value->>'file', '') || ' ' || coalesce(p.value->>'seq', '') || ': ' ||
		(p.value->>'message') FROM j, json_each(j.doc, '\$.problems') p")
	printf '%s\n' "$_got" | grep -Eq -- "^$1 .*$2"
	_report $? "$3" || diag "problems: $_got"
}

NK=north/keys/replica.key
SK=south/keys/replica.key
HK=hq/keys/replica.key
chmod 600 $NK $SK $HK
CS=changesets/$NORTH

# ---- an untouched hub -------------------------------------------------------------

ok ruta -C hq audit verify
expect_stdout "^changesets +6$" "the summary counts the changesets"
expect_stdout "^replicas +3$" "... of three replicas"
expect_stdout "^problems +0$" "... and no problem"
expect_stderr "hub verified" "and says the hub verified"
SQL="SELECT count(*) || ' ' || sum((SELECT sum((SELECT count(*) FROM json_each(r.value, '\$.f')))
	FROM json_each(CAST(body AS TEXT), '\$.records') r)) || ' ' ||
	min(json_extract(CAST(body AS TEXT), '\$.hlc.min')) || ' ' ||
	max(json_extract(CAST(body AS TEXT), '\$.hlc.max')) FROM ruta_changeset"
WANT=$(db hq "$SQL")
ok ruta -C hq audit verify --json
is "$(jget "$out" .changesets) $(jget "$out" .changes) $(jget "$out" .hlc_first) $(jget "$out" .hlc_last)" \
	"$WANT" "changesets, changes, first and last hlc are those head office holds"
is "$(jget "$out" .replicas) $(jget "$out" .keys) $(jget "$out" .trust_version) $(jget "$out" .branches)" \
	"3 3 3 4" "replicas, keys, trust version and branches"
is "$(jget "$out" .ok)" true "ok is true"
ok ruta -C north audit verify
expect_stdout "^problems +0$" "a team verifies the hub from its pinned root key too"
run ruta -C hq audit verify --bogus
is "$rc $(printf '%s' "$err" | grep -c "unknown option '--bogus'")" "2 1" \
	"an unknown option of audit verify is a usage error that names it"
run ruta -C hq audit verify --hub
is "$rc $(printf '%s' "$err" | grep -c -- "--hub needs a URL or path")" "2 1" \
	"--hub with no value says what it needs"
expect_exit 5 ruta -C hq audit verify --hub git://127.0.0.1:1/x.git
expect_stderr "cannot be reached.*try again later" "an unreachable hub: exit 5, try later"

N1=$(nth hub.git "ruta/$NORTH" 1)
N2=$(nth hub.git "ruta/$NORTH" 2)
N3=$(nth hub.git "ruta/$NORTH" 3)
N4=$(nth hub.git "ruta/$NORTH" 4)

# ---- a byte of changeset 2 changed ----------------------------------------------
fresh byte
F=$(cs_file "$NORTH" 2)
g byte.git show "$N2:$CS/$F" | sed 's/"employees":\[40/"employees":[90/' > f.json
g byte.git show "$N2:$CS/$F.sig" > f.sig
cmp -s f.json "$(g byte.git show "$N2:$CS/$F" > g.json; echo g.json)" &&
	diag "the change did not take"
T2=$(make_tree byte.git "$CS" "$F" "$(blob byte.git f.json)" "$F.sig" "$(blob byte.git f.sig)")
stack byte.git "ruta/$NORTH" "$N1" $NK "$T2" "$(tree_of byte.git $N3)" "$(tree_of byte.git $N4)"
audit byte
is "$rc" 4 "a changed byte: exit 4"
problem signature "$CS/$F : bad changeset signature" "the changed changeset's signature fails"
problem chain ".* 3: chain broken: changeset 3's prev is not the hash of changeset 2" \
	"and the next one no longer chains to it"
expect_stderr "failed verification: 2 problems" "two problems, said on stderr"

# ---- changeset 2 dropped: a gap ---------------------------------------------------
fresh gap
stack gap.git "ruta/$NORTH" "$N1" $NK "$(tree_of gap.git $N3)" "$(tree_of gap.git $N4)"
audit gap
is "$rc" 4 "a dropped changeset: exit 4"
problem gap ".* 3: gap: changeset 2 of replica $NORTH is missing before this one" \
	"the gap is reported at the changeset after it"
is "$(jget "$out" .problems_count)" 1 "and nothing else"

# ---- changesets 2 and 3 swapped --------------------------------------------------
fresh reorder
stack reorder.git "ruta/$NORTH" "$N1" $NK "$(tree_of reorder.git $N3)" \
	"$(tree_of reorder.git $N2)" "$(tree_of reorder.git $N4)"
audit reorder
is "$rc" 4 "reordered changesets: exit 4"
problem order ".* 3: reordered: changeset 3 of replica $NORTH comes before changeset 2" \
	"the reordering is reported"
is "$(jget "$out" .problems_count)" 1 "and nothing else"

# ---- changeset 1 replayed as a new commit ----------------------------------------
fresh replay
stack replay.git "ruta/$NORTH" "$N4" $NK "$(tree_of replay.git $N1)"
REPLAYED=$(g replay.git rev-parse "ruta/$NORTH")
audit replay
is "$rc" 4 "a replayed changeset: exit 4"
problem replay "$REPLAYED .* 1: changeset 1 of replica $NORTH is replayed: the same bytes are already in commit $(echo $N1 | cut -c1-12)" \
	"the replay is reported at the new commit"
is "$(jget "$out" .problems_count)" 1 "and nothing else"

# ---- the same changeset on another replica's branch -------------------------------
fresh elsewhere
stack elsewhere.git "ruta/$SOUTH" "$(g elsewhere.git rev-parse "ruta/$SOUTH")" $SK \
	"$(tree_of elsewhere.git $N2)"
audit elsewhere
is "$rc" 4 "a changeset copied to another branch: exit 4"
problem layout "2: branch ruta/$SOUTH carries changeset 2 of replica $NORTH" "reported as misplaced"
problem replay "2: changeset 2 of replica $NORTH is replayed" "and as a replay"

# ---- a commit signed with another replica's key ----------------------------------
fresh commitsig
stack commitsig.git "ruta/$NORTH" "$N3" $SK "$(tree_of commitsig.git $N4)"
audit commitsig
is "$rc" 4 "a commit signed by another replica: exit 4"
problem commit-signature "the commit is signed by the key of replica $SOUTH, not by $NORTH's" \
	"the commit's signer is named"
is "$(jget "$out" .problems_count)" 1 "and nothing else"

# ---- an unsigned commit -----------------------------------------------------------
fresh unsigned
C=$(g unsigned.git commit-tree -p "$N3" -m unsigned "$(tree_of unsigned.git $N4)")
g unsigned.git update-ref "refs/heads/ruta/$NORTH" "$C"
audit unsigned
is "$rc" 4 "an unsigned commit: exit 4"
problem commit-signature "$C .*the commit is not signed" "the unsigned commit is reported"

# ---- north's changeset 5 signed with south's key ----------------------------------
fresh otherkey
F4=$(cs_file "$NORTH" 4)
F5=$(cs_file "$NORTH" 5)
g otherkey.git show "$N4:$CS/$F4" > f4.json
H4=$(sha256sum f4.json | cut -d' ' -f1)
sed -e 's/"seq":4}$/"seq":5}/' -e "s/\"prev\":\"[0-9a-f]*\"/\"prev\":\"$H4\"/" f4.json > "$F5"
sign_cs $SK "$F5"
on_top otherkey "$NORTH" $NK "$F5"
audit otherkey
is "$rc" 4 "a changeset signed with another team's key: exit 4"
problem key ".* 5: changeset 5 of replica $NORTH is signed by the key of replica $SOUTH \\(team south\\)" \
	"the key's replica and team are named"
is "$(jget "$out" .problems_count)" 1 "and nothing else"

# ---- north's changeset 5 claims to have seen another south changeset 1 -------------
fresh witness
BAD=$(printf '1%.0s' $(seq 64))
sed -e 's/"seq":4}$/"seq":5}/' -e "s/\"prev\":\"[0-9a-f]*\"/\"prev\":\"$H4\"/" \
	-e "s/\"deps\":{[^}]*}[}]*/\"deps\":{\"$SOUTH\":{\"hash\":\"$BAD\",\"seq\":1}}/" f4.json > "$F5"
sign_cs $NK "$F5"
on_top witness "$NORTH" $NK "$F5"
audit witness
is "$rc" 4 "a fork witnessed through deps: exit 4"
problem deps ".* 5: fork witnessed: replica $NORTH had applied a changeset 1 of replica $SOUTH with another hash" \
	"the witness is reported"
is "$(jget "$out" .problems_count)" 1 "and nothing else"

# ---- a second, different changeset 2 of north, signed with north's own key -------
fresh fork
F2=$(cs_file "$NORTH" 2)
g fork.git show "$N2:$CS/$F2" | sed 's/"employees":\[40/"employees":[77/' > "$F2"
sign_cs $NK "$F2"
on_top fork "$NORTH" $NK "$F2"
audit fork
is "$rc" 4 "a fork: exit 4"
problem fork ".* 2: fork: a second, different changeset 2 of replica $NORTH \\(the first is in commit $(echo $N2 | cut -c1-12)\\)" \
	"the second changeset 2 is reported as a fork"
is "$(jget "$out" .problems_count)" 1 "and nothing else"

# ---- a trust file rolled back -----------------------------------------------------
fresh rollback
sqlite3 hq/ruta.db "SELECT text FROM ruta_trust WHERE version = 2" > v2.txt
sqlite3 hq/ruta.db "SELECT sig FROM ruta_trust WHERE version = 2" > v2.sig
# sqlite3 adds a line end after each value; the stored ones end with one already
head -c -1 v2.txt > ruta-trust-00000002.txt
head -c -1 v2.sig > ruta-trust-00000002.txt.sig
T=$(make_tree rollback.git trust ruta-trust-00000002.txt "$(blob rollback.git ruta-trust-00000002.txt)" \
	ruta-trust-00000002.txt.sig "$(blob rollback.git ruta-trust-00000002.txt.sig)")
stack rollback.git ruta/trust "$(g rollback.git rev-parse ruta/trust)" $HK "$T"
audit rollback
is "$rc" 4 "a trust file rolled back: exit 4"
problem trust-rollback "trust/ruta-trust-00000002.txt : trust file version 2 comes after version 3" \
	"the rollback is reported"
is "$(jget "$out" .problems_count)" 1 "and nothing else"

# ---- a trust file not signed by the root key --------------------------------------
fresh forged
sed 's/^# version 2$/# version 9/' ruta-trust-00000002.txt > ruta-trust-00000009.txt
rm -f ruta-trust-00000009.txt.sig
ssh-keygen -q -Y sign -f $HK -n ruta-trust ruta-trust-00000009.txt 2>/dev/null
T=$(make_tree forged.git trust ruta-trust-00000009.txt "$(blob forged.git ruta-trust-00000009.txt)" \
	ruta-trust-00000009.txt.sig "$(blob forged.git ruta-trust-00000009.txt.sig)")
stack forged.git ruta/trust "$(g forged.git rev-parse ruta/trust)" $HK "$T"
audit forged
is "$rc" 4 "a trust file signed by another key: exit 4"
problem trust "trust file not taken: it is signed by a key that is not the pinned root key" \
	"it is not taken"

# ---- a branch forced back after a good audit --------------------------------------
fresh forced
audit forced
is "$rc" 0 "the copy verifies, and its branch tips become the checkpoint"
is "$(db hq "SELECT count(*) FROM ruta_audit WHERE hub = '$PWD/forced.git'")" 4 \
	"one checkpoint row per branch"
g forced.git update-ref "refs/heads/ruta/$NORTH" "$N2"
audit forced
is "$rc" 4 "a branch forced back: exit 4"
problem rewritten "branch ruta/$NORTH was rewritten: its tip $(echo $N2 | cut -c1-12) does not descend from commit $(echo $N4 | cut -c1-12)" \
	"the rewrite is reported"
HQID=$(db hq "SELECT value FROM ruta_meta WHERE key = 'replica_id'")
problem deps "changeset 1 of replica $HQID depends on changeset 4 of replica $NORTH, which the hub does not hold" \
	"head office's changeset witnesses the changesets the branch lost"
is "$(jget "$out" .problems_count)" 2 "and nothing else"
for h in "file://TRASH/forced.git" "TRASH/forced.git/" "TRASH/./forced.git"; do
	run ruta -C hq audit verify --hub "$(printf '%s' "$h" | sed "s|TRASH|$PWD|")" --json
	problem rewritten "branch ruta/$NORTH was rewritten" "the same hub spelled $h finds the checkpoint"
done
g forced.git update-ref -d "refs/heads/ruta/$SOUTH"
audit forced
problem rewritten "branch ruta/$SOUTH is gone from the hub" "a deleted branch is reported"

# ---- a hub on a server: fetched into the replica first, then the same checks ---------
PORT=$((40000 + $$ % 20000))
git_daemon $PORT daemon.pid
trap 'kill "$(cat "$TRASH/daemon.pid")" 2>/dev/null; cd / && rm -rf "$TRASH"' EXIT
HUBREFS=$(git --git-dir=hq/git for-each-ref refs/hub)
run ruta -C hq audit verify --hub "git://127.0.0.1:$PORT/hub.git" --json
is "$rc" 0 "a hub over git:// verifies"
is "$(jget "$out" .changesets) $(jget "$out" .changes) $(jget "$out" .hlc_first) $(jget "$out" .hlc_last)" \
	"$WANT" "with the same figures as by path"
run ruta -C hq audit verify --hub "git://127.0.0.1:$PORT/gap.git" --json
is "$rc" 4 "a tampered hub over git://: exit 4"
problem gap ".* 3: gap: changeset 2 of replica $NORTH is missing before this one" \
	"the same problem as by path"
is "$(git --git-dir=hq/git for-each-ref refs/hub) / $(git --git-dir=hq/git for-each-ref refs/audit | wc -l)" \
	"$HUBREFS / 4" "what an audit fetched is in refs/audit, apart from what pulls judge"

# ---- a changeset signed after its replica was revoked ------------------------------
must ruta -C hq keys revoke "$SOUTH"
must ruta -C hq sync
must ruta -C south account edit "$ACME" --city Cadiz
must ruta -C south sync
audit hub
is "$rc" 4 "a changeset after revocation: exit 4"
problem revoked ".* 2: replica $SOUTH was revoked after its changeset 1; changeset 2 is signed with its revoked key" \
	"the revoked key is reported at the changeset"
is "$(jget "$out" .problems_count)" 1 "and nothing else"
run ruta -C hq audit verify
is "$rc" 4 "the human report exits 4 too"
expect_stdout "^problem revoked: ruta/$SOUTH commit [0-9a-f]{12} changesets/$SOUTH/$SOUTH-00000002.json seq 2: replica" \
	"and names branch, commit, file and seq"

# ---- the hub withholds the revocation: its trust branch back at version 3 ----------
fresh withheld
g withheld.git update-ref refs/heads/ruta/trust "$(g withheld.git rev-parse ruta/trust~1)"
audit withheld
is "$rc" 4 "a hub withholding head office's newest trust file: exit 4"
problem trust-withheld "hub's newest trust file is version 3; this replica holds version 4: the hub withholds it" \
	"the withheld trust file is reported"
problem revoked ".* 2: replica $SOUTH was revoked after its changeset 1" \
	"and this replica's own version 4 still judges the revoked replica's changeset"
is "$(jget "$out" .problems_count) $(jget "$out" .trust_version)" "2 4" \
	"and nothing else; the report names the version that judged"

# ---- north's key replaced: the old one stays good up to what head office held ----
# As ruta apply judges them (format.md §7.4): version 5 endorses north's new
# key and keeps the old one in a '# replaced' line, after north's changeset 4.
ssh-keygen -q -t ed25519 -N '' -C "$NORTH" -f north2.key
chmod 600 north2.key
must ruta -C hq keys endorse north2.key.pub --team north
# the sync pushes version 5, and refuses south's changeset 2 again (exit 4)
run ruta -C hq sync
g hub.git ls-tree -r --name-only ruta/trust | grep -q 'ruta-trust-00000005.txt$' ||
	{ echo "Bail out! setup failed: trust version 5 not on the hub: $err"; exit 1; }
fresh rotated
sed -e 's/"seq":4}$/"seq":5}/' -e "s/\"prev\":\"[0-9a-f]*\"/\"prev\":\"$H4\"/" f4.json > "$F5"
sign_cs $NK "$F5"
on_top rotated "$NORTH" north2.key "$F5"
audit rotated
is "$rc" 4 "a changeset signed with a replaced key: exit 4"
problem replaced ".* 5: replica $NORTH's key SHA256:[^ ]* was replaced after its changeset 4; changeset 5 is signed with the former key" \
	"a changeset signed with the replaced key after that is reported"
is "$(jget "$out" .problems_count) $(jget "$out" .trust_version)" "2 5" \
	"changesets 1 to 4, signed before the key was replaced, stay good (the other problem is south's); version 5 judged"
g hub.git show ruta/trust:trust/ruta-trust-00000005.txt | grep -q "^# replaced $NORTH after-seq 4 ssh-ed25519 $(cut -d' ' -f2 north.pub)\$"
_report $? "trust file version 5 keeps north's former key in a '# replaced' line"

# ---- the checkpoint keeps the trust version: an older one later is withheld ---------
# north holds trust version 3 only: what it requires of the hub after a good
# audit comes from the checkpoint alone.
fresh trustonly
g trustonly.git for-each-ref --format='%(refname)' refs/heads | grep -v '^refs/heads/ruta/trust$' |
	while read -r ref; do g trustonly.git update-ref -d "$ref"; done
run ruta -C north audit verify --hub "$PWD/trustonly.git" --json
is "$rc $(jget "$out" .trust_version)" "0 5" "north verifies a hub with trust version 5"
is "$(db north "SELECT DISTINCT trust_version FROM ruta_audit WHERE hub = '$PWD/trustonly.git'")" 5 \
	"the checkpoint keeps version 5"
g trustonly.git update-ref refs/heads/ruta/trust "$(g trustonly.git rev-parse ruta/trust~2)"
run ruta -C north audit verify --hub "$PWD/trustonly.git" --json
is "$rc" 4 "the hub back at trust version 3: exit 4"
problem trust-withheld "hub's newest trust file is version 3; the audit of .* verified version 5 on it: the hub withholds it" \
	"the checkpoint's trust version is required"

# ---- a file name with a terminal escape in it: printed made safe ------------------
fresh escape
ESC=$(printf '\033')
printf 'x' > x.txt
T=$(printf '100644 blob %s\tx%s[2Jy\n' "$(blob escape.git x.txt)" "$ESC" | g escape.git mktree)
T=$(printf '040000 tree %s\t%s\n' "$T" "$NORTH" | g escape.git mktree)
T=$(printf '040000 tree %s\tchangesets\n' "$T" | g escape.git mktree)
stack escape.git "ruta/$NORTH" "$(g escape.git rev-parse "ruta/$NORTH")" north2.key "$T"
run ruta -C hq audit verify --hub "$PWD/escape.git"
is "$rc" 4 "a file with an escape in its name: exit 4"
expect_stdout "^problem layout: ruta/$NORTH commit [0-9a-f]{12} changesets/$NORTH/x\\?\\[2Jy: a file that has no place" \
	"the file is named with the escape made a ?"
is "$(printf '%s' "$out" | grep -c "$ESC")" 0 "and no escape reaches the terminal"

# ---- a file name that is not UTF-8: reported with '?' in its place -----------------
fresh latin
T=$(printf '100644 blob %s\tx\351y\n' "$(blob latin.git x.txt)" | g latin.git mktree)
T=$(printf '040000 tree %s\t%s\n' "$T" "$NORTH" | g latin.git mktree)
T=$(printf '040000 tree %s\tchangesets\n' "$T" | g latin.git mktree)
stack latin.git "ruta/$NORTH" "$(g latin.git rev-parse "ruta/$NORTH")" north2.key "$T"
run ruta -C hq audit verify --hub "$PWD/latin.git" --json
is "$rc" 4 "a file whose name is not UTF-8: the audit still reports, exit 4"
problem layout "changesets/$NORTH/x\\?y : a file that has no place" "the name is shown with ? for the byte"

# ---- a hub commit that cannot be read: the error names it -------------------------
fresh broken
printf 'tree %s\nparent %s\nauthor m <m@x> 0 +0000\ncommitter m <m@x> 0 +0000\n\nx\n' \
	"$(printf '1%.0s' $(seq 40))" "$(g broken.git rev-parse "ruta/$NORTH")" > c.txt
C=$(g broken.git hash-object -t commit -w --literally c.txt)
g broken.git update-ref "refs/heads/ruta/$NORTH" "$C"
run ruta -C hq audit verify --hub "$PWD/broken.git"
isnt "$rc" 0 "a hub commit whose tree is missing fails the audit"
expect_stderr "reading hub commit $(echo "$C" | cut -c1-12)" "and the error names the commit"

done_testing
