/* SPDX-License-Identifier: MIT */
/* dump.c -- MDP 3.0 packets and captures as text (contract in dump.h).
 *
 * Frames each message with mdp3_pkt_next(), decodes it with its template's
 * decoder and prints every field through one small family of kv_*() printers,
 * so that a null, a price, a time or a string looks the same wherever it
 * appears. Prices are formatted from their integer mantissa and exponent, never
 * through a double, so every digit on the wire is shown. */
#include "dump.h"

#include <string.h>
#include <time.h>

#include "gputick/mdp3.h"
#include "pcap.h"

/* Writes mant * 10^exp in decimal, without trailing fractional zeros. The
 * exponent is an int8 on the wire, so at most 128 zeros are added. */
static void fmt_dec(char *out, size_t cap, int64_t mant, int exp)
{
    uint64_t mag = mant < 0 ? 0 - (uint64_t)mant : (uint64_t)mant;
    char d[200]; /* the digits, left-padded with zeros to more than the fraction */
    char tmp[24];
    int nd = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)mag);
    int frac = exp < 0 ? -exp : 0;
    int pad = nd <= frac ? frac + 1 - nd : 0;
    memset(d, '0', (size_t)pad);
    memcpy(d + pad, tmp, (size_t)nd);
    int n = pad + nd;
    for (int i = 0; exp > 0 && i < exp; i++)
        d[n++] = '0';
    int fl = frac;
    while (fl && d[n - frac + fl - 1] == '0')
        fl--;
    snprintf(out, cap, "%s%.*s%s%.*s", mant < 0 ? "-" : "", n - frac, d, fl ? "." : "", fl,
             d + n - frac);
}

static void kv_px(FILE *o, const char *k, int64_t px)
{
    char b[64];
    if (px == MDP3_PX_NULL) {
        fprintf(o, " %s=null", k);
        return;
    }
    fmt_dec(b, sizeof b, px, -9);
    fprintf(o, " %s=%s", k, b);
}

static void kv_dec64(FILE *o, const char *k, struct mdp3_dec64 d)
{
    char b[200];
    if (d.mantissa == MDP3_PX_NULL) {
        fprintf(o, " %s=null", k);
        return;
    }
    fmt_dec(b, sizeof b, d.mantissa, d.exponent);
    fprintf(o, " %s=%s", k, b);
}

/* A signed or unsigned integer that is null when it equals null_v. */
static void kv_i(FILE *o, const char *k, int64_t v, int64_t null_v)
{
    if (v == null_v)
        fprintf(o, " %s=null", k);
    else
        fprintf(o, " %s=%lld", k, (long long)v);
}

static void kv_u(FILE *o, const char *k, uint64_t v, uint64_t null_v)
{
    if (v == null_v)
        fprintf(o, " %s=null", k);
    else
        fprintf(o, " %s=%llu", k, (unsigned long long)v);
}

/* Integers that have no null value. */
static void kv_int(FILE *o, const char *k, int64_t v)
{
    fprintf(o, " %s=%lld", k, (long long)v);
}

static void kv_uint(FILE *o, const char *k, uint64_t v)
{
    fprintf(o, " %s=%llu", k, (unsigned long long)v);
}

static void kv_hex(FILE *o, const char *k, unsigned v)
{
    fprintf(o, " %s=0x%02x", k, v);
}

static void kv_ch(FILE *o, const char *k, char c)
{
    if (c > ' ' && c < 127)
        fprintf(o, " %s=%c", k, c);
    else
        fprintf(o, " %s=\\x%02x", k, (unsigned char)c);
}

/* A NUL-padded char[n] as it came off the wire (already NUL-terminated). */
static void kv_str(FILE *o, const char *k, const char *s)
{
    fprintf(o, " %s=\"", k);
    for (; *s; s++)
        if (*s >= ' ' && *s < 127 && *s != '"' && *s != '\\')
            fputc(*s, o);
        else
            fprintf(o, "\\x%02x", (unsigned char)*s);
    fputc('"', o);
}

