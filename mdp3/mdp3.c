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

/* ---- the tables, expanded ----------------------------------------------- */

/* Each field kind (mdp3.h) is read and written as one of three classes: a
 * little-endian integer of its size, a raw char[n], or a Decimal64. */
#define CLS_U8 SCALAR
#define CLS_U8N SCALAR
#define CLS_HEX8 SCALAR
#define CLS_I8 SCALAR
#define CLS_I8N SCALAR
#define CLS_CH SCALAR
#define CLS_U16N SCALAR
#define CLS_DATE SCALAR
#define CLS_I16 SCALAR
#define CLS_U32 SCALAR
#define CLS_U32N SCALAR
#define CLS_HEX32 SCALAR
#define CLS_I32 SCALAR
#define CLS_I32N SCALAR
#define CLS_QTY4 SCALAR
#define CLS_U64 SCALAR
#define CLS_U64N SCALAR
#define CLS_NS SCALAR
#define CLS_PX SCALAR
#define CLS_DEC64 DEC64
#define CLS_STR STR

/* The null a field newer than the message reads as (0 for kinds without one,
 * which no "since" field has). */
#define NULLV_U8 0
#define NULLV_U8N MDP3_U8_NULL
#define NULLV_HEX8 0
#define NULLV_I8 0
#define NULLV_I8N MDP3_I8_NULL
#define NULLV_CH 0
#define NULLV_U16N MDP3_U16_NULL
#define NULLV_DATE MDP3_U16_NULL
#define NULLV_I16 0
#define NULLV_U32 0
#define NULLV_U32N MDP3_U32_NULL
#define NULLV_HEX32 0
#define NULLV_I32 0
#define NULLV_I32N MDP3_I32_NULL
#define NULLV_QTY4 MDP3_I32_NULL
#define NULLV_U64 0
#define NULLV_U64N MDP3_U64_NULL
#define NULLV_NS MDP3_U64_NULL
#define NULLV_PX MDP3_PX_NULL

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

/* A little-endian unsigned integer of n (constant) bytes. */
static inline uint64_t ld_n(const uint8_t *p, size_t n)
{
    return n == 1 ? p[0] : n == 2 ? ld_le16(p) : n == 4 ? ld_le32(p) : ld_le64(p);
}

static inline void st_n(uint8_t *p, uint64_t v, size_t n)
{
    if (n == 1)
        p[0] = (uint8_t)v;
    else if (n == 2)
        st_le16(p, (uint16_t)v);
    else if (n == 4)
        st_le32(p, (uint32_t)v);
    else
        st_le64(p, v);
}

