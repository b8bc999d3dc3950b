/* cmd_status.c - `ruta status` and `ruta state-hash`: what this replica holds. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"


/* Parses only --json and --help; other options are usage errors. */
static int simple_opts(int *json, const char *cmd, const char *help, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j')
			*json = 1;
		else if (c == 'h') {
			fputs(help, stdout);
			return -1;
		} else
			return cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage(cmd, "'%s' takes no argument '%s'", cmd, argv[optind]);
	return 0;
}

/* Refused and waiting input, each with why: nothing refused is hidden. */
static int held_json(json_t *j, ruta_replica *r)
{
	ruta_held_iter *it = NULL;
	ruta_held h = RUTA_HELD_INIT;
	json_t *arr = json_array();
	int err;
	if ((err = ruta_held_list(&it, r)) < 0) {
		json_decref(arr);
		json_decref(j);
		return cli_fail(err);
	}
	while ((err = ruta_held_next(&h, it)) == 0)
		json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:s}", "state",
			h.waiting ? "waiting" : "refused", "name", cli_json_text(h.name), "reason",
			cli_json_text(h.reason), "at", h.at));
	ruta_held_iter_free(it);
	json_object_set_new(j, "held", arr);
	return err == RUTA_ITEROVER ? 0 : cli_fail(err);
}

static int held_human(ruta_replica *r)
{
	ruta_held_iter *it = NULL;
	ruta_held h = RUTA_HELD_INIT;
	int err;
	if ((err = ruta_held_list(&it, r)) < 0)
		return cli_fail(err);
	while ((err = ruta_held_next(&h, it)) == 0) {
		char *reason = strdup(h.reason ? h.reason : ""), *name = strdup(h.name ? h.name : "");
		cli_sanitize(reason);
		cli_sanitize(name);
		printf("  %-8s %s  %s: %s\n", h.waiting ? "waiting" : "refused", h.at,
			name ? name : "", reason ? reason : "");
		free(reason);
		free(name);
	}
	ruta_held_iter_free(it);
	return err == RUTA_ITEROVER ? 0 : cli_fail(err);
}

static const char *const key_states[] = { "untrusted", "good", "revoked", "expired",
	"replaced" };

static json_t *key_json(const ruta_status *st)
{
	return json_pack("{s:s, s:o, s:o}", "state", key_states[st->key_state], "after",
		st->key_after >= 0 ? json_integer(st->key_after) : json_null(), "until",
		st->key_until[0] ? json_string(st->key_until) : json_null());
}

/* What the others do with this replica's next changeset, and what to do. */
static void key_human(const ruta_status *st)
{
	switch (st->key_state) {
	case RUTA_KEY_GOOD:
		if (st->key_until[0])
			printf("key          endorsed until %s\n", st->key_until);
		else
			printf("key          endorsed\n");
		break;
	case RUTA_KEY_REVOKED:
		printf("key          revoked after changeset %lld: later changesets are refused "
			"everywhere; make this device a new replica\n", (long long)st->key_after);
		break;
	case RUTA_KEY_EXPIRED:
		if (st->key_after >= 0)
			printf("key          expired at %s, sealed after changeset %lld: later "
				"changesets are refused; ask head office for a new window\n", st->key_until,
				(long long)st->key_after);
		else
			printf("key          expired at %s: changesets made since are refused; ask "
				"head office for a new window\n", st->key_until);
		break;
	case RUTA_KEY_REPLACED:
		printf("key          replaced by head office after changeset %lld: put the new key "
			"in keys/replica.key and keys/replica.pub\n", (long long)st->key_after);
		break;
	default:
		printf("key          not endorsed by the trust file in force: the others hold this "
			"replica's changesets until head office endorses it (ruta keys endorse)\n");
	}
}

static const char status_help[] =
	"usage: ruta status [--json]\n"
	"\n"
	"Shows this replica: its id, team, how many records it holds, how many\n"
	"captured field changes are not exported yet, the changesets it holds, the\n"
	"trust file in force and what it says of this replica's key (endorsed,\n"
	"until when, revoked, expired, replaced), and every changeset it refused or\n"
	"keeps waiting, with the reason.\n"
	"\n"
	"examples:\n"
	"  ruta -C north status\n"
	"  ruta -C north status --json\n";

