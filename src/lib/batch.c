/*
 * batch.c - many records' sequential edits in one UPDATE statement.
 *
 * A prepared statement stepped once per record pays, each time, for
 * opening its cursors, for the memory of the row it builds and for giving
 * all of it back at the reset: a third of what a single-field edit costs.
 * Here the records go to SQLite as a table-valued function, ruta_batch(B),
 * that lists their ids, and ruta_batch_get(B, ID, K) hands each record's
 * values, versions and bases to the one statement that writes them all.
 * B is a pointer bound with sqlite3_bind_pointer: SQL cannot make one, so
 * nothing but this library's own statements can reach a batch.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define PTR_TYPE "ruta_batch"

void ruta_batch__init(ruta_batch *b)
{
	memset(b, 0, sizeof(*b));
}

void ruta_batch__dispose(ruta_batch *b)
{
	free(b->recs);
	free(b->at);
	free(b->taken);
	free(b->slots);
	ruta_batch__init(b);
}

void ruta_batch__clear(ruta_batch *b)
{
	if (b->n)
		memset(b->slots, 0, b->nslots * sizeof(*b->slots));
	b->n = 0;
	b->last = 0;
}

static size_t hash_id(const char *s)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

/* The slot of `id`: its record's, or the empty one where it would go. */
static size_t *slot_of(const ruta_batch *b, const char *id)
{
	size_t i = hash_id(id) & (b->nslots - 1);
	while (b->slots[i] && strcmp(b->recs[b->slots[i] - 1]->id, id) != 0)
		i = (i + 1) & (b->nslots - 1);
	return &b->slots[i];
}

/* At most half full, so a probe ends soon. */
static int rehash(ruta_batch *b, size_t nslots)
{
	size_t *old = b->slots, n = b->nslots, i;
	if (!(b->slots = calloc(nslots, sizeof(*b->slots)))) {
		b->slots = old;
		return ruta_error__oom();
	}
	b->nslots = nslots;
	for (i = 0; i < n; i++)
		if (old[i])
			*slot_of(b, b->recs[old[i] - 1]->id) = old[i];
	free(old);
	return 0;
}

static int grow(ruta_batch *b)
{
	size_t cap = b->cap ? 2 * b->cap : 256;
	const ruta_cs_rec **recs = realloc(b->recs, cap * sizeof(*recs));
	size_t *at;
	unsigned char *taken;
	if (recs)
		b->recs = recs;
	at = recs ? realloc(b->at, cap * sizeof(*at)) : NULL;
	if (at)
		b->at = at;
	taken = at ? realloc(b->taken, cap) : NULL;
	if (!taken)
		return ruta_error__oom();
	b->taken = taken;
	b->cap = cap;
	return 0;
}

int ruta_batch__add(ruta_batch *b, const ruta_cs_rec *rec, size_t at)
{
	int err;
	if (b->n == b->cap && (err = grow(b)) < 0)
		return err;
	if (2 * (b->n + 1) > b->nslots && (err = rehash(b, b->nslots ? 2 * b->nslots : 512)) < 0)
		return err;
	b->recs[b->n] = rec;
	b->at[b->n] = at;
	b->taken[b->n] = 0;
	*slot_of(b, rec->id) = ++b->n;
	return 0;
}

/* ---- ruta_batch(B): the ids, for `id IN (SELECT id FROM ruta_batch(?1))` ---- */

typedef struct cursor {
	sqlite3_vtab_cursor base;
	const ruta_batch *b;
	size_t i;
} cursor;

static void *zeroed(size_t n)
{
	void *p = sqlite3_malloc64(n);
	if (p)
		memset(p, 0, n);
	return p;
}

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
	sqlite3_vtab **out, char **errmsg)
{
	sqlite3_vtab *vt;
	int rc;
	(void)aux, (void)argc, (void)argv, (void)errmsg;
	if ((rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id TEXT, batch HIDDEN)")) != SQLITE_OK)
		return rc;
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
	if (!(vt = zeroed(sizeof(*vt))))
		return SQLITE_NOMEM;
	*out = vt;
	return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/* Only with its argument: without one there is no batch to list. */
static int vt_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	int i;
	(void)vt;
	for (i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];
		if (c->iColumn == 1 && c->op == SQLITE_INDEX_CONSTRAINT_EQ && c->usable) {
			info->aConstraintUsage[i].argvIndex = 1;
			info->aConstraintUsage[i].omit = 1;
			info->estimatedCost = 1000;
			info->estimatedRows = 1000;
			return SQLITE_OK;
		}
	}
	return SQLITE_CONSTRAINT;
}

static int vt_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	cursor *c;
	(void)vt;
	if (!(c = zeroed(sizeof(*c))))
		return SQLITE_NOMEM;
	*out = &c->base;
	return SQLITE_OK;
}

static int vt_close(sqlite3_vtab_cursor *c)
{
	sqlite3_free(c);
	return SQLITE_OK;
}