static void str_get(char *dst, const uint8_t *src, size_t n)
{
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void str_put(uint8_t *dst, const char *src, size_t n)
{
    memcpy(dst, src, n);
}

static struct mdp3_dec64 dec64_get(const uint8_t *p)
{
    struct mdp3_dec64 d = {(int64_t)ld_le64(p), (int8_t)p[8]};
    return d;
}

static void dec64_put(uint8_t *p, struct mdp3_dec64 d)
{
    st_le64(p, (uint64_t)d.mantissa);
    p[8] = (uint8_t)d.exponent;
}

#define LD_SCALAR(dst, p, n) (dst) = ld_n(p, n)
#define LD_STR(dst, p, n) str_get(dst, p, n)
#define LD_DEC64(dst, p, n) (dst) = dec64_get(p)
#define NUL_SCALAR(dst, kind) (dst) = NULLV_##kind
#define NUL_STR(dst, kind) (dst)[0] = '\0'
#define NUL_DEC64(dst, kind)                                                                       \
    (dst) = (struct mdp3_dec64)                                                                    \
    {                                                                                              \
        MDP3_PX_NULL, 0                                                                            \
    }
#define ST_SCALAR(q, v, n) st_n(q, (uint64_t)(v), n)
#define ST_STR(q, v, n) str_put(q, v, n)
#define ST_DEC64(q, v, n) dec64_put(q, v)

#define ENTRY(g, i) ((g)->p + (size_t)(i) * (g)->block_len)

/* Whether a field added in version since (0: in every version) and ending at
 * end is absent from a block of bl bytes at version ver. */
static inline bool absent(unsigned since, unsigned ver, size_t bl, size_t end)
{
    return since && !(ver >= since && end <= bl);
}

/* Decodes one row from p (block length bl, acting version ver) into d->member;
 * a "since" field the message does not hold reads as its null. */
#define DEC_FIELD(m_, key, off, n, kind, since)                                                    \
    if (absent(since, ver, bl, (off) + (n)))                                                       \
        CAT(NUL_, CLS_##kind)(d->m_, kind);                                                        \
    else                                                                                           \
        CAT(LD_, CLS_##kind)(d->m_, p + (off), n);

/* Encodes s->member of one row at q. */
#define ENC_FIELD(m_, key, off, n, kind, since) CAT(ST_, CLS_##kind)(q + (off), s->m_, n);

/* The bytes a table requires: the end of its last field but the "since" ones. */
#define MIN_MEMBER(m_, key, off, n, kind, since) char m_[(since) ? 1 : (off) + (n)];
#define MIN_LEN(TABLE) ((uint16_t)sizeof(union {TABLE(MIN_MEMBER)}))

/* An entry accessor: fn(root, i, entry) reads entry i of group grp by TABLE. */
#define ACCESSOR(fn, root_t, grp, ent_t, TABLE, VER)                                               \
    void fn(const root_t *m, size_t i, ent_t *d)                                                   \
    {                                                                                              \
        const uint8_t *p = ENTRY(&m->grp, i);                                                      \
        size_t bl = m->grp.block_len;                                                              \
        unsigned ver = (VER);                                                                      \
        TABLE(DEC_FIELD)                                                                           \
    }

/* Reads the root block of msg into d by TABLE. */
#define DEC_ROOT(TABLE)                                                                            \
    do {                                                                                           \
        const uint8_t *p = msg->body;                                                              \
        size_t bl = msg->block_len;                                                                \
        unsigned ver = msg->version;                                                               \
        TABLE(DEC_FIELD)                                                                           \
    } while (0)

/* Writes the root s at q by TABLE. */
#define ENC_ROOT(TABLE, q_, s_)                                                                    \
    do {                                                                                           \
        uint8_t *q = (q_);                                                                         \
        const __typeof__(*(s_)) *s = (s_);                                                         \
        TABLE(ENC_FIELD)                                                                           \
    } while (0)

/* Writes n entries from ents at q, blk bytes apart, by TABLE; q ends after them. */
#define ENC_ENTRIES(TABLE, q_, ents, n, blk)                                                       \
    for (size_t i_ = 0; i_ < (n); i_++, (q_) += (blk)) {                                           \
        uint8_t *q = (q_);                                                                         \
        const __typeof__(*(ents)) *s = &(ents)[i_];                                                \
        TABLE(ENC_FIELD)                                                                           \
    }

/* ---- templates ---------------------------------------------------------- */

int mdp3_reset4_decode(const struct mdp3_msg *msg, struct mdp3_reset4 *d)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_CHANNEL_RESET4, MIN_LEN(MDP3_X_ROOT), &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_X_ROOT);
    return grp_parse(msg->body, msg->body_len, &off, DIM_3, MIN_LEN(MDP3_RESET4_ENTRY),
                     &d->entries);
}

ACCESSOR(mdp3_reset4_entry, struct mdp3_reset4, entries, struct mdp3_reset4_entry,
         MDP3_RESET4_ENTRY, 0)

int mdp3_status30_decode(const struct mdp3_msg *msg, struct mdp3_status30 *d)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_SECURITY_STATUS30, MIN_LEN(MDP3_STATUS30_ROOT),
                        &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_STATUS30_ROOT);
    return GT_OK;
}

/* The "X" root shared by 37, 46, 47, 48, 49, 50, 51, and its one or two groups
 * (min_order 0: no second group). */
