/* SPDX-License-Identifier: MIT */
/* mdp3.c -- CME MDP 3.0 SBE framing, decoders and encoder (contract in mdp3.h).
 *
 * Decoding checks once and then trusts: mdp3_pkt_next() frames a message by its
 * MsgSize and checks that the SBE header and the acting root block fit; each
 * mdp3_<t>_decode() checks the root's blockLength against the fields the template
 * requires and walks its group dimensions, checking blockLength x numInGroup
 * against MsgSize, and records each group as a view. The entry accessors then
 * read fixed offsets with ld_le*(); a field past the acting blockLength, or newer
 * than the header's version, reads as its null value (SBE's extension rules).
 *
 * The encoder sizes a whole message before it writes a byte, so a message that
 * does not fit leaves the packet as it was and the caller starts the next one. */
#include "mdp3.h"

#include <stdbool.h>
#include <string.h>

#include "gputick/bytes.h"
#include "gputick/err.h"

/* ---- framing ------------------------------------------------------------ */

int mdp3_pkt_init(struct mdp3_pkt *pkt, const uint8_t *p, size_t len)
{
    memset(pkt, 0, sizeof *pkt);
    pkt->p = p;
    pkt->len = len;
    if (len < MDP3_PKT_HDR_LEN)
        return GT_ETRUNC;
    pkt->seq = ld_le32(p);
    pkt->sending_time_ns = ld_le64(p + 4);
    pkt->off = MDP3_PKT_HDR_LEN;
    return GT_OK;
}

static int pkt_fail(struct mdp3_pkt *pkt, int rc)
{
    pkt->err_off = pkt->off;
    pkt->err_rc = rc;
    return rc;
}

int mdp3_pkt_next(struct mdp3_pkt *pkt, struct mdp3_msg *msg)
{
    if (pkt->err_rc)
        return pkt->err_rc;
    if (pkt->off >= pkt->len)
        return 0;
    size_t rest = pkt->len - pkt->off;
    const uint8_t *p = pkt->p + pkt->off;
    if (rest < MDP3_MSG_HDR_LEN)
        return pkt_fail(pkt, GT_ETRUNC);
    size_t size = ld_le16(p);
    if (size < MDP3_MSG_HDR_LEN)
        return pkt_fail(pkt, GT_EBADMSG);
    if (size > rest)
        return pkt_fail(pkt, GT_ETRUNC);
    msg->p = p;
    msg->len = size;
    msg->off = pkt->off;
    msg->block_len = ld_le16(p + 2);
    msg->template_id = ld_le16(p + 4);
    msg->schema_id = ld_le16(p + 6);
    msg->version = ld_le16(p + 8);
    msg->body = p + MDP3_MSG_HDR_LEN;
    msg->body_len = size - MDP3_MSG_HDR_LEN;
    if (msg->block_len > msg->body_len)
        return pkt_fail(pkt, GT_EBADMSG);
    pkt->off += size;
    return 1;
}

/* ---- decoding helpers --------------------------------------------------- */

enum dim { DIM_3 = 3, DIM_8 = 8, DIM_ENC = 4 }; /* groupSize, groupSize8Byte, groupSizeEncoding */

/* Reads the dimension at *off of body and checks its entries fit; advances *off. */
static int grp_parse(const uint8_t *body, size_t len, size_t *off, enum dim dim, uint16_t min_block,
                     struct mdp3_group *g)
{
    if (len - *off < (size_t)dim)
        return GT_ETRUNC;
    const uint8_t *d = body + *off;
    g->block_len = ld_le16(d);
    g->n = dim == DIM_3 ? d[2] : dim == DIM_8 ? d[7] : ld_le16(d + 2);
    *off += dim;
    if (g->n && g->block_len < min_block)
        return GT_EBADMSG;
    size_t need = (size_t)g->block_len * g->n;
    if (len - *off < need)
        return GT_ETRUNC;
    g->p = body + *off;
    *off += need;
    return GT_OK;
}

/* Checks the template and schema and the acting root length; *off starts the groups. */
static int root_check(const struct mdp3_msg *msg, uint16_t schema, uint16_t tid, uint16_t min_block,
                      size_t *off)
{
    if (msg->schema_id != schema || msg->template_id != tid)
        return GT_EINVAL;
    if (msg->block_len < min_block)
        return GT_EBADMSG;
    *off = msg->block_len;
    return GT_OK;
}

/* A field of SIZE at OFF is present if the acting block holds it. */
#define HAS(bl, off, size) ((size_t)(off) + (size) <= (size_t)(bl))
#define ENTRY(g, i) ((g)->p + (size_t)(i) * (g)->block_len)

static void str_get(char *dst, const uint8_t *src, size_t n)
{
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static struct mdp3_dec64 dec64_get(const uint8_t *p)
{
    struct mdp3_dec64 d = {(int64_t)ld_le64(p), (int8_t)p[8]};
    return d;
}

int mdp3_dec64_to_px(struct mdp3_dec64 d, int64_t *px)
{
    if (d.mantissa == MDP3_PX_NULL) {
        *px = MDP3_PX_NULL;
        return GT_OK;
    }
    int k = d.exponent + 9;
    int64_t v = d.mantissa;
    if (k >= 0) {
        for (int i = 0; i < k; i++)
            if (__builtin_mul_overflow(v, 10, &v))
                return GT_EBADMSG;
    } else {
        for (int i = 0; i < -k && v; i++)
            v /= 10;
    }
    if (v == MDP3_PX_NULL)
        return GT_EBADMSG;
    *px = v;
    return GT_OK;
}

/* ---- templates ---------------------------------------------------------- */

int mdp3_reset4_decode(const struct mdp3_msg *msg, struct mdp3_reset4 *m)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_CHANNEL_RESET4, 9, &off);
    if (rc < 0)
        return rc;
    m->transact_time_ns = ld_le64(msg->body);
    m->mei = msg->body[8];
    return grp_parse(msg->body, msg->body_len, &off, DIM_3, 2, &m->entries);
}

