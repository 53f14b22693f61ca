/* SPDX-License-Identifier: MIT */
/* test_block.c -- the column block codec: every field of every kind survives
 * encode and decode bit for bit, on realistic, random and adversarial series;
 * damaged and truncated blocks are refused. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <limits.h>
#include <stdlib.h>
#include "block.h"
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/err.h"
#include "gputick/tick.h"

static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint8_t scratch[BLOCK_SCRATCH_LEN];
static uint8_t buf[BLOCK_OUT_MAX];
static struct gt_tick in[BLOCK_CAP], out[BLOCK_CAP];

/* Every payload field of kind set from r (all bits random when wild). */
static void fill_payload(struct gt_tick *t, int kind, bool wild, int64_t px)
{
    uint64_t r = rnd(), r2 = rnd();
    memset(t->u.raw, 0, sizeof t->u.raw);
    switch (kind) {
    case GT_KIND_TRADE:
        t->u.trade = (struct gt_trade){px,
                                       wild ? (int64_t)r : (int64_t)(r % 10) + 1,
                                       wild ? (uint32_t)r2 : (uint32_t)(t->seq / 3),
                                       wild ? (int32_t)(r2 >> 32) : (int32_t)(r % 4),
                                       (uint8_t)(wild ? r >> 8 : 1 + r % 2),
                                       (uint8_t)(wild ? r >> 16 : 0)};
        break;
    case GT_KIND_LEVEL:
        t->u.level = (struct gt_level){px,
                                       wild ? (int64_t)r : (int64_t)(r % 200),
                                       wild ? (int32_t)r2 : (int32_t)(r2 % 9),
                                       (uint8_t)(wild ? r >> 8 : 1 + r % 10),
                                       (uint8_t)(wild ? r >> 16 : 1 + r % 2),
                                       (uint8_t)(wild ? r >> 24 : r % 3),
                                       0,
                                       wild ? (uint32_t)(r2 >> 32) : (uint32_t)t->seq};
        break;
    case GT_KIND_TOB:
        t->u.tob = (struct gt_tob){px,
                                   wild ? (int64_t)r2 : (int64_t)((uint64_t)px + 5000000),
                                   (int32_t)(wild ? r : r % 50),
                                   (int32_t)(wild ? r >> 32 : r % 60),
                                   (uint16_t)(wild ? r2 : r2 % 5),
                                   (uint16_t)(wild ? r2 >> 16 : r2 % 4)};
        break;
    case GT_KIND_FIXING:
        t->u.fixing = (struct gt_fixing){px,
                                         wild ? (uint32_t)r : 20261124,
                                         (uint8_t)(wild ? r >> 32 : 1),
                                         (uint8_t)(wild ? r >> 40 : '3'),
                                         {0, 0},
                                         wild ? (uint32_t)r2 : (uint32_t)t->seq};
        break;
    case GT_KIND_STAT:
        t->u.stat = (struct gt_stat){px,
                                     wild ? (int64_t)r : INT64_MAX,
                                     (uint8_t)(wild ? r2 : 1 + r2 % 11),
                                     (uint8_t)(wild ? r2 >> 8 : 0),
                                     (uint8_t)(wild ? r2 >> 16 : 255),
                                     0,
                                     wild ? (uint32_t)(r2 >> 32) : 20261124};
        break;
    case GT_KIND_STATUS:
        t->u.status = (struct gt_status){(uint8_t)(wild ? r : 17),
                                         (uint8_t)(wild ? r >> 8 : 255),
                                         (uint8_t)(wild ? r >> 16 : 0),
                                         (uint8_t)(wild ? r >> 24 : r % 4),
                                         (uint8_t)(wild ? r >> 32 : r % 7),
                                         {0, 0, 0},
                                         wild ? (uint32_t)r2 : 0,
                                         wild ? (uint32_t)(r2 >> 32) : 0,
                                         20261124};
        break;
    default:
        t->u.def.tick_px = wild ? (int64_t)r : 5000000;
        t->u.def.maturity = wild ? (uint32_t)r2 : 20270331;
        t->u.def.depth = (uint8_t)(wild ? r2 >> 32 : 10);
        t->u.def.type = (uint8_t)(wild ? r2 >> 40 : GT_INSTR_FUTURE);
        for (int i = 0; i < GT_PRODUCT_LEN; i++)
            t->u.def.product[i] = (char)(wild ? rnd() : (uint64_t) "H100\0\0"[i]);
        for (int i = 0; i < GT_SYMBOL_LEN; i++)
            t->u.def.symbol[i] = (char)(wild ? rnd() : (uint64_t) "H100Z6\0\0\0\0\0\0"[i]);
        break;
    }
}

