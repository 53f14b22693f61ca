/* SPDX-License-Identifier: MIT */
/* test_metrics.c -- the daemons' Prometheus endpoints (--metrics), scraped
 * over HTTP while the programs run a live stream:
 *
 *   - ticksim multicasts, tickfeed publishes, tickproxy forwards, tickstore
 *     records through the proxy; each serves GET /metrics on loopback in the
 *     text format, and during the run the counters move;
 *   - once the stream is over and every value has settled, the scraped
 *     values equal what each program's exit stats line says (packets, gaps,
 *     lost, published records and sequence; ticks, checkpoint, commits;
 *     forwarded messages), and the store's lag is zero;
 *   - a non-loopback --metrics address is refused in one line (exit 2), and
 *     any path but /metrics is a 404. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <zmq.h>
#include "e2e.h"
#include "gputick/bus.h"

E2E_SUITE(metrics, "gtmet-test", 26000, 300, 240);

/* The first of four HTTP ports for this process, apart from port_base's. */
static int http_ports(void)
{
    return 51000 + (int)(getpid() % 500) * 4;
}

/* GET path from 127.0.0.1:port into buf (NUL-terminated, headers and
 * body). Returns the HTTP status, or -1 if nothing answered. */
static int http_get(int port, const char *path, char *buf, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(ge(int, fd, 0));
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    cr_assert(eq(int, (int)write(fd, req, (size_t)n), n));
    size_t len = 0;
    ssize_t k;
    while (len + 1 < cap && (k = read(fd, buf + len, cap - 1 - len)) > 0)
        len += (size_t)k;
    buf[len] = 0;
    close(fd);
    int status = -1;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    return status;
}

/* Scrapes /metrics, waiting (at most 10 s) for the server to answer with
 * its metrics (no answer, or 503 while the program starts). */
static void scrape(int port, char *buf, size_t cap)
{
    int status = -1;
    for (int i = 0; i < 100 && (status = http_get(port, "/metrics", buf, cap)) != 200; i++) {
        if (status != -1 && status != 503)
            break;
        usleep(100000);
    }
    cr_assert(eq(int, status, 200), "GET /metrics on port %d: %d", port, status);
    cr_assert(not(eq(ptr, strstr(buf, "Content-Type: text/plain; version=0.0.4"), NULL)), "%s",
              buf);
}

/* The value of sample `name` (with its labels, if any) in an exposition
 * text; fails the test if it is absent. */
static double metric(const char *text, const char *name)
{
    char key[160];
    snprintf(key, sizeof key, "\n%s ", name);
    const char *p = strstr(text, key);
    cr_assert(not(eq(ptr, (void *)p, NULL)), "no sample %s in:\n%s", name, text);
    return strtod(p + strlen(key), NULL);
}

/* The number after " key " in the last line of log that starts with prefix. */
static double last_line_num(const char *log, const char *prefix, const char *key)
{
    const char *t = log_text(log), *line = NULL;
    for (const char *p = t; (p = strstr(p, prefix)); p++)
        if (p == t || p[-1] == '\n')
            line = p;
    cr_assert(not(eq(ptr, (void *)line, NULL)), "no line '%s' in %s:\n%s", prefix, log, t);
    const char *end = strchr(line, '\n');
    char k[64];
    snprintf(k, sizeof k, " %s ", key);
    const char *p = strstr(line, k);
    cr_assert(p && (!end || p < end), "no '%s' in: %.300s", key, line);
    return strtod(p + strlen(k), NULL);
}

/* Scrapes port until two scrapes a second and a half apart give the same
 * values for the samples named (at most 30 s): the program has published
 * its final counters. The last scrape is left in buf. */
static void scrape_settled(int port, char *buf, size_t cap, const char *const *names)
{
    double prev[16];
    int have = 0;
    for (int round = 0; round < 20; round++) {
        scrape(port, buf, cap);
        int same = have;
        for (int i = 0; names[i]; i++) {
            double v = metric(buf, names[i]);
            same &= v == prev[i];
            prev[i] = v;
        }
        if (same)
            return;
        have = 1;
        usleep(1500000);
    }
    cr_assert(0, "the metrics on port %d did not settle", port);
}