void mdp3_reset4_entry(const struct mdp3_reset4 *m, size_t i, struct mdp3_reset4_entry *e)
{
    e->appl_id = (int16_t)ld_le16(ENTRY(&m->entries, i));
}

int mdp3_status30_decode(const struct mdp3_msg *msg, struct mdp3_status30 *m)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_SECURITY_STATUS30, 30, &off);
    if (rc < 0)
        return rc;
    const uint8_t *b = msg->body;
    m->transact_time_ns = ld_le64(b);
    str_get(m->security_group, b + 8, 6);
    str_get(m->asset, b + 14, 6);
    m->security_id = (int32_t)ld_le32(b + 20);
    m->trade_date = ld_le16(b + 24);
    m->mei = b[26];
    m->trading_status = b[27];
    m->halt_reason = b[28];
    m->trading_event = b[29];
    return GT_OK;
}

/* The "X" root shared by 37, 46, 48, 49, 51, and its one or two groups. */
static int incr_decode(const struct mdp3_msg *msg, uint16_t tid, uint16_t min_entry,
                       uint16_t min_order, struct mdp3_incr *m)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, tid, 9, &off);
    if (rc < 0)
        return rc;
    m->transact_time_ns = ld_le64(msg->body);
    m->mei = msg->body[8];
    m->version = msg->version;
    m->orders = (struct mdp3_group){msg->body + msg->body_len, 0, 0};
    rc = grp_parse(msg->body, msg->body_len, &off, DIM_3, min_entry, &m->entries);
    if (rc < 0 || !min_order)
        return rc;
    return grp_parse(msg->body, msg->body_len, &off, DIM_8, min_order, &m->orders);
}

int mdp3_volume37_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_VOLUME37, 13, 0, m);
}

void mdp3_volume37_entry(const struct mdp3_incr *m, size_t i, struct mdp3_volume37_entry *e)
{
    const uint8_t *p = ENTRY(&m->entries, i);
    e->size = (int32_t)ld_le32(p);
    e->security_id = (int32_t)ld_le32(p + 4);
    e->rpt_seq = ld_le32(p + 8);
    e->update_action = p[12];
}

int mdp3_book46_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_BOOK46, 27, 22, m);
}

void mdp3_book46_entry(const struct mdp3_incr *m, size_t i, struct mdp3_book46_entry *e)
{
    const uint8_t *p = ENTRY(&m->entries, i);
    e->px = (int64_t)ld_le64(p);
    e->size = (int32_t)ld_le32(p + 8);
    e->security_id = (int32_t)ld_le32(p + 12);
    e->rpt_seq = ld_le32(p + 16);
    e->n_orders = (int32_t)ld_le32(p + 20);
    e->price_level = p[24];
    e->update_action = p[25];
    e->entry_type = (char)p[26];
    /* TradeableSize (since v10) lies in what v9 calls padding: the version decides. */
    e->tradeable_size = m->version >= 10 && HAS(m->entries.block_len, 27, 4)
                            ? (int32_t)ld_le32(p + 27)
                            : MDP3_I32_NULL;
}

void mdp3_book46_order(const struct mdp3_incr *m, size_t i, struct mdp3_book46_order *o)
{
    const uint8_t *p = ENTRY(&m->orders, i);
    o->order_id = ld_le64(p);
    o->priority = ld_le64(p + 8);
    o->display_qty = (int32_t)ld_le32(p + 16);
    o->reference_id = p[20];
    o->order_update_action = p[21];
}

int mdp3_trade48_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_TRADE_SUMMARY48, 30, 12, m);
}

void mdp3_trade48_entry(const struct mdp3_incr *m, size_t i, struct mdp3_trade48_entry *e)
{
    const uint8_t *p = ENTRY(&m->entries, i);
    e->px = (int64_t)ld_le64(p);
    e->size = (int32_t)ld_le32(p + 8);
    e->security_id = (int32_t)ld_le32(p + 12);
    e->rpt_seq = ld_le32(p + 16);
    e->n_orders = (int32_t)ld_le32(p + 20);
    e->aggressor_side = p[24];
    e->update_action = p[25];
    e->trade_entry_id = ld_le32(p + 26);
}

void mdp3_trade48_order(const struct mdp3_incr *m, size_t i, struct mdp3_trade48_order *o)
{
    const uint8_t *p = ENTRY(&m->orders, i);
    o->order_id = ld_le64(p);
    o->last_qty = (int32_t)ld_le32(p + 8);
}

int mdp3_daily49_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_DAILY_STATISTICS49, 25, 0, m);
}

