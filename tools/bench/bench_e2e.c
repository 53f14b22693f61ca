/* SPDX-License-Identifier: MIT */
/* bench_e2e.c -- the tickfeed process end to end on loopback.
 *
 * Starts the real tickfeed (built beside gtbench) on private ports and ipc
 * endpoints, sends it MDP 3.0 packets over multicast (127.0.0.1, TTL 0) and
 * subscribes to its tops of book. Every packet is one event moving instrument
 * 1000's best bid, so every packet yields one `tob` message whose exchange
 * time is the moment the packet was sent.
 *   latency: a steady 5000 packets/s; send -> tickfeed -> ZeroMQ subscriber,
 *            p50/p99/p99.9, beside raw libzmq PUB -> SUB of same-size
 *            messages over the same transport at the same rate.
 *   rate:    the highest packet rate at which every packet of a 0.5 s burst
 *            reaches the subscriber, beside a minimal recvmmsg receiver of the
 *            same bursts: doubling from 25k/s, then three bisection steps
 *            between the last pass and the first failure. The rate reported
 *            is the one the sender achieved in the passing burst (it can fall
 *            short of the one asked for when the sender is the limit). */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>
#include "bench.h"
#include "gputick/bytes.h"
#include "gputick/bus.h"
#include "gputick/err.h"
#include "mdp3.h"
#include "gputick/time.h"
#include "net.h"

enum { PORT_BASE = 47300, LAT_RATE = 5000, LAT_N = 10000, WARM = 500 };
static const char *GROUP = "239.255.31.1";

static char dir[64], pub_ep[128];

static int64_t now_ns(void)
{
    return gt_now_ns();
}

/* Sleeps until the realtime clock reads t (no spinning: the machine has two
 * cores and the feed, its subscriber and ZeroMQ's threads need them). */
static void sleep_until(int64_t t)
{
    struct timespec ts = {t / 1000000000, t % 1000000000};
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) != 0) {
    }
}

/* One packet: a New at bid level 1 of instrument 1000, sent at t. */
static size_t make_pkt(uint8_t *buf, uint32_t seq, int64_t t)
{
    struct mdp3_enc e;
    mdp3_enc_init(&e, buf, 256, seq, (uint64_t)t);
    struct mdp3_incr m = {.transact_time_ns = (uint64_t)t,
                          .mei = MDP3_MEI_LAST_QUOTE | MDP3_MEI_END_OF_EVENT};
    struct mdp3_book46_entry en = {.px = 2750000000 + (int64_t)(seq % 7) * 5000000,
                                   .size = 5,
                                   .security_id = 1000,
                                   .rpt_seq = seq,
                                   .n_orders = 1,
                                   .price_level = 1,
                                   .update_action = MDP3_ACT_NEW,
                                   .entry_type = MDP3_ET_BID,
                                   .tradeable_size = MDP3_I32_NULL};
    mdp3_enc_book46(&e, &m, &en, 1, NULL, 0);
    return mdp3_enc_len(&e);
}

