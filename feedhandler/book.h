/* SPDX-License-Identifier: MIT */
/* book.h -- price-level (MBP) books for the instruments of one channel.
 *
 * CME MDP 3.0 Market by Price: each side holds up to the definition's
 * MarketDepth levels (1..GT_BOOK_DEPTH), level 1 best. The level actions (New,
 * Change, Overlay, Delete, DeleteThru, DeleteFrom) are the library's
 * gt_mbp_apply() (gputick/mbp.h, which states them), the same code that
 * rebuilds books from the store and from the bus, so the books tickfeed
 * publishes and the books rebuilt from its records cannot disagree. A New
 * into a full side drops the worst level (the exchange sends no Delete for
 * it); a New or Change beyond the last level leaves empty levels between (the
 * feed lost something; they read as empty, px BOOK_PX_NONE). The book never
 * invents prices: it mirrors the exchange's positions.
 *
 * Entries apply in RptSeq order (book_rpt_check); a gap marks the book stale
 * until a SnapshotFullRefresh replaces it (book_load_snapshot). The caller
 * publishes both transitions. Within a match event the caller applies every
 * entry through book_set_apply(), which keeps a short list of the books whose
 * top changed, and at EndOfEvent book_set_event_end() hands back exactly those
 * books (no scan of all books), so one top-of-book tick goes out per changed
 * instrument per event.
 *
 * All books live in one array sized by book_set_init(), found by security id
 * through an open-addressing hash; nothing here allocates after that. */
#ifndef GT_BOOK_H
#define GT_BOOK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gputick/mbp.h"
#include "gputick/tick.h"

enum { GT_BOOK_DEPTH = GT_MBP_DEPTH_MAX };

/* The price that marks an empty level (PRICENULL9). */
#define BOOK_PX_NONE GT_MBP_PX_NONE

struct book {
    int32_t security_id;
    uint32_t rpt_seq; /* last applied; 0 before any (RptSeq starts at 1) */
    uint8_t depth;    /* MarketDepth, 1..GT_BOOK_DEPTH */
    uint8_t n_bid;    /* levels in use: the last non-empty level, 0..depth */
    uint8_t n_ask;
    bool stale;   /* from a gap until a snapshot recovers it */
    bool changed; /* its top changed in the current event (on the changed list) */
    struct gt_mbp_level bid[GT_BOOK_DEPTH], ask[GT_BOOK_DEPTH]; /* gputick/mbp.h */
};

/* One incremental book entry (MDIncrementalRefreshBook46 NoMDEntries). */
struct book_update {
    int32_t security_id;
    uint32_t rpt_seq;
    int64_t px;
    int64_t qty;
    int32_t n_orders;
    uint8_t level;  /* MDPriceLevel, 1 = best */
    uint8_t side;   /* GT_SIDE_BID or GT_SIDE_ASK */
    uint8_t action; /* enum gt_action */
};

/* One SnapshotFullRefresh52 book entry. */
struct book_snap_entry {
    int64_t px;
    int64_t qty;
    int32_t n_orders;
    uint8_t level; /* 1..depth */
    uint8_t side;  /* GT_SIDE_BID or GT_SIDE_ASK */
};

/* Results of book_rpt_check(). */
enum book_seq {
    BOOK_SEQ_OK = 0,    /* the next RptSeq: apply it */
    BOOK_SEQ_DUP = 1,   /* already applied (line B, or covered by a snapshot): drop */
    BOOK_SEQ_GAP = 2,   /* RptSeq jumped: the book is now stale; publish that, drop */
    BOOK_SEQ_STALE = 3, /* the book was already stale: drop until the snapshot */
};

struct book_set {
    struct book *books; /* books[0..n_books), in order of creation */
    size_t n_books, max_books;
    int32_t *slots;        /* hash: index into books + 1, 0 = free */
    size_t n_slots;        /* a power of two, at least twice max_books */
    struct book **changed; /* books whose top changed in this event, max_books + 1 */
    size_t n_changed;
};

