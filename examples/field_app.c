/*
 * field_app.c - libruta as a field sales app would embed it, from the public
 * header alone. One run is one working session on a salesperson's device:
 *
 *   1. open the device's replica (on the first run, create it for the team,
 *      pinning head office's root key and setting the hub);
 *   2. take an account (the one given, else the first one, else a new one);
 *   3. take one of its opportunities that can still move forward (or open
 *      one), record a visit there as held, and move the deal to the next
 *      stage of the pipeline;
 *   4. sync with the hub, printing progress on stderr and a summary;
 *   5. list the conflicts still open, in plain words, for a person to decide.
 *
 * Exit codes follow the ruta tool's: 0 done, 1 failed (the library's message
 * on stderr), 2 bad usage, 3 done but conflicts remain open.
 *
 *   make examples && build/examples/field_app DIR HUB \
 *       [--team NAME --root-key FILE] [--account ID] [--login FILE]
 *
 * A hub that asks for a login gets it from the app through the sync's
 * credentials callback: here from FILE (user, then password or key
 * passphrase, then for an ssh hub the private key file, one per line), where
 * a phone app would read its own keystore.
 *
 * Conflicts come from the library as one JSON document (docs/merge.md §3.1);
 * the few lines of JSON reading below keep the example free of any other
 * library. An app would use the JSON parser it already has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ruta.h>

#define EXIT_CONFLICTS 3

/* A copy of `s` the caller frees, or NULL when memory runs out. */
static char *copy(const char *s)
{
	char *c = malloc(strlen(s) + 1);

	return c ? strcpy(c, s) : NULL;
}

/* Every failure ends the same way: what we were doing and the library's word. */
static int fail(const char *what)
{
	const char *why = ruta_error_last()->message;

	fprintf(stderr, "field_app: %s: %s\n", what, *why ? why : "out of memory");
	return 1;
}

/* ---- the working session ------------------------------------------------ */

static int open_replica(ruta_replica **r, const char *dir, const char *hub,
	const char *team, const char *root_key)
{
	ruta_init_options init = RUTA_INIT_OPTIONS_INIT;
	int err = ruta_replica_open(r, dir, NULL);

	if (err != RUTA_ENOTREPLICA || !team)
		return err;
	init.team = team;          /* a new device: create its replica */
	init.root_key = root_key;
	init.hub_url = hub;
	init.country = "ES";
	return ruta_replica_init(r, dir, &init);
}

/* The id (new) of the account to work on: `given`, else the oldest, else a new one. */
static int pick_account(char **out, ruta_replica *r, const char *given)
{
	ruta_record_iter *it = NULL;
	ruta_record *rec = NULL;
	ruta_field acc[] = { { "name", "Bodegas Ejemplo S.A." }, { "region", "Rioja" } };
	int err;

	if (given) {   /* check it exists and take its full id */
		if ((err = ruta_record_get(&rec, r, "account", given)) < 0)
			return err;
	} else {
		if ((err = ruta_record_list(&it, r, "account", NULL)) < 0)
			return err;
		err = ruta_record_iter_next(&rec, it);
		ruta_record_iter_free(it);
		if (err == RUTA_ITEROVER)
			return ruta_record_add(out, r, "account", acc, 2);
		if (err < 0)
			return err;
	}
	*out = copy(ruta_record_id(rec));
	ruta_record_free(rec);
	return *out ? 0 : RUTA_ENOMEM;
}

/* The stage after `stage` in the pipeline: the open, active stage with the
 * next higher seq, copied into `next`; "" if `stage` is the last open one. */
