/*
 * ruta.h - the public API of libruta: an offline-first CRM replica in SQLite.
 *
 * Conventions, for every function below:
 *  - Fallible functions return 0 or a negative RUTA_E* code; the message is in
 *    ruta_error_last(), which is per thread and owned by the library.
 *  - Out-parameters come first and are named `out`; what they receive is new
 *    and belongs to the caller, who frees it with the matching _free function.
 *    Pointers returned directly are borrowed from their parent handle.
 *  - Options structs start with `unsigned int version`; pass NULL for defaults.
 *  - The library never prints, exits or reads the terminal.
 *  - Options and result structs carry a version: the library accepts every
 *    version up to its own and touches only the fields a caller's version has.
 *  - Thread-safety: a ruta_replica may be used by one thread at a time; use
 *    one handle per thread (SQLite serializes writers between them). Records,
 *    iterators and change lists belong to the thread that made them.
 */
#ifndef RUTA_H
#define RUTA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RUTA_EXTERN(type) __attribute__((visibility("default"))) type
#define RUTA_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define RUTA_EXTERN(type) type
#define RUTA_WARN_UNUSED
#endif

#define RUTA_VERSION "0.1.0"

/* The version of the library actually loaded ("0.1.0"), which may differ
 * from the RUTA_VERSION a program was compiled with. */
RUTA_EXTERN(const char *) ruta_version(void);

/* ---- errors ----------------------------------------------------------- */

/* Return codes. Never renumbered; a retired code keeps its slot. */
enum {
	RUTA_OK = 0,
	RUTA_ERROR = -1,       /* unexpected failure (SQLite, file system) */
	RUTA_ENOMEM = -2,      /* out of memory */
	RUTA_EINVALID = -3,    /* a value or argument is not acceptable */
	RUTA_ENOTFOUND = -4,   /* no record, replica or file by that name */
	RUTA_EAMBIGUOUS = -5,  /* an id prefix matches several records */
	RUTA_EEXISTS = -6,     /* the thing to create exists already */
	RUTA_ELOCKED = -7,     /* another process holds the replica; retry */
	RUTA_EVERSION = -8,    /* written by a newer ruta; upgrade to open it */
	RUTA_ESTATE = -9,      /* not allowed in the record's current state */
	RUTA_ENOTREPLICA = -10,/* the directory holds no ruta replica */
	RUTA_EVERIFY = -11,    /* a signature, chain or trust check failed */
	RUTA_EUNREACHABLE = -12,/* the hub cannot be reached; try later */
	RUTA_ENOFIELD = -13,   /* the record type has no field by that name */
	RUTA_ECANCELED = -14,  /* the caller's callback asked to stop; stopped cleanly */
	RUTA_ITEROVER = -30    /* an iterator has no more items (not an error) */
};

typedef struct ruta_error {
	int code;            /* the RUTA_E* code of the last failure */
	const char *message; /* lower case, names the subject; never NULL */
} ruta_error;

/*
 * The last error raised on this thread, or a {RUTA_OK, ""} entry when none
 * was. Borrowed: valid until the next libruta call on this thread.
 */
RUTA_EXTERN(const ruta_error *) ruta_error_last(void);

/* Frees a string the library handed over (ids, JSON text). NULL is a no-op. */
RUTA_EXTERN(void) ruta_free(void *ptr);

/* ---- replicas --------------------------------------------------------- */

typedef struct ruta_replica ruta_replica;

#define RUTA_INIT_OPTIONS_VERSION 1
typedef struct ruta_init_options {
	unsigned int version;
	const char *team;        /* team name ([a-z0-9-], 1-32); NULL at head office */
	int head_office;         /* non-zero: this is head office's replica */
	const char *root_key;    /* path of head office's root public key to pin, or NULL */
	const char *hub_url;     /* the hub to sync with, or NULL */
	const char *country;     /* ISO 3166 code for phone numbers typed without +, or NULL */
} ruta_init_options;
#define RUTA_INIT_OPTIONS_INIT { RUTA_INIT_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL }

/*
 * Creates a replica in `dir` (made if missing; must be empty if present):
 * the SQLite file, a replica id, an Ed25519 key pair (the secret key file is
 * mode 0600) and, at head office, the root key. On failure nothing is left
 * behind. Returns RUTA_EEXISTS if `dir` already holds a replica or other files,
 * RUTA_EINVALID for a bad team name or option.
 */
RUTA_EXTERN(int) ruta_replica_init(ruta_replica **out, const char *dir,
	const ruta_init_options *opts) RUTA_WARN_UNUSED;

/*
 * Asked for the passphrase of a protected secret key: write it, NUL-ended, into
 * `buf` (of `size` bytes) and return 0, or return non-zero to give up. `what`
 * names the key ("replica key", "root key"). The library wipes `buf` after use.
 */
typedef int (*ruta_passphrase_cb)(char *buf, size_t size, const char *what, void *payload);

#define RUTA_OPEN_OPTIONS_VERSION 2
typedef struct ruta_open_options {
	unsigned int version;
	int busy_timeout_ms;     /* wait this long for another writer; 0: 5000 */
	/* since version 2: */
	ruta_passphrase_cb passphrase;  /* for protected keys; NULL: none can be opened */
	void *passphrase_payload;
} ruta_open_options;
#define RUTA_OPEN_OPTIONS_INIT { RUTA_OPEN_OPTIONS_VERSION, 0, NULL, NULL }

/*
 * Opens the replica in `dir`, migrating its schema forward if it was written by
 * an older ruta. RUTA_ENOTREPLICA if there is none, RUTA_EVERSION if a newer
 * ruta wrote it.
 */
RUTA_EXTERN(int) ruta_replica_open(ruta_replica **out, const char *dir,
	const ruta_open_options *opts) RUTA_WARN_UNUSED;

/* Closes the replica. NULL is a no-op. */
RUTA_EXTERN(void) ruta_replica_free(ruta_replica *r);

/* Borrowed strings, valid until ruta_replica_free. */
RUTA_EXTERN(const char *) ruta_replica_id(const ruta_replica *r);
RUTA_EXTERN(const char *) ruta_replica_team(const ruta_replica *r); /* NULL at head office */
RUTA_EXTERN(const char *) ruta_replica_dir(const ruta_replica *r);
RUTA_EXTERN(int) ruta_replica_is_head_office(const ruta_replica *r);

