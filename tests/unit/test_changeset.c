/* test_changeset.c - sealing is canonical and atomic; applying checks chain, order and trust. */
#include <sys/stat.h>

#include "helpers.h"
#include "buf.h"
#include "changeset.h"
#include "internal.h"

typedef struct world {
	char *tmp;
	ruta_replica *hq, *north, *south;
	char stick[600];
} world;

static ruta_replica *make(world *w, const char *name, int head_office)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char dir[600], root[600];
	snprintf(dir, sizeof(dir), "%s/%s", w->tmp, name);
	snprintf(root, sizeof(root), "%s/hq/keys/root.pub", w->tmp);
	o.head_office = head_office;
	o.team = head_office ? NULL : name;
	o.root_key = head_office ? NULL : root;
	o.country = "ES";
	ASSERT_OK(ruta_replica_init(&r, dir, &o));
	return r;
}

static void endorse(world *w, ruta_replica *team)
{
	char *pub = NULL;
	ASSERT_OK(ruta_replica_public_key(&pub, team, 0));
	ASSERT_OK(ruta_keys_endorse(w->hq, pub, ruta_replica_team(team), NULL, NULL));
	ruta_free(pub);
}

static int setup(void **state)
{
	world *w = calloc(1, sizeof(*w));
	w->tmp = temp_dir();
	w->hq = make(w, "hq", 1);
	w->north = make(w, "north", 0);
	w->south = make(w, "south", 0);
	endorse(w, w->north);
	endorse(w, w->south);
	snprintf(w->stick, sizeof(w->stick), "%s/stick", w->tmp);
	assert_int_equal(mkdir(w->stick, 0755), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world *w = *state;
	ruta_replica_free(w->hq);
	ruta_replica_free(w->north);
	ruta_replica_free(w->south);
	rm_tree(w->tmp);
	free(w);
	return 0;
}

/* Seals and writes `r`'s new work to the stick; returns the seq. */
static int64_t send(world *w, ruta_replica *r)
{
	int64_t seq = 0, changes = 0;
	size_t written = 0;
	int err = ruta_changeset_seal(&seq, &changes, r);
	if (err != 0 && err != RUTA_ITEROVER)
		fail_msg("seal: %s", ruta_error_last()->message);
	ASSERT_OK(ruta_export_dir(&written, r, w->stick, NULL));
	return seq;
}

static ruta_apply_result take(world *w, ruta_replica *r)
{
	ruta_apply_result res = RUTA_APPLY_RESULT_INIT;
	ASSERT_OK(ruta_apply_path(&res, r, w->stick, NULL));
	return res;
}

static char *add_account(ruta_replica *r, const char *name)
{
	ruta_field f[] = { { "name", name } };
	char *id = NULL;
	ASSERT_OK(ruta_record_add(&id, r, "account", f, 1));
	return id;
}

static char *file_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(8 << 20);
	assert_non_null(f);
	*len = fread(buf, 1, (8 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void nothing_to_seal_makes_nothing(void **state)
{
	world *w = *state;
	int64_t seq = 7, changes = 7;
	assert_int_equal(ruta_changeset_seal(&seq, &changes, w->north), RUTA_ITEROVER);
	assert_int_equal(seq, 0);
}

static void a_field_changed_twice_travels_once_with_its_first_base(void **state)
{
	world *w = *state;
	ruta_field c1[] = { { "region", "Madrid" } }, c2[] = { { "region", "Sevilla" } };
	char *a = add_account(w->north, "Acme"), path[900], *body;
	ruta_cs cs;
	size_t len;
	json_t *f;

	send(w, w->north);
	ASSERT_OK(ruta_record_edit(NULL, w->north, "account", a, c1, 1));
	ASSERT_OK(ruta_record_edit(NULL, w->north, "account", a, c2, 1));
	assert_int_equal(send(w, w->north), 2);
	snprintf(path, sizeof(path), "%s/%s-00000002.json", w->stick, ruta_replica_id(w->north));
	body = file_text(path, &len);
	ASSERT_OK(ruta_changeset__parse(&cs, body, len));
	assert_int_equal(cs.changes, 1);
	f = json_object_get(json_object_get(json_array_get(cs.records, 0), "f"), "region");
	assert_string_equal(json_string_value(json_array_get(f, 0)), "Sevilla");
	/* its base is the version south will have: none, never the first edit's */
	assert_string_equal(json_string_value(json_array_get(f, 2)), "0000000000000000");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cs.records, 0), "op")), "u");
	/* canonical: no space, sorted keys, one trailing newline */
	assert_null(strchr(body, ' ') ? strstr(body, "\": ") : NULL);
	assert_int_equal(body[len - 1], '\n');
	assert_int_equal(strncmp(body, "{\"deps\":{", 9), 0);
	ruta_changeset__free(&cs);
	free(body);
	ruta_free(a);
}

