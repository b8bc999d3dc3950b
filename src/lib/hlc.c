/*
 * hlc.c - the hybrid logical clock that versions every field change.
 *
 * An HLC is a 64-bit number: wall-clock milliseconds since 1970 in the high
 * 48 bits, a counter in the low 16. Versions only grow on a replica: the next
 * one is above the last issued or seen (so a wall clock that jumps back cannot
 * reorder edits), at or above the wall clock (so versions track real time when
 * clocks are right), and above the version the change overwrote (so an edit
 * always supersedes what it replaced, whatever the clocks said).
 *
 * Counter overflow carries into the millisecond part: 65,536 versions in one
 * millisecond move the clock 1 ms ahead of the wall, and the wall catches up.
 * The millisecond part has 47 usable bits (until the year 6429), so a version
 * never reaches the sign bit of SQLite's signed 64-bit integers.
 */
#include <stdio.h>
#include <time.h>

#include "internal.h"

#define HLC_MAX ((UINT64_C(1) << 63) - 1)

uint64_t ruta_hlc__next(uint64_t last, int64_t wall_ms, uint64_t base)
{
	uint64_t next = last + 1;
	uint64_t wall;

	if (wall_ms < 0)
		wall_ms = 0;
	if ((uint64_t)wall_ms > (HLC_MAX >> RUTA_HLC_COUNTER_BITS))
		wall_ms = (int64_t)(HLC_MAX >> RUTA_HLC_COUNTER_BITS);
	wall = (uint64_t)wall_ms << RUTA_HLC_COUNTER_BITS;
	if (wall > next)
		next = wall;
	if (base >= next)
		next = base + 1;
	if (next > HLC_MAX)
		next = HLC_MAX;
	return next;
}

/* Two replicas that saw the same versions and edit in the same millisecond
 * would otherwise issue the very same version; each replica's versions end
 * in its own byte, so they differ unless two replicas share that byte. */
uint64_t ruta_hlc__next_own(uint64_t last, int64_t wall_ms, uint64_t base, unsigned salt)
{
	uint64_t next = ruta_hlc__next(last, wall_ms, base);
	uint64_t own = (next & ~UINT64_C(0xff)) | (salt & 0xff);
	if (own < next)
		own += 0x100;
	return own > HLC_MAX ? next : own;
}

/* "%016llx" without printf: every field change of a changeset is written
 * and read back in this form. */
void ruta_hlc_format(char out[17], uint64_t hlc)
{
	static const char digits[] = "0123456789abcdef";
	int i;
	for (i = 15; i >= 0; i--, hlc >>= 4)
		out[i] = digits[hlc & 0xf];
	out[16] = '\0';
}

int ruta_hlc__parse(uint64_t *out, const char *text)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		char c = text[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return ruta_error__set(RUTA_EINVALID,
				"'%.20s' is not an hlc (expected 16 lower-case hex digits)", text);
		v = v << 4 | d;
	}
	if (text[16] != '\0' || v > HLC_MAX)
		return ruta_error__set(RUTA_EINVALID,
			"'%.20s' is not an hlc (expected 16 lower-case hex digits)", text);
	*out = v;
	return 0;
}

/* `n` decimal digits of `v`, zero-padded, at `p`; returns the end. */
static char *digits(char *p, unsigned v, int n)
{
	int i;
	for (i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* Written by hand, not by snprintf: a conflict's opening time is described
 * for every conflict an apply opens. */
void ruta_hlc_describe(char out[40], uint64_t hlc)
{
	uint64_t ms = hlc >> RUTA_HLC_COUNTER_BITS;
	unsigned counter = (unsigned)(hlc & ((1u << RUTA_HLC_COUNTER_BITS) - 1));
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char *p = out, c[8];
	int n = 0;

	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, 40, "%016llx", (unsigned long long)hlc);
		return;
	}
	/* Years stay within 4 digits: the HLC's ms part ends in year 6429. */
	p = digits(p, (unsigned)(tm.tm_year + 1900) % 10000, 4);
	*p++ = '-';
	p = digits(p, (unsigned)(tm.tm_mon + 1) % 100, 2);
	*p++ = '-';
	p = digits(p, (unsigned)tm.tm_mday % 100, 2);
	*p++ = 'T';
	p = digits(p, (unsigned)tm.tm_hour % 100, 2);
	*p++ = ':';
	p = digits(p, (unsigned)tm.tm_min % 100, 2);
	*p++ = ':';
	p = digits(p, (unsigned)tm.tm_sec % 100, 2);
	*p++ = '.';
	p = digits(p, (unsigned)(ms % 1000), 3);
	*p++ = 'Z';
	*p++ = '+';
	do
		c[n++] = (char)('0' + counter % 10);
	while ((counter /= 10) > 0);
	while (n > 0)
		*p++ = c[--n];
	*p = '\0';
}
