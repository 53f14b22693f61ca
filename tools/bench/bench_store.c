/* SPDX-License-Identifier: MIT */
/* bench_store.c -- the block codec and the tick store, each beside its
 * baseline in the same run, on the same synthetic but realistic stream.
 *
 * The stream (daysim.c, one product): 12 futures with prices random-walking on a 0.005 grid around
 * $2.50, Poisson event times (50 000 events/s across the instruments), each
 * event a trade or not, one or two level changes and a top of book, small
 * quantities, one bus sequence per record, as tickfeed would publish it.
 *
 * Codec rows: ticks grouped by series and cut into blocks, encode and decode
 * speed beside memcpy of the same 64-byte records, bytes per tick beside LZ4
 * alone over the raw records cut the same way, LZ4 HC, and the block size.
 * Store rows: gt_store_append + gt_store_commit (one commit per 65 536
 * ticks) beside RocksDB with one key per tick (series, time, seq) and its own
 * LZ4, each written in the same batches; bytes on disk after a full
 * compaction; a full scan of every series beside a full iteration decoding
 * every record. Each store lives in a mkdtemp folder, removed at the end. */
#include <ftw.h>
#include <lz4.h>
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "bench.h"
#include "block.h"
#include "daysim.h"
#include "gputick/bytes.h"
#include "gputick/err.h"
#include "gputick/store.h"
#include "gputick/tick.h"

enum {
    N_TICKS = 2 << 20,
    N_INSTR = 12,
    N_SERIES = N_INSTR * (GT_KIND_MAX + 1),
    COMMIT_EVERY = 1 << 16,
    ROUNDS = 3,
    TICK_PX = DAYSIM_TICK_PX,
};

static struct gt_tick *stream;  /* bus order */
static struct gt_tick *grouped; /* by series, bus order inside */
static size_t *run_start;

/* ---- codec ---- */

struct codec_run {
    double enc_s, dec_s, raw_lz4_bytes;
    size_t bytes;
};

/* Encodes every series in blocks of n into blocks[] (cap bytes), then decodes
 * them all; keeps the best of ROUNDS times. */
static int codec_measure(size_t n, int hc, uint8_t *blocks, size_t cap, struct codec_run *r)
{
    static uint8_t scratch[BLOCK_SCRATCH_LEN];
    static struct gt_tick out[BLOCK_CAP];
    static uint32_t lens[N_TICKS];
    r->enc_s = r->dec_s = 1e9;
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
        double t1 = bench_now();
        uint64_t acc = 0;
        size_t off = 0;
        for (size_t b = 0; b < nb; b++) {
            int got = block_decode(blocks + off, lens[b], out, BLOCK_CAP, scratch, NULL);
            if (got < 0)
                return got;
            acc += out[got - 1].seq;
            off += lens[b];
        }
        bench_sink(acc);
        double t2 = bench_now();
        r->enc_s = t1 - t0 < r->enc_s ? t1 - t0 : r->enc_s;
        r->dec_s = t2 - t1 < r->dec_s ? t2 - t1 : r->dec_s;
        r->bytes = used;
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

static double memcpy_s(void)
{
    uint8_t *copy = malloc((size_t)N_TICKS * sizeof *grouped);
    if (!copy)
        return 1e9;
    double best = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = bench_now();
        memcpy(copy, grouped, (size_t)N_TICKS * sizeof *grouped);
        bench_sink(copy[N_TICKS]);
        double t = bench_now() - t0;
        best = t < best ? t : best;
    }
    free(copy);
    return best;
}

