/*
 * bench_merge.c - merge throughput of signed changesets with concurrent
 * edits, next to SQLite's session extension and a plain UPDATE loop.
 *
 * Two team replicas, A and B, hold the same accounts. Each round A edits
 * 1,000 fields (one per record) and seals them into a signed changeset;
 * B edits 10% of those very fields itself and seals its own work, as
 * `ruta sync` does before it pulls; then B applies A's changeset. Those 10%
 * are concurrent edits: each opens a conflict at B (both heads kept, the
 * policy's pick shown), on an account nobody edits again, so the other 90%
 * stay sequential edits (their base is the version B holds) of accounts
 * with no open conflict. Only ruta_apply_bundle is timed: signature check,
 * strict parse, chain and trust checks, merge, conflict records, commit.
 *
 * The same row changes go through SQLite's session extension
 * (sqlite3changeset_apply, one changeset of 1,000 row updates per round, the
 * same 10% changed beforehand at the target, so the conflict handler sees
 * them and keeps the local value, as ruta shows), in the same rounds: each
 * round ruta applies, then the session extension, so a change in the
 * machine's load during the run touches both alike. Then through a plain
 * single-field UPDATE loop in one transaction. The tables are of account's
 * shape, without triggers; same pragmas as a replica: WAL,
 * synchronous=NORMAL.
 *
 * Edits are made through a second SQLite connection to each replica's
 * ruta.db, a writer ruta captures like any other (README: "Every edit is
 * captured"). ruta itself is driven through include/ruta.h alone.
 *
 * usage: bench_merge [DIR [ROUNDS [CONCURRENT_PERCENT]]]   (defaults: /tmp 220 10)
 * `make bench` runs it without arguments. Figures, not a pass/fail test;
 * exits 1 if a count does not add up or B's final values differ between
 * ruta and the session extension.
 */
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ruta.h"

#define PER_CS 1000        /* field changes per changeset */
#define WINDOWS 10         /* the sequential edits cycle over this many record windows */
#define NF 5

/* Last-writer-wins text fields of an account: no policy of their own, and
 * in no group (the address fields would carry their whole block). */
static const char *const fields[NF] = { "name", "legal_name", "sector", "region", "website" };

static int rounds = 220, nconf, nseq;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This process's CPU time: steadier than the wall clock on a shared machine,
 * and blind to waits for the disk (WAL checkpoints). */
static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_merge: %s: %s\n", what, ruta_error_last()->message);
	exit(1);
}

static void sql_die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "bench_merge: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		sql_die(db, sql);
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		sql_die(db, sql);
	return st;
}

static void step_done(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		sql_die(db, "step");
	sqlite3_reset(st);
}

/* ---- the workload: who edits what, the same for every contender ------------------ */

static int tenth(void)
{
	return rounds >= 10 ? rounds / 10 : 1;
}

static int records(void)
{
	return nseq * WINDOWS + nconf * rounds;
}

static void record_id(char out[16], int i)
{
	snprintf(out, 16, "AC%07d", i);
}

/* Change j of round k, as A makes it; j < nconf are the ones B also edits. */
static int change_at(char id[16], char val[48], int k, int j, char side)
{
	int f;
	if (j < nconf) {
		record_id(id, nseq * WINDOWS + k * nconf + j);
		f = (k + j) % NF;
	} else {
		record_id(id, (k % WINDOWS) * nseq + (j - nconf));
		f = (k / WINDOWS) % NF;
	}
	snprintf(val, 48, "%s by %c, round %d #%d", fields[f], side, k, j);
	return f;
}

/* One UPDATE statement per field. */
static void prepare_updates(sqlite3_stmt *st[NF], sqlite3 *db, const char *table)
{
	char sql[128];
	int f;
	for (f = 0; f < NF; f++) {
		snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?2 WHERE id = ?1", table, fields[f]);
		st[f] = prepare(db, sql);
	}
}

static void finalize_updates(sqlite3_stmt *st[NF])
{
	int f;
	for (f = 0; f < NF; f++)
		sqlite3_finalize(st[f]);
}

/* Round k's edits by side 'A' (all of them) or 'B' (the concurrent ones). */
static void edit_round(sqlite3 *db, sqlite3_stmt *st[NF], int k, char side)
{
	char id[16], val[48];
	int j, f, n = side == 'A' ? PER_CS : nconf;
	exec(db, "BEGIN IMMEDIATE");
	for (j = 0; j < n; j++) {
		f = change_at(id, val, k, j, side);
		sqlite3_bind_text(st[f], 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[f], 2, val, -1, SQLITE_TRANSIENT);
		step_done(db, st[f]);
	}
	exec(db, "COMMIT");
}