static void kv_ns(FILE *o, const char *k, uint64_t ns)
{
    if (ns == MDP3_U64_NULL) {
        fprintf(o, " %s=null", k);
        return;
    }
    time_t s = (time_t)(ns / 1000000000u);
    struct tm tm;
    char b[32];
    gmtime_r(&s, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(o, " %s=%s.%09uZ", k, b, (unsigned)(ns % 1000000000u));
}

/* LocalMktDate: days since the epoch. */
static void kv_date(FILE *o, const char *k, uint16_t days)
{
    if (days == MDP3_U16_NULL) {
        fprintf(o, " %s=null", k);
        return;
    }
    time_t s = (time_t)days * 86400;
    struct tm tm;
    char b[16];
    gmtime_r(&s, &tm);
    strftime(b, sizeof b, "%Y-%m-%d", &tm);
    fprintf(o, " %s=%s", k, b);
}

static void grp_line(FILE *o, const char *name, const struct mdp3_group *g)
{
    fprintf(o, "    %s block=%u n=%u\n", name, g->block_len, g->n);
}

#define ENTRY_BEGIN(o) fputs("     ", (o))
#define ENTRY_END(o) fputc('\n', (o))

static void x_root(FILE *o, const struct mdp3_incr *m)
{
    kv_ns(o, "transact_time", m->transact_time_ns);
    kv_hex(o, "mei", m->mei);
    fputc('\n', o);
}

static void dump_book46(FILE *o, const struct mdp3_incr *m)
{
    x_root(o, m);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_book46_entry e;
        mdp3_book46_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_px(o, "px", e.px);
        kv_i(o, "size", e.size, MDP3_I32_NULL);
        kv_int(o, "security_id", e.security_id);
        kv_uint(o, "rpt_seq", e.rpt_seq);
        kv_i(o, "n_orders", e.n_orders, MDP3_I32_NULL);
        kv_uint(o, "price_level", e.price_level);
        kv_uint(o, "update_action", e.update_action);
        kv_ch(o, "entry_type", e.entry_type);
        kv_i(o, "tradeable_size", e.tradeable_size, MDP3_I32_NULL);
        ENTRY_END(o);
    }
    grp_line(o, "NoOrderIDEntries", &m->orders);
    for (size_t i = 0; i < m->orders.n; i++) {
        struct mdp3_book46_order r;
        mdp3_book46_order(m, i, &r);
        ENTRY_BEGIN(o);
        kv_uint(o, "order_id", r.order_id);
        kv_u(o, "priority", r.priority, MDP3_U64_NULL);
        kv_i(o, "display_qty", r.display_qty, MDP3_I32_NULL);
        kv_u(o, "reference_id", r.reference_id, MDP3_U8_NULL);
        kv_uint(o, "order_update_action", r.order_update_action);
        ENTRY_END(o);
    }
}

static void dump_trade48(FILE *o, const struct mdp3_incr *m)
{
    x_root(o, m);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_trade48_entry e;
        mdp3_trade48_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_px(o, "px", e.px);
        kv_int(o, "size", e.size);
        kv_int(o, "security_id", e.security_id);
        kv_uint(o, "rpt_seq", e.rpt_seq);
        kv_int(o, "n_orders", e.n_orders);
        kv_u(o, "aggressor_side", e.aggressor_side, MDP3_U8_NULL);
        kv_uint(o, "update_action", e.update_action);
        kv_u(o, "trade_entry_id", e.trade_entry_id, MDP3_U32_NULL);
        ENTRY_END(o);
    }
    grp_line(o, "NoOrderIDEntries", &m->orders);
    for (size_t i = 0; i < m->orders.n; i++) {
        struct mdp3_trade48_order r;
        mdp3_trade48_order(m, i, &r);
        ENTRY_BEGIN(o);
        kv_uint(o, "order_id", r.order_id);
        kv_int(o, "last_qty", r.last_qty);
        ENTRY_END(o);
    }
}

