/* SPDX-License-Identifier: MIT */
/* bench_store.c -- the block codec beside LZ4 alone and memcpy, in the same
 * run, on one synthetic but realistic stream. The tick store itself is
 * measured on a ticksim day beside naive RocksDB and ClickHouse in
 * bench_clickhouse.c.
 *
 * The stream (daysim.c, one product): 12 futures with prices random-walking
 * on a 0.005 grid around $2.50, Poisson event times (50 000 events/s across the instruments), each
 * event a trade or not, one or two level changes and a top of book, small
 * quantities, one bus sequence per record, as tickfeed would publish it.
 *
 * Ticks grouped by series and cut into blocks: encode and decode speed
 * beside memcpy of the same 64-byte records, bytes per tick beside LZ4 alone
 * over the raw records cut the same way, LZ4 HC, and the block size.
 *
 * Decode writes every tick into one array as large as the stream (in RAM,
 * not a cache-resident block buffer), so it writes the bytes the memcpy
 * baseline writes (RAM to RAM, 64 bytes a tick); the decoded array is checked
 * equal to the ticks encoded before a row is printed. Beside each decode the
 * physical limits: the memcpy of the 64-byte ticks (the bytes written) and a
 * memcpy of the compressed blocks (the bytes read), timed in alternating
 * order with the decode each round. */
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "block.h"
#include "daysim.h"
#include "gputick/err.h"
#include "gputick/tick.h"

enum {
    N_TICKS = 2 << 20,
    N_INSTR = 12,
    N_SERIES = N_INSTR * (GT_KIND_MAX + 1),
    ROUNDS = 3,
    TICK_PX = DAYSIM_TICK_PX,
};

static struct gt_tick *grouped; /* by series, bus order inside */
static size_t *run_start;

/* ---- codec ---- */

struct codec_run {
    double enc_s, dec_s, raw_lz4_bytes;
    double copy_s; /* memcpy of the 64-byte ticks, RAM to RAM */
    double read_s; /* memcpy of the compressed blocks */
    size_t bytes;
};

static struct gt_tick *decoded; /* N_TICKS, block_decode's output */
static uint8_t *copy_buf;       /* N_TICKS * 64 bytes, the memcpy's */

static double time_copy(void *dst, const void *src, size_t n)
{
    double t0 = bench_now();
    memcpy(dst, src, n);
    bench_sink(((const uint8_t *)dst)[n / 2]);
    return bench_now() - t0;
}

/* Encodes every series in blocks of n into blocks[] (cap bytes), then decodes
 * them all into decoded[] beside the memcpys (alternating which goes first);
 * keeps the best of ROUNDS times and checks the decoded ticks. */
static int codec_measure(size_t n, int hc, uint8_t *blocks, size_t cap, struct codec_run *r)
{
    static uint8_t scratch[BLOCK_SCRATCH_LEN];
    static uint32_t lens[N_TICKS];
    r->enc_s = r->dec_s = r->copy_s = r->read_s = 1e9;
    for (int round = 0; round < ROUNDS; round++) {
        size_t used = 0, nb = 0;
        double t0 = bench_now();
        for (int s = 0; s < N_SERIES; s++)
            for (size_t k = run_start[s]; k < run_start[s + 1]; k += n) {
                size_t m = run_start[s + 1] - k < n ? run_start[s + 1] - k : n;
                if (cap - used < BLOCK_BOUND(m))
                    return GT_ENOMEM;
                int len =
                    block_encode(&grouped[k], m, TICK_PX, hc, scratch, blocks + used, cap - used);
                if (len < 0)
                    return len;
                lens[nb++] = (uint32_t)len;
                used += (size_t)len;
            }
        double t1 = bench_now(), c = 0, rd = 0;
        if (round % 2)
            c = time_copy(copy_buf, grouped, (size_t)N_TICKS * sizeof *grouped),
            rd = time_copy(copy_buf, blocks, used);
        double t2 = bench_now();
        size_t off = 0, at = 0;
        for (size_t b = 0; b < nb; b++) {
            int got =
                block_decode(blocks + off, lens[b], decoded + at, N_TICKS - at, scratch, NULL);
            if (got < 0)
                return got;
            at += (size_t)got;
            off += lens[b];
        }
        double t3 = bench_now();
        if (round % 2 == 0)
            c = time_copy(copy_buf, grouped, (size_t)N_TICKS * sizeof *grouped),
            rd = time_copy(copy_buf, blocks, used);
        if (at != N_TICKS)
            return GT_ECORRUPT;
        r->enc_s = t1 - t0 < r->enc_s ? t1 - t0 : r->enc_s;
        r->dec_s = t3 - t2 < r->dec_s ? t3 - t2 : r->dec_s;
        r->copy_s = c < r->copy_s ? c : r->copy_s;
        r->read_s = rd < r->read_s ? rd : r->read_s;
        r->bytes = used;
    }
    for (size_t i = 0; i < N_TICKS; i++) {
        uint8_t a[GT_TICK_LEN], b[GT_TICK_LEN];
        gt_tick_encode(&grouped[i], a);
        gt_tick_encode(&decoded[i], b);
        if (memcmp(a, b, sizeof a) != 0) {
            fprintf(stderr, "bench_store: decoded tick %zu differs from the one encoded\n", i);
            return GT_ECORRUPT;
        }
    }
    return GT_OK;
}

