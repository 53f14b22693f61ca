/* SPDX-License-Identifier: MIT */
/* test_mdp3.c -- the MDP 3.0 codec against bytes laid out by hand from the
 * schema offsets for every template (so a bug shared by encoder and decoder,
 * such as the same two offsets swapped in both, cannot pass), round trips of
 * every template at extreme values compared field by field with the encoder's
 * input, and hostile framing: a packet of every template truncated at every
 * byte, every message with its MsgSize cut short, MsgSize 0 or past the end,
 * short blockLengths, groups past the message, foreign schemas. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gputick/bytes.h"
#include "gputick/err.h"
#include "mdp3.h"

/* Frames the only message of a packet. */
static void frame_one(const uint8_t *p, size_t len, struct mdp3_msg *msg)
{
    struct mdp3_pkt pkt;
    cr_assert(eq(int, mdp3_pkt_init(&pkt, p, len), GT_OK));
    cr_assert(eq(int, mdp3_pkt_next(&pkt, msg), 1));
    struct mdp3_msg end;
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &end), 0));
}

static const int64_t PX = 2750000000; /* 2.75, 0xA3E9AB80 */
#define TT 0x0000018A2B3C4D5Eull
#define ORDER_ID 0x0102030405060708ull

/* clang-format off */
static const uint8_t golden_book46[] = {
    0xE8, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1000 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime 0x1122334455667788 */
    0x78, 0x00,                                     /* MsgSize 120 */
    0x0B, 0x00, 0x2E, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 11, template 46, schema 1, v13 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* TransactTime */
    0x84, 0x00, 0x00,                               /* MEI EndOfEvent|LastQuote, 2 padding */
    0x20, 0x00, 0x02,                               /* NoMDEntries: blockLength 32, 2 entries */
    0x80, 0xAB, 0xE9, 0xA3, 0x00, 0x00, 0x00, 0x00, /* 0 MDEntryPx 2.75 */
    0x0A, 0x00, 0x00, 0x00,                         /* 8 MDEntrySize 10 */
    0x40, 0xE2, 0x01, 0x00,                         /* 12 SecurityID 123456 */
    0x07, 0x00, 0x00, 0x00,                         /* 16 RptSeq 7 */
    0x03, 0x00, 0x00, 0x00,                         /* 20 NumberOfOrders 3 */
    0x01, 0x00, 0x30,                               /* 24 level 1, 25 New, 26 type '0' bid */
    0x05, 0x00, 0x00, 0x00, 0x00,                   /* 27 TradeableSize 5, padding */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, /* MDEntryPx null */
    0xFF, 0xFF, 0xFF, 0x7F,                         /* MDEntrySize null */
    0x40, 0xE2, 0x01, 0x00,                         /* SecurityID 123456 */
    0x08, 0x00, 0x00, 0x00,                         /* RptSeq 8 */
    0xFF, 0xFF, 0xFF, 0x7F,                         /* NumberOfOrders null */
    0x02, 0x02, 0x31,                               /* level 2, Delete, type '1' offer */
    0xFF, 0xFF, 0xFF, 0x7F, 0x00,                   /* TradeableSize null, padding */
    0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* NoOrderIDEntries: block 24, 1 entry at 7 */
    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* OrderID */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* MDOrderPriority null */
    0x64, 0x00, 0x00, 0x00,                         /* MDDisplayQty 100 */
    0x01, 0x00, 0x00, 0x00,                         /* ReferenceID 1, New, padding */
};
static const uint8_t golden_trade48[] = {
    0xE9, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1001 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x50, 0x00,                                     /* MsgSize 80 */
    0x0B, 0x00, 0x30, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 11, template 48, schema 1, v13 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* TransactTime */
    0x81, 0x00, 0x00,                               /* MEI EndOfEvent|LastTrade */
    0x20, 0x00, 0x01,                               /* NoMDEntries: 32, 1 */
    0x80, 0xAB, 0xE9, 0xA3, 0x00, 0x00, 0x00, 0x00, /* 0 MDEntryPx 2.75 */
    0x02, 0x00, 0x00, 0x00,                         /* 8 MDEntrySize 2 */
    0x40, 0xE2, 0x01, 0x00,                         /* 12 SecurityID 123456 */
    0x09, 0x00, 0x00, 0x00,                         /* 16 RptSeq 9 */
    0x02, 0x00, 0x00, 0x00,                         /* 20 NumberOfOrders 2 */
    0x01, 0x00,                                     /* 24 AggressorSide buy, 25 New */
    0xDD, 0xCC, 0xBB, 0xAA, 0x00, 0x00,             /* 26 MDTradeEntryID, padding */
    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* NoOrderIDEntries: 16, 1 */
    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* OrderID */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* LastQty 2, padding */
};
static const uint8_t golden_snapshot52[] = {
    0xEA, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1002 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x5E, 0x00,                                     /* MsgSize 94 */
    0x3B, 0x00, 0x34, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 59, template 52, schema 1, v13 */
    0xE8, 0x03, 0x00, 0x00,                         /* 0 LastMsgSeqNumProcessed 1000 */
    0x05, 0x00, 0x00, 0x00,                         /* 4 TotNumReports 5 */
    0x40, 0xE2, 0x01, 0x00,                         /* 8 SecurityID 123456 */
    0x09, 0x00, 0x00, 0x00,                         /* 12 RptSeq 9 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* 16 TransactTime */
    0x5F, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* 24 LastUpdateTime TT+1 */
    0x20, 0x4E,                                     /* 32 TradeDate 20000 */
    0x11,                                           /* 34 status ReadyToTrade */
    0x00, 0x5E, 0xD0, 0xB2, 0x00, 0x00, 0x00, 0x00, /* 35 HighLimitPrice 3.0 */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, /* 43 LowLimitPrice null */
    0x00, 0xE1, 0xF5, 0x05, 0x00, 0x00, 0x00, 0x00, /* 51 MaxPriceVariation 0.1 */
    0x16, 0x00, 0x01,                               /* NoMDEntries: 22, 1 */
    0x80, 0xAB, 0xE9, 0xA3, 0x00, 0x00, 0x00, 0x00, /* 0 MDEntryPx 2.75 */
    0x0A, 0x00, 0x00, 0x00,                         /* 8 MDEntrySize 10 */
    0x03, 0x00, 0x00, 0x00,                         /* 12 NumberOfOrders 3 */
    0x01,                                           /* 16 MDPriceLevel 1 */
    0xFF, 0xFF,                                     /* 17 TradingReferenceDate null */
    0xFF,                                           /* 19 OpenCloseSettlFlag null */
    0x80,                                           /* 20 SettlPriceType null bit */
    0x30,                                           /* 21 MDEntryType '0' */
};
/* clang-format on */

static void check_same(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
    cr_assert(eq(sz, got_len, want_len));
    for (size_t i = 0; i < want_len; i++)
        cr_assert(eq(u8, got[i], want[i]), "byte %zu differs", i);
}

Test(mdp3, golden_book46_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    cr_assert(eq(int, mdp3_pkt_init(&pkt, golden_book46, sizeof golden_book46), GT_OK));
    cr_assert(eq(u32, pkt.seq, 1000));
    cr_assert(eq(u64, pkt.sending_time_ns, 0x1122334455667788ull));
    frame_one(golden_book46, sizeof golden_book46, &msg);
    cr_assert(eq(u16, msg.template_id, 46));
    cr_assert(eq(u16, msg.schema_id, 1));
    cr_assert(eq(u16, msg.version, 13));
    cr_assert(eq(u16, msg.block_len, 11));
    cr_assert(eq(sz, msg.off, 12));
    cr_assert(eq(sz, msg.len, 120));
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_book46_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(u8, m.mei, MDP3_MEI_END_OF_EVENT | MDP3_MEI_LAST_QUOTE));
    cr_assert(eq(u16, m.entries.n, 2));
    cr_assert(eq(u16, m.orders.n, 1));
    struct mdp3_book46_entry e[2];
    mdp3_book46_entry(&m, 0, &e[0]);
    mdp3_book46_entry(&m, 1, &e[1]);
    cr_assert(eq(i64, e[0].px, PX));
    cr_assert(eq(i32, e[0].size, 10));
    cr_assert(eq(i32, e[0].security_id, 123456));
    cr_assert(eq(u32, e[0].rpt_seq, 7));
    cr_assert(eq(i32, e[0].n_orders, 3));
    cr_assert(eq(u8, e[0].price_level, 1));
    cr_assert(eq(u8, e[0].update_action, MDP3_ACT_NEW));
    cr_assert(eq(chr, e[0].entry_type, MDP3_ET_BID));
    cr_assert(eq(i32, e[0].tradeable_size, 5));
    cr_assert(eq(i64, e[1].px, MDP3_PX_NULL));
    cr_assert(eq(i32, e[1].size, MDP3_I32_NULL));
    cr_assert(eq(u32, e[1].rpt_seq, 8));
    cr_assert(eq(i32, e[1].n_orders, MDP3_I32_NULL));
    cr_assert(eq(u8, e[1].price_level, 2));
    cr_assert(eq(u8, e[1].update_action, MDP3_ACT_DELETE));
    cr_assert(eq(chr, e[1].entry_type, MDP3_ET_OFFER));
    cr_assert(eq(i32, e[1].tradeable_size, MDP3_I32_NULL));
    struct mdp3_book46_order o;
    mdp3_book46_order(&m, 0, &o);
    cr_assert(eq(u64, o.order_id, ORDER_ID));
    cr_assert(eq(u64, o.priority, MDP3_U64_NULL));
    cr_assert(eq(i32, o.display_qty, 100));
    cr_assert(eq(u8, o.reference_id, 1));
    cr_assert(eq(u8, o.order_update_action, 0));

    uint8_t buf[256];
    struct mdp3_enc enc;
    cr_assert(eq(int, mdp3_enc_init(&enc, buf, sizeof buf, 1000, 0x1122334455667788ull), GT_OK));
    cr_assert(eq(int, mdp3_enc_book46(&enc, &m, e, 2, &o, 1), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_book46, sizeof golden_book46);
}

Test(mdp3, book46_at_version_9_reads_tradeable_size_as_null)
{
    uint8_t p[sizeof golden_book46];
    memcpy(p, golden_book46, sizeof p);
    st_le16(p + 12 + 8, 9); /* version */
    struct mdp3_msg msg;
    struct mdp3_incr m;
    struct mdp3_book46_entry e;
    frame_one(p, sizeof p, &msg);
    cr_assert(eq(int, mdp3_book46_decode(&msg, &m), GT_OK));
    mdp3_book46_entry(&m, 0, &e);
    cr_assert(eq(i32, e.tradeable_size, MDP3_I32_NULL));
    cr_assert(eq(i64, e.px, PX));
}

Test(mdp3, golden_trade48_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_msg msg;
    struct mdp3_incr m;
    frame_one(golden_trade48, sizeof golden_trade48, &msg);
    cr_assert(eq(int, mdp3_trade48_decode(&msg, &m), GT_OK));
    cr_assert(eq(u8, m.mei, 0x81));
    cr_assert(eq(u16, m.entries.n, 1));
    struct mdp3_trade48_entry e;
    struct mdp3_trade48_order o;
    mdp3_trade48_entry(&m, 0, &e);
    mdp3_trade48_order(&m, 0, &o);
    cr_assert(eq(i64, e.px, PX));
    cr_assert(eq(i32, e.size, 2));
    cr_assert(eq(i32, e.security_id, 123456));
    cr_assert(eq(u32, e.rpt_seq, 9));
    cr_assert(eq(i32, e.n_orders, 2));
    cr_assert(eq(u8, e.aggressor_side, 1));
    cr_assert(eq(u8, e.update_action, 0));
    cr_assert(eq(u32, e.trade_entry_id, 0xAABBCCDDu));
    cr_assert(eq(u64, o.order_id, ORDER_ID));
    cr_assert(eq(i32, o.last_qty, 2));
    uint8_t buf[256];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1001, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_trade48(&enc, &m, &e, 1, &o, 1), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_trade48, sizeof golden_trade48);
}

Test(mdp3, golden_snapshot52_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_msg msg;
    struct mdp3_snapshot52 m;
    frame_one(golden_snapshot52, sizeof golden_snapshot52, &msg);
    cr_assert(eq(int, mdp3_snapshot52_decode(&msg, &m), GT_OK));
    cr_assert(eq(u32, m.last_msg_seq_num_processed, 1000));
    cr_assert(eq(u32, m.tot_num_reports, 5));
    cr_assert(eq(i32, m.security_id, 123456));
    cr_assert(eq(u32, m.rpt_seq, 9));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(u64, m.last_update_time_ns, TT + 1));
    cr_assert(eq(u16, m.trade_date, 20000));
    cr_assert(eq(u8, m.trading_status, MDP3_TS_READY_TO_TRADE));
    cr_assert(eq(i64, m.high_limit_px, 3000000000));
    cr_assert(eq(i64, m.low_limit_px, MDP3_PX_NULL));
    cr_assert(eq(i64, m.max_price_variation_px, 100000000));
    cr_assert(eq(u16, m.entries.n, 1));
    struct mdp3_snapshot52_entry e;
    mdp3_snapshot52_entry(&m, 0, &e);
    cr_assert(eq(i64, e.px, PX));
    cr_assert(eq(i32, e.size, 10));
    cr_assert(eq(i32, e.n_orders, 3));
    cr_assert(eq(i8, e.price_level, 1));
    cr_assert(eq(u16, e.trading_ref_date, MDP3_U16_NULL));
    cr_assert(eq(u8, e.open_close_settl_flag, MDP3_U8_NULL));
    cr_assert(eq(u8, e.settl_price_type, 0x80));
    cr_assert(eq(chr, e.entry_type, '0'));
    uint8_t buf[256];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1002, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_snapshot52(&enc, &m, &e, 1), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_snapshot52, sizeof golden_snapshot52);
}

/* ChannelReset4, AdminHeartbeat12, SecurityStatus30, Volume37 (v13),
 * DailyStatistics49 and SessionStatistics51, laid out by hand from
 * templates_FixBinary.xml (v13): every field at its schema offset, values
 * chosen distinct so that reading one field at another's offset shows. */
