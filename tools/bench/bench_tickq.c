/* SPDX-License-Identifier: MIT */
/* bench_tickq.c -- tickq's queries over one simulated day in a real store:
 * 1-minute bars of the front contract (1.2 M trades), a full-day VWAP of
 * every contract, and the book at times through a day of 1.5 M book ticks,
 * from the store's book checkpoints beside the replay from the start, with
 * a sweep of the checkpoint interval.
 *
 * Each query runs as the user runs it (the cmd_* function with its argv,
 * output to /dev/null, the store opened and closed each time), so the time
 * includes opening the store. The baseline in this run is the same
 * computation over the same ticks already decoded in memory (the floor a
 * store cannot beat); bench_clickhouse.c times the same queries in ClickHouse. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bars.h"
#include "bench.h"
#include "bookckpt.h"
#include "cmd.h"
#include "gputick/mbp.h"
#include "gputick/store.h"
#include "gputick/time.h"

enum {
    N_FRONT_TRADES = 1200000,
    N_OTHER = 5,             /* deferred contracts */
    N_OTHER_TRADES = 100000, /* each */
    N_BOOK = 1500000,
    FRONT = 2001,
    REPS = 5,
};
#define DAY_NS INT64_C(1795478400000000000) /* 2026-11-24T00:00:00Z */
#define TICK_PX INT64_C(5000000)

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

/* Trades of instr spread over 24 h, and (front only) valid book changes. */
static size_t gen_trades(struct gt_tick *t, int32_t id, size_t n, int64_t px0)
{
    int64_t step = GT_NS_PER_DAY / (int64_t)n, px = px0;
    for (size_t i = 0; i < n; i++) {
        px += ((int64_t)(rnd() % 3) - 1) * TICK_PX;
        memset(&t[i], 0, sizeof t[i]);
        t[i].version = GT_TICK_VERSION;
        t[i].kind = GT_KIND_TRADE;
        t[i].instr_id = id;
        t[i].exch_ns = DAY_NS + (int64_t)i * step;
        t[i].u.trade = (struct gt_trade){
            .px = px, .qty = (int64_t)(rnd() % 50) + 1, .aggressor = (uint8_t)(rnd() % 2 + 1)};
    }
    return n;
}

static size_t gen_book(struct gt_tick *t, size_t n)
{
    int cnt[2] = {0, 0};
    int64_t step = GT_NS_PER_DAY / (int64_t)n;
    for (size_t i = 0; i < n; i++) {
        int s = (int)(rnd() % 2), r = (int)(rnd() % 10), act, lvl;
        if (cnt[s] == 0 || (r < 4 && cnt[s] < 10)) {
            act = GT_ACT_NEW;
            lvl = (int)(rnd() % (uint64_t)(cnt[s] + 1)) + 1;
            cnt[s]++;
        } else if (r < 8) {
            act = GT_ACT_CHANGE;
            lvl = (int)(rnd() % (uint64_t)cnt[s]) + 1;
        } else {
            act = GT_ACT_DELETE;
            lvl = (int)(rnd() % (uint64_t)cnt[s]) + 1;
            cnt[s]--;
        }
        memset(&t[i], 0, sizeof t[i]);
        t[i].version = GT_TICK_VERSION;
        t[i].kind = GT_KIND_LEVEL;
        t[i].instr_id = FRONT;
        t[i].exch_ns = DAY_NS + (int64_t)i * step + 1;
        t[i].u.level =
            (struct gt_level){.px = 2750000000 + (s ? 1 : -1) * (int64_t)(rnd() % 20) * TICK_PX,
                              .qty = (int64_t)(rnd() % 90) + 1,
                              .level = (uint8_t)lvl,
                              .side = (uint8_t)(s + 1),
                              .action = (uint8_t)act};
    }
    return n;
}

static void def(gt_store *st, uint64_t *seq, int32_t id, const char *sym, uint32_t mat)
{
    struct gt_tick t;
    memset(&t, 0, sizeof t);
    t.version = GT_TICK_VERSION;
    t.kind = GT_KIND_DEF;
    t.instr_id = id;
    t.seq = ++*seq;
    t.exch_ns = DAY_NS;
    t.u.def.tick_px = TICK_PX;
    t.u.def.maturity = mat;
    t.u.def.type = GT_INSTR_FUTURE;
    memcpy(t.u.def.product, "H100", 4);
    memcpy(t.u.def.symbol, sym, strlen(sym));
    gt_store_append(st, &t);
}

