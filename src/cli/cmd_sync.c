/* cmd_sync.c - `ruta hub`, `ruta push`, `ruta pull` and `ruta sync`: exchange through a git hub. */
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char hub_help[] =
	"usage: ruta hub add URL\n"
	"       ruta hub show\n"
	"       ruta hub accept BRANCH\n"
	"\n"
	"Sets (or shows) the hub this replica syncs with: any git remote. A path or\n"
	"file:// URL (a bare repository, a USB stick), git://, ssh:// (keys from\n"
	"ssh-agent, or the file in RUTA_SSH_KEY) or https:// (RUTA_HUB_USER and\n"
	"RUTA_HUB_PASSWORD).\n"
	"\n"
	"accept: after a person has looked into a branch reported as rewritten,\n"
	"take its history as it now is from here on; nothing of the rewritten part\n"
	"is applied.\n"
	"\n"
	"examples:\n"
	"  git init --bare /srv/ruta-hub.git && ruta -C north hub add /srv/ruta-hub.git\n"
	"  ruta -C north hub add git://hq.example/ruta.git\n"
	"  ruta -C south hub accept ruta/north-1napk78ayn\n";

static const char sync_help[] =
	"usage: ruta sync [--hub URL] [--timeout SECONDS] [--no-snapshot | --snapshot] [--json]\n"
	"       ruta pull [--hub URL] [--timeout SECONDS] [--no-snapshot] [--json]\n"
	"       ruta push [--hub URL] [--timeout SECONDS] [--json]\n"
	"\n"
	"sync seals the changes not exported yet into a signed changeset, pulls\n"
	"and applies what is new on the hub, then pushes this replica's changesets.\n"
	"pull only receives; push only sends. Each replica writes only its own\n"
	"branch (ruta/<replica id>), one signed commit per sync; head office also\n"
	"ruta/trust. Everything pulled goes through the checks of 'ruta apply'.\n"
	"A hub branch found rewritten is refused and nothing of it is applied.\n"
	"\n"
	"A replica that has taken in nothing from others yet starts from head\n"
	"office's latest signed snapshot and reads only the commits after it\n"
	"(--no-snapshot: replay the whole history). Head office's sync publishes\n"
	"a snapshot when due (see 'ruta snapshot'), or now with --snapshot.\n"
	"\n"
	"--timeout SECONDS: how long the hub may take to accept the connection,\n"
	"and then each time to send or take the next bytes (1 to 3600; default\n"
	"RUTA_TIMEOUT, else 30). A hub slower than that is taken as out of reach:\n"
	"exit 5, and nothing is lost. git://, http:// and https:// hubs; for ssh://\n"
	"only the connect.\n"
	"\n"
	"examples:\n"
	"  ruta -C north sync\n"
	"  ruta -C north sync --timeout 10\n"
	"  ruta -C hq pull --json\n"
	"\n"
	"exit status: 0 done; 1 error; 4 something was refused for a signature,\n"
	"chain or trust reason, or a hub branch was rewritten; 5 the hub cannot be\n"
	"reached or timed out (nothing is lost: try again later).\n";

