/* SPDX-License-Identifier: MIT */
/* test_pipeline.c -- the programs end to end, as users run them: ticksim ->
 * tickfeed -> tickstore, checked against ticksim's truth file.
 *
 *   - a capture with independent loss on each line and packets lost on both:
 *     tickfeed --pcap publishes every book exactly as the exchange left it,
 *     every trade the exchange sent that reached a line exactly once, the
 *     stale and recovered transitions, and bus sequences without a hole;
 *   - live multicast on loopback (TTL 0) with losses on both lines: the same,
 *     a late joiner's snapshot equals the final books, and tickstore records
 *     every published tick exactly once (count and checksum against the
 *     journal).
 * The processes are the built binaries under $GT_BINARY_DIR; every wait is
 * bounded. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>
#include "book.h"
#include "e2e.h"
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/store.h"
#include "gputick/tick.h"
#include "journal.h"
#include "net.h"

enum { MAX_INSTR = 64, MAX_TRADES = 200000 };

static char dir[64];
static int port_base;

static void setup(void)
{
    e2e_dir_make(dir, sizeof dir, "gtpipe-test");
    port_base = 42000 + (int)(getpid() % 500) * 16;
}

static void teardown(void)
{
    e2e_dir_remove();
}

TestSuite(pipeline, .init = setup, .fini = teardown, .timeout = 120);

/* ---- the truth file ---- */

struct truth {
    struct book_set books;
    uint32_t rpt[MAX_INSTR];
    int32_t ids[MAX_INSTR];
    int n_books;
    uint64_t *trades; /* (security_id << 32 | trade_id) of trades not lost */
    size_t n_trades;
};

static int64_t jnum(const char *s, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(s, k);
    cr_assert(not(eq(ptr, (void *)p, NULL)), "truth line lacks %s", key);
    return strtoll(p + strlen(k), NULL, 10);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void truth_read(struct truth *t, const char *path)
{
    memset(t, 0, sizeof *t);
    cr_assert(eq(int, book_set_init(&t->books, MAX_INSTR), GT_OK));
    t->trades = malloc(MAX_TRADES * sizeof *t->trades);
    FILE *f = fopen(path, "r");
    cr_assert(not(eq(ptr, f, NULL)), "no truth file %s", path);
    static char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "{\"type\":\"trade\"", 15) == 0) {
            if (strstr(line, "\"lost\":true"))
                continue;
            cr_assert(lt(sz, t->n_trades, MAX_TRADES));
            t->trades[t->n_trades++] =
                (uint64_t)jnum(line, "security_id") << 32 | (uint32_t)jnum(line, "trade_id");
        } else if (strncmp(line, "{\"type\":\"book\"", 14) == 0) {
            int32_t id = (int32_t)jnum(line, "security_id");
            struct book *b = book_set_get(&t->books, id, true);
            t->ids[t->n_books] = id;
            t->rpt[t->n_books++] = (uint32_t)jnum(line, "rpt_seq");
            for (const char *p = strstr(line, "{\"side\""); p; p = strstr(p + 1, "{\"side\"")) {
                int bid = strncmp(p, "{\"side\":\"bid\"", 13) == 0;
                int lvl = (int)jnum(p, "level");
                cr_assert(ge(int, lvl, 1));
                cr_assert(le(int, lvl, 10));
                struct book_level *l = bid ? &b->bid[lvl - 1] : &b->ask[lvl - 1];
                l->px = jnum(p, "px");
                l->qty = jnum(p, "qty");
            }
        }
    }
    fclose(f);
    qsort(t->trades, t->n_trades, sizeof *t->trades, cmp_u64);
}

static void truth_free(struct truth *t)
{
    book_set_fini(&t->books);
    free(t->trades);
}

/* ---- what tickfeed published: its journal ---- */

struct seen {
    struct book_set books;
    uint64_t *trades;
    size_t n_trades;
    uint64_t n, last_seq, sum; /* records, last sequence, checksum */
    uint64_t n_h100, sum_h100; /* the same of product H100 (a shard's share) */
    uint64_t stale, recovered, resets;
    uint8_t stale_now[MAX_INSTR];
    int64_t stale_since[MAX_INSTR]; /* receive time of the stale status */
    uint64_t n_recoveries;          /* stale -> recovered periods, and their length */
    int64_t recovery_sum_ns, recovery_max_ns;
};

