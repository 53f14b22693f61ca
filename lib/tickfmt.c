/* SPDX-License-Identifier: MIT */
/* tickfmt.c -- exact decimal prices and JSON ticks (contract in tickfmt.h). */
#include "gputick/tickfmt.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "gputick/err.h"
#include "gputick/time.h"

int gt_px_format(int64_t px, char out[GT_PX_STRLEN])
{
    if (px == INT64_MAX)
        return snprintf(out, GT_PX_STRLEN, "null");
    uint64_t mag = px < 0 ? (uint64_t)0 - (uint64_t)px : (uint64_t)px;
    uint64_t whole = mag / 1000000000u, frac = mag % 1000000000u;
    char f[10];
    snprintf(f, sizeof f, "%09llu", (unsigned long long)frac);
    int keep = 9;
    while (keep > 2 && f[keep - 1] == '0')
        keep--;
    return snprintf(out, GT_PX_STRLEN, "%s%llu.%.*s", px < 0 ? "-" : "", (unsigned long long)whole,
                    keep, f);
}

int gt_px_parse(const char *s, int64_t *px)
{
    int neg = 0, digits = 0, frac_digits = -1;
    uint64_t v = 0;
    const char *p = s;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    for (; *p; p++) {
        if (*p == '.' && frac_digits < 0) {
            frac_digits = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return GT_EINVAL;
        if (frac_digits >= 0 && ++frac_digits > 9)
            return GT_EINVAL;
        if (v > (UINT64_MAX - 9) / 10)
            return GT_EINVAL;
        v = v * 10 + (uint64_t)(*p - '0');
        digits++;
    }
    if (digits == 0)
        return GT_EINVAL;
    for (int i = frac_digits < 0 ? 0 : frac_digits; i < 9; i++) {
        if (v > UINT64_MAX / 10)
            return GT_EINVAL;
        v *= 10;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX - 1) /* INT64_MAX: null */
        return GT_EINVAL;
    *px = neg ? (int64_t)((uint64_t)0 - v) : (int64_t)v;
    return GT_OK;
}

/* Appends formatted text; tracks overflow in *n (set to cap when full). */
static void put(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
    if (*n >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out + *n, cap - *n, fmt, ap);
    va_end(ap);
    *n = w < 0 || (size_t)w >= cap - *n ? cap : *n + (size_t)w;
}

/* Appends ,"key":"s" with any byte that would need escaping replaced by '?':
 * names come from the exchange wire and must not break the JSON. */
static void put_str(char *out, size_t cap, size_t *n, const char *key, const char *s)
{
    char safe[64];
    size_t i = 0;
    for (; s[i] && i + 1 < sizeof safe; i++)
        safe[i] = (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\') ? '?' : s[i];
    safe[i] = '\0';
    put(out, cap, n, ",\"%s\":\"%s\"", key, safe);
}

static void put_px(char *out, size_t cap, size_t *n, const char *key, int64_t px)
{
    char b[GT_PX_STRLEN];
    gt_px_format(px, b);
    put(out, cap, n, ",\"%s\":%s", key, b);
}

static void put_qty(char *out, size_t cap, size_t *n, const char *key, int64_t q)
{
    if (q == INT64_MAX)
        put(out, cap, n, ",\"%s\":null", key);
    else
        put(out, cap, n, ",\"%s\":%lld", key, (long long)q);
}

int gt_tick_json(const struct gt_tick *t, const char *symbol, char *out, size_t cap)
{
    size_t n = 0;
    char ts[GT_TIME_STRLEN];
    const char *kind = gt_kind_name(t->kind);
    gt_time_format(t->exch_ns, ts);
    put(out, cap, &n, "{\"seq\":%llu,\"kind\":\"%s\",\"instr_id\":%d", (unsigned long long)t->seq,
        kind ? kind : "?", t->instr_id);
    if (symbol)
        put_str(out, cap, &n, "symbol", symbol);
    put(out, cap, &n, ",\"time\":\"%s\",\"exch_ns\":%lld,\"recv_ns\":%lld,\"flags\":%u", ts,
        (long long)t->exch_ns, (long long)t->recv_ns, t->flags);
    switch (t->kind) {
    case GT_KIND_TRADE:
        put_px(out, cap, &n, "px", t->u.trade.px);
        put_qty(out, cap, &n, "qty", t->u.trade.qty);
        put(out, cap, &n, ",\"aggressor\":%u,\"trade_id\":%u,\"n_orders\":%d,\"action\":%u",
            t->u.trade.aggressor, t->u.trade.trade_id, t->u.trade.n_orders, t->u.trade.action);
        break;
    case GT_KIND_LEVEL:
        put_px(out, cap, &n, "px", t->u.level.px);
        put_qty(out, cap, &n, "qty", t->u.level.qty);
        put(out, cap, &n, ",\"level\":%u,\"side\":%u,\"action\":%u,\"n_orders\":%d,\"rpt_seq\":%u",
            t->u.level.level, t->u.level.side, t->u.level.action, t->u.level.n_orders,
            t->u.level.rpt_seq);
        break;
    case GT_KIND_TOB:
        put_px(out, cap, &n, "bid_px", t->u.tob.bid_px);
        put(out, cap, &n, ",\"bid_qty\":%d", t->u.tob.bid_qty);
        put_px(out, cap, &n, "ask_px", t->u.tob.ask_px);
        put(out, cap, &n, ",\"ask_qty\":%d,\"bid_orders\":%u,\"ask_orders\":%u", t->u.tob.ask_qty,
            t->u.tob.bid_orders, t->u.tob.ask_orders);
        break;
    case GT_KIND_FIXING:
        put_px(out, cap, &n, "px", t->u.fixing.px);
        put(out, cap, &n, ",\"code\":%u,\"official\":%s,\"date\":%u,\"rpt_seq\":%u",
            t->u.fixing.code, t->u.fixing.code == GT_FIX_CLOSE ? "true" : "false", t->u.fixing.date,
            t->u.fixing.rpt_seq);
        break;
    case GT_KIND_STAT:
        put(out, cap, &n, ",\"type\":%u", t->u.stat.type);
        put_px(out, cap, &n, "px", t->u.stat.px);
        put_qty(out, cap, &n, "qty", t->u.stat.qty);
        put(out, cap, &n, ",\"settl_flags\":%u,\"date\":%u", t->u.stat.settl_flags, t->u.stat.date);
        break;
    case GT_KIND_STATUS:
        put(out, cap, &n,
            ",\"trading\":%u,\"feed\":%u,\"cause\":%u,\"gap_from\":%u,\"gap_to\":%u,\"date\":%u",
            t->u.status.trading, t->u.status.feed, t->u.status.cause, t->u.status.gap_from,
            t->u.status.gap_to, t->u.status.date);
        break;
    case GT_KIND_DEF: {
        char prod[GT_PRODUCT_LEN + 1], sym[GT_SYMBOL_LEN + 1];
        gt_fixed_str(prod, sizeof prod, t->u.def.product, GT_PRODUCT_LEN);
        gt_fixed_str(sym, sizeof sym, t->u.def.symbol, GT_SYMBOL_LEN);
        put_str(out, cap, &n, "product", prod);
        put_str(out, cap, &n, "def_symbol", sym);
        put(out, cap, &n, ",\"type\":%u,\"depth\":%u", t->u.def.type, t->u.def.depth);
        put_px(out, cap, &n, "tick_px", t->u.def.tick_px);
        put(out, cap, &n, ",\"maturity\":%u", t->u.def.maturity);
        break;
    }
    case GT_KIND_ORDER:
        put(out, cap, &n, ",\"order_id\":%llu,\"priority\":%llu",
            (unsigned long long)t->u.order.order_id, (unsigned long long)t->u.order.priority);
        put_px(out, cap, &n, "px", t->u.order.px);
        put(out, cap, &n, ",\"qty\":%d,\"side\":%u,\"action\":%u", t->u.order.qty, t->u.order.side,
            t->u.order.action);
        break;
    }
    put(out, cap, &n, "}");
    return n >= cap ? GT_EINVAL : (int)n;
}
