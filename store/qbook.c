/* SPDX-License-Identifier: MIT */
/* qbook.c -- MBP book replay for tickq book (contract in qbook.h). */
#include "qbook.h"
#include <string.h>
#include "gputick/err.h"

void qbook_init(struct qbook *b)
{
    memset(b, 0, sizeof *b);
    b->last_ns = INT64_MIN;
}

static int level_apply(struct qbook *b, const struct gt_level *l)
{
    if (l->side != GT_SIDE_BID && l->side != GT_SIDE_ASK)
        return GT_EBADMSG;
    int s = l->side == GT_SIDE_ASK, i = (int)l->level - 1;
    struct qbook_level *lv = b->side[s];
    int *n = &b->n[s];
    if (l->action == GT_ACT_DELETE_THRU) {
        *n = 0;
        return 0;
    }
    if (i < 0 || i >= QBOOK_DEPTH)
        return GT_EBADMSG;
    struct qbook_level v = {l->px, l->qty, l->n_orders};
    switch (l->action) {
    case GT_ACT_NEW:
        if (i > *n) /* a hole: the feed skipped levels; keep the book dense */
            i = *n;
        if (*n == QBOOK_DEPTH)
            (*n)--;
        memmove(&lv[i + 1], &lv[i], (size_t)(*n - i) * sizeof *lv);
        lv[i] = v;
        (*n)++;
        return 0;
    case GT_ACT_CHANGE:
    case GT_ACT_OVERLAY:
        if (i >= *n) { /* a change of a level we never saw: it exists now */
            i = *n;
            (*n)++;
        }
        lv[i] = v;
        return 0;
    case GT_ACT_DELETE:
        if (i < *n) {
            memmove(&lv[i], &lv[i + 1], (size_t)(*n - i - 1) * sizeof *lv);
            (*n)--;
        }
        return 0;
    case GT_ACT_DELETE_FROM:
        if (i < *n)
            *n = i;
        return 0;
    }
    return GT_EBADMSG;
}

int qbook_apply(struct qbook *b, const struct gt_tick *t)
{
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
            b->n[0] = b->n[1] = 0;
            break;
        }
        b->last_ns = t->exch_ns;
        return 0;
    }
    if (t->kind != GT_KIND_LEVEL || (t->flags & GT_F_IMPLIED))
        return 0;
    int rc = level_apply(b, &t->u.level);
    if (rc < 0) {
        b->n_bad++;
        return rc;
    }
    b->n_applied++;
    b->last_ns = t->exch_ns;
    return 0;
}
