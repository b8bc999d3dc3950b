/* cmd_report.c - `ruta report funnel|lost|pipeline|abc|top|activity`: the sales reports, as a table, CSV, JSON or an HTML page. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char report_help[] =
	"usage: ruta report funnel|lost|pipeline|abc|top|activity [--period P] [--team T]\n"
	"                   [--region R] [--currency C] [--abc A,B] [--format F]\n"
	"\n"
	"examples:\n"
	"  ruta -C hq report funnel --period 2026-09..2026-11\n"
	"  ruta -C hq report pipeline --format html > pipeline.html\n"
	"  ruta -C hq report lost --period 2026-Q4 --team north --format csv\n"
	"  ruta -C hq report abc --period 2026 --currency EUR --abc 70,90 --format json\n"
	"\n"
	"funnel     per month: new prospects, opportunities created, stages entered\n"
	"           (from the stage history), won, lost, win rate, offers, new clients\n"
	"lost       deals lost in the period by reason, count and value, by stage at loss\n"
	"pipeline   open deals by expected close month, stage and team: value and\n"
	"           value weighted by probability\n"
	"abc        accounts classed A, B, C by purchases (won in the 12 months before\n"
	"           the period's end) and by potential, and the 3x3 matrix\n"
	"top        the 10 accounts that bought most, and the 10 with the widest gap\n"
	"           between potential and purchases\n"
	"activity   meetings and visits planned vs held, per team and per field day\n"
	"\n"
	"--period P     YYYY-MM, YYYY-MM..YYYY-MM, YYYY-Qn or YYYY, in UTC (default:\n"
	"               this month)\n"
	"--team T       only that team's records\n"
	"--region R     only accounts of that region, and their records\n"
	"--currency C   abc, top: the currency ranked (default: the most used one);\n"
	"               accounts in others are counted as left out\n"
	"--abc A,B      abc: A below A%% of the total, B below B%% (default 80,95)\n"
	"--format F     table (default), csv, json or html\n"
	"\n"
	"Money is never added across currencies. docs/reports.md defines every figure.\n";

static int take_abc(ruta_report_options *o, const char *s)
{
	char *end = NULL, *end2 = NULL;
	long a = strtol(s, &end, 10), b;
	if (end == s || *end != ',')
		return -1;
	b = strtol(end + 1, &end2, 10);
	if (end2 == end + 1 || *end2 || a <= 0 || a >= b || b > 100)
		return -1;
	o->abc_a = (int)a;
	o->abc_b = (int)b;
	return 0;
}

static int take_format(int *format, const char *f)
{
	static const struct { const char *name; int format; } forms[] = {
		{ "table", RUTA_REPORT_TABLE }, { "csv", RUTA_REPORT_CSV },
		{ "json", RUTA_REPORT_JSON }, { "html", RUTA_REPORT_HTML },
	};
	size_t i;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(forms[i].name, f) == 0) {
			*format = forms[i].format;
			return 0;
		}
	return -1;
}

/* Control characters a person typed into a name must not reach a terminal. */
static void print_safe(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		putchar(c < 0x20 && c != '\n' && c != '\r' ? '?' : c == 0x7f ? '?' : c);
	}
}

int cmd_report(cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' }, { "team", required_argument, NULL, 't' },
		{ "region", required_argument, NULL, 'r' }, { "currency", required_argument, NULL, 'c' },
		{ "abc", required_argument, NULL, 'a' }, { "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	ruta_report_options o = RUTA_REPORT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char *text = NULL;
	int c, format = RUTA_REPORT_TABLE, rc, err;

	if (argc < 2) {
		fputs(report_help, stderr);
		return EXIT_USAGE;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'p')
			o.period = optarg;
		else if (c == 't')
			o.team = optarg;
		else if (c == 'r')
			o.region = optarg;
		else if (c == 'c')
			o.currency = optarg;
		else if (c == 'a' && take_abc(&o, optarg) < 0)
			return cli_usage("report", "--abc must be two percentages A,B with 0 < A < B <= 100, "
				"such as 80,95, not '%s'", optarg);
		else if (c == 'f' && take_format(&format, optarg) < 0)
			return cli_usage("report", "--format must be table, csv, json or html, not '%s'", optarg);
		else if (c == 'h') {
			fputs(report_help, stdout);
			return EXIT_DONE;
		} else if (c == ':')
			return cli_usage("report", "%s needs a value", argv[optind - 1]);
		else if (c == '?')
			return cli_usage("report", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind == argc)
		return cli_usage("report", "which report? funnel, lost, pipeline, abc, top or activity");
	if (optind != argc - 1)
		return cli_usage("report", "one report at a time, not '%s'", argv[argc - 1]);
	o.report = argv[optind];
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	err = ruta_report(&text, r, &o, format);
	if (err == RUTA_EINVALID)
		rc = cli_usage("report", "%s", ruta_error_last()->message);
	else if (err < 0)
		rc = cli_fail(err);
	else {
		print_safe(text);
		if (format == RUTA_REPORT_JSON)
			putchar('\n');
	}
	ruta_free(text);
	ruta_replica_free(r);
	return rc;
}
