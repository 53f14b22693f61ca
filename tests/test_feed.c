/* SPDX-License-Identifier: MIT */
/* test_feed.c -- the feed core against a small exchange written here with the
 * MDP 3.0 encoder: events grouped into one message per instrument and kind
 * with one top of book each, A/B duplicates dropped, packet gaps and RptSeq
 * gaps published and recovered from snapshots (books equal the exchange's
 * afterwards, under random loss), channel resets, index values and their
 * repeats, hostile datagrams, and the late joiner's snapshot. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "book.h"
#include "feed.h"
#include "gputick/bytes.h"
#include "channels.h"
#include "mdp3.h"
#include "gputick/tick.h"
#include "gputick/topic.h"

enum { N_INSTR = 4, MAX_OUT = 200000 };

/* ---- what the feed emitted ---- */
struct out {
    size_t n;
    struct gt_tick t[MAX_OUT];
    char topic[MAX_OUT][GT_TOPIC_MAX];
    size_t msg_of[MAX_OUT]; /* message number of each record */
    size_t n_msgs;
};
static struct out *out;

static int collect(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n && out->n < MAX_OUT; i++) {
        cr_assert(
            eq(int, gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &out->t[out->n]), GT_OK));
        memcpy(out->topic[out->n], topic, tl);
        out->topic[out->n][tl] = 0;
        out->msg_of[out->n] = out->n_msgs;
        out->n++;
    }
    out->n_msgs++;
    return GT_OK;
}

static size_t count(int kind, int id, int feed_state)
{
    size_t c = 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->t[i].kind == kind && (!id || out->t[i].instr_id == id) &&
            (feed_state < 0 || out->t[i].u.status.feed == feed_state))
            c++;
    return c;
}

/* ---- the exchange ---- */
struct exch {
    uint32_t seq;
    uint64_t now;
    struct book_set bs; /* the truth */
    uint32_t rpt[N_INSTR];
    uint8_t status[N_INSTR]; /* trading status the snapshots carry; 0: none */
    int64_t settle[N_INSTR]; /* settlement price they carry; 0: none */
    uint8_t pkt[1500];
    struct mdp3_enc e;
    uint32_t rng;
};
static struct exch X;
static struct feed *F;

static int32_t sec_id(int i)
{
    return 1001 + i;
}

static uint32_t rnd(void)
{
    X.rng = X.rng * 1103515245u + 12345u;
    return X.rng >> 8;
}

static void pkt_begin(void)
{
    cr_assert(eq(int, mdp3_enc_init(&X.e, X.pkt, sizeof X.pkt, ++X.seq, X.now), GT_OK));
}

/* Sends the packet on the lines asked: bit 0 A, bit 1 B. */
static void pkt_send(int lines)
{
    size_t len = mdp3_enc_len(&X.e);
    if (lines & 1)
        feed_packet(F, GT_FEED_INCR_A, X.pkt, len, (int64_t)X.now);
    if (lines & 2)
        feed_packet(F, GT_FEED_INCR_B, X.pkt, len, (int64_t)X.now);
}

static void send_defs(void)
{
    uint8_t buf[1500];
    for (int i = 0; i < N_INSTR; i++) {
        struct mdp3_enc e;
        mdp3_enc_init(&e, buf, sizeof buf, (uint32_t)i + 1, X.now);
        struct mdp3_def54 d;
        memset(&d, 0, sizeof d);
        d.security_id = sec_id(i);
        snprintf(d.symbol, sizeof d.symbol, "H100%c6", "FGHJ"[i]);
        memcpy(d.asset, "H100", 4);
        memcpy(d.security_group, "GH", 2);
        d.min_price_increment_px = 5000000;
        d.display_factor = 1000000000;
        d.security_update_action = 'A';
        d.maturity_year = 2027, d.maturity_month = (uint8_t)(1 + i), d.maturity_day = 20;
        struct mdp3_def54_feed_type ft = {"GBX", 10};
        struct mdp3_def54_event ev = {7, (uint64_t)1800000000 * 1000000000ull};
        cr_assert(eq(int, mdp3_enc_def54(&e, &d, &ev, 1, &ft, 1, NULL, 0, NULL, 0), GT_OK));
        feed_packet(F, GT_FEED_DEF_A, buf, mdp3_enc_len(&e), (int64_t)X.now);
    }
}

/* One random book entry of instrument i applied to the truth. */
static struct mdp3_book46_entry random_entry(int i)
{
    struct book *b = book_set_get(&X.bs, sec_id(i), false);
    struct mdp3_book46_entry en;
    memset(&en, 0, sizeof en);
    int bid = rnd() & 1;
    int n = bid ? b->n_bid : b->n_ask;
    int r = (int)(rnd() % 10);
    struct book_update u = {.security_id = sec_id(i), .side = bid ? GT_SIDE_BID : GT_SIDE_ASK};
    if (n == 0 || r < 4) {
        u.action = GT_ACT_NEW;
        u.level = (uint8_t)(1 + rnd() % (unsigned)(n < 10 ? n + 1 : 10));
    } else if (r < 8) {
        u.action = GT_ACT_CHANGE;
        u.level = (uint8_t)(1 + rnd() % (unsigned)n);
    } else {
        u.action = GT_ACT_DELETE;
        u.level = (uint8_t)(1 + rnd() % (unsigned)n);
    }
    int64_t base = 2500000000 + (bid ? -1 : 1) * (int64_t)u.level * 5000000;
    u.px = base + (int64_t)(rnd() % 3) * 1000;
    u.qty = 1 + rnd() % 50;
    u.n_orders = 1 + (int32_t)(rnd() % 5);
    u.rpt_seq = ++X.rpt[i];
    if (u.action == GT_ACT_DELETE)
        u.px = bid ? b->bid[u.level - 1].px : b->ask[u.level - 1].px;
    cr_assert(ge(int, book_apply(b, &u), 0));
    en.px = u.px;
    en.size = (int32_t)u.qty;
    en.security_id = u.security_id;
    en.rpt_seq = u.rpt_seq;
    en.n_orders = u.n_orders;
    en.price_level = u.level;
    en.update_action = u.action;
    en.entry_type = bid ? MDP3_ET_BID : MDP3_ET_OFFER;
    en.tradeable_size = MDP3_I32_NULL;
    return en;
}

/* One event of k entries over random instruments in one packet; returns
 * whether it was sent on any line. */
static void book_event(int k, int lines, int only)
{
    struct mdp3_book46_entry en[16];
    for (int j = 0; j < k; j++)
        en[j] = random_entry(only >= 0 ? only : (int)(rnd() % N_INSTR));
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = ++X.now, .mei = MDP3_MEI_END_OF_EVENT};
    cr_assert(eq(int, mdp3_enc_book46(&X.e, &m, en, (size_t)k, NULL, 0), GT_OK));
    pkt_send(lines);
}

static void trade_event(int i, int lines)
{
    struct mdp3_trade48_entry t = {.px = 2500000000,
                                   .size = 3,
                                   .security_id = sec_id(i),
                                   .rpt_seq = ++X.rpt[i],
                                   .n_orders = 2,
                                   .aggressor_side = 1,
                                   .trade_entry_id = X.rpt[i]};
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = ++X.now, .mei = MDP3_MEI_END_OF_EVENT};
    cr_assert(eq(int, mdp3_enc_trade48(&X.e, &m, &t, 1, NULL, 0), GT_OK));
    pkt_send(lines);
}