static int next_stage(char *next, size_t size, ruta_replica *r, const char *stage)
{
	ruta_record_iter *it = NULL;
	ruta_record *rec = NULL;
	long here = -1, best = -1;
	int err;

	if ((err = ruta_record_get(&rec, r, "stage", stage)) < 0)
		return err;
	here = atol(ruta_record_value(rec, "seq"));
	ruta_record_free(rec);
	next[0] = '\0';
	if ((err = ruta_record_list(&it, r, "stage", NULL)) < 0)
		return err;
	while ((err = ruta_record_iter_next(&rec, it)) == 0) {
		const char *closed = ruta_record_value(rec, "is_closed");
		const char *active = ruta_record_value(rec, "active");
		long seq = atol(ruta_record_value(rec, "seq"));

		if ((!closed || !strcmp(closed, "0")) && (!active || strcmp(active, "0")) &&
				seq > here && (best < 0 || seq < best)) {
			best = seq;
			snprintf(next, size, "%s", ruta_record_id(rec));
		}
		ruta_record_free(rec);
	}
	ruta_record_iter_free(it);
	return err == RUTA_ITEROVER ? 0 : err;
}

/* The id (new) of an opportunity of `account` that can move to a next
 * stage, which goes into `next`; a new opportunity if it has none. */
static int pick_opportunity(char **out, char *next, size_t size, ruta_replica *r,
	const char *account)
{
	ruta_list_options lo = RUTA_LIST_OPTIONS_INIT;
	ruta_record_iter *it = NULL;
	ruta_record *rec = NULL;
	ruta_field opp[] = { { "account", account }, { "name", "New range for the shop" },
		{ "amount", "4800.00" }, { "currency", "EUR" } };
	int err;

	*out = NULL;
	next[0] = '\0';
	lo.account = account;
	if ((err = ruta_record_list(&it, r, "opp", &lo)) < 0)
		return err;
	while ((err = ruta_record_iter_next(&rec, it)) == 0) {
		if ((err = next_stage(next, size, r, ruta_record_value(rec, "stage"))) == 0 && next[0])
			*out = copy(ruta_record_id(rec));
		ruta_record_free(rec);
		if (err < 0 || next[0])
			break;
	}
	ruta_record_iter_free(it);
	if (err < 0 && err != RUTA_ITEROVER)
		return err;
	if (next[0])   /* found one */
		return *out ? 0 : RUTA_ENOMEM;
	if ((err = ruta_record_add(out, r, "opp", opp, 4)) < 0)
		return err;
	return next_stage(next, size, r, "qualification");
}

/* A visit at the account about the deal, planned for now and held. */
static int record_visit(ruta_replica *r, const char *account, const char *opp)
{
	char now[21], *visit = NULL;
	time_t t = time(NULL);
	int err;

	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	{
		ruta_field act[] = { { "kind", "visit" }, { "account", account }, { "opp", opp },
			{ "start", now }, { "subject", "presented the new range" } };
		if ((err = ruta_record_add(&visit, r, "activity", act, 5)) < 0)
			return err;
	}
	err = ruta_activity_held(r, visit, NULL, NULL);
	if (err == 0)
		printf("visit %s held\n", visit);
	ruta_free(visit);
	return err;
}

/* Told by the library how a transfer goes. A screen would move a bar; this
 * prints a line on stderr every 100 objects and when a transfer is complete. */
static void on_progress(const char *what, size_t done, size_t total, void *payload)
{
	(void)payload;
	if (done == total || (done > 0 && done % 100 == 0))
		fprintf(stderr, "field_app: %s objects: %zu/%zu\n", what, done, total);
}

/* The user's login for the hub, as the app keeps it. */
typedef struct login {
	char user[256], secret[1024], key_file[4096];
} login;

static void chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static int read_login(login *l, const char *path)
{
	FILE *f = fopen(path, "r");

	memset(l, 0, sizeof *l);
	if (!f)
		return -1;
	if (!fgets(l->user, sizeof l->user, f) || !fgets(l->secret, sizeof l->secret, f)) {
		fclose(f);
		return -1;
	}
	if (!fgets(l->key_file, sizeof l->key_file, f))
		l->key_file[0] = '\0';
	fclose(f);
	chomp(l->user);
	chomp(l->secret);
	chomp(l->key_file);
	return 0;
}

/* Asked by the library when the hub wants a login: what the app holds, or
 * RUTA_CREDENTIAL_NONE to let the library look elsewhere. */
