/* SPDX-License-Identifier: MIT */
/* qstore.h -- one or several tick stores (shards) read as one.
 *
 * Sharded recorders (tickstore --product/--prefix) each hold part of the
 * market; tickq --db A --db B reads them together. This is the reader half of
 * gt_store (include/gputick/store.h) over up to QSTORE_MAX stores: instrument
 * definitions are the union by instrument id (the first store's wins), a
 * series' counts and time range are summed over the stores that hold it, and
 * an iterator merges the series' ticks of every store by bus sequence,
 * dropping a record two stores both hold (overlapping shards). A series held
 * by one store, the usual case with shards by product, and a single store
 * pass straight through, so one store reads exactly as gt_store does.
 *
 * Functions return what their gt_store_ twins return. */
#ifndef GT_QUERY_QSTORE_H
#define GT_QUERY_QSTORE_H
#include "gputick/store.h"

enum { QSTORE_MAX = 16 };

struct qstore {
    gt_store *st[QSTORE_MAX];
    int n;
    char errmsg[GT_ERRLEN];
};

struct qstore_iter;

/* An empty set; qstore_add() gives it stores. */
struct qstore *qstore_new(void);

/* Takes over st (closed by qstore_close). Returns GT_OK or GT_EINVAL (full). */
int qstore_add(struct qstore *qs, gt_store *st);

/* Closes every store; NULL does nothing. */
void qstore_close(struct qstore *qs);

/* The text of the last error of any store ("" if none). */
const char *qstore_errmsg(struct qstore *qs);

/* Series of every store, one entry per (instr_id, kind); with several
 * stores sorted by (instr_id, kind) and series = 0. */
int qstore_series_list(struct qstore *qs, struct gt_series_info *out, size_t cap);
int qstore_series_find(struct qstore *qs, int32_t instr_id, int kind, struct gt_series_info *info);
/* The stored bytes of (instr_id, kind) summed over the stores. */
int qstore_series_bytes(struct qstore *qs, int32_t instr_id, int kind, uint64_t *bytes);
int qstore_instr_list(struct qstore *qs, struct gt_tick *defs, size_t cap);
int qstore_instr_find(struct qstore *qs, const char *symbol, struct gt_tick *def);
int qstore_disk_bytes(struct qstore *qs, uint64_t *bytes);

int qstore_iter_open(struct qstore *qs, int32_t instr_id, int kind, int64_t from_ns, int64_t to_ns,
                     struct qstore_iter **out);
/* The next run of ticks in seq order (a view valid until the next call). */
int qstore_iter_next(struct qstore_iter *it, const struct gt_tick **ticks);
const char *qstore_iter_errmsg(const struct qstore_iter *it);
void qstore_iter_close(struct qstore_iter *it);

#endif
