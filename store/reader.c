/* SPDX-License-Identifier: MIT */
/* reader.c -- the store's readers of metadata: the list of series and of
 * instruments, and one series or instrument found by its key, each record's
 * seal checked as it is read (gputick/store.h). */
#include "store_int.h"

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

int series_find(gt_store *st, int32_t instr_id, int kind, struct gt_series_info *info,
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
