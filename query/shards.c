/* SPDX-License-Identifier: MIT */
/* shards.c -- several tick stores read as one (contract in shards.h).
 *
 * Lists are gathered store by store and folded by key. The iterator holds one
 * gt_store_iter per store that has the series; each call hands back a run of
 * the input whose next tick has the least sequence, up to the least next
 * sequence of any other input, so ticks come in bus order with one decoded
 * block per store in memory. An input is advanced only once its run is used
 * up, so the view handed back lives until the next call. */
#include "shards.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shards_iter {
    struct shards *qs;
    int32_t instr_id;
    int kind;
    struct {
        gt_store_iter *it;
        const struct gt_tick *t;
        int n, i;
        int store; /* index in qs->st */
    } in[QSTORE_MAX];
    int n_in;
    uint64_t last_seq; /* of the last tick handed out, to drop a second copy */
    int started;
    char errmsg[GT_ERRLEN];
};

struct shards *shards_new(void)
{
    return calloc(1, sizeof(struct shards));
}

int shards_add(struct shards *qs, gt_store *st)
{
    if (qs->n == QSTORE_MAX)
        return GT_EINVAL;
    qs->st[qs->n++] = st;
    return GT_OK;
}

void shards_close(struct shards *qs)
{
    if (!qs)
        return;
    for (int i = 0; i < qs->n; i++)
        gt_store_close(qs->st[i]);
    free(qs);
}

const char *shards_errmsg(struct shards *qs)
{
    for (int i = 0; i < qs->n; i++)
        if (*gt_store_errmsg(qs->st[i]))
            return gt_store_errmsg(qs->st[i]);
    return qs->errmsg;
}

