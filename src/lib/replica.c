/*
 * replica.c - creating, opening and describing a replica directory.
 *
 * A replica directory holds:
 *   ruta.db            the CRM and its sync state (SQLite, WAL)
 *   keys/replica.key   this replica's Ed25519 secret key (OpenSSH format, 0600)
 *   keys/replica.pub   its public key, commented with the replica id
 *   keys/root.key/.pub head office only: the root key that endorses teams
 * Creation is all or nothing: a failed init removes what it made.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "journal.h"
#include "trust.h"
#include "normalize.h"
#include "schema.h"

#define DB_FILE "ruta.db"

static char *path_join(const char *dir, const char *name)
{
	ruta_buf b = RUTA_BUF_INIT;
	ruta_buf__printf(&b, "%s/%s", dir, name);
	if (ruta_buf__check(&b) < 0)
		return NULL;
	return ruta_buf__detach(&b);
}

static int valid_team(const char *team)
{
	size_t i, n = strlen(team);
	if (n < 1 || n > 32 || team[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = team[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static int check_init_options(const ruta_init_options *o)
{
	char cc[3];
	if (o->version < 1 || o->version > RUTA_INIT_OPTIONS_VERSION)
		return ruta_error__set(RUTA_EINVALID, "init options version %u is not supported",
			o->version);
	if (o->head_office && o->team)
		return ruta_error__set(RUTA_EINVALID,
			"a replica is either head office or a team, not both");
	if (!o->head_office && !o->team)
		return ruta_error__set(RUTA_EINVALID,
			"say whose replica this is: a team name, or head office");
	if (o->team && strcmp(o->team, "hq") == 0)
		return ruta_error__set(RUTA_EINVALID, "team name 'hq' is head office's; choose another");
	if (o->team && !valid_team(o->team))
		return ruta_error__set(RUTA_EINVALID, "team name '%s' is not allowed "
			"(1-32 characters: a-z, 0-9 and '-', not starting with '-')", o->team);
	if (o->country && ruta_norm__country(cc, o->country) < 0)
		return ruta_error__prefix("country");
	if (o->head_office && o->root_key)
		return ruta_error__set(RUTA_EINVALID, "head office makes its own root key; "
			"--root-key is for team replicas");
	if (o->hub_url && !*o->hub_url)
		return ruta_error__set(RUTA_EINVALID, "hub url is empty");
	return 0;
}

/* A directory we may create a replica in: missing, or present and empty. */
static int check_target(int *created, const char *dir)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int empty = 1;

	*created = 0;
	if (stat(dir, &st) < 0) {
		if (errno != ENOENT)
			return ruta_error__set(RUTA_ERROR, "cannot use '%s': %s", dir, strerror(errno));
		if (mkdir(dir, 0755) < 0)
			return ruta_error__set(RUTA_ERROR, "cannot create '%s': %s", dir, strerror(errno));
		*created = 1;
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return ruta_error__set(RUTA_EEXISTS, "'%s' exists and is not a directory", dir);
	if (!(d = opendir(dir)))
		return ruta_error__set(RUTA_ERROR, "cannot read '%s': %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = 0;
			if (strcmp(e->d_name, DB_FILE) == 0) {
				closedir(d);
				return ruta_error__set(RUTA_EEXISTS,
					"'%s' already holds a replica; nothing was changed", dir);
			}
		}
	}
	closedir(d);
	if (!empty)
		return ruta_error__set(RUTA_EEXISTS,
			"'%s' is not empty; give a new or empty directory", dir);
	return 0;
}

/* Removes what a failed init created, newest first. */
static void undo_init(const char *dir, int created_dir)
{
	static const char *const files[] = { "ruta.db-wal", "ruta.db-shm", DB_FILE,
		"keys/root.pub", "keys/root.key", "keys/replica.pub", "keys/replica.key" };
	size_t i;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = path_join(dir, files[i]);
		if (p)
			unlink(p);
		free(p);
	}
	{
		char *k = path_join(dir, "keys");
		if (k)
			rmdir(k);
		free(k);
	}
	if (created_dir)
		rmdir(dir);
}

/* "<team>-<10 base32 characters>": readable in branch names and logs, and
 * 50 random bits keep two devices of one team apart. */
