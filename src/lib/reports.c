/*
 * reports.c - the sales reports a manager reads: funnel, lost reasons,
 * pipeline, ABC, top accounts, activity; as JSON, a table, CSV or one HTML page.
 *
 * Invariants (docs/reports.md defines every figure):
 *  - One JSON document per report is the source: the table, the CSV and the
 *    page are made from it, never from the database again.
 *  - Money is integer minor units with its currency, never added across
 *    currencies: every money figure is a list keyed by currency.
 *  - No clock but the default period, and no locale: the same rows and
 *    options give the same bytes. Periods are whole UTC months.
 *  - The page loads nothing: inline CSS and SVG, no script, no URL; every
 *    text a person chose is escaped (ruta_buf__html).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "normalize.h"
#include "reports.h"

/* ---- periods ------------------------------------------------------------------- */

static int parse_ym(int *out, const char *s, size_t n)
{
	int y, m;
	char c, t[8];
	if (n != 7)
		return -1;
	memcpy(t, s, 7);
	t[7] = '\0';
	if (sscanf(t, "%4d-%2d%c", &y, &m, &c) != 2 || t[4] != '-' || t[0] < '1' || t[0] > '9' ||
			t[5] < '0' || t[5] > '1' || y < 1970 || y > 9998 || m < 1 || m > 12)
		return -1;
	*out = y * 12 + m - 1;
	return 0;
}

int ruta_report__period(int *from, int *to, const char *spec, long long now)
{
	size_t n = spec ? strlen(spec) : 0;
	const char *dots = spec ? strstr(spec, "..") : NULL;
	int y, q;
	char c;

	if (n == 0) {
		time_t t = (time_t)now;
		struct tm tm;
		gmtime_r(&t, &tm);
		*from = (tm.tm_year + 1900) * 12 + tm.tm_mon;
		*to = *from + 1;
		return 0;
	}
	if (dots) {
		if (parse_ym(from, spec, (size_t)(dots - spec)) < 0 ||
				parse_ym(to, dots + 2, strlen(dots + 2)) < 0 || *to < *from)
			return -1;
		*to += 1;
		return 0;
	}
	if (parse_ym(from, spec, n) == 0) {
		*to = *from + 1;
		return 0;
	}
	if (n == 7 && sscanf(spec, "%4d-Q%1d%c", &y, &q, &c) == 2 && spec[4] == '-' &&
			y >= 1970 && y <= 9998 && q >= 1 && q <= 4) {
		*from = y * 12 + (q - 1) * 3;
		*to = *from + 3;
		return 0;
	}
	if (n == 4 && sscanf(spec, "%4d%c", &y, &c) == 1 && y >= 1970 && y <= 9998 &&
			spec[0] >= '1' && spec[0] <= '9') {
		*from = y * 12;
		*to = *from + 12;
		return 0;
	}
	return -1;
}

static void month_text(char out[8], int ym)
{
	unsigned u = (unsigned)ym;
	snprintf(out, 8, "%04u-%02u", u / 12 % 10000, u % 12 + 1);
}

static void month_start(char out[21], int ym)
{
	unsigned u = (unsigned)ym;
	snprintf(out, 21, "%04u-%02u-01T00:00:00Z", u / 12 % 10000, u % 12 + 1);
}

void ruta_report__pareto(char *classes, const int64_t *values, size_t n, int a, int b)
{
	int64_t total = 0, before = 0;
	size_t i;
	for (i = 0; i < n; i++)
		total += values[i] > 0 ? values[i] : 0;
	for (i = 0; i < n; i++) {
		/* the share before adding the account: the one that crosses A's
		 * bound is still an A (crm-domain §3.4); nothing bought is a C */
		if (values[i] <= 0 || total == 0)
			classes[i] = 'C';
		else if ((double)before * 100.0 < (double)a * (double)total)
			classes[i] = 'A';
		else if ((double)before * 100.0 < (double)b * (double)total)
			classes[i] = 'B';
		else
			classes[i] = 'C';
		before += values[i] > 0 ? values[i] : 0;
	}
}

