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
#include "ticks_query.h"
#include "gputick/time.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickq ticks SYMBOL... [--kind K] [OPTIONS]\n"
               "       tickq ticks --product P [--kind K] [OPTIONS]\n"
               "\n"
               "The ticks of SYMBOL in [--from, --to), in bus order, with every field of\n"
               "their kind (docs/wire.md names them). With several symbols, or every\n"
               "instrument of product P (its futures and its index), the ticks of all of\n"
               "them in one stream in bus order, each row led by its symbol.\n"
               "\n"
               "  -k, --kind K     only kind K: trade, book, tob, fixing, stat, status, def\n"
               "                   (default: all)\n"
               "  --product P      every instrument of product P (at most 64)\n" QOPT_HELP);
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
    {"type", -14},      {"date", 8},        {"feed", -9},     {"cause", -13},     {"gap_from", 8},
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
    char t; /* 0 null, 'p', 'i', 't', 's', 'e' (an enum: s its name, v its number) */
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
        put_s(&c[C_SIDE], gt_aggressor_name(x->aggressor));
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
        put_s(&c[C_TYPE], gt_stat_name(x->type));
        put_i(&c[C_DATE], x->date ? x->date : INT64_MAX, 'i');
        break;
    }
    case GT_KIND_STATUS: {
        const struct gt_status *x = &t->u.status;
        put_i(&c[C_TRADING], x->trading == 255 ? INT64_MAX : x->trading, 'i');
        put_i(&c[C_EVENT], x->event, 'i');
        put_s(&c[C_FEED], feed_name(x->feed));
        put_s(&c[C_CAUSE], gt_cause_name(x->cause));
        c[C_CAUSE].v = x->cause; /* its number, in JSON */
        c[C_CAUSE].t = 'e';
        put_i(&c[C_GAP_FROM], x->gap_from ? x->gap_from : INT64_MAX, 'i');
        put_i(&c[C_GAP_TO], x->gap_to ? x->gap_to : INT64_MAX, 'i');
        put_i(&c[C_DATE], x->date ? x->date : INT64_MAX, 'i');
        put_i(&c[C_CODE], x->halt_reason, 'i');
        break;
    }
    case GT_KIND_DEF: {
        const struct gt_def *x = &t->u.def;
        bool legs = gt_def_is_legs(t); /* a spread's legs (tickq symbols shows them) */
        put_i(&c[C_PX], legs ? INT64_MAX : x->tick_px, 'p');
        put_s(&c[C_TYPE], legs                         ? "legs"
                          : x->type == GT_INSTR_INDEX  ? "index"
                          : x->type == GT_INSTR_SPREAD ? "spread"
                                                       : "future");
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

/* The text sink: tickq ticks' table, CSV or JSON. */
struct text {
    struct out o;
    struct out_col cols[N_COLS]; /* out_begin keeps a pointer to them */
    int n_cols, idx[N_COLS], many;
};

static void text_begin(void *ctx, int kind, enum out_format fmt, int many)
{
    struct text *x = ctx;
    uint64_t mask = COMMON | (many ? B(C_SYMBOL) : 0);
    for (int k = 1; k <= GT_KIND_MAX; k++)
        if (!kind || k == kind)
            mask |= kind_cols[k];
    x->n_cols = 0;
    x->many = many;
    if (many) { /* several instruments: every row is led by its symbol */
        x->idx[x->n_cols] = C_SYMBOL;
        x->cols[x->n_cols++] = all_cols[C_SYMBOL];
    }
    for (int i = 0; i < N_COLS; i++)
        if ((mask & B(i)) && !(many && i == C_SYMBOL)) {
            x->idx[x->n_cols] = i;
            x->cols[x->n_cols++] = all_cols[i];
        }
    out_begin(&x->o, fmt, QOUT, x->cols, x->n_cols);
}

static int text_run(void *ctx, const struct gt_tick *t, int n, const char *symbol)
{
    struct text *x = ctx;
    struct cellv cv[N_COLS];
    if (ferror(x->o.f))
        return 1; /* the reader is gone or the disk full: out_finish says which */
    for (int j = 0; j < n; j++) {
        tick_cells(&t[j], cv);
        if (x->many)
            put_s(&cv[C_SYMBOL], symbol);
        for (int i = 0; i < x->n_cols; i++) {
            const struct cellv *c = &cv[x->idx[i]];
            if (c->t == 'p')
                out_px(&x->o, c->v);
            else if (c->t == 'i')
                out_i64(&x->o, c->v);
            else if (c->t == 't')
                out_time(&x->o, c->v);
            else if (c->t == 's')
                out_str(&x->o, c->s);
            else if (c->t == 'e')
                out_enum(&x->o, c->s, (int)c->v);
            else if (x->idx[i] == C_CAUSE)
                out_enum(&x->o, NULL, -1);
            else
                out_null(&x->o);
        }
        out_row_end(&x->o);
    }
    return 0;
}

static int text_end(void *ctx, int rc)
{
    struct text *x = ctx;
    return out_finish(&x->o, "ticks", rc);
}

int ticks_query(int argc, char **argv, const struct ticks_sink *sink)
{
    static const struct option opts[] = {
        QOPT_LONGOPTS, {"kind", required_argument, 0, 'k'}, QOPT_PRODUCT_LONGOPT, {0, 0, 0, 0}};
    static struct gt_tick defs[CMDSTORE_MAX_INSTR];
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
    struct cmdstore_pick pick = {q.product, argv + optind, argc - optind};
    if (cmdstore_pick_check("ticks", &pick, "tickq ticks H100Z6") || qopt_check(&q, "ticks"))
        return EXIT_USAGE;
    struct shards *st;
    int n_defs = 0;
    if ((rc = cmdstore_open("ticks", q.db, &st)))
        return rc;
    if ((rc = cmdstore_select("ticks", st, &pick, 0, defs, &n_defs)))
        goto done;
    int many = pick.product || n_defs > 1;
    int32_t ids[CMDSTORE_MANY_MAX];
    char syms[CMDSTORE_MANY_MAX][GT_SYMBOL_LEN + 1];
    for (int i = 0; i < n_defs && i < CMDSTORE_MANY_MAX; i++) {
        ids[i] = defs[i].instr_id;
        cmdstore_symbol(&defs[i], syms[i]);
    }
    int kinds[GT_KIND_MAX], n_kinds = 0;
    for (int k = 1; k <= GT_KIND_MAX; k++)
        if (!kind || k == kind)
            kinds[n_kinds++] = k;
    struct cmdstore_many m;
    if ((rc = cmdstore_many_open("ticks", st, &m, ids, n_defs, kinds, n_kinds, q.from_ns, q.to_ns)))
        goto done;
    sink->begin(sink->ctx, kind, q.fmt, many);
    const struct gt_tick *t;
    int r = 0, s = 0;
    while (!s && (r = cmdstore_many_run(&m, &t)) > 0) {
        const char *sym = NULL; /* a run is one series: one instrument */
        for (int k = 0; many && k < n_defs && !sym; k++)
            sym = ids[k] == t[0].instr_id ? syms[k] : NULL;
        if ((s = sink->run(sink->ctx, t, r, sym)) < 0)
            r = -1;
    }
    cmdstore_many_close(&m);
    if (r < 0)
        rc = 1;
    rc = sink->end(sink->ctx, rc);
done:
    return cmdstore_close("ticks", st, rc);
}

int cmd_ticks(int argc, char **argv)
{
    struct text x;
    struct ticks_sink s = {text_begin, text_run, text_end, &x};
    return ticks_query(argc, argv, &s);
}
