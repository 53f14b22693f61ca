/* SPDX-License-Identifier: MIT */
/* test_sub.c -- the bus client (gputick/sub.h) against tickfeed's real
 * publisher (feedhandler/pub.c: a journal on disk, PUB and ROUTER on ipc):
 *
 *   - a tickstore stopped (SIGSTOP) while the feed publishes, so that the
 *     publisher drops the end of the stream for it at its high-water mark,
 *     then a feed that stays quiet: nothing live ever shows the hole, and the
 *     recorder must still find it (INFO on an idle bus), catch up within
 *     seconds and say how far behind it was; the store then equals the journal;
 *   - a client the server refuses (a CURVE key not in the allow-list, no CURVE
 *     at all) hears it: GT_EPERM from gt_sub_poll, one line and exit 1 from
 *     ticksub (with or without --snapshot) and tickstore; and the server logs
 *     the refused key once, however often it is refused;
 *   - an allowed client gets every record once, in order. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>
#include "e2e.h"
#include "gputick/bytes.h"
#include "gputick/sec.h"
#include "gputick/sub.h"
#include "gputick/time.h"
#include "pub.h"

enum { RECS_PER_MSG = 10 };

static char dir[64];

/* tickfeed's publisher in a thread: publishes up to target messages, and
 * serves the ROUTER all along. */
struct feed {
    void *ctx;
    struct pub *p;
    gt_zap *zap;
    pthread_t thread;
    atomic_int stop;
    atomic_long target, published;
    atomic_int pace_us;       /* > 0: one message per pace_us, each flushed on its own */
    atomic_uint_fast64_t sum; /* rec_sum of every record published */
    char pub_ep[128], rtr_ep[128];
    atomic_int denial_lines; /* lines the ZAP handler logged of the stranger's key */
    char stranger[GT_SEC_Z85_LEN + 1];
};

static void emit_one(struct feed *f, long i)
{
    static const char *const topics[2] = {"trade.H100.H100Z6", "trade.B200.B200H7"};
    uint8_t recs[RECS_PER_MSG * GT_TICK_LEN];
    for (int k = 0; k < RECS_PER_MSG; k++) {
        struct gt_tick t = {.version = GT_TICK_VERSION,
                            .kind = GT_KIND_TRADE,
                            .instr_id = 1 + (uint32_t)(i % 2),
                            .exch_ns = INT64_C(1795000000000000000) + i * 1000 + k};
        t.u.trade.px = 2500000000 + k;
        t.u.trade.qty = 1 + k;
        gt_tick_encode(&t, recs + k * GT_TICK_LEN);
    }
    const char *topic = topics[i % 2];
    cr_assert(eq(int, pub_emit(f->p, topic, strlen(topic), recs, RECS_PER_MSG), GT_OK));
    uint64_t s = 0; /* pub_emit wrote the sequences into the records */
    for (int k = 0; k < RECS_PER_MSG; k++)
        s += rec_sum(recs + k * GT_TICK_LEN);
    atomic_fetch_add(&f->sum, s);
}

static void *feed_main(void *arg)
{
    struct feed *f = arg;
    while (!atomic_load(&f->stop)) {
        long i = atomic_load(&f->published);
        int pace = atomic_load(&f->pace_us);
        for (int n = 0; i < atomic_load(&f->target) && n < (pace ? 1 : 64); n++, i++)
            emit_one(f, i);
        pub_flush(f->p);
        atomic_store(&f->published, i);
        pub_serve(f->p, NULL, 64);
        zmq_pollitem_t pi = {pub_router(f->p), 0, ZMQ_POLLIN, 0};
        if (i >= atomic_load(&f->target))
            zmq_poll(&pi, 1, 5);
        else if (pace)
            usleep((useconds_t)pace);
    }
    return NULL;
}

static void on_denial(void *ctx, const char *line)
{
    struct feed *f = ctx;
    if (strstr(line, f->stranger))
        atomic_fetch_add(&f->denial_lines, 1);
}

/* Starts the publisher with a high-water mark of hwm messages; with
 * server_key, CURVE accepting the keys in allow. */
