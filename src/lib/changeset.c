/*
 * changeset.c - sealing the local change log into signed changesets, and
 * reading changesets back with no trust in their bytes.
 *
 * Sealing runs in one IMMEDIATE transaction: stamp, build the canonical JSON,
 * sign it, store it and move the export watermark together, so a crash
 * leaves either no changeset or a complete one, and never a change in two.
 * The key is loaded (and its passphrase asked) before the transaction.
 *
 * Canonical form: Jansson's compact output with sorted keys (all keys are
 * ASCII), one trailing newline; records sorted by table then id; integers
 * only. The same changes give the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changeset.h"
#include "crypto.h"
#include "journal.h"
#include "schema.h"

#define LIMIT_53 9007199254740991LL

/* ---- sealing ---------------------------------------------------------------- */

static const char pending_sql[] =
	"SELECT tbl, rec, op, col, val, ver, base, seq, supersedes FROM ruta_change"
	" WHERE seq > (SELECT exported_seq FROM ruta_sync_state WHERE k = 0)"
	" ORDER BY tbl, rec, col, ver, seq";
static const char own_frontier_sql[] = "SELECT seq, hash FROM ruta_frontier WHERE replica = ?1";
static const char deps_sql[] = "SELECT replica, seq, hash FROM ruta_frontier WHERE replica <> ?1"
	" ORDER BY replica";
static const char store_sql[] = "INSERT INTO ruta_changeset(replica, seq, hash, body, sig,"
	" hlc_max, at, hlc_min) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	" strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?7)";
static const char frontier_sql[] = "INSERT INTO ruta_frontier(replica, seq, hash) VALUES (?1, ?2, ?3)"
	" ON CONFLICT(replica) DO UPDATE SET seq = excluded.seq, hash = excluded.hash";
static const char exported_sql[] = "UPDATE ruta_sync_state SET exported_seq ="
	" (SELECT coalesce(max(seq), 0) FROM ruta_change) WHERE k = 0";

json_t *ruta_json__column(sqlite3_stmt *st, int col)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, col));
	default:
		return json_stringn((const char *)sqlite3_column_text(st, col),
			(size_t)sqlite3_column_bytes(st, col));
	}
}

void ruta_json__bind(sqlite3_stmt *st, int idx, json_t *v)
{
	if (json_is_integer(v))
		sqlite3_bind_int64(st, idx, json_integer_value(v));
	else if (json_is_string(v))
		sqlite3_bind_text(st, idx, json_string_value(v), (int)json_string_length(v),
			SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

void ruta_changeset__name(char *out, size_t size, const char *replica, int64_t seq)
{
	snprintf(out, size, "%s-%08lld.json", replica, (long long)seq);
}

static json_t *hlc_json(uint64_t h)
{
	char hex[17];
	ruta_hlc_format(hex, h);
	return json_string(hex);
}

static int value_json(json_t **out, sqlite3_stmt *st, int col, const char *tbl, const char *rec,
	const char *field)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		*out = json_null();
		return 0;
	case SQLITE_INTEGER: {
		sqlite3_int64 v = sqlite3_column_int64(st, col);
		if (v > LIMIT_53 || v < -LIMIT_53)
			return ruta_error__set(RUTA_EINVALID, "%s %s %s holds %lld, beyond what a "
				"changeset carries (2^53)", tbl, rec, field, (long long)v);
		*out = json_integer(v);
		return *out ? 0 : ruta_error__oom();
	}
	default: {
		const char *s = (const char *)sqlite3_column_text(st, col);
		int n = sqlite3_column_bytes(st, col);
		if (!ruta_utf8__valid(s, (size_t)n))
			return ruta_error__set(RUTA_EINVALID, "%s %s %s holds text that is not UTF-8 "
				"(written by another program); correct it, then export", tbl, rec, field);
		if (n > RUTA_CS_MAX_TEXT)
			return ruta_error__set(RUTA_EINVALID, "%s %s %s holds %d bytes of text, more "
				"than a changeset carries (%d); shorten it, then export", tbl, rec, field, n,
				RUTA_CS_MAX_TEXT);
		*out = json_stringn(s, (size_t)n);
		return *out ? 0 : ruta_error__oom();
	}
	}
}

