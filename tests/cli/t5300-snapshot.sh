#!/bin/sh
# Head office's snapshots: a new replica starts from the latest one and
# replays only what came after, ends with the same CRM as everyone, and a
# snapshot that fails any check is reported and passed over for the full
# history. Stock git and ssh-keygen verify what head office signed.
. "$(dirname "$0")/lib.sh"

setup_hub
HQID=$HQ
ok ruta -C north sync
ok ruta -C south sync

# With no records yet there is nothing to start from: no snapshot.
ok ruta -C hq snapshot publish --json
is "$(jget "$out" .published)" 0 "an empty CRM publishes no snapshot"
run git --git-dir=hub.git rev-parse --verify -q refs/heads/ruta/snapshot
isnt "$rc" 0 "and the hub has no snapshot branch"

# Some history: both teams and head office work, with one edit of the same
# account from two sides.
ok ruta -C north account add --name 'Acme S.L.' --tax-id ES:B12345674 --city Madrid
ACME=$out
ok ruta -C north contact add --first-name Ana --last-name Ruiz --email ana@acme.es --account "$ACME"
ok ruta -C north opp add --account "$ACME" --name Fleet --amount 12000.00 --currency EUR
OPP=$out
ok ruta -C north opp move "$OPP" --stage needs
ok ruta -C north sync
ok ruta -C south sync
ok ruta -C south account edit "$ACME" --city Sevilla
ok ruta -C south account add --name 'Beta SRL' --tax-id RO:18547290
ok ruta -C south sync
ok ruta -C hq account add --name 'Head office account'
ok ruta -C hq stage edit won --label Ganado
ok ruta -C hq sync

# Help and bad input.
ok ruta snapshot --help
expect_stdout "ruta snapshot publish" "snapshot --help shows its usage"
run ruta -C hq snapshot every often
is "$rc" 2 "snapshot every needs a number"
expect_stderr "not 'often'" "and says what was wrong"
run ruta -C north snapshot publish
isnt "$rc" 0 "a team cannot publish a snapshot"
expect_stderr "only head office publishes snapshots" "and is told who does"
run ruta -C north pull --snapshot
is "$rc" 2 "--snapshot is for sync, not pull"

# Head office publishes; a second request with nothing new publishes nothing.
ok ruta -C hq snapshot publish --json
RECORDS=$(jget "$out" .published)
cmp_ok "$RECORDS" -ge 4 "head office publishes a snapshot of its records"
expect_stderr "published a snapshot of $RECORDS records" "and says so"
ok ruta -C hq snapshot publish --json
is "$(jget "$out" .published)" 0 "nothing new since: no second snapshot"
expect_stderr "no new snapshot: nothing is new" "and says why"
is "$(git --git-dir=hub.git rev-list --count ruta/snapshot)" 1 "the hub holds one snapshot commit"

# Stock tools verify it: the commit with git, the manifest with ssh-keygen.
git --git-dir=hub.git show ruta/trust:trust/$(git --git-dir=hub.git ls-tree --name-only ruta/trust trust/ | sed 's|.*/||' | grep 'txt$' | sort | tail -1) > allowed_signers
# the manifest is checked against head office's line, for its own namespace
sed -n "s/^$HQID namespaces=\"[^\"]*\"/$HQID namespaces=\"ruta-snapshot\"/p" allowed_signers > snapshot_signers
ok git --git-dir=hub.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
	verify-commit ruta/snapshot
git --git-dir=hub.git show ruta/snapshot:snapshot/manifest.json > manifest.json
git --git-dir=hub.git show ruta/snapshot:snapshot/manifest.json.sig > manifest.json.sig
ok ssh-keygen -Y verify -f snapshot_signers -I "$HQID" -n ruta-snapshot -s manifest.json.sig < manifest.json
run sh -c "git --git-dir=hub.git show ruta/snapshot:snapshot/records-000001.json | sha256sum | cut -c1-64"
case $(cat manifest.json) in *"$out"*) pass "the manifest names its chunk by SHA-256" ;;
	*) fail "the manifest names its chunk by SHA-256" ;; esac

# A new replica starts from it: same CRM, having read nothing before it.
HQHASH=$(ruta -C hq state-hash)
ok ruta init fresh --team fresh --root-key root.pub --hub "$PWD/hub.git"
ruta -C fresh keys export-pub > fresh.pub
ok ruta -C hq keys endorse fresh.pub --team fresh
ok ruta -C fresh pull --json
is "$(jget "$out" .started_from)" "$RECORDS" "a new replica starts from the snapshot"
is "$(jget "$out" .pulled)" 0 "and reads no changeset the snapshot covers"
expect_stderr "started from head office's snapshot: $RECORDS records" "it says so"
is "$(ruta -C fresh state-hash)" "$HQHASH" "its CRM is head office's"
ok ruta -C fresh account show "$ACME"
expect_stdout "Sevilla" "the account carries south's later edit"
ok ruta -C fresh stage list
expect_stdout "Ganado" "a seeded stage head office renamed comes renamed"

