/*
 * cmd_record.c - the record commands: `ruta account|contact|opp|activity|
 * offer|stage|lost-reason add|edit|show|list|rm` and the domain verbs.
 *
 * Field options are not hard-coded here: `--first-name X` becomes the field
 * "first_name", and the library says which fields a type has. So the tool
 * cannot drift from the schema, and a new field needs no CLI change.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ARGS 128

typedef struct rec_type rec_type;
typedef int (*verb_fn)(const rec_type *rt, cli_ctx *ctx, int argc, char **argv);

typedef struct rec_verb {
	const char *name;
	verb_fn run;
	const char *summary;
} rec_verb;

struct rec_type {
	const char *cmd;              /* the command group */
	const char *type;             /* the library's record type */
	const char *label;            /* "opportunity" */
	const char *const *columns;   /* what `list` shows after the id */
	const rec_verb *verbs;        /* domain verbs, or NULL */
	const char *examples;
	int code_id;                  /* `add CODE`: configuration tables */
	const char *filters;          /* options `list` takes besides --all */
};

/* ---- parsed arguments ---- */

typedef struct args {
	const char *pos[8];
	int npos;
	ruta_field fields[MAX_ARGS];
	char *names[MAX_ARGS];   /* owned copies: "--first-name" -> "first_name" */
	int nfields;
	int json, all;
} args;

static void args_free(args *a)
{
	int i;
	for (i = 0; i < a->nfields; i++)
		free(a->names[i]);
	a->nfields = 0;
}

static char *field_name(const char *opt, size_t n)
{
	char *s = malloc(n + 1);
	size_t i;
	if (!s)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = opt[i] == '-' ? '_' : opt[i];
	s[n] = '\0';
	return s;
}

/* "--x VALUE", "--x=VALUE", --json, --all, positionals; "--" ends options. */
static int parse_args(args *a, const char *cmd, int argc, char **argv)
{
	int i, only_pos = 0;
	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (only_pos || s[0] != '-' || s[1] == '\0') {
			if (a->npos == 8)
				return cli_usage(cmd, "too many arguments");
			a->pos[a->npos++] = s;
		} else if (strcmp(s, "--") == 0) {
			only_pos = 1;
		} else if (strcmp(s, "--json") == 0) {
			a->json = 1;
		} else if (strcmp(s, "--all") == 0) {
			a->all = 1;
		} else if (s[1] != '-' || !s[2]) {
			return cli_usage(cmd, "unknown option '%s'", s);
		} else {
			const char *eq = strchr(s + 2, '=');
			size_t n = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
			if (a->nfields == MAX_ARGS)
				return cli_usage(cmd, "too many options");
			if (!eq && i + 1 >= argc)
				return cli_usage(cmd, "option '%s' needs a value", s);
			if (!(a->names[a->nfields] = field_name(s + 2, n))) {
				cli_say("out of memory");
				return EXIT_ERROR;
			}
			a->fields[a->nfields].name = a->names[a->nfields];
			a->fields[a->nfields].value = eq ? eq + 1 : argv[++i];
			a->nfields++;
		}
	}
	return 0;
}

/* The value of option `name`, and whether options outside `allowed`
 * (space-separated) were given. */
static const char *opt(const args *a, const char *name)
{
	int i;
	for (i = 0; i < a->nfields; i++)
		if (strcmp(a->fields[i].name, name) == 0)
			return a->fields[i].value;
	return NULL;
}

static int only_opts(const args *a, const char *cmd, const char *allowed)
{
	int i;
	for (i = 0; i < a->nfields; i++) {
		const char *p = allowed;
		size_t n = strlen(a->fields[i].name);
		int ok = 0;
		while (p && *p && !ok) {
			size_t k = strcspn(p, " ");
			ok = k == n && strncmp(p, a->fields[i].name, n) == 0;
			p += k + (p[k] == ' ');
		}
		if (!ok) {
			char dashed[128];
			size_t j;
			for (j = 0; j < n && j + 1 < sizeof(dashed); j++)
				dashed[j] = a->fields[i].name[j] == '_' ? '-' : a->fields[i].name[j];
			dashed[j] = '\0';
			return cli_usage(cmd, "unknown option '--%s'", dashed);
		}
	}
	return 0;
}

/* Parses into `a`; on a usage error `a` is left empty, nothing to free. */
static int parse(args *a, const char *cmd, int argc, char **argv)
{
	int rc = parse_args(a, cmd, argc, argv);
	if (rc != 0)
		args_free(a);
	return rc;
}