static pid_t start_tickfeed(void)
{
    char exe[PATH_MAX], bin[PATH_MAX + 32], port[16], jdir[96];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    *strrchr(exe, '/') = 0;
    snprintf(bin, sizeof bin, "%s/../../feedhandler/tickfeed", exe);
    snprintf(port, sizeof port, "%d", PORT_BASE);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    pid_t pid = fork();
    if (pid == 0) {
        execl(bin, "tickfeed", "--port-base", port, "--pub", pub_ep, "--router", "", "--journal",
              jdir, "--quiet", "--stats", "0", "--duration", "120", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void stop_tickfeed(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

/* ---- the sender ---- */
struct sender {
    int fd;
    int rate;     /* packets per second */
    long n;       /* packets */
    uint32_t seq; /* next MsgSeqNum (and RptSeq) */
    int raw_zmq;  /* send on pub instead: the baseline */
    void *pub;
    double achieved; /* packets/s the last run really sent */
};

/* Sends s->n packets (or raw ZeroMQ messages) at s->rate. Packets already
 * due go out together in one sendmmsg, so the sender is not the limit of the
 * rate test; at the latency test's rate that is one packet at a time. */
static void *send_run(void *arg)
{
    enum { BATCH = 32 };
    struct sender *s = arg;
    static uint8_t buf[BATCH][256];
    const uint8_t *pp[BATCH];
    size_t len[BATCH];
    int64_t t0 = now_ns(), gap = 1000000000LL / s->rate, last = t0;
    for (long i = 0; i < s->n;) {
        int64_t due = t0 + i * gap;
        if (due - now_ns() > 50000)
            sleep_until(due); /* ahead of time; else send at once (no spinning) */
        int64_t t = now_ns();
        if (s->raw_zmq) {
            uint8_t rec[GT_TICK_LEN] = {0};
            st_le64(rec + 16, (uint64_t)t);
            gt_bus_send(s->pub, "tob.NA.S1000", 12, rec, 1, ZMQ_DONTWAIT);
            i++;
        } else {
            int k = 0;
            do {
                len[k] = make_pkt(buf[k], s->seq++, t);
                pp[k] = buf[k];
                k++;
            } while (k < BATCH && i + k < s->n && t0 + (i + k) * gap <= t);
            net_tx_sendmmsg(s->fd, pp, len, k);
            i += k;
        }
        last = t;
    }
    /* n packets over n - 1 gaps: the rate the sender kept up. */
    s->achieved = s->n > 1 && last > t0 ? (double)(s->n - 1) * 1e9 / (double)(last - t0) : 0;
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Receives n messages (or until timeout_ms of silence) and records latencies. */
static long receive(void *sub, long n, int64_t *lat, int timeout_ms)
{
    struct gt_bus_msg m;
    gt_bus_msg_init(&m);
    long got = 0;
    while (got < n) {
        zmq_pollitem_t pi = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&pi, 1, timeout_ms) <= 0)
            break;
        while (got < n && gt_bus_recv(sub, &m, ZMQ_DONTWAIT) > 0) {
            int64_t t = now_ns();
            if (lat)
                lat[got] = t - (int64_t)ld_le64(gt_bus_msg_rec(&m, 0) + 16);
            got++;
        }
    }
    gt_bus_msg_close(&m);
    return got;
}

static void *sub_open(void *zctx, const char *ep)
{
    void *sub = zmq_socket(zctx, ZMQ_SUB);
    int hwm = 1000000, linger = 0;
    zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "tob.", 4);
    zmq_connect(sub, ep);
    return sub;
}

/* Latency of n messages at rate; returns the sorted samples past the warm-up. */
static int latency_run(struct sender *s, void *sub, int64_t *lat)
{
    pthread_t th;
    pthread_create(&th, NULL, send_run, s);
    long got = receive(sub, s->n, lat, 2000);
    pthread_join(th, NULL);
    if (got < s->n)
        return GT_EIO;
    qsort(lat + WARM, (size_t)(s->n - WARM), sizeof *lat, cmp_i64);
    return GT_OK;
}

static double pct(const int64_t *lat, long n, double p)
{
    return (double)lat[WARM + (long)((double)(n - WARM - 1) * p)] / 1000.0;
}

/* The minimal receiver: recvmmsg on one joined socket, counting. */
struct raw_rx {
    struct net_rx rx;
    long got;
    volatile int stop;
};

static void *raw_rx_run(void *arg)
{
    struct raw_rx *r = arg;
    struct net_pkt batch[NET_RX_BATCH];
    while (!r->stop) {
        int n = net_rx_recv(&r->rx, batch, NET_RX_BATCH, 5);
        if (n > 0)
            r->got += n;
    }
    return NULL;
}

static int rate_ok(struct sender *s, int rate, void *sub, struct raw_rx *raw)
{
    s->rate = rate;
    s->n = rate / 2;
    pthread_t th;
    if (raw) {
        raw->got = 0;
        pthread_create(&th, NULL, send_run, s);
        pthread_join(th, NULL);
        usleep(100000);
        return raw->got == s->n;
    }
    pthread_create(&th, NULL, send_run, s);
    long got = receive(sub, s->n, NULL, 500);
    pthread_join(th, NULL);
    receive(sub, LONG_MAX, NULL, 50); /* drain a tail */
    return got == s->n;
}

/* The highest rate with no loss, as achieved by the sender (packets/s);
 * *limited says the sender could not go faster (the receiver lost nothing). */
static double best_rate(struct sender *s, void *sub, struct raw_rx *raw, int *limited)
{
    *limited = 0;
    int lo = 0, hi = 0;
    double best = 0;
    for (int rate = 25000; rate <= 6400000; rate *= 2) {
        if (!rate_ok(s, rate, sub, raw)) {
            hi = rate;
            break;
        }
        lo = rate;
        best = s->achieved;
        if (s->achieved < 0.9 * rate) {
            *limited = 1;
            return best; /* the sender is the limit: asking for more changes nothing */
        }
    }
    for (int step = 0; step < 3 && lo > 0 && hi > 0; step++) {
        int mid = lo + (hi - lo) / 2;
        if (rate_ok(s, mid, sub, raw)) {
            lo = mid;
            best = s->achieved > best ? s->achieved : best;
        } else {
            hi = mid;
        }
    }
    return best;
}

int bench_e2e(void)
{
    snprintf(dir, sizeof dir, "/tmp/gtbench-e2e-XXXXXX");
    if (!mkdtemp(dir))
        return GT_EIO;
    snprintf(pub_ep, sizeof pub_ep, "ipc://%s/pub", dir);
    void *zctx = zmq_ctx_new();
    char err[GT_ERRLEN];
    int rc = GT_OK;
    pid_t pid = start_tickfeed();
    struct sender s = {.fd = net_tx_open(GROUP, PORT_BASE + 1, "127.0.0.1", 0, err), .seq = 1};
    void *sub = sub_open(zctx, pub_ep);
    int64_t *lat = malloc(LAT_N * sizeof *lat), *raw_lat = malloc(LAT_N * sizeof *raw_lat);
    if (pid < 0 || s.fd < 0 || !lat || !raw_lat) {
        fprintf(stderr, "bench e2e: cannot start: %s\n", s.fd < 0 ? err : "tickfeed");
        rc = GT_EIO;
        goto out;
    }
    /* Wait until tickfeed publishes (joined, subscribed); a snapshot after
     * each try recovers the book if the first packets came before the join. */
    usleep(300000);
    s.rate = 1000, s.n = 1;
    int up = 0, snap_fd = net_tx_open("239.255.31.3", PORT_BASE + 3, "127.0.0.1", 0, err);
    for (int i = 0; i < 300 && !up && snap_fd >= 0; i++) {
        pthread_t th;
        pthread_create(&th, NULL, send_run, &s);
        pthread_join(th, NULL);
        uint8_t buf[256];
        struct mdp3_enc e;
        mdp3_enc_init(&e, buf, sizeof buf, (uint32_t)i + 1, (uint64_t)now_ns());
        struct mdp3_snapshot52 sn = {.last_msg_seq_num_processed = s.seq - 1,
                                     .tot_num_reports = 1,
                                     .security_id = 1000,
                                     .rpt_seq = s.seq - 1,
                                     .trade_date = MDP3_U16_NULL,
                                     .trading_status = MDP3_U8_NULL,
                                     .high_limit_px = MDP3_PX_NULL,
                                     .low_limit_px = MDP3_PX_NULL,
                                     .max_price_variation_px = MDP3_PX_NULL};
        mdp3_enc_snapshot52(&e, &sn, NULL, 0);
        net_tx_send(snap_fd, buf, mdp3_enc_len(&e));
        up = receive(sub, 1, NULL, 20) == 1;
    }
    net_tx_close(snap_fd);
    if (!up) {
        fprintf(stderr, "bench e2e: tickfeed never published\n");
        rc = GT_EIO;
        goto out;
    }
    receive(sub, LONG_MAX, NULL, 100);
    s.rate = LAT_RATE, s.n = LAT_N;
    rc = latency_run(&s, sub, lat);
    /* The baseline: raw PUB -> SUB over ipc at the same rate. */
    char raw_ep[128];
    snprintf(raw_ep, sizeof raw_ep, "ipc://%s/raw", dir);
    void *rpub = zmq_socket(zctx, ZMQ_PUB);
    int linger = 0;
    zmq_setsockopt(rpub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_bind(rpub, raw_ep);
    void *rsub = sub_open(zctx, raw_ep);
    usleep(200000);
    struct sender rs = {.rate = LAT_RATE, .n = LAT_N, .raw_zmq = 1, .pub = rpub};
    if (rc == GT_OK)
        rc = latency_run(&rs, rsub, raw_lat);
    zmq_close(rsub);
    zmq_close(rpub);
    if (rc == GT_OK) {
        bench_row("e2e latency p50, us: multicast send -> tickfeed -> SUB at 5000 pkt/s "
                  "(baseline: raw libzmq PUB->SUB ipc, same rate; lower is better)",
                  pct(lat, LAT_N, 0.5), pct(raw_lat, LAT_N, 0.5));
        bench_row("e2e latency p99, us (same; goal <= 3x)", pct(lat, LAT_N, 0.99),
                  pct(raw_lat, LAT_N, 0.99));
        bench_row("e2e latency p99.9, us (same)", pct(lat, LAT_N, 0.999),
                  pct(raw_lat, LAT_N, 0.999));
    } else {
        fprintf(stderr, "bench e2e: latency run lost messages\n");
    }
    /* Zero-loss rate: tickfeed vs a bare recvmmsg receiver. */
    int feed_limited, raw_limited;
    double feed_best = best_rate(&s, sub, NULL, &feed_limited);
    stop_tickfeed(pid);
    pid = -1;
    struct raw_rx raw = {0};
    struct net_rx_config rcfg = {.feeds = 1u << GT_FEED_INCR_A};
    struct gt_channels ch = GT_CHANNELS_DEFAULT;
    rcfg.ch = ch;
    rcfg.ch.feed[GT_FEED_INCR_A].port = PORT_BASE + 1;
    if (net_rx_open(&raw.rx, &rcfg, err) == GT_OK) {
        pthread_t th;
        pthread_create(&th, NULL, raw_rx_run, &raw);
        double raw_best = best_rate(&s, NULL, &raw, &raw_limited);
        for (int k = 0; k < 2; k++)
            if (k ? raw_limited : feed_limited)
                fprintf(stderr,
                        "bench e2e: %s lost nothing at the most this sender reached (%.0f k "
                        "pkt/s): its own limit is higher\n",
                        k ? "the bare receiver" : "tickfeed", (k ? raw_best : feed_best) / 1000);
        raw.stop = 1;
        pthread_join(th, NULL);
        net_rx_close(&raw.rx);
        bench_row("zero-loss multicast rate, k pkt/s through tickfeed to a subscriber "
                  "as sent (baseline: bare recvmmsg receiver; higher is better, goal >= 0.8)",
                  feed_best / 1000.0, raw_best / 1000.0);
    } else {
        fprintf(stderr, "bench e2e: %s\n", err);
    }
out:
    stop_tickfeed(pid);
    if (s.fd >= 0)
        net_tx_close(s.fd);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    free(lat);
    free(raw_lat);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench e2e: could not remove %s\n", dir);
    return rc;
}
