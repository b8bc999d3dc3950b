/*
 * transport.c - the hub as a git repository, through libgit2: the only file
 * that calls libgit2.
 *
 * Each replica keeps a bare repository in DIR/git. It writes only its own
 * branch, refs/heads/ruta/<replica-id> (and head office ruta/trust), one
 * signed commit per sync whose tree holds just that sync's files, so a sync
 * costs the same at a hundred commits and at a hundred thousand (readers walk
 * commits, not trees). Commit times strictly increase along a branch, which
 * keeps libgit2's revision walks short. Objects go through the object
 * database; there is no working tree.
 */
#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "buf.h"
#include "transport.h"

struct ruta_git {
	git_repository *repo;
	ruta_git_progress_cb progress;
	void *payload;
	int cred_tries;
	char *push_refused;   /* the first refusal the hub sent back */
};

#define FETCH_SPEC "+refs/heads/ruta/*:refs/hub/ruta/*"

static int git_fail(const char *doing)
{
	const git_error *e = git_error_last();
	return ruta_error__set(RUTA_ERROR, "%s: %s", doing, e && e->message ? e->message : "git error");
}

/* Network failures are "try later", not errors in the replica. */
static int net_fail(const char *url, int rc)
{
	const git_error *e = git_error_last();
	int klass = e ? e->klass : 0;
	const char *msg = e && e->message ? e->message : "no answer";
	if (rc == GIT_EAUTH)
		return ruta_error__set(RUTA_ERROR, "hub '%s' refused the credentials (the ssh key "
			"from ssh-agent or RUTA_SSH_KEY, or RUTA_HUB_USER and RUTA_HUB_PASSWORD)", url);
	/* a hub path that is not there: a drive not plugged in, try later */
	if (!strstr(url, "://") && !strchr(url, '@') && url[0] == '/' && access(url, F_OK) < 0)
		return ruta_error__set(RUTA_EUNREACHABLE, "hub '%s' is not there (is the drive or "
			"share mounted?); the work stays here, safe: try again later", url);
	/* a typo is not a network problem: say so rather than "try later" */
	if (strstr(msg, "unsupported URL protocol") || strstr(msg, "malformed URL"))
		return ruta_error__set(RUTA_EINVALID, "hub '%s' is not a URL git understands "
			"(a path, file://, git://, ssh:// or https://)", url);
	if (klass == GIT_ERROR_NET || klass == GIT_ERROR_SSH || klass == GIT_ERROR_HTTP ||
			klass == GIT_ERROR_OS || klass == GIT_ERROR_SSL)
		return ruta_error__set(RUTA_EUNREACHABLE, "hub '%s' cannot be reached: %s; the work "
			"stays here, safe: try again later", url, msg);
	return ruta_error__set(RUTA_ERROR, "hub '%s': %s", url, e && e->message ? e->message :
		"git error");
}

static int drop_lock(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);
	(void)st;
	(void)ftw;
	if (type == FTW_F && n > 5 && strcmp(path + n - 5, ".lock") == 0)
		unlink(path);
	return 0;
}

/* Called with the replica's sync lock held: no other ruta is using the
 * repository, so any git lock file left there is from a killed sync and
 * would block every sync after it. */
static void clear_stale_locks(const char *gitdir)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/refs", gitdir);
	nftw(path, drop_lock, 16, FTW_PHYS);
	snprintf(path, sizeof(path), "%s/packed-refs.lock", gitdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/config.lock", gitdir);
	unlink(path);
}

