/* SPDX-License-Identifier: MIT */
/* store_int.h -- the tick store's insides, shared by its pieces and private
 * to store/: struct gt_store (the RocksDB handles, the writer's series,
 * instruments and books), the iterator, the open-addressing table the writer
 * finds a series and an instrument by, and the helpers more than one piece
 * calls (errors, sealed values, the series record).
 *
 * The store is one object cut into files by job: store.c opens, checks and
 * closes it (and holds the errors, the seals and the records); writer.c
 * appends and commits; reader.c lists series and instruments; iter.c reads a
 * series' ticks in a time range; bookat.c replays a book as of a time from
 * its latest checkpoint; retain.c deletes what lies before a horizon. The
 * formats are in store.c's opening comment, block.h, key.h and
 * docs/store.md. */
#ifndef GT_STORE_INT_H
#define GT_STORE_INT_H

#include "gputick/store.h"
#include "backup.h"
#include <errno.h>
#include <stdarg.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <rocksdb/c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "block.h"
#include "bookckpt.h"
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/time.h"
#include "key.h"
#include "ticks_cf.h"

enum {
    TICKS_WRITE_BUFFER = 8 << 20, /* docs/store.md, Options: measured beside 4 and 64 MiB */
    WAL_MAX = 8 << 20,
    SERIES_REC_LEN = 56,
    FORMAT_REC_LEN = 12, /* before its CRC */
    CRC_LEN = 4,         /* the CRC32C that ends every sealed value */
    SEALED_MAX = GT_TICK_LEN + CRC_LEN,
    CF_DEFAULT = 0,
    CF_TICKS = 1,
    CF_META = 2,
    N_CF = 3,
};

struct series {
    uint32_t id;
    int32_t instr_id;
    uint8_t kind;
    bool has_block; /* key_ns names the open block */
    bool loaded;    /* buf holds the open block as stored (or it is new) */
    bool dirty;     /* changed since the last commit */
    int64_t key_ns;
    uint32_t n;           /* ticks in buf */
    uint32_t stored_open; /* ticks of the open block in the store at open */
    struct gt_tick *buf;
    uint64_t n_ticks, n_blocks;
    int64_t first_ns, last_ns;
};

struct instr {
    struct gt_tick def;
    bool dirty;
};

/* The writer's book of one instrument, for its checkpoints. */
struct bookst {
    struct gt_mbp_book b;
    int64_t max_ns; /* greatest exch_ns of its book ticks */
    uint32_t since; /* book ticks since its last checkpoint */
};

/* Open addressing from a 64-bit key to an index + 1 (0 = empty). */
struct table {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap; /* power of two */
};

struct gt_store {
    int mode;
    char *path;
    char *sec_path;      /* a reader's secondary folder, removed at close */
    bool read_only;      /* a reader that fell back to read-only */
    uint64_t files_seen; /* a secondary: its table files' bytes at the last catch-up */
    bool files_known;    /* files_seen is set */
    rocksdb_t *db;
    rocksdb_options_t *opts, *cf_opts[N_CF];
    rocksdb_column_family_handle_t *cf[N_CF];
    rocksdb_readoptions_t *ro;
    rocksdb_writeoptions_t *wo;
    char errmsg[GT_ERRLEN];

    /* writer */
    struct series **series; /* by id - 1 */
    size_t n_series, cap_series;
    struct table series_by_key;
    struct instr *instrs;
    size_t n_instrs, cap_instrs;
    struct table instr_by_id;
    struct series **dirty;
    size_t n_dirty;
    rocksdb_writebatch_t *full; /* finished blocks not yet committed */
    uint64_t checkpoint;        /* last committed */
    int64_t horizon;            /* retention ('R'): no data kept before it; INT64_MIN */
    uint64_t hwm;               /* greatest seq appended or committed */
    bool have_hwm;
    bool need_reopen; /* RocksDB refused a write: reopen before the next */
    struct gt_store_stats stats;
    uint8_t *scratch, *enc;
    struct bookst **books;
    size_t n_books, cap_books;
    struct table book_by_id;
    uint32_t book_every; /* book ticks between checkpoints; 0: none */
};

struct gt_store_iter {
    gt_store *st;
    rocksdb_iterator_t *it;
    rocksdb_readoptions_t *ro;
    uint8_t upper[KEY_BLOCK_LEN]; /* must outlive ro */
    uint32_t series;
    int64_t from_ns, to_ns;
    bool started, done;
    bool positioned; /* on a key not read yet: where a skip over a table stretch landed */
    bool have_last;  /* a block has been read: its key and greatest exch_ns */
    int64_t last_key_ns, last_max_ns;
    uint64_t fields; /* GT_FIELD() bits the caller reads */
    struct gt_tick *ticks;
    uint8_t *scratch;
    uint32_t bad_series;
    int64_t bad_key_ns, bad_end_ns;
    char errmsg[GT_ERRLEN];
};