void ruta_report__ratio(char *out, size_t size, int64_t num, int64_t den, int scale)
{
	int64_t tenths;
	if (den <= 0) {
		snprintf(out, size, "%s", "");
		return;
	}
	tenths = (num * scale * 10 * 2 + den) / (2 * den);   /* half up */
	snprintf(out, size, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
}

/* ---- the queries --------------------------------------------------------------- */

/* Every query binds ?1 the period's start and ?2 its end (ISO times), ?3
 * the team and ?4 the region (NULL: all); ?5 and ?6 are the query's own. */
#define OPP_SCOPE " o.deleted_at IS NULL AND (?3 IS NULL OR o.team = ?3)" \
	" AND (?4 IS NULL OR a.region = ?4)"
#define ACC_SCOPE " a.deleted_at IS NULL AND a.merged_into IS NULL" \
	" AND (?3 IS NULL OR a.team = ?3) AND (?4 IS NULL OR a.region = ?4)"
#define IN_P(x) " " x " >= ?1 AND " x " < ?2"

/* When an account first reached prospect or later, from its lifecycle
 * history (migration 9). Made before it: no history at all counts from
 * created_at if the lifecycle is not lead (the rule before migration 9);
 * a history whose first row starts from prospect or later was that since
 * created_at. */
#define PROSPECT_OR_LATER "('prospect','potential','client')"
#define FIRST_PROSPECT_AT "CASE WHEN NOT EXISTS (SELECT 1 FROM account_lifecycle_history h" \
	" WHERE h.account_id = a.id) THEN CASE WHEN a.lifecycle <> 'lead' THEN a.created_at END" \
	" WHEN (SELECT h.from_lifecycle FROM account_lifecycle_history h WHERE h.account_id = a.id" \
	" ORDER BY h.at, h.id LIMIT 1) IN " PROSPECT_OR_LATER " THEN a.created_at" \
	" ELSE (SELECT min(h.at) FROM account_lifecycle_history h WHERE h.account_id = a.id" \
	" AND h.to_lifecycle IN " PROSPECT_OR_LATER ") END"
/* New prospects, and of them how many have an opportunity by now (the
 * cohort conversion) */
static const char prospects_sql[] = "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM"
	" opportunity o WHERE o.account_id = x.id AND o.deleted_at IS NULL)), 0)"
	" FROM (SELECT a.id, " FIRST_PROSPECT_AT " AS first_at FROM account a WHERE" ACC_SCOPE ") x"
	" WHERE" IN_P("x.first_at");
static const char created_sql[] = "SELECT count(*), count(DISTINCT o.account_id)"
	" FROM opportunity o JOIN account a ON a.id = o.account_id WHERE" OPP_SCOPE
	" AND" IN_P("o.created_at");
/* Entered: opportunities whose history enters the stage in P. Reached:
 * of those created in P, how many got to the stage or a later open or won
 * one by now (a lost stage counts only itself). */
static const char stages_sql[] = "SELECT s.id, s.label,"
	" (SELECT count(DISTINCT h.opportunity_id) FROM opportunity_stage_history h"
	"  JOIN opportunity o ON o.id = h.opportunity_id JOIN account a ON a.id = o.account_id"
	"  WHERE h.to_stage = s.id AND" IN_P("h.at") " AND" OPP_SCOPE "),"
	" (SELECT count(*) FROM opportunity o JOIN account a ON a.id = o.account_id WHERE" OPP_SCOPE
	"  AND" IN_P("o.created_at") " AND EXISTS (SELECT 1 FROM opportunity_stage_history h"
	"  JOIN stage t ON t.id = h.to_stage WHERE h.opportunity_id = o.id AND"
	"  CASE WHEN s.is_closed AND NOT s.is_won THEN t.id = s.id"
	"  ELSE t.seq >= s.seq AND NOT (t.is_closed AND NOT t.is_won) END))"
	" FROM stage s WHERE s.deleted_at IS NULL ORDER BY s.seq, s.id";
static const char closed_sql[] = "SELECT s.is_won, coalesce(o.currency, ''), count(*),"
	" coalesce(sum(o.amount_minor), 0) FROM opportunity o JOIN stage s ON s.id = o.stage"
	" JOIN account a ON a.id = o.account_id WHERE s.is_closed AND" OPP_SCOPE
	" AND" IN_P("o.closed_at") " GROUP BY 1, 2 ORDER BY 1, 2";
static const char offers_sent_sql[] = "SELECT coalesce(f.currency, ''), count(*),"
	" coalesce(sum(f.total_minor), 0) FROM offer f JOIN opportunity o ON o.id = f.opportunity_id"
	" JOIN account a ON a.id = o.account_id WHERE f.deleted_at IS NULL AND" OPP_SCOPE
	" AND" IN_P("f.sent_at") " GROUP BY 1 ORDER BY 1";
static const char offers_decided_sql[] = "SELECT count(*), coalesce(sum(f.status = 'accepted'), 0)"
	" FROM offer f JOIN opportunity o ON o.id = f.opportunity_id JOIN account a ON a.id = o.account_id"
	" WHERE f.deleted_at IS NULL AND f.status IN ('accepted','rejected','expired') AND" OPP_SCOPE
	" AND" IN_P("f.decided_at");
static const char clients_sql[] = "SELECT count(*) FROM account a WHERE" ACC_SCOPE
	" AND (SELECT min(o.closed_at) FROM opportunity o JOIN stage s ON s.id = o.stage"
	" WHERE o.account_id = a.id AND o.deleted_at IS NULL AND s.is_won) >= ?1"
	" AND (SELECT min(o.closed_at) FROM opportunity o JOIN stage s ON s.id = o.stage"
	" WHERE o.account_id = a.id AND o.deleted_at IS NULL AND s.is_won) < ?2";
static const char lost_sql[] = "SELECT coalesce(o.lost_reason, ''),"
	" coalesce((SELECT h.from_stage FROM opportunity_stage_history h WHERE h.opportunity_id = o.id"
	" AND h.to_stage = o.stage ORDER BY h.at DESC, h.id DESC LIMIT 1), ''),"
	" coalesce(o.currency, ''), count(*), coalesce(sum(o.amount_minor), 0)"
	" FROM opportunity o JOIN stage s ON s.id = o.stage JOIN account a ON a.id = o.account_id"
	" WHERE s.is_closed AND NOT s.is_won AND" OPP_SCOPE " AND" IN_P("o.closed_at")
	" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
static const char open_stages_sql[] = "SELECT s.id FROM stage s WHERE s.deleted_at IS NULL"
	" AND NOT s.is_closed ORDER BY s.seq, s.id";
static const char pipeline_sql[] = "SELECT coalesce(substr(o.expected_close, 1, 7), ''), o.stage,"
	" s.seq, coalesce(o.team, ''), coalesce(o.currency, ''), coalesce(o.amount_minor, 0),"
	" coalesce(o.probability, s.probability, 0) FROM opportunity o JOIN stage s ON s.id = o.stage"
	" JOIN account a ON a.id = o.account_id WHERE NOT s.is_closed AND" OPP_SCOPE
	" AND (o.expected_close IS NULL OR (o.expected_close >= substr(?1, 1, 10)"
	" AND o.expected_close < substr(?2, 1, 10))) ORDER BY o.id";
/* ?5 the currency ranked, ?6 the start of the 12 months before P's end */
static const char abc_sql[] = "SELECT a.id, a.name, coalesce(a.region, ''), coalesce(a.team, ''),"
	" coalesce(a.currency, ''), coalesce(a.potential_minor, 0),"
	" (SELECT coalesce(sum(o.amount_minor), 0) FROM opportunity o JOIN stage s ON s.id = o.stage"
	"  WHERE o.account_id = a.id AND o.deleted_at IS NULL AND s.is_won AND o.currency = ?5"
	"  AND o.closed_at >= ?6 AND o.closed_at < ?2),"
	" EXISTS (SELECT 1 FROM opportunity o JOIN stage s ON s.id = o.stage WHERE o.account_id = a.id"
	"  AND o.deleted_at IS NULL AND s.is_won AND o.currency <> ?5 AND o.closed_at >= ?6"
	"  AND o.closed_at < ?2)"
	" FROM account a WHERE" ACC_SCOPE " ORDER BY a.id";
static const char currency_sql[] = "SELECT c FROM (SELECT a.currency AS c FROM account a WHERE"
	ACC_SCOPE " AND a.currency IS NOT NULL UNION ALL SELECT o.currency FROM opportunity o"
	" JOIN account a ON a.id = o.account_id WHERE" OPP_SCOPE " AND o.currency IS NOT NULL)"
	" GROUP BY c ORDER BY count(*) DESC, c LIMIT 1";
static const char activity_sql[] = "SELECT coalesce(v.team, ''), v.status,"
	" coalesce(v.not_held_reason, ''), substr(v.planned_start, 1, 10),"
	" v.location IS NOT NULL AND lower(trim(v.location)) <> 'office'"
	" FROM activity v LEFT JOIN account a ON a.id = v.account_id WHERE v.deleted_at IS NULL"
	" AND v.kind IN ('meeting','visit') AND" IN_P("v.planned_start")
	" AND (?3 IS NULL OR v.team = ?3) AND (?4 IS NULL OR a.region = ?4)"
	" ORDER BY 1, 4, v.id";

typedef struct ctx {
	ruta_replica *r;
	const ruta_report_options *o;
	int from, to;                 /* months, [from, to) */
	char start[21], end[21];      /* the current window */
	const char *p5, *p6;
} ctx;

/* Runs one of the statements above: every row as an array of integers and
 * strings, appended to *rows (new). */
static int query(json_t **rows, ctx *c, const char *sql)
{
	sqlite3_stmt *st;
	int rc, i, err;

	*rows = json_array();
	if (!*rows)
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, c->r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, c->start, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->end, -1, SQLITE_TRANSIENT);
	if (c->o->team)
		sqlite3_bind_text(st, 3, c->o->team, -1, SQLITE_TRANSIENT);
	if (c->o->region)
		sqlite3_bind_text(st, 4, c->o->region, -1, SQLITE_TRANSIENT);
	if (c->p5 && sqlite3_bind_parameter_count(st) >= 5)
		sqlite3_bind_text(st, 5, c->p5, -1, SQLITE_TRANSIENT);
	if (c->p6 && sqlite3_bind_parameter_count(st) >= 6)
		sqlite3_bind_text(st, 6, c->p6, -1, SQLITE_TRANSIENT);
	while ((rc = ruta_db__step(c->r, st)) == SQLITE_ROW) {
		json_t *row = json_array();
		for (i = 0; row && i < sqlite3_column_count(st); i++) {
			json_t *v = sqlite3_column_type(st, i) == SQLITE_INTEGER ?
				json_integer(sqlite3_column_int64(st, i)) :
				sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() :
				json_string((const char *)sqlite3_column_text(st, i));
			if (!v || json_array_append_new(row, v) < 0) {
				json_decref(row);
				row = NULL;
			}
		}
		if (!row || json_array_append_new(*rows, row) < 0) {
			sqlite3_reset(st);
			return ruta_error__oom();
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc < 0 ? rc : 0;
}

static json_int_t ival(json_t *row, size_t i)
{
	return json_integer_value(json_array_get(row, i));
}

static const char *sval(json_t *row, size_t i)
{
	const char *s = json_string_value(json_array_get(row, i));
	return s ? s : "";
}

/* A money figure: {"currency", "minor", "amount"} ("amount" the decimal text). */
static json_t *money(const char *cur, json_int_t minor)
{
	char text[48];
	int exp = 2;
	if (!*cur || ruta_norm__currency(&exp, cur) < 0)
		exp = 2;
	ruta_norm__money_format(text, sizeof(text), minor, exp);
	return json_pack("{s:s, s:I, s:s}", "currency", cur, "minor", minor, "amount", text);
}

/* Adds `minor` to the figure of `cur` in the list (kept sorted by currency). */
static int money_add(json_t *list, const char *cur, json_int_t minor)
{
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m) {
		int c = strcmp(json_string_value(json_object_get(m, "currency")), cur);
		if (c == 0) {
			json_t *nm = money(cur, json_integer_value(json_object_get(m, "minor")) + minor);
			return nm && json_array_set_new(list, i, nm) == 0 ? 0 : ruta_error__oom();
		}
		if (c > 0)
			break;
	}
	m = money(cur, minor);
	return m && json_array_insert_new(list, i, m) == 0 ? 0 : ruta_error__oom();
}

static json_t *pct(json_int_t num, json_int_t den)
{
	char text[32];
	if (den <= 0)
		return json_null();
	ruta_report__ratio(text, sizeof(text), num, den, 100);
	return json_string(text);
}

static json_t *avg(json_int_t num, json_int_t den)
{
	char text[32];
	if (den <= 0)
		return json_null();
	ruta_report__ratio(text, sizeof(text), num, den, 1);
	return json_string(text);
}

static void window(ctx *c, int from, int to)
{
	month_start(c->start, from);
	month_start(c->end, to);
}

/* ---- funnel -------------------------------------------------------------------- */

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Runs a query of one row and sets its columns, integers, on `o` under `keys`. */
static int first_row(json_t *o, ctx *c, const char *sql, const char *const *keys)
{
	json_t *rows = NULL;
	size_t i;
	int err = query(&rows, c, sql);
	for (i = 0; err == 0 && keys[i]; i++)
		if (json_object_set_new(o, keys[i], json_integer(ival(json_array_get(rows, 0), i))) < 0)
			err = ruta_error__oom();
	json_decref(rows);
	return err;
}

static const char *const prospect_keys[] = { "new_prospects", "prospects_converted", NULL };
static const char *const created_keys[] = { "opportunities_created",
	"accounts_with_new_opportunity", NULL };
static const char *const decided_keys[] = { "offers_decided", "offers_accepted", NULL };
static const char *const clients_keys[] = { "clients_won", NULL };

static int funnel_window(json_t **out, ctx *c, const char *label)
{
	json_t *o = NULL, *rows = NULL, *row, *stages = NULL, *won_v, *lost_v, *sent_v;
	json_int_t won = 0, lost = 0, sent = 0;
	size_t i;
	int err;

	if (!(o = json_pack("{s:s, s:[], s:[], s:[], s:[]}", "month", label, "stages",
			"won_value", "lost_value", "offers_sent_value")))
		return ruta_error__oom();
	stages = json_object_get(o, "stages");
	won_v = json_object_get(o, "won_value");
	lost_v = json_object_get(o, "lost_value");
	sent_v = json_object_get(o, "offers_sent_value");
	if ((err = first_row(o, c, prospects_sql, prospect_keys)) < 0 ||
			(err = first_row(o, c, created_sql, created_keys)) < 0)
		goto done;
	json_object_set_new(o, "conversion_rate", pct(num(o, "prospects_converted"),
		num(o, "new_prospects")));
	if ((err = query(&rows, c, stages_sql)) < 0)
		goto done;
	json_array_foreach(rows, i, row)
		if (json_array_append_new(stages, json_pack("{s:s, s:s, s:I, s:I}", "stage",
				sval(row, 0), "label", sval(row, 1), "entered", ival(row, 2), "reached",
				ival(row, 3))) < 0)
			err = ruta_error__oom();
	json_decref(rows);
	if (err < 0 || (err = query(&rows, c, closed_sql)) < 0)
		goto done;
	json_array_foreach(rows, i, row) {
		int is_won = ival(row, 0) != 0;
		*(is_won ? &won : &lost) += ival(row, 2);
		if (*sval(row, 1) && (err = money_add(is_won ? won_v : lost_v, sval(row, 1),
				ival(row, 3))) < 0)
			break;
	}
	json_decref(rows);
	json_object_set_new(o, "won", json_integer(won));
	json_object_set_new(o, "lost", json_integer(lost));
	json_object_set_new(o, "win_rate", pct(won, won + lost));
	if (err < 0 || (err = query(&rows, c, offers_sent_sql)) < 0)
		goto done;
	json_array_foreach(rows, i, row) {
		sent += ival(row, 1);
		if (*sval(row, 0) && (err = money_add(sent_v, sval(row, 0), ival(row, 2))) < 0)
			break;
	}
	json_decref(rows);
	json_object_set_new(o, "offers_sent", json_integer(sent));
	rows = NULL;
	if (err < 0 || (err = first_row(o, c, offers_decided_sql, decided_keys)) < 0 ||
			(err = first_row(o, c, clients_sql, clients_keys)) < 0)
		goto done;
	json_object_set_new(o, "acceptance_rate", pct(num(o, "offers_accepted"),
		num(o, "offers_decided")));
	rows = NULL;
done:
	json_decref(rows);
	if (err < 0)
		json_decref(o);
	else
		*out = o;
	return err;
}

static int funnel(json_t *doc, ctx *c)
{
	json_t *months = json_array(), *w = NULL;
	int m, err = 0;
	char label[8];

	if (!months || json_object_set_new(doc, "months", months) < 0)
		return ruta_error__oom();
	for (m = c->from; m < c->to && err == 0; m++) {
		window(c, m, m + 1);
		month_text(label, m);
		if ((err = funnel_window(&w, c, label)) == 0 && json_array_append_new(months, w) < 0)
			err = ruta_error__oom();
	}
	window(c, c->from, c->to);
	if (err == 0 && (err = funnel_window(&w, c, "total")) == 0 &&
			json_object_set_new(doc, "total", w) < 0)
		err = ruta_error__oom();
	return err;
}

/* ---- lost ---------------------------------------------------------------------- */

static json_t *find_by(json_t *list, const char *key, const char *value)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
		if (strcmp(json_string_value(json_object_get(e, key)), value) == 0)
			return e;
	return NULL;
}

