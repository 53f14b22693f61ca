/* SPDX-License-Identifier: MIT */
/* mdp3.h -- CME MDP 3.0 SBE: framing, decoding and encoding of the exchange wire.
 *
 * A UDP datagram holds a 12-byte packet header and then messages, each a MsgSize,
 * an SBE header, a root block and repeating groups, all little-endian. Decoding
 * is zero-copy and allocates nothing: mdp3_pkt_next() frames one message at a
 * time into a view over the caller's buffer, and mdp3_<template>_decode() checks
 * the acting blockLength and every group dimension once, against the message's
 * MsgSize, so that the entry accessors read fixed offsets without further
 * checks. A field the acting block or version does not hold (SBE extension
 * rules: newer than the header's version, or past its blockLength) reads as its
 * null value, so version 9 and version 13 packets both decode. Unknown templates
 * and schemas are framed like any other message; the caller skips and counts
 * them. Nulls stay as their wire values (MDP3_PX_NULL for PRICENULL9, ...).
 *
 * The encoder writes the same templates at schema 1 version 13 (schema 5
 * version 9 for 347/348) into a caller's buffer. Encode then decode is the
 * identity for every field; char[n] fields are copied as n raw bytes, so pad
 * them with NULs (zero the struct first).
 *
 * Authority: templates_FixBinary.xml (schema 1 v13), templates_FixBinary_v9.xml
 * and streamlined_schema5_v9.xml (schema 5) in ../shared/mdp3/.
 *
 * Packet header, 12 bytes:
 *   OFFSET 0  SIZE 4  MsgSeqNum u32
 *   OFFSET 4  SIZE 8  SendingTime u64 (ns since the Unix epoch)
 * Message, at MsgSize granularity (MsgSize counts itself):
 *   OFFSET 0  SIZE 2  MsgSize u16
 *   OFFSET 2  SIZE 2  blockLength u16 (root block length)
 *   OFFSET 4  SIZE 2  templateId u16
 *   OFFSET 6  SIZE 2  schemaId u16
 *   OFFSET 8  SIZE 2  version u16
 *   OFFSET 10 SIZE blockLength  root block, then groups
 * Group dimensions:
 *   groupSize (3 B):         OFFSET 0 SIZE 2 blockLength u16 | OFFSET 2 SIZE 1 numInGroup u8
 *   groupSize8Byte (8 B):    OFFSET 0 SIZE 2 blockLength u16 | OFFSET 7 SIZE 1 numInGroup u8
 *   groupSizeEncoding (4 B): OFFSET 0 SIZE 2 blockLength u16 | OFFSET 2 SIZE 2 numInGroup u16
 *     (schema 5 only)
 *
 * Template layouts (root OFFSET SIZE field; entries after "G:" with their
 * dimension type and schema blockLength). "X" roots are 11 bytes:
 *   0 8 TransactTime u64 | 8 1 MatchEventIndicator u8 set | 9 2 padding.
 * ChannelReset4          root 9: 0 8 TransactTime | 8 1 MEI
 *   G:NoMDEntries groupSize 2: 0 2 ApplID i16 (MDUpdateAction 0, MDEntryType 'J' constant)
 * AdminHeartbeat12       root 0
 * SecurityStatus30       root 30: 0 8 TransactTime | 8 6 SecurityGroup | 14 6 Asset |
 *   20 4 SecurityID i32NULL | 24 2 TradeDate u16NULL | 26 1 MEI |
 *   27 1 SecurityTradingStatus u8NULL | 28 1 HaltReason u8 | 29 1 SecurityTradingEvent u8
 * MDIncrementalRefreshVolume37 root X
 *   G:NoMDEntries groupSize 16: 0 4 MDEntrySize i32 | 4 4 SecurityID i32 | 8 4 RptSeq u32 |
 *   12 1 MDUpdateAction u8 (MDEntryType 'e' constant)
 * MDIncrementalRefreshBook46 root X
 *   G:NoMDEntries groupSize 32: 0 8 MDEntryPx PRICENULL9 | 8 4 MDEntrySize i32NULL |
 *   12 4 SecurityID i32 | 16 4 RptSeq u32 | 20 4 NumberOfOrders i32NULL |
 *   24 1 MDPriceLevel u8 | 25 1 MDUpdateAction u8 | 26 1 MDEntryType char |
 *   27 4 TradeableSize i32NULL (since v10; null in v9)
 *   G:NoOrderIDEntries groupSize8Byte 24: 0 8 OrderID u64 | 8 8 MDOrderPriority u64NULL |
 *   16 4 MDDisplayQty i32NULL | 20 1 ReferenceID u8NULL | 21 1 OrderUpdateAction u8
 * MDIncrementalRefreshTradeSummary48 root X
 *   G:NoMDEntries groupSize 32: 0 8 MDEntryPx PRICE9 | 8 4 MDEntrySize i32 |
 *   12 4 SecurityID i32 | 16 4 RptSeq u32 | 20 4 NumberOfOrders i32 |
 *   24 1 AggressorSide u8NULL | 25 1 MDUpdateAction u8 | 26 4 MDTradeEntryID u32NULL
 *   (MDEntryType '2' constant)
 *   G:NoOrderIDEntries groupSize8Byte 16: 0 8 OrderID u64 | 8 4 LastQty i32
 * MDIncrementalRefreshDailyStatistics49 root X
 *   G:NoMDEntries groupSize 32: 0 8 MDEntryPx PRICENULL9 | 8 4 MDEntrySize i32NULL |
 *   12 4 SecurityID i32 | 16 4 RptSeq u32 | 20 2 TradingReferenceDate u16NULL |
 *   22 1 SettlPriceType u8 set | 23 1 MDUpdateAction u8 | 24 1 MDEntryType char
 * MDIncrementalRefreshLimitsBanding50 root X (CME's worked example)
 *   G:NoMDEntries groupSize 32: 0 8 HighLimitPrice PRICENULL9 | 8 8 LowLimitPrice PRICENULL9 |
 *   16 8 MaxPriceVariation PRICENULL9 | 24 4 SecurityID i32 | 28 4 RptSeq u32
 *   (MDUpdateAction 0, MDEntryType 'g' constant)
 * MDIncrementalRefreshSessionStatistics51 root X
 *   G:NoMDEntries groupSize 24: 0 8 MDEntryPx PRICE9 | 8 4 SecurityID i32 | 12 4 RptSeq u32 |
 *   16 1 OpenCloseSettlFlag u8NULL | 17 1 MDUpdateAction u8 | 18 1 MDEntryType char |
 *   19 4 MDEntrySize i32NULL
 * SnapshotFullRefresh52  root 59: 0 4 LastMsgSeqNumProcessed u32 | 4 4 TotNumReports u32 |
 *   8 4 SecurityID i32 | 12 4 RptSeq u32 | 16 8 TransactTime u64 | 24 8 LastUpdateTime u64 |
 *   32 2 TradeDate u16NULL | 34 1 MDSecurityTradingStatus u8NULL |
 *   35 8 HighLimitPrice PRICENULL9 | 43 8 LowLimitPrice PRICENULL9 |
 *   51 8 MaxPriceVariation PRICENULL9
 *   G:NoMDEntries groupSize 22: 0 8 MDEntryPx PRICENULL9 | 8 4 MDEntrySize i32NULL |
 *   12 4 NumberOfOrders i32NULL | 16 1 MDPriceLevel i8NULL | 17 2 TradingReferenceDate u16NULL |
 *   19 1 OpenCloseSettlFlag u8NULL | 20 1 SettlPriceType u8 set | 21 1 MDEntryType char
 * MDInstrumentDefinitionFuture54 root 224 (216 in v9):
 *   0 1 MEI | 1 4 TotNumReports u32NULL | 5 1 SecurityUpdateAction char |
 *   6 8 LastUpdateTime u64 | 14 1 MDSecurityTradingStatus u8NULL | 15 2 ApplID i16 |
 *   17 1 MarketSegmentID u8 | 18 1 UnderlyingProduct u8 | 19 4 SecurityExchange char |
 *   23 6 SecurityGroup | 29 6 Asset | 35 20 Symbol | 55 4 SecurityID i32 | 59 6 SecurityType |
 *   65 6 CFICode | 71 5 MaturityMonthYear (u16 year, u8 month, u8 day, u8 week; nulls
 *   65535/255) | 76 3 Currency | 79 3 SettlCurrency | 82 1 MatchAlgorithm char |
 *   83 4 MinTradeVol u32 | 87 4 MaxTradeVol u32 | 91 8 MinPriceIncrement PRICE9 |
 *   99 8 DisplayFactor Decimal9 | 107 1 MainFraction u8NULL | 108 1 SubFraction u8NULL |
 *   109 1 PriceDisplayFormat u8NULL | 110 30 UnitOfMeasure | 140 8 UnitOfMeasureQty
 *   Decimal9NULL | 148 8 TradingReferencePrice PRICENULL9 | 156 1 SettlPriceType u8 set |
 *   157 4 OpenInterestQty i32NULL | 161 4 ClearedVolume i32NULL | 165 8 HighLimitPrice |
 *   173 8 LowLimitPrice | 181 8 MaxPriceVariation (PRICENULL9) | 189 4 DecayQuantity
 *   i32NULL | 193 2 DecayStartDate u16NULL | 195 4 OriginalContractSize i32NULL |
 *   199 4 ContractMultiplier i32NULL | 203 1 ContractMultiplierUnit i8NULL |
 *   204 1 FlowScheduleType i8NULL | 205 8 MinPriceIncrementAmount PRICENULL9 |
 *   213 1 UserDefinedInstrument char | 214 2 TradingReferenceDate u16NULL |
 *   216 8 InstrumentGUID u64NULL (since v10)
 *   G:NoEvents groupSize 9: 0 1 EventType u8 | 1 8 EventTime u64
 *   G:NoMDFeedTypes groupSize 4: 0 3 MDFeedType char | 3 1 MarketDepth i8
 *   G:NoInstAttrib groupSize 4: 0 4 InstAttribValue u32 set (InstAttribType 24 constant)
 *   G:NoLotTypeRules groupSize 5: 0 1 LotType i8 | 1 4 MinLotSize DecimalQty i32NULL (1e-4)
 * Schema 5 MDInstrumentDefinitionIndices347 root 63: 0 50 Symbol | 50 1 Product i8 |
 *   51 4 SecurityExchange | 55 3 Currency | 58 1 SecurityUpdateAction char |
 *   59 2 MDFeedType | 61 2 ApplID u16NULL (since v4)
 *   G:NoInstAttrib groupSizeEncoding 101: 0 1 InstAttribType u8 | 1 100 InstAttribValue char
 *   G:NoEvents groupSizeEncoding 9: 0 1 EventType u8 | 1 8 EventTime u64
 * Schema 5 MDIncrementalRefreshIndices348 root 13: 0 8 TransactTime u64 | 8 2 MDFeedType |
 *   10 1 MEI | 11 2 BatchTotalMessages u16NULL
 *   G:NoMDEntries groupSize 176: 0 1 MDEntryType char | 1 4 RptSeq u32 |
 *   5 9 MDEntryPx Decimal64 | 14 8 MDEntrySize u64NULL | 22 50 Symbol |
 *   72 1 OpenCloseSettlFlag i8NULL | 73 8 YieldType | 81 9 Yield Decimal64 |
 *   90 9 NetChgPrevDay Decimal64 | 99 9 NetPctChg Decimal64 | 108 9 PercentTrading Decimal64 |
 *   117 1 MDEntryCode u8NULL | 118 4 MDEntryDate i32NULL | 122 4 MDEntryTime i32NULL |
 *   126 50 ReferenceID   (MDUpdateAction 0 constant)
 *   Decimal64 = OFFSET 0 SIZE 8 mantissa i64 (null INT64_MAX) | OFFSET 8 SIZE 1 exponent i8.
 */
