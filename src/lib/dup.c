/*
 * dup.c - likely duplicate accounts and contacts, and merging one record into another.
 *
 * Invariants:
 *  - Only live records count: not tombstoned, not merged, and for emails and
 *    phones only live rows. A key more than MAX_SHARED records share (a
 *    switchboard number, info@) is listed as ignored, never as evidence.
 *  - Groups close transitively, and every list is sorted by plain byte order,
 *    so replicas holding the same CRM print the same document.
 *  - A merge is plain UPDATEs of CRM tables in one transaction: the capture
 *    triggers log each field it changes as a local change, which the next
 *    export seals and signs like any edit. Everything is checked before the
 *    first write; any failure rolls the whole merge back.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "record.h"

/* Odoo drops a search term matching too many records as non-discriminating
 * (crm-domain.md §1.7); duplicates come in twos and threes, not in fours. */
#define MAX_SHARED 3

/* ---- finding them ----------------------------------------------------------- */

/* Every (key, record) pair of a key that two or more live records share,
 * with how many share it, sorted by table, kind, value and record. */
static const char shared_keys_sql[] =
	"WITH k(tbl, kind, value, id) AS ("
	" SELECT 'account', 'tax_id', tax_id_norm, id FROM account"
	"  WHERE tax_id_norm IS NOT NULL AND tax_id_norm <> ''"
	"  AND deleted_at IS NULL AND merged_into IS NULL"
	" UNION SELECT 'contact', 'email', e.email_norm, c.id FROM contact_email e"
	"  JOIN contact c ON c.id = e.contact_id"
	"  WHERE e.email_norm IS NOT NULL AND e.email_norm <> '' AND e.deleted_at IS NULL"
	"  AND c.deleted_at IS NULL AND c.merged_into IS NULL"
	" UNION SELECT 'contact', 'phone', p.e164, c.id FROM contact_phone p"
	"  JOIN contact c ON c.id = p.contact_id"
	"  WHERE p.e164 IS NOT NULL AND p.e164 <> '' AND p.deleted_at IS NULL"
	"  AND c.deleted_at IS NULL AND c.merged_into IS NULL),"
	" n AS (SELECT tbl, kind, value, id,"
	"  count(*) OVER (PARTITION BY tbl, kind, value) AS cnt FROM k)"
	" SELECT tbl, kind, value, id, cnt FROM n WHERE cnt > 1"
	" ORDER BY tbl, kind, value, id";

typedef struct pair {
	char *tbl, *kind, *value, *id;
	int64_t cnt;
	size_t node;      /* index of (tbl, id) in the node list */
} pair;

typedef struct dupscan {
	pair *pairs;
	size_t n, cap;
	pair **nodes;     /* one per distinct (tbl, id), sorted */
	size_t nnodes;
	size_t *parent;   /* union-find over nodes */
} dupscan;

static void scan_free(dupscan *s)
{
	size_t i;
	for (i = 0; i < s->n; i++) {
		free(s->pairs[i].tbl);
		free(s->pairs[i].kind);
		free(s->pairs[i].value);
		free(s->pairs[i].id);
	}
	free(s->pairs);
	free(s->nodes);
	free(s->parent);
	memset(s, 0, sizeof(*s));
}

static char *column_dup(sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	return strdup(v ? v : "");
}

static int scan_push(dupscan *s, sqlite3_stmt *st)
{
	pair *p;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		pair *np = realloc(s->pairs, cap * sizeof(*np));
		if (!np)
			return ruta_error__oom();
		s->pairs = np;
		s->cap = cap;
	}
	p = &s->pairs[s->n++];
	p->tbl = column_dup(st, 0);
	p->kind = column_dup(st, 1);
	p->value = column_dup(st, 2);
	p->id = column_dup(st, 3);
	p->cnt = sqlite3_column_int64(st, 4);
	p->node = 0;
	if (!p->tbl || !p->kind || !p->value || !p->id)
		return ruta_error__oom();
	return 0;
}

