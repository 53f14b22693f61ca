/* SPDX-License-Identifier: MIT */
/* fuzz_mbo.c -- market-by-order books: the order book alone against a model,
 * and the feed's order path (46's orders, 47, 53 and loss) end to end.
 *
 * The first byte chooses. Even: 8-byte records [action][book][id][prio]
 * [px][qty][side][pad] applied to a tiny mbo_set (4 books, 24 orders, so
 * collisions, unknown ids and a full pool are common) and to a plain array;
 * after each, mbo_apply's answer must be the model's (GT_ENOENT for an
 * unknown order, GT_ENOMEM for a full pool, GT_EBADMSG for a bad side,
 * action or price), every book must walk in book order (bids then asks,
 * better price first, lower priority first, the model's order for equal
 * priorities) with exactly the model's orders, and the implied levels must
 * sum them. Odd: 10-byte records build packets from the exchange's
 * templates (a 47, a 46 whose order entry names an entry by ReferenceID, a
 * 53 chunk, a lost packet) and offer them to a small feed; whatever comes,
 * no crash, no leak, no more resting orders than the pool holds, and every
 * book walks in book order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../feedhandler/feed.h"
#include "../../feedhandler/mbo.h"
#include "channels.h"
#include "gputick/err.h"
#include "gputick/tick.h"
#include "mdp3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { BOOKS = 4, ORDERS = 24, LEVELS = 10 };

struct morder {
    uint64_t id, prio, stamp;
    int64_t px;
    int32_t qty;
    uint32_t book;
    uint8_t side;
};

struct model {
    struct morder o[ORDERS];
    int n;
    uint64_t stamp;
};

static int model_find(const struct model *m, uint32_t book, uint64_t id)
{
    for (int i = 0; i < m->n; i++)
        if (m->o[i].book == book && m->o[i].id == id)
            return i;
    return -1;
}

/* The answer mbo_apply must give, with the model updated as the book is. */
static int model_apply(struct model *m, uint32_t book, const struct mbo_update *u)
{
    if ((u->side != GT_SIDE_BID && u->side != GT_SIDE_ASK) || u->action > GT_ACT_DELETE)
        return GT_EBADMSG;
    if (u->action != GT_ACT_DELETE && (u->px == INT64_MAX || u->qty < 0))
        return GT_EBADMSG;
    int i = model_find(m, book, u->id);
    if (i < 0 && u->action != GT_ACT_NEW)
        return GT_ENOENT;
    if (u->action == GT_ACT_DELETE) {
        m->o[i] = m->o[--m->n];
        return GT_OK;
    }
    if (i < 0) {
        if (m->n == ORDERS)
            return GT_ENOMEM;
        m->o[m->n++] = (struct morder){u->id, u->prio, ++m->stamp, u->px, u->qty, book, u->side};
        return GT_OK;
    }
    struct morder *o = &m->o[i];
    if (o->px != u->px || o->side != u->side || o->prio != u->prio)
        o->stamp = ++m->stamp; /* refiled: behind its equals */
    o->px = u->px, o->side = u->side, o->prio = u->prio, o->qty = u->qty;
    return GT_OK;
}

static int before(const struct morder *a, const struct morder *b)
{
    if (a->side != b->side)
        return a->side == GT_SIDE_BID;
    if (a->px != b->px)
        return a->side == GT_SIDE_BID ? a->px > b->px : a->px < b->px;
    if (a->prio != b->prio)
        return a->prio < b->prio;
    return a->stamp < b->stamp;
}

struct walk {
    struct morder want[ORDERS];
    int n, k;
};

static int walk_check(void *ctx, const struct mbo_order *o, int level)
{
    (void)level;
    struct walk *w = ctx;
    if (w->k >= w->n)
        abort();
    const struct morder *m = &w->want[w->k++];
    if (m->id != o->id || m->prio != o->prio || m->px != o->px || m->qty != o->qty ||
        m->side != o->side)
        abort();
    return 0;
}

static void check_book(const struct mbo_set *s, const struct model *m, uint32_t book)
{
    struct walk w = {.n = 0};
    for (int i = 0; i < m->n; i++)
        if (m->o[i].book == book)
            w.want[w.n++] = m->o[i];
    for (int a = 1; a < w.n; a++)
        for (int b = a; b > 0 && before(&w.want[b], &w.want[b - 1]); b--) {
            struct morder t = w.want[b];
            w.want[b] = w.want[b - 1];
            w.want[b - 1] = t;
        }
    mbo_walk(s, book, walk_check, &w);
    if (w.k != w.n || s->books[book].n_orders != (uint32_t)w.n)
        abort();
    for (int side = GT_SIDE_BID; side <= GT_SIDE_ASK; side++) {
        struct gt_mbp_level lv[LEVELS], want[LEVELS];
        int n = mbo_derive(s, book, side, lv, LEVELS), nw = 0;
        for (int l = 0; l < LEVELS; l++)
            want[l] = (struct gt_mbp_level){GT_MBP_PX_NONE, 0, 0};
        for (int k = 0; k < w.n; k++) {
            if (w.want[k].side != side)
                continue;
            if (!nw || want[nw - 1].px != w.want[k].px) {
                if (nw == LEVELS)
                    break;
                want[nw++].px = w.want[k].px;
            }
            want[nw - 1].qty += w.want[k].qty;
            want[nw - 1].n_orders++;
        }
        if (n != nw)
            abort();
        for (int l = 0; l < LEVELS; l++)
            if (lv[l].px != want[l].px || lv[l].qty != want[l].qty ||
                lv[l].n_orders != want[l].n_orders)
                abort();
    }
}

