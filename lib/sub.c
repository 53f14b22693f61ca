/* SPDX-License-Identifier: MIT */
/* sub.c -- the sequenced bus client (behaviour in sub.h).
 *
 * One variable carries the ordering: next, the first sequence not yet
 * delivered (or, subscribed to prefixes, not yet covered by a filtered
 * replay). head is the newest sequence heard of: from live messages, replay
 * replies and INFO. Whenever head >= next the client is behind and replays
 * [next, head] through the ROUTER; every record, live or replayed, below next
 * is a duplicate and is dropped. A snapshot's as_of per prefix hides what the
 * snapshot already held.
 *
 * Refusals: each socket has a monitor (a PAIR on inproc) reporting handshake
 * successes and failures. An AUTH failure is the server's ZAP saying no; a
 * protocol or unspecified failure is also what a connection cut mid-handshake
 * gives once, so it counts as a refusal after three in a row with no success
 * between them; so does a connection closed before its handshake ended with
 * no failure event at all (a refusal whose event was not delivered). */
#include "gputick/sub.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "gputick/bytes.h"
#include "gputick/sec.h"
#include "gputick/time.h"

enum {
    SUB_FAIL_STREAK = 3, /* protocol failures in a row that make a refusal */
    SUB_DRAIN_MAX = 4096 /* live messages taken in one poll before replaying */
};

struct prefix {
    char p[GT_TOPIC_MAX];
    size_t len;
    uint64_t as_of; /* with a snapshot: records at or below it were in it */
};

/* A socket with its monitor. */
struct watched {
    void *sock, *mon;
    int streak;      /* handshake failures in a row */
    int handshaken;  /* the current connection completed its handshake */
    int conn_failed; /* the current connection reported a handshake failure */
};

struct gt_sub {
    struct gt_sub_opts o;
    char *pub_ep, *router_ep;
    void *zctx;
    struct watched sub, dealer;
    int n_mon; /* monitors made: each gets its own inproc endpoint */
    struct prefix pf[GT_SUB_MAX_PREFIXES];
    int n_pf;
    char filter[GT_BUS_FILTER_MAX]; /* the prefixes, space-separated; "" = all */
    int started;                    /* snapshot taken / start decided */
    int catch_up;                   /* from_seq: replay to the journal's end first */
    int64_t quiet_since_ns;         /* the last live message or INFO */
    int refused;
    char refusal[GT_ERRLEN];
    struct gt_sub_stats st;
    struct gt_bus_msg m;
    /* the poll in progress */
    gt_bus_cb cb;
    void *ctx;
    long delivered;
};

/* ---- refusals ---- */

static int mon_attach(gt_sub *s, struct watched *w, char err[GT_ERRLEN])
{
    char ep[96];
    snprintf(ep, sizeof ep, "inproc://gt-sub-mon-%p-%d", (void *)s, s->n_mon++);
    if (zmq_socket_monitor(
            w->sock, ep,
            ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) < 0 ||
        !(w->mon = zmq_socket(s->zctx, ZMQ_PAIR)) || zmq_connect(w->mon, ep) < 0) {
        snprintf(err, GT_ERRLEN, "cannot monitor a socket: %s", zmq_strerror(errno));
        return GT_EZMQ;
    }
    int linger = 0;
    zmq_setsockopt(w->mon, ZMQ_LINGER, &linger, sizeof linger);
    return GT_OK;
}

static void watched_close(struct watched *w)
{
    if (w->sock) {
        zmq_socket_monitor(w->sock, NULL, 0);
        zmq_close(w->sock);
    }
    if (w->mon)
        zmq_close(w->mon);
    *w = (struct watched){0};
}

