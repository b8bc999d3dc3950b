/*
 * vcard.c - reading vCard 2.1, 3.0 and 4.0 and writing 4.0 (docs/exchange.md §4).
 *
 * Reading is in two steps: physical lines become logical ones (unfolding,
 * quoted-printable soft breaks), then each logical line is split into
 * name, parameters and value. Values stay escaped until a caller splits
 * them, because only the caller knows which ones are structured (N, ADR).
 * Nothing but UTF-8 is accepted: a vCard in another charset is refused
 * with its line, never guessed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vcard.h"

/* ---- writing ------------------------------------------------------------- */

static void escape(ruta_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == ',' || *s == ';')
			ruta_buf__put(b, "\\", 1);
		if (*s == '\n')
			ruta_buf__puts(b, "\\n");
		else if (*s != '\r')
			ruta_buf__put(b, s, 1);
	}
}

/* Folds the logical line at 75 octets: CRLF and a space start each next part. */
static void fold(ruta_buf *out, const char *s, size_t n)
{
	size_t room = 75;
	while (n > room) {
		size_t cut = room;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		ruta_buf__put(out, s, cut);
		ruta_buf__puts(out, "\r\n ");
		s += cut;
		n -= cut;
		room = 74;
	}
	ruta_buf__put(out, s, n);
	ruta_buf__puts(out, "\r\n");
}

void ruta_vcard__prop(ruta_buf *b, const char *head, const char *const *parts, size_t nparts,
	char sep)
{
	ruta_buf line = RUTA_BUF_INIT;
	size_t i;
	ruta_buf__printf(&line, "%s:", head);
	for (i = 0; i < nparts; i++) {
		if (i)
			ruta_buf__put(&line, &sep, 1);
		escape(&line, parts[i] ? parts[i] : "");
	}
	if (ruta_buf__check(&line) == 0)
		fold(b, line.ptr, line.len);
	else
		b->oom = 1;
	ruta_buf__dispose(&line);
}

/* ---- splitting values ------------------------------------------------------- */

static void unescape(char *s)
{
	char *w = s;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*w++ = (*s == 'n' || *s == 'N') ? '\n' : *s;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

size_t ruta_vcard__split(char **parts, size_t max, char *value, char sep)
{
	size_t n = 0;
	char *p = value;
	if (max == 0)
		return 0;
	parts[n++] = value;
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (sep && *p == sep && n < max) {
			*p = '\0';
			parts[n++] = p + 1;
		}
	}
	for (size_t i = 0; i < n; i++)
		unescape(parts[i]);
	return n;
}

/* ---- parameters -------------------------------------------------------------- */

static int type_in(const char *list, const char *type)
{
	size_t n = strlen(type);
	while (*list) {
		size_t k = strcspn(list, ",");
		if (k == n && strncasecmp(list, type, n) == 0)
			return 1;
		list += k + (list[k] == ',');
	}
	return 0;
}

int ruta_vcard__has_type(const ruta_vcard_prop *p, const char *type)
{
	size_t i;
	for (i = 0; i < p->nparams; i++) {
		const ruta_vcard_param *q = &p->params[i];
		if (strcmp(q->key, "TYPE") == 0 && type_in(q->value, type))
			return 1;
		if (strcasecmp(type, "pref") == 0 && strcmp(q->key, "PREF") == 0 &&
				strcmp(q->value, "1") == 0)
			return 1;
	}
	return 0;
}

static const char *param(const ruta_vcard_prop *p, const char *key)
{
	size_t i;
	for (i = 0; i < p->nparams; i++)
		if (strcmp(p->params[i].key, key) == 0)
			return p->params[i].value;
	return NULL;
}

