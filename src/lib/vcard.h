/* vcard.h - vCard: a reader for versions 2.1, 3.0 and 4.0 and a 4.0 writer (RFC 6350). */
#ifndef RUTA_VCARD_H
#define RUTA_VCARD_H

#include <stddef.h>

#include "buf.h"

typedef struct ruta_vcard_param {
	char *key;     /* upper case; a 2.1 bare parameter ("CELL") becomes TYPE */
	char *value;   /* as written, quotes removed */
} ruta_vcard_param;

typedef struct ruta_vcard_prop {
	char *name;    /* upper case, group prefix removed */
	ruta_vcard_param *params;
	size_t nparams;
	char *value;   /* unfolded and quoted-printable decoded; still escaped */
	size_t line;
} ruta_vcard_prop;

typedef struct ruta_vcard {
	size_t line;   /* of BEGIN:VCARD */
	char version[4];
	ruta_vcard_prop *props;
	size_t nprops;
} ruta_vcard;

/* The most properties one card may have: a card is a person, and every
 * property is compared with the others when it becomes a row. */
#define RUTA_VCARD_MAX_PROPS 1000

/* Every card in `data`. Unfolds lines (CRLF or LF), decodes 2.1
 * QUOTED-PRINTABLE values (with their soft line breaks), and refuses, with
 * the line: text that is not UTF-8, a CHARSET other than UTF-8 or
 * US-ASCII, a VERSION other than 2.1, 3.0 or 4.0, a card not ended, a card
 * of more than RUTA_VCARD_MAX_PROPS properties.
 * Inline binary values (ENCODING=BASE64 or B: photos, keys) are left out.
 * New; free with ruta_vcard__free_all. */
int ruta_vcard__parse(ruta_vcard **out, size_t *ncards, const char *data, size_t len);
void ruta_vcard__free_all(ruta_vcard *cards, size_t n);

/* 1 if the property has `type` among its TYPE values (any case; 2.1 bare
 * types and comma-separated lists count), or PREF=1 when `type` is "pref". */
int ruta_vcard__has_type(const ruta_vcard_prop *p, const char *type);
/* Splits `value` in place on unescaped `sep` (0: no split) into at most
 * `max` parts and unescapes each (\\ \, \; \n \N). Returns the count. */
size_t ruta_vcard__split(char **parts, size_t max, char *value, char sep);

/* 1 if the card is an organisation's (an account): KIND:org, or, as 2.1 and
 * 3.0 address books write companies, no KIND and no N and an ORG that is
 * its only name (FN absent or equal to ORG's first component). */
int ruta_vcard__is_org(const ruta_vcard *c);

/* Writes "HEAD:VALUE" with each of `parts` escaped and joined by `sep`,
 * folded at 75 octets (never inside a UTF-8 sequence), ended by CRLF. */
void ruta_vcard__prop(ruta_buf *b, const char *head, const char *const *parts, size_t nparts,
	char sep);

#endif
