/* SPDX-License-Identifier: MIT */
/* test_arb.c -- A/B arbitration: each sequence processed once and in order,
 * losses on one line healed by the other, common losses reported as exactly
 * the lost ranges, reorders healed inside the window, timeouts, resets and
 * wrap-around, and a property test over many seeded random streams. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include "../feedhandler/arb.h"
#include "gputick/bytes.h"

enum { MAX_OUT = 1 << 16 };

struct rec {
    uint32_t seq[MAX_OUT];
    int line[MAX_OUT];
    int n;
    uint32_t gap_from[256], gap_to[256];
    int n_gaps, n_resets;
    int bad_payload;
};

static void on_deliver(void *ctx, const uint8_t *pkt, size_t len, int line, uint32_t seq)
{
    struct rec *r = ctx;
    /* Payload after the sequence: the sequence again, so a mixed-up slot shows. */
    if (len != 12 || ld_le32(pkt) != seq || ld_le32(pkt + 4) != seq || ld_le32(pkt + 8) != ~seq)
        r->bad_payload++;
    if (r->n < MAX_OUT) {
        r->seq[r->n] = seq;
        r->line[r->n] = line;
    }
    r->n++;
}

static void on_gap(void *ctx, uint32_t from, uint32_t to)
{
    struct rec *r = ctx;
    if (r->n_gaps < 256) {
        r->gap_from[r->n_gaps] = from;
        r->gap_to[r->n_gaps] = to;
    }
    r->n_gaps++;
}

static void on_reset(void *ctx, uint32_t old_next)
{
    (void)old_next;
    ((struct rec *)ctx)->n_resets++;
}

static int n_resync;
static uint32_t resync_from, resync_next;

static void on_resync(void *ctx, uint32_t from, uint32_t next)
{
    (void)ctx;
    n_resync++;
    resync_from = from;
    resync_next = next;
}

static struct arb a;
static struct rec *r;

static void setup_arb(uint32_t max_held, int64_t max_wait_ns)
{
    r = calloc(1, sizeof *r);
    cr_assert(r != NULL);
    struct arb_config c = {.max_held = max_held,
                           .max_wait_ns = max_wait_ns,
                           .ctx = r,
                           .deliver = on_deliver,
                           .gap = on_gap,
                           .reset = on_reset,
                           .resync = on_resync};
    cr_assert(eq(int, arb_init(&a, &c), GT_OK));
}

static int offer(int line, uint32_t seq, int64_t now)
{
    uint8_t p[12];
    st_le32(p, seq);
    st_le32(p + 4, seq);
    st_le32(p + 8, ~seq);
    return arb_offer(&a, line, p, sizeof p, now);
}

/* Sequences from..end-1 on line A, then on B, each at time = its sequence. */
static void offer_both(uint32_t from, uint32_t end)
{
    for (uint32_t s = from; s != end; s++) {
        offer(ARB_LINE_A, s, s);
        offer(ARB_LINE_B, s, s);
    }
}

static void check_in_order(uint32_t first, int n)
{
    cr_assert(eq(int, r->n, n));
    cr_assert(eq(int, r->bad_payload, 0));
    for (int i = 0; i < n; i++)
        cr_assert(eq(u32, r->seq[i], first + (uint32_t)i), "delivery %d", i);
}

Test(arb, identical_lines_deliver_each_sequence_once)
{
    setup_arb(16, 1000000);
    for (uint32_t s = 100; s < 1100; s++) {
        cr_assert(eq(int, offer(ARB_LINE_A, s, s), 1));
        cr_assert(eq(int, offer(ARB_LINE_B, s, s), 0));
    }
    check_in_order(100, 1000);
    cr_assert(eq(u64, a.stats.accepted[0], 1000));
    cr_assert(eq(u64, a.stats.duplicates[1], 1000));
    cr_assert(eq(u64, a.stats.gaps, 0));
    arb_fini(&a);
}

