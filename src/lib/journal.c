/*
 * journal.c - the local change log: stamping captured changes with versions,
 * and reading them back.
 *
 * The capture triggers (schema.c) only append a row per changed field with
 * the wall clock `t`; they cannot compute an HLC because triggers must run in
 * any program's SQLite, which lacks our functions. Stamping, done here in one
 * IMMEDIATE transaction, walks the new rows in log order and gives each
 * ver = hlc_next(last, t, current version of the field), records that current
 * version as the change's base, and writes ver into the row's `col__v`.
 * Writing only `col__v` fires no capture trigger, so stamping is not captured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "merge.h"
#include "schema.h"

#define BATCH 512

typedef struct pending {
	int64_t seq;
	int64_t t;
	const ruta_tabledef *table;
	char col[64];
	char rec[72];
} pending;

static const char state_sql[] = "SELECT hlc, stamped_seq FROM ruta_sync_state WHERE k = 0";
static const char pending_sql[] =
	"SELECT seq, tbl, rec, col, t FROM ruta_change WHERE seq > ?1 ORDER BY seq LIMIT ?2";
static const char stamp_row_sql[] = "UPDATE ruta_change SET ver = ?2, base = ?3 WHERE seq = ?1";
static const char save_state_sql[] =
	"UPDATE ruta_sync_state SET hlc = ?1, stamped_seq = ?2 WHERE k = 0";

static int read_pending(pending *out, size_t *count, ruta_replica *r, int64_t after)
{
	sqlite3_stmt *st;
	int rc, err;

	*count = 0;
	if ((err = ruta_db__stmt(&st, r, pending_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, BATCH);
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		pending *p = &out[*count];
		const char *tbl = (const char *)sqlite3_column_text(st, 1);
		const char *rec = (const char *)sqlite3_column_text(st, 2);
		const char *col = (const char *)sqlite3_column_text(st, 3);
		p->seq = sqlite3_column_int64(st, 0);
		p->t = sqlite3_column_int64(st, 4);
		p->table = tbl ? ruta_schema__by_name(tbl) : NULL;
		/* Only the triggers write this table, but any program could; a row
		 * that names no captured field is refused rather than guessed at. */
		if (!p->table || !col || !rec || !ruta_schema__synced(p->table, col) ||
				strlen(col) >= sizeof(p->col) || strlen(rec) >= sizeof(p->rec)) {
			err = ruta_error__set(RUTA_ERROR, "change log entry %lld names no field "
				"ruta captures (%.64s.%.64s); the log was written by something other "
				"than ruta", (long long)p->seq, tbl ? tbl : "?", col ? col : "?");
			sqlite3_reset(st);   /* after the message: it invalidates tbl and col */
			return err;
		}
		strcpy(p->col, col);
		strcpy(p->rec, rec);
		(*count)++;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int field_version(uint64_t *out, ruta_replica *r, const pending *p)
{
	char sql[256];
	sqlite3_stmt *st;
	sqlite3_int64 v;
	int rc, err;

	snprintf(sql, sizeof(sql), "SELECT %s__v FROM %s WHERE id = ?1", p->col, p->table->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, p->rec, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	/* Only ruta writes versions; one outside the clock's range would drag
	 * every later version with it, so it is refused, not followed. */
	if (v < 0 || (uint64_t)v > RUTA_HLC_MAX_SANE)
		return ruta_error__set(RUTA_ERROR, "%s %s %s has version %lld, which ruta never "
			"writes; another program changed %s__v", p->table->name, p->rec, p->col,
			(long long)v, p->col);
	*out = (uint64_t)v;
	return 0;
}

static int stamp_one(ruta_replica *r, const pending *p, uint64_t ver, uint64_t base)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc, err;

	snprintf(sql, sizeof(sql), "UPDATE %s SET %s__v = ?2 WHERE id = ?1", p->table->name, p->col);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, p->rec, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ver);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if ((err = ruta_db__stmt(&st, r, stamp_row_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, p->seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ver);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)base);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int read_state(uint64_t *hlc, int64_t *stamped, ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, state_sql)) < 0)
		return err;
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		*hlc = (uint64_t)sqlite3_column_int64(st, 0);
		*stamped = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return ruta_error__set(RUTA_ERROR, "the replica has no sync state");
	return rc < 0 ? rc : 0;
}

static int save_state(ruta_replica *r, uint64_t hlc, int64_t stamped)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, save_state_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)hlc);
	sqlite3_bind_int64(st, 2, stamped);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int any_conflict(int *yes, ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, "SELECT EXISTS (SELECT 1 FROM ruta_conflict)")) < 0)
		return err;
	rc = ruta_db__step(r, st);
	*yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* A person who edits a field in conflict has decided it. */
