/* SPDX-License-Identifier: MIT */
/* mbo.h -- market-by-order (MBO) books for the instruments of one channel.
 *
 * Every resting order the exchange reports (MDIncrementalRefreshOrderBook47,
 * the NoOrderIDEntries group of MDIncrementalRefreshBook46, the
 * SnapshotFullRefreshOrderBook53 loop), found by OrderID, queued at its price
 * level in priority order. MDOrderPriority is the exchange's execution rank:
 * the lower value trades first. The exchange decides when an order keeps or
 * loses its rank (CME: a change of price or a quantity increase loses it, a
 * decrease keeps it) and says so by the priority it sends with the change;
 * this book only files the order where its priority puts it, so it follows
 * whatever rule the exchange applies.
 *
 * A side is a list of levels, best first; a level is a list of orders,
 * first in priority first, with its total displayed quantity and order
 * count kept as orders come and go, so the MBP book the orders imply is read
 * off the first levels at once (mbo_derive). Orders are found by a hash on
 * (book, OrderID). Books are indexed like the feed's instruments (the index
 * into book_set.books); orders, levels and hash slots come from pools sized
 * by mbo_set_init(): nothing is allocated afterwards. A full pool is an
 * error for the caller to count, never a crash.
 *
 * The feed's recovery state (stale, waiting for a snapshot, the queue of
 * entries that came meanwhile) lives in struct mbo_book too, but is driven
 * by feed.c's rules through the hooks in mbo.c; this header's functions only
 * keep the orders. */
#ifndef GT_MBO_H
#define GT_MBO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gputick/mbp.h"

#define MBO_NIL UINT32_MAX

struct mbo_order {
    uint64_t id;   /* OrderID */
    uint64_t prio; /* MDOrderPriority; lower executes first; UINT64_MAX if not given */
    int64_t px;
    int32_t qty;         /* MDDisplayQty */
    uint32_t book;       /* its book's index */
    uint32_t lvl;        /* its level */
    uint32_t prev, next; /* in its level's queue (priority order); next links the free list */
    uint8_t side;        /* GT_SIDE_BID or GT_SIDE_ASK */
};

struct mbo_level {
    int64_t px;
    int64_t qty;            /* displayed quantity of its orders */
    int32_t n;              /* its orders */
    uint32_t head, tail;    /* first and last order in priority */
    uint32_t better, worse; /* neighbours on the side; worse links the free list */
};

struct mbo_book {
    uint32_t best[3]; /* best level by side (GT_SIDE_BID, GT_SIDE_ASK); MBO_NIL if empty */
    uint32_t n_orders;
    /* Recovery, driven by the hooks in mbo.c. */
    bool active;        /* the exchange sent orders for it: MBO is kept */
    bool stale;         /* missed updates: waiting for a 53 */
    bool touched;       /* changed in the open event (on the touched list) */
    uint8_t snap_line;  /* the snapshot line of the 53 being loaded */
    uint32_t need;      /* a 53 must have processed this incremental packet */
    uint32_t snap_next; /* the next chunk of the 53 being loaded; 0 if none */
    uint32_t snap_last; /* its LastMsgSeqNumProcessed */
    uint32_t loaded;    /* the last packet its loaded snapshot had processed: a
                           snapshot may run ahead of the incremental stream
                           (a hole waiting behind it), whose packets up to
                           this one are then applied already */
};

/* One order update, from any of the three templates. */
struct mbo_update {
    uint64_t id;
    uint64_t prio;
    int64_t px;
    int32_t qty;
    uint8_t side;   /* GT_SIDE_BID or GT_SIDE_ASK */
    uint8_t action; /* GT_ACT_NEW, GT_ACT_CHANGE or GT_ACT_DELETE */
};

struct mbo_qent { /* an update of a stale book, queued until its snapshot */
    uint32_t book;
    uint32_t seq; /* the incremental packet it came in */
    struct mbo_update u;
};

struct mbo_set {
    struct mbo_book *books; /* max_books */
    size_t max_books;
    struct mbo_order *orders;
    size_t max_orders;
    uint32_t free_order;
    struct mbo_level *levels;
    size_t max_levels;
    uint32_t free_level;
    uint32_t *slot; /* order hash: order index + 1, 0 if empty; open addressing */
    size_t slot_mask;
    uint32_t *touched; /* books changed in the open event */
    size_t n_touched;
    struct mbo_qent *q; /* ring of queued updates */
    size_t q_cap;
    uint64_t q_head, q_tail;
    uint32_t q_lost_seq; /* the latest packet of an update the ring overwrote */
    uint64_t n_orders;   /* resting now, all books */
};

/* Sizes every pool: max_books books, max_orders orders (levels as many),
 * queue_len queued updates. Returns GT_OK or GT_ENOMEM. */
int mbo_set_init(struct mbo_set *s, size_t max_books, size_t max_orders, size_t queue_len);
void mbo_set_fini(struct mbo_set *s);

/* Applies one update to book bi. Returns GT_OK; GT_ENOENT if a change or a
 * delete names an order the book does not hold; GT_EBADMSG if the side or
 * the action is not one of the book's, or a new order has no price;
 * GT_ENOMEM if a pool is full. A book refused an update is left as it was
 * (and is no longer the exchange's: the caller marks it stale). A new order
 * whose id the book holds replaces it, as a change would. */
int mbo_apply(struct mbo_set *s, uint32_t bi, const struct mbo_update *u);

/* Empties book bi, giving its orders and levels back to the pools. */
void mbo_clear(struct mbo_set *s, uint32_t bi);

/* The MBP levels the orders of one side of book bi imply: up to depth
 * levels, best first, each with its price, displayed quantity and order
 * count; the rest of lv[0..depth) empty (GT_MBP_PX_NONE, 0, 0). Returns the
 * levels filled. */
int mbo_derive(const struct mbo_set *s, uint32_t bi, int side, struct gt_mbp_level *lv, int depth);

/* Calls fn for every order of book bi: bids best level first, then asks,
 * each level in priority order; stops early if fn returns nonzero and
 * returns that, else 0. */
int mbo_walk(const struct mbo_set *s, uint32_t bi,
             int (*fn)(void *ctx, const struct mbo_order *o, int level), void *ctx);

#endif