Test(arb, independent_loss_on_each_line_needs_no_gap)
{
    setup_arb(16, 1000000);
    srand(7);
    int n = 5000;
    for (uint32_t s = 1; s <= (uint32_t)n; s++) {
        int lose = rand() % 10; /* 0: lost on A, 1: lost on B */
        int b_first = rand() % 2;
        for (int k = 0; k < 2; k++) {
            int line = k ^ b_first;
            if (lose != line)
                offer(line, s, s);
        }
    }
    check_in_order(1, n);
    cr_assert(eq(u64, a.stats.gaps, 0));
    cr_assert(gt(u64, a.stats.accepted[0], 0));
    cr_assert(gt(u64, a.stats.accepted[1], 0));
    arb_fini(&a);
}

Test(arb, common_loss_is_reported_as_exactly_the_lost_ranges)
{
    setup_arb(8, 1000000);
    int64_t t = 0;
    for (uint32_t s = 1; s <= 200; s++) {
        int lost = (s >= 50 && s <= 52) || s == 90 || (s >= 150 && s <= 170);
        if (!lost) {
            offer(ARB_LINE_A, s, t);
            offer(ARB_LINE_B, s, t);
        }
        t += 10;
    }
    cr_assert(eq(int, r->n_gaps, 3));
    cr_assert(eq(u32, r->gap_from[0], 50));
    cr_assert(eq(u32, r->gap_to[0], 52));
    cr_assert(eq(u32, r->gap_from[1], 90));
    cr_assert(eq(u32, r->gap_to[1], 90));
    cr_assert(eq(u32, r->gap_from[2], 150));
    cr_assert(eq(u32, r->gap_to[2], 170));
    cr_assert(eq(u64, a.stats.lost, 3 + 1 + 21));
    arb_poll(&a, t + 2000000);
    cr_assert(eq(int, r->n, 200 - 25));
    for (int i = 1; i < r->n; i++)
        cr_assert(gt(u32, r->seq[i], r->seq[i - 1]));
    arb_fini(&a);
}

Test(arb, reorder_within_window_is_healed_without_gap)
{
    setup_arb(8, 1000000);
    uint32_t order[] = {1, 2, 5, 4, 3, 6, 9, 8, 7, 10};
    for (int i = 0; i < 10; i++)
        offer(ARB_LINE_A, order[i], i);
    check_in_order(1, 10);
    cr_assert(eq(u64, a.stats.gaps, 0));
    cr_assert(eq(u64, a.stats.reorders_healed, 2));
    cr_assert(eq(u32, r->line[3], ARB_LINE_A));
    arb_fini(&a);
}

/* A line that runs past the window while a hole waits, close to what it last
 * gave, did not jump: the oldest holes give way. */
Test(arb, beyond_window_declares_oldest_holes_then_drops_late_packet)
{
    setup_arb(4, 1000000000);
    offer(ARB_LINE_A, 1, 0);
    offer(ARB_LINE_A, 3, 1);
    cr_assert(eq(int, r->n, 1));
    cr_assert(eq(int, offer(ARB_LINE_A, 7, 2), 1)); /* 7 - 2 > 4: hole 2 is lost, 3 goes */
    cr_assert(eq(int, r->n_gaps, 1));
    cr_assert(eq(u32, r->gap_from[0], 2));
    cr_assert(eq(u32, r->gap_to[0], 2));
    cr_assert(eq(u32, r->seq[1], 3));
    cr_assert(eq(int, offer(ARB_LINE_B, 2, 3), 0)); /* late: dropped as old */
    cr_assert(eq(u64, a.stats.duplicates[1], 1));
    cr_assert(eq(int, offer(ARB_LINE_A, 10, 4), 1)); /* 10 - 4 > 4: 4..6 lost, 7 goes */
    cr_assert(eq(int, r->n_gaps, 2));
    cr_assert(eq(u32, r->gap_from[1], 4));
    cr_assert(eq(u32, r->gap_to[1], 6));
    cr_assert(eq(u32, r->seq[2], 7));
    cr_assert(eq(u32, arb_next(&a), 8));
    cr_assert(eq(u64, a.stats.lost, 1 + 3));
    cr_assert(eq(u64, a.stats.suspects[0] + a.stats.suspects[1], 0));
    arb_fini(&a);
}

