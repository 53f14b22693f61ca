/* SPDX-License-Identifier: MIT */
/* test_hostile.c -- forged and corrupt packets on the incremental lines, live.
 *
 * ticksim's hostile fault (tools/ticksim/fault.h) forges well-framed MDP 3.0
 * datagrams among the real ones: random MsgSeqNums, jumps ahead, flipped
 * sequence bits, random bodies. Each live test runs ticksim and tickfeed as
 * the user does, over real multicast on 127.0.0.1 with TTL 0, and compares
 * tickfeed's journal with ticksim's truth file (e2e.h):
 *   - forged on ONE line, whatever their sequence numbers: no gap, no stale
 *     book, every trade once, final books equal to the truth;
 *   - forged alike on BOTH lines (a forger the arbiter cannot out-vote): the
 *     false jumps are undone, every book recovered within one snapshot cycle
 *     of the last forged packet, every entry that did not come through inside
 *     a published stale period, the feed healthy to the end of the day.
 * A unit test checks the forger itself: two lines forge alike, and what they
 * forge frames as MDP 3.0. */
#define GT_E2E_TRUTH
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "e2e.h"
#include "fault.h"
#include "gputick/bytes.h"
#include "mdp3.h"
#include "gputick/tick.h"

E2E_SUITE(hostile, "gthostile-test", 56000, 400, 240);

/* ---- the forger ---------------------------------------------------------- */

enum { OUT_MAX = 512 };

struct line_out {
    uint32_t real; /* MsgSeqNum of the real packet being pushed */
    uint32_t seq[OUT_MAX], real_at[OUT_MAX];
    uint8_t p[OUT_MAX][FAULT_PKT_CAP];
    size_t len[OUT_MAX];
    int n;
};

static void on_out(void *ctx, int64_t t_ns, const uint8_t *p, size_t len)
{
    (void)t_ns;
    struct line_out *o = ctx;
    cr_assert(lt(int, o->n, OUT_MAX));
    memcpy(o->p[o->n], p, len);
    o->len[o->n] = len;
    o->seq[o->n] = ld_le32(p);
    o->real_at[o->n++] = o->real;
}

/* Does p frame as MDP 3.0: a header, then whole messages to its end? */
static int frames(const uint8_t *p, size_t len)
{
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    int rc, n = 0;
    if (mdp3_pkt_init(&pkt, p, len) < 0)
        return 0;
    while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0)
        n++;
    return rc == 0 && n > 0;
}

