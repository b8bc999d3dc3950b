/*
 * snapshot.c - head office's signed snapshots of the CRM, and a new replica
 * starting from one instead of replaying the whole history.
 *
 * A snapshot is a manifest signed by head office's replica key (namespace
 * "ruta-snapshot") and chunks of records it names by hash (docs/format.md
 * §13). The manifest says which changesets the state covers (per replica:
 * the last seq and its hash), which hub commits head office had taken in,
 * and which changesets it held back (waiting or for an unknown key), so a
 * replica starting from it reads only the hub commits after those and
 * misses nothing. Records are read and written one chunk at a time, so
 * memory stays bounded whatever the size of the CRM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "changeset.h"
#include "crypto.h"
#include "journal.h"
#include "merge.h"
#include "schema.h"
#include "snapshot.h"
#include "trust.h"

#define FORMAT "ruta-snapshot/1"
#define CHUNK_RECORDS 2000
#define MAX_CHUNKS 100000
#define DIR "snapshot/"

/* ---- making one ---------------------------------------------------------------- */

typedef struct making {
	ruta_replica *r;
	ruta_snapshot_file_cb add;
	void *ctx;
	json_t *chunk, *chunks;
	int64_t records;
} making;

static int dump(char **out, size_t *len, json_t *v)
{
	if (!v || !(*out = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)))
		return ruta_error__oom();
	*len = strlen(*out);
	(*out)[(*len)++] = '\n';   /* json_dumps leaves room: its NUL becomes the newline */
	return 0;
}

static int flush_chunk(making *m)
{
	char path[64], hash[65], *body = NULL;
	size_t len = 0, n = json_array_size(m->chunk);
	int err;
	if (n == 0)
		return 0;
	if ((err = dump(&body, &len, m->chunk)) < 0)
		return err;
	ruta_crypto__sha256_hex(hash, body, len);
	snprintf(path, sizeof(path), DIR "records-%06zu.json", json_array_size(m->chunks) + 1);
	err = m->add(path, body, len, m->ctx);
	free(body);
	if (err == 0 && json_array_append_new(m->chunks, json_pack("{s:s, s:I}", "hash", hash,
			"records", (json_int_t)n)) < 0)
		err = ruta_error__oom();
	json_array_clear(m->chunk);
	return err;
}

/* One row as {"f": {col: [value, hlc]}, "id", "t"}; fields nobody ever set
 * (version 0) are left out, as are rows only of those (the seeded stages). */
static int add_row(making *m, const ruta_tabledef *t, sqlite3_stmt *st)
{
	json_t *f = json_object(), *rec;
	int i, n = sqlite3_column_count(st);
	char hlc[17];

	if (!f)
		return ruta_error__oom();
	for (i = 1; i + 1 < n; i += 2) {
		uint64_t v = (uint64_t)sqlite3_column_int64(st, i + 1);
		json_t *val;
		if (v == 0 && strcmp(sqlite3_column_name(st, i), "created_at") != 0)
			continue;
		ruta_hlc_format(hlc, v);
		if (!(val = ruta_json__column(st, i)) || json_object_set_new(f, sqlite3_column_name(st, i),
				json_pack("[o, s]", val, hlc)) < 0) {
			json_decref(f);
			return ruta_error__set(RUTA_ERROR, "%s %s holds a value that is not UTF-8 text",
				t->label, sqlite3_column_text(st, 0));
		}
	}
	/* created_at alone, at version 0: a seeded row nobody changed */
	if (json_object_size(f) == 1 && (uint64_t)sqlite3_column_int64(st, n - 3) == 0) {
		json_decref(f);
		return 0;
	}
	rec = json_pack("{s:o, s:s, s:s}", "f", f, "id", sqlite3_column_text(st, 0), "t", t->name);
	if (!rec || json_array_append_new(m->chunk, rec) < 0)
		return ruta_error__oom();
	m->records++;
	return json_array_size(m->chunk) >= CHUNK_RECORDS ? flush_chunk(m) : 0;
}

