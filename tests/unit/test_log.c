/* test_log.c - ruta_log_json: order, summaries, filters, and each signature status. */
#include "helpers.h"

#include <jansson.h>

/* Head office with two changesets: Acme and its contact Ana (with an email)
 * created, then Acme renamed with a website. */
typedef struct fixture {
	char *tmp, *dir;
	ruta_replica *r;
	char *account, *contact;
} fixture;

static void seal(ruta_replica *r)
{
	int64_t seq = 0, changes = 0;
	ASSERT_OK(ruta_changeset_seal(&seq, &changes, r));
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_field acc[] = { { "name", "Acme S.L." } }, edit[] = { { "name", "Acme Iberia S.L." },
		{ "website", "acme.es" } };
	ruta_field ana[] = { { "account", NULL }, { "first_name", "Ana" }, { "last_name", "Pérez" },
		{ "email", "ana@acme.es" } };
	f->tmp = temp_dir();
	f->dir = malloc(strlen(f->tmp) + 4);
	sprintf(f->dir, "%s/hq", f->tmp);
	o.head_office = 1;
	o.country = "ES";
	ASSERT_OK(ruta_replica_init(&f->r, f->dir, &o));
	ASSERT_OK(ruta_record_add(&f->account, f->r, "account", acc, 1));
	ana[0].value = f->account;
	ASSERT_OK(ruta_record_add(&f->contact, f->r, "contact", ana, 4));
	seal(f->r);
	ASSERT_OK(ruta_record_edit(NULL, f->r, "account", f->account, edit, 2));
	seal(f->r);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ruta_free(f->account);
	ruta_free(f->contact);
	ruta_replica_free(f->r);
	free(f->dir);
	rm_tree(f->tmp);
	free(f);
	return 0;
}

static json_t *log_doc(fixture *f, const ruta_log_filter *filter)
{
	char *text = NULL;
	json_t *doc;
	ASSERT_OK(ruta_log_json(&text, f->r, filter));
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	ruta_free(text);
	return doc;
}

static json_t *nth(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "changesets"), i);
}

static size_t count(json_t *doc)
{
	return json_array_size(json_object_get(doc, "changesets"));
}

static const char *s(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Changes the replica's file behind its back, as another program could. */
static void tamper(fixture *f, const char *sql)
{
	sqlite3 *db = foreign_db(f->dir);
	sql_ok(db, sql);
	sqlite3_close(db);
}

/* The statuses of the two newest changesets, as "newest older". */
static void statuses_are(fixture *f, const char *want)
{
	json_t *doc = log_doc(f, NULL);
	char got[64];
	snprintf(got, sizeof(got), "%s %s", s(nth(doc, 0), "signature"), s(nth(doc, 1), "signature"));
	json_decref(doc);
	assert_string_equal(got, want);
}

static void changesets_come_newest_first_with_what_they_changed(void **state)
{
	fixture *f = *state;
	json_t *doc = log_doc(f, NULL), *sum, *rec;
	assert_int_equal(json_integer_value(json_object_get(doc, "schema")), 1);
	assert_true(json_is_null(json_object_get(doc, "record")));
	assert_int_equal(count(doc), 2);
	assert_int_equal(json_integer_value(json_object_get(nth(doc, 0), "seq")), 2);
	assert_int_equal(json_integer_value(json_object_get(nth(doc, 1), "seq")), 1);
	assert_true(strcmp(s(nth(doc, 0), "hlc_max"), s(nth(doc, 1), "hlc_max")) > 0);
	assert_string_equal(s(nth(doc, 0), "replica"), ruta_replica_id(f->r));
	assert_string_equal(s(nth(doc, 0), "principal"), ruta_replica_id(f->r));
	assert_string_equal(s(nth(doc, 0), "team"), "hq");
	assert_string_equal(s(nth(doc, 0), "signature"), "good");
	assert_true(json_is_null(json_object_get(nth(doc, 0), "reason")));
	assert_int_equal(strlen(s(nth(doc, 0), "hash")), 64);
	assert_int_equal(strncmp(s(nth(doc, 0), "key"), "SHA256:", 7), 0);
	sum = json_object_get(nth(doc, 0), "summary");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(sum,
		"counts"), "account"), "changed")), 1);
	rec = json_array_get(json_object_get(sum, "records"), 0);
	assert_string_equal(s(rec, "op"), "changed");
	assert_string_equal(s(rec, "label"), "Acme Iberia S.L.");
	assert_int_equal(json_array_size(json_object_get(rec, "fields")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "fields"), 0)), "name");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "fields"), 1)), "website");
	/* the first changeset: account (and its lifecycle history row), contact,
	 * email, each created, labelled */
	sum = json_object_get(nth(doc, 1), "summary");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(sum,
		"counts"), "contact_email"), "created")), 1);
	rec = json_array_get(json_object_get(sum, "records"), 1);
	assert_string_equal(s(rec, "table"), "account_lifecycle_history");
	assert_string_equal(s(rec, "label"), "lead");
	rec = json_array_get(json_object_get(sum, "records"), 2);
	assert_string_equal(s(rec, "table"), "contact");
	assert_string_equal(s(rec, "op"), "created");
	assert_string_equal(s(rec, "label"), "Ana Pérez");
	assert_int_equal(json_array_size(json_object_get(rec, "fields")), 0);
	json_decref(doc);
}

