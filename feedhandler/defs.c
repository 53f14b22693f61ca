/* SPDX-License-Identifier: MIT */
/* defs.c -- instrument definitions: MDInstrumentDefinitionFuture54, the
 * spreads' MDInstrumentDefinitionSpread56 and the index channel's
 * definitions and values (templates 347 and 348) make or rename instruments
 * and stage a definition record when one is new or has changed. A spread
 * keeps its legs, for its definition record (gt_def_spread_set) and to tell
 * its legs' prints apart (feed.c, on_trade48). */
#include "feed_int.h"

/* ---- definitions --------------------------------------------------------- */

static void trim_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    while (n > 0 && src[n - 1] == ' ')
        n--;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* Stages a definition if it is new or changed. */
static void def_put(struct feed *f, size_t ii, const struct gt_tick *d)
{
    struct inst *in = &f->inst[ii];
    if (in->has_def && memcmp(&in->def.u.def, &d->u.def, sizeof d->u.def) == 0)
        return;
    in->def = *d;
    in->has_def = true;
    stage(f, ii, d);
}

/* The fields futures and spreads share, as each decoder gives them. */
struct def_common {
    int32_t security_id;
    const char *symbol, *asset, *security_group;
    int64_t tick_px, last_update_time_ns;
};

/* Names instrument of a definition and reads its GBX depth from the feed
 * types (n of them, fetched by ft_of); returns its index or -1 (counted). */
static long def_inst(struct feed *f, const struct def_common *c, int type, int *depth_out,
                     const void *m, size_t n_ft,
                     void (*ft_of)(const void *m, size_t i, struct mdp3_def54_feed_type *ft))
{
    char sym[21], product[7];
    trim_copy(sym, sizeof sym, c->symbol);
    trim_copy(product, sizeof product, c->asset[0] ? c->asset : c->security_group);
    if (!gt_topic_name_ok(sym, GT_SYMBOL_LEN) || !gt_topic_name_ok(product, GT_PRODUCT_LEN)) {
        f->st.malformed++;
        return -1;
    }
    long ii = inst_get(f, c->security_id, type, true);
    if (ii < 0)
        return -1;
    struct inst *in = &f->inst[ii];
    in->type = (uint8_t)type;
    strcpy(in->symbol, sym);
    strcpy(in->product, product);
    in->topics_ok = false;
    trim_copy(in->group, sizeof in->group, c->security_group);
    int depth = GT_BOOK_DEPTH;
    for (size_t i = 0; i < n_ft; i++) {
        struct mdp3_def54_feed_type ft;
        ft_of(m, i, &ft);
        if (memcmp(ft.md_feed_type, "GBX", 3) == 0 && ft.market_depth >= 1 &&
            ft.market_depth <= GT_BOOK_DEPTH)
            depth = ft.market_depth;
    }
    book_depth_set(&f->bs.books[ii], depth);
    *depth_out = depth;
    return ii;
}

static void def_tick(struct feed *f, size_t ii, const struct def_common *c, int type, int depth,
                     struct gt_tick *d)
{
    const struct inst *in = &f->inst[ii];
    tick_init(d, in, GT_KIND_DEF, c->last_update_time_ns, f->recv_ns);
    d->u.def.tick_px = c->tick_px;
    d->u.def.depth = (uint8_t)depth;
    d->u.def.type = (uint8_t)type;
    memcpy(d->u.def.product, in->product, strlen(in->product));
    memcpy(d->u.def.symbol, in->symbol, strlen(in->symbol));
}

static void ft54(const void *m, size_t i, struct mdp3_def54_feed_type *ft)
{
    mdp3_def54_feed_type(m, i, ft);
}

static void ft56(const void *m, size_t i, struct mdp3_def54_feed_type *ft)
{
    mdp3_def56_feed_type(m, i, ft);
}

union def_msg {
    struct mdp3_def54 d54;
    struct mdp3_def56 d56;
};

/* Decodes a 54 or a 56 into m and c and names its instrument; returns its
 * index or -1 (counted). */