/* The snapshot loop: one packet per instrument on snapshot line A. */
static void snapshot_loop(void)
{
    uint8_t buf[1500];
    for (int i = 0; i < N_INSTR; i++) {
        struct book *b = book_set_get(&X.bs, sec_id(i), false);
        if (X.rpt[i] == 0)
            continue; /* no activity, no snapshot */
        struct mdp3_snapshot52_entry en[24];
        size_t n = 0;
        for (int side = 0; side < 2; side++)
            for (int l = 0; l < (side ? b->n_ask : b->n_bid); l++) {
                const struct gt_mbp_level *lv = side ? &b->ask[l] : &b->bid[l];
                if (lv->px == BOOK_PX_NONE)
                    continue;
                en[n++] = (struct mdp3_snapshot52_entry){lv->px,
                                                         (int32_t)lv->qty,
                                                         lv->n_orders,
                                                         (int8_t)(l + 1),
                                                         MDP3_U16_NULL,
                                                         MDP3_U8_NULL,
                                                         0,
                                                         side ? MDP3_ET_OFFER : MDP3_ET_BID};
            }
        if (X.settle[i])
            en[n++] = (struct mdp3_snapshot52_entry){X.settle[i],  MDP3_I32_NULL, MDP3_I32_NULL,
                                                     MDP3_I8_NULL, 20000,         MDP3_U8_NULL,
                                                     0x03,         MDP3_ET_SETTLE};
        struct mdp3_snapshot52 s = {.last_msg_seq_num_processed = X.seq,
                                    .tot_num_reports = N_INSTR,
                                    .security_id = sec_id(i),
                                    .rpt_seq = X.rpt[i],
                                    .transact_time_ns = X.now,
                                    .trade_date = MDP3_U16_NULL,
                                    .trading_status = X.status[i] ? X.status[i] : MDP3_U8_NULL,
                                    .high_limit_px = MDP3_PX_NULL,
                                    .low_limit_px = MDP3_PX_NULL,
                                    .max_price_variation_px = MDP3_PX_NULL};
        struct mdp3_enc e;
        mdp3_enc_init(&e, buf, sizeof buf, (uint32_t)i + 1, X.now);
        cr_assert(eq(int, mdp3_enc_snapshot52(&e, &s, en, n), GT_OK));
        feed_packet(F, GT_FEED_SNAP_A, buf, mdp3_enc_len(&e), (int64_t)X.now);
    }
}

/* Every book of the feed equals the exchange's, and none is stale. */
static void assert_books_equal(void)
{
    for (int i = 0; i < N_INSTR; i++) {
        int64_t bid[10][3], ask[10][3];
        int stale = 1;
        cr_assert(eq(int, feed_book(F, sec_id(i), bid, ask, 10, &stale), 10));
        cr_assert(eq(int, stale, 0), "instrument %d still stale", i);
        struct book *b = book_set_get(&X.bs, sec_id(i), false);
        for (int l = 0; l < 10; l++) {
            cr_assert(eq(i64, bid[l][0], b->bid[l].px), "instr %d bid level %d", i, l + 1);
            cr_assert(eq(i64, bid[l][1], b->bid[l].qty));
            cr_assert(eq(i64, ask[l][0], b->ask[l].px), "instr %d ask level %d", i, l + 1);
            cr_assert(eq(i64, ask[l][1], b->ask[l].qty));
        }
    }
}

static void setup(void)
{
    out = calloc(1, sizeof *out);
    memset(&X, 0, sizeof X);
    X.rng = 12345;
    X.now = 1795000000ull * 1000000000ull;
    cr_assert(eq(int, book_set_init(&X.bs, 16), GT_OK));
    for (int i = 0; i < N_INSTR; i++)
        book_set_get(&X.bs, sec_id(i), true);
    char err[GT_ERRLEN];
    struct feed_opts o = {.emit = collect, .arb_wait_ns = 1000};
    cr_assert(eq(int, feed_open(&F, &o, err), GT_OK), "%s", err);
    send_defs();
}

static void teardown(void)
{
    feed_close(F);
    book_set_fini(&X.bs);
    free(out);
}

TestSuite(feed, .init = setup, .fini = teardown, .timeout = 30);

Test(feed, definitions_are_published_once_with_their_terms)
{
    send_defs(); /* the definition loop repeats */
    cr_assert(eq(sz, count(GT_KIND_DEF, 0, -1), N_INSTR));
    const struct gt_tick *d = &out->t[0];
    cr_assert(eq(str, out->topic[0], "def.H100.H100F6"));
    cr_assert(eq(i64, d->u.def.tick_px, 5000000));
    cr_assert(eq(int, d->u.def.depth, 10));
    cr_assert(eq(int, d->u.def.type, GT_INSTR_FUTURE));
    cr_assert(eq(u32, d->u.def.maturity, 20270115), "maturity from LastEligibleTradeDate");
}

Test(feed, an_event_is_one_message_per_instrument_and_kind_with_one_top)
{
    size_t before = out->n;
    book_event(6, 3, 0); /* six entries, one instrument, both lines */
    cr_assert(eq(sz, out->n - before, 7), "6 levels and 1 tob");
    cr_assert(eq(int, out->t[before].kind, GT_KIND_LEVEL));
    cr_assert(eq(sz, out->msg_of[before], out->msg_of[before + 5]), "levels in one message");
    cr_assert(eq(int, out->t[before + 6].kind, GT_KIND_TOB));
    cr_assert(eq(str, out->topic[before + 6], "tob.H100.H100F6"));
    for (size_t i = before; i < out->n; i++)
        cr_assert(eq(int, !!(out->t[i].flags & GT_F_EVENT_END), i == out->n - 1),
                  "EVENT_END only on the instrument's last record");
    const struct feed_stats *s = feed_stats(F);
    cr_assert(eq(u64, s->duplicates[GT_FEED_INCR_B], 1), "line B's copy dropped");
    assert_books_equal();
}

/* The exchange interleaves instruments within an event (and a trade comes
 * before the book entries it caused): the records are regrouped into one
 * message per instrument and kind, in order of first appearance, each in
 * arrival order, with EVENT_END once per instrument on its last record. */
Test(feed, interleaved_instruments_are_regrouped_in_order_of_first_appearance)
{
    static const int of[] = {0, 1, 0, 2, 1, 0};
    enum { N = sizeof of / sizeof of[0] };
    struct mdp3_trade48_entry t = {.px = 2500000000,
                                   .size = 3,
                                   .security_id = sec_id(2),
                                   .rpt_seq = ++X.rpt[2],
                                   .n_orders = 2,
                                   .aggressor_side = 1,
                                   .trade_entry_id = 7};
    struct mdp3_book46_entry en[N];
    for (int j = 0; j < N; j++)
        en[j] = random_entry(of[j]);
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = ++X.now, .mei = MDP3_MEI_LAST_TRADE};
    cr_assert(eq(int, mdp3_enc_trade48(&X.e, &m, &t, 1, NULL, 0), GT_OK));
    m.mei = MDP3_MEI_END_OF_EVENT;
    cr_assert(eq(int, mdp3_enc_book46(&X.e, &m, en, N, NULL, 0), GT_OK));
    size_t before = out->n;
    pkt_send(1);
    /* The trade, then the levels of instruments 0, 1, 2, then the tops. */
    cr_assert(eq(int, out->t[before].kind, GT_KIND_TRADE));
    static const int want[] = {0, 0, 0, 1, 1, 2};
    static const int sent[] = {0, 2, 5, 1, 4, 3}; /* the entry of each record */
    for (int j = 0; j < N; j++) {
        const struct gt_tick *r = &out->t[before + 1 + (size_t)j];
        cr_assert(eq(int, r->kind, GT_KIND_LEVEL));
        cr_assert(eq(int, r->instr_id, sec_id(want[j])), "record %d", j);
        cr_assert(eq(u32, r->u.level.rpt_seq, en[sent[j]].rpt_seq), "arrival order");
        bool same_msg = j > 0 && want[j] == want[j - 1];
        cr_assert(eq(int, out->msg_of[before + 1 + (size_t)j] == out->msg_of[before + (size_t)j],
                     same_msg),
                  "one message per instrument, record %d", j);
    }
    for (size_t i = before + 1 + N; i < out->n; i++)
        cr_assert(eq(int, out->t[i].kind, GT_KIND_TOB));
    for (int i = 0; i < 3; i++) {
        size_t last = 0, n_end = 0;
        for (size_t k = before; k < out->n; k++)
            if (out->t[k].instr_id == sec_id(i)) {
                last = k;
                n_end += !!(out->t[k].flags & GT_F_EVENT_END);
            }
        cr_assert(eq(sz, n_end, 1), "instrument %d: one EVENT_END", i);
        cr_assert(out->t[last].flags & GT_F_EVENT_END, "on its last record");
    }
    assert_books_equal();
}

