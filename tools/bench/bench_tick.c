/* SPDX-License-Identifier: MIT */
/* bench_tick.c -- decoding tick records from the bus, beside copying the same
 * bytes (the memory-bound limit a subscriber cannot beat). */
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "gputick/tick.h"

enum { N_TICKS = 1 << 20, ROUNDS = 5 };

int bench_tick(void)
{
    uint8_t *wire = malloc((size_t)N_TICKS * GT_TICK_LEN);
    uint8_t *copy = malloc((size_t)N_TICKS * GT_TICK_LEN);
    if (!wire || !copy) {
        free(wire);
        free(copy);
        return -5;
    }
    for (uint64_t i = 0; i < N_TICKS; i++) {
        struct gt_tick t = {.version = GT_TICK_VERSION,
                            .kind = (uint8_t)(1 + i % GT_KIND_MAX),
                            .instr_id = (int32_t)(i % 48),
                            .seq = i,
                            .exch_ns = (int64_t)i * 1000,
                            .recv_ns = (int64_t)i * 1000 + 50};
        t.u.trade.px = 2750000000 + (int64_t)(i % 100) * 5000000;
        t.u.trade.qty = (int64_t)(i % 7) + 1;
        gt_tick_encode(&t, wire + i * GT_TICK_LEN);
    }
    double best_dec = 1e9, best_cpy = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = bench_now();
        uint64_t acc = 0;
        struct gt_tick t;
        for (size_t i = 0; i < N_TICKS; i++) {
            gt_tick_decode(wire + i * GT_TICK_LEN, GT_TICK_LEN, &t);
            acc += t.seq + (uint64_t)t.u.trade.px;
        }
        bench_sink(acc);
        double t1 = bench_now();
        memcpy(copy, wire, (size_t)N_TICKS * GT_TICK_LEN);
        bench_sink(copy[N_TICKS / 2]);
        double t2 = bench_now();
        if (t1 - t0 < best_dec)
            best_dec = t1 - t0;
        if (t2 - t1 < best_cpy)
            best_cpy = t2 - t1;
    }
    bench_row("tick record decode, M records/s (baseline: memcpy of the same bytes; higher is "
              "better)",
              N_TICKS / best_dec / 1e6, N_TICKS / best_cpy / 1e6);
    free(wire);
    free(copy);
    return 0;
}