/* The record objects, one per (table, id), from the unexported log rows.
 * A field changed twice keeps its last value and version and its first base:
 * the version the receiver has. Last and first by version: a row that
 * stamping adds for a group (journal.c) comes after pending rows that it
 * may precede. */
typedef struct sealing {
	json_t *records;
	json_t *cur;          /* the record being built */
	json_t *fields;
	char tbl[64], rec[80], col[64];
	int has_insert;
	int64_t changes;
	uint64_t hlc_min, hlc_max;
} sealing;

static void finish_record(sealing *s)
{
	json_t *del;
	const char *op = "u";
	if (!s->cur)
		return;
	del = json_object_get(s->fields, "deleted_at");
	if (s->has_insert)
		op = "i";
	else if (del && !json_is_null(json_array_get(del, 0)))
		op = "d";
	json_object_set_new(s->cur, "op", json_string(op));
	json_array_append_new(s->records, s->cur);
	s->cur = NULL;
}

/* A change that resolved a conflict names every head it supersedes, as a
 * fourth element: in the order written, each once. */
static int add_supersedes(json_t *entry, const char *list)
{
	json_t *also = json_array_get(entry, 3);
	char hex[17];
	size_t i;
	if (!list || !*list)
		return 0;
	if (!also && (json_array_append_new(entry, also = json_array()) < 0 || !also))
		return ruta_error__oom();
	while (*list) {
		size_t n = strcspn(list, " ");
		int dup = 0;
		snprintf(hex, sizeof(hex), "%.*s", (int)(n < 16 ? n : 16), list);
		for (i = 0; i < json_array_size(also); i++)
			dup |= strcmp(json_string_value(json_array_get(also, i)), hex) == 0;
		if (!dup && json_array_append_new(also, json_string(hex)) < 0)
			return ruta_error__oom();
		list += n + (list[n] == ' ');
	}
	return 0;
}

static int add_row(sealing *s, sqlite3_stmt *st)
{
	const char *tbl = (const char *)sqlite3_column_text(st, 0);
	const char *rec = (const char *)sqlite3_column_text(st, 1);
	const char *op = (const char *)sqlite3_column_text(st, 2);
	const char *col = (const char *)sqlite3_column_text(st, 3);
	uint64_t ver = (uint64_t)sqlite3_column_int64(st, 5);
	uint64_t base = (uint64_t)sqlite3_column_int64(st, 6);
	json_t *v = NULL, *entry;
	int err;

	if (strlen(tbl) >= sizeof(s->tbl) || strlen(rec) >= sizeof(s->rec) || strlen(col) >= sizeof(s->col))
		return ruta_error__set(RUTA_ERROR, "change log row names a record too long to export");
	if (!s->cur || strcmp(tbl, s->tbl) || strcmp(rec, s->rec)) {
		finish_record(s);
		s->cur = json_pack("{s:s, s:s}", "t", tbl, "id", rec);
		s->fields = json_object();
		if (!s->cur || !s->fields || json_object_set_new(s->cur, "f", s->fields) < 0)
			return ruta_error__oom();
		snprintf(s->tbl, sizeof(s->tbl), "%s", tbl);
		snprintf(s->rec, sizeof(s->rec), "%s", rec);
		s->col[0] = '\0';
		s->has_insert = 0;
	}
	s->has_insert |= op[0] == 'i';
	if ((err = value_json(&v, st, 4, tbl, rec, col)) < 0)
		return err;
	entry = json_object_get(s->fields, col);
	if (entry && strcmp(col, s->col) == 0) {
		/* the same field again: newer value and version, the first base stays */
		json_array_set_new(entry, 0, v);
		json_array_set_new(entry, 1, hlc_json(ver));
	} else {
		s->changes++;
		if (!(entry = json_pack("[o, o, o]", v, hlc_json(ver), hlc_json(base))) ||
				json_object_set_new(s->fields, col, entry) < 0)
			return ruta_error__oom();
	}
	if ((err = add_supersedes(entry, (const char *)sqlite3_column_text(st, 8))) < 0)
		return err;
	snprintf(s->col, sizeof(s->col), "%s", col);
	if (!s->hlc_min || ver < s->hlc_min)
		s->hlc_min = ver;
	if (ver > s->hlc_max)
		s->hlc_max = ver;
	return 0;
}

