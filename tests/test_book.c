/* SPDX-License-Identifier: MIT */
/* test_book.c -- price-level books: each MBP action, depth overflow, refused
 * entries, RptSeq gaps and snapshot recovery, ChannelReset, top-of-book
 * saturation, the event's changed list, and a differential test against a
 * deliberately naive reference book.
 *
 * The reference keeps each side as a list of (level number, level) pairs and
 * rebuilds the whole list for every entry by renumbering: the exchange's
 * semantics stated as simply as possible, with nothing shared with book.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include "book.h"
#include "gputick/err.h"

/* ---- the naive reference ---- */

struct ref_entry {
    int lvl; /* 1-based */
    struct gt_mbp_level v;
};

struct ref_side {
    int n;
    struct ref_entry e[GT_BOOK_DEPTH + 1];
};

struct ref_book {
    int depth;
    struct ref_side side[2]; /* 0 bid, 1 ask */
};

static void ref_sort(struct ref_side *s)
{
    for (int i = 1; i < s->n; i++)
        for (int j = i; j > 0 && s->e[j - 1].lvl > s->e[j].lvl; j--) {
            struct ref_entry t = s->e[j];
            s->e[j] = s->e[j - 1];
            s->e[j - 1] = t;
        }
}

static void ref_apply(struct ref_book *r, const struct book_update *u)
{
    struct ref_side *old = &r->side[u->side == GT_SIDE_BID ? 0 : 1];
    struct ref_side next = {0};
    int L = u->level;
    for (int i = 0; i < old->n; i++) {
        struct ref_entry e = old->e[i];
        switch (u->action) {
        case GT_ACT_NEW:
            if (e.lvl >= L)
                e.lvl++;
            break;
        case GT_ACT_CHANGE:
        case GT_ACT_OVERLAY:
            if (e.lvl == L)
                continue;
            break;
        case GT_ACT_DELETE:
            if (e.lvl == L)
                continue;
            if (e.lvl > L)
                e.lvl--;
            break;
        case GT_ACT_DELETE_FROM:
            if (e.lvl <= L)
                continue;
            e.lvl -= L;
            break;
        case GT_ACT_DELETE_THRU:
            continue;
        }
        if (e.lvl <= r->depth)
            next.e[next.n++] = e;
    }
    if (u->action == GT_ACT_NEW || u->action == GT_ACT_CHANGE || u->action == GT_ACT_OVERLAY)
        next.e[next.n++] = (struct ref_entry){L, {u->px, u->qty, u->n_orders}};
    ref_sort(&next);
    *old = next;
}

/* The fast book equals the reference: same levels, empty where it has none. */
static void check_same(const struct book *b, const struct ref_book *r, int step)
{
    for (int sd = 0; sd < 2; sd++) {
        const struct gt_mbp_level *s = sd == 0 ? b->bid : b->ask;
        int n = sd == 0 ? b->n_bid : b->n_ask;
        const struct ref_side *rs = &r->side[sd];
        int want_n = rs->n ? rs->e[rs->n - 1].lvl : 0;
        cr_assert(eq(int, n, want_n), "step %d side %d: count", step, sd);
        int j = 0;
        for (int lvl = 1; lvl <= GT_BOOK_DEPTH; lvl++) {
            struct gt_mbp_level want = {BOOK_PX_NONE, 0, 0};
            if (j < rs->n && rs->e[j].lvl == lvl)
                want = rs->e[j++].v;
            cr_assert(eq(i64, s[lvl - 1].px, want.px), "step %d side %d level %d px", step, sd,
                      lvl);
            cr_assert(eq(i64, s[lvl - 1].qty, want.qty), "step %d side %d level %d", step, sd, lvl);
            cr_assert(eq(i32, s[lvl - 1].n_orders, want.n_orders), "step %d side %d level %d", step,
                      sd, lvl);
        }
    }
}

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* ---- helpers ---- */

static struct book_set set;
static struct book *bk;

static void setup(void)
{
    cr_assert(eq(int, book_set_init(&set, 8), GT_OK));
    bk = book_set_get(&set, 42, true);
    cr_assert(not(eq(ptr, bk, NULL)));
}

static void teardown(void)
{
    book_set_fini(&set);
}

static uint32_t next_rpt = 1;

static int put(int side, int action, int level, int64_t px, int64_t qty)
{
    struct book_update u = {
        42, next_rpt++, px, qty, (int32_t)qty / 2, (uint8_t)level, (uint8_t)side, (uint8_t)action};
    return book_apply(bk, &u);
}

