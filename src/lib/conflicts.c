/*
 * conflicts.c - listing open conflicts and resolving them with signed changes.
 *
 * A resolution is a local change of the field, like an edit: stamping sees
 * the field in conflict and makes the change supersede every head
 * (merge.c), so it closes the conflict here and, once synced, everywhere.
 * When the value chosen is the one the record already shows, no trigger
 * fires, so the change is written to the log directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "changeset.h"
#include "crypto.h"
#include "journal.h"
#include "merge.h"
#include "record.h"
#include "schema.h"

/* ---- listing ---------------------------------------------------------------- */

/* review -1: heads that agree, kept for what may supersede them, no conflict */
static const char list_sql[] = "SELECT tbl, rec, col, id, policy, review, opened_at"
	" FROM ruta_conflict WHERE review >= 0 AND (?1 IS NULL OR id = ?1 OR rec = ?1)"
	" ORDER BY tbl, rec, col";
static const char list_heads_sql[] = "SELECT hlc, value, replica, changeset FROM ruta_conflict_head"
	" WHERE tbl = ?1 AND rec = ?2 AND col = ?3 ORDER BY hlc, replica";

static json_t *text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static int heads_json(json_t **out, ruta_replica *r, const char *tbl, const char *rec,
	const char *col)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = 0;
	if (!(*out = json_array()))
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, list_heads_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		uint64_t hlc = (uint64_t)sqlite3_column_int64(st, 0);
		char hex[17], at[40], who[72], cs[65];
		ruta_hlc_format(hex, hlc);
		ruta_hlc_describe(at, hlc);
		json_t *v = ruta_json__column(st, 1);
		/* a head made here before it was sealed has its changeset now */
		snprintf(who, sizeof(who), "%s", sqlite3_column_text(st, 2));
		cs[0] = '\0';
		err = v ? 0 : ruta_error__oom();
		if (err == 0 && sqlite3_column_type(st, 3) == SQLITE_TEXT)
			snprintf(cs, sizeof(cs), "%s", sqlite3_column_text(st, 3));
		else if (err == 0 && who[0])
			err = ruta_merge__changeset_of(cs, NULL, r, who, hlc, rec, col, v);
		if (err == 0 && json_array_append_new(*out, json_pack("{s:s, s:s, s:O, s:o, s:o}",
				"hlc", hex, "at", at, "value", v, "replica", text_or_null(who),
				"changeset", text_or_null(cs))) < 0)
			err = ruta_error__oom();
		json_decref(v);
		if (err < 0)
			break;
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

static int shown_value(json_t **out, ruta_replica *r, const ruta_tabledef *t, const char *rec,
	const char *col)
{
	char sql[200];
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	*out = NULL;
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = ?1", col, t->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		*out = ruta_json__column(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW && !*out)
		return ruta_error__oom();
	if (!*out)
		*out = json_null();
	return rc < 0 ? rc : 0;
}

static int one_json(json_t *list, ruta_replica *r, sqlite3_stmt *st)
{
	const char *tbl = (const char *)sqlite3_column_text(st, 0);
	const char *rec = (const char *)sqlite3_column_text(st, 1);
	const char *col = (const char *)sqlite3_column_text(st, 2);
	const ruta_tabledef *t = ruta_schema__by_name(tbl);
	json_t *heads = NULL, *chosen = NULL;
	int err;

	if (!t)
		return ruta_error__set(RUTA_ERROR, "a conflict names table '%s', which ruta has not", tbl);
	if ((err = heads_json(&heads, r, tbl, rec, col)) < 0 ||
			(err = shown_value(&chosen, r, t, rec, col)) < 0) {
		json_decref(heads);
		return err;
	}
	if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:o}",
			"id", sqlite3_column_text(st, 3), "table", tbl, "type", t->type, "record", rec,
			"field", col, "policy", sqlite3_column_text(st, 4),
			"review", sqlite3_column_int(st, 5), "opened", sqlite3_column_text(st, 6),
			"chosen", chosen, "heads", heads)) < 0)
		return ruta_error__oom();
	return 0;
}

/* ---- closed conflicts ---------------------------------------------------------- */

/* In an order every replica that saw the same conflicts shares: not by when
 * each closed them here (seq, at). */
static const char closed_sql[] = "SELECT id, tbl, rec, col, policy, heads, chosen, closed_by,"
	" closed_by_replica, at FROM ruta_conflict_closed"
	" ORDER BY tbl, rec, col, closed_by, closed_by_replica, id, seq";

