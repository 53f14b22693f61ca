/* SPDX-License-Identifier: MIT */
/* block.c -- the column block codec (layout in block.h).
 *
 * One table per kind says which columns its payload has: where the field is
 * in struct gt_tick, how wide it is and how it is coded. The encoder and the
 * decoder walk the same table, column by column and, inside a column, tick by
 * tick, so each inner loop does one thing. The encoder first turns a column
 * into one u64 per tick (zigzagged deltas and so on), then stores those the
 * shortest way for this block: varints, bit-packed at the width of the
 * widest, or a single value when all are equal (a field that never changes
 * costs nothing).
 *
 * The decoder copies the raw columns into the caller's scratch with
 * BLOCK_PAD zero bytes after them, so a varint read that starts inside the
 * columns always ends inside the scratch (a zero byte stops it), and an 8-byte
 * load for a packed value never leaves it; checking once per value that a
 * varint starts before the end is then enough to stay in bounds. */
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

enum { MAX_COLS = 8, PX_ESCAPE = 1 };

struct schema {
    uint8_t n_cols;
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
    [GT_KIND_TRADE] = {6, {
        COL(u.trade.px, C_PX), COL(u.trade.qty, C_SVAL), COL(u.trade.trade_id, C_DELTA),
        COL(u.trade.n_orders, C_SVAL), COL(u.trade.aggressor, C_UVAL),
        COL(u.trade.action, C_UVAL)}},
    [GT_KIND_LEVEL] = {7, {
        COL(u.level.px, C_PX), COL(u.level.qty, C_SVAL), COL(u.level.n_orders, C_SVAL),
        COL(u.level.level, C_UVAL), COL(u.level.side, C_UVAL), COL(u.level.action, C_UVAL),
        COL(u.level.rpt_seq, C_DELTA)}},
    [GT_KIND_TOB] = {6, {
        COL(u.tob.bid_px, C_PX), COL(u.tob.ask_px, C_PX), COL(u.tob.bid_qty, C_SVAL),
        COL(u.tob.ask_qty, C_SVAL), COL(u.tob.bid_orders, C_UVAL),
        COL(u.tob.ask_orders, C_UVAL)}},
    [GT_KIND_FIXING] = {5, {
        COL(u.fixing.px, C_PX), COL(u.fixing.date, C_DELTA), COL(u.fixing.code, C_UVAL),
        COL(u.fixing.entry_type, C_UVAL), COL(u.fixing.rpt_seq, C_DELTA)}},
    [GT_KIND_STAT] = {6, {
        COL(u.stat.px, C_PX), COL(u.stat.qty, C_SVAL), COL(u.stat.type, C_UVAL),
        COL(u.stat.settl_flags, C_UVAL), COL(u.stat.open_close, C_UVAL),
        COL(u.stat.date, C_DELTA)}},
    [GT_KIND_STATUS] = {8, {
        COL(u.status.trading, C_UVAL), COL(u.status.halt_reason, C_UVAL),
        COL(u.status.event, C_UVAL), COL(u.status.feed, C_UVAL), COL(u.status.cause, C_UVAL),
        COL(u.status.gap_from, C_UVAL), COL(u.status.gap_to, C_UVAL),
        COL(u.status.date, C_DELTA)}},
    [GT_KIND_DEF] = {6, {
        COL(u.def.tick_px, C_SVAL), COL(u.def.maturity, C_UVAL), COL(u.def.depth, C_UVAL),
        COL(u.def.type, C_UVAL), COL(u.def.product, C_BYTES), COL(u.def.symbol, C_BYTES)}},
    [GT_KIND_ORDER] = {6, {
        COL(u.order.px, C_PX), COL(u.order.order_id, C_DELTA), COL(u.order.priority, C_DELTA),
        COL(u.order.qty, C_SVAL), COL(u.order.side, C_UVAL), COL(u.order.action, C_UVAL)}},
};
/* clang-format on */

