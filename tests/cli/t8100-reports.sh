#!/bin/sh
# ruta report: on the sample CRM of examples/sample.sh, synced to head
# office, every report's figures equal a recomputation written here in SQL
# from the raw rows; --team, --region and --period change them as they
# should; bad options exit 2 naming the option; the HTML page renders in
# headless Chromium with the figures, no error and nothing fetched.
SAMPLE=$(cd "$(dirname "$0")/../../examples" && pwd)/sample.sh
. "$(dirname "$0")/lib.sh"

command -v faketime >/dev/null 2>&1 || skip_all "faketime is not installed (scripts/deps.sh test)"
setup_hub
must sh "$SAMPLE" north south
sync_all
P=2026-09..2026-11
S='2026-09-01T00:00:00Z'
E='2026-12-01T00:00:00Z'
q() { db hq "$1"; }
is "$(q "SELECT count(*) FROM account") $(q "SELECT count(DISTINCT currency) FROM opportunity")" \
	"40 2" "head office holds both teams' sample: 40 accounts, EUR and RON"
cmp_ok "$(q "SELECT count(*) FROM contact")" -ge 200 "a few hundred contacts"
is "$(q "SELECT group_concat(DISTINCT stage) FROM (SELECT stage FROM opportunity ORDER BY stage)")" \
	"lost,needs,negotiation,offer_sent,qualification,won" "opportunities in every stage"

# ---- funnel ----------------------------------------------------------------------------------

ok ruta -C hq report funnel --period $P --format json
F=$out
is "$(jget "$F" .schema) $(jget "$F" .report) $(jget "$F" .period.from) $(jget "$F" .period.to)" \
	"1 funnel 2026-09 2026-11" "versioned, and the period as given"
is "$(jlen "$F" .months)" 3 "one entry per month"
T=.total
# New prospects: accounts whose lifecycle history first reaches prospect,
# potential or client in the period (an account with no history at all:
# created in it and not a lead); converted: of them, those with a deal.
FIRST="coalesce((SELECT min(h.at) FROM account_lifecycle_history h WHERE h.account_id = a.id
	AND h.to_lifecycle IN ('prospect','potential','client')), CASE WHEN NOT EXISTS (SELECT 1
	FROM account_lifecycle_history h WHERE h.account_id = a.id) AND a.lifecycle <> 'lead'
	THEN a.created_at END)"
np() { q "SELECT count(*) || ' ' || coalesce(sum(EXISTS (SELECT 1 FROM opportunity o
	WHERE o.account_id = a.id AND o.deleted_at IS NULL)), 0) FROM account a
	WHERE a.deleted_at IS NULL AND a.merged_into IS NULL AND $FIRST >= '$1' AND $FIRST < '$2'"; }
is "$(jget "$F" $T.new_prospects) $(jget "$F" $T.prospects_converted)" "$(np "$S" "$E")" \
	"new prospects and how many of them converted, from the lifecycle history"
