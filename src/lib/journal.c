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
 *
 * A field of a group (amount and currency, an address: merge.c) is stamped
 * with every field of its group: one version for all of them, each with its
 * own base. The group's other fields are stamped with the rows the same edit
 * logged right after it, or else with a row added here holding the value
 * they have, so the changeset carries the whole group. Added rows come after
 * every pending one and are stamped already, so the walk passes them over.
 * A record's creation logs every field it has: those rows are stamped alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "merge.h"
#include "schema.h"

#define BATCH 512
#define GROUP_MAX 8   /* fields in one group, at most: merge.c's have 2 and 4 */

typedef struct pending {
	int64_t seq;
	int64_t t;
	const ruta_tabledef *table;
	const char *const *group;   /* the fields stamped as one unit with it, or NULL */
	int done;                   /* stamped already, with an earlier field of its group */
	char col[64];
	char rec[72];
} pending;

/* What stamping carries from one row to the next. */
typedef struct stamper {
	ruta_replica *r;
	uint64_t last;      /* the last version issued */
	int64_t added;      /* the last row added for a group, or 0 */
	unsigned salt;
	int conflicts;      /* any conflict open when stamping began */
} stamper;

static const char state_sql[] = "SELECT hlc, stamped_seq FROM ruta_sync_state WHERE k = 0";
static const char pending_sql[] = "SELECT seq, tbl, rec, col, t, op FROM ruta_change"
	" WHERE seq > ?1 AND ver IS NULL ORDER BY seq LIMIT ?2";
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
		const char *op = (const char *)sqlite3_column_text(st, 5);
		p->seq = sqlite3_column_int64(st, 0);
		p->t = sqlite3_column_int64(st, 4);
		p->table = tbl ? ruta_schema__by_name(tbl) : NULL;
		p->group = op && op[0] != 'i' ? ruta_merge__group(tbl, col) : NULL;
		p->done = 0;
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

/* Only ruta writes versions; one outside the clock's range would drag
 * every later version with it, so it is refused, not followed. */
static int sane_version(uint64_t *out, const pending *p, const char *col, sqlite3_int64 v)
{
	if (v < 0 || (uint64_t)v > RUTA_HLC_MAX_SANE)
		return ruta_error__set(RUTA_ERROR, "%s %s %s has version %lld, which ruta never "
			"writes; another program changed %s__v", p->table->name, p->rec, col,
			(long long)v, col);
	*out = (uint64_t)v;
	return 0;
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
	return sane_version(out, p, p->col, v);
}

static int stamp_row(ruta_replica *r, int64_t seq, uint64_t ver, uint64_t base)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, stamp_row_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ver);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)base);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
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
	return rc < 0 ? rc : stamp_row(r, p->seq, ver, base);
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
static int local_conflict(const stamper *s, const ruta_tabledef *t, const char *rec,
	const char *col, int64_t seq, uint64_t ver)
{
	return s->conflicts ? ruta_merge__local(s->r, t, rec, col, seq, ver) : 0;
}

/* The clock goes on from the version just issued, unless a base stamped
 * far ahead by a wrong clock elsewhere pushed that version more than
 * RUTA_SKEW_MAX_MS past the edit's time: the edit stays newer than its base,
 * but the clock moves on as if there had been no base, so this replica's
 * later edits of other fields keep real time, as they do when such a
 * changeset is applied (docs/merge.md §6). */
static void follow(stamper *s, uint64_t ver, int64_t at_ms)
{
	uint64_t own;
	if ((int64_t)(ver >> RUTA_HLC_COUNTER_BITS) <= at_ms + RUTA_SKEW_MAX_MS) {
		s->last = ver;
		return;
	}
	own = ruta_hlc__next_own(s->last, at_ms, 0, s->salt);
	s->last = ver > own ? own : ver;
}

static int stamp_alone(stamper *s, const pending *p)
{
	uint64_t cur = 0, ver;
	int err;
	if ((err = field_version(&cur, s->r, p)) < 0)
		return err;
	ver = ruta_hlc__next_own(s->last, p->t, cur, s->salt);
	if ((err = stamp_one(s->r, p, ver, cur)) < 0 ||
			(err = local_conflict(s, p->table, p->rec, p->col, p->seq, ver)) < 0)
		return err;
	follow(s, ver, p->t);
	return 0;
}

/* ---- groups ------------------------------------------------------------- */

/* The fields of a group as they are before stamping. */
typedef struct unit {
	size_t n;
	sqlite3_value *val[GROUP_MAX];   /* owned */
	uint64_t ver[GROUP_MAX];
} unit;

static void unit_free(unit *u)
{
	while (u->n > 0)
		sqlite3_value_free(u->val[--u->n]);
}