static int add_table(making *m, const ruta_tabledef *t)
{
	static const char *const tail[] = { "created_at", "deleted_at" };
	ruta_buf b = RUTA_BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = SQLITE_DONE, err;

	ruta_buf__puts(&b, "SELECT id");
	for (i = 0; i < t->ncols; i++)
		ruta_buf__printf(&b, ", %s, %s__v", t->cols[i].name, t->cols[i].name);
	for (i = 0; i < 2; i++)
		ruta_buf__printf(&b, ", %s, %s__v", tail[i], tail[i]);
	ruta_buf__printf(&b, " FROM %s ORDER BY id", t->name);
	if ((err = ruta_buf__check(&b)) < 0)
		return err;
	if ((rc = sqlite3_prepare_v2(m->r->db, b.ptr, -1, &st, NULL)) != SQLITE_OK)
		err = ruta_error__sqlite(m->r->db, rc, "making a snapshot");
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		err = add_row(m, t, st);
	if (err == 0 && rc != SQLITE_DONE)
		err = ruta_error__sqlite(m->r->db, rc, "making a snapshot");
	sqlite3_finalize(st);
	ruta_buf__dispose(&b);
	return err;
}

static const char covers_sql[] = "SELECT replica, seq, hash FROM ruta_frontier ORDER BY replica";
static const char held_sql[] = "SELECT body, sig FROM ruta_pending UNION ALL"
	" SELECT body, sig FROM ruta_quarantine WHERE retry > 0 AND length(body) > 0"
	" AND sig IS NOT NULL";

static int add_covers(json_t *man, ruta_replica *r, int64_t *total)
{
	json_t *covers = json_object(), *held = json_array();
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = 0;

	json_object_set_new(man, "covers", covers);
	json_object_set_new(man, "held", held);
	if (!covers || !held)
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, covers_sql)) < 0)
		return err;
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		*total += sqlite3_column_int64(st, 1);
		if (json_object_set_new(covers, (const char *)sqlite3_column_text(st, 0), json_pack(
				"{s:s, s:I}", "hash", sqlite3_column_text(st, 2), "seq",
				(json_int_t)sqlite3_column_int64(st, 1))) < 0)
			err = ruta_error__oom();
	}
	sqlite3_reset(st);
	if (err < 0 || rc < 0 || (err = ruta_db__stmt(&st, r, held_sql)) < 0)
		return err < 0 ? err : rc;
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		json_t *body = json_stringn(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		if (!body || json_array_append_new(held, json_pack("{s:o, s:s}", "body", body, "sig",
				sqlite3_column_text(st, 1))) < 0)
			err = ruta_error__oom();
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

/* The hub commits taken in, so a replica starting here walks only later ones. */
static int add_hub(json_t *man, ruta_replica *r, const char *url, const char *own_tip)
{
	json_t *hub = json_object();
	sqlite3_stmt *st = NULL;
	char prefix[2300], own[200];
	int rc = SQLITE_DONE, err = 0;

	json_object_set_new(man, "hub", hub);
	if (!hub)
		return ruta_error__oom();
	snprintf(own, sizeof(own), "ruta/%s", r->id);
	if (own_tip[0] && json_object_set_new(hub, own, json_string(own_tip)) < 0)
		return ruta_error__oom();
	snprintf(prefix, sizeof(prefix), "hub_seen:%s#", url);
	if ((rc = sqlite3_prepare_v2(r->db, "SELECT substr(key, length(?1) + 1), value FROM ruta_meta"
			" WHERE substr(key, 1, length(?1)) = ?1", -1, &st, NULL)) != SQLITE_OK)
		return ruta_error__sqlite(r->db, rc, "making a snapshot");
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *branch = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(branch, "ruta/trust") == 0 || strcmp(branch, RUTA_SNAPSHOT_BRANCH) == 0)
			continue;
		if (json_object_set_new(hub, branch, json_string((const char *)sqlite3_column_text(st, 1))) < 0)
			err = ruta_error__oom();
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = ruta_error__sqlite(r->db, rc, "making a snapshot");
	sqlite3_finalize(st);
	return err;
}

