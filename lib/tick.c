/* SPDX-License-Identifier: MIT */
/* tick.c -- wire encoding of the normalized tick (layout in tick.h).
 *
 * Encoding writes each field at its documented offset through the st_le*
 * helpers, so the bytes are the same on any host; decoding checks the length,
 * version and kind once and then reads at fixed offsets. The payload is
 * encoded per kind, field by field, so padding never leaks into the wire. */
#include "gputick/tick.h"
#include <stdlib.h>
#include "gputick/bytes.h"
#include "gputick/err.h"

static const char *const kind_names[GT_KIND_MAX + 1] = {
    [GT_KIND_TRADE] = "trade",   [GT_KIND_LEVEL] = "book",  [GT_KIND_TOB] = "tob",
    [GT_KIND_FIXING] = "fixing", [GT_KIND_STAT] = "stat",   [GT_KIND_STATUS] = "status",
    [GT_KIND_DEF] = "def",       [GT_KIND_ORDER] = "order",
};

const char *gt_kind_name(int kind)
{
    return kind >= 1 && kind <= GT_KIND_MAX ? kind_names[kind] : NULL;
}

const char *gt_aggressor_name(int aggressor)
{
    return aggressor == GT_SIDE_BID ? "buy" : aggressor == GT_SIDE_ASK ? "sell" : NULL;
}

const char *gt_cause_name(int cause)
{
    static const char *n[] = {"none",    "packet_gap", "rptseq_gap",  "channel_reset",
                              "startup", "snapshot",   "incremental", "resync"};
    return cause >= 0 && cause <= GT_CAUSE_RESYNC ? n[cause] : NULL;
}

const char *gt_stat_name(int type)
{
    static const char *n[] = {NULL,       "settle",    "open_interest", "cleared_volume",
                              "open",     "high",      "low",           "vwap",
                              "high_bid", "low_offer", "fixing_price",  "session_volume"};
    return type >= 1 && type <= GT_STAT_MAX ? n[type] : NULL;
}

int gt_kind_parse(const char *s)
{
    for (int k = 1; k <= GT_KIND_MAX; k++)
        if (strcmp(s, kind_names[k]) == 0)
            return k;
    return GT_EINVAL;
}

int32_t gt_index_id(const char *symbol, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a, 32 bits */
    for (size_t i = 0; i < len && symbol[i]; i++) {
        h ^= (uint8_t)symbol[i];
        h *= 16777619u;
    }
    return -(int32_t)(h & 0x7fffffffu) - 1; /* -1 .. -2^31: never a SecurityID */
}

size_t gt_fixed_str(char *dst, size_t cap, const char *src, size_t len)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    while (n < len && n + 1 < cap && src[n])
        n++;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