static void apply_record(struct seen *s, const uint8_t *r)
{
    struct gt_tick t;
    cr_assert(eq(int, gt_tick_decode(r, GT_TICK_LEN, &t), GT_OK));
    if (t.kind == GT_KIND_LEVEL && !(t.flags & GT_F_IMPLIED)) {
        struct book_update u = {t.instr_id,     t.u.level.rpt_seq,  t.u.level.px,
                                t.u.level.qty,  t.u.level.n_orders, t.u.level.level,
                                t.u.level.side, t.u.level.action};
        if (u.qty == INT64_MAX)
            u.qty = 0;
        cr_assert(ge(int, book_apply(book_set_get(&s->books, t.instr_id, true), &u), 0));
    } else if (t.kind == GT_KIND_TRADE) {
        cr_assert(lt(sz, s->n_trades, MAX_TRADES));
        s->trades[s->n_trades++] = (uint64_t)(uint32_t)t.instr_id << 32 | t.u.trade.trade_id;
    } else if (t.kind == GT_KIND_STATUS && t.instr_id > 0) {
        struct book *b = book_set_get(&s->books, t.instr_id, true);
        size_t i = (size_t)(b - s->books.books);
        if (t.u.status.feed == GT_FEED_STALE) {
            s->stale++;
            if (!s->stale_now[i])
                s->stale_since[i] = t.recv_ns;
            s->stale_now[i] = 1;
        } else if (t.u.status.feed == GT_FEED_RECOVERED || t.u.status.feed == GT_FEED_RESET) {
            s->recovered += t.u.status.feed == GT_FEED_RECOVERED;
            s->resets += t.u.status.feed == GT_FEED_RESET;
            if (s->stale_now[i] && !(t.flags & GT_F_SNAPSHOT)) {
                int64_t d = t.recv_ns - s->stale_since[i];
                s->n_recoveries++;
                s->recovery_sum_ns += d;
                if (d > s->recovery_max_ns)
                    s->recovery_max_ns = d;
            }
            s->stale_now[i] = 0;
        }
    }
}

static void journal_read(struct seen *s, const char *jdir)
{
    memset(s, 0, sizeof *s);
    cr_assert(eq(int, book_set_init(&s->books, MAX_INSTR), GT_OK));
    s->trades = malloc(MAX_TRADES * sizeof *s->trades);
    struct journal_reader *r;
    char err[GT_ERRLEN];
    cr_assert(eq(int, journal_reader_open(&r, jdir, err), GT_OK), "%s", err);
    cr_assert(eq(int, journal_reader_seek(r, 0), GT_OK));
    struct journal_msg m;
    int rc;
    while ((rc = journal_reader_next(r, &m)) == 1) {
        cr_assert(eq(u64, m.first_seq, s->last_seq + 1), "bus sequence without holes");
        for (size_t i = 0; i < m.n_records; i++) {
            const uint8_t *rec = m.records + i * GT_TICK_LEN;
            apply_record(s, rec);
            s->sum += rec_sum(rec);
            if (memmem(m.topic, m.topic_len, ".H100.", 6))
                s->n_h100++, s->sum_h100 += rec_sum(rec);
        }
        s->n += m.n_records;
        s->last_seq = m.first_seq + m.n_records - 1;
    }
    cr_assert(eq(int, rc, 0), "%s", journal_reader_errmsg(r));
    journal_reader_close(r);
    qsort(s->trades, s->n_trades, sizeof *s->trades, cmp_u64);
}

static void seen_free(struct seen *s)
{
    book_set_fini(&s->books);
    free(s->trades);
}

static long log_count(const char *log, const char *key);

/* Books as published == the exchange's final books; trades == those sent
 * (unless check_trades is 0: the kernel dropped datagrams, a loss the truth
 * cannot know of). */
static void assert_matches_truth_opt(const struct seen *s, const struct truth *t, int check_trades)
{
    cr_assert(gt(int, t->n_books, 40), "the truth has the market's books");
    for (int i = 0; i < t->n_books; i++) {
        const struct book *want = book_set_get((struct book_set *)&t->books, t->ids[i], false);
        const struct book *got = book_set_get((struct book_set *)&s->books, t->ids[i], false);
        cr_assert(not(eq(ptr, (void *)got, NULL)), "no book published for %d", t->ids[i]);
        cr_assert(eq(int, s->stale_now[got - s->books.books], 0), "%d left stale", t->ids[i]);
        for (int l = 0; l < GT_BOOK_DEPTH; l++) {
            cr_assert(eq(i64, got->bid[l].px, want->bid[l].px), "%d bid %d px", t->ids[i], l + 1);
            cr_assert(eq(i64, got->bid[l].qty, want->bid[l].qty), "%d bid %d qty", t->ids[i],
                      l + 1);
            cr_assert(eq(i64, got->ask[l].px, want->ask[l].px), "%d ask %d px", t->ids[i], l + 1);
            cr_assert(eq(i64, got->ask[l].qty, want->ask[l].qty), "%d ask %d qty", t->ids[i],
                      l + 1);
        }
    }
    if (!check_trades)
        return;
    if (s->n_trades != t->n_trades)
        for (size_t i = 0, j = 0; i < s->n_trades || j < t->n_trades;) {
            if (j >= t->n_trades || (i < s->n_trades && s->trades[i] < t->trades[j]))
                fprintf(stderr, "extra trade %llx\n", (unsigned long long)s->trades[i++]);
            else if (i >= s->n_trades || s->trades[i] > t->trades[j])
                fprintf(stderr, "missing trade %llx\n", (unsigned long long)t->trades[j++]);
            else
                i++, j++;
        }
    cr_assert(eq(sz, s->n_trades, t->n_trades), "every trade that reached a line, once");
    for (size_t i = 0; i < t->n_trades; i++)
        cr_assert(eq(u64, s->trades[i], t->trades[i]), "trade %zu", i);
}

