/* SPDX-License-Identifier: MIT */
/* bench_rx.c -- the multicast receive path and the A/B arbiter.
 *
 * (1) Zero-loss rate on loopback: a sender thread paces bursts of 200-byte
 * datagrams to one group (IF 127.0.0.1, TTL 0) at rising rates; at each rate
 * net_rx (poll + recvmmsg batches, kernel timestamps, drop counter) and then a
 * minimal plain recvfrom() receiver on a socket with the same SO_RCVBUF each
 * receive one burst, and a trial with any datagram missing is a loss. The
 * row reports the highest sent rate each received without loss. Bursts are
 * longer than the receive buffer holds, so the buffer alone cannot hide a
 * receiver that is too slow.
 * (2) The arbiter: packets/s through arb_offer() with lines A and B
 * interleaved (every sequence twice), beside a loop that only reads each
 * packet's sequence. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "../../feedhandler/arb.h"
#include "net.h"
#include "bench.h"
#include "gputick/bytes.h"

enum { PKT_LEN = 200, BURST = 100000, TX_BATCH = 16, RCVBUF = 4 << 20 };

struct sender {
    int fd;
    double rate; /* datagrams per second asked for */
    double secs; /* time the burst took */
};

static void *sender_run(void *arg)
{
    struct sender *s = arg;
    static uint8_t pkts[TX_BATCH][PKT_LEN];
    const uint8_t *ps[TX_BATCH];
    size_t lens[TX_BATCH];
    for (int i = 0; i < TX_BATCH; i++) {
        ps[i] = pkts[i];
        lens[i] = PKT_LEN;
    }
    double t0 = bench_now();
    for (uint32_t i = 0; i < BURST; i += TX_BATCH) {
        double due = t0 + i / s->rate;
        while (bench_now() < due)
            ;
        for (int k = 0; k < TX_BATCH; k++)
            st_le32(pkts[k], i + (uint32_t)k);
        int n = TX_BATCH;
        for (int sent = 0, tries = 0; sent < n && tries < 1000; tries++) {
            int r = net_tx_sendmmsg(s->fd, ps + sent, lens + sent, n - sent);
            if (r > 0)
                sent += r;
        }
    }
    s->secs = bench_now() - t0;
    return NULL;
}

/* Receives one burst; returns datagrams received. */
static long recv_netrx(struct net_rx *rx)
{
    struct net_pkt batch[NET_RX_BATCH];
    long got = 0;
    int idle = 0;
    while (got < BURST && idle < 4) {
        int n = net_rx_recv(rx, batch, NET_RX_BATCH, 50);
        if (n <= 0) {
            idle++;
            continue;
        }
        idle = 0;
        uint64_t acc = 0;
        for (int i = 0; i < n; i++)
            acc += ld_le32(batch[i].p);
        bench_sink(acc);
        got += n;
    }
    return got;
}

static long recv_plain(int fd)
{
    uint8_t buf[2048];
    long got = 0;
    int idle = 0;
    struct timeval tv = {.tv_usec = 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (got < BURST && idle < 4) {
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, NULL, NULL);
        if (n < 0) {
            idle++;
            continue;
        }
        idle = 0;
        bench_sink(ld_le32(buf));
        got++;
    }
    return got;
}

/* The minimal receiver: bind to the group, join on loopback, same buffer. */
static int plain_open(const struct gt_endpoint *ep)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, len = RCVBUF;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(ep->port)};
    struct ip_mreq mr;
    inet_pton(AF_INET, ep->group, &sa.sin_addr);
    mr.imr_multiaddr = sa.sin_addr;
    inet_pton(AF_INET, "127.0.0.1", &mr.imr_interface);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &len, sizeof len) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &len, sizeof len);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One trial: returns the rate actually sent if nothing was lost, else 0;
 * *sent_rate is the rate the sender achieved. */
static double trial(int tx, double rate, struct net_rx *rx, int plain_fd, double *sent_rate)
{
    struct sender s = {.fd = tx, .rate = rate};
    pthread_t th;
    if (pthread_create(&th, NULL, sender_run, &s) != 0)
        return 0;
    long got = rx ? recv_netrx(rx) : recv_plain(plain_fd);
    pthread_join(th, NULL);
    /* Anything left over (a duplicate run) is drained so the next trial starts clean. */
    if (rx) {
        struct net_pkt b[NET_RX_BATCH];
        while (net_rx_recv(rx, b, NET_RX_BATCH, 0) > 0)
            ;
    }
    *sent_rate = BURST / s.secs;
    return got == BURST ? BURST / s.secs : 0;
}

