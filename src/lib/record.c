/*
 * record.c - adding, editing, reading and listing CRM records, generically
 * from the schema descriptor.
 *
 * Every value is checked and converted here before anything is written, so a
 * bad value gets a message naming the field, the value and what is allowed,
 * and the replica stays unchanged; SQL CHECKs and triggers stand behind this
 * for other writers. Writes go through plain INSERT/UPDATE: the capture
 * triggers record them exactly as they would record an app's SQL. Column
 * names in generated SQL come only from the static descriptor; every value
 * is bound.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "normalize.h"
#include "record.h"

#define MAX_SET 48
#define TEXT_MAX 8000

/* ---- values to write -------------------------------------------------------- */

typedef struct setval {
	const char *col;   /* static, from the descriptor */
	int type;          /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
	int64_t i;
	char *s;
} setval;

typedef struct rowset {
	setval v[MAX_SET];
	size_t n;
} rowset;

static void rowset_free(rowset *rs)
{
	size_t i;
	for (i = 0; i < rs->n; i++)
		free(rs->v[i].s);
	rs->n = 0;
}

static setval *rowset_find(rowset *rs, const char *col)
{
	size_t i;
	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].col, col) == 0)
			return &rs->v[i];
	return NULL;
}

static int rowset_put(rowset *rs, const char *col, int type, int64_t i, const char *s)
{
	setval *v = rowset_find(rs, col);
	if (!v) {
		if (rs->n == MAX_SET)
			return ruta_error__set(RUTA_EINVALID, "too many fields at once");
		v = &rs->v[rs->n++];
	} else {
		free(v->s);
	}
	v->col = col;
	v->type = type;
	v->i = i;
	v->s = NULL;
	if (s && !(v->s = strdup(s)))
		return ruta_error__oom();
	return 0;
}

