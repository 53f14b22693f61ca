/* SPDX-License-Identifier: MIT */
/* test_bookckpt.c -- the book rebuilt from stored ticks (gt_mbp_book, gputick/mbp.h) and its
 * checkpoint record (store/bookckpt.h): the depth from definitions, tickfeed's rules through the
 * same library calls, the feed state, and the checkpoint record (version 2 round trip with depth
 * and holes; version 1 refused). tests/test_tickq.c checks whole days of it against a naive book
 * and against ticksim's truth. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/err.h"
#include "bookckpt.h"
#include "gputick/mbp.h"
#include "gputick/tick.h"

static uint64_t seq;

static struct gt_tick level(int side, int lvl, int action, int64_t px)
{
    struct gt_tick t = {.version = GT_TICK_VERSION, .kind = GT_KIND_LEVEL, .instr_id = 7};
    t.seq = ++seq;
    t.exch_ns = (int64_t)seq * 1000;
    t.u.level = (struct gt_level){.px = px,
                                  .qty = px / 1000000,
                                  .n_orders = 3,
                                  .level = (uint8_t)lvl,
                                  .side = (uint8_t)side,
                                  .action = (uint8_t)action};
    return t;
}

static struct gt_tick def(int depth)
{
    struct gt_tick t = {.version = GT_TICK_VERSION, .kind = GT_KIND_DEF, .instr_id = 7};
    t.seq = ++seq;
    t.exch_ns = 5; /* a LastUpdateTime long before the book ticks */
    t.u.def.depth = (uint8_t)depth;
    return t;
}

static void apply_ok(struct gt_mbp_book *b, struct gt_tick t)
{
    cr_assert(eq(int, gt_mbp_book_apply(b, &t), 0));
}

Test(bookckpt, a_definition_sets_the_depth_and_a_new_into_a_full_side_drops_the_worst)
{
    struct gt_mbp_book b;
    gt_mbp_book_init(&b, 0);
    cr_assert(eq(int, b.depth, GT_MBP_DEPTH_DEFAULT), "unknown depth: the default");
    apply_ok(&b, def(3));
    cr_assert(eq(int, b.depth, 3));
    cr_assert(eq(i64, b.last_ns, INT64_MIN), "a definition moves no level");
    for (int px = 10; px >= 7; px--) /* the fourth New pushes 7 (the worst) off */
        apply_ok(&b, level(GT_SIDE_BID, 1, GT_ACT_NEW, px * 1000000000LL));
    cr_assert(eq(int, b.n[0], 3));
    cr_assert(eq(i64, b.side[0][0].px, 7000000000));
    cr_assert(eq(i64, b.side[0][2].px, 9000000000));
    struct gt_tick past = level(GT_SIDE_BID, 4, GT_ACT_NEW, 1000000000);
    cr_assert(eq(int, gt_mbp_book_apply(&b, &past), GT_EBADMSG), "a level past the depth");
    cr_assert(eq(u64, b.n_bad, 1));
    cr_assert(eq(i64, b.last_ns, past.exch_ns), "a refused tick is still the latest");
    apply_ok(&b, def(2)); /* a smaller depth drops the level past it */
    cr_assert(eq(int, b.n[0], 2));
    cr_assert(eq(i64, b.side[0][2].px, GT_MBP_PX_NONE));
}

Test(bookckpt, delete_from_removes_the_top_levels_and_the_rest_shift_up)
{
    struct gt_mbp_book b;
    gt_mbp_book_init(&b, 10);
    for (int px = 20; px <= 24; px++)
        apply_ok(&b, level(GT_SIDE_ASK, px - 19, GT_ACT_NEW, px * 1000000000LL));
    apply_ok(&b, level(GT_SIDE_ASK, 2, GT_ACT_DELETE_FROM, INT64_MAX));
    cr_assert(eq(int, b.n[1], 3));
    cr_assert(eq(i64, b.side[1][0].px, 22000000000));
    cr_assert(eq(i64, b.side[1][2].px, 24000000000));
}