static int incr_decode(const struct mdp3_msg *msg, uint16_t tid, uint16_t min_entry,
                       uint16_t min_order, struct mdp3_incr *d)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, tid, MIN_LEN(MDP3_X_ROOT), &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_X_ROOT);
    d->version = msg->version;
    d->orders = (struct mdp3_group){msg->body + msg->body_len, 0, 0};
    rc = grp_parse(msg->body, msg->body_len, &off, DIM_3, min_entry, &d->entries);
    if (rc < 0 || !min_order)
        return rc;
    return grp_parse(msg->body, msg->body_len, &off, DIM_8, min_order, &d->orders);
}

int mdp3_volume37_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_VOLUME37, MIN_LEN(MDP3_VOLUME37_ENTRY), 0, m);
}

ACCESSOR(mdp3_volume37_entry, struct mdp3_incr, entries, struct mdp3_volume37_entry,
         MDP3_VOLUME37_ENTRY, m->version)

int mdp3_book46_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_BOOK46, MIN_LEN(MDP3_BOOK46_ENTRY), MIN_LEN(MDP3_BOOK46_ORDER),
                       m);
}

ACCESSOR(mdp3_book46_entry, struct mdp3_incr, entries, struct mdp3_book46_entry, MDP3_BOOK46_ENTRY,
         m->version)
ACCESSOR(mdp3_book46_order, struct mdp3_incr, orders, struct mdp3_book46_order, MDP3_BOOK46_ORDER,
         m->version)

int mdp3_trade48_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_TRADE_SUMMARY48, MIN_LEN(MDP3_TRADE48_ENTRY),
                       MIN_LEN(MDP3_TRADE48_ORDER), m);
}

ACCESSOR(mdp3_trade48_entry, struct mdp3_incr, entries, struct mdp3_trade48_entry,
         MDP3_TRADE48_ENTRY, m->version)
ACCESSOR(mdp3_trade48_order, struct mdp3_incr, orders, struct mdp3_trade48_order,
         MDP3_TRADE48_ORDER, m->version)

int mdp3_daily49_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_DAILY_STATISTICS49, MIN_LEN(MDP3_DAILY49_ENTRY), 0, m);
}

ACCESSOR(mdp3_daily49_entry, struct mdp3_incr, entries, struct mdp3_daily49_entry,
         MDP3_DAILY49_ENTRY, m->version)

int mdp3_limits50_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_LIMITS_BANDING50, MIN_LEN(MDP3_LIMITS50_ENTRY), 0, m);
}

ACCESSOR(mdp3_limits50_entry, struct mdp3_incr, entries, struct mdp3_limits50_entry,
         MDP3_LIMITS50_ENTRY, m->version)

int mdp3_session51_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_SESSION_STATISTICS51, MIN_LEN(MDP3_SESSION51_ENTRY), 0, m);
}

ACCESSOR(mdp3_session51_entry, struct mdp3_incr, entries, struct mdp3_session51_entry,
         MDP3_SESSION51_ENTRY, m->version)

int mdp3_snapshot52_decode(const struct mdp3_msg *msg, struct mdp3_snapshot52 *d)
{
    size_t off;
    int rc =
        root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_SNAPSHOT52, MIN_LEN(MDP3_SNAPSHOT52_ROOT), &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_SNAPSHOT52_ROOT);
    return grp_parse(msg->body, msg->body_len, &off, DIM_3, MIN_LEN(MDP3_SNAPSHOT52_ENTRY),
                     &d->entries);
}

ACCESSOR(mdp3_snapshot52_entry, struct mdp3_snapshot52, entries, struct mdp3_snapshot52_entry,
         MDP3_SNAPSHOT52_ENTRY, 0)

/* The four groups 54 and 56 share, in order: events, feed types, attributes, lot
 * type rules, into *g[0..3]. */
