/* SPDX-License-Identifier: MIT */
/* test_tickq.c -- the tickq commands against a real store built in a mkdtemp
 * folder from ticks generated with a seeded PRNG: one trading day of an H100
 * contract (trades, book level changes with a stale period, a recovery and a
 * reset, tops of book), three more contracts (one expired), the H100 index
 * with indicative values and a month of official fixings (one corrected).
 * Every answer is checked against values recomputed here from the generated
 * ticks, by code that shares nothing with query/ (a naive book applier, plain
 * loops for bars and the settlement mean). Bad input must exit 2 with a
 * message. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <rocksdb/c.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "block.h"
#include "cmd.h"
#include "journal.h"
#include "key.h"
#include "proc.h"
#include "tickgen.h"
#include "tz.h"
#include "gputick/store.h"
#include "gputick/tick.h"
#include "gputick/tickfmt.h"
#include "gputick/time.h"

static char dir[64], db[128];

#define rm_entry tickgen_rm

/* ---- the generated market ---- */

#define DAY_NS INT64_C(1795478400000000000) /* 2026-11-24T00:00:00Z, a Tuesday */
#define TICK_PX INT64_C(5000000)            /* $0.005 */
enum { FRONT = 1001, MAX_TICKS = 200000, N_EVENTS = 12000 };

static struct gt_tick *ticks;
static int n_ticks;
static int64_t hole_ns[2]; /* when trading_day() left its holes */
static int n_full_new;     /* its New entries into a full side */
static uint64_t seq, rng = 0x9e3779b97f4a7c15u;
static int32_t index_id;

static uint64_t rnd(void)
{
    return tickgen_rnd(&rng);
}

/* The ticks go into ticks[0..n_ticks) through tickgen.h, numbered by seq. */
static struct gt_tick *add(int kind, int32_t id, int64_t ns)
{
    struct tickgen g = {ticks, n_ticks, MAX_TICKS, seq};
    struct gt_tick *t = tickgen_add(&g, kind, id, ns);
    n_ticks = g.n, seq = g.seq;
    return t;
}

static void def_at(int64_t ns, int32_t id, const char *sym, uint32_t maturity, int type, int depth)
{
    struct tickgen g = {ticks, n_ticks, MAX_TICKS, seq};
    tickgen_def(&g, ns, id, sym, maturity, type, depth);
    n_ticks = g.n, seq = g.seq;
}

static void def(int32_t id, const char *sym, uint32_t maturity, int type)
{
    def_at(DAY_NS, id, sym, maturity, type, 10);
}

static void level(int64_t ns, int side, int lvl, int action, int64_t px, int64_t qty, int flags)
{
    struct gt_tick *t = add(GT_KIND_LEVEL, FRONT, ns);
    t->flags = (uint16_t)flags;
    t->u.level = (struct gt_level){.px = px,
                                   .qty = qty,
                                   .n_orders = (int32_t)(qty % 7 + 1),
                                   .level = (uint8_t)lvl,
                                   .side = (uint8_t)side,
                                   .action = (uint8_t)action};
}

static void status(int64_t ns, int feed)
{
    add(GT_KIND_STATUS, FRONT, ns)->u.status =
        (struct gt_status){.trading = 255, .feed = (uint8_t)feed};
}

static void fixing(int64_t ns, int64_t px, int code, uint32_t date)
{
    struct tickgen g = {ticks, n_ticks, MAX_TICKS, seq};
    tickgen_fixing(&g, index_id, ns, px, code, date);
    n_ticks = g.n, seq = g.seq;
}

/* Official fixings of 2026-12 (weekdays through the 30th), one a day at
 * 16:00, the 15th corrected by a second value; their mean is the settlement. */
static void december_fixings(void)
{
    for (int d = 1; d <= 30; d++) {
        int64_t ns = gt_ns_of_ymd(20261200u + (uint32_t)d);
        int wd = (int)((ns / GT_NS_PER_DAY + 4) % 7);
        if (wd == 0 || wd == 6)
            continue;
        int64_t px = 2700000000 + (int64_t)(rnd() % 100000000);
        fixing(ns + 16 * 3600 * GT_NS_PER_SEC, px, GT_FIX_CLOSE, 20261200u + (uint32_t)d);
        if (d == 15)
            fixing(ns + 17 * 3600 * GT_NS_PER_SEC, px + 1234567, GT_FIX_CLOSE, 20261215);
    }
}

/* One day of the front contract between 09:00 and 17:00: per event a few
 * level changes, a top of book, often a trade; the index ticks hourly. A
 * stale period with a recovery as tickfeed publishes it, and a reset. The
 * book has the MarketDepth of its definition, FRONT_DEPTH, cut to
 * FRONT_DEPTH_LATER by a new definition at event 6000, and New entries go
 * into full sides too (the worst level falls off, with no Delete for it), as
 * the exchange's do. Two lost-entry holes: a Change two levels past the end
 * of a side. n[] counts the levels the generator believes in use: it does
 * not trim holes, which only makes some later entries land past the end. */
enum { FRONT_DEPTH = 8, FRONT_DEPTH_LATER = 6 };

static void trading_day(void)
{
    int n[2] = {0, 0}, depth = FRONT_DEPTH;
    int64_t t0 = DAY_NS + 9 * 3600 * GT_NS_PER_SEC, step = 8 * 3600 * GT_NS_PER_SEC / N_EVENTS;
    int64_t mid = 2750000000, next_fix = t0;
    for (int e = 0; e < N_EVENTS; e++) {
        int64_t ns = t0 + e * step + (int64_t)(rnd() % (uint64_t)step);
        if (ns >= next_fix) {
            fixing(next_fix, mid - 30000000 + (int64_t)(rnd() % 5) * TICK_PX, GT_FIX_INDICATIVE,
                   20261124);
            next_fix += 3600 * GT_NS_PER_SEC;
        }
        mid += ((int64_t)(rnd() % 3) - 1) * TICK_PX;
        if (e == 6000) { /* a definition with a smaller MarketDepth */
            depth = FRONT_DEPTH_LATER;
            def_at(ns, FRONT, "H100Z6", 20261230, GT_INSTR_FUTURE, depth);
            for (int s = 0; s < 2; s++)
                n[s] = n[s] < depth ? n[s] : depth;
        }
        if ((e == 1500 || e == 9000) && n[0] + 2 <= depth) { /* a hole at n + 1 */
            level(ns, GT_SIDE_BID, n[0] + 2, GT_ACT_CHANGE, mid - 20 * TICK_PX, 33, 0);
            n[0] += 2;
            hole_ns[e == 9000] = ns;
        }
        if (e == 4000)
            status(ns, GT_FEED_STALE);
        if (e == 4200) { /* recovery: a fresh book from the snapshot */
            level(ns, GT_SIDE_BID, 1, GT_ACT_DELETE_THRU, 0, 0, GT_F_RECOVERY);
            level(ns, GT_SIDE_ASK, 1, GT_ACT_DELETE_THRU, 0, 0, GT_F_RECOVERY);
            for (int s = 0; s < 2; s++)
                for (int l = 1; l <= 5; l++)
                    level(ns, s + 1, l, GT_ACT_NEW, mid + (s ? l : -l) * TICK_PX, 10 * l,
                          GT_F_RECOVERY);
            n[0] = n[1] = 5;
            status(ns, GT_FEED_RECOVERED);
            continue;
        }
        if (e == 8000) {
            status(ns, GT_FEED_RESET);
            n[0] = n[1] = 0;
        }
        if (e > 4000 && e < 4200)
            continue; /* nothing arrives while stale */
        for (int k = (int)(rnd() % 3) + 1; k > 0; k--) {
            int s = (int)(rnd() % 2), r = (int)(rnd() % 10), lvl;
            int64_t px = mid + (s ? 1 : -1) * (int64_t)(rnd() % 10 + 1) * TICK_PX;
            int64_t qty = (int64_t)(rnd() % 90) + 1;
            if (n[s] == 0 || r < 4) {
                lvl = (int)(rnd() % (uint64_t)(n[s] < depth ? n[s] + 1 : depth)) + 1;
                level(ns, s + 1, lvl, GT_ACT_NEW, px, qty, 0);
                n_full_new += n[s] == depth;
                n[s] += n[s] < depth;
            } else if (r < 7) {
                level(ns, s + 1, (int)(rnd() % (uint64_t)n[s]) + 1,
                      r == 6 ? GT_ACT_OVERLAY : GT_ACT_CHANGE, px, qty, 0);
            } else if (r < 9) {
                level(ns, s + 1, (int)(rnd() % (uint64_t)n[s]) + 1, GT_ACT_DELETE, px, 0, 0);
                n[s]--;
            } else if (rnd() % 4 == 0) {
                level(ns, s + 1, 1, GT_ACT_DELETE_THRU, 0, 0, 0);
                n[s] = 0;
            } else {
                lvl = (int)(rnd() % (uint64_t)n[s]) + 1;
                level(ns, s + 1, lvl, GT_ACT_DELETE_FROM, px, 0, 0);
                n[s] -= lvl; /* levels 1..lvl go, the rest shift up */
            }
        }
        if (rnd() % 3) {
            struct gt_tick *t = add(GT_KIND_TRADE, FRONT, ns);
            t->u.trade = (struct gt_trade){.px = mid + ((int64_t)(rnd() % 5) - 2) * TICK_PX,
                                           .qty = (int64_t)(rnd() % 50) + 1,
                                           .trade_id = (uint32_t)e,
                                           .n_orders = 2,
                                           .aggressor = (uint8_t)(rnd() % 2 + 1)};
        }
        struct gt_tick *q = add(GT_KIND_TOB, FRONT, ns);
        q->u.tob = (struct gt_tob){.bid_px = mid - TICK_PX,
                                   .ask_px = mid + TICK_PX * (int64_t)(rnd() % 2 + 1),
                                   .bid_qty = 10,
                                   .ask_qty = 12,
                                   .bid_orders = 1,
                                   .ask_orders = 2};
    }
    /* A deferred month: one top of book and one trade at noon. */
    struct gt_tick *q = add(GT_KIND_TOB, 1002, DAY_NS + 12 * 3600 * GT_NS_PER_SEC);
    q->u.tob =
        (struct gt_tob){.bid_px = 2800000000, .ask_px = 2810000000, .bid_qty = 1, .ask_qty = 1};
    struct gt_tick *t = add(GT_KIND_TRADE, 1002, DAY_NS + 12 * 3600 * GT_NS_PER_SEC + 5);
    t->u.trade = (struct gt_trade){.px = 2805000000, .qty = 3, .aggressor = GT_SIDE_BID};
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gt-test-tickq-XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    snprintf(db, sizeof db, "%s/db", dir);
    ticks = malloc(MAX_TICKS * sizeof *ticks);
    cr_assert(not(eq(ptr, ticks, NULL)));
    index_id = gt_index_id("SDH100RT", 8);
    def(index_id, "SDH100RT", 0, GT_INSTR_INDEX);
    def(999, "H100V6", 20261030, GT_INSTR_FUTURE);
    def(FRONT, "H100Z6", 20261230, GT_INSTR_FUTURE);
    def(1002, "H100F7", 20270129, GT_INSTR_FUTURE);
    def(1003, "H100G7", 20270226, GT_INSTR_FUTURE);
    trading_day();
    december_fixings();
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    for (int i = 0; i < n_ticks; i++)
        cr_assert(eq(int, gt_store_append(st, &ticks[i]), 1));
    cr_assert(eq(int, gt_store_commit(st, seq), GT_OK));
    gt_store_close(st);
}

static void teardown(void)
{
    free(ticks);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(tickq, .init = setup, .fini = teardown, .timeout = 60);

/* ---- running a command ---- */

static char *out_s, *err_s;

#define slurp tickgen_slurp

/* Runs "tickq ARGS..." (NULL-terminated) in this process with stdout and
 * stderr captured into out_s and err_s; returns the exit status. */
static int run(int (*cmd)(int, char **), ...)
{
    va_list ap;
    va_start(ap, cmd);
    int rc = tickgen_vrun(dir, &out_s, &err_s, cmd, ap);
    va_end(ap);
    return rc;
}

/* Checks a refusal: exit 2, no output, one line on stderr (below). */
static void bad(const char *what, int rc);

/* The CSV line of row r (0 = the header), copied into buf. */
#define line tickgen_line

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static char *px(int64_t v, char *b)
{
    if (v == INT64_MAX)
        b[0] = 0;
    else
        gt_px_format(v, b);
    return b;
}

/* ---- independent recomputations ---- */

struct ref_bar {
    int64_t start, o, h, l, c, vol, n;
    __int128 notional;
};

/* Bars of width w of instrument id's trades among t[0..n_t), by plain loops
 * (t in time order). */
static int ref_bars(const struct gt_tick *tk, int n_t, int32_t id, int64_t w, struct ref_bar *out,
                    int cap)
{
    int n = 0;
    for (int i = 0; i < n_t; i++) {
        const struct gt_tick *t = &tk[i];
        if (t->kind != GT_KIND_TRADE || t->instr_id != id)
            continue;
        int64_t start = t->exch_ns - t->exch_ns % w; /* times are positive here */
        if (n == 0 || out[n - 1].start != start) {
            cr_assert(n < cap);
            out[n++] =
                (struct ref_bar){start, t->u.trade.px, t->u.trade.px, t->u.trade.px, 0, 0, 0, 0};
        }
        struct ref_bar *b = &out[n - 1];
        b->h = t->u.trade.px > b->h ? t->u.trade.px : b->h;
        b->l = t->u.trade.px < b->l ? t->u.trade.px : b->l;
        b->c = t->u.trade.px;
        b->vol += t->u.trade.qty;
        b->n++;
        b->notional += (__int128)t->u.trade.px * t->u.trade.qty;
    }
    return n;
}

static void ref_bar_csv(const struct ref_bar *b, char *buf, size_t cap)
{
    char tb[GT_TIME_STRLEN], o[GT_PX_STRLEN], h[GT_PX_STRLEN], l[GT_PX_STRLEN], c[GT_PX_STRLEN],
        v[GT_PX_STRLEN];
    /* VWAP to 1e-9, half away from zero (all positive here: add half, floor). */
    int64_t vwap = (int64_t)((2 * b->notional + b->vol) / (2 * (__int128)b->vol));
    gt_time_format(b->start, tb);
    snprintf(buf, cap, "%s,%s,%s,%s,%s,%lld,%s,%lld", tb, px(b->o, o), px(b->h, h), px(b->l, l),
             px(b->c, c), (long long)b->vol, px(vwap, v), (long long)b->n);
}

/* The naive book, written from CME's MBP rules without query/ or lib/mbp.c:
 * every action rebuilds the side level by level, asking which old level (or
 * the entry itself) lands at each position 1..depth; a position past the
 * old side or past the depth reads empty (px INT64_MAX). A definition sets
 * the depth. */
enum { NB_MAX = 16 };
struct nbook {
    int64_t px[2][NB_MAX], qty[2][NB_MAX];
    int depth, stale;
};

static void nbook_init(struct nbook *b)
{
    memset(b, 0, sizeof *b);
    b->depth = 10; /* tickfeed's until a definition says */
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < NB_MAX; k++)
            b->px[s][k] = INT64_MAX;
}

