/* SPDX-License-Identifier: MIT */
/* emit.c -- market events into MDP 3.0 packets; see emit.h.
 *
 * The incremental packet stays open for the length of one event: runs of
 * entries are encoded into it, and when a message does not fit the packet is
 * sent and a new one begun (so events span packets), or, in an empty packet,
 * the run is halved. Side feeds (snapshot, definitions, index) are built in
 * their own buffer the same way by side_loop(). Snapshot and definition loops
 * number their packets from 1 in each cycle, as CME's recovery loops do; the
 * incremental and index feeds count from 1 for the whole run. */
#include "emit.h"
#include <stdio.h>
#include <string.h>
#include "gputick/err.h"
#include "gputick/time.h"

void emit_config_default(struct emit_config *c)
{
    struct gt_channels ch = GT_CHANNELS_DEFAULT;
    memset(c, 0, sizeof *c);
    c->appl_id = ch.channel_id;
    c->snap_every_ns = 30 * GT_NS_PER_SEC;
    c->def_every_ns = 60 * GT_NS_PER_SEC;
    c->index_repeat_ns = 15 * GT_NS_PER_SEC;
    c->heartbeat_ns = 30 * GT_NS_PER_SEC;
    for (int k = 0; k < 2; k++) {
        c->line[k].burst_mean = 1;
        c->line[k].hold_ns = 1000000; /* a held packet waits 1 ms at most */
    }
}

static void out_line(struct emit *e, int feed, int64_t t_ns, const uint8_t *p, size_t len)
{
    e->st.n_pkts[feed]++;
    e->sink(e->ctx, feed, t_ns, p, len);
}
static void out_a(void *ctx, int64_t t_ns, const uint8_t *p, size_t len)
{
    out_line(ctx, GT_FEED_INCR_A, t_ns, p, len);
}
static void out_b(void *ctx, int64_t t_ns, const uint8_t *p, size_t len)
{
    out_line(ctx, GT_FEED_INCR_B, t_ns, p, len);
}

int emit_init(struct emit *e, const struct emit_config *c, struct market *m, uint64_t seed,
              emit_sink_fn *sink, void *ctx)
{
    memset(e, 0, sizeof *e);
    if (c->n_lose_seq < 0 || c->n_lose_seq > EMIT_LOSE_MAX ||
        !(c->common_loss_p >= 0 && c->common_loss_p <= 1) || c->snap_every_ns < 0 ||
        c->def_every_ns < 0 || c->index_repeat_ns < 0 || c->heartbeat_ns < 0)
        return GT_EINVAL;
    e->cfg = *c;
    e->m = m;
    e->sink = sink;
    e->ctx = ctx;
    market_rng_seed(e->rng, seed ^ 0x636f6d6d6f6e4c4fULL);
    int rc = fault_init(&e->line[0], &c->line[0], seed ^ 0x4c696e6541ULL, out_a, e);
    if (rc == GT_OK)
        rc = fault_init(&e->line[1], &c->line[1], seed ^ 0x4c696e6542ULL, out_b, e);
    if (rc != GT_OK)
        emit_fini(e);
    return rc;
}

void emit_fini(struct emit *e)
{
    fault_fini(&e->line[0]);
    fault_fini(&e->line[1]);
}

/* ---- incremental feed ---------------------------------------------------- */

/* Whether packet seq is lost on both lines: --lose-seq names it, or a loss
 * starts (--lose-both P) or goes on (a burst of mean length --lose-both-burst
 * N lasts one more packet with probability 1 - 1/N). With N <= 1 no extra draw
 * is made, so a seed's bytes do not depend on the option being given. */
static bool common_lost(struct emit *e, uint32_t seq)
{
    bool lost;
    if (e->common_burst_on && e->cfg.common_burst > 1)
        lost = market_rng_unit(e->rng) < 1.0 - 1.0 / e->cfg.common_burst;
    else
        lost = market_rng_unit(e->rng) < e->cfg.common_loss_p;
    e->common_burst_on = lost;
    for (int k = 0; k < e->cfg.n_lose_seq; k++)
        lost |= e->cfg.lose_seq[k] == seq;
    return lost;
}

static void incr_open(struct emit *e, int64_t t_ns)
{
    e->pkt_first = e->pkt_end;
    mdp3_enc_init(&e->enc, e->buf, sizeof e->buf, e->seq[GT_FEED_INCR_A] + 1, (uint64_t)t_ns);
    e->enc_t_ns = t_ns;
}

