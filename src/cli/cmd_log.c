/* cmd_log.c - `ruta log`: the changesets held, newest first; `--local`: changes not exported yet. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char log_help[] =
	"usage: ruta log [--record ID] [--replica R] [--since T] [--json]\n"
	"       ruta log --local [--json]\n"
	"\n"
	"Lists every changeset this replica holds, made here or accepted from\n"
	"others, newest first (by the highest version in it, then replica, then\n"
	"seq): its hash, replica and seq, the key that signed it and the replica and\n"
	"team the trust file gives that key, its versions as times, what it\n"
	"changed, and its signature checked again now against the trust file in\n"
	"force: good, bad, unknown-key, wrong-key, revoked, outside-window or\n"
	"not-allowed (what a replica receiving it now would make of it).\n"
	"\n"
	"  --record ID   changesets that change the record (an id or the start of\n"
	"                one) or its emails, phones, tags or stage history\n"
	"  --replica R   changesets of replica R: its id, or its name, the id\n"
	"                without its last '-' and 10 characters (north)\n"
	"  --since T     changesets whose newest version is at or after T:\n"
	"                YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC) or 16 hex digits\n"
	"  --json        one JSON object (schema 1)\n"
	"  --local       instead, every captured field change not exported yet,\n"
	"                oldest first (no filters)\n"
	"\n"
	"With --local: each change's position, version (HLC), the time it was\n"
	"captured, the record, the field, the new value and the version it\n"
	"overwrote (its base). Changes made by other programs writing the SQLite\n"
	"file are listed too. Operations: i = created, u = changed, d = deleted.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq log\n"
	"  ruta -C hq log --replica north --since 2026-11-01\n"
	"  ruta -C hq log --record 01M81HYHR1S9 --json | jq '.changesets[].signature'\n"
	"  ruta -C north log --local\n";

/* ---- --local: the captured changes not exported yet -------------------------- */

static json_t *change_json(const ruta_change *c)
{
	char hlc[17], base[17], when[40];
	json_t *v;
	ruta_hlc_format(hlc, c->hlc);
	ruta_hlc_format(base, c->base);
	ruta_hlc_describe(when, c->hlc);
	v = !c->value ? json_null() : c->value_is_int ?
		json_integer(strtoll(c->value, NULL, 10)) : cli_json_text(c->value);
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s#, s:s, s:o, s:s}", "seq",
		(json_int_t)c->seq, "hlc", hlc, "time", when, "table", c->table, "record",
		cli_json_text(c->record), "op", &c->op, 1, "field", c->field, "value", v, "base", base);
}

static void change_row(cli_table *t, const ruta_change *c)
{
	char seq[24], hlc[17], base[17], when[40], op[2] = { c->op, 0 };
	snprintf(seq, sizeof(seq), "%lld", (long long)c->seq);
	ruta_hlc_format(hlc, c->hlc);
	ruta_hlc_format(base, c->base);
	ruta_hlc_describe(when, c->hlc);
	cli_table_cell(t, seq);
	cli_table_cell(t, hlc);
	cli_table_cell(t, when);
	cli_table_cell(t, op);
	cli_table_cell(t, c->table);
	cli_table_cell(t, c->record);
	cli_table_cell(t, c->field);
	cli_table_cell(t, c->value ? c->value : "(null)");
	cli_table_cell(t, base);
}

static int log_local(cli_ctx *ctx, int json)
{
	static const char *const head[] = { "SEQ", "HLC", "TIME", "OP", "TABLE", "RECORD",
		"FIELD", "VALUE", "BASE" };
	ruta_replica *r = NULL;
	ruta_change_iter *it = NULL;
	ruta_change c = RUTA_CHANGE_INIT;
	cli_table *t = NULL;
	json_t *arr = NULL;
	int rc, err, i;

	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_changes_local(&it, r)) < 0) {
		rc = cli_fail(err);
		goto done;
	}
	arr = json_array();
	t = cli_table_new(9);
	for (i = 0; i < 9; i++)
		cli_table_cell(t, head[i]);
	while ((err = ruta_change_iter_next(&c, it)) == 0) {
		if (json)
			json_array_append_new(arr, change_json(&c));
		else
			change_row(t, &c);
	}
	if (err != RUTA_ITEROVER) {
		rc = cli_fail(err);
		goto done;
	}
	if (json) {
		cli_print_json(arr);
		arr = NULL;
	} else {
		cli_table_print(t, stdout);
	}
	rc = EXIT_DONE;
done:
	json_decref(arr);
	cli_table_free(t);
	ruta_change_iter_free(it);
	ruta_replica_free(r);
	return rc;
}

/* ---- the changesets ---------------------------------------------------------- */

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* `s` made safe for a terminal into buf: labels and reasons come from elsewhere. */
static const char *clean(char *buf, size_t size, const char *s)
{
	snprintf(buf, size, "%s", s);
	cli_sanitize(buf);
	return buf;
}

