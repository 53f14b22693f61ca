/* SPDX-License-Identifier: MIT */
/* channels.h -- the multicast feeds of one gputick market, and their defaults.
 *
 * A market is one MDP 3.0 channel: incremental lines A and B, the snapshot
 * loop on A and B, instrument definitions on A and B, and the GPU index
 * channel (schema 5) on A and B. ticksim sends them and tickfeed joins them;
 * both take these defaults and let the user override each. Groups are in the
 * administratively scoped 239.255/16 range; sending is always on the loopback
 * interface with TTL 0 unless the user names another interface. */
#ifndef GT_CHANNELS_H
#define GT_CHANNELS_H
#include <stdint.h>

enum gt_feed {
    GT_FEED_INCR_A,
    GT_FEED_INCR_B,
    GT_FEED_SNAP_A,
    GT_FEED_SNAP_B,
    GT_FEED_DEF_A,
    GT_FEED_DEF_B,
    GT_FEED_INDEX_A,
    GT_FEED_INDEX_B,
    GT_N_FEEDS,
};

struct gt_endpoint {
    char group[16]; /* dotted IPv4 multicast group */
    uint16_t port;
};

struct gt_channels {
    uint16_t channel_id; /* MDP 3.0 ApplID of the market */
    char iface[16];      /* interface address; "127.0.0.1" by default */
    int ttl;             /* multicast TTL for senders; 0 by default */
    struct gt_endpoint feed[GT_N_FEEDS];
};

/* clang-format off */
#define GT_CHANNELS_DEFAULT { \
    .channel_id = 310, .iface = "127.0.0.1", .ttl = 0, .feed = { \
        [GT_FEED_INCR_A] = {"239.255.31.1", 31001},  [GT_FEED_INCR_B] = {"239.255.31.2", 31002}, \
        [GT_FEED_SNAP_A] = {"239.255.31.3", 31003},  [GT_FEED_SNAP_B] = {"239.255.31.4", 31004}, \
        [GT_FEED_DEF_A] = {"239.255.31.5", 31005},   [GT_FEED_DEF_B] = {"239.255.31.6", 31006}, \
        [GT_FEED_INDEX_A] = {"239.255.31.7", 31007}, [GT_FEED_INDEX_B] = {"239.255.31.8", 31008}, \
    } }
/* clang-format on */

#endif
