/*
 * state.c - one hash of a replica's CRM content, to tell whether replicas
 * converged.
 *
 * Tables in the schema descriptor's order (those made by migration 4 or
 * later only when they have rows), rows by id, deleted ones too, columns in
 * the descriptor's order (id, the fields, created_at, deleted_at; fields
 * added by migration 8 or later only in rows where one of them is set); each value as
 * a type byte ('n' null, 'i' integer, 't' text), its length in 8 decimal
 * digits and its bytes. Versions and sync metadata are left out: replicas
 * hold the same CRM when they hold the same values.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "schema.h"

static void add_value(ruta_hasher *h, sqlite3_stmt *st, int col)
{
	char head[16];
	const unsigned char *p;
	int n;
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		ruta_crypto__hasher_add(h, "n", 1);
		return;
	case SQLITE_INTEGER:
		snprintf(head, sizeof(head), "i%lld;", (long long)sqlite3_column_int64(st, col));
		ruta_crypto__hasher_add(h, head, strlen(head));
		return;
	default:
		p = sqlite3_column_text(st, col);
		n = sqlite3_column_bytes(st, col);
		snprintf(head, sizeof(head), "t%08d", n);
		ruta_crypto__hasher_add(h, head, strlen(head));
		ruta_crypto__hasher_add(h, p, (size_t)n);
	}
}

/* Fields added after migration 7 to older tables (the account's potential)
 * count only in rows that set one of them, so a replica that never used them
 * hashes as it did before; a table made later (the lifecycle history) is
 * left out while empty, like the tags. The first such field is never text, so a row with them and
 * one without never serialize alike. */
#define LATE_FIELDS 8

static int late_unset(sqlite3_stmt *st, const ruta_tabledef *t)
{
	size_t i;
	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].since >= LATE_FIELDS && sqlite3_column_type(st, (int)i + 1) != SQLITE_NULL)
			return 0;
	return 1;
}

static int hash_table(ruta_hasher *h, ruta_replica *r, const ruta_tabledef *t)
{
	ruta_buf b = RUTA_BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc, err, cols;

	ruta_buf__puts(&b, "SELECT id");
	for (i = 0; i < t->ncols; i++)
		ruta_buf__printf(&b, ", %s", t->cols[i].name);
	ruta_buf__printf(&b, ", created_at, deleted_at FROM %s ORDER BY id", t->name);
	if ((err = ruta_buf__check(&b)) < 0)
		return err;
	if ((rc = sqlite3_prepare_v2(r->db, b.ptr, -1, &st, NULL)) != SQLITE_OK) {
		ruta_buf__dispose(&b);
		return ruta_error__sqlite(r->db, rc, "hashing the state");
	}
	cols = sqlite3_column_count(st);
	rc = sqlite3_step(st);
	/* A table added after the hash was defined (since 4: the tags) counts
	 * only once it has rows, so a replica that never used it hashes as it
	 * did before the migration that made it. */
	if (rc == SQLITE_ROW || t->since < 4)
		ruta_crypto__hasher_add(h, t->name, strlen(t->name) + 1);
	for (; rc == SQLITE_ROW; rc = sqlite3_step(st)) {
		int skip = t->since < LATE_FIELDS && late_unset(st, t);
		for (i = 0; i < (size_t)cols; i++)
			if (!(skip && i >= 1 && i <= t->ncols && t->cols[i - 1].since >= LATE_FIELDS))
				add_value(h, st, (int)i);
	}
	err = rc == SQLITE_DONE ? 0 : ruta_error__sqlite(r->db, rc, "hashing the state");
	sqlite3_finalize(st);
	ruta_buf__dispose(&b);
	return err;
}

int ruta_state__hash_locked(char out[65], ruta_replica *r)
{
	ruta_hasher *h = NULL;
	size_t i;
	int err;

	if ((err = ruta_crypto__hasher_new(&h)) < 0)
		return err;
	for (i = 0; i < ruta_schema__ntables && err == 0; i++)
		err = hash_table(h, r, &ruta_schema__tables[i]);
	ruta_crypto__hasher_done(h, out);
	if (err < 0)
		out[0] = '\0';
	return err;
}

int ruta_state_hash(char out[65], ruta_replica *r)
{
	int err;
	ruta_error__clear();
	out[0] = '\0';
	/* One read transaction: a writer must not change the state mid-hash. */
	if ((err = ruta_db__exec(r->db, "BEGIN")) < 0)
		return err;
	err = ruta_state__hash_locked(out, r);
	ruta_db__exec(r->db, "COMMIT");
	return err;
}
