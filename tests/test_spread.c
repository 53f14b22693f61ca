/* SPDX-License-Identifier: MIT */
/* test_spread.c -- spreads, implied books and the consolidated view through
 * the real feed core, against a small exchange written here with the MDP 3.0
 * encoder: three outrights and two calendar spreads (56 with legs), book
 * events mixing outright ('0'/'1') and implied ('E'/'F', two deep) entries
 * under one RptSeq per instrument, snapshots carrying both, loss on both
 * lines, a ChannelReset, and a spread trade with its leg prints.
 *
 * The exchange keeps each side as a sorted list of (price, qty), and the
 * reference consolidated book is the naive one: every level of both books in
 * one list, sorted by price, equal prices added. The books checked are the
 * ones a subscriber rebuilds from the records tickfeed published (level
 * records by flag, with gt_mbp_apply, and a RESET status emptying them), so
 * the test holds what users rely on: the bus, not the feed's insides. The
 * last test records what the feed published in a real store and asks tickq
 * (symbols, book --implied/--consolidated, bars, curve --spreads). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "feed.h"
#include "channels.h"
#include "tickgen.h"
#include "mdp3.h"
#include "gputick/bytes.h"
#include "gputick/mbp.h"
#include "gputick/store.h"
#include "gputick/tick.h"
#include "gputick/tickfmt.h"
#include "gputick/time.h"

enum { N_OUT = 3, N_SPR = 2, N_INSTR = N_OUT + N_SPR, MAX_OUT = 400000, DEPTH = 10 };
enum { V_OUT = 0, V_IMP = 1, V_CONS = 2 };

/* ---- what the feed emitted, and the books a subscriber rebuilds ---- */
struct view {
    struct gt_mbp_level s[3][2][DEPTH]; /* [outright, implied, consolidated][bid, ask] */
    int n[3][2];
};
struct out {
    size_t n;
    struct gt_tick t[MAX_OUT];
    struct view v[N_INSTR];
};
static struct out *out;

static int32_t sec_id(int i)
{
    return i < N_OUT ? 2001 + i : 3001 + (i - N_OUT);
}

static int instr_of(int32_t id)
{
    for (int i = 0; i < N_INSTR; i++)
        if (sec_id(i) == id)
            return i;
    return -1;
}

static void view_apply(const struct gt_tick *t)
{
    int i = instr_of(t->instr_id);
    if (i < 0)
        return;
    struct view *v = &out->v[i];
    if (t->kind == GT_KIND_STATUS && t->u.status.feed == GT_FEED_RESET) {
        for (int k = 0; k < 3; k++)
            for (int s = 0; s < 2; s++) {
                gt_mbp_clear(v->s[k][s], 0, DEPTH);
                v->n[k][s] = 0;
            }
        return;
    }
    if (t->kind != GT_KIND_LEVEL)
        return;
    int k = t->flags & GT_F_IMPLIED ? V_IMP : t->flags & GT_F_CONSOLIDATED ? V_CONS : V_OUT;
    const struct gt_level *l = &t->u.level;
    cr_assert(l->side == GT_SIDE_BID || l->side == GT_SIDE_ASK);
    int s = l->side - 1;
    struct gt_mbp_level lv = {l->px, l->qty == INT64_MAX ? 0 : l->qty, l->n_orders};
    int n = gt_mbp_apply(v->s[k][s], v->n[k][s], k == V_IMP ? 2 : DEPTH, l->action, l->level, &lv);
    cr_assert(ge(int, n, 0), "a level record a subscriber cannot apply");
    v->n[k][s] = n;
}

static int collect(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    (void)ctx, (void)topic, (void)tl;
    for (size_t i = 0; i < n && out->n < MAX_OUT; i++) {
        struct gt_tick *t = &out->t[out->n++];
        cr_assert(eq(int, gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, t), GT_OK));
        view_apply(t);
    }
    return GT_OK;
}

/* ---- the exchange ---- */
struct side {
    int n;
    int64_t px[DEPTH], qty[DEPTH]; /* best first */
};
struct exch {
    uint32_t seq;
    uint64_t now;
    struct side s[N_INSTR][2][2]; /* [instrument][outright, implied][bid, ask] */
    uint32_t rpt[N_INSTR];
    uint8_t pkt[1500];
    struct mdp3_enc e;
    uint32_t rng;
};
static struct exch X;
static struct feed *F;

static uint32_t rnd(void)
{
    X.rng = X.rng * 1103515245u + 12345u;
    return X.rng >> 8;
}

static bool better(int64_t a, int64_t b, int s)
{
    return s ? a < b : a > b;
}

/* One entry of instrument i: a random change of its outright (imp 0) or
 * implied (imp 1) book, applied to the truth. A spread's prices are around
 * 0, so many are negative. */