/* Sends the open packet if it holds a message, and opens the next one. */
static void incr_flush(struct emit *e)
{
    size_t len = mdp3_enc_len(&e->enc);
    if (len <= MDP3_PKT_HDR_LEN)
        return;
    uint32_t seq = ++e->seq[GT_FEED_INCR_A];
    e->seq[GT_FEED_INCR_B] = seq;
    bool lost = common_lost(e, seq);
    if (lost) {
        e->st.n_common_runs += e->st.n_common_lost == 0 || e->common_last_seq != seq - 1;
        e->common_last_seq = seq;
        e->st.n_common_lost++;
    } else {
        int a = fault_push(&e->line[0], e->enc_t_ns, e->buf, len);
        int b = fault_push(&e->line[1], e->enc_t_ns, e->buf, len);
        lost = a == 1 && b == 1;
        e->st.n_both_dropped += lost;
    }
    /* The entries of the current event that rode in this packet. */
    for (int k = e->pkt_first; k < e->pkt_end; k++) {
        e->ev_seq[k] = seq;
        e->ev_lost[k] = lost;
    }
    e->pkt_first = e->pkt_end;
    e->next_hb_ns = e->cfg.heartbeat_ns ? e->enc_t_ns + e->cfg.heartbeat_ns : INT64_MAX;
    incr_open(e, e->enc_t_ns);
}

static uint16_t day_of_ns(int64_t t_ns)
{
    return (uint16_t)(t_ns / GT_NS_PER_DAY);
}

/* Encodes entries es[0..n) of one kind as one message. */
static int incr_encode(struct emit *e, int64_t t_ns, uint8_t mei, const struct market_entry *es,
                       int n)
{
    const struct market *m = e->m;
    struct mdp3_incr root = {.transact_time_ns = (uint64_t)t_ns, .mei = mei};
    union {
        struct mdp3_book46_entry b[MARKET_EV_MAX];
        struct mdp3_trade48_entry t[MARKET_EV_MAX];
        struct mdp3_volume37_entry v[MARKET_EV_MAX];
        struct mdp3_daily49_entry d[MARKET_EV_MAX];
        struct mdp3_session51_entry s[MARKET_EV_MAX];
    } u;
    size_t nn = (size_t)n;
    switch (es[0].kind) {
    case MK_BOOK:
        for (int k = 0; k < n; k++)
            u.b[k] = (struct mdp3_book46_entry){
                .px = es[k].px,
                .size = es[k].action == MDP3_ACT_DELETE ? 0 : es[k].qty,
                .security_id = es[k].security_id,
                .rpt_seq = es[k].rpt_seq,
                .n_orders = es[k].side == MDP3_ET_IMPLIED_BID || es[k].side == MDP3_ET_IMPLIED_OFFER
                                ? MDP3_I32_NULL
                            : es[k].action == MDP3_ACT_DELETE ? 0
                                                              : es[k].n_orders,
                .price_level = es[k].level,
                .update_action = es[k].action,
                .entry_type = es[k].side,
                .tradeable_size = MDP3_I32_NULL,
            };
        return mdp3_enc_book46(&e->enc, &root, u.b, nn, NULL, 0);
    case MK_TRADE:
        for (int k = 0; k < n; k++)
            u.t[k] = (struct mdp3_trade48_entry){
                .px = es[k].px,
                .size = es[k].qty,
                .security_id = es[k].security_id,
                .rpt_seq = es[k].rpt_seq,
                .n_orders = es[k].n_orders,
                .aggressor_side = es[k].aggressor,
                .update_action = es[k].action,
                .trade_entry_id = es[k].trade_id,
            };
        return mdp3_enc_trade48(&e->enc, &root, u.t, nn, NULL, 0);
    case MK_VOLUME:
        for (int k = 0; k < n; k++)
            u.v[k] = (struct mdp3_volume37_entry){
                .size = es[k].qty,
                .security_id = es[k].security_id,
                .rpt_seq = es[k].rpt_seq,
                .update_action = es[k].action,
            };
        return mdp3_enc_volume37(&e->enc, &root, u.v, nn);
    case MK_DSTAT:
        for (int k = 0; k < n; k++) {
            bool settle = es[k].stat == MDP3_ET_SETTLE;
            u.d[k] = (struct mdp3_daily49_entry){
                .px = settle ? es[k].px : MDP3_PX_NULL,
                .size = settle ? MDP3_I32_NULL : es[k].qty,
                .security_id = es[k].security_id,
                .rpt_seq = es[k].rpt_seq,
                .trading_ref_date = day_of_ns(t_ns),
                .settl_price_type = settle ? 0x03 : 0x80, /* Final|Actual, or null */
                .update_action = MDP3_ACT_NEW,
                .entry_type = es[k].stat,
            };
        }
        return mdp3_enc_daily49(&e->enc, &root, u.d, nn);
    case MK_SSTAT:
        for (int k = 0; k < n; k++)
            u.s[k] = (struct mdp3_session51_entry){
                .px = es[k].px,
                .security_id = es[k].security_id,
                .rpt_seq = es[k].rpt_seq,
                .open_close_settl_flag = es[k].stat == MDP3_ET_OPEN ? 0 : MDP3_U8_NULL,
                .update_action = MDP3_ACT_NEW,
                .entry_type = es[k].stat,
                .size = MDP3_I32_NULL,
            };
        return mdp3_enc_session51(&e->enc, &root, u.s, nn);
    case MK_STATUS: {
        const struct market_instr *in = &m->instr[es[0].instr];
        struct mdp3_status30 st;
        memset(&st, 0, sizeof st);
        st.transact_time_ns = (uint64_t)t_ns;
        memcpy(st.security_group, in->product, strlen(in->product));
        memcpy(st.asset, in->product, strlen(in->product));
        st.security_id = in->security_id;
        st.trade_date = day_of_ns(t_ns);
        st.mei = mei;
        st.trading_status = es[0].status;
        return mdp3_enc_status30(&e->enc, &st);
    }
    default:
        return GT_EINVAL;
    }
}

