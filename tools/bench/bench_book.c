/* SPDX-License-Identifier: MIT */
/* bench_book.c -- applying MBP book entries across 48 instruments.
 *
 * The stream looks like a quiet futures channel: mostly Change at levels 1-3,
 * some New and Delete, either side, an EndOfEvent every four entries. Rows:
 * the fast book (lookup by security id, apply, changed list) beside a loop that
 * only reads the same entries and sums their fields (the floor any consumer of
 * decoded entries pays); and the fast book beside a naive book that rebuilds
 * the whole side for every entry. */
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "book.h"
#include "gputick/err.h"

enum { N_UPDATES = 1 << 21, N_INSTR = 48, ROUNDS = 5, EVENT_LEN = 4 };

static uint64_t rng = 0x2545f4914f6cdd1du;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void make_stream(struct book_update *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t a = rnd(100);
        u[i].security_id = 1000 + (int32_t)rnd(N_INSTR);
        u[i].rpt_seq = (uint32_t)i + 1;
        u[i].side = rnd(2) ? GT_SIDE_BID : GT_SIDE_ASK;
        u[i].action = a < 80 ? GT_ACT_CHANGE : a < 90 ? GT_ACT_NEW : GT_ACT_DELETE;
        u[i].level = (uint8_t)(u[i].action == GT_ACT_CHANGE ? 1 + rnd(3) : 1 + rnd(GT_BOOK_DEPTH));
        u[i].px = 2750000000 + (int64_t)rnd(40) * 5000000;
        u[i].qty = 1 + (int64_t)rnd(200);
        u[i].n_orders = 1 + (int32_t)rnd(20);
    }
}

/* The naive book: every entry rebuilds its side level by level, asking for
 * each position which old level (or the entry itself) lands there. */
struct naive_book {
    int32_t id;
    struct gt_mbp_level side[2][GT_BOOK_DEPTH];
};

static int naive_apply(struct naive_book *nb, const struct book_update *u)
{
    struct gt_mbp_level *old = nb->side[u->side == GT_SIDE_BID ? 0 : 1];
    struct gt_mbp_level next[GT_BOOK_DEPTH], v = {u->px, u->qty, u->n_orders};
    const struct gt_mbp_level empty = {BOOK_PX_NONE, 0, 0};
    int L = u->level;
    for (int lvl = 1; lvl <= GT_BOOK_DEPTH; lvl++) {
        int src; /* old level moving here; 0 the entry; past the depth: empty */
        switch (u->action) {
        case GT_ACT_NEW:
            src = lvl < L ? lvl : lvl == L ? 0 : lvl - 1;
            break;
        case GT_ACT_CHANGE:
        case GT_ACT_OVERLAY:
            src = lvl == L ? 0 : lvl;
            break;
        case GT_ACT_DELETE:
            src = lvl < L ? lvl : lvl + 1;
            break;
        case GT_ACT_DELETE_FROM:
            src = lvl + L;
            break;
        default:
            src = GT_BOOK_DEPTH + 1;
        }
        next[lvl - 1] = src == 0 ? v : src <= GT_BOOK_DEPTH ? old[src - 1] : empty;
    }
    int moved =
        next[0].px != old[0].px || next[0].qty != old[0].qty || next[0].n_orders != old[0].n_orders;
    memcpy(old, next, sizeof next);
    return moved;
}

static struct naive_book *naive_find(struct naive_book *nbs, int32_t id)
{
    for (int i = 0; i < N_INSTR; i++)
        if (nbs[i].id == id)
            return &nbs[i];
    return NULL;
}

int bench_book(void)
{
    struct book_update *u = malloc(N_UPDATES * sizeof *u);
    struct naive_book *nbs = calloc(N_INSTR, sizeof *nbs);
    struct book_set bs;
    if (!u || !nbs || book_set_init(&bs, N_INSTR) != GT_OK) {
        free(u);
        free(nbs);
        return GT_ENOMEM;
    }
    make_stream(u, N_UPDATES);
    for (int i = 0; i < N_INSTR; i++) {
        book_set_get(&bs, 1000 + i, true);
        nbs[i].id = 1000 + i;
        for (int s = 0; s < 2; s++)
            for (int l = 0; l < GT_BOOK_DEPTH; l++)
                nbs[i].side[s][l] = (struct gt_mbp_level){BOOK_PX_NONE, 0, 0};
    }
    double best_fast = 1e9, best_floor = 1e9, best_naive = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = bench_now();
        uint64_t acc = 0;
        for (size_t i = 0; i < N_UPDATES; i++) {
            acc += (uint64_t)book_set_apply(&bs, &u[i]);
            if (i % EVENT_LEN == EVENT_LEN - 1)
                acc += book_set_event_end(&bs, NULL, NULL);
        }
        bench_sink(acc);
        double t1 = bench_now();
        acc = 0;
        for (size_t i = 0; i < N_UPDATES; i++)
            acc += (uint64_t)u[i].security_id + u[i].rpt_seq + (uint64_t)u[i].px +
                   (uint64_t)u[i].qty + (uint64_t)u[i].n_orders + u[i].level + u[i].side +
                   u[i].action;
        bench_sink(acc);
        double t2 = bench_now();
        acc = 0;
        for (size_t i = 0; i < N_UPDATES; i++)
            acc += (uint64_t)naive_apply(naive_find(nbs, u[i].security_id), &u[i]);
        bench_sink(acc);
        double t3 = bench_now();
        best_fast = t1 - t0 < best_fast ? t1 - t0 : best_fast;
        best_floor = t2 - t1 < best_floor ? t2 - t1 : best_floor;
        best_naive = t3 - t2 < best_naive ? t3 - t2 : best_naive;
    }
    bench_row("book entries applied, 48 instruments, M entries/s (baseline: reading and summing "
              "the same entries; higher is better)",
              N_UPDATES / best_fast / 1e6, N_UPDATES / best_floor / 1e6);
    bench_row("book entries applied, 48 instruments, M entries/s (baseline: a naive book "
              "rebuilding the side per entry; higher is better)",
              N_UPDATES / best_fast / 1e6, N_UPDATES / best_naive / 1e6);
    book_set_fini(&bs);
    free(nbs);
    free(u);
    return 0;
}
