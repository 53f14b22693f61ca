/* SPDX-License-Identifier: MIT */
/* mbo.c -- market-by-order books (mbo.h), and the feed's hooks that keep
 * them from the exchange's templates under feed.c's recovery rules.
 *
 * The first half keeps orders: pools of orders and levels with free lists, a
 * linear-probing hash on (book, OrderID) with backward-shift deletion (no
 * tombstones, so a long day of adds and deletes never slows the probes),
 * levels in a list per side best first, orders in a list per level in
 * priority order. A new order nearly always has the worst priority of its
 * level and a new level nearly always lies near the top, so both searches
 * start where the answer usually is: the queue from its tail, the side from
 * its best level.
 *
 * The second half is the feed's (feed_int.h). The recovery rule is feed.c's
 * for the MBP book, applied to the orders: whenever feed.c marks an
 * instrument stale (a packet gap, its RptSeq jumping, a late join, a false
 * jump), its MBO book goes stale with it and waits for a snapshot that has
 * processed the packets it waits for; the order updates that come meanwhile
 * are queued with the packet they came in, and a snapshot loaded applies the
 * queued ones of later packets. One difference, forced by the wire: an MBP
 * book whose RptSeq continues after a packet gap is recovered at once, but
 * 47 carries no RptSeq and orders below the MBP depth change no level, so
 * an order book can only be recovered by its snapshot loop (53). A book that
 * refuses an update (an order it does not know, a full pool) is no longer
 * the exchange's and waits for its snapshot too.
 *
 * At the end of every event the MBP book the orders of each book it changed
 * imply (its first MarketDepth levels) is compared with the MBP book the
 * feed keeps from 46 and publishes; a difference is counted (mbo_mismatch),
 * as the exchange sends both and they must agree. */
#include "mbo.h"
#include <stdlib.h>
#include <string.h>
#include "feed_int.h"
#include "gputick/err.h"
#include "gputick/tick.h"

/* ---- the books ------------------------------------------------------------ */

static inline size_t slot_home(const struct mbo_set *s, uint32_t bi, uint64_t id)
{
    uint64_t h = (id ^ ((uint64_t)bi << 40)) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & s->slot_mask;
}

int mbo_set_init(struct mbo_set *s, size_t max_books, size_t max_orders, size_t queue_len)
{
    memset(s, 0, sizeof *s);
    size_t slots = 16;
    while (slots < 2 * max_orders)
        slots <<= 1;
    s->max_books = max_books;
    s->max_orders = max_orders;
    /* Every level holds an order, so levels never run out before orders. */
    s->max_levels = max_orders + 2;
    s->q_cap = queue_len ? queue_len : 1;
    s->books = calloc(max_books, sizeof *s->books);
    s->orders = calloc(max_orders, sizeof *s->orders);
    s->levels = calloc(s->max_levels, sizeof *s->levels);
    s->slot = calloc(slots, sizeof *s->slot);
    s->touched = calloc(max_books, sizeof *s->touched);
    s->q = calloc(s->q_cap, sizeof *s->q);
    if (!s->books || !s->orders || !s->levels || !s->slot || !s->touched || !s->q) {
        mbo_set_fini(s);
        return GT_ENOMEM;
    }
    s->slot_mask = slots - 1;
    for (size_t i = 0; i < max_orders; i++)
        s->orders[i].next = i + 1 < max_orders ? (uint32_t)(i + 1) : MBO_NIL;
    s->free_order = max_orders ? 0 : MBO_NIL;
    for (size_t i = 0; i < s->max_levels; i++)
        s->levels[i].worse = i + 1 < s->max_levels ? (uint32_t)(i + 1) : MBO_NIL;
    s->free_level = 0;
    for (size_t i = 0; i < max_books; i++)
        s->books[i].best[0] = s->books[i].best[1] = s->books[i].best[2] = MBO_NIL;
    return GT_OK;
}

void mbo_set_fini(struct mbo_set *s)
{
    free(s->books);
    free(s->orders);
    free(s->levels);
    free(s->slot);
    free(s->touched);
    free(s->q);
    memset(s, 0, sizeof *s);
}

