#!/bin/sh
# A hub over http that asks for a user and password: stock `git http-backend`
# behind tests/cli/git-http.py on 127.0.0.1 (Basic authentication). The
# password comes the way git users keep theirs: RUTA_HUB_USER and
# RUTA_HUB_PASSWORD, or git's own credential helpers, which learn whether
# the hub took it. It is never printed.
SERVER=$(cd "$(dirname "$0")" && pwd)/git-http.py
. "$(dirname "$0")/lib.sh"

command -v python3 > /dev/null || skip_all "no python3 to serve the hub over http"

git init -q --bare hub.git
git --git-dir=hub.git config http.receivepack true
python3 "$SERVER" "$PWD" port alice 's3cret pass' 2> server.log &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; cd / && rm -rf "$TRASH"' EXIT
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s port ] || { echo "Bail out! the http hub did not start: $(cat server.log)"; exit 1; }
PORT=$(cat port)
HUB=http://127.0.0.1:$PORT/hub.git

# HOME is this test's directory: git's settings and stored credentials are its own.
git config --global credential.helper store

# ---- nothing stored, no terminal: a clear message, exit 1, nothing lost -----------
ok ruta init hq --head-office --hub "$HUB"
ok ruta -C hq account add --name 'Acme S.L.'
run ruta -C hq sync < /dev/null
is "$rc" 1 "no password anywhere and no terminal: exit 1"
expect_stderr "hub '$HUB' asks for a user and password, and there is none: set RUTA_HUB_USER" \
	"the message says where a password can come from"
is "$(printf '%s' "$err" | grep -c 'fatal:')" 0 "git's own complaint is not printed"
is "$(git --git-dir=hub.git for-each-ref | wc -l)" 0 "the hub got nothing"

# ---- RUTA_HUB_USER and RUTA_HUB_PASSWORD ----------------------------------------------
RUTA_HUB_USER=alice RUTA_HUB_PASSWORD='s3cret pass' run ruta -C hq sync
is "$rc" 0 "with RUTA_HUB_USER and RUTA_HUB_PASSWORD the sync goes through"
is "$(git --git-dir=hub.git for-each-ref --format='%(refname)' | grep -c '^refs/heads/ruta/')" 2 \
	"head office's branch and the trust branch are on the hub"
grep -q '^alice "POST /hub.git/git-receive-pack' server.log
_report $? "the hub saw alice push"

# ---- git's credential helper: taken, approved, and forgotten when refused ---------
printf 'http://alice:s3cret%%20pass@127.0.0.1:%s\n' "$PORT" > .git-credentials
chmod 600 .git-credentials
ok ruta -C hq account add --name 'Bolt S.A.'
ok ruta -C hq sync
is "$(cat .git-credentials)" "http://alice:s3cret%20pass@127.0.0.1%3a$PORT" \
	"the stored password was used, and git was told it worked (approve)"
ruta -C hq keys export-pub --root > root.pub
ok ruta init north --team north --root-key root.pub --hub "$HUB"
ok ruta -C north sync
is "$(ruta -C north state-hash)" "$(ruta -C hq state-hash)" "a team pulls through the same hub"

printf 'http://alice:wrong@127.0.0.1:%s\n' "$PORT" > .git-credentials
ok ruta -C hq account add --name 'Cierre S.L.'
run ruta -C hq sync < /dev/null
is "$rc" 1 "a stored password the hub refuses: exit 1"
expect_stderr "hub '$HUB' refused the password git's credential helper gave for user 'alice'; git was told to forget it" \
	"the message names the helper and the user"
is "$(cat .git-credentials)" "" "git's helper forgot the refused password (reject)"
is "$(unexported hq)" 0 "the work is sealed and kept here, for the next sync"

# a user named in the URL is handed to the helper
printf 'http://bob:other@127.0.0.1:%s\nhttp://alice:s3cret%%20pass@127.0.0.1:%s\n' "$PORT" "$PORT" \
	> .git-credentials
run ruta -C hq sync --hub "http://alice@127.0.0.1:$PORT/hub.git"
is "$rc" 0 "the user in the URL picks alice's stored password, not bob's"
grep -q '^bob ' server.log
isnt $? 0 "bob's stored password was never sent"
grep -q '^alice .* 401 ' server.log
_report $? "the refused password was sent as alice's, and turned down (401)"

# ---- the password is never printed ------------------------------------------------
for r in hq north; do
	run ruta -C $r status --json
	printf '%s%s' "$out" "$err" | grep -q 's3cret' && fail "$r's status shows the password" ||
		pass "$r's status does not show the password"
done
grep -rqs 's3cret' hq/ruta.db hq/git/config north/ruta.db && fail "the password is stored in a replica" ||
	pass "no replica stores the password"

# ---- an app gives the login itself (ruta_sync_options.credentials) ---------------
# The example field app reads it from its own store, here a file; git's helper and
# the environment have nothing, so only the app's callback can let it in.
APP=$(dirname "$RUTA")/examples/field_app
if [ -x "$APP" ]; then
	: > .git-credentials
	ok ruta init tablet --team north --root-key root.pub --hub "$HUB"
	ruta -C tablet keys export-pub > tablet.pub
	RUTA_HUB_USER=alice RUTA_HUB_PASSWORD='s3cret pass' run ruta -C hq keys endorse tablet.pub --team north
	printf 'alice\nwrong\n' > login
	run "$APP" tablet "$HUB" < /dev/null
	is "$rc" 1 "the app without a login: refused"
	expect_stderr "asks for a user and password, and there is none" "... as with no password anywhere"
	run "$APP" tablet "$HUB" --login login < /dev/null
	is "$rc" 1 "the app's wrong password: refused"
	expect_stderr "hub '$HUB' refused the user 'alice' and password the app gave \(its credentials callback\)" \
		"... and the message says the app's login was turned down"
	printf 'alice\ns3cret pass\n' > login
	RUTA_HUB_USER=alice RUTA_HUB_PASSWORD='s3cret pass' run ruta -C hq sync
	run "$APP" tablet "$HUB" --login login < /dev/null
	is "$rc" 0 "the app's own login lets it sync"
	expect_stdout "^synced: pulled [1-9][0-9]*, applied [1-9][0-9]*, new conflicts 0, pushed [1-9][0-9]*$" \
		"... both ways: what the refused tries sealed goes too"
	RUTA_HUB_USER=alice RUTA_HUB_PASSWORD='s3cret pass' run ruta -C hq sync
	is "$(ruta -C tablet state-hash)" "$(ruta -C hq state-hash)" "the app's work reached head office"
	is "$(cat .git-credentials)" "" "git's helper was never asked nor told"
else
	skip "no field app at '$APP' (run 'make examples')" 8
fi

done_testing
