/*
 * blame.c - who set each field of a record, when, in which changeset, and
 * which competing values that version overrode in conflicts.
 *
 * Invariants:
 *  - Read only: nothing but the pending log is stamped (as for listing
 *    conflicts), so a blame never changes the CRM.
 *  - The document depends on the changesets a replica holds and the
 *    conflicts it saw, never on local clocks or on when a conflict closed
 *    here, and every list is sorted, so replicas that applied the same
 *    changes print the same bytes.
 *  - The maker and changeset of a version are found as the merge finds them
 *    (ruta_merge__author_of): empty when the version is older than this
 *    replica's history (a snapshot), which the document says with nulls.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changeset.h"
#include "journal.h"
#include "merge.h"
#include "record.h"
#include "schema.h"

static const char open_heads_sql[] = "SELECT hlc, value, replica FROM ruta_conflict_head"
	" WHERE tbl = ?1 AND rec = ?2 AND col = ?3";
static const char closed_heads_sql[] = "SELECT heads FROM ruta_conflict_closed"
	" WHERE tbl = ?1 AND rec = ?2 AND col = ?3";

static json_t *text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* Adds one overridden head, unless it is the field's own version or listed. */
static int add_head(json_t *list, uint64_t hlc, json_t *value, const char *replica, int open,
	uint64_t cur_v, json_t *cur)
{
	char hex[17], at[40];
	json_t *h;
	size_t i;

	if (hlc == cur_v && json_equal(value, cur))
		return 0;
	ruta_hlc_format(hex, hlc);
	json_array_foreach(list, i, h) {
		json_t *who = json_object_get(h, "replica");
		if (strcmp(json_string_value(json_object_get(h, "hlc")), hex) == 0 &&
				json_equal(json_object_get(h, "value"), value) &&
				(json_is_string(who) ? replica && strcmp(json_string_value(who), replica) == 0 :
				!replica || !*replica)) {
			if (open)   /* still open here beats closed before */
				json_object_set_new(h, "open", json_true());
			return 0;
		}
	}
	ruta_hlc_describe(at, hlc);
	if (json_array_append_new(list, json_pack("{s:s, s:s, s:O, s:o, s:b}", "hlc", hex, "at", at,
			"value", value, "replica", text_or_null(replica), "open", open)) < 0)
		return ruta_error__oom();
	return 0;
}

static int head_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_t *rx = json_object_get(x, "replica"), *ry = json_object_get(y, "replica");
	int c = strcmp(json_string_value(json_object_get(x, "hlc")),
		json_string_value(json_object_get(y, "hlc")));
	if (c)
		return c;
	return strcmp(json_is_string(rx) ? json_string_value(rx) : "",
		json_is_string(ry) ? json_string_value(ry) : "");
}

/* The list sorted by version, then maker: arrival order differs by replica. */
static int sort_heads(json_t **out, json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **v = n ? malloc(n * sizeof(*v)) : NULL, *sorted = json_array();
	int err = 0;

	if ((n && !v) || !sorted) {
		free(v);
		json_decref(sorted);
		return ruta_error__oom();
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	if (n > 1)
		qsort(v, n, sizeof(*v), head_cmp);
	for (i = 0; i < n && err == 0; i++)
		if (json_array_append(sorted, v[i]) < 0)
			err = ruta_error__oom();
	free(v);
	if (err < 0) {
		json_decref(sorted);
		return err;
	}
	*out = sorted;
	return 0;
}

/* The heads of the field's open conflict and of every conflict closed on it. */
static int overridden(json_t **out, ruta_replica *r, const ruta_tabledef *t, const char *rec,
	const char *col, uint64_t cur_v, json_t *cur)
{
	json_t *list = json_array();
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = 0;

	*out = NULL;
	if (!list)
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, open_heads_sql)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		json_t *v = ruta_json__column(st, 1);
		err = v ? add_head(list, (uint64_t)sqlite3_column_int64(st, 0), v,
			(const char *)sqlite3_column_text(st, 2), 1, cur_v, cur) : ruta_error__oom();
		json_decref(v);
	}
	sqlite3_reset(st);
	if (err < 0 || rc < 0) {
		err = err < 0 ? err : rc;
		goto done;
	}
	if ((err = ruta_db__stmt(&st, r, closed_heads_sql)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		json_error_t jerr;
		json_t *heads = json_loads((const char *)sqlite3_column_text(st, 0), 0, &jerr), *h;
		size_t i;
		if (!json_is_array(heads)) {
			json_decref(heads);
			err = ruta_error__set(RUTA_ERROR, "a closed conflict on %s %s %s has unreadable "
				"heads", t->label, rec, col);
			break;
		}
		json_array_foreach(heads, i, h) {
			uint64_t hlc;
			json_t *who = json_object_get(h, "replica");
			if ((err = ruta_hlc__parse(&hlc, json_string_value(json_object_get(h, "hlc")))) < 0 ||
					(err = add_head(list, hlc, json_object_get(h, "value"),
					json_is_string(who) ? json_string_value(who) : NULL, 0, cur_v, cur)) < 0)
				break;
		}
		json_decref(heads);
	}
	sqlite3_reset(st);
	if (err == 0 && rc < 0)
		err = rc;
	if (err == 0)
		err = sort_heads(out, list);
done:
	json_decref(list);
	return err;
}