static int add_header(json_t *man, ruta_replica *r, const ruta_secret *sk, int64_t records)
{
	unsigned char pk[RUTA_PK_BYTES];
	char fp[RUTA_FINGERPRINT_MAX], hlc[17], state[65];
	long long trust = 0;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;

	if ((err = ruta_state__hash_locked(state, r)) < 0 ||
			(err = ruta_trust__current(&trust, NULL, NULL, r)) < 0 ||
			(err = ruta_db__stmt(&st, r, "SELECT hlc FROM ruta_sync_state WHERE k = 0")) < 0)
		return err;
	if ((rc = ruta_db__step(r, st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc < 0 ? rc : ruta_error__set(RUTA_ERROR, "the replica has no clock");
	}
	ruta_hlc_format(hlc, (uint64_t)sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	ruta_crypto__secret_public(pk, sk);
	ruta_crypto__fingerprint(fp, pk);
	if (json_object_set_new(man, "format", json_string(FORMAT)) < 0 ||
			json_object_set_new(man, "hlc", json_string(hlc)) < 0 ||
			json_object_set_new(man, "key", json_string(fp)) < 0 ||
			json_object_set_new(man, "records", json_integer(records)) < 0 ||
			json_object_set_new(man, "replica", json_string(r->id)) < 0 ||
			json_object_set_new(man, "state", json_string(state)) < 0 ||
			json_object_set_new(man, "trust", json_integer(trust)) < 0)
		return ruta_error__oom();
	return 0;
}

static int sign_manifest(making *m, json_t *man, const ruta_secret *sk)
{
	char *body = NULL, *sig = NULL;
	size_t len = 0;
	int err;
	if ((err = dump(&body, &len, man)) == 0 &&
			(err = m->add(DIR "manifest.json", body, len, m->ctx)) == 0 &&
			(err = ruta_crypto__sshsig_sign(&sig, sk, RUTA_NS_SNAPSHOT, body, len)) == 0)
		err = m->add(DIR "manifest.json.sig", sig, strlen(sig), m->ctx);
	free(body);
	free(sig);
	return err;
}

static int make_locked(making *m, ruta_replica *r, const char *url, const char *own_tip,
	const ruta_secret *sk, int64_t *covered)
{
	json_t *man = json_object();
	size_t i;
	int err = 0;

	if (!man)
		return ruta_error__oom();
	/* Local edits get their versions: the state is then what it says. */
	if ((err = ruta_journal__stamp_locked(r)) < 0)
		goto done;
	for (i = 0; i < ruta_schema__ntables && err == 0; i++)
		err = add_table(m, &ruta_schema__tables[i]);
	if (err == 0 && (err = flush_chunk(m)) == 0 &&
			json_object_set(man, "chunks", m->chunks) < 0)
		err = ruta_error__oom();
	if (err == 0) {
		json_t *open = NULL;
		if ((err = ruta_merge__open_json(&open, r)) == 0 &&
				json_object_set_new(man, "conflicts", open) < 0)
			err = ruta_error__oom();
		else if (err < 0)
			json_decref(open);
	}
	if (err == 0 && (err = add_covers(man, r, covered)) == 0 &&
			(err = add_hub(man, r, url, own_tip)) == 0 &&
			(err = add_header(man, r, sk, m->records)) == 0)
		err = sign_manifest(m, man, sk);
done:
	json_decref(man);
	return err;
}

int ruta_snapshot__make(int64_t *records, int64_t *covered, ruta_replica *r, const char *url,
	const char *own_tip, const ruta_secret *sk, ruta_snapshot_file_cb add, void *ctx)
{
	making m;
	int err;

	memset(&m, 0, sizeof(m));
	m.r = r;
	m.add = add;
	m.ctx = ctx;
	*records = *covered = 0;
	if (!(m.chunk = json_array()) || !(m.chunks = json_array())) {
		json_decref(m.chunk);
		return ruta_error__oom();
	}
	if ((err = ruta_db__begin(r)) == 0) {
		err = make_locked(&m, r, url, own_tip, sk, covered);
		if (err == 0)
			err = ruta_db__commit(r);
		else
			ruta_db__rollback(r);
	}
	*records = m.records;
	json_decref(m.chunk);
	json_decref(m.chunks);
	return err;
}

/* ---- starting from one --------------------------------------------------------- */

typedef struct starting {
	ruta_replica *r;
	const char *url;
	char *manifest;
	size_t manifest_len;
	json_t *man;           /* once verified */
	size_t next_chunk;
	int64_t records;
	int err;
} starting;

static const char signer_sql[] = "SELECT principal, team, fingerprint, revoked_after"
	" FROM ruta_key WHERE pk = ?1";

static int check_signer(ruta_replica *r, const unsigned char pk[RUTA_PK_BYTES], json_t *man)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = 0;
	if ((err = ruta_db__stmt(&st, r, signer_sql)) < 0)
		return err;
	sqlite3_bind_blob(st, 1, pk, RUTA_PK_BYTES, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) != SQLITE_ROW)
		err = rc < 0 ? rc : ruta_error__set(RUTA_EVERIFY, "the snapshot is signed by a key no "
			"trust file endorses");
	else if (strcmp((const char *)sqlite3_column_text(st, 1), "hq") != 0 ||
			sqlite3_column_type(st, 3) != SQLITE_NULL)
		err = ruta_error__set(RUTA_EVERIFY, "the snapshot is signed by replica %s, which is not "
			"head office in force", sqlite3_column_text(st, 0));
	else if (strcmp((const char *)sqlite3_column_text(st, 0),
			json_string_value(json_object_get(man, "replica"))) != 0 ||
			strcmp((const char *)sqlite3_column_text(st, 2),
			json_string_value(json_object_get(man, "key"))) != 0)
		err = ruta_error__set(RUTA_EVERIFY, "the snapshot names another replica or key than "
			"the one that signed it");
	sqlite3_reset(st);
	return err;
}

static int is_hex_text(json_t *v, size_t n)
{
	const char *s = json_string_value(v);
	size_t i;
	if (!s || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Every part of the manifest a replica acts on, checked before any use. */
static int check_manifest(json_t *man)
{
	const char *k;
	json_t *v;
	size_t i;
	uint64_t hlc;

	if (!json_is_object(man) || !json_is_string(json_object_get(man, "format")) ||
			strcmp(json_string_value(json_object_get(man, "format")), FORMAT) != 0)
		return ruta_error__set(RUTA_EINVALID, "not a snapshot of format " FORMAT);
	if (!json_is_string(json_object_get(man, "replica")) || !json_is_string(json_object_get(man, "key")) ||
			!is_hex_text(json_object_get(man, "state"), 64) ||
			!is_hex_text(json_object_get(man, "hlc"), 16) ||
			ruta_hlc__parse(&hlc, json_string_value(json_object_get(man, "hlc"))) < 0 ||
			!json_is_array(json_object_get(man, "chunks")) ||
			json_array_size(json_object_get(man, "chunks")) > MAX_CHUNKS ||
			!json_is_object(json_object_get(man, "covers")) ||
			!json_is_object(json_object_get(man, "hub")) ||
			!json_is_array(json_object_get(man, "held")) ||
			(json_object_get(man, "conflicts") && !json_is_array(json_object_get(man, "conflicts"))))
		return ruta_error__set(RUTA_EINVALID, "the snapshot manifest lacks a field or has one "
			"of the wrong type");
	json_array_foreach(json_object_get(man, "chunks"), i, v)
		if (!is_hex_text(json_object_get(v, "hash"), 64))
			return ruta_error__set(RUTA_EINVALID, "snapshot chunk %zu has no hash", i + 1);
	json_object_foreach(json_object_get(man, "covers"), k, v)
		if (strlen(k) == 0 || strlen(k) > 64 || !is_hex_text(json_object_get(v, "hash"), 64) ||
				!json_is_integer(json_object_get(v, "seq")) ||
				json_integer_value(json_object_get(v, "seq")) < 1)
			return ruta_error__set(RUTA_EINVALID, "the snapshot's coverage of replica %.64s is "
				"malformed", k);
	json_object_foreach(json_object_get(man, "hub"), k, v)
		if (strncmp(k, "ruta/", 5) != 0 || strlen(k) > 200 || !is_hex_text(v, 40))
			return ruta_error__set(RUTA_EINVALID, "the snapshot's hub commit for %.64s is "
				"malformed", k);
	json_array_foreach(json_object_get(man, "held"), i, v)
		if (!json_is_string(json_object_get(v, "body")) || !json_is_string(json_object_get(v, "sig")))
			return ruta_error__set(RUTA_EINVALID, "the snapshot's held changeset %zu is "
				"malformed", i + 1);
	return 0;
}

static int take_manifest(starting *s, const char *sig, size_t siglen)
{
	unsigned char pk[RUTA_PK_BYTES];
	json_error_t jerr;
	int err;
	if (!s->manifest)
		return ruta_error__set(RUTA_EINVALID, "the snapshot has a signature but no manifest");
	if ((err = ruta_crypto__sshsig_verify(pk, sig, siglen, RUTA_NS_SNAPSHOT, s->manifest,
			s->manifest_len)) < 0)
		return ruta_error__prefix("snapshot manifest");
	if (!(s->man = json_loadb(s->manifest, s->manifest_len, JSON_REJECT_DUPLICATES, &jerr)))
		return ruta_error__set(RUTA_EINVALID, "the snapshot manifest is not JSON: %s", jerr.text);
	if ((err = check_manifest(s->man)) < 0)
		return err;
	return check_signer(s->r, pk, s->man);
}

static int take_chunk(starting *s, const char *data, size_t len)
{
	json_t *want = json_array_get(json_object_get(s->man, "chunks"), s->next_chunk), *recs, *rec;
	uint64_t hi = 0;
	char hash[65];
	json_error_t jerr;
	size_t i;
	int err = 0;

	if (!want)
		return ruta_error__set(RUTA_EINVALID, "the snapshot holds more chunks than it names");
	ruta_crypto__sha256_hex(hash, data, len);
	if (strcmp(hash, json_string_value(json_object_get(want, "hash"))) != 0)
		return ruta_error__set(RUTA_EVERIFY, "snapshot chunk %zu is not the one the signed "
			"manifest names", s->next_chunk + 1);
	s->next_chunk++;
	if (!(recs = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) || !json_is_array(recs)) {
		json_decref(recs);
		return ruta_error__set(RUTA_EINVALID, "snapshot chunk %zu is not a JSON array",
			s->next_chunk);
	}
	ruta_hlc__parse(&hi, json_string_value(json_object_get(s->man, "hlc")));
	json_array_foreach(recs, i, rec) {
		if ((err = ruta_changeset__check_state_record(rec, hi, (size_t)s->records)) < 0 ||
				(err = ruta_apply__record(NULL, s->r, rec)) < 0)
			break;
		s->records++;
	}
	json_decref(recs);
	return err;
}

/* Tree entries come sorted: manifest.json, its .sig, then records-*.json in
 * order, so the manifest is verified before any record is read. */
static int take_file(const char *commit, const char *path, const char *data, size_t len, void *p)
{
	starting *s = p;
	(void)commit;
	if (s->err)
		return s->err;
	if (strcmp(path, "manifest.json") == 0) {
		free(s->manifest);
		if (len > RUTA_CS_MAX_BYTES || !(s->manifest = malloc(len + 1)))
			return s->err = ruta_error__set(RUTA_EINVALID, "the snapshot manifest is too large");
		memcpy(s->manifest, data, len);
		s->manifest_len = len;
	} else if (strcmp(path, "manifest.json.sig") == 0) {
		s->err = take_manifest(s, data, len);
	} else if (strncmp(path, "records-", 8) == 0) {
		s->err = s->man ? take_chunk(s, data, len) :
			ruta_error__set(RUTA_EINVALID, "snapshot records come before a signed manifest");
	}
	return s->err;
}

static const char frontier_sql[] = "INSERT INTO ruta_frontier(replica, seq, hash) VALUES (?1, ?2, ?3)"
	" ON CONFLICT(replica) DO UPDATE SET seq = excluded.seq, hash = excluded.hash";
static const char held_put_sql[] = "INSERT OR IGNORE INTO ruta_pending(hash, replica, seq, body,"
	" sig, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, 'held by head office when it made the"
	" snapshot', strftime('%Y-%m-%dT%H:%M:%SZ','now'))";

static const char own_sql[] = "SELECT hash FROM ruta_changeset WHERE replica = ?1 AND seq = ?2";

static int check_own(starting *s, json_t *v)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	if ((err = ruta_db__stmt(&st, s->r, own_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, s->r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, json_integer_value(json_object_get(v, "seq")));
	rc = ruta_db__step(s->r, st);
	if (rc == SQLITE_DONE)
		err = ruta_error__set(RUTA_EVERIFY, "the snapshot claims changeset %lld of this very "
			"replica, which it never made", (long long)json_integer_value(json_object_get(v, "seq")));
	else if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0),
			json_string_value(json_object_get(v, "hash"))) != 0)
		err = ruta_error__set(RUTA_EVERIFY, "the snapshot names another changeset %lld of this "
			"replica than the one it made", (long long)json_integer_value(json_object_get(v, "seq")));
	sqlite3_reset(st);
	return rc < 0 ? rc : err;
}

static int put_frontier(starting *s)
{
	sqlite3_stmt *st;
	const char *k;
	json_t *v;
	int rc = SQLITE_DONE, err;
	json_object_foreach(json_object_get(s->man, "covers"), k, v) {
		/* this replica's own: it knows them better than any snapshot */
		if (strcmp(k, s->r->id) == 0) {
			if ((err = check_own(s, v)) < 0)
				return err;
			continue;
		}
		if ((err = ruta_db__stmt(&st, s->r, frontier_sql)) < 0)
			return err;
		sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, json_integer_value(json_object_get(v, "seq")));
		sqlite3_bind_text(st, 3, json_string_value(json_object_get(v, "hash")), -1, SQLITE_STATIC);
		rc = ruta_db__step(s->r, st);
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Changesets head office held back go where this replica keeps its own
 * waiting ones: the next apply weighs them with all the checks. */
static int put_held(starting *s)
{
	json_t *v;
	size_t i;
	int rc = SQLITE_DONE, err = 0;
	json_array_foreach(json_object_get(s->man, "held"), i, v) {
		const char *body = json_string_value(json_object_get(v, "body"));
		size_t len = json_string_length(json_object_get(v, "body"));
		char hash[65];
		ruta_cs cs;
		sqlite3_stmt *st;
		memset(&cs, 0, sizeof(cs));
		if (ruta_changeset__parse(&cs, body, len) < 0)
			continue;   /* what head office could not read cannot wait here either */
		ruta_crypto__sha256_hex(hash, body, len);
		if ((err = ruta_db__stmt(&st, s->r, held_put_sql)) == 0) {
			sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, cs.replica, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, cs.seq);
			sqlite3_bind_blob(st, 4, body, (int)len, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, json_string_value(json_object_get(v, "sig")), -1, SQLITE_STATIC);
			rc = ruta_db__step(s->r, st);
			sqlite3_reset(st);
			err = rc < 0 ? rc : 0;
		}
		ruta_changeset__free(&cs);
		if (err < 0)
			return err;
	}
	return 0;
}

static int put_hub(starting *s, const char *commit)
{
	char key[2300], value[120];
	const char *k;
	json_t *v;
	int err;
	json_object_foreach(json_object_get(s->man, "hub"), k, v) {
		snprintf(key, sizeof(key), "hub_seen:%s#%s", s->url, k);
		if ((err = ruta_db__meta_set(s->r->db, key, json_string_value(v))) < 0)
			return err;
	}
	snprintf(value, sizeof(value), "%s %s %lld", commit,
		json_string_value(json_object_get(s->man, "hlc")), (long long)s->records);
	return ruta_db__meta_set(s->r->db, "snapshot_start", value);
}

/* Head office's open conflicts are this replica's too: the same heads,
 * so the same ids, and the next change of the field weighs them all. */
static int put_conflicts(starting *s)
{
	json_t *c;
	size_t i;
	int err;
	json_array_foreach(json_object_get(s->man, "conflicts"), i, c)
		if ((err = ruta_merge__restore(s->r, c)) < 0)
			return ruta_error__prefix("snapshot conflict %zu", i + 1);
	return 0;
}

static const char pristine_sql[] = "SELECT (SELECT count(*) FROM ruta_change)"
	" + (SELECT count(*) FROM ruta_frontier)";
static const char clock_sql[] = "UPDATE ruta_sync_state SET hlc = max(hlc, ?1) WHERE k = 0";

/* After the records: the rest of what the manifest says, and, on a replica
 * that held nothing of its own, the state must be the very one signed. */
static int finish(starting *s, const char *commit, int pristine)
{
	char state[65];
	uint64_t hlc = 0;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;

	if (s->next_chunk != json_array_size(json_object_get(s->man, "chunks")))
		return ruta_error__set(RUTA_EINVALID, "the snapshot lacks chunks its manifest names");
	if (s->records != json_integer_value(json_object_get(s->man, "records")))
		return ruta_error__set(RUTA_EINVALID, "the snapshot holds %lld records, its manifest "
			"says %lld", (long long)s->records,
			(long long)json_integer_value(json_object_get(s->man, "records")));
	if (pristine && ((err = ruta_state__hash_locked(state, s->r)) < 0 ||
			strcmp(state, json_string_value(json_object_get(s->man, "state"))) != 0))
		return err < 0 ? err : ruta_error__set(RUTA_EVERIFY, "the snapshot's records do not "
			"give the state its manifest signs");
	ruta_hlc__parse(&hlc, json_string_value(json_object_get(s->man, "hlc")));
	if ((err = put_frontier(s)) < 0 || (err = put_held(s)) < 0 || (err = put_hub(s, commit)) < 0 ||
			(err = put_conflicts(s)) < 0 ||
			(err = ruta_db__stmt(&st, s->r, clock_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)hlc);
	rc = ruta_db__step(s->r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int start_locked(starting *s, ruta_git *g, const char *commit)
{
	sqlite3_stmt *st;
	int rc, err, pristine;

	if ((err = ruta_db__stmt(&st, s->r, pristine_sql)) < 0)
		return err;
	rc = ruta_db__step(s->r, st);
	pristine = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == 0;
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	/* Local edits get their versions before the snapshot's are weighed. */
	if ((err = ruta_journal__stamp_locked(s->r)) < 0 ||
			(err = ruta_db__exec(s->r->db, "UPDATE ruta_sync_state SET applying = 1 WHERE k = 0")) < 0)
		return err;
	err = ruta_git__tip_files(g, "refs/hub/" RUTA_SNAPSHOT_BRANCH, "snapshot", 1, take_file, s);
	if (err == 0 && !s->man)
		err = ruta_error__set(RUTA_EINVALID, "the hub's snapshot has no signed manifest");
	if (err == 0)
		err = ruta_db__exec(s->r->db, "UPDATE ruta_sync_state SET applying = 0 WHERE k = 0");
	return err < 0 ? err : finish(s, commit, pristine);
}

int ruta_snapshot__start(int64_t *records, ruta_replica *r, ruta_git *g, const char *url)
{
	starting s;
	char commit[41];
	int err;

	*records = 0;
	if ((err = ruta_git__ref(commit, g, "refs/hub/" RUTA_SNAPSHOT_BRANCH)) < 0 || !commit[0])
		return err;
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.url = url;
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	err = start_locked(&s, g, commit);
	if (err == 0 && (err = ruta_db__commit(r)) == 0)
		*records = s.records;
	if (err < 0)
		ruta_db__rollback(r);
	free(s.manifest);
	json_decref(s.man);
	return err;
}
