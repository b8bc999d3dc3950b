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
/* Head office: a new version revoking a replica, or every replica of a team. */
int ruta_trust__revoke(ruta_replica *r, const char *name, int *count);

#endif