static void fuzz_book(const uint8_t *d, size_t n)
{
    struct mbo_set s;
    if (mbo_set_init(&s, BOOKS, ORDERS, 4) < 0)
        return;
    struct model m = {.n = 0};
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint32_t book = d[i + 1] % BOOKS;
        struct mbo_update u = {.id = d[i + 2] % 32,
                               .prio = d[i + 3] % 8,
                               .px =
                                   d[i + 4] == 255 ? INT64_MAX : 2500000000 + d[i + 4] % 12 * 5000,
                               .qty = (int8_t)d[i + 5],
                               .side = d[i + 6] % 4,
                               .action = d[i] % 4};
        int want = model_apply(&m, book, &u);
        if (mbo_apply(&s, book, &u) != want)
            abort();
        check_book(&s, &m, book);
    }
    for (uint32_t b = 0; b < BOOKS; b++) {
        mbo_clear(&s, b);
        if (s.books[b].n_orders)
            abort();
    }
    if (s.n_orders)
        abort();
    mbo_set_fini(&s);
}

static int sink(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    (void)ctx, (void)topic, (void)tl, (void)recs, (void)n;
    return GT_OK;
}

struct order_walk {
    struct feed_order o[ORDERS];
};

static void fuzz_feed(const uint8_t *d, size_t n)
{
    struct feed *f;
    char err[GT_ERRLEN];
    struct feed_opts o = {.max_instruments = 8,
                          .queue_len = 64,
                          .max_event = 64,
                          .max_orders = ORDERS,
                          .order_queue_len = 8,
                          .arb_window = 16,
                          .arb_wait_ns = 1000,
                          .emit = sink};
    if (feed_open(&f, &o, err) < 0)
        return;
    uint8_t pkt[1500];
    uint32_t seq = 0;
    int64_t now = 1795000000000000000;
    for (size_t i = 0; i + 10 <= n; i += 10) {
        const uint8_t *r = d + i;
        int32_t sec = 1001 + r[1] % 3;
        char et = r[7] == 255 ? 'x' : "01"[r[7] % 2];
        uint8_t act = r[2] == 255 ? 7 : (uint8_t)(r[2] % 3);
        int64_t px = 2500000000 + (int64_t)(r[5] % 12) * 5000000;
        struct mdp3_enc e;
        now += 400;
        int feed_which = GT_FEED_INCR_A;
        struct mdp3_incr m = {.transact_time_ns = (uint64_t)now, .mei = r[8] & 0x80};
        switch (r[0] % 4) {
        case 0: { /* a 47 */
            mdp3_enc_init(&e, pkt, sizeof pkt, ++seq, (uint64_t)now);
            struct mdp3_orderbook47_entry x = {r[3] % 16, r[4], px, r[6] % 50, sec, act, et};
            mdp3_enc_orderbook47(&e, &m, &x, 1);
            break;
        }
        case 1: { /* a 46 with an order entry */
            mdp3_enc_init(&e, pkt, sizeof pkt, ++seq, (uint64_t)now);
            struct mdp3_book46_entry x = {
                px,       (int8_t)r[6], sec,          r[4], 1, (uint8_t)(1 + r[2] % 10),
                r[2] % 3, et,           MDP3_I32_NULL};
            struct mdp3_book46_order bo = {r[3] % 16, r[4], r[6] % 50, (uint8_t)(r[9] % 3), act};
            mdp3_enc_book46(&e, &m, &x, 1, &bo, 1);
            break;
        }
        case 2: { /* a 53 chunk */
            feed_which = r[9] & 1 ? GT_FEED_SNAP_B : GT_FEED_SNAP_A;
            mdp3_enc_init(&e, pkt, sizeof pkt, 1, (uint64_t)now);
            struct mdp3_snapshot53 s = {.last_msg_seq_num_processed = seq - (r[4] % 8 == 0),
                                        .security_id = sec,
                                        .no_chunks = 1 + r[2] % 2,
                                        .current_chunk = 1 + r[3] % 2,
                                        .transact_time_ns = (uint64_t)now};
            struct mdp3_snapshot53_entry x[2] = {{r[6] % 16, r[4], px, (int8_t)r[6], et},
                                                 {r[8] % 16, r[9], px, r[5] % 9, '1'}};
            mdp3_enc_snapshot53(&e, &s, x, r[7] % 3);
            break;
        }
        default: /* a packet lost on both lines */
            seq++;
            continue;
        }
        feed_packet(f, feed_which, pkt, mdp3_enc_len(&e), now);
        if (r[8] & 1)
            feed_poll(f, now + 2000);
    }
    feed_poll(f, now + 1000000);
    const struct feed_stats *st = feed_stats(f);
    if (st->mbo_orders > ORDERS)
        abort();
    for (int32_t sec = 1001; sec <= 1003; sec++) {
        struct feed_order got[ORDERS];
        long k = feed_orders(f, sec, got, ORDERS, NULL);
        if (k > ORDERS)
            abort();
        for (long j = 1; j < k; j++) {
            const struct feed_order *a = &got[j - 1], *b = &got[j];
            if (a->side > b->side)
                abort();
            if (a->side != b->side)
                continue;
            if (a->px == b->px ? a->prio > b->prio || a->level != b->level
                               : (a->side == GT_SIDE_BID ? a->px < b->px : a->px > b->px) ||
                                     b->level != a->level + 1)
                abort();
        }
    }
    feed_close(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        fuzz_feed(data + 1, size - 1);
    else
        fuzz_book(data + 1, size - 1);
    return 0;
}
