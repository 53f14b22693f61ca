/* SPDX-License-Identifier: MIT */
/* block.h -- the column block: up to BLOCK_CAP ticks of one series (one
 * instrument, one kind) in a few bytes each, the value of every tick key in
 * the store.
 *
 * Ticks are turned into columns before compression, because LZ4 alone cannot
 * see that a timestamp is the previous one plus a few microseconds or that a
 * price moved by one tick: exchange times become delta-of-deltas (or plain
 * deltas when that is shorter for this block; a flag says which), receive
 * times the change in latency, bus sequences a delta from the previous one
 * less one (0 when the series holds consecutive records), prices a delta in
 * units of the tick size (the instrument's, or the greatest common divisor of
 * the block's price moves when it is not known) with an escape to a raw delta
 * for a price off the grid or a jump of 2^53 or more (nulls are INT64_MAX),
 * quantities and counts zigzag values, ids and dates deltas, flags and
 * one-byte fields as they are. Each column is stored the shortest of three
 * ways for its block (LEB128 varints, bit packing at the width of its widest
 * value, or one constant); all the values of one column follow each other
 * (column-major), then LZ4 (or LZ4 HC) compresses the lot, and a CRC32C covers
 * header and payload.
 *
 * Every field that gt_tick_encode() writes survives bit for bit, extremes and
 * nulls included: decode(encode(ticks)) equals gt_tick_decode(gt_tick_encode(t))
 * for each tick (bytes the record does not carry, such as padding, read as 0).
 *
 * Block layout, all integers little-endian (the header is not compressed, so a
 * reader can skip a block on its time range without decompressing it):
 *   OFFSET SIZE TYPE  FIELD
 *        0    4 u32   magic       BLOCK_MAGIC, the bytes "GTBK"
 *        4    1 u8    version     BLOCK_VERSION
 *        5    1 u8    kind        enum gt_kind of every tick
 *        6    2 u16   flags       BLOCK_F_*
 *        8    4 i32   instr_id    of every tick
 *       12    4 u32   count       ticks, 1..BLOCK_CAP
 *       16    8 i64   first_ns    exch_ns of the first tick
 *       24    8 i64   last_ns     exch_ns of the last tick
 *       32    8 i64   min_ns      least exch_ns in the block
 *       40    8 i64   max_ns      greatest exch_ns in the block
 *       48    8 u64   first_seq   bus sequence of the first tick
 *       56    8 u64   last_seq    bus sequence of the last tick
 *       64    8 i64   tick_px     price unit of the price columns; < 2: raw deltas
 *       72    4 u32   raw_len     bytes of the columns before compression
 *       76    4 u32   comp_len    bytes of payload that follow the header
 *       80    4 u32   crc         CRC32C of bytes [0, 80) then of the payload
 *       84    comp_len            payload: the columns, LZ4-compressed if
 *                                 BLOCK_F_LZ4, else stored as they are
 *
 * Columns, in this order, count values each (zz() is zigzag; "prev" is the
 * previous row's value, and 0 before the first unless said otherwise):
 *   exch_ns   BLOCK_F_TS_DELTA ? zz(t - prev) : zz((t - prev) - prev_delta), from
 *             prev = first_ns and prev_delta = 0 (so the first value is 0)
 *   recv_ns   zz(lat - prev), lat = recv_ns - exch_ns (latency changes little)
 *   seq       zz(seq - prev - 1), from prev = first_seq - 1
 *   flags     flags
 *   payload   per kind, in block.c's table order: prices as zz(delta /
 *             tick_px) (tick_px < 2: zz(delta)); in varint mode with tick_px
 *             >= 2 shifted left by one, an odd value 1 announcing an escape: the next varint is
 *             zz(delta) for a move off the grid or of 2^53 or more; signed
 *             values zz(v); unsigned values (the u8 fields too) v; ids,
 *             sequences and dates zz(v - prev); text as raw bytes. A price,
 *             id, sequence or date column starts with a varint base, the
 *             first row's value (zz(v) for a price), and prev starts there.
 * Every column but the raw-byte ones starts with a mode byte, whichever is
 * shortest for that column in that block:
 *   0       count LEB128 varints
 *   1..64   count values bit-packed at that width, LSB first, in
 *           ceil(count * width / 8) bytes (a price column with escapes is
 *           always varints)
 *   65      one varint: every row has this value
 * All arithmetic wraps (mod 2^64, or mod 2^32 for 32-bit fields), which is
 * what makes the extremes round-trip.
 *
 * Nothing here allocates: the caller owns the tick arrays, the output and the
 * scratch buffer (BLOCK_SCRATCH_LEN bytes, for the uncompressed columns). */
#ifndef GT_BLOCK_H
#define GT_BLOCK_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/tick.h"