/* Every field of p's group, in the group's order; none if the record is gone. */
static int read_unit(unit *u, ruta_replica *r, const pending *p)
{
	char sql[512];
	sqlite3_stmt *st;
	size_t k, len = 0;
	int rc, err = 0;

	u->n = 0;
	for (k = 0; k < GROUP_MAX && p->group[k]; k++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s, %s__v",
			k ? ", " : "SELECT ", p->group[k], p->group[k]);
	snprintf(sql + len, sizeof(sql) - len, " FROM %s WHERE id = ?1", p->table->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, p->rec, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		for (; err == 0 && u->n < k; u->n++) {
			int c = 2 * (int)u->n;
			if (!(u->val[u->n] = sqlite3_value_dup(sqlite3_column_value(st, c))))
				err = ruta_error__oom();
			else
				err = sane_version(&u->ver[u->n], p, p->group[u->n],
					sqlite3_column_int64(st, c + 1));
		}
	sqlite3_reset(st);
	if (err < 0)
		unit_free(u);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

static int set_unit_version(ruta_replica *r, const pending *p, uint64_t ver)
{
	char sql[512];
	sqlite3_stmt *st;
	size_t k, len;
	int rc, err;

	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE %s SET ", p->table->name);
	for (k = 0; k < GROUP_MAX && p->group[k]; k++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s__v = ?2",
			k ? ", " : "", p->group[k]);
	snprintf(sql + len, sizeof(sql) - len, " WHERE id = ?1");
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, p->rec, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)ver);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* The fields of the group that the edit left alone (u's fields `which`):
 * logged here with the value they have, so that the changeset carries them;
 * in one statement, as they are many when an address is edited. *first is
 * the first row's seq, the others follow it. */
static int add_rows(int64_t *first, ruta_replica *r, const pending *p, const unit *u,
	const size_t *which, size_t m, uint64_t ver)
{
	char sql[600];
	sqlite3_stmt *st;
	size_t k, len;
	int rc, err;

	len = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO ruta_change(tbl, rec, op, col, val,"
		" t, ver, base) VALUES ");
	for (k = 0; k < m; k++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s(?1, ?2, 'u', ?%zu, ?%zu, ?3,"
			" ?4, ?%zu)", k ? ", " : "", 5 + 3 * k, 6 + 3 * k, 7 + 3 * k);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, p->table->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->rec, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->t);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)ver);
	for (k = 0; k < m; k++) {
		sqlite3_bind_text(st, (int)(5 + 3 * k), p->group[which[k]], -1, SQLITE_STATIC);
		sqlite3_bind_value(st, (int)(6 + 3 * k), u->val[which[k]]);
		sqlite3_bind_int64(st, (int)(7 + 3 * k), (sqlite3_int64)u->ver[which[k]]);
	}
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	/* one statement's rows take consecutive seqs */
	*first = sqlite3_last_insert_rowid(r->db) - (int64_t)m + 1;
	return rc < 0 ? rc : 0;
}

/* The row the same edit logged for field `col` of buf[i]'s record: the
 * first one not stamped yet among the rows right after it that name the
 * same record; n if there is none. */
static size_t row_of(const pending *buf, size_t n, size_t i, const char *col)
{
	size_t j;
	if (strcmp(buf[i].col, col) == 0)
		return i;
	for (j = i + 1; j < n && buf[j].table == buf[i].table && strcmp(buf[j].rec, buf[i].rec) == 0; j++)
		if (!buf[j].done && buf[j].group && strcmp(buf[j].col, col) == 0)
			return j;
	return n;
}

/* buf[i] and the rest of its group: one version, newer than any of theirs. */
static int stamp_unit(stamper *s, pending *buf, size_t n, size_t i)
{
	const pending *p = &buf[i];
	size_t k, j, m = 0, which[GROUP_MAX];
	int64_t seq[GROUP_MAX], first = 0;
	uint64_t ver, top = 0;
	unit u;
	int err;

	if ((err = read_unit(&u, s->r, p)) < 0)
		return err;
	if (u.n == 0)
		return stamp_alone(s, p);   /* the record is gone: there is no group to carry */
	for (k = 0; k < u.n; k++)
		top = u.ver[k] > top ? u.ver[k] : top;
	ver = ruta_hlc__next_own(s->last, p->t, top, s->salt);
	err = set_unit_version(s->r, p, ver);
	for (k = 0; err == 0 && k < u.n; k++)
		if ((j = row_of(buf, n, i, p->group[k])) < n) {
			buf[j].done = 1;
			seq[k] = buf[j].seq;
			err = stamp_row(s->r, seq[k], ver, u.ver[k]);
		} else {
			which[m++] = k;
		}
	if (err == 0 && m > 0 && (err = add_rows(&first, s->r, p, &u, which, m, ver)) == 0)
		for (k = 0; k < m; k++)
			s->added = seq[which[k]] = first + (int64_t)k;
	for (k = 0; err == 0 && k < u.n; k++)
		err = local_conflict(s, p->table, p->rec, p->group[k], seq[k], ver);
	unit_free(&u);
	follow(s, ver, p->t);
	return err;
}

/* ---- the walk ------------------------------------------------------------- */

/* One byte of the replica id: FNV-1a, folded. Every version this replica
 * issues ends in it (docs/format.md §3.2). */
static unsigned salt_of(const char *id)
{
	unsigned salt = 0;
	for (; *id; id++)
		salt = (salt ^ (unsigned char)*id) * 16777619u;
	return (salt ^ (salt >> 8) ^ (salt >> 16) ^ (salt >> 24)) & 0xff;
}

static int stamp_batches(ruta_replica *r, pending *buf)
{
	stamper s = { r, 0, 0, 0, 0 };
	int64_t stamped = 0;
	size_t n, i;
	int err;

	if ((err = read_state(&s.last, &stamped, r)) < 0 || (err = any_conflict(&s.conflicts, r)) < 0)
		return err;
	s.salt = salt_of(r->id);
	do {
		if ((err = read_pending(buf, &n, r, stamped)) < 0)
			return err;
		for (i = 0; i < n; i++) {
			if (buf[i].done)
				continue;
			err = buf[i].group ? stamp_unit(&s, buf, n, i) : stamp_alone(&s, &buf[i]);
			if (err == 0 && strcmp(buf[i].col, "deleted_at") == 0)
				err = ruta_merge__mark(r, buf[i].table, buf[i].rec);
			if (err < 0)
				return err;
		}
		if (n > 0)
			stamped = buf[n - 1].seq;
	} while (n == BATCH);
	/* the rows added for groups come after every pending one */
	return save_state(r, s.last, s.added > stamped ? s.added : stamped);
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