/* Encodes a run of one kind, flushing or splitting as the packet fills; mei
 * goes on the run's last message only. */
static int incr_run(struct emit *e, int64_t t_ns, uint8_t mei, const struct market_entry *es, int n,
                    int base)
{
    int a = 0;
    while (a < n) {
        int k = es[0].kind == MK_STATUS ? 1 : n - a; /* 30 has no group */
        for (;;) {
            int rc = incr_encode(e, t_ns, a + k == n ? mei : 0, es + a, k);
            if (rc == GT_OK)
                break;
            if (rc != GT_ETRUNC)
                return rc;
            if (mdp3_enc_len(&e->enc) > MDP3_PKT_HDR_LEN)
                incr_flush(e);
            else if (k > 1)
                k = (k + 1) / 2;
            else
                return GT_EINVAL;
        }
        e->st.n_msgs++;
        a += k;
        e->pkt_end = base + a;
    }
    return GT_OK;
}

static uint8_t mei_bit(int kind)
{
    switch (kind) {
    case MK_TRADE:
        return MDP3_MEI_LAST_TRADE;
    case MK_VOLUME:
        return MDP3_MEI_LAST_VOLUME;
    case MK_BOOK:
        return MDP3_MEI_LAST_QUOTE;
    case MK_DSTAT:
    case MK_SSTAT:
        return MDP3_MEI_LAST_STATS;
    default:
        return 0;
    }
}

/* Sends the incremental entries of ev as one event; extra is OR-ed into every
 * message's MEI (RecoveryMsg for a restatement). */
static int incr_event(struct emit *e, const struct market_event *ev, uint8_t extra)
{
    int last_of[8] = {-1, -1, -1, -1, -1, -1, -1, -1}, last = -1, last_implied = -1;
    for (int k = 0; k < ev->n; k++) {
        int kind = ev->e[k].kind == MK_SSTAT ? MK_DSTAT : ev->e[k].kind;
        if (kind != MK_INDEX) {
            last_of[kind] = k;
            last = k;
        }
        if (kind == MK_BOOK &&
            (ev->e[k].side == MDP3_ET_IMPLIED_BID || ev->e[k].side == MDP3_ET_IMPLIED_OFFER)) {
            last_implied = k;
            e->st.n_implied++;
        }
        e->st.n_leg_prints += kind == MK_TRADE && ev->e[k].leg_of;
    }
    memset(e->ev_seq, 0, sizeof e->ev_seq);
    memset(e->ev_lost, 0, sizeof e->ev_lost);
    if (last < 0)
        return GT_OK;
    e->pkt_end = 0;
    incr_open(e, ev->t_ns);
    int a = 0;
    while (a <= last) {
        if (ev->e[a].kind == MK_INDEX) {
            a++;
            continue;
        }
        int b = a + 1;
        while (b <= last && ev->e[b].kind == ev->e[a].kind)
            b++;
        int kind = ev->e[a].kind == MK_SSTAT ? MK_DSTAT : ev->e[a].kind;
        uint8_t mei = extra;
        if (last_of[kind] == b - 1)
            mei |= mei_bit(kind);
        /* Implied entries close their run (spread.h), so the run's last
         * message carries the event's last one. */
        if (a <= last_implied && last_implied < b)
            mei |= MDP3_MEI_LAST_IMPLIED;
        if (b - 1 == last)
            mei |= MDP3_MEI_END_OF_EVENT;
        int rc = incr_run(e, ev->t_ns, mei, ev->e + a, b - a, a);
        if (rc != GT_OK)
            return rc;
        a = b;
    }
    incr_flush(e);
    return GT_OK;
}