/* The fields, joined by `sep`. */
static void columns(char out[160], const char *sep)
{
	int f;
	out[0] = '\0';
	for (f = 0; f < NF; f++)
		snprintf(out + strlen(out), 160 - strlen(out), "%s%s", f ? sep : "", fields[f]);
}

/* Every record, with every field set: the state A and B start from. */
static void populate(sqlite3 *db, const char *table)
{
	char sql[256], cols[160], id[16], val[NF][32];
	sqlite3_stmt *st;
	int i, f;
	columns(cols, ", ");
	snprintf(sql, sizeof(sql), "INSERT INTO %s(id, %s) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		table, cols);
	st = prepare(db, sql);
	exec(db, "BEGIN IMMEDIATE");
	for (i = 0; i < records(); i++) {
		record_id(id, i);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		for (f = 0; f < NF; f++) {
			snprintf(val[f], sizeof(val[f]), "%s %d", fields[f], i);
			sqlite3_bind_text(st, 2 + f, val[f], -1, SQLITE_STATIC);
		}
		step_done(db, st);
	}
	exec(db, "COMMIT");
	sqlite3_finalize(st);
}

/* A hash of every record's edited fields, to check that two contenders
 * ended with the same values. */
static void content_hash(unsigned char out[32], sqlite3 *db, const char *table)
{
	crypto_generichash_state h;
	sqlite3_stmt *st;
	char sql[256], cols[160];
	int c;
	columns(cols, ", ");
	snprintf(sql, sizeof(sql), "SELECT id, %s FROM %s ORDER BY id", cols, table);
	st = prepare(db, sql);
	crypto_generichash_init(&h, NULL, 0, 32);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (c = 0; c <= NF; c++) {
			const unsigned char *v = sqlite3_column_text(st, c);
			crypto_generichash_update(&h, v ? v : (const unsigned char *)"", v ?
				(unsigned long long)sqlite3_column_bytes(st, c) + 1 : 0);
		}
	sqlite3_finalize(st);
	crypto_generichash_final(&h, out, 32);
}

static sqlite3 *open_db(const char *path, int wal)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		sql_die(db, path);
	sqlite3_busy_timeout(db, 10000);
	if (wal)
		exec(db, "PRAGMA journal_mode=WAL");
	exec(db, "PRAGMA synchronous=NORMAL");
	return db;
}

/* ---- ruta: A edits and seals, B edits, seals and applies A's changeset ------------- */

typedef struct merge_side {
	double t_apply, t_make, cpu_apply;
	double t_first, t_last;   /* the first and the last tenth of the rounds */
	unsigned char hash[32];
	int64_t changes, conflicts, open;
	char *account_ddl;   /* the account table's DDL, for the plain copies */
	ruta_replica *hq, *a, *b;
	sqlite3 *adb, *bdb;
	sqlite3_stmt *ast[NF], *bst[NF];
	char scratch[600];
} merge_side;

static ruta_replica *team(const char *base, const char *name, const char *root)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	o.team = name;
	o.root_key = root;
	if (ruta_replica_init(&r, dir, &o) < 0)
		die(name);
	return r;
}

static sqlite3 *open_replica_db(ruta_replica *r)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/ruta.db", ruta_replica_dir(r));
	return open_db(path, 0);
}

/* A's changesets not yet out, as one bundle; then marked written (a copy
 * lands in `scratch`, removed again). */
static char *take_bundle(size_t *len, ruta_replica *a, const char *scratch)
{
	char *bundle = NULL, cmd[700];
	size_t written = 0;
	if (ruta_export_bundle(&bundle, len, a, NULL) < 0 ||
			ruta_export_dir(&written, a, scratch, NULL) < 0)
		die("export");
	snprintf(cmd, sizeof(cmd), "rm -f '%s'/*", scratch);
	if (system(cmd) != 0)
		exit(1);
	return bundle;
}

/* `bundle` holds `n` changesets (0: one or more); every one must apply. */
static void apply(ruta_apply_result *res, ruta_replica *r, const char *bundle, size_t len, int n)
{
	res->version = RUTA_APPLY_RESULT_VERSION;
	if (ruta_apply_bundle(res, r, bundle, len, NULL) < 0)
		die("apply");
	if ((n ? res->applied != n : res->applied < 1) || res->refused || res->waiting)
		die("a changeset did not apply");
}

/* Its own symbol, so a profiler can be told to count the timed applies only:
 * valgrind --tool=callgrind --toggle-collect=timed_apply */
__attribute__((noinline)) static void timed_apply(ruta_apply_result *res, ruta_replica *r,
	const char *bundle, size_t len)
{
	apply(res, r, bundle, len, 1);
}

