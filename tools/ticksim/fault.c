/* SPDX-License-Identifier: MIT */
/* fault.c -- loss bursts, reordering, duplicates and delay on one line.
 *
 * Held packets sit in a small array in arrival order; a packet leaves when its
 * delay has passed and, if it was chosen to be held back, when the number of
 * later packets it waits for have been delivered before it or hold_ns has
 * passed, whichever comes first (so in a quiet market, where the next packet
 * is far off, a held packet goes out a little late but in order: networks
 * reorder packets that travel close together). Delivery order is therefore
 * the send order except for the overtaken packets, and delivery times never
 * go backwards. */
#include "fault.h"
#include <stdlib.h>
#include <string.h>
#include "gputick/bytes.h"
#include "gputick/err.h"
#include "mdp3.h"
#include "market.h"

int fault_init(struct fault *f, const struct fault_config *c, uint64_t seed, fault_out_fn *out,
               void *ctx)
{
    memset(f, 0, sizeof *f);
    if (!(c->drop_p >= 0 && c->drop_p <= 1) || !(c->dup_p >= 0 && c->dup_p <= 1) ||
        !(c->reorder_p >= 0 && c->reorder_p <= 1) || !(c->burst_mean >= 1) ||
        c->reorder_window < 0 || c->reorder_window >= FAULT_HOLD || c->delay_ns < 0 ||
        c->hold_ns < 0 || !(c->hostile_p >= 0 && c->hostile_p <= 1) ||
        c->hostile_seq < FAULT_SEQ_RANDOM || c->hostile_seq > FAULT_SEQ_FLIP ||
        c->hostile_body < FAULT_BODY_HEARTBEAT || c->hostile_body > FAULT_BODY_RANDOM)
        return GT_EINVAL;
    f->mem = malloc((size_t)FAULT_HOLD * FAULT_PKT_CAP);
    if (!f->mem)
        return GT_ENOMEM;
    f->cfg = *c;
    market_rng_seed(f->rng, seed);
    market_rng_seed(f->hrng, c->hostile_seed ^ 0x466f726765ULL);
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

/* Delivers held packet k at ready_ns; the packets held back before it have
 * one fewer to wait for, and have been overtaken. */
static void held_release(struct fault *f, int k, int64_t ready_ns)
{
    struct fault_held h = f->held[k];
    if (h.overtaken)
        f->st.n_reordered++;
    deliver(f, ready_ns, h.p, h.len);
    for (int j = 0; j < k; j++) {
        f->held[j].after--;
        f->held[j].overtaken = true;
    }
    memmove(f->held + k, f->held + k + 1, (size_t)(f->n_held - k - 1) * sizeof *f->held);
    f->n_held--;
}

/* When held packet h may go, or INT64_MAX while it must wait for later packets. */
static int64_t held_ready_ns(const struct fault_held *h)
{
    if (h->after <= 0)
        return h->t_ns;
    return h->hold_until_ns > h->t_ns ? h->hold_until_ns : h->t_ns;
}

void fault_drain(struct fault *f, int64_t now_ns)
{
    while (f->n_held > 0) {
        int k = 0;
        while (k < f->n_held && held_ready_ns(&f->held[k]) > now_ns)
            k++;
        if (k == f->n_held) {
            if (now_ns != INT64_MAX)
                return;
            k = 0; /* the end: what is still held back goes now */
        }
        int64_t ready = held_ready_ns(&f->held[k]);
        held_release(f, k, ready == INT64_MAX ? f->held[k].t_ns : ready);
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
        held_release(f, 0, f->held[0].t_ns); /* the oldest goes early rather than be lost */
    uint8_t *slot = slot_free(f);            /* before the new entry counts as held */
    struct fault_held *h = &f->held[f->n_held++];
    h->p = slot;
    memcpy(h->p, p, len);
    h->len = len;
    h->t_ns = t_ns;
    h->after = after;
    h->hold_until_ns = after > 0 && f->cfg.hold_ns > 0 ? t_ns + f->cfg.hold_ns : INT64_MAX;
    h->overtaken = false;
}

/* Builds the forged packet that follows real packet p into out; returns its
 * length. Every choice comes from the forger's generator. */
static size_t forge(struct fault *f, const uint8_t *p, size_t len, uint8_t *out)
{
    uint64_t *g = f->hrng;
    uint32_t real = ld_le32(p), seq = (uint32_t)market_rng_next(g);
    if (f->cfg.hostile_seq == FAULT_SEQ_AHEAD)
        seq = real + (1u << 16) + (uint32_t)(market_rng_next(g) % ((1u << 30) - (1u << 16)));
    else if (f->cfg.hostile_seq == FAULT_SEQ_FIXED)
        seq = f->cfg.hostile_fixed;
    if (f->cfg.hostile_seq == FAULT_SEQ_FLIP) {
        memcpy(out, p, len);
        st_le32(out, real ^ (1u << (11 + market_rng_next(g) % 21)));
        return len;
    }
    struct mdp3_enc e;
    mdp3_enc_init(&e, out, FAULT_PKT_CAP, seq, ld_le64(p + 4)); /* the real SendingTime */
    if (f->cfg.hostile_body == FAULT_BODY_HEARTBEAT) {
        mdp3_enc_heartbeat12(&e);
        return mdp3_enc_len(&e);
    }
    size_t n = MDP3_PKT_HDR_LEN;
    for (int m = 1 + (int)(market_rng_next(g) % 3); m > 0; m--) {
        uint64_t x = market_rng_next(g);
        uint16_t blen = (uint16_t)(x % 49), tid = (uint16_t)(x >> 8);
        if (x >> 62 == 0)
            tid = MDP3_T_ADMIN_HEARTBEAT12 + (uint16_t)(x >> 24) % 50; /* a known one, maybe */
        uint8_t *h = out + n;
        st_le16(h, (uint16_t)(MDP3_MSG_HDR_LEN + blen));
        st_le16(h + 2, blen);
        st_le16(h + 4, tid);
        st_le16(h + 6, MDP3_SCHEMA_MDP);
        st_le16(h + 8, MDP3_VERSION);
        for (uint16_t i = 0; i < blen; i++)
            h[MDP3_MSG_HDR_LEN + i] = (uint8_t)market_rng_next(g);
        n += MDP3_MSG_HDR_LEN + blen;
    }
    return n;
}

int fault_push(struct fault *f, int64_t t_ns, const uint8_t *p, size_t len)
{
    if (len > FAULT_PKT_CAP)
        return GT_EINVAL;
    f->st.n_in++;
    /* Decided first, from the forger's own generator, so that two lines
     * forge alike whatever else befalls each. */
    if (f->cfg.hostile_p > 0 && len >= MDP3_PKT_HDR_LEN &&
        market_rng_unit(f->hrng) < f->cfg.hostile_p) {
        uint8_t forged[FAULT_PKT_CAP];
        size_t n = forge(f, p, len, forged);
        deliver(f, t_ns + f->cfg.delay_ns, forged, n);
        f->st.n_forged++;
        f->st.last_forged_ns = t_ns;
    }
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
        f->st.n_held_back++;
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
