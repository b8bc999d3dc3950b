/* test_sync.c - syncing through a local bare hub as an app would, from the
 * public header alone: cancelling from the step callback stops cleanly with
 * RUTA_ECANCELED, leaves whole changesets applied, and the next sync goes on;
 * a hub that never answers times out with RUTA_EUNREACHABLE after the
 * caller's timeout, its own on each thread, and changes nothing. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "helpers.h"

typedef struct steps {
	const char *cancel_on;   /* cancel at the first call with this `what`... */
	size_t after;            /* ...once `done` reaches this */
	int calls, cancelled;
	char seen[64];           /* the kinds of call seen, one letter each */
} steps;

static int step(const char *what, size_t done, size_t total, void *payload)
{
	steps *s = payload;
	size_t n = strlen(s->seen);
	(void)total;
	s->calls++;
	if (n + 1 < sizeof(s->seen) && (n == 0 || s->seen[n - 1] != what[0]))
		s->seen[n] = what[0];
	if (s->cancel_on && strcmp(what, s->cancel_on) == 0 && done >= s->after) {
		s->cancelled++;
		return 1;
	}
	return 0;
}

/* Head office with three changesets on the hub, and a team replica that has
 * pinned its root key and taken in nothing yet. */
typedef struct world {
	char *tmp;
	char hub[512];
	ruta_replica *hq, *team;
} world;

static void world_make(world *w)
{
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	char path[700], dir[700], *root = NULL, *id = NULL;
	FILE *f;
	int i;

	w->hq = head_office_with_hub(&w->tmp, w->hub, sizeof(w->hub));
	for (i = 0; i < 3; i++) {
		char name[32];
		ruta_field fl[] = { { "name", name } };
		snprintf(name, sizeof(name), "Account %d", i);
		ASSERT_OK(ruta_record_add(&id, w->hq, "account", fl, 1));
		ruta_free(id);
		ASSERT_OK(ruta_sync(&res, w->hq, NULL));
		assert_true(res.sealed_seq > 0);
	}
	ASSERT_OK(ruta_replica_public_key(&root, w->hq, 1));
	snprintf(path, sizeof(path), "%s/root.pub", w->tmp);
	assert_non_null(f = fopen(path, "w"));
	fputs(root, f);
	fclose(f);
	ruta_free(root);
	o.team = "north";
	o.root_key = path;
	o.hub_url = w->hub;
	snprintf(dir, sizeof(dir), "%s/team", w->tmp);
	ASSERT_OK(ruta_replica_init(&w->team, dir, &o));
}

static void world_free(world *w)
{
	ruta_replica_free(w->team);
	ruta_replica_free(w->hq);
	rm_tree(w->tmp);
}

static void hash_of(char out[65], ruta_replica *r)
{
	ASSERT_OK(ruta_state_hash(out, r));
}

static void sync_opts(ruta_sync_options *o, steps *s)
{
	o->snapshot = RUTA_SNAPSHOT_NEVER;   /* replay changesets, so apply has some to do */
	o->step = step;
	o->payload = s;
}

static void test_cancel_at_first_receive_changes_nothing(void **state)
{
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	ruta_status st = RUTA_STATUS_INIT;
	steps s = { "receiving", 0, 0, 0, "" };
	char before[65], after[65], hq[65];
	world w;
	(void)state;

	world_make(&w);
	hash_of(before, w.team);
	sync_opts(&o, &s);
	assert_int_equal(ruta_sync(&res, w.team, &o), RUTA_ECANCELED);
	assert_int_equal(ruta_error_last()->code, RUTA_ECANCELED);
	assert_non_null(strstr(ruta_error_last()->message, "cancelled"));
	assert_int_equal(s.cancelled, 1);
	assert_int_equal(res.apply.applied, 0);
	assert_int_equal(res.pushed, 0);
	hash_of(after, w.team);
	assert_string_equal(before, after);
	ASSERT_OK(ruta_replica_status(&st, w.team));
	assert_int_equal(st.changesets, 0);

	/* the next sync, not cancelled, takes everything in */
	memset(&s, 0, sizeof(s));
	ASSERT_OK(ruta_sync(&res, w.team, &o));
	assert_int_equal(res.apply.applied, 3);
	assert_int_equal(s.cancelled, 0);
	assert_non_null(strchr(s.seen, 'r'));   /* receiving */
	assert_non_null(strchr(s.seen, 'a'));   /* applying */
	hash_of(after, w.team);
	hash_of(hq, w.hq);
	assert_string_equal(after, hq);
	world_free(&w);
}

