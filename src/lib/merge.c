/*
 * merge.c - field-level merge: concurrent versions, CRM policies, conflict records.
 *
 * Changesets apply in causal order, so when a change arrives its base is
 * either the version this replica holds (a sequential edit: apply.c takes
 * that fast path) or something else: the change is concurrent with what is
 * here. A field then keeps its "heads", the versions no later change
 * supersedes (a change supersedes the version it names as its base, and a
 * resolution also those it lists). The heads are a function of the set of
 * changes received, not of their order; the value a record shows is picked
 * from the heads by the field's policy, a total order, so every replica
 * shows the same. Heads that hold the same value are all kept (each may be
 * superseded on its own) but are no conflict: two people typing the same
 * thing see it once. A field whose heads differ is an open conflict, kept
 * until a change supersedes all of them.
 * docs/merge.md states every policy with an example.
 */
#define _GNU_SOURCE 1   /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "changeset.h"
#include "merge.h"

/* ---- heads ------------------------------------------------------------------- */

typedef struct head {
	uint64_t hlc;
	json_t *value;         /* owned */
	char replica[72];
	char changeset[65];
} head;

typedef struct heads {
	head *v;
	size_t n, cap;
} heads;

static void heads_free(heads *h)
{
	size_t i;
	for (i = 0; i < h->n; i++)
		json_decref(h->v[i].value);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* Takes a reference to `value`. */
static int heads_add(heads *h, uint64_t hlc, json_t *value, const char *replica,
	const char *changeset)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 4;
		head *nv = realloc(h->v, cap * sizeof(*nv));
		if (!nv)
			return ruta_error__oom();
		h->v = nv;
		h->cap = cap;
	}
	h->v[h->n].hlc = hlc;
	h->v[h->n].value = json_incref(value);
	snprintf(h->v[h->n].replica, sizeof(h->v[h->n].replica), "%s", replica ? replica : "");
	snprintf(h->v[h->n].changeset, sizeof(h->v[h->n].changeset), "%s", changeset ? changeset : "");
	h->n++;
	return 0;
}

static void heads_drop(heads *h, size_t i)
{
	json_decref(h->v[i].value);
	h->v[i] = h->v[--h->n];
}

static int value_cmp(json_t *a, json_t *b)
{
	int ta = json_is_null(a) ? 0 : json_is_integer(a) ? 1 : 2;
	int tb = json_is_null(b) ? 0 : json_is_integer(b) ? 1 : 2;
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (ta == 1)
		return json_integer_value(a) < json_integer_value(b) ? -1 :
			json_integer_value(a) > json_integer_value(b);
	if (ta == 2) {
		size_t la = json_string_length(a), lb = json_string_length(b);
		int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
		return c ? c : la < lb ? -1 : la > lb;
	}
	return 0;
}

/* A JSON scalar against a column's value. */
static int value_cmp_col(json_t *v, sqlite3_stmt *st, int col)
{
	json_t *c = ruta_json__column(st, col);
	int d = c ? value_cmp(v, c) : 1;
	json_decref(c);
	return d;
}

/* ---- policies ------------------------------------------------------------------ */

typedef struct policy policy;
/* A head's standing under the policy: higher wins, then the newer version,
 * then the greater value. */
typedef int (*rank_fn)(int64_t *rank, ruta_replica *r, const char *id, const head *h);

struct policy {
	const char *table;    /* NULL: any table */
	const char *col;
	const char *name;
	rank_fn rank;         /* NULL: last writer wins */
	int review;           /* REVIEW_* */
	int append;           /* the record shows every head's text, oldest first */
};

#define REVIEW_NEVER 0
#define REVIEW_ALWAYS 1
#define REVIEW_TOP_TIE 2  /* when two different values share the top rank */