static int count_bar(const struct bar *b, void *ctx)
{
    *(uint64_t *)ctx += (uint64_t)b->n_trades;
    return 0;
}

/* The baseline of bars: the same aggregation over decoded trades in memory. */
static double mem_bars(const struct gt_tick *t, size_t n, int64_t w)
{
    double t0 = bench_now();
    int64_t start = INT64_MIN, o = 0, h = 0, l = 0, c = 0, v = 0;
    __int128 notional = 0;
    uint64_t sink = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t s = bars_align(t[i].exch_ns, w), px = t[i].u.trade.px;
        if (s != start) {
            sink += (uint64_t)(o + h + l + c + v) + (uint64_t)notional;
            start = s, o = h = l = px, v = 0, notional = 0;
        }
        h = px > h ? px : h;
        l = px < l ? px : l;
        c = px;
        v += t[i].u.trade.qty;
        notional += (__int128)px * t[i].u.trade.qty;
    }
    bench_sink(sink + (uint64_t)(o + h + l + c + v) + (uint64_t)notional);
    return bench_now() - t0;
}

static double best(double a, double b)
{
    return a < 0 ? b : b < a ? b : a;
}

/* Both books hold the same levels on both sides. */
static int book_same(const struct gt_mbp_book *a, const struct gt_mbp_book *b)
{
    if (a->n[0] != b->n[0] || a->n[1] != b->n[1] || a->depth != b->depth)
        return 0;
    for (int s = 0; s < 2; s++)
        for (int l = 0; l < a->n[s]; l++)
            if (a->side[s][l].px != b->side[s][l].px || a->side[s][l].qty != b->side[s][l].qty ||
                a->side[s][l].n_orders != b->side[s][l].n_orders)
                return 0;
    return 1;
}

/* The book at the end of the day of book ticks bk[0..nb) (all of FRONT, in
 * bus order): tickq's store path, store open, beside the same replay in
 * memory from the same checkpoint; then cmd_book as the user runs it. */
static int book_end(const char *db, const struct gt_tick *bk, size_t nb, char **book_argv)
{
    gt_store *st;
    char err[GT_ERRLEN];
    int rc = gt_store_open(db, GT_STORE_READER, &st, err);
    if (rc < 0)
        return rc;
    struct gt_mbp_book got, want, at_ckpt;
    int replayed = gt_store_book_at(st, FRONT, INT64_MAX, 0, &got);
    if (replayed < 0 || (size_t)replayed > nb) {
        gt_store_close(st);
        return replayed < 0 ? replayed : GT_ECORRUPT;
    }
    /* The checkpoint's state: every book tick before the ones replayed. */
    size_t from = nb - (size_t)replayed;
    gt_mbp_book_init(&at_ckpt, GT_MBP_DEPTH_DEFAULT);
    for (size_t i = 0; i < from; i++)
        gt_mbp_book_apply(&at_ckpt, &bk[i]);
    uint8_t ckpt[BOOKCKPT_MAX];
    int ckpt_len = bookckpt_encode(&at_ckpt, ckpt);
    double q = -1, base = -1, cmd = -1;
    for (int r = 0; r < REPS && rc >= 0; r++) {
        for (int side = 0; side < 2; side++) {
            double t0 = bench_now();
            if ((side ^ (r & 1)) == 0) {
                rc = gt_store_book_at(st, FRONT, INT64_MAX, 0, &got);
                q = best(q, bench_now() - t0);
            } else {
                if (from == 0)
                    gt_mbp_book_init(&want, GT_MBP_DEPTH_DEFAULT);
                else if ((rc = bookckpt_decode(ckpt, (size_t)ckpt_len, &want)) < 0)
                    break;
                for (size_t i = from; i < nb; i++)
                    gt_mbp_book_apply(&want, &bk[i]);
                bench_sink((uint64_t)want.n[0]);
                base = best(base, bench_now() - t0);
            }
        }
    }
    gt_store_close(st);
    if (rc < 0)
        return rc;
    if (!book_same(&got, &want)) {
        fprintf(stderr, "bench_tickq: the book at the end of the day differs between the store "
                        "and the replay in memory\n");
        return GT_ECORRUPT;
    }
    for (int r = 0; r < REPS; r++)
        cmd = best(cmd, bench_cmd(cmd_book, book_argv));
    if (cmd < 0)
        return GT_EIO;
    char what[400];
    snprintf(what, sizeof what,
             "book at the end of a day of 1.5 M book ticks, gt_store_book_at, store open: the "
             "latest checkpoint read and %d ticks replayed, ms (baseline: that checkpoint record "
             "decoded and the same %d ticks applied in memory; books checked equal; lower is "
             "better)",
             replayed, replayed);
    bench_row(what, q * 1e3, base * 1e3);
    snprintf(what, sizeof what,
             "tickq book --at end of the day, as the user runs it (store opened and closed, "
             "output printed), ms (baseline: as above, in memory; lower is better)");
    bench_row(what, cmd * 1e3, base * 1e3);
    return GT_OK;
}

