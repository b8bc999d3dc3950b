/* cmd_keys.c - `ruta keys`: public keys, the trust file, endorsing and revoking, passphrases. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
	"usage: ruta keys export-pub [--root]\n"
	"       ruta keys show [--json]\n"
	"       ruta keys endorse FILE --team NAME [--valid-after T] [--valid-before T]\n"
	"       ruta keys revoke NAME\n"
	"       ruta keys seal\n"
	"       ruta keys passphrase [--remove]\n"
	"\n"
	"examples:\n"
	"  ruta -C north keys export-pub > north.pub          # a team sends its key\n"
	"  ruta -C hq keys endorse north.pub --team north      # head office endorses it\n"
	"  ruta -C hq keys export-pub --root > root.pub        # for ruta init --root-key\n"
	"  ruta -C hq keys revoke north-1napk78ayn             # a lost laptop\n"
	"  ruta -C hq keys seal                                # bind expired keys now\n"
	"  RUTA_NEW_PASSPHRASE=... ruta -C north keys passphrase\n"
	"\n"
	"export-pub   this replica's public key, or with --root head office's root key\n"
	"             (at a team: the one pinned by init --root-key), as one OpenSSH line\n"
	"show         this replica's key, the pinned root key and the trust file in force\n"
	"endorse      head office: add a replica's key (FILE: its export-pub line; - for\n"
	"             stdin) to the trust file for team NAME, optionally only from/until\n"
	"             a time; the next export carries the new trust file\n"
	"revoke       head office: revoke one replica (its id) or every replica of a team;\n"
	"             what head office already has from it stays valid, later changesets\n"
	"             are refused wherever the new trust file arrives\n"
	"seal         head office: bind every key whose --valid-before has passed to the\n"
	"             last changeset head office holds from it, so a changeset signed\n"
	"             with it later is refused whatever time it claims (endorse, revoke\n"
	"             and sync at head office do this too)\n"
	"passphrase   protect the secret key (and at head office the root key) with a\n"
	"             passphrase, change it, or --remove it. The current one comes from\n"
	"             RUTA_PASSPHRASE or a prompt, the new one from RUTA_NEW_PASSPHRASE or\n"
	"             a prompt (asked twice). A protected key is not readable by ssh-keygen.\n";

static int export_pub(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	char *line = NULL;
	int root = 0, rc, err, i;
	for (i = 1; i < argc; i++) {
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

static char *read_all(FILE *f)
{
	size_t cap = 4096, n = 0, k;
	char *buf = malloc(cap);
	while (buf && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (n + 1 == cap) {
			char *nb = n > 65536 ? NULL : realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	if (buf)
		buf[n] = '\0';
	return buf;
}

static int endorse(cli_ctx *ctx, int argc, char **argv)
{
	const char *file = NULL, *team = NULL, *after = NULL, *before = NULL;
	ruta_replica *r = NULL;
	char *line = NULL;
	FILE *f;
	int i, rc, err;

	for (i = 1; i < argc; i++) {
		const char **dst = !strcmp(argv[i], "--team") ? &team : !strcmp(argv[i], "--valid-after") ?
			&after : !strcmp(argv[i], "--valid-before") ? &before : NULL;
		if (dst && i + 1 < argc)
			*dst = argv[++i];
		else if (dst || (argv[i][0] == '-' && argv[i][1]))
			return cli_usage("keys", "unknown or incomplete option '%s'", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return cli_usage("keys", "unexpected argument '%s'", argv[i]);
	}
	if (!file || !team)
		return cli_usage("keys", "give the public key file and --team NAME");
	if (!(f = strcmp(file, "-") ? fopen(file, "r") : stdin)) {
		cli_say("cannot read '%s'", file);
		return EXIT_ERROR;
	}
	line = read_all(f);
	if (f != stdin)
		fclose(f);
	if (!line) {
		cli_say("cannot read '%s'", file);
		return EXIT_ERROR;
	}
	if ((rc = cli_open(&r, ctx)) == 0) {
		if ((err = ruta_keys_endorse(r, line, team, after, before)) < 0)
			rc = cli_fail(err);
		else {
			line[strcspn(line, "\r\n")] = '\0';
			cli_say("endorsed %s for team %s; 'ruta export' carries the new trust file",
				strrchr(line, ' ') ? strrchr(line, ' ') + 1 : line, team);
		}
	}
	free(line);
	ruta_replica_free(r);
	return rc;
}

static int revoke(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	int rc, err, n = 0;
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("keys", "give the replica id or team name to revoke");
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_keys_revoke(&n, r, argv[1])) < 0)
		rc = cli_fail(err);
	else
		cli_say("revoked %d replica key%s of '%s'; 'ruta export' carries the new trust file",
			n, n == 1 ? "" : "s", argv[1]);
	ruta_replica_free(r);
	return rc;
}

static int seal(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	int rc, err, n = 0;
	if (argc != 1)
		return cli_usage("keys", "'keys seal' takes no argument '%s'", argv[1]);
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_keys_seal(&n, r)) < 0)
		rc = cli_fail(err);
	else if (n == 0)
		cli_say("no endorsed key has expired unsealed; the trust file is unchanged");
	else
		cli_say("sealed %d expired key%s at the changesets head office holds; the next sync "
			"carries the new trust file", n, n == 1 ? "" : "s");
	ruta_replica_free(r);
	return rc;
}

static int show(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	char *own = NULL, *root = NULL, *trust = NULL;
	int64_t version = 0;
	int rc, err, json = argc > 1 && strcmp(argv[1], "--json") == 0;

	if (argc > 2 || (argc == 2 && !json))
		return cli_usage("keys", "unknown option '%s'", argv[1]);
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_replica_public_key(&own, r, 0)) < 0 ||
			((err = ruta_replica_public_key(&root, r, 1)) < 0 && err != RUTA_ENOTFOUND) ||
			(err = ruta_keys_trust(&trust, &version, r)) < 0) {
		rc = cli_fail(err);
		goto done;
	}
	own[strcspn(own, "\n")] = '\0';
	if (root)
		root[strcspn(root, "\n")] = '\0';
	if (json) {
		json_t *j = json_pack("{s:i, s:s, s:s, s:s?, s:I, s:s?}", "schema", 1, "id",
			ruta_replica_id(r), "key", own, "root_key", root, "trust_version",
			(json_int_t)version, "trust", trust);
		cli_print_json(j);
	} else {
		printf("replica key  %s\n", own);
		printf("root key     %s\n", root ? root : "(none pinned)");
		printf("trust file   version %lld\n%s", (long long)version, trust ? trust : "");
	}
done:
	ruta_free(own);
	ruta_free(root);
	ruta_free(trust);
	ruta_replica_free(r);
	return rc;
}

static int passphrase(cli_ctx *ctx, int argc, char **argv)
{
	char oldp[512] = "", newp[512] = "", again[512] = "";
	ruta_replica *r = NULL;
	int remove = argc == 2 && strcmp(argv[1], "--remove") == 0, rc, err;
	const char *env_old = getenv("RUTA_PASSPHRASE"), *env_new = getenv("RUTA_NEW_PASSPHRASE");
	int have_old = env_old != NULL;

	if (env_old)
		snprintf(oldp, sizeof(oldp), "%s", env_old);

	if (argc > 2 || (argc == 2 && !remove))
		return cli_usage("keys", "unknown option '%s'", argv[1]);
	if (!remove && !env_new) {
		if (cli_read_passphrase(newp, sizeof(newp), "new passphrase", NULL) < 0 ||
				cli_read_passphrase(again, sizeof(again), "the same again", NULL) < 0) {
			cli_say("no new passphrase: set RUTA_NEW_PASSPHRASE or run on a terminal");
			return EXIT_USAGE;
		}
		if (strcmp(newp, again) != 0) {
			cli_say("the two passphrases differ; nothing was changed");
			return EXIT_ERROR;
		}
	} else if (!remove) {
		snprintf(newp, sizeof(newp), "%s", env_new);
	}
	if ((rc = cli_open(&r, ctx)) == 0) {
		err = ruta_keys_passphrase(r, have_old ? oldp : NULL, remove ? NULL : newp);
		if (err < 0 && !have_old && cli_read_passphrase(oldp, sizeof(oldp),
				"current passphrase", NULL) == 0)
			err = ruta_keys_passphrase(r, oldp, remove ? NULL : newp);
		if (err < 0)
			rc = cli_fail(err);
		else
			cli_say(remove ? "the secret keys are no longer protected" :
				"the secret keys are protected by the new passphrase");
	}
	explicit_bzero(oldp, sizeof(oldp));
	explicit_bzero(newp, sizeof(newp));
	explicit_bzero(again, sizeof(again));
	ruta_replica_free(r);
	return rc;
}

static const cli_cmd subcommands[] = {
	{ "export-pub", export_pub, NULL },
	{ "show", show, NULL },
	{ "endorse", endorse, NULL },
	{ "revoke", revoke, NULL },
	{ "seal", seal, NULL },
	{ "passphrase", passphrase, NULL },
	{ NULL, NULL, NULL }
};

int cmd_keys(cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	return cli_dispatch(subcommands, "keys", ctx, argc - 1, argv + 1);
}