/* Reads the monitor events waiting on w; a refusal is kept in s. */
static void mon_read(gt_sub *s, struct watched *w, const char *what)
{
    for (;;) {
        zmq_msg_t ev, ep;
        zmq_msg_init(&ev);
        zmq_msg_init(&ep);
        if (zmq_msg_recv(&ev, w->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            zmq_msg_close(&ep);
            return;
        }
        int ok = zmq_msg_more(&ev) && zmq_msg_recv(&ep, w->mon, 0) >= 0 && zmq_msg_size(&ev) == 6;
        uint16_t event = 0;
        uint32_t value = 0;
        if (ok) {
            memcpy(&event, zmq_msg_data(&ev), 2);
            memcpy(&value, (const uint8_t *)zmq_msg_data(&ev) + 2, 4);
        }
        const char *why = NULL;
        if (event == ZMQ_EVENT_CONNECTED) {
            w->handshaken = w->conn_failed = 0;
        } else if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            w->streak = 0;
            w->handshaken = 1;
        } else if (event == ZMQ_EVENT_DISCONNECTED) {
            /* Closed before the handshake ended, with no failure reported:
             * a refusal whose event did not come, or a server going down. */
            if (!w->handshaken && !w->conn_failed) {
                why = "it closed the connection during the security handshake";
                w->streak++;
            }
            w->handshaken = w->conn_failed = 1;
        } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            why = "its CURVE key is not allowed (ZAP denied it)";
            w->streak = SUB_FAIL_STREAK;
        } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
                   event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
            why = "the security handshake failed (CURVE on one side only, or the wrong server "
                  "public key?)";
            w->streak++;
        }
        if (why) {
            w->conn_failed = 1;
            s->st.refused++;
            if (w->streak >= SUB_FAIL_STREAK && !s->refused) {
                s->refused = 1;
                snprintf(s->refusal, sizeof s->refusal, "%s %.*s refused this client: %s", what,
                         (int)(zmq_msg_size(&ep) < 96 ? zmq_msg_size(&ep) : 96),
                         (const char *)zmq_msg_data(&ep), why);
            }
        }
        zmq_msg_close(&ev);
        zmq_msg_close(&ep);
    }
}

/* Reads every monitor; returns GT_EPERM (err filled) once refused. */
static int refused(gt_sub *s, char err[GT_ERRLEN])
{
    mon_read(s, &s->sub, "the publisher");
    if (s->dealer.mon)
        mon_read(s, &s->dealer, "the ROUTER");
    if (!s->refused)
        return GT_OK;
    snprintf(err, GT_ERRLEN, "%s", s->refusal);
    return GT_EPERM;
}

/* ---- sockets ---- */

/* Creates a socket of type with CURVE as configured and its monitor. */
static int sock_open(gt_sub *s, struct watched *w, int type, char err[GT_ERRLEN])
{
    int linger = 0, rc;
    if (!(w->sock = zmq_socket(s->zctx, type))) {
        snprintf(err, GT_ERRLEN, "cannot create a socket: %s", zmq_strerror(errno));
        return GT_EZMQ;
    }
    zmq_setsockopt(w->sock, ZMQ_LINGER, &linger, sizeof linger);
    if (s->o.curve_client_key &&
        (rc = gt_sec_client(w->sock, s->o.curve_client_key, s->o.curve_server_pub, err)) < 0)
        return rc;
    return mon_attach(s, w, err);
}

static int dealer_open(gt_sub *s, char err[GT_ERRLEN])
{
    int rc = sock_open(s, &s->dealer, ZMQ_DEALER, err);
    if (rc < 0)
        return rc;
    if (zmq_connect(s->dealer.sock, s->router_ep) < 0) {
        snprintf(err, GT_ERRLEN, "cannot connect to the ROUTER endpoint '%s': %s", s->router_ep,
                 zmq_strerror(errno));
        return GT_EZMQ;
    }
    return GT_OK;
}

/* Splits the prefixes and subscribes to each (or to everything). */
static int subscribe(gt_sub *s, char err[GT_ERRLEN])
{
    const char *p = s->o.prefixes ? s->o.prefixes : "";
    if (strlen(p) >= sizeof s->filter) {
        snprintf(err, GT_ERRLEN, "topic prefixes longer than %d bytes", GT_BUS_FILTER_MAX - 1);
        return GT_EINVAL;
    }
    snprintf(s->filter, sizeof s->filter, "%s", p);
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n == 0 || n >= GT_TOPIC_MAX || s->n_pf == GT_SUB_MAX_PREFIXES) {
            snprintf(err, GT_ERRLEN,
                     "bad topic prefixes '%s' (want at most %d, single spaces between)",
                     s->o.prefixes, GT_SUB_MAX_PREFIXES);
            return GT_EINVAL;
        }
        memcpy(s->pf[s->n_pf].p, p, n);
        s->pf[s->n_pf++].len = n;
        p += n + (p[n] == ' ');
    }
    if (s->n_pf == 0)
        s->pf[s->n_pf++] = (struct prefix){.len = 0}; /* "": everything, one snapshot */
    for (int i = 0; i < s->n_pf; i++)
        zmq_setsockopt(s->sub.sock, ZMQ_SUBSCRIBE, s->pf[i].p, s->pf[i].len);
    return GT_OK;
}

