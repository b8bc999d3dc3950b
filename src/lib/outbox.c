/*
 * outbox.c - changesets and the trust file going out: as files in a
 * directory (a USB stick, a shared folder) or as one bundle stream.
 *
 * Files are written to a temporary name and renamed, so a reader never sees
 * half a changeset; one already there with the same bytes is left alone.
 * A replica's own changesets are marked written once a copy exists; with
 * `all`, everything the replica holds goes out, so a replica can relay others'
 * work (a team's laptop carrying head office's changesets to another team).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "changeset.h"
#include "trust.h"

typedef int (*emit_fn)(void *ctx, const char *name, const char *data, size_t len);

static const char own_sql[] = "SELECT replica, seq, body, sig FROM ruta_changeset"
	" WHERE replica = ?1 AND written = 0 ORDER BY seq";
static const char all_sql[] = "SELECT replica, seq, body, sig FROM ruta_changeset"
	" ORDER BY replica, seq";
static const char mark_sql[] = "UPDATE ruta_changeset SET written = 1 WHERE replica = ?1 AND written = 0";

/* The trust file goes out when it is newer than the last one written, so an
 * endorsement or revocation travels even without data changes. */
static int emit_trust(ruta_replica *r, int all, int mark, emit_fn emit, void *ctx)
{
	char *text = NULL, *sig = NULL, *done_v = NULL, name[64];
	long long v = 0;
	int err;
	if ((err = ruta_trust__current(&v, &text, &sig, r)) < 0 || v == 0 ||
			(err = ruta_db__meta_get(&done_v, r->db, "trust_written")) < 0)
		goto done;
	if (!all && done_v && strtoll(done_v, NULL, 10) >= v)
		goto done;
	snprintf(name, sizeof(name), "%lld", v);
	if (mark && (err = ruta_db__meta_set(r->db, "trust_written", name)) < 0)
		goto done;
	snprintf(name, sizeof(name), "ruta-trust-%08lld.txt", v);
	if ((err = emit(ctx, name, text, strlen(text))) == 0) {
		snprintf(name, sizeof(name), "ruta-trust-%08lld.txt.sig", v);
		err = emit(ctx, name, sig, strlen(sig));
	}
done:
	free(text);
	free(sig);
	free(done_v);
	return err;
}

/* `mark`: a copy now exists somewhere lasting (a directory), so the replica's
 * own changesets count as written; a bundle may die in its pipe. */
static int emit_all(size_t *count, ruta_replica *r, int all, int mark, emit_fn emit, void *ctx)
{
	sqlite3_stmt *st;
	int rc, err;

	*count = 0;
	if ((err = emit_trust(r, all, mark, emit, ctx)) < 0)
		return err;
	if ((err = ruta_db__stmt(&st, r, all ? all_sql : own_sql)) < 0)
		return err;
	if (!all)
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		char name[160], signame[170];
		ruta_changeset__name(name, sizeof(name), (const char *)sqlite3_column_text(st, 0),
			sqlite3_column_int64(st, 1));
		snprintf(signame, sizeof(signame), "%s.sig", name);
		if ((err = emit(ctx, name, sqlite3_column_blob(st, 2),
				(size_t)sqlite3_column_bytes(st, 2))) < 0 ||
				(err = emit(ctx, signame, (const char *)sqlite3_column_text(st, 3),
				(size_t)sqlite3_column_bytes(st, 3))) < 0)
			break;
		(*count)++;
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (err < 0 || !mark || (err = ruta_db__stmt(&st, r, mark_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* ---- a directory ---- */

static int same_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t off = 0, n;
	int same = 1;
	if (!f)
		return 0;
	while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		same = off + n <= len && memcmp(buf, data + off, n) == 0;
		off += n;
	}
	fclose(f);
	return same && off == len;
}

static int write_file(void *ctx, const char *name, const char *data, size_t len)
{
	const char *dir = ctx;
	char path[4200], tmp[4300];
	size_t off = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (same_file(path, data, len))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return ruta_error__set(RUTA_ERROR, "cannot write '%s': %s", tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(fd) < 0 || close(fd) < 0) {
		int e = errno;
		unlink(tmp);
		return ruta_error__set(RUTA_ERROR, "cannot write '%s': %s", path, strerror(e));
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return ruta_error__set(RUTA_ERROR, "cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

static int check_opts(const ruta_export_options *o)
{
	if (o && (o->version < 1 || o->version > RUTA_EXPORT_OPTIONS_VERSION))
		return ruta_error__set(RUTA_EINVALID, "export options version %u is not supported",
			o->version);
	return 0;
}

static int in_transaction(size_t *count, ruta_replica *r, const ruta_export_options *opts,
	int mark, emit_fn emit, void *ctx)
{
	int err;
	if ((err = check_opts(opts)) < 0 || (err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = emit_all(count, r, opts && opts->all, mark, emit, ctx)) == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	return err;
}

int ruta_export_dir(size_t *written, ruta_replica *r, const char *dir,
	const ruta_export_options *opts)
{
	ruta_error__clear();
	*written = 0;
	if (access(dir, W_OK) < 0)
		return ruta_error__set(RUTA_ENOTFOUND, "cannot write into '%s': %s (create the "
			"directory first)", dir, strerror(errno));
	return in_transaction(written, r, opts, 1, write_file, (void *)dir);
}

/* ---- a bundle ---- */

typedef struct stream {
	ruta_write_cb write;
	void *payload;
} stream;

static int stream_entry(void *ctx, const char *name, const char *data, size_t len)
{
	const stream *s = ctx;
	char head[300];
	int n = snprintf(head, sizeof(head), "%s %zu\n", name, len);
	if (s->write(head, (size_t)n, s->payload) || s->write(data, len, s->payload) ||
			s->write("\n", 1, s->payload))
		return ruta_error__set(RUTA_ECANCELED, "the bundle's reader stopped at '%s'", name);
	return 0;
}

int ruta_export_bundle_to(ruta_replica *r, ruta_write_cb write, void *payload,
	const ruta_export_options *opts)
{
	stream s = { write, payload };
	size_t count;
	ruta_error__clear();
	if (!write)
		return ruta_error__set(RUTA_EINVALID, "give a write callback for the bundle");
	if (write("ruta-bundle 1\n", 14, payload))
		return ruta_error__set(RUTA_ECANCELED, "the bundle's reader stopped at its start");
	return in_transaction(&count, r, opts, 0, stream_entry, &s);
}

/* ruta_export_bundle's writer: into memory. */
static int append(const char *data, size_t len, void *payload)
{
	ruta_buf *b = payload;
	ruta_buf__put(b, data, len);
	return ruta_buf__check(b) < 0;
}

int ruta_export_bundle(char **out, size_t *len, ruta_replica *r, const ruta_export_options *opts)
{
	ruta_buf b = RUTA_BUF_INIT;
	int err;

	*out = NULL;
	*len = 0;
	err = ruta_export_bundle_to(r, append, &b, opts);
	if (err == RUTA_ECANCELED && b.oom)
		err = ruta_error__oom();   /* the only reason this writer stops */
	if (err == 0) {
		*len = b.len;
		*out = ruta_buf__detach(&b);
	}
	ruta_buf__dispose(&b);
	return err;
}
