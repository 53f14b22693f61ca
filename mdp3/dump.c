/* SPDX-License-Identifier: MIT */
/* dump.c -- MDP 3.0 packets and captures as text or JSON lines (contract in dump.h).
 *
 * Frames each message with mdp3_pkt_next(), decodes it with its template's
 * decoder and prints every field through one small family of kv_*() printers,
 * so that a null, a price, a time or a string looks the same wherever it
 * appears. Prices are formatted from their integer mantissa and exponent, never
 * through a double, so every digit on the wire is shown. The printers write to
 * a struct out, which knows the style: in text a field is " key=value" and the
 * structure is lines and indentation; in JSON it is "key":value inside the
 * message's object, a group is an array of entry objects, and the record and
 * packet a message came in are repeated in each object (kept, formatted, in
 * out's two context buffers), so that every line stands alone. */
#include "dump.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "mdp3.h"
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

/* Where the dump goes and in which style. JSON members are separated by commas:
 * first says none is needed before the next; n_ents counts a group's entries. */
struct out {
    FILE *f;
    bool json;
    bool first;
    unsigned n_ents;
    char rec_ctx[192]; /* JSON: the capture record's members, or "" */
    char pkt_ctx[160]; /* JSON: the packet's members */
};

/* Starts a field: " key=" or ,"key": */
static void key(struct out *o, const char *k)
{
    if (o->json) {
        fprintf(o->f, "%s\"%s\":", o->first ? "" : ",", k);
        o->first = false;
    } else {
        fprintf(o->f, " %s=", k);
    }
}

static void kv_null(struct out *o, const char *k)
{
    key(o, k);
    fputs("null", o->f);
}

static void kv_px(struct out *o, const char *k, int64_t px)
{
    char b[64];
    if (px == MDP3_PX_NULL) {
        kv_null(o, k);
        return;
    }
    fmt_dec(b, sizeof b, px, -9);
    key(o, k);
    fputs(b, o->f);
}

static void kv_dec64(struct out *o, const char *k, struct mdp3_dec64 d)
{
    char b[200];
    if (d.mantissa == MDP3_PX_NULL) {
        kv_null(o, k);
        return;
    }
    fmt_dec(b, sizeof b, d.mantissa, d.exponent);
    key(o, k);
    fputs(b, o->f);
}

/* Integers that have no null value. */
static void kv_int(struct out *o, const char *k, int64_t v)
{
    key(o, k);
    fprintf(o->f, "%lld", (long long)v);
}

static void kv_uint(struct out *o, const char *k, uint64_t v)
{
    key(o, k);
    fprintf(o->f, "%llu", (unsigned long long)v);
}

/* A signed or unsigned integer that is null when it equals null_v. */
static void kv_i(struct out *o, const char *k, int64_t v, int64_t null_v)
{
    if (v == null_v)
        kv_null(o, k);
    else
        kv_int(o, k, v);
}

static void kv_u(struct out *o, const char *k, uint64_t v, uint64_t null_v)
{
    if (v == null_v)
        kv_null(o, k);
    else
        kv_uint(o, k, v);
}

/* Bit sets: hex in text, a plain number in JSON. */
static void kv_hex(struct out *o, const char *k, unsigned v)
{
    key(o, k);
    fprintf(o->f, o->json ? "%u" : "0x%02x", v);
}

/* One byte of a string: printable ASCII as itself, anything else escaped
 * (\xNN in text, \u00NN in JSON). */
static void str_byte(struct out *o, unsigned char c)
{
    if (c >= ' ' && c < 127 && c != '"' && c != '\\')
        fputc(c, o->f);
    else
        fprintf(o->f, o->json ? "\\u%04x" : "\\x%02x", c);
}

static void kv_ch(struct out *o, const char *k, char c)
{
    key(o, k);
    if (o->json) {
        fputc('"', o->f);
        str_byte(o, (unsigned char)c);
        fputc('"', o->f);
    } else if (c > ' ' && c < 127) {
        fputc(c, o->f);
    } else {
        fprintf(o->f, "\\x%02x", (unsigned char)c);
    }
}

/* A NUL-padded char[n] as it came off the wire (already NUL-terminated). */
static void kv_str(struct out *o, const char *k, const char *s)
{
    key(o, k);
    fputc('"', o->f);
    for (; *s; s++)
        str_byte(o, (unsigned char)*s);
    fputc('"', o->f);
}