/* The flags column, common to all kinds. */
static const struct col flags_col = COL(flags, C_UVAL);

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
        uint64_t prev = fld_get(&t[0], s->cols[c].off, 8);
        for (size_t i = 1; i < n && g != 1; i++) {
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

/* ---- columns: a mode byte, then varints, packed bits or one value ---- */

enum {
    MODE_VARINT = 0, /* 1..64: bit-packed at that width */
    MODE_CONST = 65, /* one varint, the value of every row */
};

static unsigned bit_width(uint64_t v)
{
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/* The shortest mode for vals[0..n). */
static unsigned col_mode(const uint64_t *vals, size_t n)
{
    uint64_t all = 0;
    size_t by_var = 0;
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        all |= vals[i];
        by_var += (size_t)var_len(vals[i]);
        same &= vals[i] == vals[0];
    }
    if (same)
        return MODE_CONST;
    unsigned w = bit_width(all);
    return by_var <= (n * w + 7) / 8 ? MODE_VARINT : w;
}

/* Writes vals[0..n) in mode. */
static uint8_t *col_write(uint8_t *p, unsigned mode, const uint64_t *vals, size_t n)
{
    *p++ = (uint8_t)mode;
    if (mode == MODE_CONST)
        return put_var(p, vals[0]);
    if (mode == MODE_VARINT) {
        for (size_t i = 0; i < n; i++)
            p = put_var(p, vals[i]);
        return p;
    }
    unsigned w = mode;
    uint64_t acc = 0;
    unsigned have = 0; /* bits in acc */
    for (size_t i = 0; i < n; i++) {
        acc |= vals[i] << have;
        if (have + w >= 64) {
            st_le64(p, acc);
            p += 8;
            unsigned used = 64 - have; /* bits of vals[i] that went out */
            acc = used < 64 ? vals[i] >> used : 0;
            have = have + w - 64;
        } else {
            have += w;
        }
    }
    for (; have > 0; have = have > 8 ? have - 8 : 0) {
        *p++ = (uint8_t)acc;
        acc >>= 8;
    }
    return p;
}

static uint8_t *col_emit(uint8_t *p, const uint64_t *vals, size_t n)
{
    return col_write(p, col_mode(vals, n), vals, n);
}

/* The u64 array in the caller's scratch for one column's values. */
static uint64_t *block_vals(uint8_t *scratch)
{
    return (uint64_t *)(void *)(((uintptr_t)scratch + BLOCK_VALS_AT + 7) & ~(uintptr_t)7);
}

/* ---- encoder ---- */

/* A price column. Moves on the grid are zz(delta / tick) in the packed and
 * constant modes; in varint mode they are shifted left by one so that an odd
 * value can announce an escape to a raw delta (a move off the grid or huge). */
static uint8_t *col_px_encode(const struct col *c, const struct gt_tick *t, size_t n, int64_t tick,
                              uint64_t *vals, uint8_t *p)
{
    uint64_t base = fld_get(&t[0], c->off, 8), prev = base;
    bool escape = false;
    p = put_var(p, zz_enc((int64_t)base));
    for (size_t i = 0; i < n; i++) {
        uint64_t v = fld_get(&t[i], c->off, 8), d = v - prev;
        int64_t sd = (int64_t)d;
        prev = v;
        if (tick < 2)
            vals[i] = zz_enc(sd);
        else if (!px_huge(d) && sd % tick == 0)
            vals[i] = zz_enc(sd / tick);
        else
            escape = true;
    }
    unsigned mode = escape ? MODE_VARINT : col_mode(vals, n);
    if (mode != MODE_VARINT || tick < 2)
        return col_write(p, mode, vals, n);
    *p++ = MODE_VARINT;
    prev = base;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = fld_get(&t[i], c->off, 8), d = v - prev;
        int64_t sd = (int64_t)d;
        prev = v;
        if (!px_huge(d) && sd % tick == 0) {
            p = put_var(p, zz_enc(sd / tick) << 1);
        } else {
            *p++ = PX_ESCAPE;
            p = put_var(p, zz_enc(sd));
        }
    }
    return p;
}

static uint8_t *col_encode(const struct col *c, const struct gt_tick *t, size_t n, int64_t tick,
                           uint64_t *vals, uint8_t *p)
{
    if (c->codec == C_BYTES) {
        for (size_t i = 0; i < n; i++) {
            memcpy(p, (const uint8_t *)&t[i] + c->off, c->size);
            p += c->size;
        }
        return p;
    }
    if (c->codec == C_PX)
        return col_px_encode(c, t, n, tick, vals, p);
    uint64_t prev = fld_get(&t[0], c->off, c->size);
    if (c->codec == C_DELTA)
        p = put_var(p, prev);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = fld_get(&t[i], c->off, c->size);
        switch (c->codec) {
        case C_SVAL:
            vals[i] = zz_enc(sext(v, c->size));
            break;
        case C_UVAL:
            vals[i] = v;
            break;
        default: /* C_DELTA */
            vals[i] = zz_enc(sext(v - prev, c->size));
            break;
        }
        prev = v;
    }
    return col_emit(p, vals, n);
}

