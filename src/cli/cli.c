/*
 * cli.c - shared pieces of the ruta tool: turning library errors into
 * messages and exit codes, subcommand dispatch, and aligned tables.
 * Human output may change between releases; --json output is the stable one.
 */
#include <stdarg.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_say(const char *fmt, ...)
{
	va_list ap;
	fputs("ruta: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_fail(int err)
{
	const ruta_error *e = ruta_error_last();
	char *msg = strdup(e->message[0] ? e->message : "unexpected failure");
	/* messages may quote hostile input: no escape sequence reaches a terminal */
	cli_sanitize(msg);
	cli_say("%s", msg ? msg : "out of memory");
	free(msg);
	switch (err) {
	case RUTA_ENOFIELD:
		return EXIT_USAGE;
	case RUTA_EVERIFY:
		return EXIT_VERIFY;
	case RUTA_EUNREACHABLE:
		return EXIT_OFFLINE;
	default:
		return EXIT_ERROR;
	}
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("ruta: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (strcmp(cmd, "help") == 0)
		fputs("\nsee 'ruta --help'\n", stderr);
	else
		fprintf(stderr, "\nsee 'ruta %s --help'\n", cmd);
	return EXIT_USAGE;
}

/* Whole seconds from 1 to RUTA_TIMEOUT_MAX: no sign, unit or fraction. */
static int seconds(int *out, const char *text)
{
	size_t n = strlen(text);
	if (n == 0 || n > 4 || strspn(text, "0123456789") != n)
		return -1;
	*out = atoi(text);
	return *out >= 1 && *out <= RUTA_TIMEOUT_MAX ? 0 : -1;
}

int cli_timeout(int *out, const char *cmd, const char *given)
{
	const char *env = getenv("RUTA_TIMEOUT");
	const char *text = given ? given : env && *env ? env : NULL;
	*out = 0;
	if (text && seconds(out, text) < 0)
		return cli_usage(cmd, "%s must be a whole number of seconds from 1 to %d, not '%s'",
			given ? "--timeout" : "RUTA_TIMEOUT", RUTA_TIMEOUT_MAX, text);
	return 0;
}

/* RUTA_PASSPHRASE, or a prompt on the terminal with echo off; never from
 * a pipe, so a script cannot hang on a question. */
int cli_read_passphrase(char *buf, size_t size, const char *prompt, const char *env)
{
	const char *from_env = env ? getenv(env) : NULL;
	struct termios old, quiet;
	FILE *tty;
	size_t n;

	if (from_env) {
		if (strlen(from_env) >= size)
			return -1;
		strcpy(buf, from_env);
		return 0;
	}
	if (!(tty = fopen("/dev/tty", "r+")))
		return -1;
	fprintf(tty, "%s: ", prompt);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	if (!fgets(buf, (int)size, tty))
		buf[0] = '\0';
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return n ? 0 : -1;
}

static int ask_passphrase(char *buf, size_t size, const char *what, void *payload)
{
	char prompt[96];
	(void)payload;
	snprintf(prompt, sizeof(prompt), "passphrase for the %s", what);
	return cli_read_passphrase(buf, size, prompt, "RUTA_PASSPHRASE");
}

int cli_open(ruta_replica **out, cli_ctx *ctx)
{
	ruta_open_options o = RUTA_OPEN_OPTIONS_INIT;
	int err;
	o.passphrase = ask_passphrase;
	err = ruta_replica_open(out, ctx->dir, &o);
	return err < 0 ? cli_fail(err) : 0;
}

int cli_wants_help(int argc, char **argv)
{
	int i;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

void cli_list_commands(FILE *out, const cli_cmd *table)
{
	for (; table->name; table++)
		if (table->summary)
			fprintf(out, "  %-14s %s\n", table->name, table->summary);
}

int cli_dispatch(const cli_cmd *table, const char *group, cli_ctx *ctx, int argc, char **argv)
{
	const cli_cmd *c;
	if (argc < 1)
		return cli_usage(group, "'ruta %s' needs a subcommand", group);
	for (c = table; c->name; c++)
		if (strcmp(c->name, argv[0]) == 0)
			return c->run(ctx, argc, argv);
	return cli_usage(group, "'%s' is not a subcommand of 'ruta %s'", argv[0], group);
}

void cli_sanitize(char *s)
{
	/* One line per row, and nothing a terminal would act on: a value written
	 * by another program could hold escape sequences. */
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = (*s == '\n' || *s == '\t' || *s == '\r') ? ' ' : '?';
}

json_t *cli_json_text(const char *s)
{
	json_t *j = json_string(s);
	char *copy, *p;
	if (j || !s)
		return j;
	/* Not UTF-8 (another program wrote it): show it, with '?' for bad bytes. */
	if (!(copy = strdup(s)))
		return NULL;
	for (p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

void cli_print_json(json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (text)
		printf("%s\n", text);
	else
		cli_say("out of memory writing JSON");
	free(text);
	json_decref(j);
}

void cli_report_held(const char *name, int code, const char *reason, void *payload)
{
	char *why = strdup(reason ? reason : ""), *what = strdup(name ? name : "");
	(void)payload;
	/* names and reasons may quote hostile input */
	cli_sanitize(why);
	cli_sanitize(what);
	if (why && what)
		cli_say("%s %s: %s", code != RUTA_OK ? "refused" : strstr(why, "not installed") ?
			"skipped" : "waiting", what, why);
	free(why);
	free(what);
}

struct cli_table {
	int ncols;
	size_t ncells, cap;
	char **cells;
};

cli_table *cli_table_new(int ncols)
{
	cli_table *t = calloc(1, sizeof(*t));
	if (t)
		t->ncols = ncols;
	return t;
}

void cli_table_cell(cli_table *t, const char *text)
{
	char *copy;
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **n = realloc(t->cells, cap * sizeof(*n));
		if (!n)
			return;
		t->cells = n;
		t->cap = cap;
	}
	copy = strdup(text ? text : "");
	cli_sanitize(copy);
	t->cells[t->ncells++] = copy ? copy : strdup("");
}

/* Display width in characters, counting UTF-8 sequences once. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void cli_table_print(cli_table *t, FILE *out)
{
	size_t *w = calloc((size_t)t->ncols, sizeof(*w)), i;
	if (!w)
		return;
	for (i = 0; i < t->ncells; i++) {
		size_t cw = width(t->cells[i] ? t->cells[i] : "");
		if (cw > w[i % (size_t)t->ncols])
			w[i % (size_t)t->ncols] = cw;
	}
	for (i = 0; i < t->ncells; i++) {
		size_t col = i % (size_t)t->ncols;
		const char *c = t->cells[i] ? t->cells[i] : "";
		fputs(c, out);
		if (col + 1 == (size_t)t->ncols)
			fputc('\n', out);
		else
			fprintf(out, "%*s", (int)(w[col] - width(c) + 2), "");
	}
	free(w);
}

void cli_table_free(cli_table *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void cli_report_conflicts(int64_t made, int64_t open)
{
	(void)made;
	if (open > 0)
		cli_say("%lld conflict%s open: see 'ruta conflicts list', then 'ruta resolve'",
			(long long)open, open == 1 ? "" : "s");
}
