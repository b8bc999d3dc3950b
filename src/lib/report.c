/*
 * report.c - the audit report an auditor reads, as JSON or as one self-contained HTML page.
 *
 * Invariants:
 *  - Nothing here judges. The figures, the problems and the changesets come
 *    from ruta_audit_verify's one walk (with its checkpoint); the conflicts
 *    from conflicts.c. A changeset "had a problem" when a problem names its
 *    commit and file.
 *  - The page is one file that loads nothing: inline CSS, no script, no
 *    URL, no image; its Content-Security-Policy tells the browser so too.
 *    Every text that a hub, a replica or a person chose is escaped, and its
 *    control characters shown as '?', as the terminal report does.
 *  - No clock and no locale: the same replica, hub and history give the
 *    same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "merge.h"

/* ---- the document ---------------------------------------------------------------- */

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Where a problem or a changeset is: its commit and file (new; NULL if out
 * of memory). A commit id has no space, so two places never share a key. */
static char *place(json_t *o)
{
	const char *commit = str(o, "commit"), *file = str(o, "file");
	size_t n = strlen(commit) + strlen(file) + 2;
	char *key = malloc(n);
	if (key)
		snprintf(key, n, "%s %s", commit, file);
	return key;
}

/* The kinds of the problems by place, so that each changeset finds its
 * own at once, however many there are. NULL if out of memory. */
static json_t *kinds_by_place(json_t *problems)
{
	json_t *index = json_object(), *p;
	size_t i;
	json_array_foreach(problems, i, p) {
		char *key = index ? place(p) : NULL;
		json_t *kinds = key ? json_object_get(index, key) : NULL;
		if (key && !kinds && json_object_set_new(index, key, kinds = json_array()) < 0)
			kinds = NULL;
		if (!kinds || json_array_append(kinds, json_object_get(p, "kind")) < 0) {
			json_decref(index);
			index = NULL;
		}
		free(key);
	}
	return index;
}

/* An HLC of the audit's JSON as a time, as the rest of ruta writes it. */
static json_t *hlc_time(json_t *hex)
{
	char at[40];
	uint64_t hlc = 0;
	if (!json_is_string(hex) || ruta_hlc__parse(&hlc, json_string_value(hex)) < 0)
		return json_null();
	ruta_hlc_describe(at, hlc);
	return json_string(at);
}

static int entry(json_t *e, json_t *index)
{
	char *key = place(e);
	json_t *kinds = key ? json_object_get(index, key) : NULL;
	int err = 0;
	if (!key || json_object_set_new(e, "from", hlc_time(json_object_get(e, "hlc_min"))) < 0 ||
			json_object_set_new(e, "to", hlc_time(json_object_get(e, "hlc_max"))) < 0 ||
			json_object_set_new(e, "problems", kinds ? json_incref(kinds) : json_array()) < 0)
		err = ruta_error__oom();
	free(key);
	return err;
}

/* The audit's list of every changeset (by replica, then seq) as one group
 * per replica. */
static int timeline(json_t **out, json_t *list, json_t *problems)
{
	json_t *index = kinds_by_place(problems), *group = NULL, *e;
	size_t i;
	int err = 0;
	if (!index || !(*out = json_array()))
		err = ruta_error__oom();
	json_array_foreach(list, i, e) {
		const char *who = str(e, "replica");
		if (err == 0 && (!group || strcmp(str(group, "replica"), who) != 0) &&
				(!(group = json_pack("{s:s, s:[]}", "replica", who, "changesets")) ||
				json_array_append_new(*out, group) < 0))
			err = ruta_error__oom();
		if (err == 0 && (err = entry(e, index)) == 0 &&
				json_array_append(json_object_get(group, "changesets"), e) < 0)
			err = ruta_error__oom();
	}
	json_decref(index);
	return err;
}

