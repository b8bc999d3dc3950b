#!/bin/sh
# ruta import / export contacts|accounts|opps: CSV, vCard and JSON round trips,
# natural-key matching, dry runs, bad rows, formula neutralising.
DATA=$(cd "$(dirname "$0")/../data/exchange" && pwd)
. "$(dirname "$0")/lib.sh"
setup_replicas
fresh() { "$RUTA" init "$1" --team "${2:-south}" --country ES >/dev/null 2>&1 || exit 1; }

acc=$(ruta -C r account add --name 'Acme, S.L.' --tax-id ES:B12345674 --region Norte \
	--tag vip --tag 'big fish' --phone '+34 912 345 678')
acc2=$(ruta -C r account add --name 'Beta' --email info@beta.es)
must ruta -C r contact add --first-name Ana --last-name '=HYPERLINK("http://x","y")' \
	--email ana@acme.es --email 'Ana.Ruiz@Gmail.com' --phone '+34 612 345 678' --account "$acc" \
	--title 'CFO, "finance"
second line' --tag lead-2026
must ruta -C r contact add --first-name Luis --last-name 'Pérez; Gómez' --phone '+40 721 234 567' \
	--account "$acc2"
must ruta -C r contact add --last-name '@solo' --first-name -dash --email 'solo+tag@x.es'
must ruta -C r opp add --account "$acc" --name 'Deal "big"' --amount 1200.50 --currency EUR

# ---- export ---------------------------------------------------------------------
ok ruta -C r export accounts --out acc.csv
ok ruta -C r export contacts --out con.csv
is "$(head -1 con.csv | tr -d '\r')" \
	"id,account_id,account,first_name,last_name,title,lifecycle,do_not_call,street,city,postal_code,country,owner,team,tags,email_1,email_1_kind,email_2,email_2_kind,phone_1,phone_1_kind" \
	"the contacts header: schema keys, id first, repeated email and phone columns"
is "$(grep -c "$(printf '\r$')" con.csv)" 4 "every CSV record ends in CRLF (the title's newline is inside quotes)"
grep -q "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" con.csv
is $? 0 "a formula cell gets a leading apostrophe (and quotes doubled)"
grep -q ",'+34612345678,mobile" con.csv
is $? 0 "a phone starting with + is neutralised too"
is "$(sed -n 2p acc.csv | tr -d '\r')" \
	"$acc,\"Acme, S.L.\",,ES:B12345674,lead,,Norte,,,'+34912345678,,,,,,,,north,,,big fish;vip" \
	"an account row: quoted comma, tags joined with ';'"
ok ruta -C r export contacts --excel --out excel.csv
is "$(head -c 3 excel.csv | od -An -tx1 | tr -d ' ')" efbbbf "--excel starts with a UTF-8 BOM"
expect_exit 0 grep -q 'id;account_id;account;' excel.csv
ok ruta -C r export opps --format json
is "$(jget "$out" .records[0].amount)" 1200.50 "opps as JSON: the amount as a decimal string"
is "$(jget "$out" .records[0].currency) $(jget "$out" .records[0].stage)" "EUR qualification" \
	"... with its currency and the stage key"
ok ruta -C r export opps
expect_stdout '^id,account_id,account,name,stage,probability,amount,currency,' "opps as CSV"
ok ruta -C r export contacts --format vcard --out con.vcf
expect_exit 0 grep -q "^UID:ruta:" con.vcf
expect_exit 0 grep -q "^EMAIL;TYPE=work;PREF=1:ana@acme.es" con.vcf
expect_exit 0 grep -q '^N:Pérez\\; Gómez;Luis;;;' con.vcf
expect_exit 0 grep -q '^TITLE:CFO\\, "finance"\\nsecond line' con.vcf
long=$(awk '{ if (length($0) > 76) n++ } END { print n + 0 }' con.vcf)
is "$long" 0 "vCard lines are folded at 75 octets"
expect_exit 1 ruta -C r export opps --format vcard
expect_stderr "vCard is for contacts and accounts; export opps as csv or json"
expect_exit 2 ruta -C r export contacts --format xml
ok ruta -C r export --out .
expect_stderr "sealed changeset 1" "plain 'ruta export' still writes changesets"