/* Levels a side: up to the last non-empty one. */
static int nbook_n(const struct nbook *b, int s)
{
    int n = 0;
    for (int k = 0; k < b->depth; k++)
        if (b->px[s][k] != INT64_MAX)
            n = k + 1;
    return n;
}

static void nbook_apply(struct nbook *b, const struct gt_tick *t)
{
    if (t->kind == GT_KIND_STATUS) {
        if (t->u.status.feed == GT_FEED_STALE)
            b->stale = 1;
        if (t->u.status.feed == GT_FEED_RECOVERED)
            b->stale = 0;
        if (t->u.status.feed == GT_FEED_RESET)
            for (int s = 0; s < 2; s++)
                for (int k = 0; k < NB_MAX; k++)
                    b->px[s][k] = INT64_MAX;
        return;
    }
    if (t->kind == GT_KIND_DEF) {
        b->depth = t->u.def.depth;
        for (int s = 0; s < 2; s++)
            for (int k = b->depth; k < NB_MAX; k++)
                b->px[s][k] = INT64_MAX;
        return;
    }
    const struct gt_level *l = &t->u.level;
    int s = l->side - 1, L = l->level;
    int64_t tp[NB_MAX], tq[NB_MAX];
    for (int pos = 1; pos <= NB_MAX; pos++) {
        int src; /* the old level that lands at pos; 0: the entry; -1: none */
        switch (l->action) {
        case GT_ACT_NEW:
            src = pos < L ? pos : pos == L ? 0 : pos - 1;
            break;
        case GT_ACT_CHANGE:
        case GT_ACT_OVERLAY:
            src = pos == L ? 0 : pos;
            break;
        case GT_ACT_DELETE:
            src = pos < L ? pos : pos + 1;
            break;
        case GT_ACT_DELETE_FROM: /* levels 1..L go, the rest shift up L */
            src = pos + L;
            break;
        default: /* DeleteThru */
            src = -1;
        }
        if (pos > b->depth || src < 0 || src > b->depth)
            tp[pos - 1] = INT64_MAX, tq[pos - 1] = 0;
        else if (src == 0)
            tp[pos - 1] = l->px, tq[pos - 1] = l->qty;
        else
            tp[pos - 1] = b->px[s][src - 1], tq[pos - 1] = b->qty[s][src - 1];
    }
    memcpy(b->px[s], tp, sizeof tp);
    memcpy(b->qty[s], tq, sizeof tq);
}

static void nbook_at(struct nbook *b, int64_t at)
{
    nbook_init(b);
    for (int i = 0; i < n_ticks; i++)
        if (ticks[i].instr_id == FRONT && ticks[i].exch_ns <= at &&
            (ticks[i].kind == GT_KIND_LEVEL || ticks[i].kind == GT_KIND_STATUS ||
             ticks[i].kind == GT_KIND_DEF))
            nbook_apply(b, &ticks[i]);
}

/* ---- the commands ---- */

Test(tickq, bars_match_an_independent_recomputation_from_the_trades)
{
    static struct ref_bar ref[2000];
    int n = ref_bars(ticks, n_ticks, FRONT, 60 * GT_NS_PER_SEC, ref, 2000);
    cr_assert(gt(int, n, 400));
    cr_assert(
        eq(int,
           run(cmd_bars, "bars", "H100Z6", "--interval", "1m", "--db", db, "--format", "csv", NULL),
           0),
        "%s", err_s);
    char got[256], want[256];
    cr_assert(eq(str, (char *)line(out_s, 0, got, sizeof got),
                 "start,open,high,low,close,volume,vwap,trades"));
    cr_assert(eq(int, count_lines(out_s), n + 1));
    for (int i = 0; i < n; i++) {
        ref_bar_csv(&ref[i], want, sizeof want);
        cr_assert(eq(str, (char *)line(out_s, i + 1, got, sizeof got), want), "bar %d", i);
    }
}

Test(tickq, bars_1h_match_the_golden_csv)
{
    const char *src = getenv("GT_SOURCE_DIR");
    if (!src)
        cr_skip_test("GT_SOURCE_DIR is not set (run under ctest)");
    char path[512];
    snprintf(path, sizeof path, "%s/tests/golden/tickq_bars_1h.csv", src);
    cr_assert(eq(
        int, run(cmd_bars, "bars", "H100Z6", "-i", "1h", "--db", db, "--format", "csv", NULL), 0));
    char *want = slurp(path);
    cr_assert(eq(str, out_s, want));
    free(want);
    /* The golden file itself agrees with the recomputation. */
    static struct ref_bar ref[16];
    char got[256], row[256];
    int n = ref_bars(ticks, n_ticks, FRONT, 3600 * GT_NS_PER_SEC, ref, 16);
    cr_assert(eq(int, count_lines(out_s), n + 1));
    for (int i = 0; i < n; i++) {
        ref_bar_csv(&ref[i], row, sizeof row);
        cr_assert(eq(str, (char *)line(out_s, i + 1, got, sizeof got), row));
    }
}

Test(tickq, bars_fill_prints_empty_intervals_with_null_ohlc)
{
    cr_assert(
        eq(int,
           run(cmd_bars, "bars", "H100Z6", "-i", "1h", "--fill", "--from", "2026-11-24T06:00Z",
               "--to", "2026-11-24T10:00Z", "--db", db, "--format", "csv", NULL),
           0),
        "%s", err_s);
    char b[256];
    cr_assert(eq(int, count_lines(out_s), 5));
    cr_assert(eq(str, (char *)line(out_s, 1, b, sizeof b), "2026-11-24T06:00:00Z,,,,,0,,0"));
    cr_assert(eq(str, (char *)line(out_s, 3, b, sizeof b), "2026-11-24T08:00:00Z,,,,,0,,0"));
    cr_assert(not(eq(ptr, strstr(line(out_s, 4, b, sizeof b), "T09:00:00Z,2."), NULL)));
}

/* --product: every future of the product by maturity in one run, each row
 * the symbol and then exactly the row that product's own bars print. */