static void feed_start(struct feed *f, int hwm, const char *server_key, const char *allow)
{
    memset(f, 0, sizeof *f);
    snprintf(f->pub_ep, sizeof f->pub_ep, "ipc://%s/pub", dir);
    snprintf(f->rtr_ep, sizeof f->rtr_ep, "ipc://%s/rtr", dir);
    char jdir[128], err[GT_ERRLEN] = "";
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    f->ctx = zmq_ctx_new();
    if (allow)
        cr_assert(eq(int, gt_zap_open(&f->zap, f->ctx, allow, on_denial, f, err), GT_OK), "%s",
                  err);
    struct pub_opts o = {.journal_dir = jdir,
                         .pub_endpoint = f->pub_ep,
                         .router_endpoint = f->rtr_ep,
                         .sndhwm = hwm,
                         .curve_key = server_key,
                         .zap = f->zap};
    cr_assert(eq(int, pub_open(&f->p, f->ctx, &o, err), GT_OK), "%s", err);
    pthread_create(&f->thread, NULL, feed_main, f);
}

static void feed_stop(struct feed *f)
{
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    pub_close(f->p);
    gt_zap_close(f->zap);
    zmq_ctx_term(f->ctx);
}

/* Publishes n more messages and waits (bounded) until they are out. */
static void feed_publish(struct feed *f, long n)
{
    long want = atomic_fetch_add(&f->target, n) + n;
    for (int i = 0; i < 3000 && atomic_load(&f->published) < want; i++)
        usleep(10000);
    cr_assert(eq(long, atomic_load(&f->published), want), "the publisher fell behind");
}

static uint64_t checkpoint_of(const char *db)
{
    gt_store *st;
    char err[GT_ERRLEN];
    uint64_t cp = 0;
    if (gt_store_open(db, GT_STORE_READER, &st, err) == GT_OK) {
        cp = gt_store_checkpoint(st);
        gt_store_close(st);
    }
    return cp;
}

/* Waits (bounded by ms) until the store's checkpoint is want; returns it. */
static uint64_t await_checkpoint(const char *db, uint64_t want, int ms)
{
    uint64_t cp = 0;
    for (int t = 0; t < ms && (cp = checkpoint_of(db)) != want; t += 50)
        usleep(50000);
    return cp;
}