i=0
for mn in 09:10 10:11 11:12; do
	m=${mn%:*} n=${mn#*:}
	is "$(jget "$F" ".months[$i].new_prospects") $(jget "$F" ".months[$i].prospects_converted")" \
		"$(np "2026-$m-01T00:00:00Z" "2026-$n-01T00:00:00Z")" "new prospects in 2026-$m"
	i=$((i + 1))
done
is "$(q "SELECT count(*) FROM account_lifecycle_history WHERE from_lifecycle = 'lead'
	AND to_lifecycle = 'prospect' AND at >= '2026-10-01T00:00:00Z' AND at < '2026-11-01T00:00:00Z'
	AND account_id IN (SELECT id FROM account WHERE created_at < '2026-10-01T00:00:00Z')")" 4 \
	"the sample has September leads that became prospects in October"
isnt "$(jget "$F" '.months[1].new_prospects')" "$(q "SELECT count(*) FROM account WHERE lifecycle <> 'lead'
	AND created_at >= '2026-10-01T00:00:00Z' AND created_at < '2026-11-01T00:00:00Z'")" \
	"so October's new prospects are not the accounts created in October and not leads now"
is "$(jget "$F" $T.opportunities_created)" "$(q "SELECT count(*) FROM opportunity
	WHERE created_at >= '$S' AND created_at < '$E'")" "opportunities created"
for st in qualification needs offer_sent negotiation won lost; do
	is "$(jsql "$F" "SELECT s.value->>'entered' FROM j, json_each(j.doc, '\$.total.stages') s
		WHERE s.value->>'stage' = '$st'")" "$(q "SELECT count(DISTINCT opportunity_id)
		FROM opportunity_stage_history WHERE to_stage = '$st' AND at >= '$S' AND at < '$E'")" \
		"opportunities that entered $st, from the stage history"
done
WON="SELECT count(*) FROM opportunity WHERE stage = 'won' AND closed_at >= '$S' AND closed_at < '$E'"
LOST="SELECT count(*) FROM opportunity WHERE stage = 'lost' AND closed_at >= '$S' AND closed_at < '$E'"
is "$(jget "$F" $T.won) $(jget "$F" $T.lost)" "$(q "$WON") $(q "$LOST")" "won and lost"
is "$(jsql "$F" "SELECT group_concat(m.value->>'currency' || '=' || (m.value->>'minor'), ' ')
	FROM j, json_each(j.doc, '\$.total.won_value') m")" "$(q "SELECT group_concat(c || '=' || v, ' ')
	FROM (SELECT currency c, sum(amount_minor) v FROM opportunity WHERE stage = 'won'
	AND closed_at >= '$S' AND closed_at < '$E' GROUP BY currency ORDER BY currency)")" \
	"value won per currency, never added across them"
is "$(jget "$F" $T.win_rate)" "$(q "SELECT printf('%.1f', 100.0 * ($WON) / (($WON) + ($LOST)))")" \
	"win rate"
is "$(jget "$F" $T.offers_sent)" "$(q "SELECT count(*) FROM offer WHERE sent_at >= '$S'
	AND sent_at < '$E'")" "offers sent"
is "$(jget "$F" $T.clients_won)" "$(q "SELECT count(*) FROM (SELECT account_id, min(closed_at) f
	FROM opportunity WHERE stage = 'won' GROUP BY account_id) WHERE f >= '$S' AND f < '$E'")" \
	"new clients: accounts whose first deal was won in the period"
OCT="created_at >= '2026-10-01T00:00:00Z' AND created_at < '2026-11-01T00:00:00Z'"
is "$(jget "$F" '.months[1].opportunities_created') $(jget "$F" '.months[1].month')" \
	"$(q "SELECT count(*) FROM opportunity WHERE $OCT") 2026-10" "October on its own"

ok ruta -C hq report funnel --period 2026-10 --team south --format json
is "$(jget "$out" .total.opportunities_created)" "$(q "SELECT count(*) FROM opportunity
	WHERE $OCT AND team = 'south'")" "--team south: south's opportunities only"
ok ruta -C hq report funnel --period $P --region Galicia --format json
is "$(jget "$out" .total.opportunities_created)" "$(q "SELECT count(*) FROM opportunity o
	JOIN account a ON a.id = o.account_id WHERE o.created_at >= '$S' AND o.created_at < '$E'
	AND a.region = 'Galicia'")" "--region Galicia: opportunities of Galician accounts only"
isnt "$(jget "$out" .total.opportunities_created)" "$(jget "$F" $T.opportunities_created)" \
	"and that is fewer"

# ---- lost ---------------------------------------------------------------------------------------

ok ruta -C hq report lost --period $P --format json
L=$out
is "$(jsql "$L" "SELECT group_concat(r.value->>'reason' || '=' || (r.value->>'count'), ' ')
	FROM j, json_each(j.doc, '\$.reasons') r")" "$(q "SELECT group_concat(lost_reason || '=' || n, ' ')
	FROM (SELECT lost_reason, count(*) n FROM opportunity WHERE stage = 'lost' AND closed_at >= '$S'
	AND closed_at < '$E' GROUP BY 1 ORDER BY 1)")" "lost deals by reason"
is "$(jsql "$L" "SELECT group_concat(v.value->>'currency' || '=' || (v.value->>'minor'), ' ')
	FROM j, json_each(j.doc, '\$.value') v")" "$(q "SELECT group_concat(c || '=' || v, ' ') FROM
	(SELECT currency c, sum(amount_minor) v FROM opportunity WHERE stage = 'lost' AND
	closed_at >= '$S' AND closed_at < '$E' GROUP BY 1 ORDER BY 1)")" "value lost per currency"
is "$(jsql "$L" "SELECT group_concat(r.value->>'reason' || '/' || s.key || '=' || s.value, ' ')
	FROM j, json_each(j.doc, '\$.reasons') r, json_each(r.value, '\$.by_stage') s")" \
	"$(q "SELECT group_concat(lost_reason || '/' || st || '=' || n, ' ') FROM (SELECT lost_reason,
	(SELECT from_stage FROM opportunity_stage_history h WHERE h.opportunity_id = o.id AND
	h.to_stage = 'lost') st, count(*) n FROM opportunity o WHERE stage = 'lost' AND
	closed_at >= '$S' AND closed_at < '$E' GROUP BY 1, 2 ORDER BY 1, 2)")" \
	"crossed with the stage at loss"

# ---- pipeline -------------------------------------------------------------------------------------

ok ruta -C hq report pipeline --period 2026-09..2027-06 --format json
PL=$out
OPEN="FROM opportunity o JOIN stage s ON s.id = o.stage WHERE NOT s.is_closed
	AND expected_close >= '2026-09-01' AND expected_close < '2027-07-01'"
is "$(jget "$PL" .total.count)" "$(q "SELECT count(*) $OPEN")" "open opportunities"
is "$(jget "$PL" .total.count_by_currency.RON)" "$(q "SELECT count(*) $OPEN AND o.currency = 'RON'")" \
	"open opportunities in RON"
is "$(jsql "$PL" "SELECT group_concat(m.value->>'currency' || '=' || (m.value->>'minor'), ' ')
	FROM j, json_each(j.doc, '\$.total.weighted') m")" "$(q "SELECT group_concat(c || '=' || w, ' ')
	FROM (SELECT o.currency c, (sum(o.amount_minor * o.probability) + 50) / 100 w $OPEN
	GROUP BY 1 ORDER BY 1)")" "weighted pipeline per currency: amount x probability / 100"
is "$(jsql "$PL" "SELECT group_concat(g.value->>'month' || ':' || (m.value->>'currency') || '=' ||
	(m.value->>'minor'), ' ') FROM j, json_each(j.doc, '\$.by_month') g, json_each(g.value, '\$.open') m")" \
	"$(q "SELECT group_concat(mo || ':' || c || '=' || v, ' ') FROM (SELECT substr(expected_close, 1, 7) mo,
	o.currency c, sum(o.amount_minor) v $OPEN GROUP BY 1, 2 ORDER BY 1, 2)")" \
	"open value by expected close month and currency"
is "$(jsql "$PL" "SELECT group_concat(g.value->>'team' || '=' || (g.value->>'count'), ' ')
	FROM j, json_each(j.doc, '\$.by_team') g")" "$(q "SELECT group_concat(t || '=' || n, ' ') FROM
	(SELECT o.team t, count(*) n $OPEN GROUP BY 1 ORDER BY 1)")" "and by team"

# ---- abc and top --------------------------------------------------------------------------------------

ABC_SQL="WITH b AS (SELECT a.id, a.potential_minor p, (SELECT coalesce(sum(amount_minor), 0) FROM
	opportunity o WHERE o.account_id = a.id AND o.stage = 'won' AND o.currency = 'EUR' AND
	o.closed_at >= '2025-12-01T00:00:00Z' AND o.closed_at < '$E') v FROM account a WHERE a.currency = 'EUR'),
	r AS (SELECT id, v, sum(v) OVER (ORDER BY v DESC, id ROWS UNBOUNDED PRECEDING) - v bef,
	(SELECT sum(v) FROM b) tot FROM b)
	SELECT group_concat(id || '=' || CASE WHEN v = 0 THEN 'C' WHEN bef * 100 < 80 * tot THEN 'A'
	WHEN bef * 100 < 95 * tot THEN 'B' ELSE 'C' END, ' ') FROM (SELECT * FROM r ORDER BY id)"
