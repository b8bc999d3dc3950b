/*
 * cmd_dup.c - `ruta duplicates` and `ruta merge-records`: likely duplicate
 * accounts and contacts, and merging one record into another.
 *
 * The library finds and merges; this file only shows. What a merge moved is
 * told by comparing the records around it with read calls, so the report
 * needs nothing the public API does not give every program.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char duplicates_help[] =
	"usage: ruta duplicates [--json]\n"
	"\n"
	"Lists groups of live records that look like one real-world account or\n"
	"contact: accounts with the same normalized tax id (ES:B12345674 however it\n"
	"was typed), contacts with the same email (case and blanks aside) or the\n"
	"same phone in E.164. Groups close transitively: A and B share an email, B\n"
	"and C a phone, so A, B and C are one group. A key more than 3 records share\n"
	"(a switchboard number, info@...) tells nothing about who is who: it is\n"
	"listed apart as ignored. Every replica holding the same CRM prints the same\n"
	"list. Merge a group with 'ruta merge-records KEEP OTHER'.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq duplicates\n"
	"  ruta -C hq duplicates --json | jq -r '.groups[] | .records | join(\" \")'\n"
	"\n"
	"options:\n"
	"  --json   print {\"schema\":1,\"groups\":[{\"table\",\"records\",\"keys\"}],\n"
	"           \"ignored\":[{\"kind\",\"value\",\"records\"}]}, sorted\n";

static const char merge_help[] =
	"usage: ruta merge-records KEEP OTHER [--json]\n"
	"\n"
	"Merges record OTHER into KEEP: two accounts or two contacts, both live.\n"
	"Everything live that points at OTHER points at KEEP afterwards (an\n"
	"account's contacts, opportunities and activities; a contact's emails,\n"
	"phones, opportunities and activities). An email or phone KEEP has already\n"
	"is deleted on OTHER's side instead of moved. KEEP gets OTHER's tags (as\n"
	"new rows; OTHER's are deleted). KEEP's empty fields take\n"
	"OTHER's values (the address as one block, only when KEEP has none).\n"
	"OTHER is kept as a tombstone with merged_into = KEEP. All in one\n"
	"transaction, as local changes the next sync signs and sends like any edit.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq duplicates\n"
	"  ruta -C hq merge-records 01KBX3F7 01KBX9Q2\n"
	"  ruta -C hq merge-records 01KBX3F7 01KBX9Q2 --json\n"
	"  ruta -C hq sync\n"
	"\n"
	"options:\n"
	"  --json   print {\"schema\":1,\"id\":KEEP,\"type\",\"merged\":OTHER,\"repointed\",\n"
	"           \"moved\",\"dropped\",\"filled\"}\n";

/* --json, --help and up to `want` positionals into pos[]. -1: help shown. */
static int parse(int *json, const char **pos, int want, const char *cmd, const char *help,
	int argc, char **argv)
{
	int i, n = 0, only_pos = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_pos && strcmp(a, "--") == 0)
			only_pos = 1;
		else if (!only_pos && strcmp(a, "--json") == 0)
			*json = 1;
		else if (!only_pos && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			fputs(help, stdout);
			return -1;
		} else if (!only_pos && a[0] == '-' && a[1])
			return cli_usage(cmd, "unknown option '%s'", a);
		else if (n == want)
			return cli_usage(cmd, "unexpected argument '%s'", a);
		else
			pos[n++] = a;
	}
	if (n < want)
		return cli_usage(cmd, "give the record to keep and the one to merge into it");
	return 0;
}

/* How a person knows a record: its name, a contact's full name, an
 * activity's subject. New string. */
static char *display_name(const ruta_record *rec)
{
	const char *name = ruta_record_value(rec, "name");
	const char *first = ruta_record_value(rec, "first_name");
	const char *last = ruta_record_value(rec, "last_name");
	const char *subject = ruta_record_value(rec, "subject");
	char *s;
	size_t n;

	if (name || subject || !last)
		return strdup(name ? name : subject ? subject : "");
	n = (first ? strlen(first) + 1 : 0) + strlen(last) + 1;
	if ((s = malloc(n)))
		snprintf(s, n, "%s%s%s", first ? first : "", first ? " " : "", last);
	return s;
}

