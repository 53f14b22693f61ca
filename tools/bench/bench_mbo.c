/* SPDX-License-Identifier: MIT */
/* bench_mbo.c -- market-by-order books: their upkeep beside decoding, and
 * tickfeed with them beside tickfeed's MBP path alone.
 *
 * The stream is an order flow over 48 futures built with the MDP 3.0
 * encoder: one order event a packet (40 % new orders, 15 % cancels, 25 %
 * fills and quantity cuts that keep their place, 20 % quantity rises and
 * price moves that lose it), a random walk of 50 to 400 resting orders an
 * instrument over 14 price levels a side. The exchange keeps its orders in
 * an order book of its own (mbo.h) and sends, as CME does, the MBP entries
 * the event changed in a 46 (an overlay per changed level, deletes past the
 * last) and the order either in that 46's order group (when it refers to
 * one of its entries, half the time) or in a 47. A second stream holds the
 * same packets without their order entries: the MBP path.
 *
 * Measures, best of five, per order event: mbo_apply() over the decoded
 * updates, against framing and decoding every message of the packets and
 * reading every entry (what any consumer of the codec pays); and tickfeed's
 * core over the whole stream, against the same core over the MBP stream.
 * Both runs must end with no stale book and no MBO/MBP mismatch. Times are
 * the thread's CPU time, not the wall clock: on a shared machine the wall
 * clock also counts the time the scheduler gave to others, which is not the
 * cost of either side and falls unevenly on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "channels.h"
#include "feed.h"
#include "gputick/err.h"
#include "gputick/tick.h"
#include "mbo.h"
#include "mdp3.h"

enum { N_INSTR = 48, N_EVENTS = 200000, PKT_CAP = 512, ROUNDS = 5, MAX_RESTING = 400 };

struct stream {
    uint8_t *buf[2]; /* [0] full, [1] MBP only: N_EVENTS packets of PKT_CAP bytes */
    uint16_t *len[2];
    size_t n_pkts[2];
    struct mbo_update *upd; /* the order updates, for mbo_apply alone */
    uint32_t *upd_book;
    uint8_t defs[N_INSTR][PKT_CAP];
    size_t def_len[N_INSTR];
};

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x2545f4914f6cdd1du;
static uint32_t rnd(uint32_t n)
{
    return bench_rnd(&rng, n);
}

struct xbook {
    uint64_t id[MAX_RESTING];
    int n;
    struct gt_mbp_level lv[2][10]; /* the MBP levels last sent */
};

/* The MBP entries that take the levels last sent for book i to what its
 * orders now make; returns how many. */
static size_t mbp_diff(struct mbo_set *x, struct xbook *b, int i, uint32_t *rpt,
                       struct mdp3_book46_entry *en)
{
    size_t n = 0;
    for (int side = GT_SIDE_BID; side <= GT_SIDE_ASK; side++) {
        struct gt_mbp_level want[10], *cur = b->lv[side - 1];
        int n_want = mbo_derive(x, (uint32_t)i, side, want, 10), n_cur = 0;
        while (n_cur < 10 && cur[n_cur].px != GT_MBP_PX_NONE)
            n_cur++;
        char et = side == GT_SIDE_BID ? MDP3_ET_BID : MDP3_ET_OFFER;
        for (int l = 0; l < n_want; l++)
            if (l >= n_cur || memcmp(&cur[l], &want[l], sizeof want[l]) != 0)
                en[n++] = (struct mdp3_book46_entry){
                    want[l].px,       (int32_t)want[l].qty, 1000 + i,         ++*rpt,
                    want[l].n_orders, (uint8_t)(l + 1),     MDP3_ACT_OVERLAY, et,
                    MDP3_I32_NULL};
        for (int l = n_want; l < n_cur; l++) /* each delete moves the rest up */
            en[n++] = (struct mdp3_book46_entry){
                cur[l].px,     MDP3_I32_NULL,         1000 + i,        ++*rpt,
                MDP3_I32_NULL, (uint8_t)(n_want + 1), MDP3_ACT_DELETE, et,
                MDP3_I32_NULL};
        memcpy(cur, want, sizeof want);
    }
    return n;
}

