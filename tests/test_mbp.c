/* SPDX-License-Identifier: MIT */
/* test_mbp.c -- the library's MBP side (gputick/mbp.h) through its public
 * calls, as a downstream program rebuilding books from the bus uses them:
 * each action on small sides written out level by level, the depth cap, holes,
 * truncation and the refusals. tests/test_book.c checks tickfeed's books,
 * which apply entries through the same calls, against a naive reference on
 * long random streams. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include "gputick/err.h"
#include "gputick/mbp.h"
#include "gputick/tick.h"

enum { NONE = -1 }; /* an empty level in want[] */

static struct gt_mbp_level side[GT_MBP_DEPTH_MAX];

/* A side of levels with prices px[0..n) (in ticks; NONE for a hole), the
 * quantity of each its price in ticks. Returns n. */
static int side_set(const int *px, int n)
{
    gt_mbp_clear(side, 0, GT_MBP_DEPTH_MAX);
    for (int i = 0; i < n; i++)
        if (px[i] != NONE)
            side[i] = (struct gt_mbp_level){px[i] * 1000, px[i], 1};
    return n;
}

static void side_expect(int n, const int *px, int want_n)
{
    cr_assert(eq(int, n, want_n), "levels in use");
    for (int i = 0; i < GT_MBP_DEPTH_MAX; i++) {
        int64_t want = i < want_n && px[i] != NONE ? px[i] * 1000 : GT_MBP_PX_NONE;
        cr_assert(eq(i64, side[i].px, want), "level %d", i + 1);
        if (want == GT_MBP_PX_NONE)
            cr_assert(eq(i64, side[i].qty, 0), "level %d is empty", i + 1);
    }
}

static int apply(int n, int depth, int action, int level, int px)
{
    struct gt_mbp_level v = {px * 1000, px, 1};
    return gt_mbp_apply(side, n, depth, action, level, &v);
}

Test(mbp, new_into_a_full_side_drops_the_worst_level)
{
    int n = side_set((int[]){10, 9, 8, 7}, 4);
    n = apply(n, 4, GT_ACT_NEW, 2, 95);
    side_expect(n, (int[]){10, 95, 9, 8}, 4);
    n = apply(n, 4, GT_ACT_NEW, 4, 50); /* at the last level: the old last goes */
    side_expect(n, (int[]){10, 95, 9, 50}, 4);
    /* A later Delete brings no dropped level back. */
    n = apply(n, 4, GT_ACT_DELETE, 1, 0);
    side_expect(n, (int[]){95, 9, 50}, 3);
}

Test(mbp, new_below_the_depth_shifts_worse_levels_down)
{
    int n = side_set((int[]){10, 9}, 2);
    n = apply(n, 10, GT_ACT_NEW, 1, 11);
    side_expect(n, (int[]){11, 10, 9}, 3);
    n = apply(n, 10, GT_ACT_NEW, 4, 8); /* just past the end: appended */
    side_expect(n, (int[]){11, 10, 9, 8}, 4);
}

Test(mbp, delete_from_removes_the_top_n_and_the_rest_shift_up)
{
    int n = side_set((int[]){10, 9, 8, 7, 6}, 5);
    n = apply(n, 10, GT_ACT_DELETE_FROM, 2, 0); /* a sweep through levels 1 and 2 */
    side_expect(n, (int[]){8, 7, 6}, 3);
    n = apply(n, 10, GT_ACT_DELETE_FROM, 5, 0); /* past the end: the whole side */
    side_expect(n, (int[]){0}, 0);
}

Test(mbp, delete_thru_empties_the_side_whatever_its_level)
{
    int n = side_set((int[]){10, 9, 8}, 3);
    n = apply(n, 10, GT_ACT_DELETE_THRU, 0, 0);
    side_expect(n, (int[]){0}, 0);
}

Test(mbp, change_past_the_end_leaves_a_hole_that_stays_empty)
{
    int n = side_set((int[]){10}, 1);
    n = apply(n, 10, GT_ACT_CHANGE, 3, 8);
    side_expect(n, (int[]){10, NONE, 8}, 3);
    n = apply(n, 10, GT_ACT_NEW, 1, 11); /* the hole moves down with its level */
    side_expect(n, (int[]){11, 10, NONE, 8}, 4);
    n = apply(n, 10, GT_ACT_OVERLAY, 3, 9); /* and is filled by an entry for it */
    side_expect(n, (int[]){11, 10, 9, 8}, 4);
}