Test(tickq, bars_product_prints_every_contracts_bars_led_by_its_symbol)
{
    static const char *const syms[] = {"H100V6", "H100Z6", "H100F7", "H100G7"};
    static char want[1 << 20];
    size_t len = (size_t)snprintf(want, sizeof want,
                                  "symbol,start,open,high,low,close,volume,"
                                  "vwap,trades\n");
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        cr_assert(
            eq(int, run(cmd_bars, "bars", syms[i], "-i", "1h", "--db", db, "--format", "csv", NULL),
               0),
            "%s", err_s);
        const char *row = strchr(out_s, '\n') + 1; /* past the header */
        for (const char *nl; (nl = strchr(row, '\n')); row = nl + 1)
            len += (size_t)snprintf(want + len, sizeof want - len, "%s,%.*s\n", syms[i],
                                    (int)(nl - row), row);
    }
    cr_assert(lt(sz, len, sizeof want));
    cr_assert(eq(int,
                 run(cmd_bars, "bars", "--product", "H100", "-i", "1h", "--db", db, "--format",
                     "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(str, out_s, want));
    /* On one thread and on three (more than this machine may have), the same. */
    for (int t = 1; t <= 3; t += 2) {
        char nt[8];
        snprintf(nt, sizeof nt, "%d", t);
        cr_assert(eq(int,
                     run(cmd_bars, "bars", "--product", "H100", "-i", "1h", "--threads", nt, "--db",
                         db, "--format", "csv", NULL),
                     0),
                  "%s", err_s);
        cr_assert(eq(str, out_s, want), "--threads %d", t);
    }
    cr_assert(not(eq(ptr, strstr(out_s, "\nH100F7,"), NULL)), "two contracts traded: %s", out_s);
    /* Both a SYMBOL and --product, --fill with it, --threads without it, or an
     * unknown product: refused. */
    cr_assert(eq(int,
                 run(cmd_bars, "bars", "H100Z6", "--product", "H100", "-i", "1h", "--db", db, NULL),
                 2));
    cr_assert(not(eq(ptr, strstr(err_s, "not both"), NULL)), "%s", err_s);
    cr_assert(eq(int,
                 run(cmd_bars, "bars", "--product", "H100", "-i", "1h", "--fill", "--db", db, NULL),
                 2));
    cr_assert(eq(
        int, run(cmd_bars, "bars", "H100Z6", "-i", "1h", "--threads", "2", "--db", db, NULL), 2));
    cr_assert(eq(int, run(cmd_bars, "bars", "--product", "H999", "-i", "1h", "--db", db, NULL), 2));
}

/* Every 10 minutes of the day and at the two holes: the depth of each
 * definition, New into full sides, DeleteFrom of the top N and holes. */
Test(tickq, book_at_t_matches_a_naive_replay)
{
    int64_t times[64];
    int nt = 0, holes = 0;
    times[nt++] = hole_ns[0];
    times[nt++] = hole_ns[1];
    for (int64_t t = DAY_NS + 9 * 3600 * GT_NS_PER_SEC; t <= DAY_NS + 17 * 3600 * GT_NS_PER_SEC;
         t += 600 * GT_NS_PER_SEC)
        times[nt++] = t + 7;
    cr_assert(gt(i64, hole_ns[0], 0));
    cr_assert(gt(i64, hole_ns[1], 0));
    for (int k = 0; k < nt; k++) {
        struct nbook nb;
        nbook_at(&nb, times[k]);
        char at[GT_TIME_STRLEN], row[256], want[256], a[GT_PX_STRLEN], c[GT_PX_STRLEN];
        gt_time_format(times[k], at);
        cr_assert(eq(int,
                     run(cmd_book, "book", "H100Z6", "--at", at, "--depth", "10", "--db", db,
                         "--format", "csv", NULL),
                     0),
                  "%s", err_s);
        int n[2] = {nbook_n(&nb, 0), nbook_n(&nb, 1)}, rows = n[0] > n[1] ? n[0] : n[1];
        cr_assert(eq(int, count_lines(out_s), 1 + rows), "at %s", at);
        for (int i = 0; i < rows; i++) {
            char o[2][16] = {"", ""}, q[2][24] = {"", ""};
            for (int s = 0; s < 2; s++)
                if (nb.px[s][i] != INT64_MAX) {
                    snprintf(o[s], sizeof o[s], "%lld", (long long)(nb.qty[s][i] % 7 + 1));
                    snprintf(q[s], sizeof q[s], "%lld", (long long)nb.qty[s][i]);
                }
            holes += i < n[0] && nb.px[0][i] == INT64_MAX;
            snprintf(want, sizeof want, "%d,%s,%s,%s,%s,%s,%s,%s", i + 1, o[0], q[0],
                     px(nb.px[0][i], a), px(nb.px[1][i], c), q[1], o[1], nb.stale ? "stale" : "ok");
            cr_assert(eq(str, (char *)line(out_s, i + 1, row, sizeof row), want), "at %s", at);
        }
    }
    cr_assert(ge(int, holes, 2), "the holes were checked");
    cr_assert(gt(int, n_full_new, 500), "New entries into full sides");
}

Test(tickq, book_says_when_it_was_stale)
{
    /* Event 4000 of 12000 goes stale, 4200 recovers: 11:40 to 11:48. */
    cr_assert(eq(int,
                 run(cmd_book, "book", "H100Z6", "--at", "2026-11-24T11:45Z", "--db", db,
                     "--format", "csv", NULL),
                 0));
    cr_assert(not(eq(ptr, strstr(out_s, ",stale\n"), NULL)));
    cr_assert(not(eq(ptr, strstr(err_s, "was stale at T"), NULL)));
    cr_assert(eq(int,
                 run(cmd_book, "book", "H100Z6", "--at", "2026-11-24T12:00Z", "--db", db,
                     "--format", "csv", NULL),
                 0));
    cr_assert(eq(ptr, strstr(out_s, "stale"), NULL));
}

Test(tickq, settle_is_the_mean_of_the_month_official_fixings_rounded_to_the_tick)
{
    int64_t val[32] = {0};
    for (int i = 0; i < n_ticks; i++)
        if (ticks[i].kind == GT_KIND_FIXING && ticks[i].u.fixing.code == GT_FIX_CLOSE)
            val[ticks[i].u.fixing.date % 100] = ticks[i].u.fixing.px; /* later corrects */
    __int128 sum = 0;
    int n = 0;
    for (int d = 1; d <= 30; d++)
        if (val[d])
            sum += val[d], n++;
    cr_assert(eq(int, n, 22));
    int64_t q = (int64_t)((2 * sum + (__int128)n * TICK_PX) / (2 * (__int128)n * TICK_PX));
    char want[GT_PX_STRLEN], b[512];
    px(q * TICK_PX, want);
    cr_assert(eq(int, run(cmd_settle, "settle", "H100Z6", "--db", db, "--format", "csv", NULL), 0),
              "%s", err_s);
    char *row = (char *)line(out_s, 1, b, sizeof b);
    /* 22 fixings (one on Christmas Day, used as it is there) for 21 business
     * days: December's 22 weekdays through the 30th less Christmas. */
    cr_assert(not(eq(ptr, strstr(row, "H100Z6,202612,20261230,mean-official,22,21,yes,"), NULL)),
              "%s", row);
    cr_assert(not(eq(ptr, strstr(row, want), NULL)), "%s lacks %s", row, want);
    /* The calendar is data: an empty one counts 22 weekdays; one with the
     * 15th as a holiday too counts 20; a bad one is refused with its line. */
    static const struct {
        const char *text, *want;
    } cals[] = {
        {"# none\n", ",mean-official,22,22,yes,"},
        {"2026-12-15 a test holiday\n2026-12-25 Christmas Day\n", ",mean-official,22,20,yes,"},
        {"# ok\n2026-12-25\n2026-13-01 no such month\n", NULL}};
    char cal[256];
    snprintf(cal, sizeof cal, "%s/holidays.txt", dir);
    for (size_t k = 0; k < sizeof cals / sizeof cals[0]; k++) {
        FILE *f = fopen(cal, "w");
        cr_assert(not(eq(ptr, f, NULL)));
        fputs(cals[k].text, f);
        fclose(f);
        int rc = run(cmd_settle, "settle", "H100Z6", "--holidays", cal, "--db", db, "--format",
                     "csv", NULL);
        if (!cals[k].want) {
            bad("bad calendar", rc);
            cr_assert(not(eq(ptr, strstr(err_s, "holidays.txt:3: bad line"), NULL)), "%s", err_s);
            continue;
        }
        cr_assert(eq(int, rc, 0), "%s", err_s);
        cr_assert(not(eq(ptr, strstr(out_s, cals[k].want), NULL)), "%s", out_s);
    }
    /* H100F7's month has no fixings: incomplete, said so. */
    cr_assert(eq(int, run(cmd_settle, "settle", "H100F7", "--db", db, NULL), 0));
    cr_assert(not(eq(ptr, strstr(err_s, "incomplete"), NULL)));
    cr_assert(eq(int,
                 run(cmd_settle, "settle", "H100Z6", "--rule", "last-official", "--db", db,
                     "--format", "csv", NULL),
                 0));
    int64_t last = (val[30] + TICK_PX / 2) / TICK_PX * TICK_PX;
    cr_assert(not(eq(ptr, strstr(out_s, px(last, want)), NULL)));
}

Test(tickq, curve_lists_unexpired_contracts_with_basis_to_the_index)
{
    int64_t at = DAY_NS + 12 * 3600 * GT_NS_PER_SEC + 10;
    struct gt_tick q = {0}, f = {0}, tr = {0};
    for (int i = 0; i < n_ticks; i++) {
        const struct gt_tick *t = &ticks[i];
        if (t->exch_ns > at)
            continue;
        if (t->instr_id == FRONT && t->kind == GT_KIND_TOB)
            q = *t;
        if (t->instr_id == FRONT && t->kind == GT_KIND_TRADE)
            tr = *t;
        if (t->instr_id == index_id && t->kind == GT_KIND_FIXING && t->exch_ns >= f.exch_ns)
            f = *t;
    }
    int64_t mid = (q.u.tob.bid_px + q.u.tob.ask_px) / 2;
    char b[512], want[512], p1[32], p2[32], p3[32], p4[32], p5[32], p6[32];
    snprintf(want, sizeof want, "H100Z6,20261230,36,%s,%s,%s,%s,%s,%s,", px(q.u.tob.bid_px, p1),
             px(q.u.tob.ask_px, p2), px(mid, p3), px(tr.u.trade.px, p4), px(f.u.fixing.px, p5),
             px(mid - f.u.fixing.px, p6));
    cr_assert(eq(int,
                 run(cmd_curve, "curve", "H100", "--at", "2026-11-24T12:00:00.00000001Z", "--db",
                     db, "--format", "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(int, count_lines(out_s), 4)); /* H100V6 expired: Z6, F7, G7 */
    cr_assert(not(eq(ptr, strstr(line(out_s, 1, b, sizeof b), want), NULL)), "%s vs %s", b, want);
    cr_assert(
        not(eq(ptr,
               strstr(line(out_s, 2, b, sizeof b), "H100F7,20270129,66,2.80,2.81,2.805,2.805,"),
               NULL)),
        "%s", b);
    cr_assert(not(eq(ptr, strstr(line(out_s, 3, b, sizeof b), "H100G7,20270226,94,,,,,"), NULL)),
              "%s", b);
}

Test(tickq, asof_joins_each_trade_with_the_quote_before_it)
{
    cr_assert(eq(int,
                 run(cmd_asof, "asof", "H100Z6", "--from", "2026-11-24T13:00Z", "--to",
                     "2026-11-24T14:00Z", "--db", db, "--format", "csv", NULL),
                 0),
              "%s", err_s);
    int64_t from = DAY_NS + 13 * 3600 * GT_NS_PER_SEC, to = from + 3600 * GT_NS_PER_SEC;
    struct gt_tick q = {0}, f = {0};
    int rows = 0, checked = 0;
    char b[512], want[512], p[6][32];
    for (int i = 0; i < n_ticks; i++) {
        const struct gt_tick *t = &ticks[i];
        if (t->instr_id == FRONT && t->kind == GT_KIND_TOB && t->exch_ns < to)
            q = *t;
        if (t->instr_id == index_id && t->kind == GT_KIND_FIXING && t->exch_ns < to &&
            t->u.fixing.code == GT_FIX_INDICATIVE)
            f = *t;
        if (t->instr_id != FRONT || t->kind != GT_KIND_TRADE || t->exch_ns < from ||
            t->exch_ns >= to)
            continue;
        rows++;
        /* The quote of the same event comes after the trade: q is the one before. */
        int64_t mid = (q.u.tob.bid_px + q.u.tob.ask_px) / 2;
        int64_t slip =
            t->u.trade.aggressor == GT_SIDE_BID ? t->u.trade.px - mid : mid - t->u.trade.px;
        char tm[GT_TIME_STRLEN];
        gt_time_format(t->exch_ns, tm);
        snprintf(want, sizeof want, "%s,%s,%lld,%s,%s,%s,%s,%s,%s,", tm, px(t->u.trade.px, p[0]),
                 (long long)t->u.trade.qty, t->u.trade.aggressor == GT_SIDE_BID ? "buy" : "sell",
                 px(q.u.tob.bid_px, p[1]), px(q.u.tob.ask_px, p[2]), px(mid, p[3]),
                 px(f.u.fixing.px, p[4]), px(slip, p[5]));
        cr_assert(not(eq(ptr, strstr(line(out_s, rows, b, sizeof b), want), NULL)), "%s vs %s", b,
                  want);
        checked++;
    }
    cr_assert(gt(int, checked, 100));
    cr_assert(eq(int, count_lines(out_s), rows + 1));
}

Test(tickq, fixings_symbols_ticks_and_stats_count_what_was_stored)
{
    int n_fix = 0, n_off = 0, n_front = 0, n_trades = 0;
    for (int i = 0; i < n_ticks; i++) {
        n_fix += ticks[i].kind == GT_KIND_FIXING;
        n_off += ticks[i].kind == GT_KIND_FIXING && ticks[i].u.fixing.code == GT_FIX_CLOSE;
        n_front += ticks[i].instr_id == FRONT;
        n_trades += ticks[i].instr_id == FRONT && ticks[i].kind == GT_KIND_TRADE;
    }
    cr_assert(
        eq(int, run(cmd_fixings, "fixings", "SDH100RT", "--db", db, "--format", "csv", NULL), 0));
    cr_assert(eq(int, count_lines(out_s), n_fix + 1));
    cr_assert(not(eq(ptr, strstr(out_s, ",official,5\n"), NULL)));
    cr_assert(not(eq(ptr, strstr(out_s, "2026-11-24T09:00:00Z,20261124,"), NULL)));
    cr_assert(eq(int, run(cmd_fixings, "fixings", "SDH100RT", "--official", "--db", db, NULL), 0));
    cr_assert(eq(int, count_lines(out_s), n_off + 1));

    cr_assert(eq(int, run(cmd_symbols, "symbols", "--db", db, "--format", "csv", NULL), 0));
    cr_assert(eq(int, count_lines(out_s), 6));
    cr_assert(not(eq(ptr, strstr(out_s, "H100,SDH100RT,index,,0.005,"), NULL)), "%s", out_s);
    char want[128];
    snprintf(want, sizeof want, "H100,H100Z6,future,20261230,0.005,2026-11-24T09:");
    cr_assert(not(eq(ptr, strstr(out_s, want), NULL)), "%s", out_s);

    cr_assert(eq(int, run(cmd_ticks, "ticks", "H100Z6", "--kind", "trade", "--db", db, NULL), 0));
    cr_assert(eq(int, count_lines(out_s), n_trades + 1));
    cr_assert(eq(int, run(cmd_ticks, "ticks", "H100Z6", "--db", db, "--format", "jsonl", NULL), 0));
    cr_assert(eq(int, count_lines(out_s), n_front));
    cr_assert(not(eq(ptr, strstr(out_s, "\"action\":\"delete_from\""), NULL)));

    cr_assert(eq(int, run(cmd_stats, "stats", "--db", db, "--format", "csv", NULL), 0), "%s",
              err_s);
    snprintf(want, sizeof want, "TOTAL,,%d,", n_ticks);
    cr_assert(not(eq(ptr, strstr(out_s, want), NULL)), "%s", out_s);
}

Test(tickq, charts_are_svg_files)
{
    char path[160];
    snprintf(path, sizeof path, "%s/bars.svg", dir);
    cr_assert(
        eq(int,
           run(cmd_chart, "chart", "bars", "H100Z6", "-i", "15m", "--out", path, "--db", db, NULL),
           0),
        "%s", err_s);
    char *s = slurp(path);
    cr_assert(not(eq(ptr, strstr(s, "<svg"), NULL)));
    cr_assert(not(eq(ptr, strstr(s, "H100Z6, 15m bars"), NULL)));
    cr_assert(not(eq(ptr, strstr(s, "</svg>"), NULL)));
    free(s);
    snprintf(path, sizeof path, "%s/curve.svg", dir);
    cr_assert(eq(int,
                 run(cmd_chart, "chart", "curve", "H100", "--at", "2026-11-24T12:30Z", "--out",
                     path, "--db", db, NULL),
                 0),
              "%s", err_s);
    s = slurp(path);
    cr_assert(not(eq(ptr, strstr(s, "index SDH100RT = "), NULL)));
    cr_assert(not(eq(ptr, strstr(s, ">H100G7<"), NULL)));
    free(s);
}

/* ---- bad input: exit 2 and one line that says what was wrong ---- */

static void bad(const char *what, int rc)
{
    cr_assert(eq(int, rc, EXIT_USAGE), "%s: exit %d, stderr %s", what, rc, err_s);
    cr_assert(eq(str, out_s, ""), "%s printed %s", what, out_s);
    cr_assert(eq(int, count_lines(err_s), 1), "%s: %s", what, err_s);
    cr_assert(eq(int, strncmp(err_s, "tickq ", 6), 0), "%s: %s", what, err_s);
}

Test(tickq, bad_input_exits_2_with_one_clear_line)
{
    char missing[160];
    snprintf(missing, sizeof missing, "%s/nope", dir);
    bad("unknown symbol", run(cmd_bars, "bars", "H100Z7", "-i", "1m", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "H100Z6"), NULL)), "%s", err_s);
    bad("bad utf-8", run(cmd_ticks, "ticks", "H1\xff\xfe", "--db", db, NULL));
    bad("long symbol", run(cmd_book, "book", "H100Z6H100Z6H", "--at", "now", "--db", db, NULL));
    bad("missing db", run(cmd_symbols, "symbols", "--db", missing, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "no tick store"), NULL)));
    bad("bad time", run(cmd_ticks, "ticks", "H100Z6", "--from", "2026-13-01", "--db", db, NULL));
    bad("from >= to", run(cmd_bars, "bars", "H100Z6", "-i", "1m", "--from", "2026-11-25", "--to",
                          "2026-11-24", "--db", db, NULL));
    bad("interval 0", run(cmd_bars, "bars", "H100Z6", "-i", "0s", "--db", db, NULL));
    bad("negative interval", run(cmd_bars, "bars", "H100Z6", "-i", "-5m", "--db", db, NULL));
    bad("unknown interval", run(cmd_bars, "bars", "H100Z6", "-i", "5x", "--db", db, NULL));
    bad("huge interval", run(cmd_bars, "bars", "H100Z6", "-i", "400d", "--db", db, NULL));
    bad("no interval", run(cmd_bars, "bars", "H100Z6", "--db", db, NULL));
    bad("too many filled bars", run(cmd_bars, "bars", "H100Z6", "-i", "1s", "--fill", "--from",
                                    "2026-01-01", "--to", "2026-12-01", "--db", db, NULL));
    bad("unknown kind", run(cmd_ticks, "ticks", "H100Z6", "--kind", "quote", "--db", db, NULL));
    bad("bad depth",
        run(cmd_book, "book", "H100Z6", "--at", "now", "--depth", "0", "--db", db, NULL));
    bad("no --at", run(cmd_book, "book", "H100Z6", "--db", db, NULL));
    bad("bad rule", run(cmd_settle, "settle", "H100Z6", "--rule", "median", "--db", db, NULL));
    bad("settle an index", run(cmd_settle, "settle", "SDH100RT", "--db", db, NULL));
    bad("fixings of a future", run(cmd_fixings, "fixings", "H100Z6", "--db", db, NULL));
    bad("unknown product", run(cmd_curve, "curve", "H200", "--at", "now", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "H100"), NULL)), "%s", err_s);
    bad("chart without --out",
        run(cmd_chart, "chart", "bars", "H100Z6", "-i", "1m", "--db", db, NULL));
    bad("unknown chart", run(cmd_chart, "chart", "pie", "H100Z6", NULL));
    bad("bad format", run(cmd_stats, "stats", "--format", "xml", "--db", db, NULL));
    bad("extra argument", run(cmd_chart, "chart", "bars", "H100Z6", "H100F7", "-i", "1m", "--out",
                              "x.svg", "--db", db, NULL));
    /* The edge of time: one filled 366-day bar that starts before int64 ns can say. */
    cr_assert(eq(int,
                 run(cmd_bars, "bars", "H100Z6", "-i", "366d", "--fill", "--from", "1678-01-02",
                     "--to", "1678-01-03", "--db", db, "--format", "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(int, count_lines(out_s), 2));
    cr_assert(eq(int, run(cmd_bars, "bars", "--help", NULL), 0));
    cr_assert(not(eq(ptr, strstr(out_s, "usage: tickq bars"), NULL)));
}

/* ---- a recorded ticksim day against ticksim's truth file ---- */

/* ticksim writes a deterministic day (seed 11, the default 9 hours, packets
 * lost on both lines so that books go stale and recover from the snapshot
 * loop, a ChannelReset, and every 50th trade busted ten minutes later) as a
 * capture and its truth file. tickfeed --pcap
 * publishes it into its journal; tickstore then records that journal through
 * the ROUTER of a second tickfeed that only serves it (an empty capture and
 * --linger), as a recorder catching up does. tickq's answers are checked
 * against the truth alone: every instrument's final book against the truth's
 * final books, and bars, VWAP and trade counts against bars recomputed here
 * from the truth's trades (those not lost on both lines, less those a bust
 * that was not lost cancelled); ticks, asof, curve and settle against the
 * same trades. */

enum { DAY_INSTR = 64, DAY_TRADES = 400000, DAY_DEPTH = 10 };

struct day_book {
    char symbol[GT_SYMBOL_LEN + 1];
    int n[2];                   /* bids, asks */
    int64_t v[2][DAY_DEPTH][3]; /* px, qty, orders; px INT64_MAX if none */
};

struct day_truth {
    struct day_book books[DAY_INSTR];
    int n_books;
    char symbol[DAY_INSTR][GT_SYMBOL_LEN + 1];
    int32_t id[DAY_INSTR];
    int n_instr;
    struct gt_tick *trades; /* kind, instr_id, exch_ns, px, qty, trade_id: those that count */
    int n_trades, n_lost;
    int n_busted;            /* trades taken out by a bust that arrived */
    int n_prints[DAY_INSTR]; /* trade lines that arrived, busted or not */
    int n_busts[DAY_INSTR];  /* bust lines that arrived */
    int64_t end_ns;
};

static int64_t jnum(const char *s, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(s, k);
    cr_assert(not(eq(ptr, (void *)p, NULL)), "truth line lacks %s: %.80s", key, s);
    return strtoll(p + strlen(k), NULL, 10);
}

static void jstr(const char *s, const char *key, char *out, size_t cap)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\":\"", key);
    const char *p = strstr(s, k);
    cr_assert(not(eq(ptr, (void *)p, NULL)), "truth line lacks %s", key);
    p += strlen(k);
    size_t n = strcspn(p, "\"");
    cr_assert(lt(sz, n, cap));
    memcpy(out, p, n);
    out[n] = 0;
}

