/* test_replica.c - creating and opening replicas: all or nothing, keys OpenSSH can read, locking. */
#include <sys/stat.h>

#include "helpers.h"
#include "crypto.h"
#include "internal.h"

static int file_mode(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0)
		return -1;
	return (int)(st.st_mode & 0777);
}

static void init_creates_database_and_keys(void **state)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char *tmp = temp_dir(), dir[600], *pub = NULL;
	unsigned char pk[RUTA_PK_BYTES];
	(void)state;
	snprintf(dir, sizeof(dir), "%s/hq", tmp);
	o.head_office = 1;
	ASSERT_OK(ruta_replica_init(&r, dir, &o));
	assert_true(ruta_replica_is_head_office(r));
	assert_null(ruta_replica_team(r));
	assert_int_equal(strncmp(ruta_replica_id(r), "hq-", 3), 0);
	assert_int_equal(file_mode(dir, "keys/replica.key"), 0600);
	assert_int_equal(file_mode(dir, "keys/root.key"), 0600);
	assert_int_equal(file_mode(dir, "keys"), 0700);
	ASSERT_OK(ruta_replica_public_key(&pub, r, 1));
	ASSERT_OK(ruta_crypto__parse_public(pk, pub));
	assert_non_null(strstr(pub, "ruta-root/hq-"));
	ruta_free(pub);
	ASSERT_OK(ruta_replica_public_key(&pub, r, 0));
	assert_non_null(strstr(pub, ruta_replica_id(r)));
	ruta_free(pub);
	ruta_replica_free(r);
	ruta_replica_free(NULL);
	rm_tree(tmp);
}

static void init_refuses_an_existing_replica_and_leaves_it_alone(void **state)
{
	char *tmp, *dir, *before, *after;
	ruta_replica *r = team_replica(&tmp, "north"), *again = NULL;
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	(void)state;
	dir = replica_path(tmp);
	ruta_replica_free(r);
	before = db_fingerprint(dir);
	o.team = "south";
	assert_int_equal(ruta_replica_init(&again, dir, &o), RUTA_EEXISTS);
	assert_non_null(strstr(ruta_error_last()->message, "already holds a replica"));
	assert_null(again);
	after = db_fingerprint(dir);
	assert_string_equal(before, after);
	assert_int_equal(file_mode(dir, "keys/replica.key"), 0600);
	free(before);
	free(after);
	free(dir);
	rm_tree(tmp);
}

static void a_failed_init_leaves_nothing_behind(void **state)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char *tmp = temp_dir(), dir[600], bad[600];
	FILE *fp;
	struct stat st;
	(void)state;
	snprintf(dir, sizeof(dir), "%s/north", tmp);
	snprintf(bad, sizeof(bad), "%s/root.pub", tmp);
	assert_non_null(fp = fopen(bad, "w"));
	fputs("ssh-rsa AAAAB3NzaC1yc2E= not-ours\n", fp);
	fclose(fp);
	o.team = "north";
	o.root_key = bad;
	assert_int_equal(ruta_replica_init(&r, dir, &o), RUTA_EINVALID);
	assert_non_null(strstr(ruta_error_last()->message, "root key"));
	assert_int_equal(stat(dir, &st), -1);
	o.root_key = NULL;
	o.team = "North Team";
	assert_int_equal(ruta_replica_init(&r, dir, &o), RUTA_EINVALID);
	assert_non_null(strstr(ruta_error_last()->message, "North Team"));
	o.team = NULL;
	assert_int_equal(ruta_replica_init(&r, dir, &o), RUTA_EINVALID);
	assert_int_equal(stat(dir, &st), -1);
	rm_tree(tmp);
}

static void open_says_what_is_missing(void **state)
{
	ruta_replica *r = NULL;
	char *tmp = temp_dir();
	(void)state;
	assert_int_equal(ruta_replica_open(&r, tmp, NULL), RUTA_ENOTREPLICA);
	assert_non_null(strstr(ruta_error_last()->message, "ruta init"));
	assert_null(r);
	rm_tree(tmp);
}

