/*
 * normalize.c - validation and canonical forms of CRM field values.
 *
 * Values typed on one replica are compared and merged on others, so every
 * canonical form here must come out the same on every machine: nothing uses
 * the C locale (ASCII is classified by hand, numbers parsed by hand), and
 * only datetimes without a zone read the TZ environment, by definition.
 * On failure an output holds the empty string (or 0) and the message quotes
 * the value as given, cut short and with control bytes masked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "normalize.h"

#define SHOW_MAX 40            /* bytes of a value quoted in a message */
#define EMAIL_MAX 254          /* RFC 5321 path limit less the brackets */
#define PHONE_DIGITS_MAX 17    /* room for "00" and 15 digits */
#define TAX_COMPACT_MAX 32     /* "CC:" and more than any valid id */
#define TAX_OTHER_MAX 20
#define TAG_MAX 40             /* characters of a tag */
#define TAG_BYTES_MAX (4 * TAG_MAX)
#define MINOR_MAX 9007199254740991ULL /* 2^53-1: exact in a double, so in JSON */

/* ---- ASCII, without the locale ---- */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_alpha(int c) { return is_upper(c) || is_lower(c); }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static int to_upper(int c) { return is_lower(c) ? c - 'a' + 'A' : c; }
static int to_lower(int c) { return is_upper(c) ? c - 'A' + 'a' : c; }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The value without surrounding blanks: pasted cells and form fields often
 * carry them, and they are never meaningful. NULL reads as "". */
static const char *trim(const char *in, size_t *n)
{
	size_t len;
	if (!in)
		in = "";
	while (is_blank((unsigned char)*in))
		in++;
	len = strlen(in);
	while (len > 0 && is_blank((unsigned char)in[len - 1]))
		len--;
	*n = len;
	return in;
}

/* ---- UTF-8 ---- */

/* Length of the well-formed sequence at p (Unicode table 3-7), 0 if none:
 * the second-byte ranges exclude overlongs, surrogates and > U+10FFFF. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t len, i;
	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (left < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

int ruta_utf8__valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	if (!s)
		return n == 0;
	while (i < n) {
		if (!(len = utf8_seq(p + i, n - i)))
			return 0;
		i += len;
	}
	return 1;
}

void ruta_utf8__repair(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n = strlen(s), i = 0, len;
	while (i < n) {
		if ((len = utf8_seq(p + i, n - i)))
			i += len;
		else
			p[i++] = '?';
	}
}

/* ---- messages ---- */

/* The value as a message quotes it: cut on a character boundary, control
 * bytes (and every non-ASCII byte if it is not UTF-8) as '?', so a pasted
 * document can neither flood nor garble the terminal or a JSON report. */
static const char *show(char buf[SHOW_MAX + 4], const char *in)
{
	size_t n = 0, i;
	int utf8;
	if (!in)
		in = "";
	while (in[n] && n < SHOW_MAX)
		n++;
	while (in[n] && n > 0 && ((unsigned char)in[n] & 0xC0) == 0x80)
		n--;
	utf8 = ruta_utf8__valid(in, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		buf[i] = (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8)) ? '?' : (char)c;
	}
	strcpy(buf + n, in[n] ? "..." : "");
	return buf;
}

static int refuse(const char *in, const char *fmt, ...) RUTA_PRINTF(2, 3);

/* Records "'<value>' <why>" and returns RUTA_EINVALID. */
static int refuse(const char *in, const char *fmt, ...)
{
	char quoted[SHOW_MAX + 4], why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return ruta_error__set(RUTA_EINVALID, "'%s' %s", show(quoted, in), why);
}

static void clear(char *out, size_t size)
{
	if (out && size)
		out[0] = '\0';
}

