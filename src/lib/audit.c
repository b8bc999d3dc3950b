/*
 * audit.c - verifying a whole hub from the pinned root key alone.
 *
 * Trust comes only from the root key: ruta/trust is walked first, and each
 * trust file that the root key signed and that moves the version forward
 * is taken; then the replica's own, root-signed too, newer than the hub's
 * (which the hub withholds). The newest taken is in force, as ruta_key is
 * for apply. Then every other ruta/ branch, commit by commit, oldest
 * first: the commit's signature must be its owner's, and each changeset's
 * signature must be by a key the version in force endorses for that
 * replica and not revoked at that seq. Chains are judged last, over every changeset
 * seen, so that a gap, a fork, a reordering and a replay each get their own
 * name. Nothing on the hub is believed for being there, and nothing found
 * stops the audit: every problem is reported with where it is. A hub by
 * path is read in place; any other is fetched into the replica's own
 * repository (refs/audit/, apart from what pulls judge) and read there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "changeset.h"
#include "crypto.h"
#include "schema.h"
#include "transport.h"
#include "trust.h"

typedef struct akey {
	ruta_trust_entry e;
	char fp[RUTA_FINGERPRINT_MAX];
} akey;

/* One changeset as found on the hub. */
typedef struct acs {
	char replica[80];
	int64_t seq, changes;
	uint64_t hlc_min, hlc_max;
	char hash[65], prev[65];
	const char *branch;   /* borrowed from audit.tips, which outlives every acs */
	char commit[41];
	char key[RUTA_FINGERPRINT_MAX]; /* the fingerprint it names */
	char *file;           /* owned */
	json_t *deps;         /* owned reference: what the author had applied */
	size_t pos;           /* order of appearance */
	int dropped;          /* a replay or a fork's second copy: not in the chain */
} acs;

typedef struct audit {
	ruta_replica *r;
	ruta_git *g;
	unsigned char root[RUTA_PK_BYTES];
	akey *keys;             /* every key any trust version taken endorsed: commit signers */
	size_t nkeys;
	ruta_trust_entry *force; /* the newest version's entries, which judge every changeset */
	size_t nforce;
	long long trust_max;
	long long hub_trust;    /* the newest version the hub itself has */
	acs *cs;
	size_t ncs, capcs;
	json_t *problems;
	json_t *tips;           /* branch -> tip */
	const char *branch;     /* the branch being walked */
	char owner[200];        /* its replica; "" for trust and snapshot */
	int trust_branch;
	const char *ns;         /* where the hub's branches are: refs/heads/ or refs/audit/ */
	int lock;               /* the sync lock, held while a fetched copy is read; -1 */
	ruta_audit_result *res;
	int timeline;           /* list every changeset in the report (options version 2) */
	int timeout;            /* seconds a hub fetched may take; 0: the default (version 3) */
	ruta_credential_cb credentials;   /* the app's, for the hub's login (version 3) */
	ruta_step_cb step;                /* the fetch's progress, cancellable (version 3) */
	void *payload;
} audit;

/* ---- problems --------------------------------------------------------------- */

static int problem(audit *a, const char *kind, const char *branch, const char *commit,
	const char *file, int64_t seq, const char *fmt, ...) RUTA_PRINTF(7, 8);

/* The hub names branches and files: what it gives that is not UTF-8 is
 * shown with '?', so that it can be reported at all. */
static json_t *hub_text(const char *s)
{
	char *copy;
	json_t *j;
	if (!s)
		return json_null();
	if (!(copy = strdup(s)))
		return NULL;
	ruta_utf8__repair(copy);
	j = json_string(copy);
	free(copy);
	return j;
}

static int problem(audit *a, const char *kind, const char *branch, const char *commit,
	const char *file, int64_t seq, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	json_t *p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ruta_utf8__repair(msg);
	p = json_pack("{s:s, s:o*, s:s?, s:o*, s:s}", "kind", kind, "branch", hub_text(branch),
		"commit", commit, "file", hub_text(file), "message", msg);
	if (!p)
		return ruta_error__oom();
	json_object_set_new(p, "seq", seq > 0 ? json_integer(seq) : json_null());
	a->res->problems++;
	return json_array_append_new(a->problems, p) == 0 ? 0 : ruta_error__oom();
}

/* ---- keys ------------------------------------------------------------------------ */

static akey *key_find(audit *a, const unsigned char pk[RUTA_PK_BYTES], const char *principal)
{
	size_t i;
	for (i = 0; i < a->nkeys; i++)
		if (memcmp(a->keys[i].e.pk, pk, RUTA_PK_BYTES) == 0 &&
				(!principal || strcmp(a->keys[i].e.principal, principal) == 0))
			return &a->keys[i];
	return NULL;
}

/* A newer trust file: its entries replace what older ones said of the same
 * replica and key; a key a replica had before stays known, so that its
 * changesets from then still check. A revocation covers every key of the
 * replica. */