void mdp3_daily49_entry(const struct mdp3_incr *m, size_t i, struct mdp3_daily49_entry *e)
{
    const uint8_t *p = ENTRY(&m->entries, i);
    e->px = (int64_t)ld_le64(p);
    e->size = (int32_t)ld_le32(p + 8);
    e->security_id = (int32_t)ld_le32(p + 12);
    e->rpt_seq = ld_le32(p + 16);
    e->trading_ref_date = ld_le16(p + 20);
    e->settl_price_type = p[22];
    e->update_action = p[23];
    e->entry_type = (char)p[24];
}

int mdp3_limits50_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_LIMITS_BANDING50, 32, 0, m);
}

void mdp3_limits50_entry(const struct mdp3_incr *m, size_t i, struct mdp3_limits50_entry *e)
{
    const uint8_t *p = ENTRY(&m->entries, i);
    e->high_limit_px = (int64_t)ld_le64(p);
    e->low_limit_px = (int64_t)ld_le64(p + 8);
    e->max_price_variation_px = (int64_t)ld_le64(p + 16);
    e->security_id = (int32_t)ld_le32(p + 24);
    e->rpt_seq = ld_le32(p + 28);
}

int mdp3_session51_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_SESSION_STATISTICS51, 23, 0, m);
}

void mdp3_session51_entry(const struct mdp3_incr *m, size_t i, struct mdp3_session51_entry *e)
{
    const uint8_t *p = ENTRY(&m->entries, i);
    e->px = (int64_t)ld_le64(p);
    e->security_id = (int32_t)ld_le32(p + 8);
    e->rpt_seq = ld_le32(p + 12);
    e->open_close_settl_flag = p[16];
    e->update_action = p[17];
    e->entry_type = (char)p[18];
    e->size = (int32_t)ld_le32(p + 19);
}

int mdp3_snapshot52_decode(const struct mdp3_msg *msg, struct mdp3_snapshot52 *m)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_SNAPSHOT52, 59, &off);
    if (rc < 0)
        return rc;
    const uint8_t *b = msg->body;
    m->last_msg_seq_num_processed = ld_le32(b);
    m->tot_num_reports = ld_le32(b + 4);
    m->security_id = (int32_t)ld_le32(b + 8);
    m->rpt_seq = ld_le32(b + 12);
    m->transact_time_ns = ld_le64(b + 16);
    m->last_update_time_ns = ld_le64(b + 24);
    m->trade_date = ld_le16(b + 32);
    m->trading_status = b[34];
    m->high_limit_px = (int64_t)ld_le64(b + 35);
    m->low_limit_px = (int64_t)ld_le64(b + 43);
    m->max_price_variation_px = (int64_t)ld_le64(b + 51);
    return grp_parse(b, msg->body_len, &off, DIM_3, 22, &m->entries);
}

void mdp3_snapshot52_entry(const struct mdp3_snapshot52 *m, size_t i,
                           struct mdp3_snapshot52_entry *e)
{
    const uint8_t *p = ENTRY(&m->entries, i);
    e->px = (int64_t)ld_le64(p);
    e->size = (int32_t)ld_le32(p + 8);
    e->n_orders = (int32_t)ld_le32(p + 12);
    e->price_level = (int8_t)p[16];
    e->trading_ref_date = ld_le16(p + 17);
    e->open_close_settl_flag = p[19];
    e->settl_price_type = p[20];
    e->entry_type = (char)p[21];
}

int mdp3_def54_decode(const struct mdp3_msg *msg, struct mdp3_def54 *m)
{
    size_t off;
    int rc =
        root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_DEFINITION_FUTURE54, MDP3_DEF54_V9_ROOT_LEN, &off);
    if (rc < 0)
        return rc;
    const uint8_t *b = msg->body;
    m->mei = b[0];
    m->tot_num_reports = ld_le32(b + 1);
    m->security_update_action = (char)b[5];
    m->last_update_time_ns = ld_le64(b + 6);
    m->trading_status = b[14];
    m->appl_id = (int16_t)ld_le16(b + 15);
    m->market_segment_id = b[17];
    m->underlying_product = b[18];
    str_get(m->security_exchange, b + 19, 4);
    str_get(m->security_group, b + 23, 6);
    str_get(m->asset, b + 29, 6);
    str_get(m->symbol, b + 35, 20);
    m->security_id = (int32_t)ld_le32(b + 55);
    str_get(m->security_type, b + 59, 6);
    str_get(m->cfi_code, b + 65, 6);
    m->maturity_year = ld_le16(b + 71);
    m->maturity_month = b[73];
    m->maturity_day = b[74];
    m->maturity_week = b[75];
    str_get(m->currency, b + 76, 3);
    str_get(m->settl_currency, b + 79, 3);
    m->match_algorithm = (char)b[82];
    m->min_trade_vol = ld_le32(b + 83);
    m->max_trade_vol = ld_le32(b + 87);
    m->min_price_increment_px = (int64_t)ld_le64(b + 91);
    m->display_factor = (int64_t)ld_le64(b + 99);
    m->main_fraction = b[107];
    m->sub_fraction = b[108];
    m->price_display_format = b[109];
    str_get(m->unit_of_measure, b + 110, 30);
    m->unit_of_measure_qty = (int64_t)ld_le64(b + 140);
    m->trading_ref_px = (int64_t)ld_le64(b + 148);
    m->settl_price_type = b[156];
    m->open_interest_qty = (int32_t)ld_le32(b + 157);
    m->cleared_volume = (int32_t)ld_le32(b + 161);
    m->high_limit_px = (int64_t)ld_le64(b + 165);
    m->low_limit_px = (int64_t)ld_le64(b + 173);
    m->max_price_variation_px = (int64_t)ld_le64(b + 181);
    m->decay_quantity = (int32_t)ld_le32(b + 189);
    m->decay_start_date = ld_le16(b + 193);
    m->original_contract_size = (int32_t)ld_le32(b + 195);
    m->contract_multiplier = (int32_t)ld_le32(b + 199);
    m->contract_multiplier_unit = (int8_t)b[203];
    m->flow_schedule_type = (int8_t)b[204];
    m->min_price_increment_amount_px = (int64_t)ld_le64(b + 205);
    m->user_defined_instrument = (char)b[213];
    m->trading_ref_date = ld_le16(b + 214);
    m->instrument_guid =
        msg->version >= 10 && HAS(msg->block_len, 216, 8) ? ld_le64(b + 216) : MDP3_U64_NULL;
    size_t len = msg->body_len;
    if ((rc = grp_parse(b, len, &off, DIM_3, 9, &m->events)) < 0 ||
        (rc = grp_parse(b, len, &off, DIM_3, 4, &m->feed_types)) < 0 ||
        (rc = grp_parse(b, len, &off, DIM_3, 4, &m->inst_attribs)) < 0)
        return rc;
    return grp_parse(b, len, &off, DIM_3, 5, &m->lot_type_rules);
}