static int vt_filter(sqlite3_vtab_cursor *vc, int idx, const char *idxstr, int argc,
	sqlite3_value **argv)
{
	cursor *c = (cursor *)vc;
	(void)idx, (void)idxstr;
	c->b = argc == 1 ? sqlite3_value_pointer(argv[0], PTR_TYPE) : NULL;
	c->i = 0;
	return SQLITE_OK;
}

static int vt_next(sqlite3_vtab_cursor *vc)
{
	((cursor *)vc)->i++;
	return SQLITE_OK;
}

static int vt_eof(sqlite3_vtab_cursor *vc)
{
	const cursor *c = (const cursor *)vc;
	return !c->b || c->i >= c->b->n;
}

static int vt_column(sqlite3_vtab_cursor *vc, sqlite3_context *ctx, int col)
{
	const cursor *c = (const cursor *)vc;
	if (col == 0)
		sqlite3_result_text(ctx, c->b->recs[c->i]->id, -1, SQLITE_STATIC);
	return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *vc, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((const cursor *)vc)->i;
	return SQLITE_OK;
}

static sqlite3_module batch_module = {
	.xConnect = vt_connect,
	.xBestIndex = vt_best_index,
	.xDisconnect = vt_disconnect,
	.xOpen = vt_open,
	.xClose = vt_close,
	.xFilter = vt_filter,
	.xNext = vt_next,
	.xEof = vt_eof,
	.xColumn = vt_column,
	.xRowid = vt_rowid,
};

/* ---- ruta_batch_get(B, ID, K): field K / 3's value, version or base (K % 3) ---- */

static void result_field(sqlite3_context *ctx, const ruta_cs_field *f, int part)
{
	if (part == 1)
		sqlite3_result_int64(ctx, (sqlite3_int64)f->hlc);
	else if (part == 2)
		sqlite3_result_int64(ctx, (sqlite3_int64)f->base);
	else if (f->type == SQLITE_INTEGER)
		sqlite3_result_int64(ctx, f->i);
	else if (f->type == SQLITE_TEXT)
		sqlite3_result_text(ctx, f->s, (int)f->len, SQLITE_STATIC);
	else
		sqlite3_result_null(ctx);
}

/* The statement asks for one record's fields in a row, and goes through
 * the records mostly in the order of their ids, which is the batch's: the
 * record looked up last, then the next, are tried before the hash. */
static void batch_get(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	ruta_batch *b = sqlite3_value_pointer(argv[0], PTR_TYPE);
	const char *id = (const char *)sqlite3_value_text(argv[1]);
	int k = sqlite3_value_int(argv[2]);
	size_t i;
	(void)argc;
	if (!b || !id || k < 0) {
		sqlite3_result_error(ctx, "ruta_batch_get: no such record", -1);
		return;
	}
	if (b->last < b->n && strcmp(b->recs[b->last]->id, id) == 0)
		i = b->last;
	else if (b->last + 1 < b->n && strcmp(b->recs[b->last + 1]->id, id) == 0)
		i = b->last + 1;
	else if (b->nslots && (i = *slot_of(b, id)) != 0)
		i--;
	else
		i = b->n;
	if (i >= b->n || (size_t)(k / 3) >= b->recs[i]->nf) {
		sqlite3_result_error(ctx, "ruta_batch_get: no such record", -1);
		return;
	}
	b->last = i;
	/* a version is asked for only to be written: the record is */
	if (k == 1)
		b->taken[i] = 1;
	result_field(ctx, &b->recs[i]->f[k / 3], k % 3);
}

int ruta_batch__register(sqlite3 *db)
{
	if (sqlite3_create_module(db, "ruta_batch", &batch_module, NULL) != SQLITE_OK ||
			sqlite3_create_function(db, "ruta_batch_get", 3, SQLITE_UTF8 | SQLITE_DIRECTONLY,
				NULL, batch_get, NULL, NULL) != SQLITE_OK)
		return ruta_error__sqlite(db, sqlite3_errcode(db), "registering ruta_batch");
	return 0;
}

void ruta_batch__sql(ruta_buf *b, const ruta_cs_rec *rec)
{
	size_t k;

	ruta_buf__puts(b, "UPDATE OR FAIL ");
	ruta_buf__puts(b, rec->t->name);
	ruta_buf__puts(b, " SET ");
	for (k = 0; k < rec->nf; k++)
		ruta_buf__printf(b, "%s%s = ruta_batch_get(?1, id, %zu), %s__v = "
			"ruta_batch_get(?1, id, %zu)", k ? ", " : "", rec->f[k].col, 3 * k,
			rec->f[k].col, 3 * k + 1);
	ruta_buf__puts(b, " WHERE id IN (SELECT id FROM ruta_batch(?1)) AND deleted_at IS NULL");
	for (k = 0; k < rec->nf; k++)
		ruta_buf__printf(b, " AND %s__v = ruta_batch_get(?1, id, %zu)", rec->f[k].col,
			3 * k + 2);
}
