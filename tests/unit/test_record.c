/* test_record.c - records: values checked before anything is written, ids by prefix, verbs by state. */
#include "helpers.h"

typedef struct fixture {
	char *tmp, *dir;
	ruta_replica *r;
	char *account, *opp;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ruta_field acc[] = { { "name", "Acme S.L." }, { "tax_id", "ES:B12345674" } };
	ruta_field opp[3] = { { "account", NULL }, { "name", "Fleet" }, { "amount", "12000.00" } };
	ruta_field cur = { "currency", "EUR" };
	ruta_field opp4[4];
	f->r = team_replica(&f->tmp, "north");
	f->dir = replica_path(f->tmp);
	ASSERT_OK(ruta_record_add(&f->account, f->r, "account", acc, 2));
	opp[0].value = f->account;
	memcpy(opp4, opp, sizeof(opp));
	opp4[3] = cur;
	ASSERT_OK(ruta_record_add(&f->opp, f->r, "opp", opp4, 4));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ruta_free(f->account);
	ruta_free(f->opp);
	ruta_replica_free(f->r);
	free(f->dir);
	rm_tree(f->tmp);
	free(f);
	return 0;
}

/* Runs a write expected to fail with `code` and checks nothing changed. */
#define REFUSED(f, code, needle, call) do { \
	char *before_ = db_fingerprint((f)->dir), *after_; \
	int rc_ = (call); \
	if (rc_ != (code)) fail_msg("%s -> %d (%s), wanted %d", #call, rc_, \
		ruta_error_last()->message, (code)); \
	if (!strstr(ruta_error_last()->message, (needle))) \
		fail_msg("message '%s' lacks '%s'", ruta_error_last()->message, (needle)); \
	after_ = db_fingerprint((f)->dir); \
	assert_string_equal(before_, after_); \
	free(before_); free(after_); } while (0)

static void bad_values_are_refused_naming_field_and_value(void **state)
{
	fixture *f = *state;
	char *id = NULL;
	ruta_field email[] = { { "last_name", "Ruiz" }, { "email", "ana@" } };
	ruta_field phone[] = { { "last_name", "Ruiz" }, { "phone", "12ab" } };
	ruta_field amount[] = { { "account", f->account }, { "name", "X" }, { "amount", "-5" },
		{ "currency", "EUR" } };
	ruta_field decimals[] = { { "account", f->account }, { "name", "X" }, { "amount", "1.234" },
		{ "currency", "EUR" } };
	ruta_field nocur[] = { { "account", f->account }, { "name", "X" }, { "amount", "10" } };
	ruta_field date[] = { { "expected_close", "2026-02-30" } };
	ruta_field lifecycle[] = { { "lifecycle", "customer" } };
	ruta_field unknown[] = { { "frist_name", "Ana" } };
	ruta_field stage[] = { { "account", f->account }, { "name", "X" }, { "stage", "nope" } };
	ruta_field derived[] = { { "closed_at", "2026-01-01T00:00:00Z" } };
	ruta_field noname[] = { { "tax_id", "ES:B12345674" } };
	ruta_field empty[] = { { "name", "  " } };
	ruta_field badutf[] = { { "name", "\xc3\x28" } };
	REFUSED(f, RUTA_EINVALID, "ana@", ruta_record_add(&id, f->r, "contact", email, 2));
	REFUSED(f, RUTA_EINVALID, "contact email", ruta_record_add(&id, f->r, "contact", email, 2));
	REFUSED(f, RUTA_EINVALID, "12ab", ruta_record_add(&id, f->r, "contact", phone, 2));
	REFUSED(f, RUTA_EINVALID, "-5", ruta_record_add(&id, f->r, "opp", amount, 4));
	REFUSED(f, RUTA_EINVALID, "1.234", ruta_record_add(&id, f->r, "opp", decimals, 4));
	REFUSED(f, RUTA_EINVALID, "currency", ruta_record_add(&id, f->r, "opp", nocur, 3));
	REFUSED(f, RUTA_EINVALID, "2026-02-30", ruta_record_edit(NULL, f->r, "opp", f->opp, date, 1));
	REFUSED(f, RUTA_EINVALID, "customer", ruta_record_edit(NULL, f->r, "account", f->account,
		lifecycle, 1));
	REFUSED(f, RUTA_ENOFIELD, "frist_name", ruta_record_add(&id, f->r, "contact", unknown, 1));
	REFUSED(f, RUTA_EINVALID, "nope", ruta_record_add(&id, f->r, "opp", stage, 3));
	REFUSED(f, RUTA_EINVALID, "set by ruta", ruta_record_edit(NULL, f->r, "opp", f->opp, derived, 1));
	REFUSED(f, RUTA_EINVALID, "needs name", ruta_record_add(&id, f->r, "account", noname, 1));
	REFUSED(f, RUTA_EINVALID, "cannot be empty", ruta_record_edit(NULL, f->r, "account",
		f->account, empty, 1));
	REFUSED(f, RUTA_EINVALID, "UTF-8", ruta_record_edit(NULL, f->r, "account", f->account, badutf, 1));
	assert_null(id);
}