static void assert_matches_truth(const struct seen *s, const struct truth *t)
{
    assert_matches_truth_opt(s, t, 1);
}

/* ticksim --no-send with extra arguments, then tickfeed --pcap: the journal
 * read back and checked against the truth. Prints the recovery figures. */
static void capture_run(const char *what, struct seen *s, const char *a1, const char *a2,
                        const char *a3, const char *a4, const char *a5, const char *a6)
{
    static int run;
    char pcap[128], truth[128], jdir[128], pub[128];
    run++;
    snprintf(pcap, sizeof pcap, "%s/day%d.pcap", dir, run);
    snprintf(truth, sizeof truth, "%s/day%d.jsonl", dir, run);
    snprintf(jdir, sizeof jdir, "%s/journal%d", dir, run);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    /* --tail: snapshot cycles go on after the last event, as an exchange's do,
     * so a gap among the last packets (declared only once later packets show
     * the reorder window passed) is still recovered. */
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--no-send", "--pcap", pcap, "--truth",
                      truth, "--seed", "3", "--duration", "3h", "--tail", "5m", a1, a2, a3, a4, a5,
                      a6, NULL);
    cr_assert(eq(int, wait_exit(sim, 60000), 0), "ticksim failed");
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--pcap", pcap, "--journal", jdir,
                       "--pub", pub, "--router", "", NULL);
    int rc = wait_exit(feed, 60000);
    if (rc != 0)
        show_log("feed.log");
    cr_assert(eq(int, rc, 0), "tickfeed --pcap failed");
    struct truth t;
    truth_read(&t, truth);
    journal_read(s, jdir);
    fprintf(stderr,
            "loss %s: %llu stale, %llu recovered, %llu resets; recovery (capture time) mean "
            "%.1f ms, max %.1f ms over %llu periods; %llu records\n",
            what, (unsigned long long)s->stale, (unsigned long long)s->recovered,
            (unsigned long long)s->resets,
            s->n_recoveries ? (double)s->recovery_sum_ns / (double)s->n_recoveries / 1e6 : 0.0,
            (double)s->recovery_max_ns / 1e6, (unsigned long long)s->n_recoveries,
            (unsigned long long)s->n);
    assert_matches_truth(s, &t);
    truth_free(&t);
}

/* ticksim holds a reordered packet back at most 1 ms (its hold=), inside the
 * feed's 2 ms reorder window, so reordering loses nothing. */
Test(pipeline, a_faulty_capture_gives_the_exchanges_books_and_trades)
{
    struct seen s;
    capture_run("lines 2%/burst 2 each, both 0.2%", &s, "--fault",
                "drop=0.02,burst=2,dup=0.01,reorder=0.01", "--lose-both", "0.002", NULL, NULL);
    cr_assert(gt(u64, s.stale, 0), "losses on both lines were published as stale");
    cr_assert(gt(u64, s.recovered, 0), "and as recovered");
    seen_free(&s);
}

Test(pipeline, one_percent_lost_on_both_lines_and_a_channel_reset)
{
    struct seen s;
    capture_run("1% both + ChannelReset", &s, "--lose-both", "0.01", "--reset-at", "+2h", NULL,
                NULL);
    cr_assert(gt(u64, s.stale, 0));
    cr_assert(ge(u64, s.resets, 40), "every book reset");
    seen_free(&s);
}

/* The heavier losses of the full suite (tests/soak/run sets GT_SOAK). */
Test(pipeline, ten_percent_and_burst_loss_on_both_lines)
{
    if (!getenv("GT_SOAK"))
        cr_skip_test("10%% and burst loss run in tests/soak/run (GT_SOAK=1)");
    struct seen s;
    capture_run("10% both", &s, "--lose-both", "0.10", NULL, NULL, NULL, NULL);
    seen_free(&s);
    capture_run("bursts of 8 on both lines, 1%", &s, "--fault", "drop=0.01,burst=8", "--lose-both",
                "0.002", NULL, NULL);
    seen_free(&s);
}

/* ---- live ---- */

static int on_snap(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    (void)topic, (void)tl;
    for (size_t i = 0; i < n; i++)
        apply_record(ctx, recs + i * GT_TICK_LEN);
    return 0;
}

/* A subscriber that joins mid-session: subscribes, asks for a snapshot,
 * applies it, then the live records after it (replaying any hole). */
struct joiner {
    const char *pub, *rtr;
    int delay_ms;
    struct seen *s;
    uint64_t as_of, last;
    long live, replayed;
    char err[GT_ERRLEN];
};

