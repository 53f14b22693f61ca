/* SPDX-License-Identifier: MIT */
/* shards.c -- several tick stores read as one (contract in shards.h).
 *
 * Lists are gathered store by store and folded by key. The iterator holds one
 * gt_store_iter per store that has the series and merges their blocks by
 * sequence (seqmerge.h), which also drops a second copy of a record. */
#include "shards.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seqmerge.h"

_Static_assert((int)SHARDS_MAX <= (int)SEQMERGE_MAX, "one merge input per store");

struct shards_iter {
    struct shards *qs;
    int32_t instr_id;
    int kind;
    gt_store_iter *in[SHARDS_MAX]; /* NULL once used up */
    int store[SHARDS_MAX];         /* in[k]'s index in qs->st */
    int n_in;
    struct seqmerge merge;
    char errmsg[GT_ERRLEN];
};

static int input_next(struct shards_iter *it, int k, const struct gt_tick **ticks);

/* seqmerge's refill: input k's next run, its iterator closed at the end. */
static int input_refill(void *ctx, int k, const struct gt_tick **ticks)
{
    struct shards_iter *it = ctx;
    int rc = input_next(it, k, ticks);
    if (rc == 0) {
        gt_store_iter_close(it->in[k]);
        it->in[k] = NULL;
    }
    return rc;
}

struct shards *shards_new(void)
{
    return calloc(1, sizeof(struct shards));
}

int shards_add(struct shards *qs, gt_store *st)
{
    if (qs->n == SHARDS_MAX)
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

int64_t shards_horizon(const struct shards *qs)
{
    int64_t h = INT64_MIN;
    for (int i = 0; i < qs->n; i++)
        if (gt_store_horizon(qs->st[i]) > h)
            h = gt_store_horizon(qs->st[i]);
    return h;
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
        int64_t h = gt_store_horizon(qs->st[i]);
        if (from_ns < h && qs->on_horizon && !qs->horizon_said) {
            qs->horizon_said = 1;
            qs->on_horizon(qs->bad_ctx, h);
        }
        it->store[it->n_in] = i;
        it->in[it->n_in++] = one;
    }
    if (it->n_in == 0) {
        free(it);
        return GT_ENOENT;
    }
    seqmerge_init(&it->merge, it->n_in, input_refill, it);
    *out = it;
    return GT_OK;
}

/* Counts and reports the stretch input k could not read, once. */
static void bad_note(struct shards_iter *it, int k, int rc)
{
    struct shards *qs = it->qs;
    gt_store_iter *one = it->in[k];
    uint32_t series;
    struct shards_bad b = {.instr_id = it->instr_id, .kind = it->kind, .symbol = "", .rc = rc};
    gt_store_iter_bad_block(one, &series, &b.key_ns);
    b.end_ns = gt_store_iter_bad_end(one);
    for (int i = 0; i < qs->n_seen; i++)
        if (qs->seen[i].store == it->store[k] && qs->seen[i].series == series &&
            qs->seen[i].key_ns == b.key_ns)
            return;
    if (qs->n_seen < SHARDS_BAD_SEEN)
        qs->seen[qs->n_seen++] = (struct shards_seen){it->store[k], series, b.key_ns};
    b.nth = ++qs->n_bad;
    if (!qs->on_bad)
        return;
    struct gt_series_info info;
    if (gt_store_series_find(qs->st[it->store[k]], it->instr_id, it->kind, &info) == GT_OK)
        b.symbol = info.symbol;
    b.why = gt_store_iter_errmsg(one);
    qs->on_bad(qs->bad_ctx, &b);
}

/* The next run of input k, past what it cannot read: > 0, 0 at its end, or
 * GT_EDB (GT_ENOMEM) with it->errmsg set. */
static int input_next(struct shards_iter *it, int k, const struct gt_tick **ticks)
{
    for (;;) {
        int rc = gt_store_iter_next(it->in[k], ticks);
        if (rc == GT_ECORRUPT || rc == GT_EBADMSG || rc == GT_EVERSION || rc == GT_ETRUNC) {
            bad_note(it, k, rc);
            continue;
        }
        if (rc < 0)
            snprintf(it->errmsg, sizeof it->errmsg, "%s", gt_store_iter_errmsg(it->in[k]));
        return rc;
    }
}

int shards_iter_next(struct shards_iter *it, const struct gt_tick **ticks)
{
    if (it->n_in == 1) /* one store: its runs as they come */
        return input_next(it, 0, ticks);
    return seqmerge_run(&it->merge, ticks);
}

void shards_iter_fields(struct shards_iter *it, uint64_t fields)
{
    if (it->n_in > 1)
        fields |= GT_FIELD(seq);
    for (int k = 0; k < it->n_in; k++)
        if (it->in[k])
            gt_store_iter_fields(it->in[k], fields);
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
        gt_store_iter_close(it->in[k]);
    free(it);
}

int shards_busts_read(struct shards *qs, int32_t instr_id, int64_t from_ns, struct gt_busts *b,
                      struct shards_iter **it_out)
{
    /* Most series have no bust, and every bars, curve, settle and asof query
     * pays for finding that out: pass 0 reads the action column alone and
     * stops at the first bust. Only then do pass 1 note the busts and pass 2
     * find what each cancels, each reading just the fields it needs. */
    static const uint64_t fields[3] = {
        GT_FIELD(u.trade.action),
        GT_FIELD(u.trade.action) | GT_FIELD(seq) | GT_FIELD(u.trade.trade_id),
        GT_FIELD(u.trade.action) | GT_FIELD(seq) | GT_FIELD(u.trade.trade_id) |
            GT_FIELD(u.trade.px) | GT_FIELD(u.trade.qty),
    };
    *it_out = NULL;
    bool any = false;
    for (int pass = 0; pass < 3 && (pass == 0 || any); pass++) {
        struct shards_iter *it;
        int rc = shards_iter_open(qs, instr_id, GT_KIND_TRADE, from_ns, INT64_MAX, &it);
        if (rc == GT_ENOENT)
            return 0;
        if (rc < 0)
            return rc;
        shards_iter_fields(it, fields[pass]);
        const struct gt_tick *t;
        while ((rc = shards_iter_next(it, &t)) > 0) {
            if (pass == 0) {
                for (int i = 0; i < rc && !any; i++)
                    any = gt_trade_is_bust(&t[i]);
                if (any)
                    break;
            } else if (pass == 1 && gt_busts_note(b, t, (size_t)rc) < 0) {
                rc = GT_ENOMEM;
                break;
            } else if (pass == 2) {
                gt_busts_match(b, t, (size_t)rc);
            }
        }
        if (rc < 0) {
            *it_out = it;
            return rc;
        }
        shards_iter_close(it);
    }
    return 0;
}