/* Writes ns since the epoch as UTC ISO 8601 with nanoseconds. */
static void fmt_ns(char *b, size_t cap, uint64_t ns)
{
    time_t s = (time_t)(ns / 1000000000u);
    struct tm tm;
    char d[32];
    gmtime_r(&s, &tm);
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(b, cap, "%s.%09uZ", d, (unsigned)(ns % 1000000000u));
}

static void kv_ns(struct out *o, const char *k, uint64_t ns)
{
    if (ns == MDP3_U64_NULL) {
        kv_null(o, k);
        return;
    }
    char b[48];
    fmt_ns(b, sizeof b, ns);
    key(o, k);
    fprintf(o->f, o->json ? "\"%s\"" : "%s", b);
}

/* LocalMktDate: days since the epoch. */
static void kv_date(struct out *o, const char *k, uint16_t days)
{
    if (days == MDP3_U16_NULL) {
        kv_null(o, k);
        return;
    }
    time_t s = (time_t)days * 86400;
    struct tm tm;
    char b[16];
    gmtime_r(&s, &tm);
    strftime(b, sizeof b, "%Y-%m-%d", &tm);
    key(o, k);
    fprintf(o->f, o->json ? "\"%s\"" : "%s", b);
}

/* The end of a message's root fields: a newline in text. */
static void root_end(struct out *o)
{
    if (!o->json)
        fputc('\n', o->f);
}

/* A group: its dimension line in text, the start of its array in JSON. */
static void grp_begin(struct out *o, const char *name, const struct mdp3_group *g)
{
    if (o->json) {
        fprintf(o->f, ",\"%s\":[", name);
        o->n_ents = 0;
    } else {
        fprintf(o->f, "    %s block=%u n=%u\n", name, g->block_len, g->n);
    }
}

static void grp_end(struct out *o)
{
    if (o->json)
        fputc(']', o->f);
}

static void ent_begin(struct out *o)
{
    if (o->json) {
        fputs(o->n_ents++ ? ",{" : "{", o->f);
        o->first = true;
    } else {
        fputs("     ", o->f);
    }
}

static void ent_end(struct out *o)
{
    if (o->json) {
        fputc('}', o->f);
        o->first = false;
    } else {
        fputc('\n', o->f);
    }
}

/* JSON: opens a line's object with the record's and the packet's members. */
static void obj_begin(struct out *o)
{
    fprintf(o->f, "{%s%s", o->rec_ctx, o->pkt_ctx);
    o->first = !o->rec_ctx[0] && !o->pkt_ctx[0];
}

/* ---- the templates, from their tables in mdp3.h -------------------------- */

/* DecimalQty: an Int32NULL with 4 implied decimals. */
static void kv_qty4(struct out *o, const char *k, int32_t v)
{
    if (v == MDP3_I32_NULL) {
        kv_null(o, k);
        return;
    }
    char b[32];
    fmt_dec(b, sizeof b, v, -4);
    key(o, k);
    fputs(b, o->f);
}

/* How each field kind (mdp3.h) is printed. */
#define DUMP_U8(o, k, v) kv_uint(o, k, v)
#define DUMP_U8N(o, k, v) kv_u(o, k, v, MDP3_U8_NULL)
#define DUMP_HEX8(o, k, v) kv_hex(o, k, v)
#define DUMP_I8(o, k, v) kv_int(o, k, v)
#define DUMP_I8N(o, k, v) kv_i(o, k, v, MDP3_I8_NULL)
#define DUMP_CH(o, k, v) kv_ch(o, k, v)
#define DUMP_U16N(o, k, v) kv_u(o, k, v, MDP3_U16_NULL)
#define DUMP_DATE(o, k, v) kv_date(o, k, v)
#define DUMP_I16(o, k, v) kv_int(o, k, v)
#define DUMP_U32(o, k, v) kv_uint(o, k, v)
#define DUMP_U32N(o, k, v) kv_u(o, k, v, MDP3_U32_NULL)
#define DUMP_HEX32(o, k, v) kv_hex(o, k, v)
#define DUMP_I32(o, k, v) kv_int(o, k, v)
#define DUMP_I32N(o, k, v) kv_i(o, k, v, MDP3_I32_NULL)
#define DUMP_QTY4(o, k, v) kv_qty4(o, k, v)
#define DUMP_U64(o, k, v) kv_uint(o, k, v)
#define DUMP_U64N(o, k, v) kv_u(o, k, v, MDP3_U64_NULL)
#define DUMP_NS(o, k, v) kv_ns(o, k, v)
#define DUMP_PX(o, k, v) kv_px(o, k, v)
#define DUMP_DEC64(o, k, v) kv_dec64(o, k, v)
#define DUMP_STR(o, k, v) kv_str(o, k, v)

