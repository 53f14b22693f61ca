/* SPDX-License-Identifier: MIT */
/* sim.h -- one ticksim run: market, wire, faults, outputs and pacing.
 *
 * sim_run() asks the market when its next match event falls, runs the
 * recovery loops due by then (so a snapshot shows the books as of its
 * LastMsgSeqNumProcessed), steps the market, sends the event, and hands every
 * packet to the outputs: live multicast on the configured feeds (through
 * mdp3/net.h: loopback and TTL 0 unless the caller names others), a
 * pcap file with all feeds interleaved in send order, and the truth file.
 * Live runs are paced to simulated time (day_seconds) or to a message rate;
 * runs that do not send go as fast as they can. Everything a run allocates is
 * freed before it returns. */
#ifndef GT_SIM_H
#define GT_SIM_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "emit.h"
#include "channels.h"
#include "gputick/err.h"
#include "market.h"

struct sim_config {
    struct market_config market;
    struct emit_config emit;
    struct gt_channels ch; /* groups, ports, interface, TTL; ch.channel_id is the ApplID */
    int64_t duration_ns;   /* simulated time to run */
    uint64_t max_events;   /* 0 = until duration */
    int64_t tail_ns;       /* after the last event the side loops run on this long */
    int64_t reset_ns;      /* ChannelReset4 at this simulated time; 0 = none */
    const char *pcap;      /* NULL = none */
    const char *truth;     /* NULL = none */
    bool live;             /* multicast */
    double day_seconds;    /* wall seconds per simulated day; 0 = unpaced */
    double rate;           /* messages per wall second; 0 = not rate-paced */
};

struct sim_stats {
    uint64_t n_events;
    uint64_t n_send_fail; /* datagrams the kernel refused (live) */
    struct emit_stats emit;
    struct fault_stats line[2];
    uint32_t last_seq[GT_N_FEEDS]; /* last MsgSeqNum sent per feed */
    int64_t end_ns;                /* simulated time reached */
};

/* Fills defaults: the market's and emitter's, channels.h's, nine hours from
 * 2026-11-24T12:58Z at one simulated day per 240 s, live. */
void sim_config_default(struct sim_config *c);

/* Runs until the duration or event count is reached or *running turns 0
 * (may be NULL). One run at a time per process: the market and emitter state
 * (a few hundred KB) is static, not on the caller's stack. Returns GT_OK,
 * GT_EINVAL for a bad config (message in err), GT_EIO for an output failure
 * (message in err), GT_ENOMEM. */
int sim_run(const struct sim_config *c, volatile sig_atomic_t *running, struct sim_stats *st,
            char err[GT_ERRLEN]);

#endif
