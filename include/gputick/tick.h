/* SPDX-License-Identifier: MIT */
/* tick.h -- the normalized tick: one record model for the bus, the journal and
 * the store.
 *
 * tickfeed turns every exchange message into 64-byte records of one layout,
 * whatever template it came from; subscribers, tickstore and tickq know only
 * this. A record is fixed-size and little-endian on the wire. Prices are int64
 * fixed point with 9 decimals (as MDP 3.0's PRICE9 mantissa, so $2.75 per
 * GPU-hour is 2750000000), times are int64 nanoseconds since the Unix epoch,
 * and every record carries a bus sequence number that increases by one without
 * holes across the whole feed. docs/wire.md documents this layout for users
 * who will not read C; the two must change together.
 *
 * The in-memory struct gt_tick is a host-order view; gt_tick_encode() and
 * gt_tick_decode() convert to and from the wire bytes. Nothing here allocates.
 *
 * Wire layout, common header (32 bytes):
 *   OFFSET SIZE TYPE  FIELD
 *        0    1 u8    version    GT_TICK_VERSION
 *        1    1 u8    kind       enum gt_kind
 *        2    2 u16   flags      GT_F_* bits
 *        4    4 i32   instr_id   exchange SecurityID; indexes: gt_index_id()
 *        8    8 u64   seq        bus sequence, +1 per record, no holes
 *       16    8 i64   exch_ns    exchange time (TransactTime)
 *       24    8 i64   recv_ns    when tickfeed received the packet
 * The payload (offsets 32..63) depends on the kind; see the struct members
 * below, whose wire offsets are given in their comments. Unused bytes are 0.
 * Null prices and quantities are INT64_MAX, as PRICENULL9 on the exchange wire.
 */
#ifndef GT_TICK_H
#define GT_TICK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "gputick/bytes.h"

enum { GT_TICK_LEN = 64, GT_TICK_VERSION = 1 };

/* One kind per record; the topic names of gt_kind_name() in brackets. */
enum gt_kind {
    GT_KIND_TRADE = 1,  /* [trade]  a trade print */
    GT_KIND_LEVEL = 2,  /* [book]   a price-level change, exchange semantics */
    GT_KIND_TOB = 3,    /* [tob]    top of book after an event */
    GT_KIND_FIXING = 4, /* [fixing] an index value: indicative or official */
    GT_KIND_STAT = 5,   /* [stat]   statistics and settlement */
    GT_KIND_STATUS = 6, /* [status] trading status, and feed stale/recovered */
    GT_KIND_DEF = 7,    /* [def]    instrument definition */
    GT_KIND_ORDER = 8,  /* [order]  an order of the book by order (MBO); opt in by topic */
    GT_KIND_MAX = 8,
};

/* Header flags. */
enum {
    GT_F_EVENT_END = 1 << 0, /* last record of its exchange event for this instrument */
    GT_F_STALE = 1 << 1,     /* the instrument's book was stale (awaiting recovery) */
    GT_F_RECOVERY = 1 << 2,  /* built from the snapshot loop, not the incremental feed */
    GT_F_IMPLIED = 1 << 3,   /* implied book (MDEntryType E/F) */
    GT_F_SNAPSHOT = 1 << 4,  /* state sent to a late joiner, not a bus record (bus.h) */
    /* The consolidated book (outright and implied merged by price); a level
     * record so flagged carries the implied share of its qty in n_orders. */
    GT_F_CONSOLIDATED = 1 << 5,
    /* A leg print: a trade of an outright that a spread trade in the same
     * event caused (docs/wire.md, "Spreads and leg prints"); never counted
     * by gt_trade_counts(), as the spread's own trade is. */
    GT_F_LEG = 1 << 6,
};

enum gt_side { GT_SIDE_NONE = 0, GT_SIDE_BID = 1, GT_SIDE_ASK = 2 };

/* Level actions: the values of MDP 3.0 MDUpdateAction. */
enum gt_action {
    GT_ACT_NEW = 0,
    GT_ACT_CHANGE = 1,
    GT_ACT_DELETE = 2,
    GT_ACT_DELETE_THRU = 3,
    GT_ACT_DELETE_FROM = 4,
    GT_ACT_OVERLAY = 5,
};

