#!/bin/sh
# Sync through an ssh:// hub: a real sshd on 127.0.0.1, started and stopped
# here with its own host key, authorized keys and configuration. The key
# comes from RUTA_SSH_KEY (and RUTA_SSH_KEY_PASSPHRASE) or from ssh-agent;
# the hub's host key must be in the known hosts (~/.ssh/known_hosts, plain or
# hashed, or RUTA_SSH_KNOWN_HOSTS), and an unknown or changed one is refused
# before anything is sent. A wrong key is an error (1), a stopped sshd is
# "try later" (5), and the work waits for the next sync.
. "$(dirname "$0")/lib.sh"

SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || skip_all "no $SSHD: install openssh-server (scripts/deps.sh does)"
for t in ssh ssh-keygen ssh-keyscan ssh-agent ssh-add git-upload-pack git-receive-pack; do
	command -v "$t" >/dev/null 2>&1 || skip_all "no $t: install openssh-client and git"
done
# As root, sshd insists on its privilege separation directory (the system's
# service makes it at boot). As anyone else it needs none.
if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
	mkdir -m 755 -p /run/sshd 2>/dev/null ||
		skip_all "sshd cannot run here: /run/sshd is missing and cannot be made"
fi
unset SSH_AUTH_SOCK SSH_AGENT_PID RUTA_SSH_KEY RUTA_SSH_KEY_PASSPHRASE RUTA_SSH_KNOWN_HOSTS

# Under `make check` (RUTA_SAN set): libgit2 1.5.1 leaks what it reads from
# ~/.ssh/known_hosts on every ssh connection (two path strings, and the
# libssh2 host list unless the connection fails); ruta never holds them.
# Leaks made inside git_remote_connect_ext are libgit2's own, so they are
# suppressed by that name, which needs real stacks (libgit2 has no frame
# pointers for the fast unwinder); 14 frames reach it (it is at most the
# 9th). Everything else is checked as usual.
if [ -n "${RUTA_SAN:-}" ]; then
	_supp=$(printf '%s\n' "${LSAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's/^suppressions=//p')
	{ [ -n "$_supp" ] && cat "$_supp"; echo 'leak:git_remote_connect_ext'; } > "$TRASH/lsan.supp"
	LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TRASH/lsan.supp:fast_unwind_on_malloc=0:malloc_context_size=14:print_suppressions=0"
	export LSAN_OPTIONS
fi

ME=$(id -un)
SSHD_PID=
AGENT_PID=
stop_sshd() {
	[ -n "$SSHD_PID" ] || return 0
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}
stop_agent() { [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null; AGENT_PID=; }
trap 'stop_sshd; stop_agent; cd / && rm -rf "$TRASH"' EXIT

# ---- the server ---------------------------------------------------------------

ssh-keygen -q -t ed25519 -N '' -C hub-host -f host_key
ssh-keygen -q -t ed25519 -N '' -C other-host -f other_host_key
ssh-keygen -q -t ed25519 -N '' -C north -f id_north
ssh-keygen -q -t ed25519 -N 'open sesame' -C hq -f id_hq
ssh-keygen -q -t ed25519 -N '' -C stranger -f id_stranger
cat id_north.pub id_hq.pub > authorized_keys
cat > sshd_config <<EOF
ListenAddress 127.0.0.1
HostKey $TRASH/host_key
AuthorizedKeysFile $TRASH/authorized_keys
PidFile $TRASH/sshd.pid
AllowUsers $ME
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
LogLevel VERBOSE
EOF
run "$SSHD" -t -f "$TRASH/sshd_config" -o Port=22
[ "$rc" -eq 0 ] || { echo "Bail out! sshd refuses the test's configuration: $err"; exit 1; }

# start_sshd PORT: sshd in the foreground (-D) of a background job; 0 once
# it listens (it writes its pid file after binding).
start_sshd() {
	rm -f sshd.pid
	"$SSHD" -D -f "$TRASH/sshd_config" -o "Port=$1" -E "$TRASH/sshd.log" &
	SSHD_PID=$!
	_i=0
	while [ ! -s sshd.pid ] && [ $_i -lt 50 ]; do
		grep -q "Cannot bind" sshd.log 2>/dev/null && break
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -s sshd.pid ] && return 0
	stop_sshd
	return 1
}

PORT=
for try in 0 1 2 3 4; do
	p=$((30000 + ($$ + try * 1013) % 20000))
	if start_sshd $p; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "Bail out! sshd did not start on 127.0.0.1: $(tail -n 3 sshd.log)"; exit 1; }
