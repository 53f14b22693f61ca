/* SPDX-License-Identifier: MIT */
/* bench_feed.c -- tickfeed's core (decode + books + normalize + grouping)
 * over an in-memory packet stream, beside decoding the same bytes alone.
 *
 * The stream is a busy channel of 48 futures built with the MDP 3.0 encoder:
 * each packet one match event, a MDIncrementalRefreshBook46 of 1 to 8
 * entries (mostly Change near the top), one in five preceded by a
 * TradeSummary48. The baseline frames every message, decodes it and reads
 * every entry's fields (what any consumer of the codec pays); the feed does
 * that and keeps the books, RptSeq, tops of book and the grouped records,
 * handing each message to an emit that only counts. Rate: book and trade
 * entries per second on one core.
 *
 * The second measure is the issue's own: a ticksim trading day (every feed:
 * both incremental lines, snapshots, definitions, the index channel) written
 * as a pcap, read back and held in memory, then fed to tickfeed's core packet
 * by packet as --pcap does, beside decoding every message of the same packets
 * and reading every entry of every group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "feed.h"
#include "feedday.h"
#include "channels.h"
#include "gputick/err.h"
#include "mdp3.h"

enum { N_INSTR = 48, N_PKTS = 200000, PKT_CAP = 512, ROUNDS = 5 };

struct stream {
    uint8_t *buf; /* N_PKTS packets of PKT_CAP bytes */
    uint16_t *len;
    size_t n_pkts, n_entries;
    uint8_t defs[N_INSTR][PKT_CAP];
    size_t def_len[N_INSTR];
};

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t rnd(uint32_t n)
{
    return bench_rnd(&rng, n);
}

static int make_stream(struct stream *s)
{
    uint32_t rpt[N_INSTR] = {0};
    uint64_t t = 1795000000ull * 1000000000ull;
    if (bench_future_defs(N_INSTR, &s->defs[0][0], PKT_CAP, s->def_len) < 0)
        return GT_EINVAL;
    for (size_t p = 0; p < N_PKTS; p++) {
        struct mdp3_enc e;
        mdp3_enc_init(&e, s->buf + p * PKT_CAP, PKT_CAP, (uint32_t)p + 1, t);
        int k = 1 + (int)rnd(8);
        int32_t id = (int32_t)rnd(N_INSTR);
        struct mdp3_incr m = {.transact_time_ns = t += 1000};
        if (rnd(5) == 0) {
            struct mdp3_trade48_entry tr = {.px = 2750000000 + (int64_t)rnd(10) * 5000000,
                                            .size = 1 + (int32_t)rnd(20),
                                            .security_id = 1000 + id,
                                            .rpt_seq = ++rpt[id],
                                            .n_orders = 2,
                                            .aggressor_side = 1,
                                            .trade_entry_id = (uint32_t)p};
            m.mei = MDP3_MEI_LAST_TRADE;
            if (mdp3_enc_trade48(&e, &m, &tr, 1, NULL, 0) < 0)
                return GT_EINVAL;
            s->n_entries++;
        }
        struct mdp3_book46_entry en[8];
        for (int j = 0; j < k; j++) {
            uint32_t a = rnd(100);
            en[j] = (struct mdp3_book46_entry){
                .px = 2750000000 + (int64_t)rnd(40) * 5000000,
                .size = 1 + (int32_t)rnd(200),
                .security_id = 1000 + id,
                .rpt_seq = ++rpt[id],
                .n_orders = 1 + (int32_t)rnd(20),
                .price_level = (uint8_t)(a < 80 ? 1 + rnd(3) : 1 + rnd(10)),
                .update_action = (uint8_t)(a < 80   ? MDP3_ACT_CHANGE
                                           : a < 90 ? MDP3_ACT_NEW
                                                    : MDP3_ACT_DELETE),
                .entry_type = rnd(2) ? MDP3_ET_BID : MDP3_ET_OFFER,
                .tradeable_size = MDP3_I32_NULL};
        }
        m.mei = MDP3_MEI_LAST_QUOTE | MDP3_MEI_END_OF_EVENT;
        if (mdp3_enc_book46(&e, &m, en, (size_t)k, NULL, 0) < 0)
            return GT_EINVAL;
        s->n_entries += (size_t)k;
        s->len[p] = (uint16_t)mdp3_enc_len(&e);
    }
    s->n_pkts = N_PKTS;
    return GT_OK;
}