static int scan_read(dupscan *s, ruta_replica *r)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, shared_keys_sql)) < 0)
		return err;
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		if ((rc = scan_push(s, st)) < 0)
			break;
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int node_cmp(const void *a, const void *b)
{
	const pair *x = *(pair *const *)a, *y = *(pair *const *)b;
	int c = strcmp(x->tbl, y->tbl);
	return c ? c : strcmp(x->id, y->id);
}

/* One node per distinct record, sorted, so that the groups come out in
 * record order and each pair knows its node. */
static int scan_nodes(dupscan *s)
{
	size_t i, k = 0;
	if (s->n == 0)
		return 0;
	if (!(s->nodes = malloc(s->n * sizeof(*s->nodes))) ||
			!(s->parent = malloc(s->n * sizeof(*s->parent))))
		return ruta_error__oom();
	for (i = 0; i < s->n; i++)
		s->nodes[i] = &s->pairs[i];
	qsort(s->nodes, s->n, sizeof(*s->nodes), node_cmp);
	for (i = 0; i < s->n; i++)
		if (k == 0 || node_cmp(&s->nodes[k - 1], &s->nodes[i]) != 0)
			s->nodes[k++] = s->nodes[i];
	s->nnodes = k;
	for (i = 0; i < k; i++)
		s->parent[i] = i;
	for (i = 0; i < s->n; i++) {
		pair *key = &s->pairs[i];
		pair **hit = bsearch(&key, s->nodes, k, sizeof(*s->nodes), node_cmp);
		key->node = (size_t)(hit - s->nodes);
	}
	return 0;
}

static size_t find_root(dupscan *s, size_t i)
{
	while (s->parent[i] != i) {
		s->parent[i] = s->parent[s->parent[i]];
		i = s->parent[i];
	}
	return i;
}

/* The smaller node becomes the root, so a group's root is its first record. */
static void unite(dupscan *s, size_t a, size_t b)
{
	a = find_root(s, a);
	b = find_root(s, b);
	if (a < b)
		s->parent[b] = a;
	else if (b < a)
		s->parent[a] = b;
}

static int same_key(const pair *a, const pair *b)
{
	return strcmp(a->tbl, b->tbl) == 0 && strcmp(a->kind, b->kind) == 0 &&
		strcmp(a->value, b->value) == 0;
}

/* Pairs of one key are adjacent; a key few enough records share links them. */
static void scan_unite(dupscan *s)
{
	size_t i;
	for (i = 1; i < s->n; i++)
		if (same_key(&s->pairs[i - 1], &s->pairs[i]) && s->pairs[i].cnt <= MAX_SHARED)
			unite(s, s->pairs[i - 1].node, s->pairs[i].node);
}

static int append(json_t *arr, json_t *item)
{
	if (!item || json_array_append_new(arr, item) < 0)
		return ruta_error__oom();
	return 0;
}

/* groups[] in node order: a group per root with more than one member. */
static int groups_json(json_t *groups, json_t **of_root, dupscan *s)
{
	size_t i;
	int err = 0;
	for (i = 0; i < s->nnodes && err == 0; i++) {
		size_t root = find_root(s, i);
		json_t *g = of_root[root];
		if (!g && root == i) {
			g = json_pack("{s:s, s:[], s:[]}", "table", s->nodes[i]->tbl, "records", "keys");
			if (!g)
				return ruta_error__oom();
			of_root[root] = g;
		}
		err = append(json_object_get(g, "records"), json_string(s->nodes[i]->id));
	}
	for (i = 0; i < s->nnodes && err == 0; i++)
		if (of_root[i] && json_array_size(json_object_get(of_root[i], "records")) > 1)
			err = append(groups, json_incref(of_root[i]));
	return err;
}