void mdp3_def54_event(const struct mdp3_def54 *m, size_t i, struct mdp3_def54_event *e)
{
    const uint8_t *p = ENTRY(&m->events, i);
    e->event_type = p[0];
    e->event_time_ns = ld_le64(p + 1);
}

void mdp3_def54_feed_type(const struct mdp3_def54 *m, size_t i, struct mdp3_def54_feed_type *f)
{
    const uint8_t *p = ENTRY(&m->feed_types, i);
    str_get(f->md_feed_type, p, 3);
    f->market_depth = (int8_t)p[3];
}

uint32_t mdp3_def54_inst_attrib(const struct mdp3_def54 *m, size_t i)
{
    return ld_le32(ENTRY(&m->inst_attribs, i));
}

void mdp3_def54_lot_type_rule(const struct mdp3_def54 *m, size_t i,
                              struct mdp3_def54_lot_type_rule *r)
{
    const uint8_t *p = ENTRY(&m->lot_type_rules, i);
    r->lot_type = (int8_t)p[0];
    r->min_lot_size = (int32_t)ld_le32(p + 1);
}

int mdp3_def347_decode(const struct mdp3_msg *msg, struct mdp3_def347 *m)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_INDICES, MDP3_T_DEFINITION_INDICES347, 61, &off);
    if (rc < 0)
        return rc;
    const uint8_t *b = msg->body;
    str_get(m->symbol, b, 50);
    m->product = (int8_t)b[50];
    str_get(m->security_exchange, b + 51, 4);
    str_get(m->currency, b + 55, 3);
    m->security_update_action = (char)b[58];
    str_get(m->md_feed_type, b + 59, 2);
    m->appl_id = msg->version >= 4 && HAS(msg->block_len, 61, 2) ? ld_le16(b + 61) : MDP3_U16_NULL;
    if ((rc = grp_parse(b, msg->body_len, &off, DIM_ENC, 101, &m->inst_attribs)) < 0)
        return rc;
    return grp_parse(b, msg->body_len, &off, DIM_ENC, 9, &m->events);
}

void mdp3_def347_inst_attrib(const struct mdp3_def347 *m, size_t i,
                             struct mdp3_def347_inst_attrib *a)
{
    const uint8_t *p = ENTRY(&m->inst_attribs, i);
    a->type = p[0];
    str_get(a->value, p + 1, 100);
}

void mdp3_def347_event(const struct mdp3_def347 *m, size_t i, struct mdp3_def54_event *e)
{
    const uint8_t *p = ENTRY(&m->events, i);
    e->event_type = p[0];
    e->event_time_ns = ld_le64(p + 1);
}

int mdp3_idx348_decode(const struct mdp3_msg *msg, struct mdp3_idx348 *m)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_INDICES, MDP3_T_INDICES348, 13, &off);
    if (rc < 0)
        return rc;
    const uint8_t *b = msg->body;
    m->transact_time_ns = ld_le64(b);
    str_get(m->md_feed_type, b + 8, 2);
    m->mei = b[10];
    m->batch_total_messages = ld_le16(b + 11);
    return grp_parse(b, msg->body_len, &off, DIM_3, 176, &m->entries);
}

void mdp3_idx348_entry(const struct mdp3_idx348 *m, size_t i, struct mdp3_idx348_entry *e)
{
    const uint8_t *p = ENTRY(&m->entries, i);
    e->entry_type = (char)p[0];
    e->rpt_seq = ld_le32(p + 1);
    e->px = dec64_get(p + 5);
    e->size = ld_le64(p + 14);
    str_get(e->symbol, p + 22, 50);
    e->open_close_settl_flag = (int8_t)p[72];
    str_get(e->yield_type, p + 73, 8);
    e->yield = dec64_get(p + 81);
    e->net_chg_prev_day = dec64_get(p + 90);
    e->net_pct_chg = dec64_get(p + 99);
    e->percent_trading = dec64_get(p + 108);
    e->entry_code = p[117];
    e->entry_date = (int32_t)ld_le32(p + 118);
    e->entry_time = (int32_t)ld_le32(p + 122);
    str_get(e->reference_id, p + 126, 50);
}