/*
 * The public key of this replica (`root` zero) or head office's root key
 * (`root` non-zero: at head office its own, at a team the one pinned at
 * init; RUTA_ENOTFOUND if none) as one OpenSSH line:
 * "ssh-ed25519 AAAA... principal\n". New; free with ruta_free.
 */
RUTA_EXTERN(int) ruta_replica_public_key(char **out, ruta_replica *r, int root);

/* ---- status ----------------------------------------------------------- */

#define RUTA_STATUS_VERSION 4
typedef struct ruta_status {
	unsigned int version;
	int64_t unexported;      /* captured field changes not yet exported */
	int64_t records;         /* live CRM records (not tombstoned) */
	int schema_version;      /* migration number of the file */
	uint64_t last_hlc;       /* the highest HLC this replica has issued or seen */
	/* since version 2: */
	int64_t changesets;      /* changesets held: made here and applied from others */
	int64_t own_seq;         /* this replica's last changeset number, 0 if none */
	int64_t waiting;         /* received changesets waiting for what they depend on */
	int64_t quarantined;     /* refused input, kept with its reason */
	int64_t trust_version;   /* the trust file in force, 0 if none */
	/* since version 3: */
	int64_t conflicts;       /* open conflicts (ruta_conflicts_json) */
	int64_t skewed;          /* changesets stamped more than 10 minutes ahead of this
	                          * replica's clock when they arrived (docs/merge.md) */
	int64_t skew_ahead_ms;   /* the furthest ahead of those, in ms */
	/* since version 4: what the trust file in force says of this replica's key */
	int key_state;           /* RUTA_KEY_* below */
	int64_t key_after;       /* REVOKED, EXPIRED, REPLACED: its last good changeset */
	char key_until[21];      /* the key's valid-before (YYYY-MM-DDTHH:MM:SSZ) or "" */
} ruta_status;
#define RUTA_STATUS_INIT { RUTA_STATUS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "" }

/* key_state: what other replicas do with this replica's next changeset. */
#define RUTA_KEY_UNTRUSTED 0     /* no trust file yet, or it does not list this key */
#define RUTA_KEY_GOOD 1          /* endorsed (until key_until, if set) */
#define RUTA_KEY_REVOKED 2       /* refused after changeset key_after */
#define RUTA_KEY_EXPIRED 3       /* the window closed: refused after key_after when
                                  * sealed (key_after >= 0), by its times otherwise */
#define RUTA_KEY_REPLACED 4      /* head office endorsed another key for this replica:
                                  * this one is refused after changeset key_after */

/* Refused and waiting input, as `ruta status` lists it. */
typedef struct ruta_held_iter ruta_held_iter;
#define RUTA_HELD_VERSION 1
typedef struct ruta_held {
	unsigned int version;    /* set by the caller: RUTA_HELD_INIT */
	int waiting;             /* 1: waits for what it depends on; 0: refused */
	const char *name;        /* the file name it came as */
	const char *reason;
	const char *at;          /* when it arrived, ISO-8601 UTC */
	int code;                /* RUTA_EVERIFY, RUTA_EINVALID, or RUTA_OK while waiting */
} ruta_held;
#define RUTA_HELD_INIT { RUTA_HELD_VERSION, 0, NULL, NULL, NULL, 0 }
RUTA_EXTERN(int) ruta_held_list(ruta_held_iter **out, ruta_replica *r) RUTA_WARN_UNUSED;
/* Fills *out (strings borrowed until the next call), or RUTA_ITEROVER. */
RUTA_EXTERN(int) ruta_held_next(ruta_held *out, ruta_held_iter *it);
RUTA_EXTERN(void) ruta_held_iter_free(ruta_held_iter *it);

RUTA_EXTERN(int) ruta_replica_status(ruta_status *out, ruta_replica *r);

/* ---- records ---------------------------------------------------------- */

/*
 * CRM records are addressed by type ("account", "contact", "opp",
 * "activity", "offer", "stage", "lost_reason") and id. Ids are ULIDs made
 * offline; wherever an id is taken, an unambiguous prefix of one (at least
 * 4 characters) is accepted. Values go in and come out as text in the forms
 * docs/format.md gives: amounts "12000.00" with a currency, dates YYYY-MM-DD,
 * times ISO-8601 (stored in UTC).
 */
typedef struct ruta_field {
	const char *name;   /* field name, e.g. "first_name", "email", "amount" */
	const char *value;  /* text value; NULL or "" clears an optional field */
} ruta_field;

typedef struct ruta_record ruta_record;
typedef struct ruta_record_iter ruta_record_iter;

/*
 * Adds a record and returns its new id in *out (free with ruta_free). Every
 * value is checked first; on RUTA_EINVALID the message names the field, the
 * value and what is allowed, and nothing is written. A field may repeat where
 * it is multi-valued (a contact's "email" and "phone", and "tag" on accounts,
 * contacts and opportunities).
 */
RUTA_EXTERN(int) ruta_record_add(char **out, ruta_replica *r, const char *type,
	const ruta_field *fields, size_t nfields) RUTA_WARN_UNUSED;

/*
 * Changes the given fields of one record; fields not named keep their value.
 * A contact also takes "add_email", "remove_email", "add_phone" and
 * "remove_phone"; accounts, contacts and opportunities take "tag" (adds it,
 * as a new row even if the record has it: docs/merge.md §2.14) and "untag"
 * (removes every row of it this replica holds; RUTA_ENOTFOUND if there is
 * none), each repeatable, tags compared in their normal form
 * (docs/format.md §2.2). Fields that only domain verbs may set (an opportunity's
 * stage, an activity's status) are refused with a pointer to the verb.
 * All or nothing. If `out_id` is not NULL it receives the full id (new).
 */
RUTA_EXTERN(int) ruta_record_edit(char **out_id, ruta_replica *r, const char *type,
	const char *id, const ruta_field *fields, size_t nfields) RUTA_WARN_UNUSED;

/* Tombstones a record (it stays, marked deleted, so the deletion syncs). */
RUTA_EXTERN(int) ruta_record_rm(char **out_id, ruta_replica *r, const char *type,
	const char *id) RUTA_WARN_UNUSED;

/* Reads one record (tombstoned ones too). New; free with ruta_record_free. */
RUTA_EXTERN(int) ruta_record_get(ruta_record **out, ruta_replica *r,
	const char *type, const char *id) RUTA_WARN_UNUSED;

