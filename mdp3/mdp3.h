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
 * Template layouts: one table per root block and group entry, under
 * "templates" below (offset, size, kind and null of every field); the structs,
 * the decoders, the encoders and the dump are expanded from those tables.
 * Group dimension types as above; Decimal64 (schema 5) = OFFSET 0 SIZE 8
 * mantissa i64 (null INT64_MAX) | OFFSET 8 SIZE 1 exponent i8.
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
    MDP3_T_ORDER_BOOK47 = 47,
    MDP3_T_TRADE_SUMMARY48 = 48,
    MDP3_T_DAILY_STATISTICS49 = 49,
    MDP3_T_LIMITS_BANDING50 = 50,
    MDP3_T_SESSION_STATISTICS51 = 51,
    MDP3_T_SNAPSHOT52 = 52,
    MDP3_T_SNAPSHOT_ORDER_BOOK53 = 53,
    MDP3_T_DEFINITION_FUTURE54 = 54,
    MDP3_T_DEFINITION_SPREAD56 = 56,
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
    MDP3_SNAPSHOT53_ROOT_LEN = 28,
    MDP3_DEF56_ROOT_LEN = 255,
    MDP3_DEF56_V9_ROOT_LEN = 195,
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

/* ---- templates ---------------------------------------------------------- */

/* One description per template. Each MDP3_<T>_<PART>(F) table below lists one
 * root block or group entry, one F(member, key, offset, size, kind, since) per
 * field in wire order:
 *   member  the C struct member the decoder fills and the encoder reads;
 *   key     the name the dump prints;
 *   offset  byte offset in the root block or group entry; size its width;
 *   kind    the field's type and null value (MDP3_DECL_<kind> below; null as
 *           named there, "-" for types without one);
 *   since   0, or the schema version that added the field: absent from an older
 *           message (or past its acting blockLength), it reads as its null.
 * The struct declarations here, the decoders and encoders (mdp3.c) and the dump
 * (dump.c) are all expanded from these tables; a field is written once.
 *
 * kind    C type             wire type           null
 * U8      uint8_t            uInt8               -
 * U8N     uint8_t            uInt8NULL / enum    MDP3_U8_NULL
 * HEX8    uint8_t            8-bit set           -  (dump: hex)
 * I8      int8_t             Int8                -
 * I8N     int8_t             Int8NULL            MDP3_I8_NULL
 * CH      char               CHAR / char enum    -
 * U16N    uint16_t           uInt16NULL          MDP3_U16_NULL
 * DATE    uint16_t           LocalMktDate        MDP3_U16_NULL (days since the epoch)
 * I16     int16_t            Int16               -
 * U32     uint32_t           uInt32              -
 * U32N    uint32_t           uInt32NULL          MDP3_U32_NULL
 * HEX32   uint32_t           32-bit set          -  (dump: hex)
 * I32     int32_t            Int32               -
 * I32N    int32_t            Int32NULL           MDP3_I32_NULL
 * QTY4    int32_t            DecimalQty (1e-4)   MDP3_I32_NULL
 * U64     uint64_t           uInt64              -
 * U64N    uint64_t           uInt64NULL          MDP3_U64_NULL
 * NS      uint64_t           UTCTimestamp (ns)   MDP3_U64_NULL
 * PX      int64_t            PRICE9/PRICENULL9/Decimal9[NULL], 1e-9   MDP3_PX_NULL
 * DEC64   struct mdp3_dec64  schema 5 Decimal64  mantissa MDP3_PX_NULL
 * STR     char[size + 1]     char[size], copied raw and NUL-terminated   -
 *
 * Every decoder: returns GT_OK, GT_EINVAL if msg is another template or schema,
 * GT_EBADMSG if the acting blockLength is smaller than the fields the template
 * requires (every field of the table but the "since" ones) or a group's
 * blockLength is smaller than its entries' required fields, GT_ETRUNC if a group
 * dimension or its entries run past MsgSize. The decoded struct's group views
 * point into msg's packet and live as long as it does. The entry accessors take
 * an index below the group's n (unchecked). */

#define MDP3_DECL_U8(m, n) uint8_t m
#define MDP3_DECL_U8N(m, n) uint8_t m
#define MDP3_DECL_HEX8(m, n) uint8_t m
#define MDP3_DECL_I8(m, n) int8_t m
#define MDP3_DECL_I8N(m, n) int8_t m
#define MDP3_DECL_CH(m, n) char m
#define MDP3_DECL_U16N(m, n) uint16_t m
#define MDP3_DECL_DATE(m, n) uint16_t m
#define MDP3_DECL_I16(m, n) int16_t m
#define MDP3_DECL_U32(m, n) uint32_t m
#define MDP3_DECL_U32N(m, n) uint32_t m
#define MDP3_DECL_HEX32(m, n) uint32_t m
#define MDP3_DECL_I32(m, n) int32_t m
#define MDP3_DECL_I32N(m, n) int32_t m
#define MDP3_DECL_QTY4(m, n) int32_t m
#define MDP3_DECL_U64(m, n) uint64_t m
#define MDP3_DECL_U64N(m, n) uint64_t m
#define MDP3_DECL_NS(m, n) uint64_t m
#define MDP3_DECL_PX(m, n) int64_t m
#define MDP3_DECL_DEC64(m, n) struct mdp3_dec64 m
#define MDP3_DECL_STR(m, n) char m[(n) + 1]