static int give_login(ruta_credential *c, void *payload)
{
	const login *l = payload;

	if (!l || (c->kind == RUTA_CREDENTIAL_SSH_KEY && !l->key_file[0]))
		return RUTA_CREDENTIAL_NONE;
	snprintf(c->username, sizeof c->username, "%s", l->user);
	snprintf(c->secret, sizeof c->secret, "%s", l->secret);
	snprintf(c->key_file, sizeof c->key_file, "%s", l->key_file);
	return 0;
}

/* ---- reading the conflicts document --------------------------------------
 * Just enough JSON for the library's own documents: objects, arrays,
 * strings (simple escapes), numbers, true, false, null. */

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

/* Reads a scalar into `out` as text ("" for null); skips an object or array. */
static void json_value(const char **p, char *out, size_t size)
{
	size_t n = 0;
	int depth = 0, in_str = 0;

	skip_ws(p);
	if (**p == '"') {
		for ((*p)++; **p && **p != '"'; (*p)++) {
			char c = **p;
			if (c == '\\' && (*p)[1]) {
				c = *++*p;
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'u' ? '?' : c;
				if (**p == 'u')
					*p += strlen(*p) >= 5 ? 4 : 0;
			}
			if (n + 1 < size)
				out[n++] = c;
		}
		if (**p)
			(*p)++;
	} else if (**p == '{' || **p == '[') {
		do {   /* skip it whole, strings and all */
			if (in_str && **p == '\\' && (*p)[1])
				(*p)++;
			else if (**p == '"')
				in_str = !in_str;
			else if (!in_str && (**p == '{' || **p == '['))
				depth++;
			else if (!in_str && (**p == '}' || **p == ']'))
				depth--;
			(*p)++;
		} while (**p && depth > 0);
	} else {
		for (; **p && !strchr(",}] \n", **p); (*p)++)
			if (n + 1 < size)
				out[n++] = **p;
		if (n == 4 && !strncmp(out, "null", 4))
			n = 0;
	}
	if (size)
		out[n] = '\0';
}

/* Steps to the next member of the object or array being read: 1 with its
 * key in `key` (objects; NULL for arrays), 0 at its end. Call with *p at
 * the opening '{' or '[' for the first member. */
static int json_next(const char **p, char *key, size_t size)
{
	skip_ws(p);
	if (**p == '{' || **p == '[' || **p == ',')
		(*p)++;
	skip_ws(p);
	if (!**p || **p == '}' || **p == ']') {
		if (**p)
			(*p)++;
		return 0;
	}
	if (key) {
		json_value(p, key, size);
		skip_ws(p);
		if (**p == ':')
			(*p)++;
		skip_ws(p);
	}
	return 1;
}

/* Where the members an object is read for go: the value of `key` into `buf`. */
typedef struct slot {
	const char *key;
	char *buf;
	size_t size;
} slot;