static void verbs_own_their_fields(void **state)
{
	fixture *f = *state;
	ruta_field stage[] = { { "stage", "needs" } };
	REFUSED(f, RUTA_EINVALID, "ruta opp move", ruta_record_edit(NULL, f->r, "opp", f->opp, stage, 1));
	REFUSED(f, RUTA_EINVALID, "reason", ruta_opp_lose(f->r, f->opp, NULL, NULL));
	REFUSED(f, RUTA_EINVALID, "'cheap' is not a lost reason", ruta_opp_lose(f->r, f->opp, "cheap", NULL));
	REFUSED(f, RUTA_EINVALID, "ruta opp lose", ruta_opp_move(f->r, f->opp, "lost"));
	REFUSED(f, RUTA_EINVALID, "'nowhere' is not a stage", ruta_opp_move(f->r, f->opp, "nowhere"));
}

static void ids_resolve_by_unambiguous_prefix(void **state)
{
	fixture *f = *state;
	ruta_record *rec = NULL;
	char prefix[8], lower[27];
	size_t i;
	snprintf(prefix, sizeof(prefix), "%.6s", f->opp);
	ASSERT_OK(ruta_record_get(&rec, f->r, "opp", prefix));
	assert_string_equal(ruta_record_id(rec), f->opp);
	ruta_record_free(rec);
	for (i = 0; i <= strlen(f->account); i++)
		lower[i] = (char)((f->account[i] >= 'A' && f->account[i] <= 'Z') ?
			f->account[i] + 32 : f->account[i]);
	ASSERT_OK(ruta_record_get(&rec, f->r, "account", lower));
	ruta_record_free(rec);
	assert_int_equal(ruta_record_get(&rec, f->r, "opp", "01"), RUTA_EAMBIGUOUS);
	assert_int_equal(ruta_record_get(&rec, f->r, "opp", "ZZZZZZ"), RUTA_ENOTFOUND);
	assert_int_equal(ruta_record_get(&rec, f->r, "opp", "x'; DROP TABLE opportunity"), RUTA_ENOTFOUND);
	assert_int_equal(ruta_record_get(&rec, f->r, "widget", "x"), RUTA_EINVALID);
	assert_null(rec);
}

static void two_records_with_one_prefix_are_ambiguous(void **state)
{
	fixture *f = *state;
	ruta_field acc[] = { { "name", "Twin" } };
	char *a = NULL, *b = NULL, common[27];
	size_t n = 0;
	ruta_record *rec = NULL;
	ASSERT_OK(ruta_record_add(&a, f->r, "account", acc, 1));
	ASSERT_OK(ruta_record_add(&b, f->r, "account", acc, 1));
	while (a[n] == b[n])
		n++;
	assert_true(n >= 4);   /* ULIDs made moments apart share their time prefix */
	snprintf(common, sizeof(common), "%.*s", (int)n, a);
	assert_int_equal(ruta_record_get(&rec, f->r, "account", common), RUTA_EAMBIGUOUS);
	assert_non_null(strstr(ruta_error_last()->message, "several accounts"));
	ruta_free(a);
	ruta_free(b);
}