static int open_conflicts(json_t **out, ruta_replica *r)
{
	char *text = NULL;
	json_t *doc;
	int err;
	*out = NULL;
	if ((err = ruta_conflicts_json(&text, r, NULL)) < 0)
		return err;
	doc = json_loads(text, 0, NULL);
	free(text);
	*out = json_incref(json_object_get(doc, "conflicts"));
	json_decref(doc);
	return *out ? 0 : ruta_error__oom();
}

static int build(json_t **out, ruta_replica *r, const char *audit_json)
{
	json_t *audit = json_loads(audit_json, 0, NULL), *list, *tl = NULL, *open = NULL,
		*closed = NULL;
	int err;

	*out = NULL;
	if (!audit)
		return ruta_error__oom();
	/* the audit as `audit verify --json` gives it; its list becomes the timeline */
	list = json_incref(json_object_get(audit, "timeline"));
	json_object_del(audit, "timeline");
	if ((err = timeline(&tl, list, json_object_get(audit, "problems"))) == 0 &&
			(err = open_conflicts(&open, r)) == 0 &&
			(err = ruta_conflicts__closed_json(&closed, r)) == 0 &&
			!(*out = json_pack("{s:i, s:s, s:O, s:O, s:{s:O, s:O}}", "schema", 1, "replica",
			r->id, "audit", audit, "timeline", tl, "conflicts", "open", open, "resolved",
			closed)))
		err = ruta_error__oom();
	json_decref(list);
	json_decref(tl);
	json_decref(open);
	json_decref(closed);
	json_decref(audit);
	return err;
}

/* ---- the page -------------------------------------------------------------------- */

static const char style[] =
	"body{font:15px/1.45 system-ui,sans-serif;color:#1d2327;background:#fff;"
	"max-width:1200px;margin:1.5rem auto;padding:0 1rem}"
	"h1{font-size:1.6rem;margin:0 0 .6rem}"
	"h2{font-size:1.25rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}"
	"h3{font-size:1.05rem;margin:1.4rem 0 .4rem}"
	"table{border-collapse:collapse;margin:.4rem 0}"
	"th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}"
	"th{background:#f3f5f7;font-weight:600}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"code{font-family:ui-monospace,monospace;font-size:.88em;overflow-wrap:anywhere}"
	"td.t,code.hx{white-space:nowrap}"
	"ul{margin:0;padding-left:1.1rem}"
	".figures th{min-width:12rem}"
	".verdict{font-size:1.15rem;font-weight:700;padding:.6rem .9rem;border-radius:6px}"
	".ok{background:#e6f4ea;color:#14532d;border:1px solid #8fd19e}"
	".bad{background:#fdecea;color:#7f1d1d;border:1px solid #f5a3a3}"
	"tr.bad td{background:#fdecea;border-color:#f5a3a3}"
	".none,.muted{color:#57606a;font-style:italic}"
	"footer{margin:2.5rem 0 1rem;color:#57606a;font-size:.85rem}"
	"@media print{body{margin:0;max-width:none}}";

static void esc_n(ruta_buf *b, const char *s, size_t n)
{
	ruta_buf__html_n(b, s, n);
}

static void esc(ruta_buf *b, const char *s)
{
	ruta_buf__html(b, s);
}

/* A hash or commit shortened to 12 digits, the whole in its title. */
static void short_hex(ruta_buf *b, const char *s)
{
	ruta_buf__puts(b, "<code class=\"hx\" title=\"");
	esc(b, s);
	ruta_buf__puts(b, "\">");
	esc_n(b, s, 12);
	ruta_buf__puts(b, "</code>");
}

/* A field's value: text, a number, or (empty). */
static void value(ruta_buf *b, json_t *v)
{
	if (json_is_integer(v))
		ruta_buf__printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v) && json_string_length(v) > 0) {
		ruta_buf__puts(b, "<q>");
		esc(b, json_string_value(v));
		ruta_buf__puts(b, "</q>");
	} else
		ruta_buf__puts(b, "<span class=\"none\">(empty)</span>");
}

static void cell(ruta_buf *b, const char *s)
{
	ruta_buf__puts(b, "<td>");
	esc(b, s);
	ruta_buf__puts(b, "</td>");
}

