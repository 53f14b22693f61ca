/* SPDX-License-Identifier: MIT */
/* cmd_book.c -- tickq book: the price-level book of one contract as it was at
 * a time T, rebuilt from the store's latest book checkpoint at or before T by
 * replaying its book (level change) and status ticks in bus order up to T
 * (gt_store_book_at; gt_mbp_book_apply applies them).
 *
 * --implied and --consolidated rebuild those books from their own level
 * records (flagged GT_F_IMPLIED, GT_F_CONSOLIDATED) and the same status
 * ticks, replayed from the start (the checkpoints hold the outright book
 * alone); the consolidated book is its records' while the implied book holds
 * a level, else the outright book (docs/wire.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "qio.h"
#include "cmd.h"
#include "out.h"
#include "gputick/mbp.h"
#include "cmdstore.h"
#include "qopt.h"
#include "book_orders.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: tickq book SYMBOL --at T [--depth N] [OPTIONS]\n"
        "\n"
        "The book of SYMBOL as it was at T (after every tick with exchange time <= T),\n"
        "one row per level: orders, quantity and price of each side. The state column\n"
        "says 'stale' when the feed had marked the book stale at T (a gap not yet\n"
        "recovered): the levels are then the last known, not trusted. An empty book, a\n"
        "T before the first book tick or a future without book ticks prints no rows and\n"
        "says so on QERR; an index has no book (exit 2).\n"
        "\n"
        "With --implied, the implied book (prices the exchange implies from spreads\n"
        "and legs, two levels a side; no order counts). With --consolidated, outright\n"
        "and implied merged by price: the orders columns then give the implied share\n"
        "of each level's quantity (bid_implied, ask_implied).\n"
        "\n"
        "  --at T           the time (2026-11-24T15:00Z, -1h, now)\n"
        "  --depth N        levels a side to print, 1..%d (default 10)\n"
        "  --implied        the implied book\n"
        "  --consolidated   the consolidated book\n"
        "  --orders         the queue at each level instead: one row per resting order\n"
        "                   (side, level, place in the queue, price, quantity, order id,\n"
        "                   priority), from the order ticks (market by order)\n" QOPT_HELP_NO_RANGE,
        GT_MBP_DEPTH_MAX);
}

struct book_args {
    struct qopt q;
    const char *symbol;
    int64_t at_ns;
    int depth;
    int view;   /* 0 outright, 1 implied, 2 consolidated */
    int orders; /* --orders */
};

static int book_args_parse(struct book_args *a, int argc, char **argv)
{
    static const struct option opts[] = {QOPT_LONGOPTS,
                                         {"at", required_argument, 0, 'a'},
                                         {"depth", required_argument, 0, 'd'},
                                         {"implied", no_argument, 0, 'i'},
                                         {"consolidated", no_argument, 0, 'c'},
                                         {"orders", no_argument, 0, 'o'},
                                         {0, 0, 0, 0}};
    int64_t now = gt_now_ns();
    int c, has_at = 0;
    char err[GT_ERRLEN];
    qopt_init(&a->q);
    a->depth = 10;
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "h", opts, "book")) != -1) {
        int r = qopt_handle(&a->q, c, optarg, "book", now);
        if (r == EXIT_USAGE)
            return r;
        if (r)
            continue;
        switch (c) {
        case 'a':
            if (gt_time_parse(optarg, now, &a->at_ns, err) < 0) {
                fprintf(QERR, "tickq book: --at: %s\n", err);
                return EXIT_USAGE;
            }
            has_at = 1;
            break;
        case 'd': {
            char *end;
            long d = strtol(optarg, &end, 10);
            if (*optarg == 0 || *end || d < 1 || d > GT_MBP_DEPTH_MAX) {
                fprintf(QERR, "tickq book: bad --depth '%s' (want 1 to %d)\n", optarg,
                        GT_MBP_DEPTH_MAX);
                return EXIT_USAGE;
            }
            a->depth = (int)d;
            break;
        }
        case 'i':
        case 'c':
            if (a->view && a->view != (c == 'i' ? 1 : 2)) {
                fprintf(QERR, "tickq book: --implied and --consolidated are two books (want "
                              "one)\n");
                return EXIT_USAGE;
            }
            a->view = c == 'i' ? 1 : 2;
            break;
        case 'o':
            a->orders = 1;
            break;
        case 'h':
            usage(QOUT);
            return -1;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(QERR, "tickq book: want one SYMBOL, got %d (e.g. tickq book H100Z6 --at now)\n",
                argc - optind);
        return EXIT_USAGE;
    }
    a->symbol = argv[optind];
    if (a->orders && a->view) {
        fprintf(QERR, "tickq book: --orders is the outright book's queues (want it without "
                      "--implied or --consolidated)\n");
        return EXIT_USAGE;
    }
    if (qopt_no_range(&a->q, "book", "the book is as of one time: --at T"))
        return EXIT_USAGE;
    if (!has_at) {
        fprintf(QERR, "tickq book: no --at (want e.g. --at 2026-11-24T15:00Z)\n");
        return EXIT_USAGE;
    }
    return cmdstore_name_check("book", "symbol", a->symbol, GT_SYMBOL_LEN);
}