/* The book at at_ns replayed from the start of the day (GT_BOOK_REPLAY_ALL:
 * tickq book before checkpoints), the store opened and closed as cmd_book
 * does. Returns seconds or -1. */
static double book_replay_all(const char *db, int64_t at_ns)
{
    double t0 = bench_now();
    gt_store *st;
    char err[GT_ERRLEN];
    struct gt_tick def;
    struct gt_mbp_book b;
    if (gt_store_open(db, GT_STORE_READER, &st, err) < 0)
        return -1;
    int rc = gt_store_instr_find(st, "H100Z6", &def);
    if (rc == GT_OK)
        rc = gt_store_book_at(st, def.instr_id, at_ns, GT_BOOK_REPLAY_ALL, &b);
    gt_store_close(st);
    bench_sink((uint64_t)b.n[0]);
    return rc < 0 ? -1 : bench_now() - t0;
}

enum { BOOK_TIMES = 20 };

static int64_t book_time(int k)
{
    return DAY_NS + GT_NS_PER_DAY * (k + 1) / BOOK_TIMES - 1;
}

/* tickq book --at at 20 times through the day, as the user runs it (from
 * the latest checkpoint), beside the replay from the start; the worst time
 * of each (best of REPS at every T). */
static int book_worst(const char *db)
{
    /* First the answers: at every T the book from the checkpoint equals the
     * replay from the start. */
    gt_store *st;
    char err[GT_ERRLEN];
    int rc = gt_store_open(db, GT_STORE_READER, &st, err);
    if (rc < 0)
        return rc;
    for (int k = 0; k < BOOK_TIMES && rc >= 0; k++) {
        struct gt_mbp_book a, b;
        if ((rc = gt_store_book_at(st, FRONT, book_time(k), 0, &a)) >= 0 &&
            (rc = gt_store_book_at(st, FRONT, book_time(k), GT_BOOK_REPLAY_ALL, &b)) >= 0 &&
            !book_same(&a, &b)) {
            fprintf(stderr,
                    "bench_tickq: the book at time %d differs between the checkpoint "
                    "and the replay from the start\n",
                    k);
            rc = GT_ECORRUPT;
        }
    }
    gt_store_close(st);
    if (rc < 0)
        return rc;
    double worst_q = 0, worst_base = 0;
    for (int k = 0; k < BOOK_TIMES; k++) {
        char ts[GT_TIME_STRLEN];
        gt_time_format(book_time(k), ts);
        char *argv[] = {"book", "H100Z6", "--at", ts, "--db", (char *)db, NULL};
        double q = -1, base = -1;
        for (int r = 0; r < REPS; r++) {
            if (r % 2)
                base = best(base, book_replay_all(db, book_time(k)));
            q = best(q, bench_cmd(cmd_book, argv));
            if (r % 2 == 0)
                base = best(base, book_replay_all(db, book_time(k)));
        }
        if (q < 0 || base < 0)
            return GT_EIO;
        worst_q = q > worst_q ? q : worst_q;
        worst_base = base > worst_base ? base : worst_base;
    }
    char what[300];
    snprintf(what, sizeof what,
             "tickq book --at, worst of %d times across a day of 1.5 M book ticks, checkpoints "
             "every %d, ms incl. opening the store (baseline: the same store replayed from the "
             "start, as before checkpoints: every book tick to T, not at most %d; books checked "
             "equal, order alternated; lower is better)",
             BOOK_TIMES, GT_STORE_BOOK_EVERY, GT_STORE_BOOK_EVERY);
    bench_row(what, worst_q * 1e3, worst_base * 1e3);
    return GT_OK;
}

