/* schema.h - the CRM schema descriptor: tables, fields, kinds and the migration that added each. */
#ifndef RUTA_SCHEMA_H
#define RUTA_SCHEMA_H

#include <stddef.h>
#include <sqlite3.h>

/* How a field's text value is checked and stored. */
typedef enum ruta_kind {
	RUTA_K_TEXT,     /* free UTF-8 text */
	RUTA_K_INT,      /* non-negative integer */
	RUTA_K_BOOL,     /* 0/1, given as yes/no */
	RUTA_K_PERCENT,  /* 0..100 */
	RUTA_K_MONEY,    /* minor units; `arg` names the currency column */
	RUTA_K_CURRENCY, /* ISO 4217 */
	RUTA_K_COUNTRY,  /* ISO 3166 alpha-2 */
	RUTA_K_DATE,     /* YYYY-MM-DD */
	RUTA_K_TIME,     /* YYYY-MM-DDTHH:MM:SSZ */
	RUTA_K_ENUM,     /* one of `arg`, "a|b|c" */
	RUTA_K_REF,      /* id of a record of type `arg` */
	RUTA_K_TAXID,    /* raw tax id; `arg` names the normalized column */
	RUTA_K_EMAIL,    /* raw address; `arg` names the normalized column, if any */
	RUTA_K_PHONE,    /* stored as E.164; `arg` names the raw column, if any */
	RUTA_K_TAG       /* a tag in its normal form (ruta_norm__tag) */
} ruta_kind;

/* Field flags. */
#define RUTA_F_REQUIRED 0x01  /* must be set when adding */
#define RUTA_F_EDIT     0x02  /* `add` and `edit` may set it */
#define RUTA_F_ADD      0x04  /* `add` may set it, `edit` may not */
#define RUTA_F_VERB     0x08  /* only a domain verb sets it (names the verb in `arg2`) */
#define RUTA_F_DERIVED  0x10  /* computed by ruta or a trigger */

typedef struct ruta_coldef {
	const char *name;   /* SQL column and API field name */
	ruta_kind kind;
	unsigned flags;
	const char *arg;    /* kind's argument, see ruta_kind */
	const char *dflt;   /* SQL DEFAULT expression, or NULL */
	const char *api;    /* name callers use if not `name` ("account" for account_id) */
	const char *verb;   /* for RUTA_F_VERB: the command that sets it */
	int since;          /* the migration that added the column */
} ruta_coldef;

/* Table flags. */
#define RUTA_T_CODE_ID     0x01 /* id is a code typed by head office, not a ULID */
#define RUTA_T_APPEND_ONLY 0x02 /* rows never change or go away */
#define RUTA_T_CONFIG      0x04 /* head office edits it; teams only read */
#define RUTA_T_CHILD       0x08 /* rows belong to a parent record (emails, phones) */
#define RUTA_T_TAGS        0x10 /* a record type's tags: its first column is the parent */

typedef struct ruta_tabledef {
	const char *name;        /* SQL table */
	const char *type;        /* API and CLI type ("opp") */
	const char *label;       /* in messages ("opportunity") */
	const ruta_coldef *cols; /* the CRM fields, without id/created_at/deleted_at */
	size_t ncols;
	unsigned flags;
	const char *list_cols;   /* columns a human listing shows, space separated */
	int since;
} ruta_tabledef;

extern const ruta_tabledef ruta_schema__tables[];
extern const size_t ruta_schema__ntables;

/* The newest migration this build knows. */
int ruta_schema__latest(void);
const ruta_tabledef *ruta_schema__by_type(const char *type);
const ruta_tabledef *ruta_schema__by_name(const char *sql_name);
const ruta_coldef *ruta_schema__col(const ruta_tabledef *t, const char *name);
/* The table of `parent`'s tags, or NULL if records of that table have none. */
const ruta_tabledef *ruta_schema__tags_of(const ruta_tabledef *parent);
/* 1 if `col` of table `t` is captured (has a version column). */
int ruta_schema__synced(const ruta_tabledef *t, const char *col);
/* 1 if the column's SQL has a CHECK; 0 if it is plain TEXT, where a value
 * of the type the changeset parser demands can fail no constraint. */
int ruta_schema__checked(const ruta_coldef *c);

/* Brings the file to the latest migration and (re)creates the capture
 * triggers when they are out of date, all in one transaction. RUTA_EVERSION if
 * the file is newer than this build. */
int ruta_schema__migrate(sqlite3 *db);
/* Runs migrations 1..`upto` only, without triggers (for tests of old files). */
int ruta_schema__migrate_to(sqlite3 *db, int upto);

/* SQL expression for the current time as ISO-8601 UTC seconds, and as ms. */
#define RUTA_SQL_NOW_ISO "strftime('%Y-%m-%dT%H:%M:%SZ','now')"
/* julianday() holds SQLite's integer clock in ms as a double; round() makes
 * the conversion exact, in one function call (it runs in every capture). */
#define RUTA_SQL_NOW_MS "CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)"

#endif