static int def_groups_parse(const struct mdp3_msg *msg, size_t *off, struct mdp3_group *g[4])
{
    static const uint16_t min[4] = {MIN_LEN(MDP3_EVENT), MIN_LEN(MDP3_FEED_TYPE),
                                    MIN_LEN(MDP3_INST_ATTRIB), MIN_LEN(MDP3_LOT_TYPE_RULE)};
    int rc = GT_OK;
    for (int i = 0; i < 4 && rc == GT_OK; i++)
        rc = grp_parse(msg->body, msg->body_len, off, DIM_3, min[i], g[i]);
    return rc;
}

int mdp3_def54_decode(const struct mdp3_msg *msg, struct mdp3_def54 *d)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_DEFINITION_FUTURE54, MIN_LEN(MDP3_DEF54_ROOT),
                        &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_DEF54_ROOT);
    struct mdp3_group *g[4] = {&d->events, &d->feed_types, &d->inst_attribs, &d->lot_type_rules};
    return def_groups_parse(msg, &off, g);
}

ACCESSOR(mdp3_def54_event, struct mdp3_def54, events, struct mdp3_def54_event, MDP3_EVENT, 0)
ACCESSOR(mdp3_def54_feed_type, struct mdp3_def54, feed_types, struct mdp3_def54_feed_type,
         MDP3_FEED_TYPE, 0)
ACCESSOR(mdp3_def54_lot_type_rule, struct mdp3_def54, lot_type_rules,
         struct mdp3_def54_lot_type_rule, MDP3_LOT_TYPE_RULE, 0)

/* NoInstAttrib of 54 is one field: the accessor returns it. */
static ACCESSOR(inst_attrib_get, struct mdp3_def54, inst_attribs, struct mdp3_def54_inst_attrib,
                MDP3_INST_ATTRIB, 0)

    uint32_t mdp3_def54_inst_attrib(const struct mdp3_def54 *m, size_t i)
{
    struct mdp3_def54_inst_attrib a;
    inst_attrib_get(m, i, &a);
    return a.value;
}

int mdp3_orderbook47_decode(const struct mdp3_msg *msg, struct mdp3_incr *m)
{
    return incr_decode(msg, MDP3_T_ORDER_BOOK47, MIN_LEN(MDP3_ORDERBOOK47_ENTRY), 0, m);
}

ACCESSOR(mdp3_orderbook47_entry, struct mdp3_incr, entries, struct mdp3_orderbook47_entry,
         MDP3_ORDERBOOK47_ENTRY, m->version)

int mdp3_snapshot53_decode(const struct mdp3_msg *msg, struct mdp3_snapshot53 *d)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_SNAPSHOT_ORDER_BOOK53,
                        MIN_LEN(MDP3_SNAPSHOT53_ROOT), &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_SNAPSHOT53_ROOT);
    return grp_parse(msg->body, msg->body_len, &off, DIM_3, MIN_LEN(MDP3_SNAPSHOT53_ENTRY),
                     &d->entries);
}

ACCESSOR(mdp3_snapshot53_entry, struct mdp3_snapshot53, entries, struct mdp3_snapshot53_entry,
         MDP3_SNAPSHOT53_ENTRY, 0)

int mdp3_def56_decode(const struct mdp3_msg *msg, struct mdp3_def56 *d)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_MDP, MDP3_T_DEFINITION_SPREAD56, MIN_LEN(MDP3_DEF56_ROOT),
                        &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_DEF56_ROOT);
    struct mdp3_group *g[4] = {&d->events, &d->feed_types, &d->inst_attribs, &d->lot_type_rules};
    if ((rc = def_groups_parse(msg, &off, g)) < 0)
        return rc;
    return grp_parse(msg->body, msg->body_len, &off, DIM_3, MIN_LEN(MDP3_LEG), &d->legs);
}

ACCESSOR(mdp3_def56_event, struct mdp3_def56, events, struct mdp3_def54_event, MDP3_EVENT, 0)
ACCESSOR(mdp3_def56_feed_type, struct mdp3_def56, feed_types, struct mdp3_def54_feed_type,
         MDP3_FEED_TYPE, 0)
ACCESSOR(mdp3_def56_lot_type_rule, struct mdp3_def56, lot_type_rules,
         struct mdp3_def54_lot_type_rule, MDP3_LOT_TYPE_RULE, 0)