/* LZ4 alone over the raw 64-byte records, cut in the same blocks. */
static double lz4_raw_bytes(size_t n, uint8_t *tmp, uint8_t *dst)
{
    size_t total = 0;
    for (int s = 0; s < N_SERIES; s++)
        for (size_t k = run_start[s]; k < run_start[s + 1]; k += n) {
            size_t m = run_start[s + 1] - k < n ? run_start[s + 1] - k : n;
            for (size_t j = 0; j < m; j++)
                gt_tick_encode(&grouped[k + j], tmp + j * GT_TICK_LEN);
            int c = LZ4_compress_default((const char *)tmp, (char *)dst, (int)(m * GT_TICK_LEN),
                                         LZ4_compressBound((int)(m * GT_TICK_LEN)));
            total += (size_t)c;
        }
    return (double)total;
}

static int bench_codec(void)
{
    size_t cap = (size_t)N_TICKS * 24;
    uint8_t *blocks = malloc(cap);
    uint8_t *tmp = malloc((size_t)BLOCK_CAP * GT_TICK_LEN);
    uint8_t *dst = malloc((size_t)LZ4_compressBound(BLOCK_CAP * GT_TICK_LEN));
    int rc = GT_ENOMEM;
    decoded = malloc((size_t)N_TICKS * sizeof *decoded);
    copy_buf = malloc((size_t)N_TICKS * sizeof *grouped);
    if (!blocks || !tmp || !dst || !decoded || !copy_buf)
        goto out;
    struct codec_run r, hc;
    if ((rc = codec_measure(BLOCK_TICKS, 0, blocks, cap, &r)) < 0)
        goto out;
    char what[200];
    snprintf(what, sizeof what,
             "block codec encode (N=%d), M ticks/s (baseline: memcpy of the 64-byte ticks; "
             "higher is better)",
             BLOCK_TICKS);
    bench_row(what, N_TICKS / r.enc_s / 1e6, N_TICKS / r.copy_s / 1e6);
    snprintf(what, sizeof what,
             "block codec decode (N=%d) into a RAM array, M ticks/s (baseline: memcpy of the "
             "64-byte ticks RAM to RAM, the bytes decode writes; higher is better)",
             BLOCK_TICKS);
    bench_row(what, N_TICKS / r.dec_s / 1e6, N_TICKS / r.copy_s / 1e6);
    snprintf(what, sizeof what,
             "block codec decode (N=%d) into a RAM array, M ticks/s (baseline: memcpy of the "
             "%.1f MB of blocks, the bytes decode reads; higher is better)",
             BLOCK_TICKS, (double)r.bytes / 1e6);
    bench_row(what, N_TICKS / r.dec_s / 1e6, N_TICKS / r.read_s / 1e6);
    double raw = lz4_raw_bytes(BLOCK_TICKS, tmp, dst);
    snprintf(what, sizeof what,
             "block codec size (N=%d), bytes/tick (baseline: LZ4 alone over the raw records; "
             "lower is better)",
             BLOCK_TICKS);
    bench_row(what, (double)r.bytes / N_TICKS, raw / N_TICKS);
    if ((rc = codec_measure(BLOCK_TICKS, 9, blocks, cap, &hc)) < 0)
        goto out;
    bench_row("block codec with LZ4 HC level 9, bytes/tick (baseline: with LZ4 default; lower "
              "is better)",
              (double)hc.bytes / N_TICKS, (double)r.bytes / N_TICKS);
    bench_row("block codec with LZ4 HC level 9, decode M ticks/s (baseline: with LZ4 default; "
              "higher is better)",
              N_TICKS / hc.dec_s / 1e6, N_TICKS / r.dec_s / 1e6);
    bench_row("block codec with LZ4 HC level 9, encode M ticks/s (baseline: with LZ4 default; "
              "higher is better)",
              N_TICKS / hc.enc_s / 1e6, N_TICKS / r.enc_s / 1e6);
    for (size_t n = 256; n <= BLOCK_CAP; n *= 2) {
        struct codec_run b;
        if ((rc = codec_measure(n, 0, blocks, cap, &b)) < 0)
            goto out;
        snprintf(what, sizeof what,
                 "block of %zu ticks: bytes/tick (baseline: LZ4 alone, same cut; lower is "
                 "better)",
                 n);
        bench_row(what, (double)b.bytes / N_TICKS, lz4_raw_bytes(n, tmp, dst) / N_TICKS);
        snprintf(what, sizeof what,
                 "block of %zu ticks: decode into a RAM array, M ticks/s (baseline: memcpy of "
                 "the 64-byte ticks RAM to RAM; higher is better)",
                 n);
        bench_row(what, N_TICKS / b.dec_s / 1e6, N_TICKS / b.copy_s / 1e6);
    }
    rc = GT_OK;
out:
    free(decoded);
    free(copy_buf);
    decoded = NULL;
    copy_buf = NULL;
    free(blocks);
    free(tmp);
    free(dst);
    return rc;
}

int bench_store(void)
{
    struct daysim d;
    const struct daysim_config c = {.n_ticks = N_TICKS,
                                    .n_products = 1,
                                    .n_contracts = N_INSTR,
                                    .start_ns = 1795000000000000000,
                                    .mean_gap_ns = 20000, /* 50k events/s */
                                    .grouped = 1};
    int rc = daysim_gen(&d, &c);
    if (rc < 0)
        return rc;
    grouped = d.grouped;
    run_start = d.run_start;
    rc = bench_codec();
    daysim_free(&d);
    return rc;
}