static int count_add(json_t *o, const char *key, json_int_t n)
{
	return json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + n));
}

static int lost(json_t *doc, ctx *c)
{
	json_t *rows = NULL, *row, *reasons = json_array(), *value = json_array(), *r;
	json_int_t total = 0;
	size_t i, k;
	int err;

	if (!reasons || !value || json_object_set_new(doc, "reasons", reasons) < 0 ||
			json_object_set_new(doc, "value", value) < 0)
		return ruta_error__oom();
	window(c, c->from, c->to);
	if ((err = query(&rows, c, lost_sql)) < 0)
		return err;
	json_array_foreach(rows, i, row) {
		const char *reason = sval(row, 0);
		if (!(r = find_by(reasons, "reason", reason))) {
			r = json_pack("{s:s, s:I, s:{}, s:[]}", "reason", reason, "count", (json_int_t)0,
				"by_stage", "value");
			if (!r || json_array_append_new(reasons, r) < 0) {
				err = ruta_error__oom();
				break;
			}
		}
		total += ival(row, 3);
		count_add(r, "count", ival(row, 3));
		count_add(json_object_get(r, "by_stage"), *sval(row, 1) ? sval(row, 1) : "(none)",
			ival(row, 3));
		if (*sval(row, 2) && ((err = money_add(json_object_get(r, "value"), sval(row, 2),
				ival(row, 4))) < 0 || (err = money_add(value, sval(row, 2), ival(row, 4))) < 0))
			break;
	}
	json_decref(rows);
	json_object_set_new(doc, "count", json_integer(total));
	/* shares: of the count, and of the value in each currency */
	json_array_foreach(reasons, i, r) {
		json_t *m, *shares = json_object();
		json_object_set_new(r, "share", pct(json_integer_value(json_object_get(r, "count")), total));
		json_array_foreach(json_object_get(r, "value"), k, m) {
			const char *cur = json_string_value(json_object_get(m, "currency"));
			json_t *all = find_by(value, "currency", cur);
			json_object_set_new(shares, cur, pct(json_integer_value(json_object_get(m, "minor")),
				json_integer_value(json_object_get(all, "minor"))));
		}
		json_object_set_new(r, "value_share", shares);
	}
	return err;
}