int ruta_git__open(ruta_git **out, const char *replica_dir, ruta_git_progress_cb progress,
	void *payload)
{
	ruta_git *g = calloc(1, sizeof(*g));
	git_config *cfg = NULL;
	char path[4200];
	int rc;

	*out = NULL;
	if (!g)
		return ruta_error__oom();
	git_libgit2_init();
	snprintf(path, sizeof(path), "%s/git", replica_dir);
	clear_stale_locks(path);
	if (git_repository_open_bare(&g->repo, path) < 0) {
		if ((rc = git_repository_init(&g->repo, path, 1)) < 0) {
			free(g);
			git_libgit2_shutdown();
			return git_fail("creating the replica's git repository");
		}
	}
	/* libgit2 reads this as the big-file threshold: no delta search, which
	 * is what makes its packs cheap to build (reference/libgit2-performance). */
	if (git_repository_config(&cfg, g->repo) == 0) {
		git_config_set_int32(cfg, "pack.deltaCacheSize", 1);
		git_config_free(cfg);
	}
	g->progress = progress;
	g->payload = payload;
	*out = g;
	return 0;
}

void ruta_git__free(ruta_git *g)
{
	if (!g)
		return;
	git_repository_free(g->repo);
	free(g->push_refused);
	free(g);
	git_libgit2_shutdown();
}

int ruta_git__ref(char out[41], ruta_git *g, const char *ref)
{
	git_oid oid;
	out[0] = '\0';
	if (git_reference_name_to_id(&oid, g->repo, ref) == 0)
		git_oid_tostr(out, 41, &oid);
	return 0;
}

int ruta_git__ref_set(ruta_git *g, const char *ref, const char *commit)
{
	git_reference *out = NULL;
	git_oid oid;
	if (git_oid_fromstr(&oid, commit) < 0 ||
			git_reference_create(&out, g->repo, ref, &oid, 1, "ruta push") < 0)
		return git_fail("recording what the hub has");
	git_reference_free(out);
	return 0;
}

/* ---- writing a commit ------------------------------------------------------- */

/* The tree of one commit: files under at most two directory levels
 * ("changesets/<replica>/<name>"), built bottom-up. */
static int insert_path(git_treebuilder *root, git_repository *repo, const char *path,
	const git_oid *blob)
{
	const char *slash = strchr(path, '/');
	const git_tree_entry *e;
	git_treebuilder *sub = NULL;
	git_tree *existing = NULL;
	git_oid sub_oid;
	char dir[256];
	int rc;

	if (!slash)
		return git_treebuilder_insert(NULL, root, path, blob, GIT_FILEMODE_BLOB);
	if ((size_t)(slash - path) >= sizeof(dir))
		return -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	e = git_treebuilder_get(root, dir);
	if (e && git_tree_lookup(&existing, repo, git_tree_entry_id(e)) < 0)
		return -1;
	if ((rc = git_treebuilder_new(&sub, repo, existing)) == 0 &&
			(rc = insert_path(sub, repo, slash + 1, blob)) == 0 &&
			(rc = git_treebuilder_write(&sub_oid, sub)) == 0)
		rc = git_treebuilder_insert(NULL, root, dir, &sub_oid, GIT_FILEMODE_TREE);
	git_treebuilder_free(sub);
	git_tree_free(existing);
	return rc;
}

static int build_tree(git_oid *out, ruta_git *g, const ruta_git_file *files, size_t n)
{
	git_treebuilder *tb = NULL;
	size_t i;
	int rc;

	if ((rc = git_treebuilder_new(&tb, g->repo, NULL)) < 0)
		return git_fail("building a commit");
	for (i = 0; i < n && rc == 0; i++) {
		git_oid blob;
		if ((rc = git_blob_create_from_buffer(&blob, g->repo, files[i].data, files[i].len)) == 0)
			rc = insert_path(tb, g->repo, files[i].path, &blob);
	}
	if (rc == 0)
		rc = git_treebuilder_write(out, tb);
	git_treebuilder_free(tb);
	return rc < 0 ? git_fail("building a commit") : 0;
}

