/* SPDX-License-Identifier: MIT */
/* sub.h -- the sequenced bus client: every record of the asked topics, once,
 * in bus order, whatever the publisher dropped.
 *
 * A client subscribes on tickfeed's PUB socket (or a tickproxy's) to topic
 * prefixes and talks to its ROUTER (bus.h) for what the live stream cannot
 * give: a snapshot to start from, the records the publisher dropped past its
 * high-water mark, and where the feed's head is. gt_sub_poll() hands the
 * caller's callback the records in increasing bus sequence, each at most once:
 *
 *   - with snapshot set, first the current state of each prefix (records
 *     flagged GT_F_SNAPSHOT, seq = the snapshot's as_of), then every record
 *     under the prefix after its as_of;
 *   - with from_seq set, every record from from_seq on (replayed from the
 *     feed's journal first; a recorder's checkpoint + 1);
 *   - otherwise every record from the first live message on.
 *
 * Subscribed to everything (no prefixes), live messages are delivered as
 * they come, and a hole in their sequence is replayed from the ROUTER before
 * the message that showed it. Subscribed to prefixes, the live stream has
 * holes by design and cannot show a drop; its messages only tell how far the
 * bus has gone, and the records come from filtered REPLAY requests (one per
 * batch of live messages, so a busy bus costs one request per poll). A
 * message dropped last, with nothing after it, shows no hole: when no live
 * message came for idle_ms the client asks the ROUTER's INFO for the last
 * published sequence (docs/wire.md, "The head of the feed") and replays what
 * it has not seen. So a client that is behind learns it within idle_ms plus
 * one request, on any traffic.
 *
 * A server that refuses the client (its CURVE key not in the allow-list, the
 * wrong server key, no CURVE where the server wants it) is heard through
 * ZeroMQ's socket monitor: gt_sub_poll() returns GT_EPERM with the reason
 * in err, and goes on returning it. ZeroMQ itself would retry in silence.
 *
 * No globals: any number of clients in one program, each with its own
 * ZeroMQ context; a client is used by one thread at a time. */
#ifndef GT_SUB_H
#define GT_SUB_H
#include <stdint.h>
#include "gputick/bus.h"
#include "gputick/err.h"

struct gt_sub_opts {
    const char *pub_ep;           /* NULL: GT_BUS_PUB_DEFAULT */
    const char *router_ep;        /* NULL: GT_BUS_ROUTER_DEFAULT; "": none (live only: holes are
                                     counted in lost, not replayed; no snapshot, no from_seq) */
    const char *prefixes;         /* topic prefixes separated by single spaces (at most
                                     GT_SUB_MAX_PREFIXES); NULL or "": every message */
    int snapshot;                 /* start from a SNAPSHOT of each prefix */
    uint64_t from_seq;            /* > 0: start at this sequence, replayed from the journal */
    int timeout_ms;               /* the most to wait for a ROUTER reply; 0: 3000 */
    int idle_ms;                  /* ask INFO when no live message came this long; 0: 1000 */
    int rcvhwm;                   /* the SUB socket's receive high-water mark; 0: 1000000 */
    const char *curve_client_key; /* CURVE: this client's secret key file, or NULL */
    const char *curve_server_pub; /* and the server's public key file */
};

enum { GT_SUB_MAX_PREFIXES = 16 };

struct gt_sub_stats {
    uint64_t live_msgs;     /* messages received live */
    uint64_t live_recs;     /* records delivered from live messages */
    uint64_t replayed;      /* records delivered from REPLAY replies */
    uint64_t snapshot_recs; /* records delivered from SNAPSHOT replies */
    uint64_t replays;       /* REPLAY requests made (one per chunk) */
    uint64_t gaps;          /* holes in the live stream (subscribed to everything) */
    uint64_t idle_infos;    /* INFO requests made on an idle bus */
    uint64_t dups;          /* records received twice and not delivered again */
    uint64_t lost;          /* without a ROUTER: records missing from the live stream */
    uint64_t next;          /* the next sequence to deliver (0: not known yet) */
    uint64_t head;          /* the newest sequence the feed published, as last heard */
    uint64_t refused;       /* handshakes the server refused */
};

typedef struct gt_sub gt_sub;

/* Opens the sockets and connects (CURVE as given). Nothing is received yet.
 * Returns GT_OK and *out, or GT_EINVAL (bad options), GT_EIO / GT_EBADMSG
 * (a key file), GT_EZMQ or GT_ENOMEM, with err filled. */
int gt_sub_open(gt_sub **out, const struct gt_sub_opts *o, char err[GT_ERRLEN]);

/* Waits at most timeout_ms for records and hands them to cb (gt_bus_cb:
 * one call per message, topic and records; snapshot first as above). Returns
 * the records delivered (0: none came), or an error with err filled:
 *   GT_EPERM   the server refused this client (CURVE/ZAP); it stays refused;
 *   GT_EZMQ    no reply from the ROUTER within timeout_ms (a later call
 *              retries), or a socket error;
 *   GT_ENOENT  the journal no longer holds the records to replay;
 *   GT_EINVAL  the feed's newest record is below the client's position
 *              (its journal was reset, or from_seq belongs to another feed);
 *   GT_EBADMSG a malformed reply; or cb's own negative return.
 * When cb returns an error the message it was given counts as not delivered:
 * the next call starts again with it (replayed), so a caller that keeps its
 * own position (a recorder) skips what it had taken of it. */
long gt_sub_poll(gt_sub *s, int timeout_ms, gt_bus_cb cb, void *ctx, char err[GT_ERRLEN]);

/* The counters; valid until gt_sub_close. */
const struct gt_sub_stats *gt_sub_stats(const gt_sub *s);

/* Closes the sockets and the context. NULL does nothing. */
void gt_sub_close(gt_sub *s);

#endif