/* ---- pipeline ------------------------------------------------------------------ */

/* The group of `key` in `list`, made with zero figures when new. */
static json_t *group(json_t *list, const char *name, const char *key)
{
	json_t *g = find_by(list, name, key);
	if (!g && (g = json_pack("{s:s, s:I, s:{}, s:[], s:[], s:{}}", name, key, "count",
			(json_int_t)0, "count_by_currency", "open", "weighted", "raw")) &&
			json_array_append_new(list, g) < 0)
		g = NULL;
	return g;
}

static int group_add(json_t *g, const char *cur, json_int_t amount, json_int_t prob)
{
	json_t *raw = json_object_get(g, "raw");
	count_add(g, "count", 1);
	if (!*cur)
		return 0;
	/* weighted = Σ amount × probability / 100, rounded once at the end */
	count_add(raw, cur, amount * prob);
	count_add(json_object_get(g, "count_by_currency"), cur, 1);
	return money_add(json_object_get(g, "open"), cur, amount);
}

static int group_close(json_t *list)
{
	size_t i;
	json_t *g, *v;
	const char *cur;
	int err = 0;
	json_array_foreach(list, i, g) {
		json_object_foreach(json_object_get(g, "raw"), cur, v)
			if (err == 0)
				err = money_add(json_object_get(g, "weighted"), cur,
					(json_integer_value(v) + 50) / 100);
		json_object_del(g, "raw");
	}
	return err;
}