/* ---- side feeds: snapshot, definitions, index ---------------------------- */

/* Encodes item i of a loop into enc; GT_ETRUNC when it does not fit. */
typedef int side_put_fn(struct emit *e, struct mdp3_enc *enc, int i, int64_t t_ns);

/* Packs items 0..n) into packets on feed (and its B twin, feed + 1). With
 * restart the packet sequence starts at 1, as in a recovery loop. */
static int side_loop(struct emit *e, int feed, int64_t t_ns, int n, side_put_fn *put, bool restart)
{
    struct mdp3_enc enc;
    if (restart)
        e->seq[feed] = 0;
    mdp3_enc_init(&enc, e->side_buf, sizeof e->side_buf, e->seq[feed] + 1, (uint64_t)t_ns);
    for (int i = 0; i < n; i++) {
        int rc = put(e, &enc, i, t_ns);
        if (rc == GT_ETRUNC && mdp3_enc_len(&enc) > MDP3_PKT_HDR_LEN) {
            e->seq[feed + 1] = ++e->seq[feed];
            out_line(e, feed, t_ns, e->side_buf, mdp3_enc_len(&enc));
            out_line(e, feed + 1, t_ns, e->side_buf, mdp3_enc_len(&enc));
            mdp3_enc_init(&enc, e->side_buf, sizeof e->side_buf, e->seq[feed] + 1, (uint64_t)t_ns);
            rc = put(e, &enc, i, t_ns);
        }
        if (rc == 1)
            continue; /* nothing to say for this item */
        if (rc != GT_OK)
            return rc;
        e->st.n_msgs++;
    }
    if (mdp3_enc_len(&enc) > MDP3_PKT_HDR_LEN) {
        e->seq[feed + 1] = ++e->seq[feed];
        out_line(e, feed, t_ns, e->side_buf, mdp3_enc_len(&enc));
        out_line(e, feed + 1, t_ns, e->side_buf, mdp3_enc_len(&enc));
    }
    return GT_OK;
}

static int n_active(const struct market *m)
{
    int n = 0;
    for (int i = 0; i < MARKET_N_INSTR; i++)
        n += m->instr[i].rpt_seq > 0;
    return n;
}

