/*
 * sync.c - push, pull and sync with a git hub.
 *
 * Push: the replica's changesets not yet on its branch go into one signed
 * commit (tree: changesets/<replica>/<replica>-<seq>.json and .sig), and the branch is
 * pushed fast-forward only. What is committed is read from the branch tip's
 * tree, so a sync killed at any point commits nothing twice and loses
 * nothing: the next one takes up where the tip says.
 *
 * Pull: every ruta/ branch of the hub is fetched; for each, only the commits
 * after the last one taken in are walked, and their files go through the
 * very checks of ruta_apply_path. A branch whose new tip does not descend
 * from the one taken in before was rewritten: it is refused and reported,
 * and nothing of it is applied.
 *
 * Only one sync runs on a replica at a time (a lock file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "apply.h"
#include "buf.h"
#include "changeset.h"
#include "crypto.h"
#include "snapshot.h"
#include "transport.h"
#include "trust.h"

#define SEEN_PREFIX "hub_seen:"

/* The last commit of `branch` taken in from hub `url`: "hub_seen:URL#BRANCH",
 * so that what was seen on one hub never judges another. */
static void seen_key(char *out, size_t size, const char *url, const char *branch)
{
	snprintf(out, size, SEEN_PREFIX "%.2000s#%.200s", url, branch);
}

/* A path is kept absolute, so the hub is the same whatever directory ruta
 * runs from. */
int ruta_sync__hub_url(char **out, const char *url)
{
	ruta_buf b = RUTA_BUF_INIT;
	char cwd[4096];
	*out = NULL;
	if (!url || !*url || strlen(url) > 2000)
		return ruta_error__set(RUTA_EINVALID, "give the hub's URL or path");
	/* URLs, absolute paths and scp-like host:path (no '/' before the ':') stay */
	if (strstr(url, "://") || url[0] == '/' || strchr(url, '@') ||
			(strchr(url, ':') && (!strchr(url, '/') || strchr(url, ':') < strchr(url, '/'))))
		ruta_buf__puts(&b, url);
	else if (getcwd(cwd, sizeof(cwd)))
		ruta_buf__printf(&b, "%s/%s", cwd, url);
	else
		return ruta_error__set(RUTA_ERROR, "cannot tell the current directory for hub '%s'", url);
	if (ruta_buf__check(&b) < 0)
		return RUTA_ENOMEM;
	*out = ruta_buf__detach(&b);
	return 0;
}

static const char forget_seen_sql[] = "DELETE FROM ruta_meta WHERE key LIKE 'hub\\_seen:%'"
	" ESCAPE '\\'";

/* What was seen on one hub says nothing about another: a new hub is walked
 * from its start (what was applied already is a duplicate). */
int ruta_hub_set(ruta_replica *r, const char *url)
{
	char *abs = NULL, *old = NULL;
	int err;
	ruta_error__clear();
	if ((err = ruta_sync__hub_url(&abs, url)) < 0 || (err = ruta_db__meta_get(&old, r->db,
			"hub_url")) < 0 || (err = ruta_db__begin(r)) < 0)
		goto done;
	if ((err = ruta_db__meta_set(r->db, "hub_url", abs)) == 0 && (!old || strcmp(old, abs)))
		err = ruta_db__exec(r->db, forget_seen_sql);
	if (err == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
done:
	free(abs);
	free(old);
	return err;
}

int ruta_hub_get(char **url, ruta_replica *r)
{
	int err;
	ruta_error__clear();
	if ((err = ruta_db__meta_get(url, r->db, "hub_url")) < 0)
		return err;
	if (!*url)
		return ruta_error__set(RUTA_ENOTFOUND, "this replica has no hub; set one with "
			"'ruta hub add URL'");
	return 0;
}

static const char forget_rewritten_sql[] = "DELETE FROM ruta_quarantine WHERE name = ?1"
	" AND length(body) = 0 AND hash LIKE 'branch %'";

static int accept_locked(ruta_replica *r, const char *url, const char *branch, ruta_git *g)
{
	char ref[300], tip[41], key[2300];
	sqlite3_stmt *st;
	int rc, err;

	snprintf(ref, sizeof(ref), "refs/hub/%s", branch);
	ruta_git__ref(tip, g, ref);
	if (!tip[0])
		return ruta_error__set(RUTA_ENOTFOUND, "no hub branch '%s' was fetched (see ruta "
			"status, then ruta pull)", branch);
	seen_key(key, sizeof(key), url, branch);
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = ruta_db__meta_set(r->db, key, tip)) == 0 &&
			(err = ruta_db__stmt(&st, r, forget_rewritten_sql)) == 0) {
		sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
		rc = ruta_db__step(r, st);
		sqlite3_reset(st);
		err = rc < 0 ? rc : 0;
	}
	if (err == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	return err;
}