static void stage_moves_drive_probability_history_and_closing(void **state)
{
	fixture *f = *state;
	ruta_record *rec = NULL;
	sqlite3 *db = foreign_db(f->dir);
	ruta_field manual[] = { { "probability", "40" } };
	ruta_field automatic[] = { { "probability", "" } };
	ASSERT_OK(ruta_record_get(&rec, f->r, "opp", f->opp));
	assert_string_equal(ruta_record_value(rec, "stage"), "qualification");
	assert_string_equal(ruta_record_value(rec, "probability"), "10");
	assert_string_equal(ruta_record_value(rec, "amount_minor"), "1200000");
	assert_string_equal(ruta_record_value(rec, "amount"), "12000.00");
	ruta_record_free(rec);
	ASSERT_OK(ruta_opp_move(f->r, f->opp, "needs"));
	ASSERT_OK(ruta_record_edit(NULL, f->r, "opp", f->opp, manual, 1));
	ASSERT_OK(ruta_opp_move(f->r, f->opp, "negotiation"));
	ASSERT_OK(ruta_record_get(&rec, f->r, "opp", f->opp));
	assert_string_equal(ruta_record_value(rec, "probability"), "40");   /* typed by hand */
	ruta_record_free(rec);
	ASSERT_OK(ruta_record_edit(NULL, f->r, "opp", f->opp, automatic, 1));
	ASSERT_OK(ruta_opp_win(f->r, f->opp));
	ASSERT_OK(ruta_record_get(&rec, f->r, "opp", f->opp));
	assert_string_equal(ruta_record_value(rec, "stage"), "won");
	assert_string_equal(ruta_record_value(rec, "probability"), "100");
	assert_non_null(ruta_record_value(rec, "closed_at"));
	ruta_record_free(rec);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM opportunity_stage_history"), 4);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM opportunity_stage_history WHERE "
		"from_stage = 'negotiation' AND to_stage = 'won'"), 1);
	ASSERT_OK(ruta_opp_lose(f->r, f->opp, "price", "reopened and lost"));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM opportunity WHERE stage = 'lost' AND "
		"lost_reason = 'price' AND probability = 0 AND closed_at IS NOT NULL"), 1);
	ASSERT_OK(ruta_opp_move(f->r, f->opp, "needs"));
	assert_int_equal(sql_int(db, "SELECT count(*) FROM opportunity WHERE stage = 'needs' AND "
		"lost_reason IS NULL AND closed_at IS NULL AND probability = 25"), 1);
	sqlite3_close(db);
}

static void contact_emails_and_phones_are_sets(void **state)
{
	fixture *f = *state;
	ruta_field add[] = { { "last_name", "Ruiz" }, { "email", "Ana@Acme.es" },
		{ "phone", "612 345 678" }, { "email", "ana@home.es" } };
	ruta_field dup[] = { { "add_email", "ANA@acme.es" } };
	ruta_field rm[] = { { "remove_email", "ana@acme.es" }, { "add_phone", "+40 721 234 567" } };
	ruta_record *rec = NULL;
	char *json = NULL, *c = NULL;
	ASSERT_OK(ruta_record_add(&c, f->r, "contact", add, 4));
	REFUSED(f, RUTA_EEXISTS, "already has", ruta_record_edit(NULL, f->r, "contact", c, dup, 1));
	ASSERT_OK(ruta_record_get(&rec, f->r, "contact", c));
	ASSERT_OK(ruta_record_json(&json, rec));
	assert_non_null(strstr(json, "\"email\":\"Ana@Acme.es\",\"id\""));
	assert_non_null(strstr(json, "\"phone\":\"+34612345678\""));
	assert_non_null(strstr(json, "\"primary\":true"));
	ruta_free(json);
	ruta_record_free(rec);
	ASSERT_OK(ruta_record_edit(NULL, f->r, "contact", c, rm, 2));
	ASSERT_OK(ruta_record_get(&rec, f->r, "contact", c));
	assert_string_equal(ruta_record_value(rec, "email"), "ana@home.es");
	ruta_record_free(rec);
	ruta_free(c);
}