static int bench_codec(void)
{
    size_t cap = (size_t)N_TICKS * 24;
    uint8_t *blocks = malloc(cap);
    uint8_t *tmp = malloc((size_t)BLOCK_CAP * GT_TICK_LEN);
    uint8_t *dst = malloc((size_t)LZ4_compressBound(BLOCK_CAP * GT_TICK_LEN));
    int rc = GT_ENOMEM;
    if (!blocks || !tmp || !dst)
        goto out;
    double mc = memcpy_s();
    struct codec_run r, hc;
    if ((rc = codec_measure(BLOCK_TICKS, 0, blocks, cap, &r)) < 0)
        goto out;
    char what[200];
    snprintf(what, sizeof what,
             "block codec encode (N=%d), M ticks/s (baseline: memcpy of the 64-byte ticks; "
             "higher is better)",
             BLOCK_TICKS);
    bench_row(what, N_TICKS / r.enc_s / 1e6, N_TICKS / mc / 1e6);
    snprintf(what, sizeof what,
             "block codec decode (N=%d), M ticks/s (baseline: memcpy of the 64-byte ticks; "
             "higher is better)",
             BLOCK_TICKS);
    bench_row(what, N_TICKS / r.dec_s / 1e6, N_TICKS / mc / 1e6);
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
                 "block of %zu ticks: decode M ticks/s (baseline: memcpy; higher is better)", n);
        bench_row(what, N_TICKS / b.dec_s / 1e6, N_TICKS / mc / 1e6);
    }
    rc = GT_OK;
out:
    free(blocks);
    free(tmp);
    free(dst);
    return rc;
}

/* ---- store ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

struct store_run {
    double ingest_s, scan_s;
    uint64_t disk, scanned;
};

static int gputick_store(const char *path, struct store_run *r)
{
    int rc = bench_store_ingest(path, stream, N_TICKS, COMMIT_EVERY, "bench_store", &r->ingest_s,
                                &r->disk);
    if (rc < 0)
        return rc;
    gt_store *st;
    char err[GT_ERRLEN];
    double t0;
    if ((rc = gt_store_open(path, GT_STORE_READER, &st, err)) < 0) {
        fprintf(stderr, "bench_store: %s\n", err);
        return rc;
    }
    struct gt_series_info info[N_SERIES];
    int ns = gt_store_series_list(st, info, N_SERIES);
    uint64_t acc = 0, n_read = 0;
    t0 = bench_now();
    for (int s = 0; s < ns && rc >= 0; s++) {
        gt_store_iter *it;
        if ((rc = gt_store_iter_open(st, info[s].instr_id, info[s].kind, INT64_MIN, INT64_MAX,
                                     &it)) < 0)
            break;
        const struct gt_tick *v;
        int n;
        while ((n = gt_store_iter_next(it, &v)) > 0) {
            for (int j = 0; j < n; j++)
                acc += (uint64_t)v[j].u.trade.px;
            n_read += (uint64_t)n;
        }
        rc = n < 0 ? n : GT_OK;
        gt_store_iter_close(it);
    }
    r->scan_s = bench_now() - t0;
    r->scanned = n_read;
    bench_sink(acc);
    gt_store_close(st);
    return rc;
}

/* One key per tick: series (4, BE), exch_ns (8, BE, sign flipped), seq (8,
 * BE); the value is the 64-byte record; RocksDB compresses with LZ4. */