/* Whether plain deltas encode this block's exchange times shorter than
 * delta-of-deltas (judged by varint length). */
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
    uint64_t *vals = block_vals(scratch);

    uint64_t prev = (uint64_t)h.first_ns, prev_d = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)t[i].exch_ns - prev;
        vals[i] = zz_enc((int64_t)(ts_delta ? d : d - prev_d));
        prev = (uint64_t)t[i].exch_ns;
        prev_d = d;
    }
    uint8_t *p = col_emit(scratch, vals, n);
    uint64_t prev_lat = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t lat = (uint64_t)t[i].recv_ns - (uint64_t)t[i].exch_ns;
        vals[i] = zz_enc((int64_t)(lat - prev_lat));
        prev_lat = lat;
    }
    p = col_emit(p, vals, n);
    uint64_t prev_seq = h.first_seq - 1;
    for (size_t i = 0; i < n; i++) {
        vals[i] = zz_enc((int64_t)(t[i].seq - prev_seq - 1));
        prev_seq = t[i].seq;
    }
    p = col_emit(p, vals, n);
    p = col_encode(&flags_col, t, n, 0, vals, p);
    for (unsigned c = 0; c < s->n_cols; c++)
        p = col_encode(&s->cols[c], t, n, h.tick_px, vals, p);
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
        h->raw_len > BLOCK_RAW_LEN(h->count) || h->comp_len > BLOCK_OUT_MAX ||
        (!(h->flags & BLOCK_F_LZ4) && h->comp_len != h->raw_len))
        return GT_EBADMSG;
    if (len - BLOCK_HDR_LEN < h->comp_len)
        return GT_ETRUNC;
    if (len - BLOCK_HDR_LEN > h->comp_len)
        return GT_EBADMSG;
    return GT_OK;
}

/* Steps over one varint as get_var() reads it (at most 10 bytes). */
static inline const uint8_t *var_skip(const uint8_t *p)
{
    for (int i = 0; i < 9 && *p >= 0x80; i++)
        p++;
    return p + 1;
}

/* A run of varints read with their chain of dependencies cut short. Read one
 * at a time, where a varint starts is known only once the one before it is
 * decoded, and when lengths vary from row to row (times, quantities) the
 * branches on them mispredict. Here the ends of the varints (the bytes
 * without the continuation bit) of 8 bytes at a time are found at once, so
 * each start follows from the previous end in a couple of instructions and
 * the decodes, one 8-byte load and three shift-and-mask steps each, overlap.
 * A varint longer than 8 bytes (a value of 2^56 or more, or a malformed one)
 * goes to get_var(), so the values and positions are exactly get_var()'s.
 * The caller checks that each varint starts before the end of the columns;
 * the loads then stay within the zero pad after them, whose first byte ends
 * any varint still open. */
#define VAR_ENDS(x) (~(x)&UINT64_C(0x8080808080808080))
struct vrun {
    const uint8_t *s; /* the next varint */
    const uint8_t *w; /* the 8 bytes whose ends are in t */
    uint64_t t;       /* their ends not taken yet: bit 7 of each such byte */
};

static inline void vrun_start(struct vrun *r, const uint8_t *p)
{
    r->s = r->w = p;
    r->t = VAR_ENDS(ld_le64(p));
}

/* The end of the next varint. */
static inline const uint8_t *vrun_end(struct vrun *r)
{
    while (!r->t) {
        r->w += 8;
        r->t = VAR_ENDS(ld_le64(r->w));
    }
    return r->w + ((unsigned)__builtin_ctzll(r->t) >> 3);
}

static inline uint64_t vrun_get(struct vrun *r)
{
    const uint8_t *e = vrun_end(r), *p = r->s;
    size_t len = (size_t)(e - p) + 1;
    if (len > 8) {
        uint64_t v = get_var(&p);
        vrun_start(r, p);
        return v;
    }
    r->t &= r->t - 1;
    r->s = e + 1;
    uint64_t x = ld_le64(p) & (UINT64_MAX >> (64 - 8 * len));
    x = ((x & UINT64_C(0x7f007f007f007f00)) >> 1) | (x & UINT64_C(0x007f007f007f007f));
    x = ((x & UINT64_C(0x3fff00003fff0000)) >> 2) | (x & UINT64_C(0x00003fff00003fff));
    return ((x & UINT64_C(0x0fffffff00000000)) >> 4) | (x & UINT64_C(0x000000000fffffff));
}

static inline void vrun_skip(struct vrun *r)
{
    const uint8_t *e = vrun_end(r);
    if ((size_t)(e - r->s) >= 10) { /* malformed: get_var() stops at 10 bytes */
        vrun_start(r, var_skip(r->s));
        return;
    }
    r->t &= r->t - 1;
    r->s = e + 1;
}

