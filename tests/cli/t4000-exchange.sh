#!/bin/sh
# Head office and two teams exchange signed changesets by hand (a USB stick)
# in every direction and end with the same CRM; stock OpenSSH checks ruta's
# signatures and makes byte-identical ones.
. "$(dirname "$0")/lib.sh"

ok ruta init hq --head-office --country ES
ruta -C hq keys export-pub --root > root.pub
ok ruta init north --team north --root-key root.pub --country ES
ok ruta init south --team south --root-key root.pub --country ES
ruta -C north keys export-pub > north.pub
ruta -C south keys export-pub > south.pub
NORTH=$(cut -d' ' -f3 north.pub)
SOUTH=$(cut -d' ' -f3 south.pub)
mkdir stick

# Before head office endorses south, its key means nothing.
ok ruta -C hq keys endorse north.pub --team north
expect_exit 2 ruta -C hq keys endorse north.pub
expect_exit 1 ruta -C hq keys endorse south.pub --team north
expect_stderr "does not belong to team 'north'" "a key is endorsed only for its own team"
expect_exit 1 ruta -C north keys endorse south.pub --team south
expect_stderr "only head office endorses keys" "a team cannot endorse keys"

# Nothing to export: said so, exit 0, no file.
ok ruta -C north export --out stick
expect_stderr "nothing to export" "nothing to export is said"
is "$(ls stick | wc -l)" 0 "nothing to export writes no file"

# North works; its changeset goes on the stick.
ok ruta -C north account add --name 'Acme S.L.' --tax-id ES:B12345674 --city Madrid
ACME=$out
ok ruta -C north contact add --first-name Ana --last-name Ruiz --email ana@acme.example --account "$ACME"
ok ruta -C north export --out stick --json
is "$(jget "$out" .seq)" 1 "north's first changeset is number 1"
cmp_ok "$(jget "$out" .changes)" -gt 5 "it carries the field changes"
ok test -f "stick/$NORTH-00000001.json"
ok test -f "stick/$NORTH-00000001.json.sig"
is "$(jget "$(ruta -C north status --json)" .unexported)" 0 "after export nothing is unexported"

# Stock OpenSSH verifies the signature with the trust file as allowed_signers,
# and signs the same bytes into a byte-identical signature.
ruta -C hq keys show --json > show.json
jget "$(cat show.json)" .trust > trust.txt
ok ssh-keygen -Y verify -f trust.txt -I "$NORTH" -n ruta-changeset \
	-s "stick/$NORTH-00000001.json.sig" < "stick/$NORTH-00000001.json"
cp "stick/$NORTH-00000001.json" copy.json
ok ssh-keygen -Y sign -f north/keys/replica.key -n ruta-changeset -O hashalg=sha256 copy.json
ok cmp copy.json.sig "stick/$NORTH-00000001.json.sig"
run ssh-keygen -Y verify -f trust.txt -I "$SOUTH" -n ruta-changeset \
	-s "stick/$NORTH-00000001.json.sig" < "stick/$NORTH-00000001.json"
isnt "$rc" 0 "stock OpenSSH refuses the signature for another principal"

# Head office takes in north's work, and endorses south.
ok ruta -C hq apply stick
expect_stderr "applied 1 changeset" "head office applies north's changeset"
ok ruta -C hq keys endorse south.pub --team south --valid-after 2026-01-01
ok ruta -C hq export --out stick
ok test -f stick/ruta-trust-00000003.txt.sig

# South gets everything from the stick: trust first, then north's changeset.
ok ruta -C south apply stick
is "$(jget "$(ruta -C south status --json)" .trust_version)" 3 "south has trust version 3"
ok ruta -C south account show "$ACME" --json
is "$(jget "$out" .city)" Madrid "north's account reached south"

# South edits north's account and adds its own; north and head office apply.
ok ruta -C south account edit "$ACME" --city Sevilla
ok ruta -C south opp add --account "$ACME" --name 'Fleet' --amount 12000.00 --currency EUR
OPP=$out
ok ruta -C south opp move "$OPP" --stage needs
ok ruta -C south export --out stick
ok ruta -C north apply stick
ok ruta -C hq apply stick

# Head office changes the pipeline; a new stage travels to both teams.
ok ruta -C hq stage add trial --label Trial --seq 35 --probability 60
ok ruta -C hq export --out stick
ok ruta -C north apply stick
ok ruta -C south apply stick
ok ruta -C north opp move "$OPP" --stage trial
ok ruta -C north export --out stick
ok ruta -C south apply stick
ok ruta -C hq apply stick

