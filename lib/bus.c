/* SPDX-License-Identifier: MIT */
/* bus.c -- the tick bus protocol (frames and semantics in bus.h).
 *
 * Request parsing works on frame views only, so the fuzzer and the ROUTER
 * share it. The client side sends a request, waits for the reply with
 * zmq_poll under a deadline, and walks its frames: status, header, then
 * topic/records pairs handed to the caller's callback. Replay loops over
 * chunks until the range or the journal is exhausted. */
#include "gputick/bus.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/bytes.h"
#include "gputick/err.h"
#include <time.h>

static int req_fail(char *err, const char *msg)
{
    if (err)
        snprintf(err, GT_ERRLEN, "%s", msg);
    return GT_EBADMSG;
}

static int frame_is(const struct gt_frame *f, const char *word)
{
    size_t n = strlen(word);
    return f->len == n && memcmp(f->p, word, n) == 0;
}

int gt_bus_envelope(const struct gt_frame *f, int n)
{
    for (int i = 1; i + 1 < n; i++)
        if (f[i].len == 0)
            return i + 1;
    return 1;
}

int gt_bus_req_parse(const struct gt_frame *f, int n, struct gt_bus_req *req, char *err)
{
    memset(req, 0, sizeof *req);
    if (n < 1)
        return req_fail(err, "empty request (want REPLAY, SNAPSHOT or INFO)");
    if (frame_is(&f[0], "REPLAY")) {
        if (n < 2 || n > 3 || f[1].len != 16)
            return req_fail(err, "REPLAY takes a 16-byte frame (from_seq u64, to_seq u64) and "
                                 "an optional filter");
        req->cmd = GT_BUS_REPLAY;
        req->from_seq = ld_le64(f[1].p);
        req->to_seq = ld_le64(f[1].p + 8);
        if (req->from_seq == 0 || req->from_seq > req->to_seq)
            return req_fail(err, "REPLAY range is empty (want 1 <= from_seq <= to_seq)");
        if (n == 3) {
            if (f[2].len == 0 || f[2].len >= GT_BUS_FILTER_MAX)
                return req_fail(err, "REPLAY filter must be 1 to 255 bytes");
            for (size_t i = 0; i < f[2].len; i++) {
                uint8_t c = f[2].p[i];
                int space_ok = c == ' ' && i > 0 && i + 1 < f[2].len && f[2].p[i - 1] != ' ';
                if ((c < 0x21 || c > 0x7e) && !space_ok)
                    return req_fail(err, "REPLAY filter holds a character no topic has");
            }
            memcpy(req->filter, f[2].p, f[2].len);
        }
        return GT_OK;
    }
    if (frame_is(&f[0], "SNAPSHOT")) {
        if (n > 2)
            return req_fail(err, "SNAPSHOT takes at most one frame: a topic prefix");
        req->cmd = GT_BUS_SNAPSHOT;
        if (n == 2) {
            if (f[1].len >= GT_TOPIC_MAX)
                return req_fail(err, "SNAPSHOT prefix is longer than any topic");
            for (size_t i = 0; i < f[1].len; i++)
                if (f[1].p[i] < 0x21 || f[1].p[i] > 0x7e)
                    return req_fail(err, "SNAPSHOT prefix holds a character no topic has");
            memcpy(req->prefix, f[1].p, f[1].len);
        }
        return GT_OK;
    }
    if (frame_is(&f[0], "INFO")) {
        if (n != 1)
            return req_fail(err, "INFO takes no argument");
        req->cmd = GT_BUS_INFO;
        return GT_OK;
    }
    return req_fail(err, "unknown request (want REPLAY, SNAPSHOT or INFO)");
}

int gt_bus_filter_match(const char *filter, const char *topic, size_t topic_len)
{
    if (!filter || !*filter)
        return 1;
    for (const char *p = filter; *p;) {
        size_t n = strcspn(p, " ");
        if (n && n <= topic_len && memcmp(p, topic, n) == 0)
            return 1;
        p += n;
        p += *p == ' ';
    }
    return 0;
}

int gt_bus_send(void *sock, const char *topic, size_t topic_len, const uint8_t *recs, size_t n,
                int flags)
{
    if (zmq_send(sock, topic, topic_len, flags | ZMQ_SNDMORE) < 0)
        return GT_EZMQ;
    /* Once the first frame is queued the rest goes atomically. */
    if (zmq_send(sock, recs, n * GT_TICK_LEN, flags & ~ZMQ_DONTWAIT) < 0)
        return GT_EZMQ;
    return GT_OK;
}