/* One packet far ahead on one line, whatever its sequence, is a lone
 * suspect: the stream goes on as if it never came. */
Test(arb, a_lone_jump_on_one_line_changes_nothing)
{
    setup_arb(16, 1000);
    const uint32_t forged[] = {100 + 17, 100 + (1u << 30), 0x7ffffff0u, 0x80000010u, 1, 99};
    uint32_t s = 100;
    for (size_t k = 0; k < sizeof forged / sizeof forged[0]; k++) {
        for (int i = 0; i < 50; i++, s++) {
            offer(ARB_LINE_A, s, s * 10);
            offer(ARB_LINE_B, s, s * 10 + 1);
        }
        offer(ARB_LINE_A, forged[k] + (k == 0 ? s - 100 : 0), s * 10 + 2);
        arb_poll(&a, s * 10 + 5000); /* long past the wait */
    }
    for (int i = 0; i < 50; i++, s++)
        offer(ARB_LINE_B, s, s * 10);
    check_in_order(100, (int)(s - 100));
    cr_assert(eq(int, r->n_gaps, 0));
    cr_assert(eq(int, r->n_resets, 0));
    cr_assert(eq(u64, a.stats.suspects[0], 4), "one below the expectation is a duplicate");
    cr_assert(eq(u64, a.stats.jumps, 0));
    arb_fini(&a);
}

/* Property: a stream on both lines with per-line loss, and random sequences
 * (and random runs of them) among line A's packets: every sequence of the
 * stream delivered once, in order, and no gap. */
Test(arb, random_sequences_on_one_line_change_nothing, .timeout = 30)
{
    for (unsigned seed = 1; seed <= 50; seed++) {
        setup_arb(64, 2000);
        srand(seed);
        uint32_t base = (uint32_t)rand() * 2654435761u;
        int64_t t = 0;
        for (int i = 0; i < 3000; i++) {
            uint32_t s = base + (uint32_t)i;
            if (rand() % 10)
                offer(ARB_LINE_A, s, t++);
            offer(ARB_LINE_B, s, t++);
            if (rand() % 3 == 0) {
                uint32_t x = (uint32_t)rand() * 2654435761u ^ (uint32_t)rand();
                for (int k = rand() % 4 ? 1 : 1 + rand() % 12; k > 0; k--) /* runs too */
                    offer(ARB_LINE_A, x++, t++);
            }
            if (rand() % 50 == 0)
                arb_poll(&a, t += 5000);
        }
        check_in_order(base, 3000);
        cr_assert(eq(int, r->n_gaps, 0), "seed %u", seed);
        cr_assert(eq(int, r->n_resets, 0), "seed %u", seed);
        cr_assert(eq(u64, a.stats.resyncs, 0), "seed %u", seed);
        cr_assert(gt(u64, a.stats.suspects[0], 500), "seed %u", seed);
        arb_fini(&a);
        free(r);
    }
}

/* Packets lost on both lines beyond the window: the lines agree on the jump,
 * which is a gap at once. */
Test(arb, a_jump_on_both_lines_is_a_gap)
{
    setup_arb(16, 1000000);
    offer_both(1, 11);
    cr_assert(eq(int, offer(ARB_LINE_A, 5000, 20), 0), "held as suspect");
    cr_assert(eq(int, offer(ARB_LINE_A, 5001, 21), 0));
    cr_assert(eq(int, offer(ARB_LINE_B, 5000, 22), 2), "line B confirms");
    cr_assert(eq(int, r->n_gaps, 1));
    cr_assert(eq(u32, r->gap_from[0], 11));
    cr_assert(eq(u32, r->gap_to[0], 4999));
    offer(ARB_LINE_B, 5001, 23);
    offer(ARB_LINE_B, 5002, 24);
    cr_assert(eq(int, r->n, 13));
    for (int i = 0; i < 10; i++)
        cr_assert(eq(u32, r->seq[i], (uint32_t)i + 1));
    cr_assert(eq(u32, r->seq[10], 5000));
    cr_assert(eq(u32, r->seq[12], 5002));
    cr_assert(eq(u64, a.stats.jumps, 1));
    cr_assert(eq(u64, a.stats.suspect_dropped, 0));
    arb_fini(&a);
}