static int starts_record(const sealing *s, sqlite3_stmt *st)
{
	return !s->cur || strcmp((const char *)sqlite3_column_text(st, 0), s->tbl) ||
		strcmp((const char *)sqlite3_column_text(st, 1), s->rec);
}

/*
 * The next changeset's records, from the log rows `st` yields: whole
 * records, until RUTA_SEAL_CHANGES field changes are in. *row carries the
 * statement's state from one changeset to the next: 0 to step it,
 * SQLITE_ROW for a row read but not taken, SQLITE_DONE at the end.
 */
static int build_records(sealing *s, ruta_replica *r, sqlite3_stmt *st, int *row)
{
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (!(s->records = json_array()))
		return ruta_error__oom();
	while (err == 0 && *row != SQLITE_DONE) {
		if (*row != SQLITE_ROW && (*row = ruta_db__step(r, st)) != SQLITE_ROW)
			break;
		/* a changeset small enough to hold in memory anywhere */
		if (s->changes >= RUTA_SEAL_CHANGES && starts_record(s, st))
			break;
		err = add_row(s, st);
		*row = 0;
	}
	if (err == 0 && *row < 0)
		err = *row;
	if (err == 0)
		finish_record(s);
	else if (s->cur)
		json_decref(s->cur);
	return err;
}

static int deps_json(json_t **out, ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc, err;
	if (!(*out = json_object()))
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, deps_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		json_object_set_new(*out, (const char *)sqlite3_column_text(st, 0), json_pack("{s:I, s:s}",
			"seq", (json_int_t)sqlite3_column_int64(st, 1), "hash",
			(const char *)sqlite3_column_text(st, 2)));
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int own_frontier(int64_t *seq, char prev[65], ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc, err;
	*seq = 0;
	snprintf(prev, 65, "%s", RUTA_GENESIS);
	if ((err = ruta_db__stmt(&st, r, own_frontier_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		snprintf(prev, 65, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int run3(ruta_replica *r, const char *sql, const char *a, int64_t b, const char *c)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b);
	if (c)
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int store(ruta_replica *r, int64_t seq, const char *hash, const char *body, size_t len,
	const char *sig, uint64_t hlc_min, uint64_t hlc_max)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, store_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sig, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)hlc_max);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)hlc_min);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	return run3(r, frontier_sql, r->id, seq, hash);
}

/* One changeset of the records build_records gives next; RUTA_ITEROVER if
 * there are none. */
static int seal_one(int64_t *out_seq, int64_t *out_changes, ruta_replica *r,
	const ruta_secret *sk, sqlite3_stmt *st, int *row)
{
	unsigned char pk[RUTA_PK_BYTES];
	char fp[RUTA_FINGERPRINT_MAX], prev[65], hash[65], *body = NULL, *sig = NULL;
	json_t *root = NULL, *deps = NULL;
	sealing s;
	int64_t seq;
	size_t len;
	int err;

	if ((err = build_records(&s, r, st, row)) < 0)
		goto done;
	if (json_array_size(s.records) == 0) {
		err = RUTA_ITEROVER;
		goto done;
	}
	if ((err = own_frontier(&seq, prev, r)) < 0 || (err = deps_json(&deps, r)) < 0)
		goto done;
	ruta_crypto__secret_public(pk, sk);
	ruta_crypto__fingerprint(fp, pk);
	root = json_pack("{s:s, s:s, s:s, s:I, s:s, s:{s:o, s:o}, s:o, s:o}", "format",
		RUTA_CS_FORMAT, "replica", r->id, "key", fp, "seq", (json_int_t)(seq + 1), "prev", prev,
		"hlc", "min", hlc_json(s.hlc_min), "max", hlc_json(s.hlc_max), "deps", deps,
		"records", s.records);
	s.records = deps = NULL;
	if (!root || !(body = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS))) {
		err = ruta_error__oom();
		goto done;
	}
	len = strlen(body);
	body[len++] = '\n';   /* json_dumps leaves room: its NUL becomes the newline */
	ruta_crypto__sha256_hex(hash, body, len);
	if ((err = ruta_crypto__sshsig_sign(&sig, sk, RUTA_NS_CHANGESET, body, len)) < 0 ||
			(err = store(r, seq + 1, hash, body, len, sig, s.hlc_min, s.hlc_max)) < 0)
		goto done;
	*out_seq = seq + 1;
	*out_changes += s.changes;
