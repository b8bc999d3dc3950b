/*
 * schema.c - the CRM schema: one descriptor from which the tables, the
 * numbered migrations and the capture triggers are all generated.
 *
 * Invariants:
 *  - Every CRM table has `id` (a ULID made by SQLite's DEFAULT, so any writer
 *    gets one), `created_at` and `deleted_at`; deletes become tombstones.
 *  - Every captured column `c` has `c__v`, the version (HLC) of its value,
 *    0 until ruta stamps it. Only ruta writes the __v columns.
 *  - A column is added by exactly one migration (`since`); migration k
 *    creates the tables and columns whose `since` is k, then runs its extra
 *    SQL. Old files therefore reach the same schema as new ones.
 *  - Triggers are not part of migrations: they are a function of this build,
 *    dropped and recreated whenever the file's trigger revision differs.
 *  - Triggers use only built-in SQL, so programs that write the file with
 *    plain SQLite (the sqlite3 CLI, an app) are captured too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "schema.h"

#define LATEST 11
/* Bump when trigger text changes; files with an older revision are
 * re-triggered on open, never those with a newer one. */
#define TRIGGER_REV 9

#define NOT_APPLYING "(SELECT applying FROM ruta_sync_state WHERE k = 0) = 0"

/* ---- the descriptor ------------------------------------------------------ */

#define E RUTA_F_EDIT
#define R RUTA_F_REQUIRED
#define A RUTA_F_ADD
#define V RUTA_F_VERB
#define D RUTA_F_DERIVED

#define COL(n, k, f, arg) { n, k, f, arg, NULL, NULL, NULL, 1 }
#define COLD(n, k, f, arg, dflt) { n, k, f, arg, dflt, NULL, NULL, 1 }
#define COLA(n, k, f, arg, api) { n, k, f, arg, NULL, api, NULL, 1 }
#define COLV(n, k, arg, dflt, verb) { n, k, V, arg, dflt, NULL, verb, 1 }

#define OWNER_TEAM \
	COL("owner", RUTA_K_TEXT, E, NULL), \
	COL("team", RUTA_K_TEXT, E, NULL)
#define ADDRESS \
	COL("street", RUTA_K_TEXT, E, NULL), \
	COL("city", RUTA_K_TEXT, E, NULL), \
	COL("postal_code", RUTA_K_TEXT, E, NULL), \
	COL("country", RUTA_K_COUNTRY, E, NULL)

static const ruta_coldef account_cols[] = {
	COL("name", RUTA_K_TEXT, E | R, NULL),
	COL("legal_name", RUTA_K_TEXT, E, NULL),
	COL("tax_id", RUTA_K_TAXID, E, "tax_id_norm"),
	COL("tax_id_norm", RUTA_K_TEXT, D, NULL),
	COLD("lifecycle", RUTA_K_ENUM, E, "lead|prospect|potential|client|inactive", "'lead'"),
	COL("sector", RUTA_K_TEXT, E, NULL),
	COL("region", RUTA_K_TEXT, E, NULL),
	COL("sales_channel", RUTA_K_ENUM, E, "direct|distributor|phone|web|other"),
	COL("website", RUTA_K_TEXT, E, NULL),
	COL("phone", RUTA_K_PHONE, E, NULL),
	COL("email", RUTA_K_EMAIL, E, NULL),
	ADDRESS,
	COL("employees", RUTA_K_INT, E, NULL),
	OWNER_TEAM,
	{ "merged_into", RUTA_K_REF, D, "account", NULL, NULL, NULL, 3 },
	/* The estimated annual wallet (enrichment, head office) and its
	 * currency, one unit like an opportunity's amount: ABC by potential. */
	{ "potential_minor", RUTA_K_MONEY, E, "currency", NULL, "potential", NULL, 8 },
	{ "currency", RUTA_K_CURRENCY, E, NULL, NULL, NULL, NULL, 8 },
};

static const ruta_coldef contact_cols[] = {
	COLA("account_id", RUTA_K_REF, E, "account", "account"),
	COL("first_name", RUTA_K_TEXT, E, NULL),
	COL("last_name", RUTA_K_TEXT, E | R, NULL),
	COL("title", RUTA_K_TEXT, E, NULL),
	COL("lifecycle", RUTA_K_ENUM, E, "lead|prospect|potential|client|inactive"),
	COLD("do_not_call", RUTA_K_BOOL, E, NULL, "0"),
	ADDRESS,
	OWNER_TEAM,
	{ "merged_into", RUTA_K_REF, D, "contact", NULL, NULL, NULL, 3 },
};

static const ruta_coldef email_cols[] = {
	COLA("contact_id", RUTA_K_REF, A | R, "contact", "contact"),
	COL("email", RUTA_K_EMAIL, A | R, "email_norm"),
	COL("email_norm", RUTA_K_TEXT, D, NULL),
	COLD("kind", RUTA_K_ENUM, E, "work|home|other", "'work'"),
	COLD("is_primary", RUTA_K_BOOL, E, NULL, "0"),
};

static const ruta_coldef phone_cols[] = {
	COLA("contact_id", RUTA_K_REF, A | R, "contact", "contact"),
	COL("phone", RUTA_K_TEXT, D, NULL),
	COL("e164", RUTA_K_PHONE, A | R, "phone"),
	COLD("kind", RUTA_K_ENUM, E, "mobile|office|home|fax|other", "'mobile'"),
	COLD("is_primary", RUTA_K_BOOL, E, NULL, "0"),
};

static const ruta_coldef opp_cols[] = {
	COLA("account_id", RUTA_K_REF, E | R, "account", "account"),
	COL("name", RUTA_K_TEXT, E | R, NULL),
	{ "stage", RUTA_K_REF, A | V, "stage", "'qualification'", NULL, "opp move", 1 },
	COL("probability", RUTA_K_PERCENT, E, NULL),
	COLD("probability_manual", RUTA_K_BOOL, D, NULL, "0"),
	COLA("amount_minor", RUTA_K_MONEY, E, "currency", "amount"),
	COL("currency", RUTA_K_CURRENCY, E, NULL),
	COL("expected_close", RUTA_K_DATE, E, NULL),
	COLA("contact_id", RUTA_K_REF, E, "contact", "contact"),
	COL("next_step", RUTA_K_TEXT, E, NULL),
	COL("lead_source", RUTA_K_TEXT, E, NULL),
	COLV("lost_reason", RUTA_K_REF, "lost_reason", NULL, "opp lose"),
	COLV("lost_note", RUTA_K_TEXT, NULL, NULL, "opp lose"),
	COLD("stage_changed_at", RUTA_K_TIME, D, NULL, "(" RUTA_SQL_NOW_ISO ")"),
	COL("closed_at", RUTA_K_TIME, D, NULL),
	OWNER_TEAM,
};

