/* SPDX-License-Identifier: MIT */
/* bench_tick.c -- decoding tick records from the bus, beside the memory-bound
 * limit a subscriber cannot beat, each pair doing the same memory traffic:
 *
 *   decode into an array of structs (reads 64 MiB, writes 64 MiB) beside a
 *   memcpy of the same records (reads 64 MiB, writes 64 MiB);
 *   decode and sum the fields (reads 64 MiB, writes nothing) beside reading
 *   the same records as 64-bit words and summing them.
 *
 * The two sides alternate which goes first each round; the decoded array is
 * checked equal to the ticks encoded, and the decoded sum to theirs, before
 * a figure is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "gputick/err.h"
#include "gputick/tick.h"

enum { N_TICKS = 1 << 20, ROUNDS = 5 };

static uint64_t tick_sum(const struct gt_tick *t)
{
    return t->seq + (uint64_t)t->exch_ns + (uint64_t)t->recv_ns + (uint64_t)t->instr_id + t->kind +
           (uint64_t)t->u.trade.px + (uint64_t)t->u.trade.qty;
}

static double decode_all(const uint8_t *wire, struct gt_tick *out)
{
    double t0 = bench_now();
    for (size_t i = 0; i < N_TICKS; i++)
        gt_tick_decode(wire + i * GT_TICK_LEN, GT_TICK_LEN, &out[i]);
    bench_sink(out[N_TICKS / 2].seq);
    return bench_now() - t0;
}

static double copy_all(const uint8_t *wire, uint8_t *copy)
{
    double t0 = bench_now();
    memcpy(copy, wire, (size_t)N_TICKS * GT_TICK_LEN);
    bench_sink(copy[N_TICKS / 2]);
    return bench_now() - t0;
}

static double decode_sum(const uint8_t *wire, uint64_t *sum)
{
    double t0 = bench_now();
    uint64_t acc = 0;
    struct gt_tick t;
    for (size_t i = 0; i < N_TICKS; i++) {
        gt_tick_decode(wire + i * GT_TICK_LEN, GT_TICK_LEN, &t);
        acc += tick_sum(&t);
    }
    *sum = acc;
    return bench_now() - t0;
}

static double read_sum(const uint8_t *wire)
{
    double t0 = bench_now();
    uint64_t acc = 0;
    for (size_t i = 0; i < (size_t)N_TICKS * GT_TICK_LEN / 8; i++) {
        uint64_t w;
        memcpy(&w, wire + i * 8, 8);
        acc += w;
    }
    bench_sink(acc);
    return bench_now() - t0;
}

static double min_d(double a, double b)
{
    return a < b ? a : b;
}

int bench_tick(void)
{
    uint8_t *wire = malloc((size_t)N_TICKS * GT_TICK_LEN);
    uint8_t *copy = malloc((size_t)N_TICKS * GT_TICK_LEN);
    struct gt_tick *src = calloc(N_TICKS, sizeof *src), *dec = calloc(N_TICKS, sizeof *dec);
    int rc = GT_ENOMEM;
    if (!wire || !copy || !src || !dec)
        goto out;
    uint64_t want = 0;
    for (uint64_t i = 0; i < N_TICKS; i++) {
        struct gt_tick *t = &src[i];
        memset(t, 0, sizeof *t);
        t->version = GT_TICK_VERSION;
        t->kind = GT_KIND_TRADE;
        t->instr_id = (int32_t)(i % 48);
        t->seq = i + 1;
        t->exch_ns = (int64_t)i * 1000;
        t->recv_ns = (int64_t)i * 1000 + 50;
        t->u.trade.px = 2750000000 + (int64_t)(i % 100) * 5000000;
        t->u.trade.qty = (int64_t)(i % 7) + 1;
        t->u.trade.aggressor = (uint8_t)(1 + i % 2);
        gt_tick_encode(t, wire + i * GT_TICK_LEN);
        want += tick_sum(t);
    }
    double dec_w = 1e9, cpy_w = 1e9, dec_r = 1e9, rd_r = 1e9;
    uint64_t got = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (r % 2 == 0) {
            dec_w = min_d(dec_w, decode_all(wire, dec));
            cpy_w = min_d(cpy_w, copy_all(wire, copy));
            dec_r = min_d(dec_r, decode_sum(wire, &got));
            rd_r = min_d(rd_r, read_sum(wire));
        } else {
            cpy_w = min_d(cpy_w, copy_all(wire, copy));
            dec_w = min_d(dec_w, decode_all(wire, dec));
            rd_r = min_d(rd_r, read_sum(wire));
            dec_r = min_d(dec_r, decode_sum(wire, &got));
        }
    }
    for (size_t i = 0; i < N_TICKS; i++) {
        uint8_t re[GT_TICK_LEN];
        gt_tick_encode(&dec[i], re);
        if (memcmp(re, wire + i * GT_TICK_LEN, GT_TICK_LEN) != 0 ||
            tick_sum(&dec[i]) != tick_sum(&src[i])) {
            fprintf(stderr, "bench_tick: decoded record %zu differs from the one encoded\n", i);
            rc = GT_ECORRUPT;
            goto out;
        }
    }
    if (got != want || memcmp(copy, wire, (size_t)N_TICKS * GT_TICK_LEN) != 0) {
        fprintf(stderr, "bench_tick: the decoded sum or the copy differs from the source\n");
        rc = GT_ECORRUPT;
        goto out;
    }
    bench_row("tick record decode into an array, M records/s (baseline: memcpy of the same "
              "records; both read and write 64 MiB, order alternated; higher is better)",
              N_TICKS / dec_w / 1e6, N_TICKS / cpy_w / 1e6);
    bench_row("tick record decode and sum, no writes, M records/s (baseline: reading the same "
              "records as 64-bit words and summing; both read 64 MiB; higher is better)",
              N_TICKS / dec_r / 1e6, N_TICKS / rd_r / 1e6);
    rc = GT_OK;
out:
    free(wire);
    free(copy);
    free(src);
    free(dec);
    return rc;
}
