/* SPDX-License-Identifier: MIT */
/* daysim.c -- the benchmarks' simulated trading day (contract in daysim.h).
 * An xorshift generator keeps it identical on every machine and run. */
#include "daysim.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/err.h"

static const char *const products[] = {"H100", "H200", "B200", "A100"};

struct gen {
    uint64_t rng;
    struct gt_tick *stream;
    size_t n;
    uint64_t seq;
};

static uint64_t rnd(struct gen *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return g->rng;
}

static double unif(struct gen *g)
{
    return (double)(rnd(g) >> 11) * (1.0 / 9007199254740992.0);
}

static struct gt_tick *next_tick(struct gen *g, int instr, int kind, int64_t ns)
{
    struct gt_tick *t = &g->stream[g->n++];
    memset(t, 0, sizeof *t);
    t->version = GT_TICK_VERSION;
    t->kind = (uint8_t)kind;
    t->instr_id = DAYSIM_ID0 + instr;
    t->seq = ++g->seq;
    t->exch_ns = ns;
    t->recv_ns = ns + 15000 + (int64_t)(rnd(g) % 5000);
    return t;
}

int daysim_series(const struct gt_tick *t)
{
    return (t->instr_id - DAYSIM_ID0) * DAYSIM_KINDS + t->kind;
}

/* An instrument: uniform, or with contracts weighted 1 / (c + 1). */
static int pick(struct gen *g, const struct daysim_config *c, const double *cum, int n_instr)
{
    if (!c->skew)
        return (int)(rnd(g) % (uint64_t)n_instr);
    int p = (int)(rnd(g) % (uint64_t)c->n_products);
    double u = unif(g) * cum[c->n_contracts - 1];
    int k = 0;
    while (k < c->n_contracts - 1 && cum[k] < u)
        k++;
    return p * c->n_contracts + k;
}

static void gen_day(struct gen *g, const struct daysim_config *c, int n_instr)
{
    int64_t mid[4 * 12], ns = c->start_ns;
    uint32_t rpt[4 * 12] = {0}, trade_id = 1;
    double cum[12], w = 0;
    for (int k = 0; k < c->n_contracts; k++)
        cum[k] = w += 1.0 / (k + 1);
    for (int i = 0; i < n_instr; i++) {
        int p = i / c->n_contracts, k = i % c->n_contracts;
        mid[i] = 500 + p * 100; /* $2.50, $3.00, ... in ticks */
        struct gt_tick *t = next_tick(g, i, GT_KIND_DEF, ns);
        t->u.def.tick_px = DAYSIM_TICK_PX;
        t->u.def.maturity = 20270100 + (uint32_t)k * 100 + 28;
        t->u.def.depth = 10;
        t->u.def.type = GT_INSTR_FUTURE;
        memcpy(t->u.def.product, products[p], 4);
        snprintf(t->u.def.symbol, GT_SYMBOL_LEN, "%s%c7", products[p], "FGHJKMNQUVXZ"[k]);
        t->flags = GT_F_EVENT_END;
    }
    while (g->n + 4 <= c->n_ticks) {
        ns += (int64_t)(-log(1.0 - unif(g)) * (double)c->mean_gap_ns); /* Poisson */
        int i = pick(g, c, cum, n_instr);
        if (rnd(g) % 20 == 0)
            mid[i] += rnd(g) & 1 ? 1 : -1;
        int64_t bid = mid[i] * DAYSIM_TICK_PX, ask = (mid[i] + 1) * DAYSIM_TICK_PX;
        if (rnd(g) % 10 == 0) {
            struct gt_tick *t = next_tick(g, i, GT_KIND_TRADE, ns);
            bool buy = rnd(g) & 1;
            t->u.trade.px = buy ? ask : bid;
            t->u.trade.qty = 1 + (int64_t)(rnd(g) % 5);
            t->u.trade.trade_id = trade_id++;
            t->u.trade.n_orders = 1 + (int32_t)(rnd(g) % 3);
            t->u.trade.aggressor = buy ? GT_SIDE_BID : GT_SIDE_ASK;
        }
        int levels = 1 + (int)(rnd(g) % 2);
        for (int l = 0; l < levels; l++) {
            struct gt_tick *t = next_tick(g, i, GT_KIND_LEVEL, ns);
            bool is_bid = rnd(g) & 1;
            uint8_t level = (uint8_t)(1 + (rnd(g) % 4 == 0 ? rnd(g) % 10 : 0));
            t->u.level.px =
                is_bid ? bid - (level - 1) * DAYSIM_TICK_PX : ask + (level - 1) * DAYSIM_TICK_PX;
            t->u.level.qty = 1 + (int64_t)(rnd(g) % 50);
            t->u.level.n_orders = 1 + (int32_t)(rnd(g) % 6);
            t->u.level.level = level;
            t->u.level.side = is_bid ? GT_SIDE_BID : GT_SIDE_ASK;
            t->u.level.action = GT_ACT_CHANGE;
            t->u.level.rpt_seq = ++rpt[i];
        }
        struct gt_tick *t = next_tick(g, i, GT_KIND_TOB, ns);
        t->flags = GT_F_EVENT_END;
        t->u.tob.bid_px = bid;
        t->u.tob.ask_px = ask;
        t->u.tob.bid_qty = 1 + (int32_t)(rnd(g) % 50);
        t->u.tob.ask_qty = 1 + (int32_t)(rnd(g) % 50);
        t->u.tob.bid_orders = (uint16_t)(1 + rnd(g) % 6);
        t->u.tob.ask_orders = (uint16_t)(1 + rnd(g) % 6);
    }
    while (g->n < c->n_ticks) { /* pad with trades to the exact count */
        struct gt_tick *t = next_tick(g, 0, GT_KIND_TRADE, ns);
        t->u.trade.px = mid[0] * DAYSIM_TICK_PX;
        t->u.trade.qty = 1;
        t->u.trade.trade_id = trade_id++;
    }
}