/* ---- encoder ------------------------------------------------------------ */

int mdp3_enc_init(struct mdp3_enc *e, uint8_t *buf, size_t cap, uint32_t seq,
                  uint64_t sending_time_ns)
{
    e->buf = buf;
    e->cap = cap;
    e->len = 0;
    if (cap < MDP3_PKT_HDR_LEN)
        return GT_ETRUNC;
    st_le32(buf, seq);
    st_le64(buf + 4, sending_time_ns);
    e->len = MDP3_PKT_HDR_LEN;
    return GT_OK;
}

size_t mdp3_enc_len(const struct mdp3_enc *e)
{
    return e->len;
}

/* One group to write: its dimension type, entry length and count. */
struct grp_spec {
    enum dim dim;
    uint16_t block_len;
    size_t n;
};

/* Sizes the message, checks it fits, writes MsgSize and the SBE header, zeroes the
 * rest and returns the body (root block) through *body. */
static int enc_begin(struct mdp3_enc *e, uint16_t schema, uint16_t tid, uint16_t block_len,
                     const struct grp_spec *g, size_t n_g, uint8_t **body)
{
    size_t size = MDP3_MSG_HDR_LEN + (size_t)block_len;
    for (size_t i = 0; i < n_g; i++) {
        if (g[i].n > (g[i].dim == DIM_ENC ? 65535u : 255u))
            return GT_EINVAL;
        size += g[i].dim + (size_t)g[i].block_len * g[i].n;
    }
    if (size > 65535)
        return GT_EINVAL;
    if (e->cap - e->len < size)
        return GT_ETRUNC;
    uint8_t *p = e->buf + e->len;
    memset(p, 0, size);
    st_le16(p, (uint16_t)size);
    st_le16(p + 2, block_len);
    st_le16(p + 4, tid);
    st_le16(p + 6, schema);
    st_le16(p + 8, schema == MDP3_SCHEMA_INDICES ? MDP3_INDICES_VERSION : MDP3_VERSION);
    e->len += size;
    *body = p + MDP3_MSG_HDR_LEN;
    return GT_OK;
}

/* Writes a group dimension at *p and returns where its first entry goes. */
static uint8_t *enc_dim(uint8_t *p, const struct grp_spec *g)
{
    st_le16(p, g->block_len);
    if (g->dim == DIM_3)
        p[2] = (uint8_t)g->n;
    else if (g->dim == DIM_8)
        p[7] = (uint8_t)g->n;
    else
        st_le16(p + 2, (uint16_t)g->n);
    return p + g->dim;
}

static void str_put(uint8_t *dst, const char *src, size_t n)
{
    memcpy(dst, src, n);
}

static void dec64_put(uint8_t *p, struct mdp3_dec64 d)
{
    st_le64(p, (uint64_t)d.mantissa);
    p[8] = (uint8_t)d.exponent;
}

static void x_root_put(uint8_t *b, const struct mdp3_incr *m)
{
    st_le64(b, m->transact_time_ns);
    b[8] = m->mei;
}

int mdp3_enc_reset4(struct mdp3_enc *e, const struct mdp3_reset4 *m,
                    const struct mdp3_reset4_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, 2, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_CHANNEL_RESET4, MDP3_RESET4_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    st_le64(b, m->transact_time_ns);
    b[8] = m->mei;
    uint8_t *p = enc_dim(b + MDP3_RESET4_ROOT_LEN, &g);
    for (size_t i = 0; i < n; i++, p += 2)
        st_le16(p, (uint16_t)ents[i].appl_id);
    return GT_OK;
}

int mdp3_enc_heartbeat12(struct mdp3_enc *e)
{
    uint8_t *b;
    return enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_ADMIN_HEARTBEAT12, 0, NULL, 0, &b);
}

int mdp3_enc_status30(struct mdp3_enc *e, const struct mdp3_status30 *m)
{
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_SECURITY_STATUS30, MDP3_STATUS30_ROOT_LEN, NULL,
                       0, &b);
    if (rc < 0)
        return rc;
    st_le64(b, m->transact_time_ns);
    str_put(b + 8, m->security_group, 6);
    str_put(b + 14, m->asset, 6);
    st_le32(b + 20, (uint32_t)m->security_id);
    st_le16(b + 24, m->trade_date);
    b[26] = m->mei;
    b[27] = m->trading_status;
    b[28] = m->halt_reason;
    b[29] = m->trading_event;
    return GT_OK;
}

int mdp3_enc_volume37(struct mdp3_enc *e, const struct mdp3_incr *m,
                      const struct mdp3_volume37_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, 16, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_VOLUME37, MDP3_X_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    x_root_put(b, m);
    uint8_t *p = enc_dim(b + MDP3_X_ROOT_LEN, &g);
    for (size_t i = 0; i < n; i++, p += g.block_len) {
        st_le32(p, (uint32_t)ents[i].size);
        st_le32(p + 4, (uint32_t)ents[i].security_id);
        st_le32(p + 8, ents[i].rpt_seq);
        p[12] = ents[i].update_action;
    }
    return GT_OK;
}

