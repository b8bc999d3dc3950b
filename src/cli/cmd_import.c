/* cmd_import.c - `ruta import` and `ruta export contacts|accounts|opps`: CRM data as CSV, vCard and JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char import_help[] =
	"usage: ruta import contacts|accounts FILE|- [--format csv|vcard] [--dry-run]\n"
	"                   [--ignore-unknown] [--json]\n"
	"\n"
	"Reads accounts or contacts from CSV (RFC 4180, UTF-8; ',' ';' or tab found\n"
	"from the header; a BOM is fine) or vCard 2.1, 3.0 or 4.0 (accounts from\n"
	"KIND:org cards, which a contacts import skips). A row whose id is a record\n"
	"here updates it; otherwise a row that matches a record by tax id, email or\n"
	"phone updates that one; otherwise a record is made. Only values that differ\n"
	"are written, so importing an unmodified export changes nothing. All or\n"
	"nothing: any bad row is listed with its line (a card with its number too)\n"
	"and nothing is written.\n"
	"\n"
	"examples:\n"
	"  ruta -C north import accounts accounts.csv\n"
	"  ruta -C north import contacts phone-book.vcf --dry-run\n"
	"  ruta -C hq export contacts | ruta -C north import contacts -\n"
	"\n"
	"options:\n"
	"  --format F        csv or vcard (default: vcard if it starts with BEGIN:VCARD)\n"
	"  --dry-run         print what would be created, updated, ...; write nothing\n"
	"  --ignore-unknown  leave out CSV columns ruta does not know instead of refusing\n"
	"  --json            print the counts as one JSON object\n"
	"\n"
	"exit status: 0 imported (or would be); 1 a bad row or file, nothing written;\n"
	"2 usage. docs/exchange.md lists the columns and matching rules.\n";

static const char data_export_help[] =
	"usage: ruta export contacts|accounts|opps [--format csv|vcard|json] [--excel]\n"
	"                   [--out FILE]\n"
	"\n"
	"Writes every live record of a type: CSV (RFC 4180, UTF-8, CRLF, a header of\n"
	"field keys, 'id' first), vCard 4.0 (contacts, and accounts as KIND:org cards)\n"
	"or JSON. Cells a spreadsheet would run as formulas (starting with = + - @) get\n"
	"a leading apostrophe, which 'ruta import' removes again. (Without a type,\n"
	"'ruta export' writes changesets: see 'ruta export --help'.)\n"
	"\n"
	"examples:\n"
	"  ruta -C hq export accounts > accounts.csv\n"
	"  ruta -C hq export contacts --format csv --excel --out contacts.csv\n"
	"  ruta -C north export contacts --format vcard > team.vcf\n"
	"  ruta -C hq export accounts --format vcard > companies.vcf\n"
	"  ruta -C hq export opps --format json\n"
	"\n"
	"options:\n"
	"  --format F   csv (default), vcard (contacts and accounts) or json\n"
	"  --excel      CSV for spreadsheets: a UTF-8 BOM and ';' between cells\n"
	"  --out FILE   write to FILE instead of stdout\n";

/* "contacts" or "contact" -> "contact"; NULL if not a type data moves as. */
static const char *data_type(const char *word, int exporting)
{
	static const char *const types[][2] = {
		{ "contacts", "contact" }, { "accounts", "account" }, { "opps", "opp" } };
	size_t i;
	for (i = 0; i < 3; i++)
		if ((!strcmp(word, types[i][0]) || !strcmp(word, types[i][1])) &&
				(exporting || i < 2))
			return types[i][1];
	return NULL;
}

int cli_is_data_export(const char *word)
{
	return data_type(word, 1) != NULL;
}

static int parse_format(int *out, const char *cmd, const char *text)
{
	if (!strcmp(text, "csv"))
		*out = RUTA_DATA_CSV;
	else if (!strcmp(text, "vcard") || !strcmp(text, "vcf"))
		*out = RUTA_DATA_VCARD;
	else if (!strcmp(text, "json"))
		*out = RUTA_DATA_JSON;
	else
		return cli_usage(cmd, "format '%s' is not csv, vcard or json", text);
	return 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	int bad;
	if (!f) {
		cli_say("cannot write '%s': %s", path, strerror(errno));
		return EXIT_ERROR;
	}
	bad = fwrite(data, 1, len, f) != len;
	bad |= path ? fclose(f) != 0 : fflush(f) != 0;
	if (bad)
		cli_say("cannot write '%s': %s", path ? path : "stdout", strerror(errno));
	return bad ? EXIT_ERROR : EXIT_DONE;
}

int cmd_data_export(cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "excel", no_argument, NULL, 'x' },
		{ "spreadsheet", no_argument, NULL, 'x' }, { "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	ruta_data_export_options o = RUTA_DATA_EXPORT_OPTIONS_INIT;
	const char *type = data_type(argv[1], 1), *path = NULL;
	ruta_replica *r = NULL;
	char *data = NULL;
	size_t len = 0;
	int c, rc, err;

	optind = 2;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(data_export_help, stdout);
			return EXIT_DONE;
		} else if (c == 'f' && (rc = parse_format(&o.format, "export", optarg)) != 0)
			return rc;
		else if (c == 'x')
			o.spreadsheet = 1;
		else if (c == 'o')
			path = strcmp(optarg, "-") ? optarg : NULL;
		else if (c == '?')
			return cli_usage("export", "see the options above");
	}
	if (optind < argc)
		return cli_usage("export", "unexpected argument '%s'", argv[optind]);
	if (o.spreadsheet && o.format && o.format != RUTA_DATA_CSV)
		return cli_usage("export", "--excel is for --format csv");
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_data_export(&data, &len, r, type, &o)) < 0)
		rc = cli_fail(err);
	else
		rc = write_file(path, data, len);
	ruta_free(data);
	ruta_replica_free(r);
	return rc;
}