/* The fields of record `i` of changeset `seq` of r, parsed. */
static json_t *fields_of(world *w, ruta_replica *r, int64_t seq, size_t i, ruta_cs *cs)
{
	char path[900], *body;
	size_t len;
	snprintf(path, sizeof(path), "%s/%s-%08lld.json", w->stick, ruta_replica_id(r), (long long)seq);
	body = file_text(path, &len);
	ASSERT_OK(ruta_changeset__parse(cs, body, len));
	free(body);
	return json_object_get(json_array_get(cs->records, i), "f");
}

static void an_edit_of_one_address_field_carries_the_whole_block(void **state)
{
	world *w = *state;
	ruta_field street[] = { { "street", "Calle Mayor 1" } }, city[] = { { "city", "Vigo" } };
	char *a = add_account(w->north, "Acme");
	const char *k;
	json_t *f, *e, *st;
	ruta_cs cs;

	ASSERT_OK(ruta_record_edit(NULL, w->north, "account", a, street, 1));
	send(w, w->north);
	ASSERT_OK(ruta_record_edit(NULL, w->north, "account", a, city, 1));
	f = fields_of(w, w->north, send(w, w->north), 0, &cs);
	/* all four, unchanged ones with the value they have, one version for all */
	assert_int_equal(json_object_size(f), 4);
	st = json_object_get(f, "street");
	assert_string_equal(json_string_value(json_array_get(st, 0)), "Calle Mayor 1");
	assert_true(json_is_null(json_array_get(json_object_get(f, "country"), 0)));
	assert_string_equal(json_string_value(json_array_get(json_object_get(f, "city"), 0)), "Vigo");
	json_object_foreach(f, k, e)
		assert_string_equal(json_string_value(json_array_get(e, 1)),
			json_string_value(json_array_get(st, 1)));
	/* each with its own base: the street's edit stamped the whole block too */
	json_object_foreach(f, k, e)
		assert_string_equal(json_string_value(json_array_get(e, 2)),
			json_string_value(json_array_get(st, 2)));
	assert_string_not_equal(json_string_value(json_array_get(st, 2)), "0000000000000000");
	ruta_changeset__free(&cs);
	ruta_free(a);
}

/* An edit of the amount, then of another record, then of the currency:
 * the unit travels once, with the last version and each field's first base. */