static int hub(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	char *url = NULL;
	int rc, err;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(hub_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	if (!(strcmp(argv[1], "add") == 0 && argc == 3) && !(strcmp(argv[1], "show") == 0 && argc == 2) &&
			!(strcmp(argv[1], "accept") == 0 && argc == 3))
		return cli_usage("hub", "use 'ruta hub add URL', 'ruta hub show' or "
			"'ruta hub accept BRANCH'");
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if (strcmp(argv[1], "add") == 0) {
		if ((err = ruta_hub_set(r, argv[2])) < 0)
			rc = cli_fail(err);
		else
			cli_say("replica %s syncs with %s", ruta_replica_id(r), argv[2]);
	} else if (strcmp(argv[1], "accept") == 0) {
		if ((err = ruta_hub_accept(r, argv[2])) < 0)
			rc = cli_fail(err);
		else
			cli_say("hub branch %s is taken as it now is; later commits apply as usual",
				argv[2]);
	} else if ((err = ruta_hub_get(&url, r)) < 0) {
		rc = cli_fail(err);
	} else {
		printf("%s\n", url);
	}
	ruta_free(url);
	ruta_replica_free(r);
	return rc;
}

int cmd_hub(cli_ctx *ctx, int argc, char **argv)
{
	return hub(ctx, argc, argv);
}

/* Ctrl-C during a transfer or an apply asks the library to stop at its next
 * safe point (RUTA_ECANCELED) rather than killing it half-way; a second one
 * kills as usual. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = 1;
	signal(sig, SIG_DFL);
}

static int step(const char *what, size_t done, size_t total, void *payload)
{
	const int *show = payload;
	if (*show && strcmp(what, "applying") != 0) {
		fprintf(stderr, "\rruta: %s objects: %zu/%zu", what, done, total);
		if (done == total)
			fputc('\n', stderr);
	}
	return interrupted;
}


typedef int (*sync_fn)(ruta_sync_result *, ruta_replica *, const ruta_sync_options *);

static int run(cli_ctx *ctx, int argc, char **argv, sync_fn fn, const char *cmd)
{
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	ruta_replica *r = NULL;
	const char *timeout = NULL;
	void (*prev)(int);
	int i, json = 0, show, rc, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--hub") && i + 1 < argc)
			o.hub = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = argv[++i];
		else if (!strcmp(argv[i], "--no-snapshot") && fn != ruta_push)
			o.snapshot = RUTA_SNAPSHOT_NEVER;
		else if (!strcmp(argv[i], "--snapshot") && fn == ruta_sync)
			o.snapshot = RUTA_SNAPSHOT_NOW;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(sync_help, stdout);
			return EXIT_DONE;
		} else
			return cli_usage(cmd, "unknown or incomplete option '%s'", argv[i]);
	}
	if ((rc = cli_timeout(&o.timeout, cmd, timeout)) != 0)
		return rc;
	/* Progress only for a person watching; scripts get the summary alone. */
	show = isatty(2);
	o.step = step;
	o.payload = &show;
	o.report = cli_report_held;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	interrupted = 0;
	prev = signal(SIGINT, on_interrupt);
	err = fn(&res, r, &o);
	signal(SIGINT, prev);
	if (err < 0) {
		rc = cli_fail(err);
		goto done;
	}
	if (json) {
		json_t *j = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"schema", 1, "started_from", (json_int_t)res.started_from,
			"published", (json_int_t)res.published,
			"conflicts", (json_int_t)res.apply.conflicts,
			"conflicts_open", (json_int_t)res.apply.conflicts_open,
			"sealed", (json_int_t)res.sealed_seq, "pulled", (json_int_t)res.pulled,
			"replicas", (json_int_t)res.replicas, "applied", (json_int_t)res.apply.applied,
			"changes", (json_int_t)res.apply.changes, "waiting", (json_int_t)res.apply.waiting,
			"refused", (json_int_t)res.apply.refused, "rewritten", (json_int_t)res.rewritten,
			"pushed", (json_int_t)res.pushed);
		cli_print_json(j);
	}
	if (res.started_from)
		cli_say("started from head office's snapshot: %lld records", (long long)res.started_from);
	if (res.published)
		cli_say("published a snapshot of %lld records for new replicas to start from",
			(long long)res.published);
	else if (o.snapshot == RUTA_SNAPSHOT_NOW)
		cli_say("no new snapshot: nothing is new since the last one");
	cli_say("pulled %lld changeset%s from %lld replica%s, applied %lld change%s, "
		"conflicts %lld, pushed %lld%s%s", (long long)res.pulled, res.pulled == 1 ? "" : "s",
		(long long)res.replicas, res.replicas == 1 ? "" : "s", (long long)res.apply.changes,
		res.apply.changes == 1 ? "" : "s", (long long)res.apply.conflicts, (long long)res.pushed,
		res.apply.waiting ? "; some wait for what they depend on" : "",
		res.apply.refused || res.rewritten ? "; some were refused (see ruta status)" : "");
	cli_report_conflicts(-1, res.apply.conflicts_open);
	if (res.apply.applied && fn != ruta_push) {
		int64_t groups = 0;
		if (ruta_duplicates_count(&groups, r) == 0 && groups > 0)
			cli_say("%lld group%s of records look like duplicates: see 'ruta duplicates'",
				(long long)groups, groups == 1 ? "" : "s");
	}
	rc = res.apply.refused_verify || res.rewritten ? EXIT_VERIFY :
		res.apply.refused ? EXIT_ERROR : res.apply.conflicts_open ? EXIT_CONFLICTS : EXIT_DONE;
