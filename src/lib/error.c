/*
 * error.c - the per-thread last error behind ruta_error_last().
 *
 * Each thread has one slot; every failing library call overwrites it, so a
 * message is valid until the next call on the same thread. Messages are
 * lower case and name their subject; the CLI prints them as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MSG_MAX 1024

static _Thread_local struct {
	ruta_error pub;
	char msg[MSG_MAX];
} last = { { RUTA_OK, "" }, "" };

const ruta_error *ruta_error_last(void)
{
	last.pub.message = last.msg;
	return &last.pub;
}

void ruta_error__clear(void)
{
	last.pub.code = RUTA_OK;
	last.msg[0] = '\0';
}

int ruta_error__set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last.msg, sizeof(last.msg), fmt, ap);
	va_end(ap);
	last.pub.code = code;
	return code;
}

int ruta_error__prefix(const char *fmt, ...)
{
	char head[MSG_MAX], old[MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, last.msg, sizeof(old));
	/* Long messages are cut; the subject comes first, so it survives. */
	if (snprintf(last.msg, sizeof(last.msg), "%.500s: %.500s", head, old) < 0)
		last.msg[0] = '\0';
	return last.pub.code;
}

int ruta_error__oom(void)
{
	return ruta_error__set(RUTA_ENOMEM, "out of memory");
}

int ruta_error__sqlite(sqlite3 *db, int rc, const char *doing)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ruta_error__set(RUTA_ELOCKED,
			"replica is busy: another ruta process is writing it; try again");
	case SQLITE_NOMEM:
		return ruta_error__oom();
	case SQLITE_CONSTRAINT:
		/* Our triggers raise messages meant for people: "ruta: ..." */
		if (strncmp(msg, "ruta: ", 6) == 0)
			return ruta_error__set(RUTA_ESTATE, "%s", msg + 6);
		return ruta_error__set(RUTA_EINVALID, "%s refused by the schema: %s", doing, msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return ruta_error__set(RUTA_ERROR, "%s: the replica database is damaged (%s)", doing, msg);
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return ruta_error__set(RUTA_ERROR, "%s: %s", doing, msg);
	default:
		return ruta_error__set(RUTA_ERROR, "%s: %s", doing, msg);
	}
}

const char *ruta_version(void)
{
	return RUTA_VERSION;
}

void ruta_free(void *ptr)
{
	free(ptr);
}
