/* SPDX-License-Identifier: MIT */
/* feed.h -- the feed handler's core: exchange packets in, normalized ticks out.
 *
 * One struct feed holds everything tickfeed knows about one MDP 3.0 channel:
 * the A/B arbiters of the incremental and index lines, a price-level book and
 * the last state (definition, trading status, trade, statistics, index value)
 * of every instrument, and the recovery machinery. It makes no syscall: the
 * caller hands it datagrams (from the network or a capture) with
 * feed_packet() and the clock with feed_poll(), and it hands back bus
 * messages through the emit callback, already grouped as the bus wants them:
 * the records of one exchange event for one instrument and one kind make one
 * message, and the last record of an instrument's event carries
 * GT_F_EVENT_END. Records leave with seq 0; the publisher numbers them.
 *
 * Recovery follows the exchange (../shared/mdp3/NOTES.md section 3):
 *   - packets lost on both incremental lines: every book goes stale (a status
 *     tick each). A book whose next RptSeq continues without a hole was not
 *     touched by the loss and is recovered at once from incremental data;
 *     any other waits for a snapshot (SnapshotFullRefresh52) whose
 *     LastMsgSeqNumProcessed covers the gap;
 *   - an instrument's RptSeq jumps: only that book goes stale and waits for
 *     its snapshot;
 *   - meanwhile the book entries of stale instruments are queued; a snapshot
 *     is loaded, the queued entries after its RptSeq applied, and the whole
 *     book republished (docs/wire.md, "Rebuilding a book from the bus"); if
 *     the queue shows a hole the book stays stale until the next snapshot;
 *   - an instrument absent from a whole snapshot cycle taken after the loss
 *     has an empty book at the exchange, and is recovered empty;
 *   - a snapshot also brings the trading status and the statistics: a book
 *     it recovers publishes those that are news, flagged GT_F_RECOVERY, and
 *     after a packet gap (SecurityStatus has no RptSeq: a halt lost there
 *     shows nowhere else) the first snapshot past the loss of each book, even
 *     one recovered from its own data, publishes its status if it differs;
 *   - ChannelReset empties every book (status reset);
 *   - a sequence jump that the arbiter confirmed and then found false (the
 *     stream kept arriving below it, arb.h) re-synchronizes the channel:
 *     every book is announced stale again (cause resync, with the range the
 *     stream really lost) and waits for a snapshot past that range, or
 *     recovers from its own data if its RptSeq continues;
 *   - the index channel has no snapshot loop: after a gap each index is stale
 *     until its next value, or the periodic repeat of the value it holds
 *     (which is republished, flagged GT_F_RECOVERY).
 * Trades and statistics are facts, not state: they are published whenever
 * they arrive (flagged GT_F_STALE while their book is stale), never twice.
 *
 * feed_open() allocates everything; nothing is allocated per packet. */
#ifndef GT_FEED_H
#define GT_FEED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gputick/err.h"

/* Receives one bus message: topic (not NUL-terminated) and n >= 1 encoded
 * records (n * GT_TICK_LEN bytes, seq fields 0; the callee may rewrite them).
 * Returns GT_OK or a negative gt_err, which feed_packet() passes back. */
typedef int (*feed_emit_fn)(void *ctx, const char *topic, size_t topic_len, uint8_t *recs,
                            size_t n);

struct feed_opts {
    size_t max_instruments; /* books and indexes; 0: 4096 */
    size_t queue_len;       /* book entries queued for recovery; 0: 1 << 18 */
    size_t max_orders;      /* resting orders of all order books; 0: 1 << 18 */
    size_t order_queue_len; /* order updates queued for recovery; 0: 1 << 16 */
    size_t max_event;       /* records staged for one event before it is cut; 0: 4096 */
    uint32_t arb_window;    /* reorder window in packets; 0: 1024 */
    int64_t arb_wait_ns;    /* how long a hole may wait; 0: arb's default */
    feed_emit_fn emit;      /* required */
    void *ctx;
};

struct feed_stats {
    uint64_t packets[8];      /* offered, per enum gt_feed */
    uint64_t duplicates[8];   /* arbitrated away, per enum gt_feed (incremental, index) */
    uint64_t messages;        /* SBE messages decoded */
    uint64_t unknown;         /* messages of unknown template or schema, skipped */
    uint64_t unhandled;       /* known templates no book is kept from yet (56), skipped */
    uint64_t malformed;       /* packets or messages that failed to decode */
    uint64_t deferral_full;   /* packets of other channels lost: the buffer they wait in
                                 during an incremental event was full (or they were
                                 longer than its slots); an index packet marks every
                                 index stale */
    uint64_t gaps;            /* packet gaps on both lines (incremental and index), but
                                 not the jumps a resync found false */
    uint64_t suspects;        /* packets beyond the reorder window, held until confirmed */
    uint64_t suspect_dropped; /* ... never confirmed (forged, corrupt), or dropped at a resync */
    uint64_t jumps;           /* jumps past the window confirmed (both lines, or a lone run) */
    uint64_t resyncs;         /* confirmed jumps found false: re-synchronized below them */
    uint64_t lost;            /* packets lost in them */
    uint64_t rpt_gaps;        /* per-instrument RptSeq gaps */
    uint64_t stale;           /* stale transitions published */
    uint64_t recovered_snap;  /* books recovered from the snapshot loop */
    uint64_t recovered_kept;  /* ... of which from one that came while the hole waited */
    uint64_t recovered_incr;  /* books recovered by incremental data */
    uint64_t recovered_empty; /* books recovered empty (absent from a whole cycle) */
    uint64_t resets;          /* ChannelResets */
    uint64_t queued;          /* entries queued for recovery */
    uint64_t queue_overrun;   /* queued entries overwritten before use */
    uint64_t records;         /* records emitted */
    uint64_t emitted;         /* messages emitted */
    uint64_t events_cut;      /* events emitted in parts (longer than max_event) */
    /* Market by order (mbo.h). */
    uint64_t mbo_updates;       /* order updates applied (46's orders, 47) */
    uint64_t mbo_orders;        /* orders resting now, at the last event end */
    uint64_t mbo_stale;         /* order books gone stale */
    uint64_t mbo_recovered;     /* ... recovered from the MBO snapshot loop (53) */
    uint64_t mbo_rejected;      /* updates a book could not apply (unknown order, full
                                   pool): the book went stale */
    uint64_t mbo_queue_overrun; /* queued order updates overwritten before use */
    uint64_t mbo_checks;        /* events whose implied MBP book was compared */
    uint64_t mbo_mismatch;      /* ... and differed from the MBP book published */
    uint32_t n_instruments;
    uint32_t n_stale;     /* instruments stale now */
    uint32_t mbo_n_stale; /* order books stale now */
};

