/* SPDX-License-Identifier: MIT */
/* cmd_ticks.c -- tickq ticks: the raw ticks of one instrument, every field of
 * its kind, streamed in bus order (a merge of its series, one decoded block
 * each: constant memory over any range).
 *
 * The columns are the union of the kinds' fields; with --kind only that
 * kind's columns are printed. A row fills its kind's cells and leaves the
 * others null. */
#include <getopt.h>
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
    fprintf(f, "usage: tickq ticks SYMBOL [--kind K] [OPTIONS]\n"
               "\n"
               "The ticks of SYMBOL in [--from, --to), in bus order, with every field of\n"
               "their kind (docs/wire.md names them).\n"
               "\n"
               "  -k, --kind K     only kind K: trade, book, tob, fixing, stat, status, def\n"
               "                   (default: all)\n" QOPT_HELP);
}

enum col {
    C_TIME,
    C_RECV,
    C_SEQ,
    C_KIND,
    C_FLAGS,
    C_PX,
    C_QTY,
    C_SIDE,
    C_LEVEL,
    C_ACTION,
    C_ORDERS,
    C_BID_PX,
    C_BID_QTY,
    C_BID_ORD,
    C_ASK_PX,
    C_ASK_QTY,
    C_ASK_ORD,
    C_TRADE_ID,
    C_RPT_SEQ,
    C_CODE,
    C_TYPE,
    C_DATE,
    C_FEED,
    C_CAUSE,
    C_GAP_FROM,
    C_GAP_TO,
    C_TRADING,
    C_EVENT,
    C_MATURITY,
    C_PRODUCT,
    C_SYMBOL,
    C_ORDER_ID,
    C_PRIORITY,
    N_COLS
};
_Static_assert((int)N_COLS <= (int)OUT_MAX_COLS, "the union fits out.h");

static const struct out_col all_cols[N_COLS] = {
    {"exch_time", -30}, {"recv_time", -30}, {"seq", 10},      {"kind", -6},       {"flags", 5},
    {"px", 10},         {"qty", 6},         {"side", -4},     {"level", 5},       {"action", -11},
    {"orders", 6},      {"bid_px", 10},     {"bid_qty", 7},   {"bid_orders", 10}, {"ask_px", 10},
    {"ask_qty", 7},     {"ask_orders", 10}, {"trade_id", 10}, {"rpt_seq", 10},    {"code", 4},
    {"type", -8},       {"date", 8},        {"feed", -9},     {"cause", 5},       {"gap_from", 8},
    {"gap_to", 8},      {"trading", 7},     {"event", 5},     {"maturity", 8},    {"product", -7},
    {"symbol", -12},    {"order_id", 12},   {"priority", 10}};

#define B(c) (UINT64_C(1) << (c))
#define COMMON (B(C_TIME) | B(C_RECV) | B(C_SEQ) | B(C_KIND) | B(C_FLAGS))
static const uint64_t kind_cols[GT_KIND_MAX + 1] = {
    [GT_KIND_TRADE] = B(C_PX) | B(C_QTY) | B(C_SIDE) | B(C_ACTION) | B(C_ORDERS) | B(C_TRADE_ID),
    [GT_KIND_LEVEL] =
        B(C_PX) | B(C_QTY) | B(C_SIDE) | B(C_LEVEL) | B(C_ACTION) | B(C_ORDERS) | B(C_RPT_SEQ),
    [GT_KIND_TOB] =
        B(C_BID_PX) | B(C_BID_QTY) | B(C_BID_ORD) | B(C_ASK_PX) | B(C_ASK_QTY) | B(C_ASK_ORD),
    [GT_KIND_FIXING] = B(C_PX) | B(C_CODE) | B(C_TYPE) | B(C_DATE) | B(C_RPT_SEQ),
    [GT_KIND_STAT] = B(C_PX) | B(C_QTY) | B(C_TYPE) | B(C_DATE) | B(C_CODE),
    [GT_KIND_STATUS] = B(C_TRADING) | B(C_EVENT) | B(C_FEED) | B(C_CAUSE) | B(C_GAP_FROM) |
                       B(C_GAP_TO) | B(C_DATE) | B(C_CODE),
    [GT_KIND_DEF] = B(C_PX) | B(C_TYPE) | B(C_MATURITY) | B(C_LEVEL) | B(C_PRODUCT) | B(C_SYMBOL),
    [GT_KIND_ORDER] = B(C_PX) | B(C_QTY) | B(C_SIDE) | B(C_ACTION) | B(C_ORDER_ID) | B(C_PRIORITY),
};

static const char *side_name(int s)
{
    return s == GT_SIDE_BID ? "bid" : s == GT_SIDE_ASK ? "ask" : NULL;
}

static const char *action_name(int a)
{
    static const char *n[] = {"new", "change", "delete", "delete_thru", "delete_from", "overlay"};
    return a >= 0 && a <= 5 ? n[a] : NULL;
}