/* One field's entry, or nothing (*out NULL) if the field has no version. */
static int field_json(json_t **out, ruta_replica *r, const ruta_tabledef *t, const char *rec,
	const char *col)
{
	char sql[200], hex[17], at[40], who[72], cs[65];
	json_t *value = NULL, *over = NULL;
	sqlite3_stmt *st;
	uint64_t ver = 0;
	int rc, err;

	*out = NULL;
	snprintf(sql, sizeof(sql), "SELECT %s, %s__v FROM %s WHERE id = ?1", col, col, t->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL) {
		ver = (uint64_t)sqlite3_column_int64(st, 1);
		if (!(value = ruta_json__column(st, 0)))
			err = ruta_error__oom();
	}
	sqlite3_reset(st);
	if (err < 0 || rc < 0)
		return err < 0 ? err : rc;
	if (ver == 0) {
		json_decref(value);
		return 0;
	}
	ruta_hlc_format(hex, ver);
	ruta_hlc_describe(at, ver);
	if ((err = ruta_merge__author_of(who, cs, NULL, r, ver, rec, col, value, NULL)) < 0 ||
			(err = overridden(&over, r, t, rec, col, ver, value)) < 0) {
		json_decref(value);
		return err;
	}
	if (!(*out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "field", col, "hlc", hex,
			"at", at, "value", value, "replica", text_or_null(who), "changeset",
			text_or_null(cs), "overridden", over)))
		return ruta_error__oom();
	return 0;
}

static int add_field(json_t *list, ruta_replica *r, const ruta_tabledef *t, const char *rec,
	const char *col)
{
	json_t *f = NULL;
	int err = field_json(&f, r, t, rec, col);
	if (err == 0 && f && json_array_append_new(list, f) < 0)
		err = ruta_error__oom();
	return err;
}

int ruta_blame_json(char **out, ruta_replica *r, const char *type, const char *id)
{
	const ruta_tabledef *t;
	json_t *doc = NULL, *list = NULL;
	char *full = NULL;
	size_t i;
	int err;

	ruta_error__clear();
	*out = NULL;
	if ((err = ruta_record__table(&t, type)) < 0)
		return err;
	/* a local edit not stamped yet has no version to blame */
	if ((err = ruta_journal__stamp(r)) < 0 || (err = ruta_record__resolve(&full, r, t, id)) < 0)
		return err;
	if (!(list = json_array())) {
		err = ruta_error__oom();
		goto done;
	}
	if ((err = add_field(list, r, t, full, "created_at")) < 0)
		goto done;
	for (i = 0; i < t->ncols && err == 0; i++)
		err = add_field(list, r, t, full, t->cols[i].name);
	if (err == 0)
		err = add_field(list, r, t, full, "deleted_at");
	if (err < 0)
		goto done;
	if (!(doc = json_pack("{s:i, s:s, s:s, s:O}", "schema", 1, "type", t->type, "record", full,
			"fields", list)) || !(*out = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT)))
		err = ruta_error__oom();
done:
	json_decref(doc);
	json_decref(list);
	free(full);
	return err;
}
