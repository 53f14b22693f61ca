/* SPDX-License-Identifier: MIT */
/* spread.c -- calendar spread listing and leg prints; see spread.h. */
#include "spread.h"
#include <stdio.h>
#include <string.h>

/* SecurityIDs of spreads: 1PYYMMG, product P (1..4), the near leg's year and
 * month, G months between the legs; above every outright's (P00000 + YYMM). */
static int32_t spread_id(int p, const struct market_instr *near, int gap)
{
    return 10000000 + (p + 1) * 1000000 + ((near->year % 100) * 100 + near->month) * 10 + gap;
}

void spread_list(struct market *m)
{
    for (int p = 0; p < MARKET_N_PRODUCTS; p++)
        for (int j = 0; j < MARKET_N_SPREADS; j++) {
            /* Consecutive months, and the last one the front against the third. */
            int kn = j < MARKET_N_SPREADS - 1 ? j : 0, kf = j < MARKET_N_SPREADS - 1 ? j + 1 : 2;
            int ni = market_instr_of(p, kn), fi = market_instr_of(p, kf);
            const struct market_instr *n = &m->instr[ni], *f = &m->instr[fi];
            struct market_instr *s = &m->instr[market_instr_of(p, MARKET_N_MONTHS + j)];
            /* The near leg's symbol, a dash and the far leg's month and
             * year: H100Z6-F7. CME joins both whole symbols (H100Z6-H100F7),
             * 13 characters here, which the tick's 12-byte symbol (and so
             * tickfeed) cannot hold. */
            char ns[MARKET_SYMLEN], fs[MARKET_SYMLEN];
            memcpy(ns, n->symbol, sizeof ns);
            memcpy(fs, f->symbol, sizeof fs);
            size_t pl = strnlen(f->product, sizeof f->product);
            snprintf(s->symbol, sizeof s->symbol, "%.9s-%.4s", ns, fs + (pl < sizeof fs ? pl : 0));
            memcpy(s->product, n->product, sizeof s->product);
            s->security_id = spread_id(p, n, kf - kn);
            s->product_ix = p;
            s->year = n->year;
            s->month = n->month;
            s->activation_ns = n->activation_ns;
            s->last_trade_ns = n->last_trade_ns;
            s->status = n->status;
            s->spread = true;
            s->leg[0] = ni;
            s->leg[1] = fi;
        }
}

/* A leg's reference price: the middle of its book on the tick, or its fair
 * value when a side is empty. */
static int64_t leg_ref_px(const struct market *m, int i)
{
    const struct market_instr *in = &m->instr[i];
    if (in->n_bid == 0 || in->n_ask == 0)
        return market_fair_px(m, i);
    int64_t tick = m->cfg.tick_px;
    return (in->bid[0].px + in->ask[0].px) / 2 / tick * tick;
}

void spread_leg_prints(struct market *m, struct market_event *ev, int s,
                       const struct market_entry *t)
{
    const struct market_instr *sp = &m->instr[s];
    /* The far leg at its reference price, the near one the spread above it;
     * both stay at least a tick. */
    int64_t tick = m->cfg.tick_px, far = leg_ref_px(m, sp->leg[1]), near = far + t->px;
    if (near < tick) {
        near = tick;
        far = near - t->px;
    }
    int32_t qty = t->qty;
    for (int k = 0; k < 2; k++) {
        struct market_entry *e = market_entry_add(m, ev, MK_TRADE, sp->leg[k]);
        e->px = k ? far : near;
        e->qty = qty;
        e->aggressor = 0;
        e->n_orders = 2;
        e->trade_id = ++m->trade_id;
        e->leg_of = s;
    }
}
