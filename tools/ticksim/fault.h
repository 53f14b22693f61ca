/* SPDX-License-Identifier: MIT */
/* fault.h -- deterministic network faults on one line (feed A or B).
 *
 * A line takes packets in send order and hands on what a lossy network would
 * deliver: a packet may start a loss burst (probability drop_p; burst length
 * geometric with mean burst_mean), be held back behind up to reorder_window
 * later packets but for hold_ns at most (probability reorder_p), be delivered
 * twice (dup_p), and
 * every packet is delayed by delay_ns. Delivery times never go backwards. Decisions come from the
 * line's own xoshiro256** state, so both lines of a run, and every run with the same seed, fault
 * identically. Held packets are copied into slots allocated by fault_init(); nothing allocates
 * afterwards.
 *
 * A line may also FORGE packets (hostile_p): before a packet, with that probability, a
 * well-framed MDP 3.0 datagram that no exchange sent -- a MsgSeqNum chosen by hostile_seq
 * (random over 2^32, ahead of the real one by 2^16..2^30, a fixed number, or the real one with
 * one of bits 11..31 flipped) and a body chosen by hostile_body (an AdminHeartbeat12, or one to
 * three messages of random template, length and bytes; a flipped packet keeps the real body).
 * Forged packets are added, never in place of a real one, so the truth file stays the truth.
 * Their decisions come from a generator seeded with hostile_seed alone: two lines with the same
 * settings forge the same packets at the same places, as a forger on both lines would. */
#ifndef GT_FAULT_H
#define GT_FAULT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    FAULT_PKT_CAP = 1500, /* largest packet a line holds */
    FAULT_HOLD = 64,      /* packets held for reordering or delay, at most */
};

enum fault_seq {
    FAULT_SEQ_RANDOM = 0, /* uniform over 2^32 */
    FAULT_SEQ_AHEAD = 1,  /* the real sequence + 2^16 .. 2^30 */
    FAULT_SEQ_FIXED = 2,  /* hostile_fixed */
    FAULT_SEQ_FLIP = 3,   /* the real packet, one of MsgSeqNum's bits 11..31 flipped */
};
enum fault_body {
    FAULT_BODY_HEARTBEAT = 0, /* one AdminHeartbeat12 */
    FAULT_BODY_RANDOM = 1,    /* 1..3 messages of random template id, length and bytes */
};

struct fault_config {
    double drop_p;      /* probability that a packet starts a loss burst */
    double burst_mean;  /* mean burst length in packets (>= 1; 1 = independent drops) */
    double dup_p;       /* probability of a duplicate */
    double reorder_p;   /* probability that a packet is held back */
    int reorder_window; /* held behind 1..reorder_window later packets (< FAULT_HOLD) */
    int64_t hold_ns;    /* ... or for this long at most; 0 = no bound */
    int64_t delay_ns;   /* added to every packet's send time */
    double hostile_p;   /* probability that a forged packet goes before a packet */
    int hostile_seq;    /* enum fault_seq */
    int hostile_body;   /* enum fault_body */
    uint32_t hostile_fixed;
    uint64_t hostile_seed; /* the same on both lines: they forge alike */
};

struct fault_stats {
    uint64_t n_in, n_out, n_dropped, n_dup;
    uint64_t n_held_back;   /* chosen to be held back */
    uint64_t n_reordered;   /* actually overtaken by a later packet */
    uint64_t n_forged;      /* forged packets sent */
    int64_t last_forged_ns; /* send time of the last of them; 0 if none */
};

/* Delivers one packet: called in delivery order with the delivery time. */
typedef void fault_out_fn(void *ctx, int64_t t_ns, const uint8_t *p, size_t len);

struct fault_held {
    int64_t t_ns;          /* delivery time */
    int after;             /* later packets still to be delivered before it goes */
    int64_t hold_until_ns; /* ... or until this time; INT64_MAX = no bound */
    bool overtaken;        /* a later packet went first */
    size_t len;
    uint8_t *p;
};

struct fault {
    struct fault_config cfg;
    uint64_t rng[4];
    uint64_t hrng[4]; /* the forger's */
    int burst_left;
    int64_t last_out_ns; /* delivery time of the last packet out */
    int n_held;
    struct fault_held held[FAULT_HOLD];
    uint8_t *mem;
    fault_out_fn *out;
    void *ctx;
    struct fault_stats st;
};

/* Checks the config and allocates the hold slots. Returns GT_OK, GT_EINVAL for
 * a probability outside [0,1], an unknown hostile_seq or hostile_body, burst_mean < 1, a window
 * outside 0..FAULT_HOLD-1 or a negative delay, or GT_ENOMEM. */
int fault_init(struct fault *f, const struct fault_config *c, uint64_t seed, fault_out_fn *out,
               void *ctx);
void fault_fini(struct fault *f);

/* Offers one packet sent at t_ns (non-decreasing); delivers zero or more
 * packets through out(). Returns 0 if the packet will be delivered (maybe
 * later, maybe twice), 1 if the line dropped it, GT_EINVAL if len >
 * FAULT_PKT_CAP. */
int fault_push(struct fault *f, int64_t t_ns, const uint8_t *p, size_t len);

/* Delivers the held packets whose time has come by now_ns (all of them when
 * now_ns is INT64_MAX, ignoring the reorder count). */
void fault_drain(struct fault *f, int64_t now_ns);

#endif
