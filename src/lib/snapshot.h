/* snapshot.h - head office's signed snapshots of the CRM, made and started from. */
#ifndef RUTA_SNAPSHOT_H
#define RUTA_SNAPSHOT_H

#include "crypto.h"
#include "internal.h"
#include "transport.h"

#define RUTA_SNAPSHOT_BRANCH "ruta/snapshot"

/* Told each file of a snapshot being made: its path in the commit's tree. */
typedef int (*ruta_snapshot_file_cb)(const char *path, const char *data, size_t len, void *ctx);

/* Head office: the replica's whole CRM as a signed snapshot, file by file to
 * `add`. `url` names the hub whose commits it says were taken in; `own_tip`
 * is this replica's branch as pushed there. *covered: the sum of the
 * sequence numbers it covers, a measure of how far it reaches. */
int ruta_snapshot__make(int64_t *records, int64_t *covered, ruta_replica *r, const char *url,
	const char *own_tip, const ruta_secret *sk, ruta_snapshot_file_cb add, void *ctx);

/* A replica that has taken in nothing from others starts from the snapshot
 * fetched from hub `url` (refs/hub/ruta/snapshot), in one transaction:
 * *records is 0 if the hub has none. RUTA_EVERIFY or RUTA_EINVALID when it
 * does not verify, and then nothing of it is kept. */
int ruta_snapshot__start(int64_t *records, ruta_replica *r, ruta_git *g, const char *url);

#endif