/* Each key once: on its group, or as ignored with how many share it. */
static int keys_json(json_t *ignored, json_t **of_root, dupscan *s)
{
	size_t i;
	int err = 0;
	for (i = 0; i < s->n && err == 0; i++) {
		const pair *p = &s->pairs[i];
		if (i > 0 && same_key(&s->pairs[i - 1], p))
			continue;
		if (p->cnt > MAX_SHARED)
			err = append(ignored, json_pack("{s:s, s:s, s:I}", "kind", p->kind,
				"value", p->value, "records", (json_int_t)p->cnt));
		else
			err = append(json_object_get(of_root[find_root(s, p->node)], "keys"),
				json_pack("{s:s, s:s}", "kind", p->kind, "value", p->value));
	}
	return err;
}

static int ignored_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "kind")),
		json_string_value(json_object_get(y, "kind")));
	return c ? c : strcmp(json_string_value(json_object_get(x, "value")),
		json_string_value(json_object_get(y, "value")));
}

/* Ignored keys by kind then value, whatever table they came from. */
static int sort_ignored(json_t *ignored)
{
	size_t n = json_array_size(ignored), i;
	json_t **items;
	if (n < 2)
		return 0;
	if (!(items = malloc(n * sizeof(*items))))
		return ruta_error__oom();
	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(ignored, i));
	qsort(items, n, sizeof(*items), ignored_cmp);
	json_array_clear(ignored);
	for (i = 0; i < n; i++)
		json_array_append_new(ignored, items[i]);
	free(items);
	return 0;
}

static int build_doc(json_t **out, dupscan *s)
{
	json_t *doc = json_pack("{s:i, s:[], s:[]}", "schema", 1, "groups", "ignored");
	json_t **of_root = calloc(s->nnodes ? s->nnodes : 1, sizeof(*of_root));
	size_t i;
	int err;

	if (!doc || !of_root)
		err = ruta_error__oom();
	else if ((err = groups_json(json_object_get(doc, "groups"), of_root, s)) == 0 &&
			(err = keys_json(json_object_get(doc, "ignored"), of_root, s)) == 0)
		err = sort_ignored(json_object_get(doc, "ignored"));
	for (i = 0; of_root && i < s->nnodes; i++)
		json_decref(of_root[i]);
	free(of_root);
	if (err < 0) {
		json_decref(doc);
		return err;
	}
	*out = doc;
	return 0;
}

/* The duplicates document; one statement, so one consistent snapshot. */
static int find_duplicates(json_t **out, ruta_replica *r)
{
	dupscan s;
	int err;

	memset(&s, 0, sizeof(s));
	*out = NULL;
	if ((err = scan_read(&s, r)) == 0 && (err = scan_nodes(&s)) == 0) {
		scan_unite(&s);
		err = build_doc(out, &s);
	}
	scan_free(&s);
	return err;
}

int ruta_duplicates_json(char **out, ruta_replica *r)
{
	json_t *doc = NULL;
	char *text;
	int err;

	ruta_error__clear();
	*out = NULL;
	if ((err = find_duplicates(&doc, r)) < 0)
		return err;
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	if (!text)
		return ruta_error__oom();
	/* jansson's allocator is not necessarily ours: hand over our own copy. */
	*out = strdup(text);
	free(text);
	return *out ? 0 : ruta_error__oom();
}

int ruta_duplicates_count(int64_t *count, ruta_replica *r)
{
	json_t *doc = NULL;
	int err;

	ruta_error__clear();
	*count = 0;
	if ((err = find_duplicates(&doc, r)) < 0)
		return err;
	*count = (int64_t)json_array_size(json_object_get(doc, "groups"));
	json_decref(doc);
	return 0;
}

/* ---- merging them ----------------------------------------------------------- */

/* One side of a merge: its table, full id and state. */
typedef struct side {
	const ruta_tabledef *t;
	char *id;
	char *deleted;
	char *merged;
} side;

static void side_free(side *s)
{
	free(s->id);
	free(s->deleted);
	free(s->merged);
}

/* Finds `text` among accounts and contacts. A prefix may name one of each
 * (ids made the same day share their first characters): that is ambiguous. */