static int cmp_key(const void *a, const void *b, const char *key)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, key)),
		json_string_value(json_object_get(*(json_t *const *)b, key)));
}

static int cmp_month(const void *a, const void *b)
{
	return cmp_key(a, b, "month");
}

static int cmp_team(const void *a, const void *b)
{
	return cmp_key(a, b, "team");
}

static void sort_list(json_t *list, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(list), i;
	json_t **v = malloc(n * sizeof(*v) + 1);
	if (!v)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof(*v), cmp);
	json_array_clear(list);
	for (i = 0; i < n; i++)
		json_array_append_new(list, v[i]);
	free(v);
}

static int pipeline(json_t *doc, ctx *c)
{
	json_t *rows = NULL, *row, *months = json_array(), *stages = json_array(),
		*teams = json_array(), *total = json_array(), *t;
	json_int_t undated = 0;
	size_t i;
	int err;

	if (!months || !stages || !teams || !total || json_object_set_new(doc, "by_month", months) < 0 ||
			json_object_set_new(doc, "by_stage", stages) < 0 ||
			json_object_set_new(doc, "by_team", teams) < 0 ||
			json_object_set_new(doc, "total", total) < 0)
		return ruta_error__oom();
	window(c, c->from, c->to);
	if ((err = query(&rows, c, open_stages_sql)) < 0)
		return err;
	/* every open stage in pipeline order, even empty */
	json_array_foreach(rows, i, row)
		if (!group(stages, "stage", sval(row, 0)))
			err = ruta_error__oom();
	json_decref(rows);
	if (err < 0 || (err = query(&rows, c, pipeline_sql)) < 0)
		return err;
	t = group(total, "all", "all");
	json_array_foreach(rows, i, row) {
		const char *cur = sval(row, 4);
		json_int_t amount = ival(row, 5), prob = ival(row, 6);
		json_t *m = *sval(row, 0) ? group(months, "month", sval(row, 0)) : NULL;
		if (!*sval(row, 0))
			undated++;
		else if (!m || (err = group_add(m, cur, amount, prob)) < 0)
			break;
		if ((err = group_add(group(stages, "stage", sval(row, 1)), cur, amount, prob)) < 0 ||
				(err = group_add(group(teams, "team", sval(row, 3)), cur, amount, prob)) < 0 ||
				(err = group_add(t, cur, amount, prob)) < 0)
			break;
	}
	json_decref(rows);
	sort_list(months, cmp_month);
	sort_list(teams, cmp_team);
	json_object_set_new(doc, "undated", json_integer(undated));
	if (err == 0 && (err = group_close(months)) == 0 && (err = group_close(stages)) == 0 &&
			(err = group_close(teams)) == 0)
		err = group_close(total);
	json_object_set_new(doc, "total", json_incref(json_array_get(total, 0)));
	json_object_del(json_object_get(doc, "total"), "all");
	return err;
}

