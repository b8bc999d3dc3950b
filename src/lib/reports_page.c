/*
 * reports_page.c - a sales report's document as a terminal table, CSV or one
 * self-contained HTML page with SVG charts.
 *
 * Invariants:
 *  - Every form comes from the same rows: one flat table per report (rows of
 *    text, money as an amount and its currency) plus a few lines of notes.
 *  - CSV is RFC 4180: a header, CRLF, fields quoted when they hold a comma,
 *    a quote or a line end.
 *  - The page loads nothing (its Content-Security-Policy says so), has no
 *    script, and escapes every text; charts are inline SVG.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "reports.h"

/* The keys of an object, sorted (new array of strings): figures keyed by
 * a reason or a stage come out in one order whatever order they were met. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *sorted_keys(json_t *o)
{
	size_t n = json_object_size(o), i = 0;
	const char **k = calloc(n + 1, sizeof(*k)), *key;
	json_t *v, *out = json_array();
	json_object_foreach(o, key, v)
		if (k)
			k[i++] = key;
	if (k)
		qsort(k, n, sizeof(*k), cmp_str);
	for (i = 0; k && out && i < n; i++)
		json_array_append_new(out, json_string(k[i]));
	free(k);
	return out;
}

/* ---- rows ------------------------------------------------------------------------ */

static const char *s_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void i_text(char out[24], json_t *o, const char *key)
{
	snprintf(out, 24, "%lld", (long long)json_integer_value(json_object_get(o, key)));
}

static int row(json_t *rows, int n, ...)
{
	json_t *r = json_array();
	va_list ap;
	int i;
	va_start(ap, n);
	for (i = 0; r && i < n; i++) {
		const char *s = va_arg(ap, const char *);
		json_array_append_new(r, json_string(s ? s : ""));
	}
	va_end(ap);
	return r && json_array_append_new(rows, r) == 0 ? 0 : ruta_error__oom();
}

/* one row per currency of a money list (one with no money if empty) */
static void money_rows(json_t *rows, json_t *list, int n, const char **cells, int at)
{
	size_t i;
	json_t *m;
	const char *c[10];
	int k;
	for (k = 0; k < n; k++)
		c[k] = cells[k];
	if (!json_array_size(list)) {
		c[at] = "";
		c[at + 1] = "";
		row(rows, n, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]);
		return;
	}
	json_array_foreach(list, i, m) {
		c[at] = s_of(m, "amount");
		c[at + 1] = s_of(m, "currency");
		row(rows, n, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]);
	}
}

/* The funnel's measures in the order a manager reads them: 'i' a count,
 * '%' a rate, 'm' money per currency, 's' the stages (entered, then reached). */
static const struct measure {
	const char *key, *label;
	char form;
} measures[] = {
	{ "new_prospects", NULL, 'i' }, { "prospects_converted", NULL, 'i' },
	{ "opportunities_created", NULL, 'i' }, { "accounts_with_new_opportunity", NULL, 'i' },
	{ "conversion_rate", "conversion_rate_pct", '%' },
	{ "entered", "entered %s", 's' }, { "reached", "created and reached %s", 's' },
	{ "won", NULL, 'i' }, { "won_value", NULL, 'm' }, { "lost", NULL, 'i' },
	{ "lost_value", NULL, 'm' }, { "win_rate", "win_rate_pct", '%' },
	{ "offers_sent", NULL, 'i' }, { "offers_sent_value", NULL, 'm' },
	{ "offers_decided", NULL, 'i' }, { "offers_accepted", NULL, 'i' },
	{ "acceptance_rate", "acceptance_rate_pct", '%' }, { "clients_won", NULL, 'i' },
};