static int on_replayed(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    (void)topic, (void)tl;
    struct joiner *j = ctx;
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = ld_le64(recs + i * GT_TICK_LEN + 8);
        if (seq != j->last + 1)
            continue;
        apply_record(j->s, recs + i * GT_TICK_LEN);
        j->last = seq;
        j->replayed++;
    }
    return 0;
}

static void *joiner_run(void *arg)
{
    struct joiner *j = arg;
    usleep((useconds_t)j->delay_ms * 1000);
    void *zctx = zmq_ctx_new();
    void *sub = zmq_socket(zctx, ZMQ_SUB), *dealer = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0, hwm = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_connect(sub, j->pub);
    zmq_connect(dealer, j->rtr);
    usleep(200000); /* the subscription reaches tickfeed before the snapshot */
    if (gt_bus_snapshot(dealer, "", 3000, on_snap, j->s, &j->as_of, j->err) < 0)
        goto out;
    j->last = j->as_of;
    struct gt_bus_msg m;
    gt_bus_msg_init(&m);
    for (;;) {
        zmq_pollitem_t pi = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&pi, 1, 6000) <= 0)
            break; /* tickfeed has stopped publishing */
        int n = gt_bus_recv(sub, &m, ZMQ_DONTWAIT);
        if (n <= 0)
            continue;
        uint64_t first = ld_le64(gt_bus_msg_rec(&m, 0) + 8);
        if (first > j->last + 1 &&
            gt_bus_replay(dealer, j->last + 1, first - 1, 3000, on_replayed, j, NULL, j->err) < 0)
            break;
        for (int i = 0; i < n; i++) {
            uint64_t seq = ld_le64(gt_bus_msg_rec(&m, (size_t)i) + 8);
            if (seq <= j->last)
                continue; /* already in the snapshot */
            apply_record(j->s, gt_bus_msg_rec(&m, (size_t)i));
            j->last = seq;
            j->live++;
        }
    }
    gt_bus_msg_close(&m);
out:
    zmq_close(sub);
    zmq_close(dealer);
    zmq_ctx_term(zctx);
    return NULL;
}