/* Fixing codes: the values of Streamlined SBE MDEntryCode. */
enum gt_fix_code {
    GT_FIX_INDICATIVE = 1,
    GT_FIX_PREMARKET = 2,
    GT_FIX_PRELIM_CLOSE = 3,
    GT_FIX_SESSION_CLOSE = 4,
    GT_FIX_CLOSE = 5, /* the official daily fixing */
};

enum gt_stat_type {
    GT_STAT_SETTLE = 1,         /* settlement price (SettlPriceType in settl_flags) */
    GT_STAT_OPEN_INTEREST = 2,  /* qty */
    GT_STAT_CLEARED_VOLUME = 3, /* qty */
    GT_STAT_OPEN = 4,
    GT_STAT_HIGH = 5,
    GT_STAT_LOW = 6,
    GT_STAT_VWAP = 7,
    GT_STAT_HIGH_BID = 8,
    GT_STAT_LOW_OFFER = 9,
    GT_STAT_FIXING_PRICE = 10,   /* MDEntryType W of a listed instrument */
    GT_STAT_SESSION_VOLUME = 11, /* qty, MDIncrementalRefreshVolume37 */
    GT_STAT_MAX = 11,
};

/* Feed states carried by status records. */
enum gt_feed_state {
    GT_FEED_NONE = 0,      /* a pure trading-status change */
    GT_FEED_STALE = 1,     /* the book can no longer be trusted */
    GT_FEED_RECOVERED = 2, /* the book is good again */
    GT_FEED_RESET = 3,     /* the exchange emptied the book (ChannelReset) */
};

enum gt_feed_cause {
    GT_CAUSE_NONE = 0,
    GT_CAUSE_PACKET_GAP = 1, /* packets lost on both lines */
    GT_CAUSE_RPTSEQ_GAP = 2, /* the instrument's RptSeq jumped */
    GT_CAUSE_CHANNEL_RESET = 3,
    GT_CAUSE_STARTUP = 4,     /* no state yet: joined mid-session */
    GT_CAUSE_SNAPSHOT = 5,    /* recovered from the snapshot loop */
    GT_CAUSE_INCREMENTAL = 6, /* recovered from incremental data (index values) */
    GT_CAUSE_RESYNC = 7,      /* a jump of the lines' sequence was false: re-synchronized */
};

enum gt_instr_type { GT_INSTR_FUTURE = 1, GT_INSTR_INDEX = 2, GT_INSTR_SPREAD = 3 };

enum { GT_SYMBOL_LEN = 12, GT_PRODUCT_LEN = 6 };

struct gt_trade {
    int64_t px;        /* 32 */
    int64_t qty;       /* 40 */
    uint32_t trade_id; /* 48 MDTradeEntryID, UINT32_MAX if none */
    int32_t n_orders;  /* 52 */
    uint8_t aggressor; /* 56 enum gt_side, the aggressor's side */
    uint8_t action;    /* 57 GT_ACT_NEW, or GT_ACT_DELETE: a bust (below) */
};

struct gt_level {
    int64_t px;       /* 32 */
    int64_t qty;      /* 40 */
    int32_t n_orders; /* 48 INT32_MAX if not given */
    uint8_t level;    /* 52 MDPriceLevel, 1 = best */
    uint8_t side;     /* 53 enum gt_side */
    uint8_t action;   /* 54 enum gt_action */
    uint8_t pad;      /* 55 */
    uint32_t rpt_seq; /* 56 the exchange's per-instrument sequence */
};

struct gt_tob {
    int64_t bid_px;      /* 32 INT64_MAX if the side is empty */
    int64_t ask_px;      /* 40 */
    int32_t bid_qty;     /* 48 saturates at INT32_MAX */
    int32_t ask_qty;     /* 52 */
    uint16_t bid_orders; /* 56 saturates at 65535 */
    uint16_t ask_orders; /* 58 */
};

struct gt_fixing {
    int64_t px;         /* 32 the index value, 1e-9 */
    uint32_t date;      /* 40 YYYYMMDD the value belongs to, 0 if not given */
    uint8_t code;       /* 44 enum gt_fix_code */
    uint8_t entry_type; /* 45 Streamlined MDEntryType, '3' index value */
    uint8_t pad[2];     /* 46 */
    uint32_t rpt_seq;   /* 48 */
};

