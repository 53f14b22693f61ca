/* SPDX-License-Identifier: MIT */
/* daysim.h -- a deterministic simulated trading day for the benchmarks.
 *
 * The store's and tickq's comparisons with ClickHouse and naive RocksDB run on
 * a real ticksim day (feedday.h). This synthetic one stays for the measures
 * that want an exact tick count in milliseconds, without a simulator and a
 * pcap: the block codec's sweeps (bench_store.c) and the multi-day stores of
 * bench_retention.c. It is built in memory: n_products products of n_contracts
 * monthly futures each (instrument ids 10000.., one definition each first),
 * prices random-walking on a $0.005 grid, Poisson event times with the given
 * mean gap, and per event maybe a trade, one or two MBP level changes and a
 * top of book, with one bus sequence per record as tickfeed publishes them.
 * With skew the nearer contracts trade more (contract c is picked with weight
 * 1 / (c + 1)), as on a real curve; without it every instrument is equally
 * busy. The same config gives the same ticks on every run. */
#ifndef GT_BENCH_DAYSIM_H
#define GT_BENCH_DAYSIM_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/tick.h"

enum {
    DAYSIM_ID0 = 10000,             /* instrument id of product 0, contract 0 */
    DAYSIM_KINDS = GT_KIND_MAX + 1, /* series index = instrument * DAYSIM_KINDS + kind */
    DAYSIM_TICK_PX = 5000000,       /* $0.005 */
};

struct daysim_config {
    size_t n_ticks;      /* exactly this many records */
    int n_products;      /* 1..4: H100, H200, B200, A100 */
    int n_contracts;     /* 1..12 a product */
    int64_t start_ns;    /* exch_ns of the definitions */
    int64_t mean_gap_ns; /* between events */
    int skew;            /* busier front contracts */
    int grouped;         /* also build the copy grouped by series */
};

struct daysim {
    struct gt_tick *stream;  /* bus order */
    struct gt_tick *grouped; /* by series, bus order inside (NULL unless asked) */
    size_t *run_start;       /* grouped: series s is [run_start[s], run_start[s + 1]) */
    size_t n_ticks;
    int n_instr, n_series;
};

/* Builds the day. Returns GT_OK or GT_ENOMEM (nothing then to free). */
int daysim_gen(struct daysim *d, const struct daysim_config *c);

/* The series index of a tick (instrument offset * DAYSIM_KINDS + kind). */
int daysim_series(const struct gt_tick *t);

void daysim_free(struct daysim *d);

#endif
