/* SPDX-License-Identifier: MIT */
/* cmd_asof.c -- tickq asof: each trade joined with the top of book and the
 * index value prevailing when it printed, an as-of join as kdb+'s aj.
 *
 * Three streams are walked together, each in constant memory: the trades,
 * the contract's tob ticks and the product index's fixings. A quote or fixing
 * prevails for a trade when it came before it: an earlier exchange time, or
 * the same time and an earlier bus sequence (so the top of book published
 * after the trade, in the same event, is not the one it traded against). The
 * values prevailing at --from are found before the walk starts. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "qio.h"
#include "cmd.h"
#include "out.h"
#include "cmdstore.h"
#include "qopt.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq asof SYMBOL... [OPTIONS]\n"
               "       tickq asof --product P [OPTIONS]\n"
               "\n"
               "Every trade of SYMBOL in [--from, --to) with the top of book and the product's\n"
               "index prevailing just before it: time, price, quantity, aggressor side, bid,\n"
               "ask, mid, index, and slippage against the mid signed by the aggressor (buy:\n"
               "price - mid; sell: mid - price; positive = paid through the mid), in $ and in\n"
               "basis points of the mid. Several symbols, or every future of --product P (by\n"
               "maturity), one after the other, each row led by its symbol.\n"
               "\n"
               "  --product P      every future of product P\n" QOPT_HELP);
}

#define ASOF_COLS                                                                                  \
    {"time", -30}, {"px", 10}, {"qty", 6}, {"side", -4}, {"bid", 10}, {"ask", 10}, {"mid", 10},    \
        {"index", 10}, {"slippage", 10},                                                           \
    {                                                                                              \
        "slippage_bps", 12                                                                         \
    }
static const struct out_col cols[] = {ASOF_COLS};
static const struct out_col mcols[] = {{"symbol", -12}, ASOF_COLS}; /* several contracts */

/* One stream with one tick of look-ahead. */
struct cursor {
    struct shards_iter *it;
    const struct gt_tick *t;
    int n, i;
};

/* The next tick without taking it: 1, 0 at the end, or < 0 an error. */
static int cursor_peek(struct cursor *c, const struct gt_tick **t)
{
    if (!c->it)
        return 0;
    if (c->i >= c->n) {
        int rc = shards_iter_next(c->it, &c->t);
        if (rc <= 0)
            return rc;
        c->n = rc;
        c->i = 0;
    }
    *t = &c->t[c->i];
    return 1;
}

static int before(const struct gt_tick *a, const struct gt_tick *b)
{
    return a->exch_ns < b->exch_ns || (a->exch_ns == b->exch_ns && a->seq < b->seq);
}

/* Takes every tick of c before trade into *last. Returns 0 or 1 (printed). */
static int cursor_advance(struct cursor *c, const struct gt_tick *trade, struct gt_tick *last,
                          int *have)
{
    const struct gt_tick *t;
    int rc;
    while ((rc = cursor_peek(c, &t)) > 0 && before(t, trade)) {
        *last = *t;
        *have = 1;
        c->i++;
    }
    return rc < 0 ? cmdstore_iter_fail("asof", c->it, rc) : 0;
}

static int cursor_open(struct shards *st, struct cursor *c, int32_t id, int kind, int64_t from,
                       int64_t to)
{
    memset(c, 0, sizeof *c);
    int rc = shards_iter_open(st, id, kind, from, to, &c->it);
    if (rc < 0 && rc != GT_ENOENT) {
        fprintf(QERR, "tickq asof: %s\n", shards_errmsg(st));
        return 1;
    }
    if (rc < 0)
        c->it = NULL;
    return 0;
}

struct asof_state {
    struct cursor trades, tob, fix;
    struct gt_tick q, x; /* the prevailing quote and index value */
    int have_q, have_x;
    struct gt_busts busts; /* which trades count (tick.h) */
};

static void asof_row(struct out *o, const struct gt_tick *t, const struct asof_state *s)
{
    const struct gt_trade *tr = &t->u.trade;
    int64_t bid = s->have_q ? s->q.u.tob.bid_px : INT64_MAX;
    int64_t ask = s->have_q ? s->q.u.tob.ask_px : INT64_MAX;
    int64_t mid = INT64_MAX, slip = INT64_MAX;
    double bps = NAN;
    if (bid != INT64_MAX && ask != INT64_MAX)
        mid = (int64_t)(((__int128)bid + ask) / 2);
    if (mid != INT64_MAX && tr->px != INT64_MAX && tr->aggressor != GT_SIDE_NONE) {
        slip = tr->aggressor == GT_SIDE_BID ? tr->px - mid : mid - tr->px;
        if (mid != 0)
            bps = (double)slip / (double)mid * 1e4;
    }
    out_time(o, t->exch_ns);
    out_px(o, tr->px);
    out_i64(o, tr->qty);
    out_str(o, gt_aggressor_name(tr->aggressor));
    out_px(o, bid);
    out_px(o, ask);
    out_px(o, mid);
    out_px(o, s->have_x ? s->x.u.fixing.px : INT64_MAX);
    out_px(o, slip);
    out_f64(o, bps, 3);
    out_row_end(o);
}