/* The hash slot of order id of book bi, or of the empty slot it would take. */
static size_t slot_find(const struct mbo_set *s, uint32_t bi, uint64_t id)
{
    size_t i = slot_home(s, bi, id);
    for (;;) {
        uint32_t v = s->slot[i];
        if (!v)
            return i;
        const struct mbo_order *o = &s->orders[v - 1];
        if (o->id == id && o->book == bi)
            return i;
        i = (i + 1) & s->slot_mask;
    }
}

/* Empties slot i, moving back the entries of the run after it that may not
 * sit past the hole (Knuth's algorithm R). */
static void slot_delete(struct mbo_set *s, size_t i)
{
    size_t j = i;
    for (;;) {
        j = (j + 1) & s->slot_mask;
        uint32_t v = s->slot[j];
        if (!v)
            break;
        const struct mbo_order *o = &s->orders[v - 1];
        size_t k = slot_home(s, o->book, o->id);
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        s->slot[i] = v;
        i = j;
    }
    s->slot[i] = 0;
}

/* Is px better than the price of level l on side? */
static inline bool px_better(int side, int64_t px, int64_t than)
{
    return side == GT_SIDE_BID ? px > than : px < than;
}

/* The level of px on side of book bi, created in its place if absent. */
static uint32_t level_get(struct mbo_set *s, uint32_t bi, int side, int64_t px)
{
    struct mbo_book *b = &s->books[bi];
    uint32_t prev = MBO_NIL, l = b->best[side];
    while (l != MBO_NIL && px_better(side, s->levels[l].px, px)) {
        prev = l;
        l = s->levels[l].worse;
    }
    if (l != MBO_NIL && s->levels[l].px == px)
        return l;
    uint32_t n = s->free_level; /* never MBO_NIL: see max_levels */
    struct mbo_level *lv = &s->levels[n];
    s->free_level = lv->worse;
    *lv = (struct mbo_level){px, 0, 0, MBO_NIL, MBO_NIL, prev, l};
    if (prev == MBO_NIL)
        b->best[side] = n;
    else
        s->levels[prev].worse = n;
    if (l != MBO_NIL)
        s->levels[l].better = n;
    return n;
}

static void level_free(struct mbo_set *s, uint32_t bi, int side, uint32_t l)
{
    struct mbo_level *lv = &s->levels[l];
    if (lv->better == MBO_NIL)
        s->books[bi].best[side] = lv->worse;
    else
        s->levels[lv->better].worse = lv->worse;
    if (lv->worse != MBO_NIL)
        s->levels[lv->worse].better = lv->better;
    lv->worse = s->free_level;
    s->free_level = l;
}

/* Files order oi in the queue of its price, behind every order of a lower
 * or equal priority value. */
static void order_link(struct mbo_set *s, uint32_t oi)
{
    struct mbo_order *o = &s->orders[oi];
    uint32_t l = level_get(s, o->book, o->side, o->px);
    struct mbo_level *lv = &s->levels[l];
    uint32_t after = lv->tail;
    while (after != MBO_NIL && s->orders[after].prio > o->prio)
        after = s->orders[after].prev;
    o->lvl = l;
    o->prev = after;
    o->next = after == MBO_NIL ? lv->head : s->orders[after].next;
    if (after == MBO_NIL)
        lv->head = oi;
    else
        s->orders[after].next = oi;
    if (o->next == MBO_NIL)
        lv->tail = oi;
    else
        s->orders[o->next].prev = oi;
    lv->qty += o->qty;
    lv->n++;
}

static void order_unlink(struct mbo_set *s, uint32_t oi)
{
    struct mbo_order *o = &s->orders[oi];
    struct mbo_level *lv = &s->levels[o->lvl];
    if (o->prev == MBO_NIL)
        lv->head = o->next;
    else
        s->orders[o->prev].next = o->next;
    if (o->next == MBO_NIL)
        lv->tail = o->prev;
    else
        s->orders[o->next].prev = o->prev;
    lv->qty -= o->qty;
    if (--lv->n == 0)
        level_free(s, o->book, o->side, o->lvl);
}