static const char *fix_name(int code)
{
    static const char *n[] = {NULL,           "indicative",    "premarket",
                              "prelim_close", "session_close", "official"};
    return code >= 1 && code <= 5 ? n[code] : NULL;
}

static const char *feed_name(int f)
{
    static const char *n[] = {"none", "stale", "recovered", "reset"};
    return f >= 0 && f <= 3 ? n[f] : NULL;
}

/* One row's cells, by column: a price, an integer, a time or a string. */
struct cellv {
    char t; /* 0 null, 'p', 'i', 't', 's' */
    int64_t v;
    const char *s;
    char buf[GT_SYMBOL_LEN + 1];
};

static void put_i(struct cellv *c, int64_t v, char t)
{
    c->t = v == INT64_MAX ? 0 : t;
    c->v = v;
}

static void put_s(struct cellv *c, const char *s)
{
    c->t = s ? 's' : 0;
    c->s = s;
}

static void tick_cells(const struct gt_tick *t, struct cellv *c)
{
    memset(c, 0, N_COLS * sizeof *c);
    put_i(&c[C_TIME], t->exch_ns, 't');
    put_i(&c[C_RECV], t->recv_ns, 't');
    put_i(&c[C_SEQ], (int64_t)t->seq, 'i');
    put_s(&c[C_KIND], gt_kind_name(t->kind));
    put_i(&c[C_FLAGS], t->flags, 'i');
    switch (t->kind) {
    case GT_KIND_TRADE: {
        const struct gt_trade *x = &t->u.trade;
        put_i(&c[C_PX], x->px, 'p');
        put_i(&c[C_QTY], x->qty, 'i');
        put_s(&c[C_SIDE], side_name(x->aggressor));
        put_s(&c[C_ACTION], gt_trade_is_bust(t) ? "bust" : "new");
        put_i(&c[C_ORDERS], x->n_orders == INT32_MAX ? INT64_MAX : x->n_orders, 'i');
        put_i(&c[C_TRADE_ID], x->trade_id == UINT32_MAX ? INT64_MAX : x->trade_id, 'i');
        break;
    }
    case GT_KIND_LEVEL: {
        const struct gt_level *x = &t->u.level;
        put_i(&c[C_PX], x->px, 'p');
        put_i(&c[C_QTY], x->qty, 'i');
        put_s(&c[C_SIDE], side_name(x->side));
        put_i(&c[C_LEVEL], x->level, 'i');
        put_s(&c[C_ACTION], action_name(x->action));
        put_i(&c[C_ORDERS], x->n_orders == INT32_MAX ? INT64_MAX : x->n_orders, 'i');
        put_i(&c[C_RPT_SEQ], x->rpt_seq, 'i');
        break;
    }
    case GT_KIND_TOB: {
        const struct gt_tob *x = &t->u.tob;
        int bid = x->bid_px != INT64_MAX, ask = x->ask_px != INT64_MAX;
        put_i(&c[C_BID_PX], x->bid_px, 'p');
        put_i(&c[C_BID_QTY], bid ? x->bid_qty : INT64_MAX, 'i');
        put_i(&c[C_BID_ORD], bid ? x->bid_orders : INT64_MAX, 'i');
        put_i(&c[C_ASK_PX], x->ask_px, 'p');
        put_i(&c[C_ASK_QTY], ask ? x->ask_qty : INT64_MAX, 'i');
        put_i(&c[C_ASK_ORD], ask ? x->ask_orders : INT64_MAX, 'i');
        break;
    }
    case GT_KIND_FIXING: {
        const struct gt_fixing *x = &t->u.fixing;
        put_i(&c[C_PX], x->px, 'p');
        put_i(&c[C_CODE], x->code, 'i');
        put_s(&c[C_TYPE], fix_name(x->code));
        put_i(&c[C_DATE], x->date ? x->date : INT64_MAX, 'i');
        put_i(&c[C_RPT_SEQ], x->rpt_seq, 'i');
        break;
    }
    case GT_KIND_STAT: {
        const struct gt_stat *x = &t->u.stat;
        put_i(&c[C_PX], x->px, 'p');
        put_i(&c[C_QTY], x->qty, 'i');
        put_i(&c[C_CODE], x->type, 'i');
        put_i(&c[C_DATE], x->date ? x->date : INT64_MAX, 'i');
        break;
    }
    case GT_KIND_STATUS: {
        const struct gt_status *x = &t->u.status;
        put_i(&c[C_TRADING], x->trading == 255 ? INT64_MAX : x->trading, 'i');
        put_i(&c[C_EVENT], x->event, 'i');
        put_s(&c[C_FEED], feed_name(x->feed));
        put_i(&c[C_CAUSE], x->cause, 'i');
        put_i(&c[C_GAP_FROM], x->gap_from ? x->gap_from : INT64_MAX, 'i');
        put_i(&c[C_GAP_TO], x->gap_to ? x->gap_to : INT64_MAX, 'i');
        put_i(&c[C_DATE], x->date ? x->date : INT64_MAX, 'i');
        put_i(&c[C_CODE], x->halt_reason, 'i');
        break;
    }
    case GT_KIND_DEF: {
        const struct gt_def *x = &t->u.def;
        put_i(&c[C_PX], x->tick_px, 'p');
        put_s(&c[C_TYPE], x->type == GT_INSTR_INDEX ? "index" : "future");
        put_i(&c[C_MATURITY], x->maturity ? x->maturity : INT64_MAX, 'i');
        put_i(&c[C_LEVEL], x->depth, 'i');
        gt_fixed_str(c[C_PRODUCT].buf, sizeof c[C_PRODUCT].buf, x->product, GT_PRODUCT_LEN);
        gt_fixed_str(c[C_SYMBOL].buf, sizeof c[C_SYMBOL].buf, x->symbol, GT_SYMBOL_LEN);
        put_s(&c[C_PRODUCT], c[C_PRODUCT].buf);
        put_s(&c[C_SYMBOL], c[C_SYMBOL].buf);
        break;
    }
    case GT_KIND_ORDER: {
        const struct gt_order *x = &t->u.order;
        put_i(&c[C_PX], x->px, 'p');
        put_i(&c[C_QTY], x->qty, 'i');
        put_s(&c[C_SIDE], side_name(x->side));
        put_s(&c[C_ACTION], action_name(x->action));
        put_i(&c[C_ORDER_ID], x->order_id > INT64_MAX ? INT64_MAX : (int64_t)x->order_id, 'i');
        put_i(&c[C_PRIORITY], x->priority > INT64_MAX ? INT64_MAX : (int64_t)x->priority, 'i');
        break;
    }
    }
}

