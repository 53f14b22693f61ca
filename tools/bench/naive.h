/* SPDX-License-Identifier: MIT */
/* naive.h -- the naive RocksDB tick store, the baseline the tick store is
 * measured against.
 *
 * What one would build first: one RocksDB key per tick, series (4, BE),
 * exch_ns (8, BE, sign flipped) and seq (8, BE), so that a series reads in
 * time order; the value is the 64-byte wire record; RocksDB compresses its
 * table blocks with LZ4. naive_store() writes a day as the tick store is
 * written (one WriteBatch per commit_every ticks) and compacts it fully;
 * naive_scan() reads it whole, decoding every record and summing its eight
 * 64-bit words (the sum the store's scan computes, so the two can be
 * compared). The store lives at path; removing
 * it is the caller's. */
#ifndef GT_BENCH_NAIVE_H
#define GT_BENCH_NAIVE_H
#include <stddef.h>
#include <stdint.h>
#include "feedday.h"

struct naive_run {
    double ingest_s; /* puts and writes */
    double scan_s;   /* the last naive_scan: iterate every key, decode every value */
    uint64_t disk;   /* table files after the compaction */
    uint64_t scanned, sum;
};

/* Records the day's ticks at path and compacts. Returns GT_OK, or GT_EDB
 * with RocksDB's message on stderr. */
int naive_store(const char *path, const struct feedday_ticks *d, size_t commit_every,
                struct naive_run *r);
/* Opens the store at path and scans it whole into r (scan_s, scanned, sum).
 * Returns GT_OK or GT_EDB as above. */
int naive_scan(const char *path, struct naive_run *r);

#endif