#ifndef GT_MDP3_H
#define GT_MDP3_H
#include <stddef.h>
#include <stdint.h>

/* ---- constants ---------------------------------------------------------- */

enum {
    MDP3_PKT_HDR_LEN = 12, /* MsgSeqNum + SendingTime */
    MDP3_MSG_HDR_LEN = 10, /* MsgSize + SBE header */
    MDP3_SCHEMA_MDP = 1,
    MDP3_SCHEMA_INDICES = 5,
    MDP3_VERSION = 13,        /* what the encoder writes for schema 1 */
    MDP3_INDICES_VERSION = 9, /* what the encoder writes for schema 5 */
};

enum mdp3_template {
    MDP3_T_CHANNEL_RESET4 = 4,
    MDP3_T_ADMIN_HEARTBEAT12 = 12,
    MDP3_T_SECURITY_STATUS30 = 30,
    MDP3_T_VOLUME37 = 37,
    MDP3_T_BOOK46 = 46,
    MDP3_T_TRADE_SUMMARY48 = 48,
    MDP3_T_DAILY_STATISTICS49 = 49,
    MDP3_T_LIMITS_BANDING50 = 50,
    MDP3_T_SESSION_STATISTICS51 = 51,
    MDP3_T_SNAPSHOT52 = 52,
    MDP3_T_DEFINITION_FUTURE54 = 54,
    MDP3_T_DEFINITION_INDICES347 = 347, /* schema 5 */
    MDP3_T_INDICES348 = 348,            /* schema 5 */
};

