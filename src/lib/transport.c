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
 * database; there is no working tree. Every plain socket libgit2 opens is
 * ruta's own stream, which gives up on a silent hub after a timeout.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "credential.h"
#include "transport.h"

/* Where a hub went silent, for the message (net_stream notes it). */
enum stalled { STALLED_NOT, STALLED_CONNECTING, STALLED_READING, STALLED_WRITING };

/* What the credentials callback offered the hub, for the message if refused. */
enum offered { OFFERED_NOTHING, OFFERED_KEY_FILE, OFFERED_AGENT, OFFERED_PASSWORD,
	OFFERED_HELPER, OFFERED_NO_PASSWORD, OFFERED_APP_PASSWORD, OFFERED_APP_KEY };

struct ruta_git {
	git_repository *repo;
	ruta_git_progress_cb progress;
	void *payload;
	/* one push or fetch: */
	const char *url;      /* borrowed for the call */
	int cred_tries;
	enum offered offered;
	char user[256];       /* the user the hub was asked to log in */
	ruta_cred cred;       /* what git's credential helpers gave, until the hub answers */
	int failed;           /* a RUTA_E* code a callback set, with its message */
	char *push_refused;   /* the first refusal the hub sent back */
	int timeout;          /* seconds the hub may keep us waiting */
	enum stalled stalled; /* where it timed out, if it did */
	int waited;           /* and after how many seconds: the stream's own */
	ruta_credential_cb app_cred;   /* the app's login callback, asked first */
	void *app_payload;
	char key_file[4096];  /* the key file the app named, for messages */
};

#define FETCH_SPEC "+refs/heads/ruta/*:refs/hub/ruta/*"
/* An audit's own copy: forced, so that a rewrite is seen as it is, and apart
 * from refs/hub/, which judges what a pull takes in. */
#define AUDIT_SPEC "+refs/heads/ruta/*:refs/audit/ruta/*"

static int git_fail(const char *doing)
{
	const git_error *e = git_error_last();
	return ruta_error__set(RUTA_ERROR, "%s: %s", doing, e && e->message ? e->message : "git error");
}

/* git_fail naming the commit: "reading hub commit 1a2b3c4d5e6f". */
static int git_fail_at(const char *doing, const char *id)
{
	char what[120];
	snprintf(what, sizeof(what), "%s %.12s", doing, id);
	return git_fail(what);
}

/* The hub turned down what the credentials callback offered. */
static int refused(const ruta_git *g, const char *url)
{
	const char *key = getenv("RUTA_SSH_KEY");
	switch (g->offered) {
	case OFFERED_KEY_FILE:
		return ruta_error__set(RUTA_ERROR, "hub '%s' refused the ssh key '%s' (RUTA_SSH_KEY) "
			"for user '%s': add its public key to the hub's authorized keys, or name the key "
			"that is there", url, key ? key : "", g->user);
	case OFFERED_AGENT:
		return ruta_error__set(RUTA_ERROR, "hub '%s' accepts no key that ssh-agent holds for "
			"user '%s': ssh-add the key the hub knows, or name it in RUTA_SSH_KEY", url, g->user);
	case OFFERED_PASSWORD:
		return ruta_error__set(RUTA_ERROR, "hub '%s' refused the user and password in "
			"RUTA_HUB_USER and RUTA_HUB_PASSWORD", url);
	case OFFERED_NO_PASSWORD:
		return ruta_error__set(RUTA_ERROR, "hub '%s' asks for a user and password, and there "
			"is none: set RUTA_HUB_USER and RUTA_HUB_PASSWORD, keep them with a git credential "
			"helper (git config --global credential.helper store, then one git fetch of the "
			"hub), or sync on a terminal to be asked", url);
	case OFFERED_APP_PASSWORD:
		return ruta_error__set(RUTA_ERROR, "hub '%s' refused the user '%s' and password the "
			"app gave (its credentials callback)", url, g->user);
	case OFFERED_APP_KEY:
		return ruta_error__set(RUTA_ERROR, "hub '%s' refused the ssh key '%s' the app gave "
			"(its credentials callback) for user '%s': add its public key to the hub's "
			"authorized keys", url, g->key_file, g->user);
	case OFFERED_HELPER:
		return ruta_error__set(RUTA_ERROR, "hub '%s' refused the password git's credential "
			"helper gave for user '%s'; git was told to forget it (git credential reject): "
			"the next sync asks again", url, g->user);
	default:
		return ruta_error__set(RUTA_ERROR, "hub '%s' refused the credentials (the ssh key "
			"from ssh-agent or RUTA_SSH_KEY, or RUTA_HUB_USER and RUTA_HUB_PASSWORD, or "
			"git's credential helpers)", url);
	}
}

/* libssh2 could not use the key (a wrong passphrase, not a key file, no
 * agent): a problem here, not on the network, so not "try later". */
static int key_unusable(const ruta_git *g, const char *url, const char *msg)
{
	const char *key = getenv("RUTA_SSH_KEY"), *colon = strstr(msg, ": ");
	const char *why = colon ? colon + 2 : msg;
	if (g->offered == OFFERED_KEY_FILE)
		return ruta_error__set(RUTA_ERROR, "the ssh key '%s' (RUTA_SSH_KEY) cannot be used for "
			"hub '%s': %s; a key with a passphrase needs it in RUTA_SSH_KEY_PASSPHRASE",
			key ? key : "", url, why);
	if (g->offered == OFFERED_APP_KEY)
		return ruta_error__set(RUTA_ERROR, "the ssh key '%s' the app gave cannot be used for "
			"hub '%s': %s; a key with a passphrase needs it in the credential's secret",
			g->key_file, url, why);
	return ruta_error__set(RUTA_ERROR, "ssh-agent cannot be used for hub '%s': %s; start one "
		"and ssh-add the key, or name the key file in RUTA_SSH_KEY", url, why);
}

/* The hub took longer than the timeout to accept, answer or take. */
static int timed_out(const ruta_git *g, const char *url)
{
	static const char *const doing[] = { "", "connecting", "waiting for it to answer",
		"sending to it" };
	return ruta_error__set(RUTA_EUNREACHABLE, "hub '%s' timed out after %d s while %s; the "
		"work stays here, safe: try again later", url, g->waited, doing[g->stalled]);
}