/* The heads as stored ({"hlc", "value", "replica"}), each with its time
 * and an unknown maker as null, as the open ones are listed. */
static int closed_heads(json_t *heads)
{
	json_t *h;
	size_t i;
	json_array_foreach(heads, i, h) {
		const char *who = json_string_value(json_object_get(h, "replica"));
		uint64_t hlc = 0;
		char at[40];
		int err = ruta_hlc__parse(&hlc, json_string_value(json_object_get(h, "hlc")));
		if (err < 0)
			return err;
		ruta_hlc_describe(at, hlc);
		if (json_object_set_new(h, "at", json_string(at)) < 0 ||
				json_object_set_new(h, "replica", text_or_null(who)) < 0)
			return ruta_error__oom();
	}
	return 0;
}

/* Who resolved it, when, and in which changeset (null while not sealed). */
static int resolution(json_t **out, ruta_replica *r, sqlite3_stmt *st, const char *rec,
	const char *col, json_t *chosen)
{
	uint64_t by = (uint64_t)sqlite3_column_int64(st, 7);
	const char *who = (const char *)sqlite3_column_text(st, 8);
	char hex[17], at[40], cs[65] = "";
	int err;
	*out = NULL;
	if (who && *who && (err = ruta_merge__changeset_of(cs, NULL, r, who, by, rec, col,
			chosen)) < 0)
		return err;
	ruta_hlc_format(hex, by);
	ruta_hlc_describe(at, by);
	*out = json_pack("{s:o, s:s, s:s, s:o, s:s}", "replica", text_or_null(who), "hlc", hex,
		"at", at, "changeset", text_or_null(cs), "closed_here", sqlite3_column_text(st, 9));
	return *out ? 0 : ruta_error__oom();
}

static int closed_one(json_t *list, ruta_replica *r, sqlite3_stmt *st)
{
	const char *tbl = (const char *)sqlite3_column_text(st, 1);
	const char *rec = (const char *)sqlite3_column_text(st, 2);
	const char *col = (const char *)sqlite3_column_text(st, 3);
	const ruta_tabledef *t = ruta_schema__by_name(tbl);
	json_t *heads = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
	json_t *chosen = NULL, *by = NULL;
	int err;

	if (!t || !json_is_array(heads)) {
		json_decref(heads);
		return ruta_error__set(RUTA_ERROR, "closed conflict %s is unreadable",
			sqlite3_column_text(st, 0));
	}
	/* 1: heads that agreed, never a conflict */
	if ((err = ruta_merge__agreed(t, col, heads)) != 0)
		goto done;
	if (!(chosen = ruta_json__column(st, 6)))
		err = ruta_error__oom();
	else if ((err = closed_heads(heads)) == 0 &&
			(err = resolution(&by, r, st, rec, col, chosen)) == 0 &&
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:O,"
			" s:O}", "id", sqlite3_column_text(st, 0), "table", tbl, "type", t->type,
			"record", rec, "field", col, "policy", sqlite3_column_text(st, 4), "heads", heads,
			"chosen", chosen, "resolved", by)) < 0)
		err = ruta_error__oom();
done:
	json_decref(heads);
	json_decref(chosen);
	json_decref(by);
	return err < 0 ? err : 0;
}

int ruta_conflicts__closed_json(json_t **out, ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	if (!(*out = json_array()))
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, closed_sql)) < 0) {
		json_decref(*out);
		*out = NULL;
		return err;
	}
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW)
		err = closed_one(*out, r, st);
	sqlite3_reset(st);
	if (err == 0 && rc < 0)
		err = rc;
	if (err < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return err;
}

/* ---- a record deleted on one side and edited on the other ------------------- */

/*
 * Judged from the changesets alone, so every replica judges alike: the
 * record is deleted, and some field's version was made by another replica
 * in a changeset the deleting changeset's maker had not applied (its deps
 * do not reach it). Each such version is a head beside the deletion.
 */

static const char body_sql[] = "SELECT body FROM ruta_changeset WHERE hash = ?1";

