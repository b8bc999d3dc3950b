#!/bin/sh
# Fields merged as one unit (docs/merge.md §1.6): an amount and its currency,
# and an address, always show one side's whole group on every replica,
# whatever order the changes arrived in; the amount's conflicts are flagged,
# the address's are not; resolving one field of a group closes the others.
. "$(dirname "$0")/lib.sh"

setup_hub
for r in hq north south; do ok ruta -C $r sync; done

# syncs R...: each replica syncs in turn, whatever the exit (3 while conflicts are open)
syncs() { for r in "$@"; do ruta -C $r sync >/dev/null 2>&1; done; }
# conflict_of DIR RECORD FIELD [KEY]: a key of the open conflict on that field
conflict_of() {
	ruta -C "$1" conflicts list --json | jq -r --arg r "$2" --arg f "$3" \
		".conflicts[] | select(.record == \$r and .field == \$f) | .${4:-id}"
}
# fields_of DIR TYPE ID FIELD...: the record's fields, joined by '|'
fields_of() {
	_d=$1 _t=$2 _i=$3
	shift 3
	_j=$(ruta -C "$_d" "$_t" show "$_i" --json)
	for _f in "$@"; do printf '%s|' "$(jget "$_j" ".$_f")"; done | sed 's/|$//'
}
# shown_everywhere TYPE ID FIELDS WANT WHAT: every replica shows WANT
shown_everywhere() {
	for r in hq north south; do
		# shellcheck disable=SC2086
		is "$(fields_of $r "$1" "$2" $3)" "$4" "$5 ($r)"
	done
}

ok ruta -C north account add --name 'Acme S.L.' --street 'Calle Mayor 1' --city Madrid \
	--postal-code 28001 --country ES
ACME=$out
ok ruta -C north contact add --first-name Ana --last-name Ruiz --account "$ACME"
ANA=$out
ok ruta -C north contact edit "$ANA" --street 'Rua Nova 3' --city Vigo --postal-code 36201
ok ruta -C north opp add --account "$ACME" --name Bus --amount 10000.00 --currency EUR
BUS=$out
ok ruta -C north opp add --account "$ACME" --name Truck --amount 5000.00 --currency EUR
TRUCK=$out
ok ruta -C north offer add --opp "$BUS" --total 10000.00 --currency EUR
OF1=$out
sync_all
same_everywhere "after the records reached everyone"

# ---- amount only against amount and currency ---------------------------------------
# north sets a new pair; south, later, only the amount: the pair shown is
# one side's, never south's amount with north's currency.
ok ruta -C north opp edit "$BUS" --amount 9000.00 --currency USD
ok ruta -C south opp edit "$BUS" --amount 8500.00
syncs north hq south north hq   # hq: north's first, then south's
sync_all
same_everywhere "amount against amount and currency"
shown_everywhere opp "$BUS" "amount currency" "8500.00|EUR" "the newer side's whole pair is shown"
is "$(conflict_of hq "$BUS" amount_minor policy)" amount-unit "the amount is an amount-unit conflict"
is "$(conflict_of hq "$BUS" amount_minor review)" true "... flagged for review"
is "$(conflict_of hq "$BUS" currency review)" true "the currency, which only north changed, is in conflict too, flagged"
is "$(ruta -C hq conflicts list --json | jq -r --arg r "$BUS" \
	'[.conflicts[] | select(.record == $r and .field == "currency") | .heads[].value] | sort | join(",")')" \
	"EUR,USD" "both currencies are kept"

# ---- resolving the amount closes the currency --------------------------------------
ok ruta -C hq resolve "$(conflict_of hq "$BUS" amount_minor)" --take 900000
is "$(fields_of hq opp "$BUS" amount currency)" "9000.00|USD" "taking north's amount takes north's currency with it"
is "$(conflict_of hq "$BUS" currency)" "" "the currency's conflict is closed at head office"
sync_all
same_everywhere "after resolving the amount"
shown_everywhere opp "$BUS" "amount currency" "9000.00|USD" "the resolution reached everyone"
for r in north south; do
	is "$(conflict_of $r "$BUS" currency)$(conflict_of $r "$BUS" amount_minor)" "" \
		"both conflicts are closed at $r after a sync round"
done

# The other way round: the newer side set a pair, the other only an amount;
# taking the older amount takes its currency, not the one shown.
ok ruta -C south opp edit "$TRUCK" --amount 6000.00
ok ruta -C north opp edit "$TRUCK" --amount 7000.00 --currency RON
syncs south hq north south hq   # hq: south's first, then north's
sync_all
same_everywhere "a pair against an amount"
shown_everywhere opp "$TRUCK" "amount currency" "7000.00|RON" "the newer side's pair is shown"
ok ruta -C hq resolve "$(conflict_of hq "$TRUCK" amount_minor)" --take 600000
is "$(fields_of hq opp "$TRUCK" amount currency)" "6000.00|EUR" "taking south's amount takes the currency south had"
sync_all
same_everywhere "after taking the older amount"
shown_everywhere opp "$TRUCK" "amount currency" "6000.00|EUR" "everyone shows south's pair"
is "$(ruta -C hq conflicts list --json | jq --arg r "$TRUCK" '[.conflicts[] | select(.record == $r)] | length')" \
	0 "no conflict is left on the deal"