/* The kinds that move or shape a book: level and status ticks, and the
 * definitions that set its depth (gt_mbp_book_apply). */
enum { N_BOOK_KINDS = 3 };
extern const int book_kinds[N_BOOK_KINDS];

/* ---- table (static inline: the writer looks a series up per tick) ---- */

static inline int table_grow(struct table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    uint64_t *keys = calloc(cap, sizeof *keys);
    uint32_t *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return GT_ENOMEM;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->vals[i])
            continue;
        size_t j = (t->keys[i] * 0x9e3779b97f4a7c15u >> 20) & (cap - 1);
        while (vals[j])
            j = (j + 1) & (cap - 1);
        keys[j] = t->keys[i];
        vals[j] = t->vals[i];
    }
    free(t->keys);
    free(t->vals);
    t->keys = keys;
    t->vals = vals;
    t->cap = cap;
    return GT_OK;
}

/* The slot of key: holding it, or the empty one where it would go. */
static inline size_t table_slot(const struct table *t, uint64_t key)
{
    size_t j = (key * 0x9e3779b97f4a7c15u >> 20) & (t->cap - 1);
    while (t->vals[j] && t->keys[j] != key)
        j = (j + 1) & (t->cap - 1);
    return j;
}

static inline uint32_t table_get(const struct table *t, uint64_t key)
{
    return t->cap ? t->vals[table_slot(t, key)] : 0;
}

static inline int table_put(struct table *t, uint64_t key, uint32_t val, size_t count)
{
    if ((count + 1) * 2 > t->cap && table_grow(t) < 0)
        return GT_ENOMEM;
    size_t j = table_slot(t, key);
    t->keys[j] = key;
    t->vals[j] = val;
    return GT_OK;
}

static inline void table_fini(struct table *t)
{
    free(t->keys);
    free(t->vals);
}

static inline uint64_t series_key(int32_t instr_id, int kind)
{
    return (uint64_t)(uint32_t)instr_id << 8 | (uint8_t)kind;
}

/* ---- shared by the pieces (defined in store.c unless said) ---- */

/* Formats the message of an error into st->errmsg; returns code. */
int store_err(gt_store *st, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies RocksDB's message (prefixed by what) and frees it; returns the code
 * its text calls for. */
int store_fail(gt_store *st, char *dberr, const char *what);

/* Puts key -> v[0..len) followed by its seal into batch b, family cf. */
void batch_put_sealed(gt_store *st, rocksdb_writebatch_t *b, int cf, const uint8_t *key,
                      size_t klen, const uint8_t *v, size_t len);

/* Checks that v[0..vlen) is a sealed value of len bytes under key. Returns
 * GT_OK, or GT_ECORRUPT with a message naming the record (what). */
int seal_check(gt_store *st, const uint8_t *key, size_t klen, const uint8_t *v, size_t vlen,
               size_t len, const char *what);

/* Reads the sealed value of key in family cf into buf (len bytes). Returns
 * GT_OK, GT_ENOENT, GT_ECORRUPT or GT_EDB. */
int sealed_get(gt_store *st, int cf, const uint8_t *key, size_t klen, uint8_t *buf, size_t len,
               const char *what);

/* The series record of s (store.c's opening comment) into p. */
void series_rec_write(uint8_t *p, const struct series *s);

/* The series record p[0..len) into s; GT_EBADMSG if it is not one. */
int series_rec_read(const uint8_t *p, size_t len, struct series *s);

/* Closes RocksDB and frees its handles and options (the writer reopens). */
void db_close(gt_store *st);

/* Opens RocksDB as st->mode asks (the writer reopens after a refused write). */
int db_open(gt_store *st);

/* What a read-only open of the store says, into why ("" if it opens): a
 * RocksDB secondary that cannot load a table file opens regardless, with an
 * older view, while a read-only open fails and names the file. */
void readonly_diagnose(gt_store *st, char why[GT_ERRLEN]);

/* Adds s to the writer's series, owning it from then on. */
int series_add(gt_store *st, struct series *s);

/* Adds or replaces the definition of an instrument; dirty: to be committed. */
int instr_put(gt_store *st, const struct gt_tick *def, bool dirty);

/* At a writer's close: the memtables into table files, so the store is not
 * left as a WAL that every reader's open must replay (docs/store.md,
 * Options). Only with room for it, and not after RocksDB refused a write; the
 * WAL keeps everything anyway. */
void writer_flush(gt_store *st);

/* gt_store_series_find(), and the series' record into *rec if not NULL. */
int series_find(gt_store *st, int32_t instr_id, int kind, struct gt_series_info *info,
                struct series *rec);

/* gt_store_iter_open() without the retention horizon's clamp: the book
 * replay starts from the checkpoint a retention left, which may lie before
 * it, in the block that straddles it. */
int iter_open(gt_store *st, int32_t instr_id, int kind, int64_t from_ns, int64_t to_ns,
              gt_store_iter **out);

#endif