static long long sql_int_at(const char *dir, const char *sql)
{
	sqlite3 *db = foreign_db(dir);
	long long v = sql_int(db, sql);
	sqlite3_close(db);
	return v;
}

/* One row per tagging; a tag shows once; untag tombstones every row of it. */
static void tags_are_sets_of_rows(void **state)
{
	fixture *f = *state;
	ruta_field tag[] = { { "tag", "VIP" }, { "tag", " Key  Account " } };
	ruta_field again[] = { { "tag", "vip" } };
	ruta_field untag[] = { { "untag", "Vip" } };
	ruta_field bad[] = { { "city", "Leon" }, { "tag", "ok" }, { "tag", "a,b" } };
	ruta_list_options lo = RUTA_LIST_OPTIONS_INIT;
	ruta_record_iter *it = NULL;
	ruta_record *rec = NULL;
	char *json = NULL;
	ASSERT_OK(ruta_record_edit(NULL, f->r, "account", f->account, tag, 2));
	ASSERT_OK(ruta_record_edit(NULL, f->r, "account", f->account, again, 1));
	assert_int_equal(sql_int_at(f->dir, "SELECT count(*) FROM account_tag WHERE tag = 'vip'"), 2);
	ASSERT_OK(ruta_record_get(&rec, f->r, "account", f->account));
	ASSERT_OK(ruta_record_json(&json, rec));
	assert_non_null(strstr(json, "\"tags\":[\"key account\",\"vip\"]"));
	ruta_free(json);
	ruta_record_free(rec);
	lo.tag = "VIP";
	ASSERT_OK(ruta_record_list(&it, f->r, "account", &lo));
	ASSERT_OK(ruta_record_iter_next(&rec, it));
	assert_string_equal(ruta_record_id(rec), f->account);
	ruta_record_free(rec);
	assert_int_equal(ruta_record_iter_next(&rec, it), RUTA_ITEROVER);
	ruta_record_iter_free(it);
	REFUSED(f, RUTA_EINVALID, "account tag: 'a,b'",
		ruta_record_edit(NULL, f->r, "account", f->account, bad, 3));
	ASSERT_OK(ruta_record_edit(NULL, f->r, "account", f->account, untag, 1));
	assert_int_equal(sql_int_at(f->dir, "SELECT count(*) FROM account_tag WHERE tag = 'vip'"
		" AND deleted_at IS NULL"), 0);
	REFUSED(f, RUTA_ENOTFOUND, "has no tag 'vip' (its tags: key account)",
		ruta_record_edit(NULL, f->r, "account", f->account, untag, 1));
	lo.tag = "vip";
	ASSERT_OK(ruta_record_list(&it, f->r, "account", &lo));
	assert_int_equal(ruta_record_iter_next(&rec, it), RUTA_ITEROVER);
	ruta_record_iter_free(it);
	assert_int_equal(ruta_record_list(&it, f->r, "activity", &lo), RUTA_EINVALID);
}

static void a_sent_offer_cannot_change(void **state)
{
	fixture *f = *state;
	ruta_field add[] = { { "opp", f->opp }, { "total", "11500.5" } };
	ruta_field edit[] = { { "total", "9000" } };
	ruta_record *rec = NULL;
	char *o = NULL, *o2 = NULL;
	ASSERT_OK(ruta_record_add(&o, f->r, "offer", add, 2));
	ASSERT_OK(ruta_record_get(&rec, f->r, "offer", o));
	assert_string_equal(ruta_record_value(rec, "currency"), "EUR");   /* the opportunity's */
	assert_string_equal(ruta_record_value(rec, "total"), "11500.50");
	ruta_record_free(rec);
	ASSERT_OK(ruta_offer_send(f->r, o));
	REFUSED(f, RUTA_ESTATE, "offer revise", ruta_record_edit(NULL, f->r, "offer", o, edit, 1));
	REFUSED(f, RUTA_ESTATE, "already", ruta_offer_send(f->r, o));
	ASSERT_OK(ruta_offer_revise(&o2, f->r, o));
	ASSERT_OK(ruta_record_get(&rec, f->r, "offer", o2));
	assert_string_equal(ruta_record_value(rec, "revision"), "2");
	assert_string_equal(ruta_record_value(rec, "status"), "draft");
	assert_string_equal(ruta_record_value(rec, "revises"), o);
	ruta_record_free(rec);
	ASSERT_OK(ruta_record_edit(NULL, f->r, "offer", o2, edit, 1));
	ASSERT_OK(ruta_offer_decide(f->r, o, "accepted"));
	REFUSED(f, RUTA_EINVALID, "not an answer", ruta_offer_decide(f->r, o2, "maybe"));
	ruta_free(o);
	ruta_free(o2);
}