/* Expands a table row into a struct member. */
#define MDP3_MEMBER(m, key, off, n, kind, since) MDP3_DECL_##kind(m, n);

/* The root of the "X" incremental templates 37, 46, 47, 48, 49, 50, 51 (11 bytes
 * with 2 of padding) and of ChannelReset4 (9 bytes). */
#define MDP3_X_ROOT(F)                                                                             \
    F(transact_time_ns, "transact_time", 0, 8, NS, 0)                                              \
    F(mei, "mei", 8, 1, HEX8, 0)

/* ChannelReset4: root 9, NoMDEntries groupSize 2 (MDUpdateAction 0 and MDEntryType
 * 'J' constant). */
#define MDP3_RESET4_ENTRY(F) F(appl_id, "appl_id", 0, 2, I16, 0)
enum { MDP3_RESET4_ENTRY_LEN = 2 };

/* SecurityStatus30: root 30. */
#define MDP3_STATUS30_ROOT(F)                                                                      \
    F(transact_time_ns, "transact_time", 0, 8, NS, 0)                                              \
    F(security_group, "security_group", 8, 6, STR, 0)                                              \
    F(asset, "asset", 14, 6, STR, 0)                                                               \
    F(security_id, "security_id", 20, 4, I32N, 0)                                                  \
    F(trade_date, "trade_date", 24, 2, DATE, 0)                                                    \
    F(mei, "mei", 26, 1, HEX8, 0)                                                                  \
    F(trading_status, "trading_status", 27, 1, U8N, 0) /* MDP3_TS_* */                             \
    F(halt_reason, "halt_reason", 28, 1, U8, 0)                                                    \
    F(trading_event, "trading_event", 29, 1, U8, 0)

/* MDIncrementalRefreshVolume37: NoMDEntries groupSize 16 (MDEntryType 'e' constant). */
#define MDP3_VOLUME37_ENTRY(F)                                                                     \
    F(size, "size", 0, 4, I32, 0)                                                                  \
    F(security_id, "security_id", 4, 4, I32, 0)                                                    \
    F(rpt_seq, "rpt_seq", 8, 4, U32, 0)                                                            \
    F(update_action, "update_action", 12, 1, U8, 0)
enum { MDP3_VOLUME37_ENTRY_LEN = 16 };

/* MDIncrementalRefreshBook46: NoMDEntries groupSize 32 and NoOrderIDEntries
 * groupSize8Byte 24. TradeableSize (since v10) lies in what v9 calls padding. */
#define MDP3_BOOK46_ENTRY(F)                                                                       \
    F(px, "px", 0, 8, PX, 0)                                                                       \
    F(size, "size", 8, 4, I32N, 0)                                                                 \
    F(security_id, "security_id", 12, 4, I32, 0)                                                   \
    F(rpt_seq, "rpt_seq", 16, 4, U32, 0)                                                           \
    F(n_orders, "n_orders", 20, 4, I32N, 0)                                                        \
    F(price_level, "price_level", 24, 1, U8, 0)                                                    \
    F(update_action, "update_action", 25, 1, U8, 0) /* MDP3_ACT_* */                               \
    F(entry_type, "entry_type", 26, 1, CH, 0)       /* MDP3_ET_* */                                \
    F(tradeable_size, "tradeable_size", 27, 4, I32N, 10)
#define MDP3_BOOK46_ORDER(F)                                                                       \
    F(order_id, "order_id", 0, 8, U64, 0)                                                          \
    F(priority, "priority", 8, 8, U64N, 0)                                                         \
    F(display_qty, "display_qty", 16, 4, I32N, 0)                                                  \
    F(reference_id, "reference_id", 20, 1, U8N, 0)                                                 \
    F(order_update_action, "order_update_action", 21, 1, U8, 0)
enum { MDP3_BOOK46_ENTRY_LEN = 32, MDP3_BOOK46_ORDER_LEN = 24 };

/* MDIncrementalRefreshTradeSummary48: NoMDEntries groupSize 32 (MDEntryType '2'
 * constant) and NoOrderIDEntries groupSize8Byte 16. */
