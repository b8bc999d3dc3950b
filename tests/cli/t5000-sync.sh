#!/bin/sh
# Sync through real git hubs: a bare repository by path and `git daemon` on
# 127.0.0.1. Head office and two teams converge; stock git reads the hub and
# verifies every commit; an unreachable hub, a rewritten branch, a host that
# refuses pushes and two syncs at once are each handled without loss.
. "$(dirname "$0")/lib.sh"

git init -q --bare hub.git
ok ruta init hq --head-office --hub "$PWD/hub.git"
ruta -C hq keys export-pub --root > root.pub
ok ruta init north --team north --root-key root.pub --hub "$PWD/hub.git"
ok ruta init south --team south --root-key root.pub
ok ruta -C south hub add "$PWD/hub.git"
ok ruta -C south hub show
is "$out" "$PWD/hub.git" "hub show prints the hub"
ruta -C north keys export-pub > north.pub
ruta -C south keys export-pub > south.pub
NORTH=$(cut -d' ' -f3 north.pub)
ok ruta -C hq keys endorse north.pub --team north
ok ruta -C hq keys endorse south.pub --team south
ok ruta -C hq sync

# North works and syncs; south and head office receive it.
ok ruta -C north account add --name 'Acme S.L.' --city Madrid
ACME=$out
ok ruta -C north sync --json
is "$(jget "$out" .pushed)" 1 "north pushes its changeset"
ok ruta -C south sync --json
is "$(jget "$out" .applied)" 1 "south applies north's changeset"
is "$(jget "$out" .replicas)" 1 "... from one replica"
expect_stderr "pulled 1 changeset from 1 replica, applied [0-9]+ changes, conflicts 0, pushed 0" \
	"sync ends with a one-line summary"
ok ruta -C south account edit "$ACME" --city Sevilla
ok ruta -C south sync
ok ruta -C north sync
ok ruta -C hq sync
HQ=$(ruta -C hq state-hash)
is "$(ruta -C north state-hash)" "$HQ" "north converged with head office"
is "$(ruta -C south state-hash)" "$HQ" "south converged with head office"

# A sync with nothing new applies nothing and pushes nothing.
ok ruta -C north sync --json
is "$(jget "$out" .pulled)" 0 "nothing new to pull"
is "$(jget "$out" .pushed)" 0 "nothing new to push"

# A person can read the hub with stock git, and git verifies every commit.
ok git clone -q --bare hub.git clone.git
git --git-dir=clone.git show "ruta/trust:trust/ruta-trust-00000003.txt" > allowed_signers
run git --git-dir=clone.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
	log --format='%G?' --all
is "$(echo "$out" | sort -u)" G "git reports a good signature on every hub commit"
ok git --git-dir=clone.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
	verify-commit "ruta/$NORTH"
run git --git-dir=clone.git ls-tree -r --name-only "ruta/$NORTH"
case $out in *"changesets/$NORTH/$NORTH-00000001.json"*) pass "a commit holds that sync's changesets" ;;
	*) fail "a commit holds that sync's changesets" ;; esac

# git daemon on loopback, with receive-pack: the same, over git://.
PORT=$((20000 + $$ % 20000))
git_daemon $PORT daemon.pid --enable=receive-pack
trap 'kill "$(cat "$TRASH/daemon.pid")" 2>/dev/null; rm -rf "$TRASH"' EXIT
for r in hq north south; do ok ruta -C $r hub add "git://127.0.0.1:$PORT/hub.git"; done
ok ruta -C north opp add --account "$ACME" --name 'Over the daemon' --amount 100 --currency EUR
ok ruta -C north sync
ok ruta -C south sync
ok ruta -C hq sync
ok ruta -C north sync
HQ=$(ruta -C hq state-hash)
is "$(ruta -C north state-hash)" "$HQ" "north converged through git daemon"
is "$(ruta -C south state-hash)" "$HQ" "south converged through git daemon"

