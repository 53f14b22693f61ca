/* SPDX-License-Identifier: MIT */
/* key.h -- the RocksDB keys of the store, built and checked in one place.
 *
 * Keys are big-endian so that memcmp order, RocksDB's default, is numeric
 * order: all the blocks of one series sit together, in time order, and one
 * seek finds the block where a time range starts. Signed numbers have their
 * sign bit flipped first, so that negative sorts before positive.
 *
 * Block key, column family "ticks" (the first 4 bytes are the prefix the
 * prefix extractor and its bloom filter see):
 *   OFFSET SIZE TYPE  FIELD
 *        0    4 u32   series     BE, 1.. (0 is the commit mark's alone)
 *        4    8 i64   key_ns     BE with the sign bit flipped: the first tick's
 *                                exch_ns, raised when needed to stay above the
 *                                series' previous block key
 *
 * The commit mark, also in "ticks": twelve zero bytes (series 0, the least
 * key), holding the checkpoint of the last commit (writer.c). Every commit
 * writes it and the meta checkpoint in one batch, so a view whose two
 * families disagree lacks a table file.
 *
 * Metadata keys, column family "meta" (values are described in store.c and
 * docs/store.md):
 *   KEY                      SIZE  VALUE
 *   'F'                         1  format record: "GTSTORE\0", u32 LE version
 *   'C'                         1  checkpoint: u64 LE last bus seq committed
 *   'S' u32 BE series           5  series record (instrument, kind, counts)
 *   'I' i32 BE instr, flipped   5  instrument: the GT_KIND_DEF tick, 64 bytes
 *                                  as gt_tick_encode() writes it
 *   'K' i32 BE instr, flipped  13  book checkpoint (bookckpt.h): the book as of
 *       i64 BE exch_ns, flipped    that exchange time
 *   'H' i32 BE instr, flipped   5  book horizon: i64 LE exch_ns of the
 *                                  checkpoint retention left; the book before
 *                                  it is gone
 *   'R'                         1  retention horizon: i64 LE exch_ns; the
 *                                  store keeps no data before it
 * Nothing here allocates. */
#ifndef GT_KEY_H
#define GT_KEY_H
#include <stddef.h>
#include <stdint.h>

enum {
    KEY_BLOCK_LEN = 12,
    KEY_SERIES_PREFIX_LEN = 4, /* the fixed prefix of a block key: its series */
    KEY_META_LEN = 5,          /* 'S' and 'I' keys */
    KEY_BOOK_LEN = 13,         /* 'K' keys */
};

/* The first byte of every metadata key. */
enum key_meta {
    KEY_META_FORMAT = 'F',
    KEY_META_CHECKPOINT = 'C',
    KEY_META_SERIES = 'S',
    KEY_META_INSTR = 'I',
    KEY_META_BOOK = 'K',
    KEY_META_HORIZON = 'H',
    KEY_META_RETAIN = 'R',
};

/* Writes the block key of (series, key_ns). */
void key_block_encode(uint8_t out[KEY_BLOCK_LEN], uint32_t series, int64_t key_ns);

/* Reads a block key. Returns GT_OK, or GT_EBADMSG if len is not
 * KEY_BLOCK_LEN or the series is 0. */
int key_block_decode(const uint8_t *k, size_t len, uint32_t *series, int64_t *key_ns);

/* Writes the commit mark's key (in "ticks", before every block). */
void key_mark_encode(uint8_t out[KEY_BLOCK_LEN]);

/* Writes the series record key of series. */
void key_series_encode(uint8_t out[KEY_META_LEN], uint32_t series);

/* Reads a series record key. Returns GT_OK, or GT_EBADMSG if it is not one. */
int key_series_decode(const uint8_t *k, size_t len, uint32_t *series);

/* Writes the instrument key of instr_id. */
void key_instr_encode(uint8_t out[KEY_META_LEN], int32_t instr_id);

/* Reads an instrument key. Returns GT_OK, or GT_EBADMSG if it is not one. */
int key_instr_decode(const uint8_t *k, size_t len, int32_t *instr_id);

/* Writes the book horizon key of instr_id. */
void key_horizon_encode(uint8_t out[KEY_META_LEN], int32_t instr_id);

/* Writes the book checkpoint key of (instr_id, exch_ns). */
void key_book_encode(uint8_t out[KEY_BOOK_LEN], int32_t instr_id, int64_t exch_ns);

/* Reads a book checkpoint key. Returns GT_OK, or GT_EBADMSG if it is not one. */
int key_book_decode(const uint8_t *k, size_t len, int32_t *instr_id, int64_t *exch_ns);

#endif
