/* SPDX-License-Identifier: MIT */
/* bench_book.c -- applying MBP book entries across 48 instruments.
 *
 * The stream looks like a quiet futures channel: mostly Change at levels 1-3,
 * some New and Delete, either side, an EndOfEvent every four entries. Rows:
 * the fast book (lookup by security id, apply, changed list) beside a loop that
 * only reads the same entries and sums their fields (the floor any consumer of
 * decoded entries pays); and the fast book beside a naive book that rebuilds
 * the whole side for every entry. The naive book finds its instrument through
 * the same open-addressing hash as the fast one (a second book_set used only
 * as an index), so the row measures the apply alone; the two run in
 * alternating order, and every book is checked equal, level by level on both
 * sides, before the row is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "book.h"
#include "gputick/err.h"

enum { N_UPDATES = 1 << 21, N_INSTR = 48, ROUNDS = 5, EVENT_LEN = 4 };

static uint64_t rng = 0x2545f4914f6cdd1du;
static uint32_t rnd(uint32_t n)
{
    return bench_rnd(&rng, n);
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

/* The same hashed lookup the fast book does: idx is a book_set whose books
 * were created in the order of nbs[]. */
static struct naive_book *naive_find(struct naive_book *nbs, struct book_set *idx, int32_t id)
{
    return &nbs[book_set_get(idx, id, false) - idx->books];
}

/* Every level of both sides of every book equal in the two books. */
static int books_equal(struct book_set *bs, const struct naive_book *nbs)
{
    for (int i = 0; i < N_INSTR; i++) {
        const struct book *b = book_set_get(bs, nbs[i].id, false);
        for (int l = 0; l < GT_BOOK_DEPTH; l++) {
            const struct gt_mbp_level *f[2] = {&b->bid[l], &b->ask[l]};
            for (int s = 0; s < 2; s++) {
                const struct gt_mbp_level *n = &nbs[i].side[s][l];
                int empty_f = l >= (s ? b->n_ask : b->n_bid) || f[s]->px == BOOK_PX_NONE;
                int empty_n = n->px == BOOK_PX_NONE;
                if (empty_f != empty_n || (!empty_f && (f[s]->px != n->px || f[s]->qty != n->qty ||
                                                        f[s]->n_orders != n->n_orders))) {
                    fprintf(stderr,
                            "bench_book: instrument %d side %d level %d: fast %lld x %lld, "
                            "naive %lld x %lld\n",
                            nbs[i].id, s, l + 1, (long long)f[s]->px, (long long)f[s]->qty,
                            (long long)n->px, (long long)n->qty);
                    return 0;
                }
            }
        }
    }
    return 1;
}

static double run_fast(struct book_set *bs, const struct book_update *u)
{
    double t0 = bench_now();
    uint64_t acc = 0;
    for (size_t i = 0; i < N_UPDATES; i++) {
        acc += (uint64_t)book_set_apply(bs, &u[i]);
        if (i % EVENT_LEN == EVENT_LEN - 1)
            acc += book_set_event_end(bs, NULL, NULL);
    }
    bench_sink(acc);
    return bench_now() - t0;
}

static double run_naive(struct naive_book *nbs, struct book_set *idx, const struct book_update *u)
{
    double t0 = bench_now();
    uint64_t acc = 0;
    for (size_t i = 0; i < N_UPDATES; i++)
        acc += (uint64_t)naive_apply(naive_find(nbs, idx, u[i].security_id), &u[i]);
    bench_sink(acc);
    return bench_now() - t0;
}

int bench_book(void)
{
    struct book_update *u = malloc(N_UPDATES * sizeof *u);
    struct naive_book *nbs = calloc(N_INSTR, sizeof *nbs);
    struct book_set bs, idx;
    memset(&idx, 0, sizeof idx);
    if (!u || !nbs || book_set_init(&bs, N_INSTR) != GT_OK) {
        free(u);
        free(nbs);
        return GT_ENOMEM;
    }
    if (book_set_init(&idx, N_INSTR) != GT_OK) {
        book_set_fini(&bs);
        free(u);
        free(nbs);
        return GT_ENOMEM;
    }
    make_stream(u, N_UPDATES);
    for (int i = 0; i < N_INSTR; i++) {
        book_set_get(&bs, 1000 + i, true);
        book_set_get(&idx, 1000 + i, true);
        nbs[i].id = 1000 + i;
        for (int s = 0; s < 2; s++)
            for (int l = 0; l < GT_BOOK_DEPTH; l++)
                nbs[i].side[s][l] = (struct gt_mbp_level){BOOK_PX_NONE, 0, 0};
    }
    double best_fast = 1e9, best_floor = 1e9, best_naive = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        double f, n;
        if (r % 2 == 0) {
            f = run_fast(&bs, u);
            n = run_naive(nbs, &idx, u);
        } else {
            n = run_naive(nbs, &idx, u);
            f = run_fast(&bs, u);
        }
        double t1 = bench_now();
        uint64_t acc = 0;
        for (size_t i = 0; i < N_UPDATES; i++)
            acc += (uint64_t)u[i].security_id + u[i].rpt_seq + (uint64_t)u[i].px +
                   (uint64_t)u[i].qty + (uint64_t)u[i].n_orders + u[i].level + u[i].side +
                   u[i].action;
        bench_sink(acc);
        double t2 = bench_now();
        best_fast = f < best_fast ? f : best_fast;
        best_floor = t2 - t1 < best_floor ? t2 - t1 : best_floor;
        best_naive = n < best_naive ? n : best_naive;
    }
    int rc = books_equal(&bs, nbs) ? GT_OK : GT_ECORRUPT;
    if (rc == GT_OK) {
        bench_row("book entries applied, 48 instruments, M entries/s (baseline: reading and "
                  "summing the same entries; higher is better)",
                  N_UPDATES / best_fast / 1e6, N_UPDATES / best_floor / 1e6);
        bench_row("book entries applied, 48 instruments, M entries/s (baseline: a naive book "
                  "rebuilding the side per entry, found through the same hash; books checked "
                  "equal; higher is better)",
                  N_UPDATES / best_fast / 1e6, N_UPDATES / best_naive / 1e6);
    }
    book_set_fini(&idx);
    book_set_fini(&bs);
    free(nbs);
    free(u);
    return rc;
}
