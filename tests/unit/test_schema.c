/* test_schema.c - migrations reach one schema from any start, and the tables match the descriptor. */
#include "helpers.h"
#include "internal.h"
#include "schema.h"

static sqlite3 *fresh_db(char **tmp)
{
	char path[512];
	sqlite3 *db = NULL;
	*tmp = temp_dir();
	snprintf(path, sizeof(path), "%s/x.db", *tmp);
	ASSERT_OK(ruta_db__open(&db, NULL, path, 1, 0));
	return db;
}

/* The schema as text: every table, index and trigger definition. */
static char *schema_text(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 1 << 20, len = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT type || ' ' || name || ' ' || "
		"coalesce(sql, '') FROM sqlite_schema ORDER BY type, name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *row = (const char *)sqlite3_column_text(st, 0);
		size_t n = strlen(row);
		while (len + n + 2 >= cap)
			assert_non_null(out = realloc(out, cap *= 2));
		memcpy(out + len, row, n);
		len += n;
		out[len++] = '\n';
		out[len] = '\0';
	}
	sqlite3_finalize(st);
	return out;
}

static void an_empty_file_migrates_to_the_latest_version(void **state)
{
	char *tmp;
	sqlite3 *db = fresh_db(&tmp);
	(void)state;
	ASSERT_OK(ruta_schema__migrate(db));
	assert_int_equal(sql_int(db, "PRAGMA user_version"), ruta_schema__latest());
	assert_true(sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'") > 50);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM stage"), 6);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM lost_reason"), 6);
	/* The defaults are not changes: every replica starts with them. */
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_change"), 0);
	sqlite3_close(db);
	rm_tree(tmp);
}

static void every_earlier_version_reaches_the_same_schema(void **state)
{
	char *tmp, *want;
	sqlite3 *db = fresh_db(&tmp);
	int v;
	(void)state;
	ASSERT_OK(ruta_schema__migrate(db));
	want = schema_text(db);
	sqlite3_close(db);
	rm_tree(tmp);
	for (v = 0; v <= ruta_schema__latest(); v++) {
		char *got;
		db = fresh_db(&tmp);
		ASSERT_OK(ruta_schema__migrate_to(db, v));
		assert_int_equal(sql_int(db, "PRAGMA user_version"), v);
		ASSERT_OK(ruta_schema__migrate(db));
		got = schema_text(db);
		assert_string_equal(got, want);
		free(got);
		sqlite3_close(db);
		rm_tree(tmp);
	}
	free(want);
}

static void tables_have_exactly_the_descriptor_columns(void **state)
{
	char *tmp;
	sqlite3 *db = fresh_db(&tmp);
	size_t i, j;
	(void)state;
	ASSERT_OK(ruta_schema__migrate(db));
	for (i = 0; i < ruta_schema__ntables; i++) {
		const ruta_tabledef *t = &ruta_schema__tables[i];
		char sql[256];
		/* id, a value and a version per field, created_at and deleted_at with theirs */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_table_info('%s')", t->name);
		assert_int_equal(sql_int(db, sql), 1 + 2 * (long long)t->ncols + 4);
		for (j = 0; j < t->ncols; j++) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_table_info('%s') "
				"WHERE name IN ('%s', '%s__v')", t->name, t->cols[j].name, t->cols[j].name);
			if (sql_int(db, sql) != 2)
				fail_msg("%s.%s or its version column is missing", t->name, t->cols[j].name);
		}
	}
	sqlite3_close(db);
	rm_tree(tmp);
}

static void a_file_from_a_newer_ruta_is_refused_untouched(void **state)
{
	char *tmp;
	sqlite3 *db = fresh_db(&tmp);
	(void)state;
	ASSERT_OK(ruta_schema__migrate(db));
	sql_ok(db, "PRAGMA user_version = 999");
	assert_int_equal(ruta_schema__migrate(db), RUTA_EVERSION);
	assert_non_null(strstr(ruta_error_last()->message, "newer ruta"));
	assert_int_equal(sql_int(db, "PRAGMA user_version"), 999);
	sqlite3_close(db);
	rm_tree(tmp);
}