static struct mdp3_book46_entry gen_entry(int i, int imp)
{
    int s = (int)(rnd() & 1), cap = imp ? 2 : DEPTH;
    struct side *sd = &X.s[i][imp][s];
    int64_t base = i < N_OUT ? 2500000000 : 0;
    struct mdp3_book46_entry en;
    memset(&en, 0, sizeof en);
    int r = (int)(rnd() % 10), L = 0, action;
    int64_t px = base + (s ? 1 : -1) * (int64_t)(1 + rnd() % 12) * 5000000;
    int at = 0;
    while (at < sd->n && better(sd->px[at], px, s))
        at++;
    if ((sd->n == 0 || r < 5) && at < cap && (at == sd->n || sd->px[at] != px)) {
        int last = sd->n < cap ? sd->n : cap - 1;
        memmove(&sd->px[at + 1], &sd->px[at], (size_t)(last - at) * sizeof sd->px[0]);
        memmove(&sd->qty[at + 1], &sd->qty[at], (size_t)(last - at) * sizeof sd->qty[0]);
        sd->px[at] = px;
        sd->qty[at] = 1 + rnd() % 50;
        sd->n = last + 1;
        L = at, action = MDP3_ACT_NEW;
    } else if (sd->n && r < 8) {
        L = (int)(rnd() % (unsigned)sd->n), action = MDP3_ACT_CHANGE;
        sd->qty[L] = 1 + rnd() % 50;
    } else if (sd->n) {
        L = (int)(rnd() % (unsigned)sd->n), action = MDP3_ACT_DELETE;
        px = sd->px[L];
        memmove(&sd->px[L], &sd->px[L + 1], (size_t)(sd->n - L - 1) * sizeof sd->px[0]);
        memmove(&sd->qty[L], &sd->qty[L + 1], (size_t)(sd->n - L - 1) * sizeof sd->qty[0]);
        sd->n--;
    } else {
        return gen_entry(i, imp); /* an empty side whose new price fell past the cap */
    }
    en.px = action == MDP3_ACT_DELETE ? px : sd->px[L];
    en.size = action == MDP3_ACT_DELETE ? 0 : (int32_t)sd->qty[L];
    en.security_id = sec_id(i);
    en.rpt_seq = ++X.rpt[i];
    en.n_orders = imp ? MDP3_I32_NULL : 1;
    en.price_level = (uint8_t)(L + 1);
    en.update_action = (uint8_t)action;
    en.entry_type =
        imp ? (s ? MDP3_ET_IMPLIED_OFFER : MDP3_ET_IMPLIED_BID) : (s ? MDP3_ET_OFFER : MDP3_ET_BID);
    en.tradeable_size = MDP3_I32_NULL;
    return en;
}

static void pkt_begin(void)
{
    cr_assert(eq(int, mdp3_enc_init(&X.e, X.pkt, sizeof X.pkt, ++X.seq, X.now), GT_OK));
}

/* Sends the packet on the lines asked: bit 0 A, bit 1 B (0: lost on both). */
static void pkt_send(int lines)
{
    size_t len = mdp3_enc_len(&X.e);
    if (lines & 1)
        feed_packet(F, GT_FEED_INCR_A, X.pkt, len, (int64_t)X.now);
    if (lines & 2)
        feed_packet(F, GT_FEED_INCR_B, X.pkt, len, (int64_t)X.now);
}

/* One event of k entries over random instruments, a third of them implied. */
static void book_event(int k, int lines)
{
    struct mdp3_book46_entry en[16];
    for (int j = 0; j < k; j++)
        en[j] = gen_entry((int)(rnd() % N_INSTR), rnd() % 3 == 0);
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = ++X.now,
                          .mei = MDP3_MEI_END_OF_EVENT | MDP3_MEI_LAST_IMPLIED};
    cr_assert(eq(int, mdp3_enc_book46(&X.e, &m, en, (size_t)k, NULL, 0), GT_OK));
    pkt_send(lines);
}

