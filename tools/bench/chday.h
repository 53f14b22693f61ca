/* SPDX-License-Identifier: MIT */
/* chday.h -- the ticksim day the store is compared on, shared by the store
 * rows beside ClickHouse (bench_clickhouse.c) and by the current engines
 * beside it (bench_peers.c): the day, its rows as every engine holds them,
 * and gputick's side of the queries. */
#ifndef GT_BENCH_CHDAY_H
#define GT_BENCH_CHDAY_H
#include <stddef.h>
#include <stdint.h>
#include "feedday.h"

/* The day's ticks and what the queries need of its definitions. */
struct day {
    struct feedday_ticks d;
    int32_t contracts[64]; /* futures with a definition, ascending */
    int n_contracts;
    int32_t front; /* its instrument id */
    char front_sym[GT_SYMBOL_LEN + 1];
    size_t front_trades;
};

/* gputick's store of the day: ingest, bytes, the best scan and its sum. */
struct ours {
    double ingest_s, scan_s;
    uint64_t disk, scanned, sum;
};

/* One tick as a row of every engine's table: one typed column per field (the
 * union of the kinds' payloads; the definitions' strings left out). */
struct day_row {
    uint32_t series; /* feedday_series() */
    int64_t ts, recv_ns;
    uint64_t seq;
    uint8_t kind;
    uint16_t flags;
    int32_t instr;
    int64_t px, qty, px2, qty2;
    int32_t n_orders, n_orders2;
    uint8_t level, side, action;
    uint32_t ref;
};

/* The columns in order, in ClickHouse's types (file() structure). */
#define DAY_COLUMNS                                                                                \
    "series UInt32, ts Int64, recv_ns Int64, seq UInt64, kind UInt8, flags UInt16, instr Int32, "  \
    "px Int64, qty Int64, px2 Int64, qty2 Int64, n_orders Int32, n_orders2 Int32, level UInt8, "   \
    "side UInt8, action UInt8, ref UInt32"

/* The trades a VWAP counts, in SQL: tick.h's rule (gt_trade_counts: a print,
 * with a price and a positive quantity) on a day without busts, as the
 * benchmark's day is (ticksim busts only when asked), so no bust can cancel an
 * earlier print and no join is needed. kind = GT_KIND_TRADE. */
#define VWAP_WHERE                                                                                 \
    "kind = 1 AND action != 2 AND px != 9223372036854775807 AND qty > 0 AND "                      \
    "qty != 9223372036854775807"

/* The day: ticksim's default with the order flow raised, through tickfeed's
 * core; its contracts and front contract from the definitions. Free with
 * feedday_ticks_free(&day->d). */
int day_make(struct day *day);
void day_row(const struct gt_tick *t, int series, struct day_row *r);
/* Writes every tick of the day as RowBinary rows of DAY_COLUMNS to path. */
int day_rowbinary(const struct feedday_ticks *d, const char *path);
/* The store at db opened for reading as tickq opens it (shards_close it), or
 * NULL. */
struct shards *day_qstore(const char *db);
/* Bars of width w of ids[0..n) through bars_run, emitting into nothing. Without
 * open_s the time includes opening and closing the store; with it, *open_s
 * gets the open time and the rest is the query alone. Seconds, or -1. */
double ours_bars(const char *db, const int32_t *ids, int n, int64_t w, double *open_s);

/* A VWAP's sums over the bars bars_run emits: vwap_add is its emit. */
struct vwap_sum {
    __int128 notional; /* sum(px * qty) */
    int64_t volume, n;
};
struct bar;
int vwap_add(const struct bar *b, void *ctx);

/* The current engines beside the store, on the day already recorded at db
 * (g its figures); prints their table, or a message when they are absent. */
int bench_peers_run(const struct day *day, const char *dir, const char *db, const struct ours *g);

#endif