Test(hostile, two_lines_forge_alike_and_what_they_forge_frames_as_mdp3)
{
    static const struct {
        int seq, body;
    } modes[] = {{FAULT_SEQ_RANDOM, FAULT_BODY_HEARTBEAT},
                 {FAULT_SEQ_AHEAD, FAULT_BODY_RANDOM},
                 {FAULT_SEQ_FLIP, FAULT_BODY_HEARTBEAT},
                 {FAULT_SEQ_FIXED, FAULT_BODY_RANDOM}};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        static struct line_out out[2];
        memset(out, 0, sizeof out);
        struct fault f[2];
        for (int l = 0; l < 2; l++) {
            /* Different loss on each line: the forger draws apart from it. */
            struct fault_config c = {.drop_p = l ? 0.2 : 0,
                                     .burst_mean = 1,
                                     .hostile_p = 0.3,
                                     .hostile_seq = modes[m].seq,
                                     .hostile_body = modes[m].body,
                                     .hostile_fixed = 123456789,
                                     .hostile_seed = 7};
            cr_assert(eq(int, fault_init(&f[l], &c, 100 + (uint64_t)l, on_out, &out[l]), GT_OK));
        }
        for (uint32_t s = 1000; s < 1200; s++) {
            uint8_t buf[64];
            struct mdp3_enc e;
            mdp3_enc_init(&e, buf, sizeof buf, s, (uint64_t)s * 1000);
            mdp3_enc_heartbeat12(&e);
            for (int l = 0; l < 2; l++) {
                out[l].real = s;
                fault_push(&f[l], (int64_t)s * 1000, buf, mdp3_enc_len(&e));
            }
        }
        cr_assert(eq(u64, f[0].st.n_forged, f[1].st.n_forged));
        cr_assert(gt(u64, f[0].st.n_forged, 30), "mode %zu", m);
        cr_assert(lt(u64, f[0].st.n_forged, 100), "mode %zu", m);
        int forged[2] = {0, 0};
        const uint8_t *first[2][100];
        for (int l = 0; l < 2; l++)
            for (int k = 0; k < out[l].n; k++) {
                if (out[l].seq[k] == out[l].real_at[k])
                    continue; /* the real packet */
                uint32_t seq = out[l].seq[k], real = out[l].real_at[k];
                cr_assert(frames(out[l].p[k], out[l].len[k]), "mode %zu: forged %u frames", m, seq);
                if (modes[m].seq == FAULT_SEQ_AHEAD) {
                    cr_assert(ge(u32, seq - real, 1u << 16));
                    cr_assert(lt(u32, seq - real, 1u << 30));
                } else if (modes[m].seq == FAULT_SEQ_FLIP) {
                    cr_assert(eq(int, __builtin_popcount(seq ^ real), 1));
                    cr_assert(ge(u32, seq ^ real, 1u << 11), "beyond any reorder window");
                } else if (modes[m].seq == FAULT_SEQ_FIXED) {
                    cr_assert(eq(u32, seq, 123456789));
                }
                if (forged[l] < 100)
                    first[l][forged[l]] = out[l].p[k];
                forged[l]++;
            }
        cr_assert(eq(int, forged[0], (int)f[0].st.n_forged));
        cr_assert(eq(int, forged[1], forged[0]));
        for (int k = 0; k < forged[0] && k < 100; k++)
            cr_assert(eq(int, memcmp(first[0][k], first[1][k], 16), 0), "forged alike");
        fault_fini(&f[0]);
        fault_fini(&f[1]);
    }
}

/* ---- live runs ------------------------------------------------------------ */

struct run {
    struct truth t;
    struct seen s;
    char truth_path[128], jdir[128], log_feed[32];
    long forged_a, forged_b;
    int64_t last_forged_ns;
    long kdrops;
};

/* ticksim with fault arguments f1 f2 (NULL-terminated after them) beside
 * tickfeed; reads the truth and the journal into r. */
static void live_run(struct run *r, int seed, const char *day_s, const char *f1, const char *f2)
{
    static int n_run;
    char pub[128], pb[16], sd[16], log_sim[32];
    const char *log_feed = r->log_feed;
    n_run++;
    snprintf(r->truth_path, sizeof r->truth_path, "%s/truth%d.jsonl", dir, n_run);
    snprintf(r->jdir, sizeof r->jdir, "%s/journal%d", dir, n_run);
    snprintf(pub, sizeof pub, "ipc://%s/pub%d", dir, n_run);
    snprintf(pb, sizeof pb, "%d", port_base);
    snprintf(sd, sizeof sd, "%d", seed);
    snprintf(r->log_feed, sizeof r->log_feed, "feed%d.log", n_run);
    snprintf(log_sim, sizeof log_sim, "sim%d.log", n_run);
    /* A generous reorder window for a busy machine, as test_pipeline's. */
    pid_t feed =
        spawn("feedhandler/tickfeed", log_feed, "--port-base", pb, "--journal", r->jdir, "--pub",
              pub, "--router", "", "--idle-exit", "3", "--stats", "0", "--reorder-ms", "300", NULL);
    /* Joined: it says so once its sockets are open. */
    int joined = 0;
    for (int i = 0; i < 2000 && !joined; i++) {
        joined = strstr(log_text(log_feed), "SO_RCVBUF") != NULL;
        if (!joined)
            usleep(10000);
    }
    cr_assert(joined, "tickfeed joined the groups: %s", log_text(log_feed));
    pid_t sim = spawn("tools/ticksim/ticksim", log_sim, "--port-base", pb, "--truth", r->truth_path,
                      "--seed", sd, "--duration", "1h", "--day-seconds", day_s, "--tail", "5m", f1,
                      f2, NULL);
    int rc = proc_wait(sim, 120000);
    if (rc != 0)
        show_log(log_sim);
    cr_assert(eq(int, rc, 0), "ticksim failed");
    rc = proc_wait(feed, 60000);
    if (rc != 0)
        show_log(log_feed);
    cr_assert(eq(int, rc, 0), "tickfeed ran to the end of the day and exited");
    const char *p = strstr(log_text(log_sim), "forged A ");
    cr_assert(not(eq(ptr, (void *)p, NULL)), "%s", log_text(log_sim));
    long long last = 0;
    cr_assert(eq(
        int, sscanf(p, "forged A %ld B %ld (last at %lld ns)", &r->forged_a, &r->forged_b, &last),
        3));
    r->last_forged_ns = last;
    r->kdrops = log_count(log_feed, "kernel-drops");
    cr_assert(ge(long, r->kdrops, 0), "tickfeed printed its stats");
    truth_read(&r->t, r->truth_path);
    journal_read_truth(&r->s, r->jdir, &r->t);
}