/* One order event of book i: applies it to the exchange's book, fills *u. */
static void order_event(struct mbo_set *x, struct xbook *b, int i, uint64_t *next_id,
                        uint64_t *next_prio, struct mbo_update *u)
{
    int r = (int)rnd(100), k = b->n ? (int)rnd((uint32_t)b->n) : 0;
    const struct mbo_order *o = NULL;
    if (b->n < 50 || (r < 40 && b->n < MAX_RESTING)) {
        uint8_t side = rnd(2) ? GT_SIDE_BID : GT_SIDE_ASK;
        *u = (struct mbo_update){*next_id += 1 + rnd(7),
                                 *next_prio += 1 + rnd(50),
                                 2750000000 + (side == GT_SIDE_BID ? -1 : 1) *
                                                  (1 + (int64_t)rnd(14)) * 5000000,
                                 1 + (int32_t)rnd(20),
                                 side,
                                 GT_ACT_NEW};
        b->id[b->n++] = u->id;
        mbo_apply(x, (uint32_t)i, u);
        return;
    }
    /* The order's state, from the exchange's own book. */
    for (int side = GT_SIDE_BID; side <= GT_SIDE_ASK; side++)
        for (uint32_t l = x->books[i].best[side]; !o && l != MBO_NIL; l = x->levels[l].worse)
            for (uint32_t oi = x->levels[l].head; !o && oi != MBO_NIL; oi = x->orders[oi].next)
                if (x->orders[oi].id == b->id[k])
                    o = &x->orders[oi];
    *u = (struct mbo_update){o->id, o->prio, o->px, o->qty, o->side, GT_ACT_CHANGE};
    if (r < 55) {
        u->action = GT_ACT_DELETE;
    } else if (r < 80) { /* a fill or a cut keeps its place */
        u->qty -= 1 + (int32_t)rnd((uint32_t)u->qty);
        u->action = u->qty ? GT_ACT_CHANGE : GT_ACT_DELETE;
    } else if (r < 90) {
        u->qty += 1 + (int32_t)rnd(10);
        u->prio = *next_prio += 1 + rnd(50);
    } else {
        u->px += (rnd(2) ? 1 : -1) * 5000000;
        u->prio = *next_prio += 1 + rnd(50);
    }
    if (u->action == GT_ACT_DELETE)
        b->id[k] = b->id[--b->n];
    mbo_apply(x, (uint32_t)i, u);
}

static int make_stream(struct stream *s)
{
    uint64_t t = 1795000000ull * 1000000000ull, next_id = 843000000000ull, next_prio = 1;
    uint32_t rpt[N_INSTR] = {0};
    struct mbo_set x;
    struct xbook *b = calloc(N_INSTR, sizeof *b);
    int rc = b ? mbo_set_init(&x, N_INSTR, N_INSTR * MAX_RESTING, 1) : GT_ENOMEM;
    if (rc < 0 || (rc = bench_future_defs(N_INSTR, &s->defs[0][0], PKT_CAP, s->def_len)) < 0)
        goto done;
    for (int i = 0; i < N_INSTR; i++)
        for (int side = 0; side < 2; side++)
            gt_mbp_clear(b[i].lv[side], 0, 10);
    for (size_t p = 0; p < N_EVENTS; p++) {
        int i = (int)rnd(N_INSTR);
        struct mbo_update *u = &s->upd[p];
        order_event(&x, &b[i], i, &next_id, &next_prio, u);
        s->upd_book[p] = (uint32_t)i;
        struct mdp3_book46_entry en[24];
        size_t n = mbp_diff(&x, &b[i], i, &rpt[i], en), ref = 0;
        char et = u->side == GT_SIDE_BID ? MDP3_ET_BID : MDP3_ET_OFFER;
        for (size_t j = 0; j < n && rnd(2); j++)
            if (en[j].px == u->px && en[j].entry_type == et)
                ref = j + 1;
        struct mdp3_incr m = {.transact_time_ns = t += 1000,
                              .mei = MDP3_MEI_LAST_QUOTE | MDP3_MEI_END_OF_EVENT};
        struct mdp3_incr m46 = {.transact_time_ns = t};
        for (int w = 0; w < 2; w++) {
            if (w == 1 && !n)
                continue; /* the MBP stream: nothing to send */
            struct mdp3_enc e;
            uint8_t *pkt = s->buf[w] + s->n_pkts[w] * PKT_CAP;
            mdp3_enc_init(&e, pkt, PKT_CAP, (uint32_t)s->n_pkts[w] + 1, t);
            struct mdp3_book46_order bo = {u->id, u->prio, u->qty, (uint8_t)ref, u->action};
            if (w == 1 || ref)
                rc = mdp3_enc_book46(&e, &m, en, n, &bo, w == 0);
            else if ((rc = n ? mdp3_enc_book46(&e, &m46, en, n, NULL, 0) : GT_OK) == GT_OK) {
                struct mdp3_orderbook47_entry oe = {u->id,    u->prio,   u->px, u->qty,
                                                    1000 + i, u->action, et};
                rc = mdp3_enc_orderbook47(&e, &m, &oe, 1);
            }
            if (rc < 0)
                goto done;
            s->len[w][s->n_pkts[w]++] = (uint16_t)mdp3_enc_len(&e);
        }
    }
done:
    mbo_set_fini(&x);
    free(b);
    return rc;
}

