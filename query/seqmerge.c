/* SPDX-License-Identifier: MIT */
/* seqmerge.c -- k-way merge of tick runs by seq (contract in seqmerge.h).
 *
 * Inputs are few (the shards or the kinds: at most 16), so each call scans
 * them all for the least head rather than keeping a heap. */
#include "seqmerge.h"

void seqmerge_init(struct seqmerge *m, int n_in,
                   int (*refill)(void *ctx, int k, const struct gt_tick **t), void *ctx)
{
    *m = (struct seqmerge){.refill = refill, .ctx = ctx, .n_in = n_in};
    for (int k = 0; k < n_in; k++)
        m->in[k].open = true;
}

int seqmerge_run(struct seqmerge *m, const struct gt_tick **t)
{
    int best = -1;
    for (int k = 0; k < m->n_in; k++) {
        if (!m->in[k].open)
            continue;
        for (;;) {
            /* Drop ticks at or below the last handed out: a shard's copy. */
            while (m->started && m->in[k].i < m->in[k].n &&
                   m->in[k].t[m->in[k].i].seq <= m->last_seq)
                m->in[k].i++;
            if (m->in[k].i < m->in[k].n)
                break;
            int rc = m->refill(m->ctx, k, &m->in[k].t);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                m->in[k].open = false;
                break;
            }
            m->in[k].n = rc;
            m->in[k].i = 0;
        }
        if (m->in[k].open &&
            (best < 0 || m->in[k].t[m->in[k].i].seq < m->in[best].t[m->in[best].i].seq))
            best = k;
    }
    if (best < 0)
        return 0;
    uint64_t limit = UINT64_MAX;
    for (int k = 0; k < m->n_in; k++)
        if (k != best && m->in[k].open && m->in[k].t[m->in[k].i].seq < limit)
            limit = m->in[k].t[m->in[k].i].seq;
    int from = m->in[best].i, n = 0;
    while (m->in[best].i < m->in[best].n && m->in[best].t[m->in[best].i].seq < limit) {
        m->in[best].i++;
        n++;
    }
    if (n == 0) { /* equal heads: hand out one, the other is dropped next time */
        m->in[best].i++;
        n = 1;
    }
    *t = &m->in[best].t[from];
    m->last_seq = m->in[best].t[m->in[best].i - 1].seq;
    m->started = true;
    return n;
}