int mbo_apply(struct mbo_set *s, uint32_t bi, const struct mbo_update *u)
{
    if ((u->side != GT_SIDE_BID && u->side != GT_SIDE_ASK) || u->action > GT_ACT_DELETE ||
        bi >= s->max_books)
        return GT_EBADMSG;
    if (u->action != GT_ACT_DELETE && (u->px == INT64_MAX || u->qty < 0))
        return GT_EBADMSG;
    size_t i = slot_find(s, bi, u->id);
    uint32_t v = s->slot[i];
    if (!v && u->action != GT_ACT_NEW)
        return GT_ENOENT;
    if (u->action == GT_ACT_DELETE) {
        order_unlink(s, v - 1);
        slot_delete(s, i);
        s->orders[v - 1].next = s->free_order;
        s->free_order = v - 1;
        s->books[bi].n_orders--;
        s->n_orders--;
        return GT_OK;
    }
    if (!v) { /* a new order */
        if (s->free_order == MBO_NIL)
            return GT_ENOMEM;
        uint32_t oi = s->free_order;
        struct mbo_order *o = &s->orders[oi];
        s->free_order = o->next;
        *o = (struct mbo_order){
            .id = u->id, .prio = u->prio, .px = u->px, .qty = u->qty, .book = bi, .side = u->side};
        order_link(s, oi);
        s->slot[i] = oi + 1;
        s->books[bi].n_orders++;
        s->n_orders++;
        return GT_OK;
    }
    uint32_t oi = v - 1;
    struct mbo_order *o = &s->orders[oi];
    if (o->px == u->px && o->side == u->side && o->prio == u->prio) {
        s->levels[o->lvl].qty += u->qty - o->qty; /* in place: its rank unchanged */
        o->qty = u->qty;
        return GT_OK;
    }
    order_unlink(s, oi);
    o->px = u->px;
    o->side = u->side;
    o->prio = u->prio;
    o->qty = u->qty;
    order_link(s, oi);
    return GT_OK;
}

void mbo_clear(struct mbo_set *s, uint32_t bi)
{
    struct mbo_book *b = &s->books[bi];
    for (int side = GT_SIDE_BID; side <= GT_SIDE_ASK; side++)
        while (b->best[side] != MBO_NIL) {
            uint32_t oi = s->levels[b->best[side]].head;
            struct mbo_update u = {
                .id = s->orders[oi].id, .side = (uint8_t)side, .action = GT_ACT_DELETE};
            mbo_apply(s, bi, &u);
        }
}

int mbo_derive(const struct mbo_set *s, uint32_t bi, int side, struct gt_mbp_level *lv, int depth)
{
    int n = 0;
    for (uint32_t l = s->books[bi].best[side]; l != MBO_NIL && n < depth;
         l = s->levels[l].worse, n++)
        lv[n] = (struct gt_mbp_level){s->levels[l].px, s->levels[l].qty, s->levels[l].n};
    for (int k = n; k < depth; k++)
        lv[k] = (struct gt_mbp_level){GT_MBP_PX_NONE, 0, 0};
    return n;
}

int mbo_walk(const struct mbo_set *s, uint32_t bi,
             int (*fn)(void *ctx, const struct mbo_order *o, int level), void *ctx)
{
    for (int side = GT_SIDE_BID; side <= GT_SIDE_ASK; side++) {
        int level = 1;
        for (uint32_t l = s->books[bi].best[side]; l != MBO_NIL; l = s->levels[l].worse, level++)
            for (uint32_t oi = s->levels[l].head; oi != MBO_NIL; oi = s->orders[oi].next) {
                int rc = fn(ctx, &s->orders[oi], level);
                if (rc)
                    return rc;
            }
    }
    return 0;
}

/* ---- the feed's hooks ----------------------------------------------------- */