# ---- round trips into fresh replicas ---------------------------------------------
fresh f1
ok ruta -C f1 import accounts acc.csv
expect_stderr "created 2, updated 0, unchanged 0"
ok ruta -C f1 import contacts con.csv
ruta -C f1 export accounts > f1acc.csv
ruta -C f1 export contacts > f1con.csv
expect_exit 0 cmp acc.csv f1acc.csv
expect_exit 0 cmp con.csv f1con.csv
is "$(db f1 "SELECT count(*) FROM contact")" "$(db r "SELECT count(*) FROM contact")" \
	"as many contacts, none duplicated"

fresh f2
ruta -C r export accounts --excel > accx.csv
ok ruta -C f2 import accounts accx.csv
ok ruta -C f2 import contacts excel.csv
expect_exit 0 cmp con.csv "$(ruta -C f2 export contacts --out f2con.csv; echo f2con.csv)"

fresh f3
ok ruta -C f3 import accounts acc.csv
ok ruta -C f3 import contacts con.vcf
ruta -C f3 export contacts --format vcard > f3.vcf
expect_exit 0 cmp con.vcf f3.vcf
ruta -C f3 export contacts > f3con.csv
expect_exit 0 cmp con.csv f3con.csv

# ---- importing an unmodified export changes nothing ------------------------------
before=$(unexported f1)
h=$(ruta -C f1 state-hash)
ok ruta -C f1 import contacts con.csv
expect_stderr "created 0, updated 0, unchanged 3, skipped 0, duplicates 0"
ok ruta -C f1 import contacts con.vcf
ok ruta -C f1 import accounts acc.csv
is "$(unexported f1)" "$before" "re-importing exports captures no change"
is "$(ruta -C f1 state-hash)" "$h" "... and the state hash is unchanged"

# ---- natural keys ----------------------------------------------------------------
printf 'first_name,last_name,email_1,title\r\nAna,Ruiz,ANA@acme.es,CEO\r\n' > bykey.csv
h=$(db_hash f1)
ok ruta -C f1 import contacts bykey.csv --dry-run
is "$out" "created 0, updated 1, unchanged 0, skipped 0, duplicates 0" "dry run: the counts"
is "$(db_hash f1)" "$h" "dry run: nothing written"
ok ruta -C f1 import contacts bykey.csv --json
is "$(jget "$out" .updated)" 1 "a row matching by email (any case) updates"
is "$(db f1 "SELECT count(*) FROM contact WHERE deleted_at IS NULL")" 3 "... instead of duplicating"
is "$(db f1 "SELECT title || '/' || last_name FROM contact c JOIN contact_email e ON e.contact_id=c.id WHERE e.email_norm='ana@acme.es'")" \
	"CEO/Ruiz" "... the values that differ are written"
printf 'name,tax_id,region\nAcme renamed,esb-12345674,Sur\nNew Co,,Este\n' > acckey.csv
ok ruta -C f1 import accounts acckey.csv
expect_stderr "created 1, updated 1"
is "$(db f1 "SELECT name FROM account WHERE id='$acc'")" "Acme renamed" "an account matches by tax id in its normal form"
printf 'last_name,phone_1\nX,+40721234567\nY,+40 721 234 567\n' > twice.csv
ok ruta -C f1 import contacts twice.csv
expect_stderr "line 3: duplicate: matches contact .* which an earlier row" "two rows matching one record: the second is a duplicate"
expect_stderr "duplicates 1"
printf 'last_name,email_1,phone_1\nZ,ana@acme.es,+40721234567\n' > two.csv
ok ruta -C f1 import contacts two.csv
expect_stderr "line 2: duplicate: matches 2 contacts"