void gt_tick_encode(const struct gt_tick *t, uint8_t out[GT_TICK_LEN])
{
    gt_tick_header_encode(out, t->version, t->kind, t->flags, t->instr_id, t->seq, t->exch_ns,
                          t->recv_ns);
    uint8_t *p = out + 32;
    switch (t->kind) {
    case GT_KIND_TRADE:
        st_le64(p, (uint64_t)t->u.trade.px);
        st_le64(p + 8, (uint64_t)t->u.trade.qty);
        st_le32(p + 16, t->u.trade.trade_id);
        st_le32(p + 20, (uint32_t)t->u.trade.n_orders);
        p[24] = t->u.trade.aggressor;
        p[25] = t->u.trade.action;
        break;
    case GT_KIND_LEVEL:
        gt_tick_level_encode(out, &t->u.level);
        break;
    case GT_KIND_TOB:
        gt_tick_tob_encode(out, &t->u.tob);
        break;
    case GT_KIND_ORDER:
        gt_tick_order_encode(out, &t->u.order);
        break;
    case GT_KIND_FIXING:
        st_le64(p, (uint64_t)t->u.fixing.px);
        st_le32(p + 8, t->u.fixing.date);
        p[12] = t->u.fixing.code;
        p[13] = t->u.fixing.entry_type;
        st_le32(p + 16, t->u.fixing.rpt_seq);
        break;
    case GT_KIND_STAT:
        st_le64(p, (uint64_t)t->u.stat.px);
        st_le64(p + 8, (uint64_t)t->u.stat.qty);
        p[16] = t->u.stat.type;
        p[17] = t->u.stat.settl_flags;
        p[18] = t->u.stat.open_close;
        st_le32(p + 20, t->u.stat.date);
        break;
    case GT_KIND_STATUS:
        p[0] = t->u.status.trading;
        p[1] = t->u.status.halt_reason;
        p[2] = t->u.status.event;
        p[3] = t->u.status.feed;
        p[4] = t->u.status.cause;
        st_le32(p + 8, t->u.status.gap_from);
        st_le32(p + 12, t->u.status.gap_to);
        st_le32(p + 16, t->u.status.date);
        break;
    case GT_KIND_DEF:
        st_le64(p, (uint64_t)t->u.def.tick_px);
        st_le32(p + 8, t->u.def.maturity);
        p[12] = t->u.def.depth;
        p[13] = t->u.def.type;
        memcpy(p + 14, t->u.def.product, GT_PRODUCT_LEN);
        memcpy(p + 20, t->u.def.symbol, GT_SYMBOL_LEN);
        break;
    default:
        memcpy(p, t->u.raw, sizeof t->u.raw);
        break;
    }
}

int gt_tick_decode(const uint8_t *in, size_t len, struct gt_tick *t)
{
    if (len < GT_TICK_LEN)
        return GT_ETRUNC;
    if (in[0] != GT_TICK_VERSION)
        return GT_EVERSION;
    if (in[1] < 1 || in[1] > GT_KIND_MAX)
        return GT_EBADMSG;
    memset(t, 0, sizeof *t);
    t->version = in[0];
    t->kind = in[1];
    t->flags = ld_le16(in + 2);
    t->instr_id = (int32_t)ld_le32(in + 4);
    t->seq = ld_le64(in + 8);
    t->exch_ns = (int64_t)ld_le64(in + 16);
    t->recv_ns = (int64_t)ld_le64(in + 24);
    const uint8_t *p = in + 32;
    switch (t->kind) {
    case GT_KIND_TRADE:
        t->u.trade.px = (int64_t)ld_le64(p);
        t->u.trade.qty = (int64_t)ld_le64(p + 8);
        t->u.trade.trade_id = ld_le32(p + 16);
        t->u.trade.n_orders = (int32_t)ld_le32(p + 20);
        t->u.trade.aggressor = p[24];
        t->u.trade.action = p[25];
        break;
    case GT_KIND_LEVEL:
        t->u.level.px = (int64_t)ld_le64(p);
        t->u.level.qty = (int64_t)ld_le64(p + 8);
        t->u.level.n_orders = (int32_t)ld_le32(p + 16);
        t->u.level.level = p[20];
        t->u.level.side = p[21];
        t->u.level.action = p[22];
        t->u.level.rpt_seq = ld_le32(p + 24);
        break;
    case GT_KIND_TOB:
        t->u.tob.bid_px = (int64_t)ld_le64(p);
        t->u.tob.ask_px = (int64_t)ld_le64(p + 8);
        t->u.tob.bid_qty = (int32_t)ld_le32(p + 16);
        t->u.tob.ask_qty = (int32_t)ld_le32(p + 20);
        t->u.tob.bid_orders = ld_le16(p + 24);
        t->u.tob.ask_orders = ld_le16(p + 26);
        break;
    case GT_KIND_ORDER:
        t->u.order.px = (int64_t)ld_le64(p);
        t->u.order.order_id = ld_le64(p + 8);
        t->u.order.priority = ld_le64(p + 16);
        t->u.order.qty = (int32_t)ld_le32(p + 24);
        t->u.order.side = p[28];
        t->u.order.action = p[29];
        break;
    case GT_KIND_FIXING:
        t->u.fixing.px = (int64_t)ld_le64(p);
        t->u.fixing.date = ld_le32(p + 8);
        t->u.fixing.code = p[12];
        t->u.fixing.entry_type = p[13];
        t->u.fixing.rpt_seq = ld_le32(p + 16);
        break;
    case GT_KIND_STAT:
        t->u.stat.px = (int64_t)ld_le64(p);
        t->u.stat.qty = (int64_t)ld_le64(p + 8);
        t->u.stat.type = p[16];
        t->u.stat.settl_flags = p[17];
        t->u.stat.open_close = p[18];
        t->u.stat.date = ld_le32(p + 20);
        break;
    case GT_KIND_STATUS:
        t->u.status.trading = p[0];
        t->u.status.halt_reason = p[1];
        t->u.status.event = p[2];
        t->u.status.feed = p[3];
        t->u.status.cause = p[4];
        t->u.status.gap_from = ld_le32(p + 8);
        t->u.status.gap_to = ld_le32(p + 12);
        t->u.status.date = ld_le32(p + 16);
        break;
    case GT_KIND_DEF:
        t->u.def.tick_px = (int64_t)ld_le64(p);
        t->u.def.maturity = ld_le32(p + 8);
        t->u.def.depth = p[12];
        t->u.def.type = p[13];
        memcpy(t->u.def.product, p + 14, GT_PRODUCT_LEN);
        memcpy(t->u.def.symbol, p + 20, GT_SYMBOL_LEN);
        break;
    }
    return GT_OK;
}