/* Prints d->member under its key for one table row. */
#define DUMP_FIELD(m_, key, off, n, kind, since) DUMP_##kind(o, key, d->m_);

/* Prints the root fields of *m_ by TABLE. */
#define DUMP_ROOT(TABLE, m_)                                                                       \
    do {                                                                                           \
        const __typeof__(*(m_)) *d = (m_);                                                         \
        TABLE(DUMP_FIELD)                                                                          \
        root_end(o);                                                                               \
    } while (0)

/* Prints group grp of *m_ under name, each entry read by accessor and printed
 * by TABLE. */
#define DUMP_GROUP(name, m_, grp, ent_t, accessor, TABLE)                                          \
    do {                                                                                           \
        grp_begin(o, name, &(m_)->grp);                                                            \
        for (size_t i_ = 0; i_ < (m_)->grp.n; i_++) {                                              \
            ent_t ent_;                                                                            \
            const ent_t *d = &ent_;                                                                \
            accessor(m_, i_, &ent_);                                                               \
            ent_begin(o);                                                                          \
            TABLE(DUMP_FIELD)                                                                      \
            ent_end(o);                                                                            \
        }                                                                                          \
        grp_end(o);                                                                                \
    } while (0)

static void dump_book46(struct out *o, const struct mdp3_incr *m)
{
    DUMP_ROOT(MDP3_X_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_book46_entry, mdp3_book46_entry,
               MDP3_BOOK46_ENTRY);
    DUMP_GROUP("NoOrderIDEntries", m, orders, struct mdp3_book46_order, mdp3_book46_order,
               MDP3_BOOK46_ORDER);
}

static void dump_trade48(struct out *o, const struct mdp3_incr *m)
{
    DUMP_ROOT(MDP3_X_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_trade48_entry, mdp3_trade48_entry,
               MDP3_TRADE48_ENTRY);
    DUMP_GROUP("NoOrderIDEntries", m, orders, struct mdp3_trade48_order, mdp3_trade48_order,
               MDP3_TRADE48_ORDER);
}

static void dump_volume37(struct out *o, const struct mdp3_incr *m)
{
    DUMP_ROOT(MDP3_X_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_volume37_entry, mdp3_volume37_entry,
               MDP3_VOLUME37_ENTRY);
}

static void dump_daily49(struct out *o, const struct mdp3_incr *m)
{
    DUMP_ROOT(MDP3_X_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_daily49_entry, mdp3_daily49_entry,
               MDP3_DAILY49_ENTRY);
}

static void dump_limits50(struct out *o, const struct mdp3_incr *m)
{
    DUMP_ROOT(MDP3_X_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_limits50_entry, mdp3_limits50_entry,
               MDP3_LIMITS50_ENTRY);
}

static void dump_session51(struct out *o, const struct mdp3_incr *m)
{
    DUMP_ROOT(MDP3_X_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_session51_entry, mdp3_session51_entry,
               MDP3_SESSION51_ENTRY);
}

static void dump_reset4(struct out *o, const struct mdp3_reset4 *m)
{
    DUMP_ROOT(MDP3_X_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_reset4_entry, mdp3_reset4_entry,
               MDP3_RESET4_ENTRY);
}

static void dump_status30(struct out *o, const struct mdp3_status30 *m)
{
    DUMP_ROOT(MDP3_STATUS30_ROOT, m);
}

static void dump_snapshot52(struct out *o, const struct mdp3_snapshot52 *m)
{
    DUMP_ROOT(MDP3_SNAPSHOT52_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_snapshot52_entry, mdp3_snapshot52_entry,
               MDP3_SNAPSHOT52_ENTRY);
}

static void inst_attrib54(const struct mdp3_def54 *m, size_t i, struct mdp3_def54_inst_attrib *a)
{
    a->value = mdp3_def54_inst_attrib(m, i);
}

