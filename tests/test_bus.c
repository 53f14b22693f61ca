/* SPDX-License-Identifier: MIT */
/* test_bus.c -- the bus protocol over real ZeroMQ sockets on loopback.
 *
 * A small ROUTER in a thread serves a journal of 10000 records from memory with
 * gt_bus_req_parse, in GT_BUS_CHUNK-record replies, so the client side
 * (gt_bus_replay, gt_bus_snapshot, gt_bus_info) is tried end to end: chunking,
 * ranges past the newest record, errors coming back as codes and text, and a
 * reply that comes after its request timed out, which must not be taken for
 * the answer to the next request. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "gputick/err.h"

enum { N_JOURNAL = 10000, PER_MSG = 3 };

struct server {
    void *ctx, *router;
    char endpoint[64];
    pthread_t thread;
    int late_ms;
};

static void make_tick(uint64_t seq, uint8_t out[GT_TICK_LEN])
{
    struct gt_tick t = {.version = GT_TICK_VERSION,
                        .kind = GT_KIND_TRADE,
                        .instr_id = 7,
                        .seq = seq,
                        .exch_ns = (int64_t)seq * 1000};
    t.u.trade.px = 2500000000 + (int64_t)seq;
    t.u.trade.qty = 1;
    gt_tick_encode(&t, out);
}

static void send_frames(void *s, const struct gt_frame *f, int n)
{
    for (int i = 0; i < n; i++)
        zmq_send(s, f[i].p, f[i].len, i + 1 < n ? ZMQ_SNDMORE : 0);
}

/* Answers requests until it gets "STOP". */
static void *serve(void *arg)
{
    struct server *sv = arg;
    static uint8_t recs[GT_BUS_CHUNK * GT_TICK_LEN];
    for (;;) {
        zmq_msg_t part[GT_BUS_MAX_FRAMES + 2];
        int dropped, n = gt_bus_recv_parts(sv->router, part, GT_BUS_MAX_FRAMES + 1, 0, &dropped);
        if (n < 0)
            return NULL; /* the context is gone */
        struct gt_frame f[GT_BUS_MAX_FRAMES + 2];
        for (int i = 0; i < n; i++)
            f[i] = (struct gt_frame){zmq_msg_data(&part[i]), zmq_msg_size(&part[i])};
        int stop = n == 2 && f[1].len == 4 && memcmp(f[1].p, "STOP", 4) == 0;
        struct gt_bus_req req;
        char err[GT_ERRLEN];
        struct gt_frame out[2 + 2 * GT_BUS_CHUNK];
        int m = 0;
        out[m++] = f[0]; /* identity */
        if (stop) {
            out[m++] = (struct gt_frame){(const uint8_t *)"OK", 2};
        } else if (gt_bus_req_parse(f + 1, n - 1, &req, err) < 0) {
            static uint8_t code[4];
            st_le32(code, (uint32_t)GT_EBADMSG);
            out[m++] = (struct gt_frame){(const uint8_t *)"ERR", 3};
            out[m++] = (struct gt_frame){code, 4};
            out[m++] = (struct gt_frame){(const uint8_t *)err, strlen(err)};
        } else if (req.cmd == GT_BUS_REPLAY) {
            static uint8_t hdr[24];
            if (req.from_seq == 1 && sv->late_ms)
                usleep((useconds_t)sv->late_ms * 1000);
            uint64_t to = req.to_seq < N_JOURNAL ? req.to_seq : N_JOURNAL;
            uint64_t s = req.from_seq, k = 0;
            out[m++] = (struct gt_frame){(const uint8_t *)"OK", 2};
            out[m++] = (struct gt_frame){hdr, 24};
            while (s <= to && k + PER_MSG <= GT_BUS_CHUNK) {
                uint64_t cnt = to - s + 1 < PER_MSG ? to - s + 1 : PER_MSG;
                for (uint64_t j = 0; j < cnt; j++)
                    make_tick(s + j, recs + (k + j) * GT_TICK_LEN);
                out[m++] = (struct gt_frame){(const uint8_t *)"trade.H100.H100Z6", 17};
                out[m++] = (struct gt_frame){recs + k * GT_TICK_LEN, cnt * GT_TICK_LEN};
                k += cnt;
                s += cnt;
            }
            st_le64(hdr, req.from_seq);
            st_le64(hdr + 8, s);
            st_le64(hdr + 16, N_JOURNAL);
        } else if (req.cmd == GT_BUS_SNAPSHOT) {
            static uint8_t asof[8];
            st_le64(asof, N_JOURNAL);
            make_tick(N_JOURNAL, recs);
            out[m++] = (struct gt_frame){(const uint8_t *)"OK", 2};
            out[m++] = (struct gt_frame){asof, 8};
            out[m++] = (struct gt_frame){(const uint8_t *)"tob.H100.H100Z6", 15};
            out[m++] = (struct gt_frame){recs, GT_TICK_LEN};
        } else {
            static uint8_t info[16];
            st_le64(info, 1);
            st_le64(info + 8, N_JOURNAL);
            out[m++] = (struct gt_frame){(const uint8_t *)"OK", 2};
            out[m++] = (struct gt_frame){info, 16};
        }
        send_frames(sv->router, out, m);
        for (int i = 0; i < n; i++)
            zmq_msg_close(&part[i]);
        if (stop)
            return NULL;
    }
}

