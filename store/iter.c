/* SPDX-License-Identifier: MIT */
/* iter.c -- the store's iterator: the ticks of one series in a time range,
 * block by block, decoding only the fields the caller reads. A damaged block
 * is skipped and named (gt_store_iter_bad_block), never read as ticks; a
 * secondary's view is checked before the first block is trusted. Also the
 * bytes a series takes. */
#include "store_int.h"

/* ---- iterator ---- */

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

int iter_open(gt_store *st, int32_t instr_id, int kind, int64_t from_ns, int64_t to_ns,
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
