/*
 * trust.c - the trust file: which replica keys head office's root key
 * endorses, for how long, and which it revoked.
 *
 * The file is an OpenSSH allowed_signers file, so `ssh-keygen -Y verify -f`
 * takes it as it is; ruta's own facts ride in comment lines:
 *
 *   # ruta trust file
 *   # version 3
 *   # team north-1napk78ayn north
 *   # revoked south-8k2m4x9qzc after-seq 12 ssh-ed25519 AAAA...
 *   # expired temp-5mqkza7q5w after-seq 4
 *   # replaced north-1napk78ayn after-seq 30 ssh-ed25519 AAAA...
 *   north-1napk78ayn namespaces="ruta-changeset,git",valid-after="20261122000000Z" ssh-ed25519 AAAA...
 *
 * Each version is signed by the root key (SSHSIG, namespace ruta-trust) and
 * versions only move forward: a replica refuses an older, equal-but-different
 * or unsigned file. A revocation is bound to the revoked replica's changeset
 * numbers (after-seq), not to a time its holder could forge; so is an expiry,
 * once head office seals it: the window alone is judged on the changeset's
 * own times, which a holder of an expired key can backdate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "changeset.h"
#include "crypto.h"
#include "normalize.h"
#include "schema.h"
#include "trust.h"

#define HEADER "# ruta trust file\n"
#define NAMESPACES "namespaces=\"" RUTA_NS_CHANGESET ",git\""

/* ---- the parsed form ---- */

typedef struct tkey {
	char principal[80];
	char team[40];
	char line[200];              /* "ssh-ed25519 AAAA..." */
	char valid_after[21];        /* ISO or "" */
	char valid_before[21];
	long long revoked_after;     /* -1: not revoked */
	long long expired_after;     /* -1: window not sealed */
} tkey;

/* A key a replica had before head office endorsed its present one: good for
 * the changesets up to `after`, which head office held when it replaced it. */
typedef struct tformer {
	char principal[80];
	char line[200];
	long long after;
} tformer;

typedef struct tfile {
	long long version;
	tkey *keys;
	size_t n;
	tformer *former;
	size_t nformer;
} tfile;

static void tfile_free(tfile *t)
{
	free(t->keys);
	free(t->former);
	t->keys = NULL;
	t->former = NULL;
	t->n = t->nformer = 0;
}

static int former_add(tfile *t, const char *principal, const char *line, long long after)
{
	tformer *nf = realloc(t->former, (t->nformer + 1) * sizeof(*nf)), *f;
	if (!nf)
		return ruta_error__oom();
	t->former = nf;
	f = &t->former[t->nformer++];
	snprintf(f->principal, sizeof(f->principal), "%s", principal);
	snprintf(f->line, sizeof(f->line), "%s", line);
	f->after = after;
	return 0;
}

/* A replica endorsed again with a key it had before: that key is present again. */
static void former_drop(tfile *t, const char *principal, const char *line)
{
	size_t i = 0;
	while (i < t->nformer)
		if (strcmp(t->former[i].principal, principal) == 0 && strcmp(t->former[i].line, line) == 0)
			t->former[i] = t->former[--t->nformer];
		else
			i++;
}

static tkey *tfile_find(tfile *t, const char *principal)
{
	size_t i;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->keys[i].principal, principal) == 0)
			return &t->keys[i];
	return NULL;
}

static tkey *tfile_add(tfile *t, const char *principal)
{
	tkey *k = tfile_find(t, principal), *nk;
	if (k)
		return k;
	if (!(nk = realloc(t->keys, (t->n + 1) * sizeof(*nk))))
		return NULL;
	t->keys = nk;
	k = &t->keys[t->n++];
	memset(k, 0, sizeof(*k));
	k->revoked_after = -1;
	k->expired_after = -1;
	snprintf(k->principal, sizeof(k->principal), "%s", principal);
	return k;
}

