/*
 * crm.c - the domain verbs: moving, winning and losing opportunities,
 * recording whether a planned activity was held, and the offer life cycle.
 *
 * Each verb checks the record's state first so a refusal says what state it
 * is in and what to do; it then writes the few fields the verb owns in one
 * UPDATE, inside one transaction. The schema's triggers derive the rest for
 * any writer (stage history, probability, closed_at).
 */
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "record.h"

typedef struct target {
	const ruta_tabledef *t;
	char *id;
	char *state;      /* stage or status */
} target;

static void target_free(target *x)
{
	free(x->id);
	free(x->state);
}

/* Resolves a live record and reads its state column. */
static int load_target(target *x, ruta_replica *r, const char *type, const char *id,
	const char *state_col)
{
	char *deleted = NULL;
	int err;

	memset(x, 0, sizeof(*x));
	x->t = ruta_schema__by_type(type);
	if ((err = ruta_record__resolve(&x->id, r, x->t, id)) < 0 ||
			(err = ruta_record__column(&deleted, r, x->t, x->id, "deleted_at")) < 0 ||
			(err = ruta_record__column(&x->state, r, x->t, x->id, state_col)) < 0)
		return err;
	if (deleted) {
		free(deleted);
		return ruta_error__set(RUTA_ESTATE, "%s %s was deleted", x->t->label, x->id);
	}
	/* Another program may have emptied it; a verb then has nothing to go on. */
	if (!x->state)
		return ruta_error__set(RUTA_ESTATE, "%s %s has no %s (emptied by another program); "
			"set it first", x->t->label, x->id, state_col);
	return 0;
}

/* Runs `sql` with text parameters (NULL binds NULL), the record id last. */
static int write_fields(ruta_replica *r, const char *sql, const char *const *vals, int n,
	const char *id)
{
	sqlite3_stmt *st;
	int i, rc, err;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, n + 1, id, -1, SQLITE_STATIC);
	rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

typedef int (*verb_fn)(ruta_replica *r, const void *args);

static int in_transaction(ruta_replica *r, verb_fn fn, const void *args)
{
	int err;
	ruta_error__clear();
	if ((err = ruta_db__begin(r)) < 0)
		return err;
	if ((err = fn(r, args)) == 0)
		err = ruta_db__commit(r);
	if (err < 0)
		ruta_db__rollback(r);
	return err;
}

/* ---- opportunities ---- */

typedef struct opp_args {
	const char *id, *stage, *reason, *note;
	int want;   /* 0 move, 1 win, 2 lose */
} opp_args;

static const char stage_info_sql[] = "SELECT is_closed, is_won, active FROM stage WHERE id = ?1"
	" AND deleted_at IS NULL";
static const char won_stage_sql[] = "SELECT id FROM stage WHERE is_won = 1 AND active = 1 "
	"ORDER BY seq LIMIT 1";
static const char lost_stage_sql[] = "SELECT id FROM stage WHERE is_closed = 1 AND is_won = 0 "
	"AND active = 1 ORDER BY seq LIMIT 1";
static const char move_sql[] = "UPDATE opportunity SET stage = ?1 WHERE id = ?2";
static const char lose_sql[] = "UPDATE opportunity SET stage = ?1, lost_reason = ?2, "
	"lost_note = ?3 WHERE id = ?4";
static const char reason_ok_sql[] = "SELECT active FROM lost_reason WHERE id = ?1 "
	"AND deleted_at IS NULL";