static void funnel_rows(json_t *rows, json_t *w)
{
	const char *month = s_of(w, "month");
	char n[24], label[80];
	size_t i, k;
	json_t *s;

	for (k = 0; k < sizeof(measures) / sizeof(measures[0]); k++) {
		const struct measure *m = &measures[k];
		const char *name = m->label ? m->label : m->key;
		const char *c[10] = { month, name };
		if (m->form == 'i') {
			i_text(n, w, m->key);
			row(rows, 4, month, name, n, "");
		} else if (m->form == '%')
			row(rows, 4, month, name, s_of(w, m->key), "");
		else if (m->form == 'm')
			money_rows(rows, json_object_get(w, m->key), 4, c, 2);
		else
			json_array_foreach(json_object_get(w, "stages"), i, s) {
				snprintf(label, sizeof(label), m->label, s_of(s, "stage"));
				i_text(n, s, m->key);
				row(rows, 4, month, label, n, "");
			}
	}
}

static void group_rows(json_t *rows, const char *kind, const char *key, json_t *g)
{
	char n[24];
	const char *c[10] = { kind, key, n };
	size_t i;
	json_t *m;
	i_text(n, g, "count");
	if (!json_array_size(json_object_get(g, "open"))) {
		row(rows, 6, kind, key, n, "", "", "");
		return;
	}
	json_array_foreach(json_object_get(g, "open"), i, m) {
		json_t *w = json_array_get(json_object_get(g, "weighted"), i);
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(json_object_get(
			json_object_get(g, "count_by_currency"), s_of(m, "currency"))));
		c[3] = s_of(m, "amount");
		c[4] = s_of(w, "amount");
		c[5] = s_of(m, "currency");
		row(rows, 6, c[0], c[1], c[2], c[3], c[4], c[5]);
	}
}

static void account_rows(json_t *rows, json_t *list, const char *name)
{
	size_t i;
	json_t *a;
	char rank[24];
	json_array_foreach(list, i, a) {
		json_t *p = json_object_get(a, "purchases");
		snprintf(rank, sizeof(rank), "%zu", i + 1);
		if (name)
			row(rows, 8, name, rank, s_of(a, "id"), s_of(a, "name"), s_of(p, "amount"),
				s_of(json_object_get(a, "potential"), "amount"),
				s_of(json_object_get(a, "gap"), "amount"), s_of(p, "currency"));
		else
			row(rows, 9, s_of(a, "id"), s_of(a, "name"), s_of(a, "region"), s_of(a, "team"),
				s_of(p, "amount"), s_of(a, "abc_purchases"),
				s_of(json_object_get(a, "potential"), "amount"), s_of(a, "abc_potential"),
				s_of(p, "currency"));
	}
}

static void activity_rows(json_t *rows, json_t *g, const char *team)
{
	char p[24], h[24], nh[24], c[24], ratio[32];
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(g, "days"), i, d) {
		i_text(p, d, "planned");
		i_text(h, d, "held");
		ruta_report__ratio(ratio, sizeof(ratio), json_integer_value(json_object_get(d, "held")),
			json_integer_value(json_object_get(d, "planned")), 100);
		row(rows, 7, team, s_of(d, "date"), p, h, "", "", ratio);
	}
	i_text(p, g, "planned");
	i_text(h, g, "held");
	i_text(nh, g, "not_held");
	i_text(c, g, "cancelled");
	row(rows, 7, team, "all", p, h, nh, c, s_of(g, "held_ratio"));
}