int cmd_status(cli_ctx *ctx, int argc, char **argv)
{
	ruta_status st = RUTA_STATUS_INIT;
	ruta_replica *r = NULL;
	char hlc[40];
	int json = 0, rc, err;

	if ((rc = simple_opts(&json, "status", status_help, argc, argv)) != 0)
		return rc < 0 ? EXIT_DONE : rc;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_replica_status(&st, r)) < 0) {
		rc = cli_fail(err);
		goto done;
	}
	ruta_hlc_format(hlc, st.last_hlc);
	if (json) {
		json_t *j = json_pack("{s:i, s:s, s:s?, s:b, s:s, s:I, s:I, s:i, s:s, s:I, s:I, s:I,"
			" s:I, s:I, s:I, s:I, s:I}",
			"schema", 1, "id", ruta_replica_id(r), "team", ruta_replica_team(r),
			"head_office", ruta_replica_is_head_office(r), "dir", ruta_replica_dir(r),
			"unexported", (json_int_t)st.unexported, "records", (json_int_t)st.records,
			"schema_version", st.schema_version, "last_hlc", hlc,
			"changesets", (json_int_t)st.changesets, "own_seq", (json_int_t)st.own_seq,
			"waiting", (json_int_t)st.waiting, "quarantined", (json_int_t)st.quarantined,
			"trust_version", (json_int_t)st.trust_version,
			"conflicts", (json_int_t)st.conflicts, "skewed", (json_int_t)st.skewed,
			"skew_ahead_ms", (json_int_t)st.skew_ahead_ms);
		json_object_set_new(j, "key", key_json(&st));
		if ((rc = held_json(j, r)) != 0)
			goto done;
		cli_print_json(j);
	} else {
		printf("replica      %s\n", ruta_replica_id(r));
		printf("role         %s%s\n", ruta_replica_is_head_office(r) ? "head office" : "team ",
			ruta_replica_is_head_office(r) ? "" : ruta_replica_team(r));
		printf("directory    %s\n", ruta_replica_dir(r));
		printf("records      %lld\n", (long long)st.records);
		printf("unexported   %lld field change%s\n", (long long)st.unexported,
			st.unexported == 1 ? "" : "s");
		if (st.last_hlc) {
			ruta_hlc_describe(hlc, st.last_hlc);
			printf("last hlc     %s\n", hlc);
		}
		printf("changesets   %lld held; this replica's last is %lld\n",
			(long long)st.changesets, (long long)st.own_seq);
		printf("trust file   version %lld\n", (long long)st.trust_version);
		key_human(&st);
		if (st.waiting || st.quarantined)
			printf("held         %lld waiting, %lld refused\n", (long long)st.waiting,
				(long long)st.quarantined);
		if (st.conflicts)
			printf("conflicts    %lld open (ruta conflicts list)\n", (long long)st.conflicts);
		if (st.skewed)
			printf("clock skew   %lld changeset%s stamped up to %lld min ahead of this "
				"replica's clock (a device's clock is wrong)\n", (long long)st.skewed,
				st.skewed == 1 ? "" : "s", (long long)(st.skew_ahead_ms / 60000));
		if ((rc = held_human(r)) != 0)
			goto done;
	}
	rc = EXIT_DONE;
done:
	ruta_replica_free(r);
	return rc;
}

static const char state_help[] =
	"usage: ruta state-hash\n"
	"\n"
	"Prints a SHA-256 of this replica's CRM content: every record (deleted ones\n"
	"too) and every field's value, in a fixed order, leaving out versions and\n"
	"sync metadata. Replicas that applied the same changes print the same hash.\n"
	"\n"
	"example:\n"
	"  for r in hq north south; do ruta -C $r state-hash; done\n";

int cmd_state_hash(cli_ctx *ctx, int argc, char **argv)
{
	ruta_replica *r = NULL;
	char hash[65];
	int rc, err;

	if (cli_wants_help(argc, argv)) {
		fputs(state_help, stdout);
		return EXIT_DONE;
	}
	if (argc > 1)
		return cli_usage("state-hash", "'state-hash' takes no argument '%s'", argv[1]);
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_state_hash(hash, r)) < 0)
		rc = cli_fail(err);
	else
		printf("%s\n", hash);
	ruta_replica_free(r);
	return rc;
}