int ruta_git__commit(ruta_git *g, const char *branch, const ruta_git_file *files, size_t n,
	const char *message, const char *who, ruta_git_sign_cb sign, void *payload)
{
	git_buf buf = GIT_BUF_INIT;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_oid, parent_oid, commit_oid;
	git_reference *ref = NULL;
	char refname[300], email[200], *armored = NULL;
	git_time_t when = (git_time_t)time(NULL);
	int err = 0;

	snprintf(refname, sizeof(refname), "refs/heads/%s", branch);
	snprintf(email, sizeof(email), "%s@ruta", who);
	if (git_reference_name_to_id(&parent_oid, g->repo, refname) == 0) {
		if (git_commit_lookup(&parent, g->repo, &parent_oid) < 0)
			return git_fail("reading the branch tip");
		/* strictly increasing: equal times make every walk go to the root */
		if (when <= git_commit_time(parent))
			when = git_commit_time(parent) + 1;
	}
	if ((err = build_tree(&tree_oid, g, files, n)) < 0)
		goto done;
	if (git_tree_lookup(&tree, g->repo, &tree_oid) < 0 ||
			git_signature_new(&sig, who, email, when, 0) < 0 ||
			git_commit_create_buffer(&buf, g->repo, sig, sig, NULL, message, tree,
				parent ? 1 : 0, (const git_commit **)&parent) < 0) {
		err = git_fail("building a commit");
		goto done;
	}
	if ((err = sign(&armored, buf.ptr, buf.size, payload)) < 0)
		goto done;
	/* libgit2 adds its own line end: a trailing one would leave an empty line */
	if (armored[0] && armored[strlen(armored) - 1] == '\n')
		armored[strlen(armored) - 1] = '\0';
	if (git_commit_create_with_signature(&commit_oid, g->repo, buf.ptr, armored, "gpgsig") < 0 ||
			git_reference_create(&ref, g->repo, refname, &commit_oid, 1, message) < 0)
		err = git_fail("writing the commit");
done:
	free(armored);
	git_reference_free(ref);
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(parent);
	git_buf_dispose(&buf);
	return err;
}

/* ruta's trees are two levels deep; a hostile one may be far deeper. */
#define MAX_TREE_DEPTH 4

static int tree_files(git_repository *repo, git_tree *tree, const char *prefix, const char *commit,
	int with_data, ruta_git_file_cb cb, void *payload)
{
	size_t i, n = git_tree_entrycount(tree), depth = 0;
	const char *c;
	int err = 0;
	for (c = prefix; *c; c++)
		depth += *c == '/';
	if (*prefix && depth + 1 > MAX_TREE_DEPTH)
		return 0;
	for (i = 0; i < n && err == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		char path[600];
		if (strlen(prefix) + strlen(git_tree_entry_name(e)) + 2 > sizeof(path))
			continue;   /* no ruta file has such a path */
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "", git_tree_entry_name(e));
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;
			if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0)
				return git_fail("reading a commit");
			err = tree_files(repo, sub, path, commit, with_data, cb, payload);
			git_tree_free(sub);
		} else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			git_blob *blob = NULL;
			if (!with_data) {
				err = cb(commit, path, NULL, 0, payload);
				continue;
			}
			if (git_blob_lookup(&blob, repo, git_tree_entry_id(e)) < 0)
				return git_fail("reading a commit");
			err = cb(commit, path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
				payload);
			git_blob_free(blob);
		}
	}
	return err;
}

int ruta_git__tip_names(ruta_git *g, const char *branch, const char *dir, ruta_git_file_cb cb,
	void *payload)
{
	git_commit *c = NULL;
	git_tree *tree = NULL, *sub = NULL;
	git_tree_entry *e = NULL;
	git_oid oid;
	char refname[300];
	int err = 0;

	snprintf(refname, sizeof(refname), "refs/heads/%s", branch);
	if (git_reference_name_to_id(&oid, g->repo, refname) < 0)
		return 0;
	if (git_commit_lookup(&c, g->repo, &oid) < 0 || git_commit_tree(&tree, c) < 0) {
		git_commit_free(c);
		return git_fail("reading the branch tip");
	}
	if (git_tree_entry_bypath(&e, tree, dir) == 0 && git_tree_lookup(&sub, g->repo,
			git_tree_entry_id(e)) == 0)
		err = tree_files(g->repo, sub, "", "", 0, cb, payload);
	git_tree_free(sub);
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return err;
}