/* The header and rows of the report's table, and its notes (new). */
static int table_of(json_t **head, json_t **rows, json_t **notes, json_t *doc)
{
	const char *kind = s_of(doc, "report");
	char line[512];
	size_t i;
	json_t *e, *v;
	const char *k;

	*rows = json_array();
	*notes = json_array();
	if (!*rows || !*notes)
		return ruta_error__oom();
	if (strcmp(kind, "funnel") == 0) {
		*head = json_pack("[ssss]", "month", "measure", "value", "currency");
		json_array_foreach(json_object_get(doc, "months"), i, e)
			funnel_rows(*rows, e);
		funnel_rows(*rows, json_object_get(doc, "total"));
	} else if (strcmp(kind, "lost") == 0) {
		*head = json_pack("[ssssss]", "reason", "stage_at_loss", "count", "share_pct", "value",
			"currency");
		json_array_foreach(json_object_get(doc, "reasons"), i, e) {
			char n[24];
			const char *c[10] = { s_of(e, "reason"), "all", n, s_of(e, "share") };
			i_text(n, e, "count");
			money_rows(*rows, json_object_get(e, "value"), 6, c, 4);
			json_t *keys = sorted_keys(json_object_get(e, "by_stage")), *key;
			size_t j;
			json_array_foreach(keys, j, key) {
				k = json_string_value(key);
				v = json_object_get(json_object_get(e, "by_stage"), k);
				snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(v));
				row(*rows, 6, s_of(e, "reason"), k, n, "", "", "");
			}
			json_decref(keys);
		}
		snprintf(line, sizeof(line), "%lld deals lost in the period",
			(long long)json_integer_value(json_object_get(doc, "count")));
		json_array_append_new(*notes, json_string(line));
	} else if (strcmp(kind, "pipeline") == 0) {
		*head = json_pack("[ssssss]", "group", "key", "count", "open", "weighted", "currency");
		json_array_foreach(json_object_get(doc, "by_month"), i, e)
			group_rows(*rows, "expected_close", s_of(e, "month"), e);
		json_array_foreach(json_object_get(doc, "by_stage"), i, e)
			group_rows(*rows, "stage", s_of(e, "stage"), e);
		json_array_foreach(json_object_get(doc, "by_team"), i, e)
			group_rows(*rows, "team", s_of(e, "team"), e);
		group_rows(*rows, "total", "all", json_object_get(doc, "total"));
		snprintf(line, sizeof(line), "open opportunities with no expected close date (in the "
			"stage, team and total rows, in no month): %lld",
			(long long)json_integer_value(json_object_get(doc, "undated")));
		json_array_append_new(*notes, json_string(line));
	} else if (strcmp(kind, "abc") == 0 || strcmp(kind, "top") == 0) {
		int abc = strcmp(kind, "abc") == 0;
		json_t *w = json_object_get(doc, "window");
		if (abc) {
			*head = json_pack("[sssssssss]", "account", "name", "region", "team", "purchases",
				"abc_purchases", "potential", "abc_potential", "currency");
			account_rows(*rows, json_object_get(doc, "accounts"), NULL);
		} else {
			*head = json_pack("[ssssssss]", "list", "rank", "account", "name", "purchases",
				"potential", "gap", "currency");
			account_rows(*rows, json_object_get(doc, "by_purchases"), "by_purchases");
			account_rows(*rows, json_object_get(doc, "by_gap"), "by_gap");
		}
		snprintf(line, sizeof(line), "in %s; purchases won from %.10s to before %.10s; "
			"%lld accounts ranked, %lld left out (in other currencies)", s_of(doc, "currency"),
			s_of(w, "from"), s_of(w, "to"),
			(long long)json_integer_value(json_object_get(doc, "accounts_ranked")),
			(long long)json_integer_value(json_object_get(doc, "left_out")));
		json_array_append_new(*notes, json_string(line));
		if (abc) {
			json_t *m = json_object_get(doc, "matrix"), *t = json_object_get(doc, "thresholds");
			snprintf(line, sizeof(line), "A below %lld%% of the total before the account, "
				"B below %lld%%, C the rest", (long long)json_integer_value(json_object_get(t, "a")),
				(long long)json_integer_value(json_object_get(t, "b")));
			json_array_append_new(*notes, json_string(line));
			json_array_append_new(*notes, json_string("purchases \\ potential   A   B   C"));
			json_t *keys = sorted_keys(m), *key;
			size_t j;
			json_array_foreach(keys, j, key) {
				k = json_string_value(key);
				v = json_object_get(m, k);
				snprintf(line, sizeof(line), "%-23s %3lld %3lld %3lld", k,
					(long long)json_integer_value(json_object_get(v, "A")),
					(long long)json_integer_value(json_object_get(v, "B")),
					(long long)json_integer_value(json_object_get(v, "C")));
				json_array_append_new(*notes, json_string(line));
			}
			json_decref(keys);
		}
	} else {
		json_t *t = json_object_get(doc, "total");
		*head = json_pack("[sssssss]", "team", "date", "planned", "held", "not_held",
			"cancelled", "held_pct");
		json_array_foreach(json_object_get(doc, "teams"), i, e)
			activity_rows(*rows, e, s_of(e, "team"));
		activity_rows(*rows, t, "all");
		json_array_foreach(json_object_get(doc, "teams"), i, e) {
			snprintf(line, sizeof(line), "team %s: %lld field days, %s planned and %s held a field day",
				s_of(e, "team"), (long long)json_integer_value(json_object_get(e, "field_days")),
				s_of(e, "planned_per_field_day"), s_of(e, "held_per_field_day"));
			json_array_append_new(*notes, json_string(line));
		}
		json_t *keys = sorted_keys(json_object_get(t, "reasons")), *key;
		json_array_foreach(keys, i, key) {
			k = json_string_value(key);
			v = json_object_get(json_object_get(t, "reasons"), k);
			snprintf(line, sizeof(line), "not held or cancelled, %s: %lld", k,
				(long long)json_integer_value(v));
			json_array_append_new(*notes, json_string(line));
		}
		json_decref(keys);
	}
	return *head ? 0 : ruta_error__oom();
}