/* A series of n ticks: realistic (trading-like) or wild (every bit random). */
static void make_series(struct gt_tick *t, size_t n, int kind, bool wild)
{
    int64_t ns = 1795000000000000000, px = 2500000000;
    uint64_t seq = 1000 + rnd() % 1000;
    for (size_t i = 0; i < n; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].version = GT_TICK_VERSION;
        t[i].kind = (uint8_t)kind;
        t[i].instr_id = wild ? -123456 : 42;
        if (wild) {
            t[i].flags = (uint16_t)rnd();
            t[i].seq = rnd();
            t[i].exch_ns = (int64_t)rnd();
            t[i].recv_ns = (int64_t)rnd();
            px = (int64_t)rnd();
        } else {
            t[i].flags = (uint16_t)(rnd() % 8 == 0 ? GT_F_EVENT_END | GT_F_STALE : GT_F_EVENT_END);
            seq += 1 + rnd() % 5;
            t[i].seq = seq;
            ns += (int64_t)(rnd() % 2000000);
            t[i].exch_ns = ns;
            t[i].recv_ns = ns + 20000 + (int64_t)(rnd() % 5000);
            px += ((int64_t)(rnd() % 5) - 2) * 5000000;
        }
        fill_payload(&t[i], kind, wild, px);
    }
}

/* Encodes t[0..n) and checks that decoding gives back the canonical ticks. */
static int round_trip(const struct gt_tick *t, size_t n, int64_t tick_px, int hc)
{
    int len = block_encode(t, n, tick_px, hc, scratch, buf, sizeof buf);
    cr_assert(gt(int, len, 0), "encode failed: %d", len);
    cr_assert(le(int, len, (int)BLOCK_BOUND(n)));
    struct block_hdr h;
    int got = block_decode(buf, (size_t)len, out, BLOCK_CAP, scratch, &h);
    cr_assert(eq(int, got, (int)n), "decode returned %d", got);
    for (size_t i = 0; i < n; i++) {
        uint8_t w[GT_TICK_LEN], w2[GT_TICK_LEN];
        struct gt_tick canon;
        gt_tick_encode(&t[i], w);
        cr_assert(eq(int, gt_tick_decode(w, sizeof w, &canon), GT_OK));
        gt_tick_encode(&out[i], w2);
        cr_assert(eq(int, memcmp(w, w2, GT_TICK_LEN), 0), "tick %zu of kind %d differs", i,
                  t[i].kind);
        cr_assert(eq(int, memcmp(&canon, &out[i], sizeof canon), 0), "struct %zu differs", i);
    }
    cr_assert(eq(i64, h.first_ns, t[0].exch_ns));
    cr_assert(eq(i64, h.last_ns, t[n - 1].exch_ns));
    cr_assert(eq(u64, h.first_seq, t[0].seq));
    cr_assert(eq(u64, h.last_seq, t[n - 1].seq));
    return len;
}

Test(block, random_series_of_every_kind_round_trip)
{
    size_t sizes[] = {1, 2, 3, 17, 255, 1024, BLOCK_CAP};
    for (int kind = 1; kind <= GT_KIND_MAX; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int wild = 0; wild <= 1; wild++) {
                make_series(in, sizes[s], kind, wild);
                round_trip(in, sizes[s], 0, 0);
                round_trip(in, sizes[s], 5000000, 0);
            }
}

Test(block, lz4_hc_blocks_round_trip_and_are_no_larger)
{
    make_series(in, BLOCK_TICKS, GT_KIND_TRADE, false);
    int fast = round_trip(in, BLOCK_TICKS, 0, 0);
    int hc = round_trip(in, BLOCK_TICKS, 0, 9);
    cr_assert(le(int, hc, fast));
    cr_assert(eq(int, ld_le16(buf + 6) & BLOCK_F_HC, BLOCK_F_HC));
}