static void a_summary_names_three_records_and_counts_the_rest(void **state)
{
	fixture *f = *state;
	const char *names[] = { "B1", "B2", "B3", "B4" };
	json_t *doc, *sum;
	char *id;
	int i;
	for (i = 0; i < 4; i++) {
		ruta_field n[] = { { "name", names[i] } };
		ASSERT_OK(ruta_record_add(&id, f->r, "account", n, 1));
		ruta_free(id);
	}
	seal(f->r);
	doc = log_doc(f, NULL);
	sum = json_object_get(nth(doc, 0), "summary");
	/* four accounts and their four lifecycle history rows */
	assert_int_equal(json_array_size(json_object_get(sum, "records")), 3);
	assert_int_equal(json_integer_value(json_object_get(sum, "more")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(sum,
		"counts"), "account"), "created")), 4);
	json_decref(doc);
}

static void a_record_prefix_selects_the_changesets_that_touch_it_or_its_rows(void **state)
{
	fixture *f = *state;
	ruta_log_filter filter = RUTA_LOG_FILTER_INIT;
	ruta_field drop[] = { { "remove_email", "ana@acme.es" } };
	char prefix[13];
	json_t *doc;

	snprintf(prefix, sizeof(prefix), "%s", f->account);
	filter.record = prefix;
	doc = log_doc(f, &filter);
	assert_string_equal(s(json_object_get(doc, "record"), "id"), f->account);
	assert_string_equal(s(json_object_get(doc, "record"), "type"), "account");
	assert_int_equal(count(doc), 2);
	json_decref(doc);
	/* the contact is in the first only; dropping its email (a row of its own,
	 * which names no contact in the changeset) touches it too */
	ASSERT_OK(ruta_record_edit(NULL, f->r, "contact", f->contact, drop, 1));
	seal(f->r);
	filter.record = f->contact;
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 2);
	assert_int_equal(json_integer_value(json_object_get(nth(doc, 0), "seq")), 3);
	assert_string_equal(s(json_array_get(json_object_get(json_object_get(nth(doc, 0), "summary"),
		"records"), 0), "table"), "contact_email");
	assert_int_equal(json_integer_value(json_object_get(nth(doc, 1), "seq")), 1);
	json_decref(doc);
}

static void an_unknown_record_is_matched_exactly_and_said_so(void **state)
{
	fixture *f = *state;
	ruta_log_filter filter = RUTA_LOG_FILTER_INIT;
	json_t *doc;
	filter.record = "01ZZZZZZZZZZ";
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 0);
	assert_string_equal(s(json_object_get(doc, "record"), "id"), "01ZZZZZZZZZZ");
	assert_true(json_is_null(json_object_get(json_object_get(doc, "record"), "type")));
	json_decref(doc);
}

