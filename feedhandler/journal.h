/* SPDX-License-Identifier: MIT */
/* journal.h -- tickfeed's append-only journal of published ticks.
 *
 * The feed writes every bus message here before it publishes it (DESIGN point
 * 5), so a subscriber that missed messages can replay them by sequence from
 * the ROUTER, and a restart continues the bus sequence without a hole. A
 * message is what goes out on ZeroMQ: a topic and n 64-byte tick records
 * whose bus sequence numbers are consecutive.
 *
 * The journal is a directory of segment files named by the bus sequence of
 * their first record, "j-<first_seq, 20 decimal digits>.gtj", so the segment
 * holding a sequence is found from the names alone. A segment is a header and
 * then records, each a length, a CRC-32C of the payload, and the payload.
 * Appends go to a user-space buffer; journal_flush() hands it to the kernel
 * with write(), after which a kill -9 of the feed loses nothing (fsync is a
 * policy: none by default, every flush, or at an interval, against a power
 * cut). A new segment starts when the current one would pass its size limit
 * or when the UTC day changes. On open the last segment is scanned and a torn
 * tail (a record cut short by a kill mid-write) is truncated away; the
 * number of bytes dropped is reported.
 *
 * Segment header, 32 bytes:
 *   OFFSET SIZE TYPE  FIELD
 *        0    4 char  magic       "GTJ1"
 *        4    2 u16   version     JOURNAL_VERSION
 *        6    2 u16   header_len  JOURNAL_HDR_LEN
 *        8    8 u64   first_seq   bus sequence of the first record (as the name)
 *       16    8 i64   created_ns  when the segment was started (its UTC day)
 *       24    4 u32   reserved    0
 *       28    4 u32   hdr_crc     CRC-32C of bytes 0..27
 * Record, 8 + len bytes, one after another to the end of the file:
 *        0    4 u32   len         payload bytes, 2 + topic_len + 64 * n
 *        4    4 u32   crc         CRC-32C of the payload
 *        8  len       payload:
 *                       0          2 u16  topic_len (1..JOURNAL_TOPIC_MAX)
 *                       2  topic_len char topic, as the PUB topic frame
 *             2 + topic_len   64 * n      n >= 1 tick records (gputick/tick.h),
 *                                         sequences first_seq .. first_seq + n - 1
 * All integers little-endian. A message's first sequence is the seq field of
 * its first record (tick offset 8); consecutive messages continue it.
 *
 * Sparse index, in memory only (nothing of it is on disk, so the format above
 * is all there is and old segments need no migration). Per segment:
 *   FIELD    MEANING
 *   seq[i]   first sequence of an indexed record, increasing
 *   off[i]   its file offset; entries at least stride bytes apart
 *   end_off  records before this offset are indexed (in file order only)
 *   end_seq  sequence of the record at end_off
 * at most 4096 entries: when full, every other one is dropped and the stride
 * doubles (64 KiB at first; 128 KiB for a full 256 MiB segment), so a seek
 * reads at most one stride of records whatever the segment's size. The writer
 * indexes the segment it appends to (and keeps the index of the one before
 * when it rotates; journal_open builds it during its scan of the last
 * segment). A reader attached to the writer (journal_reader_attach) seeks by
 * those; any reader also keeps the indexes of the last 4 segments it read,
 * built from every record it reads in order: a segment nobody indexed costs
 * one scan to the position asked for, once.
 *
 * Only journal_open() and journal_reader_open() allocate (the indexes too). */
#ifndef GT_JOURNAL_H
#define GT_JOURNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gputick/err.h"

enum {
    JOURNAL_VERSION = 1,
    JOURNAL_HDR_LEN = 32,
    JOURNAL_REC_HDR_LEN = 8,
    JOURNAL_TOPIC_MAX = 255,
    JOURNAL_MAX_PAYLOAD = 1 << 20, /* a longer record is corrupt by definition */
    JOURNAL_MAX_SEGMENTS = 1 << 16,
    JOURNAL_NAME_LEN = 27, /* "j-" + 20 digits + ".gtj" + NUL */
};
_Static_assert(JOURNAL_NAME_LEN == 2 + 20 + 4 + 1, "segment name length");

enum journal_fsync {
    JOURNAL_FSYNC_NONE = 0,     /* write() only: survives a crash of the feed */
    JOURNAL_FSYNC_FLUSH = 1,    /* fdatasync after every flush */
    JOURNAL_FSYNC_INTERVAL = 2, /* fdatasync at a flush once fsync_interval_ns passed */
};

struct journal_opts {
    uint64_t max_segment_len;  /* start a new segment past this; 0: 256 MiB */
    size_t buf_len;            /* user-space buffer; 0: 1 MiB (never below one record) */
    int fsync;                 /* enum journal_fsync */
    int64_t fsync_interval_ns; /* for JOURNAL_FSYNC_INTERVAL; 0: 1 s */
    uint64_t first_seq;        /* bus sequence of a new journal's first record; 0: 1 */
    int64_t (*clock_ns)(void); /* the time for segment days; NULL: gt_now_ns */
};

/* One message, as parsed: views into the buffer it was parsed from (for a
 * reader: valid until its next call). */
struct journal_msg {
    uint64_t first_seq;
    size_t n_records;
    const char *topic;
    size_t topic_len;
    const uint8_t *records; /* n_records * GT_TICK_LEN bytes */
};

struct journal;
struct journal_reader;

/* ---- writing ---- */

