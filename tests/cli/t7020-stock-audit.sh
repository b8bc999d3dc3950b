#!/bin/sh
# examples/stock-audit.sh, docs/audit.md's stock-tool recipe in one script,
# against `ruta audit verify` on the same hubs. An untouched hub with a
# windowed key sealed after its window, a revoked replica and a replaced key
# is good for both; each tampering (stock git plumbing on a fresh copy, or a
# real replica syncing with it) makes the script exit 1 with the problem's
# tag line, and ruta audit verify exit 4 with the same problem.
STOCK=$(cd "$(dirname "$0")/../.." && pwd)/examples/stock-audit.sh
. "$(dirname "$0")/lib.sh"

GIT_AUTHOR_NAME=mallory GIT_AUTHOR_EMAIL=mallory@example.org
GIT_COMMITTER_NAME=mallory GIT_COMMITTER_EMAIL=mallory@example.org
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

# ---- the hub: head office, north, south, temp (a window), gone (revoked) ----------

hub_replicas north south temp gone
NORTH=$(cut -d' ' -f3 north.pub)
SOUTH=$(cut -d' ' -f3 south.pub)
TEMP=$(cut -d' ' -f3 temp.pub)
GONE=$(cut -d' ' -f3 gone.pub)
END=$(date -u -d '+5 sec' +%Y-%m-%dT%H:%M:%SZ)
for t in north south gone; do must ruta -C hq keys endorse $t.pub --team $t; done
must ruta -C hq keys endorse temp.pub --team temp --valid-before "$END"
must ruta -C hq sync
must ruta -C temp sync
# temp's changesets 1 and 2 are sealed inside its window; 2 is pushed after it
must ruta -C temp account add --name 'Temp S.L.' --city Leon
TEMPCO=$out
must ruta -C temp sync
must ruta -C temp account edit "$TEMPCO" --employees 3
mkdir temp-out
must ruta -C temp export --out temp-out
for t in north south gone; do must ruta -C $t sync; done
must ruta -C north account add --name 'Acme S.L.' --city Madrid
ACME=$out
must ruta -C north sync
must ruta -C gone sync
must ruta -C gone account edit "$ACME" --employees 12
must ruta -C gone sync
must ruta -C hq sync
must ruta -C hq keys revoke "$GONE"
must ruta -C hq sync
while [ "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \< "$END" ] ||
	[ "$(date -u +%Y-%m-%dT%H:%M:%SZ)" = "$END" ]; do sleep 0.2; done
must ruta -C temp sync
must ruta -C hq sync
ruta -C hq keys show | grep -q "^# expired $TEMP after-seq 2\$" ||
	{ echo "Bail out! setup failed: temp's key is not sealed after its changeset 2"; exit 1; }
# south's changesets 1 to 3, one commit each
for city in Sevilla Cadiz Huelva; do
	must ruta -C south sync
	must ruta -C south account edit "$ACME" --city $city
	must ruta -C south sync
done
# north's key replaced: changeset 1 signed with the former key, 2 with the new
ssh-keygen -q -t ed25519 -N '' -C "$NORTH" -f north-new.key
must ruta -C hq keys endorse north-new.key.pub --team north
must ruta -C hq sync
cp north/keys/replica.key north-old.key
cp north-new.key north/keys/replica.key
cp north-new.key.pub north/keys/replica.pub
must ruta -C north sync
must ruta -C north account edit "$ACME" --region Madrid
must ruta -C north sync
must ruta -C hq sync
must ruta -C hq account edit "$ACME" --lifecycle prospect
must ruta -C hq sync
sync_all
chmod 600 north-old.key north-new.key */keys/replica.key

# ere TEXT: TEXT as an extended regular expression that matches only itself.
ere() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }
# stock HUB: the script on that hub (a name: HUB.git), its output in $out.
stock() { run sh "$STOCK" "$PWD/$1.git" root.pub; }
# problems: the script's problem lines.
problems() { printf '%s\n' "$out" | grep -E '^[A-Z]+: ' ; }
# ruta_problems HUB: ruta audit verify's problems on that hub, one a line,
# 'kind file seq: message'; its exit code.
ruta_problems() {
	run ruta -C hq audit verify --hub "$PWD/$1.git" --json
	_rc=$rc
	jsql "$out" "SELECT p.value->>'kind' || ' ' || coalesce(p.value->>'file', '') || ' ' ||
		coalesce(p.value->>'seq', '') || ': ' ||
		(p.value->>'message') FROM j, json_each(j.doc, '\$.problems') p"
	return "$_rc"
}