static const ruta_coldef history_cols[] = {
	COLA("opportunity_id", RUTA_K_REF, D, "opp", "opp"),
	COL("from_stage", RUTA_K_TEXT, D, NULL),
	COL("to_stage", RUTA_K_TEXT, D, NULL),
	COL("at", RUTA_K_TIME, D, NULL),
	COL("replica", RUTA_K_TEXT, D, NULL),
};

/* An account's lifecycle moves, like an opportunity's stage history: one
 * row per creation or change, made by a trigger where it happened and
 * synced as is. Added by migration 9. */
static const ruta_coldef lifecycle_history_cols[] = {
	{ "account_id", RUTA_K_REF, D, "account", NULL, "account", NULL, 9 },
	{ "from_lifecycle", RUTA_K_TEXT, D, NULL, NULL, NULL, NULL, 9 },
	{ "to_lifecycle", RUTA_K_TEXT, D, NULL, NULL, NULL, NULL, 9 },
	{ "at", RUTA_K_TIME, D, NULL, NULL, NULL, NULL, 9 },
	{ "replica", RUTA_K_TEXT, D, NULL, NULL, NULL, NULL, 9 },
};

static const ruta_coldef activity_cols[] = {
	COL("kind", RUTA_K_ENUM, A | R, "call|meeting|visit"),
	{ "status", RUTA_K_ENUM, V, "planned|held|not_held|cancelled", "'planned'", NULL,
		"activity held|not-held|cancel", 1 },
	COL("subject", RUTA_K_TEXT, E, NULL),
	COLA("account_id", RUTA_K_REF, E, "account", "account"),
	COLA("contact_id", RUTA_K_REF, E, "contact", "contact"),
	COLA("opportunity_id", RUTA_K_REF, E, "opp", "opp"),
	COLA("planned_start", RUTA_K_TIME, E, NULL, "start"),
	COLA("planned_end", RUTA_K_TIME, E, NULL, "end"),
	COLV("held_start", RUTA_K_TIME, NULL, NULL, "activity held"),
	COLV("held_end", RUTA_K_TIME, NULL, NULL, "activity held"),
	COLV("not_held_reason", RUTA_K_TEXT, NULL, NULL, "activity not-held"),
	COL("location", RUTA_K_TEXT, E, NULL),
	COL("notes", RUTA_K_TEXT, E, NULL),
	OWNER_TEAM,
};

static const ruta_coldef offer_cols[] = {
	COLA("opportunity_id", RUTA_K_REF, A | R, "opp", "opp"),
	COL("number", RUTA_K_TEXT, E, NULL),
	COLD("revision", RUTA_K_INT, D, NULL, "1"),
	{ "status", RUTA_K_ENUM, V, "draft|sent|accepted|rejected|expired|withdrawn", "'draft'",
		NULL, "offer send|accept|reject|expire|withdraw", 1 },
	COLA("total_minor", RUTA_K_MONEY, E, "currency", "total"),
	COL("currency", RUTA_K_CURRENCY, E, NULL),
	COL("valid_until", RUTA_K_DATE, E, NULL),
	COL("description", RUTA_K_TEXT, E, NULL),
	COL("sent_at", RUTA_K_TIME, D, NULL),
	COL("decided_at", RUTA_K_TIME, D, NULL),
	COLA("revises", RUTA_K_REF, D, "offer", NULL),
	OWNER_TEAM,
};

static const ruta_coldef stage_cols[] = {
	COL("label", RUTA_K_TEXT, E | R, NULL),
	COL("seq", RUTA_K_INT, E | R, NULL),
	COL("probability", RUTA_K_PERCENT, E | R, NULL),
	COLD("is_closed", RUTA_K_BOOL, E, NULL, "0"),
	COLD("is_won", RUTA_K_BOOL, E, NULL, "0"),
	COLD("active", RUTA_K_BOOL, E, NULL, "1"),
};

static const ruta_coldef lost_reason_cols[] = {
	COL("label", RUTA_K_TEXT, E | R, NULL),
	COLD("active", RUTA_K_BOOL, E, NULL, "1"),
};

/* A record's tags: one row per tag added, never edited, tombstoned when
 * removed (an add-wins set, docs/merge.md §2.14). Added by migration 4. */
#define TAG_COLS(parent, type) \
	{ parent, RUTA_K_REF, A | R, type, NULL, type, NULL, 4 }, \
	{ "tag", RUTA_K_TAG, A | R, NULL, NULL, NULL, NULL, 4 }

static const ruta_coldef account_tag_cols[] = { TAG_COLS("account_id", "account") };
static const ruta_coldef contact_tag_cols[] = { TAG_COLS("contact_id", "contact") };
static const ruta_coldef opp_tag_cols[] = { TAG_COLS("opportunity_id", "opp") };

#define N(a) (sizeof(a) / sizeof((a)[0]))

const ruta_tabledef ruta_schema__tables[] = {
	{ "stage", "stage", "stage", stage_cols, N(stage_cols),
		RUTA_T_CODE_ID | RUTA_T_CONFIG, "seq label probability is_closed is_won", 1 },
	{ "lost_reason", "lost_reason", "lost reason", lost_reason_cols, N(lost_reason_cols),
		RUTA_T_CODE_ID | RUTA_T_CONFIG, "label", 1 },
	{ "account", "account", "account", account_cols, N(account_cols), 0,
		"name tax_id lifecycle region", 1 },
	{ "contact", "contact", "contact", contact_cols, N(contact_cols), 0,
		"first_name last_name title account_id", 1 },
	{ "contact_email", "contact_email", "contact email", email_cols, N(email_cols),
		RUTA_T_CHILD, "email kind", 1 },
	{ "contact_phone", "contact_phone", "contact phone", phone_cols, N(phone_cols),
		RUTA_T_CHILD, "e164 kind", 1 },
	{ "opportunity", "opp", "opportunity", opp_cols, N(opp_cols), 0,
		"name stage amount_minor probability expected_close", 1 },
	{ "opportunity_stage_history", "stage_history", "stage history", history_cols,
		N(history_cols), RUTA_T_APPEND_ONLY, "at from_stage to_stage replica", 1 },
	{ "activity", "activity", "activity", activity_cols, N(activity_cols), 0,
		"kind status planned_start subject", 1 },
	{ "offer", "offer", "offer", offer_cols, N(offer_cols), 0,
		"number revision status total_minor valid_until", 1 },
	{ "account_tag", "account_tag", "account tag", account_tag_cols, N(account_tag_cols),
		RUTA_T_CHILD | RUTA_T_TAGS, "tag", 4 },
	{ "contact_tag", "contact_tag", "contact tag", contact_tag_cols, N(contact_tag_cols),
		RUTA_T_CHILD | RUTA_T_TAGS, "tag", 4 },
	{ "opportunity_tag", "opp_tag", "opportunity tag", opp_tag_cols, N(opp_tag_cols),
		RUTA_T_CHILD | RUTA_T_TAGS, "tag", 4 },
	{ "account_lifecycle_history", "lifecycle_history", "lifecycle history",
		lifecycle_history_cols, N(lifecycle_history_cols), RUTA_T_APPEND_ONLY,
		"at from_lifecycle to_lifecycle replica", 9 },
};
const size_t ruta_schema__ntables = N(ruta_schema__tables);