static int local_conflict(ruta_replica *r, int conflicts, const pending *p, uint64_t ver)
{
	return conflicts ? ruta_merge__local(r, p->table, p->rec, p->col, p->seq, ver) : 0;
}

static int stamp_batches(ruta_replica *r, pending *buf)
{
	uint64_t last = 0, cur = 0, ver;
	int64_t stamped = 0;
	unsigned salt;
	const char *id;
	size_t n, i;
	int conflicts = 0, err;

	if ((err = read_state(&last, &stamped, r)) < 0 || (err = any_conflict(&conflicts, r)) < 0)
		return err;
	for (salt = 0, id = r->id; *id; id++)   /* FNV-1a, folded to a byte */
		salt = (salt ^ (unsigned char)*id) * 16777619u;
	salt = (salt ^ (salt >> 8) ^ (salt >> 16) ^ (salt >> 24)) & 0xff;
	do {
		if ((err = read_pending(buf, &n, r, stamped)) < 0)
			return err;
		for (i = 0; i < n; i++) {
			if ((err = field_version(&cur, r, &buf[i])) < 0)
				return err;
			ver = ruta_hlc__next_own(last, buf[i].t, cur, salt);
			if ((err = stamp_one(r, &buf[i], ver, cur)) < 0)
				return err;
			if ((err = local_conflict(r, conflicts, &buf[i], ver)) < 0 ||
					(strcmp(buf[i].col, "deleted_at") == 0 &&
					(err = ruta_merge__mark(r, buf[i].table, buf[i].rec)) < 0))
				return err;
			last = ver;
			stamped = buf[i].seq;
		}
	} while (n == BATCH);
	return save_state(r, last, stamped);
}

int ruta_journal__stamp_locked(ruta_replica *r)
{
	pending *buf = malloc(sizeof(pending) * BATCH);
	int err;
	if (!buf)
		return ruta_error__oom();
	err = stamp_batches(r, buf);
	free(buf);
	return err;
}

int ruta_journal__stamp(ruta_replica *r)
{
	int err;
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = ruta_journal__stamp_locked(r)) == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	return err;
}

/* ---- reading the log ---------------------------------------------------- */

struct ruta_change_iter {
	ruta_replica *r;
	sqlite3_stmt *st;
	char hlcbuf[32];
};

/* Stamped rows only: a program may add rows between the stamp and the read. */
static const char local_sql[] =
	"SELECT seq, tbl, rec, op, col, val, ver, base, t FROM ruta_change"
	" WHERE seq > (SELECT exported_seq FROM ruta_sync_state WHERE k = 0)"
	" AND seq <= (SELECT stamped_seq FROM ruta_sync_state WHERE k = 0) ORDER BY seq";

int ruta_changes_local(ruta_change_iter **out, ruta_replica *r)
{
	ruta_change_iter *it;
	int rc, err;

	ruta_error__clear();
	*out = NULL;
	if ((err = ruta_journal__stamp(r)) < 0)
		return err;
	if (!(it = calloc(1, sizeof(*it))))
		return ruta_error__oom();
	it->r = r;
	rc = sqlite3_prepare_v2(r->db, local_sql, -1, &it->st, NULL);
	if (rc != SQLITE_OK) {
		free(it);
		return ruta_error__sqlite(r->db, rc, "reading the change log");
	}
	*out = it;
	return 0;
}

int ruta_change_iter_next(ruta_change *out, ruta_change_iter *it)
{
	sqlite3_stmt *st = it->st;
	int rc = ruta_db__step(it->r, st);
	const char *op;

	if (rc == SQLITE_DONE)
		return RUTA_ITEROVER;
	if (rc < 0)
		return rc;
	if (out->version < 1 || out->version > RUTA_CHANGE_VERSION)
		return ruta_error__set(RUTA_EINVALID, "change version %u is not supported", out->version);
	out->seq = sqlite3_column_int64(st, 0);
	out->table = (const char *)sqlite3_column_text(st, 1);
	out->record = (const char *)sqlite3_column_text(st, 2);
	op = (const char *)sqlite3_column_text(st, 3);
	out->op = op ? op[0] : 'u';
	out->field = (const char *)sqlite3_column_text(st, 4);
	out->value_is_int = sqlite3_column_type(st, 5) == SQLITE_INTEGER;
	out->value = sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL :
		(const char *)sqlite3_column_text(st, 5);
	out->hlc = (uint64_t)sqlite3_column_int64(st, 6);
	out->base = (uint64_t)sqlite3_column_int64(st, 7);
	out->wall_ms = sqlite3_column_int64(st, 8);
	return 0;
}

void ruta_change_iter_free(ruta_change_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->st);
	free(it);
}