static void expect_bids(const int64_t *px, int n)
{
    cr_assert(eq(int, bk->n_bid, n));
    for (int i = 0; i < GT_BOOK_DEPTH; i++)
        cr_assert(eq(i64, bk->bid[i].px, i < n ? px[i] : BOOK_PX_NONE), "bid level %d", i + 1);
}

/* ---- targeted tests ---- */

TestSuite(book, .init = setup, .fini = teardown);

Test(book, new_inserts_and_shifts_worse_levels_down)
{
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_NEW, 1, 100, 5), 1));
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_NEW, 2, 90, 5), 0));
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_NEW, 2, 95, 5), 0));
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_NEW, 1, 101, 5), 1));
    expect_bids((int64_t[]){101, 100, 95, 90}, 4);
    cr_assert(eq(int, bk->n_ask, 0));
    cr_assert(eq(u32, bk->rpt_seq, next_rpt - 1));
}

Test(book, new_past_depth_drops_the_worst_level)
{
    cr_assert(eq(int, book_depth_set(bk, 3), GT_OK));
    put(GT_SIDE_BID, GT_ACT_NEW, 1, 100, 1);
    put(GT_SIDE_BID, GT_ACT_NEW, 2, 99, 1);
    put(GT_SIDE_BID, GT_ACT_NEW, 3, 98, 1);
    put(GT_SIDE_BID, GT_ACT_NEW, 1, 101, 1);
    expect_bids((int64_t[]){101, 100, 99}, 3);
    put(GT_SIDE_BID, GT_ACT_NEW, 3, 99, 7);
    expect_bids((int64_t[]){101, 100, 99}, 3);
    cr_assert(eq(i64, bk->bid[2].qty, 7));
}

Test(book, change_and_overlay_replace_in_place)
{
    put(GT_SIDE_ASK, GT_ACT_NEW, 1, 200, 1);
    put(GT_SIDE_ASK, GT_ACT_NEW, 2, 201, 1);
    cr_assert(eq(int, put(GT_SIDE_ASK, GT_ACT_CHANGE, 2, 201, 9), 0));
    cr_assert(eq(i64, bk->ask[1].qty, 9));
    cr_assert(eq(int, put(GT_SIDE_ASK, GT_ACT_OVERLAY, 1, 199, 3), 1));
    cr_assert(eq(i64, bk->ask[0].px, 199));
    cr_assert(eq(int, bk->n_ask, 2));
    /* The same values again: the top did not change. */
    cr_assert(eq(int, put(GT_SIDE_ASK, GT_ACT_CHANGE, 1, 199, 3), 0));
}

Test(book, delete_removes_and_shifts_worse_levels_up)
{
    for (int i = 1; i <= 5; i++)
        put(GT_SIDE_BID, GT_ACT_NEW, i, 100 - i, 1);
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_DELETE, 3, 0, 0), 0));
    expect_bids((int64_t[]){99, 98, 96, 95}, 4);
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_DELETE, 1, 0, 0), 1));
    expect_bids((int64_t[]){98, 96, 95}, 3);
    /* A delete past the last level changes nothing. */
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_DELETE, 7, 0, 0), 0));
    expect_bids((int64_t[]){98, 96, 95}, 3);
}

Test(book, delete_thru_empties_the_side)
{
    for (int i = 1; i <= 4; i++) {
        put(GT_SIDE_BID, GT_ACT_NEW, i, 100 - i, 1);
        put(GT_SIDE_ASK, GT_ACT_NEW, i, 200 + i, 1);
    }
    cr_assert(eq(int, put(GT_SIDE_ASK, GT_ACT_DELETE_THRU, 0, 0, 0), 1));
    cr_assert(eq(int, bk->n_ask, 0));
    cr_assert(eq(i64, bk->ask[0].px, BOOK_PX_NONE));
    cr_assert(eq(int, bk->n_bid, 4));
    cr_assert(eq(int, put(GT_SIDE_ASK, GT_ACT_DELETE_THRU, 1, 0, 0), 0), "already empty");
}

Test(book, delete_from_removes_the_top_levels_and_shifts_the_rest_up)
{
    for (int i = 1; i <= 6; i++)
        put(GT_SIDE_BID, GT_ACT_NEW, i, 100 - i, 1);
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_DELETE_FROM, 2, 0, 0), 1));
    expect_bids((int64_t[]){97, 96, 95, 94}, 4);
    cr_assert(eq(int, put(GT_SIDE_BID, GT_ACT_DELETE_FROM, 9, 0, 0), 1));
    expect_bids(NULL, 0);
}

