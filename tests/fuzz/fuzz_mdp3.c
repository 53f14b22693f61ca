/* SPDX-License-Identifier: MIT */
/* fuzz_mdp3.c -- the MDP 3.0 packet decoder on arbitrary bytes.
 *
 * The input is one UDP payload. Every message is framed and run through its
 * template's decoder, and every entry of every group is read through the
 * accessors (ASan sees any read outside the input). Invariants: each message
 * view lies inside the input and after the previous one; its body holds the
 * acting root block; each group view lies inside its message; a framing error
 * carries an offset inside the packet and sticks. For the templates the encoder
 * writes, decode -> encode -> decode gives the same values again (stable: the
 * encoder writes v13 layouts, so fields v9 lacks are null both times). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gputick/err.h"
#include "mdp3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_N = 255, ENC_CAP = 1 << 17 };

static uint8_t enc_buf[ENC_CAP];

static void must(bool ok)
{
    if (!ok)
        abort();
}

static void check_group(const struct mdp3_msg *msg, const struct mdp3_group *g)
{
    if (!g->n)
        return;
    must(g->p >= msg->body);
    must(g->p + (size_t)g->n * g->block_len <= msg->p + msg->len);
}

/* Frames the one message an encoder wrote into enc_buf. */
static void reframe(const struct mdp3_enc *e, struct mdp3_msg *msg)
{
    struct mdp3_pkt pkt;
    must(mdp3_pkt_init(&pkt, e->buf, e->len) == GT_OK);
    must(mdp3_pkt_next(&pkt, msg) == 1);
}

/* Decodes an "X" template's entries (and orders) into zeroed arrays. */
#define INCR_READ(acc, m, arr)                                                                     \
    do {                                                                                           \
        memset(arr, 0, sizeof arr);                                                                \
        for (size_t i_ = 0; i_ < (m)->entries.n; i_++)                                             \
            acc(m, i_, &arr[i_]);                                                                  \
    } while (0)

static struct mdp3_volume37_entry v37[2][MAX_N];
static struct mdp3_book46_entry b46[2][MAX_N];
static struct mdp3_book46_order o46[2][MAX_N];
static struct mdp3_trade48_entry t48[2][MAX_N];
static struct mdp3_trade48_order o48[2][MAX_N];
static struct mdp3_daily49_entry d49[2][MAX_N];
static struct mdp3_limits50_entry l50[2][MAX_N];
static struct mdp3_session51_entry s51[2][MAX_N];
static struct mdp3_snapshot52_entry n52[2][MAX_N];
static struct mdp3_reset4_entry r4[2][MAX_N];
static struct mdp3_orderbook47_entry b47[2][MAX_N];
static struct mdp3_snapshot53_entry n53[2][MAX_N];
static struct mdp3_def56_leg leg56[2][MAX_N];
static struct mdp3_def54_event ev56[MAX_N];
static struct mdp3_def54_feed_type ft56[MAX_N];
static uint32_t at56[MAX_N];
static struct mdp3_def54_lot_type_rule lr56[MAX_N];

static void read_orders46(const struct mdp3_incr *m, struct mdp3_book46_order *o)
{
    memset(o, 0, sizeof *o * MAX_N);
    for (size_t i = 0; i < m->orders.n; i++)
        mdp3_book46_order(m, i, &o[i]);
}

static void read_orders48(const struct mdp3_incr *m, struct mdp3_trade48_order *o)
{
    memset(o, 0, sizeof *o * MAX_N);
    for (size_t i = 0; i < m->orders.n; i++)
        mdp3_trade48_order(m, i, &o[i]);
}

/* The root fields of two decodes of an "X" template agree. */
static void same_incr(const struct mdp3_incr *a, const struct mdp3_incr *b)
{
    must(a->transact_time_ns == b->transact_time_ns && a->mei == b->mei);
    must(a->entries.n == b->entries.n && a->orders.n == b->orders.n);
}

