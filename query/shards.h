/* SPDX-License-Identifier: MIT */
/* shards.h -- one or several tick stores (shards) read as one.
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
 * What cannot be read is skipped, not fatal: a block that fails its checks,
 * or a stretch of a table file RocksDB cannot read, is passed over by
 * shards_iter_next(), counted once (n_bad; the same block met again by a
 * second iterator is not counted again) and handed to the on_bad hook, so
 * the rest of a query still works and the command can say what is missing.
 *
 * Counts with several stores are sums: a record that two overlapping shards
 * both hold counts twice in shards_series_list() and shards_series_find()
 * (n_shared says how many series more than one store holds), while the
 * iterator hands it out once.
 *
 * Functions return what their gt_store_ twins return. */
#ifndef GT_QUERY_SHARDS_H
#define GT_QUERY_SHARDS_H
#include "gputick/store.h"

enum { QSTORE_MAX = 16, QSTORE_BAD_SEEN = 256 };

/* A stretch of a series that could not be read and was skipped. */
struct shards_bad {
    int32_t instr_id;
    int kind;
    const char *symbol; /* from the definition, "" if none */
    int rc;             /* GT_ECORRUPT, GT_EBADMSG, GT_EVERSION or GT_ETRUNC */
    int64_t key_ns;     /* the block's key (INT64_MIN: before the range read) */
    int64_t end_ns;     /* == key_ns: one block; else ticks in [key_ns, end_ns) of a
                         * table file (INT64_MAX: to the series' end) */
    const char *why;    /* for a table file, RocksDB's words naming it */
    uint64_t nth;       /* 1 for the first skipped by this shards, ... */
};

struct shards {
    gt_store *st[QSTORE_MAX];
    int n;
    char errmsg[GT_ERRLEN];
    /* Skipped stretches: the hook (may be NULL), their count, and the first
     * QSTORE_BAD_SEEN of them, to count each once. */
    void (*on_bad)(const void *ctx, const struct shards_bad *b);
    const void *bad_ctx;
    uint64_t n_bad;
    struct shards_seen {
        int store;
        uint32_t series;
        int64_t key_ns;
    } seen[QSTORE_BAD_SEEN];
    int n_seen;
    int n_shared; /* series held by more than one store, after shards_series_list() */
};

struct shards_iter;

/* An empty set; shards_add() gives it stores. */
struct shards *shards_new(void);

/* Takes over st (closed by shards_close). Returns GT_OK or GT_EINVAL (full). */
int shards_add(struct shards *qs, gt_store *st);

/* Closes every store; NULL does nothing. */
void shards_close(struct shards *qs);

/* The text of the last error of any store ("" if none). */
const char *shards_errmsg(struct shards *qs);

/* Series of every store, one entry per (instr_id, kind); with several
 * stores sorted by (instr_id, kind) and series = 0. */
int shards_series_list(struct shards *qs, struct gt_series_info *out, size_t cap);
int shards_series_find(struct shards *qs, int32_t instr_id, int kind, struct gt_series_info *info);
/* The stored bytes of (instr_id, kind) summed over the stores. */
int shards_series_bytes(struct shards *qs, int32_t instr_id, int kind, uint64_t *bytes);
int shards_instr_list(struct shards *qs, struct gt_tick *defs, size_t cap);
int shards_instr_find(struct shards *qs, const char *symbol, struct gt_tick *def);
int shards_disk_bytes(struct shards *qs, uint64_t *bytes);

int shards_iter_open(struct shards *qs, int32_t instr_id, int kind, int64_t from_ns, int64_t to_ns,
                     struct shards_iter **out);
/* The next run of ticks in seq order (a view valid until the next call),
 * past whatever cannot be read (above). Returns > 0, 0 at the end, or GT_EDB
 * (or GT_ENOMEM) with shards_iter_errmsg() saying why. */
int shards_iter_next(struct shards_iter *it, const struct gt_tick **ticks);
/* gt_store_iter_fields() for every store; with several, the bus sequence
 * is read too, since the merge needs it. */
void shards_iter_fields(struct shards_iter *it, uint64_t fields);
const char *shards_iter_errmsg(const struct shards_iter *it);
void shards_iter_close(struct shards_iter *it);

#endif
