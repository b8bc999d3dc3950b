/* internal.h - what the library's modules share with each other, never with callers. */
#ifndef RUTA_INTERNAL_H
#define RUTA_INTERNAL_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "ruta.h"

#if defined(__GNUC__) || defined(__clang__)
#define RUTA_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RUTA_PRINTF(a, b)
#endif

/* ---- error.c ---- */
/* Records an error for ruta_error_last() and returns `code`, so that
 * `return ruta_error__set(RUTA_EINVALID, "...")` reads naturally. */
int ruta_error__set(int code, const char *fmt, ...) RUTA_PRINTF(2, 3);
/* Puts "prefix: " before the current message (keeps the code). */
int ruta_error__prefix(const char *fmt, ...) RUTA_PRINTF(1, 2);
/* Maps a SQLite result to a ruta code with SQLite's message. */
int ruta_error__sqlite(sqlite3 *db, int rc, const char *doing);
void ruta_error__clear(void);
int ruta_error__oom(void);

/* ---- the replica handle ---- */
struct ruta_replica {
	sqlite3 *db;                     /* the connection in use, and its statements: */
	struct ruta_stmt_cache *stmts;   /* the main one, or the applying one (db.c) */
	sqlite3 *parked_db;              /* the other one while applying; NULL if never opened */
	struct ruta_stmt_cache *parked_stmts;
	int applying;                    /* db is the applying connection */
	int busy_ms;                     /* from the open options, for the applying connection */
	char *dir;
	char *id;
	char *team;
	int head_office;
	char *country;
	ruta_passphrase_cb passphrase;   /* for protected keys, from the open options */
	void *passphrase_payload;
	struct ruta_ckpt *ckpt;          /* the checkpoint thread, once one was due (ckpt.c) */
};

/* ---- ckpt.c: WAL checkpoints on a thread of their own ---- */
typedef struct ruta_ckpt ruta_ckpt;
/* Commits on `db` hand their checkpoints to r's thread. */
void ruta_ckpt__attach(ruta_replica *r, sqlite3 *db);
/* Waits until no checkpoint is due or running; the number run so far. */
unsigned long ruta_ckpt__idle(ruta_replica *r);
/* Stops and joins the thread, if one started; before the connections close. */
void ruta_ckpt__stop(ruta_replica *r);

/* ---- db.c: SQLite connection, transactions, prepared statements ---- */
/* With `r`, commits on the connection leave their checkpoints to r's thread
 * (ckpt.c); NULL for a connection of no replica handle. */
int ruta_db__open(sqlite3 **out, ruta_replica *r, const char *path, int create, int busy_ms);
/* BEGIN IMMEDIATE (a writer) or BEGIN; errors carry the lock message. */
int ruta_db__begin(ruta_replica *r);
int ruta_db__commit(ruta_replica *r);
void ruta_db__rollback(ruta_replica *r);
/* Returns a cached, reset statement for `sql` (which must be a static string:
 * its address is the cache key). Borrowed. */
int ruta_db__stmt(sqlite3_stmt **out, ruta_replica *r, const char *sql);
/* Same, for SQL built at run time from trusted identifiers; the text is copied. */
int ruta_db__stmt_dyn(sqlite3_stmt **out, ruta_replica *r, const char *sql);
/* The connection changesets from elsewhere are written on, in place of the
 * main one (r->db and its statements) until ruta_db__apply_end. Opened on
 * first use with every trigger off for its whole life; see db.c. */
int ruta_db__apply_begin(ruta_replica *r);
void ruta_db__apply_end(ruta_replica *r);
/* Finalizes every statement and closes both connections. */
void ruta_db__close(ruta_replica *r);
/* Runs SQL without results. */
int ruta_db__exec(sqlite3 *db, const char *sql);
/* sqlite3_step that turns failures into ruta errors; returns SQLITE_ROW,
 * SQLITE_DONE or a negative ruta code. */
int ruta_db__step(ruta_replica *r, sqlite3_stmt *st);
int ruta_db__meta_get(char **out, sqlite3 *db, const char *key);
int ruta_db__meta_set(sqlite3 *db, const char *key, const char *value);

/* ---- hlc.c ---- */
/* The next version for a change made at wall-clock `wall_ms` that overwrote
 * version `base`, when the last version this replica issued or saw is `last`. */
uint64_t ruta_hlc__next(uint64_t last, int64_t wall_ms, uint64_t base);
/* The same for a version this replica issues: the next one at or above it
 * whose low byte is `salt` (a byte of the replica's id hash). */
uint64_t ruta_hlc__next_own(uint64_t last, int64_t wall_ms, uint64_t base, unsigned salt);
#define RUTA_HLC_COUNTER_BITS 16
/* Versions beyond this (year ~6000) are not from a sane clock. */
#define RUTA_HLC_MAX_SANE (((uint64_t)1 << 62) - 1)
/* How far ahead of this replica's clock a version may be before it counts
 * as clock skew: flagged, and not followed by this replica's clock. */
#define RUTA_SKEW_MAX_MS (10 * 60 * 1000)
/* Parses 16 hex digits; 0 or RUTA_EINVALID. */
int ruta_hlc__parse(uint64_t *out, const char *text);

/* ---- state.c ---- */
/* ruta_state_hash inside the caller's transaction. */
int ruta_state__hash_locked(char out[65], ruta_replica *r);

/* ---- sync.c ---- */
/* A hub URL as stored: a relative path made absolute (new). */
int ruta_sync__hub_url(char **out, const char *url);
/* The replica's sync lock (one process at a time in its git repository);
 * RUTA_ELOCKED if another holds it. */
int ruta_sync__lock(int *fd, ruta_replica *r);
void ruta_sync__unlock(int fd);
/* A hub timeout from `what`'s options: 0 if it is 0 (the default) to
 * RUTA_TIMEOUT_MAX seconds, else RUTA_EINVALID saying so. */
int ruta_sync__check_timeout(int seconds, const char *what);

/* ---- utf8 ---- */
/* 1 if `s` (length n) is valid UTF-8 with no NUL, else 0. */
int ruta_utf8__valid(const char *s, size_t n);
/* Makes s valid UTF-8 in place: each byte of a broken sequence becomes '?'. */
void ruta_utf8__repair(char *s);

#endif