int gt_sub_open(gt_sub **out, const struct gt_sub_opts *o, char err[GT_ERRLEN])
{
    *out = NULL;
    gt_sub *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, GT_ERRLEN, "out of memory");
        return GT_ENOMEM;
    }
    s->o = *o;
    s->pub_ep = strdup(o->pub_ep ? o->pub_ep : GT_BUS_PUB_DEFAULT);
    s->router_ep = strdup(o->router_ep ? o->router_ep : GT_BUS_ROUTER_DEFAULT);
    s->o.pub_ep = s->o.router_ep = s->o.prefixes = NULL; /* the caller's may not last */
    if (!s->o.timeout_ms)
        s->o.timeout_ms = 3000;
    if (!s->o.idle_ms)
        s->o.idle_ms = 1000;
    if (!s->o.rcvhwm)
        s->o.rcvhwm = 1000000;
    gt_bus_msg_init(&s->m);
    int rc = GT_ENOMEM;
    if (!s->pub_ep || !s->router_ep || !(s->zctx = zmq_ctx_new())) {
        snprintf(err, GT_ERRLEN, "out of memory");
        goto fail;
    }
    rc = GT_EINVAL;
    if (!s->router_ep[0] && (o->snapshot || o->from_seq)) {
        snprintf(err, GT_ERRLEN, "a snapshot or a start sequence needs the ROUTER endpoint");
        goto fail;
    }
    if (!o->curve_client_key != !o->curve_server_pub) {
        snprintf(err, GT_ERRLEN,
                 "CURVE needs both the client's secret key and the server's "
                 "public key");
        goto fail;
    }
    if ((rc = sock_open(s, &s->sub, ZMQ_SUB, err)) < 0)
        goto fail;
    zmq_setsockopt(s->sub.sock, ZMQ_RCVHWM, &s->o.rcvhwm, sizeof s->o.rcvhwm);
    s->o.prefixes = o->prefixes;
    rc = subscribe(s, err);
    s->o.prefixes = NULL;
    if (rc < 0)
        goto fail;
    rc = GT_EZMQ;
    if (zmq_connect(s->sub.sock, s->pub_ep) < 0) {
        snprintf(err, GT_ERRLEN, "cannot connect to the PUB endpoint '%s': %s", s->pub_ep,
                 zmq_strerror(errno));
        goto fail;
    }
    if (s->router_ep[0] && (rc = dealer_open(s, err)) < 0)
        goto fail;
    s->st.next = o->from_seq;
    s->catch_up = o->from_seq > 0;
    s->started = !o->snapshot;
    s->quiet_since_ns = gt_now_ns();
    *out = s;
    return GT_OK;
fail:
    gt_sub_close(s);
    return rc;
}

void gt_sub_close(gt_sub *s)
{
    if (!s)
        return;
    gt_bus_msg_close(&s->m);
    watched_close(&s->sub);
    watched_close(&s->dealer);
    if (s->zctx)
        zmq_ctx_term(s->zctx);
    free(s->pub_ep);
    free(s->router_ep);
    free(s);
}

const struct gt_sub_stats *gt_sub_stats(const gt_sub *s)
{
    return &s->st;
}

/* ---- delivery ---- */

static int filtered(const gt_sub *s)
{
    return s->filter[0] != 0;
}

static void saw_head(gt_sub *s, uint64_t seq)
{
    if (seq > s->st.head)
        s->st.head = seq;
}

/* Records of the message at or below skip_to were delivered already (or were
 * in the snapshot of its prefix): how many lead it. */