static int make_replica_id(char **out, const char *team)
{
	static const char alpha[] = "0123456789abcdefghjkmnpqrstvwxyz";
	unsigned char rnd[10];
	char suffix[11];
	ruta_buf b = RUTA_BUF_INIT;
	int i;

	ruta_crypto__random(rnd, sizeof(rnd));
	for (i = 0; i < 10; i++)
		suffix[i] = alpha[rnd[i] & 31];
	suffix[10] = '\0';
	ruta_buf__printf(&b, "%s-%s", team ? team : "hq", suffix);
	if (ruta_buf__check(&b) < 0)
		return RUTA_ENOMEM;
	*out = ruta_buf__detach(&b);
	return 0;
}

static int read_text_file(char **out, const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	ruta_buf b = RUTA_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return ruta_error__set(errno == ENOENT ? RUTA_ENOTFOUND : RUTA_ERROR,
			"cannot read '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		ruta_buf__put(&b, chunk, n);
		if (b.len > max) {
			fclose(f);
			ruta_buf__dispose(&b);
			return ruta_error__set(RUTA_EINVALID, "'%s' is too large for a key file", path);
		}
	}
	fclose(f);
	if (ruta_buf__check(&b) < 0)
		return RUTA_ENOMEM;
	*out = ruta_buf__detach(&b);
	return 0;
}

static int make_keys(ruta_replica *r, int head_office)
{
	char *keys = path_join(r->dir, "keys");
	char *sk = NULL, *pk = NULL, *comment = NULL;
	int err = 0;

	if (!keys)
		return ruta_error__oom();
	if (mkdir(keys, 0700) < 0) {
		err = ruta_error__set(RUTA_ERROR, "cannot create '%s': %s", keys, strerror(errno));
		goto done;
	}
	sk = path_join(keys, "replica.key");
	pk = path_join(keys, "replica.pub");
	if (!sk || !pk) {
		err = ruta_error__oom();
		goto done;
	}
	if ((err = ruta_crypto__keygen(sk, pk, r->id)) < 0 || !head_office)
		goto done;
	free(sk);
	free(pk);
	sk = path_join(keys, "root.key");
	pk = path_join(keys, "root.pub");
	comment = path_join("ruta-root", r->id);   /* "ruta-root/<hq id>" */
	if (!sk || !pk || !comment)
		err = ruta_error__oom();
	else
		err = ruta_crypto__keygen(sk, pk, comment);
done:
	free(keys);
	free(sk);
	free(pk);
	free(comment);
	return err;
}

static int pin_root_key(sqlite3 *db, const char *path)
{
	unsigned char pk[RUTA_PK_BYTES];
	char *text = NULL;
	int err;

	if ((err = read_text_file(&text, path, 16384)) < 0)
		return err;
	/* One key, one line: what follows the first line is not ours to pin. */
	text[strcspn(text, "\r\n")] = '\0';
	if ((err = ruta_crypto__parse_public(pk, text)) < 0)
		ruta_error__prefix("root key '%s'", path);
	else
		err = ruta_db__meta_set(db, "root_key", text);
	free(text);
	return err;
}

static int write_meta(ruta_replica *r, const ruta_init_options *o)
{
	int err = 0;
	char cc[3];

	if ((err = ruta_db__meta_set(r->db, "replica_id", r->id)) < 0)
		return err;
	if ((err = ruta_db__meta_set(r->db, "role", o->head_office ? "head_office" : "team")) < 0)
		return err;
	if (o->team && (err = ruta_db__meta_set(r->db, "team", o->team)) < 0)
		return err;
	if (o->country && ruta_norm__country(cc, o->country) == 0 &&
			(err = ruta_db__meta_set(r->db, "country", cc)) < 0)
		return err;
	if (o->hub_url) {
		char *abs = NULL;
		if ((err = ruta_sync__hub_url(&abs, o->hub_url)) == 0)
			err = ruta_db__meta_set(r->db, "hub_url", abs);
		free(abs);
		if (err < 0)
			return err;
	}
	if (o->root_key && (err = pin_root_key(r->db, o->root_key)) < 0)
		return err;
	return 0;
}

