#!/bin/sh
# ruta account: add, edit, show, list, rm; ids and prefixes; bad input.
. "$(dirname "$0")/lib.sh"
setup_replicas

# ---- add --------------------------------------------------------------------
ok ruta -C r account add --name 'Acme S.L.' --tax-id ES:B12345674 --region Madrid --json
a=$(jget "$out" .id)
is "$(printf '%s\n' "$out" | wc -l)" 1 "--json prints one line"
is "$(jget "$out" .type)" account "--json: type account"
is "$(jget "$out" .name)" 'Acme S.L.' "--json: name"
is "$(jget "$out" .tax_id_norm)" ES:B12345674 "--json: normalized tax id"
is "$(jget "$out" .region)" Madrid "--json: region"
is "$(jget "$out" .lifecycle)" lead "a new account is a lead"
is "$(jget "$out" .team)" north "a new account belongs to this replica's team"
is "$(jget "$out" .deleted_at)" null "a new account is not deleted"
case $(jget "$out" .created_at) in
[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z) pass "created_at is ISO-8601 UTC" ;;
*) fail "created_at is ISO-8601 UTC"; diag "$(jget "$out" .created_at)" ;; esac
is "$(db r "SELECT name || '|' || region FROM account WHERE id='$a'")" 'Acme S.L.|Madrid' "the row is in the database"

ok ruta -C r account add --name 'Tiny'
b=$out
is "$(db r "SELECT name FROM account WHERE id='$b'")" Tiny "add without --json prints the id of the new row"

ok ruta -C r account add --name Full --legal-name 'Full Corp S.A.' --tax-id 'es:b-12345674' \
	--lifecycle prospect --sector retail --sales-channel direct --website https://full.example \
	--phone '912 345 678' --email 'Info@Full.Example' --street 'Calle 1' --city Sevilla \
	--postal-code 41001 --country es --employees 12 --owner ana --json
full=$(jget "$out" .id)
is "$(jget "$out" .tax_id)" es:b-12345674 "the tax id is kept as typed"
is "$(jget "$out" .tax_id_norm)" ES:B12345674 "... and normalized beside it"
is "$(jget "$out" .country)" ES "country es becomes ES"
is "$(jget "$out" .employees)" 12 "employees is a number"
is "$(jget "$out" .lifecycle)" prospect "lifecycle prospect"
is "$(jget "$out" .phone)" +34912345678 "--json shows the account phone in E.164"
is "$(jget "$out" .email)" info@full.example "--json shows the account email, normalized"
is "$(db r "SELECT phone || ' ' || email FROM account WHERE id='$full'")" \
	'+34912345678 info@full.example' "phone and email are stored normalized"

ok ruta -C r account add --name "Ñandú O'Brien & Hijos" --json
uni=$(jget "$out" .id)
is "$(jget "$out" .name)" "Ñandú O'Brien & Hijos" "UTF-8 and quotes round-trip through --json"
is "$(db r "SELECT name FROM account WHERE id='$uni'")" "Ñandú O'Brien & Hijos" "... and the database"
ok ruta -C r account rm "$uni"

# ---- show and list -------------------------------------------------------------
ok ruta -C r account show "$a"
expect_stdout '^name +Acme S\.L\.$' "show prints name"
expect_stdout "^id +$a\$" "show prints the id"
ok ruta -C r account show "$a" --json
is "$(jget "$out" .id)" "$a" "show --json: id"
expect_exit 2 ruta -C r account show "$a" --region x
expect_exit 2 ruta -C r account show "$a" "$b"

ok ruta -C r account list --json
is "$(jlen "$out")" 3 "list --json has three accounts"
is "$(jsql "$out" "SELECT group_concat(e.value->>'name', '|') FROM j, json_each(j.doc) e")" \
	'Acme S.L.|Tiny|Full' "list is oldest first"
ok ruta -C r account list
expect_stdout '^ID +NAME +TAX_ID +LIFECYCLE' "list prints a header"
is "$(printf '%s\n' "$out" | wc -l)" 4 "list prints a header and three rows"
expect_exit 2 ruta -C r account list --stage won
expect_stderr "unknown option '--stage'" "accounts have no stage to list by"
expect_exit 2 ruta -C r account list extra

# ---- edit ----------------------------------------------------------------------
ok ruta -C r account edit "$a" --lifecycle client --city Madrid --json
is "$(jget "$out" .lifecycle)" client "edit: lifecycle"
is "$(jget "$out" .city)" Madrid "edit: city"
is "$(jget "$out" .name)" 'Acme S.L.' "edit keeps the other fields"
ok ruta -C r account edit "$a" --city ''
is "$(db r "SELECT city IS NULL FROM account WHERE id='$a'")" 1 "an empty value clears an optional field"
ok ruta -C r account edit "$full" --tax-id '' --phone '' --email '' --employees ''
is "$(db r "SELECT quote(tax_id) || quote(tax_id_norm) || quote(phone) || quote(email) || quote(employees)
	FROM account WHERE id='$full'")" NULLNULLNULLNULLNULL "clearing a tax id clears its normalized form too"
ok ruta -C r account edit "$a" --name='Acme Iberia'
is "$(db r "SELECT name FROM account WHERE id='$a'")" 'Acme Iberia' "--field=value works"
expect_exit 2 ruta -C r account edit "$a"
expect_stderr 'say what to change' "edit with no field"
expect_exit 2 ruta -C r account edit --name x
expect_exit 2 ruta -C r account edit "$a" --name
expect_stderr "'--name' needs a value"