ACCESSOR(mdp3_def56_leg, struct mdp3_def56, legs, struct mdp3_def56_leg, MDP3_LEG, 0)
static ACCESSOR(inst_attrib56_get, struct mdp3_def56, inst_attribs, struct mdp3_def54_inst_attrib,
                MDP3_INST_ATTRIB, 0)

    uint32_t mdp3_def56_inst_attrib(const struct mdp3_def56 *m, size_t i)
{
    struct mdp3_def54_inst_attrib a;
    inst_attrib56_get(m, i, &a);
    return a.value;
}

int mdp3_def347_decode(const struct mdp3_msg *msg, struct mdp3_def347 *d)
{
    size_t off;
    int rc = root_check(msg, MDP3_SCHEMA_INDICES, MDP3_T_DEFINITION_INDICES347,
                        MIN_LEN(MDP3_DEF347_ROOT), &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_DEF347_ROOT);
    if ((rc = grp_parse(msg->body, msg->body_len, &off, DIM_ENC, MIN_LEN(MDP3_DEF347_INST_ATTRIB),
                        &d->inst_attribs)) < 0)
        return rc;
    return grp_parse(msg->body, msg->body_len, &off, DIM_ENC, MIN_LEN(MDP3_EVENT), &d->events);
}

ACCESSOR(mdp3_def347_inst_attrib, struct mdp3_def347, inst_attribs, struct mdp3_def347_inst_attrib,
         MDP3_DEF347_INST_ATTRIB, 0)
ACCESSOR(mdp3_def347_event, struct mdp3_def347, events, struct mdp3_def54_event, MDP3_EVENT, 0)

int mdp3_idx348_decode(const struct mdp3_msg *msg, struct mdp3_idx348 *d)
{
    size_t off;
    int rc =
        root_check(msg, MDP3_SCHEMA_INDICES, MDP3_T_INDICES348, MIN_LEN(MDP3_IDX348_ROOT), &off);
    if (rc < 0)
        return rc;
    DEC_ROOT(MDP3_IDX348_ROOT);
    return grp_parse(msg->body, msg->body_len, &off, DIM_3, MIN_LEN(MDP3_IDX348_ENTRY),
                     &d->entries);
}

ACCESSOR(mdp3_idx348_entry, struct mdp3_idx348, entries, struct mdp3_idx348_entry,
         MDP3_IDX348_ENTRY, 0)

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

int mdp3_enc_reset4(struct mdp3_enc *e, const struct mdp3_reset4 *m,
                    const struct mdp3_reset4_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_RESET4_ENTRY_LEN, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_CHANNEL_RESET4, MDP3_RESET4_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    ENC_ROOT(MDP3_X_ROOT, b, m);
    uint8_t *p = enc_dim(b + MDP3_RESET4_ROOT_LEN, &g);
    ENC_ENTRIES(MDP3_RESET4_ENTRY, p, ents, n, g.block_len);
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
    ENC_ROOT(MDP3_STATUS30_ROOT, b, m);
    return GT_OK;
}

/* Begins an "X" template with its root and returns where its first group's
 * dimension goes in *p. */
static int enc_incr(struct mdp3_enc *e, uint16_t tid, const struct mdp3_incr *m,
                    const struct grp_spec *g, size_t n_g, uint8_t **p)
{
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, tid, MDP3_X_ROOT_LEN, g, n_g, &b);
    if (rc < 0)
        return rc;
    ENC_ROOT(MDP3_X_ROOT, b, m);
    *p = b + MDP3_X_ROOT_LEN;
    return GT_OK;
}

int mdp3_enc_volume37(struct mdp3_enc *e, const struct mdp3_incr *m,
                      const struct mdp3_volume37_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_VOLUME37_ENTRY_LEN, n};
    uint8_t *p;
    int rc = enc_incr(e, MDP3_T_VOLUME37, m, &g, 1, &p);
    if (rc < 0)
        return rc;
    p = enc_dim(p, &g);
    ENC_ENTRIES(MDP3_VOLUME37_ENTRY, p, ents, n, g.block_len);
    return GT_OK;
}