/* Reads the n values of a column in mode from p into vals, or only steps
 * over them if vals is NULL. Returns the position after the column, or NULL
 * if it does not fit before end. Packed values are read with 8-byte loads
 * that may run up to 8 bytes past end, into the columns that follow or the
 * scratch pad. */
static const uint8_t *vals_read(const uint8_t *p, const uint8_t *end, unsigned mode, size_t n,
                                uint64_t *vals)
{
    if (mode == MODE_VARINT) {
        struct vrun r;
        vrun_start(&r, p);
        for (size_t i = 0; i < n; i++) {
            if (r.s >= end)
                return NULL;
            if (vals)
                vals[i] = vrun_get(&r);
            else
                vrun_skip(&r);
        }
        return r.s;
    }
    if (mode == MODE_CONST) {
        if (p >= end)
            return NULL;
        uint64_t v = get_var(&p);
        for (size_t i = 0; i < n && vals; i++)
            vals[i] = v;
        return p;
    }
    if (mode > 64 || (size_t)(end - p) < (n * mode + 7) / 8)
        return NULL;
    if (!vals)
        return p + (n * mode + 7) / 8;
    uint64_t m = mask(mode), off = 0;
    for (size_t i = 0; i < n; i++, off += mode) {
        const uint8_t *b = p + (off >> 3);
        unsigned sh = (unsigned)(off & 7);
        uint64_t x = ld_le64(b) >> sh;
        if (sh && 64 - sh < mode)
            x |= (uint64_t)b[8] << (64 - sh);
        vals[i] = x & m;
    }
    return p + (n * mode + 7) / 8;
}

/* Opens a column: its mode byte, then its values (vals NULL: steps over them). */
static const uint8_t *col_vals(const uint8_t *p, const uint8_t *end, size_t n, uint64_t *vals)
{
    if (!p || p >= end)
        return NULL;
    unsigned mode = *p++;
    return vals_read(p, end, mode, n, vals);
}

/* Stores vals[i] into the field at off of t[i], one loop per width. */
static void vals_store(struct gt_tick *t, size_t n, unsigned off, unsigned size,
                       const uint64_t *vals)
{
    uint8_t *b = (uint8_t *)t + off;
    switch (size) {
    case 1:
        for (size_t i = 0; i < n; i++)
            b[i * sizeof *t] = (uint8_t)vals[i];
        break;
    case 2:
        for (size_t i = 0; i < n; i++) {
            uint16_t x = (uint16_t)vals[i];
            memcpy(b + i * sizeof *t, &x, 2);
        }
        break;
    case 4:
        for (size_t i = 0; i < n; i++) {
            uint32_t x = (uint32_t)vals[i];
            memcpy(b + i * sizeof *t, &x, 4);
        }
        break;
    default:
        for (size_t i = 0; i < n; i++)
            memcpy(b + i * sizeof *t, &vals[i], 8);
        break;
    }
}

/* A price column in varint mode with tick_px >= 2: values shifted left by
 * one, an odd one announcing a raw delta in the next varint. vals NULL:
 * steps over the column. */
static const uint8_t *px_escaped_read(const uint8_t *p, const uint8_t *end, size_t n, int64_t tick,
                                      uint64_t prev, uint64_t *vals)
{
    struct vrun r;
    vrun_start(&r, p);
    for (size_t i = 0; i < n; i++) {
        if (r.s >= end)
            return NULL;
        if (!vals) {
            bool escape = *r.s & 1; /* the value's lowest bit is its first byte's */
            vrun_skip(&r);
            if (escape && r.s >= end)
                return NULL;
            if (escape)
                vrun_skip(&r);
            continue;
        }
        uint64_t u = vrun_get(&r);
        if (!(u & 1)) {
            prev += (uint64_t)zz_dec(u >> 1) * (uint64_t)tick;
        } else {
            if (r.s >= end)
                return NULL;
            prev += (uint64_t)zz_dec(vrun_get(&r));
        }
        vals[i] = prev;
    }
    return r.s;
}

/* Decodes one payload column into t[0..n), or only steps over it when want is
 * false (the fields then keep the zero they were given); returns the read
 * position or NULL if the column does not fit. */