/* clang-format off */
static const uint8_t golden_reset4_heartbeat12[] = {
    0xEB, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1003 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x1A, 0x00,                                     /* MsgSize 26 */
    0x09, 0x00, 0x04, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 9, template 4, schema 1, v13 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* 0 TransactTime */
    0x80,                                           /* 8 MEI EndOfEvent */
    0x02, 0x00, 0x02,                               /* NoMDEntries: blockLength 2, 2 entries */
    0x36, 0x01,                                     /* 0 ApplID 310 */
    0xFE, 0xFF,                                     /* 0 ApplID -2 (Int16) */
    0x0A, 0x00,                                     /* MsgSize 10 */
    0x00, 0x00, 0x0C, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 0, template 12, schema 1, v13 */
};
static const uint8_t golden_status30[] = {
    0xEC, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1004 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x28, 0x00,                                     /* MsgSize 40 */
    0x1E, 0x00, 0x1E, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 30, template 30, schema 1, v13 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* 0 TransactTime */
    0x47, 0x48, 0x00, 0x00, 0x00, 0x00,             /* 8 SecurityGroup "GH" */
    0x47, 0x48, 0x31, 0x00, 0x00, 0x00,             /* 14 Asset "GH1" */
    0x92, 0x10, 0x00, 0x00,                         /* 20 SecurityID 4242 */
    0xB0, 0x4F,                                     /* 24 TradeDate 20400 */
    0x81,                                           /* 26 MEI EndOfEvent|LastTrade */
    0x15,                                           /* 27 SecurityTradingStatus 21 PreOpen */
    0x03,                                           /* 28 HaltReason 3 InstrumentActivation */
    0x04,                                           /* 29 SecurityTradingEvent 4 ResetStatistics */
};
static const uint8_t golden_volume37[] = {
    0xED, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1005 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x38, 0x00,                                     /* MsgSize 56 */
    0x0B, 0x00, 0x25, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 11, template 37, schema 1, v13 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* 0 TransactTime */
    0x82, 0x00, 0x00,                               /* 8 MEI EndOfEvent|LastVolume, padding */
    0x10, 0x00, 0x02,                               /* NoMDEntries: blockLength 16, 2 entries */
    0x45, 0x25, 0x00, 0x00,                         /* 0 MDEntrySize 9541 */
    0x4D, 0xDC, 0x01, 0x00,                         /* 4 SecurityID 121933 */
    0x00, 0x0C, 0x00, 0x00,                         /* 8 RptSeq 3072 */
    0x01, 0x00, 0x00, 0x00,                         /* 12 MDUpdateAction Change, padding */
    0x01, 0x00, 0x00, 0x00,                         /* 0 MDEntrySize 1 */
    0xE7, 0x03, 0x00, 0x00,                         /* 4 SecurityID 999 */
    0xFF, 0xFF, 0xFF, 0xFF,                         /* 8 RptSeq 4294967295 */
    0x00, 0x00, 0x00, 0x00,                         /* 12 MDUpdateAction New, padding */
};
static const uint8_t golden_daily49[] = {
    0xEE, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1006 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x58, 0x00,                                     /* MsgSize 88 */
    0x0B, 0x00, 0x31, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 11, template 49, schema 1, v13 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* 0 TransactTime */
    0x88, 0x00, 0x00,                               /* 8 MEI EndOfEvent|LastStats, padding */
    0x20, 0x00, 0x02,                               /* NoMDEntries: blockLength 32, 2 entries */
    0x80, 0xAB, 0xE9, 0xA3, 0x00, 0x00, 0x00, 0x00, /* 0 MDEntryPx 2.75 */
    0xFF, 0xFF, 0xFF, 0x7F,                         /* 8 MDEntrySize null */
    0x40, 0xE2, 0x01, 0x00,                         /* 12 SecurityID 123456 */
    0x0B, 0x00, 0x00, 0x00,                         /* 16 RptSeq 11 */
    0xB0, 0x4F,                                     /* 20 TradingReferenceDate 20400 */
    0x03,                                           /* 22 SettlPriceType Final|Actual */
    0x00,                                           /* 23 MDUpdateAction New */
    0x36,                                           /* 24 MDEntryType '6' settlement */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,       /* 25 padding */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, /* 0 MDEntryPx null */
    0x2B, 0x02, 0x00, 0x00,                         /* 8 MDEntrySize 555 */
    0x40, 0xE2, 0x01, 0x00,                         /* 12 SecurityID 123456 */
    0x0C, 0x00, 0x00, 0x00,                         /* 16 RptSeq 12 */
    0xFF, 0xFF,                                     /* 20 TradingReferenceDate null */
    0x80,                                           /* 22 SettlPriceType null bit */
    0x01,                                           /* 23 MDUpdateAction Change */
    0x43,                                           /* 24 MDEntryType 'C' open interest */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,       /* 25 padding */
};
static const uint8_t golden_session51[] = {
    0xEF, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1007 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x48, 0x00,                                     /* MsgSize 72 */
    0x0B, 0x00, 0x33, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 11, template 51, schema 1, v13 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* 0 TransactTime */
    0x88, 0x00, 0x00,                               /* 8 MEI EndOfEvent|LastStats, padding */
    0x18, 0x00, 0x02,                               /* NoMDEntries: blockLength 24, 2 entries */
    0x30, 0xED, 0xEC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* 0 MDEntryPx -0.00125 */
    0x40, 0xE2, 0x01, 0x00,                         /* 8 SecurityID 123456 */
    0x0D, 0x00, 0x00, 0x00,                         /* 12 RptSeq 13 */
    0x05,                                           /* 16 OpenCloseSettlFlag 5 indicative open */
    0x00,                                           /* 17 MDUpdateAction New */
    0x34,                                           /* 18 MDEntryType '4' open */
    0x11, 0x00, 0x00, 0x00,                         /* 19 MDEntrySize 17 */
    0x00,                                           /* 23 padding */
    0x00, 0x5E, 0xD0, 0xB2, 0x00, 0x00, 0x00, 0x00, /* 0 MDEntryPx 3.0 */
    0x40, 0xE2, 0x01, 0x00,                         /* 8 SecurityID 123456 */
    0x0E, 0x00, 0x00, 0x00,                         /* 12 RptSeq 14 */
    0xFF,                                           /* 16 OpenCloseSettlFlag null */
    0x01,                                           /* 17 MDUpdateAction Change */
    0x37,                                           /* 18 MDEntryType '7' high */
    0xFF, 0xFF, 0xFF, 0x7F,                         /* 19 MDEntrySize null */
    0x00,                                           /* 23 padding */
};
/* clang-format on */

Test(mdp3, golden_reset4_and_heartbeat12_decode_every_field_and_encode_the_same_bytes)
{
    const uint8_t *g = golden_reset4_heartbeat12;
    size_t len = sizeof golden_reset4_heartbeat12;
    struct mdp3_pkt pkt;
    struct mdp3_msg msg, hb;
    cr_assert(eq(int, mdp3_pkt_init(&pkt, g, len), GT_OK));
    cr_assert(eq(u32, pkt.seq, 1003));
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), 1));
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &hb), 1));
    struct mdp3_msg end;
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &end), 0));
    cr_assert(eq(u16, msg.template_id, MDP3_T_CHANNEL_RESET4));
    cr_assert(eq(u16, msg.block_len, 9));
    struct mdp3_reset4 m;
    cr_assert(eq(int, mdp3_reset4_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(u8, m.mei, MDP3_MEI_END_OF_EVENT));
    cr_assert(eq(u16, m.entries.n, 2));
    struct mdp3_reset4_entry e[2];
    mdp3_reset4_entry(&m, 0, &e[0]);
    mdp3_reset4_entry(&m, 1, &e[1]);
    cr_assert(eq(i16, e[0].appl_id, 310));
    cr_assert(eq(i16, e[1].appl_id, -2));
    /* AdminHeartbeat12: blockLength 0, nothing after its header. */
    cr_assert(eq(u16, hb.template_id, MDP3_T_ADMIN_HEARTBEAT12));
    cr_assert(eq(sz, hb.off, 38));
    cr_assert(eq(sz, hb.len, 10));
    cr_assert(eq(u16, hb.block_len, 0));
    cr_assert(eq(sz, hb.body_len, 0));
    cr_assert(eq(str, (char *)mdp3_template_name(1, 12), "AdminHeartbeat12"));
    uint8_t buf[128];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1003, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_reset4(&enc, &m, e, 2), GT_OK));
    cr_assert(eq(int, mdp3_enc_heartbeat12(&enc), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), g, len);
}

Test(mdp3, golden_status30_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_msg msg;
    struct mdp3_status30 m;
    frame_one(golden_status30, sizeof golden_status30, &msg);
    cr_assert(eq(int, mdp3_status30_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(str, m.security_group, "GH"));
    cr_assert(eq(str, m.asset, "GH1"));
    cr_assert(eq(i32, m.security_id, 4242));
    cr_assert(eq(u16, m.trade_date, 20400));
    cr_assert(eq(u8, m.mei, 0x81));
    cr_assert(eq(u8, m.trading_status, MDP3_TS_PRE_OPEN));
    cr_assert(eq(u8, m.halt_reason, 3));
    cr_assert(eq(u8, m.trading_event, 4));
    uint8_t buf[128];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1004, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_status30(&enc, &m), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_status30, sizeof golden_status30);
    /* A block one byte short of SecurityTradingEvent is refused. */
    uint8_t bad[sizeof golden_status30];
    memcpy(bad, golden_status30, sizeof bad);
    st_le16(bad + 12, 39);
    st_le16(bad + 14, 29);
    frame_one(bad, sizeof bad - 1, &msg);
    cr_assert(eq(int, mdp3_status30_decode(&msg, &m), GT_EBADMSG));
}

Test(mdp3, golden_volume37_v13_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_msg msg;
    struct mdp3_incr m;
    frame_one(golden_volume37, sizeof golden_volume37, &msg);
    cr_assert(eq(u16, msg.version, 13));
    cr_assert(eq(int, mdp3_volume37_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(u8, m.mei, MDP3_MEI_END_OF_EVENT | MDP3_MEI_LAST_VOLUME));
    cr_assert(eq(u16, m.entries.n, 2));
    cr_assert(eq(u16, m.entries.block_len, 16));
    struct mdp3_volume37_entry e[2];
    mdp3_volume37_entry(&m, 0, &e[0]);
    mdp3_volume37_entry(&m, 1, &e[1]);
    cr_assert(eq(i32, e[0].size, 9541));
    cr_assert(eq(i32, e[0].security_id, 121933));
    cr_assert(eq(u32, e[0].rpt_seq, 3072));
    cr_assert(eq(u8, e[0].update_action, MDP3_ACT_CHANGE));
    cr_assert(eq(i32, e[1].size, 1));
    cr_assert(eq(i32, e[1].security_id, 999));
    cr_assert(eq(u32, e[1].rpt_seq, UINT32_MAX));
    cr_assert(eq(u8, e[1].update_action, MDP3_ACT_NEW));
    uint8_t buf[128];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1005, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_volume37(&enc, &m, e, 2), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_volume37, sizeof golden_volume37);
}

Test(mdp3, golden_daily49_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_msg msg;
    struct mdp3_incr m;
    frame_one(golden_daily49, sizeof golden_daily49, &msg);
    cr_assert(eq(int, mdp3_daily49_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(u8, m.mei, MDP3_MEI_END_OF_EVENT | MDP3_MEI_LAST_STATS));
    cr_assert(eq(u16, m.entries.n, 2));
    struct mdp3_daily49_entry e[2];
    mdp3_daily49_entry(&m, 0, &e[0]);
    mdp3_daily49_entry(&m, 1, &e[1]);
    cr_assert(eq(i64, e[0].px, PX));
    cr_assert(eq(i32, e[0].size, MDP3_I32_NULL));
    cr_assert(eq(i32, e[0].security_id, 123456));
    cr_assert(eq(u32, e[0].rpt_seq, 11));
    cr_assert(eq(u16, e[0].trading_ref_date, 20400));
    cr_assert(eq(u8, e[0].settl_price_type, 0x03));
    cr_assert(eq(u8, e[0].update_action, MDP3_ACT_NEW));
    cr_assert(eq(chr, e[0].entry_type, MDP3_ET_SETTLE));
    cr_assert(eq(i64, e[1].px, MDP3_PX_NULL));
    cr_assert(eq(i32, e[1].size, 555));
    cr_assert(eq(i32, e[1].security_id, 123456));
    cr_assert(eq(u32, e[1].rpt_seq, 12));
    cr_assert(eq(u16, e[1].trading_ref_date, MDP3_U16_NULL));
    cr_assert(eq(u8, e[1].settl_price_type, 0x80));
    cr_assert(eq(u8, e[1].update_action, MDP3_ACT_CHANGE));
    cr_assert(eq(chr, e[1].entry_type, MDP3_ET_OPEN_INTEREST));
    uint8_t buf[128];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1006, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_daily49(&enc, &m, e, 2), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_daily49, sizeof golden_daily49);
}

Test(mdp3, golden_session51_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_msg msg;
    struct mdp3_incr m;
    frame_one(golden_session51, sizeof golden_session51, &msg);
    cr_assert(eq(int, mdp3_session51_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(u16, m.entries.n, 2));
    cr_assert(eq(u16, m.entries.block_len, 24));
    struct mdp3_session51_entry e[2];
    mdp3_session51_entry(&m, 0, &e[0]);
    mdp3_session51_entry(&m, 1, &e[1]);
    cr_assert(eq(i64, e[0].px, -1250000));
    cr_assert(eq(i32, e[0].security_id, 123456));
    cr_assert(eq(u32, e[0].rpt_seq, 13));
    cr_assert(eq(u8, e[0].open_close_settl_flag, 5));
    cr_assert(eq(u8, e[0].update_action, MDP3_ACT_NEW));
    cr_assert(eq(chr, e[0].entry_type, MDP3_ET_OPEN));
    cr_assert(eq(i32, e[0].size, 17));
    cr_assert(eq(i64, e[1].px, 3000000000));
    cr_assert(eq(u32, e[1].rpt_seq, 14));
    cr_assert(eq(u8, e[1].open_close_settl_flag, MDP3_U8_NULL));
    cr_assert(eq(u8, e[1].update_action, MDP3_ACT_CHANGE));
    cr_assert(eq(chr, e[1].entry_type, MDP3_ET_HIGH));
    cr_assert(eq(i32, e[1].size, MDP3_I32_NULL));
    uint8_t buf[128];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1007, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_session51(&enc, &m, e, 2), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_session51, sizeof golden_session51);
}

/* Lays out a message by hand: header at off 12 of p, fields patched at schema offsets. */
static size_t hand_msg(uint8_t *p, uint16_t block_len, uint16_t tid, uint16_t schema,
                       uint16_t version, size_t body_len)
{
    memset(p, 0, 12 + MDP3_MSG_HDR_LEN + body_len);
    st_le32(p, 77);
    st_le64(p + 4, 99);
    st_le16(p + 12, (uint16_t)(MDP3_MSG_HDR_LEN + body_len));
    st_le16(p + 14, block_len);
    st_le16(p + 16, tid);
    st_le16(p + 18, schema);
    st_le16(p + 20, version);
    return 12 + MDP3_MSG_HDR_LEN + body_len;
}

/* Def54 body: root of block_len, then NoEvents 1, NoMDFeedTypes 1, NoInstAttrib 1,
 * NoLotTypeRules 1, all at the schema's offsets. */
