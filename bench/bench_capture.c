/*
 * bench_capture.c - what capturing every field edit costs.
 *
 * The same single-field UPDATEs and INSERTs run on two tables of identical
 * shape in one replica file: `account`, with ruta's capture triggers, and a
 * copy without them. Then the pending changes are stamped with versions.
 * Transactions of 1,000 statements, as an app saving edits would make.
 * Figures, not a pass/fail test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "journal.h"

#define N 100000
#define BATCH 1000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench: %s: %s\n", sql, msg);
		exit(1);
	}
}

/* Runs `sql` N times with ?1 = an id "B<i % rows>" and ?2 = a value, in batches. */
static double loop(sqlite3 *db, const char *sql, int rows)
{
	sqlite3_stmt *st = NULL;
	char id[32], val[32];
	double t0 = now();
	int i;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	for (i = 0; i < N; i++) {
		if (i % BATCH == 0)
			exec(db, "BEGIN");
		snprintf(id, sizeof(id), "B%08d", rows ? i % rows : i);
		snprintf(val, sizeof(val), "%s %d", rows ? "town" : "city", i);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "bench: %s\n", sqlite3_errmsg(db));
			exit(1);
		}
		sqlite3_reset(st);
		if (i % BATCH == BATCH - 1)
			exec(db, "COMMIT");
	}
	sqlite3_finalize(st);
	return now() - t0;
}

static void plain_copy(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char *sql;
	const char *ddl;
	sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = 'account'", -1, &st, NULL);
	sqlite3_step(st);
	ddl = (const char *)sqlite3_column_text(st, 0);
	sql = malloc(strlen(ddl) + 16);
	sprintf(sql, "CREATE TABLE plain%s", ddl + strlen("CREATE TABLE account"));
	exec(db, sql);
	free(sql);
	sqlite3_finalize(st);
}

int main(int argc, char **argv)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char dir[512];
	double plain_ins, cap_ins, plain_upd, cap_upd, stamp;
	long long pending;
	sqlite3_stmt *st = NULL;

	snprintf(dir, sizeof(dir), "%s/ruta-bench-%ld", argc > 1 ? argv[1] : "/tmp", (long)getpid());
	o.team = "bench";
	if (ruta_replica_init(&r, dir, &o) < 0) {
		fprintf(stderr, "bench: %s\n", ruta_error_last()->message);
		return 1;
	}
	plain_copy(r->db);

	plain_ins = loop(r->db, "INSERT INTO plain(id, name, city) VALUES (?1, 'Acme', ?2)", 0);
	cap_ins = loop(r->db, "INSERT INTO account(id, name, city) VALUES (?1, 'Acme', ?2)", 0);
	if (ruta_journal__stamp(r) < 0)
		return 1;
	plain_upd = loop(r->db, "UPDATE plain SET city = ?2 WHERE id = ?1", N);
	cap_upd = loop(r->db, "UPDATE account SET city = ?2 WHERE id = ?1", N);
	sqlite3_prepare_v2(r->db, "SELECT count(*) FROM ruta_change WHERE ver IS NULL", -1, &st, NULL);
	sqlite3_step(st);
	pending = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	{
		double t0 = now();
		if (ruta_journal__stamp(r) < 0)
			return 1;
		stamp = now() - t0;
	}

	printf("capture: %d single-field statements, transactions of %d, SQLite %s\n",
		N, BATCH, sqlite3_libversion());
	printf("  insert (3 fields)  plain %8.0f rows/s   captured %8.0f rows/s   ratio %.2fx\n",
		N / plain_ins, N / cap_ins, cap_ins / plain_ins);
	printf("  update (1 field)   plain %8.0f rows/s   captured %8.0f rows/s   ratio %.2fx\n",
		N / plain_upd, N / cap_upd, cap_upd / plain_upd);
	printf("  stamping %lld pending changes: %.2f s (%.0f changes/s)\n", pending, stamp,
		(double)pending / stamp);
	printf("  update + its share of stamping: %.2fx plain\n", (cap_upd + stamp) / plain_upd);
	ruta_replica_free(r);
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
