/* SPDX-License-Identifier: MIT */
/* retain.c -- retention: gt_store_delete_before drops the blocks that hold
 * only ticks before a time, keeps a book checkpoint at the horizon so books
 * after it can still be replayed, records the horizon and compacts the ranges
 * it emptied; also the store's size on disk and the RocksDB handle backup.c
 * takes its checkpoints from. */
#include "store_int.h"

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