static int positionals(const args *a, const char *cmd, int want, const char *what)
{
	if (a->npos < want)
		return cli_usage(cmd, "give the %s", what);
	if (a->npos > want)
		return cli_usage(cmd, "unexpected argument '%s'", a->pos[want]);
	return 0;
}

/* ---- output ---- */

static int print_record_json(const ruta_record *rec)
{
	char *text = NULL;
	int err = ruta_record_json(&text, rec);
	if (err < 0)
		return cli_fail(err);
	printf("%s\n", text);
	ruta_free(text);
	return EXIT_DONE;
}

static void print_record_human(const ruta_record *rec)
{
	size_t i, n = ruta_record_field_count(rec), w = 0;
	for (i = 0; i < n; i++)
		if (ruta_record_field_value(rec, i) && strlen(ruta_record_field_name(rec, i)) > w)
			w = strlen(ruta_record_field_name(rec, i));
	for (i = 0; i < n; i++) {
		const char *v = ruta_record_field_value(rec, i);
		char *safe;
		if (!v || !(safe = strdup(v)))
			continue;
		cli_sanitize(safe);
		printf("%-*s  %s\n", (int)w, ruta_record_field_name(rec, i), safe);
		free(safe);
	}
}

/* Shows the record `id` as JSON (--json) or says what changed on stderr. */
static int report(const rec_type *rt, ruta_replica *r, const char *id, int json, const char *what)
{
	ruta_record *rec = NULL;
	int err, rc = EXIT_DONE;
	if (!json) {
		cli_say("%s %s %s", rt->label, id, what);
		return EXIT_DONE;
	}
	if ((err = ruta_record_get(&rec, r, rt->type, id)) < 0)
		return cli_fail(err);
	rc = print_record_json(rec);
	ruta_record_free(rec);
	return rc;
}

/* ---- generic subcommands ---- */

static int do_add(const rec_type *rt, cli_ctx *ctx, const args *a)
{
	ruta_field fields[MAX_ARGS + 1];
	ruta_replica *r = NULL;
	char *id = NULL;
	int n = 0, rc, err, i;

	if ((rc = positionals(a, rt->cmd, rt->code_id, "code of the new entry")) != 0)
		return rc;
	if (rt->code_id) {
		fields[n].name = "id";
		fields[n++].value = a->pos[0];
	}
	for (i = 0; i < a->nfields; i++)
		fields[n++] = a->fields[i];
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_record_add(&id, r, rt->type, fields, (size_t)n)) < 0)
		rc = cli_fail(err);
	else if (a->json)
		rc = report(rt, r, id, 1, NULL);
	else
		printf("%s\n", id);
	ruta_free(id);
	ruta_replica_free(r);
	return rc;
}

static int do_edit(const rec_type *rt, cli_ctx *ctx, const args *a)
{
	ruta_replica *r = NULL;
	char *id = NULL;
	int rc, err;

	if ((rc = positionals(a, rt->cmd, 1, "id of the record to edit")) != 0)
		return rc;
	if (a->nfields == 0)
		return cli_usage(rt->cmd, "say what to change, for example --name TEXT");
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_record_edit(&id, r, rt->type, a->pos[0], a->fields, (size_t)a->nfields)) < 0)
		rc = cli_fail(err);
	else
		rc = report(rt, r, id, a->json, "updated");
	ruta_free(id);
	ruta_replica_free(r);
	return rc;
}

static int do_rm(const rec_type *rt, cli_ctx *ctx, const args *a)
{
	ruta_replica *r = NULL;
	char *id = NULL;
	int rc, err;

	if ((rc = positionals(a, rt->cmd, 1, "id of the record to delete")) != 0 ||
			(rc = only_opts(a, rt->cmd, "")) != 0)
		return rc;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_record_rm(&id, r, rt->type, a->pos[0])) < 0)
		rc = cli_fail(err);
	else
		rc = report(rt, r, id, a->json, "deleted (kept as a tombstone; list --all shows it)");
	ruta_free(id);
	ruta_replica_free(r);
	return rc;
}