static void a_unit_edited_in_two_steps_travels_once(void **state)
{
	world *w = *state;
	ruta_field opp[] = { { "account", NULL }, { "name", "Fleet" }, { "amount", "100.00" },
		{ "currency", "EUR" } }, amount[] = { { "amount", "200.00" } },
		cur[] = { { "currency", "USD" } }, other[] = { { "region", "Rioja" } };
	char *a = add_account(w->north, "Acme"), *o = NULL, base_a[17], base_c[17];
	json_t *f, *am, *cu;
	ruta_cs cs;

	opp[0].value = a;
	ASSERT_OK(ruta_record_add(&o, w->north, "opp", opp, 4));
	/* records by table: account, account_lifecycle_history, opportunity, ... */
	f = fields_of(w, w->north, send(w, w->north), 2, &cs);
	snprintf(base_a, sizeof(base_a), "%s", json_string_value(json_array_get(json_object_get(f, "amount_minor"), 1)));
	snprintf(base_c, sizeof(base_c), "%s", json_string_value(json_array_get(json_object_get(f, "currency"), 1)));
	ruta_changeset__free(&cs);
	/* stamped in one go: the amount's edit adds a currency row after the
	 * currency's own edit, with an older version */
	ASSERT_OK(ruta_record_edit(NULL, w->north, "opp", o, amount, 1));
	ASSERT_OK(ruta_record_edit(NULL, w->north, "account", a, other, 1));
	ASSERT_OK(ruta_record_edit(NULL, w->north, "opp", o, cur, 1));
	f = fields_of(w, w->north, send(w, w->north), 1, &cs);
	am = json_object_get(f, "amount_minor");
	cu = json_object_get(f, "currency");
	assert_int_equal(json_object_size(f), 2);
	assert_int_equal(json_integer_value(json_array_get(am, 0)), 20000);
	assert_string_equal(json_string_value(json_array_get(cu, 0)), "USD");
	assert_string_equal(json_string_value(json_array_get(am, 1)), json_string_value(json_array_get(cu, 1)));
	assert_string_equal(json_string_value(json_array_get(am, 2)), base_a);
	assert_string_equal(json_string_value(json_array_get(cu, 2)), base_c);
	ruta_changeset__free(&cs);
	ruta_free(o);
	ruta_free(a);
}

static void changesets_chain_and_converge(void **state)
{
	world *w = *state;
	ruta_apply_result res;
	char *a = add_account(w->north, "Acme"), h1[65], h2[65], h3[65];
	ruta_field c[] = { { "city", "Bilbao" } };

	send(w, w->hq);   /* the trust file endorsing both teams */
	send(w, w->north);
	res = take(w, w->south);
	assert_int_equal(res.applied, 1);
	assert_int_equal(res.trust_version, 3);
	ASSERT_OK(ruta_record_edit(NULL, w->south, "account", a, c, 1));
	send(w, w->south);
	res = take(w, w->north);
	assert_int_equal(res.applied, 1);
	assert_int_equal(res.duplicates, 1);   /* its own changeset, on the stick too */
	res = take(w, w->hq);
	assert_int_equal(res.applied, 2);
	ASSERT_OK(ruta_state_hash(h1, w->hq));
	ASSERT_OK(ruta_state_hash(h2, w->north));
	ASSERT_OK(ruta_state_hash(h3, w->south));
	assert_string_equal(h1, h2);
	assert_string_equal(h1, h3);
	/* again: nothing new */
	res = take(w, w->hq);
	assert_int_equal(res.applied, 0);
	assert_int_equal(res.duplicates, 2);
	assert_int_equal(res.refused, 0);
	ruta_free(a);
}

/* Weeks of work sealed at once become changesets of whole records, none
 * much over 10,000 field changes, chained, and applied elsewhere as one. */
