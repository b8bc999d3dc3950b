/* trust.h - the signed list of replica keys head office endorses. */
#ifndef RUTA_TRUST_H
#define RUTA_TRUST_H

#include "internal.h"

/* The newest trust file this replica has: version 0 and NULLs if none. */
int ruta_trust__current(long long *version, char **text, char **sig, ruta_replica *r);
/* Checks and keeps a trust file: 0 installed, 1 already had it, or
 * RUTA_EVERIFY (unsigned, not by the root key, older, malformed). */
int ruta_trust__install(ruta_replica *r, const char *text, size_t len, const char *sig,
	size_t siglen);
/* Head office: version 1, endorsing its own replica key. */
int ruta_trust__create(ruta_replica *r);
/* Head office: a new version endorsing (or re-endorsing) a replica's key. */
int ruta_trust__endorse(ruta_replica *r, const char *publine, const char *team,
	const char *valid_after, const char *valid_before);
/* Head office: a new version sealing every key whose window closed, if any
 * did (*count of them); no new version otherwise. */
int ruta_trust__seal(ruta_replica *r, int *count);
/* Head office: a new version revoking a replica, or every replica of a team. */
int ruta_trust__revoke(ruta_replica *r, const char *name, int *count);

/* One replica of a trust file, as an auditor reads it. */
typedef struct ruta_trust_entry {
	char principal[80];
	char team[40];
	unsigned char pk[32];          /* RUTA_PK_BYTES */
	char valid_after[21];          /* ISO or "" */
	char valid_before[21];
	long long revoked_after;       /* -1: not revoked */
	long long expired_after;       /* -1: window not sealed */
	long long replaced_after;      /* -1: the key in force; else a former key of the
	                                * replica, good up to this seq */
} ruta_trust_entry;

/* The root key this replica pins: head office's own, or ruta init --root-key's. */
int ruta_trust__root(unsigned char pk[32], ruta_replica *r);
/* Checks a trust file's signature against `root` and parses it: *entries
 * new (free()), one per replica named, then one per replaced key. RUTA_EVERIFY saying why otherwise. */
int ruta_trust__read(long long *version, ruta_trust_entry **entries, size_t *n,
	const unsigned char root[32], const char *text, size_t len, const char *sig,
	size_t siglen);

#endif