Test(mbp, a_hole_left_last_is_not_counted)
{
    int n = side_set((int[]){10, NONE, 8}, 3);
    n = apply(n, 10, GT_ACT_DELETE, 3, 0);
    side_expect(n, (int[]){10}, 1);
    n = side_set((int[]){10, 9, NONE, 7}, 4);
    n = apply(n, 4, GT_ACT_NEW, 1, 11); /* 7 falls off a full side, the hole is last */
    side_expect(n, (int[]){11, 10, 9}, 3);
    n = side_set((int[]){10, NONE, 8}, 3);
    n = apply(n, 10, GT_ACT_DELETE_FROM, 1, 0);
    side_expect(n, (int[]){NONE, 8}, 2);
    n = apply(n, 10, GT_ACT_DELETE, 2, 0);
    side_expect(n, (int[]){0}, 0);
}

Test(mbp, delete_past_the_end_changes_nothing)
{
    int n = side_set((int[]){10, 9}, 2);
    n = apply(n, 10, GT_ACT_DELETE, 5, 0);
    side_expect(n, (int[]){10, 9}, 2);
}

Test(mbp, bad_entries_are_refused_and_leave_the_side_untouched)
{
    int n = side_set((int[]){10, 9}, 2);
    cr_assert(eq(int, apply(n, 4, GT_ACT_NEW, 5, 1), GT_EBADMSG), "level past the depth");
    cr_assert(eq(int, apply(n, 4, GT_ACT_CHANGE, 0, 1), GT_EBADMSG), "level 0");
    cr_assert(eq(int, apply(n, 4, GT_ACT_DELETE_FROM, 5, 0), GT_EBADMSG));
    cr_assert(eq(int, apply(n, 4, 6, 1, 1), GT_EBADMSG), "unknown action");
    struct gt_mbp_level null_px = {GT_MBP_PX_NONE, 5, 1};
    cr_assert(eq(int, gt_mbp_apply(side, n, 4, GT_ACT_NEW, 1, &null_px), GT_EBADMSG));
    cr_assert(eq(int, gt_mbp_apply(side, n, 4, GT_ACT_CHANGE, 1, &null_px), GT_EBADMSG));
    cr_assert(eq(int, apply(n, 0, GT_ACT_DELETE, 1, 0), GT_EINVAL), "depth 0");
    cr_assert(eq(int, apply(n, GT_MBP_DEPTH_MAX + 1, GT_ACT_DELETE, 1, 0), GT_EINVAL));
    cr_assert(eq(int, apply(5, 4, GT_ACT_DELETE, 1, 0), GT_EINVAL), "more levels than the depth");
    side_expect(n, (int[]){10, 9}, 2);
}

Test(mbp, truncate_drops_the_levels_past_a_smaller_depth)
{
    int n = side_set((int[]){10, 9, 8, 7, 6}, 5);
    n = gt_mbp_truncate(side, n, 3);
    side_expect(n, (int[]){10, 9, 8}, 3);
    cr_assert(eq(int, gt_mbp_truncate(side, n, 8), 3), "a larger depth keeps all");
    n = side_set((int[]){10, NONE, 8}, 3);
    side_expect(gt_mbp_truncate(side, n, 2), (int[]){10}, 1);
    cr_assert(eq(int, gt_mbp_truncate(side, n, 0), GT_EINVAL));
}

Test(mbp, an_unknown_or_out_of_range_depth_is_the_default)
{
    cr_assert(eq(int, gt_mbp_depth_of(0), GT_MBP_DEPTH_DEFAULT));
    cr_assert(eq(int, gt_mbp_depth_of(GT_MBP_DEPTH_MAX + 1), GT_MBP_DEPTH_DEFAULT));
    cr_assert(eq(int, gt_mbp_depth_of(3), 3));
    cr_assert(eq(int, GT_MBP_DEPTH_DEFAULT, 10));
}
