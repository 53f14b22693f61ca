/* SPDX-License-Identifier: MIT */
/* live.h -- tickweb's view of the live bus: one sequenced subscriber, the
 * current state of every instrument, and a bounded ring of recent records
 * rendered once as Server-Sent Events for every client.
 *
 * A thread runs the one bus client (gputick/sub.h) subscribed to everything,
 * starting from a snapshot: every record then arrives once, in bus order,
 * holes replayed. Snapshot records only set the state (definitions, books,
 * tops, last trades and fixings, stale flags); bus records set it too and go
 * into the ring, each rendered at once as one SSE event whose id is its bus
 * sequence ("id: 1234\nevent: tick\ndata: {...}\n\n"), so a hundred clients
 * cost one rendering. A `book` record that ends its event carries the whole
 * book after it, so a browser shows the depth without the book rules.
 *
 * A client names topic prefixes (as ticksub and the bus take them) and where
 * to start: the state first (an `event: state` whose seq is the position the
 * events go on from), or after a sequence (Last-Event-ID), or from now. What
 * the ring no longer holds when a client asks for it (a reconnect after long,
 * or a client too slow to keep up) is said in an `event: gap` naming the
 * sequences missed; the client then goes on from the oldest the ring holds.
 * Memory is bounded: ring_cap records, and per client its staging buffer. */
#ifndef GT_WEB_LIVE_H
#define GT_WEB_LIVE_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/err.h"

struct live_opts {
    const char *pub_ep;    /* NULL: the bus default */
    const char *router_ep; /* NULL: the bus default */
    const char *curve_client_key, *curve_server_pub;
    size_t ring_cap;  /* records kept for resuming clients; 0: LIVE_RING_DEFAULT */
    int keepalive_ms; /* a comment line after this much silence; 0: 10000 */
};

enum { LIVE_RING_DEFAULT = 65536, LIVE_PREFIXES_MAX = 16, LIVE_PREFIX_LEN = 32 };

struct live_stats {
    uint64_t recs;         /* bus records taken into the ring */
    uint64_t next_seq;     /* the next sequence expected (0: none yet) */
    uint64_t oldest;       /* the oldest sequence the ring holds (0: empty) */
    uint64_t clients;      /* SSE clients connected now */
    uint64_t gaps;         /* gap events sent to clients */
    int connected;         /* the bus client has taken its snapshot */
    char error[GT_ERRLEN]; /* the bus client's last error, "" if none */
};

typedef struct live live;

/* Opens the bus client and starts its thread. Returns GT_OK and *out, or
 * a negative gt_err with err filled (bad options, ZeroMQ). */
int live_open(live **out, const struct live_opts *o, char err[GT_ERRLEN]);

/* Wakes every client (their reads then end the stream), stops the thread,
 * frees the ring. Clients must be freed before; NULL does nothing. */
void live_stop(live *l);
void live_close(live *l);

void live_stats_get(live *l, struct live_stats *out);

/* Parses prefixes separated by spaces or commas (NULL or "": everything)
 * into p. Returns their count, or -1 if there are more than
 * LIVE_PREFIXES_MAX or one is longer than LIVE_PREFIX_LEN - 1 bytes or holds
 * a byte outside the topic alphabet (letters, digits, '.', '-', '_', '+'). */
int live_prefixes_parse(const char *s, char p[LIVE_PREFIXES_MAX][LIVE_PREFIX_LEN]);

/* A client of the stream: prefixes as live_prefixes_parse() takes them;
 * with_state: start with the state; after_seq > 0: start after that
 * sequence (Last-Event-ID); neither: from now. NULL on a bad prefix list or
 * out of memory. */
struct live_client;
struct live_client *live_client_new(live *l, const char *prefixes, int with_state,
                                    uint64_t after_seq);

/* Copies up to max bytes of the client's stream into buf, waiting up to the
 * keepalive for something to send (a comment line then). Returns the bytes
 * copied (> 0), or -1 once live_stop() was called. */
long live_client_read(struct live_client *c, char *buf, size_t max);
void live_client_free(struct live_client *c);

#endif
