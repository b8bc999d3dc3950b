/*
 * cs_read.c - reading a changeset straight into C, without a JSON tree.
 *
 * Building Jansson's tree of a changeset, checking it and freeing it again
 * cost more than applying it. Sealing writes one form only (compact, keys
 * sorted, no whitespace), so this reader takes that form and nothing else:
 * it checks exactly what ruta_changeset__parse checks, on the bytes, and
 * turns every field change into a ruta_cs_field. Whatever it does not take
 * (whitespace, numbers with a fraction, a key it does not expect, any check
 * failing, valid or not) it hands to ruta_changeset__parse, which then
 * decides and words every refusal as it always has. So it never refuses
 * anything itself, and accepts only what the parser accepts.
 *
 * Strings are unescaped in place in a private copy of the bytes and
 * NUL-terminated there (an escape is never shorter than what it stands
 * for), so every string of the result points into cs->text.
 */
#include <stdlib.h>
#include <string.h>

#include "changeset.h"

#define LIMIT_53 9007199254740991LL

typedef struct reader {
	char *p, *end;
	ruta_cs *cs;
	size_t nrecs, caprecs, nf, capf, na, capa;
} reader;

/* ---- JSON, the subset sealing writes ------------------------------------------ */

static int eat(reader *rd, char c)
{
	if (rd->p >= rd->end || *rd->p != c)
		return -1;
	rd->p++;
	return 0;
}