static int keys_take(audit *a, const ruta_trust_entry *v, size_t n)
{
	size_t i, j;
	for (i = 0; i < n; i++) {
		akey *k = key_find(a, v[i].pk, v[i].principal);
		if (!k) {
			akey *nk = realloc(a->keys, (a->nkeys + 1) * sizeof(*nk));
			if (!nk)
				return ruta_error__oom();
			a->keys = nk;
			k = &a->keys[a->nkeys++];
			ruta_crypto__fingerprint(k->fp, v[i].pk);
		}
		k->e = v[i];
		for (j = 0; j < a->nkeys && v[i].revoked_after >= 0; j++)
			if (strcmp(a->keys[j].e.principal, v[i].principal) == 0)
				a->keys[j].e.revoked_after = v[i].revoked_after;
	}
	a->res->keys = (int64_t)a->nkeys;
	return 0;
}

/* A newer version is in force: like ruta_key after an install (format.md
 * §7.3, §7.4), only its entries judge changesets, so a key it no longer
 * lists (replaced by a newer one) endorses nothing. Takes *v. */
static int take_version(audit *a, long long version, ruta_trust_entry **v, size_t n)
{
	int err = keys_take(a, *v, n);
	if (err < 0)
		return err;
	free(a->force);
	a->force = *v;
	a->nforce = n;
	*v = NULL;
	a->trust_max = version;
	a->res->trust_version = version;
	return 0;
}

static const ruta_trust_entry *force_find(audit *a, const unsigned char pk[RUTA_PK_BYTES],
	const char *principal)
{
	size_t i;
	for (i = 0; i < a->nforce; i++)
		if (memcmp(a->force[i].pk, pk, RUTA_PK_BYTES) == 0 &&
				(!principal || strcmp(a->force[i].principal, principal) == 0))
			return &a->force[i];
	return NULL;
}

/* ---- files of a commit ------------------------------------------------------------ */

static const ruta_git_file *file_get(const ruta_git_commit *c, const char *path)
{
	size_t i;
	for (i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i].path, path) == 0)
			return &c->files[i];
	return NULL;
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && strcmp(s + n - m, end) == 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ---- the trust branch ----------------------------------------------------------- */

static int trust_file(audit *a, const ruta_git_commit *c, const ruta_git_file *f)
{
	char sigpath[700];
	const ruta_git_file *sig;
	ruta_trust_entry *v = NULL;
	long long version = 0;
	size_t n = 0;
	int err;

	snprintf(sigpath, sizeof(sigpath), "%s.sig", f->path);
	sig = file_get(c, sigpath);
	if (ruta_trust__read(&version, &v, &n, a->root, f->data, f->len, sig ? sig->data : NULL,
			sig ? sig->len : 0) < 0)
		return problem(a, "trust", a->branch, c->id, f->path, 0, "trust file not taken: %s",
			ruta_error_last()->message);
	if (version <= a->trust_max)
		err = problem(a, "trust-rollback", a->branch, c->id, f->path, 0, "trust file version "
			"%lld comes after version %lld on the trust branch: versions only move forward",
			version, a->trust_max);
	else
		err = take_version(a, version, &v, n);
	free(v);
	return err;
}

/* The trust files this replica holds were checked against the root key when
 * they were installed, and are checked again here. A hub that stops at an
 * older version than one of them withholds the newer (a revocation, say):
 * that is a problem, and the newer versions judge the changesets all the
 * same, taken in version order after the hub's. */
static const char local_trust_sql[] = "SELECT version, text, sig FROM ruta_trust"
	" ORDER BY version";

static int local_trust(audit *a)
{
	sqlite3_stmt *st;
	long long hub_max = a->trust_max;
	int rc = SQLITE_DONE, err;

	a->hub_trust = hub_max;
	if ((err = ruta_db__stmt(&st, a->r, local_trust_sql)) < 0)
		return err;
	while (err == 0 && (rc = ruta_db__step(a->r, st)) == SQLITE_ROW) {
		ruta_trust_entry *v = NULL;
		long long version = 0;
		size_t n = 0;
		if (sqlite3_column_int64(st, 0) <= a->trust_max)
			continue;
		if (ruta_trust__read(&version, &v, &n, a->root, (const char *)sqlite3_column_text(st, 1),
				(size_t)sqlite3_column_bytes(st, 1), (const char *)sqlite3_column_text(st, 2),
				(size_t)sqlite3_column_bytes(st, 2)) < 0 || version <= a->trust_max) {
			free(v);
			continue;
		}
		err = take_version(a, version, &v, n);
		free(v);
	}
	sqlite3_reset(st);
	if (err < 0)
		return err;
	if (rc < 0)
		return rc;
	if (a->trust_max > hub_max)
		return problem(a, "trust-withheld", "ruta/trust", NULL, NULL, 0, "hub's newest trust "
			"file is version %lld; this replica holds version %lld: the hub withholds it "
			"(sync from head office, or audit another copy)", hub_max, a->trust_max);
	return 0;
}

/* ---- changesets ------------------------------------------------------------------- */

/* What apply.c's find_signer and check_authority ask, against the trust
 * version in force: the newest the hub or this replica has. */