# A sync with nothing new is one fetch: no push (a daemon that takes no
# pushes serves it), and no file of the replica written: not even
# FETCH_HEAD, which libgit2 empties at every fetch.
RO=$((PORT + 1))
git_daemon $RO daemon-ro.pid
trap 'kill "$(cat "$TRASH/daemon.pid")" "$(cat "$TRASH/daemon-ro.pid")" 2>/dev/null; rm -rf "$TRASH"' EXIT
ok ruta -C north sync --hub "git://127.0.0.1:$RO/hub.git"
ok ruta -C hq sync --hub "git://127.0.0.1:$RO/hub.git"
ok ruta -C north sync --hub "git://127.0.0.1:$RO/hub.git"
touch -d '1 minute ago' marker
find north -exec touch -h -d '2 minutes ago' {} +
ok ruta -C north sync --hub "git://127.0.0.1:$RO/hub.git"
# (lock files come and go, so directories are not compared)
is "$(find north ! -type d -newer marker | sort | tr '\n' ' ')" "" \
	"a sync with nothing new writes no file of the replica"
ok ruta -C north account add --name 'Read-only hub'
run ruta -C north sync --hub "git://127.0.0.1:$RO/hub.git"
[ "$rc" != 0 ] && pass "with something new, the sync pushes (and this hub refuses)" ||
	fail "with something new, the sync pushes (and this hub refuses)"
kill "$(cat daemon-ro.pid)" 2>/dev/null || true

# An unreachable hub: exit 5, a clear message, local work untouched.
ok ruta -C north account add --name 'Offline work'
run ruta -C north sync --hub git://127.0.0.1:1/nowhere.git
is "$rc" 5 "an unreachable hub exits 5"
expect_stderr "cannot be reached.*try again later" "and says to try later"
ok ruta -C north account list --json
case $out in *'Offline work'*) pass "the offline work is still here" ;; *) fail "the offline work is still here" ;; esac
ok ruta -C north sync
ok ruta -C south sync
ok ruta -C south account list --json
case $out in *'Offline work'*) pass "it travels with the next sync" ;; *) fail "it travels with the next sync" ;; esac

# A rewritten (force-pushed) branch is refused and nothing of it applied.
ok git clone -q "$PWD/hub.git" rewrite
git -C rewrite checkout -q "ruta/$NORTH"
git -C rewrite -c user.name=x -c user.email=x@x commit -q --amend -m 'rewritten history'
ok git -C rewrite push -q --force origin "HEAD:refs/heads/ruta/$NORTH"
H=$(ruta -C south state-hash)
run ruta -C south pull
is "$rc" 4 "a rewritten branch makes pull exit 4"
expect_stderr "rewritten" "and is reported as rewritten"
is "$(ruta -C south state-hash)" "$H" "nothing of it was applied"
run ruta -C north sync
is "$rc" 4 "north sees that the hub rewrote its own branch"
ok ruta -C south status --json
case $out in *'rewritten'*) pass "status lists the rewritten branch" ;; *) fail "status lists the rewritten branch" ;; esac
# After a person has looked into it, the new history can be accepted.
expect_exit 1 ruta -C south hub accept ruta/no-such-branch
expect_exit 1 ruta -C south hub accept master
ok ruta -C south hub accept "ruta/$NORTH"
ok ruta -C south status --json
case $out in *'rewritten'*) fail "accepting clears the report" ;; *) pass "accepting clears the report" ;; esac
ok ruta -C south pull

# A host that refuses pushes (its pre-receive hook says no; only a real
# server runs hooks): a clear message, nothing lost.
git init -q --bare strict.git
printf '#!/bin/sh\necho "pushes are closed for maintenance" >&2\nexit 1\n' > strict.git/hooks/pre-receive
chmod +x strict.git/hooks/pre-receive
ok ruta init solo --team solo --hub "git://127.0.0.1:$PORT/strict.git"
ok ruta -C solo account add --name 'Kept'
run ruta -C solo sync
is "$rc" 1 "a refused push exits 1"
expect_stderr "refused|pre-receive" "and says the hub refused it"
rm strict.git/hooks/pre-receive
ok ruta -C solo sync --json
is "$(jget "$out" .pushed)" 1 "the next sync pushes what was refused"