static void dump_def54(struct out *o, const struct mdp3_def54 *m)
{
    DUMP_ROOT(MDP3_DEF54_ROOT, m);
    DUMP_GROUP("NoEvents", m, events, struct mdp3_def54_event, mdp3_def54_event, MDP3_EVENT);
    DUMP_GROUP("NoMDFeedTypes", m, feed_types, struct mdp3_def54_feed_type, mdp3_def54_feed_type,
               MDP3_FEED_TYPE);
    DUMP_GROUP("NoInstAttrib", m, inst_attribs, struct mdp3_def54_inst_attrib, inst_attrib54,
               MDP3_INST_ATTRIB);
    DUMP_GROUP("NoLotTypeRules", m, lot_type_rules, struct mdp3_def54_lot_type_rule,
               mdp3_def54_lot_type_rule, MDP3_LOT_TYPE_RULE);
}

static void dump_orderbook47(struct out *o, const struct mdp3_incr *m)
{
    DUMP_ROOT(MDP3_X_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_orderbook47_entry, mdp3_orderbook47_entry,
               MDP3_ORDERBOOK47_ENTRY);
}

static void dump_snapshot53(struct out *o, const struct mdp3_snapshot53 *m)
{
    DUMP_ROOT(MDP3_SNAPSHOT53_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_snapshot53_entry, mdp3_snapshot53_entry,
               MDP3_SNAPSHOT53_ENTRY);
}

static void inst_attrib56(const struct mdp3_def56 *m, size_t i, struct mdp3_def54_inst_attrib *a)
{
    a->value = mdp3_def56_inst_attrib(m, i);
}

static void dump_def56(struct out *o, const struct mdp3_def56 *m)
{
    DUMP_ROOT(MDP3_DEF56_ROOT, m);
    DUMP_GROUP("NoEvents", m, events, struct mdp3_def54_event, mdp3_def56_event, MDP3_EVENT);
    DUMP_GROUP("NoMDFeedTypes", m, feed_types, struct mdp3_def54_feed_type, mdp3_def56_feed_type,
               MDP3_FEED_TYPE);
    DUMP_GROUP("NoInstAttrib", m, inst_attribs, struct mdp3_def54_inst_attrib, inst_attrib56,
               MDP3_INST_ATTRIB);
    DUMP_GROUP("NoLotTypeRules", m, lot_type_rules, struct mdp3_def54_lot_type_rule,
               mdp3_def56_lot_type_rule, MDP3_LOT_TYPE_RULE);
    DUMP_GROUP("NoLegs", m, legs, struct mdp3_def56_leg, mdp3_def56_leg, MDP3_LEG);
}

static void dump_def347(struct out *o, const struct mdp3_def347 *m)
{
    DUMP_ROOT(MDP3_DEF347_ROOT, m);
    DUMP_GROUP("NoInstAttrib", m, inst_attribs, struct mdp3_def347_inst_attrib,
               mdp3_def347_inst_attrib, MDP3_DEF347_INST_ATTRIB);
    DUMP_GROUP("NoEvents", m, events, struct mdp3_def54_event, mdp3_def347_event, MDP3_EVENT);
}

static void dump_idx348(struct out *o, const struct mdp3_idx348 *m)
{
    DUMP_ROOT(MDP3_IDX348_ROOT, m);
    DUMP_GROUP("NoMDEntries", m, entries, struct mdp3_idx348_entry, mdp3_idx348_entry,
               MDP3_IDX348_ENTRY);
}

/* Decodes and prints one message after its header tokens. Returns the decoder's
 * code, or 1 if this module does not decode the template. */
static int dump_msg(struct out *o, const struct mdp3_msg *msg)
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
        root_end(o);
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
    case MDP3_T_ORDER_BOOK47:
        if ((rc = mdp3_orderbook47_decode(msg, &x)) == GT_OK)
            dump_orderbook47(o, &x);
        break;
    case MDP3_T_SNAPSHOT_ORDER_BOOK53: {
        struct mdp3_snapshot53 m;
        if ((rc = mdp3_snapshot53_decode(msg, &m)) == GT_OK)
            dump_snapshot53(o, &m);
        break;
    }
    case MDP3_T_DEFINITION_SPREAD56: {
        struct mdp3_def56 m;
        if ((rc = mdp3_def56_decode(msg, &m)) == GT_OK)
            dump_def56(o, &m);
        break;
    }
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