/* Root block lengths as the schemas define them (the encoder writes these). */
enum {
    MDP3_X_ROOT_LEN = 11, /* TransactTime + MEI + 2 padding */
    MDP3_RESET4_ROOT_LEN = 9,
    MDP3_STATUS30_ROOT_LEN = 30,
    MDP3_SNAPSHOT52_ROOT_LEN = 59,
    MDP3_DEF54_ROOT_LEN = 224,
    MDP3_DEF54_V9_ROOT_LEN = 216,
    MDP3_DEF347_ROOT_LEN = 63,
    MDP3_IDX348_ROOT_LEN = 13,
};

/* MatchEventIndicator bits. */
enum {
    MDP3_MEI_LAST_TRADE = 1u << 0,
    MDP3_MEI_LAST_VOLUME = 1u << 1,
    MDP3_MEI_LAST_QUOTE = 1u << 2,
    MDP3_MEI_LAST_STATS = 1u << 3,
    MDP3_MEI_LAST_IMPLIED = 1u << 4,
    MDP3_MEI_RECOVERY = 1u << 5,
    MDP3_MEI_END_OF_EVENT = 1u << 7,
};

/* MDUpdateAction. */
enum {
    MDP3_ACT_NEW = 0,
    MDP3_ACT_CHANGE = 1,
    MDP3_ACT_DELETE = 2,
    MDP3_ACT_DELETE_THRU = 3,
    MDP3_ACT_DELETE_FROM = 4,
    MDP3_ACT_OVERLAY = 5,
};