static void day_truth_read(struct day_truth *t, const char *path)
{
    memset(t, 0, sizeof *t);
    t->trades = malloc(DAY_TRADES * sizeof *t->trades);
    cr_assert(not(eq(ptr, t->trades, NULL)));
    FILE *f = fopen(path, "r");
    cr_assert(not(eq(ptr, f, NULL)), "no truth file %s", path);
    static char l[1 << 16];
    while (fgets(l, sizeof l, f)) {
        if (strncmp(l, "{\"type\":\"instrument\"", 20) == 0) {
            cr_assert(lt(int, t->n_instr, DAY_INSTR));
            jstr(l, "symbol", t->symbol[t->n_instr], sizeof t->symbol[0]);
            t->id[t->n_instr++] = (int32_t)jnum(l, "security_id");
        } else if (strncmp(l, "{\"type\":\"trade\"", 15) == 0) {
            if (strstr(l, "\"lost\":true")) {
                t->n_lost++;
                continue;
            }
            cr_assert(lt(int, t->n_trades, DAY_TRADES));
            struct gt_tick *k = &t->trades[t->n_trades++];
            for (int i = 0; i < t->n_instr; i++)
                t->n_prints[i] += t->id[i] == (int32_t)jnum(l, "security_id");
            memset(k, 0, sizeof *k);
            k->kind = GT_KIND_TRADE;
            k->instr_id = (int32_t)jnum(l, "security_id");
            k->exch_ns = jnum(l, "t_ns");
            k->u.trade.px = jnum(l, "px");
            k->u.trade.qty = jnum(l, "qty");
            k->u.trade.trade_id = (uint32_t)jnum(l, "trade_id");
            /* A spread trade's leg print: no bar counts it (tick.h's rule). */
            if (strstr(l, "\"leg\":true"))
                k->kind = 0;
        } else if (strncmp(l, "{\"type\":\"bust\"", 14) == 0) {
            if (strstr(l, "\"lost\":true"))
                continue;
            /* ticksim's trade ids are unique in a run: the bust takes the
             * trade of its instrument and id out, if that arrived. */
            int32_t id = (int32_t)jnum(l, "security_id");
            uint32_t tid = (uint32_t)jnum(l, "trade_id");
            for (int k = 0; k < t->n_instr; k++)
                t->n_busts[k] += t->id[k] == id;
            for (int i = t->n_trades - 1; i >= 0; i--)
                if (t->trades[i].kind && t->trades[i].instr_id == id &&
                    t->trades[i].u.trade.trade_id == tid) {
                    t->trades[i].kind = 0; /* taken out below */
                    t->n_busted++;
                    break;
                }
        } else if (strncmp(l, "{\"type\":\"book\"", 14) == 0) {
            cr_assert(lt(int, t->n_books, DAY_INSTR));
            struct day_book *b = &t->books[t->n_books++];
            jstr(l, "symbol", b->symbol, sizeof b->symbol);
            b->n[0] = (int)jnum(l, "n_bid");
            b->n[1] = (int)jnum(l, "n_ask");
            for (int s = 0; s < 2; s++)
                for (int i = 0; i < DAY_DEPTH; i++)
                    b->v[s][i][0] = INT64_MAX;
            for (const char *p = strstr(l, "{\"side\""); p; p = strstr(p + 1, "{\"side\"")) {
                int s = strncmp(p, "{\"side\":\"bid\"", 13) != 0, lvl = (int)jnum(p, "level");
                cr_assert(ge(int, lvl, 1));
                cr_assert(le(int, lvl, DAY_DEPTH));
                b->v[s][lvl - 1][0] = jnum(p, "px");
                b->v[s][lvl - 1][1] = jnum(p, "qty");
                b->v[s][lvl - 1][2] = jnum(p, "orders");
            }
        } else if (strncmp(l, "{\"type\":\"end\"", 13) == 0) {
            t->end_ns = jnum(l, "t_ns");
        }
    }
    fclose(f);
    int n = 0;
    for (int i = 0; i < t->n_trades; i++)
        if (t->trades[i].kind)
            t->trades[n++] = t->trades[i];
    t->n_trades = n;
}

/* The last bus sequence in tickfeed's journal jdir. */
static uint64_t journal_last(const char *jdir)
{
    struct journal_reader *r;
    char err[GT_ERRLEN];
    cr_assert(eq(int, journal_reader_open(&r, jdir, err), GT_OK), "%s", err);
    cr_assert(eq(int, journal_reader_seek(r, 0), GT_OK));
    struct journal_msg m;
    uint64_t last = 0;
    while (journal_reader_next(r, &m) == 1)
        last = m.first_seq + m.n_records - 1;
    journal_reader_close(r);
    return last;
}

/* The day recorded into db by tickfeed and tickstore, as users run them. */
static void day_record(const char *truth)
{
    char pcap[160], empty[160], jdir[160], pub1[160], pub2[160], rtr[160], log[4][160];
    snprintf(pcap, sizeof pcap, "%s/day.pcap", dir);
    snprintf(empty, sizeof empty, "%s/empty.pcap", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub1, sizeof pub1, "ipc://%s/pub1", dir);
    snprintf(pub2, sizeof pub2, "ipc://%s/pub2", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    for (int i = 0; i < 4; i++)
        snprintf(log[i], sizeof log[i], "%s/%d.log", dir, i);
    pid_t sim = proc_spawn("tools/ticksim/ticksim", log[0], "--no-send", "--pcap", pcap, "--truth",
                           truth, "--seed", "11", "--lose-both", "0.002", "--reset-at", "+5h",
                           "--tail", "5m", "--bust-every", "50", NULL);
    cr_assert(eq(int, proc_wait(sim, 60000), 0), "ticksim failed");
    pid_t feed = proc_spawn("feedhandler/tickfeed", log[1], "--pcap", pcap, "--journal", jdir,
                            "--pub", pub1, "--router", "", "--stats", "0", NULL);
    cr_assert(eq(int, proc_wait(feed, 60000), 0), "tickfeed --pcap failed");
    uint64_t last = journal_last(jdir);
    cr_assert(gt(u64, last, 100000));
    /* The capture's file header alone: a capture of nothing. */
    FILE *in = fopen(pcap, "rb"), *out = fopen(empty, "wb");
    char hdr[24];
    cr_assert(eq(sz, fread(hdr, 1, sizeof hdr, in), sizeof hdr));
    cr_assert(eq(sz, fwrite(hdr, 1, sizeof hdr, out), sizeof hdr));
    fclose(in);
    fclose(out);
    feed = proc_spawn("feedhandler/tickfeed", log[2], "--pcap", empty, "--journal", jdir, "--pub",
                      pub2, "--router", rtr, "--linger", "60", "--stats", "0", NULL);
    pid_t rec = proc_spawn("store/tickstore", log[3], "--db", db, "--endpoint", pub2, "--router",
                           rtr, "--flush-ms", "100", "--stats", "0", NULL);
    uint64_t cp = 0;
    for (int i = 0; i < 300 && cp != last; i++) {
        usleep(100000);
        gt_store *st;
        char err[GT_ERRLEN];
        if (gt_store_open(db, GT_STORE_READER, &st, err) == GT_OK) {
            cp = gt_store_checkpoint(st);
            gt_store_close(st);
        }
    }
    cr_assert(eq(int, proc_stop(rec, 10000), 0), "tickstore did not stop cleanly");
    cr_assert(eq(int, proc_stop(feed, 10000), 0), "the serving tickfeed did not stop cleanly");
    cr_assert(eq(u64, cp, last), "tickstore recorded the whole journal");
    /* A store recorded for minutes has it all in its WAL, which every reader
     * open replays (96 opens follow); a long-running one has flushed it. */
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    cr_assert(eq(int, gt_store_compact(st), GT_OK));
    gt_store_close(st);
}

static void day_setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gt-test-tickq-day-XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    snprintf(db, sizeof db, "%s/db", dir);
}