Test(block, realistic_trades_take_a_few_bytes_each)
{
    make_series(in, BLOCK_TICKS, GT_KIND_TRADE, false);
    int len = round_trip(in, BLOCK_TICKS, 5000000, 0);
    cr_assert(lt(int, len, BLOCK_TICKS * 12), "%d bytes for %d trades", len, BLOCK_TICKS);
    cr_assert(eq(i64, (int64_t)ld_le64(buf + 64), 5000000), "tick size recorded");
    /* Without the tick size the encoder finds the grid itself. */
    round_trip(in, BLOCK_TICKS, 0, 0);
    cr_assert(eq(i64, (int64_t)ld_le64(buf + 64) % 5000000, 0));
}

Test(block, equal_and_out_of_order_timestamps_round_trip)
{
    make_series(in, 600, GT_KIND_LEVEL, false);
    for (size_t i = 0; i < 200; i++)
        in[i].exch_ns = 1795000000000000000; /* equal */
    for (size_t i = 200; i < 600; i++)
        in[i].exch_ns = 1795000000000000000 - (int64_t)(rnd() % 1000000000); /* backwards */
    round_trip(in, 600, 0, 0);
    struct block_hdr h;
    cr_assert(eq(int, block_hdr_read(buf, BLOCK_OUT_MAX, &h), GT_EBADMSG), "trailing bytes");
    int len = block_encode(in, 600, 0, 0, scratch, buf, sizeof buf);
    cr_assert(eq(int, block_hdr_read(buf, (size_t)len, &h), GT_OK));
    cr_assert(eq(i64, h.max_ns, 1795000000000000000));
    cr_assert(lt(i64, h.min_ns, 1795000000000000000));
}

Test(block, extremes_nulls_jumps_and_off_grid_prices_round_trip)
{
    int64_t pxs[] = {INT64_MAX,
                     INT64_MIN,
                     0,
                     -1,
                     1,
                     2500000000,
                     2500000001,
                     INT64_MAX,
                     2505000000,
                     -INT64_MAX,
                     INT64_MAX - 1,
                     7,
                     INT64_MIN + 5000000,
                     0};
    int64_t ns[] = {INT64_MIN, INT64_MAX, 0, -1, INT64_MIN, 1};
    size_t n = sizeof pxs / sizeof pxs[0];
    for (int kind = 1; kind <= GT_KIND_MAX; kind++) {
        make_series(in, n, kind, false);
        for (size_t i = 0; i < n; i++) {
            in[i].exch_ns = ns[i % 6];
            in[i].recv_ns = ns[(i + 1) % 6];
            in[i].seq = i % 2 ? UINT64_MAX : 0;
            in[i].flags = i % 3 ? 0xffff : 0;
            fill_payload(&in[i], kind, i % 2, pxs[i]);
            if (kind == GT_KIND_TOB)
                in[i].u.tob.ask_px = pxs[n - 1 - i];
        }
        round_trip(in, n, 0, 0);
        round_trip(in, n, 5000000, 0);
        round_trip(in, n, 2, 0);
        round_trip(in, 1, 0, 0); /* a single-tick block */
    }
}

Test(block, damaged_blocks_are_refused)
{
    make_series(in, 300, GT_KIND_TRADE, false);
    int len = block_encode(in, 300, 0, 0, scratch, buf, sizeof buf);
    cr_assert(gt(int, len, BLOCK_HDR_LEN));
    static uint8_t copy[BLOCK_OUT_MAX];
    for (int i = 0; i < len; i++) {
        memcpy(copy, buf, (size_t)len);
        copy[i] ^= (uint8_t)(1u << (i % 8));
        int rc = block_decode(copy, (size_t)len, out, BLOCK_CAP, scratch, NULL);
        cr_assert(lt(int, rc, 0), "flip at %d accepted", i);
        if (i >= BLOCK_HDR_LEN || (i >= 16 && i < 72) || (i >= 80 && i < 84))
            cr_assert(eq(int, rc, GT_ECORRUPT), "flip at %d: %d", i, rc);
    }
}

Test(block, truncated_blocks_are_refused)
{
    make_series(in, 100, GT_KIND_TOB, false);
    int len = block_encode(in, 100, 0, 0, scratch, buf, sizeof buf);
    for (int cut = 0; cut < len; cut++)
        cr_assert(eq(int, block_decode(buf, (size_t)cut, out, BLOCK_CAP, scratch, NULL), GT_ETRUNC),
                  "cut at %d", cut);
    cr_assert(eq(int, block_decode(buf, (size_t)len, out, 99, scratch, NULL), GT_EINVAL),
              "caller array too small");
    buf[4] = 2;
    cr_assert(eq(int, block_decode(buf, (size_t)len, out, BLOCK_CAP, scratch, NULL), GT_EVERSION));
}