/* Line B dead, line A jumps: confirm_run packets in a row after the wait
 * confirm it; before the wait they wait, and arb_due() names the moment. */
Test(arb, a_jump_on_a_lone_line_is_confirmed_by_a_run_after_the_wait)
{
    setup_arb(16, 1000);
    for (uint32_t s = 1; s <= 10; s++)
        offer(ARB_LINE_A, s, s);
    for (uint32_t s = 900; s < 908; s++)
        cr_assert(eq(int, offer(ARB_LINE_A, s, 100 + s - 900), 0));
    cr_assert(eq(i64, arb_due(&a), 1100));
    cr_assert(eq(int, arb_poll(&a, 1099), 0));
    cr_assert(eq(int, arb_poll(&a, 1100), 8));
    cr_assert(eq(int, r->n_gaps, 1));
    cr_assert(eq(u32, r->gap_from[0], 11));
    cr_assert(eq(u32, r->gap_to[0], 899));
    cr_assert(eq(int, offer(ARB_LINE_A, 908, 1200), 1));
    cr_assert(eq(u32, r->seq[r->n - 1], 908));
    cr_assert(eq(i64, arb_due(&a), INT64_MAX));
    arb_fini(&a);
}

/* A run on line A while line B speaks is contradicted: no jump, ever. */
Test(arb, a_run_on_one_line_while_the_other_speaks_is_no_jump)
{
    setup_arb(16, 1000);
    uint32_t s = 11;
    offer_both(1, s);
    for (uint32_t k = 0; k < 12; k++)
        offer(ARB_LINE_A, 1000000 + k, 20 + k);
    offer(ARB_LINE_B, s++, 40);
    cr_assert(eq(i64, arb_due(&a), INT64_MAX), "nothing to confirm");
    arb_poll(&a, 100000);
    offer(ARB_LINE_B, s++, 100001);
    check_in_order(1, 12);
    cr_assert(eq(int, r->n_gaps, 0));
    cr_assert(eq(u64, a.stats.suspects[0], 12));
    arb_fini(&a);
}

/* A forger on both lines makes a jump look real; the stream keeps arriving
 * below the new expectation, and the channel re-synchronizes to it: nothing
 * delivered twice, the forged packet the only one out of place. */
Test(arb, a_false_jump_on_both_lines_resynchronizes)
{
    setup_arb(16, 1000);
    uint32_t s = 101;
    offer_both(1, s);
    uint32_t x = 1u << 30;
    offer(ARB_LINE_A, x, 200);
    offer(ARB_LINE_B, x, 201);
    cr_assert(eq(int, r->n_gaps, 1), "the forged jump looked real");
    cr_assert(eq(u32, r->seq[100], x));
    offer(ARB_LINE_A, s, 300);
    cr_assert(eq(int, n_resync, 0), "one line's word is not enough");
    offer(ARB_LINE_B, s, 301);
    cr_assert(eq(int, n_resync, 1));
    cr_assert(eq(u32, resync_from, 101));
    cr_assert(eq(u32, resync_next, 101), "nothing of the stream was lost");
    for (s++; s <= 200; s++) {
        offer(ARB_LINE_A, s, s + 300);
        offer(ARB_LINE_B, s, s + 300);
    }
    cr_assert(eq(int, r->n, 201));
    for (int i = 101; i < 201; i++)
        cr_assert(eq(u32, r->seq[i], (uint32_t)i), "delivery %d", i);
    cr_assert(eq(u64, a.stats.resyncs, 1));
    /* Line B falls silent this time: a run of line A that keeps coming for
     * ARB_LONE_WAITS waits; a burst of it is not enough. */
    offer(ARB_LINE_A, x, 600);
    offer(ARB_LINE_B, x, 601);
    cr_assert(eq(int, r->n_gaps, 2));
    for (int k = 0; k < 8; k++)
        offer(ARB_LINE_A, s + (uint32_t)k, 700 + k);
    arb_poll(&a, 1000000);
    cr_assert(eq(int, n_resync, 1), "a burst");
    for (int k = 0; k < 10; k++, s++)
        offer(ARB_LINE_A, s, 2000000 + 2000 * k); /* 201..210, over 18 waits */
    cr_assert(eq(int, n_resync, 2));
    cr_assert(eq(u32, resync_from, 201));
    cr_assert(eq(u32, resync_next, 201));
    cr_assert(eq(u32, r->seq[r->n - 1], 210));
    cr_assert(eq(int, r->n, 212));
    arb_fini(&a);
}