# Applying everything again changes nothing.
H=$(ruta -C south state-hash)
ok ruta -C south apply stick
expect_stderr "applied 0 changesets" "a second apply applies nothing"
is "$(ruta -C south state-hash)" "$H" "and the state is the same"

# Every replica holds the same CRM.
HQ=$(ruta -C hq state-hash)
is "$(ruta -C north state-hash)" "$HQ" "north and head office converged"
is "$(ruta -C south state-hash)" "$HQ" "south and head office converged"
ok ruta -C north opp show "$OPP" --json
is "$(jget "$out" .stage)" trial "the last move won everywhere"
ok ruta -C north account show "$ACME" --json
is "$(jget "$out" .city)" Sevilla "south's edit of north's account reached north"

# A pipe works too: a bundle on stdout into apply on stdin.
ok ruta -C north account add --name 'Piped S.A.'
ruta -C north export --out - > bundle
ok head -c 14 bundle
is "$out" "ruta-bundle 1" "the bundle starts with its magic"
run sh -c "'$RUTA' -C hq apply - < bundle"
is "$rc" 0 "apply - reads a bundle"
ok ruta -C hq account list --json
case $out in *'Piped S.A.'*) pass "the piped account arrived" ;; *) fail "the piped account arrived" ;; esac
is "$(ls hq | grep -c '^incoming')" 0 "the bundle taken in from stdin is not left behind"
# A bundle saved to a file applies from the file, an entry at a time.
ok ruta -C south apply bundle --json
is "$(jget "$out" .applied)" "$(grep -c '^north-.*\.json [0-9]*$' bundle)" "a saved bundle applies as a file"
is "$(ruta -C south state-hash)" "$(ruta -C hq state-hash)" "... and south holds what head office holds"
printf 'not a bundle\n' > notbundle
run sh -c "'$RUTA' -C hq apply - < notbundle"
is "$rc" 1 "apply - refuses what is not a bundle"
expect_stderr "not a ruta bundle" "... and says so"
is "$(ls hq | grep -c '^incoming')" 0 "... and leaves nothing behind"
ok ruta -C north account add --name 'Nowhere to go'
run sh -c "'$RUTA' -C north export --out - >&-"
is "$rc" 1 "export to a closed stdout fails"
expect_stderr "cannot write the bundle to stdout" "... and says so"
ruta -C north export --out - > again
ok grep -q 'Nowhere to go' again
head -c 200 bundle > cut
run sh -c "'$RUTA' -C hq apply - < cut"
is "$rc" 1 "a bundle cut short is refused"
expect_stderr "bundle: bad entry" "... naming the entry that is cut"

# Revoking south: what head office had stays, south's next changeset is refused.
ok ruta -C hq keys revoke south
ok ruta -C hq export --out stick
ok ruta -C north apply stick
ok ruta -C south account add --name 'After revocation'
ok ruta -C south export --out stick
expect_exit 4 ruta -C north apply stick
expect_stderr "revoked after its changeset" "a revoked replica's new changeset is refused"
ok ruta -C north status --json
is "$(jget "$out" .quarantined)" 1 "the refused changeset is kept, with its reason"
case $out in *'revoked after'*) pass "status lists the reason" ;; *) fail "status lists the reason" ;; esac

# A passphrase-protected key: needed to export, never needed to read.
ok ruta -C north account add --name 'Protected'
BEFORE=$(jget "$(ruta -C north status --json)" .unexported)
run env RUTA_NEW_PASSPHRASE='correct horse battery' "$RUTA" -C north keys passphrase
is "$rc" 0 "the key gets a passphrase"
ok grep -q 'BEGIN RUTA ENCRYPTED KEY' north/keys/replica.key
is "$(stat -c %a north/keys/replica.key)" 600 "the protected key file stays 0600"
ok ruta -C north account list
run ruta -C north export --out stick </dev/null
is "$rc" 1 "export without the passphrase fails (no terminal, no RUTA_PASSPHRASE)"
expect_stderr "passphrase" "... and says a passphrase is needed"
run env RUTA_PASSPHRASE='wrong one here' "$RUTA" -C north export --out stick
is "$rc" 1 "a wrong passphrase fails"
expect_stderr "wrong passphrase" "... and says so"
is "$(jget "$(ruta -C north status --json)" .unexported)" "$BEFORE" "nothing was exported without the key"
run env RUTA_PASSPHRASE='correct horse battery' "$RUTA" -C north export --out stick
is "$rc" 0 "export works with the passphrase"
run env RUTA_PASSPHRASE='correct horse battery' "$RUTA" -C north keys passphrase --remove
is "$rc" 0 "the passphrase can be removed"
ok ssh-keygen -y -f north/keys/replica.key

done_testing