/* ---- table and CSV ---------------------------------------------------------------- */

static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int numeric(const char *s)
{
	if (*s == '-')
		s++;
	return *s >= '0' && *s <= '9' && strspn(s, "0123456789.") == strlen(s);
}

static void table_text(ruta_buf *b, json_t *head, json_t *rows)
{
	size_t ncol = json_array_size(head), i, k, w[16] = { 0 };
	json_t *r;
	for (k = 0; k < ncol && k < 16; k++)
		w[k] = width(json_string_value(json_array_get(head, k)));
	json_array_foreach(rows, i, r)
		for (k = 0; k < ncol && k < 16; k++)
			if (width(json_string_value(json_array_get(r, k))) > w[k])
				w[k] = width(json_string_value(json_array_get(r, k)));
	for (i = 0; i <= json_array_size(rows); i++) {
		r = i == 0 ? head : json_array_get(rows, i - 1);
		for (k = 0; k < ncol && k < 16; k++) {
			const char *s = json_string_value(json_array_get(r, k));
			size_t pad = w[k] - width(s), j;
			int right = i > 0 && numeric(s);
			for (j = 0; right && j < pad; j++)
				ruta_buf__puts(b, " ");
			ruta_buf__puts(b, s);
			for (j = 0; !right && k + 1 < ncol && j < pad; j++)
				ruta_buf__puts(b, " ");
			if (k + 1 < ncol)
				ruta_buf__puts(b, "  ");
		}
		ruta_buf__puts(b, "\n");
	}
}

static void csv_field(ruta_buf *b, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		ruta_buf__puts(b, s);
		return;
	}
	ruta_buf__puts(b, "\"");
	for (; *s; s++)
		ruta_buf__put(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	ruta_buf__puts(b, "\"");
}

static void csv_text(ruta_buf *b, json_t *head, json_t *rows)
{
	size_t i, k;
	json_t *r;
	for (i = 0; i <= json_array_size(rows); i++) {
		r = i == 0 ? head : json_array_get(rows, i - 1);
		for (k = 0; k < json_array_size(r); k++) {
			if (k)
				ruta_buf__puts(b, ",");
			csv_field(b, json_string_value(json_array_get(r, k)));
		}
		ruta_buf__puts(b, "\r\n");
	}
}

static void scope_line(ruta_buf *b, json_t *doc, int html)
{
	json_t *p = json_object_get(doc, "period"), *f = json_object_get(doc, "filters");
	const char *team = json_string_value(json_object_get(f, "team"));
	const char *region = json_string_value(json_object_get(f, "region"));
	char text[400];
	snprintf(text, sizeof(text), "%s to %s (UTC)%s%s%s%s", s_of(p, "from"), s_of(p, "to"),
		team ? ", team " : ", every team", team ? team : "", region ? ", region " : "",
		region ? region : "");
	if (html)
		ruta_buf__html(b, text);
	else
		ruta_buf__puts(b, text);
}

