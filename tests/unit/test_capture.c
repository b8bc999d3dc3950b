/* test_capture.c - every writer's edits land in the change log; stamping gives versions and bases. */
#include "helpers.h"
#include "internal.h"
#include "journal.h"

typedef struct fixture {
	char *tmp;
	char *dir;
	ruta_replica *r;
	sqlite3 *other;   /* another program writing the same file */
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	f->r = team_replica(&f->tmp, "north");
	f->dir = replica_path(f->tmp);
	f->other = foreign_db(f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	sqlite3_close(f->other);
	ruta_replica_free(f->r);
	free(f->dir);
	rm_tree(f->tmp);
	free(f);
	return 0;
}

/* Collects the unexported changes for one field of one table. */
typedef struct seen {
	int n;
	char op[16];
	uint64_t hlc[16], base[16];
	char value[16][64];
} seen;

static seen changes_of(ruta_replica *r, const char *table, const char *field)
{
	ruta_change_iter *it = NULL;
	ruta_change c = RUTA_CHANGE_INIT;
	seen s;
	int err;
	memset(&s, 0, sizeof(s));
	ASSERT_OK(ruta_changes_local(&it, r));
	while ((err = ruta_change_iter_next(&c, it)) == 0) {
		if (strcmp(c.table, table) || strcmp(c.field, field) || s.n == 16)
			continue;
		s.op[s.n] = c.op;
		s.hlc[s.n] = c.hlc;
		s.base[s.n] = c.base;
		snprintf(s.value[s.n], 64, "%s", c.value ? c.value : "(null)");
		s.n++;
	}
	assert_int_equal(err, RUTA_ITEROVER);
	ruta_change_iter_free(it);
	return s;
}

static void an_insert_by_another_program_gets_an_id_and_is_captured(void **state)
{
	fixture *f = *state;
	seen s;
	sql_ok(f->other, "INSERT INTO account(name) VALUES ('Foreign S.A.')");
	assert_int_equal(sql_int(f->other, "SELECT length(id) FROM account"), 26);
	s = changes_of(f->r, "account", "name");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.op[0], 'i');
	assert_string_equal(s.value[0], "Foreign S.A.");
	assert_true(s.hlc[0] > 0);
	assert_int_equal(s.base[0], 0);
}

static void a_second_edit_has_the_first_as_its_base(void **state)
{
	fixture *f = *state;
	seen s;
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC1', 'One')");
	sql_ok(f->other, "UPDATE account SET city = 'Madrid' WHERE id = 'ACC1'");
	sql_ok(f->other, "UPDATE account SET city = 'Sevilla' WHERE id = 'ACC1'");
	s = changes_of(f->r, "account", "city");
	assert_int_equal(s.n, 2);
	assert_int_equal(s.base[0], 0);
	assert_int_equal(s.base[1], s.hlc[0]);
	assert_true(s.hlc[1] > s.hlc[0]);
	/* The field's version in the row is the last change's. */
	assert_int_equal((uint64_t)sql_int(f->other, "SELECT city__v FROM account WHERE id = 'ACC1'"),
		s.hlc[1]);
	/* Later edits chain on from the stamped version. */
	sql_ok(f->other, "UPDATE account SET city = 'Bilbao' WHERE id = 'ACC1'");
	s = changes_of(f->r, "account", "city");
	assert_int_equal(s.n, 3);
	assert_int_equal(s.base[2], s.hlc[1]);
}

static void stamping_is_not_captured_and_is_done_once(void **state)
{
	fixture *f = *state;
	long long before;
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC2', 'Two')");
	before = sql_int(f->other, "SELECT count(*) FROM ruta_change");
	ASSERT_OK(ruta_journal__stamp(f->r));
	ASSERT_OK(ruta_journal__stamp(f->r));
	assert_int_equal(sql_int(f->other, "SELECT count(*) FROM ruta_change"), before);
	assert_int_equal(sql_int(f->other, "SELECT count(*) FROM ruta_change WHERE ver IS NULL"), 0);
}

static void an_unchanged_value_logs_nothing_but_case_changes_do(void **state)
{
	fixture *f = *state;
	seen s;
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC3', 'Acme')");
	sql_ok(f->other, "UPDATE account SET name = 'Acme' WHERE id = 'ACC3'");
	sql_ok(f->other, "UPDATE account SET name = 'ACME' WHERE id = 'ACC3'");
	s = changes_of(f->r, "account", "name");
	assert_int_equal(s.n, 2);
	assert_int_equal(s.op[1], 'u');
	assert_string_equal(s.value[1], "ACME");
}

static void a_delete_becomes_a_tombstone(void **state)
{
	fixture *f = *state;
	seen s;
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC4', 'Gone')");
	sql_ok(f->other, "DELETE FROM account WHERE id = 'ACC4'");
	assert_int_equal(sql_int(f->other, "SELECT count(*) FROM account WHERE id = 'ACC4' "
		"AND deleted_at IS NOT NULL"), 1);
	s = changes_of(f->r, "account", "deleted_at");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.op[0], 'd');
}

static void changes_applied_from_elsewhere_are_not_captured(void **state)
{
	fixture *f = *state;
	long long before;
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC5', 'Five')");
	before = sql_int(f->other, "SELECT count(*) FROM ruta_change");
	sql_ok(f->other, "BEGIN; UPDATE ruta_sync_state SET applying = 1;"
		"UPDATE account SET name = 'Remote', name__v = 99 WHERE id = 'ACC5';"
		"INSERT INTO account(id, name, name__v) VALUES ('ACC6', 'Remote too', 98);"
		"UPDATE ruta_sync_state SET applying = 0; COMMIT");
	assert_int_equal(sql_int(f->other, "SELECT count(*) FROM ruta_change"), before);
}

