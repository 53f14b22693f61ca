/* SPDX-License-Identifier: MIT */
/* arb.c -- A/B arbitration by MsgSeqNum (see arb.h).
 *
 * State is the next expected sequence and a ring of max_held slots; a held
 * packet of sequence s sits in slot s % max_held. Held sequences always lie in
 * (next, next + max_held], so no two share a slot and a lookup is one index.
 * The in-order path is: read the sequence, compare, call deliver() on the
 * caller's bytes, and look at one slot if anything is held. Scans over the
 * slots happen only when a hole is declared a gap. */
#include "arb.h"
#include <stdlib.h>
#include <string.h>
#include "gputick/bytes.h"

int arb_init(struct arb *a, const struct arb_config *c)
{
    memset(a, 0, sizeof *a);
    if (!c || !c->deliver)
        return GT_EINVAL;
    a->c = *c;
    a->age_on_offer = 1;
    if (!a->c.max_held)
        a->c.max_held = 64;
    if (!a->c.max_pkt_len)
        a->c.max_pkt_len = 2048;
    if (a->c.max_wait_ns <= 0)
        a->c.max_wait_ns = 2000000;
    if (!a->c.reset_min_jump)
        a->c.reset_min_jump = 1024;
    size_t w = a->c.max_held;
    a->slot_buf = malloc(w * a->c.max_pkt_len);
    a->slot_seq = calloc(w, sizeof *a->slot_seq);
    a->slot_len = calloc(w, sizeof *a->slot_len);
    a->slot_used = calloc(w, 1);
    a->slot_line = calloc(w, 1);
    a->slot_ns = calloc(w, sizeof *a->slot_ns);
    if (!a->slot_buf || !a->slot_seq || !a->slot_len || !a->slot_used || !a->slot_line ||
        !a->slot_ns) {
        arb_fini(a);
        return GT_ENOMEM;
    }
    return GT_OK;
}

void arb_fini(struct arb *a)
{
    free(a->slot_buf);
    free(a->slot_seq);
    free(a->slot_len);
    free(a->slot_used);
    free(a->slot_line);
    free(a->slot_ns);
    a->slot_buf = a->slot_used = a->slot_line = NULL;
    a->slot_seq = a->slot_len = NULL;
    a->slot_ns = NULL;
    a->n_held = 0;
}

static void arb_emit(struct arb *a, const uint8_t *p, size_t len, int line, uint32_t seq)
{
    a->stats.accepted[line]++;
    a->c.deliver(a->c.ctx, p, len, line, seq);
}

/* Delivers the held run that starts at next. */
static int arb_drain(struct arb *a)
{
    int n = 0;
    while (a->n_held) {
        uint32_t i = a->next % a->c.max_held;
        if (!a->slot_used[i] || a->slot_seq[i] != a->next)
            break;
        a->slot_used[i] = 0;
        a->n_held--;
        arb_emit(a, a->slot_buf + (size_t)i * a->c.max_pkt_len, a->slot_len[i], a->slot_line[i],
                 a->next);
        a->next++;
        n++;
    }
    return n;
}

static void arb_gap(struct arb *a, uint32_t from, uint32_t to)
{
    a->stats.gaps++;
    a->stats.lost += (uint64_t)(uint32_t)(to - from) + 1;
    if (a->c.gap)
        a->c.gap(a->c.ctx, from, to);
}

/* Declares the hole before the lowest held packet lost, delivers the run
 * after it, and restarts the hole clock at the oldest arrival still held. */
static int arb_hole_declare(struct arb *a)
{
    uint32_t w = a->c.max_held, s = a->next;
    for (uint32_t k = 1; k <= w; k++) {
        uint32_t i = (a->next + k) % w;
        if (a->slot_used[i] && a->slot_seq[i] == a->next + k) {
            s = a->next + k;
            break;
        }
    }
    arb_gap(a, a->next, s - 1);
    a->next = s;
    int n = arb_drain(a);
    if (a->n_held) {
        a->hole_ns = INT64_MAX;
        for (uint32_t i = 0; i < w; i++)
            if (a->slot_used[i] && a->slot_ns[i] < a->hole_ns)
                a->hole_ns = a->slot_ns[i];
    }
    return n;
}

void arb_age_on_offer(struct arb *a, int on)
{
    a->age_on_offer = on != 0;
}

int arb_poll(struct arb *a, int64_t now_ns)
{
    int n = 0;
    while (a->n_held && now_ns - a->hole_ns >= a->c.max_wait_ns)
        n += arb_hole_declare(a);
    return n;
}

static int arb_flush(struct arb *a)
{
    int n = 0;
    while (a->n_held)
        n += arb_hole_declare(a);
    return n;
}

int arb_offer(struct arb *a, int line, const uint8_t *pkt, size_t len, int64_t now_ns)
{
    if (line != ARB_LINE_A && line != ARB_LINE_B)
        return GT_EINVAL;
    a->stats.received[line]++;
    if (len < ARB_SEQ_LEN) {
        a->stats.malformed[line]++;
        return 0;
    }
    uint32_t seq = ld_le32(pkt), w = a->c.max_held;
    /* A packet that fills the hole is taken before the hole's time runs out. */
    int n = a->age_on_offer && a->n_held && seq != a->next ? arb_poll(a, now_ns) : 0;
    if (!a->started) {
        a->started = 1;
        a->next = seq;
    }
    uint32_t fwd = seq - a->next;
    if (seq == 1 && a->next != 1 && fwd > w && a->next - 1 >= a->c.reset_min_jump) {
        uint32_t old = a->next;
        n += arb_flush(a);
        a->stats.resets++;
        if (a->c.reset)
            a->c.reset(a->c.ctx, old);
        a->next = 1;
        fwd = 0;
    }
    if (fwd > w && fwd < UINT32_C(0x7fffffff)) { /* ahead of the last delivered by < 2^31 */
        /* Too far ahead: give up the oldest holes until seq fits the window;
         * with nothing held, every sequence before seq is lost at once. */
        while (a->n_held && seq - a->next > w)
            n += arb_hole_declare(a);
        if (seq - a->next > w) {
            arb_gap(a, a->next, seq - 1);
            a->next = seq;
        }
        fwd = seq - a->next;
    }
    if (fwd == 0) {
        if (a->n_held)
            a->stats.reorders_healed++;
        arb_emit(a, pkt, len, line, seq);
        a->next++;
        return n + 1 + (a->n_held ? arb_drain(a) : 0);
    }
    if (fwd <= w) {
        uint32_t i = seq % w;
        if (a->slot_used[i]) {
            a->stats.duplicates[line]++;
            return n;
        }
        if (len > a->c.max_pkt_len) {
            a->stats.malformed[line]++;
            return n;
        }
        memcpy(a->slot_buf + (size_t)i * a->c.max_pkt_len, pkt, len);
        a->slot_used[i] = 1;
        a->slot_seq[i] = seq;
        a->slot_len[i] = (uint32_t)len;
        a->slot_line[i] = (uint8_t)line;
        a->slot_ns[i] = now_ns;
        if (a->n_held++ == 0)
            a->hole_ns = now_ns;
        if (a->n_held > a->stats.held_max)
            a->stats.held_max = a->n_held;
        return n;
    }
    a->stats.duplicates[line]++;
    return n;
}