static void a_second_writer_waits_then_fails_clearly(void **state)
{
	ruta_open_options oo = RUTA_OPEN_OPTIONS_INIT;
	ruta_field f[] = { { "name", "Blocked" } };
	char *tmp, *dir, *id = NULL;
	ruta_replica *first = team_replica(&tmp, "north"), *r = NULL;
	sqlite3 *other;
	(void)state;
	dir = replica_path(tmp);
	ruta_replica_free(first);
	oo.busy_timeout_ms = 50;
	ASSERT_OK(ruta_replica_open(&r, dir, &oo));
	other = foreign_db(dir);
	sql_ok(other, "BEGIN IMMEDIATE; INSERT INTO account(name) VALUES ('Holder')");
	assert_int_equal(ruta_record_add(&id, r, "account", f, 1), RUTA_ELOCKED);
	assert_non_null(strstr(ruta_error_last()->message, "try again"));
	sql_ok(other, "COMMIT");
	ASSERT_OK(ruta_record_add(&id, r, "account", f, 1));
	assert_int_equal(sql_int(other, "SELECT count(*) FROM account"), 2);
	sqlite3_close(other);
	ruta_free(id);
	ruta_replica_free(r);
	free(dir);
	rm_tree(tmp);
}

static long long file_size(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) < 0 ? -1 : (long long)st.st_size;
}

/* A quarantined item of `kib` KiB written on the replica's own connection:
 * about kib / 4 WAL frames. */
static void write_kib(ruta_replica *r, int kib)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "INSERT INTO ruta_quarantine(name, hash, code, reason, body, at)"
		" VALUES ('x', 'h', 1, 'test', randomblob(%d), 't')", kib * 1024);
	ASSERT_OK(ruta_db__exec(r->db, sql));
}

/* Commits on ruta's connections leave the copy of the WAL into the
 * database file to the checkpoint thread: the file grows once it has run,
 * with no other connection open to checkpoint it. */
static void the_checkpoint_thread_copies_the_wal_into_the_file(void **state)
{
	char *tmp, *dir;
	ruta_replica *r = team_replica(&tmp, "north");
	long long before;
	(void)state;
	dir = replica_path(tmp);
	write_kib(r, 400);   /* ~100 frames: no checkpoint due */
	assert_int_equal(ruta_ckpt__idle(r), 0);
	assert_null(r->ckpt);
	before = file_size(dir, "ruta.db");
	write_kib(r, 6000);   /* ~1,500 frames */
	assert_non_null(r->ckpt);
	assert_true(ruta_ckpt__idle(r) >= 1);
	assert_true(file_size(dir, "ruta.db") >= before + 6000 * 1024);
	/* The WAL starts over at the next commit; it does not grow without end. */
	write_kib(r, 4);
	assert_true(file_size(dir, "ruta.db-wal") < 8 * 1024 * 1024);
	ruta_replica_free(r);
	free(dir);
	rm_tree(tmp);
}

/* Commits back to back, as an apply of hundreds of changesets makes them,
 * would outrun a copy that never blocks them; past 4,000 frames a commit
 * waits for it, so the WAL starts over and stays near that size rather
 * than holding everything written (60 MiB here). */
static void a_writer_that_never_pauses_keeps_the_wal_bounded(void **state)
{
	char *tmp, *dir;
	ruta_replica *r = team_replica(&tmp, "north");
	int i;
	(void)state;
	dir = replica_path(tmp);
	for (i = 0; i < 60; i++)
		write_kib(r, 1024);
	assert_true(file_size(dir, "ruta.db-wal") < 24 * 1024 * 1024);
	assert_true(ruta_ckpt__idle(r) >= 2);
	ruta_replica_free(r);
	free(dir);
	rm_tree(tmp);
}

/* Closing while a checkpoint is due or running waits for it; the file is
 * whole, with every row, when opened again. */
static void closing_with_a_checkpoint_due_keeps_the_file_whole(void **state)
{
	char *tmp, *dir;
	ruta_replica *r = team_replica(&tmp, "north");
	sqlite3 *db;
	int i;
	(void)state;
	dir = replica_path(tmp);
	for (i = 0; i < 8; i++)
		write_kib(r, 1000);
	ruta_replica_free(r);
	ASSERT_OK(ruta_replica_open(&r, dir, NULL));
	db = foreign_db(dir);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_quarantine"), 8);
	sql_ok(db, "PRAGMA integrity_check");
	assert_int_equal(sql_int(db, "SELECT count(*) FROM pragma_integrity_check WHERE"
		" integrity_check <> 'ok'"), 0);
	sqlite3_close(db);
	ruta_replica_free(r);
	free(dir);
	rm_tree(tmp);
}

