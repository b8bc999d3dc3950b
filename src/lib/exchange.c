/*
 * exchange.c - CRM data in and out: accounts, contacts and opportunities as
 * CSV, vCard and JSON (docs/exchange.md).
 *
 * Every format goes through one shape, a "row": field keys to text values,
 * the keys being the schema's column names. Export turns records into rows
 * and rows into bytes; import turns bytes into rows and each row into a
 * ruta_record_add or _edit inside one transaction, so values are checked
 * and captured exactly as typed ones are. A record's exported row is also
 * what an import compares against: equal text means nothing to write,
 * which is why importing an unmodified export changes nothing.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "normalize.h"
#include "record.h"
#include "vcard.h"

/* ---- rows ------------------------------------------------------------------ */

typedef struct row {
	size_t line;
	size_t card;     /* a vCard's number in its file, from 1; 0 for CSV */
	char **k, **v;
	size_t n, cap;
} row;

static void row_dispose(row *w)
{
	size_t i;
	for (i = 0; i < w->n; i++) {
		free(w->k[i]);
		free(w->v[i]);
	}
	free(w->k);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static const char *row_get(const row *w, const char *key)
{
	size_t i;
	for (i = 0; i < w->n; i++)
		if (strcmp(w->k[i], key) == 0)
			return w->v[i];
	return NULL;
}

/* Sets `key` (replacing its value if present). */
static int row_set(row *w, const char *key, const char *value)
{
	size_t i;
	char *v = strdup(value ? value : "");
	if (!v)
		return ruta_error__oom();
	for (i = 0; i < w->n; i++)
		if (strcmp(w->k[i], key) == 0) {
			free(w->v[i]);
			w->v[i] = v;
			return 0;
		}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		char **nk = realloc(w->k, cap * sizeof(*nk)), **nv;
		if (nk)
			w->k = nk;
		if (!nk || !(nv = realloc(w->v, cap * sizeof(*nv)))) {
			free(v);
			return ruta_error__oom();
		}
		w->v = nv;
		w->cap = cap;
	}
	if (!(w->k[w->n] = strdup(key))) {
		free(v);
		return ruta_error__oom();
	}
	w->v[w->n++] = v;
	return 0;
}

static int row_setn(row *w, const char *what, size_t k, const char *suffix, const char *value)
{
	char key[64];
	snprintf(key, sizeof(key), "%s_%zu%s", what, k, suffix);
	return row_set(w, key, value);
}

static const char *row_getn(const row *w, const char *what, size_t k, const char *suffix)
{
	char key[64];
	snprintf(key, sizeof(key), "%s_%zu%s", what, k, suffix);
	return row_get(w, key);
}

static int rows_equal(const row *a, const row *b)
{
	size_t i;
	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const char *v = row_get(b, a->k[i]);
		if (!v || strcmp(v, a->v[i]) != 0)
			return 0;
	}
	return 1;
}

/* ---- columns ----------------------------------------------------------------- */

#define MAX_COLS 48

/* The fixed columns of a type, in order: id, the schema's fields as
 * callers name them (without derived ones), the linked account's name after
 * account_id, and tags. Contacts add email_N and phone_N columns after. */
static size_t fixed_cols(const char **cols, const ruta_tabledef *t)
{
	size_t i, n = 0;
	cols[n++] = "id";
	for (i = 0; i < t->ncols && n < MAX_COLS - 2; i++) {
		const ruta_coldef *c = &t->cols[i];
		if (c->flags & RUTA_F_DERIVED)
			continue;
		cols[n++] = c->kind == RUTA_K_MONEY ? c->api : c->name;
		if (strcmp(c->name, "account_id") == 0)
			cols[n++] = "account";
	}
	if (ruta_schema__tags_of(t))
		cols[n++] = "tags";
	return n;
}

static int is_fixed(const ruta_tabledef *t, const char *key)
{
	const char *cols[MAX_COLS];
	size_t i, n = fixed_cols(cols, t);
	for (i = 0; i < n; i++)
		if (strcmp(cols[i], key) == 0)
			return 1;
	return 0;
}

/* email_3, email_3_kind, phone_1, phone_1_kind. */
static int is_child_col(const ruta_tabledef *t, const char *key)
{
	const char *p;
	if (strcmp(t->name, "contact") != 0)
		return 0;
	if (strncmp(key, "email_", 6) == 0)
		p = key + 6;
	else if (strncmp(key, "phone_", 6) == 0)
		p = key + 6;
	else
		return 0;
	if (*p < '1' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0' || strcmp(p, "_kind") == 0;
}

/* ---- records to rows ------------------------------------------------------------- */

static const char account_name_sql[] = "SELECT name FROM account WHERE id = ?1";
static const char emails_sql[] = "SELECT id, email, kind FROM contact_email"
	" WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY is_primary DESC, email_norm, id";
static const char phones_sql[] = "SELECT id, e164, kind FROM contact_phone"
	" WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY is_primary DESC, e164, id";

static int query_one(char **out, ruta_replica *r, const char *sql, const char *a)
{
	sqlite3_stmt *st;
	int rc, err;
	*out = NULL;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) &&
			!(*out = strdup((const char *)sqlite3_column_text(st, 0))))
		rc = ruta_error__oom();
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* A contact's emails or phones, the primary first and then by value, so
 * that replicas holding the same ones write the same columns. */