# ---- bad rows: all or nothing ------------------------------------------------------
printf 'last_name,email_1,lifecycle\nGood,good@x.es,lead\nBad,x@,lead\nWorse,w@x.es,maybe\n,n@x.es,\n' > bad.csv
h=$(db_hash f1)
expect_exit 1 ruta -C f1 import contacts bad.csv
expect_stderr "^line 3: .*'x@' is not an email address" "a bad email: its line and why"
expect_stderr "^line 4: .*lifecycle.*maybe" "a bad enum: its line"
expect_stderr "^line 5: .*last_name" "a missing last name: its line"
expect_stderr "3 bad rows, nothing imported"
is "$(db_hash f1)" "$h" "nothing was written (the good row neither)"
printf 'last_name,colour,size\nA,red,9\n' > unknown.csv
expect_exit 1 ruta -C f1 import contacts unknown.csv
expect_stderr "no columns 'colour', 'size'"
ok ruta -C f1 import contacts unknown.csv --ignore-unknown --dry-run
printf 'last_name,title\nA,"unterminated\n' > quote.csv
expect_exit 1 ruta -C f1 import contacts quote.csv
expect_stderr "line 2: a quoted cell is not closed"
printf 'last_name,title\nA,ok\nB,caf\351\n' > latin1.csv
expect_exit 1 ruta -C f1 import contacts latin1.csv
expect_stderr "line 3: the text is not UTF-8"
is "$(db_hash f1)" "$h" "refused files write nothing"

# ---- CSV details -------------------------------------------------------------------
fresh f4
printf 'last_name;title;email_1\r\n"Multi";"two\r\nlines; and ""quotes""";m@x.es\r\n' > semi.csv
ok ruta -C f4 import contacts semi.csv
is "$(db f4 "SELECT title FROM contact")" "$(printf 'two\nlines; and "quotes"')" \
	"';' found from the header; embedded quotes kept, a CRLF inside a cell read as LF"
printf "last_name\ttitle\n'=1+2\t'-minus\n''=x\tplain'\n" > tab.csv
ok ruta -C f4 import contacts tab.csv
is "$(db f4 "SELECT group_concat(last_name || '|' || title, ' ') FROM (SELECT * FROM contact WHERE last_name <> 'Multi' ORDER BY last_name)")" \
	"'=x|plain' =1+2|-minus" "tab-separated; one neutralising apostrophe removed, others kept"
ruta -C f4 export contacts > f4.csv
fresh f5
ok ruta -C f5 import contacts f4.csv
expect_exit 0 cmp f4.csv "$(ruta -C f5 export contacts > f5.csv; echo f5.csv)"

# ---- vCard 2.1 and 3.0 -------------------------------------------------------------
fresh v
ok ruta -C v import contacts "$DATA/phone-2.1.vcf" --dry-run --json
is "$(jget "$out" .created) $(jget "$out" .accounts_created)" "1 1" "dry run counts the account an ORG makes"
is "$(db v "SELECT count(*) FROM contact")" 0 "... and writes nothing"
ok ruta -C v import contacts "$DATA/phone-2.1.vcf"
ok ruta -C v contact list --json
is "$(jget "$out" [0].first_name) $(jget "$out" [0].last_name)" "José Muñoz" \
	"2.1: quoted-printable UTF-8 names"
is "$(jget "$out" [0].title)" "Director de ventas y marketing" "2.1: a soft line break joined"
is "$(db v "SELECT name FROM account")" "Ferretería Norte" "a folded ORG becomes an account"
is "$(db v "SELECT e164 || ' ' || kind || ' ' || is_primary FROM contact_phone ORDER BY e164")" \
	"$(printf '+34612000111 mobile 1\n+34912000222 office 0')" "2.1: TEL;CELL;PREF is the primary mobile"
ok ruta -C v import contacts "$DATA/outlook-3.0.vcf"
is "$(db v "SELECT email || ' ' || kind || ' ' || is_primary FROM contact_email WHERE email LIKE '%.ro' ORDER BY email")" \
	"$(printf 'm.ionescu@firma.ro work 1\nmaria@example.ro home 0')" "3.0: TYPE=pref is primary; kinds kept"
is "$(db v "SELECT group_concat(tag) FROM (SELECT tag FROM contact_tag ORDER BY tag)")" "bucuresti,client" \
	"3.0: CATEGORIES become tags"