# ---- an offer's total: --keep and --all -------------------------------------------
ok ruta -C north offer edit "$OF1" --total 9500.00 --currency USD
ok ruta -C south offer edit "$OF1" --total 9900.00
sync_all
shown_everywhere offer "$OF1" "total currency" "9900.00|EUR" "an offer's total and currency are one unit too"
is "$(conflict_of hq "$OF1" currency policy)" amount-unit "the offer's currency: amount-unit"
ok ruta -C north resolve "$(conflict_of north "$OF1" total_minor)" --keep
is "$(conflict_of north "$OF1" currency)" "" "--keep of the total closes the currency's conflict"
sync_all
same_everywhere "after --keep"
shown_everywhere offer "$OF1" "total currency" "9900.00|EUR" "--keep kept the pair shown"
is "$(ruta -C hq conflicts list --json | jq --arg r "$OF1" '[.conflicts[] | select(.record == $r)] | length')" \
	0 "--keep closed both everywhere"
ok ruta -C hq offer edit "$OF1" --total 9700.00
ok ruta -C south offer edit "$OF1" --currency USD
syncs hq south
is "$(ruta -C south conflicts list --json | jq -r --arg r "$OF1" '[.conflicts[] | select(.record == $r) | .field] | join(",")')" \
	"currency,total_minor" "head office's total and south's currency conflict on both fields"
ok ruta -C south resolve --all --type offer --json
is "$(jget "$out" .resolved)" 2 "resolve --all resolves both fields of the unit"
sync_all
same_everywhere "after resolve --all"
is "$(ruta -C hq conflicts list --json | jq --arg r "$OF1" '[.conflicts[] | select(.record == $r)] | length')" \
	0 "no conflict is left on the offer"

# ---- the address as one block -------------------------------------------------------
# north changes street and city, south (later) the postal code: every replica
# shows south's whole address; the conflicts are listed, not flagged.
ok ruta -C north account edit "$ACME" --street 'Gran Via 2' --city Bilbao
ok ruta -C south account edit "$ACME" --postal-code 28002
syncs north hq south north hq
sync_all
same_everywhere "address block"
shown_everywhere account "$ACME" "street city postal_code country" "Calle Mayor 1|Madrid|28002|ES" \
	"the newer side's whole address is shown"
for f in street city postal_code; do
	is "$(conflict_of hq "$ACME" $f policy)|$(conflict_of hq "$ACME" $f review)" \
		"address-block|false" "$f: an address-block conflict, not flagged"
done
is "$(conflict_of hq "$ACME" country)" "" "the country, the same on both sides, is no conflict"
is "$(ruta -C hq conflicts list --json | jq -r --arg r "$ACME" \
	'[.conflicts[] | select(.record == $r and .field == "street") | .heads[].value] | sort | join(",")')" \
	"Calle Mayor 1,Gran Via 2" "the losing street is kept in the conflict"

# The same on a contact, north newer, and with the other arrival order at hq.
ok ruta -C south contact edit "$ANA" --city Ourense
ok ruta -C north contact edit "$ANA" --street 'Rua Vella 9' --country PT
syncs south hq north south hq   # hq: south's first, then north's
sync_all
same_everywhere "a contact's address"
shown_everywhere contact "$ANA" "street city postal_code country" "Rua Vella 9|Vigo|36201|PT" \
	"north's whole address is shown"
is "$(conflict_of hq "$ANA" city policy)" address-block "the contact's city is in an address-block conflict"

# Taking one field's head takes the rest of that side's address.
ok ruta -C hq resolve "$(conflict_of hq "$ACME" city)" --take Bilbao
is "$(fields_of hq account "$ACME" street city postal_code)" "Gran Via 2|Bilbao|28001" \
	"taking north's city takes north's whole address"
is "$(ruta -C hq conflicts list --json | jq --arg r "$ACME" '[.conflicts[] | select(.record == $r)] | length')" \
	0 "and closes the conflicts of the whole block"
sync_all
same_everywhere "after taking a city"
shown_everywhere account "$ACME" "street city postal_code" "Gran Via 2|Bilbao|28001" \
	"north's address everywhere"

# ---- the same edits in any order give the same result ------------------------------
# Both sides edit again; each replica hears them in another order (its own
# first, north's first, south's first), and a fourth starts from nothing.
ok ruta -C north account edit "$ACME" --city Oviedo
ok ruta -C south account edit "$ACME" --street 'Calle Uria 5' --postal-code 33003
ok ruta -C north opp edit "$BUS" --currency GBP
ok ruta -C south opp edit "$BUS" --amount 8000.00
syncs south hq north hq south
same_everywhere "the same changes, in different orders"
shown_everywhere account "$ACME" "street city postal_code" "Calle Uria 5|Bilbao|33003" "south's later block"
shown_everywhere opp "$BUS" "amount currency" "8000.00|USD" "south's later pair"
ok ruta init west --team west --root-key root.pub --hub "$PWD/hub.git"
ruta -C west keys export-pub > west.pub
ok ruta -C hq keys endorse west.pub --team west
syncs hq west
is "$(ruta -C west state-hash)" "$(ruta -C hq state-hash)" "a replica that hears everything at once agrees"
is "$(ruta -C west conflicts list --json)" "$(ruta -C hq conflicts list --json)" "... with the same conflicts"

done_testing
