/* SPDX-License-Identifier: MIT */
/* arb.c -- A/B arbitration by MsgSeqNum (see arb.h).
 *
 * State is the next expected sequence and a ring of max_held slots; a held
 * packet of sequence s sits in slot s % max_held. Held sequences always lie in
 * (next, next + max_held], so no two share a slot and a lookup is one index.
 * The in-order path is: read the sequence, compare, call deliver() on the
 * caller's bytes, and look at one slot if anything is held. Scans over the
 * slots happen only when a hole is declared a gap.
 *
 * A packet outside the window goes to the suspect machinery (arb_suspect):
 * its line's run is extended or replaced, and a confirmed run re-points next
 * and is replayed through the window path (arb_take) from its buffer. The
 * in-window path pays for suspects only with one counter and, while a run is
 * open, one look at whether the window has reached it. */
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
    if (!a->c.confirm_run)
        a->c.confirm_run = 8;
    if (a->c.confirm_run > ARB_RUN_MAX) {
        memset(a, 0, sizeof *a);
        return GT_EINVAL;
    }
    size_t w = a->c.max_held;
    a->slot_buf = malloc(w * a->c.max_pkt_len);
    a->slot_seq = calloc(w, sizeof *a->slot_seq);
    a->slot_len = calloc(w, sizeof *a->slot_len);
    a->slot_used = calloc(w, 1);
    a->slot_line = calloc(w, 1);
    a->slot_ns = calloc(w, sizeof *a->slot_ns);
    a->run[0].buf = malloc((size_t)ARB_RUN_MAX * a->c.max_pkt_len);
    a->run[1].buf = malloc((size_t)ARB_RUN_MAX * a->c.max_pkt_len);
    if (!a->slot_buf || !a->slot_seq || !a->slot_len || !a->slot_used || !a->slot_line ||
        !a->slot_ns || !a->run[0].buf || !a->run[1].buf) {
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
    free(a->run[0].buf);
    free(a->run[1].buf);
    a->run[0].buf = a->run[1].buf = NULL;
    a->n_runs = 0;
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

static int arb_flush(struct arb *a)
{
    int n = 0;
    while (a->n_held)
        n += arb_hole_declare(a);
    return n;
}

/* The window path: seq is next (delivered, with the run it completes), in the
 * window (held) or old (a duplicate). */
static int arb_take(struct arb *a, int line, const uint8_t *pkt, size_t len, uint32_t seq,
                    int64_t now_ns)
{
    uint32_t fwd = seq - a->next, w = a->c.max_held;
    if (fwd <= w)
        a->line_last[line] = seq;
    if (fwd == 0) {
        a->taken++;
        if (a->n_held)
            a->stats.reorders_healed++;
        arb_emit(a, pkt, len, line, seq);
        a->next++;
        return 1 + (a->n_held ? arb_drain(a) : 0);
    }
    if (fwd <= w) {
        uint32_t i = seq % w;
        if (a->slot_used[i]) {
            a->stats.duplicates[line]++;
            return 0;
        }
        if (len > a->c.max_pkt_len) {
            a->stats.malformed[line]++;
            return 0;
        }
        a->taken++;
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
        return 0;
    }
    a->stats.duplicates[line]++;
    return 0;
}

/* ---- suspects ------------------------------------------------------------ */

static uint32_t run_lo(const struct arb_run *r)
{
    return r->first + r->n - (r->n < ARB_RUN_MAX ? r->n : ARB_RUN_MAX);
}

static void run_close(struct arb *a, struct arb_run *r, int dropped)
{
    if (!r->kind)
        return;
    if (dropped)
        a->stats.suspect_dropped += r->n < ARB_RUN_MAX ? r->n : ARB_RUN_MAX;
    r->kind = ARB_RUN_NONE;
    r->n = 0;
    a->n_runs--;
}

/* Offers run r's buffered packets to the window, lowest first, and closes
 * it. Those still beyond the window are dropped. */
static int run_replay(struct arb *a, struct arb_run *r, int line, int64_t now_ns)
{
    int n = 0;
    uint32_t end = r->first + r->n;
    for (uint32_t s = run_lo(r); s != end; s++) {
        uint32_t i = s % ARB_RUN_MAX, fwd = s - a->next;
        if (fwd > a->c.max_held && fwd < UINT32_C(0x80000000))
            a->stats.suspect_dropped++;
        else
            n += arb_take(a, line, r->buf + (size_t)i * a->c.max_pkt_len, r->len[i], s, now_ns);
    }
    run_close(a, r, 0);
    return n;
}

/* A lone line's run: long enough, nothing said otherwise since it began (the
 * other line silent, nothing accepted), and either the other line had been
 * silent for confirm_run accepted packets before it (a dead twin) and it has
 * waited max_wait_ns, or its own packets kept coming for ARB_LONE_WAITS
 * times that (the twin died at the jump). A burst is never enough. */
static int run_lone_ok(const struct arb *a, const struct arb_run *r, int line, int64_t now_ns)
{
    if (r->n < a->c.confirm_run || r->taken != a->taken)
        return 0;
    if (r->other_rx != a->stats.received[!line])
        return 0;
    if (r->twin_dead)
        return now_ns - r->t0_ns >= a->c.max_wait_ns;
    return r->t_last_ns - r->t0_ns >= ARB_LONE_WAITS * a->c.max_wait_ns;
}

/* Confirms the runs: lo is the lowest sequence to deliver. */
static int run_confirm(struct arb *a, int kind, uint32_t lo, int64_t now_ns)
{
    int n = 0;
    if (kind == ARB_RUN_AHEAD) {
        n += arb_flush(a);
        if (!a->jump_open || a->taken - a->jump_taken >= a->c.confirm_run) {
            a->jump_from = a->next; /* the last jump held: this one starts afresh */
            a->jump_start = 0;
            a->jump_lost = a->jump_gaps = 0;
        }
        a->jump_open = 1;
        a->stats.jumps++;
        if (lo != a->next) {
            arb_gap(a, a->next, lo - 1);
            a->jump_lost += (uint32_t)(lo - a->next);
            a->jump_gaps++;
        }
        a->next = lo;
    } else if (kind == ARB_RUN_RESET) {
        uint32_t old = a->next;
        n += arb_flush(a);
        a->stats.resets++;
        a->jump_open = a->jump_start = 0;
        if (a->c.reset)
            a->c.reset(a->c.ctx, old);
        a->next = 1;
        if (lo != 1)
            arb_gap(a, 1, lo - 1);
        a->next = lo;
    } else {
        /* What the false expectation held is dropped, not delivered. */
        for (uint32_t i = 0; i < a->c.max_held && a->n_held; i++)
            if (a->slot_used[i]) {
                a->slot_used[i] = 0;
                a->n_held--;
                a->stats.suspect_dropped++;
            }
        if ((uint32_t)(lo - a->jump_from) >= UINT32_C(0x80000000))
            lo = a->jump_from; /* below it: delivered before the jump */
        a->jump_open = 0;
        a->stats.resyncs++;
        a->stats.lost_undone += a->jump_lost;
        a->stats.gaps_undone += a->jump_gaps;
        a->jump_lost = a->jump_gaps = 0;
        a->next = lo;
        if (a->c.resync) /* a false first packet: nothing before it is known lost */
            a->c.resync(a->c.ctx, a->jump_start ? lo : a->jump_from, lo);
        a->jump_start = 0;
    }
    for (int l = 0; l < 2; l++)
        if (a->run[l].kind == kind)
            n += run_replay(a, &a->run[l], l, now_ns);
    a->jump_taken = a->taken; /* a jump holds when the stream goes on past its run */
    return n;
}

/* A packet outside the window on line: extends or replaces its run, which
 * may then be confirmed. Returns the packets delivered. */
static int arb_suspect(struct arb *a, int line, const uint8_t *pkt, size_t len, uint32_t seq,
                       int kind, int64_t now_ns)
{
    struct arb_run *r = &a->run[line], *o = &a->run[!line];
    if (len > a->c.max_pkt_len) {
        a->stats.malformed[line]++;
        return 0;
    }
    a->stats.suspects[line]++;
    if (r->kind && seq == r->first + r->n) {
        r->n++;
    } else {
        run_close(a, r, 1);
        r->kind = (uint8_t)kind;
        r->first = seq;
        r->n = 1;
        r->t0_ns = now_ns;
        r->other_rx = a->stats.received[!line];
        r->taken = a->taken;
        r->twin_dead = a->taken - a->rx_taken[!line] >= a->c.confirm_run;
        a->n_runs++;
    }
    r->t_last_ns = now_ns;
    uint32_t i = seq % ARB_RUN_MAX;
    memcpy(r->buf + (size_t)i * a->c.max_pkt_len, pkt, len);
    r->len[i] = (uint32_t)len;
    uint32_t w = a->c.max_held;
    if (o->kind == r->kind) {
        /* Both lines moved to the same place: o's range, widened by the
         * window, holds seq. */
        uint32_t lo_o = run_lo(o), lo_r = run_lo(r), span = o->first + o->n - lo_o;
        if ((uint32_t)(seq - (lo_o - w)) < span + 2 * w) {
            uint32_t lo = (uint32_t)(lo_r - lo_o) < UINT32_C(0x80000000) ? lo_o : lo_r;
            return run_confirm(a, r->kind, lo, now_ns);
        }
    }
    if (run_lone_ok(a, r, line, now_ns))
        return run_confirm(a, r->kind, run_lo(r), now_ns);
    return 0;
}

/* The window reached an open ahead run (the other line filled the jump):
 * its packets join the window, or are dropped as the copies they now are. */
static int runs_settle(struct arb *a, int64_t now_ns)
{
    int n = 0;
    for (int l = 0; l < 2; l++) {
        struct arb_run *r = &a->run[l];
        uint32_t lo = run_lo(r);
        if (r->kind == ARB_RUN_AHEAD && ((uint32_t)(lo - a->next) <= a->c.max_held ||
                                         (uint32_t)(a->next - lo) < UINT32_C(0x80000000)))
            n += run_replay(a, r, l, now_ns);
    }
    return n;
}

int arb_poll(struct arb *a, int64_t now_ns)
{
    int n = 0;
    while (a->n_held && now_ns - a->hole_ns >= a->c.max_wait_ns)
        n += arb_hole_declare(a);
    for (int l = 0; l < 2 && a->n_runs; l++)
        if (a->run[l].kind && run_lone_ok(a, &a->run[l], l, now_ns))
            n += run_confirm(a, a->run[l].kind, run_lo(&a->run[l]), now_ns);
    return n;
}

int64_t arb_runs_due(const struct arb *a, int64_t due)
{
    for (int l = 0; l < 2; l++) {
        const struct arb_run *r = &a->run[l];
        if (r->kind && r->twin_dead && r->n >= a->c.confirm_run && r->taken == a->taken &&
            r->other_rx == a->stats.received[!l] && r->t0_ns + a->c.max_wait_ns < due)
            due = r->t0_ns + a->c.max_wait_ns;
    }
    return due;
}

/* What a packet outside the window would be if confirmed: ARB_RUN_NONE for a
 * late copy (old, a duplicate). */
static int arb_classify(const struct arb *a, uint32_t seq)
{
    uint32_t fwd = seq - a->next, back = a->next - seq;
    if (fwd < UINT32_C(0x7fffffff))
        return ARB_RUN_AHEAD;
    if (seq == 1 && a->next - 1 >= a->c.reset_min_jump)
        return ARB_RUN_RESET;
    if (a->jump_open && a->taken - a->jump_taken < a->c.confirm_run && back > a->c.max_held &&
        (uint32_t)(seq - a->jump_from) < (uint32_t)(a->next - a->jump_from))
        return ARB_RUN_RESYNC;
    return ARB_RUN_NONE;
}

int arb_offer(struct arb *a, int line, const uint8_t *pkt, size_t len, int64_t now_ns)
{
    if (line != ARB_LINE_A && line != ARB_LINE_B)
        return GT_EINVAL;
    a->stats.received[line]++;
    a->rx_taken[line] = a->taken;
    if (len < ARB_SEQ_LEN) {
        a->stats.malformed[line]++;
        return 0;
    }
    uint32_t seq = ld_le32(pkt);
    /* A packet that fills the hole is taken before the hole's time runs out. */
    int n = a->age_on_offer && (a->n_held || a->n_runs) && seq != a->next ? arb_poll(a, now_ns) : 0;
    if (!a->started) {
        /* A jump from nowhere, undone like any false one if the stream
         * turns out to be below it. */
        a->started = 1;
        a->next = seq;
        a->jump_open = a->jump_start = 1;
        a->jump_from = seq - UINT32_C(0x7fffffff);
        a->jump_taken = a->taken;
    }
    if (seq - a->next <= a->c.max_held) {
        n += arb_take(a, line, pkt, len, seq, now_ns);
        return n + (a->n_runs ? runs_settle(a, now_ns) : 0);
    }
    if (a->next - seq <= a->c.max_held && seq != 1 && !a->n_runs) {
        a->stats.duplicates[line]++; /* the other line's copy: the common case */
        return n;
    }
    if (a->n_held && seq - a->line_last[line] <= a->c.max_held &&
        seq - a->next < UINT32_C(0x80000000)) {
        /* The line runs on past the window while a hole waits, within a
         * window of what it last gave: no jump, the window is too small. The
         * oldest holes give way until seq fits. */
        while (a->n_held && seq - a->next > a->c.max_held)
            n += arb_hole_declare(a);
        if (seq - a->next > a->c.max_held) {
            arb_gap(a, a->next, seq - 1);
            a->next = seq;
        }
        n += arb_take(a, line, pkt, len, seq, now_ns);
        return n + (a->n_runs ? runs_settle(a, now_ns) : 0);
    }
    struct arb_run *r = &a->run[line];
    int kind = r->kind && seq == r->first + r->n ? r->kind : arb_classify(a, seq);
    if (kind == ARB_RUN_NONE) {
        a->stats.duplicates[line]++;
        return n;
    }
    return n + arb_suspect(a, line, pkt, len, seq, kind, now_ns);
}
