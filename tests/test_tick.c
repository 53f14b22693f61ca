/* SPDX-License-Identifier: MIT */
/* test_tick.c -- the tick record's wire form: every kind round-trips at its
 * extremes, offsets match docs/wire.md, and bad records are refused. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <limits.h>
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/err.h"
#include "gputick/tick.h"

static struct gt_tick base(int kind, uint64_t seq)
{
    struct gt_tick t;
    memset(&t, 0, sizeof t);
    t.version = GT_TICK_VERSION;
    t.kind = (uint8_t)kind;
    t.flags = GT_F_EVENT_END | GT_F_STALE;
    t.instr_id = INT32_MAX;
    t.seq = seq;
    t.exch_ns = INT64_MIN;
    t.recv_ns = INT64_MAX;
    return t;
}

static void check_round_trip(const struct gt_tick *t)
{
    uint8_t w[GT_TICK_LEN], w2[GT_TICK_LEN];
    struct gt_tick back;
    gt_tick_encode(t, w);
    cr_assert(eq(int, gt_tick_decode(w, sizeof w, &back), GT_OK));
    gt_tick_encode(&back, w2);
    cr_assert(eq(int, memcmp(w, w2, GT_TICK_LEN), 0), "re-encoding changed bytes");
    cr_assert(eq(int, memcmp(t, &back, sizeof back), 0), "decode(encode(t)) != t (kind %d)",
              t->kind);
}

Test(tick, every_kind_round_trips_at_extremes)
{
    int64_t pxs[] = {INT64_MIN, -1, 0, 1, 2750000000, INT64_MAX};
    for (size_t i = 0; i < sizeof pxs / sizeof pxs[0]; i++) {
        int64_t px = pxs[i];
        struct gt_tick t = base(GT_KIND_TRADE, UINT64_MAX - i);
        t.u.trade = (struct gt_trade){px, ~px, UINT32_MAX, INT32_MIN, GT_SIDE_ASK, 2};
        check_round_trip(&t);
        t = base(GT_KIND_LEVEL, i);
        t.u.level = (struct gt_level){px,          INT64_MAX,      INT32_MAX, 10,
                                      GT_SIDE_BID, GT_ACT_OVERLAY, 0,         UINT32_MAX};
        check_round_trip(&t);
        t = base(GT_KIND_TOB, i);
        t.u.tob = (struct gt_tob){px, INT64_MAX, INT32_MIN, INT32_MAX, 65535, 0};
        check_round_trip(&t);
        t = base(GT_KIND_FIXING, i);
        t.u.fixing = (struct gt_fixing){px, 20261124, GT_FIX_CLOSE, '3', {0, 0}, UINT32_MAX};
        check_round_trip(&t);
        t = base(GT_KIND_STAT, i);
        t.u.stat = (struct gt_stat){px, INT64_MIN, GT_STAT_MAX, 0xff, 255, 0, 99991231};
        check_round_trip(&t);
        t = base(GT_KIND_STATUS, i);
        t.u.status = (struct gt_status){
            17, 255, 0, GT_FEED_RECOVERED, GT_CAUSE_SNAPSHOT, {0, 0, 0}, 1, UINT32_MAX, 20261124};
        check_round_trip(&t);
        t = base(GT_KIND_DEF, i);
        t.u.def.tick_px = px;
        t.u.def.maturity = 20271231;
        t.u.def.depth = 10;
        t.u.def.type = GT_INSTR_FUTURE;
        memcpy(t.u.def.product, "H100XY", GT_PRODUCT_LEN);     /* full width, no NUL */
        memcpy(t.u.def.symbol, "ABCDEFGHIJKL", GT_SYMBOL_LEN); /* full width, no NUL */
        check_round_trip(&t);
    }
}

/* The offsets users read from docs/wire.md, checked byte by byte. */
Test(tick, header_and_trade_offsets_match_the_documented_layout)
{
    struct gt_tick t = base(GT_KIND_TRADE, 0x0102030405060708u);
    t.flags = 0x0201;
    t.instr_id = 0x11223344;
    t.exch_ns = 0x2122232425262728;
    t.recv_ns = 0x3132333435363738;
    t.u.trade = (struct gt_trade){2750000000, 5, 77, 3, GT_SIDE_BID, 0};
    uint8_t w[GT_TICK_LEN];
    gt_tick_encode(&t, w);
    cr_assert(eq(u8, w[0], GT_TICK_VERSION));
    cr_assert(eq(u8, w[1], GT_KIND_TRADE));
    cr_assert(eq(u8, w[2], 0x01));
    cr_assert(eq(u8, w[3], 0x02));
    cr_assert(eq(u8, w[4], 0x44));
    cr_assert(eq(u8, w[7], 0x11));
    cr_assert(eq(u8, w[8], 0x08));
    cr_assert(eq(u8, w[15], 0x01));
    cr_assert(eq(u8, w[16], 0x28));
    cr_assert(eq(u8, w[24], 0x38));
    cr_assert(eq(i64, (int64_t)ld_le64(w + 32), 2750000000));
    cr_assert(eq(i64, (int64_t)ld_le64(w + 40), 5));
    cr_assert(eq(u32, ld_le32(w + 48), 77));
    cr_assert(eq(u32, ld_le32(w + 52), 3));
    cr_assert(eq(u8, w[56], GT_SIDE_BID));
    for (int i = 58; i < 64; i++)
        cr_assert(eq(u8, w[i], 0), "payload padding byte %d is not zero", i);
}

