/* SPDX-License-Identifier: MIT */
/* arb.h -- A/B arbitration of one channel's line pair by packet MsgSeqNum.
 *
 * CME sends every incremental packet on two lines, A and B; the first copy of
 * each sequence wins and the other is a duplicate (MDP 3.0 NOTES section 3).
 * The arbiter reads MsgSeqNum (packet bytes 0..3, little-endian u32) and
 * nothing else, so it does not depend on the codec.
 *
 * In order (the common case) a packet is handed to deliver() straight from
 * the caller's buffer: no copy. A packet ahead of the next expected sequence
 * is copied into one of max_held slots allocated at init and held; when the
 * hole fills, the held run is delivered in order ("reorder healed"). A hole
 * becomes a GAP [from, to] reported to gap() when either
 *   - it has waited max_wait_ns (checked by arb_offer(), unless the caller
 *     turned that off with arb_age_on_offer(), and by arb_poll()), or
 *   - a packet arrives more than max_held sequences ahead of the expected one:
 *     the oldest holes are declared until it fits the window, and if nothing
 *     is held before it, everything before it is declared lost at once;
 * after the gap the held packets are delivered in order, and a late copy of a
 * sequence in the gap is dropped as old (counted as a duplicate of its line).
 * A gap is reported just before the packet that follows it is delivered, and
 * a run lost on both lines is one gap with its exact range.
 *
 * Sequences are compared modulo 2^32, so 0xFFFFFFFF is followed by 0. The
 * first packet ever offered sets the expected sequence (see below).
 *
 * One line's word is never enough for an implausible sequence. A packet
 * beyond the reorder window -- more than max_held ahead, or a sequence 1 at
 * least reset_min_jump behind (a reset) -- is a SUSPECT: it is copied into
 * its line's run buffer (ARB_RUN_MAX slots), and consecutive sequences after
 * it on the same line extend the run. A forged or bit-flipped MsgSeqNum is a
 * lone suspect; a real jump (packets lost on both lines, a sender restarted
 * at 1) is seen on both lines, or on a line whose twin is dead. A run is
 * CONFIRMED when
 *   - the other line holds a run of the same kind within max_held of it
 *     (both lines jumped to the same place), or
 *   - it is confirm_run packets long, the other line received nothing and
 *     no packet was accepted in the window since it began, and either the
 *     other line had already been silent for the last confirm_run packets
 *     accepted before it (a dead twin) and the run is max_wait_ns old (the
 *     wait a hole gets), or its packets kept coming for ARB_LONE_WAITS times
 *     max_wait_ns (the twin died at the jump). A burst is never enough.
 * A confirmed jump declares next .. first-1 a gap (after the held holes);
 * a confirmed reset flushes the holes, calls reset() and restarts at 1; the
 * run's buffered packets are then delivered in order. A line that runs on
 * past the window while a hole waits -- within max_held of the last packet
 * it had accepted -- did not jump: the oldest holes give way until it fits. A run that an in-window
 * packet reaches (the window caught up with it) joins the window. Anything
 * else replaces a line's run; what it held is dropped and counted.
 *
 * A jump confirmed by two lines can still be false (a forger on both lines,
 * a buggy sender). If fewer than confirm_run packets are delivered after it,
 * packets keep arriving inside the skipped range and more than max_held below
 * the expectation, confirm_run of them in a row on one line (or a run on
 * each line within max_held of each other) with nothing accepted meanwhile
 * RE-SYNCHRONIZE the channel: held packets are dropped, resync() is called,
 * and the stream continues from the run. Packets of the skipped range that
 * arrived before the run are lost and said so through resync(). The first
 * packet ever offered is such a jump from nowhere: if it was forged, the
 * stream below it re-synchronizes the channel the same way.
 *
 * Nothing here allocates after arb_init(), prints, or makes a syscall. */
#ifndef GT_ARB_H
#define GT_ARB_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/err.h"

enum {
    ARB_LINE_A = 0,
    ARB_LINE_B = 1,
    ARB_SEQ_LEN = 4,
    ARB_RUN_MAX = 16,    /* suspect packets buffered per line */
    ARB_LONE_WAITS = 16, /* a lone run with a live twin must last this many max_wait_ns */
};

/* What a suspect run would do if confirmed. */
enum arb_run_kind { ARB_RUN_NONE = 0, ARB_RUN_AHEAD = 1, ARB_RUN_RESET = 2, ARB_RUN_RESYNC = 3 };

struct arb_config {
    uint32_t max_held;       /* reorder window in packets; 0 = 64 */
    uint32_t max_pkt_len;    /* bytes a held slot keeps; 0 = 2048; longer ones are dropped */
    int64_t max_wait_ns;     /* how long a hole may wait; 0 = 2 ms */
    uint32_t reset_min_jump; /* backward distance to 1 that is a reset; 0 = 1024 */
    uint32_t confirm_run;    /* a run this long on a lone line confirms; 0 = 8, <= ARB_RUN_MAX */
    void *ctx;               /* first argument of the callbacks */
    /* A packet to process, in strictly increasing sequence. pkt is a view valid
     * only during the call (the caller's buffer or an arb slot). Required. */
    void (*deliver)(void *ctx, const uint8_t *pkt, size_t len, int line, uint32_t seq);
    /* Sequences from..to (inclusive, modulo 2^32) were lost on both lines;
     * called just before the packet that follows them is delivered. Optional. */
    void (*gap)(void *ctx, uint32_t from, uint32_t to);
    /* The stream restarted at 1; old_next was the sequence expected before.
     * Optional. */
    void (*reset)(void *ctx, uint32_t old_next);
    /* A jump was false: the stream continues at next, below the expectation,
     * and from..next-1 (none if from == next) were not delivered. Optional. */
    void (*resync)(void *ctx, uint32_t from, uint32_t next);
};