/* A table's SQL name as words: "contact_email" -> "contact email". */
static const char *words(char *buf, size_t size, const char *table)
{
	char *p;
	snprintf(buf, size, "%s", table);
	for (p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	return buf;
}

static void print_counts(json_t *counts)
{
	static const char *const ops[] = { "created", "changed", "deleted" };
	const char *table;
	char name[64];
	json_t *c;
	int first = 1, i;

	json_object_foreach(counts, table, c) {
		printf("%s%s", first ? ": " : "; ", words(name, sizeof(name), table));
		for (i = 0; i < 3; i++) {
			json_int_t n = json_integer_value(json_object_get(c, ops[i]));
			if (n)
				printf(" %lld %s", (long long)n, ops[i]);
		}
		first = 0;
	}
}

static void print_record(json_t *rec)
{
	char name[64], label[300];
	const char *op = str(rec, "op");
	json_t *f;
	size_t i;

	printf("    %s ", words(name, sizeof(name), str(rec, "table")));
	if (json_is_string(json_object_get(rec, "label")))
		printf("\"%s\"", clean(label, sizeof(label), str(rec, "label")));
	else
		printf("%.12s", str(rec, "id"));
	if (strcmp(op, "changed") != 0) {
		printf(" %s\n", op);
		return;
	}
	json_array_foreach(json_object_get(rec, "fields"), i, f)
		printf("%s%s", i ? ", " : ": ", json_string_value(f));
	putchar('\n');
}

static void print_summary(json_t *e)
{
	json_t *sum = json_object_get(e, "summary"), *rec;
	json_int_t n = json_integer_value(json_object_get(e, "changes")), more;
	size_t i;

	if (!json_is_object(sum)) {
		printf("changes   (unreadable: the stored bytes are not a valid changeset)\n");
		return;
	}
	printf("changes   %lld field change%s", (long long)n, n == 1 ? "" : "s");
	print_counts(json_object_get(sum, "counts"));
	putchar('\n');
	json_array_foreach(json_object_get(sum, "records"), i, rec)
		print_record(rec);
	if ((more = json_integer_value(json_object_get(sum, "more"))) > 0)
		printf("    and %lld more record%s\n", (long long)more, more == 1 ? "" : "s");
}

static void print_entry(json_t *e)
{
	char reason[600];
	json_t *who = json_object_get(e, "principal");

	printf("changeset %.12s  %s  seq %lld\n", str(e, "hash"), str(e, "replica"),
		(long long)json_integer_value(json_object_get(e, "seq")));
	printf("signature %s", str(e, "signature"));
	if (json_is_string(json_object_get(e, "reason")))
		printf(": %s", clean(reason, sizeof(reason), str(e, "reason")));
	printf("\nkey       %s  ", json_is_string(json_object_get(e, "key")) ? str(e, "key") : "?");
	if (json_is_string(who))
		printf("%s (team %s)\n", json_string_value(who), str(e, "team"));
	else
		printf("unknown\n");
	if (strcmp(str(e, "hlc_min"), str(e, "hlc_max")) == 0)
		printf("time      %s  hlc %s\n", str(e, "time_max"), str(e, "hlc_max"));
	else
		printf("time      %s .. %s  hlc %s..%s\n", str(e, "time_min"), str(e, "time_max"),
			str(e, "hlc_min"), str(e, "hlc_max"));
	print_summary(e);
}

static int print_human(const char *text)
{
	json_t *doc = json_loads(text, 0, NULL), *rec, *e;
	size_t i;

	if (!doc) {
		cli_say("out of memory reading the log");
		return EXIT_ERROR;
	}
	rec = json_object_get(doc, "record");
	if (json_is_object(rec) && json_is_null(json_object_get(rec, "type")))
		cli_say("note: no record on this replica has the id '%s'; listing the changesets "
			"that name exactly that id", str(rec, "id"));
	json_array_foreach(json_object_get(doc, "changesets"), i, e) {
		if (i)
			putchar('\n');
		print_entry(e);
	}
	json_decref(doc);
	return EXIT_DONE;
}

static int log_changesets(cli_ctx *ctx, const ruta_log_filter *f, int json)
{
	ruta_replica *r = NULL;
	char *text = NULL, *msg;
	int rc, err;

	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_log_json(&text, r, f)) == RUTA_EINVALID) {
		/* only a filter's value is refused so, and its message starts with its name */
		if ((msg = strdup(ruta_error_last()->message)))
			cli_sanitize(msg);
		rc = cli_usage("log", "--%s", msg ? msg : "a filter is not valid");
		free(msg);
	} else if (err < 0) {
		rc = cli_fail(err);
	} else if (json) {
		printf("%s\n", text);
	} else {
		rc = print_human(text);
	}
	ruta_free(text);
	ruta_replica_free(r);
	return rc;
}

/* ---- options ------------------------------------------------------------------ */

int cmd_log(cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ "local", no_argument, NULL, 'l' }, { "record", required_argument, NULL, 'r' },
		{ "replica", required_argument, NULL, 'p' }, { "since", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	ruta_log_filter f = RUTA_LOG_FILTER_INIT;
	int json = 0, local = 0, c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'l': local = 1; break;
		case 'r': f.record = optarg; break;
		case 'p': f.replica = optarg; break;
		case 's': f.since = optarg; break;
		case 'h':
			fputs(log_help, stdout);
			return EXIT_DONE;
		case ':':
			return cli_usage("log", "'%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("log", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage("log", "'log' takes no argument '%s'", argv[optind]);
	if (local && (f.record || f.replica || f.since))
		return cli_usage("log", "--local lists the changes not exported yet; it takes no "
			"--record, --replica or --since");
	return local ? log_local(ctx, json) : log_changesets(ctx, &f, json);
}