static void run_free(struct run *r)
{
    truth_free(&r->t);
    seen_free(&r->s);
}

/* Forged on one line: nothing happens. */
static void one_line(const char *flag, const char *spec, int seed)
{
    struct run *r = calloc(1, sizeof *r);
    live_run(r, seed, "60", flag, spec);
    long forged = r->forged_a + r->forged_b;
    fprintf(stderr,
            "hostile %s %s: %ld forged packets among %llu records published; %zu trades and %d "
            "books compared with the truth; kernel drops %ld\n",
            flag, spec, forged, (unsigned long long)r->s.n, r->t.n_trades, r->t.n_books, r->kdrops);
    cr_assert(gt(long, forged, 300));
    cr_assert(eq(sz, r->t.n_lost, 0), "the run lost nothing on both lines");
    if (r->kdrops == 0) {
        cr_assert(eq(u64, r->s.stale, 0), "no book ever stale");
        assert_matches_truth(&r->s, &r->t);
    } else {
        /* The kernel dropped datagrams: a loss the truth cannot know of. */
        fprintf(stderr, "hostile: the kernel dropped %ld datagrams; trades not compared\n",
                r->kdrops);
        assert_matches_truth_opt(&r->s, &r->t, 0);
    }
    run_free(r);
    free(r);
}

Test(hostile, random_sequences_and_bodies_on_line_a_change_nothing)
{
    one_line("--fault-a", "hostile=0.05,hseq=random,hbody=random", 6);
}

Test(hostile, jumps_ahead_on_line_b_change_nothing)
{
    one_line("--fault-b", "hostile=0.05,hseq=ahead,hbody=random", 7);
}

Test(hostile, flipped_sequence_bits_on_line_a_change_nothing)
{
    one_line("--fault-a", "hostile=0.05,hseq=flip", 8);
}

/* ---- both lines ------------------------------------------------------------ */

static int cmp_lost(const void *a, const void *b)
{
    int64_t x = ((const struct lost *)a)->t_ns, y = ((const struct lost *)b)->t_ns;
    return (x > y) - (x < y);
}

static int has_trade(const struct seen *s, uint64_t key)
{
    return bsearch(&key, s->trades, s->n_trades, sizeof key, cmp_u64) != NULL;
}

/* The truth's trades that the journal lacks, added to its losses in time
 * order: each must then lie inside a published stale period. Returns how
 * many. */
static size_t trades_missing_as_losses(struct truth *t, const struct seen *s, const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert(not(eq(ptr, f, NULL)));
    static char line[1 << 16];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "{\"type\":\"trade\"", 15) != 0 || strstr(line, "\"lost\":true"))
            continue;
        uint64_t key = (uint64_t)jnum(line, "security_id") << 32 | (uint32_t)jnum(line, "trade_id");
        if (has_trade(s, key))
            continue;
        cr_assert(lt(sz, t->n_lost, MAX_TRADES));
        t->lost[t->n_lost++] = (struct lost){(int32_t)jnum(line, "security_id"),
                                             (uint32_t)jnum(line, "seq"), jnum(line, "t_ns")};
        n++;
    }
    fclose(f);
    qsort(t->lost, t->n_lost, sizeof *t->lost, cmp_lost);
    return n;
}

/* Forged alike on both lines (spec), the arbiter cannot out-vote it: the
 * false jumps are undone, every book recovered within one snapshot cycle,
 * nothing published that the exchange did not make, every entry that did
 * not come through inside a published stale period, healthy to the end. */