enum {
    BLOCK_MAGIC = 0x4b425447, /* "GTBK" read as a little-endian u32 */
    BLOCK_VERSION = 1,
    BLOCK_HDR_LEN = 84,
    /* The most ticks one block may hold (the format's limit; the decoder
     * accepts up to this many). */
    BLOCK_CAP = 8192,
    /* How many ticks the store puts in a block before it starts the next one:
     * chosen with tools/bench (bench_store), see docs/store.md. */
    BLOCK_TICKS = 512,
    /* The longest one tick's columns can be (10-byte varints and an escape). */
    BLOCK_TICK_RAW_MAX = 80,
    BLOCK_PAD = 16, /* zero bytes after the columns, for the decoder's reads */
};
/* The longest the columns of n ticks can be: per tick, plus each column's
 * base, mode byte and constant. */
#define BLOCK_RAW_LEN(n) ((size_t)(n)*BLOCK_TICK_RAW_MAX + 384)
enum {
    BLOCK_RAW_MAX = BLOCK_RAW_LEN(BLOCK_CAP),
    /* Where in the scratch the encoder keeps one column's values (8-aligned
     * from there), and the scratch the caller lends to encode and decode. */
    BLOCK_VALS_AT = BLOCK_RAW_MAX + BLOCK_PAD,
    BLOCK_SCRATCH_LEN = BLOCK_VALS_AT + 8 + BLOCK_CAP * 8,
};

/* Block flags. */
enum {
    BLOCK_F_LZ4 = 1 << 0,      /* payload is LZ4 (either level); else stored */
    BLOCK_F_TS_DELTA = 1 << 1, /* exch_ns column holds deltas, not delta-of-deltas */
    BLOCK_F_HC = 1 << 2,       /* compressed with LZ4 HC (informative) */
};

/* LZ4's bound (LZ4_COMPRESSBOUND) for the columns of n ticks, plus the
 * header: the output capacity that always suffices for n ticks. */
#define BLOCK_BOUND(n) (BLOCK_HDR_LEN + BLOCK_RAW_LEN(n) + BLOCK_RAW_LEN(n) / 255 + 16)
enum { BLOCK_OUT_MAX = BLOCK_BOUND(BLOCK_CAP) };

/* The header of a block, host order. */
struct block_hdr {
    uint8_t version;
    uint8_t kind;
    uint16_t flags;
    int32_t instr_id;
    uint32_t count;
    int64_t first_ns, last_ns, min_ns, max_ns;
    uint64_t first_seq, last_seq;
    int64_t tick_px;
    uint32_t raw_len, comp_len;
    uint32_t crc;
};

/* Encodes t[0..n) into out (cap bytes; BLOCK_BOUND(n) always suffices), using
 * scratch (BLOCK_SCRATCH_LEN bytes). tick_px is the instrument's tick size
 * (1e-9); 0 or 1 lets the encoder find the grid itself. hc_level 0 uses
 * LZ4_compress_default, 1..12 LZ4_compress_HC at that level. Returns the block's
 * length, or GT_EINVAL if n is 0 or above BLOCK_CAP, cap is too small, or the
 * ticks are not all of one kind (1..GT_KIND_MAX), one instrument and version
 * GT_TICK_VERSION. */
int block_encode(const struct gt_tick *t, size_t n, int64_t tick_px, int hc_level, uint8_t *scratch,
                 uint8_t *out, size_t cap);

/* Reads and checks the header of the block p[0..len) without the CRC or the
 * payload: a cheap look for pruning. Returns GT_OK, GT_ETRUNC if len is
 * shorter than the header or than the payload it declares, GT_EBADMSG if the
 * magic, kind, count or lengths are impossible or bytes follow the payload,
 * GT_EVERSION for another block version. */
int block_hdr_read(const uint8_t *p, size_t len, struct block_hdr *h);

/* Decodes the block p[0..len) into out[0..cap) with scratch
 * (BLOCK_SCRATCH_LEN bytes), filling *h if h is not NULL. Returns the number of
 * ticks, the errors of block_hdr_read(), GT_ECORRUPT if the CRC does not match,
 * GT_EINVAL if the block holds more than cap ticks, GT_EBADMSG if the payload
 * does not decompress to raw_len bytes or the columns do not fill it exactly
 * or disagree with the header. On error out[] holds garbage. */
int block_decode(const uint8_t *p, size_t len, struct gt_tick *out, size_t cap, uint8_t *scratch,
                 struct block_hdr *h);

/* block_decode() filling only the fields named in fields (GT_FIELD() bits,
 * gputick/tick.h): version, kind, instr_id and exch_ns always, every
 * other field only if named, else 0. The columns not wanted are stepped over,
 * not decoded, and checked as far as that goes (the CRC still covers every
 * byte); with GT_FIELDS_ALL this is block_decode(). */
int block_decode_fields(const uint8_t *p, size_t len, struct gt_tick *out, size_t cap,
                        uint8_t *scratch, struct block_hdr *h, uint64_t fields);

#endif