static char *name_of(ruta_replica *r, const char *type, const char *id)
{
	ruta_record *rec = NULL;
	char *s;
	if (ruta_record_get(&rec, r, type, id) < 0)
		return strdup("");
	s = display_name(rec);
	ruta_record_free(rec);
	return s;
}

/* ---- ruta duplicates ---------------------------------------------------------- */

static void group_rows(cli_table *t, ruta_replica *r, json_t *g, size_t number)
{
	json_t *recs = json_object_get(g, "records"), *keys = json_object_get(g, "keys");
	const char *table = json_string_value(json_object_get(g, "table"));
	size_t nrec = json_array_size(recs), nkey = json_array_size(keys), i;
	char num[24];

	snprintf(num, sizeof(num), "%zu", number);
	for (i = 0; i < nrec || i < nkey; i++) {
		const char *id = json_string_value(json_array_get(recs, i));
		json_t *k = json_array_get(keys, i);
		char *name = id ? name_of(r, table, id) : NULL, key[600] = "";
		if (k)
			snprintf(key, sizeof(key), "%s %s", json_string_value(json_object_get(k, "kind")),
				json_string_value(json_object_get(k, "value")));
		cli_table_cell(t, i ? "" : num);
		cli_table_cell(t, i ? "" : table);
		cli_table_cell(t, id ? id : "");
		cli_table_cell(t, name ? name : "");
		cli_table_cell(t, key);
		free(name);
	}
}

static void ignored_rows(json_t *ignored)
{
	cli_table *t;
	size_t i;
	if (json_array_size(ignored) == 0)
		return;
	printf("\nignored: shared by too many records to tell who is who\n");
	t = cli_table_new(4);
	for (i = 0; t && i < json_array_size(ignored); i++) {
		json_t *k = json_array_get(ignored, i);
		char n[32];
		snprintf(n, sizeof(n), "%lld records",
			(long long)json_integer_value(json_object_get(k, "records")));
		cli_table_cell(t, "");   /* an empty first column indents every row */
		cli_table_cell(t, json_string_value(json_object_get(k, "kind")));
		cli_table_cell(t, json_string_value(json_object_get(k, "value")));
		cli_table_cell(t, n);
	}
	if (t)
		cli_table_print(t, stdout);
	cli_table_free(t);
}

static void print_groups(ruta_replica *r, json_t *doc)
{
	static const char *const head[] = { "GROUP", "TABLE", "RECORD", "NAME", "SHARED" };
	json_t *groups = json_object_get(doc, "groups");
	cli_table *t;
	size_t i;

	if (json_array_size(groups) == 0) {
		printf("no likely duplicates\n");
	} else if ((t = cli_table_new(5))) {
		for (i = 0; i < 5; i++)
			cli_table_cell(t, head[i]);
		for (i = 0; i < json_array_size(groups); i++)
			group_rows(t, r, json_array_get(groups, i), i + 1);
		cli_table_print(t, stdout);
		cli_table_free(t);
	}
	ignored_rows(json_object_get(doc, "ignored"));
}

int cmd_duplicates(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	json_t *doc = NULL;
	char *text = NULL;
	int json = 0, rc, err;

	if ((rc = parse(&json, NULL, 0, "duplicates", duplicates_help, argc, argv)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_duplicates_json(&text, r)) < 0) {
		rc = cli_fail(err);
	} else if (json) {
		printf("%s\n", text);
	} else if (!(doc = json_loads(text, 0, NULL))) {
		cli_say("cannot read the duplicates document");
		rc = EXIT_ERROR;
	} else {
		print_groups(r, doc);
	}
	json_decref(doc);
	ruta_free(text);
	ruta_replica_free(r);
	return rc;
}

/* ---- ruta merge-records ---------------------------------------------------------- */

/* A record as JSON (the library's own document), or NULL. */
static json_t *record_doc(ruta_replica *r, const char *type, const char *id)
{
	ruta_record *rec = NULL;
	char *text = NULL;
	json_t *j = NULL;
	if (ruta_record_get(&rec, r, type, id) == 0 && ruta_record_json(&text, rec) == 0)
		j = json_loads(text, 0, NULL);
	ruta_free(text);
	ruta_record_free(rec);
	return j;
}