static int do_show(const rec_type *rt, cli_ctx *ctx, const args *a)
{
	ruta_replica *r = NULL;
	ruta_record *rec = NULL;
	int rc, err;

	if ((rc = positionals(a, rt->cmd, 1, "id of the record to show")) != 0 ||
			(rc = only_opts(a, rt->cmd, "")) != 0)
		return rc;
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_record_get(&rec, r, rt->type, a->pos[0])) < 0)
		rc = cli_fail(err);
	else if (a->json)
		rc = print_record_json(rec);
	else
		print_record_human(rec);
	ruta_record_free(rec);
	ruta_replica_free(r);
	return rc;
}

static void upper(char *dst, const char *src, size_t size)
{
	size_t i;
	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 'a' + 'A') : src[i];
	dst[i] = '\0';
}

static int list_rows(const rec_type *rt, ruta_record_iter *it, int json)
{
	json_t *arr = json_array();
	cli_table *t = NULL;
	ruta_record *rec;
	int ncols = 1, i, err, rows = 0;
	char head[64];

	while (rt->columns[ncols - 1])
		ncols++;
	t = cli_table_new(ncols);
	cli_table_cell(t, "ID");
	for (i = 0; i < ncols - 1; i++) {
		upper(head, rt->columns[i], sizeof(head));
		cli_table_cell(t, head);
	}
	while ((err = ruta_record_iter_next(&rec, it)) == 0) {
		rows++;
		if (json) {
			char *text = NULL;
			if (ruta_record_json(&text, rec) == 0)
				json_array_append_new(arr, json_loads(text, 0, NULL));
			ruta_free(text);
		} else {
			cli_table_cell(t, ruta_record_id(rec));
			for (i = 0; i < ncols - 1; i++)
				cli_table_cell(t, ruta_record_value(rec, rt->columns[i]));
		}
		ruta_record_free(rec);
	}
	if (err == RUTA_ITEROVER) {
		err = 0;
		if (json) {
			char *text = json_dumps(arr, JSON_COMPACT);
			printf("%s\n", text ? text : "[]");
			free(text);
		} else if (rows) {
			cli_table_print(t, stdout);
		}
	}
	cli_table_free(t);
	json_decref(arr);
	return err < 0 ? cli_fail(err) : EXIT_DONE;
}

static int do_list(const rec_type *rt, cli_ctx *ctx, const args *a)
{
	ruta_list_options lo = RUTA_LIST_OPTIONS_INIT;
	ruta_replica *r = NULL;
	ruta_record_iter *it = NULL;
	int rc, err;

	if ((rc = positionals(a, rt->cmd, 0, "")) != 0 ||
			(rc = only_opts(a, rt->cmd, rt->filters)) != 0)
		return rc;
	lo.include_deleted = a->all;
	lo.account = opt(a, "account");
	lo.opportunity = opt(a, "opp");
	lo.stage = opt(a, "stage");
	lo.status = opt(a, "status");
	lo.tag = opt(a, "tag");
	if ((rc = cli_open(&r, ctx)) != 0)
		return rc;
	if ((err = ruta_record_list(&it, r, rt->type, &lo)) < 0)
		rc = cli_fail(err);
	else
		rc = list_rows(rt, it, a->json);
	ruta_record_iter_free(it);
	ruta_replica_free(r);
	return rc;
}

/* ---- domain verbs ---- */

typedef int (*id_action)(ruta_replica *r, const char *id, const args *a, char **new_id);

/* Opens the replica, runs the action on argv's one id, reports. */
static int run_verb(const rec_type *rt, cli_ctx *ctx, int argc, char **argv,
	const char *allowed, id_action act, const char *done_what)
{
	ruta_replica *r = NULL;
	char *full = NULL, *new_id = NULL;
	ruta_record *rec = NULL;
	args a;
	int rc, err;

	if ((rc = parse(&a, rt->cmd, argc, argv)) != 0)
		goto out;
	if ((rc = positionals(&a, rt->cmd, 1, "id")) != 0 || (rc = only_opts(&a, rt->cmd, allowed)) != 0)
		goto out;
	if ((rc = cli_open(&r, ctx)) != 0)
		goto out;
	if ((err = act(r, a.pos[0], &a, &new_id)) < 0) {
		rc = cli_fail(err);
		goto out;
	}
	if (new_id) {
		if (a.json)
			rc = report(rt, r, new_id, 1, NULL);
		else
			printf("%s\n", new_id);
		goto out;
	}
	/* Say where the verb left the record: the state people care about. */
	if ((err = ruta_record_get(&rec, r, rt->type, a.pos[0])) < 0) {
		rc = cli_fail(err);
		goto out;
	}
	if (a.json) {
		rc = print_record_json(rec);
	} else {
		const char *stage = ruta_record_value(rec, "stage");
		const char *state = stage ? stage : ruta_record_value(rec, "status");
		cli_say("%s %s %s (%s now %s)", rt->label, ruta_record_id(rec), done_what,
			stage ? "stage" : "status", state ? state : "none");
		rc = EXIT_DONE;
	}
out:
	ruta_record_free(rec);
	ruta_free(new_id);
	free(full);
	ruta_replica_free(r);
	args_free(&a);
	return rc;
}

