/*
 * csv.c - RFC 4180 CSV for import and export (docs/exchange.md §2).
 *
 * Conservative out (CRLF, quotes only where needed), liberal in (LF or CRLF,
 * a BOM, ',' ';' or tab found from the header), but never guessing an
 * encoding: input that is not UTF-8 is refused with its line. Formula
 * neutralising is a bijection: export adds one apostrophe exactly where
 * import removes one, so every value round-trips.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"

struct ruta_csv {
	const char *p, *end;
	size_t line;
	char delim;
	char **cells;
	size_t ncells, cap;
	ruta_buf cell;
};

static int formula_char(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* After any apostrophes, a formula character? */
static int needs_apostrophe(const char *s)
{
	while (*s == '\'')
		s++;
	return formula_char(*s);
}

void ruta_csv__unneutralise(char *cell)
{
	if (cell[0] == '\'' && needs_apostrophe(cell + 1))
		memmove(cell, cell + 1, strlen(cell));
}

void ruta_csv__put(ruta_buf *b, const char *cell, char delim, int first)
{
	const char *s = cell ? cell : "";
	int quote = strchr(s, delim) || strpbrk(s, "\"\r\n\t");   /* tab: never mistaken for the delimiter */

	if (!first)
		ruta_buf__put(b, &delim, 1);
	if (quote)
		ruta_buf__puts(b, "\"");
	if (needs_apostrophe(s))
		ruta_buf__puts(b, "'");
	for (; *s; s++)
		ruta_buf__put(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	if (quote)
		ruta_buf__puts(b, "\"");
}

void ruta_csv__end_row(ruta_buf *b)
{
	ruta_buf__puts(b, "\r\n");
}

/* Strict UTF-8, no NUL: the line of the first bad byte, or 0. */
static size_t bad_line(const char *data, size_t len)
{
	size_t line = 1, start = 0, i;
	for (i = 0; i <= len; i++) {
		if (i < len && data[i] != '\n')
			continue;
		if (memchr(data + start, 0, i - start) || !ruta_utf8__valid(data + start, i - start))
			return line;
		line++;
		start = i + 1;
	}
	return 0;
}

/* The most frequent candidate outside quotes in the first record. */
static char find_delimiter(const char *p, const char *end)
{
	static const char cand[] = { ',', ';', '\t' };
	size_t count[3] = { 0, 0, 0 }, i, best = 0;
	int quoted = 0;
	for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		for (i = 0; i < 3 && !quoted; i++)
			count[i] += *p == cand[i];
	}
	for (i = 1; i < 3; i++)
		if (count[i] > count[best])
			best = i;
	return cand[best];
}

int ruta_csv__open(ruta_csv **out, const char *data, size_t len)
{
	ruta_csv *c;
	size_t bad;

	*out = NULL;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if ((bad = bad_line(data, len)) != 0)
		return ruta_error__set(RUTA_EINVALID, "line %zu: the text is not UTF-8 (save the "
			"file as UTF-8 and import it again)", bad);
	if (!(c = calloc(1, sizeof(*c))))
		return ruta_error__oom();
	c->p = data;
	c->end = data + len;
	c->line = 1;
	c->delim = find_delimiter(data, data + len);
	*out = c;
	return 0;
}

char ruta_csv__delimiter(const ruta_csv *c)
{
	return c->delim;
}

static void clear_cells(ruta_csv *c)
{
	size_t i;
	for (i = 0; i < c->ncells; i++)
		free(c->cells[i]);
	c->ncells = 0;
}

static int push_cell(ruta_csv *c)
{
	char *s;
	if (c->ncells == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char **nc = realloc(c->cells, cap * sizeof(*nc));
		if (!nc)
			return ruta_error__oom();
		c->cells = nc;
		c->cap = cap;
	}
	ruta_buf__put(&c->cell, "", 0);
	if (ruta_buf__check(&c->cell) < 0 || !(s = ruta_buf__detach(&c->cell)))
		return ruta_error__oom();
	c->cells[c->ncells++] = s;
	return 0;
}

/* A quoted cell; c->p is past the opening quote. */
static int quoted_cell(ruta_csv *c, size_t start)
{
	for (;;) {
		if (c->p == c->end)
			return ruta_error__set(RUTA_EINVALID, "line %zu: a quoted cell is not closed "
				"(a '\"' is missing)", start);
		if (*c->p == '"' && c->p + 1 < c->end && c->p[1] == '"') {
			ruta_buf__put(&c->cell, "\"", 1);
			c->p += 2;
			continue;
		}
		if (*c->p == '"') {
			c->p++;
			break;
		}
		if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
			c->p++;   /* a line break in a cell is LF, as ruta stores text */
		if (*c->p == '\n')
			c->line++;
		ruta_buf__put(&c->cell, c->p++, 1);
	}
	if (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r')
		return ruta_error__set(RUTA_EINVALID, "line %zu: text after a closing quote (a quote "
			"inside a cell is written twice: \"\")", c->line);
	return 0;
}

static int at_row_end(ruta_csv *c)
{
	if (c->p == c->end)
		return 1;
	if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
		c->p++;
	if (*c->p == '\n' || *c->p == '\r') {
		c->p++;
		c->line++;
		return 1;
	}
	return 0;
}

static int read_row(ruta_csv *c, size_t start)
{
	int err;
	for (;;) {
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			if ((err = quoted_cell(c, start)) < 0)
				return err;
		} else {
			while (c->p < c->end && *c->p != c->delim && *c->p != '\n' && *c->p != '\r')
				ruta_buf__put(&c->cell, c->p++, 1);
		}
		if (c->ncells == RUTA_CSV_MAX_CELLS)
			return ruta_error__set(RUTA_EINVALID, "line %zu: more than %d cells in one "
				"record (the limit)", start, RUTA_CSV_MAX_CELLS);
		if ((err = push_cell(c)) < 0)
			return err;
		if (at_row_end(c))
			return 1;
		c->p++;   /* the delimiter */
	}
}

int ruta_csv__next(ruta_csv *c, char ***cells, size_t *ncells, size_t *line)
{
	int err;
	clear_cells(c);
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		c->line += *c->p == '\n';
		c->p++;
	}
	if (c->p == c->end)
		return 0;
	*line = c->line;
	if ((err = read_row(c, *line)) < 0)
		return err;
	*cells = c->cells;
	*ncells = c->ncells;
	return 1;
}

void ruta_csv__free(ruta_csv *c)
{
	if (!c)
		return;
	clear_cells(c);
	free(c->cells);
	ruta_buf__dispose(&c->cell);
	free(c);
}