# ---- the untouched hub: both tools find nothing ------------------------------------

stock hub
is "$rc" 0 "the stock script exits 0 on the untouched hub"
is "$(problems)" "" "and prints no problem line"
N=$(db hq "SELECT count(*) FROM ruta_changeset")
K=$(git --git-dir=hub.git rev-list --all | wc -l)
expect_stdout "^stock audit: 0 problems in $N changesets, $K commits\$" \
	"its summary counts every changeset and commit"
expect_stderr "root key $(ere "$(ssh-keygen -l -f root.pub | cut -d' ' -f2)") \\(compare" \
	"it shows the root key's fingerprint to compare"
ok ruta -C hq audit verify
expect_stdout "^problems +0$" "ruta audit verify finds nothing either"
g hub.git show "ruta/trust:trust/$(g hub.git ls-tree --name-only ruta/trust trust/ |
	grep -o 'ruta-trust-[0-9]*\.txt$')" > trust.txt
grep -q "^# revoked $GONE after-seq 1 " trust.txt &&
	grep -q "^# expired $TEMP after-seq 2\$" trust.txt &&
	grep -q "^# replaced $NORTH after-seq 1 " trust.txt &&
	grep -q "^$TEMP namespaces=\"ruta-changeset,git\",valid-before=" trust.txt
_report $? "the hub's trust file has a revoked, a sealed windowed and a replaced key"
is "$(g hub.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/trust.txt" \
	log --format=%G? "ruta/$TEMP" | tr -d '\n')" UG \
	"git with the trust file shows temp's commit made after its window as U"
mkdir kept
run sh "$STOCK" hub.git root.pub kept
is "$rc $(ls kept/usb | grep -c '\.json$')" "0 $N" \
	"given a WORKDIR and a relative hub, it keeps the clone and the files"
run sh "$STOCK" hub.git root.pub kept
is "$rc" 2 "a WORKDIR that is not empty: exit 2"
run sh "$STOCK" nowhere.git root.pub
is "$rc" 2 "a hub that cannot be cloned: exit 2"

# agree NAME TAG PATTERN KIND PATTERN2: on the copy NAME.git the script exits
# 1 with a line 'TAG: ...' matching PATTERN, and ruta audit verify exits 4
# with a problem of KIND matching PATTERN2. Four tests.
agree() {
	stock "$1"
	is "$rc" 1 "$1: the stock script exits 1"
	problems | grep -Eq -- "^$2: $3"
	_report $? "$1: it reports $2: $3" || diag "script: $out"
	_got=$(ruta_problems "$1")
	is "$?" 4 "$1: ruta audit verify exits 4"
	printf '%s\n' "$_got" | grep -Eq -- "^$4 .*$5"
	_report $? "$1: it reports $4" || diag "ruta: $_got"
}

# next_cs SRC KEY OUT [SED-EXPR]: OUT, the changeset after SRC (seq + 1,
# prev its hash), edited by SED-EXPR, signed with KEY as ruta signs.
next_cs() {
	_seq=$(jget "$(cat "$1")" .seq)
	sed -e "s/\"seq\":$_seq}\$/\"seq\":$((_seq + 1))}/" \
		-e "s/\"prev\":\"[0-9a-f]*\"/\"prev\":\"$(sha256sum < "$1" | cut -d' ' -f1)\"/" \
		-e "${4:-s/^//}" "$1" > "$3"
	sign_cs "$2" "$3"
}