static int child_cols(row *w, ruta_replica *r, const char *sql, const char *what, const char *id)
{
	sqlite3_stmt *st;
	size_t k = 0;
	int rc = 0, err = 0;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		k++;
		if ((err = row_setn(w, what, k, "", (const char *)sqlite3_column_text(st, 1))) == 0)
			err = row_setn(w, what, k, "_kind", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

static int tags_col(row *w, const ruta_record *rec)
{
	ruta_buf b = RUTA_BUF_INIT;
	size_t i;
	int err;
	for (i = 0; i < ruta_record_field_count(rec); i++)
		if (strcmp(ruta_record_field_name(rec, i), "tag") == 0)
			ruta_buf__printf(&b, "%s%s", b.len ? ";" : "", ruta_record_field_value(rec, i));
	if ((err = ruta_buf__check(&b)) == 0)
		err = row_set(w, "tags", b.ptr ? b.ptr : "");
	ruta_buf__dispose(&b);
	return err;
}

static int record_row(row *w, ruta_replica *r, const ruta_tabledef *t, const ruta_record *rec)
{
	const char *cols[MAX_COLS];
	size_t i, n = fixed_cols(cols, t);
	int err = 0;

	for (i = 0; i < n && err == 0; i++) {
		const char *v = ruta_record_value(rec, cols[i]);
		char *name = NULL;
		if (strcmp(cols[i], "tags") == 0)
			err = tags_col(w, rec);
		else if (strcmp(cols[i], "account") == 0) {
			const char *acc = ruta_record_value(rec, "account_id");
			if (acc && (err = query_one(&name, r, account_name_sql, acc)) < 0)
				break;
			err = row_set(w, "account", name);
			free(name);
		} else
			err = row_set(w, cols[i], v);
	}
	if (err == 0 && strcmp(t->name, "contact") == 0 &&
			(err = child_cols(w, r, emails_sql, "email", ruta_record_id(rec))) == 0)
		err = child_cols(w, r, phones_sql, "phone", ruta_record_id(rec));
	return err;
}

static int load_row(row *w, ruta_replica *r, const ruta_tabledef *t, const char *id)
{
	ruta_record *rec = NULL;
	int err;
	memset(w, 0, sizeof(*w));
	if ((err = ruta_record_get(&rec, r, t->type, id)) == 0)
		err = record_row(w, r, t, rec);
	ruta_record_free(rec);
	return err;
}

/* ---- export ---------------------------------------------------------------------- */

typedef struct rowset_ {
	row *rows;
	size_t n;
	size_t emails, phones;   /* the most any row has */
} rows_t;

static void rows_dispose(rows_t *rs)
{
	size_t i;
	for (i = 0; i < rs->n; i++)
		row_dispose(&rs->rows[i]);
	free(rs->rows);
}

static size_t count_children(const row *w, const char *what)
{
	size_t k = 0;
	while (row_getn(w, what, k + 1, ""))
		k++;
	return k;
}

static int rows_push(rows_t *rs, row *w)
{
	row *nr = realloc(rs->rows, (rs->n + 1) * sizeof(*nr));
	size_t e = count_children(w, "email"), p = count_children(w, "phone");
	if (!nr)
		return ruta_error__oom();
	rs->rows = nr;
	rs->rows[rs->n++] = *w;
	rs->emails = e > rs->emails ? e : rs->emails;
	rs->phones = p > rs->phones ? p : rs->phones;
	return 0;
}

static int load_all(rows_t *rs, ruta_replica *r, const ruta_tabledef *t)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc = 0, err = 0;
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE deleted_at IS NULL ORDER BY id", t->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		char *id = strdup((const char *)sqlite3_column_text(st, 0));
		row w;
		if (!id)
			err = ruta_error__oom();
		else if ((err = load_row(&w, r, t, id)) == 0 && (err = rows_push(rs, &w)) < 0)
			row_dispose(&w);
		else if (err < 0)
			row_dispose(&w);
		free(id);
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

/* The header: fixed columns, then as many email and phone columns as the
 * contact with the most needs (one at least, so the header is stable). */
static int header(char ***out, size_t *n, const ruta_tabledef *t, const rows_t *rs)
{
	const char *cols[MAX_COLS];
	size_t nf = fixed_cols(cols, t), ne = 0, np = 0, i, k = 0;
	char **h;
	if (strcmp(t->name, "contact") == 0) {
		ne = rs->emails ? rs->emails : 1;
		np = rs->phones ? rs->phones : 1;
	}
	if (!(h = calloc(nf + 2 * (ne + np), sizeof(*h))))
		return ruta_error__oom();
	for (i = 0; i < nf; i++)
		h[k++] = strdup(cols[i]);
	for (i = 1; i <= ne + np; i++) {
		const char *what = i <= ne ? "email" : "phone";
		size_t j = i <= ne ? i : i - ne;
		char key[64];
		snprintf(key, sizeof(key), "%s_%zu", what, j);
		h[k++] = strdup(key);
		snprintf(key, sizeof(key), "%s_%zu_kind", what, j);
		h[k++] = strdup(key);
	}
	*out = h;
	*n = k;
	for (i = 0; i < k; i++)
		if (!h[i])
			return ruta_error__oom();
	return 0;
}

static void free_strv(char **v, size_t n)
{
	size_t i;
	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void put_csv(ruta_buf *b, const rows_t *rs, char **h, size_t nh, int spreadsheet)
{
	char delim = spreadsheet ? ';' : ',';
	size_t i, j;
	if (spreadsheet)
		ruta_buf__puts(b, "\xEF\xBB\xBF");
	for (j = 0; j < nh; j++)
		ruta_csv__put(b, h[j], delim, j == 0);
	ruta_csv__end_row(b);
	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < nh; j++)
			ruta_csv__put(b, row_get(&rs->rows[i], h[j]), delim, j == 0);
		ruta_csv__end_row(b);
	}
}

static int put_json(ruta_buf *b, const rows_t *rs, const ruta_tabledef *t, char **h, size_t nh)
{
	json_t *doc = json_pack("{s:i, s:s, s:[]}", "schema", 1, "type", t->type, "records");
	json_t *arr = doc ? json_object_get(doc, "records") : NULL;
	char *text;
	size_t i, j;
	if (!arr) {
		json_decref(doc);
		return ruta_error__oom();
	}
	for (i = 0; i < rs->n; i++) {
		json_t *o = json_object();
		for (j = 0; o && j < nh; j++) {
			const char *v = row_get(&rs->rows[i], h[j]);
			json_object_set_new(o, h[j], v && *v ? json_string(v) : json_null());
		}
		if (!o || json_array_append_new(arr, o) < 0)
			break;
	}
	text = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return ruta_error__oom();
	ruta_buf__puts(b, text);
	ruta_buf__puts(b, "\n");
	free(text);
	return 0;
}

/* ---- vCard ------------------------------------------------------------------------ */

/* Simple properties: one text value each, written in this order. */
static const char *const contact_simple[][2] = {
	{ "TITLE", "title" },
	{ "X-RUTA-ACCOUNT-ID", "account_id" },
	{ "X-RUTA-LIFECYCLE", "lifecycle" },
	{ "X-RUTA-DO-NOT-CALL", "do_not_call" },
	{ "X-RUTA-OWNER", "owner" },
	{ "X-RUTA-TEAM", "team" },
	{ NULL, NULL },
};
static const char *const account_simple[][2] = {
	{ "URL", "website" },
	{ "X-RUTA-LEGAL-NAME", "legal_name" },
	{ "X-RUTA-TAX-ID", "tax_id" },
	{ "X-RUTA-LIFECYCLE", "lifecycle" },
	{ "X-RUTA-SECTOR", "sector" },
	{ "X-RUTA-REGION", "region" },
	{ "X-RUTA-SALES-CHANNEL", "sales_channel" },
	{ "X-RUTA-EMPLOYEES", "employees" },
	{ "X-RUTA-OWNER", "owner" },
	{ "X-RUTA-TEAM", "team" },
	{ "X-RUTA-POTENTIAL", "potential" },
	{ "X-RUTA-CURRENCY", "currency" },
	{ NULL, NULL },
};

static const char *const (*simple_props(const ruta_tabledef *t))[2]
{
	return strcmp(t->name, "account") == 0 ? account_simple : contact_simple;
}

/* ruta's kinds and vCard's TYPE values, both ways; "other" has no TYPE. */
static const char *const email_types[][2] = { { "home", "home" }, { "work", "work" } };
static const char *const phone_types[][2] = {
	{ "fax", "fax" }, { "mobile", "cell" }, { "home", "home" }, { "office", "work" } };

static const char *vcard_type(const char *const map[][2], size_t n, const char *kind)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (kind && strcmp(map[i][0], kind) == 0)
			return map[i][1];
	return NULL;
}

