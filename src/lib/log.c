/*
 * log.c - the history of changesets this replica holds, newest first, each
 * with its signature re-checked against the trust file in force and a
 * summary a person can read.
 *
 * Invariants:
 *  - Read only: nothing is stamped, sealed or written.
 *  - A changeset is judged as apply judges one arriving now (trust.c's
 *    ruta_trust__signed_by and ruta_trust__judge), so a status other than
 *    "good" means a replica installing this trust file would refuse it.
 *  - The document depends on the changesets held, ruta_key and the labels
 *    the CRM holds now, never on clocks or on when a changeset arrived, and
 *    its order is total (hlc.max descending, replica, seq descending): two
 *    replicas that hold the same print the same bytes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "changeset.h"
#include "normalize.h"
#include "record.h"
#include "schema.h"
#include "trust.h"

/* How many records a summary names; the others are counted in "more". */
#define SHOWN_RECORDS 3

static const char log_sql[] = "SELECT replica, seq, body, sig, hlc_max, hlc_min"
	" FROM ruta_changeset WHERE (?1 IS NULL OR replica = ?1 OR (length(replica) ="
	" length(?1) + 11 AND substr(replica, 1, length(?1) + 1) = ?1 || '-'))"
	" AND hlc_max >= ?2 ORDER BY hlc_max DESC, replica, seq DESC";
static const char owner_sql[] = "SELECT principal, team FROM ruta_key WHERE fingerprint = ?1";
static const char epoch_sql[] = "SELECT CAST(strftime('%s', ?1) AS INTEGER)";

/* What a record is called, per table, as this replica holds it now. */
static const struct {
	const char *table, *sql;
} label_sql[] = {
	{ "account", "SELECT name FROM account WHERE id = ?1" },
	{ "contact", "SELECT trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"
		" FROM contact WHERE id = ?1" },
	{ "contact_email", "SELECT email FROM contact_email WHERE id = ?1" },
	{ "contact_phone", "SELECT e164 FROM contact_phone WHERE id = ?1" },
	{ "opportunity", "SELECT name FROM opportunity WHERE id = ?1" },
	{ "opportunity_stage_history", "SELECT to_stage FROM opportunity_stage_history WHERE id = ?1" },
	{ "account_lifecycle_history", "SELECT to_lifecycle FROM account_lifecycle_history WHERE id = ?1" },
	{ "activity", "SELECT coalesce(subject, kind) FROM activity WHERE id = ?1" },
	{ "offer", "SELECT number FROM offer WHERE id = ?1" },
	{ "stage", "SELECT label FROM stage WHERE id = ?1" },
	{ "lost_reason", "SELECT label FROM lost_reason WHERE id = ?1" },
	{ "account_tag", "SELECT tag FROM account_tag WHERE id = ?1" },
	{ "contact_tag", "SELECT tag FROM contact_tag WHERE id = ?1" },
	{ "opportunity_tag", "SELECT tag FROM opportunity_tag WHERE id = ?1" },
};

static const char *const status_names[] = {
	[RUTA_TRUST_GOOD] = "good", [RUTA_TRUST_BAD] = "bad",
	[RUTA_TRUST_UNKNOWN_KEY] = "unknown-key", [RUTA_TRUST_WRONG_KEY] = "wrong-key",
	[RUTA_TRUST_REVOKED] = "revoked", [RUTA_TRUST_WINDOW] = "outside-window",
	[RUTA_TRUST_NOT_HQ] = "not-allowed", [RUTA_TRUST_REPLACED] = "replaced",
	[RUTA_TRUST_EXPIRED] = "expired",
};

typedef struct log_ctx {
	ruta_replica *r;
	const char *record;             /* the id matched, full when resolved; NULL: all */
	const ruta_tabledef *rec_table; /* its table, NULL when no record has that id here */
} log_ctx;

/* Text, or null when empty or not UTF-8 (another program may write labels). */
static json_t *text_or_null(const char *s)
{
	json_t *j = s && *s ? json_string(s) : NULL;
	return j ? j : json_null();
}

/* ---- the filters -------------------------------------------------------------------- */

static int id_chars_ok(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
	return n > 0 && n <= 64 && s[n] == '\0';
}

/* `text` has the form of `pattern`, where 'd' is a digit and 'x' a hex digit. */
static int has_shape(const char *text, const char *pattern)
{
	for (; *pattern; text++, pattern++) {
		if (*pattern == 'd' ? !(*text >= '0' && *text <= '9') : *pattern == 'x' ?
				!strchr("0123456789abcdefABCDEF", *text) || !*text : *text != *pattern)
			return 0;
	}
	return *text == '\0';
}