/* ---- one sync at a time ---- */

int ruta_sync__lock(int *fd, ruta_replica *r)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/sync.lock", r->dir);
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return ruta_error__set(RUTA_ERROR, "cannot open '%s': %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		close(*fd);
		*fd = -1;
		return ruta_error__set(RUTA_ELOCKED, "another ruta is syncing this replica; try again "
			"when it is done");
	}
	return 0;
}

void ruta_sync__unlock(int fd)
{
	if (fd >= 0)
		close(fd);   /* closing drops the lock */
}

int ruta_sync__check_timeout(int seconds, const char *what)
{
	if (seconds < 0 || seconds > RUTA_TIMEOUT_MAX)
		return ruta_error__set(RUTA_EINVALID, "%s: timeout must be 1 to %d seconds (0 for the "
			"default, %d), not %d", what, RUTA_TIMEOUT_MAX, RUTA_TIMEOUT_DEFAULT, seconds);
	return 0;
}

/* ---- push ---- */

typedef struct signing {
	ruta_secret *sk;
} signing;

static int sign_commit(char **armored, const char *buf, size_t len, void *payload)
{
	signing *s = payload;
	return ruta_crypto__sshsig_sign(armored, s->sk, "git", buf, len);
}

typedef struct max_name {
	long long max;
	const char *suffix;
} max_name;

static int note_max(const char *commit, const char *path, const char *data, size_t len, void *p)
{
	max_name *m = p;
	size_t n = strlen(path), k = strlen(m->suffix);
	long long v;
	(void)commit;
	(void)data;
	(void)len;
	if (n > k && strcmp(path + n - k, m->suffix) == 0) {
		const char *digits = strrchr(path, '-') ? strrchr(path, '-') + 1 : path;
		v = strtoll(digits, NULL, 10);
		if (v > m->max)
			m->max = v;
	}
	return 0;
}

static const char unsent_sql[] = "SELECT seq, body, sig FROM ruta_changeset"
	" WHERE replica = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq";
/* counted first, for the commit's message; one sealed meanwhile waits */
static const char unsent_count_sql[] = "SELECT count(*), max(seq) FROM ruta_changeset"
	" WHERE replica = ?1 AND seq > ?2";

typedef struct files {
	ruta_git_file *v;
	char **owned;
	size_t n, cap;
} files;

static void files_free(files *f)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		free(f->owned[i]);
	free(f->owned);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* Takes copies of the path and the data. */
static int files_add(files *f, const char *path, const void *data, size_t len)
{
	char *buf;
	size_t pl = strlen(path) + 1;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		ruta_git_file *nv = realloc(f->v, cap * sizeof(*nv));
		char **no;
		if (!nv)
			return ruta_error__oom();
		f->v = nv;
		if (!(no = realloc(f->owned, cap * sizeof(*no))))
			return ruta_error__oom();
		f->owned = no;
		f->cap = cap;
	}
	if (!(buf = malloc(pl + len + 1)))
		return ruta_error__oom();
	memcpy(buf, path, pl);
	memcpy(buf + pl, data, len);
	f->owned[f->n] = buf;
	f->v[f->n].path = buf;
	f->v[f->n].data = buf + pl;
	f->v[f->n].len = len;
	f->n++;
	return 0;
}

/* This replica's changesets after the branch tip's, straight from the
 * database into the commit, one file at a time: a push of any size holds
 * one changeset in memory. */
typedef struct own_files {
	ruta_replica *r;
	sqlite3_stmt *st;
	char path[300];
	int sig_next;     /* the row given last still has its .sig to give */
} own_files;

static int next_own(ruta_git_file *f, void *payload)
{
	own_files *o = payload;
	int rc;
	if (o->sig_next) {
		o->sig_next = 0;
		strcat(o->path, ".sig");
		f->path = o->path;
		f->data = (const char *)sqlite3_column_text(o->st, 2);
		f->len = (size_t)sqlite3_column_bytes(o->st, 2);
		return 1;
	}
	if ((rc = ruta_db__step(o->r, o->st)) != SQLITE_ROW)
		return rc < 0 ? rc : 0;
	snprintf(o->path, sizeof(o->path), "changesets/%s/%s-%08lld.json", o->r->id, o->r->id,
		(long long)sqlite3_column_int64(o->st, 0));
	f->path = o->path;
	f->data = sqlite3_column_blob(o->st, 1);
	f->len = (size_t)sqlite3_column_bytes(o->st, 1);
	o->sig_next = 1;
	return 1;
}