static int valid_principal(const char *p)
{
	size_t n = strlen(p), i;
	if (n < 3 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return 0;
	return 1;
}

/* "2026-11-22T10:00:00Z" <-> "20261122100000Z" (allowed_signers' form) */
static void iso_to_ssh(char out[16], const char *iso)
{
	snprintf(out, 16, "%.4s%.2s%.2s%.2s%.2s%.2sZ", iso, iso + 5, iso + 8, iso + 11, iso + 14,
		iso + 17);
}

static int ssh_to_iso(char out[21], const char *s, size_t n)
{
	size_t i;
	if (n != 15 || s[14] != 'Z')
		return -1;
	for (i = 0; i < 14; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	snprintf(out, 21, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6, s + 8, s + 10, s + 12);
	return 0;
}

static int bad_trust(int line, const char *why)
{
	return ruta_error__set(RUTA_EVERIFY, "trust file line %d: %s", line, why);
}

/* `valid-after="..."` options after the namespaces. */
static int parse_options(tkey *k, const char *opts, int line)
{
	const char *p = opts + strlen(NAMESPACES);
	while (*p == ',') {
		const char *q = strchr(p + 1, '"'), *e;
		char *dst;
		if (strncmp(p, ",valid-after=\"", 14) == 0)
			dst = k->valid_after;
		else if (strncmp(p, ",valid-before=\"", 15) == 0)
			dst = k->valid_before;
		else
			return bad_trust(line, "unknown key option");
		if (!q || !(e = strchr(q + 1, '"')) || ssh_to_iso(dst, q + 1, (size_t)(e - q - 1)) < 0)
			return bad_trust(line, "a validity time is not YYYYMMDDHHMMSSZ");
		p = e + 1;
	}
	return *p == '\0' ? 0 : bad_trust(line, "malformed key options");
}

static int parse_signer(tfile *t, char *s, int line)
{
	char *sp1 = strchr(s, ' '), *sp2;
	unsigned char pk[RUTA_PK_BYTES];
	tkey *k;
	if (!sp1 || !(sp2 = strchr(sp1 + 1, ' ')))
		return bad_trust(line, "expected 'principal options ssh-ed25519 KEY'");
	*sp1 = *sp2 = '\0';
	if (!valid_principal(s) || strncmp(sp1 + 1, NAMESPACES, strlen(NAMESPACES)) != 0)
		return bad_trust(line, "expected a replica id and namespaces=\"" RUTA_NS_CHANGESET ",git\"");
	if (ruta_crypto__parse_public(pk, sp2 + 1) < 0 || strlen(sp2 + 1) >= sizeof(k->line))
		return bad_trust(line, "not an ssh-ed25519 key");
	if (!(k = tfile_add(t, s)))
		return ruta_error__oom();
	if (k->line[0])
		return bad_trust(line, "a replica is listed twice");
	snprintf(k->line, sizeof(k->line), "%s", sp2 + 1);
	return parse_options(k, sp1 + 1, line);
}

/* An after-seq: decimal digits only, at most 2^53 - 1 as every seq; the
 * rest of the line, or NULL. */
static const char *parse_after(const char *p, long long *n)
{
	int digits = 0;
	*n = 0;
	while (*p >= '0' && *p <= '9' && digits < 17) {
		*n = *n * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || (*p >= '0' && *p <= '9') || *n > 9007199254740991LL)
		return NULL;
	return p;
}

static int parse_comment(tfile *t, char *s, int line)
{
	char a[80], b[40], c[200];
	long long n;
	int used = 0;
	tkey *k;

	if (strcmp(s, "# ruta trust file") == 0)
		return 0;
	if (sscanf(s, "# version %lld%n", &n, &used) == 1 && s[used] == '\0' && n > 0) {
		t->version = n;
		return 0;
	}
	if (sscanf(s, "# team %79s %39s%n", a, b, &used) == 2 && s[used] == '\0') {
		if (!(k = tfile_add(t, a)))
			return ruta_error__oom();
		snprintf(k->team, sizeof(k->team), "%s", b);
		return 0;
	}
	if (sscanf(s, "# revoked %79s after-seq %n", a, &used) == 1 && used > 0) {
		const char *rest = parse_after(s + used, &n);
		unsigned char pk[RUTA_PK_BYTES];
		if (!rest || *rest != ' ' || strlen(rest + 1) >= sizeof(c) ||
				ruta_crypto__parse_public(pk, rest + 1) < 0 || !(k = tfile_add(t, a)))
			return bad_trust(line, "a revocation without a seq and a valid key");
		if (k->line[0])
			return bad_trust(line, "a replica is listed twice");
		k->revoked_after = n;
		snprintf(k->line, sizeof(k->line), "%s", rest + 1);
		return 0;
	}
	if (sscanf(s, "# replaced %79s after-seq %n", a, &used) == 1 && used > 0) {
		const char *rest = parse_after(s + used, &n);
		unsigned char pk[RUTA_PK_BYTES];
		if (!rest || *rest != ' ' || strlen(rest + 1) >= sizeof(c) || !valid_principal(a) ||
				ruta_crypto__parse_public(pk, rest + 1) < 0)
			return bad_trust(line, "a replaced key that is not a replica id, a seq and a valid "
				"key");
		return former_add(t, a, rest + 1, n);
	}
	if (sscanf(s, "# expired %79s after-seq %n", a, &used) == 1 && used > 0) {
		const char *rest = parse_after(s + used, &n);
		if (!rest || *rest)
			return bad_trust(line, "an expiry seal without a seq");
		if (!(k = tfile_add(t, a)))
			return ruta_error__oom();
		if (k->expired_after >= 0)
			return bad_trust(line, "a replica is sealed twice");
		k->expired_after = n;
		return 0;
	}
	return bad_trust(line, "unknown comment line");
}

/* Whose key this is in the file (its signer, revoked or replaced line), or NULL. */
static const char *key_owner(const tfile *t, const unsigned char pk[RUTA_PK_BYTES],
	const void *skip)
{
	unsigned char other[RUTA_PK_BYTES];
	size_t i;
	for (i = 0; i < t->n; i++)
		if ((const void *)&t->keys[i] != skip && t->keys[i].line[0] &&
				ruta_crypto__parse_public(other, t->keys[i].line) == 0 &&
				memcmp(other, pk, RUTA_PK_BYTES) == 0)
			return t->keys[i].principal;
	for (i = 0; i < t->nformer; i++)
		if ((const void *)&t->former[i] != skip &&
				ruta_crypto__parse_public(other, t->former[i].line) == 0 &&
				memcmp(other, pk, RUTA_PK_BYTES) == 0)
			return t->former[i].principal;
	return NULL;
}

/* A key belongs to one replica and is listed once: otherwise which replica
 * signed, and up to which seq, would depend on which line a reader takes. */
static int check_unique(const tfile *t)
{
	unsigned char pk[RUTA_PK_BYTES];
	const char *owner;
	size_t i;
	for (i = 0; i < t->n + t->nformer; i++) {
		const void *self = i < t->n ? (const void *)&t->keys[i] :
			(const void *)&t->former[i - t->n];
		const char *line = i < t->n ? t->keys[i].line : t->former[i - t->n].line;
		if (!line[0] || ruta_crypto__parse_public(pk, line) < 0)
			continue;
		if ((owner = key_owner(t, pk, self)))
			return ruta_error__set(RUTA_EVERIFY, "trust file: key %s is listed twice (for "
				"replica %s)", line, owner);
	}
	return 0;
}

/* An expiry seal closes a window: only a signer line with a valid-before has
 * one. A replaced key belongs to a replica the file names, and is not its
 * present key. */
static int check_sealed(tfile *t)
{
	size_t i;
	for (i = 0; i < t->nformer; i++)
		if (!tfile_find(t, t->former[i].principal))
			return ruta_error__set(RUTA_EVERIFY, "trust file: a replaced key of replica %s, "
				"which the file does not name", t->former[i].principal);
	if (check_unique(t) < 0)
		return RUTA_EVERIFY;
	for (i = 0; i < t->n; i++)
		if (t->keys[i].expired_after >= 0 && (t->keys[i].revoked_after >= 0 ||
				!t->keys[i].valid_before[0]))
			return ruta_error__set(RUTA_EVERIFY, "trust file: replica %s is sealed as expired "
				"but has no signer line with a valid-before", t->keys[i].principal);
	return 0;
}

static int parse(tfile *out, const char *text, size_t len)
{
	char *copy, *p, *nl;
	int line = 0, err = 0;

	memset(out, 0, sizeof(*out));
	if (len > 1 << 20 || !ruta_utf8__valid(text, len))
		return ruta_error__set(RUTA_EVERIFY, "the trust file is not text or too large");
	if (len < strlen(HEADER) || memcmp(text, HEADER, strlen(HEADER)) != 0)
		return ruta_error__set(RUTA_EVERIFY, "not a ruta trust file");
	if (!(copy = malloc(len + 1)))
		return ruta_error__oom();
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (p = copy; *p && err == 0; p = nl + 1) {
		line++;
		if (!(nl = strchr(p, '\n'))) {
			err = bad_trust(line, "the last line has no newline (truncated?)");
			break;
		}
		*nl = '\0';
		err = p[0] == '#' ? parse_comment(out, p, line) : parse_signer(out, p, line);
	}
	free(copy);
	if (err == 0 && out->version <= 0)
		err = ruta_error__set(RUTA_EVERIFY, "the trust file has no version line");
	if (err == 0)
		err = check_sealed(out);
	if (err < 0)
		tfile_free(out);
	return err;
}

static int render(char **out, const tfile *t)
{
	ruta_buf b = RUTA_BUF_INIT;
	size_t i;
	char va[16], vb[16];

	ruta_buf__printf(&b, HEADER "# version %lld\n", t->version);
	for (i = 0; i < t->n; i++)
		ruta_buf__printf(&b, "# team %s %s\n", t->keys[i].principal, t->keys[i].team);
	for (i = 0; i < t->n; i++)
		if (t->keys[i].revoked_after >= 0)
			ruta_buf__printf(&b, "# revoked %s after-seq %lld %s\n", t->keys[i].principal,
				t->keys[i].revoked_after, t->keys[i].line);
	for (i = 0; i < t->nformer; i++)
		ruta_buf__printf(&b, "# replaced %s after-seq %lld %s\n", t->former[i].principal,
			t->former[i].after, t->former[i].line);
	for (i = 0; i < t->n; i++)
		if (t->keys[i].revoked_after < 0 && t->keys[i].expired_after >= 0)
			ruta_buf__printf(&b, "# expired %s after-seq %lld\n", t->keys[i].principal,
				t->keys[i].expired_after);
	for (i = 0; i < t->n; i++) {
		const tkey *k = &t->keys[i];
		if (k->revoked_after >= 0)
			continue;
		ruta_buf__printf(&b, "%s " NAMESPACES, k->principal);
		if (k->valid_after[0]) {
			iso_to_ssh(va, k->valid_after);
			ruta_buf__printf(&b, ",valid-after=\"%s\"", va);
		}
		if (k->valid_before[0]) {
			iso_to_ssh(vb, k->valid_before);
			ruta_buf__printf(&b, ",valid-before=\"%s\"", vb);
		}
		ruta_buf__printf(&b, " %s\n", k->line);
	}
	if (ruta_buf__check(&b) < 0)
		return RUTA_ENOMEM;
	*out = ruta_buf__detach(&b);
	return 0;
}

/* ---- storage ---- */

static const char current_sql[] = "SELECT version, text, sig FROM ruta_trust "
	"ORDER BY version DESC LIMIT 1";
static const char store_sql[] = "INSERT INTO ruta_trust(version, text, sig, at) VALUES "
	"(?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now'))";
static const char clear_keys_sql[] = "DELETE FROM ruta_key; DELETE FROM ruta_key_replaced";
static const char former_sql[] = "INSERT OR REPLACE INTO ruta_key_replaced(pk, principal, "
	"fingerprint, after_seq) VALUES (?1, ?2, ?3, ?4)";
static const char key_sql[] = "INSERT INTO ruta_key(principal, team, pk, fingerprint, "
	"valid_after, valid_before, revoked_after, expired_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	" ?8)";

int ruta_trust__current(long long *version, char **text, char **sig, ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc, err;

	*version = 0;
	if (text)
		*text = NULL;
	if (sig)
		*sig = NULL;
	if ((err = ruta_db__stmt(&st, r, current_sql)) < 0)
		return err;
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		if (text && !(*text = strdup((const char *)sqlite3_column_text(st, 1))))
			rc = ruta_error__oom();
		if (sig && rc == SQLITE_ROW && !(*sig = strdup((const char *)sqlite3_column_text(st, 2))))
			rc = ruta_error__oom();
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int store_keys(ruta_replica *r, const tfile *t)
{
	sqlite3_stmt *st;
	size_t i;
	int rc, err;

	if ((err = ruta_db__exec(r->db, clear_keys_sql)) < 0)
		return err;
	for (i = 0; i < t->n; i++) {
		const tkey *k = &t->keys[i];
		unsigned char pk[RUTA_PK_BYTES];
		char fp[RUTA_FINGERPRINT_MAX];
		if (!k->line[0] || !k->team[0])
			return ruta_error__set(RUTA_EVERIFY, "trust file: replica %s lacks a key or a "
				"team", k->principal);
		if ((err = ruta_crypto__parse_public(pk, k->line)) < 0 ||
				(err = ruta_db__stmt(&st, r, key_sql)) < 0)
			return err;
		ruta_crypto__fingerprint(fp, pk);
		sqlite3_bind_text(st, 1, k->principal, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, k->team, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, pk, RUTA_PK_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, fp, -1, SQLITE_TRANSIENT);
		if (k->valid_after[0])
			sqlite3_bind_text(st, 5, k->valid_after, -1, SQLITE_STATIC);
		if (k->valid_before[0])
			sqlite3_bind_text(st, 6, k->valid_before, -1, SQLITE_STATIC);
		if (k->revoked_after >= 0)
			sqlite3_bind_int64(st, 7, k->revoked_after);
		if (k->expired_after >= 0)
			sqlite3_bind_int64(st, 8, k->expired_after);
		rc = ruta_db__step(r, st);
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int store_former(ruta_replica *r, const tfile *t)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = 0, err;

	for (i = 0; i < t->nformer && rc >= 0; i++) {
		unsigned char pk[RUTA_PK_BYTES];
		char fp[RUTA_FINGERPRINT_MAX];
		if ((err = ruta_crypto__parse_public(pk, t->former[i].line)) < 0 ||
				(err = ruta_db__stmt(&st, r, former_sql)) < 0)
			return err;
		ruta_crypto__fingerprint(fp, pk);
		sqlite3_bind_blob(st, 1, pk, RUTA_PK_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, t->former[i].principal, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, fp, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, t->former[i].after);
		rc = ruta_db__step(r, st);
		sqlite3_reset(st);
	}
	return rc < 0 ? rc : 0;
}

static int store(ruta_replica *r, const tfile *t, const char *text, const char *sig)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, store_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, t->version);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sig, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	if (rc < 0 || (rc = store_keys(r, t)) < 0)
		return rc;
	return store_former(r, t);
}

/* ---- the root key ---- */

static int root_public(unsigned char pk[RUTA_PK_BYTES], ruta_replica *r)
{
	char *line = NULL;
	int err;
	if (r->head_office)
		err = ruta_replica_public_key(&line, r, 1);
	else if ((err = ruta_db__meta_get(&line, r->db, "root_key")) == 0 && !line)
		err = ruta_error__set(RUTA_EVERIFY, "this replica has no root key pinned, so it "
			"cannot check a trust file (ruta init --root-key FILE pins one)");
	if (err == 0)
		err = ruta_crypto__parse_public(pk, line);
	free(line);
	return err;
}

static int sign_and_store(ruta_replica *r, tfile *t)
{
	ruta_secret *root = NULL;
	char *text = NULL, *sig = NULL, path[4200];
	int err;

	snprintf(path, sizeof(path), "%s/keys/root.key", r->dir);
	if ((err = ruta_crypto__load_secret(&root, path, r->passphrase, r->passphrase_payload)) < 0)
		return err;
	if ((err = render(&text, t)) == 0 &&
			(err = ruta_crypto__sshsig_sign(&sig, root, RUTA_NS_TRUST, text, strlen(text))) == 0)
		err = store(r, t, text, sig);
	ruta_crypto__secret_free(root);
	free(text);
	free(sig);
	return err;
}

/* ---- operations ---- */

int ruta_trust__install(ruta_replica *r, const char *text, size_t len, const char *sig,
	size_t siglen)
{
	unsigned char root[RUTA_PK_BYTES], signer[RUTA_PK_BYTES];
	long long have = 0;
	char *cur = NULL;
	tfile t;
	int err;

	if ((err = root_public(root, r)) < 0)
		return err;
	if (!sig || ruta_crypto__sshsig_verify(signer, sig, siglen, RUTA_NS_TRUST, text, len) < 0)
		return ruta_error__prefix("trust file");
	if (memcmp(signer, root, RUTA_PK_BYTES) != 0)
		return ruta_error__set(RUTA_EVERIFY, "trust file: signed by a key that is not "
			"head office's root key");
	if ((err = parse(&t, text, len)) < 0)
		return err;
	if ((err = ruta_trust__current(&have, &cur, NULL, r)) == 0) {
		if (t.version < have)
			/* Genuine but superseded (a stick keeps every version): never
			 * installed, and no alarm. */
			err = 2 + ruta_error__set(RUTA_OK, "trust file version %lld is older than "
				"version %lld in force: not installed", t.version, have);
		else if (t.version == have)
			err = strlen(cur) == len && memcmp(cur, text, len) == 0 ? 1 :
				ruta_error__set(RUTA_EVERIFY, "trust file version %lld differs from the "
				"version %lld this replica has", t.version, have);
		else
			err = store(r, &t, text, sig);
	}
	free(cur);
	tfile_free(&t);
	return err;
}

static int load_current(tfile *t, ruta_replica *r)
{
	char *text = NULL;
	long long v;
	int err;
	memset(t, 0, sizeof(*t));
	if ((err = ruta_trust__current(&v, &text, NULL, r)) < 0)
		return err;
	if (text)
		err = parse(t, text, strlen(text));
	free(text);
	return err;
}

int ruta_trust__create(ruta_replica *r)
{
	tfile t = { 1, NULL, 0, NULL, 0 };
	char *pub = NULL;
	tkey *k;
	int err;

	if ((err = ruta_replica_public_key(&pub, r, 0)) < 0)
		return err;
	pub[strcspn(pub, "\n")] = '\0';
	*strrchr(pub, ' ') = '\0';   /* drop the comment */
	if (!(k = tfile_add(&t, r->id))) {
		free(pub);
		return ruta_error__oom();
	}
	snprintf(k->team, sizeof(k->team), "hq");
	snprintf(k->line, sizeof(k->line), "%s", pub);
	free(pub);
	err = sign_and_store(r, &t);
	tfile_free(&t);
	return err;
}

static int next_version(ruta_replica *r, tfile *t);

static int owned_by_other(const tfile *t, const unsigned char pk[RUTA_PK_BYTES],
	const char *principal)
{
	const char *owner = key_owner(t, pk, NULL);
	if (owner && strcmp(owner, principal) != 0)
		return ruta_error__set(RUTA_EINVALID, "that key is already replica %s's (endorsed, "
			"revoked or replaced): a key belongs to one replica only", owner);
	return 0;
}
static int frontier_seq(long long *seq, ruta_replica *r, const char *principal);

static int head_office_only(ruta_replica *r, const char *what)
{
	if (!r->head_office)
		return ruta_error__set(RUTA_ESTATE, "only head office %s; this replica is team '%s'",
			what, r->team);
	return 0;
}

int ruta_trust__endorse(ruta_replica *r, const char *publine, const char *team,
	const char *valid_after, const char *valid_before)
{
	unsigned char pk[RUTA_PK_BYTES];
	char line[180], *comment, *key_end;
	tfile t;
	tkey *k;
	int err;

	if ((err = head_office_only(r, "endorses keys")) < 0)
		return err;
	if (strcspn(publine, "\r\n") >= sizeof(line))
		return ruta_error__set(RUTA_EINVALID, "not a replica's public key line (too long)");
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(publine, "\r\n"), publine);
	if ((err = ruta_crypto__parse_public(pk, line)) < 0)
		return err;
	key_end = strchr(strchr(line, ' ') + 1, ' ');
	comment = key_end ? key_end + 1 : NULL;
	if (!comment || !valid_principal(comment))
		return ruta_error__set(RUTA_EINVALID, "the key's comment must be the replica id "
			"(as 'ruta keys export-pub' prints it)");
	*key_end = '\0';
	if (team && strcmp(team, "hq") == 0)
		return ruta_error__set(RUTA_EINVALID, "team 'hq' is head office's own; endorse a key "
			"for its real team");
	if (!team || strncmp(comment, team, strlen(team)) != 0 || comment[strlen(team)] != '-')
		return ruta_error__set(RUTA_EINVALID, "key of replica '%s' does not belong to team "
			"'%s'", comment, team ? team : "");
	if ((err = load_current(&t, r)) < 0)
		return err;
	if ((err = owned_by_other(&t, pk, comment)) < 0) {
		tfile_free(&t);
		return err;
	}
	if (!(k = tfile_add(&t, comment)))
		err = ruta_error__oom();
	else if (k->revoked_after >= 0)
		err = ruta_error__set(RUTA_ESTATE, "replica %s was revoked; a revoked replica is not "
			"endorsed again (make the device a new replica)", comment);
	if (err == 0 && k->line[0] && strcmp(k->line, line) != 0) {
		/* what head office holds from it was signed with the key being replaced */
		long long after;
		if ((err = frontier_seq(&after, r, comment)) == 0)
			err = former_add(&t, comment, k->line, after);
	}
	if (err == 0) {
		former_drop(&t, comment, line);
		snprintf(k->team, sizeof(k->team), "%s", team);
		snprintf(k->line, sizeof(k->line), "%s", line);
		snprintf(k->valid_after, sizeof(k->valid_after), "%s", valid_after ? valid_after : "");
		snprintf(k->valid_before, sizeof(k->valid_before), "%s", valid_before ? valid_before : "");
		/* a new window (or none) for this replica: what closed before is moot */
		k->expired_after = -1;
		err = next_version(r, &t);
	}
	tfile_free(&t);
	return err;
}