#define RUTA_LIST_OPTIONS_VERSION 2
typedef struct ruta_list_options {
	unsigned int version;
	int include_deleted;    /* non-zero: tombstoned records too */
	const char *account;    /* only records of this account (id or prefix) */
	const char *opportunity;/* only records of this opportunity (activities, offers) */
	const char *stage;      /* opportunities: only this stage */
	const char *status;     /* activities and offers: only this status */
	/* version 2 */
	const char *tag;        /* accounts, contacts, opportunities: only those with
	                         * this tag (compared in its normal form) */
} ruta_list_options;
#define RUTA_LIST_OPTIONS_INIT { RUTA_LIST_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, NULL }

/* Lists records of a type, oldest first. New; free with ruta_record_iter_free. */
RUTA_EXTERN(int) ruta_record_list(ruta_record_iter **out, ruta_replica *r,
	const char *type, const ruta_list_options *opts) RUTA_WARN_UNUSED;
/* Next record (new) or RUTA_ITEROVER. */
RUTA_EXTERN(int) ruta_record_iter_next(ruta_record **out, ruta_record_iter *it);
RUTA_EXTERN(void) ruta_record_iter_free(ruta_record_iter *it);

/* Field access: borrowed strings, valid until ruta_record_free. */
RUTA_EXTERN(const char *) ruta_record_type(const ruta_record *rec);
RUTA_EXTERN(const char *) ruta_record_id(const ruta_record *rec);
RUTA_EXTERN(size_t) ruta_record_field_count(const ruta_record *rec);
RUTA_EXTERN(const char *) ruta_record_field_name(const ruta_record *rec, size_t i);
/* The value as text, or NULL when the field is empty. */
RUTA_EXTERN(const char *) ruta_record_field_value(const ruta_record *rec, size_t i);
/* The first value of the named field, or NULL. */
RUTA_EXTERN(const char *) ruta_record_value(const ruta_record *rec, const char *name);
/* The record as one JSON object ({"schema":1,"id":...}). New; ruta_free it. */
RUTA_EXTERN(int) ruta_record_json(char **out, const ruta_record *rec);
RUTA_EXTERN(void) ruta_record_free(ruta_record *rec);

/* ---- domain verbs ----------------------------------------------------- */

/* Moves an opportunity to a stage (a code from the stage table). "lost" needs
 * ruta_opp_lose, which takes the reason. */
RUTA_EXTERN(int) ruta_opp_move(ruta_replica *r, const char *id, const char *stage) RUTA_WARN_UNUSED;
RUTA_EXTERN(int) ruta_opp_win(ruta_replica *r, const char *id) RUTA_WARN_UNUSED;
/* `reason` is a code of the lost_reason table; `note` is optional free text. */
RUTA_EXTERN(int) ruta_opp_lose(ruta_replica *r, const char *id, const char *reason,
	const char *note) RUTA_WARN_UNUSED;

/* An activity was held (times default to the planned ones), was not held
 * (a reason is required), or was cancelled. */
RUTA_EXTERN(int) ruta_activity_held(ruta_replica *r, const char *id, const char *start,
	const char *end) RUTA_WARN_UNUSED;
RUTA_EXTERN(int) ruta_activity_not_held(ruta_replica *r, const char *id,
	const char *reason) RUTA_WARN_UNUSED;
RUTA_EXTERN(int) ruta_activity_cancel(ruta_replica *r, const char *id,
	const char *reason) RUTA_WARN_UNUSED;

/* Offers: send a draft (after which it cannot change), record the customer's
 * answer ("accepted", "rejected", "expired", "withdrawn"), or make a new draft
 * revision of a sent offer (its id in *out, new). */
RUTA_EXTERN(int) ruta_offer_send(ruta_replica *r, const char *id) RUTA_WARN_UNUSED;
RUTA_EXTERN(int) ruta_offer_decide(ruta_replica *r, const char *id,
	const char *status) RUTA_WARN_UNUSED;
RUTA_EXTERN(int) ruta_offer_revise(char **out, ruta_replica *r, const char *id) RUTA_WARN_UNUSED;

/* ---- the change log --------------------------------------------------- */

/*
 * Every insert, update and tombstone of CRM data, by ruta or by any program
 * writing the SQLite file, is captured per field. A change gets its HLC
 * (hybrid logical clock: wall-clock ms << 16 | counter) and its base (the
 * version it overwrote; 0 for a new record) when ruta next stamps the log,
 * which ruta_changes_local does first.
 */
typedef struct ruta_change_iter ruta_change_iter;

#define RUTA_CHANGE_VERSION 1
typedef struct ruta_change {
	unsigned int version; /* set by the caller (RUTA_CHANGE_INIT); fields of later
	                       * versions are filled only for callers that know them */
	int64_t seq;          /* position in the local log */
	const char *table;    /* SQL table, e.g. "opportunity" */
	const char *record;   /* record id */
	char op;              /* 'i' insert, 'u' update, 'd' tombstone */
	const char *field;    /* column name */
	const char *value;    /* the new value as text, NULL for SQL NULL */
	int value_is_int;     /* non-zero if the value is an integer */
	uint64_t hlc;         /* this change's version */
	uint64_t base;        /* the version it overwrote; 0 if none */
	int64_t wall_ms;      /* wall clock when it was captured (ms since 1970) */
} ruta_change;
#define RUTA_CHANGE_INIT { RUTA_CHANGE_VERSION, 0, NULL, NULL, 0, NULL, NULL, 0, 0, 0, 0 }

/* Stamps pending changes and lists the unexported ones, oldest first. */
RUTA_EXTERN(int) ruta_changes_local(ruta_change_iter **out, ruta_replica *r) RUTA_WARN_UNUSED;
/* Fills *out (whose version the caller set) with the next change; its
 * strings are borrowed until the next call. RUTA_ITEROVER at the end. */
RUTA_EXTERN(int) ruta_change_iter_next(ruta_change *out, ruta_change_iter *it);
RUTA_EXTERN(void) ruta_change_iter_free(ruta_change_iter *it);

/* Writes an HLC as 16 lower-case hex digits plus NUL (17 bytes), the form
 * the change log and changesets use. */
RUTA_EXTERN(void) ruta_hlc_format(char out[17], uint64_t hlc);
/* Writes an HLC as an ISO-8601 UTC time with milliseconds and its counter,
 * "2026-11-22T10:15:00.123Z+3" (at most 40 bytes with the NUL). */
RUTA_EXTERN(void) ruta_hlc_describe(char out[40], uint64_t hlc);

