/*
 * apply.c - taking in changesets and trust files from elsewhere: verify
 * everything before believing anything, then apply in one transaction.
 *
 * Order of checks for a changeset (docs/format.md §9), cheapest and least
 * trusting first: sizes; already have these exact bytes; the signature over
 * the bytes; the signing key endorsed by the trust file in force; only then
 * the JSON; the payload's replica is the key's principal; not revoked for
 * this sequence number; the chain (seq = last + 1, prev = hash of last); the
 * changesets it depends on are here; the schema. A gap or a missing
 * dependency waits; anything else refused is quarantined with its reason.
 *
 * A field change whose base is the version held here is a sequential edit
 * and applies; any other is weighed by merge.c (docs/merge.md). A
 * snapshot's records, which have no base, stand on their versions: the
 * newer one stays, equal versions go to the greater value.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "apply.h"
#include "batch.h"
#include "buf.h"
#include "changeset.h"
#include "merge.h"
#include "crypto.h"
#include "journal.h"
#include "schema.h"
#include "trust.h"

enum { DONE_APPLIED, DONE_DUP, WAITING, REFUSED };

/*
 * An input's bytes are read only when its turn comes and let go right after
 * (items with a `ref`): applying a directory, a bundle or a hub's history
 * holds one changeset at a time, whatever the size of the whole. What
 * waits is read again for the next round.
 */
typedef struct item {
	char *name;
	char *ref;            /* where the loader finds the bytes; NULL: body held */
	char *sigref;         /* and the signature's; NULL: none */
	char *body;
	size_t len;
	char *sig;
	size_t siglen;
	int trust;            /* a trust file, not a changeset */
	int oversize;         /* too large to read: refused by its size alone */
	int sig_oversize;     /* its signature file is too large to be one */
	long long version;    /* the trust file's, from its name */
	int state;            /* -1 to do, else one of the enum */
} item;

struct ruta_apply_input {
	item *v;
	size_t n, cap;
	ruta_apply_load_cb load;
	void *payload;
};
typedef struct ruta_apply_input items;

typedef struct run {
	ruta_replica *r;
	ruta_apply_result *res;
	const ruta_apply_options *opts;
	int retry;            /* set on a refusal that a newer trust file may lift */
} run;

static void unload(item *x)
{
	free(x->body);
	free(x->sig);
	x->body = x->sig = NULL;
	x->len = x->siglen = 0;
	x->oversize = x->sig_oversize = 0;
}

static void items_free(items *it)
{
	size_t i;
	for (i = 0; i < it->n; i++) {
		unload(&it->v[i]);
		free(it->v[i].name);
		free(it->v[i].ref);
		free(it->v[i].sigref);
	}
	free(it->v);
	it->v = NULL;
	it->n = it->cap = 0;
}

/* Takes ownership of body and sig (NULL for an entry read later). */
static int items_add(items *it, const char *name, char *body, size_t len, char *sig, size_t siglen)
{
	item *x;
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 16;
		item *nv = realloc(it->v, cap * sizeof(*nv));
		if (!nv) {
			free(body);
			free(sig);
			return ruta_error__oom();
		}
		it->v = nv;
		it->cap = cap;
	}
	x = &it->v[it->n];
	memset(x, 0, sizeof(*x));
	if (!(x->name = strdup(name))) {
		free(body);
		free(sig);
		return ruta_error__oom();
	}
	it->n++;
	x->body = body;
	x->len = len;
	x->sig = sig;
	x->siglen = siglen;
	x->state = -1;
	x->trust = strncmp(name, "ruta-trust-", 11) == 0;
	if (x->trust)
		x->version = strtoll(name + 11, NULL, 10);
	return 0;
}

/* ---- inputs read when their turn comes ---------------------------------------- */

int ruta_apply__input_new(ruta_apply_input **out, ruta_apply_load_cb load, void *payload)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return ruta_error__oom();
	(*out)->load = load;
	(*out)->payload = payload;
	return 0;
}

void ruta_apply__input_free(ruta_apply_input *in)
{
	if (!in)
		return;
	items_free(in);
	free(in);
}

int ruta_apply__input_add(ruta_apply_input *in, const char *name, const char *ref)
{
	int err;
	if ((err = items_add(in, name, NULL, 0, NULL, 0)) < 0)
		return err;
	if (!(in->v[in->n - 1].ref = strdup(ref)))
		return ruta_error__oom();
	return 0;
}

int ruta_apply__input_sig(ruta_apply_input *in, const char *ref)
{
	if (!in->n || in->v[in->n - 1].sigref)
		return ruta_error__set(RUTA_EINVALID, "a signature without its file");
	if (!(in->v[in->n - 1].sigref = strdup(ref)))
		return ruta_error__oom();
	return 0;
}

/* Reads an item's bytes, if they are elsewhere: a body too large to be a
 * changeset is refused by its size alone, never read whole. */
static int load(items *it, item *x)
{
	int err;
	if (!x->ref || x->body)
		return 0;
	err = it->load(&x->body, &x->len, x->ref, RUTA_CS_MAX_BYTES, it->payload);
	if (err == RUTA_EINVALID) {
		if (!(x->body = strdup("")))
			return ruta_error__oom();
		x->len = 0;
		x->oversize = 1;
	} else if (err == RUTA_ENOTFOUND) {   /* listed, then gone: not for us to guess why */
		return ruta_error__set(RUTA_ERROR, "input '%s' is no longer there (it was a moment "
			"ago)", x->ref);
	} else if (err < 0) {
		return err;
	}
	if (x->sigref) {
		err = it->load(&x->sig, &x->siglen, x->sigref, RUTA_SIG_MAX_BYTES, it->payload);
		if (err == RUTA_EINVALID)
			x->sig_oversize = 1;
		else if (err < 0 && err != RUTA_ENOTFOUND)
			return err;
	}
	ruta_error__clear();
	return 0;
}

/* Done with for now: bytes that can be read again are let go. */
static void put_down(item *x)
{
	if (x->ref || (x->state != -1 && x->state != WAITING))
		unload(x);
}

/* ---- reading files, a directory, a bundle ---------------------------------- */

static int slurp(char **out, size_t *len, const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	ruta_buf b = RUTA_BUF_INIT;
	char chunk[65536];
	size_t n;

	*out = NULL;
	*len = 0;
	if (!f)
		return errno == ENOENT ? RUTA_ENOTFOUND :
			ruta_error__set(RUTA_ERROR, "cannot read '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > max) {
			fclose(f);
			ruta_buf__dispose(&b);
			return ruta_error__set(RUTA_EINVALID, "'%s' is larger than %zu bytes", path, max);
		}
		ruta_buf__put(&b, chunk, n);
	}
	fclose(f);
	if (ruta_buf__check(&b) < 0)
		return RUTA_ENOMEM;
	*len = b.len;
	*out = ruta_buf__detach(&b);
	return 0;
}

static int load_file(char **data, size_t *len, const char *path, size_t max, void *payload)
{
	(void)payload;
	return slurp(data, len, path, max);
}

static int is_input_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".json") == 0) ||
		(strncmp(name, "ruta-trust-", 11) == 0 && n > 4 && strcmp(name + n - 4, ".txt") == 0);
}

static int add_file(items *it, const char *path, const char *name)
{
	char sigpath[4210];
	int err;
	snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
	if ((err = ruta_apply__input_add(it, name, path)) == 0)
		err = ruta_apply__input_sig(it, sigpath);
	return err;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(items *it, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4200];
	size_t n = 0, cap = 0, i;
	int err = 0;

	if (!d)
		return ruta_error__set(RUTA_ERROR, "cannot read '%s': %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL && err == 0) {
		if (!is_input_name(e->d_name))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*nn));
			if (!nn) {
				err = ruta_error__oom();
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name)))
			err = ruta_error__oom();
		else
			n++;
	}
	closedir(d);
	/* Name order is replica then sequence: the order they apply in. */
	if (err == 0 && n)
		qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n; i++) {
		if (err == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			err = add_file(it, path, names[i]);
		}
		free(names[i]);
	}
	free(names);
	return err;
}

