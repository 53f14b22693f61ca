/* SPDX-License-Identifier: MIT */
/* feedday.h -- a ticksim trading day as tickfeed sees it, for the benchmarks.
 *
 * feedday_load() runs ticksim's simulator in-process (sim_run, unpaced, no
 * multicast) into a pcap in a temporary folder, maps it with
 * mdp3/pcap.h and deletes the file (the mapping stays until
 * feedday_free), and lists every datagram with the feed its port names.
 * feedday_feed() hands those packets to a new tickfeed core exactly as
 * tickfeed --pcap does: capture time is the feed's clock, feed_poll runs at
 * each moment feed_due() names before a packet and once more after the last.
 * feedday_ticks() collects what that core emits into one stream in bus order,
 * each record numbered as the publisher numbers it (seq from 1, +1 a record):
 * the ticks tickstore would record from that day. Nothing here prints. */
#ifndef GT_BENCH_FEEDDAY_H
#define GT_BENCH_FEEDDAY_H
#include <stddef.h>
#include <stdint.h>
#include "../ticksim/sim.h"
#include "feed.h"
#include "gputick/err.h"
#include "gputick/tick.h"
#include "pcap.h"

struct feedday_pkt {
    const uint8_t *p; /* into the mapping */
    uint32_t len;
    uint8_t feed; /* enum gt_feed */
    int64_t ts_ns;
};

struct feedday {
    struct pcap_reader pr; /* the mapping the packets point into */
    struct feedday_pkt *pkt;
    size_t n_pkts;
};

enum { FEEDDAY_KINDS = GT_KIND_MAX + 1 };

struct feedday_ticks {
    struct gt_tick *t; /* bus order */
    size_t n;
    int32_t *ids; /* every instrument, ascending: series = index * FEEDDAY_KINDS + kind */
    int n_ids;
};

/* Runs the simulator with c (its pcap, live and pacing fields are set here;
 * the rest, market and duration included, is the caller's) and maps the day.
 * Returns GT_OK, or GT_EIO / GT_EINVAL / GT_ENOMEM with a message in err;
 * nothing is then left to free. */
int feedday_load(struct feedday *d, const struct sim_config *c, char err[GT_ERRLEN]);
void feedday_free(struct feedday *d);

/* Feeds the packets of the feeds whose bit is set in feeds (1 << enum
 * gt_feed) to a new feed core with the given emit and ctx, as tickfeed
 * --pcap does. *secs (may be NULL) gets the time it took. Returns GT_OK,
 * GT_ECORRUPT if the day did not run clean (a packet gap, a book left
 * stale), or the error of feed_open or emit. */
int feedday_feed(const struct feedday *d, unsigned feeds, feed_emit_fn emit, void *ctx,
                 double *secs);

/* Every record tickfeed's core emits from every feed of the day, decoded, in
 * bus order with seq from 1, and the instruments they name. Returns GT_OK
 * (free with feedday_ticks_free) or as feedday_feed(); nothing is then left
 * to free. */
int feedday_ticks(const struct feedday *d, struct feedday_ticks *out);
void feedday_ticks_free(struct feedday_ticks *t);

/* The instrument's index in ids[], or -1. */
int feedday_instr(const struct feedday_ticks *d, int32_t instr_id);
/* The series index of a tick of the day: instrument index * FEEDDAY_KINDS + kind. */
int feedday_series(const struct feedday_ticks *d, const struct gt_tick *t);

#endif