Test(feed, loss_on_one_line_needs_no_recovery)
{
    for (int k = 0; k < 2000; k++)
        book_event(1 + (int)(rnd() % 4), (rnd() % 10 == 0) ? 1 + (int)(rnd() % 2) : 3, -1);
    const struct feed_stats *s = feed_stats(F);
    cr_assert(eq(u64, s->gaps, 0));
    cr_assert(eq(sz, count(GT_KIND_STATUS, 0, GT_FEED_STALE), 0));
    assert_books_equal();
}

Test(feed, a_packet_gap_goes_stale_and_recovers_from_snapshots)
{
    for (int k = 0; k < 50; k++)
        book_event(2, 3, -1);
    /* Lost on both lines: instrument 0 only. */
    book_event(2, 0, 0);
    book_event(2, 3, 1);                    /* the next packet reveals the gap */
    feed_poll(F, (int64_t)X.now + 1000000); /* after the reorder window */
    feed_poll(F, (int64_t)X.now + 1000000); /* after the reorder window */
    cr_assert(eq(u64, feed_stats(F)->gaps, 1));
    cr_assert(eq(sz, count(GT_KIND_STATUS, 0, GT_FEED_STALE), N_INSTR), "every book stale");
    /* Instrument 1 continued without a hole: recovered by its own data. */
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(1), GT_FEED_RECOVERED), 1));
    book_event(2, 3, 0); /* instrument 0 jumps: queued */
    for (int k = 0; k < 20; k++)
        book_event(2, 3, -1);
    snapshot_loop();
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(0), GT_FEED_RECOVERED), 1));
    /* Recovery republishes the book: delete thru both sides, flagged. */
    size_t thru = 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->t[i].kind == GT_KIND_LEVEL && (out->t[i].flags & GT_F_RECOVERY) &&
            out->t[i].u.level.action == GT_ACT_DELETE_THRU)
            thru++;
    cr_assert(ge(u64, thru, 2));
    for (int k = 0; k < 20; k++)
        book_event(2, 3, -1);
    assert_books_equal();
}

/* In a quiet market the exchange's heartbeat, with the next sequence number,
 * is what reveals that the last packet was lost. */
Test(feed, a_heartbeat_reveals_a_lost_last_packet)
{
    for (int k = 0; k < 20; k++)
        book_event(2, 3, -1);
    book_event(2, 0, 0); /* the last event before a quiet spell: lost on both */
    feed_poll(F, (int64_t)X.now + 1000000);
    cr_assert(eq(u64, feed_stats(F)->gaps, 0), "nothing tells the loss yet");
    X.now += 30000000000ull;
    pkt_begin();
    cr_assert(eq(int, mdp3_enc_heartbeat12(&X.e), GT_OK));
    pkt_send(3);
    feed_poll(F, (int64_t)X.now + 1000000);
    cr_assert(eq(u64, feed_stats(F)->gaps, 1));
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(0), GT_FEED_STALE), 1));
    snapshot_loop();
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(0), GT_FEED_RECOVERED), 1));
    assert_books_equal();
}

/* A snapshot that arrived while the hole still waited out the reorder window,
 * and covers the loss, recovers the books the moment the gap is declared; the
 * packets held behind the hole add nothing twice, and their trades are still
 * published. */
Test(feed, a_snapshot_that_came_while_the_hole_waited_recovers_at_the_gap)
{
    for (int k = 0; k < 30; k++)
        book_event(2, 3, -1);
    book_event(3, 0, 0); /* lost on both lines */
    book_event(2, 3, 1); /* held behind the hole */
    book_event(2, 3, 0);
    trade_event(0, 3);
    snapshot_loop(); /* while the hole waits: it covers every packet so far */
    cr_assert(eq(u64, feed_stats(F)->gaps, 0));
    feed_poll(F, (int64_t)X.now + 1000000); /* the hole is a gap now */
    cr_assert(eq(u64, feed_stats(F)->gaps, 1));
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(0), GT_FEED_STALE), 1));
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(0), GT_FEED_RECOVERED), 1),
              "recovered without waiting for another snapshot cycle");
    cr_assert(ge(u64, feed_stats(F)->recovered_kept, 1));
    cr_assert(eq(sz, count(GT_KIND_TRADE, sec_id(0), -1), 1), "the held trade is published");
    assert_books_equal();
    for (int k = 0; k < 20; k++) /* and the books go on from there */
        book_event(2, 3, -1);
    assert_books_equal();
}

Test(feed, random_loss_on_both_lines_ends_with_exact_books)
{
    for (int k = 0; k < 20000; k++) {
        int r = (int)(rnd() % 100);
        int lines = r < 3 ? 0 : r < 8 ? 1 : r < 13 ? 2 : 3;
        if (rnd() % 7 == 0)
            trade_event((int)(rnd() % N_INSTR), lines);
        else
            book_event(1 + (int)(rnd() % 5), lines, -1);
        if (k % 500 == 499)
            snapshot_loop();
    }
    book_event(1, 3, 0);                    /* reveals a loss at the very end */
    feed_poll(F, (int64_t)X.now + 1000000); /* past the reorder window */
    snapshot_loop();
    const struct feed_stats *s = feed_stats(F);
    cr_assert(gt(u64, s->gaps, 100));
    cr_assert(gt(u64, s->recovered_snap, 10));
    cr_assert(eq(u32, s->n_stale, 0));
    assert_books_equal();
    /* Every trade sent on a line arrived exactly once. */
    size_t trades = count(GT_KIND_TRADE, 0, -1);
    cr_assert(gt(u64, trades, 100));
    for (size_t i = 1; i < out->n; i++)
        cr_assert(not(eq(int,
                         out->t[i].kind == GT_KIND_TRADE && out->t[i - 1].kind == GT_KIND_TRADE &&
                             out->t[i].u.trade.trade_id == out->t[i - 1].u.trade.trade_id &&
                             out->t[i].instr_id == out->t[i - 1].instr_id,
                         1)));
}

Test(feed, an_rptseq_gap_recovers_only_that_instrument)
{
    for (int k = 0; k < 20; k++)
        book_event(1, 3, -1);
    X.rpt[2] += 3; /* the exchange skipped three of instrument 2's sequences */
    book_event(1, 3, 2);
    cr_assert(eq(sz, count(GT_KIND_STATUS, 0, GT_FEED_STALE), 1));
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(2), GT_FEED_STALE), 1));
    cr_assert(eq(u64, feed_stats(F)->rpt_gaps, 1));
    snapshot_loop();
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(2), GT_FEED_RECOVERED), 1));
    assert_books_equal();
}

Test(feed, channel_reset_empties_every_book)
{
    for (int k = 0; k < 30; k++)
        book_event(2, 3, -1);
    pkt_begin();
    struct mdp3_reset4 r = {.transact_time_ns = ++X.now, .mei = MDP3_MEI_END_OF_EVENT};
    struct mdp3_reset4_entry re = {310};
    cr_assert(eq(int, mdp3_enc_reset4(&X.e, &r, &re, 1), GT_OK));
    pkt_send(3);
    for (int i = 0; i < N_INSTR; i++) {
        book_clear(book_set_get(&X.bs, sec_id(i), false));
        X.rpt[i] = 0;
    }
    cr_assert(eq(sz, count(GT_KIND_STATUS, 0, GT_FEED_RESET), N_INSTR));
    book_event(3, 3, -1);
    assert_books_equal();
}