ok ruta -C hq report abc --period $P --currency EUR --format json
A=$out
is "$(jsql "$A" "SELECT group_concat(id || '=' || c, ' ') FROM (SELECT a.value->>'id' id,
	a.value->>'abc_purchases' c FROM j, json_each(j.doc, '\$.accounts') a ORDER BY 1)")" \
	"$(q "$ABC_SQL")" "ABC by purchases (12 months to the period's end, Pareto 80/95)"
is "$(jget "$A" .left_out) $(jget "$A" .accounts_ranked)" \
	"$(q "SELECT count(*) FROM account WHERE currency <> 'EUR'") $(q "SELECT count(*) FROM account
	WHERE currency = 'EUR'")" "RON accounts are left out of the EUR ranking, and counted"
is "$(jsql "$A" "SELECT sum(value->>'A') + sum(value->>'B') + sum(value->>'C') FROM j,
	json_each(j.doc, '\$.matrix')")" "$(jget "$A" .accounts_ranked)" "the 3x3 matrix holds every account ranked"
POT_SQL=$(printf '%s' "$ABC_SQL" | sed 's/) v FROM account a/) v0, a.potential_minor v FROM account a/')
is "$(jsql "$A" "SELECT group_concat(id || '=' || c, ' ') FROM (SELECT a.value->>'id' id,
	a.value->>'abc_potential' c FROM j, json_each(j.doc, '\$.accounts') a ORDER BY 1)")" \
	"$(q "$POT_SQL")" "ABC by potential"