/* Network failures are "try later", not errors in the replica. */
static int net_fail(const ruta_git *g, const char *url, int rc)
{
	const git_error *e = git_error_last();
	int klass = e ? e->klass : 0;
	const char *msg = e && e->message ? e->message : "no answer";
	if (g->failed)
		return g->failed;   /* a callback said why, more precisely than libgit2 can */
	/* before libgit2's message: TLS puts its own over the stream's */
	if (g->stalled)
		return timed_out(g, url);
	if (rc == GIT_EAUTH)
		return refused(g, url);
	if (klass == GIT_ERROR_SSH && (strncmp(msg, "Failed to authenticate", 22) == 0 ||
			strncmp(msg, "error authenticating", 20) == 0))
		return key_unusable(g, url, msg);
	/* libgit2 reads ~/.ssh/known_hosts itself, and gives up on a line that
	 * libssh2 cannot parse, before ruta's own check can run */
	if (klass == GIT_ERROR_SSH && strstr(msg, "known_hosts"))
		return ruta_error__set(RUTA_ERROR, "hub '%s': %s/.ssh/known_hosts has a line libssh2 "
			"cannot read (%s): fix or delete it", url, getenv("HOME") ? getenv("HOME") : "~",
			msg);
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

/* ---- a socket stream with timeouts ----------------------------------------------- */

/*
 * libgit2 1.5 has no connect or read timeout (GIT_OPT_SET_SERVER_TIMEOUT came
 * in 1.7): a hub that accepts and then says nothing holds a sync for ever.
 * So ruta registers its own GIT_STREAM_STANDARD stream, once per process.
 * libgit2 makes every plain socket through it: git:// and http:// talk over
 * it, its mbedTLS stream wraps it for https://, and its ssh transport
 * connects with it before libssh2 takes the socket over. The stream connects
 * without blocking and waits with poll(), trying each address the name
 * resolves to, and waits at most the timeout before each read and write.
 *
 * The timeout is the calling thread's: libgit2 runs a transfer on the thread
 * that asked for it, and net_owner names the ruta_git whose push or fetch
 * runs there, only for that call. A stream made outside one (an app's own
 * libgit2 work in the same process) waits as long as libgit2's own would.
 */

/* Its first four fields are libgit2 1.5's git_socket_stream
 * (src/libgit2/streams/socket.h), in that order: the ssh transport takes
 * the socket from `s` of whatever standard stream it was given. */
typedef struct net_stream {
	git_stream parent;
	char *host;
	char *port;
	int s;
	int timeout_ms;   /* -1: none */
} net_stream;

static _Thread_local ruta_git *net_owner;

/* Milliseconds left of `ms` since `start`, or -1 (wait for ever) if ms < 0. */
static int ms_left(const struct timespec *start, int ms)
{
	struct timespec now;
	long long spent;
	if (ms < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	spent = (now.tv_sec - start->tv_sec) * 1000LL + (now.tv_nsec - start->tv_nsec) / 1000000;
	return spent >= ms ? 0 : (int)(ms - spent);
}

/* 1 when fd is ready for `events` (or has failed: the next call says how),
 * 0 when `ms` passed first, -1 on error. A signal does not cut the wait. */
static int wait_fd(int fd, short events, int ms)
{
	struct timespec start;
	int rc;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		struct pollfd p = { fd, events, 0 };
		rc = poll(&p, 1, ms_left(&start, ms));
	} while (rc < 0 && errno == EINTR);
	return rc;
}

/* Sets libgit2's error, and tells the thread's caller where the hub stalled. */
static int stalled(const net_stream *st, enum stalled where)
{
	if (net_owner) {
		net_owner->stalled = where;
		net_owner->waited = st->timeout_ms / 1000;
	}
	git_error_set(GIT_ERROR_NET, "%s:%s timed out after %d ms", st->host, st->port,
		st->timeout_ms);
	return -1;
}

/* One address: the socket, connected, blocking again as libgit2's own is
 * (libssh2 may take it over), or -1 with errno, and *waited_out set when
 * `ms` passed (not when the system gave up by itself). */
static int connect_one(const struct addrinfo *a, int ms, int *waited_out)
{
	int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
	int flags = fd < 0 ? -1 : fcntl(fd, F_GETFL), err = 0, saved;
	socklen_t len = sizeof(err);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		goto fail;
	if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
		int rc;
		if (errno != EINPROGRESS || (rc = wait_fd(fd, POLLOUT, ms)) < 0)
			goto fail;
		if (rc == 0) {
			*waited_out = 1;
			err = ETIMEDOUT;
		} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
			goto fail;
		}
		if (err) {
			errno = err;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, flags) == 0)
		return fd;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

static int stream_connect(git_stream *stream)
{
	net_stream *st = (net_stream *)stream;
	struct addrinfo hints, *list = NULL, *a;
	int rc, waited_out = 0, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(st->host, st->port, &hints, &list)) != 0) {
		git_error_set(GIT_ERROR_NET, "failed to resolve address for %s: %s", st->host,
			gai_strerror(rc));
		return -1;
	}
	for (a = list; a && st->s < 0; a = a->ai_next) {
		if ((st->s = connect_one(a, st->timeout_ms, &waited_out)) < 0)
			err = errno;
	}
	freeaddrinfo(list);
	if (st->s >= 0)
		return 0;
	if (waited_out)
		return stalled(st, STALLED_CONNECTING);
	git_error_set(GIT_ERROR_NET, "failed to connect to %s: %s", st->host, strerror(err));
	return -1;
}

/* One read (into `in`) or write (from `out`) of what the socket takes now
 * (MSG_DONTWAIT), once it is ready, so that a hub that stops mid-way cannot
 * block it past the wait; libgit2's callers loop until a whole buffer is
 * through. A hub that hung up is an error here, never a SIGPIPE in the app. */
static ssize_t stream_io(net_stream *st, void *in, const void *out, size_t len, int flags)
{
	for (;;) {
		int rc = wait_fd(st->s, in ? POLLIN : POLLOUT, st->timeout_ms);
		ssize_t n = rc <= 0 ? -1 : in ? recv(st->s, in, len, MSG_DONTWAIT) :
			send(st->s, out, len, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
		if (rc == 0)
			return stalled(st, in ? STALLED_READING : STALLED_WRITING);
		if (n >= 0)
			return n;
		if (rc < 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
			git_error_set(GIT_ERROR_NET, "error %s %s: %s", in ? "receiving data from" :
				"sending data to", st->host, strerror(errno));
			return -1;
		}
	}
}

static ssize_t stream_read(git_stream *stream, void *data, size_t len)
{
	return stream_io((net_stream *)stream, data, NULL, len, 0);
}

static ssize_t stream_write(git_stream *stream, const char *data, size_t len, int flags)
{
	return stream_io((net_stream *)stream, NULL, data, len, flags);
}

static int stream_close(git_stream *stream)
{
	net_stream *st = (net_stream *)stream;
	int rc = st->s >= 0 ? close(st->s) : 0;
	st->s = -1;
	return rc;
}

static void stream_free(git_stream *stream)
{
	net_stream *st = (net_stream *)stream;
	free(st->host);
	free(st->port);
	free(st);
}

/* libgit2's constructor for every plain socket; the timeout is fixed now. */
static int stream_new(git_stream **out, const char *host, const char *port)
{
	net_stream *st = calloc(1, sizeof(*st));
	if (!st || !host || !port || !(st->host = strdup(host)) || !(st->port = strdup(port))) {
		if (st)
			stream_free(&st->parent);
		git_error_set_oom();
		return -1;
	}
	st->parent.version = GIT_STREAM_VERSION;
	st->parent.connect = stream_connect;
	st->parent.read = stream_read;
	st->parent.write = stream_write;
	st->parent.close = stream_close;
	st->parent.free = stream_free;
	st->s = -1;
	st->timeout_ms = net_owner ? net_owner->timeout * 1000 : -1;
	*out = &st->parent;
	return 0;
}

/* libgit2 keeps a registration through git_libgit2_shutdown (the registry's
 * table is static; only its lock is remade), so once per process holds. */
static pthread_once_t stream_once = PTHREAD_ONCE_INIT;
static int stream_registered;

static void register_stream(void)
{
	git_stream_registration reg = { GIT_STREAM_VERSION, stream_new, NULL };
	stream_registered = git_stream_register(GIT_STREAM_STANDARD, &reg);
}

/* Around each libgit2 call that talks to the hub; `prev` restores an outer
 * call's owner, for a callback that syncs another replica. */
static ruta_git *net_begin(ruta_git *g)
{
	ruta_git *prev = net_owner;
	g->stalled = STALLED_NOT;
	net_owner = g;
	return prev;
}

static void net_end(ruta_git *prev)
{
	net_owner = prev;
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
	static const char *const top[] = { "HEAD.lock", "packed-refs.lock", "config.lock",
		"index.lock", "FETCH_HEAD.lock" };
	char path[4300];
	snprintf(path, sizeof(path), "%s/refs", gitdir);
	nftw(path, drop_lock, 16, FTW_PHYS);
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", gitdir, top[i]);
		unlink(path);
	}
}