static void ruta_setup(merge_side *out, const char *base)
{
	ruta_apply_result res = RUTA_APPLY_RESULT_INIT;
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	sqlite3_stmt *st;
	char path[600], *line = NULL, *bundle;
	int64_t seq, changes;
	size_t len;
	FILE *f;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/hq", base);
	o.head_office = 1;
	if (ruta_replica_init(&out->hq, path, &o) < 0 || ruta_replica_public_key(&line, out->hq, 1) < 0)
		die("head office");
	snprintf(path, sizeof(path), "%s/root.pub", base);
	if (!(f = fopen(path, "w")) || fputs(line, f) < 0 || fclose(f) != 0)
		exit(1);
	ruta_free(line);
	out->a = team(base, "north", path);
	out->b = team(base, "south", path);
	if (ruta_replica_public_key(&line, out->a, 0) < 0 ||
			ruta_keys_endorse(out->hq, line, "north", NULL, NULL) < 0)
		die("endorse north");
	ruta_free(line);
	if (ruta_replica_public_key(&line, out->b, 0) < 0 ||
			ruta_keys_endorse(out->hq, line, "south", NULL, NULL) < 0)
		die("endorse south");
	ruta_free(line);
	snprintf(out->scratch, sizeof(out->scratch), "%s/stick", base);
	mkdir(out->scratch, 0755);
	/* The trust file endorsing both reaches B. */
	bundle = take_bundle(&len, out->hq, out->scratch);
	if (ruta_apply_bundle(&res, out->b, bundle, len, NULL) < 0 || res.trust_version < 1)
		die("trust file");
	ruta_free(bundle);

	/* The accounts, made at A and applied at B: several changesets, as a
	 * seal makes none over 10,000 field changes. */
	out->adb = open_replica_db(out->a);
	out->bdb = open_replica_db(out->b);
	populate(out->adb, "account");
	if (ruta_changeset_seal(&seq, &changes, out->a) < 0)
		die("seal the accounts");
	bundle = take_bundle(&len, out->a, out->scratch);
	apply(&res, out->b, bundle, len, 0);
	ruta_free(bundle);

	st = prepare(out->bdb, "SELECT sql FROM sqlite_schema WHERE name = 'account'");
	if (sqlite3_step(st) != SQLITE_ROW)
		sql_die(out->bdb, "account DDL");
	out->account_ddl = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	prepare_updates(out->ast, out->adb, "account");
	prepare_updates(out->bst, out->bdb, "account");
}

static void ruta_round(merge_side *out, int k)
{
	ruta_apply_result res = RUTA_APPLY_RESULT_INIT;
	int64_t seq, changes;
	double t0, c0;
	char *bundle;
	size_t len;

	t0 = now();
	edit_round(out->adb, out->ast, k, 'A');
	if (ruta_changeset_seal(&seq, &changes, out->a) < 0 || changes != PER_CS)
		die("seal");
	bundle = take_bundle(&len, out->a, out->scratch);
	/* B worked on the same fields meanwhile, and seals first, as sync does. */
	edit_round(out->bdb, out->bst, k, 'B');
	if (nconf && ruta_changeset_seal(&seq, &changes, out->b) < 0)
		die("seal at B");
	out->t_make += now() - t0;

	c0 = cpu();
	t0 = now();
	timed_apply(&res, out->b, bundle, len);
	t0 = now() - t0;
	out->cpu_apply += cpu() - c0;
	out->t_apply += t0;
	if (k < tenth())
		out->t_first += t0;
	if (k >= rounds - tenth())
		out->t_last += t0;
	out->changes += res.changes;
	out->conflicts += res.conflicts;
	ruta_free(bundle);
}

static void ruta_finish(merge_side *out)
{
	if (ruta_conflicts_open(&out->open, out->b) < 0)
		die("conflicts open");
	content_hash(out->hash, out->bdb, "account");
	finalize_updates(out->ast);
	finalize_updates(out->bst);
	sqlite3_close(out->adb);
	sqlite3_close(out->bdb);
	ruta_replica_free(out->hq);
	ruta_replica_free(out->a);
	ruta_replica_free(out->b);
}

/* ---- SQLite's session extension ---------------------------------------------------- */

typedef struct session_side {
	double t_apply, t_verify, cpu_apply;
	unsigned char hash[32];
	int64_t conflicts, other;
	size_t bytes;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	sqlite3 *src, *dst;
	sqlite3_stmt *sst[NF], *dst_st[NF];
} session_side;