static int locate(side *s, ruta_replica *r, const char *text)
{
	const ruta_tabledef *acc = ruta_schema__by_name("account");
	const ruta_tabledef *con = ruta_schema__by_name("contact");
	char *a = NULL, *c = NULL;
	int ea, ec;

	if ((ea = ruta_record__resolve(&a, r, acc, text)) < 0 && ea != RUTA_ENOTFOUND)
		return ea;
	if ((ec = ruta_record__resolve(&c, r, con, text)) < 0 && ec != RUTA_ENOTFOUND) {
		free(a);
		return ec;
	}
	ruta_error__clear();
	if (a && c) {
		free(a);
		free(c);
		return ruta_error__set(RUTA_EAMBIGUOUS, "'%.80s' names both an account and a contact; "
			"give more of the id", text);
	}
	if (!a && !c)
		return ruta_error__set(RUTA_ENOTFOUND, "no account or contact has the id '%.80s' "
			"(see 'ruta duplicates' or the list commands for ids)", text ? text : "");
	s->t = a ? acc : con;
	s->id = a ? a : c;
	return 0;
}

static int load_side(side *s, ruta_replica *r, const char *text)
{
	int err;
	memset(s, 0, sizeof(*s));
	if ((err = locate(s, r, text)) < 0 ||
			(err = ruta_record__column(&s->deleted, r, s->t, s->id, "deleted_at")) < 0)
		return err;
	return ruta_record__column(&s->merged, r, s->t, s->id, "merged_into");
}

static const char *article(const ruta_tabledef *t)
{
	return strchr("aeiou", t->label[0]) ? "an" : "a";
}

/* What makes a pair unmergeable, in the order a person would fix it. */
static int check_pair(const side *keep, const side *other)
{
	if (keep->t != other->t)
		return ruta_error__set(RUTA_EINVALID, "%s is %s %s and %s is %s %s: only two "
			"accounts or two contacts can be merged", keep->id, article(keep->t),
			keep->t->label, other->id, article(other->t), other->t->label);
	if (strcmp(keep->id, other->id) == 0)
		return ruta_error__set(RUTA_EINVALID, "%s %s cannot be merged into itself; give two "
			"different records", keep->t->label, keep->id);
	if (keep->merged)
		return ruta_error__set(RUTA_ESTATE, "%s %s was merged into %s already; merge into "
			"%s instead", keep->t->label, keep->id, keep->merged, keep->merged);
	if (keep->deleted)
		return ruta_error__set(RUTA_ESTATE, "%s %s was deleted; the record to keep must be "
			"live", keep->t->label, keep->id);
	if (other->merged)
		return ruta_error__set(RUTA_ESTATE, "%s %s was merged into %s already; nothing is "
			"left to merge", other->t->label, other->id, other->merged);
	if (other->deleted)
		return ruta_error__set(RUTA_ESTATE, "%s %s was deleted; nothing is left to merge",
			other->t->label, other->id);
	return 0;
}

/* One write of a merge: ?1 keep, ?2 other, ?3 whether keep has a primary
 * row of the kind `primary` names. Only live rows are re-pointed: a
 * tombstone keeps its history, and other's merged_into leads on to keep. */
typedef struct merge_step {
	const char *sql;
	const char *primary;   /* child table whose primary flag ?3 is, or NULL */
} merge_step;

/* Tags are an add-wins set (docs/merge.md §2.14): keep gets a new row of
 * each tag of other's it lacks, and other's rows are tombstoned. Moving the
 * rows instead would make an untag of other made meanwhile elsewhere an
 * edit-against-delete conflict, and remove the tag from keep. */
#define TAG_STEPS(table, parent) \
	{ "INSERT INTO " table "(" parent ", tag) SELECT DISTINCT ?1, tag FROM " table \
	" WHERE " parent " = ?2 AND deleted_at IS NULL AND tag NOT IN (SELECT tag FROM " table \
	" WHERE " parent " = ?1 AND deleted_at IS NULL) ORDER BY tag", NULL }, \
	{ "UPDATE " table " SET deleted_at = " RUTA_SQL_NOW_ISO " WHERE " parent " = ?2" \
	" AND deleted_at IS NULL", NULL }