/* MDEntryType characters. */
enum {
    MDP3_ET_BID = '0',
    MDP3_ET_OFFER = '1',
    MDP3_ET_TRADE = '2',
    MDP3_ET_INDEX_VALUE = '3', /* schema 5 */
    MDP3_ET_OPEN = '4',
    MDP3_ET_SETTLE = '6',
    MDP3_ET_HIGH = '7',
    MDP3_ET_LOW = '8',
    MDP3_ET_VWAP = '9',
    MDP3_ET_CLEARED_VOLUME = 'B',
    MDP3_ET_OPEN_INTEREST = 'C',
    MDP3_ET_IMPLIED_BID = 'E',
    MDP3_ET_IMPLIED_OFFER = 'F',
    MDP3_ET_BOOK_RESET = 'J',
    MDP3_ET_HIGH_BID = 'N',
    MDP3_ET_LOW_OFFER = 'O',
    MDP3_ET_FIXING_PRICE = 'W',
    MDP3_ET_ELECTRONIC_VOLUME = 'e',
    MDP3_ET_MARKET_BEST_BID = 'w',
    MDP3_ET_MARKET_BEST_OFFER = 'x',
};

/* SecurityTradingStatus. */
enum {
    MDP3_TS_TRADING_HALT = 2,
    MDP3_TS_CLOSE = 4,
    MDP3_TS_NEW_PRICE_INDICATION = 15,
    MDP3_TS_READY_TO_TRADE = 17,
    MDP3_TS_NOT_AVAILABLE = 18,
    MDP3_TS_UNKNOWN = 20,
    MDP3_TS_PRE_OPEN = 21,
    MDP3_TS_PRE_CROSS = 24,
    MDP3_TS_CROSS = 25,
    MDP3_TS_POST_CLOSE = 26,
    MDP3_TS_NO_CHANGE = 103,
};

/* MDEntryCode (schema 5). */
enum {
    MDP3_EC_INDICATIVE = 1,
    MDP3_EC_PRE_MARKET = 2,
    MDP3_EC_PRELIMINARY_CLOSE = 3,
    MDP3_EC_SESSION_CLOSE = 4,
    MDP3_EC_CLOSE = 5,
};

/* Null values as they are on the wire. */
#define MDP3_PX_NULL INT64_MAX /* PRICENULL9, Decimal9NULL, Decimal64 mantissa */
#define MDP3_I32_NULL INT32_MAX
#define MDP3_U32_NULL UINT32_MAX
#define MDP3_U64_NULL UINT64_MAX
#define MDP3_U16_NULL UINT16_MAX /* also LocalMktDate */
#define MDP3_U8_NULL UINT8_MAX   /* also uInt8NULL enums */
#define MDP3_I8_NULL INT8_MAX
#define MDP3_I16_NULL INT16_MAX

