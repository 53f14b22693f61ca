/* SPDX-License-Identifier: MIT */
/* bus.h -- the tick bus over ZeroMQ: live messages, replay and snapshot.
 *
 * Live: tickfeed's PUB socket sends two-frame messages, a topic (topic.h) and
 * a payload of n 64-byte tick records (tick.h) with consecutive bus sequences.
 * PUB drops past its high-water mark instead of stalling the feed, so a reader
 * that must not lose data watches the sequence and asks tickfeed's ROUTER for
 * what it missed. Requests come from a DEALER (or REQ) socket:
 *
 *   request frames             reply frames (first frame "OK" or "ERR")
 *   "REPLAY" | range [| filter] "OK" | chunk | (topic | records)*  at most GT_BUS_CHUNK records
 *   "SNAPSHOT" | prefix     "OK" | as_of | (topic | records)*
 *   "INFO"                  "OK" | info
 *   anything malformed      "ERR" | code | text
 *
 *   range (16 bytes): OFFSET 0 SIZE 8 from_seq u64 | OFFSET 8 SIZE 8 to_seq u64, inclusive;
 *                     to_seq UINT64_MAX means "up to the newest".
 *   chunk (24 bytes): OFFSET 0 SIZE 8 first_seq of this reply | 8 SIZE 8 next_seq to ask
 *                     for | 16 SIZE 8 last_seq the journal holds. A reply with no records
 *                     and next_seq > last_seq means the range is exhausted.
 *   filter (optional, 1..GT_BUS_FILTER_MAX-1 bytes): topic prefixes separated by single
 *                     spaces; the reply then holds only messages whose topic starts with
 *                     one of them, and chunk's next_seq still says how far the journal was
 *                     scanned, so [first_seq, next_seq) is covered even where it holds
 *                     no record of the filter (a sharded recorder's holes by design).
 *                     A server older than the filter refuses it with ERR: a sharded
 *                     reader fails loudly instead of taking holes for gaps.
 *   as_of (8 bytes):  the last bus sequence the snapshot reflects. Snapshot records carry
 *                     seq = as_of and the flag GT_F_SNAPSHOT; apply live records > as_of.
 *   info (16 bytes):  OFFSET 0 SIZE 8 first_seq held | 8 SIZE 8 last_seq published.
 *   code (4 bytes):   a gt_err value, little-endian i32.
 * All integers little-endian.
 *
 * Envelopes (ZeroMQ's extended request-reply): a server's ROUTER receives
 * identity frames, an empty delimiter, then the request; it sends the same
 * envelope back in front of the reply. A DEALER client that sends no
 * delimiter has an envelope of its identity alone; a REQ client's delimiter,
 * and a proxy's (tickproxy puts its client's identity and a delimiter in front
 * of a request it forwards), are echoed. A reply through a proxy therefore
 * starts with an empty frame, which the client helpers below skip.
 *
 * Request parsing is pure (no sockets) so it can be fuzzed; the client helpers
 * below do the socket work for tickstore, ticksub and downstream programs. */
#ifndef GT_BUS_H
#define GT_BUS_H
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>
#include "gputick/tick.h"
#include "gputick/topic.h"

/* tickfeed's default endpoints: its PUB socket and its ROUTER. Every program
 * that binds or connects them by default names them through these. */
#define GT_BUS_PUB_DEFAULT "tcp://127.0.0.1:5560"
#define GT_BUS_ROUTER_DEFAULT "tcp://127.0.0.1:5561"

enum {
    GT_BUS_CHUNK = 4096,     /* most records in one replay reply */
    GT_BUS_MAX_FRAMES = 8,   /* a request never has more frames than this */
    GT_BUS_FILTER_MAX = 256, /* a REPLAY filter is shorter than this */
    GT_BUS_MAX_HOPS = 16,    /* most identities in a request's envelope (proxies + 1) */
    /* most frames a server receives of one request: envelope, then the request */
    GT_BUS_MAX_PARTS = GT_BUS_MAX_HOPS + 1 + GT_BUS_MAX_FRAMES
};

enum gt_bus_cmd { GT_BUS_REPLAY = 1, GT_BUS_SNAPSHOT = 2, GT_BUS_INFO = 3 };

/* A view of one received frame. */
struct gt_frame {
    const uint8_t *p;
    size_t len;
};

struct gt_bus_req {
    int cmd;           /* enum gt_bus_cmd */
    uint64_t from_seq; /* REPLAY */
    uint64_t to_seq;
    char prefix[GT_TOPIC_MAX];      /* SNAPSHOT, NUL-terminated */
    char filter[GT_BUS_FILTER_MAX]; /* REPLAY, "" = every message */
};

/* The envelope of a request as a ROUTER received it, f[0..n): the identity
 * of the peer, then any identities proxies put in front, up to and including
 * the delimiter. A request's own frames are never empty but for a last
 * SNAPSHOT prefix, so the envelope ends at the first empty frame that another
 * frame follows; without one (a DEALER client that sent no delimiter) it is
 * the identity alone. Returns its frame count: 1 to n - 1, or 1 when n < 2.
 * A count above GT_BUS_MAX_HOPS + 1 is deeper than a server serves. */