static int check_key(audit *a, const ruta_git_commit *c, const char *file, const ruta_cs *cs,
	const unsigned char pk[RUTA_PK_BYTES])
{
	char fp[RUTA_FINGERPRINT_MAX], kfp[RUTA_FINGERPRINT_MAX], lo[21], hi[21];
	const ruta_trust_entry *k = force_find(a, pk, cs->replica), *other = force_find(a, pk, NULL);
	akey *old = key_find(a, pk, NULL);
	size_t i;

	ruta_crypto__fingerprint(fp, pk);
	if (!k && other)
		return problem(a, "key", a->branch, c->id, file, cs->seq, "changeset %lld of replica %s "
			"is signed by the key of replica %s (team %s)", (long long)cs->seq, cs->replica,
			other->principal, other->team);
	if (!k && old && strcmp(old->e.principal, cs->replica) == 0)
		return problem(a, "key", a->branch, c->id, file, cs->seq, "changeset %lld of replica %s "
			"is signed by key %s, which trust file version %lld no longer endorses (a newer "
			"key replaced it)", (long long)cs->seq, cs->replica, fp, a->trust_max);
	if (!k && old)
		return problem(a, "key", a->branch, c->id, file, cs->seq, "changeset %lld of replica %s "
			"is signed by a former key of replica %s (team %s)", (long long)cs->seq,
			cs->replica, old->e.principal, old->e.team);
	if (!k)
		return problem(a, "key", a->branch, c->id, file, cs->seq, "changeset %lld of replica %s "
			"is signed by key %s, which no trust file endorses", (long long)cs->seq,
			cs->replica, fp);
	ruta_crypto__fingerprint(kfp, k->pk);
	if (strcmp(cs->key, kfp) != 0)
		return problem(a, "key", a->branch, c->id, file, cs->seq, "changeset names key %s but "
			"is signed by %s", cs->key, kfp);
	if (k->revoked_after >= 0 && cs->seq > k->revoked_after)
		return problem(a, "revoked", a->branch, c->id, file, cs->seq, "replica %s was revoked "
			"after its changeset %lld; changeset %lld is signed with its revoked key",
			cs->replica, k->revoked_after, (long long)cs->seq);
	if (k->replaced_after >= 0 && cs->seq > k->replaced_after)
		return problem(a, "replaced", a->branch, c->id, file, cs->seq, "replica %s's key %s was "
			"replaced after its changeset %lld; changeset %lld is signed with the former key",
			cs->replica, kfp, k->replaced_after, (long long)cs->seq);
	if (k->expired_after >= 0 && cs->seq > k->expired_after)
		return problem(a, "expired", a->branch, c->id, file, cs->seq, "replica %s's key expired "
			"at %s, after its changeset %lld; changeset %lld is signed with the expired key, "
			"whatever time it carries", cs->replica, k->valid_before, k->expired_after,
			(long long)cs->seq);
	ruta_trust__hlc_iso(lo, cs->hlc_min);
	ruta_trust__hlc_iso(hi, cs->hlc_max);
	if ((k->valid_after[0] && strcmp(lo, k->valid_after) < 0) ||
			(k->valid_before[0] && strcmp(hi, k->valid_before) > 0))
		return problem(a, "key", a->branch, c->id, file, cs->seq, "replica %s's key is valid "
			"from %s to %s; this changeset is from %s to %s", cs->replica,
			k->valid_after[0] ? k->valid_after : "the start",
			k->valid_before[0] ? k->valid_before : "no end", lo, hi);
	if (strcmp(k->team, "hq") == 0)
		return 0;
	for (i = 0; i < json_array_size(cs->records); i++) {
		const char *t = json_string_value(json_object_get(json_array_get(cs->records, i), "t"));
		if (ruta_schema__by_name(t)->flags & RUTA_T_CONFIG)
			return problem(a, "key", a->branch, c->id, file, cs->seq, "replica %s (team %s) "
				"changes %s records; only head office may", cs->replica, k->team, t);
	}
	return 0;
}

static int cs_add(audit *a, const ruta_git_commit *c, const ruta_git_file *f, const ruta_cs *cs)
{
	acs *x;
	if (a->ncs == a->capcs) {
		size_t cap = a->capcs ? a->capcs * 2 : 64;
		acs *nv = realloc(a->cs, cap * sizeof(*nv));
		if (!nv)
			return ruta_error__oom();
		a->cs = nv;
		a->capcs = cap;
	}
	x = &a->cs[a->ncs];
	memset(x, 0, sizeof(*x));
	snprintf(x->replica, sizeof(x->replica), "%s", cs->replica);
	x->seq = cs->seq;
	x->changes = cs->changes;
	x->hlc_min = cs->hlc_min;
	x->hlc_max = cs->hlc_max;
	if (!(x->file = strdup(f->path)))
		return ruta_error__oom();
	ruta_crypto__sha256_hex(x->hash, f->data, f->len);
	snprintf(x->prev, sizeof(x->prev), "%s", cs->prev);
	x->branch = a->branch;
	snprintf(x->commit, sizeof(x->commit), "%s", c->id);
	snprintf(x->key, sizeof(x->key), "%s", cs->key);
	x->deps = json_incref(cs->deps);
	x->pos = a->ncs++;
	return 0;
}