/* ---- talking to the hub ------------------------------------------------------ */

static int credentials(git_credential **out, const char *url, const char *user,
	unsigned int allowed, void *payload)
{
	ruta_git *g = payload;
	const char *key = getenv("RUTA_SSH_KEY");
	(void)url;
	/* one try: a refused credential must end the attempt, not loop */
	if (g->cred_tries++ > 0)
		return GIT_EAUTH;
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		if (key)
			return git_credential_ssh_key_new(out, user ? user : "git", NULL, key,
				getenv("RUTA_SSH_KEY_PASSPHRASE"));
		return git_credential_ssh_key_from_agent(out, user ? user : "git");
	}
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && getenv("RUTA_HUB_USER") &&
			getenv("RUTA_HUB_PASSWORD"))
		return git_credential_userpass_plaintext_new(out, getenv("RUTA_HUB_USER"),
			getenv("RUTA_HUB_PASSWORD"));
	return GIT_PASSTHROUGH;
}

static int fetch_progress(const git_indexer_progress *s, void *payload)
{
	ruta_git *g = payload;
	if (g->progress)
		g->progress("receiving", s->received_objects, s->total_objects, g->payload);
	return 0;
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	ruta_git *g = payload;
	(void)bytes;
	if (g->progress)
		g->progress("sending", current, total, g->payload);
	return 0;
}

static int push_status(const char *refname, const char *status, void *payload)
{
	ruta_git *g = payload;
	if (status && !g->push_refused) {
		ruta_buf b = RUTA_BUF_INIT;
		ruta_buf__printf(&b, "%s: %s", refname, status);
		g->push_refused = ruta_buf__detach(&b);
	}
	return 0;
}

static void set_callbacks(git_remote_callbacks *cb, ruta_git *g)
{
	cb->credentials = credentials;
	cb->transfer_progress = fetch_progress;
	cb->push_transfer_progress = push_progress;
	cb->push_update_reference = push_status;
	cb->payload = g;
}

/* A hub reached by path is written by each pusher directly; a push killed
 * half-way leaves the lock of its own branch there. Only this replica
 * writes that branch, and it holds its sync lock, so the lock is stale. */
static void clear_own_hub_locks(const char *url, const char *const *branches, size_t n)
{
	const char *path = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
	char lock[4300];
	size_t i;
	if (strstr(path, "://") || strchr(path, '@'))
		return;   /* a server keeps its own locks */
	for (i = 0; i < n; i++) {
		snprintf(lock, sizeof(lock), "%s/refs/heads/%s.lock", path, branches[i]);
		unlink(lock);
	}
}

int ruta_git__push(ruta_git *g, const char *url, const char *const *branches, size_t n)
{
	git_push_options opts;
	git_remote *remote = NULL;
	char **specs = calloc(n ? n : 1, sizeof(char *));
	git_strarray refs = { specs, 0 };
	size_t i;
	int rc, err = 0;

	if (!specs)
		return ruta_error__oom();
	for (i = 0; i < n; i++) {
		ruta_buf b = RUTA_BUF_INIT;
		char tip[41];
		char ref[300];
		snprintf(ref, sizeof(ref), "refs/heads/%s", branches[i]);
		ruta_git__ref(tip, g, ref);
		if (!tip[0])
			continue;   /* nothing committed on it yet */
		/* no '+': the hub keeps a branch only ever moving forward */
		ruta_buf__printf(&b, "%s:%s", ref, ref);
		if (!(specs[refs.count++] = ruta_buf__detach(&b)))
			err = ruta_error__oom();
	}
	if (err == 0 && refs.count) {
		clear_own_hub_locks(url, branches, n);
		git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
		set_callbacks(&opts.callbacks, g);
		g->cred_tries = 0;
		if ((rc = git_remote_create_anonymous(&remote, g->repo, url)) < 0)
			err = ruta_error__set(RUTA_EINVALID, "hub '%s' is not a git URL or path: %s", url,
				git_error_last() ? git_error_last()->message : "");
		else if ((rc = git_remote_push(remote, &refs, &opts)) < 0)
			err = net_fail(url, rc);
		else if (g->push_refused)
			err = ruta_error__set(RUTA_ERROR, "hub '%s' refused the push (%s); nothing is lost: "
				"the changesets stay here and go with the next sync", url, g->push_refused);
	}
	for (i = 0; i < refs.count; i++)
		free(specs[i]);
	free(specs);
	git_remote_free(remote);
	return err;
}

