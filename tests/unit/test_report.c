/* test_report.c - ruta_audit_report: the audit's own JSON inside, a page
 * that loads nothing, a report even when verification fails, none when the
 * hub is out of reach; and the audit lists its changesets only when asked. */
#include "helpers.h"

#include <jansson.h>

static void the_json_report_holds_what_audit_verify_reports(void **state)
{
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	char *tmp, hub[600], *text = NULL;
	ruta_replica *r = head_office_with_hub(&tmp, hub, sizeof(hub));
	json_t *doc, *audit;
	(void)state;
	ASSERT_OK(ruta_audit_report(&text, r, NULL, RUTA_REPORT_JSON));
	ASSERT_OK(ruta_audit_verify(&res, r, NULL));
	doc = json_loads(text, 0, NULL);
	audit = json_loads(res.json, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(doc, "schema")), 1);
	assert_string_equal(json_string_value(json_object_get(doc, "replica")), ruta_replica_id(r));
	assert_true(json_equal(json_object_get(doc, "audit"), audit));
	assert_int_equal(json_array_size(json_object_get(doc, "timeline")), 0);
	assert_true(json_is_array(json_object_get(json_object_get(doc, "conflicts"), "open")));
	assert_true(json_is_array(json_object_get(json_object_get(doc, "conflicts"), "resolved")));
	json_decref(audit);
	json_decref(doc);
	ruta_free(text);
	ruta_audit_result_dispose(&res);
	ruta_replica_free(r);
	rm_tree(tmp);
}

static void the_page_shows_the_figures_and_loads_nothing(void **state)
{
	char *tmp, hub[600], *page = NULL;
	ruta_replica *r = head_office_with_hub(&tmp, hub, sizeof(hub));
	(void)state;
	ASSERT_OK(ruta_audit_report(&page, r, NULL, RUTA_REPORT_HTML));
	assert_non_null(strstr(page, "<!DOCTYPE html>"));
	assert_non_null(strstr(page, "<td id=\"changesets\">0</td>"));
	assert_non_null(strstr(page, "<td id=\"trust-version\">1</td>"));
	assert_non_null(strstr(page, "default-src 'none'"));
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "http:"));
	assert_null(strstr(page, "src="));
	ruta_free(page);
	ruta_replica_free(r);
	rm_tree(tmp);
}

static void a_failed_verification_still_gives_its_report(void **state)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	char *tmp, hub[600], empty[700], cmd[1500], *text = NULL;
	ruta_replica *r = head_office_with_hub(&tmp, hub, sizeof(hub));
	json_t *doc;
	(void)state;
	snprintf(empty, sizeof(empty), "%s/empty.git", tmp);
	snprintf(cmd, sizeof(cmd), "git init -q --bare '%s'", empty);
	assert_int_equal(system(cmd), 0);
	o.hub = empty;
	assert_int_equal(ruta_audit_report(&text, r, &o, RUTA_REPORT_JSON), RUTA_EVERIFY);
	assert_non_null(strstr(ruta_error_last()->message, "failed verification"));
	assert_non_null(text);
	doc = json_loads(text, 0, NULL);
	assert_true(json_is_false(json_object_get(json_object_get(doc, "audit"), "ok")));
	json_decref(doc);
	ruta_free(text);
	ruta_replica_free(r);
	rm_tree(tmp);
}

static void an_unreachable_hub_or_an_unknown_form_gives_none(void **state)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	char *tmp, hub[600], gone[700], *text = NULL;
	ruta_replica *r = head_office_with_hub(&tmp, hub, sizeof(hub));
	(void)state;
	snprintf(gone, sizeof(gone), "%s/nowhere.git", tmp);
	o.hub = gone;
	assert_int_equal(ruta_audit_report(&text, r, &o, RUTA_REPORT_HTML), RUTA_EUNREACHABLE);
	assert_null(text);
	assert_int_equal(ruta_audit_report(&text, r, NULL, 0), RUTA_EINVALID);
	assert_null(text);
	ruta_replica_free(r);
	rm_tree(tmp);
}

/* Whether ruta_audit_verify's JSON has a "timeline" with these options. */
static int has_timeline(ruta_replica *r, const ruta_audit_options *o)
{
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	json_t *j;
	int yes;
	ASSERT_OK(ruta_audit_verify(&res, r, o));
	j = json_loads(res.json, 0, NULL);
	yes = json_is_array(json_object_get(j, "timeline"));
	json_decref(j);
	ruta_audit_result_dispose(&res);
	return yes;
}

static void the_audit_lists_its_changesets_only_when_asked(void **state)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	char *tmp, hub[600];
	ruta_replica *r = head_office_with_hub(&tmp, hub, sizeof(hub));
	(void)state;
	assert_false(has_timeline(r, NULL));
	assert_false(has_timeline(r, &o));
	o.timeline = 1;
	assert_true(has_timeline(r, &o));
	/* a caller built against version 1 has no such field */
	o.version = 1;
	assert_false(has_timeline(r, &o));
	ruta_replica_free(r);
	rm_tree(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_json_report_holds_what_audit_verify_reports),
		cmocka_unit_test(the_page_shows_the_figures_and_loads_nothing),
		cmocka_unit_test(a_failed_verification_still_gives_its_report),
		cmocka_unit_test(an_unreachable_hub_or_an_unknown_form_gives_none),
		cmocka_unit_test(the_audit_lists_its_changesets_only_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