Test(book, new_beyond_the_last_level_leaves_empty_levels)
{
    put(GT_SIDE_BID, GT_ACT_NEW, 1, 100, 1);
    put(GT_SIDE_BID, GT_ACT_NEW, 4, 90, 1);
    cr_assert(eq(int, bk->n_bid, 4));
    cr_assert(eq(i64, bk->bid[1].px, BOOK_PX_NONE));
    put(GT_SIDE_BID, GT_ACT_DELETE, 4, 0, 0);
    cr_assert(eq(int, bk->n_bid, 1), "trailing empty levels are not counted");
}

Test(book, bad_entries_are_refused_without_damage)
{
    for (int i = 1; i <= 3; i++)
        put(GT_SIDE_BID, GT_ACT_NEW, i, 100 - i, 1);
    book_depth_set(bk, 5);
    struct book before = *bk;
    struct book_update bad[] = {
        {42, 100, 50, 1, 1, 0, GT_SIDE_BID, GT_ACT_NEW},
        {42, 100, 50, 1, 1, 6, GT_SIDE_BID, GT_ACT_NEW},
        {42, 100, 50, 1, 1, 255, GT_SIDE_BID, GT_ACT_CHANGE},
        {42, 100, 50, 1, 1, 0, GT_SIDE_ASK, GT_ACT_DELETE},
        {42, 100, 50, 1, 1, 6, GT_SIDE_ASK, GT_ACT_DELETE_FROM},
        {42, 100, 50, 1, 1, 1, GT_SIDE_NONE, GT_ACT_NEW},
        {42, 100, 50, 1, 1, 1, 3, GT_ACT_NEW},
        {42, 100, 50, 1, 1, 1, GT_SIDE_BID, 6},
        {42, 100, BOOK_PX_NONE, 1, 1, 1, GT_SIDE_BID, GT_ACT_NEW},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert(eq(int, book_apply(bk, &bad[i]), GT_EBADMSG), "bad entry %zu accepted", i);
        cr_assert(eq(int, memcmp(&before, bk, sizeof before), 0), "bad entry %zu changed the book",
                  i);
    }
}

Test(book, depth_reduction_drops_levels_past_it)
{
    for (int i = 1; i <= 6; i++)
        put(GT_SIDE_ASK, GT_ACT_NEW, i, 200 + i, 1);
    cr_assert(eq(int, book_depth_set(bk, 2), GT_OK));
    cr_assert(eq(int, bk->n_ask, 2));
    cr_assert(eq(i64, bk->ask[2].px, BOOK_PX_NONE));
    cr_assert(eq(int, book_depth_set(bk, 0), GT_EINVAL));
    cr_assert(eq(int, book_depth_set(bk, 11), GT_EINVAL));
}

Test(book, rpt_seq_gap_marks_stale_until_snapshot)
{
    cr_assert(eq(int, book_rpt_check(bk, 1), BOOK_SEQ_OK));
    put(GT_SIDE_BID, GT_ACT_NEW, 1, 100, 1); /* rpt 1 */
    cr_assert(eq(int, book_rpt_check(bk, 1), BOOK_SEQ_DUP));
    cr_assert(eq(int, book_rpt_check(bk, 2), BOOK_SEQ_OK));
    cr_assert(eq(int, book_rpt_check(bk, 5), BOOK_SEQ_GAP));
    cr_assert(bk->stale);
    cr_assert(eq(int, book_rpt_check(bk, 6), BOOK_SEQ_STALE), "the gap is reported once");
    cr_assert(eq(int, book_rpt_check(bk, 1), BOOK_SEQ_DUP));
    struct book_snap_entry snap[] = {
        {150, 4, 2, 1, GT_SIDE_BID}, {149, 5, 1, 2, GT_SIDE_BID}, {151, 6, 3, 1, GT_SIDE_ASK}};
    cr_assert(eq(int, book_load_snapshot(bk, 7, snap, 3), 1), "recovered");
    cr_assert(not(bk->stale));
    cr_assert(eq(u32, bk->rpt_seq, 7));
    expect_bids((int64_t[]){150, 149}, 2);
    cr_assert(eq(int, bk->n_ask, 1));
    cr_assert(eq(int, book_rpt_check(bk, 7), BOOK_SEQ_DUP), "covered by the snapshot");
    cr_assert(eq(int, book_rpt_check(bk, 8), BOOK_SEQ_OK));
    /* An old snapshot does not replace a live book. */
    cr_assert(eq(int, book_load_snapshot(bk, 6, NULL, 0), 0));
    cr_assert(eq(int, bk->n_bid, 2));
    /* A bad snapshot entry leaves the book as it was. */
    struct book_snap_entry bad = {1, 1, 1, 11, GT_SIDE_BID};
    bk->stale = true;
    cr_assert(eq(int, book_load_snapshot(bk, 9, &bad, 1), GT_EBADMSG));
    cr_assert(bk->stale);
    cr_assert(eq(int, bk->n_bid, 2));
}

