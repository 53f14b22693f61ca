/* SPDX-License-Identifier: MIT */
/* block.c -- the column block codec (layout in block.h).
 *
 * One table per kind says which columns its payload has: where the field is
 * in struct gt_tick, how wide it is and how it is coded. The encoder and the
 * decoder walk the same table, column by column and, inside a column, tick by
 * tick, so each inner loop does one thing. The kind's one-byte fields ride in
 * the misc word with the flags; the table gives each one a "usual width" w:
 * the low w bits of every field come first and the rest after, so the word
 * usually fits in one or two varint bytes while every bit still round-trips.
 *
 * The decoder copies the raw columns into the caller's scratch with 16 zero
 * bytes after them, so a varint read that starts inside the columns always
 * ends inside the scratch (a zero byte stops it); checking once per value that
 * the read starts before the end is then enough to stay in bounds. */
#include "block.h"
#include <lz4.h>
#include <lz4hc.h>
#include <stdbool.h>
#include <string.h>
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/err.h"

_Static_assert(BLOCK_BOUND(BLOCK_CAP) >= BLOCK_HDR_LEN + LZ4_COMPRESSBOUND(BLOCK_RAW_MAX),
               "output bound covers LZ4's worst case");
_Static_assert(BLOCK_RAW_MAX <= LZ4_MAX_INPUT_SIZE, "raw columns fit LZ4's input limit");

enum codec {
    C_PX,    /* i64 price: delta in ticks, escape to a raw delta */
    C_SVAL,  /* signed value: zz(v) */
    C_UVAL,  /* unsigned value: v */
    C_DELTA, /* zz(v - prev), wrapping at the field's width */
    C_BYTES, /* size raw bytes */
};

struct col {
    uint8_t off;   /* offset in struct gt_tick */
    uint8_t size;  /* bytes: 1, 2, 4, 8 (any for C_BYTES) */
    uint8_t codec; /* enum codec */
};

struct small {
    uint8_t off;   /* offset of a u8 field in struct gt_tick */
    uint8_t width; /* its usual width in bits, which go in the low part of misc */
};

enum { MAX_COLS = 6, MAX_SMALL = 5, PX_HUGE = 1 };

struct schema {
    uint8_t flags_width; /* usual width of the flags */
    uint8_t n_small, n_cols;
    struct small small[MAX_SMALL];
    struct col cols[MAX_COLS];
};

#define OFF(f) ((uint8_t)offsetof(struct gt_tick, f))
#define SZ(f) ((uint8_t)sizeof(((struct gt_tick *)0)->f))
#define COL(f, c)                                                                                  \
    {                                                                                              \
        OFF(f), SZ(f), c                                                                           \
    }

/* clang-format off */
static const struct schema schemas[GT_KIND_MAX + 1] = {
    [GT_KIND_TRADE] = {3, 2, 4,
        {{OFF(u.trade.aggressor), 2}, {OFF(u.trade.action), 2}},
        {COL(u.trade.px, C_PX), COL(u.trade.qty, C_SVAL), COL(u.trade.trade_id, C_DELTA),
         COL(u.trade.n_orders, C_SVAL)}},
    [GT_KIND_LEVEL] = {4, 3, 4,
        {{OFF(u.level.level), 4}, {OFF(u.level.side), 2}, {OFF(u.level.action), 3}},
        {COL(u.level.px, C_PX), COL(u.level.qty, C_SVAL), COL(u.level.n_orders, C_SVAL),
         COL(u.level.rpt_seq, C_DELTA)}},
    [GT_KIND_TOB] = {3, 0, 6,
        {{0, 0}},
        {COL(u.tob.bid_px, C_PX), COL(u.tob.ask_px, C_PX), COL(u.tob.bid_qty, C_SVAL),
         COL(u.tob.ask_qty, C_SVAL), COL(u.tob.bid_orders, C_UVAL),
         COL(u.tob.ask_orders, C_UVAL)}},
    [GT_KIND_FIXING] = {3, 2, 3,
        {{OFF(u.fixing.code), 3}, {OFF(u.fixing.entry_type), 6}},
        {COL(u.fixing.px, C_PX), COL(u.fixing.date, C_DELTA), COL(u.fixing.rpt_seq, C_DELTA)}},
    [GT_KIND_STAT] = {3, 3, 3,
        {{OFF(u.stat.type), 4}, {OFF(u.stat.settl_flags), 4}, {OFF(u.stat.open_close), 8}},
        {COL(u.stat.px, C_PX), COL(u.stat.qty, C_SVAL), COL(u.stat.date, C_DELTA)}},
    [GT_KIND_STATUS] = {3, 5, 3,
        {{OFF(u.status.trading), 5}, {OFF(u.status.halt_reason), 3}, {OFF(u.status.event), 3},
         {OFF(u.status.feed), 2}, {OFF(u.status.cause), 3}},
        {COL(u.status.gap_from, C_UVAL), COL(u.status.gap_to, C_UVAL),
         COL(u.status.date, C_DELTA)}},
    [GT_KIND_DEF] = {3, 2, 4,
        {{OFF(u.def.depth), 4}, {OFF(u.def.type), 2}},
        {COL(u.def.tick_px, C_SVAL), COL(u.def.maturity, C_UVAL), COL(u.def.product, C_BYTES),
         COL(u.def.symbol, C_BYTES)}},
};
/* clang-format on */