Test(metrics, scraped_during_a_live_run_and_equal_to_the_exit_stats)
{
    char db[128], jdir[128], pub[128], rtr[128], ppub[128], prtr[128], pb[16];
    char mf[32], mp[32], ms[32];
    static char buf[1 << 16];
    int http_base = http_ports();
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(ppub, sizeof ppub, "ipc://%s/ppub", dir);
    snprintf(prtr, sizeof prtr, "ipc://%s/prtr", dir);
    snprintf(pb, sizeof pb, "%d", port_base);
    snprintf(mf, sizeof mf, "127.0.0.1:%d", http_base);
    snprintf(mp, sizeof mp, "127.0.0.1:%d", http_base + 1);
    snprintf(ms, sizeof ms, "127.0.0.1:%d", http_base + 2);
    pid_t feed =
        spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir, "--pub",
              pub, "--router", rtr, "--stats", "1", "--reorder-ms", "300", "--metrics", mf, NULL);
    pid_t proxy =
        spawn("tools/tickproxy/tickproxy", "proxy.log", "--sub-connect", pub, "--req-connect", rtr,
              "--pub-bind", ppub, "--router-bind", prtr, "--stats", "1", "--metrics", mp, NULL);
    pid_t store = spawn("store/tickstore", "store.log", "--db", db, "--endpoint", ppub, "--router",
                        prtr, "--flush-ms", "100", "--stats", "1", "--metrics", ms, NULL);
    scrape(http_base, buf, sizeof buf); /* tickfeed is up */
    scrape(http_base + 2, buf, sizeof buf);
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--port-base", pb, "--seed", "5",
                      "--duration", "1h", "--day-seconds", "240", "--quiet", NULL);

    /* During the run: the counters move in all three. */
    double recs = 0, fwd = 0, ticks = 0;
    for (int i = 0; i < 100 && (recs == 0 || fwd == 0 || ticks == 0); i++) {
        usleep(200000);
        scrape(http_base, buf, sizeof buf);
        recs = metric(buf, "gputick_feed_published_records_total");
        scrape(http_base + 1, buf, sizeof buf);
        fwd = metric(buf, "gputick_proxy_messages_total");
        scrape(http_base + 2, buf, sizeof buf);
        ticks = metric(buf, "gputick_store_ticks_total");
    }
    int live = waitpid(sim, NULL, WNOHANG) == 0;
    cr_assert(gt(dbl, recs, 0.0), "tickfeed's records published, while ticksim runs");
    cr_assert(gt(dbl, fwd, 0.0), "tickproxy's messages forwarded");
    cr_assert(gt(dbl, ticks, 0.0), "tickstore's ticks recorded");
    cr_assert(eq(int, live, 1), "scraped during the run");
    cr_assert(eq(int, proc_wait(sim, 60000), 0), "ticksim");

    /* After it: every value settles, then equals the exit line's. */
    static const char *const feed_names[] = {"gputick_feed_published_records_total",
                                             "gputick_feed_sequence", "gputick_feed_gaps_total",
                                             NULL};
    static const char *const store_names[] = {"gputick_store_checkpoint_sequence",
                                              "gputick_store_commits_total", NULL};
    static const char *const proxy_names[] = {"gputick_proxy_messages_total",
                                              "gputick_proxy_requests_total", NULL};
    static char fm[1 << 16], pm[1 << 16], sm[1 << 16];
    scrape_settled(http_base, fm, sizeof fm, feed_names);
    double seq = metric(fm, "gputick_feed_sequence");
    for (int i = 0; i < 150; i++) {
        scrape(http_base + 2, sm, sizeof sm);
        if (metric(sm, "gputick_store_checkpoint_sequence") == seq)
            break;
        usleep(200000);
    }
    scrape_settled(http_base + 2, sm, sizeof sm, store_names);
    cr_assert(eq(dbl, metric(sm, "gputick_store_checkpoint_sequence"), seq),
              "the store caught up with the feed");
    cr_assert(eq(dbl, metric(sm, "gputick_store_lag_records"), 0.0));
    cr_assert(eq(dbl, metric(sm, "gputick_store_lag_seconds"), 0.0));
    cr_assert(eq(dbl, metric(sm, "gputick_store_blocked"), 0.0));
    cr_assert(gt(dbl, metric(sm, "gputick_store_disk_free_bytes"), 0.0));
    cr_assert(eq(int, proc_stop(store, 20000), 0), "tickstore stopped cleanly");
    /* The proxy is scraped once the recorder is gone: an idle bus client asks
     * the ROUTER (through the proxy) where the feed's head is every second, so
     * the proxy's request count moves for as long as tickstore runs. */
    scrape_settled(http_base + 1, pm, sizeof pm, proxy_names);
    cr_assert(eq(int, proc_stop(proxy, 10000), 0), "tickproxy stopped cleanly");
    cr_assert(eq(int, proc_stop(feed, 10000), 0), "tickfeed stopped cleanly");

    double pk = 0;
    static const char *const feeds[] = {"incr-a", "incr-b", "snap-a",  "snap-b",
                                        "def-a",  "def-b",  "index-a", "index-b"};
    for (int i = 0; i < 8; i++) {
        char name[96];
        snprintf(name, sizeof name, "gputick_feed_packets_total{feed=\"%s\"}", feeds[i]);
        pk += metric(fm, name);
    }
    const char *fx = "info tickfeed: exit:";
    cr_assert(eq(dbl, pk, last_line_num("feed.log", fx, "packets")));
    cr_assert(eq(dbl, metric(fm, "gputick_feed_published_records_total"),
                 last_line_num("feed.log", fx, "published")));
    cr_assert(eq(dbl, seq, last_line_num("feed.log", fx, "seq")));
    cr_assert(
        eq(dbl, metric(fm, "gputick_feed_gaps_total"), last_line_num("feed.log", fx, "gaps")));
    cr_assert(eq(dbl, metric(fm, "gputick_feed_lost_packets_total"),
                 last_line_num("feed.log", fx, "lost")));
    cr_assert(
        eq(dbl, metric(fm, "gputick_feed_stale_total"), last_line_num("feed.log", fx, "stale")));
    cr_assert(eq(dbl, metric(fm, "gputick_feed_stale_books"),
                 last_line_num("feed.log", fx, "stale-now")));
    cr_assert(eq(dbl, metric(fm, "gputick_feed_kernel_drops_total"),
                 last_line_num("feed.log", fx, "kernel-drops")));
    const char *sx = "info tickstore: ticks";
    cr_assert(
        eq(dbl, metric(sm, "gputick_store_ticks_total"), last_line_num("store.log", sx, "ticks")));
    cr_assert(eq(dbl, metric(sm, "gputick_store_checkpoint_sequence"),
                 last_line_num("store.log", sx, "checkpoint")));
    cr_assert(eq(dbl, metric(sm, "gputick_store_commits_total"),
                 last_line_num("store.log", sx, "commits")));
    cr_assert(
        eq(dbl, metric(sm, "gputick_store_gaps_total"), last_line_num("store.log", sx, "gaps")));
    cr_assert(eq(dbl, metric(pm, "gputick_proxy_messages_total"),
                 last_line_num("proxy.log", "info tickproxy: stats:", "messages")));
    cr_assert(eq(dbl, metric(pm, "gputick_proxy_requests_total"),
                 last_line_num("proxy.log", "info tickproxy: stats:", "requests")));
    fprintf(stderr, "metrics: feed seq %.0f, %.0f packets; store %.0f ticks; proxy %.0f messages\n",
            seq, pk, metric(sm, "gputick_store_ticks_total"),
            metric(pm, "gputick_proxy_messages_total"));
}