#define MDP3_TRADE48_ENTRY(F)                                                                      \
    F(px, "px", 0, 8, PX, 0)                                                                       \
    F(size, "size", 8, 4, I32, 0)                                                                  \
    F(security_id, "security_id", 12, 4, I32, 0)                                                   \
    F(rpt_seq, "rpt_seq", 16, 4, U32, 0)                                                           \
    F(n_orders, "n_orders", 20, 4, I32, 0)                                                         \
    F(aggressor_side, "aggressor_side", 24, 1, U8N, 0) /* 0 none, 1 buy, 2 sell */                 \
    F(update_action, "update_action", 25, 1, U8, 0)                                                \
    F(trade_entry_id, "trade_entry_id", 26, 4, U32N, 0)
#define MDP3_TRADE48_ORDER(F)                                                                      \
    F(order_id, "order_id", 0, 8, U64, 0)                                                          \
    F(last_qty, "last_qty", 8, 4, I32, 0)
enum { MDP3_TRADE48_ENTRY_LEN = 32, MDP3_TRADE48_ORDER_LEN = 16 };

/* MDIncrementalRefreshDailyStatistics49: NoMDEntries groupSize 32. */
#define MDP3_DAILY49_ENTRY(F)                                                                      \
    F(px, "px", 0, 8, PX, 0)                                                                       \
    F(size, "size", 8, 4, I32N, 0)                                                                 \
    F(security_id, "security_id", 12, 4, I32, 0)                                                   \
    F(rpt_seq, "rpt_seq", 16, 4, U32, 0)                                                           \
    F(trading_ref_date, "trading_ref_date", 20, 2, DATE, 0)                                        \
    F(settl_price_type, "settl_price_type", 22, 1, HEX8, 0)                                        \
    F(update_action, "update_action", 23, 1, U8, 0)                                                \
    F(entry_type, "entry_type", 24, 1, CH, 0)
enum { MDP3_DAILY49_ENTRY_LEN = 32 };

/* MDIncrementalRefreshLimitsBanding50 (CME's worked example): NoMDEntries
 * groupSize 32 (MDUpdateAction 0 and MDEntryType 'g' constant). */
#define MDP3_LIMITS50_ENTRY(F)                                                                     \
    F(high_limit_px, "high_limit_px", 0, 8, PX, 0)                                                 \
    F(low_limit_px, "low_limit_px", 8, 8, PX, 0)                                                   \
    F(max_price_variation_px, "max_price_variation_px", 16, 8, PX, 0)                              \
    F(security_id, "security_id", 24, 4, I32, 0)                                                   \
    F(rpt_seq, "rpt_seq", 28, 4, U32, 0)
enum { MDP3_LIMITS50_ENTRY_LEN = 32 };

/* MDIncrementalRefreshSessionStatistics51: NoMDEntries groupSize 24. */
#define MDP3_SESSION51_ENTRY(F)                                                                    \
    F(px, "px", 0, 8, PX, 0)                                                                       \
    F(security_id, "security_id", 8, 4, I32, 0)                                                    \
    F(rpt_seq, "rpt_seq", 12, 4, U32, 0)                                                           \
    F(open_close_settl_flag, "open_close_settl_flag", 16, 1, U8N, 0)                               \
    F(update_action, "update_action", 17, 1, U8, 0)                                                \
    F(entry_type, "entry_type", 18, 1, CH, 0)                                                      \
    F(size, "size", 19, 4, I32N, 0)
enum { MDP3_SESSION51_ENTRY_LEN = 24 };

/* SnapshotFullRefresh52: root 59, NoMDEntries groupSize 22. */
#define MDP3_SNAPSHOT52_ROOT(F)                                                                    \
    F(last_msg_seq_num_processed, "last_msg_seq_num_processed", 0, 4, U32, 0)                      \
    F(tot_num_reports, "tot_num_reports", 4, 4, U32, 0)                                            \
    F(security_id, "security_id", 8, 4, I32, 0)                                                    \
    F(rpt_seq, "rpt_seq", 12, 4, U32, 0)                                                           \
    F(transact_time_ns, "transact_time", 16, 8, NS, 0)                                             \
    F(last_update_time_ns, "last_update_time", 24, 8, NS, 0)                                       \
    F(trade_date, "trade_date", 32, 2, DATE, 0)                                                    \
    F(trading_status, "trading_status", 34, 1, U8N, 0)                                             \
    F(high_limit_px, "high_limit_px", 35, 8, PX, 0)                                                \
    F(low_limit_px, "low_limit_px", 43, 8, PX, 0)                                                  \
    F(max_price_variation_px, "max_price_variation_px", 51, 8, PX, 0)
#define MDP3_SNAPSHOT52_ENTRY(F)                                                                   \
    F(px, "px", 0, 8, PX, 0)                                                                       \
    F(size, "size", 8, 4, I32N, 0)                                                                 \
    F(n_orders, "n_orders", 12, 4, I32N, 0)                                                        \
    F(price_level, "price_level", 16, 1, I8N, 0)                                                   \
    F(trading_ref_date, "trading_ref_date", 17, 2, DATE, 0)                                        \
    F(open_close_settl_flag, "open_close_settl_flag", 19, 1, U8N, 0)                               \
    F(settl_price_type, "settl_price_type", 20, 1, HEX8, 0)                                        \
    F(entry_type, "entry_type", 21, 1, CH, 0)