#undef E
#undef R
#undef A
#undef V
#undef D

int ruta_schema__latest(void)
{
	return LATEST;
}

const ruta_tabledef *ruta_schema__by_type(const char *type)
{
	size_t i;
	for (i = 0; i < ruta_schema__ntables; i++)
		if (strcmp(ruta_schema__tables[i].type, type) == 0)
			return &ruta_schema__tables[i];
	return NULL;
}

const ruta_tabledef *ruta_schema__by_name(const char *sql_name)
{
	size_t i;
	for (i = 0; i < ruta_schema__ntables; i++)
		if (strcmp(ruta_schema__tables[i].name, sql_name) == 0)
			return &ruta_schema__tables[i];
	return NULL;
}

const ruta_coldef *ruta_schema__col(const ruta_tabledef *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

const ruta_tabledef *ruta_schema__tags_of(const ruta_tabledef *parent)
{
	size_t i;
	for (i = 0; i < ruta_schema__ntables; i++)
		if ((ruta_schema__tables[i].flags & RUTA_T_TAGS) &&
				strcmp(ruta_schema__tables[i].cols[0].arg, parent->type) == 0)
			return &ruta_schema__tables[i];
	return NULL;
}

int ruta_schema__synced(const ruta_tabledef *t, const char *col)
{
	return ruta_schema__col(t, col) != NULL || strcmp(col, "created_at") == 0 ||
		strcmp(col, "deleted_at") == 0;
}

/* ---- DDL ------------------------------------------------------------------ */

#define GLOB_DATE "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'"
#define TAG_CONTROLS "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26," \
	"27,28,29,30,31,127"
#define GLOB_TIME "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'"

static void put_enum_list(ruta_buf *b, const char *values)
{
	const char *p = values;
	ruta_buf__puts(b, "(");
	while (*p) {
		size_t n = strcspn(p, "|");
		ruta_buf__printf(b, "%s'%.*s'", p == values ? "" : ",", (int)n, p);
		p += n + (p[n] == '|');
	}
	ruta_buf__puts(b, ")");
}

int ruta_schema__checked(const ruta_coldef *c)
{
	return !(c->kind == RUTA_K_TEXT || c->kind == RUTA_K_REF || c->kind == RUTA_K_TAXID);
}

/* The SQL type and CHECK of a column: the last line of defence against a
 * foreign writer; ruta itself validates first with better messages. */
static void put_type_check(ruta_buf *b, const ruta_coldef *c)
{
	const char *n = c->name;
	if (!ruta_schema__checked(c)) {
		ruta_buf__puts(b, "TEXT");
		return;
	}
	switch (c->kind) {
	case RUTA_K_INT:
		ruta_buf__printf(b, "INTEGER CHECK(%s >= 0)", n);
		break;
	case RUTA_K_BOOL:
		ruta_buf__printf(b, "INTEGER CHECK(%s IN (0,1))", n);
		break;
	case RUTA_K_PERCENT:
		ruta_buf__printf(b, "INTEGER CHECK(%s BETWEEN 0 AND 100)", n);
		break;
	case RUTA_K_MONEY:
		ruta_buf__printf(b, "INTEGER CHECK(%s BETWEEN 0 AND 9007199254740991)", n);
		break;
	case RUTA_K_CURRENCY:
		ruta_buf__printf(b, "TEXT CHECK(length(%s) = 3 AND %s GLOB '[A-Z][A-Z][A-Z]')", n, n);
		break;
	case RUTA_K_COUNTRY:
		ruta_buf__printf(b, "TEXT CHECK(length(%s) = 2 AND %s GLOB '[A-Z][A-Z]')", n, n);
		break;
	case RUTA_K_DATE:
		ruta_buf__printf(b, "TEXT CHECK(length(%s) = 10 AND %s GLOB " GLOB_DATE ")", n, n);
		break;
	case RUTA_K_TIME:
		ruta_buf__printf(b, "TEXT CHECK(length(%s) = 20 AND %s GLOB " GLOB_TIME ")", n, n);
		break;
	case RUTA_K_ENUM:
		ruta_buf__printf(b, "TEXT CHECK(%s IN ", n);
		put_enum_list(b, c->arg);
		ruta_buf__puts(b, ")");
		break;
	case RUTA_K_EMAIL:
		ruta_buf__printf(b, "TEXT CHECK(%s LIKE '%%_@_%%')", n);
		break;
	case RUTA_K_PHONE:
		ruta_buf__printf(b, "TEXT CHECK(%s GLOB '+[1-9]*' AND %s NOT GLOB '+*[^0-9]*')", n, n);
		break;
	case RUTA_K_TAG:
		/* The ASCII half of ruta_norm__tag: folded, one line, the allowed
		 * punctuation only, single spaces, a letter or digit first. */
		ruta_buf__printf(b, "TEXT CHECK(length(%s) BETWEEN 1 AND 40 AND %s = lower(trim(%s))"
			" AND %s NOT GLOB '*  *' AND %s NOT GLOB '[-_./+&]*'"
			" AND %s NOT GLOB '*[]!\"#$%%''()*,:;<=>?@[\\^`{|}~]*'"
			" AND %s NOT GLOB '*[' || char(%s) || ']*')", n, n, n, n, n, n, n, TAG_CONTROLS);
		break;
	default:
		break;
	}
}

static void put_column(ruta_buf *b, const ruta_coldef *c)
{
	ruta_buf__printf(b, "%s ", c->name);
	put_type_check(b, c);
	if (c->dflt)
		ruta_buf__printf(b, " DEFAULT %s", c->dflt);
	ruta_buf__printf(b, ", %s__v INTEGER NOT NULL DEFAULT 0", c->name);
}

/* A ULID made by SQLite itself: 48 bits of milliseconds then 80 random
 * bits, in Crockford's base32. DEFAULT expressions may call random() and
 * read the clock ('now' is fixed within one statement). */
static void put_ulid(ruta_buf *b)
{
	static const char *alpha = "'0123456789ABCDEFGHJKMNPQRSTVWXYZ'";
	int i;
	ruta_buf__puts(b, "(");
	for (i = 0; i < 10; i++)
		ruta_buf__printf(b, "%ssubstr(%s,((%s >> %d) & 31)+1,1)",
			i ? "||" : "", alpha, RUTA_SQL_NOW_MS, 45 - 5 * i);
	for (i = 0; i < 16; i++)
		ruta_buf__printf(b, "||substr(%s,(random() & 31)+1,1)", alpha);
	ruta_buf__puts(b, ")");
}

static void put_create_table(ruta_buf *b, const ruta_tabledef *t, int version)
{
	size_t i;
	ruta_buf__printf(b, "CREATE TABLE %s (id TEXT PRIMARY KEY NOT NULL ", t->name);
	if (t->flags & RUTA_T_CODE_ID)
		ruta_buf__puts(b, "CHECK(length(id) BETWEEN 1 AND 32 AND id GLOB '[a-z]*' "
			"AND id NOT GLOB '*[^a-z0-9_]*')");
	else {
		ruta_buf__puts(b, "DEFAULT ");
		put_ulid(b);
		ruta_buf__puts(b, " CHECK(length(id) BETWEEN 1 AND 64)");
	}
	for (i = 0; i < t->ncols; i++) {
		if (t->cols[i].since != version)
			continue;
		ruta_buf__puts(b, ",\n  ");
		put_column(b, &t->cols[i]);
	}
	ruta_buf__puts(b, ",\n  created_at TEXT NOT NULL DEFAULT (" RUTA_SQL_NOW_ISO ") "
		"CHECK(length(created_at) = 20 AND created_at GLOB " GLOB_TIME "), "
		"created_at__v INTEGER NOT NULL DEFAULT 0,\n  deleted_at TEXT "
		"CHECK(length(deleted_at) = 20 AND deleted_at GLOB " GLOB_TIME "), "
		"deleted_at__v INTEGER NOT NULL DEFAULT 0) STRICT;\n");
}

static void put_add_columns(ruta_buf *b, const ruta_tabledef *t, int version)
{
	size_t i;
	for (i = 0; i < t->ncols; i++) {
		const ruta_coldef *c = &t->cols[i];
		if (c->since != version)
			continue;
		ruta_buf__printf(b, "ALTER TABLE %s ADD COLUMN %s ", t->name, c->name);
		put_type_check(b, c);
		if (c->dflt)
			ruta_buf__printf(b, " DEFAULT %s", c->dflt);
		ruta_buf__printf(b, ";\nALTER TABLE %s ADD COLUMN %s__v INTEGER NOT NULL DEFAULT 0;\n",
			t->name, c->name);
	}
}

/* ---- migrations ------------------------------------------------------------ */

static const char migration_1[] =
	"CREATE TABLE ruta_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT) STRICT;\n"
	"CREATE TABLE ruta_sync_state (k INTEGER PRIMARY KEY CHECK(k = 0),"
	" applying INTEGER NOT NULL DEFAULT 0, hlc INTEGER NOT NULL DEFAULT 0,"
	" stamped_seq INTEGER NOT NULL DEFAULT 0, exported_seq INTEGER NOT NULL DEFAULT 0) STRICT;\n"
	"INSERT INTO ruta_sync_state(k) VALUES(0);\n"
	/* The change log: one row per captured field change. `t` is the wall
	 * clock at capture; `ver` and `base` are filled in when ruta stamps. */
	"CREATE TABLE ruta_change (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL,"
	" rec TEXT NOT NULL, op TEXT NOT NULL CHECK(op IN ('i','u','d')), col TEXT NOT NULL,"
	" val ANY, base INTEGER, t INTEGER NOT NULL, ver INTEGER) STRICT;\n"
	"CREATE INDEX account_tax_id ON account(tax_id_norm) WHERE tax_id_norm IS NOT NULL;\n"
	"CREATE INDEX contact_account ON contact(account_id);\n"
	"CREATE INDEX contact_email_contact ON contact_email(contact_id);\n"
	"CREATE INDEX contact_email_norm ON contact_email(email_norm);\n"
	"CREATE INDEX contact_phone_contact ON contact_phone(contact_id);\n"
	"CREATE INDEX contact_phone_e164 ON contact_phone(e164);\n"
	"CREATE INDEX opportunity_account ON opportunity(account_id);\n"
	"CREATE INDEX opportunity_stage ON opportunity(stage);\n"
	"CREATE INDEX stage_history_opportunity ON opportunity_stage_history(opportunity_id, at);\n"
	"CREATE INDEX activity_account ON activity(account_id);\n"
	"CREATE INDEX activity_team_plan ON activity(team, planned_start, status);\n"
	"CREATE INDEX offer_opportunity ON offer(opportunity_id);\n"
	/* The configuration every new replica starts with (DESIGN.md). Inserted
	 * before the triggers exist, so it is not a change: every replica has it
	 * at version 0. */
	"INSERT INTO stage(id, label, seq, probability, is_closed, is_won) VALUES"
	" ('qualification','Qualification',10,10,0,0), ('needs','Needs analysis',20,25,0,0),"
	" ('offer_sent','Offer sent',30,50,0,0), ('negotiation','Negotiation',40,75,0,0),"
	" ('won','Won',90,100,1,1), ('lost','Lost',91,0,1,0);\n"
	"INSERT INTO lost_reason(id, label) VALUES ('price','Price'), ('competitor','Competitor'),"
	" ('no_budget','No budget'), ('no_decision','No decision'), ('timing','Timing'),"
	" ('other','Other');\n";

/* Signed changesets, trust and sync watermarks (docs/format.md §6-§7). */
static const char migration_2[] =
	/* Every changeset this replica made or accepted, as its exact bytes. */
	"CREATE TABLE ruta_changeset (replica TEXT NOT NULL, seq INTEGER NOT NULL,"
	" hash TEXT NOT NULL UNIQUE, body BLOB NOT NULL, sig TEXT NOT NULL,"
	" hlc_max INTEGER NOT NULL, at TEXT NOT NULL, written INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (replica, seq)) STRICT;\n"
	/* The last changeset applied (or made) per replica: the causal frontier. */
	"CREATE TABLE ruta_frontier (replica TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL,"
	" hash TEXT NOT NULL) STRICT;\n"
	/* Changesets that verified but wait for what they depend on. */
	"CREATE TABLE ruta_pending (hash TEXT PRIMARY KEY NOT NULL, replica TEXT NOT NULL,"
	" seq INTEGER NOT NULL, body BLOB NOT NULL, sig TEXT NOT NULL, reason TEXT NOT NULL,"
	" at TEXT NOT NULL) STRICT;\n"
	/* Refused input, kept with the reason: never dropped. */
	"CREATE TABLE ruta_quarantine (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" hash TEXT NOT NULL, code INTEGER NOT NULL, reason TEXT NOT NULL, body BLOB NOT NULL,"
	" sig TEXT, retry INTEGER NOT NULL DEFAULT 0, at TEXT NOT NULL) STRICT;\n"
	"CREATE INDEX ruta_quarantine_hash ON ruta_quarantine(hash);\n"
	/* Every trust file version, and the keys the newest one endorses. */
	"CREATE TABLE ruta_trust (version INTEGER PRIMARY KEY, text TEXT NOT NULL,"
	" sig TEXT NOT NULL, at TEXT NOT NULL) STRICT;\n"
	"CREATE TABLE ruta_key (principal TEXT PRIMARY KEY NOT NULL, team TEXT NOT NULL,"
	" pk BLOB NOT NULL, fingerprint TEXT NOT NULL, valid_after TEXT, valid_before TEXT,"
	" revoked_after INTEGER) STRICT;\n"
	/* The default stages and reasons must be the same rows on every replica,
	 * or replicas never hold the same CRM: one creation time for all, where
	 * nobody changed it. Not a change, so not captured. */
	"UPDATE ruta_sync_state SET applying = 1 WHERE k = 0;\n"
	"UPDATE stage SET created_at = '1970-01-01T00:00:00Z' WHERE created_at__v = 0;\n"
	"UPDATE lost_reason SET created_at = '1970-01-01T00:00:00Z' WHERE created_at__v = 0;\n"
	"UPDATE ruta_sync_state SET applying = 0 WHERE k = 0;\n";

static const char migration_3[] =
	/* Fields whose concurrent versions none supersedes: one row per field,
	 * its heads beside it (docs/merge.md). */
	"CREATE TABLE ruta_conflict (tbl TEXT NOT NULL, rec TEXT NOT NULL, col TEXT NOT NULL,"
	" id TEXT NOT NULL UNIQUE, policy TEXT NOT NULL, review INTEGER NOT NULL DEFAULT 0,"
	" opened_at TEXT NOT NULL, PRIMARY KEY (tbl, rec, col)) STRICT;\n"
	/* A version is its hlc and its value: two clocks can tick alike. */
	"CREATE TABLE ruta_conflict_head (tbl TEXT NOT NULL, rec TEXT NOT NULL, col TEXT NOT NULL,"
	" hlc INTEGER NOT NULL, value ANY, replica TEXT NOT NULL DEFAULT '', changeset TEXT)"
	" STRICT;\n"
	"CREATE INDEX ruta_conflict_head_field ON ruta_conflict_head(tbl, rec, col);\n"
	/* Who made a version is found by it. */
	"CREATE INDEX ruta_change_ver ON ruta_change(ver);\n"
	/* Closed ones, kept: what lost, and the change that closed them. */
	"CREATE TABLE ruta_conflict_closed (seq INTEGER PRIMARY KEY, id TEXT NOT NULL,"
	" tbl TEXT NOT NULL, rec TEXT NOT NULL, col TEXT NOT NULL, policy TEXT NOT NULL,"
	" heads TEXT NOT NULL, chosen ANY, closed_by INTEGER NOT NULL, closed_by_replica TEXT,"
	" at TEXT NOT NULL) STRICT;\n"
	"CREATE INDEX ruta_conflict_closed_rec ON ruta_conflict_closed(tbl, rec);\n"
	/* A local change that resolves a conflict names the heads it supersedes. */
	"ALTER TABLE ruta_change ADD COLUMN supersedes TEXT;\n"
	/* Which changeset made a version: found by its range. */
	"ALTER TABLE ruta_changeset ADD COLUMN hlc_min INTEGER;\n"
	"CREATE INDEX ruta_changeset_hlc ON ruta_changeset(hlc_max, hlc_min);\n"
	/* Changesets stamped further ahead of this replica's clock than any
	 * sane clock runs (docs/merge.md, clock skew). */
	/* Records deleted on one side while edited on another, maybe unseen:
	 * judged from their changesets when conflicts are listed. */
	"CREATE TABLE ruta_dve (tbl TEXT NOT NULL, rec TEXT NOT NULL,"
	" PRIMARY KEY (tbl, rec)) STRICT;\n"
	"CREATE TABLE ruta_skew (hash TEXT PRIMARY KEY NOT NULL, replica TEXT NOT NULL,"
	" seq INTEGER NOT NULL, hlc_max INTEGER NOT NULL, ahead_ms INTEGER NOT NULL,"
	" at TEXT NOT NULL) STRICT;\n";

/* The tag tables themselves come from the descriptor (since 4). */
static const char migration_4[] =
	"CREATE INDEX account_tag_account ON account_tag(account_id, tag);\n"
	"CREATE INDEX contact_tag_contact ON contact_tag(contact_id, tag);\n"
	"CREATE INDEX opportunity_tag_opportunity ON opportunity_tag(opportunity_id, tag);\n";

/* Where `ruta audit verify` last found each branch of a hub good: a later
 * audit requires every branch to have only moved forward from there. */
static const char migration_5[] =
	"CREATE TABLE ruta_audit (hub TEXT NOT NULL, branch TEXT NOT NULL, tip TEXT NOT NULL,"
	" at TEXT NOT NULL, PRIMARY KEY (hub, branch)) STRICT;\n";

/* The newest trust version the hub had at that audit: a later audit
 * requires the hub's to be at least that. */
static const char migration_6[] =
	"ALTER TABLE ruta_audit ADD COLUMN trust_version INTEGER NOT NULL DEFAULT 0;\n";

/* An expiry, and a replaced key, bound to changeset numbers (format.md §7.4). */
static const char migration_7[] =
	"ALTER TABLE ruta_key ADD COLUMN expired_after INTEGER;\n"
	"CREATE TABLE ruta_key_replaced (pk BLOB PRIMARY KEY NOT NULL, principal TEXT NOT NULL,"
	" fingerprint TEXT NOT NULL, after_seq INTEGER NOT NULL) STRICT;\n";

/* Migration 8 adds account.potential_minor and account.currency from the
 * descriptor, and nothing else. */

/* The lifecycle history table comes from the descriptor (since 9). Accounts
 * made before it have no rows: reports fall back to their created_at. */
static const char migration_9[] =
	"CREATE INDEX lifecycle_history_account ON account_lifecycle_history(account_id, at);\n";

/*
 * ruta_conflict without an index on id, and with one on review. A conflict's
 * id is a hash, so each new conflict landed on its own page of that index:
 * with thousands open, applying a changeset rewrote about one page per new
 * conflict. It is looked up by id only when a person names a conflict,
 * which scans the table. The review index lets the open ones be counted
 * without reading every row. Rows keep their rowids, so their order.
 */
static const char migration_10[] =
	"CREATE TABLE ruta_conflict_new (tbl TEXT NOT NULL, rec TEXT NOT NULL, col TEXT NOT NULL,"
	" id TEXT NOT NULL, policy TEXT NOT NULL, review INTEGER NOT NULL DEFAULT 0,"
	" opened_at TEXT NOT NULL, PRIMARY KEY (tbl, rec, col)) STRICT;\n"
	"INSERT INTO ruta_conflict_new(rowid, tbl, rec, col, id, policy, review, opened_at)"
	" SELECT rowid, tbl, rec, col, id, policy, review, opened_at FROM ruta_conflict;\n"
	"DROP TABLE ruta_conflict;\n"
	"ALTER TABLE ruta_conflict_new RENAME TO ruta_conflict;\n"
	"CREATE INDEX ruta_conflict_review ON ruta_conflict(review);\n";

/*
 * ruta_conflict_head keyed by its field and the head's place among the
 * field's heads, `n` from 0, in a table without rowids: a head is one b-tree
 * entry, where it was a row and an entry of the index on (tbl, rec, col).
 * Opening a conflict wrote both for each of its heads. The places follow
 * the order the heads were written in.
 */
static const char migration_11[] =
	"CREATE TABLE ruta_conflict_head_new (tbl TEXT NOT NULL, rec TEXT NOT NULL,"
	" col TEXT NOT NULL, n INTEGER NOT NULL, hlc INTEGER NOT NULL, value ANY,"
	" replica TEXT NOT NULL DEFAULT '', changeset TEXT, PRIMARY KEY (tbl, rec, col, n))"
	" STRICT, WITHOUT ROWID;\n"
	"INSERT INTO ruta_conflict_head_new(tbl, rec, col, n, hlc, value, replica, changeset)"
	" SELECT tbl, rec, col, row_number() OVER (PARTITION BY tbl, rec, col ORDER BY rowid) - 1,"
	" hlc, value, replica, changeset FROM ruta_conflict_head;\n"
	"DROP TABLE ruta_conflict_head;\n"
	"ALTER TABLE ruta_conflict_head_new RENAME TO ruta_conflict_head;\n";

static const char *const migration_extra[LATEST + 1] = { NULL, migration_1, migration_2,
	migration_3, migration_4, migration_5, migration_6, migration_7, NULL, migration_9,
	migration_10, migration_11 };

static int migration_sql(ruta_buf *b, int version)
{
	size_t i;
	for (i = 0; i < ruta_schema__ntables; i++) {
		const ruta_tabledef *t = &ruta_schema__tables[i];
		if (t->since == version)
			put_create_table(b, t, version);
		else if (t->since < version)
			put_add_columns(b, t, version);
	}
	if (migration_extra[version])
		ruta_buf__puts(b, migration_extra[version]);
	return ruta_buf__check(b);
}

/* ---- triggers ------------------------------------------------------------- */

static void put_insert_arm(ruta_buf *b, const ruta_tabledef *t, const char *col, int first)
{
	ruta_buf__printf(b, "%s SELECT '%s', new.id, 'i', '%s', new.%s, 0, %s WHERE new.%s IS NOT NULL\n",
		first ? "" : " UNION ALL", t->name, col, col, RUTA_SQL_NOW_MS, col);
}

/* An insert logs one change per non-empty field; created_at is never empty,
 * so every new record leaves at least one. */
static void put_insert_capture(ruta_buf *b, const ruta_tabledef *t)
{
	size_t i;
	ruta_buf__printf(b, "CREATE TRIGGER ruta_cap_%s_ins AFTER INSERT ON %s WHEN "
		NOT_APPLYING " BEGIN\n INSERT INTO ruta_change(tbl,rec,op,col,val,base,t)\n",
		t->name, t->name);
	put_insert_arm(b, t, "created_at", 1);
	for (i = 0; i < t->ncols; i++)
		put_insert_arm(b, t, t->cols[i].name, 0);
	put_insert_arm(b, t, "deleted_at", 0);
	ruta_buf__puts(b, ";\nEND;\n");
}

static void put_update_capture(ruta_buf *b, const ruta_tabledef *t, const char *col)
{
	int tomb = strcmp(col, "deleted_at") == 0;
	ruta_buf__printf(b, "CREATE TRIGGER ruta_cap_%s_%s AFTER UPDATE OF %s ON %s WHEN "
		"old.%s IS NOT new.%s COLLATE BINARY AND " NOT_APPLYING " BEGIN\n"
		" INSERT INTO ruta_change(tbl,rec,op,col,val,base,t) VALUES('%s', new.id, %s,"
		" '%s', new.%s, old.%s__v, %s);\nEND;\n",
		t->name, col, col, t->name, col, col, t->name,
		tomb ? "CASE WHEN new.deleted_at IS NULL THEN 'u' ELSE 'd' END" : "'u'",
		col, col, col, RUTA_SQL_NOW_MS);
}

static void put_table_triggers(ruta_buf *b, const ruta_tabledef *t)
{
	size_t i;
	put_insert_capture(b, t);
	ruta_buf__printf(b, "CREATE TRIGGER ruta_fix_%s_id BEFORE UPDATE OF id ON %s BEGIN"
		" SELECT RAISE(ABORT, 'ruta: %s ids never change'); END;\n", t->name, t->name, t->label);
	if (t->flags & RUTA_T_APPEND_ONLY) {
		/* Values never change; their versions do, when ruta stamps them. */
		ruta_buf__printf(b, "CREATE TRIGGER ruta_fix_%s_upd BEFORE UPDATE OF created_at,"
			" deleted_at", t->name);
		for (i = 0; i < t->ncols; i++)
			ruta_buf__printf(b, ", %s", t->cols[i].name);
		ruta_buf__printf(b, " ON %s WHEN " NOT_APPLYING " BEGIN SELECT RAISE(ABORT,"
			" 'ruta: %s is append-only'); END;\n"
			"CREATE TRIGGER ruta_fix_%s_del BEFORE DELETE ON %s BEGIN"
			" SELECT RAISE(ABORT, 'ruta: %s is append-only'); END;\n",
			t->name, t->label, t->name, t->name, t->label);
		return;
	}
	put_update_capture(b, t, "created_at");
	for (i = 0; i < t->ncols; i++)
		put_update_capture(b, t, t->cols[i].name);
	put_update_capture(b, t, "deleted_at");
	/* A DELETE from any writer becomes a tombstone, so the deletion is a
	 * change that syncs and an edit elsewhere can be weighed against it. */
	ruta_buf__printf(b, "CREATE TRIGGER ruta_tomb_%s BEFORE DELETE ON %s BEGIN\n"
		" UPDATE %s SET deleted_at = %s WHERE id = old.id AND deleted_at IS NULL;\n"
		" SELECT RAISE(IGNORE);\nEND;\n", t->name, t->name, t->name, RUTA_SQL_NOW_ISO);
}

/*
 * Domain rules that must hold whoever writes: the stage and lifecycle
 * histories, the fields that follow a stage, a lost reason for lost deals,
 * sent offers frozen.
 * Remote changes (applying = 1) carry their own derived values.
 */
static const char domain_triggers[] =
	"CREATE TRIGGER ruta_rule_account_created AFTER INSERT ON account WHEN new.lifecycle IS NOT NULL"
	" AND " NOT_APPLYING " BEGIN\n"
	" INSERT INTO account_lifecycle_history(account_id, from_lifecycle, to_lifecycle, at, replica)"
	"  VALUES (new.id, NULL, new.lifecycle, " RUTA_SQL_NOW_ISO ","
	"  (SELECT value FROM ruta_meta WHERE key = 'replica_id'));\n"
	"END;\n"
	"CREATE TRIGGER ruta_rule_account_lifecycle AFTER UPDATE OF lifecycle ON account WHEN"
	" old.lifecycle IS NOT new.lifecycle AND " NOT_APPLYING " BEGIN\n"
	" INSERT INTO account_lifecycle_history(account_id, from_lifecycle, to_lifecycle, at, replica)"
	"  VALUES (new.id, old.lifecycle, new.lifecycle, " RUTA_SQL_NOW_ISO ","
	"  (SELECT value FROM ruta_meta WHERE key = 'replica_id'));\n"
	"END;\n"
	"CREATE TRIGGER ruta_rule_opp_stage_ins BEFORE INSERT ON opportunity WHEN " NOT_APPLYING " BEGIN\n"
	" SELECT RAISE(ABORT, 'ruta: unknown stage; see ruta stage list')"
	"  WHERE NOT EXISTS (SELECT 1 FROM stage WHERE id = new.stage);\n"
	" SELECT RAISE(ABORT, 'ruta: a lost opportunity needs a lost reason')"
	"  WHERE new.lost_reason IS NULL AND (SELECT is_closed AND NOT is_won FROM stage WHERE id = new.stage);\n"
	"END;\n"
	"CREATE TRIGGER ruta_rule_opp_stage_upd BEFORE UPDATE OF stage, lost_reason ON opportunity WHEN "
	NOT_APPLYING " BEGIN\n"
	" SELECT RAISE(ABORT, 'ruta: unknown stage; see ruta stage list')"
	"  WHERE NOT EXISTS (SELECT 1 FROM stage WHERE id = new.stage);\n"
	" SELECT RAISE(ABORT, 'ruta: a lost opportunity needs a lost reason')"
	"  WHERE new.lost_reason IS NULL AND (SELECT is_closed AND NOT is_won FROM stage WHERE id = new.stage);\n"
	"END;\n"
	"CREATE TRIGGER ruta_rule_opp_created AFTER INSERT ON opportunity WHEN " NOT_APPLYING " BEGIN\n"
	" INSERT INTO opportunity_stage_history(opportunity_id, from_stage, to_stage, at, replica)"
	"  VALUES (new.id, NULL, new.stage, " RUTA_SQL_NOW_ISO ","
	"  (SELECT value FROM ruta_meta WHERE key = 'replica_id'));\n"
	" UPDATE opportunity SET probability = (SELECT probability FROM stage WHERE id = new.stage),"
	"  probability_manual = 0 WHERE id = new.id AND (new.probability IS NULL"
	"  OR (SELECT is_closed FROM stage WHERE id = new.stage));\n"
	" UPDATE opportunity SET closed_at = " RUTA_SQL_NOW_ISO
	"  WHERE id = new.id AND new.closed_at IS NULL AND (SELECT is_closed FROM stage WHERE id = new.stage);\n"
	"END;\n"
	"CREATE TRIGGER ruta_rule_opp_moved AFTER UPDATE OF stage ON opportunity WHEN"
	" old.stage IS NOT new.stage AND " NOT_APPLYING " BEGIN\n"
	" INSERT INTO opportunity_stage_history(opportunity_id, from_stage, to_stage, at, replica)"
	"  VALUES (new.id, old.stage, new.stage, " RUTA_SQL_NOW_ISO ","
	"  (SELECT value FROM ruta_meta WHERE key = 'replica_id'));\n"
	" UPDATE opportunity SET stage_changed_at = " RUTA_SQL_NOW_ISO ","
	"  probability = CASE WHEN probability_manual AND NOT"
	"   (SELECT is_closed FROM stage WHERE id = new.stage) THEN probability"
	"   ELSE (SELECT probability FROM stage WHERE id = new.stage) END,"
	"  probability_manual = CASE WHEN (SELECT is_closed FROM stage WHERE id = new.stage)"
	"   THEN 0 ELSE probability_manual END,"
	"  closed_at = CASE WHEN (SELECT is_closed FROM stage WHERE id = new.stage)"
	"   THEN coalesce(closed_at, " RUTA_SQL_NOW_ISO ") ELSE NULL END,"
	"  lost_reason = CASE WHEN (SELECT is_closed AND NOT is_won FROM stage WHERE id = new.stage)"
	"   THEN lost_reason ELSE NULL END,"
	"  lost_note = CASE WHEN (SELECT is_closed AND NOT is_won FROM stage WHERE id = new.stage)"
	"   THEN lost_note ELSE NULL END"
	"  WHERE id = new.id;\n"
	"END;\n"
	"CREATE TRIGGER ruta_rule_offer_frozen BEFORE UPDATE ON offer WHEN " NOT_APPLYING
	" AND old.status <> 'draft' AND (old.total_minor IS NOT new.total_minor"
	" OR old.currency IS NOT new.currency OR old.valid_until IS NOT new.valid_until"
	" OR old.number IS NOT new.number OR old.description IS NOT new.description"
	" OR old.opportunity_id IS NOT new.opportunity_id OR old.revision IS NOT new.revision)"
	" BEGIN SELECT RAISE(ABORT, 'ruta: a sent offer cannot change; make a new revision"
	" with ruta offer revise'); END;\n"
	/* Statuses only move forward, so no writer can unsend an offer to edit it
	 * or turn a held visit back into a plan. */
	"CREATE TRIGGER ruta_rule_offer_status BEFORE UPDATE OF status ON offer WHEN " NOT_APPLYING
	" AND old.status IS NOT new.status AND NOT ((old.status = 'draft' AND new.status = 'sent')"
	" OR (old.status = 'sent' AND new.status IN ('accepted','rejected','expired','withdrawn')))"
	" BEGIN SELECT RAISE(ABORT, 'ruta: an offer goes draft -> sent -> accepted, rejected,"
	" expired or withdrawn, never back'); END;\n"
	"CREATE TRIGGER ruta_rule_activity_status BEFORE UPDATE OF status ON activity WHEN "
	NOT_APPLYING " AND old.status IS NOT new.status AND old.status IS NOT 'planned'"
	" BEGIN SELECT RAISE(ABORT, 'ruta: only a planned activity changes status'); END;\n";

static int trigger_sql(ruta_buf *b)
{
	size_t i;
	/* SQLite fires the most recently created trigger first: the rules go in
	 * first so that a record's own capture is logged before what the rules
	 * derive from it (an insert before the probability it implies). */
	ruta_buf__puts(b, domain_triggers);
	for (i = 0; i < ruta_schema__ntables; i++)
		put_table_triggers(b, &ruta_schema__tables[i]);
	return ruta_buf__check(b);
}

static int drop_triggers(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	ruta_buf b = RUTA_BUF_INIT;
	int rc, err;

	rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'trigger'"
		" AND name LIKE 'ruta\\_%' ESCAPE '\\'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return ruta_error__sqlite(db, rc, "listing triggers");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ruta_buf__printf(&b, "DROP TRIGGER \"%s\";\n", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ruta_buf__dispose(&b);
		return ruta_error__sqlite(db, rc, "listing triggers");
	}
	if ((err = ruta_buf__check(&b)) == 0 && b.len)
		err = ruta_db__exec(db, b.ptr);
	ruta_buf__dispose(&b);
	return err;
}

