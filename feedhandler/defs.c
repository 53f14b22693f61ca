/* SPDX-License-Identifier: MIT */
/* defs.c -- instrument definitions: MDInstrumentDefinitionFuture54 and the
 * index channel's definitions and values (templates 347 and 348) make or
 * rename instruments and stage a definition record when one is new or has
 * changed. */
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

void on_def54(struct feed *f, const struct mdp3_msg *msg)
{
    struct mdp3_def54 m;
    if (mdp3_def54_decode(msg, &m) < 0) {
        f->st.malformed++;
        return;
    }
    char sym[21], product[7];
    trim_copy(sym, sizeof sym, m.symbol);
    trim_copy(product, sizeof product, m.asset[0] ? m.asset : m.security_group);
    if (!gt_topic_name_ok(sym, GT_SYMBOL_LEN) || !gt_topic_name_ok(product, GT_PRODUCT_LEN)) {
        f->st.malformed++;
        return;
    }
    long ii = inst_get(f, m.security_id, GT_INSTR_FUTURE, true);
    if (ii < 0)
        return;
    struct inst *in = &f->inst[ii];
    strcpy(in->symbol, sym);
    strcpy(in->product, product);
    in->topics_ok = false;
    trim_copy(in->group, sizeof in->group, m.security_group);
    int depth = GT_BOOK_DEPTH;
    for (size_t i = 0; i < m.feed_types.n; i++) {
        struct mdp3_def54_feed_type ft;
        mdp3_def54_feed_type(&m, i, &ft);
        if (memcmp(ft.md_feed_type, "GBX", 3) == 0 && ft.market_depth >= 1 &&
            ft.market_depth <= GT_BOOK_DEPTH)
            depth = ft.market_depth;
    }
    book_depth_set(&f->bs.books[ii], depth);
    uint32_t maturity = 0;
    for (size_t i = 0; i < m.events.n; i++) {
        struct mdp3_def54_event ev;
        mdp3_def54_event(&m, i, &ev);
        if (ev.event_type == 7 /* LastEligibleTradeDate */)
            maturity = gt_ymd_of_ns((int64_t)ev.event_time_ns);
    }
    if (!maturity && m.maturity_year != MDP3_U16_NULL && m.maturity_month != MDP3_U8_NULL)
        maturity = (uint32_t)m.maturity_year * 10000 + m.maturity_month * 100u +
                   (m.maturity_day == MDP3_U8_NULL ? 0 : m.maturity_day);
    struct gt_tick d;
    tick_init(&d, in, GT_KIND_DEF, (int64_t)m.last_update_time_ns, f->recv_ns);
    d.u.def.tick_px = m.min_price_increment_px;
    d.u.def.maturity = maturity;
    d.u.def.depth = (uint8_t)depth;
    d.u.def.type = GT_INSTR_FUTURE;
    memcpy(d.u.def.product, product, strlen(product));
    memcpy(d.u.def.symbol, sym, strlen(sym));
    def_put(f, (size_t)ii, &d);
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
