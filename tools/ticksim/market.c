/* SPDX-License-Identifier: MIT */
/* market.c -- the simulated market: index processes, curves, books, calendar.
 *
 * Time advances by the earliest of four clocks: the index clock (every
 * index_every_ns), the order-flow clock (exponential gaps, from the book
 * build at pre-open to the close; trades only while open), the end of a halt,
 * and the calendar (pre-open, book build, open, fixing, close with daily
 * statistics, on weekdays). Each step yields one match event. Prices inside
 * the books are whole ticks; entries carry them in 1e-9 $. */
#include "market.h"
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "gputick/err.h"
#include "mdp3.h"
#include "gputick/time.h"
#include "spread.h"

const char *const market_product[MARKET_N_PRODUCTS] = {"H100", "H200", "B200", "A100"};
const char *const market_index_name[MARKET_N_PRODUCTS] = {"SDH100RT", "SDH200RT", "SDB200RT",
                                                          "SDA100RT"};
static const char month_code[] = "FGHJKMNQUVXZ";

enum { CAL_PREOPEN, CAL_BUILD, CAL_OPEN, CAL_FIXING, CAL_CLOSE, CAL_DONE };

void market_config_default(struct market_config *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->start_ns = 0;
    c->tick_px = 5000000;
    c->unit_gpuh = 1000;
    c->level[0] = 2.40; /* H100 */
    c->level[1] = 3.40; /* H200 */
    c->level[2] = 6.00; /* B200 */
    c->level[3] = 1.30; /* A100 */
    c->kappa = 0.05;
    c->sigma = 0.02;
    c->jump_per_day = 1.0;
    c->jump_sigma = 0.05;
    c->basis_sigma = 0.01;
    c->basis_max = 0.25;
    c->flow_per_s = 2.0;
    c->trade_share = 0.2;
    c->sweep_share = 0.1;
    c->spread_share = 0.2;
    c->bust_every = 0;
    c->bust_after_ns = 10 * 60 * GT_NS_PER_SEC;
    c->halt_jump = 0.08;
    c->halt_ns = 5 * 60 * GT_NS_PER_SEC;
    c->index_every_ns = 60 * GT_NS_PER_SEC;
    c->preopen_ns = 13 * 3600 * GT_NS_PER_SEC;
    c->open_ns = c->preopen_ns + 30 * 60 * GT_NS_PER_SEC;
    c->fixing_ns = 20 * 3600 * GT_NS_PER_SEC;
    c->close_ns = 21 * 3600 * GT_NS_PER_SEC;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void market_rng_seed(uint64_t s[4], uint64_t seed)
{
    for (int i = 0; i < 4; i++) { /* splitmix64 */
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        s[i] = z ^ (z >> 31);
    }
}

uint64_t market_rng_next(uint64_t s[4])
{
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

double market_rng_unit(uint64_t s[4])
{
    return (double)(market_rng_next(s) >> 11) * 0x1.0p-53;
}

static double rnd(struct market *m)
{
    return market_rng_unit(m->rng);
}
static int rnd_int(struct market *m, int lo, int hi) /* inclusive */
{
    return lo + (int)(market_rng_next(m->rng) % (uint64_t)(hi - lo + 1));
}
static double rnd_normal(struct market *m)
{
    double u = rnd(m), v = rnd(m);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}
static int64_t rnd_exp_ns(struct market *m, double per_s)
{
    double s = -log(1.0 - rnd(m)) / per_s;
    return 1 + (int64_t)(s * 1e9);
}

static int64_t day_of(int64_t ns)
{
    return ns >= 0 ? ns / GT_NS_PER_DAY : -((-ns + GT_NS_PER_DAY - 1) / GT_NS_PER_DAY);
}
/* The holidays of market_init()'s config: the market opens on business
 * days only. */
static const struct gt_calendar *holidays;

static bool weekday(int64_t day)
{
    return gt_business_day(holidays, day);
}

static int64_t last_business_day(int y, int mo)
{
    int ny = mo == 12 ? y + 1 : y, nm = mo == 12 ? 1 : mo + 1;
    int64_t d = gt_days_from_civil(ny, (unsigned)nm, 1) - 1;
    while (!weekday(d))
        d--;
    return d;
}

int market_instr_of(int p, int k)
{
    return k < MARKET_N_MONTHS ? p * MARKET_N_MONTHS + k
                               : MARKET_N_OUTRIGHT + p * MARKET_N_SPREADS + k - MARKET_N_MONTHS;
}

int64_t market_fair_px(const struct market *m, int i)
{
    const struct market_instr *in = &m->instr[i];
    if (in->spread) /* near - far, each on the tick: a whole number of ticks */
        return market_fair_px(m, in->leg[0]) - market_fair_px(m, in->leg[1]);
    double years = (double)(in->last_trade_ns - m->now_ns) / (365.25 * GT_NS_PER_DAY);
    if (years < 0)
        years = 0;
    double fair = exp(m->log_ix[in->product_ix] + m->carry[in->product_ix] * years);
    int64_t ticks = llround(fair * 1e9 / (double)m->cfg.tick_px);
    return (ticks < 1 ? 1 : ticks) * m->cfg.tick_px;
}

static int64_t ticks_of(const struct market *m, int64_t px)
{
    return px / m->cfg.tick_px;
}

/* The lowest price in ticks instrument i may quote: a spread's may be negative. */
static int64_t min_ticks(const struct market *m, int i)
{
    return m->instr[i].spread ? -(INT64_C(1) << 40) : 1;
}

int market_init(struct market *m, const struct market_config *c)
{
    holidays = c->calendar;
    if (c->tick_px <= 0 || c->unit_gpuh <= 0 || c->flow_per_s <= 0 || c->index_every_ns <= 0 ||
        c->trade_share < 0 || c->trade_share > 1 || c->sweep_share < 0 || c->sweep_share > 1 ||
        !(c->spread_share >= 0 && c->spread_share <= 1) || c->halt_ns <= 0 || !(c->halt_jump > 0) ||
        c->bust_after_ns <= 0 ||
        !(c->preopen_ns < c->open_ns && c->open_ns < c->fixing_ns && c->fixing_ns < c->close_ns &&
          c->close_ns < GT_NS_PER_DAY))
        return GT_EINVAL;
    for (int p = 0; p < MARKET_N_PRODUCTS; p++)
        if (!(c->level[p] > 0))
            return GT_EINVAL;
    memset(m, 0, sizeof *m);
    m->cfg = *c;
    market_rng_seed(m->rng, c->seed);
    m->now_ns = c->start_ns;
    for (int p = 0; p < MARKET_N_PRODUCTS; p++) {
        m->log_ix[p] = log(c->level[p]) + 0.05 * rnd_normal(m);
        m->carry[p] = c->basis_max * (2 * rnd(m) - 1) * 0.5;
    }
    int y;
    unsigned mo, d;
    gt_civil_from_days(day_of(c->start_ns), &y, &mo, &d);
    if (last_business_day(y, (int)mo) * GT_NS_PER_DAY + c->close_ns <= c->start_ns && ++mo > 12) {
        mo = 1;
        y++;
    }
    for (int p = 0; p < MARKET_N_PRODUCTS; p++) {
        int yy = y, mm = (int)mo;
        for (int k = 0; k < MARKET_N_MONTHS; k++) {
            struct market_instr *in = &m->instr[p * MARKET_N_MONTHS + k];
            snprintf(in->symbol, sizeof in->symbol, "%s%c%d", market_product[p], month_code[mm - 1],
                     yy % 10);
            snprintf(in->product, sizeof in->product, "%s", market_product[p]);
            /* Stable across runs and start dates: product, year, month. */
            in->security_id = (p + 1) * 100000 + (yy % 100) * 100 + mm;
            in->product_ix = p;
            in->year = yy;
            in->month = mm;
            in->activation_ns = day_of(c->start_ns) * GT_NS_PER_DAY;
            in->last_trade_ns = last_business_day(yy, mm) * GT_NS_PER_DAY + c->close_ns;
            in->open_interest = rnd_int(m, 100, 5000);
            in->status = 18; /* NotAvailable until pre-open */
            if (++mm > 12) {
                mm = 1;
                yy++;
            }
        }
    }
    spread_list(m);
    m->next_index_ns = c->start_ns;
    m->next_flow_ns = INT64_MAX;
    m->cal_step = CAL_PREOPEN;
    int64_t day = day_of(c->start_ns), sod = c->start_ns - day * GT_NS_PER_DAY;
    if (weekday(day) && sod > c->preopen_ns && sod < c->close_ns) {
        m->next_cal_ns = c->start_ns; /* joined in session: pre-open and build now */
        return GT_OK;
    }
    while (!weekday(day) || day * GT_NS_PER_DAY + c->preopen_ns < c->start_ns)
        day++;
    m->next_cal_ns = day * GT_NS_PER_DAY + c->preopen_ns;
    return GT_OK;
}

static struct market_entry *ev_add(struct market_event *ev, uint8_t kind, int instr)
{
    assert(ev->n < MARKET_EV_MAX);
    struct market_entry *e = &ev->e[ev->n++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->instr = instr;
    return e;
}

static struct market_entry *ev_instr(struct market *m, struct market_event *ev, uint8_t kind, int i)
{
    struct market_entry *e = ev_add(ev, kind, i);
    e->security_id = m->instr[i].security_id;
    e->rpt_seq = ++m->instr[i].rpt_seq;
    return e;
}

struct market_entry *market_entry_add(struct market *m, struct market_event *ev, uint8_t kind,
                                      int i)
{
    return ev_instr(m, ev, kind, i);
}

static int32_t orders_of(int32_t qty)
{
    return 1 + qty / 25;
}

/* MBP insert at 0-based level k; the level pushed past the depth is dropped. */
static void book_emit(struct market *m, struct market_event *ev, int i, char side, uint8_t action,
                      int k, int64_t px, int32_t qty)
{
    struct market_instr *in = &m->instr[i];
    struct market_level *lv = side == '0' ? in->bid : in->ask;
    int *n = side == '0' ? &in->n_bid : &in->n_ask;
    if (action == MDP3_ACT_NEW) {
        int last = *n < MARKET_DEPTH ? *n : MARKET_DEPTH - 1;
        memmove(lv + k + 1, lv + k, (size_t)(last - k) * sizeof *lv);
        if (*n < MARKET_DEPTH)
            (*n)++;
        lv[k] = (struct market_level){px, qty, orders_of(qty)};
    } else if (action == MDP3_ACT_CHANGE) {
        lv[k].qty = qty;
        lv[k].n_orders = orders_of(qty);
    } else if (action == MDP3_ACT_DELETE) {
        px = lv[k].px;
        memmove(lv + k, lv + k + 1, (size_t)(*n - k - 1) * sizeof *lv);
        (*n)--;
        qty = 0;
    } else if (action == MDP3_ACT_DELETE_FROM) { /* levels 1..k+1 go */
        px = lv[k].px;
        memmove(lv, lv + k + 1, (size_t)(*n - k - 1) * sizeof *lv);
        *n -= k + 1;
        qty = 0;
    } else { /* DeleteThru: the whole side */
        px = MDP3_PX_NULL;
        *n = 0;
        qty = 0;
        k = 0;
    }
    struct market_entry *e = ev_instr(m, ev, MK_BOOK, i);
    e->action = action;
    e->side = side;
    e->level = (uint8_t)(k + 1);
    e->px = px;
    e->qty = qty;
    e->n_orders = qty ? orders_of(qty) : 0;
}

/* Adds a level worse than the worst one, when the side is not full. */
static void book_refill(struct market *m, struct market_event *ev, int i, char side)
{
    struct market_instr *in = &m->instr[i];
    int n = side == '0' ? in->n_bid : in->n_ask;
    if (n >= MARKET_DEPTH || n == 0)
        return;
    int64_t worst = ticks_of(m, side == '0' ? in->bid[n - 1].px : in->ask[n - 1].px);
    int64_t t = side == '0' ? worst - rnd_int(m, 1, 3) : worst + rnd_int(m, 1, 3);
    if (t < min_ticks(m, i))
        return;
    book_emit(m, ev, i, side, 0, n, t * m->cfg.tick_px, rnd_int(m, 5, 200));
}

static void book_build(struct market *m, struct market_event *ev, int i)
{
    struct market_instr *in = &m->instr[i];
    int64_t fair = ticks_of(m, market_fair_px(m, i));
    int64_t b = fair - 1, a = fair + 1;
    if (in->n_bid > 0)
        b = ticks_of(m, in->bid[in->n_bid - 1].px) - 1;
    else if (in->n_ask > 0 && b >= ticks_of(m, in->ask[0].px))
        b = ticks_of(m, in->ask[0].px) - 1;
    if (in->n_ask > 0)
        a = ticks_of(m, in->ask[in->n_ask - 1].px) + 1;
    else if (in->n_bid > 0 && a <= ticks_of(m, in->bid[0].px))
        a = ticks_of(m, in->bid[0].px) + 1;
    while (in->n_bid < MARKET_DEPTH && b >= min_ticks(m, i)) {
        book_emit(m, ev, i, '0', 0, in->n_bid, b * m->cfg.tick_px, rnd_int(m, 5, 200));
        b -= rnd_int(m, 1, 2);
    }
    while (in->n_ask < MARKET_DEPTH) {
        book_emit(m, ev, i, '1', 0, in->n_ask, a * m->cfg.tick_px, rnd_int(m, 5, 200));
        a += rnd_int(m, 1, 2);
    }
}

/* Adds a trade of qty from first_px to last_px to the day's statistics, as 37
 * and 51 entries. */
static void trade_stats(struct market *m, struct market_event *ev, int i, int64_t first_px,
                        int64_t last_px, int32_t qty)
{
    struct market_instr *in = &m->instr[i];
    in->volume += qty;
    in->last_px = last_px;
    struct market_entry *v = ev_instr(m, ev, MK_VOLUME, i);
    v->qty = in->volume;
    v->action = in->volume == qty ? MDP3_ACT_NEW : MDP3_ACT_CHANGE;
    if (!in->has_open) {
        in->has_open = true;
        in->open_px = in->high_px = in->low_px = first_px;
        struct market_entry *s = ev_instr(m, ev, MK_SSTAT, i);
        s->stat = MDP3_ET_OPEN;
        s->px = first_px;
    }
    int64_t hi = first_px > last_px ? first_px : last_px, lo = first_px ^ last_px ^ hi;
    if (hi > in->high_px) {
        in->high_px = hi;
        struct market_entry *s = ev_instr(m, ev, MK_SSTAT, i);
        s->stat = MDP3_ET_HIGH;
        s->px = hi;
    }
    if (lo < in->low_px) {
        in->low_px = lo;
        struct market_entry *s = ev_instr(m, ev, MK_SSTAT, i);
        s->stat = MDP3_ET_LOW;
        s->px = lo;
    }
}

/* Schedules the bust of trade entry t, when its id is one of
 * every bust_every and the bust still falls in the trading day: CME busts a
 * trade in the session it traded in, some minutes later. */
static void bust_plan(struct market *m, const struct market_entry *t)
{
    const struct market_config *c = &m->cfg;
    int64_t due = m->now_ns + c->bust_after_ns;
    if (!c->bust_every || t->trade_id % c->bust_every || m->n_bust == MARKET_BUSTS_MAX ||
        due / GT_NS_PER_DAY != m->now_ns / GT_NS_PER_DAY || due % GT_NS_PER_DAY >= c->close_ns)
        return;
    m->bust[(m->bust_head + m->n_bust++) % MARKET_BUSTS_MAX] =
        (struct market_bust){.due_ns = due, .trade = *t};
}

/* The next pending bust as its own event: a TradeSummary entry with
 * MDUpdateAction Delete repeating the cancelled trade. The volume statistics
 * stay as they were (CME corrects cleared volume at the close). */
static void bust_send(struct market *m, struct market_event *ev)
{
    const struct market_bust *b = &m->bust[m->bust_head];
    m->bust_head = (m->bust_head + 1) % MARKET_BUSTS_MAX;
    m->n_bust--;
    struct market_entry *e = ev_instr(m, ev, MK_TRADE, b->trade.instr);
    uint32_t rpt_seq = e->rpt_seq; /* the bust's own */
    *e = b->trade;
    e->rpt_seq = rpt_seq;
    e->action = MDP3_ACT_DELETE;
}

/* An aggressor order: usually a few lots off the top level, sometimes a sweep
 * through several levels. CME prints one TradeSummary entry per price, then the
 * book: a Delete of level 1 or, for several whole levels, one DeleteFrom of
 * levels 1..k (the others shift up k), a Change of a partly filled level, and
 * New entries refilling the bottom. */
static void flow_trade(struct market *m, struct market_event *ev, int i)
{
    struct market_instr *in = &m->instr[i];
    if (in->n_bid == 0 || in->n_ask == 0)
        return;
    int64_t fair = market_fair_px(m, i), mid2 = in->bid[0].px + in->ask[0].px;
    bool buy = rnd(m) < (2 * fair > mid2 ? 0.8 : 0.2);
    char side = buy ? '1' : '0'; /* the resting side that trades */
    struct market_level *lv = buy ? in->ask : in->bid;
    int n = buy ? in->n_ask : in->n_bid;
    int32_t want = rnd_int(m, 1, 20);
    if (rnd(m) < m->cfg.sweep_share) /* through one to three whole levels and into the next */
        for (int k = 0, deep = rnd_int(m, 1, 3); k < deep && k < n; k++)
            want += lv[k].qty;
    int full = 0;
    int32_t part = 0, total = 0;
    for (int k = 0; k < n && want > 0; k++) {
        int32_t q = want < lv[k].qty ? want : lv[k].qty;
        struct market_entry *t = ev_instr(m, ev, MK_TRADE, i);
        t->px = lv[k].px;
        t->qty = q;
        t->aggressor = buy ? 1 : 2;
        t->n_orders = 1 + (q == lv[k].qty ? lv[k].n_orders : 1);
        t->trade_id = ++m->trade_id;
        if (in->spread) /* its legs print beside it; spread trades are not busted */
            spread_leg_prints(m, ev, i, t);
        else
            bust_plan(m, t);
        want -= q;
        total += q;
        if (q == lv[k].qty)
            full++;
        else
            part = q;
    }
    int64_t first_px = lv[0].px, last_px = lv[full > 0 && !part ? full - 1 : full].px;
    if (full == 1)
        book_emit(m, ev, i, side, MDP3_ACT_DELETE, 0, 0, 0);
    else if (full > 1)
        book_emit(m, ev, i, side, MDP3_ACT_DELETE_FROM, full - 1, 0, 0);
    if (part)
        book_emit(m, ev, i, side, MDP3_ACT_CHANGE, 0, lv[0].px, lv[0].qty - part);
    for (int k = 0; k < full; k++)
        book_refill(m, ev, i, side);
    trade_stats(m, ev, i, first_px, last_px, total);
}

static void flow_quote(struct market *m, struct market_event *ev, int i)
{
    struct market_instr *in = &m->instr[i];
    char side = rnd(m) < 0.5 ? '0' : '1';
    bool bid = side == '0';
    struct market_level *lv = bid ? in->bid : in->ask;
    int n = bid ? in->n_bid : in->n_ask;
    double r = rnd(m);
    if (n == 0) {
        book_build(m, ev, i);
    } else if (r < 0.4) {
        int k = rnd_int(m, 0, n - 1);
        int32_t q = lv[k].qty + rnd_int(m, -lv[k].qty / 2, 50);
        book_emit(m, ev, i, side, 1, k, lv[k].px, q < 1 ? 1 : q);
    } else if (r < 0.7 && n > 3) {
        /* Levels far from fair value are cancelled first, so the book follows it. */
        int64_t fair = ticks_of(m, market_fair_px(m, i)), worst = ticks_of(m, lv[n - 1].px);
        if ((bid ? fair - worst : worst - fair) > 3 * MARKET_DEPTH) {
            book_emit(m, ev, i, side, 2, n - 1, 0, 0);
        } else {
            book_emit(m, ev, i, side, 2, rnd_int(m, 0, n - 1), 0, 0);
            book_refill(m, ev, i, side);
        }
    } else {
        int64_t fair = ticks_of(m, market_fair_px(m, i));
        int64_t off = 1 + (int64_t)(-log(1.0 - rnd(m)) * 3.0);
        int64_t t = bid ? fair - off : fair + off;
        if (bid && in->n_ask > 0 && t >= ticks_of(m, in->ask[0].px))
            t = ticks_of(m, in->ask[0].px) - 1;
        if (!bid && in->n_bid > 0 && t <= ticks_of(m, in->bid[0].px))
            t = ticks_of(m, in->bid[0].px) + 1;
        if (t < min_ticks(m, i))
            return;
        int k = 0;
        while (k < n && (bid ? ticks_of(m, lv[k].px) > t : ticks_of(m, lv[k].px) < t))
            k++;
        if (k < n && ticks_of(m, lv[k].px) == t)
            book_emit(m, ev, i, side, 1, k, lv[k].px, lv[k].qty + rnd_int(m, 1, 50));
        else if (k < MARKET_DEPTH)
            book_emit(m, ev, i, side, 0, k, t * m->cfg.tick_px, rnd_int(m, 5, 200));
    }
}

static void status_all(struct market *m, struct market_event *ev, int p, uint8_t st);

static void index_step(struct market *m, struct market_event *ev)
{
    const struct market_config *c = &m->cfg;
    double dt = (double)c->index_every_ns / (double)GT_NS_PER_DAY;
    for (int p = 0; p < MARKET_N_PRODUCTS; p++) {
        double mu = log(c->level[p]);
        double x = m->log_ix[p];
        x += c->kappa * (mu - x) * dt + c->sigma * sqrt(dt) * rnd_normal(m);
        if (rnd(m) < c->jump_per_day * dt) {
            double j = c->jump_sigma * rnd_normal(m);
            x += j;
            /* A shock big enough halts the product's futures for halt_ns. */
            if (fabs(j) >= c->halt_jump &&
                m->instr[p * MARKET_N_MONTHS].status == MDP3_TS_READY_TO_TRADE) {
                status_all(m, ev, p, MDP3_TS_TRADING_HALT);
                m->resume_ns[p] = m->now_ns + c->halt_ns;
            }
        }
        m->log_ix[p] = x;
        double b = m->carry[p] + c->basis_sigma * sqrt(dt) * rnd_normal(m);
        m->carry[p] = b > c->basis_max ? c->basis_max : b < -c->basis_max ? -c->basis_max : b;
        m->index_px[p] = llround(exp(x) * 1e4) * 100000; /* to 1e-4 $ */
        struct market_entry *e = ev_add(ev, MK_INDEX, p);
        e->px = m->index_px[p];
        e->code = 1;
        e->rpt_seq = ++m->index_rpt[p];
    }
}

static void status_all(struct market *m, struct market_event *ev, int p, uint8_t st)
{
    for (int k = 0; k < MARKET_N_MONTHS + MARKET_N_SPREADS; k++) {
        int i = market_instr_of(p, k);
        m->instr[i].status = st;
        struct market_entry *e = ev_add(ev, MK_STATUS, i);
        e->security_id = m->instr[i].security_id;
        e->status = st;
    }
}

static void close_product(struct market *m, struct market_event *ev, int p)
{
    status_all(m, ev, p, 4);
    for (int k = 0; k < MARKET_N_MONTHS; k++) {
        int i = p * MARKET_N_MONTHS + k;
        struct market_instr *in = &m->instr[i];
        bool expires = in->last_trade_ns <= m->now_ns && !in->expired;
        if (in->expired)
            continue;
        if (expires && m->fix_n[p] > 0) /* final: the mean of the month's fixings */
            in->settle_px = llround((double)m->fix_sum[p] / m->fix_n[p] / (double)m->cfg.tick_px) *
                            m->cfg.tick_px;
        else
            in->settle_px = in->n_bid && in->n_ask
                                ? ticks_of(m, (in->bid[0].px + in->ask[0].px) / 2) * m->cfg.tick_px
                                : market_fair_px(m, i);
        in->open_interest += in->volume / 3 - rnd_int(m, 0, in->volume / 4 + 1);
        if (in->open_interest < 0)
            in->open_interest = 0;
        struct market_entry *e = ev_instr(m, ev, MK_DSTAT, i);
        e->stat = '6';
        e->px = in->settle_px;
        e = ev_instr(m, ev, MK_DSTAT, i);
        e->stat = 'B';
        e->qty = in->volume;
        e = ev_instr(m, ev, MK_DSTAT, i);
        e->stat = 'C';
        e->qty = in->open_interest;
        in->volume = 0;
        in->open_px = in->high_px = in->low_px = 0;
        in->has_open = false;
        if (expires) { /* the contract is gone: its book empties */
            in->expired = true;
            if (in->n_bid)
                book_emit(m, ev, i, '0', MDP3_ACT_DELETE_THRU, 0, 0, 0);
            if (in->n_ask)
                book_emit(m, ev, i, '1', MDP3_ACT_DELETE_THRU, 0, 0, 0);
        }
    }
    /* Spreads publish no daily statistics; one whose near leg expired goes too. */
    for (int k = MARKET_N_MONTHS; k < MARKET_N_MONTHS + MARKET_N_SPREADS; k++) {
        int i = market_instr_of(p, k);
        struct market_instr *in = &m->instr[i];
        in->volume = 0;
        in->open_px = in->high_px = in->low_px = 0;
        in->has_open = false;
        if (in->expired || !m->instr[in->leg[0]].expired)
            continue;
        in->expired = true;
        if (in->n_bid)
            book_emit(m, ev, i, '0', MDP3_ACT_DELETE_THRU, 0, 0, 0);
        if (in->n_ask)
            book_emit(m, ev, i, '1', MDP3_ACT_DELETE_THRU, 0, 0, 0);
    }
}

/* One calendar step; moves next_cal_ns/cal_step on. *sub counts the products
 * or instruments already done within a step (one event each). */
static void calendar_step(struct market *m, struct market_event *ev, int *sub)
{
    const struct market_config *c = &m->cfg;
    int64_t day = day_of(m->now_ns);
    switch (m->cal_step) {
    case CAL_PREOPEN:
        status_all(m, ev, *sub, 21);
        if (++*sub == MARKET_N_PRODUCTS) {
            *sub = 0;
            m->cal_step = CAL_BUILD;
        }
        return;
    case CAL_BUILD:
        ev->n = 0;
        if (!m->instr[*sub].expired)
            book_build(m, ev, *sub);
        if (++*sub == MARKET_N_INSTR) {
            *sub = 0;
            m->cal_step = CAL_OPEN;
            m->next_cal_ns = day * GT_NS_PER_DAY + c->open_ns;
            /* Orders rest and move in pre-open; nothing trades until the open. */
            m->next_flow_ns = m->now_ns + rnd_exp_ns(m, c->flow_per_s * MARKET_N_PRODUCTS);
        }
        return;
    case CAL_OPEN:
        status_all(m, ev, *sub, 17);
        if (++*sub == MARKET_N_PRODUCTS) {
            *sub = 0;
            m->cal_step = CAL_FIXING;
            m->next_cal_ns = day * GT_NS_PER_DAY + c->fixing_ns;
            if (m->next_cal_ns < m->now_ns) { /* started after today's fixing */
                m->cal_step = CAL_CLOSE;
                m->next_cal_ns = day * GT_NS_PER_DAY + c->close_ns;
            }
        }
        return;
    case CAL_FIXING:
        for (int p = 0; p < MARKET_N_PRODUCTS; p++) {
            struct market_entry *e = ev_add(ev, MK_INDEX, p);
            e->px = m->index_px[p];
            e->code = 5;
            e->rpt_seq = ++m->index_rpt[p];
            int y;
            unsigned mo, d;
            gt_civil_from_days(day, &y, &mo, &d);
            if (m->fix_month[p] != y * 100 + (int)mo) {
                m->fix_month[p] = y * 100 + (int)mo;
                m->fix_sum[p] = 0;
                m->fix_n[p] = 0;
            }
            m->fix_sum[p] += m->index_px[p];
            m->fix_n[p]++;
        }
        m->cal_step = CAL_CLOSE;
        m->next_cal_ns = day * GT_NS_PER_DAY + c->close_ns;
        return;
    default:
        close_product(m, ev, *sub);
        if (++*sub == MARKET_N_PRODUCTS) {
            *sub = 0;
            m->cal_step = CAL_PREOPEN;
            m->next_flow_ns = INT64_MAX;
            do
                day++;
            while (!weekday(day));
            m->next_cal_ns = day * GT_NS_PER_DAY + c->preopen_ns;
        }
        return;
    }
}

int64_t market_peek_ns(const struct market *m)
{
    int64_t t = m->next_cal_ns;
    if (m->next_index_ns < t)
        t = m->next_index_ns;
    if (m->next_flow_ns < t)
        t = m->next_flow_ns;
    for (int p = 0; p < MARKET_N_PRODUCTS; p++)
        if (m->resume_ns[p] && m->resume_ns[p] < t)
            t = m->resume_ns[p];
    if (m->n_bust && m->bust[m->bust_head].due_ns < t)
        t = m->bust[m->bust_head].due_ns;
    return t < m->now_ns ? m->now_ns : t;
}

int market_next(struct market *m, struct market_event *ev)
{
    static_assert(MARKET_DEPTH * 2 + 8 <= MARKET_EV_MAX, "event room");
    ev->n = 0;
    int64_t t = m->next_cal_ns;
    int which = 0;
    if (m->next_index_ns < t) {
        t = m->next_index_ns;
        which = 1;
    }
    if (m->next_flow_ns < t) {
        t = m->next_flow_ns;
        which = 2;
    }
    for (int p = 0; p < MARKET_N_PRODUCTS; p++)
        if (m->resume_ns[p] && m->resume_ns[p] < t) {
            t = m->resume_ns[p];
            which = 3 + p;
        }
    if (m->n_bust && m->bust[m->bust_head].due_ns < t) {
        t = m->bust[m->bust_head].due_ns;
        which = -1;
    }
    if (t < m->now_ns)
        t = m->now_ns; /* a step due before a mid-session start happens at once */
    m->now_ns = t;
    ev->t_ns = t;
    if (which < 0) {
        bust_send(m, ev);
    } else if (which == 0) {
        calendar_step(m, ev, &m->cal_sub);
    } else if (which == 1) {
        index_step(m, ev);
        m->next_index_ns += m->cfg.index_every_ns;
    } else if (which >= 3) { /* a halt ends, unless the close came first */
        int p = which - 3;
        m->resume_ns[p] = 0;
        if (m->instr[p * MARKET_N_MONTHS].status == MDP3_TS_TRADING_HALT)
            status_all(m, ev, p, MDP3_TS_READY_TO_TRADE);
    } else {
        int p = rnd_int(m, 0, MARKET_N_PRODUCTS - 1), k = 0;
        while (k < MARKET_N_MONTHS - 1 && rnd(m) < 0.55)
            k++;
        int i = p * MARKET_N_MONTHS + k;
        if (rnd(m) < m->cfg.spread_share) /* a spread: mostly near the front, like the months */
            i = market_instr_of(p, MARKET_N_MONTHS + (rnd(m) < 0.15 ? MARKET_N_SPREADS - 1
                                                      : k < MARKET_N_SPREADS - 1 ? k
                                                                                 : 0));
        if (m->instr[i].last_trade_ns > t) {
            if (rnd(m) < m->cfg.trade_share && m->instr[i].status == MDP3_TS_READY_TO_TRADE)
                flow_trade(m, ev, i);
            else
                flow_quote(m, ev, i);
        }
        m->next_flow_ns = t + rnd_exp_ns(m, m->cfg.flow_per_s * MARKET_N_PRODUCTS);
    }
    implied_update(m, ev);
    return GT_OK;
}

void market_reset(struct market *m)
{
    for (int i = 0; i < MARKET_N_INSTR; i++)
        m->instr[i].rpt_seq = 0;
}

void market_restate(struct market *m, int i, struct market_event *ev)
{
    struct market_instr *in = &m->instr[i];
    ev->n = 0;
    ev->t_ns = m->now_ns;
    for (int s = 0; s < 2; s++) {
        const struct market_level *lv = s ? in->ask : in->bid;
        for (int k = 0; k < (s ? in->n_ask : in->n_bid); k++) {
            struct market_entry *e = ev_instr(m, ev, MK_BOOK, i);
            e->action = 0;
            e->side = s ? '1' : '0';
            e->level = (uint8_t)(k + 1);
            e->px = lv[k].px;
            e->qty = lv[k].qty;
            e->n_orders = lv[k].n_orders;
        }
    }
    implied_restate(m, i, ev);
}