/*
 * A hash of the CRM content: every record of every table (tombstones too),
 * every field's value, in a fixed order; not versions, not sync metadata.
 * Two replicas that applied the same changes print the same hash
 * (docs/format.md §2.7). 64 hex digits and a NUL.
 */
RUTA_EXTERN(int) ruta_state_hash(char out[65], ruta_replica *r) RUTA_WARN_UNUSED;

/* ---- signed changesets ------------------------------------------------- */

/*
 * A changeset is every change this replica had not exported yet, sealed into
 * canonical JSON with a sequence number and the hash of the replica's previous
 * changeset, and signed (an OpenSSH SSHSIG, namespace "ruta-changeset").
 * docs/format.md specifies it byte for byte. Files: NAME.json and NAME.json.sig,
 * where NAME is "<replica id>-<seq, 8 digits>"; head office's trust file
 * travels as ruta-trust-<version, 8 digits>.txt and .txt.sig.
 */

/* Seals the unexported changes into the next changeset, atomically: *seq and
 * *changes (field changes) describe it. Work of more than 10,000 field
 * changes is sealed into as many changesets as it takes, whole records in
 * each: *seq is then the last one's and *changes their sum. RUTA_ITEROVER
 * when there is nothing to export (nothing is made). Needs the replica's
 * secret key. */
RUTA_EXTERN(int) ruta_changeset_seal(int64_t *seq, int64_t *changes, ruta_replica *r) RUTA_WARN_UNUSED;

#define RUTA_EXPORT_OPTIONS_VERSION 1
typedef struct ruta_export_options {
	unsigned int version;
	int all;   /* every changeset this replica holds (its own and received), not only
	            * its own not yet written anywhere */
} ruta_export_options;
#define RUTA_EXPORT_OPTIONS_INIT { RUTA_EXPORT_OPTIONS_VERSION, 0 }

/* Writes changesets (and the newest trust file) as files into `dir`, which
 * must exist; *written counts the changesets. Files already there with the
 * same bytes are left alone. */
RUTA_EXTERN(int) ruta_export_dir(size_t *written, ruta_replica *r, const char *dir,
	const ruta_export_options *opts) RUTA_WARN_UNUSED;
/* The same as one "ruta-bundle" stream (for pipes). New; free with ruta_free. */
RUTA_EXTERN(int) ruta_export_bundle(char **out, size_t *len, ruta_replica *r,
	const ruta_export_options *opts) RUTA_WARN_UNUSED;
/* Given bytes of a stream, in order; non-zero stops it (RUTA_ECANCELED). */
typedef int (*ruta_write_cb)(const char *data, size_t len, void *payload);
/* The same bundle, given to `write` as it is made: one changeset in memory
 * at a time, whatever the bundle's size. */
RUTA_EXTERN(int) ruta_export_bundle_to(ruta_replica *r, ruta_write_cb write, void *payload,
	const ruta_export_options *opts) RUTA_WARN_UNUSED;

/* What applying did. Counts are of changesets. */
#define RUTA_APPLY_RESULT_VERSION 2
typedef struct ruta_apply_result {
	unsigned int version;
	int64_t applied;      /* verified and applied now */
	int64_t changes;      /* field changes they carried */
	int64_t duplicates;   /* had them already (byte-identical): nothing to do */
	int64_t waiting;      /* verified, wait for a changeset they depend on */
	int64_t refused;      /* refused and quarantined (see ruta_status / ruta apply) */
	int64_t refused_verify; /* of those, for a signature, chain or trust reason */
	int trust_version;    /* the trust file version in force afterwards */
	/* version 2 */
	int64_t conflicts;    /* fields that became or stayed in conflict now */
	int64_t conflicts_open; /* open conflicts on the replica afterwards */
} ruta_apply_result;
#define RUTA_APPLY_RESULT_INIT { RUTA_APPLY_RESULT_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/* Told about each file that is refused or waits: its name, a RUTA_E* code
 * (RUTA_EVERIFY for signature, chain and trust problems) and the reason. */
typedef void (*ruta_apply_report_cb)(const char *name, int code, const char *reason, void *payload);

/*
 * Told how long work goes, and asked whether to go on: `what` is "receiving"
 * or "sending" (git objects of a sync) or "applying" (changesets: `done` of
 * `total` tried so far in this pass). Return 0 to go on, non-zero to cancel:
 * the work stops at the next safe point with RUTA_ECANCELED. Each changeset
 * is applied in its own transaction, so a cancelled apply or sync leaves a
 * whole number of changesets applied and the replica consistent; the next
 * apply or sync takes up what was left. Called on the caller's thread, from
 * inside the library: it must not call libruta with the same replica.
 */
typedef int (*ruta_step_cb)(const char *what, size_t done, size_t total, void *payload);

#define RUTA_APPLY_OPTIONS_VERSION 2
typedef struct ruta_apply_options {
	unsigned int version;
	ruta_apply_report_cb report;
	void *payload;           /* for both callbacks */
	/* since version 2: */
	ruta_step_cb step;       /* progress and cancellation; NULL: none */
} ruta_apply_options;
#define RUTA_APPLY_OPTIONS_INIT { RUTA_APPLY_OPTIONS_VERSION, NULL, NULL, NULL }

/*
 * Verifies and applies changeset files: one file (with FILE.sig beside it) or
 * every changeset and trust file in a directory. Each changeset is checked
 * before its JSON is parsed (signature, endorsed and unrevoked key, replica id
 * equal to the key's principal), then its chain (sequence and previous hash;
 * a gap waits, a fork or altered history is refused), its format, then
 * applied in one transaction. Applying the same changeset again changes
 * nothing. Refused input is quarantined with its reason, never dropped. A
 * file that is a bundle (it starts "ruta-bundle 1") is applied as
 * ruta_apply_bundle_file does. Each changeset is read when its turn comes and
 * let go once applied. Returns 0 unless the replica itself failed; see *out
 * for what happened.
 */
RUTA_EXTERN(int) ruta_apply_path(ruta_apply_result *out, ruta_replica *r, const char *path,
	const ruta_apply_options *opts) RUTA_WARN_UNUSED;
/* The same for a "ruta-bundle" stream in memory. */
RUTA_EXTERN(int) ruta_apply_bundle(ruta_apply_result *out, ruta_replica *r, const char *data,
	size_t len, const ruta_apply_options *opts) RUTA_WARN_UNUSED;
/* The same for a bundle saved in a file, read an entry at a time: the memory
 * it takes is one changeset's, whatever the bundle's size. RUTA_EINVALID if
 * the file is not a bundle. */
