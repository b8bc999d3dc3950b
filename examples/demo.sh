#!/bin/sh
# The demo scenario: head office and team north set up their replicas; north
# records a prospect with two contacts and an opportunity, works it through
# the pipeline and loses it with a reason; an app edits the file with plain
# SQL; every field edit shows in the change log with its version and base.
# Then team south joins; the three sync signed changesets through a local
# bare git hub, including one concurrent edit of the same opportunity: it
# becomes a conflict with both values and who made them, head office
# resolves it, and after one more round every replica holds the same CRM.
# Last, ruta and then stock tools alone (examples/stock-audit.sh) verify the
# hub from head office's root key.
#
#   RUTA=build/ruta sh examples/demo.sh [WORKDIR]
set -eu

RUTA=${RUTA:-ruta}
case $RUTA in /*) ;; *) RUTA=$(pwd)/$RUTA ;; esac
EXAMPLES=$(cd "$(dirname "$0")" && pwd)
WORK=${1:-$(pwd)/demo-run}
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
export TZ=Europe/Madrid

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ ruta %s\n' "$*"; "$RUTA" "$@"; }
# A sync exits 3 while conflicts remain open: that is news, not a failure.
sync_() { printf '$ ruta %s sync\n' "$*"; "$RUTA" "$@" sync || [ $? -eq 3 ]; }

say "Head office creates its replica and publishes its root key"
run init hq --head-office --country ES
"$RUTA" -C hq keys export-pub --root > root.pub
printf '$ ruta -C hq keys export-pub --root > root.pub\n'
cat root.pub

say "Team north creates its replica on a laptop, pinning head office's key"
run init north --team north --root-key root.pub --country ES
export RUTA_DIR="$WORK/north"

say "Monday: north registers a prospect and two people there"
ACME=$("$RUTA" account add --name 'Transportes Acme S.L.' --tax-id ES:B12345674 \
	--region Madrid --city Madrid --lifecycle prospect --sales-channel direct)
echo "account $ACME"
ANA=$("$RUTA" contact add --first-name Ana --last-name Ruiz --title 'Fleet manager' \
	--email ana.ruiz@acme.example --phone '612 345 678' --account "$ACME")
LUIS=$("$RUTA" contact add --first-name Luis --last-name Gil --title 'CFO' \
	--email luis.gil@acme.example --phone '+34 915 550 123' --account "$ACME")
echo "contacts $ANA $LUIS"
run contact list --account "$ACME"

say "An opportunity: renewing their fleet of 12 vans, 12,000.00 EUR"
DEAL=$("$RUTA" opp add --account "$ACME" --name 'Fleet renewal 2027' --amount 12000.00 \
	--currency EUR --expected-close 2027-01-31 --contact "$ANA")
echo "opportunity $DEAL"

say "Tuesday: a visit is planned and held; the deal moves forward"
VISIT=$("$RUTA" activity add --kind visit --account "$ACME" --opp "$DEAL" \
	--start '2026-11-24 10:00' --end '2026-11-24 11:00' --subject 'needs analysis with Ana')
run activity held "$VISIT"
run opp move "$DEAL" --stage needs
OFFER=$("$RUTA" offer add --opp "$DEAL" --number N-2026-014 --total 11500.00 --valid-until 2026-12-31)
run offer send "$OFFER"
run opp move "$DEAL" --stage offer_sent
run opp move "$DEAL" --stage negotiation

say "Friday: the customer takes a cheaper bid"
run offer reject "$OFFER"
run opp lose "$DEAL" --reason price --note 'competitor offered 9,800 EUR'
run opp show "$DEAL"

say "Bad input is refused and changes nothing"
run contact add --last-name Test --email 'not-an-email' || true
run opp add --account "$ACME" --name 'Oops' --amount -5 --currency EUR || true
run offer edit "$OFFER" --total 1.00 || true

say "An app on the same laptop writes the SQLite file directly"
echo "\$ sqlite3 north/ruta.db \"UPDATE account SET employees = 48 WHERE id = '$ACME'\""
sqlite3 north/ruta.db "UPDATE account SET employees = 48 WHERE id = '$ACME'"

say "Every field edit is in the change log, with its HLC version and base"
printf '$ ruta log --local   (the opportunity'"'"'s stage, probability and loss; the app'"'"'s edit)\n'
"$RUTA" log --local | grep -E '^SEQ | (stage|probability|lost_reason|lost_note|employees) ' 
echo "(full log: ruta -C $WORK/north log --local; as JSON with --json)"

say "Status"
run status

say "Team south joins: head office endorses both teams' keys"
run init south --team south --root-key root.pub --country ES
"$RUTA" -C north keys export-pub > north.pub
"$RUTA" -C south keys export-pub > south.pub
run -C hq keys endorse north.pub --team north
run -C hq keys endorse south.pub --team south

say "The hub: a bare git repository (any git host would do)"
git init -q --bare hub.git
echo "\$ git init --bare hub.git"
unset RUTA_DIR
for r in hq north south; do run -C $r hub add "$WORK/hub.git"; done

say "A network appears: everyone syncs"
run -C hq sync
run -C north sync
run -C south sync
run -C hq sync

say "Offline again: both teams change the same opportunity; south a moment later"
run -C north opp edit "$DEAL" --next-step 'call Ana about the fleet size'
sleep 1
run -C south opp edit "$DEAL" --next-step 'send the revised quote'
run -C south contact add --first-name Marta --last-name Soler --email marta@acme.example --account "$ACME"

say "They sync when they can"
sync_ -C north
sync_ -C south
sync_ -C north
sync_ -C hq

say "Head office's view"
CONTACTS=$("$RUTA" -C hq contact list --account "$ACME" | tail -n +2 | wc -l)
STEP=$("$RUTA" -C hq opp show "$DEAL" | sed -n 's/^next_step *//p')
REASON=$("$RUTA" -C hq opp show "$DEAL" | sed -n 's/^lost_reason *//p')
echo "Head office now sees $CONTACTS contacts at Transportes Acme: two recorded by north,"
echo "one by south. The fleet renewal was lost on price. Both teams changed its next step"
echo "while offline; every replica shows '$STEP' for now, and keeps the other as a"
echo "conflict for someone to decide:"
run -C hq conflicts list
CONFLICT=$("$RUTA" -C hq conflicts list --json | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' | head -1)
run -C hq conflicts show "$CONFLICT"

say "The sales manager decides at head office; the decision syncs like any edit"
run -C hq resolve "$CONFLICT" --take 'call Ana about the fleet size'
run -C hq sync
run -C north sync
run -C south sync
STEP=$("$RUTA" -C south opp show "$DEAL" | sed -n 's/^next_step *//p')
echo "South now shows '$STEP'; no conflict is open anywhere, and the overturned"
echo "value stays in the signed history. Every replica holds the same CRM:"
for r in hq north south; do
	printf '  %-6s state %s   open conflicts %s\n' "$r" "$("$RUTA" -C $r state-hash | cut -c1-16)" \
		"$("$RUTA" -C $r status --json | sed -n 's/.*"conflicts":\([0-9]*\).*/\1/p')"
done

say "Anyone can check the hub with stock git: every commit is signed"
git clone -q --bare hub.git audit.git
git --git-dir=audit.git show ruta/trust:trust/ruta-trust-00000003.txt > allowed_signers
echo "\$ git log --all --format='%G? %GS  %s'   (G = good signature)"
git --git-dir=audit.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$WORK/allowed_signers" \
	log --all --format='%G? %GS  %s'
: "$REASON"

say "And ruta checks the whole hub from head office's root key alone"
run -C north audit verify

say "So can an auditor without ruta: OpenSSH, git and sqlite3 check every signature and chain"
echo "\$ sh examples/stock-audit.sh hub.git root.pub   (docs/audit.md, all in one script)"
sh "$EXAMPLES/stock-audit.sh" hub.git root.pub

say "Three weeks later: both teams worked a full cycle (examples/sample.sh)"
echo "North worked Spain, south Romania: accounts, contacts, deals won and lost, offers,"
echo "an office week and two weeks of visits each. They sync; head office runs the reports."
RUTA=$RUTA sh "$EXAMPLES/sample.sh" north south
for r in north south hq; do "$RUTA" -C $r sync >/dev/null 2>&1 || [ $? -eq 3 ]; done
FUNNEL=$("$RUTA" -C hq report funnel --period 2026-09..2026-11 --format json)
# j PATH: one figure of the funnel (SQLite's JSON functions, no jq needed)
j() { printf '%s' "$FUNNEL" | sed "s/'/''/g" | { printf "SELECT json_extract('"; cat; printf "', '\$%s');\n" "$1"; } | sqlite3 -batch; }
money() { printf '%s' "$FUNNEL" | sed "s/'/''/g" | { printf "SELECT group_concat(json_extract(m.value, '\$.amount') || ' ' || json_extract(m.value, '\$.currency'), ' and ') FROM json_each('"; cat; printf "', '\$%s') m;\n" "$1"; } | sqlite3 -batch; }
echo
echo "From September to November 2026, both teams together:"
echo "  $(j .total.new_prospects) new prospects; $(j .total.opportunities_created) opportunities opened"
echo "  $(j .total.offers_sent) offers sent, worth $(money .total.offers_sent_value)"
echo "  $(j .total.won) deals won, worth $(money .total.won_value)"
echo "  $(j .total.lost) deals lost, worth $(money .total.lost_value); win rate $(j .total.win_rate)%"
echo "  $(j .total.clients_won) accounts became clients with their first deal won"
echo
run -C hq report pipeline --period 2026-11..2027-03
echo "(every report: ruta report --help; as a page with charts: --format html)"
"$RUTA" -C hq report funnel --period 2026-09..2026-11 --format html > funnel.html
"$RUTA" -C hq report pipeline --period 2026-11..2027-03 --format html > pipeline.html
echo "Pages for a manager: $WORK/funnel.html and $WORK/pipeline.html"

say "Done. The replicas are in $WORK"