static long file_size(const char *name)
{
    char path[160];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

/* One of tickstore's stats lines. */
struct stats_line {
    unsigned long long ticks, checkpoint, feed, behind, replayed;
};

/* Reads tickstore's stats lines of the log after offset from; returns how many. */
static int stats_lines(const char *log, long from, struct stats_line *l, int cap)
{
    const char *t = log_text(log);
    int n = 0;
    for (const char *p = t + from; n < cap && (p = strstr(p, "tickstore: ticks ")); p++)
        if (sscanf(p, "tickstore: ticks %llu checkpoint %llu feed %llu behind %llu replayed %llu",
                   &l[n].ticks, &l[n].checkpoint, &l[n].feed, &l[n].behind, &l[n].replayed) == 5)
            n++;
    return n;
}

Test(sub, a_recorder_the_publisher_dropped_for_catches_up_on_a_quiet_feed, .timeout = 120)
{
    e2e_dir_make(dir, sizeof dir, "gt-sub");
    struct feed f;
    feed_start(&f, 20, NULL, NULL);
    char db[96];
    snprintf(db, sizeof db, "%s/db", dir);
    pid_t rec = spawn("store/tickstore", "store.log", "--db", db, "-e", f.pub_ep, "-r", f.rtr_ep,
                      "--flush-ms", "100", "--stats", "1", NULL);
    /* Recording live first. */
    feed_publish(&f, 50);
    uint64_t first = 50 * RECS_PER_MSG;
    cr_assert(eq(u64, await_checkpoint(db, first, 20000), first), "%s", log_text("store.log"));
    /* Held back: its socket buffers fill, then the publisher drops the rest
     * of the stream for it. Paced, so that the publisher's I/O thread keeps
     * up until the buffers are full: then the drop is the whole tail, with no
     * later message to show it (a burst drops in runs, each run's end
     * showing a hole). Then the feed goes quiet for good. */
    kill(rec, SIGSTOP);
    atomic_store(&f.pace_us, 500);
    feed_publish(&f, 3000);
    uint64_t total = (50 + 3000) * RECS_PER_MSG;
    long log_at = file_size("store.log");
    int64_t t0 = gt_now_ns();
    kill(rec, SIGCONT);
    uint64_t cp = await_checkpoint(db, total, 30000);
    double took = (double)(gt_now_ns() - t0) / 1e9;
    cr_assert(eq(u64, cp, total), "caught up with the quiet feed: checkpoint %llu of %llu\n%s",
              (unsigned long long)cp, (unsigned long long)total, log_text("store.log"));
    /* Its stats say so: the feed's head learned, behind 0 at the checkpoint. */
    struct stats_line l[256];
    int n = 0;
    for (int i = 0; i < 500; i++) {
        n = stats_lines("store.log", log_at, l, 256);
        if (n > 0 && l[n - 1].checkpoint == total)
            break;
        usleep(10000);
    }
    cr_assert(gt(int, n, 0), "no stats line after the hold-back");
    cr_assert(eq(ullong, l[n - 1].feed, total), "feed head %llu", l[n - 1].feed);
    cr_assert(eq(ullong, l[n - 1].behind, 0));
    cr_assert(gt(ullong, l[n - 1].replayed, 0),
              "the records the publisher dropped came by replay (none replayed: it dropped none?)");
    for (int i = 0; i < n; i++)
        cr_assert(eq(ullong, l[i].behind, l[i].feed - l[i].checkpoint),
                  "behind = feed - checkpoint");
    cr_assert(eq(int, proc_stop(rec, 20000), 0), "%s", log_text("store.log"));
    feed_stop(&f);
    uint64_t cnt, sum, ck;
    store_sum(db, &cnt, &sum, &ck);
    cr_assert(eq(u64, cnt, total), "every record once");
    cr_assert(eq(u64, sum, (uint64_t)atomic_load(&f.sum)), "the store equals the journal");
    cr_assert(eq(u64, ck, total));
    fprintf(stderr,
            "held-back recorder: %llu records published, %llu of them while it was stopped; "
            "caught up %.2f s after it resumed on a quiet feed, %llu records by replay\n",
            (unsigned long long)total, (unsigned long long)(total - first), took,
            l[n - 1].replayed);
    e2e_dir_remove();
}

/* ---- refusals ---- */

/* Makes dir/NAME.key and dir/NAME.pub. */
static void keypair(const char *name, char pub_z85[GT_SEC_Z85_LEN + 1])
{
    char sec[GT_SEC_Z85_LEN + 1], path[128], err[GT_ERRLEN];
    cr_assert(eq(int, zmq_curve_keypair(pub_z85, sec), 0));
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    cr_assert(eq(int, gt_sec_key_write(path, sec, 1, name, err), GT_OK), "%s", err);
    snprintf(path, sizeof path, "%s/%s.pub", dir, name);
    cr_assert(eq(int, gt_sec_key_write(path, pub_z85, 0, name, err), GT_OK), "%s", err);
}

struct count {
    long recs;
    uint64_t next; /* the seq expected next: each once, in order */
    int bad;
};

static int count_cb(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    struct count *c = ctx;
    (void)topic, (void)tl;
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = ld_le64(recs + i * GT_TICK_LEN + 8);
        c->bad += c->next && seq != c->next;
        c->next = seq + 1;
    }
    c->recs += (long)n;
    return 0;
}

/* Polls a client until it fails for good or ms pass; returns the error (0:
 * none). GT_EZMQ (no reply yet) is retried, as its contract says. */
static long poll_until_error(gt_sub *s, int ms, char err[GT_ERRLEN])
{
    struct count c = {0};
    int64_t end = gt_now_ns() + (int64_t)ms * 1000000;
    long rc = 0;
    while ((rc >= 0 || rc == GT_EZMQ) && gt_now_ns() < end)
        rc = gt_sub_poll(s, 100, count_cb, &c, err);
    cr_assert(eq(long, c.recs, 0), "a refused client received records");
    return rc < 0 ? rc : 0;
}