static size_t leading_seen(const gt_sub *s, const char *topic, size_t tl, const uint8_t *recs,
                           size_t n)
{
    uint64_t first = ld_le64(recs + 8), skip_to = s->st.next ? s->st.next - 1 : 0;
    for (int i = 0; i < s->n_pf; i++)
        if (s->pf[i].as_of > skip_to && s->pf[i].len <= tl &&
            memcmp(s->pf[i].p, topic, s->pf[i].len) == 0)
            skip_to = s->pf[i].as_of;
    if (first > skip_to)
        return 0;
    return skip_to - first + 1 < n ? (size_t)(skip_to - first + 1) : n;
}

/* Hands one message to the caller, what was seen of it left out. */
static int deliver(gt_sub *s, const char *topic, size_t tl, const uint8_t *recs, size_t n,
                   uint64_t *counter)
{
    size_t seen = leading_seen(s, topic, tl, recs, n);
    s->st.dups += seen;
    if (seen == n)
        return 0;
    recs += seen * GT_TICK_LEN;
    n -= seen;
    int rc = s->cb(s->ctx, topic, tl, recs, n);
    if (rc < 0)
        return rc; /* not delivered: next stays before it */
    uint64_t last = ld_le64(recs + (n - 1) * GT_TICK_LEN + 8);
    s->st.next = last + 1;
    saw_head(s, last);
    *counter += n;
    s->delivered += (long)n;
    return 0;
}

/* gt_bus_cb of replies. A record beyond next in an unfiltered replay is a
 * hole in the journal. */
static int on_replayed(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    gt_sub *s = ctx;
    if (!filtered(s) && s->st.next && ld_le64(recs + 8) > s->st.next)
        return GT_ENOENT;
    return deliver(s, topic, tl, recs, n, &s->st.replayed);
}

static int on_snapshot(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    gt_sub *s = ctx;
    int rc = s->cb(s->ctx, topic, tl, recs, n);
    if (rc >= 0) {
        s->st.snapshot_recs += n;
        s->delivered += (long)n;
    }
    return rc;
}

/* After a request failed with GT_EZMQ: a refusal if the monitors say so,
 * and a new request socket, so that a late reply answers nothing. */
static int request_failed(gt_sub *s, int rc, char err[GT_ERRLEN])
{
    if (rc != GT_EZMQ)
        return rc;
    if (refused(s, err) < 0)
        return GT_EPERM;
    /* The failures in a row belong to the server, not to the socket: a
     * refusal that gives one failure per connection, where each request
     * outlives only a few connections on a busy machine, must still add up. */
    char derr[GT_ERRLEN];
    int streak = s->dealer.streak;
    watched_close(&s->dealer);
    if (dealer_open(s, derr) < 0)
        snprintf(err, GT_ERRLEN, "%s", derr);
    s->dealer.streak = streak;
    return rc;
}

/* Replays [next, to] (next = 1 when nothing is known). */
static int replay(gt_sub *s, uint64_t to, char err[GT_ERRLEN])
{
    uint64_t from = s->st.next ? s->st.next : 1, last = 0, covered = 0;
    if (!s->st.next)
        s->st.next = 1;
    s->st.replays++;
    long got = gt_bus_replay_filter(s->dealer.sock, from, to, s->filter, s->o.timeout_ms,
                                    on_replayed, s, &last, &covered, err);
    saw_head(s, last);
    if (got == GT_ENOENT)
        snprintf(err, GT_ERRLEN, "the feed's journal has no record %llu",
                 (unsigned long long)s->st.next);
    if (got < 0)
        return request_failed(s, (int)got, err);
    /* A filtered replay covered [from, covered), records of the filter or not. */
    if (filtered(s) && covered > s->st.next)
        s->st.next = covered;
    if (last + 1 < s->st.next) {
        snprintf(err, GT_ERRLEN,
                 "the feed's newest record is %llu but this client is at %llu: its journal was "
                 "reset, or the position belongs to another feed",
                 (unsigned long long)last, (unsigned long long)s->st.next);
        return GT_EINVAL;
    }
    return GT_OK;
}

/* Takes a snapshot of each prefix; live records start after the oldest. */
static int start(gt_sub *s, char err[GT_ERRLEN])
{
    uint64_t low = UINT64_MAX;
    for (int i = 0; i < s->n_pf; i++) {
        long got = gt_bus_snapshot(s->dealer.sock, s->pf[i].p, s->o.timeout_ms, on_snapshot, s,
                                   &s->pf[i].as_of, err);
        if (got < 0)
            return request_failed(s, (int)got, err);
        saw_head(s, s->pf[i].as_of);
        if (s->pf[i].as_of < low)
            low = s->pf[i].as_of;
    }
    s->st.next = low + 1;
    s->started = 1;
    return GT_OK;
}