int mdp3_enc_book46(struct mdp3_enc *e, const struct mdp3_incr *m,
                    const struct mdp3_book46_entry *ents, size_t n,
                    const struct mdp3_book46_order *ords, size_t n_ords)
{
    struct grp_spec g[2] = {{DIM_3, 32, n}, {DIM_8, 24, n_ords}};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_BOOK46, MDP3_X_ROOT_LEN, g, 2, &b);
    if (rc < 0)
        return rc;
    x_root_put(b, m);
    uint8_t *p = enc_dim(b + MDP3_X_ROOT_LEN, &g[0]);
    for (size_t i = 0; i < n; i++, p += g[0].block_len) {
        const struct mdp3_book46_entry *x = &ents[i];
        st_le64(p, (uint64_t)x->px);
        st_le32(p + 8, (uint32_t)x->size);
        st_le32(p + 12, (uint32_t)x->security_id);
        st_le32(p + 16, x->rpt_seq);
        st_le32(p + 20, (uint32_t)x->n_orders);
        p[24] = x->price_level;
        p[25] = x->update_action;
        p[26] = (uint8_t)x->entry_type;
        st_le32(p + 27, (uint32_t)x->tradeable_size);
    }
    p = enc_dim(p, &g[1]);
    for (size_t i = 0; i < n_ords; i++, p += g[1].block_len) {
        st_le64(p, ords[i].order_id);
        st_le64(p + 8, ords[i].priority);
        st_le32(p + 16, (uint32_t)ords[i].display_qty);
        p[20] = ords[i].reference_id;
        p[21] = ords[i].order_update_action;
    }
    return GT_OK;
}

int mdp3_enc_trade48(struct mdp3_enc *e, const struct mdp3_incr *m,
                     const struct mdp3_trade48_entry *ents, size_t n,
                     const struct mdp3_trade48_order *ords, size_t n_ords)
{
    struct grp_spec g[2] = {{DIM_3, 32, n}, {DIM_8, 16, n_ords}};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_TRADE_SUMMARY48, MDP3_X_ROOT_LEN, g, 2, &b);
    if (rc < 0)
        return rc;
    x_root_put(b, m);
    uint8_t *p = enc_dim(b + MDP3_X_ROOT_LEN, &g[0]);
    for (size_t i = 0; i < n; i++, p += g[0].block_len) {
        const struct mdp3_trade48_entry *x = &ents[i];
        st_le64(p, (uint64_t)x->px);
        st_le32(p + 8, (uint32_t)x->size);
        st_le32(p + 12, (uint32_t)x->security_id);
        st_le32(p + 16, x->rpt_seq);
        st_le32(p + 20, (uint32_t)x->n_orders);
        p[24] = x->aggressor_side;
        p[25] = x->update_action;
        st_le32(p + 26, x->trade_entry_id);
    }
    p = enc_dim(p, &g[1]);
    for (size_t i = 0; i < n_ords; i++, p += g[1].block_len) {
        st_le64(p, ords[i].order_id);
        st_le32(p + 8, (uint32_t)ords[i].last_qty);
    }
    return GT_OK;
}

int mdp3_enc_daily49(struct mdp3_enc *e, const struct mdp3_incr *m,
                     const struct mdp3_daily49_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, 32, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_DAILY_STATISTICS49, MDP3_X_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    x_root_put(b, m);
    uint8_t *p = enc_dim(b + MDP3_X_ROOT_LEN, &g);
    for (size_t i = 0; i < n; i++, p += g.block_len) {
        const struct mdp3_daily49_entry *x = &ents[i];
        st_le64(p, (uint64_t)x->px);
        st_le32(p + 8, (uint32_t)x->size);
        st_le32(p + 12, (uint32_t)x->security_id);
        st_le32(p + 16, x->rpt_seq);
        st_le16(p + 20, x->trading_ref_date);
        p[22] = x->settl_price_type;
        p[23] = x->update_action;
        p[24] = (uint8_t)x->entry_type;
    }
    return GT_OK;
}

int mdp3_enc_limits50(struct mdp3_enc *e, const struct mdp3_incr *m,
                      const struct mdp3_limits50_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, 32, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_LIMITS_BANDING50, MDP3_X_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    x_root_put(b, m);
    uint8_t *p = enc_dim(b + MDP3_X_ROOT_LEN, &g);
    for (size_t i = 0; i < n; i++, p += g.block_len) {
        st_le64(p, (uint64_t)ents[i].high_limit_px);
        st_le64(p + 8, (uint64_t)ents[i].low_limit_px);
        st_le64(p + 16, (uint64_t)ents[i].max_price_variation_px);
        st_le32(p + 24, (uint32_t)ents[i].security_id);
        st_le32(p + 28, ents[i].rpt_seq);
    }
    return GT_OK;
}

int mdp3_enc_session51(struct mdp3_enc *e, const struct mdp3_incr *m,
                       const struct mdp3_session51_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, 24, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_SESSION_STATISTICS51, MDP3_X_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    x_root_put(b, m);
    uint8_t *p = enc_dim(b + MDP3_X_ROOT_LEN, &g);
    for (size_t i = 0; i < n; i++, p += g.block_len) {
        const struct mdp3_session51_entry *x = &ents[i];
        st_le64(p, (uint64_t)x->px);
        st_le32(p + 8, (uint32_t)x->security_id);
        st_le32(p + 12, x->rpt_seq);
        p[16] = x->open_close_settl_flag;
        p[17] = x->update_action;
        p[18] = (uint8_t)x->entry_type;
        st_le32(p + 19, (uint32_t)x->size);
    }
    return GT_OK;
}