/* Copies n bytes and a NUL into out, or refuses the value as too long. */
static int put(char *out, size_t size, const char *s, size_t n, const char *in)
{
	if (n >= size)
		return refuse(in, "is too long (at most %zu characters)", size ? size - 1 : 0);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* The value of k ASCII digits at s, or -1. */
static long digits_value(const char *s, size_t k)
{
	long v = 0;
	size_t i;
	for (i = 0; i < k; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Parses a run of digits that must be the whole of s[0..n): 0, -1 if it is
 * not one, -2 if it exceeds max (checked before it could overflow). */
static int parse_uint(uint64_t *out, const char *s, size_t n, uint64_t max)
{
	uint64_t v = 0;
	size_t i;
	int over = 0;
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			over = 1;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return over ? -2 : 0;
}

/* ---- email ---- */

/* A byte that cannot be in an address: ASCII blanks and controls, and the
 * UTF-8 forms of C1 controls and NO-BREAK SPACE (U+0080..U+00A0), which
 * arrive with addresses copied from web pages and look like nothing. */
static int email_bad_at(const unsigned char *p, size_t left)
{
	if (p[0] <= 0x20 || p[0] == 0x7F)
		return 1;
	return p[0] == 0xC2 && left > 1 && p[1] <= 0xA0;
}

/* Dot-separated labels of letters, digits and '-' (any non-ASCII byte too,
 * for internationalized names), at least two of them, none empty. */
static int email_domain_ok(const char *d, size_t n)
{
	size_t i, label = 0, dots = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			dots++;
		} else if (is_alnum(c) || c == '-' || c >= 0x80) {
			label++;
		} else {
			return 0;
		}
	}
	return dots > 0 && label > 0;
}

static int email_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i;
	if (!ruta_utf8__valid(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if (email_bad_at((const unsigned char *)s + i, n - i))
			return 0;
	if (!at || at == s || memchr(at + 1, '@', n - (size_t)(at + 1 - s)))
		return 0;
	return email_domain_ok(at + 1, n - (size_t)(at + 1 - s));
}

int ruta_norm__email(char *raw, char *norm, size_t size, const char *in)
{
	size_t n, i;
	const char *s = trim(in, &n);
	int err;
	clear(raw, size);
	clear(norm, size);
	if (n > EMAIL_MAX)
		return refuse(in, "is too long for an email address (at most %d bytes)", EMAIL_MAX);
	if (!email_ok(s, n))
		return refuse(in, "is not an email address (expected name@domain.tld)");
	if ((err = put(norm, size, s, n, in)) < 0)
		return err;
	for (i = 0; i < n; i++)
		norm[i] = (char)to_lower((unsigned char)norm[i]);
	if (raw && (err = put(raw, size, s, n, in)) < 0) {
		clear(norm, size);
		return err;
	}
	return 0;
}

/* ---- tag ---- */

#define TAG_FORM "letters, digits, single spaces and - _ . / + &"

/* The code point of a well-formed sequence of `len` bytes. */
static uint32_t utf8_cp(const unsigned char *p, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
	uint32_t c = p[0] & lead_mask[len];
	size_t i;
	for (i = 1; i < len; i++)
		c = (c << 6) | (p[i] & 0x3F);
	return c;
}

static size_t utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Lower case for the capitals of Latin-1 and Latin Extended-A and Romanian
 * Ș Ț: the letters Spanish, Romanian and their neighbours write. Fixed
 * here, not taken from a locale, so every replica folds alike; other
 * scripts are compared as typed. Never longer in UTF-8 than the capital. */
static uint32_t fold_tag_char(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if (c == 0x130)                       /* İ: its lower case is a plain i */
		return 'i';
	if (c == 0x178)                       /* Ÿ */
		return 0xFF;
	if (((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177) ||
			(c >= 0x218 && c <= 0x21B)) && c % 2 == 0)
		return c + 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && c % 2 == 1)
		return c + 1;
	return c;
}

/* Spaces other than U+0020 and characters that print as nothing: two tags
 * that look alike must be one tag. */
static int invisible(uint32_t c)
{
	return (c >= 0x80 && c <= 0xA0) || c == 0xAD || c == 0x34F || c == 0x1680 ||
		(c >= 0x180B && c <= 0x180E) || (c >= 0x2000 && c <= 0x200F) ||
		(c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x206F) ||
		c == 0x3000 || c == 0xFEFF || (c >= 0xFFF0 && c <= 0xFFFF);
}

static int tag_ascii_ok(int c)
{
	return is_alnum(c) || c == ' ' || c == '-' || c == '_' || c == '.' || c == '/' ||
		c == '+' || c == '&';
}

/* Checks one character of a trimmed tag (at byte `at`). */
static int tag_char_ok(const char *in, const unsigned char *p, size_t len, size_t at)
{
	uint32_t c = utf8_cp(p, len);
	if (c < 0x20 || c == 0x7F)
		return refuse(in, "contains a control character (byte 0x%02X at offset %zu); "
			"a tag is one line of " TAG_FORM, (unsigned)c, at);
	if (c < 0x80 && !tag_ascii_ok((int)c))
		return refuse(in, "contains '%c', which a tag cannot hold (a tag has " TAG_FORM ")",
			(int)c);
	if (invisible(c))
		return refuse(in, "contains U+%04X, a special space or an invisible character; "
			"use a plain space", (unsigned)c);
	if (at == 0 && c < 0x80 && !is_alnum((int)c))
		return refuse(in, "must start with a letter or a digit");
	return 0;
}

int ruta_norm__tag(char *out, size_t size, const char *in)
{
	const unsigned char *p;
	size_t n, i = 0, len, k = 0, chars = 0;
	const char *s = trim(in, &n);
	int err;

	clear(out, size);
	if (n == 0)
		return refuse(in, "is not a tag: it is empty (a tag has 1 to %d %s)", TAG_MAX,
			TAG_FORM);
	if (!ruta_utf8__valid(s, n))
		return refuse(in, "is not valid UTF-8 text");
	if (size < TAG_BYTES_MAX + 1)
		return refuse(in, "is too long (at most %zu bytes)", size ? size - 1 : 0);
	p = (const unsigned char *)s;
	for (i = 0; i < n; i += len) {
		len = utf8_seq(p + i, n - i);
		if ((err = tag_char_ok(in, p + i, len, i)) < 0) {
			clear(out, size);
			return err;
		}
		if (p[i] == ' ' && k > 0 && out[k - 1] == ' ')
			continue;   /* runs of spaces are one space */
		if (++chars > TAG_MAX) {
			clear(out, size);
			return refuse(in, "is too long for a tag (at most %d characters)", TAG_MAX);
		}
		k += utf8_put(out + k, fold_tag_char(utf8_cp(p + i, len)));
	}
	out[k] = '\0';
	return 0;
}

/* ---- phone ---- */

/*
 * National numbering plans we are sure of. `trunk` is the national prefix
 * E.164 drops (0 for none); `min`..`max` and `first` describe the digits
 * after it. A `closed` plan has one length for everything, so it also
 * checks international numbers with its code; Italy's numbers vary too
 * much for that, and keep their leading 0 after +39.
 */
static const struct dial_plan {
	char country[3];
	const char *code;
	char trunk;
	char trunk_optional;
	unsigned char min, max;
	const char *first;
	char closed;
	const char *national, *after_code;
} dial_plans[] = {
	{ "CA", "1", '1', 1, 10, 10, "23456789", 1, "10 digits, area code first",
		"10 digits, area code first" },
	{ "ES", "34", 0, 0, 9, 9, "6789", 1, "9 digits starting with 6, 7, 8 or 9",
		"9 digits starting with 6, 7, 8 or 9" },
	{ "FR", "33", '0', 0, 9, 9, "123456789", 1, "10 digits starting with 0",
		"9 digits, without the national 0" },
	{ "IT", "39", 0, 0, 6, 11, "03", 0, "6 to 11 digits starting with 0 or 3", NULL },
	{ "PT", "351", 0, 0, 9, 9, "23456789", 1, "9 digits starting with 2 to 9",
		"9 digits starting with 2 to 9" },
	{ "RO", "40", '0', 0, 9, 9, "123456789", 1, "10 digits starting with 0",
		"9 digits, without the national 0" },
	{ "US", "1", '1', 1, 10, 10, "23456789", 1, "10 digits, area code first",
		"10 digits, area code first" },
};

#define PHONE_CHARS "only digits, spaces, - . / ( ) and a leading + are allowed"

/* Collects the digits of a written number into d (NUL-terminated) and sets
 * *intl when it starts with '+' (which is not kept). "(0)" after the
 * country code, as in "+44 (0)20 ...", is the national prefix written for
 * callers at home, and is dropped. */
static int phone_digits(char d[PHONE_DIGITS_MAX + 1], int *intl, const char *in)
{
	size_t n, i, k = 0;
	const char *s = trim(in, &n);
	*intl = n > 0 && s[0] == '+';
	for (i = *intl ? 1 : 0; i < n; i++) {
		char c = s[i];
		if (c == '(' && n - i >= 3 && s[i + 1] == '0' && s[i + 2] == ')' &&
				((*intl && k > 0) || (k >= 3 && d[0] == '0' && d[1] == '0'))) {
			i += 2;
		} else if (is_digit((unsigned char)c)) {
			if (k == PHONE_DIGITS_MAX)
				return refuse(in, "is not a phone number (too many digits)");
			d[k++] = c;
		} else if (!strchr(" -./()", c)) {
			return refuse(in, "is not a phone number (" PHONE_CHARS ")");
		}
	}
	d[k] = '\0';
	if (k == 0)
		return refuse(in, "is not a phone number (" PHONE_CHARS ")");
	return 0;
}

/* Whether `rest` (the digits after a plan's code or trunk) fits the plan. */
static int plan_fits(const struct dial_plan *p, const char *rest)
{
	size_t n = strlen(rest);
	return n >= p->min && n <= p->max && n > 0 && strchr(p->first, rest[0]) != NULL;
}

/* d holds the digits after "+" or "00". */
static int phone_international(const char *d, const char *in)
{
	size_t n = strlen(d), i, cl;
	if (d[0] == '0')
		return refuse(in, "is not a phone number (country codes do not start with 0)");
	if (n < 8 || n > 15)
		return refuse(in, "is not a phone number (E.164 numbers have 8 to 15 digits after +)");
	for (i = 0; i < sizeof(dial_plans) / sizeof(dial_plans[0]); i++) {
		const struct dial_plan *p = &dial_plans[i];
		cl = strlen(p->code);
		if (p->closed && strncmp(d, p->code, cl) == 0 && !plan_fits(p, d + cl))
			return refuse(in, "is not a phone number for +%s (expected %s after it)",
				p->code, p->after_code);
	}
	return 0;
}

static const struct dial_plan *dial_plan_of(const char *country)
{
	size_t i;
	if (!country || strlen(country) != 2)
		return NULL;
	for (i = 0; i < sizeof(dial_plans) / sizeof(dial_plans[0]); i++)
		if (to_upper((unsigned char)country[0]) == dial_plans[i].country[0] &&
				to_upper((unsigned char)country[1]) == dial_plans[i].country[1])
			return &dial_plans[i];
	return NULL;
}

/* Rewrites the national number in d as the digits after "+". */
static int phone_national(char d[PHONE_DIGITS_MAX + 1], const char *in,
	const char *country)
{
	const struct dial_plan *p = dial_plan_of(country);
	const char *rest = d;
	char full[PHONE_DIGITS_MAX + 8];
	if (!p)
		return refuse(in, "has no country code (write + and the country code first, "
			"e.g. +34 612 345 678)");
	if (p->trunk && d[0] == p->trunk && (!p->trunk_optional || strlen(d) == (size_t)p->max + 1))
		rest = d + 1;
	else if (p->trunk && !p->trunk_optional)
		rest = "";
	if (!plan_fits(p, rest))
		return refuse(in, "is not a phone number for %s (expected %s, or + and the country code)",
			p->country, p->national);
	snprintf(full, sizeof(full), "%s%s", p->code, rest);
	if (strlen(full) > PHONE_DIGITS_MAX)
		return refuse(in, "is not a phone number (too many digits)");
	memcpy(d, full, strlen(full) + 1);
	return 0;
}

int ruta_norm__phone(char *e164, size_t size, const char *in, const char *country)
{
	char d[PHONE_DIGITS_MAX + 1], out[PHONE_DIGITS_MAX + 2];
	int intl, err;
	clear(e164, size);
	if ((err = phone_digits(d, &intl, in)) < 0)
		return err;
	if (!intl && d[0] == '0' && d[1] == '0') {
		intl = 1;
		memmove(d, d + 2, strlen(d + 2) + 1);
	}
	if (!intl && (err = phone_national(d, in, country)) < 0)
		return err;
	if ((err = phone_international(d, in)) < 0)
		return err;
	out[0] = '+';
	strcpy(out + 1, d);
	return put(e164, size, out, strlen(out), in);
}

/* ---- countries ---- */

/* ISO 3166-1 alpha-2, all 249 officially assigned codes, sorted for
 * bsearch (from the iso-codes 4.15 list). */
static const char countries[][3] = {
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT",
	"AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI",
	"BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
	"BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
	"CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
	"DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
	"FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL",
	"GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
	"HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
	"IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
	"KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS",
	"LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
	"ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW",
	"MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP",
	"NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
	"PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
	"SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
	"SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
	"TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
	"TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
	"VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

static int cmp_country(const void *a, const void *b)
{
	return memcmp(a, b, 2);
}

/* Whether two ASCII letters (any case) are an assigned code; the
 * upper-cased code goes to out. */
static int country_known(char out[3], const char *s)
{
	out[0] = (char)to_upper((unsigned char)s[0]);
	out[1] = (char)to_upper((unsigned char)s[1]);
	out[2] = '\0';
	if (!is_upper((unsigned char)out[0]) || !is_upper((unsigned char)out[1]))
		return 0;
	return bsearch(out, countries, sizeof(countries) / sizeof(countries[0]),
		sizeof(countries[0]), cmp_country) != NULL;
}

int ruta_norm__country(char out[3], const char *in)
{
	size_t n;
	const char *s = trim(in, &n);
	char cc[3];
	clear(out, 3);
	if (n == 2 && country_known(cc, s)) {
		memcpy(out, cc, 3);
		return 0;
	}
	/* The two codes people type that ISO assigns to no one. */
	if (n == 2 && cc[0] == 'U' && cc[1] == 'K')
		return refuse(in, "is not an ISO 3166 country code (the United Kingdom is GB)");
	if (n == 2 && cc[0] == 'E' && cc[1] == 'L')
		return refuse(in, "is not an ISO 3166 country code (Greece is GR)");
	return refuse(in, "is not a country code (expected two letters from ISO 3166-1, e.g. ES)");
}

/* ---- tax ids ---- */

static const char dni_letters[] = "TRWAGMYFPDXBNJZSQVHLCKE";
static const char cif_letters[] = "JABCDEFGHI";

/* Upper-cases and drops the separators people write ids with. */
static int tax_compact(char c[TAX_COMPACT_MAX + 1], size_t *len, const char *in)
{
	size_t n, i, k = 0;
	const char *s = trim(in, &n);
	for (i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];
		if (strchr(" \t-./", ch))
			continue;
		if (!is_alnum(ch) && ch != ':')
			return refuse(in, "is not a tax id (only letters, digits, spaces and - . / are allowed)");
		if (k == TAX_COMPACT_MAX)
			return refuse(in, "is too long for a tax id");
		c[k++] = (char)to_upper(ch);
	}
	c[k] = '\0';
	*len = k;
	return 0;
}

/* Splits "CC:ID" (or "ESID", "ROID") into a known country and the id. */
static int tax_split(char cc[3], const char **id, const char *c, size_t n, const char *in)
{
	size_t i;
	if (n >= 3 && c[2] == ':')
		*id = c + 3;
	else if (n > 2 && (strncmp(c, "ES", 2) == 0 || strncmp(c, "RO", 2) == 0))
		*id = c + 2;
	else
		return refuse(in, "is not a tax id (expected CC:ID, e.g. ES:B12345674)");
	if (!country_known(cc, c))
		return refuse(in, "does not start with a known country code (expected CC:ID, e.g. ES:B12345674)");
	for (i = 0; (*id)[i]; i++)
		if (!is_alnum((unsigned char)(*id)[i]))
			return refuse(in, "is not a tax id (expected CC:ID, e.g. ES:B12345674)");
	return 0;
}

/* The CIF control (0-9): the Luhn check digit of the 7 digits. */
static int cif_control(const char *d7)
{
	int sum = 0, i, v;
	for (i = 0; i < 7; i++) {
		v = d7[i] - '0';
		if (i % 2 == 0)
			v = v * 2 / 10 + v * 2 % 10;
		sum += v;
	}
	return (10 - sum % 10) % 10;
}

/*
 * CIF: the entity letter says whether the control is a letter (P Q R S W N:
 * public bodies, religious orders, foreign entities), a digit (A B E H:
 * companies, communities of goods or owners) or, for the rest, either, as
 * sources disagree and both are seen on real documents.
 */
static int es_cif(const char *id, const char *in)
{
	int c = cif_control(id + 1);
	char last = id[8];
	if (strchr("PQRSWN", id[0])) {
		if (!is_upper((unsigned char)last))
			return refuse(in, "is not a valid CIF (those starting with %c end in a letter)", id[0]);
	} else if (strchr("ABEH", id[0])) {
		if (!is_digit((unsigned char)last))
			return refuse(in, "is not a valid CIF (those starting with %c end in a digit)", id[0]);
	}
	if (last != '0' + c && last != cif_letters[c])
		return refuse(in, "has a wrong check character (look for a typo)");
	return 0;
}

/*
 * DNI (8 digits), NIE (X, Y, Z read as 0, 1, 2, then 7 digits) and the
 * K, L, M forms (NIFs for minors, Spaniards abroad and foreigners without
 * NIE; 7 digits) all end in dni_letters[number % 23].
 */
static int es_personal(const char *id, const char *in)
{
	long v;
	if (is_digit((unsigned char)id[0]))
		v = digits_value(id, 8);
	else if (strchr("XYZ", id[0]))
		v = (id[0] - 'X') * 10000000L + digits_value(id + 1, 7);
	else
		v = digits_value(id + 1, 7);
	if (v < 0 || !is_upper((unsigned char)id[8]))
		return refuse(in, "is not a tax id for ES (expected a DNI like 12345678Z, "
			"an NIE like X1234567L or a CIF like B12345674)");
	if (id[8] != dni_letters[v % 23])
		return refuse(in, "has a wrong check letter (look for a typo)");
	return 0;
}

static int es_tax_id(const char *id, const char *in)
{
	if (strlen(id) != 9 || digits_value(id + 1, 7) < 0 ||
			!(is_digit((unsigned char)id[0]) || strchr("XYZKLMABCDEFGHJNPQRSUVW", id[0])))
		return refuse(in, "is not a tax id for ES (expected a DNI like 12345678Z, "
			"an NIE like X1234567L or a CIF like B12345674)");
	if (is_digit((unsigned char)id[0]) || strchr("XYZKLM", id[0]))
		return es_personal(id, in);
	return es_cif(id, in);
}

/* CUI: weights 7,5,3,2,1,7,5,3,2 on the digits before the check digit,
 * right-aligned; the sum times 10 modulo 11, with 10 written as 0. */
static int ro_tax_id(const char *id, const char *in)
{
	static const char key[] = "753217532";
	size_t n = strlen(id), i;
	int sum = 0;
	if (n < 2 || n > 10 || id[0] == '0' || !all_digits(id, n))
		return refuse(in, "is not a tax id for RO (expected a CUI of 2 to 10 digits, e.g. RO18547290)");
	for (i = 0; i + 1 < n; i++)
		sum += (key[9 - (n - 1) + i] - '0') * (id[i] - '0');
	if (id[n - 1] - '0' != sum * 10 % 11 % 10)
		return refuse(in, "has a wrong check digit (look for a typo)");
	return 0;
}

int ruta_norm__tax_id(char *norm, size_t size, const char *in)
{
	char c[TAX_COMPACT_MAX + 1], cc[3], out[3 + TAX_COMPACT_MAX + 1];
	const char *id = NULL;
	size_t n = 0;
	int err;
	clear(norm, size);
	if ((err = tax_compact(c, &n, in)) < 0 || (err = tax_split(cc, &id, c, n, in)) < 0)
		return err;
	if (strcmp(cc, "ES") == 0)
		err = es_tax_id(id, in);
	else if (strcmp(cc, "RO") == 0)
		err = ro_tax_id(id, in);
	else if (strlen(id) < 2 || strlen(id) > TAX_OTHER_MAX)
		err = refuse(in, "is not a tax id (expected 2 to %d letters and digits after %s:)",
			TAX_OTHER_MAX, cc);
	if (err < 0)
		return err;
	snprintf(out, sizeof(out), "%s:%s", cc, id);
	return put(norm, size, out, strlen(out), in);
}

/* ---- currencies and amounts ---- */

/*
 * ISO 4217 list one (2024 amendments: with ZWG and XCG, without HRK, which
 * Croatia gave up for the euro in 2023) and each code's minor-unit digits,
 * sorted for bsearch. Codes whose minor unit ISO gives as "N.A." (precious
 * metals, bond-market units, XDR, XSU, XUA, XTS, XXX) are left out: they
 * cannot hold an amount. Codes ISO is phasing out stay until it drops them.
 */
static const struct currency {
	char code[4];
	unsigned char exp;
} currencies[] = {
	{ "AED", 2 }, { "AFN", 2 }, { "ALL", 2 }, { "AMD", 2 }, { "ANG", 2 },
	{ "AOA", 2 }, { "ARS", 2 }, { "AUD", 2 }, { "AWG", 2 }, { "AZN", 2 },
	{ "BAM", 2 }, { "BBD", 2 }, { "BDT", 2 }, { "BGN", 2 }, { "BHD", 3 },
	{ "BIF", 0 }, { "BMD", 2 }, { "BND", 2 }, { "BOB", 2 }, { "BOV", 2 },
	{ "BRL", 2 }, { "BSD", 2 }, { "BTN", 2 }, { "BWP", 2 }, { "BYN", 2 },
	{ "BZD", 2 }, { "CAD", 2 }, { "CDF", 2 }, { "CHE", 2 }, { "CHF", 2 },
	{ "CHW", 2 }, { "CLF", 4 }, { "CLP", 0 }, { "CNY", 2 }, { "COP", 2 },
	{ "COU", 2 }, { "CRC", 2 }, { "CUC", 2 }, { "CUP", 2 }, { "CVE", 2 },
	{ "CZK", 2 }, { "DJF", 0 }, { "DKK", 2 }, { "DOP", 2 }, { "DZD", 2 },
	{ "EGP", 2 }, { "ERN", 2 }, { "ETB", 2 }, { "EUR", 2 }, { "FJD", 2 },
	{ "FKP", 2 }, { "GBP", 2 }, { "GEL", 2 }, { "GHS", 2 }, { "GIP", 2 },
	{ "GMD", 2 }, { "GNF", 0 }, { "GTQ", 2 }, { "GYD", 2 }, { "HKD", 2 },
	{ "HNL", 2 }, { "HTG", 2 }, { "HUF", 2 }, { "IDR", 2 }, { "ILS", 2 },
	{ "INR", 2 }, { "IQD", 3 }, { "IRR", 2 }, { "ISK", 0 }, { "JMD", 2 },
	{ "JOD", 3 }, { "JPY", 0 }, { "KES", 2 }, { "KGS", 2 }, { "KHR", 2 },
	{ "KMF", 0 }, { "KPW", 2 }, { "KRW", 0 }, { "KWD", 3 }, { "KYD", 2 },
	{ "KZT", 2 }, { "LAK", 2 }, { "LBP", 2 }, { "LKR", 2 }, { "LRD", 2 },
	{ "LSL", 2 }, { "LYD", 3 }, { "MAD", 2 }, { "MDL", 2 }, { "MGA", 2 },
	{ "MKD", 2 }, { "MMK", 2 }, { "MNT", 2 }, { "MOP", 2 }, { "MRU", 2 },
	{ "MUR", 2 }, { "MVR", 2 }, { "MWK", 2 }, { "MXN", 2 }, { "MXV", 2 },
	{ "MYR", 2 }, { "MZN", 2 }, { "NAD", 2 }, { "NGN", 2 }, { "NIO", 2 },
	{ "NOK", 2 }, { "NPR", 2 }, { "NZD", 2 }, { "OMR", 3 }, { "PAB", 2 },
	{ "PEN", 2 }, { "PGK", 2 }, { "PHP", 2 }, { "PKR", 2 }, { "PLN", 2 },
	{ "PYG", 0 }, { "QAR", 2 }, { "RON", 2 }, { "RSD", 2 }, { "RUB", 2 },
	{ "RWF", 0 }, { "SAR", 2 }, { "SBD", 2 }, { "SCR", 2 }, { "SDG", 2 },
	{ "SEK", 2 }, { "SGD", 2 }, { "SHP", 2 }, { "SLE", 2 }, { "SLL", 2 },
	{ "SOS", 2 }, { "SRD", 2 }, { "SSP", 2 }, { "STN", 2 }, { "SVC", 2 },
	{ "SYP", 2 }, { "SZL", 2 }, { "THB", 2 }, { "TJS", 2 }, { "TMT", 2 },
	{ "TND", 3 }, { "TOP", 2 }, { "TRY", 2 }, { "TTD", 2 }, { "TWD", 2 },
	{ "TZS", 2 }, { "UAH", 2 }, { "UGX", 0 }, { "USD", 2 }, { "USN", 2 },
	{ "UYI", 0 }, { "UYU", 2 }, { "UYW", 4 }, { "UZS", 2 }, { "VED", 2 },
	{ "VES", 2 }, { "VND", 0 }, { "VUV", 0 }, { "WST", 2 }, { "XAF", 0 },
	{ "XCD", 2 }, { "XCG", 2 }, { "XOF", 0 }, { "XPF", 0 }, { "YER", 2 },
	{ "ZAR", 2 }, { "ZMW", 2 }, { "ZWG", 2 }, { "ZWL", 2 },
};

static int cmp_currency(const void *key, const void *elem)
{
	return memcmp(key, ((const struct currency *)elem)->code, 3);
}

/* Only the exact form: callers store the code as given, so "eur" or
 * " EUR" must not pass. */
int ruta_norm__currency(int *out_exp, const char *in)
{
	const struct currency *c = NULL;
	if (out_exp)
		*out_exp = 0;
	if (in && strlen(in) == 3 && is_upper((unsigned char)in[0]) &&
			is_upper((unsigned char)in[1]) && is_upper((unsigned char)in[2]))
		c = bsearch(in, currencies, sizeof(currencies) / sizeof(currencies[0]),
			sizeof(currencies[0]), cmp_currency);
	if (!c)
		return refuse(in, "is not a currency code (expected an ISO 4217 code in capitals, e.g. EUR)");
	if (out_exp)
		*out_exp = c->exp;
	return 0;
}

enum { AMOUNT_OK, AMOUNT_SYNTAX, AMOUNT_DECIMALS, AMOUNT_RANGE };

/* digits ["." digits] into minor units of `exp` decimals. A point needs
 * digits on both sides: ".5" and "5." are typos as often as not. */
static int parse_amount(uint64_t *out, const char *s, size_t n, int exp)
{
	const char *dot = memchr(s, '.', n);
	size_t whole = dot ? (size_t)(dot - s) : n, decimals = dot ? n - whole - 1 : 0;
	uint64_t units = 0, frac = 0;
	int rc;
	if (whole == 0 || (dot && decimals == 0) || !all_digits(s, whole) ||
			(dot && !all_digits(dot + 1, decimals)))
		return AMOUNT_SYNTAX;
	if (decimals > (size_t)exp)
		return AMOUNT_DECIMALS;
	rc = parse_uint(&units, s, whole, MINOR_MAX);
	if (dot)
		parse_uint(&frac, dot + 1, decimals, MINOR_MAX);
	for (; decimals < (size_t)exp; decimals++)
		frac *= 10;
	for (; exp > 0; exp--) {
		if (units > MINOR_MAX / 10)
			rc = -2;
		units *= 10;
	}
	if (rc < 0 || units > MINOR_MAX - frac)
		return AMOUNT_RANGE;
	*out = units + frac;
	return AMOUNT_OK;
}

int ruta_norm__money(int64_t *out_minor, const char *in, const char *currency)
{
	size_t n;
	const char *s = trim(in, &n);
	uint64_t v = 0;
	int exp, err;
	char max[32];
	if (out_minor)
		*out_minor = 0;
	if ((err = ruta_norm__currency(&exp, currency)) < 0)
		return err;
	switch (parse_amount(&v, s, n, exp)) {
	case AMOUNT_SYNTAX:
		if (exp == 0)
			return refuse(in, "is not an amount (expected a whole number such as 12000, "
				"without sign, spaces or separators)");
		return refuse(in, "is not an amount (expected digits and at most %d decimals after "
			"a '.', such as 12000.50, without sign, spaces or separators)", exp);
	case AMOUNT_DECIMALS:
		if (exp == 0)
			return refuse(in, "has decimals, which %s does not have", currency);
		return refuse(in, "has too many decimals for %s (at most %d)", currency, exp);
	case AMOUNT_RANGE:
		ruta_norm__money_format(max, sizeof(max), (int64_t)MINOR_MAX, exp);
		return refuse(in, "is too large (at most %s)", max);
	}
	if (out_minor)
		*out_minor = (int64_t)v;
	return 0;
}

void ruta_norm__money_format(char *out, size_t size, int64_t minor, int exp)
{
	char buf[48], *p = buf + sizeof(buf);
	uint64_t v = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
	size_t n;
	int i;
	if (!out || size == 0)
		return;
	exp = exp < 0 ? 0 : exp > 18 ? 18 : exp;
	*--p = '\0';
	for (i = 0; i < exp; i++, v /= 10)
		*--p = (char)('0' + v % 10);
	if (exp > 0)
		*--p = '.';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (minor < 0)
		*--p = '-';
	n = strlen(p);
	n = n < size ? n : size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* ---- dates and times ---- */

#define YEAR_MIN 1900
#define YEAR_MAX 9999

/* A wall-clock reading; `fixed` when it named its offset (seconds east). */
struct moment {
	int y, mo, d, h, mi, s;
	int fixed;
	long off;
};

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" at s (10 bytes) naming a real day in the years we take. */
static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (s[4] != '-' || s[7] != '-')
		return -1;
	*y = (int)digits_value(s, 4);
	*m = (int)digits_value(s + 5, 2);
	*d = (int)digits_value(s + 8, 2);
	if (*y < 0 || *m < 0 || *d < 0)
		return -1;
	if (*y < YEAR_MIN || *y > YEAR_MAX || *m < 1 || *m > 12 || *d < 1 ||
			*d > days_in_month(*y, *m))
		return -2;
	return 0;
}

int ruta_norm__date(char out[11], const char *in)
{
	size_t n;
	const char *s = trim(in, &n);
	int y, m, d, rc;
	clear(out, 11);
	rc = n == 10 ? parse_ymd(s, &y, &m, &d) : -1;
	if (rc == -1)
		return refuse(in, "is not a date (expected YYYY-MM-DD)");
	if (rc == -2)
		return refuse(in, "is not a calendar date (expected YYYY-MM-DD, years %d to %d)",
			YEAR_MIN, YEAR_MAX);
	memcpy(out, s, 10);
	out[10] = '\0';
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), exact where timegm may not exist. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* "Z", "+HH:MM", "-HH:MM" or nothing (local time). */
static int parse_zone(struct moment *t, const char *s, size_t n)
{
	long h, m;
	if (n == 0)
		return 0;
	t->fixed = 1;
	if (n == 1 && s[0] == 'Z')
		return 0;
	if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return -1;
	h = digits_value(s + 1, 2);
	m = digits_value(s + 4, 2);
	if (h < 0 || m < 0)
		return -1;
	if (h > 23 || m > 59)
		return -2;
	t->off = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return 0;
}

/* ":SS" and ".fraction" (1-9 digits, dropped) after "HH:MM" at s[i]. */
static int parse_seconds(struct moment *t, const char *s, size_t n, size_t *i)
{
	size_t k;
	if (*i >= n || s[*i] != ':')
		return 0;
	if (n - *i < 3 || (t->s = (int)digits_value(s + *i + 1, 2)) < 0)
		return -1;
	*i += 3;
	if (*i >= n || s[*i] != '.')
		return 0;
	k = ++*i;
	while (*i < n && is_digit((unsigned char)s[*i]))
		(*i)++;
	return *i == k || *i - k > 9 ? -1 : 0;
}

/* The grammar of the header; -1 for the shape, -2 for a field out of range. */
static int parse_moment(struct moment *t, const char *s, size_t n)
{
	size_t i = 16;
	int rc, zone;
	memset(t, 0, sizeof(*t));
	if (n < 10 || (rc = parse_ymd(s, &t->y, &t->mo, &t->d)) == -1)
		return -1;
	if (n == 10)
		return rc;
	if (n < 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
			(t->h = (int)digits_value(s + 11, 2)) < 0 ||
			(t->mi = (int)digits_value(s + 14, 2)) < 0 ||
			parse_seconds(t, s, n, &i) < 0)
		return -1;
	zone = parse_zone(t, s + i, n - i);
	if (zone == -1)
		return -1;
	if (rc == -2 || zone == -2 || t->h > 23 || t->mi > 59 || t->s > 59)
		return -2;
	return 0;
}

/*
 * The instant a local wall-clock reading names, by mktime (which reads TZ)
 * under each DST flag: a flag whose answer keeps every field is a true
 * reading. Two such answers happen in the hour repeated when clocks go
 * back; the earlier is taken, rather than whichever mktime's cached guess
 * picks. None happens in the hour skipped when clocks go forward.
 */
static int local_to_utc(int64_t *out, const struct moment *t)
{
	int dst, found = 0;
	for (dst = 0; dst <= 1; dst++) {
		struct tm tm;
		time_t v;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = t->y - 1900;
		tm.tm_mon = t->mo - 1;
		tm.tm_mday = t->d;
		tm.tm_hour = t->h;
		tm.tm_min = t->mi;
		tm.tm_sec = t->s;
		tm.tm_isdst = dst;
		v = mktime(&tm);
		if (tm.tm_isdst != dst || tm.tm_year != t->y - 1900 || tm.tm_mon != t->mo - 1 ||
				tm.tm_mday != t->d || tm.tm_hour != t->h || tm.tm_min != t->mi ||
				tm.tm_sec != t->s)
			continue;
		if (!found || (int64_t)v < *out)
			*out = (int64_t)v;
		found = 1;
	}
	return found ? 0 : -1;
}

/* Writes v as `width` decimal digits ending just before p; returns the start. */
static char *put_digits(char *p, int64_t v, int width)
{
	while (width-- > 0) {
		*--p = (char)('0' + v % 10);
		v /= 10;
	}
	return p;
}

/* Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ"; 0 if in our years. */
static int format_utc(char out[21], int64_t secs)
{
	int64_t days = secs / 86400, rem = secs % 86400, y;
	int m, d;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < YEAR_MIN || y > YEAR_MAX)
		return -1;
	memcpy(out, "0000-00-00T00:00:00Z", 21);
	put_digits(out + 4, y, 4);
	put_digits(out + 7, m, 2);
	put_digits(out + 10, d, 2);
	put_digits(out + 13, rem / 3600, 2);
	put_digits(out + 16, rem / 60 % 60, 2);
	put_digits(out + 19, rem % 60, 2);
	return 0;
}

