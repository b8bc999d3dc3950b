/*
 * cli.c - shared pieces of the ruta tool: turning library errors into
 * messages and exit codes, subcommand dispatch, and aligned tables.
 * Human output may change between releases; --json output is the stable one.
 */
#include <stdarg.h>
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
	cli_say("%s", e->message[0] ? e->message : "unexpected failure");
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

int cli_open(ruta_replica **out, cli_ctx *ctx)
{
	int err = ruta_replica_open(out, ctx->dir, NULL);
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
	char *copy, *p;
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **n = realloc(t->cells, cap * sizeof(*n));
		if (!n)
			return;
		t->cells = n;
		t->cap = cap;
	}
	copy = strdup(text ? text : "");
	/* A table row is one line: newlines and tabs in notes become spaces. */
	for (p = copy; p && *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
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