/* ---- framing ------------------------------------------------------------ */

/* A packet being framed. A view: p must stay valid while pkt and its messages are used. */
struct mdp3_pkt {
    const uint8_t *p;
    size_t len;
    size_t off;               /* of the next message */
    size_t err_off;           /* byte offset in the packet of the last framing error */
    int err_rc;               /* that error, returned again by later calls; 0 if none */
    uint32_t seq;             /* MsgSeqNum */
    uint64_t sending_time_ns; /* SendingTime */
};

/* One framed message: a view into the packet. */
struct mdp3_msg {
    const uint8_t *p; /* at MsgSize */
    size_t len;       /* MsgSize: the whole message */
    size_t off;       /* of MsgSize in the packet */
    uint16_t block_len, template_id, schema_id, version;
    const uint8_t *body; /* after the SBE header: root block, then groups */
    size_t body_len;     /* len - MDP3_MSG_HDR_LEN */
};

/* Reads the packet header. Returns GT_OK, or GT_ETRUNC (err_off 0) if len < 12. */
int mdp3_pkt_init(struct mdp3_pkt *pkt, const uint8_t *p, size_t len);

/* Frames the next message. Returns 1 and fills *msg, 0 at the end of the packet,
 * GT_ETRUNC if fewer than MDP3_MSG_HDR_LEN bytes or fewer than MsgSize remain,
 * GT_EBADMSG if MsgSize < MDP3_MSG_HDR_LEN or blockLength runs past MsgSize; on
 * error pkt->err_off is the offset of the bad message and further calls return
 * the same error. Unknown templates and schemas are framed like any other. */
int mdp3_pkt_next(struct mdp3_pkt *pkt, struct mdp3_msg *msg);

/* ---- groups and decimals ------------------------------------------------ */

/* A validated repeating group: n entries of block_len bytes from p (a view). */
struct mdp3_group {
    const uint8_t *p;
    uint16_t block_len;
    uint16_t n;
};

/* Schema 5 Decimal64: value = mantissa * 10^exponent; null mantissa MDP3_PX_NULL. */
struct mdp3_dec64 {
    int64_t mantissa;
    int8_t exponent;
};

/* Converts to 1e-9 fixed point in *px. A null mantissa gives MDP3_PX_NULL. A finer
 * exponent than -9 truncates toward zero. Returns GT_OK, or GT_EBADMSG (and leaves
 * *px alone) if the value does not fit an int64 or is MDP3_PX_NULL itself. */
int mdp3_dec64_to_px(struct mdp3_dec64 d, int64_t *px);

/* Every decoder: returns GT_OK, GT_EINVAL if msg is another template or schema,
 * GT_EBADMSG if the acting blockLength is smaller than the fields the template
 * requires or a group's blockLength is smaller than its entries' required fields,
 * GT_ETRUNC if a group dimension or its entries run past MsgSize. The decoded
 * struct's group views point into msg's packet and live as long as it does.
 * The entry accessors take an index below the group's n (unchecked). */

/* ---- templates ---------------------------------------------------------- */

struct mdp3_reset4 {
    uint64_t transact_time_ns;
    uint8_t mei;
    struct mdp3_group entries;
};
struct mdp3_reset4_entry {
    int16_t appl_id;
};
int mdp3_reset4_decode(const struct mdp3_msg *msg, struct mdp3_reset4 *m);
void mdp3_reset4_entry(const struct mdp3_reset4 *m, size_t i, struct mdp3_reset4_entry *e);

/* AdminHeartbeat12 has no fields; mdp3_pkt_next's view is all there is. */

struct mdp3_status30 {
    uint64_t transact_time_ns;
    char security_group[7]; /* 6 raw bytes + NUL */
    char asset[7];
    int32_t security_id; /* MDP3_I32_NULL */
    uint16_t trade_date; /* days since epoch, MDP3_U16_NULL */
    uint8_t mei;
    uint8_t trading_status; /* MDP3_TS_*, MDP3_U8_NULL */
    uint8_t halt_reason;
    uint8_t trading_event;
};
int mdp3_status30_decode(const struct mdp3_msg *msg, struct mdp3_status30 *m);

/* Root of the "X" incremental templates 37, 46, 48, 49, 50, 51. */
struct mdp3_incr {
    uint64_t transact_time_ns;
    uint8_t mei;
    uint16_t version; /* the acting version, for fields newer than some */
    struct mdp3_group entries;
    struct mdp3_group orders; /* 46 and 48 only; n 0 otherwise or when absent */
};