/* One index value in index packet seq (a repeat carries an older rpt). */
static void send_index_pkt(uint32_t seq, uint32_t rpt, int64_t mantissa, int code, int lines)
{
    uint8_t buf[1500];
    struct mdp3_enc e;
    mdp3_enc_init(&e, buf, sizeof buf, seq, X.now);
    struct mdp3_idx348 m = {.transact_time_ns = ++X.now,
                            .md_feed_type = "IX",
                            .mei = MDP3_MEI_END_OF_EVENT,
                            .batch_total_messages = MDP3_U16_NULL};
    struct mdp3_idx348_entry en;
    memset(&en, 0, sizeof en);
    en.entry_type = MDP3_ET_INDEX_VALUE;
    en.rpt_seq = rpt;
    en.px = (struct mdp3_dec64){mantissa, -4};
    en.size = MDP3_U64_NULL;
    strcpy(en.symbol, "SDH100RT");
    en.entry_code = (uint8_t)code;
    en.entry_date = 20261125;
    en.entry_time = MDP3_I32_NULL;
    en.open_close_settl_flag = MDP3_I8_NULL;
    en.yield = en.net_chg_prev_day = en.net_pct_chg = en.percent_trading =
        (struct mdp3_dec64){MDP3_PX_NULL, 0};
    cr_assert(eq(int, mdp3_enc_idx348(&e, &m, &en, 1), GT_OK));
    if (lines & 1)
        feed_packet(F, GT_FEED_INDEX_A, buf, mdp3_enc_len(&e), (int64_t)X.now);
    if (lines & 2)
        feed_packet(F, GT_FEED_INDEX_B, buf, mdp3_enc_len(&e), (int64_t)X.now);
}

static void send_index(uint32_t rpt, int64_t mantissa, int code, int lines)
{
    send_index_pkt(rpt, rpt, mantissa, code, lines);
}

Test(feed, index_values_are_fixings_and_repeats_are_not_republished)
{
    send_index(1, 27512, GT_FIX_INDICATIVE, 3);
    send_index(2, 27520, GT_FIX_CLOSE, 3);
    size_t n = count(GT_KIND_FIXING, 0, -1);
    cr_assert(eq(sz, n, 2));
    const struct gt_tick *t = NULL;
    for (size_t i = 0; i < out->n; i++)
        if (out->t[i].kind == GT_KIND_FIXING)
            t = &out->t[i];
    cr_assert(eq(i64, t->u.fixing.px, 2752000000), "$2.7520 in 1e-9");
    cr_assert(eq(int, t->u.fixing.code, GT_FIX_CLOSE));
    cr_assert(eq(u32, t->u.fixing.date, 20261125));
    cr_assert(eq(i32, t->instr_id, gt_index_id("SDH100RT", 8)));
    cr_assert(eq(str, out->topic[out->n - 1], "fixing.H100.SDH100RT"), "product from the futures");
    /* Lost on both lines, then the periodic repeat of the newest value. */
    send_index(3, 27530, GT_FIX_INDICATIVE, 0);
    send_index(4, 27540, GT_FIX_INDICATIVE, 3);
    feed_poll(F, (int64_t)X.now + 1000000000);
    cr_assert(eq(sz, count(GT_KIND_STATUS, t->instr_id, GT_FEED_STALE), 1));
    cr_assert(eq(sz, count(GT_KIND_STATUS, t->instr_id, GT_FEED_RECOVERED), 1));
    send_index(5, 27540, GT_FIX_INDICATIVE, 3);
    cr_assert(eq(sz, count(GT_KIND_FIXING, 0, -1), 4), "values 1, 2, 4 and 5; 3 was lost");
}

Test(feed, hostile_datagrams_are_counted_and_skipped)
{
    uint8_t junk[300];
    for (int k = 0; k < 5000; k++) {
        size_t len = rnd() % sizeof junk;
        for (size_t i = 0; i < len; i++)
            junk[i] = (uint8_t)rnd();
        feed_packet(F, (int)(rnd() % GT_N_FEEDS), junk, len, (int64_t)X.now);
    }
    cr_assert(gt(u64, feed_stats(F)->malformed + feed_stats(F)->unknown, 100));
    /* A truncated real packet. */
    book_event(3, 0, 0);
    for (size_t len = 0; len < mdp3_enc_len(&X.e); len++)
        feed_packet(F, GT_FEED_SNAP_A, X.pkt, len, (int64_t)X.now);
}

static int snap_collect(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    return collect(ctx, topic, tl, recs, n);
}

Test(feed, a_late_joiners_snapshot_rebuilds_the_books)
{
    for (int k = 0; k < 300; k++)
        book_event(2, 3, -1);
    trade_event(1, 3);
    out->n = 0;
    long n = feed_snapshot(F, "", 0, 777, snap_collect, NULL);
    cr_assert(gt(long, n, 0));
    cr_assert(eq(sz, (size_t)n, out->n));
    /* Rebuild each book from the snapshot's level records alone. */
    struct book_set bs;
    book_set_init(&bs, 16);
    for (size_t i = 0; i < out->n; i++) {
        const struct gt_tick *t = &out->t[i];
        cr_assert(eq(u64, t->seq, 777));
        cr_assert(ne(int, t->flags &GT_F_SNAPSHOT, 0), "record %zu", i);
        if (t->kind != GT_KIND_LEVEL)
            continue;
        struct book_update u = {t->instr_id,         0,
                                t->u.level.px,       t->u.level.qty,
                                t->u.level.n_orders, t->u.level.level,
                                t->u.level.side,     t->u.level.action};
        cr_assert(ge(int, book_apply(book_set_get(&bs, t->instr_id, true), &u), 0));
    }
    for (int i = 0; i < N_INSTR; i++) {
        struct book *a = book_set_get(&bs, sec_id(i), false);
        struct book *b = book_set_get(&X.bs, sec_id(i), false);
        cr_assert(not(eq(ptr, a, NULL)));
        for (int l = 0; l < 10; l++) {
            cr_assert(eq(i64, a->bid[l].px, b->bid[l].px));
            cr_assert(eq(i64, a->ask[l].qty, b->ask[l].qty));
        }
    }
    book_set_fini(&bs);
    /* A prefix selects. */
    out->n = 0;
    feed_snapshot(F, "trade.", 6, 777, snap_collect, NULL);
    cr_assert(eq(sz, out->n, 1));
    cr_assert(eq(str, out->topic[0], "trade.H100.H100G6"));
}

Test(feed, an_event_spanning_packets_is_published_whole_after_its_end)
{
    struct mdp3_book46_entry a = random_entry(0), b = random_entry(0);
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = ++X.now, .mei = 0}; /* no EndOfEvent yet */
    cr_assert(eq(int, mdp3_enc_book46(&X.e, &m, &a, 1, NULL, 0), GT_OK));
    pkt_send(3);
    size_t before = out->n;
    /* A definition update arrives between the two halves: it waits. */
    struct mdp3_enc e;
    uint8_t buf[1500];
    struct mdp3_def54 d;
    memset(&d, 0, sizeof d);
    d.security_id = sec_id(3);
    memcpy(d.symbol, "H100J6", 6);
    memcpy(d.asset, "H100", 4);
    d.min_price_increment_px = 10000000; /* changed */
    struct mdp3_def54_feed_type ft = {"GBX", 10};
    mdp3_enc_init(&e, buf, sizeof buf, 99, X.now);
    cr_assert(eq(int, mdp3_enc_def54(&e, &d, NULL, 0, &ft, 1, NULL, 0, NULL, 0), GT_OK));
    feed_packet(F, GT_FEED_DEF_A, buf, mdp3_enc_len(&e), (int64_t)X.now);
    cr_assert(eq(sz, out->n, before), "nothing published in the middle of an event");
    pkt_begin();
    m.mei = MDP3_MEI_END_OF_EVENT;
    cr_assert(eq(int, mdp3_enc_book46(&X.e, &m, &b, 1, NULL, 0), GT_OK));
    pkt_send(3);
    cr_assert(eq(sz, out->n, before + 4), "2 levels, 1 tob, then the definition");
    cr_assert(eq(sz, out->msg_of[before], out->msg_of[before + 1]), "one message for the event");
    cr_assert(eq(int, out->t[before + 2].kind, GT_KIND_TOB));
    cr_assert(eq(int, out->t[before + 3].kind, GT_KIND_DEF));
    cr_assert(eq(i64, out->t[before + 3].u.def.tick_px, 10000000));
    assert_books_equal();
}

