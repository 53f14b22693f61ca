/* SPDX-License-Identifier: MIT */
/* test_recorder.c -- tickstore (the recorder) against its failures:
 *
 *   - a shard whose REPLAY replies come late: a late reply is never taken for
 *     the answer to a later request, and no record of its share is skipped. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <string.h>
#include <zmq.h>
#include "e2e.h"
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "recorder.h"

static char dir[64];

static void setup(void)
{
    e2e_dir_make(dir, sizeof dir, "gtrec-test");
}

static void teardown(void)
{
    e2e_dir_remove();
}

TestSuite(recorder, .init = setup, .fini = teardown, .timeout = 180);

/* ---- a shard against a ROUTER that answers late ---- */

enum { LATE_N = 6000, LATE_PER_MSG = 3, LATE_SCAN = 300, LATE_AT = 3, LATE_MS = 700 };

/* A journal of LATE_N records in messages of 3, alternately of products A
 * and B, served by REPLAY with filters, LATE_SCAN records scanned a reply;
 * the LATE_AT-th request is answered LATE_MS late. */
struct late_server {
    void *ctx, *router;
    pthread_t thread;
    volatile int stop;
    int requests;
};

static const char *late_topic(uint64_t seq)
{
    return ((seq - 1) / LATE_PER_MSG) % 2 ? "trade.B.BZ6" : "trade.A.AZ6";
}

static void *late_serve(void *arg)
{
    struct late_server *sv = arg;
    static uint8_t recs[LATE_SCAN * GT_TICK_LEN];
    while (!sv->stop) {
        zmq_pollitem_t pi = {sv->router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&pi, 1, 20) <= 0)
            continue;
        zmq_msg_t part[GT_BUS_MAX_FRAMES + 1];
        int dropped, n = gt_bus_recv_parts(sv->router, part, GT_BUS_MAX_FRAMES + 1, 0, &dropped);
        if (n < 2)
            continue;
        struct gt_frame f[GT_BUS_MAX_FRAMES + 1];
        for (int i = 0; i < n; i++)
            f[i] = (struct gt_frame){zmq_msg_data(&part[i]), zmq_msg_size(&part[i])};
        struct gt_bus_req req;
        char err[GT_ERRLEN];
        if (gt_bus_req_parse(f + 1, n - 1, &req, err) == GT_OK && req.cmd == GT_BUS_REPLAY) {
            if (++sv->requests == LATE_AT)
                usleep(LATE_MS * 1000);
            uint64_t s = req.from_seq, k = 0;
            zmq_send(sv->router, f[0].p, f[0].len, ZMQ_SNDMORE);
            zmq_send(sv->router, "OK", 2, ZMQ_SNDMORE);
            uint8_t hdr[24];
            /* First the records, so the header can say where the scan ended. */
            struct {
                const char *topic;
                size_t at, n;
            } msgs[LATE_SCAN];
            size_t n_msgs = 0;
            for (uint64_t end = s + LATE_SCAN; s < end && s <= LATE_N && s <= req.to_seq;) {
                uint64_t msg_end = ((s - 1) / LATE_PER_MSG + 1) * LATE_PER_MSG;
                uint64_t cnt = msg_end - s + 1;
                const char *topic = late_topic(s);
                if (gt_bus_filter_match(req.filter, topic, strlen(topic))) {
                    msgs[n_msgs].topic = topic;
                    msgs[n_msgs].at = k;
                    msgs[n_msgs++].n = cnt;
                    for (uint64_t j = 0; j < cnt; j++) {
                        struct gt_tick t = {.version = GT_TICK_VERSION,
                                            .kind = GT_KIND_TRADE,
                                            .instr_id = topic[6] == 'A' ? 1 : 2,
                                            .seq = s + j,
                                            .exch_ns = (int64_t)(s + j) * 1000};
                        t.u.trade.px = 2500000000;
                        t.u.trade.qty = 1;
                        gt_tick_encode(&t, recs + (k + j) * GT_TICK_LEN);
                    }
                    k += cnt;
                }
                s += cnt;
            }
            st_le64(hdr, req.from_seq);
            st_le64(hdr + 8, s);
            st_le64(hdr + 16, LATE_N);
            zmq_send(sv->router, hdr, 24, n_msgs ? ZMQ_SNDMORE : 0);
            for (size_t i = 0; i < n_msgs; i++) {
                zmq_send(sv->router, msgs[i].topic, strlen(msgs[i].topic), ZMQ_SNDMORE);
                zmq_send(sv->router, recs + msgs[i].at * GT_TICK_LEN, msgs[i].n * GT_TICK_LEN,
                         i + 1 < n_msgs ? ZMQ_SNDMORE : 0);
            }
        }
        for (int i = 0; i < n; i++)
            zmq_msg_close(&part[i]);
    }
    return NULL;
}