static int deps_of(json_t **deps, ruta_replica *r, const char *hash)
{
	sqlite3_stmt *st;
	json_error_t jerr;
	json_t *root = NULL;
	int rc, err;
	*deps = NULL;
	if ((err = ruta_db__stmt(&st, r, body_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		root = json_loadb(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), 0, &jerr);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	*deps = json_incref(json_object_get(root, "deps"));
	json_decref(root);
	return 0;
}

/* 1 if changeset `hash` was made having applied changeset `seq` of `who`. */
static int saw(ruta_replica *r, const char *hash, const char *who, int64_t seq)
{
	json_t *deps = NULL, *dep;
	int err, yes;
	if ((err = deps_of(&deps, r, hash)) < 0)
		return err;
	dep = json_object_get(deps, who);
	yes = dep && json_integer_value(json_object_get(dep, "seq")) >= seq;
	json_decref(deps);
	return yes;
}

/* An edit is a head beside the deletion when neither maker had the
 * other's change: the deletion's deps do not reach the edit, nor the
 * edit's the deletion. */
static int edit_head(json_t *heads, ruta_replica *r, const char *rec, const char *col,
	json_t *value, uint64_t v, const char *deleter, int64_t del_seq, json_t *deps)
{
	char who[72], cs[65], hex[17], at[40];
	int64_t seq = 0;
	json_t *dep;
	int err;
	if ((err = ruta_merge__author_of(who, cs, &seq, r, v, rec, col, value, NULL)) < 0 || !who[0] ||
			strcmp(who, deleter) == 0)
		return err;
	dep = json_object_get(deps, who);
	if (dep && json_integer_value(json_object_get(dep, "seq")) >= seq)
		return 0;   /* the deleter had it */
	if (cs[0] && (err = saw(r, cs, deleter, del_seq)) != 0)
		return err < 0 ? err : 0;   /* made after the deletion, knowing it */
	ruta_hlc_format(hex, v);
	ruta_hlc_describe(at, v);
	if (json_array_append_new(heads, json_pack("{s:s, s:s, s:s, s:O, s:s, s:o}", "field", col,
			"hlc", hex, "at", at, "value", value, "replica", who,
			"changeset", cs[0] ? json_string(cs) : json_null())) < 0)
		return ruta_error__oom();
	return 0;
}

static int by_hlc_text(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "hlc")),
		json_string_value(json_object_get(*(json_t *const *)b, "hlc")));
}

/* The conflict's id: from the record and every head's version, as merge.c's. */
static void dve_id(char out[13], const char *tbl, const char *rec, json_t *heads)
{
	ruta_hasher *h = NULL;
	char hex[65];
	json_t *e;
	size_t i;
	if (ruta_crypto__hasher_new(&h) < 0) {
		snprintf(out, 13, "000000000000");
		return;
	}
	ruta_crypto__hasher_add(h, tbl, strlen(tbl) + 1);
	ruta_crypto__hasher_add(h, rec, strlen(rec) + 1);
	ruta_crypto__hasher_add(h, "deleted_at", 11);
	json_array_foreach(heads, i, e)
		ruta_crypto__hasher_add(h, json_string_value(json_object_get(e, "hlc")), 16);
	ruta_crypto__hasher_done(h, hex);
	snprintf(out, 13, "%.12s", hex);
}

/* Heads in version order: the same list, and id, everywhere. */
static json_t *sorted(json_t *heads)
{
	size_t n = json_array_size(heads), i;
	json_t **v = malloc((n ? n : 1) * sizeof(*v)), *out = json_array();
	if (!v || !out) {
		free(v);
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(heads, i);
	qsort(v, n, sizeof(*v), by_hlc_text);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

static int dve_json(json_t **out, const ruta_tabledef *t, const char *rec, json_t *del_value,
	uint64_t del_v, const char *who, const char *cs, json_t *edits)
{
	char hex[17], at[40], id[13];
	json_t *heads;
	ruta_hlc_format(hex, del_v);
	ruta_hlc_describe(at, del_v);
	if (json_array_append_new(edits, json_pack("{s:s, s:s, s:s, s:O, s:s, s:s}", "field",
			"deleted_at", "hlc", hex, "at", at, "value", del_value, "replica", who,
			"changeset", cs)) < 0 || !(heads = sorted(edits)))
		return ruta_error__oom();
	dve_id(id, t->name, rec, heads);
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:O, s:o}", "id", id,
		"table", t->name, "type", t->type, "record", rec, "field", "deleted_at",
		"policy", "delete-vs-edit", "review", 1, "opened", json_string_value(json_object_get(
		json_array_get(heads, json_array_size(heads) - 1), "at")), "chosen", del_value,
		"heads", heads);
	return *out ? 0 : ruta_error__oom();
}