/* Groups by series; a counting sort keeps bus order within each. */
static void group(struct daysim *d)
{
    size_t *at = calloc((size_t)d->n_series, sizeof *at);
    if (!at)
        return;
    for (size_t k = 0; k < d->n_ticks; k++)
        d->run_start[daysim_series(&d->stream[k]) + 1]++;
    for (int s = 0; s < d->n_series; s++)
        d->run_start[s + 1] += d->run_start[s];
    memcpy(at, d->run_start, (size_t)d->n_series * sizeof *at);
    for (size_t k = 0; k < d->n_ticks; k++)
        d->grouped[at[daysim_series(&d->stream[k])]++] = d->stream[k];
    free(at);
}

int daysim_gen(struct daysim *d, const struct daysim_config *c)
{
    memset(d, 0, sizeof *d);
    if (c->n_products < 1 || c->n_products > 4 || c->n_contracts < 1 || c->n_contracts > 12)
        return GT_EINVAL;
    d->n_ticks = c->n_ticks;
    d->n_instr = c->n_products * c->n_contracts;
    d->n_series = d->n_instr * DAYSIM_KINDS;
    d->stream = malloc(c->n_ticks * sizeof *d->stream);
    if (c->grouped) {
        d->grouped = malloc((c->n_ticks + 1) * sizeof *d->grouped);
        d->run_start = calloc((size_t)d->n_series + 1, sizeof *d->run_start);
    }
    if (!d->stream || (c->grouped && (!d->grouped || !d->run_start))) {
        daysim_free(d);
        return GT_ENOMEM;
    }
    struct gen g = {.rng = 0x853c49e6748fea9bu, .stream = d->stream};
    gen_day(&g, c, d->n_instr);
    if (c->grouped)
        group(d);
    return GT_OK;
}

void daysim_free(struct daysim *d)
{
    free(d->stream);
    free(d->grouped);
    free(d->run_start);
    memset(d, 0, sizeof *d);
}