/* Where a changeset sits: on its own replica's branch, under its own name. */
static int check_place(audit *a, const ruta_git_commit *c, const ruta_git_file *f,
	const ruta_cs *cs)
{
	char want[200];
	ruta_changeset__name(want, sizeof(want), cs->replica, cs->seq);
	if (strcmp(cs->replica, a->owner) != 0)
		return problem(a, "layout", a->branch, c->id, f->path, cs->seq, "branch %s carries "
			"changeset %lld of replica %s", a->branch, (long long)cs->seq, cs->replica);
	if (strcmp(base_name(f->path), want) != 0)
		return problem(a, "layout", a->branch, c->id, f->path, cs->seq, "the file holds "
			"changeset %lld of replica %s, which is named %s", (long long)cs->seq,
			cs->replica, want);
	return 0;
}

static int changeset_file(audit *a, const ruta_git_commit *c, const ruta_git_file *f)
{
	char sigpath[700];
	const ruta_git_file *sig;
	unsigned char pk[RUTA_PK_BYTES];
	int sig_ok, err;
	ruta_cs cs;

	snprintf(sigpath, sizeof(sigpath), "%s.sig", f->path);
	if (!(sig = file_get(c, sigpath)))
		return problem(a, "signature", a->branch, c->id, f->path, 0, "the changeset has no "
			"signature file");
	sig_ok = ruta_crypto__sshsig_verify(pk, sig->data, sig->len, RUTA_NS_CHANGESET, f->data,
		f->len) == 0;
	if (!sig_ok && (err = problem(a, "signature", a->branch, c->id, f->path, 0, "bad changeset "
			"signature: %s", ruta_error_last()->message)) < 0)
		return err;
	if (ruta_changeset__parse(&cs, f->data, f->len) < 0)
		return problem(a, "format", a->branch, c->id, f->path, 0, "not a valid changeset: %s",
			ruta_error_last()->message);
	err = sig_ok ? check_key(a, c, f->path, &cs, pk) : 0;
	if (err == 0)
		err = check_place(a, c, f, &cs);
	/* badly signed, it still takes its place: the chain says more of what changed */
	if (err == 0)
		err = cs_add(a, c, f, &cs);
	ruta_changeset__free(&cs);
	return err;
}

/* ---- commits ---------------------------------------------------------------------- */

/* The branch's owner: its replica's key, or on ruta/trust and ruta/snapshot
 * any key of head office's team. */
static int owner_key(audit *a, const unsigned char pk[RUTA_PK_BYTES])
{
	size_t i;
	if (a->owner[0])
		return key_find(a, pk, a->owner) != NULL;
	for (i = 0; i < a->nkeys; i++)
		if (memcmp(a->keys[i].e.pk, pk, RUTA_PK_BYTES) == 0 && strcmp(a->keys[i].e.team, "hq") == 0)
			return 1;
	return 0;
}

static int commit_signature(audit *a, const ruta_git_commit *c)
{
	unsigned char pk[RUTA_PK_BYTES];
	const char *who = a->owner[0] ? a->owner : "head office";
	char fp[RUTA_FINGERPRINT_MAX];
	akey *k;

	if (!c->signature)
		return problem(a, "commit-signature", a->branch, c->id, NULL, 0, "the commit is not "
			"signed; it must be signed by %s's key", who);
	if (ruta_crypto__sshsig_verify(pk, c->signature, c->signature_len, "git", c->signed_data,
			c->signed_len) < 0)
		return problem(a, "commit-signature", a->branch, c->id, NULL, 0, "bad commit "
			"signature: %s", ruta_error_last()->message);
	if (owner_key(a, pk))
		return 0;
	if ((k = key_find(a, pk, NULL)) != NULL)
		return problem(a, "commit-signature", a->branch, c->id, NULL, 0, "the commit is signed "
			"by the key of replica %s, not by %s's", k->e.principal, who);
	ruta_crypto__fingerprint(fp, pk);
	return problem(a, "commit-signature", a->branch, c->id, NULL, 0, "the commit is signed by "
		"key %s, which no trust file endorses", fp);
}

static int commit_files(audit *a, const ruta_git_commit *c)
{
	size_t i;
	int err = 0;
	for (i = 0; i < c->nfiles && err == 0; i++) {
		const ruta_git_file *f = &c->files[i];
		char json[700];
		if (ends_with(f->path, ".sig")) {
			snprintf(json, sizeof(json), "%.*s", (int)(strlen(f->path) - 4), f->path);
			if (!file_get(c, json))
				err = problem(a, "layout", a->branch, c->id, f->path, 0, "a signature without "
					"the file it signs");
		} else if (a->trust_branch && strncmp(f->path, "trust/ruta-trust-", 17) == 0 &&
				ends_with(f->path, ".txt")) {
			err = trust_file(a, c, f);
		} else if (!a->trust_branch && a->owner[0] && strncmp(f->path, "changesets/", 11) == 0 &&
				ends_with(f->path, ".json")) {
			err = changeset_file(a, c, f);
		} else if (a->owner[0] || a->trust_branch) {
			err = problem(a, "layout", a->branch, c->id, f->path, 0, "a file that has no place "
				"on this branch");
		}
	}
	return err;
}