# The same changesets brought by hand later are known, not refused.
mkdir usb usb2
ok ruta -C north export --all --out usb
ok ruta -C fresh apply usb --json
is "$(jget "$out" .refused)" 0 "changesets the snapshot covers are not refused"
cmp_ok "$(jget "$out" .duplicates)" -ge 1 "they count as already here"
is "$(ruta -C fresh state-hash)" "$HQHASH" "and change nothing"

# Work after the snapshot flows as usual, both ways.
ok ruta -C north opp move "$OPP" --stage offer_sent
ok ruta -C north sync
ok ruta -C hq account edit "$ACME" --region Centro
ok ruta -C hq sync
ok ruta -C fresh account add --name 'Fresh lead'
ok ruta -C fresh sync --json
is "$(jget "$out" .pulled)" 2 "the next sync reads only the two changesets after the snapshot"
ok ruta -C north sync
ok ruta -C south sync
ok ruta -C hq sync
ok ruta -C fresh sync
HQHASH=$(ruta -C hq state-hash)
for r in north south fresh; do
	is "$(ruta -C $r state-hash)" "$HQHASH" "$r converged with head office after the snapshot"
done

# A first pull killed at random points leaves nothing half-started: the
# next one completes, to the same CRM.
for i in 1 2 3 4 5 6 7 8; do
	ruta init "killed$i" --team "killed$i" --root-key root.pub --hub "$PWD/hub.git" >/dev/null 2>&1
	"$RUTA" -C "killed$i" pull >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$(awk -v s="$i$$" 'BEGIN { srand(s); printf "%d", rand() * 9 }')"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	run ruta -C "killed$i" pull
	is "$rc" 0 "a first pull after a kill ($i) completes"
	[ "$rc" = 0 ] || echo "$err" | sed "s|^|# |"
	is "$(ruta -C "killed$i" state-hash)" "$HQHASH" "to the same CRM ($i)"
done

# --no-snapshot replays the whole history, to the same CRM.
ok ruta init full --team full --root-key root.pub --hub "$PWD/hub.git"
ok ruta -C full pull --no-snapshot --json
is "$(jget "$out" .started_from)" 0 "--no-snapshot starts from nothing"
is "$(jget "$out" .pulled)" 6 "and reads every changeset of the history"
is "$(ruta -C full state-hash)" "$HQHASH" "to the same CRM"

# A replica that worked before its first pull starts from the snapshot too.
ok ruta init offline --team offline --root-key root.pub --hub "$PWD/hub.git"
ok ruta -C offline account add --name 'Made before the first sync'
ok ruta -C offline pull --json
cmp_ok "$(jget "$out" .started_from)" -ge 1 "local work does not stop a start from the snapshot"
ok ruta -C offline account list
expect_stdout "Made before the first sync" "and the local work is kept"
expect_stdout "Acme S.L." "beside the snapshot's records"

# What head office held back travels in the snapshot: south applies a
# changeset of north's by hand, edits on top, and syncs; head office cannot
# apply south's yet (it depends on one north has not pushed).
ok ruta -C north account add --name 'Handed over by USB'
ok ruta -C north export --out usb2
ok ruta -C south apply usb2
ok ruta -C south account edit "$ACME" --phone '+34 910 000 001'
ok ruta -C south sync
ok ruta -C hq sync --snapshot --json
is "$(jget "$out" .waiting)" 1 "head office holds south's changeset back"
cmp_ok "$(jget "$out" .published)" -ge 1 "sync --snapshot publishes one"
run sh -c "git --git-dir=hub.git show ruta/snapshot:snapshot/manifest.json | grep -c '\"body\"'"
is "$out" 1 "the snapshot carries the held changeset"
ok ruta init late --team late --root-key root.pub --hub "$PWD/hub.git"
ok ruta -C late pull --json
cmp_ok "$(jget "$out" .started_from)" -ge 1 "a late replica starts from it"
is "$(jget "$out" .waiting)" 1 "and holds south's changeset back too"
ok ruta -C north sync
ok ruta -C late sync --json
is "$(jget "$out" .waiting)" 0 "once north's arrives, south's applies"
ok ruta -C hq sync
ok ruta -C south sync
ok ruta -C north sync
ok ruta -C late sync
HQHASH=$(ruta -C hq state-hash)
for r in north south late; do
	is "$(ruta -C $r state-hash)" "$HQHASH" "$r converged after the held changeset"