/* Counts one framed message under its (schema, template). */
static void count_template(struct mdp3_dump_stats *st, const struct mdp3_msg *msg)
{
    for (size_t i = 0; i < st->n_templates; i++)
        if (st->templates[i].schema_id == msg->schema_id &&
            st->templates[i].template_id == msg->template_id) {
            st->templates[i].n++;
            return;
        }
    if (st->n_templates == MDP3_DUMP_TEMPLATES) {
        st->n_other_templates++;
        return;
    }
    st->templates[st->n_templates++] =
        (struct mdp3_dump_template){msg->schema_id, msg->template_id, 1};
}

/* An error line of a packet: indented in text, an object of its own in JSON. */
static void pkt_error(struct out *o, int rc, size_t at)
{
    if (o->json)
        obj_begin(o);
    else
        fputc(' ', o->f);
    kv_str(o, "error", gt_strerror(rc));
    kv_uint(o, "at", at);
    fputs(o->json ? "}\n" : "\n", o->f);
}

static int dump_packet(struct out *o, const uint8_t *pkt, size_t len, struct mdp3_dump_stats *st)
{
    struct mdp3_dump_stats none;
    if (!st)
        st = memset(&none, 0, sizeof none);
    st->n_packets++;
    struct mdp3_pkt pk;
    if (mdp3_pkt_init(&pk, pkt, len) < 0) {
        if (o->json) {
            snprintf(o->pkt_ctx, sizeof o->pkt_ctx, "%s\"packet_len\":%zu",
                     o->rec_ctx[0] ? "," : "", len);
            pkt_error(o, GT_ETRUNC, 0);
        } else {
            fprintf(o->f, "packet len=%zu error=\"%s\" at=0\n", len, gt_strerror(GT_ETRUNC));
        }
        st->n_bad_pkts++;
        return GT_ETRUNC;
    }
    if (o->json) {
        char t[48];
        fmt_ns(t, sizeof t, pk.sending_time_ns);
        snprintf(o->pkt_ctx, sizeof o->pkt_ctx,
                 "%s\"packet_len\":%zu,\"seq\":%u,\"sending_time\":\"%s\"",
                 o->rec_ctx[0] ? "," : "", len, pk.seq, t);
    } else {
        fprintf(o->f, "packet len=%zu seq=%u", len, pk.seq);
        kv_ns(o, "sending_time", pk.sending_time_ns);
        fputc('\n', o->f);
    }
    struct mdp3_msg msg;
    int rc, n = 0;
    while ((rc = mdp3_pkt_next(&pk, &msg)) > 0) {
        n++;
        st->n_msgs++;
        count_template(st, &msg);
        const char *name = mdp3_template_name(msg.schema_id, msg.template_id);
        if (o->json) {
            obj_begin(o);
            if (name)
                kv_str(o, "message", name);
            else
                kv_null(o, "message");
        } else {
            fprintf(o->f, "  %s", name ? name : "unknown");
        }
        kv_uint(o, "off", msg.off);
        kv_uint(o, "size", msg.len);
        kv_uint(o, "block", msg.block_len);
        kv_uint(o, "template", msg.template_id);
        kv_uint(o, "schema", msg.schema_id);
        kv_uint(o, "version", msg.version);
        int drc = dump_msg(o, &msg);
        if (drc == 1) {
            fputs(o->json ? ",\"skipped\":true" : " skipped\n", o->f);
            st->n_unknown++;
        } else if (drc < 0) {
            kv_str(o, "error", gt_strerror(drc));
            kv_uint(o, "at", msg.off);
            root_end(o);
            st->n_bad_msgs++;
        }
        if (o->json)
            fputs("}\n", o->f);
    }
    if (rc < 0) {
        pkt_error(o, rc, pk.err_off);
        st->n_bad_pkts++;
        return rc;
    }
    return n;
}

int mdp3_dump_packet_as(FILE *out, enum mdp3_dump_style style, const uint8_t *pkt, size_t len,
                        struct mdp3_dump_stats *st)
{
    struct out o = {.f = out, .json = style == MDP3_DUMP_JSON};
    return dump_packet(&o, pkt, len, st);
}

int mdp3_dump_packet(FILE *out, const uint8_t *pkt, size_t len, struct mdp3_dump_stats *st)
{
    return mdp3_dump_packet_as(out, MDP3_DUMP_TEXT, pkt, len, st);
}