static void put_one(ruta_buf *b, const char *head, const char *value)
{
	if (value && *value)
		ruta_vcard__prop(b, head, &value, 1, 0);
}

static void put_contact_points(ruta_buf *b, const row *w, const char *what)
{
	int tel = strcmp(what, "phone") == 0;
	size_t k;
	for (k = 1; row_getn(w, what, k, ""); k++) {
		const char *kind = row_getn(w, what, k, "_kind");
		const char *type = tel ? vcard_type(phone_types, 4, kind) : vcard_type(email_types, 2, kind);
		char head[96], value[600];
		snprintf(head, sizeof(head), "%s%s%s%s%s", tel ? "TEL;VALUE=uri" : "EMAIL",
			type ? ";TYPE=" : "", type ? type : "", k == 1 ? ";PREF=1" : "", "");
		snprintf(value, sizeof(value), "%s%s", tel ? "tel:" : "", row_getn(w, what, k, ""));
		put_one(b, head, value);
	}
}

/* BEGIN, VERSION, PRODID, then KIND when given, and UID. */
static void put_card_head(ruta_buf *b, const row *w, const char *kind)
{
	char uid[128];
	ruta_buf__puts(b, "BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//ruta//ruta " RUTA_VERSION "//EN\r\n");
	put_one(b, "KIND", kind);
	snprintf(uid, sizeof(uid), "ruta:%s", row_get(w, "id"));
	put_one(b, "UID", uid);
}

/* ADR, CATEGORIES, the simple properties and END: what every card ends with. */
static void put_card_tail(ruta_buf *b, const row *w, const char *const simple[][2])
{
	const char *adr[7] = { "", "", row_get(w, "street"), row_get(w, "city"), "",
		row_get(w, "postal_code"), row_get(w, "country") };
	const char *tags = row_get(w, "tags");
	size_t i;
	if ((adr[2] && *adr[2]) || (adr[3] && *adr[3]) || (adr[5] && *adr[5]) || (adr[6] && *adr[6]))
		ruta_vcard__prop(b, "ADR", adr, 7, ';');
	if (tags && *tags) {
		/* Tags hold neither ';' nor ',': the list is split again on import. */
		char *list = strdup(tags), *p;
		for (p = list; p && *p; p++)
			if (*p == ';')
				*p = ',';
		if (list)
			ruta_buf__printf(b, "CATEGORIES:%s\r\n", list);
		free(list);
	}
	for (i = 0; simple[i][0]; i++)
		put_one(b, simple[i][0], row_get(w, simple[i][1]));
	ruta_buf__puts(b, "END:VCARD\r\n");
}

static void put_vcard(ruta_buf *b, const row *w)
{
	const char *first = row_get(w, "first_name"), *last = row_get(w, "last_name");
	const char *n[5] = { last, first, "", "", "" };
	char fn[1024];

	put_card_head(b, w, NULL);
	snprintf(fn, sizeof(fn), "%s%s%s", first && *first ? first : "", first && *first ? " " : "",
		last ? last : "");
	put_one(b, "FN", fn);
	ruta_vcard__prop(b, "N", n, 5, ';');
	put_one(b, "ORG", row_get(w, "account"));
	put_contact_points(b, w, "email");
	put_contact_points(b, w, "phone");
	put_card_tail(b, w, contact_simple);
}

/* An account is a company-only card: KIND:org, its name as FN and ORG, its
 * one email and phone as work ones, the CRM fields as X-RUTA-*. */
static void put_org_vcard(ruta_buf *b, const row *w)
{
	const char *phone = row_get(w, "phone");
	char tel[600];

	put_card_head(b, w, "org");
	put_one(b, "FN", row_get(w, "name"));
	put_one(b, "ORG", row_get(w, "name"));
	put_one(b, "EMAIL;TYPE=work", row_get(w, "email"));
	snprintf(tel, sizeof(tel), "tel:%s", phone ? phone : "");
	if (phone && *phone)
		put_one(b, "TEL;VALUE=uri;TYPE=work", tel);
	put_card_tail(b, w, account_simple);
}

int ruta_data_export(char **out, size_t *len, ruta_replica *r, const char *type,
	const ruta_data_export_options *opts)
{
	const ruta_tabledef *t;
	rows_t rs = { NULL, 0, 0, 0 };
	ruta_buf b = RUTA_BUF_INIT;
	char **h = NULL;
	size_t nh = 0, i;
	int format = opts && opts->format ? opts->format : RUTA_DATA_CSV, err;

	ruta_error__clear();
	*out = NULL;
	*len = 0;
	if ((err = ruta_record__table(&t, type)) < 0)
		return err;
	if (strcmp(t->name, "account") && strcmp(t->name, "contact") && strcmp(t->name, "opportunity"))
		return ruta_error__set(RUTA_EINVALID, "ruta exports accounts, contacts and opps, "
			"not %ss", t->label);
	if (format == RUTA_DATA_VCARD && strcmp(t->name, "opportunity") == 0)
		return ruta_error__set(RUTA_EINVALID, "vCard is for contacts and accounts; export "
			"opps as csv or json");
	if (format < RUTA_DATA_CSV || format > RUTA_DATA_JSON)
		return ruta_error__set(RUTA_EINVALID, "export format %d is unknown", format);
	if ((err = ruta_db__exec(r->db, "BEGIN")) < 0)
		return err;
	if ((err = load_all(&rs, r, t)) == 0 && (err = header(&h, &nh, t, &rs)) == 0) {
		if (format == RUTA_DATA_CSV)
			put_csv(&b, &rs, h, nh, opts && opts->spreadsheet);
		else if (format == RUTA_DATA_JSON)
			err = put_json(&b, &rs, t, h, nh);
		else
			for (i = 0; i < rs.n; i++)
				(strcmp(t->name, "account") == 0 ? put_org_vcard : put_vcard)(&b, &rs.rows[i]);
	}
	ruta_db__rollback(r);
	free_strv(h, nh);
	rows_dispose(&rs);
	if (err == 0 && (err = ruta_buf__check(&b)) == 0) {
		*len = b.len;
		*out = ruta_buf__detach(&b);
	}
	ruta_buf__dispose(&b);
	return err;
}

