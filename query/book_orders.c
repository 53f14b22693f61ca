/* SPDX-License-Identifier: MIT */
/* book_orders.c -- tickq book --orders: the queues at each level as of T
 * (book_orders.h). Orders live in an array found through an open-addressing
 * hash on the order id, both doubled as the book grows; a delete moves the
 * last order into the hole and fixes its slot. */
#include "book_orders.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qio.h"
#include "gputick/err.h"
#include "gputick/tick.h"

struct obook {
    struct gt_order *o;
    size_t n, cap;
    uint32_t *slot; /* index + 1, 0 empty; cap * 2 slots */
    int stale;
};

static size_t home(uint64_t id, size_t mask)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}

static size_t find(const struct obook *b, uint64_t id)
{
    size_t mask = b->cap * 2 - 1, i = home(id, mask);
    while (b->slot[i] && b->o[b->slot[i] - 1].order_id != id)
        i = (i + 1) & mask;
    return i;
}

/* Empties slot i, moving back the entries of the run after it that may not
 * sit past the hole. */
static void slot_delete(struct obook *b, size_t i)
{
    size_t mask = b->cap * 2 - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!b->slot[j])
            break;
        size_t k = home(b->o[b->slot[j] - 1].order_id, mask);
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        b->slot[i] = b->slot[j];
        i = j;
    }
    b->slot[i] = 0;
}

static void rehash(struct obook *b)
{
    memset(b->slot, 0, b->cap * 2 * sizeof *b->slot);
    for (size_t k = 0; k < b->n; k++)
        b->slot[find(b, b->o[k].order_id)] = (uint32_t)k + 1;
}

static int grow(struct obook *b)
{
    size_t cap = b->cap ? b->cap * 2 : 1024;
    struct gt_order *o = realloc(b->o, cap * sizeof *o);
    if (!o)
        return GT_ENOMEM;
    b->o = o;
    uint32_t *s = malloc(cap * 2 * sizeof *s);
    if (!s)
        return GT_ENOMEM;
    free(b->slot);
    b->slot = s;
    b->cap = cap;
    rehash(b);
    return GT_OK;
}

static int apply(struct obook *b, const struct gt_tick *t)
{
    const struct gt_order *e = &t->u.order;
    if (e->action == GT_ACT_DELETE_THRU) {
        b->n = 0;
        if (b->cap)
            memset(b->slot, 0, b->cap * 2 * sizeof *b->slot);
        if (t->flags & GT_F_STALE)
            b->stale = 1;
        else if (t->flags & GT_F_RECOVERY)
            b->stale = 0;
        return GT_OK;
    }
    if (b->n == b->cap && grow(b) < 0)
        return GT_ENOMEM;
    size_t i = find(b, e->order_id);
    if (e->action == GT_ACT_DELETE) {
        if (!b->slot[i])
            return GT_OK; /* never seen: the replay started after it */
        size_t k = b->slot[i] - 1;
        slot_delete(b, i);
        if (k != --b->n) { /* the last order fills the hole */
            b->o[k] = b->o[b->n];
            b->slot[find(b, b->o[k].order_id)] = (uint32_t)k + 1;
        }
        return GT_OK;
    }
    if (!b->slot[i]) {
        b->o[b->n] = *e;
        b->slot[i] = (uint32_t)++b->n;
    } else {
        b->o[b->slot[i] - 1] = *e;
    }
    return GT_OK;
}

static int cmp_order(const void *pa, const void *pb)
{
    const struct gt_order *a = pa, *b = pb;
    if (a->side != b->side)
        return a->side < b->side ? -1 : 1;
    if (a->px != b->px)
        return (a->side == GT_SIDE_BID) == (a->px > b->px) ? -1 : 1;
    return a->priority < b->priority ? -1 : a->priority > b->priority;
}

int book_orders_print(struct shards *st, int32_t instr_id, int64_t at_ns, int depth, struct out *o,
                      uint64_t *n_events, int *stale)
{
    struct obook b = {0};
    struct shards_iter *it = NULL;
    int rc = shards_iter_open(st, instr_id, GT_KIND_ORDER, INT64_MIN,
                              at_ns == INT64_MAX ? at_ns : at_ns + 1, &it);
    *n_events = 0;
    const struct gt_tick *t;
    int n = 0;
    if (rc == GT_ENOENT) {
        rc = 0;
    } else if (rc < 0) {
        fprintf(QERR, "tickq book: store: %s\n", shards_errmsg(st));
        return 1;
    } else
        while ((n = shards_iter_next(it, &t)) > 0 && rc == 0)
            for (int k = 0; k < n && rc == 0; k++, (*n_events)++)
                rc = apply(&b, &t[k]);
    if (it && (rc < 0 || n < 0)) {
        rc = cmdstore_iter_fail("book", it, rc < 0 ? rc : n);
        goto done;
    }
    if (b.n) /* qsort wants a non-null array even for none */
        qsort(b.o, b.n, sizeof *b.o, cmp_order);
    for (size_t k = 0, place = 0, level = 0; k < b.n; k++) {
        const struct gt_order *x = &b.o[k];
        if (!k || x->side != b.o[k - 1].side)
            level = 0;
        if (!k || x->side != b.o[k - 1].side || x->px != b.o[k - 1].px)
            level++, place = 0;
        if ((int)level > depth)
            continue;
        out_str(o, x->side == GT_SIDE_BID ? "bid" : "ask");
        out_i64(o, (int64_t)level);
        out_i64(o, (int64_t)++place);
        out_px(o, x->px);
        out_i64(o, x->qty);
        out_i64(o, x->order_id > INT64_MAX ? INT64_MAX : (int64_t)x->order_id);
        out_i64(o, x->priority > INT64_MAX ? INT64_MAX : (int64_t)x->priority);
        out_str(o, b.stale ? "stale" : "ok");
        out_row_end(o);
    }
    *stale = b.stale;
    rc = 0;
done:
    if (it)
        shards_iter_close(it);
    free(b.o);
    free(b.slot);
    return rc;
}