static void dump_volume37(FILE *o, const struct mdp3_incr *m)
{
    x_root(o, m);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_volume37_entry e;
        mdp3_volume37_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_int(o, "size", e.size);
        kv_int(o, "security_id", e.security_id);
        kv_uint(o, "rpt_seq", e.rpt_seq);
        kv_uint(o, "update_action", e.update_action);
        ENTRY_END(o);
    }
}

static void dump_daily49(FILE *o, const struct mdp3_incr *m)
{
    x_root(o, m);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_daily49_entry e;
        mdp3_daily49_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_px(o, "px", e.px);
        kv_i(o, "size", e.size, MDP3_I32_NULL);
        kv_int(o, "security_id", e.security_id);
        kv_uint(o, "rpt_seq", e.rpt_seq);
        kv_date(o, "trading_ref_date", e.trading_ref_date);
        kv_hex(o, "settl_price_type", e.settl_price_type);
        kv_uint(o, "update_action", e.update_action);
        kv_ch(o, "entry_type", e.entry_type);
        ENTRY_END(o);
    }
}

static void dump_limits50(FILE *o, const struct mdp3_incr *m)
{
    x_root(o, m);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_limits50_entry e;
        mdp3_limits50_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_px(o, "high_limit_px", e.high_limit_px);
        kv_px(o, "low_limit_px", e.low_limit_px);
        kv_px(o, "max_price_variation_px", e.max_price_variation_px);
        kv_int(o, "security_id", e.security_id);
        kv_uint(o, "rpt_seq", e.rpt_seq);
        ENTRY_END(o);
    }
}

static void dump_session51(FILE *o, const struct mdp3_incr *m)
{
    x_root(o, m);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_session51_entry e;
        mdp3_session51_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_px(o, "px", e.px);
        kv_int(o, "security_id", e.security_id);
        kv_uint(o, "rpt_seq", e.rpt_seq);
        kv_u(o, "open_close_settl_flag", e.open_close_settl_flag, MDP3_U8_NULL);
        kv_uint(o, "update_action", e.update_action);
        kv_ch(o, "entry_type", e.entry_type);
        kv_i(o, "size", e.size, MDP3_I32_NULL);
        ENTRY_END(o);
    }
}

static void dump_reset4(FILE *o, const struct mdp3_reset4 *m)
{
    kv_ns(o, "transact_time", m->transact_time_ns);
    kv_hex(o, "mei", m->mei);
    fputc('\n', o);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_reset4_entry e;
        mdp3_reset4_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_int(o, "appl_id", e.appl_id);
        ENTRY_END(o);
    }
}

static void dump_status30(FILE *o, const struct mdp3_status30 *m)
{
    kv_ns(o, "transact_time", m->transact_time_ns);
    kv_str(o, "security_group", m->security_group);
    kv_str(o, "asset", m->asset);
    kv_i(o, "security_id", m->security_id, MDP3_I32_NULL);
    kv_date(o, "trade_date", m->trade_date);
    kv_hex(o, "mei", m->mei);
    kv_u(o, "trading_status", m->trading_status, MDP3_U8_NULL);
    kv_uint(o, "halt_reason", m->halt_reason);
    kv_uint(o, "trading_event", m->trading_event);
    fputc('\n', o);
}