done:
	json_decref(s.records);
	json_decref(deps);
	json_decref(root);
	free(body);
	free(sig);
	return err;
}

/* Every unexported change, in as many changesets as it takes; the log is
 * marked exported once they are all stored. */
static int seal_locked(int64_t *out_seq, int64_t *out_changes, ruta_replica *r,
	const ruta_secret *sk)
{
	sqlite3_stmt *st;
	int64_t made = 0;
	int row = 0, err;

	if ((err = ruta_journal__stamp_locked(r)) < 0 || (err = ruta_db__stmt(&st, r, pending_sql)) < 0)
		return err;
	while ((err = seal_one(out_seq, out_changes, r, sk, st, &row)) == 0)
		made++;
	sqlite3_reset(st);
	if (err == RUTA_ITEROVER && made)
		err = 0;
	return err == 0 ? ruta_db__exec(r->db, exported_sql) : err;
}

int ruta_changeset__load_key(ruta_secret **sk, ruta_replica *r)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/keys/replica.key", r->dir);
	return ruta_crypto__load_secret(sk, path, r->passphrase, r->passphrase_payload);
}

int ruta_changeset_seal(int64_t *seq, int64_t *changes, ruta_replica *r)
{
	ruta_secret *sk = NULL;
	int err;

	ruta_error__clear();
	*seq = *changes = 0;
	if ((err = ruta_changeset__load_key(&sk, r)) < 0)
		return err;
	if ((err = ruta_db__begin(r)) == 0) {
		err = seal_locked(seq, changes, r, sk);
		if (err == 0)
			err = ruta_db__commit(r);
		else if (err == RUTA_ITEROVER)
			ruta_db__commit(r);   /* the stamping is worth keeping */
		if (err < 0 && err != RUTA_ITEROVER)
			ruta_db__rollback(r);
	}
	ruta_crypto__secret_free(sk);
	return err;
}

/* ---- reading, trusting nothing ------------------------------------------------ */

static int bad(const char *fmt, const char *a, const char *b)
{
	return ruta_error__set(RUTA_EINVALID, fmt, a, b);
}