ok ruta -C hq report abc --period $P --format json
is "$(jget "$out" .currency)" EUR "the default currency is the most used one"
ok ruta -C hq report abc --period $P --currency EUR --abc 50,70 --format json
isnt "$(jsql "$out" "SELECT count(*) FROM j, json_each(j.doc, '\$.accounts') a WHERE
	a.value->>'abc_purchases' = 'A'")" "$(jsql "$A" "SELECT count(*) FROM j, json_each(j.doc,
	'\$.accounts') a WHERE a.value->>'abc_purchases' = 'A'")" "--abc 50,70 makes fewer A accounts"
ok ruta -C hq report top --period $P --currency RON --format json
TOP=$out
is "$(jsql "$TOP" "SELECT group_concat(a.value->>'id', ' ') FROM j, json_each(j.doc, '\$.by_purchases') a")" \
	"$(q "SELECT group_concat(id, ' ') FROM (SELECT a.id, sum(o.amount_minor) v FROM account a JOIN
	opportunity o ON o.account_id = a.id WHERE o.stage = 'won' AND o.currency = 'RON' AND
	o.closed_at >= '2025-12-01T00:00:00Z' AND o.closed_at < '$E' GROUP BY a.id ORDER BY v DESC, a.id LIMIT 10)")" \
	"top 10 by purchases in RON"
is "$(jget "$TOP" '.by_gap[0].id')" "$(q "SELECT a.id FROM account a WHERE a.currency = 'RON' ORDER BY
	a.potential_minor - (SELECT coalesce(sum(amount_minor), 0) FROM opportunity o WHERE o.account_id = a.id
	AND o.stage = 'won' AND o.currency = 'RON' AND o.closed_at >= '2025-12-01T00:00:00Z'
	AND o.closed_at < '$E') DESC, a.potential_minor DESC, a.id LIMIT 1")" "the widest growth gap first"

# ---- activity ---------------------------------------------------------------------------------------

ok ruta -C hq report activity --period 2026-09..2026-10 --format json
AC=$out
VIS="FROM activity WHERE kind IN ('meeting','visit') AND planned_start >= '2026-09-01T00:00:00Z'
	AND planned_start < '2026-11-01T00:00:00Z'"
is "$(jsql "$AC" "SELECT group_concat(t.value->>'team' || ':' || (t.value->>'planned') || '/' ||
	(t.value->>'held') || '/' || (t.value->>'field_days'), ' ') FROM j, json_each(j.doc, '\$.teams') t")" \
	"$(q "SELECT group_concat(team || ':' || p || '/' || h || '/' || d, ' ') FROM (SELECT team,
	count(*) p, sum(status = 'held') h, count(DISTINCT substr(planned_start, 1, 10)) d $VIS
	GROUP BY team ORDER BY team)")" "planned, held and field days per team"