static void dump_snapshot52(FILE *o, const struct mdp3_snapshot52 *m)
{
    kv_uint(o, "last_msg_seq_num_processed", m->last_msg_seq_num_processed);
    kv_uint(o, "tot_num_reports", m->tot_num_reports);
    kv_int(o, "security_id", m->security_id);
    kv_uint(o, "rpt_seq", m->rpt_seq);
    kv_ns(o, "transact_time", m->transact_time_ns);
    kv_ns(o, "last_update_time", m->last_update_time_ns);
    kv_date(o, "trade_date", m->trade_date);
    kv_u(o, "trading_status", m->trading_status, MDP3_U8_NULL);
    kv_px(o, "high_limit_px", m->high_limit_px);
    kv_px(o, "low_limit_px", m->low_limit_px);
    kv_px(o, "max_price_variation_px", m->max_price_variation_px);
    fputc('\n', o);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_snapshot52_entry e;
        mdp3_snapshot52_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_px(o, "px", e.px);
        kv_i(o, "size", e.size, MDP3_I32_NULL);
        kv_i(o, "n_orders", e.n_orders, MDP3_I32_NULL);
        kv_i(o, "price_level", e.price_level, MDP3_I8_NULL);
        kv_date(o, "trading_ref_date", e.trading_ref_date);
        kv_u(o, "open_close_settl_flag", e.open_close_settl_flag, MDP3_U8_NULL);
        kv_hex(o, "settl_price_type", e.settl_price_type);
        kv_ch(o, "entry_type", e.entry_type);
        ENTRY_END(o);
    }
}

static void dump_def54(FILE *o, const struct mdp3_def54 *m)
{
    kv_hex(o, "mei", m->mei);
    kv_u(o, "tot_num_reports", m->tot_num_reports, MDP3_U32_NULL);
    kv_ch(o, "security_update_action", m->security_update_action);
    kv_ns(o, "last_update_time", m->last_update_time_ns);
    kv_u(o, "trading_status", m->trading_status, MDP3_U8_NULL);
    kv_int(o, "appl_id", m->appl_id);
    kv_uint(o, "market_segment_id", m->market_segment_id);
    kv_uint(o, "underlying_product", m->underlying_product);
    kv_str(o, "security_exchange", m->security_exchange);
    kv_str(o, "security_group", m->security_group);
    kv_str(o, "asset", m->asset);
    kv_str(o, "symbol", m->symbol);
    kv_int(o, "security_id", m->security_id);
    kv_str(o, "security_type", m->security_type);
    kv_str(o, "cfi_code", m->cfi_code);
    kv_u(o, "maturity_year", m->maturity_year, MDP3_U16_NULL);
    kv_u(o, "maturity_month", m->maturity_month, MDP3_U8_NULL);
    kv_u(o, "maturity_day", m->maturity_day, MDP3_U8_NULL);
    kv_u(o, "maturity_week", m->maturity_week, MDP3_U8_NULL);
    kv_str(o, "currency", m->currency);
    kv_str(o, "settl_currency", m->settl_currency);
    kv_ch(o, "match_algorithm", m->match_algorithm);
    kv_uint(o, "min_trade_vol", m->min_trade_vol);
    kv_uint(o, "max_trade_vol", m->max_trade_vol);
    kv_px(o, "min_price_increment_px", m->min_price_increment_px);
    kv_px(o, "display_factor", m->display_factor);
    kv_u(o, "main_fraction", m->main_fraction, MDP3_U8_NULL);
    kv_u(o, "sub_fraction", m->sub_fraction, MDP3_U8_NULL);
    kv_u(o, "price_display_format", m->price_display_format, MDP3_U8_NULL);
    kv_str(o, "unit_of_measure", m->unit_of_measure);
    kv_px(o, "unit_of_measure_qty", m->unit_of_measure_qty);
    kv_px(o, "trading_ref_px", m->trading_ref_px);
    kv_hex(o, "settl_price_type", m->settl_price_type);
    kv_i(o, "open_interest_qty", m->open_interest_qty, MDP3_I32_NULL);
    kv_i(o, "cleared_volume", m->cleared_volume, MDP3_I32_NULL);
    kv_px(o, "high_limit_px", m->high_limit_px);
    kv_px(o, "low_limit_px", m->low_limit_px);
    kv_px(o, "max_price_variation_px", m->max_price_variation_px);
    kv_i(o, "decay_quantity", m->decay_quantity, MDP3_I32_NULL);
    kv_date(o, "decay_start_date", m->decay_start_date);
    kv_i(o, "original_contract_size", m->original_contract_size, MDP3_I32_NULL);
    kv_i(o, "contract_multiplier", m->contract_multiplier, MDP3_I32_NULL);
    kv_i(o, "contract_multiplier_unit", m->contract_multiplier_unit, MDP3_I8_NULL);
    kv_i(o, "flow_schedule_type", m->flow_schedule_type, MDP3_I8_NULL);
    kv_px(o, "min_price_increment_amount_px", m->min_price_increment_amount_px);
    kv_ch(o, "user_defined_instrument", m->user_defined_instrument);
    kv_date(o, "trading_ref_date", m->trading_ref_date);
    kv_u(o, "instrument_guid", m->instrument_guid, MDP3_U64_NULL);
    fputc('\n', o);
    grp_line(o, "NoEvents", &m->events);
    for (size_t i = 0; i < m->events.n; i++) {
        struct mdp3_def54_event e;
        mdp3_def54_event(m, i, &e);
        ENTRY_BEGIN(o);
        kv_uint(o, "event_type", e.event_type);
        kv_ns(o, "event_time", e.event_time_ns);
        ENTRY_END(o);
    }
    grp_line(o, "NoMDFeedTypes", &m->feed_types);
    for (size_t i = 0; i < m->feed_types.n; i++) {
        struct mdp3_def54_feed_type f;
        mdp3_def54_feed_type(m, i, &f);
        ENTRY_BEGIN(o);
        kv_str(o, "md_feed_type", f.md_feed_type);
        kv_int(o, "market_depth", f.market_depth);
        ENTRY_END(o);
    }
    grp_line(o, "NoInstAttrib", &m->inst_attribs);
    for (size_t i = 0; i < m->inst_attribs.n; i++) {
        ENTRY_BEGIN(o);
        fprintf(o, " inst_attrib_value=0x%08x", mdp3_def54_inst_attrib(m, i));
        ENTRY_END(o);
    }
    grp_line(o, "NoLotTypeRules", &m->lot_type_rules);
    for (size_t i = 0; i < m->lot_type_rules.n; i++) {
        struct mdp3_def54_lot_type_rule r;
        mdp3_def54_lot_type_rule(m, i, &r);
        ENTRY_BEGIN(o);
        kv_int(o, "lot_type", r.lot_type);
        if (r.min_lot_size == MDP3_I32_NULL)
            fputs(" min_lot_size=null", o);
        else {
            char b[32];
            fmt_dec(b, sizeof b, r.min_lot_size, -4); /* DecimalQty */
            fprintf(o, " min_lot_size=%s", b);
        }
        ENTRY_END(o);
    }
}