static void much_work_is_sealed_in_changesets_of_whole_records(void **state)
{
	world *w = *state;
	int64_t seq = 0, changes = 0, seen = 0, n = 0, i;
	char name[40], path[900], h1[65], h2[65], *body;
	ruta_field f[] = { { "name", name }, { "region", "Murcia" }, { "sector", "retail" } };
	ruta_apply_result res;
	json_t *ids = json_object();
	ruta_cs cs;
	size_t len;

	for (i = 0; i < 2000; i++) {   /* some 22,000 field changes */
		char *id = NULL;
		snprintf(name, sizeof(name), "Account %05lld", (long long)i);
		ASSERT_OK(ruta_record_add(&id, w->north, "account", f, 3));
		ruta_free(id);
	}
	ASSERT_OK(ruta_changeset_seal(&seq, &changes, w->north));
	assert_true(seq >= 3);
	ASSERT_OK(ruta_export_dir(&len, w->north, w->stick, NULL));
	for (n = 1; n <= seq; n++) {
		snprintf(path, sizeof(path), "%s/%s-%08lld.json", w->stick, ruta_replica_id(w->north),
			(long long)n);
		body = file_text(path, &len);
		ASSERT_OK(ruta_changeset__parse(&cs, body, len));
		assert_int_equal(cs.seq, n);
		/* whole records: the cut falls only between two of them */
		assert_true(cs.changes <= 10000 + 50);
		assert_true(n == seq || cs.changes >= 10000);
		for (i = 0; i < (int64_t)json_array_size(cs.records); i++) {
			json_t *rec = json_array_get(cs.records, i);
			const char *id = json_string_value(json_object_get(rec, "id"));
			if (strcmp(json_string_value(json_object_get(rec, "t")), "account") != 0)
				continue;
			assert_null(json_object_get(ids, id));
			json_object_set_new(ids, id, json_true());
		}
		seen += cs.changes;
		ruta_changeset__free(&cs);
		free(body);
	}
	assert_int_equal(seen, changes);
	assert_int_equal(json_object_size(ids), 2000);
	/* nothing left: the log is marked exported once */
	assert_int_equal(ruta_changeset_seal(&seq, &changes, w->north), RUTA_ITEROVER);
	send(w, w->hq);
	res = take(w, w->south);
	assert_int_equal(res.applied, n - 1);
	ASSERT_OK(ruta_state_hash(h1, w->north));
	ASSERT_OK(ruta_state_hash(h2, w->south));
	assert_string_equal(h1, h2);
	json_decref(ids);
}

typedef struct sink {
	ruta_buf b;
	size_t stop_after;   /* bytes, or 0: never stop */
} sink;

static int collect(const char *data, size_t len, void *payload)
{
	sink *k = payload;
	ruta_buf__put(&k->b, data, len);
	return k->stop_after && k->b.len >= k->stop_after;
}

/* A bundle given out as it is made is the same bytes as one made whole,
 * and applies; a reader that stops ends it, with nothing marked sent. */
static void a_bundle_streams_as_it_is_made(void **state)
{
	world *w = *state;
	ruta_apply_result res = RUTA_APPLY_RESULT_INIT;
	sink k = { RUTA_BUF_INIT, 0 }, cut = { RUTA_BUF_INIT, 40 };
	char *whole = NULL, h1[65], h2[65], *a = add_account(w->north, "Streamed S.L.");
	size_t len = 0;
	int64_t seq = 0, changes = 0;

	ASSERT_OK(ruta_changeset_seal(&seq, &changes, w->north));
	ASSERT_OK(ruta_export_bundle(&whole, &len, w->north, NULL));
	ASSERT_OK(ruta_export_bundle_to(w->north, collect, &k, NULL));
	assert_int_equal(k.b.len, len);
	assert_memory_equal(k.b.ptr, whole, len);
	assert_int_equal(ruta_export_bundle_to(w->north, collect, &cut, NULL), RUTA_ECANCELED);
	assert_true(cut.b.len < len);
	assert_int_equal(ruta_export_bundle_to(w->north, NULL, NULL, NULL), RUTA_EINVALID);
	send(w, w->hq);
	take(w, w->south);
	ASSERT_OK(ruta_apply_bundle(&res, w->south, k.b.ptr, k.b.len, NULL));
	assert_int_equal(res.applied, 1);
	ASSERT_OK(ruta_state_hash(h1, w->north));
	ASSERT_OK(ruta_state_hash(h2, w->south));
	assert_string_equal(h1, h2);
	ruta_free(whole);
	ruta_free(a);
	ruta_buf__dispose(&k.b);
	ruta_buf__dispose(&cut.b);
}