/* Rebuilds the book of instr_id at at_ns from the latest book checkpoint at
 * or before it, in the store that holds the instrument's book (one store, or
 * the shard of its product). Returns 0 or 1 (printed). */
static int book_at(struct shards *qs, const char *symbol, int32_t instr_id, int64_t at_ns,
                   struct gt_mbp_book *b)
{
    gt_store *st = qs->st[0];
    for (int i = 0; i < qs->n; i++) {
        struct gt_series_info info;
        if (gt_store_series_find(qs->st[i], instr_id, GT_KIND_LEVEL, &info) == GT_OK) {
            st = qs->st[i];
            break;
        }
    }
    int rc = gt_store_book_at(st, instr_id, at_ns, 0, b);
    if (rc == GT_ECORRUPT || rc == GT_EBADMSG || rc == GT_EVERSION || rc == GT_ETRUNC)
        /* A book replayed past a lost block would be wrong without saying so. */
        fprintf(QERR, "tickq book: the book of %s at T cannot be rebuilt: %s\n", symbol,
                gt_store_errmsg(st));
    else if (rc < 0)
        fprintf(QERR, "tickq book: %s: %s\n", rc == GT_ERANGE ? symbol : "store",
                gt_store_errmsg(st));
    return rc < 0;
}

/* A level tick of the view's book as an outright one, or NULL if it is not
 * the view's; status ticks are every view's. */
static const struct gt_tick *view_tick(const struct gt_tick *t, int view, struct gt_tick *tmp)
{
    if (t->kind != GT_KIND_LEVEL)
        return t->kind == GT_KIND_STATUS ? t : NULL;
    uint16_t want = view == 1 ? GT_F_IMPLIED : GT_F_CONSOLIDATED;
    if (!(t->flags & want))
        return NULL;
    *tmp = *t;
    tmp->flags &= (uint16_t)~want;
    return tmp;
}

/* The implied (view 1) or consolidated (view 2) book of instr_id at at_ns
 * into *b, replayed from the start with the outright book beside it (the
 * consolidated book is the outright one while there is no implied level).
 * Returns 0 or 1 (printed). */
static int view_at(struct shards *qs, int32_t instr_id, int64_t at_ns, int view, int depth,
                   struct gt_mbp_book *b)
{
    static const int kinds[] = {GT_KIND_LEVEL, GT_KIND_STATUS};
    struct gt_mbp_book o, im, cons;
    gt_mbp_book_init(&o, depth);
    gt_mbp_book_init(&im, 2);
    gt_mbp_book_init(&cons, depth);
    struct cmdstore_merge m;
    int64_t to = at_ns == INT64_MAX ? INT64_MAX : at_ns + 1;
    if (cmdstore_merge_open("book", qs, &m, instr_id, kinds, 2, INT64_MIN, to))
        return 1;
    const struct gt_tick *t;
    int n;
    while ((n = cmdstore_merge_run(&m, &t)) > 0)
        for (int i = 0; i < n; i++) {
            struct gt_tick tmp;
            const struct gt_tick *x;
            gt_mbp_book_apply(&o, &t[i]);
            if ((x = view_tick(&t[i], 1, &tmp)))
                gt_mbp_book_apply(&im, x);
            if (view == 2 && (x = view_tick(&t[i], 2, &tmp)))
                gt_mbp_book_apply(&cons, x);
        }
    cmdstore_merge_close(&m);
    if (n < 0)
        return 1;
    bool has_implied = im.n[0] || im.n[1];
    *b = view == 1 ? im : has_implied ? cons : o;
    if (view == 2 && !has_implied) /* the implied share of every level is 0 */
        for (int side = 0; side < 2; side++)
            for (int l = 0; l < b->n[side]; l++)
                b->side[side][l].n_orders = 0;
    b->n_applied = o.n_applied + im.n_applied + cons.n_applied;
    return 0;
}

static const struct out_col cols[] = {{"level", 5},       {"bid_orders", 10}, {"bid_qty", 8},
                                      {"bid_px", 10},     {"ask_px", 10},     {"ask_qty", 8},
                                      {"ask_orders", 10}, {"state", -5}};
static const struct out_col cons_cols[] = {{"level", 5},        {"bid_implied", 11}, {"bid_qty", 8},
                                           {"bid_px", 10},      {"ask_px", 10},      {"ask_qty", 8},
                                           {"ask_implied", 11}, {"state", -5}};

