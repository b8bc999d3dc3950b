/* cmd_init.c - `ruta init`: create head office's replica or a team's. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
	"usage: ruta init DIR --head-office [--country CC] [--hub URL] [--json]\n"
	"       ruta init DIR --team NAME [--root-key FILE] [--hub URL] [--country CC] [--json]\n"
	"\n"
	"Creates a replica in DIR (a new or empty directory): the SQLite file, a\n"
	"replica id, an Ed25519 key pair (keys/replica.key, mode 0600) and, at head\n"
	"office, the root key (keys/root.key). Prints the replica id.\n"
	"\n"
	"examples:\n"
	"  ruta init hq --head-office --country ES\n"
	"  ruta -C hq keys export-pub --root > root.pub\n"
	"  ruta init north --team north --root-key root.pub --country ES\n"
	"\n"
	"options:\n"
	"  --head-office    this is head office's replica (creates the root key)\n"
	"  --team NAME      this is a team's replica (a-z, 0-9, '-'; 1-32 characters)\n"
	"  --root-key FILE  pin head office's root public key (from keys export-pub --root)\n"
	"  --hub URL        remember the hub this replica syncs with\n"
	"  --country CC     country for phone numbers typed without +country code\n"
	"  --json           print {\"schema\",\"id\",\"team\",\"head_office\",\"dir\"} as JSON\n";

int cmd_init(cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "head-office", no_argument, NULL, 'H' }, { "team", required_argument, NULL, 't' },
		{ "root-key", required_argument, NULL, 'r' }, { "hub", required_argument, NULL, 'u' },
		{ "country", required_argument, NULL, 'c' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char where[8192];
	const char *dir;
	int c, json = 0, err;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': o.head_office = 1; break;
		case 't': o.team = optarg; break;
		case 'r': o.root_key = optarg; break;
		case 'u': o.hub_url = optarg; break;
		case 'c': o.country = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(help, stdout); return EXIT_DONE;
		default: return cli_usage("init", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage("init", "give one directory to create the replica in");
	if (!o.head_office && !o.team)
		return cli_usage("init", "say whose replica this is: --team NAME or --head-office");
	/* After -C, the new replica is made inside that directory. */
	dir = argv[optind];
	if (ctx->base && dir[0] != '/') {
		snprintf(where, sizeof(where), "%s/%s", ctx->base, dir);
		dir = where;
	}
	if ((err = ruta_replica_init(&r, dir, &o)) < 0)
		return cli_fail(err);
	if (json) {
		json_t *j = json_pack("{s:i, s:s, s:s?, s:b, s:s}", "schema", 1, "id",
			ruta_replica_id(r), "team", ruta_replica_team(r), "head_office",
			ruta_replica_is_head_office(r), "dir", argv[optind]);
		cli_print_json(j);
	} else {
		printf("%s\n", ruta_replica_id(r));
		if (ruta_replica_is_head_office(r))
			cli_say("created head office's replica in '%s' (root key: keys/root.pub)",
				argv[optind]);
		else
			cli_say("created team %s's replica in '%s'", ruta_replica_team(r), argv[optind]);
	}
	ruta_replica_free(r);
	return EXIT_DONE;
}