static int put_snapshot(struct emit *e, struct mdp3_enc *enc, int i, int64_t t_ns)
{
    const struct market_instr *in = &e->m->instr[i];
    if (in->rpt_seq == 0)
        return 1;
    struct mdp3_snapshot52 s = {
        .last_msg_seq_num_processed = e->seq[GT_FEED_INCR_A],
        .tot_num_reports = (uint32_t)n_active(e->m),
        .security_id = in->security_id,
        .rpt_seq = in->rpt_seq,
        .transact_time_ns = (uint64_t)t_ns,
        .last_update_time_ns = (uint64_t)t_ns,
        .trade_date = day_of_ns(t_ns),
        .trading_status = in->status,
        .high_limit_px = MDP3_PX_NULL,
        .low_limit_px = MDP3_PX_NULL,
        .max_price_variation_px = MDP3_PX_NULL,
    };
    struct mdp3_snapshot52_entry es[2 * MARKET_DEPTH + 2 * MARKET_IMPLIED_DEPTH + 8];
    size_t n = 0;
    for (int side = 0; side < 2; side++) {
        const struct market_level *lv = side ? in->ask : in->bid;
        for (int k = 0; k < (side ? in->n_ask : in->n_bid) && k < MARKET_DEPTH; k++)
            es[n++] = (struct mdp3_snapshot52_entry){
                .px = lv[k].px,
                .size = lv[k].qty,
                .n_orders = lv[k].n_orders,
                .price_level = (int8_t)(k + 1),
                .trading_ref_date = MDP3_U16_NULL,
                .open_close_settl_flag = MDP3_U8_NULL,
                .settl_price_type = 0x80,
                .entry_type = side ? MDP3_ET_OFFER : MDP3_ET_BID,
            };
    }
    for (int side = 0; side < 2; side++) {
        const struct market_level *lv = side ? in->iask : in->ibid;
        for (int k = 0; k < (side ? in->n_iask : in->n_ibid); k++)
            es[n++] = (struct mdp3_snapshot52_entry){
                .px = lv[k].px,
                .size = lv[k].qty,
                .n_orders = MDP3_I32_NULL,
                .price_level = (int8_t)(k + 1),
                .trading_ref_date = MDP3_U16_NULL,
                .open_close_settl_flag = MDP3_U8_NULL,
                .settl_price_type = 0x80,
                .entry_type = side ? MDP3_ET_IMPLIED_OFFER : MDP3_ET_IMPLIED_BID,
            };
    }
    struct {
        char type;
        int64_t px;
        int32_t qty;
        bool set; /* a spread's open, high or low may be 0 */
    } st[] = {
        {MDP3_ET_OPEN, in->open_px, MDP3_I32_NULL, in->has_open},
        {MDP3_ET_HIGH, in->high_px, MDP3_I32_NULL, in->has_open},
        {MDP3_ET_LOW, in->low_px, MDP3_I32_NULL, in->has_open},
        {MDP3_ET_SETTLE, in->settle_px, MDP3_I32_NULL, in->settle_px != 0},
        {MDP3_ET_ELECTRONIC_VOLUME, MDP3_PX_NULL, in->volume, in->volume != 0},
    };
    for (size_t k = 0; k < sizeof st / sizeof st[0]; k++) {
        if (!st[k].set)
            continue;
        es[n++] = (struct mdp3_snapshot52_entry){
            .px = st[k].px,
            .size = st[k].qty,
            .n_orders = MDP3_I32_NULL,
            .price_level = MDP3_I8_NULL,
            .trading_ref_date = st[k].type == MDP3_ET_SETTLE ? day_of_ns(t_ns) : MDP3_U16_NULL,
            .open_close_settl_flag = st[k].type == MDP3_ET_OPEN ? 0 : MDP3_U8_NULL,
            .settl_price_type = st[k].type == MDP3_ET_SETTLE ? 0x03 : 0x80,
            .entry_type = st[k].type,
        };
    }
    return mdp3_enc_snapshot52(enc, &s, es, n);
}

static void copy_str(char *dst, const char *src)
{
    memcpy(dst, src, strlen(src));
}

/* Book depths: GBX (outright orders) and GBI (implied). */
static const struct mdp3_def54_feed_type feed_types[2] = {
    {.md_feed_type = "GBX", .market_depth = MARKET_DEPTH},
    {.md_feed_type = "GBI", .market_depth = MARKET_IMPLIED_DEPTH},
};

/* The fields 54 and 56 share (MDP3_DEF_HEAD) of instrument i, into a zeroed d. */
static void def_head(struct emit *e, int i, int64_t t_ns, struct mdp3_def54 *d)
{
    const struct market_instr *in = &e->m->instr[i];
    memset(d, 0, sizeof *d);
    d->mei = MDP3_MEI_END_OF_EVENT;
    d->tot_num_reports = MARKET_N_INSTR;
    d->security_update_action = 'A';
    d->last_update_time_ns = (uint64_t)t_ns;
    d->trading_status = in->status;
    d->appl_id = (int16_t)e->cfg.appl_id;
    d->market_segment_id = 1;
    d->underlying_product = MDP3_U8_NULL;
    copy_str(d->security_exchange, "XCME");
    copy_str(d->security_group, in->product);
    copy_str(d->asset, in->product);
    copy_str(d->symbol, in->symbol);
    d->security_id = in->security_id;
    copy_str(d->security_type, "FUT");
    copy_str(d->cfi_code, in->spread ? "FMIXSX" : "FCEPSX");
    d->maturity_year = (uint16_t)in->year;
    d->maturity_month = (uint8_t)in->month;
    d->maturity_day = MDP3_U8_NULL;
    d->maturity_week = MDP3_U8_NULL;
    copy_str(d->currency, "USD");
}