int cmd_ticks(int argc, char **argv)
{
    static const struct option opts[] = {
        QOPT_LONGOPTS, {"kind", required_argument, 0, 'k'}, {0, 0, 0, 0}};
    struct qopt q;
    int c, rc, kind = 0;
    qopt_init(&q);
    optind = 0;
    while ((c = qopt_getopt(argc, argv, "hk:", opts, "ticks")) != -1) {
        if ((rc = qopt_handle(&q, c, optarg, "ticks", gt_now_ns())) == EXIT_USAGE)
            return rc;
        if (rc)
            continue;
        if (c == 'k') {
            if ((kind = gt_kind_parse(optarg)) < 0) {
                fprintf(QERR,
                        "tickq ticks: bad --kind '%s' (want trade, book, tob, fixing, "
                        "stat, status, def or order)\n",
                        optarg);
                return EXIT_USAGE;
            }
        } else if (c == 'h') {
            usage(QOUT);
            return 0;
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(QERR, "tickq ticks: want one SYMBOL, got %d (e.g. tickq ticks H100Z6)\n",
                argc - optind);
        return EXIT_USAGE;
    }
    const char *symbol = argv[optind];
    if (cmdstore_name_check("ticks", "symbol", symbol, GT_SYMBOL_LEN) || qopt_check(&q, "ticks"))
        return EXIT_USAGE;
    struct shards *st;
    struct gt_tick def;
    if ((rc = cmdstore_open("ticks", q.db, &st)))
        return rc;
    if ((rc = cmdstore_instr("ticks", st, symbol, &def)))
        goto done;
    int kinds[GT_KIND_MAX], n_kinds = 0;
    uint64_t mask = COMMON;
    for (int k = 1; k <= GT_KIND_MAX; k++)
        if (!kind || k == kind) {
            kinds[n_kinds++] = k;
            mask |= kind_cols[k];
        }
    struct out_col cols[N_COLS];
    int n_cols = 0, idx[N_COLS];
    for (int i = 0; i < N_COLS; i++)
        if (mask & B(i)) {
            idx[n_cols] = i;
            cols[n_cols++] = all_cols[i];
        }
    struct cmdstore_merge m;
    if ((rc = cmdstore_merge_open("ticks", st, &m, def.instr_id, kinds, n_kinds, q.from_ns,
                                  q.to_ns)))
        goto done;
    struct out o;
    struct cellv cv[N_COLS];
    out_begin(&o, q.fmt, QOUT, cols, n_cols);
    const struct gt_tick *t;
    int r;
    while ((r = cmdstore_merge_run(&m, &t)) > 0 && !ferror(QOUT))
        for (int j = 0; j < r; j++) {
            tick_cells(&t[j], cv);
            for (int i = 0; i < n_cols; i++) {
                const struct cellv *x = &cv[idx[i]];
                if (x->t == 'p')
                    out_px(&o, x->v);
                else if (x->t == 'i')
                    out_i64(&o, x->v);
                else if (x->t == 't')
                    out_time(&o, x->v);
                else if (x->t == 's')
                    out_str(&o, x->s);
                else
                    out_null(&o);
            }
            out_row_end(&o);
        }
    cmdstore_merge_close(&m);
    if (r < 0)
        rc = 1;
    rc = out_finish(&o, "ticks", rc);
done:
    return cmdstore_close("ticks", st, rc);
}
