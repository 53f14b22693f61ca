/* SPDX-License-Identifier: MIT */
/* qbook.c -- MBP book replay for tickq book (contract in qbook.h). The level
 * actions are gt_mbp_apply()'s, tickfeed's own; this file adds the feed
 * state, the depth from definitions and the checkpoint record. */
#include "qbook.h"
#include <string.h>
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/err.h"

void qbook_init(struct qbook *b, int depth)
{
    memset(b, 0, sizeof *b);
    for (int s = 0; s < 2; s++)
        gt_mbp_clear(b->side[s], 0, QBOOK_DEPTH);
    b->depth = gt_mbp_depth_of(depth);
    b->last_ns = INT64_MIN;
}

static int level_apply(struct qbook *b, const struct gt_level *l)
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

int qbook_apply(struct qbook *b, const struct gt_tick *t)
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
     * written at it is keyed by its time (store.c book_track). */
    b->last_ns = t->exch_ns;
    if (t->flags & GT_F_IMPLIED)
        return 0;
    int rc = level_apply(b, &t->u.level);
    if (rc < 0) {
        b->n_bad++;
        return rc;
    }
    b->n_applied++;
    return 0;
}

static const uint8_t ckpt_magic[4] = {'G', 'T', 'B', 'C'};

int qbook_ckpt_encode(const struct qbook *b, uint8_t out[QBOOK_CKPT_MAX])
{
    memset(out, 0, QBOOK_CKPT_HDR);
    memcpy(out, ckpt_magic, 4);
    out[4] = QBOOK_CKPT_VERSION;
    out[5] = b->stale ? 1 : 0;
    out[6] = (uint8_t)b->n[0];
    out[7] = (uint8_t)b->n[1];
    st_le64(out + 8, b->last_seq);
    st_le64(out + 16, (uint64_t)b->last_ns);
    st_le64(out + 24, (uint64_t)b->stale_since_ns);
    st_le64(out + 32, b->n_applied);
    out[40] = (uint8_t)b->depth;
    uint8_t *p = out + QBOOK_CKPT_HDR;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < b->n[s]; i++, p += QBOOK_CKPT_LEVEL) {
            st_le64(p, (uint64_t)b->side[s][i].px);
            st_le64(p + 8, (uint64_t)b->side[s][i].qty);
            st_le32(p + 16, (uint32_t)b->side[s][i].n_orders);
        }
    st_le32(p, gt_crc32c(0, out, (size_t)(p - out)));
    return (int)(p - out) + 4;
}

int qbook_ckpt_decode(const uint8_t *p, size_t len, struct qbook *b)
{
    if (len < 5)
        return GT_ETRUNC;
    if (memcmp(p, ckpt_magic, 4) != 0)
        return GT_EBADMSG;
    if (p[4] != QBOOK_CKPT_VERSION)
        return GT_EVERSION;
    if (len < QBOOK_CKPT_HDR + 4)
        return GT_ETRUNC;
    int depth = p[40];
    if (depth < 1 || depth > QBOOK_DEPTH || p[6] > depth || p[7] > depth ||
        len != (size_t)QBOOK_CKPT_HDR + (size_t)(p[6] + p[7]) * QBOOK_CKPT_LEVEL + 4)
        return GT_EBADMSG;
    if (gt_crc32c(0, p, len - 4) != ld_le32(p + len - 4))
        return GT_ECORRUPT;
    qbook_init(b, depth);
    b->stale = p[5] & 1;
    b->n[0] = p[6];
    b->n[1] = p[7];
    b->last_seq = ld_le64(p + 8);
    b->last_ns = (int64_t)ld_le64(p + 16);
    b->stale_since_ns = (int64_t)ld_le64(p + 24);
    b->n_applied = ld_le64(p + 32);
    const uint8_t *q = p + QBOOK_CKPT_HDR;
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < b->n[s]; i++, q += QBOOK_CKPT_LEVEL) {
            b->side[s][i].px = (int64_t)ld_le64(q);
            b->side[s][i].qty = (int64_t)ld_le64(q + 8);
            b->side[s][i].n_orders = (int32_t)ld_le32(q + 16);
        }
        if (b->n[s] > 0 && b->side[s][b->n[s] - 1].px == GT_MBP_PX_NONE)
            return GT_EBADMSG; /* n is the last non-empty level */
    }
    return GT_OK;
}