static void mbo_touch(struct feed *f, size_t ii)
{
    struct mbo_book *mb = &f->mbo.books[ii];
    if (!mb->touched) {
        mb->touched = true;
        f->mbo.touched[f->mbo.n_touched++] = (uint32_t)ii;
    }
}

/* Stages an order record of instrument ii (tick.h, struct gt_order). */
static void order_rec(struct feed *f, size_t ii, int64_t ts, uint16_t flags,
                      const struct mbo_update *u)
{
    struct gt_tick t;
    tick_init(&t, &f->inst[ii], GT_KIND_ORDER, ts, f->recv_ns);
    t.flags = flags;
    t.u.order = (struct gt_order){u->px, u->id, u->prio, u->qty, u->side, u->action, {0, 0}};
    stage(f, ii, &t);
}

/* The record that empties the order book of ii: flagged stale, it says the
 * book is untrusted until one flagged recovery starts it again. */
static void order_clear_rec(struct feed *f, size_t ii, uint16_t flags)
{
    struct mbo_update u = {.px = INT64_MAX, .prio = UINT64_MAX, .action = GT_ACT_DELETE_THRU};
    order_rec(f, ii, f->inst[ii].last_ns, flags, &u);
}

struct rec_ctx {
    struct feed *f;
    size_t ii;
};

static int order_new_rec(void *ctx, const struct mbo_order *o, int level)
{
    (void)level;
    struct rec_ctx *c = ctx;
    struct mbo_update u = {o->id, o->prio, o->px, o->qty, o->side, GT_ACT_NEW};
    order_rec(c->f, c->ii, c->f->inst[c->ii].last_ns, GT_F_RECOVERY, &u);
    return 0;
}

/* The book's first order update or snapshot: from now on it is kept. If its
 * instrument went stale before (a late join, a gap) it may already lack
 * orders: its staleness, recorded silently, now counts. */
static inline void mbo_activate(struct feed *f, struct mbo_book *mb)
{
    if (mb->active)
        return;
    mb->active = true;
    if (mb->stale) {
        f->st.mbo_stale++;
        f->st.mbo_n_stale++;
        order_clear_rec(f, (size_t)(mb - f->mbo.books), GT_F_STALE);
    }
}

void mbo_mark_stale(struct feed *f, size_t ii, uint32_t need)
{
    struct mbo_book *mb = &f->mbo.books[ii];
    if (mb->need < need)
        mb->need = need;
    if (mb->stale)
        return;
    mb->stale = true;
    mb->snap_next = 0;
    if (mb->active) {
        f->st.mbo_stale++;
        f->st.mbo_n_stale++;
        order_clear_rec(f, ii, GT_F_STALE);
    }
}

static void mbo_mark_live(struct feed *f, size_t ii)
{
    struct mbo_book *mb = &f->mbo.books[ii];
    if (mb->stale && mb->active && f->st.mbo_n_stale)
        f->st.mbo_n_stale--;
    mb->stale = false;
    mb->need = 0;
    mb->snap_next = 0;
}

void mbo_reset(struct feed *f, size_t ii)
{
    mbo_clear(&f->mbo, (uint32_t)ii);
    mbo_mark_live(f, ii);
    f->mbo.books[ii].loaded = 0;
    if (f->mbo.books[ii].active)
        order_clear_rec(f, ii, 0);
    mbo_touch(f, ii);
}

/* One order update of instrument ii from the incremental feed: applied to a
 * live book, queued for a stale one. */
static void mbo_update(struct feed *f, size_t ii, int64_t ts, const struct mbo_update *u)
{
    struct mbo_set *s = &f->mbo;
    struct mbo_book *mb = &s->books[ii];
    mbo_activate(f, mb);
    if (f->inst[ii].state == I_PENDING)
        mbo_mark_stale(f, ii, f->inc_seq);
    if (f->inc_seq <= mb->loaded && !mb->stale)
        return; /* its snapshot had it */
    if (mb->stale) {
        struct mbo_qent *e = &s->q[s->q_head % s->q_cap];
        if (s->q_head - s->q_tail >= s->q_cap) {
            s->q_lost_seq = e->seq;
            s->q_tail++;
            f->st.mbo_queue_overrun++;
        }
        *e = (struct mbo_qent){(uint32_t)ii, f->inc_seq, *u};
        s->q_head++;
        return;
    }
    if (mbo_apply(s, (uint32_t)ii, u) < 0) {
        f->st.mbo_rejected++;
        mbo_mark_stale(f, ii, f->inc_seq);
        return;
    }
    f->st.mbo_updates++;
    order_rec(f, ii, ts, 0, u);
    mbo_touch(f, ii);
}