/* ---- the page ------------------------------------------------------------------- */

static const char style[] =
	"body{font:15px/1.45 system-ui,sans-serif;color:#1d2327;background:#fff;"
	"max-width:1100px;margin:1.5rem auto;padding:0 1rem}"
	"h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin-top:1.8rem}"
	"table{border-collapse:collapse;margin:.4rem 0}"
	"th,td{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}"
	"th{background:#f3f5f7}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	".figures td{font-weight:700;text-align:right}"
	"svg text{font:13px system-ui,sans-serif;fill:#1d2327}"
	".muted{color:#57606a}footer{margin:2rem 0 1rem;color:#57606a;font-size:.85rem}";

static void figure(ruta_buf *b, const char *id, const char *label, const char *text)
{
	ruta_buf__printf(b, "<tr><th>%s</th><td id=\"%s\">", label, id);
	ruta_buf__html(b, text && *text ? text : "-");
	ruta_buf__puts(b, "</td></tr>\n");
}

static void figure_int(ruta_buf *b, const char *id, const char *label, json_t *o, const char *key)
{
	char n[24];
	i_text(n, o, key);
	figure(b, id, label, n);
}

static void figure_money(ruta_buf *b, const char *id, const char *label, json_t *list)
{
	ruta_buf t = RUTA_BUF_INIT;
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
		ruta_buf__printf(&t, "%s%s %s", i ? ", " : "", s_of(m, "amount"), s_of(m, "currency"));
	figure(b, id, label, t.ptr ? t.ptr : "");
	ruta_buf__dispose(&t);
}

/* Horizontal bars: one per label, its length the value against the largest,
 * and an optional second bar (weighted) drawn inside it. */
static void bars(ruta_buf *b, const char *id, const char *title, const char **labels,
	const double *v1, const double *v2, const char **texts, size_t n)
{
	double max = 0;
	size_t i;
	int h = 26, left = 170, span = 520;
	for (i = 0; i < n; i++)
		if (v1[i] > max)
			max = v1[i];
	ruta_buf__printf(b, "<svg id=\"%s\" role=\"img\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"><title>", id, left + span + 200,
		(int)n * h + 10, left + span + 200, (int)n * h + 10);
	ruta_buf__html(b, title);
	ruta_buf__puts(b, "</title>\n");
	for (i = 0; i < n; i++) {
		int w1 = max > 0 ? (int)(v1[i] / max * span + 0.5) : 0;
		int y = 5 + (int)i * h;
		ruta_buf__printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 17);
		ruta_buf__html(b, labels[i]);
		ruta_buf__printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"#9ec5fe\"/>", left, y + 2, w1, h - 6);
		if (v2) {
			int w2 = max > 0 ? (int)(v2[i] / max * span + 0.5) : 0;
			ruta_buf__printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				"fill=\"#0b5ed7\"/>", left, y + 6, w2, h - 14);
		}
		ruta_buf__printf(b, "<text x=\"%d\" y=\"%d\">", left + w1 + 6, y + 17);
		ruta_buf__html(b, texts[i]);
		ruta_buf__puts(b, "</text>\n");
	}
	ruta_buf__puts(b, "</svg>\n");
}