static int rank_stage(int64_t *rank, ruta_replica *r, const char *id, const head *h)
{
	static const char sql[] = "SELECT is_closed, seq FROM stage WHERE id = ?1";
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	(void)id;
	*rank = 0;
	if (!json_is_string(h->value))
		return 0;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, json_string_value(h->value), -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		/* a closed stage beats every open one; open ones by their order */
		*rank = sqlite3_column_int(st, 0) ? (int64_t)1 << 40 : sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* The probability the merged stage gives wins over another one. */
static int rank_probability(int64_t *rank, ruta_replica *r, const char *id, const head *h)
{
	static const char sql[] = "SELECT s.probability FROM opportunity o JOIN stage s"
		" ON s.id = o.stage WHERE o.id = ?1";
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	*rank = 0;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		*rank = json_is_integer(h->value) &&
			json_integer_value(h->value) == sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int rank_in(int64_t *rank, const head *h, const char *const *order, const int64_t *ranks)
{
	size_t i;
	*rank = 0;
	for (i = 0; json_is_string(h->value) && order[i]; i++)
		if (strcmp(json_string_value(h->value), order[i]) == 0)
			*rank = ranks[i];
	return 0;
}

static int rank_lifecycle(int64_t *rank, ruta_replica *r, const char *id, const head *h)
{
	static const char *const order[] = { "lead", "prospect", "potential", "client",
		"inactive", NULL };
	static const int64_t ranks[] = { 1, 2, 3, 4, 5 };
	(void)r;
	(void)id;
	return rank_in(rank, h, order, ranks);
}

static int rank_activity_status(int64_t *rank, ruta_replica *r, const char *id, const head *h)
{
	static const char *const order[] = { "planned", "held", "not_held", "cancelled", NULL };
	static const int64_t ranks[] = { 1, 2, 2, 2 };
	(void)r;
	(void)id;
	return rank_in(rank, h, order, ranks);
}

static int rank_offer_status(int64_t *rank, ruta_replica *r, const char *id, const head *h)
{
	static const char *const order[] = { "draft", "sent", "accepted", "rejected", "expired",
		"withdrawn", NULL };
	static const int64_t ranks[] = { 1, 2, 3, 3, 3, 3 };
	(void)r;
	(void)id;
	return rank_in(rank, h, order, ranks);
}

static const char hq_sql[] = "SELECT 1 FROM ruta_key WHERE principal = ?1 AND team = 'hq'";

static int rank_head_office(int64_t *rank, ruta_replica *r, const char *id, const head *h)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	(void)id;
	*rank = 0;
	if (!h->replica[0])
		return 0;
	if ((err = ruta_db__stmt(&st, r, hq_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, h->replica, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	*rank = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Deleted again and restored at once: the deletion stands, flagged. */
static int rank_deleted(int64_t *rank, ruta_replica *r, const char *id, const head *h)
{
	(void)r;
	(void)id;
	*rank = !json_is_null(h->value);
	return 0;
}

#define ADDRESS_BLOCK(t) \
	{ t, "street", "address-block", NULL, REVIEW_NEVER, 0 }, \
	{ t, "city", "address-block", NULL, REVIEW_NEVER, 0 }, \
	{ t, "postal_code", "address-block", NULL, REVIEW_NEVER, 0 }, \
	{ t, "country", "address-block", NULL, REVIEW_NEVER, 0 }

/* A rank that reads another record of its own field's table (rank_stage
 * reads the stages, not other opportunities) would have to keep that table
 * out of apply's batches: apply.c's batchable() counts on none doing so. */
static const policy policies[] = {
	{ "opportunity", "stage", "stage-forward", rank_stage, REVIEW_TOP_TIE, 0 },
	{ "opportunity", "probability", "probability-follows-stage", rank_probability, REVIEW_NEVER, 0 },
	{ "opportunity", "amount_minor", "amount-unit", NULL, REVIEW_ALWAYS, 0 },
	{ "opportunity", "currency", "amount-unit", NULL, REVIEW_ALWAYS, 0 },
	{ "opportunity", "lost_reason", "lost-reason", NULL, REVIEW_ALWAYS, 0 },
	{ "offer", "total_minor", "amount-unit", NULL, REVIEW_ALWAYS, 0 },
	{ "offer", "currency", "amount-unit", NULL, REVIEW_ALWAYS, 0 },
	{ "account", "potential_minor", "amount-unit", NULL, REVIEW_ALWAYS, 0 },
	{ "account", "currency", "amount-unit", NULL, REVIEW_ALWAYS, 0 },
	{ "offer", "status", "status-forward", rank_offer_status, REVIEW_TOP_TIE, 0 },
	{ "activity", "status", "status-terminal", rank_activity_status, REVIEW_TOP_TIE, 0 },
	{ "activity", "notes", "notes-append", NULL, REVIEW_NEVER, 1 },
	{ "account", "lifecycle", "lifecycle-forward", rank_lifecycle, REVIEW_NEVER, 0 },
	{ "contact", "lifecycle", "lifecycle-forward", rank_lifecycle, REVIEW_NEVER, 0 },
	{ "account", "tax_id", "tax-id", NULL, REVIEW_ALWAYS, 0 },
	ADDRESS_BLOCK("account"),
	ADDRESS_BLOCK("contact"),
	{ NULL, "owner", "head-office-wins", rank_head_office, REVIEW_TOP_TIE, 0 },
	{ NULL, "team", "head-office-wins", rank_head_office, REVIEW_TOP_TIE, 0 },
	{ NULL, "deleted_at", "delete-vs-restore", rank_deleted, REVIEW_ALWAYS, 0 },
};

static const policy lww = { NULL, NULL, "last-writer-wins", NULL, REVIEW_NEVER, 0 };
/* Fields ruta derives from others (a normalized tax id, when a stage was
 * entered): they follow their source, so no conflict is kept on them. */
static const policy derived = { NULL, NULL, "derived", NULL, REVIEW_NEVER, 0 };

static const policy *policy_for(const ruta_tabledef *t, const char *col)
{
	const ruta_coldef *c;
	size_t i;
	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if ((!policies[i].table || strcmp(policies[i].table, t->name) == 0) &&
				strcmp(policies[i].col, col) == 0)
			return &policies[i];
	c = ruta_schema__col(t, col);
	return c && (c->flags & RUTA_F_DERIVED) ? &derived : &lww;
}

/* ---- groups ------------------------------------------------------------------ */

/* Fields merged as one unit. Stamping (journal.c) gives every field of a
 * group one version whenever any of them is edited here, so each change
 * carries the whole group; then the heads of every field of the group come
 * from the same changes, and the per-field order below (rank, version,
 * maker) picks the same change for all of them. */
static const char *const amount_unit[] = { "amount_minor", "currency", NULL };
static const char *const total_unit[] = { "total_minor", "currency", NULL };
static const char *const potential_unit[] = { "potential_minor", "currency", NULL };
static const char *const address[] = { "street", "city", "postal_code", "country", NULL };

static const struct group {
	const char *table;
	const char *const *cols;
} groups[] = {
	{ "opportunity", amount_unit },
	{ "offer", total_unit },
	{ "account", potential_unit },
	{ "account", address },
	{ "contact", address },
};

const char *const *ruta_merge__group(const char *table, const char *col)
{
	size_t i, k;
	for (i = 0; table && col && i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i].table, table) == 0)
			for (k = 0; groups[i].cols[k]; k++)
				if (strcmp(groups[i].cols[k], col) == 0)
					return groups[i].cols;
	return NULL;
}

/* Two heads that count as one: the same value, two tombstones, or any two
 * values of a derived field (the newest stands: last writer wins). */
static int same(const policy *p, const head *a, const head *b)
{
	if (p == &derived)
		return 1;
	if (p->rank == rank_deleted)
		return json_is_null(a->value) == json_is_null(b->value) &&
			(!json_is_null(a->value) || a->hlc == b->hlc);
	return value_cmp(a->value, b->value) == 0;
}

static int by_hlc(const void *a, const void *b)
{
	const head *x = a, *y = b;
	if (x->hlc != y->hlc)
		return x->hlc < y->hlc ? -1 : 1;
	return strcmp(x->replica, y->replica);
}

/* The total order of versions: hlc, then maker (two clocks can tick alike). */
static int newer(const head *a, const head *b)
{
	return by_hlc(a, b) > 0;
}

static int agree(const policy *p, const heads *h)
{
	size_t i;
	for (i = 1; i < h->n; i++)
		if (!same(p, &h->v[0], &h->v[i]))
			return 0;
	return 1;
}

/* Keeps the newest of heads that count as one. */
static void collapse(heads *h, const policy *p)
{
	size_t i, j;
	for (i = 0; i < h->n; i++)
		for (j = i + 1; j < h->n; j++)
			if (same(p, &h->v[i], &h->v[j])) {
				if (newer(&h->v[j], &h->v[i])) {
					json_t *v = h->v[i].value;
					h->v[i] = h->v[j];
					h->v[j].value = v;
				}
				heads_drop(h, j);
				j = i;
			}
}

/* Of two heads of equal rank, whether `a` goes before `b`: the newer
 * version, then the greater value, then the greater maker. In a group the
 * maker comes before the value: two fields of one change share a version
 * and a maker, but not a value. */
static int ahead(const policy *p, const head *a, const head *b)
{
	int v = value_cmp(a->value, b->value), m = strcmp(a->replica, b->replica);
	if (a->hlc != b->hlc)
		return a->hlc > b->hlc;
	if (p->table && ruta_merge__group(p->table, p->col) && m != 0)
		return m > 0;
	return v > 0 || (v == 0 && m > 0);
}

/* The winner's index; *review set if the policy asks a person to look. */
static int pick(size_t *win, int *review, ruta_replica *r, const policy *p, const char *id,
	const heads *h)
{
	int64_t best = 0, rank = 0;
	size_t i, top = 0;
	int err;

	*win = 0;
	for (i = 0; i < h->n; i++) {
		if (p->rank && (err = p->rank(&rank, r, id, &h->v[i])) < 0)
			return err;
		if (i == 0 || rank > best || (rank == best && ahead(p, &h->v[i], &h->v[*win]))) {
			top = i == 0 || rank > best ? 1 : top + 1;
			best = rank;
			*win = i;
		} else if (rank == best) {
			top++;
		}
	}
	*review = p->review == REVIEW_ALWAYS || (p->review == REVIEW_TOP_TIE && top > 1);
	return 0;
}


/* Every head's text, oldest first, one paragraph each. */
static json_t *appended(heads *h)
{
	ruta_buf b = RUTA_BUF_INIT;
	json_t *v;
	size_t i;
	qsort(h->v, h->n, sizeof(*h->v), by_hlc);
	for (i = 0; i < h->n; i++)
		if (json_is_string(h->v[i].value))
			ruta_buf__printf(&b, "%s%s", b.len ? "\n\n" : "", json_string_value(h->v[i].value));
	if (ruta_buf__check(&b) < 0)
		return NULL;
	v = b.len ? json_stringn(b.ptr, b.len) : json_null();
	ruta_buf__dispose(&b);
	return v;
}

/* ---- who made a version ---------------------------------------------------------- */

static const char local_author_sql[] = "SELECT rec, val, col FROM ruta_change WHERE ver = ?1";
static const char author_sql[] = "SELECT replica, hash, body, seq FROM ruta_changeset"
	" WHERE hlc_max >= ?1 AND coalesce(hlc_min, 0) <= ?1 AND replica > ?2"
	" ORDER BY hlc_max LIMIT 256";

/* memmem: bodies run to hundreds of kilobytes and every other byte of
 * JSON is the needle's first one, a quote. */
static int contains(const char *hay, size_t len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle)) != NULL;
}

/* Whether this replica made version `hlc` of field `col` of record `rec`
 * with `value`: its own log says. */
static int made_here(int *yes, ruta_replica *r, uint64_t hlc, const char *rec, const char *col,
	json_t *value)
{
	sqlite3_stmt *st;
	int rc, err;
	*yes = 0;
	if ((err = ruta_db__stmt(&st, r, local_author_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)hlc);
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(st, 0), rec) == 0 &&
				strcmp((const char *)sqlite3_column_text(st, 2), col) == 0 &&
				value_cmp_col(value, st, 1) == 0) {
			*yes = 1;
			break;
		}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/*
 * The changeset that carries a version. Ranges overlap and two clocks can
 * tick alike, so the field's entry itself is looked for, exactly as
 * canonical JSON writes it ("col":[value,"hlc"), in a changeset that names
 * the record, passing over changeset `skip`.
 */
static int author_seq(char replica[72], char changeset[65], int64_t *seq, ruta_replica *r,
	uint64_t hlc, const char *rec, const char *col, json_t *value, const char *skip,
	const char *only, int maker_only)
{
	char *val = NULL, *needle = NULL;
	sqlite3_stmt *st;
	ruta_buf b = RUTA_BUF_INIT;
	int rc = SQLITE_DONE, err, here = 0;

	replica[0] = changeset[0] = '\0';
	*seq = 0;
	if ((err = made_here(&here, r, hlc, rec, col, value)) < 0)
		return err;
	if (here) {   /* made here; its changeset, if sealed, is found below */
		snprintf(replica, 72, "%s", r->id);
		*seq = INT64_MAX;
	}
	if ((err = ruta_db__stmt(&st, r, author_sql)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)hlc);
	/* Made here, it can only be credited to a greater replica id (below):
	 * when the maker alone is asked for, no other body needs a search. */
	sqlite3_bind_text(st, 2, here && maker_only ? r->id : "", -1, SQLITE_STATIC);
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		const char *body;
		size_t len;
		/* before the body is read: the one skipped is often the changeset
		 * being applied, hundreds of kilobytes */
		if ((skip && strcmp((const char *)sqlite3_column_text(st, 1), skip) == 0) ||
				(only && strcmp((const char *)sqlite3_column_text(st, 0), only) != 0))
			continue;
		/* the entry as canonical JSON writes it, once a body is to be searched */
		if (!needle) {
			if (!(val = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY))) {
				rc = ruta_error__oom();
				break;
			}
			ruta_buf__printf(&b, "\"%s\":[%s,\"%016llx\"", col, val,
				(unsigned long long)hlc);
			free(val);
			if ((rc = ruta_buf__check(&b)) < 0)
				break;
			needle = b.ptr;
		}
		body = sqlite3_column_blob(st, 2);
		len = (size_t)sqlite3_column_bytes(st, 2);
		/* two makers of the very same entry: the greater replica id, as
		 * when two heads count as one */
		if (body && contains(body, len, needle) && contains(body, len, rec) &&
				(!changeset[0] || strcmp((const char *)sqlite3_column_text(st, 0), replica) > 0)) {
			snprintf(replica, 72, "%s", sqlite3_column_text(st, 0));
			snprintf(changeset, 65, "%s", sqlite3_column_text(st, 1));
			*seq = sqlite3_column_int64(st, 3);
		}
	}
	sqlite3_reset(st);
	ruta_buf__dispose(&b);
	return rc < 0 ? rc : 0;
}