/* ---- import: reading rows ------------------------------------------------------------- */

typedef struct strv {
	char **v;
	size_t n;
} strv;

static int strv_add(strv *s, const char *text)
{
	char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (!nv)
		return ruta_error__oom();
	s->v = nv;
	if (!(s->v[s->n] = strdup(text)))
		return ruta_error__oom();
	s->n++;
	return 0;
}

static int strv_has(const strv *s, const char *text)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], text) == 0)
			return 1;
	return 0;
}

static void strv_dispose(strv *s)
{
	free_strv(s->v, s->n);
	s->v = NULL;
	s->n = 0;
}

typedef struct importer {
	ruta_replica *r;
	const ruta_tabledef *t;
	const ruta_import_options *o;
	ruta_import_result *res;
	int vcard;
	strv touched;          /* records a row of this file matched or made */
	char first_error[512];
} importer;

static int is_account(const importer *x)
{
	return strcmp(x->t->name, "account") == 0;
}

/* Tells the caller about a row: a vCard's message starts "card N: " (the
 * line alone does not say which card a person should look for). */
static void report(importer *x, size_t line, size_t card, const char *what, const char *msg)
{
	char text[600];
	if (card)
		snprintf(text, sizeof(text), "card %zu: %s", card, msg);
	if (strcmp(what, "error") == 0) {
		if (!x->first_error[0] && card)
			snprintf(x->first_error, sizeof(x->first_error), "card %zu (line %zu): %s",
				card, line, msg);
		else if (!x->first_error[0])
			snprintf(x->first_error, sizeof(x->first_error), "line %zu: %s", line, msg);
		x->res->errors++;
	}
	if (x->o && x->o->report)
		x->o->report(line, what, card ? text : msg, x->o->payload);
}

/* email_N and phone_N are read from 1 up to the first missing number: a
 * column after a gap would be passed over, so it refuses the file instead. */
static int numbered_after_gap(char **cells, size_t n, const char *col)
{
	char prev[40];
	size_t i;
	long k = strtol(col + 6, NULL, 10);
	if (k <= 1 || strstr(col, "_kind"))
		return 0;
	snprintf(prev, sizeof(prev), "%.6s%ld", col, k - 1);
	for (i = 0; i < n; i++)
		if (strcmp(cells[i], prev) == 0)
			return 0;
	return ruta_error__set(RUTA_EINVALID, "line 1: column '%s' comes without '%s': number "
		"the %ss from 1, without gaps", col, prev, col[0] == 'e' ? "email" : "phone");
}

/* Which header cells name columns ruta knows; unknown ones refuse the file
 * unless the caller chose to ignore them. keep[i] says whether to use cell i. */
static int check_header(importer *x, char **cells, size_t n, int *keep)
{
	ruta_buf b = RUTA_BUF_INIT;
	size_t i, j;
	int err = 0;
	for (i = 0; i < n; i++) {
		keep[i] = is_fixed(x->t, cells[i]) || is_child_col(x->t, cells[i]);
		if (!keep[i])
			ruta_buf__printf(&b, "%s'%s'", b.len ? ", " : "", cells[i]);
		for (j = 0; j < i && err == 0; j++)
			if (strcmp(cells[i], cells[j]) == 0)
				err = ruta_error__set(RUTA_EINVALID, "line 1: column '%s' is given twice",
					cells[i]);
	}
	if (err == 0 && b.len && !(x->o && x->o->ignore_unknown))
		err = ruta_error__set(RUTA_EINVALID, "line 1: %s has no column%s %s (the columns are "
			"in docs/exchange.md; --ignore-unknown leaves them out)", x->t->label,
			strchr(b.ptr, ',') ? "s" : "", b.ptr);
	ruta_buf__dispose(&b);
	for (i = 0; i < n && err == 0; i++)
		if (keep[i] && is_child_col(x->t, cells[i]))
			err = numbered_after_gap(cells, n, cells[i]);
	return err;
}

static int csv_row(row *w, importer *x, char **cells, size_t n, char **head, const int *keep,
	size_t nhead)
{
	char msg[128];
	size_t i;
	int err;
	if (n != nhead) {
		snprintf(msg, sizeof(msg), "%zu cells, but the header has %zu", n, nhead);
		report(x, w->line, 0, "error", msg);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		ruta_csv__unneutralise(cells[i]);
		if ((err = row_set(w, head[i], cells[i])) < 0)
			return err;
	}
	return 0;
}

static int csv_rows(rows_t *rs, importer *x, const char *data, size_t len)
{
	ruta_csv *c = NULL;
	char **cells, **head = NULL;
	size_t n, nhead = 0, line, i;
	int *keep = NULL, rc, err = 0;

	if ((err = ruta_csv__open(&c, data, len)) < 0)
		return err;
	if ((rc = ruta_csv__next(c, &cells, &nhead, &line)) <= 0) {
		ruta_csv__free(c);
		return rc < 0 ? rc : ruta_error__set(RUTA_EINVALID, "the file is empty (a CSV import "
			"needs a header line of column names)");
	}
	head = calloc(nhead, sizeof(*head));
	keep = calloc(nhead, sizeof(*keep));
	for (i = 0; head && i < nhead; i++)
		if (!(head[i] = strdup(cells[i])))
			break;
	if (!head || !keep || i < nhead)
		err = ruta_error__oom();
	else
		err = check_header(x, head, nhead, keep);
	while (err == 0 && (rc = ruta_csv__next(c, &cells, &n, &line)) == 1) {
		row w = { .line = line };
		x->res->rows++;
		if ((err = csv_row(&w, x, cells, n, head, keep, nhead)) != 0 || (err = rows_push(rs, &w)) < 0)
			row_dispose(&w);
		err = err > 0 ? 0 : err;
	}
	if (err == 0 && rc < 0)
		err = rc;
	free_strv(head, nhead);
	free(keep);
	ruta_csv__free(c);
	return err;
}

