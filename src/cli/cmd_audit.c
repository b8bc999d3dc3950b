/* cmd_audit.c - `ruta audit verify|report`: a whole hub checked from the pinned root key, and the report an auditor reads. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char audit_help[] =
	"usage: ruta audit verify [--hub URL] [--timeout SECONDS] [--json]\n"
	"       ruta audit report --format html|json [--hub URL] [--timeout SECONDS] [--out FILE]\n"
	"\n"
	"verify   check every branch of a hub from this replica's pinned root key\n"
	"report   the same check, written as a report an auditor opens: summary,\n"
	"         problems, each replica's changesets, conflicts and who resolved them\n"
	"\n"
	"examples:\n"
	"  ruta -C hq audit verify\n"
	"  ruta -C hq audit report --format html --out audit.html\n"
	"\n"
	"'ruta audit verify --help' and 'ruta audit report --help' say more.\n";

static const char verify_help[] =
	"usage: ruta audit verify [--hub URL] [--timeout SECONDS] [--json]\n"
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
	"--timeout S  how long a hub fetched may take to connect, and then each\n"
	"             time to send the next bytes (1 to 3600; default RUTA_TIMEOUT,\n"
	"             else 30); slower exits 5, as out of reach\n"
	"--json       the report as one JSON object (schema 1)\n";

static const char report_help[] =
	"usage: ruta audit report --format html|json [--hub URL] [--timeout SECONDS] [--out FILE]\n"
	"\n"
	"Runs the checks of 'ruta audit verify' on a hub (the same walk, and the\n"
	"same checkpoint: kept only when nothing is found) and writes what they\n"
	"found as a report for an auditor: the figures and the verdict, every\n"
	"problem with where it is, each replica's changesets in seq order (hash,\n"
	"times, changes, commit, key, and the problems found at each), and the\n"
	"conflicts this replica holds, open and resolved, with who resolved each\n"
	"and when. HTML is one page that loads nothing (inline CSS, no script, no\n"
	"link) for any browser; JSON is one object (schema 1). The report is\n"
	"written even when problems are found: that exits 4. The hub out of\n"
	"reach exits 5, with no report.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq audit report --format html --out audit.html\n"
	"  ruta -C auditor audit report --format json --hub /mnt/usb/hub.git > audit.json\n"
	"\n"
	"--format F   html or json (required)\n"
	"--hub URL    the hub to read (default: this replica's hub): a path or\n"
	"             file:// is read in place, any other URL is fetched first\n"
	"--timeout S  as for 'ruta audit verify'\n"
	"--out FILE   write the report to FILE (replaced whole, mode 0644)\n"
	"             instead of standard output\n";

/* What `audit verify` and `audit report` are told; each takes its own. */
typedef struct audit_args {
	int report;           /* 1: audit report, 0: audit verify */
	const char *hub, *out;
	const char *timeout;  /* --timeout's value, or NULL */
	int json;             /* verify --json */
	int format;           /* report --format: RUTA_REPORT_HTML or _JSON */
} audit_args;

static int missing_value(int opt)
{
	if (opt == 'u')
		return cli_usage("audit", "--hub needs a URL or path");
	if (opt == 'f')
		return cli_usage("audit", "--format needs html or json");
	if (opt == 't')
		return cli_usage("audit", "--timeout needs a number of seconds");
	return cli_usage("audit", "--out needs a file name");
}

static int take_format(audit_args *a, const char *f)
{
	if (strcmp(f, "html") == 0)
		a->format = RUTA_REPORT_HTML;
	else if (strcmp(f, "json") == 0)
		a->format = RUTA_REPORT_JSON;
	else
		return cli_usage("audit", "--format must be html or json, not '%s'", f);
	return 0;
}