static void send_defs(void)
{
    uint8_t buf[1500];
    static const char *const month = "FGH";
    for (int i = 0; i < N_INSTR; i++) {
        struct mdp3_enc e;
        mdp3_enc_init(&e, buf, sizeof buf, (uint32_t)i + 1, X.now);
        struct mdp3_def54_feed_type ft[2] = {{"GBX", 10}, {"GBI", 2}};
        if (i < N_OUT) {
            struct mdp3_def54 d;
            memset(&d, 0, sizeof d);
            d.security_id = sec_id(i);
            snprintf(d.symbol, sizeof d.symbol, "H100%c7", month[i]);
            memcpy(d.asset, "H100", 4);
            d.min_price_increment_px = 5000000;
            d.maturity_year = 2027, d.maturity_month = (uint8_t)(1 + i), d.maturity_day = 20;
            cr_assert(eq(int, mdp3_enc_def54(&e, &d, NULL, 0, ft, 2, NULL, 0, NULL, 0), GT_OK));
        } else {
            /* front vs the next month, and front vs the third */
            int far = i - N_OUT + 1;
            struct mdp3_def56 d;
            memset(&d, 0, sizeof d);
            d.security_id = sec_id(i);
            snprintf(d.symbol, sizeof d.symbol, "H100F7-%c7", month[far]);
            memcpy(d.asset, "H100", 4);
            memcpy(d.security_sub_type, "SP", 2);
            d.min_price_increment_px = 5000000;
            struct mdp3_def56_leg legs[2] = {{sec_id(0), 1, 1, MDP3_PX_NULL, MDP3_I32_NULL},
                                             {sec_id(far), 2, 1, MDP3_PX_NULL, MDP3_I32_NULL}};
            cr_assert(
                eq(int, mdp3_enc_def56(&e, &d, NULL, 0, ft, 2, NULL, 0, NULL, 0, legs, 2), GT_OK));
        }
        feed_packet(F, GT_FEED_DEF_A, buf, mdp3_enc_len(&e), (int64_t)X.now);
    }
}

/* The snapshot loop as of now: one packet per instrument, outright and
 * implied levels, kept to be sent later (snapshot_send). */
struct snaps {
    uint8_t buf[N_INSTR][1500];
    size_t len[N_INSTR];
};

static void snapshot_take(struct snaps *sn)
{
    for (int i = 0; i < N_INSTR; i++) {
        struct mdp3_snapshot52_entry en[2 * DEPTH + 4];
        size_t n = 0;
        for (int imp = 0; imp < 2; imp++)
            for (int s = 0; s < 2; s++) {
                const struct side *sd = &X.s[i][imp][s];
                char et = imp ? (s ? MDP3_ET_IMPLIED_OFFER : MDP3_ET_IMPLIED_BID)
                              : (s ? MDP3_ET_OFFER : MDP3_ET_BID);
                for (int l = 0; l < sd->n; l++)
                    en[n++] = (struct mdp3_snapshot52_entry){sd->px[l],
                                                             (int32_t)sd->qty[l],
                                                             imp ? MDP3_I32_NULL : 1,
                                                             (int8_t)(l + 1),
                                                             MDP3_U16_NULL,
                                                             MDP3_U8_NULL,
                                                             0,
                                                             et};
            }
        struct mdp3_snapshot52 s = {.last_msg_seq_num_processed = X.seq,
                                    .tot_num_reports = N_INSTR,
                                    .security_id = sec_id(i),
                                    .rpt_seq = X.rpt[i],
                                    .transact_time_ns = X.now,
                                    .trade_date = MDP3_U16_NULL,
                                    .trading_status = MDP3_U8_NULL,
                                    .high_limit_px = MDP3_PX_NULL,
                                    .low_limit_px = MDP3_PX_NULL,
                                    .max_price_variation_px = MDP3_PX_NULL};
        struct mdp3_enc e;
        mdp3_enc_init(&e, sn->buf[i], sizeof sn->buf[i], (uint32_t)i + 1, X.now);
        cr_assert(eq(int, mdp3_enc_snapshot52(&e, &s, en, n), GT_OK));
        sn->len[i] = mdp3_enc_len(&e);
    }
}

static void snapshot_send(const struct snaps *sn)
{
    for (int i = 0; i < N_INSTR; i++)
        feed_packet(F, GT_FEED_SNAP_A, sn->buf[i], sn->len[i], (int64_t)X.now);
}

/* The naive consolidated side: both books' levels in one list, sorted by
 * price (best first), equal prices added; the implied share kept. */
static int naive_merge(int i, int s, int64_t px[], int64_t qty[], int64_t imp_qty[])
{
    int n = 0;
    for (int imp = 0; imp < 2; imp++) {
        const struct side *sd = &X.s[i][imp][s];
        for (int l = 0; l < sd->n; l++) {
            int k = 0;
            while (k < n && px[k] != sd->px[l])
                k++;
            if (k == n)
                px[n] = sd->px[l], qty[n] = imp_qty[n] = 0, n++;
            qty[k] += sd->qty[l];
            imp_qty[k] += imp ? sd->qty[l] : 0;
        }
    }
    for (int a = 0; a < n; a++) /* selection sort: n <= 12 */
        for (int b = a + 1; b < n; b++)
            if (better(px[b], px[a], s)) {
                int64_t t;
                t = px[a], px[a] = px[b], px[b] = t;
                t = qty[a], qty[a] = qty[b], qty[b] = t;
                t = imp_qty[a], imp_qty[a] = imp_qty[b], imp_qty[b] = t;
            }
    return n < DEPTH ? n : DEPTH;
}

/* The books a subscriber rebuilt equal the exchange's: outright, implied and
 * consolidated (the consolidated records while the implied book holds a
 * level, the outright book while it is empty: docs/wire.md). */