/* Applied, or verified and waiting for what it depends on: the waiting ones
 * passed the key's checks when they arrived, and come in order after the
 * frontier. */
static const char frontier_seq_sql[] = "WITH RECURSIVE held(seq) AS ("
	" SELECT coalesce((SELECT seq FROM ruta_frontier WHERE replica = ?1), 0)"
	" UNION SELECT seq + 1 FROM held WHERE EXISTS (SELECT 1 FROM ruta_pending"
	" WHERE replica = ?1 AND ruta_pending.seq = held.seq + 1))"
	" SELECT max(seq) FROM held";

/* The last changeset head office holds from a replica, 0 if none: what a
 * revocation, an expiry seal or a replaced key keeps valid. */
static int frontier_seq(long long *seq, ruta_replica *r, const char *principal)
{
	sqlite3_stmt *st;
	int rc, err;
	*seq = 0;
	if ((err = ruta_db__stmt(&st, r, frontier_seq_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, principal, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Every window that closed by head office's clock is bound to the changesets
 * head office holds, so a holder of the expired key cannot backdate more. */
static int seal_expired(int *count, ruta_replica *r, tfile *t)
{
	char now[21];
	time_t secs = time(NULL);
	struct tm tm;
	size_t i;
	int err = 0;

	*count = 0;
	if (!gmtime_r(&secs, &tm))
		return 0;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (i = 0; i < t->n && err == 0; i++) {
		tkey *k = &t->keys[i];
		if (k->revoked_after >= 0 || k->expired_after >= 0 || !k->valid_before[0] ||
				strcmp(k->valid_before, now) >= 0)
			continue;
		if ((err = frontier_seq(&k->expired_after, r, k->principal)) == 0)
			(*count)++;
	}
	return err;
}

/* Head office writes the next version: expiries found meanwhile go with it. */
static int next_version(ruta_replica *r, tfile *t)
{
	int sealed, err;
	if ((err = seal_expired(&sealed, r, t)) < 0)
		return err;
	t->version++;
	return sign_and_store(r, t);
}

int ruta_trust__revoke(ruta_replica *r, const char *name, int *count)
{
	size_t i;
	tfile t;
	int err;

	*count = 0;
	if ((err = head_office_only(r, "revokes keys")) < 0 || (err = load_current(&t, r)) < 0)
		return err;
	for (i = 0; i < t.n && err == 0; i++) {
		tkey *k = &t.keys[i];
		if (k->revoked_after >= 0 || strcmp(k->principal, r->id) == 0 ||
				(strcmp(k->principal, name) != 0 && strcmp(k->team, name) != 0))
			continue;
		/* Everything head office has from it stays good; nothing later is. */
		err = frontier_seq(&k->revoked_after, r, k->principal);
		k->expired_after = -1;
		(*count)++;
	}
	if (err == 0 && *count == 0)
		err = ruta_error__set(RUTA_ENOTFOUND, "no endorsed replica or team is called '%s' "
			"(see ruta keys show)", name);
	if (err == 0)
		err = next_version(r, &t);
	tfile_free(&t);
	return err;
}

int ruta_trust__seal(ruta_replica *r, int *count)
{
	tfile t;
	int err;

	*count = 0;
	if ((err = head_office_only(r, "seals expired keys")) < 0 || (err = load_current(&t, r)) < 0)
		return err;
	if ((err = seal_expired(count, r, &t)) == 0 && *count > 0) {
		t.version++;
		err = sign_and_store(r, &t);
	}
	tfile_free(&t);
	return err;
}

/* ---- the public entry points ---- */

static int trust_transaction(ruta_replica *r, int (*fn)(ruta_replica *, void *), void *arg)
{
	int err;
	ruta_error__clear();
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = fn(r, arg)) == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	return err;
}

typedef struct endorse_args {
	const char *line, *team, *after, *before;
} endorse_args;

static int do_endorse(ruta_replica *r, void *p)
{
	endorse_args *a = p;
	char after[21], before[21];
	int err;
	if (a->after && *a->after && (err = ruta_norm__datetime(after, a->after)) < 0)
		return ruta_error__prefix("--valid-after");
	if (a->before && *a->before && (err = ruta_norm__datetime(before, a->before)) < 0)
		return ruta_error__prefix("--valid-before");
	return ruta_trust__endorse(r, a->line, a->team, a->after && *a->after ? after : NULL,
		a->before && *a->before ? before : NULL);
}

int ruta_keys_endorse(ruta_replica *r, const char *pubkey_line, const char *team,
	const char *valid_after, const char *valid_before)
{
	endorse_args a = { pubkey_line ? pubkey_line : "", team, valid_after, valid_before };
	return trust_transaction(r, do_endorse, &a);
}

typedef struct revoke_args {
	const char *name;
	int *count;
} revoke_args;

static int do_revoke(ruta_replica *r, void *p)
{
	revoke_args *a = p;
	return ruta_trust__revoke(r, a->name, a->count);
}

int ruta_keys_revoke(int *revoked, ruta_replica *r, const char *name)
{
	revoke_args a = { name ? name : "", revoked };
	*revoked = 0;
	return trust_transaction(r, do_revoke, &a);
}

static int do_seal(ruta_replica *r, void *p)
{
	return ruta_trust__seal(r, p);
}

int ruta_keys_seal(int *sealed, ruta_replica *r)
{
	*sealed = 0;
	return trust_transaction(r, do_seal, sealed);
}

int ruta_keys_trust(char **text, int64_t *version, ruta_replica *r)
{
	long long v = 0;
	int err;
	ruta_error__clear();
	err = ruta_trust__current(&v, text, NULL, r);
	*version = v;
	return err;
}

int ruta_keys_passphrase(ruta_replica *r, const char *old_pass, const char *new_pass)
{
	static const char *const keys[] = { "keys/replica.key", "keys/root.key" };
	char path[4200];
	int i, err = 0;

	ruta_error__clear();
	if (new_pass && strlen(new_pass) < 8)
		return ruta_error__set(RUTA_EINVALID, "a passphrase needs at least 8 characters");
	for (i = 0; i < (r->head_office ? 2 : 1) && err == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", r->dir, keys[i]);
		err = ruta_crypto__protect(path, old_pass, new_pass);
	}
	return err;
}

/* ---- reading for an audit ---- */

int ruta_trust__root(unsigned char pk[RUTA_PK_BYTES], ruta_replica *r)
{
	return root_public(pk, r);
}

static int entry_set(ruta_trust_entry *e, const tkey *k, const char *line)
{
	if (!k->line[0] || !k->team[0] || ruta_crypto__parse_public(e->pk, line) < 0)
		return ruta_error__set(RUTA_EVERIFY, "replica %s lacks a key or a team", k->principal);
	snprintf(e->principal, sizeof(e->principal), "%s", k->principal);
	snprintf(e->team, sizeof(e->team), "%s", k->team);
	e->revoked_after = k->revoked_after;
	e->replaced_after = -1;
	return 0;
}

/* One entry per replica, then one per replaced key, which keeps its
 * replica's team and revocation but no window. */
static int entries_from(ruta_trust_entry **entries, size_t *n, tfile *t)
{
	size_t i;
	int err = 0;
	*entries = calloc(t->n + t->nformer + 1, sizeof(**entries));
	if (!*entries)
		return ruta_error__oom();
	for (i = 0; i < t->n && err == 0; i++) {
		ruta_trust_entry *e = &(*entries)[i];
		const tkey *k = &t->keys[i];
		if ((err = entry_set(e, k, k->line)) == 0) {
			snprintf(e->valid_after, sizeof(e->valid_after), "%s", k->valid_after);
			snprintf(e->valid_before, sizeof(e->valid_before), "%s", k->valid_before);
			e->expired_after = k->expired_after;
		}
	}
	for (i = 0; i < t->nformer && err == 0; i++) {
		ruta_trust_entry *e = &(*entries)[t->n + i];
		if ((err = entry_set(e, tfile_find(t, t->former[i].principal), t->former[i].line)) == 0) {
			e->expired_after = -1;
			e->replaced_after = t->former[i].after;
		}
	}
	if (err < 0) {
		free(*entries);
		*entries = NULL;
		return err;
	}
	*n = t->n + t->nformer;
	return 0;
}

int ruta_trust__read(long long *version, ruta_trust_entry **entries, size_t *n,
	const unsigned char root[RUTA_PK_BYTES], const char *text, size_t len, const char *sig,
	size_t siglen)
{
	unsigned char signer[RUTA_PK_BYTES];
	tfile t;
	int err;

	*entries = NULL;
	*n = 0;
	*version = 0;
	if (!sig)
		return ruta_error__set(RUTA_EVERIFY, "it has no signature file");
	if ((err = ruta_crypto__sshsig_verify(signer, sig, siglen, RUTA_NS_TRUST, text, len)) < 0)
		return err;
	if (memcmp(signer, root, RUTA_PK_BYTES) != 0)
		return ruta_error__set(RUTA_EVERIFY, "it is signed by a key that is not the pinned "
			"root key");
	if ((err = parse(&t, text, len)) < 0)
		return err;
	*version = t.version;
	err = entries_from(entries, n, &t);
	tfile_free(&t);
	return err;
}

/* ---- judging a changeset: what apply refuses, and ruta log re-checks ---- */

/* The key in force first; a replica's former key keeps its team and revocation. */
static const char signer_sql[] = "SELECT principal, team, coalesce(revoked_after, -1),"
	" coalesce(valid_after, ''), coalesce(valid_before, ''), fingerprint,"
	" coalesce(expired_after, -1), -1 FROM ruta_key WHERE pk = ?1"
	" UNION ALL SELECT x.principal, k.team, coalesce(k.revoked_after, -1), '', '',"
	" x.fingerprint, -1, x.after_seq FROM ruta_key_replaced x"
	" JOIN ruta_key k ON k.principal = x.principal WHERE x.pk = ?1 LIMIT 1";

static int find_signer(ruta_trust_signer *out, ruta_replica *r,
	const unsigned char pk[RUTA_PK_BYTES])
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, signer_sql)) < 0)
		return err;
	sqlite3_bind_blob(st, 1, pk, RUTA_PK_BYTES, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		snprintf(out->principal, sizeof(out->principal), "%s", sqlite3_column_text(st, 0));
		snprintf(out->team, sizeof(out->team), "%s", sqlite3_column_text(st, 1));
		out->revoked_after = sqlite3_column_int64(st, 2);
		snprintf(out->valid_after, sizeof(out->valid_after), "%s", sqlite3_column_text(st, 3));
		snprintf(out->valid_before, sizeof(out->valid_before), "%s", sqlite3_column_text(st, 4));
		snprintf(out->fingerprint, sizeof(out->fingerprint), "%s", sqlite3_column_text(st, 5));
		out->expired_after = sqlite3_column_int64(st, 6);
		out->replaced_after = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return RUTA_ENOTFOUND;
	return rc < 0 ? rc : 0;
}