/* The rows of one contract (def, a future) into o, led by symbol when it is
 * not NULL. Returns 0, or 1 after printing a store error. */
static int asof_one(struct shards *st, const struct qopt *q, const struct gt_tick *def,
                    const char *symbol, struct out *o)
{
    struct gt_tick idx;
    struct asof_state s;
    int rc = 0;
    memset(&s, 0, sizeof s);
    gt_busts_init(&s.busts);
    char product[GT_PRODUCT_LEN + 1];
    cmdstore_productname(def, product);
    int has_index = cmdstore_index_of(st, product, &idx); /* optional: else a null column */
    if (has_index < 0) {
        fprintf(QERR, "tickq asof: %s\n", shards_errmsg(st));
        rc = 1;
        goto done;
    }
    if ((rc = cmdstore_busts("asof", st, def->instr_id, q->from_ns, &s.busts)))
        goto done;
    if (q->from_ns != INT64_MIN) {
        if ((rc = cmdstore_last_at("asof", st, def->instr_id, GT_KIND_TOB, q->from_ns - 1, NULL,
                                   NULL, &s.q, &s.have_q)))
            goto done;
        if (has_index && (rc = cmdstore_last_at("asof", st, idx.instr_id, GT_KIND_FIXING,
                                                q->from_ns - 1, NULL, NULL, &s.x, &s.have_x)))
            goto done;
    }
    if ((rc = cursor_open(st, &s.trades, def->instr_id, GT_KIND_TRADE, q->from_ns, q->to_ns)) ||
        (rc = cursor_open(st, &s.tob, def->instr_id, GT_KIND_TOB, q->from_ns, q->to_ns)) ||
        (has_index &&
         (rc = cursor_open(st, &s.fix, idx.instr_id, GT_KIND_FIXING, q->from_ns, q->to_ns))))
        goto close;
    const struct gt_tick *t;
    int e;
    while ((e = cursor_peek(&s.trades, &t)) > 0 && !ferror(o->f)) {
        s.trades.i++;
        if (!gt_trade_counts(t, &s.busts))
            continue;
        if ((rc = cursor_advance(&s.tob, t, &s.q, &s.have_q)) ||
            (rc = cursor_advance(&s.fix, t, &s.x, &s.have_x)))
            break;
        if (symbol)
            out_str(o, symbol);
        asof_row(o, t, &s);
    }
    if (e < 0)
        rc = cmdstore_iter_fail("asof", s.trades.it, e);
close:
    shards_iter_close(s.trades.it);
    shards_iter_close(s.tob.it);
    shards_iter_close(s.fix.it);
done:
    gt_busts_fini(&s.busts);
    return rc;
}

int cmd_asof(int argc, char **argv)
{
    static const struct option opts[] = {QOPT_LONGOPTS, QOPT_PRODUCT_LONGOPT, {0, 0, 0, 0}};
    static struct gt_tick defs[CMDSTORE_MAX_INSTR];
    struct qopt q;
    int rc;
    if ((rc = qopt_parse(&q, argc, argv, opts, "asof", usage)))
        return rc < 0 ? 0 : rc;
    struct cmdstore_pick pick = {q.product, argv + optind, argc - optind};
    if (cmdstore_pick_check("asof", &pick, "tickq asof H100Z6") || qopt_check(&q, "asof"))
        return EXIT_USAGE;
    struct shards *st;
    int n = 0;
    if ((rc = cmdstore_open("asof", q.db, &st)))
        return rc;
    if ((rc = cmdstore_select("asof", st, &pick, pick.product ? GT_INSTR_FUTURE : 0, defs, &n)))
        goto done;
    for (int i = 0; i < n; i++)
        if (defs[i].u.def.type == GT_INSTR_INDEX) {
            char sym[GT_SYMBOL_LEN + 1];
            cmdstore_symbol(&defs[i], sym);
            fprintf(QERR,
                    "tickq asof: %s is an index, which has no trades or quotes (want a future; "
                    "see 'tickq symbols')\n",
                    sym);
            rc = EXIT_USAGE;
            goto done;
        }
    /* Several contracts: one after the other, each row led by its symbol. */
    int many = pick.product || n > 1;
    struct out o;
    if (many)
        out_begin(&o, q.fmt, QOUT, mcols, sizeof mcols / sizeof mcols[0]);
    else
        out_begin(&o, q.fmt, QOUT, cols, sizeof cols / sizeof cols[0]);
    for (int i = 0; i < n && !rc; i++) {
        char sym[GT_SYMBOL_LEN + 1];
        cmdstore_symbol(&defs[i], sym);
        rc = asof_one(st, &q, &defs[i], many ? sym : NULL, &o);
    }
    rc = out_finish(&o, "asof", rc);
done:
    return cmdstore_close("asof", st, rc);
}