/* vCard contact points in preference order: PREF=1 or TYPE=pref first. */
static int card_points(row *w, const ruta_vcard *card, const char *prop, const char *what)
{
	int tel = strcmp(what, "phone") == 0, pass, err;
	size_t i, k = 0;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < card->nprops; i++) {
			const ruta_vcard_prop *p = &card->props[i];
			const char *const (*map)[2] = tel ? phone_types : email_types;
			size_t j, nmap = tel ? 4 : 2;
			const char *kind = "other", *v = p->value;
			char *parts[1];
			if (strcmp(p->name, prop) != 0 || ruta_vcard__has_type(p, "pref") != (pass == 0))
				continue;
			for (j = 0; j < nmap; j++)
				if (ruta_vcard__has_type(p, map[j][1])) {
					kind = map[j][0];
					break;
				}
			ruta_vcard__split(parts, 1, p->value, 0);
			v = parts[0];
			if (tel && strncasecmp(v, "tel:", 4) == 0)
				v += 4;
			if ((err = row_setn(w, what, ++k, "", v)) < 0 ||
					(err = row_setn(w, what, k, "_kind", kind)) < 0)
				return err;
		}
	return 0;
}

/* FN when N has no family name: the last word is the last name. */
static int card_names(row *w, const ruta_vcard *card)
{
	char *fam = NULL, *given = NULL, *fn = NULL, *parts[5];
	size_t i, np;
	int err = 0;
	for (i = 0; i < card->nprops; i++) {
		ruta_vcard_prop *p = &card->props[i];
		if (strcmp(p->name, "N") == 0 && !fam) {
			np = ruta_vcard__split(parts, 5, p->value, ';');
			fam = parts[0];
			given = np > 1 ? parts[1] : "";
		} else if (strcmp(p->name, "FN") == 0 && !fn) {
			ruta_vcard__split(parts, 1, p->value, 0);
			fn = parts[0];
		}
	}
	if ((!fam || !*fam) && fn && *fn) {
		char *sp = strrchr(fn, ' ');
		fam = sp ? sp + 1 : fn;
		if (sp)
			*sp = '\0';
		given = sp ? fn : "";
	}
	if (fam && (err = row_set(w, "last_name", fam)) == 0)
		err = row_set(w, "first_name", given);
	return err;
}

static int card_misc(row *w, importer *x, ruta_vcard_prop *p)
{
	const char *const (*simple)[2] = simple_props(x->t);
	char *parts[7];
	size_t i, n;
	if (strcmp(p->name, "UID") == 0 && strncmp(p->value, "ruta:", 5) == 0)
		return row_set(w, "id", p->value + 5);
	if (strcmp(p->name, "ORG") == 0 && !is_account(x)) {
		ruta_vcard__split(parts, 7, p->value, ';');
		return row_set(w, "account", parts[0]);
	}
	if (strcmp(p->name, "ADR") == 0 && !row_get(w, "street")) {
		n = ruta_vcard__split(parts, 7, p->value, ';');
		int err = row_set(w, "street", n > 2 ? parts[2] : "");
		if (err == 0)
			err = row_set(w, "city", n > 3 ? parts[3] : "");
		if (err == 0)
			err = row_set(w, "postal_code", n > 5 ? parts[5] : "");
		if (err == 0 && n > 6 && *parts[6] && strlen(parts[6]) != 2)
			report(x, p->line, w->card, "skipped", "the ADR country is not a two-letter ISO code; "
				"it was left out");
		else if (err == 0 && n > 6)
			err = row_set(w, "country", parts[6]);
		return err;
	}
	for (i = 0; simple[i][0]; i++)
		if (strcmp(p->name, simple[i][0]) == 0) {
			ruta_vcard__split(parts, 1, p->value, 0);
			return row_set(w, simple[i][1], parts[0]);
		}
	return 0;
}

static int card_tags(row *w, const ruta_vcard *card)
{
	ruta_buf b = RUTA_BUF_INIT;
	char *parts[64];
	size_t i, j, n;
	int err;
	for (i = 0; i < card->nprops; i++) {
		if (strcmp(card->props[i].name, "CATEGORIES") != 0)
			continue;
		n = ruta_vcard__split(parts, 64, card->props[i].value, ',');
		for (j = 0; j < n; j++)
			if (*parts[j])
				ruta_buf__printf(&b, "%s%s", b.len ? ";" : "", parts[j]);
	}
	err = ruta_buf__check(&b);
	if (err == 0 && b.len)
		err = row_set(w, "tags", b.ptr);
	ruta_buf__dispose(&b);
	return err;
}

/* An account's name: ORG's first component, else FN. */
static int card_org_name(row *w, const ruta_vcard *card)
{
	char *parts[7], *fn = NULL;
	size_t i;
	for (i = 0; i < card->nprops; i++) {
		ruta_vcard_prop *p = &card->props[i];
		if (strcmp(p->name, "ORG") == 0) {
			ruta_vcard__split(parts, 7, p->value, ';');
			return row_set(w, "name", parts[0]);
		}
		if (strcmp(p->name, "FN") == 0 && !fn) {
			ruta_vcard__split(parts, 1, p->value, 0);
			fn = parts[0];
		}
	}
	return fn ? row_set(w, "name", fn) : 0;
}

/* An account has one email and one phone: the card's preferred ones (the
 * first when none is), which card_points put first. */
static int card_org_points(row *w)
{
	const char *email = row_getn(w, "email", 1, ""), *phone = row_getn(w, "phone", 1, "");
	int err = email ? row_set(w, "email", email) : 0;
	return err == 0 && phone ? row_set(w, "phone", phone) : err;
}

static int card_row(row *w, importer *x, ruta_vcard *card)
{
	size_t i;
	int err;
	w->line = card->line;
	if ((err = is_account(x) ? card_org_name(w, card) : card_names(w, card)) < 0 ||
			(err = card_points(w, card, "EMAIL", "email")) < 0 ||
			(err = card_points(w, card, "TEL", "phone")) < 0 || (err = card_tags(w, card)) < 0)
		return err;
	for (i = 0; i < card->nprops; i++)
		if ((err = card_misc(w, x, &card->props[i])) < 0)
			return err;
	return is_account(x) ? card_org_points(w) : 0;
}

/* 1 if the card is for the other type: a person's card in an accounts
 * import is a bad row; an organisation's in a contacts import is skipped,
 * as address books mix both and a company is not a person. */
static int card_elsewhere(importer *x, const ruta_vcard *card, size_t k)
{
	int org = ruta_vcard__is_org(card);
	if (is_account(x) && !org)
		report(x, card->line, k, "error", "a person's card (no KIND:org, or an N or FN "
			"besides ORG); 'ruta import contacts' reads it");
	else if (!is_account(x) && org) {
		report(x, card->line, k, "skipped", "an organisation's card (KIND:org, or ORG as its "
			"only name); 'ruta import accounts' reads it");
		x->res->skipped++;
	}
	return is_account(x) != org;
}