/* Records of a kind and instrument whose flags include all of flags. */
static size_t count_flagged(int kind, int id, uint16_t flags)
{
    size_t c = 0;
    for (size_t i = 0; i < out->n; i++)
        c += out->t[i].kind == kind && out->t[i].instr_id == id &&
             (out->t[i].flags & flags) == flags;
    return c;
}

/* A halt and a settlement in a packet lost on both lines: SecurityStatus has
 * no RptSeq, so nothing on the incremental feed ever tells them again; the
 * snapshot loop does. The book that needs the snapshot takes its status and
 * statistics from it, the book that recovered from its own data takes the
 * status from its next snapshot, each published once and flagged recovery,
 * and a late joiner then sees the halt. */
Test(feed, a_status_and_a_settlement_lost_in_a_gap_come_back_with_the_snapshots)
{
    for (int k = 0; k < 20; k++)
        book_event(2, 3, -1);
    pkt_begin();
    struct mdp3_status30 st = {.transact_time_ns = ++X.now,
                               .security_id = sec_id(1),
                               .trade_date = MDP3_U16_NULL,
                               .mei = MDP3_MEI_END_OF_EVENT,
                               .trading_status = 2, /* halt */
                               .halt_reason = 1,
                               .trading_event = 0};
    memcpy(st.security_group, "GH", 2);
    memcpy(st.asset, "H100", 4);
    cr_assert(eq(int, mdp3_enc_status30(&X.e, &st), GT_OK));
    struct mdp3_incr m = {.transact_time_ns = X.now, .mei = MDP3_MEI_END_OF_EVENT};
    struct mdp3_daily49_entry se = {.px = 2512500000,
                                    .size = MDP3_I32_NULL,
                                    .security_id = sec_id(0),
                                    .rpt_seq = ++X.rpt[0],
                                    .trading_ref_date = 20000,
                                    .settl_price_type = 0x03,
                                    .entry_type = MDP3_ET_SETTLE};
    cr_assert(eq(int, mdp3_enc_daily49(&X.e, &m, &se, 1), GT_OK));
    pkt_send(0); /* lost on both lines */
    X.status[0] = X.status[1] = 2;
    X.settle[0] = 2512500000;
    book_event(2, 3, 1); /* instrument 1 goes on without a hole */
    feed_poll(F, (int64_t)X.now + 1000000);
    cr_assert(eq(u64, feed_stats(F)->gaps, 1));
    book_event(1, 3, 0); /* instrument 0 jumped: it waits for a snapshot */
    snapshot_loop();
    cr_assert(eq(sz, count(GT_KIND_STATUS, sec_id(0), GT_FEED_RECOVERED), 1));
    cr_assert(eq(sz, count_flagged(GT_KIND_STAT, sec_id(0), GT_F_RECOVERY), 1));
    const struct gt_tick *settle = NULL, *halt[2] = {NULL, NULL};
    for (size_t i = 0; i < out->n; i++) {
        const struct gt_tick *t = &out->t[i];
        if (t->kind == GT_KIND_STAT && t->instr_id == sec_id(0))
            settle = t;
        for (int k = 0; k < 2; k++)
            if (t->kind == GT_KIND_STATUS && t->instr_id == sec_id(k) && t->u.status.trading == 2)
                halt[k] = t;
    }
    cr_assert(not(eq(ptr, (void *)settle, NULL)), "the settlement is published");
    cr_assert(eq(int, settle->u.stat.type, GT_STAT_SETTLE));
    cr_assert(eq(i64, settle->u.stat.px, 2512500000));
    for (int k = 0; k < 2; k++) {
        cr_assert(not(eq(ptr, (void *)halt[k], NULL)), "instrument %d's halt is published", k);
        cr_assert(ne(int, halt[k]->flags &GT_F_RECOVERY, 0));
        cr_assert(eq(int, halt[k]->u.status.feed, GT_FEED_NONE));
    }
    size_t n = out->n;
    snapshot_loop(); /* the next cycle says the same: nothing new */
    cr_assert(eq(sz, count_flagged(GT_KIND_STAT, sec_id(0), GT_F_RECOVERY), 1));
    cr_assert(eq(sz, count_flagged(GT_KIND_STATUS, sec_id(1), GT_F_RECOVERY), 1));
    cr_assert(eq(sz, out->n, n));
    out->n = 0; /* a late joiner sees the halt */
    feed_snapshot(F, "status.H100.H100G6", 18, 1, snap_collect, NULL);
    cr_assert(eq(sz, out->n, 1));
    cr_assert(eq(int, out->t[0].u.status.trading, 2));
    assert_books_equal();
}

/* The index channel has no snapshot loop: the periodic repeat of a value is
 * what tells that nothing newer was lost. An index whose only lost packet
 * was itself a repeat recovers at the next repeat, which is republished. */
Test(feed, a_repeat_recovers_an_index_whose_lost_packet_was_a_repeat)
{
    send_index_pkt(1, 1, 27512, GT_FIX_INDICATIVE, 3);
    int32_t id = gt_index_id("SDH100RT", 8);
    send_index_pkt(2, 1, 27512, GT_FIX_INDICATIVE, 0); /* a repeat, lost on both lines */
    send_index_pkt(3, 1, 27512, GT_FIX_INDICATIVE, 3); /* the next repeat */
    feed_poll(F, (int64_t)X.now + 1000000);
    cr_assert(eq(u64, feed_stats(F)->gaps, 1));
    cr_assert(eq(sz, count(GT_KIND_STATUS, id, GT_FEED_STALE), 1));
    cr_assert(eq(sz, count(GT_KIND_STATUS, id, GT_FEED_RECOVERED), 1), "recovered by the repeat");
    cr_assert(eq(sz, count(GT_KIND_FIXING, id, -1), 2), "the value, then its recovering repeat");
    cr_assert(eq(sz, count_flagged(GT_KIND_FIXING, id, GT_F_RECOVERY), 1));
    cr_assert(eq(u32, feed_stats(F)->n_stale, 0));
    send_index_pkt(4, 1, 27512, GT_FIX_INDICATIVE, 3); /* a live index's repeat: nothing */
    cr_assert(eq(sz, count(GT_KIND_FIXING, id, -1), 2));
}

/* Packets of other channels wait while an incremental event is open, in a
 * buffer of 64. One that finds it full is lost: counted as such, not as
 * malformed, and for an index packet (its value may be the only one for a
 * while) every index is marked stale until its next value. */