HOST="[127.0.0.1]:$PORT"
HUB="ssh://$ME@127.0.0.1:$PORT$TRASH/hub.git"
git init -q --bare hub.git
echo "$HOST $(cut -d' ' -f1,2 host_key.pub)" > host.known

# The harness itself, with stock OpenSSH: the key logs in and git is there.
ok ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -i id_north -p "$PORT" \
	-o UserKnownHostsFile="$TRASH/host.known" -o StrictHostKeyChecking=yes "$ME@127.0.0.1" \
	'command -v git-upload-pack && command -v git-receive-pack'

# hub_refs: the hub's branches, to see that a refused sync sent nothing.
hub_refs() { git --git-dir=hub.git for-each-ref --format='%(refname) %(objectname)'; }
# sshd_auths: how many logins sshd has seen tried (accepted or not).
sshd_auths() { grep -c 'publickey for' sshd.log; }

# ---- the replicas ---------------------------------------------------------------

ok ruta init hq --head-office --country ES --hub "$HUB"
ruta -C hq keys export-pub --root > root.pub
ok ruta init north --team north --root-key root.pub --country ES --hub "$HUB"
ruta -C north keys export-pub > north.pub
ok ruta -C hq keys endorse north.pub --team north

# ---- the host key ------------------------------------------------------------------

# Never seen: refused before any login, naming the host, its key and the fix.
AUTHS=$(sshd_auths)
run env RUTA_SSH_KEY="$TRASH/id_north" "$RUTA" -C north sync
is "$rc" 1 "an unknown hub host key exits 1"
expect_stderr "hub host '\[127\.0\.0\.1\]:$PORT' is not in $TRASH/\.ssh/known_hosts" \
	"the message names the host and ~/.ssh/known_hosts"
FP=$(ssh-keygen -lf host_key.pub | cut -d' ' -f2)
expect_stderr "ssh-ed25519 host key is $(printf '%s' "$FP" | sed 's/[+.]/\\&/g')" \
	"... its type and SHA256 fingerprint, as ssh-keygen -l shows it"
expect_stderr "ssh-keyscan -p $PORT 127\.0\.0\.1 >> $TRASH/\.ssh/known_hosts" "... and the fix"
one_line_error 1
is "$(sshd_auths)" "$AUTHS" "no login was tried with an unknown host key"
is "$(hub_refs)" "" "nothing reached the hub"

# The fix it names, then hashed as Debian's ssh does (HashKnownHosts).
mkdir -p .ssh
FIX=$(printf '%s\n' "$err" | sed -n 's/.*then add it: //p')
ok sh -c "$FIX"
ok ssh-keygen -q -H -f .ssh/known_hosts
rm -f .ssh/known_hosts.old
run grep -c '^|1|' .ssh/known_hosts
is "$out" 1 "~/.ssh/known_hosts holds the hub hashed"

# ---- syncing: a key file, a protected key file -------------------------------------------

ok env RUTA_SSH_KEY="$TRASH/id_hq" RUTA_SSH_KEY_PASSPHRASE='open sesame' "$RUTA" -C hq sync
ok env RUTA_SSH_KEY="$TRASH/id_north" "$RUTA" -C north sync
ok ruta -C north account add --name 'Acme S.L.' --city Madrid
ACME=$out
ok env RUTA_SSH_KEY="$TRASH/id_north" "$RUTA" -C north sync --json
is "$(jget "$out" .pushed)" 1 "north pushes its changeset over ssh"
ok env RUTA_SSH_KEY="$TRASH/id_hq" RUTA_SSH_KEY_PASSPHRASE='open sesame' "$RUTA" -C hq sync --json
is "$(jget "$out" .applied)" 1 "head office pulls it with a passphrase-protected key"
ok ruta -C hq opp add --account "$ACME" --name 'Fleet' --amount 12000.00 --currency EUR
ok env RUTA_SSH_KEY="$TRASH/id_hq" RUTA_SSH_KEY_PASSPHRASE='open sesame' "$RUTA" -C hq sync
ok env RUTA_SSH_KEY="$TRASH/id_north" "$RUTA" -C north sync
is "$(ruta -C north state-hash)" "$(ruta -C hq state-hash)" "north and head office converged over ssh"
run git --git-dir=hub.git for-each-ref --format='%(refname)'
case $out in *refs/heads/ruta/trust*) pass "the hub holds the trust branch" ;;
	*) fail "the hub holds the trust branch" ;; esac

# ---- keys that do not work --------------------------------------------------------------