static void activities_move_from_planned_once(void **state)
{
	fixture *f = *state;
	ruta_field add[] = { { "kind", "visit" }, { "account", f->account },
		{ "start", "2026-11-23T10:00:00Z" }, { "end", "2026-11-23T11:00:00+01:00" } };
	ruta_record *rec = NULL;
	char *a = NULL;
	ASSERT_OK(ruta_record_add(&a, f->r, "activity", add, 4));
	REFUSED(f, RUTA_EINVALID, "not held", ruta_activity_not_held(f->r, a, ""));
	ASSERT_OK(ruta_activity_held(f->r, a, NULL, NULL));
	ASSERT_OK(ruta_record_get(&rec, f->r, "activity", a));
	assert_string_equal(ruta_record_value(rec, "held_start"), "2026-11-23T10:00:00Z");
	assert_string_equal(ruta_record_value(rec, "held_end"), "2026-11-23T10:00:00Z");
	ruta_record_free(rec);
	REFUSED(f, RUTA_ESTATE, "already", ruta_activity_cancel(f->r, a, NULL));
	ruta_free(a);
}

static void tombstoned_records_stay_but_cannot_change(void **state)
{
	fixture *f = *state;
	ruta_list_options lo = RUTA_LIST_OPTIONS_INIT;
	ruta_record_iter *it = NULL;
	ruta_record *rec = NULL;
	ruta_field edit[] = { { "name", "Ghost" } };
	int n = 0;
	ASSERT_OK(ruta_record_rm(NULL, f->r, "opp", f->opp));
	REFUSED(f, RUTA_ESTATE, "deleted", ruta_record_edit(NULL, f->r, "opp", f->opp, edit, 1));
	REFUSED(f, RUTA_ESTATE, "deleted", ruta_record_rm(NULL, f->r, "opp", f->opp));
	ASSERT_OK(ruta_record_list(&it, f->r, "opp", NULL));
	assert_int_equal(ruta_record_iter_next(&rec, it), RUTA_ITEROVER);
	ruta_record_iter_free(it);
	lo.include_deleted = 1;
	ASSERT_OK(ruta_record_list(&it, f->r, "opp", &lo));
	while (ruta_record_iter_next(&rec, it) == 0) {
		assert_non_null(ruta_record_value(rec, "deleted_at"));
		ruta_record_free(rec);
		n++;
	}
	ruta_record_iter_free(it);
	assert_int_equal(n, 1);
}

static void only_head_office_changes_the_pipeline(void **state)
{
	fixture *f = *state;
	ruta_field stage[] = { { "id", "trial" }, { "label", "Trial" }, { "seq", "35" },
		{ "probability", "60" } };
	char *id = NULL;
	REFUSED(f, RUTA_ESTATE, "only head office", ruta_record_add(&id, f->r, "stage", stage, 4));
}

