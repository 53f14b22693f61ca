/* SPDX-License-Identifier: MIT */
/* mbp.h -- one side of a CME MDP 3.0 Market-by-Price book: the exchange's
 * level actions on a caller-owned array.
 *
 * The one implementation of the book rules: tickfeed's live books
 * (feedhandler/book.c), the books rebuilt from the store (gt_mbp_book below)
 * and a downstream program rebuilding books from the bus's `book` records
 * (docs/wire.md) all apply entries through gt_mbp_apply(), so they cannot
 * disagree.
 *
 * A side is an array of `depth` levels, level 1 (the best) at index 0, and a
 * count n of levels in use: up to the last non-empty level. Every level at or
 * past n is empty (px GT_MBP_PX_NONE, qty 0, orders 0). depth is the
 * instrument's MarketDepth, the `def` record's book depth: MDP 3.0 keeps at
 * most that many levels a side, so the exchange sends no Delete for a level a
 * New pushes off the end. The actions (MDUpdateAction, CME's book management
 * rules), level L = MDPriceLevel:
 *   New         inserts at L; worse levels shift down one, and the one pushed
 *               past the depth is dropped;
 *   Change      replaces level L (so does Overlay);
 *   Delete      removes level L; worse levels shift up one;
 *   DeleteThru  empties the side (L is not used);
 *   DeleteFrom  removes levels 1 through L (the top L, as after a sweep) and
 *               the remaining levels shift up L.
 * A New or Change beyond the last level leaves empty levels between (the feed
 * lost something); they stay empty until an entry fills them. Nothing here
 * allocates or keeps state. */
#ifndef GT_MBP_H
#define GT_MBP_H
#include <stdbool.h>
#include <stdint.h>

struct gt_tick;

/* GT_MBP_DEPTH_MAX: the deepest book on the bus (tickfeed keeps at most this
 * many levels a side, and a `def` says 1..this). GT_MBP_DEPTH_DEFAULT: the
 * depth of a book whose definition is unknown or out of range, as tickfeed
 * does before an instrument's definition arrives. */
enum { GT_MBP_DEPTH_MAX = 10, GT_MBP_DEPTH_DEFAULT = 10 };

/* The price of an empty level (PRICENULL9). */
#define GT_MBP_PX_NONE INT64_MAX

struct gt_mbp_level {
    int64_t px; /* 1e-9; GT_MBP_PX_NONE if the level is empty */
    int64_t qty;
    int32_t n_orders; /* as on the wire; INT32_MAX if not given */
};

/* Makes levels lv[from..to) empty. */
void gt_mbp_clear(struct gt_mbp_level *lv, int from, int to);

/* The depth a book keeps for a definition's MarketDepth: depth itself if it
 * is 1..GT_MBP_DEPTH_MAX, else GT_MBP_DEPTH_DEFAULT. */
int gt_mbp_depth_of(int depth);

/* Applies one MBP entry (action, MDPriceLevel level, and for New, Change and
 * Overlay the level's new value *v) to the side lv[0..depth) that has n
 * levels in use. Returns the new count (0..depth); GT_EBADMSG if the action
 * is unknown, level is outside 1..depth (DeleteThru excepted) or a New,
 * Change or Overlay has px GT_MBP_PX_NONE; GT_EINVAL if depth is outside
 * 1..GT_MBP_DEPTH_MAX or n outside 0..depth. On an error the side is
 * untouched. */
int gt_mbp_apply(struct gt_mbp_level *lv, int n, int depth, int action, int level,
                 const struct gt_mbp_level *v);

/* Cuts a side of n levels in use to depth levels (a definition with a
 * smaller MarketDepth): levels past depth become empty. Returns the new
 * count, or GT_EINVAL if depth is outside 1..GT_MBP_DEPTH_MAX. */
int gt_mbp_truncate(struct gt_mbp_level *lv, int n, int depth);

/* A whole price-level book of one instrument, as rebuilt from stored or bus
 * ticks: exactly tickfeed's books (feedhandler/book.h), whose level actions
 * are gt_mbp_apply()'s. A book has its instrument's MarketDepth:
 * GT_MBP_DEPTH_DEFAULT until a `def` tick of the instrument says otherwise,
 * as tickfeed's book does until the definition arrives; a def with a smaller
 * depth drops the levels past it. Status ticks carry the feed state: STALE
 * marks the book untrusted until RECOVERED; RESET empties it. Recovery is
 * published by tickfeed as a fresh book: a DeleteThru on each side then a
 * New per level, all flagged GT_F_RECOVERY, then a RECOVERED status; those
 * apply like any other level tick. Caller-embedded state, no allocation. */
struct gt_mbp_book {
    struct gt_mbp_level side[2][GT_MBP_DEPTH_MAX]; /* [0] bids, [1] asks; past n[s]: empty */
    int n[2];   /* levels in use a side: the last non-empty one, 0..depth */
    int depth;  /* MarketDepth, 1..GT_MBP_DEPTH_MAX */
    bool stale; /* between STALE and RECOVERED */
    int64_t stale_since_ns;
    uint64_t n_applied, n_bad; /* level ticks applied, and refused (bad level/side) */
    int64_t last_ns;           /* exch_ns of the last level or status tick given */
    uint64_t last_seq;         /* bus seq of the last tick given to gt_mbp_book_apply */
};

/* An empty, live book of the given MarketDepth (gt_mbp_depth_of(): out of
 * range means GT_MBP_DEPTH_DEFAULT). */
void gt_mbp_book_init(struct gt_mbp_book *b, int depth);

/* Applies one tick of the book's instrument, in bus order: GT_KIND_LEVEL
 * changes levels (gt_mbp_apply; a null qty is 0, as in tickfeed's book),
 * GT_KIND_STATUS may change the feed state, GT_KIND_DEF sets the depth (a
 * smaller one drops the levels past it); other kinds are ignored.
 * Implied and consolidated levels (GT_F_IMPLIED, GT_F_CONSOLIDATED) are
 * ignored: this is the outright book. Returns 0, or GT_EBADMSG for a level outside 1..depth, an
 * unknown side or action, or a New/Change/Overlay without a price (counted in n_bad, the book
 * unchanged). */
int gt_mbp_book_apply(struct gt_mbp_book *b, const struct gt_tick *t);

#endif