Test(feed, an_index_packet_that_finds_the_deferral_buffer_full_marks_the_indexes_stale)
{
    send_index(1, 27512, GT_FIX_INDICATIVE, 3);
    int32_t id = gt_index_id("SDH100RT", 8);
    struct mdp3_book46_entry a = random_entry(0), b = random_entry(0);
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = ++X.now, .mei = 0}; /* no EndOfEvent yet */
    cr_assert(eq(int, mdp3_enc_book46(&X.e, &m, &a, 1, NULL, 0), GT_OK));
    pkt_send(3);
    uint64_t malformed = feed_stats(F)->malformed;
    for (int k = 0; k < 64; k++)
        send_defs(); /* 256 definition packets: the buffer fills */
    send_index(2, 27520, GT_FIX_INDICATIVE, 3);
    cr_assert(eq(u64, feed_stats(F)->malformed, malformed), "nothing malformed");
    cr_assert(eq(u64, feed_stats(F)->deferral_full, 4 * 64 - 64 + 1));
    pkt_begin();
    m.mei = MDP3_MEI_END_OF_EVENT;
    cr_assert(eq(int, mdp3_enc_book46(&X.e, &m, &b, 1, NULL, 0), GT_OK));
    pkt_send(3);
    cr_assert(eq(sz, count(GT_KIND_STATUS, id, GT_FEED_STALE), 1), "the index is stale");
    send_index(3, 27530, GT_FIX_INDICATIVE, 3);
    cr_assert(eq(sz, count(GT_KIND_STATUS, id, GT_FEED_RECOVERED), 1));
    assert_books_equal();
}

/* A 47 goes to the order book, and a 47 that ends the event ends it; a
 * spread definition (56) is kept: a def record with its legs. Neither is
 * unknown, malformed or unhandled. */
Test(feed, a_lone_47_is_a_counted_mismatch_and_spread_definitions_kept)
{
    const struct feed_stats *s = feed_stats(F);
    uint64_t unknown = s->unknown, malformed = s->malformed;
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = X.now, .mei = MDP3_MEI_END_OF_EVENT};
    struct mdp3_orderbook47_entry o = {1, 2, 2750000000, 4, sec_id(0), MDP3_ACT_NEW, '0'};
    cr_assert(eq(int, mdp3_enc_orderbook47(&X.e, &m, &o, 1), GT_OK));
    pkt_send(3);
    uint8_t buf[1500];
    struct mdp3_enc e;
    mdp3_enc_init(&e, buf, sizeof buf, 1000, X.now);
    struct mdp3_def56 d;
    memset(&d, 0, sizeof d);
    d.security_id = 900001;
    memcpy(d.symbol, "H100G6-H6", 9);
    memcpy(d.asset, "H100", 4);
    memcpy(d.security_sub_type, "SP", 2);
    d.min_price_increment_px = 5000000;
    struct mdp3_def56_leg legs[2] = {{sec_id(0), 1, 1, MDP3_PX_NULL, MDP3_I32_NULL},
                                     {sec_id(1), 2, 1, MDP3_PX_NULL, MDP3_I32_NULL}};
    cr_assert(eq(int, mdp3_enc_def56(&e, &d, NULL, 0, NULL, 0, NULL, 0, NULL, 0, legs, 2), GT_OK));
    out->n = 0;
    feed_packet(F, GT_FEED_DEF_A, buf, mdp3_enc_len(&e), (int64_t)X.now);
    cr_assert(eq(u64, s->unhandled, 0), "the 47 and the 56 are both handled");
    cr_assert(eq(u64, s->mbo_updates, 1), "the 47 (line B's copy a duplicate)");
    cr_assert(eq(u64, s->mbo_checks, 1));
    cr_assert(eq(u64, s->mbo_mismatch, 1), "an order the MBP book does not show is counted");
    cr_assert(eq(u64, s->unknown, unknown));
    cr_assert(eq(u64, s->malformed, malformed));
    cr_assert(eq(sz, out->n, 2), "the definition, then its legs");
    const struct gt_def *def = &out->t[0].u.def;
    cr_assert(eq(int, out->t[0].kind, GT_KIND_DEF));
    cr_assert(eq(str, out->topic[0], "def.H100.H100G6-H6"));
    cr_assert(eq(int, def->type, GT_INSTR_SPREAD));
    cr_assert(eq(i64, def->tick_px, 5000000));
    cr_assert(eq(u32, def->maturity, 20270115), "its bought leg's");
    cr_assert(not(gt_def_is_legs(&out->t[0])));
    cr_assert(gt_def_is_legs(&out->t[1]));
    cr_assert(eq(str, out->topic[1], "def.H100.H100G6-H6"));
    cr_assert(eq(i32, gt_def_leg(&out->t[1], 0), sec_id(0)));
    cr_assert(eq(i32, gt_def_leg(&out->t[1], 1), sec_id(1)));
    cr_assert(eq(int, out->t[1].u.def.type, GT_INSTR_SPREAD));
    book_event(2, 3, 0); /* the event the 47 ended is closed: the next one publishes */
    assert_books_equal();
}

/* ---- market by order ---- */

/* The exchange's orders: what its MBP book is the aggregate of. */
struct xorder {
    uint64_t id, prio;
    int64_t px;
    int32_t qty;
    uint8_t side;
};
enum { XO_MAX = 80, XO_CHUNK = 16 };
static struct {
    struct xorder o[N_INSTR][XO_MAX];
    int n[N_INSTR];
    uint64_t next_id, next_prio;
    int via46; /* order updates sent in 46's order group */
} XO = {.next_id = 7000000001, .next_prio = 1};

/* Is order a ahead of b in book order: bids first, better price, priority? */
static bool xo_before(const struct xorder *a, const struct xorder *b)
{
    if (a->side != b->side)
        return a->side == GT_SIDE_BID;
    if (a->px != b->px)
        return a->side == GT_SIDE_BID ? a->px > b->px : a->px < b->px;
    return a->prio < b->prio;
}

static void xo_sorted(int i, struct xorder *o)
{
    memcpy(o, XO.o[i], (size_t)XO.n[i] * sizeof *o);
    for (int a = 1; a < XO.n[i]; a++)
        for (int b = a; b > 0 && xo_before(&o[b], &o[b - 1]); b--) {
            struct xorder t = o[b];
            o[b] = o[b - 1];
            o[b - 1] = t;
        }
}

/* The first 10 levels of a side the orders of instrument i make. */
static void xo_levels(int i, int side, struct gt_mbp_level lv[10])
{
    struct xorder o[XO_MAX];
    xo_sorted(i, o);
    int n = 0;
    for (int k = 0; k < 10; k++)
        lv[k] = (struct gt_mbp_level){BOOK_PX_NONE, 0, 0};
    for (int k = 0; k < XO.n[i]; k++) {
        if (o[k].side != side)
            continue;
        if (n && lv[n - 1].px == o[k].px) {
            lv[n - 1].qty += o[k].qty, lv[n - 1].n_orders++;
            continue;
        }
        if (n == 10)
            break;
        lv[n++] = (struct gt_mbp_level){o[k].px, o[k].qty, 1};
    }
}

/* The 46 entries that take the exchange's MBP book of instrument i to what
 * its orders now make (an overlay per level that differs, then deletes of
 * the levels past the new last), applied to the truth. */
