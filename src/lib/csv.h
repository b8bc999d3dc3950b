/* csv.h - RFC 4180 CSV: a strict UTF-8 reader that finds its delimiter, and a writer that neutralises formulas. */
#ifndef RUTA_CSV_H
#define RUTA_CSV_H

#include <stddef.h>

#include "buf.h"

typedef struct ruta_csv ruta_csv;

/* The most cells one record may have: far more than any type's columns,
 * and every header cell is compared with the others. */
#define RUTA_CSV_MAX_CELLS 1024

/* A reader over `data` (borrowed until ruta_csv__free). Skips a UTF-8 BOM and
 * picks the delimiter from the first record: the most frequent of ',' ';'
 * and tab outside quotes (',' when none). RUTA_EINVALID, with the line, if
 * the data is not UTF-8 or holds a NUL byte. */
int ruta_csv__open(ruta_csv **out, const char *data, size_t len);
/* The delimiter found. */
char ruta_csv__delimiter(const ruta_csv *c);
/* The next record: its cells (borrowed until the next call), their count and
 * the line it starts on. Blank lines are skipped. 1 for a record, 0 at the
 * end, RUTA_EINVALID ("line N: ...") for an unterminated quote, text
 * after a closing quote or more than RUTA_CSV_MAX_CELLS cells. */
int ruta_csv__next(ruta_csv *c, char ***cells, size_t *ncells, size_t *line);
void ruta_csv__free(ruta_csv *c);

/* Appends one cell (preceded by `delim` unless it is the row's first),
 * quoted when it holds the delimiter, a quote, CR, LF or tab. A value a
 * spreadsheet would run as a formula (first character, after any leading
 * apostrophes, one of = + - @ tab CR) gets one more leading apostrophe. */
void ruta_csv__put(ruta_buf *b, const char *cell, char delim, int first);
/* Ends a row with CRLF. */
void ruta_csv__end_row(ruta_buf *b);
/* Undoes the neutralising in place: removes one leading apostrophe when
 * apostrophes then a formula character follow. */
void ruta_csv__unneutralise(char *cell);

#endif