static void day_teardown(void)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int count_of(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* Field k (0 = the first) of CSV line s, copied into out. */
static char *csv_field(const char *s, int k, char *out, size_t cap)
{
    for (; k > 0 && s; k--)
        if ((s = strchr(s, ',')))
            s++;
    cr_assert(not(eq(ptr, (void *)s, NULL)), "too few fields");
    size_t n = strcspn(s, ",\n");
    cr_assert(lt(sz, n, cap));
    memcpy(out, s, n);
    out[n] = 0;
    return out;
}

/* The last trade of instrument id at or before at_ns among the trades that
 * count, or NULL. */
static const struct gt_tick *day_last_trade(const struct day_truth *t, int32_t id, int64_t at_ns)
{
    const struct gt_tick *last = NULL;
    for (int i = 0; i < t->n_trades; i++)
        if (t->trades[i].instr_id == id && t->trades[i].exch_ns <= at_ns)
            last = &t->trades[i];
    return last;
}

/* The commands other than bars agree with the truth's trades less the busted
 * ones: ticks shows every print and every bust that arrived, asof joins only
 * the trades that count, and the last trade of curve and settle is the last
 * that counts. k is an instrument with busts. */
static void day_busts_agree(const struct day_truth *t, int k)
{
    char row[512], f[3][64], want[64], b[GT_PX_STRLEN];
    const char *sym = t->symbol[k];
    int32_t id = t->id[k];
    cr_assert(gt(int, t->n_busted, 100), "the day has busts: %d", t->n_busted);
    cr_assert(gt(int, t->n_busts[k], 0), "%s has busts", sym);

    /* ticks: the raw records, a print and, later, its bust. */
    cr_assert(
        eq(int,
           run(cmd_ticks, "ticks", sym, "--kind", "trade", "--db", db, "--format", "csv", NULL), 0),
        "%s", err_s);
    cr_assert(eq(int, count_lines(out_s), 1 + t->n_prints[k] + t->n_busts[k]), "%s", sym);
    cr_assert(eq(int, count_of(out_s, ",bust,"), t->n_busts[k]));

    /* asof: one row per trade that counts, in order. */
    cr_assert(eq(int, run(cmd_asof, "asof", sym, "--db", db, "--format", "csv", NULL), 0), "%s",
              err_s);
    int n = 0;
    for (int i = 0; i < t->n_trades; i++) {
        const struct gt_tick *x = &t->trades[i];
        if (x->instr_id != id)
            continue;
        cr_assert(not(eq(ptr, (void *)line(out_s, ++n, row, sizeof row), NULL)), "asof row %d", n);
        gt_time_format(x->exch_ns, want);
        cr_assert(eq(str, csv_field(row, 0, f[0], sizeof f[0]), want), "asof row %d", n);
        cr_assert(eq(str, csv_field(row, 1, f[1], sizeof f[1]), px(x->u.trade.px, b)));
        cr_assert(eq(i64, strtoll(csv_field(row, 2, f[2], sizeof f[2]), NULL, 10), x->u.trade.qty));
    }
    cr_assert(eq(int, count_lines(out_s), n + 1), "asof: only the trades that count");

    /* settle: the last trade that counts, beside the settlement. */
    cr_assert(eq(int, run(cmd_settle, "settle", sym, "--db", db, "--format", "csv", NULL), 0), "%s",
              err_s);
    const struct gt_tick *last = day_last_trade(t, id, INT64_MAX);
    cr_assert(not(eq(ptr, (void *)last, NULL)));
    line(out_s, 1, row, sizeof row);
    cr_assert(eq(str, csv_field(row, 8, f[0], sizeof f[0]), px(last->u.trade.px, b)), "%s", row);
    gt_time_format(last->exch_ns, want);
    cr_assert(eq(str, csv_field(row, 9, f[1], sizeof f[1]), want), "%s", row);

    /* curve at the end of the day and at its middle: each contract's last. */
    char product[GT_SYMBOL_LEN + 1];
    snprintf(product, sizeof product, "%.*s", (int)strlen(sym) - 2, sym);
    int64_t ats[2] = {t->end_ns, t->end_ns - 4 * 3600 * GT_NS_PER_SEC};
    for (int a = 0; a < 2; a++) {
        char at[GT_TIME_STRLEN];
        gt_time_format(ats[a], at);
        cr_assert(
            eq(int,
               run(cmd_curve, "curve", product, "--at", at, "--db", db, "--format", "csv", NULL),
               0),
            "%s", err_s);
        int rows = count_lines(out_s) - 1;
        cr_assert(gt(int, rows, 1));
        for (int r = 1; r <= rows; r++) {
            line(out_s, r, row, sizeof row);
            csv_field(row, 0, f[0], sizeof f[0]);
            int j = 0;
            while (j < t->n_instr && strcmp(t->symbol[j], f[0]))
                j++;
            cr_assert(lt(int, j, t->n_instr), "curve symbol %s", f[0]);
            const struct gt_tick *l = day_last_trade(t, t->id[j], ats[a]);
            cr_assert(eq(str, csv_field(row, 6, f[1], sizeof f[1]), l ? px(l->u.trade.px, b) : ""),
                      "%s at %s: %s", f[0], at, row);
        }
    }
}

/* About 7 s in Release, a minute under ASan on a busy machine. */
TestSuite(tickq_day, .init = day_setup, .fini = day_teardown, .timeout = 240);

Test(tickq_day, a_recorded_ticksim_day_answers_with_the_truths_books_bars_and_trades)
{
    char truth_path[160];
    snprintf(truth_path, sizeof truth_path, "%s/day.jsonl", dir);
    day_record(truth_path);
    static struct day_truth t;
    day_truth_read(&t, truth_path);
    cr_assert(eq(int, t.n_books, 48), "the truth has the market's 48 final books");
    cr_assert(gt(int, t.n_lost, 0), "packets lost on both lines (books went stale)");

    /* Every final book, level by level, with the state "ok" (recovered). */
    char at[GT_TIME_STRLEN], row[256], want[256], a[GT_PX_STRLEN], c[GT_PX_STRLEN];
    gt_time_format(t.end_ns + GT_NS_PER_DAY, at);
    int full = 0;
    for (int k = 0; k < t.n_books; k++) {
        const struct day_book *b = &t.books[k];
        cr_assert(eq(int,
                     run(cmd_book, "book", b->symbol, "--at", at, "--depth", "10", "--db", db,
                         "--format", "csv", NULL),
                     0),
                  "%s", err_s);
        int rows = b->n[0] > b->n[1] ? b->n[0] : b->n[1];
        full += (b->n[0] == DAY_DEPTH) + (b->n[1] == DAY_DEPTH);
        cr_assert(eq(int, count_lines(out_s), 1 + (rows ? rows : 1)), "%s: %s", b->symbol, out_s);
        for (int i = 0; i < rows; i++) {
            char o[2][24] = {"", ""}, q[2][24] = {"", ""};
            for (int s = 0; s < 2; s++)
                if (b->v[s][i][0] != INT64_MAX) {
                    snprintf(o[s], sizeof o[s], "%lld", (long long)b->v[s][i][2]);
                    snprintf(q[s], sizeof q[s], "%lld", (long long)b->v[s][i][1]);
                }
            snprintf(want, sizeof want, "%d,%s,%s,%s,%s,%s,%s,ok", i + 1, o[0], q[0],
                     px(b->v[0][i][0], a), px(b->v[1][i][0], c), q[1], o[1]);
            cr_assert(eq(str, (char *)line(out_s, i + 1, row, sizeof row), want), "%s level %d",
                      b->symbol, i + 1);
        }
    }
    cr_assert(gt(int, full, 24), "full sides (a New into one drops the worst level): %d", full);

    /* Hourly bars of every contract, and 5-minute bars of the busiest. */
    static struct ref_bar ref[2000];
    int trades = 0, busiest = 0, most = 0;
    for (int k = 0; k < t.n_instr; k++) {
        int n = ref_bars(t.trades, t.n_trades, t.id[k], 3600 * GT_NS_PER_SEC, ref, 2000);
        cr_assert(
            eq(int,
               run(cmd_bars, "bars", t.symbol[k], "-i", "1h", "--db", db, "--format", "csv", NULL),
               0),
            "%s", err_s);
        cr_assert(eq(int, count_lines(out_s), n + 1), "%s", t.symbol[k]);
        int in_instr = 0;
        for (int i = 0; i < n; i++) {
            ref_bar_csv(&ref[i], want, sizeof want);
            cr_assert(eq(str, (char *)line(out_s, i + 1, row, sizeof row), want), "%s bar %d",
                      t.symbol[k], i);
            in_instr += (int)strtol(strrchr(row, ',') + 1, NULL, 10);
        }
        trades += in_instr;
        if (in_instr > most)
            most = in_instr, busiest = k;
    }
    cr_assert(eq(int, trades, t.n_trades), "tickq's trade counts add up to the truth's trades");
    int n = ref_bars(t.trades, t.n_trades, t.id[busiest], 300 * GT_NS_PER_SEC, ref, 2000);
    cr_assert(gt(int, n, 50));
    cr_assert(eq(
        int,
        run(cmd_bars, "bars", t.symbol[busiest], "-i", "5m", "--db", db, "--format", "csv", NULL),
        0));
    cr_assert(eq(int, count_lines(out_s), n + 1));
    for (int i = 0; i < n; i++) {
        ref_bar_csv(&ref[i], want, sizeof want);
        cr_assert(eq(str, (char *)line(out_s, i + 1, row, sizeof row), want), "5m bar %d", i);
    }
    /* A range that ends before some of its trades' busts came: they are
     * left out all the same. */
    int64_t from_ns = ref[n / 3].start, to_ns = ref[n / 3].start + 3600 * GT_NS_PER_SEC;
    char from_s[GT_TIME_STRLEN], to_s[GT_TIME_STRLEN];
    gt_time_format(from_ns, from_s);
    gt_time_format(to_ns, to_s);
    cr_assert(eq(int,
                 run(cmd_bars, "bars", t.symbol[busiest], "-i", "5m", "--from", from_s, "--to",
                     to_s, "--db", db, "--format", "csv", NULL),
                 0));
    int in_range = 0;
    for (int i = 0; i < n; i++) {
        if (ref[i].start < from_ns || ref[i].start >= to_ns)
            continue;
        ref_bar_csv(&ref[i], want, sizeof want);
        cr_assert(eq(str, (char *)line(out_s, ++in_range, row, sizeof row), want), "ranged %d", i);
    }
    cr_assert(eq(int, count_lines(out_s), in_range + 1));
    day_busts_agree(&t, busiest);
    free(t.trades);
}

/* ---- what cannot be read is named and skipped, and the rest still works ---- */

/* Flips one byte in the middle of block nth (0 = the first) of the series
 * of (instr_id, kind), through RocksDB itself. Returns the block's key. */
static int64_t corrupt_block(int32_t instr_id, int kind, int nth)
{
    gt_store *st;
    char err[GT_ERRLEN];
    struct gt_series_info info;
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_OK), "%s", err);
    cr_assert(eq(int, gt_store_series_find(st, instr_id, kind, &info), GT_OK));
    gt_store_close(st);
    static const char *names[3] = {"default", "ticks", "meta"};
    rocksdb_options_t *o = rocksdb_options_create();
    const rocksdb_options_t *cfo[3] = {o, o, o};
    rocksdb_column_family_handle_t *cf[3];
    char *e = NULL;
    rocksdb_t *d = rocksdb_open_column_families(o, db, 3, names, cfo, cf, &e);
    cr_assert(eq(ptr, e, NULL), "%s", e);
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(d, ro, cf[1]);
    uint8_t key[KEY_BLOCK_LEN];
    key_block_encode(key, info.series, INT64_MIN);
    rocksdb_iter_seek(it, (const char *)key, sizeof key);
    for (int i = 0; i < nth; i++)
        rocksdb_iter_next(it);
    cr_assert(rocksdb_iter_valid(it));
    size_t klen, vlen;
    memcpy(key, rocksdb_iter_key(it, &klen), sizeof key);
    uint32_t series;
    int64_t key_ns;
    cr_assert(eq(int, key_block_decode(key, klen, &series, &key_ns), GT_OK));
    cr_assert(eq(u32, series, info.series), "block %d is in the series", nth);
    const char *v = rocksdb_iter_value(it, &vlen);
    char *copy = malloc(vlen);
    memcpy(copy, v, vlen);
    copy[vlen / 2] ^= 0x10;
    rocksdb_iter_destroy(it);
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    rocksdb_put_cf(d, wo, cf[1], (const char *)key, sizeof key, copy, vlen, &e);
    cr_assert(eq(ptr, e, NULL), "%s", e);
    free(copy);
    rocksdb_writeoptions_destroy(wo);
    rocksdb_readoptions_destroy(ro);
    for (int i = 0; i < 3; i++)
        rocksdb_column_family_handle_destroy(cf[i]);
    rocksdb_close(d);
    rocksdb_options_destroy(o);
    return key_ns;
}

/* The sum of the last CSV column of every row (the header is skipped). */
static long long last_column_sum(const char *s)
{
    long long sum = 0;
    for (const char *p = strchr(s, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
        const char *end = strchr(p + 1, '\n'), *c = end;
        while (c > p && c[-1] != ',')
            c--;
        sum += atoll(c);
    }
    return sum;
}

Test(tickq, a_corrupt_block_is_named_once_and_the_commands_go_on_past_it)
{
    int64_t key_ns = corrupt_block(FRONT, GT_KIND_TRADE, 2);
    int n_trades = 0, lost = 0;
    for (int i = 0; i < n_ticks; i++)
        if (ticks[i].instr_id == FRONT && ticks[i].kind == GT_KIND_TRADE)
            lost += n_trades / BLOCK_TICKS == 2, n_trades++;
    cr_assert(eq(int, lost, BLOCK_TICKS));
    char t[GT_TIME_STRLEN], want[256];
    gt_time_format(key_ns, t);

    cr_assert(eq(
        int, run(cmd_bars, "bars", "H100Z6", "-i", "1h", "--db", db, "--format", "csv", NULL), 1));
    snprintf(want, sizeof want,
             "tickq bars: skipped a corrupt block of H100Z6 trades at %s (checksum mismatch)\n", t);
    cr_assert(eq(str, err_s, want));
    cr_assert(eq(i64, last_column_sum(out_s), n_trades - lost), "the other trades are in bars");

    cr_assert(eq(int, run(cmd_ticks, "ticks", "H100Z6", "--kind", "trade", "--db", db, NULL), 1));
    cr_assert(eq(int, count_lines(out_s), n_trades - lost + 1));
    cr_assert(eq(int, count_lines(err_s), 1), "%s", err_s);
    cr_assert(not(eq(ptr, strstr(err_s, "tickq ticks: skipped a corrupt block of H100Z6"), NULL)));

    cr_assert(eq(int, run(cmd_asof, "asof", "H100Z6", "--db", db, "--format", "csv", NULL), 1));
    cr_assert(eq(int, count_lines(out_s), n_trades - lost + 1));
    cr_assert(eq(int, count_lines(err_s), 1), "%s", err_s);

    /* A range that does not reach the block reads cleanly. */
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "H100Z6", "--kind", "trade", "--to", "2026-11-24T09:30Z",
                     "--db", db, NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(str, err_s, ""));
}

Test(tickq, settle_goes_on_past_a_corrupt_last_block_and_names_it_once)
{
    int n_trades = 0;
    for (int i = 0; i < n_ticks; i++)
        n_trades += ticks[i].instr_id == FRONT && ticks[i].kind == GT_KIND_TRADE;
    int last_block = (n_trades - 1) / BLOCK_TICKS, k = 0;
    struct gt_tick before = {0}; /* the last trade of the block before it */
    for (int i = 0; i < n_ticks; i++)
        if (ticks[i].instr_id == FRONT && ticks[i].kind == GT_KIND_TRADE &&
            k++ == last_block * BLOCK_TICKS - 1)
            before = ticks[i];
    corrupt_block(FRONT, GT_KIND_TRADE, last_block);
    cr_assert(eq(int, run(cmd_settle, "settle", "H100Z6", "--db", db, "--format", "csv", NULL), 1));
    cr_assert(eq(int, count_of(err_s, "skipped a corrupt block of H100Z6 trades"), 1), "%s", err_s);
    cr_assert(eq(int, count_lines(err_s), 1), "%s", err_s);
    char t[GT_TIME_STRLEN], p[GT_PX_STRLEN], want[128];
    gt_time_format(before.exch_ns, t);
    snprintf(want, sizeof want, ",%s,%s,", px(before.u.trade.px, p), t);
    cr_assert(not(eq(ptr, strstr(out_s, want), NULL)), "%s wants %s", out_s, want);
}

/* The largest table file of the store, after a compaction put every block
 * into table files. */
static void largest_table(char *path, size_t cap, long *size)
{
    DIR *dp = opendir(db);
    cr_assert(not(eq(ptr, dp, NULL)));
    *size = 0;
    for (struct dirent *de; (de = readdir(dp));) {
        size_t n = strlen(de->d_name);
        struct stat sb;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", db, de->d_name);
        if (n > 4 && strcmp(de->d_name + n - 4, ".sst") == 0 && stat(p, &sb) == 0 &&
            sb.st_size > *size) {
            *size = sb.st_size;
            snprintf(path, cap, "%s", p);
        }
    }
    closedir(dp);
}