/* Sizes the set for max_books instruments (at least 1). Returns GT_OK,
 * GT_EINVAL, or GT_ENOMEM. The only allocation of this module. */
int book_set_init(struct book_set *bs, size_t max_books);
/* Frees what book_set_init() allocated; a zeroed or finished set is fine. */
void book_set_fini(struct book_set *bs);

/* The book of security_id. With create, a missing book is added (empty, depth
 * GT_BOOK_DEPTH, rpt_seq 0, not stale); NULL if absent and !create, or if the
 * set is full. Pointers stay valid until book_set_fini(). */
struct book *book_set_get(struct book_set *bs, int32_t security_id, bool create);

/* Sets the MarketDepth from the instrument definition (1..GT_BOOK_DEPTH); a
 * smaller depth drops the levels past it. Returns GT_OK or GT_EINVAL. */
int book_depth_set(struct book *b, int depth);

/* Applies one entry and records u->rpt_seq as applied. Returns 1 if the top of
 * book (level 1 of the side) changed, 0 if not, GT_EBADMSG if the side or
 * action is unknown, the level is outside 1..depth (DeleteThru excepted), or a
 * New/Change/Overlay has no price; the book is then untouched. Does not check
 * RptSeq: call book_rpt_check() first. */
int book_apply(struct book *b, const struct book_update *u);

/* book_apply() on the book of u->security_id, adding the book to the event's
 * changed list when its top changed. Returns book_apply()'s result, or
 * GT_ENOENT if the set has no such book. */
int book_set_apply(struct book_set *bs, const struct book_update *u);

/* Classifies an incoming RptSeq against the last applied (enum book_seq).
 * BOOK_SEQ_GAP marks the book stale; it is returned once, at the transition,
 * and the gap lost is b->rpt_seq + 1 .. rpt_seq - 1. */
int book_rpt_check(struct book *b, uint32_t rpt_seq);

/* Replaces both sides with a SnapshotFullRefresh's n entries and sets rpt_seq;
 * clears stale. A snapshot no newer than a live (not stale) book is ignored.
 * Returns 1 if the book was stale and is now recovered, 0 otherwise (applied
 * or ignored), GT_EBADMSG if an entry has a bad side or level or no price (the
 * book is then untouched). */
int book_load_snapshot(struct book *b, uint32_t rpt_seq, const struct book_snap_entry *e, size_t n);

/* Empties both sides and restarts RptSeq (ChannelReset: the next is 1);
 * clears stale. */
void book_clear(struct book *b);

/* Adds b to the event's changed list (once); for snapshots and resets, whose
 * new top the caller publishes at the end of the event. */
void book_set_touch(struct book_set *bs, struct book *b);

/* book_set_touch() if moved (book_apply() returned 1), without a branch on
 * it: whether an entry moves the top is as random as the market, and the
 * branch mispredicted about one entry in three. The slot past the list
 * (changed[] has max_books + 1) is written always and kept only if counted. */
static inline void book_set_touch_if(struct book_set *bs, struct book *b, bool moved)
{
    bs->changed[bs->n_changed] = b;
    bs->n_changed += moved & !b->changed;
    b->changed |= moved;
}

/* ChannelReset: clears every book and touches each. */
void book_set_clear_all(struct book_set *bs);

/* A packet gap on the channel: marks every book stale. Returns how many were
 * not stale before (the caller publishes a stale status for each: books[i]
 * with stale set that it had not yet reported). */
size_t book_set_mark_all_stale(struct book_set *bs);

/* Fills out with the top of book (the tick payload): INT64_MAX px and zero qty
 * and orders for an empty side, qty saturating into int32, orders into u16. */
void book_tob(const struct book *b, struct gt_tob *out);

/* EndOfEvent: calls cb once for each book whose top changed (or was touched)
 * since the last call, in the order they first changed, then empties the
 * list. Returns how many. cb may be NULL (the list is just emptied). */
size_t book_set_event_end(struct book_set *bs, void (*cb)(struct book *b, void *ctx), void *ctx);

#endif
