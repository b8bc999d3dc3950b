#!/bin/sh
# ruta contact: people with several emails and phones, normalization, edits.
. "$(dirname "$0")/lib.sh"
setup_replicas

acc=$(ruta -C r account add --name Acme)

# ---- add with several emails and phones ----------------------------------------
ok ruta -C r contact add --first-name Ana --last-name Ruiz --title CFO \
	--email ana@acme.es --email 'Ana.Ruiz@Gmail.com' \
	--phone '612 345 678' --phone '+40 721 234 567' --account "$acc" --json
c=$(jget "$out" .id)
is "$(jget "$out" .type)" contact "--json: type contact"
is "$(jget "$out" .first_name) $(jget "$out" .last_name)" "Ana Ruiz" "--json: names"
is "$(jget "$out" .account_id)" "$acc" "--json: the account (--account) is linked"
is "$(jlen "$out" .emails)" 2 "two emails"
is "$(jget "$out" .emails[0].email)" ana@acme.es "the first email given comes first"
is "$(jget "$out" .emails[0].primary)" true "... and is primary"
is "$(jget "$out" .emails[1].primary)" false "the second email is not primary"
is "$(jget "$out" .emails[1].email)" Ana.Ruiz@Gmail.com "an email is shown as typed"
is "$(db r "SELECT email_norm FROM contact_email WHERE email='Ana.Ruiz@Gmail.com'")" \
	ana.ruiz@gmail.com "... and kept normalized (lower case) beside it"
is "$(jlen "$out" .phones)" 2 "two phones"
is "$(jget "$out" .phones[0].phone)" +34612345678 "'612 345 678' on an ES replica is +34612345678"
is "$(jget "$out" .phones[0].primary)" true "the first phone is primary"
is "$(jget "$out" .phones[1].phone)" +40721234567 "'+40 721 234 567' is +40721234567"
is "$(jget "$out" .phones[1].primary)" false "the second phone is not primary"
is "$(db r "SELECT count(*) FROM contact_email WHERE contact_id='$c' AND deleted_at IS NULL")" 2 \
	"two rows in contact_email"
is "$(db r "SELECT phone || '>' || e164 FROM contact_phone WHERE contact_id='$c' AND is_primary")" \
	'612 345 678>+34612345678' "contact_phone keeps the number as typed beside its E.164 form"
is "$(db r "SELECT email_norm FROM contact_email WHERE contact_id='$c' AND is_primary")" \
	ana@acme.es "contact_email has the normalized email"

ok ruta -C r contact show "$c"
expect_stdout '^email +ana@acme\.es$' "show prints the emails"
expect_stdout '^phone +\+34612345678$' "show prints the phones"
ok ruta -C r contact list --account "$acc" --json
is "$(jsql "$out" "SELECT group_concat(e.value->>'id') FROM j, json_each(j.doc) e")" "$c" \
	"contact list --account lists the account's contact"
ok ruta -C r contact add --last-name Loner
loner=$out
ok ruta -C r contact list --account "$acc" --json
is "$(jlen "$out")" 1 "contact list --account leaves out other contacts"
ok ruta -C r contact list --json
is "$(jlen "$out")" 2 "contact list shows both"
ok ruta -C r contact show "$loner" --json
is "$(jget "$out" .emails)" '[]' "a contact without emails has an empty list"
is "$(jget "$out" .do_not_call)" 0 "do_not_call defaults to 0"

# ---- edit: names, flags, emails and phones ------------------------------------
ok ruta -C r contact edit "$c" --title CEO --do-not-call yes --json
is "$(jget "$out" .title)" CEO "edit: title"
is "$(jget "$out" .do_not_call)" 1 "edit: do_not_call yes is 1"
is "$(jlen "$out" .emails)" 2 "editing a field keeps the emails"

ok ruta -C r contact edit "$c" --add-email ana@acme.ro --add-phone '+34 699 000 111' --json
is "$(jlen "$out" .emails)" 3 "--add-email adds an email"
is "$(jsql "$out" "SELECT e.value->>'primary' FROM j, json_each(j.doc, '\$.emails') e
	WHERE e.value->>'email' = 'ana@acme.ro'")" 0 "an added email is not primary"
is "$(jlen "$out" .phones)" 3 "--add-phone adds a phone"
is "$(jget "$out" .emails[0].email)" ana@acme.es "the primary email is unchanged"

ok ruta -C r contact edit "$c" --remove-email ANA.RUIZ@gmail.com --remove-phone '+40 721 234 567' --json
is "$(jsql "$out" "SELECT group_concat(e.value->>'email', ' ') FROM j, json_each(j.doc, '\$.emails') e")" \
	'ana@acme.es ana@acme.ro' "--remove-email removes it (matched normalized)"
is "$(jsql "$out" "SELECT group_concat(e.value->>'phone', ' ') FROM j, json_each(j.doc, '\$.phones') e")" \
	'+34612345678 +34699000111' "--remove-phone removes it (matched in E.164)"