/* late_ms: answer a REPLAY from seq 1 that late (0: at once). */
static void server_start(struct server *sv, int late_ms)
{
    sv->late_ms = late_ms;
    sv->ctx = zmq_ctx_new();
    sv->router = zmq_socket(sv->ctx, ZMQ_ROUTER);
    cr_assert(eq(int, zmq_bind(sv->router, "tcp://127.0.0.1:*"), 0));
    size_t len = sizeof sv->endpoint;
    zmq_getsockopt(sv->router, ZMQ_LAST_ENDPOINT, sv->endpoint, &len);
    pthread_create(&sv->thread, NULL, serve, sv);
}

static void *client(struct server *sv)
{
    void *d = zmq_socket(sv->ctx, ZMQ_DEALER);
    cr_assert(eq(int, zmq_connect(d, sv->endpoint), 0));
    return d;
}

static void server_stop(struct server *sv, void *dealer)
{
    zmq_send(dealer, "STOP", 4, 0);
    pthread_join(sv->thread, NULL);
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(dealer);
    zmq_close(sv->router);
    zmq_ctx_term(sv->ctx);
}

struct seen {
    uint64_t next; /* the sequence expected next */
    long msgs;
    int bad;
};

static int check_seq(void *ctx, const char *topic, size_t tlen, const uint8_t *recs, size_t n)
{
    struct seen *s = ctx;
    struct gt_topic tp;
    s->bad |= gt_topic_parse(topic, tlen, &tp) != GT_OK;
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t;
        s->bad |= gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t) != GT_OK;
        s->bad |= t.seq != s->next++;
    }
    s->msgs++;
    return 0;
}

Test(bus, replay_walks_every_chunk_in_order, .timeout = 10)
{
    struct server sv;
    server_start(&sv, 0);
    void *d = client(&sv);
    char err[GT_ERRLEN] = "";
    struct seen s = {.next = 5};
    uint64_t last = 0;
    long n = gt_bus_replay(d, 5, 9000, 2000, check_seq, &s, &last, err);
    cr_assert(eq(long, n, 8996), "%s", err);
    cr_assert(eq(int, s.bad, 0));
    cr_assert(eq(u64, s.next, 9001));
    cr_assert(eq(u64, last, N_JOURNAL));
    cr_assert(gt(long, s.msgs, GT_BUS_CHUNK / PER_MSG), "more than one chunk was needed");

    /* Past the newest record: stops at the newest, no error. */
    s = (struct seen){.next = 9990};
    n = gt_bus_replay(d, 9990, UINT64_MAX, 2000, check_seq, &s, &last, err);
    cr_assert(eq(long, n, 11), "%s", err);
    server_stop(&sv, d);
}

Test(bus, server_errors_come_back_as_codes_and_text, .timeout = 10)
{
    struct server sv;
    server_start(&sv, 0);
    void *d = client(&sv);
    char err[GT_ERRLEN] = "";
    struct seen s = {.next = 1};
    long n = gt_bus_replay(d, 0, 10, 2000, check_seq, &s, NULL, err);
    cr_assert(eq(long, n, GT_EBADMSG));
    cr_assert(ne(ptr, strstr(err, "range is empty"), NULL), "%s", err);
    server_stop(&sv, d);
}

Test(bus, snapshot_and_info, .timeout = 10)
{
    struct server sv;
    server_start(&sv, 0);
    void *d = client(&sv);
    char err[GT_ERRLEN] = "";
    struct seen s = {.next = N_JOURNAL};
    uint64_t as_of = 0, first = 0, last = 0;
    cr_assert(eq(long, gt_bus_snapshot(d, "tob.", 2000, check_seq, &s, &as_of, err), 1), "%s", err);
    cr_assert(eq(u64, as_of, N_JOURNAL));
    cr_assert(eq(int, gt_bus_info(d, 2000, &first, &last, err), GT_OK), "%s", err);
    cr_assert(eq(u64, first, 1));
    cr_assert(eq(u64, last, N_JOURNAL));
    server_stop(&sv, d);
}

Test(bus, no_server_times_out_with_a_clear_message, .timeout = 10)
{
    void *ctx = zmq_ctx_new();
    void *d = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(d, "tcp://127.0.0.1:1");
    char err[GT_ERRLEN] = "";
    uint64_t a, b;
    cr_assert(eq(int, gt_bus_info(d, 200, &a, &b, err), GT_EZMQ));
    cr_assert(ne(ptr, strstr(err, "no reply within 200 ms"), NULL), "%s", err);
    zmq_close(d);
    zmq_ctx_term(ctx);
}

/* The server answers the first request after the client gave up on it; the
 * client's next requests get their own answers, not that late one. */