struct feed;

/* Allocates a feed. Returns GT_OK and *out, or GT_EINVAL (no emit) /
 * GT_ENOMEM with a message in err. */
int feed_open(struct feed **out, const struct feed_opts *o, char err[GT_ERRLEN]);
void feed_close(struct feed *f);

/* One datagram received on `which` (enum gt_feed) at recv_ns. Arbitrates,
 * decodes, applies and emits. Malformed input is counted, never fatal.
 * Returns GT_OK or the first error emit returned (the feed's state is
 * consistent; what emit refused is lost to the caller). */
int feed_packet(struct feed *f, int which, const uint8_t *p, size_t len, int64_t recv_ns);

/* Sets the clock the arbiters age holes by for the packets that follow
 * (0: each packet's own recv_ns). A live receiver sets it once per receive
 * batch: kernel timestamps of a backlog drained from one line's socket span
 * more than the reorder window while the other line's copies still wait in
 * their socket, and would declare gaps that are not there. With a clock set,
 * holes age only in feed_poll(), which the receiver calls after offering the
 * whole batch: a batch may hold line A's later packets before line B's copy
 * of the missing one. */
void feed_clock(struct feed *f, int64_t now_ns);

/* Lets time pass: the arbiters declare holes that waited too long. Call it
 * when no packet came for a while. Returns as feed_packet(). */
int feed_poll(struct feed *f, int64_t now_ns);

/* The earliest time at which feed_poll() has something to do: a hole that
 * will have waited out the reorder window, an open event to cut; INT64_MAX
 * if nothing waits. A capture replay polls at exactly these times of the
 * capture's clock, so what it publishes depends on the capture alone. */
int64_t feed_due(const struct feed *f);

/* Runs the feed's clock up to until on a capture's clock: feed_poll() at each
 * feed_due() moment up to until, at exactly that time, so what a capture
 * publishes depends on the capture alone (at most FEED_POLLS_MAX polls a
 * call). Returns as feed_poll(). */
enum { FEED_POLLS_MAX = 1 << 20 };
int feed_advance(struct feed *f, int64_t until);

/* True while an incremental event is open: its book entries are applied but
 * its records are published only at its end (or when it is cut, 50 ms of the
 * receive clock after it opened, in feed_poll). A snapshot taken now would
 * hold what no published sequence covers yet: the ROUTER waits. */
bool feed_in_event(const struct feed *f);

/* The state a late joiner needs, for every message whose topic starts with
 * prefix[0..prefix_len): per instrument its definition, status, book (delete
 * thru each side, then a new per level), top of book, last trade, last
 * statistics and, for an index, its last value, each record flagged
 * GT_F_SNAPSHOT with seq = as_of. Calls emit per message; returns the number
 * of records, or emit's error. */
long feed_snapshot(struct feed *f, const char *prefix, size_t prefix_len, uint64_t as_of,
                   feed_emit_fn emit, void *ctx);

const struct feed_stats *feed_stats(const struct feed *f);

/* The book of a security for tests and tools: fills up to depth levels per
 * side (px, qty, orders; px INT64_MAX when empty) and returns the depth, or
 * GT_ENOENT. *stale (may be NULL) says whether it is awaiting recovery. */
int feed_book(const struct feed *f, int32_t security_id, int64_t bid[][3], int64_t ask[][3],
              int cap, int *stale);

/* The order book of a security for tests and tools: its orders, bids best
 * level first then asks, each level in priority order, into out[0..cap).
 * Returns how many it holds (more than cap if they did not fit), or
 * GT_ENOENT. *stale (may be NULL) says whether it awaits its snapshot (a book
 * the exchange never sent orders for is not stale). */
struct feed_order {
    uint64_t id, prio;
    int64_t px;
    int32_t qty;
    uint8_t side;  /* GT_SIDE_BID or GT_SIDE_ASK */
    uint8_t level; /* its price level on the side, 1 best */
};
long feed_orders(const struct feed *f, int32_t security_id, struct feed_order *out, size_t cap,
                 int *stale);

#endif