/* ---- which trades count (the rule is in tick.h) ---- */

void gt_busts_init(struct gt_busts *b)
{
    *b = (struct gt_busts){0};
}

void gt_busts_fini(struct gt_busts *b)
{
    free(b->v);
    gt_busts_init(b);
}

int gt_busts_note(struct gt_busts *b, const struct gt_tick *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!gt_trade_is_bust(&t[i]))
            continue;
        if (b->n == b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 16;
            struct gt_bust *v = realloc(b->v, cap * sizeof *v);
            if (!v)
                return GT_ENOMEM;
            b->v = v, b->cap = cap;
        }
        b->v[b->n++] = (struct gt_bust){.trade_id = t[i].u.trade.trade_id, .bust_seq = t[i].seq};
        b->sorted = false;
    }
    return (int)(b->n > INT32_MAX ? INT32_MAX : b->n);
}

static int bust_cmp(const void *a, const void *b)
{
    const struct gt_bust *x = a, *y = b;
    if (x->trade_id != y->trade_id)
        return x->trade_id < y->trade_id ? -1 : 1;
    return (x->bust_seq > y->bust_seq) - (x->bust_seq < y->bust_seq);
}

/* The first bust of trade id, or b->n: a binary search of the sorted set. */
static size_t bust_first(const struct gt_busts *b, uint32_t id)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->v[mid].trade_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void gt_busts_match(struct gt_busts *b, const struct gt_tick *t, size_t n)
{
    if (!b->n)
        return;
    if (!b->sorted) {
        qsort(b->v, b->n, sizeof *b->v, bust_cmp);
        b->sorted = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (!gt_trade_is_print(&t[i]))
            continue;
        /* Each bust of this id takes the latest print before it. */
        uint32_t id = t[i].u.trade.trade_id;
        uint64_t s = t[i].seq;
        for (size_t k = bust_first(b, id); k < b->n && b->v[k].trade_id == id; k++) {
            struct gt_bust *x = &b->v[k];
            if (s < x->bust_seq && (!x->matched || s > x->victim_seq))
                x->victim_seq = s, x->matched = true;
        }
    }
}

bool gt_trade_counts(const struct gt_tick *t, const struct gt_busts *b)
{
    if (!gt_trade_is_print(t) || (t->flags & GT_F_LEG))
        return false;
    if (!b || !b->n || !b->sorted)
        return true;
    uint32_t id = t->u.trade.trade_id;
    for (size_t k = bust_first(b, id); k < b->n && b->v[k].trade_id == id; k++)
        if (b->v[k].matched && b->v[k].victim_seq == t->seq)
            return false;
    return true;
}