struct gt_stat {
    int64_t px;          /* 32 INT64_MAX when the statistic is a quantity */
    int64_t qty;         /* 40 INT64_MAX when the statistic is a price */
    uint8_t type;        /* 48 enum gt_stat_type */
    uint8_t settl_flags; /* 49 MDP 3.0 SettlPriceType bits */
    uint8_t open_close;  /* 50 OpenCloseSettlFlag, 255 if none */
    uint8_t pad;         /* 51 */
    uint32_t date;       /* 52 YYYYMMDD trading reference date, 0 if none */
};

struct gt_status {
    uint8_t trading;     /* 32 MDP 3.0 SecurityTradingStatus, 255 unchanged */
    uint8_t halt_reason; /* 33 */
    uint8_t event;       /* 34 SecurityTradingEvent */
    uint8_t feed;        /* 35 enum gt_feed_state */
    uint8_t cause;       /* 36 enum gt_feed_cause */
    uint8_t pad[3];      /* 37 */
    uint32_t gap_from;   /* 40 first exchange MsgSeqNum (or RptSeq) lost, 0 if none */
    uint32_t gap_to;     /* 44 last one lost */
    uint32_t date;       /* 48 YYYYMMDD trade date, 0 if none */
};

struct gt_def {
    int64_t tick_px;              /* 32 MinPriceIncrement, 1e-9 */
    uint32_t maturity;            /* 40 YYYYMMDD last trading day; 0 for an index */
    uint8_t depth;                /* 44 MarketDepth of the book */
    uint8_t type;                 /* 45 enum gt_instr_type */
    char product[GT_PRODUCT_LEN]; /* 46 NUL-padded, e.g. "H100" */
    char symbol[GT_SYMBOL_LEN];   /* 52 NUL-padded (may fill all 12) */
};

/* One order event of the book by order (market by order). Action new,
 * change or delete of the order with this id, its price, displayed quantity
 * and priority after it (a delete repeats the order's last state). The
 * exchange ranks a level's orders by priority, lower first. Action
 * GT_ACT_DELETE_THRU with order_id 0 empties the instrument's order book:
 * flagged GT_F_STALE, the book is untrusted from there until the next one,
 * flagged GT_F_RECOVERY, which starts the whole book again (one new per
 * order, flagged GT_F_RECOVERY too). */
struct gt_order {
    int64_t px;        /* 32 1e-9 */
    uint64_t order_id; /* 40 OrderID; 0 for an empty-the-book record */
    uint64_t priority; /* 48 MDOrderPriority; UINT64_MAX if not given */
    int32_t qty;       /* 56 MDDisplayQty */
    uint8_t side;      /* 60 enum gt_side */
    uint8_t action;    /* 61 enum gt_action: NEW, CHANGE, DELETE, DELETE_THRU */
    uint8_t pad[2];    /* 62 */
};

struct gt_tick {
    uint8_t version;  /* 0 */
    uint8_t kind;     /* 1 enum gt_kind */
    uint16_t flags;   /* 2 GT_F_* */
    int32_t instr_id; /* 4 */
    uint64_t seq;     /* 8 */
    int64_t exch_ns;  /* 16 */
    int64_t recv_ns;  /* 24 */
    union {
        struct gt_trade trade;
        struct gt_level level;
        struct gt_tob tob;
        struct gt_fixing fixing;
        struct gt_stat stat;
        struct gt_status status;
        struct gt_def def;
        struct gt_order order;
        uint8_t raw[32];
    } u;
};
_Static_assert(sizeof(struct gt_tick) == GT_TICK_LEN, "a tick is 64 bytes");

/* A spread (GT_INSTR_SPREAD) is defined by two def records: its definition,
 * as a future's (maturity: its bought leg's, 0 while that is not defined),
 * then its legs, a def record flagged GT_F_LEG whose first 8 payload bytes
 * are not the tick size but the legs (docs/wire.md):
 *   32 i32 the leg bought (LegSide 1)   gt_def_leg(t, 0)
 *   36 i32 the leg sold (LegSide 2)     gt_def_leg(t, 1)
 *   40..63 as the spread's definition
 * Readers of definitions that do not know spreads skip def records flagged
 * GT_F_LEG (the store keeps them, but not as the instrument's definition).
 * A spread that is not one leg bought and one sold at ratio 1 (CME's
 * calendar spread, SecuritySubType SP, is) has no legs record. */