static int add_param(ruta_vcard_prop *p, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	ruta_vcard_param *np = realloc(p->params, (p->nparams + 1) * sizeof(*np));
	ruta_vcard_param *q;
	size_t k;
	if (!np)
		return ruta_error__oom();
	p->params = np;
	q = &p->params[p->nparams];
	if (eq) {
		q->key = strndup(s, (size_t)(eq - s));
		n -= (size_t)(eq - s) + 1;
		s = eq + 1;
	} else {
		/* 2.1: "CELL", "QUOTED-PRINTABLE", "PREF", "UTF-8" stand alone. */
		q->key = strdup(strncasecmp(s, "QUOTED-PRINTABLE", n) == 0 || strncasecmp(s, "BASE64", n) == 0
			? "ENCODING" : "TYPE");
	}
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	q->value = strndup(s, n);
	if (!q->key || !q->value) {
		free(q->key);
		free(q->value);
		return ruta_error__oom();
	}
	for (k = 0; q->key[k]; k++)
		q->key[k] = (char)toupper((unsigned char)q->key[k]);
	p->nparams++;
	return 0;
}

/* ---- logical lines ---------------------------------------------------------- */

typedef struct lines {
	const char *p, *end;
	size_t line;     /* of the next physical line */
} lines;

/* The next physical line without its CR/LF; 0 at the end. */
static int physical(lines *ls, const char **s, size_t *n)
{
	const char *nl;
	if (ls->p >= ls->end)
		return 0;
	nl = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
	*s = ls->p;
	*n = (size_t)((nl ? nl : ls->end) - ls->p);
	ls->p = nl ? nl + 1 : ls->end;
	ls->line++;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	return 1;
}

/* Whether the logical line in `b` asks for quoted-printable, once its head
 * (before the first ':') is complete: *qp is -1 until a ':' is seen, and
 * *scanned is how much of `b` was searched for one, so that a line joined
 * from many physical ones is read once, not once per part. */
static void head_qp(const ruta_buf *b, size_t *scanned, int *qp)
{
	const char *colon;
	size_t i, n;
	if (*qp >= 0 || !b->ptr || *scanned >= b->len)
		return;
	colon = memchr(b->ptr + *scanned, ':', b->len - *scanned);
	*scanned = b->len;
	if (!colon)
		return;
	n = (size_t)(colon - b->ptr);
	*qp = 0;
	for (i = 0; i + 16 <= n && !*qp; i++)
		*qp = strncasecmp(b->ptr + i, "QUOTED-PRINTABLE", 16) == 0;
}

/* The next logical line into `b`: folded continuations (a leading space or
 * tab) and quoted-printable soft breaks ('=' at the end) joined. */
static int logical(lines *ls, ruta_buf *b, size_t *line)
{
	const char *s;
	size_t n, scanned = 0;
	int qp = -1;
	b->len = 0;
	do {
		if (!physical(ls, &s, &n))
			return 0;
	} while (n == 0);
	*line = ls->line;
	ruta_buf__put(b, s, n);
	for (;;) {
		int soft;
		lines peek = *ls;
		head_qp(b, &scanned, &qp);
		soft = qp == 1 && b->len && b->ptr[b->len - 1] == '=';
		if (!physical(&peek, &s, &n))
			break;
		if (soft) {
			b->ptr[--b->len] = '\0';
			ruta_buf__put(b, s, n);
		} else if (n && (s[0] == ' ' || s[0] == '\t')) {
			ruta_buf__put(b, s + 1, n - 1);
		} else {
			break;
		}
		*ls = peek;
	}
	return ruta_buf__check(b) < 0 ? ruta_error__oom() : 1;
}

/* ---- properties ---------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)toupper((unsigned char)c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void qp_decode(char *s)
{
	char *w = s;
	for (; *s; s++) {
		if (*s == '=' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*w++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static void prop_free(ruta_vcard_prop *p)
{
	size_t i;
	for (i = 0; i < p->nparams; i++) {
		free(p->params[i].key);
		free(p->params[i].value);
	}
	free(p->params);
	free(p->name);
	free(p->value);
}

/* The end of the head: the first ':' outside a quoted parameter value. */
static const char *head_end(const char *s)
{
	int quoted = 0;
	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == ':' && !quoted)
			return s;
	}
	return NULL;
}