int ruta_trust__signed_by(ruta_trust_verdict *verdict, ruta_trust_signer *out, ruta_replica *r,
	const void *body, size_t len, const unsigned char *body_sha256, const char *sig, size_t siglen)
{
	unsigned char pk[RUTA_PK_BYTES];
	int err;

	*verdict = RUTA_TRUST_BAD;
	if ((err = ruta_crypto__sshsig_verify_known(pk, sig, siglen, RUTA_NS_CHANGESET, body, len,
			body_sha256)) < 0)
		return err;
	*verdict = RUTA_TRUST_GOOD;
	if ((err = find_signer(out, r, pk)) == RUTA_ENOTFOUND) {
		char fp[RUTA_FINGERPRINT_MAX];
		ruta_crypto__fingerprint(fp, pk);
		*verdict = RUTA_TRUST_UNKNOWN_KEY;
		return ruta_error__set(RUTA_EVERIFY, "signed by key %s, which no trust file this "
			"replica has endorses", fp);
	}
	return err;
}

void ruta_trust__hlc_iso(char out[21], uint64_t hlc)
{
	time_t secs = (time_t)((hlc >> RUTA_HLC_COUNTER_BITS) / 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, 21, "9999-12-31T23:59:59Z");
		return;
	}
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Its replica, unrevoked, in its window, and only head office touches the
 * pipeline's configuration; in this order, so each refusal reads the same. */