static int drop_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* The repository is made beside its place and renamed into it, so a sync
 * killed while libgit2 writes HEAD and config leaves no half-made repository
 * that would refuse to open. */
static int create_repo(git_repository **repo, const char *path)
{
	char tmp[4300];
	git_repository *fresh = NULL;

	/* one a sync of an older ruta left half made: libgit2 completes it */
	if (access(path, F_OK) == 0) {
		if (git_repository_init(repo, path, 1) < 0)
			return git_fail("opening the replica's git repository");
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	nftw(tmp, drop_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (git_repository_init(&fresh, tmp, 1) < 0)
		return git_fail("creating the replica's git repository");
	git_repository_free(fresh);
	if (rename(tmp, path) < 0)
		return ruta_error__set(RUTA_ERROR, "creating the replica's git repository %s: %s "
			"(move it aside if it is not ruta's)", path, strerror(errno));
	if (git_repository_open_bare(repo, path) < 0)
		return git_fail("opening the replica's git repository");
	return 0;
}

/*
 * libgit2 1.5 truncates FETCH_HEAD at every fetch, even one told not to
 * write it (update_fetchhead = 0), so a sync with nothing new would still
 * write a file. Nothing of ruta reads FETCH_HEAD: it is made a link to
 * /dev/null, where the truncation lands instead. Done once; a system
 * without links keeps the file as it was.
 */
static void quiet_fetch_head(const char *gitdir)
{
	char path[4300];
	struct stat st;
	snprintf(path, sizeof(path), "%s/FETCH_HEAD", gitdir);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return;
	if (unlink(path) == 0 || errno == ENOENT)
		(void)symlink("/dev/null", path);
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
	if (pthread_once(&stream_once, register_stream) != 0 || stream_registered < 0) {
		rc = git_fail("setting up hub timeouts");
		free(g);
		git_libgit2_shutdown();
		return rc;
	}
	snprintf(path, sizeof(path), "%s/git", replica_dir);
	clear_stale_locks(path);
	if (git_repository_open_bare(&g->repo, path) < 0 &&
			(rc = create_repo(&g->repo, path)) < 0) {
		free(g);
		git_libgit2_shutdown();
		return rc;
	}
	quiet_fetch_head(path);
	/* libgit2 reads this as the big-file threshold: no delta search, which
	 * is what makes its packs cheap to build (reference/libgit2-performance). */
	if (git_repository_config(&cfg, g->repo) == 0) {
		git_config_set_int32(cfg, "pack.deltaCacheSize", 1);
		git_config_free(cfg);
	}
	g->progress = progress;
	g->payload = payload;
	g->timeout = RUTA_TIMEOUT_DEFAULT;
	*out = g;
	return 0;
}

void ruta_git__timeout(ruta_git *g, int seconds)
{
	g->timeout = seconds > 0 ? seconds : RUTA_TIMEOUT_DEFAULT;
}

void ruta_git__credentials(ruta_git *g, ruta_credential_cb cb, void *payload)
{
	g->app_cred = cb;
	g->app_payload = payload;
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

/* The tree of one commit, built as its files come: one tree builder per
 * directory, held open until the end, so each file is one insert and each
 * directory is written once, however many files it holds. */
typedef struct dir_builder {
	char path[256];
	git_treebuilder *tb;
} dir_builder;

typedef struct tree_build {
	git_repository *repo;
	dir_builder *v;
	size_t n, cap;
} tree_build;

/* The builder of directory `dir` ("" is the root), made on first use. */
static git_treebuilder *dir_of(tree_build *t, const char *dir, size_t len)
{
	char path[256];
	const char *slash;
	size_t i;

	if (len >= sizeof(path))
		return NULL;
	for (i = t->n; i-- > 0;)   /* files come grouped: the last one is likely */
		if (strlen(t->v[i].path) == len && memcmp(t->v[i].path, dir, len) == 0)
			return t->v[i].tb;
	memcpy(path, dir, len);   /* a copy: `dir` may be in t->v, which may move */
	path[len] = '\0';
	/* its parent first, so that every directory up to the root is written */
	slash = strrchr(path, '/');
	if (len && !dir_of(t, path, slash ? (size_t)(slash - path) : 0))
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		dir_builder *nv = realloc(t->v, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		t->v = nv;
		t->cap = cap;
	}
	memcpy(t->v[t->n].path, path, len + 1);
	if (git_treebuilder_new(&t->v[t->n].tb, t->repo, NULL) < 0)
		return NULL;
	return t->v[t->n++].tb;
}

static int compare_depth(const void *a, const void *b)
{
	const dir_builder *x = a, *y = b;
	size_t dx = 0, dy = 0;
	const char *c;
	for (c = x->path; *c; c++)
		dx += *c == '/';
	for (c = y->path; *c; c++)
		dy += *c == '/';
	if (!x->path[0] || !y->path[0])
		return !x->path[0] - !y->path[0];   /* the root last */
	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* Deepest directories first, each into its parent, the root last. */
static int write_dirs(git_oid *out, tree_build *t)
{
	size_t i;
	qsort(t->v, t->n, sizeof(*t->v), compare_depth);
	for (i = 0; i < t->n; i++) {
		const char *slash = strrchr(t->v[i].path, '/'), *name;
		git_treebuilder *parent;
		git_oid oid;
		if (git_treebuilder_write(&oid, t->v[i].tb) < 0)
			return -1;
		if (!t->v[i].path[0]) {
			*out = oid;
			return 0;
		}
		name = slash ? slash + 1 : t->v[i].path;
		if (!(parent = dir_of(t, t->v[i].path, slash ? (size_t)(slash - t->v[i].path) : 0)) ||
				git_treebuilder_insert(NULL, parent, name, &oid, GIT_FILEMODE_TREE) < 0)
			return -1;
	}
	return -1;
}

static int build_tree(git_oid *out, ruta_git *g, ruta_git_next_cb next, void *payload)
{
	tree_build t = { g->repo, NULL, 0, 0 };
	ruta_git_file f;
	size_t i;
	int rc = 0, more;

	/* the root first: an empty commit has a tree too */
	if (!dir_of(&t, "", 0))
		rc = -1;
	while (rc == 0 && (more = next(&f, payload)) > 0) {
		const char *slash = strrchr(f.path, '/');
		git_treebuilder *dir = dir_of(&t, f.path, slash ? (size_t)(slash - f.path) : 0);
		git_oid blob;
		if (!dir || git_blob_create_from_buffer(&blob, g->repo, f.data, f.len) < 0 ||
				git_treebuilder_insert(NULL, dir, slash ? slash + 1 : f.path, &blob,
					GIT_FILEMODE_BLOB) < 0)
			rc = -1;
	}
	if (rc == 0 && more < 0)
		rc = more;   /* the caller's own error, with its message */
	else if (rc == 0 && write_dirs(out, &t) < 0)
		rc = -1;
	for (i = 0; i < t.n; i++)
		git_treebuilder_free(t.v[i].tb);
	free(t.v);
	return rc == -1 ? git_fail("building a commit") : rc;
}

/* ruta_git__commit's files, one by one. */
typedef struct file_array {
	const ruta_git_file *v;
	size_t n, i;
} file_array;

static int next_of_array(ruta_git_file *f, void *payload)
{
	file_array *a = payload;
	if (a->i == a->n)
		return 0;
	*f = a->v[a->i++];
	return 1;
}

int ruta_git__commit(ruta_git *g, const char *branch, const ruta_git_file *files, size_t n,
	const char *message, const char *who, ruta_git_sign_cb sign, void *payload)
{
	file_array a = { files, n, 0 };
	return ruta_git__commit_each(g, branch, next_of_array, &a, message, who, sign, payload);
}

int ruta_git__commit_each(ruta_git *g, const char *branch, ruta_git_next_cb next,
	void *files, const char *message, const char *who, ruta_git_sign_cb sign, void *payload)
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
	if ((err = build_tree(&tree_oid, g, next, files)) < 0)
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

/* A blob's id and size, not its bytes: read from the object's header, so
 * a reader can list a large history and fetch each file when it needs it. */
static int blob_id(git_repository *repo, const git_tree_entry *e, const char *commit,
	const char *path, ruta_git_file_cb cb, void *payload)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t size = 0;
	char id[GIT_OID_HEXSZ + 1];
	int rc;

	if (git_repository_odb(&odb, repo) < 0)
		return git_fail("reading a commit");
	rc = git_odb_read_header(&size, &type, odb, git_tree_entry_id(e));
	git_odb_free(odb);
	if (rc < 0)
		return git_fail("reading a commit");
	git_oid_tostr(id, sizeof(id), git_tree_entry_id(e));
	return cb(commit, path, id, size, payload);
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
			if (with_data == RUTA_GIT_NAMES) {
				err = cb(commit, path, NULL, 0, payload);
				continue;
			}
			if (with_data == RUTA_GIT_IDS) {
				err = blob_id(repo, e, commit, path, cb, payload);
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
	char refname[300];
	snprintf(refname, sizeof(refname), "refs/heads/%s", branch);
	return ruta_git__tip_files(g, refname, dir, 0, cb, payload);
}

int ruta_git__tip_files(ruta_git *g, const char *refname, const char *dir, int with_data,
	ruta_git_file_cb cb, void *payload)
{
	git_commit *c = NULL;
	git_tree *tree = NULL, *sub = NULL;
	git_tree_entry *e = NULL;
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];
	int err = 0;

	if (git_reference_name_to_id(&oid, g->repo, refname) < 0)
		return 0;
	git_oid_tostr(hex, sizeof(hex), &oid);
	if (git_commit_lookup(&c, g->repo, &oid) < 0 || git_commit_tree(&tree, c) < 0) {
		git_commit_free(c);
		return git_fail("reading the branch tip");
	}
	if (git_tree_entry_bypath(&e, tree, dir) == 0 && git_tree_lookup(&sub, g->repo,
			git_tree_entry_id(e)) == 0)
		err = tree_files(g->repo, sub, "", hex, with_data, cb, payload);
	git_tree_free(sub);
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return err;
}

/* ---- talking to the hub ------------------------------------------------------ */

/* A callback's own reason for ending the connection, reported by net_fail
 * instead of libgit2's. */
static int callback_fail(ruta_git *g, int code)
{
	g->failed = code;
	return GIT_EUSER;
}

/* RUTA_SSH_KEY names a key file; without it the keys in ssh-agent are offered.
 * Both are checked here, where the reason is still known. */
static int ssh_key(git_credential **out, ruta_git *g, const char *user)
{
	const char *key = getenv("RUTA_SSH_KEY"), *sock = getenv("SSH_AUTH_SOCK");
	struct stat st;
	snprintf(g->user, sizeof(g->user), "%s", user);
	if (key && *key) {
		if (access(key, R_OK) < 0)
			return callback_fail(g, ruta_error__set(RUTA_ERROR, "the ssh key '%s' "
				"(RUTA_SSH_KEY) cannot be read: %s", key, strerror(errno)));
		g->offered = OFFERED_KEY_FILE;
		return git_credential_ssh_key_new(out, user, NULL, key,
			getenv("RUTA_SSH_KEY_PASSPHRASE"));
	}
	if (!sock || !*sock || stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return callback_fail(g, ruta_error__set(RUTA_ERROR, "no ssh key for hub '%s': set "
			"RUTA_SSH_KEY to a private key file, or start ssh-agent and ssh-add the key (%s)",
			g->url, sock && *sock ? "SSH_AUTH_SOCK is no socket" : "SSH_AUTH_SOCK is not set"));
	g->offered = OFFERED_AGENT;
	return git_credential_ssh_key_from_agent(out, user);
}

/* The login the app gave for what the hub asks: 1 if it has none. */
static int from_app(git_credential **out, ruta_git *g, const char *url, const char *user,
	unsigned int allowed)
{
	ruta_credential c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.kind = allowed & GIT_CREDENTIAL_SSH_KEY ? RUTA_CREDENTIAL_SSH_KEY :
		allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT ? RUTA_CREDENTIAL_PASSWORD : 0;
	c.url = url;
	c.user = user;
	if (!c.kind || (rc = g->app_cred(&c, g->app_payload)) == RUTA_CREDENTIAL_NONE) {
		explicit_bzero(&c, sizeof(c));
		return 1;
	}
	c.username[sizeof(c.username) - 1] = c.secret[sizeof(c.secret) - 1] = '\0';
	c.key_file[sizeof(c.key_file) - 1] = '\0';
	snprintf(g->user, sizeof(g->user), "%s", c.username[0] ? c.username : user ? user :
		c.kind == RUTA_CREDENTIAL_SSH_KEY ? "git" : "");
	if (rc != 0)
		rc = callback_fail(g, ruta_error__set(RUTA_ECANCELED, "the app gave no login for hub "
			"'%s': its credentials callback said to stop", url));
	else if (c.kind == RUTA_CREDENTIAL_SSH_KEY) {
		g->offered = OFFERED_APP_KEY;
		snprintf(g->key_file, sizeof(g->key_file), "%s", c.key_file);
		rc = access(c.key_file, R_OK) < 0 ? callback_fail(g, ruta_error__set(RUTA_ERROR,
			"the ssh key '%s' the app gave for hub '%s' cannot be read: %s", c.key_file, url,
			strerror(errno))) : git_credential_ssh_key_new(out, g->user, NULL, c.key_file,
			c.secret[0] ? c.secret : NULL);
	} else {
		g->offered = OFFERED_APP_PASSWORD;
		rc = git_credential_userpass_plaintext_new(out, g->user, c.secret);
	}
	explicit_bzero(&c, sizeof(c));   /* libgit2 holds its own copy, and wipes it */
	return rc;
}

static int credentials(git_credential **out, const char *url, const char *user,
	unsigned int allowed, void *payload)
{
	ruta_git *g = payload;
	int rc;
	/* an ssh URL without a user: asked first, before any key */
	if (allowed == GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, "git");
	/* one try: a refused credential must end the attempt, not loop */
	if (g->cred_tries++ > 0)
		return GIT_EAUTH;
	if (g->app_cred && (rc = from_app(out, g, url, user, allowed)) != 1)
		return rc;
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return ssh_key(out, g, user ? user : "git");
	if (!(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		return GIT_PASSTHROUGH;
	if (getenv("RUTA_HUB_USER") && getenv("RUTA_HUB_PASSWORD")) {
		g->offered = OFFERED_PASSWORD;
		return git_credential_userpass_plaintext_new(out, getenv("RUTA_HUB_USER"),
			getenv("RUTA_HUB_PASSWORD"));
	}
	/* as git itself would: its helpers, or its prompt on a terminal */
	if (ruta_cred__fill(&g->cred, url, user) < 0) {
		g->offered = OFFERED_NO_PASSWORD;
		return GIT_PASSTHROUGH;
	}
	g->offered = OFFERED_HELPER;
	snprintf(g->user, sizeof(g->user), "%s", g->cred.user);
	return git_credential_userpass_plaintext_new(out, g->cred.user, g->cred.password);
}

/* ---- the hub's host key ------------------------------------------------------ */

/*
 * libgit2 1.5.1 checks an ssh hub's host key against ~/.ssh/known_hosts
 * itself, but then only says "invalid or unknown remote ssh hostkey": it
 * cannot tell a host never seen from one whose key changed, reads no other
 * file, and names neither the host nor the fix. So ruta checks the key the
 * way OpenSSH does, in RUTA_SSH_KNOWN_HOSTS or else ~/.ssh/known_hosts and
 * /etc/ssh/ssh_known_hosts: plain and hashed (ssh-keygen -H) names,
 * "[host]:port" off port 22, '*' and '?' wildcards, "!" negations, @revoked.
 * Host certificates (@cert-authority) are not taken: libssh2 has none.
 */

#define ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* SHA-1, only for HMAC-SHA1 of hashed known_hosts names (OpenSSH's format),
 * where its weakness to collisions does not matter; neither libgit2 nor
 * libsodium offers it. */
typedef struct sha1_ctx {
	uint32_t h[5];
	unsigned char block[64];
	size_t fill;
	uint64_t bytes;
} sha1_ctx;

static void sha1_init(sha1_ctx *c)
{
	static const uint32_t h0[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
		0xc3d2e1f0 };
	memcpy(c->h, h0, sizeof(h0));
	c->fill = 0;
	c->bytes = 0;
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
	static const uint32_t k[4] = { 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6 };
	uint32_t w[80], v[5], f, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			(uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = ROL32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 80; i++) {
		if (i < 20)
			f = (v[1] & v[2]) | (~v[1] & v[3]);
		else if (i >= 40 && i < 60)
			f = (v[1] & v[2]) | (v[1] & v[3]) | (v[2] & v[3]);
		else
			f = v[1] ^ v[2] ^ v[3];
		t = ROL32(v[0], 5) + f + v[4] + k[i / 20] + w[i];
		v[4] = v[3];
		v[3] = v[2];
		v[2] = ROL32(v[1], 30);
		v[1] = v[0];
		v[0] = t;
	}
	for (i = 0; i < 5; i++)
		h[i] += v[i];
}

static void sha1_add(sha1_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	c->bytes += len;
	while (len--) {
		c->block[c->fill++] = *p++;
		if (c->fill == 64) {
			sha1_block(c->h, c->block);
			c->fill = 0;
		}
	}
}

static void sha1_done(sha1_ctx *c, unsigned char out[20])
{
	uint64_t bits = c->bytes * 8;
	unsigned char b = 0x80;
	int i;
	sha1_add(c, &b, 1);
	b = 0;
	while (c->fill != 56)
		sha1_add(c, &b, 1);
	for (i = 7; i >= 0; i--) {
		b = (unsigned char)(bits >> (8 * i));
		sha1_add(c, &b, 1);
	}
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* HMAC-SHA1 (RFC 2104) of `msg`, under a key of at most 64 bytes. */
static void hmac_sha1(unsigned char out[20], const unsigned char *key, size_t key_len,
	const char *msg)
{
	unsigned char pad[64], inner[20];
	sha1_ctx c;
	size_t i;

	for (i = 0; i < sizeof(pad); i++)
		pad[i] = (unsigned char)((i < key_len ? key[i] : 0) ^ 0x36);
	sha1_init(&c);
	sha1_add(&c, pad, sizeof(pad));
	sha1_add(&c, msg, strlen(msg));
	sha1_done(&c, inner);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	sha1_init(&c);
	sha1_add(&c, pad, sizeof(pad));
	sha1_add(&c, inner, sizeof(inner));
	sha1_done(&c, out);
}

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64, padding optional: -1 if it is not, or holds more than cap. */
static int b64_decode(unsigned char *out, size_t cap, size_t *n, const char *s, size_t len)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;

	*n = 0;
	for (i = 0; i < len && s[i] != '='; i++) {
		const char *c = s[i] ? strchr(b64_chars, s[i]) : NULL;
		if (!c)
			return -1;
		acc = ((acc << 6) | (uint32_t)(c - b64_chars)) & 0x3fff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (*n == cap)
				return -1;
			out[(*n)++] = (unsigned char)(acc >> bits);
		}
	}
	return 0;
}

/* "SHA256:<base64, no padding>", as ssh-keygen -l prints a key. */
static void host_fingerprint(char out[64], const git_cert_hostkey *hk)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;
	char *o = out + 7;

	if (!(hk->type & GIT_CERT_SSH_SHA256)) {
		snprintf(out, 64, "(no SHA256 fingerprint)");
		return;
	}
	memcpy(out, "SHA256:", 7);
	for (i = 0; i < sizeof(hk->hash_sha256); i++) {
		acc = ((acc << 8) | hk->hash_sha256[i]) & 0xffff;
		for (bits += 8; bits >= 6; bits -= 6)
			*o++ = b64_chars[(acc >> (bits - 6)) & 63];
	}
	if (bits)
		*o++ = b64_chars[(acc << (6 - bits)) & 63];
	*o = '\0';
}

/* What one look through the known hosts files found for the hub. */
typedef struct host_check {
	const char *name;            /* "host", or "[host]:port" off port 22 */
	const unsigned char *key;    /* the host key the hub sent: an ssh wire blob */
	size_t key_len;
	char type[64];               /* its type, e.g. "ssh-ed25519" */
	int match;                   /* an entry for the host holds this very key */
	int revoked;                 /* a @revoked entry holds it */
	char changed[4100];          /* the file of an entry with that type, another key */
	size_t changed_line;         /* and its line */
	char others[200];            /* the other key types known for the host */
} host_check;

/* OpenSSH's host pattern: '*' and '?' wildcards, case-insensitive. */
static int wild_match(const char *p, const char *end, const char *s)
{
	for (; p < end; p++, s++) {
		if (*p == '*') {
			for (;; s++) {
				if (wild_match(p + 1, end, s))
					return 1;
				if (!*s)
					return 0;
			}
		}
		if (!*s || (*p != '?' && tolower((unsigned char)*p) != tolower((unsigned char)*s)))
			return 0;
	}
	return !*s;
}

/* 1 if `name` matches the comma-separated patterns; 0 if not, or if a
 * negated one ("!pattern") matches, which rules the line out. */
static int patterns_match(const char *list, const char *name)
{
	int found = 0;
	while (*list) {
		const char *end = list + strcspn(list, ",");
		int negated = *list == '!';
		if (wild_match(list + negated, end, name)) {
			if (negated)
				return 0;
			found = 1;
		}
		list = *end ? end + 1 : end;
	}
	return found;
}

/* "|1|<base64 salt>|<base64 HMAC-SHA1 of the name>", as ssh-keygen -H writes. */
static int hashed_match(const char *field, const char *name)
{
	unsigned char salt[64], want[20], got[20];
	const char *bar = strchr(field + 3, '|');
	size_t n_salt, n_want;

	if (!bar || b64_decode(salt, sizeof(salt), &n_salt, field + 3, (size_t)(bar - field - 3)) < 0 ||
			b64_decode(want, sizeof(want), &n_want, bar + 1, strlen(bar + 1)) < 0 ||
			n_want != sizeof(want))
		return 0;
	hmac_sha1(got, salt, n_salt, name);
	return memcmp(got, want, sizeof(got)) == 0;
}

/* One known_hosts line: "[@revoked] HOSTS TYPE BASE64-KEY [COMMENT]". Lines
 * it cannot read are skipped, as OpenSSH skips them. */
static void check_line(host_check *hc, char *line, const char *file, size_t line_no)
{
	unsigned char key[8192];
	char *f[4], *save = NULL, *t;
	size_t len;
	int n = 0, revoked = 0, known;

	for (t = strtok_r(line, " \t\r\n", &save); t && n < 4; t = strtok_r(NULL, " \t\r\n", &save))
		f[n++] = t;
	if (n > 0 && f[0][0] == '@') {
		if (strcmp(f[0], "@revoked") != 0)
			return;   /* @cert-authority: host certificates are not taken */
		revoked = 1;
		memmove(f, f + 1, sizeof(f[0]) * (size_t)--n);
	}
	if (n < 3 || f[0][0] == '#')
		return;
	known = strncmp(f[0], "|1|", 3) == 0 ? hashed_match(f[0], hc->name) :
		patterns_match(f[0], hc->name);
	if (!known || b64_decode(key, sizeof(key), &len, f[2], strlen(f[2])) < 0)
		return;
	if (len == hc->key_len && memcmp(key, hc->key, len) == 0) {
		if (revoked)
			hc->revoked = 1;
		else
			hc->match = 1;
		return;
	}
	if (revoked)
		return;   /* another key is revoked: that says nothing about this one */
	if (strcmp(f[1], hc->type) == 0) {
		if (!hc->changed[0]) {
			snprintf(hc->changed, sizeof(hc->changed), "%s", file);
			hc->changed_line = line_no;
		}
	} else if (!strstr(hc->others, f[1]) &&
			strlen(hc->others) + strlen(f[1]) + 3 < sizeof(hc->others)) {
		snprintf(hc->others + strlen(hc->others), sizeof(hc->others) - strlen(hc->others),
			"%s%s", hc->others[0] ? ", " : "", f[1]);
	}
}

/* 0 when read, or not there; -1 with errno when there but unreadable. */
static int check_file(host_check *hc, const char *file)
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0, line_no = 0;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (getline(&line, &cap, f) >= 0)
		check_line(hc, line, file, ++line_no);
	free(line);
	fclose(f);
	return 0;
}

/* The port of an ssh:// URL; 22 for the scp-like "user@host:path". */
static int url_port(const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL, *end, *c;
	int port = 0;

	if (!p)
		return 22;
	p += 3;
	end = p + strcspn(p, "/");
	for (c = p; c < end; c++)
		if (*c == '@')
			p = c + 1;
	if (*p == '[' && (c = memchr(p, ']', (size_t)(end - p))) != NULL)
		p = c;   /* an IPv6 address: its colons are not the port's */
	if ((c = memchr(p, ':', (size_t)(end - p))) == NULL)
		return 22;
	for (c++; c < end && isdigit((unsigned char)*c) && port < 65536; c++)
		port = port * 10 + (*c - '0');
	return port > 0 && port < 65536 ? port : 22;
}

/* The key type an ssh wire blob starts with. */
static void blob_type(char *out, size_t cap, const unsigned char *blob, size_t len)
{
	uint32_t n = len < 4 ? 0 : (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
		(uint32_t)blob[2] << 8 | (uint32_t)blob[3];
	if (n >= cap || n > len - 4)
		n = 0;
	if (n)
		memcpy(out, blob + 4, n);
	out[n] = '\0';
}

/* The hub is not in the known hosts, or not with a key of this type. */
static int host_unknown(ruta_git *g, const host_check *hc, const char *file, const char *fp,
	const char *scan)
{
	if (!*file)
		return callback_fail(g, ruta_error__set(RUTA_ERROR, "hub host '%s' cannot be checked: "
			"with no HOME there is no ~/.ssh/known_hosts; name a known hosts file in "
			"RUTA_SSH_KNOWN_HOSTS", hc->name));
	if (hc->others[0])
		return callback_fail(g, ruta_error__set(RUTA_ERROR, "hub host '%s' sent its %s host "
			"key (%s), but %s holds only its %s key: make sure that fingerprint is the hub's "
			"(ask its administrator), then add its keys: %s >> %s", hc->name, hc->type, fp,
			file, hc->others, scan, file));
	return callback_fail(g, ruta_error__set(RUTA_ERROR, "hub host '%s' is not in %s: its %s "
		"host key is %s; make sure that is the hub's (ask its administrator), then add it: "
		"%s >> %s", hc->name, file, hc->type, fp, scan, file));
}

/* Nothing reaches the hub, not even the user name, unless its key is known. */
static int host_verdict(ruta_git *g, const host_check *hc, const char *host, int port,
	const char *file, const char *fp)
{
	char scan[400];
	if (port == 22)
		snprintf(scan, sizeof(scan), "ssh-keyscan %s", host);
	else
		snprintf(scan, sizeof(scan), "ssh-keyscan -p %d %s", port, host);
	if (hc->revoked)
		return callback_fail(g, ruta_error__set(RUTA_ERROR, "hub host '%s' sent a host key "
			"that the known hosts mark @revoked (%s %s); nothing was sent", hc->name,
			hc->type, fp));
	if (hc->match)
		return 0;
	if (hc->changed[0])
		return callback_fail(g, ruta_error__set(RUTA_ERROR, "hub host '%s' sent a different "
			"%s host key (%s) from the one in %s line %zu: someone may be intercepting the "
			"connection, or the hub's key was replaced; nothing was sent; only once the hub's "
			"administrator confirms the new key: ssh-keygen -R '%s' -f %s; %s >> %s",
			hc->name, hc->type, fp, hc->changed, hc->changed_line, hc->name, hc->changed, scan,
			hc->changed));
	return host_unknown(g, hc, file, fp, scan);
}

/* libgit2's certificate check: an ssh host key must be in the known hosts
 * (TLS certificates stay with libgit2, which checks them against the
 * system's authorities). `valid` is libgit2's own look at ~/.ssh/known_hosts,
 * which this one covers and explains. */
static int host_key_check(git_cert *cert, int valid, const char *host, void *payload)
{
	ruta_git *g = payload;
	const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
	const char *env = getenv("RUTA_SSH_KNOWN_HOSTS"), *home = getenv("HOME");
	int port = url_port(g->url);
	char file[4100] = "", fp[64], name[300];
	host_check hc;

	(void)valid;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
		return GIT_PASSTHROUGH;
	if (!(hk->type & GIT_CERT_SSH_RAW) || !hk->hostkey)
		return callback_fail(g, ruta_error__set(RUTA_ERROR, "hub host '%s' sent no host key "
			"that can be checked", host));
	memset(&hc, 0, sizeof(hc));
	if (port == 22)
		snprintf(name, sizeof(name), "%s", host);
	else
		snprintf(name, sizeof(name), "[%s]:%d", host, port);
	hc.name = name;
	hc.key = (const unsigned char *)hk->hostkey;
	hc.key_len = hk->hostkey_len;
	blob_type(hc.type, sizeof(hc.type), hc.key, hc.key_len);
	host_fingerprint(fp, hk);
	if (env && *env)
		snprintf(file, sizeof(file), "%s", env);
	else if (home && *home)
		snprintf(file, sizeof(file), "%s/.ssh/known_hosts", home);
	if (*file && check_file(&hc, file) < 0)
		return callback_fail(g, ruta_error__set(RUTA_ERROR, "known hosts file '%s' cannot be "
			"read: %s", file, strerror(errno)));
	if (!(env && *env))
		check_file(&hc, "/etc/ssh/ssh_known_hosts");   /* shared by the machine's users */
	return host_verdict(g, &hc, host, port, file, fp);
}

/* The caller may cancel from its progress callback: libgit2 stops the
 * transfer when a callback returns a negative value, and nothing fetched or
 * pushed half-way is taken as done (refs move only after a whole pack). */
static int transfer(ruta_git *g, const char *what, size_t done, size_t total)
{
	if (g->progress && g->progress(what, done, total, g->payload) != 0)
		return callback_fail(g, ruta_error__set(RUTA_ECANCELED, "%s cancelled by the "
			"caller after %zu of %zu objects; nothing is lost: the next sync goes on",
			what, done, total));
	return 0;
}

static int fetch_progress(const git_indexer_progress *s, void *payload)
{
	return transfer(payload, "receiving", s->received_objects, s->total_objects);
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	(void)bytes;
	return transfer(payload, "sending", current, total);
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

/* git's helpers learn whether the hub took what they gave: kept when it did,
 * forgotten when it refused them. */
static void cred_done(ruta_git *g, int rc)
{
	if (g->offered == OFFERED_HELPER)
		ruta_cred__done(&g->cred, rc == 0 ? 1 : rc == GIT_EAUTH ? 0 : -1);
	else
		ruta_cred__done(&g->cred, -1);
}

/* Callbacks for one push or fetch to `url`, with what they record reset. */
static void set_callbacks(git_remote_callbacks *cb, ruta_git *g, const char *url)
{
	g->url = url;
	g->cred_tries = 0;
	g->offered = OFFERED_NOTHING;
	g->user[0] = '\0';
	g->failed = 0;
	cb->credentials = credentials;
	cb->certificate_check = host_key_check;
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
	ruta_git *prev;
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
		set_callbacks(&opts.callbacks, g, url);
		prev = net_begin(g);
		if ((rc = git_remote_create_anonymous(&remote, g->repo, url)) < 0)
			err = ruta_error__set(RUTA_EINVALID, "hub '%s' is not a git URL or path: %s", url,
				git_error_last() ? git_error_last()->message : "");
		else if ((rc = git_remote_push(remote, &refs, &opts)) < 0)
			err = net_fail(g, url, rc);
		else if (g->push_refused)
			err = ruta_error__set(RUTA_ERROR, "hub '%s' refused the push (%s); nothing is lost: "
				"the changesets stay here and go with the next sync", url, g->push_refused);
		net_end(prev);
		cred_done(g, rc);
	}
	for (i = 0; i < refs.count; i++)
		free(specs[i]);
	free(specs);
	git_remote_free(remote);
	return err;
}

static int fetch_spec(ruta_git *g, const char *url, char *spec)
{
	git_fetch_options opts;
	git_remote *remote = NULL;
	git_strarray refs = { &spec, 1 };
	ruta_git *prev;
	int rc, err = 0;

	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	set_callbacks(&opts.callbacks, g, url);
	opts.prune = GIT_FETCH_PRUNE;   /* a branch gone from the hub is gone here too */
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	opts.update_fetchhead = 0;   /* nothing reads it: a fetch of nothing new writes nothing */
	prev = net_begin(g);
	if ((rc = git_remote_create_anonymous(&remote, g->repo, url)) < 0)
		err = ruta_error__set(RUTA_EINVALID, "hub '%s' is not a git URL or path: %s", url,
			git_error_last() ? git_error_last()->message : "");
	else if ((rc = git_remote_fetch(remote, &refs, &opts, "ruta pull")) < 0)
		err = net_fail(g, url, rc);
	net_end(prev);
	cred_done(g, rc);
	git_remote_free(remote);
	return err;
}

int ruta_git__fetch(ruta_git *g, const char *url)
{
	return fetch_spec(g, url, FETCH_SPEC);
}

int ruta_git__fetch_audit(ruta_git *g, const char *url)
{
	return fetch_spec(g, url, AUDIT_SPEC);
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

int ruta_git__walk(ruta_git *g, const char *tip, const char *since, int with,
	ruta_git_file_cb cb, void *payload)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int err = 0, rc = GIT_ITEROVER;

	if (git_revwalk_new(&walk, g->repo) < 0 || git_oid_fromstr(&oid, tip) < 0 ||
			git_revwalk_push(walk, &oid) < 0)
		err = git_fail_at("walking the hub branch whose tip is commit", tip);
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (err == 0 && since && *since && (git_oid_fromstr(&oid, since) < 0 ||
			git_revwalk_hide(walk, &oid) < 0))
		err = git_fail_at("walking a hub branch from commit", since);
	while (err == 0 && (rc = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		git_tree *tree = NULL;
		char id[41];
		git_oid_tostr(id, sizeof(id), &oid);
		if (git_commit_lookup(&c, g->repo, &oid) < 0 || git_commit_tree(&tree, c) < 0)
			err = git_fail_at("reading hub commit", id);
		else
			err = tree_files(g->repo, tree, "", id, with, cb, payload);
		git_tree_free(tree);
		git_commit_free(c);
	}
	/* an error is not the end of the walk: the caller must not move past it */
	if (err == 0 && rc != GIT_ITEROVER)
		err = git_fail_at("walking the hub branch whose tip is commit", tip);
	git_revwalk_free(walk);
	return err;
}

int ruta_git__blob(char **data, size_t *len, ruta_git *g, const char *id)
{
	git_blob *blob = NULL;
	git_oid oid;
	size_t n;

	*data = NULL;
	*len = 0;
	if (git_oid_fromstr(&oid, id) < 0 || git_blob_lookup(&blob, g->repo, &oid) < 0)
		return git_fail_at("reading file", id);
	n = (size_t)git_blob_rawsize(blob);
	if (!(*data = malloc(n + 1))) {
		git_blob_free(blob);
		return ruta_error__oom();
	}
	memcpy(*data, git_blob_rawcontent(blob), n);
	(*data)[n] = '\0';
	*len = n;
	git_blob_free(blob);
	return 0;
}

/* ---- reading a hub in place, for an audit ------------------------------------ */

int ruta_git__open_path(ruta_git **out, const char *url)
{
	const char *path = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
	ruta_git *g;

	*out = NULL;
	if (strstr(path, "://") || path[0] != '/')
		return ruta_error__set(RUTA_EINVALID, "hub '%s' is not a path: only a hub by path "
			"or file:// is read in place", url);
	if (access(path, F_OK) < 0)
		return ruta_error__set(RUTA_EUNREACHABLE, "hub '%s' is not there (is the drive or "
			"share mounted?); try again later", url);
	if (!(g = calloc(1, sizeof(*g))))
		return ruta_error__oom();
	git_libgit2_init();
	if (git_repository_open_bare(&g->repo, path) < 0) {
		int err = ruta_error__set(RUTA_EINVALID, "hub '%s' is not a bare git repository: %s",
			url, git_error_last() ? git_error_last()->message : "");
		free(g);
		git_libgit2_shutdown();
		return err;
	}
	*out = g;
	return 0;
}

int ruta_git__branches(ruta_git *g, const char *ns, ruta_git_file_cb cb, void *payload)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	char glob[100];
	int err = 0;

	snprintf(glob, sizeof(glob), "%sruta/*", ns);
	if (git_reference_iterator_glob_new(&it, g->repo, glob) < 0)
		return git_fail("listing hub branches");
	while (err == 0 && git_reference_next(&ref, it) == 0) {
		git_reference *direct = NULL;
		char tip[41];
		/* a symbolic ref is followed: what it names is what a fetch gets */
		if (git_reference_resolve(&direct, ref) == 0 && git_reference_target(direct)) {
			git_oid_tostr(tip, sizeof(tip), git_reference_target(direct));
			err = cb(tip, git_reference_name(ref) + strlen(ns), NULL, 0, payload);
		}
		git_reference_free(direct);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return err;
}

/* The files of one commit, copied (each with a NUL after its bytes). */
typedef struct file_list {
	ruta_git_file *v;
	size_t n, cap;
} file_list;

static int collect_file(const char *commit, const char *path, const char *data, size_t len,
	void *payload)
{
	file_list *fl = payload;
	char *p, *d;
	(void)commit;
	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 8;
		ruta_git_file *nv = realloc(fl->v, cap * sizeof(*nv));
		if (!nv)
			return ruta_error__oom();
		fl->v = nv;
		fl->cap = cap;
	}
	if (!(p = strdup(path)) || !(d = malloc(len + 1))) {
		free(p);
		return ruta_error__oom();
	}
	memcpy(d, data, len);
	d[len] = '\0';
	fl->v[fl->n].path = p;
	fl->v[fl->n].data = d;
	fl->v[fl->n++].len = len;
	return 0;
}

static void file_list_clear(file_list *fl)
{
	size_t i;
	for (i = 0; i < fl->n; i++) {
		free((char *)fl->v[i].path);
		free((char *)fl->v[i].data);
	}
	fl->n = 0;
}

/* One commit, its signature split off as git verify-commit splits it. */
static int history_commit(ruta_git *g, const git_oid *oid, file_list *fl, ruta_git_commit_cb cb,
	void *payload)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	ruta_git_commit info;
	char id[41];
	int err;

	git_oid_tostr(id, sizeof(id), oid);
	if (git_commit_lookup(&c, g->repo, oid) < 0 || git_commit_tree(&tree, c) < 0) {
		git_commit_free(c);
		return git_fail_at("reading hub commit", id);
	}
	memset(&info, 0, sizeof(info));
	info.id = id;
	info.parents = git_commit_parentcount(c);
	if (git_commit_extract_signature(&sig, &data, g->repo, (git_oid *)oid, "gpgsig") == 0) {
		info.signature = sig.ptr;
		info.signature_len = sig.size;
		info.signed_data = data.ptr;
		info.signed_len = data.size;
	}
	git_error_clear();
	if ((err = tree_files(g->repo, tree, "", id, RUTA_GIT_DATA, collect_file, fl)) == 0) {
		info.files = fl->v;
		info.nfiles = fl->n;
		err = cb(&info, payload);
	}
	file_list_clear(fl);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	git_tree_free(tree);
	git_commit_free(c);
	return err;
}

int ruta_git__history(ruta_git *g, const char *tip, ruta_git_commit_cb cb, void *payload)
{
	git_revwalk *walk = NULL;
	file_list fl = { NULL, 0, 0 };
	git_oid oid;
	int err = 0, rc = GIT_ITEROVER;

	if (git_revwalk_new(&walk, g->repo) < 0 || git_oid_fromstr(&oid, tip) < 0 ||
			git_revwalk_push(walk, &oid) < 0)
		err = git_fail_at("walking the hub branch whose tip is commit", tip);
	if (err == 0) {
		/* a ruta branch is one line; a merge's other side is not its history */
		git_revwalk_simplify_first_parent(walk);
		git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	}
	while (err == 0 && (rc = git_revwalk_next(&oid, walk)) == 0)
		err = history_commit(g, &oid, &fl, cb, payload);
	if (err == 0 && rc != GIT_ITEROVER)
		err = git_fail_at("walking the hub branch whose tip is commit", tip);
	free(fl.v);
	git_revwalk_free(walk);
	return err;
}
