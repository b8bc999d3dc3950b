/* cmd_conflicts.c - `ruta conflicts list|show` and `ruta resolve`: reviewing what the merge flagged. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char conflicts_help[] =
	"usage: ruta conflicts list [--record ID] [--json]\n"
	"       ruta conflicts show ID [--json]\n"
	"\n"
	"A field that two replicas changed without seeing each other's change is\n"
	"in conflict. Every replica shows the value the field's policy chose, and\n"
	"keeps every competing value (with who set it, when, and in which\n"
	"changeset) until someone resolves it with 'ruta resolve'. 'review' marks\n"
	"the conflicts a person should decide (won against lost, money, a tax id,\n"
	"a deleted record that was edited elsewhere). docs/merge.md lists the\n"
	"policies.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq conflicts list\n"
	"  ruta -C hq conflicts show 3f2a9c01be77 --json\n";

static const char resolve_help[] =
	"usage: ruta resolve ID --take VALUE [--json]\n"
	"       ruta resolve ID --keep [--json]\n"
	"       ruta resolve --all [--type TYPE] [--json]\n"
	"\n"
	"Resolves a conflict with a change that supersedes every competing value;\n"
	"it is sealed, signed and synced like any edit, so once it reaches the\n"
	"other replicas the conflict is closed there too. The values it overturns\n"
	"stay in the history.\n"
	"\n"
	"  --take VALUE  one of the competing values, or any valid value for the\n"
	"                field; for a deleted record that was edited elsewhere:\n"
	"                'deleted' or 'restored'\n"
	"  --keep        the value the policy chose (the one shown now)\n"
	"  --all         every open conflict (of TYPE: account, contact, opp,\n"
	"                activity, offer) with the value its policy chose\n"
	"\n"
	"Editing a field in conflict (ruta opp edit, an app, plain SQL) resolves\n"
	"it the same way.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq resolve 3f2a9c01be77 --take won\n"
	"  ruta -C hq resolve --all --type opp\n";

static void value_text(char *out, size_t size, json_t *v)
{
	if (json_is_null(v))
		snprintf(out, size, "(empty)");
	else if (json_is_integer(v))
		snprintf(out, size, "%lld", (long long)json_integer_value(v));
	else
		snprintf(out, size, "%s", json_string_value(v));
	cli_sanitize(out);
}

static void print_one(json_t *c, int heads)
{
	char buf[600];
	json_t *h;
	size_t i;

	value_text(buf, sizeof(buf), json_object_get(c, "chosen"));
	printf("%s  %s %s  %s  shows '%s' (%s%s)\n", json_string_value(json_object_get(c, "id")),
		json_string_value(json_object_get(c, "type")),
		json_string_value(json_object_get(c, "record")),
		json_string_value(json_object_get(c, "field")), buf,
		json_string_value(json_object_get(c, "policy")),
		json_is_true(json_object_get(c, "review")) ? ", needs review" : "");
	if (!heads)
		return;
	json_array_foreach(json_object_get(c, "heads"), i, h) {
		json_t *who = json_object_get(h, "replica"), *cs = json_object_get(h, "changeset");
		value_text(buf, sizeof(buf), json_object_get(h, "value"));
		printf("    '%s'  set by %s at %s%s%.12s\n", buf,
			json_is_string(who) ? json_string_value(who) : "(before this replica's history)",
			json_string_value(json_object_get(h, "at")),
			json_is_string(cs) ? " in changeset " : "", json_is_string(cs) ? json_string_value(cs) : "");
	}
}

static int show(cli_ctx *ctx, const char *id, int json, int heads)
{
	ruta_replica *r = NULL;
	json_error_t jerr;
	json_t *doc, *c;
	char *text = NULL;
	size_t i;
	int rc, err;

	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_conflicts_json(&text, r, id)) < 0) {
		rc = cli_fail(err);
		goto done;
	}
	if (json) {
		printf("%s\n", text);
		goto done;
	}
	if (!(doc = json_loads(text, 0, &jerr))) {
		rc = EXIT_ERROR;
		goto done;
	}
	json_array_foreach(json_object_get(doc, "conflicts"), i, c)
		print_one(c, heads);
	if (json_array_size(json_object_get(doc, "conflicts")) == 0)
		cli_say("no open conflicts");
	json_decref(doc);
done:
	ruta_free(text);
	ruta_replica_free(r);
	return rc;
}

int cmd_conflicts(cli_ctx *ctx, int argc, char **argv)
{
	const char *record = NULL;
	int i, json = 0, list;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(conflicts_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	list = strcmp(argv[1], "list") == 0;
	if (!list && strcmp(argv[1], "show") != 0)
		return cli_usage("conflicts", "use 'ruta conflicts list' or 'ruta conflicts show ID'");
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (list && !strcmp(argv[i], "--record") && i + 1 < argc && !record)
			record = argv[++i];
		else if (!list && argv[i][0] != '-' && !record)
			record = argv[i];
		else
			return cli_usage("conflicts", "unknown or extra argument '%s'", argv[i]);
	}
	if (!list && !record)
		return cli_usage("conflicts", "give the conflict's id (see 'ruta conflicts list')");
	return show(ctx, record, json, !list);
}

int cmd_resolve(cli_ctx *ctx, int argc, char **argv)
{
	const char *id = NULL, *take = NULL, *type = NULL;
	ruta_replica *r = NULL;
	int64_t count = 0;
	int i, json = 0, keep = 0, all = 0, rc, err;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(resolve_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--take") && i + 1 < argc && !take)
			take = argv[++i];
		else if (!strcmp(argv[i], "--keep"))
			keep = 1;
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (!strcmp(argv[i], "--type") && i + 1 < argc && !type)
			type = argv[++i];
		else if (argv[i][0] != '-' && !id)
			id = argv[i];
		else
			return cli_usage("resolve", "unknown or extra argument '%s'", argv[i]);
	}
	if (all ? (id || take || keep) : (!id || !!take + keep != 1 || type))
		return cli_usage("resolve", "use 'ruta resolve ID --take VALUE', 'ruta resolve ID "
			"--keep' or 'ruta resolve --all [--type TYPE]'");
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	err = all ? ruta_resolve_all(&count, r, type) : ruta_resolve(r, id, take);
	if (err < 0) {
		rc = cli_fail(err);
	} else {
		if (!all)
			count = 1;
		if (json)
			cli_print_json(json_pack("{s:i, s:s?, s:I}", "schema", 1, "id", id,
				"resolved", (json_int_t)count));
		cli_say("resolved %lld conflict%s; the next sync carries the decision", (long long)count,
			count == 1 ? "" : "s");
	}
	ruta_replica_free(r);
	return rc;
}