expect_exit 1 ruta -C v import contacts "$DATA/latin1-2.1.vcf"
expect_stderr "line 3: N is in CHARSET=ISO-8859-1"
expect_exit 1 ruta -C v import accounts "$DATA/outlook-3.0.vcf"
cat "$DATA/phone-2.1.vcf" | ruta -C v import contacts - >/dev/null 2>&1
is "$(db v "SELECT count(*) FROM contact")" 2 "importing the same card again (stdin) matches it"

# ---- accounts as vCard (KIND:org) ---------------------------------------------------
must ruta -C r account edit "$acc2" --legal-name 'Beta Sistemas; S.A.' --tax-id ESA58818501 \
	--lifecycle client --sector 'IT, cloud' --sales-channel web --website 'https://beta.es/?a=1,2' \
	--phone '+34 934 000 111' --street 'Gran Via 1, 3º' --city Barcelona --postal-code 08001 \
	--country ES --employees 120 --owner marta --potential 25000.75 --currency EUR --tag partner
ok ruta -C r export accounts --format vcard --out acc.vcf
is "$(grep -c '^KIND:org' acc.vcf)" 2 "one KIND:org card per account"
expect_exit 0 grep -q "^UID:ruta:$acc2" acc.vcf
expect_exit 0 grep -q '^FN:Acme\\, S.L.' acc.vcf
expect_exit 0 grep -q '^ORG:Acme\\, S.L.' acc.vcf
expect_exit 0 grep -q '^TEL;VALUE=uri;TYPE=work:tel:+34934000111' acc.vcf
expect_exit 0 grep -q '^EMAIL;TYPE=work:info@beta.es' acc.vcf
expect_exit 0 grep -q '^ADR:;;Gran Via 1\\, 3º;Barcelona;;08001;ES' acc.vcf
expect_exit 0 grep -q '^URL:https://beta.es/?a=1\\,2' acc.vcf
expect_exit 0 grep -q '^CATEGORIES:big fish,vip' acc.vcf
expect_exit 0 grep -q '^X-RUTA-LEGAL-NAME:Beta Sistemas\\; S.A.' acc.vcf
expect_exit 0 grep -q '^X-RUTA-TAX-ID:ESA58818501' acc.vcf
expect_exit 0 grep -q '^X-RUTA-SALES-CHANNEL:web' acc.vcf
expect_exit 0 grep -q '^X-RUTA-POTENTIAL:25000.75' acc.vcf
expect_exit 0 grep -q '^X-RUTA-CURRENCY:EUR' acc.vcf
is "$(grep -vc "$(printf '\r$')" acc.vcf)" 0 "account cards end every line in CRLF"
ruta -C r export accounts > racc.csv

fresh g
ok ruta -C g import accounts acc.vcf --dry-run
is "$out" "created 2, updated 0, unchanged 0, skipped 0, duplicates 0" "accounts vCard: dry run counts"
is "$(db g "SELECT count(*) FROM account")" 0 "... and writes nothing"
ok ruta -C g import accounts acc.vcf
expect_stderr "created 2, updated 0"
expect_exit 0 cmp acc.vcf "$(ruta -C g export accounts --format vcard > gacc.vcf; echo gacc.vcf)"
expect_exit 0 cmp racc.csv "$(ruta -C g export accounts > gacc.csv; echo gacc.csv)"
ok ruta -C g import contacts con.vcf
expect_exit 0 cmp con.csv "$(ruta -C g export contacts > gcon.csv; echo gcon.csv)"
is "$(db g "SELECT count(*) FROM account")" 2 "contacts after accounts: their ORG links, no account made"

before=$(unexported g)
h=$(ruta -C g state-hash)
ok ruta -C g import accounts acc.vcf
expect_stderr "created 0, updated 0, unchanged 2, skipped 0, duplicates 0"
ok ruta -C r import accounts acc.vcf
expect_stderr "unchanged 2" "the replica it came from: unchanged"
is "$(unexported g)" "$before" "re-importing an accounts vCard captures no change"
is "$(ruta -C g state-hash)" "$h" "... and the state hash is unchanged"

printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nKIND:org\r\nFN:Beta renamed\r\nORG:Beta renamed;Ventas\r\nX-RUTA-TAX-ID:esa-58818501\r\nEND:VCARD\r\nBEGIN:VCARD\nVERSION:2.1\nFN:Ferreteria Sur\nORG:Ferreteria Sur\nTEL;WORK;PREF:+34 955 000 111\nTEL;FAX:+34 955 000 112\nEND:VCARD\n' > orgs.vcf
ok ruta -C g import accounts orgs.vcf --json
is "$(jget "$out" .updated) $(jget "$out" .created)" "1 1" "a card without our UID matches by tax id; a 2.1 card whose only name is ORG is an account"
is "$(db g "SELECT name FROM account WHERE id='$acc2'")" "Beta renamed" "... ORG's first component is the name"
is "$(db g "SELECT phone FROM account WHERE name='Ferreteria Sur'")" "+34955000111" "... the preferred TEL is the phone"
ok ruta -C g import contacts orgs.vcf
expect_stderr "^card 1 \\(line 1\\): skipped: an organisation's card" "an org card in a contacts import is skipped, by number"
expect_stderr "skipped 2"

h=$(db_hash g)
expect_exit 1 ruta -C g import accounts "$DATA/outlook-3.0.vcf"
expect_stderr "^card 1 \\(line 1\\): a person's card" "a person's card in an accounts import is an error naming it"
printf 'BEGIN:VCARD\nVERSION:4.0\nKIND:org\nFN:Good\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nKIND:org\nFN:Bad\nEMAIL:x@\nEND:VCARD\n' > badorg.vcf
expect_exit 1 ruta -C g import accounts badorg.vcf
expect_stderr "^card 2 \\(line 6\\): .*'x@' is not an email address" "a bad card: its number, line and why"
expect_stderr "1 bad row, nothing imported; the first: card 2 \\(line 6\\)"
is "$(db_hash g)" "$h" "bad cards write nothing (the good one neither)"

# ---- a spreadsheet's own numbering in the id column is not taken as a record id ------
h=$(db_hash v)
printf 'id,name\nacme1,Acme One\n42,Forty\n' > ids.csv
expect_exit 1 ruta -C v import accounts ids.csv
expect_stderr "^line 2: id 'acme1' is not a ruta record id .*leave the id column empty" \
	"an id ruta did not make is a bad row, naming it and the fix"
expect_stderr "^line 3: id '42' is not a ruta record id" "each such row is named"
is "$(db_hash v)" "$h" "and nothing is imported"

# an email_N after a gap would be passed over: the file is refused instead
printf 'last_name,email_2\nRuiz,ana@gap.es\n' > gap.csv
expect_exit 1 ruta -C v import contacts gap.csv
expect_stderr "line 1: column 'email_2' comes without 'email_1': number the emails from 1" \
	"a numbered column after a gap refuses the file, naming both"
is "$(db_hash v)" "$h" "and nothing is imported"

# ---- hostile files: refused at a named limit, nothing written --------------------
h=$(db_hash v)
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "x%d,", i; print "last_name" }' > wide.csv
expect_exit 1 ruta -C v import contacts wide.csv --ignore-unknown
expect_stderr "line 1: more than 1024 cells in one record \\(the limit\\)"
awk 'BEGIN { print "BEGIN:VCARD\nVERSION:3.0\nN:Many;Mails"
	for (i = 0; i < 1200; i++) printf "EMAIL:m%d@many.es\n", i; print "END:VCARD" }' > many.vcf
expect_exit 1 ruta -C v import contacts many.vcf
expect_stderr "line 1003: the card of line 1 has more than 1000 properties \\(the limit\\)"
awk 'BEGIN { printf "BEGIN:VCARD\nVERSION:3.0\nX"; for (i = 0; i < 300000; i++) printf "\n ="
	print "" }' > folded.vcf
expect_exit 1 ruta -C v import contacts folded.vcf
expect_stderr "line 3: no ':' in 'X====="
is "$(db_hash v)" "$h" "files refused at a limit write nothing"

# ---- usage ---------------------------------------------------------------------------
expect_exit 2 ruta -C r import opps con.csv
expect_exit 2 ruta -C r import contacts
ok ruta import --help
expect_stdout "examples:"

done_testing
