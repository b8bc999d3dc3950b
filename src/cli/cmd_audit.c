/* cmd_audit.c - `ruta audit verify`: a whole hub checked from the pinned root key. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
	"usage: ruta audit verify [--hub URL] [--json]\n"
	"\n"
	"Verifies every branch of a hub from this replica's pinned root key alone:\n"
	"each trust file signed by the root key and versions only moving forward,\n"
	"none this replica holds withheld; each changeset's signature, by a key\n"
	"the trust version in force endorses for its replica and not revoked at\n"
	"its seq; each replica's chain (seq 1..n, no gap, prev the hash\n"
	"of the one before, no fork, no reordering, no replay), and every deps\n"
	"entry held with its hash; each commit signed by its branch owner's key;\n"
	"each branch only moved forward since the last audit of this hub that\n"
	"found nothing. Prints a summary and every problem with where it is\n"
	"(branch, commit, file, seq). Exits 4 if any is found, 5 if the hub\n"
	"cannot be reached.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq audit verify\n"
	"  ruta -C hq audit verify --hub /mnt/usb/hub.git --json\n"
	"  ruta -C hq audit verify --hub ssh://git@hub.example/crm.git\n"
	"\n"
	"--hub URL    the hub to read (default: this replica's hub): a path or\n"
	"             file:// is read in place, any other URL is fetched first\n"
	"--json       the report as one JSON object (schema 1)\n";

static int parse_opts(const char **hub, int *json, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hub", required_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'u')
			*hub = optarg;
		else if (c == 'j')
			*json = 1;
		else if (c == 'h') {
			fputs(help, stdout);
			return -1;
		} else if (c == ':')
			return cli_usage("audit", "--hub needs a URL or path");
		else
			return cli_usage("audit", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage("audit", "'audit verify' takes no argument '%s'", argv[optind]);
	return 0;
}

static const char *text(json_t *o, const char *key, const char *none)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : none;
}

/* A field of the report, made safe for a terminal: branch, commit, file and
 * message all come from the hub, which may hold escape sequences. Prints
 * `before` and the field, or nothing if it is absent or null. */
static void print_field(const char *before, json_t *o, const char *key, int max)
{
	const char *s = json_string_value(json_object_get(o, key));
	char *copy;
	if (!s)
		return;
	if (!(copy = strdup(s))) {
		printf("%s?", before);
		return;
	}
	cli_sanitize(copy);
	printf("%s%.*s", before, max, copy);
	free(copy);
}

static void print_problem(json_t *p)
{
	json_t *seq = json_object_get(p, "seq");
	print_field("problem ", p, "kind", 1000);
	if (json_string_value(json_object_get(p, "branch")))
		print_field(": ", p, "branch", 1000);
	else
		printf(": -");
	print_field(" commit ", p, "commit", 12);
	print_field(" ", p, "file", 1000);
	if (json_is_integer(seq))
		printf(" seq %lld", (long long)json_integer_value(seq));
	print_field(": ", p, "message", 1200);
	printf("\n");
}

static void print_human(const ruta_audit_result *res, json_t *j)
{
	char when[40];
	size_t i;
	print_field("hub          ", j, "hub", 4096);
	printf("\n");
	printf("branches     %lld, %lld commits\n", (long long)res->branches,
		(long long)res->commits);
	printf("trust file   version %lld, %lld keys\n", (long long)res->trust_version,
		(long long)res->keys);
	printf("replicas     %lld\n", (long long)res->replicas);
	printf("changesets   %lld\n", (long long)res->changesets);
	printf("changes      %lld\n", (long long)res->changes);
	if (res->changesets) {
		ruta_hlc_describe(when, res->hlc_first);
		printf("first hlc    %s %s\n", text(j, "hlc_first", ""), when);
		ruta_hlc_describe(when, res->hlc_last);
		printf("last hlc     %s %s\n", text(j, "hlc_last", ""), when);
	}
	printf("problems     %lld\n", (long long)res->problems);
	for (i = 0; i < json_array_size(json_object_get(j, "problems")); i++)
		print_problem(json_array_get(json_object_get(j, "problems"), i));
}

static int verify(cli_ctx *ctx, int argc, char **argv)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	ruta_replica *r = NULL;
	json_t *j = NULL;
	int json = 0, rc, err;

	if ((rc = parse_opts(&o.hub, &json, argc, argv)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	err = ruta_audit_verify(&res, r, &o);
	/* a failed verification still has its report: print it, then say so */
	if (res.json && (j = json_loads(res.json, 0, NULL)) != NULL) {
		if (json)
			cli_print_json(json_incref(j));
		else
			print_human(&res, j);
	}
	if (err < 0)
		rc = cli_fail(err);
	else
		cli_say("hub verified: %lld changesets of %lld replicas, no problem",
			(long long)res.changesets, (long long)res.replicas);
	json_decref(j);
	ruta_audit_result_dispose(&res);
	ruta_replica_free(r);
	return rc;
}

static const cli_cmd subcommands[] = {
	{ "verify", verify, NULL },
	{ NULL, NULL, NULL }
};

int cmd_audit(cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	return cli_dispatch(subcommands, "audit", ctx, argc - 1, argv + 1);
}