Test(tickq, unreadable_table_data_is_named_and_stats_and_ticks_go_on)
{
    gt_store *st;
    char err[GT_ERRLEN], sst[512];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    cr_assert(eq(int, gt_store_compact(st), GT_OK));
    gt_store_close(st);
    long size;
    largest_table(sst, sizeof sst, &size);
    cr_assert(gt(long, size, 100000), "the blocks are in a table file");
    FILE *f = fopen(sst, "r+b");
    cr_assert(not(eq(ptr, f, NULL)));
    fseek(f, size * 2 / 5, SEEK_SET);
    int c = fgetc(f);
    fseek(f, size * 2 / 5, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);

    /* Which series lost a stretch, and how many of its ticks are still read. */
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_OK), "%s", err);
    struct gt_series_info ser[64], hit = {0};
    int n_ser = gt_store_series_list(st, ser, 64), n_hit = 0;
    long readable = 0;
    for (int i = 0; i < n_ser; i++) {
        gt_store_iter *it;
        const struct gt_tick *v;
        long got = 0;
        int n, bad = 0;
        cr_assert(
            eq(int, gt_store_iter_open(st, ser[i].instr_id, ser[i].kind, INT64_MIN, INT64_MAX, &it),
               GT_OK));
        while ((n = gt_store_iter_next(it, &v)) != 0) {
            cr_assert(eq(int, n < 0 ? n : GT_ECORRUPT, GT_ECORRUPT), "%s",
                      gt_store_iter_errmsg(it));
            if (n > 0)
                got += n;
            bad |= n < 0;
        }
        gt_store_iter_close(it);
        if (bad) {
            hit = ser[i];
            readable = got;
            n_hit++;
        }
    }
    gt_store_close(st);
    cr_assert(eq(int, n_hit, 1), "one series lost a stretch");
    cr_assert(lt(long, readable, (long)hit.n_ticks));
    cr_assert(gt(long, readable, 0));

    cr_assert(eq(int, run(cmd_stats, "stats", "--db", db, "--format", "csv", NULL), 1));
    cr_assert(eq(int, count_lines(out_s), n_ser + 2), "every series and the total: %s", out_s);
    cr_assert(not(eq(ptr, strstr(err_s, "unknown: "), NULL)), "%s", err_s);
    cr_assert(not(eq(ptr, strstr(err_s, ".sst"), NULL)), "%s", err_s);

    const char *sym = hit.symbol[0] ? hit.symbol : "?", *kind = gt_kind_name(hit.kind);
    cr_assert(eq(int, run(cmd_ticks, "ticks", sym, "--kind", kind, "--db", db, NULL), 1));
    cr_assert(eq(int, count_lines(out_s), readable + 1));
    cr_assert(eq(int, count_lines(err_s), 1), "%s", err_s);
    char want[128];
    snprintf(want, sizeof want, "tickq ticks: skipped unreadable table data of %s ", sym);
    cr_assert(eq(int, strncmp(err_s, want, strlen(want)), 0), "%s", err_s);
    cr_assert(not(eq(ptr, strstr(err_s, ".sst"), NULL)), "%s", err_s);
}

/* ---- the CLI's own edges ---- */

Test(tickq, a_closed_pipe_ends_the_output_quietly_and_removes_the_reader_folder)
{
    const char *bin = getenv("GT_BINARY_DIR");
    if (!bin)
        cr_skip_test("GT_BINARY_DIR is not set (run through ctest)");
    char tickq[512], tmp[160], errp[160];
    snprintf(tickq, sizeof tickq, "%s/query/tickq", bin);
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    snprintf(errp, sizeof errp, "%s/pipe.err", dir);
    cr_assert(eq(int, mkdir(tmp, 0700), 0));
    int p[2];
    cr_assert(eq(int, pipe(p), 0));
    pid_t pid = fork();
    if (pid == 0) {
        int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(p[1], 1);
        dup2(fe, 2);
        close(p[0]);
        setenv("TMPDIR", tmp, 1);
        execl(tickq, "tickq", "ticks", "H100Z6", "--db", db, "--format", "csv", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char buf[4096];
    cr_assert(gt(long, (long)read(p[0], buf, sizeof buf), 0));
    close(p[0]); /* as head does after its lines */
    int status;
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    int killed = WIFSIGNALED(status) ? WTERMSIG(status) : 0, code = WEXITSTATUS(status);
    cr_assert(eq(int, killed, 0), "tickq was killed by a signal");
    cr_assert(eq(int, code, 0));
    char *e = slurp(errp);
    cr_assert(eq(str, e, ""));
    free(e);
    DIR *dp = opendir(tmp);
    int left = 0;
    for (struct dirent *de; (de = readdir(dp));)
        left += de->d_name[0] != '.';
    closedir(dp);
    cr_assert(eq(int, left, 0), "the reader's folder under TMPDIR is removed");
}

Test(tickq, a_leading_minus_digit_is_a_time_and_option_errors_are_one_prefixed_line)
{
    cr_assert(eq(int, run(cmd_time, "time", "-1h", "now", NULL), 0), "%s", err_s);
    cr_assert(eq(int, strncmp(out_s, "-1h\t", 4), 0), "%s", out_s);
    cr_assert(eq(int, count_lines(out_s), 2));
    cr_assert(eq(int, run(cmd_time, "time", "--", "-30m", NULL), 0), "%s", err_s);
    int n_front = 0;
    for (int i = 0; i < n_ticks; i++)
        n_front += ticks[i].instr_id == FRONT;
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "--from", "-100000h", "H100Z6", "--db", db, "--format",
                     "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(int, count_lines(out_s), n_front + 1), "--from takes -100000h as its value");
    cr_assert(
        eq(int,
           run(cmd_ticks, "ticks", "H100Z6", "--from=-100000h", "-k", "trade", "--db", db, NULL),
           0),
        "%s", err_s);

    bad("unknown long option", run(cmd_ticks, "ticks", "H100Z6", "--frm", "x", "--db", db, NULL));
    cr_assert(eq(str, err_s, "tickq ticks: unknown option '--frm' (try 'tickq ticks --help')\n"));
    bad("unknown short option", run(cmd_stats, "stats", "-x", "--db", db, NULL));
    cr_assert(eq(str, err_s, "tickq stats: unknown option '-x' (try 'tickq stats --help')\n"));
    bad("missing value", run(cmd_bars, "bars", "H100Z6", "--interval", NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "tickq bars: option '--interval' needs a value"), NULL)),
              "%s", err_s);
    bad("value not taken", run(cmd_bars, "bars", "H100Z6", "-i", "1m", "--fill=yes", NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "option '--fill' takes no value"), NULL)), "%s", err_s);
    bad("ambiguous", run(cmd_bars, "bars", "H100Z6", "-i", "1m", "--f", "x", NULL));
    bad("time: unknown", run(cmd_time, "time", "--zone", "now", NULL));
    bad("chart: unknown", run(cmd_chart, "chart", "curve", "H100", "--out", "x.svg", "-q", NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "tickq chart curve: unknown option '-q'"), NULL)), "%s",
              err_s);
}

Test(tickq, commands_without_a_range_refuse_from_and_to_and_symbols_counts_one)
{
    bad("stats --from", run(cmd_stats, "stats", "--from", "2026-11-24", "--db", db, NULL));
    bad("book --to", run(cmd_book, "book", "H100Z6", "--at", "2026-11-24T12:00Z", "--to",
                         "2026-11-25", "--db", db, NULL));
    bad("curve --from", run(cmd_curve, "curve", "H100", "--from", "-1d", "--db", db, NULL));
    bad("settle --from", run(cmd_settle, "settle", "H100Z6", "--from", "-1d", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "--from/--to do not apply"), NULL)), "%s", err_s);
    bad("chart curve --to", run(cmd_chart, "chart", "curve", "H100", "--out", "x.svg", "--to",
                                "now", "--db", db, NULL));
    bad("chart bars --fill", run(cmd_chart, "chart", "bars", "H100Z6", "-i", "1h", "--fill",
                                 "--out", "x.svg", "--db", db, NULL));
    bad("chart bars --format", run(cmd_chart, "chart", "bars", "H100Z6", "-i", "1h", "--format",
                                   "csv", "--out", "x.svg", "--db", db, NULL));
    cr_assert(eq(int, run(cmd_stats, "stats", "--help", NULL), 0));
    cr_assert(eq(ptr, strstr(out_s, "--from"), NULL), "stats --help offers no range");
    cr_assert(eq(int, run(cmd_ticks, "ticks", "--help", NULL), 0));
    cr_assert(not(eq(ptr, strstr(out_s, "(default: the end of the data)"), NULL)), "%s", out_s);

    int64_t from = DAY_NS + 12 * 3600 * GT_NS_PER_SEC, to = from + 3600 * GT_NS_PER_SEC;
    int n = 0;
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (int i = 0; i < n_ticks; i++)
        if (ticks[i].instr_id == FRONT && ticks[i].exch_ns >= from && ticks[i].exch_ns < to) {
            n += ticks[i].kind == GT_KIND_TRADE;
            first = ticks[i].exch_ns < first ? ticks[i].exch_ns : first;
            last = ticks[i].exch_ns > last ? ticks[i].exch_ns : last;
        }
    cr_assert(eq(int,
                 run(cmd_symbols, "symbols", "--from", "2026-11-24T12:00Z", "--to",
                     "2026-11-24T13:00Z", "--db", db, "--format", "json", NULL),
                 0),
              "%s", err_s);
    char f[GT_TIME_STRLEN], l[GT_TIME_STRLEN], want[256];
    gt_time_format(first, f);
    gt_time_format(last, l);
    snprintf(want, sizeof want,
             "\"symbol\":\"H100Z6\",\"type\":\"future\",\"maturity\":20261230,"
             "\"tick\":0.005,\"first\":\"%s\",\"last\":\"%s\",\"trade\":%d,",
             f, l, n);
    cr_assert(not(eq(ptr, strstr(out_s, want), NULL)), "%s wants %s", out_s, want);
    cr_assert(not(eq(ptr,
                     strstr(out_s, "\"symbol\":\"H100G7\",\"type\":\"future\",\"maturity\":"
                                   "20270226,\"tick\":0.005,\"first\":null,\"last\":null,"
                                   "\"trade\":0,"),
                     NULL)),
              "%s", out_s);
}

Test(tickq, the_stats_total_range_leaves_out_records_at_time_zero)
{
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    struct gt_tick d = {.version = GT_TICK_VERSION, .kind = GT_KIND_DEF, .instr_id = 2000};
    d.u.def = (struct gt_def){.tick_px = TICK_PX, .type = GT_INSTR_INDEX};
    memcpy(d.u.def.product, "A100", 4);
    memcpy(d.u.def.symbol, "SDA100RT", 8);
    d.seq = seq + 1; /* an index definition as feeds send it: exch_ns 0 */
    cr_assert(eq(int, gt_store_append(st, &d), 1));
    d.seq = seq + 2;
    d.exch_ns = DAY_NS - 3600 * GT_NS_PER_SEC; /* and again an hour before the day */
    cr_assert(eq(int, gt_store_append(st, &d), 1));
    cr_assert(eq(int, gt_store_commit(st, seq + 2), GT_OK));
    gt_store_close(st);
    cr_assert(eq(int, run(cmd_stats, "stats", "--db", db, "--format", "csv", NULL), 0), "%s",
              err_s);
    cr_assert(not(eq(ptr, strstr(out_s, "SDA100RT,def,2,1,"), NULL)), "%s", out_s);
    cr_assert(not(eq(ptr, strstr(out_s, ",1970-01-01T00:00:00Z,2026-11-23T23:00:00Z\n"), NULL)),
              "the series row keeps its time 0: %s", out_s);
    char *total = strstr(out_s, "TOTAL,");
    cr_assert(not(eq(ptr, total, NULL)));
    cr_assert(not(eq(ptr, strstr(total, ",2026-11-23T23:00:00Z,"), NULL)), "%s", total);
}

Test(tickq, counts_over_overlapping_stores_say_they_add_up)
{
    char two[300], want[64];
    snprintf(two, sizeof two, "%s,%s", db, db);
    cr_assert(eq(int, run(cmd_stats, "stats", "--db", two, "--format", "csv", NULL), 0), "%s",
              err_s);
    snprintf(want, sizeof want, "TOTAL,,%d,", 2 * n_ticks);
    cr_assert(not(eq(ptr, strstr(out_s, want), NULL)), "%s", out_s);
    cr_assert(not(eq(ptr, strstr(err_s, "in more than one --db store"), NULL)), "%s", err_s);
    int n_trades = 0;
    for (int i = 0; i < n_ticks; i++)
        n_trades += ticks[i].instr_id == FRONT && ticks[i].kind == GT_KIND_TRADE;
    cr_assert(eq(int,
                 run(cmd_symbols, "symbols", "--db", two, "--from", "2026-11-24", "--to",
                     "2026-11-25", "--format", "csv", NULL),
                 0),
              "%s", err_s);
    snprintf(want, sizeof want, ",%d,", n_trades);
    char b[512];
    for (int r = 1; line(out_s, r, b, sizeof b); r++)
        if (strstr(b, ",H100Z6,"))
            cr_assert(not(eq(ptr, strstr(b, want), NULL)), "with a range once: %s", b);
}