static size_t hand_def54(uint8_t *p, uint16_t block_len, uint16_t version)
{
    size_t body = block_len + 3 + 9 + 3 + 4 + 3 + 4 + 3 + 5;
    size_t len = hand_msg(p, block_len, 54, 1, version, body);
    uint8_t *b = p + 22;
    b[0] = 0x80;                        /* MEI */
    st_le32(b + 1, 42);                 /* TotNumReports */
    b[5] = 'A';                         /* SecurityUpdateAction */
    st_le64(b + 6, TT);                 /* LastUpdateTime */
    b[14] = 17;                         /* MDSecurityTradingStatus */
    st_le16(b + 15, 310);               /* ApplID */
    b[17] = 99;                         /* MarketSegmentID */
    b[18] = 2;                          /* UnderlyingProduct */
    memcpy(b + 19, "XCME", 4);          /* SecurityExchange */
    memcpy(b + 23, "GH", 2);            /* SecurityGroup */
    memcpy(b + 29, "GH1", 3);           /* Asset */
    memcpy(b + 35, "GH1Z6", 5);         /* Symbol */
    st_le32(b + 55, 4242);              /* SecurityID */
    memcpy(b + 59, "FUT", 3);           /* SecurityType */
    memcpy(b + 65, "FFCPSX", 6);        /* CFICode */
    st_le16(b + 71, 2026);              /* MaturityMonthYear.year */
    b[73] = 12;                         /* month */
    b[74] = 255;                        /* day null */
    b[75] = 255;                        /* week null */
    memcpy(b + 76, "USD", 3);           /* Currency */
    memcpy(b + 79, "USD", 3);           /* SettlCurrency */
    b[82] = 'F';                        /* MatchAlgorithm */
    st_le32(b + 83, 1);                 /* MinTradeVol */
    st_le32(b + 87, 1000);              /* MaxTradeVol */
    st_le64(b + 91, 10000000);          /* MinPriceIncrement 0.01 */
    st_le64(b + 99, 1000000000);        /* DisplayFactor 1 */
    b[107] = 255;                       /* MainFraction null */
    b[108] = 255;                       /* SubFraction null */
    b[109] = 255;                       /* PriceDisplayFormat null */
    memcpy(b + 110, "GPU hours", 9);    /* UnitOfMeasure */
    st_le64(b + 140, 1000000000000ull); /* UnitOfMeasureQty 1000 */
    st_le64(b + 148, (uint64_t)PX);     /* TradingReferencePrice */
    b[156] = 0x03;                      /* SettlPriceType */
    st_le32(b + 157, 555);              /* OpenInterestQty */
    st_le32(b + 161, 0x7FFFFFFF);       /* ClearedVolume null */
    st_le64(b + 165, 3000000000);       /* HighLimitPrice */
    st_le64(b + 173, 2000000000);       /* LowLimitPrice */
    st_le64(b + 181, 100000000);        /* MaxPriceVariation */
    st_le32(b + 189, 0x7FFFFFFF);       /* DecayQuantity null */
    st_le16(b + 193, 0xFFFF);           /* DecayStartDate null */
    st_le32(b + 195, 0x7FFFFFFF);       /* OriginalContractSize null */
    st_le32(b + 199, 1000);             /* ContractMultiplier */
    b[203] = 127;                       /* ContractMultiplierUnit null */
    b[204] = 127;                       /* FlowScheduleType null */
    st_le64(b + 205, 10000000000ull);   /* MinPriceIncrementAmount 10 */
    b[213] = 'N';                       /* UserDefinedInstrument */
    st_le16(b + 214, 20400);            /* TradingReferenceDate */
    if (block_len >= 224)
        st_le64(b + 216, 0xFEEDull); /* InstrumentGUID */
    uint8_t *g = b + block_len;
    g[0] = 9, g[2] = 1; /* NoEvents */
    g[3] = 5;           /* EventType Activation */
    st_le64(g + 4, TT);
    g += 12;
    g[0] = 4, g[2] = 1; /* NoMDFeedTypes */
    memcpy(g + 3, "GBX", 3);
    g[6] = 10; /* MarketDepth */
    g += 7;
    g[0] = 4, g[2] = 1; /* NoInstAttrib */
    st_le32(g + 3, 0x00100005);
    g += 7;
    g[0] = 5, g[2] = 1;    /* NoLotTypeRules */
    g[3] = 2;              /* LotType */
    st_le32(g + 4, 10000); /* MinLotSize 1.0000 */
    return len;
}

static void check_def54(const struct mdp3_def54 *m, uint64_t guid)
{
    cr_assert(eq(u8, m->mei, 0x80));
    cr_assert(eq(u32, m->tot_num_reports, 42));
    cr_assert(eq(chr, m->security_update_action, 'A'));
    cr_assert(eq(u64, m->last_update_time_ns, TT));
    cr_assert(eq(u8, m->trading_status, 17));
    cr_assert(eq(i16, m->appl_id, 310));
    cr_assert(eq(u8, m->market_segment_id, 99));
    cr_assert(eq(u8, m->underlying_product, 2));
    cr_assert(eq(str, (char *)m->security_exchange, "XCME"));
    cr_assert(eq(str, (char *)m->security_group, "GH"));
    cr_assert(eq(str, (char *)m->asset, "GH1"));
    cr_assert(eq(str, (char *)m->symbol, "GH1Z6"));
    cr_assert(eq(i32, m->security_id, 4242));
    cr_assert(eq(str, (char *)m->security_type, "FUT"));
    cr_assert(eq(str, (char *)m->cfi_code, "FFCPSX"));
    cr_assert(eq(u16, m->maturity_year, 2026));
    cr_assert(eq(u8, m->maturity_month, 12));
    cr_assert(eq(u8, m->maturity_day, 255));
    cr_assert(eq(u8, m->maturity_week, 255));
    cr_assert(eq(str, (char *)m->currency, "USD"));
    cr_assert(eq(str, (char *)m->settl_currency, "USD"));
    cr_assert(eq(chr, m->match_algorithm, 'F'));
    cr_assert(eq(u32, m->min_trade_vol, 1));
    cr_assert(eq(u32, m->max_trade_vol, 1000));
    cr_assert(eq(i64, m->min_price_increment_px, 10000000));
    cr_assert(eq(i64, m->display_factor, 1000000000));
    cr_assert(eq(u8, m->main_fraction, 255));
    cr_assert(eq(u8, m->sub_fraction, 255));
    cr_assert(eq(u8, m->price_display_format, 255));
    cr_assert(eq(str, (char *)m->unit_of_measure, "GPU hours"));
    cr_assert(eq(i64, m->unit_of_measure_qty, 1000000000000));
    cr_assert(eq(i64, m->trading_ref_px, PX));
    cr_assert(eq(u8, m->settl_price_type, 3));
    cr_assert(eq(i32, m->open_interest_qty, 555));
    cr_assert(eq(i32, m->cleared_volume, MDP3_I32_NULL));
    cr_assert(eq(i64, m->high_limit_px, 3000000000));
    cr_assert(eq(i64, m->low_limit_px, 2000000000));
    cr_assert(eq(i64, m->max_price_variation_px, 100000000));
    cr_assert(eq(i32, m->decay_quantity, MDP3_I32_NULL));
    cr_assert(eq(u16, m->decay_start_date, MDP3_U16_NULL));
    cr_assert(eq(i32, m->original_contract_size, MDP3_I32_NULL));
    cr_assert(eq(i32, m->contract_multiplier, 1000));
    cr_assert(eq(i8, m->contract_multiplier_unit, MDP3_I8_NULL));
    cr_assert(eq(i8, m->flow_schedule_type, MDP3_I8_NULL));
    cr_assert(eq(i64, m->min_price_increment_amount_px, 10000000000));
    cr_assert(eq(chr, m->user_defined_instrument, 'N'));
    cr_assert(eq(u16, m->trading_ref_date, 20400));
    cr_assert(eq(u64, m->instrument_guid, guid));
    cr_assert(eq(u16, m->events.n, 1));
    struct mdp3_def54_event ev;
    mdp3_def54_event(m, 0, &ev);
    cr_assert(eq(u8, ev.event_type, 5));
    cr_assert(eq(u64, ev.event_time_ns, TT));
    struct mdp3_def54_feed_type ft;
    mdp3_def54_feed_type(m, 0, &ft);
    cr_assert(eq(str, ft.md_feed_type, "GBX"));
    cr_assert(eq(i8, ft.market_depth, 10));
    cr_assert(eq(u32, mdp3_def54_inst_attrib(m, 0), 0x00100005));
    struct mdp3_def54_lot_type_rule lr;
    mdp3_def54_lot_type_rule(m, 0, &lr);
    cr_assert(eq(i8, lr.lot_type, 2));
    cr_assert(eq(i32, lr.min_lot_size, 10000));
}

/* Re-encodes a decoded def54 with its groups. */
static void enc_def54(struct mdp3_enc *enc, const struct mdp3_def54 *m)
{
    struct mdp3_def54_event ev;
    struct mdp3_def54_feed_type ft;
    struct mdp3_def54_lot_type_rule lr;
    mdp3_def54_event(m, 0, &ev);
    mdp3_def54_feed_type(m, 0, &ft);
    mdp3_def54_lot_type_rule(m, 0, &lr);
    uint32_t attr = mdp3_def54_inst_attrib(m, 0);
    cr_assert(eq(int, mdp3_enc_def54(enc, m, &ev, 1, &ft, 1, &attr, 1, &lr, 1), GT_OK));
}

Test(mdp3, golden_def54_v13_decodes_every_field_and_encodes_the_same_bytes)
{
    uint8_t p[512], buf[512];
    size_t len = hand_def54(p, 224, 13);
    struct mdp3_msg msg;
    struct mdp3_def54 m;
    frame_one(p, len, &msg);
    cr_assert(eq(int, mdp3_def54_decode(&msg, &m), GT_OK));
    check_def54(&m, 0xFEED);
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 77, 99);
    enc_def54(&enc, &m);
    check_same(buf, mdp3_enc_len(&enc), p, len);
}

Test(mdp3, golden_def54_v9_block_216_decodes_with_null_guid)
{
    uint8_t p[512];
    size_t len = hand_def54(p, 216, 9);
    struct mdp3_msg msg;
    struct mdp3_def54 m;
    frame_one(p, len, &msg);
    cr_assert(eq(int, mdp3_def54_decode(&msg, &m), GT_OK));
    check_def54(&m, MDP3_U64_NULL);
    /* One byte short of the v9 block is refused. */
    len = hand_def54(p, 215, 9);
    frame_one(p, len, &msg);
    cr_assert(eq(int, mdp3_def54_decode(&msg, &m), GT_EBADMSG));
}

Test(mdp3, golden_idx348_decodes_decimal64_and_encodes_the_same_bytes)
{
    uint8_t p[512], buf[512];
    size_t len = hand_msg(p, 13, 348, 5, 9, 13 + 3 + 176);
    uint8_t *b = p + 22;
    st_le64(b, TT);          /* TransactTime */
    memcpy(b + 8, "GX", 2);  /* MDFeedType */
    b[10] = 0x80;            /* MEI */
    st_le16(b + 11, 0xFFFF); /* BatchTotalMessages null */
    b[13] = 176, b[15] = 1;  /* NoMDEntries 176, 1 (u8 at 2) */
    uint8_t *e = b + 16;
    e[0] = '3';                                   /* MDEntryType IndexValue */
    st_le32(e + 1, 12);                           /* RptSeq */
    st_le64(e + 5, 2345), e[13] = 0xFD;           /* MDEntryPx 2345e-3 */
    st_le64(e + 14, UINT64_MAX);                  /* MDEntrySize null */
    memcpy(e + 22, "SDH100RT", 8);                /* Symbol */
    e[72] = 127;                                  /* OpenCloseSettlFlag null */
    memcpy(e + 73, "YT", 2);                      /* YieldType */
    st_le64(e + 81, INT64_MAX), e[89] = 0;        /* Yield null */
    st_le64(e + 90, (uint64_t)-15), e[98] = 0xFE; /* NetChgPrevDay -0.15 */
    st_le64(e + 99, 7), e[107] = 0xFF;            /* NetPctChg 0.7 */
    st_le64(e + 108, INT64_MAX), e[116] = 127;    /* PercentTrading null */
    e[117] = 5;                                   /* MDEntryCode Close */
    st_le32(e + 118, 20261125);                   /* MDEntryDate */
    st_le32(e + 122, 160000);                     /* MDEntryTime */
    memcpy(e + 126, "fix-1", 5);                  /* ReferenceID */
    struct mdp3_msg msg;
    struct mdp3_idx348 m;
    frame_one(p, len, &msg);
    cr_assert(eq(int, mdp3_idx348_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(str, m.md_feed_type, "GX"));
    cr_assert(eq(u8, m.mei, 0x80));
    cr_assert(eq(u16, m.batch_total_messages, MDP3_U16_NULL));
    cr_assert(eq(u16, m.entries.n, 1));
    struct mdp3_idx348_entry x;
    mdp3_idx348_entry(&m, 0, &x);
    cr_assert(eq(chr, x.entry_type, MDP3_ET_INDEX_VALUE));
    cr_assert(eq(u32, x.rpt_seq, 12));
    cr_assert(eq(i64, x.px.mantissa, 2345));
    cr_assert(eq(i8, x.px.exponent, -3));
    int64_t px;
    cr_assert(eq(int, mdp3_dec64_to_px(x.px, &px), GT_OK));
    cr_assert(eq(i64, px, 2345000000));
    cr_assert(eq(u64, x.size, MDP3_U64_NULL));
    cr_assert(eq(str, x.symbol, "SDH100RT"));
    cr_assert(eq(i8, x.open_close_settl_flag, MDP3_I8_NULL));
    cr_assert(eq(str, x.yield_type, "YT"));
    cr_assert(eq(i64, x.yield.mantissa, MDP3_PX_NULL));
    cr_assert(eq(i64, x.net_chg_prev_day.mantissa, -15));
    cr_assert(eq(i8, x.net_chg_prev_day.exponent, -2));
    cr_assert(eq(i64, x.net_pct_chg.mantissa, 7));
    cr_assert(eq(i8, x.net_pct_chg.exponent, -1));
    cr_assert(eq(i8, x.percent_trading.exponent, 127));
    cr_assert(eq(u8, x.entry_code, MDP3_EC_CLOSE));
    cr_assert(eq(i32, x.entry_date, 20261125));
    cr_assert(eq(i32, x.entry_time, 160000));
    cr_assert(eq(str, x.reference_id, "fix-1"));
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 77, 99);
    cr_assert(eq(int, mdp3_enc_idx348(&enc, &m, &x, 1), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), p, len);
}

/* Schema 5's MDInstrumentDefinitionIndices347 by hand from
 * streamlined_schema5_v9.xml: root 63, then NoInstAttrib and NoEvents, both
 * groupSizeEncoding (blockLength u16, numInGroup u16). */
static size_t hand_def347(uint8_t *p, uint16_t version)
{
    size_t len = hand_msg(p, 63, 347, 5, version, 63 + 4 + 101 + 4 + 2 * 9);
    uint8_t *b = p + 22;
    memcpy(b, "SDH100RT", 8);  /* 0 Symbol char50 */
    b[50] = 14;                /* 50 Product */
    memcpy(b + 51, "XCME", 4); /* 51 SecurityExchange char4 */
    memcpy(b + 55, "USD", 3);  /* 55 Currency char3 */
    b[58] = 'A';               /* 58 SecurityUpdateAction */
    memcpy(b + 59, "GI", 2);   /* 59 MDFeedType char2 */
    st_le16(b + 61, 320);      /* 61 ApplID (since v4) */
    uint8_t *g = b + 63;
    g[0] = 101, g[2] = 1;         /* NoInstAttrib: blockLength 101, numInGroup (u16 at 2) 1 */
    g[4] = 24;                    /* 0 InstAttribType */
    memcpy(g + 5, "GPU-hour", 8); /* 1 InstAttribValue char100 */
    g += 4 + 101;
    g[0] = 9, g[2] = 2;         /* NoEvents: blockLength 9, numInGroup 2 */
    g[4] = 5;                   /* 0 EventType Activation */
    st_le64(g + 5, TT);         /* 1 EventTime */
    g[13] = 7;                  /* 0 EventType LastEligibleTradeDate */
    st_le64(g + 14, TT + 1000); /* 1 EventTime */
    return len;
}

Test(mdp3, golden_def347_decodes_every_field_and_encodes_the_same_bytes)
{
    uint8_t p[512], buf[512];
    size_t len = hand_def347(p, 9);
    cr_assert(eq(sz, len, 12 + 10 + 63 + 4 + 101 + 4 + 18));
    struct mdp3_msg msg;
    struct mdp3_def347 m;
    frame_one(p, len, &msg);
    cr_assert(eq(u16, msg.schema_id, MDP3_SCHEMA_INDICES));
    cr_assert(eq(int, mdp3_def347_decode(&msg, &m), GT_OK));
    cr_assert(eq(str, m.symbol, "SDH100RT"));
    cr_assert(eq(i8, m.product, 14));
    cr_assert(eq(str, m.security_exchange, "XCME"));
    cr_assert(eq(str, m.currency, "USD"));
    cr_assert(eq(chr, m.security_update_action, 'A'));
    cr_assert(eq(str, m.md_feed_type, "GI"));
    cr_assert(eq(u16, m.appl_id, 320));
    cr_assert(eq(u16, m.inst_attribs.n, 1));
    cr_assert(eq(u16, m.inst_attribs.block_len, 101));
    cr_assert(eq(u16, m.events.n, 2));
    struct mdp3_def347_inst_attrib a;
    mdp3_def347_inst_attrib(&m, 0, &a);
    cr_assert(eq(u8, a.type, 24));
    cr_assert(eq(str, a.value, "GPU-hour"));
    struct mdp3_def54_event ev[2];
    mdp3_def347_event(&m, 0, &ev[0]);
    mdp3_def347_event(&m, 1, &ev[1]);
    cr_assert(eq(u8, ev[0].event_type, 5));
    cr_assert(eq(u64, ev[0].event_time_ns, TT));
    cr_assert(eq(u8, ev[1].event_type, 7));
    cr_assert(eq(u64, ev[1].event_time_ns, TT + 1000));
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 77, 99);
    cr_assert(eq(int, mdp3_enc_def347(&enc, &m, &a, 1, ev, 2), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), p, len);
    /* Before version 4 the ApplID bytes are not ApplID: null. */
    len = hand_def347(p, 3);
    frame_one(p, len, &msg);
    cr_assert(eq(int, mdp3_def347_decode(&msg, &m), GT_OK));
    cr_assert(eq(u16, m.appl_id, MDP3_U16_NULL));
    cr_assert(eq(str, m.md_feed_type, "GI"));
}