int ruta_merge__author_of(char replica[72], char changeset[65], int64_t *seq, ruta_replica *r,
	uint64_t hlc, const char *rec, const char *col, json_t *value, const char *skip)
{
	int64_t dummy;
	return author_seq(replica, changeset, seq ? seq : &dummy, r, hlc, rec, col, value, skip, NULL,
		0);
}

int ruta_merge__changeset_of(char changeset[65], int64_t *seq, ruta_replica *r, const char *by,
	uint64_t hlc, const char *rec, const char *col, json_t *value)
{
	char who[72];
	int64_t dummy;
	return author_seq(who, changeset, seq ? seq : &dummy, r, hlc, rec, col, value, NULL, by, 0);
}

/* ---- the conflict tables -------------------------------------------------------- */

static const char heads_sql[] = "SELECT hlc, value, replica, changeset FROM ruta_conflict_head"
	" WHERE tbl = ?1 AND rec = ?2 AND col = ?3";
static const char open_sql[] = "SELECT policy FROM ruta_conflict WHERE tbl = ?1 AND rec = ?2"
	" AND col = ?3";

static int load_heads(heads *h, int *open, ruta_replica *r, const char *tbl, const char *rec,
	const char *col)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = 0;
	*open = 0;
	if ((err = ruta_db__stmt(&st, r, open_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc < 0 ? rc : 0;
	*open = 1;
	if ((err = ruta_db__stmt(&st, r, heads_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		json_t *v = ruta_json__column(st, 1);
		err = v ? heads_add(h, (uint64_t)sqlite3_column_int64(st, 0), v,
			(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3)) :
			ruta_error__oom();
		json_decref(v);
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

/* The same conflict (the same heads) has the same id on every replica. */
static void conflict_id(char out[13], const char *tbl, const char *rec, const char *col,
	heads *h)
{
	ruta_buf b = RUTA_BUF_INIT;
	unsigned char d[32];
	char v[17];
	size_t i;
	qsort(h->v, h->n, sizeof(*h->v), by_hlc);
	ruta_buf__put(&b, tbl, strlen(tbl) + 1);
	ruta_buf__put(&b, rec, strlen(rec) + 1);
	ruta_buf__put(&b, col, strlen(col) + 1);
	for (i = 0; i < h->n; i++) {
		ruta_hlc_format(v, h->v[i].hlc);
		ruta_buf__put(&b, v, 16);
		ruta_buf__put(&b, h->v[i].replica, strlen(h->v[i].replica) + 1);
	}
	if (ruta_buf__check(&b) < 0) {
		snprintf(out, 13, "000000000000");
	} else {
		ruta_crypto__sha256(d, b.ptr, b.len);
		ruta_crypto__hex(out, d, 6);
	}
	ruta_buf__dispose(&b);
}

static int exec3(ruta_replica *r, const char *sql, const char *tbl, const char *rec,
	const char *col)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static const char drop_heads_sql[] = "DELETE FROM ruta_conflict_head WHERE tbl = ?1 AND rec = ?2"
	" AND col = ?3";
static const char drop_open_sql[] = "DELETE FROM ruta_conflict WHERE tbl = ?1 AND rec = ?2"
	" AND col = ?3";
static const char put_open_sql[] = "INSERT INTO ruta_conflict(tbl, rec, col, id, policy, review,"
	" opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(tbl, rec, col) DO UPDATE SET"
	" id = excluded.id, policy = excluded.policy, review = excluded.review,"
	" opened_at = excluded.opened_at";
static const char new_open_sql[] = "INSERT INTO ruta_conflict(tbl, rec, col, id, policy, review,"
	" opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char put_head_sql[] = "INSERT INTO ruta_conflict_head(tbl, rec, col, n, hlc, value,"
	" replica, changeset) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/* OR FAIL: a constraint failing on the second row need not undo the first,
 * as any error rolls the whole transaction back, and so SQLite opens no
 * statement journal for the two rows. */
static const char put_heads2_sql[] = "INSERT OR FAIL INTO ruta_conflict_head(tbl, rec, col, n,"
	" hlc, value, replica, changeset) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8),"
	" (?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

/* Head `n` of a field as a row, from parameter `k` on: table, record,
 * field, its place, then the head. Texts are bound without a copy: the
 * statement is stepped and reset while they live (save_open). */
static void bind_head(sqlite3_stmt *st, int k, const char *tbl, const char *rec, const char *col,
	size_t n, const head *x)
{
	sqlite3_bind_text(st, k, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 1, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 2, col, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, k + 3, (sqlite3_int64)n);
	sqlite3_bind_int64(st, k + 4, (sqlite3_int64)x->hlc);
	ruta_json__bind(st, k + 5, x->value);
	sqlite3_bind_text(st, k + 6, x->replica, -1, SQLITE_STATIC);
	/* a local head's changeset is sealed later: listing finds it then */
	if (x->changeset[0])
		sqlite3_bind_text(st, k + 7, x->changeset, -1, SQLITE_STATIC);
}

static int mark_open(ruta_merge_ctx *m, const ruta_tabledef *t, const char *id);

/* `was_open` 0: the field had no conflict row, so no heads either (both are
 * written here and dropped together), and there are none to drop. */
static int save_open(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t, const char *rec,
	const char *col, const policy *p, int review, heads *h, int was_open)
{
	const char *tbl = t->name;
	char id[13], when[40];
	sqlite3_stmt *st;
	size_t i;
	int rc = SQLITE_DONE, err;

	if (m && (err = mark_open(m, t, rec)) < 0)
		return err;
	conflict_id(id, tbl, rec, col, h);
	/* opened when the newest head was made: the same time on every replica */
	ruta_hlc_describe(when, h->v[h->n - 1].hlc);
	if ((was_open && (err = exec3(r, drop_heads_sql, tbl, rec, col)) < 0) ||
			(err = ruta_db__stmt(&st, r, was_open ? put_open_sql : new_open_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, review);
	sqlite3_bind_text(st, 7, when, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	/* two heads, the usual conflict, in one statement */
	for (i = 0; rc >= 0 && i < h->n; i += h->n - i == 2 ? 2 : 1) {
		int two = h->n - i == 2;
		if ((err = ruta_db__stmt(&st, r, two ? put_heads2_sql : put_head_sql)) < 0)
			return err;
		bind_head(st, 1, tbl, rec, col, i, &h->v[i]);
		if (two)
			bind_head(st, 9, tbl, rec, col, i + 1, &h->v[i + 1]);
		rc = ruta_db__step(r, st);
		sqlite3_reset(st);
	}
	return rc < 0 ? rc : 0;
}

static const char closed_sql[] = "INSERT INTO ruta_conflict_closed(id, tbl, rec, col, policy,"
	" heads, chosen, closed_by, closed_by_replica, at) SELECT id, tbl, rec, col, policy,"
	" (SELECT json_group_array(json_object('hlc', printf('%016x', hlc), 'value', value,"
	" 'replica', replica)) FROM ruta_conflict_head h WHERE h.tbl = c.tbl AND h.rec = c.rec"
	" AND h.col = c.col), ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ','now')"
	" FROM ruta_conflict c WHERE tbl = ?1 AND rec = ?2 AND col = ?3";

/* The conflict leaves the open ones, kept with what lost and what closed it. */
static int close_conflict(ruta_replica *r, const char *tbl, const char *rec, const char *col,
	json_t *chosen, uint64_t by, const char *by_replica)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	if ((err = ruta_db__stmt(&st, r, closed_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	ruta_json__bind(st, 4, chosen);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)by);
	sqlite3_bind_text(st, 6, by_replica, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	if (rc < 0 || (err = exec3(r, drop_heads_sql, tbl, rec, col)) < 0)
		return rc < 0 ? rc : err;
	return exec3(r, drop_open_sql, tbl, rec, col);
}

/* A closed row keeps superseded heads that agreed (review -1) beside real
 * conflicts; the policy tells them apart again, as it did when they met. */
int ruta_merge__agreed(const ruta_tabledef *t, const char *col, json_t *list)
{
	heads h = { NULL, 0, 0 };
	json_t *e;
	size_t i;
	int err = 0;

	json_array_foreach(list, i, e) {
		uint64_t hlc = 0;
		if (!json_object_get(e, "value"))
			err = ruta_error__set(RUTA_ERROR, "a closed conflict's head has no value");
		if (err < 0 ||
				(err = ruta_hlc__parse(&hlc, json_string_value(json_object_get(e, "hlc")))) < 0 ||
				(err = heads_add(&h, hlc, json_object_get(e, "value"),
				json_string_value(json_object_get(e, "replica")), NULL)) < 0)
			break;
	}
	if (err == 0)
		err = h.n > 0 && agree(policy_for(t, col), &h);
	heads_free(&h);
	return err;
}

/* ---- snapshots ------------------------------------------------------------------ */

static const char all_open_sql[] = "SELECT tbl, rec, col FROM ruta_conflict ORDER BY tbl, rec, col";

int ruta_merge__open_json(json_t **out, ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = 0;
	if (!(*out = json_array()))
		return ruta_error__oom();
	if ((err = ruta_db__stmt(&st, r, all_open_sql)) < 0)
		return err;
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		heads h = { NULL, 0, 0 };
		json_t *list = json_array();
		size_t i;
		int open = 0;
		const char *tbl = (const char *)sqlite3_column_text(st, 0);
		const char *rec = (const char *)sqlite3_column_text(st, 1);
		const char *col = (const char *)sqlite3_column_text(st, 2);
		if (!list || (err = load_heads(&h, &open, r, tbl, rec, col)) < 0) {
			json_decref(list);
			err = err < 0 ? err : ruta_error__oom();
			heads_free(&h);
			break;
		}
		qsort(h.v, h.n, sizeof(*h.v), by_hlc);
		for (i = 0; i < h.n && err == 0; i++) {
			char hex[17], who[72], cs[65];
			ruta_hlc_format(hex, h.v[i].hlc);
			if (!h.v[i].changeset[0] && (err = ruta_merge__author_of(who, cs, NULL, r,
					h.v[i].hlc, rec, col, h.v[i].value, NULL)) == 0)
				snprintf(h.v[i].changeset, sizeof(h.v[i].changeset), "%s", cs);
			if (err == 0 && json_array_append_new(list, json_pack("[O, s, s?, s?]", h.v[i].value,
					hex, h.v[i].replica[0] ? h.v[i].replica : NULL,
					h.v[i].changeset[0] ? h.v[i].changeset : NULL)) < 0)
				err = ruta_error__oom();
		}
		if (err == 0 && json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:o}", "t", tbl,
				"id", rec, "col", col, "heads", list)) < 0)
			err = ruta_error__oom();
		else if (err < 0)
			json_decref(list);
		heads_free(&h);
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

int ruta_merge__restore(ruta_replica *r, json_t *c)
{
	const ruta_tabledef *t = ruta_schema__by_name(json_string_value(json_object_get(c, "t")));
	const char *rec = json_string_value(json_object_get(c, "id"));
	const char *col = json_string_value(json_object_get(c, "col"));
	json_t *list = json_object_get(c, "heads"), *e;
	heads h = { NULL, 0, 0 };
	size_t i, win = 0;
	int review = 0, err = 0;

	if (!t || !rec || !col || !ruta_schema__synced(t, col) || !json_is_array(list) ||
			json_array_size(list) < 2 || json_array_size(list) > 256)
		return ruta_error__set(RUTA_EINVALID, "a conflict in the snapshot is malformed");
	json_array_foreach(list, i, e) {
		uint64_t hlc = 0;
		json_t *who = json_array_get(e, 2), *cs = json_array_get(e, 3);
		if (!json_is_array(e) || json_array_size(e) != 4 ||
				!(json_is_null(cs) || (json_is_string(cs) && json_string_length(cs) == 64)) ||
				ruta_hlc__parse(&hlc, json_string_value(json_array_get(e, 1))) < 0 ||
				!(json_is_null(who) || json_is_string(who)) ||
				json_is_object(json_array_get(e, 0)) || json_is_array(json_array_get(e, 0)) ||
				json_is_real(json_array_get(e, 0))) {
			heads_free(&h);
			return ruta_error__set(RUTA_EINVALID, "a conflict head in the snapshot is malformed");
		}
		if ((err = heads_add(&h, hlc, json_array_get(e, 0), json_string_value(who),
				json_string_value(cs))) < 0)
			break;
	}
	if (err == 0 && (err = pick(&win, &review, r, policy_for(t, col), rec, &h)) == 0)
		err = save_open(NULL, r, t, rec, col, policy_for(t, col),
			agree(policy_for(t, col), &h) ? -1 : review, &h, 1);
	heads_free(&h);
	return err;
}

/* ---- applying ------------------------------------------------------------------- */

/* ---- records that may have a conflict row ----------------------------------------- */

struct ruta_merge_mark {
	const ruta_tabledef *t;
	char *id;
};

static size_t mark_hash(const ruta_tabledef *t, const char *id)
{
	size_t h = (size_t)14695981039346656037ULL ^ (size_t)(uintptr_t)t;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * (size_t)1099511628211ULL;
	return h;
}

static struct ruta_merge_mark *mark_slot(struct ruta_merge_mark *v, size_t cap,
	const ruta_tabledef *t, const char *id)
{
	size_t i = mark_hash(t, id) & (cap - 1);
	while (v[i].id && (v[i].t != t || strcmp(v[i].id, id) != 0))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static int mark_grow(ruta_merge_ctx *m)
{
	size_t cap = m->capmarks ? 2 * m->capmarks : 64, i;
	struct ruta_merge_mark *v = calloc(cap, sizeof(*v));
	if (!v)
		return ruta_error__oom();
	for (i = 0; i < m->capmarks; i++)
		if (m->marks[i].id)
			*mark_slot(v, cap, m->marks[i].t, m->marks[i].id) = m->marks[i];
	free(m->marks);
	m->marks = v;
	m->capmarks = cap;
	return 0;
}

static int mark_open(ruta_merge_ctx *m, const ruta_tabledef *t, const char *id)
{
	struct ruta_merge_mark *x;
	int err;
	if (2 * (m->nmarks + 1) > m->capmarks && (err = mark_grow(m)) < 0)
		return err;
	x = mark_slot(m->marks, m->capmarks, t, id);
	if (x->id)
		return 0;
	if (!(x->id = strdup(id)))
		return ruta_error__oom();
	x->t = t;
	m->nmarks++;
	return 0;
}

int ruta_merge__marked(const ruta_merge_ctx *m, const ruta_tabledef *t, const char *id)
{
	return m->nmarks && mark_slot(m->marks, m->capmarks, t, id)->id != NULL;
}

/* json_each first, then the primary key of ruta_conflict: one cursor on it
 * for all the records, where a lookup per record opens one each time. */
static const char prefetch_sql[] = "SELECT j.value FROM json_each(?2) AS j"
	" CROSS JOIN ruta_conflict AS c WHERE c.tbl = ?1 AND c.rec = j.value";

int ruta_merge__prefetch(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *ids, size_t len)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = 0;
	if ((err = ruta_db__stmt(&st, r, prefetch_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ids, (int)len, SQLITE_STATIC);
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW)
		err = mark_open(m, t, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

void ruta_merge__end(ruta_merge_ctx *m)
{
	size_t i;
	for (i = 0; i < m->capmarks; i++)
		free(m->marks[i].id);
	free(m->marks);
	m->marks = NULL;
	m->nmarks = m->capmarks = 0;
}

int ruta_merge__begin(ruta_merge_ctx *m, ruta_replica *r, const char *replica,
	const char *changeset, json_t *deps)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	memset(m, 0, sizeof(*m));
	m->replica = replica;
	m->changeset = changeset;
	m->deps = deps;
	if ((err = ruta_db__stmt(&st, r, "SELECT EXISTS (SELECT 1 FROM ruta_conflict)")) < 0)
		return err;
	rc = ruta_db__step(r, st);
	m->any_open = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static const char rec_open_sql[] = RUTA_MERGE_OPEN_ON_RECORD " LIMIT 1";

/* Marked: the record may have a conflict row. Not marked: none for
 * certain, once every record was looked for, or when none had one as the
 * changeset began. */
static int may_have_row(const ruta_merge_ctx *m, const ruta_tabledef *t, const char *id)
{
	return ruta_merge__marked(m, t, id) || (m->any_open && !m->prefetched);
}

int ruta_merge__needed(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, int deleted)
{
	sqlite3_stmt *st;
	int rc;
	if (deleted)
		return 1;
	if (!may_have_row(m, t, id))
		return 0;
	if ((rc = ruta_db__stmt(&st, r, rec_open_sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : rc == SQLITE_ROW;
}

/* The heads the field has: the stored ones of an open conflict, or else
 * the one value the record holds. `clear`: the record has no conflict row
 * for certain, so none is looked for. */
static int current_heads(heads *h, int *open, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col, json_t *cur, uint64_t cur_v, const char *skip, int clear)
{
	char replica[72], changeset[65];
	int64_t seq;
	int err;
	*open = 0;
	if (!clear && ((err = load_heads(h, open, r, t->name, id, col)) < 0 || *open))
		return err;
	if (cur_v == 0 && json_is_null(cur))
		return 0;   /* never set */
	/* The maker is enough: a head's changeset is found when it is listed, by
	 * the record's id. Not so for an offer's: its heads may move to a
	 * revision, another record, and take their changeset with them. */
	if ((err = author_seq(replica, changeset, &seq, r, cur_v, id, col, cur, skip, NULL,
			strcmp(t->name, "offer") != 0)) < 0)
		return err;
	return heads_add(h, cur_v, cur, replica, changeset);
}

static const char cs_seq_sql[] = "SELECT seq FROM ruta_changeset WHERE hash = ?1";

/* 1 if the maker of the changeset being applied had this head: a base names
 * a version by its hlc alone, and two clocks can tick alike, so the
 * changeset's deps say which of two such versions it overwrote. */
static int seen(ruta_merge_ctx *m, ruta_replica *r, const head *h, const char *id,
	const char *col)
{
	char cs[65];
	sqlite3_stmt *st;
	json_t *dep;
	int64_t seq = 0;
	int rc = SQLITE_ROW, err;
	if (!h->replica[0] || strcmp(h->replica, m->replica) == 0)
		return 1;   /* its own, or from before this replica's history */
	if (!(dep = json_object_get(m->deps, h->replica)))
		return 0;   /* its maker never heard from that replica */
	if (h->changeset[0]) {
		if ((err = ruta_db__stmt(&st, r, cs_seq_sql)) < 0)
			return err;
		sqlite3_bind_text(st, 1, h->changeset, -1, SQLITE_STATIC);
		if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
			seq = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	} else if ((err = ruta_merge__changeset_of(cs, &seq, r, h->replica, h->hlc, id, col,
			h->value)) < 0) {
		return err;   /* one made here, kept before it was sealed */
	}
	if (rc < 0)
		return rc;
	return rc == SQLITE_ROW && seq > 0 && json_integer_value(json_object_get(dep, "seq")) >= seq;
}

static int superseded(uint64_t hlc, uint64_t base, json_t *also)
{
	size_t i;
	uint64_t v;
	if (hlc == base)
		return 1;
	for (i = 0; i < json_array_size(also); i++)
		if (ruta_hlc__parse(&v, json_string_value(json_array_get(also, i))) == 0 && v == hlc)
			return 1;
	return 0;
}

/* What the record shows, now that the heads are `h`; the conflict row follows. */

static int settle(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t, const char *id,
	const char *col, heads *h, int was_open, json_t **value, uint64_t *version)
{
	const policy *p = policy_for(t, col);
	size_t win = 0, i;
	int review = 0, err;

	*value = NULL;
	*version = 0;
	if (h->n == 0)
		return 0;
	if (h->n == 1) {
		*value = json_incref(h->v[0].value);
		*version = h->v[0].hlc;
		return was_open ? close_conflict(r, t->name, id, col, h->v[0].value, h->v[0].hlc,
			h->v[0].replica) : 0;
	}
	if ((err = pick(&win, &review, r, p, id, h)) < 0)
		return err;
	*version = h->v[win].hlc;
	for (i = 0; i < h->n; i++)
		if (h->v[i].hlc > *version && p->append)
			*version = h->v[i].hlc;
	/* Heads that agree are kept, each can be superseded on its own, but
	 * they are no conflict for anyone to review (review -1), and the same
	 * note typed twice shows once. */
	if (agree(p, h)) {
		if (!(*value = json_incref(h->v[win].value)))
			return ruta_error__oom();
		*version = h->v[win].hlc;
		return save_open(m, r, t, id, col, p, -1, h, was_open);
	}
	*value = p->append ? appended(h) : json_incref(h->v[win].value);
	if (!*value)
		return ruta_error__oom();
	m->conflicts++;
	return save_open(m, r, t, id, col, p, review, h, was_open);
}

static int offer_divert(int *diverted, ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col, json_t *change);

int ruta_merge__field(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col, json_t *change, json_t *cur, uint64_t cur_v,
	int *write, json_t **value, uint64_t *version)
{
	const policy *p = policy_for(t, col);
	heads h = { NULL, 0, 0 };
	uint64_t hlc = 0, base = 0;
	json_t *also = json_array_get(change, 3);
	size_t i;
	int open = 0, diverted = 0, err;

	*write = 0;
	*value = NULL;
	ruta_hlc__parse(&hlc, json_string_value(json_array_get(change, 1)));
	ruta_hlc__parse(&base, json_string_value(json_array_get(change, 2)));
	if (strcmp(t->name, "offer") == 0 &&
			((err = offer_divert(&diverted, m, r, t, id, col, change)) < 0 || diverted))
		goto done;   /* a sent offer keeps what was sent */
	if ((err = current_heads(&h, &open, r, t, id, col, cur, cur_v, m->changeset,
			!may_have_row(m, t, id))) < 0)
		goto done;
	for (i = 0; i < h.n; i++)
		if (h.v[i].hlc == hlc && strcmp(h.v[i].replica, m->replica) == 0)
			goto done;   /* this very version is here */
	for (i = h.n; i-- > 0 && err == 0;) {
		int had = superseded(h.v[i].hlc, base, also) ? seen(m, r, &h.v[i], id, col) : 0;
		if (had < 0)
			err = had;
		else if (had)
			heads_drop(&h, i);
	}
	if (err < 0 || (err = heads_add(&h, hlc, json_array_get(change, 0), m->replica,
			m->changeset)) < 0)
		goto done;
	if (p == &derived)
		collapse(&h, p);   /* last writer wins: the others never matter again */
	if ((err = settle(m, r, t, id, col, &h, open, value, version)) < 0)
		goto done;
	*write = *value && (*version != cur_v || value_cmp(*value, cur) != 0);
done:
	heads_free(&h);
	return err;
}

/* ---- update against delete ------------------------------------------------------ */

static int write_field(ruta_replica *r, const ruta_tabledef *t, const char *id, const char *col,
	json_t *value, uint64_t version)
{
	char sql[200];
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?2, %s__v = ?3 WHERE id = ?1", t->name, col, col);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	ruta_json__bind(st, 2, value);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)version);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Reads one field of a record: value and version. */
static int read_field(json_t **value, uint64_t *version, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col)
{
	char sql[200];
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	*value = NULL;
	*version = 0;
	snprintf(sql, sizeof(sql), "SELECT %s, %s__v FROM %s WHERE id = ?1", col, col, t->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		*value = ruta_json__column(st, 0);
		*version = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW && !*value)
		return ruta_error__oom();
	return rc < 0 ? rc : 0;
}

/* A record deleted on one side and edited on the other, each without seeing
 * the other, is a candidate for review; conflicts.c decides from the
 * changesets themselves whether it is one, so the verdict does not depend
 * on the order things arrived in. */
static const char dve_mark_sql[] = "INSERT OR IGNORE INTO ruta_dve(tbl, rec) VALUES (?1, ?2)";

static int mark_candidate(ruta_replica *r, const ruta_tabledef *t, const char *id)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, dve_mark_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int ruta_merge__mark(ruta_replica *r, const ruta_tabledef *t, const char *id)
{
	return mark_candidate(r, t, id);
}

/* ---- a sent offer does not change: a concurrent edit becomes a revision ----------
 *
 * The send logs the fields it freezes again (crm.c), so a send supersedes
 * every version its maker had. An edit of one of them made on a replica
 * where the offer was still a draft, without seeing any send of it, is then
 * concurrent with the send: it leaves the sent offer as sent and goes to a
 * new draft that revises it. That revision's id and versions are functions
 * of the sent offer alone, so every replica makes the same one: its fields
 * hold the sent values at the version of the offer's creation (the "sent
 * head"), and a diverted edit is one more head of that field, weighed like
 * any other, the sent head aside: an open conflict (policy sent-offer,
 * flagged) names what was sent and what was typed until someone decides.
 * docs/merge.md §2.16.
 */

static const char *const frozen_cols[] = { "number", "total_minor", "currency", "valid_until",
	"description", NULL };

static const policy sent_offer = { "offer", NULL, "sent-offer", NULL, REVIEW_ALWAYS, 0 };

static int is_frozen(const char *col)
{
	size_t i;
	for (i = 0; frozen_cols[i]; i++)
		if (strcmp(frozen_cols[i], col) == 0)
			return 1;
	return 0;
}

/* The revision's id: the offer's time prefix, then 80 bits of a hash of the
 * offer's id, in the base32 of ULIDs; the same on every replica. */
static void revision_id(char out[27], const char *offer)
{
	static const char alpha[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	ruta_hasher *hs = NULL;
	char hex[65];
	size_t i, keep = strlen(offer) >= 26 ? 10 : 0;
	unsigned v;

	memset(hex, '0', 64);
	hex[64] = '\0';
	if (ruta_crypto__hasher_new(&hs) == 0) {
		ruta_crypto__hasher_add(hs, "ruta offer revision", 20);
		ruta_crypto__hasher_add(hs, offer, strlen(offer));
		ruta_crypto__hasher_done(hs, hex);
	}
	memcpy(out, offer, keep);
	for (i = keep; i < 26; i++) {
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = alpha[v & 31];
	}
	out[26] = '\0';
}

static const char offer_state_sql[] = "SELECT status, sent_at, sent_at__v, created_at__v"
	" FROM offer WHERE id = ?1";

typedef struct offer_state {
	int sent;              /* not a draft */
	json_t *sent_at;       /* owned; NULL if none */
	uint64_t sent_v;
	uint64_t marker;       /* the version of the revision's sent heads */
} offer_state;

static int offer_state_of(offer_state *o, ruta_replica *r, const char *id)
{
	sqlite3_stmt *st;
	int rc, err;
	memset(o, 0, sizeof(*o));
	if ((err = ruta_db__stmt(&st, r, offer_state_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		o->sent = sqlite3_column_type(st, 0) == SQLITE_TEXT &&
			strcmp((const char *)sqlite3_column_text(st, 0), "draft") != 0;
		if (sqlite3_column_type(st, 1) != SQLITE_NULL && !(o->sent_at = ruta_json__column(st, 1)))
			rc = ruta_error__oom();
		o->sent_v = (uint64_t)sqlite3_column_int64(st, 2);
		o->marker = (uint64_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Whether changeset `body` sends offer `id`: it sets its sent_at. */
static int sends_offer(const char *body, size_t len, const char *id)
{
	json_t *doc, *recs, *rec, *f;
	size_t i;
	int yes = 0;
	if (!contains(body, len, "\"sent_at\":[\"") || !(doc = json_loadb(body, len, 0, NULL)))
		return 0;
	recs = json_object_get(doc, "records");
	json_array_foreach(recs, i, rec) {
		f = json_object_get(rec, "f");
		if (json_is_string(json_object_get(rec, "id")) &&
				strcmp(json_string_value(json_object_get(rec, "id")), id) == 0 &&
				json_is_string(json_array_get(json_object_get(f, "sent_at"), 0)))
			yes = 1;
	}
	json_decref(doc);
	return yes;
}

static const char sends_sql[] = "SELECT replica, seq, body FROM ruta_changeset"
	" WHERE instr(body, ?1) > 0";

/* Whether the maker of the changeset being applied had any send of offer
 * `id`: its own, or one its deps reach. Only asked of a change that did
 * not see the send this replica shows, so this full look is rare. */
static int saw_a_send(int *yes, ruta_merge_ctx *m, ruta_replica *r, const char *id)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err;
	*yes = 0;
	if ((err = ruta_db__stmt(&st, r, sends_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (!*yes && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		const char *who = (const char *)sqlite3_column_text(st, 0);
		json_t *dep = json_object_get(m->deps, who);
		int had = strcmp(who, m->replica) == 0 || (dep &&
			json_integer_value(json_object_get(dep, "seq")) >= sqlite3_column_int64(st, 1));
		*yes = had && sends_offer(sqlite3_column_blob(st, 2),
			(size_t)sqlite3_column_bytes(st, 2), id);
	}
	sqlite3_reset(st);
	return rc < 0 && !*yes ? rc : 0;
}

static const char revision_sql[] = "INSERT INTO offer(id, created_at, created_at__v,"
	" opportunity_id, opportunity_id__v, number, number__v, revision, revision__v, status,"
	" status__v, total_minor, total_minor__v, currency, currency__v, valid_until,"
	" valid_until__v, description, description__v, revises, revises__v)"
	" SELECT ?2, coalesce(sent_at, created_at), created_at__v, opportunity_id, created_at__v,"
	" number, created_at__v, coalesce(revision, 1) + 1, created_at__v, 'draft', created_at__v,"
	" total_minor, created_at__v, currency, created_at__v, valid_until, created_at__v,"
	" description, created_at__v, id, created_at__v FROM offer WHERE id = ?1"
	" AND NOT EXISTS (SELECT 1 FROM offer WHERE id = ?2)";

/* Makes the revision of sent offer `id` unless it is here: a copy of what
 * was sent, a draft, owner and team left for a person to set (they may
 * change on the sent offer after it is made, and every replica must make
 * the same revision). */
static int ensure_revision(ruta_replica *r, const char *id, const char *rid)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, revision_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rid, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int is_sent_head(const head *h, uint64_t marker)
{
	return h->hlc == marker && !h->replica[0];
}

/* The heads of the revision's field: its open conflict's, or the one value
 * it holds, which is the sent head while nobody changed it. */
static int revision_heads(heads *h, int *open, ruta_replica *r, const ruta_tabledef *t,
	const char *rid, const char *col, uint64_t marker)
{
	char who[72], cs[65];
	json_t *cur = NULL;
	uint64_t v = 0;
	int err;
	if ((err = load_heads(h, open, r, t->name, rid, col)) < 0 || *open)
		return err;
	if ((err = read_field(&cur, &v, r, t, rid, col)) < 0 || !cur)
		return err;
	who[0] = cs[0] = '\0';
	if (v != marker)
		err = ruta_merge__author_of(who, cs, NULL, r, v, rid, col, cur, NULL);
	if (err == 0)
		err = heads_add(h, v, cur, who, cs);
	json_decref(cur);
	return err;
}

/* What the revision's field shows: with the sent head among its heads, the
 * others picked by the field's policy, flagged; without it, as any field. */
static int settle_revision(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *rid, const char *col, heads *h, int open, uint64_t marker)
{
	heads typed = { NULL, 0, 0 };
	json_t *sent = NULL, *value = NULL;
	uint64_t version = 0, v = 0;
	size_t i, win = 0;
	int review = 0, has_sent = 0, err = 0;

	for (i = 0; i < h->n && err == 0; i++) {
		if (!is_sent_head(&h->v[i], marker))
			err = heads_add(&typed, h->v[i].hlc, h->v[i].value, h->v[i].replica,
				h->v[i].changeset);
		else if ((err = read_field(&sent, &v, r, t, id, col)) == 0 && sent) {
			json_decref(h->v[i].value);   /* the sent value, as the offer shows it now */
			h->v[i].value = json_incref(sent);
			has_sent = 1;
		}
	}
	if (err < 0)
		goto done;
	if (!has_sent || typed.n == 0) {
		if ((err = settle(m, r, t, rid, col, h, open, &value, &version)) < 0)
			goto done;
	} else if ((err = pick(&win, &review, r, policy_for(t, col), rid, &typed)) == 0) {
		value = json_incref(typed.v[win].value);
		version = typed.v[win].hlc;
		if (!agree(&sent_offer, h))
			m->conflicts++;
		err = save_open(m, r, t, rid, col, &sent_offer, agree(&sent_offer, h) ? -1 : 1, h,
			open);
	}
	if (err == 0 && value)
		err = write_field(r, t, rid, col, value, version);
done:
	json_decref(sent);
	json_decref(value);
	heads_free(&typed);
	return err;
}

/* One edit made without seeing the send joins the revision's field, where
 * it supersedes what its maker overwrote (never the sent head: its maker
 * did not have that). `change` NULL: a head already weighed on the offer. */
static int to_revision(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col, const head *e, json_t *change, uint64_t marker)
{
	char rid[27];
	heads h = { NULL, 0, 0 };
	uint64_t base = 0;
	size_t i;
	int open = 0, err;

	revision_id(rid, id);
	if ((err = ensure_revision(r, id, rid)) < 0 ||
			(err = revision_heads(&h, &open, r, t, rid, col, marker)) < 0)
		goto done;
	if (change)
		ruta_hlc__parse(&base, json_string_value(json_array_get(change, 2)));
	for (i = 0; i < h.n; i++)
		if (h.v[i].hlc == e->hlc && strcmp(h.v[i].replica, e->replica) == 0)
			goto done;   /* already here */
	for (i = h.n; change && i-- > 0 && err == 0;) {
		int had = !is_sent_head(&h.v[i], marker) &&
			superseded(h.v[i].hlc, base, json_array_get(change, 3)) ?
			seen(m, r, &h.v[i], rid, col) : 0;
		if (had < 0)
			err = had;
		else if (had)
			heads_drop(&h, i);
	}
	if (err == 0 && (err = heads_add(&h, e->hlc, e->value, e->replica, e->changeset)) == 0)
		err = settle_revision(m, r, t, id, rid, col, &h, open, marker);
done:
	heads_free(&h);
	return err;
}

/* A change of the sent offer's field from a maker that had a send (another
 * send, a decision between two) supersedes what it names in the revision
 * too: an edit of the draft that its own maker sent later is not lost, it
 * was sent. The revision stays, as the other replicas made it. */
static int undivert(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t, const char *id,
	const char *col, json_t *change, uint64_t marker)
{
	char rid[27];
	heads h = { NULL, 0, 0 };
	uint64_t base = 0;
	size_t i, before;
	int open = 0, had, err;

	revision_id(rid, id);
	if ((err = revision_heads(&h, &open, r, t, rid, col, marker)) < 0 || !h.n)
		goto done;
	ruta_hlc__parse(&base, json_string_value(json_array_get(change, 2)));
	before = h.n;
	for (i = h.n; i-- > 0 && err == 0;) {
		had = !is_sent_head(&h.v[i], marker) &&
			superseded(h.v[i].hlc, base, json_array_get(change, 3)) ?
			seen(m, r, &h.v[i], rid, col) : 0;
		if (had < 0)
			err = had;
		else if (had)
			heads_drop(&h, i);
	}
	if (err < 0 || h.n == before)
		goto done;
	if (h.n == 1 && is_sent_head(&h.v[0], marker)) {   /* back to the copy of what was sent */
		if (open && ((err = exec3(r, drop_heads_sql, t->name, rid, col)) < 0 ||
				(err = exec3(r, drop_open_sql, t->name, rid, col)) < 0))
			goto done;
		err = write_field(r, t, rid, col, h.v[0].value, marker);
	} else {
		err = settle_revision(m, r, t, id, rid, col, &h, open, marker);
	}
done:
	heads_free(&h);
	return err;
}

/* An incoming change of a frozen field of an offer that is sent here: 1 in
 * *diverted if its maker had seen no send of it (the change went to the
 * revision, and the offer keeps what was sent). */
static int offer_divert(int *diverted, ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col, json_t *change)
{
	char who[72], cs[65];
	offer_state o;
	head e;
	int yes = 0, err;

	*diverted = 0;
	if (!is_frozen(col))
		return 0;
	if ((err = offer_state_of(&o, r, id)) < 0 || !o.sent)
		goto done;
	memset(&e, 0, sizeof(e));
	if (o.sent_at) {   /* the usual answer: it had the send shown here */
		if ((err = ruta_merge__author_of(who, cs, NULL, r, o.sent_v, id, "sent_at", o.sent_at,
				NULL)) < 0)
			goto done;
		e.hlc = o.sent_v;
		e.value = o.sent_at;
		snprintf(e.replica, sizeof(e.replica), "%s", who);
		snprintf(e.changeset, sizeof(e.changeset), "%s", cs);
		/* a send from before this replica's history (a snapshot) is
		 * judged by the changesets below, not taken as seen */
		if (who[0] && (yes = seen(m, r, &e, id, "sent_at")) != 0) {
			err = yes < 0 ? yes : undivert(m, r, t, id, col, change, o.marker);
			goto done;
		}
	}
	if ((err = saw_a_send(&yes, m, r, id)) < 0 || yes) {
		err = err < 0 ? err : undivert(m, r, t, id, col, change, o.marker);
		goto done;
	}
	ruta_hlc__parse(&e.hlc, json_string_value(json_array_get(change, 1)));
	e.value = json_array_get(change, 0);
	snprintf(e.replica, sizeof(e.replica), "%s", m->replica);
	snprintf(e.changeset, sizeof(e.changeset), "%s", m->changeset);
	*diverted = 1;
	err = to_revision(m, r, t, id, col, &e, change, o.marker);
done:
	json_decref(o.sent_at);
	return err;
}

/* The sent offer's values may still move after its revision is made (two
 * replicas that sent it each without seeing the other, until someone
 * decides between them): the revision's sent heads follow, and so do the
 * fields nobody changed there. */
static int refresh_revision(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, uint64_t marker)
{
	char rid[27];
	json_t *now = NULL, *was = NULL;
	uint64_t v = 0;
	size_t i, k;
	int open = 0, err = 0;

	revision_id(rid, id);
	if ((err = read_field(&was, &v, r, t, rid, "created_at")) < 0 || !was)
		return err;   /* no revision */
	if (v == marker && (err = read_field(&now, &v, r, t, id, "sent_at")) == 0 && now &&
			!json_is_null(now) && value_cmp(now, was) != 0)
		err = write_field(r, t, rid, "created_at", now, marker);
	for (k = 0; frozen_cols[k] && err == 0; k++) {
		heads h = { NULL, 0, 0 };
		json_decref(now);
		now = NULL;
		if ((err = revision_heads(&h, &open, r, t, rid, frozen_cols[k], marker)) == 0 &&
				(err = read_field(&now, &v, r, t, id, frozen_cols[k])) == 0 && now)
			for (i = 0; i < h.n && err == 0; i++)
				if (is_sent_head(&h.v[i], marker) && value_cmp(h.v[i].value, now) != 0)
					err = h.n == 1 ? write_field(r, t, rid, frozen_cols[k], now, marker) :
						settle_revision(m, r, t, id, rid, frozen_cols[k], &h, open, marker);
		heads_free(&h);
	}
	json_decref(now);
	json_decref(was);
	return err;
}

/* The heads of the offer's field that the send's maker had (they stay, and
 * the offer shows them) and those it had not (edits of the draft made
 * meanwhile: they go to the revision). */
static int split_heads(heads *had, heads *not, ruta_merge_ctx *m, ruta_replica *r,
	const ruta_tabledef *t, const char *id, const char *col, int *open)
{
	heads h = { NULL, 0, 0 };
	json_t *cur = NULL;
	uint64_t cur_v = 0;
	size_t i;
	int yes, err;

	if ((err = read_field(&cur, &cur_v, r, t, id, col)) < 0 || !cur ||
			(err = current_heads(&h, open, r, t, id, col, cur, cur_v, NULL, 0)) < 0)
		goto done;
	for (i = 0; i < h.n && err == 0; i++) {
		if ((yes = seen(m, r, &h.v[i], id, col)) < 0)
			err = yes;
		else
			err = heads_add(yes ? had : not, h.v[i].hlc, h.v[i].value, h.v[i].replica,
				h.v[i].changeset);
	}
done:
	json_decref(cur);
	heads_free(&h);
	return err;
}

/* The offer's field shows what the send's maker had; a conflict among the
 * heads it had is kept as any other. */
static int keep_sent(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t, const char *id,
	const char *col, heads *had, int open)
{
	json_t *value = NULL;
	uint64_t version = 0;
	int err;
	if (had->n > 1) {
		if ((err = settle(m, r, t, id, col, had, open, &value, &version)) == 0 && value)
			err = write_field(r, t, id, col, value, version);
		json_decref(value);
		return err;
	}
	if (open) {   /* the conflict this record made with an edit it had not seen */
		if ((err = exec3(r, drop_heads_sql, t->name, id, col)) < 0 ||
				(err = exec3(r, drop_open_sql, t->name, id, col)) < 0)
			return err;
		if (m->conflicts > 0)
			m->conflicts--;
	}
	return write_field(r, t, id, col, had->v[0].value, had->v[0].hlc);
}

/* Whether the record just applied sent the offer (*sends), and it was a
 * draft here until then (*yes): its status is that send's alone. */
static int first_send(int *yes, int *sends, ruta_replica *r, const ruta_tabledef *t,
	const char *id, json_t *f)
{
	json_t *status = json_object_get(f, "status"), *cur = NULL;
	uint64_t hlc = 0, v = 0;
	int open = 0, err;
	heads h = { NULL, 0, 0 };

	*yes = *sends = 0;
	if (!json_is_string(json_array_get(json_object_get(f, "sent_at"), 0)) ||
			!json_is_string(json_array_get(status, 0)) ||
			strcmp(json_string_value(json_array_get(status, 0)), "draft") == 0)
		return 0;   /* sent, or sent and answered in one changeset */
	*sends = 1;
	ruta_hlc__parse(&hlc, json_string_value(json_array_get(status, 1)));
	if ((err = load_heads(&h, &open, r, t->name, id, "status")) == 0 && !open &&
			(err = read_field(&cur, &v, r, t, id, "status")) == 0)
		*yes = v == hlc;
	json_decref(cur);
	heads_free(&h);
	return err;
}

/* A send arrived where the offer was a draft: what was edited here without
 * the send's maker seeing it goes to the revision, and the offer shows what
 * was sent. A send from a version that did not log its frozen fields again
 * leaves a field as the merge made it. */
static int offer_sent_here(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, uint64_t marker)
{
	heads had[5], not[5];
	size_t k, i;
	int open = 0, err = 0;

	memset(had, 0, sizeof(had));
	memset(not, 0, sizeof(not));
	for (k = 0; frozen_cols[k] && err == 0; k++)
		if ((err = split_heads(&had[k], &not[k], m, r, t, id, frozen_cols[k], &open)) == 0 &&
				not[k].n && had[k].n)
			err = keep_sent(m, r, t, id, frozen_cols[k], &had[k], open);
	for (k = 0; frozen_cols[k] && err == 0; k++)
		for (i = 0; had[k].n && i < not[k].n && err == 0; i++)
			err = to_revision(m, r, t, id, frozen_cols[k], &not[k].v[i], NULL, marker);
	for (k = 0; k < 5; k++) {
		heads_free(&had[k]);
		heads_free(&not[k]);
	}
	return err;
}

/* After an offer's record: a send that arrived, or sent values that moved. */
static int offer_record_done(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, json_t *f)
{
	char rid[27];
	offer_state o;
	size_t k;
	int touched = json_object_get(f, "sent_at") != NULL, yes = 0, sends = 0, err;

	for (k = 0; frozen_cols[k]; k++)
		touched |= json_object_get(f, frozen_cols[k]) != NULL;
	if (!touched)
		return 0;
	if ((err = offer_state_of(&o, r, id)) < 0)
		return err;
	if (o.sent && (err = first_send(&yes, &sends, r, t, id, f)) == 0 && yes) {
		err = offer_sent_here(m, r, t, id, o.marker);
	} else if (err == 0 && sends) {
		/* Sent twice, each sender without seeing the other: an edit of the
		 * draft that one of them sent is superseded here, but not where
		 * the other send came first, which made a revision of it; so a
		 * revision is made here too, and kept everywhere. */
		revision_id(rid, id);
		err = ensure_revision(r, id, rid);
	}
	if (err == 0 && o.sent)
		err = refresh_revision(m, r, t, id, o.marker);
	json_decref(o.sent_at);
	return err;
}


/* The probability the merged stage gives is weighed again once the
 * record's stage is final for this changeset. */
static int reweigh_probability(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id)
{
	heads h = { NULL, 0, 0 };
	json_t *cur = NULL, *value = NULL;
	uint64_t cur_v = 0, version = 0;
	int64_t before = m->conflicts;
	int open = 0, err;

	if ((err = load_heads(&h, &open, r, t->name, id, "probability")) < 0 || !open ||
			(err = read_field(&cur, &cur_v, r, t, id, "probability")) < 0 || !cur)
		goto done;
	if ((err = settle(m, r, t, id, "probability", &h, open, &value, &version)) == 0 && value &&
			(version != cur_v || value_cmp(value, cur) != 0))
		err = write_field(r, t, id, "probability", value, version);
	m->conflicts = before;   /* weighed again, not a new one */
done:
	json_decref(cur);
	json_decref(value);
	heads_free(&h);
	return err;
}

/* What ruta_merge__record_done() below has work for, on a live record;
 * apply.c keeps such records out of its batches. */
int ruta_merge__record_done_needed(const ruta_tabledef *t, int deletes)
{
	return deletes || strcmp(t->name, "opportunity") == 0 || strcmp(t->name, "offer") == 0;
}

int ruta_merge__record_done(ruta_merge_ctx *m, ruta_replica *r, const ruta_tabledef *t,
	const char *id, json_t *f, int was_deleted)
{
	json_t *del = json_object_get(f, "deleted_at");
	int err = 0;

	/* judged later from the changesets alone, so any record that is or
	 * becomes a tombstone here may be one */
	if (was_deleted || (del && !json_is_null(json_array_get(del, 0))))
		err = mark_candidate(r, t, id);
	if (err == 0 && strcmp(t->name, "opportunity") == 0 && (m->any_open || m->conflicts))
		err = reweigh_probability(m, r, t, id);
	if (err == 0 && strcmp(t->name, "offer") == 0)
		err = offer_record_done(m, r, t, id, f);
	return err;
}

/* ---- local edits ---------------------------------------------------------------- */

static const char supersedes_sql[] = "UPDATE ruta_change SET supersedes = ?2 WHERE seq = ?1";

int ruta_merge__local(ruta_replica *r, const ruta_tabledef *t, const char *rec, const char *col,
	int64_t seq, uint64_t ver)
{
	heads h = { NULL, 0, 0 };
	ruta_buf b = RUTA_BUF_INIT;
	sqlite3_stmt *st;
	size_t i;
	int open = 0, rc, err;

	if ((err = load_heads(&h, &open, r, t->name, rec, col)) < 0 || !open)
		goto done;
	/* every head is named, the one it overwrote (its base) too */
	for (i = 0; i < h.n; i++)
		ruta_buf__printf(&b, "%s%016llx", b.len ? " " : "", (unsigned long long)h.v[i].hlc);
	if ((err = ruta_buf__check(&b)) < 0 || (err = ruta_db__stmt(&st, r, supersedes_sql)) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, b.ptr ? b.ptr : "", -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	if (rc < 0) {
		err = rc;
		goto done;
	}
	{
		json_t *now = NULL;
		uint64_t v = 0;
		if ((err = read_field(&now, &v, r, t, rec, col)) == 0 && now)
			err = close_conflict(r, t->name, rec, col, now, ver, r->id);
		json_decref(now);
	}
done:
	ruta_buf__dispose(&b);
	heads_free(&h);
	return err;
}