is "$(jget "$AC" '.teams[0].field_days') $(jget "$AC" '.teams[1].field_days')" "10 10" \
	"two field weeks each"
PD=$(jget "$AC" '.teams[0].planned_per_field_day')
HD=$(jget "$AC" '.teams[0].held_per_field_day')
case "$PD $HD" in 6.* | 7.0*) r=0 ;; *) r=1 ;; esac
_report $r "6-7 visits planned a field day ($PD), 2-3 held ($HD)"
is "$(jsql "$AC" "SELECT group_concat(key || '=' || value, ' ') FROM j, json_each(j.doc, '\$.total.reasons')")" \
	"$(q "SELECT group_concat(r || '=' || n, ' ') FROM (SELECT not_held_reason r, count(*) n $VIS
	AND status IN ('not_held','cancelled') GROUP BY 1 ORDER BY 1)")" "not held, by reason"

# ---- forms --------------------------------------------------------------------------------------------

ok ruta -C hq report lost --period $P --format csv
is "$(printf '%s' "$out" | head -n 1)" "$(printf 'reason,stage_at_loss,count,share_pct,value,currency\r')" \
	"CSV: a header, CRLF"
is "$(printf '%s\n' "$out" | grep -c "$(printf '\r$')")" "$(printf '%s\n' "$out" | wc -l)" "every line ends in CRLF"
ok ruta -C hq report pipeline --period 2026-09..2027-06
expect_stdout "^total +all +$(jget "$PL" .total.count_by_currency.EUR) " "the table: the total row, counted per currency"
W=$(jsql "$PL" "SELECT m.value->>'amount' FROM j, json_each(j.doc, '\$.total.weighted') m WHERE m.value->>'currency' = 'EUR'")
expect_stdout " $W +EUR$" "money printed as a plain decimal and its currency"
LC_ALL=C.UTF-8 LANG=de_DE.UTF-8 run ruta -C hq report pipeline --period 2026-09..2027-06
expect_stdout " $W +EUR$" "in any locale"
ok ruta -C hq report funnel --period $P --format json
is "$out" "$F" "the same replica gives the same bytes"

# ---- usage --------------------------------------------------------------------------------------------

expect_exit 2 ruta -C hq report funnel --period 2026-13
expect_stderr "--period must be YYYY-MM" "a bad --period names it"
expect_exit 2 ruta -C hq report funnel --format pdf
expect_stderr "--format must be table, csv, json or html, not 'pdf'" "a bad --format names it"
expect_exit 2 ruta -C hq report abc --abc 90,80
expect_stderr "--abc must be two percentages" "a bad --abc names it"
expect_exit 2 ruta -C hq report abc --currency eu
expect_stderr "--currency must be an ISO 4217 code" "a bad --currency names it"
expect_exit 2 ruta -C hq report forecast
expect_stderr "no report 'forecast'" "an unknown report is named"
expect_exit 2 ruta -C hq report
expect_exit 2 ruta -C hq report funnel --bogus
expect_stderr "unknown option '--bogus'"
ok ruta -C hq report --help
expect_stdout "^  ruta -C hq report funnel --period 2026-09..2026-11$" "--help starts with examples"