Test(tickq, book_refuses_an_index_and_prints_no_rows_without_data)
{
    bad("book of an index",
        run(cmd_book, "book", "SDH100RT", "--at", "2026-11-24T12:00Z", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "is an index"), NULL)), "%s", err_s);
    cr_assert(eq(int,
                 run(cmd_book, "book", "H100Z6", "--at", "2026-11-24T08:00Z", "--db", db,
                     "--format", "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(int, count_lines(out_s), 1), "the header only: %s", out_s);
    cr_assert(eq(int, count_lines(err_s), 1), "%s", err_s);
    cr_assert(not(eq(ptr,
                     strstr(err_s, "no book ticks of H100Z6 at or before T (its first is at "
                                   "2026-11-24T09:"),
                     NULL)),
              "%s", err_s);
    cr_assert(eq(int,
                 run(cmd_book, "book", "H100F7", "--at", "2026-11-24T13:00Z", "--db", db,
                     "--format", "json", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(str, out_s, "[]\n"), "no rows are still one JSON document");
    cr_assert(not(eq(ptr, strstr(err_s, "H100F7 has no book ticks"), NULL)), "%s", err_s);
}

/* ---- JSON, names and messages (issue 24) ---- */

/* Runs a Python expression over the JSON document in the last command's
 * output (d), or over its lines parsed one by one (d a list) when lines;
 * returns what it printed (static). Skips the test without python3. */
static const char *py_json(const char *expr, int lines)
{
    static char res[4096];
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        cr_skip_test("python3 is not installed: JSON not checked");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys\n"
             "f=open(sys.argv[1])\n"
             "d=[json.loads(l) for l in f] if %d else json.load(f)\n"
             "print(%s)' %s/out 2>&1",
             lines, expr, dir);
    FILE *p = popen(cmd, "r");
    cr_assert(not(eq(ptr, p, NULL)));
    size_t n = fread(res, 1, sizeof res - 1, p);
    res[n] = 0;
    pclose(p);
    if (n && res[n - 1] == '\n')
        res[n - 1] = 0;
    return res;
}

Test(tickq, json_is_one_array_jsonl_one_object_a_line_with_booleans_and_named_enums)
{
    int n_front = 0, n_buy = 0, n_sell = 0, n_status = 0;
    for (int i = 0; i < n_ticks; i++) {
        const struct gt_tick *t = &ticks[i];
        if (t->instr_id != FRONT)
            continue;
        n_front++;
        n_buy += t->kind == GT_KIND_TRADE && t->u.trade.aggressor == GT_SIDE_BID;
        n_sell += t->kind == GT_KIND_TRADE && t->u.trade.aggressor == GT_SIDE_ASK;
        n_status += t->kind == GT_KIND_STATUS;
    }
    cr_assert(gt(int, n_buy, 0));
    cr_assert(gt(int, n_sell, 0));
    cr_assert(gt(int, n_status, 0));
    char want[256];
    cr_assert(eq(int, run(cmd_ticks, "ticks", "H100Z6", "--db", db, "--format", "json", NULL), 0),
              "%s", err_s);
    cr_assert(eq(int, out_s[0], '['));
    snprintf(want, sizeof want, "%d %d %d %d", n_front, n_buy, n_sell, n_status);
    cr_assert(eq(str,
                 (char *)py_json("len(d), sum(r[\"kind\"]==\"trade\" and r[\"side\"]==\"buy\" "
                                 "for r in d), sum(r[\"kind\"]==\"trade\" and "
                                 "r[\"side\"]==\"sell\" for r in d), sum(r[\"kind\"]==\"status\" "
                                 "and r[\"cause\"]==\"none\" and r[\"cause_code\"]==0 for r in d)",
                                 0),
                 want));
    /* A book level's side is still the book's: bid or ask. */
    cr_assert(eq(str,
                 (char *)py_json("sorted(set(r[\"side\"] for r in d if r[\"kind\"]==\"book\"))", 0),
                 "['ask', 'bid']"));
    cr_assert(eq(int, run(cmd_ticks, "ticks", "H100Z6", "--db", db, "--format", "jsonl", NULL), 0));
    cr_assert(eq(int, count_lines(out_s), n_front));
    snprintf(want, sizeof want, "%d", n_front);
    cr_assert(eq(str, (char *)py_json("len(d)", 1), want));
    /* No rows: still one document, an empty array. */
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "H100Z6", "--from", "2020-01-01", "--to", "2020-01-02",
                     "--db", db, "--format", "json", NULL),
                 0));
    cr_assert(eq(str, out_s, "[]\n"));
    /* settle's complete is a boolean in JSON, yes/no in CSV. */
    cr_assert(eq(int, run(cmd_settle, "settle", "H100Z6", "--db", db, "--format", "json", NULL), 0),
              "%s", err_s);
    cr_assert(eq(str, (char *)py_json("type(d[0][\"complete\"]).__name__, len(d)", 0), "bool 1"));
    const char *complete = py_json("d[0][\"complete\"]", 0);
    cr_assert(eq(int, run(cmd_settle, "settle", "H100Z6", "--db", db, "--format", "csv", NULL), 0));
    cr_assert(not(eq(ptr, strstr(out_s, strcmp(complete, "True") == 0 ? ",yes," : ",no,"), NULL)),
              "%s", out_s);
    bad("format xml", run(cmd_ticks, "ticks", "H100Z6", "--format", "xml", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "table, csv, json or jsonl"), NULL)), "%s", err_s);
}

Test(tickq, the_messages_of_issue_24_say_what_to_give)
{
    bad("curve of a symbol", run(cmd_curve, "curve", "SDH100RT", "--at", "now", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "e.g. H100; a product, not a symbol"), NULL)), "%s", err_s);
    bad("curve of a contract", run(cmd_curve, "curve", "H100Z6", "--at", "now", "--db", db, NULL));
    cr_assert(
        not(eq(ptr, strstr(err_s, "H100Z6 is a symbol of product H100, not a product"), NULL)),
        "%s", err_s);
    bad("fixings of a product", run(cmd_fixings, "fixings", "H100", "--db", db, NULL));
    cr_assert(
        not(eq(ptr, strstr(err_s, "H100 is a product, not an index; want e.g. SDH100RT"), NULL)),
        "%s", err_s);
    cr_assert(eq(ptr, strstr(err_s, "H100Z6"), NULL), "suggests contracts: %s", err_s);
    bad("asof of an index", run(cmd_asof, "asof", "SDH100RT", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "SDH100RT is an index"), NULL)), "%s", err_s);
    /* -0s is now, as +0s and "now" are. */
    cr_assert(eq(int, run(cmd_book, "book", "H100Z6", "--at", "-0s", "--db", db, NULL), 0), "%s",
              err_s);
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "H100Z6", "--from", "2026-11-24T08:00-06:00", "--to",
                     "2026-11-24T15:00Z", "-k", "trade", "--db", db, "--format", "csv", NULL),
                 0),
              "%s", err_s);
    int n = 0;
    for (int i = 0; i < n_ticks; i++)
        n += ticks[i].instr_id == FRONT && ticks[i].kind == GT_KIND_TRADE &&
             ticks[i].exch_ns >= DAY_NS + 14 * 3600 * GT_NS_PER_SEC &&
             ticks[i].exch_ns < DAY_NS + 15 * 3600 * GT_NS_PER_SEC;
    cr_assert(gt(int, n, 0));
    cr_assert(eq(int, count_lines(out_s), n + 1), "08:00-06:00 is 14:00Z");
    /* A file is not a folder; a folder of RocksDB files without CURRENT is
     * damaged, not absent. */
    char path[256];
    snprintf(path, sizeof path, "%s/afile", dir);
    FILE *f = fopen(path, "w");
    cr_assert(not(eq(ptr, f, NULL)));
    fclose(f);
    bad("db a file", run(cmd_stats, "stats", "--db", path, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "afile is not a folder"), NULL)), "%s", err_s);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp -a %s %s/nocurrent && rm %s/nocurrent/CURRENT", db, dir, dir);
    cr_assert(eq(int, system(cmd), 0));
    snprintf(path, sizeof path, "%s/nocurrent", dir);
    cr_assert(eq(int, run(cmd_stats, "stats", "--db", path, NULL), 1));
    cr_assert(eq(str, out_s, ""));
    cr_assert(eq(int, count_lines(err_s), 1), "%s", err_s);
    cr_assert(
        not(eq(ptr, strstr(err_s, "is a damaged RocksDB database: its CURRENT file is missing"),
               NULL)),
        "%s", err_s);
}

/* --tz prints local times with their offset: Chicago is UTC-6 in November
 * (CST), so each trade's time is its UTC time less 6 h, ending -06:00. */
Test(tickq, tz_prints_local_times_with_their_offset)
{
    if (access("/usr/share/zoneinfo/America/Chicago", R_OK) != 0)
        cr_skip_test("no tz database (Debian's tzdata) on this machine");
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "H100Z6", "-k", "trade", "--tz", "America/Chicago", "--db",
                     db, "--format", "csv", NULL),
                 0),
              "%s", err_s);
    int r = 0;
    char b[512];
    for (int i = 0; i < n_ticks; i++) {
        const struct gt_tick *t = &ticks[i];
        if (t->instr_id != FRONT || t->kind != GT_KIND_TRADE)
            continue;
        char tm[GT_TIME_STRLEN];
        int n = gt_time_format(t->exch_ns - 6 * 3600 * GT_NS_PER_SEC, tm);
        snprintf(tm + n - 1, sizeof tm - (size_t)n + 1, "-06:00,");
        cr_assert(eq(int, strncmp(line(out_s, ++r, b, sizeof b), tm, strlen(tm)), 0), "%s vs %s", b,
                  tm);
    }
    cr_assert(gt(int, r, 100));
    /* UTC as a zone prints +00:00, as London does in December (GMT). */
    cr_assert(eq(int,
                 run(cmd_fixings, "fixings", "SDH100RT", "--official", "--tz", "UTC", "--db", db,
                     "--format", "csv", NULL),
                 0));
    cr_assert(not(eq(ptr, strstr(out_s, "T16:00:00+00:00,"), NULL)), "%s", out_s);
    cr_assert(eq(int,
                 run(cmd_fixings, "fixings", "SDH100RT", "--official", "--tz", "Europe/London",
                     "--from", "2026-12-01", "--db", db, "--format", "csv", NULL),
                 0));
    cr_assert(not(eq(ptr, strstr(out_s, "2026-12-01T16:00:00+00:00,"), NULL)), "%s", out_s);
    /* Without --tz, as before: UTC with a Z. */
    cr_assert(
        eq(int, run(cmd_fixings, "fixings", "SDH100RT", "--db", db, "--format", "csv", NULL), 0));
    cr_assert(not(eq(ptr, strstr(out_s, "T16:00:00Z,"), NULL)), "%s", out_s);
    bad("unknown zone",
        run(cmd_ticks, "ticks", "H100Z6", "--tz", "Mars/Olympus", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "no such zone"), NULL)), "%s", err_s);
    bad("a path for a zone",
        run(cmd_ticks, "ticks", "H100Z6", "--tz", "../../etc/passwd", "--db", db, NULL));
    bad("not a TZif file",
        run(cmd_ticks, "ticks", "H100Z6", "--tz", "tzdata.zi", "--db", db, NULL));
}

/* ---- whole products and several symbols (issue 24) ---- */

/* The symbol of instrument id in the generated market. */
static const char *sym_of(int32_t id)
{
    return id == FRONT      ? "H100Z6"
           : id == 999      ? "H100V6"
           : id == 1002     ? "H100F7"
           : id == 1003     ? "H100G7"
           : id == index_id ? "SDH100RT"
                            : "?";
}

/* ticks --product is every instrument's ticks in one stream in bus order,
 * each row led by its symbol; two symbols, the same of those two. */
Test(tickq, ticks_of_a_product_are_one_stream_in_bus_order_with_a_symbol_column)
{
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "--product", "H100", "-k", "trade", "--db", db, "--format",
                     "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(int, strncmp(out_s, "symbol,exch_time,recv_time,seq,", 31), 0), "%.80s", out_s);
    /* Row by row, the generated trades in seq order (the order they were
     * made in): symbol, time and seq. */
    const char *row = strchr(out_s, '\n') + 1;
    int n = 0, n_other = 0;
    for (int i = 0; i < n_ticks; i++) {
        const struct gt_tick *t = &ticks[i];
        if (t->kind != GT_KIND_TRADE)
            continue;
        char tm[GT_TIME_STRLEN], w[128];
        gt_time_format(t->exch_ns, tm);
        int wl = snprintf(w, sizeof w, "%s,%s,", sym_of(t->instr_id), tm);
        cr_assert(eq(int, strncmp(row, w, (size_t)wl), 0), "row %d: %.60s, want %s", n, row, w);
        const char *seqp = strchr(row + wl, ',') + 1; /* past recv_time */
        cr_assert(eq(i64, strtoll(seqp, NULL, 10), (long long)t->seq), "row %d", n);
        n_other += t->instr_id != FRONT;
        n++;
        row = strchr(row, '\n') + 1;
    }
    cr_assert(eq(str, (char *)row, ""), "no more rows");
    cr_assert(gt(int, n_other, 0), "a second contract traded");
    /* Two symbols: the ticks of those two only, still led by the symbol. */
    int n2 = 0;
    for (int i = 0; i < n_ticks; i++)
        n2 += ticks[i].instr_id == FRONT || ticks[i].instr_id == 1002;
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "H100F7", "H100Z6", "--db", db, "--format", "jsonl", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(int, count_lines(out_s), n2));
    char wantn[32];
    snprintf(wantn, sizeof wantn, "%d", n2);
    cr_assert(eq(str,
                 (char *)py_json("sum(r[\"symbol\"] in (\"H100Z6\", \"H100F7\") for r in d)", 1),
                 wantn));
    bad("symbol and product",
        run(cmd_ticks, "ticks", "H100Z6", "--product", "H100", "--db", db, NULL));
    cr_assert(not(eq(ptr, strstr(err_s, "not both"), NULL)), "%s", err_s);
    bad("no symbol", run(cmd_ticks, "ticks", "--db", db, NULL));
    bad("unknown second symbol", run(cmd_ticks, "ticks", "H100Z6", "H100Q9", "--db", db, NULL));
}

/* bars SYMBOL SYMBOL is --product's output for those contracts, in the order
 * given; each contract's rows its own bars (as recomputed from the trades). */
