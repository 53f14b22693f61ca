/* SPDX-License-Identifier: MIT */
/* feed_int.h -- the feed handler core's insides, shared by its pieces and
 * private to feedhandler/: struct feed (one channel's arbiters, books,
 * instruments, stage and recovery state) and what more than one piece calls.
 *
 * The core is one object cut into files by job: feed.c holds the packet path
 * (instruments and their topics, staging and emitting, the RptSeq gate,
 * recovery from snapshots, the incremental templates, packets and the public
 * calls of feed.h), so that everything an incremental or snapshot entry goes
 * through stays in one translation unit; defs.c takes instrument definitions
 * and the index channel's products and values; late.c answers a late joiner
 * with the state of every instrument. The small functions those two call per
 * record are static inline here. */
#ifndef GT_FEED_INT_H
#define GT_FEED_INT_H

#include "feed.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arb.h"
#include "book.h"
#include "implied.h"
#include "gputick/bytes.h"
#include "channels.h"
#include "mbo.h"
#include "mdp3.h"
#include "gputick/tick.h"
#include "gputick/time.h"
#include "gputick/topic.h"

enum inst_state {
    I_LIVE = 0,
    I_STALE_GAP = 1,   /* packets lost on the channel */
    I_STALE_RPT = 2,   /* its RptSeq jumped */
    I_STALE_START = 3, /* joined mid-session, no state yet */
    I_STALE_IDX = 4,   /* an index after an index-channel gap */
    I_PENDING = 5,     /* created before the first incremental packet */
};

struct inst {
    int32_t id;
    uint8_t type;  /* enum gt_instr_type; 0 while unknown */
    uint8_t state; /* enum inst_state */
    bool has_def, has_status, has_trade, has_fixing;
    uint32_t need_seq;                  /* a snapshot must have processed this packet */
    uint32_t snap_cycle;                /* snapshot cycle in which it was last seen */
    uint32_t idx_rpt;                   /* indexes: last RptSeq published */
    uint64_t mark;                      /* flush generation, for EVENT_END */
    uint64_t grp_gen[GT_KIND_MAX + 1];  /* flush generation of grp_at[kind] */
    uint32_t grp_at[GT_KIND_MAX + 1];   /* its group of the kind in that flush */
    uint32_t stat_mask;                 /* bit per gt_stat_type held in stat[] */
    uint32_t stat_rpt[GT_STAT_MAX + 1]; /* RptSeq of each held statistic */
    uint32_t status_seq;                /* incremental packet that last set its trading status */
    uint32_t status_need;               /* a packet gap may have lost a status up to this packet */
    int64_t last_ns;                    /* exchange time of its last record */
    int32_t leg[2];                     /* a spread's legs (bought, sold), 0 if none (implied.c) */
    uint64_t leg_event; /* an outright: the event in which a spread with it as a leg traded */
    char product[GT_PRODUCT_LEN + 1], symbol[GT_SYMBOL_LEN + 1];
    char group[7];
    bool topics_ok;                     /* topic[] matches the names */
    uint8_t topic_len[GT_KIND_MAX + 1]; /* 0: the kind's topic is invalid */
    char topic[GT_KIND_MAX + 1][GT_TOPIC_MAX];
    struct gt_tick def, status, trade, fixing, stat[GT_STAT_MAX + 1];
    bool has_legs;
    struct gt_tick legs; /* a spread's legs record (gputick/tick.h) */
};

/* The latest snapshot of a live instrument, kept while nothing needs it: a
 * gap declared after it arrived (the hole waited out the reorder window) may
 * be covered by it already, sparing the wait for the next cycle. */
struct snapkeep {
    bool valid;
    uint8_t n;
    uint8_t trading; /* MDSecurityTradingStatus, MDP3_U8_NULL if not given */
    uint16_t trade_date;
    uint32_t last_msg; /* its LastMsgSeqNumProcessed */
    uint32_t rpt_seq;
    int64_t exch_ns;    /* its TransactTime */
    uint32_t stat_mask; /* bit per gt_stat_type in stat[] */
    struct book_snap_entry e[2 * GT_BOOK_DEPTH];
    uint8_t n_imp;
    struct book_snap_entry imp[2 * IMP_DEPTH]; /* its implied levels */
    struct gt_stat stat[GT_STAT_MAX + 1];
};