done:
	ruta_replica_free(r);
	return rc;
}

int cmd_sync(cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, ruta_sync, "sync");
}

int cmd_pull(cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, ruta_pull, "pull");
}

int cmd_push(cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, ruta_push, "push");
}

static const char snapshot_help[] =
	"usage: ruta snapshot publish [--json]\n"
	"       ruta snapshot every N\n"
	"       ruta snapshot show\n"
	"\n"
	"Head office publishes its whole CRM, signed, on the hub branch\n"
	"ruta/snapshot, saying which changesets and hub commits it covers. A new\n"
	"replica's first pull starts from the latest one and replays only what came\n"
	"after, so a new device is usable in seconds however long the history.\n"
	"\n"
	"publish: a full sync, then a snapshot (unless nothing is new since the\n"
	"last one). every N: head office's sync publishes one by itself once the\n"
	"changesets it covers have grown by N (default 1000; 0: only when asked).\n"
	"show: that setting.\n"
	"\n"
	"examples:\n"
	"  ruta -C hq snapshot publish\n"
	"  ruta -C hq snapshot every 5000\n";

static int snapshot_show(ruta_replica *r)
{
	int64_t every = 0;
	int err;
	if ((err = ruta_snapshot_every_get(&every, r)) < 0)
		return cli_fail(err);
	if (every)
		printf("every %lld changesets\n", (long long)every);
	else
		printf("only when asked (ruta snapshot publish)\n");
	return EXIT_DONE;
}

int cmd_snapshot(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	char *end = NULL;
	long long n = 0;
	int rc, err;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(snapshot_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	if (strcmp(argv[1], "publish") == 0) {
		char *args[3] = { "snapshot publish", "--snapshot", argc > 2 ? argv[2] : NULL };
		if (argc > 3 || (argc == 3 && strcmp(argv[2], "--json") != 0))
			return cli_usage("snapshot", "use 'ruta snapshot publish [--json]'");
		return run(ctx, argc == 3 ? 3 : 2, args, ruta_sync, "snapshot publish");
	}
	if (strcmp(argv[1], "every") == 0 && argc == 3) {
		n = strtoll(argv[2], &end, 10);
		if (!*argv[2] || *end || strspn(argv[2], "0123456789") != strlen(argv[2]) ||
				strlen(argv[2]) > 13)
			return cli_usage("snapshot", "give a number of changesets (0 for only when asked), "
				"not '%s'", argv[2]);
	} else if (!(strcmp(argv[1], "show") == 0 && argc == 2)) {
		return cli_usage("snapshot", "use 'ruta snapshot publish', 'ruta snapshot every N' or "
			"'ruta snapshot show'");
	}
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if (strcmp(argv[1], "show") == 0)
		rc = snapshot_show(r);
	else if ((err = ruta_snapshot_every(r, n)) < 0)
		rc = cli_fail(err);
	else
		cli_say("head office's sync publishes a snapshot %s", n ? "when due" : "only when asked");
	ruta_replica_free(r);
	return rc;
}