/* A table of account's very shape, without ruta's triggers. */
static void plain_table(sqlite3 *db, const char *ddl, const char *name)
{
	const char *rest = strchr(ddl, '(');
	char *sql;
	if (!rest) {
		fprintf(stderr, "bench_merge: unexpected account DDL\n");
		exit(1);
	}
	if (!(sql = malloc(strlen(rest) + 64)))
		exit(1);
	sprintf(sql, "CREATE TABLE %s %s", name, rest);
	exec(db, sql);
	free(sql);
	populate(db, name);
}

static int on_conflict(void *ctx, int kind, sqlite3_changeset_iter *it)
{
	session_side *s = ctx;
	(void)it;
	if (kind == SQLITE_CHANGESET_DATA)
		s->conflicts++;   /* the row's old value is not what the target holds */
	else
		s->other++;
	return SQLITE_CHANGESET_OMIT;   /* keep the target's edit, as ruta shows it */
}

static void session_setup(session_side *out, const char *base, const char *ddl)
{
	char path[600];
	memset(out, 0, sizeof(*out));
	crypto_sign_keypair(out->pk, out->sk);
	snprintf(path, sizeof(path), "%s/session-a.db", base);
	out->src = open_db(path, 1);
	snprintf(path, sizeof(path), "%s/session-b.db", base);
	out->dst = open_db(path, 1);
	plain_table(out->src, ddl, "plain");
	plain_table(out->dst, ddl, "plain");
	prepare_updates(out->sst, out->src, "plain");
	prepare_updates(out->dst_st, out->dst, "plain");
}

static void session_round(session_side *out, int k)
{
	unsigned char sig[crypto_sign_BYTES];
	sqlite3_session *sess;
	void *blob;
	double t0, c0;
	int n, rc;

	if (sqlite3session_create(out->src, "main", &sess) != SQLITE_OK ||
			sqlite3session_attach(sess, "plain") != SQLITE_OK)
		sql_die(out->src, "session");
	edit_round(out->src, out->sst, k, 'A');
	if (sqlite3session_changeset(sess, &n, &blob) != SQLITE_OK)
		sql_die(out->src, "changeset");
	sqlite3session_delete(sess);
	crypto_sign_detached(sig, NULL, blob, (unsigned long long)n, out->sk);
	out->bytes += (size_t)n;
	edit_round(out->dst, out->dst_st, k, 'B');

	t0 = now();
	if (crypto_sign_verify_detached(sig, blob, (unsigned long long)n, out->pk) != 0) {
		fprintf(stderr, "bench_merge: signature\n");
		exit(1);
	}
	out->t_verify += now() - t0;
	c0 = cpu();
	t0 = now();
	rc = sqlite3changeset_apply(out->dst, n, blob, NULL, on_conflict, out);
	out->t_apply += now() - t0;
	out->cpu_apply += cpu() - c0;
	if (rc != SQLITE_OK)
		sql_die(out->dst, "sqlite3changeset_apply");
	sqlite3_free(blob);
}

static void session_finish(session_side *out)
{
	content_hash(out->hash, out->dst, "plain");
	finalize_updates(out->sst);
	finalize_updates(out->dst_st);
	sqlite3_close(out->src);
	sqlite3_close(out->dst);
	sodium_memzero(out->sk, sizeof(out->sk));
}

/* ---- the plain UPDATE loop ------------------------------------------------------------ */

/* A's updates, `per` to a transaction (0: all in one). */
static double run_plain(const char *base, const char *ddl, const char *name, int per)
{
	sqlite3_stmt *st[NF];
	char path[600], id[16], val[48];
	sqlite3 *db;
	double t0, t;
	int k, j, f, i = 0;

	snprintf(path, sizeof(path), "%s/plain.db", base);
	db = open_db(path, 1);
	plain_table(db, ddl, name);
	prepare_updates(st, db, name);
	t0 = now();
	exec(db, "BEGIN");
	for (k = 0; k < rounds; k++)
		for (j = 0; j < PER_CS; j++, i++) {
			if (per && i && i % per == 0) {
				exec(db, "COMMIT");
				exec(db, "BEGIN");
			}
			f = change_at(id, val, k, j, 'A');
			sqlite3_bind_text(st[f], 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st[f], 2, val, -1, SQLITE_STATIC);
			step_done(db, st[f]);
		}
	exec(db, "COMMIT");
	t = now() - t0;
	finalize_updates(st);
	sqlite3_close(db);
	return t;
}