static void test_cancel_between_changesets_keeps_whole_ones(void **state)
{
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	ruta_status st = RUTA_STATUS_INIT;
	ruta_record_iter *it = NULL;
	ruta_record *rec = NULL;
	steps s = { "applying", 1, 0, 0, "" };
	char after[65], hq[65];
	int64_t held;
	int n = 0;
	world w;
	(void)state;

	world_make(&w);
	sync_opts(&o, &s);
	assert_int_equal(ruta_pull(&res, w.team, &o), RUTA_ECANCELED);
	assert_int_equal(s.cancelled, 1);
	/* the first changeset went in whole, in its own transaction; no other */
	ASSERT_OK(ruta_replica_status(&st, w.team));
	held = st.changesets;
	assert_int_equal(held, 1);
	ASSERT_OK(ruta_record_list(&it, w.team, "account", NULL));
	while (ruta_record_iter_next(&rec, it) == 0) {
		n++;
		ruta_record_free(rec);
	}
	ruta_record_iter_free(it);
	assert_int_equal(n, 1);

	/* the next pull takes up the rest and converges with head office */
	memset(&s, 0, sizeof(s));
	ASSERT_OK(ruta_pull(&res, w.team, &o));
	assert_int_equal(res.apply.applied, 2);
	assert_int_equal(res.apply.refused, 0);
	hash_of(after, w.team);
	hash_of(hq, w.hq);
	assert_string_equal(after, hq);
	world_free(&w);
}