/* The baseline: frame, decode and read every entry. */
static uint64_t decode_only(const struct stream *s)
{
    uint64_t sum = 0;
    for (size_t p = 0; p < s->n_pkts; p++) {
        struct mdp3_pkt pkt;
        struct mdp3_msg msg;
        struct mdp3_incr m;
        mdp3_pkt_init(&pkt, s->buf + p * PKT_CAP, s->len[p]);
        while (mdp3_pkt_next(&pkt, &msg) > 0) {
            if (msg.template_id == MDP3_T_BOOK46 && mdp3_book46_decode(&msg, &m) == GT_OK) {
                for (size_t i = 0; i < m.entries.n; i++) {
                    struct mdp3_book46_entry e;
                    mdp3_book46_entry(&m, i, &e);
                    sum += (uint64_t)e.px + (uint64_t)e.size + e.price_level + e.rpt_seq;
                }
            } else if (msg.template_id == MDP3_T_TRADE_SUMMARY48 &&
                       mdp3_trade48_decode(&msg, &m) == GT_OK) {
                for (size_t i = 0; i < m.entries.n; i++) {
                    struct mdp3_trade48_entry e;
                    mdp3_trade48_entry(&m, i, &e);
                    sum += (uint64_t)e.px + (uint64_t)e.size + e.rpt_seq;
                }
            }
        }
    }
    return sum;
}

static uint64_t emitted;
static int count_emit(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    (void)ctx, (void)topic, (void)tl, (void)recs;
    emitted += n;
    return GT_OK;
}

static int feed_run(const struct stream *s, double *secs)
{
    struct feed *f;
    char err[GT_ERRLEN];
    struct feed_opts o = {.emit = count_emit};
    int rc = feed_open(&f, &o, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < N_INSTR; i++)
        feed_packet(f, GT_FEED_DEF_A, s->defs[i], s->def_len[i], 0);
    double t0 = bench_now();
    for (size_t p = 0; p < s->n_pkts; p++)
        feed_packet(f, GT_FEED_INCR_A, s->buf + p * PKT_CAP, s->len[p], (int64_t)p);
    *secs = bench_now() - t0;
    rc = feed_stats(f)->gaps || feed_stats(f)->n_stale ? GT_ECORRUPT : GT_OK;
    feed_close(f);
    return rc;
}

static int feed_day(void);

int bench_feed(void)
{
    struct stream s = {0};
    s.buf = malloc((size_t)N_PKTS * PKT_CAP);
    s.len = malloc(N_PKTS * sizeof *s.len);
    int rc = s.buf && s.len ? make_stream(&s) : GT_ENOMEM;
    double best_feed = 1e9, best_dec = 1e9;
    for (int r = 0; r < ROUNDS && rc == 0; r++) {
        double t0 = bench_now();
        bench_sink(decode_only(&s));
        double dec = bench_now() - t0, fd = 1e9;
        rc = feed_run(&s, &fd);
        if (dec < best_dec)
            best_dec = dec;
        if (fd < best_feed)
            best_feed = fd;
    }
    if (rc == 0)
        bench_row("feed: decode + books + normalize, M entries/s on one core (baseline: "
                  "decode alone of the same packets; higher is better, goal >= 0.3)",
                  (double)s.n_entries / best_feed / 1e6, (double)s.n_entries / best_dec / 1e6);
    free(s.buf);
    free(s.len);
    return rc < 0 ? rc : feed_day();
}

/* ---- a ticksim day from a pcap in memory (feedday.h) ---- */

/* The baseline: frames every message of every packet, decodes it and reads
 * every entry of its groups. Counts the entries into *n. */