static void replica_matches_an_id_or_its_name_only(void **state)
{
	fixture *f = *state;
	ruta_log_filter filter = RUTA_LOG_FILTER_INIT;
	json_t *doc;
	filter.replica = ruta_replica_id(f->r);
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 2);
	json_decref(doc);
	filter.replica = "hq";
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 2);
	json_decref(doc);
	filter.replica = "h";   /* a name is whole, not a prefix */
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 0);
	json_decref(doc);
}

static void since_is_inclusive_at_the_newest_version(void **state)
{
	fixture *f = *state;
	ruta_log_filter filter = RUTA_LOG_FILTER_INIT;
	json_t *doc = log_doc(f, NULL);
	char newest[17], after[17], day[11];
	uint64_t v;
	snprintf(newest, sizeof(newest), "%s", s(nth(doc, 0), "hlc_max"));
	snprintf(day, sizeof(day), "%s", s(nth(doc, 1), "time_min"));
	json_decref(doc);
	v = strtoull(newest, NULL, 16);
	ruta_hlc_format(after, v + 1);
	filter.since = newest;
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 1);
	json_decref(doc);
	filter.since = after;
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 0);
	json_decref(doc);
	filter.since = day;   /* midnight of the day they were made */
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 2);
	json_decref(doc);
	filter.since = "9999-12-31T23:59:59Z";
	filter.replica = "hq";
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 0);
	json_decref(doc);
}

static void bad_filters_are_refused_naming_the_filter_and_nothing_is_written(void **state)
{
	fixture *f = *state;
	static const struct { const char *record, *replica, *since, *starts; } bad[] = {
		{ NULL, NULL, "2026-02-30", "since: '2026-02-30'" },
		{ NULL, NULL, "2026-11-22 10:00", "since: " },
		{ NULL, NULL, "01a2048fa8fe014", "since: " },
		{ NULL, NULL, "", "since: " },
		{ NULL, "north east", NULL, "replica: 'north east'" },
		{ "01M8;", NULL, NULL, "record: '01M8;'" },
	};
	char *before = db_fingerprint(f->dir), *after, *text = NULL;
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ruta_log_filter filter = RUTA_LOG_FILTER_INIT;
		filter.record = bad[i].record;
		filter.replica = bad[i].replica;
		filter.since = bad[i].since;
		assert_int_equal(ruta_log_json(&text, f->r, &filter), RUTA_EINVALID);
		assert_null(text);
		assert_int_equal(strncmp(ruta_error_last()->message, bad[i].starts,
			strlen(bad[i].starts)), 0);
	}
	after = db_fingerprint(f->dir);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void a_revoked_key_marks_the_changesets_after_its_seq(void **state)
{
	fixture *f = *state;
	json_t *doc;
	tamper(f, "UPDATE ruta_key SET revoked_after = 1");
	statuses_are(f, "revoked good");
	doc = log_doc(f, NULL);
	assert_non_null(strstr(s(nth(doc, 0), "reason"), "revoked after its changeset 1"));
	json_decref(doc);
}

static void a_window_that_ended_marks_them_outside_it(void **state)
{
	fixture *f = *state;
	tamper(f, "UPDATE ruta_key SET valid_before = '2001-01-01T00:00:00Z'");
	statuses_are(f, "outside-window outside-window");
}

static void a_key_no_trust_file_endorses_is_unknown(void **state)
{
	fixture *f = *state;
	json_t *doc;
	tamper(f, "DELETE FROM ruta_key");
	doc = log_doc(f, NULL);
	assert_string_equal(s(nth(doc, 0), "signature"), "unknown-key");
	assert_true(json_is_null(json_object_get(nth(doc, 0), "principal")));
	assert_true(json_is_null(json_object_get(nth(doc, 0), "team")));
	json_decref(doc);
}