enum { MDP3_SNAPSHOT52_ENTRY_LEN = 22 };

/* The first 79 bytes of the instrument definitions 54 and 56 (through Currency)
 * are the same fields at the same offsets; UnderlyingProduct is uInt8 in 54 and
 * uInt8NULL in 56 (up_kind). */
#define MDP3_DEF_HEAD(F, up_kind)                                                                  \
    F(mei, "mei", 0, 1, HEX8, 0)                                                                   \
    F(tot_num_reports, "tot_num_reports", 1, 4, U32N, 0)                                           \
    F(security_update_action, "security_update_action", 5, 1, CH, 0) /* 'A', 'D', 'M' */           \
    F(last_update_time_ns, "last_update_time", 6, 8, NS, 0)                                        \
    F(trading_status, "trading_status", 14, 1, U8N, 0)                                             \
    F(appl_id, "appl_id", 15, 2, I16, 0)                                                           \
    F(market_segment_id, "market_segment_id", 17, 1, U8, 0)                                        \
    F(underlying_product, "underlying_product", 18, 1, up_kind, 0)                                 \
    F(security_exchange, "security_exchange", 19, 4, STR, 0)                                       \
    F(security_group, "security_group", 23, 6, STR, 0)                                             \
    F(asset, "asset", 29, 6, STR, 0)                                                               \
    F(symbol, "symbol", 35, 20, STR, 0)                                                            \
    F(security_id, "security_id", 55, 4, I32, 0)                                                   \
    F(security_type, "security_type", 59, 6, STR, 0)                                               \
    F(cfi_code, "cfi_code", 65, 6, STR, 0)                                                         \
    F(maturity_year, "maturity_year", 71, 2, U16N, 0) /* MaturityMonthYear */                      \
    F(maturity_month, "maturity_month", 73, 1, U8N, 0)                                             \
    F(maturity_day, "maturity_day", 74, 1, U8N, 0)                                                 \
    F(maturity_week, "maturity_week", 75, 1, U8N, 0)                                               \
    F(currency, "currency", 76, 3, STR, 0)

/* MDInstrumentDefinitionFuture54: root 224 (216 in v9); groups NoEvents 9,
 * NoMDFeedTypes 4, NoInstAttrib 4 (InstAttribType 24 constant), NoLotTypeRules 5,
 * all groupSize. */
#define MDP3_DEF54_ROOT(F)                                                                         \
    MDP3_DEF_HEAD(F, U8)                                                                           \
    F(settl_currency, "settl_currency", 79, 3, STR, 0)                                             \
    F(match_algorithm, "match_algorithm", 82, 1, CH, 0)                                            \
    F(min_trade_vol, "min_trade_vol", 83, 4, U32, 0)                                               \
    F(max_trade_vol, "max_trade_vol", 87, 4, U32, 0)                                               \
    F(min_price_increment_px, "min_price_increment_px", 91, 8, PX, 0)                              \
    F(display_factor, "display_factor", 99, 8, PX, 0)                                              \
    F(main_fraction, "main_fraction", 107, 1, U8N, 0)                                              \
    F(sub_fraction, "sub_fraction", 108, 1, U8N, 0)                                                \
    F(price_display_format, "price_display_format", 109, 1, U8N, 0)                                \
    F(unit_of_measure, "unit_of_measure", 110, 30, STR, 0)                                         \
    F(unit_of_measure_qty, "unit_of_measure_qty", 140, 8, PX, 0)                                   \
    F(trading_ref_px, "trading_ref_px", 148, 8, PX, 0)                                             \
    F(settl_price_type, "settl_price_type", 156, 1, HEX8, 0)                                       \
    F(open_interest_qty, "open_interest_qty", 157, 4, I32N, 0)                                     \
    F(cleared_volume, "cleared_volume", 161, 4, I32N, 0)                                           \
    F(high_limit_px, "high_limit_px", 165, 8, PX, 0)                                               \
    F(low_limit_px, "low_limit_px", 173, 8, PX, 0)                                                 \
    F(max_price_variation_px, "max_price_variation_px", 181, 8, PX, 0)                             \
    F(decay_quantity, "decay_quantity", 189, 4, I32N, 0)                                           \
    F(decay_start_date, "decay_start_date", 193, 2, DATE, 0)                                       \
    F(original_contract_size, "original_contract_size", 195, 4, I32N, 0)                           \
    F(contract_multiplier, "contract_multiplier", 199, 4, I32N, 0)                                 \
    F(contract_multiplier_unit, "contract_multiplier_unit", 203, 1, I8N, 0)                        \
    F(flow_schedule_type, "flow_schedule_type", 204, 1, I8N, 0)                                    \
    F(min_price_increment_amount_px, "min_price_increment_amount_px", 205, 8, PX, 0)               \
    F(user_defined_instrument, "user_defined_instrument", 213, 1, CH, 0)                           \
    F(trading_ref_date, "trading_ref_date", 214, 2, DATE, 0)                                       \
    F(instrument_guid, "instrument_guid", 216, 8, U64N, 10)