Test(pipeline, live_multicast_is_published_snapshotted_and_recorded_exactly_once)
{
    char truth[128], jdir[128], pub[128], rtr[128], db[128], pb[16];
    snprintf(truth, sizeof truth, "%s/live.jsonl", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(pb, sizeof pb, "%d", port_base);
    pid_t store = spawn("store/tickstore", "store.log", "--db", db, "--endpoint", pub, "--router",
                        rtr, "--flush-ms", "100", "--stats", "0", NULL);
    /* A shard: product H100 only, through filtered replays. */
    char db_h100[128];
    snprintf(db_h100, sizeof db_h100, "%s/db-h100", dir);
    pid_t shard =
        spawn("store/tickstore", "shard.log", "--db", db_h100, "--endpoint", pub, "--router", rtr,
              "--product", "H100", "--flush-ms", "100", "--stats", "0", NULL);
    /* A generous reorder window, for a busy 2-core machine (CI runs the ASan
     * build beside other tests). At 50 ms with one CPU kept busy, 2 of 6 runs
     * once declared gaps the truth does not know of, and their trades went
     * missing: a receive batch offered line A's later packets, which aged the
     * hole, before line B's copy further down the same batch. Holes now age
     * only after a whole batch (feed_clock): 6 of 6 runs at 50 ms declared
     * exactly the real gaps. 300 ms keeps a margin for slower machines. */
    pid_t feed =
        spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir, "--pub",
              pub, "--router", rtr, "--idle-exit", "4", "--stats", "0", "--reorder-ms", "300", NULL);
    struct seen *mid = calloc(1, sizeof *mid);
    book_set_init(&mid->books, MAX_INSTR);
    mid->trades = malloc(MAX_TRADES * sizeof *mid->trades);
    struct joiner jn = {.pub = pub, .rtr = rtr, .delay_ms = 2000, .s = mid};
    pthread_t jth;
    pthread_create(&jth, NULL, joiner_run, &jn);
    usleep(500000); /* joined before the market opens */
    /* --tail: the snapshot loop runs on after the last event, as an exchange's
     * does (0.8 s here). A gap in the last packets is only declared after the
     * reorder window, after ticksim's final snapshot cycle; without more
     * cycles the book would stay stale for want of the next. */
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--port-base", pb, "--truth", truth,
                      "--seed", "5", "--duration", "2h", "--day-seconds", "120", "--lose-both",
                      "0.002", "--fault", "drop=0.01", "--tail", "10m", NULL);
    int rc = wait_exit(sim, 60000);
    if (rc != 0)
        show_log("sim.log");
    cr_assert(eq(int, rc, 0), "ticksim failed");
    usleep(300000);
    /* A late joiner asks for the state now: it is the exchange's final state. */
    void *zctx = zmq_ctx_new();
    void *dealer = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(dealer, rtr);
    struct seen *late = calloc(1, sizeof *late);
    book_set_init(&late->books, MAX_INSTR);
    late->trades = malloc(MAX_TRADES * sizeof *late->trades);
    uint64_t as_of = 0;
    char err[GT_ERRLEN];
    long got = gt_bus_snapshot(dealer, "", 3000, on_snap, late, &as_of, err);
    zmq_close(dealer);
    zmq_ctx_term(zctx);
    cr_assert(gt(long, got, 0), "snapshot: %s", err);
    rc = wait_exit(feed, 30000);
    if (rc != 0)
        show_log("feed.log");
    cr_assert(eq(int, rc, 0), "tickfeed failed");
    pthread_join(jth, NULL);
    struct truth t;
    struct seen s;
    truth_read(&t, truth);
    journal_read(&s, jdir);
    cr_assert(le(u64, as_of, s.last_seq));
    long kdrops = log_count("feed.log", "kernel-drops");
    cr_assert(ge(long, kdrops, 0), "tickfeed printed its stats");
    if (kdrops > 0)
        fprintf(stderr,
                "live test: the kernel dropped %ld datagrams (a busy machine); "
                "books are checked, trades cannot be\n",
                kdrops);
    assert_matches_truth_opt(&s, &t, kdrops == 0);
    /* The snapshot's books too (trades are not state: only the last one). */
    late->n_trades = t.n_trades; /* compare books only */
    memcpy(late->trades, t.trades, t.n_trades * sizeof *t.trades);
    assert_matches_truth(late, &t);
    /* The mid-session joiner: snapshot + stream = the early subscriber's view. */
    cr_assert(gt(u64, jn.as_of, 0), "mid-session snapshot: %s", jn.err);
    cr_assert(gt(long, jn.live, 1000), "it followed the stream after its snapshot");
    cr_assert(eq(u64, jn.last, s.last_seq), "it reached the last sequence");
    mid->n_trades = t.n_trades; /* books, not trades: it joined late */
    memcpy(mid->trades, t.trades, t.n_trades * sizeof *t.trades);
    assert_matches_truth(mid, &t);
    /* tickstore catches up to the last sequence, then stops cleanly. */
    uint64_t n = 0, sum = 0, cp = 0;
    for (int i = 0; i < 100; i++) {
        store_sum(db, &n, &sum, &cp);
        if (cp == s.last_seq)
            break;
        usleep(100000);
    }
    kill(store, SIGTERM);
    rc = wait_exit(store, 10000);
    if (rc != 0)
        show_log("store.log");
    cr_assert(eq(int, rc, 0), "tickstore did not stop cleanly");
    cr_assert(eq(u64, cp, s.last_seq), "tickstore caught up");
    cr_assert(eq(u64, n, s.n), "every published tick recorded exactly once");
    cr_assert(eq(u64, sum, s.sum), "and the same ticks");
    /* The shard holds exactly the H100 share of the bus. */
    for (int i = 0; i < 100; i++) {
        store_sum(db_h100, &n, &sum, &cp);
        if (n == s.n_h100 && sum == s.sum_h100)
            break;
        usleep(100000);
    }
    kill(shard, SIGTERM);
    rc = wait_exit(shard, 10000);
    if (rc != 0)
        show_log("shard.log");
    cr_assert(eq(int, rc, 0), "the shard stopped cleanly");
    cr_assert(gt(u64, s.n_h100, 1000));
    cr_assert(eq(u64, n, s.n_h100), "the H100 shard recorded every H100 tick once");
    cr_assert(eq(u64, sum, s.sum_h100));
    truth_free(&t);
    seen_free(&s);
    seen_free(late);
    free(late);
    seen_free(mid);
    free(mid);
}

Test(pipeline, loss_on_one_line_needs_no_recovery)
{
    char pcap[128], truth[128], jdir[128], pub[128];
    snprintf(pcap, sizeof pcap, "%s/day.pcap", dir);
    snprintf(truth, sizeof truth, "%s/day.jsonl", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    pid_t sim =
        spawn("tools/ticksim/ticksim", "sim.log", "--no-send", "--pcap", pcap, "--truth", truth,
              "--seed", "9", "--duration", "2h", "--fault-a", "drop=0.05,burst=3", NULL);
    cr_assert(eq(int, wait_exit(sim, 60000), 0), "ticksim failed");
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--pcap", pcap, "--journal", jdir,
                       "--pub", pub, "--router", "", NULL);
    cr_assert(eq(int, wait_exit(feed, 60000), 0), "tickfeed --pcap failed");
    struct truth t;
    struct seen s;
    truth_read(&t, truth);
    journal_read(&s, jdir);
    cr_assert(eq(u64, s.stale, 0), "line B covered every packet line A lost");
    assert_matches_truth(&s, &t);
    truth_free(&t);
    seen_free(&s);
}