RUTA_EXTERN(int) ruta_apply_bundle_file(ruta_apply_result *out, ruta_replica *r,
	const char *path, const ruta_apply_options *opts) RUTA_WARN_UNUSED;

/* ---- conflicts and duplicates (docs/merge.md) --------------------------- */

/*
 * Two replicas that changed the same field without seeing each other's change
 * leave it in conflict: each value none supersedes is a "head". The field's
 * policy picks the value the record shows from the heads alone, so every
 * replica shows the same; the conflict stays open, every head kept, until a
 * person (or ruta_resolve_all) resolves it with a change that supersedes them
 * all and syncs like any other.
 */

/* Open conflicts as one JSON document (schema 1, docs/merge.md §3): all of
 * them, those of one record (`record` an id), or one (`record` a conflict
 * id). New; free with ruta_free. */
RUTA_EXTERN(int) ruta_conflicts_json(char **out, ruta_replica *r, const char *record) RUTA_WARN_UNUSED;
/* How many conflicts are open. */
RUTA_EXTERN(int) ruta_conflicts_open(int64_t *count, ruta_replica *r) RUTA_WARN_UNUSED;
/* Resolves conflict `id` with `value` (text as for ruta_record_edit; NULL:
 * keep the value its policy chose): a local change, sealed and signed with
 * the next export or sync, that supersedes every head. */
RUTA_EXTERN(int) ruta_resolve(ruta_replica *r, const char *id, const char *value) RUTA_WARN_UNUSED;
/* Resolves every open conflict (or those of table `table`, NULL: all) with
 * the value its policy chose; *count says how many. */
RUTA_EXTERN(int) ruta_resolve_all(int64_t *count, ruta_replica *r, const char *table) RUTA_WARN_UNUSED;

/* Who set each field of record `id` (a full id or a prefix, as elsewhere) of
 * type `type` ("account", "contact", "opp", ...): per field with a version,
 * its value, version, maker and changeset (null if older than this
 * replica's history), and the heads of open and closed conflicts it
 * overrode, as one JSON document (schema 1, docs/audit.md "Blame"). Keys
 * sorted; replicas that applied the same changes print the same bytes.
 * RUTA_ENOTFOUND if no such record. New; free with ruta_free. */
RUTA_EXTERN(int) ruta_blame_json(char **out, ruta_replica *r, const char *type,
	const char *id) RUTA_WARN_UNUSED;

/*
 * The history: every changeset this replica holds (made here or accepted
 * from others), newest first (hlc.max descending, then replica id, then
 * seq descending), as one JSON document (schema 1, docs/audit.md §14). Each
 * has its hash, replica, seq, signing key and the replica and team
 * ruta_key gives it, its HLC range, a summary, and its signature status
 * re-checked now against the trust file in force: "good", "bad",
 * "unknown-key", "wrong-key", "revoked", "outside-window" or "not-allowed"
 * (what a replica receiving it now would make of it). Read only. Filters
 * combine; a filter that matches nothing gives an empty list.
 */
#define RUTA_LOG_FILTER_VERSION 1
typedef struct ruta_log_filter {
	unsigned int version;
	const char *record;   /* an id or a prefix of one (as elsewhere): changesets that
	                       * change that record or its emails, phones, tags or stage
	                       * history; an id no record here has is matched exactly */
	const char *replica;  /* a replica id, or its name: the id without its last
	                       * "-" and 10 characters ("north" for north-chgwrn6syp) */
	const char *since;    /* "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" (UTC) or an HLC of 16
	                       * hex digits: changesets whose hlc.max is at or after it */
} ruta_log_filter;
#define RUTA_LOG_FILTER_INIT { RUTA_LOG_FILTER_VERSION, NULL, NULL, NULL }

/* Fills *out (new; free with ruta_free). `f` NULL: no filter. RUTA_EINVALID
 * for a malformed filter value, the message starting with the filter's
 * name ("since: ..."); RUTA_EAMBIGUOUS when `record` is a prefix of several
 * records. Keys sorted; replicas that hold the same changesets, trust file
 * and labels print the same bytes. */
RUTA_EXTERN(int) ruta_log_json(char **out, ruta_replica *r,
	const ruta_log_filter *f) RUTA_WARN_UNUSED;

/* Records that look like one real-world account or contact (the same tax id,
 * email or phone), as one JSON document (schema 1, docs/merge.md §5). New. */
RUTA_EXTERN(int) ruta_duplicates_json(char **out, ruta_replica *r) RUTA_WARN_UNUSED;
/* How many groups of likely duplicates there are. */
RUTA_EXTERN(int) ruta_duplicates_count(int64_t *count, ruta_replica *r) RUTA_WARN_UNUSED;
/* Merges record `other` into `keep` (both accounts or both contacts): what
 * pointed at other points at keep, keep's empty fields take other's values,
 * other is tombstoned with merged_into = keep. A local change like any other. */
RUTA_EXTERN(int) ruta_merge_records(ruta_replica *r, const char *keep, const char *other) RUTA_WARN_UNUSED;

/* ---- importing and exporting CRM data (docs/exchange.md) ---------------- */

/* Formats of ruta_data_export and ruta_data_import. */
#define RUTA_DATA_CSV 1     /* RFC 4180, UTF-8, CRLF; a header of field keys */
#define RUTA_DATA_VCARD 2   /* vCard 4.0 out (contacts; accounts as KIND:org
                             * cards); 2.1, 3.0 and 4.0 in */
#define RUTA_DATA_JSON 3    /* {"schema":1,"type":...,"records":[...]}; export only */

#define RUTA_DATA_EXPORT_OPTIONS_VERSION 1
typedef struct ruta_data_export_options {
	unsigned int version;
	int format;        /* RUTA_DATA_*; 0: CSV */
	int spreadsheet;   /* CSV: a UTF-8 BOM and ';' between cells, as spreadsheets
	                    * in locales with a decimal comma expect */
} ruta_data_export_options;
#define RUTA_DATA_EXPORT_OPTIONS_INIT { RUTA_DATA_EXPORT_OPTIONS_VERSION, 0, 0 }

/*
 * Every live record of `type` ("account", "contact" or "opp"), ordered by
 * id, in the columns docs/exchange.md lists. CSV cells a spreadsheet would
 * run as formulas get a leading apostrophe, which ruta_data_import removes.
 * vCard is for contacts and accounts (RUTA_EINVALID for opps). *out is
 * new (free with ruta_free), *len its length. Read only.
 */