static int series_cmp(const void *a, const void *b)
{
    const struct gt_series_info *x = a, *y = b;
    if (x->instr_id != y->instr_id)
        return x->instr_id < y->instr_id ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

/* Folds b's counts and range into a. */
static void series_fold(struct gt_series_info *a, const struct gt_series_info *b)
{
    a->n_ticks += b->n_ticks;
    a->n_blocks += b->n_blocks;
    a->first_ns = b->first_ns < a->first_ns ? b->first_ns : a->first_ns;
    a->last_ns = b->last_ns > a->last_ns ? b->last_ns : a->last_ns;
    a->series = 0;
    if (!a->symbol[0])
        memcpy(a->symbol, b->symbol, sizeof a->symbol);
}

int shards_series_list(struct shards *qs, struct gt_series_info *out, size_t cap)
{
    if (qs->n == 1)
        return gt_store_series_list(qs->st[0], out, cap);
    size_t total = 0;
    for (int i = 0; i < qs->n; i++) {
        int n = gt_store_series_list(qs->st[i], NULL, 0);
        if (n < 0)
            return n;
        total += (size_t)n;
    }
    struct gt_series_info *all = calloc(total + 1, sizeof *all);
    if (!all)
        return GT_ENOMEM;
    size_t have = 0;
    for (int i = 0; i < qs->n; i++) {
        int n = gt_store_series_list(qs->st[i], all + have, total - have);
        if (n < 0) {
            free(all);
            return n;
        }
        have += (size_t)n < total - have ? (size_t)n : total - have;
    }
    qsort(all, have, sizeof *all, series_cmp);
    size_t k = 0;
    int shared = 0; /* whether all[k - 1] was folded */
    qs->n_shared = 0;
    for (size_t i = 0; i < have; i++) {
        if (k && series_cmp(&all[k - 1], &all[i]) == 0) {
            qs->n_shared += !shared;
            shared = 1;
            series_fold(&all[k - 1], &all[i]);
        } else {
            shared = 0;
            all[k] = all[i];
            all[k++].series = 0;
        }
    }
    if (out)
        memcpy(out, all, (k < cap ? k : cap) * sizeof *out);
    free(all);
    return (int)k;
}

int shards_series_find(struct shards *qs, int32_t instr_id, int kind, struct gt_series_info *info)
{
    int found = 0;
    for (int i = 0; i < qs->n; i++) {
        struct gt_series_info one;
        int rc = gt_store_series_find(qs->st[i], instr_id, kind, &one);
        if (rc == GT_ENOENT)
            continue;
        if (rc < 0)
            return rc;
        if (found)
            series_fold(info, &one);
        else
            *info = one;
        found = 1;
    }
    return found ? GT_OK : GT_ENOENT;
}

int shards_series_bytes(struct shards *qs, int32_t instr_id, int kind, uint64_t *bytes)
{
    *bytes = 0;
    int found = 0;
    for (int i = 0; i < qs->n; i++) {
        struct gt_series_info one;
        uint64_t b = 0;
        int rc = gt_store_series_find(qs->st[i], instr_id, kind, &one);
        if (rc == GT_ENOENT)
            continue;
        if (rc < 0 || (rc = gt_store_series_bytes(qs->st[i], one.series, &b)) < 0)
            return rc;
        *bytes += b;
        found = 1;
    }
    return found ? GT_OK : GT_ENOENT;
}

static int def_cmp(const void *a, const void *b)
{
    const struct gt_tick *x = a, *y = b;
    return x->instr_id < y->instr_id ? -1 : x->instr_id > y->instr_id;
}

int shards_instr_list(struct shards *qs, struct gt_tick *defs, size_t cap)
{
    if (qs->n == 1)
        return gt_store_instr_list(qs->st[0], defs, cap);
    size_t total = 0;
    for (int i = 0; i < qs->n; i++) {
        int n = gt_store_instr_list(qs->st[i], NULL, 0);
        if (n < 0)
            return n;
        total += (size_t)n;
    }
    struct gt_tick *all = malloc((total + 1) * sizeof *all);
    if (!all)
        return GT_ENOMEM;
    size_t have = 0;
    for (int i = 0; i < qs->n; i++) {
        int n = gt_store_instr_list(qs->st[i], all + have, total - have);
        if (n < 0) {
            free(all);
            return n;
        }
        have += (size_t)n < total - have ? (size_t)n : total - have;
    }
    /* A stable order keeps the first store's definition of a shared id. */
    for (size_t i = 1; i < have; i++) /* insertion sort: stores are sorted runs */
        for (size_t j = i; j > 0 && def_cmp(&all[j - 1], &all[j]) > 0; j--) {
            struct gt_tick t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    size_t k = 0;
    for (size_t i = 0; i < have; i++)
        if (!k || all[k - 1].instr_id != all[i].instr_id)
            all[k++] = all[i];
    if (defs)
        memcpy(defs, all, (k < cap ? k : cap) * sizeof *defs);
    free(all);
    return (int)k;
}

int shards_instr_find(struct shards *qs, const char *symbol, struct gt_tick *def)
{
    for (int i = 0; i < qs->n; i++) {
        int rc = gt_store_instr_find(qs->st[i], symbol, def);
        if (rc != GT_ENOENT)
            return rc;
    }
    return GT_ENOENT;
}

int shards_disk_bytes(struct shards *qs, uint64_t *bytes)
{
    *bytes = 0;
    for (int i = 0; i < qs->n; i++) {
        uint64_t b = 0;
        int rc = gt_store_disk_bytes(qs->st[i], &b);
        if (rc < 0)
            return rc;
        *bytes += b;
    }
    return GT_OK;
}

int shards_iter_open(struct shards *qs, int32_t instr_id, int kind, int64_t from_ns, int64_t to_ns,
                     struct shards_iter **out)
{
    struct shards_iter *it = calloc(1, sizeof *it);
    if (!it)
        return GT_ENOMEM;
    it->qs = qs;
    it->instr_id = instr_id;
    it->kind = kind;
    for (int i = 0; i < qs->n; i++) {
        gt_store_iter *one;
        int rc = gt_store_iter_open(qs->st[i], instr_id, kind, from_ns, to_ns, &one);
        if (rc == GT_ENOENT)
            continue;
        if (rc < 0) {
            shards_iter_close(it);
            return rc;
        }
        it->in[it->n_in].store = i;
        it->in[it->n_in++].it = one;
    }
    if (it->n_in == 0) {
        free(it);
        return GT_ENOENT;
    }
    *out = it;
    return GT_OK;
}

/* Counts and reports the stretch input k could not read, once. */
static void bad_note(struct shards_iter *it, int k, int rc)
{
    struct shards *qs = it->qs;
    gt_store_iter *one = it->in[k].it;
    uint32_t series;
    struct shards_bad b = {.instr_id = it->instr_id, .kind = it->kind, .symbol = "", .rc = rc};
    gt_store_iter_bad_block(one, &series, &b.key_ns);
    b.end_ns = gt_store_iter_bad_end(one);
    for (int i = 0; i < qs->n_seen; i++)
        if (qs->seen[i].store == it->in[k].store && qs->seen[i].series == series &&
            qs->seen[i].key_ns == b.key_ns)
            return;
    if (qs->n_seen < QSTORE_BAD_SEEN)
        qs->seen[qs->n_seen++] = (struct shards_seen){it->in[k].store, series, b.key_ns};
    b.nth = ++qs->n_bad;
    if (!qs->on_bad)
        return;
    struct gt_series_info info;
    if (gt_store_series_find(qs->st[it->in[k].store], it->instr_id, it->kind, &info) == GT_OK)
        b.symbol = info.symbol;
    b.why = gt_store_iter_errmsg(one);
    qs->on_bad(qs->bad_ctx, &b);
}

/* The next run of input k, past what it cannot read: > 0, 0 at its end, or
 * GT_EDB (GT_ENOMEM) with it->errmsg set. */
static int input_next(struct shards_iter *it, int k, const struct gt_tick **ticks)
{
    for (;;) {
        int rc = gt_store_iter_next(it->in[k].it, ticks);
        if (rc == GT_ECORRUPT || rc == GT_EBADMSG || rc == GT_EVERSION || rc == GT_ETRUNC) {
            bad_note(it, k, rc);
            continue;
        }
        if (rc < 0)
            snprintf(it->errmsg, sizeof it->errmsg, "%s", gt_store_iter_errmsg(it->in[k].it));
        return rc;
    }
}

int shards_iter_next(struct shards_iter *it, const struct gt_tick **ticks)
{
    if (it->n_in == 1)
        return input_next(it, 0, ticks);
    int best = -1;
    for (int k = 0; k < it->n_in; k++) {
        if (!it->in[k].it)
            continue;
        for (;;) {
            /* Drop ticks at or below the last handed out: a shard's copy. */
            while (it->started && it->in[k].i < it->in[k].n &&
                   it->in[k].t[it->in[k].i].seq <= it->last_seq)
                it->in[k].i++;
            if (it->in[k].i < it->in[k].n)
                break;
            int rc = input_next(it, k, &it->in[k].t);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                gt_store_iter_close(it->in[k].it);
                it->in[k].it = NULL;
                break;
            }
            it->in[k].n = rc;
            it->in[k].i = 0;
        }
        if (it->in[k].it &&
            (best < 0 || it->in[k].t[it->in[k].i].seq < it->in[best].t[it->in[best].i].seq))
            best = k;
    }
    if (best < 0)
        return 0;
    uint64_t limit = UINT64_MAX;
    for (int k = 0; k < it->n_in; k++)
        if (k != best && it->in[k].it && it->in[k].t[it->in[k].i].seq < limit)
            limit = it->in[k].t[it->in[k].i].seq;
    int from = it->in[best].i, n = 0;
    while (it->in[best].i < it->in[best].n && it->in[best].t[it->in[best].i].seq < limit) {
        it->in[best].i++;
        n++;
    }
    if (n == 0) { /* equal heads: hand out one, the other is dropped next time */
        it->in[best].i++;
        n = 1;
    }
    *ticks = &it->in[best].t[from];
    it->last_seq = it->in[best].t[it->in[best].i - 1].seq;
    it->started = 1;
    return n;
}

void shards_iter_fields(struct shards_iter *it, uint64_t fields)
{
    if (it->n_in > 1)
        fields |= GT_FIELD(seq);
    for (int k = 0; k < it->n_in; k++)
        if (it->in[k].it)
            gt_store_iter_fields(it->in[k].it, fields);
}

const char *shards_iter_errmsg(const struct shards_iter *it)
{
    return it->errmsg;
}

void shards_iter_close(struct shards_iter *it)
{
    if (!it)
        return;
    for (int k = 0; k < it->n_in; k++)
        gt_store_iter_close(it->in[k].it);
    free(it);
}