int main(int argc, char **argv)
{
	char base[512], cmd[600];
	merge_side ru;
	session_side se;
	double total, t_plain, t_plain_b, merge, sess, sess_v, plain;
	int pct = 10, k;

	if (argc > 2)
		rounds = atoi(argv[2]);
	if (argc > 3)
		pct = atoi(argv[3]);
	if (rounds < 1 || pct < 0 || pct > 100) {
		fprintf(stderr, "usage: bench_merge [DIR [ROUNDS [CONCURRENT_PERCENT]]]\n");
		return 2;
	}
	nconf = PER_CS * pct / 100;
	nseq = PER_CS - nconf;
	if (sodium_init() < 0)
		return 1;
	if (!sqlite3_compileoption_used("ENABLE_SESSION")) {
		fprintf(stderr, "bench_merge: this libsqlite3 lacks the session extension\n");
		return 1;
	}
	snprintf(base, sizeof(base), "%s/ruta-bench-m-%ld", argc > 1 ? argv[1] : "/tmp", (long)getpid());
	if (mkdir(base, 0755) < 0) {
		perror(base);
		return 1;
	}

	/* Round by round, one contender then the other: a change in the
	 * machine's load during the run touches both alike. */
	ruta_setup(&ru, base);
	session_setup(&se, base, ru.account_ddl);
	for (k = 0; k < rounds; k++) {
		ruta_round(&ru, k);
		session_round(&se, k);
	}
	ruta_finish(&ru);
	session_finish(&se);
	t_plain = run_plain(base, ru.account_ddl, "plain", 0);
	t_plain_b = run_plain(base, ru.account_ddl, "plain_batched", PER_CS);

	total = (double)rounds * PER_CS;
	if (ru.changes != (int64_t)total || ru.conflicts != (int64_t)nconf * rounds ||
			ru.open != (int64_t)nconf * rounds || se.conflicts != (int64_t)nconf * rounds ||
			se.other != 0 || memcmp(ru.hash, se.hash, 32) != 0) {
		fprintf(stderr, "bench_merge: counts do not add up: ruta %lld changes, %lld conflicts "
			"(%lld open); session %lld conflicts (%lld other); expected %.0f and %d; final values "
			"%s\n",
			(long long)ru.changes, (long long)ru.conflicts, (long long)ru.open,
			(long long)se.conflicts, (long long)se.other, total, nconf * rounds,
			memcmp(ru.hash, se.hash, 32) ? "differ" : "agree");
		return 1;
	}
	merge = total / ru.t_apply;
	sess = total / se.t_apply;
	sess_v = total / (se.t_apply + se.t_verify);
	plain = total / t_plain;

	printf("merge: %.0f field changes in %d signed changesets of %d, %d%% concurrent, "
		"%d accounts, SQLite %s\n", total, rounds, PER_CS, pct, records(), sqlite3_libversion());
	printf("  ruta apply (verify + parse + merge)  %8.0f changes/s  %7.2f ms a changeset, "
		"%6.2f on CPU\n", merge, ru.t_apply * 1000 / rounds, ru.cpu_apply * 1000 / rounds);
	printf("    first %d changesets %.2f ms each, last %d %.2f ms each; %lld conflicts, "
		"%lld open\n", tenth(), ru.t_first * 1000 / tenth(), tenth(), ru.t_last * 1000 / tenth(),
		(long long)ru.conflicts, (long long)ru.open);
	printf("  session extension apply              %8.0f changes/s  %7.2f ms a changeset, "
		"%6.2f on CPU\n", sess, se.t_apply * 1000 / rounds, se.cpu_apply * 1000 / rounds);
	printf("    %zu bytes a changeset, unsigned; %lld conflicts, the local value kept\n",
		se.bytes / (size_t)rounds, (long long)se.conflicts);
	printf("  session + Ed25519 verify             %8.0f changes/s\n", sess_v);
	printf("  plain UPDATE, one transaction        %8.0f changes/s\n", plain);
	printf("  plain UPDATE, %d a transaction     %8.0f changes/s\n", PER_CS, total / t_plain_b);
	printf("  B ends with the same values under ruta and the session extension\n");
	printf("  (not counted: making A's and B's edits and changesets, %.1f s)\n", ru.t_make);
	printf("merge: %.0f field changes/s (%d%% concurrent, %lld conflicts); session extension: "
		"%.0f/s; plain UPDATE: %.0f/s; ruta/session = %.2f, ruta/UPDATE = %.2f\n", merge, pct,
		(long long)ru.conflicts, sess, plain, merge / sess, merge / plain);
	printf("  ruta %s the session extension: %.2fx its rate (%.2fx with a signature check "
		"added to it; %.2fx on CPU time)\n", merge > sess ? "beats" : "does not beat",
		merge / sess, merge / sess_v, se.cpu_apply / ru.cpu_apply);
	free(ru.account_ddl);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : 1;
}
