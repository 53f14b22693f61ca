/* SPDX-License-Identifier: MIT */
/* bars.h -- OHLC, volume, VWAP and trade counts per interval, from trades.
 *
 * Intervals are aligned to the Unix epoch (UTC): a bar of width w holds the
 * trades with floor(exch_ns / w) * w <= exch_ns < that + w. VWAP is exact:
 * sum(px * qty) in __int128, divided once at the end and rounded half away
 * from zero to 1e-9. The trades are those that count by tick.h's rule
 * (gt_trade_counts): a busted trade leaves its bar, whenever its bust came.
 * The reader streams: one bar is open at a time, after a first pass that
 * reads the busts (shards_busts_read). */
#ifndef GT_QUERY_BARS_H
#define GT_QUERY_BARS_H
#include <stdint.h>
#include <stdio.h>
#include "qopt.h"
#include "gputick/store.h"
#include "shards.h"

/* The widest and the most intervals tickq will produce. */
#define BARS_MAX_INTERVAL_NS (366 * INT64_C(86400000000000))
enum { BARS_MAX_FILLED = 10000000 };

struct bar {
    int64_t start_ns;               /* the interval's start */
    int64_t open, high, low, close; /* INT64_MAX in an empty (filled) bar */
    int64_t volume, n_trades;
    __int128 notional; /* sum(px * qty), 1e-9 $ units */
};

/* The start of the interval of width w holding ns (floor, also for ns < 0). */
int64_t bars_align(int64_t ns, int64_t w);

/* The bar's VWAP, 1e-9, rounded half away from zero; INT64_MAX if empty. */
int64_t bars_vwap(const struct bar *b);

/* Calls emit for each bar of the trades of instr_id in [from_ns, to_ns), in
 * time order; with fill, also for each empty interval between from and to
 * (which must then be finite). emit returning non-zero stops the walk. When
 * from_ns lies before the store's retention horizon, the bars start at the
 * first one wholly after it: the bar the horizon cuts is left out, never
 * printed with only its part after the horizon.
 * Returns 0, or an iterator error (GT_E*) with *it_out still open for its
 * message (the caller closes it; NULL when the open failed). */
int bars_run(struct shards *st, int32_t instr_id, int64_t from_ns, int64_t to_ns, int64_t w,
             int fill, int (*emit)(const struct bar *b, void *ctx), void *ctx,
             struct shards_iter **it_out);

/* The arguments of bars and chart bars. */
struct bars_args {
    struct qopt q;
    const char *symbol;
    const char *product; /* bars --product: every future of it, instead of SYMBOL */
    char **symbols;      /* bars SYMBOL SYMBOL...: several, as --product does */
    int n_symbols;
    int threads; /* bars --product / several symbols --threads: 0 = bars_threads_default() */
    int64_t interval_ns;
    int fill;
    const char *out_file; /* chart bars: --out */
};

/* Parses SYMBOL, --interval (at most 366 days), --fill, the shared options
 * and, when want_out, the required --out FILE, else --product P or several
 * SYMBOLs (a->symbols) in place of one SYMBOL; checks all of it. Returns 0,
 * -1 after printing help(), or EXIT_USAGE after printing why. */
int bars_args_parse(struct bars_args *a, const char *cmd, int argc, char **argv, int want_out,
                    void (*help)(FILE *));

#endif