static int stage_info(int *closed, int *won, ruta_replica *r, const char *stage)
{
	sqlite3_stmt *st;
	int rc, err, active = 0;
	if ((err = ruta_db__stmt(&st, r, stage_info_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW) {
		*closed = sqlite3_column_int(st, 0);
		*won = sqlite3_column_int(st, 1);
		active = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (rc == SQLITE_DONE || !active)
		return ruta_error__set(RUTA_EINVALID, "'%s' is not %s stage (see 'ruta stage list')",
			stage, rc == SQLITE_DONE ? "a" : "an active");
	return 0;
}

static int one_code(char **out, ruta_replica *r, const char *sql, const char *what)
{
	sqlite3_stmt *st;
	int rc, err;
	*out = NULL;
	if ((err = ruta_db__stmt(&st, r, sql)) < 0)
		return err;
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW &&
			!(*out = strdup((const char *)sqlite3_column_text(st, 0))))
		rc = ruta_error__oom();
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return ruta_error__set(RUTA_ESTATE, "the stage table has no %s stage", what);
	return rc < 0 ? rc : 0;
}

/* A stage or lost-reason code as typed (any case) to the stored code. */
static int config_code(char **out, ruta_replica *r, const char *type, const char *text)
{
	const ruta_tabledef *t = ruta_schema__by_type(type);
	int err = ruta_record__resolve(out, r, t, text ? text : "");
	if (err == RUTA_ENOTFOUND)
		return ruta_error__set(RUTA_EINVALID, "'%.60s' is not a %s (see 'ruta %s list')",
			text ? text : "", t->label, strcmp(type, "stage") ? "lost-reason" : "stage");
	return err;
}

static int check_reason(ruta_replica *r, const char *reason)
{
	sqlite3_stmt *st;
	int rc, err, active = 0;
	if (!reason || !*reason)
		return ruta_error__set(RUTA_EINVALID, "a lost opportunity needs a reason "
			"(see 'ruta lost-reason list')");
	if ((err = ruta_db__stmt(&st, r, reason_ok_sql)) < 0)
		return err;
	sqlite3_bind_text(st, 1, reason, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		active = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (!active)
		return ruta_error__set(RUTA_EINVALID, "'%.60s' is not a lost reason "
			"(see 'ruta lost-reason list')", reason);
	return 0;
}

static int opp_verb(ruta_replica *r, const void *p)
{
	const opp_args *a = p;
	target x;
	char *stage = NULL, *reason = NULL;
	int closed = 0, won = 0, err;

	if ((err = load_target(&x, r, "opp", a->id, "stage")) < 0)
		goto done;
	if (a->want == 0 && (err = config_code(&stage, r, "stage", a->stage)) < 0)
		goto done;
	if ((a->want == 1 && (err = one_code(&stage, r, won_stage_sql, "won")) < 0) ||
			(a->want == 2 && (err = one_code(&stage, r, lost_stage_sql, "lost")) < 0) ||
			(err = stage_info(&closed, &won, r, stage)) < 0)
		goto done;
	if (a->want == 0 && closed && !won) {
		err = ruta_error__set(RUTA_EINVALID, "moving to '%s' needs a reason: use "
			"'ruta opp lose %s --reason CODE'", stage, x.id);
		goto done;
	}
	if (a->want == 2) {
		const char *vals[3] = { stage, NULL, a->note && *a->note ? a->note : NULL };
		if (!a->reason || !*a->reason)
			err = check_reason(r, a->reason);
		else if ((err = config_code(&reason, r, "lost_reason", a->reason)) == 0)
			vals[1] = reason;
		if (err == 0)
			err = check_reason(r, reason);
		if (err == 0 && vals[2] && (err = ruta_record__check_text(vals[2], 0)) < 0)
			ruta_error__prefix("opportunity lost note");
		if (err == 0)
			err = write_fields(r, lose_sql, vals, 3, x.id);
	} else if (strcmp(x.state, stage) != 0) {
		const char *vals[1] = { stage };
		err = write_fields(r, move_sql, vals, 1, x.id);
	}
done:
	free(stage);
	free(reason);
	target_free(&x);
	return err;
}

int ruta_opp_move(ruta_replica *r, const char *id, const char *stage)
{
	opp_args a = { id, stage, NULL, NULL, 0 };
	return in_transaction(r, opp_verb, &a);
}

int ruta_opp_win(ruta_replica *r, const char *id)
{
	opp_args a = { id, NULL, NULL, NULL, 1 };
	return in_transaction(r, opp_verb, &a);
}

int ruta_opp_lose(ruta_replica *r, const char *id, const char *reason, const char *note)
{
	opp_args a = { id, NULL, reason, note, 2 };
	return in_transaction(r, opp_verb, &a);
}

/* ---- activities ---- */

typedef struct act_args {
	const char *id, *start, *end, *reason;
	const char *status;   /* held, not_held, cancelled */
} act_args;

static const char held_sql[] = "UPDATE activity SET status = 'held', "
	"held_start = coalesce(?1, planned_start, " RUTA_SQL_NOW_ISO "), "
	"held_end = coalesce(?2, CASE WHEN ?1 IS NULL THEN planned_end END) WHERE id = ?3";
static const char not_held_sql[] = "UPDATE activity SET status = ?1, not_held_reason = ?2 "
	"WHERE id = ?3";

/* The held times as stored (a missing start became the planned one or now)
 * must be in order; the caller's transaction rolls back if not. */
static int check_held_times(ruta_replica *r, const char *id)
{
	const ruta_tabledef *t = ruta_schema__by_type("activity");
	char *start = NULL, *end = NULL;
	int err;
	if ((err = ruta_record__column(&start, r, t, id, "held_start")) == 0 &&
			(err = ruta_record__column(&end, r, t, id, "held_end")) == 0 &&
			start && end && strcmp(end, start) < 0)
		err = ruta_error__set(RUTA_EINVALID, "activity end %s is before its start %s",
			end, start);
	free(start);
	free(end);
	return err;
}

static int act_verb(ruta_replica *r, const void *p)
{
	const act_args *a = p;
	char start[21], end[21];
	target x;
	int err;

	if ((err = load_target(&x, r, "activity", a->id, "status")) < 0)
		goto done;
	if (strcmp(x.state, "planned") != 0) {
		err = ruta_error__set(RUTA_ESTATE, "activity %s is %s already; only a planned "
			"activity can be marked %s", x.id, x.state, a->status);
		goto done;
	}
	if (strcmp(a->status, "held") == 0) {
		const char *vals[2] = { NULL, NULL };
		if (a->start && *a->start && (err = ruta_norm__datetime(start, a->start)) < 0) {
			ruta_error__prefix("activity start");
			goto done;
		}
		if (a->end && *a->end && (err = ruta_norm__datetime(end, a->end)) < 0) {
			ruta_error__prefix("activity end");
			goto done;
		}
		vals[0] = a->start && *a->start ? start : NULL;
		vals[1] = a->end && *a->end ? end : NULL;
		if (vals[0] && vals[1] && strcmp(vals[1], vals[0]) < 0) {
			err = ruta_error__set(RUTA_EINVALID, "activity end %s is before its start %s",
				vals[1], vals[0]);
			goto done;
		}
		if ((err = write_fields(r, held_sql, vals, 2, x.id)) == 0)
			err = check_held_times(r, x.id);
	} else {
		const char *vals[2] = { a->status, a->reason && *a->reason ? a->reason : NULL };
		if (!vals[1] && strcmp(a->status, "not_held") == 0)
			err = ruta_error__set(RUTA_EINVALID, "say why activity %s was not held "
				"(--reason TEXT)", x.id);
		else if (vals[1] && (err = ruta_record__check_text(vals[1], 0)) < 0)
			ruta_error__prefix("activity reason");
		else
			err = write_fields(r, not_held_sql, vals, 2, x.id);
	}
done:
	target_free(&x);
	return err;
}

int ruta_activity_held(ruta_replica *r, const char *id, const char *start, const char *end)
{
	act_args a = { id, start, end, NULL, "held" };
	return in_transaction(r, act_verb, &a);
}

int ruta_activity_not_held(ruta_replica *r, const char *id, const char *reason)
{
	act_args a = { id, NULL, NULL, reason, "not_held" };
	return in_transaction(r, act_verb, &a);
}

int ruta_activity_cancel(ruta_replica *r, const char *id, const char *reason)
{
	act_args a = { id, NULL, NULL, reason, "cancelled" };
	return in_transaction(r, act_verb, &a);
}

/* ---- offers ---- */

typedef struct offer_args {
	const char *id, *status;
	char **out;
} offer_args;

static const char send_sql[] = "UPDATE offer SET status = 'sent', sent_at = "
	RUTA_SQL_NOW_ISO " WHERE id = ?1";
/* The fields a sent offer freezes that a person can edit, logged again at
 * the send with the values sent: the send's changeset then carries what was
 * sent, and each of these supersedes every version its maker had, so an
 * edit made elsewhere on the draft meanwhile is concurrent with it and
 * becomes a new revision (merge.c, docs/merge.md §2.16). */
static const char resend_sql[] = "INSERT INTO ruta_change(tbl, rec, op, col, val, base, t)"
	" SELECT 'offer', id, 'u', 'number', number, 0, " RUTA_SQL_NOW_MS " FROM offer WHERE id = ?1"
	" UNION ALL SELECT 'offer', id, 'u', 'total_minor', total_minor, 0, " RUTA_SQL_NOW_MS
	" FROM offer WHERE id = ?1"
	" UNION ALL SELECT 'offer', id, 'u', 'currency', currency, 0, " RUTA_SQL_NOW_MS
	" FROM offer WHERE id = ?1"
	" UNION ALL SELECT 'offer', id, 'u', 'valid_until', valid_until, 0, " RUTA_SQL_NOW_MS
	" FROM offer WHERE id = ?1"
	" UNION ALL SELECT 'offer', id, 'u', 'description', description, 0, " RUTA_SQL_NOW_MS
	" FROM offer WHERE id = ?1";
static const char decide_sql[] = "UPDATE offer SET status = ?1, decided_at = "
	RUTA_SQL_NOW_ISO " WHERE id = ?2";
static const char revised_sql[] = "SELECT id FROM offer WHERE revises = ?1 "
	"AND deleted_at IS NULL LIMIT 1";
static const char revise_sql[] = "INSERT INTO offer(opportunity_id, number, revision, "
	"total_minor, currency, valid_until, description, revises, owner, team) "
	"SELECT opportunity_id, number, revision + 1, total_minor, currency, valid_until, "
	"description, id, owner, team FROM offer WHERE id = ?1 RETURNING id";

static int offer_send(ruta_replica *r, const void *p)
{
	const offer_args *a = p;
	char *total = NULL;
	target x;
	int err;

	if ((err = load_target(&x, r, "offer", a->id, "status")) < 0)
		goto done;
	if (strcmp(x.state, "draft") != 0)
		err = ruta_error__set(RUTA_ESTATE, "offer %s is %s already; only a draft can be sent",
			x.id, x.state);
	else if ((err = ruta_record__column(&total, r, x.t, x.id, "total_minor")) == 0 && !total)
		err = ruta_error__set(RUTA_ESTATE, "offer %s has no total; set one with "
			"'ruta offer edit %s --total AMOUNT' before sending it", x.id, x.id);
	else if (err == 0 && (err = write_fields(r, send_sql, NULL, 0, x.id)) == 0)
		err = write_fields(r, resend_sql, NULL, 0, x.id);
done:
	free(total);
	target_free(&x);
	return err;
}

static int offer_decide(ruta_replica *r, const void *p)
{
	const offer_args *a = p;
	const char *vals[1] = { a->status };
	target x;
	int err;

	if (strcmp(a->status, "accepted") && strcmp(a->status, "rejected") &&
			strcmp(a->status, "expired") && strcmp(a->status, "withdrawn"))
		return ruta_error__set(RUTA_EINVALID, "'%.40s' is not an answer to an offer "
			"(one of: accepted, rejected, expired, withdrawn)", a->status);
	if ((err = load_target(&x, r, "offer", a->id, "status")) < 0)
		goto done;
	if (strcmp(x.state, "sent") != 0)
		err = ruta_error__set(RUTA_ESTATE, "offer %s is %s; only a sent offer can be %s",
			x.id, x.state, a->status);
	else
		err = write_fields(r, decide_sql, vals, 1, x.id);
done:
	target_free(&x);
	return err;
}

static int offer_revise(ruta_replica *r, const void *p)
{
	const offer_args *a = p;
	sqlite3_stmt *st;
	target x;
	int rc, err;

	if ((err = load_target(&x, r, "offer", a->id, "status")) < 0)
		goto done;
	if (strcmp(x.state, "draft") == 0) {
		err = ruta_error__set(RUTA_ESTATE, "offer %s is still a draft; edit it instead", x.id);
		goto done;
	}
	if ((err = ruta_db__stmt(&st, r, revised_sql)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, x.id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW)
		err = ruta_error__set(RUTA_ESTATE, "offer %s was revised already, as %s; revise "
			"that one", x.id, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc < 0 || err < 0) {
		err = rc < 0 ? rc : err;
		goto done;
	}
	if ((err = ruta_db__stmt(&st, r, revise_sql)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, x.id, -1, SQLITE_STATIC);
	if ((rc = ruta_db__step(r, st)) == SQLITE_ROW &&
			!(*a->out = strdup((const char *)sqlite3_column_text(st, 0))))
		rc = ruta_error__oom();
	if (rc == SQLITE_ROW)
		rc = ruta_db__step(r, st);
	sqlite3_reset(st);
	err = rc < 0 ? rc : 0;
done:
	target_free(&x);
	return err;
}

int ruta_offer_send(ruta_replica *r, const char *id)
{
	offer_args a = { id, NULL, NULL };
	return in_transaction(r, offer_send, &a);
}

int ruta_offer_decide(ruta_replica *r, const char *id, const char *status)
{
	offer_args a = { id, status ? status : "", NULL };
	return in_transaction(r, offer_decide, &a);
}

int ruta_offer_revise(char **out, ruta_replica *r, const char *id)
{
	offer_args a = { id, NULL, out };
	int err;
	*out = NULL;
	if ((err = in_transaction(r, offer_revise, &a)) < 0) {
		free(*out);
		*out = NULL;
	}
	return err;
}