/* *out: the conflict as listed, or NULL if there is none on this record. */
static int judge(json_t **out, ruta_replica *r, const ruta_tabledef *t, const char *rec)
{
	char sql[2048], who[72], cs[65];
	json_t *deps = NULL, *edits = NULL, *del = NULL, *v;
	uint64_t del_v;
	int64_t seq = 0;
	sqlite3_stmt *st = NULL;
	size_t i, len;
	int rc, err;

	*out = NULL;
	len = (size_t)snprintf(sql, sizeof(sql), "SELECT deleted_at, deleted_at__v");
	for (i = 0; i < t->ncols && len < sizeof(sql) - 200; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s, %s__v", t->cols[i].name,
			t->cols[i].name);
	snprintf(sql + len, sizeof(sql) - len, " FROM %s WHERE id = ?1 AND deleted_at IS NOT NULL",
		t->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc < 0 ? rc : 0;
	}
	del_v = (uint64_t)sqlite3_column_int64(st, 1);
	/* a deletion made here and not sealed yet saw everything here */
	if (!(del = ruta_json__column(st, 0))) {
		err = ruta_error__oom();
		goto done;
	}
	if ((err = ruta_merge__author_of(who, cs, &seq, r, del_v, rec, "deleted_at", del, NULL)) < 0 ||
			!who[0] || !cs[0] ||
			(err = deps_of(&deps, r, cs)) < 0)
		goto done;
	if (!(edits = json_array())) {
		err = ruta_error__oom();
		goto done;
	}
	for (i = 0; i < t->ncols && err == 0; i++) {
		uint64_t ver = (uint64_t)sqlite3_column_int64(st, 3 + 2 * (int)i);
		if (ver == 0 || (t->cols[i].flags & RUTA_F_DERIVED))
			continue;
		if (!(v = ruta_json__column(st, 2 + 2 * (int)i)))
			err = ruta_error__oom();
		else
			err = edit_head(edits, r, rec, t->cols[i].name, v, ver, who, seq, deps);
		json_decref(v);
	}
	if (err == 0 && json_array_size(edits) > 0)
		err = dve_json(out, t, rec, del, del_v, who, cs, edits);
done:
	sqlite3_reset(st);
	json_decref(deps);
	json_decref(edits);
	json_decref(del);
	return err;
}

static const char candidates_sql[] = "SELECT tbl, rec FROM ruta_dve ORDER BY tbl, rec";

/* Every update-against-delete conflict, each to cb, in (table, record) order. */
typedef int (*dve_cb)(json_t *conflict, void *payload);

static const char settled_sql[] = "DELETE FROM ruta_dve WHERE tbl = ?1 AND rec = ?2";

/*
 * After an apply, a candidate judged to be no conflict is dropped, so the
 * candidates stay few however many records are ever deleted: the verdict
 * changes only when the record's versions do, and every change applied to
 * a deleted record, and every deletion, marks it again (merge.c,
 * journal.c). Reading conflicts writes nothing.
 */
static int drop_settled(ruta_replica *r, json_t *settled)
{
	sqlite3_stmt *st;
	json_t *e;
	size_t i;
	int rc, err;
	json_array_foreach(settled, i, e) {
		if ((err = ruta_db__stmt(&st, r, settled_sql)) < 0)
			return err;
		sqlite3_bind_text(st, 1, json_string_value(json_array_get(e, 0)), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, json_string_value(json_array_get(e, 1)), -1, SQLITE_STATIC);
		rc = ruta_db__step(r, st);
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int each_dve(ruta_replica *r, dve_cb cb, void *payload, int prune)
{
	json_t *settled = json_array();
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	if (!settled)
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, candidates_sql)) < 0) {
		json_decref(settled);
		return err;
	}
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const ruta_tabledef *t = ruta_schema__by_name((const char *)sqlite3_column_text(st, 0));
		char rec[80];
		json_t *c = NULL;
		snprintf(rec, sizeof(rec), "%s", sqlite3_column_text(st, 1));
		if (t && (err = judge(&c, r, t, rec)) == 0 && c)
			err = cb(c, payload);
		else if (t && err == 0 && json_array_append_new(settled, json_pack("[s, s]", t->name, rec)) < 0)
			err = ruta_error__oom();
		json_decref(c);
	}
	sqlite3_reset(st);
	if (err == 0 && rc != SQLITE_DONE)
		err = ruta_error__sqlite(r->db, rc, "listing conflicts");
	if (err >= 0 && prune && json_array_size(settled) && (rc = drop_settled(r, settled)) < 0)
		err = rc;
	json_decref(settled);
	return err;
}