int ruta_cs__is_hex(const char *s, size_t n)
{
	size_t i;
	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int ruta_cs__is_id(const char *s, size_t max)
{
	size_t n = strlen(s), i;
	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
				(s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* Only these keys, each present. */
static int exact_keys(json_t *o, const char *const *keys, size_t n, const char *where)
{
	const char *k;
	json_t *v;
	size_t i;
	if (!json_is_object(o))
		return bad("%s: expected an object%s", where, "");
	json_object_foreach(o, k, v) {
		for (i = 0; i < n && strcmp(k, keys[i]) != 0; i++)
			;
		if (i == n)
			return bad("%s: unknown key '%.40s'", where, k);
	}
	for (i = 0; i < n; i++)
		if (!json_object_get(o, keys[i]))
			return bad("%s: missing key '%s'", where, keys[i]);
	return 0;
}

static int get_hlc(uint64_t *out, json_t *v, const char *where)
{
	if (!json_is_string(v) || !ruta_cs__is_hex(json_string_value(v), 16) ||
			ruta_hlc__parse(out, json_string_value(v)) < 0)
		return bad("%s: expected an hlc (16 lower-case hex digits)%s", where, "");
	/* A version no sane clock makes would drag every later one after it. */
	if (*out > RUTA_HLC_MAX_SANE)
		return bad("%s: hlc beyond any sane clock (after the year 4000)%s", where, "");
	return 0;
}

int ruta_cs__wants_int(const ruta_coldef *c)
{
	return c && (c->kind == RUTA_K_INT || c->kind == RUTA_K_BOOL ||
		c->kind == RUTA_K_PERCENT || c->kind == RUTA_K_MONEY);
}

static int check_value(json_t *v, const ruta_tabledef *t, const char *col, const char *where)
{
	int want_int = ruta_cs__wants_int(ruta_schema__col(t, col));
	if (json_is_null(v))
		return strcmp(col, "created_at") == 0 ? bad("%s: created_at cannot be null%s", where, "") : 0;
	if (json_is_real(v))
		return bad("%s: a number with a fraction or exponent (floats are not allowed)%s", where, "");
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i > LIMIT_53 || i < -LIMIT_53)
			return bad("%s: an integer beyond 2^53%s", where, "");
		return want_int ? 0 : bad("%s: expected text, not a number%s", where, "");
	}
	if (json_is_string(v)) {
		if (json_string_length(v) > RUTA_CS_MAX_TEXT)
			return bad("%s: text longer than 8000 bytes%s", where, "");
		return want_int ? bad("%s: expected a number, not text%s", where, "") : 0;
	}
	return bad("%s: a value must be null, an integer or a string%s", where, "");
}

/* The heads a resolving change supersedes: 1 to 256 versions older than it. */
static int check_superseded(json_t *also, uint64_t hlc, const char *where)
{
	uint64_t v;
	size_t i;
	int err;
	if (!json_is_array(also) || json_array_size(also) == 0 || json_array_size(also) > 256)
		return bad("%s: expected [value, hlc, base] or [value, hlc, base, [superseded "
			"versions]], with 1 to 256 superseded versions%s", where, "");
	for (i = 0; i < json_array_size(also); i++) {
		if ((err = get_hlc(&v, json_array_get(also, i), where)) < 0)
			return err;
		if (v >= hlc)
			return bad("%s: a superseded version is not older than the change%s", where, "");
	}
	return 0;
}

static int check_field(json_t *f, const ruta_tabledef *t, const char *col, uint64_t lo,
	uint64_t hi, const char *where)
{
	uint64_t hlc, base;
	int err;
	if (!ruta_schema__synced(t, col))
		return ruta_error__set(RUTA_EINVALID, "%s: %s has no field '%.40s'", where, t->name, col);
	if (!json_is_array(f) || json_array_size(f) < 3 || json_array_size(f) > 4)
		return bad("%s: expected [value, hlc, base] or [value, hlc, base, [superseded]]%s",
			where, "");
	if ((err = check_value(json_array_get(f, 0), t, col, where)) < 0 ||
			(err = get_hlc(&hlc, json_array_get(f, 1), where)) < 0 ||
			(err = get_hlc(&base, json_array_get(f, 2), where)) < 0)
		return err;
	if (hlc < lo || hlc > hi)
		return bad("%s: hlc outside the changeset's hlc range%s", where, "");
	if (base >= hlc)
		return bad("%s: base is not older than the change%s", where, "");
	return json_array_size(f) == 4 ? check_superseded(json_array_get(f, 3), hlc, where) : 0;
}

/* `named`: whether error messages say where; the checks run unnamed first,
 * since formatting three places for each of a million fields costs more
 * than the checks themselves, and again named only to report a failure. */
static int check_record_as(ruta_cs *cs, json_t *rec, size_t i, int named)
{
	static const char *const keys[] = { "f", "id", "op", "t" };
	char where[160] = "";
	const ruta_tabledef *t;
	const char *op, *col;
	json_t *f, *v;
	int err;

	if (named)
		snprintf(where, sizeof(where), "record %zu", i);
	if ((err = exact_keys(rec, keys, 4, where)) < 0)
		return err;
	if (!json_is_string(json_object_get(rec, "t")) ||
			!(t = ruta_schema__by_name(json_string_value(json_object_get(rec, "t")))))
		return ruta_error__set(RUTA_EINVALID, "%s: unknown table '%.40s'", where,
			json_is_string(json_object_get(rec, "t")) ?
			json_string_value(json_object_get(rec, "t")) : "?");
	if (!json_is_string(json_object_get(rec, "id")) ||
			!ruta_cs__is_id(json_string_value(json_object_get(rec, "id")), 64))
		return bad("%s: bad record id%s", where, "");
	if (named)
		snprintf(where, sizeof(where), "record %zu (%s %s)", i, t->name,
			json_string_value(json_object_get(rec, "id")));
	op = json_string_value(json_object_get(rec, "op"));
	if (!op || (strcmp(op, "i") && strcmp(op, "u") && strcmp(op, "d")))
		return bad("%s: op must be i, u or d%s", where, "");
	f = json_object_get(rec, "f");
	if (!json_is_object(f) || json_object_size(f) == 0)
		return bad("%s: expected a non-empty object of fields%s", where, "");
	if (op[0] == 'i' && !json_object_get(f, "created_at"))
		return bad("%s: a created record needs its created_at%s", where, "");
	json_object_foreach(f, col, v) {
		char fw[240] = "";
		if (named)
			snprintf(fw, sizeof(fw), "%s field %.40s", where, col);
		if ((err = check_field(v, t, col, cs->hlc_min, cs->hlc_max, fw)) < 0)
			return err;
		cs->changes++;
	}
	return 0;
}

static int check_record(ruta_cs *cs, json_t *rec, size_t i)
{
	int64_t changes = cs->changes;
	int err = check_record_as(cs, rec, i, 0);
	if (err < 0) {
		cs->changes = changes;
		err = check_record_as(cs, rec, i, 1);
	}
	return err;
}

/* A record as a snapshot states it: {"f": {col: [value, hlc]}, "id", "t"},
 * every field at a version no later than the snapshot's clock `hi`. */
int ruta_changeset__check_state_record(json_t *rec, uint64_t hi, size_t i)
{
	static const char *const keys[] = { "f", "id", "t" };
	const ruta_tabledef *t;
	char where[160];
	const char *col;
	json_t *f, *v;
	uint64_t hlc;
	int err;

	snprintf(where, sizeof(where), "snapshot record %zu", i);
	if ((err = exact_keys(rec, keys, 3, where)) < 0)
		return err;
	if (!json_is_string(json_object_get(rec, "t")) ||
			!(t = ruta_schema__by_name(json_string_value(json_object_get(rec, "t")))) ||
			!json_is_string(json_object_get(rec, "id")) ||
			!ruta_cs__is_id(json_string_value(json_object_get(rec, "id")), 64))
		return bad("%s: bad table or record id%s", where, "");
	f = json_object_get(rec, "f");
	if (!json_is_object(f) || !json_object_get(f, "created_at"))
		return bad("%s: expected an object of fields with created_at%s", where, "");
	json_object_foreach(f, col, v) {
		char fw[240];
		snprintf(fw, sizeof(fw), "%s (%s %s) field %.40s", where, t->name,
			json_string_value(json_object_get(rec, "id")), col);
		if (!ruta_schema__synced(t, col))
			return ruta_error__set(RUTA_EINVALID, "%s: %s has no such field", fw, t->name);
		if (!json_is_array(v) || json_array_size(v) != 2)
			return bad("%s: expected [value, hlc]%s", fw, "");
		if ((err = check_value(json_array_get(v, 0), t, col, fw)) < 0 ||
				(err = get_hlc(&hlc, json_array_get(v, 1), fw)) < 0)
			return err;
		if (hlc > hi)
			return bad("%s: a version later than the snapshot itself%s", fw, "");
	}
	return 0;
}

static int check_deps(json_t *deps)
{
	static const char *const keys[] = { "hash", "seq" };
	const char *k;
	json_t *v;
	int err;
	if (!json_is_object(deps) || json_object_size(deps) > RUTA_CS_MAX_DEPS)
		return bad("deps: expected an object of at most 10000 replicas%s%s", "", "");
	json_object_foreach(deps, k, v) {
		json_t *seq;
		if (!ruta_cs__is_id(k, 64))
			return bad("deps: bad replica id '%.40s'%s", k, "");
		if ((err = exact_keys(v, keys, 2, "deps entry")) < 0)
			return err;
		seq = json_object_get(v, "seq");
		if (!json_is_integer(seq) || json_integer_value(seq) < 1 ||
				json_integer_value(seq) > LIMIT_53 ||
				!json_is_string(json_object_get(v, "hash")) ||
				!ruta_cs__is_hex(json_string_value(json_object_get(v, "hash")), 64))
			return bad("deps: replica %s needs a seq >= 1 and a 64-digit hash%s", k, "");
	}
	return 0;
}

static int check_header(ruta_cs *cs)
{
	static const char *const keys[] = { "deps", "format", "hlc", "key", "prev", "records",
		"replica", "seq" };
	static const char *const hkeys[] = { "max", "min" };
	json_t *root = cs->root, *seq, *hlc;
	int err;

	if ((err = exact_keys(root, keys, 8, "changeset")) < 0)
		return err;
	if (!json_is_string(json_object_get(root, "format")) ||
			strcmp(json_string_value(json_object_get(root, "format")), RUTA_CS_FORMAT) != 0)
		return bad("unknown changeset format '%.40s' (this ruta reads %s)",
			json_is_string(json_object_get(root, "format")) ?
			json_string_value(json_object_get(root, "format")) : "?", RUTA_CS_FORMAT);
	cs->replica = json_string_value(json_object_get(root, "replica"));
	cs->key = json_string_value(json_object_get(root, "key"));
	cs->prev = json_string_value(json_object_get(root, "prev"));
	seq = json_object_get(root, "seq");
	if (!cs->replica || !ruta_cs__is_id(cs->replica, 64))
		return bad("changeset: bad replica id%s%s", "", "");
	if (!cs->key || strncmp(cs->key, "SHA256:", 7) != 0 || strlen(cs->key) > 60)
		return bad("changeset: bad key fingerprint%s%s", "", "");
	if (!cs->prev || !ruta_cs__is_hex(cs->prev, 64))
		return bad("changeset: prev must be 64 lower-case hex digits%s%s", "", "");
	if (!json_is_integer(seq) || json_integer_value(seq) < 1 || json_integer_value(seq) > LIMIT_53)
		return bad("changeset: seq must be an integer from 1 to 2^53%s%s", "", "");
	cs->seq = json_integer_value(seq);
	hlc = json_object_get(root, "hlc");
	if ((err = exact_keys(hlc, hkeys, 2, "hlc")) < 0 ||
			(err = get_hlc(&cs->hlc_min, json_object_get(hlc, "min"), "hlc min")) < 0 ||
			(err = get_hlc(&cs->hlc_max, json_object_get(hlc, "max"), "hlc max")) < 0)
		return err;
	if (cs->hlc_min > cs->hlc_max)
		return bad("changeset: hlc min is after max%s%s", "", "");
	if (cs->seq == 1 && strcmp(cs->prev, RUTA_GENESIS) != 0)
		return bad("changeset 1 must have prev = 64 zeros%s%s", "", "");
	cs->deps = json_object_get(root, "deps");
	cs->records = json_object_get(root, "records");
	return check_deps(cs->deps);
}

int ruta_changeset__parse(ruta_cs *out, const char *body, size_t len)
{
	json_error_t jerr;
	size_t i, n;
	int err;

	memset(out, 0, sizeof(*out));
	if (len > RUTA_CS_MAX_BYTES)
		return ruta_error__set(RUTA_EINVALID, "changeset is %zu bytes, more than the %u allowed",
			len, RUTA_CS_MAX_BYTES);
	if (len == 0 || body[len - 1] != '\n')
		return ruta_error__set(RUTA_EINVALID, "changeset does not end with a newline (truncated?)");
	if (memchr(body, '\0', len))
		return ruta_error__set(RUTA_EINVALID, "changeset contains a NUL byte");
	/* Duplicate keys would let two readers see two different changesets. */
	if (!(out->root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &jerr)))
		return ruta_error__set(RUTA_EINVALID, "changeset is not valid JSON: %s (line %d, "
			"column %d)", jerr.text, jerr.line, jerr.column);
	if (jerr.position != (int)len - 1) {
		ruta_changeset__free(out);
		return ruta_error__set(RUTA_EINVALID, "changeset has data after its JSON object");
	}
	if ((err = check_header(out)) < 0)
		goto fail;
	if (!json_is_array(out->records) || (n = json_array_size(out->records)) == 0 ||
			n > RUTA_CS_MAX_RECORDS) {
		err = bad("records: expected 1 to 1000000 records%s%s", "", "");
		goto fail;
	}
	for (i = 0; i < n; i++)
		if ((err = check_record(out, json_array_get(out->records, i), i)) < 0)
			goto fail;
	if ((err = ruta_changeset__fill(out)) == 0)
		return 0;
fail:
	ruta_changeset__free(out);
	return err;
}