is "$(db r "SELECT deleted_at IS NOT NULL FROM contact_email WHERE email_norm='ana.ruiz@gmail.com'")" 1 \
	"a removed email is a tombstone in contact_email"

# Removing the primary email leaves the contact with a primary one.
ok ruta -C r contact edit "$c" --remove-email ana@acme.es --remove-phone '612 345 678' --json
is "$(jlen "$out" .emails)" 1 "one email left"
is "$(jget "$out" .emails[0].email)" ana@acme.ro "the one left is ana@acme.ro"
is "$(jget "$out" .emails[0].primary)" true "the email left becomes primary"
is "$(jget "$out" .phones[0].primary)" true "the phone left becomes primary"

ok ruta -C r contact edit "$c" --add-email ana@acme.es --json
is "$(jlen "$out" .emails)" 2 "an email removed earlier can be added again"

# Links take an id prefix and store the full id; an empty value unlinks.
ok ruta -C r contact add --last-name Linked --account "$(printf '%s' "$acc" | cut -c1-20)"
linked=$out
is "$(db r "SELECT account_id FROM contact WHERE id='$linked'")" "$acc" "--account PREFIX stores the full id"
ok ruta -C r contact edit "$linked" --account ''
is "$(db r "SELECT account_id IS NULL FROM contact WHERE id='$linked'")" 1 "--account '' unlinks"

# ---- refusals: nothing written ----------------------------------------------
refused r 1 "email.*'ana@'" ruta -C r contact add --last-name X --email ana@
refused r 1 "email.*'not-an-email'" ruta -C r contact add --last-name X --email not-an-email
refused r 1 "email.*'a b@c.es'" ruta -C r contact edit "$c" --add-email 'a b@c.es'
refused r 1 "phone.*'12ab'" ruta -C r contact add --last-name X --phone 12ab
refused r 1 "phone.*'\+34 12'" ruta -C r contact add --last-name X --phone '+34 12'
refused r 1 "phone.*'\+\+34612345678'" ruta -C r contact edit "$c" --add-phone '++34612345678'
refused r 1 "email.*a value is needed" ruta -C r contact add --last-name X --email ''
refused r 1 "last_name" ruta -C r contact add --first-name Nameless
refused r 1 "do_not_call.*'maybe'" ruta -C r contact edit "$c" --do-not-call maybe
refused r 1 "lifecycle.*'vip'" ruta -C r contact edit "$c" --lifecycle vip
# The same email twice on one contact, however it is written.
refused r 1 "email x@y\.es" ruta -C r contact add --last-name Dup --email x@y.es --email X@Y.ES
refused r 1 "already has the email ana@acme\.ro" ruta -C r contact edit "$c" --add-email ANA@acme.ro
refused r 1 "already has the phone.*\+34699000111" ruta -C r contact edit "$c" --add-phone '699 000 111'
refused r 1 "has no email nobody@acme\.es" ruta -C r contact edit "$c" --remove-email nobody@acme.es
refused r 1 "has no phone.*\+34600000000" ruta -C r contact edit "$c" --remove-phone '600 000 000'
refused r 1 "no account has the id 'ZZZZZZ'" ruta -C r contact add --last-name X --account ZZZZZZ
refused r 2 "contact has no field 'frist_name'" ruta -C r contact add --frist-name Ana --last-name Ruiz
refused r 2 "contact has no field 'frist_name'" ruta -C r contact edit "$c" --frist-name Ana
refused r 2 "contact has no field 'email' that can be edited" ruta -C r contact edit "$c" --email a@b.es
refused r 2 "contact has no field 'add_email'" ruta -C r contact add --last-name X --add-email a@b.es

# ---- a replica made without --country wants international numbers -----------------
ok ruta init nocc --team nocc
refused nocc 1 "phone.*'612 345 678'.*(\+|country code)" \
	ruta -C nocc contact add --last-name P --phone '612 345 678'
ok ruta -C nocc contact add --last-name P --phone '+34 612 345 678' --json
is "$(jget "$out" .phones[0].phone)" +34612345678 "an international number is accepted without a country"
ok ruta -C nocc contact add --last-name Q --phone '0034 612 345 678' --json
is "$(jget "$out" .phones[0].phone)" +34612345678 "00 works like + for the country code"

# ---- rm ----------------------------------------------------------------------------
ok ruta -C r contact rm "$loner"
is "$(db r "SELECT deleted_at IS NOT NULL FROM contact WHERE id='$loner'")" 1 "contact rm leaves a tombstone"
refused r 1 "contact $loner was deleted" ruta -C r contact edit "$loner" --title X
refused r 1 "contact $loner was deleted" ruta -C r contact edit "$loner" --add-email late@acme.es
refused r 1 "contact $loner was deleted" ruta -C r opp add --account "$acc" --name X --contact "$loner"

done_testing
