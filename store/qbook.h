/* SPDX-License-Identifier: MIT */
/* qbook.h -- a price-level book rebuilt from stored book and status ticks,
 * and its checkpoint record.
 *
 * MBP semantics as MDP 3.0 gives them, level 1 best, QBOOK_DEPTH levels a
 * side: New inserts at its level and shifts the worse levels down (the last
 * falls off), Change and Overlay replace the level, Delete removes it and
 * shifts the worse levels up, DeleteThru empties the side, DeleteFrom removes
 * the level and every worse one. Status ticks carry the feed state: STALE
 * marks the book untrusted until RECOVERED; RESET empties it. Recovery is
 * assumed to be published by tickfeed as a fresh book: a DeleteThru on each
 * side then a New per level, all flagged GT_F_RECOVERY, then a RECOVERED
 * status; those apply like any other level tick. Caller-embedded state, no
 * allocation.
 *
 * The store's writer keeps one qbook per instrument and, every few thousand
 * book ticks, writes it as a checkpoint (meta key 'K', key.h) so that tickq
 * book --at T replays only from the latest checkpoint at or before T
 * (gt_store_book_at). Checkpoint record, little-endian:
 *   OFFSET  SIZE TYPE  FIELD
 *        0     4 u32   magic "GTBC"
 *        4     1 u8    version (1)
 *        5     1 u8    flags: 1 stale
 *        6     1 u8    n_bid, levels that follow (0..QBOOK_DEPTH)
 *        7     1 u8    n_ask
 *        8     8 u64   last_seq: bus seq of the last tick applied
 *       16     8 i64   last_ns: its exch_ns (also the key's time)
 *       24     8 i64   stale_since_ns
 *       32     8 u64   n_applied
 *       40  20*n i64 px, i64 qty, i32 n_orders per level: bids best first,
 *                      then asks
 *      end     4 u32   CRC32C of every byte before it */
#ifndef GT_STORE_QBOOK_H
#define GT_STORE_QBOOK_H
#include <stdbool.h>
#include <stdint.h>
#include "gputick/tick.h"

enum { QBOOK_DEPTH = 32 };

struct qbook_level {
    int64_t px, qty;
    int32_t n_orders;
};

struct qbook {
    struct qbook_level side[2][QBOOK_DEPTH]; /* [0] bids, [1] asks */
    int n[2];                                /* levels present a side */
    bool stale;                              /* between STALE and RECOVERED */
    int64_t stale_since_ns;
    uint64_t n_applied, n_bad; /* level ticks applied, and refused (bad level/side) */
    int64_t last_ns;           /* exch_ns of the last tick applied */
    uint64_t last_seq;         /* bus seq of the last tick given to qbook_apply */
};

enum {
    QBOOK_CKPT_HDR = 40,
    QBOOK_CKPT_LEVEL = 20,
    QBOOK_CKPT_MAX = QBOOK_CKPT_HDR + 2 * QBOOK_DEPTH * QBOOK_CKPT_LEVEL + 4,
    QBOOK_CKPT_VERSION = 1,
};

void qbook_init(struct qbook *b);

/* Applies one stored tick: GT_KIND_LEVEL changes levels, GT_KIND_STATUS may
 * change the feed state; other kinds are ignored. Implied-book levels
 * (GT_F_IMPLIED) are ignored: this is the outright book. Returns 0, or
 * GT_EBADMSG for a level outside 1..QBOOK_DEPTH or an unknown side or action
 * (counted in n_bad, the book unchanged). */
int qbook_apply(struct qbook *b, const struct gt_tick *t);

/* Writes b as a checkpoint record into out (QBOOK_CKPT_MAX bytes). Returns
 * its length. */
int qbook_ckpt_encode(const struct qbook *b, uint8_t out[QBOOK_CKPT_MAX]);

/* Reads a checkpoint record into b. Returns GT_OK, GT_ETRUNC, GT_EBADMSG (bad
 * magic, counts or length), GT_EVERSION or GT_ECORRUPT (CRC); b is then
 * unspecified. */
int qbook_ckpt_decode(const uint8_t *p, size_t len, struct qbook *b);

#endif
