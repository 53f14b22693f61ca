/* SPDX-License-Identifier: MIT */
/* store.h -- the tick store: ticks recorded exactly once into LZ4 column
 * blocks in RocksDB, and read back by series and time range while recording.
 *
 * A series is one instrument and one kind. Its ticks go into blocks of up to
 * BLOCK_TICKS ticks (store/block.h), each the value of the key (series,
 * first exch_ns) in the column family "ticks"; metadata (format version,
 * checkpoint, series map, instrument definitions) sits in "meta". docs/store.md
 * gives the formats, the options and the reasons.
 *
 * One writer (the recorder) appends ticks in bus-sequence order and commits
 * now and then: a commit writes every block that changed since the last one
 * (the still-growing block of a series is re-put under its fixed key, so it is
 * replaced, never duplicated) together with the checkpoint, the last bus
 * sequence recorded, in one RocksDB WriteBatch. After a crash the store is
 * exactly its last commit; a restarted recorder asks gt_store_checkpoint() and
 * replays from the next sequence, and appends of ticks at or below the
 * checkpoint are ignored, so nothing is lost or stored twice.
 *
 * Readers open the same database as a RocksDB secondary instance (read-only
 * when that is not possible) and see whole commits only; gt_store_refresh()
 * catches up with the writer.
 *
 * A handle is used by one thread at a time. Library functions never print;
 * the last error's text is gt_store_errmsg(). */
#ifndef GT_STORE_H
#define GT_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/err.h"
#include "gputick/mbp.h"
#include "gputick/tick.h"

typedef struct gt_store gt_store;
typedef struct gt_store_iter gt_store_iter;

enum {
    GT_STORE_WRITER = 1,    /* the one recorder: creates the store if missing */
    GT_STORE_READER = 2,    /* any number of readers, beside a running writer */
    GT_STORE_NO_CREATE = 4, /* or'ed into GT_STORE_WRITER: a store must be there already */
};

/* The on-disk format this build reads and writes (the 'F' record): 2, with
 * every metadata value sealed by a CRC32C and a commit mark (docs/store.md). */
enum { GT_STORE_FORMAT = 2 };

/* A series as committed. */
struct gt_series_info {
    uint32_t series; /* the store's id, 1.. */
    int32_t instr_id;
    uint8_t kind;                   /* enum gt_kind */
    uint64_t n_ticks;               /* ticks stored */
    uint64_t n_blocks;              /* blocks stored */
    int64_t first_ns;               /* least exch_ns stored */
    int64_t last_ns;                /* greatest exch_ns stored */
    char symbol[GT_SYMBOL_LEN + 1]; /* from the definition, "" if none seen */
};

/* Opens the store at path. GT_STORE_WRITER creates it when missing (column
 * families "default", "ticks", "meta" and the format record), but only in a
 * new or empty folder; with GT_STORE_NO_CREATE it never creates one. A second
 * writer on the same store is refused with GT_EBUSY. GT_STORE_READER opens it
 * as a RocksDB secondary instance with its own folder under $TMPDIR (removed
 * by gt_store_close), or read-only if that fails. Returns GT_OK and *out, or:
 * GT_ENOENT (a reader, or GT_STORE_NO_CREATE, and no store at path),
 * GT_EVERSION (not a gputick store: another database, or a folder holding
 * other files; or another format version, format 1 included), GT_ECORRUPT
 * (a damaged metadata record, or a view lacking a table file: the
 * checkpoint and the commit mark disagree; err names the file where a
 * read-only open can), GT_EBUSY, GT_EDB, GT_ENOMEM, GT_EINVAL (bad mode,
 * or path is a file); err then says what and where. */
int gt_store_open(const char *path, int mode, gt_store **out, char err[GT_ERRLEN]);

/* Closes the store; uncommitted appends are dropped. NULL does nothing. */
void gt_store_close(gt_store *st);

/* The text of the last error on st ("" if none); valid until the next call. */
const char *gt_store_errmsg(const gt_store *st);

/* Whether commits wait for the WAL to reach the disk (fsync). Default off:
 * a commit survives a kill of the process, not a power cut. */
void gt_store_set_sync(gt_store *st, int sync);

/* ---- writer ---- */

/* Appends one tick to the open block of its series (created at first use:
 * the only allocations are one series and its block buffer, once). Ticks must
 * come in increasing seq; one whose seq is at or below the last appended or
 * the checkpoint is ignored. Returns 1 if appended, 0 if ignored, GT_EINVAL
 * (not a writer, bad kind or version), GT_ENOMEM. */
int gt_store_append(gt_store *st, const struct gt_tick *t);