/* NoEvents of 54 and 56 (groupSize 9), and of 347 (groupSizeEncoding 9). */
#define MDP3_EVENT(F)                                                                              \
    F(event_type, "event_type", 0, 1, U8, 0) /* 5 Activation, 7 LastEligibleTradeDate */           \
    F(event_time_ns, "event_time", 1, 8, NS, 0)
#define MDP3_FEED_TYPE(F)                                                                          \
    F(md_feed_type, "md_feed_type", 0, 3, STR, 0) /* "GBX" or "GBI" */                             \
    F(market_depth, "market_depth", 3, 1, I8, 0)
#define MDP3_INST_ATTRIB(F) F(value, "inst_attrib_value", 0, 4, HEX32, 0)
#define MDP3_LOT_TYPE_RULE(F)                                                                      \
    F(lot_type, "lot_type", 0, 1, I8, 0)                                                           \
    F(min_lot_size, "min_lot_size", 1, 4, QTY4, 0)
enum {
    MDP3_EVENT_LEN = 9,
    MDP3_FEED_TYPE_LEN = 4,
    MDP3_INST_ATTRIB_LEN = 4,
    MDP3_LOT_TYPE_RULE_LEN = 5,
};

/* MDIncrementalRefreshOrderBook47 (market by order, since v9): root X,
 * NoMDEntries groupSize 40. */
#define MDP3_ORDERBOOK47_ENTRY(F)                                                                  \
    F(order_id, "order_id", 0, 8, U64N, 0)                                                         \
    F(priority, "priority", 8, 8, U64N, 0)                                                         \
    F(px, "px", 16, 8, PX, 0)                                                                      \
    F(display_qty, "display_qty", 24, 4, I32N, 0)                                                  \
    F(security_id, "security_id", 28, 4, I32, 0)                                                   \
    F(update_action, "update_action", 32, 1, U8, 0) /* MDP3_ACT_* */                               \
    F(entry_type, "entry_type", 33, 1, CH, 0)       /* '0' bid, '1' offer */
enum { MDP3_ORDERBOOK47_ENTRY_LEN = 40 };

/* SnapshotFullRefreshOrderBook53 (the MBO snapshot loop, since v9): root 28,
 * NoMDEntries groupSize 29. An instrument's book may come in NoChunks messages. */
#define MDP3_SNAPSHOT53_ROOT(F)                                                                    \
    F(last_msg_seq_num_processed, "last_msg_seq_num_processed", 0, 4, U32, 0)                      \
    F(tot_num_reports, "tot_num_reports", 4, 4, U32, 0)                                            \
    F(security_id, "security_id", 8, 4, I32, 0)                                                    \
    F(no_chunks, "no_chunks", 12, 4, U32, 0)                                                       \
    F(current_chunk, "current_chunk", 16, 4, U32, 0)                                               \
    F(transact_time_ns, "transact_time", 20, 8, NS, 0)
#define MDP3_SNAPSHOT53_ENTRY(F)                                                                   \
    F(order_id, "order_id", 0, 8, U64, 0)                                                          \
    F(priority, "priority", 8, 8, U64N, 0)                                                         \
    F(px, "px", 16, 8, PX, 0)                                                                      \
    F(display_qty, "display_qty", 24, 4, I32, 0)                                                   \
    F(entry_type, "entry_type", 28, 1, CH, 0)
enum { MDP3_SNAPSHOT53_ENTRY_LEN = 29 };

/* MDInstrumentDefinitionSpread56 (since v9): root 255 (195 in v9); groups
 * NoEvents 9, NoMDFeedTypes 4, NoInstAttrib 4, NoLotTypeRules 5 (the tables of
 * 54) and NoLegs 18, all groupSize. SecurityIDSource ('8') is constant. */
