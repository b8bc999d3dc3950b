/* record.h - what the domain verbs share with the generic record code. */
#ifndef RUTA_RECORD_H
#define RUTA_RECORD_H

#include "internal.h"
#include "schema.h"

/* Finds the one live-or-tombstoned record of table `t` whose id is `text` or
 * starts with it (4 characters at least; case does not matter). New id. */
int ruta_record__resolve(char **out, ruta_replica *r, const ruta_tabledef *t, const char *text);

/* Reads one column of a record as text (NULL if SQL NULL); new string. */
int ruta_record__column(char **out, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col);

/* Free text as every field takes it: UTF-8, no control characters but tab
 * and newline, at most 8000 bytes; `required`: not blank. */
int ruta_record__check_text(const char *v, int required);

/* Resolves `type` to a table, or RUTA_EINVALID naming the known types. */
int ruta_record__table(const ruta_tabledef **out, const char *type);

/* ruta_record_add and ruta_record_edit inside the caller's transaction (an
 * import writes many records all or nothing). `id`, when not NULL, is the
 * new record's id (a table whose ids ruta makes): RUTA_EEXISTS if taken.
 * `edit` takes the full id. */
int ruta_record__add_in_tx(char **out, ruta_replica *r, const ruta_tabledef *t,
	const ruta_field *fields, size_t nfields, const char *id);
int ruta_record__edit_in_tx(ruta_replica *r, const ruta_tabledef *t, const char *id,
	const ruta_field *fields, size_t nfields);

#endif
