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
		cmocka_unit_test(the_ssh_keygen_tool_reads_our_keys),
		cmocka_unit_test(a_database_ruta_did_not_make_is_left_untouched),
		cmocka_unit_test(an_older_build_keeps_newer_triggers),
		cmocka_unit_test(new_replicas_start_with_the_same_crm),
	};
	return cmocka_run_group_tests_name("replica", tests, NULL, NULL);
}