static int on_commit(const ruta_git_commit *c, void *payload)
{
	audit *a = payload;
	int err = 0;

	a->res->commits++;
	if (c->parents > 1)
		err = problem(a, "history", a->branch, c->id, NULL, 0, "a merge commit (%zu parents); "
			"a ruta branch is one line of commits", c->parents);
	/* the trust branch's first commit brings the key that signed it */
	if (err == 0 && !a->trust_branch)
		err = commit_signature(a, c);
	if (err == 0)
		err = commit_files(a, c);
	if (err == 0 && a->trust_branch)
		err = commit_signature(a, c);
	return err;
}

/* ---- branches and the checkpoint -------------------------------------------------- */

static int on_branch(const char *tip, const char *name, const char *data, size_t len,
	void *payload)
{
	audit *a = payload;
	(void)data;
	(void)len;
	return json_object_set_new(a->tips, name, json_string(tip)) == 0 ? 0 : ruta_error__oom();
}

static int walk_branch(audit *a, const char *name, const char *tip)
{
	a->branch = name;
	a->trust_branch = strcmp(name, "ruta/trust") == 0;
	/* ruta/snapshot is head office's: its commits' signatures are checked */
	if (a->trust_branch || strcmp(name, "ruta/snapshot") == 0)
		a->owner[0] = '\0';
	else
		snprintf(a->owner, sizeof(a->owner), "%s", name + 5);
	return ruta_git__history(a->g, tip, on_commit, a);
}

static const char checkpoint_get_sql[] = "SELECT branch, tip, at FROM ruta_audit WHERE hub = ?1"
	" ORDER BY branch";
static const char checkpoint_clear_sql[] = "DELETE FROM ruta_audit WHERE hub = ?1";
static const char checkpoint_put_sql[] = "INSERT INTO ruta_audit(hub, branch, tip, at,"
	" trust_version) VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?4)";
static const char checkpoint_trust_sql[] = "SELECT trust_version, at FROM ruta_audit"
	" WHERE hub = ?1 ORDER BY trust_version DESC LIMIT 1";

/* Every branch the last good audit saw must still be there, at or after
 * where it was. */