static void stale_triggers_are_rebuilt(void **state)
{
	char *tmp;
	sqlite3 *db = fresh_db(&tmp);
	long long n;
	(void)state;
	ASSERT_OK(ruta_schema__migrate(db));
	n = sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'");
	sql_ok(db, "DROP TRIGGER ruta_cap_account_name; UPDATE ruta_meta SET value = 'old' "
		"WHERE key = 'trigger_rev'");
	ASSERT_OK(ruta_schema__migrate(db));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), n);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
		"'ruta_cap_account_name'"), 1);
	sqlite3_close(db);
	rm_tree(tmp);
}

/* A replica written by ruta at schema 1 (tests/data/migrate/v1.sql, made by
 * `sqlite3 ruta.db .dump` of a real replica) opens and keeps working. */
static void a_version_1_replica_opens_and_captures(void **state)
{
	char *tmp = temp_dir(), cmd[2400], dir[600];
	ruta_replica *r = NULL;
	sqlite3 *db;
	char *id = NULL;
	ruta_field f[] = { { "name", "After upgrade" } };
	(void)state;
	snprintf(dir, sizeof(dir), "%s/r", tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/keys' && sqlite3 '%s/ruta.db' < "
		"tests/data/migrate/v1.sql", dir, dir);
	assert_int_equal(system(cmd), 0);
	ASSERT_OK(ruta_replica_open(&r, dir, NULL));
	db = foreign_db(dir);
	assert_int_equal(sql_int(db, "PRAGMA user_version"), ruta_schema__latest());
	assert_int_equal(sql_int(db, "SELECT count(*) FROM account WHERE name = 'Acme S.L.'"), 1);
	ASSERT_OK(ruta_record_add(&id, r, "account", f, 1));
	assert_true(sql_int(db, "SELECT count(*) FROM ruta_change WHERE col = 'name' AND "
		"val = 'After upgrade'") == 1);
	sqlite3_close(db);
	ruta_free(id);
	ruta_replica_free(r);
	rm_tree(tmp);
}

/* A replica written by ruta at schema 3 (tests/data/migrate/v3.sql) gets the
 * tag tables with their capture, and hashes as it did before. */
static void a_version_3_replica_migrates_to_tags(void **state)
{
	char *tmp = temp_dir(), cmd[2400], dir[600], hash[65];
	ruta_replica *r = NULL;
	sqlite3 *db;
	ruta_field f[] = { { "tag", "Migrated" } };
	(void)state;
	snprintf(dir, sizeof(dir), "%s/r", tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/keys' && sqlite3 '%s/ruta.db' < "
		"tests/data/migrate/v3.sql", dir, dir);
	assert_int_equal(system(cmd), 0);
	ASSERT_OK(ruta_replica_open(&r, dir, NULL));
	ASSERT_OK(ruta_state_hash(hash, r));
	/* what ruta at schema 3 printed for this file */
	assert_string_equal(hash, "ba0b7bd90794bd70db7e4528300d9a3640f884631cc911d9796f83a5a12857ba");
	ASSERT_OK(ruta_record_edit(NULL, r, "contact", "01M8215NV3RK", f, 1));
	db = foreign_db(dir);
	assert_int_equal(sql_int(db, "PRAGMA user_version"), ruta_schema__latest());
	assert_int_equal(sql_int(db, "SELECT count(*) FROM contact_tag WHERE tag = 'migrated'"), 1);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_change WHERE tbl = 'contact_tag'"
		" AND col = 'tag' AND val = 'migrated'"), 1);
	sqlite3_close(db);
	ruta_replica_free(r);
	rm_tree(tmp);
}

/* Migration 5 brings the table audit checkpoints live in, empty. */
static void migration_5_adds_the_audit_checkpoint(void **state)
{
	char *tmp;
	sqlite3 *db = fresh_db(&tmp);
	(void)state;
	ASSERT_OK(ruta_schema__migrate_to(db, 4));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'ruta_audit'"), 0);
	ASSERT_OK(ruta_schema__migrate_to(db, 5));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'ruta_audit'"), 1);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_audit"), 0);
	sqlite3_close(db);
	rm_tree(tmp);
}