static int install_triggers(sqlite3 *db)
{
	ruta_buf b = RUTA_BUF_INIT;
	int err;

	if ((err = drop_triggers(db)) < 0)
		return err;
	if ((err = trigger_sql(&b)) == 0)
		err = ruta_db__exec(db, b.ptr);
	ruta_buf__dispose(&b);
	if (err == 0) {
		char rev[16];
		snprintf(rev, sizeof(rev), "%d", TRIGGER_REV);
		err = ruta_db__meta_set(db, "trigger_rev", rev);
	}
	return err;
}

/* ---- running them ----------------------------------------------------------- */

static int user_version(int *out, sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : ruta_error__sqlite(db, rc, "reading the schema version");
}

static int run_migrations(sqlite3 *db, int from, int to)
{
	int v, err = 0;
	for (v = from + 1; v <= to && err == 0; v++) {
		ruta_buf b = RUTA_BUF_INIT;
		char pragma[48];
		if ((err = migration_sql(&b, v)) == 0 && (err = ruta_db__exec(db, b.ptr)) < 0)
			ruta_error__prefix("migration %d", v);
		ruta_buf__dispose(&b);
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v);
		if (err == 0)
			err = ruta_db__exec(db, pragma);
	}
	return err;
}

/* Current: the file's triggers are this build's, or a newer ruta's (which
 * knows better; an older build must not put its own back). */