static void a_gap_waits_then_applies(void **state)
{
	world *w = *state;
	ruta_apply_result res;
	char path[900], hidden[900];
	char *a = add_account(w->north, "One"), *b;
	send(w, w->hq);
	send(w, w->north);
	b = add_account(w->north, "Two");
	send(w, w->north);
	/* changeset 1 goes missing for a while */
	snprintf(path, sizeof(path), "%s/%s-00000001.json", w->stick, ruta_replica_id(w->north));
	snprintf(hidden, sizeof(hidden), "%s/later.bin", w->tmp);
	assert_int_equal(rename(path, hidden), 0);
	res = take(w, w->south);
	assert_int_equal(res.applied, 0);
	assert_int_equal(res.waiting, 1);
	assert_int_equal(rename(hidden, path), 0);
	res = take(w, w->south);
	assert_int_equal(res.applied, 2);
	assert_int_equal(res.waiting, 0);
	ruta_free(a);
	ruta_free(b);
}

static void a_fork_and_an_altered_chain_are_refused(void **state)
{
	world *w = *state;
	ruta_apply_result res;
	ruta_status st = RUTA_STATUS_INIT;
	char *a = add_account(w->north, "One"), path[900], h_before[65], h_after[65];
	char *body;
	size_t len;
	FILE *f;

	send(w, w->hq);
	send(w, w->north);
	take(w, w->south);
	ASSERT_OK(ruta_state_hash(h_before, w->south));
	/* the same changeset number with other bytes: byte-edit the stored file */
	snprintf(path, sizeof(path), "%s/%s-00000001.json", w->stick, ruta_replica_id(w->north));
	body = file_text(path, &len);
	*strstr(body, "One") = 'X';
	assert_non_null(f = fopen(path, "wb"));
	fwrite(body, 1, len, f);
	fclose(f);
	res = take(w, w->south);
	assert_int_equal(res.refused, 1);
	assert_int_equal(res.refused_verify, 1);   /* the signature no longer matches */
	ASSERT_OK(ruta_state_hash(h_after, w->south));
	assert_string_equal(h_before, h_after);
	ASSERT_OK(ruta_replica_status(&st, w->south));
	assert_int_equal(st.quarantined, 1);
	free(body);
	ruta_free(a);
}

static void the_newer_write_wins_the_same_on_both_sides(void **state)
{
	world *w = *state;
	ruta_field n[] = { { "city", "Norte" } }, s[] = { { "city", "Sur" } };
	char *a = add_account(w->north, "Shared"), h1[65], h2[65];
	ruta_record *rec = NULL;

	send(w, w->hq);
	send(w, w->north);
	take(w, w->south);
	/* Both edit the same field without seeing each other; south edits later. */
	ASSERT_OK(ruta_record_edit(NULL, w->north, "account", a, n, 1));
	send(w, w->north);
	usleep(5000);
	ASSERT_OK(ruta_record_edit(NULL, w->south, "account", a, s, 1));
	send(w, w->south);
	take(w, w->north);
	take(w, w->south);
	ASSERT_OK(ruta_state_hash(h1, w->north));
	ASSERT_OK(ruta_state_hash(h2, w->south));
	assert_string_equal(h1, h2);
	ASSERT_OK(ruta_record_get(&rec, w->north, "account", a));
	assert_string_equal(ruta_record_value(rec, "city"), "Sur");
	ruta_record_free(rec);
	ruta_free(a);
}