/* tickfeed writes level and top-of-book records with the encoder's parts,
 * into a buffer that held other records: the bytes must be gt_tick_encode()'s
 * all the same, padding zeroed. */
Test(tick, the_encoders_parts_write_what_gt_tick_encode_writes_over_old_bytes)
{
    struct gt_tick t = base(GT_KIND_LEVEL, 0);
    t.u.level = (struct gt_level){-5, INT64_MAX, INT32_MAX, 10, GT_SIDE_ASK, GT_ACT_NEW, 0, 77};
    uint8_t want[GT_TICK_LEN], got[GT_TICK_LEN];
    gt_tick_encode(&t, want);
    memset(got, 0xa5, sizeof got);
    gt_tick_header_encode(got, t.version, t.kind, t.flags, t.instr_id, t.seq, t.exch_ns, t.recv_ns);
    gt_tick_level_encode(got, &t.u.level);
    cr_assert(eq(int, memcmp(got, want, GT_TICK_LEN), 0), "level");
    t = base(GT_KIND_TOB, 0);
    t.u.tob = (struct gt_tob){1, INT64_MAX, INT32_MAX, 0, 65535, 3};
    gt_tick_encode(&t, want);
    memset(got, 0xa5, sizeof got);
    gt_tick_header_encode(got, t.version, t.kind, t.flags, t.instr_id, t.seq, t.exch_ns, t.recv_ns);
    gt_tick_tob_encode(got, &t.u.tob);
    cr_assert(eq(int, memcmp(got, want, GT_TICK_LEN), 0), "tob");
}

Test(tick, def_offsets_match_the_documented_layout)
{
    struct gt_tick t = base(GT_KIND_DEF, 1);
    t.u.def.tick_px = 5000000;
    t.u.def.maturity = 20261231;
    t.u.def.depth = 10;
    t.u.def.type = GT_INSTR_FUTURE;
    memcpy(t.u.def.product, "H100", 4);
    memcpy(t.u.def.symbol, "H100Z6", 6);
    uint8_t w[GT_TICK_LEN];
    gt_tick_encode(&t, w);
    cr_assert(eq(i64, (int64_t)ld_le64(w + 32), 5000000));
    cr_assert(eq(u32, ld_le32(w + 40), 20261231));
    cr_assert(eq(u8, w[44], 10));
    cr_assert(eq(u8, w[45], GT_INSTR_FUTURE));
    cr_assert(eq(str, (char *)w + 46, "H100"));
    cr_assert(eq(str, (char *)w + 52, "H100Z6"));
}

Test(tick, short_unknown_and_future_records_are_refused)
{
    struct gt_tick t = base(GT_KIND_TOB, 9), out;
    uint8_t w[GT_TICK_LEN];
    gt_tick_encode(&t, w);
    for (size_t n = 0; n < GT_TICK_LEN; n++)
        cr_assert(eq(int, gt_tick_decode(w, n, &out), GT_ETRUNC), "len %zu", n);
    w[1] = 0;
    cr_assert(eq(int, gt_tick_decode(w, sizeof w, &out), GT_EBADMSG));
    w[1] = GT_KIND_MAX + 1;
    cr_assert(eq(int, gt_tick_decode(w, sizeof w, &out), GT_EBADMSG));
    w[1] = GT_KIND_TOB;
    w[0] = GT_TICK_VERSION + 1;
    cr_assert(eq(int, gt_tick_decode(w, sizeof w, &out), GT_EVERSION));
}

Test(tick, kind_names_parse_back)
{
    for (int k = 1; k <= GT_KIND_MAX; k++)
        cr_assert(eq(int, gt_kind_parse(gt_kind_name(k)), k));
    cr_assert(eq(int, gt_kind_parse("trades"), GT_EINVAL));
    cr_assert(eq(int, gt_kind_parse(""), GT_EINVAL));
    cr_assert(eq(ptr, (void *)gt_kind_name(0), NULL));
    cr_assert(eq(ptr, (void *)gt_kind_name(GT_KIND_MAX + 1), NULL));
}

