/* cli.h - what the ruta tool's command files share: options, output, exit codes. */
#ifndef RUTA_CLI_H
#define RUTA_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "ruta.h"

/* Exit codes (DESIGN.md; `ruta help exit-codes`). */
enum {
	EXIT_DONE = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_CONFLICTS = 3,
	EXIT_VERIFY = 4,
	EXIT_OFFLINE = 5
};

/* What every command gets: the replica directory (absolute). */
typedef struct cli_ctx {
	const char *dir;    /* the replica directory, absolute */
	const char *base;   /* the -C directory if one was given, else NULL */
} cli_ctx;

typedef struct cli_cmd {
	const char *name;
	int (*run)(cli_ctx *ctx, int argc, char **argv);
	const char *summary;
} cli_cmd;

/* Prints "ruta: <library message>" and returns the exit code for `err`. */
int cli_fail(int err);
/* Prints "ruta: <message>" and "see 'ruta CMD --help'", returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "ruta: <message>" to stderr. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The hub timeout for a command's options: `given` (--timeout's value, or
 * NULL), else RUTA_TIMEOUT if set, else 0 (the library's default). 0, or
 * EXIT_USAGE after naming what is wrong. */
int cli_timeout(int *out, const char *cmd, const char *given);
/* Opens the replica of ctx; prints the error and returns its exit code, or 0. */
int cli_open(ruta_replica **out, cli_ctx *ctx);
/* A passphrase from $env if set, else typed at the terminal without echo.
 * 0, or -1 if there is neither (nothing is read from a pipe). */
int cli_read_passphrase(char *buf, size_t size, const char *prompt, const char *env);
/* Runs argv[0] from a subcommand table; prints usage for unknown ones. */
int cli_dispatch(const cli_cmd *table, const char *group, cli_ctx *ctx, int argc, char **argv);
/* Prints a subcommand table as help. */
void cli_list_commands(FILE *out, const cli_cmd *table);
/* 1 if argv holds -h or --help before a "--". */
int cli_wants_help(int argc, char **argv);

/* Replaces control characters in place: newlines and tabs by spaces, others by '?'. */
void cli_sanitize(char *s);
/* A JSON string even for text that is not UTF-8 (bad bytes become '?'). */
json_t *cli_json_text(const char *s);

/* Prints one JSON value on a line (compact, sorted keys) and frees it. */
void cli_print_json(json_t *j);
/* A ruta_apply_report_cb: "refused|waiting|skipped NAME: reason" on stderr. */
void cli_report_held(const char *name, int code, const char *reason, void *payload);
/* After an apply or sync: how many conflicts are open, and what to do. */
void cli_report_conflicts(int64_t made, int64_t open);

/* A table printed with aligned columns; cells are copied. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(int ncols);
void cli_table_cell(cli_table *t, const char *text);
void cli_table_print(cli_table *t, FILE *out);
void cli_table_free(cli_table *t);

/* Command groups. */
int cmd_init(cli_ctx *ctx, int argc, char **argv);
int cmd_status(cli_ctx *ctx, int argc, char **argv);
int cmd_log(cli_ctx *ctx, int argc, char **argv);
int cmd_keys(cli_ctx *ctx, int argc, char **argv);
int cmd_export(cli_ctx *ctx, int argc, char **argv);
int cmd_state_hash(cli_ctx *ctx, int argc, char **argv);
int cmd_hub(cli_ctx *ctx, int argc, char **argv);
int cmd_sync(cli_ctx *ctx, int argc, char **argv);
int cmd_pull(cli_ctx *ctx, int argc, char **argv);
int cmd_push(cli_ctx *ctx, int argc, char **argv);
int cmd_snapshot(cli_ctx *ctx, int argc, char **argv);
int cmd_conflicts(cli_ctx *ctx, int argc, char **argv);
int cmd_resolve(cli_ctx *ctx, int argc, char **argv);
int cmd_blame(cli_ctx *ctx, int argc, char **argv);
int cmd_apply(cli_ctx *ctx, int argc, char **argv);
int cmd_account(cli_ctx *ctx, int argc, char **argv);
int cmd_contact(cli_ctx *ctx, int argc, char **argv);
int cmd_opp(cli_ctx *ctx, int argc, char **argv);
int cmd_activity(cli_ctx *ctx, int argc, char **argv);
int cmd_offer(cli_ctx *ctx, int argc, char **argv);
int cmd_stage(cli_ctx *ctx, int argc, char **argv);
int cmd_lost_reason(cli_ctx *ctx, int argc, char **argv);
int cmd_duplicates(cli_ctx *ctx, int argc, char **argv);
int cmd_merge_records(cli_ctx *ctx, int argc, char **argv);
int cmd_audit(cli_ctx *ctx, int argc, char **argv);
int cmd_import(cli_ctx *ctx, int argc, char **argv);
/* `ruta export contacts|accounts|opps`: data, not changesets (cmd_import.c). */
int cmd_data_export(cli_ctx *ctx, int argc, char **argv);
int cli_is_data_export(const char *word);
int cmd_report(cli_ctx *ctx, int argc, char **argv);

#endif
