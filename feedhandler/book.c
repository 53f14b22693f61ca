/* SPDX-License-Identifier: MIT */
/* book.c -- price-level books: CME MBP actions on fixed arrays.
 *
 * A side is an array of GT_BOOK_DEPTH levels indexed by MDPriceLevel - 1 and a
 * count of levels in use (up to the last non-empty one; every level at or past
 * the count is empty). The actions are gt_mbp_apply()'s (lib/mbp.c): a memmove
 * of at most nine 24-byte levels, so applying an entry costs a few dozen
 * instructions and never allocates. The common entry, a Change of a level in
 * use, does not go there: book_apply() does it here in one store. The top of
 * book is level 1; book_apply() compares it before and after.
 *
 * The set's hash maps security ids to books by linear probing over a table at
 * least twice the number of books, so a probe sequence stays short; books are
 * never removed (a channel's instruments live for the session). */
#include "book.h"
#include <stdlib.h>
#include <string.h>
#include "gputick/err.h"

static bool level_eq(const struct gt_mbp_level *a, const struct gt_mbp_level *b)
{
    return a->px == b->px && a->qty == b->qty && a->n_orders == b->n_orders;
}

int book_set_init(struct book_set *bs, size_t max_books)
{
    memset(bs, 0, sizeof *bs);
    if (max_books == 0 || max_books > (size_t)INT32_MAX / 4)
        return GT_EINVAL;
    size_t n_slots = 16;
    while (n_slots < 2 * max_books)
        n_slots <<= 1;
    bs->books = calloc(max_books, sizeof *bs->books);
    bs->slots = calloc(n_slots, sizeof *bs->slots);
    bs->changed = calloc(max_books + 1, sizeof *bs->changed); /* book_set_touch_if() */
    if (!bs->books || !bs->slots || !bs->changed) {
        book_set_fini(bs);
        return GT_ENOMEM;
    }
    bs->max_books = max_books;
    bs->n_slots = n_slots;
    return GT_OK;
}

void book_set_fini(struct book_set *bs)
{
    free(bs->books);
    free(bs->slots);
    free(bs->changed);
    memset(bs, 0, sizeof *bs);
}

static size_t slot_of(int32_t security_id, size_t n_slots)
{
    uint64_t h = (uint64_t)(uint32_t)security_id * 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 32) & (n_slots - 1);
}

struct book *book_set_get(struct book_set *bs, int32_t security_id, bool create)
{
    if (!bs->slots)
        return NULL;
    size_t i = slot_of(security_id, bs->n_slots);
    for (;;) {
        int32_t at = bs->slots[i];
        if (at == 0)
            break;
        if (bs->books[at - 1].security_id == security_id)
            return &bs->books[at - 1];
        i = (i + 1) & (bs->n_slots - 1);
    }
    if (!create || bs->n_books == bs->max_books)
        return NULL;
    struct book *b = &bs->books[bs->n_books++];
    memset(b, 0, sizeof *b);
    b->security_id = security_id;
    b->depth = GT_BOOK_DEPTH;
    gt_mbp_clear(b->bid, 0, GT_BOOK_DEPTH);
    gt_mbp_clear(b->ask, 0, GT_BOOK_DEPTH);
    bs->slots[i] = (int32_t)bs->n_books;
    return b;
}

int book_depth_set(struct book *b, int depth)
{
    if (depth < 1 || depth > GT_BOOK_DEPTH)
        return GT_EINVAL;
    b->depth = (uint8_t)depth;
    b->n_bid = (uint8_t)gt_mbp_truncate(b->bid, b->n_bid, depth);
    b->n_ask = (uint8_t)gt_mbp_truncate(b->ask, b->n_ask, depth);
    return GT_OK;
}

/* book_apply() of an entry other than a Change of a level in use. Not
 * inlined: its call to gt_mbp_apply() would give the Change path a stack
 * frame. */
__attribute__((noinline)) static int book_apply_mbp(struct book *b, struct gt_mbp_level *s,
                                                    uint8_t *n, const struct book_update *u)
{
    struct gt_mbp_level top = s[0], v = {u->px, u->qty, u->n_orders};
    int rc = gt_mbp_apply(s, *n, b->depth, u->action, u->level, &v);
    if (rc < 0)
        return GT_EBADMSG;
    *n = (uint8_t)rc;
    b->rpt_seq = u->rpt_seq;
    return level_eq(&top, &s[0]) ? 0 : 1;
}

