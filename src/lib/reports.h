/* reports.h - the sales reports' parts that reports.c and its page share, and unit tests reach. */
#ifndef RUTA_REPORTS_H
#define RUTA_REPORTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "internal.h"

/* A --period as whole months [*from, *to) counted as year * 12 + month - 1
 * (UTC). NULL or "" is the month of `now` (seconds since 1970). -1 if the
 * text is none of YYYY-MM, YYYY-MM..YYYY-MM, YYYY-Qn, YYYY. */
int ruta_report__period(int *from, int *to, const char *spec, long long now);
/* ABC classes of values sorted from the largest: A while the share of the
 * total before adding the value is under a %, B under b %, else C; a value
 * of 0 or less is C. classes[i] is 'A', 'B' or 'C'. */
void ruta_report__pareto(char *classes, const int64_t *values, size_t n, int a, int b);
/* num / den * scale with one decimal, half up ("33.3"); "" when den <= 0. */
void ruta_report__ratio(char *out, size_t size, int64_t num, int64_t den, int scale);
/* The report's JSON document (new). RUTA_EINVALID names a bad option. */
int ruta_report__build(json_t **out, ruta_replica *r, const ruta_report_options *o);
/* The document in a RUTA_REPORT_* form (new text; free()). */
int ruta_report__render(char **out, json_t *doc, int format, const char *title);

#endif
