/* SPDX-License-Identifier: MIT */
/* bookckpt.h -- the store's book checkpoints: the whole book of an
 * instrument (gt_mbp_book, gputick/mbp.h) as of one exchange time, so that a
 * book at T is replayed only from the latest checkpoint at or before T
 * (gt_store_book_at) rather than from the start of the data.
 *
 * This module is their one owner: it lays the record out, puts it into the
 * writer's commit (under meta key 'K' + instrument + the book's last_ns) and
 * finds it again. The writer keeps a gt_mbp_book per instrument and writes
 * one every GT_STORE_BOOK_EVERY book ticks, and a retention writes the one it
 * leaves (writer.c, retain.c); readers find the latest at or before T.
 *
 * Checkpoint record, the value of meta key 'K' + instrument + exch_ns
 * (key.h), little-endian:
 *   OFFSET  SIZE TYPE  FIELD
 *        0     4 u32   magic "GTBC"
 *        4     1 u8    version (2)
 *        5     1 u8    flags: 1 stale
 *        6     1 u8    n_bid, levels that follow (0..depth)
 *        7     1 u8    n_ask
 *        8     8 u64   last_seq: bus seq of the last tick applied
 *       16     8 i64   last_ns: exch_ns of the last level or status tick
 *                      given, applied or not (also the key's time)
 *       24     8 i64   stale_since_ns
 *       32     8 u64   n_applied
 *       40     1 u8    depth, 1..GT_MBP_DEPTH_MAX (since version 2)
 *       41     3       zero
 *       44  20*n i64 px, i64 qty, i32 n_orders per level: bids best first,
 *                      then asks; an empty level (a hole) has px INT64_MAX;
 *                      the last level of a side is never empty
 *      end     4 u32   CRC32C of every byte before it
 * Version 1 records (no depth, 40-byte header) were written by a replay that
 * ignored the depth and removed the wrong levels on a DeleteFrom: they are
 * refused (GT_EVERSION), and a book is then replayed from an earlier point. */
#ifndef GT_STORE_BOOKCKPT_H
#define GT_STORE_BOOKCKPT_H
#include <rocksdb/c.h>
#include <stddef.h>
#include <stdint.h>
#include "gputick/mbp.h"

enum {
    BOOKCKPT_HDR = 44,
    BOOKCKPT_LEVEL = 20,
    BOOKCKPT_MAX = BOOKCKPT_HDR + 2 * GT_MBP_DEPTH_MAX * BOOKCKPT_LEVEL + 4,
    BOOKCKPT_VERSION = 2,
};

/* Writes b as a checkpoint record into out (BOOKCKPT_MAX bytes). Returns its
 * length. */
int bookckpt_encode(const struct gt_mbp_book *b, uint8_t out[BOOKCKPT_MAX]);

/* Reads a checkpoint record into b. Returns GT_OK, GT_ETRUNC, GT_EBADMSG (bad
 * magic, depth, counts or length, or a side ending in an empty level),
 * GT_EVERSION (not version 2) or GT_ECORRUPT (CRC); b is then unspecified. */
int bookckpt_decode(const uint8_t *p, size_t len, struct gt_mbp_book *b);

/* Puts b into batch (family cf, "meta") as the checkpoint of instr_id at
 * b->last_ns, the time of its last level or status tick. */
void bookckpt_put(rocksdb_writebatch_t *batch, rocksdb_column_family_handle_t *cf, int32_t instr_id,
                  const struct gt_mbp_book *b);

/* The latest checkpoint of instr_id at or before at_ns into b. Returns 1 if
 * one was read, 0 if there is none or it is unreadable (bad CRC, length,
 * version, or a time unlike its key's; b is then an empty book of the default
 * depth, to be replayed from the start), or GT_EDB with RocksDB's message in
 * *dberr (the caller frees it). */
int bookckpt_find(rocksdb_t *db, const rocksdb_readoptions_t *ro,
                  rocksdb_column_family_handle_t *cf, int32_t instr_id, int64_t at_ns,
                  struct gt_mbp_book *b, char **dberr);

#endif
