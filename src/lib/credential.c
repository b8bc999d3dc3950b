/* credential.c - a hub's user and password from git's own credential helpers.
 *
 * https hubs take a user and password. git users already keep theirs with
 * git's credential helpers (store, cache, libsecret, a company's own) or
 * type them at git's prompt, so ruta asks git the same way git itself does:
 * `git credential fill`, then `approve` or `reject` once the hub answered
 * (gitcredentials(7)). The password only ever passes through a pipe and
 * this struct, which is wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "credential.h"

extern char **environ;

/* A value git's credential protocol can carry: one line, no NUL. */
static int one_line(const char *s)
{
	return s && !strpbrk(s, "\n\r");
}

/* Writes all of `in` to fd without dying of SIGPIPE if git left early. */
static int write_all(int fd, const char *in, size_t n)
{
	sigset_t block, old, pending;
	struct timespec zero = { 0, 0 };
	int err = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	while (n > 0 && err == 0) {
		ssize_t w = write(fd, in, n);
		if (w < 0 && errno != EINTR)
			err = -1;
		else if (w > 0) {
			in += w;
			n -= (size_t)w;
		}
	}
	sigpending(&pending);
	if (sigismember(&pending, SIGPIPE) && !sigismember(&old, SIGPIPE))
		sigtimedwait(&block, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* Runs `git credential ACTION` with `in` on its stdin; its stdout into out
 * (NUL-terminated, cut at cap - 1) when out is given. 0 if git exited 0. */
static int run_git(const char *action, const char *in, char *out, size_t cap)
{
	char *argv[] = { "git", "credential", (char *)action, NULL }, sink[256];
	int to[2], from[2], status = 0, err = 0;
	posix_spawn_file_actions_t fa;
	size_t got = 0;
	pid_t pid;

	if (pipe(to) < 0)
		return -1;
	if (pipe(from) < 0) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	/* git prompts on the terminal itself; its complaints are not ours to print */
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, to[1]);
	posix_spawn_file_actions_addclose(&fa, from[0]);
	err = posix_spawnp(&pid, "git", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(to[0]);
	close(from[1]);
	if (err == 0) {
		err = write_all(to[1], in, strlen(in));
		close(to[1]);
		for (;;) {
			ssize_t r = out ? read(from[0], out + got, cap - 1 - got) :
				read(from[0], sink, sizeof(sink));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (out && (got += (size_t)r) >= cap - 1)
				break;
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	} else {
		close(to[1]);
	}
	close(from[0]);
	if (out)
		out[got] = '\0';
	return err == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The description git's credential protocol takes: url=, then what it gave. */
static void describe(char *buf, size_t cap, const ruta_cred *c, int with_secret)
{
	snprintf(buf, cap, "url=%s\n", c->url);
	if (c->user[0])
		snprintf(buf + strlen(buf), cap - strlen(buf), "username=%s\n", c->user);
	if (with_secret && c->password[0])
		snprintf(buf + strlen(buf), cap - strlen(buf), "password=%s\n", c->password);
	snprintf(buf + strlen(buf), cap - strlen(buf), "\n");
}

static void take(ruta_cred *c, const char *out)
{
	const char *p = out;
	while (*p) {
		size_t n = strcspn(p, "\n");
		if (strncmp(p, "username=", 9) == 0 && n - 9 < sizeof(c->user))
			snprintf(c->user, sizeof(c->user), "%.*s", (int)(n - 9), p + 9);
		else if (strncmp(p, "password=", 9) == 0 && n - 9 < sizeof(c->password))
			snprintf(c->password, sizeof(c->password), "%.*s", (int)(n - 9), p + 9);
		p += n + (p[n] == '\n');
	}
}

int ruta_cred__fill(ruta_cred *c, const char *url, const char *user)
{
	char in[2400], out[4096];
	int err;

	memset(c, 0, sizeof(*c));
	if (!one_line(url) || strlen(url) >= sizeof(c->url) || (user && (!one_line(user) ||
			strlen(user) >= sizeof(c->user))))
		return RUTA_ENOTFOUND;
	snprintf(c->url, sizeof(c->url), "%s", url);
	snprintf(c->user, sizeof(c->user), "%s", user ? user : "");
	describe(in, sizeof(in), c, 0);
	err = run_git("fill", in, out, sizeof(out));
	if (err == 0)
		take(c, out);
	explicit_bzero(out, sizeof(out));
	if (err < 0 || !c->user[0] || !c->password[0]) {
		explicit_bzero(c, sizeof(*c));
		return RUTA_ENOTFOUND;
	}
	c->filled = 1;
	return 0;
}

void ruta_cred__done(ruta_cred *c, int accepted)
{
	char in[3500];
	if (c->filled && accepted >= 0) {
		describe(in, sizeof(in), c, 1);
		run_git(accepted ? "approve" : "reject", in, NULL, 0);
		explicit_bzero(in, sizeof(in));
	}
	explicit_bzero(c, sizeof(*c));
}