/* 0, -1 after --help, or an exit code. */
static int parse_opts(audit_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hub", required_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' }, { "out", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'u')
			a->hub = optarg;
		else if (c == 't')
			a->timeout = optarg;
		else if (c == 'j' && !a->report)
			a->json = 1;
		else if (c == 'f' && a->report) {
			if ((rc = take_format(a, optarg)) != 0)
				return rc;
		} else if (c == 'o' && a->report)
			a->out = optarg;
		else if (c == 'h') {
			fputs(a->report ? report_help : verify_help, stdout);
			return -1;
		} else if (c == ':')
			return missing_value(optopt);
		else
			return cli_usage("audit", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage("audit", "'audit %s' takes no argument '%s'",
			a->report ? "report" : "verify", argv[optind]);
	if (a->report && !a->format)
		return cli_usage("audit", "'audit report' needs --format html or --format json");
	return 0;
}

/* Options parsed, the replica open, the hub set: 0; -1 after --help; or
 * the exit code. */
static int start(ruta_replica **r, ruta_audit_options *o, audit_args *a, cli_ctx *ctx,
	int argc, char **argv)
{
	int rc = parse_opts(a, argc, argv);
	if (rc == 0 && (rc = cli_timeout(&o->timeout, "audit", a->timeout)) == 0 &&
			(rc = cli_open(r, ctx)) == 0)
		o->hub = a->hub;
	return rc;
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
	audit_args a = { 0, NULL, NULL, NULL, 0, 0 };
	ruta_replica *r = NULL;
	json_t *j = NULL;
	int rc, err;

	if ((rc = start(&r, &o, &a, ctx, argc, argv)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	err = ruta_audit_verify(&res, r, &o);
	/* a failed verification still has its report: print it, then say so */
	if (res.json && (j = json_loads(res.json, 0, NULL)) != NULL) {
		if (a.json)
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

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* FILE is replaced whole or not at all: the report is written beside it
 * under a temporary name, synced, then renamed over it. */
static int write_file(const char *path, const char *text, const char *tail)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	int fd, ok;

	if (!tmp) {
		cli_say("out of memory");
		return EXIT_ERROR;
	}
	snprintf(tmp, n, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		cli_say("cannot write the report to '%s': %s", path, strerror(errno));
		free(tmp);
		return EXIT_ERROR;
	}
	ok = fchmod(fd, 0644) == 0 && write_all(fd, text, strlen(text)) == 0 &&
		write_all(fd, tail, strlen(tail)) == 0 && fsync(fd) == 0;
	ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
	if (!ok) {
		cli_say("cannot write the report to '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? EXIT_DONE : EXIT_ERROR;
}

static int report(cli_ctx *ctx, int argc, char **argv)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	audit_args a = { 1, NULL, NULL, NULL, 0, 0 };
	ruta_replica *r = NULL;
	char *text = NULL;
	const char *tail;
	int rc, err;

	if ((rc = start(&r, &o, &a, ctx, argc, argv)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	/* the JSON is one line, the page ends with its own */
	tail = a.format == RUTA_REPORT_JSON ? "\n" : "";
	err = ruta_audit_report(&text, r, &o, a.format);
	/* problems found: the report is written all the same, then the verdict */
	if (text && a.out)
		rc = write_file(a.out, text, tail);
	else if (text)
		printf("%s%s", text, tail);
	if (err < 0 && rc == EXIT_DONE)
		rc = cli_fail(err);
	else if (rc == EXIT_DONE)
		cli_say("hub verified, no problem%s%s", a.out ? "; report written to " : "",
			a.out ? a.out : "");
	ruta_free(text);
	ruta_replica_free(r);
	return rc;
}

static const cli_cmd subcommands[] = {
	{ "verify", verify, NULL },
	{ "report", report, NULL },
	{ NULL, NULL, NULL }
};

int cmd_audit(cli_ctx *ctx, int argc, char **argv)
{
	/* only here: `audit report --help` is the subcommand's */
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(audit_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	return cli_dispatch(subcommands, "audit", ctx, argc - 1, argv + 1);
}