/* The checkpoint interval: a store of the book ticks alone for each N, its
 * bytes after compaction beside none, and the worst book of 20 times (store
 * open, query only) beside the replay from the start. */
static int book_sweep(const char *dir, struct gt_tick *book, size_t n)
{
    static const uint32_t every[] = {0, 1024, 4096, 16384, 65536};
    uint64_t bytes0 = 0;
    double ingest0 = 0;
    for (size_t e = 0; e < sizeof every / sizeof every[0]; e++) {
        char db[96], err[GT_ERRLEN];
        snprintf(db, sizeof db, "%s/book%u", dir, every[e]);
        gt_store *st;
        int rc = gt_store_open(db, GT_STORE_WRITER, &st, err);
        if (rc < 0)
            return rc;
        gt_store_set_book_every(st, every[e]);
        double t0 = bench_now();
        for (size_t i = 0; i < n && rc >= 0; i++) {
            book[i].seq = i + 1;
            rc = gt_store_append(st, &book[i]);
            if (rc >= 0 && (i % 500000 == 499999 || i + 1 == n))
                rc = gt_store_commit(st, i + 1);
        }
        double ingest = bench_now() - t0;
        uint64_t bytes = 0;
        if (rc >= 0 && (rc = gt_store_compact(st)) >= 0)
            rc = gt_store_disk_bytes(st, &bytes);
        gt_store_close(st);
        if (rc < 0 || (rc = gt_store_open(db, GT_STORE_READER, &st, err)) < 0)
            return rc;
        double worst_q = 0, worst_base = 0;
        for (int k = 0; k < BOOK_TIMES && rc >= 0; k++) {
            double q = -1, base = -1;
            for (int r = 0; r < REPS && rc >= 0; r++) {
                struct gt_mbp_book b;
                double tq = bench_now();
                rc = gt_store_book_at(st, FRONT, book_time(k), 0, &b);
                double t1 = bench_now();
                if (rc >= 0)
                    rc = gt_store_book_at(st, FRONT, book_time(k), GT_BOOK_REPLAY_ALL, &b);
                q = best(q, t1 - tq);
                base = best(base, bench_now() - t1);
            }
            worst_q = q > worst_q ? q : worst_q;
            worst_base = base > worst_base ? base : worst_base;
        }
        gt_store_close(st);
        if (rc < 0)
            return rc;
        if (every[e] == 0) {
            bytes0 = bytes;
            ingest0 = ingest;
            continue;
        }
        char what[300];
        snprintf(what, sizeof what,
                 "book checkpoints every %u book ticks: worst book at 20 times, ms, store open "
                 "(baseline: replay from the start; lower is better)",
                 every[e]);
        bench_row(what, worst_q * 1e3, worst_base * 1e3);
        snprintf(what, sizeof what,
                 "book checkpoints every %u book ticks: store bytes per book tick after "
                 "compaction (baseline: no checkpoints; lower is better)",
                 every[e]);
        bench_row(what, (double)bytes / (double)n, (double)bytes0 / (double)n);
        snprintf(what, sizeof what,
                 "book checkpoints every %u book ticks: ingest of the book ticks, M ticks/s "
                 "(baseline: no checkpoints, no books kept; higher is better)",
                 every[e]);
        bench_row(what, (double)n / ingest / 1e6, (double)n / ingest0 / 1e6);
    }
    return GT_OK;
}