static const merge_step account_steps[] = {
	TAG_STEPS("account_tag", "account_id"),
	{ "UPDATE contact SET account_id = ?1 WHERE account_id = ?2 AND deleted_at IS NULL", NULL },
	{ "UPDATE opportunity SET account_id = ?1 WHERE account_id = ?2 AND deleted_at IS NULL", NULL },
	{ "UPDATE activity SET account_id = ?1 WHERE account_id = ?2 AND deleted_at IS NULL", NULL },
	{ NULL, NULL }
};

/* An address keep has already is tombstoned on other's side, not moved, so
 * keep never holds it twice; the rest move, and if keep has a primary it
 * stays the only one. */
#define CHILD_STEPS(table, norm) \
	{ "UPDATE " table " SET deleted_at = " RUTA_SQL_NOW_ISO " WHERE contact_id = ?2" \
	" AND deleted_at IS NULL AND EXISTS (SELECT 1 FROM " table " k WHERE k.contact_id = ?1" \
	" AND k.deleted_at IS NULL AND k." norm " = " table "." norm ")", NULL }, \
	{ "UPDATE " table " SET contact_id = ?1, is_primary = CASE WHEN ?3 THEN 0" \
	" ELSE is_primary END WHERE contact_id = ?2 AND deleted_at IS NULL", table }

static const merge_step contact_steps[] = {
	CHILD_STEPS("contact_email", "email_norm"),
	CHILD_STEPS("contact_phone", "e164"),
	TAG_STEPS("contact_tag", "contact_id"),
	{ "UPDATE opportunity SET contact_id = ?1 WHERE contact_id = ?2 AND deleted_at IS NULL", NULL },
	{ "UPDATE activity SET contact_id = ?1 WHERE contact_id = ?2 AND deleted_at IS NULL", NULL },
	{ NULL, NULL }
};