static const struct out_col order_cols[] = {{"side", -4},     {"level", 5}, {"place", 5},
                                            {"px", 10},       {"qty", 6},   {"order_id", 12},
                                            {"priority", 10}, {"state", -5}};

/* tickq book --orders: the queues (book_orders.h). */
static int book_orders(struct shards *st, const struct book_args *a, int32_t instr_id)
{
    struct out o;
    uint64_t n_events;
    int stale;
    out_begin(&o, a->q.fmt, QOUT, order_cols, sizeof order_cols / sizeof order_cols[0]);
    int rc = book_orders_print(st, instr_id, a->at_ns, a->depth, &o, &n_events, &stale);
    rc = out_finish(&o, "book", rc);
    if (!n_events)
        fprintf(QERR, "tickq book: no order ticks of %s at or before T (no rows)\n", a->symbol);
    if (stale)
        fprintf(QERR, "tickq book: the order book of %s was stale at T\n", a->symbol);
    return rc;
}

int cmd_book(int argc, char **argv)
{
    struct book_args a = {0};
    int rc = book_args_parse(&a, argc, argv);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct shards *st;
    struct gt_tick def;
    if ((rc = cmdstore_open("book", a.q.db, &st)))
        return rc;
    if ((rc = cmdstore_instr("book", st, a.symbol, &def)))
        goto done;
    if (def.u.def.type == GT_INSTR_INDEX) {
        fprintf(QERR,
                "tickq book: %s is an index, which has no book (want a future; see 'tickq "
                "symbols')\n",
                a.symbol);
        rc = EXIT_USAGE;
        goto done;
    }
    if (a.orders) {
        rc = book_orders(st, &a, def.instr_id);
        goto done;
    }
    struct gt_series_info levels;
    int has_book = shards_series_find(st, def.instr_id, GT_KIND_LEVEL, &levels);
    if (has_book < 0 && has_book != GT_ENOENT) {
        fprintf(QERR, "tickq book: %s\n", shards_errmsg(st));
        rc = 1;
        goto done;
    }
    struct gt_mbp_book b;
    gt_mbp_book_init(&b, GT_MBP_DEPTH_DEFAULT);
    if (has_book == GT_OK && !a.view && (rc = book_at(st, a.symbol, def.instr_id, a.at_ns, &b)))
        goto done;
    if (has_book == GT_OK && a.view &&
        (rc = view_at(st, def.instr_id, a.at_ns, a.view, def.u.def.depth, &b)))
        goto done;
    struct out o;
    if (a.view == 2)
        out_begin(&o, a.q.fmt, QOUT, cons_cols, sizeof cons_cols / sizeof cons_cols[0]);
    else
        out_begin(&o, a.q.fmt, QOUT, cols, sizeof cols / sizeof cols[0]);
    int rows = b.n[0] > b.n[1] ? b.n[0] : b.n[1];
    if (rows > a.depth)
        rows = a.depth;
    for (int i = 0; i < rows; i++) {
        out_i64(&o, i + 1);
        for (int s = 0; s < 2; s++) {
            const struct gt_mbp_level *l = /* a hole (a lost level) prints empty */
                i < b.n[s] && b.side[s][i].px != GT_MBP_PX_NONE ? &b.side[s][i] : NULL;
            int64_t orders = l && l->n_orders != INT32_MAX ? l->n_orders : INT64_MAX;
            if (s == 0) {
                out_i64(&o, orders);
                out_i64(&o, l ? l->qty : INT64_MAX);
                out_px(&o, l ? l->px : INT64_MAX);
            } else {
                out_px(&o, l ? l->px : INT64_MAX);
                out_i64(&o, l ? l->qty : INT64_MAX);
                out_i64(&o, orders);
            }
        }
        out_str(&o, b.stale ? "stale" : "ok");
        out_row_end(&o);
    }
    rc = out_finish(&o, "book", rc);
    /* No rows is an answer, said on QERR: a valid question, no data (exit 0). */
    char t[GT_TIME_STRLEN];
    if (has_book != GT_OK) {
        fprintf(QERR, "tickq book: %s has no book ticks in the store (no rows)\n", a.symbol);
    } else if (b.n_applied == 0) {
        gt_time_format(levels.first_ns, t);
        fprintf(QERR, "tickq book: no book ticks of %s at or before T (its first is at %s)\n",
                a.symbol, t);
    } else if (rows == 0) {
        fprintf(QERR, "tickq book: the book of %s was empty at T (no rows)\n", a.symbol);
    }
    if (b.stale) {
        gt_time_format(b.stale_since_ns, t);
        fprintf(QERR, "tickq book: %s was stale at T (since %s, not yet recovered)\n", a.symbol, t);
    }
done:
    return cmdstore_close("book", st, rc);
}