#define MDP3_DEF56_ROOT(F)                                                                         \
    MDP3_DEF_HEAD(F, U8N)                                                                          \
    F(security_sub_type, "security_sub_type", 79, 5, STR, 0) /* strategy type, e.g. "SP" */        \
    F(user_defined_instrument, "user_defined_instrument", 84, 1, CH, 0)                            \
    F(match_algorithm, "match_algorithm", 85, 1, CH, 0)                                            \
    F(min_trade_vol, "min_trade_vol", 86, 4, U32, 0)                                               \
    F(max_trade_vol, "max_trade_vol", 90, 4, U32, 0)                                               \
    F(min_price_increment_px, "min_price_increment_px", 94, 8, PX, 0)                              \
    F(display_factor, "display_factor", 102, 8, PX, 0)                                             \
    F(price_display_format, "price_display_format", 110, 1, U8N, 0)                                \
    F(price_ratio_px, "price_ratio_px", 111, 8, PX, 0)                                             \
    F(tick_rule, "tick_rule", 119, 1, I8N, 0)                                                      \
    F(unit_of_measure, "unit_of_measure", 120, 30, STR, 0)                                         \
    F(trading_ref_px, "trading_ref_px", 150, 8, PX, 0)                                             \
    F(settl_price_type, "settl_price_type", 158, 1, HEX8, 0)                                       \
    F(open_interest_qty, "open_interest_qty", 159, 4, I32N, 0)                                     \
    F(cleared_volume, "cleared_volume", 163, 4, I32N, 0)                                           \
    F(high_limit_px, "high_limit_px", 167, 8, PX, 0)                                               \
    F(low_limit_px, "low_limit_px", 175, 8, PX, 0)                                                 \
    F(max_price_variation_px, "max_price_variation_px", 183, 8, PX, 0)                             \
    F(main_fraction, "main_fraction", 191, 1, U8N, 0)                                              \
    F(sub_fraction, "sub_fraction", 192, 1, U8N, 0)                                                \
    F(trading_ref_date, "trading_ref_date", 193, 2, DATE, 0)                                       \
    F(price_quote_method, "price_quote_method", 195, 5, STR, 10)                                   \
    F(risk_set, "risk_set", 200, 6, STR, 10)                                                       \
    F(market_set, "market_set", 206, 6, STR, 10)                                                   \
    F(instrument_guid, "instrument_guid", 212, 8, U64N, 10)                                        \
    F(full_name, "financial_instrument_full_name", 220, 35, STR, 10)
#define MDP3_LEG(F)                                                                                \
    F(security_id, "leg_security_id", 0, 4, I32, 0)                                                \
    F(side, "leg_side", 4, 1, U8, 0) /* 1 buy, 2 sell */                                           \
    F(ratio_qty, "leg_ratio_qty", 5, 1, I8, 0)                                                     \
    F(px, "leg_price", 6, 8, PX, 0)                                                                \
    F(option_delta, "leg_option_delta", 14, 4, QTY4, 0)
enum { MDP3_LEG_LEN = 18 };

/* Schema 5 MDInstrumentDefinitionIndices347: root 63 (ApplID since v4); groups
 * NoInstAttrib 101 and NoEvents 9, groupSizeEncoding. */
#define MDP3_DEF347_ROOT(F)                                                                        \
    F(symbol, "symbol", 0, 50, STR, 0)                                                             \
    F(product, "product", 50, 1, I8, 0)                                                            \
    F(security_exchange, "security_exchange", 51, 4, STR, 0)                                       \
    F(currency, "currency", 55, 3, STR, 0)                                                         \
    F(security_update_action, "security_update_action", 58, 1, CH, 0)                              \
    F(md_feed_type, "md_feed_type", 59, 2, STR, 0)                                                 \
    F(appl_id, "appl_id", 61, 2, U16N, 4)
#define MDP3_DEF347_INST_ATTRIB(F)                                                                 \
    F(type, "type", 0, 1, U8, 0)                                                                   \
    F(value, "value", 1, 100, STR, 0)
enum { MDP3_DEF347_INST_ATTRIB_LEN = 101 };

/* Schema 5 MDIncrementalRefreshIndices348: root 13, NoMDEntries groupSize 176
 * (MDUpdateAction 0 constant). */
#define MDP3_IDX348_ROOT(F)                                                                        \
    F(transact_time_ns, "transact_time", 0, 8, NS, 0)                                              \
    F(md_feed_type, "md_feed_type", 8, 2, STR, 0)                                                  \
    F(mei, "mei", 10, 1, HEX8, 0)                                                                  \
    F(batch_total_messages, "batch_total_messages", 11, 2, U16N, 0)
#define MDP3_IDX348_ENTRY(F)                                                                       \
    F(entry_type, "entry_type", 0, 1, CH, 0) /* MDP3_ET_INDEX_VALUE, '4' open, '5' close */        \
    F(rpt_seq, "rpt_seq", 1, 4, U32, 0)                                                            \
    F(px, "px", 5, 9, DEC64, 0)                                                                    \
    F(size, "size", 14, 8, U64N, 0)                                                                \
    F(symbol, "symbol", 22, 50, STR, 0)                                                            \
    F(open_close_settl_flag, "open_close_settl_flag", 72, 1, I8N, 0)                               \
    F(yield_type, "yield_type", 73, 8, STR, 0)                                                     \
    F(yield, "yield", 81, 9, DEC64, 0)                                                             \
    F(net_chg_prev_day, "net_chg_prev_day", 90, 9, DEC64, 0)                                       \
    F(net_pct_chg, "net_pct_chg", 99, 9, DEC64, 0)                                                 \
    F(percent_trading, "percent_trading", 108, 9, DEC64, 0)                                        \
    F(entry_code, "entry_code", 117, 1, U8N, 0) /* MDP3_EC_* */                                    \
    F(entry_date, "entry_date", 118, 4, I32N, 0)                                                   \
    F(entry_time, "entry_time", 122, 4, I32N, 0)                                                   \
    F(reference_id, "reference_id", 126, 50, STR, 0)