# Two syncs at once on one replica: the second says so and changes nothing.
( flock north/sync.lock sleep 3 ) &
sleep 0.5
run ruta -C north sync
is "$rc" 1 "a second sync at the same time fails"
expect_stderr "another ruta is syncing" "and says why"
wait

# A relative hub path is kept absolute; a malformed URL is an error, not "later".
git init -q --bare hub2.git
mkdir -p elsewhere
ok ruta init rel --team rel --hub hub2.git
ok ruta -C rel hub show
is "$out" "$TRASH/hub2.git" "a relative hub path is stored absolute"
ok ruta -C rel account add --name 'Relative'
run sh -c "cd elsewhere && '$RUTA' -C '$TRASH/rel' sync"
is "$rc" 0 "so sync works from any directory"
run ruta -C rel sync --hub 'foo bar'
is "$rc" 1 "a malformed hub URL exits 1, not 5"
expect_stderr "not a URL git understands" "and says what is wrong"

# A replica that lost its git/ directory takes its branch back from the hub.
rm -rf rel/git
ok ruta -C rel account add --name 'After the loss'
ok ruta -C rel sync --json
is "$(jget "$out" .pushed)" 1 "after losing git/, the next changeset still goes out"
REL=$(ruta -C rel status --json | sed 's/.*"id":"\([^"]*\)".*/\1/')
is "$(git --git-dir=hub2.git log --format=%H "ruta/$REL" | wc -l)" 2 \
	"on top of the branch already on the hub, not beside it"

# A hostile hub branch: a namesake of a real changeset without its signature,
# a file named with a space, and a relayed copy of a real commit. None of it
# may steal a signature or stop a pull.
git init -q --bare hub3.git
for r in hq north south; do ok ruta -C $r hub add "$PWD/hub3.git"; done
ok ruta -C hq sync
ok ruta -C north sync
ok ruta -C south sync
ok ruta -C north account add --name 'Genuine'
ok ruta -C north sync
SEQ=$(jget "$(ruta -C north status --json)" .own_seq)
NAME="$NORTH-$(printf %08d "$SEQ").json"
git clone -q hub3.git evil
git -C evil checkout -q --orphan ruta/aaa
git -C evil rm -rq --cached . 2>/dev/null || true
mkdir -p evil/changesets/aaa
echo '{"fake":1}' > "evil/changesets/aaa/$NAME"
echo 'x' > 'evil/changesets/aaa/a b.json'
git --git-dir=hub3.git show "ruta/$NORTH:changesets/$NORTH/$NAME" > "evil/changesets/aaa/copy-$NAME"
git -C evil add changesets
git -C evil -c user.name=x -c user.email=x@x commit -qm evil
ok git -C evil push -q origin ruta/aaa
run ruta -C south sync
isnt "$rc" 5 "a hostile branch does not make the hub look unreachable"
ok ruta -C south account list --json
case $out in *'Genuine'*) pass "the genuine changeset still applies beside its namesake" ;;
	*) fail "the genuine changeset still applies beside its namesake" ;; esac
ok ruta -C north account add --name 'After the attack'
run ruta -C north sync
is "$rc" 4 "the hostile file is refused (and reported) wherever it is pulled"
run ruta -C south sync
ok ruta -C south account list --json
case $out in *'After the attack'*) pass "and north's next changesets keep flowing" ;;
	*) fail "and north's next changesets keep flowing" ;; esac

# Usage.
expect_exit 2 ruta -C north sync --frobnicate
expect_exit 2 ruta -C north hub
ok ruta init nohub --team nohub
expect_exit 1 ruta -C nohub sync
expect_stderr "no hub" "sync without a hub says how to set one"

done_testing