/* ---- import ---------------------------------------------------------------------- */

#define SHOW_MAX 20

typedef struct shown {
	int64_t errors, notes;
} shown;

/* "line L: why", or for a vCard (whose message starts "card N: ") "card N
 * (line L): why": a person finds a card by its number sooner than by line. */
static void tell_row(size_t line, const char *what, const char *message, void *payload)
{
	shown *s = payload;
	int64_t *n = strcmp(what, "error") == 0 ? &s->errors : &s->notes;
	char *m = strdup(message), where[64];
	size_t card = 0;
	int skip = 0;
	if (++*n <= SHOW_MAX && m) {
		cli_sanitize(m);
		if (sscanf(m, "card %zu: %n", &card, &skip) == 1 && skip > 0)
			snprintf(where, sizeof(where), "card %zu (line %zu)", card, line);
		else
			snprintf(where, sizeof(where), "line %zu", line);
		if (strcmp(what, "error") == 0)
			fprintf(stderr, "%s: %s\n", where, m + skip);
		else
			fprintf(stderr, "%s: %s: %s\n", where, what, m + skip);
	}
	free(m);
}

static char *read_all(size_t *len, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 1 << 16, n = 0, k;
	char *buf = f ? malloc(cap) : NULL;
	while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			char *nb = cap > (512u << 20) ? NULL : realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	if (f && f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static void print_counts(const ruta_import_result *res, int json, int dry_run)
{
	if (json) {
		cli_print_json(json_pack("{s:i, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"schema", 1, "dry_run", dry_run, "rows", (json_int_t)res->rows,
			"created", (json_int_t)res->created, "updated", (json_int_t)res->updated,
			"unchanged", (json_int_t)res->unchanged, "skipped", (json_int_t)res->skipped,
			"duplicates", (json_int_t)res->duplicates,
			"accounts_created", (json_int_t)res->accounts_created,
			"errors", (json_int_t)res->errors));
		return;
	}
	fprintf(dry_run ? stdout : stderr, "%screated %lld, updated %lld, unchanged %lld, "
		"skipped %lld, duplicates %lld%s", dry_run ? "" : "ruta: imported: ",
		(long long)res->created, (long long)res->updated, (long long)res->unchanged,
		(long long)res->skipped, (long long)res->duplicates,
		res->accounts_created ? "" : "\n");
	if (res->accounts_created)
		fprintf(dry_run ? stdout : stderr, ", accounts created %lld\n",
			(long long)res->accounts_created);
}

static int import_args(ruta_import_options *o, int *json, const char **path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "dry-run", no_argument, NULL, 'n' },
		{ "ignore-unknown", no_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int c, rc;
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(import_help, stdout);
			return -1;
		} else if (c == 'f' && (rc = parse_format(&o->format, "import", optarg)) != 0)
			return rc;
		else if (c == 'f' && o->format == RUTA_DATA_JSON)
			return cli_usage("import", "ruta imports csv and vcard");
		else if (c == 'n')
			o->dry_run = 1;
		else if (c == 'u')
			o->ignore_unknown = 1;
		else if (c == 'j')
			*json = 1;
		else if (c == '?')
			return cli_usage("import", "see the options above");
	}
	if (optind != argc - 1)
		return cli_usage("import", "give one FILE, or - for stdin");
	*path = argv[optind];
	return 0;
}

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
	ruta_import_options o = RUTA_IMPORT_OPTIONS_INIT;
	ruta_import_result res = RUTA_IMPORT_RESULT_INIT;
	const char *type, *path = NULL;
	ruta_replica *r = NULL;
	shown seen = { 0, 0 };
	char *data;
	size_t len = 0;
	int json = 0, rc, err;

	if (argc < 2 || cli_wants_help(2, argv)) {
		fputs(import_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	if (!(type = data_type(argv[1], 0)))
		return cli_usage("import", "'%s' is not contacts or accounts", argv[1]);
	if ((rc = import_args(&o, &json, &path, argc, argv)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if (!(data = read_all(&len, path))) {
		cli_say("cannot read '%s': %s", path, strerror(errno));
		return EXIT_ERROR;
	}
	if ((rc = cli_open(&r, ctx)) == 0) {
		o.report = tell_row;
		o.payload = &seen;
		err = ruta_data_import(&res, r, type, data, len, &o);
		if (seen.errors > SHOW_MAX || seen.notes > SHOW_MAX)
			cli_say("%lld more rows not shown", (long long)(seen.errors + seen.notes -
				(seen.errors > SHOW_MAX ? SHOW_MAX : seen.errors) -
				(seen.notes > SHOW_MAX ? SHOW_MAX : seen.notes)));
		rc = err < 0 ? cli_fail(err) : EXIT_DONE;
		if (err == 0)
			print_counts(&res, json, o.dry_run);
	}
	free(data);
	ruta_replica_free(r);
	return rc;
}