ok ruta -C north account add --name 'Kept here'
REFS=$(hub_refs)
run env RUTA_SSH_KEY="$TRASH/id_stranger" "$RUTA" -C north sync
is "$rc" 1 "a key the hub does not know exits 1"
expect_stderr "refused the ssh key '$TRASH/id_stranger' \(RUTA_SSH_KEY\) for user '$ME'" \
	"and says which key and user the hub refused"
one_line_error 1
run env RUTA_SSH_KEY="$TRASH/id_hq" "$RUTA" -C hq sync
is "$rc" 1 "a protected key without its passphrase exits 1"
expect_stderr "'$TRASH/id_hq' \(RUTA_SSH_KEY\) cannot be used.*RUTA_SSH_KEY_PASSPHRASE" \
	"and names RUTA_SSH_KEY_PASSPHRASE"
run env RUTA_SSH_KEY="$TRASH/no_such_key" "$RUTA" -C north sync
is "$rc" 1 "a key file that is not there exits 1"
expect_stderr "'$TRASH/no_such_key' \(RUTA_SSH_KEY\) cannot be read" "and says so"
run ruta -C north sync
is "$rc" 1 "no RUTA_SSH_KEY and no ssh-agent exits 1"
expect_stderr "no ssh key for hub.*RUTA_SSH_KEY.*ssh-agent.*SSH_AUTH_SOCK is not set" \
	"and says how to give one"
# A URL without a user logs in as git (which this sshd does not know).
run env RUTA_SSH_KEY="$TRASH/id_north" "$RUTA" -C north sync \
	--hub "ssh://127.0.0.1:$PORT$TRASH/hub.git"
is "$rc" 1 "a URL without a user is refused here"
expect_stderr "for user 'git'" "because it logs in as git"
is "$(hub_refs)" "$REFS" "nothing reached the hub with a refused key"

# ---- ssh-agent -----------------------------------------------------------------------------

eval "$(ssh-agent -a "$TRASH/agent.sock")" >/dev/null
AGENT_PID=$SSH_AGENT_PID
ok ssh-add -q id_stranger
run ruta -C north sync
is "$rc" 1 "an agent without the hub's key exits 1"
expect_stderr "accepts no key that ssh-agent holds for user '$ME'" "and says so"
ok ssh-add -q id_north
ok ruta -C north sync --json
is "$(jget "$out" .pushed)" 1 "with the key in ssh-agent and no RUTA_SSH_KEY, north pushes"
ok env RUTA_SSH_KEY="$TRASH/id_hq" RUTA_SSH_KEY_PASSPHRASE='open sesame' "$RUTA" -C hq sync
ok ruta -C hq account list --json
case $out in *'Kept here'*) pass "the work kept through the refusals arrived" ;;
	*) fail "the work kept through the refusals arrived" ;; esac

# ---- host keys that do not match --------------------------------------------------------

# RUTA_SSH_KNOWN_HOSTS, plain: used instead of ~/.ssh/known_hosts.
ok env RUTA_SSH_KNOWN_HOSTS="$TRASH/host.known" "$RUTA" -C north sync
echo "$HOST $(cut -d' ' -f1,2 other_host_key.pub)" > other.known
REFS=$(hub_refs)
AUTHS=$(sshd_auths)
ok ruta -C north account add --name 'Not for a stranger'
run env RUTA_SSH_KNOWN_HOSTS="$TRASH/other.known" "$RUTA" -C north sync
is "$rc" 1 "a changed host key (RUTA_SSH_KNOWN_HOSTS) exits 1"
expect_stderr "hub host '\[127\.0\.0\.1\]:$PORT' sent a different ssh-ed25519 host key .* from the one in $TRASH/other\.known line 1: someone may be intercepting" \
	"and warns, naming the host and the entry"
expect_stderr "ssh-keygen -R '\[127\.0\.0\.1\]:$PORT' -f $TRASH/other\.known" "... with the fix"
one_line_error 1
# ~/.ssh/known_hosts, hashed, with another key for the host.
cp .ssh/known_hosts good.known
cp other.known .ssh/known_hosts
ok ssh-keygen -q -H -f .ssh/known_hosts
run ruta -C north sync
is "$rc" 1 "a changed host key (hashed ~/.ssh/known_hosts) exits 1"
expect_stderr "sent a different ssh-ed25519 host key .* $TRASH/\.ssh/known_hosts line 1" \
	"and names the hashed entry"
