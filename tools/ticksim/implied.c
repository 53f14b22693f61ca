/* SPDX-License-Identifier: MIT */
/* implied.c -- the implication engine: implied-in and implied-out books, first
 * generation, MARKET_IMPLIED_DEPTH levels a side; the rules are in spread.h. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "mdp3.h"
#include "spread.h"

/* One book side of a path: its levels and the sign its prices carry. */
struct path_side {
    const struct market_level *lv;
    int n;
    int sign;
};

enum { STEPS_MAX = 4 * MARKET_N_SPREADS * 2 * MARKET_DEPTH };

/* Walks a path through both sides, appending its steps to px/qty. */
static int walk(struct path_side a, struct path_side b, int64_t *px, int32_t *qty, int n)
{
    int i = 0, j = 0;
    int32_t ra = a.n ? a.lv[0].qty : 0, rb = b.n ? b.lv[0].qty : 0;
    while (i < a.n && j < b.n && n < STEPS_MAX) {
        int32_t q = ra < rb ? ra : rb;
        px[n] = a.sign * a.lv[i].px + b.sign * b.lv[j].px;
        qty[n++] = q;
        ra -= q;
        rb -= q;
        if (ra == 0 && ++i < a.n)
            ra = a.lv[i].qty;
        if (rb == 0 && ++j < b.n)
            rb = b.lv[j].qty;
    }
    return n;
}

static struct path_side side_of(const struct market_instr *in, bool bid, int sign)
{
    return bid ? (struct path_side){in->bid, in->n_bid, sign}
               : (struct path_side){in->ask, in->n_ask, sign};
}

/* The steps of every path to instrument i's implied bids (bid) or offers. */
static int steps(const struct market *m, int i, bool bid, int64_t *px, int32_t *qty)
{
    const struct market_instr *in = &m->instr[i];
    int n = 0;
    if (in->spread) /* N - F: bid N.bid - F.ask, offer N.ask - F.bid */
        return walk(side_of(&m->instr[in->leg[0]], bid, 1),
                    side_of(&m->instr[in->leg[1]], !bid, -1), px, qty, 0);
    for (int j = 0; j < MARKET_N_SPREADS; j++) {
        const struct market_instr *s =
            &m->instr[market_instr_of(in->product_ix, MARKET_N_MONTHS + j)];
        if (s->leg[0] == i) /* near leg: S + F, the same side of each */
            n = walk(side_of(s, bid, 1), side_of(&m->instr[s->leg[1]], bid, 1), px, qty, n);
        else if (s->leg[1] == i) /* far leg: N - S, the other side of S */
            n = walk(side_of(&m->instr[s->leg[0]], bid, 1), side_of(s, !bid, -1), px, qty, n);
    }
    return n;
}

/* One side of the implied book from the steps: merged by price, without the
 * prices at or through the direct opposite best (or <= 0 for an outright). */
static int side_book(const struct market *m, int i, bool bid, struct market_level *out)
{
    static int64_t px[STEPS_MAX];
    static int32_t qty[STEPS_MAX];
    const struct market_instr *in = &m->instr[i];
    int n = steps(m, i, bid, px, qty), k = 0;
    int64_t last = 0;
    for (;;) {
        /* The best price not yet taken, worse than the last level's. */
        int best = -1;
        for (int s = 0; s < n; s++) {
            if ((k && (bid ? px[s] >= last : px[s] <= last)) || (!in->spread && px[s] <= 0))
                continue;
            if (bid ? in->n_ask && px[s] >= in->ask[0].px : in->n_bid && px[s] <= in->bid[0].px)
                continue;
            if (best < 0 || (bid ? px[s] > px[best] : px[s] < px[best]))
                best = s;
        }
        if (best < 0 || k == MARKET_IMPLIED_DEPTH)
            return k;
        last = px[best];
        int64_t sum = 0;
        for (int s = 0; s < n; s++)
            sum += px[s] == last ? qty[s] : 0;
        out[k++] = (struct market_level){last, (int32_t)sum, 0};
    }
}

void implied_compute(const struct market *m, int i, struct market_level bid[MARKET_IMPLIED_DEPTH],
                     int *n_bid, struct market_level ask[MARKET_IMPLIED_DEPTH], int *n_ask)
{
    *n_bid = side_book(m, i, true, bid);
    *n_ask = side_book(m, i, false, ask);
}