static int naive_store(const char *path, struct store_run *r)
{
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(o, 1);
    rocksdb_options_set_compression(o, rocksdb_lz4_compression);
    rocksdb_options_set_write_buffer_size(o, 64 << 20);
    rocksdb_options_set_max_background_jobs(o, 2);
    char *err = NULL;
    rocksdb_t *db = rocksdb_open(o, path, &err);
    if (err) {
        fprintf(stderr, "bench_store: naive: %s\n", err);
        rocksdb_free(err);
        rocksdb_options_destroy(o);
        return GT_EDB;
    }
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    rocksdb_writebatch_t *b = rocksdb_writebatch_create();
    double t0 = bench_now();
    for (size_t k = 0; k < N_TICKS && !err; k++) {
        const struct gt_tick *t = &stream[k];
        uint8_t key[20], val[GT_TICK_LEN];
        st_be32(key, (uint32_t)((t->instr_id - 10000) * (GT_KIND_MAX + 1) + t->kind));
        st_be64(key + 4, (uint64_t)t->exch_ns ^ ((uint64_t)1 << 63));
        st_be64(key + 12, t->seq);
        gt_tick_encode(t, val);
        rocksdb_writebatch_put(b, (const char *)key, sizeof key, (const char *)val, sizeof val);
        if ((k + 1) % COMMIT_EVERY == 0 || k + 1 == N_TICKS) {
            rocksdb_write(db, wo, b, &err);
            rocksdb_writebatch_clear(b);
        }
    }
    r->ingest_s = bench_now() - t0;
    rocksdb_compactoptions_t *co = rocksdb_compactoptions_create();
    rocksdb_compactoptions_set_bottommost_level_compaction(co, 1);
    if (!err)
        rocksdb_compact_range_opt(db, co, NULL, 0, NULL, 0);
    rocksdb_compactoptions_destroy(co);
    if (rocksdb_property_int(db, "rocksdb.total-sst-files-size", &r->disk) != 0)
        r->disk = 0;
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    rocksdb_iterator_t *it = rocksdb_create_iterator(db, ro);
    uint64_t acc = 0, n_read = 0;
    t0 = bench_now();
    for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t vlen;
        const char *v = rocksdb_iter_value(it, &vlen);
        struct gt_tick t;
        if (gt_tick_decode((const uint8_t *)v, vlen, &t) == GT_OK)
            acc += (uint64_t)t.u.trade.px;
        n_read++;
    }
    r->scan_s = bench_now() - t0;
    r->scanned = n_read;
    bench_sink(acc);
    rocksdb_iter_destroy(it);
    rocksdb_readoptions_destroy(ro);
    rocksdb_writebatch_destroy(b);
    rocksdb_writeoptions_destroy(wo);
    rocksdb_close(db);
    rocksdb_options_destroy(o);
    if (err) {
        fprintf(stderr, "bench_store: naive: %s\n", err);
        rocksdb_free(err);
        return GT_EDB;
    }
    return GT_OK;
}

static int bench_stores(void)
{
    char dir[] = "/tmp/gt-bench-store-XXXXXX";
    if (!mkdtemp(dir))
        return GT_EIO;
    char p1[64], p2[64];
    snprintf(p1, sizeof p1, "%s/gputick", dir);
    snprintf(p2, sizeof p2, "%s/naive", dir);
    struct store_run g = {0}, n = {0};
    int rc = gputick_store(p1, &g);
    if (rc >= 0)
        rc = naive_store(p2, &n);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (rc < 0)
        return rc;
    if (g.scanned != N_TICKS || n.scanned != N_TICKS) {
        fprintf(stderr, "bench_store: scans read %llu and %llu ticks, want %d\n",
                (unsigned long long)g.scanned, (unsigned long long)n.scanned, N_TICKS);
        return GT_EIO;
    }
    bench_row("store ingest (append + commit per 65536), M ticks/s (baseline: RocksDB, one key "
              "per tick, LZ4; higher is better)",
              N_TICKS / g.ingest_s / 1e6, N_TICKS / n.ingest_s / 1e6);
    bench_row("store on disk after full compaction, bytes/tick (baseline: RocksDB, one key per "
              "tick, LZ4; lower is better)",
              (double)g.disk / N_TICKS, (double)n.disk / N_TICKS);
    bench_row("store full scan, M ticks/s (baseline: RocksDB, one key per tick, iterate + "
              "decode; higher is better)",
              N_TICKS / g.scan_s / 1e6, N_TICKS / n.scan_s / 1e6);
    return GT_OK;
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
    stream = d.stream;
    grouped = d.grouped;
    run_start = d.run_start;
    rc = bench_codec();
    if (rc >= 0)
        rc = bench_stores();
    daysim_free(&d);
    return rc;
}
