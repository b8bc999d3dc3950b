/*
 * db.c - the SQLite connection of a replica: opening, transactions and a
 * cache of prepared statements.
 *
 * Every write runs in BEGIN IMMEDIATE, so two processes on one replica
 * serialize: the second waits up to the busy timeout, then fails with
 * RUTA_ELOCKED and nothing half-written. Statements are prepared once per
 * handle and reused; values are always bound, never formatted into SQL.
 */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "internal.h"

typedef struct stmt_entry {
	const char *key;       /* the static SQL text, or `owned` */
	char *owned;           /* copied text for run-time SQL */
	sqlite3_stmt *stmt;
	struct stmt_entry *next;
} stmt_entry;

struct ruta_stmt_cache {
	stmt_entry *head;
};

int ruta_db__exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		int err = ruta_error__sqlite(db, rc, "database");
		sqlite3_free(msg);
		return err;
	}
	return 0;
}

int ruta_db__open(sqlite3 **out, ruta_replica *r, const char *path, int create, int busy_ms)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		(create ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(path, &db, flags, NULL);
	int err;

	if (rc != SQLITE_OK) {
		err = ruta_error__sqlite(db, rc, "opening the replica database");
		sqlite3_close(db);
		return err;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_ms > 0 ? busy_ms : 5000);
	/* WAL lets readers (an app, the sqlite3 CLI) work while ruta writes;
	 * NORMAL is durable across application crashes, which is what we need. */
	/* WAL is a property of the file, set once when ruta creates it: opening
	 * must not change a file before knowing it is a replica. */
	if ((create && (err = ruta_db__exec(db, "PRAGMA journal_mode=WAL")) < 0) ||
			(err = ruta_db__exec(db, "PRAGMA synchronous=NORMAL;"
			"PRAGMA foreign_keys=OFF;"
			"PRAGMA trusted_schema=OFF;")) < 0) {
		sqlite3_close(db);
		return err;
	}
	if (r)
		ruta_ckpt__attach(r, db);
	*out = db;
	return 0;
}

int ruta_db__begin(ruta_replica *r)
{
	return ruta_db__exec(r->db, "BEGIN IMMEDIATE");
}

int ruta_db__commit(ruta_replica *r)
{
	return ruta_db__exec(r->db, "COMMIT");
}

void ruta_db__rollback(ruta_replica *r)
{
	if (!sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}

static int cache_find(sqlite3_stmt **out, ruta_replica *r, const char *sql, int dynamic)
{
	stmt_entry *e, *prev;
	if (!r->stmts) {
		r->stmts = calloc(1, sizeof(*r->stmts));
		if (!r->stmts)
			return ruta_error__oom();
	}
	for (prev = NULL, e = r->stmts->head; e; prev = e, e = e->next) {
		if (dynamic ? (e->owned && strcmp(e->owned, sql) == 0) : e->key == sql) {
			if (prev) {
				/* to the front: an apply asks for the same few statements
				 * a thousand times per changeset */
				prev->next = e->next;
				e->next = r->stmts->head;
				r->stmts->head = e;
			}
			sqlite3_reset(e->stmt);
			sqlite3_clear_bindings(e->stmt);
			*out = e->stmt;
			return 1;
		}
	}
	return 0;
}

static int cache_add(sqlite3_stmt **out, ruta_replica *r, const char *sql, int dynamic)
{
	stmt_entry *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return ruta_error__oom();
	if (dynamic && !(e->owned = strdup(sql))) {
		free(e);
		return ruta_error__oom();
	}
	e->key = dynamic ? e->owned : sql;
	rc = sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &e->stmt, NULL);
	if (rc != SQLITE_OK) {
		int err = ruta_error__sqlite(r->db, rc, "preparing a statement");
		free(e->owned);
		free(e);
		return err;
	}
	e->next = r->stmts->head;
	r->stmts->head = e;
	*out = e->stmt;
	return 0;
}

static int get_stmt(sqlite3_stmt **out, ruta_replica *r, const char *sql, int dynamic)
{
	int found = cache_find(out, r, sql, dynamic);
	if (found != 0)
		return found < 0 ? found : 0;
	return cache_add(out, r, sql, dynamic);
}