# ---- ids: full, prefixes, case ----------------------------------------------
# A replica with one account, so that any prefix of it is unambiguous.
ok ruta init solo --team solo
ok ruta -C solo account add --name Only
s=$out
ok ruta -C solo account show "$s" --json
is "$(jget "$out" .id)" "$s" "the full id is accepted"
p4=$(printf '%s' "$s" | cut -c1-4)
ok ruta -C solo account show "$p4" --json
is "$(jget "$out" .id)" "$s" "a 4-character prefix is accepted"
lower=$(printf '%s' "$s" | cut -c1-6 | tr '[:upper:]' '[:lower:]')
ok ruta -C solo account edit "$lower" --region South
is "$(db solo "SELECT region FROM account WHERE id='$s'")" South "a lower-case prefix is accepted"
p3=$(printf '%s' "$s" | cut -c1-3)
refused solo 1 "'$p3'.*(too short|at least 4)" ruta -C solo account edit "$p3" --region North
refused solo 1 "'$p3'" ruta -C solo account show "$p3"
lowfull=$(printf '%s' "$s" | tr '[:upper:]' '[:lower:]')
ok ruta -C solo account show "$lowfull" --json
is "$(jget "$out" .id)" "$s" "a lower-case full id is accepted"

# Two accounts made in the same second share their first characters.
ok ruta -C solo account add --name Second
s2=$out
common=$(printf '%s\n%s\n' "$s" "$s2" | sed -e 'N;s/^\(.*\).*\n\1.*$/\1/')
if [ ${#common} -ge 4 ]; then
	refused solo 1 "'$(printf '%s' "$common" | cut -c1-4)' matches several accounts" \
		ruta -C solo account edit "$(printf '%s' "$common" | cut -c1-4)" --region X
else
	for _ in 1 2 3 4; do skip "the two ids share fewer than 4 characters"; done
fi
uniq=$(printf '%s' "$s2" | cut -c1-$((${#common} + 1)))
ok ruta -C solo account show "$uniq" --json
is "$(jget "$out" .id)" "$s2" "a prefix one past the common part is unambiguous"

refused r 1 "no account has the id 'ZZZZZZZZ'" ruta -C r account edit ZZZZZZZZ --region X
refused r 1 "no account has the id 'a\*b'" ruta -C r account edit 'a*b' --region X
expect_exit 1 ruta -C r account show 00000000000000000000000000
expect_stderr "no account has the id '00000000000000000000000000'"
expect_exit 1 ruta -C r contact show "$a"
expect_stderr "no contact has the id '$a'" "an account id is not a contact id"

# ---- bad values: nothing written ------------------------------------------------
refused r 1 "name" ruta -C r account add --region Nowhere
refused r 1 "name.*empty" ruta -C r account add --name '   '
refused r 1 "name.*empty" ruta -C r account edit "$a" --name ''
refused r 1 "name.*control character" ruta -C r account add --name "$(printf 'a\001b')"
refused r 1 "name is given twice" ruta -C r account add --name a --name b
refused r 1 "name.*too long" ruta -C r account add --name "$(printf '%9000s' x)"
refused r 1 "name.*not valid UTF-8" ruta -C r account add --name "$(printf 'caf\351')"
refused r 1 "tax_id.*'ES:B12345675'" ruta -C r account add --name T --tax-id ES:B12345675
refused r 1 "tax_id.*'foo'" ruta -C r account add --name T --tax-id foo
refused r 1 "tax_id_norm is set by ruta" ruta -C r account add --name T --tax-id-norm ES:X
refused r 1 "lifecycle.*'customer'" ruta -C r account add --name T --lifecycle customer
refused r 1 "lifecycle.*'customer'" ruta -C r account edit "$a" --lifecycle customer
refused r 1 "sales_channel.*'fax'" ruta -C r account add --name T --sales-channel fax
refused r 1 "employees.*'-3'" ruta -C r account add --name T --employees -3
refused r 1 "employees.*'3x'" ruta -C r account add --name T --employees 3x
refused r 1 "email.*'info@'" ruta -C r account add --name T --email info@
refused r 1 "phone.*'12ab'" ruta -C r account add --name T --phone 12ab
refused r 1 "country.*'XX'" ruta -C r account edit "$a" --country XX
refused r 2 "account has no field 'frist_name'" ruta -C r account add --name T --frist-name X
refused r 2 "account has no field 'created_at'" ruta -C r account add --name T --created-at 2020-01-01T00:00:00Z
refused r 2 "account has no field 'deleted_at'" ruta -C r account edit "$a" --deleted-at 2020-01-01T00:00:00Z
refused r 2 "unknown option '-x'" ruta -C r account add --name T -x

# ---- rm: a tombstone -------------------------------------------------------------
ok ruta -C r account rm "$b"
expect_stderr "account $b deleted" "rm says it deleted"
is "$(db r "SELECT count(*) FROM account WHERE id='$b'")" 1 "the row stays"
is "$(db r "SELECT deleted_at IS NOT NULL FROM account WHERE id='$b'")" 1 "... with deleted_at set"
ok ruta -C r account list --json
is "$(jsql "$out" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'id' = '$b'")" 0 \
	"list hides a deleted account"
ok ruta -C r account list --all --json
is "$(jsql "$out" "SELECT count(*) FROM j, json_each(j.doc) e WHERE e.value->>'id' = '$b'")" 1 \
	"list --all shows it"
ok ruta -C r account show "$b" --json
isnt "$(jget "$out" .deleted_at)" null "show --json tells it is deleted"
refused r 1 "account $b was deleted" ruta -C r account edit "$b" --region X
refused r 1 "account $b was deleted already" ruta -C r account rm "$b"
refused r 1 "account $b was deleted" ruta -C r contact add --last-name Orphan --account "$b"
refused r 1 "account $b was deleted" ruta -C r opp add --account "$b" --name Orphan
refused r 2 "unknown option '--force'" ruta -C r account rm "$a" --force yes
expect_exit 2 ruta -C r account rm

done_testing