/* Commits on head office's branch of the hub. */
static int hub_commits(const world *w)
{
	char cmd[1200];
	FILE *p;
	int n = -1;
	snprintf(cmd, sizeof(cmd), "git --git-dir='%s' rev-list --count 'ruta/%s'", w->hub,
		ruta_replica_id(w->hq));
	assert_non_null(p = popen(cmd, "r"));
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void test_cancel_while_sending_pushes_nothing_then_resumes(void **state)
{
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	steps s = { "sending", 0, 0, 0, "" };
	ruta_field fl[] = { { "name", "Pushed later" } };
	char *id = NULL;
	int before;
	world w;
	(void)state;

	world_make(&w);
	before = hub_commits(&w);
	ASSERT_OK(ruta_record_add(&id, w.hq, "account", fl, 1));
	ruta_free(id);
	sync_opts(&o, &s);
	assert_int_equal(ruta_sync(&res, w.hq, &o), RUTA_ECANCELED);
	assert_int_equal(s.cancelled, 1);
	assert_true(res.sealed_seq > 0);   /* sealed before: kept, sent next time */
	assert_int_equal(hub_commits(&w), before);
	memset(&s, 0, sizeof(s));
	ASSERT_OK(ruta_sync(&res, w.hq, &o));
	assert_true(res.pushed >= 1);
	assert_int_equal(hub_commits(&w), before + 1);
	memset(&s, 0, sizeof(s));
	ASSERT_OK(ruta_pull(&res, w.team, &o));
	assert_int_equal(res.apply.applied, 4);
	world_free(&w);
}

/* A caller built against version 2 of the options has no step field: its
 * plain progress callback still works and nothing cancels. */
static void test_version_2_options_still_accepted(void **state)
{
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	steps s = { "receiving", 0, 0, 0, "" };
	world w;
	(void)state;

	world_make(&w);
	sync_opts(&o, &s);
	o.version = 2;   /* the step field is past what it knows: not read */
	ASSERT_OK(ruta_pull(&res, w.team, &o));
	assert_int_equal(s.calls, 0);
	assert_int_equal(res.apply.applied, 3);
	world_free(&w);
}

/* Two handles on one replica (as two threads would hold them): while one
 * syncs, the other's sync is refused with RUTA_ELOCKED, not run alongside. */
typedef struct nested {
	const char *dir;
	int tried, rc;
} nested;

static int sync_other(const char *what, size_t done, size_t total, void *payload)
{
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	ruta_replica *other = NULL;
	nested *n = payload;
	(void)what; (void)done; (void)total;
	if (n->tried++)
		return 0;
	ASSERT_OK(ruta_replica_open(&other, n->dir, NULL));
	n->rc = ruta_sync(&res, other, NULL);
	ruta_replica_free(other);
	return 0;
}

static void test_second_handle_sync_is_locked_out(void **state)
{
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	nested n = { NULL, 0, 0 };
	world w;
	(void)state;

	world_make(&w);
	n.dir = ruta_replica_dir(w.team);
	o.snapshot = RUTA_SNAPSHOT_NEVER;
	o.step = sync_other;
	o.payload = &n;
	ASSERT_OK(ruta_sync(&res, w.team, &o));
	assert_true(n.tried > 0);
	assert_int_equal(n.rc, RUTA_ELOCKED);
	assert_int_equal(res.apply.applied, 3);
	world_free(&w);
}

/* ---- a hub that accepts connections and never answers ---- */

/* Without ruta's timeout a call would wait for ever: the hub hangs up after
 * this long, so that such a call fails (with no "timed out") instead. */
#define SILENT_GUARD 60

typedef struct silent {
	int listener, port;
	int held[16];
	size_t n;
	atomic_int accepted;   /* connections so far, for the main thread */
	atomic_int stop;
	pthread_t thread;
} silent;

static void silent_hang_up(silent *h)
{
	while (h->n)
		close(h->held[--h->n]);
}

static void *silent_run(void *arg)
{
	silent *h = arg;
	time_t start = time(NULL);
	while (!atomic_load(&h->stop)) {
		struct pollfd p = { h->listener, POLLIN, 0 };
		int c;
		if (time(NULL) - start > SILENT_GUARD)
			silent_hang_up(h);
		if (poll(&p, 1, 100) != 1 || (c = accept(h->listener, NULL, NULL)) < 0)
			continue;
		if (h->n == sizeof(h->held) / sizeof(h->held[0]))
			close(c);
		else
			h->held[h->n++] = c;   /* kept open, never read from or written to */
		atomic_fetch_add(&h->accepted, 1);
	}
	silent_hang_up(h);
	return NULL;
}

/* Listens on 127.0.0.1; its git:// URL into url. */
static void silent_start(silent *h, char *url, size_t size)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	memset(h, 0, sizeof(*h));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((h->listener = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(h->listener, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(h->listener, 16), 0);
	assert_int_equal(getsockname(h->listener, (struct sockaddr *)&a, &len), 0);
	h->port = ntohs(a.sin_port);
	snprintf(url, size, "git://127.0.0.1:%d/hub.git", h->port);
	assert_int_equal(pthread_create(&h->thread, NULL, silent_run, h), 0);
}

static void silent_stop(silent *h)
{
	atomic_store(&h->stop, 1);
	pthread_join(h->thread, NULL);
	close(h->listener);
}

/* The call failed as a timeout of `seconds`, named in the message. */
static void assert_timed_out(int rc, int seconds)
{
	char want[64];
	snprintf(want, sizeof(want), "timed out after %d s", seconds);
	assert_int_equal(rc, RUTA_EUNREACHABLE);
	if (!strstr(ruta_error_last()->message, want))
		fail_msg("wanted '%s' in: %s", want, ruta_error_last()->message);
}

/* Version 4 options with timeout 1: a pull and a sync from a silent hub
 * give up with RUTA_EUNREACHABLE, and nothing of the replica changes. The
 * second call runs on a libgit2 shut down and started again in between. */
static void test_silent_hub_times_out_and_changes_nothing(void **state)
{
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	char url[100], *before, *after;
	silent h;
	world w;
	(void)state;

	world_make(&w);
	silent_start(&h, url, sizeof(url));
	assert_int_equal(o.version, 4);
	o.hub = url;
	o.timeout = 1;
	before = db_fingerprint(ruta_replica_dir(w.team));
	assert_timed_out(ruta_pull(&res, w.team, &o), 1);
	assert_non_null(strstr(ruta_error_last()->message, url));
	assert_timed_out(ruta_sync(&res, w.team, &o), 1);
	assert_int_equal(res.apply.applied, 0);
	after = db_fingerprint(ruta_replica_dir(w.team));
	assert_string_equal(before, after);
	silent_stop(&h);

	/* the replica's own hub still serves it whole */
	ASSERT_OK(ruta_pull(&res, w.team, NULL));
	assert_int_equal(res.apply.applied, 3);
	free(before);
	free(after);
	world_free(&w);
}

/* A caller built against version 3 has no timeout field: whatever lies
 * there is not read. Version 4 values out of range are refused up front. */
static void test_timeout_versions_and_range(void **state)
{
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	world w;
	(void)state;

	world_make(&w);
	o.timeout = -1;
	assert_int_equal(ruta_pull(&res, w.team, &o), RUTA_EINVALID);
	assert_non_null(strstr(ruta_error_last()->message, "timeout"));
	o.timeout = RUTA_TIMEOUT_MAX + 1;
	assert_int_equal(ruta_sync(&res, w.team, &o), RUTA_EINVALID);
	assert_non_null(strstr(ruta_error_last()->message, "3600"));
	o.version = 3;   /* the field is past what it knows */
	ASSERT_OK(ruta_pull(&res, w.team, &o));
	assert_int_equal(res.apply.applied, 3);
	world_free(&w);
}

/* An audit's fetch from the silent hub times out the same way. */
static void test_audit_fetch_times_out(void **state)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	char url[100], *report = NULL;
	silent h;
	world w;
	(void)state;

	world_make(&w);
	silent_start(&h, url, sizeof(url));
	assert_int_equal(o.version, 3);
	o.hub = url;
	o.timeout = 1;
	assert_timed_out(ruta_audit_verify(&res, w.hq, &o), 1);
	ruta_audit_result_dispose(&res);
	assert_timed_out(ruta_audit_report(&report, w.hq, &o, RUTA_REPORT_JSON), 1);
	assert_null(report);
	o.timeout = -5;
	assert_int_equal(ruta_audit_verify(&res, w.hq, &o), RUTA_EINVALID);
	ruta_audit_result_dispose(&res);
	silent_stop(&h);
	world_free(&w);
}

/* git daemon serving the world's hub on 127.0.0.1; its URL into url. */
static pid_t daemon_start(world *w, char *url, size_t size)
{
	struct sockaddr_in a;
	char port_arg[32], base_arg[700];
	int port = 20000 + (int)(getpid() % 20000), i, fd, up = 0;
	pid_t pid;

	snprintf(port_arg, sizeof(port_arg), "--port=%d", port);
	snprintf(base_arg, sizeof(base_arg), "--base-path=%s", w->tmp);
	if ((pid = fork()) == 0) {
		setpgid(0, 0);   /* git daemon runs git-daemon: both stop together */
		execlp("git", "git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
			port_arg, base_arg, w->tmp, (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 100 && !up; i++) {   /* until it accepts */
		assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
		up = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (!up)
			nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	}
	assert_true(up);
	snprintf(url, size, "git://127.0.0.1:%d/hub.git", port);
	return pid;
}

/* An audit fetches a hub by URL with progress through the step callback,
 * which can cancel it; the next audit goes on. */
static void test_audit_fetch_reports_progress_and_cancels(void **state)
{
	ruta_audit_options o = RUTA_AUDIT_OPTIONS_INIT;
	ruta_audit_result res = RUTA_AUDIT_RESULT_INIT;
	steps s;
	char url[100];
	pid_t pid;
	world w;
	(void)state;

	world_make(&w);
	pid = daemon_start(&w, url, sizeof(url));
	memset(&s, 0, sizeof(s));
	s.cancel_on = "receiving";
	o.hub = url;
	o.step = step;
	o.payload = &s;
	/* the team has none of the hub's objects yet: they come over the wire */
	assert_int_equal(ruta_audit_verify(&res, w.team, &o), RUTA_ECANCELED);
	assert_non_null(strstr(ruta_error_last()->message, "cancelled"));
	assert_int_equal(s.cancelled, 1);
	ruta_audit_result_dispose(&res);
	memset(&s, 0, sizeof(s));
	ASSERT_OK(ruta_audit_verify(&res, w.team, &o));
	assert_true(s.calls > 0);
	assert_int_equal(res.problems, 0);
	ruta_audit_result_dispose(&res);
	kill(-pid, SIGTERM);
	waitpid(pid, NULL, 0);
	world_free(&w);
}

/* Two threads, each with its own handle and timeout, against the silent
 * hub at once: each gives up after its own. The shorter one starts first
 * and ends first, so that a timeout shared between threads (or a call
 * noting its timeout in another's handle) would show. */
typedef struct waiter {
	ruta_replica *r;
	const char *url;
	int timeout, rc;
	char message[1024];
} waiter;

static void *wait_out(void *arg)
{
	waiter *t = arg;
	ruta_sync_options o = RUTA_SYNC_OPTIONS_INIT;
	ruta_sync_result res = RUTA_SYNC_RESULT_INIT;
	o.hub = t->url;
	o.timeout = t->timeout;
	t->rc = ruta_pull(&res, t->r, &o);
	snprintf(t->message, sizeof(t->message), "%s", ruta_error_last()->message);
	return NULL;
}

static void test_each_thread_has_its_own_timeout(void **state)
{
	waiter a = { NULL, NULL, 2, 0, "" }, b = { NULL, NULL, 4, 0, "" };
	pthread_t ta, tb;
	char url[100];
	int i;
	silent h;
	world w;
	(void)state;

	world_make(&w);
	silent_start(&h, url, sizeof(url));
	a.r = w.team;
	b.r = w.hq;
	a.url = b.url = url;
	assert_int_equal(pthread_create(&ta, NULL, wait_out, &a), 0);
	for (i = 0; i < 1000 && atomic_load(&h.accepted) == 0; i++)
		usleep(10000);   /* until a is connected and waiting */
	assert_int_equal(pthread_create(&tb, NULL, wait_out, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.rc, RUTA_EUNREACHABLE);
	if (!strstr(a.message, "timed out after 2 s"))
		fail_msg("first thread: %s", a.message);
	assert_int_equal(b.rc, RUTA_EUNREACHABLE);
	if (!strstr(b.message, "timed out after 4 s"))
		fail_msg("second thread: %s", b.message);
	silent_stop(&h);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cancel_at_first_receive_changes_nothing),
		cmocka_unit_test(test_cancel_between_changesets_keeps_whole_ones),
		cmocka_unit_test(test_cancel_while_sending_pushes_nothing_then_resumes),
		cmocka_unit_test(test_version_2_options_still_accepted),
		cmocka_unit_test(test_second_handle_sync_is_locked_out),
		cmocka_unit_test(test_silent_hub_times_out_and_changes_nothing),
		cmocka_unit_test(test_timeout_versions_and_range),
		cmocka_unit_test(test_audit_fetch_times_out),
		cmocka_unit_test(test_audit_fetch_reports_progress_and_cancels),
		cmocka_unit_test(test_each_thread_has_its_own_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
