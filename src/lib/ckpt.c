/*
 * ckpt.c - copies a replica's WAL into its database file on a thread of its
 * own, so a commit does not wait for the copy.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL
 * past 1,000 frames: that commit copies every page the last few transactions
 * wrote, then syncs the file, and applying a changeset spent about a fifth
 * of its time there. Both ruta connections of a replica hand that work to
 * this thread instead, at the same threshold: a PASSIVE checkpoint on a
 * third connection, which never blocks a writer or a reader, while the
 * apply goes on. Other writers to the file (an app) keep SQLite's own
 * checkpoints. If the thread cannot start, the commit checkpoints as SQLite
 * would have. The thread starts at the first checkpoint due, so a short
 * command never has one; it is stopped and joined before the replica's
 * connections close, and the last close checkpoints whatever is left.
 * Past four times that threshold a commit waits for the copy, which keeps
 * the WAL bounded under a writer that never pauses (on_commit).
 * A checkpoint's failure is not an error: the WAL keeps the pages, and the
 * next checkpoint, or the close, copies them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* SQLite's default for wal_autocheckpoint, in frames (pages). */
#define CKPT_FRAMES 1000
/* Past this, a commit waits for the copy (on_commit). */
#define CKPT_WAIT (4 * CKPT_FRAMES)

struct ruta_ckpt {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int asked;          /* a checkpoint is due */
	int busy;           /* one is running */
	int stop;
	unsigned long done; /* checkpoints run, for ruta_ckpt__idle */
	char *path;
	sqlite3 *db;        /* the thread's own connection */
};

static void checkpoint(ruta_ckpt *c)
{
	if (!c->db) {
		if (sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				NULL) != SQLITE_OK) {
			sqlite3_close(c->db);
			c->db = NULL;
			return;
		}
		/* the same syncs as a commit's own checkpoint would make */
		sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	}
	sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

static void *run(void *arg)
{
	ruta_ckpt *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->asked && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->asked = 0;
		c->busy = 1;
		pthread_mutex_unlock(&c->mu);
		checkpoint(c);
		pthread_mutex_lock(&c->mu);
		c->busy = 0;
		c->done++;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static int start(ruta_ckpt **out, sqlite3 *db)
{
	const char *path = sqlite3_db_filename(db, "main");
	ruta_ckpt *c;

	if (!path || !*path || !(c = calloc(1, sizeof(*c))))
		return -1;
	if (!(c->path = strdup(path)) || pthread_mutex_init(&c->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&c->cv, NULL) != 0)
		goto fail_mu;
	if (pthread_create(&c->thread, NULL, run, c) != 0)
		goto fail_cv;
	*out = c;
	return 0;
fail_cv:
	pthread_cond_destroy(&c->cv);
fail_mu:
	pthread_mutex_destroy(&c->mu);
fail:
	free(c->path);
	free(c);
	return -1;
}

/* SQLite's WAL hook: called after every commit on the connection, with the
 * WAL's length in frames and no lock held. */
static int on_commit(void *arg, sqlite3 *db, const char *schema, int frames)
{
	ruta_replica *r = arg;
	(void)schema;
	if (frames < CKPT_FRAMES)
		return SQLITE_OK;
	if (!r->ckpt && start(&r->ckpt, db) < 0) {
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	pthread_mutex_lock(&r->ckpt->mu);
	r->ckpt->asked = 1;
	pthread_cond_signal(&r->ckpt->cv);
	/* The WAL starts over only when a checkpoint has caught up with its
	 * end before the next write: a writer that never pauses (an apply of
	 * hundreds of changesets) would outrun the copy, and the WAL would
	 * grow with everything it wrote. Past CKPT_WAIT frames the commit
	 * waits for a copy that started after it, as SQLite's own would. */
	while (frames >= CKPT_WAIT && (r->ckpt->asked || r->ckpt->busy))
		pthread_cond_wait(&r->ckpt->cv, &r->ckpt->mu);
	pthread_mutex_unlock(&r->ckpt->mu);
	return SQLITE_OK;
}

void ruta_ckpt__attach(ruta_replica *r, sqlite3 *db)
{
	sqlite3_wal_hook(db, on_commit, r);
}

unsigned long ruta_ckpt__idle(ruta_replica *r)
{
	unsigned long done;
	if (!r->ckpt)
		return 0;
	pthread_mutex_lock(&r->ckpt->mu);
	while (r->ckpt->asked || r->ckpt->busy)
		pthread_cond_wait(&r->ckpt->cv, &r->ckpt->mu);
	done = r->ckpt->done;
	pthread_mutex_unlock(&r->ckpt->mu);
	return done;
}

void ruta_ckpt__stop(ruta_replica *r)
{
	ruta_ckpt *c = r->ckpt;
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c->path);
	free(c);
	r->ckpt = NULL;
}