static int load_meta(ruta_replica *r)
{
	char *role = NULL;
	int err;

	if ((err = ruta_db__meta_get(&r->id, r->db, "replica_id")) < 0 ||
			(err = ruta_db__meta_get(&role, r->db, "role")) < 0 ||
			(err = ruta_db__meta_get(&r->team, r->db, "team")) < 0 ||
			(err = ruta_db__meta_get(&r->country, r->db, "country")) < 0)
		goto done;
	if (!r->id || !role)
		err = ruta_error__set(RUTA_ENOTREPLICA,
			"'%s' has a ruta.db without a replica identity; it was not made by ruta init",
			r->dir);
	else
		r->head_office = strcmp(role, "head_office") == 0;
done:
	free(role);
	return err;
}

/* Migrations only ever run on a file ruta init made (schema 1 or later). */
static int check_is_replica(ruta_replica *r)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL), v = 0;
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return ruta_error__sqlite(r->db, rc, "reading the replica database");
	if (v < 1)
		return ruta_error__set(RUTA_ENOTREPLICA, "'%s/ruta.db' was not made by ruta init; "
			"it was left untouched", r->dir);
	return 0;
}

static int replica_alloc(ruta_replica **out, const char *dir)
{
	ruta_replica *r = calloc(1, sizeof(*r));
	if (!r || !(r->dir = strdup(dir))) {
		free(r);
		return ruta_error__oom();
	}
	*out = r;
	return 0;
}

int ruta_replica_init(ruta_replica **out, const char *dir, const ruta_init_options *opts)
{
	ruta_init_options defaults = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char *dbpath = NULL;
	int created = 0, err;

	ruta_error__clear();
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((err = check_init_options(opts)) < 0 || (err = ruta_crypto__init()) < 0)
		return err;
	if ((err = check_target(&created, dir)) < 0)
		return err;
	if ((err = replica_alloc(&r, dir)) < 0)
		goto fail;
	if ((err = make_replica_id(&r->id, opts->team)) < 0 || (err = make_keys(r, opts->head_office)) < 0)
		goto fail;
	if (!(dbpath = path_join(dir, DB_FILE))) {
		err = ruta_error__oom();
		goto fail;
	}
	if ((err = ruta_db__open(&r->db, r, dbpath, 1, 0)) < 0 ||
			(err = ruta_schema__migrate(r->db)) < 0 ||
			(err = write_meta(r, opts)) < 0)
		goto fail;
	free(r->id);
	r->id = NULL;
	if ((err = load_meta(r)) < 0)
		goto fail;
	/* Head office starts the trust file: version 1 endorses its own key. */
	if (r->head_office && (err = ruta_trust__create(r)) < 0)
		goto fail;
	free(dbpath);
	*out = r;
	return 0;
fail:
	ruta_replica_free(r);
	free(dbpath);
	undo_init(dir, created);
	return err;
}

int ruta_replica_open(ruta_replica **out, const char *dir, const ruta_open_options *opts)
{
	ruta_replica *r = NULL;
	char *dbpath = NULL;
	struct stat st;
	int err;

	ruta_error__clear();
	*out = NULL;
	if (opts && (opts->version < 1 || opts->version > RUTA_OPEN_OPTIONS_VERSION))
		return ruta_error__set(RUTA_EINVALID, "open options version %u is not supported",
			opts->version);
	if ((err = ruta_crypto__init()) < 0 || (err = replica_alloc(&r, dir)) < 0)
		return err;
	if (opts && opts->version >= 2) {
		r->passphrase = opts->passphrase;
		r->passphrase_payload = opts->passphrase_payload;
	}
	if (!(dbpath = path_join(dir, DB_FILE))) {
		err = ruta_error__oom();
		goto fail;
	}
	if (stat(dbpath, &st) < 0) {
		err = ruta_error__set(RUTA_ENOTREPLICA, "no ruta replica in '%s' (create one with "
			"'ruta init DIR', or point to one with -C DIR or RUTA_DIR)", dir);
		goto fail;
	}
	r->busy_ms = opts ? opts->busy_timeout_ms : 0;
	if ((err = ruta_db__open(&r->db, r, dbpath, 0, r->busy_ms)) < 0 ||
			(err = check_is_replica(r)) < 0 ||
			(err = ruta_schema__migrate(r->db)) < 0 || (err = load_meta(r)) < 0)
		goto fail;
	free(dbpath);
	*out = r;
	return 0;
fail:
	free(dbpath);
	ruta_replica_free(r);
	return err;
}