static void funnel_chart(ruta_buf *b, json_t *doc)
{
	json_t *t = json_object_get(doc, "total"), *stages = json_object_get(t, "stages"), *s;
	size_t n = json_array_size(stages), i;
	const char **labels = calloc(n + 1, sizeof(*labels)), **texts = calloc(n + 1, sizeof(*texts));
	double *v = calloc(n + 1, sizeof(*v));
	char (*num)[24] = calloc(n + 1, sizeof(*num));

	ruta_buf__puts(b, "<h2>Opportunities entering each stage in the period</h2>\n");
	if (labels && texts && v && num) {
		json_array_foreach(stages, i, s) {
			labels[i] = s_of(s, "label");
			i_text(num[i], s, "entered");
			texts[i] = num[i];
			v[i] = (double)json_integer_value(json_object_get(s, "entered"));
		}
		bars(b, "funnel-chart", "Opportunities entering each stage", labels, v, NULL, texts, n);
	}
	free(labels);
	free(texts);
	free(v);
	free(num);
	ruta_buf__puts(b, "<table class=\"figures\"><tbody>\n");
	figure_int(b, "new-prospects", "New prospects", t, "new_prospects");
	figure_int(b, "opportunities-created", "Opportunities created", t, "opportunities_created");
	figure_int(b, "prospects-converted", "New prospects with an opportunity", t, "prospects_converted");
	figure_int(b, "offers-sent", "Offers sent", t, "offers_sent");
	figure_money(b, "offers-sent-value", "Value of offers sent", json_object_get(t, "offers_sent_value"));
	figure_int(b, "won", "Deals won", t, "won");
	figure_money(b, "won-value", "Value won", json_object_get(t, "won_value"));
	figure_int(b, "lost", "Deals lost", t, "lost");
	figure_money(b, "lost-value", "Value lost", json_object_get(t, "lost_value"));
	figure(b, "win-rate", "Win rate (%)", s_of(t, "win_rate"));
	figure_int(b, "clients-won", "New clients (first deal won)", t, "clients_won");
	ruta_buf__puts(b, "</tbody></table>\n");
}

/* One chart per currency: open value by expected close month, weighted inside. */
static void pipeline_chart(ruta_buf *b, json_t *doc)
{
	json_t *months = json_object_get(doc, "by_month"), *total = json_object_get(doc, "total"), *cur;
	size_t n = json_array_size(months), i, k, j;

	ruta_buf__puts(b, "<table class=\"figures\"><tbody>\n");
	figure_int(b, "open-count", "Open opportunities", total, "count");
	figure_money(b, "open-value", "Open value", json_object_get(total, "open"));
	figure_money(b, "weighted-value", "Weighted by probability", json_object_get(total, "weighted"));
	ruta_buf__puts(b, "</tbody></table>\n");
	json_array_foreach(json_object_get(total, "open"), k, cur) {
		const char *code = s_of(cur, "currency");
		const char **labels = calloc(n + 1, sizeof(*labels)), **texts = calloc(n + 1, sizeof(*texts));
		double *v1 = calloc(n + 1, sizeof(*v1)), *v2 = calloc(n + 1, sizeof(*v2));
		char (*t)[80] = calloc(n + 1, sizeof(*t)), id[40];
		if (labels && texts && v1 && v2 && t) {
			for (i = 0; i < n; i++) {
				json_t *m = json_array_get(months, i), *o = NULL, *w = NULL, *e;
				json_array_foreach(json_object_get(m, "open"), j, e)
					if (strcmp(s_of(e, "currency"), code) == 0) {
						o = e;
						w = json_array_get(json_object_get(m, "weighted"), j);
					}
				labels[i] = s_of(m, "month");
				v1[i] = (double)json_integer_value(json_object_get(o, "minor"));
				v2[i] = (double)json_integer_value(json_object_get(w, "minor"));
				snprintf(t[i], sizeof(t[i]), "%s / %s %s", o ? s_of(o, "amount") : "0",
					w ? s_of(w, "amount") : "0", code);
				texts[i] = t[i];
			}
			ruta_buf__puts(b, "<h2>Open value (light) and weighted value (dark) by expected "
				"close month, ");
			ruta_buf__html(b, code);
			ruta_buf__puts(b, "</h2>\n");
			snprintf(id, sizeof(id), "pipeline-chart-%s", code);
			for (j = 0; id[j]; j++)
				if (!((id[j] >= 'a' && id[j] <= 'z') || (id[j] >= 'A' && id[j] <= 'Z') || id[j] == '-'))
					id[j] = '_';
			bars(b, id, "Open and weighted value by month", labels, v1, v2, texts, n);
		}
		free(labels);
		free(texts);
		free(v1);
		free(v2);
		free(t);
	}
}