done

# Automatic snapshots: every N changesets covered.
ok ruta -C hq snapshot every 2
ok ruta -C hq snapshot show
expect_stdout "every 2 changesets" "snapshot show prints the setting"
ok ruta -C north account add --name 'One'
ok ruta -C north sync
ok ruta -C north account add --name 'Two'
ok ruta -C north sync
ok ruta -C hq sync --json
cmp_ok "$(jget "$out" .published)" -ge 1 "head office's sync publishes one when due"
ok ruta -C hq sync --json
is "$(jget "$out" .published)" 0 "and not again before it is due"
ok ruta -C hq snapshot every 0
ok ruta -C hq snapshot show
expect_stdout "only when asked" "0 means only when asked"

# A hub that alters the snapshot: a new replica reports it (exit 4), passes
# over it and replays the whole history instead, to the same CRM.
tamper() {   # $1: new hub dir; $2: a sed expression for the chunk; $3: sign manifest with key
	rm -rf "$1"
	git clone -q --bare hub.git "$1"
	git --git-dir="$1" fetch -q hub.git '+refs/heads/*:refs/heads/*'
	tree=$(git --git-dir="$1" rev-parse ruta/snapshot^{tree})
	idx="$TRASH/idx.$$"
	rm -f "$idx"
	GIT_INDEX_FILE="$idx" git --git-dir="$1" read-tree "$tree"
	chunk=$(git --git-dir="$1" show ruta/snapshot:snapshot/records-000001.json | sed "$2" |
		git --git-dir="$1" hash-object -w --stdin)
	GIT_INDEX_FILE="$idx" git --git-dir="$1" update-index --cacheinfo 100644 "$chunk" snapshot/records-000001.json
	if [ -n "${3:-}" ]; then
		git --git-dir="$1" show ruta/snapshot:snapshot/manifest.json |
			sed "s/\"hash\":\"[0-9a-f]*\",\"records\"/\"hash\":\"$(git --git-dir="$1" cat-file blob "$chunk" | sha256sum | cut -c1-64)\",\"records\"/" > "$TRASH/m.json"
		rm -f "$TRASH/m.json.sig"
		ssh-keygen -q -Y sign -f "$3" -n ruta-snapshot "$TRASH/m.json" 2>/dev/null
		m=$(git --git-dir="$1" hash-object -w "$TRASH/m.json")
		s=$(git --git-dir="$1" hash-object -w "$TRASH/m.json.sig")
		GIT_INDEX_FILE="$idx" git --git-dir="$1" update-index --cacheinfo 100644 "$m" snapshot/manifest.json
		GIT_INDEX_FILE="$idx" git --git-dir="$1" update-index --cacheinfo 100644 "$s" snapshot/manifest.json.sig
	fi
	new=$(GIT_INDEX_FILE="$idx" git --git-dir="$1" write-tree)
	c=$(echo forged | git --git-dir="$1" -c user.name=x -c user.email=x@x commit-tree "$new" -p ruta/snapshot)
	git --git-dir="$1" update-ref refs/heads/ruta/snapshot "$c"
}
HQHASH=$(ruta -C hq state-hash)
tamper "$PWD/altered.git" 's/Acme S.L./Acme Evil/'
ok ruta init victim --team victim --root-key root.pub --hub "$PWD/altered.git"
run ruta -C victim pull --json
is "$rc" 4 "an altered snapshot chunk exits 4"
expect_stderr "ruta/snapshot.*chunk 1 is not the one the signed manifest names" "and names the problem"
is "$(jget "$out" .started_from)" 0 "nothing of the altered snapshot is kept"
is "$(ruta -C victim state-hash)" "$HQHASH" "the whole history is replayed instead"
ok ruta -C victim status
expect_stdout "ruta/snapshot" "status lists the refused snapshot"
run ruta -C victim account list
case $out in *Evil*) fail "the altered name never lands" ;; *) pass "the altered name never lands" ;; esac

tamper "$PWD/forged.git" 's/Acme S.L./Acme Forged/' "$PWD/north/keys/replica.key"
ok ruta init victim2 --team victim2 --root-key root.pub --hub "$PWD/forged.git"
run ruta -C victim2 pull
is "$rc" 4 "a snapshot signed by a team's key exits 4"
expect_stderr "not head office" "and says the signer is not head office"
is "$(ruta -C victim2 state-hash)" "$HQHASH" "the whole history is replayed instead"

done_testing
