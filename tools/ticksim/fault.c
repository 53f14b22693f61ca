/* SPDX-License-Identifier: MIT */
/* fault.c -- loss bursts, reordering, duplicates and delay on one line.
 *
 * Held packets sit in a small array in arrival order; a packet leaves when its
 * delay has passed and, if it was chosen to be reordered, when the number of
 * later packets it waits for have been delivered before it. Delivery order is
 * therefore the send order except for the reordered packets, and delivery
 * times never go backwards. */
#include "fault.h"
#include <stdlib.h>
#include <string.h>
#include "gputick/err.h"
#include "market.h"

int fault_init(struct fault *f, const struct fault_config *c, uint64_t seed, fault_out_fn *out,
               void *ctx)
{
    memset(f, 0, sizeof *f);
    if (!(c->drop_p >= 0 && c->drop_p <= 1) || !(c->dup_p >= 0 && c->dup_p <= 1) ||
        !(c->reorder_p >= 0 && c->reorder_p <= 1) || !(c->burst_mean >= 1) ||
        c->reorder_window < 0 || c->reorder_window >= FAULT_HOLD || c->delay_ns < 0)
        return GT_EINVAL;
    f->mem = malloc((size_t)FAULT_HOLD * FAULT_PKT_CAP);
    if (!f->mem)
        return GT_ENOMEM;
    f->cfg = *c;
    market_rng_seed(f->rng, seed);
    f->out = out;
    f->ctx = ctx;
    return GT_OK;
}

void fault_fini(struct fault *f)
{
    free(f->mem);
    f->mem = NULL;
}

/* Delivers, never earlier than the packet delivered before it. */
static void deliver(struct fault *f, int64_t t_ns, const uint8_t *p, size_t len)
{
    if (t_ns < f->last_out_ns)
        t_ns = f->last_out_ns;
    f->last_out_ns = t_ns;
    f->out(f->ctx, t_ns, p, len);
    f->st.n_out++;
}

/* Delivers held packet k; the packets held back before it have one fewer to wait for. */
static void held_release(struct fault *f, int k)
{
    struct fault_held h = f->held[k];
    deliver(f, h.t_ns, h.p, h.len);
    for (int j = 0; j < k; j++)
        f->held[j].after--;
    memmove(f->held + k, f->held + k + 1, (size_t)(f->n_held - k - 1) * sizeof *f->held);
    f->n_held--;
}

void fault_drain(struct fault *f, int64_t now_ns)
{
    while (f->n_held > 0) {
        int k = 0;
        while (k < f->n_held && !(f->held[k].after <= 0 && f->held[k].t_ns <= now_ns))
            k++;
        if (k == f->n_held) {
            if (now_ns != INT64_MAX)
                return;
            k = 0; /* the end: what is still held back goes now */
        }
        held_release(f, k);
    }
}

/* A free slot's memory: the one not used by any held packet. */
static uint8_t *slot_free(struct fault *f)
{
    for (int s = 0; s < FAULT_HOLD; s++) {
        uint8_t *p = f->mem + (size_t)s * FAULT_PKT_CAP;
        int used = 0;
        for (int k = 0; k < f->n_held && !used; k++)
            used = f->held[k].p == p;
        if (!used)
            return p;
    }
    return NULL;
}

static void hold(struct fault *f, int64_t t_ns, int after, const uint8_t *p, size_t len)
{
    if (f->n_held == FAULT_HOLD)
        held_release(f, 0);       /* the oldest goes early rather than be lost */
    uint8_t *slot = slot_free(f); /* before the new entry counts as held */
    struct fault_held *h = &f->held[f->n_held++];
    h->p = slot;
    memcpy(h->p, p, len);
    h->len = len;
    h->t_ns = t_ns;
    h->after = after;
}

int fault_push(struct fault *f, int64_t t_ns, const uint8_t *p, size_t len)
{
    if (len > FAULT_PKT_CAP)
        return GT_EINVAL;
    f->st.n_in++;
    fault_drain(f, t_ns);
    if (f->burst_left > 0) {
        f->burst_left--;
        f->st.n_dropped++;
        return 1;
    }
    if (market_rng_unit(f->rng) < f->cfg.drop_p) {
        f->st.n_dropped++;
        while (market_rng_unit(f->rng) < 1.0 - 1.0 / f->cfg.burst_mean)
            f->burst_left++;
        return 1;
    }
    int64_t at = t_ns + f->cfg.delay_ns;
    int copies = market_rng_unit(f->rng) < f->cfg.dup_p ? 2 : 1;
    f->st.n_dup += (uint64_t)(copies - 1);
    int after = 0;
    if (f->cfg.reorder_window > 0 && market_rng_unit(f->rng) < f->cfg.reorder_p) {
        after = 1 + (int)(market_rng_next(f->rng) % (uint64_t)f->cfg.reorder_window);
        f->st.n_reordered++;
    }
    for (int c = 0; c < copies; c++) {
        if (after == 0 && at <= t_ns && f->n_held == 0) {
            deliver(f, at, p, len);
        } else {
            hold(f, at, after, p, len);
        }
    }
    fault_drain(f, t_ns);
    return 0;
}