struct qent { /* a queued entry of a stale instrument */
    uint32_t rpt_seq;
    uint8_t apply; /* 1: a book entry to apply, 2: an implied one; 0: sequence only */
    struct book_update u;
};

enum {
    FEED_DEFER_N = 64,     /* packets of other channels held during an event */
    FEED_DEFER_PKT = 2048, /* bytes each */
};
/* An incremental event without its end for this long is published cut. */
#define FEED_EVENT_TIMEOUT_NS (50 * 1000 * 1000LL)

struct deferred {
    uint8_t which;
    uint16_t len;
    uint8_t p[FEED_DEFER_PKT];
};

struct group { /* one message of a flush */
    size_t start, n;
    size_t n_out; /* records placed so far, when they must be reordered */
    uint32_t ii;
    uint8_t kind;
};

struct feed {
    struct feed_opts o;
    struct feed_stats st;
    struct arb arb_inc, arb_idx;
    struct book_set bs;
    struct imp_set imp; /* implied and consolidated books, by the same index (implied.c) */
    uint64_t event_no;  /* incremental events ended, for leg prints */
    struct mbo_set mbo; /* the orders behind bs, book for book (mbo.c) */
    struct inst *inst;
    size_t n_inst;
    size_t last_ii;        /* inst_get()'s last answer */
    struct snapkeep *keep; /* per instrument */
    /* queued entries of stale instruments: a ring */
    struct qent *q;
    uint64_t q_head, q_tail;
    /* the open event: its records, encoded when staged, and their groups */
    uint8_t *stage;      /* stage_cap records of GT_TICK_LEN */
    uint32_t *stage_grp; /* the group of each */
    size_t n_stage, stage_cap;
    struct group *grp; /* the messages its records make */
    size_t n_grp;
    uint32_t cur_grp;   /* the last record's group */
    bool scattered;     /* records of a group with others between */
    uint8_t *out;       /* the records in group order, if scattered */
    bool in_event;      /* an incremental event is open */
    int64_t event_ns;   /* when it was opened (receive clock) */
    uint16_t tob_flags; /* flags of the tops added at the next flush */
    uint64_t flush_gen; /* the open event's: +1 per flush */
    /* deferred packets of other channels */
    struct deferred *dfr;
    size_t n_dfr;
    bool draining;
    /* the incremental channel */
    bool inc_started, joined_late;
    uint32_t inc_seq; /* MsgSeqNum of the packet being processed */
    /* snapshot cycles, for instruments absent from the loop */
    bool cyc_active;
    uint8_t cyc_line;
    int32_t cyc_first;
    uint32_t cyc_id, cyc_seq0;
    int64_t recv_ns;
    int64_t clock_ns; /* feed_clock(): the arbiters' clock, 0 = each packet's recv_ns */
    int err;          /* first emit error since the last call */
    /* Gaps the callbacks saw; feed_stats() takes off the false jumps. */
    uint64_t gaps_declared, lost_declared;
};

_Static_assert(GT_N_FEEDS == 8, "feed_stats keeps 8 per-feed counters");

enum { BOOK_RECS_MAX = 2 + 2 * GT_BOOK_DEPTH };

/* ---- shared by the pieces: defined in feed.c unless the comment names
 * another file ---- */

/* Formats the topics of every kind of the instrument. */
void inst_topics_format(struct inst *in);

/* Stages record t of instrument ii. */
void stage(struct feed *f, size_t ii, const struct gt_tick *t);

/* Stages a status record of instrument ii: its feed state, the cause and the
 * range of packets it concerns. */
void stage_status(struct feed *f, size_t ii, int feed_state, int cause, uint32_t from, uint32_t to);

