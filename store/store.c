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
 * Format 1 stores had no seals and no mark: they are refused.
 *
 * This file opens, checks and closes the store; the writer, the readers, the
 * iterator, books as of a time and retention are in writer.c, reader.c,
 * iter.c, bookat.c and retain.c, and store_int.h holds what they share. */
#include "store_int.h"

static const char *const cf_names[N_CF] = {"default", "ticks", "meta"};
static const char format_magic[8] = "GTSTORE";

/* ---- errors ---- */

int store_err(gt_store *st, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

int store_fail(gt_store *st, char *dberr, const char *what)
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

void batch_put_sealed(gt_store *st, rocksdb_writebatch_t *b, int cf, const uint8_t *key,
                      size_t klen, const uint8_t *v, size_t len)
{
    uint8_t buf[SEALED_MAX];
    memcpy(buf, v, len);
    st_le32(buf + len, seal_crc(key, klen, v, len));
    rocksdb_writebatch_put_cf(b, st->cf[cf], (const char *)key, klen, (const char *)buf,
                              len + CRC_LEN);
}

int seal_check(gt_store *st, const uint8_t *key, size_t klen, const uint8_t *v, size_t vlen,
               size_t len, const char *what)
{
    if (vlen == len + CRC_LEN && ld_le32(v + len) == seal_crc(key, klen, v, len))
        return GT_OK;
    return store_err(st, GT_ECORRUPT, "%s: the %s record is damaged (%s)", st->path, what,
                     vlen == len + CRC_LEN ? "checksum mismatch" : "wrong length");
}

int sealed_get(gt_store *st, int cf, const uint8_t *key, size_t klen, uint8_t *buf, size_t len,
               const char *what)
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

/* ---- records ---- */

void series_rec_write(uint8_t *p, const struct series *s)
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

int series_rec_read(const uint8_t *p, size_t len, struct series *s)
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

void db_close(gt_store *st)
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

int db_open(gt_store *st)
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

void readonly_diagnose(gt_store *st, char why[GT_ERRLEN])
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

int series_add(gt_store *st, struct series *s)
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

int instr_put(gt_store *st, const struct gt_tick *def, bool dirty)
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

/* Looks into the folder of a store that has no CURRENT file: *other says
 * whether it holds any file, *rocks whether it holds RocksDB's (a MANIFEST,
 * table files). Returns GT_OK (both 0 where there is no folder to read), or
 * GT_EINVAL if the path is not a folder. */
static int folder_look(gt_store *st, int *other, int *rocks)
{
    struct stat sb;
    *other = *rocks = 0;
    if (stat(st->path, &sb) != 0)
        return GT_OK; /* RocksDB makes it (or says why not) */
    if (!S_ISDIR(sb.st_mode))
        return store_err(st, GT_EINVAL, "%s is not a folder", st->path);
    DIR *d = opendir(st->path);
    if (!d)
        return GT_OK;
    const struct dirent *e;
    while (!*rocks && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        *other |= strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
        *rocks = strncmp(e->d_name, "MANIFEST-", 9) == 0 ||
                 (n > 4 && strcmp(e->d_name + n - 4, ".sst") == 0);
    }
    closedir(d);
    return GT_OK;
}

/* Where CURRENT is missing: a file is not a folder, and a folder that holds
 * RocksDB's other files is a damaged database, not an absent one. Where no
 * store is, a writer creates one only in a new or empty folder: a folder
 * holding other files (tickfeed's journal, a mistyped path) is not turned
 * into a store. Returns GT_OK or GT_EINVAL / GT_ECORRUPT / GT_EVERSION (the
 * last only when writing). */
static int check_no_current(gt_store *st, bool writing)
{
    int other, rocks, rc = folder_look(st, &other, &rocks);
    if (rc < 0)
        return rc;
    if (rocks)
        return store_err(st, GT_ECORRUPT,
                         "%s is a damaged RocksDB database: its CURRENT file is missing (restore "
                         "the store from a backup, or record it again)",
                         st->path);
    if (other && writing)
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
    bool writing = mode == GT_STORE_WRITER && !no_create;
    if (!exists && !creating && (rc = check_no_current(st, writing)) < 0)
        goto fail;
    if (!exists && (mode == GT_STORE_READER || no_create)) {
        rc = store_err(st, GT_ENOENT, "no tick store at %s (%s)", path,
                       creating ? "a writer is creating one, or was stopped doing so"
                                : "no RocksDB database there");
        goto fail;
    }
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
