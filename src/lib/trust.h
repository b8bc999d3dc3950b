/* trust.h - the signed list of replica keys head office endorses. */
#ifndef RUTA_TRUST_H
#define RUTA_TRUST_H

#include "crypto.h"
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

/* ---- judging a changeset against the trust file in force (ruta_key) ---- */

struct ruta_cs;

/* Which check a changeset failed, for callers that name it (ruta log). */
typedef enum ruta_trust_verdict {
	RUTA_TRUST_GOOD = 0,
	RUTA_TRUST_BAD,          /* the signature does not verify over the bytes */
	RUTA_TRUST_UNKNOWN_KEY,  /* the signing key is not in ruta_key */
	RUTA_TRUST_WRONG_KEY,    /* endorsed for another replica, or `key` names another */
	RUTA_TRUST_REVOKED,      /* its replica was revoked before this seq */
	RUTA_TRUST_WINDOW,       /* its HLC range is outside the key's window */
	RUTA_TRUST_NOT_HQ,       /* a team changes head office's configuration */
	RUTA_TRUST_REPLACED,     /* signed with a former key after its after-seq */
	RUTA_TRUST_EXPIRED       /* signed with a sealed expired key after its after-seq */
} ruta_trust_verdict;

/* The replica a key of ruta_key is endorsed for, and on what terms. */
typedef struct ruta_trust_signer {
	char principal[80];
	char team[40];
	long long revoked_after;   /* -1: not revoked */
	long long expired_after;   /* -1: window not sealed */
	long long replaced_after;  /* -1: the key in force; else a former key's last seq */
	char valid_after[21], valid_before[21];
	char fingerprint[RUTA_FINGERPRINT_MAX];
} ruta_trust_signer;

/* Checks the changeset signature over the bytes and finds its key in
 * ruta_key. 0, or RUTA_EVERIFY with the reason and *verdict RUTA_TRUST_BAD
 * or RUTA_TRUST_UNKNOWN_KEY; another code if the database failed. `body_sha256`,
 * when not NULL, is the body's SHA-256, which the caller has computed. */
int ruta_trust__signed_by(ruta_trust_verdict *verdict, ruta_trust_signer *out, ruta_replica *r,
	const void *body, size_t len, const unsigned char *body_sha256, const char *sig, size_t siglen);
/* An HLC's time to the second, as the trust file's window ends are written:
 * what a key's window is compared with. */
void ruta_trust__hlc_iso(char out[21], uint64_t hlc);
/* May that signer make that (parsed) changeset (docs/format.md §7.4)? 0, or
 * RUTA_EVERIFY with the reason and *verdict saying which rule. */
int ruta_trust__judge(ruta_trust_verdict *verdict, const struct ruta_cs *cs,
	const ruta_trust_signer *s);

#endif
