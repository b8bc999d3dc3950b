/* test_blame.c - ruta_blame_json: a field's maker, the heads it overrode, ids and errors. */
#include "helpers.h"

#include <jansson.h>

typedef struct fixture {
	char *tmp, *dir;
	ruta_replica *r;
	char *account;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ruta_field acc[] = { { "name", "Acme S.L." }, { "city", "Madrid" } };
	f->r = team_replica(&f->tmp, "north");
	f->dir = replica_path(f->tmp);
	ASSERT_OK(ruta_record_add(&f->account, f->r, "account", acc, 2));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ruta_free(f->account);
	ruta_replica_free(f->r);
	free(f->dir);
	rm_tree(f->tmp);
	free(f);
	return 0;
}

static json_t *blame(fixture *f, const char *id)
{
	char *text = NULL;
	json_t *doc;
	ASSERT_OK(ruta_blame_json(&text, f->r, "account", id));
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	ruta_free(text);
	return doc;
}

static json_t *field(json_t *doc, const char *name)
{
	json_t *x;
	size_t i;
	json_array_foreach(json_object_get(doc, "fields"), i, x)
		if (strcmp(json_string_value(json_object_get(x, "field")), name) == 0)
			return x;
	fail_msg("no field '%s' in the blame", name);
	return NULL;
}

static void a_local_edit_is_made_here_with_no_changeset_yet(void **state)
{
	fixture *f = *state;
	json_t *doc = blame(f, f->account), *city = field(doc, "city");
	assert_int_equal(json_integer_value(json_object_get(doc, "schema")), 1);
	assert_string_equal(json_string_value(json_object_get(doc, "record")), f->account);
	assert_string_equal(json_string_value(json_object_get(city, "value")), "Madrid");
	assert_string_equal(json_string_value(json_object_get(city, "replica")), ruta_replica_id(f->r));
	assert_true(json_is_null(json_object_get(city, "changeset")));
	assert_int_equal(strlen(json_string_value(json_object_get(city, "hlc"))), 16);
	assert_int_equal(json_array_size(json_object_get(city, "overridden")), 0);
	json_decref(doc);
}

static void fields_without_a_version_are_left_out(void **state)
{
	fixture *f = *state;
	json_t *doc = blame(f, f->account), *x;
	size_t i;
	json_array_foreach(json_object_get(doc, "fields"), i, x)
		assert_string_not_equal(json_string_value(json_object_get(x, "field")), "deleted_at");
	json_decref(doc);
}

/* A closed conflict's heads and an open one's are listed once each, sorted,
 * the field's own version never. */
static void closed_and_open_heads_are_listed_sorted_once(void **state)
{
	fixture *f = *state;
	json_t *doc = blame(f, f->account), *over;   /* stamps the edit: its version is final */
	sqlite3 *db = foreign_db(f->dir);
	char sql[1200], hex[17];
	long long ver = sql_int(db, "SELECT city__v FROM account");
	json_decref(doc);
	ruta_hlc_format(hex, (uint64_t)ver);
	snprintf(sql, sizeof(sql), "INSERT INTO ruta_conflict_closed(id, tbl, rec, col, policy, heads,"
		" chosen, closed_by, closed_by_replica, at) VALUES ('c1', 'account', '%s', 'city',"
		" 'last-writer-wins', '[{\"hlc\":\"0000000000020000\",\"value\":\"Bilbao\",\"replica\":"
		"\"south-x\"},{\"hlc\":\"0000000000010000\",\"value\":\"Sevilla\",\"replica\":\"north-x\"},"
		"{\"hlc\":\"%s\",\"value\":\"Madrid\",\"replica\":\"north-x\"}]', 'Madrid', %lld, 'hq-x',"
		" '2026-01-01T00:00:00Z'); INSERT INTO ruta_conflict(tbl, rec, col, id, policy, review,"
		" opened_at) VALUES ('account', '%s', 'city', 'c2', 'last-writer-wins', 0,"
		" '2026-01-01T00:00:00Z'); INSERT INTO ruta_conflict_head(tbl, rec, col, n, hlc, value,"
		" replica) VALUES ('account', '%s', 'city', 0, 131072, 'Bilbao', 'south-x')", f->account, hex, ver,
		f->account, f->account);
	sql_ok(db, sql);
	sqlite3_close(db);
	doc = blame(f, f->account);
	over = json_object_get(field(doc, "city"), "overridden");
	assert_int_equal(json_array_size(over), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(over, 0), "value")), "Sevilla");
	assert_true(json_is_false(json_object_get(json_array_get(over, 0), "open")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(over, 1), "value")), "Bilbao");
	assert_string_equal(json_string_value(json_object_get(json_array_get(over, 1), "replica")), "south-x");
	assert_true(json_is_true(json_object_get(json_array_get(over, 1), "open")));
	json_decref(doc);
}

static void a_prefix_names_the_record_and_an_unknown_id_is_named(void **state)
{
	fixture *f = *state;
	char prefix[9], *text = NULL;
	json_t *doc;
	snprintf(prefix, sizeof(prefix), "%s", f->account);
	doc = blame(f, prefix);
	assert_string_equal(json_string_value(json_object_get(doc, "record")), f->account);
	json_decref(doc);
	assert_int_equal(ruta_blame_json(&text, f->r, "account", "01ZZZZZZZZZZ"), RUTA_ENOTFOUND);
	assert_null(text);
	assert_non_null(strstr(ruta_error_last()->message, "'01ZZZZZZZZZZ'"));
	assert_int_equal(ruta_blame_json(&text, f->r, "contact", f->account), RUTA_ENOTFOUND);
	assert_int_equal(ruta_blame_json(&text, f->r, "planet", f->account), RUTA_EINVALID);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(a_local_edit_is_made_here_with_no_changeset_yet),
		T(fields_without_a_version_are_left_out),
		T(closed_and_open_heads_are_listed_sorted_once),
		T(a_prefix_names_the_record_and_an_unknown_id_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
