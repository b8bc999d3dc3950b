/*
 * buf.c - a growable string for SQL generated from the schema descriptor and
 * for messages. An allocation failure is sticky: appends after it are
 * ignored and ruta_buf__check() reports it once, so callers check at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int grow(ruta_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + need + 1)
		cap *= 2;
	if (!(p = realloc(b->ptr, cap))) {
		b->oom = 1;
		return -1;
	}
	b->ptr = p;
	b->cap = cap;
	return 0;
}

void ruta_buf__put(ruta_buf *b, const char *s, size_t n)
{
	if (grow(b, n) < 0)
		return;
	memcpy(b->ptr + b->len, s, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void ruta_buf__puts(ruta_buf *b, const char *s)
{
	ruta_buf__put(b, s, strlen(s));
}

void ruta_buf__printf(ruta_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

int ruta_buf__check(const ruta_buf *b)
{
	return b->oom ? ruta_error__oom() : 0;
}

char *ruta_buf__detach(ruta_buf *b)
{
	char *p = b->ptr;
	if (!p && !b->oom)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void ruta_buf__dispose(ruta_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

void ruta_buf__html_n(ruta_buf *b, const char *s, size_t n)
{
	size_t i;
	for (i = 0; s && i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': ruta_buf__puts(b, "&amp;"); break;
		case '<': ruta_buf__puts(b, "&lt;"); break;
		case '>': ruta_buf__puts(b, "&gt;"); break;
		case '"': ruta_buf__puts(b, "&quot;"); break;
		case '\'': ruta_buf__puts(b, "&#39;"); break;
		case '\t': case '\n': ruta_buf__put(b, " ", 1); break;
		default:
			ruta_buf__put(b, c < 0x20 || c == 0x7f ? "?" : &s[i], 1);
		}
	}
}

void ruta_buf__html(ruta_buf *b, const char *s)
{
	ruta_buf__html_n(b, s, (size_t)-1);
}