/* The first packet offered was forged: the stream below it re-synchronizes
 * the channel, with nothing said lost. */
Test(arb, a_forged_first_packet_is_undone)
{
    setup_arb(16, 1000);
    offer(ARB_LINE_A, 0x10000000u, 0);
    offer_both(500, 600);
    cr_assert(eq(int, n_resync, 1));
    cr_assert(eq(u32, resync_from, 500));
    cr_assert(eq(u32, resync_next, 500));
    cr_assert(eq(int, r->n, 101));
    for (int i = 1; i < 101; i++)
        cr_assert(eq(u32, r->seq[i], 499 + (uint32_t)i));
    arb_fini(&a);
}

/* A sequence 1 on one line is no reset; on both it is. */
Test(arb, a_reset_needs_both_lines_or_a_run)
{
    setup_arb(16, 1000);
    uint32_t s = 6000;
    offer_both(5000, s);
    offer(ARB_LINE_A, 1, 7000);
    for (int k = 0; k < 10; k++, s++) {
        offer(ARB_LINE_A, s, 7001 + k);
        offer(ARB_LINE_B, s, 7001 + k);
    }
    arb_poll(&a, 100000);
    cr_assert(eq(int, r->n_resets, 0));
    check_in_order(5000, 1010);
    offer(ARB_LINE_B, 1, 100001);
    offer(ARB_LINE_A, 1, 100002);
    cr_assert(eq(int, r->n_resets, 1));
    cr_assert(eq(u32, r->seq[r->n - 1], 1));
    arb_fini(&a);
}

Test(arb, timeout_releases_held_packets)
{
    setup_arb(64, 1000);
    offer(ARB_LINE_A, 10, 0);
    offer(ARB_LINE_A, 12, 100);
    offer(ARB_LINE_B, 13, 200);
    cr_assert(eq(int, arb_poll(&a, 1099), 0));
    cr_assert(eq(int, r->n_gaps, 0));
    cr_assert(eq(int, arb_poll(&a, 1100), 2));
    cr_assert(eq(int, r->n_gaps, 1));
    cr_assert(eq(u32, r->gap_from[0], 11));
    cr_assert(eq(u32, r->gap_to[0], 11));
    cr_assert(eq(u32, r->seq[1], 12));
    cr_assert(eq(u32, r->seq[2], 13));
    cr_assert(eq(int, r->line[2], ARB_LINE_B));
    cr_assert(eq(u32, arb_next(&a), 14));
    arb_fini(&a);
}

/* A receiver that reads a batch from both lines at one moment offers line A's
 * later packets before line B's copy of the missing one. When the batch came
 * after a long wait (a busy CPU), aging the hole at A's packet would call it a
 * gap a moment before B fills it: with aging on offer turned off, the batch is
 * offered whole and only the poll after it ages holes. */