void gt_bus_msg_init(struct gt_bus_msg *m)
{
    zmq_msg_init(&m->topic);
    zmq_msg_init(&m->data);
    m->n = 0;
}

void gt_bus_msg_close(struct gt_bus_msg *m)
{
    zmq_msg_close(&m->topic);
    zmq_msg_close(&m->data);
}

/* Receives and discards the rest of a multipart message. */
int gt_bus_recv_parts(void *sock, zmq_msg_t *part, int cap, int flags, int *dropped)
{
    int n = 0, more = 1;
    *dropped = 0;
    while (more) {
        zmq_msg_t scratch, *m = n < cap ? &part[n] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, sock, flags) < 0) {
            zmq_msg_close(m);
            if (n == 0 && *dropped == 0)
                return GT_EZMQ;
            break; /* ZeroMQ delivers a message whole: not expected */
        }
        more = zmq_msg_more(m);
        if (m == &scratch) {
            zmq_msg_close(m);
            (*dropped)++;
        } else {
            n++;
        }
    }
    return n;
}

static void drain(void *sock)
{
    int more = 1;
    size_t sz = sizeof more;
    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
        zmq_msg_t junk;
        zmq_msg_init(&junk);
        zmq_msg_recv(&junk, sock, 0);
        zmq_msg_close(&junk);
        sz = sizeof more;
    }
}

int gt_bus_recv(void *sock, struct gt_bus_msg *m, int flags)
{
    if (zmq_msg_recv(&m->topic, sock, flags) < 0)
        return GT_EZMQ;
    if (!zmq_msg_more(&m->topic))
        return GT_EBADMSG;
    if (zmq_msg_recv(&m->data, sock, 0) < 0)
        return GT_EZMQ;
    if (zmq_msg_more(&m->data)) {
        drain(sock);
        return GT_EBADMSG;
    }
    size_t len = zmq_msg_size(&m->data);
    if (len == 0 || len % GT_TICK_LEN != 0)
        return GT_EBADMSG;
    m->n = len / GT_TICK_LEN;
    return (int)m->n;
}

/* The frames of one reply, owned until reply_close. */
struct reply {
    zmq_msg_t f[GT_BUS_CHUNK * 2 + 4];
    int n;
};