Test(metrics, refuses_a_remote_address_and_answers_only_metrics)
{
    char m[32];
    static char buf[1 << 16];
    int http_base = http_ports();
    pid_t p = spawn("store/tickstore", "remote.log", "--db", "/nonexistent/gputick-db", "--metrics",
                    "192.0.2.1:9570", NULL);
    cr_assert(eq(int, proc_wait(p, 10000), 2));
    const char *t = log_text("remote.log");
    cr_assert(
        eq(str, (char *)t, "tickstore: --metrics 192.0.2.1:9570 is not a loopback address\n"));
    p = spawn("tools/tickproxy/tickproxy", "bad.log", "--metrics", "localhost", NULL);
    cr_assert(eq(int, proc_wait(p, 10000), 2));
    t = log_text("bad.log");
    cr_assert(not(eq(ptr, strstr(t, "bad --metrics 'localhost' (want ADDR:PORT"), NULL)), "%s", t);

    char pub[128], rtr[128], jdir[128];
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(m, sizeof m, "127.0.0.1:%d", http_base + 3);
    char pb[16];
    snprintf(pb, sizeof pb, "%d", port_base + 8);
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir,
                       "--pub", pub, "--router", rtr, "--metrics", m, NULL);
    scrape(http_base + 3, buf, sizeof buf);
    cr_assert(eq(dbl, metric(buf, "gputick_feed_sequence"), 0.0));
    cr_assert(not(eq(ptr, strstr(buf, "# TYPE gputick_feed_packets_total counter\n"), NULL)));
    cr_assert(eq(int, http_get(http_base + 3, "/", buf, sizeof buf), 404));
    cr_assert(eq(int, proc_stop(feed, 10000), 0));
}