static int batch_after_a_wait(int age_on_offer)
{
    setup_arb(64, 1000);
    arb_age_on_offer(&a, age_on_offer);
    offer(ARB_LINE_A, 10, 0);
    offer(ARB_LINE_A, 12, 0); /* 11 dropped on line A; B's copy not read yet */
    arb_poll(&a, 0);
    /* The next batch, read 5 waits later: more of line A, then B's 11. */
    offer(ARB_LINE_A, 13, 5000);
    offer(ARB_LINE_B, 11, 5000);
    arb_poll(&a, 5000);
    int gaps = r->n_gaps;
    if (!age_on_offer)
        check_in_order(10, 4);
    arb_fini(&a);
    free(r);
    return gaps;
}

Test(arb, a_batch_is_offered_whole_before_its_holes_age)
{
    cr_assert(eq(int, batch_after_a_wait(0), 0), "line B's copy in the same batch fills it");
    cr_assert(eq(int, batch_after_a_wait(1), 1), "aging on offer calls it a gap first");
}

/* A capture replay polls at the moment arb_due() names: the hole is a gap
 * exactly then, not a nanosecond before; after it the next hole's moment. */
Test(arb, arb_due_is_the_moment_the_hole_becomes_a_gap)
{
    setup_arb(64, 1000);
    cr_assert(eq(i64, arb_due(&a), INT64_MAX), "nothing held");
    offer(ARB_LINE_A, 1, 100);
    offer(ARB_LINE_A, 3, 200); /* 2 missing: a hole since 200 */
    offer(ARB_LINE_A, 6, 700); /* 4, 5 missing */
    cr_assert(eq(i64, arb_due(&a), 1200));
    arb_poll(&a, arb_due(&a) - 1);
    cr_assert(eq(int, r->n_gaps, 0));
    arb_poll(&a, arb_due(&a));
    cr_assert(eq(int, r->n_gaps, 1));
    cr_assert(eq(u32, r->gap_from[0], 2));
    cr_assert(eq(i64, arb_due(&a), 1700), "the next hole, since packet 6 arrived");
    arb_poll(&a, 1700);
    cr_assert(eq(int, r->n_gaps, 2));
    cr_assert(eq(i64, arb_due(&a), INT64_MAX));
    cr_assert(eq(int, r->n, 3));
    cr_assert(eq(u32, r->seq[2], 6));
    arb_fini(&a);
}

Test(arb, sequence_reset_to_one_is_reported_and_restarts)
{
    setup_arb(16, 1000000);
    for (uint32_t s = 5000; s < 6000; s++)
        offer(ARB_LINE_A, s, 0);
    offer(ARB_LINE_A, 6001, 0); /* held, then flushed by the reset */
    offer(ARB_LINE_A, 1, 1);
    offer(ARB_LINE_B, 1, 1);
    offer(ARB_LINE_A, 2, 2);
    cr_assert(eq(int, r->n_resets, 1));
    cr_assert(eq(u64, a.stats.resets, 1));
    cr_assert(eq(int, r->n, 1000 + 1 + 2));
    cr_assert(eq(u32, r->seq[1000], 6001));
    cr_assert(eq(u32, r->seq[1001], 1));
    cr_assert(eq(u32, r->seq[1002], 2));
    cr_assert(eq(u64, a.stats.duplicates[1], 1));
    /* A late copy of 1 shortly after is a duplicate, not another reset. */
    offer(ARB_LINE_B, 1, 3);
    cr_assert(eq(int, r->n_resets, 1));
    arb_fini(&a);
}

Test(arb, sequence_wraps_at_2_pow_32)
{
    setup_arb(16, 1000000);
    uint32_t s = UINT32_MAX - 5;
    for (int i = 0; i < 12; i++, s++) {
        offer(ARB_LINE_B, s, i);
        offer(ARB_LINE_A, s, i);
    }
    check_in_order(UINT32_MAX - 5, 12);
    cr_assert(eq(u64, a.stats.gaps, 0));
    cr_assert(eq(u64, a.stats.resets, 0));
    arb_fini(&a);
}