static inline uint8_t mbo_side(char entry_type)
{
    return entry_type == MDP3_ET_BID ? GT_SIDE_BID : entry_type == MDP3_ET_OFFER ? GT_SIDE_ASK : 0;
}

/* One order entry of instrument sec, whatever template it came in. */
static void mbo_entry(struct feed *f, int64_t ts, int32_t sec, char entry_type, uint64_t id,
                      uint64_t prio, int64_t px, int32_t qty, uint8_t action)
{
    long ii = inst_get(f, sec, GT_INSTR_FUTURE, true);
    if (ii < 0)
        return;
    uint8_t side = mbo_side(entry_type);
    if (!side || id == MDP3_U64_NULL) {
        f->st.malformed++;
        return;
    }
    struct mbo_update u = {id, prio, px, qty == MDP3_I32_NULL ? 0 : qty, side, action};
    mbo_update(f, (size_t)ii, ts, &u);
}

void mbo_on_book46(struct feed *f, const struct mdp3_incr *m)
{
    for (size_t i = 0; i < m->orders.n; i++) {
        struct mdp3_book46_order o;
        mdp3_book46_order(m, i, &o);
        /* ReferenceID: the entry of NoMDEntries (from 1) whose price, side
         * and instrument the order has. */
        if (o.reference_id == MDP3_U8_NULL || o.reference_id < 1 || o.reference_id > m->entries.n) {
            f->st.malformed++;
            continue;
        }
        struct mdp3_book46_entry e;
        mdp3_book46_entry(m, o.reference_id - 1u, &e);
        mbo_entry(f, (int64_t)m->transact_time_ns, e.security_id, e.entry_type, o.order_id,
                  o.priority, e.px, o.display_qty, o.order_update_action);
    }
}

void mbo_on_orderbook47(struct feed *f, const struct mdp3_incr *m)
{
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_orderbook47_entry e;
        mdp3_orderbook47_entry(m, i, &e);
        mbo_entry(f, (int64_t)m->transact_time_ns, e.security_id, e.entry_type, e.order_id,
                  e.priority, e.px, e.display_qty, e.update_action);
    }
}

/* Applies the queued updates of book ii from packets after last. Returns
 * false if one does not apply (the book waits for the next snapshot). */
static bool mbo_replay(struct feed *f, size_t ii, uint32_t last)
{
    struct mbo_set *s = &f->mbo;
    for (uint64_t k = s->q_tail; k < s->q_head; k++) {
        const struct mbo_qent *e = &s->q[k % s->q_cap];
        if (e->book != ii || e->seq <= last)
            continue;
        if (mbo_apply(s, (uint32_t)ii, &e->u) < 0)
            return false;
    }
    return true;
}

