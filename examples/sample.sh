#!/bin/sh
# sample.sh - fills two team replicas with the same sample CRM every time:
# what the demo shows and what tests/cli/t8100-reports.sh recomputes.
#
#   RUTA=build/ruta sh examples/sample.sh NORTH_DIR SOUTH_DIR
#
# NORTH_DIR is team north's replica, working Spain (accounts with CIFs, in
# EUR); SOUTH_DIR team south's, working Romania (CUIs, in RON). Each gets
# about 20 accounts with a potential (a few made as leads that become
# prospects a month or more later, a few prospects that become clients:
# the lifecycle history the funnel reads), 5 to 8 contacts each with an email
# and a mobile, opportunities created from September to November 2026 that
# move through the stages and end won, lost (with a reason) or open, offers
# sent with them (accepted when won, rejected when lost after an offer),
# and a three-week cycle of activity: a week at the office (calls), then
# ten field days of 6 or 7 planned visits of which 2 or 3 are held, the
# rest not held (with a reason) or cancelled.
#
# Everything is drawn from a fixed seed, and every command runs under
# faketime at the moment it happens in the story, so the creation times,
# the stage history, closing times and offer dates are the same on every
# run. Only the ids (ULIDs, partly random) differ. Needs faketime.
set -eu

RUTA=${RUTA:-ruta}
case $RUTA in /*) ;; *) command -v "$RUTA" >/dev/null 2>&1 || RUTA=$(pwd)/$RUTA ;; esac
if [ $# -ne 2 ]; then
	echo "usage: sample.sh NORTH_DIR SOUTH_DIR" >&2
	exit 2
fi
command -v faketime >/dev/null 2>&1 || { echo "sample.sh: needs faketime" >&2; exit 1; }

# story TEAM SEED: the team's events, one a line: "TIME<TAB>shell command".
story() {
	awk -v team="$1" -v seed="$2" '
	# Park-Miller: exact in the doubles every awk computes with
	function rnd(n) { seed = (seed * 16807) % 2147483647; return seed % n }
	function pick(list,   a, k) { k = split(list, a, "|"); return a[rnd(k) + 1] }
	function pad(n, w) { return sprintf("%0" w "d", n) }
	# days since 1970 and back, for dates in 2026
	function day(m, d) { return mdays[m] + d - 1 }
	function date(n,   m, y) {
		y = 2026; if (n >= 365) { y = 2027; n -= 365 }
		for (m = 12; mdays[m] > n; m--); return sprintf("%d-%02d-%02d", y, m, n - mdays[m] + 1)
	}
	function at(n, mins) { return sprintf("%s %02d:%02d:%02d", date(n), int(mins / 60), mins % 60, rnd(60)) }
	# a time that draws nothing, so adding such events leaves every other draw as it was
	function at0(n, mins) { return sprintf("%s %02d:%02d:00", date(n), int(mins / 60), mins % 60) }
	function weekday(n) { return (n + 3) % 7 }   # 2026-01-01 (n = 0) is a Thursday: 0 Monday
	function ev(time, cmd) { printf "%s\t%06d\t%s\n", time, ++nev, cmd }
	function cif(   d, s, i, v) {
		d = pad(1000000 + rnd(8999999), 7); s = 0
		for (i = 1; i <= 7; i++) { v = substr(d, i, 1) + 0; if (i % 2) { v *= 2; v = int(v / 10) + v % 10 } s += v }
		return "ES:B" d ((10 - s % 10) % 10)
	}
	function cui(   d, s, i, key) {
		d = (1 + rnd(9)) pad(rnd(1000000), 6); key = "3217532"; s = 0
		for (i = 1; i <= 7; i++) s += substr(key, i, 1) * substr(d, i, 1)
		return "RO:" d (s * 10 % 11 % 10)
	}
	BEGIN {
		split("0 31 59 90 120 151 181 212 243 273 304 334", mdays, " ")
		for (m = 1; m <= 12; m++) mdays[m] += 0
		if (team == "north") {
			naccounts = 22; cur = "EUR"; office = "Madrid"; first_day = day(9, 7)
			regions = "Asturias|Galicia|Cantabria"
			city["Asturias"] = "Oviedo|Gijon|Aviles"; city["Galicia"] = "Vigo|A Coruna|Lugo"
			city["Cantabria"] = "Santander|Torrelavega"; city["Madrid"] = "Madrid|Alcala de Henares"
			first = "Ana|Luis|Carmen|Javier|Lucia|Pablo|Marta|Diego|Elena|Sergio|Laura|Jorge|Nuria|Raul|Ines"
			last = "Garcia|Fernandez|Lopez|Martinez|Gonzalez|Rodriguez|Sanchez|Perez|Alonso|Iglesias|Nunez|Castro"
			kinds = "Transportes|Maderas|Conservas|Talleres|Lacteos|Ferreteria|Construcciones|Distribuciones"
			suffix = "S.L.|S.A."; domain = "example.es"
		} else {
			naccounts = 18; cur = "RON"; office = "Bucuresti"; first_day = day(9, 14)
			regions = "Cluj|Timis|Iasi"
			city["Cluj"] = "Cluj-Napoca|Turda|Dej"; city["Timis"] = "Timisoara|Lugoj"
			city["Iasi"] = "Iasi|Pascani"; city["Bucuresti"] = "Bucuresti"
			first = "Andrei|Ioana|Mihai|Elena|Alexandru|Maria|Stefan|Ana|Radu|Cristina|Vlad|Oana|Bogdan|Irina"
			last = "Popescu|Ionescu|Pop|Dumitru|Stan|Stoica|Gheorghe|Rusu|Munteanu|Matei|Constantin|Marin"
			kinds = "Transporturi|Agro|Lactate|Mobila|Constructii|Distributie|Panificatie|Metal"
			suffix = "SRL|SA"; domain = "example.ro"
		}
		stages = "qualification needs offer_sent negotiation"
		split(stages, st, " ")
		reasons = "price|price|competitor|competitor|no_budget|no_decision|timing|other"
		nfield = 0
		# accounts: most before the cycle (the portfolio), some new in October and November
		for (a = 1; a <= naccounts; a++) {
			if (a <= naccounts - 6) { cday = day(9, 1) + rnd(4); reg = (a <= 3 ? office : pick(regions)) }
			else { cday = day(10, 1) + rnd(50); reg = pick(regions) }
			acity = pick(city[reg])
			if (weekday(cday) > 4) cday -= weekday(cday) - 4
			adate[a] = cday; aregion[a] = reg; acityof[a] = acity
			if (reg != office) field_acc[++nfield] = a
			name = pick(kinds) " " acity " " pick("Norte|Centro|Hermanos|Grupo|Nova|Plus|Prim|Est") " " a " " pick(suffix)
			if (team == "south" && a % 5 == 0) name = "Fabrica de p\303\242ine " acity " " a " SRL"
			tax = team == "north" ? cif() : cui()
			life = a % 4 == 0 ? "lead" : (a % 4 == 1 ? "prospect" : (a % 4 == 2 ? "potential" : "client"))
			# the lifecycle history: every other prospect starts as a lead and
			# becomes a prospect 30 to 60 days later; the others become clients
			# 35 to 64 days after they were made (the last day of the story at most)
			move = ""
			if (a % 8 == 1) { life = "lead"; move = "prospect"; mday = cday + 30 + (a * 7) % 31 }
			if (a % 8 == 5) { move = "client"; mday = cday + 35 + (a * 3) % 30 }
			if (mday > day(11, 20)) mday = day(11, 20)
			if (move != "")
				ev(at0(mday, 15 * 60 + a), "t \"%T\" account edit \"$A" a "\" --lifecycle " move)
			pot = (5 + rnd(96)) * 5000
			ev(at(cday, 8 * 60 + rnd(60)), "A" a "=$(t \"%T\" account add --name \x27" name "\x27 --tax-id " tax \
				" --region \x27" reg "\x27 --city \x27" acity "\x27 --lifecycle " life \
				" --sales-channel " pick("direct|direct|distributor|phone|web") \
				" --potential " pot ".00 --currency " cur ")")
			nc = 5 + rnd(4)
			for (c = 1; c <= nc; c++) {
				fn = pick(first); ln = pick(last)
				phone = team == "north" ? "+34 6" pad(rnd(100000000), 8) : "+40 7" pad(rnd(100000000), 8)
				ev(at(cday, 9 * 60 + c), "C=$(t \"%T\" contact add --first-name \x27" fn "\x27 --last-name \x27" ln \
					"\x27 --email " tolower(fn) "." tolower(ln) "." a c "@" domain " --phone \x27" phone \
					"\x27 --account \"$A" a "\")")
			}
		}
		# opportunities: created after their account, moving every 3 to 14 days,
		# until they end or the story does (2026-11-20)
		last_day = day(11, 20); o = 0
		for (a = 1; a <= naccounts; a++) {
			n = (a % 4 == 0) ? rnd(2) : 1 + rnd(3)
			for (k = 1; k <= n; k++) {
				o++
				d = adate[a] + 1 + rnd(60); if (d > last_day - 2) d = last_day - 2
				amount = (1 + rnd(60)) * 100000 + rnd(1000) * 10
				ev(at(d, 10 * 60 + rnd(300)), "O" o "=$(t \"%T\" opp add --account \"$A" a "\" --name \x27" \
					pick("Fleet renewal|New line|Annual supply|Maintenance contract|Pilot order|Expansion") " " o \
					"\x27 --amount " int(amount / 100) "." pad(amount % 100, 2) " --currency " cur \
					" --expected-close " date(d + 30 + rnd(60)) ")")
				fate = rnd(100); goal = 1 + rnd(4)   # the stage it reaches
				offered = 0
				for (s = 2; s <= goal; s++) {
					d += 3 + rnd(12); if (d > last_day) break
					if (st[s] == "offer_sent") {
						ev(at(d, 9 * 60 + rnd(60)), "F" o "=$(t \"%T\" offer add --opp \"$O" o "\" --number " \
							toupper(substr(team, 1, 1)) "-2026-" pad(o, 3) " --total " int(amount * 95 / 10000) ".00)")
						ev(at(d, 11 * 60 + rnd(60)), "t \"%T\" offer send \"$F" o "\"")
						offered = 1
					}
					ev(at(d, 12 * 60 + rnd(300)), "t \"%T\" opp move \"$O" o "\" --stage " st[s])
				}
				if (d > last_day || fate < 45) continue      # stays open
				d += 2 + rnd(10); if (d > last_day) continue
				if (fate < 72) {
					if (offered) ev(at(d, 9 * 60 + rnd(60)), "t \"%T\" offer accept \"$F" o "\"")
					ev(at(d, 16 * 60 + rnd(60)), "t \"%T\" opp win \"$O" o "\"")
				} else {
					if (offered) ev(at(d, 9 * 60 + rnd(60)), "t \"%T\" offer reject \"$F" o "\"")
					ev(at(d, 16 * 60 + rnd(60)), "t \"%T\" opp lose \"$O" o "\" --reason " pick(reasons) \
						" --note \x27" pick("cheaper bid|not this year|chose the incumbent|no answer") "\x27")
				}
			}
		}
		# the cycle: an office week of calls, then two field weeks of visits
		v = 0
		for (w = 0; w < 3; w++) for (wd = 0; wd < 5; wd++) {
			dd = first_day + 7 * w + wd
			if (w == 0) {
				for (k = 0; k < 2; k++) {
					v++; a = 1 + rnd(naccounts - 6)
					ev(at(dd, 8 * 60 + k), "V" v "=$(t \"%T\" activity add --kind call --account \"$A" a "\"" \
						" --start " date(dd) "T" pad(10 + 2 * k, 2) ":00:00Z --location office --subject \x27follow-up call\x27)")
					ev(at(dd, 19 * 60 + k), "t \"%T\" activity held \"$V" v "\"")
				}
				continue
			}
			planned = 6 + rnd(2); held = 2 + rnd(2)
			for (k = 0; k < planned; k++) {
				v++; a = field_acc[1 + rnd(nfield)]
				ev(at(dd, 7 * 60 + k), "V" v "=$(t \"%T\" activity add --kind visit --account \"$A" a "\"" \
					" --start " date(dd) "T" pad(8 + k, 2) ":00:00Z --end " date(dd) "T" pad(8 + k, 2) ":45:00Z" \
					" --location \x27" acityof[a] "\x27 --subject \x27visit\x27)")
				if (k < held)
					ev(at(dd, 19 * 60 + k), "t \"%T\" activity held \"$V" v "\"")
				else if (rnd(3) == 0)
					ev(at(dd, 19 * 60 + k), "t \"%T\" activity cancel \"$V" v "\" --reason \x27" \
						pick("client asked to postpone|route changed") "\x27")
				else
					ev(at(dd, 19 * 60 + k), "t \"%T\" activity not-held \"$V" v "\" --reason \x27" \
						pick("client absent|rescheduled|travel delay") "\x27")
			}
		}
	}'
}

# run DIR: runs the events read on stdin, in time order, on the replica in DIR.
run() {
	{
		# an id is the first word of what `add` prints
		echo "t() { _t=\$1; shift; _o=\$(TZ=UTC ASAN_OPTIONS=\"\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0\"" \
			"faketime \"\$_t\" \"\$RUTA\" -C \"\$DIR\" \"\$@\" 2>&1) || { echo \"sample.sh: failed at \$_t: \$* (\$_o)\" >&2; exit 1; }; printf '%s\n' \"\$_o\" | head -n 1; }"
		sort -t "$(printf '\t')" -k1,1 -k2,2n | awk -F '\t' '{ t = $1; c = $3; gsub(/%T/, t, c); print c }'
	} > "$1.events.sh"
	DIR=$1 RUTA=$RUTA sh -e "$1.events.sh" >/dev/null
	rm -f "$1.events.sh"
}

# the two replicas are independent: filled side by side
{ story north 20260907 | run "$1"; } & north=$!
{ story south 20260914 | run "$2"; } & south=$!
ok=0
wait $north || ok=1
wait $south || ok=1
exit $ok