Test(bookckpt, a_reset_empties_the_book_and_stale_lasts_until_recovered)
{
    struct gt_mbp_book b;
    gt_mbp_book_init(&b, 10);
    apply_ok(&b, level(GT_SIDE_BID, 1, GT_ACT_NEW, 2000000000));
    struct gt_tick st = {.version = GT_TICK_VERSION, .kind = GT_KIND_STATUS, .exch_ns = 77};
    st.u.status.feed = GT_FEED_STALE;
    apply_ok(&b, st);
    cr_assert(b.stale);
    cr_assert(eq(i64, b.stale_since_ns, 77));
    st.u.status.feed = GT_FEED_RESET;
    apply_ok(&b, st);
    cr_assert(eq(int, b.n[0], 0));
    cr_assert(eq(i64, b.side[0][0].px, GT_MBP_PX_NONE));
    st.u.status.feed = GT_FEED_RECOVERED;
    apply_ok(&b, st);
    cr_assert(not(b.stale));
}

Test(bookckpt, a_checkpoint_keeps_depth_holes_and_state)
{
    struct gt_mbp_book b, back;
    gt_mbp_book_init(&b, 6);
    apply_ok(&b, level(GT_SIDE_BID, 1, GT_ACT_NEW, 2000000000));
    apply_ok(&b, level(GT_SIDE_BID, 4, GT_ACT_CHANGE, 1900000000)); /* holes at 2 and 3 */
    apply_ok(&b, level(GT_SIDE_ASK, 1, GT_ACT_NEW, 2100000000));
    b.stale = true;
    b.stale_since_ns = 1234;
    uint8_t rec[BOOKCKPT_MAX];
    int len = bookckpt_encode(&b, rec);
    cr_assert(eq(int, len, BOOKCKPT_HDR + 5 * BOOKCKPT_LEVEL + 4));
    cr_assert(eq(int, bookckpt_decode(rec, (size_t)len, &back), GT_OK));
    cr_assert(eq(int, back.depth, 6));
    cr_assert(eq(int, back.n[0], 4));
    cr_assert(eq(int, back.n[1], 1));
    cr_assert(eq(i64, back.side[0][1].px, GT_MBP_PX_NONE), "the hole stays a hole");
    cr_assert(eq(i64, back.side[0][3].px, 1900000000));
    cr_assert(eq(i64, back.side[0][4].px, GT_MBP_PX_NONE), "past the count: empty");
    cr_assert(back.stale);
    cr_assert(eq(i64, back.stale_since_ns, 1234));
    cr_assert(eq(u64, back.last_seq, b.last_seq));
    cr_assert(eq(i64, back.last_ns, b.last_ns));
    cr_assert(eq(u64, back.n_applied, 3));
    /* A side that ends in an empty level, with a good CRC, is refused. */
    rec[6] = 2; /* bids: the level, then the hole */
    uint8_t *p = rec + BOOKCKPT_HDR + 2 * BOOKCKPT_LEVEL;
    memcpy(p, rec + BOOKCKPT_HDR + 4 * BOOKCKPT_LEVEL, BOOKCKPT_LEVEL); /* the ask */
    st_le32(p + BOOKCKPT_LEVEL, gt_crc32c(0, rec, (size_t)(p + BOOKCKPT_LEVEL - rec)));
    cr_assert(
        eq(int, bookckpt_decode(rec, (size_t)(p + BOOKCKPT_LEVEL + 4 - rec), &back), GT_EBADMSG));
}

Test(bookckpt, a_version_1_checkpoint_is_refused)
{
    /* A well-formed version 1 record: 40-byte header, one bid, its CRC. */
    uint8_t rec[40 + 20 + 4] = {'G', 'T', 'B', 'C', 1, 0, 1, 0};
    st_le64(rec + 40, 2000000000);
    st_le64(rec + 48, 5);
    st_le32(rec + 56, 1);
    st_le32(rec + 60, gt_crc32c(0, rec, 60));
    struct gt_mbp_book b;
    cr_assert(eq(int, bookckpt_decode(rec, sizeof rec, &b), GT_EVERSION));
}