CS=changesets/$SOUTH
S1=$(nth hub.git "ruta/$SOUTH" 1)
S2=$(nth hub.git "ruta/$SOUTH" 2)
S3=$(nth hub.git "ruta/$SOUTH" 3)
SK=south/keys/replica.key
F2=$(cs_file "$SOUTH" 2)

# ---- a byte of south's changeset 2 changed --------------------------------------
fresh byte
g byte.git show "$S2:$CS/$F2" | sed 's/"Cadiz"/"Cadix"/' > f.json
g byte.git show "$S2:$CS/$F2.sig" > f.json.sig
T=$(make_tree byte.git "$CS" "$F2" "$(blob byte.git f.json)" "$F2.sig" "$(blob byte.git f.json.sig)")
stack byte.git "ruta/$SOUTH" "$S1" $SK "$T" "$(tree_of byte.git "$S3")"
agree byte BAD "usb/$F2\$" signature "bad changeset signature"
problems | grep -q "^CHAIN: usb/$(cs_file "$SOUTH" 3) does not follow 2\$"
_report $? "byte: and the next changeset does not follow it"

# ---- south's changeset 2 dropped: a gap -------------------------------------------
fresh gap
stack gap.git "ruta/$SOUTH" "$S1" $SK "$(tree_of gap.git "$S3")"
agree gap GAP "$SOUTH 1 -> 3\$" gap "changeset 2 of replica $SOUTH is missing"

# ---- south's changesets 2 and 3 swapped ----------------------------------------------
fresh reorder
stack reorder.git "ruta/$SOUTH" "$S1" $SK "$(tree_of reorder.git "$S3")" "$(tree_of reorder.git "$S2")"
C=$(g reorder.git rev-parse "ruta/$SOUTH")
agree reorder ORDER "ruta/$SOUTH $C holds 2, but [0-9a-f]{40} before it holds 3\$" order \
	"changeset 3 of replica $SOUTH comes before changeset 2"

# ---- the trust branch rolled back to the version before its tip -------------------------
fresh rollback
# trust_v HUB COMMIT: the version of the trust file a trust commit holds.
trust_v() { g "$1" ls-tree --name-only "$2" trust/ | sed -n 's/.*-0*\([0-9][0-9]*\)\.txt$/\1/p'; }
T1=$(g rollback.git rev-parse ruta/trust~1)
V1=$(trust_v rollback.git "$T1")
V2=$(trust_v rollback.git ruta/trust)
stack rollback.git ruta/trust "$(g rollback.git rev-parse ruta/trust)" hq/keys/replica.key "$(tree_of rollback.git "$T1")"
C=$(g rollback.git rev-parse ruta/trust)
agree rollback ORDER "ruta/trust $C holds $V1, but [0-9a-f]{40} before it holds $V2\$" \
	trust-rollback "trust file version $V1 comes after version $V2"

# ---- gone signs a changeset after its revocation ------------------------------------
fresh revoked
cp -r gone gone-copy
must ruta -C gone-copy account edit "$ACME" --employees 13
run ruta -C gone-copy sync --hub "$PWD/revoked.git"
agree revoked REVOKED "usb/$(cs_file "$GONE" 2) \\(after 1\\)\$" revoked \
	"replica $GONE was revoked after its changeset 1"

# ---- temp's changeset 3, backdated inside the window, after the seal ------------------
fresh backdated
next_cs "temp-out/$(cs_file "$TEMP" 2)" temp/keys/replica.key "$(cs_file "$TEMP" 3)"
on_top backdated "$TEMP" temp/keys/replica.key "$(cs_file "$TEMP" 3)"
agree backdated EXPIRED "usb/$(cs_file "$TEMP" 3) \\(after 2\\)\$" expired \
	"replica $TEMP's key expired at .*, after its changeset 2"
stock backdated
is "$(problems | grep -c '^WINDOW: ')" 0 "backdated: its times are inside the window"