/* ---- varints ---- */

static inline uint64_t zz_enc(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t zz_dec(uint64_t u)
{
    return (int64_t)((u >> 1) ^ (0 - (u & 1)));
}

static inline uint8_t *put_var(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline int var_len(uint64_t v)
{
    int n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Reads at most 10 bytes; the caller guarantees they are readable. */
static inline uint64_t get_var(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint64_t v = *p & 0x7f;
    if (*p++ < 0x80) {
        *pp = p;
        return v;
    }
    for (int shift = 7; shift < 64; shift += 7) {
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80)
            break;
    }
    *pp = p;
    return v;
}

/* ---- fields of struct gt_tick by offset and size ---- */

static inline uint64_t fld_get(const struct gt_tick *t, unsigned off, unsigned size)
{
    const uint8_t *p = (const uint8_t *)t + off;
    switch (size) {
    case 1:
        return *p;
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static inline void fld_set(struct gt_tick *t, unsigned off, unsigned size, uint64_t v)
{
    uint8_t *p = (uint8_t *)t + off;
    switch (size) {
    case 1:
        *p = (uint8_t)v;
        break;
    case 2: {
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    default:
        memcpy(p, &v, 8);
        break;
    }
}

/* Sign-extends the low size*8 bits of v. */
static inline int64_t sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * size;
    return (int64_t)(v << sh) >> sh;
}

static inline uint64_t mask(unsigned bits)
{
    return bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
}

static uint64_t misc_pack(const struct schema *s, const struct gt_tick *t)
{
    unsigned fw = s->flags_width, at = fw;
    uint64_t lo = t->flags & mask(fw), hi = (uint64_t)t->flags >> fw;
    unsigned hi_at = 16 - fw;
    for (unsigned i = 0; i < s->n_small; i++) {
        uint64_t v = fld_get(t, s->small[i].off, 1);
        unsigned w = s->small[i].width;
        lo |= (v & mask(w)) << at;
        at += w;
        hi |= (v >> w) << hi_at;
        hi_at += 8 - w;
    }
    return lo | (hi << at);
}

static void misc_unpack(const struct schema *s, struct gt_tick *t, uint64_t word)
{
    unsigned fw = s->flags_width, lo_bits = fw;
    for (unsigned i = 0; i < s->n_small; i++)
        lo_bits += s->small[i].width;
    uint64_t lo = word & mask(lo_bits), hi = lo_bits >= 64 ? 0 : word >> lo_bits;
    t->flags = (uint16_t)((lo & mask(fw)) | ((hi & mask(16 - fw)) << fw));
    unsigned at = fw, hi_at = 16 - fw;
    for (unsigned i = 0; i < s->n_small; i++) {
        unsigned w = s->small[i].width;
        uint64_t v = ((lo >> at) & mask(w)) | (((hi >> hi_at) & mask(8 - w)) << w);
        fld_set(t, s->small[i].off, 1, v);
        at += w;
        hi_at += 8 - w;
    }
}

/* ---- the price grid ---- */

static inline bool px_huge(uint64_t d)
{
    int64_t s = (int64_t)d;
    return s >= ((int64_t)1 << 53) || s <= -((int64_t)1 << 53);
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* The grid of the block's price moves that are not huge: their GCD. */
static int64_t px_grid(const struct schema *s, const struct gt_tick *t, size_t n)
{
    uint64_t g = 0;
    for (unsigned c = 0; c < s->n_cols; c++) {
        if (s->cols[c].codec != C_PX)
            continue;
        uint64_t prev = 0;
        for (size_t i = 0; i < n && g != 1; i++) {
            uint64_t v = fld_get(&t[i], s->cols[c].off, 8), d = v - prev;
            prev = v;
            if (d == 0 || px_huge(d))
                continue;
            int64_t sd = (int64_t)d;
            g = gcd64(g, (uint64_t)(sd < 0 ? -sd : sd));
        }
    }
    return g > 1 && g < ((uint64_t)1 << 53) ? (int64_t)g : 0;
}

/* ---- encoder ---- */

static uint8_t *col_encode(const struct col *c, const struct gt_tick *t, size_t n, int64_t tick,
                           uint8_t *p)
{
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (c->codec == C_BYTES) {
            memcpy(p, (const uint8_t *)&t[i] + c->off, c->size);
            p += c->size;
            continue;
        }
        uint64_t v = fld_get(&t[i], c->off, c->size);
        switch (c->codec) {
        case C_PX: {
            uint64_t d = v - prev;
            int64_t sd = (int64_t)d;
            if (tick < 2) {
                p = put_var(p, zz_enc(sd));
            } else if (!px_huge(d) && sd % tick == 0) {
                p = put_var(p, zz_enc(sd / tick) << 1);
            } else {
                *p++ = PX_HUGE;
                p = put_var(p, zz_enc(sd));
            }
            break;
        }
        case C_SVAL:
            p = put_var(p, zz_enc(sext(v, c->size)));
            break;
        case C_UVAL:
            p = put_var(p, v);
            break;
        default: /* C_DELTA */
            p = put_var(p, zz_enc(sext(v - prev, c->size)));
            break;
        }
        prev = v;
    }
    return p;
}

/* Whether plain deltas encode this block's exchange times shorter than
 * delta-of-deltas. */
static bool ts_prefer_delta(const struct gt_tick *t, size_t n)
{
    size_t by_delta = 0, by_dod = 0;
    uint64_t prev = (uint64_t)t[0].exch_ns, prev_d = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)t[i].exch_ns - prev;
        by_delta += (size_t)var_len(zz_enc((int64_t)d));
        by_dod += (size_t)var_len(zz_enc((int64_t)(d - prev_d)));
        prev = (uint64_t)t[i].exch_ns;
        prev_d = d;
    }
    return by_delta < by_dod;
}

static void hdr_write(uint8_t *p, const struct block_hdr *h)
{
    st_le32(p, BLOCK_MAGIC);
    p[4] = h->version;
    p[5] = h->kind;
    st_le16(p + 6, h->flags);
    st_le32(p + 8, (uint32_t)h->instr_id);
    st_le32(p + 12, h->count);
    st_le64(p + 16, (uint64_t)h->first_ns);
    st_le64(p + 24, (uint64_t)h->last_ns);
    st_le64(p + 32, (uint64_t)h->min_ns);
    st_le64(p + 40, (uint64_t)h->max_ns);
    st_le64(p + 48, h->first_seq);
    st_le64(p + 56, h->last_seq);
    st_le64(p + 64, (uint64_t)h->tick_px);
    st_le32(p + 72, h->raw_len);
    st_le32(p + 76, h->comp_len);
}

static uint32_t block_crc(const uint8_t *p, size_t payload_len)
{
    uint32_t crc = gt_crc32c(0, p, 80);
    return gt_crc32c(crc, p + BLOCK_HDR_LEN, payload_len);
}

int block_encode(const struct gt_tick *t, size_t n, int64_t tick_px, int hc_level, uint8_t *scratch,
                 uint8_t *out, size_t cap)
{
    if (n == 0 || n > BLOCK_CAP || cap < BLOCK_BOUND(n))
        return GT_EINVAL;
    unsigned kind = t[0].kind;
    if (kind < 1 || kind > GT_KIND_MAX)
        return GT_EINVAL;
    struct block_hdr h = {.version = BLOCK_VERSION,
                          .kind = (uint8_t)kind,
                          .instr_id = t[0].instr_id,
                          .count = (uint32_t)n,
                          .first_ns = t[0].exch_ns,
                          .last_ns = t[n - 1].exch_ns,
                          .min_ns = t[0].exch_ns,
                          .max_ns = t[0].exch_ns,
                          .first_seq = t[0].seq,
                          .last_seq = t[n - 1].seq};
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind != kind || t[i].instr_id != h.instr_id || t[i].version != GT_TICK_VERSION)
            return GT_EINVAL;
        if (t[i].exch_ns < h.min_ns)
            h.min_ns = t[i].exch_ns;
        if (t[i].exch_ns > h.max_ns)
            h.max_ns = t[i].exch_ns;
    }
    const struct schema *s = &schemas[kind];
    h.tick_px = tick_px > 1 ? tick_px : px_grid(s, t, n);
    bool ts_delta = ts_prefer_delta(t, n);

    uint8_t *p = scratch;
    uint64_t prev = (uint64_t)h.first_ns, prev_d = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)t[i].exch_ns - prev;
        p = put_var(p, zz_enc((int64_t)(ts_delta ? d : d - prev_d)));
        prev = (uint64_t)t[i].exch_ns;
        prev_d = d;
    }
    for (size_t i = 0; i < n; i++)
        p = put_var(p, zz_enc((int64_t)((uint64_t)t[i].recv_ns - (uint64_t)t[i].exch_ns)));
    uint64_t prev_seq = h.first_seq - 1;
    for (size_t i = 0; i < n; i++) {
        p = put_var(p, zz_enc((int64_t)(t[i].seq - prev_seq - 1)));
        prev_seq = t[i].seq;
    }
    for (size_t i = 0; i < n; i++)
        p = put_var(p, misc_pack(s, &t[i]));
    for (unsigned c = 0; c < s->n_cols; c++)
        p = col_encode(&s->cols[c], t, n, h.tick_px, p);
    h.raw_len = (uint32_t)(p - scratch);

    int room = (int)(cap - BLOCK_HDR_LEN), clen;
    if (hc_level > 0)
        clen = LZ4_compress_HC((const char *)scratch, (char *)out + BLOCK_HDR_LEN, (int)h.raw_len,
                               room, hc_level);
    else
        clen = LZ4_compress_default((const char *)scratch, (char *)out + BLOCK_HDR_LEN,
                                    (int)h.raw_len, room);
    h.flags = (uint16_t)(ts_delta ? BLOCK_F_TS_DELTA : 0);
    if (clen > 0 && (uint32_t)clen < h.raw_len) {
        h.flags |= BLOCK_F_LZ4 | (hc_level > 0 ? BLOCK_F_HC : 0);
        h.comp_len = (uint32_t)clen;
    } else {
        memcpy(out + BLOCK_HDR_LEN, scratch, h.raw_len);
        h.comp_len = h.raw_len;
    }
    hdr_write(out, &h);
    st_le32(out + 80, block_crc(out, h.comp_len));
    return (int)(BLOCK_HDR_LEN + h.comp_len);
}

