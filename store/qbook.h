/* SPDX-License-Identifier: MIT */
/* qbook.h -- a price-level book rebuilt from stored book and status ticks.
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
 * allocation. */
#ifndef GT_QUERY_QBOOK_H
#define GT_QUERY_QBOOK_H
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
};

void qbook_init(struct qbook *b);

/* Applies one stored tick: GT_KIND_LEVEL changes levels, GT_KIND_STATUS may
 * change the feed state; other kinds are ignored. Implied-book levels
 * (GT_F_IMPLIED) are ignored: this is the outright book. Returns 0, or
 * GT_EBADMSG for a level outside 1..QBOOK_DEPTH or an unknown side or action
 * (counted in n_bad, the book unchanged). */
int qbook_apply(struct qbook *b, const struct gt_tick *t);

#endif