/* Writes, in one WriteBatch, every block changed since the last commit, the
 * series and instrument metadata, and checkpoint_seq: the last bus sequence
 * the recorder has processed (>= the last appended seq). Returns GT_OK,
 * GT_EINVAL (checkpoint below the last appended seq, or not a writer),
 * GT_ENOSPC (the disk is full) or GT_EDB; after an error nothing was
 * committed, the appended ticks are kept, and a later commit retries all of
 * it (reopening the database if RocksDB stopped accepting writes). */
int gt_store_commit(gt_store *st, uint64_t checkpoint_seq);

/* The last committed checkpoint, 0 if none: the recorder resumes after it.
 * A reader sees the checkpoint of the commit it reads (as of the open or the
 * last gt_store_refresh()). */
uint64_t gt_store_checkpoint(const gt_store *st);

/* Counters of a writer, for the recorder's stats line. */
struct gt_store_stats {
    uint64_t appended;         /* ticks gt_store_append() took */
    uint64_t ignored;          /* ticks it ignored: at or below the last seq (replays) */
    uint64_t pending;          /* ticks appended since the last successful commit */
    uint64_t commits;          /* successful commits */
    uint64_t commit_errors;    /* failed ones (a full disk...) */
    uint64_t blocks_full;      /* blocks finished at BLOCK_TICKS ticks */
    uint64_t series;           /* series known */
    uint64_t book_checkpoints; /* book checkpoints written (pending or committed) */
};

/* Copies the counters into *out. */
void gt_store_stats_get(const gt_store *st, struct gt_store_stats *out);

/* Deletes every block whose ticks are all older than ns (a block that
 * straddles ns is kept whole, as is each series' open block), then compacts
 * the deleted ranges so the space is reclaimed. In the same batch it records
 * ns as the store's retention horizon (the greatest ever given is kept: see
 * gt_store_horizon), and each instrument whose book ticks lose blocks gets a
 * book checkpoint covering every deleted tick and a book horizon
 * (gt_store_book_at). Writer only, and only with nothing uncommitted.
 * Returns the number of blocks deleted, GT_EINVAL, GT_ENOSPC or GT_EDB. */
int gt_store_delete_before(gt_store *st, int64_t ns);

/* Compacts the whole store (both column families, down to the last level),
 * for an administrator or a benchmark measuring bytes on disk. Writer only.
 * Returns GT_OK or GT_EINVAL. */
int gt_store_compact(gt_store *st);

/* Sets *bytes to the size of the store's live table files (all column
 * families; data still in the memtables or the WAL is not counted). Returns
 * GT_OK or GT_EDB. */
int gt_store_disk_bytes(gt_store *st, uint64_t *bytes);

/* Book checkpoints. The writer keeps the price-level book of every
 * instrument with book (level) or status ticks and, after every n book ticks
 * of an instrument (at a tick whose exch_ns is the greatest so far), puts the
 * whole book, with the bus seq it is as of, under meta key 'K' + instrument +
 * exch_ns, committed with the ticks it covers (docs/store.md). A restarted
 * writer rebuilds each book from its last checkpoint at its first book tick.
 * The default GT_STORE_BOOK_EVERY was chosen by tools/bench (tickq rows); 0
 * turns checkpoints off. */
enum { GT_STORE_BOOK_EVERY = 16384 };
void gt_store_set_book_every(gt_store *st, uint32_t n_ticks);

/* ---- readers (a writer may call these too: they see what is committed) ---- */

/* Catches up with the writer (secondary instances); GT_OK or GT_EDB. */
int gt_store_refresh(gt_store *st);

/* Fills out[0..cap) with the committed series in id order. Returns how many
 * series there are (which may exceed cap), or GT_EDB. */
int gt_store_series_list(gt_store *st, struct gt_series_info *out, size_t cap);

/* Finds the series of (instr_id, kind). Returns GT_OK, GT_ENOENT or GT_EDB. */
int gt_store_series_find(gt_store *st, int32_t instr_id, int kind, struct gt_series_info *info);

/* Fills defs[0..cap) with the instruments' definitions (GT_KIND_DEF ticks) in
 * instrument id order. Returns how many there are, or GT_EDB. */
int gt_store_instr_list(gt_store *st, struct gt_tick *defs, size_t cap);

/* Finds the definition of the instrument named symbol. Returns GT_OK,
 * GT_ENOENT or GT_EDB. */
int gt_store_instr_find(gt_store *st, const char *symbol, struct gt_tick *def);

/* Sets *bytes to the stored (compressed) size of the blocks of a series, keys
 * included, as committed: a walk over its keys, for tickq stats. Returns
 * GT_OK, GT_ENOENT (no such series id) or GT_EDB. */