int ruta_db__stmt(sqlite3_stmt **out, ruta_replica *r, const char *sql)
{
	return get_stmt(out, r, sql, 0);
}

int ruta_db__stmt_dyn(sqlite3_stmt **out, ruta_replica *r, const char *sql)
{
	return get_stmt(out, r, sql, 1);
}

static void cache_free(struct ruta_stmt_cache *c)
{
	stmt_entry *e, *next;
	if (!c)
		return;
	for (e = c->head; e; e = next) {
		next = e->next;
		sqlite3_finalize(e->stmt);
		free(e->owned);
		free(e);
	}
	free(c);
}

static void swap_connection(ruta_replica *r)
{
	sqlite3 *db = r->db;
	struct ruta_stmt_cache *c = r->stmts;
	r->db = r->parked_db;
	r->stmts = r->parked_stmts;
	r->parked_db = db;
	r->parked_stmts = c;
	r->applying = !r->applying;
}

/*
 * Changesets from elsewhere are written on a second connection to the same
 * file. Every trigger of the schema stands aside while they are written
 * (capture and rule triggers test the applying flag; id and tombstone ones
 * guard writes apply never makes), and skipping them saves a seventh of an
 * edit's cost. Switching a connection's triggers off and on again makes
 * SQLite prepare every cached statement anew at its next use; this one has
 * them off for its whole life and keeps its own statements, and the main
 * connection, on which the library's and the app's edits are made, never
 * has them off. Same pragmas and busy timeout as the main connection, but
 * temporary storage in memory.
 */
int ruta_db__apply_begin(ruta_replica *r)
{
	sqlite3 *db = NULL;
	const char *path;
	int err;
	if (r->applying)
		return 0;
	if (!r->parked_db) {
		if (!(path = sqlite3_db_filename(r->db, "main")) || !*path)
			return ruta_error__set(RUTA_ERROR, "the replica database has no file name");
		if ((err = ruta_db__open(&db, r, path, 0, r->busy_ms)) < 0)
			return err;
		if (sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL) != SQLITE_OK) {
			sqlite3_close(db);
			return ruta_error__set(RUTA_ERROR, "cannot switch triggers off for applying");
		}
		/* A batch's statement (batch.c) keeps the pages it changes as they
		 * were, in case it fails: in memory, not in a temporary file. So
		 * would a sort or a temporary index, which apply's queries need
		 * none of. */
		if ((err = ruta_db__exec(db, "PRAGMA temp_store=MEMORY")) < 0 ||
				(err = ruta_batch__register(db)) < 0) {
			sqlite3_close(db);
			return err;
		}
		r->parked_db = db;
	}
	swap_connection(r);
	return 0;
}

void ruta_db__apply_end(ruta_replica *r)
{
	if (r->applying)
		swap_connection(r);
}

void ruta_db__close(ruta_replica *r)
{
	ruta_ckpt__stop(r);
	ruta_db__apply_end(r);
	cache_free(r->stmts);
	cache_free(r->parked_stmts);
	r->stmts = r->parked_stmts = NULL;
	sqlite3_close(r->parked_db);
	sqlite3_close(r->db);
	r->parked_db = r->db = NULL;
}

int ruta_db__step(ruta_replica *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	return ruta_error__sqlite(r->db, rc, "database");
}

int ruta_db__meta_get(char **out, sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	int rc, err = 0;

	*out = NULL;
	rc = sqlite3_prepare_v2(db, "SELECT value FROM ruta_meta WHERE key = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return ruta_error__sqlite(db, rc, "reading replica settings");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (v && !(*out = strdup(v)))
			err = ruta_error__oom();
	} else if (rc != SQLITE_DONE) {
		err = ruta_error__sqlite(db, rc, "reading replica settings");
	}
	sqlite3_finalize(st);
	return err;
}

int ruta_db__meta_set(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(db, "INSERT INTO ruta_meta(key, value) VALUES(?1, ?2) "
		"ON CONFLICT(key) DO UPDATE SET value = excluded.value", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return ruta_error__sqlite(db, rc, "writing replica settings");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		err = ruta_error__sqlite(db, rc, "writing replica settings");
	sqlite3_finalize(st);
	return err;
}