static void msg_incr(const struct mdp3_msg *msg)
{
    struct mdp3_incr m, m2;
    struct mdp3_msg again;
    struct mdp3_enc e;
    mdp3_enc_init(&e, enc_buf, sizeof enc_buf, 1, 2);
    int rc;
    switch (msg->template_id) {
    case MDP3_T_VOLUME37:
        if (mdp3_volume37_decode(msg, &m) < 0)
            return;
        INCR_READ(mdp3_volume37_entry, &m, v37[0]);
        must(mdp3_enc_volume37(&e, &m, v37[0], m.entries.n) == GT_OK);
        reframe(&e, &again);
        must(mdp3_volume37_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_volume37_entry, &m2, v37[1]);
        must(!memcmp(v37[0], v37[1], sizeof v37[0]));
        break;
    case MDP3_T_BOOK46:
        if (mdp3_book46_decode(msg, &m) < 0)
            return;
        INCR_READ(mdp3_book46_entry, &m, b46[0]);
        read_orders46(&m, o46[0]);
        rc = mdp3_enc_book46(&e, &m, b46[0], m.entries.n, o46[0], m.orders.n);
        must(rc == GT_OK);
        reframe(&e, &again);
        must(mdp3_book46_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_book46_entry, &m2, b46[1]);
        read_orders46(&m2, o46[1]);
        must(!memcmp(b46[0], b46[1], sizeof b46[0]) && !memcmp(o46[0], o46[1], sizeof o46[0]));
        break;
    case MDP3_T_TRADE_SUMMARY48:
        if (mdp3_trade48_decode(msg, &m) < 0)
            return;
        INCR_READ(mdp3_trade48_entry, &m, t48[0]);
        read_orders48(&m, o48[0]);
        rc = mdp3_enc_trade48(&e, &m, t48[0], m.entries.n, o48[0], m.orders.n);
        must(rc == GT_OK);
        reframe(&e, &again);
        must(mdp3_trade48_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_trade48_entry, &m2, t48[1]);
        read_orders48(&m2, o48[1]);
        must(!memcmp(t48[0], t48[1], sizeof t48[0]) && !memcmp(o48[0], o48[1], sizeof o48[0]));
        break;
    case MDP3_T_DAILY_STATISTICS49:
        if (mdp3_daily49_decode(msg, &m) < 0)
            return;
        INCR_READ(mdp3_daily49_entry, &m, d49[0]);
        must(mdp3_enc_daily49(&e, &m, d49[0], m.entries.n) == GT_OK);
        reframe(&e, &again);
        must(mdp3_daily49_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_daily49_entry, &m2, d49[1]);
        must(!memcmp(d49[0], d49[1], sizeof d49[0]));
        break;
    case MDP3_T_LIMITS_BANDING50:
        if (mdp3_limits50_decode(msg, &m) < 0)
            return;
        INCR_READ(mdp3_limits50_entry, &m, l50[0]);
        must(mdp3_enc_limits50(&e, &m, l50[0], m.entries.n) == GT_OK);
        reframe(&e, &again);
        must(mdp3_limits50_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_limits50_entry, &m2, l50[1]);
        must(!memcmp(l50[0], l50[1], sizeof l50[0]));
        break;
    case MDP3_T_ORDER_BOOK47:
        if (mdp3_orderbook47_decode(msg, &m) < 0)
            return;
        INCR_READ(mdp3_orderbook47_entry, &m, b47[0]);
        must(mdp3_enc_orderbook47(&e, &m, b47[0], m.entries.n) == GT_OK);
        reframe(&e, &again);
        must(mdp3_orderbook47_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_orderbook47_entry, &m2, b47[1]);
        must(!memcmp(b47[0], b47[1], sizeof b47[0]));
        break;
    case MDP3_T_SESSION_STATISTICS51:
        if (mdp3_session51_decode(msg, &m) < 0)
            return;
        INCR_READ(mdp3_session51_entry, &m, s51[0]);
        must(mdp3_enc_session51(&e, &m, s51[0], m.entries.n) == GT_OK);
        reframe(&e, &again);
        must(mdp3_session51_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_session51_entry, &m2, s51[1]);
        must(!memcmp(s51[0], s51[1], sizeof s51[0]));
        break;
    default:
        return;
    }
    check_group(msg, &m.entries);
    check_group(msg, &m.orders);
    same_incr(&m, &m2);
}