static int triggers_current(int *out, sqlite3 *db)
{
	char *rev = NULL;
	int err = ruta_db__meta_get(&rev, db, "trigger_rev");
	*out = err == 0 && rev && strtol(rev, NULL, 10) >= TRIGGER_REV;
	free(rev);
	return err;
}

static int check_version(int *out, sqlite3 *db)
{
	int err = user_version(out, db);
	if (err == 0 && *out > LATEST)
		err = ruta_error__set(RUTA_EVERSION, "the replica was written by a newer ruta "
			"(schema %d, this ruta knows up to %d); upgrade ruta to open it", *out, LATEST);
	return err;
}

int ruta_schema__migrate(sqlite3 *db)
{
	int v = 0, fresh = 0, err;

	if ((err = check_version(&v, db)) < 0)
		return err;
	if (v == LATEST && (err = triggers_current(&fresh, db)) == 0 && fresh)
		return 0;
	if ((err = ruta_db__exec(db, "BEGIN IMMEDIATE")) < 0)
		return err;
	/* Another process may have migrated while we waited for the lock. */
	if ((err = check_version(&v, db)) == 0 && (err = run_migrations(db, v, LATEST)) == 0 &&
			(err = triggers_current(&fresh, db)) == 0 && !fresh)
		err = install_triggers(db);
	if (err == 0)
		err = ruta_db__exec(db, "COMMIT");
	if (err < 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

int ruta_schema__migrate_to(sqlite3 *db, int upto)
{
	int v = 0, err;
	if (upto > LATEST)
		return ruta_error__set(RUTA_EINVALID, "no migration %d (latest is %d)", upto, LATEST);
	if ((err = check_version(&v, db)) < 0)
		return err;
	return run_migrations(db, v, upto);
}