int gt_bus_envelope(const struct gt_frame *f, int n);

/* Parses the frames of one request (after its envelope, gt_bus_envelope).
 * Returns GT_OK, or GT_EBADMSG with a message for the client in err. */
int gt_bus_req_parse(const struct gt_frame *f, int n, struct gt_bus_req *req, char *err);

/* True if the topic starts with one of filter's space-separated prefixes,
 * or filter is empty. A REPLAY server calls it per message. */
int gt_bus_filter_match(const char *filter, const char *topic, size_t topic_len);

/* Sends one live or replayed message: the topic frame, then n records.
 * flags as zmq_send (ZMQ_DONTWAIT for a publisher that must not block).
 * Returns GT_OK, GT_EZMQ (errno says why; EAGAIN when it would block). */
int gt_bus_send(void *sock, const char *topic, size_t topic_len, const uint8_t *recs, size_t n,
                int flags);

/* Receives every part of one message from sock: the first cap into part[]
 * (each then to be closed by the caller), the rest closed at once and
 * counted in *dropped. flags as zmq_msg_recv (ZMQ_DONTWAIT). Returns the
 * parts kept, or GT_EZMQ if no message came (errno says why; nothing kept). */
int gt_bus_recv_parts(void *sock, zmq_msg_t *part, int cap, int flags, int *dropped);

/* One received two-frame message. Call gt_bus_msg_init once, then recv
 * repeatedly; views stay valid until the next recv or close. */
struct gt_bus_msg {
    zmq_msg_t topic, data;
    size_t n; /* records in data */
};
void gt_bus_msg_init(struct gt_bus_msg *m);
void gt_bus_msg_close(struct gt_bus_msg *m);
/* Returns the number of records, GT_EZMQ (errno EAGAIN on ZMQ_DONTWAIT with
 * nothing pending), or GT_EBADMSG for a message not of the bus's shape (its
 * frames are consumed). */
int gt_bus_recv(void *sock, struct gt_bus_msg *m, int flags);
static inline const uint8_t *gt_bus_msg_rec(struct gt_bus_msg *m, size_t i)
{
    return (const uint8_t *)zmq_msg_data(&m->data) + i * GT_TICK_LEN;
}

/* Called for each message of a replay or snapshot reply; returns 0 to go on,
 * or a negative gt_err code that stops the request and is returned by it. */
typedef int (*gt_bus_cb)(void *ctx, const char *topic, size_t topic_len, const uint8_t *recs,
                         size_t n);

/* The request helpers below send one request on a DEALER socket connected to
 * tickfeed's ROUTER and wait at most timeout_ms for its reply. A reply that
 * comes after its request timed out is not taken for the answer to a later
 * one: replies already waiting are discarded before a request is sent, and a
 * reply of another request's shape (or a REPLAY chunk whose first_seq is not
 * the from_seq asked for) is discarded while waiting. An ERR reply carries
 * nothing to match it by and is taken as the answer; a caller that must never
 * see a late one closes the socket after a timeout and opens a new one. */

/* Replays [from_seq, to_seq], chunk after chunk, calling cb per message.
 * Stops at to_seq or at the newest record. Returns records delivered, GT_EZMQ
 * on a socket error or when no reply came within timeout_ms, GT_EBADMSG for a
 * malformed reply, the server's error code, or cb's negative return.
 * *last_seq (may be NULL) gets the newest sequence the server holds. */
long gt_bus_replay(void *dealer, uint64_t from_seq, uint64_t to_seq, int timeout_ms, gt_bus_cb cb,
                   void *ctx, uint64_t *last_seq, char *err);

/* As gt_bus_replay, asking only for the messages whose topic starts with one
 * of filter's space-separated prefixes (NULL or "" = all). Records then have
 * holes in seq by design. *next_seq (may be NULL) gets the first sequence the
 * replies did not cover, their chunks' next_seq: [from_seq, *next_seq) was
 * scanned whether or not it held records of the filter, also when an error
 * stopped a later chunk (from_seq itself when nothing was covered). A server
 * without filters answers GT_EBADMSG. */
long gt_bus_replay_filter(void *dealer, uint64_t from_seq, uint64_t to_seq, const char *filter,
                          int timeout_ms, gt_bus_cb cb, void *ctx, uint64_t *last_seq,
                          uint64_t *next_seq, char *err);

/* Asks for the current state under a topic prefix ("" = all) and calls cb per
 * message; *as_of gets the sequence it reflects. Returns records delivered or
 * an error as gt_bus_replay. */
long gt_bus_snapshot(void *dealer, const char *prefix, int timeout_ms, gt_bus_cb cb, void *ctx,
                     uint64_t *as_of, char *err);

/* Asks what the server holds: first journaled and last published sequence. */
int gt_bus_info(void *dealer, int timeout_ms, uint64_t *first_seq, uint64_t *last_seq, char *err);

#endif