static long def_read(struct feed *f, const struct mdp3_msg *msg, union def_msg *m,
                     struct def_common *c, int *depth)
{
    bool spread = msg->template_id == MDP3_T_DEFINITION_SPREAD56;
    if ((spread ? mdp3_def56_decode(msg, &m->d56) : mdp3_def54_decode(msg, &m->d54)) < 0) {
        f->st.malformed++;
        return -1;
    }
    if (spread)
        *c = (struct def_common){m->d56.security_id,
                                 m->d56.symbol,
                                 m->d56.asset,
                                 m->d56.security_group,
                                 m->d56.min_price_increment_px,
                                 (int64_t)m->d56.last_update_time_ns};
    else
        *c = (struct def_common){m->d54.security_id,
                                 m->d54.symbol,
                                 m->d54.asset,
                                 m->d54.security_group,
                                 m->d54.min_price_increment_px,
                                 (int64_t)m->d54.last_update_time_ns};
    return spread ? def_inst(f, c, GT_INSTR_SPREAD, depth, &m->d56, m->d56.feed_types.n, ft56)
                  : def_inst(f, c, GT_INSTR_FUTURE, depth, &m->d54, m->d54.feed_types.n, ft54);
}

/* A future's maturity: its LastEligibleTradeDate, else MaturityMonthYear. */
static uint32_t def54_maturity(const struct mdp3_def54 *m)
{
    uint32_t maturity = 0;
    for (size_t i = 0; i < m->events.n; i++) {
        struct mdp3_def54_event ev;
        mdp3_def54_event(m, i, &ev);
        if (ev.event_type == 7 /* LastEligibleTradeDate */)
            maturity = gt_ymd_of_ns((int64_t)ev.event_time_ns);
    }
    if (!maturity && m->maturity_year != MDP3_U16_NULL && m->maturity_month != MDP3_U8_NULL)
        maturity = (uint32_t)m->maturity_year * 10000 + m->maturity_month * 100u +
                   (m->maturity_day == MDP3_U8_NULL ? 0 : m->maturity_day);
    return maturity;
}

/* A spread's legs: kept when they are one bought and one sold at ratio 1
 * (CME's calendar spread, SecuritySubType SP, is); any other shape keeps
 * none (tick.h), counted unhandled, and its book and trades are still kept. */
static void def56_legs(struct feed *f, const struct mdp3_def56 *m, int32_t leg[2])
{
    leg[0] = leg[1] = 0;
    bool ok = m->legs.n == 2;
    for (size_t i = 0; i < m->legs.n && ok; i++) {
        struct mdp3_def56_leg l;
        mdp3_def56_leg(m, i, &l);
        int k = l.side - 1;
        ok = (k == 0 || k == 1) && l.ratio_qty == 1 && !leg[k] && l.security_id > 0 &&
             l.security_id != MDP3_I32_NULL && l.security_id != m->security_id;
        if (ok)
            leg[k] = l.security_id;
    }
    if (!ok) {
        leg[0] = leg[1] = 0;
        f->st.unhandled++;
    }
}

void on_def54_56(struct feed *f, const struct mdp3_msg *msg)
{
    union def_msg u;
    struct def_common c;
    int depth;
    long ii = def_read(f, msg, &u, &c, &depth);
    if (ii < 0)
        return;
    struct inst *in = &f->inst[ii];
    struct gt_tick d;
    def_tick(f, (size_t)ii, &c, in->type, depth, &d);
    if (in->type == GT_INSTR_SPREAD) {
        def56_legs(f, &u.d56, in->leg);
        long li = in->leg[0] ? inst_get(f, in->leg[0], 0, false) : -1;
        if (li >= 0 && f->inst[li].has_def) /* a spread expires with its near leg */
            d.u.def.maturity = f->inst[li].def.u.def.maturity;
    } else {
        d.u.def.maturity = def54_maturity(&u.d54);
    }
    def_put(f, (size_t)ii, &d);
    if (in->type == GT_INSTR_SPREAD && in->leg[0]) {
        /* The legs record: the definition again, its tick size the legs. */
        struct gt_tick l = d;
        gt_def_legs_set(&l, in->leg[0], in->leg[1]);
        if (!in->has_legs || memcmp(&in->legs.u.def, &l.u.def, sizeof l.u.def) != 0)
            stage(f, (size_t)ii, &l);
        in->legs = l;
        in->has_legs = true;
    }
}

/* An index's product: the defined product whose name its symbol contains
 * (SDH100RT -> H100), else the symbol less "SD" and "RT". */