static void assert_views_equal(void)
{
    for (int i = 0; i < N_INSTR; i++) {
        const struct view *v = &out->v[i];
        for (int imp = 0; imp < 2; imp++)
            for (int s = 0; s < 2; s++) {
                const struct side *sd = &X.s[i][imp][s];
                cr_assert(eq(int, v->n[imp][s], sd->n), "instr %d %s side %d", i,
                          imp ? "implied" : "outright", s);
                for (int l = 0; l < sd->n; l++) {
                    cr_assert(eq(i64, v->s[imp][s][l].px, sd->px[l]), "instr %d level %d", i, l);
                    cr_assert(eq(i64, v->s[imp][s][l].qty, sd->qty[l]));
                }
            }
        bool has_imp = v->n[V_IMP][0] || v->n[V_IMP][1];
        for (int s = 0; s < 2; s++) {
            int64_t px[2 * DEPTH + 4], qty[2 * DEPTH + 4], iq[2 * DEPTH + 4];
            int n = naive_merge(i, s, px, qty, iq);
            int k = has_imp ? V_CONS : V_OUT;
            cr_assert(eq(int, v->n[k][s], n), "instr %d consolidated side %d", i, s);
            for (int l = 0; l < n; l++) {
                cr_assert(eq(i64, v->s[k][s][l].px, px[l]), "instr %d cons level %d", i, l);
                cr_assert(eq(i64, v->s[k][s][l].qty, qty[l]));
                if (has_imp)
                    cr_assert(eq(i64, v->s[k][s][l].n_orders, iq[l]), "the implied share");
            }
        }
    }
}

static void setup(void)
{
    out = calloc(1, sizeof *out);
    memset(&X, 0, sizeof X);
    X.rng = 4242;
    X.now = 1795000000ull * 1000000000ull;
    char err[GT_ERRLEN];
    struct feed_opts o = {.emit = collect, .arb_wait_ns = 1000};
    cr_assert(eq(int, feed_open(&F, &o, err), GT_OK), "%s", err);
    send_defs();
}

static void teardown(void)
{
    feed_close(F);
    free(out);
}

TestSuite(spread, .init = setup, .fini = teardown, .timeout = 60);

Test(spread, spread_definitions_carry_their_legs_and_their_books_publish_tops)
{
    size_t defs = 0, legs = 0;
    for (size_t i = 0; i < out->n; i++) {
        const struct gt_tick *t = &out->t[i];
        if (t->kind != GT_KIND_DEF || t->u.def.type != GT_INSTR_SPREAD)
            continue;
        cr_assert(eq(int, t->u.def.depth, 10));
        cr_assert(eq(u32, t->u.def.maturity, 20270120), "the bought leg's maturity");
        if (!gt_def_is_legs(t)) {
            defs++;
            cr_assert(eq(i64, t->u.def.tick_px, 5000000));
            continue;
        }
        legs++;
        int far = instr_of(t->instr_id) - N_OUT + 1;
        cr_assert(eq(i32, gt_def_leg(t, 0), sec_id(0)), "the leg bought");
        cr_assert(eq(i32, gt_def_leg(t, 1), sec_id(far)), "the leg sold");
    }
    cr_assert(eq(sz, legs, N_SPR));
    cr_assert(eq(sz, defs, N_SPR));
    for (int k = 0; k < 200; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    size_t spread_tobs = 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->t[i].kind == GT_KIND_TOB && out->t[i].instr_id >= 3001) {
            spread_tobs++;
            cr_assert(out->t[i].u.tob.bid_px < 0 || out->t[i].u.tob.bid_px == INT64_MAX,
                      "a spread's bids are below 0 here, or none");
        }
    cr_assert(gt(sz, spread_tobs, 20));
    assert_views_equal();
}

Test(spread, implied_and_consolidated_books_equal_the_naive_reference)
{
    size_t imp_recs = 0, cons_recs = 0;
    for (int k = 0; k < 3000; k++) {
        book_event(1 + (int)(rnd() % 8), rnd() % 4 ? 3 : 1);
        if (k % 100 == 99)
            assert_views_equal();
    }
    for (size_t i = 0; i < out->n; i++) {
        imp_recs += out->t[i].kind == GT_KIND_LEVEL && (out->t[i].flags & GT_F_IMPLIED);
        cons_recs += out->t[i].kind == GT_KIND_LEVEL && (out->t[i].flags & GT_F_CONSOLIDATED);
    }
    cr_assert(gt(sz, imp_recs, 1000));
    cr_assert(gt(sz, cons_recs, 1000));
    const struct feed_stats *s = feed_stats(F);
    cr_assert(eq(u64, s->malformed, 0));
    cr_assert(eq(u64, s->unhandled, 0));
}