/* ---- the checked tree in C ---------------------------------------------------- */

static void fill_value(ruta_cs_field *x, json_t *v)
{
	x->type = json_is_integer(v) ? SQLITE_INTEGER : json_is_string(v) ? SQLITE_TEXT : SQLITE_NULL;
	x->i = json_integer_value(v);
	x->s = json_string_value(v);
	x->len = json_string_length(v);
}

/* One field; its superseded versions go to `also` from `*na` on. */
static void fill_field(ruta_cs_field *x, const char *col, json_t *e, uint64_t *also, size_t *na)
{
	json_t *list = json_array_get(e, 3);
	size_t k;
	x->col = col;
	fill_value(x, json_array_get(e, 0));
	ruta_hlc__parse(&x->hlc, json_string_value(json_array_get(e, 1)));
	ruta_hlc__parse(&x->base, json_string_value(json_array_get(e, 2)));
	x->also = list ? also + *na : NULL;
	x->nalso = json_array_size(list);
	for (k = 0; k < x->nalso; k++)
		ruta_hlc__parse(&also[(*na)++], json_string_value(json_array_get(list, k)));
}

static size_t count_also(json_t *records)
{
	const char *col;
	json_t *rec, *e;
	size_t i, n = 0;
	json_array_foreach(records, i, rec)
		json_object_foreach(json_object_get(rec, "f"), col, e)
			n += json_array_size(json_array_get(e, 3));
	return n;
}