static int check_checkpoint(audit *a, const char *hub)
{
	sqlite3_stmt *st;
	int rc, err = 0;
	if ((rc = ruta_db__stmt(&st, a->r, checkpoint_get_sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, hub, -1, SQLITE_STATIC);
	while (err == 0 && (rc = ruta_db__step(a->r, st)) == SQLITE_ROW) {
		const char *branch = (const char *)sqlite3_column_text(st, 0);
		const char *old = (const char *)sqlite3_column_text(st, 1);
		const char *at = (const char *)sqlite3_column_text(st, 2);
		const char *tip = json_string_value(json_object_get(a->tips, branch));
		if (!tip)
			err = problem(a, "rewritten", branch, old, NULL, 0, "branch %s is gone from the "
				"hub; the audit of %s verified it at commit %.12s", branch, at, old);
		else if (!ruta_git__descends(a->g, tip, old))
			err = problem(a, "rewritten", branch, tip, NULL, 0, "branch %s was rewritten: its "
				"tip %.12s does not descend from commit %.12s, where the audit of %s verified "
				"it", branch, tip, old, at);
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

/* The hub's newest trust file must be at least the version the last good
 * audit of it saw: an older one withholds what came since. */
static int check_checkpoint_trust(audit *a, const char *hub)
{
	sqlite3_stmt *st;
	int rc, err = 0;
	if ((rc = ruta_db__stmt(&st, a->r, checkpoint_trust_sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, hub, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(a->r, st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) > a->hub_trust)
		err = problem(a, "trust-withheld", "ruta/trust", NULL, NULL, 0, "hub's newest trust "
			"file is version %lld; the audit of %s verified version %lld on it: the hub "
			"withholds it (sync from head office, or audit another copy)", a->hub_trust,
			(const char *)sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

static int checkpoint_save(audit *a, const char *hub)
{
	sqlite3_stmt *st;
	const char *branch;
	json_t *tip;
	int rc = 0, err;

	if ((err = ruta_db__begin(a->r)) < 0)
		return err;
	if ((err = ruta_db__stmt(&st, a->r, checkpoint_clear_sql)) == 0) {
		sqlite3_bind_text(st, 1, hub, -1, SQLITE_STATIC);
		rc = ruta_db__step(a->r, st);
		sqlite3_reset(st);
	}
	json_object_foreach(a->tips, branch, tip) {
		if (err < 0 || rc < 0 || (err = ruta_db__stmt(&st, a->r, checkpoint_put_sql)) < 0)
			break;
		sqlite3_bind_text(st, 1, hub, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, branch, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, json_string_value(tip), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, a->hub_trust);
		rc = ruta_db__step(a->r, st);
		sqlite3_reset(st);
	}
	if (err == 0 && rc >= 0)
		return ruta_db__commit(a->r);
	ruta_db__rollback(a->r);
	return err < 0 ? err : rc;
}

/* ---- chains --------------------------------------------------------------------- */

static int by_hash(const void *x, const void *y)
{
	const acs *p = *(acs *const *)x, *q = *(acs *const *)y;
	int c = strcmp(p->hash, q->hash);
	return c ? c : (p->pos > q->pos) - (p->pos < q->pos);
}

static int by_replica_seq(const void *x, const void *y)
{
	const acs *p = *(acs *const *)x, *q = *(acs *const *)y;
	int c = strcmp(p->replica, q->replica);
	return c ? c : (p->seq > q->seq) - (p->seq < q->seq);
}

static int by_seq(const void *x, const void *y)
{
	const acs *p = *(acs *const *)x, *q = *(acs *const *)y;
	int c = strcmp(p->replica, q->replica);
	if (c)
		return c;
	if (p->seq != q->seq)
		return p->seq < q->seq ? -1 : 1;
	return (p->pos > q->pos) - (p->pos < q->pos);
}

/* The same bytes twice: the later copy is a replay, whatever its place. */
static int find_replays(audit *a, acs **v, size_t n)
{
	size_t i;
	int err = 0;
	qsort(v, n, sizeof(*v), by_hash);
	for (i = 1; i < n && err == 0; i++)
		if (strcmp(v[i]->hash, v[i - 1]->hash) == 0) {
			v[i]->dropped = 1;
			err = problem(a, "replay", v[i]->branch, v[i]->commit, v[i]->file, v[i]->seq,
				"changeset %lld of replica %s is replayed: the same bytes are already in "
				"commit %.12s on %s", (long long)v[i]->seq, v[i]->replica, v[i - 1]->commit,
				v[i - 1]->branch);
		}
	return err;
}

/* One replica's changesets in seq order: each must follow the one before,
 * by number, by hash and by place. */
static int judge_link(audit *a, acs *prev, acs *x)
{
	if (prev && prev->seq == x->seq) {
		x->dropped = 1;
		return problem(a, "fork", x->branch, x->commit, x->file, x->seq, "fork: a second, "
			"different changeset %lld of replica %s (the first is in commit %.12s)",
			(long long)x->seq, x->replica, prev->commit);
	}
	if (x->seq > (prev ? prev->seq : 0) + 1) {
		int64_t from = prev ? prev->seq + 1 : 1;
		if (x->seq - 1 == from)
			return problem(a, "gap", x->branch, x->commit, x->file, x->seq, "gap: changeset "
				"%lld of replica %s is missing before this one", (long long)from, x->replica);
		return problem(a, "gap", x->branch, x->commit, x->file, x->seq, "gap: changesets "
			"%lld to %lld of replica %s are missing before this one", (long long)from,
			(long long)x->seq - 1, x->replica);
	}
	if (prev && strcmp(x->prev, prev->hash) != 0)
		return problem(a, "chain", x->branch, x->commit, x->file, x->seq, "chain broken: "
			"changeset %lld's prev is not the hash of changeset %lld of replica %s in commit "
			"%.12s", (long long)x->seq, (long long)prev->seq, x->replica, prev->commit);
	if (prev && x->pos < prev->pos)
		return problem(a, "order", x->branch, x->commit, x->file, x->seq, "reordered: "
			"changeset %lld of replica %s comes before changeset %lld (commit %.12s)",
			(long long)x->seq, x->replica, (long long)prev->seq, prev->commit);
	return 0;
}

static void count(audit *a, acs *x, acs *prev)
{
	ruta_audit_result *res = a->res;
	if (!prev || strcmp(prev->replica, x->replica) != 0)
		res->replicas++;
	res->changesets++;
	res->changes += x->changes;
	if (!res->hlc_first || x->hlc_min < res->hlc_first)
		res->hlc_first = x->hlc_min;
	if (x->hlc_max > res->hlc_last)
		res->hlc_last = x->hlc_max;
}

/* What `deps` names is a witness (format.md §6.6): the author had applied
 * that changeset, so the hub must hold it, with that very hash. */
static int judge_deps(audit *a, acs **v, size_t n, const acs *x)
{
	const char *d;
	json_t *dep;
	int err = 0;
	json_object_foreach(x->deps, d, dep) {
		acs key, *kp = &key, **hit;
		memset(&key, 0, sizeof(key));
		snprintf(key.replica, sizeof(key.replica), "%s", d);
		key.seq = json_integer_value(json_object_get(dep, "seq"));
		key.pos = 0;
		hit = bsearch(&kp, v, n, sizeof(*v), by_replica_seq);
		if (!hit)
			err = problem(a, "deps", x->branch, x->commit, x->file, x->seq, "changeset %lld "
				"of replica %s depends on changeset %lld of replica %s, which the hub does not "
				"hold", (long long)x->seq, x->replica, (long long)key.seq, d);
		else if (strcmp((*hit)->hash, json_string_value(json_object_get(dep, "hash"))) != 0)
			err = problem(a, "deps", x->branch, x->commit, x->file, x->seq, "fork witnessed: "
				"replica %s had applied a changeset %lld of replica %s with another hash than "
				"the one in commit %.12s", x->replica, (long long)key.seq, d, (*hit)->commit);
		if (err < 0)
			break;
	}
	return err;
}

static int judge_chains(audit *a)
{
	acs **v = malloc((a->ncs ? a->ncs : 1) * sizeof(*v)), *prev = NULL;
	size_t i, n = 0;
	int err;

	if (!v)
		return ruta_error__oom();
	for (i = 0; i < a->ncs; i++)
		v[i] = &a->cs[i];
	err = find_replays(a, v, a->ncs);
	for (i = 0; i < a->ncs; i++)
		if (!a->cs[i].dropped)
			v[n++] = &a->cs[i];
	qsort(v, n, sizeof(*v), by_seq);
	for (i = 0; i < n && err == 0; i++) {
		if (prev && strcmp(prev->replica, v[i]->replica) != 0)
			prev = NULL;
		if ((err = judge_link(a, prev, v[i])) == 0 && !v[i]->dropped) {
			count(a, v[i], prev);
			prev = v[i];
		}
	}
	/* a fork's second copy is out: one changeset per replica and seq is left */
	for (i = 0, n = 0; i < a->ncs; i++)
		if (!a->cs[i].dropped)
			v[n++] = &a->cs[i];
	qsort(v, n, sizeof(*v), by_seq);
	for (i = 0; i < n && err == 0; i++)
		err = judge_deps(a, v, n, v[i]);
	free(v);
	return err;
}

/* ---- the whole ----------------------------------------------------------------- */

static int walk_all(audit *a)
{
	const char **names;
	const char *name;
	json_t *tip;
	size_t n = 0, i;
	int err = 0;

	if (!json_object_get(a->tips, "ruta/trust") && (err = problem(a, "trust", "ruta/trust",
			NULL, NULL, 0, "the hub has no trust branch: no changeset can be checked")) < 0)
		return err;
	if (!(names = malloc((json_object_size(a->tips) + 1) * sizeof(*names))))
		return ruta_error__oom();
	/* the trust branch first: it is where every key comes from */
	if (json_object_get(a->tips, "ruta/trust"))
		names[n++] = "ruta/trust";
	json_object_foreach(a->tips, name, tip)
		if (strcmp(name, "ruta/trust") != 0)
			names[n++] = name;
	a->res->branches = (int64_t)n;
	/* this replica's own trust files after the hub's, before any changeset */
	if (!json_object_get(a->tips, "ruta/trust"))
		err = local_trust(a);
	for (i = 0; i < n && err == 0; i++) {
		err = walk_branch(a, names[i], json_string_value(json_object_get(a->tips, names[i])));
		if (err == 0 && strcmp(names[i], "ruta/trust") == 0)
			err = local_trust(a);
	}
	free(names);
	return err;
}

static json_t *cs_json(const acs *x)
{
	char lo[17], hi[17];
	ruta_hlc_format(lo, x->hlc_min);
	ruta_hlc_format(hi, x->hlc_max);
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:b}",
		"replica", x->replica, "seq", (json_int_t)x->seq, "hash", x->hash, "prev", x->prev,
		"hlc_min", lo, "hlc_max", hi, "changes", (json_int_t)x->changes, "branch", x->branch,
		"commit", x->commit, "file", x->file, "key", x->key, "dropped", x->dropped);
}

/* Every changeset found, per replica in seq order, a replay or a fork's
 * second copy after the one it repeats: what the chains were judged on,
 * for ruta_audit_report's timeline. NULL if out of memory. */
static json_t *timeline(audit *a)
{
	acs **v = malloc((a->ncs ? a->ncs : 1) * sizeof(*v));
	json_t *list = v ? json_array() : NULL;
	size_t i;

	for (i = 0; list && i < a->ncs; i++)
		v[i] = &a->cs[i];
	if (list)
		qsort(v, a->ncs, sizeof(*v), by_seq);
	for (i = 0; list && i < a->ncs; i++)
		if (json_array_append_new(list, cs_json(v[i])) < 0) {
			json_decref(list);
			list = NULL;
		}
	free(v);
	return list;
}

static int report(audit *a, const char *hub)
{
	char first[17], last[17];
	ruta_audit_result *res = a->res;
	json_t *j;

	ruta_hlc_format(first, res->hlc_first);
	ruta_hlc_format(last, res->hlc_last);
	j = json_pack("{s:i, s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:s?, s:I, s:O,"
		" s:O}", "schema", 1, "ok", res->problems == 0, "hub", hub,
		"branches", (json_int_t)res->branches, "commits", (json_int_t)res->commits,
		"trust_version", (json_int_t)res->trust_version, "keys", (json_int_t)res->keys,
		"replicas", (json_int_t)res->replicas, "changesets", (json_int_t)res->changesets,
		"changes", (json_int_t)res->changes,
		"hlc_first", res->changesets ? first : NULL, "hlc_last", res->changesets ? last : NULL,
		"problems_count", (json_int_t)res->problems, "tips", a->tips,
		"problems", a->problems);
	if (j && a->timeline && json_object_set_new(j, "timeline", timeline(a)) < 0) {
		json_decref(j);
		j = NULL;
	}
	if (!j || !(res->json = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)))
		res->json = NULL;
	json_decref(j);
	return res->json ? 0 : ruta_error__oom();
}

/* One name per local hub, so that the checkpoint is found however the hub
 * is spelled: file:// dropped, the path resolved (symbolic links, ".",
 * "..") and without a trailing '/'. A path that does not resolve is kept
 * as given, less trailing '/': opening it says what is wrong. */
static int canonical_hub(char **hub)
{
	char *path = *hub, *real;
	size_t n;
	if (strncmp(path, "file://", 7) == 0 && path[7] == '/')
		path += 7;
	if (path[0] != '/')
		return 0;
	if (!(real = realpath(path, NULL)) && !(real = strdup(path)))
		return ruta_error__oom();
	for (n = strlen(real); n > 1 && real[n - 1] == '/'; n--)
		real[n - 1] = '\0';
	free(*hub);
	*hub = real;
	return 0;
}

static int hub_of(char **out, ruta_replica *r, const ruta_audit_options *opts)
{
	char *url = NULL;
	int err;
	*out = NULL;
	if (opts && opts->hub)
		err = ruta_sync__hub_url(&url, opts->hub);
	else if ((err = ruta_hub_get(&url, r)) < 0)
		return ruta_error__set(err, "this replica has no hub to audit; give one with --hub "
			"or set it with 'ruta hub add URL'");
	if (err == 0 && (err = canonical_hub(&url)) == 0)
		*out = url;
	else
		free(url);
	return err;
}

/* A hub by path is read in place; any other is fetched first into the
 * replica's own repository, apart from what pulls use, under the sync lock. */
static int open_hub(audit *a, const char *hub)
{
	int err;
	if (strncmp(hub, "file://", 7) == 0 || hub[0] == '/') {
		a->ns = "refs/heads/";
		return ruta_git__open_path(&a->g, hub);
	}
	a->ns = "refs/audit/";
	if ((err = ruta_sync__lock(&a->lock, a->r)) < 0 ||
			(err = ruta_git__open(&a->g, a->r->dir, a->step, a->payload)) < 0)
		return err;
	ruta_git__timeout(a->g, a->timeout);
	ruta_git__credentials(a->g, a->credentials, a->payload);
	return ruta_git__fetch_audit(a->g, hub);
}

static int run(audit *a, const char *hub)
{
	int err;
	if ((err = ruta_trust__root(a->root, a->r)) < 0 || (err = open_hub(a, hub)) < 0 ||
			(err = ruta_git__branches(a->g, a->ns, on_branch, a)) < 0 ||
			(err = check_checkpoint(a, hub)) < 0 || (err = walk_all(a)) < 0 ||
			(err = check_checkpoint_trust(a, hub)) < 0 ||
			(err = judge_chains(a)) < 0 || (err = report(a, hub)) < 0)
		return err;
	if (a->res->problems)
		return ruta_error__set(RUTA_EVERIFY, "hub '%s' failed verification: %lld problem%s, "
			"each in the report with where it is; the checkpoint stays where it was", hub,
			(long long)a->res->problems, a->res->problems == 1 ? "" : "s");
	return checkpoint_save(a, hub);
}

int ruta_audit_verify(ruta_audit_result *out, ruta_replica *r, const ruta_audit_options *opts)
{
	audit a;
	char *hub = NULL;
	int err;

	ruta_error__clear();
	memset(out, 0, sizeof(*out));
	out->version = RUTA_AUDIT_RESULT_VERSION;
	memset(&a, 0, sizeof(a));
	a.r = r;
	a.res = out;
	a.lock = -1;
	a.timeline = opts && opts->version >= 2 && opts->timeline;
	a.timeout = opts && opts->version >= 3 ? opts->timeout : 0;
	if (opts && opts->version >= 3) {
		a.credentials = opts->credentials;
		a.step = opts->step;
		a.payload = opts->payload;
	}
	a.problems = json_array();
	a.tips = json_object();
	if (!a.problems || !a.tips)
		err = ruta_error__oom();
	else if ((err = ruta_sync__check_timeout(a.timeout, "audit options")) == 0 &&
			(err = hub_of(&hub, r, opts)) == 0)
		err = run(&a, hub);
	ruta_git__free(a.g);
	ruta_sync__unlock(a.lock);
	json_decref(a.problems);
	json_decref(a.tips);
	free(a.keys);
	free(a.force);
	for (size_t i = 0; i < a.ncs; i++) {
		free(a.cs[i].file);
		json_decref(a.cs[i].deps);
	}
	free(a.cs);
	free(hub);
	return err;
}

void ruta_audit_result_dispose(ruta_audit_result *res)
{
	if (!res)
		return;
	free(res->json);
	res->json = NULL;
}