static void reply_close(struct reply *r)
{
    for (int i = 0; i < r->n; i++)
        zmq_msg_close(&r->f[i]);
    r->n = 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the reply to the request just sent looks like, so that a late reply
 * to an earlier request (one that timed out) is told apart and discarded. */
struct want {
    int cmd;           /* enum gt_bus_cmd */
    uint64_t from_seq; /* REPLAY: the chunk header's first_seq echoes it */
};

/* Which request the OK reply r (header frame at h) answers by its shape: a
 * REPLAY's 24-byte chunk header, a SNAPSHOT's 8-byte as_of, an INFO's one
 * 16-byte frame; 0 for none of them. */
static int reply_kind(struct reply *r, int h)
{
    size_t len = h < r->n ? zmq_msg_size(&r->f[h]) : 0;
    if (len == 24)
        return GT_BUS_REPLAY;
    if (len == 8)
        return GT_BUS_SNAPSHOT;
    return len == 16 && h + 1 == r->n ? GT_BUS_INFO : 0;
}

/* Whether reply r answers w: 1 yes, 0 it is a late reply to another request,
 * GT_EBADMSG it answers nothing (err says so). */
static int reply_matches(struct reply *r, int h, const struct want *w, char *err)
{
    static const char *const what[] = {"", "REPLAY", "SNAPSHOT", "INFO"};
    int kind = reply_kind(r, h);
    if (kind == 0) {
        snprintf(err, GT_ERRLEN, "%s reply is malformed (its frames fit no request)", what[w->cmd]);
        return GT_EBADMSG;
    }
    if (kind != w->cmd)
        return 0;
    return kind != GT_BUS_REPLAY || ld_le64(zmq_msg_data(&r->f[h])) == w->from_seq;
}

/* Discards every message already waiting on the socket: requests are
 * answered one at a time, so they are replies to requests that timed out. */
static void discard_pending(void *dealer)
{
    zmq_msg_t part[4];
    int dropped, n;
    while ((n = gt_bus_recv_parts(dealer, part, 4, ZMQ_DONTWAIT, &dropped)) >= 0)
        for (int i = 0; i < n; i++)
            zmq_msg_close(&part[i]);
}

/* Receives one whole reply into r. Returns the index of its header frame
 * (after "OK"), or an error; for an ERR reply the server's code. */
static int reply_recv(void *dealer, struct reply *r, char *err)
{
    const int cap = (int)(sizeof r->f / sizeof r->f[0]);
    int dropped;
    int n = gt_bus_recv_parts(dealer, r->f, cap, 0, &dropped);
    if (n < 0) {
        snprintf(err, GT_ERRLEN, "cannot receive reply: %s", zmq_strerror(errno));
        return GT_EZMQ;
    }
    r->n = n;
    if (dropped) {
        snprintf(err, GT_ERRLEN, "reply has more than %d frames", cap);
        return GT_EBADMSG;
    }
    /* A REQ-style empty delimiter may lead the reply. */
    int first = zmq_msg_size(&r->f[0]) == 0 ? 1 : 0;
    if (first >= r->n) {
        snprintf(err, GT_ERRLEN, "empty reply");
        return GT_EBADMSG;
    }
    zmq_msg_t *st = &r->f[first];
    if (zmq_msg_size(st) == 3 && memcmp(zmq_msg_data(st), "ERR", 3) == 0) {
        int code = GT_EBADMSG;
        if (first + 1 < r->n && zmq_msg_size(&r->f[first + 1]) == 4)
            code = (int32_t)ld_le32(zmq_msg_data(&r->f[first + 1]));
        if (first + 2 < r->n)
            snprintf(err, GT_ERRLEN, "server: %.*s", (int)zmq_msg_size(&r->f[first + 2]),
                     (const char *)zmq_msg_data(&r->f[first + 2]));
        else
            snprintf(err, GT_ERRLEN, "server: %s", gt_strerror(code));
        return code < 0 ? code : GT_EBADMSG;
    }
    if (zmq_msg_size(st) != 2 || memcmp(zmq_msg_data(st), "OK", 2) != 0) {
        snprintf(err, GT_ERRLEN, "reply is neither OK nor ERR");
        return GT_EBADMSG;
    }
    return first + 1;
}

/* Sends a request and receives its reply within timeout_ms. A reply that
 * does not answer it (a late one to an earlier request that timed out) is
 * discarded and the wait goes on; an ERR reply cannot be told apart and is
 * taken as the answer. Returns the index of the header frame, or an error. */
static int request(void *dealer, const struct gt_frame *req, int n_req, const struct want *w,
                   int timeout_ms, struct reply *r, char *err)
{
    r->n = 0;
    discard_pending(dealer);
    int64_t deadline = mono_ms() + timeout_ms;
    /* A DEALER with no peer (none connected yet, or one that refused the
     * handshake) would block a send forever: the first frame waits for room
     * until the deadline; once it is queued the rest goes atomically. */
    for (int i = 0; i < n_req; i++) {
        int more = i + 1 < n_req ? ZMQ_SNDMORE : 0;
        while (zmq_send(dealer, req[i].p, req[i].len, more | (i ? 0 : ZMQ_DONTWAIT)) < 0) {
            int64_t left_ms = deadline - mono_ms();
            zmq_pollitem_t po = {dealer, 0, ZMQ_POLLOUT, 0};
            if (errno != EAGAIN || i > 0 || left_ms <= 0 || zmq_poll(&po, 1, (long)left_ms) < 0) {
                if (errno == EAGAIN || left_ms <= 0)
                    snprintf(err, GT_ERRLEN,
                             "cannot send a request within %d ms (is tickfeed "
                             "running?)",
                             timeout_ms);
                else
                    snprintf(err, GT_ERRLEN, "cannot send request: %s", zmq_strerror(errno));
                return GT_EZMQ;
            }
        }
    }
    for (;;) {
        int64_t left_ms = deadline - mono_ms();
        zmq_pollitem_t pi = {dealer, 0, ZMQ_POLLIN, 0};
        if (left_ms <= 0 || zmq_poll(&pi, 1, (long)left_ms) <= 0) {
            snprintf(err, GT_ERRLEN, "no reply within %d ms (is tickfeed running?)", timeout_ms);
            return GT_EZMQ;
        }
        int h = reply_recv(dealer, r, err);
        int m = h < 0 ? 1 : reply_matches(r, h, w, err);
        if (m != 0)
            return m < 0 ? m : h;
        reply_close(r); /* a late reply to an earlier request */
    }
}

/* Hands the topic/records pairs from frame i on to cb. */
static long deliver(struct reply *r, int i, gt_bus_cb cb, void *ctx, char *err)
{
    long total = 0;
    for (; i + 1 < r->n; i += 2) {
        size_t len = zmq_msg_size(&r->f[i + 1]);
        if (len == 0 || len % GT_TICK_LEN != 0) {
            snprintf(err, GT_ERRLEN, "reply carries a payload of %zu bytes, not records", len);
            return GT_EBADMSG;
        }
        int rc = cb(ctx, zmq_msg_data(&r->f[i]), zmq_msg_size(&r->f[i]), zmq_msg_data(&r->f[i + 1]),
                    len / GT_TICK_LEN);
        if (rc < 0)
            return rc;
        total += (long)(len / GT_TICK_LEN);
    }
    if (i != r->n) {
        snprintf(err, GT_ERRLEN, "reply ends with a topic and no records");
        return GT_EBADMSG;
    }
    return total;
}

long gt_bus_replay(void *dealer, uint64_t from_seq, uint64_t to_seq, int timeout_ms, gt_bus_cb cb,
                   void *ctx, uint64_t *last_seq, char *err)
{
    return gt_bus_replay_filter(dealer, from_seq, to_seq, NULL, timeout_ms, cb, ctx, last_seq, NULL,
                                err);
}

long gt_bus_replay_filter(void *dealer, uint64_t from_seq, uint64_t to_seq, const char *filter,
                          int timeout_ms, gt_bus_cb cb, void *ctx, uint64_t *last_seq,
                          uint64_t *next_seq, char *err)
{
    struct reply *r = malloc(sizeof *r);
    long total = 0;
    if (next_seq)
        *next_seq = from_seq;
    if (!r)
        return GT_ENOMEM;
    r->n = 0;
    while (from_seq <= to_seq) {
        uint8_t range[16];
        st_le64(range, from_seq);
        st_le64(range + 8, to_seq);
        struct gt_frame req[3] = {{(const uint8_t *)"REPLAY", 6},
                                  {range, sizeof range},
                                  {(const uint8_t *)filter, filter ? strlen(filter) : 0}};
        struct want w = {GT_BUS_REPLAY, from_seq};
        int h = request(dealer, req, filter && *filter ? 3 : 2, &w, timeout_ms, r, err);
        if (h < 0) {
            total = h;
            break;
        }
        const uint8_t *hdr = zmq_msg_data(&r->f[h]);
        uint64_t next = ld_le64(hdr + 8), last = ld_le64(hdr + 16);
        if (last_seq)
            *last_seq = last;
        long got = deliver(r, h + 1, cb, ctx, err);
        reply_close(r);
        if (got < 0) {
            total = got;
            break;
        }
        total += got;
        if (next_seq && next > *next_seq)
            *next_seq = next;
        /* Done when the range or the journal is exhausted; a server that does
         * not move forward is not asked again. */
        if (next > last || next <= from_seq)
            break;
        from_seq = next;
    }
    reply_close(r);
    free(r);
    return total;
}

long gt_bus_snapshot(void *dealer, const char *prefix, int timeout_ms, gt_bus_cb cb, void *ctx,
                     uint64_t *as_of, char *err)
{
    struct reply *r = malloc(sizeof *r);
    if (!r)
        return GT_ENOMEM;
    struct gt_frame req[2] = {{(const uint8_t *)"SNAPSHOT", 8},
                              {(const uint8_t *)prefix, strlen(prefix)}};
    struct want w = {GT_BUS_SNAPSHOT, 0};
    long got = request(dealer, req, 2, &w, timeout_ms, r, err);
    if (got >= 0) {
        *as_of = ld_le64(zmq_msg_data(&r->f[got]));
        got = deliver(r, (int)got + 1, cb, ctx, err);
    }
    reply_close(r);
    free(r);
    return got;
}

int gt_bus_info(void *dealer, int timeout_ms, uint64_t *first_seq, uint64_t *last_seq, char *err)
{
    struct reply *r = malloc(sizeof *r);
    if (!r)
        return GT_ENOMEM;
    struct gt_frame req[1] = {{(const uint8_t *)"INFO", 4}};
    struct want w = {GT_BUS_INFO, 0};
    int h = request(dealer, req, 1, &w, timeout_ms, r, err);
    int rc = GT_OK;
    if (h < 0) {
        rc = h;
    } else {
        *first_seq = ld_le64(zmq_msg_data(&r->f[h]));
        *last_seq = ld_le64(zmq_msg_data(&r->f[h]) + 8);
    }
    reply_close(r);
    free(r);
    return rc;
}