enum { MDP3_IDX348_ENTRY_LEN = 176 };

struct mdp3_reset4 {
    MDP3_X_ROOT(MDP3_MEMBER)
    struct mdp3_group entries;
};
struct mdp3_reset4_entry {
    MDP3_RESET4_ENTRY(MDP3_MEMBER)
};
int mdp3_reset4_decode(const struct mdp3_msg *msg, struct mdp3_reset4 *m);
void mdp3_reset4_entry(const struct mdp3_reset4 *m, size_t i, struct mdp3_reset4_entry *e);

/* AdminHeartbeat12 has no fields; mdp3_pkt_next's view is all there is. */

struct mdp3_status30 {
    MDP3_STATUS30_ROOT(MDP3_MEMBER)
};
int mdp3_status30_decode(const struct mdp3_msg *msg, struct mdp3_status30 *m);

/* Root of the "X" incremental templates 37, 46, 47, 48, 49, 50, 51. 46 and 52
 * carry implied levels (MDP3_ET_IMPLIED_BID/OFFER) as any other entry. */
struct mdp3_incr {
    MDP3_X_ROOT(MDP3_MEMBER)
    uint16_t version; /* the acting version, for fields newer than some */
    struct mdp3_group entries;
    struct mdp3_group orders; /* 46 and 48 only; n 0 otherwise or when absent */
};

struct mdp3_volume37_entry {
    MDP3_VOLUME37_ENTRY(MDP3_MEMBER)
};
int mdp3_volume37_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_volume37_entry(const struct mdp3_incr *m, size_t i, struct mdp3_volume37_entry *e);

struct mdp3_book46_entry {
    MDP3_BOOK46_ENTRY(MDP3_MEMBER)
};
struct mdp3_book46_order {
    MDP3_BOOK46_ORDER(MDP3_MEMBER)
};
int mdp3_book46_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_book46_entry(const struct mdp3_incr *m, size_t i, struct mdp3_book46_entry *e);
void mdp3_book46_order(const struct mdp3_incr *m, size_t i, struct mdp3_book46_order *o);

struct mdp3_trade48_entry {
    MDP3_TRADE48_ENTRY(MDP3_MEMBER)
};
struct mdp3_trade48_order {
    MDP3_TRADE48_ORDER(MDP3_MEMBER)
};
int mdp3_trade48_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_trade48_entry(const struct mdp3_incr *m, size_t i, struct mdp3_trade48_entry *e);
void mdp3_trade48_order(const struct mdp3_incr *m, size_t i, struct mdp3_trade48_order *o);

struct mdp3_daily49_entry {
    MDP3_DAILY49_ENTRY(MDP3_MEMBER)
};
int mdp3_daily49_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_daily49_entry(const struct mdp3_incr *m, size_t i, struct mdp3_daily49_entry *e);

struct mdp3_limits50_entry {
    MDP3_LIMITS50_ENTRY(MDP3_MEMBER)
};
int mdp3_limits50_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_limits50_entry(const struct mdp3_incr *m, size_t i, struct mdp3_limits50_entry *e);

struct mdp3_session51_entry {
    MDP3_SESSION51_ENTRY(MDP3_MEMBER)
};
int mdp3_session51_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_session51_entry(const struct mdp3_incr *m, size_t i, struct mdp3_session51_entry *e);

struct mdp3_snapshot52 {
    MDP3_SNAPSHOT52_ROOT(MDP3_MEMBER)
    struct mdp3_group entries;
};
struct mdp3_snapshot52_entry {
    MDP3_SNAPSHOT52_ENTRY(MDP3_MEMBER)
};
int mdp3_snapshot52_decode(const struct mdp3_msg *msg, struct mdp3_snapshot52 *m);
void mdp3_snapshot52_entry(const struct mdp3_snapshot52 *m, size_t i,
                           struct mdp3_snapshot52_entry *e);

struct mdp3_def54 {
    MDP3_DEF54_ROOT(MDP3_MEMBER)
    struct mdp3_group events, feed_types, inst_attribs, lot_type_rules;
};
struct mdp3_def54_event {
    MDP3_EVENT(MDP3_MEMBER)
};
struct mdp3_def54_feed_type {
    MDP3_FEED_TYPE(MDP3_MEMBER)
};
struct mdp3_def54_lot_type_rule {
    MDP3_LOT_TYPE_RULE(MDP3_MEMBER)
};
struct mdp3_def54_inst_attrib { /* the row mdp3_def54_inst_attrib() returns the field of */
    MDP3_INST_ATTRIB(MDP3_MEMBER)
};
int mdp3_def54_decode(const struct mdp3_msg *msg, struct mdp3_def54 *m);
void mdp3_def54_event(const struct mdp3_def54 *m, size_t i, struct mdp3_def54_event *e);
void mdp3_def54_feed_type(const struct mdp3_def54 *m, size_t i, struct mdp3_def54_feed_type *f);
uint32_t mdp3_def54_inst_attrib(const struct mdp3_def54 *m, size_t i);
void mdp3_def54_lot_type_rule(const struct mdp3_def54 *m, size_t i,
                              struct mdp3_def54_lot_type_rule *r);

