/* SPDX-License-Identifier: MIT */
/* writer.c -- the store's writer: gt_store_append puts a tick into its
 * series' open block (loading that block back from the store after a
 * restart), tracks the book of every instrument for its checkpoints, and
 * gt_store_commit writes the finished blocks, the open blocks touched, the
 * series records, new definitions and the checkpoint in one batch (the
 * scheme is in store.c's opening comment). A refused write marks the handle
 * to be reopened before the next. */
#include "store_int.h"

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

const int book_kinds[N_BOOK_KINDS] = {GT_KIND_LEVEL, GT_KIND_STATUS, GT_KIND_DEF};

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
    if (t->kind == GT_KIND_DEF && !gt_def_is_legs(t) && (rc = instr_put(st, t, true)) < 0)
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

void writer_flush(gt_store *st)
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