static void msg_other(const struct mdp3_msg *msg)
{
    struct mdp3_enc e;
    struct mdp3_msg again;
    mdp3_enc_init(&e, enc_buf, sizeof enc_buf, 1, 2);
    if (msg->schema_id == MDP3_SCHEMA_MDP && msg->template_id == MDP3_T_CHANNEL_RESET4) {
        struct mdp3_reset4 m, m2;
        if (mdp3_reset4_decode(msg, &m) < 0)
            return;
        check_group(msg, &m.entries);
        INCR_READ(mdp3_reset4_entry, &m, r4[0]);
        must(mdp3_enc_reset4(&e, &m, r4[0], m.entries.n) == GT_OK);
        reframe(&e, &again);
        must(mdp3_reset4_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_reset4_entry, &m2, r4[1]);
        must(m.transact_time_ns == m2.transact_time_ns && m.mei == m2.mei);
        must(!memcmp(r4[0], r4[1], sizeof r4[0]));
    } else if (msg->schema_id == MDP3_SCHEMA_MDP && msg->template_id == MDP3_T_SECURITY_STATUS30) {
        struct mdp3_status30 m, m2;
        memset(&m, 0, sizeof m);
        memset(&m2, 0, sizeof m2);
        if (mdp3_status30_decode(msg, &m) < 0)
            return;
        /* char[6] fields end at their first NUL after a round trip, as strings do. */
        must(mdp3_enc_status30(&e, &m) == GT_OK);
        reframe(&e, &again);
        must(mdp3_status30_decode(&again, &m2) == GT_OK);
        must(m.transact_time_ns == m2.transact_time_ns && m.security_id == m2.security_id &&
             m.trade_date == m2.trade_date && m.mei == m2.mei &&
             m.trading_status == m2.trading_status && m.halt_reason == m2.halt_reason &&
             m.trading_event == m2.trading_event);
    } else if (msg->schema_id == MDP3_SCHEMA_MDP && msg->template_id == MDP3_T_SNAPSHOT52) {
        struct mdp3_snapshot52 m, m2;
        if (mdp3_snapshot52_decode(msg, &m) < 0)
            return;
        check_group(msg, &m.entries);
        memset(n52, 0, sizeof n52);
        for (size_t i = 0; i < m.entries.n; i++)
            mdp3_snapshot52_entry(&m, i, &n52[0][i]);
        must(mdp3_enc_snapshot52(&e, &m, n52[0], m.entries.n) == GT_OK);
        reframe(&e, &again);
        must(mdp3_snapshot52_decode(&again, &m2) == GT_OK);
        for (size_t i = 0; i < m2.entries.n; i++)
            mdp3_snapshot52_entry(&m2, i, &n52[1][i]);
        must(!memcmp(n52[0], n52[1], sizeof n52[0]));
        must(m.security_id == m2.security_id && m.rpt_seq == m2.rpt_seq &&
             m.high_limit_px == m2.high_limit_px && m.entries.n == m2.entries.n);
    } else if (msg->schema_id == MDP3_SCHEMA_MDP &&
               msg->template_id == MDP3_T_DEFINITION_FUTURE54) {
        struct mdp3_def54 m;
        if (mdp3_def54_decode(msg, &m) < 0)
            return;
        check_group(msg, &m.events);
        check_group(msg, &m.feed_types);
        check_group(msg, &m.inst_attribs);
        check_group(msg, &m.lot_type_rules);
        struct mdp3_def54_event ev;
        struct mdp3_def54_feed_type ft;
        struct mdp3_def54_lot_type_rule lr;
        for (size_t i = 0; i < m.events.n; i++)
            mdp3_def54_event(&m, i, &ev);
        for (size_t i = 0; i < m.feed_types.n; i++)
            mdp3_def54_feed_type(&m, i, &ft);
        for (size_t i = 0; i < m.inst_attribs.n; i++)
            (void)mdp3_def54_inst_attrib(&m, i);
        for (size_t i = 0; i < m.lot_type_rules.n; i++)
            mdp3_def54_lot_type_rule(&m, i, &lr);
    } else if (msg->schema_id == MDP3_SCHEMA_MDP &&
               msg->template_id == MDP3_T_SNAPSHOT_ORDER_BOOK53) {
        struct mdp3_snapshot53 m, m2;
        if (mdp3_snapshot53_decode(msg, &m) < 0)
            return;
        check_group(msg, &m.entries);
        INCR_READ(mdp3_snapshot53_entry, &m, n53[0]);
        must(mdp3_enc_snapshot53(&e, &m, n53[0], m.entries.n) == GT_OK);
        reframe(&e, &again);
        must(mdp3_snapshot53_decode(&again, &m2) == GT_OK);
        INCR_READ(mdp3_snapshot53_entry, &m2, n53[1]);
        must(!memcmp(n53[0], n53[1], sizeof n53[0]));
        must(m.last_msg_seq_num_processed == m2.last_msg_seq_num_processed &&
             m.security_id == m2.security_id && m.no_chunks == m2.no_chunks &&
             m.current_chunk == m2.current_chunk && m.transact_time_ns == m2.transact_time_ns);
    } else if (msg->schema_id == MDP3_SCHEMA_MDP &&
               msg->template_id == MDP3_T_DEFINITION_SPREAD56) {
        struct mdp3_def56 m, m2;
        if (mdp3_def56_decode(msg, &m) < 0)
            return;
        check_group(msg, &m.events);
        check_group(msg, &m.feed_types);
        check_group(msg, &m.inst_attribs);
        check_group(msg, &m.lot_type_rules);
        check_group(msg, &m.legs);
        for (size_t i = 0; i < m.events.n; i++)
            mdp3_def56_event(&m, i, &ev56[i]);
        for (size_t i = 0; i < m.feed_types.n; i++)
            mdp3_def56_feed_type(&m, i, &ft56[i]);
        for (size_t i = 0; i < m.inst_attribs.n; i++)
            at56[i] = mdp3_def56_inst_attrib(&m, i);
        for (size_t i = 0; i < m.lot_type_rules.n; i++)
            mdp3_def56_lot_type_rule(&m, i, &lr56[i]);
        memset(leg56, 0, sizeof leg56);
        for (size_t i = 0; i < m.legs.n; i++)
            mdp3_def56_leg(&m, i, &leg56[0][i]);
        /* Five groups of up to 255 entries may not fit one message: then GT_EINVAL. */
        int rc = mdp3_enc_def56(&e, &m, ev56, m.events.n, ft56, m.feed_types.n, at56,
                                m.inst_attribs.n, lr56, m.lot_type_rules.n, leg56[0], m.legs.n);
        if (rc == GT_EINVAL)
            return;
        must(rc == GT_OK);
        reframe(&e, &again);
        must(mdp3_def56_decode(&again, &m2) == GT_OK);
        for (size_t i = 0; i < m2.legs.n; i++)
            mdp3_def56_leg(&m2, i, &leg56[1][i]);
        must(m.legs.n == m2.legs.n && !memcmp(leg56[0], leg56[1], sizeof leg56[0]));
        must(m.security_id == m2.security_id && m.price_ratio_px == m2.price_ratio_px &&
             m.trading_ref_date == m2.trading_ref_date && m.events.n == m2.events.n &&
             m.lot_type_rules.n == m2.lot_type_rules.n);
    } else if (msg->schema_id == MDP3_SCHEMA_INDICES &&
               msg->template_id == MDP3_T_DEFINITION_INDICES347) {
        struct mdp3_def347 m;
        if (mdp3_def347_decode(msg, &m) < 0)
            return;
        check_group(msg, &m.inst_attribs);
        check_group(msg, &m.events);
        struct mdp3_def347_inst_attrib a;
        struct mdp3_def54_event ev;
        for (size_t i = 0; i < m.inst_attribs.n; i++)
            mdp3_def347_inst_attrib(&m, i, &a);
        for (size_t i = 0; i < m.events.n; i++)
            mdp3_def347_event(&m, i, &ev);
    } else if (msg->schema_id == MDP3_SCHEMA_INDICES && msg->template_id == MDP3_T_INDICES348) {
        struct mdp3_idx348 m;
        if (mdp3_idx348_decode(msg, &m) < 0)
            return;
        check_group(msg, &m.entries);
        struct mdp3_idx348_entry x;
        int64_t px;
        for (size_t i = 0; i < m.entries.n; i++) {
            mdp3_idx348_entry(&m, i, &x);
            (void)mdp3_dec64_to_px(x.px, &px);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mdp3_pkt pkt;
    if (mdp3_pkt_init(&pkt, data, size) < 0) {
        must(size < MDP3_PKT_HDR_LEN);
        return 0;
    }
    struct mdp3_msg msg;
    const uint8_t *prev_end = data + MDP3_PKT_HDR_LEN;
    int rc, n = 0;
    while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0) {
        must(++n <= (int)(size / MDP3_MSG_HDR_LEN));
        must(msg.p == prev_end && msg.p + msg.len <= data + size);
        must(msg.len >= MDP3_MSG_HDR_LEN && msg.block_len <= msg.body_len);
        must(msg.body == msg.p + MDP3_MSG_HDR_LEN);
        prev_end = msg.p + msg.len;
        if (msg.schema_id == MDP3_SCHEMA_MDP && msg.template_id != MDP3_T_CHANNEL_RESET4 &&
            msg.template_id != MDP3_T_SECURITY_STATUS30 && msg.template_id != MDP3_T_SNAPSHOT52 &&
            msg.template_id != MDP3_T_DEFINITION_FUTURE54 &&
            msg.template_id != MDP3_T_SNAPSHOT_ORDER_BOOK53 &&
            msg.template_id != MDP3_T_DEFINITION_SPREAD56)
            msg_incr(&msg);
        else
            msg_other(&msg);
    }
    if (rc < 0) {
        must(rc == GT_ETRUNC || rc == GT_EBADMSG);
        must(pkt.err_off == (size_t)(prev_end - data) && pkt.err_off < size);
        must(mdp3_pkt_next(&pkt, &msg) == rc); /* the error sticks */
    } else {
        must(prev_end == data + size);
    }
    return 0;
}