static void a_key_endorsed_for_another_replica_is_the_wrong_key(void **state)
{
	fixture *f = *state;
	json_t *doc;
	tamper(f, "UPDATE ruta_key SET principal = 'hq-someoneelse'");
	doc = log_doc(f, NULL);
	assert_string_equal(s(nth(doc, 0), "signature"), "wrong-key");
	assert_string_equal(s(nth(doc, 0), "principal"), "hq-someoneelse");
	json_decref(doc);
}

static void a_team_changing_the_pipeline_is_not_allowed(void **state)
{
	fixture *f = *state;
	ruta_field label[] = { { "label", "Needs" } };
	ASSERT_OK(ruta_record_edit(NULL, f->r, "stage", "needs", label, 1));
	seal(f->r);
	tamper(f, "UPDATE ruta_key SET team = 'north'");
	statuses_are(f, "not-allowed good");
}

static void altered_bytes_have_a_bad_signature(void **state)
{
	fixture *f = *state;
	json_t *doc;
	tamper(f, "UPDATE ruta_changeset SET body = CAST(replace(CAST(body AS TEXT), 'acme.es',"
		" 'acme.ex') AS BLOB) WHERE seq = 2");
	doc = log_doc(f, NULL);
	assert_string_equal(s(nth(doc, 0), "signature"), "bad");
	assert_non_null(strstr(s(nth(doc, 0), "reason"), "bad signature"));
	assert_string_equal(s(nth(doc, 1), "signature"), "good");
	/* still read: what it claims, and by whom */
	assert_string_equal(s(nth(doc, 0), "team"), "hq");
	json_decref(doc);
}

/* Bytes that are no changeset at all: shown as bad, with nothing read from them. */
static void unreadable_bytes_are_bad_and_touch_no_record(void **state)
{
	fixture *f = *state;
	ruta_log_filter filter = RUTA_LOG_FILTER_INIT;
	json_t *doc;
	tamper(f, "UPDATE ruta_changeset SET body = CAST('not json' || char(10) AS BLOB) WHERE seq = 1");
	doc = log_doc(f, NULL);
	assert_int_equal(count(doc), 2);
	assert_string_equal(s(nth(doc, 1), "signature"), "bad");
	assert_true(json_is_null(json_object_get(nth(doc, 1), "summary")));
	assert_true(json_is_null(json_object_get(nth(doc, 1), "key")));
	assert_int_equal(json_integer_value(json_object_get(nth(doc, 1), "seq")), 1);
	json_decref(doc);
	filter.record = f->contact;   /* only in changeset 1 */
	doc = log_doc(f, &filter);
	assert_int_equal(count(doc), 0);
	json_decref(doc);
}

static void an_unknown_filter_version_is_refused(void **state)
{
	fixture *f = *state;
	ruta_log_filter filter = RUTA_LOG_FILTER_INIT;
	char *text = NULL;
	filter.version = RUTA_LOG_FILTER_VERSION + 1;
	assert_int_equal(ruta_log_json(&text, f->r, &filter), RUTA_EINVALID);
	assert_null(text);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(changesets_come_newest_first_with_what_they_changed),
		T(a_summary_names_three_records_and_counts_the_rest),
		T(a_record_prefix_selects_the_changesets_that_touch_it_or_its_rows),
		T(an_unknown_record_is_matched_exactly_and_said_so),
		T(replica_matches_an_id_or_its_name_only),
		T(since_is_inclusive_at_the_newest_version),
		T(bad_filters_are_refused_naming_the_filter_and_nothing_is_written),
		T(a_revoked_key_marks_the_changesets_after_its_seq),
		T(a_window_that_ended_marks_them_outside_it),
		T(a_key_no_trust_file_endorses_is_unknown),
		T(a_key_endorsed_for_another_replica_is_the_wrong_key),
		T(a_team_changing_the_pipeline_is_not_allowed),
		T(altered_bytes_have_a_bad_signature),
		T(unreadable_bytes_are_bad_and_touch_no_record),
		T(an_unknown_filter_version_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