/* ---- market by order and spreads (issues 20 and 19) ---------------------- */

/* clang-format off */
/* MDIncrementalRefreshOrderBook47 by hand from templates_FixBinary.xml: root 11
 * (TransactTime, MEI, 2 padding), NoMDEntries groupSize blockLength 40: 0 OrderID
 * uInt64NULL | 8 MDOrderPriority uInt64NULL | 16 MDEntryPx PRICENULL9 | 24
 * MDDisplayQty Int32NULL | 28 SecurityID Int32 | 32 MDUpdateAction | 33
 * MDEntryType, 6 bytes of padding. */
static const uint8_t golden_orderbook47[] = {
    0xD0, 0x07, 0x00, 0x00,                         /* MsgSeqNum 2000 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x68, 0x00,                                     /* MsgSize 104 = 10 + 11 + 3 + 2 * 40 */
    0x0B, 0x00, 0x2F, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 11, template 47, schema 1, v13 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* TransactTime */
    0x84, 0x00, 0x00,                               /* MEI EndOfEvent|LastQuote, padding */
    0x28, 0x00, 0x02,                               /* NoMDEntries: blockLength 40, 2 entries */
    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* 0 OrderID */
    0xE4, 0xF2, 0x3B, 0x26, 0x00, 0x00, 0x00, 0x00, /* 8 MDOrderPriority 641463012 */
    0x80, 0xAB, 0xE9, 0xA3, 0x00, 0x00, 0x00, 0x00, /* 16 MDEntryPx 2.75 */
    0x04, 0x00, 0x00, 0x00,                         /* 24 MDDisplayQty 4 */
    0x40, 0xE2, 0x01, 0x00,                         /* 28 SecurityID 123456 */
    0x00, 0x31,                                     /* 32 New, 33 '1' offer */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* padding */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* OrderID null */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* MDOrderPriority null */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, /* MDEntryPx null */
    0xFF, 0xFF, 0xFF, 0x7F,                         /* MDDisplayQty null */
    0x40, 0xE2, 0x01, 0x00,                         /* SecurityID 123456 */
    0x02, 0x30,                                     /* Delete, '0' bid */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* padding */
};

/* SnapshotFullRefreshOrderBook53: root 28: 0 LastMsgSeqNumProcessed | 4
 * TotNumReports | 8 SecurityID | 12 NoChunks | 16 CurrentChunk | 20 TransactTime;
 * NoMDEntries groupSize blockLength 29: 0 OrderID uInt64 | 8 MDOrderPriority
 * uInt64NULL | 16 MDEntryPx PRICE9 | 24 MDDisplayQty Int32 | 28 MDEntryType. */
static const uint8_t golden_snapshot53[] = {
    0xE9, 0x03, 0x00, 0x00,                         /* MsgSeqNum 1001 */
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* SendingTime */
    0x63, 0x00,                                     /* MsgSize 99 = 10 + 28 + 3 + 2 * 29 */
    0x1C, 0x00, 0x35, 0x00, 0x01, 0x00, 0x0D, 0x00, /* blockLength 28, template 53, schema 1, v13 */
    0xE8, 0x03, 0x00, 0x00,                         /* 0 LastMsgSeqNumProcessed 1000 */
    0x03, 0x00, 0x00, 0x00,                         /* 4 TotNumReports 3 */
    0x40, 0xE2, 0x01, 0x00,                         /* 8 SecurityID 123456 */
    0x02, 0x00, 0x00, 0x00,                         /* 12 NoChunks 2 */
    0x01, 0x00, 0x00, 0x00,                         /* 16 CurrentChunk 1 */
    0x5E, 0x4D, 0x3C, 0x2B, 0x8A, 0x01, 0x00, 0x00, /* 20 TransactTime */
    0x1D, 0x00, 0x02,                               /* NoMDEntries: blockLength 29, 2 entries */
    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* OrderID */
    0xE4, 0xF2, 0x3B, 0x26, 0x00, 0x00, 0x00, 0x00, /* MDOrderPriority 641463012 */
    0x80, 0xAB, 0xE9, 0xA3, 0x00, 0x00, 0x00, 0x00, /* MDEntryPx 2.75 */
    0x0A, 0x00, 0x00, 0x00,                         /* MDDisplayQty 10 */
    0x30,                                           /* '0' bid */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* OrderID 2 */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* MDOrderPriority null */
    0x00, 0x9C, 0xE4, 0xA6, 0x00, 0x00, 0x00, 0x00, /* MDEntryPx 2.80 */
    0x07, 0x00, 0x00, 0x00,                         /* MDDisplayQty 7 */
    0x31,                                           /* '1' offer */
};
/* clang-format on */

Test(mdp3, golden_orderbook47_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_msg msg;
    frame_one(golden_orderbook47, sizeof golden_orderbook47, &msg);
    cr_assert(eq(u16, msg.template_id, MDP3_T_ORDER_BOOK47));
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_orderbook47_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(u8, m.mei, MDP3_MEI_END_OF_EVENT | MDP3_MEI_LAST_QUOTE));
    cr_assert(eq(u16, m.entries.n, 2));
    cr_assert(eq(u16, m.orders.n, 0));
    struct mdp3_orderbook47_entry e[2];
    mdp3_orderbook47_entry(&m, 0, &e[0]);
    mdp3_orderbook47_entry(&m, 1, &e[1]);
    cr_assert(eq(u64, e[0].order_id, ORDER_ID));
    cr_assert(eq(u64, e[0].priority, 641463012));
    cr_assert(eq(i64, e[0].px, PX));
    cr_assert(eq(i32, e[0].display_qty, 4));
    cr_assert(eq(i32, e[0].security_id, 123456));
    cr_assert(eq(u8, e[0].update_action, MDP3_ACT_NEW));
    cr_assert(eq(chr, e[0].entry_type, MDP3_ET_OFFER));
    cr_assert(eq(u64, e[1].order_id, MDP3_U64_NULL));
    cr_assert(eq(u64, e[1].priority, MDP3_U64_NULL));
    cr_assert(eq(i64, e[1].px, MDP3_PX_NULL));
    cr_assert(eq(i32, e[1].display_qty, MDP3_I32_NULL));
    cr_assert(eq(u8, e[1].update_action, MDP3_ACT_DELETE));
    cr_assert(eq(chr, e[1].entry_type, MDP3_ET_BID));
    uint8_t buf[256];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 2000, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_orderbook47(&enc, &m, e, 2), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_orderbook47, sizeof golden_orderbook47);
    /* An entry block shorter than MDEntryType's end is malformed. */
    uint8_t bad[sizeof golden_orderbook47];
    memcpy(bad, golden_orderbook47, sizeof bad);
    st_le16(bad + 12 + 10 + 11, 33);
    frame_one(bad, sizeof bad, &msg);
    cr_assert(eq(int, mdp3_orderbook47_decode(&msg, &m), GT_EBADMSG));
}

Test(mdp3, golden_snapshot53_decodes_every_field_and_encodes_the_same_bytes)
{
    struct mdp3_msg msg;
    frame_one(golden_snapshot53, sizeof golden_snapshot53, &msg);
    struct mdp3_snapshot53 m;
    cr_assert(eq(int, mdp3_snapshot53_decode(&msg, &m), GT_OK));
    cr_assert(eq(u32, m.last_msg_seq_num_processed, 1000));
    cr_assert(eq(u32, m.tot_num_reports, 3));
    cr_assert(eq(i32, m.security_id, 123456));
    cr_assert(eq(u32, m.no_chunks, 2));
    cr_assert(eq(u32, m.current_chunk, 1));
    cr_assert(eq(u64, m.transact_time_ns, TT));
    cr_assert(eq(u16, m.entries.n, 2));
    struct mdp3_snapshot53_entry e[2];
    mdp3_snapshot53_entry(&m, 0, &e[0]);
    mdp3_snapshot53_entry(&m, 1, &e[1]);
    cr_assert(eq(u64, e[0].order_id, ORDER_ID));
    cr_assert(eq(u64, e[0].priority, 641463012));
    cr_assert(eq(i64, e[0].px, PX));
    cr_assert(eq(i32, e[0].display_qty, 10));
    cr_assert(eq(chr, e[0].entry_type, MDP3_ET_BID));
    cr_assert(eq(u64, e[1].order_id, 2));
    cr_assert(eq(u64, e[1].priority, MDP3_U64_NULL));
    cr_assert(eq(i64, e[1].px, 2800000000));
    cr_assert(eq(i32, e[1].display_qty, 7));
    cr_assert(eq(chr, e[1].entry_type, MDP3_ET_OFFER));
    uint8_t buf[256];
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1001, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_snapshot53(&enc, &m, e, 2), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), golden_snapshot53, sizeof golden_snapshot53);
}

/* MDInstrumentDefinitionSpread56 by hand at the schema's offsets: root of
 * block_len (255 in v13, 195 in v9), then NoEvents 1, NoMDFeedTypes 2,
 * NoInstAttrib 1, NoLotTypeRules 1, NoLegs 2 (blockLength 18: 0 LegSecurityID |
 * 4 LegSide | 5 LegRatioQty | 6 LegPrice PRICENULL9 | 14 LegOptionDelta
 * DecimalQty). */
static size_t hand_def56(uint8_t *p, uint16_t block_len, uint16_t version)
{
    size_t body = block_len + 3 + 9 + 3 + 2 * 4 + 3 + 4 + 3 + 5 + 3 + 2 * 18;
    size_t len = hand_msg(p, block_len, 56, 1, version, body);
    uint8_t *b = p + 22;
    b[0] = 0x80;                             /* MEI */
    st_le32(b + 1, 7);                       /* TotNumReports */
    b[5] = 'A';                              /* SecurityUpdateAction */
    st_le64(b + 6, TT);                      /* LastUpdateTime */
    b[14] = 17;                              /* MDSecurityTradingStatus ReadyToTrade */
    st_le16(b + 15, 310);                    /* ApplID */
    b[17] = 1;                               /* MarketSegmentID */
    b[18] = 255;                             /* UnderlyingProduct null */
    memcpy(b + 19, "XCME", 4);               /* SecurityExchange */
    memcpy(b + 23, "H100", 4);               /* SecurityGroup */
    memcpy(b + 29, "H100", 4);               /* Asset */
    memcpy(b + 35, "H100Z6-H100F7", 13);     /* Symbol */
    st_le32(b + 55, 900001);                 /* SecurityID */
    memcpy(b + 59, "FUT", 3);                /* SecurityType */
    memcpy(b + 65, "FMIXSX", 6);             /* CFICode */
    st_le16(b + 71, 2026);                   /* MaturityMonthYear.year */
    b[73] = 12;                              /* month */
    b[74] = 255;                             /* day null */
    b[75] = 255;                             /* week null */
    memcpy(b + 76, "USD", 3);                /* Currency */
    memcpy(b + 79, "SP", 2);                 /* SecuritySubType: calendar spread */
    b[84] = 'Y';                             /* UserDefinedInstrument */
    b[85] = 'F';                             /* MatchAlgorithm */
    st_le32(b + 86, 1);                      /* MinTradeVol */
    st_le32(b + 90, 500);                    /* MaxTradeVol */
    st_le64(b + 94, 5000000);                /* MinPriceIncrement 0.005 */
    st_le64(b + 102, 1000000000);            /* DisplayFactor 1 */
    b[110] = 255;                            /* PriceDisplayFormat null */
    st_le64(b + 111, 0x7FFFFFFFFFFFFFFFull); /* PriceRatio null */
    b[119] = 127;                            /* TickRule null */
    memcpy(b + 120, "GPUh", 4);              /* UnitOfMeasure */
    st_le64(b + 150, (uint64_t)-50000000);   /* TradingReferencePrice -0.05 */
    b[158] = 0x01;                           /* SettlPriceType */
    st_le32(b + 159, 0x7FFFFFFF);            /* OpenInterestQty null */
    st_le32(b + 163, 12);                    /* ClearedVolume */
    st_le64(b + 167, 1000000000);            /* HighLimitPrice 1 */
    st_le64(b + 175, (uint64_t)-1000000000); /* LowLimitPrice -1 */
    st_le64(b + 183, 0x7FFFFFFFFFFFFFFFull); /* MaxPriceVariation null */
    b[191] = 255;                            /* MainFraction null */
    b[192] = 255;                            /* SubFraction null */
    st_le16(b + 193, 20416);                 /* TradingReferenceDate */
    if (block_len >= 255) {
        memcpy(b + 195, "PRICE", 5);                      /* PriceQuoteMethod */
        memcpy(b + 200, "RS1", 3);                        /* RiskSet */
        memcpy(b + 206, "MS1", 3);                        /* MarketSet */
        st_le64(b + 212, 0xBEEFull);                      /* InstrumentGUID */
        memcpy(b + 220, "H100 Dec26-Jan27 calendar", 25); /* FinancialInstrumentFullName */
    }
    uint8_t *g = b + block_len;
    g[0] = 9, g[2] = 1; /* NoEvents */
    g[3] = 5;
    st_le64(g + 4, TT);
    g += 12;
    g[0] = 4, g[2] = 2; /* NoMDFeedTypes: GBX 10, GBI 2 */
    memcpy(g + 3, "GBX", 3);
    g[6] = 10;
    memcpy(g + 7, "GBI", 3);
    g[10] = 2;
    g += 11;
    g[0] = 4, g[2] = 1; /* NoInstAttrib */
    st_le32(g + 3, 0x00100005);
    g += 7;
    g[0] = 5, g[2] = 1; /* NoLotTypeRules */
    g[3] = 2;
    st_le32(g + 4, 10000);
    g += 8;
    g[0] = 18, g[2] = 2;    /* NoLegs */
    st_le32(g + 3, 102612); /* leg 1: SecurityID, buy 1 */
    g[7] = 1, g[8] = 1;
    st_le64(g + 9, 0x7FFFFFFFFFFFFFFFull); /* LegPrice null */
    st_le32(g + 17, 0x7FFFFFFF);           /* LegOptionDelta null */
    st_le32(g + 21, 102613);               /* leg 2: sell 1 */
    g[25] = 2, g[26] = 1;
    st_le64(g + 27, (uint64_t)PX); /* LegPrice 2.75 */
    st_le32(g + 35, 5000);         /* LegOptionDelta 0.5 */
    return len;
}