static inline bool gt_def_is_legs(const struct gt_tick *t)
{
    return t->kind == GT_KIND_DEF && (t->flags & GT_F_LEG);
}
/* Leg i (0 bought, 1 sold) of a legs record, or 0 if t is none. */
static inline int32_t gt_def_leg(const struct gt_tick *t, int i)
{
    if (!gt_def_is_legs(t) || i < 0 || i > 1)
        return 0;
    return (int32_t)(uint32_t)((uint64_t)t->u.def.tick_px >> (32 * i));
}
/* Makes t, a copy of a spread's definition, its legs record. */
static inline void gt_def_legs_set(struct gt_tick *t, int32_t buy, int32_t sell)
{
    t->flags |= GT_F_LEG;
    t->u.def.tick_px = (int64_t)((uint64_t)(uint32_t)buy | (uint64_t)(uint32_t)sell << 32);
}

/* A set of the fields of struct gt_tick, for a reader that needs only some
 * (gt_store_iter_fields): one bit per byte of the struct, a field named by
 * the bit of its first byte, e.g. GT_FIELD(u.trade.px) | GT_FIELD(u.trade.qty). */
#define GT_FIELD(f) ((uint64_t)1 << offsetof(struct gt_tick, f))
#define GT_FIELDS_ALL UINT64_MAX

/* Writes t as GT_TICK_LEN wire bytes. Payload bytes the kind does not use are
 * written as zero, so equal ticks encode to equal bytes. */
void gt_tick_encode(const struct gt_tick *t, uint8_t out[GT_TICK_LEN]);

/* gt_tick_encode() in parts, inline for a feed handler's per-entry path,
 * which writes its level and top-of-book records from their fields without
 * building the struct. gt_tick_header_encode() writes the common header and
 * zeroes the payload; gt_tick_level_encode() or gt_tick_tob_encode() then
 * writes the payload. */
static inline void gt_tick_header_encode(uint8_t out[GT_TICK_LEN], uint8_t version, uint8_t kind,
                                         uint16_t flags, int32_t instr_id, uint64_t seq,
                                         int64_t exch_ns, int64_t recv_ns)
{
    memset(out, 0, GT_TICK_LEN);
    out[0] = version;
    out[1] = kind;
    st_le16(out + 2, flags);
    st_le32(out + 4, (uint32_t)instr_id);
    st_le64(out + 8, seq);
    st_le64(out + 16, (uint64_t)exch_ns);
    st_le64(out + 24, (uint64_t)recv_ns);
}
static inline void gt_tick_level_encode(uint8_t out[GT_TICK_LEN], const struct gt_level *l)
{
    st_le64(out + 32, (uint64_t)l->px);
    st_le64(out + 40, (uint64_t)l->qty);
    st_le32(out + 48, (uint32_t)l->n_orders);
    out[52] = l->level;
    out[53] = l->side;
    out[54] = l->action;
    st_le32(out + 56, l->rpt_seq);
}
static inline void gt_tick_order_encode(uint8_t out[GT_TICK_LEN], const struct gt_order *o)
{
    st_le64(out + 32, (uint64_t)o->px);
    st_le64(out + 40, o->order_id);
    st_le64(out + 48, o->priority);
    st_le32(out + 56, (uint32_t)o->qty);
    out[60] = o->side;
    out[61] = o->action;
}
static inline void gt_tick_tob_encode(uint8_t out[GT_TICK_LEN], const struct gt_tob *t)
{
    st_le64(out + 32, (uint64_t)t->bid_px);
    st_le64(out + 40, (uint64_t)t->ask_px);
    st_le32(out + 48, (uint32_t)t->bid_qty);
    st_le32(out + 52, (uint32_t)t->ask_qty);
    st_le16(out + 56, t->bid_orders);
    st_le16(out + 58, t->ask_orders);
}

/* Reads one record. Returns GT_OK, GT_ETRUNC if len < GT_TICK_LEN, GT_EVERSION
 * if the version is not GT_TICK_VERSION, GT_EBADMSG if the kind is unknown. */
int gt_tick_decode(const uint8_t *p, size_t len, struct gt_tick *t);