Test(book, channel_reset_empties_every_book_and_restarts_rpt_seq)
{
    struct book *other = book_set_get(&set, 43, true);
    put(GT_SIDE_BID, GT_ACT_NEW, 1, 100, 1);
    other->stale = true;
    other->rpt_seq = 50;
    book_set_clear_all(&set);
    cr_assert(eq(int, bk->n_bid, 0));
    cr_assert(eq(i64, bk->bid[0].px, BOOK_PX_NONE));
    cr_assert(not(other->stale));
    cr_assert(eq(int, book_rpt_check(other, 1), BOOK_SEQ_OK));
    cr_assert(eq(sz, book_set_event_end(&set, NULL, NULL), 2));
}

Test(book, packet_gap_marks_every_book_stale)
{
    book_set_get(&set, 43, true)->stale = true;
    book_set_get(&set, 44, true);
    cr_assert(eq(sz, book_set_mark_all_stale(&set), 2));
    for (size_t i = 0; i < set.n_books; i++)
        cr_assert(set.books[i].stale);
    cr_assert(eq(sz, book_set_mark_all_stale(&set), 0));
}

Test(book, tob_saturates_and_marks_empty_sides)
{
    struct gt_tob t;
    book_tob(bk, &t);
    cr_assert(eq(i64, t.bid_px, INT64_MAX));
    cr_assert(eq(i64, t.ask_px, INT64_MAX));
    cr_assert(eq(i32, t.bid_qty, 0));
    struct book_update u = {42, 1, 100, INT64_C(1) << 40, 70000, 1, GT_SIDE_BID, GT_ACT_NEW};
    book_apply(bk, &u);
    u = (struct book_update){42, 2, 101, -(INT64_C(1) << 40), -5, 1, GT_SIDE_ASK, GT_ACT_NEW};
    book_apply(bk, &u);
    book_tob(bk, &t);
    cr_assert(eq(i64, t.bid_px, 100));
    cr_assert(eq(i32, t.bid_qty, INT32_MAX));
    cr_assert(eq(u16, t.bid_orders, 65535));
    cr_assert(eq(i64, t.ask_px, 101));
    cr_assert(eq(i32, t.ask_qty, INT32_MIN));
    cr_assert(eq(u16, t.ask_orders, 0));
}

static void collect(struct book *b, void *ctx)
{
    int32_t **p = ctx;
    *(*p)++ = b->security_id;
}

Test(book, event_end_lists_each_changed_book_once)
{
    for (int32_t id = 1; id <= 7; id++)
        book_set_get(&set, 100 + id, true);
    struct book_update u = {105, 1, 100, 1, 1, 1, GT_SIDE_BID, GT_ACT_NEW};
    cr_assert(eq(int, book_set_apply(&set, &u), 1));
    u.px = 101;
    cr_assert(eq(int, book_set_apply(&set, &u), 1));
    u = (struct book_update){102, 1, 100, 1, 1, 1, GT_SIDE_ASK, GT_ACT_NEW};
    cr_assert(eq(int, book_set_apply(&set, &u), 1));
    u = (struct book_update){105, 3, 90, 1, 1, 2, GT_SIDE_BID, GT_ACT_NEW};
    cr_assert(eq(int, book_set_apply(&set, &u), 0));
    u = (struct book_update){103, 1, 90, 1, 1, 2, GT_SIDE_BID, GT_ACT_NEW};
    cr_assert(eq(int, book_set_apply(&set, &u), 0), "level 1 is still empty: top unchanged");
    u.level = 1;
    cr_assert(eq(int, book_set_apply(&set, &u), 1));
    u.security_id = 999;
    cr_assert(eq(int, book_set_apply(&set, &u), GT_ENOENT));
    int32_t got[8], *p = got;
    cr_assert(eq(sz, book_set_event_end(&set, collect, &p), 3));
    cr_assert(eq(i32, got[0], 105));
    cr_assert(eq(i32, got[1], 102));
    cr_assert(eq(i32, got[2], 103));
    cr_assert(eq(sz, book_set_event_end(&set, collect, &p), 0));
}