static void versions_stay_monotonic_when_the_clock_goes_back(void **state)
{
	fixture *f = *state;
	seen s;
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC7', 'Seven')");
	sql_ok(f->other, "UPDATE account SET region = 'a' WHERE id = 'ACC7'");
	sql_ok(f->other, "UPDATE account SET region = 'b' WHERE id = 'ACC7'");
	sql_ok(f->other, "UPDATE account SET region = 'c' WHERE id = 'ACC7'");
	/* The device's clock read 2030, then 2020, then 2026 at capture. */
	sql_ok(f->other, "UPDATE ruta_change SET t = 1893456000000 WHERE val = 'a';"
		"UPDATE ruta_change SET t = 1577836800000 WHERE val = 'b';"
		"UPDATE ruta_change SET t = 1795000000000 WHERE val = 'c'");
	s = changes_of(f->r, "account", "region");
	assert_int_equal(s.n, 3);
	assert_int_equal(s.hlc[0] >> 16, 1893456000000LL);
	assert_true(s.hlc[1] > s.hlc[0]);
	assert_true(s.hlc[2] > s.hlc[1]);
	assert_int_equal(s.base[2], s.hlc[1]);
}

static void a_log_row_naming_no_field_is_refused(void **state)
{
	fixture *f = *state;
	ruta_change_iter *it = NULL;
	sql_ok(f->other, "INSERT INTO ruta_change(tbl, rec, op, col, t) VALUES "
		"('account', 'X', 'u', 'no_such_field', 0)");
	assert_int_equal(ruta_changes_local(&it, f->r), RUTA_ERROR);
	if (!strstr(ruta_error_last()->message, "no_such_field"))
		fail_msg("message: %s", ruta_error_last()->message);
	assert_null(it);
}

static void status_counts_unexported_changes(void **state)
{
	fixture *f = *state;
	ruta_status st = RUTA_STATUS_INIT;
	ASSERT_OK(ruta_replica_status(&st, f->r));
	assert_int_equal(st.unexported, 0);
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC8', 'Eight')");
	ASSERT_OK(ruta_replica_status(&st, f->r));
	/* created_at, name, lifecycle (its default); and the lifecycle history
	 * row's created_at, account_id, to_lifecycle, at and replica */
	assert_int_equal(st.unexported, 8);
	assert_int_equal(st.records, 1);
}

static void a_version_written_by_another_program_is_refused(void **state)
{
	fixture *f = *state;
	ruta_change_iter *it = NULL;
	ruta_status st = RUTA_STATUS_INIT;
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC9', 'Nine')");
	ASSERT_OK(ruta_replica_status(&st, f->r));
	sql_ok(f->other, "UPDATE account SET sector__v = -1 WHERE id = 'ACC9';"
		"UPDATE account SET sector = 'x' WHERE id = 'ACC9'");
	assert_int_equal(ruta_changes_local(&it, f->r), RUTA_ERROR);
	assert_non_null(strstr(ruta_error_last()->message, "sector__v"));
	/* Nothing was stamped past the bad row, and the clock did not move. */
	assert_int_equal((uint64_t)sql_int(f->other, "SELECT hlc FROM ruta_sync_state"), st.last_hlc);
	sql_ok(f->other, "UPDATE account SET sector__v = 9223372036854775807 WHERE id = 'ACC9'");
	assert_int_equal(ruta_changes_local(&it, f->r), RUTA_ERROR);
}

static void the_listing_holds_only_stamped_changes(void **state)
{
	fixture *f = *state;
	ruta_change_iter *it = NULL;
	ruta_change c = RUTA_CHANGE_INIT;
	int n = 0;
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC10', 'Ten')");
	ASSERT_OK(ruta_changes_local(&it, f->r));
	/* Another program writes between the stamp and the read. */
	sql_ok(f->other, "INSERT INTO account(id, name) VALUES ('ACC11', 'Eleven')");
	while (ruta_change_iter_next(&c, it) == 0) {
		assert_true(c.hlc != 0);
		/* the account's fields, then its lifecycle history row's */
		if (strcmp(c.table, "account") == 0)
			assert_string_equal(c.record, "ACC10");
		else
			assert_string_equal(c.table, "account_lifecycle_history");
		n++;
	}
	ruta_change_iter_free(it);
	assert_int_equal(n, 3 + 5);
	assert_int_equal(sql_int(f->other, "SELECT count(*) FROM account_lifecycle_history"
		" WHERE account_id = 'ACC10'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_insert_by_another_program_gets_an_id_and_is_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(a_second_edit_has_the_first_as_its_base, setup, teardown),
		cmocka_unit_test_setup_teardown(stamping_is_not_captured_and_is_done_once, setup, teardown),
		cmocka_unit_test_setup_teardown(an_unchanged_value_logs_nothing_but_case_changes_do, setup, teardown),
		cmocka_unit_test_setup_teardown(a_delete_becomes_a_tombstone, setup, teardown),
		cmocka_unit_test_setup_teardown(changes_applied_from_elsewhere_are_not_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(versions_stay_monotonic_when_the_clock_goes_back, setup, teardown),
		cmocka_unit_test_setup_teardown(a_log_row_naming_no_field_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(status_counts_unexported_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(a_version_written_by_another_program_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(the_listing_holds_only_stamped_changes, setup, teardown),
	};
	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