/* ---- abc and top ------------------------------------------------------------- */

typedef struct acc {
	json_t *row;
	json_int_t billing, potential;
	char by_purchases, by_potential;
} acc;

static int by_billing(const void *a, const void *b)
{
	const acc *x = a, *y = b;
	if (x->billing != y->billing)
		return x->billing > y->billing ? -1 : 1;
	return strcmp(sval(x->row, 0), sval(y->row, 0));
}

static int by_potential(const void *a, const void *b)
{
	const acc *x = a, *y = b;
	if (x->potential != y->potential)
		return x->potential > y->potential ? -1 : 1;
	return strcmp(sval(x->row, 0), sval(y->row, 0));
}

static int by_gap(const void *a, const void *b)
{
	const acc *x = a, *y = b;
	json_int_t gx = x->potential - x->billing, gy = y->potential - y->billing;
	if (gx != gy)
		return gx > gy ? -1 : 1;
	return by_potential(a, b);
}

static void classify(acc *v, size_t n, int a, int b, int potential)
{
	int64_t *vals = calloc(n + 1, sizeof(*vals));
	char *cls = calloc(n + 1, 1);
	size_t i;
	if (vals && cls) {
		qsort(v, n, sizeof(*v), potential ? by_potential : by_billing);
		for (i = 0; i < n; i++)
			vals[i] = potential ? v[i].potential : v[i].billing;
		ruta_report__pareto(cls, vals, n, a, b);
		for (i = 0; i < n; i++)
			*(potential ? &v[i].by_potential : &v[i].by_purchases) = cls[i];
	}
	free(vals);
	free(cls);
}

static json_t *acc_json(const acc *x, const char *cur)
{
	char cls[2][2] = { { x->by_purchases, 0 }, { x->by_potential, 0 } };
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s}", "id", sval(x->row, 0),
		"name", sval(x->row, 1), "region", sval(x->row, 2), "team", sval(x->row, 3),
		"purchases", money(cur, x->billing), "potential", money(cur, x->potential),
		"gap", money(cur, x->potential - x->billing), "abc_purchases", cls[0],
		"abc_potential", cls[1]);
}

