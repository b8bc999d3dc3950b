/* buf.h - a growable, always NUL-terminated byte string for building text. */
#ifndef RUTA_BUF_H
#define RUTA_BUF_H

#include <stddef.h>

#include "internal.h"

typedef struct ruta_buf {
	char *ptr;
	size_t len;
	size_t cap;
	int oom;   /* set once an allocation failed; later appends do nothing */
} ruta_buf;

#define RUTA_BUF_INIT { NULL, 0, 0, 0 }

void ruta_buf__put(ruta_buf *b, const char *s, size_t n);
void ruta_buf__puts(ruta_buf *b, const char *s);
void ruta_buf__printf(ruta_buf *b, const char *fmt, ...) RUTA_PRINTF(2, 3);
/* 0, or RUTA_ENOMEM (with the error set) if any append failed. */
int ruta_buf__check(const ruta_buf *b);
/* Hands the text over (new; free()) and resets the buffer. */
char *ruta_buf__detach(ruta_buf *b);
void ruta_buf__dispose(ruta_buf *b);
/* Appends at most n bytes of s (to its NUL) made safe inside an HTML element
 * or a quoted attribute: & < > " ' escaped, tabs and newlines as spaces,
 * other control characters as '?'. */
void ruta_buf__html_n(ruta_buf *b, const char *s, size_t n);
void ruta_buf__html(ruta_buf *b, const char *s);

#endif