static int count_own(int64_t *count, int64_t *last, ruta_replica *r, long long after)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, unsent_count_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*last = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int commit_own(int64_t *count, ruta_replica *r, ruta_git *g, signing *s)
{
	char branch[200], dir[220], msg[300];
	max_name m = { 0, ".json" };
	own_files o = { r, NULL, "", 0 };
	int64_t last = 0;
	int err;

	snprintf(branch, sizeof(branch), "ruta/%s", r->id);
	snprintf(dir, sizeof(dir), "changesets/%s", r->id);
	/* what the tip holds was committed already: only later ones go */
	if ((err = ruta_git__tip_names(g, branch, dir, note_max, &m)) < 0 ||
			(err = count_own(count, &last, r, m.max)) < 0 || *count == 0 ||
			(err = ruta_db__stmt(&o.st, r, unsent_sql)) < 0)
		return err;
	sqlite3_bind_text(o.st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(o.st, 2, m.max);
	sqlite3_bind_int64(o.st, 3, last);
	snprintf(msg, sizeof(msg), "ruta: %s changesets %lld to %lld\n", r->id, m.max + 1,
		m.max + (long long)*count);
	err = ruta_git__commit_each(g, branch, next_own, &o, msg, r->id, sign_commit, s);
	sqlite3_reset(o.st);
	return err;
}

static int commit_trust(ruta_replica *r, ruta_git *g, signing *s)
{
	max_name m = { 0, ".txt" };
	char *text = NULL, *sig = NULL, path[100], msg[100];
	files f = { NULL, NULL, 0, 0 };
	long long v = 0;
	int err;

	if ((err = ruta_git__tip_names(g, "ruta/trust", "trust", note_max, &m)) < 0 ||
			(err = ruta_trust__current(&v, &text, &sig, r)) < 0 || v <= m.max)
		goto done;
	snprintf(path, sizeof(path), "trust/ruta-trust-%08lld.txt", v);
	if ((err = files_add(&f, path, text, strlen(text))) < 0)
		goto done;
	strcat(path, ".sig");
	if ((err = files_add(&f, path, sig, strlen(sig))) < 0)
		goto done;
	snprintf(msg, sizeof(msg), "ruta: trust file version %lld\n", v);
	err = ruta_git__commit(g, "ruta/trust", f.v, f.n, msg, r->id, sign_commit, s);
done:
	files_free(&f);
	free(text);
	free(sig);
	return err;
}

static int count_json(const char *commit, const char *path, const char *data, size_t len, void *p)
{
	size_t n = strlen(path);
	(void)commit;
	(void)data;
	(void)len;
	if (n > 5 && strcmp(path + n - 5, ".json") == 0)
		(*(int64_t *)p)++;
	return 0;
}

/* What the push sends: the changesets in commits the hub does not have. */
static int unsent(int64_t *count, ruta_git *g, const char *branch, char tip[41], char hub[300])
{
	char ref[300], on_hub[41];
	snprintf(ref, sizeof(ref), "refs/heads/%s", branch);
	snprintf(hub, 300, "refs/hub/%s", branch);
	ruta_git__ref(tip, g, ref);
	ruta_git__ref(on_hub, g, hub);
	*count = 0;
	if (!tip[0] || strcmp(tip, on_hub) == 0)
		return 0;
	return ruta_git__walk(g, tip, on_hub[0] && ruta_git__descends(g, tip, on_hub) ? on_hub : NULL,
		RUTA_GIT_NAMES, count_json, count);
}

/* A replica that lost its git/ directory (a copied replica, say) takes
 * its own branch back from the hub rather than forking it. */
static int adopt_hub_branch(ruta_git *g, const char *branch)
{
	char local[300], hub[300], tip[41], on_hub[41];
	snprintf(local, sizeof(local), "refs/heads/%s", branch);
	snprintf(hub, sizeof(hub), "refs/hub/%s", branch);
	ruta_git__ref(tip, g, local);
	ruta_git__ref(on_hub, g, hub);
	if (tip[0] || !on_hub[0])
		return 0;
	return ruta_git__ref_set(g, local, on_hub);
}

/* Whether the hub already holds the tip of this replica's BRANCH (or there
 * is none): refs/hub/ is the hub's state as of this session's fetch. */
static int hub_has(ruta_git *g, const char *branch)
{
	char ref[300], tip[41], on_hub[41];
	snprintf(ref, sizeof(ref), "refs/heads/%s", branch);
	ruta_git__ref(tip, g, ref);
	snprintf(ref, sizeof(ref), "refs/hub/%s", branch);
	ruta_git__ref(on_hub, g, ref);
	return !tip[0] || strcmp(tip, on_hub) == 0;
}

/* FETCHED: the hub was fetched in this session, so refs/hub/ is current and
 * a push that would send nothing is not made (a sync with nothing new is
 * one round trip). */
static int do_push(ruta_sync_result *out, ruta_replica *r, ruta_git *g, const char *url,
	int fetched)
{
	signing s = { NULL };
	char branch[200], tip[41], hub[300];
	const char *branches[2] = { branch, "ruta/trust" };
	int64_t committed = 0, sending = 0;
	int err;

	snprintf(branch, sizeof(branch), "ruta/%s", r->id);
	if ((err = adopt_hub_branch(g, branch)) < 0 ||
			(err = ruta_changeset__load_key(&s.sk, r)) < 0)
		return err;
	if ((err = commit_own(&committed, r, g, &s)) == 0 && r->head_office)
		err = commit_trust(r, g, &s);
	ruta_crypto__secret_free(s.sk);
	if (err == 0)
		err = unsent(&sending, g, branch, tip, hub);
	if (err == 0 && !(fetched && hub_has(g, branch) && (!r->head_office || hub_has(g, branches[1]))))
		err = ruta_git__push(g, url, branches, r->head_office ? 2 : 1);
	/* the hub has it now: count it once */
	if (err == 0 && tip[0] && (err = ruta_git__ref_set(g, hub, tip)) == 0)
		out->pushed = sending;
	return err;
}

/* ---- pull ---- */

typedef struct pulling {
	ruta_replica *r;
	ruta_git *g;
	ruta_sync_result *out;
	const ruta_sync_options *opts;
	const char *url;
	ruta_apply_input *in;      /* what is taken in, read from git when applied */
	char own[200];
	char **branches, **tips;   /* walked branches and their new tips */
	size_t n, cap;
	int own_rewritten;         /* the hub no longer holds our own history */
	long long entries;         /* files taken, for unique names */
	char last_path[600], last_commit[41];   /* where a .sig must follow */
	const char *only;          /* take in just this branch, or all if NULL */
	int err;
} pulling;

static const char rewritten_sql[] = "INSERT INTO ruta_quarantine(name, hash, code, reason, body,"
	" at) SELECT ?1, ?2, ?3, ?4, x'', strftime('%Y-%m-%dT%H:%M:%SZ','now')"
	" WHERE NOT EXISTS (SELECT 1 FROM ruta_quarantine WHERE hash = ?2)";

/* Refused hub content that is no file (a branch, a snapshot) is kept on
 * record like refused input: status lists it. */
static int record_refusal(ruta_replica *r, const ruta_sync_options *opts, const char *name,
	const char *key, int code, const char *why)
{
	sqlite3_stmt *st;
	char reason[1024];
	int rc, err;
	snprintf(reason, sizeof(reason), "%s", why);
	if (opts && opts->report)
		opts->report(name, code, reason, opts->payload);
	if ((err = ruta_db__stmt(&st, r, rewritten_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, code);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int record_rewritten(pulling *p, const char *branch, const char *tip, const char *why)
{
	char key[400];
	p->out->rewritten++;
	snprintf(key, sizeof(key), "branch %s at %s", branch, tip);
	return record_refusal(p->r, p->opts, branch, key, RUTA_EVERIFY, why);
}

/* A changeset or trust file from a hub commit is taken in; other files are
 * not ruta's and are left alone. */
static int plain_name(const char *s)
{
	size_t n = strlen(s), i;
	if (n == 0 || n > 120 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
				(s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

/*
 * A changeset or trust file from a hub commit becomes an input whose name
 * is unique to that commit and path, so a signature is always paired
 * with the file beside it in the same tree, never with a namesake from
 * elsewhere. A hub may hold anything: files that are not ruta's, odd or
 * over-long names, orphan signatures and oversize blobs are passed over one
 * by one, so no single file can stop a pull.
 */
static int take_file(const char *commit, const char *path, const char *id, size_t len, void *pp)
{
	pulling *p = pp;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(name);
	int is_sig = n > 4 && !strcmp(name + n - 4, ".sig");
	char base[240];

	if (!plain_name(name) || len > RUTA_CS_MAX_BYTES ||
			!((strncmp(path, "changesets/", 11) == 0 && ((n > 5 && !strcmp(name + n - 5, ".json")) ||
			(n > 9 && !strcmp(name + n - 9, ".json.sig")))) ||
			(strncmp(path, "trust/", 6) == 0 && strncmp(name, "ruta-trust-", 11) == 0 &&
			(strstr(name, ".txt") == name + n - 4 || strstr(name, ".txt.sig") == name + n - 8))))
		return 0;
	if (is_sig) {
		/* only right after its own file, in the same commit and directory */
		if (strlen(path) - 4 != strlen(p->last_path) || strncmp(path, p->last_path, strlen(path) - 4) ||
				strcmp(commit, p->last_commit) != 0)
			return 0;
		return ruta_apply__input_sig(p->in, id);
	} else {
		p->entries++;
		/* trust files keep their name first: apply reads the version from it */
		if (strncmp(name, "ruta-trust-", 11) == 0)
			snprintf(base, sizeof(base), "%s", name);
		else
			/* in the order walked: apply tries them sorted by name, and a
			 * branch's changesets in their own order apply in one round */
			snprintf(base, sizeof(base), "%010lld-%.12s-%s", p->entries, commit, name);
		snprintf(p->last_path, sizeof(p->last_path), "%s", path);
		snprintf(p->last_commit, sizeof(p->last_commit), "%s", commit);
		if (n > 5 && !strcmp(name + n - 5, ".json"))
			p->out->pulled++;
	}
	return ruta_apply__input_add(p->in, base, id);
}

/* An input's bytes, read from the replica's git when its turn comes. */
static int load_blob(char **data, size_t *len, const char *id, size_t max, void *g)
{
	int err;
	if ((err = ruta_git__blob(data, len, g, id)) == 0 && *len > max) {
		free(*data);
		*data = NULL;
		*len = 0;
		return RUTA_EINVALID;
	}
	return err;
}

static int remember(pulling *p, const char *branch, const char *tip)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char **nb = realloc(p->branches, cap * sizeof(*nb)), **nt;
		if (!nb)
			return ruta_error__oom();
		p->branches = nb;
		if (!(nt = realloc(p->tips, cap * sizeof(*nt))))
			return ruta_error__oom();
		p->tips = nt;
		p->cap = cap;
	}
	p->branches[p->n] = strdup(branch);
	p->tips[p->n] = strdup(tip);
	p->n++;   /* counted even if a copy failed: done frees them all */
	if (!p->branches[p->n - 1] || !p->tips[p->n - 1])
		return ruta_error__oom();
	return 0;
}

static int one_branch(const char *tip, const char *branch, const char *data, size_t len, void *pp)
{
	pulling *p = pp;
	char key[2300], *seen = NULL, own_tip[41];
	long long before;
	int err;
	(void)data;
	(void)len;

	/* head office wrote the trust branch itself; snapshots are read apart */
	if ((p->r->head_office && strcmp(branch, "ruta/trust") == 0) ||
			strcmp(branch, RUTA_SNAPSHOT_BRANCH) == 0 || (p->only && strcmp(branch, p->only) != 0))
		return 0;
	if (strcmp(branch, p->own) == 0) {
		/* our own branch, as the hub has it: it must be ours, unrewritten */
		char ref[300];
		snprintf(ref, sizeof(ref), "refs/heads/%s", branch);
		ruta_git__ref(own_tip, p->g, ref);
		if (own_tip[0] && !ruta_git__descends(p->g, own_tip, tip)) {
			p->own_rewritten = 1;
			return record_rewritten(p, branch, tip, "the hub holds a history of this "
				"replica's branch that this replica never wrote");
		}
		return 0;
	}
	seen_key(key, sizeof(key), p->url, branch);
	if ((err = ruta_db__meta_get(&seen, p->r->db, key)) < 0)
		return err;
	if (seen && strcmp(seen, tip) == 0) {
		free(seen);
		return 0;
	}
	if (seen && !ruta_git__descends(p->g, tip, seen)) {
		char why[300];
		snprintf(why, sizeof(why), "hub branch %s was rewritten (force-pushed): its new "
			"history does not contain commit %.12s taken in before; nothing of it is applied",
			branch, seen);
		free(seen);
		return record_rewritten(p, branch, tip, why);
	}
	before = p->entries;
	err = ruta_git__walk(p->g, tip, seen, RUTA_GIT_IDS, take_file, p);
	free(seen);
	if (err == 0 && p->entries > before && strcmp(branch, "ruta/trust") != 0)
		p->out->replicas++;
	return err < 0 ? err : remember(p, branch, tip);
}

/* The caller's cancellable progress callback, if its options have one. */
static ruta_step_cb step_of(const ruta_sync_options *o)
{
	return o && o->version >= 3 ? o->step : NULL;
}

/* Walks the fetched branches (or just `only`) past what was taken in before,
 * applies what they bring, and remembers how far it got. */
static int take_in(ruta_sync_result *out, ruta_replica *r, ruta_git *g, const char *url,
	const ruta_sync_options *opts, const char *only, int *own_rewritten)
{
	ruta_apply_options ao = RUTA_APPLY_OPTIONS_INIT;
	pulling p;
	size_t i;
	int err;

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.g = g;
	p.out = out;
	p.opts = opts;
	p.url = url;
	p.only = only;
	snprintf(p.own, sizeof(p.own), "ruta/%s", r->id);
	if ((err = ruta_apply__input_new(&p.in, load_blob, g)) < 0 ||
			(err = ruta_git__fetched(g, one_branch, &p)) < 0)
		goto done;
	ao.report = opts ? opts->report : NULL;
	ao.payload = opts ? opts->payload : NULL;
	ao.step = step_of(opts);
	if (own_rewritten)
		*own_rewritten = p.own_rewritten;
	if ((err = ruta_apply__input_run(&out->apply, r, p.in, &ao)) < 0)
		goto done;
	/* Taken in: waiting and refused ones are kept by the replica itself. */
	for (i = 0; i < p.n && err == 0; i++) {
		char key[2300];
		seen_key(key, sizeof(key), url, p.branches[i]);
		err = ruta_db__meta_set(r->db, key, p.tips[i]);
	}
done:
	for (i = 0; i < p.n; i++) {
		free(p.branches[i]);
		free(p.tips[i]);
	}
	free(p.branches);
	free(p.tips);
	ruta_apply__input_free(p.in);
	return err;
}

static int snapshot_mode(const ruta_sync_options *opts)
{
	return opts && opts->version >= 2 ? opts->snapshot : RUTA_SNAPSHOT_AUTO;
}

static int timeout_of(const ruta_sync_options *opts)
{
	return opts && opts->version >= 4 ? opts->timeout : 0;
}

static const char taken_sql[] = "SELECT 1 FROM ruta_frontier WHERE replica <> ?1 LIMIT 1";

/* A replica that has taken in nothing from others starts from head office's
 * snapshot, once the trust file that says who head office is is in. A
 * snapshot that does not verify is reported and passed over: the history
 * is then replayed in full, as if there were none. */
static int maybe_start(ruta_sync_result *out, ruta_replica *r, ruta_git *g, const char *url,
	const ruta_sync_options *opts)
{
	sqlite3_stmt *st;
	char tip[41];
	int64_t records = 0;
	int rc, err;

	if (r->head_office || snapshot_mode(opts) == RUTA_SNAPSHOT_NEVER ||
			(err = ruta_git__ref(tip, g, "refs/hub/" RUTA_SNAPSHOT_BRANCH)) < 0 || !tip[0])
		return 0;
	if ((err = ruta_db__stmt(&st, r, taken_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return rc < 0 ? rc : 0;
	if ((err = take_in(out, r, g, url, opts, "ruta/trust", NULL)) < 0)
		return err;
	err = ruta_snapshot__start(&records, r, g, url);
	if (err == RUTA_EVERIFY || err == RUTA_EINVALID) {
		char key[100];
		snprintf(key, sizeof(key), "snapshot at %s", tip);
		/* kept on record like a rewritten branch, so status lists it */
		if ((err = record_refusal(r, opts, RUTA_SNAPSHOT_BRANCH, key, err,
				ruta_error_last()->message)) < 0)
			return err;
		return 1;
	}
	if (err == 0 && out->version >= 2)
		out->started_from = records;
	return err;
}

static int do_pull(ruta_sync_result *out, ruta_replica *r, ruta_git *g, const char *url,
	const ruta_sync_options *opts, int *own_rewritten)
{
	ruta_apply_result first = RUTA_APPLY_RESULT_INIT;
	int refused, err;
	if ((err = ruta_git__fetch(g, url)) < 0 || (refused = maybe_start(out, r, g, url, opts)) < 0)
		return err < 0 ? err : refused;
	first = out->apply;   /* the trust branch, taken in before a snapshot start */
	if ((err = take_in(out, r, g, url, opts, NULL, own_rewritten)) == 0) {
		/* a snapshot that failed its checks counts as refused input */
		out->apply.refused += first.refused + refused;
		out->apply.refused_verify += first.refused_verify + refused;
		out->apply.applied += first.applied;
	}
	return err;
}

/* ---- head office's snapshots ---- */

static const char covered_sql[] = "SELECT coalesce(sum(seq), 0) FROM ruta_frontier";

static int snapshot_due(int *due, ruta_replica *r, int mode)
{
	sqlite3_stmt *st;
	char *last = NULL;
	int64_t every = 0, covered = 0, since;
	int rc, err;

	*due = 0;
	if ((err = ruta_snapshot_every_get(&every, r)) < 0 ||
			(err = ruta_db__meta_get(&last, r->db, "snapshot_covered")) < 0 ||
			(err = ruta_db__stmt(&st, r, covered_sql)) < 0) {
		free(last);
		return err;
	}
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		covered = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	since = covered - (last ? strtoll(last, NULL, 10) : 0);
	/* asked for or not, a snapshot that would say nothing new is not made */
	*due = (!last || since > 0) && (mode == RUTA_SNAPSHOT_NOW || (every > 0 && since >= every));
	free(last);
	return rc < 0 ? rc : 0;
}

static int add_file(const char *path, const char *data, size_t len, void *ctx)
{
	return files_add(ctx, path, data, len);
}

static int publish(ruta_sync_result *out, ruta_replica *r, ruta_git *g, const char *url,
	const ruta_sync_options *opts)
{
	const char *branch = RUTA_SNAPSHOT_BRANCH;
	files f = { NULL, NULL, 0, 0 };
	signing s = { NULL };
	char own[300], own_tip[41], tip[41], msg[200], covered_text[32];
	int64_t records = 0, covered = 0;
	int due, err;

	if (!r->head_office || snapshot_mode(opts) == RUTA_SNAPSHOT_NEVER ||
			(err = snapshot_due(&due, r, snapshot_mode(opts))) < 0 || !due)
		return 0;
	snprintf(own, sizeof(own), "refs/heads/ruta/%s", r->id);
	if ((err = adopt_hub_branch(g, branch)) < 0 || (err = ruta_git__ref(own_tip, g, own)) < 0 ||
			(err = ruta_changeset__load_key(&s.sk, r)) < 0)
		return err;
	err = ruta_snapshot__make(&records, &covered, r, url, own_tip, s.sk, add_file, &f);
	if (err == 0 && records == 0) {   /* nothing to start from */
		ruta_crypto__secret_free(s.sk);
		files_free(&f);
		return 0;
	}
	snprintf(msg, sizeof(msg), "ruta: snapshot of %lld records by head office %s\n",
		(long long)records, r->id);
	if (err == 0)
		err = ruta_git__commit(g, branch, f.v, f.n, msg, r->id, sign_commit, &s);
	ruta_crypto__secret_free(s.sk);
	files_free(&f);
	if (err == 0)
		err = ruta_git__push(g, url, &branch, 1);
	if (err == 0 && (err = ruta_git__ref(tip, g, "refs/heads/" RUTA_SNAPSHOT_BRANCH)) == 0)
		err = ruta_git__ref_set(g, "refs/hub/" RUTA_SNAPSHOT_BRANCH, tip);
	snprintf(covered_text, sizeof(covered_text), "%lld", (long long)covered);
	if (err == 0 && (err = ruta_db__meta_set(r->db, "snapshot_covered", covered_text)) == 0 &&
			out->version >= 2)
		out->published = records;
	return err;
}

int ruta_snapshot_every(ruta_replica *r, int64_t every)
{
	char text[32];
	ruta_error__clear();
	if (!r->head_office)
		return ruta_error__set(RUTA_EINVALID, "only head office publishes snapshots; this is "
			"team %s's replica", r->team ? r->team : "?");
	if (every < 0 || every > 1000000000000LL)
		return ruta_error__set(RUTA_EINVALID, "give how many changesets between snapshots "
			"(0 for only when asked, at most 10^12), not %lld", (long long)every);
	snprintf(text, sizeof(text), "%lld", (long long)every);
	return ruta_db__meta_set(r->db, "snapshot_every", text);
}

int ruta_snapshot_every_get(int64_t *every, ruta_replica *r)
{
	char *v = NULL;
	int err;
	ruta_error__clear();
	*every = 1000;
	if ((err = ruta_db__meta_get(&v, r->db, "snapshot_every")) < 0)
		return err;
	if (v)
		*every = strtoll(v, NULL, 10);
	free(v);
	return 0;
}

/* ---- the entry points ---- */

typedef struct session {
	ruta_git *g;
	char *url;
	int lock;
} session;

/* The caller's step callback may cancel; its plain progress callback only
 * watches. */
static int progress(const char *what, size_t done, size_t total, void *payload)
{
	const ruta_sync_options *o = payload;
	if (step_of(o))
		return step_of(o)(what, done, total, o->payload);
	if (o && o->progress)
		o->progress(what, done, total, o->payload);
	return 0;
}

static int begin(session *s, ruta_sync_result *out, ruta_replica *r, const ruta_sync_options *opts)
{
	ruta_apply_result fresh = RUTA_APPLY_RESULT_INIT;
	int err;

	ruta_error__clear();
	memset(s, 0, sizeof(*s));
	s->lock = -1;
	if (out->version < 1 || out->version > RUTA_SYNC_RESULT_VERSION)
		return ruta_error__set(RUTA_EINVALID, "sync result version %u is not supported",
			out->version);
	if (opts && (opts->version < 1 || opts->version > RUTA_SYNC_OPTIONS_VERSION))
		return ruta_error__set(RUTA_EINVALID, "sync options version %u is not supported",
			opts->version);
	if (snapshot_mode(opts) == RUTA_SNAPSHOT_NOW && !r->head_office)
		return ruta_error__set(RUTA_EINVALID, "only head office publishes snapshots; this is "
			"team %s's replica", r->team ? r->team : "?");
	if (snapshot_mode(opts) < RUTA_SNAPSHOT_AUTO || snapshot_mode(opts) > RUTA_SNAPSHOT_NOW)
		return ruta_error__set(RUTA_EINVALID, "sync options: snapshot must be RUTA_SNAPSHOT_AUTO, "
			"_NEVER or _NOW, not %d", snapshot_mode(opts));
	if ((err = ruta_sync__check_timeout(timeout_of(opts), "sync options")) < 0)
		return err;
	out->sealed_seq = out->pulled = out->replicas = out->pushed = out->rewritten = 0;
	out->apply = fresh;
	if (out->version >= 2)
		out->started_from = out->published = 0;
	if (opts && opts->hub) {
		if (!(s->url = strdup(opts->hub)))
			return ruta_error__oom();
	} else if ((err = ruta_hub_get(&s->url, r)) < 0) {
		return err;
	}
	if ((err = ruta_sync__lock(&s->lock, r)) < 0 ||
			(err = ruta_git__open(&s->g, r->dir, progress, (void *)opts)) < 0)
		return err;
	ruta_git__timeout(s->g, timeout_of(opts));
	if (opts && opts->version >= 4)
		ruta_git__credentials(s->g, opts->credentials, opts->payload);
	return 0;
}

static void end(session *s)
{
	ruta_git__free(s->g);
	ruta_sync__unlock(s->lock);
	free(s->url);
}

int ruta_hub_accept(ruta_replica *r, const char *branch)
{
	ruta_git *g = NULL;
	char *url = NULL;
	int fd = -1, err;

	ruta_error__clear();
	if (!branch || strncmp(branch, "ruta/", 5) != 0 || strlen(branch) > 200 ||
			strstr(branch, ".."))
		return ruta_error__set(RUTA_EINVALID, "give a hub branch name as status shows it "
			"(ruta/<replica id>)");
	if ((err = ruta_sync__lock(&fd, r)) < 0)
		return err;
	if ((err = ruta_hub_get(&url, r)) == 0 && (err = ruta_git__open(&g, r->dir, NULL, NULL)) == 0)
		err = accept_locked(r, url, branch, g);
	ruta_git__free(g);
	ruta_sync__unlock(fd);
	free(url);
	return err;
}

int ruta_push(ruta_sync_result *out, ruta_replica *r, const ruta_sync_options *opts)
{
	session s;
	int err;
	if ((err = begin(&s, out, r, opts)) == 0)
		err = do_push(out, r, s.g, s.url, 0);
	end(&s);
	return err;
}

int ruta_pull(ruta_sync_result *out, ruta_replica *r, const ruta_sync_options *opts)
{
	session s;
	int err;
	if ((err = begin(&s, out, r, opts)) == 0)
		err = do_pull(out, r, s.g, s.url, opts, NULL);
	end(&s);
	return err;
}

/* Head office may keep its root key off this machine: then sealing waits for
 * `ruta keys seal` where the key is, and the sync goes on. */
static int seal_expired(ruta_replica *r)
{
	char path[4200];
	int sealed, err;
	snprintf(path, sizeof(path), "%s/keys/root.key", r->dir);
	if (access(path, F_OK) != 0)
		return 0;
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = ruta_trust__seal(r, &sealed)) == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	return err;
}

int ruta_sync(ruta_sync_result *out, ruta_replica *r, const ruta_sync_options *opts)
{
	int64_t changes = 0;
	int own_rewritten = 0;
	session s;
	int err;

	if ((err = begin(&s, out, r, opts)) == 0) {
		err = ruta_changeset_seal(&out->sealed_seq, &changes, r);
		if (err == RUTA_ITEROVER)
			err = 0;
		if (err == 0)
			err = do_pull(out, r, s.g, s.url, opts, &own_rewritten);
		/* what it pulled is all a key that expired meanwhile keeps */
		if (err == 0 && r->head_office)
			err = seal_expired(r);
		/* the hub would refuse it anyway; the report above says why */
		if (err == 0 && !own_rewritten)
			err = do_push(out, r, s.g, s.url, 1);
		if (err == 0 && !own_rewritten)
			err = publish(out, r, s.g, s.url, opts);
	}
	end(&s);
	return err;
}