static void dump_def347(FILE *o, const struct mdp3_def347 *m)
{
    kv_str(o, "symbol", m->symbol);
    kv_int(o, "product", m->product);
    kv_str(o, "security_exchange", m->security_exchange);
    kv_str(o, "currency", m->currency);
    kv_ch(o, "security_update_action", m->security_update_action);
    kv_str(o, "md_feed_type", m->md_feed_type);
    kv_u(o, "appl_id", m->appl_id, MDP3_U16_NULL);
    fputc('\n', o);
    grp_line(o, "NoInstAttrib", &m->inst_attribs);
    for (size_t i = 0; i < m->inst_attribs.n; i++) {
        struct mdp3_def347_inst_attrib a;
        mdp3_def347_inst_attrib(m, i, &a);
        ENTRY_BEGIN(o);
        kv_uint(o, "type", a.type);
        kv_str(o, "value", a.value);
        ENTRY_END(o);
    }
    grp_line(o, "NoEvents", &m->events);
    for (size_t i = 0; i < m->events.n; i++) {
        struct mdp3_def54_event e;
        mdp3_def347_event(m, i, &e);
        ENTRY_BEGIN(o);
        kv_uint(o, "event_type", e.event_type);
        kv_ns(o, "event_time", e.event_time_ns);
        ENTRY_END(o);
    }
}

