/* changeset.h - sealing changes into signed changesets and reading them back strictly. */
#ifndef RUTA_CHANGESET_H
#define RUTA_CHANGESET_H

#include <jansson.h>

#include "crypto.h"
#include "internal.h"

#define RUTA_CS_FORMAT "ruta-changeset/1"
#define RUTA_CS_MAX_BYTES (64u << 20)   /* a changeset file, before parsing */
#define RUTA_CS_MAX_RECORDS 1000000
#define RUTA_CS_MAX_DEPS 10000
#define RUTA_CS_MAX_TEXT 8000           /* bytes of one text value */
#define RUTA_SIG_MAX_BYTES 4096
/* A changeset this replica seals holds whole records, no more than this many
 * field changes past the first record that reaches it (about 0.8 MB of
 * JSON): more unexported work is sealed into as many changesets as it
 * takes, so none is too large for a phone to hold in memory. */
#define RUTA_SEAL_CHANGES 10000
#define RUTA_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* A changeset that passed ruta_changeset__parse: every field checked. */
typedef struct ruta_cs {
	json_t *root;
	const char *replica;   /* borrowed from root */
	const char *key;
	const char *prev;
	int64_t seq;
	uint64_t hlc_min, hlc_max;
	json_t *deps;          /* {replica: {"seq": n, "hash": h}} */
	json_t *records;       /* [{"t","id","op","f":{col:[value, hlc, base]}}] */
	int64_t changes;
} ruta_cs;

/* Parses and validates bytes against format 1 (docs/format.md §6): RUTA_EINVALID
 * with a message saying what and where, for anything else. */
int ruta_changeset__parse(ruta_cs *out, const char *body, size_t len);
void ruta_changeset__free(ruta_cs *cs);

/* One record of a snapshot (docs/format.md §13), checked like a changeset's:
 * RUTA_EINVALID naming record `i` and what is wrong. */
int ruta_changeset__check_state_record(json_t *rec, uint64_t hi, size_t i);

/* A column's value as JSON (null, an integer or a string; new), and a JSON
 * scalar bound as a parameter (text copied). */
json_t *ruta_json__column(sqlite3_stmt *st, int col);
void ruta_json__bind(sqlite3_stmt *st, int idx, json_t *v);

/* apply.c: one record's fields weighed against this replica's; the caller
 * holds the transaction and has set `applying`. `m` is the changeset's merge
 * context, or NULL for a snapshot's record (its values stand on their
 * versions: the newer one stays). */
struct ruta_merge_ctx;
int ruta_apply__record(struct ruta_merge_ctx *m, ruta_replica *r, json_t *rec);

/* This replica's secret key, asking for its passphrase if it has one. */
int ruta_changeset__load_key(ruta_secret **sk, ruta_replica *r);

/* The file name of a changeset: "<replica>-<seq 8 digits>.json". */
void ruta_changeset__name(char *out, size_t size, const char *replica, int64_t seq);

#endif
