/* SPDX-License-Identifier: MIT */
/* naive.c -- one RocksDB key per tick (contract in naive.h). */
#include "naive.h"
#include <rocksdb/c.h>
#include <stdio.h>
#include "bench.h"
#include "gputick/bytes.h"

int naive_store(const char *path, const struct feedday_ticks *d, size_t commit_every,
                struct naive_run *r)
{
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(o, 1);
    rocksdb_options_set_compression(o, rocksdb_lz4_compression);
    rocksdb_options_set_write_buffer_size(o, 64 << 20);
    rocksdb_options_set_max_background_jobs(o, 2);
    char *err = NULL;
    rocksdb_t *db = rocksdb_open(o, path, &err);
    if (err) {
        fprintf(stderr, "naive RocksDB: %s\n", err);
        rocksdb_free(err);
        rocksdb_options_destroy(o);
        return GT_EDB;
    }
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    rocksdb_writebatch_t *b = rocksdb_writebatch_create();
    double t0 = bench_now();
    for (size_t k = 0; k < d->n && !err; k++) {
        const struct gt_tick *t = &d->t[k];
        uint8_t key[20], val[GT_TICK_LEN];
        st_be32(key, (uint32_t)feedday_series(d, t));
        st_be64(key + 4, (uint64_t)t->exch_ns ^ ((uint64_t)1 << 63));
        st_be64(key + 12, t->seq);
        gt_tick_encode(t, val);
        rocksdb_writebatch_put(b, (const char *)key, sizeof key, (const char *)val, sizeof val);
        if ((k + 1) % commit_every == 0 || k + 1 == d->n) {
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
    rocksdb_writebatch_destroy(b);
    rocksdb_writeoptions_destroy(wo);
    rocksdb_close(db);
    rocksdb_options_destroy(o);
    if (err) {
        fprintf(stderr, "naive RocksDB: %s\n", err);
        rocksdb_free(err);
        return GT_EDB;
    }
    return GT_OK;
}

int naive_scan(const char *path, struct naive_run *r)
{
    rocksdb_options_t *o = rocksdb_options_create();
    char *err = NULL;
    rocksdb_t *db = rocksdb_open_for_read_only(o, path, 0, &err);
    if (err) {
        fprintf(stderr, "naive RocksDB: %s\n", err);
        rocksdb_free(err);
        rocksdb_options_destroy(o);
        return GT_EDB;
    }
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    rocksdb_iterator_t *it = rocksdb_create_iterator(db, ro);
    uint64_t acc = 0, n_read = 0;
    double t0 = bench_now();
    for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t vlen;
        const char *v = rocksdb_iter_value(it, &vlen);
        struct gt_tick t;
        if (gt_tick_decode((const uint8_t *)v, vlen, &t) == GT_OK) {
            const uint64_t *w = (const uint64_t *)(const void *)&t;
            acc += w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
        }
        n_read++;
    }
    r->scan_s = bench_now() - t0;
    r->scanned = n_read;
    r->sum = acc;
    rocksdb_iter_destroy(it);
    rocksdb_readoptions_destroy(ro);
    rocksdb_close(db);
    rocksdb_options_destroy(o);
    return GT_OK;
}