Test(tickq, bars_of_several_symbols_and_a_products_vwap_in_one_command)
{
    static char want[1 << 20];
    static struct ref_bar rb[64];
    size_t len = (size_t)snprintf(want, sizeof want,
                                  "symbol,start,open,high,low,close,volume,vwap,trades\n");
    static const int32_t ids[] = {1002, FRONT};
    for (int k = 0; k < 2; k++) {
        int n = ref_bars(ticks, n_ticks, ids[k], 366 * GT_NS_PER_DAY, rb, 64);
        for (int i = 0; i < n; i++) {
            char b[256];
            ref_bar_csv(&rb[i], b, sizeof b);
            len += (size_t)snprintf(want + len, sizeof want - len, "%s,%s\n", sym_of(ids[k]), b);
        }
    }
    /* One bar per contract over the whole range: its VWAP. */
    cr_assert(eq(int,
                 run(cmd_bars, "bars", "H100F7", "H100Z6", "-i", "366d", "--db", db, "--format",
                     "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(str, out_s, want));
    cr_assert(eq(int, count_lines(out_s), 3));
}

/* settle, asof and stats over a product: one row (or set of rows) per
 * contract, each as the single-symbol command prints it, led by its symbol. */
Test(tickq, settle_asof_and_stats_take_a_product)
{
    static char one[1 << 22];
    cr_assert(eq(int, run(cmd_settle, "settle", "H100Z6", "--db", db, "--format", "csv", NULL), 0),
              "%s", err_s);
    char z6[512];
    cr_assert(not(eq(ptr, (void *)line(out_s, 1, z6, sizeof z6), NULL)));
    cr_assert(
        eq(int, run(cmd_settle, "settle", "--product", "H100", "--db", db, "--format", "csv", NULL),
           0),
        "%s", err_s);
    cr_assert(eq(int, count_lines(out_s), 5), "four futures: %s", out_s);
    char b[512];
    cr_assert(eq(str, (char *)line(out_s, 2, b, sizeof b), z6), "by maturity: V6, Z6, F7, G7");
    cr_assert(eq(int, strncmp(line(out_s, 1, b, sizeof b), "H100V6,", 7), 0), "%s", b);
    cr_assert(eq(int, strncmp(line(out_s, 4, b, sizeof b), "H100G7,", 7), 0), "%s", b);

    /* asof: H100Z6's rows, then H100F7's, each led by its symbol. */
    cr_assert(eq(int, run(cmd_asof, "asof", "H100Z6", "--db", db, "--format", "csv", NULL), 0));
    size_t len = 0;
    const char *row = strchr(out_s, '\n') + 1;
    for (const char *nl; (nl = strchr(row, '\n')); row = nl + 1)
        len += (size_t)snprintf(one + len, sizeof one - len, "H100Z6,%.*s\n", (int)(nl - row), row);
    cr_assert(eq(int, run(cmd_asof, "asof", "H100F7", "--db", db, "--format", "csv", NULL), 0));
    row = strchr(out_s, '\n') + 1;
    cr_assert(not(eq(str, (char *)row, "")), "H100F7 traded once");
    for (const char *nl; (nl = strchr(row, '\n')); row = nl + 1)
        len += (size_t)snprintf(one + len, sizeof one - len, "H100F7,%.*s\n", (int)(nl - row), row);
    cr_assert(lt(sz, len, sizeof one));
    cr_assert(
        eq(int, run(cmd_asof, "asof", "--product", "H100", "--db", db, "--format", "csv", NULL), 0),
        "%s", err_s);
    cr_assert(eq(int, strncmp(out_s, "symbol,time,", 12), 0));
    cr_assert(eq(str, strchr(out_s, '\n') + 1, one));
    bad("asof of an index among symbols",
        run(cmd_asof, "asof", "H100Z6", "SDH100RT", "--db", db, NULL));

    /* stats: the series of the instruments asked for, and their total. */
    int n_front = 0, n_h100 = 0;
    for (int i = 0; i < n_ticks; i++) {
        n_front += ticks[i].instr_id == FRONT;
        n_h100++;
    }
    char want[64];
    cr_assert(eq(int, run(cmd_stats, "stats", "H100Z6", "--db", db, "--format", "csv", NULL), 0),
              "%s", err_s);
    snprintf(want, sizeof want, "TOTAL,,%d,", n_front);
    cr_assert(not(eq(ptr, strstr(out_s, want), NULL)), "%s", out_s);
    cr_assert(eq(ptr, strstr(out_s, "H100F7,"), NULL), "%s", out_s);
    cr_assert(eq(int,
                 run(cmd_stats, "stats", "--product", "H100", "--db", db, "--format", "csv", NULL),
                 0),
              "%s", err_s);
    snprintf(want, sizeof want, "TOTAL,,%d,", n_h100);
    cr_assert(not(eq(ptr, strstr(out_s, want), NULL)), "every instrument is H100's: %s", out_s);
}

/* ---- retention said out loud ---- */

/* After a retention cut at noon, every query that reaches before it says so
 * in one line, reads nothing before it (though the block that straddles the
 * cut is kept whole), and leaves out the bar the cut falls in. */
Test(tickq, retention_is_said_and_the_bar_it_cuts_is_left_out)
{
    int64_t cut = DAY_NS + 12 * 3600 * GT_NS_PER_SEC;
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    cr_assert(ge(int, gt_store_delete_before(st, cut), 1), "%s", gt_store_errmsg(st));
    gt_store_close(st);
    const char *said = "tickq bars: the store keeps data from 2026-11-24T12:00:00Z on "
                       "(retention); what the range asks for before it is not shown\n";

    /* Hourly bars: the ones from the cut on, as recomputed; none before. */
    static struct ref_bar ref[64];
    int n_kept = 0, n_trades = 0;
    for (int i = 0; i < n_ticks; i++)
        if (ticks[i].exch_ns >= cut)
            ticks[n_kept++] = ticks[i];
    for (int i = 0; i < n_kept; i++)
        n_trades += ticks[i].instr_id == FRONT && ticks[i].kind == GT_KIND_TRADE;
    int n = ref_bars(ticks, n_kept, FRONT, 3600 * GT_NS_PER_SEC, ref, 64);
    cr_assert(eq(int,
                 run(cmd_bars, "bars", "H100Z6", "-i", "1h", "--db", db, "--format", "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(str, err_s, (char *)said));
    cr_assert(eq(int, count_lines(out_s), n + 1));
    char got[256], want[256];
    ref_bar_csv(&ref[0], want, sizeof want);
    cr_assert(eq(str, (char *)line(out_s, 1, got, sizeof got), want), "the first bar is 12:00's");

    /* The day bar holds the cut: it is left out, not printed with the
     * afternoon's volume as the day's. */
    cr_assert(eq(int,
                 run(cmd_bars, "bars", "H100Z6", "-i", "1d", "--db", db, "--format", "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(int, count_lines(out_s), 1), "no day bar: %s", out_s);
    cr_assert(eq(str, err_s, (char *)said));

    /* Ticks: none before the cut; a range after it says nothing. */
    cr_assert(eq(int, run(cmd_ticks, "ticks", "H100Z6", "--kind", "trade", "--db", db, NULL), 0));
    cr_assert(eq(int, count_lines(out_s), n_trades + 1));
    cr_assert(not(eq(ptr, strstr(err_s, "keeps data from 2026-11-24T12:00:00Z"), NULL)), "%s",
              err_s);
    cr_assert(eq(int,
                 run(cmd_ticks, "ticks", "H100Z6", "--kind", "trade", "--from", "2026-11-24T13:00Z",
                     "--db", db, NULL),
                 0));
    cr_assert(eq(str, err_s, ""));
}

/* tickstore --retain cuts at a whole UTC day: the midnight at or before
 * now - DUR, recorded as the store's horizon; tickq then reads from there. */
Test(tickq, tickstore_retain_cuts_at_a_utc_midnight)
{
    char rdb[160], log[160], exe[512];
    proc_bin(exe, sizeof exe, "store/tickstore");
    snprintf(rdb, sizeof rdb, "%s/recent", dir);
    snprintf(log, sizeof log, "%s/tickstore.log", dir);
    int64_t before = gt_now_ns();
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(rdb, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    /* A trade every 10 minutes over the last 3 days: one block straddles the cut. */
    enum { N = 3 * 24 * 6 };
    for (int i = 0; i < N; i++) {
        struct gt_tick t = {.version = GT_TICK_VERSION, .kind = GT_KIND_TRADE, .instr_id = 7};
        t.seq = (uint64_t)i + 1;
        t.exch_ns = t.recv_ns = before - (int64_t)(N - i) * 600 * GT_NS_PER_SEC;
        t.u.trade = (struct gt_trade){.px = 2500000000, .qty = 1, .aggressor = 1};
        cr_assert(eq(int, gt_store_append(st, &t), 1));
    }
    cr_assert(eq(int, gt_store_commit(st, N), GT_OK));
    gt_store_close(st);
    pid_t pid =
        proc_spawn("store/tickstore", log, "--db", rdb, "--retain", "1d", "--retain-only", NULL);
    cr_assert(eq(int, proc_wait(pid, 60000), 0));
    int64_t after = gt_now_ns();
    cr_assert(eq(int, gt_store_open(rdb, GT_STORE_READER, &st, err), GT_OK), "%s", err);
    int64_t h = gt_store_horizon(st);
    cr_assert(eq(i64, h % GT_NS_PER_DAY, 0), "a UTC midnight");
    cr_assert(le(i64, h, after - GT_NS_PER_DAY), "at least a day kept");
    cr_assert(gt(i64, h, before - 2 * GT_NS_PER_DAY), "no more than a day more");
    gt_store_iter *it;
    const struct gt_tick *v;
    cr_assert(eq(int, gt_store_iter_open(st, 7, GT_KIND_TRADE, INT64_MIN, INT64_MAX, &it), GT_OK));
    int got = 0, k;
    int64_t first = INT64_MAX;
    while ((k = gt_store_iter_next(it, &v)) > 0) {
        first = got == 0 ? v[0].exch_ns : first;
        got += k;
    }
    gt_store_iter_close(it);
    gt_store_close(st);
    int want = 0;
    for (int i = 0; i < N; i++)
        want += before - (int64_t)(N - i) * 600 * GT_NS_PER_SEC >= h;
    cr_assert(eq(int, got, want), "the ticks from the midnight on, and no older one");
    cr_assert(ge(i64, first, h));
    char *msg = slurp(log);
    char hs[GT_TIME_STRLEN];
    gt_time_format(h, hs);
    cr_assert(not(eq(ptr, strstr(msg, hs), NULL)), "tickstore names the cut: %s", msg);
    free(msg);
}

/* Runs tickq book SYMBOL --at 2026-11-24T<at> --orders --depth DEPTH and
 * checks its CSV rows after the header. */
static void book_orders_at(const char *symbol, const char *at, const char *depth, const char *rows)
{
    char t[64], want[1024];
    snprintf(t, sizeof t, "2026-11-24T%s", at);
    snprintf(want, sizeof want, "side,level,place,px,qty,order_id,priority,state\n%s", rows);
    cr_assert(eq(int,
                 run(cmd_book, "book", symbol, "--at", t, "--orders", "--depth", depth, "--db", db,
                     "--format", "csv", NULL),
                 0),
              "%s", err_s);
    cr_assert(eq(str, out_s, want));
}

/* tickq book --orders: the queue at each level, from the order ticks (kind
 * 8): a quantity rise that lost its place puts the order behind the one
 * that came after it, a delete leaves the queue, and an empty-the-book
 * record flagged stale says the book is not to be trusted. */
Test(tickq, book_orders_prints_the_queue_at_each_level_as_of_t)
{
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    static const struct {
        uint64_t id, prio;
        int64_t px;
        int32_t qty;
        uint8_t side, action;
        uint16_t flags;
    } ev[] = {
        {11, 100, 2500000000, 5, GT_SIDE_BID, GT_ACT_NEW, 0},
        {12, 101, 2500000000, 3, GT_SIDE_BID, GT_ACT_NEW, 0},
        {13, 102, 2495000000, 7, GT_SIDE_BID, GT_ACT_NEW, 0},
        {21, 103, 2510000000, 4, GT_SIDE_ASK, GT_ACT_NEW, 0},
        {11, 104, 2500000000, 8, GT_SIDE_BID, GT_ACT_CHANGE, 0}, /* 20:00:05, behind 12 */
        {13, 102, 2495000000, 7, GT_SIDE_BID, GT_ACT_DELETE, 0},
        {0, UINT64_MAX, INT64_MAX, 0, 0, GT_ACT_DELETE_THRU, GT_F_STALE}, /* 20:00:07 */
    };
    int n_ev = (int)(sizeof ev / sizeof ev[0]);
    for (int k = 0; k < n_ev; k++) {
        struct gt_tick t = {.version = GT_TICK_VERSION,
                            .kind = GT_KIND_ORDER,
                            .flags = ev[k].flags,
                            .instr_id = FRONT,
                            .seq = seq + 1 + (uint64_t)k,
                            .exch_ns = DAY_NS + (20 * 3600 + 1 + k) * GT_NS_PER_SEC};
        t.recv_ns = t.exch_ns;
        t.u.order = (struct gt_order){ev[k].px,   ev[k].id,     ev[k].prio, ev[k].qty,
                                      ev[k].side, ev[k].action, {0, 0}};
        cr_assert(eq(int, gt_store_append(st, &t), 1));
    }
    cr_assert(eq(int, gt_store_commit(st, seq + (uint64_t)n_ev), GT_OK));
    gt_store_close(st);
    book_orders_at("H100Z6", "20:00:05Z", "10",
                   "bid,1,1,2.50,3,12,101,ok\n"
                   "bid,1,2,2.50,8,11,104,ok\n"
                   "bid,2,1,2.495,7,13,102,ok\n"
                   "ask,1,1,2.51,4,21,103,ok\n");
    book_orders_at("H100Z6", "20:00:06Z", "1",
                   "bid,1,1,2.50,3,12,101,ok\n"
                   "bid,1,2,2.50,8,11,104,ok\n"
                   "ask,1,1,2.51,4,21,103,ok\n");
    book_orders_at("H100Z6", "20:00:07Z", "10", "");
    cr_assert(not(eq(ptr, strstr(err_s, "order book of H100Z6 was stale at T"), NULL)), "%s",
              err_s);
    book_orders_at("H100F7", "20:00:07Z", "10", "");
    cr_assert(not(eq(ptr, strstr(err_s, "no order ticks of H100F7"), NULL)), "%s", err_s);
}
