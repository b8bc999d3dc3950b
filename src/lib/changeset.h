/* changeset.h - sealing changes into signed changesets and reading them back strictly. */
#ifndef RUTA_CHANGESET_H
#define RUTA_CHANGESET_H

#include <jansson.h>

#include "crypto.h"
#include "internal.h"
#include "schema.h"

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

/* One field change read into C: [value, hlc, base] or [value, hlc, base,
 * [superseded]]. Strings are borrowed from the ruta_cs holding it. */
typedef struct ruta_cs_field {
	const char *col;
	int type;              /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
	int64_t i;
	const char *s;         /* text: `len` bytes, then a NUL */
	size_t len;
	uint64_t hlc, base;
	uint64_t *also;        /* the superseded versions, `nalso` (0: a change of three) */
	size_t nalso;
} ruta_cs_field;

/* One record of a changeset, its fields in the changeset's order. */
typedef struct ruta_cs_rec {
	const ruta_tabledef *t;
	const char *id;
	char op;               /* 'i', 'u' or 'd' */
	ruta_cs_field *f;
	size_t nf;
} ruta_cs_rec;

/* A changeset that passed ruta_changeset__parse or __read: every field
 * checked. `recs` always holds the records; `root` and `records` only
 * after __parse, or when __read had to build the tree. */
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
	ruta_cs_rec *recs;
	size_t nrecs;
	ruta_cs_field *fields;   /* every record's, one array */
	uint64_t *also;          /* every superseded list, one array */
	char *text;              /* __read's copy of the bytes, strings unescaped in place */
} ruta_cs;

/* Parses and validates bytes against format 1 (docs/format.md §6): RUTA_EINVALID
 * with a message saying what and where, for anything else. */
int ruta_changeset__parse(ruta_cs *out, const char *body, size_t len);
void ruta_changeset__free(ruta_cs *cs);

/* The same checks and the same result as ruta_changeset__parse, without
 * building a JSON tree when the bytes are in the canonical form sealing
 * writes (compact, no whitespace; cs_read.c). Anything else, valid or not,
 * goes through __parse, so every refusal reads exactly as before. `root`
 * and `records` are then NULL, `deps` is built alone. */
int ruta_changeset__read(ruta_cs *out, const char *body, size_t len);

/* ruta_changeset__parse's tree read into `recs` (the strings borrowed from
 * it); internal to changeset.c and cs_read.c. */
int ruta_changeset__fill(ruta_cs *cs);

/* Checks shared by the two readers: lower-case hex of exactly `n` digits;
 * a record or replica id of 1 to `max` characters; whether a column holds
 * integers (else text; NULL, a column not in the descriptor, holds text). */
int ruta_cs__is_hex(const char *s, size_t n);
int ruta_cs__is_id(const char *s, size_t max);
int ruta_cs__wants_int(const ruta_coldef *c);

/* A record's fields as the JSON object of its changeset ({col: [value,
 * hlc, base(, [superseded])]}), new; NULL if out of memory. */
json_t *ruta_cs__fields_json(const ruta_cs_rec *rec);

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