static int act_move(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)n;
	return ruta_opp_move(r, id, opt(a, "stage"));
}
static int act_win(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)a;
	(void)n;
	return ruta_opp_win(r, id);
}
static int act_lose(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)n;
	return ruta_opp_lose(r, id, opt(a, "reason"), opt(a, "note"));
}

static int opp_move(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	args a;
	int missing;
	if (parse(&a, rt->cmd, argc, argv) != 0)
		return EXIT_USAGE;
	missing = !opt(&a, "stage");
	args_free(&a);
	if (missing)
		return cli_usage(rt->cmd, "say where to: --stage CODE (see 'ruta stage list')");
	return run_verb(rt, ctx, argc, argv, "stage", act_move, "moved");
}
static int opp_win(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	return run_verb(rt, ctx, argc, argv, "", act_win, "won");
}
static int opp_lose(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	args a;
	int missing;
	if (parse(&a, rt->cmd, argc, argv) != 0)
		return EXIT_USAGE;
	missing = !opt(&a, "reason");
	args_free(&a);
	if (missing)
		return cli_usage(rt->cmd, "a lost opportunity needs --reason CODE "
			"(see 'ruta lost-reason list')");
	return run_verb(rt, ctx, argc, argv, "reason note", act_lose, "lost");
}

static int act_held(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)n;
	return ruta_activity_held(r, id, opt(a, "start"), opt(a, "end"));
}
static int act_not_held(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)n;
	return ruta_activity_not_held(r, id, opt(a, "reason"));
}
static int act_cancel(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)n;
	return ruta_activity_cancel(r, id, opt(a, "reason"));
}
static int activity_held(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	return run_verb(rt, ctx, argc, argv, "start end", act_held, "recorded as held");
}
static int activity_not_held(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	args a;
	int missing;
	if (parse(&a, rt->cmd, argc, argv) != 0)
		return EXIT_USAGE;
	missing = !opt(&a, "reason") || !*opt(&a, "reason");
	args_free(&a);
	if (missing)
		return cli_usage(rt->cmd, "say why it was not held: --reason TEXT");
	return run_verb(rt, ctx, argc, argv, "reason", act_not_held, "recorded as not held");
}
static int activity_cancel(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	return run_verb(rt, ctx, argc, argv, "reason", act_cancel, "cancelled");
}

static int act_send(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)a;
	(void)n;
	return ruta_offer_send(r, id);
}
static int act_revise(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)a;
	return ruta_offer_revise(n, r, id);
}
static int offer_send(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	return run_verb(rt, ctx, argc, argv, "", act_send, "sent");
}
static int offer_revise(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	return run_verb(rt, ctx, argc, argv, "", act_revise, "revised");
}

/* accept -> accepted, reject -> rejected, ... */
static int act_decide(ruta_replica *r, const char *id, const args *a, char **n)
{
	(void)n;
	return ruta_offer_decide(r, id, opt(a, "__status"));
}
static int offer_decide(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	static const char *const verbs[][2] = { { "accept", "accepted" }, { "reject", "rejected" },
		{ "expire", "expired" }, { "withdraw", "withdrawn" } };
	char *argv2[16];
	int i, k;
	if (argc > 12)
		return cli_usage(rt->cmd, "too many arguments");
	for (k = 0; k < 4 && strcmp(verbs[k][0], argv[0]) != 0; k++)
		;
	/* The status travels as a hidden option so run_verb stays generic. */
	for (i = 0; i < argc; i++)
		argv2[i] = argv[i];
	argv2[argc] = "--__status";
	argv2[argc + 1] = (char *)verbs[k < 4 ? k : 0][1];
	argv2[argc + 2] = NULL;
	return run_verb(rt, ctx, argc + 2, argv2, "__status", act_decide, verbs[k < 4 ? k : 0][1]);
}