/* ---- decoder ---- */

int block_hdr_read(const uint8_t *p, size_t len, struct block_hdr *h)
{
    if (len < BLOCK_HDR_LEN)
        return GT_ETRUNC;
    if (ld_le32(p) != BLOCK_MAGIC)
        return GT_EBADMSG;
    h->version = p[4];
    if (h->version != BLOCK_VERSION)
        return GT_EVERSION;
    h->kind = p[5];
    h->flags = ld_le16(p + 6);
    h->instr_id = (int32_t)ld_le32(p + 8);
    h->count = ld_le32(p + 12);
    h->first_ns = (int64_t)ld_le64(p + 16);
    h->last_ns = (int64_t)ld_le64(p + 24);
    h->min_ns = (int64_t)ld_le64(p + 32);
    h->max_ns = (int64_t)ld_le64(p + 40);
    h->first_seq = ld_le64(p + 48);
    h->last_seq = ld_le64(p + 56);
    h->tick_px = (int64_t)ld_le64(p + 64);
    h->raw_len = ld_le32(p + 72);
    h->comp_len = ld_le32(p + 76);
    h->crc = ld_le32(p + 80);
    if (h->kind < 1 || h->kind > GT_KIND_MAX || h->count < 1 || h->count > BLOCK_CAP ||
        h->raw_len > (uint64_t)h->count * BLOCK_TICK_RAW_MAX || h->comp_len > BLOCK_OUT_MAX ||
        (!(h->flags & BLOCK_F_LZ4) && h->comp_len != h->raw_len))
        return GT_EBADMSG;
    if (len - BLOCK_HDR_LEN < h->comp_len)
        return GT_ETRUNC;
    if (len - BLOCK_HDR_LEN > h->comp_len)
        return GT_EBADMSG;
    return GT_OK;
}

