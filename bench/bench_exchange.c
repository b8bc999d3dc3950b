/*
 * bench_exchange.c - export and apply throughput of signed changesets.
 *
 * A team replica edits 100,000 single fields (1,000 accounts, 100 rounds),
 * sealing a changeset after each 1,000: export = stamp + canonical JSON +
 * SSHSIG + store + write the files. Head office then applies the directory:
 * apply = signature check + strict parse + chain and trust checks + merge.
 * Next to it, the same 100,000 single-field UPDATEs on a plain table in the
 * same run. Figures, not a pass/fail test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define ACCOUNTS 1000
#define ROUNDS 100

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, ruta_error_last()->message);
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench: %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
}

/* The plain baseline: the same UPDATEs, no triggers, in batches of 1,000. */
static double plain_loop(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char id[32], val[32];
	double t0;
	int i;
	sqlite3_stmt *ddl = NULL;
	char *sql;
	/* a table of account's very shape, without triggers */
	sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = 'account'", -1, &ddl, NULL);
	sqlite3_step(ddl);
	sql = malloc((size_t)sqlite3_column_bytes(ddl, 0) + 16);
	sprintf(sql, "CREATE TABLE plain%s", (const char *)sqlite3_column_text(ddl, 0) +
		strlen("CREATE TABLE account"));
	sqlite3_finalize(ddl);
	exec(db, sql);
	free(sql);
	exec(db, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)"
		" INSERT INTO plain(id, name) SELECT printf('P%08d', i), 'x' FROM n");
	sqlite3_prepare_v2(db, "UPDATE plain SET city = ?2 WHERE id = ?1", -1, &st, NULL);
	t0 = now();
	for (i = 0; i < ACCOUNTS * ROUNDS; i++) {
		if (i % ACCOUNTS == 0)
			exec(db, "BEGIN");
		snprintf(id, sizeof(id), "P%08d", i % ACCOUNTS);
		snprintf(val, sizeof(val), "city %d", i);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (i % ACCOUNTS == ACCOUNTS - 1)
			exec(db, "COMMIT");
	}
	sqlite3_finalize(st);
	return now() - t0;
}

int main(int argc, char **argv)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_apply_result res = RUTA_APPLY_RESULT_INIT;
	ruta_replica *hq = NULL, *north = NULL;
	char base[512], path[700], stick[700], *pub = NULL, id[32], val[32], cmd[800];
	double t_edit = 0, t_seal = 0, t_write, t_apply, t_plain, t0;
	sqlite3_stmt *st = NULL;
	int64_t seq, changes, total = 0;
	size_t written;
	int round, i;

	snprintf(base, sizeof(base), "%s/ruta-bench-x-%ld", argc > 1 ? argv[1] : "/tmp", (long)getpid());
	mkdir(base, 0755);
	snprintf(path, sizeof(path), "%s/hq", base);
	o.head_office = 1;
	if (ruta_replica_init(&hq, path, &o) < 0)
		die("init hq");
	snprintf(path, sizeof(path), "%s/north", base);
	snprintf(stick, sizeof(stick), "%s/hq/keys/root.pub", base);
	o.head_office = 0;
	o.team = "north";
	o.root_key = stick;
	if (ruta_replica_init(&north, path, &o) < 0 || ruta_replica_public_key(&pub, north, 0) < 0 ||
			ruta_keys_endorse(hq, pub, "north", NULL, NULL) < 0)
		die("setting up");
	snprintf(stick, sizeof(stick), "%s/stick", base);
	mkdir(stick, 0755);

	/* The accounts the edits touch, as the first changeset. */
	exec(north->db, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)"
		" INSERT INTO account(id, name) SELECT printf('A%08d', i), 'Account ' || i FROM n");
	if (ruta_changeset_seal(&seq, &changes, north) < 0 || ruta_export_dir(&written, north, stick, NULL) < 0 ||
			ruta_apply_path(&res, hq, stick, NULL) < 0 || res.applied != 1)
		die("first changeset");
	snprintf(cmd, sizeof(cmd), "rm -f '%s'/*", stick);
	if (system(cmd) != 0)
		return 1;

	sqlite3_prepare_v2(north->db, "UPDATE account SET city = ?2 WHERE id = ?1", -1, &st, NULL);
	for (round = 0; round < ROUNDS; round++) {
		t0 = now();
		exec(north->db, "BEGIN");
		for (i = 0; i < ACCOUNTS; i++) {
			snprintf(id, sizeof(id), "A%08d", i);
			snprintf(val, sizeof(val), "city %d.%d", round, i);
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
			sqlite3_step(st);
			sqlite3_reset(st);
		}
		exec(north->db, "COMMIT");
		t_edit += now() - t0;
		t0 = now();
		if (ruta_changeset_seal(&seq, &changes, north) < 0)
			die("seal");
		t_seal += now() - t0;
		total += changes;
	}
	sqlite3_finalize(st);
	t0 = now();
	if (ruta_export_dir(&written, north, stick, NULL) < 0)
		die("export");
	t_write = now() - t0;
	t0 = now();
	if (ruta_apply_path(&res, hq, stick, NULL) < 0)
		die("apply");
	t_apply = now() - t0;
	if (res.applied != ROUNDS || res.changes != total)
		die("not everything applied");
	t_plain = plain_loop(hq->db);

	printf("exchange: %lld field changes in %d changesets of %d, SQLite %s\n", (long long)total,
		ROUNDS, ACCOUNTS, sqlite3_libversion());
	printf("  plain UPDATE loop        %8.0f changes/s\n", (double)total / t_plain);
	printf("  edits with capture       %8.0f changes/s\n", (double)total / t_edit);
	printf("  export (seal + sign)     %8.0f changes/s   (%.2f ms a changeset)\n",
		(double)total / t_seal, t_seal * 1000 / ROUNDS);
	printf("  export incl. files       %8.0f changes/s\n", (double)total / (t_seal + t_write));
	printf("  apply (verify + merge)   %8.0f changes/s   (%.2f ms a changeset)\n",
		(double)total / t_apply, t_apply * 1000 / ROUNDS);
	printf("  ratios to plain: export %.2fx, apply %.2fx\n", t_seal / t_plain, t_apply / t_plain);
	ruta_free(pub);
	ruta_replica_free(hq);
	ruta_replica_free(north);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : 1;
}
