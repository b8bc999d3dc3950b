#!/bin/sh
# The tool itself: help, version, usage errors, exit codes, -C and RUTA_DIR.
. "$(dirname "$0")/lib.sh"

ok ruta --version
expect_stdout '^ruta [0-9]+\.[0-9]+\.[0-9]+$' "--version prints 'ruta X.Y.Z'"
ok ruta version
expect_stdout '^ruta [0-9]+\.[0-9]+\.[0-9]+$' "version prints 'ruta X.Y.Z'"

ok ruta --help
expect_stdout '^usage: ruta \[-C DIR\] COMMAND' "--help starts with the usage line"
for c in init status log keys account contact opp activity offer stage lost-reason; do
	expect_stdout "^  $c " "--help lists '$c'"
done
is "$err" "" "--help writes nothing on stderr"

ok ruta help
expect_stdout '^exit codes:' "help lists the exit codes"
ok ruta help exit-codes
for code in 0 1 2 3 4 5; do
	expect_stdout "^  $code  " "help exit-codes documents $code"
done
ok ruta help opp
expect_stdout '^usage: ruta opp ' "help opp shows the opp usage"

# Help on every level, on stdout, exit 0.
for c in init status log keys account contact opp activity offer stage lost-reason; do
	ok ruta "$c" --help
	expect_stdout '^usage: ruta ' "'ruta $c --help' starts with a usage line"
done
ok ruta account add --help
expect_stdout 'examples:' "'ruta account add --help' has examples"

# Usage errors: exit 2, a message on stderr, nothing on stdout.
expect_exit 2 ruta
expect_stderr '^usage: ruta' "no command prints the usage on stderr"
is "$out" "" "no command: nothing on stdout"
expect_exit 2 ruta frobnicate
expect_stderr "^ruta: 'frobnicate' is not a ruta command" "an unknown command is named"
expect_exit 2 ruta --frobnicate
expect_stderr "unknown option '--frobnicate'" "an unknown global option is named"
expect_exit 2 ruta -C
expect_stderr '-C needs a directory' "-C without a directory"
expect_exit 2 ruta help frobnicate
expect_stderr "no help on 'frobnicate'"
expect_exit 2 ruta account
expect_stderr '^usage: ruta account' "a group without a subcommand shows its usage"
expect_exit 2 ruta account frobnicate
expect_stderr "'frobnicate' is not a subcommand of 'ruta account'"
expect_exit 2 ruta keys frobnicate
expect_exit 2 ruta log --local --since 2026-01-01
expect_stderr 'takes no --record, --replica or --since' "log --local takes no filter"

# Outside a replica: exit 1 and how to make one.
expect_exit 1 ruta status
expect_stderr "^ruta: no ruta replica in '$TRASH'" "status outside a replica names the directory"
expect_stderr "ruta init" "... and says how to create one"
expect_exit 1 ruta account list
run ruta -C "$TRASH/missing" status
isnt "$rc" 0 "-C with a missing directory fails"
expect_stderr "cannot use '$TRASH/missing' \\(-C\\)" "-C names the missing directory"

# A replica to point at.
setup_replicas
ok ruta -C r status --json
is "$(jget "$out" .team)" north "-C r: status shows team north"
is "$(jget "$out" .head_office)" false "-C r: not head office"
is "$(jget "$out" .dir)" "$TRASH/r" "-C r: status shows the absolute directory"
is "$(jget "$out" .schema_version)" 11 "schema version 11"
is "$(jget "$out" .unexported)" 0 "a new replica has nothing to export"
is "$(jget "$out" .records)" 0 "a new replica has no records"
expect_exit 2 ruta -C r status --frobnicate
expect_stderr "unknown option '--frobnicate'"
expect_exit 2 ruta -C r status extra
expect_exit 2 ruta -C r account list --frobnicate x
expect_stderr "unknown option '--frobnicate'"

# -C twice works like git: relative to the first.
mkdir -p deep/er
ok ruta -C deep -C ../r status --json
is "$(jget "$out" .team)" north "-C deep -C ../r reaches r"

# -C applies to init too.
ok ruta -C deep init sub --team south
test -f deep/sub/ruta.db
is $? 0 "ruta -C deep init sub creates deep/sub"

# RUTA_DIR names the replica from anywhere; -C, the command line, wins over it.
cd deep/er || exit 1
run env RUTA_DIR="$TRASH/r" "$RUTA" status --json
is "$rc" 0 "RUTA_DIR: status exits 0"
is "$(jget "$out" .team)" north "RUTA_DIR points at team north"
run env RUTA_DIR="$TRASH/r" "$RUTA" -C "$TRASH/hq" status --json
is "$(jget "$out" .head_office)" true "-C wins over RUTA_DIR (ruta(1))"
run env RUTA_DIR= "$RUTA" -C "$TRASH/hq" status --json
is "$(jget "$out" .head_office)" true "an empty RUTA_DIR is ignored"
run env RUTA_DIR="$TRASH/r" "$RUTA" account add --name 'Via env'
is "$rc" 0 "RUTA_DIR: add works"
cd "$TRASH" || exit 1
is "$(db r "SELECT name FROM account")" "Via env" "the record went to RUTA_DIR's replica"
is "$(db hq "SELECT count(*) FROM account")" 0 "... not to head office's"

# Data on stdout, messages on stderr.
run ruta -C r account add --name Acme
is "$(printf '%s\n' "$out" | grep -Ec '^[0-9A-HJKMNP-TV-Z]{26}$')" 1 "add prints the new id (a ULID) on stdout"
id=$out
run ruta -C r account edit "$id" --region Madrid
is "$out" "" "edit without --json prints nothing on stdout"
expect_stderr "^ruta: account $id updated" "edit says what it did on stderr"

# Every exit code that exists so far, in one place.
expect_exit 0 ruta -C r account show "$id"
expect_exit 1 ruta -C r account show 0000000000000000000000000X
expect_exit 2 ruta -C r account show
expect_exit 2 ruta -C r account edit "$id" --frobnicate x
expect_stderr "account has no field 'frobnicate'" "an unknown field is a usage error"

done_testing
