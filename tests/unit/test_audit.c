/* test_audit.c - ruta_audit_verify: a head office's own hub verifies; what it
 * cannot trust it reports; what it cannot read it refuses with a reason. */
#include "helpers.h"

#include <jansson.h>

static json_t *report(const ruta_audit_result *res)
{
	json_t *j = json_loads(res->json, 0, NULL);
	assert_non_null(j);
	return j;
}

static void a_fresh_hub_verifies_and_becomes_the_checkpoint(void **state)
{
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	char *tmp, hub[600];
	ruta_replica *r = head_office_with_hub(&tmp, hub, sizeof(hub));
	sqlite3 *db;
	json_t *j;
	(void)state;
	ASSERT_OK(ruta_audit_verify(&res, r, NULL));
	assert_int_equal(res.problems, 0);
	assert_int_equal(res.trust_version, 1);
	assert_int_equal(res.keys, 1);
	assert_int_equal(res.changesets, 0);
	j = report(&res);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_true(json_is_null(json_object_get(j, "hlc_first")));
	json_decref(j);
	ruta_audit_result_dispose(&res);
	db = foreign_db(ruta_replica_dir(r));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM ruta_audit WHERE branch = 'ruta/trust'"), 1);
	sqlite3_close(db);
	ruta_replica_free(r);
	rm_tree(tmp);
}

static void a_hub_without_a_trust_branch_fails_verification(void **state)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	char *tmp, hub[600], empty[700], cmd[1500];
	ruta_replica *r = head_office_with_hub(&tmp, hub, sizeof(hub));
	json_t *j, *p;
	(void)state;
	snprintf(empty, sizeof(empty), "%s/empty.git", tmp);
	snprintf(cmd, sizeof(cmd), "git init -q --bare '%s'", empty);
	assert_int_equal(system(cmd), 0);
	o.hub = empty;
	assert_int_equal(ruta_audit_verify(&res, r, &o), RUTA_EVERIFY);
	/* no trust branch, and so it withholds the version head office holds */
	assert_int_equal(res.problems, 2);
	j = report(&res);
	p = json_array_get(json_object_get(j, "problems"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "kind")), "trust");
	assert_string_equal(json_string_value(json_object_get(p, "branch")), "ruta/trust");
	p = json_array_get(json_object_get(j, "problems"), 1);
	assert_string_equal(json_string_value(json_object_get(p, "kind")), "trust-withheld");
	json_decref(j);
	ruta_audit_result_dispose(&res);
	ruta_replica_free(r);
	rm_tree(tmp);
}

static void a_hub_that_is_not_there_is_unreachable(void **state)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	char *tmp, hub[600], gone[700];
	ruta_replica *r = head_office_with_hub(&tmp, hub, sizeof(hub));
	(void)state;
	snprintf(gone, sizeof(gone), "%s/nowhere.git", tmp);
	o.hub = gone;
	assert_int_equal(ruta_audit_verify(&res, r, &o), RUTA_EUNREACHABLE);
	assert_null(res.json);
	ruta_audit_result_dispose(&res);
	ruta_replica_free(r);
	rm_tree(tmp);
}

static void a_team_without_a_hub_is_told_to_give_one(void **state)
{
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	char *tmp;
	ruta_replica *r = team_replica(&tmp, "north");
	(void)state;
	assert_int_equal(ruta_audit_verify(&res, r, NULL), RUTA_ENOTFOUND);
	assert_non_null(strstr(ruta_error_last()->message, "--hub"));
	ruta_audit_result_dispose(&res);
	ruta_replica_free(r);
	rm_tree(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_fresh_hub_verifies_and_becomes_the_checkpoint),
		cmocka_unit_test(a_hub_without_a_trust_branch_fails_verification),
		cmocka_unit_test(a_hub_that_is_not_there_is_unreachable),
		cmocka_unit_test(a_team_without_a_hub_is_told_to_give_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
