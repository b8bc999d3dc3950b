/* test_csv.c - the RFC 4180 reader and writer, and formula neutralising. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "csv.h"

/* Reads every record of `in` into "a|b\n" lines, or the error message. */
static char *read_all(const char *in, size_t len, char *delim)
{
	ruta_csv *c = NULL;
	ruta_buf b = RUTA_BUF_INIT;
	char **cells;
	size_t n, line, i;
	int rc;
	if (ruta_csv__open(&c, in, len) < 0)
		return strdup(ruta_error_last()->message);
	if (delim)
		*delim = ruta_csv__delimiter(c);
	while ((rc = ruta_csv__next(c, &cells, &n, &line)) == 1) {
		ruta_buf__printf(&b, "%zu:", line);
		for (i = 0; i < n; i++)
			ruta_buf__printf(&b, "%s%s", i ? "|" : "", cells[i]);
		ruta_buf__puts(&b, "\n");
	}
	ruta_csv__free(c);
	if (rc < 0) {
		ruta_buf__dispose(&b);
		return strdup(ruta_error_last()->message);
	}
	return ruta_buf__detach(&b);
}

static void check(const char *in, const char *want, char want_delim)
{
	char delim = 0, *got = read_all(in, strlen(in), &delim);
	assert_string_equal(got, want);
	if (want_delim)
		assert_int_equal(delim, want_delim);
	free(got);
}

static void quotes_newlines_and_empty_cells_are_read(void **state)
{
	(void)state;
	check("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\r\n", "1:a|b|c\n2:x,1|say \"hi\"|\n", ',');
	check("a,b\n\"two\nlines\",z\n\nq,r", "1:a|b\n2:two\nlines|z\n5:q|r\n", ',');
	check("a,b\r\n\"crlf\r\ninside\",1\r\n", "1:a|b\n2:crlf\ninside|1\n", ',');
}

static void the_delimiter_is_found_from_the_header(void **state)
{
	(void)state;
	check("a;b;c\n1;2,5;3\n", "1:a|b|c\n2:1|2,5|3\n", ';');
	check("a\tb\n1\t2\n", "1:a|b\n2:1|2\n", '\t');
	check("\"x;y\",b\n1,2\n", "1:x;y|b\n2:1|2\n", ',');
	check("\xEF\xBB\xBFid;name\r\n1;A\r\n", "1:id|name\n2:1|A\n", ';');
}

static void broken_input_is_refused_with_its_line(void **state)
{
	(void)state;
	check("a,b\n1,\"open\n", "line 2: a quoted cell is not closed (a '\"' is missing)", 0);
	check("a,b\n\"x\"y,1\n", "line 2: text after a closing quote (a quote inside a cell is "
		"written twice: \"\")", 0);
	check("a\nok\ncaf\xE9\n", "line 3: the text is not UTF-8 (save the file as UTF-8 and "
		"import it again)", 0);
	{
		char *got = read_all("a\nb\0c\n", 6, NULL);
		assert_non_null(strstr(got, "line 2:"));
		free(got);
	}
}

/* Header cells are compared with each other: a record of a million cells is
 * refused at the limit, naming it, instead of taking minutes. */
static void a_record_of_too_many_cells_is_refused(void **state)
{
	size_t n = 3 * RUTA_CSV_MAX_CELLS + 8, i;
	char *in = malloc(n), *got;
	(void)state;
	assert_non_null(in);
	for (i = 0; i + 2 < n; i += 2)
		memcpy(in + i, "x,", 2);
	in[i] = '\n';
	got = read_all(in, i + 1, NULL);
	assert_string_equal(got, "line 1: more than 1024 cells in one record (the limit)");
	free(got);
	/* exactly the limit is fine */
	in[2 * RUTA_CSV_MAX_CELLS - 1] = '\n';
	got = read_all(in, 2 * RUTA_CSV_MAX_CELLS, NULL);
	assert_int_equal(strncmp(got, "1:x|x|", 6), 0);
	free(got);
	free(in);
}

static void writing_quotes_only_where_needed_and_ends_rows_with_crlf(void **state)
{
	ruta_buf b = RUTA_BUF_INIT;
	(void)state;
	ruta_csv__put(&b, "plain", ',', 1);
	ruta_csv__put(&b, "a,b", ',', 0);
	ruta_csv__put(&b, "say \"x\"", ',', 0);
	ruta_csv__put(&b, NULL, ',', 0);
	ruta_csv__put(&b, "a;b", ';', 0);
	ruta_csv__end_row(&b);
	assert_string_equal(b.ptr, "plain,\"a,b\",\"say \"\"x\"\"\",;\"a;b\"\r\n");
	ruta_buf__dispose(&b);
}

static void formulas_are_neutralised_and_restored_exactly(void **state)
{
	static const char *values[] = { "=1+2", "+34600111222", "-5", "@SUM(A1)", "\tx", "'=x",
		"''+y", "'plain", "plain", "a=b", "'" };   /* not "": a row of one empty cell is a blank line */
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		ruta_buf b = RUTA_BUF_INIT;
		char *got;
		ruta_csv__put(&b, values[i], ',', 1);
		ruta_csv__end_row(&b);
		got = read_all(b.ptr, b.len, NULL);
		/* "1:<cell>\n": strip the line number, then undo the apostrophe */
		got[strlen(got) - 1] = '\0';
		ruta_csv__unneutralise(got + 2);
		if (values[i][0])
			assert_string_equal(got + 2, values[i]);
		if (strchr("=+-@\t", values[i][0]) && values[i][0])
			assert_true(b.ptr[0] == '\'' || (b.ptr[0] == '"' && b.ptr[1] == '\''));
		free(got);
		ruta_buf__dispose(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quotes_newlines_and_empty_cells_are_read),
		cmocka_unit_test(the_delimiter_is_found_from_the_header),
		cmocka_unit_test(broken_input_is_refused_with_its_line),
		cmocka_unit_test(a_record_of_too_many_cells_is_refused),
		cmocka_unit_test(writing_quotes_only_where_needed_and_ends_rows_with_crlf),
		cmocka_unit_test(formulas_are_neutralised_and_restored_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