/* Reads the value of member `key` into its slot, or skips it. */
static void read_member(const char **p, const char *key, const slot *slots, size_t n)
{
	size_t i;

	for (i = 0; i < n && strcmp(slots[i].key, key); i++)
		;
	json_value(p, i < n ? slots[i].buf : NULL, i < n ? slots[i].size : 0);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* One open conflict, from its '{', in plain words: its record and field,
 * every value in it with who set it and when, and the value shown meanwhile. */
static void show_conflict(const char **p)
{
	char key[32], id[32] = "", type[32] = "", record[64] = "", field[64] = "";
	char chosen[256] = "", value[256], replica[64], at[64], heads[1024] = "";
	size_t n = 0;
	const slot conflict[] = { { "id", id, sizeof id }, { "type", type, sizeof type },
		{ "record", record, sizeof record }, { "field", field, sizeof field },
		{ "chosen", chosen, sizeof chosen } };
	const slot head[] = { { "value", value, sizeof value },
		{ "replica", replica, sizeof replica }, { "at", at, sizeof at } };

	while (json_next(p, key, sizeof key)) {
		if (strcmp(key, "heads")) {
			read_member(p, key, conflict, N(conflict));
			continue;
		}
		while (json_next(p, NULL, 0)) {   /* each head, oldest first */
			value[0] = replica[0] = at[0] = '\0';
			while (json_next(p, key, sizeof key))
				read_member(p, key, head, N(head));
			if (n < sizeof heads)
				n += (size_t)snprintf(heads + n, sizeof heads - n, "  '%s' set by %s at %s\n",
					value, replica[0] ? replica : "an unknown replica", at);
		}
	}
	/* Keys come sorted, the record's id after the heads: print once all is read. */
	printf("conflict %s: %s %s, field %s, was set to different values:\n%s"
		"  it shows '%s' until someone decides\n", id, type, record, field, heads, chosen);
}

/* Lists the open conflicts; *count says how many. */
static int show_conflicts(int64_t *count, ruta_replica *r)
{
	char *doc = NULL, key[32];
	const char *p;
	int err;

	if ((err = ruta_conflicts_open(count, r)) < 0 || *count == 0)
		return err;
	if ((err = ruta_conflicts_json(&doc, r, NULL)) < 0)
		return err;
	p = doc;
	while (json_next(&p, key, sizeof key)) {
		if (strcmp(key, "conflicts")) {
			json_value(&p, NULL, 0);
			continue;
		}
		skip_ws(&p);
		while (json_next(&p, NULL, 0))
			show_conflict(&p);
	}
	ruta_free(doc);
	return 0;
}

/* ---- main ------------------------------------------------------------------ */

static int usage(void)
{
	fprintf(stderr, "usage: field_app DIR HUB [--team NAME --root-key FILE] [--account ID] "
		"[--login FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *team = NULL, *root_key = NULL, *account_arg = NULL;
	ruta_sync_options so = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	ruta_replica *r = NULL;
	char *account = NULL, *opp = NULL, next[64];
	login *who = NULL;
	int64_t conflicts = 0;
	int i, rc = 1;

	if (argc < 3)
		return usage();
	for (i = 3; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--team"))
			team = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--root-key"))
			root_key = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--account"))
			account_arg = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--login") && !who) {
			if (!(who = malloc(sizeof *who)) || read_login(who, argv[++i]) < 0) {
				fprintf(stderr, "field_app: cannot read the login file '%s' (user, then "
					"password, one per line)\n", argv[i]);
				free(who);
				return 1;
			}
		} else {
			free(who);
			return usage();
		}
	}

	if (open_replica(&r, argv[1], argv[2], team, root_key) < 0)
		return fail("opening the replica");
	printf("replica %s of team %s\n", ruta_replica_id(r), ruta_replica_team(r));

	if (pick_account(&account, r, account_arg) < 0) {
		rc = fail("finding the account");
		goto done;
	}
	if (pick_opportunity(&opp, next, sizeof next, r, account) < 0) {
		rc = fail("finding the opportunity");
		goto done;
	}
	if (record_visit(r, account, opp) < 0) {
		rc = fail("recording the visit");
		goto done;
	}
	if (ruta_opp_move(r, opp, next) < 0) {
		rc = fail("moving the opportunity");
		goto done;
	}
	printf("opportunity %s moved to %s\n", opp, next);

	so.hub = argv[2];
	so.progress = on_progress;
	so.timeout = 20;   /* a hub silent this long is out of reach: retry later */
	so.credentials = give_login;
	so.payload = who;
	if (ruta_sync(&res, r, &so) < 0) {
		rc = fail("syncing");   /* RUTA_EUNREACHABLE: nothing is lost, sync later */
		goto done;
	}
	printf("synced: pulled %lld, applied %lld, new conflicts %lld, pushed %lld\n",
		(long long)res.pulled, (long long)res.apply.applied,
		(long long)res.apply.conflicts, (long long)res.pushed);

	if (show_conflicts(&conflicts, r) < 0) {
		rc = fail("reading the conflicts");
		goto done;
	}
	printf("%lld open conflict%s\n", (long long)conflicts, conflicts == 1 ? "" : "s");
	rc = conflicts ? EXIT_CONFLICTS : 0;
done:
	if (who)   /* a secret: not left in freed memory */
		explicit_bzero(who, sizeof *who);
	free(who);
	free(account);
	free(opp);
	ruta_replica_free(r);
	return rc;
}