static int put_def54(struct emit *e, struct mdp3_enc *enc, int i, int64_t t_ns)
{
    const struct market *m = e->m;
    const struct market_instr *in = &m->instr[i];
    struct mdp3_def54 d;
    def_head(e, i, t_ns, &d);
    copy_str(d.settl_currency, "USD");
    d.match_algorithm = 'F';
    d.min_trade_vol = 1;
    d.max_trade_vol = 1000;
    d.min_price_increment_px = m->cfg.tick_px;
    d.display_factor = 1000000000; /* prices are $ per GPU-hour as sent */
    d.main_fraction = d.sub_fraction = d.price_display_format = MDP3_U8_NULL;
    copy_str(d.unit_of_measure, "GPUh");
    d.unit_of_measure_qty = (int64_t)m->cfg.unit_gpuh * 1000000000;
    d.trading_ref_px = in->settle_px ? in->settle_px : MDP3_PX_NULL;
    d.settl_price_type = in->settle_px ? 0x03 : 0x80;
    d.open_interest_qty = in->open_interest;
    d.cleared_volume = MDP3_I32_NULL;
    d.high_limit_px = d.low_limit_px = d.max_price_variation_px = MDP3_PX_NULL;
    d.decay_quantity = MDP3_I32_NULL;
    d.decay_start_date = MDP3_U16_NULL;
    d.original_contract_size = MDP3_I32_NULL;
    d.contract_multiplier = m->cfg.unit_gpuh;
    d.contract_multiplier_unit = MDP3_I8_NULL;
    d.flow_schedule_type = MDP3_I8_NULL;
    d.min_price_increment_amount_px = m->cfg.tick_px * m->cfg.unit_gpuh;
    d.user_defined_instrument = 'N';
    d.trading_ref_date = in->settle_px ? day_of_ns(t_ns) : MDP3_U16_NULL;
    d.instrument_guid = MDP3_U64_NULL;
    struct mdp3_def54_event evs[2] = {{5, (uint64_t)in->activation_ns},
                                      {7, (uint64_t)in->last_trade_ns}};
    return mdp3_enc_def54(enc, &d, evs, 2, feed_types, 2, NULL, 0, NULL, 0);
}

/* A calendar spread's MDInstrumentDefinitionSpread56: SecurityType FUT,
 * SecuritySubType SP, buy one near leg, sell one far leg. */
static int put_def56(struct emit *e, struct mdp3_enc *enc, int i, int64_t t_ns)
{
    const struct market *m = e->m;
    const struct market_instr *in = &m->instr[i];
    struct mdp3_def54 head;
    struct mdp3_def56 d;
    def_head(e, i, t_ns, &head);
    memset(&d, 0, sizeof d);
#define HEAD_COPY(f, key, off, n, kind, since) memcpy(&d.f, &head.f, sizeof d.f);
    MDP3_DEF_HEAD(HEAD_COPY, U8)
#undef HEAD_COPY
    copy_str(d.security_sub_type, "SP");
    d.user_defined_instrument = 'N';
    d.match_algorithm = 'F';
    d.min_trade_vol = 1;
    d.max_trade_vol = 1000;
    d.min_price_increment_px = m->cfg.tick_px;
    d.display_factor = 1000000000;
    d.price_display_format = MDP3_U8_NULL;
    d.price_ratio_px = MDP3_PX_NULL;
    d.tick_rule = MDP3_I8_NULL;
    copy_str(d.unit_of_measure, "GPUh");
    d.trading_ref_px = MDP3_PX_NULL;
    d.settl_price_type = 0x80;
    d.open_interest_qty = MDP3_I32_NULL;
    d.cleared_volume = MDP3_I32_NULL;
    d.high_limit_px = d.low_limit_px = d.max_price_variation_px = MDP3_PX_NULL;
    d.main_fraction = d.sub_fraction = MDP3_U8_NULL;
    d.trading_ref_date = MDP3_U16_NULL;
    copy_str(d.price_quote_method, "STD");
    d.instrument_guid = MDP3_U64_NULL;
    snprintf(d.full_name, sizeof d.full_name, "%s calendar spread", in->product);
    struct mdp3_def54_event evs[2] = {{5, (uint64_t)in->activation_ns},
                                      {7, (uint64_t)in->last_trade_ns}};
    struct mdp3_def56_leg legs[2];
    for (int k = 0; k < 2; k++)
        legs[k] = (struct mdp3_def56_leg){
            .security_id = m->instr[in->leg[k]].security_id,
            .side = (uint8_t)(k + 1), /* 1 buy the near, 2 sell the far */
            .ratio_qty = 1,
            .px = MDP3_PX_NULL,
            .option_delta = MDP3_I32_NULL,
        };
    return mdp3_enc_def56(enc, &d, evs, 2, feed_types, 2, NULL, 0, NULL, 0, legs, 2);
}