RUTA_EXTERN(int) ruta_data_export(char **out, size_t *len, ruta_replica *r, const char *type,
	const ruta_data_export_options *opts) RUTA_WARN_UNUSED;

/* Told about each row that is bad ("error"), left out because it matches a
 * record another row matched or several records ("duplicate"), or left
 * out for another reason ("skipped"): its line (of the CSV record or of
 * BEGIN:VCARD) and why; a vCard's message starts "card N: ", N its number
 * in the file from 1. */
typedef void (*ruta_import_report_cb)(size_t line, const char *what, const char *message,
	void *payload);

#define RUTA_IMPORT_OPTIONS_VERSION 1
typedef struct ruta_import_options {
	unsigned int version;
	int format;            /* RUTA_DATA_CSV or _VCARD; 0: vCard if the data starts
	                        * with BEGIN:VCARD, else CSV */
	int dry_run;           /* count what would happen; write nothing */
	int ignore_unknown;    /* CSV: skip columns ruta does not know instead of refusing */
	ruta_import_report_cb report;   /* may be NULL */
	void *payload;
} ruta_import_options;
#define RUTA_IMPORT_OPTIONS_INIT { RUTA_IMPORT_OPTIONS_VERSION, 0, 0, 0, NULL, NULL }

#define RUTA_IMPORT_RESULT_VERSION 1
typedef struct ruta_import_result {
	unsigned int version;
	int64_t rows;          /* rows (CSV records after the header, or vCards) read */
	int64_t created;       /* new records */
	int64_t updated;       /* records matched (by id or natural key) and changed */
	int64_t unchanged;     /* records matched whose values were already the file's */
	int64_t skipped;       /* rows left out: their record was deleted here */
	int64_t duplicates;    /* rows left out: matching what another row matched, or
	                        * several records at once (see ruta_duplicates_json) */
	int64_t accounts_created; /* vCard: accounts made for an ORG this replica lacked */
	int64_t errors;        /* bad rows; with any, nothing is written */
} ruta_import_result;
#define RUTA_IMPORT_RESULT_INIT { RUTA_IMPORT_RESULT_VERSION, 0, 0, 0, 0, 0, 0, 0, 0 }

/*
 * Imports accounts or contacts (`type`) from CSV or vCard `data`, all or
 * nothing, in one transaction. A row whose id is a record here updates it;
 * otherwise one matching a record by natural key (accounts: tax id, email,
 * phone; contacts: any email, then any phone, in their normal forms)
 * updates that record; otherwise a record is created (under the row's id
 * when it has one). Updates change only the values that differ and never
 * remove emails, phones or tags, so importing an unmodified export changes
 * nothing. Every value is checked as ruta_record_add checks it. Any bad row:
 * RUTA_EINVALID, every bad row told to opts->report, nothing written.
 */
RUTA_EXTERN(int) ruta_data_import(ruta_import_result *out, ruta_replica *r, const char *type,
	const char *data, size_t len, const ruta_import_options *opts) RUTA_WARN_UNUSED;

/* ---- keys and trust ---------------------------------------------------- */

/* Head office: endorse a replica's public key (one OpenSSH line whose comment
 * is the replica id) for `team`, optionally only from/until an ISO time.
 * Makes and signs the next trust file version. */
RUTA_EXTERN(int) ruta_keys_endorse(ruta_replica *r, const char *pubkey_line, const char *team,
	const char *valid_after, const char *valid_before) RUTA_WARN_UNUSED;
/* Head office: revoke a replica (its id) or every replica of a team (its name).
 * What head office already applied from it stays valid; later changesets are
 * refused everywhere the new trust file arrives. */
RUTA_EXTERN(int) ruta_keys_revoke(int *revoked, ruta_replica *r, const char *name) RUTA_WARN_UNUSED;
/* Head office: bind every key whose valid-before has passed (by this
 * machine's clock) to the last changeset head office holds from its replica,
 * so that a backdated changeset signed with it later is refused (format.md
 * §7.4). Writes the next trust file version only if a key was sealed;
 * *sealed counts them. ruta_keys_endorse, ruta_keys_revoke and ruta_sync at
 * head office seal too. */
RUTA_EXTERN(int) ruta_keys_seal(int *sealed, ruta_replica *r) RUTA_WARN_UNUSED;
/* The trust file in force (NULL, version 0 if none). New; free with ruta_free. */
RUTA_EXTERN(int) ruta_keys_trust(char **text, int64_t *version, ruta_replica *r) RUTA_WARN_UNUSED;
/* Protects this replica's secret key (and at head office the root key) with a
 * passphrase, changes it, or (new_pass NULL) removes it. */
RUTA_EXTERN(int) ruta_keys_passphrase(ruta_replica *r, const char *old_pass,
	const char *new_pass) RUTA_WARN_UNUSED;

/* ---- sync through a git hub ------------------------------------------- */

/*
 * A hub is any git remote: a path, file://, git://, ssh:// (keys from
 * ssh-agent, or RUTA_SSH_KEY) or https:// (RUTA_HUB_USER and
 * RUTA_HUB_PASSWORD). Each replica pushes only its own branch,
 * refs/heads/ruta/<replica id>, one signed commit per sync; head office also
 * ruta/trust. Pulling fetches every ruta/ branch and applies only the
 * commits not applied before, through the same checks as ruta_apply_path.
 */

/* Sets (replaces) the hub this replica syncs with. */
RUTA_EXTERN(int) ruta_hub_set(ruta_replica *r, const char *url) RUTA_WARN_UNUSED;
/* The hub's URL (new; ruta_free), or NULL with RUTA_ENOTFOUND if none is set. */
RUTA_EXTERN(int) ruta_hub_get(char **url, ruta_replica *r) RUTA_WARN_UNUSED;

/* After a person has looked into a hub branch reported as rewritten: takes
 * its history as it now is (as last fetched) from here on. Nothing of the
 * rewritten part is applied; its refusal leaves `ruta status`. */
RUTA_EXTERN(int) ruta_hub_accept(ruta_replica *r, const char *branch) RUTA_WARN_UNUSED;

/* Told how a long transfer goes ("receiving", "sending"), for a progress bar. */
typedef void (*ruta_progress_cb)(const char *what, size_t done, size_t total, void *payload);