static void check_def56(const struct mdp3_def56 *m, bool v13)
{
    cr_assert(eq(u8, m->mei, 0x80));
    cr_assert(eq(u32, m->tot_num_reports, 7));
    cr_assert(eq(chr, m->security_update_action, 'A'));
    cr_assert(eq(u64, m->last_update_time_ns, TT));
    cr_assert(eq(u8, m->trading_status, 17));
    cr_assert(eq(i16, m->appl_id, 310));
    cr_assert(eq(u8, m->market_segment_id, 1));
    cr_assert(eq(u8, m->underlying_product, MDP3_U8_NULL));
    cr_assert(eq(str, (char *)m->security_exchange, "XCME"));
    cr_assert(eq(str, (char *)m->security_group, "H100"));
    cr_assert(eq(str, (char *)m->asset, "H100"));
    cr_assert(eq(str, (char *)m->symbol, "H100Z6-H100F7"));
    cr_assert(eq(i32, m->security_id, 900001));
    cr_assert(eq(str, (char *)m->security_type, "FUT"));
    cr_assert(eq(str, (char *)m->cfi_code, "FMIXSX"));
    cr_assert(eq(u16, m->maturity_year, 2026));
    cr_assert(eq(u8, m->maturity_month, 12));
    cr_assert(eq(u8, m->maturity_day, MDP3_U8_NULL));
    cr_assert(eq(u8, m->maturity_week, MDP3_U8_NULL));
    cr_assert(eq(str, (char *)m->currency, "USD"));
    cr_assert(eq(str, (char *)m->security_sub_type, "SP"));
    cr_assert(eq(chr, m->user_defined_instrument, 'Y'));
    cr_assert(eq(chr, m->match_algorithm, 'F'));
    cr_assert(eq(u32, m->min_trade_vol, 1));
    cr_assert(eq(u32, m->max_trade_vol, 500));
    cr_assert(eq(i64, m->min_price_increment_px, 5000000));
    cr_assert(eq(i64, m->display_factor, 1000000000));
    cr_assert(eq(u8, m->price_display_format, MDP3_U8_NULL));
    cr_assert(eq(i64, m->price_ratio_px, MDP3_PX_NULL));
    cr_assert(eq(i8, m->tick_rule, MDP3_I8_NULL));
    cr_assert(eq(str, (char *)m->unit_of_measure, "GPUh"));
    cr_assert(eq(i64, m->trading_ref_px, -50000000));
    cr_assert(eq(u8, m->settl_price_type, 1));
    cr_assert(eq(i32, m->open_interest_qty, MDP3_I32_NULL));
    cr_assert(eq(i32, m->cleared_volume, 12));
    cr_assert(eq(i64, m->high_limit_px, 1000000000));
    cr_assert(eq(i64, m->low_limit_px, -1000000000));
    cr_assert(eq(i64, m->max_price_variation_px, MDP3_PX_NULL));
    cr_assert(eq(u8, m->main_fraction, MDP3_U8_NULL));
    cr_assert(eq(u8, m->sub_fraction, MDP3_U8_NULL));
    cr_assert(eq(u16, m->trading_ref_date, 20416));
    cr_assert(eq(str, (char *)m->price_quote_method, v13 ? "PRICE" : ""));
    cr_assert(eq(str, (char *)m->risk_set, v13 ? "RS1" : ""));
    cr_assert(eq(str, (char *)m->market_set, v13 ? "MS1" : ""));
    cr_assert(eq(u64, m->instrument_guid, v13 ? 0xBEEF : MDP3_U64_NULL));
    cr_assert(eq(str, (char *)m->full_name, v13 ? "H100 Dec26-Jan27 calendar" : ""));
    struct mdp3_def54_event ev;
    mdp3_def56_event(m, 0, &ev);
    cr_assert(eq(u8, ev.event_type, 5));
    cr_assert(eq(u64, ev.event_time_ns, TT));
    cr_assert(eq(u16, m->feed_types.n, 2));
    struct mdp3_def54_feed_type ft;
    mdp3_def56_feed_type(m, 1, &ft);
    cr_assert(eq(str, ft.md_feed_type, "GBI"));
    cr_assert(eq(i8, ft.market_depth, 2));
    cr_assert(eq(u32, mdp3_def56_inst_attrib(m, 0), 0x00100005));
    struct mdp3_def54_lot_type_rule lr;
    mdp3_def56_lot_type_rule(m, 0, &lr);
    cr_assert(eq(i8, lr.lot_type, 2));
    cr_assert(eq(i32, lr.min_lot_size, 10000));
    cr_assert(eq(u16, m->legs.n, 2));
    struct mdp3_def56_leg l[2];
    mdp3_def56_leg(m, 0, &l[0]);
    mdp3_def56_leg(m, 1, &l[1]);
    cr_assert(eq(i32, l[0].security_id, 102612));
    cr_assert(eq(u8, l[0].side, 1));
    cr_assert(eq(i8, l[0].ratio_qty, 1));
    cr_assert(eq(i64, l[0].px, MDP3_PX_NULL));
    cr_assert(eq(i32, l[0].option_delta, MDP3_I32_NULL));
    cr_assert(eq(i32, l[1].security_id, 102613));
    cr_assert(eq(u8, l[1].side, 2));
    cr_assert(eq(i8, l[1].ratio_qty, 1));
    cr_assert(eq(i64, l[1].px, PX));
    cr_assert(eq(i32, l[1].option_delta, 5000));
}

/* Re-encodes a decoded def56 with its groups. */
static void enc_def56(struct mdp3_enc *enc, const struct mdp3_def56 *m)
{
    struct mdp3_def54_event ev;
    struct mdp3_def54_feed_type ft[2];
    struct mdp3_def54_lot_type_rule lr;
    struct mdp3_def56_leg l[2];
    mdp3_def56_event(m, 0, &ev);
    mdp3_def56_feed_type(m, 0, &ft[0]);
    mdp3_def56_feed_type(m, 1, &ft[1]);
    mdp3_def56_lot_type_rule(m, 0, &lr);
    mdp3_def56_leg(m, 0, &l[0]);
    mdp3_def56_leg(m, 1, &l[1]);
    uint32_t attr = mdp3_def56_inst_attrib(m, 0);
    cr_assert(eq(int, mdp3_enc_def56(enc, m, &ev, 1, ft, 2, &attr, 1, &lr, 1, l, 2), GT_OK));
}

Test(mdp3, golden_def56_v13_decodes_every_field_and_leg_and_encodes_the_same_bytes)
{
    uint8_t p[600], buf[600];
    size_t len = hand_def56(p, 255, 13);
    struct mdp3_msg msg;
    struct mdp3_def56 m;
    frame_one(p, len, &msg);
    cr_assert(eq(int, mdp3_def56_decode(&msg, &m), GT_OK));
    check_def56(&m, true);
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 77, 99);
    enc_def56(&enc, &m);
    check_same(buf, mdp3_enc_len(&enc), p, len);
}

Test(mdp3, golden_def56_v9_block_195_reads_the_v10_fields_as_null)
{
    uint8_t p[600];
    size_t len = hand_def56(p, 195, 9);
    struct mdp3_msg msg;
    struct mdp3_def56 m;
    frame_one(p, len, &msg);
    cr_assert(eq(int, mdp3_def56_decode(&msg, &m), GT_OK));
    check_def56(&m, false);
    /* A root shorter than TradingReferenceDate's end is malformed. */
    len = hand_def56(p, 194, 9);
    frame_one(p, len, &msg);
    cr_assert(eq(int, mdp3_def56_decode(&msg, &m), GT_EBADMSG));
}

Test(mdp3, implied_entries_E_and_F_round_trip_in_book46_and_snapshot52)
{
    /* golden_book46 with its entries' MDEntryType implied bid 'E' and offer 'F'. */
    uint8_t p[sizeof golden_book46], buf[256];
    memcpy(p, golden_book46, sizeof p);
    size_t ent0 = 12 + 10 + 11 + 3;
    p[ent0 + 26] = 'E';
    p[ent0 + 32 + 26] = 'F';
    struct mdp3_msg msg;
    frame_one(p, sizeof p, &msg);
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_book46_decode(&msg, &m), GT_OK));
    struct mdp3_book46_entry e[2];
    mdp3_book46_entry(&m, 0, &e[0]);
    mdp3_book46_entry(&m, 1, &e[1]);
    cr_assert(eq(chr, e[0].entry_type, MDP3_ET_IMPLIED_BID));
    cr_assert(eq(chr, e[1].entry_type, MDP3_ET_IMPLIED_OFFER));
    struct mdp3_book46_order o;
    mdp3_book46_order(&m, 0, &o);
    struct mdp3_enc enc;
    mdp3_enc_init(&enc, buf, sizeof buf, 1000, 0x1122334455667788ull);
    cr_assert(eq(int, mdp3_enc_book46(&enc, &m, e, 2, &o, 1), GT_OK));
    check_same(buf, mdp3_enc_len(&enc), p, sizeof p);
    /* And in a snapshot: golden_snapshot52's entries as 'E' and 'F'. */
    uint8_t q[sizeof golden_snapshot52];
    memcpy(q, golden_snapshot52, sizeof q);
    size_t s0 = 12 + 10 + 59 + 3;
    q[s0 + 21] = 'E';
    struct mdp3_snapshot52 s;
    frame_one(q, sizeof q, &msg);
    cr_assert(eq(int, mdp3_snapshot52_decode(&msg, &s), GT_OK));
    struct mdp3_snapshot52_entry se;
    mdp3_snapshot52_entry(&s, 0, &se);
    cr_assert(eq(chr, se.entry_type, MDP3_ET_IMPLIED_BID));
}

Test(mdp3, dec64_normalises_to_1e9_and_refuses_overflow)
{
    int64_t px = 0;
    struct mdp3_dec64 d = {5, 0};
    cr_assert(eq(int, mdp3_dec64_to_px(d, &px), GT_OK));
    cr_assert(eq(i64, px, 5000000000));
    d = (struct mdp3_dec64){123456789012, -11};
    cr_assert(eq(int, mdp3_dec64_to_px(d, &px), GT_OK));
    cr_assert(eq(i64, px, 1234567890));
    d = (struct mdp3_dec64){-7, -9};
    cr_assert(eq(int, mdp3_dec64_to_px(d, &px), GT_OK));
    cr_assert(eq(i64, px, -7));
    d = (struct mdp3_dec64){MDP3_PX_NULL, 0};
    cr_assert(eq(int, mdp3_dec64_to_px(d, &px), GT_OK));
    cr_assert(eq(i64, px, MDP3_PX_NULL));
    px = 1;
    d = (struct mdp3_dec64){10000000000, 0}; /* 1e10 * 1e9 overflows */
    cr_assert(eq(int, mdp3_dec64_to_px(d, &px), GT_EBADMSG));
    d = (struct mdp3_dec64){1, 127};
    cr_assert(eq(int, mdp3_dec64_to_px(d, &px), GT_EBADMSG));
    d = (struct mdp3_dec64){-9, -128};
    cr_assert(eq(int, mdp3_dec64_to_px(d, &px), GT_OK));
    cr_assert(eq(i64, px, 0));
}

/* ---- round trips ---------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Fills an object with a pattern: 0 random, 1 zeros, 2 all ones, 3 0x7F, 4 0x80. */
static void fill(void *p, size_t n, int pattern)
{
    static const uint8_t fixed[] = {0, 0x00, 0xFF, 0x7F, 0x80};
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = pattern ? fixed[pattern] : (uint8_t)rng();
}

enum { NE = 3, N_TEMPLATES = 16 };

/* The encoder's inputs for one message of every template, NE entries a group. */
struct every_in {
    uint32_t seq;
    uint64_t sending_time_ns;
    struct mdp3_reset4 r4;
    struct mdp3_reset4_entry r4e[NE];
    struct mdp3_status30 s30;
    struct mdp3_incr x;
    struct mdp3_volume37_entry v37[NE];
    struct mdp3_book46_entry b46[NE];
    struct mdp3_book46_order b46o[NE];
    struct mdp3_trade48_entry t48[NE];
    struct mdp3_trade48_order t48o[NE];
    struct mdp3_daily49_entry d49[NE];
    struct mdp3_limits50_entry l50[NE];
    struct mdp3_session51_entry s51[NE];
    struct mdp3_snapshot52 s52;
    struct mdp3_snapshot52_entry s52e[NE];
    struct mdp3_def54 d54;
    struct mdp3_def54_event ev[NE];
    struct mdp3_def54_feed_type ft[NE];
    uint32_t at[NE];
    struct mdp3_def54_lot_type_rule lt[NE];
    struct mdp3_def347 d347;
    struct mdp3_def347_inst_attrib a347[NE];
    struct mdp3_idx348 i348;
    struct mdp3_idx348_entry i348e[NE];
    struct mdp3_orderbook47_entry b47[NE];
    struct mdp3_snapshot53 s53;
    struct mdp3_snapshot53_entry s53e[NE];
    struct mdp3_def56 d56;
    struct mdp3_def56_leg leg[NE];
};

/* Encodes one message of each of the N_TEMPLATES templates from in into buf;
 * bounds[k] is where message k starts, bounds[N_TEMPLATES] the end. */
static size_t every_template(uint8_t *buf, size_t cap, const struct every_in *in, size_t *bounds)
{
    struct mdp3_enc e;
    int k = 0;
    cr_assert(eq(int, mdp3_enc_init(&e, buf, cap, in->seq, in->sending_time_ns), GT_OK));
    bounds[k++] = mdp3_enc_len(&e);
#define ENC(call)                                                                                  \
    do {                                                                                           \
        cr_assert(eq(int, call, GT_OK));                                                           \
        bounds[k++] = mdp3_enc_len(&e);                                                            \
    } while (0)
    ENC(mdp3_enc_reset4(&e, &in->r4, in->r4e, NE));
    ENC(mdp3_enc_heartbeat12(&e));
    ENC(mdp3_enc_status30(&e, &in->s30));
    ENC(mdp3_enc_volume37(&e, &in->x, in->v37, NE));
    ENC(mdp3_enc_book46(&e, &in->x, in->b46, NE, in->b46o, NE));
    ENC(mdp3_enc_trade48(&e, &in->x, in->t48, NE, in->t48o, NE));
    ENC(mdp3_enc_daily49(&e, &in->x, in->d49, NE));
    ENC(mdp3_enc_limits50(&e, &in->x, in->l50, NE));
    ENC(mdp3_enc_session51(&e, &in->x, in->s51, NE));
    ENC(mdp3_enc_snapshot52(&e, &in->s52, in->s52e, NE));
    ENC(mdp3_enc_def54(&e, &in->d54, in->ev, NE, in->ft, NE, in->at, NE, in->lt, NE));
    ENC(mdp3_enc_def347(&e, &in->d347, in->a347, NE, in->ev, NE));
    ENC(mdp3_enc_idx348(&e, &in->i348, in->i348e, NE));
    ENC(mdp3_enc_orderbook47(&e, &in->x, in->b47, NE));
    ENC(mdp3_enc_snapshot53(&e, &in->s53, in->s53e, NE));
    ENC(mdp3_enc_def56(&e, &in->d56, in->ev, NE, in->ft, NE, in->at, NE, in->lt, NE, in->leg, NE));
#undef ENC
    cr_assert(eq(int, k, N_TEMPLATES + 1));
    return mdp3_enc_len(&e);
}

/* 1 if got holds want's n wire bytes and the decoder's NUL after them. */
static int wire_str_same(const char *got, const char *want, size_t n)
{
    return !memcmp(got, want, n) && got[n] == '\0';
}

/* Field by field, decoded (got) against the encoder's input (want): integers
 * compared as their 64-bit patterns, char[n] fields on their n wire bytes and
 * the decoder's NUL after them. */