Test(bus, a_late_reply_is_not_taken_for_the_answer_to_the_next_request, .timeout = 10)
{
    struct server sv;
    server_start(&sv, 300);
    void *d = client(&sv);
    char err[GT_ERRLEN] = "";
    struct seen s = {.next = 1};
    cr_assert(eq(long, gt_bus_replay(d, 1, 100, 100, check_seq, &s, NULL, err), GT_EZMQ));
    cr_assert(ne(ptr, strstr(err, "no reply within 100 ms"), NULL), "%s", err);
    /* Another range: the late reply (records 1..100) comes first and is dropped. */
    s = (struct seen){.next = 5000};
    cr_assert(eq(long, gt_bus_replay(d, 5000, 5010, 2000, check_seq, &s, NULL, err), 11), "%s",
              err);
    cr_assert(eq(int, s.bad, 0), "only records 5000..5010");
    cr_assert(eq(u64, s.next, 5011));
    /* Another kind of request after a timeout: INFO gets INFO's reply. */
    cr_assert(eq(long, gt_bus_replay(d, 1, 100, 100, check_seq, &s, NULL, err), GT_EZMQ));
    uint64_t first = 0, last = 0;
    cr_assert(eq(int, gt_bus_info(d, 2000, &first, &last, err), GT_OK), "%s", err);
    cr_assert(eq(u64, first, 1));
    cr_assert(eq(u64, last, N_JOURNAL));
    /* A reply that was already waiting before the request is dropped too. */
    cr_assert(eq(long, gt_bus_replay(d, 1, 100, 100, check_seq, &s, NULL, err), GT_EZMQ));
    zmq_pollitem_t pi = {d, 0, ZMQ_POLLIN, 0}; /* until the late reply waits (unread) */
    cr_assert(eq(int, zmq_poll(&pi, 1, 5000), 1), "the late reply arrived");
    s = (struct seen){.next = 7000};
    cr_assert(eq(long, gt_bus_replay(d, 7000, 7000, 2000, check_seq, &s, NULL, err), 1), "%s", err);
    cr_assert(eq(int, s.bad, 0));
    server_stop(&sv, d);
}

/* A filtered replay reports how far its replies covered the journal. */
Test(bus, filtered_replay_reports_the_range_it_covered, .timeout = 10)
{
    struct server sv;
    server_start(&sv, 0);
    void *d = client(&sv);
    char err[GT_ERRLEN] = "";
    struct seen s = {.next = 5};
    uint64_t last = 0, next = 0;
    cr_assert(eq(long,
                 gt_bus_replay_filter(d, 5, 9000, "trade.", 2000, check_seq, &s, &last, &next, err),
                 8996),
              "%s", err);
    cr_assert(eq(u64, next, 9001), "[5, 9001) covered");
    s = (struct seen){.next = 9990};
    cr_assert(eq(long,
                 gt_bus_replay_filter(d, 9990, UINT64_MAX, "trade.", 2000, check_seq, &s, &last,
                                      &next, err),
                 11),
              "%s", err);
    cr_assert(eq(u64, next, N_JOURNAL + 1), "up to the newest");
    cr_assert(eq(u64, last, N_JOURNAL));
    server_stop(&sv, d);
}

Test(bus, request_parser_refuses_malformed_requests)
{
    struct gt_bus_req req;
    char err[GT_ERRLEN];
    uint8_t range[16];
    st_le64(range, 10);
    st_le64(range + 8, 20);
    struct gt_frame ok[2] = {{(const uint8_t *)"REPLAY", 6}, {range, 16}};
    cr_assert(eq(int, gt_bus_req_parse(ok, 2, &req, err), GT_OK));
    cr_assert(eq(u64, req.from_seq, 10));
    cr_assert(eq(u64, req.to_seq, 20));
    struct gt_frame short_range[2] = {{(const uint8_t *)"REPLAY", 6}, {range, 15}};
    cr_assert(eq(int, gt_bus_req_parse(short_range, 2, &req, err), GT_EBADMSG));
    st_le64(range, 30);
    cr_assert(eq(int, gt_bus_req_parse(ok, 2, &req, err), GT_EBADMSG));
    struct gt_frame junk[1] = {{(const uint8_t *)"DROP TABLE", 10}};
    cr_assert(eq(int, gt_bus_req_parse(junk, 1, &req, err), GT_EBADMSG));
    cr_assert(ne(ptr, strstr(err, "unknown request"), NULL));
    cr_assert(eq(int, gt_bus_req_parse(junk, 0, &req, err), GT_EBADMSG));
    struct gt_frame snap[2] = {{(const uint8_t *)"SNAPSHOT", 8}, {(const uint8_t *)"tob.\n", 5}};
    cr_assert(eq(int, gt_bus_req_parse(snap, 2, &req, err), GT_EBADMSG));
    snap[1].len = 4;
    cr_assert(eq(int, gt_bus_req_parse(snap, 2, &req, err), GT_OK));
    cr_assert(eq(str, req.prefix, "tob."));
    cr_assert(eq(int, gt_bus_req_parse(snap, 1, &req, err), GT_OK));
    cr_assert(eq(str, req.prefix, ""));
}