int mdp3_enc_snapshot52(struct mdp3_enc *e, const struct mdp3_snapshot52 *m,
                        const struct mdp3_snapshot52_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, 22, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_SNAPSHOT52, MDP3_SNAPSHOT52_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    st_le32(b, m->last_msg_seq_num_processed);
    st_le32(b + 4, m->tot_num_reports);
    st_le32(b + 8, (uint32_t)m->security_id);
    st_le32(b + 12, m->rpt_seq);
    st_le64(b + 16, m->transact_time_ns);
    st_le64(b + 24, m->last_update_time_ns);
    st_le16(b + 32, m->trade_date);
    b[34] = m->trading_status;
    st_le64(b + 35, (uint64_t)m->high_limit_px);
    st_le64(b + 43, (uint64_t)m->low_limit_px);
    st_le64(b + 51, (uint64_t)m->max_price_variation_px);
    uint8_t *p = enc_dim(b + MDP3_SNAPSHOT52_ROOT_LEN, &g);
    for (size_t i = 0; i < n; i++, p += g.block_len) {
        const struct mdp3_snapshot52_entry *x = &ents[i];
        st_le64(p, (uint64_t)x->px);
        st_le32(p + 8, (uint32_t)x->size);
        st_le32(p + 12, (uint32_t)x->n_orders);
        p[16] = (uint8_t)x->price_level;
        st_le16(p + 17, x->trading_ref_date);
        p[19] = x->open_close_settl_flag;
        p[20] = x->settl_price_type;
        p[21] = (uint8_t)x->entry_type;
    }
    return GT_OK;
}

int mdp3_enc_def54(struct mdp3_enc *e, const struct mdp3_def54 *m,
                   const struct mdp3_def54_event *evs, size_t n_evs,
                   const struct mdp3_def54_feed_type *fts, size_t n_fts, const uint32_t *attribs,
                   size_t n_attribs, const struct mdp3_def54_lot_type_rule *lots, size_t n_lots)
{
    struct grp_spec g[4] = {
        {DIM_3, 9, n_evs}, {DIM_3, 4, n_fts}, {DIM_3, 4, n_attribs}, {DIM_3, 5, n_lots}};
    uint8_t *b;
    int rc =
        enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_DEFINITION_FUTURE54, MDP3_DEF54_ROOT_LEN, g, 4, &b);
    if (rc < 0)
        return rc;
    b[0] = m->mei;
    st_le32(b + 1, m->tot_num_reports);
    b[5] = (uint8_t)m->security_update_action;
    st_le64(b + 6, m->last_update_time_ns);
    b[14] = m->trading_status;
    st_le16(b + 15, (uint16_t)m->appl_id);
    b[17] = m->market_segment_id;
    b[18] = m->underlying_product;
    str_put(b + 19, m->security_exchange, 4);
    str_put(b + 23, m->security_group, 6);
    str_put(b + 29, m->asset, 6);
    str_put(b + 35, m->symbol, 20);
    st_le32(b + 55, (uint32_t)m->security_id);
    str_put(b + 59, m->security_type, 6);
    str_put(b + 65, m->cfi_code, 6);
    st_le16(b + 71, m->maturity_year);
    b[73] = m->maturity_month;
    b[74] = m->maturity_day;
    b[75] = m->maturity_week;
    str_put(b + 76, m->currency, 3);
    str_put(b + 79, m->settl_currency, 3);
    b[82] = (uint8_t)m->match_algorithm;
    st_le32(b + 83, m->min_trade_vol);
    st_le32(b + 87, m->max_trade_vol);
    st_le64(b + 91, (uint64_t)m->min_price_increment_px);
    st_le64(b + 99, (uint64_t)m->display_factor);
    b[107] = m->main_fraction;
    b[108] = m->sub_fraction;
    b[109] = m->price_display_format;
    str_put(b + 110, m->unit_of_measure, 30);
    st_le64(b + 140, (uint64_t)m->unit_of_measure_qty);
    st_le64(b + 148, (uint64_t)m->trading_ref_px);
    b[156] = m->settl_price_type;
    st_le32(b + 157, (uint32_t)m->open_interest_qty);
    st_le32(b + 161, (uint32_t)m->cleared_volume);
    st_le64(b + 165, (uint64_t)m->high_limit_px);
    st_le64(b + 173, (uint64_t)m->low_limit_px);
    st_le64(b + 181, (uint64_t)m->max_price_variation_px);
    st_le32(b + 189, (uint32_t)m->decay_quantity);
    st_le16(b + 193, m->decay_start_date);
    st_le32(b + 195, (uint32_t)m->original_contract_size);
    st_le32(b + 199, (uint32_t)m->contract_multiplier);
    b[203] = (uint8_t)m->contract_multiplier_unit;
    b[204] = (uint8_t)m->flow_schedule_type;
    st_le64(b + 205, (uint64_t)m->min_price_increment_amount_px);
    b[213] = (uint8_t)m->user_defined_instrument;
    st_le16(b + 214, m->trading_ref_date);
    st_le64(b + 216, m->instrument_guid);
    uint8_t *p = enc_dim(b + MDP3_DEF54_ROOT_LEN, &g[0]);
    for (size_t i = 0; i < n_evs; i++, p += 9) {
        p[0] = evs[i].event_type;
        st_le64(p + 1, evs[i].event_time_ns);
    }
    p = enc_dim(p, &g[1]);
    for (size_t i = 0; i < n_fts; i++, p += 4) {
        str_put(p, fts[i].md_feed_type, 3);
        p[3] = (uint8_t)fts[i].market_depth;
    }
    p = enc_dim(p, &g[2]);
    for (size_t i = 0; i < n_attribs; i++, p += 4)
        st_le32(p, attribs[i]);
    p = enc_dim(p, &g[3]);
    for (size_t i = 0; i < n_lots; i++, p += 5) {
        p[0] = (uint8_t)lots[i].lot_type;
        st_le32(p + 1, (uint32_t)lots[i].min_lot_size);
    }
    return GT_OK;
}