Test(sub, a_refused_client_hears_it_and_the_server_logs_its_key_once, .timeout = 120)
{
    e2e_dir_make(dir, sizeof dir, "gt-sub");
    char srv[GT_SEC_Z85_LEN + 1], ok[GT_SEC_Z85_LEN + 1], stranger[GT_SEC_Z85_LEN + 1];
    keypair("server", srv);
    keypair("allowed", ok);
    keypair("stranger", stranger);
    char k_srv[96], p_srv[96], k_ok[96], p_ok[96], k_str[96];
    snprintf(k_srv, sizeof k_srv, "%s/server.key", dir);
    snprintf(p_srv, sizeof p_srv, "%s/server.pub", dir);
    snprintf(k_ok, sizeof k_ok, "%s/allowed.key", dir);
    snprintf(p_ok, sizeof p_ok, "%s/allowed.pub", dir);
    snprintf(k_str, sizeof k_str, "%s/stranger.key", dir);
    struct feed f;
    feed_start(&f, 100000, k_srv, p_ok);
    memcpy(f.stranger, stranger, sizeof f.stranger);
    feed_publish(&f, 10);
    char err[GT_ERRLEN] = "";

    /* The C client with a key the allow-list does not hold. */
    gt_sub *s;
    struct gt_sub_opts o = {.pub_ep = f.pub_ep,
                            .router_ep = f.rtr_ep,
                            .curve_client_key = k_str,
                            .curve_server_pub = p_srv};
    cr_assert(eq(int, gt_sub_open(&s, &o, err), GT_OK), "%s", err);
    long prc = poll_until_error(s, 20000, err);
    struct gt_zap_stats zs;
    gt_zap_stats_get(f.zap, &zs);
    cr_assert(eq(long, prc, GT_EPERM), "%s (server: %llu denied, %llu allowed, %llu failed)", err,
              (unsigned long long)zs.denied, (unsigned long long)zs.allowed,
              (unsigned long long)zs.handshake_failed);
    cr_assert(ne(ptr, strstr(err, "refused"), NULL), "%s", err);
    cr_assert(ne(ptr, strstr(err, "not allowed"), NULL), "the reason: %s", err);
    const struct gt_sub_stats *st = gt_sub_stats(s);
    cr_assert(ge(u64, st->refused, 1));
    gt_sub_close(s);

    /* Without CURVE at all, against a CURVE server. */
    o.curve_client_key = o.curve_server_pub = NULL;
    cr_assert(eq(int, gt_sub_open(&s, &o, err), GT_OK), "%s", err);
    cr_assert(eq(long, poll_until_error(s, 20000, err), GT_EPERM), "%s", err);
    cr_assert(ne(ptr, strstr(err, "refused"), NULL), "%s", err);
    gt_sub_close(s);

    /* ticksub, live and with a snapshot: one line, exit status 1. */
    pid_t t1 = spawn("tools/ticksub/ticksub", "live.log", "-e", f.pub_ep, "-r", f.rtr_ep, "-T",
                     "60", "--curve-client-key", k_str, "--curve-server-pub", p_srv, NULL);
    pid_t t2 = spawn("tools/ticksub/ticksub", "snap.log", "-S", "-e", f.pub_ep, "-r", f.rtr_ep,
                     "-T", "60", "--curve-client-key", k_str, "--curve-server-pub", p_srv, NULL);
    cr_assert(eq(int, proc_wait(t1, 30000), 1), "%s", log_text("live.log"));
    cr_assert(ne(ptr, strstr(log_text("live.log"), "refused this client"), NULL), "%s",
              log_text("live.log"));
    cr_assert(eq(int, proc_wait(t2, 30000), 1), "%s", log_text("snap.log"));
    cr_assert(ne(ptr, strstr(log_text("snap.log"), "refused this client"), NULL), "%s",
              log_text("snap.log"));

    /* tickstore too: one line, exit status 1, instead of waiting forever. */
    char db[96];
    snprintf(db, sizeof db, "%s/db", dir);
    pid_t t3 = spawn("store/tickstore", "store.log", "--db", db, "-e", f.pub_ep, "-r", f.rtr_ep,
                     "--curve-client-key", k_str, "--curve-server-pub", p_srv, NULL);
    cr_assert(eq(int, proc_wait(t3, 30000), 1), "%s", log_text("store.log"));
    cr_assert(ne(ptr, strstr(log_text("store.log"), "refused this client"), NULL), "%s",
              log_text("store.log"));

    /* An allowed key: every record, once, in order, from the first on. */
    o = (struct gt_sub_opts){.pub_ep = f.pub_ep,
                             .router_ep = f.rtr_ep,
                             .from_seq = 1,
                             .curve_client_key = k_ok,
                             .curve_server_pub = p_srv};
    cr_assert(eq(int, gt_sub_open(&s, &o, err), GT_OK), "%s", err);
    struct count c = {0};
    feed_publish(&f, 10);
    for (int64_t end = gt_now_ns() + INT64_C(30000000000);
         c.recs < 20 * RECS_PER_MSG && gt_now_ns() < end;)
        cr_assert(ge(long, gt_sub_poll(s, 100, count_cb, &c, err), 0), "%s", err);
    cr_assert(eq(long, c.recs, 20 * RECS_PER_MSG));
    cr_assert(eq(int, c.bad, 0));
    gt_sub_close(s);

    /* The stranger was refused on every socket of four programs: the server
     * logged its key once. */
    gt_zap_stats_get(f.zap, &zs);
    cr_assert(ge(u64, zs.denied, 3), "denied %llu", (unsigned long long)zs.denied);
    cr_assert(eq(int, atomic_load(&f.denial_lines), 1), "%d lines for %llu denials",
              atomic_load(&f.denial_lines), (unsigned long long)zs.denied);
    fprintf(stderr, "refusals: %llu denials of one key, %d line logged\n",
            (unsigned long long)zs.denied, atomic_load(&f.denial_lines));
    feed_stop(&f);
    e2e_dir_remove();
}

