/* apply.h - taking in inputs whose bytes are read only when their turn comes (apply.c). */
#ifndef RUTA_APPLY_H
#define RUTA_APPLY_H

#include <stddef.h>

#include "internal.h"

typedef struct ruta_apply_input ruta_apply_input;

/* Reads the bytes at `ref` (as given to ruta_apply__input_add or _sig) into
 * *data, new, with a NUL after them: 0, RUTA_ENOTFOUND if there are none,
 * RUTA_EINVALID if there are more than `max`, or another RUTA_E* code. */
typedef int (*ruta_apply_load_cb)(char **data, size_t *len, const char *ref, size_t max,
	void *payload);

int ruta_apply__input_new(ruta_apply_input **out, ruta_apply_load_cb load, void *payload);
void ruta_apply__input_free(ruta_apply_input *in);
/* A changeset ("*.json") or trust file ("ruta-trust-*.txt") called `name`,
 * its bytes at `ref`. */
int ruta_apply__input_add(ruta_apply_input *in, const char *name, const char *ref);
/* The signature of the input added last, its bytes at `ref`. */
int ruta_apply__input_sig(ruta_apply_input *in, const char *ref);
/* Applies them as ruta_apply_path does a directory, one in memory at a time. */
int ruta_apply__input_run(ruta_apply_result *out, ruta_replica *r, ruta_apply_input *in,
	const ruta_apply_options *opts);

#endif