/* The level records of a whole book: a delete thru of each side, then a new
 * per level, level 1 first (wire.md). Fills t and returns how many. */
size_t book_records(const struct feed *f, size_t ii, struct gt_tick t[BOOK_RECS_MAX],
                    uint16_t flags);
/* book_records() of any two sides of instrument ii (empty levels skipped). */
size_t side_records(const struct feed *f, size_t ii, const struct gt_mbp_level *bid, int n_bid,
                    const struct gt_mbp_level *ask, int n_ask, uint32_t rpt_seq,
                    struct gt_tick t[BOOK_RECS_MAX], uint16_t flags);

/* Implied and consolidated books (implied.c). The records of the whole
 * implied book (flagged GT_F_IMPLIED and flags); of the whole consolidated
 * book (GT_F_CONSOLIDATED and flags), none while the implied book is empty,
 * taken as the last published; both staged; the changes of the event's
 * touched books staged (from flush); a snapshot's implied levels loaded
 * after its outright ones. */
size_t implied_records(const struct feed *f, size_t ii, struct gt_tick t[BOOK_RECS_MAX],
                       uint16_t flags);
size_t cons_records(struct feed *f, size_t ii, struct gt_tick t[BOOK_RECS_MAX], uint16_t flags);
void implied_stage_whole(struct feed *f, size_t ii, uint16_t flags);
void implied_event_end(struct feed *f);
void implied_snap_load(struct feed *f, size_t ii, const struct book_snap_entry *e, size_t n);

/* The instrument of id, created if create; returns its index or -1. The
 * entries of an event are nearly always of one instrument, so the last one
 * found is tried before the hash; instruments are never removed, so it is
 * the right one whenever its id matches. */
long inst_get(struct feed *f, int32_t id, int type, bool create);

/* Is a book of instrument ii? (indexes have a book slot but no book) */
bool is_book(const struct feed *f, size_t ii);

/* The definitions and index messages (defs.c). */
void on_def54_56(struct feed *f, const struct mdp3_msg *msg); /* futures and spreads */

void on_def347(struct feed *f, const struct mdp3_msg *msg);

void on_idx348(struct feed *f, const struct mdp3_msg *msg);

/* Market by order (mbo.c). The order entries of a 46, a 47, a 53 of the
 * snapshot line (0 A, 1 B). */
void mbo_on_book46(struct feed *f, const struct mdp3_incr *m);
void mbo_on_orderbook47(struct feed *f, const struct mdp3_incr *m);
void mbo_on_snapshot53(struct feed *f, const struct mdp3_msg *msg, int line);
/* Instrument ii went stale (or stays so): its order book waits for a 53
 * that has processed incremental packet need. */
void mbo_mark_stale(struct feed *f, size_t ii, uint32_t need);
/* The incremental sequence restarted: what waited for a packet number waits
 * for none, and the queued updates belong to the old numbering. */
void mbo_seq_restart(struct feed *f);
/* The exchange emptied the book of ii (ChannelReset, a book reset entry). */
void mbo_reset(struct feed *f, size_t ii);
/* The end of an event: the MBP books implied by the order books it changed
 * are compared with the MBP books kept. */
void mbo_event_end(struct feed *f);

/* ---- on the per-entry path: inline wherever it is called ---- */

/* The topic of a kind of the instrument, formatted once per name change.
 * Returns its length, or a negative code if the names are not valid. */
static inline int inst_topic(struct inst *in, int kind, const char **out)
{
    if (!in->topics_ok)
        inst_topics_format(in);
    *out = in->topic[kind];
    return in->topic_len[kind] ? in->topic_len[kind] : GT_EINVAL;
}

static inline void tick_init(struct gt_tick *t, const struct inst *in, int kind, int64_t exch_ns,
                             int64_t recv_ns)
{
    memset(t, 0, sizeof *t);
    t->version = GT_TICK_VERSION;
    t->kind = (uint8_t)kind;
    t->instr_id = in->id;
    t->exch_ns = exch_ns;
    t->recv_ns = recv_ns;
}

#endif