static int split_head(ruta_vcard_prop *p, const char *s, const char *colon)
{
	const char *semi = memchr(s, ';', (size_t)(colon - s));
	const char *name_end = semi ? semi : colon, *dot;
	size_t k;
	int err;
	/* "item1.EMAIL": a group prefix, which ruta does not keep. */
	if ((dot = memchr(s, '.', (size_t)(name_end - s))) != NULL)
		s = dot + 1;
	if (!(p->name = strndup(s, (size_t)(name_end - s))))
		return ruta_error__oom();
	for (k = 0; p->name[k]; k++)
		p->name[k] = (char)toupper((unsigned char)p->name[k]);
	while (semi && semi < colon) {
		const char *next = semi + 1, *stop;
		int quoted = 0;
		for (stop = next; stop < colon && (quoted || *stop != ';'); stop++)
			quoted ^= *stop == '"';
		if (stop > next && (err = add_param(p, next, (size_t)(stop - next))) < 0)
			return err;
		semi = stop < colon ? stop : NULL;
	}
	return 0;
}

static int check_charset(const ruta_vcard_prop *p)
{
	const char *cs = param(p, "CHARSET");
	if (cs && strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "US-ASCII") != 0)
		return ruta_error__set(RUTA_EINVALID, "line %zu: %s is in CHARSET=%s; only UTF-8 is "
			"read (convert the file to UTF-8 first)", p->line, p->name, cs);
	return 0;
}

/* Parses one logical line. *skip is set for binary values ruta leaves out. */
static int parse_prop(ruta_vcard_prop *p, const char *s, size_t line, int *skip)
{
	const char *colon = head_end(s), *enc;
	int err;
	memset(p, 0, sizeof(*p));
	p->line = line;
	*skip = 0;
	if (!colon)
		return ruta_error__set(RUTA_EINVALID, "line %zu: no ':' in '%.40s'", line, s);
	if ((err = split_head(p, s, colon)) < 0 || (err = check_charset(p)) < 0)
		return err;
	if (!(p->value = strdup(colon + 1)))
		return ruta_error__oom();
	enc = param(p, "ENCODING");
	if (enc && (strcasecmp(enc, "B") == 0 || strcasecmp(enc, "BASE64") == 0)) {
		*skip = 1;
		return 0;
	}
	if (enc && strcasecmp(enc, "QUOTED-PRINTABLE") == 0)
		qp_decode(p->value);
	if (!ruta_utf8__valid(p->value, strlen(p->value)))
		return ruta_error__set(RUTA_EINVALID, "line %zu: %s is not UTF-8 (convert the file "
			"to UTF-8 first)", line, p->name);
	return 0;
}

/* ---- cards ---------------------------------------------------------------------- */

static void card_dispose(ruta_vcard *c)
{
	size_t i;
	for (i = 0; i < c->nprops; i++)
		prop_free(&c->props[i]);
	free(c->props);
}

void ruta_vcard__free_all(ruta_vcard *cards, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		card_dispose(&cards[i]);
	free(cards);
}

static int card_add(ruta_vcard *c, ruta_vcard_prop *p)
{
	ruta_vcard_prop *np;
	if (c->nprops == RUTA_VCARD_MAX_PROPS) {
		int err = ruta_error__set(RUTA_EINVALID, "line %zu: the card of line %zu has more "
			"than %d properties (the limit)", p->line, c->line, RUTA_VCARD_MAX_PROPS);
		prop_free(p);
		return err;
	}
	if (!(np = realloc(c->props, (c->nprops + 1) * sizeof(*np)))) {
		prop_free(p);
		return ruta_error__oom();
	}
	c->props = np;
	c->props[c->nprops++] = *p;
	return 0;
}

static int set_version(ruta_vcard *c, const ruta_vcard_prop *p)
{
	if (strcmp(p->value, "2.1") && strcmp(p->value, "3.0") && strcmp(p->value, "4.0"))
		return ruta_error__set(RUTA_EINVALID, "line %zu: vCard version '%.10s' is not read "
			"(2.1, 3.0 and 4.0 are)", p->line, p->value);
	memcpy(c->version, p->value, 4);
	return 0;
}