static const uint8_t *col_decode(const struct col *c, struct gt_tick *t, size_t n, int64_t tick,
                                 const uint8_t *p, const uint8_t *end, uint64_t *vals, bool want)
{
    if (!p || p > end)
        return NULL;
    if (c->codec == C_BYTES) {
        if ((size_t)(end - p) < n * c->size)
            return NULL;
        for (size_t i = 0; i < n && want; i++)
            memcpy((uint8_t *)&t[i] + c->off, p + i * c->size, c->size);
        return p + n * c->size;
    }
    uint64_t prev = 0, m = mask(8u * c->size);
    if (c->codec == C_PX || c->codec == C_DELTA) {
        if (p >= end)
            return NULL;
        prev = get_var(&p);
        prev = c->codec == C_PX ? (uint64_t)zz_dec(prev) : prev & m;
    }
    if (p >= end)
        return NULL;
    unsigned mode = *p++;
    bool escaped = c->codec == C_PX && mode == MODE_VARINT && tick >= 2;
    if (!want)
        return escaped ? px_escaped_read(p, end, n, tick, prev, NULL)
                       : vals_read(p, end, mode, n, NULL);
    if (escaped) {
        p = px_escaped_read(p, end, n, tick, prev, vals);
    } else if ((p = vals_read(p, end, mode, n, vals))) {
        uint64_t unit = c->codec == C_PX && tick >= 2 ? (uint64_t)tick : 1;
        switch (c->codec) {
        case C_PX:
        case C_DELTA:
            for (size_t i = 0; i < n; i++) {
                prev = (prev + (uint64_t)zz_dec(vals[i]) * unit) & m;
                vals[i] = prev;
            }
            break;
        case C_SVAL:
            for (size_t i = 0; i < n; i++)
                vals[i] = (uint64_t)zz_dec(vals[i]);
            break;
        default: /* C_UVAL */
            break;
        }
    }
    if (p)
        vals_store(t, n, c->off, c->size, vals);
    return p;
}

int block_decode(const uint8_t *p, size_t len, struct gt_tick *out, size_t cap, uint8_t *scratch,
                 struct block_hdr *hp)
{
    return block_decode_fields(p, len, out, cap, scratch, hp, GT_FIELDS_ALL);
}

/* Whether the field at offset off is wanted. */
static inline bool wants(uint64_t fields, unsigned off)
{
    return (fields >> off) & 1;
}

int block_decode_fields(const uint8_t *p, size_t len, struct gt_tick *out, size_t cap,
                        uint8_t *scratch, struct block_hdr *hp, uint64_t fields)
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
    memset(scratch + h->raw_len, 0, BLOCK_PAD);
    const uint8_t *q = scratch, *end = scratch + h->raw_len;
    const struct schema *s = &schemas[h->kind];
    uint64_t *vals = block_vals(scratch);

    if (!(q = col_vals(q, end, n, vals)))
        return GT_EBADMSG;
    uint64_t prev = (uint64_t)h->first_ns, prev_d = 0;
    bool ts_delta = h->flags & BLOCK_F_TS_DELTA;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)zz_dec(vals[i]);
        if (!ts_delta)
            d += prev_d;
        prev += d;
        prev_d = d;
        struct gt_tick *t = &out[i];
        memset(t->u.raw, 0, sizeof t->u.raw);
        t->flags = 0;
        t->seq = 0;
        t->recv_ns = 0;
        t->version = GT_TICK_VERSION;
        t->kind = h->kind;
        t->instr_id = h->instr_id;
        t->exch_ns = (int64_t)prev;
    }
    /* The columns not wanted are stepped over, their fields left 0. */
    bool want_recv = wants(fields, OFF(recv_ns)), want_seq = wants(fields, OFF(seq));
    if (!(q = col_vals(q, end, n, want_recv ? vals : NULL)))
        return GT_EBADMSG;
    uint64_t lat = 0;
    for (size_t i = 0; i < n && want_recv; i++) {
        lat += (uint64_t)zz_dec(vals[i]);
        out[i].recv_ns = (int64_t)((uint64_t)out[i].exch_ns + lat);
    }
    if (!(q = col_vals(q, end, n, want_seq ? vals : NULL)))
        return GT_EBADMSG;
    uint64_t seq = h->first_seq - 1;
    for (size_t i = 0; i < n && want_seq; i++) {
        seq += (uint64_t)zz_dec(vals[i]) + 1;
        out[i].seq = seq;
    }
    bool want_flags = wants(fields, OFF(flags));
    q = col_decode(&flags_col, out, n, 0, q, end, vals, want_flags);
    for (unsigned c = 0; c < s->n_cols && q; c++)
        q = col_decode(&s->cols[c], out, n, h->tick_px, q, end, vals,
                       wants(fields, s->cols[c].off));
    if (q != end || out[n - 1].exch_ns != h->last_ns ||
        (want_seq && (out[n - 1].seq != h->last_seq || out[0].seq != h->first_seq)))
        return GT_EBADMSG;
    return (int)n;
}