static void fields_are_checked_together(void **state)
{
	fixture *f = *state;
	ruta_field jpy[] = { { "currency", "JPY" } };
	ruta_field usd[] = { { "currency", "USD" } };
	ruta_field nocur[] = { { "currency", "" } };
	ruta_field minor[] = { { "amount_minor", "7" } };
	ruta_field late[] = { { "kind", "meeting" }, { "start", "2026-11-23T10:00:00Z" },
		{ "end", "2026-11-23T09:00:00Z" } };
	ruta_record *rec = NULL;
	char *id = NULL;
	REFUSED(f, RUTA_EINVALID, "from EUR to JPY", ruta_record_edit(NULL, f->r, "opp", f->opp, jpy, 1));
	REFUSED(f, RUTA_EINVALID, "needs a currency", ruta_record_edit(NULL, f->r, "opp", f->opp, nocur, 1));
	REFUSED(f, RUTA_ENOFIELD, "amount_minor", ruta_record_edit(NULL, f->r, "opp", f->opp, minor, 1));
	REFUSED(f, RUTA_EINVALID, "before its start", ruta_record_add(&id, f->r, "activity", late, 3));
	/* Same number of decimals: the amount keeps its digits in the new currency. */
	ASSERT_OK(ruta_record_edit(NULL, f->r, "opp", f->opp, usd, 1));
	ASSERT_OK(ruta_record_get(&rec, f->r, "opp", f->opp));
	assert_string_equal(ruta_record_value(rec, "amount"), "12000.00");
	assert_string_equal(ruta_record_value(rec, "currency"), "USD");
	ruta_record_free(rec);
}

static void removing_the_primary_phone_promotes_the_next(void **state)
{
	fixture *f = *state;
	ruta_field add[] = { { "last_name", "Ruiz" }, { "phone", "+34612345678" },
		{ "email", "a@b.es" } };
	ruta_field swap[] = { { "add_phone", "+34612345679" }, { "remove_phone", "+34612345678" } };
	ruta_field twice[] = { { "last_name", "Gil" }, { "email", "x@y.es" }, { "email", "X@y.es" } };
	ruta_record *rec = NULL;
	char *c = NULL, *json = NULL, *id = NULL;
	ASSERT_OK(ruta_record_add(&c, f->r, "contact", add, 3));
	ASSERT_OK(ruta_record_edit(NULL, f->r, "contact", c, swap, 2));
	ASSERT_OK(ruta_record_get(&rec, f->r, "contact", c));
	ASSERT_OK(ruta_record_json(&json, rec));
	assert_non_null(strstr(json, "\"phone\":\"+34612345679\",\"primary\":true"));
	ruta_free(json);
	ruta_record_free(rec);
	REFUSED(f, RUTA_EINVALID, "given twice", ruta_record_add(&id, f->r, "contact", twice, 3));
	ruta_free(c);
}

static void retired_configuration_is_not_used_again(void **state)
{
	fixture *f = *state;
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *hq = NULL;
	ruta_field idle[] = { { "id", "idle" }, { "label", "Idle" }, { "seq", "50" },
		{ "probability", "5" }, { "active", "no" } };
	ruta_field won_open[] = { { "id", "w2" }, { "label", "W" }, { "seq", "5" },
		{ "probability", "100" }, { "is_won", "yes" } };
	ruta_field acc[] = { { "name", "H" } };
	char dir[600], *id = NULL, *a = NULL;
	snprintf(dir, sizeof(dir), "%s/hq", f->tmp);
	o.head_office = 1;
	ASSERT_OK(ruta_replica_init(&hq, dir, &o));
	ASSERT_OK(ruta_record_add(&id, hq, "stage", idle, 5));
	ruta_free(id);
	assert_int_equal(ruta_record_add(&id, hq, "stage", won_open, 5), RUTA_EINVALID);
	assert_non_null(strstr(ruta_error_last()->message, "closed"));
	ASSERT_OK(ruta_record_add(&a, hq, "account", acc, 1));
	{
		ruta_field opp[] = { { "account", a }, { "name", "Y" }, { "stage", "IDLE" } };
		assert_int_equal(ruta_record_add(&id, hq, "opp", opp, 3), RUTA_EINVALID);
		assert_non_null(strstr(ruta_error_last()->message, "no longer in use"));
	}
	ASSERT_OK(ruta_record_rm(NULL, hq, "stage", "needs"));
	{
		ruta_field opp[] = { { "account", a }, { "name", "Z" } };
		ASSERT_OK(ruta_record_add(&id, hq, "opp", opp, 2));
		assert_int_equal(ruta_opp_move(hq, id, "needs"), RUTA_EINVALID);
		ASSERT_OK(ruta_opp_move(hq, id, "NEGOTIATION"));
		ASSERT_OK(ruta_opp_lose(hq, id, "PRICE", NULL));
		ruta_free(id);
	}
	ruta_free(a);
	ruta_replica_free(hq);
}