#define SAME(f) cr_assert(eq(u64, (uint64_t)got->f, (uint64_t)want->f), "%s: " #f, what)
#define SAME_STR(f)                                                                                \
    cr_assert(eq(int, wire_str_same(got->f, want->f, sizeof got->f - 1), 1), "%s: " #f, what)
#define SAME_DEC64(f)                                                                              \
    do {                                                                                           \
        SAME(f.mantissa);                                                                          \
        SAME(f.exponent);                                                                          \
    } while (0)

/* One row of a template's table compared as its kind is: strings by their wire
 * bytes, every other kind by value (templates 47, 53 and 56 are compared so). */
#define SAME_ROW(m_, key, off, n, kind, since) SAME_K_##kind(m_);
#define SAME_K_STR(f) SAME_STR(f);
#define SAME_K_U8(f) SAME(f)
#define SAME_K_U8N(f) SAME(f)
#define SAME_K_HEX8(f) SAME(f)
#define SAME_K_I8(f) SAME(f)
#define SAME_K_I8N(f) SAME(f)
#define SAME_K_CH(f) SAME(f)
#define SAME_K_U16N(f) SAME(f)
#define SAME_K_DATE(f) SAME(f)
#define SAME_K_I16(f) SAME(f)
#define SAME_K_U32(f) SAME(f)
#define SAME_K_U32N(f) SAME(f)
#define SAME_K_I32(f) SAME(f)
#define SAME_K_I32N(f) SAME(f)
#define SAME_K_QTY4(f) SAME(f)
#define SAME_K_U64(f) SAME(f)
#define SAME_K_U64N(f) SAME(f)
#define SAME_K_NS(f) SAME(f)
#define SAME_K_PX(f) SAME(f)

static void same_b47(const struct mdp3_orderbook47_entry *got,
                     const struct mdp3_orderbook47_entry *want, const char *what)
{
    MDP3_ORDERBOOK47_ENTRY(SAME_ROW)
}

static void same_s53(const struct mdp3_snapshot53 *got, const struct mdp3_snapshot53 *want,
                     const char *what)
{
    MDP3_SNAPSHOT53_ROOT(SAME_ROW)
}

static void same_s53e(const struct mdp3_snapshot53_entry *got,
                      const struct mdp3_snapshot53_entry *want, const char *what)
{
    MDP3_SNAPSHOT53_ENTRY(SAME_ROW)
}

static void same_d56(const struct mdp3_def56 *got, const struct mdp3_def56 *want, const char *what)
{
    MDP3_DEF56_ROOT(SAME_ROW)
}

static void same_leg(const struct mdp3_def56_leg *got, const struct mdp3_def56_leg *want,
                     const char *what)
{
    MDP3_LEG(SAME_ROW)
}

static void same_incr(const struct mdp3_incr *got, const struct mdp3_incr *want, const char *what)
{
    SAME(transact_time_ns);
    SAME(mei);
}

static void same_v37(const struct mdp3_volume37_entry *got, const struct mdp3_volume37_entry *want,
                     const char *what)
{
    SAME(size);
    SAME(security_id);
    SAME(rpt_seq);
    SAME(update_action);
}

static void same_b46(const struct mdp3_book46_entry *got, const struct mdp3_book46_entry *want,
                     const char *what)
{
    SAME(px);
    SAME(size);
    SAME(security_id);
    SAME(rpt_seq);
    SAME(n_orders);
    SAME(price_level);
    SAME(update_action);
    SAME(entry_type);
    SAME(tradeable_size); /* the encoder writes v13, which has it */
}

static void same_b46o(const struct mdp3_book46_order *got, const struct mdp3_book46_order *want,
                      const char *what)
{
    SAME(order_id);
    SAME(priority);
    SAME(display_qty);
    SAME(reference_id);
    SAME(order_update_action);
}

static void same_t48(const struct mdp3_trade48_entry *got, const struct mdp3_trade48_entry *want,
                     const char *what)
{
    SAME(px);
    SAME(size);
    SAME(security_id);
    SAME(rpt_seq);
    SAME(n_orders);
    SAME(aggressor_side);
    SAME(update_action);
    SAME(trade_entry_id);
}

static void same_t48o(const struct mdp3_trade48_order *got, const struct mdp3_trade48_order *want,
                      const char *what)
{
    SAME(order_id);
    SAME(last_qty);
}

static void same_d49(const struct mdp3_daily49_entry *got, const struct mdp3_daily49_entry *want,
                     const char *what)
{
    SAME(px);
    SAME(size);
    SAME(security_id);
    SAME(rpt_seq);
    SAME(trading_ref_date);
    SAME(settl_price_type);
    SAME(update_action);
    SAME(entry_type);
}

static void same_l50(const struct mdp3_limits50_entry *got, const struct mdp3_limits50_entry *want,
                     const char *what)
{
    SAME(high_limit_px);
    SAME(low_limit_px);
    SAME(max_price_variation_px);
    SAME(security_id);
    SAME(rpt_seq);
}

static void same_s51(const struct mdp3_session51_entry *got,
                     const struct mdp3_session51_entry *want, const char *what)
{
    SAME(px);
    SAME(security_id);
    SAME(rpt_seq);
    SAME(open_close_settl_flag);
    SAME(update_action);
    SAME(entry_type);
    SAME(size);
}

static void same_s52(const struct mdp3_snapshot52 *got, const struct mdp3_snapshot52 *want,
                     const char *what)
{
    SAME(last_msg_seq_num_processed);
    SAME(tot_num_reports);
    SAME(security_id);
    SAME(rpt_seq);
    SAME(transact_time_ns);
    SAME(last_update_time_ns);
    SAME(trade_date);
    SAME(trading_status);
    SAME(high_limit_px);
    SAME(low_limit_px);
    SAME(max_price_variation_px);
}

static void same_s52e(const struct mdp3_snapshot52_entry *got,
                      const struct mdp3_snapshot52_entry *want, const char *what)
{
    SAME(px);
    SAME(size);
    SAME(n_orders);
    SAME(price_level);
    SAME(trading_ref_date);
    SAME(open_close_settl_flag);
    SAME(settl_price_type);
    SAME(entry_type);
}

static void same_d54(const struct mdp3_def54 *got, const struct mdp3_def54 *want, const char *what)
{
    SAME(mei);
    SAME(tot_num_reports);
    SAME(security_update_action);
    SAME(last_update_time_ns);
    SAME(trading_status);
    SAME(appl_id);
    SAME(market_segment_id);
    SAME(underlying_product);
    SAME_STR(security_exchange);
    SAME_STR(security_group);
    SAME_STR(asset);
    SAME_STR(symbol);
    SAME(security_id);
    SAME_STR(security_type);
    SAME_STR(cfi_code);
    SAME(maturity_year);
    SAME(maturity_month);
    SAME(maturity_day);
    SAME(maturity_week);
    SAME_STR(currency);
    SAME_STR(settl_currency);
    SAME(match_algorithm);
    SAME(min_trade_vol);
    SAME(max_trade_vol);
    SAME(min_price_increment_px);
    SAME(display_factor);
    SAME(main_fraction);
    SAME(sub_fraction);
    SAME(price_display_format);
    SAME_STR(unit_of_measure);
    SAME(unit_of_measure_qty);
    SAME(trading_ref_px);
    SAME(settl_price_type);
    SAME(open_interest_qty);
    SAME(cleared_volume);
    SAME(high_limit_px);
    SAME(low_limit_px);
    SAME(max_price_variation_px);
    SAME(decay_quantity);
    SAME(decay_start_date);
    SAME(original_contract_size);
    SAME(contract_multiplier);
    SAME(contract_multiplier_unit);
    SAME(flow_schedule_type);
    SAME(min_price_increment_amount_px);
    SAME(user_defined_instrument);
    SAME(trading_ref_date);
    SAME(instrument_guid); /* v13 has it */
}

static void same_event(const struct mdp3_def54_event *got, const struct mdp3_def54_event *want,
                       const char *what)
{
    SAME(event_type);
    SAME(event_time_ns);
}

static void same_d347(const struct mdp3_def347 *got, const struct mdp3_def347 *want,
                      const char *what)
{
    SAME_STR(symbol);
    SAME(product);
    SAME_STR(security_exchange);
    SAME_STR(currency);
    SAME(security_update_action);
    SAME_STR(md_feed_type);
    SAME(appl_id); /* the encoder writes v9, which has it */
}

static void same_i348(const struct mdp3_idx348 *got, const struct mdp3_idx348 *want,
                      const char *what)
{
    SAME(transact_time_ns);
    SAME_STR(md_feed_type);
    SAME(mei);
    SAME(batch_total_messages);
}

static void same_i348e(const struct mdp3_idx348_entry *got, const struct mdp3_idx348_entry *want,
                       const char *what)
{
    SAME(entry_type);
    SAME(rpt_seq);
    SAME_DEC64(px);
    SAME(size);
    SAME_STR(symbol);
    SAME(open_close_settl_flag);
    SAME_STR(yield_type);
    SAME_DEC64(yield);
    SAME_DEC64(net_chg_prev_day);
    SAME_DEC64(net_pct_chg);
    SAME_DEC64(percent_trading);
    SAME(entry_code);
    SAME(entry_date);
    SAME(entry_time);
    SAME_STR(reference_id);
}

/* Checks that a group holds NE entries and compares each, read with its
 * accessor, against want[i]. */
#define SAME_GROUP(grp, acc, m, want, cmp, name)                                                   \
    do {                                                                                           \
        cr_assert(eq(u16, (m)->grp.n, NE), "%s: n", name);                                         \
        for (size_t i_ = 0; i_ < NE; i_++) {                                                       \
            __typeof__((want)[0]) got_;                                                            \
            char what_[64];                                                                        \
            acc(m, i_, &got_);                                                                     \
            snprintf(what_, sizeof what_, "%s %zu", name, i_);                                     \
            cmp(&got_, &(want)[i_], what_);                                                        \
        }                                                                                          \
    } while (0)

/* Encodes every template from pattern-filled inputs into one packet, then
 * decodes each message, compares every decoded field with the encoder's input
 * (so a field that encoder and decoder both drop or cut short is seen), and
 * re-encodes from the decoded structs: the second packet must be byte-identical.
 * A swap of two offsets made in both encoder and decoder round-trips; the
 * golden tests above, laid out from the schema, catch that. */
static void round_trip(int pat)
{
    static struct every_in in;
    static uint8_t a[8192], b[8192];
    fill(&in, sizeof in, pat);
    size_t bounds[N_TEMPLATES + 1];
    size_t len = every_template(a, sizeof a, &in, bounds);

    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    struct mdp3_enc eb;
    cr_assert(eq(int, mdp3_pkt_init(&pkt, a, len), GT_OK));
    cr_assert(eq(u32, pkt.seq, in.seq));
    cr_assert(eq(u64, pkt.sending_time_ns, in.sending_time_ns));
    mdp3_enc_init(&eb, b, sizeof b, pkt.seq, pkt.sending_time_ns);
    int n = 0, rc;
    while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0) {
        cr_assert(eq(sz, msg.off, bounds[n]));
        n++;
        switch (msg.template_id) {
        case MDP3_T_CHANNEL_RESET4: {
            struct mdp3_reset4 m;
            struct mdp3_reset4_entry e[NE];
            cr_assert(eq(int, mdp3_reset4_decode(&msg, &m), GT_OK));
            cr_assert(eq(u64, m.transact_time_ns, in.r4.transact_time_ns));
            cr_assert(eq(u8, m.mei, in.r4.mei));
            cr_assert(eq(u16, m.entries.n, NE));
            for (size_t i = 0; i < NE; i++) {
                mdp3_reset4_entry(&m, i, &e[i]);
                cr_assert(eq(i16, e[i].appl_id, in.r4e[i].appl_id));
            }
            cr_assert(eq(int, mdp3_enc_reset4(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_ADMIN_HEARTBEAT12:
            cr_assert(eq(sz, msg.body_len, 0));
            cr_assert(eq(int, mdp3_enc_heartbeat12(&eb), GT_OK));
            break;
        case MDP3_T_SECURITY_STATUS30: {
            struct mdp3_status30 m, *got = &m;
            const struct mdp3_status30 *want = &in.s30;
            const char *what = "status30";
            cr_assert(eq(int, mdp3_status30_decode(&msg, &m), GT_OK));
            SAME(transact_time_ns);
            SAME_STR(security_group);
            SAME_STR(asset);
            SAME(security_id);
            SAME(trade_date);
            SAME(mei);
            SAME(trading_status);
            SAME(halt_reason);
            SAME(trading_event);
            cr_assert(eq(int, mdp3_enc_status30(&eb, &m), GT_OK));
            break;
        }
        case MDP3_T_VOLUME37: {
            struct mdp3_incr m;
            struct mdp3_volume37_entry e[NE];
            cr_assert(eq(int, mdp3_volume37_decode(&msg, &m), GT_OK));
            same_incr(&m, &in.x, "volume37");
            SAME_GROUP(entries, mdp3_volume37_entry, &m, in.v37, same_v37, "volume37 entry");
            for (size_t i = 0; i < NE; i++)
                mdp3_volume37_entry(&m, i, &e[i]);
            cr_assert(eq(int, mdp3_enc_volume37(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_BOOK46: {
            struct mdp3_incr m;
            struct mdp3_book46_entry e[NE];
            struct mdp3_book46_order o[NE];
            cr_assert(eq(int, mdp3_book46_decode(&msg, &m), GT_OK));
            same_incr(&m, &in.x, "book46");
            SAME_GROUP(entries, mdp3_book46_entry, &m, in.b46, same_b46, "book46 entry");
            SAME_GROUP(orders, mdp3_book46_order, &m, in.b46o, same_b46o, "book46 order");
            for (size_t i = 0; i < NE; i++) {
                mdp3_book46_entry(&m, i, &e[i]);
                mdp3_book46_order(&m, i, &o[i]);
            }
            cr_assert(eq(int, mdp3_enc_book46(&eb, &m, e, NE, o, NE), GT_OK));
            break;
        }
        case MDP3_T_TRADE_SUMMARY48: {
            struct mdp3_incr m;
            struct mdp3_trade48_entry e[NE];
            struct mdp3_trade48_order o[NE];
            cr_assert(eq(int, mdp3_trade48_decode(&msg, &m), GT_OK));
            same_incr(&m, &in.x, "trade48");
            SAME_GROUP(entries, mdp3_trade48_entry, &m, in.t48, same_t48, "trade48 entry");
            SAME_GROUP(orders, mdp3_trade48_order, &m, in.t48o, same_t48o, "trade48 order");
            for (size_t i = 0; i < NE; i++) {
                mdp3_trade48_entry(&m, i, &e[i]);
                mdp3_trade48_order(&m, i, &o[i]);
            }
            cr_assert(eq(int, mdp3_enc_trade48(&eb, &m, e, NE, o, NE), GT_OK));
            break;
        }
        case MDP3_T_DAILY_STATISTICS49: {
            struct mdp3_incr m;
            struct mdp3_daily49_entry e[NE];
            cr_assert(eq(int, mdp3_daily49_decode(&msg, &m), GT_OK));
            same_incr(&m, &in.x, "daily49");
            SAME_GROUP(entries, mdp3_daily49_entry, &m, in.d49, same_d49, "daily49 entry");
            for (size_t i = 0; i < NE; i++)
                mdp3_daily49_entry(&m, i, &e[i]);
            cr_assert(eq(int, mdp3_enc_daily49(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_LIMITS_BANDING50: {
            struct mdp3_incr m;
            struct mdp3_limits50_entry e[NE];
            cr_assert(eq(int, mdp3_limits50_decode(&msg, &m), GT_OK));
            same_incr(&m, &in.x, "limits50");
            SAME_GROUP(entries, mdp3_limits50_entry, &m, in.l50, same_l50, "limits50 entry");
            for (size_t i = 0; i < NE; i++)
                mdp3_limits50_entry(&m, i, &e[i]);
            cr_assert(eq(int, mdp3_enc_limits50(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_SESSION_STATISTICS51: {
            struct mdp3_incr m;
            struct mdp3_session51_entry e[NE];
            cr_assert(eq(int, mdp3_session51_decode(&msg, &m), GT_OK));
            same_incr(&m, &in.x, "session51");
            SAME_GROUP(entries, mdp3_session51_entry, &m, in.s51, same_s51, "session51 entry");
            for (size_t i = 0; i < NE; i++)
                mdp3_session51_entry(&m, i, &e[i]);
            cr_assert(eq(int, mdp3_enc_session51(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_SNAPSHOT52: {
            struct mdp3_snapshot52 m;
            struct mdp3_snapshot52_entry e[NE];
            cr_assert(eq(int, mdp3_snapshot52_decode(&msg, &m), GT_OK));
            same_s52(&m, &in.s52, "snapshot52");
            SAME_GROUP(entries, mdp3_snapshot52_entry, &m, in.s52e, same_s52e, "snapshot52 entry");
            for (size_t i = 0; i < NE; i++)
                mdp3_snapshot52_entry(&m, i, &e[i]);
            cr_assert(eq(int, mdp3_enc_snapshot52(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_DEFINITION_FUTURE54: {
            struct mdp3_def54 m;
            struct mdp3_def54_event ev[NE];
            struct mdp3_def54_feed_type ft[NE];
            uint32_t at[NE];
            struct mdp3_def54_lot_type_rule lt[NE];
            cr_assert(eq(int, mdp3_def54_decode(&msg, &m), GT_OK));
            same_d54(&m, &in.d54, "def54");
            cr_assert(eq(u16, m.events.n, NE));
            cr_assert(eq(u16, m.feed_types.n, NE));
            cr_assert(eq(u16, m.inst_attribs.n, NE));
            cr_assert(eq(u16, m.lot_type_rules.n, NE));
            for (size_t i = 0; i < NE; i++) {
                mdp3_def54_event(&m, i, &ev[i]);
                same_event(&ev[i], &in.ev[i], "def54 event");
                mdp3_def54_feed_type(&m, i, &ft[i]);
                const struct mdp3_def54_feed_type *got = &ft[i], *want = &in.ft[i];
                const char *what = "def54 feed type";
                SAME_STR(md_feed_type);
                SAME(market_depth);
                at[i] = mdp3_def54_inst_attrib(&m, i);
                cr_assert(eq(u32, at[i], in.at[i]));
                mdp3_def54_lot_type_rule(&m, i, &lt[i]);
                cr_assert(eq(i8, lt[i].lot_type, in.lt[i].lot_type));
                cr_assert(eq(i32, lt[i].min_lot_size, in.lt[i].min_lot_size));
            }
            cr_assert(eq(int, mdp3_enc_def54(&eb, &m, ev, NE, ft, NE, at, NE, lt, NE), GT_OK));
            break;
        }
        case MDP3_T_DEFINITION_INDICES347: {
            struct mdp3_def347 m;
            struct mdp3_def347_inst_attrib a347[NE];
            struct mdp3_def54_event ev[NE];
            cr_assert(eq(int, mdp3_def347_decode(&msg, &m), GT_OK));
            same_d347(&m, &in.d347, "def347");
            cr_assert(eq(u16, m.inst_attribs.n, NE));
            SAME_GROUP(events, mdp3_def347_event, &m, in.ev, same_event, "def347 event");
            for (size_t i = 0; i < NE; i++) {
                mdp3_def347_inst_attrib(&m, i, &a347[i]);
                const struct mdp3_def347_inst_attrib *got = &a347[i], *want = &in.a347[i];
                const char *what = "def347 attrib";
                SAME(type);
                SAME_STR(value);
                mdp3_def347_event(&m, i, &ev[i]);
            }
            cr_assert(eq(int, mdp3_enc_def347(&eb, &m, a347, NE, ev, NE), GT_OK));
            break;
        }
        case MDP3_T_INDICES348: {
            struct mdp3_idx348 m;
            struct mdp3_idx348_entry e[NE];
            cr_assert(eq(int, mdp3_idx348_decode(&msg, &m), GT_OK));
            same_i348(&m, &in.i348, "idx348");
            SAME_GROUP(entries, mdp3_idx348_entry, &m, in.i348e, same_i348e, "idx348 entry");
            for (size_t i = 0; i < NE; i++)
                mdp3_idx348_entry(&m, i, &e[i]);
            cr_assert(eq(int, mdp3_enc_idx348(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_ORDER_BOOK47: {
            struct mdp3_incr m;
            struct mdp3_orderbook47_entry e[NE];
            cr_assert(eq(int, mdp3_orderbook47_decode(&msg, &m), GT_OK));
            same_incr(&m, &in.x, "orderbook47");
            SAME_GROUP(entries, mdp3_orderbook47_entry, &m, in.b47, same_b47, "orderbook47 entry");
            for (size_t i = 0; i < NE; i++)
                mdp3_orderbook47_entry(&m, i, &e[i]);
            cr_assert(eq(int, mdp3_enc_orderbook47(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_SNAPSHOT_ORDER_BOOK53: {
            struct mdp3_snapshot53 m;
            struct mdp3_snapshot53_entry e[NE];
            cr_assert(eq(int, mdp3_snapshot53_decode(&msg, &m), GT_OK));
            same_s53(&m, &in.s53, "snapshot53");
            SAME_GROUP(entries, mdp3_snapshot53_entry, &m, in.s53e, same_s53e, "snapshot53 entry");
            for (size_t i = 0; i < NE; i++)
                mdp3_snapshot53_entry(&m, i, &e[i]);
            cr_assert(eq(int, mdp3_enc_snapshot53(&eb, &m, e, NE), GT_OK));
            break;
        }
        case MDP3_T_DEFINITION_SPREAD56: {
            struct mdp3_def56 m;
            struct mdp3_def54_event ev[NE];
            struct mdp3_def54_feed_type ft[NE];
            uint32_t at[NE];
            struct mdp3_def54_lot_type_rule lt[NE];
            struct mdp3_def56_leg leg[NE];
            cr_assert(eq(int, mdp3_def56_decode(&msg, &m), GT_OK));
            same_d56(&m, &in.d56, "def56");
            SAME_GROUP(events, mdp3_def56_event, &m, in.ev, same_event, "def56 event");
            SAME_GROUP(legs, mdp3_def56_leg, &m, in.leg, same_leg, "def56 leg");
            for (size_t i = 0; i < NE; i++) {
                mdp3_def56_event(&m, i, &ev[i]);
                mdp3_def56_feed_type(&m, i, &ft[i]);
                at[i] = mdp3_def56_inst_attrib(&m, i);
                cr_assert(eq(u32, at[i], in.at[i]));
                mdp3_def56_lot_type_rule(&m, i, &lt[i]);
                mdp3_def56_leg(&m, i, &leg[i]);
            }
            cr_assert(
                eq(int, mdp3_enc_def56(&eb, &m, ev, NE, ft, NE, at, NE, lt, NE, leg, NE), GT_OK));
            break;
        }
        default:
            cr_assert(false, "unexpected template %u", msg.template_id);
        }
    }
    cr_assert(eq(int, rc, 0));
    cr_assert(eq(int, n, N_TEMPLATES));
    check_same(b, mdp3_enc_len(&eb), a, len);
}

Test(mdp3, every_template_round_trips_random_and_extreme_values_field_by_field)
{
    for (int pat = 1; pat <= 4; pat++)
        round_trip(pat);
    for (int i = 0; i < 50; i++)
        round_trip(0);
}

/* ---- hostile input -------------------------------------------------------- */

/* A packet of a Book46, a heartbeat and a Trade48. */
static size_t three_msgs(uint8_t *buf, size_t cap, size_t *bounds)
{
    struct mdp3_enc e;
    struct mdp3_incr x = {.transact_time_ns = TT, .mei = 0x80};
    struct mdp3_book46_entry be[2] = {{.px = PX, .security_id = 1, .entry_type = '0'},
                                      {.px = PX + 1, .security_id = 2, .entry_type = '1'}};
    struct mdp3_book46_order bo = {.order_id = 5};
    struct mdp3_trade48_entry te = {.px = PX, .size = 1};
    mdp3_enc_init(&e, buf, cap, 1, 2);
    bounds[0] = mdp3_enc_len(&e);
    mdp3_enc_book46(&e, &x, be, 2, &bo, 1);
    bounds[1] = mdp3_enc_len(&e);
    mdp3_enc_heartbeat12(&e);
    bounds[2] = mdp3_enc_len(&e);
    mdp3_enc_trade48(&e, &x, &te, 1, NULL, 0);
    bounds[3] = mdp3_enc_len(&e);
    return mdp3_enc_len(&e);
}

/* Decodes a message of any template the codec knows and reads every entry of
 * every group through the accessors (so ASan sees any read outside the
 * message); returns the decoder's code, GT_OK for a template without fields or
 * one not known here. */
static int decode_all(const struct mdp3_msg *msg)
{
    struct mdp3_incr x;
    int rc = GT_OK;
    if (msg->schema_id == MDP3_SCHEMA_INDICES) {
        if (msg->template_id == MDP3_T_DEFINITION_INDICES347) {
            struct mdp3_def347 m;
            struct mdp3_def347_inst_attrib a;
            struct mdp3_def54_event ev;
            if ((rc = mdp3_def347_decode(msg, &m)) == GT_OK) {
                for (size_t i = 0; i < m.inst_attribs.n; i++)
                    mdp3_def347_inst_attrib(&m, i, &a);
                for (size_t i = 0; i < m.events.n; i++)
                    mdp3_def347_event(&m, i, &ev);
            }
        } else if (msg->template_id == MDP3_T_INDICES348) {
            struct mdp3_idx348 m;
            struct mdp3_idx348_entry e;
            if ((rc = mdp3_idx348_decode(msg, &m)) == GT_OK)
                for (size_t i = 0; i < m.entries.n; i++)
                    mdp3_idx348_entry(&m, i, &e);
        }
        return rc;
    }
#define READ_ALL(grp, acc, type)                                                                   \
    for (size_t i = 0; i < (grp).n; i++) {                                                         \
        type e_;                                                                                   \
        acc(&x, i, &e_);                                                                           \
    }
    switch (msg->template_id) {
    case MDP3_T_CHANNEL_RESET4: {
        struct mdp3_reset4 m;
        struct mdp3_reset4_entry e;
        if ((rc = mdp3_reset4_decode(msg, &m)) == GT_OK)
            for (size_t i = 0; i < m.entries.n; i++)
                mdp3_reset4_entry(&m, i, &e);
        return rc;
    }
    case MDP3_T_SECURITY_STATUS30: {
        struct mdp3_status30 m;
        return mdp3_status30_decode(msg, &m);
    }
    case MDP3_T_VOLUME37:
        if ((rc = mdp3_volume37_decode(msg, &x)) == GT_OK)
            READ_ALL(x.entries, mdp3_volume37_entry, struct mdp3_volume37_entry);
        return rc;
    case MDP3_T_BOOK46:
        if ((rc = mdp3_book46_decode(msg, &x)) == GT_OK) {
            READ_ALL(x.entries, mdp3_book46_entry, struct mdp3_book46_entry);
            READ_ALL(x.orders, mdp3_book46_order, struct mdp3_book46_order);
        }
        return rc;
    case MDP3_T_TRADE_SUMMARY48:
        if ((rc = mdp3_trade48_decode(msg, &x)) == GT_OK) {
            READ_ALL(x.entries, mdp3_trade48_entry, struct mdp3_trade48_entry);
            READ_ALL(x.orders, mdp3_trade48_order, struct mdp3_trade48_order);
        }
        return rc;
    case MDP3_T_DAILY_STATISTICS49:
        if ((rc = mdp3_daily49_decode(msg, &x)) == GT_OK)
            READ_ALL(x.entries, mdp3_daily49_entry, struct mdp3_daily49_entry);
        return rc;
    case MDP3_T_LIMITS_BANDING50:
        if ((rc = mdp3_limits50_decode(msg, &x)) == GT_OK)
            READ_ALL(x.entries, mdp3_limits50_entry, struct mdp3_limits50_entry);
        return rc;
    case MDP3_T_SESSION_STATISTICS51:
        if ((rc = mdp3_session51_decode(msg, &x)) == GT_OK)
            READ_ALL(x.entries, mdp3_session51_entry, struct mdp3_session51_entry);
        return rc;
    case MDP3_T_SNAPSHOT52: {
        struct mdp3_snapshot52 m;
        struct mdp3_snapshot52_entry e;
        if ((rc = mdp3_snapshot52_decode(msg, &m)) == GT_OK)
            for (size_t i = 0; i < m.entries.n; i++)
                mdp3_snapshot52_entry(&m, i, &e);
        return rc;
    }
    case MDP3_T_DEFINITION_FUTURE54: {
        struct mdp3_def54 m;
        struct mdp3_def54_event ev;
        struct mdp3_def54_feed_type ft;
        struct mdp3_def54_lot_type_rule lt;
        if ((rc = mdp3_def54_decode(msg, &m)) == GT_OK) {
            for (size_t i = 0; i < m.events.n; i++)
                mdp3_def54_event(&m, i, &ev);
            for (size_t i = 0; i < m.feed_types.n; i++)
                mdp3_def54_feed_type(&m, i, &ft);
            for (size_t i = 0; i < m.inst_attribs.n; i++)
                (void)mdp3_def54_inst_attrib(&m, i);
            for (size_t i = 0; i < m.lot_type_rules.n; i++)
                mdp3_def54_lot_type_rule(&m, i, &lt);
        }
        return rc;
    }
    case MDP3_T_ORDER_BOOK47:
        if ((rc = mdp3_orderbook47_decode(msg, &x)) == GT_OK)
            READ_ALL(x.entries, mdp3_orderbook47_entry, struct mdp3_orderbook47_entry);
        return rc;
    case MDP3_T_SNAPSHOT_ORDER_BOOK53: {
        struct mdp3_snapshot53 m;
        struct mdp3_snapshot53_entry e;
        if ((rc = mdp3_snapshot53_decode(msg, &m)) == GT_OK)
            for (size_t i = 0; i < m.entries.n; i++)
                mdp3_snapshot53_entry(&m, i, &e);
        return rc;
    }
    case MDP3_T_DEFINITION_SPREAD56: {
        struct mdp3_def56 m;
        struct mdp3_def54_event ev;
        struct mdp3_def54_feed_type ft;
        struct mdp3_def54_lot_type_rule lt;
        struct mdp3_def56_leg leg;
        if ((rc = mdp3_def56_decode(msg, &m)) == GT_OK) {
            for (size_t i = 0; i < m.events.n; i++)
                mdp3_def56_event(&m, i, &ev);
            for (size_t i = 0; i < m.feed_types.n; i++)
                mdp3_def56_feed_type(&m, i, &ft);
            for (size_t i = 0; i < m.inst_attribs.n; i++)
                (void)mdp3_def56_inst_attrib(&m, i);
            for (size_t i = 0; i < m.lot_type_rules.n; i++)
                mdp3_def56_lot_type_rule(&m, i, &lt);
            for (size_t i = 0; i < m.legs.n; i++)
                mdp3_def56_leg(&m, i, &leg);
        }
        return rc;
    }
    }
#undef READ_ALL
    return GT_OK;
}

/* Cuts the packet full[0..len) at every byte into an exact-size heap copy (so
 * ASan sees any read past the cut): below the packet header init fails; else the
 * messages before the cut frame and decode whole, and a cut on a message boundary
 * (bounds[0..nb)) ends cleanly while any other gives a sticky GT_ETRUNC at the
 * start of the message it cuts. */
static void cut_everywhere(const uint8_t *full, size_t len, const size_t *bounds, size_t nb)
{
    for (size_t cut = 0; cut <= len; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, full, cut);
        struct mdp3_pkt pkt;
        struct mdp3_msg msg;
        int rc = mdp3_pkt_init(&pkt, p, cut), n = 0;
        if (cut < MDP3_PKT_HDR_LEN) {
            cr_assert(eq(int, rc, GT_ETRUNC));
            free(p);
            continue;
        }
        while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0) {
            cr_assert(le(sz, msg.off + msg.len, cut));
            cr_assert(eq(sz, msg.off, bounds[n]), "cut %zu", cut);
            cr_assert(eq(int, decode_all(&msg), GT_OK), "cut %zu, template %u", cut,
                      msg.template_id);
            n++;
        }
        bool on_boundary = false;
        for (size_t k = 0; k < nb; k++)
            on_boundary |= cut == bounds[k];
        if (on_boundary) {
            cr_assert(eq(int, rc, 0), "cut %zu", cut);
        } else {
            cr_assert(eq(int, rc, GT_ETRUNC), "cut %zu", cut);
            cr_assert(eq(sz, pkt.err_off, bounds[n]), "cut %zu", cut);
            cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), GT_ETRUNC), "errors are sticky");
        }
        free(p);
    }
}

Test(mdp3, truncation_at_every_byte_fails_or_stops_at_a_message_boundary)
{
    uint8_t full[512];
    size_t bounds[4];
    size_t len = three_msgs(full, sizeof full, bounds);
    cut_everywhere(full, len, bounds, 4);
}

Test(mdp3, a_packet_of_every_template_cut_at_every_byte_errs_and_reads_nothing_past_the_cut)
{
    static struct every_in in;
    static uint8_t full[8192];
    size_t bounds[N_TEMPLATES + 1];
    for (int pat = 0; pat <= 2; pat++) {
        fill(&in, sizeof in, pat);
        size_t len = every_template(full, sizeof full, &in, bounds);
        cut_everywhere(full, len, bounds, N_TEMPLATES + 1);
    }
}

Test(mdp3, every_template_with_its_msgsize_cut_short_is_refused_within_the_cut)
{
    static struct every_in in;
    static uint8_t full[8192];
    size_t bounds[N_TEMPLATES + 1];
    fill(&in, sizeof in, 0);
    every_template(full, sizeof full, &in, bounds);
    for (int k = 0; k < N_TEMPLATES; k++) {
        size_t msg_len = bounds[k + 1] - bounds[k];
        /* The message alone in a packet, MsgSize and the datagram both short. */
        for (size_t size = MDP3_MSG_HDR_LEN; size <= msg_len; size++) {
            size_t len = MDP3_PKT_HDR_LEN + size;
            uint8_t *p = malloc(len);
            memcpy(p, full, MDP3_PKT_HDR_LEN);
            memcpy(p + MDP3_PKT_HDR_LEN, full + bounds[k], size);
            st_le16(p + MDP3_PKT_HDR_LEN, (uint16_t)size);
            struct mdp3_pkt pkt;
            struct mdp3_msg msg;
            mdp3_pkt_init(&pkt, p, len);
            int rc = mdp3_pkt_next(&pkt, &msg);
            if (rc > 0)
                rc = decode_all(&msg);
            if (size == msg_len)
                cr_assert(eq(int, rc, GT_OK), "message %d whole", k);
            else
                cr_assert(lt(int, rc, 0), "message %d (template %u) with MsgSize %zu of %zu", k,
                          ld_le16(full + bounds[k] + 4), size, msg_len);
            free(p);
        }
    }
}

Test(mdp3, bad_framing_gives_error_codes_with_offsets)
{
    uint8_t p[512];
    size_t bounds[4];
    size_t len = three_msgs(p, sizeof p, bounds);
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;

    st_le16(p + bounds[1], 0); /* MsgSize 0 on the heartbeat */
    mdp3_pkt_init(&pkt, p, len);
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), 1));
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), GT_EBADMSG));
    cr_assert(eq(sz, pkt.err_off, bounds[1]));

    st_le16(p + bounds[1], 9); /* shorter than its own header */
    mdp3_pkt_init(&pkt, p, len);
    mdp3_pkt_next(&pkt, &msg);
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), GT_EBADMSG));

    st_le16(p + bounds[1], 2000); /* past the end */
    mdp3_pkt_init(&pkt, p, len);
    mdp3_pkt_next(&pkt, &msg);
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), GT_ETRUNC));
    cr_assert(eq(sz, pkt.err_off, bounds[1]));

    len = three_msgs(p, sizeof p, bounds);
    st_le16(p + bounds[1] + 2, 1); /* heartbeat blockLength past MsgSize */
    mdp3_pkt_init(&pkt, p, len);
    mdp3_pkt_next(&pkt, &msg);
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), GT_EBADMSG));
    cr_assert(eq(sz, pkt.err_off, bounds[1]));
}

Test(mdp3, short_blocks_and_groups_past_the_message_are_refused)
{
    uint8_t p[512];
    size_t bounds[4];
    size_t len = three_msgs(p, sizeof p, bounds);
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    struct mdp3_incr x;

    st_le16(p + 12 + 2, 8); /* Book46 root block 8 < 9 */
    mdp3_pkt_init(&pkt, p, len);
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), 1));
    cr_assert(eq(int, mdp3_book46_decode(&msg, &x), GT_EBADMSG));

    len = three_msgs(p, sizeof p, bounds);
    st_le16(p + 12 + 10 + 11, 26); /* entry blockLength 26 < 27 */
    mdp3_pkt_init(&pkt, p, len);
    mdp3_pkt_next(&pkt, &msg);
    cr_assert(eq(int, mdp3_book46_decode(&msg, &x), GT_EBADMSG));

    len = three_msgs(p, sizeof p, bounds);
    p[12 + 10 + 11 + 2] = 3; /* 3 entries x 32 run past the message */
    mdp3_pkt_init(&pkt, p, len);
    mdp3_pkt_next(&pkt, &msg);
    cr_assert(eq(int, mdp3_book46_decode(&msg, &x), GT_ETRUNC));

    len = three_msgs(p, sizeof p, bounds);
    st_le16(p + 12 + 6, 2); /* foreign schema: framed, but not a Book46 */
    mdp3_pkt_init(&pkt, p, len);
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg), 1));
    cr_assert(eq(u16, msg.schema_id, 2));
    cr_assert(eq(int, mdp3_book46_decode(&msg, &x), GT_EINVAL));
    cr_assert(eq(int, mdp3_trade48_decode(&msg, &x), GT_EINVAL));
}

Test(mdp3, unknown_template_is_framed_and_skipped)
{
    uint8_t p[512];
    size_t bounds[4];
    size_t len = three_msgs(p, sizeof p, bounds);
    st_le16(p + bounds[1] + 4, 999);
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    mdp3_pkt_init(&pkt, p, len);
    uint16_t seen[3];
    int n = 0;
    while (mdp3_pkt_next(&pkt, &msg) > 0 && n < 3)
        seen[n++] = msg.template_id;
    cr_assert(eq(int, n, 3));
    cr_assert(eq(u16, seen[1], 999));
    cr_assert(eq(u16, seen[2], 48));
    cr_assert(mdp3_template_name(1, 999) == NULL);
}

Test(mdp3, encoder_reports_a_full_buffer_and_leaves_the_packet_intact)
{
    uint8_t buf[110];
    struct mdp3_enc e;
    struct mdp3_incr x = {0};
    struct mdp3_book46_entry be[3] = {{0}};
    cr_assert(eq(int, mdp3_enc_init(&e, buf, 11, 1, 2), GT_ETRUNC));
    mdp3_enc_init(&e, buf, sizeof buf, 1, 2);
    cr_assert(eq(int, mdp3_enc_book46(&e, &x, be, 2, NULL, 0), GT_OK)); /* 12 + 96 bytes */
    size_t len = mdp3_enc_len(&e);
    cr_assert(eq(int, mdp3_enc_heartbeat12(&e), GT_ETRUNC));
    cr_assert(eq(sz, mdp3_enc_len(&e), len));
    static struct mdp3_book46_entry many[256];
    static uint8_t big[16384];
    mdp3_enc_init(&e, big, sizeof big, 1, 2);
    cr_assert(eq(int, mdp3_enc_book46(&e, &x, many, 256, NULL, 0), GT_EINVAL));
}

/* CME's worked example ("MDP 3.0 - SBE Decoding Example"), laid out by hand from the
 * v9 schema offsets; the same bytes as ../shared/mdp3/samples/cme_wiki_example. */
/* clang-format off */
static const uint8_t golden_limits50[] = {
    0xA6, 0xBB, 0x0A, 0x00,                         /* MsgSeqNum 703398 */
    0x5B, 0x19, 0x01, 0x72, 0x1E, 0xEF, 0xA9, 0x16, /* SendingTime */
    0x38, 0x00,                                     /* MsgSize 56 */
    0x0B, 0x00, 0x32, 0x00, 0x01, 0x00, 0x09, 0x00, /* blockLength 11, template 50, schema 1, v9 */
    0x4B, 0x52, 0xE8, 0x71, 0x1E, 0xEF, 0xA9, 0x16, /* TransactTime 2021-10-01 14:40:53.937623627 */
    0x00, 0x00, 0x00,                               /* MEI 0, padding */
    0x20, 0x00, 0x01,                               /* NoMDEntries: 32, 1 */
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, /* 0 HighLimitPrice null */
    0x00, 0x90, 0xCD, 0x79, 0x2F, 0x08, 0x00, 0x00, /* 8 LowLimitPrice 9000 */
    0x00, 0xE4, 0x0B, 0x54, 0x02, 0x00, 0x00, 0x00, /* 16 MaxPriceVariation 10 */
    0xF4, 0x15, 0x00, 0x00,                         /* 24 SecurityID 5620 */
    0x4D, 0x07, 0x00, 0x00,                         /* 28 RptSeq 1869 */
};
/* clang-format on */

Test(mdp3, golden_limits50_worked_example_decodes_every_field)
{
    struct mdp3_msg msg;
    frame_one(golden_limits50, sizeof golden_limits50, &msg);
    cr_assert(eq(u16, msg.version, 9));
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_limits50_decode(&msg, &m), GT_OK));
    cr_assert(eq(u64, m.transact_time_ns, 0x16A9EF1E71E8524Bull));
    cr_assert(eq(u8, m.mei, 0));
    cr_assert(eq(u16, m.entries.n, 1));
    struct mdp3_limits50_entry e;
    mdp3_limits50_entry(&m, 0, &e);
    cr_assert(eq(i64, e.high_limit_px, MDP3_PX_NULL));
    cr_assert(eq(i64, e.low_limit_px, 9000000000000));
    cr_assert(eq(i64, e.max_price_variation_px, 10000000000));
    cr_assert(eq(i32, e.security_id, 5620));
    cr_assert(eq(u32, e.rpt_seq, 1869));
    /* A group block shorter than RptSeq's end is refused. */
    uint8_t bad[sizeof golden_limits50];
    memcpy(bad, golden_limits50, sizeof bad);
    bad[33] = 31;
    frame_one(bad, sizeof bad, &msg);
    cr_assert(eq(int, mdp3_limits50_decode(&msg, &m), GT_EBADMSG));
}

/* golden_book46 as a future version 14 might send it: 4 more root bytes, 4 more
 * bytes per entry and per order, and a new group after the known ones. Offsets
 * of golden_book46: message at 12, root 22..33, NoMDEntries dim 33, entries 36
 * (2 x 32), NoOrderIDEntries dim 100, order 108 (24), end 132. */
static size_t book46_v14(uint8_t *out)
{
    const uint8_t *g = golden_book46;
    size_t n = 0;
    memcpy(out, g, 22); /* packet header, MsgSize, SBE header */
    n = 22;
    memcpy(out + n, g + 22, 11), n += 11;
    memset(out + n, 0xEE, 4), n += 4; /* root fields we do not know */
    memcpy(out + n, g + 33, 3), n += 3;
    st_le16(out + n - 3, 36);
    for (int i = 0; i < 2; i++) {
        memcpy(out + n, g + 36 + 32 * i, 32), n += 32;
        memset(out + n, 0xEE, 4), n += 4;
    }
    memcpy(out + n, g + 100, 8), n += 8;
    st_le16(out + n - 8, 28);
    memcpy(out + n, g + 108, 24), n += 24;
    memset(out + n, 0xEE, 4), n += 4;
    const uint8_t extra[] = {5, 0, 1, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE}; /* a new group: 1 x 5 */
    memcpy(out + n, extra, sizeof extra), n += sizeof extra;
    st_le16(out + 12, (uint16_t)(n - 12));  /* MsgSize */
    st_le16(out + 12 + 2, 15);              /* blockLength */
    st_le16(out + 12 + 8, 14);              /* version */
    memcpy(out + n, g + 12, 120), n += 120; /* then the v13 message again */
    return n;
}

Test(mdp3, newer_version_longer_blocks_and_extra_groups_are_skipped_by_their_lengths)
{
    uint8_t p[512];
    size_t len = book46_v14(p);
    struct mdp3_pkt pkt;
    struct mdp3_msg msg[2];
    mdp3_pkt_init(&pkt, p, len);
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg[0]), 1));
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg[1]), 1), "the next message frames");
    cr_assert(eq(int, mdp3_pkt_next(&pkt, &msg[1]), 0));
    mdp3_pkt_init(&pkt, p, len);
    mdp3_pkt_next(&pkt, &msg[0]);
    mdp3_pkt_next(&pkt, &msg[1]);
    cr_assert(eq(u16, msg[0].version, 14));
    struct mdp3_incr m[2];
    for (int k = 0; k < 2; k++)
        cr_assert(eq(int, mdp3_book46_decode(&msg[k], &m[k]), GT_OK));
    cr_assert(eq(u64, m[0].transact_time_ns, TT));
    cr_assert(eq(u8, m[0].mei, m[1].mei));
    cr_assert(eq(u16, m[0].entries.n, 2));
    cr_assert(eq(u16, m[0].entries.block_len, 36));
    cr_assert(eq(u16, m[0].orders.n, 1));
    for (size_t i = 0; i < 2; i++) {
        struct mdp3_book46_entry a, b;
        mdp3_book46_entry(&m[0], i, &a);
        mdp3_book46_entry(&m[1], i, &b);
        cr_assert(eq(i64, a.px, b.px));
        cr_assert(eq(i32, a.size, b.size));
        cr_assert(eq(u32, a.rpt_seq, b.rpt_seq));
        cr_assert(eq(i32, a.n_orders, b.n_orders));
        cr_assert(eq(u8, a.price_level, b.price_level));
        cr_assert(eq(chr, a.entry_type, b.entry_type));
        cr_assert(eq(i32, a.tradeable_size, b.tradeable_size), "v14 holds TradeableSize");
    }
    struct mdp3_book46_order a, b;
    mdp3_book46_order(&m[0], 0, &a);
    mdp3_book46_order(&m[1], 0, &b);
    cr_assert(eq(u64, a.order_id, ORDER_ID));
    cr_assert(eq(i32, a.display_qty, b.display_qty));
    cr_assert(eq(u8, a.reference_id, b.reference_id));
}