static void implied_entry(struct market *m, struct market_event *ev, int i, char type,
                          uint8_t action, int k, const struct market_level *l)
{
    struct market_entry *e = market_entry_add(m, ev, MK_BOOK, i);
    e->side = type;
    e->action = action;
    e->level = (uint8_t)(k + 1);
    e->px = l->px;
    e->qty = action == MDP3_ACT_DELETE ? 0 : l->qty;
}

/* MBP entries taking side lv[0..*n) to want[0..nw): the levels whose price
 * goes, worst first; then, best first, a Change where the price stays with
 * another quantity and a New where it is new. */
static void side_update(struct market *m, struct market_event *ev, int i, char type,
                        struct market_level *lv, int *n, const struct market_level *want, int nw)
{
    for (int k = *n - 1; k >= 0; k--) {
        bool kept = false;
        for (int w = 0; w < nw; w++)
            kept |= want[w].px == lv[k].px;
        if (kept)
            continue;
        implied_entry(m, ev, i, type, MDP3_ACT_DELETE, k, &lv[k]);
        memmove(lv + k, lv + k + 1, (size_t)(*n - k - 1) * sizeof *lv);
        (*n)--;
    }
    for (int k = 0; k < nw; k++) {
        if (k < *n && lv[k].px == want[k].px) {
            if (lv[k].qty != want[k].qty) {
                lv[k].qty = want[k].qty;
                implied_entry(m, ev, i, type, MDP3_ACT_CHANGE, k, &lv[k]);
            }
            continue;
        }
        assert(*n < MARKET_IMPLIED_DEPTH);
        memmove(lv + k + 1, lv + k, (size_t)(*n - k) * sizeof *lv);
        lv[k] = want[k];
        (*n)++;
        implied_entry(m, ev, i, type, MDP3_ACT_NEW, k, &lv[k]);
    }
}

static void implied_refresh(struct market *m, struct market_event *ev, int i)
{
    struct market_instr *in = &m->instr[i];
    struct market_level bid[MARKET_IMPLIED_DEPTH], ask[MARKET_IMPLIED_DEPTH];
    int nb, na;
    implied_compute(m, i, bid, &nb, ask, &na);
    side_update(m, ev, i, MDP3_ET_IMPLIED_BID, in->ibid, &in->n_ibid, bid, nb);
    side_update(m, ev, i, MDP3_ET_IMPLIED_OFFER, in->iask, &in->n_iask, ask, na);
}

void implied_update(struct market *m, struct market_event *ev)
{
    bool touched[MARKET_N_INSTR] = {0}, affected[MARKET_N_INSTR] = {0};
    bool any = false;
    for (int k = 0; k < ev->n; k++) {
        const struct market_entry *e = &ev->e[k];
        if (e->kind == MK_BOOK && (e->side == '0' || e->side == '1'))
            any = touched[e->instr] = true;
    }
    if (!any)
        return;
    for (int i = 0; i < MARKET_N_INSTR; i++) {
        const struct market_instr *in = &m->instr[i];
        if (!touched[i])
            continue;
        affected[i] = true; /* its own direct book bounds its implied one */
        if (in->spread) {
            affected[in->leg[0]] = affected[in->leg[1]] = true;
            continue;
        }
        for (int j = 0; j < MARKET_N_SPREADS; j++) {
            int s = market_instr_of(in->product_ix, MARKET_N_MONTHS + j);
            if (m->instr[s].leg[0] == i || m->instr[s].leg[1] == i)
                affected[s] = affected[m->instr[s].leg[0]] = affected[m->instr[s].leg[1]] = true;
        }
    }
    for (int i = 0; i < MARKET_N_INSTR; i++)
        if (affected[i])
            implied_refresh(m, ev, i);
}

void implied_restate(struct market *m, int i, struct market_event *ev)
{
    const struct market_instr *in = &m->instr[i];
    for (int k = 0; k < in->n_ibid; k++)
        implied_entry(m, ev, i, MDP3_ET_IMPLIED_BID, MDP3_ACT_NEW, k, &in->ibid[k]);
    for (int k = 0; k < in->n_iask; k++)
        implied_entry(m, ev, i, MDP3_ET_IMPLIED_OFFER, MDP3_ACT_NEW, k, &in->iask[k]);
}