int mdp3_enc_book46(struct mdp3_enc *e, const struct mdp3_incr *m,
                    const struct mdp3_book46_entry *ents, size_t n,
                    const struct mdp3_book46_order *ords, size_t n_ords)
{
    struct grp_spec g[2] = {{DIM_3, MDP3_BOOK46_ENTRY_LEN, n},
                            {DIM_8, MDP3_BOOK46_ORDER_LEN, n_ords}};
    uint8_t *p;
    int rc = enc_incr(e, MDP3_T_BOOK46, m, g, 2, &p);
    if (rc < 0)
        return rc;
    p = enc_dim(p, &g[0]);
    ENC_ENTRIES(MDP3_BOOK46_ENTRY, p, ents, n, g[0].block_len);
    p = enc_dim(p, &g[1]);
    ENC_ENTRIES(MDP3_BOOK46_ORDER, p, ords, n_ords, g[1].block_len);
    return GT_OK;
}

int mdp3_enc_trade48(struct mdp3_enc *e, const struct mdp3_incr *m,
                     const struct mdp3_trade48_entry *ents, size_t n,
                     const struct mdp3_trade48_order *ords, size_t n_ords)
{
    struct grp_spec g[2] = {{DIM_3, MDP3_TRADE48_ENTRY_LEN, n},
                            {DIM_8, MDP3_TRADE48_ORDER_LEN, n_ords}};
    uint8_t *p;
    int rc = enc_incr(e, MDP3_T_TRADE_SUMMARY48, m, g, 2, &p);
    if (rc < 0)
        return rc;
    p = enc_dim(p, &g[0]);
    ENC_ENTRIES(MDP3_TRADE48_ENTRY, p, ents, n, g[0].block_len);
    p = enc_dim(p, &g[1]);
    ENC_ENTRIES(MDP3_TRADE48_ORDER, p, ords, n_ords, g[1].block_len);
    return GT_OK;
}

int mdp3_enc_daily49(struct mdp3_enc *e, const struct mdp3_incr *m,
                     const struct mdp3_daily49_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_DAILY49_ENTRY_LEN, n};
    uint8_t *p;
    int rc = enc_incr(e, MDP3_T_DAILY_STATISTICS49, m, &g, 1, &p);
    if (rc < 0)
        return rc;
    p = enc_dim(p, &g);
    ENC_ENTRIES(MDP3_DAILY49_ENTRY, p, ents, n, g.block_len);
    return GT_OK;
}

int mdp3_enc_limits50(struct mdp3_enc *e, const struct mdp3_incr *m,
                      const struct mdp3_limits50_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_LIMITS50_ENTRY_LEN, n};
    uint8_t *p;
    int rc = enc_incr(e, MDP3_T_LIMITS_BANDING50, m, &g, 1, &p);
    if (rc < 0)
        return rc;
    p = enc_dim(p, &g);
    ENC_ENTRIES(MDP3_LIMITS50_ENTRY, p, ents, n, g.block_len);
    return GT_OK;
}

int mdp3_enc_session51(struct mdp3_enc *e, const struct mdp3_incr *m,
                       const struct mdp3_session51_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_SESSION51_ENTRY_LEN, n};
    uint8_t *p;
    int rc = enc_incr(e, MDP3_T_SESSION_STATISTICS51, m, &g, 1, &p);
    if (rc < 0)
        return rc;
    p = enc_dim(p, &g);
    ENC_ENTRIES(MDP3_SESSION51_ENTRY, p, ents, n, g.block_len);
    return GT_OK;
}