int ruta_norm__datetime(char out[21], const char *in)
{
	size_t n;
	const char *s = trim(in, &n);
	struct moment t;
	int64_t secs = 0;
	int rc;
	clear(out, 21);
	rc = parse_moment(&t, s, n);
	if (rc == -1)
		return refuse(in, "is not a date and time (expected YYYY-MM-DDTHH:MM[:SS] "
			"and Z, +HH:MM, -HH:MM or nothing for local time)");
	if (rc == -2)
		return refuse(in, "is not a real date and time (years %d to %d, hours 00-23, "
			"minutes and seconds 00-59)", YEAR_MIN, YEAR_MAX);
	if (t.fixed)
		secs = days_from_civil(t.y, t.mo, t.d) * 86400 + t.h * 3600L + t.mi * 60L + t.s - t.off;
	else if (local_to_utc(&secs, &t) < 0)
		return refuse(in, "does not exist in local time (the clocks went forward then; "
			"add Z or an offset such as +02:00)");
	if (format_utc(out, secs) < 0)
		return refuse(in, "is out of range (years %d to %d in UTC)", YEAR_MIN, YEAR_MAX);
	return 0;
}

/* ---- small values ---- */

int ruta_norm__percent(int *out, const char *in)
{
	size_t n;
	const char *s = trim(in, &n);
	uint64_t v = 0;
	if (out)
		*out = 0;
	/* "15%" is how people write it; the sign adds nothing and loses nothing. */
	if (n > 1 && s[n - 1] == '%')
		n--;
	if (parse_uint(&v, s, n, 100) < 0)
		return refuse(in, "is not a percentage (expected a whole number from 0 to 100)");
	if (out)
		*out = (int)v;
	return 0;
}

int ruta_norm__bool(int *out, const char *in)
{
	static const struct {
		const char *word;
		int value;
	} words[] = {
		{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
		{ "1", 1 }, { "0", 0 }, { "on", 1 }, { "off", 0 },
	};
	size_t n, i, k;
	const char *s = trim(in, &n);
	if (out)
		*out = 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		for (k = 0; k < n && words[i].word[k] &&
				to_lower((unsigned char)s[k]) == words[i].word[k]; k++)
			;
		if (k == n && words[i].word[k] == '\0') {
			if (out)
				*out = words[i].value;
			return 0;
		}
	}
	return refuse(in, "is not yes or no (expected yes/no, true/false, 1/0 or on/off)");
}

int ruta_norm__count(int64_t *out, const char *in)
{
	size_t n;
	const char *s = trim(in, &n);
	uint64_t v = 0;
	int rc;
	if (out)
		*out = 0;
	rc = parse_uint(&v, s, n, MINOR_MAX);
	if (rc == -1)
		return refuse(in, "is not a count (expected a whole number such as 12, "
			"without sign or separators)");
	if (rc == -2)
		return refuse(in, "is too large (at most %llu)", MINOR_MAX);
	if (out)
		*out = (int64_t)v;
	return 0;
}