/* Snapshots (ruta_sync_options.snapshot): see ruta_snapshot_every. */
#define RUTA_SNAPSHOT_AUTO 0   /* start from one when new; head office publishes when due */
#define RUTA_SNAPSHOT_NEVER 1  /* replay the whole history; publish none */
#define RUTA_SNAPSHOT_NOW 2    /* head office: publish one after this sync */

/*
 * How long a hub may keep a sync waiting (ruta_sync_options.timeout,
 * ruta_audit_options.timeout), in seconds: to accept the connection, and
 * then for each next bytes it sends or takes, so a slow transfer that moves
 * never times out. A hub that takes longer gives RUTA_EUNREACHABLE, saying
 * it timed out. Covers git://, http:// and https:// hubs, and the connect
 * of ssh:// ones (libssh2 then waits on its own); docs/internals.md says how.
 */
#define RUTA_TIMEOUT_DEFAULT 30
#define RUTA_TIMEOUT_MAX 3600

/*
 * A hub's login, asked of the app (ruta_sync_options.credentials) before
 * ruta looks for one itself: an app on a phone keeps the user's password or
 * key in its own store, and has no environment or git to ask. Asked at most
 * once per connection; what is filled is wiped as soon as it is handed on.
 */
#define RUTA_CREDENTIAL_PASSWORD 1   /* https: a user name and password */
#define RUTA_CREDENTIAL_SSH_KEY 2    /* ssh: a private key file and its passphrase */
typedef struct ruta_credential {
	int kind;              /* what the hub asks for: one of the above */
	const char *url;       /* the hub */
	const char *user;      /* the user its URL names, or NULL */
	/* filled by the callback: */
	char username[256];    /* the user to log in as; "" for the URL's (ssh: else "git") */
	char secret[1024];     /* the password, or the key's passphrase ("" for none) */
	char key_file[4096];   /* RUTA_CREDENTIAL_SSH_KEY: the private key file (OpenSSH format) */
} ruta_credential;
/* 0: use what was filled; RUTA_CREDENTIAL_NONE: look as without a callback
 * (RUTA_HUB_USER/RUTA_HUB_PASSWORD, git's credential helpers, RUTA_SSH_KEY,
 * ssh-agent); negative: stop, and the sync fails with RUTA_ECANCELED. */
#define RUTA_CREDENTIAL_NONE 1
typedef int (*ruta_credential_cb)(ruta_credential *c, void *payload);

#define RUTA_SYNC_OPTIONS_VERSION 4
typedef struct ruta_sync_options {
	unsigned int version;
	const char *hub;             /* NULL: the hub set for the replica */
	ruta_progress_cb progress;   /* NULL: none */
	ruta_apply_report_cb report; /* refused and waiting changesets, rewritten branches */
	void *payload;               /* for every callback */
	/* version 2 */
	int snapshot;                /* RUTA_SNAPSHOT_AUTO, _NEVER or _NOW */
	/* version 3 */
	ruta_step_cb step;           /* progress that can cancel (see ruta_step_cb):
	                              * called as often as `progress`, which is
	                              * then not called, and per changeset applied */
	/* version 4 */
	int timeout;                 /* seconds, 1 to RUTA_TIMEOUT_MAX; 0: RUTA_TIMEOUT_DEFAULT */
	ruta_credential_cb credentials; /* the hub's login from the app; NULL: none */
} ruta_sync_options;
#define RUTA_SYNC_OPTIONS_INIT { RUTA_SYNC_OPTIONS_VERSION, NULL, NULL, NULL, NULL, \
	RUTA_SNAPSHOT_AUTO, NULL, 0, NULL }

#define RUTA_SYNC_RESULT_VERSION 2
typedef struct ruta_sync_result {
	unsigned int version;
	int64_t sealed_seq;      /* the changeset sealed now (sync), 0 if none */
	int64_t pulled;          /* changesets received */
	int64_t replicas;        /* from how many replicas */
	ruta_apply_result apply; /* what applying them did */
	int64_t pushed;          /* own changesets sent */
	int64_t rewritten;       /* hub branches found rewritten (refused) */
	/* version 2 */
	int64_t started_from;    /* records of the snapshot this replica started from now, or 0 */
	int64_t published;       /* records of the snapshot head office published now, or 0 */
} ruta_sync_result;
#define RUTA_SYNC_RESULT_INIT { RUTA_SYNC_RESULT_VERSION, 0, 0, 0, RUTA_APPLY_RESULT_INIT, 0, \
	0, 0, 0 }

/* Sends this replica's changesets (and at head office the trust file) to
 * the hub. RUTA_EUNREACHABLE when the hub cannot be reached or timed out
 * (opts->timeout): nothing is lost, try again later. */
RUTA_EXTERN(int) ruta_push(ruta_sync_result *out, ruta_replica *r,
	const ruta_sync_options *opts) RUTA_WARN_UNUSED;
/* Receives and applies what is new on the hub. A fetch that fails or times
 * out changes nothing here (RUTA_EUNREACHABLE). */
RUTA_EXTERN(int) ruta_pull(ruta_sync_result *out, ruta_replica *r,
	const ruta_sync_options *opts) RUTA_WARN_UNUSED;
/* Seals new changes, pulls, then pushes. RUTA_ECANCELED when opts->step
 * asked to stop: what was sealed and applied stays (whole changesets),
 * nothing of the rest was applied or pushed, and the next sync goes on.
 * A sync holds the replica's sync lock (RUTA_ELOCKED for a second one, from
 * any thread or process) and blocks on the network: run it on a worker
 * thread with its own ruta_replica handle. */
RUTA_EXTERN(int) ruta_sync(ruta_sync_result *out, ruta_replica *r,
	const ruta_sync_options *opts) RUTA_WARN_UNUSED;

/*
 * Snapshots. Head office publishes its whole CRM, signed, on the hub branch
 * ruta/snapshot, with which changesets and hub commits it covers. A replica
 * that has taken in nothing from others yet starts its first pull from the
 * latest one and then reads only what came after; a snapshot that does not
 * verify is reported (as a refusal of "ruta/snapshot") and the whole
 * history is replayed instead. Head office's ruta_sync publishes one when
 * the changesets it covers have grown by `every` since the last one (by
 * default 1000; 0: only when asked, with RUTA_SNAPSHOT_NOW).
 */
RUTA_EXTERN(int) ruta_snapshot_every(ruta_replica *r, int64_t every) RUTA_WARN_UNUSED;
/* How it is set: *every as above. */
RUTA_EXTERN(int) ruta_snapshot_every_get(int64_t *every, ruta_replica *r) RUTA_WARN_UNUSED;