Test(mdp3, empty_groups_decode_with_no_entries_whatever_their_block_length)
{
    uint8_t buf[128];
    struct mdp3_enc enc;
    struct mdp3_incr m = {.transact_time_ns = TT, .mei = MDP3_MEI_END_OF_EVENT};
    mdp3_enc_init(&enc, buf, sizeof buf, 1, 2);
    cr_assert(eq(int, mdp3_enc_book46(&enc, &m, NULL, 0, NULL, 0), GT_OK));
    size_t len = mdp3_enc_len(&enc);
    cr_assert(eq(sz, len, 12 + 10 + 11 + 3 + 8));
    st_le16(buf + 33, 0); /* blockLength 0 with no entries is fine */
    struct mdp3_msg msg;
    struct mdp3_incr d;
    frame_one(buf, len, &msg);
    cr_assert(eq(int, mdp3_book46_decode(&msg, &d), GT_OK));
    cr_assert(eq(u16, d.entries.n, 0));
    cr_assert(eq(u16, d.orders.n, 0));
    /* A missing NoOrderIDEntries dimension (cut message) is refused, not guessed. */
    st_le16(buf + 12, (uint16_t)(len - 12 - 8));
    frame_one(buf, len - 8, &msg);
    cr_assert(eq(int, mdp3_book46_decode(&msg, &d), GT_ETRUNC));
}