static void both_lines(const char *spec, int seed)
{
    enum { SNAP_EVERY_S = 30 }; /* ticksim's default snapshot loop */
    struct run *r = calloc(1, sizeof *r);
    /* Paced at one day in 240 s, ticksim's default: a market second is 2.8
     * ms of the wall clock, so the market clock read from the journal moves
     * by whole seconds when a busy machine delays one socket's reading. */
    live_run(r, seed, "240", "--fault", spec);
    cr_assert(gt(long, r->forged_a, 20));
    cr_assert(eq(long, r->forged_b, r->forged_a), "both lines forged alike");
    const char *log = r->log_feed;
    long jumps = log_count(log, "jumps"), resyncs = log_count(log, "resyncs");
    cr_assert(gt(long, jumps, 0), "forged jumps on both lines looked real: %s", log_text(log));
    cr_assert(eq(long, resyncs, jumps), "every false jump undone");
    cr_assert(eq(long, log_count(log, "gaps"), 0), "%s", log_text(log));
    /* No trade published that the exchange did not make, none twice. */
    for (size_t i = 0; i < r->s.n_trades; i++) {
        cr_assert(bsearch(&r->s.trades[i], r->t.trades, r->t.n_trades, sizeof r->t.trades[0],
                          cmp_u64) != NULL,
                  "trade %zu was made", i);
        if (i)
            cr_assert(gt(u64, r->s.trades[i], r->s.trades[i - 1]), "trade %zu once", i);
    }
    /* Healthy at the end of the day: the exchange's books, none stale. */
    assert_matches_truth_opt(&r->s, &r->t, 0);
    /* From each book's latest STALE (a false jump undone: the last forged
     * packet that touched it) to its RECOVERED, on the market's clock: one
     * snapshot cycle, and 10 s for the clock's grain (it moves with the
     * incremental ticks, and with the order in which a busy receiver reads
     * the snapshot and incremental sockets), on a quiet machine (28.1-28.9 s
     * measured). A receiver delayed 100 ms reads a cycle's snapshot after the
     * incrementals it covers (36 market seconds at this pace) and waits for
     * the next, 30 s later (53.8 s seen once in CI at load 8): the bound is
     * two cycles. The issue's own bound, every book recovered within one
     * cycle of the last forged packet, is the assertion after this one. */
    cr_assert(gt(u64, r->s.stale, 0), "the false jumps were published");
    cr_assert(le(i64, r->s.stale_max_clock_ns, (2 * SNAP_EVERY_S + 10) * 1000000000LL));
    cr_assert(le(i64, r->s.recovered_clock_ns, r->last_forged_ns + SNAP_EVERY_S * 1000000000LL),
              "last recovery at %" PRId64 ", last forged packet at %" PRId64,
              r->s.recovered_clock_ns, r->last_forged_ns);
    /* Every entry that did not come through lies inside a published stale
     * period of its book. */
    size_t missing = trades_missing_as_losses(&r->t, &r->s, r->truth_path);
    uint64_t stale = r->s.stale;
    int64_t longest = r->s.stale_max_clock_ns;
    seen_free(&r->s);
    journal_read_truth(&r->s, r->jdir, &r->t);
    assert_losses_published(&r->s, &r->t);
    fprintf(stderr,
            "hostile on both lines (%s): %ld forged packets each, %ld jumps confirmed and "
            "undone, %llu stale statuses, longest wait from a stale status to recovery %.1f s of "
            "market time; %zu trades "
            "compared, %zu missing (each inside a stale period); %d books compared; kernel drops "
            "%ld\n",
            spec, r->forged_a, jumps, (unsigned long long)stale, (double)longest / 1e9,
            r->t.n_trades, missing, r->t.n_books, r->kdrops);
    run_free(r);
    free(r);
}

Test(hostile, random_sequences_forged_alike_on_both_lines_are_undone)
{
    both_lines("hostile=0.002,hseq=random,hbody=heartbeat", 9);
}

Test(hostile, jumps_ahead_forged_alike_on_both_lines_are_undone)
{
    both_lines("hostile=0.002,hseq=ahead,hbody=heartbeat", 10);
}