/* ---- audit -------------------------------------------------------------- */

/*
 * Verifies a whole hub from the pinned root key alone (docs/audit.md §12):
 * every trust file signed by the root key, its versions only moving forward
 * along ruta/trust; every changeset's signature, by a key the trust files
 * endorse for its replica and not revoked at its seq; each replica's chain
 * (seq 1..n, no gap, prev the hash of the one before, no fork, no
 * reordering, no replay); every commit signed by its branch owner's key;
 * every branch only moved forward since the last good audit of this hub.
 * A hub by path or file:// is read in place; any other URL is fetched into
 * the replica's repository first (under its sync lock: RUTA_ELOCKED while
 * a sync runs; RUTA_EUNREACHABLE when the hub cannot be reached).
 */
#define RUTA_AUDIT_OPTIONS_VERSION 3
typedef struct ruta_audit_options {
	unsigned int version;
	const char *hub;       /* any hub URL or path; NULL: the replica's hub */
	/* since version 2: */
	int timeline;          /* non-zero: the report's JSON also lists every changeset
	                        * found, as "timeline" (docs/audit.md §15) */
	/* since version 3: */
	int timeout;           /* seconds a hub fetched may take (see RUTA_TIMEOUT_DEFAULT),
	                        * 1 to RUTA_TIMEOUT_MAX; 0: RUTA_TIMEOUT_DEFAULT */
	ruta_credential_cb credentials;   /* the hub's login, as for a sync; NULL: none */
	ruta_step_cb step;     /* the fetch's progress, and a way to cancel it
	                        * (RUTA_ECANCELED); NULL: none */
	void *payload;         /* for credentials and step */
} ruta_audit_options;
#define RUTA_AUDIT_OPTIONS_INIT { RUTA_AUDIT_OPTIONS_VERSION, NULL, 0, 0, NULL, NULL, NULL }

#define RUTA_AUDIT_RESULT_VERSION 1
typedef struct ruta_audit_result {
	unsigned int version;
	int64_t branches;        /* ruta/ branches on the hub */
	int64_t commits;         /* commits walked */
	int64_t trust_version;   /* the newest trust file version on ruta/trust */
	int64_t keys;            /* distinct replica keys the trust files endorse */
	int64_t replicas;        /* replicas with changesets */
	int64_t changesets;      /* distinct changesets */
	int64_t changes;         /* field changes in them */
	uint64_t hlc_first;      /* the lowest and highest version in them, 0 if none */
	uint64_t hlc_last;
	int64_t problems;        /* each is in `json` with where it is */
	char *json;              /* the report, schema 1 (docs/audit.md §12); owned */
} ruta_audit_result;
#define RUTA_AUDIT_RESULT_INIT { RUTA_AUDIT_RESULT_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL }

/* Fills *out. 0 when every check passed (and the branch tips are kept as the
 * checkpoint the next audit of this hub starts from); RUTA_EVERIFY when
 * problems were found (all in out->json); another code if the audit could
 * not run. Free with ruta_audit_result_dispose in every case. */
RUTA_EXTERN(int) ruta_audit_verify(ruta_audit_result *out, ruta_replica *r,
	const ruta_audit_options *opts) RUTA_WARN_UNUSED;
RUTA_EXTERN(void) ruta_audit_result_dispose(ruta_audit_result *res);

/* The forms of ruta_audit_report. */
#define RUTA_REPORT_JSON 1   /* one JSON object, schema 1, keys sorted */
#define RUTA_REPORT_HTML 2   /* one HTML page: inline CSS, no script, nothing fetched */

/*
 * The audit report an auditor reads (docs/audit.md §15): ruta_audit_verify
 * of the hub in `opts` (its checks, and its checkpoint: kept when nothing
 * is found), the changesets of each replica in seq order with the problems
 * found at each, and the conflicts this replica holds, open and resolved
 * (with who resolved them and when). `format` is RUTA_REPORT_JSON or
 * RUTA_REPORT_HTML. The same replica, hub and history give the same bytes.
 * 0 when the hub verified; RUTA_EVERIFY when problems were found, with the
 * report in *out all the same; any other code (RUTA_EUNREACHABLE, ...) with
 * *out NULL. *out is new: free with ruta_free.
 */
RUTA_EXTERN(int) ruta_audit_report(char **out, ruta_replica *r, const ruta_audit_options *opts,
	int format) RUTA_WARN_UNUSED;

/* ---- sales reports (docs/reports.md) ---- */

/* More forms of ruta_report: an aligned table for a terminal, and CSV
 * (RFC 4180: a header, CRLF line ends). */
#define RUTA_REPORT_TABLE 3
#define RUTA_REPORT_CSV 4

typedef struct ruta_report_options {
	unsigned int version;   /* RUTA_REPORT_OPTIONS_VERSION */
	const char *report;     /* funnel, lost, pipeline, abc, top or activity */
	const char *period;     /* YYYY-MM, YYYY-MM..YYYY-MM, YYYY-Qn or YYYY (UTC); NULL: this month */
	const char *team;       /* only this team's records; NULL: every team */
	const char *region;     /* only accounts of this region (and their records); NULL: all */
	const char *currency;   /* abc, top: the currency ranked; NULL: the most used one */
	int abc_a, abc_b;       /* abc: cumulative % bounds of A and B; 0: 80 and 95 */
} ruta_report_options;

#define RUTA_REPORT_OPTIONS_VERSION 1
#define RUTA_REPORT_OPTIONS_INIT { RUTA_REPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0, 0 }

/*
 * A sales report of the replica's CRM (docs/reports.md): the funnel of a
 * period from the stage history, lost deals by reason and stage at loss,
 * the open and weighted pipeline, ABC by purchases and by potential, the
 * top accounts, activity planned vs held. `format` is RUTA_REPORT_JSON
 * (schema 1, keys sorted), RUTA_REPORT_HTML (one page, inline CSS and SVG,
 * no script), RUTA_REPORT_TABLE or RUTA_REPORT_CSV. Money is never added
 * across currencies. No locale: the same rows and options give the same
 * bytes. RUTA_EINVALID names a bad option. *out is new: free with ruta_free.
 * Reads only; safe on a replica other threads do not use at the same time.
 */
RUTA_EXTERN(int) ruta_report(char **out, ruta_replica *r, const ruta_report_options *opts,
	int format) RUTA_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* RUTA_H */