static const rec_verb opp_verbs[] = {
	{ "move", opp_move, "move ID --stage CODE: to another stage of the pipeline" },
	{ "win", opp_win, "win ID: the deal is won" },
	{ "lose", opp_lose, "lose ID --reason CODE [--note TEXT]: the deal is lost" },
	{ NULL, NULL, NULL }
};
static const rec_verb activity_verbs[] = {
	{ "held", activity_held, "held ID [--start T] [--end T]: it took place" },
	{ "not-held", activity_not_held, "not-held ID --reason TEXT: it did not take place" },
	{ "cancel", activity_cancel, "cancel ID [--reason TEXT]: called off beforehand" },
	{ NULL, NULL, NULL }
};
static const rec_verb offer_verbs[] = {
	{ "send", offer_send, "send ID: the draft goes out and cannot change any more" },
	{ "accept", offer_decide, "accept ID: the customer accepted it" },
	{ "reject", offer_decide, "reject ID: the customer rejected it" },
	{ "expire", offer_decide, "expire ID: it ran out unanswered" },
	{ "withdraw", offer_decide, "withdraw ID: we took it back" },
	{ "revise", offer_revise, "revise ID: a new draft revision of a sent offer" },
	{ NULL, NULL, NULL }
};

/* ---- the groups ---- */

static const char *const account_cols[] = { "name", "tax_id", "lifecycle", "region", "city", NULL };
static const char *const contact_cols[] = { "first_name", "last_name", "email", "phone",
	"account_id", NULL };
static const char *const opp_cols[] = { "name", "stage", "amount", "currency", "probability",
	"expected_close", NULL };
static const char *const activity_cols[] = { "kind", "status", "planned_start", "subject", NULL };
static const char *const offer_cols[] = { "number", "revision", "status", "total", "currency",
	"valid_until", NULL };
static const char *const stage_cols[] = { "seq", "label", "probability", "is_closed", "is_won",
	"active", NULL };
static const char *const reason_cols[] = { "label", "active", NULL };

static const rec_type types[] = {
	{ "account", "account", "account", account_cols, NULL,
		"  ruta account add --name 'Acme S.L.' --tax-id ES:B12345674 --region Madrid --json\n"
		"  ruta account edit 01KB --lifecycle prospect --city Madrid\n"
		"  ruta account edit 01KB --tag 'feria 2026' --untag prospect-list\n"
		"  ruta account list --tag 'feria 2026'\n", 0, "tag" },
	{ "contact", "contact", "contact", contact_cols, NULL,
		"  ruta contact add --first-name Ana --last-name Ruiz --email ana@acme.es \\\n"
		"      --phone '+34 612 345 678' --account 01KB --json\n"
		"  ruta contact edit 01KC --add-email ana.ruiz@gmail.com --remove-phone +34612345678\n"
		"  ruta contact edit 01KC --tag decision-maker\n"
		"  ruta contact list --account 01KB\n", 0, "account tag" },
	{ "opp", "opp", "opportunity", opp_cols, opp_verbs,
		"  ruta opp add --account 01KB --name 'Fleet renewal' --amount 12000.00 --currency EUR --json\n"
		"  ruta opp move 01KD --stage needs\n"
		"  ruta opp lose 01KD --reason price --note 'went with the cheaper bid'\n"
		"  ruta opp edit 01KD --tag urgent\n"
		"  ruta opp list --stage negotiation\n", 0, "account stage tag" },
	{ "activity", "activity", "activity", activity_cols, activity_verbs,
		"  ruta activity add --kind visit --account 01KB --start 2026-11-23T10:00 \\\n"
		"      --end 2026-11-23T11:00 --subject 'demo of the new range'\n"
		"  ruta activity held 01KE\n"
		"  ruta activity not-held 01KF --reason 'client absent'\n", 0, "account opp status" },
	{ "offer", "offer", "offer", offer_cols, offer_verbs,
		"  ruta offer add --opp 01KD --number N-2026-014 --total 11500.00 --valid-until 2026-12-31\n"
		"  ruta offer send 01KG\n"
		"  ruta offer revise 01KG\n", 0, "opp status" },
	{ "stage", "stage", "stage", stage_cols, NULL,
		"  ruta stage list\n"
		"  ruta stage add trial --label 'Trial' --seq 35 --probability 60   (head office)\n", 1, "" },
	{ "lost-reason", "lost_reason", "lost reason", reason_cols, NULL,
		"  ruta lost-reason list\n"
		"  ruta lost-reason add delivery --label 'Delivery time'   (head office)\n", 1, "" },
};