/* Scrapes port until sample name has value v (at most 20 s); returns the
 * last value seen (-1 while it is absent). */
static double scrape_until(int port, char *buf, size_t cap, const char *name, double v)
{
    double got = -1;
    for (int i = 0; i < 100; i++) {
        scrape(port, buf, cap);
        char key[160];
        snprintf(key, sizeof key, "\n%s ", name);
        const char *p = strstr(buf, key);
        if (p && (got = strtod(p + strlen(key), NULL)) == v)
            break;
        usleep(200000);
    }
    return got;
}

static int count_recs(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    (void)topic, (void)tl, (void)recs;
    *(long *)ctx += (long)n;
    return 0;
}

Test(metrics, subscribers_and_what_each_peer_asked_back)
{
    int http_base = http_ports();
    static char buf[1 << 16];
    char pub[128], rtr[128], jdir[128], m[32], pb[16];
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(m, sizeof m, "127.0.0.1:%d", http_base + 3);
    snprintf(pb, sizeof pb, "%d", port_base + 8);
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir,
                       "--pub", pub, "--router", rtr, "--metrics", m, "--stats", "1", NULL);
    scrape(http_base + 3, buf, sizeof buf);
    cr_assert(eq(dbl, metric(buf, "gputick_feed_subscribers"), 0.0));

    /* Two subscribers, three subscriptions. */
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_SUB), *b = zmq_socket(ctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(a, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(b, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(a, ZMQ_SUBSCRIBE, "trade.", 6);
    zmq_setsockopt(a, ZMQ_SUBSCRIBE, "book.", 5);
    zmq_setsockopt(b, ZMQ_SUBSCRIBE, "trade.", 6);
    cr_assert(eq(int, zmq_connect(a, pub), 0));
    cr_assert(eq(int, zmq_connect(b, pub), 0));
    cr_assert(
        eq(dbl, scrape_until(http_base + 3, buf, sizeof buf, "gputick_feed_subscribers", 2), 2.0));
    cr_assert(eq(dbl, scrape_until(http_base + 3, buf, sizeof buf, "gputick_feed_subscriptions", 3),
                 3.0));
    cr_assert(eq(dbl, metric(buf, "gputick_feed_subscriber_connections_total"), 2.0));

    /* Some records, then a replay asked by this process: its peer's series. */
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--port-base", pb, "--seed", "7",
                      "--duration", "10m", "--day-seconds", "60", "--quiet", NULL);
    double recs = 0;
    for (int i = 0; i < 150 && recs < 50; i++) {
        usleep(200000);
        scrape(http_base + 3, buf, sizeof buf);
        recs = metric(buf, "gputick_feed_published_records_total");
    }
    cr_assert(ge(dbl, recs, 50.0), "tickfeed published from ticksim");
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert(eq(int, zmq_connect(dealer, rtr), 0));
    char err[GT_ERRLEN];
    long got = 0;
    long n = gt_bus_replay(dealer, 1, 40, 10000, count_recs, &got, NULL, err);
    cr_assert(eq(long, n, 40), "%s", err);
    char name[96];
    snprintf(name, sizeof name, "gputick_feed_peer_replayed_records_total{peer=\"pid %d\"}",
             (int)getpid());
    cr_assert(eq(dbl, scrape_until(http_base + 3, buf, sizeof buf, name, 40), 40.0), "%s", buf);
    snprintf(name, sizeof name, "gputick_feed_peer_replays_total{peer=\"pid %d\"}", (int)getpid());
    cr_assert(ge(dbl, metric(buf, name), 1.0));

    /* One leaves: its connection and its subscriptions go. */
    zmq_close(a);
    cr_assert(
        eq(dbl, scrape_until(http_base + 3, buf, sizeof buf, "gputick_feed_subscribers", 1), 1.0));
    cr_assert(eq(dbl, scrape_until(http_base + 3, buf, sizeof buf, "gputick_feed_subscriptions", 1),
                 1.0));
    cr_assert(eq(int, proc_stop(sim, 20000), 0));
    zmq_close(b);
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    cr_assert(eq(int, proc_stop(feed, 10000), 0));
    /* The stats line has the same rows. */
    cr_assert(
        eq(dbl, last_line_num("feed.log", "info tickfeed: exit:", "subscriber-connections"), 2.0));
}

/* With an allow-list its handler holds the PUB socket's one monitor: the
 * failed handshakes are still counted, and the connection rows, which
 * would read 0, are left out rather than shown wrong. */
Test(metrics, with_an_allow_list_handshakes_count_and_connections_are_left_out)
{
    int http_base = http_ports();
    static char buf[1 << 16];
    char pub[128], rtr[128], jdir[128], m[32], pb[16], key[128], allow[128];
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(m, sizeof m, "127.0.0.1:%d", http_base + 3);
    snprintf(pb, sizeof pb, "%d", port_base + 8);
    snprintf(key, sizeof key, "%s/feed", dir);
    snprintf(allow, sizeof allow, "%s/desk", dir);
    cr_assert(eq(int, proc_wait(spawn("tools/tickkey/tickkey", "k1.log", key, NULL), 10000), 0));
    cr_assert(eq(int, proc_wait(spawn("tools/tickkey/tickkey", "k2.log", allow, NULL), 10000), 0));
    strcat(key, ".key");
    strcat(allow, ".pub");
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir,
                       "--pub", pub, "--router", rtr, "--metrics", m, "--curve-server-key", key,
                       "--curve-allow", allow, NULL);
    scrape(http_base + 3, buf, sizeof buf);
    void *ctx = zmq_ctx_new();
    void *plain = zmq_socket(ctx, ZMQ_SUB); /* no CURVE: its handshake fails */
    int linger = 0;
    zmq_setsockopt(plain, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(plain, ZMQ_SUBSCRIBE, "", 0);
    cr_assert(eq(int, zmq_connect(plain, pub), 0));
    double failed = -1;
    for (int i = 0; i < 100 && failed < 1; i++) {
        usleep(200000);
        scrape(http_base + 3, buf, sizeof buf);
        failed = metric(buf, "gputick_feed_handshake_failures_total");
    }
    cr_assert(ge(dbl, failed, 1.0), "%s", buf);
    cr_assert(eq(ptr, strstr(buf, "gputick_feed_subscribers"), NULL), "%s", buf);
    cr_assert(not(eq(ptr, strstr(buf, "\ngputick_feed_subscriptions 0\n"), NULL)), "%s", buf);
    zmq_close(plain);
    zmq_ctx_term(ctx);
    cr_assert(eq(int, proc_stop(feed, 10000), 0));
}