/* A name or fingerprint in monospace, broken anywhere when long. */
static void cell_code(ruta_buf *b, const char *s)
{
	ruta_buf__puts(b, "<td><code>");
	esc(b, s);
	ruta_buf__puts(b, "</code></td>");
}

/* A time: kept on one line. */
static void cell_time(ruta_buf *b, const char *s)
{
	ruta_buf__puts(b, "<td class=\"t\">");
	esc(b, s);
	ruta_buf__puts(b, "</td>");
}

static void cell_num(ruta_buf *b, json_t *n)
{
	if (json_is_integer(n))
		ruta_buf__printf(b, "<td class=\"n\">%lld</td>", (long long)json_integer_value(n));
	else
		ruta_buf__puts(b, "<td></td>");
}

static void cell_hex(ruta_buf *b, const char *s)
{
	ruta_buf__puts(b, "<td>");
	if (*s)
		short_hex(b, s);
	ruta_buf__puts(b, "</td>");
}

static void header_row(ruta_buf *b, const char *const *names)
{
	ruta_buf__puts(b, "<table><thead><tr>");
	for (; *names; names++)
		ruta_buf__printf(b, "<th>%s</th>", *names);
	ruta_buf__puts(b, "</tr></thead><tbody>\n");
}

/* One figure of the summary, under an id a reader (or a test) can find. */
static void figure(ruta_buf *b, const char *id, const char *label, const char *text)
{
	ruta_buf__printf(b, "<tr><th>%s</th><td id=\"%s\">", label, id);
	esc(b, text);
	ruta_buf__puts(b, "</td></tr>\n");
}