Test(arb, short_packet_is_counted_not_delivered)
{
    setup_arb(16, 1000000);
    uint8_t p[3] = {1, 0, 0};
    cr_assert(eq(int, arb_offer(&a, ARB_LINE_A, p, 3, 0), 0));
    cr_assert(eq(u64, a.stats.malformed[0], 1));
    cr_assert(eq(int, arb_offer(&a, 2, p, 3, 0), GT_EINVAL));
    arb_fini(&a);
}

/* Property: random streams with per-line loss, common loss, jitter and
 * duplicates; the delivered sequences are strictly increasing, each was
 * offered, none twice, every one not lost on both lines is delivered, and the
 * gaps cover exactly the commonly lost ones. */
Test(arb, random_streams_deliver_the_expected_set, .timeout = 30)
{
    enum { N = 3000, W = 32 };
    for (unsigned seed = 1; seed <= 200; seed++) {
        setup_arb(W, 1000000000);
        srand(seed);
        uint32_t base = (uint32_t)rand() * 2654435761u;
        static uint8_t on_a[N], on_b[N], seen[N];
        memset(seen, 0, sizeof seen);
        int p_loss = rand() % 30, p_common = rand() % 5;
        for (int i = 0; i < N; i++) {
            int common = rand() % 100 < p_common;
            on_a[i] = !common && rand() % 100 >= p_loss;
            on_b[i] = !common && (rand() % 100 >= p_loss || !on_a[i]);
            if (common)
                on_a[i] = on_b[i] = 0;
        }
        /* Each line sends in order with a little local jitter (swap of
         * neighbours), B lags A by up to 8 packets. */
        int ia = 0, ib = 0, lag = 1 + rand() % 8;
        int64_t t = 0;
        while (ia < N || ib < N) {
            int pick_a = ib >= N || (ia < N && (ib >= ia || (ia - ib < lag && rand() % 2)));
            int *ip = pick_a ? &ia : &ib;
            uint8_t *on = pick_a ? on_a : on_b;
            int i = *ip;
            if (i + 1 < N && rand() % 20 == 0 && on[i] && on[i + 1]) {
                offer(pick_a ? 0 : 1, base + (uint32_t)i + 1, t++);
                offer(pick_a ? 0 : 1, base + (uint32_t)i, t++);
                *ip += 2;
            } else {
                if (on[i])
                    offer(pick_a ? 0 : 1, base + (uint32_t)i, t++);
                *ip += 1;
            }
        }
        arb_poll(&a, INT64_MAX / 2);
        cr_assert(eq(int, r->bad_payload, 0));
        int want = 0;
        for (int i = 0; i < N; i++)
            want += on_a[i] || on_b[i];
        /* The first sequence offered may be later than base; count from it. */
        cr_assert(le(int, r->n, want), "seed %u", seed);
        for (int k = 0; k < r->n; k++) {
            uint32_t i = r->seq[k] - base;
            cr_assert(lt(u32, i, N), "seed %u", seed);
            cr_assert(on_a[i] || on_b[i], "seed %u: seq %u never offered", seed, i);
            cr_assert(eq(int, seen[i], 0), "seed %u: seq %u twice", seed, i);
            seen[i] = 1;
            if (k)
                cr_assert(gt(u32, r->seq[k] - r->seq[k - 1], 0), "seed %u", seed);
            if (k)
                cr_assert(lt(u32, r->seq[k] - r->seq[k - 1], 0x80000000u), "seed %u", seed);
        }
        /* With lag and jitter under the window, nothing offered is missed
         * after the first delivery. */
        uint32_t first = r->seq[0] - base;
        for (uint32_t i = first; i < N; i++)
            if (on_a[i] || on_b[i])
                cr_assert(eq(int, seen[i], 1), "seed %u: seq %u lost", seed, i);
        uint64_t lost = 0;
        for (uint32_t i = first; i < r->seq[r->n - 1] - base; i++)
            lost += !on_a[i] && !on_b[i];
        cr_assert(eq(u64, a.stats.lost, lost), "seed %u", seed);
        arb_fini(&a);
        free(r);
    }
}
