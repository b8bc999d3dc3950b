/* cmd_blame.c - `ruta blame TYPE ID`: who set each field of a record, and what it overrode. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char blame_help[] =
	"usage: ruta blame account|contact|opp|activity|offer ID [--json]\n"
	"\n"
	"For each field of the record that has a version: its value, the replica\n"
	"that set it, when (its version as a time and counter), in which changeset,\n"
	"and the values it overrode in conflicts, open or closed (value, replica,\n"
	"time). A version older than this replica's history (from a snapshot) says\n"
	"so. Replicas that applied the same changes print the same --json.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq blame opp 01HZX3\n"
	"  ruta -C north blame contact 01HZX4QW --json\n";

static void value_text(char *out, size_t size, json_t *v)
{
	if (json_is_null(v))
		snprintf(out, size, "(empty)");
	else if (json_is_integer(v))
		snprintf(out, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(out, size, "%s", json_string_value(v));
	else
		snprintf(out, size, "?");
	cli_sanitize(out);
}

static const char *who_text(json_t *who)
{
	return json_is_string(who) ? json_string_value(who) : "(before this replica's history)";
}

static void print_field(json_t *f)
{
	char buf[600];
	json_t *cs = json_object_get(f, "changeset"), *h;
	size_t i;

	value_text(buf, sizeof(buf), json_object_get(f, "value"));
	printf("%-16s '%s'  set by %s at %s%s%.12s\n", json_string_value(json_object_get(f, "field")),
		buf, who_text(json_object_get(f, "replica")), json_string_value(json_object_get(f, "at")),
		json_is_string(cs) ? " in changeset " : "", json_is_string(cs) ? json_string_value(cs) : "");
	json_array_foreach(json_object_get(f, "overridden"), i, h) {
		value_text(buf, sizeof(buf), json_object_get(h, "value"));
		printf("    overrode '%s'  set by %s at %s (%s conflict)\n", buf,
			who_text(json_object_get(h, "replica")), json_string_value(json_object_get(h, "at")),
			json_is_true(json_object_get(h, "open")) ? "open" : "closed");
	}
}

int cmd_blame(cli_ctx *ctx, int argc, char **argv)
{
	const char *type = NULL, *id = NULL;
	ruta_replica *r = NULL;
	json_error_t jerr;
	json_t *doc, *f;
	char *text = NULL;
	size_t i;
	int a, json = 0, rc, err;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(blame_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json"))
			json = 1;
		else if (argv[a][0] != '-' && !type)
			type = argv[a];
		else if (argv[a][0] != '-' && !id)
			id = argv[a];
		else
			return cli_usage("blame", "unknown or extra argument '%s'", argv[a]);
	}
	if (!id)
		return cli_usage("blame", "give the record's type and id, e.g. 'ruta blame opp 01HZX3'");
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_blame_json(&text, r, type, id)) < 0) {
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
	printf("%s %s\n", json_string_value(json_object_get(doc, "type")),
		json_string_value(json_object_get(doc, "record")));
	json_array_foreach(json_object_get(doc, "fields"), i, f)
		print_field(f);
	json_decref(doc);
done:
	ruta_free(text);
	ruta_replica_free(r);
	return rc;
}