static void index_product(const struct feed *f, const char *sym, char out[GT_PRODUCT_LEN + 1])
{
    for (size_t ii = 0; ii < f->n_inst; ii++)
        if (f->inst[ii].type == GT_INSTR_FUTURE && f->inst[ii].product[0] &&
            strstr(sym, f->inst[ii].product)) {
            strcpy(out, f->inst[ii].product);
            return;
        }
    size_t n = strlen(sym);
    const char *p = sym;
    if (n > 2 && strncmp(p, "SD", 2) == 0)
        p += 2, n -= 2;
    if (n > 2 && strcmp(p + n - 2, "RT") == 0)
        n -= 2;
    if (n > GT_PRODUCT_LEN)
        n = GT_PRODUCT_LEN;
    memcpy(out, p, n);
    out[n] = 0;
}

/* The index instrument of a symbol (schema 5), created and named if new. */
static long index_get(struct feed *f, const char *raw_sym)
{
    char sym[51];
    trim_copy(sym, sizeof sym, raw_sym);
    if (!gt_topic_name_ok(sym, GT_SYMBOL_LEN))
        return -1;
    long ii = inst_get(f, gt_index_id(sym, strlen(sym)), GT_INSTR_INDEX, true);
    if (ii < 0)
        return -1;
    struct inst *in = &f->inst[ii];
    if (!in->symbol[0]) {
        strcpy(in->symbol, sym);
        index_product(f, sym, in->product);
        if (!gt_topic_name_ok(in->product, GT_PRODUCT_LEN))
            strcpy(in->product, "IDX");
        in->topics_ok = false;
    }
    return ii;
}

void on_def347(struct feed *f, const struct mdp3_msg *msg)
{
    struct mdp3_def347 m;
    long ii;
    if (mdp3_def347_decode(msg, &m) < 0 || (ii = index_get(f, m.symbol)) < 0) {
        f->st.malformed++;
        return;
    }
    struct inst *in = &f->inst[ii];
    struct gt_tick d;
    tick_init(&d, in, GT_KIND_DEF, in->last_ns, f->recv_ns);
    d.u.def.type = GT_INSTR_INDEX;
    memcpy(d.u.def.product, in->product, strlen(in->product));
    memcpy(d.u.def.symbol, in->symbol, strlen(in->symbol));
    def_put(f, (size_t)ii, &d);
}

void on_idx348(struct feed *f, const struct mdp3_msg *msg)
{
    struct mdp3_idx348 m;
    if (mdp3_idx348_decode(msg, &m) < 0) {
        f->st.malformed++;
        return;
    }
    for (size_t i = 0; i < m.entries.n; i++) {
        struct mdp3_idx348_entry e;
        mdp3_idx348_entry(&m, i, &e);
        int64_t px;
        long ii = index_get(f, e.symbol);
        if (ii < 0 || mdp3_dec64_to_px(e.px, &px) < 0) {
            f->st.malformed++;
            continue;
        }
        struct inst *in = &f->inst[ii];
        /* A periodic repeat of the value held is not republished, unless the
         * index is stale: the channel repeats each index's latest value, so
         * a repeat of ours says nothing newer was lost (its recovery). */
        bool repeat = in->idx_rpt && e.rpt_seq <= in->idx_rpt;
        if (repeat && (e.rpt_seq < in->idx_rpt || in->state != I_STALE_IDX))
            continue;
        if (in->state == I_STALE_IDX) {
            in->state = I_LIVE;
            if (f->st.n_stale)
                f->st.n_stale--;
            f->st.recovered_incr++;
            stage_status(f, (size_t)ii, GT_FEED_RECOVERED, GT_CAUSE_INCREMENTAL, 0, 0);
        }
        in->idx_rpt = e.rpt_seq;
        struct gt_tick t;
        tick_init(&t, in, GT_KIND_FIXING, (int64_t)m.transact_time_ns, f->recv_ns);
        t.flags = repeat ? GT_F_RECOVERY : 0;
        uint32_t date =
            e.entry_date == MDP3_I32_NULL || e.entry_date < 19000101 || e.entry_date > 99991231
                ? 0
                : (uint32_t)e.entry_date;
        t.u.fixing = (struct gt_fixing){.px = px,
                                        .date = date,
                                        .code = e.entry_code == MDP3_U8_NULL ? 0 : e.entry_code,
                                        .entry_type = (uint8_t)e.entry_type,
                                        .rpt_seq = e.rpt_seq};
        stage(f, (size_t)ii, &t);
        in->fixing = t;
        in->has_fixing = true;
    }
}