static int vcard_rows(rows_t *rs, importer *x, const char *data, size_t len)
{
	ruta_vcard *cards = NULL;
	size_t n = 0, i;
	int err;
	if ((err = ruta_vcard__parse(&cards, &n, data, len)) < 0)
		return err;
	for (i = 0; i < n && err == 0; i++) {
		row w = { .card = i + 1 };
		x->res->rows++;
		if (card_elsewhere(x, &cards[i], i + 1))
			continue;
		if ((err = card_row(&w, x, &cards[i])) < 0 || (err = rows_push(rs, &w)) < 0)
			row_dispose(&w);
	}
	ruta_vcard__free_all(cards, n);
	return err;
}

/* ---- import: matching ------------------------------------------------------------------- */

static const char account_by_tax_sql[] =
	"SELECT id FROM account WHERE tax_id_norm = ?1 AND deleted_at IS NULL";
static const char account_by_email_sql[] =
	"SELECT id FROM account WHERE email = ?1 AND deleted_at IS NULL";
static const char account_by_phone_sql[] =
	"SELECT id FROM account WHERE phone = ?1 AND deleted_at IS NULL";
static const char account_by_name_sql[] =
	"SELECT id FROM account WHERE name = ?1 AND deleted_at IS NULL ORDER BY id";
static const char contact_by_email_sql[] = "SELECT e.contact_id FROM contact_email e"
	" JOIN contact c ON c.id = e.contact_id WHERE e.email_norm = ?1"
	" AND e.deleted_at IS NULL AND c.deleted_at IS NULL";
static const char contact_by_phone_sql[] = "SELECT p.contact_id FROM contact_phone p"
	" JOIN contact c ON c.id = p.contact_id WHERE p.e164 = ?1"
	" AND p.deleted_at IS NULL AND c.deleted_at IS NULL";

