/* helpers.h - shared by the unit tests: temporary replicas and SQL shortcuts. */
#ifndef RUTA_TEST_HELPERS_H
#define RUTA_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ruta.h"

/* A fresh directory under $TMPDIR; the caller removes it with rm_tree. */
static inline char *temp_dir(void)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *p = malloc(strlen(base) + 32);
	assert_non_null(p);
	sprintf(p, "%s/ruta-unit-XXXXXX", base);
	assert_non_null(mkdtemp(p));
	return p;
}

static inline void rm_tree(char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

/* A team replica in <tmp>/r, opened. */
static inline ruta_replica *team_replica(char **tmp, const char *team)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char path[512];
	*tmp = temp_dir();
	snprintf(path, sizeof(path), "%s/r", *tmp);
	o.team = team;
	o.country = "ES";
	if (ruta_replica_init(&r, path, &o) != 0)
		fail_msg("init: %s", ruta_error_last()->message);
	return r;
}

#define ASSERT_OK(expr) do { int rc_ = (expr); if (rc_ != 0) \
	fail_msg("%s -> %d: %s", #expr, rc_, ruta_error_last()->message); } while (0)

#endif