static void dump_idx348(FILE *o, const struct mdp3_idx348 *m)
{
    kv_ns(o, "transact_time", m->transact_time_ns);
    kv_str(o, "md_feed_type", m->md_feed_type);
    kv_hex(o, "mei", m->mei);
    kv_u(o, "batch_total_messages", m->batch_total_messages, MDP3_U16_NULL);
    fputc('\n', o);
    grp_line(o, "NoMDEntries", &m->entries);
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_idx348_entry e;
        mdp3_idx348_entry(m, i, &e);
        ENTRY_BEGIN(o);
        kv_ch(o, "entry_type", e.entry_type);
        kv_uint(o, "rpt_seq", e.rpt_seq);
        kv_dec64(o, "px", e.px);
        kv_u(o, "size", e.size, MDP3_U64_NULL);
        kv_str(o, "symbol", e.symbol);
        kv_i(o, "open_close_settl_flag", e.open_close_settl_flag, MDP3_I8_NULL);
        kv_str(o, "yield_type", e.yield_type);
        kv_dec64(o, "yield", e.yield);
        kv_dec64(o, "net_chg_prev_day", e.net_chg_prev_day);
        kv_dec64(o, "net_pct_chg", e.net_pct_chg);
        kv_dec64(o, "percent_trading", e.percent_trading);
        kv_u(o, "entry_code", e.entry_code, MDP3_U8_NULL);
        kv_i(o, "entry_date", e.entry_date, MDP3_I32_NULL);
        kv_i(o, "entry_time", e.entry_time, MDP3_I32_NULL);
        kv_str(o, "reference_id", e.reference_id);
        ENTRY_END(o);
    }
}

/* Decodes and prints one message after its header tokens. Returns the decoder's
 * code, or 1 if this module does not decode the template. */
static int dump_msg(FILE *o, const struct mdp3_msg *msg)
{
    int rc = 1;
    if (msg->schema_id == MDP3_SCHEMA_INDICES) {
        if (msg->template_id == MDP3_T_DEFINITION_INDICES347) {
            struct mdp3_def347 m;
            if ((rc = mdp3_def347_decode(msg, &m)) == GT_OK)
                dump_def347(o, &m);
        } else if (msg->template_id == MDP3_T_INDICES348) {
            struct mdp3_idx348 m;
            if ((rc = mdp3_idx348_decode(msg, &m)) == GT_OK)
                dump_idx348(o, &m);
        }
        return rc;
    }
    if (msg->schema_id != MDP3_SCHEMA_MDP)
        return 1;
    struct mdp3_incr x;
    switch (msg->template_id) {
    case MDP3_T_CHANNEL_RESET4: {
        struct mdp3_reset4 m;
        if ((rc = mdp3_reset4_decode(msg, &m)) == GT_OK)
            dump_reset4(o, &m);
        break;
    }
    case MDP3_T_ADMIN_HEARTBEAT12:
        fputc('\n', o);
        rc = GT_OK;
        break;
    case MDP3_T_SECURITY_STATUS30: {
        struct mdp3_status30 m;
        if ((rc = mdp3_status30_decode(msg, &m)) == GT_OK)
            dump_status30(o, &m);
        break;
    }
    case MDP3_T_VOLUME37:
        if ((rc = mdp3_volume37_decode(msg, &x)) == GT_OK)
            dump_volume37(o, &x);
        break;
    case MDP3_T_BOOK46:
        if ((rc = mdp3_book46_decode(msg, &x)) == GT_OK)
            dump_book46(o, &x);
        break;
    case MDP3_T_TRADE_SUMMARY48:
        if ((rc = mdp3_trade48_decode(msg, &x)) == GT_OK)
            dump_trade48(o, &x);
        break;
    case MDP3_T_DAILY_STATISTICS49:
        if ((rc = mdp3_daily49_decode(msg, &x)) == GT_OK)
            dump_daily49(o, &x);
        break;
    case MDP3_T_LIMITS_BANDING50:
        if ((rc = mdp3_limits50_decode(msg, &x)) == GT_OK)
            dump_limits50(o, &x);
        break;
    case MDP3_T_SESSION_STATISTICS51:
        if ((rc = mdp3_session51_decode(msg, &x)) == GT_OK)
            dump_session51(o, &x);
        break;
    case MDP3_T_SNAPSHOT52: {
        struct mdp3_snapshot52 m;
        if ((rc = mdp3_snapshot52_decode(msg, &m)) == GT_OK)
            dump_snapshot52(o, &m);
        break;
    }
    case MDP3_T_DEFINITION_FUTURE54: {
        struct mdp3_def54 m;
        if ((rc = mdp3_def54_decode(msg, &m)) == GT_OK)
            dump_def54(o, &m);
        break;
    }
    }
    return rc;
}