/* Opens the journal in dir (created if missing), recovering the last segment:
 * a torn or invalid tail is truncated (journal_tail_dropped() says how many
 * bytes) and the next sequence follows the last intact record. o may be NULL
 * for the defaults. Returns GT_OK and *out, or GT_EIO / GT_ECORRUPT (a segment
 * header is damaged) / GT_EINVAL / GT_ENOMEM with a message in err. */
int journal_open(struct journal **out, const char *dir, const struct journal_opts *o,
                 char err[GT_ERRLEN]);

/* Flushes and closes; returns the flush's result. Takes NULL. */
int journal_close(struct journal *j);

/* The bus sequence the next appended message must start with. */
uint64_t journal_next_seq(const struct journal *j);

/* Bytes truncated from the tail by journal_open(). */
uint64_t journal_tail_dropped(const struct journal *j);

/* Appends one message to the buffer: n_records (>= 1) tick records of
 * GT_TICK_LEN bytes whose seq fields run from journal_next_seq() upward by
 * one. Flushes first if the buffer is full and starts a new segment if due.
 * Returns GT_OK; GT_EINVAL if the topic or the sequence numbers are wrong or
 * the message too long; GT_ENOSPC or GT_EIO if a needed flush or new segment
 * failed (the message is then not appended; nothing on disk is damaged and a
 * later call may succeed). */
int journal_append(struct journal *j, const char *topic, size_t topic_len, const uint8_t *records,
                   size_t n_records);

/* write()s the buffer to the kernel (and fdatasyncs per the policy). Returns
 * GT_OK, or GT_ENOSPC / GT_EIO: the file is cut back to its last good length,
 * the buffer is kept, and calling again retries. */
int journal_flush(struct journal *j);

/* The last error's text ("disk full writing j-...gtj"). */
const char *journal_errmsg(const struct journal *j);

/* fdatasyncs done so far (the fsync policy at work). */
uint64_t journal_syncs(const struct journal *j);

/* ---- reading ---- */

/* Opens a reader on the journal in dir (which may be live: records a writer
 * has not yet flushed are simply not there yet). Returns GT_OK, GT_EIO or
 * GT_ENOMEM with err. */
int journal_reader_open(struct journal_reader **out, const char *dir, char err[GT_ERRLEN]);
void journal_reader_close(struct journal_reader *r);

/* Lets r seek by j's indexes of the segment j writes and the one before (j
 * writes into dir): a seek there reads at most one stride, even into the
 * part no reader has read yet. For one thread holding both; close r before
 * j. */
void journal_reader_attach(struct journal_reader *r, const struct journal *j);

/* Positions the reader so that the next message is the one holding from_seq
 * (which may start before it: the caller skips the records below from_seq),
 * or the first message of the journal if from_seq is older. Lists the
 * segments afresh, so a live journal's new segments are seen, and starts at
 * the indexed record nearest below from_seq. Returns GT_OK, GT_ECORRUPT
 * (message in journal_reader_errmsg) or GT_EIO. */
int journal_reader_seek(struct journal_reader *r, uint64_t from_seq);

/* Messages the last seek read past before the one holding from_seq: with the
 * index, at most about one stride of them. */
size_t journal_reader_seek_reads(const struct journal_reader *r);

/* The next message in sequence order. Returns 1 and *m (views valid until the
 * next call), 0 at the end of the journal, GT_ECORRUPT if a record fails its
 * CRC, is malformed or breaks the sequence (journal_reader_errmsg names the
 * file and offset; the reader stays at that record), GT_EIO. */
int journal_reader_next(struct journal_reader *r, struct journal_msg *m);

const char *journal_reader_errmsg(const struct journal_reader *r);

/* ---- formats, for the reader, the writer and the fuzzer ---- */

/* Length of the record holding a message of this topic and count. */
size_t journal_record_len(size_t topic_len, size_t n_records);

/* Writes one record (header and payload) at out, which holds
 * journal_record_len() bytes. */
void journal_record_encode(uint8_t *out, const char *topic, size_t topic_len,
                           const uint8_t *records, size_t n_records);

/* Parses the record at p[0..len). Returns its length (> 0) and *m; GT_ETRUNC
 * if p ends inside it; GT_EBADMSG if its length or layout is impossible;
 * GT_ECORRUPT if the CRC does not match. */
int journal_record_parse(const uint8_t *p, size_t len, struct journal_msg *m);

/* Parses a segment header. Returns GT_OK, GT_ETRUNC, GT_EBADMSG (magic,
 * length), GT_EVERSION or GT_ECORRUPT (header CRC). */
int journal_header_parse(const uint8_t *p, size_t len, uint64_t *first_seq, int64_t *created_ns);

/* Writes a segment header of JOURNAL_HDR_LEN bytes. */
void journal_header_encode(uint8_t *out, uint64_t first_seq, int64_t created_ns);

/* Scans a whole segment image: header, then records, calling cb (which may be
 * NULL; a non-zero return stops the scan) for each message. Stops at the first
 * record that does not parse or does not continue the sequence. Returns the
 * number of messages and sets *valid_len to the bytes of the intact prefix;
 * or a GT_E* code if the header is bad (*valid_len 0). A tail cut short is
 * not an error: *valid_len < len says it is there. */
int journal_scan_buf(const uint8_t *p, size_t len,
                     int (*cb)(const struct journal_msg *m, void *ctx), void *ctx,
                     size_t *valid_len);

#endif
