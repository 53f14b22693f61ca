/* SPDX-License-Identifier: MIT */
/* mbp.c -- MBP level actions on one side of a book, and a whole book of one
 * instrument rebuilt from ticks (contract in mbp.h).
 *
 * Every action is at most one memmove of depth - 1 levels of 24 bytes and a
 * few stores, so it costs a few dozen instructions. The count n tracks the
 * last non-empty level: an action that can leave a hole at the end of the
 * side (a level lost by the feed, then the levels after it gone) drops the
 * trailing empty levels from it. */
#include "gputick/mbp.h"
#include <string.h>
#include "gputick/err.h"
#include "gputick/tick.h"

static const struct gt_mbp_level level_empty = {GT_MBP_PX_NONE, 0, 0};

void gt_mbp_clear(struct gt_mbp_level *lv, int from, int to)
{
    for (int i = from; i < to; i++)
        lv[i] = level_empty;
}

int gt_mbp_depth_of(int depth)
{
    return depth >= 1 && depth <= GT_MBP_DEPTH_MAX ? depth : GT_MBP_DEPTH_DEFAULT;
}

/* n less the trailing empty levels. */
static int side_trim(const struct gt_mbp_level *lv, int n)
{
    while (n > 0 && lv[n - 1].px == GT_MBP_PX_NONE)
        n--;
    return n;
}

int gt_mbp_apply(struct gt_mbp_level *lv, int n, int depth, int action, int level,
                 const struct gt_mbp_level *v)
{
    if (depth < 1 || depth > GT_MBP_DEPTH_MAX || n < 0 || n > depth)
        return GT_EINVAL;
    if (action < GT_ACT_NEW || action > GT_ACT_OVERLAY)
        return GT_EBADMSG;
    if (action != GT_ACT_DELETE_THRU && (level < 1 || level > depth))
        return GT_EBADMSG;
    int L = level - 1;
    switch (action) {
    case GT_ACT_NEW:
        if (v->px == GT_MBP_PX_NONE)
            return GT_EBADMSG;
        if (L >= n) {
            gt_mbp_clear(lv, n, L);
            lv[L] = *v;
            return L + 1;
        }
        /* The worst level moves to index last; at a full side it falls off. */
        int last = n < depth ? n : depth - 1;
        memmove(&lv[L + 1], &lv[L], (size_t)(last - L) * sizeof *lv);
        lv[L] = *v;
        return side_trim(lv, last + 1); /* a hole may now be the last level */
    case GT_ACT_CHANGE:
    case GT_ACT_OVERLAY:
        if (v->px == GT_MBP_PX_NONE)
            return GT_EBADMSG;
        if (L >= n) {
            gt_mbp_clear(lv, n, L);
            n = L + 1;
        }
        lv[L] = *v;
        return n;
    case GT_ACT_DELETE:
        if (L >= n)
            return n;
        memmove(&lv[L], &lv[L + 1], (size_t)(n - L - 1) * sizeof *lv);
        lv[n - 1] = level_empty;
        return side_trim(lv, n - 1);
    case GT_ACT_DELETE_FROM: {
        int k = level < n ? level : n; /* levels 1..level go */
        memmove(&lv[0], &lv[k], (size_t)(n - k) * sizeof *lv);
        gt_mbp_clear(lv, n - k, n);
        return side_trim(lv, n - k);
    }
    default: /* GT_ACT_DELETE_THRU */
        gt_mbp_clear(lv, 0, n);
        return 0;
    }
}

int gt_mbp_truncate(struct gt_mbp_level *lv, int n, int depth)
{
    if (depth < 1 || depth > GT_MBP_DEPTH_MAX || n < 0 || n > GT_MBP_DEPTH_MAX)
        return GT_EINVAL;
    if (n <= depth)
        return n;
    gt_mbp_clear(lv, depth, n);
    return side_trim(lv, depth);
}

/* ---- a whole book (gt_mbp_book) ---- */

void gt_mbp_book_init(struct gt_mbp_book *b, int depth)
{
    memset(b, 0, sizeof *b);
    for (int s = 0; s < 2; s++)
        gt_mbp_clear(b->side[s], 0, GT_MBP_DEPTH_MAX);
    b->depth = gt_mbp_depth_of(depth);
    b->last_ns = INT64_MIN;
}

static int level_apply(struct gt_mbp_book *b, const struct gt_level *l)
{
    if (l->side != GT_SIDE_BID && l->side != GT_SIDE_ASK)
        return GT_EBADMSG;
    int s = l->side == GT_SIDE_ASK;
    /* tickfeed's book keeps a null quantity as 0 (feed.c). */
    struct gt_mbp_level v = {l->px, l->qty == INT64_MAX ? 0 : l->qty, l->n_orders};
    int n = gt_mbp_apply(b->side[s], b->n[s], b->depth, l->action, l->level, &v);
    if (n < 0)
        return GT_EBADMSG;
    b->n[s] = n;
    return 0;
}

int gt_mbp_book_apply(struct gt_mbp_book *b, const struct gt_tick *t)
{
    b->last_seq = t->seq;
    if (t->kind == GT_KIND_DEF) {
        /* As tickfeed's book_depth_set(); not a book change, so last_ns stays. */
        b->depth = gt_mbp_depth_of(t->u.def.depth);
        for (int s = 0; s < 2; s++)
            b->n[s] = gt_mbp_truncate(b->side[s], b->n[s], b->depth);
        return 0;
    }
    if (t->kind == GT_KIND_STATUS) {
        switch (t->u.status.feed) {
        case GT_FEED_STALE:
            if (!b->stale)
                b->stale_since_ns = t->exch_ns;
            b->stale = true;
            break;
        case GT_FEED_RECOVERED:
            b->stale = false;
            break;
        case GT_FEED_RESET:
            for (int s = 0; s < 2; s++) {
                gt_mbp_clear(b->side[s], 0, b->n[s]);
                b->n[s] = 0;
            }
            break;
        }
        b->last_ns = t->exch_ns;
        return 0;
    }
    if (t->kind != GT_KIND_LEVEL)
        return 0;
    /* Even a tick that moves nothing is the book's latest: a checkpoint
     * written at it is keyed by its time (store/bookckpt.c). */
    b->last_ns = t->exch_ns;
    if (t->flags & (GT_F_IMPLIED | GT_F_CONSOLIDATED))
        return 0;
    int rc = level_apply(b, &t->u.level);
    if (rc < 0) {
        b->n_bad++;
        return rc;
    }
    b->n_applied++;
    return 0;
}