static void figure_num(ruta_buf *b, const char *id, const char *label, json_int_t n)
{
	char text[24];
	snprintf(text, sizeof(text), "%lld", (long long)n);
	figure(b, id, label, text);
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void summary(ruta_buf *b, json_t *doc)
{
	json_t *audit = json_object_get(doc, "audit"), *c = json_object_get(doc, "conflicts");
	json_t *first = hlc_time(json_object_get(audit, "hlc_first"));
	json_t *last = hlc_time(json_object_get(audit, "hlc_last"));
	json_int_t problems = num(audit, "problems_count");

	ruta_buf__printf(b, "<p id=\"verdict\" class=\"verdict %s\">", problems ? "bad" : "ok");
	if (problems)
		ruta_buf__printf(b, "Verification failed: %lld problem%s found.</p>\n",
			(long long)problems, problems == 1 ? "" : "s");
	else
		ruta_buf__puts(b, "Verified: no problem found.</p>\n");
	ruta_buf__puts(b, "<section id=\"summary\"><h2>Summary</h2><table class=\"figures\">\n");
	figure(b, "hub", "Hub", str(audit, "hub"));
	figure(b, "replica", "Audited from replica", str(doc, "replica"));
	figure_num(b, "branches", "Branches", num(audit, "branches"));
	figure_num(b, "commits", "Commits", num(audit, "commits"));
	figure_num(b, "trust-version", "Trust file version", num(audit, "trust_version"));
	figure_num(b, "keys", "Keys endorsed", num(audit, "keys"));
	figure_num(b, "replicas", "Replicas", num(audit, "replicas"));
	figure_num(b, "changesets", "Changesets", num(audit, "changesets"));
	figure_num(b, "changes", "Field changes", num(audit, "changes"));
	figure(b, "hlc-first", "First change (UTC)", json_is_string(first) ? json_string_value(first) : "-");
	figure(b, "hlc-last", "Last change (UTC)", json_is_string(last) ? json_string_value(last) : "-");
	figure_num(b, "problems-count", "Problems", problems);
	figure_num(b, "conflicts-open", "Open conflicts", (json_int_t)json_array_size(json_object_get(c, "open")));
	figure_num(b, "conflicts-resolved", "Resolved conflicts",
		(json_int_t)json_array_size(json_object_get(c, "resolved")));
	figure(b, "result", "Verdict", problems ? "failed" : "verified");
	ruta_buf__puts(b, "</table></section>\n");
	json_decref(first);
	json_decref(last);
}

static void problems_html(ruta_buf *b, json_t *audit)
{
	static const char *const cols[] = { "Kind", "Branch", "Commit", "File", "Seq", "Message",
		NULL };
	json_t *list = json_object_get(audit, "problems"), *p;
	size_t i;

	ruta_buf__printf(b, "<section id=\"problems\"><h2>Problems (%zu)</h2>\n",
		json_array_size(list));
	if (json_array_size(list) == 0) {
		ruta_buf__puts(b, "<p class=\"none\">None found.</p></section>\n");
		return;
	}
	header_row(b, cols);
	json_array_foreach(list, i, p) {
		ruta_buf__puts(b, "<tr class=\"bad problem\">");
		cell(b, str(p, "kind"));
		cell(b, str(p, "branch"));
		cell_hex(b, str(p, "commit"));
		cell_code(b, str(p, "file"));
		cell_num(b, json_object_get(p, "seq"));
		cell(b, str(p, "message"));
		ruta_buf__puts(b, "</tr>\n");
	}
	ruta_buf__puts(b, "</tbody></table></section>\n");
}

/* What the audit found at one changeset: "ok", or its problems' kinds. */
static void status(ruta_buf *b, json_t *e)
{
	json_t *kinds = json_object_get(e, "problems"), *k;
	size_t i;
	if (json_array_size(kinds) == 0 && !json_is_true(json_object_get(e, "dropped"))) {
		ruta_buf__puts(b, "<td>ok</td>");
		return;
	}
	ruta_buf__puts(b, "<td>");
	json_array_foreach(kinds, i, k) {
		ruta_buf__puts(b, i ? ", " : "");
		esc(b, json_string_value(k));
	}
	if (json_is_true(json_object_get(e, "dropped")))
		ruta_buf__puts(b, i ? "; not in the chain" : "not in the chain");
	ruta_buf__puts(b, "</td>");
}

static void changeset_row(ruta_buf *b, json_t *e)
{
	int bad = json_array_size(json_object_get(e, "problems")) > 0 ||
		json_is_true(json_object_get(e, "dropped"));
	ruta_buf__printf(b, "<tr class=\"cs%s\">", bad ? " bad" : "");
	cell_num(b, json_object_get(e, "seq"));
	cell_hex(b, str(e, "hash"));
	cell_time(b, str(e, "from"));
	cell_time(b, str(e, "to"));
	cell_num(b, json_object_get(e, "changes"));
	cell_hex(b, str(e, "commit"));
	cell_code(b, str(e, "key"));
	status(b, e);
	ruta_buf__puts(b, "</tr>\n");
}

/* Where a replica's seqs jump: what the hub does not hold (a gap problem). */
static void missing_row(ruta_buf *b, json_int_t from, json_int_t to)
{
	ruta_buf__printf(b, "<tr class=\"missing bad\"><td class=\"n\">%lld", (long long)from);
	if (to > from)
		ruta_buf__printf(b, "&ndash;%lld", (long long)to);
	ruta_buf__puts(b, "</td><td colspan=\"7\">not on the hub</td></tr>\n");
}

static void timeline_html(ruta_buf *b, json_t *tl)
{
	static const char *const cols[] = { "Seq", "Hash", "From (UTC)", "To (UTC)", "Changes",
		"Commit", "Key", "Audit", NULL };
	json_t *g, *e;
	json_int_t prev;
	size_t i, j;

	ruta_buf__puts(b, "<section id=\"timeline\"><h2>Timeline per replica</h2>\n");
	if (json_array_size(tl) == 0)
		ruta_buf__puts(b, "<p class=\"none\">No changeset on the hub.</p>\n");
	json_array_foreach(tl, i, g) {
		json_t *list = json_object_get(g, "changesets");
		json_int_t changes = 0;
		json_array_foreach(list, j, e)
			changes += num(e, "changes");
		ruta_buf__puts(b, "<section class=\"replica\"><h3>");
		esc(b, str(g, "replica"));
		ruta_buf__printf(b, " <span class=\"muted\">%zu changeset%s, %lld change%s</span></h3>\n",
			json_array_size(list), json_array_size(list) == 1 ? "" : "s", (long long)changes,
			changes == 1 ? "" : "s");
		header_row(b, cols);
		prev = 0;
		json_array_foreach(list, j, e) {
			if (num(e, "seq") > prev + 1)
				missing_row(b, prev + 1, num(e, "seq") - 1);
			changeset_row(b, e);
			prev = num(e, "seq");
		}
		ruta_buf__puts(b, "</tbody></table></section>\n");
	}
	ruta_buf__puts(b, "</section>\n");
}

/* The competing values, each with who set it and when. */
static void heads_cell(ruta_buf *b, json_t *heads)
{
	json_t *h;
	size_t i;
	ruta_buf__puts(b, "<td><ul>");
	json_array_foreach(heads, i, h) {
		ruta_buf__puts(b, "<li>");
		value(b, json_object_get(h, "value"));
		ruta_buf__puts(b, " by ");
		esc(b, json_is_string(json_object_get(h, "replica")) ? str(h, "replica") :
			"(before this replica's history)");
		ruta_buf__puts(b, " at ");
		esc(b, str(h, "at"));
		ruta_buf__puts(b, "</li>");
	}
	ruta_buf__puts(b, "</ul></td>");
}

static void record_cells(ruta_buf *b, json_t *c)
{
	ruta_buf__puts(b, "<td>");
	esc(b, str(c, "type"));
	ruta_buf__puts(b, " <code>");
	esc(b, str(c, "record"));
	ruta_buf__puts(b, "</code></td>");
	cell(b, str(c, "field"));
}

/* A heading with the count, then the table's head; or "None." and 0. */
static int list_start(ruta_buf *b, const char *title, json_t *list, const char *const *cols)
{
	ruta_buf__printf(b, "<h3>%s (%zu)</h3>\n", title, json_array_size(list));
	if (json_array_size(list) == 0) {
		ruta_buf__puts(b, "<p class=\"none\">None.</p>\n");
		return 0;
	}
	header_row(b, cols);
	return 1;
}

static void open_html(ruta_buf *b, json_t *list)
{
	static const char *const cols[] = { "Record", "Field", "Policy", "Competing values",
		"Shown now", "Needs review", NULL };
	json_t *c;
	size_t i;

	if (!list_start(b, "Open", list, cols))
		return;
	json_array_foreach(list, i, c) {
		ruta_buf__puts(b, "<tr class=\"conflict-open\">");
		record_cells(b, c);
		cell(b, str(c, "policy"));
		heads_cell(b, json_object_get(c, "heads"));
		ruta_buf__puts(b, "<td>");
		value(b, json_object_get(c, "chosen"));
		ruta_buf__printf(b, "</td><td>%s</td></tr>\n",
			json_is_true(json_object_get(c, "review")) ? "yes" : "no");
	}
	ruta_buf__puts(b, "</tbody></table>\n");
}

static void resolved_html(ruta_buf *b, json_t *list)
{
	static const char *const cols[] = { "Record", "Field", "Competing values", "Chosen",
		"Resolved by", "When (UTC)", "Changeset", NULL };
	json_t *c;
	size_t i;

	if (!list_start(b, "Resolved", list, cols))
		return;
	json_array_foreach(list, i, c) {
		json_t *by = json_object_get(c, "resolved");
		ruta_buf__puts(b, "<tr class=\"conflict-resolved\">");
		record_cells(b, c);
		heads_cell(b, json_object_get(c, "heads"));
		ruta_buf__puts(b, "<td>");
		value(b, json_object_get(c, "chosen"));
		ruta_buf__puts(b, "</td><td class=\"resolver\">");
		esc(b, json_is_string(json_object_get(by, "replica")) ? str(by, "replica") : "(unknown)");
		ruta_buf__puts(b, "</td>");
		cell_time(b, str(by, "at"));
		if (json_is_string(json_object_get(by, "changeset")))
			cell_hex(b, str(by, "changeset"));
		else
			ruta_buf__puts(b, "<td class=\"none\">not sealed yet</td>");
		ruta_buf__puts(b, "</tr>\n");
	}
	ruta_buf__puts(b, "</tbody></table>\n");
}

static void tips_html(ruta_buf *b, json_t *tips)
{
	static const char *const cols[] = { "Branch", "Tip", NULL };
	const char *branch;
	json_t *tip;
	ruta_buf__puts(b, "<section id=\"tips\"><h2>Branches</h2>\n");
	header_row(b, cols);
	json_object_foreach(tips, branch, tip) {
		ruta_buf__puts(b, "<tr>");
		cell(b, branch);
		cell_code(b, json_string_value(tip));
		ruta_buf__puts(b, "</tr>\n");
	}
	ruta_buf__puts(b, "</tbody></table></section>\n");
}

static int html(char **out, json_t *doc)
{
	ruta_buf b = RUTA_BUF_INIT;
	json_t *audit = json_object_get(doc, "audit"), *c = json_object_get(doc, "conflicts");
	int err;

	ruta_buf__puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>ruta audit report: ");
	esc(&b, str(audit, "hub"));
	ruta_buf__printf(&b, "</title>\n<style>%s</style></head>\n<body>\n<h1>Audit report</h1>\n",
		style);
	summary(&b, doc);
	problems_html(&b, audit);
	timeline_html(&b, json_object_get(doc, "timeline"));
	ruta_buf__puts(&b, "<section id=\"conflicts\"><h2>Conflicts</h2>\n");
	open_html(&b, json_object_get(c, "open"));
	resolved_html(&b, json_object_get(c, "resolved"));
	ruta_buf__puts(&b, "</section>\n");
	tips_html(&b, json_object_get(audit, "tips"));
	ruta_buf__puts(&b, "<footer>Made by ruta " RUTA_VERSION " (ruta audit report), from the "
		"root key pinned at replica ");
	esc(&b, str(doc, "replica"));
	ruta_buf__puts(&b, ". Conflicts are those this replica holds. docs/audit.md &sect;12 and "
		"&sect;15 say what each check and figure means.</footer>\n</body></html>\n");
	if ((err = ruta_buf__check(&b)) < 0) {
		ruta_buf__dispose(&b);
		return err;
	}
	*out = ruta_buf__detach(&b);
	return 0;
}

/* ---- the whole ------------------------------------------------------------------- */

static int render(char **out, json_t *doc, int format)
{
	if (format == RUTA_REPORT_HTML)
		return html(out, doc);
	*out = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
	return *out ? 0 : ruta_error__oom();
}

int ruta_audit_report(char **out, ruta_replica *r, const ruta_audit_options *opts, int format)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	json_t *doc = NULL;
	char *failed = NULL;
	int verdict, err = 0;

	ruta_error__clear();
	*out = NULL;
	if (format != RUTA_REPORT_JSON && format != RUTA_REPORT_HTML)
		return ruta_error__set(RUTA_EINVALID, "an audit report is made as JSON or HTML, not "
			"as form %d", format);
	o.hub = opts ? opts->hub : NULL;
	o.timeline = 1;
	o.timeout = opts && opts->version >= 3 ? opts->timeout : 0;
	verdict = ruta_audit_verify(&res, r, &o);
	if (verdict < 0 && verdict != RUTA_EVERIFY) {
		ruta_audit_result_dispose(&res);
		return verdict;
	}
	/* the verdict's message outlives what the report reads next */
	if (verdict < 0 && !(failed = strdup(ruta_error_last()->message)))
		err = ruta_error__oom();
	if (err == 0 && (err = build(&doc, r, res.json)) == 0)
		err = render(out, doc, format);
	if (err == 0 && verdict < 0)
		err = ruta_error__set(RUTA_EVERIFY, "%s", failed);
	json_decref(doc);
	free(failed);
	ruta_audit_result_dispose(&res);
	return err;
}