/* Migration 10 makes ruta_conflict again: the same rows in the same order,
 * no index on id (two rows may now share one, as the table no longer
 * refuses it), an index on review that counting the open ones uses. */
static void migration_10_keeps_the_conflicts_and_indexes_review(void **state)
{
	char *tmp;
	sqlite3 *db = fresh_db(&tmp);
	(void)state;
	ASSERT_OK(ruta_schema__migrate_to(db, 9));
	ASSERT_OK(ruta_db__exec(db, "INSERT INTO ruta_conflict(tbl, rec, col, id, policy, review,"
		" opened_at) VALUES ('account', 'B', 'name', 'bbbbbbbbbbbb', 'lww', 1, 't1'),"
		" ('account', 'A', 'name', 'aaaaaaaaaaaa', 'lww', 0, 't2'),"
		" ('account', 'C', 'region', 'cccccccccccc', 'lww', -1, 't3')"));
	assert_true(ruta_db__exec(db, "INSERT INTO ruta_conflict(tbl, rec, col, id, policy,"
		" review, opened_at) VALUES ('account', 'D', 'name', 'aaaaaaaaaaaa', 'lww', 0, 't4')") < 0);
	ASSERT_OK(ruta_schema__migrate_to(db, 10));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_conflict"), 3);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_conflict WHERE rowid = 1 AND"
		" rec = 'B' AND id = 'bbbbbbbbbbbb' AND review = 1 AND opened_at = 't1'"), 1);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_conflict WHERE rowid = 3 AND"
		" rec = 'C' AND review = -1"), 1);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
		" tbl_name = 'ruta_conflict'"), 2);   /* the primary key's, and review's */
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
		" name = 'ruta_conflict_review' AND sql LIKE '%(review)'"), 1);
	ASSERT_OK(ruta_db__exec(db, "INSERT INTO ruta_conflict(tbl, rec, col, id, policy,"
		" review, opened_at) VALUES ('account', 'D', 'name', 'aaaaaaaaaaaa', 'lww', 0, 't4')"));
	assert_true(ruta_db__exec(db, "INSERT INTO ruta_conflict(tbl, rec, col, id, policy,"
		" review, opened_at) VALUES ('account', 'D', 'name', 'dddddddddddd', 'lww', 0, 't5')") < 0);
	/* still one row per field */
	sqlite3_close(db);
	rm_tree(tmp);
}

/* Migration 11 keys each head by its field and its place among the field's
 * heads, in a table without rowids and without the separate index: every
 * head kept, numbered from 0 in the order it was written. */
static void migration_11_numbers_each_fields_heads(void **state)
{
	char *tmp;
	sqlite3 *db = fresh_db(&tmp);
	(void)state;
	ASSERT_OK(ruta_schema__migrate_to(db, 10));
	ASSERT_OK(ruta_db__exec(db, "INSERT INTO ruta_conflict_head(tbl, rec, col, hlc, value,"
		" replica, changeset) VALUES ('account', 'B', 'name', 20, 'two', 'south', 'c2'),"
		" ('account', 'A', 'name', 7, 'seven', 'north', NULL),"
		" ('account', 'B', 'name', 10, 'one', 'north', 'c1'),"
		" ('account', 'B', 'name', 30, 'three', '', NULL)"));
	ASSERT_OK(ruta_schema__migrate_to(db, 11));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_conflict_head"), 4);
	assert_int_equal(sql_int(db, "SELECT group_concat(n || ':' || hlc || ':' || value || ':'"
		" || replica || ':' || coalesce(changeset, '-'), ' ') = '0:20:two:south:c2"
		" 1:10:one:north:c1 2:30:three::-' FROM (SELECT * FROM ruta_conflict_head WHERE"
		" rec = 'B' ORDER BY n)"), 1);
	assert_int_equal(sql_int(db, "SELECT n FROM ruta_conflict_head WHERE rec = 'A'"), 0);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
		" tbl_name = 'ruta_conflict_head'"), 0);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name ="
		" 'ruta_conflict_head' AND sql LIKE '%WITHOUT ROWID'"), 1);
	/* one row per place */
	assert_true(ruta_db__exec(db, "INSERT INTO ruta_conflict_head(tbl, rec, col, n, hlc, value)"
		" VALUES ('account', 'B', 'name', 1, 40, 'again')") < 0);
	sqlite3_close(db);
	rm_tree(tmp);
}

