/* cmd_status.c - `ruta status`, `ruta log --local` and `ruta keys`: what this replica holds. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_json(json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(j);
}

/* Parses only --json and --help; other options are usage errors. */
static int simple_opts(int *json, const char *cmd, const char *help, int argc, char **argv,
	int *local)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ "local", no_argument, NULL, 'l' }, { NULL, 0, NULL, 0 }
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j')
			*json = 1;
		else if (c == 'l' && local)
			*local = 1;
		else if (c == 'h') {
			fputs(help, stdout);
			return -1;
		} else
			return cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage(cmd, "'%s' takes no argument '%s'", cmd, argv[optind]);
	return 0;
}

static const char status_help[] =
	"usage: ruta status [--json]\n"
	"\n"
	"Shows this replica: its id, team, how many records it holds and how many\n"
	"captured field changes are not exported yet.\n"
	"\n"
	"examples:\n"
	"  ruta -C north status\n"
	"  ruta -C north status --json\n";

int cmd_status(cli_ctx *ctx, int argc, char **argv)
{
	ruta_status st = RUTA_STATUS_INIT;
	ruta_replica *r = NULL;
	char hlc[40];
	int json = 0, rc, err;

	if ((rc = simple_opts(&json, "status", status_help, argc, argv, NULL)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_replica_status(&st, r)) < 0) {
		rc = cli_fail(err);
		goto done;
	}
	ruta_hlc_format(hlc, st.last_hlc);
	if (json) {
		print_json(json_pack("{s:i, s:s, s:s?, s:b, s:s, s:I, s:I, s:i, s:s}",
			"schema", 1, "id", ruta_replica_id(r), "team", ruta_replica_team(r),
			"head_office", ruta_replica_is_head_office(r), "dir", ruta_replica_dir(r),
			"unexported", (json_int_t)st.unexported, "records", (json_int_t)st.records,
			"schema_version", st.schema_version, "last_hlc", hlc));
	} else {
		printf("replica      %s\n", ruta_replica_id(r));
		printf("role         %s%s\n", ruta_replica_is_head_office(r) ? "head office" : "team ",
			ruta_replica_is_head_office(r) ? "" : ruta_replica_team(r));
		printf("directory    %s\n", ruta_replica_dir(r));
		printf("records      %lld\n", (long long)st.records);
		printf("unexported   %lld field change%s\n", (long long)st.unexported,
			st.unexported == 1 ? "" : "s");
		if (st.last_hlc) {
			ruta_hlc_describe(hlc, st.last_hlc);
			printf("last hlc     %s\n", hlc);
		}
	}
	rc = EXIT_DONE;
done:
	ruta_replica_free(r);
	return rc;
}

static const char log_help[] =
	"usage: ruta log --local [--json]\n"
	"\n"
	"Lists every captured field change not exported yet, oldest first: its\n"
	"position, version (HLC), the time it was captured, the record, the field,\n"
	"the new value and the version it overwrote (its base). Changes made by\n"
	"other programs writing the SQLite file are captured and listed too.\n"
	"\n"
	"Operations: i = the record was created, u = a field changed,\n"
	"d = the record was deleted (a tombstone).\n"
	"\n"
	"examples:\n"
	"  ruta -C north log --local\n"
	"  ruta -C north log --local --json | jq '.[] | select(.field == \"stage\")'\n";

static json_t *change_json(const ruta_change *c)
{
	char hlc[17], base[17], when[40];
	json_t *v;
	ruta_hlc_format(hlc, c->hlc);
	ruta_hlc_format(base, c->base);
	ruta_hlc_describe(when, c->hlc);
	v = !c->value ? json_null() : c->value_is_int ?
		json_integer(strtoll(c->value, NULL, 10)) : json_string(c->value);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s#, s:s, s:o, s:s}", "seq",
		(json_int_t)c->seq, "hlc", hlc, "time", when, "table", c->table, "record",
		c->record, "op", &c->op, 1, "field", c->field, "value", v, "base", base);
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

int cmd_log(cli_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = { "SEQ", "HLC", "TIME", "OP", "TABLE", "RECORD",
		"FIELD", "VALUE", "BASE" };
	ruta_replica *r = NULL;
	ruta_change_iter *it = NULL;
	ruta_change c;
	cli_table *t = NULL;
	json_t *arr = NULL;
	int json = 0, local = 0, rc, err, i;

	if ((rc = simple_opts(&json, "log", log_help, argc, argv, &local)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if (!local)
		return cli_usage("log", "ruta log lists the changes captured on this replica: "
			"give --local");
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
		print_json(arr);
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

static const char keys_help[] =
	"usage: ruta keys export-pub [--root]\n"
	"\n"
	"Prints this replica's public key, or with --root head office's root public\n"
	"key (at a team: the one pinned by init --root-key), as one OpenSSH line\n"
	"(\"ssh-ed25519 AAAA... principal\").\n"
	"\n"
	"examples:\n"
	"  ruta -C north keys export-pub > north.pub\n"
	"  ruta -C hq keys export-pub --root > root.pub\n";

int cmd_keys(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	char *line = NULL;
	int root = 0, rc, err, i;

	if (cli_wants_help(argc, argv) || argc < 2) {
		fputs(keys_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	if (strcmp(argv[1], "export-pub") != 0)
		return cli_usage("keys", "'%s' is not a subcommand of 'ruta keys'", argv[1]);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--root") == 0)
			root = 1;
		else
			return cli_usage("keys", "unknown option '%s'", argv[i]);
	}
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_replica_public_key(&line, r, root)) < 0)
		rc = cli_fail(err);
	else
		fputs(line, stdout);
	ruta_free(line);
	ruta_replica_free(r);
	return rc;
}