/* One live message: a head to know of and, subscribed to everything, the
 * records to deliver once the hole before them is replayed. */
static int on_live(gt_sub *s, const char *topic, size_t tl, const uint8_t *recs, size_t n,
                   char err[GT_ERRLEN])
{
    uint64_t first = ld_le64(recs + 8), last = first + n - 1;
    s->st.live_msgs++;
    saw_head(s, last);
    if (!s->st.next)
        s->st.next = first; /* the start: the first live message */
    if (filtered(s) && s->dealer.sock)
        return GT_OK; /* its records come from a filtered replay */
    if (first > s->st.next) {
        if (!s->dealer.sock) {
            if (!filtered(s)) /* a prefixed stream has holes by design */
                s->st.lost += first - s->st.next;
            s->st.next = first;
        } else {
            s->st.gaps++;
            int rc = replay(s, first - 1, err);
            if (rc < 0)
                return rc;
        }
    }
    return deliver(s, topic, tl, recs, n, &s->st.live_recs);
}

long gt_sub_poll(gt_sub *s, int timeout_ms, gt_bus_cb cb, void *ctx, char err[GT_ERRLEN])
{
    s->cb = cb;
    s->ctx = ctx;
    s->delivered = 0;
    int rc = refused(s, err);
    if (rc == GT_OK && !s->started)
        rc = start(s, err);
    if (rc == GT_OK && s->catch_up && (rc = replay(s, UINT64_MAX, err)) == GT_OK)
        s->catch_up = 0;
    if (rc == GT_OK && s->dealer.sock && s->st.next && s->st.head >= s->st.next)
        rc = replay(s, s->st.head, err);
    if (rc < 0)
        return rc;
    /* Live messages: wait for the first if nothing was delivered yet, but no
     * longer than the idle INFO is due. */
    int64_t now = gt_now_ns(), idle_ns = (int64_t)s->o.idle_ms * 1000000;
    int64_t due_ms = (s->quiet_since_ns + idle_ns - now + 999999) / 1000000; /* rounded up */
    long wait_ms = s->delivered ? 0 : timeout_ms;
    if (s->dealer.sock && wait_ms > due_ms)
        wait_ms = due_ms > 0 ? due_ms : 0;
    zmq_pollitem_t pi[3] = {{s->sub.sock, 0, ZMQ_POLLIN, 0},
                            {s->sub.mon, 0, ZMQ_POLLIN, 0},
                            {s->dealer.mon, 0, ZMQ_POLLIN, 0}};
    zmq_poll(pi, s->dealer.mon ? 3 : 2, wait_ms);
    if ((rc = refused(s, err)) < 0)
        return rc;
    for (int i = 0; i < SUB_DRAIN_MAX; i++) {
        int n = gt_bus_recv(s->sub.sock, &s->m, ZMQ_DONTWAIT);
        if (n == GT_EZMQ)
            break;
        if (n <= 0)
            continue; /* not of the bus's shape */
        s->quiet_since_ns = gt_now_ns();
        rc = on_live(s, zmq_msg_data(&s->m.topic), zmq_msg_size(&s->m.topic),
                     gt_bus_msg_rec(&s->m, 0), (size_t)n, err);
        if (rc < 0)
            return rc;
    }
    /* A quiet bus: where is the head? What was dropped last shows no hole. */
    if (s->dealer.sock && gt_now_ns() - s->quiet_since_ns >= idle_ns) {
        uint64_t first = 0, last = 0;
        s->st.idle_infos++;
        s->quiet_since_ns = gt_now_ns();
        rc = gt_bus_info(s->dealer.sock, s->o.timeout_ms, &first, &last, err);
        if (rc < 0)
            return request_failed(s, rc, err);
        saw_head(s, last);
        if (!s->st.next)
            s->st.next = last + 1; /* nothing came yet: start after the head */
    }
    if (s->dealer.sock && s->st.next && s->st.head >= s->st.next &&
        (rc = replay(s, s->st.head, err)) < 0)
        return rc;
    return s->delivered;
}