/* The definition loop: outrights (54), then spreads (56). */
static int put_def(struct emit *e, struct mdp3_enc *enc, int i, int64_t t_ns)
{
    return e->m->instr[i].spread ? put_def56(e, enc, i, t_ns) : put_def54(e, enc, i, t_ns);
}

static int put_def347(struct emit *e, struct mdp3_enc *enc, int p, int64_t t_ns)
{
    (void)t_ns;
    struct mdp3_def347 d;
    memset(&d, 0, sizeof d);
    copy_str(d.symbol, market_index_name[p]);
    d.product = 7; /* Index */
    copy_str(d.security_exchange, "XCME");
    copy_str(d.currency, "USD");
    d.security_update_action = 'A';
    copy_str(d.md_feed_type, "GI");
    d.appl_id = (uint16_t)e->cfg.appl_id;
    struct mdp3_def347_inst_attrib at;
    memset(&at, 0, sizeof at);
    at.type = 0;
    snprintf(at.value, sizeof at.value, "%s GPU rental index, USD per GPU-hour (assumed)",
             market_product[p]);
    struct mdp3_def54_event ev = {5, (uint64_t)e->m->cfg.start_ns};
    return mdp3_enc_def347(enc, &d, &at, 1, &ev, 1);
}

/* Builds the 348 of index entries es[0..n). */
static int put_idx348(struct mdp3_enc *enc, int64_t t_ns, const struct mdp3_idx348_entry *es, int n)
{
    struct mdp3_idx348 r;
    memset(&r, 0, sizeof r);
    r.transact_time_ns = (uint64_t)t_ns;
    copy_str(r.md_feed_type, "GI");
    r.mei = MDP3_MEI_END_OF_EVENT;
    r.batch_total_messages = MDP3_U16_NULL;
    return mdp3_enc_idx348(enc, &r, es, (size_t)n);
}

static int put_repeat(struct emit *e, struct mdp3_enc *enc, int i, int64_t t_ns)
{
    (void)i;
    int n = 0;
    struct mdp3_idx348_entry es[MARKET_N_PRODUCTS];
    for (int p = 0; p < MARKET_N_PRODUCTS; p++)
        if (e->last_ix[p].rpt_seq)
            es[n++] = e->last_ix[p];
    return n ? put_idx348(enc, t_ns, es, n) : 1;
}

static int put_index(struct emit *e, struct mdp3_enc *enc, int i, int64_t t_ns)
{
    (void)i;
    struct mdp3_idx348_entry es[MARKET_N_PRODUCTS];
    int n = 0;
    for (int k = 0; k < e->cur_ev->n && n < MARKET_N_PRODUCTS; k++) {
        const struct market_entry *me = &e->cur_ev->e[k];
        if (me->kind != MK_INDEX)
            continue;
        struct mdp3_idx348_entry *x = &es[n++];
        memset(x, 0, sizeof *x);
        x->entry_type = MDP3_ET_INDEX_VALUE;
        x->rpt_seq = me->rpt_seq;
        x->px = (struct mdp3_dec64){me->px / 100000, -4};
        x->size = MDP3_U64_NULL;
        copy_str(x->symbol, market_index_name[me->instr]);
        x->open_close_settl_flag = MDP3_I8_NULL;
        x->yield = x->net_chg_prev_day = x->net_pct_chg = x->percent_trading =
            (struct mdp3_dec64){MDP3_PX_NULL, 0};
        x->entry_code = me->code;
        x->entry_date = (int32_t)gt_ymd_of_ns(t_ns);
        int64_t sod = (t_ns % GT_NS_PER_DAY) / GT_NS_PER_SEC;
        x->entry_time = (int32_t)(sod / 3600 * 10000 + sod / 60 % 60 * 100 + sod % 60);
        e->last_ix[me->instr] = *x;
    }
    return n ? put_idx348(enc, t_ns, es, n) : 1;
}

