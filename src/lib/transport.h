/* transport.h - the hub: a git repository reached through libgit2 (transport.c is its only caller). */
#ifndef RUTA_TRANSPORT_H
#define RUTA_TRANSPORT_H

#include <stddef.h>

#include "internal.h"

typedef struct ruta_git ruta_git;

typedef struct ruta_git_file {
	const char *path;   /* in the commit's tree, e.g. "changesets/north-x/00000001.json" */
	const char *data;
	size_t len;
} ruta_git_file;

/* Signs a commit buffer: an armored SSHSIG (namespace "git"), new. */
typedef int (*ruta_git_sign_cb)(char **armored, const char *buf, size_t len, void *payload);
/* Told each file of each new commit, oldest commit first. */
typedef int (*ruta_git_file_cb)(const char *commit, const char *path, const char *data,
	size_t len, void *payload);
/* Told how a transfer goes: objects so far. Non-zero cancels the transfer,
 * which then fails with RUTA_ECANCELED. */
typedef int (*ruta_git_progress_cb)(const char *what, size_t done, size_t total, void *payload);

/* The replica's own repository (DIR/git, bare), made on first use. Call it
 * only while holding the replica's sync lock: it clears lock files a killed
 * sync left behind. */
int ruta_git__open(ruta_git **out, const char *replica_dir, ruta_git_progress_cb progress,
	void *payload);
void ruta_git__free(ruta_git *g);
/* How long (seconds; 0: RUTA_TIMEOUT_DEFAULT) the hub may take to accept a
 * connection, and then each time to send or take the next bytes, in this
 * handle's pushes and fetches; longer is RUTA_EUNREACHABLE, "timed out". */
void ruta_git__timeout(ruta_git *g, int seconds);
/* The app's callback for the hub's login, asked before anything else
 * (ruta_sync_options.credentials); NULL: none. */
void ruta_git__credentials(ruta_git *g, ruta_credential_cb cb, void *payload);

/* One signed commit with `files` on refs/heads/<branch>, on top of its tip;
 * the commit time is max(now, parent + 1 s), strictly increasing. */
int ruta_git__commit(ruta_git *g, const char *branch, const ruta_git_file *files, size_t n,
	const char *message, const char *who, ruta_git_sign_cb sign, void *payload);
/* The next file of a commit into *f, borrowed until the next call: 1, or 0
 * at the end, or a RUTA_E* code (with its message) to give up. */
typedef int (*ruta_git_next_cb)(ruta_git_file *f, void *payload);
/* The same, its files given one at a time: each is written to the object
 * database as it comes, so a commit of any size costs one file's memory. */
int ruta_git__commit_each(ruta_git *g, const char *branch, ruta_git_next_cb next,
	void *files, const char *message, const char *who, ruta_git_sign_cb sign, void *payload);
/* Hex id of a local ref's commit into out (41 bytes), "" if none. */
int ruta_git__ref(char out[41], ruta_git *g, const char *ref);
/* Points a local ref at a commit (hex id). */
int ruta_git__ref_set(ruta_git *g, const char *ref, const char *commit);
/* Names in the tip commit's tree under `dir`, given one by one to cb (data NULL). */
int ruta_git__tip_names(ruta_git *g, const char *branch, const char *dir, ruta_git_file_cb cb,
	void *payload);

/* Files in the tip commit of `refname` (a full ref) under `dir`, with their
 * bytes if `with_data`; cb's commit is the tip's id. None if no such ref. */
int ruta_git__tip_files(ruta_git *g, const char *refname, const char *dir, int with_data,
	ruta_git_file_cb cb, void *payload);

/* Pushes local branches to the same names on the hub, fast-forward only.
 * RUTA_EUNREACHABLE when the hub cannot be reached; RUTA_ERROR, naming the
 * branch, when the hub refuses an update. */
int ruta_git__push(ruta_git *g, const char *url, const char *const *branches, size_t n);
/* Fetches every hub branch under refs/heads/ruta/ into refs/hub/ruta/. */
int ruta_git__fetch(ruta_git *g, const char *url);
/* Fetched hub branches: cb(commit = tip id, path = branch name, data NULL). */
int ruta_git__fetched(ruta_git *g, ruta_git_file_cb cb, void *payload);
/* 1 if commit `newer` is `older` or descends from it, 0 if not. */
int ruta_git__descends(ruta_git *g, const char *newer, const char *older);
/* What a file callback is given: names only (data NULL), the bytes, or the
 * blob's id (data: 40 hex digits) and size, to read with ruta_git__blob. */
enum { RUTA_GIT_NAMES, RUTA_GIT_DATA, RUTA_GIT_IDS };

/* Every file of every commit from `tip` back to, not including, `since`
 * (NULL: to the root), oldest commit first; `with`: one of the above. */
int ruta_git__walk(ruta_git *g, const char *tip, const char *since, int with,
	ruta_git_file_cb cb, void *payload);
/* The bytes of blob `id` (hex), new, NUL after them. */
int ruta_git__blob(char **data, size_t *len, ruta_git *g, const char *id);

/* ---- reading a hub in place, for an audit ---- */

/* One commit as an auditor sees it; everything borrowed for the callback. */
typedef struct ruta_git_commit {
	const char *id;              /* 40 hex digits */
	size_t parents;
	const char *signature;       /* the armored gpgsig header, or NULL if unsigned */
	size_t signature_len;
	const char *signed_data;     /* the commit object without that header */
	size_t signed_len;
	const ruta_git_file *files;  /* every file of its tree, in tree order */
	size_t nfiles;
} ruta_git_commit;
typedef int (*ruta_git_commit_cb)(const ruta_git_commit *c, void *payload);

/* Opens an existing bare repository by path or file:// URL, to read only;
 * RUTA_EINVALID for any other URL, RUTA_EUNREACHABLE if it is not there. */
int ruta_git__open_path(ruta_git **out, const char *url);
/* Every ref under <ns>ruta/ (ns "refs/heads/" for a hub read in place,
 * "refs/audit/" for one fetched by ruta_git__fetch_audit): cb(commit = tip,
 * path = branch name without ns, data NULL). */
int ruta_git__branches(ruta_git *g, const char *ns, ruta_git_file_cb cb, void *payload);
/* Fetches every hub branch under refs/heads/ruta/ into refs/audit/ruta/,
 * forced and pruned: the hub as it is now. */
int ruta_git__fetch_audit(ruta_git *g, const char *url);
/* The commits from the root to `tip` along first parents, oldest first. */
int ruta_git__history(ruta_git *g, const char *tip, ruta_git_commit_cb cb, void *payload);

#endif