int mdp3_dump_packet(FILE *out, const uint8_t *pkt, size_t len, struct mdp3_dump_stats *st)
{
    struct mdp3_dump_stats none;
    if (!st)
        st = memset(&none, 0, sizeof none);
    st->n_packets++;
    struct mdp3_pkt pk;
    if (mdp3_pkt_init(&pk, pkt, len) < 0) {
        fprintf(out, "packet len=%zu error=\"%s\" at=0\n", len, gt_strerror(GT_ETRUNC));
        st->n_bad_pkts++;
        return GT_ETRUNC;
    }
    fprintf(out, "packet len=%zu seq=%u", len, pk.seq);
    kv_ns(out, "sending_time", pk.sending_time_ns);
    fputc('\n', out);
    struct mdp3_msg msg;
    int rc, n = 0;
    while ((rc = mdp3_pkt_next(&pk, &msg)) > 0) {
        n++;
        st->n_msgs++;
        const char *name = mdp3_template_name(msg.schema_id, msg.template_id);
        fprintf(out, "  %s off=%zu size=%zu block=%u template=%u schema=%u version=%u",
                name ? name : "unknown", msg.off, msg.len, msg.block_len, msg.template_id,
                msg.schema_id, msg.version);
        int drc = dump_msg(out, &msg);
        if (drc == 1) {
            fputs(" skipped\n", out);
            st->n_unknown++;
        } else if (drc < 0) {
            fprintf(out, " error=\"%s\" at=%zu\n", gt_strerror(drc), msg.off);
            st->n_bad_msgs++;
        }
    }
    if (rc < 0) {
        fprintf(out, "  error=\"%s\" at=%zu\n", gt_strerror(rc), pk.err_off);
        st->n_bad_pkts++;
        return rc;
    }
    return n;
}

int mdp3_dump_capture(FILE *out, const char *path, struct mdp3_dump_stats *st, char err[GT_ERRLEN])
{
    struct pcap_reader r;
    int rc = pcap_reader_open(&r, path, err);
    if (rc < 0)
        return rc;
    static const char *const fmt[] = {"?", "libpcap", "datamine", "raw"};
    fprintf(out, "capture %s format=%s\n", path, fmt[r.format]);
    struct pcap_rec rec;
    int n = 0;
    while ((rc = pcap_reader_next(&r, &rec)) > 0) {
        fprintf(out, "record off=%zu", rec.off);
        kv_ns(out, "ts", (uint64_t)rec.ts_ns);
        fprintf(out, " src=%u.%u.%u.%u:%u dst=%u.%u.%u.%u:%u\n", rec.src_ip >> 24,
                rec.src_ip >> 16 & 255, rec.src_ip >> 8 & 255, rec.src_ip & 255, rec.src_port,
                rec.dst_ip >> 24, rec.dst_ip >> 16 & 255, rec.dst_ip >> 8 & 255, rec.dst_ip & 255,
                rec.dst_port);
        mdp3_dump_packet(out, rec.p, rec.len, st);
        n++;
    }
    if (rc < 0)
        snprintf(err, GT_ERRLEN, "%s: %s at file offset %zu", path, gt_strerror(rc), r.err_off);
    pcap_reader_close(&r);
    return rc < 0 ? rc : n;
}