static int bench_rx_rate(void)
{
    struct gt_channels ch = GT_CHANNELS_DEFAULT;
    struct gt_endpoint *ep = &ch.feed[GT_FEED_INCR_A];
    ep->port = (uint16_t)(40000 + getpid() % 5000);
    struct net_rx_config c = {.feeds = 1u << GT_FEED_INCR_A, .ch = ch, .rcvbuf_len = RCVBUF};
    char err[GT_ERRLEN];
    struct net_rx rx;
    if (net_rx_open(&rx, &c, err) < 0)
        return GT_EIO;
    int tx = net_tx_open(ep->group, ep->port, NULL, 0, err);
    int txp = -1, plain = -1;
    /* The plain receiver gets its own port so net_rx never sees its traffic. */
    struct gt_endpoint pep = *ep;
    pep.port = (uint16_t)(ep->port + 1);
    plain = plain_open(&pep);
    txp = net_tx_open(pep.group, pep.port, NULL, 0, err);
    if (tx < 0 || txp < 0 || plain < 0) {
        net_rx_close(&rx);
        net_tx_close(tx);
        net_tx_close(txp);
        if (plain >= 0)
            close(plain);
        return GT_EIO;
    }
    double best_rx = 0, best_plain = 0;
    int lost_rx = 0, lost_plain = 0;
    /* Stops when both receivers lost twice, or when the sender itself cannot
     * reach the rate asked (then the sender, not a receiver, is the limit). */
    double sent = 0;
    for (double rate = 100000; rate < 20e6 && (lost_rx < 2 || lost_plain < 2); rate *= 1.4) {
        if (lost_rx < 2) {
            double r = trial(tx, rate, &rx, -1, &sent);
            if (r > best_rx)
                best_rx = r;
            lost_rx += r == 0;
        }
        if (lost_plain < 2) {
            double r = trial(txp, rate, NULL, plain, &sent);
            if (r > best_plain)
                best_plain = r;
            lost_plain += r == 0;
        }
        if (sent < 0.7 * rate)
            break;
    }
    bench_row("multicast rx on loopback, max zero-loss k datagrams/s of 200 B (baseline: plain "
              "recvfrom() loop; higher is better)",
              best_rx / 1e3, best_plain / 1e3);
    net_rx_close(&rx);
    net_tx_close(tx);
    net_tx_close(txp);
    close(plain);
    return 0;
}

static void arb_sink(void *ctx, const uint8_t *pkt, size_t len, int line, uint32_t seq)
{
    (void)line;
    *(uint64_t *)ctx += seq + len + pkt[4];
}

static int bench_arb(void)
{
    enum { N = 1 << 18, ROUNDS = 5 };
    uint8_t *wire = calloc(N, PKT_LEN);
    if (!wire)
        return GT_ENOMEM;
    for (uint32_t i = 0; i < N; i++)
        st_le32(wire + (size_t)i * PKT_LEN, i + 1);
    double best_arb = 1e9, best_seq = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t acc = 0;
        struct arb_config c = {.ctx = &acc, .deliver = arb_sink};
        struct arb a;
        if (arb_init(&a, &c) < 0) {
            free(wire);
            return GT_ENOMEM;
        }
        double t0 = bench_now();
        for (size_t i = 0; i < N; i++) {
            const uint8_t *p = wire + i * PKT_LEN;
            arb_offer(&a, ARB_LINE_A, p, PKT_LEN, (int64_t)i);
            arb_offer(&a, ARB_LINE_B, p, PKT_LEN, (int64_t)i);
        }
        double t1 = bench_now();
        uint32_t last = 0;
        for (size_t i = 0; i < N; i++) {
            const uint8_t *p = wire + i * PKT_LEN;
            for (int line = 0; line < 2; line++) {
                uint32_t s = ld_le32(p);
                if (s > last) {
                    last = s;
                    acc += s + PKT_LEN + p[4];
                }
            }
        }
        double t2 = bench_now();
        bench_sink(acc + a.stats.accepted[0]);
        arb_fini(&a);
        if (t1 - t0 < best_arb)
            best_arb = t1 - t0;
        if (t2 - t1 < best_seq)
            best_seq = t2 - t1;
    }
    bench_row("A/B arbitration, M packets/s offered, A and B interleaved (baseline: loop that "
              "only reads each sequence; higher is better)",
              2.0 * N / best_arb / 1e6, 2.0 * N / best_seq / 1e6);
    free(wire);
    return 0;
}

int bench_rx(void)
{
    int rc = bench_rx_rate();
    int rc2 = bench_arb();
    return rc < 0 ? rc : rc2;
}