/* Whether the space-separated `list` holds `word`. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	while (*list) {
		size_t k = strcspn(list, " ");
		if (k == n && strncmp(list, word, n) == 0)
			return 1;
		list += k + (list[k] == ' ');
	}
	return 0;
}

static void group_help(const rec_type *rt, FILE *out)
{
	static const char *const filter_help[][2] = { { "account", " [--account ID]" },
		{ "opp", " [--opp ID]" }, { "stage", " [--stage CODE]" }, { "status", " [--status S]" },
		{ "tag", " [--tag T]" } };
	int tags = has_word(rt->filters, "tag");
	const char *id = rt->code_id ? "CODE" : "ID";
	const rec_verb *v;
	size_t i;

	fprintf(out, "usage: ruta %s add%s [--FIELD VALUE]... [--json]\n"
		"       ruta %s edit %s --FIELD VALUE...%s [--json]\n"
		"       ruta %s show %s [--json]\n"
		"       ruta %s list [--all]", rt->cmd, rt->code_id ? " CODE" : "", rt->cmd, id,
		tags ? " [--tag T]... [--untag T]..." : "", rt->cmd, id, rt->cmd);
	for (i = 0; i < 5; i++)
		if (has_word(rt->filters, filter_help[i][0]))
			fputs(filter_help[i][1], out);
	fprintf(out, " [--json]\n       ruta %s rm %s [--json]\n", rt->cmd, id);
	for (v = rt->verbs; v && v->name; v++)
		fprintf(out, "       ruta %s %s\n", rt->cmd, v->summary);
	fprintf(out, "\nexamples:\n%s\n", rt->examples);
	fprintf(out, "Fields are options named after them (--first-name for first_name); an\n"
		"unknown field is refused with the list of fields %s %s has. An empty\n"
		"value clears an optional field. %s `list` hides deleted\n"
		"records unless --all. See ruta-%s(1) for every field and its rules.\n%s",
		strchr("aeiou", rt->label[0]) ? "an" : "a", rt->label,
		rt->code_id ? "Codes are given in full." :
		"IDs may be shortened to any unambiguous prefix of 4 characters or more.",
		rt->cmd, tags ? "\n--tag T adds a tag (also at add), --untag T removes it. A tag is 1 to 40\n"
		"letters, digits, spaces and - _ . / + &, kept and compared in lower case.\n" : "");
}

static int run_group(const rec_type *rt, cli_ctx *ctx, int argc, char **argv)
{
	const rec_verb *v;
	args a;
	int rc;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		group_help(rt, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_DONE;
	}
	for (v = rt->verbs; v && v->name; v++)
		if (strcmp(v->name, argv[1]) == 0)
			return v->run(rt, ctx, argc - 1, argv + 1);
	if ((rc = parse(&a, rt->cmd, argc - 1, argv + 1)) != 0)
		return rc;
	if (strcmp(argv[1], "add") == 0)
		rc = do_add(rt, ctx, &a);
	else if (strcmp(argv[1], "edit") == 0)
		rc = do_edit(rt, ctx, &a);
	else if (strcmp(argv[1], "show") == 0)
		rc = do_show(rt, ctx, &a);
	else if (strcmp(argv[1], "list") == 0)
		rc = do_list(rt, ctx, &a);
	else if (strcmp(argv[1], "rm") == 0)
		rc = do_rm(rt, ctx, &a);
	else
		rc = cli_usage(rt->cmd, "'%s' is not a subcommand of 'ruta %s'", argv[1], rt->cmd);
	args_free(&a);
	return rc;
}

int cmd_account(cli_ctx *ctx, int argc, char **argv) { return run_group(&types[0], ctx, argc, argv); }
int cmd_contact(cli_ctx *ctx, int argc, char **argv) { return run_group(&types[1], ctx, argc, argv); }
int cmd_opp(cli_ctx *ctx, int argc, char **argv) { return run_group(&types[2], ctx, argc, argv); }
int cmd_activity(cli_ctx *ctx, int argc, char **argv) { return run_group(&types[3], ctx, argc, argv); }
int cmd_offer(cli_ctx *ctx, int argc, char **argv) { return run_group(&types[4], ctx, argc, argv); }
int cmd_stage(cli_ctx *ctx, int argc, char **argv) { return run_group(&types[5], ctx, argc, argv); }
int cmd_lost_reason(cli_ctx *ctx, int argc, char **argv) { return run_group(&types[6], ctx, argc, argv); }
