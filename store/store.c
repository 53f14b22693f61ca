/* SPDX-License-Identifier: MIT */
/* store.c -- the tick store on RocksDB (contract in gputick/store.h, formats
 * in block.h, key.h and docs/store.md).
 *
 * The writer keeps, per series, one buffer of BLOCK_TICKS ticks: the open
 * block, allocated when the series first appears (or is first appended to
 * after a restart, when its open block is read back from the store so that it
 * keeps growing under its key). Appending copies the tick into that buffer;
 * when it is full the block is encoded into the pending batch "full" under its
 * key and the buffer starts over under a new key. A commit copies "full" into
 * a new WriteBatch, adds the open block of every series touched since the
 * last commit, their series records, new definitions and the checkpoint, and
 * writes it; only on success does "full" empty and the dirty marks clear, so
 * a failed commit (a full disk) leaves everything to be written again.
 *
 * Series record (meta 'S' + series), 56 bytes, little-endian:
 *   OFFSET SIZE TYPE  FIELD
 *        0    4 i32   instr_id
 *        4    1 u8    kind
 *        5    3       zero
 *        8    8 u64   n_ticks     ticks stored in the series
 *       16    8 u64   n_blocks
 *       24    8 i64   first_ns    least exch_ns stored
 *       32    8 i64   last_ns     greatest exch_ns stored
 *       40    8 i64   open_ns     key_ns of the series' last (open) block
 *       48    4 u32   open_count  ticks in it
 *       52    4       zero
 * Format record ('F'): "GTSTORE\0" then u32 LE GT_STORE_FORMAT (12 bytes).
 * Checkpoint ('C'): u64 LE. Instrument ('I' + id): the 64-byte DEF record.
 * Book horizon ('H' + id): i64 LE. Retention horizon ('R'): i64 LE.
 *
 * Every one of those values is sealed: a u32 LE CRC32C of its key and then
 * its bytes follows it, so a record that RocksDB hands back damaged (or
 * under another key) is refused by name, never read as a wrong count. The
 * book checkpoints ('K') carry their own CRC (bookckpt.h). The commit mark
 * (key.h), sealed the same way, is the checkpoint again in the "ticks"
 * family: each commit writes both in one batch, so a view in which they
 * differ lacks a table file of one family (a RocksDB secondary that cannot
 * load a table file keeps an older version of that family without a word).
 * Format 1 stores had no seals and no mark: they are refused. */
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

static const char *const cf_names[N_CF] = {"default", "ticks", "meta"};
static const char format_magic[8] = "GTSTORE";

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

/* ---- errors ---- */