int ruta_changeset__fill(ruta_cs *cs)
{
	size_t n = json_array_size(cs->records), i, nf = 0, na = 0, nalso = count_also(cs->records);
	const char *col;
	json_t *rec, *e;

	cs->recs = calloc(n ? n : 1, sizeof(*cs->recs));
	cs->fields = calloc(cs->changes ? (size_t)cs->changes : 1, sizeof(*cs->fields));
	cs->also = calloc(nalso ? nalso : 1, sizeof(*cs->also));
	if (!cs->recs || !cs->fields || !cs->also)
		return ruta_error__oom();
	json_array_foreach(cs->records, i, rec) {
		ruta_cs_rec *x = &cs->recs[i];
		x->t = ruta_schema__by_name(json_string_value(json_object_get(rec, "t")));
		x->id = json_string_value(json_object_get(rec, "id"));
		x->op = json_string_value(json_object_get(rec, "op"))[0];
		x->f = cs->fields + nf;
		json_object_foreach(json_object_get(rec, "f"), col, e)
			fill_field(&cs->fields[nf++], col, e, cs->also, &na);
		x->nf = (size_t)(cs->fields + nf - x->f);
	}
	cs->nrecs = n;
	return 0;
}

static json_t *value_of(const ruta_cs_field *x)
{
	if (x->type == SQLITE_INTEGER)
		return json_integer(x->i);
	return x->type == SQLITE_TEXT ? json_stringn(x->s, x->len) : json_null();
}