static uint64_t day_decode(const struct feedday *d, unsigned feeds, size_t *n)
{
    uint64_t sum = 0;
    size_t k = 0;
    for (size_t p = 0; p < d->n_pkts; p++) {
        struct mdp3_pkt pkt;
        struct mdp3_msg msg;
        if (!(feeds >> d->pkt[p].feed & 1))
            continue;
        if (mdp3_pkt_init(&pkt, d->pkt[p].p, d->pkt[p].len) < 0)
            continue;
        while (mdp3_pkt_next(&pkt, &msg) > 0) {
            struct mdp3_incr m;
            switch (msg.template_id) {
            case MDP3_T_BOOK46:
                if (mdp3_book46_decode(&msg, &m) == GT_OK)
                    for (size_t i = 0; i < m.entries.n; i++, k++) {
                        struct mdp3_book46_entry e;
                        mdp3_book46_entry(&m, i, &e);
                        sum += (uint64_t)e.px + (uint64_t)e.size + e.price_level + e.rpt_seq +
                               (uint64_t)e.security_id + e.update_action + (uint8_t)e.entry_type;
                    }
                break;
            case MDP3_T_TRADE_SUMMARY48:
                if (mdp3_trade48_decode(&msg, &m) == GT_OK)
                    for (size_t i = 0; i < m.entries.n; i++, k++) {
                        struct mdp3_trade48_entry e;
                        mdp3_trade48_entry(&m, i, &e);
                        sum += (uint64_t)e.px + (uint64_t)e.size + e.rpt_seq +
                               (uint64_t)e.security_id + e.aggressor_side;
                    }
                break;
            case MDP3_T_DAILY_STATISTICS49:
                if (mdp3_daily49_decode(&msg, &m) == GT_OK)
                    for (size_t i = 0; i < m.entries.n; i++, k++) {
                        struct mdp3_daily49_entry e;
                        mdp3_daily49_entry(&m, i, &e);
                        sum += (uint64_t)e.px + (uint64_t)e.size + e.rpt_seq;
                    }
                break;
            case MDP3_T_SESSION_STATISTICS51:
                if (mdp3_session51_decode(&msg, &m) == GT_OK)
                    for (size_t i = 0; i < m.entries.n; i++, k++) {
                        struct mdp3_session51_entry e;
                        mdp3_session51_entry(&m, i, &e);
                        sum += (uint64_t)e.px + (uint64_t)e.size + e.rpt_seq;
                    }
                break;
            case MDP3_T_SNAPSHOT52: {
                struct mdp3_snapshot52 s;
                if (mdp3_snapshot52_decode(&msg, &s) == GT_OK)
                    for (size_t i = 0; i < s.entries.n; i++, k++) {
                        struct mdp3_snapshot52_entry e;
                        mdp3_snapshot52_entry(&s, i, &e);
                        sum += (uint64_t)e.px + (uint64_t)e.size + (uint64_t)e.price_level;
                    }
                break;
            }
            case MDP3_T_DEFINITION_FUTURE54: {
                struct mdp3_def54 df;
                if (mdp3_def54_decode(&msg, &df) == GT_OK)
                    sum += (uint64_t)df.security_id + (uint64_t)df.min_price_increment_px;
                break;
            }
            case MDP3_T_INDICES348: {
                struct mdp3_idx348 x;
                if (mdp3_idx348_decode(&msg, &x) == GT_OK)
                    for (size_t i = 0; i < x.entries.n; i++, k++) {
                        struct mdp3_idx348_entry e;
                        mdp3_idx348_entry(&x, i, &e);
                        sum += (uint64_t)e.px.mantissa + e.rpt_seq + e.entry_code;
                    }
                break;
            }
            default:
                sum += msg.template_id;
            }
        }
    }
    *n = k;
    return sum;
}

static int feed_day(void)
{
    /* ticksim's default day (four products, nine hours), and two minutes of
     * the side loops after its last event. */
    struct sim_config c;
    sim_config_default(&c);
    c.tail_ns = 120 * (int64_t)1000000000;
    struct feedday d;
    char err[GT_ERRLEN];
    int rc = feedday_load(&d, &c, err);
    if (rc < 0) {
        fprintf(stderr, "bench_feed: %s\n", err);
        return rc;
    }
    /* Every feed, as tickfeed --pcap reads the day; then the definitions and
     * incremental line A alone, the book work without line B's duplicates
     * and the snapshot loop (whose entries a live book only checks). */
    static const struct {
        unsigned feeds;
        const char *what;
    } runs[2] = {
        {(1u << GT_N_FEEDS) - 1, "every feed"},
        {1u << GT_FEED_INCR_A | 1u << GT_FEED_DEF_A, "definitions and incremental line A only"},
    };
    for (int v = 0; v < 2 && rc == 0; v++) {
        double best_feed = 1e9, best_dec = 1e9;
        size_t n = 0;
        for (int r = 0; r < ROUNDS && rc == 0; r++) {
            double t0 = bench_now();
            bench_sink(day_decode(&d, runs[v].feeds, &n));
            double dec = bench_now() - t0, fd = 1e9;
            rc = feedday_feed(&d, runs[v].feeds, count_emit, NULL, &fd);
            if (dec < best_dec)
                best_dec = dec;
            if (fd < best_feed)
                best_feed = fd;
        }
        if (rc < 0)
            break;
        char what[320];
        snprintf(what, sizeof what,
                 "feed on a ticksim day from a pcap in memory, %s (%zu entries), M entries/s on "
                 "one core (baseline: decoding every message of the same packets; higher is "
                 "better, goal >= 0.3)",
                 runs[v].what, n);
        bench_row(what, (double)n / best_feed / 1e6, (double)n / best_dec / 1e6);
    }
    if (rc < 0)
        fprintf(stderr, "bench_feed: the day did not run clean (%s)\n", gt_strerror(rc));
    feedday_free(&d);
    return rc;
}
