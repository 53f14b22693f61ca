/* SPDX-License-Identifier: MIT */
/* qbook.c -- MBP book replay for tickq book (contract in qbook.h). */
#include "qbook.h"
#include <string.h>
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
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
    b->last_seq = t->seq;
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

static const uint8_t ckpt_magic[4] = {'G', 'T', 'B', 'C'};

int qbook_ckpt_encode(const struct qbook *b, uint8_t out[QBOOK_CKPT_MAX])
{
    memcpy(out, ckpt_magic, 4);
    out[4] = QBOOK_CKPT_VERSION;
    out[5] = b->stale ? 1 : 0;
    out[6] = (uint8_t)b->n[0];
    out[7] = (uint8_t)b->n[1];
    st_le64(out + 8, b->last_seq);
    st_le64(out + 16, (uint64_t)b->last_ns);
    st_le64(out + 24, (uint64_t)b->stale_since_ns);
    st_le64(out + 32, b->n_applied);
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
    if (len < QBOOK_CKPT_HDR + 4)
        return GT_ETRUNC;
    if (memcmp(p, ckpt_magic, 4) != 0)
        return GT_EBADMSG;
    if (p[4] != QBOOK_CKPT_VERSION)
        return GT_EVERSION;
    if (p[6] > QBOOK_DEPTH || p[7] > QBOOK_DEPTH ||
        len != (size_t)QBOOK_CKPT_HDR + (size_t)(p[6] + p[7]) * QBOOK_CKPT_LEVEL + 4)
        return GT_EBADMSG;
    if (gt_crc32c(0, p, len - 4) != ld_le32(p + len - 4))
        return GT_ECORRUPT;
    qbook_init(b);
    b->stale = p[5] & 1;
    b->n[0] = p[6];
    b->n[1] = p[7];
    b->last_seq = ld_le64(p + 8);
    b->last_ns = (int64_t)ld_le64(p + 16);
    b->stale_since_ns = (int64_t)ld_le64(p + 24);
    b->n_applied = ld_le64(p + 32);
    const uint8_t *q = p + QBOOK_CKPT_HDR;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < b->n[s]; i++, q += QBOOK_CKPT_LEVEL) {
            b->side[s][i].px = (int64_t)ld_le64(q);
            b->side[s][i].qty = (int64_t)ld_le64(q + 8);
            b->side[s][i].n_orders = (int32_t)ld_le32(q + 16);
        }
    return GT_OK;
}
