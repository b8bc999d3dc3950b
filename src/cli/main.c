/*
 * main.c - the ruta tool: global options (-C DIR), the command table, help.
 * Every command is a thin layer over libruta's public API.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int cmd_help(cli_ctx *ctx, int argc, char **argv);
static int cmd_version(cli_ctx *ctx, int argc, char **argv);

static const cli_cmd commands[] = {
	{ "init", cmd_init, "create a replica: head office's or a team's" },
	{ "status", cmd_status, "show this replica and what is not exported yet" },
	{ "log", cmd_log, "the changesets held, newest first (--local: changes not exported yet)" },
	{ "hub", cmd_hub, "set the git hub this replica syncs with (hub add URL)" },
	{ "sync", cmd_sync, "seal, pull and apply, then push: exchange through the hub" },
	{ "pull", cmd_pull, "receive and apply what is new on the hub" },
	{ "push", cmd_push, "send this replica's changesets to the hub" },
	{ "conflicts", cmd_conflicts, "list and show open conflicts (conflicts list|show ID)" },
	{ "resolve", cmd_resolve, "resolve a conflict (resolve ID --take VALUE | --keep | --all)" },
	{ "blame", cmd_blame, "who set each field of a record, and what it overrode" },
	{ "snapshot", cmd_snapshot, "head office: publish a signed snapshot new replicas start from" },
	{ "export", cmd_export, "seal and write changesets; export contacts|accounts|opps: CSV, vCard, JSON" },
	{ "import", cmd_import, "read accounts or contacts from CSV or vCard (all or nothing)" },
	{ "apply", cmd_apply, "verify and apply changesets from files, a directory or stdin" },
	{ "state-hash", cmd_state_hash, "a hash of the CRM content, equal on replicas that converged" },
	{ "audit", cmd_audit, "verify a whole hub from the root key (audit verify|report)" },
	{ "report", cmd_report, "sales reports: funnel, lost, pipeline, abc, top, activity" },
	{ "keys", cmd_keys, "keys and the trust file: show, export-pub, endorse, revoke" },
	{ "account", cmd_account, "companies: add, edit, show, list, rm" },
	{ "contact", cmd_contact, "people, with their emails and phones" },
	{ "opp", cmd_opp, "opportunities: add, edit, move, win, lose, ..." },
	{ "activity", cmd_activity, "calls, meetings, visits: planned, held, not held" },
	{ "offer", cmd_offer, "offers on an opportunity: draft, send, answer, revise" },
	{ "stage", cmd_stage, "the pipeline's stages (head office edits them)" },
	{ "lost-reason", cmd_lost_reason, "reasons an opportunity is lost" },
	{ "duplicates", cmd_duplicates, "accounts and contacts that look like one (tax id, email, phone)" },
	{ "merge-records", cmd_merge_records, "merge one account or contact into another" },
	{ "help", cmd_help, "this list; 'ruta help exit-codes'" },
	{ "version", cmd_version, NULL },
	{ NULL, NULL, NULL }
};

static const char usage_text[] =
	"usage: ruta [-C DIR] COMMAND [ARGS]\n"
	"\n"
	"ruta keeps a sales team's CRM in a local SQLite replica that works offline.\n"
	"\n"
	"examples:\n"
	"  ruta init north --team north --country ES\n"
	"  ruta -C north account add --name 'Acme S.L.' --tax-id ES:B12345674 --json\n"
	"  ruta -C north log --local\n"
	"\n"
	"options:\n"
	"  -C DIR       the replica is DIR (without -C: $RUTA_DIR if set, else the\n"
	"               current directory); 'ruta -C DIR init NAME' makes DIR/NAME\n"
	"  --version    print the version\n"
	"  -h, --help   this help; 'ruta COMMAND --help' for a command\n"
	"\n"
	"commands:\n";

static const char exit_codes_text[] =
	"exit codes:\n"
	"  0  done\n"
	"  1  error (the message says what and how to fix it; nothing was changed)\n"
	"  2  usage: an unknown command, option or field, or a missing argument\n"
	"  3  done, but conflicts remain open\n"
	"  4  verification failed: a signature, chain or trust problem\n"
	"  5  the hub is unreachable or did not answer in time (--timeout); try later\n";

static void print_usage(FILE *out)
{
	fputs(usage_text, out);
	cli_list_commands(out, commands);
}

static int cmd_help(cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_usage(stdout);
		return EXIT_DONE;
	}
	if (argc > 1 && strcmp(argv[1], "exit-codes") == 0) {
		fputs(exit_codes_text, stdout);
		return EXIT_DONE;
	}
	if (argc > 1) {
		const cli_cmd *c;
		char *help[] = { argv[1], "--help", NULL };
		for (c = commands; c->name; c++)
			if (strcmp(c->name, argv[1]) == 0 && c->run != cmd_help)
				return c->run(ctx, 2, help);
		return cli_usage("help", "no help on '%s'", argv[1]);
	}
	print_usage(stdout);
	fputc('\n', stdout);
	fputs(exit_codes_text, stdout);
	return EXIT_DONE;
}

static int cmd_version(cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	printf("ruta %s\n", ruta_version());   /* the library in use, not the header built against */
	return EXIT_DONE;
}

/* -C names the replica (and where init makes one); a second -C is taken
 * from the first, as with git. Paths given to commands (a file to apply,
 * an --out directory) stay relative to where the command was typed. */
static int add_dir(char *acc, size_t size, const char *dir)
{
	char joined[PATH_MAX * 2], *real;
	if (dir[0] == '/' || !acc[0])
		snprintf(joined, sizeof(joined), "%s", dir);
	else
		snprintf(joined, sizeof(joined), "%s/%s", acc, dir);
	if (!(real = realpath(joined, NULL))) {
		cli_say("cannot use '%s' (-C): %s", joined, strerror(errno));
		return EXIT_ERROR;
	}
	snprintf(acc, size, "%s", real);
	free(real);
	return 0;
}

int main(int argc, char **argv)
{
	static char cwd[PATH_MAX], cdir[PATH_MAX];
	cli_ctx ctx = { NULL, NULL };
	const cli_cmd *c;
	int i = 1, rc;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0) {
			if (i + 1 >= argc)
				return cli_usage("help", "-C needs a directory");
			if ((rc = add_dir(cdir, sizeof(cdir), argv[i + 1])) != 0)
				return rc;
			i += 2;
		} else if (strcmp(argv[i], "--version") == 0) {
			return cmd_version(&ctx, 0, NULL);
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_usage(stdout);
			return EXIT_DONE;
		} else {
			return cli_usage("help", "unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		cli_say("cannot tell the current directory: %s", strerror(errno));
		return EXIT_ERROR;
	}
	/* The command line wins over the environment. */
	ctx.dir = cdir[0] ? cdir : getenv("RUTA_DIR") && *getenv("RUTA_DIR") ? getenv("RUTA_DIR") : cwd;
	ctx.base = cdir[0] ? cdir : NULL;
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[i]) == 0)
			return c->run(&ctx, argc - i, argv + i);
	return cli_usage("help", "'%s' is not a ruta command", argv[i]);
}