static void trust_only_moves_forward(void **state)
{
	world *w = *state;
	ruta_apply_result res;
	char path[900], *v3, *v3sig, *v4, *v4sig;
	size_t l3, l3s, l4, l4s;
	FILE *f;

	send(w, w->hq);   /* version 3 */
	snprintf(path, sizeof(path), "%s/ruta-trust-00000003.txt", w->stick);
	v3 = file_text(path, &l3);
	snprintf(path, sizeof(path), "%s/ruta-trust-00000003.txt.sig", w->stick);
	v3sig = file_text(path, &l3s);
	ASSERT_OK(ruta_keys_revoke(&(int){ 0 }, w->hq, "south"));
	send(w, w->hq);   /* version 4 */
	take(w, w->north);
	snprintf(path, sizeof(path), "%s/ruta-trust-00000004.txt", w->stick);
	v4 = file_text(path, &l4);
	snprintf(path, sizeof(path), "%s/ruta-trust-00000004.txt.sig", w->stick);
	v4sig = file_text(path, &l4s);
	assert_non_null(strstr(v4, "# revoked "));
	/* An older version is never installed again. */
	res = take(w, w->north);
	assert_int_equal(res.trust_version, 4);
	/* Version 4 with version 3's body under it: a forged trust file. */
	snprintf(path, sizeof(path), "%s/ruta-trust-00000004.txt", w->stick);
	assert_non_null(f = fopen(path, "wb"));
	fwrite(v3, 1, l3, f);
	fclose(f);
	res = take(w, w->north);
	assert_int_equal(res.refused_verify, 1);
	assert_int_equal(res.trust_version, 4);
	free(v3);
	free(v3sig);
	free(v4);
	free(v4sig);
}

static void an_unknown_key_is_retried_when_trust_arrives(void **state)
{
	world *w = *state;
	ruta_apply_result res;
	char *a = add_account(w->north, "Early");
	/* south hears from north before it has any trust file */
	send(w, w->north);
	res = take(w, w->south);
	assert_int_equal(res.refused, 1);
	assert_int_equal(res.applied, 0);
	send(w, w->hq);
	res = take(w, w->south);
	assert_int_equal(res.applied, 1);
	ruta_free(a);
}

/* ---- the DOM-free reader against the parser -------------------------------------- */

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Every feature of the format: deps, an insert, escapes, raw and escaped
 * UTF-8, a surrogate pair, an integer, a null, a superseded list. */
static const char sample[] =
	"{\"deps\":{\"north-aaaaaaaaaa\":{\"hash\":\"" H64 "\",\"seq\":3},"
	"\"south-bbbbbbbbbb\":{\"hash\":\"" H64 "\",\"seq\":1}},"
	"\"format\":\"ruta-changeset/1\",\"hlc\":{\"max\":\"0000000000000900\","
	"\"min\":\"0000000000000100\"},\"key\":\"SHA256:abc\",\"prev\":\"" H64 "\",\"records\":["
	"{\"f\":{\"created_at\":[\"2026-01-01T00:00:00Z\",\"0000000000000100\",\"0000000000000000\"],"
	"\"name\":[\"Mu\\u00f1oz \\\"y\\\" Ca\\\\\xc3\xb1" "as\\n\\ud83d\\ude00\\/\",\"0000000000000100\","
	"\"0000000000000000\"],\"region\":[null,\"0000000000000100\",\"0000000000000000\"]},"
	"\"id\":\"01ABC\",\"op\":\"i\",\"t\":\"account\"},"
	"{\"f\":{\"amount_minor\":[120000,\"0000000000000200\",\"0000000000000100\"],"
	"\"name\":[\"Fleet\",\"0000000000000900\",\"0000000000000200\",[\"0000000000000150\","
	"\"0000000000000180\"]]},\"id\":\"01DEF\",\"op\":\"u\",\"t\":\"opportunity\"}],"
	"\"replica\":\"west-cccccccccc\",\"seq\":4}\n";

static void same_field(const ruta_cs_field *a, const ruta_cs_field *b)
{
	size_t k;
	assert_string_equal(a->col, b->col);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->hlc, b->hlc);
	assert_int_equal(a->base, b->base);
	assert_int_equal(a->nalso, b->nalso);
	for (k = 0; k < a->nalso; k++)
		assert_int_equal(a->also[k], b->also[k]);
	if (a->type == SQLITE_INTEGER)
		assert_int_equal(a->i, b->i);
	if (a->type == SQLITE_TEXT) {
		assert_int_equal(a->len, b->len);
		assert_memory_equal(a->s, b->s, a->len);
	}
}

/* ruta_changeset__read and __parse agree on `body`: the same outcome, the
 * same message, the same records. Returns the outcome. */
