#!/bin/sh
# ruta audit report: the audit of a hub as a report an auditor opens. The
# JSON report carries verify's figures, every changeset of every replica
# and the conflicts with who resolved them; the HTML page is rendered in
# headless Chromium, which must load it with no error and nothing fetched,
# and show the figures; hostile names and values come out as text; a
# tampered hub's report shows its problems and exits 4.
. "$(dirname "$0")/lib.sh"

setup_hub

# north's changeset 1 makes the account; its 2 and south's 1 set its city
# (a conflict head office resolves), its 3 and south's 2 its employees
# (a conflict left open). The values are hostile to a page that would not
# escape them.
HOSTILE="<script>alert(1)</script> & \"x\" 'y'"
must ruta -C north account add --name 'Acme S.L.' --city Madrid
ACME=$out
must ruta -C north sync
must ruta -C south sync
must ruta -C north account edit "$ACME" --city "$HOSTILE"
must ruta -C south account edit "$ACME" --city Bilbao
for r in north south; do ruta -C $r sync >/dev/null 2>&1; done
must ruta -C north account edit "$ACME" --employees 40
must ruta -C south account edit "$ACME" --employees 50
sync_all
CITY=$(ruta -C hq conflicts list --json | jsql "$(cat)" "SELECT c.value->>'id' FROM j,
	json_each(j.doc, '\$.conflicts') c WHERE c.value->>'field' = 'city'")
[ -n "$CITY" ] || { echo "Bail out! setup failed: no conflict on the city at head office"; exit 1; }
must ruta -C hq resolve "$CITY" --take Valencia
sync_all

# ---- the JSON report of an untouched hub -------------------------------------------

ok ruta -C hq audit report --format json
REP=$out
expect_stderr "hub verified, no problem" "a hub with no problem: exit 0, and said so"
ok ruta -C hq audit verify --json
is "$(jget "$REP" .audit)" "$(jget "$out" "")" "its audit is what audit verify --json reports"
is "$(jget "$REP" .schema) $(jget "$REP" .replica) $(jget "$REP" .audit.ok)" "1 $HQ true" \
	"schema 1, the replica it was made at, and the verdict"
is "$(jget "$REP" .audit.changesets) $(jget "$REP" .audit.replicas)" \
	"$(db hq "SELECT count(*) FROM ruta_changeset") 3" "the changesets head office holds, of 3 replicas"
LISTED=$(jsql "$REP" "SELECT c.value->>'replica' || ' ' || (c.value->>'seq') || ' ' ||
	(c.value->>'hash') FROM j, json_each(j.doc, '\$.timeline') g, json_each(g.value, '\$.changesets') c")
is "$LISTED" "$(db hq "SELECT replica || ' ' || seq || ' ' || hash FROM ruta_changeset
	ORDER BY replica, seq")" "the timeline lists every changeset of each replica in seq order"
is "$(jsql "$REP" "SELECT count(*) FROM j, json_each(j.doc, '\$.timeline') g,
	json_each(g.value, '\$.changesets') c WHERE json_array_length(c.value, '\$.problems') = 0
	AND c.value->>'dropped' = 0 AND c.value->>'from' LIKE '2%Z+%' AND c.value->>'key' LIKE 'SHA256:%'")" \
	"$(jget "$REP" .audit.changesets)" "each with its times and key, and no problem"
is "$(jsql "$REP" "SELECT g.value->>'replica' FROM j, json_each(j.doc, '\$.timeline') g")" \
	"$(printf '%s\n' "$HQ" "$NORTH" "$SOUTH" | sort)" "one group per replica"

# the resolved conflict: its values, the one chosen, who chose it and where
RES=$(jsql "$REP" "SELECT c.value->>'field' || ' ' || (c.value->>'chosen') || ' ' ||
	(c.value->>'\$.resolved.replica') || ' ' || json_array_length(c.value, '\$.heads') FROM j,
	json_each(j.doc, '\$.conflicts.resolved') c")
is "$RES" "city Valencia $HQ 2" "the resolved conflict: field, value chosen, who resolved it"
is "$(jsql "$REP" "SELECT group_concat(h.value->>'replica' || '=' || (h.value->>'value'), '|') FROM j,
	json_each(j.doc, '\$.conflicts.resolved[0].heads') h")" "$NORTH=$HOSTILE|$SOUTH=Bilbao" \
	"and the values that competed, with who set them"
CS=$(jget "$REP" '.conflicts.resolved[0].resolved.changeset')
is "$(db hq "SELECT replica FROM ruta_changeset WHERE hash = '$CS'")" "$HQ" \
	"the resolution is in a changeset of head office's"
is "$(jsql "$REP" "SELECT c.value->>'field' FROM j, json_each(j.doc, '\$.conflicts.open') c")" \
	employees "the conflict left open is listed as open"
run ruta -C north audit report --format json
is "$rc $(jget "$out" '.conflicts.resolved[0].resolved.replica')" "0 $HQ" \
	"north's report names head office as the resolver of the conflict north was part of"
ok ruta -C hq audit report --format json
is "$out" "$REP" "the same hub and replica give the same bytes"

# ---- usage ----------------------------------------------------------------------------

expect_exit 2 ruta -C hq audit report --format pdf
expect_stderr "--format must be html or json, not 'pdf'" "an unknown format names the option"
expect_exit 2 ruta -C hq audit report
expect_stderr "needs --format html or --format json" "--format is required"
expect_exit 2 ruta -C hq audit report --format json --json
expect_stderr "unknown option '--json'" "verify's --json is not report's"
ok ruta -C hq audit report --help
expect_stdout "^  ruta -C hq audit report --format html --out audit.html$" "--help starts with examples"
expect_exit 5 ruta -C hq audit report --format html --hub git://127.0.0.1:1/x.git --out gone.html
is "$(ls gone.html* 2>/dev/null | wc -l)" 0 "an unreachable hub: exit 5, and no report"
expect_exit 1 ruta -C hq audit report --format html --out no/such/dir/r.html
expect_stderr "cannot write the report to 'no/such/dir/r.html'" "a report that cannot be written: exit 1"

# ---- the page ---------------------------------------------------------------------------

ok ruta -C hq audit report --format html --out report.html
is "$(stat -c %a report.html) $(ls report.html.* 2>/dev/null | wc -l)" "644 0" \
	"the page is written whole, mode 0644, no temporary file left"
ruta -C hq audit report --format html > again.html 2>/dev/null
cmp -s report.html again.html
_report $? "to standard output, the same bytes"
is "$(grep -Eci '<script|https?:|src=|href=|url\(|@import' report.html)" 0 \
	"the page has no script, and names no URL or resource"
grep -Fq '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;' report.html
_report $? "a hostile value is written as text"

CHROME=$(command -v chromium || true)
# render NAME: headless Chromium loads NAME.html; its DOM in NAME.dom, its log in NAME.log
render() {
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --user-data-dir="$TRASH/chrome" \
		--enable-logging=stderr --v=0 --dump-dom "file://$TRASH/$1.html" > "$1.dom" 2> "$1.log"
}
# figure NAME ID: the text of the element with that id in the rendered DOM
figure() { sed -n "s|.*id=\"$2\"[^>]*>\([^<]*\)<.*|\1|p" "$1.dom"; }
# page errors print "CONSOLE" lines: a script error, or a load the page's policy blocked
page_errors() { grep -c ':CONSOLE' "$1.log"; }

if [ -z "$CHROME" ]; then
	skip "chromium is not installed (scripts/deps.sh test installs it)"
else
	render report
	is "$(figure report changesets) $(figure report replicas) $(figure report problems-count)" \
		"$(jget "$REP" .audit.changesets) 3 0" "Chromium shows the changesets, replicas and problems"
	is "$(figure report conflicts-resolved) $(figure report conflicts-open) $(figure report result)" \
		"1 1 verified" "and the conflicts, and the verdict"
	grep -q "class=\"resolver\">$HQ<" report.dom
	_report $? "the resolver is shown"
	is "$(grep -c '<script\|<b id=' report.dom)" 0 "no hostile value became an element"
	is "$(grep -c 'class="cs"' report.dom)" "$(jget "$REP" .audit.changesets)" \
		"one timeline row per changeset"
	is "$(page_errors report)" 0 "the page loads with no error and nothing blocked"
	# the check sees a page error: the same page with an image it may not load
	sed 's|<body>|<body><img src="missing.png">|' report.html > control.html
	render control
	cmp_ok "$(page_errors control)" -ge 1 "a page that tries to load an image logs a CONSOLE error"
fi

# ---- a tampered hub: north's changeset 2 dropped, a hostile file name added ------------

g() { git --git-dir=bad.git "$@"; }
cp -r hub.git bad.git
N1=$(g rev-list --reverse "ruta/$NORTH" | sed -n 1p)
N3=$(g rev-list --reverse "ruta/$NORTH" | sed -n 3p)
printf 'x' > x.txt
T=$(printf '100644 blob %s\tx<b id="pwn">&%s.json\n' "$(g hash-object -w x.txt)" "'" | g mktree)
T=$(printf '040000 tree %s\t%s\n' "$T" "$NORTH" | g mktree)
T=$(printf '040000 tree %s\tchangesets\n' "$T" | g mktree)
chmod 600 north/keys/replica.key
sign() { g -c gpg.format=ssh -c user.signingkey=north/keys/replica.key commit-tree -S "$@"; }
C=$(GIT_AUTHOR_NAME=m GIT_AUTHOR_EMAIL=m@x GIT_COMMITTER_NAME=m GIT_COMMITTER_EMAIL=m@x \
	sign -p "$N1" -m gap "$(g rev-parse "$N3^{tree}")") &&
C=$(GIT_AUTHOR_NAME=m GIT_AUTHOR_EMAIL=m@x GIT_COMMITTER_NAME=m GIT_COMMITTER_EMAIL=m@x \
	sign -p "$C" -m name "$T") && g update-ref "refs/heads/ruta/$NORTH" "$C" ||
	{ echo "Bail out! setup failed: cannot tamper with the hub copy"; exit 1; }

expect_exit 4 ruta -C hq audit report --format json --hub "$PWD/bad.git"
expect_stderr "failed verification" "a tampered hub: the report, exit 4, and the verdict on stderr"
BAD=$out
is "$(jsql "$BAD" "SELECT group_concat(k, ' ') FROM (SELECT p.value->>'kind' AS k FROM j,
	json_each(j.doc, '\$.audit.problems') p ORDER BY k)")" "deps gap signature" \
	"the gap, what south had applied from the changeset dropped, and the unsigned stray file"
is "$(jsql "$BAD" "SELECT (c.value->>'seq') || ' ' || (c.value->>'\$.problems[0]') FROM j,
	json_each(j.doc, '\$.timeline') g, json_each(g.value, '\$.changesets') c
	WHERE g.value->>'replica' = '$NORTH' AND json_array_length(c.value, '\$.problems') > 0")" "3 gap" \
	"the timeline marks north's changeset 3, after the gap"
is "$(db hq "SELECT count(*) FROM ruta_audit WHERE hub = '$PWD/bad.git'")" 0 \
	"no checkpoint is kept for a hub that failed"
expect_exit 4 ruta -C hq audit report --format html --hub "$PWD/bad.git" --out bad.html
is "$(grep -c 'x&lt;b id=&quot;pwn&quot;&gt;&amp;&#39;.json' bad.html)" 1 \
	"the hostile file name is written as text"
grep -q '<tr class="missing bad"><td class="n">2</td><td colspan="7">not on the hub' bad.html
_report $? "north's timeline shows its changeset 2 as not on the hub"
if [ -n "$CHROME" ]; then
	render bad
	is "$(figure bad problems-count) $(figure bad result)" "$(jget "$BAD" .audit.problems_count) failed" \
		"Chromium shows the tampered hub's problems and verdict"
	is "$(grep -c '<b id=' bad.dom) $(page_errors bad)" "0 0" \
		"the hostile name is text, and the page loads with no error"
else
	skip "chromium is not installed"
fi

done_testing