/* The number after "key " in the last stats line of a log. */
static long log_count(const char *log, const char *key)
{
    char path[128], line[2048], k[64];
    snprintf(path, sizeof path, "%s/%s", dir, log);
    snprintf(k, sizeof k, " %s ", key);
    FILE *f = fopen(path, "r");
    cr_assert(not(eq(ptr, f, NULL)));
    long v = -1;
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, k);
        if (p)
            v = strtol(p + strlen(k), NULL, 10);
    }
    fclose(f);
    return v;
}

Test(pipeline, tickfeed_says_what_is_wrong_and_skips_garbage_datagrams)
{
    char jdir[128], pub[128], cfg[128], pb[16];
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(cfg, sizeof cfg, "%s/feed.conf", dir);
    snprintf(pb, sizeof pb, "%d", port_base + 8);
    cr_assert(eq(int, wait_exit(spawn("feedhandler/tickfeed", "h.log", "--help", NULL), 5000), 0));
    cr_assert(not(eq(ptr, (void *)strstr(log_text("h.log"), "--pcap FILE"), NULL)));
    cr_assert(eq(int,
                 wait_exit(spawn("feedhandler/tickfeed", "e.log", "--fsync", "always", NULL), 5000),
                 2));
    cr_assert(not(eq(ptr, (void *)strstr(log_text("e.log"), "--fsync wants none"), NULL)));
    cr_assert(eq(int,
                 wait_exit(spawn("feedhandler/tickfeed", "p.log", "--pcap", "/nonexistent.pcap",
                                 "--journal", jdir, "--pub", pub, "--router", "", NULL),
                           5000),
                 1));
    cr_assert(not(eq(ptr, (void *)strstr(log_text("p.log"), "/nonexistent.pcap"), NULL)));
    FILE *f = fopen(cfg, "w");
    fprintf(f, "# a config file\nport-base %s\njournal %s\npub %s\nrouter \"\"\nbogus 1\n", pb,
            jdir, pub);
    fclose(f);
    cr_assert(
        eq(int, wait_exit(spawn("feedhandler/tickfeed", "c.log", "--config", cfg, NULL), 5000), 2));
    cr_assert(not(eq(ptr, (void *)strstr(log_text("c.log"), "bogus"), NULL)));
    /* Live, with garbage on the incremental and snapshot ports. */
    f = fopen(cfg, "w");
    fprintf(f, "port-base %s\njournal %s\npub %s\nidle-exit 1\n", pb, jdir, pub);
    fclose(f);
    pid_t feed = spawn("feedhandler/tickfeed", "g.log", "--config", cfg, "--router", "", NULL);
    usleep(300000);
    char err[GT_ERRLEN];
    int fa = net_tx_open("239.255.31.1", (uint16_t)(port_base + 9), NULL, 0, err);
    int fs = net_tx_open("239.255.31.3", (uint16_t)(port_base + 11), NULL, 0, err);
    cr_assert(ge(int, fa, 0), "%s", err);
    uint8_t junk[512];
    uint32_t x = 7;
    for (int i = 0; i < 300; i++) {
        size_t len = (size_t)(i % 97) + 1;
        for (size_t j = 0; j < len; j++)
            junk[j] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
        if (len >= 4 && i % 2)
            st_le32(junk, (uint32_t)i + 1); /* plausible sequence numbers */
        net_tx_send(i % 3 ? fa : fs, junk, len);
    }
    net_tx_close(fa);
    net_tx_close(fs);
    cr_assert(eq(int, wait_exit(feed, 10000), 0), "tickfeed survived garbage and exited");
    cr_assert(gt(long, log_count("g.log", "malformed") + log_count("g.log", "unknown"), 0), "%s",
              log_text("g.log"));
}

/* ---- crash loops ---- */

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? atoi(v) : def;
}

/* kill -9 of tickstore and tickfeed at random instants while ticksim runs,
 * each restarted at once: afterwards every tick tickfeed published (its
 * journal, one unbroken sequence across its restarts) is in the store exactly
 * once. GT_CRASH_STORE / GT_CRASH_FEED / GT_CRASH_SECONDS scale it up
 * (tests/soak/run). */