struct rec_run {
    struct recorder *r;
    volatile sig_atomic_t stop;
    int rc;
};

static void *rec_main(void *arg)
{
    struct rec_run *t = arg;
    char err[GT_ERRLEN];
    t->rc = recorder_run(t->r, &t->stop, 0, NULL, err);
    return NULL;
}

Test(recorder, a_shard_skips_nothing_when_a_replay_reply_comes_late, .timeout = 60)
{
    char pub[128], rtr[128], db[128];
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(db, sizeof db, "%s/db", dir);
    struct late_server sv = {0};
    sv.ctx = zmq_ctx_new();
    sv.router = zmq_socket(sv.ctx, ZMQ_ROUTER);
    cr_assert(eq(int, zmq_bind(sv.router, rtr), 0));
    void *pubs = zmq_socket(sv.ctx, ZMQ_PUB); /* silent: the shard catches up by replay */
    cr_assert(eq(int, zmq_bind(pubs, pub), 0));
    pthread_create(&sv.thread, NULL, late_serve, &sv);
    struct recorder_config c = {.db = db,
                                .pub_ep = pub,
                                .router_ep = rtr,
                                .flush_ms = 50,
                                .commit_ticks = 1000,
                                .timeout_ms = LATE_MS / 3,
                                .filter = "trade.A."};
    struct rec_run t = {0};
    char err[GT_ERRLEN] = "";
    cr_assert(eq(int, recorder_open(&t.r, &c, err), GT_OK), "%s", err);
    pthread_t th;
    pthread_create(&th, NULL, rec_main, &t);
    /* Done when the shard's checkpoint covers the whole journal. */
    uint64_t n = 0, sum = 0, cp = 0;
    for (int i = 0; i < 100 && cp < LATE_N; i++) {
        usleep(100000);
        gt_store *st;
        if (gt_store_open(db, GT_STORE_READER, &st, err) == GT_OK) {
            cp = gt_store_checkpoint(st);
            gt_store_close(st);
        }
    }
    t.stop = 1;
    pthread_join(th, NULL);
    cr_assert(eq(int, t.rc, GT_OK));
    recorder_close(t.r);
    sv.stop = 1;
    pthread_join(sv.thread, NULL);
    zmq_close(pubs);
    zmq_close(sv.router);
    zmq_ctx_term(sv.ctx);
    cr_assert(ge(int, sv.requests, LATE_AT + 1), "the late reply was waited out and asked again");
    store_sum(db, &n, &sum, &cp);
    cr_assert(eq(u64, cp, LATE_N), "the shard covered the journal");
    cr_assert(eq(u64, n, LATE_N / 2), "every record of product A, once");
    /* Which ones: every A seq exactly once (their sum tells a skip from a dup). */
    gt_store *st;
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_OK), "%s", err);
    gt_store_iter *it;
    cr_assert(eq(int, gt_store_iter_open(st, 1, GT_KIND_TRADE, INT64_MIN, INT64_MAX, &it), GT_OK));
    const struct gt_tick *tk;
    int k;
    uint64_t want = 1;
    while ((k = gt_store_iter_next(it, &tk)) > 0)
        for (int j = 0; j < k; j++) {
            cr_assert(eq(u64, tk[j].seq, want), "record %llu of A", (unsigned long long)want);
            want += (want % LATE_PER_MSG) ? 1 : LATE_PER_MSG + 1;
        }
    gt_store_iter_close(it);
    gt_store_close(st);
    cr_assert(gt(u64, want, LATE_N - LATE_PER_MSG), "up to the journal's end");
}