Test(tick, index_ids_are_negative_stable_and_distinct)
{
    int32_t h100 = gt_index_id("SDH100RT", 8), a100 = gt_index_id("SDA100RT", 8);
    cr_assert(lt(i32, h100, 0));
    cr_assert(lt(i32, a100, 0));
    cr_assert(ne(i32, h100, a100));
    /* Padding after the name does not change the id; the value is pinned
     * because stores on disk are keyed by it. */
    cr_assert(eq(i32, gt_index_id("SDH100RT\0\0\0\0", 12), h100));
    cr_assert(eq(i32, gt_index_id("", 0), -(int32_t)(2166136261u & 0x7fffffff) - 1));
}

Test(tick, fixed_strings_copy_without_overrun)
{
    char out[GT_SYMBOL_LEN + 1];
    cr_assert(eq(sz, gt_fixed_str(out, sizeof out, "ABCDEFGHIJKL", GT_SYMBOL_LEN), 12));
    cr_assert(eq(str, out, "ABCDEFGHIJKL"));
    cr_assert(eq(sz, gt_fixed_str(out, 4, "ABCDEFGHIJKL", GT_SYMBOL_LEN), 3));
    cr_assert(eq(str, out, "ABC"));
    cr_assert(eq(sz, gt_fixed_str(out, sizeof out, "H1\0Z", 4), 2));
}

/* A trade record of id at seq: a print (qty > 0) or, with action 2, a bust. */
static struct gt_tick trade(uint64_t seq, uint32_t id, int action, int64_t qty)
{
    struct gt_tick t = base(GT_KIND_TRADE, seq);
    t.u.trade =
        (struct gt_trade){.px = 2750000000, .qty = qty, .trade_id = id, .action = (uint8_t)action};
    return t;
}

Test(tick, a_bust_cancels_the_latest_print_of_its_id_before_it_and_never_counts_itself)
{
    /* Id 7 prints at 1 and again at 4 (a new trading day reuses it); the
     * bust at 5 cancels the print at 4 only. Id 8's bust at 2 comes before
     * its print at 3 and cancels nothing. Id 9 has no bust. */
    struct gt_tick t[] = {trade(1, 7, GT_ACT_NEW, 5),    trade(2, 8, GT_ACT_DELETE, 5),
                          trade(3, 8, GT_ACT_NEW, 5),    trade(4, 7, GT_ACT_NEW, 5),
                          trade(5, 7, GT_ACT_DELETE, 5), trade(6, 9, GT_ACT_NEW, 0),
                          trade(7, 9, GT_ACT_NEW, 2)};
    size_t n = sizeof t / sizeof t[0];
    struct gt_busts b;
    gt_busts_init(&b);
    /* The first pass in two runs, as a reader gets them block by block. */
    cr_assert(eq(int, gt_busts_note(&b, t, 3), 1));
    cr_assert(eq(int, gt_busts_note(&b, t + 3, n - 3), 2));
    gt_busts_match(&b, t, 2);
    gt_busts_match(&b, t + 2, n - 2);
    int want[] = {1, 0, 1, 0, 0, 0, 1}; /* seq 6: no quantity, not a print */
    for (size_t i = 0; i < n; i++)
        cr_assert(eq(int, gt_trade_counts(&t[i], &b), want[i]), "seq %zu", i + 1);
    /* Without the busts, only the rule's other half applies. */
    int plain[] = {1, 0, 1, 1, 0, 0, 1};
    for (size_t i = 0; i < n; i++)
        cr_assert(eq(int, gt_trade_counts(&t[i], NULL), plain[i]), "seq %zu", i + 1);
    gt_busts_fini(&b);
    cr_assert(eq(sz, b.n, 0));
}

Test(crc32c, matches_the_standard_check_value_and_extends)
{
    cr_assert(eq(u32, gt_crc32c(0, "123456789", 9), 0xe3069283u));
    cr_assert(eq(u32, gt_crc32c(0, "", 0), 0));
    /* Extending over two pieces equals one pass, at every split. */
    const char *s = "GPU compute futures, $2.75 per GPU-hour, H100 index SDH100RT";
    size_t n = strlen(s);
    uint32_t whole = gt_crc32c(0, s, n);
    for (size_t k = 0; k <= n; k++)
        cr_assert(eq(u32, gt_crc32c(gt_crc32c(0, s, k), s + k, n - k), whole), "split %zu", k);
    /* 32 bytes of zeros: RFC 3720 B.4 check value. */
    uint8_t zeros[32] = {0};
    cr_assert(eq(u32, gt_crc32c(0, zeros, sizeof zeros), 0x8a9136aau));
}