int mdp3_enc_snapshot52(struct mdp3_enc *e, const struct mdp3_snapshot52 *m,
                        const struct mdp3_snapshot52_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_SNAPSHOT52_ENTRY_LEN, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_SNAPSHOT52, MDP3_SNAPSHOT52_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    ENC_ROOT(MDP3_SNAPSHOT52_ROOT, b, m);
    uint8_t *p = enc_dim(b + MDP3_SNAPSHOT52_ROOT_LEN, &g);
    ENC_ENTRIES(MDP3_SNAPSHOT52_ENTRY, p, ents, n, g.block_len);
    return GT_OK;
}

/* The four groups 54 and 56 share (events, feed types, attributes, lot type
 * rules, sized by g[0..3]) from p; returns where the next group goes. */
static uint8_t *def_groups_put(uint8_t *p, const struct grp_spec *g,
                               const struct mdp3_def54_event *evs,
                               const struct mdp3_def54_feed_type *fts, const uint32_t *attribs,
                               const struct mdp3_def54_lot_type_rule *lots)
{
    p = enc_dim(p, &g[0]);
    ENC_ENTRIES(MDP3_EVENT, p, evs, g[0].n, g[0].block_len);
    p = enc_dim(p, &g[1]);
    ENC_ENTRIES(MDP3_FEED_TYPE, p, fts, g[1].n, g[1].block_len);
    p = enc_dim(p, &g[2]);
    for (size_t i = 0; i < g[2].n; i++, p += g[2].block_len) {
        struct mdp3_def54_inst_attrib a = {attribs[i]};
        ENC_ROOT(MDP3_INST_ATTRIB, p, &a);
    }
    p = enc_dim(p, &g[3]);
    ENC_ENTRIES(MDP3_LOT_TYPE_RULE, p, lots, g[3].n, g[3].block_len);
    return p;
}

int mdp3_enc_def54(struct mdp3_enc *e, const struct mdp3_def54 *m,
                   const struct mdp3_def54_event *evs, size_t n_evs,
                   const struct mdp3_def54_feed_type *fts, size_t n_fts, const uint32_t *attribs,
                   size_t n_attribs, const struct mdp3_def54_lot_type_rule *lots, size_t n_lots)
{
    struct grp_spec g[4] = {{DIM_3, MDP3_EVENT_LEN, n_evs},
                            {DIM_3, MDP3_FEED_TYPE_LEN, n_fts},
                            {DIM_3, MDP3_INST_ATTRIB_LEN, n_attribs},
                            {DIM_3, MDP3_LOT_TYPE_RULE_LEN, n_lots}};
    uint8_t *b;
    int rc =
        enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_DEFINITION_FUTURE54, MDP3_DEF54_ROOT_LEN, g, 4, &b);
    if (rc < 0)
        return rc;
    ENC_ROOT(MDP3_DEF54_ROOT, b, m);
    def_groups_put(b + MDP3_DEF54_ROOT_LEN, g, evs, fts, attribs, lots);
    return GT_OK;
}

int mdp3_enc_orderbook47(struct mdp3_enc *e, const struct mdp3_incr *m,
                         const struct mdp3_orderbook47_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_ORDERBOOK47_ENTRY_LEN, n};
    uint8_t *p;
    int rc = enc_incr(e, MDP3_T_ORDER_BOOK47, m, &g, 1, &p);
    if (rc < 0)
        return rc;
    p = enc_dim(p, &g);
    ENC_ENTRIES(MDP3_ORDERBOOK47_ENTRY, p, ents, n, g.block_len);
    return GT_OK;
}

int mdp3_enc_snapshot53(struct mdp3_enc *e, const struct mdp3_snapshot53 *m,
                        const struct mdp3_snapshot53_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_SNAPSHOT53_ENTRY_LEN, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_SNAPSHOT_ORDER_BOOK53, MDP3_SNAPSHOT53_ROOT_LEN,
                       &g, 1, &b);
    if (rc < 0)
        return rc;
    ENC_ROOT(MDP3_SNAPSHOT53_ROOT, b, m);
    uint8_t *p = enc_dim(b + MDP3_SNAPSHOT53_ROOT_LEN, &g);
    ENC_ENTRIES(MDP3_SNAPSHOT53_ENTRY, p, ents, n, g.block_len);
    return GT_OK;
}