typedef struct dve_filter {
	json_t *list;
	const char *match;   /* an id or a record id, or NULL */
	int64_t count;
} dve_filter;

static int dve_add(json_t *c, void *payload)
{
	dve_filter *f = payload;
	if (f->match && strcmp(f->match, json_string_value(json_object_get(c, "id"))) != 0 &&
			strcmp(f->match, json_string_value(json_object_get(c, "record"))) != 0)
		return 0;
	f->count++;
	return f->list && json_array_append(f->list, c) < 0 ? ruta_error__oom() : 0;
}

static int by_place(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	static const char *const keys[] = { "table", "record", "field", "id" };
	size_t i;
	for (i = 0; i < 4; i++) {
		int c = strcmp(json_string_value(json_object_get(x, keys[i])),
			json_string_value(json_object_get(y, keys[i])));
		if (c)
			return c;
	}
	return 0;
}

/* Both kinds in one order: table, record, field. */
static int sort_list(json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return ruta_error__oom();
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof(*v), by_place);
	json_array_clear(list);
	for (i = 0; i < n; i++)
		json_array_append_new(list, v[i]);
	free(v);
	return 0;
}

int ruta_conflicts_json(char **out, ruta_replica *r, const char *record)
{
	json_t *doc = json_object(), *list = json_array();
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = 0;

	ruta_error__clear();
	*out = NULL;
	/* an edit not stamped yet may have decided a conflict already */
	if ((err = ruta_journal__stamp(r)) < 0) {
		json_decref(doc);
		json_decref(list);
		return err;
	}
	if (!doc || !list || json_object_set_new(doc, "schema", json_integer(1)) < 0 ||
			json_object_set(doc, "conflicts", list) < 0) {
		json_decref(doc);
		json_decref(list);
		return ruta_error__oom();
	}
	if ((err = ruta_db__stmt(&st, r, list_sql)) == 0) {
		if (record)
			sqlite3_bind_text(st, 1, record, -1, SQLITE_STATIC);
		while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW)
			err = one_json(list, r, st);
		sqlite3_reset(st);
		if (err == 0 && rc < 0)
			err = rc;
	}
	if (err == 0) {
		dve_filter f = { list, record, 0 };
		err = each_dve(r, dve_add, &f, 0);
	}
	if (err == 0)
		err = sort_list(list);
	if (err == 0 && record && json_array_size(list) == 0)
		err = ruta_error__set(RUTA_ENOTFOUND, "no open conflict has the id '%s', nor is one on "
			"a record of that id (see ruta conflicts list)", record);
	if (err == 0 && !(*out = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT)))
		err = ruta_error__oom();
	json_decref(list);
	json_decref(doc);
	return err;
}

static int count_sql(int64_t *count, ruta_replica *r, const char *sql)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* All rows less those whose heads agree: a count(*) of a whole table is read
 * from its smallest index's pages, not row by row, and the few agreeing rows
 * are found by the review index. */
static int count_open(int64_t *count, ruta_replica *r, int prune)
{
	int64_t agreed = 0;
	int err;
	*count = 0;
	if ((err = ruta_journal__stamp(r)) < 0 ||
			(err = count_sql(count, r, "SELECT count(*) FROM ruta_conflict")) < 0 ||
			(err = count_sql(&agreed, r, "SELECT count(*) FROM ruta_conflict WHERE review < 0")) < 0)
		return err;
	*count -= agreed;
	{
		dve_filter f = { NULL, NULL, 0 };
		err = each_dve(r, dve_add, &f, prune);
		*count += f.count;
	}
	return err;
}

int ruta_conflicts_open(int64_t *count, ruta_replica *r)
{
	ruta_error__clear();
	return count_open(count, r, 0);
}

int ruta_conflicts__open_after_apply(int64_t *count, ruta_replica *r)
{
	return count_open(count, r, 1);
}

/* ---- resolving -------------------------------------------------------------- */

typedef struct target {
	const ruta_tabledef *t;
	char rec[80], col[64];
} target;

static const char find_sql[] = "SELECT tbl, rec, col FROM ruta_conflict WHERE id = ?1"
	" AND review >= 0";

static int dve_target(json_t *c, void *payload)
{
	target *x = payload;
	x->t = ruta_schema__by_name(json_string_value(json_object_get(c, "table")));
	snprintf(x->rec, sizeof(x->rec), "%s", json_string_value(json_object_get(c, "record")));
	snprintf(x->col, sizeof(x->col), "deleted_at");
	return 1;   /* found: stop */
}