/* gt_bus_cb counting records, and messages whose topic is not H100's trades. */
static int h100_cb(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    struct count *c = ctx;
    c->bad += tl < 11 || memcmp(topic, "trade.H100.", 11) != 0;
    c->recs += (long)n;
    (void)recs;
    return 0;
}

/* A client of one prefix, from sequence 1, on a feed whose last messages
 * are all of another product: its live stream is silent about them, and
 * only the head INFO tells it the journal was covered to the end. */
Test(sub, a_prefixed_client_covers_the_journal_to_the_head_on_a_quiet_feed, .timeout = 60)
{
    e2e_dir_make(dir, sizeof dir, "gt-sub");
    struct feed f;
    feed_start(&f, 100000, NULL, NULL);
    feed_publish(&f, 20); /* alternately H100 and B200: 10 messages each */
    gt_sub *s;
    char err[GT_ERRLEN] = "";
    struct gt_sub_opts o = {
        .pub_ep = f.pub_ep, .router_ep = f.rtr_ep, .prefixes = "trade.H100.", .from_seq = 1};
    cr_assert(eq(int, gt_sub_open(&s, &o, err), GT_OK), "%s", err);
    struct count c = {0};
    const struct gt_sub_stats *st = gt_sub_stats(s);
    for (int64_t end = gt_now_ns() + INT64_C(30000000000);
         st->next != 20 * RECS_PER_MSG + 1 && gt_now_ns() < end;)
        cr_assert(ge(long, gt_sub_poll(s, 100, h100_cb, &c, err), 0), "%s", err);
    cr_assert(eq(long, c.recs, 10 * RECS_PER_MSG), "every H100 record once");
    cr_assert(eq(int, c.bad, 0), "nothing but H100");
    /* One more H100 message, taken; then one of B200 (odd message numbers):
     * nothing to deliver and nothing live, but the client learns the head on
     * the quiet bus and covers it. */
    feed_publish(&f, 1);
    for (int64_t end = gt_now_ns() + INT64_C(30000000000);
         st->next != 21 * RECS_PER_MSG + 1 && gt_now_ns() < end;)
        cr_assert(ge(long, gt_sub_poll(s, 100, h100_cb, &c, err), 0), "%s", err);
    cr_assert(eq(u64, st->next, 21 * RECS_PER_MSG + 1));
    uint64_t infos = st->idle_infos;
    feed_publish(&f, 1);
    for (int64_t end = gt_now_ns() + INT64_C(30000000000);
         st->next != 22 * RECS_PER_MSG + 1 && gt_now_ns() < end;)
        cr_assert(ge(long, gt_sub_poll(s, 100, h100_cb, &c, err), 0), "%s", err);
    cr_assert(eq(u64, st->next, 22 * RECS_PER_MSG + 1), "covered to the head");
    cr_assert(eq(u64, st->head, 22 * RECS_PER_MSG));
    cr_assert(eq(long, c.recs, 11 * RECS_PER_MSG));
    cr_assert(gt(u64, st->idle_infos, infos), "the head came from INFO on the quiet bus");
    gt_sub_close(s);
    feed_stop(&f);
    e2e_dir_remove();
}