int gt_store_series_bytes(gt_store *st, uint32_t series, uint64_t *bytes);

/* The retention horizon: the store keeps no data before it (the ns of the
 * last gt_store_delete_before), INT64_MIN if no retention ran. Iterators
 * start no earlier, so the ticks a straddling block still holds before it
 * are never read; a reader that asks for less can tell its caller. As of the
 * open or the last gt_store_refresh(). */
int64_t gt_store_horizon(const gt_store *st);

/* Opens an iterator over the ticks of (instr_id, kind) with from_ns <= exch_ns
 * < to_ns (from_ns raised to gt_store_horizon()), in stored order. It holds one decoded block at a
 * time (constant memory) and reads the store as of this call. Returns GT_OK and *out, GT_ENOENT (no
 * such series), GT_ENOMEM, GT_EDB, or GT_ECORRUPT when this handle's view lacks the series' last
 * block, which the metadata names: a reader (a RocksDB secondary) that could not load a table file,
 * a corrupt index block say, silently sees an older version of the ticks; the message then quotes a
 * read-only open, which names the file. Ticks that went backwards in time across a block boundary
 * are found only from a from_ns at or before that block's key. */
int gt_store_iter_open(gt_store *st, int32_t instr_id, int kind, int64_t from_ns, int64_t to_ns,
                       gt_store_iter **out);

/* The next run of ticks: *ticks points to them (a view valid until the next
 * call or the close). Returns how many (> 0), 0 at the end, GT_ECORRUPT (or
 * GT_EBADMSG, GT_EVERSION, GT_ETRUNC) for a block that fails its checks,
 * whose key gt_store_iter_bad_block() then gives (calling again continues
 * with the next block), or GT_EDB. When RocksDB cannot read a part of a
 * table file (a "Corruption" status), the iterator skips to the next key of
 * the series it can read and returns GT_ECORRUPT for the stretch it skipped
 * (gt_store_iter_bad_block() and gt_store_iter_bad_end()); a stretch that
 * starts past to_ns ends the iteration instead. */
int gt_store_iter_next(gt_store_iter *it, const struct gt_tick **ticks);

/* Names the fields of each tick the caller reads from the next run on (a
 * set of GT_FIELD() bits, gputick/tick.h; GT_FIELDS_ALL, the default, for
 * all): version, kind, instr_id and exch_ns are always filled, any other
 * field not named reads as 0. A query that reads a few fields of many ticks,
 * say the prices and quantities of a day of trades for a VWAP, skips
 * decoding the other columns. */
void gt_store_iter_fields(gt_store_iter *it, uint64_t fields);

/* The key of the last block that failed (series id and key_ns); for a
 * skipped table-file stretch, the time just after the last tick of the
 * block read before it (INT64_MIN: none was). */
void gt_store_iter_bad_block(const gt_store_iter *it, uint32_t *series, int64_t *key_ns);

/* The end of the last failure: the bad block's own key_ns for one block; for
 * a table-file stretch, the key of the first block read after it (INT64_MAX:
 * nothing after it could be read), so ticks in [key_ns, end) may be lost.
 * Then gt_store_iter_errmsg() is RocksDB's message, which names the file. */
int64_t gt_store_iter_bad_end(const gt_store_iter *it);

/* The text of the iterator's last error ("" if none). */
const char *gt_store_iter_errmsg(const gt_store_iter *it);

/* Closes the iterator; NULL does nothing. */
void gt_store_iter_close(gt_store_iter *it);

enum { GT_BOOK_REPLAY_ALL = 1 }; /* ignore checkpoints: replay from the start */

/* Rebuilds into *b the book of instr_id as it was at at_ns: every level,
 * status and definition (the depth) tick with exch_ns <= at_ns applied in bus
 * order (gt_mbp_book_apply, gputick/mbp.h) to a book of depth GT_MBP_DEPTH_DEFAULT, by starting
 * from the latest checkpoint at or before at_ns and replaying the ticks after
 * its seq (a missing, unreadable or older-format checkpoint: from the
 * start).
 * Exact while an instrument's book ticks do not go back in time (the
 * iterator's limit above). After a retention (gt_store_delete_before) cut the
 * instrument's book ticks, a time before the checkpoint it left is refused
 * with GT_ERANGE, and GT_BOOK_REPLAY_ALL replays from that checkpoint. Returns
 * the number of ticks replayed (>= 0), or an error with gt_store_errmsg()
 * saying which. */
int gt_store_book_at(gt_store *st, int32_t instr_id, int64_t at_ns, int flags,
                     struct gt_mbp_book *b);

#endif