Test(pipeline, kill_9_loops_lose_and_duplicate_nothing, .timeout = 3600)
{
    int n_store = env_int("GT_CRASH_STORE", 6), n_feed = env_int("GT_CRASH_FEED", 5);
    int secs = env_int("GT_CRASH_SECONDS", 14);
    char jdir[128], pub[128], rtr[128], db[128], pb[16], daysec[16], log[32];
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(pb, sizeof pb, "%d", port_base + 4);
    /* The 9 h session in secs wall seconds: a day is 24/9 of that. */
    snprintf(daysec, sizeof daysec, "%d", secs * 24 / 9 + 1);
#define START_STORE(k)                                                                             \
    (snprintf(log, sizeof log, "store%d.log", k),                                                  \
     spawn("store/tickstore", log, "--db", db, "--endpoint", pub, "--router", rtr, "--flush-ms",   \
           "50", "--stats", "0", NULL))
#define START_FEED(k)                                                                              \
    (snprintf(log, sizeof log, "feed%d.log", k),                                                   \
     spawn("feedhandler/tickfeed", log, "--port-base", pb, "--journal", jdir, "--pub", pub,        \
           "--router", rtr, "--idle-exit", "3", "--stats", "0", NULL))
    pid_t store = START_STORE(0), feed = START_FEED(0);
    usleep(400000);
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--port-base", pb, "--seed", "11",
                      "--day-seconds", daysec, NULL);
    /* Random instants over the run, for both programs, in time order. */
    int n = n_store + n_feed;
    int64_t *at = calloc((size_t)n, sizeof *at);
    uint32_t x = (uint32_t)getpid();
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        at[i] = 500 + (int64_t)(x >> 8) % ((int64_t)secs * 1000 - 1500);
    }
    for (int i = 1; i < n; i++) /* insertion sort */
        for (int j = i; j > 0 && at[j] < at[j - 1]; j--) {
            int64_t t = at[j];
            at[j] = at[j - 1], at[j - 1] = t;
        }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ks = 0, kf = 0;
    for (int i = 0; i < n; i++) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t el = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (at[i] > el)
            usleep((useconds_t)(at[i] - el) * 1000);
        x = x * 1103515245u + 12345u;
        int kill_store =
            (ks < n_store && (kf >= n_feed || (x >> 8) % (uint32_t)n < (uint32_t)n_store));
        if (kill_store) {
            kill(store, SIGKILL);
            waitpid(store, NULL, 0);
            store = START_STORE(++ks);
        } else {
            kill(feed, SIGKILL);
            waitpid(feed, NULL, 0);
            feed = START_FEED(++kf);
        }
    }
    free(at);
    int sim_rc = wait_exit(sim, (secs + 120) * 1000);
    if (sim_rc != 0)
        show_log("sim.log");
    cr_assert(eq(int, sim_rc, 0), "ticksim failed");
    int rc = wait_exit(feed, 30000);
    if (rc != 0)
        show_log(log);
    cr_assert(eq(int, rc, 0), "the last tickfeed stopped cleanly");
    struct seen s;
    journal_read(&s, jdir);
    cr_assert(gt(u64, s.n, 10000), "the feed published through its restarts");
    /* The recorder needs the ROUTER to finish its last replay: a tickfeed
     * that only serves its journal. */
    pid_t server = spawn("feedhandler/tickfeed", "serve.log", "--port-base", pb, "--journal", jdir,
                         "--pub", pub, "--router", rtr, "--duration", "60", "--stats", "0", NULL);
    uint64_t cnt = 0, sum = 0, cp = 0;
    for (int i = 0; i < 300; i++) {
        store_sum(db, &cnt, &sum, &cp);
        if (cp == s.last_seq)
            break;
        usleep(100000);
    }
    kill(store, SIGTERM);
    int src = wait_exit(store, 10000);
    kill(server, SIGTERM);
    wait_exit(server, 10000);
    cr_assert(eq(int, src, 0), "tickstore stopped cleanly");
    store_sum(db, &cnt, &sum, &cp);
    fprintf(stderr, "crash loops: %d tickstore and %d tickfeed kills, %llu ticks compared\n", ks,
            kf, (unsigned long long)s.n);
    cr_assert(eq(int, ks, n_store));
    cr_assert(eq(int, kf, n_feed));
    cr_assert(eq(u64, cp, s.last_seq), "tickstore caught up");
    cr_assert(eq(u64, cnt, s.n), "every published tick recorded, none twice");
    cr_assert(eq(u64, sum, s.sum), "the same ticks");
    seen_free(&s);
}

/* ---- slow subscribers ---- */

/* Wall seconds tickfeed takes to publish a capture, with or without a
 * subscriber that never reads. */