/* One property line inside or outside a card. *cur is the open card. */
static int take_line(ruta_vcard **cards, size_t *n, ruta_vcard **cur, ruta_vcard_prop *p)
{
	int is_begin = strcmp(p->name, "BEGIN") == 0 && strcasecmp(p->value, "VCARD") == 0;
	int is_end = strcmp(p->name, "END") == 0 && strcasecmp(p->value, "VCARD") == 0;
	int err = 0;
	if (!*cur && !is_begin)
		err = ruta_error__set(RUTA_EINVALID, "line %zu: %s outside BEGIN:VCARD ... END:VCARD",
			p->line, p->name);
	else if (*cur && is_begin)
		err = ruta_error__set(RUTA_EINVALID, "line %zu: BEGIN:VCARD inside a card (the card "
			"of line %zu has no END:VCARD)", p->line, (*cur)->line);
	else if (is_begin) {
		ruta_vcard *nc = realloc(*cards, (*n + 1) * sizeof(*nc));
		if (!nc)
			return ruta_error__oom();
		*cards = nc;
		*cur = &nc[(*n)++];
		memset(*cur, 0, sizeof(**cur));
		(*cur)->line = p->line;
	} else if (is_end) {
		if (!(*cur)->version[0])
			err = ruta_error__set(RUTA_EINVALID, "line %zu: the card has no VERSION",
				(*cur)->line);
		*cur = NULL;
	} else if (strcmp(p->name, "VERSION") == 0) {
		err = set_version(*cur, p);
	} else {
		return card_add(*cur, p);
	}
	prop_free(p);
	return err;
}

int ruta_vcard__parse(ruta_vcard **out, size_t *ncards, const char *data, size_t len)
{
	lines ls = { data, data + len, 0 };
	ruta_buf b = RUTA_BUF_INIT;
	ruta_vcard *cards = NULL, *cur = NULL;
	size_t n = 0, line = 0;
	int rc, skip;

	*out = NULL;
	*ncards = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		ls.p += 3;
	while ((rc = logical(&ls, &b, &line)) == 1) {
		ruta_vcard_prop p;
		/* The property first: a CHARSET it names says more than "not UTF-8". */
		if ((rc = parse_prop(&p, b.ptr, line, &skip)) < 0 || skip)
			prop_free(&p);
		else if (memchr(b.ptr, 0, b.len) || !ruta_utf8__valid(b.ptr, b.len)) {
			prop_free(&p);
			rc = ruta_error__set(RUTA_EINVALID, "line %zu: the text is not UTF-8 (convert "
				"the file to UTF-8 first)", line);
		}
		else
			rc = take_line(&cards, &n, &cur, &p);
		if (rc < 0)
			break;
	}
	if (rc == 0 && cur)
		rc = ruta_error__set(RUTA_EINVALID, "line %zu: the card has no END:VCARD", cur->line);
	ruta_buf__dispose(&b);
	if (rc < 0) {
		ruta_vcard__free_all(cards, n);
		return rc;
	}
	*out = cards;
	*ncards = n;
	return 0;
}

/* ---- kinds of card -------------------------------------------------------------- */

static const ruta_vcard_prop *first_prop(const ruta_vcard *c, const char *name)
{
	size_t i;
	for (i = 0; i < c->nprops; i++)
		if (strcmp(c->props[i].name, name) == 0)
			return &c->props[i];
	return NULL;
}

/* 1 if FN, unescaped, is the first component of ORG. Works on copies:
 * values stay escaped in the card for the caller to split. */
static int fn_is_org(const ruta_vcard_prop *fn, const ruta_vcard_prop *org)
{
	char *f = strdup(fn->value), *o = strdup(org->value), *fp[1], *op[2];
	int same = 0;
	if (f && o) {
		ruta_vcard__split(fp, 1, f, 0);
		ruta_vcard__split(op, 2, o, ';');
		same = strcmp(fp[0], op[0]) == 0;
	}
	free(f);
	free(o);
	return same;
}

int ruta_vcard__is_org(const ruta_vcard *c)
{
	const ruta_vcard_prop *kind = first_prop(c, "KIND"), *org = first_prop(c, "ORG");
	const ruta_vcard_prop *fn = first_prop(c, "FN");
	if (kind)
		return strcasecmp(kind->value, "org") == 0;
	/* 2.1 and 3.0 have no KIND: address books write a company as a card
	 * whose only name is its ORG. */
	return org && !first_prop(c, "N") && (!fn || fn_is_org(fn, org));
}