struct arb_stats {
    uint64_t received[2];     /* packets offered per line */
    uint64_t accepted[2];     /* delivered per line (the winning copies) */
    uint64_t duplicates[2];   /* dropped: already delivered, held, or too old */
    uint64_t malformed[2];    /* shorter than 4 bytes, or longer than max_pkt_len when held */
    uint64_t gaps;            /* gap() calls */
    uint64_t lost;            /* sequences lost on both lines, summed over gaps */
    uint64_t reorders_healed; /* holes filled before becoming gaps */
    uint64_t resets;
    uint64_t held_max;        /* most packets held at once */
    uint64_t suspects[2];     /* packets per line taken as suspect (beyond the window) */
    uint64_t suspect_dropped; /* suspect packets never confirmed, or dropped at a resync */
    uint64_t jumps;           /* forward jumps confirmed */
    uint64_t resyncs;         /* false jumps undone */
    uint64_t gaps_undone;     /* gaps (counted above) that were false jumps */
    uint64_t lost_undone;     /* ... and the sequences they said lost */
};

/* A line's suspect run: sequences first .. first+n-1 in a row, the last
 * ARB_RUN_MAX of them buffered at slot seq % ARB_RUN_MAX. */
struct arb_run {
    uint8_t kind; /* enum arb_run_kind */
    uint32_t first, n;
    int64_t t0_ns;     /* arrival of first */
    uint64_t other_rx; /* the other line's received count then */
    uint64_t taken;    /* arb's taken count then */
    int64_t t_last_ns; /* arrival of the last */
    int twin_dead;     /* the other line had been silent for confirm_run taken packets */
    uint32_t len[ARB_RUN_MAX];
    uint8_t *buf; /* ARB_RUN_MAX * max_pkt_len */
};

struct arb {
    struct arb_config c;
    struct arb_stats stats;
    int started;      /* a first packet set next */
    int age_on_offer; /* arb_offer() ages holes (default 1) */
    uint32_t next;    /* sequence expected next */
    uint32_t n_held;  /* packets in slots */
    int64_t hole_ns;  /* when the current hole was first seen (n_held > 0) */
    /* Allocated at init: max_held slots, slot of seq s at s % max_held. */
    uint8_t *slot_buf;
    uint32_t *slot_seq, *slot_len;
    uint8_t *slot_used, *slot_line;
    int64_t *slot_ns;
    /* Suspects. */
    struct arb_run run[2];
    int n_runs;                    /* runs open */
    uint64_t taken;                /* packets accepted in the window (delivered or held) */
    int jump_open;                 /* a confirmed jump has not held yet */
    uint32_t jump_from;            /* the expectation before it */
    uint64_t jump_lost, jump_gaps; /* what the jumps since jump_from declared */
    int jump_start;                /* ... which is the first packet ever offered */
    uint64_t jump_taken;           /* taken when it was confirmed */
    uint32_t line_last[2];         /* the last sequence each line had taken */
    uint64_t rx_taken[2];          /* taken when each line last received a packet */
};

/* Sets up a with c (defaults for zero fields) and allocates the slots.
 * Returns GT_OK, GT_EINVAL without a deliver callback, or GT_ENOMEM. */
int arb_init(struct arb *a, const struct arb_config *c);

/* Frees the slots; safe on a zeroed or finished arb. */
void arb_fini(struct arb *a);

/* Offers one packet received on line (ARB_LINE_A or ARB_LINE_B) at now_ns.
 * Calls deliver() for it and for every held packet it releases, gap() and
 * reset() as described above, all before returning. Returns the number of
 * packets delivered (>= 0), or GT_EINVAL for a bad line; a short packet is
 * counted as malformed, not an error. */
int arb_offer(struct arb *a, int line, const uint8_t *pkt, size_t len, int64_t now_ns);

/* With on = 0, arb_offer() no longer ages holes: only arb_poll() does. For a
 * caller that offers a batch of packets read from both lines at one moment
 * and then polls: a hole must not become a gap while its missing packet's
 * other copy is still further down the same batch. */
void arb_age_on_offer(struct arb *a, int on);

/* Declares the current hole a gap if it has waited max_wait_ns at now_ns and
 * releases what follows it; call it when no packet arrives. Returns the number
 * of packets delivered. */
int arb_poll(struct arb *a, int64_t now_ns);

/* The time at which arb_poll() has something to do: the current hole
 * becomes a gap (when it started plus max_wait_ns), or a lone line's run
 * becomes confirmed; INT64_MAX if neither. */
int64_t arb_runs_due(const struct arb *a, int64_t due); /* arb_due() with a run open */
static inline int64_t arb_due(const struct arb *a)
{
    int64_t due = a->n_held ? a->hole_ns + a->c.max_wait_ns : INT64_MAX;
    return a->n_runs ? arb_runs_due(a, due) : due;
}

/* Sequence expected next (meaningful once a packet was offered). */
static inline uint32_t arb_next(const struct arb *a)
{
    return a->next;
}

#endif