static int abc_top(json_t *doc, ctx *c, int top)
{
	json_t *rows = NULL, *row, *list = NULL, *matrix = NULL;
	char cur[8] = "", wstart[21];
	acc *v = NULL;
	size_t i, n = 0;
	json_int_t left_out = 0;
	int a = c->o->abc_a ? c->o->abc_a : 80, b = c->o->abc_b ? c->o->abc_b : 95, err;

	window(c, c->from, c->to);
	if (c->o->currency)
		snprintf(cur, sizeof(cur), "%s", c->o->currency);
	else {
		if ((err = query(&rows, c, currency_sql)) < 0)
			return err;
		snprintf(cur, sizeof(cur), "%s", json_array_size(rows) ? sval(json_array_get(rows, 0), 0) : "EUR");
		json_decref(rows);
	}
	/* purchases: won in the 12 months before the period's end */
	month_start(wstart, c->to - 12);
	c->p5 = cur;
	c->p6 = wstart;
	err = query(&rows, c, abc_sql);
	c->p5 = c->p6 = NULL;
	if (err < 0)
		return err;
	if (!(v = calloc(json_array_size(rows) + 1, sizeof(*v)))) {
		json_decref(rows);
		return ruta_error__oom();
	}
	json_array_foreach(rows, i, row) {
		int in = strcmp(sval(row, 4), cur) == 0 || ival(row, 6) > 0;
		if (!in) {
			left_out += *sval(row, 4) || ival(row, 7);
			continue;
		}
		v[n].row = row;
		v[n].billing = ival(row, 6);
		v[n].potential = strcmp(sval(row, 4), cur) == 0 ? ival(row, 5) : 0;
		n++;
	}
	classify(v, n, a, b, 1);
	classify(v, n, a, b, 0);
	json_object_set_new(doc, "currency", json_string(cur));
	json_object_set_new(doc, "left_out", json_integer(left_out));
	json_object_set_new(doc, "window", json_pack("{s:s, s:s}", "from", wstart, "to", c->end));
	json_object_set_new(doc, "accounts_ranked", json_integer((json_int_t)n));
	err = 0;
	if (!top) {
		json_object_set_new(doc, "thresholds", json_pack("{s:i, s:i}", "a", a, "b", b));
		list = json_array();
		matrix = json_pack("{s:{s:i,s:i,s:i}, s:{s:i,s:i,s:i}, s:{s:i,s:i,s:i}}",
			"A", "A", 0, "B", 0, "C", 0, "B", "A", 0, "B", 0, "C", 0, "C", "A", 0, "B", 0, "C", 0);
		for (i = 0; list && matrix && i < n; i++) {
			char p[2] = { v[i].by_purchases, 0 }, q[2] = { v[i].by_potential, 0 };
			count_add(json_object_get(matrix, p), q, 1);
			json_array_append_new(list, acc_json(&v[i], cur));
		}
		json_object_set_new(doc, "accounts", list);
		json_object_set_new(doc, "matrix", matrix);
	} else {
		json_t *bl = json_array(), *gl = json_array();
		for (i = 0; bl && i < n && json_array_size(bl) < 10; i++)
			if (v[i].billing > 0)
				json_array_append_new(bl, acc_json(&v[i], cur));
		qsort(v, n, sizeof(*v), by_gap);
		for (i = 0; gl && i < n && json_array_size(gl) < 10; i++)
			if (v[i].potential - v[i].billing > 0)
				json_array_append_new(gl, acc_json(&v[i], cur));
		json_object_set_new(doc, "by_purchases", bl);
		json_object_set_new(doc, "by_gap", gl);
	}
	free(v);
	json_decref(rows);
	return err;
}

/* ---- activity ------------------------------------------------------------------ */

static json_t *activity_group(json_t *list, const char *team)
{
	json_t *g = find_by(list, "team", team);
	if (!g && (g = json_pack("{s:s, s:I, s:I, s:I, s:I, s:{}, s:[], s:I, s:I}", "team", team,
			"planned", (json_int_t)0, "held", (json_int_t)0, "not_held", (json_int_t)0,
			"cancelled", (json_int_t)0, "reasons", "days", "field_planned", (json_int_t)0,
			"field_held", (json_int_t)0)) && json_array_append_new(list, g) < 0)
		g = NULL;
	return g;
}

static void activity_add(json_t *g, json_t *row)
{
	const char *status = sval(row, 1), *date = sval(row, 3);
	int field = ival(row, 4) != 0, held = strcmp(status, "held") == 0;
	json_t *days = json_object_get(g, "days"), *d;

	count_add(g, "planned", 1);
	if (held || strcmp(status, "not_held") == 0 || strcmp(status, "cancelled") == 0)
		count_add(g, status, 1);
	if (strcmp(status, "not_held") == 0 || strcmp(status, "cancelled") == 0)
		count_add(json_object_get(g, "reasons"), *sval(row, 2) ? sval(row, 2) : "(none)", 1);
	if (!field)
		return;
	count_add(g, "field_planned", 1);
	count_add(g, "field_held", held);
	d = json_array_get(days, json_array_size(days) - 1);
	if (!d || strcmp(json_string_value(json_object_get(d, "date")), date) != 0)
		json_array_append_new(days, d = json_pack("{s:s, s:I, s:I}", "date", date,
			"planned", (json_int_t)0, "held", (json_int_t)0));
	count_add(d, "planned", 1);
	count_add(d, "held", held);
}

static void activity_close(json_t *g, json_int_t field_days)
{
	json_int_t planned = json_integer_value(json_object_get(g, "planned"));
	json_int_t held = json_integer_value(json_object_get(g, "held"));
	if (field_days < 0)
		field_days = (json_int_t)json_array_size(json_object_get(g, "days"));
	json_object_set_new(g, "held_ratio", pct(held, planned));
	json_object_set_new(g, "field_days", json_integer(field_days));
	json_object_set_new(g, "planned_per_field_day",
		avg(json_integer_value(json_object_get(g, "field_planned")), field_days));
	json_object_set_new(g, "held_per_field_day",
		avg(json_integer_value(json_object_get(g, "field_held")), field_days));
}