int book_apply(struct book *b, const struct book_update *u)
{
    if (u->side != GT_SIDE_BID && u->side != GT_SIDE_ASK)
        return GT_EBADMSG;
    /* The side is as random as the market: picked by index, not by a branch
     * that would mispredict every other entry. */
    struct gt_mbp_level *const sides[2] = {b->bid, b->ask};
    uint8_t *const counts[2] = {&b->n_bid, &b->n_ask};
    struct gt_mbp_level *s = sides[u->side - 1];
    uint8_t *n = counts[u->side - 1];
    if ((u->action == GT_ACT_CHANGE || u->action == GT_ACT_OVERLAY) && u->level >= 1 &&
        u->level <= *n && u->px != BOOK_PX_NONE) {
        /* The common entry, a Change of a level in use, is one store; the
         * rest is a call away, so that this path needs no stack frame. Bitwise
         * operators, not && and ||: each operand would be a branch. */
        struct gt_mbp_level *l = &s[u->level - 1];
        int moved = (u->level == 1) &
                    ((l->px != u->px) | (l->qty != u->qty) | (l->n_orders != u->n_orders));
        *l = (struct gt_mbp_level){u->px, u->qty, u->n_orders};
        b->rpt_seq = u->rpt_seq;
        return moved;
    }
    return book_apply_mbp(b, s, n, u);
}

void book_set_touch(struct book_set *bs, struct book *b)
{
    book_set_touch_if(bs, b, true);
}

int book_set_apply(struct book_set *bs, const struct book_update *u)
{
    struct book *b = book_set_get(bs, u->security_id, false);
    if (!b)
        return GT_ENOENT;
    int rc = book_apply(b, u);
    book_set_touch_if(bs, b, rc == 1);
    return rc;
}

int book_rpt_check(struct book *b, uint32_t rpt_seq)
{
    if (rpt_seq <= b->rpt_seq)
        return BOOK_SEQ_DUP;
    if (b->stale)
        return BOOK_SEQ_STALE;
    if (rpt_seq == b->rpt_seq + 1)
        return BOOK_SEQ_OK;
    b->stale = true;
    return BOOK_SEQ_GAP;
}

int book_load_snapshot(struct book *b, uint32_t rpt_seq, const struct book_snap_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((e[i].side != GT_SIDE_BID && e[i].side != GT_SIDE_ASK) || e[i].level < 1 ||
            e[i].level > b->depth || e[i].px == BOOK_PX_NONE)
            return GT_EBADMSG;
    if (!b->stale && rpt_seq <= b->rpt_seq)
        return 0;
    gt_mbp_clear(b->bid, 0, GT_BOOK_DEPTH);
    gt_mbp_clear(b->ask, 0, GT_BOOK_DEPTH);
    b->n_bid = b->n_ask = 0;
    for (size_t i = 0; i < n; i++) {
        bool bid = e[i].side == GT_SIDE_BID;
        struct gt_mbp_level *s = bid ? b->bid : b->ask;
        uint8_t *cnt = bid ? &b->n_bid : &b->n_ask;
        s[e[i].level - 1] = (struct gt_mbp_level){e[i].px, e[i].qty, e[i].n_orders};
        if (e[i].level > *cnt)
            *cnt = e[i].level;
    }
    b->rpt_seq = rpt_seq;
    bool was_stale = b->stale;
    b->stale = false;
    return was_stale ? 1 : 0;
}

void book_clear(struct book *b)
{
    gt_mbp_clear(b->bid, 0, GT_BOOK_DEPTH);
    gt_mbp_clear(b->ask, 0, GT_BOOK_DEPTH);
    b->n_bid = b->n_ask = 0;
    b->rpt_seq = 0;
    b->stale = false;
}

void book_set_clear_all(struct book_set *bs)
{
    for (size_t i = 0; i < bs->n_books; i++) {
        book_clear(&bs->books[i]);
        book_set_touch(bs, &bs->books[i]);
    }
}

size_t book_set_mark_all_stale(struct book_set *bs)
{
    size_t n = 0;
    for (size_t i = 0; i < bs->n_books; i++) {
        n += !bs->books[i].stale;
        bs->books[i].stale = true;
    }
    return n;
}

static int32_t sat_i32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static uint16_t sat_u16(int32_t v)
{
    return v > 65535 ? 65535 : v < 0 ? 0 : (uint16_t)v;
}

void book_tob(const struct book *b, struct gt_tob *out)
{
    memset(out, 0, sizeof *out);
    out->bid_px = b->bid[0].px;
    out->ask_px = b->ask[0].px;
    if (b->bid[0].px != BOOK_PX_NONE) {
        out->bid_qty = sat_i32(b->bid[0].qty);
        out->bid_orders = sat_u16(b->bid[0].n_orders);
    }
    if (b->ask[0].px != BOOK_PX_NONE) {
        out->ask_qty = sat_i32(b->ask[0].qty);
        out->ask_orders = sat_u16(b->ask[0].n_orders);
    }
}

size_t book_set_event_end(struct book_set *bs, void (*cb)(struct book *b, void *ctx), void *ctx)
{
    size_t n = bs->n_changed;
    for (size_t i = 0; i < n; i++) {
        bs->changed[i]->changed = false;
        if (cb)
            cb(bs->changed[i], ctx);
    }
    bs->n_changed = 0;
    return n;
}