void ruta_replica_free(ruta_replica *r)
{
	if (!r)
		return;
	ruta_db__close(r);
	free(r->dir);
	free(r->id);
	free(r->team);
	free(r->country);
	free(r);
}

const char *ruta_replica_id(const ruta_replica *r)
{
	return r->id;
}

const char *ruta_replica_team(const ruta_replica *r)
{
	return r->team;
}

const char *ruta_replica_dir(const ruta_replica *r)
{
	return r->dir;
}

int ruta_replica_is_head_office(const ruta_replica *r)
{
	return r->head_office;
}

int ruta_replica_public_key(char **out, ruta_replica *r, int root)
{
	char *path;
	int err;

	ruta_error__clear();
	*out = NULL;
	if (root && !r->head_office) {
		/* A team has head office's key only as pinned at init. */
		char *line = NULL;
		if ((err = ruta_db__meta_get(&line, r->db, "root_key")) < 0)
			return err;
		if (line) {
			ruta_buf b = RUTA_BUF_INIT;
			ruta_buf__printf(&b, "%s\n", line);
			free(line);
			if ((err = ruta_buf__check(&b)) == 0)
				*out = ruta_buf__detach(&b);
			return err;
		}
		return ruta_error__set(RUTA_ENOTFOUND, "team '%s' has no root key pinned "
			"(ruta init --root-key FILE pins one)", r->team);
	}
	if (!(path = path_join(r->dir, root ? "keys/root.pub" : "keys/replica.pub")))
		return ruta_error__oom();
	err = read_text_file(out, path, 16384);
	free(path);
	return err;
}

static const char status_sql[] =
	"SELECT (SELECT count(*) FROM ruta_change WHERE seq > s.exported_seq), s.hlc,"
	" (SELECT count(*) FROM account WHERE deleted_at IS NULL)"
	" + (SELECT count(*) FROM contact WHERE deleted_at IS NULL)"
	" + (SELECT count(*) FROM opportunity WHERE deleted_at IS NULL)"
	" + (SELECT count(*) FROM activity WHERE deleted_at IS NULL)"
	" + (SELECT count(*) FROM offer WHERE deleted_at IS NULL)"
	" FROM ruta_sync_state AS s WHERE s.k = 0";

static const char status2_sql[] =
	"SELECT (SELECT count(*) FROM ruta_changeset),"
	" coalesce((SELECT seq FROM ruta_frontier WHERE replica = ?1), 0),"
	" (SELECT count(*) FROM ruta_pending), (SELECT count(*) FROM ruta_quarantine),"
	" coalesce((SELECT max(version) FROM ruta_trust), 0)";

static const char status3_sql[] = "SELECT (SELECT count(*) FROM ruta_conflict WHERE review >= 0),"
	" (SELECT count(*) FROM ruta_skew), coalesce((SELECT max(ahead_ms) FROM ruta_skew), 0)";

/* This replica's own key, as the trust file in force judges it. */
static const char key_state_sql[] =
	"SELECT CASE WHEN revoked_after IS NOT NULL THEN 2 WHEN expired_after IS NOT NULL THEN 3"
	" WHEN valid_before < strftime('%Y-%m-%dT%H:%M:%SZ', 'now') THEN 3 ELSE 1 END,"
	" coalesce(revoked_after, expired_after, -1), coalesce(valid_before, '')"
	" FROM ruta_key WHERE pk = ?1"
	" UNION ALL SELECT 4, after_seq, '' FROM ruta_key_replaced WHERE pk = ?1 LIMIT 1";