# ---- lifecycle history: new prospects by when they became one -------------------------------
# On north, in 2027 (after the sample): a lead made in January becomes a
# prospect in February; a prospect made in January becomes a client in
# February; in March the first falls back to lead and is a prospect again.
ruta_at '2027-01-11 10:00:00' -C north account add --name 'Lead Jan' --lifecycle lead > id.out
LEADJAN=$(head -n 1 id.out)
ruta_at '2027-01-12 10:00:00' -C north account add --name 'Prospect Jan' --lifecycle prospect > id.out
PROSJAN=$(head -n 1 id.out)
ok ruta_at '2027-02-03 10:00:00' -C north account edit "$LEADJAN" --lifecycle prospect
ok ruta_at '2027-02-04 10:00:00' -C north account edit "$PROSJAN" --lifecycle client
ok ruta_at '2027-03-01 10:00:00' -C north account edit "$LEADJAN" --lifecycle lead
ok ruta_at '2027-03-02 10:00:00' -C north account edit "$LEADJAN" --lifecycle prospect
lc() { db "$1" "SELECT coalesce(from_lifecycle, '-') || '>' || to_lifecycle || '@' || substr(at, 1, 10)
	FROM account_lifecycle_history WHERE account_id = '$2' ORDER BY at, id" | tr '\n' ' '; }
is "$(lc north "$LEADJAN")" \
	"->lead@2027-01-11 lead>prospect@2027-02-03 prospect>lead@2027-03-01 lead>prospect@2027-03-02 " \
	"the lead's lifecycle history: its creation, then each change, with when"
is "$(lc north "$PROSJAN")" "->prospect@2027-01-12 prospect>client@2027-02-04 " "the prospect's"
ok ruta -C north report funnel --period 2027-01..2027-03 --format json
is "$(jsql "$out" "SELECT group_concat(m.value->>'month' || '=' || (m.value->>'new_prospects'), ' ')
	FROM j, json_each(j.doc, '\$.months') m")" "2027-01=1 2027-02=1 2027-03=0" \
	"a lead counts when it becomes a prospect, once; a prospect that becomes a client does not count again"
is "$(jget "$out" .total.new_prospects)" 2 "and the quarter has both"

# The rows sync: south sees exactly north's, made by north (not re-made by
# south's triggers when the lifecycle changes arrive).
ok ruta -C north sync
ok ruta -C south sync
is "$(lc south "$LEADJAN")" "$(lc north "$LEADJAN")" "the lifecycle history synced to south"
ROWS="SELECT id, account_id, coalesce(from_lifecycle, '-'), to_lifecycle, at, replica
	FROM account_lifecycle_history WHERE account_id IN ('$LEADJAN', '$PROSJAN') ORDER BY id"
is "$(db south "$ROWS")" "$(db north "$ROWS")" "the same rows, ids and times included"
is "$(db south "SELECT DISTINCT replica FROM account_lifecycle_history WHERE account_id = '$LEADJAN'")" \
	"$NORTH" "each names north, where the change was made"
is "$(ruta -C south state-hash)" "$(ruta -C north state-hash)" "north and south hold the same CRM"

# ---- the page --------------------------------------------------------------------------------------------

ruta -C hq report funnel --period $P --format html > funnel.html
ruta -C hq report pipeline --period 2026-09..2027-06 --format html > pipeline.html
is "$(cat funnel.html pipeline.html | grep -Eci '<script|https?:|src=|href=|url\(|@import')" 0 \
	"the pages have no script and name no URL or resource"
is "$(grep -c '<svg id="funnel-chart"' funnel.html) $(grep -c '<svg id="pipeline-chart-EUR"' pipeline.html)" \
	"1 1" "the funnel and the pipeline are drawn as inline SVG"
CHROME=$(command -v chromium || true)
render() {
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --user-data-dir="$TRASH/chrome" \
		--enable-logging=stderr --v=0 --dump-dom "file://$TRASH/$1.html" > "$1.dom" 2> "$1.log"
}
figure() { sed -n "s|.*id=\"$2\"[^>]*>\([^<]*\)<.*|\1|p" "$1.dom"; }
if [ -z "$CHROME" ]; then
	skip "chromium is not installed (scripts/deps.sh test installs it)"
else
	render funnel
	render pipeline
	is "$(figure funnel won) $(figure funnel lost) $(figure funnel new-prospects)" \
		"$(jget "$F" $T.won) $(jget "$F" $T.lost) $(jget "$F" $T.new_prospects)" \
		"Chromium shows the funnel's figures"
	is "$(figure pipeline open-count)" "$(jget "$PL" .total.count)" "and the pipeline's"
	is "$(grep -c '<rect' pipeline.dom)" "$(grep -c '<rect' pipeline.html)" "the charts are in the rendered page"
	is "$(cat funnel.log pipeline.log | grep -c ':CONSOLE')" 0 "no error on the pages"
fi

done_testing
