/* merge.h - field-level merge: concurrent versions, CRM policies, conflict records. */
#ifndef RUTA_MERGE_H
#define RUTA_MERGE_H

#include <jansson.h>

#include "internal.h"
#include "schema.h"

/* What applying one changeset needs to know about where its changes come from. */
/* A record with an open conflict must be weighed field by field: the test
 * ruta_merge__needed() makes, with the table and the record id bound in
 * that order, of a record ruta_merge__marked() cannot rule out. */
#define RUTA_MERGE_OPEN_ON_RECORD "SELECT 1 FROM ruta_conflict WHERE tbl = ? AND rec = ?"

typedef struct ruta_merge_ctx {
	const char *replica;     /* the changeset's maker */
	const char *changeset;   /* its hash */
	json_t *deps;            /* what its maker had applied from others */
	int any_open;            /* the replica had open conflicts when it began */
	int64_t conflicts;       /* fields that became or stayed in conflict */
	/* Records that may have a conflict row: those of the changeset that had
	 * one when it began (ruta_merge__prefetch), and any that got one since.
	 * Open addressing; a record not in it has none for certain. */
	struct ruta_merge_mark *marks;
	size_t nmarks, capmarks;
	int prefetched;      /* every record of the changeset went through it */
} ruta_merge_ctx;

/* Inside the apply transaction, before the first record. */
int ruta_merge__begin(ruta_merge_ctx *m, ruta_replica *r, const char *replica,
	const char *changeset, json_t *deps);
/* Frees what ruta_merge__begin and the records kept. */
void ruta_merge__end(ruta_merge_ctx *m);

/* Marks the records `ids` (a JSON array text of ids of table `t`) that have
 * a conflict row: one statement for a whole changeset's records of a table,
 * not a lookup each. */
int ruta_merge__prefetch(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *ids, size_t len);

/* 0 if record `id` has no conflict row for certain, 1 if it may have. */
int ruta_merge__marked(const ruta_merge_ctx *m, const ruta_tabledef *t, const char *id);

/* 1 if the field of record `id` is in conflict (or may become one because
 * the record is a tombstone), so ruta_merge__field must weigh the change. */
int ruta_merge__needed(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, int deleted);

/*
 * One incoming field change that is not a plain sequential edit: `cur` and
 * `cur_v` are the record's value and version. Sets *write to 1 with the
 * value and version the record must now hold (*value new, or borrowed from
 * the change), or 0 to leave it.
 */
int ruta_merge__field(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col, json_t *change, json_t *cur, uint64_t cur_v,
	int *write, json_t **value, uint64_t *version);

/* After a record's fields `f` (the change's): an edit of a record deleted
 * here (`was_deleted`) or a delete of one edited here makes the record a
 * candidate for an update-against-delete conflict (conflicts.c judges it);
 * and policies that depend on another field (an opportunity's probability
 * on its merged stage) are weighed again. */
int ruta_merge__record_done(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, json_t *f, int was_deleted);
/* 0 when ruta_merge__record_done() has nothing to do for a record that was
 * live: not an opportunity or an offer, and `deletes` (a deleted_at it
 * receives is not null) 0. Its fields' JSON need not be made then. */
int ruta_merge__record_done_needed(const ruta_tabledef *t, int deletes);

/* A local edit of a field in conflict resolves it: stamping calls this with
 * the change's log seq, version and base. */
int ruta_merge__local(ruta_replica *r, const ruta_tabledef *t, const char *rec, const char *col,
	int64_t seq, uint64_t ver);

/* The replica that made version `hlc` of field `col` of record `rec` with
 * `value`, and in which changeset, passing over changeset `skip` (NULL:
 * none): empty strings if this replica cannot tell (before its snapshot).
 * *seq (if not NULL) is the changeset's seq, INT64_MAX for a change made
 * here and not sealed yet. */
int ruta_merge__author_of(char replica[72], char changeset[65], int64_t *seq, ruta_replica *r,
	uint64_t hlc, const char *rec, const char *col, json_t *value, const char *skip);
/* The changeset of replica `by` that carries that version ("" if none yet). */
int ruta_merge__changeset_of(char changeset[65], int64_t *seq, ruta_replica *r, const char *by,
	uint64_t hlc, const char *rec, const char *col, json_t *value);

/* The fields merged as one unit with field `col` of `table` (amount and
 * currency, an address), `col` among them, NULL-terminated; NULL if the
 * field stands alone. Static storage. */
const char *const *ruta_merge__group(const char *table, const char *col);

/* A record deleted here, by an edit made here: a candidate for an
 * update-against-delete conflict (conflicts.c judges it). */
int ruta_merge__mark(ruta_replica *r, const ruta_tabledef *t, const char *id);

/* conflicts.c: ruta_conflicts_open after an apply, which may also drop
 * candidates for update-against-delete that turned out to be none. */
int ruta_conflicts__open_after_apply(int64_t *count, ruta_replica *r);

/* 1 if the heads of a closed conflict (its "heads": [{"hlc", "value",
 * "replica"}]) agreed under the field's policy: they were kept, never a
 * conflict (docs/merge.md §1.3). 0 if not; a negative code if unreadable. */
int ruta_merge__agreed(const ruta_tabledef *t, const char *col, json_t *heads);

/* conflicts.c: every conflict closed on this replica, resolved by a change
 * that superseded its heads, as a JSON array sorted by table, record,
 * field and the resolving version (docs/audit.md §15). New. */
int ruta_conflicts__closed_json(json_t **out, ruta_replica *r);

/* Every open conflict as [{"t","id","col","heads":[[value, hlc, replica]]}],
 * for a snapshot; and one of them taken back in from a snapshot. */
int ruta_merge__open_json(json_t **out, ruta_replica *r);
int ruta_merge__restore(ruta_replica *r, json_t *conflict);

#endif
