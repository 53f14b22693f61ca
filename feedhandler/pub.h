/* SPDX-License-Identifier: MIT */
/* pub.h -- tickfeed's output: bus sequence, journal, ZeroMQ PUB and ROUTER.
 *
 * pub_emit() (a feed_emit_fn) numbers a message's records with the next bus
 * sequences, appends it to the journal and holds it; pub_flush() hands the
 * journal to the kernel first and only then sends the held messages on the
 * PUB socket (DESIGN point 5: journal before publish, so a sequence a
 * subscriber saw survives a kill -9 of the feed). The PUB socket never blocks
 * the feed: past a subscriber's high-water mark ZeroMQ drops that
 * subscriber's messages silently and tells the publisher nothing, so no
 * counter here can count them. The subscriber sees the hole in the bus
 * sequence and replays it: the REPLAY requests served (pub_stats.replays)
 * are the feed's one measure of what slow subscribers lost, counted per
 * peer too (pub_peers: a process on this host over ipc://, a host over
 * tcp://).
 *
 * The publisher is an XPUB socket, so it sees the subscribers: each
 * subscribe and unsubscribe (ZMQ_XPUB_VERBOSER: every one, not only a
 * topic's first and last), and through ZeroMQ's socket monitor each
 * connection accepted and lost (but with a CURVE allow-list, whose handler
 * holds the socket's one monitor: pub_stats.watched). pub_serve() reads
 * both every turn.
 *
 * The ROUTER answers the requests of bus.h: REPLAY from the journal in chunks
 * of at most GT_BUS_CHUNK records (with a filter, only the matching messages,
 * next_seq telling how far the journal was read), SNAPSHOT from the feed's current state
 * (feed_snapshot) as of the last published sequence, INFO. A malformed
 * request gets an ERR reply. */
#ifndef GT_PUB_H
#define GT_PUB_H
#include <stddef.h>
#include <stdint.h>
#include "feed.h"
#include "gputick/err.h"
#include "journal.h"

struct pub_opts {
    const char *journal_dir;     /* required */
    struct journal_opts journal; /* zeroed: the journal's defaults */
    const char *pub_endpoint;    /* NULL: GT_BUS_PUB_DEFAULT */
    const char *router_endpoint; /* NULL: GT_BUS_ROUTER_DEFAULT; "" = no ROUTER */
    int sndhwm;                  /* PUB high-water mark in messages; 0: 100000 */
    size_t hold_len;             /* most bytes of messages held while the journal cannot be
                                    written (a full disk); 0: 512 MiB */
    int bind_remote;             /* allow tcp:// endpoints off loopback (gputick/sec.h) */
    const char *curve_key;       /* CURVE: the server's secret key file; NULL: plain text */
    struct gt_zap *zap;          /* CURVE: the allow-list handler (gt_zap_open); NULL: any key */
};

struct pub_stats {
    uint64_t messages, records; /* published */
    uint64_t send_errors;       /* zmq_send failures (EINTR, ETERM): NOT subscriber drops, which
                                   a PUB socket does silently per subscriber past its HWM and
                                   never reports; a subscriber sees them as holes in seq */
    uint64_t requests, bad_requests;
    uint64_t replays;        /* REPLAY replies sent: what slow subscribers ask to fill holes */
    uint64_t replayed;       /* records sent in REPLAY replies */
    uint64_t snapshots;      /* SNAPSHOT replies */
    uint64_t snapshots_held; /* ... of which waited for the end of an open event */
    uint64_t journal_errors;
    uint64_t syncs;        /* journal fdatasyncs (--fsync flush or interval) */
    int blocked;           /* the journal cannot be written now: messages are held */
    uint64_t unblocked;    /* times it could be written again */
    uint64_t last_seq;     /* last sequence published */
    uint64_t connects;     /* subscriber connections accepted on the PUB socket */
    uint64_t disconnects;  /* ... and lost (closed, failed handshakes too) */
    uint64_t subscribes;   /* subscription messages from subscribers */
    uint64_t unsubscribes; /* unsubscriptions, a lost subscriber's included */
    int watched;           /* connects and disconnects are counted: the socket monitor is
                              ours (not with an allow-list, whose handler monitors it) */
    uint64_t tail_dropped; /* bytes of torn journal tail cut at open */
};

/* One requesting peer's replays: what a subscriber asked back after a hole
 * it saw (what the PUB dropped for it, or what it missed while away). */
struct pub_peer {
    char name[48]; /* "pid 1234" over ipc://, the address over tcp:// */
    uint64_t replays, replayed;
};
enum { PUB_PEERS_MAX = 64 }; /* peers beyond share the last entry, "other" */

struct pub;

/* Opens the journal (continuing its sequence), binds PUB and ROUTER on zctx.
 * Returns GT_OK and *out, or GT_EIO / GT_EZMQ / GT_ENOMEM / GT_ECORRUPT with a
 * message in err. */
int pub_open(struct pub **out, void *zctx, const struct pub_opts *o, char err[GT_ERRLEN]);

/* Flushes, closes the sockets and the journal. Returns the flush's result. */
int pub_close(struct pub *p);

/* feed_emit_fn: ctx is the struct pub. Numbers the message and holds it until
 * it is in the journal. While the journal cannot be written (a full disk) the
 * held messages grow, up to hold_len bytes; past that it returns GT_ENOSPC
 * and the message is lost (pub_errmsg says so). */
int pub_emit(void *ctx, const char *topic, size_t topic_len, uint8_t *recs, size_t n);

/* Writes the held messages to the journal and the journal to the kernel,
 * then publishes them. Returns GT_OK, or the journal's error (GT_ENOSPC,
 * GT_EIO): nothing is published, everything stays held, and a later call
 * retries, so a freed disk resumes with nothing lost. */
int pub_flush(struct pub *p);

/* Answers up to max pending ROUTER requests without waiting. f answers
 * SNAPSHOT (may be NULL: an empty snapshot). A SNAPSHOT that comes while f
 * has an incremental event open (feed_in_event) is kept, and the requests
 * behind it stay queued, until a call after the event ended (or was cut):
 * the reply's as_of then covers every book entry it holds. Returns requests
 * taken off the socket. */
int pub_serve(struct pub *p, struct feed *f, int max);

/* Bytes of messages held now (numbered, not yet published). */
size_t pub_held(const struct pub *p);

/* The ROUTER socket, for zmq_poll (NULL without one). */
void *pub_router(struct pub *p);

const struct pub_stats *pub_stats(const struct pub *p);

/* The peers that asked for replays, *n of them (valid until the next
 * pub_serve). */
const struct pub_peer *pub_peers(const struct pub *p, int *n);

/* Sets the PUB high-water mark (messages; 0: 100000) for subscribers that
 * connect from now on: ZeroMQ sizes a subscriber's queue when it connects,
 * so one already connected keeps its own. */
void pub_set_sndhwm(struct pub *p, int sndhwm);
/* The high-water mark subscribers connecting now get. */
int pub_sndhwm(const struct pub *p);

/* The last journal error's text. */
const char *pub_errmsg(const struct pub *p);

#endif