static void bind_value(sqlite3_stmt *st, int idx, const setval *v)
{
	if (v->type == SQLITE_INTEGER)
		sqlite3_bind_int64(st, idx, v->i);
	else if (v->type == SQLITE_TEXT)
		sqlite3_bind_text(st, idx, v->s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

/* ---- tables and ids ------------------------------------------------------------ */

/* "opportunity" -> "opportunities", "account" -> "accounts" (messages). */
static const char *plural(const ruta_tabledef *t, char *buf, size_t size)
{
	size_t n = strlen(t->label);
	if (n && t->label[n - 1] == 'y')
		snprintf(buf, size, "%.*sies", (int)(n - 1), t->label);
	else
		snprintf(buf, size, "%ss", t->label);
	return buf;
}

static const char *const user_types = "account, contact, opp, activity, offer, stage, lost_reason";

int ruta_record__table(const ruta_tabledef **out, const char *type)
{
	const ruta_tabledef *t = type ? ruta_schema__by_type(type) : NULL;
	if (!t || (t->flags & (RUTA_T_CHILD | RUTA_T_APPEND_ONLY)) ||
			strcmp(type, "stage_history") == 0)
		return ruta_error__set(RUTA_EINVALID, "'%s' is not a record type (types: %s)",
			type ? type : "", user_types);
	*out = t;
	return 0;
}

static int id_text_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
				(*s >= 'a' && *s <= 'z') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static const char resolve_sql[] = "SELECT id FROM %s WHERE id >= ?1 AND id < ?1 || '~' "
	"ORDER BY id LIMIT 2";

int ruta_record__resolve(char **out, ruta_replica *r, const ruta_tabledef *t, const char *text)
{
	char sql[160], key[80];
	sqlite3_stmt *st;
	size_t n = text ? strlen(text) : 0, i;
	int rc, err, found = 0;

	*out = NULL;
	if (n == 0 || n >= sizeof(key) || !id_text_ok(text))
		return ruta_error__set(RUTA_ENOTFOUND, "no %s has the id '%.80s'", t->label,
			text ? text : "");
	/* ULIDs are upper case; codes (stage, lost reason) lower case. */
	for (i = 0; i <= n; i++) {
		char c = text[i];
		if (t->flags & RUTA_T_CODE_ID)
			key[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		else
			key[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	snprintf(sql, sizeof(sql), resolve_sql, t->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(id, key) == 0 || found == 0) {
			free(*out);
			if (!(*out = strdup(id))) {
				sqlite3_reset(st);
				return ruta_error__oom();
			}
		}
		if (strcmp(id, key) == 0) {   /* an exact id wins over longer ones */
			found = 1;
			break;
		}
		found++;
	}
	sqlite3_reset(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		return rc;
	}
	if (found == 1 && (strcmp(*out, key) == 0 || (n >= 4 && !(t->flags & RUTA_T_CODE_ID))))
		return 0;
	free(*out);
	*out = NULL;
	if (found > 1) {
		char pl[48];
		return ruta_error__set(RUTA_EAMBIGUOUS, "'%s' matches several %s; give more of the id",
			text, plural(t, pl, sizeof(pl)));
	}
	if (found == 1 && n < 4)
		return ruta_error__set(RUTA_EAMBIGUOUS, "'%s' is too short to name a %s; give at "
			"least 4 characters of the id", text, t->label);
	return ruta_error__set(RUTA_ENOTFOUND, "no %s has the id '%s'%s", t->label, text,
		(t->flags & RUTA_T_CODE_ID) ? "" : " (see the list command for ids)");
}

int ruta_record__column(char **out, ruta_replica *r, const ruta_tabledef *t,
	const char *id, const char *col)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc, err;

	*out = NULL;
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = ?1", col, t->name);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
			!(*out = strdup((const char *)sqlite3_column_text(st, 0))))
		rc = ruta_error__oom();
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return ruta_error__set(RUTA_ENOTFOUND, "no %s has the id '%s'", t->label, id);
	return rc < 0 ? rc : 0;
}

/* ---- checking values --------------------------------------------------------- */

int ruta_record__check_text(const char *v, int required)
{
	size_t n = strlen(v), i;
	if (!ruta_utf8__valid(v, n))
		return ruta_error__set(RUTA_EINVALID, "the value is not valid UTF-8 text");
	if (n > TEXT_MAX)
		return ruta_error__set(RUTA_EINVALID, "the value is too long (%zu bytes; at most %d)",
			n, TEXT_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return ruta_error__set(RUTA_EINVALID,
				"the value contains a control character (byte %u at offset %zu)", c, i);
	}
	if (required && strspn(v, " \t\n") == n)
		return ruta_error__set(RUTA_EINVALID, "it cannot be empty");
	return 0;
}

static int check_enum(const char *v, const char *allowed)
{
	const char *p = allowed;
	size_t n = strlen(v);
	while (*p) {
		size_t k = strcspn(p, "|");
		if (k == n && strncmp(p, v, n) == 0)
			return 0;
		p += k + (p[k] == '|');
	}
	{
		ruta_buf b = RUTA_BUF_INIT;
		int err;
		ruta_buf__puts(&b, allowed);
		for (size_t i = 0; i < b.len; i++)
			if (b.ptr && b.ptr[i] == '|')
				b.ptr[i] = ',';
		err = ruta_error__set(RUTA_EINVALID, "'%.60s' is not allowed (one of: %s)", v,
			b.ptr ? b.ptr : allowed);
		ruta_buf__dispose(&b);
		return err;
	}
}

static int live_ref(char **out, ruta_replica *r, const char *type, const char *v)
{
	const ruta_tabledef *t = ruta_schema__by_type(type);
	char *deleted = NULL;
	int err;

	if ((err = ruta_record__resolve(out, r, t, v)) == RUTA_ENOTFOUND) {
		/* In a field, a reference to nothing is a bad value. */
		if (t->flags & RUTA_T_CODE_ID)
			return ruta_error__set(RUTA_EINVALID, "'%.60s' is not a %s (see 'ruta %s list')",
				v, t->label, strcmp(t->type, "lost_reason") ? t->type : "lost-reason");
		return ruta_error__set(RUTA_EINVALID, "no %s has the id '%.60s'", t->label, v);
	}
	if (err < 0)
		return err;
	if ((err = ruta_record__column(&deleted, r, t, *out, "deleted_at")) == 0 && !deleted &&
			ruta_schema__col(t, "active") &&
			(err = ruta_record__column(&deleted, r, t, *out, "active")) == 0) {
		/* An inactive stage or reason is kept for history, not for new use. */
		if (deleted && strcmp(deleted, "0") == 0)
			err = ruta_error__set(RUTA_EINVALID, "%s '%s' is no longer in use", t->label, *out);
		free(deleted);
		deleted = NULL;
	}
	if (err < 0 || deleted) {
		if (deleted)
			err = ruta_error__set(RUTA_ESTATE, "%s %s was deleted", t->label, *out);
		free(deleted);
		free(*out);
		*out = NULL;
	}
	return err;
}

/* The currency a money field is in: given in this call, else the record's,
 * else (an offer) its opportunity's. */
static int money_currency(char **out, ruta_replica *r, const ruta_tabledef *t,
	const char *id, rowset *rs)
{
	setval *cur = rowset_find(rs, "currency");
	setval *opp;
	int err;

	*out = NULL;
	if (cur && cur->type == SQLITE_TEXT)
		return (*out = strdup(cur->s)) ? 0 : ruta_error__oom();
	if (id && (err = ruta_record__column(out, r, t, id, "currency")) < 0)
		return err;
	if (*out)
		return 0;
	if (strcmp(t->name, "offer") == 0) {
		char *opp_id = NULL;
		opp = rowset_find(rs, "opportunity_id");
		if (opp && opp->s)
			opp_id = strdup(opp->s);
		else if (id && (err = ruta_record__column(&opp_id, r, t, id, "opportunity_id")) < 0)
			return err;
		if (opp_id) {
			err = ruta_record__column(out, r, ruta_schema__by_type("opp"), opp_id, "currency");
			free(opp_id);
			if (err < 0 || *out)
				return err;
		}
	}
	return ruta_error__set(RUTA_EINVALID, "an amount needs a currency "
		"(add --currency, for example EUR or RON)");
}

static int put_money(ruta_replica *r, const ruta_tabledef *t, const char *id,
	const ruta_coldef *c, const char *v, rowset *rs)
{
	char *cur = NULL;
	int64_t minor;
	int err;

	if ((err = money_currency(&cur, r, t, id, rs)) < 0)
		return err;
	if ((err = ruta_norm__money(&minor, v, cur)) == 0) {
		err = rowset_put(rs, c->name, SQLITE_INTEGER, minor, NULL);
		if (err == 0 && !rowset_find(rs, "currency"))
			err = rowset_put(rs, "currency", SQLITE_TEXT, 0, cur);
	}
	free(cur);
	return err;
}

/* Converts one typed value into what goes in the row (and its derived
 * columns: a normalized tax id or email, a raw phone). */
static int put_kind(ruta_replica *r, const ruta_tabledef *t, const ruta_coldef *c,
	const char *v, rowset *rs)
{
	char buf[512], buf2[512];
	int64_t n;
	int i, err;

	switch (c->kind) {
	case RUTA_K_TEXT:
		if ((err = ruta_record__check_text(v, c->flags & RUTA_F_REQUIRED)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_TEXT, 0, v);
	case RUTA_K_INT:
		if ((err = ruta_norm__count(&n, v)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_INTEGER, n, NULL);
	case RUTA_K_BOOL:
		if ((err = ruta_norm__bool(&i, v)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_INTEGER, i, NULL);
	case RUTA_K_PERCENT:
		if ((err = ruta_norm__percent(&i, v)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_INTEGER, i, NULL);
	case RUTA_K_CURRENCY:
		if ((err = ruta_norm__currency(&i, v)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_TEXT, 0, v);
	case RUTA_K_COUNTRY:
		if ((err = ruta_norm__country(buf, v)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_TEXT, 0, buf);
	case RUTA_K_DATE:
		if ((err = ruta_norm__date(buf, v)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_TEXT, 0, buf);
	case RUTA_K_TIME:
		if ((err = ruta_norm__datetime(buf, v)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_TEXT, 0, buf);
	case RUTA_K_ENUM:
		if ((err = check_enum(v, c->arg)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_TEXT, 0, v);
	case RUTA_K_REF: {
		char *id = NULL;
		if ((err = live_ref(&id, r, c->arg, v)) < 0)
			return err;
		err = rowset_put(rs, c->name, SQLITE_TEXT, 0, id);
		free(id);
		return err;
	}
	case RUTA_K_TAXID:
		if ((err = ruta_record__check_text(v, 1)) < 0 || (err = ruta_norm__tax_id(buf, sizeof(buf), v)) < 0)
			return err;
		if ((err = rowset_put(rs, c->name, SQLITE_TEXT, 0, v)) < 0)
			return err;
		return rowset_put(rs, c->arg, SQLITE_TEXT, 0, buf);
	case RUTA_K_EMAIL:
		if ((err = ruta_norm__email(buf, buf2, sizeof(buf), v)) < 0)
			return err;
		if ((err = rowset_put(rs, c->name, SQLITE_TEXT, 0, c->arg ? buf : buf2)) < 0)
			return err;
		return c->arg ? rowset_put(rs, c->arg, SQLITE_TEXT, 0, buf2) : 0;
	case RUTA_K_PHONE:
		if ((err = ruta_norm__phone(buf, sizeof(buf), v, r->country)) < 0)
			return err;
		if ((err = rowset_put(rs, c->name, SQLITE_TEXT, 0, buf)) < 0)
			return err;
		return c->arg ? rowset_put(rs, c->arg, SQLITE_TEXT, 0, v) : 0;
	case RUTA_K_TAG:
		if ((err = ruta_norm__tag(buf, sizeof(buf), v)) < 0)
			return err;
		return rowset_put(rs, c->name, SQLITE_TEXT, 0, buf);
	case RUTA_K_MONEY:
		return ruta_error__set(RUTA_ERROR, "money is converted after its currency");
	}
	return ruta_error__set(RUTA_ERROR, "field kind %d is unknown", (int)c->kind);
}

/* Fields callers know by another name: "account" for account_id. */
static const ruta_coldef *find_col(const ruta_tabledef *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->ncols; i++)
		if ((strcmp(t->cols[i].name, name) == 0 && t->cols[i].kind != RUTA_K_MONEY) ||
				(t->cols[i].api && strcmp(t->cols[i].api, name) == 0))
			return &t->cols[i];   /* money only as "amount": minor units are ours */
	return NULL;
}

static int unknown_field(const ruta_tabledef *t, const char *name, int adding)
{
	ruta_buf b = RUTA_BUF_INIT;
	size_t i;
	int err;
	for (i = 0; i < t->ncols; i++) {
		const ruta_coldef *c = &t->cols[i];
		if (c->flags & (adding ? (RUTA_F_EDIT | RUTA_F_ADD) : RUTA_F_EDIT))
			ruta_buf__printf(&b, "%s%s", b.len ? ", " : "", c->api ? c->api : c->name);
	}
	if (strcmp(t->name, "contact") == 0)
		ruta_buf__puts(&b, adding ? ", email, phone" :
			", add_email, remove_email, add_phone, remove_phone");
	if (ruta_schema__tags_of(t))
		ruta_buf__puts(&b, adding ? ", tag" : ", tag, untag");
	if (t->flags & RUTA_T_CODE_ID && adding)
		ruta_buf__puts(&b, ", id");
	err = ruta_error__set(RUTA_ENOFIELD, "%s has no field '%s'%s (fields: %s)", t->label, name,
		adding ? "" : " that can be edited", b.ptr ? b.ptr : "");
	ruta_buf__dispose(&b);
	return err;
}

/* May this call set this field? Domain-verb fields point at their verb. */
static int check_settable(const ruta_tabledef *t, const ruta_coldef *c, int adding)
{
	if (c->flags & RUTA_F_DERIVED)
		return ruta_error__set(RUTA_EINVALID, "%s %s is set by ruta, not by hand",
			t->label, c->api ? c->api : c->name);
	if ((c->flags & RUTA_F_VERB) && !(adding && (c->flags & RUTA_F_ADD)))
		return ruta_error__set(RUTA_EINVALID, "%s %s changes only with 'ruta %s'",
			t->label, c->name, c->verb);
	if (!adding && !(c->flags & RUTA_F_EDIT))
		return ruta_error__set(RUTA_EINVALID, "%s %s is fixed once the %s exists",
			t->label, c->api ? c->api : c->name, t->label);
	return 0;
}

/* Sorts the caller's fields into the row; money waits for its currency.
 * Child values (a contact's emails and phones, tags) are returned apart. */
typedef struct pending_fields {
	const ruta_coldef *money[4];
	const char *money_val[4];
	size_t nmoney;
	const char *children[64][2];   /* {"email"|"remove_email"|...|"tag"|"untag", value} */
	size_t nchildren;
	const char *code_id;
} pending_fields;

/* Fields that are rows of their own: a contact's emails and phones, and the
 * tags of the record types that have them. */
static int child_field(const ruta_tabledef *t, const char *name, int adding)
{
	if (ruta_schema__tags_of(t) && (!strcmp(name, "tag") || (!adding && !strcmp(name, "untag"))))
		return 1;
	if (strcmp(t->name, "contact") != 0)
		return 0;
	return adding ? (!strcmp(name, "email") || !strcmp(name, "phone")) :
		(!strcmp(name, "add_email") || !strcmp(name, "remove_email") ||
		 !strcmp(name, "add_phone") || !strcmp(name, "remove_phone"));
}

static int collect(ruta_replica *r, const ruta_tabledef *t, const char *id,
	const ruta_field *fields, size_t n, int adding, rowset *rs, pending_fields *pf)
{
	size_t i, j;
	int err;

	for (i = 0; i < n; i++) {
		const char *name = fields[i].name ? fields[i].name : "";
		const char *v = fields[i].value;
		const ruta_coldef *c;
		if (child_field(t, name, adding)) {
			if (pf->nchildren == 64)
				return ruta_error__set(RUTA_EINVALID, "too many emails, phones and tags at once");
			if (!v)
				v = "";   /* an empty tag gets ruta_norm__tag's message */
			if (!*v && !strstr(name, "tag"))
				return ruta_error__set(RUTA_EINVALID, "contact %s: a value is needed", name);
			pf->children[pf->nchildren][0] = name;
			pf->children[pf->nchildren++][1] = v;
			continue;
		}
		if (adding && (t->flags & RUTA_T_CODE_ID) && strcmp(name, "id") == 0) {
			pf->code_id = v;
			continue;
		}
		if (!(c = find_col(t, name)))
			return unknown_field(t, name, adding);
		if ((err = check_settable(t, c, adding)) < 0)
			return err;
		for (j = 0; j < i; j++)
			if (fields[j].name && find_col(t, fields[j].name) == c)
				return ruta_error__set(RUTA_EINVALID, "%s %s is given twice", t->label, name);
		if (!v || !*v) {
			if (c->flags & RUTA_F_REQUIRED)
				return ruta_error__set(RUTA_EINVALID, "%s %s cannot be empty", t->label, name);
			if ((err = rowset_put(rs, c->name, SQLITE_NULL, 0, NULL)) < 0)
				return err;
			if (c->kind == RUTA_K_TAXID || (c->kind == RUTA_K_EMAIL && c->arg))
				err = rowset_put(rs, c->arg, SQLITE_NULL, 0, NULL);
			if (err < 0)
				return err;
			continue;
		}
		if (c->kind == RUTA_K_MONEY) {
			pf->money[pf->nmoney] = c;
			pf->money_val[pf->nmoney++] = v;
			continue;
		}
		if ((err = put_kind(r, t, c, v, rs)) < 0)
			return ruta_error__prefix("%s %s", t->label, c->api ? c->api : c->name);
	}
	return 0;
}

/* Amounts last: their currency may come from another field or record. */
static int convert_money(ruta_replica *r, const ruta_tabledef *t, const char *id, rowset *rs,
	const pending_fields *pf)
{
	size_t i;
	int err;
	for (i = 0; i < pf->nmoney; i++)
		if ((err = put_money(r, t, id, pf->money[i], pf->money_val[i], rs)) < 0)
			return ruta_error__prefix("%s %s", t->label,
				pf->money[i]->api ? pf->money[i]->api : pf->money[i]->name);
	return 0;
}

/* A field's value after this write: the one being set, else the stored one
 * (NULL when adding). New string or NULL. */
static int value_after(char **out, ruta_replica *r, const ruta_tabledef *t, const char *id,
	rowset *rs, const char *col)
{
	setval *v = rowset_find(rs, col);
	char num[32];
	*out = NULL;
	if (v && v->type == SQLITE_TEXT)
		return (*out = strdup(v->s)) ? 0 : ruta_error__oom();
	if (v && v->type == SQLITE_INTEGER) {
		snprintf(num, sizeof(num), "%lld", (long long)v->i);
		return (*out = strdup(num)) ? 0 : ruta_error__oom();
	}
	if (v || !id)
		return 0;
	return ruta_record__column(out, r, t, id, col);
}

/* Changing only the currency must not change what an amount means. */
static int check_currency_change(ruta_replica *r, const ruta_tabledef *t, const char *id,
	rowset *rs)
{
	setval *cur = rowset_find(rs, "currency");
	const ruta_coldef *money = NULL;
	char *amount = NULL, *old = NULL;
	int old_exp = 0, new_exp = 0, err = 0;
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].kind == RUTA_K_MONEY)
			money = &t->cols[i];
	if (!cur || !money || !id || rowset_find(rs, money->name))
		return 0;
	if ((err = ruta_record__column(&amount, r, t, id, money->name)) < 0 || !amount)
		return err;
	if (cur->type == SQLITE_NULL)
		err = ruta_error__set(RUTA_EINVALID, "%s %s needs a currency; clear it too "
			"(--%s '') or keep the currency", t->label, money->api, money->api);
	else if ((err = ruta_record__column(&old, r, t, id, "currency")) == 0 && old &&
			ruta_norm__currency(&old_exp, old) == 0 &&
			ruta_norm__currency(&new_exp, cur->s) == 0 && old_exp != new_exp)
		err = ruta_error__set(RUTA_EINVALID, "changing the currency from %s to %s changes "
			"what the %s means; give --%s too", old, cur->s, money->api, money->api);
	free(amount);
	free(old);
	return err;
}

static int check_fields_together(ruta_replica *r, const ruta_tabledef *t, const char *id,
	rowset *rs)
{
	char *a = NULL, *b = NULL;
	int err = check_currency_change(r, t, id, rs);
	size_t i;

	/* An amount never stands without its currency, whoever cleared which. */
	for (i = 0; i < t->ncols && err == 0; i++) {
		const ruta_coldef *c = &t->cols[i];
		if (c->kind != RUTA_K_MONEY)
			continue;
		if ((err = value_after(&a, r, t, id, rs, c->name)) == 0 &&
				(err = value_after(&b, r, t, id, rs, "currency")) == 0 && a && !b)
			err = ruta_error__set(RUTA_EINVALID, "%s %s needs a currency (--currency, for "
				"example EUR or RON)", t->label, c->api);
		free(a);
		free(b);
		a = b = NULL;
	}

	if (err == 0 && strcmp(t->name, "activity") == 0 &&
			(err = value_after(&a, r, t, id, rs, "planned_start")) == 0 &&
			(err = value_after(&b, r, t, id, rs, "planned_end")) == 0 &&
			a && b && strcmp(b, a) < 0)
		err = ruta_error__set(RUTA_EINVALID, "activity end %s is before its start %s", b, a);
	if (err == 0 && strcmp(t->name, "stage") == 0) {
		free(a);
		free(b);
		a = b = NULL;
		if ((err = value_after(&a, r, t, id, rs, "is_won")) == 0 &&
				(err = value_after(&b, r, t, id, rs, "is_closed")) == 0 &&
				a && strcmp(a, "1") == 0 && !(b && strcmp(b, "1") == 0))
			err = ruta_error__set(RUTA_EINVALID, "a won stage is a closed stage; "
				"add --is-closed yes");
	}
	free(a);
	free(b);
	return err;
}

static int check_required(const ruta_tabledef *t, rowset *rs, const pending_fields *pf)
{
	size_t i;
	if ((t->flags & RUTA_T_CODE_ID) && !pf->code_id)
		return ruta_error__set(RUTA_EINVALID, "a new %s needs its code (id)", t->label);
	for (i = 0; i < t->ncols; i++) {
		const ruta_coldef *c = &t->cols[i];
		if ((c->flags & RUTA_F_REQUIRED) && !rowset_find(rs, c->name))
			return ruta_error__set(RUTA_EINVALID, "a new %s needs %s", t->label,
				c->api ? c->api : c->name);
	}
	return 0;
}

/* ---- writing ------------------------------------------------------------------ */

static int exec_rowset(char **out_id, ruta_replica *r, const char *sql, const rowset *rs,
	const char *id)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL), err = 0;

	if (rc != SQLITE_OK)
		return ruta_error__sqlite(r->db, rc, "preparing a write");
	for (i = 0; i < rs->n; i++)
		bind_value(st, (int)i + 1, &rs->v[i]);
	if (id)
		sqlite3_bind_text(st, (int)rs->n + 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out_id) {
		if (!(*out_id = strdup((const char *)sqlite3_column_text(st, 0))))
			err = ruta_error__oom();
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE && err == 0)
		err = ruta_error__sqlite(r->db, rc, "writing the record");
	sqlite3_finalize(st);
	return err;
}

static int insert_row(char **out_id, ruta_replica *r, const ruta_tabledef *t, const rowset *rs)
{
	ruta_buf b = RUTA_BUF_INIT;
	size_t i;
	int err;

	ruta_buf__printf(&b, "INSERT INTO %s (", t->name);
	for (i = 0; i < rs->n; i++)
		ruta_buf__printf(&b, "%s%s", i ? ", " : "", rs->v[i].col);
	ruta_buf__puts(&b, rs->n ? ") VALUES (" : ") DEFAULT VALUES");
	for (i = 0; i < rs->n; i++)
		ruta_buf__printf(&b, "%s?%zu", i ? ", " : "", i + 1);
	ruta_buf__puts(&b, rs->n ? ") RETURNING id" : " RETURNING id");
	if ((err = ruta_buf__check(&b)) == 0)
		err = exec_rowset(out_id, r, b.ptr, rs, NULL);
	ruta_buf__dispose(&b);
	return err;
}

static int update_row(ruta_replica *r, const ruta_tabledef *t, const char *id, const rowset *rs)
{
	ruta_buf b = RUTA_BUF_INIT;
	size_t i;
	int err;

	if (rs->n == 0)
		return 0;
	ruta_buf__printf(&b, "UPDATE %s SET ", t->name);
	for (i = 0; i < rs->n; i++)
		ruta_buf__printf(&b, "%s%s = ?%zu", i ? ", " : "", rs->v[i].col, i + 1);
	ruta_buf__printf(&b, " WHERE id = ?%zu", rs->n + 1);
	if ((err = ruta_buf__check(&b)) == 0)
		err = exec_rowset(NULL, r, b.ptr, rs, id);
	ruta_buf__dispose(&b);
	return err;
}

/* ---- a contact's emails and phones ------------------------------------------ */

/* The two kinds of child row differ only in table and columns. */
typedef struct child_kind {
	const char *what;          /* "email", "phone" */
	const char *find;          /* ?1 contact, ?2 normalized value -> id */
	const char *has_primary;   /* ?1 contact */
	const char *add;           /* ?1 contact, ?2 as typed, ?3 normalized, ?4 primary */
	const char *rm;            /* ?1 row id */
	const char *promote;       /* ?1 contact: the oldest remaining becomes primary */
} child_kind;

#define CHILD_SQL(table, norm, raw) \
	"SELECT id FROM " table " WHERE contact_id = ?1 AND " norm " = ?2 AND deleted_at IS NULL", \
	"SELECT 1 FROM " table " WHERE contact_id = ?1 AND is_primary = 1 AND deleted_at IS NULL", \
	"INSERT INTO " table "(contact_id, " raw ", " norm ", is_primary) VALUES (?1, ?2, ?3, ?4)", \
	"UPDATE " table " SET deleted_at = " RUTA_SQL_NOW_ISO " WHERE id = ?1", \
	"UPDATE " table " SET is_primary = 1 WHERE id = (SELECT id FROM " table \
	" WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1)" \
	" AND NOT EXISTS (SELECT 1 FROM " table " WHERE contact_id = ?1" \
	" AND deleted_at IS NULL AND is_primary = 1)"

static const child_kind email_kind = { "email",
	CHILD_SQL("contact_email", "email_norm", "email") };
static const child_kind phone_kind = { "phone",
	CHILD_SQL("contact_phone", "e164", "phone") };

static int query_text(char **out, ruta_replica *r, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st;
	int rc, err;
	*out = NULL;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	if (rc == SQLITE_ROW && !(*out = strdup((const char *)sqlite3_column_text(st, 0))))
		rc = ruta_error__oom();
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int run_child(ruta_replica *r, const char *sql, const char *a, const char *b,
	const char *c, int primary)
{
	sqlite3_stmt *st;
	int rc, err;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (c) {
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, primary);
	}
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Adds or removes one address; `adding` is set while the contact itself is
 * being created, where a duplicate can only be one given twice. */
static int child_change(ruta_replica *r, const child_kind *k, const char *contact,
	const char *raw, const char *norm, int add, int adding)
{
	char *existing = NULL, *primary = NULL;
	int err;

	if ((err = query_text(&existing, r, k->find, contact, norm)) < 0)
		return err;
	if (add && existing && adding)
		err = ruta_error__set(RUTA_EINVALID, "contact %s %s is given twice", k->what, norm);
	else if (add && existing)
		err = ruta_error__set(RUTA_EEXISTS, "contact %s already has the %s %s", contact,
			k->what, norm);
	else if (!add && !existing)
		err = ruta_error__set(RUTA_ENOTFOUND, "contact %s has no %s %s", contact, k->what, norm);
	else if (!add) {
		if ((err = run_child(r, k->rm, existing, NULL, NULL, 0)) == 0)
			err = run_child(r, k->promote, contact, NULL, NULL, 0);
	} else if ((err = query_text(&primary, r, k->has_primary, contact, NULL)) == 0) {
		err = run_child(r, k->add, contact, raw, norm, primary == NULL);
	}
	free(existing);
	free(primary);
	return err;
}

static int child_value(ruta_replica *r, const char *contact, const char *what, const char *v,
	int adding)
{
	char raw[512], norm[512];
	int add = strncmp(what, "remove_", 7) != 0, err;

	if (strstr(what, "email")) {
		if ((err = ruta_norm__email(raw, norm, sizeof(raw), v)) < 0)
			return ruta_error__prefix("contact email");
		return child_change(r, &email_kind, contact, raw, norm, add, adding);
	}
	if ((err = ruta_record__check_text(v, 1)) < 0 || (err = ruta_norm__phone(norm, sizeof(norm), v,
			r->country)) < 0)
		return ruta_error__prefix("contact phone");
	return child_change(r, &phone_kind, contact, v, norm, add, adding);
}

/* ---- tags ------------------------------------------------------------------- */

/* A tag is one row per time it was added; removing it tombstones every
 * live row of it this replica holds, so a row added meanwhile elsewhere
 * survives (add wins). SQL per tag table: its names come from the static
 * descriptor, never from the caller. */
enum { TAG_HAS, TAG_ADD, TAG_REMOVE, TAG_LIST };

static int tag_sql(char *sql, size_t size, const ruta_tabledef *tt, int what)
{
	const char *p = tt->cols[0].name;
	switch (what) {
	case TAG_HAS:
		return snprintf(sql, size, "SELECT 1 FROM %s WHERE %s = ?1 AND tag = ?2"
			" AND deleted_at IS NULL", tt->name, p);
	case TAG_ADD:
		return snprintf(sql, size, "INSERT INTO %s(%s, tag) VALUES (?1, ?2)", tt->name, p);
	case TAG_REMOVE:
		return snprintf(sql, size, "UPDATE %s SET deleted_at = %s WHERE %s = ?1 AND tag = ?2"
			" AND deleted_at IS NULL", tt->name, RUTA_SQL_NOW_ISO, p);
	default:
		return snprintf(sql, size, "SELECT DISTINCT tag FROM %s WHERE %s = ?1"
			" AND deleted_at IS NULL ORDER BY tag", tt->name, p);
	}
}

/* Runs one tag statement; *found is whether it gave a row. */
static int tag_run(int *found, ruta_replica *r, const ruta_tabledef *tt, int what,
	const char *id, const char *tag)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc, err;
	tag_sql(sql, sizeof(sql), tt, what);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tag, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	if (found)
		*found = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int load_tags(char ***out, size_t *n, ruta_replica *r, const ruta_tabledef *tt,
	const char *id);

/* "account X has no tag 'y'", with the tags it has, so a typo shows. */
static int no_such_tag(ruta_replica *r, const ruta_tabledef *t, const ruta_tabledef *tt,
	const char *id, const char *tag)
{
	ruta_buf b = RUTA_BUF_INIT;
	char **tags = NULL;
	size_t n = 0, i;
	int err = load_tags(&tags, &n, r, tt, id);
	for (i = 0; i < n; i++)
		ruta_buf__printf(&b, "%s%s", i ? ", " : "", tags[i]);
	if (err == 0)
		err = ruta_error__set(RUTA_ENOTFOUND, "%s %s has no tag '%s' (%s%s)", t->label, id, tag,
			n ? "its tags: " : "it has no tags", b.ptr && n ? b.ptr : "");
	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
	ruta_buf__dispose(&b);
	return err;
}

/* Every tagging of a record that exists is a new row, even of a tag it
 * has: the row is what wins against a removal made meanwhile elsewhere.
 * Removing a tag it does not have is refused (most likely a typo). */
static int tag_change(ruta_replica *r, const ruta_tabledef *t, const char *id, const char *v,
	int add, int adding)
{
	const ruta_tabledef *tt = ruta_schema__tags_of(t);
	char tag[256];
	int has = 0, err;

	if ((err = ruta_norm__tag(tag, sizeof(tag), v)) < 0)
		return ruta_error__prefix("%s tag", t->label);
	if ((err = tag_run(&has, r, tt, TAG_HAS, id, tag)) < 0)
		return err;
	if (add)   /* a new record has nothing to win against: once is enough */
		return has && adding ? 0 : tag_run(NULL, r, tt, TAG_ADD, id, tag);
	if (!has)
		return no_such_tag(r, t, tt, id, tag);
	return tag_run(NULL, r, tt, TAG_REMOVE, id, tag);
}

static int write_children(ruta_replica *r, const ruta_tabledef *t, const char *id,
	const pending_fields *pf, int adding)
{
	size_t i;
	int err = 0;
	for (i = 0; i < pf->nchildren && err == 0; i++) {
		const char *what = pf->children[i][0], *v = pf->children[i][1];
		if (strcmp(what, "tag") == 0 || strcmp(what, "untag") == 0)
			err = tag_change(r, t, id, v, what[0] == 't', adding);
		else
			err = child_value(r, id, what, v, adding);
	}
	return err;
}

/* ---- the public entry points ------------------------------------------------- */

static int check_config_rights(ruta_replica *r, const ruta_tabledef *t)
{
	if ((t->flags & RUTA_T_CONFIG) && !r->head_office)
		return ruta_error__set(RUTA_ESTATE, "only head office changes %ss; this replica "
			"is team '%s'", t->label, r->team ? r->team : "");
	return 0;
}

static int add_defaults(ruta_replica *r, const ruta_tabledef *t, rowset *rs,
	const pending_fields *pf)
{
	int err;
	if (ruta_schema__col(t, "team") && !rowset_find(rs, "team") && r->team &&
			(err = rowset_put(rs, "team", SQLITE_TEXT, 0, r->team)) < 0)
		return err;
	if (pf->code_id) {
		if (!id_text_ok(pf->code_id) || pf->code_id[0] < 'a' || pf->code_id[0] > 'z' ||
				strlen(pf->code_id) > 32 || strchr(pf->code_id, '-'))
			return ruta_error__set(RUTA_EINVALID, "%s code '%.40s' is not allowed "
				"(1-32 characters: a-z, 0-9 and '_', starting with a letter)",
				t->label, pf->code_id);
		if ((err = rowset_put(rs, "id", SQLITE_TEXT, 0, pf->code_id)) < 0)
			return err;
	}
	if (strcmp(t->name, "opportunity") == 0 && rowset_find(rs, "probability"))
		return rowset_put(rs, "probability_manual", SQLITE_INTEGER, 1, NULL);
	return 0;
}

/* A ULID-like id given by an import for a table whose ids ruta makes. */
static int put_given_id(ruta_replica *r, const ruta_tabledef *t, rowset *rs, const char *id)
{
	char *exists = NULL;
	if (!id_text_ok(id) || strlen(id) < 4 || strlen(id) > 64)
		return ruta_error__set(RUTA_EINVALID, "%s id '%.40s' is not a ruta id (4-64 "
			"characters: letters, digits, '-' and '_')", t->label, id);
	if (ruta_record__resolve(&exists, r, t, id) == 0 && strcmp(exists, id) == 0) {
		free(exists);
		return ruta_error__set(RUTA_EEXISTS, "%s '%s' exists already", t->label, id);
	}
	free(exists);
	ruta_error__clear();
	return rowset_put(rs, "id", SQLITE_TEXT, 0, id);
}

static int do_add(char **out, ruta_replica *r, const ruta_tabledef *t,
	const ruta_field *fields, size_t n, const char *given_id)
{
	rowset rs = { .n = 0 };
	pending_fields pf = { .nmoney = 0 };
	int err;

	if (given_id && !(t->flags & RUTA_T_CODE_ID) &&
			(err = put_given_id(r, t, &rs, given_id)) < 0)
		goto done;
	if ((err = check_config_rights(r, t)) < 0 ||
			(err = collect(r, t, NULL, fields, n, 1, &rs, &pf)) < 0 ||
			(err = check_required(t, &rs, &pf)) < 0 ||
			(err = convert_money(r, t, NULL, &rs, &pf)) < 0 ||
			(err = check_fields_together(r, t, NULL, &rs)) < 0 ||
			(err = add_defaults(r, t, &rs, &pf)) < 0)
		goto done;
	if (pf.code_id) {
		char *exists = NULL;
		if (ruta_record__resolve(&exists, r, t, pf.code_id) == 0) {
			err = ruta_error__set(RUTA_EEXISTS, "%s '%s' exists already", t->label, exists);
			free(exists);
			goto done;
		}
		ruta_error__clear();
	}
	if ((err = insert_row(out, r, t, &rs)) == 0)
		err = write_children(r, t, *out, &pf, 1);
done:
	rowset_free(&rs);
	return err;
}

int ruta_record_add(char **out, ruta_replica *r, const char *type,
	const ruta_field *fields, size_t nfields)
{
	const ruta_tabledef *t;
	int err;

	ruta_error__clear();
	*out = NULL;
	if ((err = ruta_record__table(&t, type)) < 0)
		return err;
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = do_add(out, r, t, fields, nfields, NULL)) == 0)
		err = ruta_db__commit(r);
	if (err < 0) {
		ruta_db__rollback(r);
		free(*out);
		*out = NULL;
	}
	return err;
}

int ruta_record__add_in_tx(char **out, ruta_replica *r, const ruta_tabledef *t,
	const ruta_field *fields, size_t nfields, const char *id)
{
	int err;
	*out = NULL;
	if ((err = do_add(out, r, t, fields, nfields, id)) < 0) {
		free(*out);
		*out = NULL;
	}
	return err;
}

static int check_editable(ruta_replica *r, const ruta_tabledef *t, const char *id)
{
	char *deleted = NULL, *status = NULL;
	int err;

	if ((err = ruta_record__column(&deleted, r, t, id, "deleted_at")) < 0)
		return err;
	if (deleted)
		err = ruta_error__set(RUTA_ESTATE, "%s %s was deleted; it cannot change", t->label, id);
	else if (strcmp(t->name, "offer") == 0 &&
			(err = ruta_record__column(&status, r, t, id, "status")) == 0 &&
			status && strcmp(status, "draft") != 0)
		err = ruta_error__set(RUTA_ESTATE, "offer %s is %s; a sent offer cannot change "
			"(make a new draft with 'ruta offer revise %s')", id, status, id);
	free(deleted);
	free(status);
	return err;
}

/* Probability typed by hand stops following the stage; clearing it resumes. */
static int edit_probability(ruta_replica *r, const char *id, rowset *rs)
{
	setval *p = rowset_find(rs, "probability");
	char *stage = NULL;
	int err;
	if (!p)
		return 0;
	if (p->type != SQLITE_NULL)
		return rowset_put(rs, "probability_manual", SQLITE_INTEGER, 1, NULL);
	if ((err = ruta_record__column(&stage, r, ruta_schema__by_type("opp"), id, "stage")) < 0)
		return err;
	err = ruta_record__column(&p->s, r, ruta_schema__by_type("stage"), stage, "probability");
	if (err == 0 && p->s) {
		p->type = SQLITE_INTEGER;
		p->i = strtoll(p->s, NULL, 10);
	}
	free(stage);
	return err ? err : rowset_put(rs, "probability_manual", SQLITE_INTEGER, 0, NULL);
}

static int do_edit(ruta_replica *r, const ruta_tabledef *t, const char *id,
	const ruta_field *fields, size_t n)
{
	rowset rs = { .n = 0 };
	pending_fields pf = { .nmoney = 0 };
	int err;

	if (n == 0)
		return ruta_error__set(RUTA_EINVALID, "nothing to change: give at least one field");
	if ((err = check_config_rights(r, t)) < 0 || (err = check_editable(r, t, id)) < 0 ||
			(err = collect(r, t, id, fields, n, 0, &rs, &pf)) < 0 ||
			(err = convert_money(r, t, id, &rs, &pf)) < 0 ||
			(err = check_fields_together(r, t, id, &rs)) < 0)
		goto done;
	if (strcmp(t->name, "opportunity") == 0 && (err = edit_probability(r, id, &rs)) < 0)
		goto done;
	if ((err = update_row(r, t, id, &rs)) == 0)
		err = write_children(r, t, id, &pf, 0);
done:
	rowset_free(&rs);
	return err;
}

int ruta_record_edit(char **out_id, ruta_replica *r, const char *type, const char *id,
	const ruta_field *fields, size_t nfields)
{
	const ruta_tabledef *t;
	char *full = NULL;
	int err;

	ruta_error__clear();
	if (out_id)
		*out_id = NULL;
	if ((err = ruta_record__table(&t, type)) < 0)
		return err;
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = ruta_record__resolve(&full, r, t, id)) == 0 &&
			(err = do_edit(r, t, full, fields, nfields)) == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	if (err == 0 && out_id)
		*out_id = full;
	else
		free(full);
	return err;
}

int ruta_record__edit_in_tx(ruta_replica *r, const ruta_tabledef *t, const char *id,
	const ruta_field *fields, size_t nfields)
{
	return do_edit(r, t, id, fields, nfields);
}

static const char tombstone_sql[] = "UPDATE %s SET deleted_at = %s"
	" WHERE id = ?1 AND deleted_at IS NULL";

static int do_rm(ruta_replica *r, const ruta_tabledef *t, const char *id)
{
	char sql[256];
	rowset rs = { .n = 0 };
	char *deleted = NULL;
	int err;

	if ((err = check_config_rights(r, t)) < 0 ||
			(err = ruta_record__column(&deleted, r, t, id, "deleted_at")) < 0)
		return err;
	if (deleted) {
		free(deleted);
		return ruta_error__set(RUTA_ESTATE, "%s %s was deleted already", t->label, id);
	}
	snprintf(sql, sizeof(sql), tombstone_sql, t->name, RUTA_SQL_NOW_ISO);
	return exec_rowset(NULL, r, sql, &rs, id);
}

int ruta_record_rm(char **out_id, ruta_replica *r, const char *type, const char *id)
{
	const ruta_tabledef *t;
	char *full = NULL;
	int err;

	ruta_error__clear();
	if (out_id)
		*out_id = NULL;
	if ((err = ruta_record__table(&t, type)) < 0)
		return err;
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = ruta_record__resolve(&full, r, t, id)) == 0 && (err = do_rm(r, t, full)) == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	if (err == 0 && out_id)
		*out_id = full;
	else
		free(full);
	return err;
}

/* ---- reading -------------------------------------------------------------------- */

typedef struct field {
	char *name;
	char *value;
	int is_int;
} field;

typedef struct child {
	char *id;
	char *value;
	char *kind;
	int primary;
} child;

struct ruta_record {
	const ruta_tabledef *t;
	field *f;
	size_t n, cap;
	child *emails, *phones;
	size_t nemails, nphones;
	int emails_loaded;   /* a contact: "email"/"phone" are its child rows */
	char **tags;         /* distinct live tags, in byte order */
	size_t ntags;
	int tags_loaded;     /* a type with tags: "tag" fields are its rows */
};

static int rec_push(ruta_record *rec, const char *name, const char *value, int is_int)
{
	field *f;
	if (rec->n == rec->cap) {
		size_t cap = rec->cap ? rec->cap * 2 : 32;
		field *nf = realloc(rec->f, cap * sizeof(*nf));
		if (!nf)
			return ruta_error__oom();
		rec->f = nf;
		rec->cap = cap;
	}
	f = &rec->f[rec->n];
	f->is_int = is_int;
	f->name = strdup(name);
	f->value = value ? strdup(value) : NULL;
	if (!f->name || (value && !f->value)) {
		free(f->name);
		free(f->value);
		return ruta_error__oom();
	}
	rec->n++;
	return 0;
}

static void free_children(child *c, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(c[i].id);
		free(c[i].value);
		free(c[i].kind);
	}
	free(c);
}

void ruta_record_free(ruta_record *rec)
{
	size_t i;
	if (!rec)
		return;
	for (i = 0; i < rec->n; i++) {
		free(rec->f[i].name);
		free(rec->f[i].value);
	}
	free(rec->f);
	free_children(rec->emails, rec->nemails);
	free_children(rec->phones, rec->nphones);
	for (i = 0; i < rec->ntags; i++)
		free(rec->tags[i]);
	free(rec->tags);
	free(rec);
}

static void select_list(ruta_buf *b, const ruta_tabledef *t)
{
	size_t i;
	ruta_buf__puts(b, "SELECT id");
	for (i = 0; i < t->ncols; i++)
		ruta_buf__printf(b, ", %s", t->cols[i].name);
	ruta_buf__printf(b, ", created_at, deleted_at FROM %s", t->name);
}

static int money_exp(const ruta_record *rec)
{
	int exp = 2;
	const char *cur = ruta_record_value(rec, "currency");
	if (cur && ruta_norm__currency(&exp, cur) < 0) {
		ruta_error__clear();
		exp = 2;
	}
	return exp;
}

/* Adds "amount" ("12000.00") beside "amount_minor", and the like. */
static int add_money_text(ruta_record *rec)
{
	size_t i, n = rec->n;
	for (i = 0; i < n; i++) {
		const ruta_coldef *c = ruta_schema__col(rec->t, rec->f[i].name);
		char text[40];
		int err;
		if (!c || c->kind != RUTA_K_MONEY || !rec->f[i].value)
			continue;
		ruta_norm__money_format(text, sizeof(text), strtoll(rec->f[i].value, NULL, 10),
			money_exp(rec));
		if ((err = rec_push(rec, c->api, text, 0)) < 0)
			return err;
	}
	return 0;
}

static const char children_email_sql[] = "SELECT id, email, kind, is_primary FROM contact_email"
	" WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY is_primary DESC, created_at, id";
static const char children_phone_sql[] = "SELECT id, e164, kind, is_primary FROM contact_phone"
	" WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY is_primary DESC, created_at, id";

static int load_children(child **out, size_t *n, ruta_replica *r, const char *sql, const char *id)
{
	sqlite3_stmt *st;
	int rc, err;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		child *c;
		if (*n == cap) {
			child *nc = realloc(*out, (cap = cap ? cap * 2 : 4) * sizeof(*nc));
			if (!nc) {
				rc = ruta_error__oom();
				break;
			}
			*out = nc;
		}
		c = &(*out)[*n];
		/* Another program may have left a NULL where ruta never would. */
		c->id = strdup(sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
		c->value = strdup(sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
		c->kind = strdup(sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
		c->primary = sqlite3_column_int(st, 3);
		(*n)++;
		if (!c->id || !c->value || !c->kind) {
			rc = ruta_error__oom();
			break;
		}
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int contact_children(ruta_record *rec, ruta_replica *r)
{
	size_t i;
	int err;
	const char *id = ruta_record_id(rec);
	rec->emails_loaded = 1;
	if ((err = load_children(&rec->emails, &rec->nemails, r, children_email_sql, id)) < 0 ||
			(err = load_children(&rec->phones, &rec->nphones, r, children_phone_sql, id)) < 0)
		return err;
	for (i = 0; i < rec->nemails; i++)
		if ((err = rec_push(rec, "email", rec->emails[i].value, 0)) < 0)
			return err;
	for (i = 0; i < rec->nphones; i++)
		if ((err = rec_push(rec, "phone", rec->phones[i].value, 0)) < 0)
			return err;
	return 0;
}

/* The tags `id` shows: each live one once, however many rows hold it. */
static int load_tags(char ***out, size_t *n, ruta_replica *r, const ruta_tabledef *tt,
	const char *id)
{
	char sql[256];
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, err;

	*out = NULL;
	*n = 0;
	tag_sql(sql, sizeof(sql), tt, TAG_LIST);
	if ((err = ruta_db__stmt_dyn(&st, r, sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		const char *tag = (const char *)sqlite3_column_text(st, 0);
		if (*n == cap) {
			char **nt = realloc(*out, (cap = cap ? cap * 2 : 4) * sizeof(*nt));
			if (!nt) {
				rc = ruta_error__oom();
				break;
			}
			*out = nt;
		}
		if (!((*out)[*n] = strdup(tag ? tag : ""))) {
			rc = ruta_error__oom();
			break;
		}
		(*n)++;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int record_tags(ruta_record *rec, ruta_replica *r, const ruta_tabledef *tt)
{
	size_t i;
	int err;
	rec->tags_loaded = 1;
	if ((err = load_tags(&rec->tags, &rec->ntags, r, tt, ruta_record_id(rec))) < 0)
		return err;
	for (i = 0; i < rec->ntags; i++)
		if ((err = rec_push(rec, "tag", rec->tags[i], 0)) < 0)
			return err;
	return 0;
}

static int record_from_row(ruta_record **out, ruta_replica *r, const ruta_tabledef *t,
	sqlite3_stmt *st)
{
	ruta_record *rec = calloc(1, sizeof(*rec));
	int i, cols = sqlite3_column_count(st), err = 0;

	if (!rec)
		return ruta_error__oom();
	rec->t = t;
	for (i = 0; i < cols && err == 0; i++) {
		int type = sqlite3_column_type(st, i);
		err = rec_push(rec, sqlite3_column_name(st, i), type == SQLITE_NULL ? NULL :
			(const char *)sqlite3_column_text(st, i), type == SQLITE_INTEGER);
	}
	if (err == 0)
		err = add_money_text(rec);
	if (err == 0 && strcmp(t->name, "contact") == 0)
		err = contact_children(rec, r);
	if (err == 0 && ruta_schema__tags_of(t))
		err = record_tags(rec, r, ruta_schema__tags_of(t));
	if (err < 0) {
		ruta_record_free(rec);
		return err;
	}
	*out = rec;
	return 0;
}

int ruta_record_get(ruta_record **out, ruta_replica *r, const char *type, const char *id)
{
	const ruta_tabledef *t;
	ruta_buf b = RUTA_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *full = NULL;
	int rc, err;

	ruta_error__clear();
	*out = NULL;
	if ((err = ruta_record__table(&t, type)) < 0 || (err = ruta_record__resolve(&full, r, t, id)) < 0)
		return err;
	select_list(&b, t);
	ruta_buf__puts(&b, " WHERE id = ?1");
	if ((err = ruta_buf__check(&b)) < 0)
		goto done;
	if ((rc = sqlite3_prepare_v2(r->db, b.ptr, -1, &st, NULL)) != SQLITE_OK) {
		err = ruta_error__sqlite(r->db, rc, "reading a record");
		goto done;
	}
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		err = record_from_row(out, r, t, st);
	else
		err = rc < 0 ? rc : ruta_error__set(RUTA_ENOTFOUND, "no %s has the id '%s'", t->label, id);
done:
	sqlite3_finalize(st);
	ruta_buf__dispose(&b);
	free(full);
	return err;
}

struct ruta_record_iter {
	ruta_replica *r;
	const ruta_tabledef *t;
	sqlite3_stmt *st;
};

/* Adds one filter; RUTA_EINVALID if records of this type have no such link. */
static int add_filter(ruta_buf *b, ruta_replica *r, const ruta_tabledef *t, const char *col,
	const char *what, const char *value, const char *ref_type, char **bound)
{
	int err;
	*bound = NULL;
	if (!value)
		return 0;
	if (!ruta_schema__col(t, col)) {
		char pl[48];
		return ruta_error__set(RUTA_EINVALID, "%s cannot be listed by %s",
			plural(t, pl, sizeof(pl)), what);
	}
	if (ref_type)
		err = ruta_record__resolve(bound, r, ruta_schema__by_type(ref_type), value);
	else
		err = (*bound = strdup(value)) ? 0 : ruta_error__oom();
	if (err == 0)
		ruta_buf__printf(b, " AND %s = ?", col);
	return err;
}

/* Only records with tag `value`; RUTA_EINVALID if the type has no tags. */
static int add_tag_filter(ruta_buf *b, const ruta_tabledef *t, const char *value, char **bound)
{
	const ruta_tabledef *tt = ruta_schema__tags_of(t);
	char tag[256];
	*bound = NULL;
	if (!value)
		return 0;
	if (!tt) {
		char pl[48];
		return ruta_error__set(RUTA_EINVALID, "%s have no tags", plural(t, pl, sizeof(pl)));
	}
	if (ruta_norm__tag(tag, sizeof(tag), value) < 0)
		return ruta_error__prefix("%s tag", t->label);
	ruta_buf__printf(b, " AND EXISTS (SELECT 1 FROM %s g WHERE g.%s = %s.id AND g.tag = ?"
		" AND g.deleted_at IS NULL)", tt->name, tt->cols[0].name, t->name);
	return (*bound = strdup(tag)) ? 0 : ruta_error__oom();
}

int ruta_record_list(ruta_record_iter **out, ruta_replica *r, const char *type,
	const ruta_list_options *opts)
{
	ruta_list_options defaults = RUTA_LIST_OPTIONS_INIT;
	const ruta_tabledef *t;
	ruta_buf b = RUTA_BUF_INIT;
	char *vals[5] = { NULL, NULL, NULL, NULL, NULL };
	ruta_record_iter *it = NULL;
	int rc, err, i, k = 0;

	ruta_error__clear();
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version < 1 || opts->version > RUTA_LIST_OPTIONS_VERSION)
		return ruta_error__set(RUTA_EINVALID, "list options version %u is not supported",
			opts->version);
	if ((err = ruta_record__table(&t, type)) < 0)
		return err;
	select_list(&b, t);
	ruta_buf__printf(&b, " WHERE (deleted_at IS NULL OR %d)", opts->include_deleted ? 1 : 0);
	if ((err = add_filter(&b, r, t, "account_id", "account", opts->account, "account", &vals[0])) < 0 ||
			(err = add_filter(&b, r, t, "opportunity_id", "opportunity", opts->opportunity,
				"opp", &vals[1])) < 0 ||
			(err = add_filter(&b, r, t, "stage", "stage", opts->stage, NULL, &vals[2])) < 0 ||
			(err = add_filter(&b, r, t, "status", "status", opts->status, NULL, &vals[3])) < 0 ||
			(opts->version >= 2 && (err = add_tag_filter(&b, t, opts->tag, &vals[4])) < 0))
		goto done;
	/* Stages list in pipeline order; other codes by name; records by age. */
	ruta_buf__puts(&b, ruta_schema__col(t, "seq") ? " ORDER BY seq, id" :
		(t->flags & RUTA_T_CODE_ID) ? " ORDER BY id" : " ORDER BY created_at, id");
	if ((err = ruta_buf__check(&b)) < 0)
		goto done;
	if (!(it = calloc(1, sizeof(*it)))) {
		err = ruta_error__oom();
		goto done;
	}
	if ((rc = sqlite3_prepare_v2(r->db, b.ptr, -1, &it->st, NULL)) != SQLITE_OK) {
		err = ruta_error__sqlite(r->db, rc, "listing records");
		goto done;
	}
	for (i = 0; i < 5; i++)
		if (vals[i])
			sqlite3_bind_text(it->st, ++k, vals[i], -1, SQLITE_TRANSIENT);
	it->r = r;
	it->t = t;
	*out = it;
	it = NULL;
done:
	for (i = 0; i < 5; i++)
		free(vals[i]);
	ruta_record_iter_free(it);
	ruta_buf__dispose(&b);
	return err;
}

int ruta_record_iter_next(ruta_record **out, ruta_record_iter *it)
{
	int rc;
	*out = NULL;
	rc = ruta_db__step(it->r, it->st);
	if (rc == SQLITE_DONE)
		return RUTA_ITEROVER;
	if (rc < 0)
		return rc;
	return record_from_row(out, it->r, it->t, it->st);
}

void ruta_record_iter_free(ruta_record_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->st);
	free(it);
}

const char *ruta_record_type(const ruta_record *rec)
{
	return rec->t->type;
}

const char *ruta_record_id(const ruta_record *rec)
{
	return rec->n ? rec->f[0].value : NULL;
}

size_t ruta_record_field_count(const ruta_record *rec)
{
	return rec->n;
}

const char *ruta_record_field_name(const ruta_record *rec, size_t i)
{
	return i < rec->n ? rec->f[i].name : NULL;
}

const char *ruta_record_field_value(const ruta_record *rec, size_t i)
{
	return i < rec->n ? rec->f[i].value : NULL;
}

const char *ruta_record_value(const ruta_record *rec, const char *name)
{
	size_t i;
	for (i = 0; i < rec->n; i++)
		if (strcmp(rec->f[i].name, name) == 0)
			return rec->f[i].value;
	return NULL;
}

/* Text for JSON output: a program may have stored bytes that are not UTF-8;
 * they show as U+FFFD rather than silently dropping the value. */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s);
	ruta_buf b = RUTA_BUF_INIT;
	size_t i, n;
	if (j || !s)
		return j;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		size_t k;
		for (k = 4; k > 0; k--)
			if (i + k <= n && ruta_utf8__valid(s + i, k))
				break;
		if (k > 0) {
			ruta_buf__put(&b, s + i, k);
			i += k - 1;
		} else {
			ruta_buf__puts(&b, "\xef\xbf\xbd");
		}
	}
	j = b.ptr ? json_string(b.ptr) : json_string("");
	ruta_buf__dispose(&b);
	return j;
}

static json_t *children_json(const child *c, size_t n, const char *valname)
{
	json_t *arr = json_array();
	size_t i;
	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:b}", "id", json_text(c[i].id),
			valname, json_text(c[i].value), "kind", json_text(c[i].kind), "primary",
			c[i].primary));
	return arr;
}

int ruta_record_json(char **out, const ruta_record *rec)
{
	json_t *o = json_object();
	size_t i;
	char *text;

	*out = NULL;
	if (!o)
		return ruta_error__oom();
	json_object_set_new(o, "schema", json_integer(1));
	json_object_set_new(o, "type", json_string(rec->t->type));
	for (i = 0; i < rec->n; i++) {
		const field *f = &rec->f[i];
		if (rec->emails_loaded && (!strcmp(f->name, "email") || !strcmp(f->name, "phone")))
			continue;   /* a contact's: as arrays below */
		if (rec->tags_loaded && !strcmp(f->name, "tag"))
			continue;
		json_object_set_new(o, f->name, !f->value ? json_null() :
			f->is_int ? json_integer(strtoll(f->value, NULL, 10)) : json_text(f->value));
	}
	if (rec->emails_loaded) {
		json_object_set_new(o, "emails", children_json(rec->emails, rec->nemails, "email"));
		json_object_set_new(o, "phones", children_json(rec->phones, rec->nphones, "phone"));
	}
	if (rec->tags_loaded) {
		json_t *tags = json_array();
		for (i = 0; tags && i < rec->ntags; i++)
			json_array_append_new(tags, json_text(rec->tags[i]));
		json_object_set_new(o, "tags", tags);
	}
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!text)
		return ruta_error__oom();
	*out = strdup(text);
	free(text);
	return *out ? 0 : ruta_error__oom();
}
