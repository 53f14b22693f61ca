/* SPDX-License-Identifier: MIT */
/* bars.c -- streaming bar aggregation (contract in bars.h). */
#include "bars.h"
#include <string.h>

int64_t bars_align(int64_t ns, int64_t w)
{
    int64_t q = ns / w, r = ns % w;
    if (r < 0)
        q--;
    __int128 v = (__int128)q * w; /* below INT64_MIN for ns within w of it */
    return v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

int64_t bars_vwap(const struct bar *b)
{
    if (b->volume <= 0)
        return INT64_MAX;
    __int128 n = b->notional, d = b->volume;
    __int128 q = n / d, r = n % d;
    if ((r < 0 ? -r : r) * 2 >= d)
        q += n < 0 ? -1 : 1;
    return (int64_t)q;
}

static void bar_empty(struct bar *b, int64_t start)
{
    *b = (struct bar){.start_ns = start,
                      .open = INT64_MAX,
                      .high = INT64_MAX,
                      .low = INT64_MAX,
                      .close = INT64_MAX};
}

/* Emits the empty bars from *next up to (not including) until. */
static int fill_to(int64_t *next, int64_t until, int64_t w,
                   int (*emit)(const struct bar *b, void *ctx), void *ctx)
{
    struct bar e;
    for (; *next < until; *next += w) {
        bar_empty(&e, *next);
        if (emit(&e, ctx))
            return 1;
        if (*next > INT64_MAX - w) /* the last bar of time */
            return 1;
    }
    return 0;
}

int bars_run(struct shards *st, int32_t instr_id, int64_t from_ns, int64_t to_ns, int64_t w,
             int fill, int (*emit)(const struct bar *b, void *ctx), void *ctx,
             struct shards_iter **it_out)
{
    struct shards_iter *it = NULL;
    struct gt_busts busts;
    gt_busts_init(&busts);
    int rc = shards_busts_read(st, instr_id, from_ns, &busts, it_out);
    if (rc < 0)
        goto done;
    rc = shards_iter_open(st, instr_id, GT_KIND_TRADE, from_ns, to_ns, &it);
    *it_out = it;
    if (rc == GT_ENOENT)
        rc = 0, it = NULL;
    else if (rc < 0)
        goto done;
    if (it) /* a bar needs these of a trade (and the rule's), and its exch_ns */
        shards_iter_fields(it, GT_FIELD(seq) | GT_FIELD(flags) | GT_FIELD(u.trade.px) |
                                   GT_FIELD(u.trade.qty) | GT_FIELD(u.trade.trade_id) |
                                   GT_FIELD(u.trade.action));
    /* A bar that the retention horizon cuts would print as if whole with
     * only its part after the horizon: bars start at the first whole one. */
    int64_t h = shards_horizon(st), whole = INT64_MIN;
    if (from_ns < h) {
        whole = bars_align(h, w);
        if (whole < h)
            whole = whole > INT64_MAX - w ? INT64_MAX : whole + w;
        from_ns = whole;
    }
    struct bar b;
    int open = 0, stop = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN; /* exch_ns in [lo, hi] falls in the open bar */
    int64_t next = fill ? bars_align(from_ns, w) : 0; /* the next bar to fill */
    const struct gt_tick *t;
    while (it && !stop && (rc = shards_iter_next(it, &t)) > 0) {
        for (int i = 0; i < rc && !stop; i++) {
            const struct gt_trade *tr = &t[i].u.trade;
            int64_t ns = t[i].exch_ns;
            if (!gt_trade_counts(&t[i], &busts) || ns < whole)
                continue;
            if (!open || ns < lo || ns > hi) { /* perhaps another bar: which, by a division */
                int64_t start = bars_align(ns, w);
                if (!open || start != b.start_ns) {
                    if (open) {
                        if ((stop = emit(&b, ctx)))
                            break;
                        next = b.start_ns + w;
                    }
                    if (fill && (stop = fill_to(&next, start, w, emit, ctx)))
                        break;
                    bar_empty(&b, start);
                    b.open = b.high = b.low = tr->px;
                    open = 1;
                }
                if (start % w == 0) { /* the bar holds [start, start + w) */
                    lo = start;
                    hi = start > INT64_MAX - (w - 1) ? INT64_MAX : start + (w - 1);
                } else { /* clamped at INT64_MIN: no shortcut */
                    lo = INT64_MAX, hi = INT64_MIN;
                }
            }
            if (tr->px > b.high)
                b.high = tr->px;
            if (tr->px < b.low)
                b.low = tr->px;
            b.close = tr->px;
            b.volume += tr->qty;
            b.n_trades++;
            b.notional += (__int128)tr->px * tr->qty;
        }
    }
    if (rc < 0)
        goto done;
    rc = 0;
    if (!stop && open) {
        stop = emit(&b, ctx);
        next = b.start_ns + w;
    }
    if (!stop && fill)
        fill_to(&next, to_ns, w, emit, ctx);
done:
    gt_busts_fini(&busts);
    return rc;
}