struct mdp3_volume37_entry {
    int32_t size;
    int32_t security_id;
    uint32_t rpt_seq;
    uint8_t update_action;
};
int mdp3_volume37_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_volume37_entry(const struct mdp3_incr *m, size_t i, struct mdp3_volume37_entry *e);

struct mdp3_book46_entry {
    int64_t px;   /* MDP3_PX_NULL */
    int32_t size; /* MDP3_I32_NULL */
    int32_t security_id;
    uint32_t rpt_seq;
    int32_t n_orders; /* MDP3_I32_NULL */
    uint8_t price_level;
    uint8_t update_action;  /* MDP3_ACT_* */
    char entry_type;        /* MDP3_ET_* */
    int32_t tradeable_size; /* MDP3_I32_NULL; since v10 */
};
struct mdp3_book46_order {
    uint64_t order_id;
    uint64_t priority;    /* MDP3_U64_NULL */
    int32_t display_qty;  /* MDP3_I32_NULL */
    uint8_t reference_id; /* MDP3_U8_NULL */
    uint8_t order_update_action;
};
int mdp3_book46_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_book46_entry(const struct mdp3_incr *m, size_t i, struct mdp3_book46_entry *e);
void mdp3_book46_order(const struct mdp3_incr *m, size_t i, struct mdp3_book46_order *o);

struct mdp3_trade48_entry {
    int64_t px;
    int32_t size;
    int32_t security_id;
    uint32_t rpt_seq;
    int32_t n_orders;
    uint8_t aggressor_side; /* 0 none, 1 buy, 2 sell, MDP3_U8_NULL */
    uint8_t update_action;
    uint32_t trade_entry_id; /* MDP3_U32_NULL */
};
struct mdp3_trade48_order {
    uint64_t order_id;
    int32_t last_qty;
};
int mdp3_trade48_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_trade48_entry(const struct mdp3_incr *m, size_t i, struct mdp3_trade48_entry *e);
void mdp3_trade48_order(const struct mdp3_incr *m, size_t i, struct mdp3_trade48_order *o);

struct mdp3_daily49_entry {
    int64_t px;   /* MDP3_PX_NULL */
    int32_t size; /* MDP3_I32_NULL */
    int32_t security_id;
    uint32_t rpt_seq;
    uint16_t trading_ref_date; /* MDP3_U16_NULL */
    uint8_t settl_price_type;
    uint8_t update_action;
    char entry_type;
};
int mdp3_daily49_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_daily49_entry(const struct mdp3_incr *m, size_t i, struct mdp3_daily49_entry *e);

/* LimitsBanding50: CME's worked example. */
struct mdp3_limits50_entry {
    int64_t high_limit_px;          /* MDP3_PX_NULL */
    int64_t low_limit_px;           /* MDP3_PX_NULL */
    int64_t max_price_variation_px; /* MDP3_PX_NULL */
    int32_t security_id;
    uint32_t rpt_seq;
};
int mdp3_limits50_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_limits50_entry(const struct mdp3_incr *m, size_t i, struct mdp3_limits50_entry *e);

struct mdp3_session51_entry {
    int64_t px;
    int32_t security_id;
    uint32_t rpt_seq;
    uint8_t open_close_settl_flag; /* MDP3_U8_NULL */
    uint8_t update_action;
    char entry_type;
    int32_t size; /* MDP3_I32_NULL */
};
int mdp3_session51_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_session51_entry(const struct mdp3_incr *m, size_t i, struct mdp3_session51_entry *e);

struct mdp3_snapshot52 {
    uint32_t last_msg_seq_num_processed;
    uint32_t tot_num_reports;
    int32_t security_id;
    uint32_t rpt_seq;
    uint64_t transact_time_ns;
    uint64_t last_update_time_ns;
    uint16_t trade_date;    /* MDP3_U16_NULL */
    uint8_t trading_status; /* MDP3_U8_NULL */
    int64_t high_limit_px;  /* MDP3_PX_NULL */
    int64_t low_limit_px;
    int64_t max_price_variation_px;
    struct mdp3_group entries;
};
struct mdp3_snapshot52_entry {
    int64_t px;
    int32_t size;
    int32_t n_orders;
    int8_t price_level; /* MDP3_I8_NULL */
    uint16_t trading_ref_date;
    uint8_t open_close_settl_flag;
    uint8_t settl_price_type;
    char entry_type;
};
int mdp3_snapshot52_decode(const struct mdp3_msg *msg, struct mdp3_snapshot52 *m);
void mdp3_snapshot52_entry(const struct mdp3_snapshot52 *m, size_t i,
                           struct mdp3_snapshot52_entry *e);