static size_t xo_mbp_entries(int i, struct mdp3_book46_entry *en)
{
    struct book *b = book_set_get(&X.bs, sec_id(i), false);
    size_t n = 0;
    for (int side = GT_SIDE_BID; side <= GT_SIDE_ASK; side++) {
        struct gt_mbp_level want[10];
        xo_levels(i, side, want);
        for (int l = 0; l < 10; l++) {
            const struct gt_mbp_level *cur = side == GT_SIDE_BID ? b->bid : b->ask;
            int n_cur = side == GT_SIDE_BID ? b->n_bid : b->n_ask;
            struct book_update u = {.security_id = sec_id(i), .side = (uint8_t)side};
            if (want[l].px != BOOK_PX_NONE) {
                if (l < n_cur && cur[l].px == want[l].px && cur[l].qty == want[l].qty &&
                    cur[l].n_orders == want[l].n_orders)
                    continue;
                u.action = GT_ACT_OVERLAY, u.level = (uint8_t)(l + 1);
                u.px = want[l].px, u.qty = want[l].qty, u.n_orders = want[l].n_orders;
            } else if (l < n_cur) {
                u.action = GT_ACT_DELETE, u.level = (uint8_t)(l + 1), u.px = cur[l].px;
                u.n_orders = MDP3_I32_NULL;
            } else {
                break;
            }
            u.rpt_seq = ++X.rpt[i];
            cr_assert(ge(int, book_apply(b, &u), 0));
            en[n++] = (struct mdp3_book46_entry){
                u.px,          u.action == GT_ACT_DELETE ? MDP3_I32_NULL : (int32_t)u.qty,
                u.security_id, u.rpt_seq,
                u.n_orders,    u.level,
                u.action,      side == GT_SIDE_BID ? MDP3_ET_BID : MDP3_ET_OFFER,
                MDP3_I32_NULL};
            if (u.action == GT_ACT_DELETE)
                l--; /* the levels below moved up */
        }
    }
    return n;
}

/* One order event of instrument i: a new order, a cancel, a partial fill, a
 * quantity cut (keeps its priority), a quantity rise or a price change (both
 * lose it: a new priority), as CME ranks them. Its MBP entries go in a 46;
 * the order update in that 46's order group when it refers to one of them
 * (half the time), else in a 47 after it. One packet, one event. */
static void order_event(int i, int lines)
{
    struct xorder *o = XO.o[i];
    int r = (int)(rnd() % 100), k = XO.n[i] ? (int)(rnd() % (unsigned)XO.n[i]) : 0;
    struct mdp3_orderbook47_entry e = {.security_id = sec_id(i)};
    if (XO.n[i] < 6 || (r < 40 && XO.n[i] < XO_MAX - 1)) {
        uint8_t side = rnd() & 1 ? GT_SIDE_BID : GT_SIDE_ASK;
        int64_t px =
            2500000000 + (side == GT_SIDE_BID ? -1 : 1) * (1 + (int64_t)(rnd() % 14)) * 5000000;
        k = XO.n[i]++;
        o[k] = (struct xorder){XO.next_id++, XO.next_prio++, px, 1 + (int32_t)(rnd() % 20), side};
        e.update_action = MDP3_ACT_NEW;
    } else if (r < 55) {
        e.update_action = MDP3_ACT_DELETE;
    } else if (r < 80) { /* a fill or a cut: it keeps its place */
        o[k].qty -= 1 + (int32_t)(rnd() % (unsigned)o[k].qty);
        e.update_action = o[k].qty ? MDP3_ACT_CHANGE : MDP3_ACT_DELETE;
    } else if (r < 90) {
        o[k].qty += 1 + (int32_t)(rnd() % 10);
        o[k].prio = XO.next_prio++;
        e.update_action = MDP3_ACT_CHANGE;
    } else {
        o[k].px += (rnd() & 1 ? 1 : -1) * 5000000;
        o[k].prio = XO.next_prio++;
        e.update_action = MDP3_ACT_CHANGE;
    }
    e.order_id = o[k].id, e.priority = o[k].prio, e.px = o[k].px, e.display_qty = o[k].qty;
    e.entry_type = o[k].side == GT_SIDE_BID ? MDP3_ET_BID : MDP3_ET_OFFER;
    if (e.update_action == MDP3_ACT_DELETE)
        o[k] = o[--XO.n[i]];
    struct mdp3_book46_entry en[24];
    size_t n = xo_mbp_entries(i, en);
    size_t ref = 0;
    for (size_t j = 0; j < n && rnd() % 2; j++)
        if (en[j].px == e.px && en[j].entry_type == e.entry_type)
            ref = j + 1;
    pkt_begin();
    X.now += 200; /* a hole waits out the reorder window (1 us) in five packets */
    struct mdp3_incr m = {.transact_time_ns = X.now, .mei = MDP3_MEI_END_OF_EVENT};
    if (ref) {
        struct mdp3_book46_order bo = {e.order_id, e.priority, e.display_qty, (uint8_t)ref,
                                       e.update_action};
        cr_assert(eq(int, mdp3_enc_book46(&X.e, &m, en, n, &bo, 1), GT_OK));
        XO.via46++;
    } else {
        if (n) {
            struct mdp3_incr m46 = {.transact_time_ns = X.now};
            cr_assert(eq(int, mdp3_enc_book46(&X.e, &m46, en, n, NULL, 0), GT_OK));
        }
        cr_assert(eq(int, mdp3_enc_orderbook47(&X.e, &m, &e, 1), GT_OK));
    }
    pkt_send(lines);
}

/* The MBO snapshot loop: every instrument with activity, its orders in
 * chunks of XO_CHUNK (an empty book is one empty chunk), on snapshot line A. */
static void mbo_snapshot_loop(void)
{
    uint8_t buf[1500];
    for (int i = 0; i < N_INSTR; i++) {
        if (!X.rpt[i] && !XO.n[i])
            continue;
        uint32_t chunks = XO.n[i] ? (uint32_t)(XO.n[i] + XO_CHUNK - 1) / XO_CHUNK : 1;
        for (uint32_t c = 0; c < chunks; c++) {
            struct mdp3_snapshot53_entry en[XO_CHUNK];
            size_t n = 0;
            for (int k = (int)c * XO_CHUNK; k < XO.n[i] && n < XO_CHUNK; k++) {
                const struct xorder *o = &XO.o[i][k];
                en[n++] = (struct mdp3_snapshot53_entry){o->id, o->prio, o->px, o->qty,
                                                         o->side == GT_SIDE_BID ? MDP3_ET_BID
                                                                                : MDP3_ET_OFFER};
            }
            struct mdp3_snapshot53 s = {.last_msg_seq_num_processed = X.seq,
                                        .tot_num_reports = N_INSTR,
                                        .security_id = sec_id(i),
                                        .no_chunks = chunks,
                                        .current_chunk = c + 1,
                                        .transact_time_ns = X.now};
            struct mdp3_enc e;
            mdp3_enc_init(&e, buf, sizeof buf, c + 1, X.now);
            cr_assert(eq(int, mdp3_enc_snapshot53(&e, &s, en, n), GT_OK));
            feed_packet(F, GT_FEED_SNAP_A, buf, mdp3_enc_len(&e), (int64_t)X.now);
        }
    }
}

/* Every order book of the feed holds the exchange's orders, in priority
 * order at each level, and none is stale. */
static void assert_orders_equal(void)
{
    for (int i = 0; i < N_INSTR; i++) {
        struct feed_order got[XO_MAX];
        struct xorder want[XO_MAX];
        int stale = 1;
        long n = feed_orders(F, sec_id(i), got, XO_MAX, &stale);
        cr_assert(eq(int, stale, 0), "order book %d still stale", i);
        cr_assert(eq(long, n, XO.n[i]), "instrument %d", i);
        xo_sorted(i, want);
        for (long k = 0; k < n; k++) {
            cr_assert(eq(u64, got[k].id, want[k].id), "instrument %d order %ld", i, k);
            cr_assert(eq(u64, got[k].prio, want[k].prio));
            cr_assert(eq(i64, got[k].px, want[k].px));
            cr_assert(eq(i32, got[k].qty, want[k].qty));
            cr_assert(eq(u8, got[k].side, want[k].side));
        }
    }
}

/* The order books a subscriber to "order." rebuilds from the records
 * (tick.h, struct gt_order) equal the exchange's, and none is stale. */