/* Decodes one payload column; returns the read position or NULL when a value
 * would start at or past end. */
static const uint8_t *col_decode(const struct col *c, struct gt_tick *t, size_t n, int64_t tick,
                                 const uint8_t *p, const uint8_t *end)
{
    uint64_t prev = 0, v;
    for (size_t i = 0; i < n; i++) {
        if (c->codec == C_BYTES) {
            if (p > end || (size_t)(end - p) < c->size)
                return NULL;
            memcpy((uint8_t *)&t[i] + c->off, p, c->size);
            p += c->size;
            continue;
        }
        if (p >= end)
            return NULL;
        uint64_t u = get_var(&p);
        switch (c->codec) {
        case C_PX:
            if (tick < 2) {
                v = prev + (uint64_t)zz_dec(u);
            } else if (!(u & 1)) {
                v = prev + (uint64_t)zz_dec(u >> 1) * (uint64_t)tick;
            } else {
                if (p >= end)
                    return NULL;
                v = prev + (uint64_t)zz_dec(get_var(&p));
            }
            break;
        case C_SVAL:
            v = (uint64_t)zz_dec(u);
            break;
        case C_UVAL:
            v = u;
            break;
        default: /* C_DELTA */
            v = prev + (uint64_t)zz_dec(u);
            break;
        }
        v &= mask(8u * c->size);
        fld_set(&t[i], c->off, c->size, v);
        prev = v;
    }
    return p;
}