int mdp3_enc_def56(struct mdp3_enc *e, const struct mdp3_def56 *m,
                   const struct mdp3_def54_event *evs, size_t n_evs,
                   const struct mdp3_def54_feed_type *fts, size_t n_fts, const uint32_t *attribs,
                   size_t n_attribs, const struct mdp3_def54_lot_type_rule *lots, size_t n_lots,
                   const struct mdp3_def56_leg *legs, size_t n_legs)
{
    struct grp_spec g[5] = {{DIM_3, MDP3_EVENT_LEN, n_evs},
                            {DIM_3, MDP3_FEED_TYPE_LEN, n_fts},
                            {DIM_3, MDP3_INST_ATTRIB_LEN, n_attribs},
                            {DIM_3, MDP3_LOT_TYPE_RULE_LEN, n_lots},
                            {DIM_3, MDP3_LEG_LEN, n_legs}};
    uint8_t *b;
    int rc =
        enc_begin(e, MDP3_SCHEMA_MDP, MDP3_T_DEFINITION_SPREAD56, MDP3_DEF56_ROOT_LEN, g, 5, &b);
    if (rc < 0)
        return rc;
    ENC_ROOT(MDP3_DEF56_ROOT, b, m);
    uint8_t *p = def_groups_put(b + MDP3_DEF56_ROOT_LEN, g, evs, fts, attribs, lots);
    p = enc_dim(p, &g[4]);
    ENC_ENTRIES(MDP3_LEG, p, legs, n_legs, g[4].block_len);
    return GT_OK;
}

int mdp3_enc_def347(struct mdp3_enc *e, const struct mdp3_def347 *m,
                    const struct mdp3_def347_inst_attrib *attribs, size_t n_attribs,
                    const struct mdp3_def54_event *evs, size_t n_evs)
{
    struct grp_spec g[2] = {{DIM_ENC, MDP3_DEF347_INST_ATTRIB_LEN, n_attribs},
                            {DIM_ENC, MDP3_EVENT_LEN, n_evs}};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_INDICES, MDP3_T_DEFINITION_INDICES347, MDP3_DEF347_ROOT_LEN,
                       g, 2, &b);
    if (rc < 0)
        return rc;
    ENC_ROOT(MDP3_DEF347_ROOT, b, m);
    uint8_t *p = enc_dim(b + MDP3_DEF347_ROOT_LEN, &g[0]);
    ENC_ENTRIES(MDP3_DEF347_INST_ATTRIB, p, attribs, n_attribs, g[0].block_len);
    p = enc_dim(p, &g[1]);
    ENC_ENTRIES(MDP3_EVENT, p, evs, n_evs, g[1].block_len);
    return GT_OK;
}

int mdp3_enc_idx348(struct mdp3_enc *e, const struct mdp3_idx348 *m,
                    const struct mdp3_idx348_entry *ents, size_t n)
{
    struct grp_spec g = {DIM_3, MDP3_IDX348_ENTRY_LEN, n};
    uint8_t *b;
    int rc = enc_begin(e, MDP3_SCHEMA_INDICES, MDP3_T_INDICES348, MDP3_IDX348_ROOT_LEN, &g, 1, &b);
    if (rc < 0)
        return rc;
    ENC_ROOT(MDP3_IDX348_ROOT, b, m);
    uint8_t *p = enc_dim(b + MDP3_IDX348_ROOT_LEN, &g);
    ENC_ENTRIES(MDP3_IDX348_ENTRY, p, ents, n, g.block_len);
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
    case MDP3_T_ORDER_BOOK47:
        return "MDIncrementalRefreshOrderBook47";
    case MDP3_T_SNAPSHOT_ORDER_BOOK53:
        return "SnapshotFullRefreshOrderBook53";
    case MDP3_T_DEFINITION_SPREAD56:
        return "MDInstrumentDefinitionSpread56";
    case MDP3_T_DEFINITION_FUTURE54:
        return "MDInstrumentDefinitionFuture54";
    }
    return NULL;
}