/* The baseline: frame, decode and read every entry of every group. */
static uint64_t decode_only(const struct stream *s)
{
    uint64_t sum = 0;
    for (size_t p = 0; p < s->n_pkts[0]; p++) {
        struct mdp3_pkt pkt;
        struct mdp3_msg msg;
        struct mdp3_incr m;
        mdp3_pkt_init(&pkt, s->buf[0] + p * PKT_CAP, s->len[0][p]);
        while (mdp3_pkt_next(&pkt, &msg) > 0) {
            if (msg.template_id == MDP3_T_BOOK46 && mdp3_book46_decode(&msg, &m) == GT_OK) {
                for (size_t i = 0; i < m.entries.n; i++) {
                    struct mdp3_book46_entry e;
                    mdp3_book46_entry(&m, i, &e);
                    sum += (uint64_t)e.px + (uint64_t)e.size + e.price_level + e.rpt_seq;
                }
                for (size_t i = 0; i < m.orders.n; i++) {
                    struct mdp3_book46_order o;
                    mdp3_book46_order(&m, i, &o);
                    sum += o.order_id + o.priority + (uint64_t)o.display_qty + o.reference_id;
                }
            } else if (msg.template_id == MDP3_T_ORDER_BOOK47 &&
                       mdp3_orderbook47_decode(&msg, &m) == GT_OK) {
                for (size_t i = 0; i < m.entries.n; i++) {
                    struct mdp3_orderbook47_entry e;
                    mdp3_orderbook47_entry(&m, i, &e);
                    sum += e.order_id + e.priority + (uint64_t)e.px + (uint64_t)e.display_qty;
                }
            }
        }
    }
    return sum;
}

/* mbo_apply() alone over the updates, into a fresh set sized as tickfeed
 * sizes its own (feed.h: 262144 orders), so both probe a hash of one size. */
static int apply_only(const struct stream *s, double *secs)
{
    struct mbo_set x;
    int rc = mbo_set_init(&x, 4096, 1u << 18, 1);
    if (rc < 0)
        return rc;
    double t0 = cpu_now();
    for (size_t p = 0; p < N_EVENTS && rc == 0; p++)
        rc = mbo_apply(&x, s->upd_book[p], &s->upd[p]);
    *secs = cpu_now() - t0;
    bench_sink(x.n_orders);
    mbo_set_fini(&x);
    return rc;
}

static int count_emit(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    (void)ctx, (void)topic, (void)tl, (void)recs;
    bench_sink(n);
    return GT_OK;
}

static int feed_run(const struct stream *s, int w, double *secs)
{
    struct feed *f;
    char err[GT_ERRLEN];
    struct feed_opts o = {.emit = count_emit};
    int rc = feed_open(&f, &o, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < N_INSTR; i++)
        feed_packet(f, GT_FEED_DEF_A, s->defs[i], s->def_len[i], 0);
    double t0 = cpu_now();
    for (size_t p = 0; p < s->n_pkts[w]; p++)
        feed_packet(f, GT_FEED_INCR_A, s->buf[w] + p * PKT_CAP, s->len[w][p], (int64_t)p);
    *secs = cpu_now() - t0;
    const struct feed_stats *st = feed_stats(f);
    rc = st->gaps || st->n_stale || st->mbo_n_stale || st->mbo_mismatch ||
                 (w == 0 && st->mbo_updates != N_EVENTS)
             ? GT_ECORRUPT
             : GT_OK;
    feed_close(f);
    return rc;
}

int bench_mbo(void)
{
    struct stream s = {0};
    for (int w = 0; w < 2; w++) {
        s.buf[w] = malloc((size_t)N_EVENTS * PKT_CAP);
        s.len[w] = malloc(N_EVENTS * sizeof *s.len[w]);
    }
    s.upd = malloc(N_EVENTS * sizeof *s.upd);
    s.upd_book = malloc(N_EVENTS * sizeof *s.upd_book);
    int rc = s.buf[0] && s.buf[1] && s.len[0] && s.len[1] && s.upd && s.upd_book ? make_stream(&s)
                                                                                 : GT_ENOMEM;
    double best[4] = {1e9, 1e9, 1e9, 1e9}; /* decode, apply, feed full, feed MBP */
    for (int r = 0; r < ROUNDS && rc == 0; r++) {
        double t0 = cpu_now(), d[4];
        bench_sink(decode_only(&s));
        d[0] = cpu_now() - t0;
        if ((rc = apply_only(&s, &d[1])) < 0 || (rc = feed_run(&s, 0, &d[2])) < 0 ||
            (rc = feed_run(&s, 1, &d[3])) < 0)
            break;
        for (int k = 0; k < 4; k++)
            if (d[k] < best[k])
                best[k] = d[k];
    }
    if (rc == 0) {
        double ns = 1e9 / N_EVENTS;
        bench_row("mbo: order book upkeep (mbo_apply), ns per order event (baseline: decoding "
                  "the same packets, every message and entry; lower is better)",
                  best[1] * ns, best[0] * ns);
        bench_row("mbo: tickfeed core with order books, ns per order event (baseline: the same "
                  "core on the same packets without their order entries, the MBP path)",
                  best[2] * ns, best[3] * ns);
    } else {
        fprintf(stderr, "bench_mbo: %s\n", gt_strerror(rc));
    }
    for (int w = 0; w < 2; w++) {
        free(s.buf[w]);
        free(s.len[w]);
    }
    free(s.upd);
    free(s.upd_book);
    return rc;
}
