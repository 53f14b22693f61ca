/* SPDX-License-Identifier: MIT */
/* backup.h -- tickstore --backup: a consistent copy of a store, taken while
 * it records.
 *
 * A backup is a RocksDB checkpoint: a new folder of hard links to the store's
 * immutable table files (copies where DIR is on another file system) plus a
 * copy of its manifest, opened later like any store. It is taken by the
 * store's writer between two commits, so it holds exactly the commits up to
 * one checkpoint sequence, and a recorder started on it resumes from there.
 *
 * Only the process that holds the store takes a backup. `tickstore --backup`
 * takes it itself when no recorder holds the store; when one does, it asks
 * that recorder through two files in the store's folder and a signal:
 *
 *   BACKUP.request  "DIR\n", written by the asker (rename into place), then
 *                   SIGUSR1 to the holder (the pid on the store's LOCK file)
 *   BACKUP.result   "ok SEQ\n" or "error MESSAGE\n", written by the holder
 *                   once the backup is taken (rename into place); the asker
 *                   reads and removes it
 *
 * One backup at a time per store. Nothing here runs on the recorder's hot
 * path: backup_serve() costs one flag test per loop turn until a signal. */
#ifndef GT_BACKUP_H
#define GT_BACKUP_H
#include <stdint.h>
#include "gputick/err.h"
#include "gputick/store.h"

struct rocksdb_t;

/* The RocksDB handle of a writer's store (retain.c); valid until the next
 * commit, which may reopen it. */
struct rocksdb_t *store_rocksdb(gt_store *st);

/* Takes a checkpoint of st into dir (which must not exist; its parent must),
 * then opens the copy to check that it is a store at st's checkpoint.
 * Returns GT_OK and *seq, the copy's checkpoint sequence, or GT_EINVAL (dir
 * exists), GT_EDB with err filled; a half-made dir is removed. */
int backup_take(gt_store *st, const char *dir, uint64_t *seq, char err[GT_ERRLEN]);

/* `tickstore --backup DIR`: backs up the store at db into dir, itself when
 * no process holds the store, else by asking the recorder that holds it and
 * waiting up to timeout_ms. Returns GT_OK and *seq, or an error with err
 * filled (GT_ENOENT: no store; GT_EBUSY: the holder did not answer). */
int backup_run(const char *db, const char *dir, int timeout_ms, uint64_t *seq, char err[GT_ERRLEN]);

/* The recorder's side: call from the signal handler of SIGUSR1. */
void backup_signal(void);

/* The recorder's side, every loop turn: when a signal came, takes the
 * backup the request file asks for and writes the result file. Returns 1 if
 * it served one (ok or not), 0 if there was nothing to do. */
int backup_serve(gt_store *st, const char *db);

#endif