int ruta_git__fetch(ruta_git *g, const char *url)
{
	git_fetch_options opts;
	git_remote *remote = NULL;
	char *spec = FETCH_SPEC;
	git_strarray refs = { &spec, 1 };
	int rc, err = 0;

	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	set_callbacks(&opts.callbacks, g);
	opts.prune = GIT_FETCH_PRUNE;   /* a branch gone from the hub is gone here too */
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	g->cred_tries = 0;
	if ((rc = git_remote_create_anonymous(&remote, g->repo, url)) < 0)
		err = ruta_error__set(RUTA_EINVALID, "hub '%s' is not a git URL or path: %s", url,
			git_error_last() ? git_error_last()->message : "");
	else if ((rc = git_remote_fetch(remote, &refs, &opts, "ruta pull")) < 0)
		err = net_fail(url, rc);
	git_remote_free(remote);
	return err;
}

int ruta_git__fetched(ruta_git *g, ruta_git_file_cb cb, void *payload)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int err = 0;

	if (git_reference_iterator_glob_new(&it, g->repo, "refs/hub/ruta/*") < 0)
		return git_fail("listing hub branches");
	while (err == 0 && git_reference_next(&ref, it) == 0) {
		char tip[41];
		const git_oid *oid = git_reference_target(ref);
		if (oid) {
			git_oid_tostr(tip, sizeof(tip), oid);
			err = cb(tip, git_reference_name(ref) + strlen("refs/hub/"), NULL, 0, payload);
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return err;
}

int ruta_git__descends(ruta_git *g, const char *newer, const char *older)
{
	git_oid a, b;
	if (git_oid_fromstr(&a, newer) < 0 || git_oid_fromstr(&b, older) < 0)
		return 0;
	if (git_oid_equal(&a, &b))
		return 1;
	return git_graph_descendant_of(g->repo, &a, &b) == 1;
}

int ruta_git__walk(ruta_git *g, const char *tip, const char *since, ruta_git_file_cb cb,
	void *payload)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int err = 0, rc = GIT_ITEROVER;

	if (git_revwalk_new(&walk, g->repo) < 0 || git_oid_fromstr(&oid, tip) < 0 ||
			git_revwalk_push(walk, &oid) < 0)
		err = git_fail("walking a hub branch");
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (err == 0 && since && *since && (git_oid_fromstr(&oid, since) < 0 ||
			git_revwalk_hide(walk, &oid) < 0))
		err = git_fail("walking a hub branch");
	while (err == 0 && (rc = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		git_tree *tree = NULL;
		char id[41];
		git_oid_tostr(id, sizeof(id), &oid);
		if (git_commit_lookup(&c, g->repo, &oid) < 0 || git_commit_tree(&tree, c) < 0)
			err = git_fail("reading a hub commit");
		else
			err = tree_files(g->repo, tree, "", id, 1, cb, payload);
		git_tree_free(tree);
		git_commit_free(c);
	}
	/* an error is not the end of the walk: the caller must not move past it */
	if (err == 0 && rc != GIT_ITEROVER)
		err = git_fail("walking a hub branch");
	git_revwalk_free(walk);
	return err;
}