/* 0 if `id` is an update-against-delete conflict (x filled), 1 if not. */
static int find_dve(target *x, ruta_replica *r, const char *id)
{
	json_t *list = json_array();
	dve_filter f = { list, id, 0 };
	json_t *c;
	size_t i;
	int err;
	if (!list)
		return ruta_error__oom();
	err = each_dve(r, dve_add, &f, 0);
	json_array_foreach(list, i, c)
		if (err == 0 && strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
			err = dve_target(c, x) == 1 ? 2 : 0;
	json_decref(list);
	return err < 0 ? err : err == 2 ? 0 : 1;
}

static int find(target *x, ruta_replica *r, const char *id)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	if (!id || !*id)
		return ruta_error__set(RUTA_EINVALID, "give a conflict id (see ruta conflicts list)");
	if ((err = ruta_db__stmt(&st, r, find_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		x->t = ruta_schema__by_name((const char *)sqlite3_column_text(st, 0));
		snprintf(x->rec, sizeof(x->rec), "%s", sqlite3_column_text(st, 1));
		snprintf(x->col, sizeof(x->col), "%s", sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE && (err = find_dve(x, r, id)) != 0)
		return err < 0 ? err : ruta_error__set(RUTA_ENOTFOUND, "no open conflict has the id "
			"'%s' (see ruta conflicts list; one already resolved is gone from it)", id);
	if (rc == SQLITE_DONE)
		return 0;
	return rc < 0 ? rc : x->t ? 0 : ruta_error__set(RUTA_ERROR, "conflict %s names an "
		"unknown table", id);
}

static const char log_sql[] = "INSERT INTO ruta_change(tbl, rec, op, col, val, base, t)"
	" SELECT ?1, ?2, 'u', ?3, %s, 0, CAST(round((julianday('now') - 2440587.5) * 86400000)"
	" AS INTEGER) FROM %s WHERE id = ?2";

/* The value the record shows, written again as a change of its own. */
static int log_current(ruta_replica *r, const target *x)
{
	char sql[400];
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	snprintf(sql, sizeof(sql), log_sql, x->col, x->t->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, x->t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->col, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static const char head_value_sql[] = "SELECT value FROM ruta_conflict_head WHERE tbl = ?1"
	" AND rec = ?2 AND col = ?3 AND CAST(value AS TEXT) IS ?4 LIMIT 1";

/* 1 if `value` is one of the heads' values, as text ("" for an empty one). */
static int head_has(sqlite3_value **out, ruta_replica *r, const target *x, const char *value)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	*out = NULL;
	if ((err = ruta_db__stmt(&st, r, head_value_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, x->t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->col, -1, SQLITE_STATIC);
	if (*value)
		sqlite3_bind_text(st, 4, value, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW && !(*out = sqlite3_value_dup(sqlite3_column_value(st, 0))))
		rc = ruta_error__oom();
	sqlite3_reset(st);
	return rc < 0 ? rc : rc == SQLITE_ROW;
}

static int set_value(ruta_replica *r, const target *x, sqlite3_value *v);

/* Sets the field to a value one of the heads holds. A status may only move
 * forward when a person edits it, but a resolution may take the other side:
 * the write then bypasses the rules (and so the capture), and the decision
 * is logged as is by the caller. A stage keeps its rules (lost needs a
 * reason), which also keep the stage history. */
static int set_head_value(ruta_replica *r, const target *x, sqlite3_value *v)
{
	const ruta_coldef *c = ruta_schema__col(x->t, x->col);
	int verb = c && (c->flags & RUTA_F_VERB) && strcmp(x->col, "stage") != 0, err, e2;
	if (verb && (err = ruta_db__exec(r->db, "UPDATE ruta_sync_state SET applying = 1 WHERE k = 0")) < 0)
		return err;
	err = set_value(r, x, v);
	if (verb && (e2 = ruta_db__exec(r->db, "UPDATE ruta_sync_state SET applying = 0 WHERE k = 0")) < 0 &&
			err == 0)
		err = e2;
	return err;
}

static int set_value(ruta_replica *r, const target *x, sqlite3_value *v)
{
	char sql[200];
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?2 WHERE id = ?1", x->t->name, x->col);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, x->rec, -1, SQLITE_STATIC);
	if (v)
		sqlite3_bind_value(st, 2, v);
	else
		sqlite3_bind_null(st, 2);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ruta_error__sqlite(r->db, rc, "resolving");
	return 0;
}

static const char max_seq_sql[] = "SELECT coalesce(max(seq), 0) FROM ruta_change";

static int last_change(int64_t *seq, ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	if ((err = ruta_db__stmt(&st, r, max_seq_sql)) < 0)
		return err;
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* A value typed by a person goes through the record's own checks. */
static int set_typed_value(ruta_replica *r, const target *x, const char *value)
{
	const ruta_coldef *c = ruta_schema__col(x->t, x->col);
	ruta_field f;
	if (!c || strcmp(x->col, "deleted_at") == 0)
		return ruta_error__set(RUTA_EINVALID, "choose one of the conflicting values of %s (see "
			"ruta conflicts show)", x->col);
	f.name = c->api ? c->api : c->name;
	f.value = value;
	return ruta_record_edit(NULL, r, x->t->type, x->rec, &f, 1);
}

/* How a value given for conflict x is set: 1 a head's, 2 typed (checked as
 * an edit is), 0 none given or deleted/restored. */
static int kind_of(sqlite3_value **v, ruta_replica *r, const target *x, const char *value)
{
	const ruta_coldef *c;
	int is_head;
	*v = NULL;
	if (!value || strcmp(x->col, "deleted_at") == 0)
		return 0;
	if ((is_head = head_has(v, r, x, value)) < 0)
		return is_head;
	/* a field a person may edit goes through the edit's checks and
	 * normalization (a tax id's normalized form follows), a head or not;
	 * but a head's amount is in minor units, as listed, and taken as is */
	c = ruta_schema__col(x->t, x->col);
	return is_head && !(c && (c->flags & RUTA_F_EDIT) && c->kind != RUTA_K_MONEY) ? 1 : 2;
}

static const char unit_head_sql[] = "SELECT hlc, replica FROM ruta_conflict_head WHERE tbl = ?1"
	" AND rec = ?2 AND col = ?3 AND CAST(value AS TEXT) IS ?4 ORDER BY hlc DESC, replica DESC"
	" LIMIT 1";
static const char unit_value_sql[] = "SELECT value FROM ruta_conflict_head WHERE tbl = ?1"
	" AND rec = ?2 AND col = ?3 AND hlc = ?4 AND replica = ?5";

/* The value the same change gave field `col` of x's record, if it is a head. */
static int unit_value(sqlite3_value **out, ruta_replica *r, const target *x, const char *col,
	sqlite3_int64 hlc, const char *replica)
{
	sqlite3_stmt *st;
	int rc, err;
	*out = NULL;
	if ((err = ruta_db__stmt(&st, r, unit_value_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, x->t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, hlc);
	sqlite3_bind_text(st, 5, replica, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW &&
			!(*out = sqlite3_value_dup(sqlite3_column_value(st, 0))))
		rc = ruta_error__oom();
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* A head taken for a field of a group (amount and currency, an address)
 * takes the rest of its group from the same change: the newest head with
 * that value, as the policy would order them (docs/merge.md §1.6). */
static int take_unit(ruta_replica *r, const target *x, const char *value)
{
	const char *const *group = ruta_merge__group(x->t->name, x->col);
	char replica[80];
	sqlite3_stmt *st;
	sqlite3_int64 hlc = 0;
	size_t k;
	int rc, err = 0;

	if (!group || !value || (err = ruta_db__stmt(&st, r, unit_head_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, x->t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->col, -1, SQLITE_STATIC);
	if (*value)
		sqlite3_bind_text(st, 4, value, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		hlc = sqlite3_column_int64(st, 0);
		snprintf(replica, sizeof(replica), "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc < 0 ? rc : 0;   /* a value typed anew: the rest stays as shown */
	for (k = 0; err == 0 && group[k]; k++) {
		target y = *x;
		sqlite3_value *v = NULL;
		if (strcmp(group[k], x->col) == 0)
			continue;
		snprintf(y.col, sizeof(y.col), "%s", group[k]);
		if ((err = unit_value(&v, r, x, group[k], hlc, replica)) == 0 && v)
			err = set_value(r, &y, v);
		sqlite3_value_free(v);
	}
	return err;
}

/* In the caller's transaction; `before` is the log's last seq before any
 * edit made for this resolution. */
static int resolve_locked(ruta_replica *r, const target *x, const char *value, int64_t before)
{
	sqlite3_value *v = NULL;
	int64_t after = 0;
	int err = 0, kind;

	if ((kind = kind_of(&v, r, x, value)) < 0)
		return kind;
	if (value && strcmp(x->col, "deleted_at") == 0)
		err = strcmp(value, "restored") == 0 ? set_head_value(r, x, NULL) :
			strcmp(value, "deleted") == 0 ? 0 : ruta_error__set(RUTA_EINVALID, "a record deleted "
			"on one side and edited on the other is resolved with 'deleted' or 'restored', "
			"not '%s'", value);
	else if (kind == 1)
		err = set_head_value(r, x, v);
	sqlite3_value_free(v);
	if (err == 0)
		err = take_unit(r, x, value);
	if (err < 0 || (err = last_change(&after, r)) < 0)
		return err;
	/* the same value as shown: nothing fired, so the decision is logged as is */
	if (after == before && (err = log_current(r, x)) < 0)
		return err;
	return ruta_journal__stamp_locked(r);
}

/* A value typed by a person is set by ruta_record_edit, in its own
 * transaction, before the resolution's. */
static int typed_first(int64_t *before, ruta_replica *r, const char *id, const char *value)
{
	sqlite3_value *v = NULL;
	target x;
	int err, kind;

	memset(&x, 0, sizeof(x));
	if ((err = find(&x, r, id)) < 0 || (err = last_change(before, r)) < 0)
		return err;
	if ((kind = kind_of(&v, r, &x, value)) < 0)
		return kind;
	sqlite3_value_free(v);
	return kind == 2 ? set_typed_value(r, &x, value) : 0;
}

int ruta_resolve(ruta_replica *r, const char *id, const char *value)
{
	int64_t before = 0;
	target x;
	int err;
	ruta_error__clear();
	memset(&x, 0, sizeof(x));
	if ((err = typed_first(&before, r, id, value)) < 0)
		return err;
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = find(&x, r, id)) == 0)
		err = resolve_locked(r, &x, value, before);
	if (err == 0)
		return ruta_db__commit(r);
	ruta_db__rollback(r);
	return err;
}

static const char all_sql[] = "SELECT id FROM ruta_conflict WHERE review >= 0"
	" AND (?1 IS NULL OR tbl = ?1) ORDER BY tbl, rec, col";

/* The ids of every open conflict (of table t, or all), both kinds. */
static int all_ids(json_t *ids, ruta_replica *r, const ruta_tabledef *t)
{
	json_t *list = json_array(), *c;
	dve_filter f = { list, NULL, 0 };
	sqlite3_stmt *st;
	size_t k;
	int rc = SQLITE_DONE, err;

	if (!list)
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, all_sql)) == 0) {
		if (t)
			sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
		while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW)
			if (json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0))) < 0)
				err = ruta_error__oom();
		sqlite3_reset(st);
		if (err == 0 && rc < 0)
			err = rc;
	}
	if (err == 0 && (err = each_dve(r, dve_add, &f, 0)) == 0)
		json_array_foreach(list, k, c)
			if ((!t || strcmp(t->name, json_string_value(json_object_get(c, "table"))) == 0) &&
					json_array_append(ids, json_object_get(c, "id")) < 0)
				err = ruta_error__oom();
	json_decref(list);
	return err;
}

int ruta_resolve_all(int64_t *count, ruta_replica *r, const char *table)
{
	const ruta_tabledef *t = NULL;
	json_t *ids = json_array(), *id;
	size_t i;
	int err = 0;

	ruta_error__clear();
	*count = 0;
	if (!ids)
		return ruta_error__oom();
	if ((table && (err = ruta_record__table(&t, table)) < 0) || (err = ruta_db__begin(r)) < 0) {
		json_decref(ids);
		return err;
	}
	err = all_ids(ids, r, t);
	json_array_foreach(ids, i, id) {
		int64_t before = 0;
		target x;
		if (err != 0)
			break;
		memset(&x, 0, sizeof(x));
		if ((err = find(&x, r, json_string_value(id))) == RUTA_ENOTFOUND) {
			/* closed already, by the resolution of another field of its group */
			ruta_error__clear();
			err = 0;
			(*count)++;
			continue;
		}
		if (err == 0 &&
				(err = last_change(&before, r)) == 0 &&
				(err = resolve_locked(r, &x, NULL, before)) == 0)
			(*count)++;
	}
	json_decref(ids);
	if (err == 0)
		return ruta_db__commit(r);
	ruta_db__rollback(r);
	*count = 0;
	return err;
}