/* Whether column `col`'s definition in CREATE TABLE text `sql` has a CHECK:
 * the text from "col " (after ", " or a new line and indent) to ", col__v". */
static int column_checked(const char *sql, const char *col)
{
	char name[80], version[90];
	const char *end, *p, *start = NULL;
	snprintf(name, sizeof(name), "%s ", col);
	snprintf(version, sizeof(version), ", %s__v ", col);
	if (!(end = strstr(sql, version)))
		fail_msg("no version column for %s", col);
	for (p = sql; (p = strstr(p, name)) && p < end; p++)
		if (p - sql >= 3 && p[-1] == ' ' && (p[-2] == ',' || (p[-2] == ' ' && p[-3] == '\n')))
			start = p;
	if (!start)
		fail_msg("no definition of %s", col);
	for (p = start; p + 6 <= end; p++)
		if (memcmp(p, "CHECK(", 6) == 0)
			return 1;
	return 0;
}

/* Apply skips the probe of a losing value on columns without a CHECK
 * (ruta_schema__checked): that must be what the file says, in a new
 * replica and in one made at schema 1 and migrated. */
static void columns_have_a_check_exactly_where_the_descriptor_says(void **state)
{
	char *tmp, cmd[2400], dir[600];
	sqlite3 *dbs[2];
	size_t i, j, k;
	(void)state;
	dbs[0] = fresh_db(&tmp);
	ASSERT_OK(ruta_schema__migrate(dbs[0]));
	snprintf(dir, sizeof(dir), "%s/r", tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/keys' && sqlite3 '%s/ruta.db' < "
		"tests/data/migrate/v1.sql", dir, dir);
	assert_int_equal(system(cmd), 0);
	dbs[1] = foreign_db(dir);
	ASSERT_OK(ruta_schema__migrate(dbs[1]));
	for (k = 0; k < 2; k++)
		for (i = 0; i < ruta_schema__ntables; i++) {
			const ruta_tabledef *t = &ruta_schema__tables[i];
			sqlite3_stmt *st = NULL;
			assert_int_equal(sqlite3_prepare_v2(dbs[k], "SELECT sql FROM sqlite_schema WHERE"
				" type = 'table' AND name = ?1", -1, &st, NULL), SQLITE_OK);
			sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			for (j = 0; j < t->ncols; j++)
				if (column_checked((const char *)sqlite3_column_text(st, 0), t->cols[j].name) !=
						ruta_schema__checked(&t->cols[j]))
					fail_msg("%s.%s: a CHECK %s", t->name, t->cols[j].name,
						ruta_schema__checked(&t->cols[j]) ? "missing" : "not described");
			sqlite3_finalize(st);
		}
	sqlite3_close(dbs[0]);
	sqlite3_close(dbs[1]);
	rm_tree(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_empty_file_migrates_to_the_latest_version),
		cmocka_unit_test(every_earlier_version_reaches_the_same_schema),
		cmocka_unit_test(tables_have_exactly_the_descriptor_columns),
		cmocka_unit_test(a_file_from_a_newer_ruta_is_refused_untouched),
		cmocka_unit_test(stale_triggers_are_rebuilt),
		cmocka_unit_test(a_version_1_replica_opens_and_captures),
		cmocka_unit_test(a_version_3_replica_migrates_to_tags),
		cmocka_unit_test(migration_5_adds_the_audit_checkpoint),
		cmocka_unit_test(migration_10_keeps_the_conflicts_and_indexes_review),
		cmocka_unit_test(migration_11_numbers_each_fields_heads),
		cmocka_unit_test(columns_have_a_check_exactly_where_the_descriptor_says),
	};
	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