static void the_ssh_keygen_tool_reads_our_keys(void **state)
{
	char *tmp, *dir, cmd[2048];
	ruta_replica *r = team_replica(&tmp, "north");
	(void)state;
	dir = replica_path(tmp);
	/* ssh-keygen -y derives the public key from the secret key file. */
	snprintf(cmd, sizeof(cmd), "ssh-keygen -y -f '%s/keys/replica.key' | cut -d' ' -f1,2 > "
		"'%s/derived' && cut -d' ' -f1,2 '%s/keys/replica.pub' | cmp -s - '%s/derived'",
		dir, tmp, dir, tmp);
	assert_int_equal(system(cmd), 0);
	ruta_replica_free(r);
	free(dir);
	rm_tree(tmp);
}

static void a_database_ruta_did_not_make_is_left_untouched(void **state)
{
	ruta_replica *r = NULL;
	char *tmp = temp_dir(), path[600], *before, *after;
	sqlite3 *db;
	(void)state;
	snprintf(path, sizeof(path), "%s/ruta.db", tmp);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sql_ok(db, "CREATE TABLE other_app(x); INSERT INTO other_app VALUES (1)");
	sqlite3_close(db);
	before = db_fingerprint(tmp);
	assert_int_equal(ruta_replica_open(&r, tmp, NULL), RUTA_ENOTREPLICA);
	assert_non_null(strstr(ruta_error_last()->message, "untouched"));
	after = db_fingerprint(tmp);
	assert_string_equal(before, after);
	db = foreign_db(tmp);
	assert_int_equal(sql_int(db, "PRAGMA user_version"), 0);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_schema"), 1);
	sqlite3_close(db);
	free(before);
	free(after);
	rm_tree(tmp);
}

static void an_older_build_keeps_newer_triggers(void **state)
{
	char *tmp, *dir;
	ruta_replica *r = team_replica(&tmp, "north");
	sqlite3 *db;
	(void)state;
	dir = replica_path(tmp);
	ruta_replica_free(r);
	db = foreign_db(dir);
	sql_ok(db, "UPDATE ruta_meta SET value = '999' WHERE key = 'trigger_rev';"
		"DROP TRIGGER ruta_cap_account_city");
	ASSERT_OK(ruta_replica_open(&r, dir, NULL));
	/* A newer ruta set these triggers up; this one leaves them be. */
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
		"'ruta_cap_account_city'"), 0);
	ruta_replica_free(r);
	sqlite3_close(db);
	free(dir);
	rm_tree(tmp);
}

static void new_replicas_start_with_the_same_crm(void **state)
{
	char *t1, *t2, h1[65], h2[65];
	ruta_replica *a = team_replica(&t1, "north"), *b;
	(void)state;
	sleep(1);   /* the default stages must not carry their replica's birth time */
	b = team_replica(&t2, "south");
	ASSERT_OK(ruta_state_hash(h1, a));
	ASSERT_OK(ruta_state_hash(h2, b));
	assert_string_equal(h1, h2);
	assert_int_equal(strlen(h1), 64);
	ruta_replica_free(a);
	ruta_replica_free(b);
	rm_tree(t1);
	rm_tree(t2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_creates_database_and_keys),
		cmocka_unit_test(init_refuses_an_existing_replica_and_leaves_it_alone),
		cmocka_unit_test(a_failed_init_leaves_nothing_behind),
		cmocka_unit_test(open_says_what_is_missing),
		cmocka_unit_test(a_second_writer_waits_then_fails_clearly),
		cmocka_unit_test(the_checkpoint_thread_copies_the_wal_into_the_file),
		cmocka_unit_test(a_writer_that_never_pauses_keeps_the_wal_bounded),
		cmocka_unit_test(closing_with_a_checkpoint_due_keeps_the_file_whole),
		cmocka_unit_test(the_ssh_keygen_tool_reads_our_keys),
		cmocka_unit_test(a_database_ruta_did_not_make_is_left_untouched),
		cmocka_unit_test(an_older_build_keeps_newer_triggers),
		cmocka_unit_test(new_replicas_start_with_the_same_crm),
	};
	return cmocka_run_group_tests_name("replica", tests, NULL, NULL);
}
