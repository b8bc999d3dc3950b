/* helpers.h - shared by the unit tests: temporary replicas and SQL shortcuts. */
#ifndef RUTA_TEST_HELPERS_H
#define RUTA_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ruta.h"

/* A fresh directory under $TMPDIR; the caller removes it with rm_tree. */
static inline char *temp_dir(void)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *p = malloc(strlen(base) + 32);
	assert_non_null(p);
	sprintf(p, "%s/ruta-unit-XXXXXX", base);
	assert_non_null(mkdtemp(p));
	return p;
}

static inline void rm_tree(char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

/* A team replica in <tmp>/r, opened. */
static inline ruta_replica *team_replica(char **tmp, const char *team)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char path[512];
	*tmp = temp_dir();
	snprintf(path, sizeof(path), "%s/r", *tmp);
	o.team = team;
	o.country = "ES";
	if (ruta_replica_init(&r, path, &o) != 0)
		fail_msg("init: %s", ruta_error_last()->message);
	return r;
}

#define ASSERT_OK(expr) do { int rc_ = (expr); if (rc_ != 0) \
	fail_msg("%s -> %d: %s", #expr, rc_, ruta_error_last()->message); } while (0)

/* Head office in <tmp>/hq with a bare hub <tmp>/hub.git it has synced to. */
static inline ruta_replica *head_office_with_hub(char **tmp, char *hub, size_t size)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	ruta_replica *r = NULL;
	char path[600], cmd[1400];
	*tmp = temp_dir();
	snprintf(hub, size, "%s/hub.git", *tmp);
	snprintf(cmd, sizeof(cmd), "git init -q --bare '%s'", hub);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/hq", *tmp);
	o.head_office = 1;
	o.hub_url = hub;
	ASSERT_OK(ruta_replica_init(&r, path, &o));
	ASSERT_OK(ruta_sync(&res, r, NULL));
	return r;
}

#endif

#include <sqlite3.h>

/* A second connection to the replica's file, as another program would open it. */
static inline sqlite3 *foreign_db(const char *replica_dir)
{
	char path[4200];
	sqlite3 *db = NULL;
	snprintf(path, sizeof(path), "%s/ruta.db", replica_dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static inline void sql_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* The first column of the first row as an integer (0 if none). */
static inline long long sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Every row of every table, as text: equal fingerprints mean equal content. */
static inline char *db_fingerprint(const char *replica_dir)
{
	sqlite3 *db = foreign_db(replica_dir);
	sqlite3_stmt *tables = NULL, *rows = NULL;
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap), sql[256];
	assert_non_null(out);
	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
		" ORDER BY name", -1, &tables, NULL), SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY rowid",
			(const char *)sqlite3_column_text(tables, 0));
		/* a table without rowids is read in its primary key's order */
		if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK) {
			*strstr(sql, " ORDER BY") = '\0';
			assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
		}
		while (sqlite3_step(rows) == SQLITE_ROW) {
			int i;
			for (i = 0; i < sqlite3_column_count(rows); i++) {
				const char *v = (const char *)sqlite3_column_text(rows, i);
				size_t n = v ? strlen(v) : 4;
				while (len + n + 2 >= cap)
					assert_non_null(out = realloc(out, cap *= 2));
				memcpy(out + len, v ? v : "NULL", n);
				len += n;
				out[len++] = '|';
				out[len] = '\0';
			}
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return out;
}

static inline char *replica_path(const char *tmp)
{
	char *p = malloc(strlen(tmp) + 4);
	assert_non_null(p);
	sprintf(p, "%s/r", tmp);
	return p;
}
