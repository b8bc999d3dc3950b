/* cmd_exchange.c - `ruta export` and `ruta apply`: changesets as files, for a USB stick or a pipe. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char export_help[] =
	"usage: ruta export [--out DIR|-] [--all] [--json]\n"
	"\n"
	"Seals every change not exported yet into this replica's next changeset:\n"
	"canonical JSON, numbered, chained to the previous one by its hash, and\n"
	"signed with this replica's key (an OpenSSH signature). Then writes the\n"
	"changesets not written before, and a trust file newer than the last one\n"
	"written, into DIR (default: the replica's outbox/ directory), as\n"
	"NAME.json with NAME.json.sig beside it. With nothing new to export it\n"
	"says so and writes nothing.\n"
	"\n"
	"examples:\n"
	"  ruta -C north export --out /media/usb/ruta\n"
	"  ruta -C hq export --all --out /media/usb/ruta     # everything hq holds\n"
	"  ruta -C north export --out - | ssh hq ruta -C hq apply -\n"
	"\n"
	"options:\n"
	"  --out DIR   where to write (it must exist); '-' writes one bundle to stdout,\n"
	"              which does not count as written: the next export sends it again\n"
	"  --all       every changeset this replica holds, its own and others' (to relay)\n"
	"  --json      print {\"schema\",\"seq\",\"changes\",\"written\",\"dir\"}\n"
	"\n"
	"CRM data as CSV, vCard or JSON: 'ruta export contacts|accounts|opps --help'.\n";

static const char apply_help[] =
	"usage: ruta apply FILE|DIR|- [--json]\n"
	"\n"
	"Verifies and applies changesets: one FILE (with FILE.sig beside it), every\n"
	"changeset and trust file in DIR, or a bundle on stdin ('-'). Signatures,\n"
	"keys, the chain of each replica's changesets and their format are checked\n"
	"before anything is applied; each changeset applies in one transaction, and\n"
	"applying one twice changes nothing. A changeset that arrives before one it\n"
	"depends on waits (and is applied when that one comes); anything refused is\n"
	"kept with its reason, listed by 'ruta status'.\n"
	"\n"
	"examples:\n"
	"  ruta -C south apply /media/usb/ruta\n"
	"  ruta -C hq apply north-1napk78ayn-00000003.json\n"
	"\n"
	"exit status: 0 all applied, waiting or already here; 4 something was refused\n"
	"for a signature, chain or trust reason; 1 something was refused otherwise.\n";

static int open_json(int *json, const char *cmd, const char *help, int argc, char **argv,
	const char **out, int *all, const char **path)
{
	int i;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			*json = 1;
		else if (all && !strcmp(argv[i], "--all"))
			*all = 1;
		else if (out && !strcmp(argv[i], "--out") && i + 1 < argc)
			*out = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(help, stdout);
			return -1;
		} else if (path && !*path && (argv[i][0] != '-' || !argv[i][1]))
			*path = argv[i];
		else
			return cli_usage(cmd, "unknown or unexpected argument '%s'", argv[i]);
	}
	return 0;
}

static int bundle_failed(const char *msg)
{
	cli_say("%s", msg);
	return RUTA_ERROR;
}

static int to_stdout(const char *data, size_t len, void *payload)
{
	(void)payload;
	return fwrite(data, 1, len, stdout) != len;
}

static int write_out(size_t *written, ruta_replica *r, const char *out, int all)
{
	ruta_export_options o = RUTA_EXPORT_OPTIONS_INIT;
	int err;

	o.all = all;
	if (strcmp(out, "-") != 0)
		return ruta_export_dir(written, r, out, &o);
	*written = 0;   /* a pipe is not a copy that lasts: nothing counts as written */
	/* written as it is made: a bundle of any size takes one changeset's memory */
	err = ruta_export_bundle_to(r, to_stdout, NULL, &o);
	if (err == RUTA_ECANCELED || (err == 0 && fflush(stdout) != 0))
		return bundle_failed("cannot write the bundle to stdout");
	return err;
}

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
	const char *out = NULL;
	char outbox[4200];
	ruta_replica *r = NULL;
	int64_t seq = 0, changes = 0;
	size_t written = 0;
	int json = 0, all = 0, rc, err;

	if (argc > 1 && cli_is_data_export(argv[1]))
		return cmd_data_export(ctx, argc, argv);
	if ((rc = open_json(&json, "export", export_help, argc, argv, &out, &all, NULL)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if (!out) {
		snprintf(outbox, sizeof(outbox), "%s/outbox", ruta_replica_dir(r));
		if (mkdir(outbox, 0755) < 0 && errno != EEXIST) {
			cli_say("cannot create '%s': %s", outbox, strerror(errno));
			ruta_replica_free(r);
			return EXIT_ERROR;
		}
		out = outbox;
	}
	err = ruta_changeset_seal(&seq, &changes, r);
	if (err < 0 && err != RUTA_ITEROVER) {
		rc = cli_fail(err);
		goto done;
	}
	if ((err = write_out(&written, r, out, all)) < 0) {
		rc = ruta_error_last()->code == err ? cli_fail(err) : EXIT_ERROR;
		goto done;
	}
	if (json) {
		json_t *j = json_pack("{s:i, s:I, s:I, s:I, s:s}", "schema", 1, "seq", (json_int_t)seq,
			"changes", (json_int_t)changes, "written", (json_int_t)written, "dir", out);
		cli_print_json(j);
	} else if (seq && strcmp(out, "-") == 0) {
		cli_say("sealed changeset %lld of %s (%lld field change%s); wrote a bundle to stdout",
			(long long)seq, ruta_replica_id(r), (long long)changes, changes == 1 ? "" : "s");
	} else if (seq) {
		cli_say("sealed changeset %lld of %s (%lld field change%s); wrote %zu changeset%s to %s",
			(long long)seq, ruta_replica_id(r), (long long)changes, changes == 1 ? "" : "s",
			written, written == 1 ? "" : "s", out);
	} else {
		cli_say("nothing to export: no change since the last changeset%s", written ?
			" (wrote the changesets not written before)" : "");
	}
	rc = EXIT_DONE;
done:
	ruta_replica_free(r);
	return rc;
}


/* A bundle on stdin goes to a file in the replica's directory first, so
 * that applying it holds one changeset in memory at a time, however large
 * the stream. The file is removed once applied. */
static int spool_stdin(char *path, size_t size, ruta_replica *r)
{
	char buf[65536];
	size_t k;
	FILE *f;
	int fd;

	snprintf(path, size, "%s/incoming.XXXXXX", ruta_replica_dir(r));
	if ((fd = mkstemp(path)) < 0 || !(f = fdopen(fd, "wb"))) {
		cli_say("cannot write '%s' to take the bundle in: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((k = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (fwrite(buf, 1, k, f) != k)
			break;
	if (ferror(stdin) || ferror(f) || fclose(f) != 0) {
		cli_say("cannot take the bundle in from stdin into '%s': %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int cmd_apply(cli_ctx *ctx, int argc, char **argv)
{
	ruta_apply_options o = RUTA_APPLY_OPTIONS_INIT;
	ruta_apply_result res = RUTA_APPLY_RESULT_INIT;
	const char *path = NULL;
	ruta_replica *r = NULL;
	int json = 0, rc, err;

	if ((rc = open_json(&json, "apply", apply_help, argc, argv, NULL, NULL, &path)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if (!path)
		return cli_usage("apply", "give a changeset file, a directory, or - for stdin");
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	o.report = cli_report_held;
	if (strcmp(path, "-") == 0) {
		char spooled[4200];
		if (spool_stdin(spooled, sizeof(spooled), r) < 0) {
			ruta_replica_free(r);
			return EXIT_ERROR;
		}
		err = ruta_apply_bundle_file(&res, r, spooled, &o);
		unlink(spooled);
	} else {
		err = ruta_apply_path(&res, r, path, &o);
	}
	if (err < 0) {
		rc = cli_fail(err);
		goto done;
	}
	if (json) {
		json_t *j = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I}", "schema", 1,
			"applied", (json_int_t)res.applied, "changes", (json_int_t)res.changes,
			"duplicates", (json_int_t)res.duplicates, "waiting", (json_int_t)res.waiting,
			"refused", (json_int_t)res.refused, "trust_version", res.trust_version,
			"conflicts", (json_int_t)res.conflicts, "conflicts_open",
			(json_int_t)res.conflicts_open);
		cli_print_json(j);
	}
	cli_say("applied %lld changeset%s (%lld field change%s); %lld already here, %lld waiting, "
		"%lld refused", (long long)res.applied, res.applied == 1 ? "" : "s",
		(long long)res.changes, res.changes == 1 ? "" : "s", (long long)res.duplicates,
		(long long)res.waiting, (long long)res.refused);
	cli_report_conflicts(res.conflicts, res.conflicts_open);
	rc = res.refused_verify ? EXIT_VERIFY : res.refused ? EXIT_ERROR :
		res.conflicts_open ? EXIT_CONFLICTS : EXIT_DONE;
done:
	ruta_replica_free(r);
	return rc;
}