/* Formats the message of an error into st->errmsg; returns code. */
static int store_err(gt_store *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int store_err(gt_store *st, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

/* Copies RocksDB's message (prefixed by what) and frees it; returns the code
 * its text calls for. */
static int store_fail(gt_store *st, char *dberr, const char *what)
{
    int code = GT_EDB;
    if (strstr(dberr, "No space left") || strstr(dberr, "no space left"))
        code = GT_ENOSPC;
    snprintf(st->errmsg, sizeof st->errmsg, "%s: %s", what, dberr);
    rocksdb_free(dberr);
    return code;
}

const char *gt_store_errmsg(const gt_store *st)
{
    return st ? st->errmsg : "";
}

/* ---- sealed values ---- */

static uint32_t seal_crc(const uint8_t *key, size_t klen, const uint8_t *v, size_t len)
{
    return gt_crc32c(gt_crc32c(0, key, klen), v, len);
}

/* Puts key -> v[0..len) followed by its seal into batch b, family cf. */
static void batch_put_sealed(gt_store *st, rocksdb_writebatch_t *b, int cf, const uint8_t *key,
                             size_t klen, const uint8_t *v, size_t len)
{
    uint8_t buf[SEALED_MAX];
    memcpy(buf, v, len);
    st_le32(buf + len, seal_crc(key, klen, v, len));
    rocksdb_writebatch_put_cf(b, st->cf[cf], (const char *)key, klen, (const char *)buf,
                              len + CRC_LEN);
}

/* Checks that v[0..vlen) is a sealed value of len bytes under key. Returns
 * GT_OK, or GT_ECORRUPT with a message naming the record (what). */
static int seal_check(gt_store *st, const uint8_t *key, size_t klen, const uint8_t *v, size_t vlen,
                      size_t len, const char *what)
{
    if (vlen == len + CRC_LEN && ld_le32(v + len) == seal_crc(key, klen, v, len))
        return GT_OK;
    return store_err(st, GT_ECORRUPT, "%s: the %s record is damaged (%s)", st->path, what,
                     vlen == len + CRC_LEN ? "checksum mismatch" : "wrong length");
}

/* Reads the sealed value of key in family cf into buf (len bytes). Returns
 * GT_OK, GT_ENOENT, GT_ECORRUPT or GT_EDB. */
static int sealed_get(gt_store *st, int cf, const uint8_t *key, size_t klen, uint8_t *buf,
                      size_t len, const char *what)
{
    char *dberr = NULL;
    size_t vlen = 0;
    char *v = rocksdb_get_cf(st->db, st->ro, st->cf[cf], (const char *)key, klen, &vlen, &dberr);
    if (dberr)
        return store_fail(st, dberr, "reading metadata");
    if (!v)
        return GT_ENOENT;
    int rc = seal_check(st, key, klen, (const uint8_t *)v, vlen, len, what);
    if (rc == GT_OK)
        memcpy(buf, v, len);
    rocksdb_free(v);
    return rc;
}

/* ---- table ---- */

static int table_grow(struct table *t)
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
static size_t table_slot(const struct table *t, uint64_t key)
{
    size_t j = (key * 0x9e3779b97f4a7c15u >> 20) & (t->cap - 1);
    while (t->vals[j] && t->keys[j] != key)
        j = (j + 1) & (t->cap - 1);
    return j;
}

static uint32_t table_get(const struct table *t, uint64_t key)
{
    return t->cap ? t->vals[table_slot(t, key)] : 0;
}

static int table_put(struct table *t, uint64_t key, uint32_t val, size_t count)
{
    if ((count + 1) * 2 > t->cap && table_grow(t) < 0)
        return GT_ENOMEM;
    size_t j = table_slot(t, key);
    t->keys[j] = key;
    t->vals[j] = val;
    return GT_OK;
}

static void table_fini(struct table *t)
{
    free(t->keys);
    free(t->vals);
}

static uint64_t series_key(int32_t instr_id, int kind)
{
    return (uint64_t)(uint32_t)instr_id << 8 | (uint8_t)kind;
}

/* ---- records ---- */

static void series_rec_write(uint8_t *p, const struct series *s)
{
    memset(p, 0, SERIES_REC_LEN);
    st_le32(p, (uint32_t)s->instr_id);
    p[4] = s->kind;
    st_le64(p + 8, s->n_ticks);
    st_le64(p + 16, s->n_blocks);
    st_le64(p + 24, (uint64_t)s->first_ns);
    st_le64(p + 32, (uint64_t)s->last_ns);
    st_le64(p + 40, (uint64_t)s->key_ns);
    st_le32(p + 48, s->has_block ? s->n : 0);
}

static int series_rec_read(const uint8_t *p, size_t len, struct series *s)
{
    if (len != SERIES_REC_LEN || p[4] < 1 || p[4] > GT_KIND_MAX)
        return GT_EBADMSG;
    s->instr_id = (int32_t)ld_le32(p);
    s->kind = p[4];
    s->n_ticks = ld_le64(p + 8);
    s->n_blocks = ld_le64(p + 16);
    s->first_ns = (int64_t)ld_le64(p + 24);
    s->last_ns = (int64_t)ld_le64(p + 32);
    s->key_ns = (int64_t)ld_le64(p + 40);
    s->stored_open = ld_le32(p + 48);
    s->has_block = s->n_blocks > 0;
    return GT_OK;
}

/* ---- open and close ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void free_series(gt_store *st)
{
    for (size_t i = 0; i < st->n_series; i++) {
        free(st->series[i]->buf);
        free(st->series[i]);
    }
    free(st->series);
    st->series = NULL;
    st->n_series = st->cap_series = 0;
}

static void db_close(gt_store *st)
{
    for (int i = 0; i < N_CF; i++) {
        if (st->cf[i])
            rocksdb_column_family_handle_destroy(st->cf[i]);
        st->cf[i] = NULL;
    }
    if (st->db)
        rocksdb_close(st->db);
    st->db = NULL;
}

static void writer_flush(gt_store *st);

void gt_store_close(gt_store *st)
{
    if (!st)
        return;
    writer_flush(st);
    db_close(st);
    for (int i = 0; i < N_CF; i++)
        if (st->cf_opts[i])
            rocksdb_options_destroy(st->cf_opts[i]);
    if (st->opts)
        rocksdb_options_destroy(st->opts);
    if (st->ro)
        rocksdb_readoptions_destroy(st->ro);
    if (st->wo)
        rocksdb_writeoptions_destroy(st->wo);
    if (st->full)
        rocksdb_writebatch_destroy(st->full);
    if (st->sec_path) {
        nftw(st->sec_path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(st->sec_path);
    }
    free_series(st);
    table_fini(&st->series_by_key);
    table_fini(&st->instr_by_id);
    for (size_t i = 0; i < st->n_books; i++)
        free(st->books[i]);
    free(st->books);
    table_fini(&st->book_by_id);
    free(st->instrs);
    free(st->dirty);
    free(st->scratch);
    free(st->enc);
    free(st->path);
    free(st);
}

/* The options of docs/store.md: no RocksDB compression on the ticks (the
 * blocks are LZ4 already), a 4-byte prefix extractor (the series) with a
 * prefix bloom filter, 16 KiB table blocks, an 8 MiB write buffer and at most
 * 8 MiB of WAL. */
static void store_options_init(gt_store *st)
{
    st->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(st->opts, st->mode == GT_STORE_WRITER);
    rocksdb_options_set_create_missing_column_families(st->opts, st->mode == GT_STORE_WRITER);
    rocksdb_options_set_max_open_files(st->opts, -1); /* required by secondaries */
    /* RocksDB's defaults, said here because the store relies on them: the
     * open checks the files it loads, and every read the checksum of each
     * table block it reads (st->ro, the iterators'). rocksdb_verify_checksum,
     * which reads every block of every file, costs a full scan: not for an
     * open. */
    rocksdb_options_set_paranoid_checks(st->opts, 1);
    rocksdb_options_set_keep_log_file_num(st->opts, 2);
    rocksdb_options_set_max_background_jobs(st->opts, 2);
    rocksdb_options_set_info_log_level(st->opts, 2); /* WARN */
    /* Past this much WAL every family in the oldest WAL file is flushed, so
     * the WAL, which each reader's open replays, stays small. */
    rocksdb_options_set_max_total_wal_size(st->opts, WAL_MAX);
    if (st->mode == GT_STORE_READER) {
        /* A reader opens its table files on the calling thread: the default
         * spawns up to 16 threads per column family and version, about 100
         * per open, which cost more than the query of a short tickq command.
         * Nor does it read every file's statistics (only compaction uses them). */
        rocksdb_options_set_max_file_opening_threads(st->opts, 1);
        rocksdb_options_set_skip_stats_update_on_db_open(st->opts, 1);
    }

    st->cf_opts[CF_DEFAULT] = rocksdb_options_create_copy(st->opts);
    rocksdb_options_t *t = rocksdb_options_create_copy(st->opts);
    store_ticks_cf_options(t);
    st->cf_opts[CF_TICKS] = t;
    rocksdb_options_t *m = rocksdb_options_create_copy(st->opts);
    rocksdb_options_set_compression(m, rocksdb_lz4_compression);
    st->cf_opts[CF_META] = m;

    st->ro = rocksdb_readoptions_create();
    rocksdb_readoptions_set_verify_checksums(st->ro, 1);
    st->wo = rocksdb_writeoptions_create();
}

static int db_open(gt_store *st)
{
    char *dberr = NULL;
    const rocksdb_options_t *cfo[N_CF] = {st->cf_opts[0], st->cf_opts[1], st->cf_opts[2]};
    if (st->mode == GT_STORE_WRITER) {
        st->db =
            rocksdb_open_column_families(st->opts, st->path, N_CF, cf_names, cfo, st->cf, &dberr);
        /* "While lock file: PATH/LOCK: Resource temporarily unavailable" from
         * another process, "lock hold by current process ... PATH/LOCK" from
         * this one. */
        if (dberr && strstr(dberr, "/LOCK")) {
            rocksdb_free(dberr);
            return store_err(st, GT_EBUSY,
                             "another tickstore is recording into %s (its RocksDB LOCK is held)",
                             st->path);
        }
        return dberr ? store_fail(st, dberr, st->path) : GT_OK;
    }
    if (!st->sec_path) {
        const char *tmp = getenv("TMPDIR");
        char tpl[4096];
        snprintf(tpl, sizeof tpl, "%s/gputick-reader-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(tpl))
            st->sec_path = strdup(tpl);
    }
    if (st->sec_path) {
        st->db = rocksdb_open_as_secondary_column_families(st->opts, st->path, st->sec_path, N_CF,
                                                           cf_names, cfo, st->cf, &dberr);
        if (!dberr)
            return GT_OK;
        rocksdb_free(dberr);
        dberr = NULL;
    }
    st->read_only = true;
    st->db = rocksdb_open_for_read_only_column_families(st->opts, st->path, N_CF, cf_names, cfo,
                                                        st->cf, 0, &dberr);
    return dberr ? store_fail(st, dberr, st->path) : GT_OK;
}

/* Reads key from meta into buf (cap bytes). Returns its length, GT_ENOENT,
 * GT_EBADMSG if longer than cap, or GT_EDB. */
static int meta_get(gt_store *st, const uint8_t *key, size_t klen, uint8_t *buf, size_t cap)
{
    char *dberr = NULL;
    size_t vlen = 0;
    char *v =
        rocksdb_get_cf(st->db, st->ro, st->cf[CF_META], (const char *)key, klen, &vlen, &dberr);
    if (dberr)
        return store_fail(st, dberr, "reading metadata");
    if (!v)
        return GT_ENOENT;
    int rc = vlen > cap ? GT_EBADMSG : (int)vlen;
    if (rc >= 0)
        memcpy(buf, v, vlen);
    rocksdb_free(v);
    return rc;
}

/* Checks that path holds a gputick store with the column families we need. */
static int check_families(gt_store *st)
{
    char *dberr = NULL;
    size_t n = 0;
    char **names = rocksdb_list_column_families(st->opts, st->path, &n, &dberr);
    if (dberr)
        return store_fail(st, dberr, st->path);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        for (int c = 1; c < N_CF; c++)
            found += strcmp(names[i], cf_names[c]) == 0;
    rocksdb_list_column_families_destroy(names, n);
    if (found != N_CF - 1)
        return store_err(st, GT_EVERSION,
                         "%s is a RocksDB database but not a gputick tick store (no \"ticks\" "
                         "and \"meta\" column families)",
                         st->path);
    return GT_OK;
}

/* What a read-only open of the store says, into why ("" if it opens): a
 * RocksDB secondary that cannot load a table file opens regardless, with an
 * older view, while a read-only open fails and names the file. */
static void readonly_diagnose(gt_store *st, char why[GT_ERRLEN])
{
    rocksdb_column_family_handle_t *cf[N_CF];
    const rocksdb_options_t *cfo[N_CF] = {st->cf_opts[0], st->cf_opts[1], st->cf_opts[2]};
    char *dberr = NULL;
    rocksdb_t *ro = rocksdb_open_for_read_only_column_families(st->opts, st->path, N_CF, cf_names,
                                                               cfo, cf, 0, &dberr);
    if (ro) {
        for (int i = 0; i < N_CF; i++)
            rocksdb_column_family_handle_destroy(cf[i]);
        rocksdb_close(ro);
    }
    /* Short enough to quote: "Corruption: block checksum mismatch in 000013.sst
     * offset 2659612 size 2822", without the sums, the folder and the MANIFEST. */
    const char *m = dberr ? dberr : "", *sums = strstr(m, ": stored = "), *in = strstr(m, " in ");
    size_t dir_len = strlen(st->path);
    if (!sums || !in || in < sums)
        sums = in = m + strlen(m);
    const char *file = *in ? in + 4 : in; /* never past the message's end */
    if (strncmp(file, st->path, dir_len) == 0 && file[dir_len] == '/')
        file += dir_len + 1;
    snprintf(why, GT_ERRLEN, "%.*s%s%.*s", (int)(sums - m), m, *in ? " in " : "",
             (int)strcspn(file, "\n"), *in ? file : "");
    rocksdb_free(dberr);
    char *manifest = strstr(why, " in file "); /* the MANIFEST that names the table file */
    if (manifest)
        *manifest = 0;
}

static int check_format(gt_store *st, bool created)
{
    uint8_t key = KEY_META_FORMAT, v[FORMAT_REC_LEN + CRC_LEN];
    int rc = meta_get(st, &key, 1, v, sizeof v);
    if (rc == GT_ENOENT && created) {
        memcpy(v, format_magic, sizeof format_magic);
        st_le32(v + 8, GT_STORE_FORMAT);
        char *dberr = NULL;
        rocksdb_writebatch_t *b = rocksdb_writebatch_create();
        batch_put_sealed(st, b, CF_META, &key, 1, v, FORMAT_REC_LEN);
        rocksdb_write(st->db, st->wo, b, &dberr);
        rocksdb_writebatch_destroy(b);
        return dberr ? store_fail(st, dberr, "writing the format record") : GT_OK;
    }
    if (rc == GT_EDB || rc == GT_ENOSPC)
        return rc;
    char why[GT_ERRLEN] = "";
    if (rc == GT_ENOENT && st->mode == GT_STORE_READER && !st->read_only)
        readonly_diagnose(st, why);
    if (why[0])
        return store_err(st, GT_ECORRUPT, "%s: a table file could not be loaded (%s)", st->path,
                         why);
    if (rc < FORMAT_REC_LEN || memcmp(v, format_magic, sizeof format_magic) != 0)
        return store_err(st, GT_EVERSION, "%s is not a gputick tick store (no valid format record)",
                         st->path);
    /* A format 1 record has no seal; its number is where format 2's is. */
    if (ld_le32(v + 8) != GT_STORE_FORMAT)
        return store_err(st, GT_EVERSION, "%s holds store format %u; this build reads format %d%s",
                         st->path, ld_le32(v + 8), GT_STORE_FORMAT,
                         ld_le32(v + 8) == 1 ? " (format 1 has no metadata checksums: record the "
                                               "data into a new store)"
                                             : "");
    if ((rc = seal_check(st, &key, 1, v, (size_t)rc, FORMAT_REC_LEN, "format")) < 0)
        return rc;
    return GT_OK;
}

static int series_add(gt_store *st, struct series *s)
{
    if (st->n_series == st->cap_series) {
        size_t cap = st->cap_series ? st->cap_series * 2 : 64;
        struct series **p = realloc(st->series, cap * sizeof *p);
        struct series **d = realloc(st->dirty, cap * sizeof *d);
        if (p)
            st->series = p;
        if (d)
            st->dirty = d;
        if (!p || !d)
            return GT_ENOMEM;
        st->cap_series = cap;
    }
    if (table_put(&st->series_by_key, series_key(s->instr_id, s->kind), s->id, st->n_series) < 0)
        return GT_ENOMEM;
    st->series[s->id - 1] = s;
    st->n_series++;
    return GT_OK;
}

static int instr_put(gt_store *st, const struct gt_tick *def, bool dirty)
{
    uint32_t at = table_get(&st->instr_by_id, (uint32_t)def->instr_id);
    if (!at) {
        if (st->n_instrs == st->cap_instrs) {
            size_t cap = st->cap_instrs ? st->cap_instrs * 2 : 64;
            struct instr *p = realloc(st->instrs, cap * sizeof *p);
            if (!p)
                return GT_ENOMEM;
            st->instrs = p;
            st->cap_instrs = cap;
        }
        if (table_put(&st->instr_by_id, (uint32_t)def->instr_id, (uint32_t)st->n_instrs + 1,
                      st->n_instrs) < 0)
            return GT_ENOMEM;
        at = (uint32_t)++st->n_instrs;
    }
    st->instrs[at - 1].def = *def;
    st->instrs[at - 1].dirty = dirty;
    return GT_OK;
}

/* Reads the checkpoint record into st->checkpoint. Returns 1 if there is
 * one, 0 if not, or an error. */
static int checkpoint_load(gt_store *st)
{
    uint8_t key = KEY_META_CHECKPOINT, v[8] = {0};
    int rc = sealed_get(st, CF_META, &key, 1, v, sizeof v, "checkpoint");
    if (rc == GT_ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    st->checkpoint = ld_le64(v);
    return 1;
}

/* The writer's view of the metadata: series, instruments, checkpoint. */
static int writer_load(gt_store *st)
{
    int rc = checkpoint_load(st);
    if (rc < 0)
        return rc;
    st->hwm = st->checkpoint;
    st->have_hwm = rc == 1;
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(st->db, st->ro, st->cf[CF_META]);
    rc = GT_OK;
    for (rocksdb_iter_seek_to_first(it); rc == GT_OK && rocksdb_iter_valid(it);
         rocksdb_iter_next(it)) {
        size_t klen, vlen;
        const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &klen);
        const uint8_t *val = (const uint8_t *)rocksdb_iter_value(it, &vlen);
        uint32_t id;
        int32_t instr;
        if (key_series_decode(k, klen, &id) == GT_OK) {
            struct series *s = calloc(1, sizeof *s);
            if (!s) {
                rc = GT_ENOMEM;
                break;
            }
            s->id = id;
            if ((rc = seal_check(st, k, klen, val, vlen, SERIES_REC_LEN, "series")) < 0 ||
                series_rec_read(val, SERIES_REC_LEN, s) < 0 || id != st->n_series + 1) {
                free(s);
                if (rc == GT_OK)
                    rc = store_err(st, GT_EBADMSG, "%s: bad series record", st->path);
                break;
            }
            if ((rc = series_add(st, s)) < 0)
                free(s);
        } else if (key_instr_decode(k, klen, &instr) == GT_OK) {
            struct gt_tick def;
            if ((rc = seal_check(st, k, klen, val, vlen, GT_TICK_LEN, "instrument")) < 0)
                break;
            if (gt_tick_decode(val, GT_TICK_LEN, &def) != GT_OK) {
                rc = store_err(st, GT_EBADMSG, "%s: bad instrument record", st->path);
                break;
            }
            rc = instr_put(st, &def, false);
        }
    }
    char *dberr = NULL;
    rocksdb_iter_get_error(it, &dberr);
    rocksdb_iter_destroy(it);
    if (dberr)
        return store_fail(st, dberr, "reading metadata");
    return rc;
}

/* The bytes of the table files a secondary sees, all families: they change
 * when the writer flushes (or compacts). */
static uint64_t view_files(gt_store *st)
{
    uint64_t total = 0;
    for (int i = 0; i < N_CF; i++) {
        uint64_t v = 0;
        if (rocksdb_property_int_cf(st->db, st->cf[i], "rocksdb.total-sst-files-size", &v) == 0)
            total += v;
    }
    return total;
}

/* Whether the view's two families are of one commit: the checkpoint in
 * "meta" and the commit mark in "ticks", which every commit writes in one
 * batch, are equal, or both absent (nothing committed yet). Sets
 * st->checkpoint. Returns GT_OK, 1 if they differ (*mark then holds the
 * mark, UINT64_MAX if there is none), or an error (a damaged record). */
static int view_check(gt_store *st, uint64_t *mark)
{
    uint8_t key[KEY_BLOCK_LEN], v[8];
    int have = checkpoint_load(st);
    if (have < 0)
        return have;
    key_mark_encode(key);
    int rc = sealed_get(st, CF_TICKS, key, sizeof key, v, sizeof v, "commit mark");
    if (rc < 0 && rc != GT_ENOENT)
        return rc;
    *mark = rc == GT_OK ? ld_le64(v) : UINT64_MAX;
    if (rc == GT_ENOENT ? have == 0 : have == 1 && *mark == st->checkpoint)
        return GT_OK;
    return 1;
}

/* The error of a view that view_check() found torn, in the words of a
 * read-only open where it names a file. */
static int view_torn(gt_store *st, uint64_t mark)
{
    char why[GT_ERRLEN], m[32];
    readonly_diagnose(st, why);
    if (mark == UINT64_MAX)
        snprintf(m, sizeof m, "none");
    else
        snprintf(m, sizeof m, "%llu", (unsigned long long)mark);
    return store_err(st, GT_ECORRUPT,
                     "%s: a table file is missing or damaged: the metadata is as of checkpoint "
                     "%llu, the blocks as of %s (%.*s)",
                     st->path, (unsigned long long)st->checkpoint, m, GT_ERRLEN / 2,
                     why[0] ? why : "a read-only open finds no error");
}

/* Reads the retention horizon ('R') into st->horizon. Returns GT_OK or an
 * error (a damaged record). */
static int horizon_load(gt_store *st)
{
    uint8_t key = KEY_META_RETAIN, v[8];
    int rc = sealed_get(st, CF_META, &key, 1, v, sizeof v, "retention horizon");
    st->horizon = rc == GT_OK ? (int64_t)ld_le64(v) : INT64_MIN;
    return rc == GT_ENOENT ? GT_OK : rc;
}

/* Catches a secondary up with the writer until its view holds the format
 * record and a checkpoint no older than the one it had, with its families
 * of one commit (view_check). While the writer is opening (replaying its
 * WAL into a table file and deleting the WAL), a secondary can see neither
 * for a moment; a few short retries (at most about 0.5 s) bridge that. A
 * view that a damaged table file keeps incomplete is not waited for: when
 * the first look fails and a read-only open names a corrupt file, that is
 * the error. Returns GT_OK, 1 if the view stays incomplete (no format
 * record: not a store, or a writer still starting; or torn families), or
 * an error. */
static int secondary_settle(gt_store *st)
{
    uint64_t had = st->checkpoint, mark;
    for (int i = 0; i < 100; i++) {
        char *dberr = NULL;
        rocksdb_try_catch_up_with_primary(st->db, &dberr);
        if (dberr)
            return store_fail(st, dberr, "catching up with the writer");
        uint64_t files = view_files(st);
        if (st->files_known && files != st->files_seen) {
            /* The writer flushed. A secondary keeps the memtable it
             * replayed from the WAL that flush retired, and its older
             * versions of the keys every commit re-puts (the checkpoint,
             * the commit mark, the series records, the open blocks) then
             * shadow the newer ones in the new table files, beside the new
             * blocks: a view mixing two commits (the reader test saw ticks
             * beyond its checkpoint in 1 run of 6, always after the
             * writer's flush). A fresh open reads the files and the live
             * WAL as they are. */
            db_close(st);
            int rc = db_open(st);
            if (rc < 0)
                return rc;
            files = view_files(st);
        }
        st->files_seen = files;
        st->files_known = true;
        uint8_t key = KEY_META_FORMAT, v[FORMAT_REC_LEN + CRC_LEN];
        int rc = meta_get(st, &key, 1, v, sizeof v);
        if (rc >= FORMAT_REC_LEN && (rc = view_check(st, &mark)) == GT_OK && st->checkpoint >= had)
            return GT_OK;
        if (rc == GT_EDB || rc == GT_EBADMSG || rc == GT_ECORRUPT)
            return rc;
        if (i == 0) {
            char why[GT_ERRLEN];
            readonly_diagnose(st, why);
            if (strncmp(why, "Corruption", 10) == 0)
                return store_err(st, GT_ECORRUPT, "%s: a table file could not be loaded (%s)",
                                 st->path, why);
        }
        st->checkpoint = had;
        nanosleep(&(struct timespec){0, 5000000}, NULL);
    }
    return 1;
}

/* A writer creating a store first makes this file in the new folder, holds
 * an flock on it, and removes it once the format record is written. A writer
 * killed in between (kill -9, a crash) leaves a folder that only it wrote to:
 * the next writer takes the lock, empties the folder and creates the store
 * again, instead of refusing the folder for ever as "not a gputick store". A
 * reader sees no store there yet (GT_ENOENT). */
#define CREATING_MARK "GPUTICK-CREATING"

static int rm_below(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return ftw->level == 0 || strcmp(p + ftw->base, CREATING_MARK) == 0
               ? 0
               : rm_entry(p, sb, flag, ftw);
}

/* Opens and locks the folder's creation mark (making the folder and the mark
 * if missing); *fd is the held lock. With resume (the mark was there), empties
 * the folder of the interrupted creation. GT_EBUSY if another writer holds it. */
static int creation_mark(gt_store *st, bool resume, int *fd)
{
    char mark[4096];
    snprintf(mark, sizeof mark, "%s/" CREATING_MARK, st->path);
    if (!resume && mkdir(st->path, 0755) != 0 && errno != EEXIST)
        return store_err(st, GT_EIO, "cannot make %s: %s", st->path, strerror(errno));
    *fd = open(mark, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return store_err(st, GT_EIO, "cannot make %s/" CREATING_MARK ": %s", st->path,
                         strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0)
        return store_err(st, GT_EBUSY, "%s: another writer is creating the store there", st->path);
    if (resume && nftw(st->path, rm_below, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return store_err(st, GT_EIO, "%s: cannot empty the folder of an interrupted creation: %s",
                         st->path, strerror(errno));
    return GT_OK;
}

/* Where no store is, a writer creates one only in a new or empty folder:
 * a folder holding other files (tickfeed's journal, a mistyped path) is not
 * turned into a store. Returns GT_OK or GT_EVERSION / GT_EINVAL. */
static int check_new_folder(gt_store *st)
{
    struct stat sb;
    if (stat(st->path, &sb) != 0)
        return GT_OK; /* RocksDB makes it (or says why not) */
    if (!S_ISDIR(sb.st_mode))
        return store_err(st, GT_EINVAL, "%s is not a folder", st->path);
    DIR *d = opendir(st->path);
    if (!d)
        return GT_OK;
    const struct dirent *e;
    int other = 0;
    while (!other && (e = readdir(d)))
        other = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    if (other)
        return store_err(st, GT_EVERSION,
                         "%s is not a gputick store (it holds other files); give an empty or "
                         "new folder",
                         st->path);
    return GT_OK;
}

void store_ticks_cf_options(rocksdb_options_t *t)
{
    rocksdb_options_set_compression(t, rocksdb_no_compression);
    rocksdb_options_set_write_buffer_size(t, TICKS_WRITE_BUFFER);
    rocksdb_options_set_prefix_extractor(
        t, rocksdb_slicetransform_create_fixed_prefix(KEY_SERIES_PREFIX_LEN));
    rocksdb_block_based_table_options_t *bb = rocksdb_block_based_options_create();
    rocksdb_block_based_options_set_filter_policy(bb, rocksdb_filterpolicy_create_bloom_full(10));
    rocksdb_block_based_options_set_whole_key_filtering(bb, 0);
    rocksdb_block_based_options_set_block_size(bb, 16 << 10);
    rocksdb_options_set_block_based_table_factory(t, bb);
    rocksdb_block_based_options_destroy(bb);
}

int gt_store_open(const char *path, int mode, gt_store **out, char err[GT_ERRLEN])
{
    *out = NULL;
    int no_create = (mode & GT_STORE_NO_CREATE) != 0;
    mode &= ~GT_STORE_NO_CREATE;
    if ((mode != GT_STORE_WRITER && mode != GT_STORE_READER) ||
        (no_create && mode != GT_STORE_WRITER)) {
        snprintf(err, GT_ERRLEN, "gt_store_open: bad mode %d", mode | no_create * 4);
        return GT_EINVAL;
    }
    gt_store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, GT_ERRLEN, "%s: out of memory", path);
        return GT_ENOMEM;
    }
    int rc, mark_fd = -1;
    st->mode = mode;
    st->book_every = GT_STORE_BOOK_EVERY;
    st->horizon = INT64_MIN;
    st->path = strdup(path);
    if (mode == GT_STORE_WRITER) {
        st->scratch = malloc(BLOCK_SCRATCH_LEN);
        st->enc = malloc(BLOCK_OUT_MAX);
    }
    st->full = rocksdb_writebatch_create();
    if (!st->path || (mode == GT_STORE_WRITER && (!st->scratch || !st->enc))) {
        rc = store_err(st, GT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    store_options_init(st);
    char current[4096];
    struct stat sb;
    snprintf(current, sizeof current, "%s/" CREATING_MARK, path);
    bool creating = stat(current, &sb) == 0; /* being created, or its creation was killed */
    snprintf(current, sizeof current, "%s/CURRENT", path);
    bool exists = !creating && stat(current, &sb) == 0;
    if (!exists && (mode == GT_STORE_READER || no_create)) {
        rc = store_err(st, GT_ENOENT, "no tick store at %s (%s)", path,
                       creating ? "a writer is creating one, or was stopped doing so"
                                : "no RocksDB database there");
        goto fail;
    }
    if (!exists && !creating && (rc = check_new_folder(st)) < 0)
        goto fail;
    if (!exists && (rc = creation_mark(st, creating, &mark_fd)) < 0)
        goto fail;
    if (exists && (rc = check_families(st)) < 0)
        goto fail;
    if ((rc = db_open(st)) < 0)
        goto fail;
    if (mode == GT_STORE_READER && !st->read_only && (rc = secondary_settle(st)) < 0)
        goto fail; /* 1: check_format() says what is missing */
    if ((rc = check_format(st, !exists)) < 0)
        goto fail;
    if (mark_fd >= 0) { /* the format record is written: a store is there */
        snprintf(current, sizeof current, "%s/" CREATING_MARK, path);
        unlink(current);
        close(mark_fd);
        mark_fd = -1;
    }
    uint64_t mark;
    if ((rc = view_check(st, &mark)) == 1)
        rc = view_torn(st, mark);
    if (rc < 0 || (rc = horizon_load(st)) < 0 ||
        (mode == GT_STORE_WRITER && (rc = writer_load(st)) < 0))
        goto fail;
    *out = st;
    return GT_OK;
fail:
    snprintf(err, GT_ERRLEN, "%s", st->errmsg);
    gt_store_close(st);
    if (mark_fd >= 0)
        close(mark_fd);
    return rc;
}

void gt_store_set_sync(gt_store *st, int sync)
{
    rocksdb_writeoptions_set_sync(st->wo, (unsigned char)(sync != 0));
}

int gt_store_refresh(gt_store *st)
{
    if (st->mode != GT_STORE_READER || st->read_only)
        return GT_OK;
    int rc = secondary_settle(st);
    if (rc == GT_OK)
        return horizon_load(st);
    uint64_t mark;
    if (rc == 1 && view_check(st, &mark) == 1)
        return view_torn(st, mark);
    if (rc == 1)
        return store_err(st, GT_EDB,
                         "%s: the view stays incomplete while the writer starts; try again",
                         st->path);
    return rc;
}

/* ---- writer ---- */

static int64_t series_tick_px(const gt_store *st, const struct series *s)
{
    uint32_t at = table_get(&st->instr_by_id, (uint32_t)s->instr_id);
    return at ? st->instrs[at - 1].def.u.def.tick_px : 0;
}

/* Encodes the series' buffer into st->enc; returns its length or an error. */
static int series_encode(gt_store *st, const struct series *s)
{
    int len =
        block_encode(s->buf, s->n, series_tick_px(st, s), 0, st->scratch, st->enc, BLOCK_OUT_MAX);
    if (len < 0)
        return store_err(st, len, "encoding a block: %s", gt_strerror(len));
    return len;
}

static void batch_put_block(gt_store *st, rocksdb_writebatch_t *b, const struct series *s, int len)
{
    uint8_t key[KEY_BLOCK_LEN];
    key_block_encode(key, s->id, s->key_ns);
    rocksdb_writebatch_put_cf(b, st->cf[CF_TICKS], (const char *)key, sizeof key,
                              (const char *)st->enc, (size_t)len);
}

/* Gives s its buffer and, after a restart, the ticks of its stored open block
 * so that block keeps growing under its key. */
static int series_load(gt_store *st, struct series *s)
{
    if (!s->buf && !(s->buf = malloc(BLOCK_TICKS * sizeof *s->buf)))
        return store_err(st, GT_ENOMEM, "out of memory for a block buffer");
    s->loaded = true;
    s->n = 0;
    if (!s->has_block || s->stored_open == 0)
        return GT_OK;
    uint8_t key[KEY_BLOCK_LEN];
    key_block_encode(key, s->id, s->key_ns);
    char *dberr = NULL;
    size_t vlen = 0;
    char *v = rocksdb_get_cf(st->db, st->ro, st->cf[CF_TICKS], (const char *)key, sizeof key, &vlen,
                             &dberr);
    if (dberr)
        return store_fail(st, dberr, "reading an open block");
    int n = v ? block_decode((const uint8_t *)v, vlen, s->buf, BLOCK_TICKS, st->scratch, NULL)
              : GT_ENOENT;
    rocksdb_free(v);
    /* A missing or unreadable open block is left as it is; the series goes
     * on in a new block (the key rule below keeps the keys apart). */
    s->n = s->stored_open = n > 0 ? (uint32_t)n : BLOCK_TICKS;
    return GT_OK;
}

static struct series *series_get(gt_store *st, const struct gt_tick *t, int *rc)
{
    uint32_t id = table_get(&st->series_by_key, series_key(t->instr_id, t->kind));
    if (id)
        return st->series[id - 1];
    struct series *s = calloc(1, sizeof *s);
    if (!s) {
        *rc = GT_ENOMEM;
        return NULL;
    }
    s->id = (uint32_t)st->n_series + 1;
    s->instr_id = t->instr_id;
    s->kind = t->kind;
    s->first_ns = INT64_MAX;
    s->last_ns = INT64_MIN;
    if ((*rc = series_add(st, s)) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* The kinds that move or shape a book: level and status ticks, and the
 * definitions that set its depth (gt_mbp_book_apply). */
enum { N_BOOK_KINDS = 3 };
static const int book_kinds[N_BOOK_KINDS] = {GT_KIND_LEVEL, GT_KIND_STATUS, GT_KIND_DEF};

static bool is_book_tick(const struct gt_tick *t)
{
    for (int i = 0; i < N_BOOK_KINDS; i++)
        if (t->kind == book_kinds[i])
            return true;
    return false;
}

/* The writer's book of instr_id, rebuilt from the store at its first book
 * tick of this session (the last checkpoint and what followed it). */
static struct bookst *book_get(gt_store *st, int32_t instr_id, int *rc)
{
    uint32_t at = table_get(&st->book_by_id, (uint32_t)instr_id);
    if (at)
        return st->books[at - 1];
    if (st->n_books == st->cap_books) {
        size_t cap = st->cap_books ? st->cap_books * 2 : 64;
        struct bookst **p = realloc(st->books, cap * sizeof *p);
        if (!p)
            goto oom;
        st->books = p;
        st->cap_books = cap;
    }
    struct bookst *bk = calloc(1, sizeof *bk);
    if (!bk)
        goto oom;
    gt_mbp_book_init(&bk->b, GT_MBP_DEPTH_DEFAULT);
    bk->max_ns = INT64_MIN;
    /* Book ticks stored before this session: only if a series holds some. */
    bool stored = false;
    for (int i = 0; i < N_BOOK_KINDS; i++)
        stored |= table_get(&st->series_by_key, series_key(instr_id, book_kinds[i])) != 0;
    if (stored) {
        int n = gt_store_book_at(st, instr_id, INT64_MAX, 0, &bk->b);
        if (n < 0) {
            free(bk);
            *rc = n;
            return NULL;
        }
        bk->since = (uint32_t)n;
        bk->max_ns = bk->b.last_ns;
    }
    if (table_put(&st->book_by_id, (uint32_t)instr_id, (uint32_t)st->n_books + 1, st->n_books) <
        0) {
        free(bk);
        goto oom;
    }
    st->books[st->n_books++] = bk;
    return bk;
oom:
    *rc = store_err(st, GT_ENOMEM, "append: out of memory for a book");
    return NULL;
}

/* Applies a book tick to the writer's book and, every book_every ticks, puts
 * a checkpoint into the pending batch, so it commits with the ticks it
 * covers. Only at a tick whose time is the greatest so far: the checkpoint
 * then holds exactly the ticks with exch_ns <= its key. */
static void book_track(gt_store *st, struct bookst *bk, const struct gt_tick *t)
{
    gt_mbp_book_apply(&bk->b, t);
    if (t->exch_ns >= bk->max_ns)
        bk->max_ns = t->exch_ns;
    if (t->kind == GT_KIND_DEF)
        return; /* sets the depth; moves no level, so no checkpoint here */
    if (++bk->since < st->book_every || t->exch_ns < bk->max_ns)
        return;
    bookckpt_put(st->full, st->cf[CF_META], t->instr_id, &bk->b); /* at t->exch_ns */
    bk->since = 0;
    st->stats.book_checkpoints++;
}

void gt_store_set_book_every(gt_store *st, uint32_t n_ticks)
{
    st->book_every = n_ticks;
}

int gt_store_append(gt_store *st, const struct gt_tick *t)
{
    if (st->mode != GT_STORE_WRITER || t->kind < 1 || t->kind > GT_KIND_MAX ||
        t->version != GT_TICK_VERSION)
        return store_err(st, GT_EINVAL, "append: %s",
                         st->mode != GT_STORE_WRITER ? "not a writer" : "bad tick kind or version");
    if (st->have_hwm && t->seq <= st->hwm) {
        st->stats.ignored++;
        return 0;
    }
    int rc = GT_OK;
    struct bookst *bk = NULL;
    if (is_book_tick(t) && st->book_every && !(bk = book_get(st, t->instr_id, &rc)))
        return rc;
    struct series *s = series_get(st, t, &rc);
    if (!s)
        return store_err(st, rc, "append: out of memory");
    if (!s->loaded && (rc = series_load(st, s)) < 0)
        return rc;
    if (t->kind == GT_KIND_DEF && (rc = instr_put(st, t, true)) < 0)
        return store_err(st, rc, "append: out of memory");
    if (s->n == BLOCK_TICKS || !s->has_block) {
        int64_t key_ns = t->exch_ns;
        if (s->has_block) {
            if (s->key_ns == INT64_MAX)
                return store_err(st, GT_EINVAL, "append: series time exhausted");
            if (key_ns <= s->key_ns)
                key_ns = s->key_ns + 1;
            if (s->n > s->stored_open) {
                int len = series_encode(st, s);
                if (len < 0)
                    return len;
                batch_put_block(st, st->full, s, len);
                st->stats.blocks_full++;
            }
        }
        s->has_block = true;
        s->key_ns = key_ns;
        s->n = 0;
        s->stored_open = 0;
        s->n_blocks++;
    }
    s->buf[s->n++] = *t;
    s->n_ticks++;
    if (t->exch_ns < s->first_ns)
        s->first_ns = t->exch_ns;
    if (t->exch_ns > s->last_ns)
        s->last_ns = t->exch_ns;
    if (!s->dirty) {
        s->dirty = true;
        st->dirty[st->n_dirty++] = s;
    }
    if (bk)
        book_track(st, bk, t);
    st->hwm = t->seq;
    st->have_hwm = true;
    st->stats.appended++;
    st->stats.pending++;
    return 1;
}

/* After RocksDB refused a write it may refuse all others until reopened
 * (there is no Resume in the C API); the appended state is all in memory. */
static int writer_reopen(gt_store *st)
{
    db_close(st);
    int rc = db_open(st);
    if (rc == GT_OK)
        st->need_reopen = false;
    return rc;
}

/* Whether the disk holding the store has room for a batch of len bytes in
 * the WAL plus a flush of the memtable (about its size again) and 1 MiB.
 * RocksDB itself reports ENOSPC only after a WAL append failed, and a WAL
 * writer that has failed aborts the process on its next use when RocksDB is
 * built with assertions (this machine's is): so the store stops first.
 * Returns GT_OK, or GT_ENOSPC with the message. */
static int space_check(gt_store *st, size_t len)
{
    struct statvfs fs;
    if (statvfs(st->path, &fs) != 0)
        return GT_OK; /* cannot tell: let RocksDB find out */
    uint64_t mem = 0;
    if (rocksdb_property_int_cf(st->db, st->cf[CF_TICKS], "rocksdb.cur-size-all-mem-tables",
                                &mem) != 0)
        mem = 0;
    uint64_t avail = (uint64_t)fs.f_bavail * fs.f_frsize, need = len + mem + (1u << 20);
    if (avail >= need)
        return GT_OK;
    return store_err(st, GT_ENOSPC,
                     "commit: No space left on the disk of %s (%llu bytes free, need %llu bytes: "
                     "the batch, a memtable flush and 1 MiB); nothing written, retry when space "
                     "is freed",
                     st->path, (unsigned long long)avail, (unsigned long long)need);
}

/* At a writer's close: the memtables into table files, so the store is not
 * left as a WAL that every reader's open must replay (docs/store.md,
 * Options). Only with room for it, and not after RocksDB refused a write; the
 * WAL keeps everything anyway. */
static void writer_flush(gt_store *st)
{
    if (st->mode != GT_STORE_WRITER || !st->db || st->need_reopen || space_check(st, 0) < 0)
        return;
    rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
    rocksdb_flushoptions_set_wait(fo, 1);
    for (int i = CF_TICKS; i < N_CF; i++) {
        char *dberr = NULL;
        rocksdb_flush_cf(st->db, fo, st->cf[i], &dberr);
        if (dberr) {
            rocksdb_free(dberr);
            break;
        }
    }
    rocksdb_flushoptions_destroy(fo);
}

int gt_store_commit(gt_store *st, uint64_t checkpoint_seq)
{
    if (st->mode != GT_STORE_WRITER)
        return store_err(st, GT_EINVAL, "commit: not a writer");
    if (st->have_hwm && checkpoint_seq < st->hwm)
        return store_err(st, GT_EINVAL, "commit: checkpoint below the last appended seq");
    if (st->need_reopen) {
        int rc = writer_reopen(st);
        if (rc < 0)
            return rc;
    }
    size_t rep_len;
    const char *rep = rocksdb_writebatch_data(st->full, &rep_len);
    rocksdb_writebatch_t *b = rocksdb_writebatch_create_from(rep, rep_len);
    uint8_t key[KEY_META_LEN], rec[SERIES_REC_LEN];
    for (size_t i = 0; i < st->n_dirty; i++) {
        struct series *s = st->dirty[i];
        if (s->n > 0) {
            int len = series_encode(st, s);
            if (len < 0) {
                rocksdb_writebatch_destroy(b);
                return len;
            }
            batch_put_block(st, b, s, len);
        }
        key_series_encode(key, s->id);
        series_rec_write(rec, s);
        batch_put_sealed(st, b, CF_META, key, sizeof key, rec, sizeof rec);
    }
    for (size_t i = 0; i < st->n_instrs; i++) {
        if (!st->instrs[i].dirty)
            continue;
        uint8_t w[GT_TICK_LEN];
        gt_tick_encode(&st->instrs[i].def, w);
        key_instr_encode(key, st->instrs[i].def.instr_id);
        batch_put_sealed(st, b, CF_META, key, sizeof key, w, sizeof w);
    }
    uint8_t ck = KEY_META_CHECKPOINT, v[8], mark[KEY_BLOCK_LEN];
    st_le64(v, checkpoint_seq);
    batch_put_sealed(st, b, CF_META, &ck, 1, v, sizeof v);
    key_mark_encode(mark);
    batch_put_sealed(st, b, CF_TICKS, mark, sizeof mark, v, sizeof v);
    size_t batch_len;
    rocksdb_writebatch_data(b, &batch_len);
    int rc = space_check(st, batch_len);
    if (rc < 0) {
        rocksdb_writebatch_destroy(b);
        st->stats.commit_errors++;
        return rc;
    }
    char *dberr = NULL;
    rocksdb_write(st->db, st->wo, b, &dberr);
    rocksdb_writebatch_destroy(b);
    if (dberr) {
        st->need_reopen = true;
        st->stats.commit_errors++;
        return store_fail(st, dberr, "commit");
    }
    st->stats.commits++;
    st->stats.pending = 0;
    rocksdb_writebatch_clear(st->full);
    for (size_t i = 0; i < st->n_dirty; i++) {
        st->dirty[i]->dirty = false;
        st->dirty[i]->stored_open = st->dirty[i]->n;
    }
    st->n_dirty = 0;
    for (size_t i = 0; i < st->n_instrs; i++)
        st->instrs[i].dirty = false;
    st->checkpoint = st->hwm = checkpoint_seq;
    st->have_hwm = true;
    return GT_OK;
}

void gt_store_stats_get(const gt_store *st, struct gt_store_stats *out)
{
    *out = st->stats;
    out->series = st->n_series;
}

uint64_t gt_store_checkpoint(const gt_store *st)
{
    return st->checkpoint;
}

/* ---- readers ---- */

/* Calls fn on every metadata record whose key starts with type, in key order;
 * stops early when fn returns non-zero and returns that. */
static int meta_scan(gt_store *st, uint8_t type,
                     int (*fn)(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
                               size_t vlen),
                     void *arg)
{
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(st->db, st->ro, st->cf[CF_META]);
    int rc = 0;
    for (rocksdb_iter_seek(it, (const char *)&type, 1); rocksdb_iter_valid(it);
         rocksdb_iter_next(it)) {
        size_t klen, vlen;
        const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &klen);
        if (klen < 1 || k[0] != type)
            break;
        const uint8_t *v = (const uint8_t *)rocksdb_iter_value(it, &vlen);
        if ((rc = fn(arg, k, klen, v, vlen)) != 0)
            break;
    }
    char *dberr = NULL;
    rocksdb_iter_get_error(it, &dberr);
    rocksdb_iter_destroy(it);
    return dberr ? store_fail(st, dberr, "reading metadata") : rc;
}

struct series_scan {
    gt_store *st;
    struct gt_series_info *out;
    size_t cap, n;
    int32_t instr_id; /* for a find */
    int kind;
    struct series *rec; /* for a find: the record found, if not NULL */
};

static int series_info_fill(gt_store *st, struct gt_series_info *info, uint32_t id,
                            const struct series *s)
{
    memset(info, 0, sizeof *info);
    info->series = id;
    info->instr_id = s->instr_id;
    info->kind = s->kind;
    info->n_ticks = s->n_ticks;
    info->n_blocks = s->n_blocks;
    info->first_ns = s->first_ns;
    info->last_ns = s->last_ns;
    uint8_t key[KEY_META_LEN], v[GT_TICK_LEN];
    key_instr_encode(key, s->instr_id);
    int rc = sealed_get(st, CF_META, key, sizeof key, v, sizeof v, "instrument");
    if (rc == GT_OK)
        gt_fixed_str(info->symbol, sizeof info->symbol, (const char *)v + 52, GT_SYMBOL_LEN);
    return rc == GT_ENOENT ? GT_OK : rc;
}

static int series_scan_one(void *arg, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    struct series_scan *sc = arg;
    struct series s;
    uint32_t id;
    int rc;
    if (key_series_decode(k, klen, &id) < 0)
        return store_err(sc->st, GT_ECORRUPT, "%s: a series key is damaged", sc->st->path);
    if ((rc = seal_check(sc->st, k, klen, v, vlen, SERIES_REC_LEN, "series")) < 0)
        return rc;
    if (series_rec_read(v, SERIES_REC_LEN, &s) < 0)
        return store_err(sc->st, GT_EBADMSG, "%s: bad series record", sc->st->path);
    if (sc->kind) {
        if (s.instr_id != sc->instr_id || s.kind != sc->kind)
            return 0;
        if ((rc = series_info_fill(sc->st, sc->out, id, &s)) < 0)
            return rc;
        if (sc->rec)
            *sc->rec = s;
        return 1;
    }
    if (sc->n < sc->cap && (rc = series_info_fill(sc->st, &sc->out[sc->n], id, &s)) < 0)
        return rc;
    sc->n++;
    return 0;
}

int gt_store_series_list(gt_store *st, struct gt_series_info *out, size_t cap)
{
    struct series_scan sc = {st, out, cap, 0, 0, 0, NULL};
    int rc = meta_scan(st, KEY_META_SERIES, series_scan_one, &sc);
    return rc < 0 ? rc : (int)sc.n;
}

/* gt_store_series_find(), and the series' record into *rec if not NULL. */
static int series_find(gt_store *st, int32_t instr_id, int kind, struct gt_series_info *info,
                       struct series *rec)
{
    if (kind < 1 || kind > GT_KIND_MAX)
        return GT_ENOENT;
    struct series_scan sc = {st, info, 1, 0, instr_id, kind, rec};
    int rc = meta_scan(st, KEY_META_SERIES, series_scan_one, &sc);
    if (rc < 0)
        return rc;
    return rc == 1 ? GT_OK : GT_ENOENT;
}

int gt_store_series_find(gt_store *st, int32_t instr_id, int kind, struct gt_series_info *info)
{
    return series_find(st, instr_id, kind, info, NULL);
}

struct instr_scan {
    gt_store *st;
    struct gt_tick *defs;
    size_t cap, n;
    const char *symbol; /* for a find */
};

static int instr_scan_one(void *arg, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    struct instr_scan *sc = arg;
    struct gt_tick def;
    int32_t id;
    int rc;
    if (key_instr_decode(k, klen, &id) < 0)
        return store_err(sc->st, GT_ECORRUPT, "%s: an instrument key is damaged", sc->st->path);
    if ((rc = seal_check(sc->st, k, klen, v, vlen, GT_TICK_LEN, "instrument")) < 0)
        return rc;
    if (gt_tick_decode(v, GT_TICK_LEN, &def) != GT_OK)
        return store_err(sc->st, GT_EBADMSG, "%s: bad instrument record", sc->st->path);
    if (sc->symbol) {
        char sym[GT_SYMBOL_LEN + 1];
        gt_fixed_str(sym, sizeof sym, def.u.def.symbol, GT_SYMBOL_LEN);
        if (strcmp(sym, sc->symbol) != 0)
            return 0;
        *sc->defs = def;
        return 1;
    }
    if (sc->n < sc->cap)
        sc->defs[sc->n] = def;
    sc->n++;
    return 0;
}

int gt_store_instr_list(gt_store *st, struct gt_tick *defs, size_t cap)
{
    struct instr_scan sc = {st, defs, cap, 0, NULL};
    int rc = meta_scan(st, KEY_META_INSTR, instr_scan_one, &sc);
    return rc < 0 ? rc : (int)sc.n;
}

int gt_store_instr_find(gt_store *st, const char *symbol, struct gt_tick *def)
{
    struct instr_scan sc = {st, def, 1, 0, symbol};
    int rc = meta_scan(st, KEY_META_INSTR, instr_scan_one, &sc);
    if (rc < 0)
        return rc;
    return rc == 1 ? GT_OK : GT_ENOENT;
}

/* ---- iterator ---- */

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

void gt_store_iter_close(gt_store_iter *it)
{
    if (!it)
        return;
    if (it->it)
        rocksdb_iter_destroy(it->it);
    if (it->ro)
        rocksdb_readoptions_destroy(it->ro);
    free(it->ticks);
    free(it->scratch);
    free(it);
}

/* Whether this handle's view holds the open block of the series whose
 * record is s, which every commit writes with the record. A secondary instance that cannot
 * load a table file (a corrupt index block, say) keeps, without an error, an
 * older version of the family that lacks its blocks; a read-only open of the
 * store then names the file. Returns GT_OK, GT_ECORRUPT (the message gives
 * the read-only open's words) or GT_EDB. */
static int iter_view_check(gt_store *st, uint32_t series, const struct series *s)
{
    uint8_t key[KEY_BLOCK_LEN];
    if (!s->has_block)
        return GT_OK;
    key_block_encode(key, series, s->key_ns);
    char *dberr = NULL;
    rocksdb_pinnableslice_t *v = rocksdb_get_pinned_cf(st->db, st->ro, st->cf[CF_TICKS],
                                                       (const char *)key, sizeof key, &dberr);
    if (dberr)
        return store_fail(st, dberr, "reading blocks");
    if (v) {
        rocksdb_pinnableslice_destroy(v);
        return GT_OK;
    }
    char why[GT_ERRLEN];
    readonly_diagnose(st, why);
    return store_err(
        st, GT_ECORRUPT, "%s: series %u lacks blocks: a table file could not be loaded (%.*s)",
        st->path, series, GT_ERRLEN / 2, why[0] ? why : "a read-only open finds no error");
}

int64_t gt_store_horizon(const gt_store *st)
{
    return st->horizon;
}

/* gt_store_iter_open() without the retention horizon's clamp: the book
 * replay starts from the checkpoint a retention left, which may lie before
 * it, in the block that straddles it. */
static int iter_open(gt_store *st, int32_t instr_id, int kind, int64_t from_ns, int64_t to_ns,
                     gt_store_iter **out)
{
    *out = NULL;
    struct gt_series_info info;
    struct series rec;
    int rc = series_find(st, instr_id, kind, &info, &rec);
    if (rc == GT_ENOENT) {
        const char *name = gt_kind_name(kind);
        return store_err(st, rc, "no %s series for instrument %d in the store",
                         name ? name : "such", (int)instr_id);
    }
    if (rc < 0 || (rc = iter_view_check(st, info.series, &rec)) < 0)
        return rc;
    gt_store_iter *it = calloc(1, sizeof *it);
    if (!it || !(it->ticks = malloc(BLOCK_CAP * sizeof *it->ticks)) ||
        !(it->scratch = malloc(BLOCK_SCRATCH_LEN))) {
        gt_store_iter_close(it);
        return store_err(st, GT_ENOMEM, "iterator: out of memory");
    }
    it->st = st;
    it->series = info.series;
    it->from_ns = from_ns;
    it->fields = GT_FIELDS_ALL;
    it->to_ns = to_ns;
    it->ro = rocksdb_readoptions_create();
    rocksdb_readoptions_set_verify_checksums(it->ro, 1);
    if (info.series < UINT32_MAX) {
        key_block_encode(it->upper, info.series + 1, INT64_MIN);
        rocksdb_readoptions_set_iterate_upper_bound(it->ro, (const char *)it->upper,
                                                    sizeof it->upper);
    }
    it->it = rocksdb_create_iterator_cf(st->db, it->ro, st->cf[CF_TICKS]);
    it->done = from_ns >= to_ns;
    *out = it;
    return GT_OK;
}

int gt_store_iter_open(gt_store *st, int32_t instr_id, int kind, int64_t from_ns, int64_t to_ns,
                       gt_store_iter **out)
{
    return iter_open(st, instr_id, kind, from_ns < st->horizon ? st->horizon : from_ns, to_ns, out);
}

/* Whether the RocksDB iterator is on a block of series; *key_ns its key. */
static bool iter_at_series(rocksdb_iterator_t *ri, uint32_t series, int64_t *key_ns)
{
    if (!rocksdb_iter_valid(ri))
        return false;
    size_t klen;
    const uint8_t *k = (const uint8_t *)rocksdb_iter_key(ri, &klen);
    uint32_t got;
    int64_t ns;
    if (key_block_decode(k, klen, &got, &ns) < 0 || got != series)
        return false;
    if (key_ns)
        *key_ns = ns;
    return true;
}

/* Seeks the block at or before from_ns, else the series' first. A seek that
 * fails is left so: gt_store_iter_next() then skips the stretch. */
static void iter_seek(gt_store_iter *it)
{
    uint8_t key[KEY_BLOCK_LEN];
    char *dberr = NULL;
    key_block_encode(key, it->series, it->from_ns);
    rocksdb_iter_seek_for_prev(it->it, (const char *)key, sizeof key);
    rocksdb_iter_get_error(it->it, &dberr);
    rocksdb_free(dberr);
    if (!dberr && !iter_at_series(it->it, it->series, NULL)) {
        key_block_encode(key, it->series, INT64_MIN);
        rocksdb_iter_seek(it->it, (const char *)key, sizeof key);
    }
}

static int iter_bad(gt_store_iter *it, int rc, int64_t key_ns)
{
    char t[GT_TIME_STRLEN];
    gt_time_format(key_ns, t);
    it->bad_series = it->series;
    it->bad_key_ns = it->bad_end_ns = key_ns;
    snprintf(it->errmsg, sizeof it->errmsg, "block (series %u, key %s) is unreadable: %s",
             it->series, t, gt_strerror(rc));
    return rc;
}

/* Seeks the first key of the series at or after key_ns with a fresh RocksDB
 * iterator (one that failed keeps state a later seek trips on); returns
 * whether RocksDB could read the table block that holds it (or found none). */
static bool iter_seek_ok(gt_store_iter *it, int64_t key_ns)
{
    uint8_t key[KEY_BLOCK_LEN];
    char *dberr = NULL;
    rocksdb_iter_destroy(it->it);
    it->it = rocksdb_create_iterator_cf(it->st->db, it->ro, it->st->cf[CF_TICKS]);
    key_block_encode(key, it->series, key_ns);
    rocksdb_iter_seek(it->it, (const char *)key, sizeof key);
    rocksdb_iter_get_error(it->it, &dberr);
    rocksdb_free(dberr);
    return dberr == NULL;
}

/* Called when the RocksDB iterator has left the series. GT_OK: the series
 * ended. A table-file block RocksDB cannot read (a "Corruption" status: its
 * checksum, say) becomes a skipped stretch: the least key after the last one
 * read whose seek reads cleanly is found by bisection (each seek reads the
 * table block holding the first key at or after it, so the keys that fail
 * are those of the bad blocks), the iterator is left there, and the stretch
 * is the bad block, GT_ECORRUPT. Any other error is GT_EDB. */
static int iter_left_series(gt_store_iter *it)
{
    char *dberr = NULL;
    rocksdb_iter_get_error(it->it, &dberr);
    if (!dberr)
        return GT_OK;
    int corrupt = strncmp(dberr, "Corruption", 10) == 0;
    snprintf(it->errmsg, sizeof it->errmsg, corrupt ? "%s" : "reading blocks: %s", dberr);
    rocksdb_free(dberr);
    if (!corrupt)
        return GT_EDB;
    /* The stretch starts after the last block read; its keys follow that
     * block's (a seek just past its key fails), or the failed first seek. */
    int64_t start = !it->have_last                 ? INT64_MIN
                    : it->last_max_ns == INT64_MAX ? INT64_MAX
                                                   : it->last_max_ns + 1;
    int64_t lo = it->have_last              ? it->last_key_ns
                 : it->from_ns == INT64_MIN ? INT64_MIN
                                            : it->from_ns - 1;
    if (it->have_last && start >= it->to_ns) {
        it->done = true; /* past the range: the query has what it needs */
        it->errmsg[0] = 0;
        return GT_OK;
    }
    int64_t hi = INT64_MAX, next_ns = INT64_MAX;
    bool readable = iter_seek_ok(it, hi);
    if (readable) {
        while ((uint64_t)hi - (uint64_t)lo > 1) {
            int64_t mid = (int64_t)((uint64_t)lo + ((uint64_t)hi - (uint64_t)lo) / 2);
            if (iter_seek_ok(it, mid))
                hi = mid;
            else
                lo = mid;
        }
        readable = iter_seek_ok(it, hi) && iter_at_series(it->it, it->series, &next_ns);
    }
    it->positioned = readable;
    it->done = !readable; /* else nothing after the stretch can be read */
    it->bad_series = it->series;
    it->bad_key_ns = start;
    it->bad_end_ns = readable ? next_ns : INT64_MAX;
    return GT_ECORRUPT;
}

int gt_store_iter_next(gt_store_iter *it, const struct gt_tick **ticks)
{
    while (!it->done) {
        if (!it->started) {
            iter_seek(it);
            it->started = true;
        } else if (it->positioned) {
            it->positioned = false;
        } else {
            rocksdb_iter_next(it->it);
        }
        size_t vlen;
        int64_t key_ns;
        if (!iter_at_series(it->it, it->series, &key_ns)) {
            int rc = iter_left_series(it);
            if (rc < 0)
                return rc;
            it->done = true;
            break;
        }
        it->have_last = true;
        it->last_key_ns = it->last_max_ns = key_ns;
        const uint8_t *v = (const uint8_t *)rocksdb_iter_value(it->it, &vlen);
        struct block_hdr h;
        int rc = block_hdr_read(v, vlen, &h);
        if (rc < 0)
            return iter_bad(it, rc, key_ns);
        it->last_max_ns = h.max_ns > key_ns ? h.max_ns : key_ns;
        if (key_ns >= it->to_ns && h.min_ns >= it->to_ns) {
            it->done = true;
            break;
        }
        if (h.max_ns < it->from_ns || h.min_ns >= it->to_ns)
            continue;
        int n = block_decode_fields(v, vlen, it->ticks, BLOCK_CAP, it->scratch, NULL, it->fields);
        if (n < 0)
            return iter_bad(it, n, key_ns);
        if (h.min_ns >= it->from_ns && h.max_ns < it->to_ns) { /* all of it */
            *ticks = it->ticks;
            return n;
        }
        int k = 0;
        for (int i = 0; i < n; i++)
            if (it->ticks[i].exch_ns >= it->from_ns && it->ticks[i].exch_ns < it->to_ns)
                it->ticks[k++] = it->ticks[i];
        if (k > 0) {
            *ticks = it->ticks;
            return k;
        }
    }
    return 0;
}

void gt_store_iter_fields(gt_store_iter *it, uint64_t fields)
{
    it->fields = fields;
}

void gt_store_iter_bad_block(const gt_store_iter *it, uint32_t *series, int64_t *key_ns)
{
    *series = it->bad_series;
    *key_ns = it->bad_key_ns;
}

int64_t gt_store_iter_bad_end(const gt_store_iter *it)
{
    return it->bad_end_ns;
}

const char *gt_store_iter_errmsg(const gt_store_iter *it)
{
    return it ? it->errmsg : "";
}

int gt_store_series_bytes(gt_store *st, uint32_t series, uint64_t *bytes)
{
    *bytes = 0;
    if (series == 0)
        return store_err(st, GT_ENOENT, "no series 0");
    uint8_t key[KEY_BLOCK_LEN];
    key_block_encode(key, series, INT64_MIN);
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(st->db, st->ro, st->cf[CF_TICKS]);
    for (rocksdb_iter_seek(it, (const char *)key, sizeof key); rocksdb_iter_valid(it);
         rocksdb_iter_next(it)) {
        size_t klen, vlen;
        uint32_t s;
        int64_t key_ns;
        const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &klen);
        if (key_block_decode(k, klen, &s, &key_ns) < 0 || s != series)
            break;
        rocksdb_iter_value(it, &vlen);
        *bytes += klen + vlen;
    }
    char *dberr = NULL;
    rocksdb_iter_get_error(it, &dberr);
    rocksdb_iter_destroy(it);
    return dberr ? store_fail(st, dberr, "series bytes") : GT_OK;
}

/* ---- books as of a time ---- */

/* The next tick of a book series: 1 and *t, 0 at its end, or an error. */
static int book_src_next(gt_store_iter *it, const struct gt_tick **run, int *n, int *i,
                         const struct gt_tick **t)
{
    if (!it)
        return 0;
    if (*i >= *n) {
        int got = gt_store_iter_next(it, run);
        if (got <= 0)
            return got;
        *n = got;
        *i = 0;
    }
    *t = &(*run)[*i];
    return 1;
}

/* The book horizon of instr_id (key.h 'H'): *ns, or INT64_MIN when no
 * retention cut its book. Returns GT_OK or an error. */
static int book_horizon(gt_store *st, int32_t instr_id, int64_t *ns)
{
    uint8_t key[KEY_META_LEN], v[8];
    key_horizon_encode(key, instr_id);
    int rc = sealed_get(st, CF_META, key, sizeof key, v, sizeof v, "book horizon");
    *ns = rc == GT_OK ? (int64_t)ld_le64(v) : INT64_MIN;
    return rc == GT_ENOENT ? GT_OK : rc;
}

int gt_store_book_at(gt_store *st, int32_t instr_id, int64_t at_ns, int flags,
                     struct gt_mbp_book *b)
{
    char *dberr = NULL;
    gt_mbp_book_init(b, GT_MBP_DEPTH_DEFAULT);
    int64_t from = INT64_MIN, horizon;
    int rc = book_horizon(st, instr_id, &horizon);
    if (rc < 0)
        return rc;
    if (at_ns < horizon) {
        char t[GT_TIME_STRLEN], h[GT_TIME_STRLEN];
        gt_time_format(at_ns, t);
        gt_time_format(horizon, h);
        return store_err(st, GT_ERANGE,
                         "the book of instrument %d at %s is older than the data kept "
                         "(retention: books from %s)",
                         instr_id, t, h);
    }
    /* After a retention, even a full replay starts from the checkpoint it left. */
    int64_t find_at = flags & GT_BOOK_REPLAY_ALL ? horizon : at_ns;
    if ((!(flags & GT_BOOK_REPLAY_ALL) || horizon != INT64_MIN) &&
        (rc = bookckpt_find(st->db, st->ro, st->cf[CF_META], instr_id, find_at, b, &dberr)) < 0)
        return store_fail(st, dberr, "reading a book checkpoint");
    if (rc != 1 && horizon != INT64_MIN) {
        return store_err(st, GT_ECORRUPT,
                         "the book of instrument %d: the checkpoint retention left is missing, "
                         "unreadable or of an older format, so no time can be answered",
                         instr_id);
    }
    uint64_t after = rc == 1 ? b->last_seq : 0;
    if (rc == 1)
        from = b->last_ns;
    int64_t to = at_ns == INT64_MAX ? INT64_MAX : at_ns + 1;
    /* Definitions (the depth) carry their LastUpdateTime, often long before
     * the book ticks they precede on the bus: their whole series is read (a
     * few ticks), and seq decides what the checkpoint already holds. */
    enum { N_SRC = N_BOOK_KINDS };
    const int *kinds = book_kinds;
    gt_store_iter *it[N_SRC] = {NULL, NULL, NULL};
    const struct gt_tick *run[N_SRC] = {NULL, NULL, NULL}, *cur[N_SRC] = {NULL, NULL, NULL};
    int n[N_SRC] = {0, 0, 0}, i[N_SRC] = {0, 0, 0}, live[N_SRC];
    for (int k = 0; k < N_SRC; k++) {
        rc = iter_open(st, instr_id, kinds[k], kinds[k] == GT_KIND_DEF ? INT64_MIN : from, to,
                       &it[k]);
        if (rc == GT_ENOENT)
            rc = GT_OK, it[k] = NULL;
        if (rc < 0)
            goto done;
    }
    for (int k = 0; k < N_SRC; k++)
        if ((live[k] = book_src_next(it[k], &run[k], &n[k], &i[k], &cur[k])) < 0) {
            rc = live[k];
            goto done;
        }
    int replayed = 0;
    for (;;) {
        int k = -1; /* the source whose next tick is first in bus order */
        for (int j = 0; j < N_SRC; j++)
            if (live[j] > 0 && (k < 0 || cur[j]->seq < cur[k]->seq))
                k = j;
        if (k < 0)
            break;
        if (cur[k]->seq > after) {
            gt_mbp_book_apply(b, cur[k]);
            replayed++;
        }
        i[k]++;
        if ((live[k] = book_src_next(it[k], &run[k], &n[k], &i[k], &cur[k])) < 0) {
            rc = live[k];
            goto done;
        }
    }
    rc = replayed;
done:
    for (int k = 0; k < N_SRC; k++) {
        if (rc < 0 && it[k] && gt_store_iter_errmsg(it[k])[0])
            store_err(st, rc, "%s", gt_store_iter_errmsg(it[k]));
        gt_store_iter_close(it[k]);
    }
    return rc;
}

/* ---- retention ---- */

/* The end (exclusive) of what retention may delete in s: the key of the
 * block at or before ns if it holds ticks at or after ns or is the open
 * block, else the key just after it. Counts the blocks and ticks below it.
 * Returns 1 if there is something to delete, 0 if not, or an error. */
static int retain_span(gt_store *st, const struct series *s, int64_t ns, uint8_t end[KEY_BLOCK_LEN],
                       uint64_t *n_blocks, uint64_t *n_ticks, int64_t *first_kept)
{
    *n_blocks = *n_ticks = 0;
    *first_kept = INT64_MAX;
    uint8_t key[KEY_BLOCK_LEN];
    key_block_encode(key, s->id, INT64_MIN);
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(st->db, st->ro, st->cf[CF_TICKS]);
    int rc = 0;
    for (rocksdb_iter_seek(it, (const char *)key, sizeof key); rocksdb_iter_valid(it);
         rocksdb_iter_next(it)) {
        size_t klen, vlen;
        uint32_t series;
        int64_t key_ns;
        const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &klen);
        if (key_block_decode(k, klen, &series, &key_ns) < 0 || series != s->id)
            break;
        struct block_hdr h;
        const uint8_t *v = (const uint8_t *)rocksdb_iter_value(it, &vlen);
        bool whole = block_hdr_read(v, vlen, &h) == GT_OK;
        if (key_ns == s->key_ns || (whole && h.max_ns >= ns) || (!whole && key_ns >= ns)) {
            memcpy(end, k, KEY_BLOCK_LEN);
            *first_kept = whole ? h.min_ns : key_ns;
            break;
        }
        memcpy(end, k, KEY_BLOCK_LEN);
        end[KEY_BLOCK_LEN - 1]++; /* key_ns < s->key_ns, so this does not carry out */
        for (int i = KEY_BLOCK_LEN - 1; i > 4 && end[i] == 0; i--)
            end[i - 1]++;
        *n_blocks += 1;
        *n_ticks += whole ? h.count : 0;
        rc = 1;
    }
    char *dberr = NULL;
    rocksdb_iter_get_error(it, &dberr);
    rocksdb_iter_destroy(it);
    return dberr ? store_fail(st, dberr, "retention") : rc;
}

static void compact_range(gt_store *st, int cf, const uint8_t *lo, const uint8_t *hi, size_t len)
{
    rocksdb_compactoptions_t *co = rocksdb_compactoptions_create();
    rocksdb_compactoptions_set_bottommost_level_compaction(co, 1); /* kForce */
    rocksdb_compact_range_cf_opt(st->db, st->cf[cf], co, (const char *)lo, lo ? len : 0,
                                 (const char *)hi, hi ? len : 0);
    rocksdb_compactoptions_destroy(co);
}

int gt_store_compact(gt_store *st)
{
    if (st->mode != GT_STORE_WRITER)
        return store_err(st, GT_EINVAL, "compact: not a writer");
    compact_range(st, CF_TICKS, NULL, NULL, 0);
    compact_range(st, CF_META, NULL, NULL, 0);
    return GT_OK;
}

int gt_store_disk_bytes(gt_store *st, uint64_t *bytes)
{
    *bytes = 0;
    for (int i = 0; i < N_CF; i++) {
        uint64_t v = 0;
        if (rocksdb_property_int_cf(st->db, st->cf[i], "rocksdb.total-sst-files-size", &v) != 0)
            return store_err(st, GT_EDB, "%s: no table file sizes", st->path);
        *bytes += v;
    }
    return GT_OK;
}

/* One series' part in a retention: its deleted key range and what remains. */
struct retain {
    struct series *s;
    uint8_t lo[KEY_BLOCK_LEN], hi[KEY_BLOCK_LEN];
    struct series after; /* its counts once the range is gone */
};

static bool is_book_kind(int kind)
{
    return kind == GT_KIND_LEVEL || kind == GT_KIND_STATUS;
}

/* Keeps book --at exact across a retention. For each instrument whose level
 * or status series lose blocks, H is the latest first-kept tick time among
 * them: every deleted tick is before H. The book as of H - 1 (from what is
 * still committed) becomes a checkpoint at its last tick's time, the older
 * checkpoints go, and that time is the instrument's book horizon: an earlier
 * time is refused (GT_ERANGE), never answered from the ticks left. All into
 * batch b, which deletes the blocks too. Returns GT_OK or an error. */
static int retain_books(gt_store *st, const struct retain *r, size_t n, rocksdb_writebatch_t *b)
{
    for (size_t i = 0; i < n; i++) {
        int32_t id = r[i].s->instr_id;
        bool seen = !is_book_kind(r[i].s->kind);
        for (size_t j = 0; j < i && !seen; j++)
            seen = is_book_kind(r[j].s->kind) && r[j].s->instr_id == id;
        if (seen)
            continue;
        int64_t h = INT64_MIN;
        for (size_t j = i; j < n; j++)
            if (is_book_kind(r[j].s->kind) && r[j].s->instr_id == id && r[j].after.first_ns > h)
                h = r[j].after.first_ns;
        struct gt_mbp_book bk;
        int rc = gt_store_book_at(st, id, h == INT64_MIN ? h : h - 1, 0, &bk);
        if (rc == GT_ERANGE)
            continue; /* an earlier retention's checkpoint covers these ticks */
        if (rc < 0)
            return rc;
        if (bk.last_seq == 0)
            continue; /* no book tick before H: nothing of the book is lost */
        uint8_t lo[KEY_BOOK_LEN], key[KEY_BOOK_LEN], hkey[KEY_META_LEN], hv[8];
        key_book_encode(lo, id, INT64_MIN);
        key_book_encode(key, id, bk.last_ns);
        rocksdb_writebatch_delete_range_cf(b, st->cf[CF_META], (const char *)lo, sizeof lo,
                                           (const char *)key, sizeof key);
        bookckpt_put(b, st->cf[CF_META], id, &bk);
        key_horizon_encode(hkey, id);
        st_le64(hv, (uint64_t)bk.last_ns);
        batch_put_sealed(st, b, CF_META, hkey, sizeof hkey, hv, sizeof hv);
    }
    return GT_OK;
}

int gt_store_delete_before(gt_store *st, int64_t ns)
{
    if (st->mode != GT_STORE_WRITER || st->n_dirty > 0 || rocksdb_writebatch_count(st->full) > 0)
        return store_err(st, GT_EINVAL, "retention: %s",
                         st->mode != GT_STORE_WRITER ? "not a writer" : "commit first");
    struct retain *r = calloc(st->n_series + 1, sizeof *r);
    if (!r)
        return store_err(st, GT_ENOMEM, "retention: out of memory");
    rocksdb_writebatch_t *b = rocksdb_writebatch_create();
    int deleted = 0, rc = GT_OK;
    size_t n = 0;
    for (size_t i = 0; i < st->n_series && rc >= 0; i++) {
        struct retain *x = &r[n];
        uint64_t nb, nt;
        int64_t first_kept;
        x->s = st->series[i];
        rc = retain_span(st, x->s, ns, x->hi, &nb, &nt, &first_kept);
        if (rc <= 0)
            continue;
        key_block_encode(x->lo, x->s->id, INT64_MIN);
        rocksdb_writebatch_delete_range_cf(b, st->cf[CF_TICKS], (const char *)x->lo, KEY_BLOCK_LEN,
                                           (const char *)x->hi, KEY_BLOCK_LEN);
        x->after = *x->s;
        x->after.n_blocks -= nb;
        x->after.n_ticks -= nt < x->after.n_ticks ? nt : x->after.n_ticks;
        x->after.first_ns = first_kept;
        uint8_t key[KEY_META_LEN], rec[SERIES_REC_LEN];
        key_series_encode(key, x->s->id);
        series_rec_write(rec, &x->after);
        batch_put_sealed(st, b, CF_META, key, sizeof key, rec, sizeof rec);
        deleted += (int)nb;
        n++;
    }
    if (rc >= 0 && n > 0)
        rc = retain_books(st, r, n, b);
    int64_t horizon = ns > st->horizon ? ns : st->horizon;
    if (rc >= 0) {
        uint8_t key = KEY_META_RETAIN, v[8];
        st_le64(v, (uint64_t)horizon);
        batch_put_sealed(st, b, CF_META, &key, 1, v, sizeof v);
        char *dberr = NULL;
        rocksdb_write(st->db, st->wo, b, &dberr);
        if (dberr)
            rc = store_fail(st, dberr, "retention");
        else
            st->horizon = horizon;
    }
    rocksdb_writebatch_destroy(b);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        r[i].s->n_blocks = r[i].after.n_blocks;
        r[i].s->n_ticks = r[i].after.n_ticks;
        r[i].s->first_ns = r[i].after.first_ns;
        compact_range(st, CF_TICKS, r[i].lo, r[i].hi, KEY_BLOCK_LEN);
    }
    free(r);
    return rc < 0 ? rc : deleted;
}

/* For backup.c: the handle a RocksDB checkpoint is taken from. */
struct rocksdb_t *store_rocksdb(gt_store *st)
{
    return st->db;
}
