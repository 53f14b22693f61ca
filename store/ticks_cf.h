/* SPDX-License-Identifier: MIT */
/* ticks_cf.h -- the RocksDB options of the store's ticks column family, for
 * store.c and for the benchmarks that measure RocksDB layouts beside it. */
#ifndef GT_STORE_TICKS_CF_H
#define GT_STORE_TICKS_CF_H
#include <rocksdb/c.h>

/* Sets the ticks family's options on t (docs/store.md, Options): no RocksDB
 * compression (the blocks are LZ4 already), the 8 MiB write buffer, the
 * series prefix as prefix extractor with its bloom filter (not whole keys),
 * 16 KiB table blocks. */
void store_ticks_cf_options(rocksdb_options_t *t);

#endif