static int read_as_parsed(const char *body, size_t len)
{
	ruta_cs a, b;
	char msg[1024];
	size_t i, k;
	int ea = ruta_changeset__read(&a, body, len), eb;
	snprintf(msg, sizeof(msg), "%s", ruta_error_last()->message);
	eb = ruta_changeset__parse(&b, body, len);
	assert_int_equal(ea, eb);
	if (ea < 0) {
		assert_string_equal(msg, ruta_error_last()->message);
		return ea;
	}
	assert_string_equal(a.replica, b.replica);
	assert_string_equal(a.key, b.key);
	assert_string_equal(a.prev, b.prev);
	assert_int_equal(a.seq, b.seq);
	assert_int_equal(a.hlc_min, b.hlc_min);
	assert_int_equal(a.hlc_max, b.hlc_max);
	assert_int_equal(a.changes, b.changes);
	assert_true(json_equal(a.deps, b.deps));
	assert_int_equal(a.nrecs, b.nrecs);
	for (i = 0; i < a.nrecs; i++) {
		json_t *f = ruta_cs__fields_json(&a.recs[i]);
		assert_ptr_equal(a.recs[i].t, b.recs[i].t);
		assert_string_equal(a.recs[i].id, b.recs[i].id);
		assert_int_equal(a.recs[i].op, b.recs[i].op);
		assert_int_equal(a.recs[i].nf, b.recs[i].nf);
		for (k = 0; k < a.recs[i].nf; k++)
			same_field(&a.recs[i].f[k], &b.recs[i].f[k]);
		/* and the JSON made for merge.c is the changeset's own */
		assert_true(json_equal(f, json_object_get(json_array_get(b.records, i), "f")));
		json_decref(f);
	}
	ruta_changeset__free(&a);
	ruta_changeset__free(&b);
	return 0;
}

static void the_reader_agrees_with_the_parser_on_every_mutation(void **state)
{
	static const char subst[] = { '"', '\\', '0', '9', '}', ']', ',', ':', 'x', ' ', '-', '.',
		'u', 'e', '\x01', '\x80', '\xff' };
	size_t len = strlen(sample), i, k, ok = 0;
	char *m = malloc(len + 1);
	ruta_cs cs;
	(void)state;
	ASSERT_OK(read_as_parsed(sample, len));
	/* read without a tree: the canonical form is the reader's own */
	ASSERT_OK(ruta_changeset__read(&cs, sample, len));
	assert_null(cs.root);
	ruta_changeset__free(&cs);
	for (i = 0; i < len; i++) {
		for (k = 0; k < sizeof(subst); k++) {
			memcpy(m, sample, len);
			m[i] = subst[k];
			ok += read_as_parsed(m, len) == 0;
		}
		/* one byte left out */
		memcpy(m, sample, i);
		memcpy(m + i, sample + i + 1, len - i - 1);
		ok += read_as_parsed(m, len - 1) == 0;
	}
	assert_true(ok > 0);
	free(m);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(nothing_to_seal_makes_nothing),
		T(a_field_changed_twice_travels_once_with_its_first_base),
		T(an_edit_of_one_address_field_carries_the_whole_block),
		T(a_unit_edited_in_two_steps_travels_once),
		T(changesets_chain_and_converge),
		T(much_work_is_sealed_in_changesets_of_whole_records),
		T(a_bundle_streams_as_it_is_made),
		T(a_gap_waits_then_applies),
		T(a_fork_and_an_altered_chain_are_refused),
		T(the_newer_write_wins_the_same_on_both_sides),
		T(trust_only_moves_forward),
		T(an_unknown_key_is_retried_when_trust_arrives),
	};
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(the_reader_agrees_with_the_parser_on_every_mutation),
	};
	return cmocka_run_group_tests_name("changeset", tests, NULL, NULL) |
		cmocka_run_group_tests_name("changeset reader", alone, NULL, NULL);
}
