/* SPDX-License-Identifier: MIT */
/* bench_curve.c -- what CURVE encryption costs the tick bus.
 *
 * One PUB and one SUB on tcp://127.0.0.1, in one process: a sender thread
 * publishes a fixed number of two-frame messages (a topic, then 64..512
 * bytes: one to eight tick records) and the main thread counts them. The
 * same run measures the pair as CURVE server and client (keys from
 * zmq_curve_keypair) and in plain text, alternating, best of three each; the
 * row is CURVE's messages per second beside plaintext's. The publisher waits
 * until the subscription has arrived (XPUB) and the high-water marks are
 * unlimited, so no message is dropped and both count the same work. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>
#include "bench.h"
#include "gputick/err.h"

enum { N_MSGS = 200000, ROUNDS = 3 };

struct pair {
    void *ctx, *pub, *sub;
    size_t len;
};

static void *send_all(void *arg)
{
    struct pair *p = arg;
    static uint8_t payload[512];
    char sub[64];
    zmq_recv(p->pub, sub, sizeof sub, 0); /* the subscription has arrived */
    for (int i = 0; i < N_MSGS; i++) {
        zmq_send(p->pub, "trade.H100.H100Z6", 17, ZMQ_SNDMORE);
        zmq_send(p->pub, payload, p->len, 0);
    }
    return NULL;
}

/* Messages per second through one PUB/SUB pair, or a negative gt_err. */
static double run_once(int curve, size_t len)
{
    struct pair p = {.ctx = zmq_ctx_new(), .len = len};
    p.pub = zmq_socket(p.ctx, ZMQ_XPUB);
    p.sub = zmq_socket(p.ctx, ZMQ_SUB);
    int zero = 0, one = 1;
    zmq_setsockopt(p.pub, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(p.sub, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt(p.pub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(p.sub, ZMQ_LINGER, &zero, sizeof zero);
    if (curve) {
        char spub[41], ssec[41], cpub[41], csec[41];
        if (zmq_curve_keypair(spub, ssec) < 0 || zmq_curve_keypair(cpub, csec) < 0)
            return GT_EZMQ;
        zmq_setsockopt(p.pub, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(p.pub, ZMQ_CURVE_SECRETKEY, ssec, 40);
        zmq_setsockopt(p.sub, ZMQ_CURVE_SERVERKEY, spub, 40);
        zmq_setsockopt(p.sub, ZMQ_CURVE_PUBLICKEY, cpub, 40);
        zmq_setsockopt(p.sub, ZMQ_CURVE_SECRETKEY, csec, 40);
    }
    char ep[64];
    size_t eplen = sizeof ep;
    zmq_bind(p.pub, "tcp://127.0.0.1:*");
    zmq_getsockopt(p.pub, ZMQ_LAST_ENDPOINT, ep, &eplen);
    zmq_setsockopt(p.sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_connect(p.sub, ep);
    pthread_t th;
    pthread_create(&th, NULL, send_all, &p);
    static uint8_t buf[512];
    double t0 = 0;
    int got = 0;
    zmq_setsockopt(p.sub, ZMQ_RCVTIMEO, &(int){5000}, sizeof(int));
    while (got < N_MSGS) {
        if (zmq_recv(p.sub, buf, sizeof buf, 0) < 0 || zmq_recv(p.sub, buf, sizeof buf, 0) < 0)
            break;
        if (got++ == 0)
            t0 = bench_now();
    }
    double secs = bench_now() - t0;
    pthread_join(th, NULL);
    zmq_close(p.pub);
    zmq_close(p.sub);
    zmq_ctx_term(p.ctx);
    bench_sink((uint64_t)got);
    return got == N_MSGS && secs > 0 ? (got - 1) / secs : GT_EIO;
}

int bench_curve(void)
{
    static const size_t lens[] = {64, 512};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        double best_curve = 0, best_plain = 0;
        for (int r = 0; r < ROUNDS; r++) {
            double c = run_once(1, lens[k]), p = run_once(0, lens[k]);
            if (c < 0 || p < 0)
                return GT_EZMQ;
            best_curve = c > best_curve ? c : best_curve;
            best_plain = p > best_plain ? p : best_plain;
        }
        char what[200];
        snprintf(what, sizeof what,
                 "PUB->SUB over tcp loopback with CURVE, %zu-byte messages, msgs/s (baseline: "
                 "the same in plain text; higher is better)",
                 lens[k]);
        bench_row(what, best_curve, best_plain);
    }
    return 0;
}
