/* SPDX-License-Identifier: MIT */
/* emit.h -- the market on the wire: MDP 3.0 packets for the eight feeds.
 *
 * Encodes market events with the codec's encoder (mdp3/mdp3.h) into packets
 * of at most EMIT_PKT_MAX bytes, one packet sequence per feed from 1, and
 * SendingTime = simulated time:
 *   - incremental A and B: the same packets, each through its own fault line;
 *     packets chosen for common loss (a rate, or listed sequence numbers) go
 *     to neither line. Entries of one event travel as runs of one template;
 *     MatchEventIndicator marks the last trade, volume, quote and statistics
 *     message and EndOfEvent only the last message of the event, which may
 *     span packets. The packet is sent at the end of each event.
 *   - snapshot A and B: every snap_every_ns, one SnapshotFullRefresh52 per
 *     instrument with activity, LastMsgSeqNumProcessed = the last incremental
 *     sequence sent, TotNumReports = the number of those instruments.
 *   - definitions A and B: every def_every_ns, one MDInstrumentDefinitionFuture54
 *     per instrument, TotNumReports = all instruments.
 *   - index A and B: definitions 347 with the definition loop, values 348 as
 *     the market publishes them, and the latest value of every index again
 *     every index_repeat_ns (the channel has no snapshot loop).
 *   - heartbeats: after heartbeat_ns without an incremental packet, a packet
 *     holding one AdminHeartbeat12 goes out on A and B with the next sequence
 *     number (so a receiver learns of a lost last packet in a quiet market).
 * Packets leave through the caller's sink in send order. Buffers and fault
 * slots are allocated in emit_init(); nothing allocates afterwards. */
#ifndef GT_EMIT_H
#define GT_EMIT_H
#include <stdbool.h>
#include <stdint.h>
#include "fault.h"
#include "channels.h"
#include "mdp3.h"
#include "market.h"

enum {
    EMIT_PKT_MAX = 1400,
    EMIT_LOSE_MAX = 64, /* listed sequence numbers lost on both lines */
};

/* Receives every packet: feed is an enum gt_feed, t_ns its send time. */
typedef void emit_sink_fn(void *ctx, int feed, int64_t t_ns, const uint8_t *p, size_t len);

struct emit_config {
    int appl_id;                      /* channel (SecurityGroup's ApplID), channels.h */
    int64_t snap_every_ns;            /* snapshot loop interval; 0 = no snapshots */
    int64_t def_every_ns;             /* definition loop interval; 0 = only at start */
    int64_t index_repeat_ns;          /* repeat of latest index values; 0 = none */
    int64_t heartbeat_ns;             /* incremental silence before a heartbeat; 0 = none */
    struct fault_config line[2];      /* faults of incremental A and B */
    double common_loss_p;             /* probability a packet is lost on both lines */
    double common_burst;              /* mean length of such a loss, packets (<= 1: one) */
    uint32_t lose_seq[EMIT_LOSE_MAX]; /* incremental sequences lost on both lines */
    int n_lose_seq;
};

struct emit_stats {
    uint64_t n_pkts[GT_N_FEEDS];
    uint64_t n_msgs;         /* messages encoded, all feeds */
    uint64_t n_common_lost;  /* incremental packets chosen to be lost on both lines */
    uint64_t n_common_runs;  /* ... the runs of consecutive ones among them */
    uint64_t n_both_dropped; /* ... and those both lines' own faults happened to drop */
    uint64_t n_heartbeats;   /* heartbeat packets on the incremental lines */
    uint64_t n_implied;      /* implied (E/F) book entries sent, restatements included */
    uint64_t n_leg_prints;   /* trade entries that print a spread trade's legs */
};

struct emit {
    struct emit_config cfg;
    struct market *m;
    emit_sink_fn *sink;
    void *ctx;
    uint64_t rng[4];
    uint32_t seq[GT_N_FEEDS]; /* last sent per feed */
    int64_t next_snap_ns, next_def_ns, next_repeat_ns, next_hb_ns;
    bool common_burst_on;     /* the last packet was lost on both lines by --lose-both */
    uint32_t common_last_seq; /* the last packet lost on both lines */
    struct mdp3_enc enc;      /* the open incremental packet */
    int64_t enc_t_ns;
    uint8_t buf[EMIT_PKT_MAX];
    uint8_t side_buf[EMIT_PKT_MAX]; /* snapshot, definition, index packets */
    struct mdp3_idx348_entry last_ix[MARKET_N_PRODUCTS];
    struct fault line[2];
    const struct market_event *cur_ev; /* the event being sent to the index feed */
    struct market_event restate;       /* one instrument's book after a reset */
    /* Of the last event emit_event() sent, per entry: the MsgSeqNum of the
     * incremental packet that carried it (0 for index entries), and whether
     * that packet was lost on both lines. */
    uint32_t ev_seq[MARKET_EV_MAX];
    bool ev_lost[MARKET_EV_MAX];
    int pkt_first, pkt_end; /* entries of the event in the open packet */
    struct emit_stats st;
};

/* Readies the emitter for market m (which it reads, and steps nothing of).
 * seed drives the fault lines and common loss. Returns GT_OK, GT_EINVAL for a
 * bad fault config, or GT_ENOMEM. */
int emit_init(struct emit *e, const struct emit_config *c, struct market *m, uint64_t seed,
              emit_sink_fn *sink, void *ctx);
void emit_fini(struct emit *e);

/* Fills the defaults: channel 310, snapshots every 30 s, definitions every
 * 60 s, index repeats every 15 s, no faults. */
void emit_config_default(struct emit_config *c);

/* Sends the definitions (54 and 347) now; call once before the first event. */
int emit_start(struct emit *e, int64_t t_ns);

/* Runs the loops (snapshot, definitions, index repeats) that fall due before
 * t_ns; call before emitting an event at t_ns. Returns GT_OK or a GT_E*. */
int emit_until(struct emit *e, int64_t t_ns);

/* Sends one market event. Returns GT_OK, or GT_EINVAL if an entry cannot be
 * encoded (a bug). */
int emit_event(struct emit *e, const struct market_event *ev);

/* Sends a ChannelReset4 at the market's current time, restarts every RptSeq
 * and resends each instrument's book as New entries with RecoveryMsg set.
 * Returns GT_OK or a GT_E*. */
int emit_reset(struct emit *e);

/* Delivers what the fault lines still hold, then runs the snapshot loop once
 * more at t_ns (when there is one; t_ns no earlier than the last packet), so
 * that a receiver that lost packets near the end still converges on the final
 * books. Returns GT_OK or a GT_E*. */
int emit_finish(struct emit *e, int64_t t_ns);

#endif