/* The bytes of one UTF-8 character at `s`, or 0 if it is not one Jansson takes. */
static size_t utf8_char(const unsigned char *s, const unsigned char *end)
{
	size_t n, i;
	uint32_t c;
	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if ((size_t)(end - s) < n)
		return 0;
	c = s[0] & (0x3F >> (n - 1));
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
			(c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return n;
}

static int hex4(uint32_t *out, const char *s, const char *end)
{
	int i;
	*out = 0;
	if (end - s < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*out = (*out << 4) | (uint32_t)d;
	}
	return 0;
}

/* A \u escape at rd->p (past the 'u'), a surrogate pair taken whole, written
 * as UTF-8 at `*w`. */
static int unicode(reader *rd, char **w)
{
	uint32_t c, lo;
	if (hex4(&c, rd->p, rd->end) < 0 || c == 0 || (c >= 0xDC00 && c <= 0xDFFF))
		return -1;
	rd->p += 4;
	if (c >= 0xD800 && c <= 0xDBFF) {
		if (rd->end - rd->p < 6 || rd->p[0] != '\\' || rd->p[1] != 'u' ||
				hex4(&lo, rd->p + 2, rd->end) < 0 || lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		rd->p += 6;
		c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (c < 0x80) {
		*(*w)++ = (char)c;
	} else if (c < 0x800) {
		*(*w)++ = (char)(0xC0 | (c >> 6));
		*(*w)++ = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		*(*w)++ = (char)(0xE0 | (c >> 12));
		*(*w)++ = (char)(0x80 | ((c >> 6) & 0x3F));
		*(*w)++ = (char)(0x80 | (c & 0x3F));
	} else {
		*(*w)++ = (char)(0xF0 | (c >> 18));
		*(*w)++ = (char)(0x80 | ((c >> 12) & 0x3F));
		*(*w)++ = (char)(0x80 | ((c >> 6) & 0x3F));
		*(*w)++ = (char)(0x80 | (c & 0x3F));
	}
	return 0;
}

static int escape(reader *rd, char **w)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	char c;
	if (rd->p >= rd->end)
		return -1;
	c = *rd->p++;
	if (c == 'u')
		return unicode(rd, w);
	if (!(k = memchr(from, c, sizeof(from) - 1)))
		return -1;
	*(*w)++ = to[k - from];
	return 0;
}

/* A string, unescaped where it lies and NUL-terminated there. */
static int string(reader *rd, const char **out, size_t *len)
{
	char *w, *start;
	size_t n;
	if (eat(rd, '"') < 0)
		return -1;
	start = w = rd->p;
	while (rd->p < rd->end && *rd->p != '"') {
		unsigned char c = (unsigned char)*rd->p;
		if (c >= 0x20 && c < 0x80 && c != '\\' && w == rd->p) {
			w++;   /* the common case: plain ASCII, nothing unescaped yet */
			rd->p++;
			continue;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			rd->p++;
			if (escape(rd, &w) < 0)
				return -1;
			continue;
		}
		n = c < 0x80 ? 1 : utf8_char((const unsigned char *)rd->p, (const unsigned char *)rd->end);
		if (n == 0)
			return -1;
		if (w != rd->p)
			memmove(w, rd->p, n);
		w += n;
		rd->p += n;
	}
	if (eat(rd, '"') < 0)
		return -1;
	*w = '\0';
	*out = start;
	if (len)
		*len = (size_t)(w - start);
	return 0;
}

/* An integer within 2^53, as a number with no fraction or exponent. */
static int integer(reader *rd, int64_t *out)
{
	int neg = rd->p < rd->end && *rd->p == '-', digits = 0;
	int64_t v = 0;
	rd->p += neg;
	if (rd->p < rd->end && *rd->p == '0' && rd->p + 1 < rd->end && rd->p[1] >= '0' &&
			rd->p[1] <= '9')
		return -1;
	while (rd->p < rd->end && *rd->p >= '0' && *rd->p <= '9' && digits < 17) {
		v = v * 10 + (*rd->p++ - '0');
		digits++;
	}
	if (digits == 0 || digits == 17 || v > LIMIT_53 ||
			(rd->p < rd->end && (*rd->p == '.' || *rd->p == 'e' || *rd->p == 'E')))
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* Between members: 1 after a ',', 0 at the closing `close`. */
static int next(reader *rd, char close)
{
	if (eat(rd, ',') == 0)
		return 1;
	return eat(rd, close) == 0 ? 0 : -1;
}

/* An hlc as sealing writes it, 16 lower-case hex digits in quotes, read in
 * one pass; anything else (an escape, a bad digit, too large) the long way. */
static int hlc_plain(reader *rd, uint64_t *out)
{
	const char *p = rd->p;
	uint64_t v = 0;
	int i;
	if (rd->end - p < 18 || p[0] != '"' || p[17] != '"')
		return -1;
	for (i = 1; i <= 16; i++) {
		unsigned d = p[i] >= '0' && p[i] <= '9' ? (unsigned)(p[i] - '0') :
			p[i] >= 'a' && p[i] <= 'f' ? (unsigned)(p[i] - 'a' + 10) : 16;
		if (d == 16)
			return -1;
		v = v << 4 | d;
	}
	if (v > RUTA_HLC_MAX_SANE)
		return -1;
	rd->p += 18;
	*out = v;
	return 0;
}

static int hlc(reader *rd, uint64_t *out)
{
	const char *s;
	if (hlc_plain(rd, out) == 0)
		return 0;
	return string(rd, &s, NULL) < 0 || !ruta_cs__is_hex(s, 16) || ruta_hlc__parse(out, s) < 0 ||
		*out > RUTA_HLC_MAX_SANE ? -1 : 0;
}

/* ---- growing the arrays --------------------------------------------------------- */

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t want = *cap ? *cap * 2 : 64;
	if (n < *cap)
		return 0;
	if (!(nv = realloc(*v, want * size)))
		return -1;
	*v = nv;
	*cap = want;
	return 0;
}

/* ---- a record ------------------------------------------------------------------- */

static int value(reader *rd, ruta_cs_field *x)
{
	if (rd->p < rd->end && *rd->p == '"') {
		x->type = SQLITE_TEXT;
		return string(rd, &x->s, &x->len);
	}
	if (rd->end - rd->p >= 4 && memcmp(rd->p, "null", 4) == 0) {
		x->type = SQLITE_NULL;
		rd->p += 4;
		return 0;
	}
	x->type = SQLITE_INTEGER;
	return integer(rd, &x->i);
}

/* [v,h,b] or [v,h,b,[h,...]]; the superseded versions' places are kept as
 * offsets into rd's array until it stops moving. */
static int change(reader *rd, ruta_cs_field *x)
{
	size_t start = rd->na;
	int more;
	if (eat(rd, '[') < 0 || value(rd, x) < 0 || eat(rd, ',') < 0 || hlc(rd, &x->hlc) < 0 ||
			eat(rd, ',') < 0 || hlc(rd, &x->base) < 0 || (more = next(rd, ']')) < 0)
		return -1;
	x->also = NULL;
	x->nalso = 0;
	if (!more)
		return 0;
	if (eat(rd, '[') < 0)
		return -1;
	do {
		if (grow((void **)&rd->cs->also, &rd->capa, rd->na, sizeof(uint64_t)) < 0 ||
				hlc(rd, &rd->cs->also[rd->na++]) < 0)
			return -1;
	} while ((more = next(rd, ']')) == 1);
	x->nalso = rd->na - start;
	x->also = (uint64_t *)(uintptr_t)(start + 1);
	return more < 0 || eat(rd, ']') < 0 ? -1 : 0;
}

/* check_field's and check_value's rules, on a field read into C. */
static int field_ok(const ruta_cs *cs, const ruta_tabledef *t, const ruta_cs_field *x,
	const uint64_t *also)
{
	/* one look-up for ruta_schema__synced() and ruta_cs__wants_int() */
	const ruta_coldef *c = ruta_schema__col(t, x->col);
	int want_int = ruta_cs__wants_int(c);
	size_t k;
	if ((!c && !ruta_schema__synced(t, x->col)) || x->hlc < cs->hlc_min ||
			x->hlc > cs->hlc_max || x->base >= x->hlc || x->nalso > 256)
		return 0;
	for (k = 0; k < x->nalso; k++)
		if (also[k] >= x->hlc)
			return 0;
	if (x->type == SQLITE_NULL)
		return strcmp(x->col, "created_at") != 0;
	if (x->type == SQLITE_INTEGER)
		return x->i >= -LIMIT_53 && want_int;
	return x->len <= RUTA_CS_MAX_TEXT && !want_int;
}

/* {"col":change,...}: no column twice (the parser refuses duplicate keys). */
static int fields(reader *rd, size_t *first)
{
	size_t k;
	int more;
	*first = rd->nf;
	if (eat(rd, '{') < 0)
		return -1;
	do {
		ruta_cs_field *x;
		if (grow((void **)&rd->cs->fields, &rd->capf, rd->nf, sizeof(*x)) < 0)
			return -1;
		x = &rd->cs->fields[rd->nf];
		if (string(rd, &x->col, NULL) < 0 || eat(rd, ':') < 0 || change(rd, x) < 0)
			return -1;
		for (k = *first; k < rd->nf; k++)
			if (strcmp(rd->cs->fields[k].col, x->col) == 0)
				return -1;
		rd->nf++;
	} while ((more = next(rd, '}')) == 1);
	return more < 0 || rd->nf == *first ? -1 : 0;
}

static int has_created_at(const ruta_cs *cs, size_t first, size_t n)
{
	size_t k;
	for (k = first; k < first + n; k++)
		if (strcmp(cs->fields[k].col, "created_at") == 0)
			return 1;
	return 0;
}

/* {"f":{...},"id":"...","op":"u","t":"..."} in that order, as sealed. */
static int record(reader *rd)
{
	const char *id, *op, *t;
	ruta_cs_rec *x;
	size_t first, k;

	if (grow((void **)&rd->cs->recs, &rd->caprecs, rd->nrecs, sizeof(*x)) < 0)
		return -1;
	if (eat(rd, '{') < 0 || string(rd, &id, NULL) < 0 || strcmp(id, "f") || eat(rd, ':') < 0 ||
			fields(rd, &first) < 0 || eat(rd, ',') < 0 ||
			string(rd, &t, NULL) < 0 || strcmp(t, "id") || eat(rd, ':') < 0 ||
			string(rd, &id, NULL) < 0 || eat(rd, ',') < 0 ||
			string(rd, &t, NULL) < 0 || strcmp(t, "op") || eat(rd, ':') < 0 ||
			string(rd, &op, NULL) < 0 || eat(rd, ',') < 0 ||
			string(rd, &t, NULL) < 0 || strcmp(t, "t") || eat(rd, ':') < 0 ||
			string(rd, &t, NULL) < 0 || eat(rd, '}') < 0)
		return -1;
	x = &rd->cs->recs[rd->nrecs];
	x->t = ruta_schema__by_name(t);
	x->id = id;
	x->op = op[0];
	x->nf = rd->nf - first;
	x->f = (ruta_cs_field *)(uintptr_t)(first + 1);   /* an offset until the end */
	if (!x->t || !ruta_cs__is_id(id, 64) || !op[0] || op[1] || !strchr("iud", op[0]) ||
			(op[0] == 'i' && !has_created_at(rd->cs, first, x->nf)))
		return -1;
	for (k = first; k < rd->nf; k++) {
		const ruta_cs_field *y = &rd->cs->fields[k];
		if (!field_ok(rd->cs, x->t, y, y->nalso ?
				rd->cs->also + ((size_t)(uintptr_t)y->also - 1) : NULL))
			return -1;
	}
	rd->nrecs++;
	return 0;
}

/* ---- the header ------------------------------------------------------------------- */

/* {"hash":"...","seq":n}, built as the parser would. */
static int dep(reader *rd, json_t *deps, const char *replica)
{
	const char *k, *hash;
	int64_t seq;
	json_t *o;
	if (eat(rd, '{') < 0 || string(rd, &k, NULL) < 0 || strcmp(k, "hash") || eat(rd, ':') < 0 ||
			string(rd, &hash, NULL) < 0 || eat(rd, ',') < 0 || string(rd, &k, NULL) < 0 ||
			strcmp(k, "seq") || eat(rd, ':') < 0 || integer(rd, &seq) < 0 || eat(rd, '}') < 0 ||
			seq < 1 || !ruta_cs__is_hex(hash, 64) || !ruta_cs__is_id(replica, 64) ||
			json_object_get(deps, replica))
		return -1;
	o = json_object();
	if (!o || json_object_set_new(o, "hash", json_string(hash)) < 0 ||
			json_object_set_new(o, "seq", json_integer(seq)) < 0 ||
			json_object_set_new(deps, replica, o) < 0)
		return -1;
	return 0;
}

static int deps(reader *rd)
{
	const char *replica;
	int more;
	if (!(rd->cs->deps = json_object()) || eat(rd, '{') < 0)
		return -1;
	if (eat(rd, '}') == 0)
		return 0;
	do {
		if (string(rd, &replica, NULL) < 0 || eat(rd, ':') < 0 || dep(rd, rd->cs->deps, replica) < 0 ||
				json_object_size(rd->cs->deps) > RUTA_CS_MAX_DEPS)
			return -1;
	} while ((more = next(rd, '}')) == 1);
	return more;
}

static int key(reader *rd, const char *want)
{
	const char *k;
	return string(rd, &k, NULL) < 0 || strcmp(k, want) || eat(rd, ':') < 0 ? -1 : 0;
}

static int records(reader *rd)
{
	int more;
	if (eat(rd, '[') < 0)
		return -1;
	do {
		if (rd->nrecs >= RUTA_CS_MAX_RECORDS || record(rd) < 0)
			return -1;
	} while ((more = next(rd, ']')) == 1);
	return more;
}

/* The root object, keys in sorted order, then check_header's rules. */
static int root(reader *rd)
{
	ruta_cs *cs = rd->cs;
	const char *format;
	if (eat(rd, '{') < 0 || key(rd, "deps") < 0 || deps(rd) < 0 || eat(rd, ',') < 0 ||
			key(rd, "format") < 0 || string(rd, &format, NULL) < 0 || eat(rd, ',') < 0 ||
			key(rd, "hlc") < 0 || eat(rd, '{') < 0 || key(rd, "max") < 0 ||
			hlc(rd, &cs->hlc_max) < 0 || eat(rd, ',') < 0 || key(rd, "min") < 0 ||
			hlc(rd, &cs->hlc_min) < 0 || eat(rd, '}') < 0 || eat(rd, ',') < 0 ||
			key(rd, "key") < 0 || string(rd, &cs->key, NULL) < 0 || eat(rd, ',') < 0 ||
			key(rd, "prev") < 0 || string(rd, &cs->prev, NULL) < 0 || eat(rd, ',') < 0 ||
			cs->hlc_min > cs->hlc_max ||
			key(rd, "records") < 0 || records(rd) < 0 || eat(rd, ',') < 0 ||
			key(rd, "replica") < 0 || string(rd, &cs->replica, NULL) < 0 || eat(rd, ',') < 0 ||
			key(rd, "seq") < 0 || integer(rd, &cs->seq) < 0 || eat(rd, '}') < 0)
		return -1;
	return strcmp(format, RUTA_CS_FORMAT) || !ruta_cs__is_id(cs->replica, 64) ||
		strncmp(cs->key, "SHA256:", 7) || strlen(cs->key) > 60 || !ruta_cs__is_hex(cs->prev, 64) ||
		cs->seq < 1 || (cs->seq == 1 && strcmp(cs->prev, RUTA_GENESIS)) ? -1 : 0;
}

/* The offsets kept while the arrays grew, made pointers. */
static void settle(reader *rd)
{
	ruta_cs *cs = rd->cs;
	size_t i, k;
	for (i = 0; i < rd->nrecs; i++) {
		ruta_cs_rec *x = &cs->recs[i];
		x->f = cs->fields + ((size_t)(uintptr_t)x->f - 1);
		for (k = 0; k < x->nf; k++)
			x->f[k].also = x->f[k].nalso ?
				cs->also + ((size_t)(uintptr_t)x->f[k].also - 1) : NULL;
	}
	cs->nrecs = rd->nrecs;
	cs->changes = (int64_t)rd->nf;
}

static int fast(ruta_cs *cs, const char *body, size_t len)
{
	reader rd;
	memset(&rd, 0, sizeof(rd));
	rd.cs = cs;
	if (len < 2 || body[len - 1] != '\n' || memchr(body, '\0', len) || !(cs->text = malloc(len)))
		return -1;
	memcpy(cs->text, body, len - 1);
	rd.p = cs->text;
	rd.end = cs->text + len - 1;
	if (root(&rd) < 0 || rd.p != rd.end)
		return -1;
	settle(&rd);
	return 0;
}

int ruta_changeset__read(ruta_cs *out, const char *body, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (len <= RUTA_CS_MAX_BYTES && fast(out, body, len) == 0)
		return 0;
	ruta_changeset__free(out);
	return ruta_changeset__parse(out, body, len);
}