Test(block, encoder_refuses_mixed_or_bad_input)
{
    make_series(in, 10, GT_KIND_TRADE, false);
    cr_assert(eq(int, block_encode(in, 0, 0, 0, scratch, buf, sizeof buf), GT_EINVAL));
    cr_assert(eq(int, block_encode(in, BLOCK_CAP + 1, 0, 0, scratch, buf, sizeof buf), GT_EINVAL));
    cr_assert(eq(int, block_encode(in, 10, 0, 0, scratch, buf, BLOCK_BOUND(10) - 1), GT_EINVAL));
    in[5].kind = GT_KIND_LEVEL;
    cr_assert(eq(int, block_encode(in, 10, 0, 0, scratch, buf, sizeof buf), GT_EINVAL));
    in[5].kind = GT_KIND_TRADE;
    in[6].instr_id = 43;
    cr_assert(eq(int, block_encode(in, 10, 0, 0, scratch, buf, sizeof buf), GT_EINVAL));
    in[6].instr_id = 42;
    in[0].kind = 0;
    cr_assert(eq(int, block_encode(in, 1, 0, 0, scratch, buf, sizeof buf), GT_EINVAL));
    in[0].kind = GT_KIND_TRADE;
    in[0].version = 9;
    cr_assert(eq(int, block_encode(in, 1, 0, 0, scratch, buf, sizeof buf), GT_EINVAL));
}

/* The documented layout: header fields at their offsets, CRC over [0,80) and
 * the payload. */
Test(block, header_matches_the_documented_layout)
{
    make_series(in, 50, GT_KIND_FIXING, false);
    int len = block_encode(in, 50, 0, 0, scratch, buf, sizeof buf);
    cr_assert(eq(int, memcmp(buf, "GTBK", 4), 0));
    cr_assert(eq(u8, buf[4], BLOCK_VERSION));
    cr_assert(eq(u8, buf[5], GT_KIND_FIXING));
    cr_assert(eq(i32, (int32_t)ld_le32(buf + 8), 42));
    cr_assert(eq(u32, ld_le32(buf + 12), 50));
    cr_assert(eq(i64, (int64_t)ld_le64(buf + 16), in[0].exch_ns));
    cr_assert(eq(i64, (int64_t)ld_le64(buf + 24), in[49].exch_ns));
    cr_assert(eq(u64, ld_le64(buf + 48), in[0].seq));
    cr_assert(eq(u64, ld_le64(buf + 56), in[49].seq));
    cr_assert(eq(u32, ld_le32(buf + 76), (uint32_t)len - BLOCK_HDR_LEN));
    uint32_t crc = gt_crc32c(gt_crc32c(0, buf, 80), buf + BLOCK_HDR_LEN, (size_t)len - 84);
    cr_assert(eq(u32, ld_le32(buf + 80), crc));
}

/* The fields of each kind that a block carries beside version, kind,
 * instr_id and exch_ns, which are always decoded. */
struct fld {
    uint8_t off, size;
};
#define FLD(f)                                                                                     \
    {                                                                                              \
        offsetof(struct gt_tick, f), sizeof(((struct gt_tick *)0)->f)                              \
    }