struct mdp3_def54 {
    uint8_t mei;
    uint32_t tot_num_reports;    /* MDP3_U32_NULL */
    char security_update_action; /* 'A', 'D', 'M' */
    uint64_t last_update_time_ns;
    uint8_t trading_status;
    int16_t appl_id;
    uint8_t market_segment_id;
    uint8_t underlying_product;
    char security_exchange[5];
    char security_group[7];
    char asset[7];
    char symbol[21];
    int32_t security_id;
    char security_type[7];
    char cfi_code[7];
    uint16_t maturity_year;                              /* MaturityMonthYear; MDP3_U16_NULL */
    uint8_t maturity_month, maturity_day, maturity_week; /* MDP3_U8_NULL */
    char currency[4];
    char settl_currency[4];
    char match_algorithm;
    uint32_t min_trade_vol;
    uint32_t max_trade_vol;
    int64_t min_price_increment_px;
    int64_t display_factor;                                    /* Decimal9, 1e-9 */
    uint8_t main_fraction, sub_fraction, price_display_format; /* MDP3_U8_NULL */
    char unit_of_measure[31];
    int64_t unit_of_measure_qty; /* Decimal9NULL, 1e-9 */
    int64_t trading_ref_px;
    uint8_t settl_price_type;
    int32_t open_interest_qty;
    int32_t cleared_volume;
    int64_t high_limit_px, low_limit_px, max_price_variation_px;
    int32_t decay_quantity;
    uint16_t decay_start_date;
    int32_t original_contract_size;
    int32_t contract_multiplier;
    int8_t contract_multiplier_unit;
    int8_t flow_schedule_type;
    int64_t min_price_increment_amount_px;
    char user_defined_instrument;
    uint16_t trading_ref_date;
    uint64_t instrument_guid; /* MDP3_U64_NULL; since v10 */
    struct mdp3_group events, feed_types, inst_attribs, lot_type_rules;
};
struct mdp3_def54_event {
    uint8_t event_type; /* 5 Activation, 7 LastEligibleTradeDate */
    uint64_t event_time_ns;
};
struct mdp3_def54_feed_type {
    char md_feed_type[4]; /* "GBX" or "GBI" */
    int8_t market_depth;
};
struct mdp3_def54_lot_type_rule {
    int8_t lot_type;
    int32_t min_lot_size; /* DecimalQty, 1e-4; MDP3_I32_NULL */
};
int mdp3_def54_decode(const struct mdp3_msg *msg, struct mdp3_def54 *m);
void mdp3_def54_event(const struct mdp3_def54 *m, size_t i, struct mdp3_def54_event *e);
void mdp3_def54_feed_type(const struct mdp3_def54 *m, size_t i, struct mdp3_def54_feed_type *f);
uint32_t mdp3_def54_inst_attrib(const struct mdp3_def54 *m, size_t i);
void mdp3_def54_lot_type_rule(const struct mdp3_def54 *m, size_t i,
                              struct mdp3_def54_lot_type_rule *r);

struct mdp3_def347 {
    char symbol[51];
    int8_t product;
    char security_exchange[5];
    char currency[4];
    char security_update_action;
    char md_feed_type[3];
    uint16_t appl_id; /* MDP3_U16_NULL; since v4 */
    struct mdp3_group inst_attribs, events;
};
struct mdp3_def347_inst_attrib {
    uint8_t type;
    char value[101];
};
int mdp3_def347_decode(const struct mdp3_msg *msg, struct mdp3_def347 *m);
void mdp3_def347_inst_attrib(const struct mdp3_def347 *m, size_t i,
                             struct mdp3_def347_inst_attrib *a);
void mdp3_def347_event(const struct mdp3_def347 *m, size_t i, struct mdp3_def54_event *e);