int mdp3_enc_def347(struct mdp3_enc *e, const struct mdp3_def347 *m,
                    const struct mdp3_def347_inst_attrib *attribs, size_t n_attribs,
                    const struct mdp3_def54_event *evs, size_t n_evs)
{
    struct grp_spec g[2] = {{DIM_ENC, 101, n_attribs}, {DIM_ENC, 9, n_evs}};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_INDICES, MDP3_T_DEFINITION_INDICES347, MDP3_DEF347_ROOT_LEN,
                       g, 2, &b);
    if (rc < 0)
        return rc;
    str_put(b, m->symbol, 50);
    b[50] = (uint8_t)m->product;
    str_put(b + 51, m->security_exchange, 4);
    str_put(b + 55, m->currency, 3);
    b[58] = (uint8_t)m->security_update_action;
    str_put(b + 59, m->md_feed_type, 2);
    st_le16(b + 61, m->appl_id);
    uint8_t *p = enc_dim(b + MDP3_DEF347_ROOT_LEN, &g[0]);
    for (size_t i = 0; i < n_attribs; i++, p += 101) {
        p[0] = attribs[i].type;
        str_put(p + 1, attribs[i].value, 100);
    }
    p = enc_dim(p, &g[1]);
    for (size_t i = 0; i < n_evs; i++, p += 9) {
        p[0] = evs[i].event_type;
        st_le64(p + 1, evs[i].event_time_ns);
    }
    return GT_OK;
}

int mdp3_enc_idx348(struct mdp3_enc *e, const struct mdp3_idx348 *m,
                    const struct mdp3_idx348_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, 176, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_INDICES, MDP3_T_INDICES348, MDP3_IDX348_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    st_le64(b, m->transact_time_ns);
    str_put(b + 8, m->md_feed_type, 2);
    b[10] = m->mei;
    st_le16(b + 11, m->batch_total_messages);
    uint8_t *p = enc_dim(b + MDP3_IDX348_ROOT_LEN, &g);
    for (size_t i = 0; i < n; i++, p += 176) {
        const struct mdp3_idx348_entry *x = &ents[i];
        p[0] = (uint8_t)x->entry_type;
        st_le32(p + 1, x->rpt_seq);
        dec64_put(p + 5, x->px);
        st_le64(p + 14, x->size);
        str_put(p + 22, x->symbol, 50);
        p[72] = (uint8_t)x->open_close_settl_flag;
        str_put(p + 73, x->yield_type, 8);
        dec64_put(p + 81, x->yield);
        dec64_put(p + 90, x->net_chg_prev_day);
        dec64_put(p + 99, x->net_pct_chg);
        dec64_put(p + 108, x->percent_trading);
        p[117] = x->entry_code;
        st_le32(p + 118, (uint32_t)x->entry_date);
        st_le32(p + 122, (uint32_t)x->entry_time);
        str_put(p + 126, x->reference_id, 50);
    }
    return GT_OK;
}

const char *mdp3_template_name(uint16_t schema_id, uint16_t template_id)
{
    if (schema_id == MDP3_SCHEMA_INDICES) {
        switch (template_id) {
        case MDP3_T_DEFINITION_INDICES347:
            return "MDInstrumentDefinitionIndices347";
        case MDP3_T_INDICES348:
            return "MDIncrementalRefreshIndices348";
        }
        return NULL;
    }
    if (schema_id != MDP3_SCHEMA_MDP)
        return NULL;
    switch (template_id) {
    case MDP3_T_CHANNEL_RESET4:
        return "ChannelReset4";
    case MDP3_T_ADMIN_HEARTBEAT12:
        return "AdminHeartbeat12";
    case MDP3_T_SECURITY_STATUS30:
        return "SecurityStatus30";
    case MDP3_T_VOLUME37:
        return "MDIncrementalRefreshVolume37";
    case MDP3_T_BOOK46:
        return "MDIncrementalRefreshBook46";
    case MDP3_T_TRADE_SUMMARY48:
        return "MDIncrementalRefreshTradeSummary48";
    case MDP3_T_DAILY_STATISTICS49:
        return "MDIncrementalRefreshDailyStatistics49";
    case MDP3_T_LIMITS_BANDING50:
        return "MDIncrementalRefreshLimitsBanding50";
    case MDP3_T_SESSION_STATISTICS51:
        return "MDIncrementalRefreshSessionStatistics51";
    case MDP3_T_SNAPSHOT52:
        return "SnapshotFullRefresh52";
    case MDP3_T_DEFINITION_FUTURE54:
        return "MDInstrumentDefinitionFuture54";
    }
    return NULL;
}