enum { N_COMMON = 3, N_KIND_FLDS = 8 };
static const struct fld common_flds[N_COMMON] = {FLD(flags), FLD(seq), FLD(recv_ns)};
static const struct fld kind_flds[GT_KIND_MAX + 1][N_KIND_FLDS] = {
    [GT_KIND_TRADE] = {FLD(u.trade.px), FLD(u.trade.qty), FLD(u.trade.trade_id),
                       FLD(u.trade.n_orders), FLD(u.trade.aggressor), FLD(u.trade.action)},
    [GT_KIND_LEVEL] = {FLD(u.level.px), FLD(u.level.qty), FLD(u.level.n_orders), FLD(u.level.level),
                       FLD(u.level.side), FLD(u.level.action), FLD(u.level.rpt_seq)},
    [GT_KIND_TOB] = {FLD(u.tob.bid_px), FLD(u.tob.ask_px), FLD(u.tob.bid_qty), FLD(u.tob.ask_qty),
                     FLD(u.tob.bid_orders), FLD(u.tob.ask_orders)},
    [GT_KIND_FIXING] = {FLD(u.fixing.px), FLD(u.fixing.date), FLD(u.fixing.code),
                        FLD(u.fixing.entry_type), FLD(u.fixing.rpt_seq)},
    [GT_KIND_STAT] = {FLD(u.stat.px), FLD(u.stat.qty), FLD(u.stat.type), FLD(u.stat.settl_flags),
                      FLD(u.stat.open_close), FLD(u.stat.date)},
    [GT_KIND_STATUS] = {FLD(u.status.trading), FLD(u.status.halt_reason), FLD(u.status.event),
                        FLD(u.status.feed), FLD(u.status.cause), FLD(u.status.gap_from),
                        FLD(u.status.gap_to), FLD(u.status.date)},
    [GT_KIND_DEF] = {FLD(u.def.tick_px), FLD(u.def.maturity), FLD(u.def.depth), FLD(u.def.type),
                     FLD(u.def.product), FLD(u.def.symbol)},
    [GT_KIND_ORDER] = {FLD(u.order.px), FLD(u.order.order_id), FLD(u.order.priority),
                       FLD(u.order.qty), FLD(u.order.side), FLD(u.order.action)},
};

/* t with every field that fields does not name zeroed. */
static void keep_fields(struct gt_tick *t, uint64_t fields)
{
    for (size_t i = 0; i < N_COMMON + N_KIND_FLDS; i++) {
        const struct fld *f = i < N_COMMON ? &common_flds[i] : &kind_flds[t->kind][i - N_COMMON];
        if (f->size && !((fields >> f->off) & 1))
            memset((uint8_t *)t + f->off, 0, f->size);
    }
}

/* A decode of some fields gives exactly the full decode with the others
 * zeroed, for every kind, realistic and wild series (escaped prices, varints
 * of every length up to 10 bytes), and field sets of one field, several, none
 * and all, and random bits (a bit inside a field but not at its first byte
 * names nothing). */
Test(block, decoding_some_fields_equals_the_full_decode_with_the_rest_zeroed)
{
    static struct gt_tick full[BLOCK_CAP], part[BLOCK_CAP];
    size_t sizes[] = {1, 17, BLOCK_TICKS, 3000};
    for (int kind = 1; kind <= GT_KIND_MAX; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int wild = 0; wild <= 1; wild++) {
                size_t n = sizes[s];
                make_series(in, n, kind, wild);
                int len = block_encode(in, n, wild ? 0 : 5000000, 0, scratch, buf, sizeof buf);
                cr_assert(gt(int, len, 0));
                cr_assert(eq(int, block_decode(buf, (size_t)len, full, BLOCK_CAP, scratch, NULL),
                             (int)n));
                uint64_t sets[40] = {0, GT_FIELDS_ALL,
                                     GT_FIELD(u.trade.px) | GT_FIELD(u.trade.qty) |
                                         GT_FIELD(u.trade.action)};
                size_t n_sets = 3;
                for (size_t i = 0; i < N_COMMON + N_KIND_FLDS; i++) {
                    const struct fld *f =
                        i < N_COMMON ? &common_flds[i] : &kind_flds[kind][i - N_COMMON];
                    if (f->size)
                        sets[n_sets++] = (uint64_t)1 << f->off;
                }
                while (n_sets < sizeof sets / sizeof sets[0])
                    sets[n_sets++] = rnd() & rnd();
                for (size_t k = 0; k < n_sets; k++) {
                    int got = block_decode_fields(buf, (size_t)len, part, BLOCK_CAP, scratch, NULL,
                                                  sets[k]);
                    cr_assert(eq(int, got, (int)n), "kind %d, fields %#llx: %d", kind,
                              (unsigned long long)sets[k], got);
                    for (size_t i = 0; i < n; i++) {
                        struct gt_tick want = full[i];
                        keep_fields(&want, sets[k]);
                        cr_assert(eq(int, memcmp(&want, &part[i], sizeof want), 0),
                                  "kind %d, wild %d, fields %#llx: tick %zu differs", kind, wild,
                                  (unsigned long long)sets[k], i);
                    }
                }
                /* The CRC still covers the columns stepped over. */
                buf[len - 1] ^= 0x40;
                cr_assert(eq(
                    int, block_decode_fields(buf, (size_t)len, part, BLOCK_CAP, scratch, NULL, 0),
                    GT_ECORRUPT));
            }
}