# ---- temp's changeset 2 made again with a time after the window ----------------------
fresh late
LATE=$(printf '%012x0000' $(( ($(date -u -d "$END" +%s) + 60) * 1000 )))
F=$(cs_file "$TEMP" 2)
sed "s/\"max\":\"[0-9a-f]*\"/\"max\":\"$LATE\"/" "temp-out/$F" > "$F"
sign_cs temp/keys/replica.key "$F"
stack late.git "ruta/$TEMP" "$(nth late.git "ruta/$TEMP" 1)" temp/keys/replica.key \
	"$(make_tree late.git "changesets/$TEMP" "$F" "$(blob late.git "$F")" "$F.sig" "$(blob late.git "$F.sig")")"
agree late WINDOW "usb/$F at [0-9]{14}Z\$" key \
	"replica $TEMP's key is valid from the start to $END; this changeset is from .* to "

# ---- north's changeset 3 signed with its replaced key ---------------------------------
NF2=$(cs_file "$NORTH" 2)
g hub.git show "ruta/$NORTH:changesets/$NORTH/$NF2" > "$NF2"
OLDFP=$(ssh-keygen -l -f north.pub | cut -d' ' -f2)
OLDFP_RE=$(ere "$OLDFP")
fresh replaced
next_cs "$NF2" north-old.key "$(cs_file "$NORTH" 3)" "s|\"key\":\"[^\"]*\"|\"key\":\"$OLDFP\"|"
on_top replaced "$NORTH" north-new.key "$(cs_file "$NORTH" 3)"
agree replaced REPLACED "usb/$(cs_file "$NORTH" 3) signed with $OLDFP_RE \\(after 1\\)\$" replaced \
	"replica $NORTH's key $OLDFP_RE was replaced after its changeset 1"

# ---- the same, naming the new key's fingerprint -----------------------------------------
fresh liar
next_cs "$NF2" north-old.key "$(cs_file "$NORTH" 3)"
on_top liar "$NORTH" north-new.key "$(cs_file "$NORTH" 3)"
agree liar BAD "usb/$(cs_file "$NORTH" 3) is signed by $OLDFP_RE, not by the key it names\$" \
	key "3: changeset names key $(ere "$(ssh-keygen -l -f north-new.key.pub | cut -d' ' -f2)") but is signed by $OLDFP_RE"

# ---- a second, different changeset 2 of south ------------------------------------------
fresh fork
g fork.git show "$S2:$CS/$F2" | sed 's/"Cadiz"/"Malaga"/' > "$F2"
sign_cs $SK "$F2"
on_top fork "$SOUTH" $SK "$F2"
agree fork TWICE "$CS/$F2 in [0-9a-f]{40} differs from another commit's copy\$" fork \
	"a second, different changeset 2 of replica $SOUTH"

# ---- a file that is not ruta's on south's branch ---------------------------------------
fresh foreign
printf 'call Ana\n' > notes.txt
stack foreign.git "ruta/$SOUTH" "$S3" $SK \
	"$(make_tree foreign.git "$CS" notes.txt "$(blob foreign.git notes.txt)")"
C=$(g foreign.git rev-parse "ruta/$SOUTH")
agree foreign OTHER "$CS/notes.txt in $C\$" layout "$CS/notes.txt : a file that has no place"
problems | grep -q "^FOREIGN: ruta/$SOUTH $C holds $CS/notes.txt\$"
_report $? "foreign: and says the commit holds a foreign file"

# ---- an unsigned commit ------------------------------------------------------------------
fresh unsigned
C=$(g unsigned.git commit-tree -p "$S2" -m unsigned "$(tree_of unsigned.git "$S3")")
g unsigned.git update-ref "refs/heads/ruta/$SOUTH" "$C"
agree unsigned SIGNATURE "ruta/$SOUTH $C \\(N\\)\$" commit-signature "the commit is not signed"

# ---- a commit signed with another replica's key ----------------------------------------
fresh othersig
stack othersig.git "ruta/$SOUTH" "$S2" north-new.key "$(tree_of othersig.git "$S3")"
C=$(g othersig.git rev-parse "ruta/$SOUTH")
agree othersig SIGNER "ruta/$SOUTH $C by '$NORTH'\$" commit-signature \
	"signed by the key of replica $NORTH, not by $SOUTH's"

done_testing