/* Adds the ids `sql` finds for `key` to `ids`, each once. */
static int find_ids(strv *ids, ruta_replica *r, const char *sql, const char *key)
{
	sqlite3_stmt *st;
	int rc = 0, err = 0;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	while (err == 0 && (rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (!strv_has(ids, id))
			err = strv_add(ids, id);
	}
	sqlite3_reset(st);
	return err < 0 ? err : rc < 0 ? rc : 0;
}

/* The normal form of a natural key, or "" when the value is not one (the
 * write reports why). */
static void norm_key(char *out, size_t size, importer *x, const char *kind, const char *v)
{
	char raw[512];
	int err;
	out[0] = '\0';
	if (!v || !*v)
		return;
	if (strcmp(kind, "email") == 0)
		err = ruta_norm__email(raw, out, size, v);
	else if (strcmp(kind, "phone") == 0)
		err = ruta_norm__phone(out, size, v, x->r->country);
	else
		err = ruta_norm__tax_id(out, size, v);
	if (err < 0) {
		out[0] = '\0';
		ruta_error__clear();
	}
}

static int match_key(strv *ids, importer *x, const char *sql, const char *kind, const char *v)
{
	char norm[512];
	norm_key(norm, sizeof(norm), x, kind, v);
	return norm[0] ? find_ids(ids, x->r, sql, norm) : 0;
}

static int natural_matches(strv *ids, importer *x, const row *w)
{
	size_t k;
	int err = 0;
	if (strcmp(x->t->name, "account") == 0) {
		if ((err = match_key(ids, x, account_by_tax_sql, "tax", row_get(w, "tax_id"))) == 0 &&
				(err = match_key(ids, x, account_by_email_sql, "email", row_get(w, "email"))) == 0)
			err = match_key(ids, x, account_by_phone_sql, "phone", row_get(w, "phone"));
		return err;
	}
	for (k = 1; err == 0 && row_getn(w, "email", k, ""); k++)
		err = match_key(ids, x, contact_by_email_sql, "email", row_getn(w, "email", k, ""));
	for (k = 1; err == 0 && row_getn(w, "phone", k, ""); k++)
		err = match_key(ids, x, contact_by_phone_sql, "phone", row_getn(w, "phone", k, ""));
	return err;
}

enum { M_NEW, M_FOUND, M_SKIP, M_DUP };

/* 1 if the row's id is a record here, 2 if a deleted one, 0 if none. */
static int by_id(importer *x, const char *id)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc, err, found = 0;
	snprintf(sql, sizeof(sql), "SELECT deleted_at IS NOT NULL FROM %s WHERE id = ?1", x->t->name);
	if ((err = ruta_db__stmt_dyn(&st, x->r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(x->r, st)) == SQLITE_ROW)
		found = sqlite3_column_int(st, 0) ? 2 : 1;
	sqlite3_reset(st);
	return rc < 0 ? rc : found;
}

/* A record id as ruta makes them (a ULID: 26 of Crockford's base 32). A
 * spreadsheet's own numbering in an `id` column is not one, and taking it
 * would make records no other row or replica can name. */
static int ruta_id_shape(const char *id)
{
	return strlen(id) == 26 && strspn(id, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") == 26;
}

/* Which record the row is: *target (new) when M_FOUND; the reason told. */
static int match(char **target, importer *x, const row *w)
{
	const char *id = row_get(w, "id");
	strv ids = { NULL, 0 };
	char msg[300];
	int err, how = M_NEW;

	*target = NULL;
	if (id && *id && !ruta_id_shape(id))
		return ruta_error__set(RUTA_EINVALID, "id '%.40s' is not a ruta record id (26 "
			"capital letters and digits, as ruta exports them): leave the id column empty "
			"to create the record", id);
	if (id && *id && (err = by_id(x, id)) != 0) {
		if (err < 0)
			return err;
		if (err == 2) {
			report(x, w->line, w->card, "skipped", "the record was deleted here; the row is left out");
			return M_SKIP;
		}
		err = strv_add(&ids, id);
	} else {
		err = natural_matches(&ids, x, w);
	}
	if (err < 0) {
		strv_dispose(&ids);
		return err;
	}
	if (ids.n > 1) {
		snprintf(msg, sizeof(msg), "matches %zu %ss (%s, %s%s) by email, phone or tax id; "
			"merge them first ('ruta duplicates'); the row is left out", ids.n, x->t->label,
			ids.v[0], ids.v[1], ids.n > 2 ? ", ..." : "");
		how = M_DUP;
	} else if (ids.n == 1 && strv_has(&x->touched, ids.v[0])) {
		snprintf(msg, sizeof(msg), "matches %s %s, which an earlier row of this file matched; "
			"the row is left out", x->t->label, ids.v[0]);
		how = M_DUP;
	} else if (ids.n == 1) {
		how = M_FOUND;
		*target = ids.v[0];
		ids.v[0] = NULL;
		ids.n = 0;
	}
	if (how == M_DUP)
		report(x, w->line, w->card, "duplicate", msg);
	strv_dispose(&ids);
	return how;
}

/* ---- import: writing ------------------------------------------------------------------------ */

/* The account a contact row links to: *out NULL when the row says nothing
 * of it, "" to unlink, else an id (new). account_id wins when it is an
 * account here; else the account's name must name exactly one. A vCard's
 * ORG this replica lacks becomes a new account. */
static int row_account(char **out, importer *x, const row *w)
{
	const char *aid = row_get(w, "account_id"), *name = row_get(w, "account");
	ruta_field f = { "name", name };
	strv ids = { NULL, 0 };
	int err = 0;

	*out = NULL;
	if (aid && *aid && by_id(x, aid) == 1 && (err = strv_add(&ids, aid)) == 0)
		goto done;
	if (name && *name && (err = find_ids(&ids, x->r, account_by_name_sql, name)) == 0) {
		if (ids.n > 1)
			err = ruta_error__set(RUTA_EINVALID, "account '%s' names %zu accounts; give "
				"account_id", name, ids.n);
		else if (ids.n == 0 && x->vcard) {
			char *id = NULL;
			if ((err = ruta_record__add_in_tx(&id, x->r, ruta_schema__by_type("account"), &f, 1,
					NULL)) == 0) {
				x->res->accounts_created++;
				*out = id;
			}
		} else if (ids.n == 0)
			err = ruta_error__set(RUTA_EINVALID, "account '%s' is not here (import the "
				"accounts first, or give account_id)", name);
	} else if (err == 0 && aid && *aid)
		err = ruta_error__set(RUTA_EINVALID, "account_id '%s' is not an account here", aid);
	else if (err == 0 && (aid || name))
		*out = strdup("");
done:
	if (err == 0 && ids.n == 1 && !*out)
		*out = strdup(ids.v[0]);
	strv_dispose(&ids);
	return err;
}

typedef struct fields_t {
	ruta_field f[160];
	size_t n;
	strv keep;   /* strings the fields point at */
} fields_t;

static int field_add(fields_t *fs, const char *name, const char *value)
{
	int err;
	if (fs->n == sizeof(fs->f) / sizeof(fs->f[0]))
		return ruta_error__set(RUTA_EINVALID, "more than %zu values to write in one row "
			"(the limit)", sizeof(fs->f) / sizeof(fs->f[0]));
	if ((err = strv_add(&fs->keep, value)) < 0)
		return err;
	fs->f[fs->n].name = name;
	fs->f[fs->n++].value = fs->keep.v[fs->keep.n - 1];
	return 0;
}

static int is_scalar(const char *key)
{
	return strcmp(key, "id") && strcmp(key, "account") && strcmp(key, "tags") &&
		strcmp(key, "account_id");
}

/* The row's tags, emails and phones this record lacks (all of them for a
 * new record, `before` NULL), compared in their normal forms. */
static int add_tags(fields_t *fs, const row *w, const row *before)
{
	const char *tags = row_get(w, "tags");
	char *list, *p, *save = NULL, norm[256], have[8200];
	int err = 0;
	if (!tags || !*tags || !(list = strdup(tags)))
		return tags && *tags ? ruta_error__oom() : 0;
	snprintf(have, sizeof(have), ";%s;", before ? row_get(before, "tags") : "");
	for (p = strtok_r(list, ";", &save); p && err == 0; p = strtok_r(NULL, ";", &save)) {
		char probe[300];
		if (ruta_norm__tag(norm, sizeof(norm), p) == 0) {
			snprintf(probe, sizeof(probe), ";%s;", norm);
			if (strstr(have, probe))
				continue;
		}
		ruta_error__clear();
		err = field_add(fs, "tag", p);   /* a bad tag is reported by the write */
	}
	free(list);
	return err;
}

static int has_point(importer *x, const row *before, const char *what, const char *norm)
{
	char other[512];
	size_t k;
	for (k = 1; before && row_getn(before, what, k, ""); k++) {
		norm_key(other, sizeof(other), x, what, row_getn(before, what, k, ""));
		if (strcmp(other, norm) == 0)
			return 1;
	}
	return 0;
}

static int add_points(fields_t *fs, importer *x, const row *w, const row *before, const char *what)
{
	char norm[512];
	size_t k;
	int err = 0;
	for (k = 1; err == 0 && row_getn(w, what, k, ""); k++) {
		const char *v = row_getn(w, what, k, "");
		if (!*v)
			continue;
		norm_key(norm, sizeof(norm), x, what, v);
		if (before && norm[0] && has_point(x, before, what, norm))
			continue;
		err = field_add(fs, before ? (what[0] == 'e' ? "add_email" : "add_phone") : what, v);
	}
	return err;
}

/* The fields to write: for a new record every value given, for an existing
 * one (`before`) those whose text differs. */
static int build_fields(fields_t *fs, importer *x, const row *w, const row *before,
	const char *account)
{
	size_t i;
	int err = 0;
	for (i = 0; i < w->n && err == 0; i++) {
		const char *k = w->k[i], *v = w->v[i], *old;
		if (!is_fixed(x->t, k) || !is_scalar(k))
			continue;
		old = before ? row_get(before, k) : "";
		if (strcmp(v, old ? old : "") != 0)
			err = field_add(fs, k, v);
	}
	if (err == 0 && account && strcmp(account, before ? row_get(before, "account_id") : "") != 0)
		err = field_add(fs, "account_id", account);
	if (err == 0)
		err = add_tags(fs, w, before);
	if (err == 0 && strcmp(x->t->name, "contact") == 0 &&
			(err = add_points(fs, x, w, before, "email")) == 0)
		err = add_points(fs, x, w, before, "phone");
	return err;
}

static const char email_row_sql[] = "SELECT id, kind FROM contact_email"
	" WHERE contact_id = ?1 AND email_norm = ?2 AND deleted_at IS NULL";
static const char phone_row_sql[] = "SELECT id, kind FROM contact_phone"
	" WHERE contact_id = ?1 AND e164 = ?2 AND deleted_at IS NULL";

/* Sets the kind of one email or phone row when the file gives another. */
static int set_kind(importer *x, const char *contact, const char *what, const char *v,
	const char *kind)
{
	const ruta_tabledef *ct = ruta_schema__by_name(what[0] == 'e' ? "contact_email" : "contact_phone");
	ruta_field f = { "kind", kind };
	sqlite3_stmt *st;
	char norm[512], *child = NULL;
	int rc, err;
	norm_key(norm, sizeof(norm), x, what, v);
	if ((err = ruta_db__stmt(&st, x->r, what[0] == 'e' ? email_row_sql : phone_row_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, contact, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, norm, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(x->r, st)) == SQLITE_ROW &&
			strcmp((const char *)sqlite3_column_text(st, 1), kind) != 0 &&
			!(child = strdup((const char *)sqlite3_column_text(st, 0))))
		rc = ruta_error__oom();
	sqlite3_reset(st);
	if (rc >= 0 && child)
		rc = ruta_record__edit_in_tx(x->r, ct, child, &f, 1);
	free(child);
	if (rc < 0)
		return ruta_error__prefix("%s %s", what, v);
	return 0;
}

static int set_kinds(importer *x, const row *w, const char *id)
{
	static const char *const what[] = { "email", "phone" };
	size_t i, k;
	int err = 0;
	if (strcmp(x->t->name, "contact") != 0)
		return 0;
	for (i = 0; i < 2; i++)
		for (k = 1; err == 0 && row_getn(w, what[i], k, ""); k++) {
			const char *v = row_getn(w, what[i], k, ""), *kind = row_getn(w, what[i], k, "_kind");
			if (*v && kind && *kind)
				err = set_kind(x, id, what[i], v, kind);
		}
	return err;
}

static int write_row(importer *x, const row *w, const char *target)
{
	row before = { .line = 0 }, after = { .line = 0 };
	fields_t *fs = calloc(1, sizeof(*fs));
	char *account = NULL, *id = NULL;
	int err;

	if (!fs)
		return ruta_error__oom();
	if (strcmp(x->t->name, "contact") == 0 && (err = row_account(&account, x, w)) < 0)
		goto done;
	if (target && (err = load_row(&before, x->r, x->t, target)) < 0)
		goto done;
	if ((err = build_fields(fs, x, w, target ? &before : NULL, account)) < 0)
		goto done;
	if (!target) {
		const char *given = row_get(w, "id");
		if ((err = ruta_record__add_in_tx(&id, x->r, x->t, fs->f, fs->n,
				given && *given ? given : NULL)) < 0)
			goto done;
	} else if (fs->n && (err = ruta_record__edit_in_tx(x->r, x->t, target, fs->f, fs->n)) < 0)
		goto done;
	if ((err = set_kinds(x, w, target ? target : id)) < 0 ||
			(err = strv_add(&x->touched, target ? target : id)) < 0)
		goto done;
	if (!target)
		x->res->created++;
	else if ((err = load_row(&after, x->r, x->t, target)) == 0)
		rows_equal(&before, &after) ? x->res->unchanged++ : x->res->updated++;
done:
	row_dispose(&before);
	row_dispose(&after);
	strv_dispose(&fs->keep);
	free(fs);
	free(account);
	free(id);
	return err;
}

/* One row in its own savepoint: a bad row is undone alone, so every bad
 * row can be told before the whole import is rolled back. */
static int import_row(importer *x, const row *w)
{
	char *target = NULL;
	int how, err;
	if ((err = ruta_db__exec(x->r->db, "SAVEPOINT import_row")) < 0)
		return err;
	if ((how = match(&target, x, w)) == M_SKIP)
		x->res->skipped++;
	else if (how == M_DUP)
		x->res->duplicates++;
	err = how < 0 ? how : how == M_NEW || how == M_FOUND ? write_row(x, w, target) : 0;
	free(target);
	if (err == RUTA_ENOMEM || err == RUTA_ERROR || err == RUTA_ELOCKED)
		return err;   /* the replica failed, not the row */
	if (err < 0) {
		report(x, w->line, w->card, "error", ruta_error_last()->message);
		err = ruta_db__exec(x->r->db, "ROLLBACK TO import_row");
	}
	return err < 0 ? err : ruta_db__exec(x->r->db, "RELEASE import_row");
}

static int read_rows(rows_t *rs, importer *x, const char *data, size_t len)
{
	int format = x->o && x->o->format ? x->o->format : 0;
	if (!format) {
		size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		while (i < len && (data[i] == ' ' || data[i] == '\r' || data[i] == '\n'))
			i++;
		format = len - i >= 11 && strncasecmp(data + i, "BEGIN:VCARD", 11) == 0 ?
			RUTA_DATA_VCARD : RUTA_DATA_CSV;
	}
	x->vcard = format == RUTA_DATA_VCARD;
	if (format == RUTA_DATA_CSV)
		return csv_rows(rs, x, data, len);
	if (format == RUTA_DATA_VCARD)
		return vcard_rows(rs, x, data, len);
	return ruta_error__set(RUTA_EINVALID, "ruta imports CSV and vCard, not format %d", format);
}

static int import_all(importer *x, const rows_t *rs)
{
	size_t i;
	int err = 0;
	for (i = 0; i < rs->n && err == 0; i++)
		err = import_row(x, &rs->rows[i]);
	if (err == 0 && x->res->errors)
		err = ruta_error__set(RUTA_EINVALID, "%lld bad row%s, nothing imported; the first: %s",
			(long long)x->res->errors, x->res->errors == 1 ? "" : "s", x->first_error);
	return err;
}

/* The most bytes one import reads: every row is held until the end. */
#define IMPORT_MAX_BYTES (64 << 20)

int ruta_data_import(ruta_import_result *out, ruta_replica *r, const char *type,
	const char *data, size_t len, const ruta_import_options *opts)
{
	ruta_import_result res = RUTA_IMPORT_RESULT_INIT;
	importer x = { .r = r, .o = opts, .res = &res };
	rows_t rs = { NULL, 0, 0, 0 };
	int err;

	ruta_error__clear();
	if ((err = ruta_record__table(&x.t, type)) < 0)
		return err;
	if (strcmp(x.t->name, "account") != 0 && strcmp(x.t->name, "contact") != 0)
		return ruta_error__set(RUTA_EINVALID, "ruta imports accounts and contacts, not %ss",
			x.t->label);
	if (len > IMPORT_MAX_BYTES)
		return ruta_error__set(RUTA_EINVALID, "the file is %zu bytes; at most %d MiB are "
			"imported at once (the limit): split it", len, IMPORT_MAX_BYTES >> 20);
	/* Rows found bad while reading are counted; import_all goes on to tell
	 * the rest, then refuses the whole file. */
	if ((err = read_rows(&rs, &x, data, len)) == 0 && (err = ruta_db__begin(r)) == 0) {
		err = import_all(&x, &rs);
		if (err == 0 && !(opts && opts->dry_run))
			err = ruta_db__commit(r);
		ruta_db__rollback(r);
	}
	rows_dispose(&rs);
	strv_dispose(&x.touched);
	if (out) {
		unsigned int v = out->version;
		*out = res;
		out->version = v;
	}
	return err;
}