static json_t *change_json(const ruta_cs_field *x)
{
	json_t *e = json_array(), *list = NULL;
	size_t k;
	int bad = !e || json_array_append_new(e, value_of(x)) < 0 ||
		json_array_append_new(e, hlc_json(x->hlc)) < 0 ||
		json_array_append_new(e, hlc_json(x->base)) < 0;
	if (!bad && x->nalso)
		bad = !(list = json_array()) || json_array_append_new(e, list) < 0;
	for (k = 0; !bad && k < x->nalso; k++)
		bad = json_array_append_new(list, hlc_json(x->also[k])) < 0;
	if (bad) {
		json_decref(e);
		return NULL;
	}
	return e;
}

json_t *ruta_cs__fields_json(const ruta_cs_rec *rec)
{
	json_t *f = json_object();
	size_t k;
	for (k = 0; f && k < rec->nf; k++)
		if (json_object_set_new(f, rec->f[k].col, change_json(&rec->f[k])) < 0) {
			json_decref(f);
			return NULL;
		}
	return f;
}

void ruta_changeset__free(ruta_cs *cs)
{
	json_decref(cs->root);
	if (!cs->root)
		json_decref(cs->deps);   /* __read built it alone */
	free(cs->recs);
	free(cs->fields);
	free(cs->also);
	free(cs->text);
	memset(cs, 0, sizeof(*cs));
}