/* book_set_touch_if() writes the slot past the changed list on every call:
 * with every book of a full set already changed, that slot is the last one
 * the set has (ASan would see one more). */
Test(book, every_book_of_a_full_set_changing_twice_is_listed_once)
{
    struct book_set full;
    cr_assert(eq(int, book_set_init(&full, 2), GT_OK));
    book_set_get(&full, 1, true);
    book_set_get(&full, 2, true);
    for (int k = 0; k < 3; k++)
        for (int32_t id = 1; id <= 2; id++) {
            struct book_update u = {
                id, (uint32_t)k + 1, 100 + k, 1, 1, 1, GT_SIDE_BID, k ? GT_ACT_CHANGE : GT_ACT_NEW};
            cr_assert(eq(int, book_set_apply(&full, &u), 1));
        }
    book_set_touch_if(&full, &full.books[0], false);
    int32_t got[3], *p = got;
    cr_assert(eq(sz, book_set_event_end(&full, collect, &p), 2));
    cr_assert(eq(i32, got[0], 1));
    cr_assert(eq(i32, got[1], 2));
    book_set_fini(&full);
}

Test(book, set_finds_books_by_id_and_refuses_past_capacity)
{
    for (int32_t id = 1; id <= 7; id++)
        cr_assert(not(eq(ptr, book_set_get(&set, id * 1000003, true), NULL)));
    cr_assert(eq(ptr, book_set_get(&set, -5, true), NULL), "the set holds 8 books");
    cr_assert(eq(ptr, book_set_get(&set, 42, false), bk));
    for (int32_t id = 1; id <= 7; id++)
        cr_assert(eq(i32, book_set_get(&set, id * 1000003, false)->security_id, id * 1000003));
    cr_assert(eq(ptr, book_set_get(&set, 7, false), NULL));
}

/* ---- differential ---- */

Test(book, agrees_with_the_naive_reference_on_random_streams, .timeout = 30)
{
    for (uint64_t seed = 1; seed <= 40; seed++) {
        rng_state = seed * 0x9e3779b97f4a7c15u;
        int depth = 1 + (int)(seed % GT_BOOK_DEPTH);
        struct book_set bs;
        cr_assert(eq(int, book_set_init(&bs, 1), GT_OK));
        struct book *b = book_set_get(&bs, 7, true);
        book_depth_set(b, depth);
        struct ref_book ref = {.depth = depth};
        for (int step = 0; step < 2500; step++) {
            struct book_update u = {7, (uint32_t)step + 1, 0, 0, 0, 0, 0, 0};
            uint32_t a = rnd(100);
            u.action = a < 40   ? GT_ACT_NEW
                       : a < 70 ? GT_ACT_CHANGE
                       : a < 88 ? GT_ACT_DELETE
                       : a < 93 ? GT_ACT_OVERLAY
                       : a < 97 ? GT_ACT_DELETE_FROM
                                : GT_ACT_DELETE_THRU;
            u.side = rnd(2) ? GT_SIDE_BID : GT_SIDE_ASK;
            /* Edges often: level 1, the depth, one past the last level. */
            uint32_t e = rnd(5);
            int n = u.side == GT_SIDE_BID ? b->n_bid : b->n_ask;
            u.level = (uint8_t)(e == 0   ? 1
                                : e == 1 ? depth
                                : e == 2 ? (n < depth ? n + 1 : depth)
                                         : 1 + (int)rnd((uint32_t)depth));
            u.px = 1000 + (int64_t)rnd(500);
            u.qty = 1 + (int64_t)rnd(1000);
            u.n_orders = 1 + (int32_t)rnd(50);
            struct gt_mbp_level top_before = u.side == GT_SIDE_BID ? b->bid[0] : b->ask[0];
            int rc = book_apply(b, &u);
            cr_assert(ge(int, rc, 0), "seed %llu step %d refused a valid entry",
                      (unsigned long long)seed, step);
            ref_apply(&ref, &u);
            check_same(b, &ref, step);
            struct gt_mbp_level top = u.side == GT_SIDE_BID ? b->bid[0] : b->ask[0];
            int moved = top.px != top_before.px || top.qty != top_before.qty ||
                        top.n_orders != top_before.n_orders;
            cr_assert(eq(int, rc, moved), "seed %llu step %d top-changed result",
                      (unsigned long long)seed, step);
        }
        book_set_fini(&bs);
    }
}