static void assert_bus_orders_equal(void)
{
    static struct xorder bus[N_INSTR][XO_MAX];
    int n[N_INSTR] = {0}, stale[N_INSTR] = {0};
    for (size_t r = 0; r < out->n; r++) {
        const struct gt_tick *t = &out->t[r];
        if (t->kind != GT_KIND_ORDER)
            continue;
        cr_assert(eq(int, strncmp(out->topic[r], "order.H100.", 11), 0), "%s", out->topic[r]);
        int i = t->instr_id - sec_id(0), k = 0;
        cr_assert(i >= 0 && i < N_INSTR);
        const struct gt_order *o = &t->u.order;
        if (o->action == GT_ACT_DELETE_THRU) {
            n[i] = 0;
            stale[i] = (t->flags & GT_F_STALE) != 0;
            continue;
        }
        while (k < n[i] && bus[i][k].id != o->order_id)
            k++;
        if (o->action == GT_ACT_DELETE) {
            cr_assert(lt(int, k, n[i]), "a delete of an order the bus never showed");
            bus[i][k] = bus[i][--n[i]];
            continue;
        }
        if (k == n[i]) {
            cr_assert(eq(int, o->action, GT_ACT_NEW));
            cr_assert(lt(int, n[i], XO_MAX));
            n[i]++;
        }
        bus[i][k] = (struct xorder){o->order_id, o->priority, o->px, o->qty, o->side};
    }
    for (int i = 0; i < N_INSTR; i++) {
        cr_assert(eq(int, stale[i], 0), "instrument %d", i);
        cr_assert(eq(int, n[i], XO.n[i]), "instrument %d", i);
        for (int k = 0; k < n[i]; k++) {
            int j = 0;
            while (j < XO.n[i] && XO.o[i][j].id != bus[i][k].id)
                j++;
            cr_assert(lt(int, j, XO.n[i]), "order %llu not at the exchange",
                      (unsigned long long)bus[i][k].id);
            cr_assert(eq(u64, bus[i][k].prio, XO.o[i][j].prio));
            cr_assert(eq(i64, bus[i][k].px, XO.o[i][j].px));
            cr_assert(eq(i32, bus[i][k].qty, XO.o[i][j].qty));
            cr_assert(eq(u8, bus[i][k].side, XO.o[i][j].side));
        }
    }
}

Test(feed, order_books_follow_46s_orders_and_47_in_priority_order)
{
    for (int k = 0; k < 3000; k++)
        order_event((int)(rnd() % N_INSTR), (rnd() % 10 == 0) ? 1 + (int)(rnd() % 2) : 3);
    const struct feed_stats *s = feed_stats(F);
    cr_assert(eq(u64, s->gaps, 0));
    cr_assert(eq(u64, s->mbo_updates, 3000));
    cr_assert(gt(int, XO.via46, 500), "both paths taken: %d via 46", XO.via46);
    cr_assert(eq(u64, s->mbo_checks, 3000));
    cr_assert(eq(u64, s->mbo_mismatch, 0), "the orders imply the MBP book published");
    cr_assert(eq(u64, s->mbo_stale, 0));
    assert_orders_equal();
    assert_bus_orders_equal();
    assert_books_equal();
}

Test(feed, order_books_recover_from_the_mbo_snapshot_loop_after_loss_on_both_lines)
{
    for (int k = 0; k < 8000; k++) {
        int r = (int)(rnd() % 100);
        int lines = r < 1 ? 0 : r < 6 ? 1 : r < 11 ? 2 : 3;
        order_event((int)(rnd() % N_INSTR), lines);
        if (k % 50 == 49) { /* the MBO loop is the only way back for an order book */
            snapshot_loop();
            mbo_snapshot_loop();
        }
    }
    order_event(0, 3);                      /* reveals a loss at the very end */
    feed_poll(F, (int64_t)X.now + 1000000); /* past the reorder window */
    snapshot_loop();
    mbo_snapshot_loop();
    const struct feed_stats *s = feed_stats(F);
    cr_assert(gt(u64, s->gaps, 30));
    cr_assert(gt(u64, s->mbo_stale, 30));
    cr_assert(gt(u64, s->mbo_recovered, 10));
    cr_assert(eq(u32, s->mbo_n_stale, 0));
    cr_assert(gt(u64, s->mbo_checks, 1000));
    cr_assert(eq(u64, s->mbo_mismatch, 0), "never compared while either book was stale");
    assert_orders_equal();
    assert_bus_orders_equal();
    assert_books_equal();
}

Test(feed, an_order_the_book_does_not_hold_makes_it_stale_until_its_snapshot)
{
    for (int k = 0; k < 200; k++)
        order_event((int)(rnd() % N_INSTR), 3);
    pkt_begin();
    struct mdp3_incr m = {.transact_time_ns = ++X.now, .mei = MDP3_MEI_END_OF_EVENT};
    struct mdp3_orderbook47_entry o = {42, 1, 2500000000, 1, sec_id(1), MDP3_ACT_DELETE, '0'};
    cr_assert(eq(int, mdp3_enc_orderbook47(&X.e, &m, &o, 1), GT_OK));
    pkt_send(3);
    const struct feed_stats *s = feed_stats(F);
    cr_assert(eq(u64, s->mbo_rejected, 1));
    cr_assert(eq(u32, s->mbo_n_stale, 1));
    for (int k = 0; k < 200; k++) /* queued meanwhile, applied after the snapshot */
        order_event((int)(rnd() % N_INSTR), 3);
    int stale = 0;
    feed_orders(F, sec_id(1), NULL, 0, &stale);
    cr_assert(eq(int, stale, 1));
    mbo_snapshot_loop();
    cr_assert(eq(u64, s->mbo_recovered, 1));
    for (int k = 0; k < 200; k++)
        order_event((int)(rnd() % N_INSTR), 3);
    cr_assert(eq(u64, s->mbo_mismatch, 0));
    assert_orders_equal();
}

/* A snapshot whose chunk is lost is not taken: the book waits for the next
 * round of the loop. */
Test(feed, an_mbo_snapshot_missing_a_chunk_is_not_taken)
{
    for (int k = 0; k < 400; k++)
        order_event(2, 3);
    cr_assert(gt(int, XO.n[2], XO_CHUNK), "more than one chunk");
    order_event(2, 0); /* lost on both lines */
    order_event(2, 3);
    feed_poll(F, (int64_t)X.now + 1000000);
    cr_assert(eq(u32, feed_stats(F)->mbo_n_stale, 1));
    /* The loop without its first chunk for instrument 2: not taken. */
    uint8_t buf[1500];
    struct mdp3_snapshot53_entry en = {XO.o[2][XO.n[2] - 1].id, XO.o[2][XO.n[2] - 1].prio,
                                       XO.o[2][XO.n[2] - 1].px, XO.o[2][XO.n[2] - 1].qty,
                                       XO.o[2][XO.n[2] - 1].side == GT_SIDE_BID ? '0' : '1'};
    struct mdp3_snapshot53 sn = {.last_msg_seq_num_processed = X.seq,
                                 .tot_num_reports = 1,
                                 .security_id = sec_id(2),
                                 .no_chunks = 2,
                                 .current_chunk = 2,
                                 .transact_time_ns = X.now};
    struct mdp3_enc e;
    mdp3_enc_init(&e, buf, sizeof buf, 1, X.now);
    cr_assert(eq(int, mdp3_enc_snapshot53(&e, &sn, &en, 1), GT_OK));
    feed_packet(F, GT_FEED_SNAP_A, buf, mdp3_enc_len(&e), (int64_t)X.now);
    cr_assert(eq(u32, feed_stats(F)->mbo_n_stale, 1));
    cr_assert(eq(u64, feed_stats(F)->mbo_recovered, 0));
    snapshot_loop();
    snapshot_loop(); /* a whole cycle: the idle instruments' books are empty */
    mbo_snapshot_loop();
    cr_assert(eq(u64, feed_stats(F)->mbo_recovered, 1));
    assert_orders_equal();
    assert_books_equal();
}