# A revoked key, and a key whose entry a negated pattern rules out.
{ echo "@revoked * $(cut -d' ' -f1,2 host_key.pub)"; cat host.known; } > revoked.known
run env RUTA_SSH_KNOWN_HOSTS="$TRASH/revoked.known" "$RUTA" -C north sync
is "$rc" 1 "a revoked host key is refused"
expect_stderr "@revoked" "and says it is revoked"
echo "[127.0.0.*]:*,!$HOST $(cut -d' ' -f1,2 host_key.pub)" > negated.known
run env RUTA_SSH_KNOWN_HOSTS="$TRASH/negated.known" "$RUTA" -C north sync
is "$rc" 1 "a negated pattern rules the entry out"
ssh-keygen -q -t ecdsa -N '' -f ecdsa_key
echo "$HOST $(cut -d' ' -f1,2 ecdsa_key.pub)" > ecdsa.known
run env RUTA_SSH_KNOWN_HOSTS="$TRASH/ecdsa.known" "$RUTA" -C north sync
is "$rc" 1 "a host known only by a key of another type is refused"
expect_stderr "sent its ssh-ed25519 host key .* holds only its ecdsa-sha2-nistp256 key" \
	"and says which types it sent and knows"
is "$(sshd_auths)" "$AUTHS" "no login was tried with a host key not known"
is "$(hub_refs)" "$REFS" "nothing reached the hub"
echo "[127.0.0.*]:$PORT,[other]:22 $(cut -d' ' -f1,2 host_key.pub)" > wild.known
ok env RUTA_SSH_KNOWN_HOSTS="$TRASH/wild.known" "$RUTA" -C north sync
# libgit2 reads ~/.ssh/known_hosts too, and stops at a line libssh2 cannot parse.
{ echo garbage; cat good.known; } > .ssh/known_hosts
run ruta -C north sync
is "$rc" 1 "a ~/.ssh/known_hosts that libssh2 cannot parse exits 1, not 5"
expect_stderr "known_hosts has a line libssh2 cannot read" "and says so"
cp good.known .ssh/known_hosts

# ---- an app gives the key itself (ruta_sync_options.credentials) ---------------------
# The example field app reads its login from its own store, here a file of three
# lines: user, passphrase, key file. No RUTA_SSH_KEY and no agent is set for it.
APP=$(dirname "$RUTA")/examples/field_app
if [ -x "$APP" ]; then
	ok ruta init tablet --team north --root-key root.pub --country ES --hub "$HUB"
	ruta -C tablet keys export-pub > tablet.pub
	ok ruta -C hq keys endorse tablet.pub --team north
	ok env RUTA_SSH_KEY="$TRASH/id_hq" RUTA_SSH_KEY_PASSPHRASE='open sesame' "$RUTA" -C hq sync
	printf '%s\n\n%s\n' "$ME" "$TRASH/id_stranger" > login
	run env -u SSH_AUTH_SOCK "$APP" tablet "$HUB" --login login
	is "$rc" 1 "the app's key that the hub does not know: refused"
	expect_stderr "refused the ssh key '$TRASH/id_stranger' the app gave \(its credentials callback\) for user '$ME'" \
		"... naming the key the app gave and the user"
	printf '%s\nopen sesame\n%s\n' "$ME" "$TRASH/id_hq" > login
	run env -u SSH_AUTH_SOCK "$APP" tablet "$HUB" --login login
	is "$rc" 0 "the app's own key, with its passphrase, lets it sync"
	ok env RUTA_SSH_KEY="$TRASH/id_hq" RUTA_SSH_KEY_PASSPHRASE='open sesame' "$RUTA" -C hq sync
	is "$(ruta -C tablet state-hash)" "$(ruta -C hq state-hash)" "the app's work reached head office"
else
	skip "no field app at '$APP' (run 'make examples')" 9
fi

# ---- the hub goes away ----------------------------------------------------------------

stop_sshd
ok ruta -C north account add --name 'While the hub is down'
run ruta -C north sync
is "$rc" 5 "a stopped sshd exits 5"
expect_stderr "cannot be reached.*try again later" "and says to try later"
one_line_error 5
start_sshd "$PORT" || diag "sshd did not start again on $PORT"
ok ruta -C north sync
ok env RUTA_SSH_KEY="$TRASH/id_hq" RUTA_SSH_KEY_PASSPHRASE='open sesame' "$RUTA" -C hq sync
is "$(ruta -C north state-hash)" "$(ruta -C hq state-hash)" "after the outage both converge"
stop_sshd
stop_agent

[ "$_failed" -gt 0 ] && diag "sshd log: $(tail -n 20 sshd.log)"
done_testing