static void fmt_addr(char *b, size_t cap, uint32_t ip, uint16_t port)
{
    snprintf(b, cap, "%u.%u.%u.%u:%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255, port);
}

/* The closing line: what the capture held and what was not printed in full. */
static void summary(struct out *o, const char *path, const char *format,
                    const struct mdp3_dump_stats *st, int rc, size_t err_off)
{
    if (o->json) {
        fputs("{\"summary\":{", o->f);
        o->first = true;
        kv_str(o, "capture", path);
        kv_str(o, "format", format);
    } else {
        fputs("summary", o->f);
    }
    kv_uint(o, "packets", st->n_packets);
    kv_uint(o, "messages", st->n_msgs);
    kv_uint(o, "unknown", st->n_unknown);
    kv_uint(o, "bad_messages", st->n_bad_msgs);
    kv_uint(o, "bad_packets", st->n_bad_pkts);
    kv_uint(o, "skipped_frames", st->n_skipped_frames);
    /* templates=46:3,48:3,5/348:1 (schema/ before a template of another schema than 1) */
    key(o, "templates");
    fputs(o->json ? "{" : "", o->f);
    for (size_t i = 0; i < st->n_templates; i++) {
        const struct mdp3_dump_template *t = &st->templates[i];
        char id[16];
        if (t->schema_id == MDP3_SCHEMA_MDP)
            snprintf(id, sizeof id, "%u", t->template_id);
        else
            snprintf(id, sizeof id, "%u/%u", t->schema_id, t->template_id);
        fprintf(o->f, o->json ? "%s\"%s\":%llu" : "%s%s:%llu", i ? "," : "", id,
                (unsigned long long)t->n);
    }
    if (st->n_other_templates)
        fprintf(o->f, o->json ? "%s\"other\":%llu" : "%sother:%llu", st->n_templates ? "," : "",
                (unsigned long long)st->n_other_templates);
    if (o->json)
        fputc('}', o->f);
    else if (!st->n_templates && !st->n_other_templates)
        fputs("none", o->f);
    if (rc < 0) {
        kv_str(o, "error", gt_strerror(rc));
        kv_uint(o, "error_at", err_off);
    }
    fputs(o->json ? "}}\n" : "\n", o->f);
}

int mdp3_dump_capture_as(FILE *out, enum mdp3_dump_style style, const char *path,
                         struct mdp3_dump_stats *st, char err[GT_ERRLEN])
{
    struct pcap_reader r;
    int rc = pcap_reader_open(&r, path, err);
    if (rc < 0)
        return rc;
    struct mdp3_dump_stats none;
    if (!st)
        st = memset(&none, 0, sizeof none);
    struct out o = {.f = out, .json = style == MDP3_DUMP_JSON};
    static const char *const fmt[] = {"?", "libpcap", "datamine", "raw", "pcapng"};
    if (!o.json)
        fprintf(out, "capture %s format=%s\n", path, fmt[r.format]);
    struct pcap_rec rec;
    int n = 0;
    while ((rc = pcap_reader_next(&r, &rec)) > 0) {
        char ts[48], src[32], dst[32];
        fmt_ns(ts, sizeof ts, (uint64_t)rec.ts_ns);
        fmt_addr(src, sizeof src, rec.src_ip, rec.src_port);
        fmt_addr(dst, sizeof dst, rec.dst_ip, rec.dst_port);
        if (o.json)
            snprintf(o.rec_ctx, sizeof o.rec_ctx,
                     "\"record_off\":%zu,\"ts\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\"", rec.off, ts,
                     src, dst);
        else
            fprintf(out, "record off=%zu ts=%s src=%s dst=%s\n", rec.off, ts, src, dst);
        dump_packet(&o, rec.p, rec.len, st);
        n++;
    }
    st->n_skipped_frames += r.n_skipped;
    summary(&o, path, fmt[r.format], st, rc, r.err_off);
    if (rc < 0)
        snprintf(err, GT_ERRLEN, "%s: %s at file offset %zu", path, gt_strerror(rc), r.err_off);
    pcap_reader_close(&r);
    return rc < 0 ? rc : n;
}

int mdp3_dump_capture(FILE *out, const char *path, struct mdp3_dump_stats *st, char err[GT_ERRLEN])
{
    return mdp3_dump_capture_as(out, MDP3_DUMP_TEXT, path, st, err);
}