void mbo_on_snapshot53(struct feed *f, const struct mdp3_msg *msg, int line)
{
    struct mdp3_snapshot53 s;
    if (mdp3_snapshot53_decode(msg, &s) < 0) {
        f->st.malformed++;
        return;
    }
    long ii = inst_get(f, s.security_id, GT_INSTR_FUTURE, true);
    if (ii < 0 || !is_book(f, (size_t)ii))
        return;
    struct mbo_book *mb = &f->mbo.books[ii];
    mbo_activate(f, mb);
    if (!mb->stale || f->inst[ii].state == I_PENDING)
        return;
    uint32_t last = s.last_msg_seq_num_processed;
    if (s.current_chunk == 1) {
        /* The first chunk of a snapshot that has processed what the book
         * waits for, and every packet whose queued update was lost. */
        if (last < mb->need || last < f->mbo.q_lost_seq)
            return;
        mbo_clear(&f->mbo, (uint32_t)ii);
        mb->snap_next = 1;
        mb->snap_line = (uint8_t)line;
        mb->snap_last = last;
    }
    if (!mb->snap_next || line != mb->snap_line)
        return;
    if (s.current_chunk != mb->snap_next || last != mb->snap_last) {
        mb->snap_next = 0; /* a chunk lost: the next round */
        return;
    }
    for (size_t i = 0; i < s.entries.n; i++) {
        struct mdp3_snapshot53_entry e;
        mdp3_snapshot53_entry(&s, i, &e);
        struct mbo_update u = {e.order_id, e.priority, e.px, e.display_qty, mbo_side(e.entry_type),
                               GT_ACT_NEW};
        if (mbo_apply(&f->mbo, (uint32_t)ii, &u) < 0) {
            f->st.mbo_rejected++;
            mb->snap_next = 0;
            return;
        }
    }
    if (s.current_chunk < s.no_chunks) {
        mb->snap_next++;
        return;
    }
    if (last < f->mbo.q_lost_seq || !mbo_replay(f, (size_t)ii, last)) {
        mb->snap_next = 0;
        return;
    }
    mbo_mark_live(f, (size_t)ii);
    mb->loaded = last;
    f->st.mbo_recovered++;
    mbo_touch(f, (size_t)ii);
    /* The whole book again: emptied, then a new per order, all flagged. */
    if (s.transact_time_ns)
        f->inst[ii].last_ns = (int64_t)s.transact_time_ns;
    order_clear_rec(f, (size_t)ii, GT_F_RECOVERY);
    struct rec_ctx c = {f, (size_t)ii};
    mbo_walk(&f->mbo, (uint32_t)ii, order_new_rec, &c);
}

/* Do the first depth levels of one side agree? A level's order count is
 * compared where the MBP book has one. */
static bool mbo_side_agrees(const struct gt_mbp_level *mbp, const struct gt_mbp_level *mbo,
                            int depth)
{
    for (int l = 0; l < depth; l++) {
        if (mbp[l].px != mbo[l].px)
            return false;
        if (mbp[l].px == GT_MBP_PX_NONE)
            continue;
        if (mbp[l].qty != mbo[l].qty ||
            (mbp[l].n_orders != INT32_MAX && mbp[l].n_orders != mbo[l].n_orders))
            return false;
    }
    return true;
}

void mbo_event_end(struct feed *f)
{
    struct mbo_set *s = &f->mbo;
    for (size_t k = 0; k < s->n_touched; k++) {
        size_t ii = s->touched[k];
        struct mbo_book *mb = &s->books[ii];
        const struct book *b = &f->bs.books[ii];
        mb->touched = false;
        /* Both books must be live and at the same point of the stream: a
         * snapshot either was loaded from may have run ahead of it (its
         * packets held behind a hole), until the stream catches up. */
        if (mb->stale || b->stale || !mb->active || mb->loaded > f->inc_seq ||
            f->keep[ii].last_msg > f->inc_seq)
            continue;
        struct gt_mbp_level lv[GT_BOOK_DEPTH];
        f->st.mbo_checks++;
        mbo_derive(s, (uint32_t)ii, GT_SIDE_BID, lv, b->depth);
        bool ok = mbo_side_agrees(b->bid, lv, b->depth);
        if (ok) {
            mbo_derive(s, (uint32_t)ii, GT_SIDE_ASK, lv, b->depth);
            ok = mbo_side_agrees(b->ask, lv, b->depth);
        }
        if (!ok)
            f->st.mbo_mismatch++;
    }
    s->n_touched = 0;
    f->st.mbo_orders = s->n_orders;
}

void mbo_seq_restart(struct feed *f)
{
    struct mbo_set *s = &f->mbo;
    for (size_t ii = 0; ii < f->n_inst; ii++)
        s->books[ii].need = s->books[ii].loaded = 0;
    s->q_tail = s->q_head;
    s->q_lost_seq = 0;
}
