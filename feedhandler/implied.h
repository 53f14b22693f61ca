/* SPDX-License-Identifier: MIT */
/* implied.h -- implied books and the consolidated view of one channel's
 * instruments.
 *
 * CME's implication engine publishes implied prices (MDEntryType 'E' implied
 * bid, 'F' implied offer) two levels deep a side, in the same
 * MDIncrementalRefreshBook46 messages and under the same per-instrument RptSeq
 * as the outright entries, and SnapshotFullRefresh52 carries them too. So an
 * implied book is one more struct book (book.c's actions, depth IMP_DEPTH),
 * kept at the same index as the instrument's outright book, and it has no
 * state of its own for recovery: it is stale exactly when the outright book
 * is (the one RptSeq gate of feed.c), it is loaded from the same snapshot and
 * replayed from the same queue, and a ChannelReset empties both.
 *
 * The consolidated book is outright and implied merged by price
 * (imp_merge): at one price the quantities add, and the implied share of each
 * level stays visible (it rides in the level's n_orders; docs/wire.md). It is
 * published as level records flagged GT_F_CONSOLIDATED, as changes against
 * what was last published for the instrument, only while its implied book
 * holds a level: with no implied level the consolidated book is the outright
 * book, and publishing it twice would double the feed's busiest records. The
 * event that empties the implied book publishes the consolidated book's last
 * change (it then equals the outright); the one that fills it publishes the
 * consolidated book whole.
 *
 * All arrays are sized by imp_set_init(); nothing here allocates after that. */
#ifndef GT_IMPLIED_H
#define GT_IMPLIED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "book.h"

enum { IMP_DEPTH = 2 }; /* MarketDepth of implied books (CME: GBI depth 2) */

/* The consolidated book as last published for one instrument. */
struct cons_book {
    struct gt_mbp_level side[2][GT_BOOK_DEPTH]; /* [0] bids, [1] asks; n_orders: implied qty */
    uint8_t n[2];
    bool on; /* its records are live: the implied book held a level when last published */
};

struct imp_set {
    struct book *books;     /* implied book of instrument ii, depth IMP_DEPTH */
    struct cons_book *cons; /* consolidated book of instrument ii */
    uint32_t *dirty;        /* instruments whose consolidated book may have changed */
    uint8_t *is_dirty;
    size_t n_dirty, cap;
};

/* Sizes the set for cap instruments. Returns GT_OK or GT_ENOMEM. */
int imp_set_init(struct imp_set *s, size_t cap);
/* Frees what imp_set_init() allocated; a zeroed set is fine. */
void imp_set_fini(struct imp_set *s);

/* Notes that instrument ii's consolidated book may have changed in this event. */
static inline void imp_touch(struct imp_set *s, size_t ii)
{
    if (!s->is_dirty[ii]) {
        s->is_dirty[ii] = 1;
        s->dirty[s->n_dirty++] = (uint32_t)ii;
    }
}

/* Empties instrument ii's implied book; its consolidated book is the
 * outright one again (ChannelReset, a book reset, a snapshot cycle without
 * it). */
void imp_clear(struct imp_set *s, size_t ii);

/* Merges one side (ask: 0 bids, 1 asks) of an outright and an implied book by
 * price into out (up to depth levels, best first, no empty level): equal
 * prices add their quantities; each level's n_orders is its implied quantity
 * (saturating at INT32_MAX). Empty levels of either input are skipped.
 * Returns the number of levels written. */
int imp_merge(const struct gt_mbp_level *o, int n_o, const struct gt_mbp_level *im, int n_im,
              int ask, int depth, struct gt_mbp_level *out);

#endif