/* What points at a record: which types, through which field. */
typedef struct ref_kind {
	const char *type;
	const char *field;
} ref_kind;

static const ref_kind account_refs[] = { { "contact", "account_id" }, { "opp", "account_id" },
	{ "activity", "account_id" }, { NULL, NULL } };
static const ref_kind contact_refs[] = { { "opp", "contact_id" }, { "activity", "contact_id" },
	{ NULL, NULL } };

/* Live records of rk->type whose rk->field is `id`, as {type,id,field,name}. */
static void add_refs(json_t *out, ruta_replica *r, const ref_kind *rk, const char *id)
{
	ruta_list_options lo = RUTA_LIST_OPTIONS_INIT;
	ruta_record_iter *it = NULL;
	ruta_record *rec;

	/* The library filters by account; contacts are compared here. */
	if (strcmp(rk->field, "account_id") == 0)
		lo.account = id;
	if (ruta_record_list(&it, r, rk->type, &lo) < 0)
		return;
	while (ruta_record_iter_next(&rec, it) == 0) {
		const char *v = ruta_record_value(rec, rk->field);
		if (v && strcmp(v, id) == 0) {
			char *name = display_name(rec);
			json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o}", "type", rk->type,
				"id", ruta_record_id(rec), "field", rk->field, "name",
				cli_json_text(name ? name : "")));
			free(name);
		}
		ruta_record_free(rec);
	}
	ruta_record_iter_free(it);
}

/* The state around a merge. */
typedef struct merge_view {
	const char *type;    /* "account" or "contact" */
	json_t *keep, *other, *keep_after;
	json_t *refs;        /* what pointed at other */
} merge_view;

static void view_free(merge_view *v)
{
	json_decref(v->keep);
	json_decref(v->other);
	json_decref(v->keep_after);
	json_decref(v->refs);
}

/* Before the merge; best effort: if the ids do not name two records of one
 * type, the merge itself refuses them with the reason. */
static void view_before(merge_view *v, ruta_replica *r, const char *keep, const char *other)
{
	const ref_kind *rk;
	const char *id;

	memset(v, 0, sizeof(*v));
	v->type = "account";
	if (!(v->keep = record_doc(r, "account", keep))) {
		v->type = "contact";
		v->keep = record_doc(r, "contact", keep);
	}
	v->other = record_doc(r, v->type, other);
	v->refs = json_array();
	if (!v->keep || !v->other || !v->refs)
		return;
	id = json_string_value(json_object_get(v->other, "id"));
	for (rk = strcmp(v->type, "account") ? contact_refs : account_refs; rk->type; rk++)
		add_refs(v->refs, r, rk, id);
}

/* Is there a child row with this id among `list` (emails or phones)? */
static int has_row(json_t *list, const char *id)
{
	size_t i;
	for (i = 0; i < json_array_size(list); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(list, i), "id")), id) == 0)
			return 1;
	return 0;
}

/* Other's emails and phones: moved to keep, or dropped because keep had them. */
static void children_fate(json_t *moved, json_t *dropped, const merge_view *v)
{
	static const char *const lists[][2] = { { "emails", "email" }, { "phones", "phone" } };
	size_t i, k;
	for (k = 0; k < 2; k++) {
		json_t *mine = json_object_get(v->other, lists[k][0]);
		json_t *now = json_object_get(v->keep_after, lists[k][0]);
		for (i = 0; i < json_array_size(mine); i++) {
			json_t *row = json_array_get(mine, i);
			const char *id = json_string_value(json_object_get(row, "id"));
			json_array_append_new(has_row(now, id) ? moved : dropped, json_pack("{s:s, s:O, s:s}",
				"kind", lists[k][1], "value", json_object_get(row, lists[k][1]), "id", id));
		}
	}
}

/* Whether the JSON array `list` holds the string `s`. */
static int has_string(json_t *list, const char *s)
{
	size_t i;
	for (i = 0; i < json_array_size(list); i++)
		if (strcmp(json_string_value(json_array_get(list, i)), s) == 0)
			return 1;
	return 0;
}

/* Other's tags: moved (keep gets a row of its own, so no id), or dropped
 * because keep had them. */