static double pcap_seconds(const char *pcap, int stalled)
{
    static int run;
    char jdir[128], pub[128];
    snprintf(jdir, sizeof jdir, "%s/rate%d", dir, ++run);
    snprintf(pub, sizeof pub, "ipc://%s/rate%d.ipc", dir, run);
    void *zctx = zmq_ctx_new(), *sub = NULL;
    if (stalled) {
        sub = zmq_socket(zctx, ZMQ_SUB);
        int linger = 0;
        zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
        zmq_connect(sub, pub);
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t feed = spawn("feedhandler/tickfeed", "rate.log", "--pcap", pcap, "--journal", jdir,
                       "--pub", pub, "--router", "", "--sndhwm", "1000", NULL);
    cr_assert(eq(int, wait_exit(feed, 60000), 0));
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (sub)
        zmq_close(sub);
    zmq_ctx_term(zctx);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* N subscribers on a live feed, one of which never reads: the others get
 * every sequence; the stalled one finds holes it can count; and a stalled
 * subscriber does not slow the feed down (a capture published as fast as
 * possible, with and without one). GT_SLOW_SUBS sets N (tests/soak/run: 50). */
Test(pipeline, a_subscriber_that_never_reads_slows_nobody)
{
    int n_subs = env_int("GT_SLOW_SUBS", 10);
    char jdir[128], pub[128], pb[16];
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(pb, sizeof pb, "%d", port_base + 12);
    void *zctx = zmq_ctx_new();
    void **subs = calloc((size_t)n_subs, sizeof *subs);
    uint64_t *next = calloc((size_t)n_subs, sizeof *next);
    zmq_pollitem_t *pi = calloc((size_t)n_subs, sizeof *pi);
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir,
                       "--pub", pub, "--router", "", "--sndhwm", "2000", "--idle-exit", "2", NULL);
    for (int i = 0; i < n_subs; i++) {
        subs[i] = zmq_socket(zctx, ZMQ_SUB);
        int linger = 0, hwm = i == 0 ? 100 : 0;
        zmq_setsockopt(subs[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(subs[i], ZMQ_RCVHWM, &hwm, sizeof hwm);
        zmq_setsockopt(subs[i], ZMQ_SUBSCRIBE, "", 0);
        zmq_connect(subs[i], pub);
        pi[i] = (zmq_pollitem_t){subs[i], 0, ZMQ_POLLIN, 0};
        next[i] = 1;
    }
    usleep(500000);
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--port-base", pb, "--seed", "4",
                      "--duration", "90m", "--day-seconds", "240", "--quiet", NULL);
    /* Subscriber 0 never reads; the others read everything until 3 s of silence. */
    struct gt_bus_msg m;
    gt_bus_msg_init(&m);
    long got = 0;
    while (zmq_poll(pi + 1, n_subs - 1, 3000) > 0)
        for (int i = 1; i < n_subs; i++) {
            int n;
            while ((n = gt_bus_recv(subs[i], &m, ZMQ_DONTWAIT)) > 0) {
                uint64_t seq = ld_le64(gt_bus_msg_rec(&m, 0) + 8);
                cr_assert(eq(u64, seq, next[i]), "subscriber %d missed nothing", i);
                next[i] += (uint64_t)n;
                got += n;
            }
        }
    cr_assert(eq(int, wait_exit(sim, 60000), 0));
    cr_assert(eq(int, wait_exit(feed, 30000), 0));
    struct seen s;
    journal_read(&s, jdir);
    for (int i = 1; i < n_subs; i++)
        cr_assert(eq(u64, next[i], s.last_seq + 1), "subscriber %d got all %llu", i,
                  (unsigned long long)s.last_seq);
    /* The stalled one, read at last: holes where it was dropped. */
    uint64_t prev = 0, holes = 0, stalled_got = 0;
    int n;
    while ((n = gt_bus_recv(subs[0], &m, ZMQ_DONTWAIT)) > 0) {
        uint64_t seq = ld_le64(gt_bus_msg_rec(&m, 0) + 8);
        holes += prev && seq != prev + 1;
        prev = seq + (uint64_t)n - 1;
        stalled_got += (uint64_t)n;
    }
    gt_bus_msg_close(&m);
    for (int i = 0; i < n_subs; i++)
        zmq_close(subs[i]);
    zmq_ctx_term(zctx);
    /* It lost the rest past its high-water marks: the next message it reads
     * shows that hole by its sequence (the live loop above checked that every
     * reader sees every sequence, so a hole is always visible). */
    cr_assert(lt(u64, stalled_got, s.n), "the stalled subscriber lost messages");
    /* Rate: the same capture with and without a stalled subscriber. */
    char pcap[128];
    snprintf(pcap, sizeof pcap, "%s/rate.pcap", dir);
    pid_t cap = spawn("tools/ticksim/ticksim", "cap.log", "--no-send", "--pcap", pcap, "--seed",
                      "4", "--duration", "3h", NULL);
    cr_assert(eq(int, wait_exit(cap, 60000), 0));
    double without = 1e9, with = 1e9;
    for (int r = 0; r < 3; r++) {
        double a = pcap_seconds(pcap, 0), b = pcap_seconds(pcap, 1);
        without = a < without ? a : without;
        with = b < with ? b : with;
    }
    fprintf(
        stderr,
        "slow subscribers: %d subscribers, %ld messages read by %d of them without a hole; "
        "the stalled one got %llu of %llu records (%llu holes among them); a capture published in "
        "%.3f s with a stalled subscriber, %.3f s without (%.2fx)\n",
        n_subs, got, n_subs - 1, (unsigned long long)stalled_got, (unsigned long long)s.n,
        (unsigned long long)holes, with, without, with / without);
    cr_assert(lt(dbl, with, without * 1.5 + 0.05), "a stalled subscriber does not slow the feed");
    seen_free(&s);
    free(subs);
    free(next);
    free(pi);
}