Test(spread, loss_on_both_lines_stales_implied_and_consolidated_until_the_snapshot)
{
    for (int k = 0; k < 300; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    assert_views_equal();
    for (int k = 0; k < 5; k++)
        book_event(6, 0); /* lost on both lines */
    size_t from = out->n;
    for (int k = 0; k < 40; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    feed_poll(F, (int64_t)X.now + 1000000000);
    bool stale[N_INSTR] = {false};
    size_t n_stale = 0;
    for (size_t i = from; i < out->n; i++) {
        const struct gt_tick *t = &out->t[i];
        int in = instr_of(t->instr_id);
        if (in < 0)
            continue;
        if (t->kind == GT_KIND_STATUS && t->u.status.feed == GT_FEED_STALE)
            n_stale += !stale[in], stale[in] = true;
        else if (t->kind == GT_KIND_STATUS && t->u.status.feed == GT_FEED_RECOVERED)
            stale[in] = false;
        else if (t->kind == GT_KIND_LEVEL && stale[in])
            cr_fail("a level record of instrument %d while it is stale", in);
    }
    cr_assert(eq(sz, n_stale, N_INSTR), "every book went stale");
    cr_assert(gt(u64, feed_stats(F)->n_stale, 0), "some wait for the snapshot");
    /* A snapshot taken now arrives after more events: the entries queued
     * meanwhile (implied ones too) apply on top of it. */
    static struct snaps sn;
    snapshot_take(&sn);
    size_t queued = feed_stats(F)->queued;
    for (int k = 0; k < 40; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    cr_assert(gt(u64, feed_stats(F)->queued, queued));
    size_t before = out->n;
    snapshot_send(&sn);
    cr_assert(eq(u64, feed_stats(F)->n_stale, 0));
    size_t imp = 0, cons = 0;
    for (size_t i = before; i < out->n; i++) {
        const struct gt_tick *t = &out->t[i];
        if (t->kind == GT_KIND_LEVEL && (t->flags & GT_F_RECOVERY)) {
            imp += !!(t->flags & GT_F_IMPLIED);
            cons += !!(t->flags & GT_F_CONSOLIDATED);
        }
    }
    cr_assert(gt(sz, imp, 0), "implied books republished from the snapshot");
    cr_assert(gt(sz, cons, 0), "consolidated books republished from the snapshot");
    assert_views_equal();
    for (int k = 0; k < 300; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    assert_views_equal();
}

Test(spread, channel_reset_empties_implied_and_consolidated_books)
{
    for (int k = 0; k < 300; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    bool any = false;
    for (int i = 0; i < N_INSTR; i++)
        any |= out->v[i].n[V_IMP][0] || out->v[i].n[V_IMP][1];
    cr_assert(any, "implied levels before the reset");
    pkt_begin();
    struct mdp3_reset4 r = {.transact_time_ns = ++X.now, .mei = MDP3_MEI_END_OF_EVENT};
    struct mdp3_reset4_entry re = {310};
    cr_assert(eq(int, mdp3_enc_reset4(&X.e, &r, &re, 1), GT_OK));
    pkt_send(3);
    memset(X.s, 0, sizeof X.s);
    memset(X.rpt, 0, sizeof X.rpt);
    assert_views_equal();
    for (int k = 0; k < 300; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    assert_views_equal();
    cr_assert(eq(u64, feed_stats(F)->n_stale, 0));
}

/* A spread trade prints its legs as trades of the outrights in the same
 * event, each with AggressorSide 0: those are flagged GT_F_LEG and do not
 * count; an outright's own trade without an aggressor does. */
Test(spread, leg_prints_are_flagged_and_not_counted)
{
    struct mdp3_trade48_entry t[4] = {
        {.px = -10000000, .size = 5, .security_id = sec_id(N_OUT), .aggressor_side = 1},
        {.px = 2500000000, .size = 5, .security_id = sec_id(0), .aggressor_side = 0},
        {.px = 2510000000, .size = 5, .security_id = sec_id(1), .aggressor_side = 0},
        {.px = 2520000000, .size = 2, .security_id = sec_id(2), .aggressor_side = 0},
    };
    for (int k = 0; k < 4; k++) {
        int i = instr_of(t[k].security_id);
        t[k].rpt_seq = ++X.rpt[i];
        t[k].n_orders = 2;
        t[k].trade_entry_id = 100 + (uint32_t)k;
    }
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = ++X.now, .mei = MDP3_MEI_END_OF_EVENT};
    cr_assert(eq(int, mdp3_enc_trade48(&X.e, &m, t, 4, NULL, 0), GT_OK));
    pkt_send(3);
    /* The next event: the front month trades alone, no aggressor given. */
    t[1].rpt_seq = ++X.rpt[0];
    t[1].trade_entry_id = 200;
    pkt_begin();
    m.transact_time_ns = ++X.now;
    cr_assert(eq(int, mdp3_enc_trade48(&X.e, &m, &t[1], 1, NULL, 0), GT_OK));
    pkt_send(3);
    static const bool leg[5] = {false, true, true, false, false};
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        const struct gt_tick *x = &out->t[i];
        if (x->kind != GT_KIND_TRADE)
            continue;
        cr_assert(lt(sz, k, 5));
        cr_assert(eq(int, !!(x->flags & GT_F_LEG), leg[k]), "trade %zu", k);
        cr_assert(eq(int, gt_trade_counts(x, NULL), !leg[k]), "trade %zu", k);
        k++;
    }
    cr_assert(eq(sz, k, 5));
}

/* A late joiner's snapshot alone rebuilds all three books and gives each
 * spread its legs. */
Test(spread, a_late_joiners_snapshot_rebuilds_implied_and_consolidated_books)
{
    for (int k = 0; k < 500; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    assert_views_equal();
    memset(out->v, 0, sizeof out->v);
    size_t from = out->n;
    cr_assert(gt(long, feed_snapshot(F, "", 0, 99, collect, NULL), 0));
    size_t legs = 0, imp = 0, cons = 0;
    for (size_t i = from; i < out->n; i++) {
        const struct gt_tick *t = &out->t[i];
        cr_assert(ne(int, t->flags &GT_F_SNAPSHOT, 0), "record %zu", i - from);
        legs += gt_def_is_legs(t);
        imp += t->kind == GT_KIND_LEVEL && (t->flags & GT_F_IMPLIED);
        cons += t->kind == GT_KIND_LEVEL && (t->flags & GT_F_CONSOLIDATED);
    }
    cr_assert(eq(sz, legs, N_SPR));
    cr_assert(gt(sz, imp, 0));
    cr_assert(gt(sz, cons, 0));
    assert_views_equal();
}

/* Spread definitions, implied entries and snapshots with implied levels,
 * their bytes flipped at random, go through the feed (under ASan in the
 * sanitizer tree): counted, never a crash, and the books stay consistent
 * with the records published (each a subscriber can apply). */
Test(spread, corrupted_spread_and_implied_packets_are_survived)
{
    static struct snaps sn;
    for (int k = 0; k < 50; k++)
        book_event(6, 3);
    snapshot_take(&sn);
    uint8_t def[1500], inc[1500];
    size_t def_len, inc_len;
    {
        struct mdp3_enc e;
        mdp3_enc_init(&e, def, sizeof def, 1, X.now);
        struct mdp3_def56 d;
        memset(&d, 0, sizeof d);
        d.security_id = sec_id(N_OUT);
        memcpy(d.symbol, "H100F7-G7", 9);
        memcpy(d.asset, "H100", 4);
        struct mdp3_def56_leg legs[2] = {{sec_id(0), 1, 1, MDP3_PX_NULL, MDP3_I32_NULL},
                                         {sec_id(1), 2, 1, MDP3_PX_NULL, MDP3_I32_NULL}};
        cr_assert(
            eq(int, mdp3_enc_def56(&e, &d, NULL, 0, NULL, 0, NULL, 0, NULL, 0, legs, 2), GT_OK));
        def_len = mdp3_enc_len(&e);
        book_event(8, 0);
        inc_len = mdp3_enc_len(&X.e);
        memcpy(inc, X.pkt, inc_len);
    }
    for (int k = 0; k < 3000; k++) {
        uint8_t p[1500];
        int which = k % 3;
        const uint8_t *src = which == 0 ? def : which == 1 ? inc : sn.buf[k % N_INSTR];
        size_t len = which == 0 ? def_len : which == 1 ? inc_len : sn.len[k % N_INSTR];
        memcpy(p, src, len);
        for (int f = 0; f < 1 + (int)(rnd() % 4); f++)
            p[12 + rnd() % (len - 12)] ^= (uint8_t)(1 + rnd() % 255);
        if (which == 1)
            st_le32(p, X.seq + 1 + (uint32_t)k); /* a fresh sequence: it is decoded */
        feed_packet(F,
                    which == 0   ? GT_FEED_DEF_A
                    : which == 1 ? GT_FEED_INCR_A
                                 : GT_FEED_SNAP_A,
                    p, len, (int64_t)X.now);
    }
    feed_poll(F, (int64_t)X.now + 1000000000);
    const struct feed_stats *s = feed_stats(F);
    cr_assert(gt(u64, s->malformed + s->unknown + s->unhandled + s->rpt_gaps, 0));
}

/* ---- the store and tickq ---- */

static char dir[64], db[128], *out_s, *err_s;

/* Runs a tickq command with its output in out_s; returns its exit status. */
static int run(int (*cmd)(int, char **), ...)
{
    va_list ap;
    va_start(ap, cmd);
    int rc = tickgen_vrun(dir, &out_s, &err_s, cmd, ap);
    va_end(ap);
    return rc;
}

/* The CSV line of row r (0 = the header) of out_s, or NULL. */
static const char *row(int r, char *buf, size_t cap)
{
    return tickgen_line(out_s, r, buf, cap);
}

/* A number as tickq prints it in CSV: "" for none. */
static const char *num(int64_t v, bool px, char *b)
{
    if (v == INT64_MAX)
        b[0] = 0;
    else if (px)
        gt_px_format(v, b);
    else
        snprintf(b, GT_PX_STRLEN, "%lld", (long long)v);
    return b;
}

/* tickq book of instrument i with flag (--implied or --consolidated) prints
 * the exchange's book, row by row. */
static void assert_book_rows(int i, const char *flag, const char *at)
{
    char sym[GT_SYMBOL_LEN + 1];
    static const char *const month = "FGH";
    if (i < N_OUT)
        snprintf(sym, sizeof sym, "H100%c7", month[i]);
    else
        snprintf(sym, sizeof sym, "H100F7-%c7", month[i - N_OUT + 1]);
    cr_assert(eq(
        int, run(cmd_book, "book", sym, "--at", at, flag, "--db", db, "--format", "csv", NULL), 0));
    bool cons = strcmp(flag, "--consolidated") == 0;
    int64_t px[2][2 * DEPTH + 4], qty[2][2 * DEPTH + 4], iq[2][2 * DEPTH + 4];
    int n[2];
    for (int s = 0; s < 2; s++) {
        if (cons) {
            n[s] = naive_merge(i, s, px[s], qty[s], iq[s]);
            continue;
        }
        const struct side *sd = &X.s[i][1][s];
        n[s] = sd->n;
        for (int l = 0; l < sd->n; l++)
            px[s][l] = sd->px[l], qty[s][l] = sd->qty[l], iq[s][l] = INT64_MAX;
    }
    int rows = n[0] > n[1] ? n[0] : n[1];
    for (int l = 0; l < rows; l++) {
        char want[256], got[256], b[6][GT_PX_STRLEN];
        bool h0 = l < n[0], h1 = l < n[1];
        snprintf(want, sizeof want, "%d,%s,%s,%s,%s,%s,%s,ok", l + 1,
                 num(h0 ? iq[0][l] : INT64_MAX, false, b[0]),
                 num(h0 ? qty[0][l] : INT64_MAX, false, b[1]),
                 num(h0 ? px[0][l] : INT64_MAX, true, b[2]),
                 num(h1 ? px[1][l] : INT64_MAX, true, b[3]),
                 num(h1 ? qty[1][l] : INT64_MAX, false, b[4]),
                 num(h1 ? iq[1][l] : INT64_MAX, false, b[5]));
        cr_assert(not(eq(ptr, (void *)row(l + 1, got, sizeof got), NULL)), "%s %s: no row %d", sym,
                  flag, l + 1);
        cr_assert(eq(str, got, want), "%s %s", sym, flag);
    }
    char got[256];
    cr_assert(eq(ptr, (void *)row(rows + 1, got, sizeof got), NULL), "%s %s: rows past %d", sym,
              flag, rows);
}

Test(spread, the_store_keeps_it_all_and_tickq_shows_spreads_books_and_legs)
{
    for (int k = 0; k < 600; k++)
        book_event(1 + (int)(rnd() % 6), 3);
    /* A spread trade with its leg prints, then a trade of the front month. */
    struct mdp3_trade48_entry t[4] = {
        {.px = -10000000, .size = 5, .security_id = sec_id(N_OUT), .aggressor_side = 1},
        {.px = 2500000000, .size = 5, .security_id = sec_id(0), .aggressor_side = 0},
        {.px = 2510000000, .size = 5, .security_id = sec_id(1), .aggressor_side = 0},
        {.px = 2505000000, .size = 3, .security_id = sec_id(0), .aggressor_side = 2},
    };
    for (int k = 0; k < 4; k++) {
        t[k].rpt_seq = ++X.rpt[instr_of(t[k].security_id)];
        t[k].n_orders = 2;
        t[k].trade_entry_id = 100 + (uint32_t)k;
        pkt_begin();
        struct mdp3_incr m = {.transact_time_ns = k < 3 ? X.now + 1 : X.now + 2,
                              .mei = k == 0 || k == 1 ? 0 : MDP3_MEI_END_OF_EVENT};
        cr_assert(eq(int, mdp3_enc_trade48(&X.e, &m, &t[k], 1, NULL, 0), GT_OK));
        pkt_send(3);
    }
    X.now += 2;
    assert_views_equal();

    snprintf(dir, sizeof dir, "/tmp/gt-test-spread-XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    snprintf(db, sizeof db, "%s/db", dir);
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    for (size_t i = 0; i < out->n; i++) {
        out->t[i].seq = i + 1; /* as the publisher numbers them */
        cr_assert(eq(int, gt_store_append(st, &out->t[i]), 1));
    }
    cr_assert(eq(int, gt_store_commit(st, out->n), GT_OK));
    gt_store_close(st);
    char at[GT_TIME_STRLEN], buf[256];
    gt_time_format((int64_t)X.now, at);

    cr_assert(eq(int, run(cmd_symbols, "symbols", "--db", db, "--format", "csv", NULL), 0));
    cr_assert(not(eq(ptr, strstr(out_s, "H100,H100F7-G7,spread,20270120,0.005,"), NULL)), "%s",
              out_s);
    cr_assert(not(eq(ptr, strstr(out_s, ",+H100F7 -H100G7\n"), NULL)), "%s", out_s);
    cr_assert(not(eq(ptr, strstr(out_s, ",+H100F7 -H100H7\n"), NULL)), "%s", out_s);
    cr_assert(not(eq(ptr, strstr(out_s, "H100,H100G7,future,20270220,0.005,"), NULL)), "%s", out_s);

    cr_assert(eq(
        int,
        run(cmd_ticks, "ticks", "H100F7-G7", "--kind", "def", "--db", db, "--format", "csv", NULL),
        0));
    cr_assert(not(eq(ptr, strstr(out_s, ",spread,"), NULL)), "%s", out_s);
    cr_assert(not(eq(ptr, strstr(out_s, ",legs,"), NULL)), "%s", out_s);
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "H100F7-G7", "--kind", "trade", "--db", db, "--format",
                     "csv", NULL),
                 0));
    cr_assert(not(eq(ptr, strstr(out_s, "-0.01,5,"), NULL)), "the spread's trade: %s", out_s);
    for (int i = 0; i < N_INSTR; i++) {
        assert_book_rows(i, "--implied", at);
        assert_book_rows(i, "--consolidated", at);
    }

    /* Bars: the spread's own trade; the front month's leg print left out. */
    cr_assert(
        eq(int, run(cmd_bars, "bars", "H100F7-G7", "-i", "1d", "--db", db, "--format", "csv", NULL),
           0));
    cr_assert(
        not(eq(ptr, strstr(row(1, buf, sizeof buf), ",-0.01,-0.01,-0.01,-0.01,5,-0.01,1"), NULL)),
        "%s", out_s);
    cr_assert(eq(
        int, run(cmd_bars, "bars", "H100F7", "-i", "1d", "--db", db, "--format", "csv", NULL), 0));
    cr_assert(
        not(eq(ptr, strstr(row(1, buf, sizeof buf), ",2.505,2.505,2.505,2.505,3,2.505,1"), NULL)),
        "the leg print of 5 at 2.5 is not counted: %s", out_s);

    /* The curve's spreads: each beside its legs, and the check adds up. */
    cr_assert(eq(int,
                 run(cmd_curve, "curve", "H100", "--at", at, "--spreads", "--db", db, "--format",
                     "csv", NULL),
                 0));
    cr_assert(eq(str, (char *)row(0, buf, sizeof buf),
                 "symbol,buy,sell,bid,ask,mid,last,buy_px,sell_px,legs_diff,off"));
    int checked = 0;
    for (int r = 1; r <= N_SPR; r++) {
        cr_assert(not(eq(ptr, (void *)row(r, buf, sizeof buf), NULL)));
        char sym[16], buy[16], sell[16];
        double f[8];
        char *p = buf;
        char *cells[11];
        for (int c = 0; c < 11; c++)
            cells[c] = strsep(&p, ",");
        cr_assert(not(eq(ptr, cells[10], NULL)), "%s", buf);
        snprintf(sym, sizeof sym, "%s", cells[0]);
        snprintf(buy, sizeof buy, "%s", cells[1]);
        snprintf(sell, sizeof sell, "%s", cells[2]);
        cr_assert(eq(str, buy, "H100F7"), "%s", sym);
        cr_assert(eq(str, sell, r == 1 ? "H100G7" : "H100H7"), "%s", sym);
        for (int c = 0; c < 8; c++)
            f[c] = *cells[3 + c] ? strtod(cells[3 + c], NULL) : NAN;
        double price = !isnan(f[2]) ? f[2] : f[3];
        if (!isnan(f[4]) && !isnan(f[5]))
            cr_assert(lt(dbl, fabs(f[6] - (f[4] - f[5])), 1e-9), "legs_diff of %s", sym);
        cr_assert(not(isnan(f[4])), "the front month has a price: %s", out_s);
        if (!isnan(price) && !isnan(f[6])) {
            cr_assert(lt(dbl, fabs(f[7] - (price - f[6])), 1e-9), "off of %s", sym);
            checked++;
        }
    }
    cr_assert(gt(int, checked, 0), "no spread could be checked against its legs: %s", out_s);
    free(out_s);
    free(err_s);
    out_s = err_s = NULL;
    nftw(dir, tickgen_rm, 16, FTW_DEPTH | FTW_PHYS);
}
