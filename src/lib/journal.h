/* journal.h - stamping the local change log with versions. */
#ifndef RUTA_JOURNAL_H
#define RUTA_JOURNAL_H

#include "internal.h"

/* Gives every captured but unstamped change its HLC and base, in its own
 * IMMEDIATE transaction. */
int ruta_journal__stamp(ruta_replica *r);
/* The same inside a transaction the caller holds. */
int ruta_journal__stamp_locked(ruta_replica *r);

#endif