static void what_other_programs_leave_is_handled(void **state)
{
	fixture *f = *state;
	sqlite3 *db = foreign_db(f->dir);
	ruta_field add[] = { { "last_name", "Ruiz" }, { "email", "a@b.es" } };
	ruta_field nocur[] = { { "currency", "" } };
	ruta_field act[] = { { "kind", "call" } };
	ruta_record *rec = NULL;
	char *c = NULL, *a = NULL, *json = NULL, sql[256];
	ASSERT_OK(ruta_record_add(&c, f->r, "contact", add, 2));
	snprintf(sql, sizeof(sql), "UPDATE contact_email SET kind = NULL; UPDATE contact SET "
		"title = CAST(x'41ff42' AS TEXT) WHERE id = '%s'", c);
	sql_ok(db, sql);
	ASSERT_OK(ruta_record_get(&rec, f->r, "contact", c));
	ASSERT_OK(ruta_record_json(&json, rec));
	assert_non_null(strstr(json, "\"title\":\"A\xef\xbf\xbd" "B\""));
	ruta_free(json);
	ruta_record_free(rec);
	ASSERT_OK(ruta_record_add(&a, f->r, "activity", act, 1));
	snprintf(sql, sizeof(sql), "UPDATE activity SET status = NULL WHERE id = '%s'", a);
	sql_ok(db, sql);
	assert_int_equal(ruta_activity_held(f->r, a, NULL, NULL), RUTA_ESTATE);
	/* An amount never loses its currency. */
	REFUSED(f, RUTA_EINVALID, "needs a currency", ruta_record_edit(NULL, f->r, "opp", f->opp,
		nocur, 1));
	sqlite3_close(db);
	ruta_free(c);
	ruta_free(a);
}

static void statuses_only_move_forward_for_every_writer(void **state)
{
	fixture *f = *state;
	ruta_field add[] = { { "opp", f->opp }, { "total", "10" } };
	ruta_field won[] = { { "account", f->account }, { "name", "W" }, { "stage", "won" },
		{ "probability", "30" } };
	sqlite3 *db = foreign_db(f->dir);
	ruta_record *rec = NULL;
	char *o = NULL, *w = NULL, sql[256], *msg = NULL;
	ASSERT_OK(ruta_record_add(&o, f->r, "offer", add, 2));
	ASSERT_OK(ruta_offer_send(f->r, o));
	snprintf(sql, sizeof(sql), "UPDATE offer SET status = 'draft' WHERE id = '%s'", o);
	assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK);
	assert_non_null(strstr(msg, "never back"));
	sqlite3_free(msg);
	/* Created straight into a closed stage: the stage's probability. */
	ASSERT_OK(ruta_record_add(&w, f->r, "opp", won, 4));
	ASSERT_OK(ruta_record_get(&rec, f->r, "opp", w));
	assert_string_equal(ruta_record_value(rec, "probability"), "100");
	assert_string_equal(ruta_record_value(rec, "probability_manual"), "0");
	ruta_record_free(rec);
	sqlite3_close(db);
	ruta_free(o);
	ruta_free(w);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(bad_values_are_refused_naming_field_and_value),
		T(verbs_own_their_fields),
		T(ids_resolve_by_unambiguous_prefix),
		T(two_records_with_one_prefix_are_ambiguous),
		T(stage_moves_drive_probability_history_and_closing),
		T(contact_emails_and_phones_are_sets),
		T(tags_are_sets_of_rows),
		T(a_sent_offer_cannot_change),
		T(activities_move_from_planned_once),
		T(tombstoned_records_stay_but_cannot_change),
		T(only_head_office_changes_the_pipeline),
		T(fields_are_checked_together),
		T(removing_the_primary_phone_promotes_the_next),
		T(retired_configuration_is_not_used_again),
		T(what_other_programs_leave_is_handled),
		T(statuses_only_move_forward_for_every_writer),
	};
	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