static int bad_since(const char *text)
{
	return ruta_error__set(RUTA_EINVALID, "since: '%.40s' is not a date (YYYY-MM-DD), a UTC "
		"time (YYYY-MM-DDTHH:MM:SSZ) or an hlc (16 hex digits)", text);
}

/* The lowest version at or after a UTC time: its milliseconds, counter 0. */
static int since_hlc(uint64_t *out, ruta_replica *r, const char *text)
{
	char iso[21], norm[21], hex[17];
	sqlite3_stmt *st;
	int64_t secs = -1;
	size_t i;
	int rc, err;

	if (has_shape(text, "xxxxxxxxxxxxxxxx")) {
		for (i = 0; i < 17; i++)
			hex[i] = (char)(text[i] >= 'A' && text[i] <= 'F' ? text[i] - 'A' + 'a' : text[i]);
		return ruta_hlc__parse(out, hex) < 0 ? bad_since(text) : 0;
	}
	if (has_shape(text, "dddd-dd-dd"))
		snprintf(iso, sizeof(iso), "%sT00:00:00Z", text);
	else if (has_shape(text, "dddd-dd-ddTdd:dd:ddZ"))
		snprintf(iso, sizeof(iso), "%s", text);
	else
		return bad_since(text);
	/* a real day and time, not 2026-02-30 or 25:00 */
	if (ruta_norm__datetime(norm, iso) < 0 || strcmp(norm, iso) != 0)
		return bad_since(text);
	if ((err = ruta_db__stmt(&st, r, epoch_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, iso, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		secs = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	/* HLCs end in year 6429 (hlc.c): a later time is after every version */
	if (secs > (int64_t)((UINT64_C(1) << 47) / 1000))
		*out = (UINT64_C(1) << 63) - 1;
	else
		*out = secs > 0 ? (uint64_t)secs * 1000 << RUTA_HLC_COUNTER_BITS : 0;
	return 0;
}

static int is_record_type(const ruta_tabledef *t)
{
	return !(t->flags & (RUTA_T_CHILD | RUTA_T_APPEND_ONLY));
}

/* The one record of any type that `text` names, as blame and edit take an
 * id; none found leaves the id as given, matched exactly. A prefix that
 * names one record of one type and several of another is ambiguous. */
static int resolve_record(log_ctx *c, char **full, const char *text)
{
	char *id = NULL, *ambiguous = NULL;
	size_t i;
	int err = 0, found = 0;

	*full = NULL;
	for (i = 0; i < ruta_schema__ntables && err == 0; i++) {
		const ruta_tabledef *t = &ruta_schema__tables[i];
		if (!is_record_type(t))
			continue;
		err = ruta_record__resolve(&id, c->r, t, text);
		if (err == 0 && found++ == 0) {
			*full = id;
			c->rec_table = t;
		} else if (err == 0) {
			free(id);
		} else if (err == RUTA_EAMBIGUOUS && !ambiguous) {
			err = (ambiguous = strdup(ruta_error_last()->message)) ? 0 : ruta_error__oom();
		} else if (err == RUTA_EAMBIGUOUS || err == RUTA_ENOTFOUND) {
			err = 0;
		}
		id = NULL;
	}
	if (err == 0 && found + (ambiguous && (!*full || strcasecmp(*full, text) != 0)) > 1)
		err = ruta_error__set(RUTA_EAMBIGUOUS, "'%s' names records of several types; give "
			"more of the id", text);
	else if (err == 0 && found == 0 && ambiguous && strlen(text) < 4)
		err = ruta_error__set(RUTA_EAMBIGUOUS, "'%s' is too short to name a record; give at "
			"least 4 characters of the id", text);
	else if (err == 0 && found == 0 && ambiguous)
		err = ruta_error__set(RUTA_EAMBIGUOUS, "%s", ambiguous);
	else if (err == 0 && found == 0 && !(*full = strdup(text)))
		err = ruta_error__oom();
	free(ambiguous);
	if (err < 0) {
		free(*full);
		*full = NULL;
		c->rec_table = NULL;
	}
	return err;
}

static int check_filter(const ruta_log_filter *f)
{
	if (f->version < 1 || f->version > RUTA_LOG_FILTER_VERSION)
		return ruta_error__set(RUTA_EINVALID, "version: %u is not a filter version this "
			"ruta knows", f->version);
	if (f->record && !id_chars_ok(f->record))
		return ruta_error__set(RUTA_EINVALID, "record: '%.70s' is not a record id or the start "
			"of one (letters, digits, '_' and '-', at most 64)", f->record);
	if (f->replica && !id_chars_ok(f->replica))
		return ruta_error__set(RUTA_EINVALID, "replica: '%.70s' is not a replica id or name "
			"(letters, digits, '_' and '-', at most 64)", f->replica);
	return 0;
}

/* ---- which changesets touch the record ---------------------------------------------- */

/* The record a child row (an email, a tag, a stage change) belongs to: in the
 * changeset when it was added there, else as this replica holds it. */
static int parent_of(char **out, log_ctx *c, const ruta_tabledef *t, json_t *rec)
{
	const char *col = t->cols[0].name;
	json_t *v = json_array_get(json_object_get(json_object_get(rec, "f"), col), 0);
	*out = NULL;
	if (json_is_string(v))
		return (*out = strdup(json_string_value(v))) ? 0 : ruta_error__oom();
	return ruta_record__column(out, c->r, t, json_string_value(json_object_get(rec, "id")), col);
}

static int touches_one(int *yes, log_ctx *c, json_t *rec)
{
	const ruta_tabledef *t = ruta_schema__by_name(json_string_value(json_object_get(rec, "t")));
	char *parent = NULL;
	int err;

	*yes = strcmp(json_string_value(json_object_get(rec, "id")), c->record) == 0;
	if (*yes || !c->rec_table || is_record_type(t) || t->cols[0].kind != RUTA_K_REF ||
			strcmp(t->cols[0].arg, c->rec_table->type) != 0)
		return 0;
	if ((err = parent_of(&parent, c, t, rec)) == RUTA_ENOTFOUND) {
		ruta_error__clear();   /* a row this replica lacks belongs to nothing here */
		err = 0;
	}
	*yes = err == 0 && parent && strcmp(parent, c->record) == 0;
	free(parent);
	return err;
}

static int touches(int *yes, log_ctx *c, const ruta_cs *cs)
{
	size_t i;
	int err = 0;
	*yes = 0;
	for (i = 0; i < json_array_size(cs->records) && !*yes && err == 0; i++)
		err = touches_one(yes, c, json_array_get(cs->records, i));
	return err;
}

/* ---- the summary -------------------------------------------------------------------- */

static const char *op_word(const char *op)
{
	return strcmp(op, "i") == 0 ? "created" : strcmp(op, "d") == 0 ? "deleted" : "changed";
}

static int label_of(json_t **out, ruta_replica *r, const char *table, const char *id)
{
	sqlite3_stmt *st;
	size_t i;
	int rc, err;

	*out = NULL;
	for (i = 0; i < sizeof(label_sql) / sizeof(label_sql[0]); i++)
		if (strcmp(label_sql[i].table, table) == 0)
			break;
	if (i == sizeof(label_sql) / sizeof(label_sql[0]))
		return (*out = json_null()) ? 0 : ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, label_sql[i].sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		*out = text_or_null((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	return (*out || (*out = json_null())) ? 0 : ruta_error__oom();
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The fields a change names, sorted (a changeset's are; another writer's may not be). */
static json_t *field_names(json_t *f)
{
	size_t n = json_object_size(f), i = 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys)), *k;
	json_t *list = json_array(), *v;

	if (!keys || !list) {
		free(keys);
		json_decref(list);
		return NULL;
	}
	json_object_foreach(f, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (i = 0; i < n; i++)
		if (json_array_append_new(list, json_string(keys[i])) < 0) {
			json_decref(list);
			list = NULL;
			break;
		}
	free(keys);
	return list;
}

static int shown_record(json_t *records, ruta_replica *r, json_t *rec)
{
	const char *table = json_string_value(json_object_get(rec, "t"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	const char *op = json_string_value(json_object_get(rec, "op"));
	json_t *label = NULL, *fields;
	int err;

	if ((err = label_of(&label, r, table, id)) < 0)
		return err;
	fields = strcmp(op, "u") == 0 ? field_names(json_object_get(rec, "f")) : json_array();
	if (!fields || json_array_append_new(records, json_pack("{s:s, s:s, s:s, s:o, s:o}",
			"table", table, "id", id, "op", op_word(op), "label", label, "fields", fields)) < 0) {
		json_decref(label);
		json_decref(fields);
		return ruta_error__oom();
	}
	return 0;
}

static int count_op(json_t *counts, const char *table, const char *op)
{
	json_t *c = json_object_get(counts, table), *n;
	if (!c) {
		c = json_pack("{s:i, s:i, s:i}", "created", 0, "changed", 0, "deleted", 0);
		if (json_object_set_new(counts, table, c) < 0)
			return ruta_error__oom();
	}
	n = json_object_get(c, op_word(op));
	return json_integer_set(n, json_integer_value(n) + 1) < 0 ? ruta_error__oom() : 0;
}

/* Per table how many records were created, changed, deleted; the first few
 * records (in the changeset's order: table, then id) with their labels. */
static int summary(json_t **out, ruta_replica *r, const ruta_cs *cs)
{
	json_t *counts = json_object(), *records = json_array(), *rec;
	size_t i, n = json_array_size(cs->records);
	int err = counts && records ? 0 : ruta_error__oom();

	for (i = 0; i < n && err == 0; i++) {
		rec = json_array_get(cs->records, i);
		err = count_op(counts, json_string_value(json_object_get(rec, "t")),
			json_string_value(json_object_get(rec, "op")));
		if (err == 0 && i < SHOWN_RECORDS)
			err = shown_record(records, r, rec);
	}
	if (err == 0 && !(*out = json_pack("{s:O, s:O, s:I}", "counts", counts, "records", records,
			"more", (json_int_t)(n > SHOWN_RECORDS ? n - SHOWN_RECORDS : 0))))
		err = ruta_error__oom();
	json_decref(counts);
	json_decref(records);
	return err;
}

/* ---- one changeset ------------------------------------------------------------------ */

/* One row of ruta_changeset, borrowed from the statement until its next step. */
typedef struct stored {
	const char *replica;
	int64_t seq;
	const char *body, *sig;
	size_t len, siglen;
	uint64_t hlc_max, hlc_min;   /* hlc_min 0: not stored (before migration 3) */
} stored;

static void read_row(stored *x, sqlite3_stmt *st)
{
	x->replica = (const char *)sqlite3_column_text(st, 0);
	x->seq = sqlite3_column_int64(st, 1);
	x->body = sqlite3_column_blob(st, 2);
	x->len = (size_t)sqlite3_column_bytes(st, 2);
	x->sig = (const char *)sqlite3_column_text(st, 3);
	x->siglen = (size_t)sqlite3_column_bytes(st, 3);
	x->hlc_max = (uint64_t)sqlite3_column_int64(st, 4);
	x->hlc_min = (uint64_t)sqlite3_column_int64(st, 5);
	if (!x->body)
		x->body = "";
}

/* Re-checked as apply would check it arriving now. *reason: new, or NULL when good. */
static int judge(ruta_trust_verdict *v, char **reason, ruta_replica *r, const stored *x,
	const ruta_cs *cs, int parsed)
{
	ruta_trust_signer s;
	int err = ruta_trust__signed_by(v, &s, r, x->body, x->len, NULL, x->sig, x->siglen);
	*reason = NULL;
	if (err == 0 && !parsed) {
		*v = RUTA_TRUST_BAD;
		err = ruta_error__set(RUTA_EVERIFY, "the stored bytes are not a valid changeset");
	} else if (err == 0)
		err = ruta_trust__judge(v, cs, &s);
	if (err != RUTA_EVERIFY)
		return err;
	if (!(*reason = strdup(ruta_error_last()->message)))
		return ruta_error__oom();
	ruta_error__clear();
	return 0;
}

static int key_owner(json_t **principal, json_t **team, ruta_replica *r, const char *fp)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;

	*principal = *team = NULL;
	if (fp) {
		if ((err = ruta_db__stmt(&st, r, owner_sql)) < 0)
			return err;
		sqlite3_bind_text(st, 1, fp, -1, SQLITE_STATIC);
		if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
			*principal = text_or_null((const char *)sqlite3_column_text(st, 0));
			*team = text_or_null((const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	if (!*principal)
		*principal = json_null();
	if (!*team)
		*team = json_null();
	return *principal && *team ? 0 : ruta_error__oom();
}

static json_t *hlc_pair(uint64_t min, uint64_t max)
{
	char lo[17], hi[17], lo_at[40], hi_at[40];
	ruta_hlc_format(lo, min);
	ruta_hlc_format(hi, max);
	ruta_hlc_describe(lo_at, min);
	ruta_hlc_describe(hi_at, max);
	return json_pack("{s:s, s:s, s:s, s:s}", "hlc_min", lo, "hlc_max", hi, "time_min", lo_at,
		"time_max", hi_at);
}

/* The parts that need the parsed body: key, owner, change count and summary. */
static int body_parts(json_t *e, ruta_replica *r, const ruta_cs *cs, int parsed)
{
	json_t *principal = NULL, *team = NULL, *sum = NULL;
	int err;

	if ((err = key_owner(&principal, &team, r, parsed ? cs->key : NULL)) == 0 && parsed)
		err = summary(&sum, r, cs);
	if (err == 0 && (json_object_set_new(e, "principal", principal) < 0 ||
			json_object_set_new(e, "team", team) < 0 ||
			json_object_set_new(e, "key", parsed ? json_string(cs->key) : json_null()) < 0 ||
			json_object_set_new(e, "changes", parsed ? json_integer(cs->changes) : json_null()) < 0 ||
			json_object_set_new(e, "summary", sum ? sum : json_null()) < 0))
		err = ruta_error__oom();
	if (err < 0) {
		json_decref(principal);
		json_decref(team);
		json_decref(sum);
	}
	return err;
}

static int entry_json(json_t **out, ruta_replica *r, const stored *x, const ruta_cs *cs,
	int parsed)
{
	uint64_t min = x->hlc_min ? x->hlc_min : parsed ? cs->hlc_min : x->hlc_max;
	ruta_trust_verdict v;
	char hash[65], *reason = NULL;
	int err;

	*out = NULL;
	if ((err = judge(&v, &reason, r, x, cs, parsed)) < 0)
		return err;
	ruta_crypto__sha256_hex(hash, x->body, x->len);
	if (!(*out = hlc_pair(min, x->hlc_max)) || json_object_update_new(*out, json_pack("{s:s,"
			" s:s, s:I, s:s, s:o}", "hash", hash, "replica", x->replica, "seq",
			(json_int_t)x->seq, "signature", status_names[v], "reason", text_or_null(reason))) < 0)
		err = ruta_error__oom();
	free(reason);
	if (err == 0)
		err = body_parts(*out, r, cs, parsed);
	if (err < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return err;
}

/* One row: skipped (*out NULL) when a record is asked for and it is not touched. */
static int row(json_t **out, log_ctx *c, sqlite3_stmt *st)
{
	stored x;
	ruta_cs cs;
	int parsed, yes = 1, err = 0;

	*out = NULL;
	read_row(&x, st);
	parsed = ruta_changeset__parse(&cs, x.body, x.len) == 0;
	/* bytes that no longer parse name no record for sure */
	if (c->record && !parsed)
		yes = 0;
	else if (c->record)
		err = touches(&yes, c, &cs);
	if (err == 0 && yes)
		err = entry_json(out, c->r, &x, &cs, parsed);
	ruta_changeset__free(&cs);
	return err;
}

/* ---- the document ------------------------------------------------------------------- */

static int walk(json_t *list, log_ctx *c, const char *replica, uint64_t since)
{
	sqlite3_stmt *st;
	json_t *e;
	int rc, err;

	if ((err = ruta_db__stmt(&st, c->r, log_sql)) < 0)
		return err;
	if (replica)
		sqlite3_bind_text(st, 1, replica, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	while ((rc = ruta_db__step(c->r, st)) == SQLITE_ROW) {
		if ((err = row(&e, c, st)) < 0)
			break;
		if (e && json_array_append_new(list, e) < 0) {
			err = ruta_error__oom();
			break;
		}
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

static json_t *record_json(const log_ctx *c)
{
	if (!c->record)
		return json_null();
	return json_pack("{s:s, s:o}", "id", c->record, "type",
		c->rec_table ? json_string(c->rec_table->type) : json_null());
}

int ruta_log_json(char **out, ruta_replica *r, const ruta_log_filter *f)
{
	static const ruta_log_filter none = RUTA_LOG_FILTER_INIT;
	log_ctx c = { r, NULL, NULL };
	json_t *doc = NULL, *list = NULL;
	char *full = NULL;
	uint64_t since = 0;
	int err;

	ruta_error__clear();
	*out = NULL;
	if (!f)
		f = &none;
	if ((err = check_filter(f)) < 0 || (f->since && (err = since_hlc(&since, r, f->since)) < 0))
		return err;
	if (f->record && (err = resolve_record(&c, &full, f->record)) < 0)
		return err;
	c.record = full;
	if (!(list = json_array())) {
		err = ruta_error__oom();
		goto done;
	}
	if ((err = walk(list, &c, f->replica, since)) < 0)
		goto done;
	if (!(doc = json_pack("{s:i, s:o, s:O}", "schema", 1, "record", record_json(&c),
			"changesets", list)) || !(*out = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT)))
		err = ruta_error__oom();
	else
		ruta_error__clear();   /* a judged changeset's reason is in the document */
done:
	json_decref(doc);
	json_decref(list);
	free(full);
	return err;
}