int block_decode(const uint8_t *p, size_t len, struct gt_tick *out, size_t cap, uint8_t *scratch,
                 struct block_hdr *hp)
{
    struct block_hdr hbuf, *h = hp ? hp : &hbuf;
    int rc = block_hdr_read(p, len, h);
    if (rc < 0)
        return rc;
    if (block_crc(p, h->comp_len) != h->crc)
        return GT_ECORRUPT;
    size_t n = h->count;
    if (n > cap)
        return GT_EINVAL;
    if (h->flags & BLOCK_F_LZ4) {
        int got = LZ4_decompress_safe((const char *)p + BLOCK_HDR_LEN, (char *)scratch,
                                      (int)h->comp_len, (int)h->raw_len);
        if (got < 0 || (uint32_t)got != h->raw_len)
            return GT_EBADMSG;
    } else {
        memcpy(scratch, p + BLOCK_HDR_LEN, h->raw_len);
    }
    memset(scratch + h->raw_len, 0, 16);
    const uint8_t *q = scratch, *end = scratch + h->raw_len;
    const struct schema *s = &schemas[h->kind];

    uint64_t prev = (uint64_t)h->first_ns, prev_d = 0;
    bool ts_delta = h->flags & BLOCK_F_TS_DELTA;
    for (size_t i = 0; i < n; i++) {
        if (q >= end)
            return GT_EBADMSG;
        uint64_t d = (uint64_t)zz_dec(get_var(&q));
        if (!ts_delta)
            d += prev_d;
        prev += d;
        prev_d = d;
        struct gt_tick *t = &out[i];
        memset(t->u.raw, 0, sizeof t->u.raw);
        t->version = GT_TICK_VERSION;
        t->kind = h->kind;
        t->instr_id = h->instr_id;
        t->exch_ns = (int64_t)prev;
    }
    for (size_t i = 0; i < n; i++) {
        if (q >= end)
            return GT_EBADMSG;
        out[i].recv_ns = (int64_t)((uint64_t)out[i].exch_ns + (uint64_t)zz_dec(get_var(&q)));
    }
    uint64_t seq = h->first_seq - 1;
    for (size_t i = 0; i < n; i++) {
        if (q >= end)
            return GT_EBADMSG;
        seq += (uint64_t)zz_dec(get_var(&q)) + 1;
        out[i].seq = seq;
    }
    for (size_t i = 0; i < n; i++) {
        if (q >= end)
            return GT_EBADMSG;
        misc_unpack(s, &out[i], get_var(&q));
    }
    for (unsigned c = 0; c < s->n_cols && q; c++)
        q = col_decode(&s->cols[c], out, n, h->tick_px, q, end);
    if (q != end || out[n - 1].exch_ns != h->last_ns || out[n - 1].seq != h->last_seq ||
        out[0].seq != h->first_seq)
        return GT_EBADMSG;
    return (int)n;
}