int emit_start(struct emit *e, int64_t t_ns)
{
    int rc = side_loop(e, GT_FEED_DEF_A, t_ns, MARKET_N_INSTR, put_def, true);
    if (rc == GT_OK)
        rc = side_loop(e, GT_FEED_INDEX_A, t_ns, MARKET_N_PRODUCTS, put_def347, false);
    e->next_snap_ns = e->cfg.snap_every_ns ? t_ns + e->cfg.snap_every_ns : INT64_MAX;
    e->next_def_ns = e->cfg.def_every_ns ? t_ns + e->cfg.def_every_ns : INT64_MAX;
    e->next_repeat_ns = e->cfg.index_repeat_ns ? t_ns + e->cfg.index_repeat_ns : INT64_MAX;
    e->next_hb_ns = e->cfg.heartbeat_ns ? t_ns + e->cfg.heartbeat_ns : INT64_MAX;
    return rc;
}

int emit_until(struct emit *e, int64_t t_ns)
{
    int rc = GT_OK;
    for (;;) {
        int64_t t = e->next_snap_ns;
        if (e->next_def_ns < t)
            t = e->next_def_ns;
        if (e->next_repeat_ns < t)
            t = e->next_repeat_ns;
        if (e->next_hb_ns < t)
            t = e->next_hb_ns;
        if (t > t_ns || rc != GT_OK)
            return rc;
        fault_drain(&e->line[0], t);
        fault_drain(&e->line[1], t);
        if (t == e->next_hb_ns) { /* incr_flush() schedules the next one */
            incr_open(e, t);
            rc = mdp3_enc_heartbeat12(&e->enc);
            e->st.n_msgs++;
            e->st.n_heartbeats++;
            incr_flush(e);
        } else if (t == e->next_snap_ns) {
            rc = side_loop(e, GT_FEED_SNAP_A, t, MARKET_N_INSTR, put_snapshot, true);
            e->next_snap_ns += e->cfg.snap_every_ns;
        } else if (t == e->next_def_ns) {
            rc = side_loop(e, GT_FEED_DEF_A, t, MARKET_N_INSTR, put_def, true);
            if (rc == GT_OK)
                rc = side_loop(e, GT_FEED_INDEX_A, t, MARKET_N_PRODUCTS, put_def347, false);
            e->next_def_ns += e->cfg.def_every_ns;
        } else {
            rc = side_loop(e, GT_FEED_INDEX_A, t, 1, put_repeat, false);
            e->next_repeat_ns += e->cfg.index_repeat_ns;
        }
    }
}

int emit_event(struct emit *e, const struct market_event *ev)
{
    int rc = incr_event(e, ev, 0);
    if (rc != GT_OK)
        return rc;
    e->cur_ev = ev;
    rc = side_loop(e, GT_FEED_INDEX_A, ev->t_ns, 1, put_index, false);
    e->cur_ev = NULL;
    return rc;
}

int emit_reset(struct emit *e)
{
    struct market_event *ev = &e->restate;
    int64_t t_ns = e->m->now_ns;
    incr_open(e, t_ns);
    struct mdp3_reset4 r = {.transact_time_ns = (uint64_t)t_ns, .mei = MDP3_MEI_END_OF_EVENT};
    struct mdp3_reset4_entry re = {(int16_t)e->cfg.appl_id};
    int rc = mdp3_enc_reset4(&e->enc, &r, &re, 1);
    if (rc != GT_OK)
        return rc;
    e->st.n_msgs++;
    incr_flush(e);
    market_reset(e->m);
    for (int i = 0; i < MARKET_N_INSTR && rc == GT_OK; i++) {
        market_restate(e->m, i, ev);
        rc = incr_event(e, ev, MDP3_MEI_RECOVERY);
    }
    return rc;
}

int emit_finish(struct emit *e, int64_t t_ns)
{
    fault_drain(&e->line[0], INT64_MAX);
    fault_drain(&e->line[1], INT64_MAX);
    if (!e->cfg.snap_every_ns)
        return GT_OK;
    return side_loop(e, GT_FEED_SNAP_A, t_ns, MARKET_N_INSTR, put_snapshot, true);
}