int ruta_trust__judge(ruta_trust_verdict *v, const ruta_cs *cs, const ruta_trust_signer *s)
{
	char lo[21], hi[21];
	size_t i;

	*v = RUTA_TRUST_WRONG_KEY;
	if (strcmp(cs->replica, s->principal) != 0)
		return ruta_error__set(RUTA_EVERIFY, "changeset claims to be from replica %s but is "
			"signed by the key of replica %s", cs->replica, s->principal);
	if (strcmp(cs->key, s->fingerprint) != 0)
		return ruta_error__set(RUTA_EVERIFY, "changeset names key %s but is signed by %s",
			cs->key, s->fingerprint);
	*v = RUTA_TRUST_REVOKED;
	if (s->revoked_after >= 0 && cs->seq > s->revoked_after)
		return ruta_error__set(RUTA_EVERIFY, "replica %s was revoked after its changeset %lld; "
			"changeset %lld is refused", s->principal, s->revoked_after, (long long)cs->seq);
	*v = RUTA_TRUST_REPLACED;
	if (s->replaced_after >= 0 && cs->seq > s->replaced_after)
		return ruta_error__set(RUTA_EVERIFY, "replica %s's key %s was replaced after its "
			"changeset %lld; changeset %lld is signed with the former key", s->principal,
			s->fingerprint, s->replaced_after, (long long)cs->seq);
	*v = RUTA_TRUST_EXPIRED;
	if (s->expired_after >= 0 && cs->seq > s->expired_after)
		return ruta_error__set(RUTA_EVERIFY, "replica %s's key expired at %s, after its "
			"changeset %lld; changeset %lld is refused whatever time it carries", s->principal,
			s->valid_before, s->expired_after, (long long)cs->seq);
	*v = RUTA_TRUST_WINDOW;
	ruta_trust__hlc_iso(lo, cs->hlc_min);
	ruta_trust__hlc_iso(hi, cs->hlc_max);
	if (s->valid_after[0] && strcmp(lo, s->valid_after) < 0)
		return ruta_error__set(RUTA_EVERIFY, "replica %s's key is valid only from %s; this "
			"changeset is from %s", s->principal, s->valid_after, lo);
	if (s->valid_before[0] && strcmp(hi, s->valid_before) > 0)
		return ruta_error__set(RUTA_EVERIFY, "replica %s's key expired at %s; this changeset "
			"is from %s", s->principal, s->valid_before, hi);
	*v = RUTA_TRUST_NOT_HQ;
	for (i = 0; strcmp(s->team, "hq") != 0 && i < cs->nrecs; i++) {
		const ruta_tabledef *td = cs->recs[i].t;
		if (td->flags & RUTA_T_CONFIG)
			return ruta_error__set(RUTA_EVERIFY, "replica %s (team %s) changes %s records; only "
				"head office may", s->principal, s->team, td->label);
	}
	*v = RUTA_TRUST_GOOD;
	return 0;
}