static int valid_entry_name(const char *s)
{
	size_t n = strlen(s), i;
	if (n == 0 || n >= 150 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
				(s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

#define BUNDLE_MAGIC "ruta-bundle 1\n"

/* A bundle's bytes, in the caller's memory or in a file: entries are read
 * from it one at a time, when their turn comes. ref is "OFFSET LENGTH". */
typedef struct bundle {
	const char *data;     /* or NULL, and the file */
	FILE *f;
	size_t len;
} bundle;

/* Up to n bytes at off into buf; how many. */
static size_t bundle_read(const bundle *b, size_t off, void *buf, size_t n)
{
	if (off >= b->len)
		return 0;
	if (n > b->len - off)
		n = b->len - off;
	if (b->data) {
		memcpy(buf, b->data + off, n);
		return n;
	}
	if (fseeko(b->f, (off_t)off, SEEK_SET) < 0)
		return 0;
	return fread(buf, 1, n, b->f);
}

static int load_entry(char **data, size_t *len, const char *ref, size_t max, void *payload)
{
	const bundle *b = payload;
	unsigned long long off = 0, n = 0;
	(void)max;   /* the entry's length was checked when it was listed */
	if (sscanf(ref, "%llu %llu", &off, &n) != 2 || off + n > b->len)
		return ruta_error__set(RUTA_ERROR, "bundle: entry out of range");
	if (!(*data = malloc(n + 1)))
		return ruta_error__oom();
	if (bundle_read(b, (size_t)off, *data, (size_t)n) != n) {
		free(*data);
		*data = NULL;
		return ruta_error__set(RUTA_ERROR, "bundle: cannot read %llu bytes at byte %llu", n, off);
	}
	(*data)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

/* A signature entry goes with its file, almost always the one just before. */
static int bundle_sig(items *it, char *name, const char *ref)
{
	size_t i = it->n;
	name[strlen(name) - 4] = '\0';
	while (i > 0 && strcmp(it->v[i - 1].name, name) != 0)
		i--;
	if (i == 0 || it->v[i - 1].sigref)
		return ruta_error__set(RUTA_EINVALID, "bundle: signature '%s.sig' does not follow its "
			"file", name);
	if (!(it->v[i - 1].sigref = strdup(ref)))
		return ruta_error__oom();
	return 0;
}

/* "ruta-bundle 1\n" then entries "NAME LENGTH\n" + bytes + "\n"; NAME.sig
 * entries carry signatures. Only the headers are read here. */
static int add_bundle(items *it, const bundle *b)
{
	size_t pos = strlen(BUNDLE_MAGIC);
	char head[200];
	int err = 0;

	if (bundle_read(b, 0, head, pos) != pos || memcmp(head, BUNDLE_MAGIC, pos) != 0)
		return ruta_error__set(RUTA_EINVALID, "not a ruta bundle (it must start with "
			"'ruta-bundle 1')");
	while (pos < b->len && err == 0) {
		size_t got = bundle_read(b, pos, head, sizeof(head) - 1), hl, body;
		char *nl, name[160], ref[48], end = 0;
		unsigned long long n;
		int used = 0;
		head[got] = '\0';
		if (!(nl = memchr(head, '\n', got)))
			return ruta_error__set(RUTA_EINVALID, "bundle: bad entry header at byte %zu", pos);
		*nl = '\0';
		hl = (size_t)(nl - head);
		body = pos + hl + 1;
		if (sscanf(head, "%159s %llu%n", name, &n, &used) != 2 || head[used] != '\0' ||
				!valid_entry_name(name) || n > RUTA_CS_MAX_BYTES || n + 1 > b->len - body ||
				bundle_read(b, body + (size_t)n, &end, 1) != 1 || end != '\n')
			return ruta_error__set(RUTA_EINVALID, "bundle: bad entry '%.60s' at byte %zu", head, pos);
		snprintf(ref, sizeof(ref), "%zu %llu", body, n);
		if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".sig") == 0)
			err = bundle_sig(it, name, ref);
		else if (is_input_name(name))
			err = ruta_apply__input_add(it, name, ref);
		else
			return ruta_error__set(RUTA_EINVALID, "bundle: unexpected entry '%s'", name);
		pos = body + (size_t)n + 1;
	}
	return err;
}

/* A file that starts as a bundle does: 1, else 0. */
static int is_bundle_file(FILE *f)
{
	char head[sizeof(BUNDLE_MAGIC)];
	size_t n = fread(head, 1, strlen(BUNDLE_MAGIC), f);
	return n == strlen(BUNDLE_MAGIC) && memcmp(head, BUNDLE_MAGIC, n) == 0;
}

/* ---- outcomes ---------------------------------------------------------------- */

/* `retry`: 0, or the trust version that could lift the refusal (the one in
 * force now, plus one); a repeat refusal moves it on rather than adding a row. */
static const char quarantine_sql[] = "INSERT INTO ruta_quarantine(name, hash, code, reason, body,"
	" sig, retry, at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 * (1 + (SELECT coalesce(max(version), 0)"
	" FROM ruta_trust)), strftime('%Y-%m-%dT%H:%M:%SZ','now')"
	" WHERE NOT EXISTS (SELECT 1 FROM ruta_quarantine WHERE hash = ?2 AND reason = ?4)";
static const char requeue_sql[] = "UPDATE ruta_quarantine SET retry = 1 + (SELECT coalesce("
	"max(version), 0) FROM ruta_trust) WHERE hash = ?1 AND retry > 0";
static const char pending_sql[] = "INSERT INTO ruta_pending(hash, replica, seq, body, sig, reason,"
	" at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
	" ON CONFLICT(hash) DO UPDATE SET reason = excluded.reason";
static const char unpend_sql[] = "DELETE FROM ruta_pending WHERE hash = ?1";
static const char unquarantine_sql[] = "DELETE FROM ruta_quarantine WHERE hash = ?1";

static void report(run *ru, const item *x, int code, const char *reason)
{
	if (ru->opts && ru->opts->report)
		ru->opts->report(x->name, code, reason, ru->opts->payload);
}

/* Keeps what was refused, with why: never dropped. */
static int refuse(run *ru, item *x, int code)
{
	char hash[65], reason[1024];
	sqlite3_stmt *st;
	int rc, err;

	snprintf(reason, sizeof(reason), "%s", ruta_error_last()->message);
	ruta_crypto__sha256_hex(hash, x->body, x->len);
	x->state = REFUSED;
	ru->res->refused++;
	if (code == RUTA_EVERIFY)
		ru->res->refused_verify++;
	report(ru, x, code, reason);
	if ((err = ruta_db__stmt(&st, ru->r, quarantine_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, x->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, code);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 5, x->body, (int)(x->len > RUTA_CS_MAX_BYTES ? 0 : x->len), SQLITE_STATIC);
	if (x->sig)
		sqlite3_bind_text(st, 6, x->sig, (int)x->siglen, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, ru->retry);
	rc = ruta_db__step(ru->r, st);
	sqlite3_reset(st);
	if (rc >= 0 && ru->retry && (err = ruta_db__stmt(&st, ru->r, requeue_sql)) == 0) {
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
		rc = ruta_db__step(ru->r, st);
		sqlite3_reset(st);
	}
	ru->retry = 0;
	if (rc < 0 || (err = ruta_db__stmt(&st, ru->r, unpend_sql)) < 0)
		return rc < 0 ? rc : err;
	/* refused now: it no longer waits */
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	rc = ruta_db__step(ru->r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* ---- checks that need the database -------------------------------------------- */

static const char have_hash_sql[] = "SELECT 1 FROM ruta_changeset WHERE hash = ?1";
static const char stored_sql[] = "SELECT hash FROM ruta_changeset WHERE replica = ?1 AND seq = ?2";
static const char frontier_get_sql[] = "SELECT seq, hash FROM ruta_frontier WHERE replica = ?1";

static int have_hash(int *yes, ruta_replica *r, const char *hash)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, have_hash_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	*yes = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* The hash of changeset `seq` of `replica` if this replica has it, else "". */
static int stored_hash(char out[65], ruta_replica *r, const char *replica, int64_t seq)
{
	sqlite3_stmt *st;
	int rc, err;
	out[0] = '\0';
	if ((err = ruta_db__stmt(&st, r, stored_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, replica, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		snprintf(out, 65, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int frontier(int64_t *seq, char hash[65], ruta_replica *r, const char *replica)
{
	sqlite3_stmt *st;
	int rc, err;
	*seq = 0;
	snprintf(hash, 65, "%s", RUTA_GENESIS);
	if ((err = ruta_db__stmt(&st, r, frontier_get_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, replica, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		snprintf(hash, 65, "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Chain and dependencies. 1 = wait (reason in the error), 2 = another
 * process applied these very bytes meanwhile, 0 = go. */
static int check_order(ruta_replica *r, const ruta_cs *cs, const char *hash)
{
	char last[65], have[65];
	const char *d;
	json_t *dep;
	int64_t seq;
	int err;

	if ((err = stored_hash(have, r, cs->replica, cs->seq)) < 0)
		return err;
	if (have[0] && strcmp(have, hash) == 0)
		return 2;
	if (have[0])
		return ruta_error__set(RUTA_EVERIFY, "fork: replica %s's changeset %lld is not the one "
			"this replica applied (hash %.12s...)", cs->replica, (long long)cs->seq, have);
	if (strcmp(cs->replica, r->id) == 0)
		return ruta_error__set(RUTA_EVERIFY, "changeset %lld claims to be this replica's own, "
			"but this replica never made it", (long long)cs->seq);
	if ((err = frontier(&seq, last, r, cs->replica)) < 0)
		return err;
	/* Behind the frontier yet not stored: a snapshot this replica started
	 * from covers it; the last one it names by hash. */
	if (cs->seq == seq && strcmp(hash, last) != 0)
		return ruta_error__set(RUTA_EVERIFY, "fork: replica %s's changeset %lld is not the one "
			"the snapshot this replica started from names (hash %.12s...)", cs->replica,
			(long long)cs->seq, last);
	if (cs->seq <= seq)
		return 2;
	if (cs->seq > seq + 1) {
		ruta_error__set(RUTA_OK, "waiting for changeset %lld of replica %s (a gap: this is %lld)",
			(long long)seq + 1, cs->replica, (long long)cs->seq);
		return 1;
	}
	if (strcmp(cs->prev, last) != 0)
		return ruta_error__set(RUTA_EVERIFY, "chain broken: changeset %lld of replica %s does "
			"not follow changeset %lld this replica has", (long long)cs->seq, cs->replica,
			(long long)seq);
	json_object_foreach(cs->deps, d, dep) {
		int64_t want = json_integer_value(json_object_get(dep, "seq")), at;
		const char *seen = json_string_value(json_object_get(dep, "hash"));
		if ((err = frontier(&at, last, r, d)) < 0 || (err = stored_hash(have, r, d, want)) < 0)
			return err;
		if (have[0] && strcmp(have, seen) != 0)
			return ruta_error__set(RUTA_EVERIFY, "fork witnessed: replica %s saw changeset %lld "
				"of %s with another hash than this replica has", cs->replica, (long long)want, d);
		if (at < want) {
			ruta_error__set(RUTA_OK, "waiting for changeset %lld of replica %s, which it "
				"depends on", (long long)want, d);
			return 1;
		}
	}
	return 0;
}

/* ---- applying one record, field by field -------------------------------------- */

static void bind_json(sqlite3_stmt *st, int idx, json_t *v)
{
	if (json_is_integer(v))
		sqlite3_bind_int64(st, idx, json_integer_value(v));
	else if (json_is_string(v))
		sqlite3_bind_text(st, idx, json_string_value(v), (int)json_string_length(v), SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

/* Remote beats local: a newer version, or the same version and a greater
 * value (any total order would do; this one needs no more metadata). */
static int remote_wins(uint64_t hlc, json_t *v, uint64_t local_v, sqlite3_stmt *row, int col)
{
	if (hlc != local_v)
		return hlc > local_v;
	if (json_is_null(v))
		return 0;
	if (sqlite3_column_type(row, col) == SQLITE_NULL)
		return 1;
	if (json_is_integer(v))
		return sqlite3_column_type(row, col) == SQLITE_INTEGER &&
			json_integer_value(v) > sqlite3_column_int64(row, col);
	if (sqlite3_column_type(row, col) == SQLITE_INTEGER)
		return 1;
	return strcmp(json_string_value(v), (const char *)sqlite3_column_text(row, col)) > 0;
}

/* Fields a record's creator left empty: NULL here too, never this replica's
 * DEFAULT (a clock or a code), or replicas would differ. */
static void null_absent(ruta_buf *b, ruta_buf *v, const ruta_tabledef *t, json_t *f)
{
	size_t i;
	if (!json_object_get(f, "deleted_at")) {
		ruta_buf__puts(b, ", deleted_at");
		ruta_buf__puts(v, ", NULL");
	}
	for (i = 0; i < t->ncols; i++)
		if (!json_object_get(f, t->cols[i].name)) {
			ruta_buf__printf(b, ", %s", t->cols[i].name);
			ruta_buf__puts(v, ", NULL");
		}
}

static int insert_record(ruta_replica *r, const ruta_tabledef *t, const char *id, json_t *f)
{
	ruta_buf b = RUTA_BUF_INIT, v = RUTA_BUF_INIT;
	sqlite3_stmt *st = NULL;
	const char *col;
	json_t *e;
	int k = 2, rc, err;

	if (!json_object_get(f, "created_at"))
		return ruta_error__set(RUTA_EINVALID, "%s %s is not here, and the changeset does not "
			"create it (no created_at)", t->label, id);
	ruta_buf__printf(&b, "INSERT INTO %s (id", t->name);
	ruta_buf__puts(&v, "?1");
	json_object_foreach(f, col, e) {
		ruta_buf__printf(&b, ", %s, %s__v", col, col);
		ruta_buf__printf(&v, ", ?%d, ?%d", k, k + 1);
		k += 2;
	}
	null_absent(&b, &v, t, f);
	ruta_buf__printf(&b, ") VALUES (%s)", v.ptr ? v.ptr : "");
	/* The same shapes recur changeset after changeset: prepare each once. */
	if ((err = ruta_buf__check(&b)) == 0 && (err = ruta_buf__check(&v)) == 0)
		err = ruta_db__stmt_dyn(&st, r, b.ptr);
	if (err == 0) {
		uint64_t hlc = 0;
		k = 2;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		json_object_foreach(f, col, e) {
			ruta_hlc__parse(&hlc, json_string_value(json_array_get(e, 1)));
			bind_json(st, k, json_array_get(e, 0));
			sqlite3_bind_int64(st, k + 1, (sqlite3_int64)hlc);
			k += 2;
		}
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			err = ruta_error__sqlite(r->db, rc, "applying");
		sqlite3_reset(st);
	}
	ruta_buf__dispose(&b);
	ruta_buf__dispose(&v);
	return err;
}

/* What one field of the record must now hold. A snapshot (no merge
 * context) states values: the newer one stays. A change that overwrote
 * exactly the version here is a sequential edit and applies; anything else
 * is weighed by merge.c. */
typedef struct decision {
	int write;
	json_t *value;   /* owned */
	uint64_t version;
} decision;

/* Prepared once, not parsed by sqlite3_exec on every probe. */
static int savepoint(ruta_replica *r, const char *sql)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* A value that may end up only as a losing head still passes the schema's
 * checks, as it would if it won: written, then taken back. A plain TEXT
 * column has none a value the parser let through could fail. */
static int probe(ruta_replica *r, const ruta_tabledef *t, const char *id, const char *col,
	json_t *v)
{
	const ruta_coldef *c = ruta_schema__col(t, col);
	char sql[200];
	sqlite3_stmt *st;
	int rc, err;
	if (c && !ruta_schema__checked(c))
		return 0;
	if ((err = savepoint(r, "SAVEPOINT ruta_probe")) < 0)
		return err;
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?2 WHERE id = ?1", t->name, col);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) == 0) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		bind_json(st, 2, v);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			err = ruta_error__sqlite(r->db, rc, "applying");
		sqlite3_reset(st);
	}
	savepoint(r, "ROLLBACK TO ruta_probe");
	savepoint(r, "RELEASE ruta_probe");
	return err;
}

static int decide(decision *d, ruta_merge_ctx *m, int needed, ruta_replica *r,
	const ruta_tabledef *t, const char *id, const char *col, json_t *e, sqlite3_stmt *row, int i)
{
	uint64_t hlc = 0, base = 0, local_v = (uint64_t)sqlite3_column_int64(row, 2 * i);
	json_t *cur;
	int err;

	ruta_hlc__parse(&hlc, json_string_value(json_array_get(e, 1)));
	d->write = 0;
	d->value = NULL;
	d->version = hlc;
	if (!m) {
		d->write = remote_wins(hlc, json_array_get(e, 0), local_v, row, 2 * i + 1);
		d->value = d->write ? json_incref(json_array_get(e, 0)) : NULL;
		return 0;
	}
	ruta_hlc__parse(&base, json_string_value(json_array_get(e, 2)));
	if (!needed && base == local_v) {
		d->write = 1;
		d->value = json_incref(json_array_get(e, 0));
		return 0;
	}
	if ((err = probe(r, t, id, col, json_array_get(e, 0))) < 0)
		return err;
	if (!(cur = ruta_json__column(row, 2 * i + 1)))
		return ruta_error__oom();
	err = ruta_merge__field(m, r, t, id, col, e, cur, local_v, &d->write, &d->value, &d->version);
	json_decref(cur);
	return err;
}

static int update_record(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, json_t *f, sqlite3_stmt *row, int needed)
{
	ruta_buf b = RUTA_BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t n = json_object_size(f), i = 0;
	decision *d = calloc(n ? n : 1, sizeof(*d));
	const char *col;
	json_t *e;
	int k = 1, rc, err = 0, wins = 0;

	if (!d)
		return ruta_error__oom();
	ruta_buf__printf(&b, "UPDATE %s SET ", t->name);
	json_object_foreach(f, col, e) {
		if ((err = decide(&d[i], m, needed, r, t, id, col, e, row, (int)i)) < 0)
			break;
		if (d[i++].write) {
			ruta_buf__printf(&b, "%s%s = ?%d, %s__v = ?%d", wins ? ", " : "", col, k, col, k + 1);
			k += 2;
			wins++;
		}
	}
	ruta_buf__printf(&b, " WHERE id = ?%d", k);
	if (err == 0 && wins && (err = ruta_buf__check(&b)) == 0 &&
			(err = ruta_db__stmt_dyn(&st, r, b.ptr)) == 0) {
		for (i = 0, k = 1; i < n; i++)
			if (d[i].write) {
				bind_json(st, k, d[i].value);
				sqlite3_bind_int64(st, k + 1, (sqlite3_int64)d[i].version);
				k += 2;
			}
		sqlite3_bind_text(st, k, id, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			err = ruta_error__sqlite(r->db, rc, "applying");
		sqlite3_reset(st);
	}
	for (i = 0; i < n; i++)
		json_decref(d[i].value);
	free(d);
	ruta_buf__dispose(&b);
	return err;
}

/* The statement of fast_update() for this table and these fields, written
 * with puts alone: it is looked up once per record. */
static void fast_sql(ruta_buf *b, const ruta_cs_rec *rec)
{
	size_t k;

	ruta_buf__puts(b, "UPDATE ");
	ruta_buf__puts(b, rec->t->name);
	ruta_buf__puts(b, " SET ");
	for (k = 0; k < rec->nf; k++) {
		ruta_buf__puts(b, k ? ", " : "");
		ruta_buf__puts(b, rec->f[k].col);
		ruta_buf__puts(b, " = ?, ");
		ruta_buf__puts(b, rec->f[k].col);
		ruta_buf__puts(b, "__v = ?");
	}
	ruta_buf__puts(b, " WHERE id = ? AND deleted_at IS NULL");
	for (k = 0; k < rec->nf; k++) {
		ruta_buf__puts(b, " AND ");
		ruta_buf__puts(b, rec->f[k].col);
		ruta_buf__puts(b, "__v = ?");
	}
}

static void bind_field(sqlite3_stmt *st, int idx, const ruta_cs_field *x)
{
	if (x->type == SQLITE_INTEGER)
		sqlite3_bind_int64(st, idx, x->i);
	else if (x->type == SQLITE_TEXT)
		sqlite3_bind_text(st, idx, x->s, (int)x->len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

/* fast_update()'s statements for the record shapes seen last (table and
 * columns): matching a shape costs less than
 * writing the SQL out and finding it in the statement cache, a thousand
 * times a changeset. The statements stay owned by that cache. */
#define SHAPES 8
#define SHAPE_COLS 4

typedef struct shape {
	const ruta_tabledef *t;
	char cols[SHAPE_COLS][48];
	size_t nf;
	sqlite3_stmt *st;
} shape;

typedef struct shapes {
	shape v[SHAPES];
	size_t next;
} shapes;

static shape *shape_of(shapes *sh, const ruta_cs_rec *rec)
{
	size_t i, k;
	for (i = 0; i < SHAPES; i++) {
		shape *x = &sh->v[i];
		if (x->st && x->t == rec->t && x->nf == rec->nf) {
			for (k = 0; k < rec->nf && strcmp(x->cols[k], rec->f[k].col) == 0; k++)
				;
			if (k == rec->nf)
				return x;
		}
	}
	return NULL;
}

static void shape_keep(shapes *sh, const ruta_cs_rec *rec, sqlite3_stmt *st)
{
	shape *x = &sh->v[sh->next++ % SHAPES];
	size_t k;
	x->st = NULL;
	if (rec->nf > SHAPE_COLS)
		return;
	for (k = 0; k < rec->nf; k++) {
		if (strlen(rec->f[k].col) >= sizeof(x->cols[k]))
			return;
		strcpy(x->cols[k], rec->f[k].col);
	}
	x->t = rec->t;
	x->nf = rec->nf;
	x->st = st;
}

static int fast_stmt(sqlite3_stmt **st, shapes *sh, ruta_replica *r, const ruta_cs_rec *rec,
	void (*sql)(ruta_buf *, const ruta_cs_rec *))
{
	ruta_buf b = RUTA_BUF_INIT;
	shape *x = shape_of(sh, rec);
	int err;
	if (x) {
		*st = x->st;
		return 0;
	}
	sql(&b, rec);
	if ((err = ruta_buf__check(&b)) == 0 && (err = ruta_db__stmt_dyn(st, r, b.ptr)) == 0)
		shape_keep(sh, rec, *st);
	ruta_buf__dispose(&b);
	return err;
}

/* The common case in one statement: every field overwrites exactly the
 * version here, of a live record with no open conflict. The WHERE clause is
 * the test decide() makes, and a record not marked has no conflict row
 * (ruta_merge__prefetch); when either fails, the record takes the long way,
 * field by field. */
static int fast_update(int *done, shapes *sh, ruta_merge_ctx *m, ruta_replica *r,
	const ruta_cs_rec *rec)
{
	sqlite3_stmt *st = NULL;
	size_t j;
	int k = 1, rc, err;

	*done = 0;
	if (ruta_merge__marked(m, rec->t, rec->id))
		return 0;
	if ((err = fast_stmt(&st, sh, r, rec, fast_sql)) < 0)
		return err;
	for (j = 0; j < rec->nf; j++) {
		bind_field(st, k++, &rec->f[j]);
		sqlite3_bind_int64(st, k++, (sqlite3_int64)rec->f[j].hlc);
	}
	sqlite3_bind_text(st, k++, rec->id, -1, SQLITE_STATIC);
	for (j = 0; j < rec->nf; j++)
		sqlite3_bind_int64(st, k++, (sqlite3_int64)rec->f[j].base);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ruta_error__sqlite(r->db, rc, "applying");
	*done = sqlite3_changes(r->db) == 1;
	return 0;
}

/* The long way: the record's versions read once, each field weighed. */
static int weigh_record(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, json_t *f)
{
	const char *col;
	json_t *e;
	ruta_buf b = RUTA_BUF_INIT;
	sqlite3_stmt *row = NULL;
	int rc, err = 0, deleted = 0, needed = 0;

	ruta_buf__puts(&b, "SELECT ");
	json_object_foreach(f, col, e) {
		ruta_buf__puts(&b, col);
		ruta_buf__puts(&b, "__v, ");
		ruta_buf__puts(&b, col);
		ruta_buf__puts(&b, ", ");
	}
	ruta_buf__puts(&b, "deleted_at IS NOT NULL FROM ");
	ruta_buf__puts(&b, t->name);
	ruta_buf__puts(&b, " WHERE id = ?1");
	if ((err = ruta_buf__check(&b)) < 0 || (err = ruta_db__stmt_dyn(&row, r, b.ptr)) < 0) {
		ruta_buf__dispose(&b);
		return err;
	}
	sqlite3_bind_text(row, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(row);
	if (rc == SQLITE_ROW) {
		deleted = sqlite3_column_int(row, 2 * (int)json_object_size(f));
		if (m && (needed = ruta_merge__needed(m, r, t, id, deleted)) < 0)
			err = needed;
	}
	if (err < 0)
		;
	else if (rc == SQLITE_DONE)
		err = insert_record(r, t, id, f);
	else if (rc == SQLITE_ROW)
		err = update_record(m, r, t, id, f, row, needed);
	else
		err = ruta_error__sqlite(r->db, rc, "applying");
	sqlite3_reset(row);
	ruta_buf__dispose(&b);
	if (err == 0 && m && rc == SQLITE_ROW)
		err = ruta_merge__record_done(m, r, t, id, f, deleted);
	return err;
}

int ruta_apply__record(ruta_merge_ctx *m, ruta_replica *r, json_t *rec)
{
	return weigh_record(m, r, ruta_schema__by_name(json_string_value(json_object_get(rec, "t"))),
		json_string_value(json_object_get(rec, "id")), json_object_get(rec, "f"));
}

static int deletes(const ruta_cs_rec *rec)
{
	size_t k;
	for (k = 0; k < rec->nf; k++)
		if (strcmp(rec->f[k].col, "deleted_at") == 0)
			return rec->f[k].type != SQLITE_NULL;
	return 0;
}

/* A changeset's record: most in one UPDATE; the JSON of its fields is made
 * only for what merge.c weighs. `tried`: the record's batch found it no
 * sequential edit, so it is weighed straight away. */
static int apply_record(shapes *sh, ruta_merge_ctx *m, ruta_replica *r, const ruta_cs_rec *rec,
	int tried)
{
	json_t *f;
	int done = 0, err;

	if (!tried && (err = fast_update(&done, sh, m, r, rec)) < 0)
		return err;
	if (done && !ruta_merge__record_done_needed(rec->t, deletes(rec)))
		return 0;
	if (!(f = ruta_cs__fields_json(rec)))
		return ruta_error__oom();
	err = done ? ruta_merge__record_done(m, r, rec->t, rec->id, f, 0) :
		weigh_record(m, r, rec->t, rec->id, f);
	json_decref(f);
	return err;
}

/* ---- runs of records in batches (batch.c) ---- */

/* A batch from two records of a shape on: below four it costs a
 * microsecond or two more than going one by one, and the property test's
 * changesets, which are small, then take this path too. At most BATCH_MAX
 * a statement: SQLite keeps in memory the pages it changes as they were
 * before it (db.c), a page or less a record. */
#define BATCH_MIN 2
#define BATCH_MAX 1024

enum { ONE_BY_ONE, TRIED, WRITTEN };

typedef struct runs {
	shapes sh;               /* one by one (fast_update) */
	shapes bsh;              /* the batches' statements */
	ruta_batch b[SHAPES];    /* a run's records of the shape of shape_of[i] */
	const ruta_cs_rec *shape_of[SHAPES];
	unsigned char *state;    /* each record of the changeset: the enum */
} runs;

/*
 * A record goes in a batch when it changes a record this replica may
 * have (not op "i": a new one is inserted the long way), when writing it
 * is the end of it (no ruta_merge__record_done to follow: not an
 * opportunity, an offer or a deletion), and when none of its table's
 * records is read while another is weighed (merge.c reads the record's
 * own row, the conflict tables, the stages and the offers). So within a
 * run of one table, records a batch writes before earlier ones are weighed
 * change nothing those read, and the result is that of applying them in
 * order.
 */
static int batchable(const ruta_replica *r, const ruta_merge_ctx *m, const ruta_cs_rec *rec)
{
	return r->applying && rec->op != 'i' && rec->nf <= SHAPE_COLS &&
		!ruta_merge__record_done_needed(rec->t, deletes(rec)) &&
		!ruta_merge__marked(m, rec->t, rec->id);
}

/* The batch for `rec`'s shape, opened if there is room; NULL when none. */
static ruta_batch *batch_for(runs *ru, const ruta_cs_rec *rec)
{
	size_t i, k;
	for (i = 0; i < SHAPES && ru->shape_of[i]; i++) {
		const ruta_cs_rec *x = ru->shape_of[i];
		if (x->t != rec->t || x->nf != rec->nf)
			continue;
		for (k = 0; k < rec->nf && strcmp(x->f[k].col, rec->f[k].col) == 0; k++)
			;
		if (k == rec->nf)
			return &ru->b[i];
	}
	if (i == SHAPES)
		return NULL;
	ru->shape_of[i] = rec;
	return &ru->b[i];
}

/* UPDATE OR FAIL: a row that breaks a CHECK leaves the rows written before
 * it, as any error rolls the whole apply back (try_changeset). A broken
 * rule names the record being written; another error, the batch. */
static int run_batch(runs *ru, ruta_replica *r, ruta_batch *b)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc, err;

	if ((err = fast_stmt(&st, &ru->bsh, r, b->recs[0], ruta_batch__sql)) < 0)
		return err;
	sqlite3_bind_pointer(st, 1, b, "ruta_batch", NULL);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		ruta_error__sqlite(r->db, rc, "applying");
		if ((rc & 0xff) == SQLITE_CONSTRAINT)
			return ruta_error__prefix("record %zu", b->at[b->last]);
		return ruta_error__prefix("%zu records of %s from record %zu", b->n,
			b->recs[0]->t->name, b->at[0]);
	}
	for (i = 0; i < b->n; i++)
		ru->state[b->at[i]] = b->taken[i] ? WRITTEN : TRIED;
	return 0;
}

/* Names each record once, as sealing writes them (docs/format.md §6.4),
 * which a reader does not insist on: a record named twice must be applied
 * in order, so such a run goes one by one. */
static int ids_ascend(const ruta_cs *cs, size_t i, size_t end)
{
	size_t k;
	for (k = i + 1; k < end; k++)
		if (strcmp(cs->recs[k - 1].id, cs->recs[k].id) >= 0)
			return 0;
	return 1;
}

/* Records [i, end), all of one table: each shape's sequential edits in
 * statements of up to BATCH_MAX records, then the rest one by one, in
 * order. */
static int apply_run(runs *ru, ruta_merge_ctx *m, ruta_replica *r, const ruta_cs *cs, size_t i,
	size_t end)
{
	ruta_batch *b;
	size_t k;
	int err = 0, batches = end - i >= BATCH_MIN && ids_ascend(cs, i, end);

	memset(ru->shape_of, 0, sizeof(ru->shape_of));
	for (k = 0; k < SHAPES; k++)
		ruta_batch__clear(&ru->b[k]);
	for (k = i; k < end && err == 0; k++) {
		ru->state[k] = ONE_BY_ONE;
		if (!batches || !batchable(r, m, &cs->recs[k]) || !(b = batch_for(ru, &cs->recs[k])))
			continue;
		if (b->n == BATCH_MAX && (err = run_batch(ru, r, b)) == 0)
			ruta_batch__clear(b);
		if (err == 0)
			err = ruta_batch__add(b, &cs->recs[k], k);
	}
	for (k = 0; k < SHAPES && err == 0; k++)
		if (ru->b[k].n >= BATCH_MIN)
			err = run_batch(ru, r, &ru->b[k]);
	for (k = i; k < end && err == 0; k++)
		if (ru->state[k] != WRITTEN &&
				(err = apply_record(&ru->sh, m, r, &cs->recs[k], ru->state[k] == TRIED)) < 0)
			ruta_error__prefix("record %zu", k);
	return err;
}

static int apply_records(ruta_merge_ctx *m, ruta_replica *r, const ruta_cs *cs)
{
	runs ru;
	size_t i, end;
	int err = 0;

	memset(&ru, 0, sizeof(ru));
	for (i = 0; i < SHAPES; i++)
		ruta_batch__init(&ru.b[i]);
	if (!(ru.state = malloc(cs->nrecs ? cs->nrecs : 1)))
		return ruta_error__oom();
	for (i = 0; i < cs->nrecs && err == 0; i = end) {
		for (end = i + 1; end < cs->nrecs && cs->recs[end].t == cs->recs[i].t; end++)
			;
		err = apply_run(&ru, m, r, cs, i, end);
	}
	for (i = 0; i < SHAPES; i++)
		ruta_batch__dispose(&ru.b[i]);
	free(ru.state);
	return err;
}

static const char store_sql[] = "INSERT INTO ruta_changeset(replica, seq, hash, body, sig, hlc_max,"
	" at, written, hlc_min) VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
	" 1, ?7)";
static const char frontier_set_sql[] = "INSERT INTO ruta_frontier(replica, seq, hash) VALUES"
	" (?1, ?2, ?3) ON CONFLICT(replica) DO UPDATE SET seq = excluded.seq, hash = excluded.hash";
static const char clock_sql[] = "UPDATE ruta_sync_state SET hlc = max(hlc, ?1) WHERE k = 0";
static const char skew_sql[] = "INSERT OR IGNORE INTO ruta_skew(hash, replica, seq, hlc_max,"
	" ahead_ms, at) VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ','now'))";

/* The clock follows what it sees, but not a clock that runs too far ahead:
 * that changeset is flagged, and this replica keeps its own time, so one
 * wrong clock does not drag every replica's later versions with it. */
/* In milliseconds, as versions are: a clock read in whole seconds would
 * flag a version made just after this replica's clock was capped. */
static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int follow_clock(ruta_replica *r, const ruta_cs *cs, const char *hash)
{
	int64_t wall = wall_ms();
	uint64_t cap = (uint64_t)(wall + RUTA_SKEW_MAX_MS) << RUTA_HLC_COUNTER_BITS;
	sqlite3_stmt *st;
	int rc, err;
	/* skew is in the millisecond: the counter of a version made at the cap
	 * (by a replica whose clock this rule capped) is not */
	if ((int64_t)(cs->hlc_max >> RUTA_HLC_COUNTER_BITS) > wall + RUTA_SKEW_MAX_MS) {
		if ((err = ruta_db__stmt(&st, r, skew_sql)) < 0)
			return err;
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cs->replica, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, cs->seq);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)cs->hlc_max);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)(cs->hlc_max >> RUTA_HLC_COUNTER_BITS) - wall);
		rc = ruta_db__step(r, st);
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	if ((err = ruta_db__stmt(&st, r, clock_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(cs->hlc_max > cap ? cap : cs->hlc_max));
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Stored before its records are weighed, so that what merge.c looks up
 * about who made a version finds this changeset too. */
static int store_changeset(ruta_replica *r, const ruta_cs *cs, const item *x, const char *hash)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, store_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, cs->replica, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cs->seq);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, x->body, (int)x->len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, x->sig, (int)x->siglen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)cs->hlc_max);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)cs->hlc_min);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int record_applied(ruta_replica *r, const ruta_cs *cs, const item *x, const char *hash)
{
	sqlite3_stmt *st;
	int rc = 0, err;
	(void)x;
	if ((err = ruta_db__stmt(&st, r, frontier_set_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, cs->replica, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cs->seq);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	/* Later local edits must be newer than anything seen (within reason). */
	if (rc < 0 || (err = follow_clock(r, cs, hash)) < 0)
		return rc < 0 ? rc : err;
	if ((err = ruta_db__stmt(&st, r, unpend_sql)) < 0)
		return rc < 0 ? rc : err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	/* once applied, an earlier refusal of the same bytes is history */
	if (rc < 0 || (err = ruta_db__stmt(&st, r, unquarantine_sql)) < 0)
		return rc < 0 ? rc : err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* The flag capture triggers test: belt and braces, as this connection has
 * them off. A prepared statement, not parsed again for every changeset. */
static int set_applying(ruta_replica *r, int on)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, "UPDATE ruta_sync_state SET applying = ?1 WHERE k = 0")) < 0)
		return err;
	sqlite3_bind_int(st, 1, on);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* With conflicts open here, which of the changeset's records have one:
 * a statement per table instead of a lookup per record. */
static int prefetch(ruta_merge_ctx *m, ruta_replica *r, const ruta_cs *cs)
{
	ruta_buf b = RUTA_BUF_INIT;
	size_t i, j;
	int err = 0;

	for (i = 0; i < cs->nrecs && err == 0; i++) {
		const ruta_tabledef *t = cs->recs[i].t;
		for (j = 0; j < i && cs->recs[j].t != t; j++)
			;
		if (j < i)
			continue;   /* this table's records were asked for */
		b.len = 0;
		/* ids are letters, digits, '_' and '-' (the reader checked): no escapes */
		ruta_buf__puts(&b, "[\"");
		for (j = i; j < cs->nrecs; j++)
			if (cs->recs[j].t == t) {
				ruta_buf__puts(&b, j == i ? "" : "\",\"");
				ruta_buf__puts(&b, cs->recs[j].id);
			}
		ruta_buf__puts(&b, "\"]");
		if ((err = ruta_buf__check(&b)) == 0)
			err = ruta_merge__prefetch(m, r, t, b.ptr, b.len);
	}
	ruta_buf__dispose(&b);
	if (err == 0)
		m->prefetched = 1;
	return err;
}

/* Inside the transaction: order checks, then every record. 1 = wait. */
static int apply_locked(int64_t *conflicts, ruta_replica *r, const ruta_cs *cs, const item *x,
	const char *hash)
{
	ruta_merge_ctx m;
	int err;

	if ((err = check_order(r, cs, hash)) != 0)
		return err;
	/* Local edits get their versions before remote ones are weighed. */
	if ((err = store_changeset(r, cs, x, hash)) < 0 ||
			(err = ruta_journal__stamp_locked(r)) < 0 ||
			(err = ruta_merge__begin(&m, r, cs->replica, hash, cs->deps)) < 0)
		return err;
	if ((m.any_open && (err = prefetch(&m, r, cs)) < 0) || (err = set_applying(r, 1)) < 0) {
		ruta_merge__end(&m);
		return err;
	}
	if ((err = apply_records(&m, r, cs)) == 0)
		err = set_applying(r, 0);
	*conflicts = m.conflicts;
	ruta_merge__end(&m);
	return err == 0 ? record_applied(r, cs, x, hash) : err;
}

static int wait_for(run *ru, item *x, const ruta_cs *cs, const char *hash)
{
	char reason[512];
	sqlite3_stmt *st;
	int rc, err;
	snprintf(reason, sizeof(reason), "%s", ruta_error_last()->message);
	x->state = WAITING;
	if ((err = ruta_db__stmt(&st, ru->r, pending_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cs->replica, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cs->seq);
	sqlite3_bind_blob(st, 4, x->body, (int)x->len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, x->sig, (int)x->siglen, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, reason, -1, SQLITE_TRANSIENT);
	rc = ruta_db__step(ru->r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Everything before the transaction: what can be checked without the lock. */
static int verify(run *ru, item *x, ruta_cs *cs, char hash[65])
{
	unsigned char digest[32];
	ruta_trust_verdict v;
	ruta_trust_signer s;
	int dup = 0, err;

	if (x->oversize)
		return ruta_error__set(RUTA_EINVALID, "changeset is larger than %u bytes", RUTA_CS_MAX_BYTES);
	ruta_crypto__sha256(digest, x->body, x->len);
	ruta_crypto__hex(hash, digest, sizeof(digest));
	if ((err = have_hash(&dup, ru->r, hash)) < 0)
		return err;
	if (dup)
		return 1;
	if (x->sig_oversize)
		return ruta_error__set(RUTA_EVERIFY, "bad signature: the signature file is too large");
	if (!x->sig)
		return ruta_error__set(RUTA_EVERIFY, "no signature (%s.sig is missing)", x->name);
	if (x->siglen > RUTA_SIG_MAX_BYTES)
		return ruta_error__set(RUTA_EVERIFY, "bad signature: the signature file is too large");
	if ((err = ruta_trust__signed_by(&v, &s, ru->r, x->body, x->len, digest, x->sig,
			x->siglen)) < 0) {
		if (v == RUTA_TRUST_UNKNOWN_KEY)
			ru->retry = 1;   /* a newer trust file may endorse it */
		return err;
	}
	if ((err = ruta_changeset__read(cs, x->body, x->len)) < 0)
		return err;
	if ((err = ruta_trust__judge(&v, cs, &s)) < 0)
		ruta_changeset__free(cs);
	return err;
}

/*
 * Local edits not sealed yet are sealed before anything from elsewhere is
 * applied: a changeset's deps then say exactly what its maker had when it
 * made every change in it, which the merge relies on to tell what a change
 * overwrote. A key that cannot be opened here (a passphrase nobody can
 * type) leaves them for the next export: their deps are then a little wider
 * than what was seen, as before.
 */
static const char unsealed_sql[] = "SELECT EXISTS (SELECT 1 FROM ruta_change WHERE seq >"
	" (SELECT exported_seq FROM ruta_sync_state WHERE k = 0))";

static void seal_first(ruta_replica *r)
{
	int64_t seq = 0, changes = 0;
	sqlite3_stmt *st;
	int rc;
	/* cheap when there is nothing to seal: no key is opened */
	if (ruta_db__stmt(&st, r, unsealed_sql) < 0)
		return;
	rc = ruta_db__step(r, st);
	rc = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc && ruta_changeset_seal(&seq, &changes, r) < 0)
		ruta_error__clear();
}

static int try_changeset(run *ru, item *x)
{
	int64_t conflicts = 0;
	ruta_cs cs;
	char hash[65];
	int err, code;

	memset(&cs, 0, sizeof(cs));
	ruta_error__clear();
	if ((err = verify(ru, x, &cs, hash)) == 1) {
		x->state = DONE_DUP;
		ru->res->duplicates++;
		return 0;
	}
	if (err == RUTA_ENOMEM || err == RUTA_ERROR || err == RUTA_ELOCKED)
		return err;
	if (err < 0)
		return refuse(ru, x, err);
	seal_first(ru->r);
	if ((err = ruta_db__begin(ru->r)) < 0) {
		ruta_changeset__free(&cs);
		return err;
	}
	err = apply_locked(&conflicts, ru->r, &cs, x, hash);
	if (err == 2) {
		ruta_db__rollback(ru->r);
		x->state = DONE_DUP;
		ru->res->duplicates++;
		err = 0;
	} else if (err == 0 && (err = ruta_db__commit(ru->r)) == 0) {
		x->state = DONE_APPLIED;
		ru->res->applied++;
		ru->res->changes += cs.changes;
		if (ru->res->version >= 2)
			ru->res->conflicts += conflicts;
	} else {
		code = err;
		ruta_db__rollback(ru->r);
		if (code == 1)
			err = wait_for(ru, x, &cs, hash);
		else if (code == RUTA_ENOMEM || code == RUTA_ERROR || code == RUTA_ELOCKED)
			err = code;
		else
			err = refuse(ru, x, code == RUTA_ESTATE ? RUTA_EINVALID : code);
	}
	ruta_changeset__free(&cs);
	return err;
}

/* ---- trust files ------------------------------------------------------------ */

static int try_trust(run *ru, item *x)
{
	int err;
	ruta_error__clear();
	if (!x->sig) {
		ruta_error__set(RUTA_EVERIFY, "trust file without a signature (%s.sig is missing)", x->name);
		return refuse(ru, x, RUTA_EVERIFY);
	}
	if ((err = ruta_db__begin(ru->r)) < 0)
		return err;
	err = ruta_trust__install(ru->r, x->body, x->len, x->sig, x->siglen);
	if (err >= 0) {
		int outcome = err;
		if ((err = ruta_db__commit(ru->r)) == 0)
			x->state = outcome == 0 ? DONE_APPLIED : DONE_DUP;
		else
			ruta_db__rollback(ru->r);
		if (err == 0 && outcome == 2)
			report(ru, x, RUTA_OK, ruta_error_last()->message);
		return err;
	}
	ruta_db__rollback(ru->r);
	if (err == RUTA_ENOMEM || err == RUTA_ERROR || err == RUTA_ELOCKED)
		return err;
	return refuse(ru, x, RUTA_EVERIFY);
}

static int compare_trust(const void *a, const void *b)
{
	const item *x = a, *y = b;
	if (x->trust != y->trust)
		return y->trust - x->trust;   /* trust files first */
	if (x->trust)
		return x->version < y->version ? -1 : x->version > y->version;
	return strcmp(x->name, y->name);   /* replica, then sequence */
}

/* ---- the loop ----------------------------------------------------------------- */

static const char load_pending_sql[] = "SELECT replica, seq, body, sig FROM ruta_pending";
static const char load_retry_sql[] = "SELECT id, name, body, sig FROM ruta_quarantine"
	" WHERE retry > 0 AND retry <= (SELECT coalesce(max(version), 0) FROM ruta_trust)";
/* Rows are not deleted here: an applied one goes in its own transaction
 * (record_applied), a re-refused one is not stored twice. */

/* Earlier input that waited, or was refused only for an unknown key. */
static int add_stored(items *it, ruta_replica *r, int retry)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, retry ? load_retry_sql : load_pending_sql)) < 0)
		return err;
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW && err == 0) {
		char name[160], *body, *sig;
		size_t len = (size_t)sqlite3_column_bytes(st, 2), slen = (size_t)sqlite3_column_bytes(st, 3);
		if (retry)
			snprintf(name, sizeof(name), "%s", sqlite3_column_text(st, 1));
		else
			ruta_changeset__name(name, sizeof(name), (const char *)sqlite3_column_text(st, 0),
				sqlite3_column_int64(st, 1));
		body = malloc(len + 1);
		sig = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL : malloc(slen + 1);
		if (!body || (slen && sqlite3_column_type(st, 3) != SQLITE_NULL && !sig)) {
			free(body);
			free(sig);
			err = ruta_error__oom();
			break;
		}
		memcpy(body, sqlite3_column_blob(st, 2) ? sqlite3_column_blob(st, 2) : "", len);
		if (sig)
			memcpy(sig, sqlite3_column_text(st, 3), slen);
		err = items_add(it, name, body, len, sig, slen);
	}
	sqlite3_reset(st);
	if (rc < 0 && err == 0)
		err = rc;
	return err;
}


/* Asks the caller's step callback whether to go on. */
static int step(run *ru, size_t done, size_t total)
{
	const ruta_apply_options *o = ru->opts;
	if (!o || o->version < 2 || !o->step || o->step("applying", done, total, o->payload) == 0)
		return 0;
	return ruta_error__set(RUTA_ECANCELED, "applying cancelled by the caller after %lld of "
		"%zu changesets; those applied stay, the next apply or sync takes up the rest",
		(long long)(ru->res->applied + ru->res->duplicates), total);
}

/* Applies what can be applied; what it unblocks goes in the next round.
 * On the connection with no triggers (db.c), left again on every path. */
static int apply_rounds(run *ru, items *it, size_t start)
{
	size_t i;
	int progress, err;

	if ((err = ruta_db__apply_begin(ru->r)) < 0)
		return err;
	do {
		progress = 0;
		for (i = start; i < it->n && err == 0; i++) {
			item *x = &it->v[i];
			if (x->state != -1 && x->state != WAITING)
				continue;
			/* between changesets, each its own transaction: a safe point */
			if ((err = step(ru, i - start, it->n - start)) < 0 || (err = load(it, x)) < 0)
				break;
			err = try_changeset(ru, x);
			put_down(x);
			progress |= x->state == DONE_APPLIED;
		}
	} while (progress && err == 0);
	ruta_db__apply_end(ru->r);
	return err;
}

static int process(run *ru, items *it)
{
	size_t i, start;
	int err = 0;
	long long v = 0;

	if (it->n)   /* qsort's array must not be NULL, even for no items */
		qsort(it->v, it->n, sizeof(*it->v), compare_trust);
	for (i = 0; i < it->n && it->v[i].trust && err == 0; i++)
		if ((err = load(it, &it->v[i])) == 0) {
			err = try_trust(ru, &it->v[i]);
			put_down(&it->v[i]);
		}
	start = i;
	/* Refused for an unknown key: retried once a newer trust file is in
	 * force than the one it was refused under (received now, or made here). */
	if (err == 0)
		err = add_stored(it, ru->r, 1);
	if (err == 0)
		err = add_stored(it, ru->r, 0);
	if (err == 0)
		err = apply_rounds(ru, it, start);
	for (i = start; i < it->n && err == 0; i++)
		if (it->v[i].state == WAITING) {
			ru->res->waiting++;
			report(ru, &it->v[i], RUTA_OK, "waiting: see ruta status");
		}
	if (err == 0 && (err = ruta_trust__current(&v, NULL, NULL, ru->r)) == 0)
		ru->res->trust_version = (int)v;
	if (err == 0 && ru->res->version >= 2)
		err = ruta_conflicts__open_after_apply(&ru->res->conflicts_open, ru->r);
	return err;
}

static int start(run *ru, ruta_apply_result *out, ruta_replica *r, const ruta_apply_options *opts)
{
	ruta_error__clear();
	if (out->version < 1 || out->version > RUTA_APPLY_RESULT_VERSION)
		return ruta_error__set(RUTA_EINVALID, "apply result version %u is not supported",
			out->version);
	if (opts && (opts->version < 1 || opts->version > RUTA_APPLY_OPTIONS_VERSION))
		return ruta_error__set(RUTA_EINVALID, "apply options version %u is not supported",
			opts->version);
	memset(ru, 0, sizeof(*ru));
	ru->r = r;
	ru->res = out;
	ru->opts = opts;
	out->applied = out->changes = out->duplicates = out->waiting = 0;
	out->refused = out->refused_verify = 0;
	if (out->version >= 2)
		out->conflicts = out->conflicts_open = 0;
	return 0;
}

int ruta_apply__input_run(ruta_apply_result *out, ruta_replica *r, ruta_apply_input *in,
	const ruta_apply_options *opts)
{
	run ru;
	int err;
	if ((err = start(&ru, out, r, opts)) == 0)
		err = process(&ru, in);
	return err;
}

/* A bundle in a file, as from `ruta export --out -` saved: read where it
 * lies, an entry at a time. */
static int apply_bundle_file(run *ru, FILE *f)
{
	struct stat st;
	bundle b = { NULL, f, 0 };
	items it = { NULL, 0, 0, load_entry, &b };
	int err;
	if (fstat(fileno(f), &st) < 0)
		return ruta_error__set(RUTA_ERROR, "cannot read the bundle: %s", strerror(errno));
	b.len = (size_t)st.st_size;
	if ((err = add_bundle(&it, &b)) == 0)
		err = process(ru, &it);
	items_free(&it);
	return err;
}

int ruta_apply_path(ruta_apply_result *out, ruta_replica *r, const char *path,
	const ruta_apply_options *opts)
{
	items it = { NULL, 0, 0, load_file, NULL };
	struct stat st;
	FILE *f;
	run ru;
	int err;

	if ((err = start(&ru, out, r, opts)) < 0)
		return err;
	if (stat(path, &st) < 0)
		return ruta_error__set(RUTA_ENOTFOUND, "no file or directory '%s'", path);
	if (S_ISDIR(st.st_mode)) {
		err = add_dir(&it, path);
	} else if ((f = fopen(path, "rb")) && is_bundle_file(f)) {
		err = apply_bundle_file(&ru, f);
		fclose(f);
		return err;
	} else {
		const char *base = strrchr(path, '/');
		if (f)
			fclose(f);
		err = add_file(&it, path, base ? base + 1 : path);
	}
	if (err == 0)
		err = process(&ru, &it);
	items_free(&it);
	return err;
}

int ruta_apply_bundle_file(ruta_apply_result *out, ruta_replica *r, const char *path,
	const ruta_apply_options *opts)
{
	FILE *f;
	run ru;
	int err;
	if ((err = start(&ru, out, r, opts)) < 0)
		return err;
	if (!(f = fopen(path, "rb")))
		return errno == ENOENT ? ruta_error__set(RUTA_ENOTFOUND, "no file '%s'", path) :
			ruta_error__set(RUTA_ERROR, "cannot read '%s': %s", path, strerror(errno));
	err = apply_bundle_file(&ru, f);
	fclose(f);
	return err;
}

int ruta_apply_bundle(ruta_apply_result *out, ruta_replica *r, const char *data, size_t len,
	const ruta_apply_options *opts)
{
	bundle b = { data, NULL, len };
	items it = { NULL, 0, 0, load_entry, &b };
	run ru;
	int err;

	if ((err = start(&ru, out, r, opts)) < 0)
		return err;
	if ((err = add_bundle(&it, &b)) == 0)
		err = process(&ru, &it);
	items_free(&it);
	return err;
}