/* Which trades count: the one rule for every reader (bars, VWAP, last trade,
 * as-of joins, the store's readers and the bindings over them).
 *
 * A trade record counts when it is a print (action GT_ACT_NEW, a price and a
 * positive quantity) that no bust has cancelled and that is not a leg print
 * (GT_F_LEG: the outright side of a spread trade, whose volume the spread's
 * own print already carries; counting both would count one trade twice). A bust is the exchange's
 * trade cancellation: a TradeSummary entry with MDUpdateAction Delete
 * (action GT_ACT_DELETE), of the same instrument, naming the cancelled trade
 * by its MDTradeEntryID (trade_id) and arriving later on the bus. CME numbers
 * trades per instrument and trading day, so an id can come again: a bust
 * cancels the latest print of its instrument with that id before it (by bus
 * sequence). A bust never counts itself, however late it comes: a reader
 * honours every bust it can see, so a bar or a last trade of the past changes
 * when a bust of it arrives.
 *
 * Since the bust comes after its trade, a streaming reader of one
 * instrument's trades makes two passes: gt_busts_note() over every trade
 * record (seq, action and trade_id suffice), then, only if that found a bust,
 * gt_busts_match() over them again; gt_trade_counts() then answers for any
 * record. Memory is one entry per bust, never per trade. */
struct gt_bust {
    uint32_t trade_id;   /* the cancelled trade's MDTradeEntryID */
    uint64_t bust_seq;   /* the bust record's bus sequence */
    uint64_t victim_seq; /* the cancelled print's sequence, once matched */
    bool matched;        /* a print was found for it */
};
struct gt_busts {
    struct gt_bust *v; /* sorted by (trade_id, bust_seq) by gt_busts_match */
    size_t n, cap;
    bool sorted;
};

/* A print: a new trade with a price and a positive quantity (busts aside). */
static inline bool gt_trade_is_print(const struct gt_tick *t)
{
    return t->kind == GT_KIND_TRADE && t->u.trade.action == GT_ACT_NEW &&
           t->u.trade.px != INT64_MAX && t->u.trade.qty > 0 && t->u.trade.qty != INT64_MAX;
}
/* A bust: the cancellation of an earlier print of the same id. */
static inline bool gt_trade_is_bust(const struct gt_tick *t)
{
    return t->kind == GT_KIND_TRADE && t->u.trade.action == GT_ACT_DELETE;
}

/* An empty set; gt_busts_fini() frees what the passes allocated. */
void gt_busts_init(struct gt_busts *b);
void gt_busts_fini(struct gt_busts *b);
/* First pass: notes the busts among t[0..n) (records of one instrument).
 * Returns the busts noted so far, or GT_ENOMEM. */
int gt_busts_note(struct gt_busts *b, const struct gt_tick *t, size_t n);
/* Second pass, after every record went through gt_busts_note(): finds the
 * print each bust cancels among t[0..n). Needless (a no-op) with no busts. */
void gt_busts_match(struct gt_busts *b, const struct gt_tick *t, size_t n);
/* The rule: true if t is a print, not a leg print, that no bust of b
 * cancels. b may be NULL (no busts known); t needs kind, flags, seq, px,
 * qty, trade_id and action. */
bool gt_trade_counts(const struct gt_tick *t, const struct gt_busts *b);

/* The topic-and-CLI name of a kind ("trade"), or NULL if kind is unknown. */
const char *gt_kind_name(int kind);
/* The kind named s, or GT_EINVAL. */
int gt_kind_parse(const char *s);
/* The names the text forms (tickq, ticksub, docs/wire.md) print, or NULL for
 * a value without one: a trade's aggressor as the side it took, "buy" (a
 * buyer lifted the offer) or "sell" (a seller hit the bid), so that no one
 * reads "bid" as the book side the trade printed against; a status cause
 * ("packet_gap"); a statistic's type ("open_interest"). */
const char *gt_aggressor_name(int aggressor);
const char *gt_cause_name(int cause);
const char *gt_stat_name(int type);

/* The instrument id of an index, which has a symbol but no SecurityID on the
 * wire: a negative number derived from the symbol (FNV-1a), stable across runs
 * and machines, never colliding with a SecurityID (which is positive). */
int32_t gt_index_id(const char *symbol, size_t len);

/* Copies a NUL-padded fixed field (GT_SYMBOL_LEN or GT_PRODUCT_LEN bytes) into
 * a C string of cap bytes; returns its length. */
size_t gt_fixed_str(char *dst, size_t cap, const char *src, size_t len);

#endif