static int activity(json_t *doc, ctx *c)
{
	json_t *rows = NULL, *row, *teams = json_array(), *all, *g, *holder;
	json_int_t team_days = 0;
	size_t i;
	int err;

	if (!teams || json_object_set_new(doc, "teams", teams) < 0)
		return ruta_error__oom();
	window(c, c->from, c->to);
	if ((err = query(&rows, c, activity_sql)) < 0)
		return err;
	holder = json_array();
	all = holder ? activity_group(holder, "all") : NULL;
	json_array_foreach(rows, i, row) {
		g = activity_group(teams, sval(row, 0));
		if (!g || !all) {
			err = ruta_error__oom();
			break;
		}
		activity_add(g, row);
		activity_add(all, row);
	}
	json_decref(rows);
	json_array_foreach(teams, i, g) {
		activity_close(g, -1);
		team_days += json_integer_value(json_object_get(g, "field_days"));
	}
	/* all teams: a field day is one team's day in the field */
	if (all) {
		json_object_del(all, "days");
		activity_close(all, team_days);
		json_object_del(all, "team");
		json_object_set_new(doc, "total", json_incref(all));
	}
	json_decref(holder);
	return err;
}

/* ---- the document ---------------------------------------------------------------- */

static const struct kind {
	const char *name;
	const char *title;
} kinds[] = {
	{ "funnel", "Monthly funnel" },
	{ "lost", "Lost deals by reason" },
	{ "pipeline", "Open pipeline" },
	{ "abc", "ABC by purchases and by potential" },
	{ "top", "Top accounts" },
	{ "activity", "Activity planned vs held" },
};

static const struct kind *kind_of(const char *name)
{
	size_t i;
	for (i = 0; name && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

static int check_options(ctx *c, const ruta_report_options *o)
{
	if (!kind_of(o->report))
		return ruta_error__set(RUTA_EINVALID, "no report '%s' (funnel, lost, pipeline, abc, "
			"top or activity)", o->report ? o->report : "");
	if (ruta_report__period(&c->from, &c->to, o->period, (long long)time(NULL)) < 0)
		return ruta_error__set(RUTA_EINVALID, "--period must be YYYY-MM, YYYY-MM..YYYY-MM, "
			"YYYY-Qn or YYYY, not '%s'", o->period);
	if (o->currency && ruta_norm__currency(NULL, o->currency) < 0)
		return ruta_error__set(RUTA_EINVALID, "--currency must be an ISO 4217 code such as "
			"EUR or RON, not '%s'", o->currency);
	if (o->abc_a < 0 || o->abc_b < 0 || o->abc_a > 100 || o->abc_b > 100 ||
			((o->abc_a || o->abc_b) && !(o->abc_a > 0 && o->abc_a < o->abc_b)))
		return ruta_error__set(RUTA_EINVALID, "--abc must be two percentages A,B with "
			"0 < A < B <= 100, such as 80,95");
	return 0;
}

int ruta_report__build(json_t **out, ruta_replica *r, const ruta_report_options *o)
{
	ctx c;
	json_t *doc;
	char from[8], to[8];
	int err;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.o = o;
	if ((err = check_options(&c, o)) < 0)
		return err;
	month_text(from, c.from);
	month_text(to, c.to - 1);
	window(&c, c.from, c.to);
	doc = json_pack("{s:i, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:o, s:o}}", "schema", 1,
		"report", o->report, "period", "from", from, "to", to, "start", c.start, "end", c.end,
		"filters", "team", o->team ? json_string(o->team) : json_null(),
		"region", o->region ? json_string(o->region) : json_null());
	if (!doc)
		return ruta_error__oom();
	if ((err = ruta_db__exec(r->db, "BEGIN")) < 0) {
		json_decref(doc);
		return err;
	}
	switch (kind_of(o->report) - kinds) {
	case 0: err = funnel(doc, &c); break;
	case 1: err = lost(doc, &c); break;
	case 2: err = pipeline(doc, &c); break;
	case 3: err = abc_top(doc, &c, 0); break;
	case 4: err = abc_top(doc, &c, 1); break;
	default: err = activity(doc, &c); break;
	}
	ruta_db__exec(r->db, "COMMIT");
	if (err < 0)
		json_decref(doc);
	else
		*out = doc;
	return err;
}

int ruta_report(char **out, ruta_replica *r, const ruta_report_options *opts, int format)
{
	ruta_report_options o = RUTA_REPORT_OPTIONS_INIT;
	json_t *doc = NULL;
	int err;

	ruta_error__clear();
	*out = NULL;
	if (opts)
		o = *opts;
	if (format < RUTA_REPORT_JSON || format > RUTA_REPORT_CSV)
		return ruta_error__set(RUTA_EINVALID, "--format must be table, csv, json or html");
	if ((err = ruta_report__build(&doc, r, &o)) < 0)
		return err;
	err = ruta_report__render(out, doc, format, kind_of(o.report)->title);
	json_decref(doc);
	return err;
}