static void tags_fate(json_t *moved, json_t *dropped, const merge_view *v)
{
	json_t *mine = json_object_get(v->other, "tags"), *had = json_object_get(v->keep, "tags");
	size_t i;
	for (i = 0; i < json_array_size(mine); i++) {
		json_t *tag = json_array_get(mine, i);
		json_array_append_new(has_string(had, json_string_value(tag)) ? dropped : moved,
			json_pack("{s:s, s:O}", "kind", "tag", "value", tag));
	}
}

/* Keep's fields that were empty and now hold other's value, by name. */
static json_t *filled_fields(const merge_view *v)
{
	json_t *out = json_array(), *val;
	const char *key;
	json_object_foreach(v->keep_after, key, val) {
		json_t *was = json_object_get(v->keep, key);
		if ((!was || json_is_null(was)) && !json_is_null(val) && !json_is_array(val))
			json_array_append_new(out, json_string(key));
	}
	return out;
}

static json_t *summary_json(const merge_view *v)
{
	json_t *moved = json_array(), *dropped = json_array();
	children_fate(moved, dropped, v);
	tags_fate(moved, dropped, v);
	return json_pack("{s:i, s:O, s:s, s:O, s:O, s:o, s:o, s:o}", "schema", 1,
		"id", json_object_get(v->keep_after, "id"), "type", v->type,
		"merged", json_object_get(v->other, "id"), "repointed", v->refs,
		"moved", moved, "dropped", dropped, "filled", filled_fields(v));
}

static const char *sv(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* One line of the report; values come from the database, so nothing in
 * them may act on a terminal. */
static void line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void line(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cli_sanitize(buf);
	printf("%s\n", buf);
}

static void print_filled(json_t *s, const char *other)
{
	json_t *list = json_object_get(s, "filled"), *item;
	char names[1024] = "";
	size_t i, n = 0;
	if (json_array_size(list) == 0)
		return;
	json_array_foreach(list, i, item)
		n += (size_t)snprintf(names + n, n < sizeof(names) ? sizeof(names) - n : 0, "%s%s",
			i ? ", " : "", json_string_value(item));
	line("  filled from %s: %s", other, names);
}

static void print_summary(json_t *s)
{
	const char *keep = sv(s, "id"), *other = sv(s, "merged");
	json_t *item;
	size_t i;

	line("merged %s %s into %s", sv(s, "type"), other, keep);
	json_array_foreach(json_object_get(s, "repointed"), i, item)
		line("  re-pointed %s %s (%s): %s now %s", sv(item, "type"), sv(item, "id"),
			sv(item, "name"), sv(item, "field"), keep);
	json_array_foreach(json_object_get(s, "moved"), i, item)
		line("  moved %s %s to %s", sv(item, "kind"), sv(item, "value"), keep);
	json_array_foreach(json_object_get(s, "dropped"), i, item)
		line("  dropped %s %s: %s has it already", sv(item, "kind"), sv(item, "value"), keep);
	print_filled(s, other);
	line("  %s is a tombstone now, merged_into %s; 'ruta sync' sends the merge", other, keep);
}

static int report_merge(merge_view *v, ruta_replica *r, int json)
{
	json_t *s;
	v->keep_after = record_doc(r, v->type, json_string_value(json_object_get(v->keep, "id")));
	if (!v->keep || !v->other || !v->keep_after || !(s = summary_json(v))) {
		/* Merged all the same; only the report is missing. */
		cli_say("merged, but cannot read the records back to say what moved");
		return EXIT_DONE;
	}
	if (json) {
		cli_print_json(s);
	} else {
		print_summary(s);
		json_decref(s);
	}
	return EXIT_DONE;
}

int cmd_merge_records(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	const char *pos[2] = { NULL, NULL };
	merge_view v;
	int json = 0, rc, err;

	if ((rc = parse(&json, pos, 2, "merge-records", merge_help, argc, argv)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	view_before(&v, r, pos[0], pos[1]);
	if ((err = ruta_merge_records(r, pos[0], pos[1])) < 0)
		rc = cli_fail(err);
	else
		rc = report_merge(&v, r, json);
	view_free(&v);
	ruta_replica_free(r);
	return rc;
}
