/* SPDX-License-Identifier: MIT */
/* test_mdp3.c -- the MDP 3.0 codec against bytes laid out by hand from the
 * schema offsets (so a bug shared by encoder and decoder cannot pass), round
 * trips of every template at extreme values, and hostile framing: truncation at
 * every byte, MsgSize 0 or past the end, short blockLengths, groups past the
 * message, foreign schemas. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "gputick/bytes.h"
#include "gputick/err.h"
#include "gputick/mdp3.h"

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
#define FILL(x, pat) fill(&(x), sizeof(x), pat)

enum { NE = 3 };

/* Encodes every template from pattern-filled structs into one packet, then decodes
 * each message and re-encodes it from the decoded structs into a second packet:
 * the two packets must be byte-identical and the decoders must accept everything. */
static void round_trip(int pat)
{
    static uint8_t a[8192], b[8192];
    struct mdp3_enc ea, eb;
    cr_assert(eq(int, mdp3_enc_init(&ea, a, sizeof a, (uint32_t)rng(), rng()), GT_OK));
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
    FILL(r4, pat), FILL(r4e, pat), FILL(s30, pat), FILL(x, pat), FILL(v37, pat);
    FILL(b46, pat), FILL(b46o, pat), FILL(t48, pat), FILL(t48o, pat), FILL(d49, pat);
    FILL(s51, pat), FILL(s52, pat), FILL(s52e, pat), FILL(d54, pat), FILL(ev, pat);
    FILL(ft, pat), FILL(at, pat), FILL(lt, pat), FILL(d347, pat), FILL(a347, pat);
    FILL(i348, pat), FILL(i348e, pat);
    cr_assert(eq(int, mdp3_enc_reset4(&ea, &r4, r4e, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_heartbeat12(&ea), GT_OK));
    cr_assert(eq(int, mdp3_enc_status30(&ea, &s30), GT_OK));
    cr_assert(eq(int, mdp3_enc_volume37(&ea, &x, v37, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_book46(&ea, &x, b46, NE, b46o, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_trade48(&ea, &x, t48, NE, t48o, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_daily49(&ea, &x, d49, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_session51(&ea, &x, s51, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_snapshot52(&ea, &s52, s52e, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_def54(&ea, &d54, ev, NE, ft, NE, at, NE, lt, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_def347(&ea, &d347, a347, NE, ev, NE), GT_OK));
    cr_assert(eq(int, mdp3_enc_idx348(&ea, &i348, i348e, NE), GT_OK));

    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    cr_assert(eq(int, mdp3_pkt_init(&pkt, a, mdp3_enc_len(&ea)), GT_OK));
    mdp3_enc_init(&eb, b, sizeof b, pkt.seq, pkt.sending_time_ns);
    int n = 0, rc;
    while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0) {
        n++;
        memset(&x, 0, sizeof x);
        switch (msg.template_id) {
        case MDP3_T_CHANNEL_RESET4:
            cr_assert(eq(int, mdp3_reset4_decode(&msg, &r4), GT_OK));
            for (size_t i = 0; i < r4.entries.n; i++)
                mdp3_reset4_entry(&r4, i, &r4e[i]);
            cr_assert(eq(int, mdp3_enc_reset4(&eb, &r4, r4e, r4.entries.n), GT_OK));
            break;
        case MDP3_T_ADMIN_HEARTBEAT12:
            cr_assert(eq(int, mdp3_enc_heartbeat12(&eb), GT_OK));
            break;
        case MDP3_T_SECURITY_STATUS30:
            cr_assert(eq(int, mdp3_status30_decode(&msg, &s30), GT_OK));
            cr_assert(eq(int, mdp3_enc_status30(&eb, &s30), GT_OK));
            break;
        case MDP3_T_VOLUME37:
            cr_assert(eq(int, mdp3_volume37_decode(&msg, &x), GT_OK));
            for (size_t i = 0; i < x.entries.n; i++)
                mdp3_volume37_entry(&x, i, &v37[i]);
            cr_assert(eq(int, mdp3_enc_volume37(&eb, &x, v37, x.entries.n), GT_OK));
            break;
        case MDP3_T_BOOK46:
            cr_assert(eq(int, mdp3_book46_decode(&msg, &x), GT_OK));
            for (size_t i = 0; i < x.entries.n; i++)
                mdp3_book46_entry(&x, i, &b46[i]);
            for (size_t i = 0; i < x.orders.n; i++)
                mdp3_book46_order(&x, i, &b46o[i]);
            cr_assert(eq(int, mdp3_enc_book46(&eb, &x, b46, x.entries.n, b46o, x.orders.n), GT_OK));
            break;
        case MDP3_T_TRADE_SUMMARY48:
            cr_assert(eq(int, mdp3_trade48_decode(&msg, &x), GT_OK));
            for (size_t i = 0; i < x.entries.n; i++)
                mdp3_trade48_entry(&x, i, &t48[i]);
            for (size_t i = 0; i < x.orders.n; i++)
                mdp3_trade48_order(&x, i, &t48o[i]);
            cr_assert(
                eq(int, mdp3_enc_trade48(&eb, &x, t48, x.entries.n, t48o, x.orders.n), GT_OK));
            break;
        case MDP3_T_DAILY_STATISTICS49:
            cr_assert(eq(int, mdp3_daily49_decode(&msg, &x), GT_OK));
            for (size_t i = 0; i < x.entries.n; i++)
                mdp3_daily49_entry(&x, i, &d49[i]);
            cr_assert(eq(int, mdp3_enc_daily49(&eb, &x, d49, x.entries.n), GT_OK));
            break;
        case MDP3_T_SESSION_STATISTICS51:
            cr_assert(eq(int, mdp3_session51_decode(&msg, &x), GT_OK));
            for (size_t i = 0; i < x.entries.n; i++)
                mdp3_session51_entry(&x, i, &s51[i]);
            cr_assert(eq(int, mdp3_enc_session51(&eb, &x, s51, x.entries.n), GT_OK));
            break;
        case MDP3_T_SNAPSHOT52:
            cr_assert(eq(int, mdp3_snapshot52_decode(&msg, &s52), GT_OK));
            for (size_t i = 0; i < s52.entries.n; i++)
                mdp3_snapshot52_entry(&s52, i, &s52e[i]);
            cr_assert(eq(int, mdp3_enc_snapshot52(&eb, &s52, s52e, s52.entries.n), GT_OK));
            break;
        case MDP3_T_DEFINITION_FUTURE54:
            cr_assert(eq(int, mdp3_def54_decode(&msg, &d54), GT_OK));
            for (size_t i = 0; i < NE; i++) {
                mdp3_def54_event(&d54, i, &ev[i]);
                mdp3_def54_feed_type(&d54, i, &ft[i]);
                at[i] = mdp3_def54_inst_attrib(&d54, i);
                mdp3_def54_lot_type_rule(&d54, i, &lt[i]);
            }
            cr_assert(eq(int, mdp3_enc_def54(&eb, &d54, ev, NE, ft, NE, at, NE, lt, NE), GT_OK));
            break;
        case MDP3_T_DEFINITION_INDICES347:
            cr_assert(eq(int, mdp3_def347_decode(&msg, &d347), GT_OK));
            cr_assert(eq(u16, d347.events.n, NE));
            for (size_t i = 0; i < NE; i++) {
                mdp3_def347_inst_attrib(&d347, i, &a347[i]);
                mdp3_def347_event(&d347, i, &ev[i]);
            }
            cr_assert(eq(int, mdp3_enc_def347(&eb, &d347, a347, NE, ev, NE), GT_OK));
            break;
        case MDP3_T_INDICES348:
            cr_assert(eq(int, mdp3_idx348_decode(&msg, &i348), GT_OK));
            for (size_t i = 0; i < i348.entries.n; i++)
                mdp3_idx348_entry(&i348, i, &i348e[i]);
            cr_assert(eq(int, mdp3_enc_idx348(&eb, &i348, i348e, i348.entries.n), GT_OK));
            break;
        default:
            cr_assert(false, "unexpected template %u", msg.template_id);
        }
    }
    cr_assert(eq(int, rc, 0));
    cr_assert(eq(int, n, 12));
    check_same(b, mdp3_enc_len(&eb), a, mdp3_enc_len(&ea));
}

Test(mdp3, every_template_round_trips_random_and_extreme_values)
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

/* Decodes whatever a known template frames; returns the first error or GT_OK. */
static int decode_all(const struct mdp3_msg *msg)
{
    struct mdp3_incr x;
    switch (msg->template_id) {
    case MDP3_T_BOOK46:
        return mdp3_book46_decode(msg, &x);
    case MDP3_T_TRADE_SUMMARY48:
        return mdp3_trade48_decode(msg, &x);
    default:
        return GT_OK;
    }
}

Test(mdp3, truncation_at_every_byte_fails_or_stops_at_a_message_boundary)
{
    uint8_t full[512];
    size_t bounds[4];
    size_t len = three_msgs(full, sizeof full, bounds);
    for (size_t cut = 0; cut <= len; cut++) {
        /* A heap copy of exactly cut bytes, so ASan sees any read past it. */
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
            cr_assert(eq(int, decode_all(&msg), GT_OK));
            n++;
        }
        bool on_boundary =
            cut == bounds[0] || cut == bounds[1] || cut == bounds[2] || cut == bounds[3];
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