/* Read before the step runs: its own moves must not count as keep's. */
static int has_primary(int *out, ruta_replica *r, const char *table, const char *keep)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc, err;

	snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM %s WHERE contact_id = ?1"
		" AND deleted_at IS NULL AND is_primary = 1)", table);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, keep, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	*out = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int run_step(ruta_replica *r, const merge_step *step, const char *keep, const char *other)
{
	sqlite3_stmt *st;
	int primary = 0, rc, err;

	if (step->primary && (err = has_primary(&primary, r, step->primary, keep)) < 0)
		return err;
	if ((err = ruta_db__stmt(&st, r, step->sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, keep, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, other, -1, SQLITE_STATIC);
	if (step->primary)
		sqlite3_bind_int(st, 3, primary);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int repoint(ruta_replica *r, const side *keep, const side *other)
{
	const merge_step *step = strcmp(keep->t->name, "account") == 0 ? account_steps : contact_steps;
	int err;
	for (; step->sql; step++)
		if ((err = run_step(r, step, keep->id, other->id)) < 0)
			return err;
	return 0;
}

/* The address is one block (crm-domain.md §1.7): mixing keep's street with
 * other's city would describe a place neither record meant. */
static const char *const address_block[] = { "street", "city", "postal_code", "country", NULL };

static int in_address(const char *col)
{
	size_t i;
	for (i = 0; address_block[i]; i++)
		if (strcmp(address_block[i], col) == 0)
			return 1;
	return 0;
}

static void put_keep_address_empty(ruta_buf *b, const ruta_tabledef *t)
{
	size_t i;
	for (i = 0; address_block[i]; i++)
		ruta_buf__printf(b, "%s%s.%s IS NULL", i ? " AND " : "", t->name, address_block[i]);
}

/* One SET item: keep's value, or other's when `when_col` of keep is empty
 * (NULL `when_col`: keep's whole address). A reference is taken only to a
 * live record. */
static void put_fill(ruta_buf *b, int *n, const ruta_tabledef *t, const char *col,
	const char *when_col, const ruta_coldef *ref)
{
	ruta_buf__printf(b, "%s%s = CASE WHEN ", (*n)++ ? ", " : "", col);
	if (when_col)
		ruta_buf__printf(b, "%s.%s IS NULL", t->name, when_col);
	else
		put_keep_address_empty(b, t);
	if (ref)
		ruta_buf__printf(b, " THEN (SELECT x.id FROM %s x WHERE x.id = o.%s AND"
			" x.deleted_at IS NULL)", ruta_schema__by_type(ref->arg)->name, col);
	else
		ruta_buf__printf(b, " THEN o.%s", col);
	ruta_buf__printf(b, " ELSE %s.%s END", t->name, col);
}

/* UPDATE keep SET each empty field to other's value. Fields only ruta sets
 * are left out, except the normalized tax id, which travels with its tax
 * id. Unchanged columns are not captured (the triggers compare). */
static int fill_sql(ruta_buf *b, const ruta_tabledef *t)
{
	size_t i;
	int n = 0;
	ruta_buf__printf(b, "UPDATE %s SET ", t->name);
	for (i = 0; i < t->ncols; i++) {
		const ruta_coldef *c = &t->cols[i];
		if ((c->flags & RUTA_F_DERIVED) || !(c->flags & (RUTA_F_EDIT | RUTA_F_ADD)))
			continue;
		if (in_address(c->name)) {
			put_fill(b, &n, t, c->name, NULL, NULL);
			continue;
		}
		put_fill(b, &n, t, c->name, c->name, c->kind == RUTA_K_REF ? c : NULL);
		if (c->kind == RUTA_K_TAXID || (c->kind == RUTA_K_EMAIL && c->arg))
			put_fill(b, &n, t, c->arg, c->name, NULL);
	}
	ruta_buf__printf(b, " FROM (SELECT * FROM %s WHERE id = ?2) AS o WHERE %s.id = ?1",
		t->name, t->name);
	return ruta_buf__check(b);
}

static int fill_empty(ruta_replica *r, const side *keep, const side *other)
{
	ruta_buf b = RUTA_BUF_INIT;
	sqlite3_stmt *st;
	int rc, err;

	if ((err = fill_sql(&b, keep->t)) == 0 && (err = ruta_db__stmt_dyn(&st, r, b.ptr)) == 0) {
		sqlite3_bind_text(st, 1, keep->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, other->id, -1, SQLITE_STATIC);
		rc = ruta_db__step(r, st);
		sqlite3_reset(st);
		err = rc < 0 ? rc : 0;
	}
	ruta_buf__dispose(&b);
	return err;
}

static int tombstone_other(ruta_replica *r, const side *keep, const side *other)
{
	char sql[200];
	sqlite3_stmt *st;
	int rc, err;

	snprintf(sql, sizeof(sql), "UPDATE %s SET merged_into = ?1, deleted_at = %s WHERE id = ?2",
		other->t->name, RUTA_SQL_NOW_ISO);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, keep->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, other->id, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int do_merge(ruta_replica *r, const char *keep_text, const char *other_text)
{
	side keep, other;
	int err;

	memset(&other, 0, sizeof(other));
	if ((err = load_side(&keep, r, keep_text)) == 0 &&
			(err = load_side(&other, r, other_text)) == 0 &&
			(err = check_pair(&keep, &other)) == 0 &&
			(err = repoint(r, &keep, &other)) == 0 &&
			(err = fill_empty(r, &keep, &other)) == 0)
		err = tombstone_other(r, &keep, &other);
	side_free(&keep);
	side_free(&other);
	return err;
}

int ruta_merge_records(ruta_replica *r, const char *keep, const char *other)
{
	int err;

	ruta_error__clear();
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = do_merge(r, keep, other)) == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	return err;
}