struct mdp3_orderbook47_entry {
    MDP3_ORDERBOOK47_ENTRY(MDP3_MEMBER)
};
int mdp3_orderbook47_decode(const struct mdp3_msg *msg, struct mdp3_incr *m);
void mdp3_orderbook47_entry(const struct mdp3_incr *m, size_t i, struct mdp3_orderbook47_entry *e);

struct mdp3_snapshot53 {
    MDP3_SNAPSHOT53_ROOT(MDP3_MEMBER)
    struct mdp3_group entries;
};
struct mdp3_snapshot53_entry {
    MDP3_SNAPSHOT53_ENTRY(MDP3_MEMBER)
};
int mdp3_snapshot53_decode(const struct mdp3_msg *msg, struct mdp3_snapshot53 *m);
void mdp3_snapshot53_entry(const struct mdp3_snapshot53 *m, size_t i,
                           struct mdp3_snapshot53_entry *e);

/* A spread's fields newer than v9 (PriceQuoteMethod .. FinancialInstrumentFullName)
 * read as empty strings and MDP3_U64_NULL from a v9 message. */
struct mdp3_def56 {
    MDP3_DEF56_ROOT(MDP3_MEMBER)
    struct mdp3_group events, feed_types, inst_attribs, lot_type_rules, legs;
};
struct mdp3_def56_leg {
    MDP3_LEG(MDP3_MEMBER)
};
int mdp3_def56_decode(const struct mdp3_msg *msg, struct mdp3_def56 *m);
void mdp3_def56_event(const struct mdp3_def56 *m, size_t i, struct mdp3_def54_event *e);
void mdp3_def56_feed_type(const struct mdp3_def56 *m, size_t i, struct mdp3_def54_feed_type *f);
uint32_t mdp3_def56_inst_attrib(const struct mdp3_def56 *m, size_t i);
void mdp3_def56_lot_type_rule(const struct mdp3_def56 *m, size_t i,
                              struct mdp3_def54_lot_type_rule *r);
void mdp3_def56_leg(const struct mdp3_def56 *m, size_t i, struct mdp3_def56_leg *l);

struct mdp3_def347 {
    MDP3_DEF347_ROOT(MDP3_MEMBER)
    struct mdp3_group inst_attribs, events;
};
struct mdp3_def347_inst_attrib {
    MDP3_DEF347_INST_ATTRIB(MDP3_MEMBER)
};
int mdp3_def347_decode(const struct mdp3_msg *msg, struct mdp3_def347 *m);
void mdp3_def347_inst_attrib(const struct mdp3_def347 *m, size_t i,
                             struct mdp3_def347_inst_attrib *a);
void mdp3_def347_event(const struct mdp3_def347 *m, size_t i, struct mdp3_def54_event *e);

struct mdp3_idx348 {
    MDP3_IDX348_ROOT(MDP3_MEMBER)
    struct mdp3_group entries;
};
struct mdp3_idx348_entry {
    MDP3_IDX348_ENTRY(MDP3_MEMBER)
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
int mdp3_enc_orderbook47(struct mdp3_enc *e, const struct mdp3_incr *m,
                         const struct mdp3_orderbook47_entry *ents, size_t n);
int mdp3_enc_snapshot53(struct mdp3_enc *e, const struct mdp3_snapshot53 *m,
                        const struct mdp3_snapshot53_entry *ents, size_t n);
int mdp3_enc_def56(struct mdp3_enc *e, const struct mdp3_def56 *m,
                   const struct mdp3_def54_event *evs, size_t n_evs,
                   const struct mdp3_def54_feed_type *fts, size_t n_fts, const uint32_t *attribs,
                   size_t n_attribs, const struct mdp3_def54_lot_type_rule *lots, size_t n_lots,
                   const struct mdp3_def56_leg *legs, size_t n_legs);
int mdp3_enc_def347(struct mdp3_enc *e, const struct mdp3_def347 *m,
                    const struct mdp3_def347_inst_attrib *attribs, size_t n_attribs,
                    const struct mdp3_def54_event *evs, size_t n_evs);
int mdp3_enc_idx348(struct mdp3_enc *e, const struct mdp3_idx348 *m,
                    const struct mdp3_idx348_entry *ents, size_t n);

/* Returns a static name for a template of a schema ("MDIncrementalRefreshBook46"),
 * or NULL if unknown. */
const char *mdp3_template_name(uint16_t schema_id, uint16_t template_id);

#endif