static void html_table(ruta_buf *b, json_t *head, json_t *rows)
{
	size_t i, k;
	json_t *r;
	ruta_buf__puts(b, "<table id=\"rows\"><thead><tr>");
	json_array_foreach(head, k, r) {
		ruta_buf__puts(b, "<th>");
		ruta_buf__html(b, json_string_value(r));
		ruta_buf__puts(b, "</th>");
	}
	ruta_buf__puts(b, "</tr></thead><tbody>\n");
	json_array_foreach(rows, i, r) {
		ruta_buf__puts(b, "<tr>");
		/* a row shorter than the head (a count has no currency) is padded */
		for (k = 0; k < json_array_size(head) || k < json_array_size(r); k++) {
			const char *s = json_string_value(json_array_get(r, k));
			ruta_buf__puts(b, s && numeric(s) ? "<td class=\"n\">" : "<td>");
			ruta_buf__html(b, s ? s : "");
			ruta_buf__puts(b, "</td>");
		}
		ruta_buf__puts(b, "</tr>\n");
	}
	ruta_buf__puts(b, "</tbody></table>\n");
}

static void html_page(ruta_buf *b, json_t *doc, const char *title, json_t *head, json_t *rows,
	json_t *notes)
{
	const char *kind = s_of(doc, "report");
	size_t i;
	json_t *n;
	ruta_buf__puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	ruta_buf__html(b, title);
	ruta_buf__printf(b, "</title>\n<style>%s</style></head>\n<body>\n<h1>", style);
	ruta_buf__html(b, title);
	ruta_buf__puts(b, "</h1>\n<p id=\"scope\" class=\"muted\">");
	scope_line(b, doc, 1);
	ruta_buf__puts(b, "</p>\n");
	if (strcmp(kind, "funnel") == 0)
		funnel_chart(b, doc);
	else if (strcmp(kind, "pipeline") == 0)
		pipeline_chart(b, doc);
	json_array_foreach(notes, i, n) {
		ruta_buf__puts(b, "<p class=\"note\">");
		ruta_buf__html(b, json_string_value(n));
		ruta_buf__puts(b, "</p>\n");
	}
	ruta_buf__puts(b, "<h2>Figures</h2>\n");
	html_table(b, head, rows);
	ruta_buf__puts(b, "<footer>Made by ruta " RUTA_VERSION " (ruta report); docs/reports.md "
		"defines every figure. Money is never added across currencies.</footer>\n</body></html>\n");
}

int ruta_report__render(char **out, json_t *doc, int format, const char *title)
{
	ruta_buf b = RUTA_BUF_INIT;
	json_t *head = NULL, *rows = NULL, *notes = NULL, *n;
	size_t i;
	int err;

	if (format == RUTA_REPORT_JSON) {
		*out = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
		return *out ? 0 : ruta_error__oom();
	}
	if ((err = table_of(&head, &rows, &notes, doc)) < 0)
		goto done;
	if (format == RUTA_REPORT_CSV)
		csv_text(&b, head, rows);
	else if (format == RUTA_REPORT_HTML)
		html_page(&b, doc, title, head, rows, notes);
	else {
		ruta_buf__printf(&b, "%s, ", title);
		scope_line(&b, doc, 0);
		ruta_buf__puts(&b, "\n\n");
		table_text(&b, head, rows);
		if (json_array_size(notes))
			ruta_buf__puts(&b, "\n");
		json_array_foreach(notes, i, n)
			ruta_buf__printf(&b, "%s\n", json_string_value(n));
	}
	if ((err = ruta_buf__check(&b)) == 0)
		*out = ruta_buf__detach(&b);
done:
	ruta_buf__dispose(&b);
	json_decref(head);
	json_decref(rows);
	json_decref(notes);
	return err;
}