static int key_state(ruta_status *out, ruta_replica *r)
{
	unsigned char pk[RUTA_PK_BYTES];
	sqlite3_stmt *st;
	char *line = NULL;
	int err;

	out->key_state = RUTA_KEY_UNTRUSTED;
	out->key_after = -1;
	out->key_until[0] = '\0';
	if ((err = ruta_replica_public_key(&line, r, 0)) < 0)
		return err;
	err = ruta_crypto__parse_public(pk, line);
	free(line);
	if (err < 0 || (err = ruta_db__stmt(&st, r, key_state_sql)) < 0)
		return err;
	sqlite3_bind_blob(st, 1, pk, RUTA_PK_BYTES, SQLITE_TRANSIENT);
	if ((err = ruta_db__step(r, st)) == SQLITE_ROW) {
		out->key_state = sqlite3_column_int(st, 0);
		out->key_after = sqlite3_column_int64(st, 1);
		snprintf(out->key_until, sizeof(out->key_until), "%s", sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	return err < 0 ? err : 0;
}

int ruta_replica_status(ruta_status *out, ruta_replica *r)
{
	sqlite3_stmt *st;
	int err;

	ruta_error__clear();
	if (out->version < 1 || out->version > RUTA_STATUS_VERSION)
		return ruta_error__set(RUTA_EINVALID, "status version %u is not supported", out->version);
	/* Stamp first, so the last HLC covers every captured change. */
	if ((err = ruta_journal__stamp(r)) < 0 || (err = ruta_db__stmt(&st, r, status_sql)) < 0)
		return err;
	if ((err = ruta_db__step(r, st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return err < 0 ? err : ruta_error__set(RUTA_ERROR, "the replica has no sync state");
	}
	out->unexported = sqlite3_column_int64(st, 0);
	out->last_hlc = (uint64_t)sqlite3_column_int64(st, 1);
	out->records = sqlite3_column_int64(st, 2);
	out->schema_version = ruta_schema__latest();
	sqlite3_reset(st);
	if (out->version < 2)
		return 0;
	if ((err = ruta_db__stmt(&st, r, status2_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	if ((err = ruta_db__step(r, st)) == SQLITE_ROW) {
		out->changesets = sqlite3_column_int64(st, 0);
		out->own_seq = sqlite3_column_int64(st, 1);
		out->waiting = sqlite3_column_int64(st, 2);
		out->quarantined = sqlite3_column_int64(st, 3);
		out->trust_version = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (err < 0 || out->version < 3)
		return err < 0 ? err : 0;
	if ((err = ruta_db__stmt(&st, r, status3_sql)) < 0)
		return err;
	if ((err = ruta_db__step(r, st)) == SQLITE_ROW) {
		out->skewed = sqlite3_column_int64(st, 1);
		out->skew_ahead_ms = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	/* the same count as the list: deletes against edits too */
	if (err < 0 || (err = ruta_conflicts_open(&out->conflicts, r)) < 0 || out->version < 4)
		return err < 0 ? err : 0;
	return key_state(out, r);
}

struct ruta_held_iter {
	ruta_replica *r;
	sqlite3_stmt *st;
};

static const char held_sql[] =
	"SELECT 1, replica || '-' || printf('%08d', seq) || '.json', reason, at, 0 FROM ruta_pending"
	" UNION ALL SELECT 0, name, reason, at, code FROM ruta_quarantine ORDER BY 4, 2";

int ruta_held_list(ruta_held_iter **out, ruta_replica *r)
{
	ruta_held_iter *it = calloc(1, sizeof(*it));
	int rc;
	ruta_error__clear();
	*out = NULL;
	if (!it)
		return ruta_error__oom();
	if ((rc = sqlite3_prepare_v2(r->db, held_sql, -1, &it->st, NULL)) != SQLITE_OK) {
		free(it);
		return ruta_error__sqlite(r->db, rc, "listing held changesets");
	}
	it->r = r;
	*out = it;
	return 0;
}

int ruta_held_next(ruta_held *out, ruta_held_iter *it)
{
	int rc = ruta_db__step(it->r, it->st);
	if (rc == SQLITE_DONE)
		return RUTA_ITEROVER;
	if (rc < 0)
		return rc;
	if (out->version < 1 || out->version > RUTA_HELD_VERSION)
		return ruta_error__set(RUTA_EINVALID, "held version %u is not supported", out->version);
	out->waiting = sqlite3_column_int(it->st, 0);
	out->name = (const char *)sqlite3_column_text(it->st, 1);
	out->reason = (const char *)sqlite3_column_text(it->st, 2);
	out->at = (const char *)sqlite3_column_text(it->st, 3);
	out->code = sqlite3_column_int(it->st, 4);
	return 0;
}

void ruta_held_iter_free(ruta_held_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->st);
	free(it);
}