struct mdp3_idx348 {
    uint64_t transact_time_ns;
    char md_feed_type[3];
    uint8_t mei;
    uint16_t batch_total_messages; /* MDP3_U16_NULL */
    struct mdp3_group entries;
};
struct mdp3_idx348_entry {
    char entry_type; /* MDP3_ET_INDEX_VALUE, '4' open, '5' close, ... */
    uint32_t rpt_seq;
    struct mdp3_dec64 px;
    uint64_t size; /* MDP3_U64_NULL */
    char symbol[51];
    int8_t open_close_settl_flag; /* MDP3_I8_NULL */
    char yield_type[9];
    struct mdp3_dec64 yield, net_chg_prev_day, net_pct_chg, percent_trading;
    uint8_t entry_code; /* MDP3_EC_*, MDP3_U8_NULL */
    int32_t entry_date; /* MDP3_I32_NULL */
    int32_t entry_time; /* MDP3_I32_NULL */
    char reference_id[51];
};
int mdp3_idx348_decode(const struct mdp3_msg *msg, struct mdp3_idx348 *m);
void mdp3_idx348_entry(const struct mdp3_idx348 *m, size_t i, struct mdp3_idx348_entry *e);

/* ---- encoder ------------------------------------------------------------ */

/* Builds one packet in a caller's buffer. */
struct mdp3_enc {
    uint8_t *buf;
    size_t cap;
    size_t len;
};

/* Writes the packet header. Returns GT_OK, or GT_ETRUNC if cap < MDP3_PKT_HDR_LEN. */
int mdp3_enc_init(struct mdp3_enc *e, uint8_t *buf, size_t cap, uint32_t seq,
                  uint64_t sending_time_ns);

/* Bytes of packet written so far. */
size_t mdp3_enc_len(const struct mdp3_enc *e);

/* Every encoder appends one message (MsgSize, SBE header, root, groups) and returns
 * GT_OK; GT_ETRUNC if it does not fit in the rest of the buffer (nothing written:
 * send this packet and start the next), GT_EINVAL if a group has more than 255
 * entries (65535 for schema 5 groupSizeEncoding) or the message exceeds 65535
 * bytes. The group views inside the root structs are ignored. */
int mdp3_enc_reset4(struct mdp3_enc *e, const struct mdp3_reset4 *m,
                    const struct mdp3_reset4_entry *ents, size_t n);
int mdp3_enc_heartbeat12(struct mdp3_enc *e);
int mdp3_enc_status30(struct mdp3_enc *e, const struct mdp3_status30 *m);
int mdp3_enc_volume37(struct mdp3_enc *e, const struct mdp3_incr *m,
                      const struct mdp3_volume37_entry *ents, size_t n);
int mdp3_enc_book46(struct mdp3_enc *e, const struct mdp3_incr *m,
                    const struct mdp3_book46_entry *ents, size_t n,
                    const struct mdp3_book46_order *ords, size_t n_ords);
int mdp3_enc_trade48(struct mdp3_enc *e, const struct mdp3_incr *m,
                     const struct mdp3_trade48_entry *ents, size_t n,
                     const struct mdp3_trade48_order *ords, size_t n_ords);
int mdp3_enc_daily49(struct mdp3_enc *e, const struct mdp3_incr *m,
                     const struct mdp3_daily49_entry *ents, size_t n);
int mdp3_enc_limits50(struct mdp3_enc *e, const struct mdp3_incr *m,
                      const struct mdp3_limits50_entry *ents, size_t n);
int mdp3_enc_session51(struct mdp3_enc *e, const struct mdp3_incr *m,
                       const struct mdp3_session51_entry *ents, size_t n);
int mdp3_enc_snapshot52(struct mdp3_enc *e, const struct mdp3_snapshot52 *m,
                        const struct mdp3_snapshot52_entry *ents, size_t n);
int mdp3_enc_def54(struct mdp3_enc *e, const struct mdp3_def54 *m,
                   const struct mdp3_def54_event *evs, size_t n_evs,
                   const struct mdp3_def54_feed_type *fts, size_t n_fts, const uint32_t *attribs,
                   size_t n_attribs, const struct mdp3_def54_lot_type_rule *lots, size_t n_lots);
int mdp3_enc_def347(struct mdp3_enc *e, const struct mdp3_def347 *m,
                    const struct mdp3_def347_inst_attrib *attribs, size_t n_attribs,
                    const struct mdp3_def54_event *evs, size_t n_evs);
int mdp3_enc_idx348(struct mdp3_enc *e, const struct mdp3_idx348 *m,
                    const struct mdp3_idx348_entry *ents, size_t n);

/* Returns a static name for a template of a schema ("MDIncrementalRefreshBook46"),
 * or NULL if unknown. */
const char *mdp3_template_name(uint16_t schema_id, uint16_t template_id);

#endif
