/* SPDX-License-Identifier: MIT */
/* qbook.h -- a price-level book rebuilt from stored book and status ticks,
 * and its checkpoint record.
 *
 * Exactly tickfeed's books (feedhandler/book.h): the level actions are the
 * library's gt_mbp_apply() (gputick/mbp.h states them, CME's MBP rules: New
 * shifts worse levels down and a New into a full side drops the worst level,
 * for which the exchange sends no Delete; DeleteFrom removes levels 1..N and
 * the rest shift up N; holes left by a lost entry stay empty levels). A book
 * has its instrument's MarketDepth: GT_MBP_DEPTH_DEFAULT (10) until a `def`
 * tick of the instrument says otherwise, as tickfeed's book does until the
 * definition arrives; a def with a smaller depth drops the levels past it.
 * Status ticks carry the feed state: STALE marks the book untrusted until
 * RECOVERED; RESET empties it. Recovery is published by tickfeed as a fresh
 * book: a DeleteThru on each side then a New per level, all flagged
 * GT_F_RECOVERY, then a RECOVERED status; those apply like any other level
 * tick. Caller-embedded state, no allocation.
 *
 * The store's writer keeps one qbook per instrument and, every few thousand
 * book ticks, writes it as a checkpoint (meta key 'K', key.h) so that tickq
 * book --at T replays only from the latest checkpoint at or before T
 * (gt_store_book_at). Checkpoint record, little-endian:
 *   OFFSET  SIZE TYPE  FIELD
 *        0     4 u32   magic "GTBC"
 *        4     1 u8    version (2)
 *        5     1 u8    flags: 1 stale
 *        6     1 u8    n_bid, levels that follow (0..depth)
 *        7     1 u8    n_ask
 *        8     8 u64   last_seq: bus seq of the last tick applied
 *       16     8 i64   last_ns: exch_ns of the last level or status tick
 *                      given, applied or not (also the key's time)
 *       24     8 i64   stale_since_ns
 *       32     8 u64   n_applied
 *       40     1 u8    depth, 1..QBOOK_DEPTH (since version 2)
 *       41     3       zero
 *       44  20*n i64 px, i64 qty, i32 n_orders per level: bids best first,
 *                      then asks; an empty level (a hole) has px INT64_MAX;
 *                      the last level of a side is never empty
 *      end     4 u32   CRC32C of every byte before it
 * Version 1 records (no depth, 40-byte header) were written by a replay that
 * ignored the depth and removed the wrong levels on a DeleteFrom: they are
 * refused (GT_EVERSION), and a book is then replayed from an earlier point. */
#ifndef GT_STORE_QBOOK_H
#define GT_STORE_QBOOK_H
#include <stdbool.h>
#include <stdint.h>
#include "gputick/mbp.h"
#include "gputick/tick.h"

enum { QBOOK_DEPTH = GT_MBP_DEPTH_MAX };

struct qbook {
    struct gt_mbp_level side[2][QBOOK_DEPTH]; /* [0] bids, [1] asks; past n[s]: empty */
    int n[2];   /* levels in use a side: the last non-empty one, 0..depth */
    int depth;  /* MarketDepth, 1..QBOOK_DEPTH */
    bool stale; /* between STALE and RECOVERED */
    int64_t stale_since_ns;
    uint64_t n_applied, n_bad; /* level ticks applied, and refused (bad level/side) */
    int64_t last_ns;           /* exch_ns of the last level or status tick given */
    uint64_t last_seq;         /* bus seq of the last tick given to qbook_apply */
};

enum {
    QBOOK_CKPT_HDR = 44,
    QBOOK_CKPT_LEVEL = 20,
    QBOOK_CKPT_MAX = QBOOK_CKPT_HDR + 2 * QBOOK_DEPTH * QBOOK_CKPT_LEVEL + 4,
    QBOOK_CKPT_VERSION = 2,
};

/* An empty, live book of the given MarketDepth (gt_mbp_depth_of(): out of
 * range means GT_MBP_DEPTH_DEFAULT). */
void qbook_init(struct qbook *b, int depth);

/* Applies one stored tick of the book's instrument, in bus order:
 * GT_KIND_LEVEL changes levels (gt_mbp_apply; a null qty is 0, as in
 * tickfeed's book), GT_KIND_STATUS may change the feed state, GT_KIND_DEF
 * sets the depth (a smaller one drops the levels past it); other kinds are
 * ignored. Implied-book levels (GT_F_IMPLIED) are ignored: this is the
 * outright book. Returns 0, or GT_EBADMSG for a level outside 1..depth, an
 * unknown side or action, or a New/Change/Overlay without a price (counted
 * in n_bad, the book unchanged). */
int qbook_apply(struct qbook *b, const struct gt_tick *t);

/* Writes b as a checkpoint record into out (QBOOK_CKPT_MAX bytes). Returns
 * its length. */
int qbook_ckpt_encode(const struct qbook *b, uint8_t out[QBOOK_CKPT_MAX]);

/* Reads a checkpoint record into b. Returns GT_OK, GT_ETRUNC, GT_EBADMSG (bad
 * magic, depth, counts or length, or a side ending in an empty level),
 * GT_EVERSION (not version 2) or GT_ECORRUPT (CRC); b is then unspecified. */
int qbook_ckpt_decode(const uint8_t *p, size_t len, struct qbook *b);

#endif
