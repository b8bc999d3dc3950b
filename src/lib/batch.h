/* batch.h - many records' sequential edits in one UPDATE statement (batch.c). */
#ifndef RUTA_BATCH_H
#define RUTA_BATCH_H

#include <stddef.h>

#include "buf.h"
#include "changeset.h"

/*
 * Records of one table with the same fields, handed to SQLite by pointer
 * (sqlite3_bind_pointer, type "ruta_batch") for ruta_batch__sql's statement.
 * `taken[i]` is set when the statement wrote recs[i]; `last` is the record
 * it looked at last, the one being written when the statement fails.
 */
typedef struct ruta_batch {
	const ruta_cs_rec **recs;
	size_t *at;            /* each record's place in its changeset */
	unsigned char *taken;
	size_t n, cap;
	size_t *slots;         /* open addressing on the id: index + 1, 0 empty */
	size_t nslots;
	size_t last;
} ruta_batch;

void ruta_batch__init(ruta_batch *b);
void ruta_batch__dispose(ruta_batch *b);
/* Empties it, keeping its memory. */
void ruta_batch__clear(ruta_batch *b);
/* Adds `rec`, the changeset's record `at`; RUTA_ENOMEM. */
int ruta_batch__add(ruta_batch *b, const ruta_cs_rec *rec, size_t at);

/* The table-valued function ruta_batch(B) and ruta_batch_get(B, ID, K), on
 * the connection changesets are applied on (db.c). */
int ruta_batch__register(sqlite3 *db);

/* UPDATE OR FAIL of `rec`'s table and fields, for each record of a batch
 * (?1) that is live here and whose versions are the bases it carries:
 * fast_update()'s test (apply.c) for all of them in one statement. */
void ruta_batch__sql(ruta_buf *b, const ruta_cs_rec *rec);

#endif