int bench_tickq(void)
{
    char dir[] = "/tmp/gt-bench-tickq-XXXXXX", db[64];
    if (!mkdtemp(dir))
        return GT_EIO;
    snprintf(db, sizeof db, "%s/db", dir);
    size_t n_all = N_FRONT_TRADES + N_OTHER * N_OTHER_TRADES + N_BOOK;
    struct gt_tick *all = malloc(n_all * sizeof *all);
    gt_store *st;
    char err[GT_ERRLEN];
    int rc = all ? gt_store_open(db, GT_STORE_WRITER, &st, err) : GT_ENOMEM;
    if (rc < 0) {
        free(all);
        return rc;
    }
    /* Front trades, then other trades, then book: each series in time order,
     * bus sequences increasing through the whole file as the store wants. */
    uint64_t seq = 0;
    static const char *syms[N_OTHER + 1] = {"H100Z6", "H100F7", "H100G7",
                                            "H100H7", "H100J7", "H100K7"};
    for (int k = 0; k <= N_OTHER; k++)
        def(st, &seq, FRONT + k, syms[k], 20261230 + (uint32_t)k * 100);
    size_t n = gen_trades(all, FRONT, N_FRONT_TRADES, 2750000000);
    for (int k = 1; k <= N_OTHER; k++)
        n += gen_trades(all + n, FRONT + k, N_OTHER_TRADES, 2750000000 + k * 20000000);
    size_t book0 = n;
    n += gen_book(all + n, N_BOOK);
    for (size_t i = 0; i < n && rc >= 0; i++) {
        all[i].seq = ++seq;
        rc = gt_store_append(st, &all[i]);
        if (i % 500000 == 0 && rc >= 0)
            rc = gt_store_commit(st, seq);
    }
    if (rc >= 0)
        rc = gt_store_commit(st, seq);
    gt_store_close(st);
    if (rc < 0)
        goto out;

    char *bars_argv[] = {"bars", "H100Z6", "--interval", "1m", "--db", db, "--format", "csv", NULL};
    char *book_argv[] = {"book", "H100Z6", "--at", "2026-11-24T23:59:59.999Z", "--db", db, NULL};
    double q = -1, base = -1;
    for (int r = 0; r < REPS; r++) {
        q = best(q, bench_cmd(cmd_bars, bars_argv));
        base = best(base, mem_bars(all, N_FRONT_TRADES, 60 * GT_NS_PER_SEC));
    }
    if (q < 0) {
        rc = GT_EIO;
        goto out;
    }
    bench_row("tickq bars 1m, one day of the front contract (1.2 M trades), M trades/s "
              "(baseline: the same bars over decoded trades in memory; higher is better)",
              N_FRONT_TRADES / q / 1e6, N_FRONT_TRADES / base / 1e6);

    /* A full-day VWAP of every contract: one 1d bar each. */
    q = base = -1;
    size_t n_trades = N_FRONT_TRADES + N_OTHER * N_OTHER_TRADES;
    for (int r = 0; r < REPS; r++) {
        double t0 = bench_now();
        for (int k = 0; k <= N_OTHER; k++) {
            char *argv[] = {"bars", (char *)syms[k], "--interval", "1d", "--db", db, NULL};
            if (bench_cmd(cmd_bars, argv) < 0)
                t0 = -1e9;
        }
        q = best(q, t0 < 0 ? -1 : bench_now() - t0);
        base = best(base, mem_bars(all, n_trades, GT_NS_PER_DAY));
    }
    bench_row("tickq full-day VWAP of every contract (6 runs, 1.7 M trades), M trades/s "
              "(baseline: decoded trades in memory; higher is better)",
              n_trades / q / 1e6, n_trades / base / 1e6);

    /* The book at the end of the day: gt_store_book_at (the latest checkpoint,
     * then the ticks after it) beside the same work in memory (that checkpoint's
     * record decoded, the same ticks applied, already decoded); the books are
     * checked equal first. */
    if ((rc = book_end(db, all + book0, n - book0, book_argv)) < 0)
        goto out;
    if ((rc = book_worst(db)) < 0 || (rc = book_sweep(dir, all + book0, N_BOOK)) < 0)
        goto out;
    uint64_t sink = 0;
    struct shards_iter *it = NULL;
    struct shards *qs = shards_new();
    if (qs && gt_store_open(db, GT_STORE_READER, &st, err) == GT_OK) {
        shards_add(qs, st);
        bars_run(qs, FRONT, INT64_MIN, INT64_MAX, 60 * GT_NS_PER_SEC, 0, count_bar, &sink, &it);
        shards_iter_close(it);
    }
    shards_close(qs);
    bench_sink(sink);
    rc = sink == N_FRONT_TRADES ? 0 : GT_ECORRUPT;
out:
    free(all);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
